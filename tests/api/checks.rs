//! Operators' checks of the content: verification dates (`/healthz`, `check --stale`) and the
//! link checker (`check --links`).

use crate::helpers::{append_ministry, spawn_engine};

/// `/healthz` reports the oldest `verified` date and how many contacts were never verified,
/// from the cache; nothing else counts as a verification.
#[tokio::test]
async fn healthz_counts_come_from_verified_dates() {
    let app = spawn_engine().await;
    let before = app.store.content_counts().await.unwrap();
    assert_eq!(before.contacts_never_verified, before.contacts);
    assert_eq!(before.oldest_contact_verified, None);

    let old = lidzdaliba_bot::clock::day(400);
    let recent = lidzdaliba_bot::clock::day(3);
    append_ministry(
        &app.content_dir,
        "sources = [\"https://likumi.lv/ta/id/1\"]\n",
        &format!(
            "kind = \"ngo\"\nemail = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n\
             verified = \"{recent}\"\n\
             \n[[ministry.contact]]\nkind = \"general\"\nemail = \"b@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/b\"\nverified = \"{old}\"\n\
             \n[[ministry.contact]]\nkind = \"general\"\nphone = \"67000000\"\n\
             source = \"https://www.example.gov.lv/c\"\n"
        ),
    );
    app.store.sync(&app.content_dir).await.unwrap();
    let after = app.store.content_counts().await.unwrap();
    assert_eq!(after.contacts, before.contacts + 3);
    assert_eq!(after.contacts_never_verified, before.contacts + 1);
    assert_eq!(after.oldest_contact_verified, Some(old));
}

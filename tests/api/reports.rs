//! "Report a mistake" (🚩), end to end through the fake Bot API: from the button on
//! a card to the stored report and the admins' message with the card's `file:line`; consent
//! on and off; `/cancel`; the limits; `/reports` resolve; `/forget`; the CLI listing.

use lidzdaliba_bot::engine::Placement;
use lidzdaliba_bot::ids::{ReportId, UserId};
use serde_json::Value;

use crate::helpers::line_of;
use crate::ops::tables_holding;
use crate::telegram::{Harness, Running, USER, assert_nothing_rejected, callbacks, text};

const ADMIN: i64 = 7001;

async fn start(h: &Harness) -> Running {
    let config = h.config_with(false, &[("BOT_ADMINS", ADMIN.to_string())]);
    h.start_with(config).await.0
}

/// The id the fake gave the last message the bot sent.
fn last_message_id(h: &Harness) -> i64 {
    h.api.ok_calls("sendMessage").len() as i64
}

/// Presses `data` on message `message_id` as USER and waits for a new message to USER.
async fn press_for_message(h: &Harness, message_id: i64, data: &str) -> Value {
    let before = h.api.sent_to(USER).len();
    h.api.press(USER, message_id, data);
    h.api
        .wait_until(10, &format!("a message after pressing {data}"), |api| {
            api.sent_to(USER).len() > before
        })
        .await;
    h.api.sent_to(USER)[before].clone()
}

async fn store(h: &Harness) -> lidzdaliba_bot::store::Store {
    lidzdaliba_bot::store::Store::open(&h.db_url).await.unwrap()
}

/// The line of the `[[ministry]]` table of `id` in the harness's content.
fn ministry_line(h: &Harness, id: &str) -> usize {
    let text = std::fs::read_to_string(h.content.join("ministries.toml")).unwrap();
    line_of(&text, &format!("[[ministry]]\nid = \"{id}\""))
}

#[tokio::test]
async fn a_report_goes_from_the_flag_to_the_admins_message_with_file_and_line() {
    let h = Harness::new().await;
    let bot = start(&h).await;
    let card = h.ask("/contact VM").await;
    assert!(callbacks(&card).contains(&"rp:c:vm".to_string()), "{card}");
    let card_id = last_message_id(&h);

    // 🚩: a new message under the card asks for an answer; the card is not edited.
    let prompt = press_for_message(&h, card_id, "rp:c:vm").await;
    assert_eq!(prompt["reply_markup"]["force_reply"], true, "{prompt}");
    assert!(text(&prompt).contains("/cancel"), "{prompt}");
    assert!(text(&prompt).contains("bez jūsu Telegram lietotāja ID"));
    assert!(h.api.all_calls("editMessageText").is_empty());

    // The next text is the report.
    let thanks = h.ask("Tālrunis 67876000 vairs neatbild").await;
    assert!(text(&thanks).contains("Ziņojums Nr. 1"), "{thanks}");
    assert!(callbacks(&thanks).contains(&"rc:1".to_string()), "{thanks}");
    h.api
        .wait_until(10, "the admin's message", |api| {
            !api.sent_to(ADMIN).is_empty()
        })
        .await;
    let alert = h.api.sent_to(ADMIN)[0].clone();
    let place = format!("ministries.toml:{}", ministry_line(&h, "vm"));
    let alert_text = text(&alert);
    assert!(alert_text.contains(&place), "{alert_text}\nwanted {place}");
    assert!(alert_text.contains("Tālrunis 67876000 vairs neatbild"));
    assert!(alert_text.contains("Nr. 1") && alert_text.contains("c-vm"));
    // Not from a person's chat: no user id in the alert without consent.
    assert!(!alert_text.contains(&USER.to_string()), "{alert_text}");

    // The text after the report is a lookup again.
    let lookup = h.ask("veselība").await;
    assert!(!text(&lookup).contains("Ziņojums"), "{lookup}");
    bot.stop().await;

    let store = store(&h).await;
    let reports = store.reports(false, 10).await.unwrap();
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report.item, "c-vm");
    assert!(report.place.ends_with(&place), "{}", report.place);
    assert_eq!(report.body, "Tālrunis 67876000 vairs neatbild");
    let hash = store.content_info().await.unwrap().unwrap().hash;
    assert_eq!(report.content_hash, hash);
    assert_eq!(report.contact_user_id, None);
    // Consent off: the user id is in no table.
    assert!(tables_holding(&store, USER).await.is_empty());
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn consent_stores_the_user_id_with_the_report_and_forget_deletes_that_report() {
    let h = Harness::new().await;
    let bot = start(&h).await;
    h.ask("/lessons 3").await;
    let card_id = last_message_id(&h);
    press_for_message(&h, card_id, "rp:l:3").await;
    h.ask("Video saite neatveras").await;
    let thanks_id = last_message_id(&h);
    h.api
        .wait_until(10, "the admin's message", |api| {
            !api.sent_to(ADMIN).is_empty()
        })
        .await;

    // Somebody else's forged consent button changes nothing.
    let other = USER + 1;
    h.api.private_text(other, Some("lv"), "/start");
    h.api
        .wait_until(10, "a reply to the other user", |api| {
            !api.sent_to(other).is_empty()
        })
        .await;
    h.api.press(other, thanks_id, "rc:1");

    // The person's own: the message says what is kept, the admins learn whom to contact.
    let edits = h.api.all_calls("editMessageText").len();
    h.api.press(USER, thanks_id, "rc:1");
    h.api
        .wait_until(10, "the consent", |api| {
            api.all_calls("editMessageText").len() > edits && api.sent_to(ADMIN).len() >= 2
        })
        .await;
    let edited = h
        .api
        .all_calls("editMessageText")
        .last()
        .unwrap()
        .body
        .clone();
    assert!(text(&edited).contains("/forget"), "{edited}");
    let contact = h.api.sent_to(ADMIN)[1].clone();
    assert!(text(&contact).contains(&USER.to_string()), "{contact}");
    bot.stop().await;

    let store = store(&h).await;
    let report = store.report(ReportId(1)).await.unwrap().unwrap();
    assert_eq!(report.contact_user_id, Some(UserId(USER)));
    assert_eq!(
        tables_holding(&store, USER).await,
        vec!["reports".to_string()]
    );
    assert!(tables_holding(&store, other).await.is_empty());
    store.close().await;

    // /forget deletes the report that carries the person's id.
    let bot = start(&h).await;
    let forgotten = h.ask("/forget").await;
    assert!(text(&forgotten).contains("Izdzēsts"), "{forgotten}");
    bot.stop().await;
    let store = self::store(&h).await;
    assert!(store.report(ReportId(1)).await.unwrap().is_none());
    assert!(tables_holding(&store, USER).await.is_empty());
}

#[tokio::test]
async fn cancel_stops_a_report_and_the_limits_hold() {
    let h = Harness::new().await;
    let bot = start(&h).await;
    h.ask("/contact veselība").await;
    let card_id = last_message_id(&h);

    press_for_message(&h, card_id, "rp:a:veseliba").await;
    let cancelled = h.ask("/cancel").await;
    assert!(text(&cancelled).contains("atcelts"), "{cancelled}");
    let lookup = h.ask("izglītība").await;
    assert!(!text(&lookup).contains("Ziņojums"), "{lookup}");
    let nothing = h.ask("/cancel").await;
    assert!(text(&nothing).contains("Nav ko atcelt"), "{nothing}");

    // A report, then another within the minute: refused at the flag, in a message of its own.
    press_for_message(&h, card_id, "rp:a:veseliba").await;
    let long = "ā".repeat(1200);
    let thanks = h.ask(&long).await;
    assert!(text(&thanks).contains("1000"), "the cut is said: {thanks}");
    let refused = press_for_message(&h, card_id, "rp:a:veseliba").await;
    assert!(text(&refused).contains("pagaidiet minūti"), "{refused}");
    assert!(refused["reply_markup"].get("force_reply").is_none());
    assert!(h.api.all_calls("editMessageText").is_empty());
    bot.stop().await;

    let store = store(&h).await;
    let reports = store.reports(false, 10).await.unwrap();
    assert_eq!(reports.len(), 1, "the cancelled one is not stored");
    assert_eq!(reports[0].body.chars().count(), 1000);
    assert!(
        reports[0].place.contains("ministries.toml:"),
        "{}",
        reports[0].place
    );
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn admins_resolve_reports_from_the_list_and_others_cannot() {
    let h = Harness::new().await;
    let bot = start(&h).await;
    h.ask("/contact VM").await;
    let card_id = last_message_id(&h);
    press_for_message(&h, card_id, "rp:c:vm").await;
    h.ask("E-pasts ir nepareizs").await;

    // /reports exists for admins only.
    let unknown = h.ask("/reports").await;
    assert!(!text(&unknown).contains("E-pasts"), "{unknown}");
    // A forged "resolved" from someone else closes nothing.
    h.api.press(USER, card_id, "rr:1");

    h.api.private_text(ADMIN, Some("lv"), "/reports");
    h.api
        .wait_until(10, "the list", |api| {
            api.sent_to(ADMIN)
                .iter()
                .any(|m| text(m).contains("Atvērtie"))
        })
        .await;
    let list = h
        .api
        .sent_to(ADMIN)
        .into_iter()
        .find(|m| text(m).contains("Atvērtie"))
        .unwrap();
    assert!(text(&list).contains("Atvērtie ziņojumi: 1"), "{list}");
    assert!(text(&list).contains("E-pasts ir nepareizs"));
    assert!(text(&list).contains(&format!("ministries.toml:{}", ministry_line(&h, "vm"))));
    assert!(callbacks(&list).contains(&"rr:1".to_string()), "{list}");
    assert!(callbacks(&list).contains(&"rs:1".to_string()), "{list}");
    let list_id = last_message_id(&h);

    let acks = h.api.ok_calls("answerCallbackQuery").len();
    h.api.press(ADMIN, list_id, "rr:1");
    h.api
        .wait_until(10, "the list edited", |api| {
            api.ok_calls("answerCallbackQuery").len() > acks
                && api
                    .ok_calls("editMessageText")
                    .iter()
                    .any(|m| text(m).contains("izlabots"))
        })
        .await;
    let edited = h
        .api
        .ok_calls("editMessageText")
        .into_iter()
        .find(|m| text(m).contains("izlabots"))
        .unwrap();
    assert!(text(&edited).contains("Atvērtie ziņojumi: 0"), "{edited}");
    bot.stop().await;

    let store = store(&h).await;
    let report = store.report(ReportId(1)).await.unwrap().unwrap();
    assert_eq!(report.status, lidzdaliba_bot::store::ReportStatus::Resolved);
    assert!(report.closed_at.is_some());
    assert_eq!(store.open_reports().await.unwrap(), 0);
}

/// The terminal listing, the statistics, and the deletion of reports closed 90 days ago,
/// over the engine and the real binary.
#[tokio::test]
async fn the_terminal_and_the_stats_show_reports_and_closed_ones_go_after_90_days() {
    use lidzdaliba_bot::clock::day;
    use lidzdaliba_bot::store::ReportStatus;

    let app = crate::helpers::spawn_engine().await;
    for (item, body) in [
        ("rp:c:vm", "Tālrunis nav pareizs"),
        ("rp:l:3", "Nav video"),
        ("rp:a:veseliba", "Cita ministrija"),
        ("rp:c:vm", "Vecs e-pasts"),
    ] {
        let user = app.fresh_user();
        let prompt = app.press_as(user, Some("lv"), item).await;
        assert_eq!(prompt.placement, Placement::ForceReply, "{}", prompt.text);
        app.ask_as(user, Some("lv"), body).await;
    }
    let store = &app.store;
    // #2 closed 91 days ago, #3 89 days ago, #4 now.
    let at = |days| format!("{}T12:00:00Z", day(days));
    assert!(
        store
            .close_report(ReportId(2), ReportStatus::Resolved, &at(91))
            .await
            .unwrap()
    );
    assert!(
        store
            .close_report(ReportId(3), ReportStatus::Spam, &at(89))
            .await
            .unwrap()
    );
    assert!(
        store
            .close_report(ReportId(4), ReportStatus::Resolved, &at(0))
            .await
            .unwrap()
    );
    assert!(
        !store
            .close_report(ReportId(4), ReportStatus::Spam, &at(0))
            .await
            .unwrap()
    );

    let stats = lidzdaliba_bot::stats::Report::load(store, 30)
        .await
        .unwrap();
    let table = stats.table(10);
    assert!(table.contains("Open reports of mistakes: 1"), "{table}");
    assert!(table.contains("#1  ministries.toml:"), "{table}");

    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lidzdaliba-bot"))
            .args(args)
            .env_clear()
            .env("DATABASE_URL", &app.db_url)
            .current_dir(app.content_dir.parent().unwrap())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let vm_line = {
        let text = std::fs::read_to_string(app.content_dir.join("ministries.toml")).unwrap();
        line_of(&text, "[[ministry]]\nid = \"vm\"")
    };
    let all = cli(&["reports"]);
    assert!(all.contains("#1 [open]"), "{all}");
    assert!(all.contains(&format!("ministries.toml:{vm_line}")), "{all}");
    assert!(all.contains("  | Tālrunis nav pareizs"), "{all}");
    assert!(all.contains("#2 [resolved "), "{all}");
    assert!(all.contains("#3 [spam "), "{all}");
    assert!(all.ends_with("4 report(s)\n"), "{all}");
    let open = cli(&["reports", "--open"]);
    assert!(
        open.contains("#1 [open]") && !open.contains("#2 "),
        "{open}"
    );
    assert!(open.ends_with("1 open report(s)\n"), "{open}");
    let stats = cli(&["stats"]);
    assert!(stats.contains("Open reports of mistakes: 1"), "{stats}");

    // The flush of the statistics deletes what was closed more than 90 days ago.
    app.engine.flush_stats().await.unwrap();
    let left: Vec<i64> = store
        .reports(false, 10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id.0)
        .collect();
    assert_eq!(left, vec![1, 3, 4]);
}

/// In a group the bot does not read answers: 🚩 points to a private chat, with the link that
/// opens the same card there, and nothing waits for a text.
#[tokio::test]
async fn in_a_group_the_flag_points_to_a_private_chat() {
    use lidzdaliba_bot::engine::{ChatKind, Input, Request};
    let app = crate::helpers::spawn_engine().await;
    let request = Request {
        user_id: UserId(77),
        language_code: Some("lv".into()),
        chat: ChatKind::Group,
        input: Input::Button("rp:c:vm".into()),
    };
    let reply = app.engine.handle(&request).await.unwrap();
    assert_eq!(reply.placement, Placement::Below, "{}", reply.text);
    assert!(reply.text.contains("privātā sarunā"), "{}", reply.text);
    let link = format!("https://t.me/{}?start=c-vm", crate::fake_api::BOT_USERNAME);
    assert!(reply.text.contains(&link), "{}", reply.text);
    // The next private text of the same person is a lookup, not a report.
    let lookup = app.ask_as(77, Some("lv"), "veselība").await;
    assert!(
        lookup.text.contains("Veselības ministrija"),
        "{}",
        lookup.text
    );
    assert_eq!(app.store.reports(false, 10).await.unwrap().len(), 0);
}

//! Issue 14 through the fake Bot API: no wasted edits, permalinks on every card, and the
//! "Did this help?" votes.

use std::time::Duration;

use crate::telegram::{Harness, USER, assert_nothing_rejected, text};

/// Presses `data` on the bot's message `message_id` and waits until the press was handled:
/// its acknowledgement went out and a `/help` sent after it (same chat, answered in order)
/// got its reply.
async fn press_and_settle(h: &Harness, message_id: i64, data: &str) {
    let acks = h.api.ok_calls("answerCallbackQuery").len();
    h.api.press(USER, message_id, data);
    h.api
        .wait_until(10, "the acknowledgement", |api| {
            api.ok_calls("answerCallbackQuery").len() > acks
        })
        .await;
    h.ask("/help").await;
}

fn edits(h: &Harness) -> Vec<crate::fake_api::Call> {
    h.api.all_calls("editMessageText")
}

#[tokio::test]
async fn a_button_that_would_show_the_same_makes_no_edit() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let menu = h.ask("/start").await;
    let message_id = h.api.ok_calls("sendMessage").len() as i64;

    // "Main menu" pressed on the main menu: nothing to change.
    press_and_settle(&h, message_id, "m").await;
    assert!(edits(&h).is_empty(), "{:#?}", edits(&h));

    // A forged button: the menu gets the notice once; pressed again on the message that now
    // shows the notice, nothing changes.
    press_and_settle(&h, message_id, "x:999").await;
    assert_eq!(edits(&h).len(), 1);
    assert!(text(&edits(&h)[0].body).contains("vairs nav aktuāla"));
    press_and_settle(&h, message_id, "x:999").await;
    assert_eq!(edits(&h).len(), 1, "{:#?}", edits(&h));

    // A button that shows something else still edits in place.
    press_and_settle(&h, message_id, "ls").await;
    assert_eq!(edits(&h).len(), 2);
    assert_ne!(text(&edits(&h)[1].body), text(&menu));
    bot.stop().await;

    assert_eq!(h.api.ok_calls("answerCallbackQuery").len(), 4);
    assert!(
        edits(&h).iter().all(|c| c.status == 200),
        "no edit was refused as not modified"
    );
    assert_nothing_rejected(&h.api);
}

/// A card with links, bold text and a keyboard, pressed again: the comparison holds on what
/// Telegram sends back (plain text and entities), not only on menus.
#[tokio::test]
async fn pressing_the_button_of_the_card_shown_makes_no_edit() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/lessons").await;
    let message_id = h.api.ok_calls("sendMessage").len() as i64;
    press_and_settle(&h, message_id, "l:3").await;
    assert_eq!(edits(&h).len(), 1);
    press_and_settle(&h, message_id, "l:3").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    bot.stop().await;
    assert_eq!(edits(&h).len(), 1, "{:#?}", edits(&h));
    assert_nothing_rejected(&h.api);
}

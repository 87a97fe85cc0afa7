//! Through the fake Bot API: no wasted edits, permalinks on every card, and the
//! "Did this help?" votes.

use std::time::Duration;

use lidzdaliba_bot::console;
use lidzdaliba_bot::engine::{Action, Button, Engine};
use lidzdaliba_bot::lang::Lang;
use serde_json::Value;

use crate::fake_api::BOT_USERNAME;
use crate::helpers::spawn_engine;
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

    // A forged button, twice: a toast each time, and the menu stays as it is.
    press_and_settle(&h, message_id, "x:999").await;
    press_and_settle(&h, message_id, "x:999").await;
    assert!(edits(&h).is_empty(), "{:#?}", edits(&h));
    let acks = h.api.ok_calls("answerCallbackQuery");
    assert!(acks[0].get("text").is_none(), "{}", acks[0]);
    for toast in &acks[1..] {
        assert_eq!(toast["text"], "Šī poga vairs nav aktuāla.", "{toast}");
    }

    // A button that shows something else still edits in place.
    press_and_settle(&h, message_id, "ls").await;
    assert_eq!(edits(&h).len(), 1);
    assert_ne!(text(&edits(&h)[0].body), text(&menu));
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

/// Every button of a sent message, row by row.
fn rows(body: &Value) -> Vec<Vec<Value>> {
    body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| row.as_array().cloned().unwrap_or_default())
        .collect()
}

/// The permalink a card's "Copy link" button copies; it sits beside "Share".
fn copied_link(body: &Value) -> String {
    let row = rows(body)
        .into_iter()
        .find(|row| row.iter().any(|b| b.get("copy_text").is_some()))
        .unwrap_or_else(|| panic!("no copy_text button: {body}"));
    assert_eq!(row.len(), 2, "{row:?}");
    assert!(row[0].get("switch_inline_query").is_some(), "{row:?}");
    assert_eq!(row[1]["text"], "🔗 Kopēt saiti");
    row[1]["copy_text"]["text"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_copied_link_opens_the_same_card_through_start() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    for (ask, payload) in [
        ("/contact veselība", "a-veseliba"),
        ("/contact VM", "c-vm"),
        ("/lessons 6", "l-6"),
        ("/guidelines 2", ""),
    ] {
        let card = h.ask(ask).await;
        let link = copied_link(&card);
        let prefix = format!("https://t.me/{BOT_USERNAME}?start=");
        let got = link
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{ask}: {link}"));
        if !payload.is_empty() {
            assert_eq!(got, payload, "{ask}");
        }
        // What a person who follows the link sends: `/start <payload>`.
        let opened = h.ask(&format!("/start {got}")).await;
        assert_eq!(text(&opened), text(&card), "{ask} -> {link}");
        assert_eq!(copied_link(&opened), link);
    }
    bot.stop().await;
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn inline_results_carry_the_permalink_in_their_text() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.api.inline_query(USER, "lv", "c-vm");
    h.api
        .wait_until(10, "the inline answer", |api| {
            !api.ok_calls("answerInlineQuery").is_empty()
        })
        .await;
    bot.stop().await;
    let answer = &h.api.ok_calls("answerInlineQuery")[0];
    let result = &answer["results"][0];
    let link = format!("https://t.me/{BOT_USERNAME}?start=c-vm");
    let message = result["input_message_content"]["message_text"]
        .as_str()
        .unwrap();
    assert!(
        message.ends_with(&format!("🔗 <a href=\"{link}\">{link}</a>")),
        "{message}"
    );
    assert_nothing_rejected(&h.api);
}

/// Every card of the content (each ministry, area, lesson and section) has the button, and
/// its link opens that card; menus have none.
#[tokio::test]
async fn every_card_has_a_permalink_that_opens_it() {
    let app = spawn_engine().await;
    let catalog_items = {
        let mut items = Vec::new();
        for m in app.ministries().await {
            items.push(Action::Ministry(m.id.clone()));
            items.extend(m.areas.iter().map(|a| Action::Area(a.id.clone())));
        }
        items.extend((1..=10).map(Action::Lesson));
        for section in app.store.sections("section", None).await.unwrap() {
            items.push(Action::Section(section.id.clone()));
        }
        items
    };
    assert!(catalog_items.len() > 40, "{}", catalog_items.len());
    for item in &catalog_items {
        let card = app.press(item).await;
        // The permalink; a contact card also copies its e-mail addresses and phones.
        let links: Vec<&String> = card
            .buttons
            .iter()
            .flatten()
            .filter_map(|b| match b {
                Button::Copy { text, .. } if text.starts_with("https://") => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(
            links,
            vec![&format!(
                "https://t.me/{BOT_USERNAME}?start={}",
                item.payload()
            )],
            "{item:?}"
        );
        let opened = app.ask(&format!("/start {}", item.payload())).await;
        assert_eq!(opened.text, card.text, "{item:?}");
        // The thank-you after a vote still fits in the one message it replaces.
        let vote = Action::Vote {
            item: Box::new(item.clone()),
            up: true,
        };
        let thanked = app.press(&vote).await;
        assert_eq!(thanked.messages().len(), 1, "{item:?}");
        assert!(thanked.image.is_none());
        crate::helpers::assert_sendable(&thanked, &format!("{item:?} thanked"));
    }
    for menu in ["/start", "/lessons", "/contact", "/guidelines", "/help"] {
        let reply = app.ask(menu).await;
        assert!(
            !reply
                .buttons
                .iter()
                .flatten()
                .any(|b| matches!(b, Button::Copy { .. })),
            "{menu}"
        );
    }
}

#[tokio::test]
async fn the_console_prints_the_permalink() {
    let app = spawn_engine().await;
    let mut out = Vec::new();
    console::run(&app.engine, &b"/contact VM\n4\n"[..], &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    let link = format!("https://t.me/{BOT_USERNAME}?start=c-vm");
    assert!(
        out.contains(&format!("[4] 🔗 Kopēt saiti: {link}")),
        "{out}"
    );
    assert!(out.contains(&format!("→ {link}")), "{out}");
}

/// The console of a database the bot never ran with knows no username: no link, and nothing
/// broken; once the bot has run, the console shows the links too.
#[tokio::test]
async fn the_username_is_remembered_for_the_console() {
    let app = spawn_engine().await;
    let store = lidzdaliba_bot::store::Store::open(&app.db_url)
        .await
        .unwrap();
    let again = Engine::new(store, Lang::Lv).await.unwrap();
    assert_eq!(again.username().as_deref(), Some(BOT_USERNAME));

    let (_dir, content) = crate::helpers::content_copy();
    let fresh_dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fresh.db", fresh_dir.path().display());
    let store = lidzdaliba_bot::store::Store::open(&url).await.unwrap();
    lidzdaliba_bot::engine::import(&store, &content)
        .await
        .unwrap();
    let fresh = Engine::new(store, Lang::Lv).await.unwrap();
    assert_eq!(fresh.username(), None);
    let mut out = Vec::new();
    console::run(&fresh, &b"/contact VM\n"[..], &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("↗ Dalīties") && !out.contains("t.me/"),
        "{out}"
    );
}

/// The buttons of a sent message as (label, what they do), row by row.
fn labelled(body: &Value) -> Vec<Vec<(String, String)>> {
    rows(body)
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| {
                    let what = ["callback_data", "switch_inline_query", "url"]
                        .iter()
                        .find_map(|k| b[*k].as_str().map(str::to_string))
                        .or_else(|| b["copy_text"]["text"].as_str().map(str::to_string))
                        .unwrap_or_default();
                    (b["text"].as_str().unwrap_or("").to_string(), what)
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_vote_is_counted_once_a_day_and_the_card_thanks_without_the_vote_buttons() {
    let h = Harness::new().await;
    let admins = [("BOT_ADMINS", USER.to_string())];
    let (bot, engine, _) = h.start_with(h.config_with(false, &admins)).await;
    let card = h.ask("/contact VM").await;
    let message_id = h.api.ok_calls("sendMessage").len() as i64;
    let before = labelled(&card);
    let vote_row = vec![
        ("👍 Palīdzēja".to_string(), "vu:c:vm".to_string()),
        ("👎 Nepalīdzēja".to_string(), "vd:c:vm".to_string()),
    ];
    assert!(before.contains(&vote_row), "{before:?}");

    press_and_settle(&h, message_id, "vu:c:vm").await;
    let thanked = &edits(&h)[0].body;
    assert_eq!(thanked["message_id"], message_id);
    assert_eq!(
        text(thanked),
        format!(
            "{}\n\nPaldies par jūsu vērtējumu! Tas palīdz saprast, kas šajā informācijā \
             jāuzlabo.",
            text(&card)
        )
    );
    // Exactly the two vote buttons are gone.
    let expected: Vec<_> = before.into_iter().filter(|row| *row != vote_row).collect();
    assert_eq!(labelled(thanked), expected);

    // The same person, the same card, the same day, from another copy of the card: thanked,
    // held back.
    h.ask("/contact veselības ministrija").await;
    let second = h.api.ok_calls("sendMessage").len() as i64;
    press_and_settle(&h, second, "vd:c:vm").await;
    let repeated = &edits(&h)[1].body;
    assert_eq!(repeated["message_id"], second);
    assert!(
        text(repeated)
            .ends_with("Šodien jūs šo jau novērtējāt; vienā dienā ieskaitām vienu vērtējumu."),
        "{}",
        text(repeated)
    );
    // Someone else's 👎 on the same card, and the first person's on a lesson, count.
    let other = USER + 1;
    h.api.private_text(other, Some("lv"), "/contact VM");
    h.api
        .wait_until(10, "the other card", |api| !api.sent_to(other).is_empty())
        .await;
    h.api
        .press(other, h.api.ok_calls("sendMessage").len() as i64, "vd:c:vm");
    h.ask("/lessons 3").await;
    let lesson = h.api.ok_calls("sendMessage").len() as i64;
    press_and_settle(&h, lesson, "vd:l:3").await;
    h.api
        .wait_until(10, "four edits", |api| {
            api.ok_calls("editMessageText").len() == 4
        })
        .await;
    // The operator sees it in /stats: the card with the most 👎 first.
    engine.flush_stats().await.unwrap();
    let stats = h.ask("/stats 1").await;
    let table = text(&stats);
    let (vm, lesson) = (
        "    1 👎     1 👍  ministry vm",
        "    1 👎     0 👍  lesson 3",
    );
    assert!(table.contains("Did this help?"), "{table}");
    assert!(table.contains(vm) && table.contains(lesson), "{table}");
    bot.stop().await;

    // And in a terminal, `lidzdaliba-bot stats`.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lidzdaliba-bot"))
        .args(["stats", "--days", "1"])
        .env_clear()
        .env("DATABASE_URL", &h.db_url)
        .env("CONTENT_DIR", &h.content)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains(vm) && printed.contains(lesson),
        "{printed}"
    );

    let report = lidzdaliba_bot::stats::Report::load(engine.store(), 1)
        .await
        .unwrap();
    let count = |metric: &str, key: &str| {
        report
            .totals
            .get(metric)
            .and_then(|keys| keys.iter().find(|(k, _)| k == key))
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(count("vote_up", "c-vm"), 1);
    assert_eq!(count("vote_down", "c-vm"), 1, "{:?}", report.totals);
    assert_eq!(count("vote_down", "l-3"), 1);
    assert_eq!(count("request", "button:vote"), 4);
    assert_nothing_rejected(&h.api);
}

/// A vote for a card the content no longer has is answered with a fresh menu and not counted.
#[tokio::test]
async fn a_vote_on_a_card_that_is_gone_counts_nothing() {
    let app = spawn_engine().await;
    let reply = app.press("vu:c:zz_gone").await;
    assert!(reply.text.contains("vairs nav aktuāla"), "{}", reply.text);
    let thanked = app.press("vu:l:3").await;
    assert!(thanked.text.contains("Paldies"), "{}", thanked.text);
    assert!(
        !lidzdaliba_bot::engine::Action::decode("vu:l:3").is_some_and(|vote| thanked
            .buttons
            .iter()
            .flatten()
            .any(|b| matches!(b, Button::Action { action, .. } if *action == vote)))
    );
    app.engine.flush_stats().await.unwrap();
    let report = lidzdaliba_bot::stats::Report::load(&app.store, 1)
        .await
        .unwrap();
    assert_eq!(report.totals["vote_up"], vec![("l-3".to_string(), 1)]);
}

//! Notifications (TAP alerts) through the running application: the same queues and rate
//! limits as replies, below them; a chat that refuses one with 403 loses its TAP follows.

use std::time::Duration;

use lidzdaliba_bot::engine::Reply;
use lidzdaliba_bot::ids::ChatId;
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::store::Store;
use lidzdaliba_bot::tap::{Db, Target};

use crate::fake_api::{FakeApi, Fault};
use crate::helpers::spawn_app;
use crate::telegram::Harness;

/// A notification as the TAP alerts will be: one message of text, no buttons.
fn notice(text: &str) -> Reply {
    Reply {
        text: lidzdaliba_bot::render::Html::text(text),
        buttons: Vec::new(),
        placement: lidzdaliba_bot::engine::Placement::New,
        lang: Lang::Lv,
        image: None,
        alerts: Vec::new(),
    }
}

fn notice_text(chat: i64) -> String {
    format!("TAP: jaunas apspriešanas ({chat})")
}

/// The texts of the messages the bot got through to `chat`.
fn texts_to(api: &FakeApi, chat: i64) -> Vec<String> {
    api.sent_to(chat)
        .iter()
        .map(|body| body["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Notices to 150 chats (some queued before the bot runs, the rest while 20 users write, five
/// of the chats having blocked the bot) with `BOT_THROTTLE=on`: every user gets their reply,
/// every notice arrives exactly once, a blocked chat is tried once and its TAP follows are
/// gone, and the other followers keep theirs.
#[tokio::test]
async fn notices_reach_every_chat_once_beside_the_replies_and_a_403_ends_the_follows() {
    let h = Harness::new().await;
    let config = h.config_with(true, &[("TAP_SYNC_INTERVAL", "off".into())]);
    // The follows are stored before the bot runs: the 403s among the first notices end them.
    let store = Store::open(&h.db_url).await.unwrap();
    let tap = Db::new(store.pool().clone());
    let chats: Vec<i64> = (0..150).map(|k| 8_000 + k).collect();
    let blocked: Vec<i64> = chats[..5].to_vec();
    let kept = chats[10];
    for chat in blocked.iter().chain([&kept]) {
        tap.follow(ChatId(*chat), &Target::Ministry("vm".into()))
            .await
            .unwrap();
        tap.follow(ChatId(*chat), &Target::Area("veseliba".into()))
            .await
            .unwrap();
    }
    for chat in &blocked {
        h.api.fail_next_for(
            "sendMessage",
            *chat,
            Fault::Telegram(403, "Forbidden: bot was blocked by the user"),
        );
    }
    let mut notifier = None;
    let app = spawn_app(&config, |settings| {
        settings.poll_timeout = 1;
        // Before the bot runs: they wait for it.
        for chat in &chats[..50] {
            assert!(
                settings
                    .notifier
                    .notify(ChatId(*chat), notice(&notice_text(*chat)))
            );
        }
        notifier = Some(settings.notifier.clone());
    })
    .await;
    let notifier = notifier.expect("the runtime's notifier");
    let users: Vec<i64> = (0..20).map(|k| 9_000 + k).collect();
    for (k, chat) in chats[50..].iter().enumerate() {
        assert!(notifier.notify(ChatId(*chat), notice(&notice_text(*chat))));
        if let Some(user) = users.get(k / 4)
            && k % 4 == 0
        {
            h.api.private_text(*user, Some("lv"), "/about");
        }
    }
    let delivered = |api: &FakeApi| {
        users.iter().all(|user| !api.sent_to(*user).is_empty())
            && chats[5..].iter().all(|chat| !api.sent_to(*chat).is_empty())
    };
    h.api
        .wait_until(60, "every reply and every notice", delivered)
        .await;
    // A moment for anything sent twice to show.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.stop().await;

    for user in &users {
        let texts = texts_to(&h.api, *user);
        assert_eq!(texts.len(), 1, "user {user}: {texts:?}");
        assert!(texts[0].contains("Par botu"), "user {user}: {texts:?}");
    }
    for chat in &chats[5..] {
        assert_eq!(
            texts_to(&h.api, *chat),
            vec![notice_text(*chat)],
            "chat {chat}"
        );
    }
    for chat in &blocked {
        let calls: Vec<u16> = h
            .api
            .all_calls("sendMessage")
            .iter()
            .filter(|c| c.body["chat_id"] == *chat)
            .map(|c| c.status)
            .collect();
        assert_eq!(calls, vec![403], "chat {chat} is tried once");
        assert!(
            tap.follows(ChatId(*chat)).await.unwrap().is_empty(),
            "chat {chat} follows nothing any more"
        );
    }
    assert_eq!(
        tap.follows(ChatId(kept)).await.unwrap().len(),
        2,
        "the others keep theirs"
    );
}

/// In webhook mode the notifier sends through the same runtime.
#[tokio::test]
async fn notices_go_out_in_webhook_mode_too() {
    let h = Harness::new().await;
    let port = crate::telegram::free_port();
    let config = h.config_with(
        false,
        &[
            ("TAP_SYNC_INTERVAL", "off".into()),
            ("WEBHOOK_URL", format!("http://127.0.0.1:{port}/hook")),
            ("WEBHOOK_SECRET", "notice-secret".into()),
            ("WEBHOOK_LISTEN", format!("127.0.0.1:{port}")),
        ],
    );
    let mut notifier = None;
    let app = spawn_app(&config, |settings| {
        notifier = Some(settings.notifier.clone())
    })
    .await;
    let notifier = notifier.expect("the runtime's notifier");
    h.api
        .wait_until(10, "setWebhook", |api| {
            !api.ok_calls("setWebhook").is_empty()
        })
        .await;
    let chats = [8_101, 8_102, 8_103];
    for chat in chats {
        assert!(
            notifier
                .clone()
                .notify(ChatId(chat), notice(&notice_text(chat)))
        );
    }
    h.api
        .wait_until(10, "the notices", |api| {
            chats.iter().all(|chat| !api.sent_to(*chat).is_empty())
        })
        .await;
    app.stop().await;
    for chat in chats {
        assert_eq!(texts_to(&h.api, chat), vec![notice_text(chat)]);
    }
}

//! No chat can stall the others: floods, per-chat 429s, graceful stops with queued updates,
//! and the webhook through the same queues, end to end against the fake Bot API.

use std::time::{Duration, Instant};

use lidzdaliba_bot::bot;
use serde_json::{Value, json};

use crate::fake_api::{FakeApi, Fault};
use crate::telegram::{Harness, USER, assert_nothing_rejected, signal, text, wait_exit};

const NOTICE_LV: &str = "pārāk daudz ziņu";

fn notices(sent: &[Value]) -> usize {
    sent.iter().filter(|m| text(m).contains(NOTICE_LV)).count()
}

/// Private messages from `users`, one each, and a wait until each has a reply.
async fn all_answered(api: &FakeApi, users: &[i64], secs: u64) {
    api.wait_until(secs, "a reply to every user", |api| {
        users.iter().all(|u| !api.sent_to(*u).is_empty())
    })
    .await;
}

#[tokio::test]
async fn one_flooding_user_does_not_hold_up_fifty_others() {
    let h = Harness::new().await;
    let (bot, engine, _) = h.start_with(h.config(true)).await; // BOT_THROTTLE=on
    h.ask("/start").await; // connected and polling
    let flooder = USER + 1_000;
    let flood: Vec<i64> = (0..300)
        .map(|_| h.api.private_text(flooder, Some("lv"), "/help"))
        .collect();
    let last = *flood.last().unwrap();
    h.api
        .wait_until(10, "the flood handed out", |api| {
            api.times_handed_out(last) > 0
        })
        .await;
    let started = Instant::now();
    let others: Vec<i64> = (0..50).map(|k| 70_000 + k).collect();
    for user in &others {
        h.api.private_text(*user, Some("lv"), "/start");
    }
    all_answered(&h.api, &others, 10).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "50 others answered in {took:?}"
    );
    for user in &others {
        assert_eq!(h.api.sent_to(*user).len(), 1);
    }

    // The flooder: answered at one message a second, one notice, the backlog capped at the
    // newest BOT_CHAT_BACKLOG (20) updates, the older ones gone from the inbox too.
    h.api
        .wait_until(10, "the notice", |api| notices(&api.sent_to(flooder)) == 1)
        .await;
    let replies = h.api.sent_to(flooder).len();
    assert!(replies <= 4, "{replies} replies to the flooder so far");
    // Once the turns in progress are over, only the flooder's newest updates wait.
    let inbox = engine.store().inbox();
    let deadline = Instant::now() + Duration::from_secs(5);
    let waiting = loop {
        let ids = inbox.waiting().await.unwrap().ids();
        if ids.iter().all(|id| flood.contains(id)) || Instant::now() > deadline {
            break ids;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        waiting.len() <= 20,
        "{} updates wait in the inbox: {waiting:?}",
        waiting.len()
    );
    let newest = &flood[flood.len() - 20..];
    assert!(
        waiting.iter().all(|id| newest.contains(id)),
        "only the newest wait: {waiting:?}"
    );
    bot.stop().await;
    assert_eq!(notices(&h.api.sent_to(flooder)), 1, "one notice only");
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn a_flooder_gets_one_notice_and_answers_to_what_they_asked_last() {
    let h = Harness::new().await;
    let config = h.config_with(true, &[("BOT_CHAT_BACKLOG", "3".into())]);
    let (bot, engine, _) = h.start_with(config).await;
    h.ask("/start").await;
    let flooder = USER + 2_000;
    for i in 0..30 {
        h.api
            .private_text(flooder, Some("lv"), &format!("/lessons {}", i % 9 + 1));
    }
    h.api.private_text(flooder, Some("lv"), "/about");
    h.api
        .wait_until(20, "the answer to the last message", |api| {
            api.sent_to(flooder)
                .last()
                .is_some_and(|m| text(m).contains("Par botu"))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    bot.stop().await;
    let sent = h.api.sent_to(flooder);
    assert_eq!(notices(&sent), 1, "{sent:#?}");
    // The first message or two before the backlog filled, the notice, the newest three.
    assert!(sent.len() <= 3 + 3, "{} replies: {sent:#?}", sent.len());
    // The newest three: lessons 2 and 3 (messages 29 and 30), then /about.
    let last_three: Vec<&str> = sent[sent.len() - 3..].iter().map(text).collect();
    assert!(last_three[0].contains("2. nodarbība"), "{last_three:?}");
    assert!(last_three[1].contains("3. nodarbība"), "{last_three:?}");
    assert!(last_three[2].contains("Par botu"), "{last_three:?}");
    assert!(
        engine.store().inbox().is_empty().await.unwrap(),
        "answered and dropped updates are gone from the inbox"
    );
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn a_429_for_one_chat_pauses_that_chat_only_and_its_buttons_are_still_acknowledged() {
    let h = Harness::new().await;
    let bot = h.start(true).await;
    h.ask("/start").await; // USER's chat has the menu as message 1
    h.api
        .fail_next_for("sendMessage", USER, Fault::RetryAfter(20));
    let paused_at = Instant::now();
    h.api.private_text(USER, Some("lv"), "/help");
    h.api
        .wait_until(10, "the 429", |api| {
            api.all_calls("sendMessage").iter().any(|c| c.status == 429)
        })
        .await;
    let started = Instant::now();
    let others: Vec<i64> = (0..20).map(|k| 80_000 + k).collect();
    for user in &others {
        h.api.private_text(*user, Some("lv"), "/start");
    }
    all_answered(&h.api, &others, 10).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "20 others answered in {took:?}"
    );

    // A button in the paused chat: acknowledged at once, its edit waits for the chat.
    let (_, query) = h.api.press(USER, 1, "ls");
    h.api
        .wait_until(3, "the acknowledgement", |api| {
            api.ok_calls("answerCallbackQuery")
                .iter()
                .any(|c| c["callback_query_id"] == query.as_str())
        })
        .await;
    assert!(h.api.ok_calls("editMessageText").is_empty());
    assert_eq!(h.api.sent_to(USER).len(), 1, "the chat is still paused");

    h.api
        .wait_until(30, "the paused reply and the edit", |api| {
            api.sent_to(USER).len() == 2 && !api.ok_calls("editMessageText").is_empty()
        })
        .await;
    let waited = paused_at.elapsed();
    bot.stop().await;
    assert!(
        waited >= Duration::from_millis(19_500),
        "retry_after was obeyed: {waited:?}"
    );
    assert!(text(&h.api.sent_to(USER)[1]).contains("/lessons"));
    // /start, the 429 on /help, /help once.
    let statuses: Vec<u16> = h
        .api
        .all_calls("sendMessage")
        .iter()
        .filter(|c| c.body["chat_id"] == USER)
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, vec![200, 429, 200]);
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn a_429_on_a_request_for_no_chat_or_for_several_chats_pauses_every_request() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;

    // answerInlineQuery is for no chat: a 429 there makes every request wait.
    h.api.fail_next("answerInlineQuery", Fault::RetryAfter(2));
    h.api.inline_query(USER, "lv", "veselība");
    h.api
        .wait_until(10, "the inline 429", |api| {
            api.all_calls("answerInlineQuery")
                .iter()
                .any(|c| c.status == 429)
        })
        .await;
    let closed_at = Instant::now();
    let other = USER + 3_000;
    h.api.private_text(other, Some("lv"), "/help");
    h.api
        .wait_until(10, "the other chat's reply", |api| {
            !api.sent_to(other).is_empty()
        })
        .await;
    let waited = closed_at.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "the whole bot waited: {waited:?}"
    );
    h.api
        .wait_until(10, "the inline answer", |api| {
            !api.ok_calls("answerInlineQuery").is_empty()
        })
        .await;

    // 429s for three chats within a few seconds: Telegram limits the bot, not a chat.
    let storm: Vec<i64> = (0..3).map(|k| 90_000 + k).collect();
    for user in &storm {
        h.api
            .fail_next_for("sendMessage", *user, Fault::RetryAfter(2));
        h.api.private_text(*user, Some("lv"), "/help");
    }
    h.api
        .wait_until(10, "three 429s", |api| {
            api.all_calls("sendMessage")
                .iter()
                .filter(|c| c.status == 429)
                .count()
                == 3
        })
        .await;
    let closed_at = Instant::now();
    let bystander = USER + 3_001;
    h.api.private_text(bystander, Some("lv"), "/help");
    h.api
        .wait_until(10, "the bystander's reply", |api| {
            !api.sent_to(bystander).is_empty()
        })
        .await;
    let waited = closed_at.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "the whole bot waited: {waited:?}"
    );
    all_answered(&h.api, &storm, 10).await;
    bot.stop().await;
    for user in storm {
        assert_eq!(h.api.sent_to(user).len(), 1, "answered once");
    }
}

/// SIGTERM while chats wait for their turn (1 message a second each): the binary stops at
/// once, the waiting updates stay in the inbox, and after a restart every chat gets the rest
/// of its answers, in order, none twice.
#[tokio::test]
async fn sigterm_with_queued_updates_stops_at_once_and_a_restart_answers_the_rest_once() {
    let h = Harness::new().await;
    let log = h.content.with_file_name("sigterm.log");
    let throttle = [("BOT_THROTTLE", "on".to_string())];
    let child = h.spawn_binary(&throttle, &log);
    h.ask("/start").await;
    let users: Vec<i64> = (0..5).map(|k| 60_000 + k).collect();
    for lesson in 1..=4 {
        for user in &users {
            h.api
                .private_text(*user, Some("lv"), &format!("/lessons {lesson}"));
        }
    }
    all_answered(&h.api, &users, 10).await;
    let stopping = Instant::now();
    signal(&child, "TERM");
    let status = wait_exit(child, 15).await;
    let took = stopping.elapsed();
    let first_log = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status:?}\n{first_log}");
    assert!(
        took < Duration::from_secs(5),
        "stopped in {took:?}\n{first_log}"
    );
    assert!(first_log.contains("update offset confirmed"), "{first_log}");
    let before: usize = users.iter().map(|u| h.api.sent_to(*u).len()).sum();
    assert!(
        before < 20,
        "some updates were still waiting ({before} answered)"
    );
    assert_eq!(
        h.inbox().await.len(),
        20 - before,
        "what was not answered waits in the inbox"
    );

    let child = h.spawn_binary(&throttle, &h.content.with_file_name("restart.log"));
    h.api
        .wait_until(30, "every lesson answered", |api| {
            users.iter().all(|u| api.sent_to(*u).len() >= 4)
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    signal(&child, "TERM");
    assert!(wait_exit(child, 15).await.success());
    for user in &users {
        let lessons: Vec<String> = h
            .api
            .sent_to(*user)
            .iter()
            .map(|m| text(m).to_string())
            .collect();
        assert_eq!(lessons.len(), 4, "each answered once: {lessons:#?}");
        for (k, reply) in lessons.iter().enumerate() {
            assert!(
                reply.contains(&format!("{}. nodarbība", k + 1)),
                "in order: {lessons:#?}"
            );
        }
    }
    assert!(h.inbox().await.is_empty());
}

/// A flood of 10,000 messages from one user: memory stays flat, the backlog and the inbox
/// stay at the cap, the dropped updates are counted in /metrics.
#[tokio::test]
async fn memory_stays_flat_under_a_flood_of_ten_thousand_messages() {
    let h = Harness::new().await;
    let port = crate::telegram::free_port();
    let log = h.content.with_file_name("flood.log");
    let child = h.spawn_binary(
        &[
            ("BOT_THROTTLE", "on".into()),
            ("RUST_LOG", "warn".into()),
            ("HEALTH_LISTEN", format!("127.0.0.1:{port}")),
        ],
        &log,
    );
    let pid = child.id();
    h.ask("/start").await;
    let flood = |user: i64, count: usize| {
        let mut last = 0;
        for i in 0..count {
            last = h
                .api
                .private_text(user, Some("lv"), &format!("/lessons {}", i % 9 + 1));
        }
        last
    };
    let handed_out = |last: i64| {
        let api = h.api.clone();
        async move {
            api.wait_until(60, "the flood taken in", |api| api.confirmed() > last)
                .await;
        }
    };
    // A first flood warms the allocator up; the second is twenty times larger.
    let last = flood(USER + 1, 500);
    handed_out(last).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let warm = rss_kib(pid);
    let last = flood(USER + 2, 10_000);
    handed_out(last).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = rss_kib(pid);
    let waiting = h.inbox().await.len();
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    signal(&child, "TERM");
    let status = wait_exit(child, 15).await;
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{log}");
    eprintln!("flood: RSS {warm} KiB after 500, {after} KiB after 10,000 more");
    assert!(
        after <= warm + 4 * 1024,
        "RSS grew from {warm} KiB to {after} KiB"
    );
    assert!(waiting <= 2 * 21, "{waiting} updates in the inbox");
    let dropped: f64 = metrics
        .lines()
        .find(|l| l.starts_with("bot_updates_dropped_total{reason=\"backlog\"}"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no dropped counter in:\n{metrics}"));
    assert!(dropped >= 10_500.0 - 2.0 * 25.0, "{dropped} dropped");
    assert_eq!(notices(&h.api.sent_to(USER + 2)), 1);
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Webhook mode through the same queues: Telegram gets its 200 once the update is in the
/// inbox, before the reply; a paused chat holds up no one; a flood is capped.
#[tokio::test]
async fn the_webhook_answers_at_once_and_hands_updates_to_the_same_queues() {
    let h = Harness::new().await;
    let port = crate::telegram::free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let config = h.config_with(
        true,
        &[
            ("WEBHOOK_URL", url.clone()),
            ("WEBHOOK_SECRET", "fair-secret".into()),
            ("WEBHOOK_LISTEN", format!("127.0.0.1:{port}")),
            ("BOT_CHAT_BACKLOG", "3".into()),
        ],
    );
    let engine = lidzdaliba_bot::app::build_engine(&config).await.unwrap();
    let settings = bot::Settings::from_config(&config).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(bot::run(settings, std::sync::Arc::clone(&engine), stopped));
    h.api
        .wait_until(10, "setWebhook", |api| {
            !api.ok_calls("setWebhook").is_empty()
        })
        .await;
    let client = reqwest::Client::new();
    let mut next_id = 1;
    let mut post = async |user: i64, text: &str| {
        next_id += 1;
        let update = json!({"update_id": next_id, "message": {
            "message_id": next_id, "date": 1_700_000_000,
            "chat": {"id": user, "type": "private", "first_name": "T"},
            "from": {"id": user, "is_bot": false, "first_name": "T", "language_code": "lv"},
            "text": text
        }});
        for _ in 0..100 {
            let sent = client
                .post(&url)
                .header("X-Telegram-Bot-Api-Secret-Token", "fair-secret")
                .json(&update)
                .send()
                .await;
            if let Ok(response) = sent {
                return (next_id, response.status().as_u16());
            }
            tokio::time::sleep(Duration::from_millis(50)).await; // not listening yet
        }
        panic!("the webhook does not answer");
    };

    let paused = USER;
    h.api
        .fail_next_for("sendMessage", paused, Fault::RetryAfter(3));
    let started = Instant::now();
    let (id, status) = post(paused, "/help").await;
    assert_eq!(status, 200);
    h.api
        .wait_until(10, "the 429", |api| {
            api.all_calls("sendMessage").iter().any(|c| c.status == 429)
        })
        .await;
    assert_eq!(
        h.inbox().await,
        vec![id],
        "the update is in the inbox while its chat is paused"
    );
    let other = USER + 1;
    let (_, status) = post(other, "/start").await;
    assert_eq!(status, 200);
    h.api
        .wait_until(3, "the other chat's reply", |api| {
            !api.sent_to(other).is_empty()
        })
        .await;
    assert!(h.api.sent_to(paused).is_empty());
    assert!(started.elapsed() < Duration::from_millis(2500));

    // A flood through the webhook: capped at 3, one notice.
    let flooder = USER + 2;
    for i in 0..12 {
        let (_, status) = post(flooder, &format!("/lessons {}", i % 9 + 1)).await;
        assert_eq!(status, 200);
    }
    h.api
        .wait_until(15, "the paused reply and the flood's answers", |api| {
            api.sent_to(paused).len() == 1
                && api
                    .sent_to(flooder)
                    .last()
                    .is_some_and(|m| text(m).contains("3. nodarbība"))
        })
        .await;
    assert!(started.elapsed() >= Duration::from_millis(2900));
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("stops")
        .unwrap()
        .unwrap();
    let flood = h.api.sent_to(flooder);
    assert_eq!(notices(&flood), 1, "{flood:#?}");
    assert!(flood.len() <= 3 + 3, "{} replies", flood.len());
    assert!(h.inbox().await.is_empty());
    assert_nothing_rejected(&h.api);
}

//! Faults of the Bot API, through the fake server: each must end with every update answered
//! once, within a bounded time, and the bot still running.

use std::time::{Duration, Instant};

use crate::fake_api::Fault;
use crate::telegram::{Harness, USER, signal, text, wait_exit};

/// Every Bot API method the bot calls in polling mode but `sendPhoto` (an admin's chart:
/// `ops::statistics_are_aggregate_and_shown_to_admins_with_a_chart`).
const METHODS: [&str; 12] = [
    "getMe",
    "setMyCommands",
    "deleteWebhook",
    "getMyDescription",
    "setMyDescription",
    "getMyShortDescription",
    "setMyShortDescription",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "answerCallbackQuery",
    "answerInlineQuery",
];

/// Starts the bot with `fault` queued once for every method, then uses every method: the
/// menu, a button, an inline query, and the profile (set at start).
async fn every_method_once_with(fault: Fault) -> (Harness, Duration) {
    let h = Harness::new().await;
    for method in METHODS {
        h.api.fail_next(method, fault.clone());
    }
    let bot = h.start(true).await;
    let started = Instant::now();
    let menu = h.ask("/start").await;
    assert!(text(&menu).contains("Sveiki"));
    h.api.press(USER, 1, "ls");
    h.api.inline_query(USER, "lv", "veselība");
    h.api
        .wait_until(30, "the edit, the inline answer and the profile", |api| {
            !api.ok_calls("editMessageText").is_empty()
                && !api.ok_calls("answerInlineQuery").is_empty()
                && api.ok_calls("setMyDescription").len() == 2
                && api.ok_calls("setMyShortDescription").len() == 2
        })
        .await;
    let took = started.elapsed();
    bot.stop().await;
    (h, took)
}

/// A 5xx with an HTML body on every method is retried after a short backoff, not after the
/// 10 s that teloxide's own client sleeps inside such a request.
#[tokio::test]
async fn a_502_on_every_method_is_retried_at_once() {
    let (h, took) = every_method_once_with(Fault::Status(502, "<html>Bad Gateway</html>")).await;
    for method in METHODS {
        let calls = h.api.all_calls(method);
        assert!(
            calls.iter().any(|c| c.status == 502),
            "{method}: no 502 seen"
        );
        assert!(
            calls.iter().any(|c| c.status == 200),
            "{method}: never succeeded"
        );
    }
    assert_eq!(h.api.sent_to(USER).len(), 1, "the menu was sent once");
    assert!(
        took < Duration::from_secs(10),
        "a 10 s sleep somewhere: {took:?}"
    );
}

#[tokio::test]
async fn a_429_on_every_method_is_waited_out() {
    let (h, took) = every_method_once_with(Fault::RetryAfter(1)).await;
    for method in METHODS {
        let calls = h.api.all_calls(method);
        assert!(
            calls.iter().any(|c| c.status == 429),
            "{method}: no 429 seen"
        );
        assert!(
            calls.iter().any(|c| c.status == 200),
            "{method}: never succeeded"
        );
    }
    assert_eq!(h.api.sent_to(USER).len(), 1, "the menu was sent once");
    assert_eq!(h.api.ok_calls("answerCallbackQuery").len(), 1);
    assert!(took < Duration::from_secs(30));
}

#[tokio::test]
async fn malformed_truncated_and_dropped_answers_are_retried() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    h.api.fail_next("sendMessage", Fault::MalformedJson);
    h.api.fail_next("sendMessage", Fault::Drop);
    h.api.fail_next("getUpdates", Fault::Drop);
    h.api.fail_next("getUpdates", Fault::MalformedJson);
    let started = Instant::now();
    let reply = h.ask("/help").await;
    let took = started.elapsed();
    bot.stop().await;
    assert!(text(&reply).contains("/lessons"));
    let statuses: Vec<u16> = h
        .api
        .all_calls("sendMessage")
        .iter()
        .map(|c| c.status)
        .collect();
    assert!(
        statuses.contains(&299) && statuses.contains(&298),
        "{statuses:?}"
    );
    assert_eq!(h.api.sent_to(USER).len(), 2, "each update answered once");
    assert!(took < Duration::from_secs(10), "recovered in {took:?}");
}

#[tokio::test]
async fn a_502_with_an_html_body_on_send_message_is_retried() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    h.api.fail_next(
        "sendMessage",
        Fault::Status(502, "<html><body>Bad Gateway</body></html>"),
    );
    let started = Instant::now();
    h.api.private_text(USER, Some("lv"), "/about");
    h.api
        .wait_until(25, "the reply after the 502", |api| {
            api.sent_to(USER).len() == 2
        })
        .await;
    let took = started.elapsed();
    bot.stop().await;
    assert!(text(&h.api.sent_to(USER)[1]).contains("Par botu"));
    assert_eq!(
        h.api
            .all_calls("sendMessage")
            .iter()
            .filter(|c| c.status == 502)
            .count(),
        1
    );
    // No call goes through teloxide's client, which waited 10 s after any 5xx: the retry
    // follows the 100 ms backoff.
    assert!(took < Duration::from_secs(3), "recovered in {took:?}");
}

#[tokio::test]
async fn a_batch_handed_out_twice_is_answered_once() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    h.api.fail_next("getUpdates", Fault::Replay);
    h.api.fail_next("getUpdates", Fault::Replay);
    let reply = h.ask("/help").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.stop().await;
    assert!(text(&reply).contains("/lessons"));
    let replays = h.api.all_calls("getUpdates").len();
    assert!(replays >= 3);
    assert_eq!(h.api.sent_to(USER).len(), 2, "no update answered twice");
}

#[tokio::test]
async fn the_token_never_appears_in_logs_even_at_trace_level() {
    let h = Harness::new().await;
    h.api.fail_next("sendMessage", Fault::Drop);
    h.api
        .fail_next("getUpdates", Fault::Status(500, "<html>oops</html>"));
    let log_path = h.content.with_file_name("trace.log");
    let child = h.spawn_binary(&[("RUST_LOG", "trace".into())], &log_path);
    h.api.private_text(USER, Some("lv"), "/start");
    h.api
        .wait_until(30, "the reply", |api| api.sent_to(USER).len() == 1)
        .await;
    signal(&child, "TERM");
    wait_exit(child, 15).await;
    let output = String::from_utf8_lossy(&std::fs::read(&log_path).unwrap()).to_string();
    assert!(
        output.len() > 1000,
        "trace logging is on: {} bytes",
        output.len()
    );
    let secret = crate::fake_api::TOKEN.split(':').nth(1).unwrap();
    assert!(!output.contains(secret), "the token leaked into the log");
}

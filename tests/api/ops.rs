//! Operating the bot: webhook mode, health and metrics, live content reload, admins,
//! statistics and privacy.

use std::sync::Arc;
use std::time::Duration;

use lidzdaliba_bot::engine::{ChatKind, Input, Request};
use lidzdaliba_bot::health::{self, Health};
use lidzdaliba_bot::ids::UserId;
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::stats::{Report, metric};
use serde_json::json;
use tokio::sync::watch;

use crate::fake_api::{BOT_USERNAME, TOKEN};
use crate::helpers::{edit, spawn_app, spawn_engine};
use crate::telegram::{Harness, USER, assert_nothing_rejected, text};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn update(id: i64, text: &str) -> serde_json::Value {
    json!({"update_id": id, "message": {
        "message_id": id, "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private", "first_name": "T"},
        "from": {"id": USER, "is_bot": false, "first_name": "T", "language_code": "lv"},
        "text": text
    }})
}

#[tokio::test]
async fn webhook_mode_registers_the_secret_and_rejects_requests_without_it() {
    let h = Harness::new().await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/telegram/hook");
    let config = h.config_with(
        false,
        &[
            ("WEBHOOK_URL", url.clone()),
            ("WEBHOOK_SECRET", "s3cret-Token_1".into()),
            ("WEBHOOK_LISTEN", format!("127.0.0.1:{port}")),
            // On the webhook's address: the application serves both on one server.
            ("HEALTH_LISTEN", format!("127.0.0.1:{port}")),
        ],
    );
    let app = spawn_app(&config, |_| {}).await;
    h.api
        .wait_until(10, "setWebhook", |api| {
            !api.ok_calls("setWebhook").is_empty()
        })
        .await;
    let registered = &h.api.ok_calls("setWebhook")[0];
    assert_eq!(registered["url"], url);
    assert_eq!(registered["secret_token"], "s3cret-Token_1");
    assert!(
        h.api.ok_calls("getUpdates").is_empty(),
        "no polling in webhook mode"
    );

    let client = reqwest::Client::new();
    // Wait until the server listens.
    let mut ready = false;
    for _ in 0..100 {
        if client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the webhook server listens");
    let post = |secret: Option<&'static str>, body: serde_json::Value| {
        let mut request = client.post(&url).json(&body);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request.send()
    };
    let missing = post(None, update(1, "/help")).await.unwrap();
    let wrong = post(Some("s3cret-Token_2"), update(2, "/help"))
        .await
        .unwrap();
    let right = post(Some("s3cret-Token_1"), update(3, "/contact VM"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(wrong.status(), 401);
    assert_eq!(right.status(), 200);
    // The webhook answers once the update is queued; the reply follows from the queue.
    h.api
        .wait_until(10, "the reply", |api| !api.sent_to(USER).is_empty())
        .await;
    // A sentinel from another chat after it: once that is answered, the rejected requests
    // would have been too.
    let other = USER + 1;
    let mut sentinel = update(4, "/help");
    sentinel["message"]["chat"]["id"] = json!(other);
    sentinel["message"]["from"]["id"] = json!(other);
    assert_eq!(
        post(Some("s3cret-Token_1"), sentinel)
            .await
            .unwrap()
            .status(),
        200
    );
    h.api
        .wait_until(10, "the sentinel's reply", |api| {
            !api.sent_to(other).is_empty()
        })
        .await;
    let sent = h.api.sent_to(USER);
    assert_eq!(
        sent.len(),
        1,
        "only the request with the secret is processed: {sent:#?}"
    );
    assert!(text(&sent[0]).contains("Veselības ministrija (VM)"));
    // /healthz rides on the same server.
    let health = client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    app.stop().await;
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn healthz_and_metrics_report_content_and_bot_api_contact() {
    // The recorder is installed before anything is counted, as `run` does.
    let _ = health::prometheus();
    let h = Harness::new().await;
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let config = h.config_with(false, &[("HEALTH_LISTEN", addr.to_string())]);
    let bot = spawn_app(&config, |settings| settings.poll_timeout = 1).await;
    let engine = Arc::clone(&bot.engine);
    h.ask("/contact veselība").await;
    h.ask("qqqxxzz").await;
    // A vote on the card (message 1), and "Main menu" pressed on the main menu (message 3),
    // which makes no edit.
    h.api.press(crate::telegram::USER, 1, "vu:a:veseliba");
    h.ask("/start").await;
    h.api.press(crate::telegram::USER, 3, "m");
    h.ask("/help").await;
    assert_eq!(h.api.all_calls("editMessageText").len(), 1);
    // A report of a mistake, counted by its outcome.
    let before = h.api.sent_to(USER).len();
    h.api.press(USER, 1, "rp:a:veseliba");
    h.api
        .wait_until(10, "the prompt for a report", |api| {
            api.sent_to(USER).len() > before
        })
        .await;
    h.ask("Kļūda tālrunī").await;
    let client = reqwest::Client::new();
    let mut body = None;
    for _ in 0..100 {
        if let Ok(response) = client.get(format!("http://{addr}/healthz")).send().await {
            assert_eq!(response.status(), 200);
            body = Some(response.json::<serde_json::Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let body = body.expect("/healthz answers");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["lessons"], 10);
    assert_eq!(body["ministries"], 15);
    assert_eq!(body["content_hash"].as_str().unwrap().len(), 64);
    // Verification dates come only from `verified` in the content; the real content has
    // none yet (tests with dates: `checks::healthz_counts_come_from_verified_dates`).
    let contacts = body["contacts"].as_i64().unwrap();
    assert!(contacts > 0);
    let never = engine
        .store()
        .cached_content()
        .await
        .unwrap()
        .unwrap()
        .content
        .ministries
        .iter()
        .flat_map(|m| &m.contacts)
        .filter(|c| c.verified.is_none())
        .count();
    assert_eq!(body["contacts_never_verified"], never as i64);
    assert!(body.get("oldest_contact_verified").is_some(), "{body}");
    assert!(body.get("oldest_contact_checked").is_none(), "{body}");
    assert_eq!(body["signal"], "getUpdates", "{body}");
    assert!(body["seconds_since_signal"].as_u64().unwrap() <= 5);

    let metrics = client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "bot_updates_total",
        "bot_replies_total",
        "bot_handler_seconds_bucket",
        "lookups_unmatched_total",
        "bot_votes_total{vote=\"up\"}",
        "bot_edits_skipped_total",
        "bot_reports_total{outcome=\"filed\"}",
    ] {
        assert!(metrics.contains(name), "{name} missing in:\n{metrics}");
    }
    bot.stop().await;

    // A runtime that never reached the Bot API is unhealthy.
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let (stop, stopped) = watch::channel(false);
    let routes = health::router(engine, Arc::new(Health::default()));
    let server = tokio::spawn(health::serve(addr, routes, stopped));
    let mut status = 0;
    for _ in 0..100 {
        if let Ok(response) = client.get(format!("http://{addr}/healthz")).send().await {
            status = response.status().as_u16();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 503);
    let _ = stop.send(true);
    let _ = server.await;
}

/// `GET /healthz` at `addr`: the status code and the body (`None` while nothing listens).
async fn healthz(client: &reqwest::Client, addr: &str) -> Option<(u16, serde_json::Value)> {
    let response = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.unwrap()))
}

/// Polls `/healthz` at `addr` until `done` holds for its answer, up to `secs`; that answer.
async fn healthz_until(
    addr: &str,
    secs: u64,
    what: &str,
    done: impl Fn(u16, &serde_json::Value) -> bool,
) -> serde_json::Value {
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut last = None;
    while tokio::time::Instant::now() < deadline {
        if let Some((status, body)) = healthz(&client, addr).await {
            if done(status, &body) {
                return body;
            }
            last = Some((status, body));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/healthz never showed {what}; last answer: {last:?}");
}

/// Asks `/healthz` every 100 ms for `span`: every answer must be a 200 "ok" from `signal`.
async fn healthy_throughout(addr: &str, span: Duration, signal: &str) {
    let client = reqwest::Client::new();
    let end = tokio::time::Instant::now() + span;
    let mut asked = 0;
    while tokio::time::Instant::now() < end {
        let (status, body) = healthz(&client, addr).await.expect("/healthz answers");
        assert_eq!(status, 200, "unhealthy during a quiet period: {body}");
        assert_eq!(body["status"], "ok", "{body}");
        assert_eq!(body["signal"], signal, "{body}");
        asked += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(asked >= 10, "only {asked} answers");
}

/// The health limit in these tests; production uses `health::SIGNAL_LIMIT` (120 s).
const LIMIT: Duration = Duration::from_millis(2500);

#[tokio::test]
async fn polling_health_comes_from_get_updates_and_a_quiet_period_is_healthy() {
    let _ = health::prometheus();
    let h = Harness::new().await;
    let addr = format!("127.0.0.1:{}", free_port());
    let config = h.config_with(false, &[("HEALTH_LISTEN", addr.clone())]);
    let app = spawn_app(&config, |settings| {
        settings.poll_timeout = 1;
        settings.health = Arc::new(Health::new(LIMIT, Duration::from_millis(200)));
    })
    .await;
    let body = healthz_until(&addr, 10, "a healthy bot", |status, body| {
        status == 200 && body["status"] == "ok"
    })
    .await;
    assert_eq!(body["signal"], "getUpdates", "{body}");
    assert!(body.get("webhook").is_none(), "{body}");
    // Nobody writes for twice the limit: the long polls keep coming back empty, and that is
    // healthy.
    let polls = h.api.ok_calls("getUpdates").len();
    healthy_throughout(&addr, LIMIT * 2, "getUpdates").await;
    assert!(h.api.ok_calls("getUpdates").len() > polls + 2);
    assert!(h.api.sent_to(USER).is_empty(), "the period was quiet");

    // The Bot API fails every getUpdates: unhealthy once the limit has passed, not before.
    h.api.outage("getUpdates", true);
    let failing_since = std::time::Instant::now();
    let body = healthz_until(&addr, 10, "a 503", |status, _| status == 503).await;
    assert!(
        failing_since.elapsed() >= LIMIT - Duration::from_millis(1500),
        "unhealthy after {:?} only",
        failing_since.elapsed()
    );
    assert_eq!(body["status"], "bot api unreachable", "{body}");
    assert_eq!(body["signal"], "getUpdates", "{body}");
    assert!(
        body["seconds_since_signal"].as_u64().unwrap() >= 1,
        "{body}"
    );
    // It recovers by itself once the Bot API answers again.
    h.api.outage("getUpdates", false);
    healthz_until(&addr, 10, "a recovery", |status, _| status == 200).await;
    assert_eq!(h.ask("/help").await["chat_id"], USER, "and answers again");

    app.stop().await;
}

#[tokio::test]
async fn webhook_health_comes_from_get_webhook_info_and_a_quiet_period_is_healthy() {
    let _ = health::prometheus();
    let h = Harness::new().await;
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("http://{addr}/telegram/hook");
    let config = h.config_with(
        false,
        &[
            ("WEBHOOK_URL", url.clone()),
            ("WEBHOOK_SECRET", "s3cret".into()),
            ("WEBHOOK_LISTEN", addr.clone()),
            ("HEALTH_LISTEN", addr.clone()),
        ],
    );
    let every = Duration::from_millis(200);
    let app = spawn_app(&config, |settings| {
        settings.health = Arc::new(Health::new(LIMIT, every));
    })
    .await;
    let body = healthz_until(&addr, 10, "a healthy bot", |status, body| {
        status == 200 && body["status"] == "ok"
    })
    .await;
    assert_eq!(body["signal"], "getWebhookInfo", "{body}");
    assert_eq!(body["webhook"]["registered"], true, "{body}");
    assert_eq!(body["webhook"]["pending_update_count"], 0, "{body}");
    assert!(body["webhook"]["last_error_message"].is_null(), "{body}");

    // No update arrives for twice the limit (the old rule read that as down); the checks
    // keep the bot healthy.
    let checks = h.api.ok_calls("getWebhookInfo").len();
    healthy_throughout(&addr, LIMIT * 2, "getWebhookInfo").await;
    let during = h.api.ok_calls("getWebhookInfo").len() - checks;
    let expected = (LIMIT * 2).as_millis() / every.as_millis();
    assert!(
        during as u128 >= expected / 2 && during as u128 <= expected + 2,
        "{during} checks in {:?} at one per {every:?}",
        LIMIT * 2
    );
    assert!(h.api.ok_calls("getUpdates").is_empty(), "no polling");

    // Telegram cannot deliver: an error newer than the last delivered update, updates waiting.
    let now = lidzdaliba_bot::clock::unix_now();
    h.api
        .webhook_trouble(3, Some((now, "Connection timed out")));
    let body = healthz_until(&addr, 5, "failing deliveries", |status, _| status == 503).await;
    assert_eq!(body["status"], "webhook deliveries failing", "{body}");
    assert_eq!(body["webhook"]["pending_update_count"], 3, "{body}");
    assert_eq!(
        body["webhook"]["last_error_message"], "Connection timed out",
        "{body}"
    );
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "bot_webhook_pending_updates",
        "bot_webhook_last_error_age_seconds",
        "bot_webhook_last_error{message=\"Connection timed out\"} 1",
    ] {
        assert!(metrics.contains(name), "{name} missing in:\n{metrics}");
    }
    // Telegram delivered since then (the error is over), or the error is older than the limit.
    h.api
        .webhook_trouble(3, Some((now - 60, "Connection timed out")));
    healthz_until(&addr, 5, "an old error ignored", |status, _| status == 200).await;

    // Another webhook URL is registered for the token: updates go elsewhere.
    h.api.webhook_trouble(0, None);
    h.api.set_webhook_url("https://example.invalid/other");
    let body = healthz_until(&addr, 5, "a foreign URL", |status, _| status == 503).await;
    assert_eq!(body["status"], "webhook not registered", "{body}");
    h.api.set_webhook_url(&url);
    healthz_until(&addr, 5, "our URL again", |status, _| status == 200).await;

    // getWebhookInfo fails: unhealthy once the limit has passed.
    h.api.outage("getWebhookInfo", true);
    let failing_since = std::time::Instant::now();
    let body = healthz_until(&addr, 10, "a 503", |status, _| status == 503).await;
    assert!(failing_since.elapsed() >= LIMIT - Duration::from_millis(500));
    assert_eq!(body["status"], "bot api unreachable", "{body}");
    assert_eq!(body["signal"], "getWebhookInfo", "{body}");
    h.api.outage("getWebhookInfo", false);
    healthz_until(&addr, 5, "a recovery", |status, _| status == 200).await;

    app.stop().await;
}

#[tokio::test]
async fn content_changes_are_picked_up_live_and_bad_content_is_refused() {
    let h = Harness::new().await;
    let config = h.config_with(false, &[("BOT_ADMINS", "77".into())]);
    let app = spawn_app(&config, |settings| settings.poll_timeout = 1).await;
    let engine = Arc::clone(&app.engine);
    let ask = |user: i64, text: &str| {
        let engine = Arc::clone(&engine);
        let request = Request {
            user_id: UserId(user),
            language_code: Some("lv".into()),
            chat: ChatKind::Private,
            input: crate::helpers::input_for(text),
        };
        async move { engine.handle(&request).await.unwrap() }
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    edit(
        &h.content,
        "ministries.toml",
        "Veselības ministrija\"",
        "Veselības ministrija (jaunā)\"",
    );
    let mut updated = false;
    for _ in 0..60 {
        if ask(1, "/contact VM").await.text.contains("(jaunā)") {
            updated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(updated, "the watcher imported the edit");

    // Invalid content: refused, the last good content is still served.
    edit(&h.content, "lessons.toml", "number = 6", "number = \"six\"");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(ask(1, "/contact VM").await.text.contains("(jaunā)"));
    assert!(ask(1, "/lessons 6").await.text.contains("6. nodarbība"));

    // /reload: admins get the file:line errors, everyone else an unknown command.
    let admin = ask(77, "/reload").await;
    assert!(admin.text.contains("lessons.toml:"), "{}", admin.text);
    assert!(admin.text.contains("number"), "{}", admin.text);
    let user = ask(1, "/reload").await;
    assert!(user.text.contains("nepazīstu"), "{}", user.text);
    let user_stats = ask(1, "/stats").await;
    assert!(user_stats.text.contains("nepazīstu") && user_stats.image.is_none());

    edit(&h.content, "lessons.toml", "number = \"six\"", "number = 6");
    let fixed = ask(77, "/reload").await;
    assert!(
        fixed.text.contains("ielādēts") || fixed.text.contains("nav mainījies"),
        "{}",
        fixed.text
    );
    app.stop().await;
}

#[tokio::test]
async fn admin_commands_are_registered_only_for_admins() {
    let h = Harness::new().await;
    let config = h.config_with(false, &[("BOT_ADMINS", "777".into())]);
    let (bot, _, _) = h.start_with(config).await;
    h.ask("/start").await;
    bot.stop().await;
    let calls = h.api.ok_calls("setMyCommands");
    assert_eq!(calls.len(), 4, "default and admin scope, each in lv and en");
    for call in &calls {
        let names: Vec<&str> = call["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["command"].as_str().unwrap())
            .collect();
        let admin_scope = call["scope"]["type"] == "chat";
        assert_eq!(names.contains(&"reload"), admin_scope, "{call}");
        assert_eq!(names.contains(&"stats"), admin_scope, "{call}");
        if admin_scope {
            assert_eq!(call["scope"]["chat_id"], 777);
        }
    }
    let _ = BOT_USERNAME;
    let _ = TOKEN;
}

#[tokio::test]
async fn statistics_are_aggregate_and_shown_to_admins_with_a_chart() {
    let app = spawn_engine().await;
    let engine =
        lidzdaliba_bot::engine::Engine::new(app.store.clone(), lidzdaliba_bot::lang::Lang::Lv)
            .await
            .unwrap()
            .with_admins(vec![UserId(77)]);
    for text in [
        "/contact veselība",
        "veselības",
        "/contact VM",
        "qqqxxzz",
        "/lessons",
    ] {
        let request = Request {
            user_id: UserId(5),
            language_code: Some("lv".into()),
            chat: ChatKind::Private,
            input: crate::helpers::input_for(text),
        };
        engine.handle(&request).await.unwrap();
    }
    engine.flush_stats().await.unwrap();
    let report = Report::load(&app.store, 30).await.unwrap();
    let count = |metric: &str, key: &str| {
        report
            .totals
            .get(metric)
            .and_then(|keys| keys.iter().find(|(k, _)| k == key))
            .map(|(_, n)| *n)
    };
    assert_eq!(count(metric::AREA, "veseliba"), Some(2));
    assert_eq!(count(metric::MINISTRY, "vm"), Some(3));
    assert_eq!(count(metric::UNMATCHED, "qqqxxzz"), Some(1));
    assert_eq!(count(metric::REQUEST, "contact"), Some(2));
    assert_eq!(count(metric::REQUEST, "text"), Some(2));
    assert_eq!(count(metric::LANGUAGE, "lv"), Some(5));
    assert_eq!(report.per_day.len(), 30);
    assert_eq!(report.per_day.last().unwrap().1, 5);

    let request = Request {
        user_id: UserId(77),
        language_code: Some("lv".into()),
        chat: ChatKind::Private,
        input: Input::Command {
            name: "stats".into(),
            arg: "7".into(),
        },
    };
    let reply = engine.handle(&request).await.unwrap();
    assert!(
        reply.text.contains("veseliba") && reply.text.contains("qqqxxzz"),
        "{}",
        reply.text
    );
    lidzdaliba_bot::render::check_telegram_html(&reply.text).unwrap();
    let png = reply.image.expect("a chart");
    assert_eq!(&png[..4], b"\x89PNG");
}

#[tokio::test]
async fn no_table_holds_a_user_id_except_the_language_choice_and_forget_deletes_it() {
    let app = spawn_engine().await;
    let user = 987_654_321_i64;
    for text in [
        "/start",
        "/language en",
        "/contact health",
        "veselība",
        "/search tap",
        "zzzqqq",
    ] {
        app.ask_as(user, Some("lv"), text).await;
    }
    // Votes are counted by card, not by person.
    app.press_as(user, Some("lv"), "vu:a:veseliba").await;
    app.press_as(user, Some("lv"), "vd:l:3").await;
    // A report without "you may contact me" is stored without the user id.
    app.press_as(user, Some("lv"), "rp:c:vm").await;
    let thanks = app.ask_as(user, Some("lv"), "Tālrunis nav pareizs").await;
    assert!(thanks.text.contains("Report no. 1"), "{}", thanks.text);
    assert_eq!(app.store.open_reports().await.unwrap(), 1);
    app.engine.flush_stats().await.unwrap();
    let privacy = app.ask_as(user, Some("lv"), "/privacy").await;
    assert!(
        privacy.text.contains("language") || privacy.text.contains("valod"),
        "{}",
        privacy.text
    );

    let holders = tables_holding(&app.store, user).await;
    assert_eq!(holders, vec!["user_prefs".to_string()]);

    let forgotten = app.ask_as(user, Some("lv"), "/forget").await;
    assert!(
        forgotten.text.contains("Deleted") || forgotten.text.contains("Izdzēsts"),
        "{}",
        forgotten.text
    );
    assert!(tables_holding(&app.store, user).await.is_empty());
    let again = app.ask_as(user, Some("lv"), "/forget").await;
    assert!(
        again.text.contains("nekas netiek glabāts"),
        "{}",
        again.text
    );
}

/// The tables in which any column holds `value` (as a number or as text).
pub async fn tables_holding(store: &lidzdaliba_bot::store::Store, value: i64) -> Vec<String> {
    use sqlx::Row;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut holders = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
        let condition = columns
            .iter()
            .map(|c| format!("CAST(\"{c}\" AS TEXT) LIKE '%{value}%'"))
            .collect::<Vec<_>>()
            .join(" OR ");
        if condition.is_empty() {
            continue;
        }
        let found: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE {condition}"
        ))
        .fetch_one(store.pool())
        .await
        .unwrap_or(0);
        if found > 0 {
            holders.push(table);
        }
    }
    holders
}

/// With every choice loaded at start, a request never asks the database for a language: the
/// table can even be gone. Choices and /forget still write through.
#[tokio::test]
async fn language_choices_are_loaded_at_start_and_written_through() {
    let app = spawn_engine().await;
    let (chose_en, chose_nothing) = (UserId(555_001), UserId(555_002));
    app.store.set_language(chose_en, Lang::En).await.unwrap();

    // A second store over the same file, as after a restart.
    let store = lidzdaliba_bot::store::Store::open(&app.db_url)
        .await
        .unwrap();
    assert_eq!(store.load_languages().await.unwrap(), 1);
    sqlx::query("ALTER TABLE user_prefs RENAME TO user_prefs_away")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.language(chose_en).await.unwrap(), Some(Lang::En));
    assert_eq!(store.language(chose_nothing).await.unwrap(), None);
    sqlx::query("ALTER TABLE user_prefs_away RENAME TO user_prefs")
        .execute(store.pool())
        .await
        .unwrap();

    store.set_language(chose_nothing, Lang::Lv).await.unwrap();
    assert_eq!(store.language(chose_nothing).await.unwrap(), Some(Lang::Lv));
    assert!(store.forget(chose_en).await.unwrap());
    assert_eq!(store.language(chose_en).await.unwrap(), None);
    let stored: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM user_prefs ORDER BY user_id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(stored, vec![chose_nothing.0]);

    // Without the load, the database is asked: a missing table is an error, not a guess.
    let cold = lidzdaliba_bot::store::Store::open(&app.db_url)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE user_prefs RENAME TO user_prefs_away")
        .execute(cold.pool())
        .await
        .unwrap();
    assert!(cold.language(chose_en).await.is_err());
    sqlx::query("ALTER TABLE user_prefs_away RENAME TO user_prefs")
        .execute(cold.pool())
        .await
        .unwrap();
}

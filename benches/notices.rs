//! The notification lane under load: the application (in process, as `run` builds it) with
//! `BOT_THROTTLE=on` against a fake Bot API on 127.0.0.1, while users keep writing.
//!
//! ```sh
//! cargo bench --bench notices
//! ```
//!
//! Two phases with the same users writing (`/about`, each user once, `NOTICES_RATE` updates a
//! second): first without notices (the baseline), then while `NOTICES_COUNT` notices to as
//! many private chats are queued at once through the `Notifier`. It prints the interactive
//! reply latency (from the update being handed out by `getUpdates` to its `sendMessage`) of
//! both phases, and how long the notices took (first notify to the last notice's
//! `sendMessage`) and at what rate. Telegram's 30 messages a second bound the whole run:
//! 10,000 notices take at least 333 s.
//!
//! Knobs (environment): `NOTICES_COUNT` (1000), `NOTICES_RATE` (10 updates a second),
//! `NOTICES_BASELINE` (10 seconds).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use lidzdaliba_bot::app::Application;
use lidzdaliba_bot::config::Config;
use lidzdaliba_bot::engine::Reply;
use lidzdaliba_bot::ids::ChatId;
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::render::Html;
use tokio::sync::Notify;

const TOKEN: &str = "4242:BENCH-token";
const GET_ME: &str = r#"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"B","username":"b_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":true,"has_main_web_app":false}}"#;
const TRUE: &str = r#"{"ok":true,"result":true}"#;
/// Notices go to chats from here on; users are below.
const NOTICE_CHATS: i64 = 1_000_000;

#[derive(Default)]
struct Inner {
    /// Updates not yet handed out: (id, chat, JSON).
    waiting: Vec<(i64, i64, String)>,
    next_id: i64,
    /// When each user's update was handed out.
    handed: HashMap<i64, Instant>,
    /// Hand-out → `sendMessage` of each reply.
    replies: Vec<Duration>,
    /// When each notice arrived.
    notices: Vec<Instant>,
}

#[derive(Clone)]
struct Fake {
    inner: Arc<Mutex<Inner>>,
    wake: Arc<Notify>,
    url: String,
}

impl Fake {
    async fn start() -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let fake = Fake {
            inner: Arc::new(Mutex::new(Inner {
                next_id: 1,
                ..Inner::default()
            })),
            wake: Arc::new(Notify::new()),
            url,
        };
        let app = Router::new()
            .route("/{bot}/{method}", axum::routing::post(handle))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `/about` from `user` in their private chat.
    fn write(&self, user: i64) {
        {
            let mut inner = self.lock();
            let id = inner.next_id;
            inner.next_id += 1;
            let json = format!(
                r#"{{"update_id":{id},"message":{{"message_id":{id},"date":0,"chat":{{"id":{user},"type":"private","first_name":"T"}},"from":{{"id":{user},"is_bot":false,"first_name":"T","language_code":"lv"}},"text":"/about","entities":[{{"type":"bot_command","offset":0,"length":6}}]}}}}"#
            );
            inner.waiting.push((id, user, json));
        }
        self.wake.notify_waiters();
    }
}

fn json_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn handle(
    State(fake): State<Fake>,
    UrlPath((_bot, method)): UrlPath<(String, String)>,
    body: Bytes,
) -> Response {
    match method.as_str() {
        "getUpdates" => get_updates(&fake, &body).await,
        "sendMessage" => send_message(&fake, &body),
        "getMe" => json_response(GET_ME.to_string()),
        _ => json_response(TRUE.to_string()),
    }
}

async fn get_updates(fake: &Fake, body: &[u8]) -> Response {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let offset = request["offset"].as_i64().unwrap_or(0);
    let timeout = Duration::from_secs(request["timeout"].as_u64().unwrap_or(0))
        .min(Duration::from_millis(500));
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let notified = fake.wake.notified();
        let batch = {
            let mut inner = fake.lock();
            inner.waiting.retain(|(id, _, _)| *id >= offset);
            let now = Instant::now();
            let batch: Vec<(i64, String)> = inner
                .waiting
                .iter()
                .take(100)
                .map(|(_, chat, json)| (*chat, json.clone()))
                .collect();
            for (chat, _) in &batch {
                inner.handed.entry(*chat).or_insert(now);
            }
            batch
        };
        if !batch.is_empty() {
            let jsons: Vec<String> = batch.into_iter().map(|(_, json)| json).collect();
            return json_response(format!(r#"{{"ok":true,"result":[{}]}}"#, jsons.join(",")));
        }
        if tokio::time::Instant::now() >= deadline {
            return json_response(r#"{"ok":true,"result":[]}"#.to_string());
        }
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}

fn send_message(fake: &Fake, body: &[u8]) -> Response {
    let now = Instant::now();
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let chat = request["chat_id"].as_i64().unwrap_or(0);
    {
        let mut inner = fake.lock();
        if chat >= NOTICE_CHATS {
            inner.notices.push(now);
        } else if let Some(handed) = inner.handed.remove(&chat) {
            inner.replies.push(now - handed);
        }
    }
    json_response(format!(
        r#"{{"ok":true,"result":{{"message_id":1,"date":0,"chat":{{"id":{chat},"type":"private","first_name":"T"}},"text":"ok"}}}}"#
    ))
}

fn notice(chat: i64) -> Reply {
    Reply {
        text: Html::text(&format!("Jaunas apspriešanas, ko jūs sekojat ({chat})")),
        buttons: Vec::new(),
        placement: lidzdaliba_bot::engine::Placement::New,
        lang: Lang::Lv,
        image: None,
        alerts: Vec::new(),
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn latency_line(label: &str, samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{label}: {} replies, p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        sorted.len(),
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 90.0)),
        ms(percentile(&sorted, 99.0)),
        ms(percentile(&sorted, 100.0)),
    )
}

/// Users write at `rate` a second (each user once, ids from `first`) until `stop` says so;
/// returns the next unused user id.
async fn users_write(fake: Fake, first: i64, rate: usize, stop: Arc<Notify>) -> i64 {
    let mut user = first;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1) as f64));
    let stopped = stop.notified();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                fake.write(user);
                user += 1;
            }
            _ = &mut stopped => return user,
        }
    }
}

fn main() {
    let count = env_usize("NOTICES_COUNT", 1000);
    let rate = env_usize("NOTICES_RATE", 10);
    let baseline = Duration::from_secs(env_usize("NOTICES_BASELINE", 10) as u64);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async move {
        let fake = Fake::start().await;
        let work = tempfile::tempdir().expect("a temporary folder");
        let db = format!("sqlite://{}", work.path().join("bench.db").display());
        let content = format!("{}/content", env!("CARGO_MANIFEST_DIR"));
        let api = fake.url.clone();
        let config = Config::from_lookup(move |name| match name {
            "DATABASE_URL" => Some(db.clone()),
            "CONTENT_DIR" => Some(content.clone()),
            "TELOXIDE_TOKEN" => Some(TOKEN.into()),
            "TELOXIDE_API_URL" => Some(api.clone()),
            "BOT_THROTTLE" => Some("on".into()),
            "TAP_SYNC_INTERVAL" => Some("off".into()),
            _ => None,
        })
        .expect("the configuration");
        let mut application = Application::build(&config).await.expect("the application");
        application.settings_mut().poll_timeout = 1;
        let notifier = application.notifier();
        let (stop_app, app_stopped) = tokio::sync::oneshot::channel::<()>();
        let app = tokio::spawn(application.run_until(async {
            let _ = app_stopped.await;
        }));
        // The bot is up once it answers a first message.
        fake.write(1);
        while fake.lock().replies.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        fake.lock().replies.clear();

        println!(
            "users write {rate} updates/s (each user once), BOT_THROTTLE=on; {count} notices"
        );
        let stop = Arc::new(Notify::new());
        let writers = tokio::spawn(users_write(fake.clone(), 10, rate, Arc::clone(&stop)));
        tokio::time::sleep(baseline).await;
        let base: Vec<Duration> = std::mem::take(&mut fake.lock().replies);
        println!("{}", latency_line("without notices", &base));

        let started = Instant::now();
        let dropped = (0..count as i64)
            .filter(|k| !notifier.notify(ChatId(NOTICE_CHATS + k), notice(NOTICE_CHATS + k)))
            .count();
        let queued_in = started.elapsed();
        let bound = Duration::from_secs(count as u64 * 3 + 60);
        while fake.lock().notices.len() < count - dropped && started.elapsed() < bound {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (during, notices) = {
            let inner = fake.lock();
            (inner.replies.clone(), inner.notices.clone())
        };
        stop.notify_one();
        let _ = writers.await;
        let last = notices.iter().max().copied().unwrap_or(started);
        let took = last - started;
        println!(
            "{} notices queued in {:.1} ms ({dropped} dropped), delivered {} in {:.1} s: {:.1} notices/s",
            count,
            queued_in.as_secs_f64() * 1000.0,
            notices.len(),
            took.as_secs_f64(),
            notices.len() as f64 / took.as_secs_f64().max(0.001),
        );
        println!("{}", latency_line("while the notices go out", &during));
        let _ = stop_app.send(());
        let _ = tokio::time::timeout(Duration::from_secs(15), app).await;
    });
}

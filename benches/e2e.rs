//! End-to-end benchmark: the release binary against a fast fake Bot API on
//! 127.0.0.1, with `BOT_THROTTLE=off`.
//!
//! ```sh
//! cargo build --release          # the bot binary this benchmark runs
//! cargo bench --bench e2e
//! ```
//!
//! It measures, in one run: the fake API's own ceiling; the time from process start to the
//! first `getUpdates` with a fresh database (first import) and with a warm one; a burst of
//! 10,000 `/contact <area>` updates from 2,000 users handed out in batches of up to 100
//! (replies per second, latency from hand-out to `sendMessage`, peak RSS, CPU per reply); and a
//! steady rate of 500 updates per second for 10 s. Everything runs on 127.0.0.1, every loop is
//! bounded in count and time, and the bench stops the bot (SIGTERM) and itself.
//!
//! Knobs (environment): `E2E_BOT_BIN` (the binary; default `target/release/lidzdaliba-bot`),
//! `E2E_BURST` (10000), `E2E_BURSTS` (3 bursts, each reported), `E2E_USERS` (2000), `E2E_RATE` (500 per second), `E2E_SECONDS` (10),
//! `E2E_RUST_LOG` (the bot's `RUST_LOG`, default `warn`), `E2E_PERF` and `E2E_PERF_STEADY`
//! (files: `perf record` of the bot during the burst or the steady run; the CPU figures then
//! include the profiler's overhead).

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

const TOKEN: &str = "4242:BENCH-token";
/// Longest time the fake holds a long poll (the bot asks for 10 s).
const MAX_POLL: Duration = Duration::from_millis(500);
const GET_ME: &str = r#"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"B","username":"b_bot","can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":true,"has_main_web_app":false}}"#;
const TRUE: &str = r#"{"ok":true,"result":true}"#;

// ---- the fake Bot API -----------------------------------------------------------------------

/// One queued update: its chat, its JSON, when it became available and when it was handed out.
struct Queued {
    chat: i64,
    json: String,
    released: Option<Instant>,
    handed: Option<Instant>,
}

#[derive(Default)]
struct Inner {
    first_id: i64,
    updates: Vec<Queued>,
    /// Updates `[0, released)` may be handed out.
    released: usize,
    /// Every update id below this is confirmed.
    confirmed: i64,
    /// Per chat, the updates handed out and not answered yet (indexes into `updates`).
    pending: HashMap<i64, VecDeque<usize>>,
    /// Hand-out → final `sendMessage`, and release → final `sendMessage`.
    from_handout: Vec<Duration>,
    from_release: Vec<Duration>,
    first_handout: Option<Instant>,
    last_reply: Option<Instant>,
    /// `sendMessage` calls: all of them, and those with no update waiting for them.
    sends: u64,
    unmatched: u64,
    polls: u64,
    batch_sizes: Vec<usize>,
    first_poll: Option<Instant>,
    next_message_id: i64,
}

#[derive(Clone)]
struct Fake {
    inner: Arc<Mutex<Inner>>,
    /// Updates were released.
    wake: Arc<Notify>,
    /// The first `getUpdates` of a bot process arrived.
    polled: Arc<Notify>,
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
                first_id: 1,
                confirmed: 1,
                next_message_id: 1,
                ..Inner::default()
            })),
            wake: Arc::new(Notify::new()),
            polled: Arc::new(Notify::new()),
            url,
        };
        let app = Router::new()
            .route("/{bot}/{method}", axum::routing::post(handle).get(handle))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the measurements (not the queue) before a phase.
    fn reset_measurements(&self) {
        let mut inner = self.lock();
        inner.from_handout.clear();
        inner.from_release.clear();
        inner.first_handout = None;
        inner.last_reply = None;
        inner.sends = 0;
        inner.unmatched = 0;
        inner.polls = 0;
        inner.batch_sizes.clear();
    }

    /// Queues updates (not yet released); returns the index of the first.
    fn queue(&self, items: impl IntoIterator<Item = (i64, String)>) -> usize {
        let mut inner = self.lock();
        let first = inner.updates.len();
        for (chat, text) in items {
            let id = inner.first_id + inner.updates.len() as i64;
            let json = update_json(id, chat, &text);
            inner.updates.push(Queued {
                chat,
                json,
                released: None,
                handed: None,
            });
        }
        first
    }

    /// Makes every queued update up to `upto` (exclusive) available now.
    fn release_upto(&self, upto: usize) {
        let now = Instant::now();
        {
            let mut inner = self.lock();
            let upto = upto.min(inner.updates.len());
            for k in inner.released..upto {
                inner.updates[k].released = Some(now);
            }
            inner.released = inner.released.max(upto);
        }
        self.wake.notify_waiters();
    }

    fn replies(&self) -> usize {
        self.lock().from_handout.len()
    }
}

fn update_json(id: i64, chat: i64, text: &str) -> String {
    let text = serde_json::to_string(text).expect("a string serialises");
    let command_len = text
        .trim_matches('"')
        .split(' ')
        .next()
        .unwrap_or("")
        .encode_utf16()
        .count();
    format!(
        r#"{{"update_id":{id},"message":{{"message_id":{id},"date":0,"chat":{{"id":{chat},"type":"private","first_name":"T"}},"from":{{"id":{chat},"is_bot":false,"first_name":"T","language_code":"lv"}},"text":{text},"entities":[{{"type":"bot_command","offset":0,"length":{command_len}}}]}}}}"#
    )
}

fn json_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn handle(
    State(fake): State<Fake>,
    UrlPath((_bot, method)): UrlPath<(String, String)>,
    body: Bytes,
) -> Response {
    // Telegram ignores the case of method names.
    match method.to_ascii_lowercase().as_str() {
        "getupdates" => get_updates(&fake, &body).await,
        "sendmessage" => send_message(&fake, &body),
        "getme" => json_response(GET_ME.to_string()),
        _ => json_response(TRUE.to_string()),
    }
}

async fn get_updates(fake: &Fake, body: &[u8]) -> Response {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let offset = request["offset"].as_i64().unwrap_or(0);
    let limit = request["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(request["timeout"].as_u64().unwrap_or(0)).min(MAX_POLL);
    let deadline = tokio::time::Instant::now() + timeout;
    {
        let mut inner = fake.lock();
        inner.polls += 1;
        if inner.first_poll.is_none() {
            inner.first_poll = Some(Instant::now());
            fake.polled.notify_waiters();
        }
    }
    loop {
        let notified = fake.wake.notified();
        let batch = {
            let mut inner = fake.lock();
            inner.confirmed = inner.confirmed.max(offset);
            let start = usize::try_from(inner.confirmed - inner.first_id).unwrap_or(0);
            let end = (start + limit).min(inner.released);
            if start < end {
                let now = Instant::now();
                inner.first_handout.get_or_insert(now);
                let mut out = String::with_capacity(32 + (end - start) * 320);
                out.push_str(r#"{"ok":true,"result":["#);
                for k in start..end {
                    if k > start {
                        out.push(',');
                    }
                    out.push_str(&inner.updates[k].json);
                    if inner.updates[k].handed.is_none() {
                        inner.updates[k].handed = Some(now);
                        let chat = inner.updates[k].chat;
                        inner.pending.entry(chat).or_default().push_back(k);
                    }
                }
                out.push_str("]}");
                inner.batch_sizes.push(end - start);
                Some(out)
            } else {
                None
            }
        };
        if let Some(out) = batch {
            return json_response(out);
        }
        if tokio::time::Instant::now() >= deadline {
            return json_response(r#"{"ok":true,"result":[]}"#.to_string());
        }
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Records the reply and answers with a minimal Message. The last message of a reply carries
/// the keyboard (the bot puts the buttons under the last part), so that one completes it.
fn send_message(fake: &Fake, body: &[u8]) -> Response {
    let now = Instant::now();
    let chat = find(body, b"\"chat_id\":")
        .map(|at| {
            let digits: String = body[at + 10..]
                .iter()
                .map(|&b| b as char)
                .skip_while(|c| *c == ' ')
                .take_while(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            digits.parse::<i64>().unwrap_or(0)
        })
        .unwrap_or(0);
    let last_part = find(body, b"\"reply_markup\"").is_some();
    let message_id = {
        let mut inner = fake.lock();
        inner.sends += 1;
        let id = inner.next_message_id;
        inner.next_message_id += 1;
        if last_part {
            match inner.pending.get_mut(&chat).and_then(VecDeque::pop_front) {
                Some(k) => {
                    let q = &inner.updates[k];
                    let handed = q.handed.map(|t| now - t).unwrap_or_default();
                    let released = q.released.map(|t| now - t).unwrap_or_default();
                    inner.from_handout.push(handed);
                    inner.from_release.push(released);
                    inner.last_reply = Some(now);
                }
                None => inner.unmatched += 1,
            }
        }
        id
    };
    json_response(format!(
        r#"{{"ok":true,"result":{{"message_id":{message_id},"date":0,"chat":{{"id":{chat},"type":"private","first_name":"T"}},"text":"ok"}}}}"#
    ))
}

// ---- the bot process ------------------------------------------------------------------------

struct Bot {
    child: Child,
    started: Instant,
}

fn bot_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("E2E_BOT_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("release").join("lidzdaliba-bot")
}

/// The newest modification time of the files under `dir`.
fn newest(dir: &Path) -> Option<SystemTime> {
    let mut latest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest(&path)
        } else {
            entry.metadata().ok().and_then(|m| m.modified().ok())
        };
        latest = latest.max(time);
    }
    latest
}

fn spawn_bot(bin: &Path, work: &Path, fake: &Fake, log: &str) -> Bot {
    {
        let mut inner = fake.lock();
        inner.first_poll = None;
    }
    let log = std::fs::File::create(work.join(log)).expect("create the bot log");
    let started = Instant::now();
    let child = Command::new(bin)
        .arg("run")
        .current_dir(work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", &fake.url)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/bench.db", work.display()),
        )
        .env("CONTENT_DIR", work.join("content"))
        .env("BOT_THROTTLE", "off")
        // The benchmark never reads the real TAP portal.
        .env("TAP_SYNC_INTERVAL", "off")
        .envs(std::env::var("BOT_THREADS").map(|v| ("BOT_THREADS", v)))
        .env(
            "RUST_LOG",
            std::env::var("E2E_RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the log handle"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    Bot { child, started }
}

impl Bot {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the first `getUpdates`; the time since the process started.
    async fn ready(&mut self, fake: &Fake) -> Duration {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let polled = fake.polled.notified();
            if let Some(at) = fake.lock().first_poll {
                return at - self.started;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the bot exited before polling: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the bot did not poll within 60 s"
            );
            let _ = tokio::time::timeout(Duration::from_millis(20), polled).await;
        }
    }

    /// SIGTERM, then up to 10 s for a graceful stop, then SIGKILL.
    async fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        for _ in 0..200 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        eprintln!("the bot did not stop within 10 s of SIGTERM; killing it");
    }
}

impl Drop for Bot {
    /// Never leaves the bot running, even when the benchmark panics.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// utime + stime of `pid` (or `self`), in seconds.
fn cpu_seconds(pid: &str, ticks: f64) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state): utime is field 14, stime 15.
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (get(11) + get(12)) / ticks
}

/// A `Vm*` line of /proc/<pid>/status, in MiB.
fn vm_mib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `perf record` of `pid` into the file named by the variable `var`, if it is set.
fn start_perf(var: &str, pid: &str) -> Option<Child> {
    let out = std::env::var_os(var)?;
    let child = Command::new("perf")
        .args(["record", "-F", "1999", "--call-graph", "dwarf,16384", "-o"])
        .arg(out)
        .args(["-p", pid])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start perf record");
    std::thread::sleep(Duration::from_millis(500));
    Some(child)
}

fn stop_perf(perf: Option<Child>) {
    if let Some(mut perf) = perf {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(perf.id().to_string())
            .status();
        let _ = perf.wait();
    }
}

// ---- phases ---------------------------------------------------------------------------------

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn sorted(samples: &[Duration]) -> Vec<Duration> {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    sorted
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn latency_line(label: &str, samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    format!(
        "{label}: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 90.0)),
        ms(percentile(&sorted, 99.0)),
        ms(percentile(&sorted, 100.0)),
    )
}

/// How many `sendMessage`-like requests per second the fake answers to a plain reqwest client
/// with `connections` concurrent connections, for `secs` seconds.
async fn fake_ceiling(fake: &Fake, connections: usize, secs: u64) -> f64 {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .expect("an HTTP client");
    let url = format!("{}/bot{TOKEN}/SendMessage", fake.url);
    // About the size of a contact card with its keyboard.
    let body = format!(
        r#"{{"chat_id":999999999,"text":{},"parse_mode":"HTML","link_preview_options":{{"is_disabled":true}},"reply_markup":{{"inline_keyboard":[[{{"text":"Kopīgot","switch_inline_query":"a-veseliba"}}],[{{"text":"Atpakaļ","callback_data":"cs"}},{{"text":"Sākums","callback_data":"m"}}]]}}}}"#,
        serde_json::to_string(
            &"Jomu „veselība” vada:\n<b>Veselības ministrija (VM)</b> • ".repeat(20)
        )
        .expect("a string serialises")
    );
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let client = client.clone();
        let url = url.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                let ok = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .and_then(|r| r.error_for_status());
                if let Ok(response) = ok {
                    let _ = response.bytes().await;
                    done += 1;
                }
            }
            done
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap_or(0);
    }
    let elapsed = started.elapsed().as_secs_f64();
    fake.lock().unmatched = 0;
    total as f64 / elapsed
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn copy_content(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    std::fs::create_dir_all(to).expect("create the content folder");
    for entry in std::fs::read_dir(&from)
        .expect("read the content folder")
        .flatten()
    {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a content file");
        }
    }
}

fn remove_db(work: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(work.join(format!("bench.db{suffix}")));
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

/// `/contact <area>` updates: user `k % users`, areas in turn.
fn contact_updates(
    first: usize,
    count: usize,
    users: usize,
    areas: &[String],
) -> Vec<(i64, String)> {
    (first..first + count)
        .map(|k| {
            let chat = 100_000 + (k % users) as i64;
            (chat, format!("/contact {}", areas[k % areas.len()]))
        })
        .collect()
}

/// Waits until `target` replies were recorded, or `limit` passed; `false` on time-out.
async fn wait_replies(fake: &Fake, target: usize, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while fake.replies() < target {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    true
}

/// The figures of one burst.
struct BurstRun {
    complete: bool,
    latencies: Vec<Duration>,
    sends: u64,
    unmatched: u64,
    polls: u64,
    mean_batch: f64,
    span: Duration,
    wall: Duration,
    cpu: f64,
    own: f64,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo test --benches` runs bench targets without `--bench`: nothing to do then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("e2e: run it with `cargo bench --bench e2e`");
        return;
    }
    let bin = bot_binary();
    if !bin.exists() {
        eprintln!(
            "{} does not exist: build it first with `cargo build --release` (or set E2E_BOT_BIN)",
            bin.display()
        );
        std::process::exit(1);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    let sources = newest(&manifest.join("src")).max(newest(&manifest.join("migrations")));
    if built < sources {
        eprintln!(
            "warning: {} is older than src/ — run `cargo build --release` to measure the current code",
            bin.display()
        );
    }
    let burst = env_usize("E2E_BURST", 10_000);
    let users = env_usize("E2E_USERS", 2_000);
    let rate = env_usize("E2E_RATE", 500);
    let seconds = env_usize("E2E_SECONDS", 10);
    let ticks = clock_ticks();

    let work = tempfile::tempdir().expect("a temporary folder");
    copy_content(&work.path().join("content"));
    let areas: Vec<String> = {
        let (_, content) = lidzdaliba_bot::content::load_dir(&work.path().join("content"))
            .expect("the repository content is valid");
        content
            .ministries
            .iter()
            .flat_map(|m| m.areas.iter().map(|a| a.name.lv.clone()))
            .collect()
    };

    println!("e2e benchmark: {}", bin.display());
    println!(
        "machine: {} cores; load average before: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );

    let fake = Fake::start().await;
    let ceiling = fake_ceiling(&fake, 16, 2).await;
    println!("fake Bot API ceiling: {ceiling:.0} sendMessage/s (reqwest, 16 connections, 2 s)");

    // Start-up: cold (fresh database: first import), then warm (same database).
    let mut cold = Vec::new();
    for run in 0..3 {
        remove_db(work.path());
        let mut bot = spawn_bot(&bin, work.path(), &fake, &format!("cold{run}.log"));
        cold.push(bot.ready(&fake).await);
        bot.stop().await;
    }
    let mut warm = Vec::new();
    for run in 0..5 {
        let mut bot = spawn_bot(&bin, work.path(), &fake, &format!("warm{run}.log"));
        warm.push(bot.ready(&fake).await);
        bot.stop().await;
    }
    println!(
        "start to first getUpdates: cold (first import) median {:.1} ms of {:?}; warm median {:.1} ms of {:?}",
        ms(median(cold.clone())),
        cold.iter()
            .map(|d| (ms(*d) * 10.0).round() / 10.0)
            .collect::<Vec<_>>(),
        ms(median(warm.clone())),
        warm.iter()
            .map(|d| (ms(*d) * 10.0).round() / 10.0)
            .collect::<Vec<_>>(),
    );

    // The measured process: a warm start, then the burst, then the steady rate.
    let mut bot = spawn_bot(&bin, work.path(), &fake, "run.log");
    bot.ready(&fake).await;
    let pid = bot.pid();
    let pid_text = pid.to_string();
    let idle_rss = vm_mib(pid, "VmRSS:");

    // Optional profiles of the bot: `E2E_PERF=/tmp/burst.data`, `E2E_PERF_STEADY=/tmp/steady.data`.
    let perf = start_perf("E2E_PERF", &pid_text);

    // Bursts: the same burst several times in the same process (figures on a shared 2-core
    // machine move by ±15 % from run to run); the run with the median CPU is reported in full.
    let rounds = env_usize("E2E_BURSTS", 3).max(1);
    let mut runs = Vec::new();
    for round in 0..rounds {
        fake.reset_measurements();
        let first = fake.queue(contact_updates(round * burst, burst, users, &areas));
        let cpu0 = cpu_seconds(&pid_text, ticks);
        let own0 = cpu_seconds("self", ticks);
        let t0 = Instant::now();
        fake.release_upto(first + burst);
        let complete = wait_replies(&fake, burst, Duration::from_secs(120)).await;
        let wall = t0.elapsed();
        let cpu = cpu_seconds(&pid_text, ticks) - cpu0;
        let own = cpu_seconds("self", ticks) - own0;
        let inner = fake.lock();
        let span = match (inner.first_handout, inner.last_reply) {
            (Some(a), Some(b)) => b - a,
            _ => wall,
        };
        let mean_batch =
            inner.batch_sizes.iter().sum::<usize>() as f64 / inner.batch_sizes.len().max(1) as f64;
        runs.push(BurstRun {
            complete,
            latencies: inner.from_handout.clone(),
            sends: inner.sends,
            unmatched: inner.unmatched,
            polls: inner.polls,
            mean_batch,
            span,
            wall,
            cpu,
            own,
        });
    }
    let peak_rss = vm_mib(pid, "VmHWM:");
    stop_perf(perf);
    println!("\nburst: {burst} x /contact <area> from {users} users, {rounds} times");
    for (i, run) in runs.iter().enumerate() {
        let answered = run.latencies.len();
        println!(
            "  run {}: {:.0} replies/s, p99 {:.1} ms, bot CPU {:.0} µs per reply{}",
            i + 1,
            answered as f64 / run.span.as_secs_f64(),
            ms(percentile(&sorted(&run.latencies), 99.0)),
            run.cpu * 1e6 / answered.max(1) as f64,
            if run.complete {
                ""
            } else {
                " (TIMED OUT after 120 s)"
            }
        );
    }
    runs.sort_by(|a, b| a.cpu.total_cmp(&b.cpu));
    let run = &runs[runs.len() / 2];
    let answered = run.latencies.len();
    println!("  median run (by CPU):");
    println!(
        "  replies: {answered} ({} sendMessage, {} unmatched) in {:.3} s -> {:.0} replies/s (first hand-out to last reply)",
        run.sends,
        run.unmatched,
        run.span.as_secs_f64(),
        answered as f64 / run.span.as_secs_f64()
    );
    println!(
        "  getUpdates calls: {}, mean batch {:.1}",
        run.polls, run.mean_batch
    );
    println!(
        "  {}",
        latency_line("latency hand-out -> sendMessage", &run.latencies)
    );
    println!(
        "  bot CPU: {:.2} s = {:.0} µs per reply; fake + bench CPU: {:.2} s; wall {:.2} s",
        run.cpu,
        run.cpu * 1e6 / answered.max(1) as f64,
        run.own,
        run.wall.as_secs_f64()
    );
    println!("  bot RSS: {idle_rss:.1} MiB idle before the bursts, peak (VmHWM) {peak_rss:.1} MiB");

    // Steady rate.
    let total = rate * seconds;
    fake.reset_measurements();
    let first = fake.queue(contact_updates(rounds * burst, total, users, &areas));
    let perf = start_perf("E2E_PERF_STEADY", &pid_text);
    let cpu0 = cpu_seconds(&pid_text, ticks);
    let t0 = Instant::now();
    let mut released = 0;
    while released < total && t0.elapsed() < Duration::from_secs(seconds as u64 + 5) {
        let due = ((t0.elapsed().as_secs_f64() * rate as f64) as usize + 1).min(total);
        if due > released {
            fake.release_upto(first + due);
            released = due;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let complete = wait_replies(&fake, total, Duration::from_secs(30)).await;
    let cpu1 = cpu_seconds(&pid_text, ticks);
    stop_perf(perf);
    let (from_handout, from_release, polls, batches) = {
        let inner = fake.lock();
        let mean_batch =
            inner.batch_sizes.iter().sum::<usize>() as f64 / inner.batch_sizes.len().max(1) as f64;
        (
            inner.from_handout.clone(),
            inner.from_release.clone(),
            inner.polls,
            mean_batch,
        )
    };
    println!(
        "\nsteady: {rate} updates/s for {seconds} s ({total} updates){}",
        if complete { "" } else { " (TIMED OUT)" }
    );
    println!(
        "  replies: {} in {:.2} s; getUpdates calls: {polls}, mean batch {batches:.1}",
        from_handout.len(),
        t0.elapsed().as_secs_f64()
    );
    println!(
        "  {}",
        latency_line("latency hand-out -> sendMessage", &from_handout)
    );
    println!(
        "  {}",
        latency_line("latency release  -> sendMessage", &from_release)
    );
    println!(
        "  bot CPU: {:.2} s = {:.0} µs per reply; peak RSS now {:.1} MiB",
        cpu1 - cpu0,
        (cpu1 - cpu0) * 1e6 / from_handout.len().max(1) as f64,
        vm_mib(pid, "VmHWM:")
    );

    bot.stop().await;
    let log = std::fs::read_to_string(work.path().join("run.log")).unwrap_or_default();
    let problems = log
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("WARN"))
        .count();
    println!(
        "\nbot log: {problems} warning/error lines; load average after: {}",
        load_average()
    );
    if problems > 0 {
        for line in log.lines().take(5) {
            println!("  {line}");
        }
    }
}

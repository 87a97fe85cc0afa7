//! Shared set-up: a fresh copy of the content and a fresh SQLite database per test, an engine
//! over them, and short ways to send commands, text and button presses.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use lidzdaliba_bot::app::{self, Application};
use lidzdaliba_bot::bot::{RunError, Settings};
use lidzdaliba_bot::config::Config;
use lidzdaliba_bot::content::ui;
use lidzdaliba_bot::engine::command::{self, Parsed};
use lidzdaliba_bot::engine::lookup::Index;
use lidzdaliba_bot::engine::{Action, Button, ChatKind, Engine, Input, Reply, Request};
use lidzdaliba_bot::ids::UserId;
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::render;
use lidzdaliba_bot::store::{ImportOutcome, Store};
use tempfile::TempDir;

/// The content folder of the repository.
pub fn content_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// Logs go nowhere unless `TEST_LOG` is set (then `RUST_LOG`, default `debug`, to the test
/// output).
pub fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("debug"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
    });
}

/// Copies every file of `from` into `to` (folders too).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the target folder");
    for entry in std::fs::read_dir(from).expect("read the content folder") {
        let entry = entry.expect("read a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a content file");
        }
    }
}

// ---- the real binary ----------------------------------------------------------------------

/// The real binary with an empty environment (only `PATH`, and `TAP_SYNC_INTERVAL=off`) and no input: every test that runs
/// it starts here, so that no variable of the test's own environment (a `TELOXIDE_TOKEN`, a
/// `RUST_LOG`) leaks into it.
pub fn binary() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lidzdaliba-bot"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // Never the real TAP portal: a test that wants a sync gives its fake's TAP_URL.
        .env("TAP_SYNC_INTERVAL", "off")
        .stdin(std::process::Stdio::null());
    command
}

/// Starts `command` with its log (stderr) going to the file `log` and stdout to nowhere: a
/// pipe that nobody reads would fill up and block the bot.
pub fn spawn_logged(command: &mut std::process::Command, log: &Path) -> std::process::Child {
    let log = std::fs::File::create(log).expect("create the log file");
    command
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start the binary")
}

/// Sends `signal` (`TERM`, `KILL`) to `child`.
pub fn signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits for `child` to exit (up to `secs`; then it is killed and the test fails); its status.
pub async fn wait_exit(mut child: std::process::Child, secs: u64) -> std::process::ExitStatus {
    tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("the bot did not exit within {secs} s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    })
    .await
    .unwrap()
}

/// A fresh copy of the content in a new temporary folder: `(guard, content folder)`.
pub fn content_copy() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let content = dir.path().join("content");
    copy_dir(&content_source(), &content);
    (dir, content)
}

/// The 1-based line on which `needle` first starts in `text`.
pub fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    text[..at].matches('\n').count() + 1
}

/// Replaces the first `from` in `dir/file` with `to`; returns the line where `from` started.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) -> usize {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read a content file");
    let line = line_of(&text, from);
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write a content file");
    line
}

/// Appends the test ministry `zz_test` (abbreviation ZZT) to `dir/ministries.toml`: the path
/// shown in problems and the line of `[[ministry]]`.
pub fn append_ministry(dir: &Path, area: &str, contact: &str) -> (String, usize) {
    let path = dir.join("ministries.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let first = text.matches('\n').count() + 2;
    text.push_str(&format!(
        "\n[[ministry]]\nid = \"zz_test\"\nabbr = \"ZZT\"\nname.lv = \"Testa ministrija\"\n\
         name.en = \"Test ministry\"\nsources = [\"https://www.example.gov.lv/par\"]\n\
         \n[[ministry.area]]\nid = \"zz_area\"\nname.lv = \"testēšanas joma\"\n\
         name.en = \"testing area\"\n{area}\
         \n[[ministry.contact]]\n{contact}"
    ));
    std::fs::write(&path, text).unwrap();
    (path.display().to_string(), first)
}

/// An engine over its own copy of the content and its own database.
pub struct TestApp {
    pub engine: Arc<Engine>,
    pub store: Store,
    /// The copy of the content the store was synced from (tests may edit it).
    pub content_dir: PathBuf,
    pub db_url: String,
    /// What the first sync did.
    pub first_import: ImportOutcome,
    /// The user `ask` and `press` speak as.
    pub user_id: i64,
    /// The Telegram `language_code` `ask` and `press` send.
    pub language_code: Option<String>,
    next_user: AtomicI64,
    _dir: TempDir,
}

/// Copies the content into a temporary folder and starts the engine over a fresh database
/// there as `console` and `run` start it (the content imported, the language choices loaded;
/// Latvian the default language, no admins).
pub async fn spawn_engine() -> TestApp {
    init_tracing();
    let (dir, content_dir) = content_copy();
    let db_url = format!("sqlite://{}/test.db", dir.path().display());
    let config = {
        let (db_url, content_dir) = (db_url.clone(), content_dir.display().to_string());
        Config::from_lookup(move |name| match name {
            "DATABASE_URL" => Some(db_url.clone()),
            "CONTENT_DIR" => Some(content_dir.clone()),
            _ => None,
        })
        .expect("the test configuration")
    };
    assert_eq!(config.default_language, Lang::Lv);
    let (engine, first_import) = app::start_engine(&config)
        .await
        .expect("the engine starts over the repository content");
    let store = engine.store().clone();
    // As the runtime does after getMe: cards carry their permalink.
    engine.set_username(crate::fake_api::BOT_USERNAME).await;
    TestApp {
        engine,
        store,
        content_dir,
        db_url,
        first_import,
        user_id: 42,
        language_code: None,
        next_user: AtomicI64::new(1_000_000),
        _dir: dir,
    }
}

/// The application as `lidzdaliba-bot run` starts it, running until [`RunningApp::stop`].
pub struct RunningApp {
    pub engine: Arc<Engine>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), RunError>>,
}

/// Builds the application from `config` exactly as `run` does and runs it; `tune` may first
/// change its runtime settings (a shorter long poll, a shorter health limit).
pub async fn spawn_app(config: &Config, tune: impl FnOnce(&mut Settings)) -> RunningApp {
    assert!(
        config.tap_sync_interval.is_none() || config.tap_url.starts_with("http://127.0.0.1"),
        "a test reads TAP only from the fake portal on 127.0.0.1 (or sets TAP_SYNC_INTERVAL=off)"
    );
    let mut application = Application::build(config)
        .await
        .expect("the application starts");
    tune(application.settings_mut());
    let engine = Arc::clone(application.engine());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    RunningApp { engine, stop, task }
}

impl RunningApp {
    /// Asks the application to stop, as SIGTERM does, and waits (up to 10 s) until it has.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the application stops within 10 s")
            .expect("the application does not panic")
            .expect("the application stops without an error");
    }
}

/// How a test names a button press: an [`Action`] or raw callback data.
pub trait CallbackData {
    fn data(&self) -> String;
}

impl CallbackData for Action {
    fn data(&self) -> String {
        self.encode()
    }
}

impl CallbackData for str {
    fn data(&self) -> String {
        self.to_string()
    }
}

impl CallbackData for String {
    fn data(&self) -> String {
        self.clone()
    }
}

/// A message text as the Telegram adapter would pass it: a command or free text.
pub fn input_for(text: &str) -> Input {
    match command::parse(text, None) {
        Parsed::Command { name, arg } => Input::Command { name, arg },
        Parsed::OtherBot | Parsed::Text(_) => Input::Text(text.to_string()),
    }
}

impl TestApp {
    /// Sends `text` in a private chat as `user_id` with `language_code`.
    pub async fn ask(&self, text: &str) -> Reply {
        self.ask_as(self.user_id, self.language_code.as_deref(), text)
            .await
    }

    /// Sends `text` in a private chat as a given user with a given Telegram language.
    pub async fn ask_as(&self, user_id: i64, language_code: Option<&str>, text: &str) -> Reply {
        self.request(user_id, language_code, input_for(text))
            .await
            .unwrap_or_else(|| panic!("no reply to {text:?} in a private chat"))
    }

    /// Presses a button (an [`Action`] or raw callback data) as `user_id`.
    pub async fn press<D: CallbackData + ?Sized>(&self, data: &D) -> Reply {
        self.press_as(self.user_id, self.language_code.as_deref(), data)
            .await
    }

    /// Presses a button as a given user with a given Telegram language.
    pub async fn press_as<D: CallbackData + ?Sized>(
        &self,
        user_id: i64,
        language_code: Option<&str>,
        data: &D,
    ) -> Reply {
        let data = data.data();
        self.request(user_id, language_code, Input::Button(data.clone()))
            .await
            .unwrap_or_else(|| panic!("no reply to the button {data:?}"))
    }

    /// Any input in a private chat.
    pub async fn request(
        &self,
        user_id: i64,
        language_code: Option<&str>,
        input: Input,
    ) -> Option<Reply> {
        let request = Request {
            user_id: UserId(user_id),
            language_code: language_code.map(str::to_string),
            chat: ChatKind::Private,
            input,
        };
        self.engine.handle(&request).await
    }

    /// A user id no other request has used (so no stored language choice).
    pub fn fresh_user(&self) -> i64 {
        self.next_user.fetch_add(1, Ordering::Relaxed)
    }

    /// Every cached ministry with its areas and contacts, in content order.
    pub async fn ministries(&self) -> Vec<lidzdaliba_bot::content::Ministry> {
        let cached = self.store.cached_content().await.expect("read the cache");
        cached.expect("content is cached").content.ministries
    }

    /// The lookup index over what the store holds now, built as the engine builds it.
    pub async fn index(&self) -> Index {
        let cached = self.store.cached_content().await.expect("read the cache");
        let cached = cached.expect("content is cached");
        let names = lidzdaliba_bot::engine::names::of(&cached.content.ministries);
        Index::build(&names)
            .with_institutions(&cached.content.agencies, &cached.content.bodies)
            .with_vocabulary(&cached.terms)
    }

    /// The content the store holds now.
    pub async fn content(&self) -> lidzdaliba_bot::content::Content {
        let cached = self.store.cached_content().await.expect("read the cache");
        cached.expect("content is cached").content
    }

    /// The UI string `key` in `lang`, HTML-escaped the way the engine shows it.
    pub fn ui(&self, lang: Lang, key: &str) -> String {
        render::escape(&self.engine.string(lang, key))
    }
}

/// Every action button of a reply, in order.
pub fn actions(reply: &Reply) -> Vec<Action> {
    reply
        .buttons
        .iter()
        .flatten()
        .filter_map(|b| match b {
            Button::Action { action, .. } => Some(action.clone()),
            Button::Url { .. } | Button::Share { .. } | Button::Copy { .. } => None,
        })
        .collect()
}

/// The reply as a person reads it (tags removed, entities decoded).
pub fn plain(reply: &Reply) -> String {
    render::to_plain(&reply.text)
}

/// Checks what Telegram would check of a reply, and that no UI key or placeholder leaked:
/// non-empty text; every message valid Telegram HTML of at most 4096 UTF-16 units; at most 8
/// buttons a row and 100 in all; callback data of 1–64 ASCII bytes that decodes back to the
/// same action; links only https:// or tg://.
pub fn assert_sendable(reply: &Reply, context: &str) {
    assert!(
        !reply.text.trim().is_empty(),
        "{context}: the reply text is empty"
    );
    let messages = reply.messages();
    assert!(!messages.is_empty(), "{context}: the reply has no message");
    for (i, message) in messages.iter().enumerate() {
        if let Err(err) = render::check_telegram_html(message) {
            panic!("{context}: message {i} is not valid Telegram HTML: {err}\n{message}");
        }
        assert!(
            render::visible_len(message) <= render::MAX_MESSAGE_UTF16,
            "{context}: message {i} is too long"
        );
    }
    assert_no_placeholder(&reply.text, context);
    let mut total = 0;
    for row in &reply.buttons {
        assert!(!row.is_empty(), "{context}: an empty button row");
        assert!(
            row.len() <= 8,
            "{context}: a row of {} buttons (at most 8)",
            row.len()
        );
        total += row.len();
        for button in row {
            let label = button.label();
            assert!(
                !label.trim().is_empty(),
                "{context}: a button without label"
            );
            assert!(
                !ui::KEYS.contains(&label),
                "{context}: the button label is the bare UI key {label:?}"
            );
            assert_no_placeholder(label, context);
            match button {
                Button::Action { action, .. } => {
                    let data = action.encode();
                    assert!(
                        !data.is_empty() && data.len() <= 64 && data.is_ascii(),
                        "{context}: callback data {data:?} is not 1–64 ASCII bytes"
                    );
                    assert_eq!(
                        Action::decode(&data).as_ref(),
                        Some(action),
                        "{context}: callback data {data:?} does not decode back"
                    );
                }
                Button::Url { url, .. } => assert!(
                    url.starts_with("https://") || url.starts_with("tg://"),
                    "{context}: button link {url:?}"
                ),
                Button::Share { query, .. } => assert!(
                    Action::from_payload(query).is_some_and(|a| a.is_item()),
                    "{context}: share query {query:?} is not an item's payload"
                ),
                Button::Copy { text, .. } => {
                    let payload = text
                        .strip_prefix("https://t.me/")
                        .and_then(|rest| rest.split_once("?start="))
                        .map(|(_, payload)| payload);
                    // An item's permalink, or an e-mail address or phone the card shows.
                    let permalink = payload
                        .and_then(Action::from_payload)
                        .is_some_and(|a| a.is_item());
                    let shown = reply.text.contains(&render::escape(text));
                    assert!(
                        (permalink || shown) && (1..=256).contains(&text.chars().count()),
                        "{context}: copied text {text:?} is neither an item's permalink nor on the card"
                    );
                }
            }
        }
    }
    assert!(total <= 100, "{context}: {total} buttons (at most 100)");
}

/// Fails on an unfilled `{name}` placeholder.
fn assert_no_placeholder(text: &str, context: &str) {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('}') {
            let name = &after[..close];
            // The person's own text may hold braces; it is echoed as written.
            let typed = context.contains(&format!("{{{name}}}"));
            assert!(
                typed
                    || name.is_empty()
                    || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{context}: unfilled placeholder {{{name}}} in {text:?}"
            );
        }
        rest = after;
    }
}

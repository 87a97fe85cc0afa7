//! Start-up shared by every command: logging, the store, the content import, the engine; and
//! the whole bot as `run` starts it ([`Application`]), which the tests build and run the same
//! way.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::bot::{self, RunError};
use crate::clock;
use crate::config::Config;
use crate::engine::{Engine, EngineError, Reply};
use crate::health;
use crate::ids::ChatId;
use crate::store::{ImportOutcome, Store, StoreError, SyncError};
use crate::tap;

/// Why the program cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}{hint}", hint = .0.hint().map(|h| format!("\nhint: {h}")).unwrap_or_default())]
    Store(#[from] StoreError),
    #[error("the content is invalid and there is no earlier good content to serve:\n{0}")]
    NoGoodContent(crate::content::ContentErrors),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(
        "there is no database at {}; nothing was created\n\
         hint: this command works on the bot's database: point DATABASE_URL at it (for example \
         with --env-file and the bot's settings), or create it by starting the bot once or with \
         `lidzdaliba-bot import --create`",
        .0.display()
    )]
    NoDatabase(std::path::PathBuf),
    #[error(
        "TELOXIDE_TOKEN is not set: put the token from @BotFather into .env or the environment \
         (TELOXIDE_TOKEN=123456:ABC...). `lidzdaliba-bot console` works without one."
    )]
    NoToken,
}

/// The Telegram bot with everything that runs beside it: the store synced with `content/`, the
/// engine over it, the runtime's settings; [`Application::run_until`] runs the bot, the
/// background work (usage counters, content folder, SIGHUP) and the `/healthz` and `/metrics`
/// server (on the webhook's own server when both listen on one address) until asked to stop.
/// This is `lidzdaliba-bot run`; the tests build and run the very same thing.
#[derive(Debug)]
pub struct Application {
    engine: Arc<Engine>,
    settings: bot::Settings,
    content_dir: PathBuf,
    health_listen: Option<SocketAddr>,
    /// The TAP portal and how often it is read (`None`: it is not).
    tap: Option<(String, Duration)>,
}

impl Application {
    /// Everything `run` needs, from `config`: fails without a token, or when the store or the
    /// content cannot be used (see [`build_engine`]).
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        let settings = bot::Settings::from_config(config).ok_or(StartError::NoToken)?;
        let engine = build_engine(config).await?;
        Ok(Self {
            engine,
            settings,
            content_dir: config.content_dir.clone(),
            health_listen: config.health_listen,
            tap: config
                .tap_sync_interval
                .map(|interval| (config.tap_url.clone(), interval)),
        })
    }

    /// The engine the bot answers with.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Where notifications to chats go (the TAP alerts after each sync): through the running
    /// bot's queues, below the replies; usable before [`Application::run_until`] starts it.
    pub fn notifier(&self) -> bot::Notifier {
        self.settings.notifier.clone()
    }

    /// The runtime's settings (a test shortens the long poll or the health limit here).
    pub fn settings_mut(&mut self) -> &mut bot::Settings {
        &mut self.settings
    }

    /// Runs the bot until `stop` resolves (for `run`: SIGINT or SIGTERM), then lets the replies
    /// in flight finish, writes the usage counters and returns; what is left waits in the
    /// inbox for the next start.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RunError> {
        let Self {
            engine,
            mut settings,
            content_dir,
            health_listen,
            tap,
        } = self;
        // The metrics recorder goes in before anything is counted.
        let _ = health::prometheus();
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stop.await;
            tracing::info!("shutdown requested; finishing the replies in flight");
            let _ = stopping.send(true);
        });
        let background = spawn_background(Arc::clone(&engine), content_dir, stopped.clone());
        let tap_sync = tap.and_then(|(url, interval)| {
            // Each follower's message goes to the runtime's lane below replies.
            let notifier = settings.notifier.clone();
            let notify: Notify = Arc::new(move |chat, reply| {
                if !notifier.notify(chat, reply) {
                    tracing::warn!(
                        chat = chat.0,
                        "a follower's message was dropped: the lane is full"
                    );
                }
            });
            spawn_tap_sync(Arc::clone(&engine), &url, interval, stopped.clone(), notify)
        });
        let routes = health::router(Arc::clone(&engine), Arc::clone(&settings.health));
        let mut health_server = None;
        match (health_listen, &settings.webhook) {
            (Some(addr), Some(hook)) if addr == hook.listen => settings.routes = Some(routes),
            (Some(addr), _) => {
                let stopped = stopped.clone();
                health_server = Some(tokio::spawn(async move {
                    if let Err(err) = health::serve(addr, routes, stopped).await {
                        tracing::error!(error = %err, %addr, "cannot serve /healthz and /metrics");
                    }
                }));
            }
            (None, _) => {}
        }
        let result = bot::run(settings, engine, stopped).await;
        let _ = background.await;
        if let Some(sync) = tap_sync {
            let _ = sync.await;
        }
        if let Some(server) = health_server {
            server.abort();
        }
        result
    }
}

/// Sets up `tracing` (the filter `RUST_LOG`, else `default_level`; JSON lines with
/// `LOG_FORMAT=json`) and routes the `log` records of dependencies (teloxide) into it. Silent
/// when called twice.
pub fn init_tracing(config: &Config, default_level: &str) {
    let json = config.log_json;
    let filter = config
        .log_filter
        .as_deref()
        .and_then(|filter| tracing_subscriber::EnvFilter::try_new(filter).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_log::LogTracer::init();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// The engine's background work until `shutdown`: usage counters written every 10 s (and at
/// the end), the content folder watched (changes imported after 500 ms of quiet), and SIGHUP
/// as a request to re-import.
pub(crate) fn spawn_background(
    engine: Arc<Engine>,
    content_dir: std::path::PathBuf,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (tx, mut changed) = tokio::sync::mpsc::channel::<()>(16);
        let _watcher = watch_folder(&content_dir, tx.clone());
        #[cfg(unix)]
        let mut hangup =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        let mut shutdown = shutdown;
        let mut flush = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            #[cfg(unix)]
            let hup = async {
                match hangup.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let hup = std::future::pending::<Option<()>>();
            tokio::select! {
                _ = flush.tick() => {
                    if let Err(err) = engine.flush_stats().await {
                        tracing::warn!(error = %err, "cannot write the usage counters");
                    }
                }
                Some(()) = changed.recv() => {
                    // Debounce: editors write several times; wait for quiet.
                    loop {
                        tokio::select! {
                            Some(()) = changed.recv() => {}
                            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => break,
                        }
                    }
                    tracing::info!("the content folder changed");
                    let _ = engine.sync_content().await;
                }
                _ = hup => {
                    tracing::info!("SIGHUP: importing the content");
                    let _ = engine.sync_content().await;
                }
                _ = shutdown.changed() => break,
            }
        }
        if let Err(err) = engine.flush_stats().await {
            tracing::warn!(error = %err, "cannot write the usage counters");
        }
    })
}

/// Hands a message to a chat to the runtime's lane below replies (never waits).
pub(crate) type Notify = Arc<dyn Fn(ChatId, Reply) + Send + Sync>;

/// Reads TAP at once and then every `interval` until `shutdown`; after each good read the
/// cards' counts are read again and each follower of something new gets one message. `None`
/// (and a log line) when `url` cannot be used.
fn spawn_tap_sync(
    engine: Arc<Engine>,
    url: &str,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
    notify: Notify,
) -> Option<tokio::task::JoinHandle<()>> {
    let source = match tap::HttpSource::new(url, tap::HttpOptions::default()) {
        Ok(source) => source,
        Err(err) => {
            tracing::error!(error = %err, url, "cannot read TAP; /open shows no data");
            return None;
        }
    };
    let syncer = Arc::new(tap::Syncer::new(source, engine.tap_db().clone()));
    let mapping = engine.tap_mapping();
    tracing::info!(url, every = ?interval, "reading TAP's public consultations");
    Some(tokio::spawn(tap::run_every(
        syncer,
        mapping,
        interval,
        shutdown,
        move |report| {
            let engine = Arc::clone(&engine);
            let notify = Arc::clone(&notify);
            tokio::spawn(async move { after_sync(&engine, &report, &*notify).await });
        },
    )))
}

/// What a good read of TAP changes: the cards' counts, and a message to each follower of
/// something new (through the runtime's lane below replies).
pub async fn after_sync(
    engine: &Engine,
    report: &tap::SyncReport,
    notify: &(dyn Fn(ChatId, Reply) + Send + Sync),
) {
    engine.refresh_tap().await;
    let new = report.new_ids();
    if new.is_empty() {
        return;
    }
    let digests = match engine
        .tap_db()
        .digests(&new, &clock::today_in_latvia())
        .await
    {
        Ok(digests) => digests,
        Err(err) => {
            tracing::error!(error = %err, "cannot find the followers of the new consultations");
            return;
        }
    };
    let followers = digests.len();
    for digest in digests {
        let reply = engine.digest(digest.chat_id, &digest.items).await;
        notify(digest.chat_id, reply);
    }
    tracing::info!(
        new = new.len(),
        followers,
        "followers told of new consultations"
    );
}

/// Watches `dir` for changes; each change sends a unit on `tx`. `None` (and a log line) if the
/// folder cannot be watched: reload then works through SIGHUP and /reload only.
fn watch_folder(
    dir: &std::path::Path,
    tx: tokio::sync::mpsc::Sender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !event.kind.is_access()
        {
            let _ = tx.try_send(());
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(err) => {
            tracing::warn!(error = %err, "cannot watch the content folder");
            return None;
        }
    };
    if let Err(err) = watcher.watch(dir, notify::RecursiveMode::NonRecursive) {
        tracing::warn!(error = %err, dir = %dir.display(), "cannot watch the content folder");
        return None;
    }
    Some(watcher)
}

/// For the commands that work on the bot's existing database (`stats`, `import`): a missing
/// file is an error naming it (as an absolute path, so a wrong working folder shows), instead of
/// a new empty database that would silently answer "nothing". In-memory URLs pass.
pub fn require_database(url: &str) -> Result<(), StartError> {
    match crate::store::database_file(url) {
        Some(file) if !file.exists() => Err(StartError::NoDatabase(
            std::path::absolute(&file).unwrap_or(file),
        )),
        _ => Ok(()),
    }
}

/// Opens the store and brings its content cache up to date with `content/`; also what that
/// import did.
///
/// Invalid content with a good cache: the errors are logged and the cache keeps being served.
/// Invalid content without a cache: start-up fails with the list of errors.
pub(crate) async fn open_store(config: &Config) -> Result<(Store, ImportOutcome), StartError> {
    let store = open_or_rebuild(&config.database_url).await?;
    let outcome = sync_content(&store, config).await?;
    Ok((store, outcome))
}

/// Opens the database. A missing file is created (the log says that language choices start
/// empty); a damaged one is moved aside and rebuilt from `content/` (the log says where it went
/// and that its language choices and counters are lost unless recovered from it).
pub async fn open_or_rebuild(url: &str) -> Result<Store, StartError> {
    let file = crate::store::database_file(url);
    if let Some(file) = &file
        && !file.exists()
    {
        tracing::warn!(
            file = %file.display(),
            "no database file: creating it and importing the content; language choices start empty"
        );
    }
    let opened = match Store::open(url).await {
        Ok(store) => match store.quick_check().await {
            Ok(true) => return Ok(store),
            Ok(false) => {
                store.close().await;
                Err(StoreError::Corrupt(
                    "SQLite's quick_check found damaged pages".into(),
                ))
            }
            Err(err) => {
                store.close().await;
                Err(err)
            }
        },
        Err(err) => Err(err),
    };
    let err = match opened {
        Ok(store) => return Ok(store),
        Err(err) => err,
    };
    let Some(file) = file.filter(|_| err.is_corrupt()) else {
        if let Some(hint) = err.hint() {
            tracing::error!(error = %err, hint, "cannot use the database");
        }
        return Err(err.into());
    };
    let aside = std::path::PathBuf::from(format!(
        "{}.corrupt-{}",
        file.display(),
        crate::clock::unix_now()
    ));
    tracing::error!(
        error = %err,
        file = %file.display(),
        moved_to = %aside.display(),
        "the database is damaged: moving it aside and rebuilding it from the content; the \
         language choices and counters in it are lost unless recovered from the moved file"
    );
    std::fs::rename(&file, &aside).map_err(|source| StoreError::Folder {
        path: file.display().to_string(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let side = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
        let _ = std::fs::remove_file(side);
    }
    Ok(Store::open(url).await?)
}

/// One import pass, logged; see [`open_store`] for what happens to invalid content.
pub(crate) async fn sync_content(
    store: &Store,
    config: &Config,
) -> Result<ImportOutcome, StartError> {
    match crate::engine::import(store, &config.content_dir).await {
        Ok(outcome) => {
            tracing::info!(hash = outcome.hash().short(), "{outcome}");
            Ok(outcome)
        }
        Err(SyncError::Content {
            errors,
            cached: Some(hash),
        }) => {
            for problem in &errors.0 {
                tracing::error!(%problem, "invalid content");
            }
            tracing::warn!(
                hash = hash.short(),
                "the content has errors; keeping the last good content"
            );
            Ok(ImportOutcome::Unchanged { hash })
        }
        Err(SyncError::Content {
            errors,
            cached: None,
        }) => Err(StartError::NoGoodContent(errors)),
        Err(SyncError::Store(err)) => Err(err.into()),
    }
}

/// Everything the console and the bot need: the store with current content and the engine.
pub async fn build_engine(config: &Config) -> Result<Arc<Engine>, StartError> {
    Ok(start_engine(config).await?.0)
}

/// [`build_engine`], and what the import at start did.
pub async fn start_engine(config: &Config) -> Result<(Arc<Engine>, ImportOutcome), StartError> {
    let (store, outcome) = open_store(config).await?;
    let users = store.load_languages().await?;
    tracing::debug!(users, "language choices loaded");
    let engine = Engine::new(store, config.default_language)
        .await?
        .with_admins(config.admins.clone())
        .with_content_dir(config.content_dir.clone())
        .with_tap_interval(config.tap_sync_interval);
    Ok((Arc::new(engine), outcome))
}

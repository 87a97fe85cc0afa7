//! The Telegram runtime: updates in (long polling, or a webhook), answered fairly, replies out.
//!
//! - **Intake** (`intake.rs`): each batch of updates is written to the inbox in SQLite (one
//!   row, while the updates are parsed) before anything else; only then does the poller
//!   confirm the offset (the next `getUpdates`). The webhook answers Telegram 200 once the
//!   update is written. Answered updates are marked done in batches; what the inbox holds at
//!   start is queued again, so a crash loses nothing.
//! - **Queues** (`queue.rs`): each update goes to its chat's lane, in order; a chat holds at
//!   most `BOT_CHAT_BACKLOG` waiting updates (the oldest are dropped and marked done in the
//!   inbox, the chat gets one notice). [`WORKERS`] workers take turns round robin, one update of one
//!   chat a turn, so no chat gets a second turn while another waits for its first. A chat that
//!   must wait (Telegram's 1/s or 20/min, or a `retry_after` for it) is parked and holds up no
//!   worker. Button acknowledgements and inline answers have lanes of their own, served first.
//! - **Polling** goes on while chats are busy: the poller fetches more whenever no lane waits
//!   for a worker, whatever the parked chats hold.
//! - **The Bot API** (`api.rs`): one client for every method (one HTTP connection pool, one
//!   error type); `send.rs` has the one retry path (`with_retry`, and `until_done` for the
//!   calls the bot cannot start without). Transient failures are tried again until the
//!   reply's deadline (`BOT_REPLY_DEADLINE` after its update arrived; the update stays in the
//!   inbox meanwhile), through one circuit (`circuit.rs`) that lets one probe at a time through
//!   while the Bot API keeps failing. A `retry_after` on a message to one chat pauses that
//!   chat, one on any other call (or on several chats within 5 s) pauses every request
//!   (`api::Gate`). A group that became a supergroup is followed (`moves.rs`). teloxide is
//!   used for its types only.
//! - **Health** (`crate::health`): `getMe` at start, then every successful `getUpdates`, or in
//!   webhook mode a periodic `getWebhookInfo`; **profile and menu**: `setMyCommands`,
//!   `setMyDescription` and `setMyShortDescription` at start, in the language the replies are
//!   in.
//!
//! The polling loop is our own rather than teloxide's `Dispatcher`, which offers none of this
//! and whose client waits about 10 s after a 5xx. SIGINT and SIGTERM stop the intake, answer
//! what is waiting for a worker for up to 3 s, and leave the rest in the inbox for the next
//! start.

mod api;
mod circuit;
mod intake;
mod moves;
mod poll;
mod queue;
mod send;
mod unchanged;
pub mod webhook;

use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::types::{
    BotCommand, BotCommandScope, CallbackQuery, ChatId, ChatKind as TgChatKind, ChatMigration,
    MaybeInaccessibleMessage, Message, UpdateKind,
};
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::config::{ExposeSecret, SecretString};
use crate::engine::{ChatKind, Command, Engine, Input, Parsed, Request, command};
use crate::health::Health;
pub use webhook::Webhook;

use api::{Client, Gate, Scope};
use intake::{Intake, Item, Work};
use moves::Moves;
use queue::{Lane, Limits, Scheduler, Turn};
pub use send::Backoff;
use send::{Delivery, Failed};

/// Workers answering at the same time: enough to hide the Bot API's latency, few enough to
/// keep the HTTP connections (and file descriptors) bounded. A crash answers at most the
/// updates of their turns, plus those answered and not yet marked done in the inbox
/// ([`DONE_BATCH`]), a second time.
pub const WORKERS: usize = 32;
pub use intake::DONE_BATCH;

/// Updates held in memory at most (waiting, parked or in a turn); above it the poller and the
/// webhook wait. Each chat holds at most its backlog, so this bounds the number of flooding
/// chats, not the length of any one queue.
pub const MAX_HELD: usize = 4096;

/// The poller fetches more only while fewer turns than this are in progress (and no chat waits
/// for a worker): what it fetches is then answered at once instead of waiting behind turns
/// that have just started. Chats waiting for their time (parked) do not count.
const POLL_BELOW: usize = WORKERS / 4;

/// While updates keep coming, a `getUpdates` starts at least this long after the one before
/// (unless that one brought a full batch): a steady stream then comes in batches rather than
/// one or two updates a call, each with its own inbox row and done marks (at 500 updates/s
/// this cut the CPU per reply from about 370 to 130 µs in the end-to-end benchmark), and
/// an update waits at most this long for it. A long poll that waited still returns at the
/// first update, so a quiet bot answers as fast as before.
const POLL_SPACING: Duration = Duration::from_millis(50);

/// Updates asked for with each `getUpdates` (Telegram's maximum).
const POLL_LIMIT: u8 = 100;

/// After a stop is requested, lanes in line are answered for this long; the rest (and parked
/// chats) stay in the inbox for the next start.
const DRAIN: Duration = Duration::from_secs(3);
/// Then turns in progress get this long before they are cut (their updates stay in the inbox).
const GRACE: Duration = Duration::from_secs(3);

/// How often a `retry_after` for its chat may pause one update before it is given up.
const MAX_PAUSES: u8 = 5;

/// The calls at start that are not needed to answer (the command menu, the profile) are
/// tried for this long.
const SETUP_DEADLINE: Duration = Duration::from_secs(5);

/// The update kinds the bot asks for.
const ALLOWED_UPDATES: &[&str] = &["message", "callback_query", "inline_query"];

/// Settings of the Telegram runtime (the token and the webhook secret are [`SecretString`]s,
/// which `Debug` does not show).
#[derive(Debug, Clone)]
pub struct Settings {
    pub token: SecretString,
    pub api_url: Option<String>,
    pub throttle: bool,
    /// Long-polling timeout in seconds (the request may take 10 s more).
    pub poll_timeout: u32,
    /// Webhook mode instead of long polling.
    pub webhook: Option<Webhook>,
    /// Where the runtime reports its contact with the Bot API.
    pub health: Arc<Health>,
    /// `BOT_CHAT_BACKLOG`: updates a chat may have waiting; older ones are dropped.
    pub chat_backlog: usize,
    /// `BOT_REPLY_DEADLINE`: how long after an update arrived its reply is still tried.
    pub reply_deadline: Duration,
    /// More routes for the webhook's HTTP server (`/healthz`, `/metrics` on the same port).
    pub routes: Option<axum::Router>,
}

impl Settings {
    /// The runtime settings from the configuration; `None` without a token. Its health is
    /// `starting` from now on (a health server may listen before the runtime runs).
    pub fn from_config(config: &crate::config::Config) -> Option<Self> {
        let webhook = config.webhook();
        let health = Health::default();
        health.starting(signal_of(webhook.as_ref()));
        Some(Self {
            token: config.token.clone()?,
            api_url: config.api_url.clone(),
            throttle: config.throttle,
            poll_timeout: 10,
            webhook,
            health: Arc::new(health),
            chat_backlog: config.chat_backlog,
            reply_deadline: config.reply_deadline,
            routes: None,
        })
    }
}

/// Where health is read from in webhook mode or in polling mode.
fn signal_of(webhook: Option<&Webhook>) -> crate::health::Signal {
    match webhook {
        Some(_) => crate::health::Signal::GetWebhookInfo,
        None => crate::health::Signal::GetUpdates,
    }
}

/// Why the runtime stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("TELOXIDE_API_URL is not a valid URL: {0}")]
    ApiUrl(String),
    #[error("the Bot API rejected the token ({0}); check TELOXIDE_TOKEN")]
    Unauthorized(String),
    #[error("cannot serve the webhook on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
}

/// Runs the bot until `shutdown` turns true. Turns in progress finish, updates waiting for a
/// worker get [`DRAIN`], and the update offset is confirmed before it returns; what is left
/// waits in the inbox for the next start.
pub async fn run(
    settings: Settings,
    engine: Arc<Engine>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let client = Client::new(
        settings.api_url.as_deref(),
        settings.token.expose_secret(),
        settings.throttle,
        Arc::new(Gate::default()),
    )
    .map_err(RunError::ApiUrl)?;
    serve(client, settings, engine, shutdown).await
}

/// Resolves when SIGINT or SIGTERM arrives.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

struct Runtime {
    /// Every Bot API call; messages rate-limited when `BOT_THROTTLE` is on.
    client: Client,
    engine: Arc<Engine>,
    username: String,
    health: Arc<Health>,
    /// For messages to other chats than the one answered (alerts to admins).
    sched: Arc<Scheduler<Item>>,
    /// Groups that became supergroups.
    moves: Arc<Moves>,
    inbox: crate::store::Inbox,
    /// `BOT_REPLY_DEADLINE`, for the bot's own messages (alerts).
    reply_deadline: Duration,
    /// What the bot last put in the messages it edited.
    shown: unchanged::Shown,
}

/// How a turn ended.
enum TurnEnd {
    /// Answered (or given up), with the outcome to log.
    Done(&'static str),
    /// The chat must wait this long (a `retry_after` for it); the turn resumes then.
    Paused(Duration),
    /// The bot is stopping while the reply waited to be tried again: the update stays in the
    /// inbox for the next start.
    Kept,
}

/// What the engine made of an update.
enum Prepared {
    Done(&'static str),
    /// The bot is stopping before the answer could go: the update stays in the inbox.
    Kept,
    /// A reply to deliver, and the outcome once it is delivered.
    Deliver(Delivery, &'static str),
}

async fn serve(
    client: Client,
    settings: Settings,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    settings
        .health
        .starting(signal_of(settings.webhook.as_ref()));
    // What the last run left in the inbox is read while getMe and setMyCommands go out.
    let left = tokio::spawn({
        let inbox = engine.store().inbox();
        async move {
            let waiting = inbox.waiting().await?;
            let offset = inbox.offset(crate::clock::unix_now() as i64).await?;
            let moves = inbox.chat_moves().await?;
            Ok::<_, crate::store::StoreError>((waiting, offset, moves))
        }
    });
    let Some(username) = get_me(&client, &mut shutdown).await? else {
        return Ok(());
    };
    settings.health.answered();
    tracing::info!(bot = %username, "connected to the Bot API");
    // Cards carry their permalink t.me/<username>?start=<payload> from now on.
    engine.set_username(&username).await;
    register_commands(&client, &engine).await;
    // Beside the updates: the profile matters to new users only, and a 429 on it must not
    // hold up the first answers longer than the gate does.
    let profile = tokio::spawn(set_profile(client.clone(), Arc::clone(&engine)));
    let pace = client.clone();
    let sched = Arc::new(Scheduler::new(
        Limits {
            per_chat: settings.chat_backlog,
            max_held: MAX_HELD,
            poll_below: POLL_BELOW,
        },
        Box::new(move |lane, now| match lane {
            Lane::Chat(chat) => pace.chat_ready_at(chat, now),
            Lane::Ack(_) | Lane::Inline(_) => None,
        }),
    ));
    // Where the last run stopped polling (updates below it are in the inbox or answered),
    // what it left, and the groups that moved.
    let (left, start_offset, moves) = match left.await {
        Ok(Ok((waiting, offset, moves))) => (Some(waiting), offset.unwrap_or(0), moves),
        Ok(Err(err)) => {
            tracing::error!(error = %err, "cannot read the inbox");
            (None, 0, Vec::new())
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot read the inbox");
            (None, 0, Vec::new())
        }
    };
    let moves = Arc::new(Moves::new(moves));
    let intake = Arc::new(Intake::new(
        engine.store().inbox(),
        Arc::clone(&sched),
        Arc::clone(&moves),
        settings.reply_deadline,
    ));
    let runtime = Arc::new(Runtime {
        client,
        inbox: engine.store().inbox(),
        engine,
        username,
        health: Arc::clone(&settings.health),
        sched: Arc::clone(&sched),
        moves,
        reply_deadline: settings.reply_deadline,
        shown: unchanged::Shown::default(),
    });
    let timer = tokio::spawn({
        let sched = Arc::clone(&sched);
        async move { sched.run_timer().await }
    });
    let recorder = tokio::spawn({
        let intake = Arc::clone(&intake);
        async move { intake.run_recorder().await }
    });
    let mut workers = JoinSet::new();
    for _ in 0..WORKERS {
        workers.spawn(work(
            Arc::clone(&runtime),
            Arc::clone(&sched),
            Arc::clone(&intake),
        ));
    }
    if let Some(waiting) = left {
        let count = intake.replay(waiting);
        if count > 0 {
            tracing::info!(count, "answering the updates left in the inbox");
        }
    }
    let result = match settings.webhook.clone() {
        Some(hook) => {
            serve_webhook(
                &runtime.client,
                hook,
                settings.routes.clone(),
                Arc::clone(&runtime.health),
                Arc::clone(&intake),
                shutdown,
            )
            .await
        }
        None => {
            poll(
                &runtime.client,
                &settings,
                &runtime.health,
                &intake,
                &sched,
                start_offset,
                shutdown,
            )
            .await
        }
    };
    // No more intake. Lanes in line are answered for a while (nothing is tried again);
    // parked chats and whatever is left wait in the inbox for the next start.
    sched.close();
    runtime.client.circuit().stop_retrying();
    finish(&mut workers, &sched).await;
    sched.abandon();
    profile.abort();
    let _ = timer.await;
    intake.stop_recording(recorder).await;
    tracing::info!("stopped");
    result
}

/// Waits for the workers after `close`: [`DRAIN`] to answer what is in line, then
/// [`GRACE`] for the turns in progress, then cuts them.
async fn finish(workers: &mut JoinSet<()>, sched: &Scheduler<Item>) {
    async fn join_all(workers: &mut JoinSet<()>) {
        while let Some(joined) = workers.join_next().await {
            if let Err(err) = joined
                && err.is_panic()
            {
                tracing::error!(error = %err, "a worker failed");
            }
        }
    }
    if tokio::time::timeout(DRAIN, join_all(workers)).await.is_ok() {
        return;
    }
    let waiting = sched.held();
    tracing::info!(
        waiting,
        "stopping: the updates still waiting are kept in the inbox"
    );
    sched.abandon();
    if tokio::time::timeout(GRACE, join_all(workers))
        .await
        .is_err()
    {
        tracing::warn!(
            "stopping: cutting turns still in progress; their updates stay in the inbox"
        );
        workers.abort_all();
        join_all(workers).await;
    }
}

/// One worker: takes turns until the scheduler stops.
async fn work(runtime: Arc<Runtime>, sched: Arc<Scheduler<Item>>, intake: Arc<Intake>) {
    while let Some(Turn { lane, mut item }) = sched.next().await {
        // A panic in one turn must not take the worker, and with it the chat, down. The turn
        // is pinned in place: boxing it would copy a future of several KB per update.
        let end = CatchUnwind(std::pin::pin!(runtime.turn(&mut item))).await;
        match end {
            Ok(TurnEnd::Paused(wait)) => sched.pause(lane, item, Instant::now() + wait),
            // Not marked done: the next start answers it.
            Ok(TurnEnd::Kept) => sched.done(lane),
            Ok(TurnEnd::Done(_)) | Err(()) => {
                if end.is_err() {
                    tracing::error!("answering an update panicked; it is dropped");
                    metrics::counter!("bot_errors_total", "kind" => "panic").increment(1);
                }
                if let Some(id) = item.id {
                    intake.answered(id, item.batch);
                }
                sched.done(lane);
            }
        }
    }
}

/// A future that turns a panic while it is polled into `Err(())`.
struct CatchUnwind<'a, F>(std::pin::Pin<&'a mut F>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<'_, F> {
    type Output = Result<F::Output, ()>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(poll) => poll.map(Ok),
            Err(_) => std::task::Poll::Ready(Err(())),
        }
    }
}

/// Long polling from `offset` until `shutdown`; the offset is confirmed at the end.
#[allow(clippy::too_many_arguments)] // the runtime's parts, each used here
async fn poll(
    client: &Client,
    settings: &Settings,
    health: &Health,
    intake: &Intake,
    sched: &Scheduler<Item>,
    mut offset: i64,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let gate = client.gate();
    // A webhook left from an earlier run would make getUpdates fail with 409.
    let no_parameters = serde_json::json!({});
    let until = Instant::now() + SETUP_DEADLINE;
    let deleted = send::with_retry(client, Scope::Bot, "deleteWebhook", until, || {
        client.call::<bool>("deleteWebhook", &no_parameters)
    })
    .await;
    if let Err(err) = deleted {
        tracing::warn!(error = %err, "deleteWebhook failed");
    }
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut next_poll = Instant::now();
    while !*shutdown.borrow() {
        // More only when everything fetched so far has a worker or waits for its chat's time.
        tokio::select! {
            _ = sched.room() => {}
            _ = shutdown.changed() => break,
        }
        tokio::select! {
            _ = async {
                tokio::time::sleep_until(next_poll.into()).await;
                gate.wait().await;
            } => {}
            _ = shutdown.changed() => break,
        }
        let asked = Instant::now();
        let request = poll::get_updates(
            client,
            offset,
            settings.poll_timeout,
            POLL_LIMIT,
            ALLOWED_UPDATES,
        );
        let result = tokio::select! {
            result = request => result,
            _ = shutdown.changed() => break,
        };
        match result {
            Ok(fetched) => {
                backoff.reset();
                health.polled();
                if fetched.count < usize::from(POLL_LIMIT) {
                    next_poll = asked + POLL_SPACING;
                }
                let (Some(first), Some(last)) = (fetched.first_id, fetched.last_id) else {
                    // Nothing, or only updates handed out before (a server that ignores the
                    // offset): they are in the inbox or answered.
                    continue;
                };
                // In the inbox before the next getUpdates confirms them. SQLite writes the
                // batch on its own thread while the updates are parsed here.
                let store = intake.store_polled(first, last, &fetched.result);
                let parse = async { poll::parse(&fetched.result, offset) };
                let (stored, updates) = tokio::join!(store, parse);
                if let Err(err) = stored {
                    let wait = backoff.next_delay();
                    tracing::error!(error = %err, retry_in_ms = wait.as_millis() as u64, "cannot write updates to the inbox; fetching them again");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => break,
                    }
                    continue;
                }
                intake.queue_polled(first, updates);
                offset = last + 1;
            }
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                return Err(RunError::Unauthorized("getUpdates: invalid token".into()));
            }
            Err(err) => {
                let wait = match &err {
                    // Every request waits, not only the polling.
                    RequestError::RetryAfter(after) => {
                        gate.retry_after(Scope::Bot, after.duration(), Instant::now());
                        after.duration()
                    }
                    _ => backoff.next_delay(),
                };
                tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "getUpdates failed");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => break,
                }
            }
        }
    }
    confirm_offset(client, offset).await;
    Ok(())
}

/// Registers the webhook, then serves it until `shutdown`; requests in flight finish. Each
/// update is written to the inbox and queued before Telegram gets its 200. The webhook stays
/// registered, so Telegram keeps the updates that arrive while the bot is down.
async fn serve_webhook(
    client: &Client,
    hook: Webhook,
    routes: Option<axum::Router>,
    health: Arc<Health>,
    intake: Arc<Intake>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let listener = tokio::net::TcpListener::bind(hook.listen)
        .await
        .map_err(|e| RunError::Listen(hook.listen, e))?;
    let registration = serde_json::json!({
        "url": hook.url.as_str(),
        "secret_token": hook.secret.expose_secret(),
        "allowed_updates": ALLOWED_UPDATES,
    });
    let registered = send::until_done(client.gate(), "setWebhook", &mut shutdown, || {
        client.call::<bool>("setWebhook", &registration)
    })
    .await;
    match registered {
        None => return Ok(()),
        Some(Ok(_)) => {}
        Some(Err(err)) => return Err(RunError::Unauthorized(format!("setWebhook: {err}"))),
    }
    health.webhook_mode();
    tracing::info!(url = %hook.url, listen = %hook.listen, "webhook registered");
    let checker = tokio::spawn(check_webhook(
        client.clone(),
        hook.url.to_string(),
        Arc::clone(&health),
        shutdown.clone(),
    ));
    let handle: webhook::Handle = Arc::new(move |received, raw| {
        let intake = Arc::clone(&intake);
        let health = Arc::clone(&health);
        Box::pin(async move {
            health.webhook_delivered();
            intake.admit().await;
            match intake.accept_one(received, &raw).await {
                Ok(()) => true,
                Err(err) => {
                    tracing::error!(error = %err, "cannot write a webhook update to the inbox; Telegram will send it again");
                    false
                }
            }
        })
    });
    let mut app = webhook::router(&hook, handle);
    if let Some(routes) = routes {
        app = app.merge(routes);
    }
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            while !*shutdown.borrow() {
                if shutdown.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
    checker.abort();
    if let Err(err) = served {
        tracing::error!(error = %err, "the webhook server failed");
    }
    Ok(())
}

/// Webhook mode's health signal: `getWebhookInfo` now and every [`Health::check_every`], until
/// `shutdown`. Updates may not come for hours; this says whether Telegram still has our URL
/// and delivers to it.
async fn check_webhook(
    sender: Client,
    url: String,
    health: Arc<Health>,
    mut shutdown: watch::Receiver<bool>,
) {
    let no_parameters = serde_json::json!({});
    // The last delivery error logged, so that each is logged once.
    let mut logged_error = None;
    while !*shutdown.borrow() {
        tokio::select! {
            _ = sender.gate().wait() => {}
            _ = shutdown.changed() => return,
        }
        let info = tokio::select! {
            info = sender.call::<api::WebhookInfo>("getWebhookInfo", &no_parameters) => info,
            _ = shutdown.changed() => return,
        };
        match info {
            Ok(info) => {
                let registered = info.url == url;
                if !registered {
                    tracing::error!(registered = %info.url, "Telegram does not have this bot's webhook URL: updates do not reach it");
                }
                let last_error = info
                    .last_error_date
                    .filter(|at| *at > 0)
                    .map(|at| (at, info.last_error_message.unwrap_or_default()));
                if let Some((at, message)) = &last_error
                    && logged_error != Some(*at)
                {
                    logged_error = Some(*at);
                    tracing::warn!(
                        seconds_ago = crate::clock::unix_now().saturating_sub(*at),
                        pending = info.pending_update_count,
                        %message,
                        "Telegram reports a failed delivery to the webhook"
                    );
                }
                health.webhook_checked(crate::health::WebhookReport {
                    registered,
                    pending_update_count: info.pending_update_count,
                    last_error,
                });
            }
            Err(RequestError::RetryAfter(after)) => {
                sender
                    .gate()
                    .retry_after(Scope::Bot, after.duration(), Instant::now());
            }
            Err(err) => tracing::warn!(error = %err, "getWebhookInfo failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(health.check_every()) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// `getMe` until it works: the bot's username; `None` if a shutdown came first.
async fn get_me(
    client: &Client,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<Option<String>, RunError> {
    match send::until_done(client.gate(), "getMe", shutdown, || client.get_me()).await {
        None => Ok(None),
        Some(Ok(username)) => Ok(Some(username)),
        Some(Err(err)) => Err(RunError::Unauthorized(format!("getMe: {err}"))),
    }
}

/// `setMyCommands` for the default scope, and for each admin's private chat the same list with
/// the admin commands added: each in the default language without a language code, which
/// Telegram shows to every user whose code has no list of its own, and in the other language
/// for that language's code. So the menu is in the language the replies are in
/// ([`Engine::telegram_language`]) whatever the user's Telegram language.
async fn register_commands(client: &Client, engine: &Engine) {
    let mut scopes = vec![(BotCommandScope::Default, Command::PUBLIC.to_vec())];
    for admin in engine.admins() {
        let mut all = Command::PUBLIC.to_vec();
        all.extend(Command::ADMIN);
        let chat = teloxide::types::Recipient::Id(ChatId(*admin));
        scopes.push((BotCommandScope::Chat { chat_id: chat }, all));
    }
    let default = engine.default_language();
    let until = Instant::now() + SETUP_DEADLINE;
    for (scope, list) in scopes {
        for lang in [default, default.other()] {
            let commands: Vec<BotCommand> = list
                .iter()
                .map(|c| BotCommand::new(c.name(), engine.string(lang, c.description_key())))
                .collect();
            let mut body = serde_json::json!({"commands": commands, "scope": scope});
            if lang != default {
                body["language_code"] = lang.code().into();
            }
            let result = send::with_retry(client, Scope::Bot, "setMyCommands", until, || {
                client.call::<bool>("setMyCommands", &body)
            })
            .await;
            if let Err(err) = result {
                tracing::warn!(error = %err, lang = %lang, "setMyCommands failed");
            }
        }
    }
}

/// The bot's profile from `ui.toml`: `setMyDescription` (the "What can this bot do?" screen
/// before the first message) and `setMyShortDescription` (the profile page, shared links), in
/// the default language without a language code and in the other language with its code, like
/// the command menu. Each is set only when `getMyDescription` / `getMyShortDescription`
/// returns something else: Telegram limits how often they may change.
async fn set_profile(sender: Client, engine: Arc<Engine>) {
    const FIELDS: [(&str, &str, &str, &str); 2] = [
        (
            "getMyDescription",
            "setMyDescription",
            "description",
            "bot_description",
        ),
        (
            "getMyShortDescription",
            "setMyShortDescription",
            "short_description",
            "bot_short_description",
        ),
    ];
    let default = engine.default_language();
    // Beside the answers, so it may take longer.
    let until = Instant::now() + SETUP_DEADLINE * 12;
    for lang in [default, default.other()] {
        let code = (lang != default).then(|| lang.code());
        for (get, set, field, key) in FIELDS {
            let wanted = engine.string(lang, key);
            let mut query = serde_json::Map::new();
            if let Some(code) = code {
                query.insert("language_code".into(), code.into());
            }
            let current = send::with_retry(&sender, Scope::Bot, get, until, || {
                sender.call::<serde_json::Value>(get, &query)
            })
            .await;
            match current {
                Ok(current) if current[field].as_str() == Some(wanted.as_str()) => {
                    tracing::debug!(method = set, lang = %lang, "the bot profile is up to date");
                    continue;
                }
                Ok(_) => {}
                // Setting it anyway costs one call; not setting it could leave it empty.
                Err(err) => {
                    tracing::warn!(method = get, error = %err, "cannot read the bot profile")
                }
            }
            let mut body = query.clone();
            body.insert(field.into(), wanted.into());
            match send::with_retry(&sender, Scope::Bot, set, until, || {
                sender.call::<serde_json::Value>(set, &body)
            })
            .await
            {
                Ok(_) => tracing::info!(method = set, lang = %lang, "bot profile updated"),
                Err(err) => {
                    tracing::warn!(method = set, lang = %lang, error = %err, "cannot set the bot profile")
                }
            }
        }
    }
}

/// Confirms everything below `offset` so that no update is handed out again.
async fn confirm_offset(client: &Client, offset: i64) {
    if offset == 0 {
        return;
    }
    for attempt in 1..=3 {
        match poll::get_updates(client, offset, 0, 1, ALLOWED_UPDATES).await {
            Ok(_) => {
                tracing::info!(offset, "update offset confirmed");
                return;
            }
            Err(err) => {
                tracing::warn!(error = %err, attempt, "cannot confirm the update offset");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

impl Runtime {
    /// One turn: an update answered (or its interrupted reply resumed), a button
    /// acknowledged, or a notice sent.
    async fn turn(&self, item: &mut Item) -> TurnEnd {
        let (id, kind) = match &item.work {
            Work::Update(update) => (update.id.0, kind_name(&update.kind)),
            Work::Ack(query) => return self.acknowledge(query, item.deadline).await,
            Work::Notice { .. } => return self.notice(item).await,
            Work::Alert => return self.deliver(item).await,
        };
        let started = Instant::now();
        let span = tracing::info_span!(
            "update",
            id,
            kind,
            handler = tracing::field::Empty,
            outcome = tracing::field::Empty,
            ms = tracing::field::Empty,
        );
        let end = self.answer(item).instrument(span.clone()).await;
        let elapsed = started.elapsed();
        span.record("ms", elapsed.as_secs_f64() * 1000.0);
        let outcome = match end {
            TurnEnd::Done(outcome) => outcome,
            TurnEnd::Kept => {
                span.record("outcome", "kept");
                return end;
            }
            TurnEnd::Paused(wait) => {
                span.record("outcome", "paused");
                span.in_scope(|| {
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        "update paused: the chat must wait"
                    )
                });
                return end;
            }
        };
        span.record("outcome", outcome);
        span.in_scope(|| tracing::info!("update handled"));
        metrics::counter!("bot_updates_total", "kind" => kind).increment(1);
        metrics::histogram!("bot_handler_seconds", "kind" => kind).record(elapsed.as_secs_f64());
        match outcome {
            "replied" | "edited" | "answered" => {
                metrics::counter!("bot_replies_total").increment(1);
            }
            "send-failed" => {
                metrics::counter!("bot_errors_total", "kind" => "send").increment(1);
            }
            "expired" => metrics::counter!("bot_replies_expired_total").increment(1),
            _ => {}
        }
        end
    }

    /// Asks the engine (unless a reply is already on its way), then delivers the reply.
    /// Works on the update by reference: a `Message` is about 2 KB.
    async fn answer(&self, item: &mut Item) -> TurnEnd {
        if item.delivery.is_none() {
            let Work::Update(update) = &item.work else {
                return TurnEnd::Done("ignored");
            };
            if Instant::now() >= item.deadline {
                // Waited past its deadline (a long outage, or an old update after a restart).
                tracing::error!("the update is dropped unanswered: BOT_REPLY_DEADLINE has passed");
                return TurnEnd::Done("expired");
            }
            let prepared = match &update.kind {
                UpdateKind::Message(message) => self.on_message(message).await,
                UpdateKind::CallbackQuery(query) => self.on_callback(query).await,
                UpdateKind::InlineQuery(query) => self.on_inline(query, item.deadline).await,
                _ => Prepared::Done("ignored"),
            };
            match prepared {
                Prepared::Done(outcome) => return TurnEnd::Done(outcome),
                Prepared::Kept => return TurnEnd::Kept,
                Prepared::Deliver(delivery, outcome) => {
                    item.delivery = Some(Box::new(delivery));
                    item.outcome = outcome;
                }
            }
        }
        self.deliver(item).await
    }

    /// Sends what is left of the item's reply until its deadline. A `retry_after` for the
    /// chat pauses the turn (the reply keeps its place); a migrated group gets it in its new
    /// chat; past the deadline the reply is dropped; any other refusal gives it up.
    async fn deliver(&self, item: &mut Item) -> TurnEnd {
        let Some(delivery) = item.delivery.as_mut() else {
            return TurnEnd::Done(item.outcome);
        };
        let mut result = Err(Failed::Stopped);
        // A second round only after a migration, to the new chat.
        for _ in 0..2 {
            if let Some(to) = self.moves.to(delivery.chat().0) {
                delivery.follow(ChatId(to));
            }
            let (chat, edit) = (delivery.chat().0, delivery.edit_target());
            result = send::deliver(&self.client, delivery, item.deadline).await;
            match (delivery.replaced(), edit) {
                (Some((message, shows)), _) => self.shown.set(chat, message.0, shows),
                (None, Some(message)) => self.shown.forget(chat, message.0),
                (None, None) => {}
            }
            let Err(Failed::Refused(RequestError::MigrateToChatId(to))) = &result else {
                break;
            };
            let from = delivery.chat().0;
            self.moves.moved(from, to.0, &self.sched, &self.inbox).await;
        }
        match result {
            Ok(()) => {
                item.delivery = None;
                TurnEnd::Done(item.outcome)
            }
            Err(Failed::Refused(RequestError::RetryAfter(after))) if item.pauses < MAX_PAUSES => {
                item.pauses += 1;
                TurnEnd::Paused(after.duration())
            }
            Err(Failed::Stopped) => TurnEnd::Kept,
            Err(Failed::Expired(last)) => {
                item.delivery = None;
                let last = last.map(|e| e.to_string()).unwrap_or_default();
                tracing::error!(last_error = %last, "the reply is dropped: the Bot API did not take it before BOT_REPLY_DEADLINE");
                TurnEnd::Done("expired")
            }
            Err(err) => {
                item.delivery = None;
                tracing::error!(error = %err, "cannot send the reply");
                TurnEnd::Done("send-failed")
            }
        }
    }

    /// The one notice to a flooded chat: it obeys the chat's rate limits like any message.
    async fn notice(&self, item: &mut Item) -> TurnEnd {
        if item.delivery.is_none() {
            let Work::Notice {
                chat,
                user_id,
                language_code,
            } = &item.work
            else {
                return TurnEnd::Done("ignored");
            };
            let lang = self
                .engine
                .language(*user_id, language_code.as_deref())
                .await;
            let text = crate::render::escape(&self.engine.string(lang, "backlog_notice"));
            item.delivery = Some(Box::new(Delivery::text(*chat, text)));
            item.outcome = "notice";
        }
        let end = self.deliver(item).await;
        if let TurnEnd::Done("notice") = end {
            tracing::info!("sent the notice about too many messages");
        }
        end
    }

    /// Queues each alert in its chat's lane: it is sent in a turn of that chat, under the
    /// same rate limits and retries as any reply (not kept in the inbox: a report alerted
    /// and then lost to a crash is still listed by `/reports`).
    fn alert(&self, alerts: Vec<crate::engine::Alert>) {
        let deadline = Instant::now() + self.reply_deadline;
        for alert in alerts {
            let chat = self.moves.current(alert.chat);
            let delivery = Delivery::text(ChatId(chat), alert.text);
            let pushed = self
                .sched
                .push(Lane::Chat(chat), Item::alert(delivery, deadline));
            if !pushed.dropped.is_empty() {
                metrics::counter!("bot_updates_dropped_total", "reason" => pushed.reason)
                    .increment(pushed.dropped.len() as u64);
            }
        }
    }

    /// `answerCallbackQuery`: the client shows a spinner until it is answered.
    /// A press of a button this version never made gets the engine's toast with it.
    async fn acknowledge(&self, query: &CallbackQuery, until: Instant) -> TurnEnd {
        let toast = self
            .engine
            .toast(
                query.from.id.0 as i64,
                query.from.language_code.as_deref(),
                query.data.as_deref(),
            )
            .await;
        let body = match toast {
            Some(text) => serde_json::json!({ "callback_query_id": query.id, "text": text }),
            None => serde_json::json!({ "callback_query_id": query.id }),
        };
        let answered = send::with_retry(
            &self.client,
            Scope::Bot,
            "answerCallbackQuery",
            until,
            || self.client.call::<bool>("answerCallbackQuery", &body),
        )
        .await;
        TurnEnd::Done(match answered {
            Ok(_) => "acknowledged",
            // Late (after a restart, or a long wait): the spinner has stopped by itself.
            Err(Failed::Refused(RequestError::Api(ApiError::InvalidQueryId)))
            | Err(Failed::Expired(_)) => {
                tracing::debug!("a button press was acknowledged too late");
                "too-late"
            }
            Err(Failed::Stopped) => return TurnEnd::Kept,
            Err(err) => {
                tracing::warn!(error = %err, "answerCallbackQuery failed");
                "send-failed"
            }
        })
    }

    async fn on_message(&self, message: &Message) -> Prepared {
        if let Some(migration) = message.chat_migration() {
            // Telegram's service message in the old group or in the new supergroup.
            let (from, to) = match migration {
                ChatMigration::To { chat_id } => (message.chat.id.0, chat_id.0),
                ChatMigration::From { chat_id } => (chat_id.0, message.chat.id.0),
            };
            self.moves.moved(from, to, &self.sched, &self.inbox).await;
            return Prepared::Done("chat-moved");
        }
        let chat = match &message.chat.kind {
            TgChatKind::Private(_) => ChatKind::Private,
            TgChatKind::Public(public) => match public.kind {
                teloxide::types::PublicChatKind::Channel(_) => return Prepared::Done("ignored"),
                _ => ChatKind::Group,
            },
        };
        let Some(user) = message.from.as_ref() else {
            return Prepared::Done("ignored");
        };
        let input = match message.text() {
            Some(text) => match command::parse(text, Some(&self.username)) {
                Parsed::Command { name, arg } => Input::Command { name, arg },
                Parsed::OtherBot => return Prepared::Done("other-bot"),
                Parsed::Text(text) if chat == ChatKind::Private => Input::Text(text),
                Parsed::Text(_) => return Prepared::Done("ignored"),
            },
            None if chat == ChatKind::Private => Input::NotText,
            None => return Prepared::Done("ignored"),
        };
        tracing::Span::current().record("handler", input_name(&input));
        let request = Request {
            user_id: user.id.0 as i64,
            language_code: user.language_code.clone(),
            chat,
            input,
        };
        match self.engine.handle(&request).await {
            Some(mut reply) => {
                self.alert(std::mem::take(&mut reply.alerts));
                Prepared::Deliver(Delivery::new(message.chat.id, reply), "replied")
            }
            None => Prepared::Done("no-reply"),
        }
    }

    async fn on_inline(&self, query: &teloxide::types::InlineQuery, until: Instant) -> Prepared {
        tracing::Span::current().record("handler", "inline");
        let items = self
            .engine
            .inline(
                query.from.id.0 as i64,
                query.from.language_code.as_deref(),
                &query.query,
            )
            .await;
        let answered =
            send::answer_inline(&self.client, &query.id, &self.username, items, until).await;
        match answered {
            Ok(()) => Prepared::Done("answered"),
            Err(Failed::Expired(_)) => Prepared::Done("expired"),
            Err(Failed::Stopped) => Prepared::Kept,
            Err(err) => {
                tracing::error!(error = %err, "cannot answer the inline query");
                Prepared::Done("send-failed")
            }
        }
    }

    /// A button press: its acknowledgement went ahead in its own lane (see `intake`); here
    /// the pressed message is replaced by the engine's reply.
    async fn on_callback(&self, query: &teloxide::types::CallbackQuery) -> Prepared {
        tracing::Span::current().record("handler", "button");
        let Some(data) = query.data.clone() else {
            return Prepared::Done("no-data");
        };
        let request = Request {
            user_id: query.from.id.0 as i64,
            language_code: query.from.language_code.clone(),
            chat: match query.message.as_ref().map(MaybeInaccessibleMessage::chat) {
                Some(chat) if !chat.is_private() => ChatKind::Group,
                _ => ChatKind::Private,
            },
            input: Input::Button(data),
        };
        let Some(mut reply) = self.engine.handle(&request).await else {
            return Prepared::Done("no-reply");
        };
        self.alert(std::mem::take(&mut reply.alerts));
        // A button this version never made: its toast went with the acknowledgement.
        if reply.placement == crate::engine::Placement::Toast {
            return Prepared::Done("toast");
        }
        // A stale or repeated button that would show what the message already shows: the
        // press is acknowledged (in its own lane) and nothing is edited.
        if let Some(MaybeInaccessibleMessage::Regular(message)) = &query.message
            && unchanged::unchanged(&self.shown, message, &reply)
        {
            metrics::counter!("bot_edits_skipped_total").increment(1);
            return Prepared::Done("unchanged");
        }
        let delivery = match query.message.as_ref().map(|m| (m.chat().id, m.id())) {
            Some((chat, message_id)) if reply.placement == crate::engine::Placement::Edit => {
                Delivery::edit(chat, message_id, reply)
            }
            // A reply meant to go under the pressed message (the prompt for a report).
            Some((chat, _)) => Delivery::new(chat, reply),
            None => Delivery::new(ChatId(query.from.id.0 as i64), reply),
        };
        Prepared::Deliver(delivery, "edited")
    }
}

fn kind_name(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::ChannelPost(_) => "channel_post",
        UpdateKind::EditedChannelPost(_) => "edited_channel_post",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::InlineQuery(_) => "inline_query",
        UpdateKind::MyChatMember(_) | UpdateKind::ChatMember(_) => "chat_member",
        _ => "other",
    }
}

fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Command { name, .. } => {
            Command::from_name(name).map_or("unknown-command", Command::name)
        }
        Input::Button(_) => "button",
        Input::Text(_) => "text",
        Input::NotText => "not-text",
    }
}

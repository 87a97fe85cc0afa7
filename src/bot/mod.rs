//! The Telegram runtime: updates in (long polling, or a webhook), answered fairly, replies out.
//! This file builds the parts from [`Settings`], starts them and stops them; each part is its
//! own module (docs/ARCHITECTURE.md walks one update through them):
//!
//! - `poll` / `webhook`: the intake loops (`getUpdates`, or Telegram's POSTs);
//! - `intake`: the inbox in SQLite first, then the queues; done marks in batches;
//! - `queue`: the per-chat lanes and the fair scheduler (rate limits park a chat);
//! - `worker`: one turn: what an update asks (`worker::request`, pure), the engine, delivery;
//! - `send`, `api`, `limits`, `circuit`: the one retry path, the one Bot API client, the 429
//!   gate and Telegram's rate limits, the circuit while the Bot API fails;
//! - `moves`, `unchanged`, `profile`: migrated groups, skipped edits, the calls at start.
//!
//! The polling loop is our own rather than teloxide's `Dispatcher`, which offers none of this.
//! SIGINT and SIGTERM stop the intake, answer what is waiting for a worker for up to 3 s, and
//! leave the rest in the inbox for the next start.

mod api;
mod circuit;
mod ids;
mod intake;
mod limits;
mod moves;
mod notices;
mod outcome;
mod poll;
mod profile;
mod queue;
mod send;
mod settings;
mod unchanged;
mod webhook;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::ExposeSecret;
use crate::engine::Engine;

/// The chat a [`Notifier`] sends to (teloxide's id of a chat).
use api::Client;
pub use intake::DONE_BATCH;
use intake::{Intake, Item};
use limits::Gate;
use moves::Moves;
pub use notices::Notifier;
use queue::{Lane, Limits, Scheduler};
pub use settings::{RunError, Settings};
use worker::Runtime;

/// Workers answering at the same time: enough to hide the Bot API's latency, few enough to
/// keep the HTTP connections (and file descriptors) bounded. A crash answers at most the
/// updates of their turns, plus those answered and not yet marked done in the inbox
/// ([`DONE_BATCH`]), a second time.
pub const WORKERS: usize = 32;

/// Updates held in memory at most (waiting, parked or in a turn); above it the poller and the
/// webhook wait. Each chat holds at most its backlog, so this bounds the number of flooding
/// chats, not the length of any one queue.
const MAX_HELD: usize = 4096;

/// The poller fetches more only while fewer turns than this are in progress (and no chat waits
/// for a worker): what it fetches is then answered at once instead of waiting behind turns
/// that have just started. Chats waiting for their time (parked) do not count.
const POLL_BELOW: usize = WORKERS / 4;

/// After a stop is requested, lanes in line are answered for this long; the rest (and parked
/// chats) stay in the inbox for the next start.
const DRAIN: Duration = Duration::from_secs(3);
/// Then turns in progress get this long before they are cut (their updates stay in the inbox).
const GRACE: Duration = Duration::from_secs(3);

/// Runs the bot until `shutdown` turns true. Turns in progress finish, updates waiting for a
/// worker get [`DRAIN`], and the update offset is confirmed before it returns; what is left
/// waits in the inbox for the next start.
pub async fn run(
    settings: Settings,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let client = Client::new(
        settings.api_url.as_deref(),
        settings.token.expose_secret(),
        settings.throttle,
        Arc::new(Gate::default()),
    )
    .map_err(RunError::ApiUrl)?;
    let health = Arc::clone(&settings.health);
    health.starting(settings::signal_of(settings.webhook.as_ref()));
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
    let Some(username) = profile::get_me(&client, &mut shutdown).await? else {
        return Ok(());
    };
    health.answered();
    tracing::info!(bot = %username, "connected to the Bot API");
    // Cards carry their permalink t.me/<username>?start=<payload> from now on.
    engine.set_username(&username).await;
    profile::register_commands(&client, &engine).await;
    // Beside the updates: the profile matters to new users only, and a 429 on it must not
    // hold up the first answers longer than the gate does.
    let profile = tokio::spawn(profile::set_profile(client.clone(), Arc::clone(&engine)));
    let pace = client.clone();
    let sched = Arc::new(Scheduler::new(
        Limits {
            per_chat: settings.chat_backlog,
            max_held: MAX_HELD,
            poll_below: POLL_BELOW,
            max_notices: notices::MAX_NOTICES,
            notice_turns: notices::NOTICE_TURNS,
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
    let engine_pool = engine.store().pool().clone();
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
        sched: Arc::clone(&sched),
        intake: Arc::clone(&intake),
        moves: Arc::clone(&moves),
        reply_deadline: settings.reply_deadline,
        shown: unchanged::Shown::default(),
        tap: crate::tap::Db::new(engine_pool),
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
        workers.spawn(worker::work(Arc::clone(&runtime)));
    }
    if let Some(waiting) = left {
        let count = intake.replay(waiting);
        if count > 0 {
            tracing::info!(count, "answering the updates left in the inbox");
        }
    }
    // After the replies left in the inbox: notices that came before the start go after them.
    let notifier = settings.notifier.clone();
    notifier.attach(Arc::clone(&sched), Arc::clone(&moves));
    let client = &runtime.client;
    let result = match settings.webhook {
        Some(hook) => {
            let routes = settings.routes;
            webhook::serve(client, hook, routes, health, Arc::clone(&intake), shutdown).await
        }
        None => {
            let timeout = settings.poll_timeout;
            poll::run(client, &intake, &health, timeout, start_offset, shutdown).await
        }
    };
    // No more intake. Lanes in line are answered for a while (nothing is tried again);
    // parked chats and whatever is left wait in the inbox for the next start; notices are
    // not kept.
    notifier.detach(sched.notices());
    sched.close();
    client.circuit().stop_retrying();
    finish(&mut workers, &sched).await;
    sched.abandon();
    profile.abort();
    let _ = timer.await;
    intake.stop_recording(recorder).await;
    tracing::info!("stopped");
    result
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

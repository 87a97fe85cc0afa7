//! Notifications: messages the bot sends on its own, not as a reply (one TAP alert per
//! follower after each sync). [`Notifier::notify`] never waits: it puts the message in its
//! chat's lane of the scheduler, below the replies (see `queue/`), where it obeys the same
//! rate limits, 429 gate and circuit as a reply. Notices are not kept in the inbox: a stop or
//! a crash loses those not sent yet (docs/RELIABILITY.md).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use teloxide::types::ChatId;

use super::intake::Item;
use super::moves::Moves;
use super::queue::{Lane, Scheduler};
use super::send::Delivery;
use crate::engine::Reply;

/// Notices held at most, waiting or in a turn (about eleven minutes of Telegram's 30
/// messages a second); beyond it [`Notifier::notify`] drops them.
pub(crate) const MAX_NOTICES: usize = 20_000;

/// Notice turns in progress at most: notices never hold more of the workers, and never more
/// than this many messages wait ahead of a reply in the overall 30/s window.
pub(crate) const NOTICE_TURNS: usize = 4;

/// A handle for sending notifications through the running bot; cheap to clone, and usable
/// before the bot runs (what comes then waits for it, up to [`MAX_NOTICES`]). Get it from
/// [`crate::app::Application::notifier`] (or [`super::Settings::notifier`]).
#[derive(Clone, Default)]
pub struct Notifier {
    shared: Arc<Mutex<Shared>>,
}

#[derive(Default)]
struct Shared {
    /// The running bot's scheduler and the groups that moved, while it runs.
    running: Option<(Arc<Scheduler<Item>>, Arc<Moves>)>,
    /// What came before the bot ran.
    early: VecDeque<(ChatId, Reply)>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shared = self.lock();
        f.debug_struct("Notifier")
            .field("running", &shared.running.is_some())
            .field("early", &shared.early.len())
            .finish()
    }
}

impl Notifier {
    /// Queues `reply` as a notification to `chat`, behind that chat's replies and behind
    /// every reply waiting for a worker; never waits. `false` if it was dropped (too many
    /// notices waiting, or the bot is stopping): logged and counted in
    /// `bot_notices_dropped_total`.
    pub fn notify(&self, chat: crate::ids::ChatId, reply: Reply) -> bool {
        let chat = ChatId::from(chat);
        let mut shared = self.lock();
        let Some((sched, moves)) = &shared.running else {
            if shared.early.len() >= MAX_NOTICES {
                drop(shared);
                dropped(Dropped::Full, 1);
                return false;
            }
            shared.early.push_back((chat, reply));
            return true;
        };
        let chat = moves.current(chat);
        match sched.push_notice(Lane::Chat(chat), notice(chat, reply)) {
            Ok(()) => true,
            Err(_) => {
                drop(shared);
                dropped(Dropped::Full, 1);
                false
            }
        }
    }

    /// The bot runs: notices go to `sched` from now on, those that came before first.
    pub(crate) fn attach(&self, sched: Arc<Scheduler<Item>>, moves: Arc<Moves>) {
        describe_metrics();
        let mut shared = self.lock();
        let mut refused = 0;
        for (chat, reply) in std::mem::take(&mut shared.early) {
            let chat = moves.current(chat);
            if sched
                .push_notice(Lane::Chat(chat), notice(chat, reply))
                .is_err()
            {
                refused += 1;
            }
        }
        shared.running = Some((sched, moves));
        drop(shared);
        if refused > 0 {
            dropped(Dropped::Full, refused);
        }
    }

    /// The bot stops: the notices not sent yet are lost (`left`, logged and counted); new
    /// ones wait for the next run.
    pub(crate) fn detach(&self, left: usize) {
        self.lock().running = None;
        if left > 0 {
            dropped(Dropped::Stopping, left);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The item of a notice: its delivery is made already; its deadline starts at its first turn.
fn notice(chat: ChatId, reply: Reply) -> Item {
    Item::notice(chat, Delivery::notice(chat, reply), Instant::now())
}

/// Why notices were dropped (the `reason` of `bot_notices_dropped_total`).
#[derive(Debug, Clone, Copy)]
enum Dropped {
    /// [`MAX_NOTICES`] wait already (or the chat has its backlog of them).
    Full,
    /// The bot stopped before they were sent.
    Stopping,
}

fn dropped(reason: Dropped, count: usize) {
    let label = match reason {
        Dropped::Full => {
            tracing::warn!(
                count,
                max = MAX_NOTICES,
                "too many notifications waiting: dropping the new one"
            );
            "full"
        }
        Dropped::Stopping => {
            tracing::warn!(
                count,
                "the bot is stopping: notifications not sent yet are lost"
            );
            "stopping"
        }
    };
    metrics::counter!("bot_notices_dropped_total", "reason" => label).increment(count as u64);
}

/// Registers the notification metrics with their descriptions, at 0, so that `/metrics` shows
/// them before the first notice.
fn describe_metrics() {
    metrics::describe_counter!(
        "bot_notices_sent_total",
        "notifications (TAP alerts) delivered"
    );
    metrics::describe_counter!(
        "bot_notices_dropped_total",
        "notifications dropped unsent, by reason (full: too many waiting; stopping: the bot stopped)"
    );
    metrics::describe_counter!(
        "bot_notices_blocked_total",
        "notifications refused with 403 (the chat blocked the bot, removed it, or is gone); the chat's TAP follows are deleted"
    );
    metrics::counter!("bot_notices_sent_total").increment(0);
    metrics::counter!("bot_notices_blocked_total").increment(0);
    for reason in ["full", "stopping"] {
        metrics::counter!("bot_notices_dropped_total", "reason" => reason).increment(0);
    }
}

//! From Telegram to the queues. Every batch of updates, polled or posted to the webhook, is
//! first written to the inbox (one row), then its updates are put in their lanes; the poller
//! confirms the offset only after that. Answered and dropped updates are marked done in the
//! inbox in batches, finished batches deleted; what the inbox still holds at start is queued
//! again. Each item carries its deadline: `BOT_REPLY_DEADLINE` after its update arrived
//! (written to the inbox), also when it is queued again after a restart.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::value::RawValue;
use teloxide::types::{CallbackQuery, ChatId, Update, UpdateKind};
use tokio::sync::Notify;

use super::moves::Moves;
use super::outcome::Outcome;
use super::queue::{DROPPED_BACKLOG, Lane, Scheduler};
use super::send::Delivery;
use crate::store::{Inbox, StoreError, Waiting};

/// Answered updates are marked done in the inbox (and finished batches deleted) when this
/// many have gathered, or [`DONE_DELAY`] after the first: few statements in a burst and in a
/// steady stream (about one per poll, see `POLL_SPACING`), little left to answer twice after
/// a crash.
pub const DONE_BATCH: usize = 64;
const DONE_DELAY: Duration = Duration::from_millis(50);

/// An update's id (Telegram's `update_id`), as the inbox keys it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct UpdateId(pub(crate) i64);

/// The inbox row an update came in: the first update id of its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct BatchId(pub(crate) i64);

/// A parsed update and its id.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) id: UpdateId,
    pub(crate) update: Box<Update>,
}

/// One thing for a worker to do in a lane's turn.
#[derive(Debug)]
pub(crate) struct Item {
    /// The update's id in the inbox; `None` for work the bot made itself.
    pub(crate) id: Option<UpdateId>,
    /// The update's batch in the inbox.
    pub(crate) batch: BatchId,
    pub(crate) work: Work,
    /// The reply on its way, once the engine has made it (kept across a pause).
    pub(crate) delivery: Option<Box<Delivery>>,
    /// What to log when the delivery completes.
    pub(crate) outcome: Outcome,
    /// How often a `retry_after` for the chat has paused it.
    pub(crate) pauses: u8,
    /// Until when its reply is tried; after it, the item is dropped.
    pub(crate) deadline: Instant,
}

#[derive(Debug)]
pub(crate) enum Work {
    /// An update to answer.
    Update(Box<Update>),
    /// The acknowledgement of a button press (stops the client's spinner).
    /// The press itself is kept: a press of a button this version never made gets a toast.
    Ack(Box<CallbackQuery>),
    /// "Too many messages at once" to a flooded chat, in the user's language.
    Notice {
        chat: ChatId,
        user_id: crate::ids::UserId,
        language_code: Option<String>,
    },
    /// A message of the bot's own to another chat (a new report, to an admin): its delivery
    /// is made already and waits its turn in that chat's lane like any reply.
    Alert,
    /// A notification to `chat` (a TAP alert): its delivery is made already and waits in that
    /// chat's lane below the replies; its deadline counts from its first turn (`started`).
    Notify { chat: ChatId, started: bool },
}

impl Item {
    /// `delivery` to its chat in a turn of that chat's lane, tried until `deadline`.
    pub(crate) fn alert(delivery: Delivery, deadline: Instant) -> Self {
        let mut item = Item::new(None, BatchId(0), Work::Alert, deadline);
        item.delivery = Some(Box::new(delivery));
        item.outcome = Outcome::Alerted;
        item
    }

    /// The notification `delivery` to `chat`, sent in a turn below the replies.
    pub(crate) fn notice(chat: ChatId, delivery: Delivery, now: Instant) -> Self {
        let work = Work::Notify {
            chat,
            started: false,
        };
        let mut item = Item::new(None, BatchId(0), work, now);
        item.delivery = Some(Box::new(delivery));
        item.outcome = Outcome::Notified;
        item
    }

    fn new(id: Option<UpdateId>, batch: BatchId, work: Work, deadline: Instant) -> Self {
        Self {
            id,
            batch,
            work,
            delivery: None,
            // Until the engine has made the reply.
            outcome: Outcome::Ignored,
            pauses: 0,
            deadline,
        }
    }
}

/// The lane an update belongs to: its chat (a button press belongs to the chat of its
/// message), or, for an inline query, the user's inline lane. A group that became a
/// supergroup is found under its new id by the caller.
fn lane_of(update: &Update) -> Lane {
    match &update.kind {
        UpdateKind::InlineQuery(query) => Lane::Inline(query.from.id),
        UpdateKind::CallbackQuery(query) => Lane::Chat(
            query
                .message
                .as_ref()
                .map_or(ChatId::from(query.from.id), |m| m.chat().id),
        ),
        _ => Lane::Chat(
            update
                .chat()
                .map(|c| c.id)
                .or_else(|| update.from().map(|u| ChatId::from(u.id)))
                .unwrap_or(ChatId(0)),
        ),
    }
}

/// The inbox and the queues together.
pub(crate) struct Intake {
    inbox: Inbox,
    sched: Arc<Scheduler<Item>>,
    moves: Arc<Moves>,
    /// `BOT_REPLY_DEADLINE`.
    reply_deadline: Duration,
    done: Mutex<Done>,
    flush: Notify,
    stopping: AtomicBool,
}

/// What the inbox does not know yet.
#[derive(Default)]
struct Done {
    /// Updates answered (or dropped) and not yet marked done.
    ids: Vec<(UpdateId, BatchId)>,
    /// Batches all of whose updates are done, not yet deleted.
    finished: Vec<BatchId>,
    /// Batches in the inbox: how many of their updates are not done.
    open: HashMap<BatchId, usize>,
}

impl Intake {
    pub(crate) fn new(
        inbox: Inbox,
        sched: Arc<Scheduler<Item>>,
        moves: Arc<Moves>,
        reply_deadline: Duration,
    ) -> Self {
        Self {
            inbox,
            sched,
            moves,
            reply_deadline,
            done: Mutex::new(Done::default()),
            flush: Notify::new(),
            stopping: AtomicBool::new(false),
        }
    }

    /// Waits until the queues may take more (the webhook's backpressure).
    pub(crate) async fn admit(&self) {
        self.sched.admit().await;
    }

    /// Waits until the poller may fetch more ([`Scheduler::room`]).
    pub(crate) async fn room(&self) {
        self.sched.room().await;
    }

    /// Writes a polled batch to the inbox: `result` as Telegram sent it, `first` the lowest
    /// update id in it at or above the offset, `last` the highest. The updates may be parsed
    /// while this runs (it runs on SQLite's thread); they are queued with
    /// [`Intake::queue_polled`] once it is done. When this returns `Ok`, the batch survives a
    /// crash and its offset may be confirmed.
    pub(crate) async fn store_polled(
        &self,
        first: i64,
        last: i64,
        result: &str,
    ) -> Result<(), StoreError> {
        self.inbox.add_polled(first, last, result).await
    }

    /// Queues the updates of the batch stored with [`Intake::store_polled`] from `first`.
    pub(crate) fn queue_polled(&self, first: BatchId, updates: Vec<Received>) {
        self.queue_batch(first, updates, self.deadline_from_now());
    }

    /// The deadline of an update that arrives now.
    pub(crate) fn deadline_from_now(&self) -> Instant {
        Instant::now() + self.reply_deadline
    }

    /// Writes one update (a webhook request, `raw` as Telegram sent it) to the inbox and
    /// queues it, unless it waits there already (Telegram sent it again).
    pub(crate) async fn accept_one(&self, received: Received, raw: &str) -> Result<(), StoreError> {
        let id = received.id;
        if self.inbox.add(id.0, id.0, &format!("[{raw}]")).await? {
            self.queue_batch(BatchId(id.0), vec![received], self.deadline_from_now());
        }
        Ok(())
    }

    fn queue_batch(&self, first: BatchId, updates: Vec<Received>, deadline: Instant) {
        if updates.is_empty() {
            // Nothing to answer (updates handed out before, or unreadable): delete it.
            self.lock_done().finished.push(first);
            self.flush.notify_one();
            return;
        }
        // Counted before queueing: the queue may drop (and so finish) some at once.
        self.lock_done().open.insert(first, updates.len());
        for received in updates {
            self.enqueue(received.id, first, received.update, deadline);
        }
        metrics::gauge!("bot_queued_updates").set(self.sched.held() as f64);
    }

    /// Queues what the inbox held at start (`waiting`, left by a crash or a stop): every
    /// update of every batch that is not marked done. Batches with nothing left are deleted.
    pub(crate) fn replay(&self, waiting: Waiting) -> usize {
        let mut count = 0;
        let (now, unix_now) = (Instant::now(), crate::clock::unix_now() as i64);
        for batch in &waiting.batches {
            let first = &batch.first;
            // Its deadline counts from when it arrived (a batch of unknown age: from now).
            let age = match batch.received_at {
                0 => 0,
                at => unix_now.saturating_sub(at).max(0) as u64,
            };
            let deadline = (now + self.reply_deadline)
                .checked_sub(Duration::from_secs(age))
                .unwrap_or(now);
            let items = serde_json::from_str::<Vec<&RawValue>>(&batch.updates).unwrap_or_default();
            let mut live = Vec::new();
            for raw in items {
                match serde_json::from_str::<Update>(raw.get()) {
                    Ok(update) => {
                        let id = i64::from(update.id.0);
                        // Below the batch's first id: handed out before, in an older batch.
                        if id >= *first && !waiting.done.contains(&id) {
                            live.push(Received {
                                id: UpdateId(id),
                                update: Box::new(update),
                            });
                        }
                    }
                    Err(err) => {
                        tracing::warn!(batch = first, error = %err, "cannot read an update from the inbox; skipping it");
                    }
                }
            }
            count += live.len();
            self.queue_batch(BatchId(*first), live, deadline);
        }
        if count > 0 {
            metrics::counter!("bot_inbox_replayed_total").increment(count as u64);
        }
        count
    }

    fn enqueue(&self, id: UpdateId, batch: BatchId, update: Box<Update>, deadline: Instant) {
        let lane = match lane_of(&update) {
            Lane::Chat(chat) => Lane::Chat(self.moves.current(chat)),
            other => other,
        };
        if let UpdateKind::CallbackQuery(query) = &update.kind {
            // The acknowledgement has a lane of its own, served before any chat: it is never
            // held behind the messages of a busy or paused chat.
            let ack = Item::new(
                None,
                BatchId(0),
                Work::Ack(Box::new(query.clone())),
                deadline,
            );
            let pushed = self.sched.push(Lane::Ack(query.from.id), ack);
            if !pushed.dropped.is_empty() {
                metrics::counter!("bot_errors_total", "kind" => "callback_ack_dropped")
                    .increment(pushed.dropped.len() as u64);
            }
        }
        let notice = match lane {
            Lane::Chat(chat) => update.from().map(|user| Work::Notice {
                chat,
                user_id: user.id.into(),
                language_code: user.language_code.clone(),
            }),
            _ => None,
        };
        let pushed = self.sched.push(
            lane,
            Item::new(Some(id), batch, Work::Update(update), deadline),
        );
        if !pushed.dropped.is_empty() {
            metrics::counter!("bot_updates_dropped_total", "reason" => DROPPED_BACKLOG)
                .increment(pushed.dropped.len() as u64);
            // A dropped update is done: it must not come back from the inbox after a restart.
            for item in pushed.dropped {
                if let Some(id) = item.id {
                    self.answered(id, item.batch);
                }
            }
        }
        if pushed.notice
            && let Some(notice) = notice
        {
            tracing::info!("a chat sent too many messages at once: answering its latest ones");
            self.sched
                .push_front(lane, Item::new(None, BatchId(0), notice, deadline));
        }
    }

    /// Update `id` of `batch` is answered (or dropped): the inbox learns it with the next
    /// write.
    pub(crate) fn answered(&self, id: UpdateId, batch: BatchId) {
        let count = {
            let mut done = self.lock_done();
            done.ids.push((id, batch));
            if let Some(left) = done.open.get_mut(&batch) {
                *left = left.saturating_sub(1);
                if *left == 0 {
                    done.open.remove(&batch);
                    done.finished.push(batch);
                }
            }
            done.ids.len()
        };
        if count == 1 || count >= DONE_BATCH {
            self.flush.notify_one();
        }
    }

    fn lock_done(&self) -> std::sync::MutexGuard<'_, Done> {
        self.done.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes what is done to the inbox in batches until [`Intake::stop_recording`].
    pub(crate) async fn run_recorder(&self) {
        loop {
            self.flush.notified().await;
            if !self.stopping.load(Ordering::Acquire) && self.pending_done() < DONE_BATCH {
                // Gather a batch; a full one (or the stop) does not wait.
                tokio::select! {
                    _ = tokio::time::sleep(DONE_DELAY) => {}
                    _ = self.flush.notified() => {}
                }
            }
            self.record_done().await;
            if self.stopping.load(Ordering::Acquire) {
                return;
            }
        }
    }

    /// Stops the recorder after a last write (also of what it had not reached).
    pub(crate) async fn stop_recording(&self, recorder: tokio::task::JoinHandle<()>) {
        self.stopping.store(true, Ordering::Release);
        self.flush.notify_one();
        let _ = recorder.await;
        self.record_done().await;
        metrics::gauge!("bot_queued_updates").set(self.sched.held() as f64);
    }

    fn pending_done(&self) -> usize {
        self.lock_done().ids.len()
    }

    /// Marks the answered updates done and deletes the finished batches, in one statement.
    /// An update of a finished batch needs no mark.
    async fn record_done(&self) {
        let (ids, finished) = {
            let mut done = self.lock_done();
            (
                std::mem::take(&mut done.ids),
                std::mem::take(&mut done.finished),
            )
        };
        if ids.is_empty() && finished.is_empty() {
            return;
        }
        let marks: Vec<i64> = ids
            .iter()
            .filter(|(_, batch)| !finished.contains(batch))
            .map(|(id, _)| id.0)
            .collect();
        let batches: Vec<i64> = finished.iter().map(|batch| batch.0).collect();
        if let Err(err) = self.inbox.done(&marks, &batches).await {
            tracing::warn!(error = %err, count = ids.len(), "cannot mark answered updates in the inbox; trying again");
            {
                let mut done = self.lock_done();
                done.ids.extend(ids);
                done.finished.extend(finished);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            self.flush.notify_one();
        }
    }
}

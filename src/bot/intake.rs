//! From Telegram to the queues. Every update, polled or posted to the webhook, is first
//! written to the inbox (one statement per batch), then put in its lane; the poller confirms
//! the offset only after that. Answered and dropped updates are deleted from the inbox in
//! batches, and what the inbox still holds at start is queued again.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use teloxide::types::{CallbackQueryId, ChatId, Update, UpdateKind};
use tokio::sync::Notify;

use super::queue::{Lane, Scheduler};
use super::send::Delivery;
use crate::store::{Inbox, StoreError};

/// Answered updates are deleted from the inbox when this many have gathered, or
/// [`DELETE_DELAY`] after the first: few statements in a burst, little left to answer twice
/// after a crash.
pub const DELETE_BATCH: usize = 64;
const DELETE_DELAY: Duration = Duration::from_millis(5);

/// An update as received: its id, its JSON text (for the inbox) and the parsed update.
#[derive(Debug)]
pub struct Received {
    pub id: i64,
    pub raw: String,
    pub update: Box<Update>,
}

/// One thing for a worker to do in a lane's turn.
#[derive(Debug)]
pub struct Item {
    /// The update's id in the inbox; `None` for work the bot made itself.
    pub id: Option<i64>,
    pub work: Work,
    /// The reply on its way, once the engine has made it (kept across a pause).
    pub delivery: Option<Box<Delivery>>,
    /// What to log when the delivery completes.
    pub outcome: &'static str,
    /// How often a `retry_after` for the chat has paused it.
    pub pauses: u8,
}

#[derive(Debug)]
pub enum Work {
    /// An update to answer.
    Update(Box<Update>),
    /// The acknowledgement of a button press (stops the client's spinner).
    Ack(CallbackQueryId),
    /// "Too many messages at once" to a flooded chat, in the user's language.
    Notice {
        chat: ChatId,
        user_id: i64,
        language_code: Option<String>,
    },
}

impl Item {
    fn new(id: Option<i64>, work: Work) -> Self {
        Self {
            id,
            work,
            delivery: None,
            outcome: "",
            pauses: 0,
        }
    }
}

/// The lane an update belongs to: its chat (a button press belongs to the chat of its
/// message), or, for an inline query, the user's inline lane.
pub fn lane_of(update: &Update) -> Lane {
    match &update.kind {
        UpdateKind::InlineQuery(query) => Lane::Inline(query.from.id.0 as i64),
        UpdateKind::CallbackQuery(query) => Lane::Chat(
            query
                .message
                .as_ref()
                .map_or(query.from.id.0 as i64, |m| m.chat().id.0),
        ),
        _ => Lane::Chat(
            update
                .chat()
                .map(|c| c.id.0)
                .or_else(|| update.from().map(|u| u.id.0 as i64))
                .unwrap_or(0),
        ),
    }
}

/// The inbox and the queues together.
pub struct Intake {
    inbox: Inbox,
    sched: std::sync::Arc<Scheduler<Item>>,
    /// Ids answered (or dropped) and not yet deleted from the inbox.
    answered: Mutex<Vec<i64>>,
    flush: Notify,
    stopping: AtomicBool,
}

impl Intake {
    pub fn new(inbox: Inbox, sched: std::sync::Arc<Scheduler<Item>>) -> Self {
        Self {
            inbox,
            sched,
            answered: Mutex::new(Vec::new()),
            flush: Notify::new(),
            stopping: AtomicBool::new(false),
        }
    }

    /// The offset to poll from after a restart, if a recent one was saved.
    pub async fn saved_offset(&self) -> Result<Option<i64>, StoreError> {
        self.inbox.offset(crate::clock::unix_now() as i64).await
    }

    /// Waits until the queues may take more (the webhook's backpressure).
    pub async fn admit(&self) {
        self.sched.admit().await;
    }

    /// Writes `batch` to the inbox, then queues the updates that were not there yet. When this
    /// returns `Ok`, the batch survives a crash and its offset may be confirmed.
    pub async fn accept(&self, batch: Vec<Received>) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i64, &str)> = batch.iter().map(|r| (r.id, r.raw.as_str())).collect();
        let fresh = self.inbox.add(&rows).await?;
        drop(rows);
        let all_fresh = fresh.len() == batch.len();
        for received in batch {
            if all_fresh || fresh.contains(&received.id) {
                self.enqueue(received.id, received.update);
            }
        }
        metrics::gauge!("bot_queued_updates").set(self.sched.held() as f64);
        Ok(())
    }

    /// Queues what the inbox holds (after a crash or a stop); unreadable rows are deleted.
    pub async fn replay(&self) -> Result<usize, StoreError> {
        let rows = self.inbox.pending().await?;
        let mut unreadable = Vec::new();
        let count = rows.len();
        for (id, body) in rows {
            match serde_json::from_str::<Update>(&body) {
                Ok(update) => self.enqueue(id, Box::new(update)),
                Err(err) => {
                    tracing::warn!(update_id = id, error = %err, "cannot read an update from the inbox; deleting it");
                    unreadable.push(id);
                }
            }
        }
        self.inbox.remove(&unreadable).await?;
        if count > 0 {
            metrics::counter!("bot_inbox_replayed_total").increment(count as u64);
        }
        Ok(count)
    }

    fn enqueue(&self, id: i64, update: Box<Update>) {
        let lane = lane_of(&update);
        if let UpdateKind::CallbackQuery(query) = &update.kind {
            // The acknowledgement has a lane of its own, served before any chat: it is never
            // held behind the messages of a busy or paused chat.
            let ack = Item::new(None, Work::Ack(query.id.clone()));
            let pushed = self.sched.push(Lane::Ack(query.from.id.0 as i64), ack);
            if !pushed.dropped.is_empty() {
                metrics::counter!("bot_errors_total", "kind" => "callback_ack_dropped")
                    .increment(pushed.dropped.len() as u64);
            }
        }
        let notice = match lane {
            Lane::Chat(chat) => update.from().map(|user| Work::Notice {
                chat: ChatId(chat),
                user_id: user.id.0 as i64,
                language_code: user.language_code.clone(),
            }),
            _ => None,
        };
        let pushed = self
            .sched
            .push(lane, Item::new(Some(id), Work::Update(update)));
        if !pushed.dropped.is_empty() {
            metrics::counter!("bot_updates_dropped_total", "reason" => pushed.reason)
                .increment(pushed.dropped.len() as u64);
            // A dropped update is done: it must not come back from the inbox after a restart.
            for item in pushed.dropped {
                if let Some(id) = item.id {
                    self.answered(id);
                }
            }
        }
        if pushed.notice
            && let Some(notice) = notice
        {
            tracing::info!("a chat sent too many messages at once: answering its latest ones");
            self.sched.push_front(lane, Item::new(None, notice));
        }
    }

    /// Update `id` is answered (or dropped): it leaves the inbox with the next batch.
    pub fn answered(&self, id: i64) {
        let count = {
            let mut answered = self.answered.lock().unwrap_or_else(|e| e.into_inner());
            answered.push(id);
            answered.len()
        };
        if count == 1 || count >= DELETE_BATCH {
            self.flush.notify_one();
        }
    }

    /// Deletes answered updates from the inbox in batches until [`Intake::stop_deleting`].
    pub async fn run_deleter(&self) {
        loop {
            self.flush.notified().await;
            if !self.stopping.load(Ordering::Acquire) && self.pending_deletes() < DELETE_BATCH {
                // Gather a batch; a full one (or the stop) does not wait.
                tokio::select! {
                    _ = tokio::time::sleep(DELETE_DELAY) => {}
                    _ = self.flush.notified() => {}
                }
            }
            self.delete_answered().await;
            if self.stopping.load(Ordering::Acquire) {
                return;
            }
        }
    }

    /// Stops the deleter after a last batch (also deleting what it had not reached).
    pub async fn stop_deleting(&self, deleter: tokio::task::JoinHandle<()>) {
        self.stopping.store(true, Ordering::Release);
        self.flush.notify_one();
        let _ = deleter.await;
        self.delete_answered().await;
        metrics::gauge!("bot_queued_updates").set(self.sched.held() as f64);
    }

    fn pending_deletes(&self) -> usize {
        self.answered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    async fn delete_answered(&self) {
        let ids = std::mem::take(&mut *self.answered.lock().unwrap_or_else(|e| e.into_inner()));
        if ids.is_empty() {
            return;
        }
        if let Err(err) = self.inbox.remove(&ids).await {
            tracing::warn!(error = %err, count = ids.len(), "cannot delete answered updates from the inbox; trying again");
            self.answered
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(ids);
            tokio::time::sleep(Duration::from_millis(200)).await;
            self.flush.notify_one();
        }
    }
}

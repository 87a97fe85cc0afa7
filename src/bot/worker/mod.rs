//! One turn of a worker: take an item of a lane from the scheduler, find what it asks
//! ([`request::asked`], pure), ask the engine, deliver the reply, and hand the lane back (done,
//! or paused for a `retry_after`); an answered update is marked done in the inbox.

pub(crate) mod request;

use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::types::{CallbackQuery, ChatId, InlineQuery, MaybeInaccessibleMessage};
use teloxide::{ApiError, RequestError};
use tracing::Instrument;

use super::api::Client;
use super::intake::{Intake, Item, Work};
use super::limits::Scope;
use super::moves::Moves;
use super::outcome::Outcome;
use super::queue::{DROPPED_BACKLOG, Lane, Scheduler, Turn};
use super::send::{self, Delivery, Failed};
use super::unchanged;
use crate::engine::{Engine, Request};
use request::{Asked, input_name, kind_name};

/// How often a `retry_after` for its chat may pause one update before it is given up.
const MAX_PAUSES: u8 = 5;

/// What every turn needs: the runtime's parts, built once by `bot::run`.
pub(crate) struct Runtime {
    /// Every Bot API call; messages rate-limited when `BOT_THROTTLE` is on.
    pub(crate) client: Client,
    pub(crate) engine: Arc<Engine>,
    /// The bot's username (commands addressed `/cmd@username`, inline links).
    pub(crate) username: String,
    /// The lanes; also for messages to other chats than the one answered (alerts to admins).
    pub(crate) sched: Arc<Scheduler<Item>>,
    /// Where answered updates are marked done.
    pub(crate) intake: Arc<Intake>,
    /// Groups that became supergroups.
    pub(crate) moves: Arc<Moves>,
    pub(crate) inbox: crate::store::Inbox,
    /// `BOT_REPLY_DEADLINE`, for the bot's own messages (alerts).
    pub(crate) reply_deadline: Duration,
    /// What the bot last put in the messages it edited.
    pub(crate) shown: unchanged::Shown,
    /// The TAP follows, which a chat that blocked the bot loses.
    pub(crate) tap: crate::tap::Db,
}

/// How a turn ended.
enum TurnEnd {
    /// Answered (or given up), with the outcome to log.
    Done(Outcome),
    /// The chat must wait this long (a `retry_after` for it); the turn resumes then.
    Paused(Duration),
    /// The bot is stopping while the reply waited to be tried again: the update stays in the
    /// inbox for the next start.
    Kept,
}

/// What the engine made of an update.
enum Prepared {
    Done(Outcome),
    /// The bot is stopping before the answer could go: the update stays in the inbox.
    Kept,
    /// A reply to deliver, and the outcome once it is delivered.
    Deliver(Delivery, Outcome),
}

/// One worker: takes turns until the scheduler stops.
pub(crate) async fn work(runtime: Arc<Runtime>) {
    let sched = &runtime.sched;
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
                    runtime.intake.answered(id, item.batch);
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

impl Runtime {
    /// One turn: an update answered (or its interrupted reply resumed), a button
    /// acknowledged, or a notice sent.
    async fn turn(&self, item: &mut Item) -> TurnEnd {
        let (id, kind) = match &item.work {
            Work::Update(update) => (update.id.0, kind_name(&update.kind)),
            Work::Ack(query) => return self.acknowledge(query, item.deadline).await,
            Work::Notice { .. } => return self.notice(item).await,
            Work::Alert => return self.deliver(item).await,
            Work::Notify { .. } => return self.notify(item).await,
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
        span.record("outcome", outcome.as_str());
        span.in_scope(|| tracing::info!("update handled"));
        metrics::counter!("bot_updates_total", "kind" => kind).increment(1);
        metrics::histogram!("bot_handler_seconds", "kind" => kind).record(elapsed.as_secs_f64());
        match outcome {
            o if o.is_reply() => metrics::counter!("bot_replies_total").increment(1),
            Outcome::SendFailed => {
                metrics::counter!("bot_errors_total", "kind" => "send").increment(1);
            }
            Outcome::Expired => metrics::counter!("bot_replies_expired_total").increment(1),
            _ => {}
        }
        end
    }

    /// Asks the engine (unless a reply is already on its way), then delivers the reply.
    /// Works on the update by reference: a `Message` is about 2 KB.
    async fn answer(&self, item: &mut Item) -> TurnEnd {
        if item.delivery.is_none() {
            let Work::Update(update) = &item.work else {
                return TurnEnd::Done(Outcome::Ignored);
            };
            if Instant::now() >= item.deadline {
                // Waited past its deadline (a long outage, or an old update after a restart).
                tracing::error!("the update is dropped unanswered: BOT_REPLY_DEADLINE has passed");
                return TurnEnd::Done(Outcome::Expired);
            }
            let prepared = match request::asked(update, &self.username) {
                Err(outcome) => Prepared::Done(outcome),
                Ok(Asked::Message { chat, request }) => self.on_message(chat, request).await,
                Ok(Asked::Button {
                    request,
                    pressed,
                    user,
                }) => {
                    self.on_button(
                        request,
                        pressed,
                        crate::ids::UserId::from(user).private_chat().into(),
                    )
                    .await
                }
                Ok(Asked::Inline(query)) => self.on_inline(query, item.deadline).await,
                Ok(Asked::Moved { from, to }) => {
                    self.moves.moved(from, to, &self.sched, &self.inbox).await;
                    Prepared::Done(Outcome::ChatMoved)
                }
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
        let result = self.send(item).await;
        self.settle(item, result)
    }

    /// Sends what is left of the item's reply until its deadline, following a group that
    /// moved to its new chat.
    async fn send(&self, item: &mut Item) -> Result<(), Failed> {
        let Some(delivery) = item.delivery.as_mut() else {
            return Ok(());
        };
        let mut result = Err(Failed::Stopped);
        // A second round only after a migration, to the new chat.
        for _ in 0..2 {
            if let Some(to) = self.moves.to(delivery.chat()) {
                delivery.follow(to);
            }
            let (chat, edit) = (delivery.chat(), delivery.edit_target());
            result = send::deliver(&self.client, delivery, item.deadline).await;
            match (delivery.replaced(), edit) {
                (Some((message, shows)), _) => self.shown.set(chat, message, shows),
                (None, Some(message)) => self.shown.forget(chat, message),
                (None, None) => {}
            }
            let Err(Failed::Refused(RequestError::MigrateToChatId(to))) = &result else {
                break;
            };
            let from = delivery.chat();
            self.moves.moved(from, *to, &self.sched, &self.inbox).await;
        }
        result
    }

    /// How a turn ends after [`Runtime::send`] gave `result`.
    fn settle(&self, item: &mut Item, result: Result<(), Failed>) -> TurnEnd {
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
                TurnEnd::Done(Outcome::Expired)
            }
            Err(err) => {
                item.delivery = None;
                tracing::error!(error = %err, "cannot send the reply");
                TurnEnd::Done(Outcome::SendFailed)
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
                return TurnEnd::Done(Outcome::Ignored);
            };
            let lang = self
                .engine
                .language(*user_id, language_code.as_deref())
                .await;
            let text = crate::render::escape(&self.engine.string(lang, "backlog_notice"));
            item.delivery = Some(Box::new(Delivery::text(*chat, text)));
            item.outcome = Outcome::BacklogNotice;
        }
        let end = self.deliver(item).await;
        if let TurnEnd::Done(Outcome::BacklogNotice) = end {
            tracing::info!("sent the notice about too many messages");
        }
        end
    }

    /// A notification (a TAP alert): sent like a reply, tried until `BOT_REPLY_DEADLINE` after
    /// its first turn (it may have waited long behind the replies and other notices). A 403
    /// (the chat blocked the bot, removed it, or is gone) ends the chat's TAP follows: it would
    /// refuse every alert.
    async fn notify(&self, item: &mut Item) -> TurnEnd {
        let Work::Notify { chat, started } = &mut item.work else {
            return TurnEnd::Done(Outcome::Ignored);
        };
        let chat = *chat;
        if !*started {
            *started = true;
            item.deadline = Instant::now() + self.reply_deadline;
        }
        let to = item.delivery.as_ref().map_or(chat, |d| d.chat());
        let end = match self.send(item).await {
            Err(Failed::Refused(RequestError::Api(err))) if is_gone(&err) => {
                item.delivery = None;
                metrics::counter!("bot_notices_blocked_total").increment(1);
                self.forget_follows(chat, to, &err).await;
                TurnEnd::Done(Outcome::Blocked)
            }
            result => self.settle(item, result),
        };
        if let TurnEnd::Done(Outcome::Notified) = end {
            metrics::counter!("bot_notices_sent_total").increment(1);
        }
        end
    }

    /// Deletes the TAP follows of `chat` (and of `to`, where a moved group is now).
    async fn forget_follows(&self, chat: ChatId, to: ChatId, err: &ApiError) {
        let mut forgotten = 0;
        for id in [chat, to] {
            match self.tap.forget_chat(id.into()).await {
                Ok(count) => forgotten += count,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot delete the TAP follows of a chat that refused a notification");
                }
            }
            if to == chat {
                break;
            }
        }
        tracing::info!(reason = %err, follows = forgotten, "a chat refused a notification: its TAP follows are deleted");
    }

    /// Queues each alert in its chat's lane: it is sent in a turn of that chat, under the
    /// same rate limits and retries as any reply (not kept in the inbox: a report alerted
    /// and then lost to a crash is still listed by `/reports`).
    fn alert(&self, alerts: Vec<crate::engine::Alert>) {
        let deadline = Instant::now() + self.reply_deadline;
        for alert in alerts {
            let chat = self.moves.current(alert.chat.into());
            let delivery = Delivery::text(chat, alert.text.into_string());
            let pushed = self
                .sched
                .push(Lane::Chat(chat), Item::alert(delivery, deadline));
            if !pushed.dropped.is_empty() {
                metrics::counter!("bot_updates_dropped_total", "reason" => DROPPED_BACKLOG)
                    .increment(pushed.dropped.len() as u64);
            }
        }
    }

    /// `answerCallbackQuery`: the client shows a spinner until it is answered. A press of a
    /// button this version never made gets the engine's toast with it.
    async fn acknowledge(&self, query: &CallbackQuery, until: Instant) -> TurnEnd {
        let toast = self
            .engine
            .toast(
                query.from.id.into(),
                query.from.language_code.as_deref(),
                query.data.as_deref(),
            )
            .await;
        let body = match toast {
            Some(text) => serde_json::json!({ "callback_query_id": query.id, "text": text }),
            None => serde_json::json!({ "callback_query_id": query.id }),
        };
        let answered = send::call_with_retry::<bool>(
            &self.client,
            Scope::Bot,
            "answerCallbackQuery",
            &body,
            until,
        )
        .await;
        TurnEnd::Done(match answered {
            Ok(_) => Outcome::Acknowledged,
            // Late (after a restart, or a long wait): the spinner has stopped by itself.
            Err(Failed::Refused(RequestError::Api(ApiError::InvalidQueryId)))
            | Err(Failed::Expired(_)) => {
                tracing::debug!("a button press was acknowledged too late");
                Outcome::TooLate
            }
            Err(Failed::Stopped) => return TurnEnd::Kept,
            Err(err) => {
                tracing::warn!(error = %err, "answerCallbackQuery failed");
                Outcome::SendFailed
            }
        })
    }

    /// A message: the engine's reply goes to its chat as new messages.
    async fn on_message(&self, chat: ChatId, request: Request) -> Prepared {
        tracing::Span::current().record("handler", input_name(&request.input));
        match self.engine.handle(&request).await {
            Some(mut reply) => {
                self.alert(std::mem::take(&mut reply.alerts));
                Prepared::Deliver(Delivery::new(chat, reply), Outcome::Replied)
            }
            None => Prepared::Done(Outcome::NoReply),
        }
    }

    async fn on_inline(&self, query: &InlineQuery, until: Instant) -> Prepared {
        tracing::Span::current().record("handler", "inline");
        let items = self
            .engine
            .inline(
                query.from.id.into(),
                query.from.language_code.as_deref(),
                &query.query,
            )
            .await;
        let answered =
            send::answer_inline(&self.client, &query.id, &self.username, items, until).await;
        match answered {
            Ok(()) => Prepared::Done(Outcome::Answered),
            Err(Failed::Expired(_)) => Prepared::Done(Outcome::Expired),
            Err(Failed::Stopped) => Prepared::Kept,
            Err(err) => {
                tracing::error!(error = %err, "cannot answer the inline query");
                Prepared::Done(Outcome::SendFailed)
            }
        }
    }

    /// A button press: its acknowledgement went ahead in its own lane (see `intake`); here
    /// the pressed message is replaced by the engine's reply (or, without it, the reply goes
    /// to `user_chat`).
    async fn on_button(
        &self,
        request: Request,
        pressed: Option<&MaybeInaccessibleMessage>,
        user_chat: ChatId,
    ) -> Prepared {
        tracing::Span::current().record("handler", input_name(&request.input));
        let Some(mut reply) = self.engine.handle(&request).await else {
            return Prepared::Done(Outcome::NoReply);
        };
        self.alert(std::mem::take(&mut reply.alerts));
        // A button this version never made: its toast went with the acknowledgement.
        if reply.placement == crate::engine::Placement::Toast {
            return Prepared::Done(Outcome::Toasted);
        }
        // A stale or repeated button that would show what the message already shows: the
        // press is acknowledged (in its own lane) and nothing is edited.
        if let Some(MaybeInaccessibleMessage::Regular(message)) = pressed
            && unchanged::unchanged(&self.shown, message, &reply)
        {
            metrics::counter!("bot_edits_skipped_total").increment(1);
            return Prepared::Done(Outcome::Unchanged);
        }
        let delivery = match pressed.map(|m| (m.chat().id, m.id())) {
            Some((chat, message_id)) if reply.placement == crate::engine::Placement::Edit => {
                Delivery::edit(chat, message_id, reply)
            }
            // A reply meant to go under the pressed message (the prompt for a report).
            Some((chat, _)) => Delivery::new(chat, reply),
            None => Delivery::new(user_chat, reply),
        };
        Prepared::Deliver(delivery, Outcome::Edited)
    }
}

/// A refusal that means the chat will never take a message from the bot again: Telegram's
/// 403s (blocked by the user, removed from the group, the account deleted; the ones teloxide
/// has no name for still start with "Forbidden:").
fn is_gone(err: &ApiError) -> bool {
    match err {
        ApiError::BotBlocked
        | ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::BotKickedFromChannel
        | ApiError::UserDeactivated => true,
        ApiError::Unknown(description) => description.starts_with("Forbidden:"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_403_ends_a_chats_follows() {
        let read = |description: &str| {
            let body = serde_json::json!({"ok": false, "description": description}).to_string();
            match super::super::api::read_answer::<serde::de::IgnoredAny>(403, &body) {
                Err(RequestError::Api(err)) => err,
                other => panic!("{description}: {other:?}"),
            }
        };
        for gone in [
            "Forbidden: bot was blocked by the user",
            "Forbidden: user is deactivated",
            "Forbidden: bot was kicked from the supergroup chat",
            "Forbidden: bot was kicked from the group chat",
            "Forbidden: bot can't initiate conversation with a user",
        ] {
            assert!(is_gone(&read(gone)), "{gone}");
        }
        for not in [
            "Bad Request: chat not found",
            "Bad Request: message is too long",
            "Too Many Requests",
        ] {
            assert!(!is_gone(&read(not)), "{not}");
        }
    }
}

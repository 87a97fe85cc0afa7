//! Telegram's limits, kept in one place: the 429 [`Gate`] (every `retry_after` Telegram
//! sends, for one chat or for the whole bot) and the client-side [`Limiter`] of message rates
//! (`BOT_THROTTLE`), which the scheduler asks before it gives a chat its turn.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use teloxide::types::ChatId;

/// What a request is for, as far as a `retry_after` is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// A message to (or an edit in) one chat: a 429 pauses that chat only.
    Chat(ChatId),
    /// Anything else (getUpdates, answerCallbackQuery, answerInlineQuery, setMyCommands ...):
    /// a 429 pauses every request.
    Bot,
}

/// Chat 429s from this many different chats within [`STORM_WINDOW`] pause every request:
/// Telegram is then limiting the bot, not one chat.
pub(crate) const STORM_CHATS: usize = 3;
pub(crate) const STORM_WINDOW: Duration = Duration::from_secs(5);

/// Telegram's `retry_after`s, recorded in one place. A 429 on a request for one chat pauses
/// that chat only: the caller hands the turn back to the scheduler, which parks the chat
/// (see `queue.rs`). A 429 on a request that is not for one chat, or 429s for several chats
/// within a short window, close the gate: every request waits at it until the time is up.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    state: Mutex<GateState>,
}

#[derive(Debug, Default)]
struct GateState {
    /// No request goes before this.
    closed_until: Option<Instant>,
    /// Recent 429s for chats: when, and which chat.
    recent: VecDeque<(Instant, ChatId)>,
}

impl Gate {
    /// Records a 429 that asks `scope` to wait `wait`, at `now`. Returns whether every
    /// request now waits (else only the chat does).
    pub(crate) fn retry_after(&self, scope: Scope, wait: Duration, now: Instant) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let whole = match scope {
            Scope::Bot => true,
            Scope::Chat(chat) => {
                while state
                    .recent
                    .front()
                    .is_some_and(|(at, _)| *at + STORM_WINDOW <= now)
                {
                    state.recent.pop_front();
                }
                if !state.recent.iter().any(|(_, c)| *c == chat) {
                    state.recent.push_back((now, chat));
                }
                state.recent.len() >= STORM_CHATS
            }
        };
        let scope_label = if whole { "bot" } else { "chat" };
        metrics::counter!("bot_retry_after_total", "scope" => scope_label).increment(1);
        if whole {
            let until = now + wait;
            if state.closed_until.is_none_or(|t| t < until) {
                state.closed_until = Some(until);
                tracing::warn!(
                    wait_ms = wait.as_millis() as u64,
                    "the Bot API asked the bot to slow down: every request waits"
                );
            }
        }
        whole
    }

    /// How long requests must still wait at `now`, if at all.
    pub(crate) fn closed_for(&self, now: Instant) -> Option<Duration> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .closed_until
            .filter(|t| *t > now)
            .map(|t| t.duration_since(now))
    }

    /// Waits while the gate is closed.
    pub(crate) async fn wait(&self) {
        while let Some(wait) = self.closed_for(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }
}

/// Telegram's limits on sending messages, kept on the client side like teloxide's `Throttle`
/// does: at most one message a second in a private chat, 20 a minute in a group, and 30 a
/// second overall. Each limit is a sliding window of reserved send times; a message first
/// takes the next free time of its chat, waits for it, then takes the next free time overall
/// (so a chat waiting for its turn holds up no one else).
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    overall: Mutex<VecDeque<Instant>>,
    chats: Mutex<HashMap<ChatId, VecDeque<Instant>>>,
}

/// At most `count` messages within any `span`.
#[derive(Debug, Clone, Copy)]
struct Window {
    count: usize,
    span: Duration,
}

const OVERALL: Window = Window {
    count: 30,
    span: Duration::from_secs(1),
};
const PRIVATE: Window = Window {
    count: 1,
    span: Duration::from_secs(1),
};
const GROUP: Window = Window {
    count: 20,
    span: Duration::from_secs(60),
};

/// Above this many chats, those with nothing in their window are dropped.
const MAX_TRACKED_CHATS: usize = 10_000;

impl Window {
    /// The first time at or after `now` that would keep this window's limit, without
    /// reserving it.
    fn next_free(self, sent: &VecDeque<Instant>, now: Instant) -> Instant {
        let live = sent.iter().filter(|t| **t + self.span > now).count();
        match live.checked_sub(self.count) {
            Some(i) => (sent[sent.len() - live + i] + self.span).max(now),
            None => now,
        }
    }

    /// Reserves the first time at or after `now` that keeps this window's limit, in `sent`
    /// (the times already reserved, in order).
    fn reserve(self, sent: &mut VecDeque<Instant>, now: Instant) -> Instant {
        while sent.front().is_some_and(|t| *t + self.span <= now) {
            sent.pop_front();
        }
        let at = match sent.len().checked_sub(self.count) {
            Some(i) => (sent[i] + self.span).max(now),
            None => now,
        };
        let position = sent.partition_point(|t| *t <= at);
        sent.insert(position, at);
        at
    }
}

/// The window of one chat: chat ids of groups and channels are negative.
fn window_of(chat: ChatId) -> Window {
    if chat.0 < 0 { GROUP } else { PRIVATE }
}

impl Limiter {
    /// Reserves the next time `chat` may get a message.
    pub(crate) fn reserve_chat(&self, chat: ChatId, now: Instant) -> Instant {
        let window = window_of(chat);
        let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        if chats.len() >= MAX_TRACKED_CHATS {
            chats.retain(|_, sent| sent.back().is_some_and(|t| *t + GROUP.span > now));
        }
        window.reserve(chats.entry(chat).or_default(), now)
    }

    /// When `chat` could get a message, without reserving it: the scheduler parks a chat
    /// until then instead of letting a worker sleep for it.
    pub(crate) fn chat_ready_at(&self, chat: ChatId, now: Instant) -> Instant {
        let window = window_of(chat);
        let chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        chats
            .get(&chat)
            .map_or(now, |sent| window.next_free(sent, now))
    }

    /// Reserves the next time any message may go.
    pub(crate) fn reserve_overall(&self, now: Instant) -> Instant {
        let mut sent = self.overall.lock().unwrap_or_else(|e| e.into_inner());
        OVERALL.reserve(&mut sent, now)
    }

    /// Waits until a message to `chat` may go.
    pub(crate) async fn wait(&self, chat: ChatId) {
        let at = self.reserve_chat(chat, Instant::now());
        tokio::time::sleep_until(at.into()).await;
        let at = self.reserve_overall(Instant::now());
        tokio::time::sleep_until(at.into()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_chat_gets_one_message_a_second() {
        let limiter = Limiter::default();
        let now = Instant::now();
        let times: Vec<Duration> = (0..4)
            .map(|_| limiter.reserve_chat(ChatId(7), now) - now)
            .collect();
        let secs = |n: u64| Duration::from_secs(n);
        assert_eq!(times, vec![secs(0), secs(1), secs(2), secs(3)]);
        // Other chats are not held up by chat 7.
        assert_eq!(limiter.reserve_chat(ChatId(8), now), now);
        // After a quiet while, chat 7 may send at once again.
        let later = now + secs(60);
        assert_eq!(limiter.reserve_chat(ChatId(7), later), later);
    }

    #[test]
    fn a_group_gets_twenty_messages_a_minute() {
        let limiter = Limiter::default();
        let now = Instant::now();
        let times: Vec<Instant> = (0..41)
            .map(|_| limiter.reserve_chat(ChatId(-100), now))
            .collect();
        assert!(times[..20].iter().all(|t| *t == now));
        assert_eq!(times[20] - now, Duration::from_secs(60));
        assert_eq!(times[40] - now, Duration::from_secs(120));
        // Never more than 20 within any minute.
        for (i, t) in times.iter().enumerate() {
            let within = times[i..]
                .iter()
                .filter(|u| **u < *t + Duration::from_secs(60))
                .count();
            assert!(
                within <= 20,
                "{within} messages in the minute from message {i}"
            );
        }
    }

    #[test]
    fn all_chats_together_get_thirty_messages_a_second() {
        let limiter = Limiter::default();
        let now = Instant::now();
        let times: Vec<Duration> = (0..90)
            .map(|_| limiter.reserve_overall(now) - now)
            .collect();
        assert!(times[..30].iter().all(Duration::is_zero), "{times:?}");
        assert_eq!(times[30], Duration::from_secs(1));
        assert_eq!(times[89], Duration::from_secs(2));
        // The window from 2 s is full: a caller at 2.5 s waits until 3 s, one at 3.5 s not.
        let later = now + Duration::from_millis(2500);
        assert_eq!(limiter.reserve_overall(later) - now, Duration::from_secs(3));
        let later = now + Duration::from_millis(3500);
        assert_eq!(limiter.reserve_overall(later), later);
    }

    #[test]
    fn the_next_free_time_is_peeked_without_reserving_it() {
        let limiter = Limiter::default();
        let now = Instant::now();
        assert_eq!(limiter.chat_ready_at(ChatId(7), now), now);
        limiter.reserve_chat(ChatId(7), now);
        let secs = |n: u64| Duration::from_secs(n);
        assert_eq!(limiter.chat_ready_at(ChatId(7), now), now + secs(1));
        assert_eq!(
            limiter.chat_ready_at(ChatId(7), now),
            now + secs(1),
            "not reserved"
        );
        assert_eq!(
            limiter.chat_ready_at(ChatId(7), now + secs(2)),
            now + secs(2)
        );
        for _ in 0..20 {
            limiter.reserve_chat(ChatId(-5), now);
        }
        assert_eq!(limiter.chat_ready_at(ChatId(-5), now), now + secs(60));
        assert_eq!(
            limiter.chat_ready_at(ChatId(-5), now + secs(30)),
            now + secs(60),
            "a full group waits for its window"
        );
        let at = limiter.reserve_chat(ChatId(-5), now);
        assert_eq!(at, now + secs(60), "the peek matched the reservation");
    }

    #[test]
    fn a_chat_429_pauses_the_chat_and_several_pause_the_bot() {
        let gate = Gate::default();
        let now = Instant::now();
        let wait = Duration::from_secs(20);
        assert!(!gate.retry_after(Scope::Chat(ChatId(1)), wait, now));
        assert!(
            !gate.retry_after(Scope::Chat(ChatId(1)), wait, now),
            "the same chat again"
        );
        assert!(!gate.retry_after(Scope::Chat(ChatId(2)), wait, now));
        assert_eq!(
            gate.closed_for(now),
            None,
            "two chats: still only those chats"
        );
        // Chats 1 and 2 have left the window: chats 3 and 4 are two, chat 5 the third.
        let later = now + STORM_WINDOW;
        assert!(!gate.retry_after(Scope::Chat(ChatId(3)), wait, later));
        assert!(!gate.retry_after(Scope::Chat(ChatId(4)), wait, later));
        assert!(gate.retry_after(Scope::Chat(ChatId(5)), wait, later));
        assert_eq!(gate.closed_for(later), Some(wait));
        assert_eq!(gate.closed_for(later + wait), None);
    }

    #[test]
    fn a_429_on_a_request_for_no_chat_pauses_the_bot() {
        let gate = Gate::default();
        let now = Instant::now();
        assert!(gate.retry_after(Scope::Bot, Duration::from_secs(3), now));
        assert_eq!(gate.closed_for(now), Some(Duration::from_secs(3)));
        // A shorter wait does not shorten it.
        gate.retry_after(Scope::Bot, Duration::from_secs(1), now);
        assert_eq!(gate.closed_for(now), Some(Duration::from_secs(3)));
    }

    /// End to end over real time: three messages to one chat take two seconds.
    #[tokio::test]
    async fn wait_spaces_messages_to_one_chat() {
        let limiter = Limiter::default();
        let started = Instant::now();
        for _ in 0..3 {
            limiter.wait(ChatId(5)).await;
        }
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(1990), "{took:?}");
        assert!(took < Duration::from_secs(4), "{took:?}");
    }
}

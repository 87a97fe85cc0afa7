//! Per-chat queues and the fair scheduler: the one place that holds what each chat is waiting
//! for, and when it may go next.
//!
//! Every update goes to its lane's queue (a chat's messages and button presses, one user's
//! inline queries, one user's button acknowledgements), in order. Workers take turns: a turn is
//! one item of one lane, and a lane that still has items goes to the back of the line, so no
//! lane gets a second turn while another waits for its first. A lane is never served by two
//! workers at once (order within a chat is kept).
//!
//! - Acknowledgements and inline answers are not messages (no rate limit applies to them, and
//!   a person is watching a spinner): their lanes are served before the chats.
//! - A chat that may not get a message yet (Telegram's 1/s or 20/min, asked through `pace`)
//!   or that got a `retry_after` is *parked* until then and holds up no worker: the timer
//!   puts it back in line when its time comes.
//! - Each lane holds at most `per_chat` waiting items; beyond that the oldest are dropped and
//!   handed back to the caller (which marks them done in the inbox and, for a chat, sends one
//!   notice per flood).
//! - The poller asks for more updates only when no lane is waiting for a worker, few turns are
//!   in progress and fewer than `max_held` items are held: a busy or paused chat never stops
//!   the polling, what is fetched is answered at once, and memory is bounded.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use tokio::sync::Notify;

/// Whose turn it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// Messages and button presses of one chat (the bot's messages to it), in order.
    Chat(i64),
    /// The acknowledgements (`answerCallbackQuery`) of one user's button presses.
    Ack(i64),
    /// One user's inline queries.
    Inline(i64),
}

impl Lane {
    /// Served before the chats: answers to queries, not messages.
    fn urgent(self) -> bool {
        !matches!(self, Lane::Chat(_))
    }
}

/// When `lane` may have its next turn, if not now (Telegram's per-chat limits).
pub type Pace = Box<dyn Fn(Lane, Instant) -> Option<Instant> + Send + Sync>;

/// Why items were dropped (the label of `bot_updates_dropped_total`).
pub const DROPPED_BACKLOG: &str = "backlog";

/// What [`Scheduler::push`] did besides queueing.
#[derive(Debug)]
pub struct Pushed<T> {
    /// Items dropped to keep the backlog bounded, oldest first.
    pub dropped: Vec<T>,
    /// Why they were dropped ([`DROPPED_BACKLOG`]).
    pub reason: &'static str,
    /// The chat has just overflowed for the first time since it was last empty: it should
    /// get one notice (see [`Scheduler::push_front`]).
    pub notice: bool,
}

/// One turn: an item of a lane. Hand it back with [`Scheduler::done`] or
/// [`Scheduler::pause`].
#[derive(Debug)]
pub struct Turn<T> {
    pub lane: Lane,
    pub item: T,
}

/// The limits of the scheduler.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Waiting items per lane (a chat, a user's acknowledgements, a user's inline queries).
    pub per_chat: usize,
    /// Items held at most (waiting, parked and in a turn); above it the intake waits.
    pub max_held: usize,
    /// The poller fetches more only while fewer turns than this are in progress.
    pub poll_below: usize,
}

/// The fair scheduler; see the module documentation.
pub struct Scheduler<T> {
    state: Mutex<State<T>>,
    /// A lane is ready (workers wait on it).
    work: Notify,
    /// The intake may take more (the poller and the webhook wait on it).
    room: Notify,
    /// A lane was parked until an earlier time than the timer sleeps to.
    timer: Notify,
    limits: Limits,
    pace: Pace,
}

struct State<T> {
    lanes: HashMap<Lane, LaneState<T>>,
    /// Lanes waiting for a worker: `urgent` first, then `ready`, each in arrival order.
    urgent: VecDeque<Lane>,
    ready: VecDeque<Lane>,
    /// Parked lanes by the time they may go again (entries that no longer match the lane's
    /// status are skipped).
    parked: BinaryHeap<Reverse<(Instant, Lane)>>,
    /// Items held: waiting, parked, or in a turn.
    held: usize,
    /// Turns in progress.
    in_turn: usize,
    /// No more intake; workers finish the lanes that are ready and stop.
    closed: bool,
    /// Workers stop at once.
    abandoned: bool,
}

struct LaneState<T> {
    /// Served first and never dropped: a paused turn to resume, then the notice.
    front: VecDeque<T>,
    queue: VecDeque<T>,
    status: Status,
    /// This chat got its notice since it was last empty.
    noticed: bool,
    /// The chat moved while its turn was in progress: when the turn ends, what is left goes
    /// to this lane.
    moved_to: Option<Lane>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Has items but is in no line (only briefly, inside one call).
    Idle,
    /// In `urgent` or `ready`.
    Waiting,
    /// A worker has its turn.
    Busy,
    /// Waits until then.
    Parked(Instant),
}

impl<T> LaneState<T> {
    fn new() -> Self {
        Self {
            front: VecDeque::new(),
            queue: VecDeque::new(),
            status: Status::Idle,
            noticed: false,
            moved_to: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.front.is_empty() && self.queue.is_empty()
    }
}

impl<T> Scheduler<T> {
    pub fn new(limits: Limits, pace: Pace) -> Self {
        Self {
            state: Mutex::new(State {
                lanes: HashMap::new(),
                urgent: VecDeque::new(),
                ready: VecDeque::new(),
                parked: BinaryHeap::new(),
                held: 0,
                in_turn: 0,
                closed: false,
                abandoned: false,
            }),
            work: Notify::new(),
            room: Notify::new(),
            timer: Notify::new(),
            limits: Limits {
                per_chat: limits.per_chat.max(1),
                max_held: limits.max_held.max(1),
                poll_below: limits.poll_below.max(1),
            },
            pace,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `item` at the end of `lane`. Items beyond the lane's limit are dropped, oldest
    /// first, and returned.
    pub fn push(&self, lane: Lane, item: T) -> Pushed<T> {
        let now = Instant::now();
        let mut state = self.lock();
        let state = &mut *state;
        let entry = state.lanes.entry(lane).or_insert_with(LaneState::new);
        entry.queue.push_back(item);
        let mut dropped = Vec::new();
        while entry.queue.len() > self.limits.per_chat {
            dropped.extend(entry.queue.pop_front());
        }
        let notice = matches!(lane, Lane::Chat(_)) && !dropped.is_empty() && !entry.noticed;
        if notice {
            entry.noticed = true;
        }
        state.held = state.held + 1 - dropped.len();
        if entry.status == Status::Idle {
            self.schedule(state, lane, now);
        }
        Pushed {
            dropped,
            reason: DROPPED_BACKLOG,
            notice,
        }
    }

    /// Puts `item` before the waiting items of `lane` (after a paused turn, if there is
    /// one); it is never dropped. For the notice of a flooded chat.
    pub fn push_front(&self, lane: Lane, item: T) {
        let now = Instant::now();
        let mut state = self.lock();
        let state = &mut *state;
        let entry = state.lanes.entry(lane).or_insert_with(LaneState::new);
        entry.front.push_back(item);
        state.held += 1;
        if entry.status == Status::Idle {
            self.schedule(state, lane, now);
        }
    }

    /// Puts an idle lane with items in line, or parks it if `pace` says it must wait.
    fn schedule(&self, state: &mut State<T>, lane: Lane, now: Instant) {
        match (self.pace)(lane, now) {
            Some(at) if at > now => self.park(state, lane, at),
            _ => {
                if let Some(entry) = state.lanes.get_mut(&lane) {
                    entry.status = Status::Waiting;
                }
                if lane.urgent() {
                    state.urgent.push_back(lane);
                } else {
                    state.ready.push_back(lane);
                }
                self.work.notify_one();
            }
        }
    }

    fn park(&self, state: &mut State<T>, lane: Lane, until: Instant) {
        if let Some(entry) = state.lanes.get_mut(&lane) {
            entry.status = Status::Parked(until);
        }
        let earliest = state.parked.peek().map(|Reverse((at, _))| *at);
        state.parked.push(Reverse((until, lane)));
        if earliest.is_none_or(|at| until < at) {
            self.timer.notify_one();
        }
    }

    /// The next turn: the first lane in line. `None` when the scheduler is abandoned, or
    /// closed with no lane in line.
    pub async fn next(&self) -> Option<Turn<T>> {
        loop {
            let notified = self.work.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = self.lock();
                if state.abandoned {
                    return None;
                }
                let lane = match state.urgent.pop_front() {
                    Some(lane) => Some(lane),
                    None => state.ready.pop_front(),
                };
                if let Some(lane) = lane {
                    state.in_turn += 1;
                    let drained = state.ready.is_empty();
                    let entry = state
                        .lanes
                        .get_mut(&lane)
                        .expect("a lane in line has its state");
                    entry.status = Status::Busy;
                    let item = match entry.front.pop_front() {
                        Some(item) => item,
                        None => entry.queue.pop_front().expect("a lane in line has an item"),
                    };
                    drop(state);
                    if drained {
                        self.room.notify_waiters();
                    }
                    return Some(Turn { lane, item });
                }
                if state.closed {
                    return None;
                }
            }
            notified.await;
        }
    }

    /// The turn of `lane` is over and its item answered (or given up).
    pub fn done(&self, lane: Lane) {
        let now = Instant::now();
        let mut state = self.lock();
        let state = &mut *state;
        state.held = state.held.saturating_sub(1);
        state.in_turn = state.in_turn.saturating_sub(1);
        match state.lanes.get_mut(&lane) {
            Some(entry) if entry.moved_to.is_some() => {
                let to = entry.moved_to.unwrap_or(lane);
                self.transfer(state, lane, to, now, None);
            }
            Some(entry) if entry.is_empty() => {
                // Nothing left: the flood (if any) is over, and memory goes with the lane.
                state.lanes.remove(&lane);
            }
            Some(entry) => {
                entry.status = Status::Idle;
                self.schedule(state, lane, now);
            }
            None => {}
        }
        if self.has_room(state) {
            self.room.notify_waiters();
        }
    }

    fn has_room(&self, state: &State<T>) -> bool {
        state.ready.is_empty()
            && state.in_turn < self.limits.poll_below
            && state.held < self.limits.max_held
    }

    /// The turn of `lane` could not finish (a `retry_after` for this chat): `item` goes back
    /// to the front of the lane, and the lane waits until `until`.
    pub fn pause(&self, lane: Lane, item: T, until: Instant) {
        let mut state = self.lock();
        let state = &mut *state;
        let entry = state.lanes.entry(lane).or_insert_with(LaneState::new);
        entry.front.push_front(item);
        state.in_turn = state.in_turn.saturating_sub(1);
        match entry.moved_to {
            Some(to) => self.transfer(state, lane, to, Instant::now(), Some(until)),
            None => self.park(state, lane, until),
        }
        if self.has_room(state) {
            self.room.notify_waiters();
        }
    }

    /// The chat of `from` is now `to` (a group became a supergroup): the items waiting in
    /// `from` (a paused turn first) go before those waiting in `to`, in their order, since
    /// they are older. While a turn of `from` is in progress they stay until it ends
    /// ([`Scheduler::done`] or [`Scheduler::pause`]), so that the chat's order is kept.
    pub fn move_lane(&self, from: Lane, to: Lane) {
        if from == to {
            return;
        }
        let now = Instant::now();
        let mut state = self.lock();
        let state = &mut *state;
        let Some(entry) = state.lanes.get_mut(&from) else {
            return;
        };
        if entry.status == Status::Busy {
            entry.moved_to = Some(to);
            return;
        }
        self.transfer(state, from, to, now, None);
    }

    /// Moves every item of `from` (no turn of it in progress) to the front of `to`'s waiting
    /// items; `from` is gone. `to`, if idle, goes in line, or is parked `until`.
    fn transfer(
        &self,
        state: &mut State<T>,
        from: Lane,
        to: Lane,
        now: Instant,
        until: Option<Instant>,
    ) {
        let Some(mut entry) = state.lanes.remove(&from) else {
            return;
        };
        if entry.status == Status::Waiting {
            state.urgent.retain(|lane| *lane != from);
            state.ready.retain(|lane| *lane != from);
        }
        // A parked lane's entry in the heap is skipped once the lane is gone.
        let mut moved = std::mem::take(&mut entry.front);
        moved.append(&mut entry.queue);
        if moved.is_empty() {
            return;
        }
        let target = state.lanes.entry(to).or_insert_with(LaneState::new);
        while let Some(item) = moved.pop_back() {
            target.queue.push_front(item);
        }
        if target.status == Status::Idle {
            match until {
                Some(at) if at > now => self.park(state, to, at),
                _ => self.schedule(state, to, now),
            }
        }
    }

    /// Puts parked lanes whose time has come back in line, until the scheduler is abandoned.
    pub async fn run_timer(&self) {
        loop {
            let notified = self.timer.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let next = {
                let now = Instant::now();
                let mut state = self.lock();
                let state = &mut *state;
                if state.abandoned {
                    return;
                }
                while let Some(Reverse((at, lane))) = state.parked.peek().copied() {
                    if at > now {
                        break;
                    }
                    state.parked.pop();
                    if let Some(entry) = state.lanes.get_mut(&lane)
                        && entry.status == Status::Parked(at)
                    {
                        entry.status = Status::Idle;
                        self.schedule(state, lane, now);
                    }
                }
                state.parked.peek().map(|Reverse((at, _))| *at)
            };
            match next {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at.into()) => {}
                        _ = &mut notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Waits until the poller may fetch more: no lane waits for a worker and fewer than
    /// `poll_below` turns are in progress (so what comes next is answered at once, not behind
    /// a backlog), and fewer than `max_held` items are held. Parked chats do not count: a busy
    /// chat never stops the polling.
    pub async fn room(&self) {
        self.wait_until(|state| self.has_room(state)).await;
    }

    /// Waits until fewer than `max_held` items are held (the webhook, which cannot choose
    /// when updates come, waits only for memory).
    pub async fn admit(&self) {
        self.wait_until(|state| state.held < self.limits.max_held)
            .await;
    }

    async fn wait_until(&self, ok: impl Fn(&State<T>) -> bool) {
        loop {
            let notified = self.room.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let state = self.lock();
                if state.closed || ok(&state) {
                    return;
                }
            }
            notified.await;
        }
    }

    /// Stops the intake: workers finish the lanes in line (not the parked ones) and stop.
    pub fn close(&self) {
        self.lock().closed = true;
        self.work.notify_waiters();
        self.room.notify_waiters();
    }

    /// Workers stop after their current turn, the timer at once.
    pub fn abandon(&self) {
        {
            let mut state = self.lock();
            state.closed = true;
            state.abandoned = true;
        }
        self.work.notify_waiters();
        self.room.notify_waiters();
        self.timer.notify_one();
    }

    /// Items held: waiting, parked, or in a turn.
    pub fn held(&self) -> usize {
        self.lock().held
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    fn scheduler(per_chat: usize) -> Scheduler<u32> {
        Scheduler::new(
            Limits {
                per_chat,
                max_held: 1000,
                poll_below: 8,
            },
            Box::new(|_, _| None),
        )
    }

    /// Takes every turn in line (without waiting), answering each at once.
    async fn drain(s: &Scheduler<u32>) -> Vec<(Lane, u32)> {
        let mut order = Vec::new();
        loop {
            let turn = tokio::time::timeout(Duration::from_millis(20), s.next()).await;
            let Ok(Some(turn)) = turn else {
                return order;
            };
            order.push((turn.lane, turn.item));
            s.done(turn.lane);
        }
    }

    #[tokio::test]
    async fn no_chat_gets_a_second_turn_while_another_waits_for_its_first() {
        let s = scheduler(100);
        for i in 0..5 {
            s.push(Lane::Chat(1), i);
        }
        s.push(Lane::Chat(2), 100);
        s.push(Lane::Chat(3), 200);
        s.push(Lane::Chat(2), 101);
        let order = drain(&s).await;
        let expected = vec![
            (Lane::Chat(1), 0),
            (Lane::Chat(2), 100),
            (Lane::Chat(3), 200),
            (Lane::Chat(1), 1),
            (Lane::Chat(2), 101),
            (Lane::Chat(1), 2),
            (Lane::Chat(1), 3),
            (Lane::Chat(1), 4),
        ];
        assert_eq!(order, expected);
        assert_eq!(s.held(), 0);
    }

    #[tokio::test]
    async fn a_lane_is_never_served_twice_at_once() {
        let s = scheduler(100);
        s.push(Lane::Chat(1), 1);
        s.push(Lane::Chat(1), 2);
        let first = s.next().await.unwrap();
        // The second item of chat 1 waits until the first turn is done.
        assert!(
            tokio::time::timeout(Duration::from_millis(30), s.next())
                .await
                .is_err()
        );
        s.done(first.lane);
        assert_eq!(s.next().await.unwrap().item, 2);
    }

    #[tokio::test]
    async fn acknowledgements_and_inline_answers_go_before_chats() {
        let s = scheduler(100);
        s.push(Lane::Chat(1), 1);
        s.push(Lane::Ack(7), 2);
        s.push(Lane::Inline(8), 3);
        let order: Vec<u32> = drain(&s).await.into_iter().map(|(_, i)| i).collect();
        assert_eq!(order, vec![2, 3, 1]);
    }

    #[tokio::test]
    async fn a_flood_keeps_the_newest_items_and_asks_for_one_notice() {
        let s = scheduler(3);
        let first = s.push(Lane::Chat(1), 0);
        assert!(first.dropped.is_empty() && !first.notice);
        let busy = s.next().await.unwrap(); // item 0 is in a turn
        let mut notices = 0;
        let mut dropped = Vec::new();
        for i in 1..=10 {
            let pushed = s.push(Lane::Chat(1), i);
            notices += usize::from(pushed.notice);
            if pushed.notice {
                s.push_front(Lane::Chat(1), 999);
            }
            assert_eq!(pushed.reason, DROPPED_BACKLOG);
            dropped.extend(pushed.dropped);
        }
        assert_eq!(notices, 1, "one notice per flood");
        assert_eq!(dropped, vec![1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(s.held(), 1 + 3 + 1);
        s.done(busy.lane);
        let order: Vec<u32> = drain(&s).await.into_iter().map(|(_, i)| i).collect();
        assert_eq!(order, vec![999, 8, 9, 10], "the notice, then the newest");
        // Once the chat was empty, a new flood gets a new notice.
        s.push(Lane::Chat(1), 20);
        let busy = s.next().await.unwrap();
        let notices: usize = (21..30)
            .map(|i| usize::from(s.push(Lane::Chat(1), i).notice))
            .sum();
        assert_eq!(notices, 1);
        s.done(busy.lane);
    }

    #[tokio::test]
    async fn inline_queries_are_bounded_without_a_notice() {
        let s = scheduler(2);
        s.push(Lane::Inline(5), 1);
        s.push(Lane::Inline(5), 2);
        let pushed = s.push(Lane::Inline(5), 3);
        assert_eq!(pushed.dropped, vec![1]);
        assert!(!pushed.notice, "no notice for inline queries");
        let order: Vec<u32> = drain(&s).await.into_iter().map(|(_, i)| i).collect();
        assert_eq!(order, vec![2, 3]);
    }

    #[tokio::test]
    async fn a_paced_chat_is_parked_and_holds_up_no_worker() {
        let start = Instant::now();
        // Chat 1 may go again 200 ms after each turn; chat 2 always.
        let last = Arc::new(Mutex::new(None::<Instant>));
        let seen = Arc::clone(&last);
        let s = Arc::new(Scheduler::new(
            Limits {
                per_chat: 10,
                max_held: 100,
                poll_below: 8,
            },
            Box::new(move |lane, _now| match lane {
                Lane::Chat(1) => seen
                    .lock()
                    .unwrap()
                    .map(|t: Instant| t + Duration::from_millis(200)),
                _ => None,
            }),
        ));
        let timer = tokio::spawn({
            let s = Arc::clone(&s);
            async move { s.run_timer().await }
        });
        s.push(Lane::Chat(1), 1);
        s.push(Lane::Chat(1), 2);
        let turn = s.next().await.unwrap();
        assert_eq!(turn.item, 1);
        *last.lock().unwrap() = Some(Instant::now());
        s.done(turn.lane); // chat 1 is parked for 200 ms
        s.push(Lane::Chat(2), 3);
        let turn = s.next().await.unwrap();
        assert_eq!(turn.item, 3, "chat 2 goes while chat 1 waits");
        assert!(start.elapsed() < Duration::from_millis(150));
        s.done(turn.lane);
        let turn = s.next().await.unwrap();
        assert_eq!(turn.item, 2);
        assert!(start.elapsed() >= Duration::from_millis(190));
        s.done(turn.lane);
        s.abandon();
        timer.await.unwrap();
    }

    #[tokio::test]
    async fn a_paused_turn_resumes_first_after_its_wait() {
        let s = Arc::new(scheduler(10));
        let timer = tokio::spawn({
            let s = Arc::clone(&s);
            async move { s.run_timer().await }
        });
        s.push(Lane::Chat(1), 1);
        s.push(Lane::Chat(1), 2);
        let turn = s.next().await.unwrap();
        let paused_at = Instant::now();
        s.pause(turn.lane, turn.item, paused_at + Duration::from_millis(100));
        s.push(Lane::Chat(2), 3);
        assert_eq!(s.next().await.unwrap().item, 3);
        s.done(Lane::Chat(2));
        let turn = s.next().await.unwrap();
        assert_eq!(turn.item, 1, "the paused item first");
        assert!(paused_at.elapsed() >= Duration::from_millis(95));
        s.done(turn.lane);
        assert_eq!(s.next().await.unwrap().item, 2);
        s.abandon();
        timer.await.unwrap();
    }

    #[tokio::test]
    async fn the_poller_waits_while_a_lane_waits_for_a_worker_but_not_for_parked_chats() {
        let s = Arc::new(Scheduler::new(
            Limits {
                per_chat: 10,
                max_held: 3,
                poll_below: 2,
            },
            Box::new(|lane, now| (lane == Lane::Chat(9)).then(|| now + Duration::from_secs(60))),
        ));
        // A parked chat does not hold up the poller.
        s.push(Lane::Chat(9), 1);
        tokio::time::timeout(Duration::from_millis(50), s.room())
            .await
            .expect("room while only a parked chat waits");
        // A chat in line does, until a worker takes it.
        s.push(Lane::Chat(1), 2);
        assert!(
            tokio::time::timeout(Duration::from_millis(30), s.room())
                .await
                .is_err()
        );
        let waiter = tokio::spawn({
            let s = Arc::clone(&s);
            async move { s.room().await }
        });
        let turn = s.next().await.unwrap();
        tokio::time::timeout(Duration::from_millis(200), waiter)
            .await
            .expect("room once the lane is taken")
            .unwrap();
        // Memory: with max_held items held, even the webhook waits.
        s.push(Lane::Chat(9), 3);
        assert_eq!(s.held(), 3);
        assert!(
            tokio::time::timeout(Duration::from_millis(30), s.admit())
                .await
                .is_err()
        );
        s.done(turn.lane);
        tokio::time::timeout(Duration::from_millis(50), s.admit())
            .await
            .expect("room after a turn is done");
    }

    #[tokio::test]
    async fn the_poller_waits_while_many_turns_are_in_progress() {
        let s = Arc::new(Scheduler::new(
            Limits {
                per_chat: 10,
                max_held: 100,
                poll_below: 2,
            },
            Box::new(|_, _| None),
        ));
        s.push(Lane::Chat(1), 1);
        s.push(Lane::Chat(2), 2);
        let first = s.next().await.unwrap();
        let second = s.next().await.unwrap();
        // Nothing in line, but two turns in progress: what came next would wait for them.
        assert!(
            tokio::time::timeout(Duration::from_millis(30), s.room())
                .await
                .is_err()
        );
        let waiter = tokio::spawn({
            let s = Arc::clone(&s);
            async move { s.room().await }
        });
        s.pause(
            first.lane,
            first.item,
            Instant::now() + Duration::from_secs(60),
        );
        tokio::time::timeout(Duration::from_millis(200), waiter)
            .await
            .expect("room once a turn is paused")
            .unwrap();
        s.done(second.lane);
    }

    #[tokio::test]
    async fn closing_drains_the_lanes_in_line_and_abandoning_stops_at_once() {
        let s = scheduler(10);
        s.push(Lane::Chat(1), 1);
        s.push(Lane::Chat(2), 2);
        s.close();
        let turn = s.next().await.unwrap();
        s.done(turn.lane);
        let turn = s.next().await.unwrap();
        s.done(turn.lane);
        assert!(s.next().await.is_none(), "closed and nothing in line");
        s.push(Lane::Chat(3), 3);
        s.abandon();
        assert!(s.next().await.is_none(), "abandoned");
    }

    #[tokio::test]
    async fn a_moved_lane_goes_before_the_waiting_items_of_its_new_lane() {
        let s = scheduler(100);
        s.push(Lane::Chat(-5), 1);
        s.push(Lane::Chat(-5), 2);
        s.push(Lane::Chat(-1005), 10);
        s.push(Lane::Chat(7), 70);
        // The first turn of -5 is in progress when the move is found.
        let turn = s.next().await.unwrap();
        assert_eq!((turn.lane, turn.item), (Lane::Chat(-5), 1));
        s.move_lane(Lane::Chat(-5), Lane::Chat(-1005));
        // Nothing of -5 goes while its turn is in progress: the chat's order is kept.
        let next = s.next().await.unwrap();
        assert_eq!((next.lane, next.item), (Lane::Chat(-1005), 10));
        s.done(next.lane);
        s.done(Lane::Chat(-5));
        let order = drain(&s).await;
        assert_eq!(order, vec![(Lane::Chat(7), 70), (Lane::Chat(-1005), 2)]);
        assert_eq!(s.held(), 0);
        // A waiting lane moves too (and leaves the line).
        s.push(Lane::Chat(-6), 3);
        s.move_lane(Lane::Chat(-6), Lane::Chat(-1006));
        assert_eq!(drain(&s).await, vec![(Lane::Chat(-1006), 3)]);
    }
}

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

mod lane;
#[cfg(test)]
mod tests;

pub(crate) use lane::Lane;
use lane::{LaneState, Status};

/// When `lane` may have its next turn, if not now (Telegram's per-chat limits).
pub(crate) type Pace = Box<dyn Fn(Lane, Instant) -> Option<Instant> + Send + Sync>;

/// Why items were dropped (the label of `bot_updates_dropped_total`).
pub(crate) const DROPPED_BACKLOG: &str = "backlog";

/// What [`Scheduler::push`] did besides queueing.
#[derive(Debug)]
pub(crate) struct Pushed<T> {
    /// Items dropped to keep the backlog bounded, oldest first.
    pub(crate) dropped: Vec<T>,
    /// The chat has just overflowed for the first time since it was last empty: it should
    /// get one notice (see [`Scheduler::push_front`]).
    pub(crate) notice: bool,
}

/// One turn: an item of a lane. Hand it back with [`Scheduler::done`] or
/// [`Scheduler::pause`].
#[derive(Debug)]
pub(crate) struct Turn<T> {
    pub(crate) lane: Lane,
    pub(crate) item: T,
}

/// The limits of the scheduler.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Waiting items per lane (a chat, a user's acknowledgements, a user's inline queries).
    pub(crate) per_chat: usize,
    /// Items held at most (waiting, parked and in a turn); above it the intake waits.
    pub(crate) max_held: usize,
    /// The poller fetches more only while fewer turns than this are in progress.
    pub(crate) poll_below: usize,
}

/// The fair scheduler; see the module documentation.
pub(crate) struct Scheduler<T> {
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

impl<T> Scheduler<T> {
    pub(crate) fn new(limits: Limits, pace: Pace) -> Self {
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
    pub(crate) fn push(&self, lane: Lane, item: T) -> Pushed<T> {
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
        Pushed { dropped, notice }
    }

    /// Puts `item` before the waiting items of `lane` (after a paused turn, if there is
    /// one); it is never dropped. For the notice of a flooded chat.
    pub(crate) fn push_front(&self, lane: Lane, item: T) {
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
    pub(crate) async fn next(&self) -> Option<Turn<T>> {
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
    pub(crate) fn done(&self, lane: Lane) {
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
    pub(crate) fn pause(&self, lane: Lane, item: T, until: Instant) {
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
    pub(crate) fn move_lane(&self, from: Lane, to: Lane) {
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
    pub(crate) async fn run_timer(&self) {
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
    pub(crate) async fn room(&self) {
        self.wait_until(|state| self.has_room(state)).await;
    }

    /// Waits until fewer than `max_held` items are held (the webhook, which cannot choose
    /// when updates come, waits only for memory).
    pub(crate) async fn admit(&self) {
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
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.work.notify_waiters();
        self.room.notify_waiters();
    }

    /// Workers stop after their current turn, the timer at once.
    pub(crate) fn abandon(&self) {
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
    pub(crate) fn held(&self) -> usize {
        self.lock().held
    }
}

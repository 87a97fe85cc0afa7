//! A lane: whose turn it is ([`Lane`]) and what one lane holds ([`LaneState`]).

use std::collections::VecDeque;
use std::time::Instant;

use teloxide::types::{ChatId, UserId};

/// Whose turn it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Lane {
    /// Messages and button presses of one chat (the bot's messages to it), in order.
    Chat(ChatId),
    /// The acknowledgements (`answerCallbackQuery`) of one user's button presses.
    Ack(UserId),
    /// One user's inline queries.
    Inline(UserId),
}

impl Lane {
    /// Served before the chats: answers to queries, not messages.
    pub(super) fn urgent(self) -> bool {
        !matches!(self, Lane::Chat(_))
    }
}

pub(super) struct LaneState<T> {
    /// Served first and never dropped: a paused turn to resume, then the notice.
    pub(super) front: VecDeque<T>,
    pub(super) queue: VecDeque<T>,
    pub(super) status: Status,
    /// This chat got its notice since it was last empty.
    pub(super) noticed: bool,
    /// The chat moved while its turn was in progress: when the turn ends, what is left goes
    /// to this lane.
    pub(super) moved_to: Option<Lane>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
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
    pub(super) fn new() -> Self {
        Self {
            front: VecDeque::new(),
            queue: VecDeque::new(),
            status: Status::Idle,
            noticed: false,
            moved_to: None,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.front.is_empty() && self.queue.is_empty()
    }
}

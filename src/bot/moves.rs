//! Groups that became supergroups. Telegram gives the supergroup a new chat id and answers
//! a message to the old one with 400 and `migrate_to_chat_id`; it also tells the bot in a
//! service message. From then on everything of the old chat goes to the new one: the reply
//! that met the 400 (sent there once), the chat's queue (moved to the new chat's lane, in
//! order) and its updates still in the inbox (answered in the new chat, also after a restart:
//! the inbox keeps the move). A language choice belongs to a person, not to a chat, and needs
//! no move.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use teloxide::types::ChatId;

use super::intake::Item;
use super::queue::{Lane, Scheduler};
use crate::store::Inbox;

/// The moves known, old chat id → new chat id.
#[derive(Debug, Default)]
pub(crate) struct Moves {
    map: RwLock<HashMap<ChatId, ChatId>>,
    /// Any move known: most bots never see one, and then a look-up takes no lock.
    any: AtomicBool,
}

impl Moves {
    /// The moves the inbox kept.
    pub(crate) fn new(known: Vec<(crate::ids::ChatId, crate::ids::ChatId)>) -> Self {
        let moves = Self::default();
        for (from, to) in known {
            moves.insert(from.into(), to.into());
        }
        moves
    }

    /// Where `chat` is now, if it moved.
    pub(crate) fn to(&self, chat: ChatId) -> Option<ChatId> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(&chat).copied()
    }

    /// `chat`, or where it moved.
    pub(crate) fn current(&self, chat: ChatId) -> ChatId {
        self.to(chat).unwrap_or(chat)
    }

    /// Remembers that `from` is now `to`; `false` if that was known. The caller writes it to
    /// the inbox ([`Moves::record`]).
    pub(crate) fn insert(&self, from: ChatId, to: ChatId) -> bool {
        if from == to {
            return false;
        }
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        // A chat that others moved to moves on with them (a group upgraded twice).
        for target in map.values_mut() {
            if *target == from {
                *target = to;
            }
        }
        let new = map.insert(from, to) != Some(to);
        self.any.store(true, Ordering::Release);
        new
    }

    /// The group `from` became the supergroup `to`: remembered here and in the inbox (so
    /// that a restart still knows it), and what waits in `from`'s lane goes to `to`'s.
    pub(crate) async fn moved(
        &self,
        from: ChatId,
        to: ChatId,
        sched: &Scheduler<Item>,
        inbox: &Inbox,
    ) {
        if !self.insert(from, to) {
            return;
        }
        tracing::info!(
            from = from.0,
            to = to.0,
            "a group became a supergroup: its replies go to the new chat"
        );
        metrics::counter!("bot_chats_moved_total").increment(1);
        sched.move_lane(Lane::Chat(from), Lane::Chat(to));
        if let Err(err) = inbox.chat_moved(from.into(), to.into()).await {
            tracing::warn!(error = %err, from = from.0, to = to.0, "cannot store that a group became a supergroup; its updates left in the inbox will find it again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_chat_is_found_and_others_are_not() {
        let moves = Moves::new(vec![(crate::ids::ChatId(-5), crate::ids::ChatId(-1005))]);
        assert_eq!(moves.to(ChatId(-5)), Some(ChatId(-1005)));
        assert_eq!(moves.current(ChatId(-5)), ChatId(-1005));
        assert_eq!(moves.current(ChatId(-6)), ChatId(-6));
        assert!(!moves.insert(ChatId(-5), ChatId(-1005)), "known");
        assert!(moves.insert(ChatId(-1005), ChatId(-1009)), "moved on");
        assert_eq!(
            moves.to(ChatId(-5)),
            Some(ChatId(-1009)),
            "the old id follows"
        );
        assert!(!moves.insert(ChatId(7), ChatId(7)));
        assert_eq!(Moves::default().to(ChatId(-5)), None);
    }
}

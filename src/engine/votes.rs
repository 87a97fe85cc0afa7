//! "Did this help?": one vote per person per card per day. The votes themselves are daily
//! aggregate counters in the statistics (`vote_up` / `vote_down` by the card's payload, no user
//! id). To hold back a second vote, the engine remembers in memory only, for the current UTC day,
//! a keyed hash of (user, card): never the user id itself, never on disk. The set is bounded:
//! once [`MAX_BALLOTS`] people voted on one day, further votes that day are thanked and not
//! counted (so a flood of accounts can neither grow the memory nor stuff the count). A restart
//! forgets the day's set: at worst a person's second vote of that day counts.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use super::action::Action;
use crate::ids::UserId;

/// Votes remembered a day at most; about 16 bytes each.
pub(crate) const MAX_BALLOTS: usize = 100_000;

/// What became of a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ballot {
    /// The first of this person on this card today: counted.
    Counted,
    /// They voted on this card today already: held back.
    Repeated,
    /// Too many votes today to remember one more: not counted.
    Full,
}

/// Who voted on what today, as keyed hashes.
#[derive(Debug, Default)]
pub(crate) struct Ballots {
    inner: Mutex<Today>,
}

#[derive(Debug, Default)]
struct Today {
    day: String,
    seen: HashSet<u64>,
    /// Keys chosen at random when the process starts: the hashes say nothing outside it.
    keys: RandomState,
}

impl Ballots {
    /// Records the vote of `user_id` on `item` on `day` (`YYYY-MM-DD`, UTC).
    pub(crate) fn cast(&self, user_id: UserId, item: &Action, day: &str) -> Ballot {
        self.forget_other_days(day);
        let mut today = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let hash = today.keys.hash_one((user_id, item.encode()));
        if today.seen.contains(&hash) {
            Ballot::Repeated
        } else if today.seen.len() >= MAX_BALLOTS {
            Ballot::Full
        } else {
            today.seen.insert(hash);
            Ballot::Counted
        }
    }

    /// Forgets the votes of any day but `day` (called every few seconds with the flush of the
    /// statistics, so that none outlives its day by more).
    pub(crate) fn forget_other_days(&self, day: &str) {
        let mut today = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if today.day != day {
            today.day = day.to_string();
            today.seen = HashSet::new();
        }
    }

    /// How many votes are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .seen
            .len()
    }

    /// Whether no vote is remembered.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_vote_per_person_per_card_per_day() {
        let ballots = Ballots::default();
        let (vm, lesson) = (Action::Ministry("vm".into()), Action::Lesson(3));
        assert_eq!(ballots.cast(UserId(1), &vm, "2026-11-28"), Ballot::Counted);
        assert_eq!(ballots.cast(UserId(1), &vm, "2026-11-28"), Ballot::Repeated);
        // Another card, another person: counted.
        assert_eq!(
            ballots.cast(UserId(1), &lesson, "2026-11-28"),
            Ballot::Counted
        );
        assert_eq!(ballots.cast(UserId(2), &vm, "2026-11-28"), Ballot::Counted);
        assert_eq!(ballots.len(), 3);
        // The next day starts afresh and forgets the last.
        assert_eq!(ballots.cast(UserId(1), &vm, "2026-11-29"), Ballot::Counted);
        assert_eq!(ballots.len(), 1);
        ballots.forget_other_days("2026-11-29");
        assert_eq!(ballots.len(), 1);
        ballots.forget_other_days("2026-11-30");
        assert!(ballots.is_empty());
    }

    #[test]
    fn the_memory_is_bounded() {
        let ballots = Ballots::default();
        let vm = Action::Ministry("vm".into());
        for user in 0..MAX_BALLOTS as i64 {
            assert_eq!(
                ballots.cast(UserId(user), &vm, "2026-11-28"),
                Ballot::Counted
            );
        }
        assert_eq!(ballots.cast(UserId(-1), &vm, "2026-11-28"), Ballot::Full);
        assert_eq!(ballots.cast(UserId(0), &vm, "2026-11-28"), Ballot::Repeated);
        assert_eq!(ballots.len(), MAX_BALLOTS);
        assert_eq!(ballots.cast(UserId(-1), &vm, "2026-11-29"), Ballot::Counted);
    }
}

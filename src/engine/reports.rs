//! "Report a mistake" (🚩): what the engine keeps in memory, never on disk, about people in
//! the middle of a report. Who was asked for a report and on which card (for
//! [`PROMPT_SECS`]), how many reports each person sent today (at most one a minute and
//! [`PER_DAY`] a day), and which report a person may still agree to be contacted about. All of
//! it is bounded ([`MAX_PEOPLE`]) and gone on a restart; the store holds the reports
//! themselves, without a user id unless the person agreed.

use std::collections::HashMap;
use std::sync::Mutex;

use super::action::Action;
use crate::ids::{ReportId, UserId};

/// How long the bot waits for the text of a report after the 🚩 was pressed.
pub(crate) const PROMPT_SECS: u64 = 10 * 60;
/// Seconds between two reports of one person at least.
pub(crate) const GAP_SECS: u64 = 60;
/// Reports one person may send a day (UTC).
pub(crate) const PER_DAY: u32 = 5;
/// The longest report text, in characters; longer ones are cut (and the person told).
pub(crate) const MAX_CHARS: usize = 1000;
/// People remembered at most in each map; past it, new reporters are asked to try later.
pub(crate) const MAX_PEOPLE: usize = 10_000;

/// Why a report cannot be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Less than [`GAP_SECS`] after the person's last report.
    TooSoon,
    /// [`PER_DAY`] reports today already.
    TooMany,
    /// Too many people reporting at once to remember one more.
    Busy,
}

/// The reports in progress and the day's counts, by person.
#[derive(Debug, Default)]
pub(crate) struct Desk {
    inner: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Asked for a report on this card, until this time (Unix seconds).
    pending: HashMap<UserId, (Action, u64)>,
    /// The report a person may still agree to be contacted about.
    offers: HashMap<UserId, ReportId>,
    /// The day (days since the epoch) `sent` counts.
    day: u64,
    /// Reports sent today: how many, and when the last one was.
    sent: HashMap<UserId, (u32, u64)>,
}

impl State {
    fn roll(&mut self, now: u64) {
        if self.day != now / 86_400 {
            self.day = now / 86_400;
            self.sent.clear();
        }
    }

    fn check(&mut self, user: UserId, now: u64) -> Result<(), Refusal> {
        self.roll(now);
        match self.sent.get(&user) {
            Some((count, _)) if *count >= PER_DAY => Err(Refusal::TooMany),
            Some((_, last)) if now < last + GAP_SECS => Err(Refusal::TooSoon),
            None if self.sent.len() >= MAX_PEOPLE => Err(Refusal::Busy),
            _ => Ok(()),
        }
    }
}

impl Desk {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The 🚩 on `item` was pressed: the next text of `user` (within [`PROMPT_SECS`]) is the
    /// report, unless the limits say no already.
    pub(crate) fn ask(&self, user: UserId, item: Action, now: u64) -> Result<(), Refusal> {
        let mut state = self.lock();
        state.check(user, now)?;
        if state.pending.len() >= MAX_PEOPLE {
            state.pending.retain(|_, (_, until)| *until > now);
            if state.pending.len() >= MAX_PEOPLE {
                return Err(Refusal::Busy);
            }
        }
        state.pending.insert(user, (item, now + PROMPT_SECS));
        Ok(())
    }

    /// The card `user` is writing a report about, if the prompt is still open; it is closed.
    pub(crate) fn take(&self, user: UserId, now: u64) -> Option<Action> {
        let (item, until) = self.lock().pending.remove(&user)?;
        (now < until).then_some(item)
    }

    /// Whether `user` was asked for a report (still open); the prompt stays open.
    #[cfg(test)]
    pub(crate) fn is_asked(&self, user: UserId, now: u64) -> bool {
        self.lock()
            .pending
            .get(&user)
            .is_some_and(|(_, until)| now < *until)
    }

    /// `/cancel`: closes the prompt; `false` if there was none open.
    pub(crate) fn cancel(&self, user: UserId, now: u64) -> bool {
        self.lock()
            .pending
            .remove(&user)
            .is_some_and(|(_, until)| now < until)
    }

    /// Whether a report of `user` may be stored now (the limits are checked again: a person
    /// may have two prompts open in two chats).
    pub(crate) fn check(&self, user: UserId, now: u64) -> Result<(), Refusal> {
        self.lock().check(user, now)
    }

    /// Report `id` of `user` was stored: counted, and offered for consent.
    pub(crate) fn sent(&self, user: UserId, id: ReportId, now: u64) {
        let mut state = self.lock();
        state.roll(now);
        let entry = state.sent.entry(user).or_insert((0, now));
        *entry = (entry.0 + 1, now);
        if state.offers.len() >= MAX_PEOPLE {
            state.offers.clear();
        }
        state.offers.insert(user, id);
    }

    /// "You may contact me" pressed for report `id`: `true` once, and only for the person's
    /// own last report (a forged button cannot put someone's id on another's report).
    pub(crate) fn consent(&self, user: UserId, id: ReportId) -> bool {
        let mut state = self.lock();
        if state.offers.get(&user) == Some(&id) {
            state.offers.remove(&user);
            true
        } else {
            false
        }
    }

    /// `/forget`: nothing of `user` is kept in memory either (the day's count stays, so that
    /// /forget does not lift the limits).
    pub(crate) fn forget(&self, user: UserId) {
        let mut state = self.lock();
        state.pending.remove(&user);
        state.offers.remove(&user);
    }
}

/// `text` cut to [`MAX_CHARS`] characters; `true` if it was cut.
pub(crate) fn cut(text: &str) -> (String, bool) {
    let text = text.trim();
    if text.chars().count() <= MAX_CHARS {
        (text.to_string(), false)
    } else {
        (text.chars().take(MAX_CHARS).collect(), true)
    }
}

/// `bot_reports_total{outcome}`: filed, too_soon, too_many, busy, contact, resolved, spam,
/// cancelled, deleted.
pub(crate) fn count(outcome: &'static str) {
    metrics::counter!("bot_reports_total", "outcome" => outcome).increment(1);
}

impl Refusal {
    /// The outcome counted for this refusal.
    pub(crate) fn outcome(self) -> &'static str {
        match self {
            Refusal::TooSoon => "too_soon",
            Refusal::TooMany => "too_many",
            Refusal::Busy => "busy",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_795_000_000;

    #[test]
    fn one_report_a_minute_and_five_a_day() {
        let desk = Desk::default();
        let item = Action::Ministry("vm".into());
        let mut now = T0 - T0 % 86_400 + 3600;
        for n in 0..PER_DAY {
            assert_eq!(desk.ask(UserId(1), item.clone(), now), Ok(()), "report {n}");
            assert_eq!(desk.take(UserId(1), now + 5), Some(item.clone()));
            desk.sent(UserId(1), ReportId(i64::from(n)), now + 5);
            // Within the minute: no (after the fifth, for the day).
            let within = desk.ask(UserId(1), item.clone(), now + 30);
            if n + 1 < PER_DAY {
                assert_eq!(within, Err(Refusal::TooSoon));
            } else {
                assert_eq!(within, Err(Refusal::TooMany));
            }
            // Someone else may.
            assert_eq!(desk.check(UserId(2), now + 30), Ok(()));
            now += GAP_SECS + 10;
        }
        assert_eq!(
            desk.ask(UserId(1), item.clone(), now),
            Err(Refusal::TooMany)
        );
        // The next day starts afresh.
        let tomorrow = now - now % 86_400 + 86_400;
        assert_eq!(desk.ask(UserId(1), item, tomorrow), Ok(()));
    }

    #[test]
    fn a_prompt_lasts_ten_minutes_and_cancel_closes_it() {
        let desk = Desk::default();
        let item = Action::Lesson(3);
        desk.ask(UserId(1), item.clone(), T0).unwrap();
        assert!(desk.is_asked(UserId(1), T0 + PROMPT_SECS - 1));
        assert_eq!(desk.take(UserId(1), T0 + PROMPT_SECS), None);
        assert_eq!(desk.take(UserId(1), T0), None, "taken once");
        desk.ask(UserId(1), item.clone(), T0).unwrap();
        assert!(desk.cancel(UserId(1), T0 + 1));
        assert!(!desk.cancel(UserId(1), T0 + 2));
        assert_eq!(desk.take(UserId(1), T0 + 3), None);
    }

    #[test]
    fn consent_only_for_ones_own_last_report() {
        let desk = Desk::default();
        desk.sent(UserId(1), ReportId(7), T0);
        assert!(!desk.consent(UserId(2), ReportId(7)));
        assert!(!desk.consent(UserId(1), ReportId(6)));
        assert!(desk.consent(UserId(1), ReportId(7)));
        assert!(!desk.consent(UserId(1), ReportId(7)), "once");
        desk.sent(UserId(1), ReportId(8), T0 + 100);
        desk.forget(UserId(1));
        assert!(!desk.consent(UserId(1), ReportId(8)));
    }

    #[test]
    fn long_texts_are_cut_at_a_char_boundary() {
        let (short, cut_short) = cut("  Tālrunis ir nepareizs  ");
        assert_eq!(
            (short.as_str(), cut_short),
            ("Tālrunis ir nepareizs", false)
        );
        let (long, was_cut) = cut(&"ā".repeat(MAX_CHARS + 5));
        assert!(was_cut);
        assert_eq!(long.chars().count(), MAX_CHARS);
    }
}

//! `lidzdaliba-bot check --stale DAYS`: the entries that carry a `verified` date (contacts)
//! and were not verified within DAYS days, never-verified ones included, with `file:line`.

use std::fmt;

use super::{Content, Place};
use crate::clock;

/// An entry not verified recently enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub place: Place,
    /// What the entry is, for a person: `AM "ngo" contact Agnija Lauska`.
    pub what: String,
    /// The last verification, if there was one.
    pub verified: Option<String>,
    /// Days since that verification.
    pub days_ago: Option<i64>,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.verified, self.days_ago) {
            (Some(date), Some(days)) => write!(
                f,
                "{}: {}: last verified {date} ({days} days ago)",
                self.place, self.what
            ),
            _ => write!(f, "{}: {}: never verified", self.place, self.what),
        }
    }
}

/// How many entries carry a verification date, and those not verified within `days` days of
/// `today` (`YYYY-MM-DD`), in content order.
pub fn stale(content: &Content, today: &str, days: u32) -> (usize, Vec<Stale>) {
    let today = clock::day_number(today).unwrap_or(0);
    let mut total = 0;
    let mut out = Vec::new();
    for m in &content.ministries {
        for c in &m.contacts {
            total += 1;
            let days_ago = c
                .verified
                .as_deref()
                .and_then(clock::day_number)
                .map(|d| today - d);
            if days_ago.is_some_and(|ago| ago <= i64::from(days)) {
                continue;
            }
            let who = c
                .name
                .as_ref()
                .or(c.email.as_ref())
                .or(c.phone.as_ref())
                .or(c.address.as_ref())
                .map_or(String::new(), |w| format!(" {w}"));
            out.push(Stale {
                place: c.place.clone(),
                what: format!("{} \"{}\" contact{who}", m.abbr, c.kind.as_str()),
                verified: c.verified.clone(),
                days_ago,
            });
        }
    }
    (total, out)
}

//! The ids that cross the crate's seams, each its own type, so that a user id cannot be
//! passed where a chat id or a report number is meant (they are all `i64` underneath, and
//! several functions take two of them side by side).
//!
//! Each is stored in SQLite as its number (`#[sqlx(transparent)]`) and shown as its number.

use std::fmt;

/// A Telegram user: the person who asks (`from.id`). Telegram's ids fit in 52 bits, so the
/// `i64` the store keeps holds every one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct UserId(pub i64);

/// A Telegram chat: where a message goes (`chat.id`; negative for groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct ChatId(pub i64);

/// A filed report ("report a mistake"): its row number in the store, shown to the person and
/// the admins as "#n".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(transparent)]
pub struct ReportId(pub i64);

impl UserId {
    /// The user's private chat with the bot: Telegram gives it the user's own id.
    pub(crate) fn private_chat(self) -> ChatId {
        ChatId(self.0)
    }
}

impl ChatId {
    /// The user whose private chat this is (the same number). Only for chats known to be
    /// private: the follows of TAP consultations, which only a private chat may keep.
    pub(crate) fn private_user(self) -> UserId {
        UserId(self.0)
    }
}

impl std::str::FromStr for ReportId {
    type Err = std::num::ParseIntError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse().map(ReportId)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_chat_has_the_users_id() {
        assert_eq!(UserId(42).private_chat(), ChatId(42));
        assert_ne!(UserId(-42).private_chat(), ChatId(42));
        assert_eq!(ChatId(42).private_user(), UserId(42));
    }

    #[test]
    fn ids_show_as_their_numbers() {
        assert_eq!(format!("#{}", ReportId(7)), "#7");
        assert_eq!(ChatId(-100).to_string(), "-100");
        assert_eq!(UserId(5).to_string(), "5");
    }
}

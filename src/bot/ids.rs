//! Telegram's ids (teloxide's types) and the crate's own ([`crate::ids`]), converted here and
//! nowhere else.

use teloxide::types;

use crate::ids::{ChatId, UserId};

impl From<types::UserId> for UserId {
    /// Telegram's user ids are `u64` in teloxide but fit in 52 bits (Bot API: "at most 52
    /// significant bits"), so the conversion keeps every real id.
    fn from(user: types::UserId) -> Self {
        UserId(i64::try_from(user.0).unwrap_or(i64::MAX))
    }
}

impl From<types::ChatId> for ChatId {
    fn from(chat: types::ChatId) -> Self {
        ChatId(chat.0)
    }
}

impl From<ChatId> for types::ChatId {
    fn from(chat: ChatId) -> Self {
        types::ChatId(chat.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_numbers_both_ways() {
        assert_eq!(
            UserId::from(types::UserId(7_000_000_001)),
            UserId(7_000_000_001)
        );
        assert_eq!(ChatId::from(types::ChatId(-1001)), ChatId(-1001));
        assert_eq!(types::ChatId::from(ChatId(-1001)), types::ChatId(-1001));
        assert_eq!(UserId::from(types::UserId(u64::MAX)), UserId(i64::MAX));
    }
}

//! How a turn ended, as logs and metrics name it: one enum, so that a typo in an outcome is a
//! compile error rather than a counter that silently stops counting.

/// The outcome of one turn (the `outcome` field of the `update` span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A message answered with new messages.
    Replied,
    /// A button press answered in place (or under the pressed message).
    Edited,
    /// An inline query answered.
    Answered,
    /// A button press acknowledged (`answerCallbackQuery`).
    Acknowledged,
    /// The acknowledgement came after Telegram stopped waiting for it.
    TooLate,
    /// The Bot API refused the reply.
    SendFailed,
    /// `BOT_REPLY_DEADLINE` passed before the reply went.
    Expired,
    /// Nothing for the bot (a channel post, an edit, a group's plain text, ...).
    Ignored,
    /// A command addressed to another bot.
    OtherBot,
    /// A button without callback data.
    NoData,
    /// The engine had nothing to say.
    NoReply,
    /// A pressed button would show what its message shows already: nothing is edited.
    Unchanged,
    /// A button this version never made: its toast went with the acknowledgement, and
    /// nothing is sent or edited.
    Toasted,
    /// A group became a supergroup (Telegram's service message).
    ChatMoved,
    /// The one "too many messages" notice to a flooded chat.
    BacklogNotice,
    /// A message of the bot's own to an admin (a new report).
    Alerted,
    /// A notification (a TAP alert) delivered.
    Notified,
    /// A notification refused with 403: the chat blocked the bot, removed it, or is gone.
    Blocked,
}

impl Outcome {
    /// The name in logs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Replied => "replied",
            Outcome::Edited => "edited",
            Outcome::Answered => "answered",
            Outcome::Acknowledged => "acknowledged",
            Outcome::TooLate => "too-late",
            Outcome::SendFailed => "send-failed",
            Outcome::Expired => "expired",
            Outcome::Ignored => "ignored",
            Outcome::OtherBot => "other-bot",
            Outcome::NoData => "no-data",
            Outcome::NoReply => "no-reply",
            Outcome::Unchanged => "unchanged",
            Outcome::Toasted => "toasted",
            Outcome::ChatMoved => "chat-moved",
            Outcome::BacklogNotice => "notice",
            Outcome::Alerted => "alerted",
            Outcome::Notified => "notified",
            Outcome::Blocked => "blocked",
        }
    }

    /// A reply reached the person (counted in `bot_replies_total`).
    pub(crate) fn is_reply(self) -> bool {
        matches!(self, Outcome::Replied | Outcome::Edited | Outcome::Answered)
    }
}

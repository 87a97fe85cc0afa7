//! What goes out: a [`Reply`] (text, buttons and where it goes), the [`Alert`]s to other chats
//! that go with it, and the [`InlineItem`]s of an inline query. Every screen builds these; the
//! adapters turn them into messages.

use super::action::Action;
use crate::ids::ChatId;
use crate::lang::Lang;
use crate::render::{self, Html};

/// A button under a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Button {
    Action {
        label: String,
        action: Action,
    },
    Url {
        label: String,
        url: String,
    },
    /// Shares an item through inline mode: the query is the item's deep-link payload.
    Share {
        label: String,
        query: String,
    },
    /// Copies `text` (an item's permalink) to the clipboard (Bot API 7.11 `copy_text`).
    Copy {
        label: String,
        text: String,
    },
}

impl Button {
    pub(super) fn action(label: impl Into<String>, action: Action) -> Self {
        Button::Action {
            label: label.into(),
            action,
        }
    }

    /// The text on the button.
    pub fn label(&self) -> &str {
        match self {
            Button::Action { label, .. }
            | Button::Url { label, .. }
            | Button::Share { label, .. }
            | Button::Copy { label, .. } => label,
        }
    }
}

/// Where a reply goes. One value instead of flags, so that no two placements can be asked
/// for at once (an edit that asks for an answer, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// A new message in the chat: the answer to a command or a text.
    New,
    /// In place of the message whose button was pressed (a menu moving on). The router
    /// decides this for every reply to a pressed button that a screen left as `New`.
    Edit,
    /// A new message under the pressed one, which stays as it is (a refusal).
    Below,
    /// A new message under the pressed one that asks the person to answer it (Telegram's
    /// `force_reply`): the prompt for a report's text. It has no buttons.
    ForceReply,
    /// No message at all: the text is shown as the pressed button's notice
    /// (`answerCallbackQuery` text; plain text, at most 200 characters), and the message
    /// stays as it is. The answer to a button this version never made (stale, forged).
    Toast,
}

/// What the bot answers: Telegram HTML (already escaped), rows of buttons, and where it goes.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Telegram HTML, made by the renderer (a [`Placement::Toast`] shows it as plain text).
    pub text: Html,
    pub buttons: Vec<Vec<Button>>,
    pub placement: Placement,
    pub lang: Lang,
    /// A picture sent after the text (the statistics chart), PNG.
    pub image: Option<Vec<u8>>,
    /// Messages to other chats that go out with this reply: a new report to each admin.
    pub alerts: Vec<Alert>,
}

impl Reply {
    /// A new message with `text` (Telegram HTML) and `buttons`, in `lang`.
    pub(crate) fn new(text: Html, buttons: Vec<Vec<Button>>, lang: Lang) -> Self {
        Self {
            text,
            buttons,
            placement: Placement::New,
            lang,
            image: None,
            alerts: Vec::new(),
        }
    }

    /// This reply, going where `placement` says.
    pub(crate) fn placed(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// The text cut into messages that each fit Telegram's limit; the buttons belong under
    /// the last one.
    pub fn messages(&self) -> Vec<String> {
        render::split(self.text.as_str())
    }
}

/// A message of the bot's own to another chat (an admin's private chat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub chat: ChatId,
    /// Telegram HTML: made by the renderer, so every text in it is escaped.
    pub text: Html,
}

/// Telegram's limit for inline query results.
pub const MAX_INLINE_RESULTS: usize = 50;

/// One inline result: an item rendered as a message of its own.
#[derive(Debug, Clone)]
pub struct InlineItem {
    /// The item's deep-link payload (also the result id: 1–64 bytes).
    pub payload: String,
    pub title: String,
    pub description: String,
    /// Telegram HTML, one message.
    pub text: Html,
    /// The label of the "open in the bot" link button.
    pub open_label: String,
}

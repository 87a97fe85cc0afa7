//! What comes in: a [`Request`], platform-neutral (the Telegram runtime and the console build
//! it).

use crate::ids::UserId;

/// Who asks, where, and what.
#[derive(Debug, Clone)]
pub struct Request {
    pub user_id: UserId,
    /// Telegram's `language_code` of the user, if it sent one.
    pub language_code: Option<String>,
    pub chat: ChatKind,
    pub input: Input,
}

/// The kind of chat a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
}

/// What the person sent.
#[derive(Debug, Clone)]
pub enum Input {
    /// A command (name without `/` and `@bot`, lower-case) and its argument text.
    Command { name: String, arg: String },
    /// A pressed button's raw callback data.
    Button(String),
    /// Free text.
    Text(String),
    /// Something that is not text (a sticker, a photo, ...).
    NotText,
}

//! No wasted edits: whether a reply to a button would show exactly what the pressed message
//! already shows, so that `editMessageText` can be skipped (Telegram would only answer
//! "message is not modified", after a request that counts against the chat's rate limit).
//!
//! Telegram sends the pressed message back as plain text with entities, not as the HTML it
//! was sent with, so the reply's HTML is turned into the same form ([`render::entities`]) and
//! compared: the text exactly, the formatting entities (bold, italic, links with their
//! addresses, ...) exactly, and the keyboard exactly. Entities Telegram finds by itself in the
//! text (links, e-mail addresses, phone numbers, mentions) are not ours and are left out; so is
//! a link whose label is its own address, which the text already carries. Whatever cannot be
//! compared (an entity the bot never makes, a reply of several messages or with a picture)
//! counts as a change: the worst a wrong "changed" costs is the edit the bot made before.
//!
//! The pressed message in a button press is what it showed when the button was pressed. If
//! the bot has edited it since (several presses on one message, sent before the first edit
//! arrived), that copy is old; only the bot changes its messages, so what it last put in a
//! message ([`Shown`]) is then what the message shows, and is compared instead.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use teloxide::types::{ChatId, InlineKeyboardMarkup, Message, MessageEntityKind, MessageId};

use super::send::keyboard;
use crate::engine::Reply;
use crate::render::{self, Entity, Style};

/// Messages the bot remembers at most; beyond it the memory starts over (a message it does
/// not remember is compared with the copy in the press).
const MAX_REMEMBERED: usize = 10_000;

/// What the bot last put in the messages it edited: `(chat, message)` → the fingerprint of
/// the text and keyboard (see [`fingerprint`]).
#[derive(Debug, Default)]
pub(crate) struct Shown {
    edited: Mutex<HashMap<(ChatId, MessageId), u64>>,
}

impl Shown {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(ChatId, MessageId), u64>> {
        self.edited.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The message now shows what has `fingerprint` (an edit went through, or Telegram said
    /// it showed that already).
    pub(crate) fn set(&self, chat: ChatId, message: MessageId, fingerprint: u64) {
        let mut edited = self.lock();
        if edited.len() >= MAX_REMEMBERED {
            edited.clear();
        }
        edited.insert((chat, message), fingerprint);
    }

    /// What the message shows is not known (an edit of it failed or may have failed).
    pub(crate) fn forget(&self, chat: ChatId, message: MessageId) {
        self.lock().remove(&(chat, message));
    }

    fn get(&self, chat: ChatId, message: MessageId) -> Option<u64> {
        self.lock().get(&(chat, message)).copied()
    }
}

/// A fingerprint of a message's HTML text and keyboard.
pub(crate) fn fingerprint(html: &str, markup: Option<&InlineKeyboardMarkup>) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    html.hash(&mut hasher);
    markup.hash(&mut hasher);
    hasher.finish()
}

/// Whether `reply`, put in place of `message`, would change nothing a person sees: compared
/// with what the bot last put there, if it remembers, else with the pressed copy.
pub(crate) fn unchanged(shown: &Shown, message: &Message, reply: &Reply) -> bool {
    match shown.get(message.chat.id, message.id) {
        Some(known) => {
            let messages = reply.messages();
            match messages.as_slice() {
                [html] if reply.image.is_none() => {
                    known == fingerprint(html, keyboard(&reply.buttons).as_ref())
                }
                _ => false,
            }
        }
        None => shows(message, reply),
    }
}

/// Whether `reply`, put in place of `message`, would change nothing a person sees.
pub(crate) fn shows(message: &Message, reply: &Reply) -> bool {
    if reply.image.is_some() {
        return false;
    }
    let messages = reply.messages();
    let [html] = messages.as_slice() else {
        return false;
    };
    same(
        message.text(),
        message.entities().unwrap_or_default(),
        message.reply_markup(),
        html,
        keyboard(&reply.buttons).as_ref(),
    )
}

/// The comparison of [`shows`] on the parts of a message.
fn same(
    text: Option<&str>,
    entities: &[teloxide::types::MessageEntity],
    markup: Option<&InlineKeyboardMarkup>,
    html: &str,
    new_markup: Option<&InlineKeyboardMarkup>,
) -> bool {
    let empty = InlineKeyboardMarkup::default();
    // No keyboard and an empty one look the same.
    let shown = markup.filter(|m| m.inline_keyboard.iter().any(|row| !row.is_empty()));
    if shown.unwrap_or(&empty) != new_markup.unwrap_or(&empty) {
        return false;
    }
    let (new_text, mut new_entities) = render::entities(html);
    let Some(text) = text else {
        return false;
    };
    if text != new_text {
        return false;
    }
    let mut old = Vec::with_capacity(entities.len());
    for entity in entities {
        let style = match &entity.kind {
            MessageEntityKind::Bold => Style::Bold,
            MessageEntityKind::Italic => Style::Italic,
            MessageEntityKind::Underline => Style::Underline,
            MessageEntityKind::Strikethrough => Style::Strikethrough,
            MessageEntityKind::Spoiler => Style::Spoiler,
            MessageEntityKind::Code => Style::Code,
            MessageEntityKind::Pre { .. } => Style::Pre,
            MessageEntityKind::Blockquote => Style::Blockquote,
            MessageEntityKind::ExpandableBlockquote => Style::ExpandableBlockquote,
            MessageEntityKind::TextLink { url } => Style::Link(url.to_string()),
            // Found by Telegram in the text itself.
            MessageEntityKind::Mention
            | MessageEntityKind::Hashtag
            | MessageEntityKind::Cashtag
            | MessageEntityKind::BotCommand
            | MessageEntityKind::Url
            | MessageEntityKind::Email
            | MessageEntityKind::PhoneNumber => continue,
            // Nothing the bot sends: the message is not one of ours as we would send it now.
            _ => return false,
        };
        old.push(Entity {
            offset: entity.offset,
            length: entity.length,
            style,
        });
    }
    // Addresses as Telegram writes them back (`https://a.lv` comes back as `https://a.lv/`).
    for entity in &mut new_entities {
        if let Style::Link(url) = &mut entity.style
            && let Ok(parsed) = url::Url::parse(url)
        {
            *url = parsed.to_string();
        }
    }
    let units: Vec<u16> = text.encode_utf16().collect();
    let own_address = |entity: &Entity| match &entity.style {
        Style::Link(url) => units
            .get(entity.offset..entity.offset + entity.length)
            .is_some_and(|label| {
                let label = String::from_utf16_lossy(label);
                label == *url || url::Url::parse(&label).is_ok_and(|l| l.as_str() == url)
            }),
        _ => false,
    };
    old.retain(|e| !own_address(e));
    new_entities.retain(|e| !own_address(e));
    old.sort();
    new_entities.sort();
    old == new_entities
}

#[cfg(test)]
mod tests {
    use teloxide::types::{InlineKeyboardButton, MessageEntity};

    use super::*;

    fn entity(kind: MessageEntityKind, offset: usize, length: usize) -> MessageEntity {
        MessageEntity {
            kind,
            offset,
            length,
        }
    }

    fn markup(data: &str) -> InlineKeyboardMarkup {
        InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("Menu", data)]])
    }

    fn link(url: &str) -> MessageEntityKind {
        MessageEntityKind::TextLink {
            url: url::Url::parse(url).unwrap(),
        }
    }

    const HTML: &str = "<b>VM</b> e-pasts: vm@vm.gov.lv\n<a href=\"https://vm.gov.lv\">vm.gov.lv</a> \
                        <a href=\"https://www.vm.gov.lv\">https://www.vm.gov.lv</a>";
    const TEXT: &str = "VM e-pasts: vm@vm.gov.lv\nvm.gov.lv https://www.vm.gov.lv";

    /// The entities Telegram returns for [`HTML`]: ours, the e-mail it found, and the link
    /// whose label is its address as a plain `url`.
    fn returned() -> Vec<MessageEntity> {
        vec![
            entity(MessageEntityKind::Bold, 0, 2),
            entity(MessageEntityKind::Email, 12, 12),
            entity(link("https://vm.gov.lv/"), 25, 9),
            entity(MessageEntityKind::Url, 35, 21),
        ]
    }

    #[test]
    fn the_same_text_entities_and_keyboard_are_unchanged() {
        let keys = markup("m");
        assert!(same(
            Some(TEXT),
            &returned(),
            Some(&keys),
            HTML,
            Some(&keys)
        ));
        // A link whose label is its address may also come back as a text link.
        let mut as_text_link = returned();
        as_text_link[3] = entity(link("https://www.vm.gov.lv/"), 35, 21);
        assert!(same(
            Some(TEXT),
            &as_text_link,
            Some(&keys),
            HTML,
            Some(&keys)
        ));
        // No keyboard is an empty keyboard.
        let empty = InlineKeyboardMarkup::new(Vec::<Vec<InlineKeyboardButton>>::new());
        assert!(same(Some(TEXT), &returned(), Some(&empty), HTML, None));
    }

    #[test]
    fn any_difference_is_a_change() {
        let keys = markup("m");
        // Another keyboard, another text, a missing or moved entity, another address.
        assert!(!same(
            Some(TEXT),
            &returned(),
            Some(&keys),
            HTML,
            Some(&markup("h"))
        ));
        assert!(!same(Some(TEXT), &returned(), None, HTML, Some(&keys)));
        assert!(!same(
            Some("VM e-pasts: vm@vm.gov.lv\nvm.gov.lv"),
            &returned(),
            Some(&keys),
            HTML,
            Some(&keys)
        ));
        assert!(!same(None, &[], Some(&keys), HTML, Some(&keys)));
        let mut no_bold = returned();
        no_bold.remove(0);
        assert!(!same(Some(TEXT), &no_bold, Some(&keys), HTML, Some(&keys)));
        let mut italic = returned();
        italic[0] = entity(MessageEntityKind::Italic, 0, 2);
        assert!(!same(Some(TEXT), &italic, Some(&keys), HTML, Some(&keys)));
        let mut moved = returned();
        moved[2] = entity(link("https://vm.gov.lv/kontakti"), 25, 9);
        assert!(!same(Some(TEXT), &moved, Some(&keys), HTML, Some(&keys)));
        let mut strange = returned();
        strange.push(entity(MessageEntityKind::Underline, 0, 1));
        assert!(!same(Some(TEXT), &strange, Some(&keys), HTML, Some(&keys)));
    }
}

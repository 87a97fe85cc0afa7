//! Telegram HTML read back: the pieces it is made of, the checker of what Telegram would
//! accept, the entities Telegram would report for it, its lengths, and plain text for the
//! console.

use std::fmt::Write as _;

use super::MAX_MESSAGE_UTF16;

/// Length of the text Telegram counts: UTF-16 units of the text without its tags, with
/// entities decoded.
pub fn visible_len(html: &str) -> usize {
    to_plain_inner(html, false).encode_utf16().count()
}

/// The part of [`visible_len`] that shows before anything is unfolded: the text outside
/// expandable quotes (see [`super::folded`]).
pub fn shown_len(html: &str) -> usize {
    let (text, entities) = entities(html);
    let folded: usize = entities
        .iter()
        .filter(|e| e.style == Style::ExpandableBlockquote)
        .map(|e| e.length)
        .sum();
    text.encode_utf16().count() - folded
}

pub(super) enum Piece {
    Open(String, String),
    Close(String),
    /// Raw source of one visible character, its UTF-16 length, and the character.
    Char(String, usize, char),
}

pub(super) fn tokens(html: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            let tag = &rest[..=end];
            let inner = &tag[1..tag.len() - 1];
            if let Some(name) = inner.strip_prefix('/') {
                out.push(Piece::Close(name.trim().to_string()));
            } else {
                let name = inner.split_whitespace().next().unwrap_or("").to_string();
                out.push(Piece::Open(name, tag.to_string()));
            }
            rest = &rest[end + 1..];
            continue;
        }
        if c == '&'
            && let Some(end) = entity_end(rest)
            && let Some(ch) = decode_entity(&rest[..=end])
        {
            out.push(Piece::Char(rest[..=end].to_string(), ch.len_utf16(), ch));
            rest = &rest[end + 1..];
            continue;
        }
        out.push(Piece::Char(c.to_string(), c.len_utf16(), c));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Byte index of the `;` closing the entity at the start of `text`, if it is near.
fn entity_end(text: &str) -> Option<usize> {
    text.char_indices()
        .take(12)
        .find(|(_, c)| *c == ';')
        .map(|(i, _)| i)
}

fn decode_entity(entity: &str) -> Option<char> {
    match entity {
        "&lt;" => Some('<'),
        "&gt;" => Some('>'),
        "&amp;" => Some('&'),
        "&quot;" => Some('"'),
        _ => None,
    }
}

/// Tags Telegram accepts in HTML parse mode.
const ALLOWED_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
];

/// Checks `html` as Telegram would: only allowed tags, balanced and properly nested, `<`,
/// `>` and `&` escaped, only the named entities `&lt; &gt; &amp; &quot;` (or numeric ones),
/// and 1–4096 visible UTF-16 units. Returns what is wrong.
pub fn check_telegram_html(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest.find('>').ok_or("unclosed '<'")?;
                let inner = &rest[1..end];
                if inner.contains('<') {
                    return Err(format!("'<' inside a tag: {inner}"));
                }
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim();
                    match stack.pop() {
                        Some(open) if open == name => {}
                        Some(open) => return Err(format!("</{name}> closes <{open}>")),
                        None => return Err(format!("</{name}> without an opening tag")),
                    }
                } else {
                    let name = inner.split_whitespace().next().unwrap_or("");
                    if !ALLOWED_TAGS.contains(&name) {
                        return Err(format!("tag <{name}> is not supported"));
                    }
                    if name == "blockquote" {
                        let attrs = inner["blockquote".len()..].trim();
                        if !attrs.is_empty() && attrs != "expandable" {
                            return Err(format!("bad quote tag <{inner}>"));
                        }
                        if stack.iter().any(|open| open == "blockquote") {
                            return Err("a quote inside a quote".into());
                        }
                    }
                    if name == "a" {
                        let attrs = inner[1..].trim();
                        let ok = attrs.starts_with("href=\"")
                            && attrs.ends_with('"')
                            && !attrs[6..attrs.len() - 1].contains('"');
                        if !ok {
                            return Err(format!("bad link tag <{inner}>"));
                        }
                    }
                    stack.push(name.to_string());
                }
                rest = &rest[end + 1..];
            }
            '>' => return Err("unescaped '>'".into()),
            '&' => {
                let end = entity_end(rest).ok_or("unescaped '&'")?;
                let entity = &rest[..=end];
                let numeric = entity
                    .strip_prefix("&#")
                    .map(|n| n.trim_end_matches(';'))
                    .is_some_and(|n| {
                        n.strip_prefix('x').map_or(n.parse::<u32>().is_ok(), |h| {
                            u32::from_str_radix(h, 16).is_ok()
                        })
                    });
                if decode_entity(entity).is_none() && !numeric {
                    return Err(format!("unsupported entity {entity}"));
                }
                rest = &rest[end + 1..];
            }
            c => rest = &rest[c.len_utf8()..],
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    let len = visible_len(html);
    if len == 0 || html.trim().is_empty() {
        return Err("message text is empty".into());
    }
    if len > MAX_MESSAGE_UTF16 {
        return Err(format!(
            "message is {len} UTF-16 units long, over {MAX_MESSAGE_UTF16}"
        ));
    }
    Ok(())
}

/// The text a person reads in a terminal: tags removed, entities decoded, each link followed by
/// its address when that differs from the label.
pub fn to_plain(html: &str) -> String {
    to_plain_inner(html, true)
}

fn to_plain_inner(html: &str, show_links: bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut href: Vec<Option<(String, usize)>> = Vec::new();
    for piece in tokens(html) {
        match piece {
            Piece::Open(name, full) => {
                if name == "a" {
                    let url = full
                        .split_once("href=\"")
                        .and_then(|(_, rest)| rest.split_once('"'))
                        .map(|(url, _)| to_plain_inner(url, false));
                    href.push(url.map(|u| (u, out.len())));
                }
            }
            Piece::Close(name) => {
                if name == "a"
                    && let Some(Some((url, start))) = href.pop()
                    && show_links
                    && out[start..] != url
                {
                    let _ = write!(out, " ({url})");
                }
            }
            Piece::Char(_, _, ch) => out.push(ch),
        }
    }
    out
}

/// A formatting entity as Telegram reports it back for a message sent as HTML.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    Bold,
    Italic,
    Underline,
    Strikethrough,
    Spoiler,
    Code,
    Pre,
    Blockquote,
    /// A quote shown folded until it is tapped (`<blockquote expandable>`).
    ExpandableBlockquote,
    /// A link with its address (entities decoded).
    Link(String),
}

/// One entity of [`entities`]: offset and length in UTF-16 code units of the plain text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entity {
    pub offset: usize,
    pub length: usize,
    pub style: Style,
}

/// The plain text and the formatting entities Telegram makes of `html` (what a message sent
/// with it shows, and what Telegram returns as its `text` and `entities`): tags become
/// entities, entities of no length are dropped, link addresses are not part of the text.
/// Entities are in order of their offsets (then lengths, then styles).
pub fn entities(html: &str) -> (String, Vec<Entity>) {
    let mut text = String::with_capacity(html.len());
    let mut units = 0usize;
    let mut open: Vec<(String, Option<Style>, usize)> = Vec::new();
    let mut out = Vec::new();
    for piece in tokens(html) {
        match piece {
            Piece::Open(name, full) => {
                let style = match name.as_str() {
                    "b" | "strong" => Some(Style::Bold),
                    "i" | "em" => Some(Style::Italic),
                    "u" | "ins" => Some(Style::Underline),
                    "s" | "strike" | "del" => Some(Style::Strikethrough),
                    "tg-spoiler" | "span" => Some(Style::Spoiler),
                    "code" => Some(Style::Code),
                    "pre" => Some(Style::Pre),
                    "blockquote" if full.contains("expandable") => {
                        Some(Style::ExpandableBlockquote)
                    }
                    "blockquote" => Some(Style::Blockquote),
                    "a" => full
                        .split_once("href=\"")
                        .and_then(|(_, rest)| rest.split_once('"'))
                        .map(|(url, _)| Style::Link(to_plain_inner(url, false))),
                    _ => None,
                };
                open.push((name, style, units));
            }
            Piece::Close(name) => {
                if let Some(pos) = open.iter().rposition(|(n, _, _)| *n == name) {
                    let (_, style, start) = open.remove(pos);
                    if let Some(style) = style
                        && units > start
                    {
                        out.push(Entity {
                            offset: start,
                            length: units - start,
                            style,
                        });
                    }
                }
            }
            Piece::Char(_, width, ch) => {
                text.push(ch);
                units += width;
            }
        }
    }
    out.sort();
    (text, out)
}

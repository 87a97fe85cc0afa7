//! Telegram HTML read back: the pieces it is made of, the checker of what Telegram would
//! accept, the entities Telegram would report for it, its lengths, and plain text for the
//! console.

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

/// One piece of HTML as the one tokenizer ([`tokens`]) reads it; every reader (the checker,
/// the lengths, plain text, entities, the splitter) walks these.
pub(super) enum Piece<'a> {
    /// An opening tag: its name, the whole tag as written, and for a link its address as
    /// written (escaped) when the tag is exactly `<a href="...">`.
    Open(&'a str, &'a str, Option<&'a str>),
    Close(&'a str),
    /// Raw source of one visible character, its UTF-16 length, and the character.
    Char(&'a str, usize, char),
    /// What Telegram would refuse here; the readers skip it, the checker reports it.
    Fault(String),
}

pub(super) fn tokens(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = html[at..].chars().next() {
        let rest = &html[at..];
        if c == '<' {
            if let Some(end) = rest.find('>') {
                let tag = &rest[..=end];
                let inner = &tag[1..tag.len() - 1];
                if inner.contains('<') {
                    out.push(Piece::Fault(format!("'<' inside a tag: {inner}")));
                }
                if let Some(name) = inner.strip_prefix('/') {
                    out.push(Piece::Close(name.trim()));
                } else {
                    let name = inner.split_whitespace().next().unwrap_or("");
                    let href = (name == "a")
                        .then(|| inner[1..].trim())
                        .and_then(|attrs| attrs.strip_prefix("href=\""))
                        .and_then(|attrs| attrs.strip_suffix('"'))
                        .filter(|url| !url.contains('"'));
                    out.push(Piece::Open(name, tag, href));
                }
                at += end + 1;
                continue;
            }
            out.push(Piece::Fault("unclosed '<'".into()));
        }
        if c == '>' {
            out.push(Piece::Fault("unescaped '>'".into()));
        }
        if c == '&' {
            match entity_end(rest) {
                Some(end) => {
                    let entity = &rest[..=end];
                    if let Some(ch) = decode_entity(entity) {
                        out.push(Piece::Char(entity, ch.len_utf16(), ch));
                        at += end + 1;
                        continue;
                    }
                    if !numeric_entity(entity) {
                        out.push(Piece::Fault(format!("unsupported entity {entity}")));
                    }
                }
                None => out.push(Piece::Fault("unescaped '&'".into())),
            }
        }
        out.push(Piece::Char(&rest[..c.len_utf8()], c.len_utf16(), c));
        at += c.len_utf8();
    }
    out
}

/// `&#39;` or `&#x27;`: accepted by Telegram (the readers show it as written).
fn numeric_entity(entity: &str) -> bool {
    entity
        .strip_prefix("&#")
        .map(|n| n.trim_end_matches(';'))
        .is_some_and(|n| {
            n.strip_prefix('x').map_or(n.parse::<u32>().is_ok(), |h| {
                u32::from_str_radix(h, 16).is_ok()
            })
        })
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
    let mut stack: Vec<&str> = Vec::new();
    for piece in tokens(html) {
        match piece {
            Piece::Fault(fault) => return Err(fault),
            Piece::Close(name) => match stack.pop() {
                Some(open) if open == name => {}
                Some(open) => return Err(format!("</{name}> closes <{open}>")),
                None => return Err(format!("</{name}> without an opening tag")),
            },
            Piece::Open(name, tag, href) => {
                let inner = &tag[1..tag.len() - 1];
                if !ALLOWED_TAGS.contains(&name) {
                    return Err(format!("tag <{name}> is not supported"));
                }
                if name == "blockquote" {
                    let attrs = inner["blockquote".len()..].trim();
                    if !attrs.is_empty() && attrs != "expandable" {
                        return Err(format!("bad quote tag <{inner}>"));
                    }
                    if stack.contains(&"blockquote") {
                        return Err("a quote inside a quote".into());
                    }
                }
                if name == "a" && href.is_none() {
                    return Err(format!("bad link tag <{inner}>"));
                }
                stack.push(name);
            }
            Piece::Char(..) => {}
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
            Piece::Open(name, _, url) => {
                if name == "a" {
                    href.push(url.map(|u| (to_plain_inner(u, false), out.len())));
                }
            }
            Piece::Close(name) => {
                if name == "a"
                    && let Some(Some((url, start))) = href.pop()
                    && show_links
                    && out[start..] != url
                {
                    out.push_str(" (");
                    out.push_str(&url);
                    out.push(')');
                }
            }
            Piece::Char(_, _, ch) => out.push(ch),
            Piece::Fault(_) => {}
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
    let mut open: Vec<(&str, Option<Style>, usize)> = Vec::new();
    let mut out = Vec::new();
    for piece in tokens(html) {
        match piece {
            Piece::Open(name, full, href) => {
                let style = match name {
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
                    "a" => href.map(|url| Style::Link(to_plain_inner(url, false))),
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
            Piece::Fault(_) => {}
        }
    }
    out.sort();
    (text, out)
}

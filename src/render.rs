//! Telegram HTML: the one place where dynamic text is escaped, the few tags the bot uses,
//! splitting of long replies, a checker of what Telegram would accept, and plain-text output
//! for the console.

use std::fmt::Write as _;

/// Telegram's limit for one message, in UTF-16 code units after entity parsing.
pub const MAX_MESSAGE_UTF16: usize = 4096;

/// Escapes `<`, `>`, `&` and `"` so that `text` is shown as written.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_into(&mut out, text);
    out
}

/// The bytes that stop the plain copy in [`escape_into`].
const STOPS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b != b'\n' as usize && b != b'\t' as usize;
        b += 1;
    }
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'&' as usize] = true;
    table[b'"' as usize] = true;
    table[0x7F] = true;
    // Lead byte of U+0080..U+00BF, which holds the C1 controls.
    table[0xC2] = true;
    table
};

/// [`escape`] appended to `out`. Runs of ordinary text are copied whole: only `<>&"` and
/// control characters (C0 except newline and tab, DEL, C1) stop the copy.
pub fn escape_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    loop {
        while i < bytes.len() && !STOPS[usize::from(bytes[i])] {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let (replacement, width) = match bytes[i] {
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'&' => ("&amp;", 1),
            b'"' => ("&quot;", 1),
            // C1 controls (U+0080 to U+009F) are 0xC2 0x80..=0x9F in UTF-8.
            0xC2 if matches!(bytes.get(i + 1), Some(0x80..=0x9F)) => ("", 2),
            // Another character of U+0080..U+00BF: kept.
            0xC2 => {
                i += 2;
                continue;
            }
            // NUL and the other controls are never useful in a reply.
            _ => ("", 1),
        };
        // `i` is at an ASCII byte or a lead byte: a character boundary.
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += width;
        start = i;
    }
    out.push_str(&text[start..]);
}

/// `<b>text</b>` with `text` escaped.
pub fn bold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str("<b>");
    escape_into(&mut out, text);
    out.push_str("</b>");
    out
}

/// `<i>text</i>` with `text` escaped.
pub fn italic(text: &str) -> String {
    format!("<i>{}</i>", escape(text))
}

/// A link; both the address and the label are escaped.
pub fn link(url: &str, label: &str) -> String {
    let mut out = String::with_capacity(url.len() + label.len() + 16);
    out.push_str("<a href=\"");
    escape_into(&mut out, url);
    out.push_str("\">");
    escape_into(&mut out, label);
    out.push_str("</a>");
    out
}

/// A link that shows its own address.
pub fn url(url: &str) -> String {
    link(url, url)
}

/// A link written in a content text: `[label](https://...)`, at `range` (bytes) of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLink<'a> {
    pub label: &'a str,
    pub url: &'a str,
    pub range: std::ops::Range<usize>,
}

/// The links written `[label](address)` in `text`, in order. A label is one line without `[`
/// or `]`; an address starts with `https://`, `http://` or `tg://` and ends at the first `)`
/// or space (so an address that itself holds `)` cannot be written this way).
pub fn text_links(text: &str) -> Vec<TextLink<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('[').map(|i| i + from) {
        from = open + 1;
        let Some(close) = text[open + 1..]
            .find([']', '[', '\n'])
            .map(|i| i + open + 1)
        else {
            break;
        };
        if text.as_bytes()[close] != b']' || close == open + 1 {
            continue;
        }
        let rest = &text[close + 1..];
        let Some(target) = rest.strip_prefix('(') else {
            continue;
        };
        let end = target
            .find(|c: char| c == ')' || c.is_whitespace())
            .unwrap_or(target.len());
        let url = &target[..end];
        let scheme = ["https://", "http://", "tg://"]
            .iter()
            .any(|s| url.len() > s.len() && url.starts_with(s));
        if !scheme || !target[end..].starts_with(')') {
            continue;
        }
        let label = text[open + 1..close].trim();
        if label.is_empty() {
            continue;
        }
        let end_byte = close + 2 + end + 1;
        out.push(TextLink {
            label,
            url,
            range: open..end_byte,
        });
        from = end_byte;
    }
    out
}

/// The first web address in `text` that stands as it is rather than inside a
/// `[label](address)` link (see [`text_links`]); `None` when there is none.
pub fn bare_address(text: &str) -> Option<&str> {
    let links = text_links(text);
    let mut at = 0;
    while let Some(start) = ["https://", "http://", "www."]
        .iter()
        .filter_map(|p| text[at..].find(p).map(|i| i + at))
        .min()
    {
        let inside = links.iter().find(|l| l.range.contains(&start));
        match inside {
            Some(link) => at = link.range.end,
            None => {
                let end = text[start..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |i| i + start);
                return Some(text[start..end].trim_end_matches(['.', ',', ';', ':', ')']));
            }
        }
    }
    None
}

/// A content text as Telegram HTML: escaped, with its `[label](address)` links made links.
/// Only for the operator's texts (content and UI strings): never for text a person sent,
/// which must go through [`escape`] so that nobody can put a link into a reply.
pub fn rich(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for l in text_links(text) {
        escape_into(&mut out, &text[at..l.range.start]);
        out.push_str(&link(l.url, l.label));
        at = l.range.end;
    }
    escape_into(&mut out, &text[at..]);
    out
}

/// `html` in a quote that Telegram shows folded to its first lines until it is tapped
/// (`<blockquote expandable>`, Bot API 7.4).
pub fn folded(html: &str) -> String {
    format!("<blockquote expandable>{}</blockquote>", html.trim())
}

/// Length of the text Telegram counts: UTF-16 units of the text without its tags, with
/// entities decoded.
pub fn visible_len(html: &str) -> usize {
    to_plain_inner(html, false).encode_utf16().count()
}

/// The part of [`visible_len`] that shows before anything is unfolded: the text outside
/// expandable quotes (see [`folded`]).
pub fn shown_len(html: &str) -> usize {
    let (text, entities) = entities(html);
    let folded: usize = entities
        .iter()
        .filter(|e| e.style == Style::ExpandableBlockquote)
        .map(|e| e.length)
        .sum();
    text.encode_utf16().count() - folded
}

/// Splits `html` into messages of at most [`MAX_MESSAGE_UTF16`] visible UTF-16 units each: at
/// paragraph boundaries first, then at line ends, then at spaces, and only as a last resort
/// inside a word; never inside a tag or entity. Tags open at a cut are closed and reopened.
/// Never returns an empty message: empty input gives no messages.
pub fn split(html: &str) -> Vec<String> {
    split_at(html, MAX_MESSAGE_UTF16)
}

/// [`split`] with a chosen limit (for tests).
pub fn split_at(html: &str, limit: usize) -> Vec<String> {
    let html = html.trim();
    if html.is_empty() {
        return Vec::new();
    }
    // UTF-16 units never outnumber UTF-8 bytes: a short text needs no scan.
    if html.len() <= limit || visible_len(html) <= limit {
        return vec![html.to_string()];
    }
    let pieces = tokens(html);
    let mut out = Vec::new();
    let mut start = 0;
    // Tags open where the current message starts: (name, opening tag).
    let mut open_at_start: Vec<(String, String)> = Vec::new();
    while start < pieces.len() {
        while matches!(pieces.get(start), Some(Piece::Char(_, _, ' ' | '\n'))) {
            start += 1;
        }
        let mut open = open_at_start.clone();
        let mut len = 0usize;
        // Latest cut point for each rank (space 1, line 2, paragraph 3): (end, len, open tags);
        // `whole` only those outside a quote, so that a folded quote that fits one message is
        // never cut (it would show as two quotes, each folded on its own).
        let mut cuts: [Option<Cut>; 4] = Default::default();
        let mut whole: [Option<Cut>; 4] = Default::default();
        let mut end = pieces.len();
        let mut end_open = None;
        for (i, piece) in pieces.iter().enumerate().skip(start) {
            match piece {
                Piece::Open(name, full) => {
                    if name == "blockquote" && !open.iter().any(|(n, _)| n == "blockquote") {
                        // Just before a quote: as good a place as the paragraph end before it.
                        let at = (i, len, open.clone());
                        if len > 0 {
                            whole[3] = Some(at.clone());
                            cuts[3] = Some(at);
                        }
                    }
                    open.push((name.clone(), full.clone()));
                }
                Piece::Close(name) => {
                    if let Some(pos) = open.iter().rposition(|(n, _)| n == name) {
                        open.remove(pos);
                    }
                }
                Piece::Char(_, units, ch) => {
                    if len + units > limit {
                        let good = |cuts: &[Option<Cut>; 4]| {
                            (1..4)
                                .rev()
                                .find_map(|r| cuts[r].clone().filter(|c| c.1 >= limit / 2))
                        };
                        let chosen = good(&whole)
                            .or_else(|| good(&cuts))
                            .or_else(|| (1..4).rev().find_map(|r| cuts[r].clone()));
                        let (cut, cut_open) = match chosen {
                            Some((cut, _, o)) => (cut, o),
                            None => (i.max(start + 1), open.clone()),
                        };
                        end = cut;
                        end_open = Some(cut_open);
                        break;
                    }
                    len += units;
                    let previous_newline =
                        i > 0 && matches!(pieces.get(i - 1), Some(Piece::Char(_, _, '\n')));
                    let rank = match ch {
                        '\n' if previous_newline => 3,
                        '\n' => 2,
                        ' ' => 1,
                        _ => 0,
                    };
                    if rank > 0 {
                        let at = (i + 1, len, open.clone());
                        if !open.iter().any(|(n, _)| n == "blockquote") {
                            whole[rank] = Some(at.clone());
                        }
                        cuts[rank] = Some(at);
                    }
                }
            }
        }
        let end_open = end_open.unwrap_or(open);
        let mut message: String = open_at_start
            .iter()
            .map(|(_, full)| full.as_str())
            .collect();
        for piece in &pieces[start..end] {
            match piece {
                Piece::Open(_, full) => message.push_str(full),
                Piece::Close(name) => {
                    let _ = write!(message, "</{name}>");
                }
                Piece::Char(raw, _, _) => message.push_str(raw),
            }
        }
        for (name, _) in end_open.iter().rev() {
            let _ = write!(message, "</{name}>");
        }
        push_message(&mut out, message);
        open_at_start = end_open;
        start = end;
    }
    out
}

/// A place to cut: index of the first piece after it, visible length before it, tags open.
type Cut = (usize, usize, Vec<(String, String)>);

fn push_message(out: &mut Vec<String>, text: String) {
    let text = text.trim().to_string();
    if visible_len(&text) > 0 {
        out.push(text);
    }
}

enum Piece {
    Open(String, String),
    Close(String),
    /// Raw source of one visible character, its UTF-16 length, and the character.
    Char(String, usize, char),
}

fn tokens(html: &str) -> Vec<Piece> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_markup_inert() {
        assert_eq!(escape("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
        assert_eq!(escape("a\u{0}b"), "ab");
        let html = format!(
            "{} {}",
            bold("<script>"),
            link("https://a.lv/?q=1&b=2", "A & B")
        );
        check_telegram_html(&html).unwrap();
        assert_eq!(to_plain(&html), "<script> A & B (https://a.lv/?q=1&b=2)");
    }

    /// The fast escape matches the obvious character-by-character one.
    #[test]
    fn escape_agrees_with_the_obvious_definition() {
        fn obvious(text: &str) -> String {
            let mut out = String::new();
            for c in text.chars() {
                match c {
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '&' => out.push_str("&amp;"),
                    '"' => out.push_str("&quot;"),
                    c if c.is_control() && c != '\n' && c != '\t' => {}
                    c => out.push(c),
                }
            }
            out
        }
        let samples = [
            "",
            "Veselības ministrija (VM)",
            "a<b>&\"c\"\n\td",
            "\u{0}\u{1f}\u{7f}\u{80}\u{9f}\u{a0}Ā\u{85}x",
            "ÂĂ\u{c2}\u{c0}ĀāČčĒēĢģĪīĶķĻļŅņŠšŪūŽž",
            "🙂<🙂>&\u{2028}\u{feff}",
            "<<<>>>&&&\"\"\"",
        ];
        for sample in samples {
            assert_eq!(escape(sample), obvious(sample), "{sample:?}");
            let mut appended = String::from("x");
            escape_into(&mut appended, sample);
            assert_eq!(appended, format!("x{}", obvious(sample)));
        }
        // Every character from U+0000 to U+0800 and a few beyond, one by one and together.
        let all: String = (0u32..0x800)
            .chain([0xFFFD, 0x1F600])
            .filter_map(char::from_u32)
            .collect();
        assert_eq!(escape(&all), obvious(&all));
        for c in all.chars() {
            let one = format!("a{c}b");
            assert_eq!(escape(&one), obvious(&one), "{:?}", c);
        }
    }

    #[test]
    fn short_text_is_one_message() {
        assert_eq!(split("<b>x</b>\n\ny"), vec!["<b>x</b>\n\ny".to_string()]);
        assert!(split("   ").is_empty());
    }

    #[test]
    fn split_prefers_paragraphs_and_keeps_tags_balanced() {
        let para = format!("<b>{}</b>", "a".repeat(30));
        let html = vec![para.clone(); 5].join("\n\n");
        let parts = split_at(&html, 70);
        assert!(parts.len() >= 3, "{parts:?}");
        for part in &parts {
            check_telegram_html(part).unwrap();
            assert!(visible_len(part) <= 70, "{part}");
        }
        assert_eq!(
            parts
                .iter()
                .map(|p| to_plain(p))
                .collect::<String>()
                .replace('\n', ""),
            to_plain(&html).replace('\n', "")
        );
    }

    #[test]
    fn split_cuts_inside_a_long_tag_and_reopens_it() {
        let html = format!("<i>{}</i>", "word ".repeat(50));
        let parts = split_at(&html, 40);
        for part in &parts {
            check_telegram_html(part).unwrap();
            assert!(part.starts_with("<i>") && part.ends_with("</i>"), "{part}");
            assert!(visible_len(part) <= 40);
        }
    }

    #[test]
    fn split_counts_utf16_units_not_bytes() {
        // 🙂 is two UTF-16 units; ā is one.
        let html = "🙂".repeat(3000);
        let parts = split(&html);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| visible_len(p) <= MAX_MESSAGE_UTF16));
        let html = "ā".repeat(4096);
        assert_eq!(split(&html).len(), 1);
    }

    #[test]
    fn checker_rejects_what_telegram_rejects() {
        assert!(check_telegram_html("<div>x</div>").is_err());
        assert!(check_telegram_html("<b>x").is_err());
        assert!(check_telegram_html("<b><i>x</b></i>").is_err());
        assert!(check_telegram_html("a & b").is_err());
        assert!(check_telegram_html("a &nbsp; b").is_err());
        assert!(check_telegram_html("1 > 0").is_err());
        assert!(check_telegram_html("").is_err());
        assert!(check_telegram_html(&"x".repeat(4097)).is_err());
        assert!(check_telegram_html("<a href=\"https://x.lv\">x</a> &amp; &#39;").is_ok());
    }

    #[test]
    fn entities_are_what_telegram_reports_for_the_html() {
        let html = "<b>Ministrija</b> &amp; 🙂 <i>x</i>\n<a href=\"https://a.lv/?q=1&amp;b=2\">a.lv</a><b></b>";
        let (text, found) = entities(html);
        assert_eq!(text, "Ministrija & 🙂 x\na.lv");
        assert_eq!(
            found,
            vec![
                Entity {
                    offset: 0,
                    length: 10,
                    style: Style::Bold
                },
                // 🙂 is two UTF-16 units: "x" starts at 16, not 15.
                Entity {
                    offset: 16,
                    length: 1,
                    style: Style::Italic
                },
                Entity {
                    offset: 18,
                    length: 4,
                    style: Style::Link("https://a.lv/?q=1&b=2".into())
                },
            ]
        );
        let (text, found) = entities("<b>a<i>b</i></b>");
        assert_eq!(text, "ab");
        assert_eq!(
            found,
            vec![
                Entity {
                    offset: 0,
                    length: 2,
                    style: Style::Bold
                },
                Entity {
                    offset: 1,
                    length: 1,
                    style: Style::Italic
                },
            ]
        );
    }

    #[test]
    fn links_written_in_a_text_become_links_and_the_rest_is_escaped() {
        let text = "Projekti ir [TAP portālā](https://tapportals.mk.gov.lv/) & [lapā](https://a.lv/?q=1&b=2).";
        assert_eq!(
            rich(text),
            "Projekti ir <a href=\"https://tapportals.mk.gov.lv/\">TAP portālā</a> &amp; \
             <a href=\"https://a.lv/?q=1&amp;b=2\">lapā</a>."
        );
        check_telegram_html(&rich(text)).unwrap();
        assert_eq!(bare_address(text), None);
        // Not links: no address, an empty label, a label over two lines, a space in the address.
        for text in [
            "[a](b)",
            "[](https://a.lv)",
            "[a\nb](https://a.lv)",
            "[x] (https://a.lv)",
            "[x](https://a.lv/ y)",
        ] {
            assert!(!rich(text).contains("<a "), "{text}");
        }
        assert_eq!(
            bare_address("Skat. https://a.lv/x."),
            Some("https://a.lv/x")
        );
        assert_eq!(
            bare_address("[a](https://a.lv) un www.b.lv"),
            Some("www.b.lv")
        );
        assert_eq!(bare_address("[x] (https://a.lv)"), Some("https://a.lv"));
        // A person's text is never made a link.
        assert_eq!(
            escape("[x](https://evil.example)"),
            "[x](https://evil.example)"
        );
    }

    #[test]
    fn a_folded_quote_is_accepted_reported_and_not_counted_as_shown() {
        let html = format!(
            "<b>VM</b>\n\n{}",
            folded("Avoti: <a href=\"https://vm.gov.lv\">vm.gov.lv</a>")
        );
        check_telegram_html(&html).unwrap();
        assert_eq!(shown_len(&html), 4);
        assert_eq!(visible_len(&html), 4 + "Avoti: vm.gov.lv".len());
        let (_, found) = entities(&html);
        assert!(found.contains(&Entity {
            offset: 4,
            length: 16,
            style: Style::ExpandableBlockquote
        }));
        assert!(check_telegram_html("<blockquote open>x</blockquote>").is_err());
        assert!(
            check_telegram_html("<blockquote>a<blockquote expandable>b</blockquote></blockquote>")
                .is_err()
        );
        assert_eq!(
            to_plain(&html),
            "VM\n\nAvoti: vm.gov.lv (https://vm.gov.lv)"
        );
    }

    #[test]
    fn split_keeps_a_folded_quote_whole_when_it_fits_a_message() {
        let body = "vārds ".repeat(10);
        let quote = folded(&"avots ".repeat(8));
        let html = format!("{body}\n\n{quote}");
        let parts = split_at(&html, 80);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(parts[0], body.trim());
        assert_eq!(parts[1], quote);
        // A quote longer than a message is cut, and each part stays a folded quote.
        let long = folded(&"avots ".repeat(40));
        for part in split_at(&long, 80) {
            check_telegram_html(&part).unwrap();
            assert!(part.starts_with("<blockquote expandable>"), "{part}");
            assert!(part.ends_with("</blockquote>"), "{part}");
        }
    }
}

//! Telegram HTML: the one place where dynamic text is escaped, and the few tags the bot uses
//! (here); splitting of long replies (`split.rs`); reading HTML back: a checker of what
//! Telegram would accept, the entities it would report, plain text for the console
//! (`read.rs`).

mod html;
mod read;
mod split;

pub use html::Html;
pub(crate) use html::html;
pub(crate) use html::positional_only;

pub use read::{Entity, Style, check_telegram_html, entities, shown_len, to_plain, visible_len};
pub use split::{split, split_at};

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
pub(crate) fn escape_into(out: &mut String, text: &str) {
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

/// `<b>text</b>` with `text` escaped: [`Html::bold`] as a string, what a test expects to find
/// in a reply.
pub fn bold(text: &str) -> String {
    Html::bold(text).into_string()
}

/// A link written in a content text: `[label](https://...)`, at `range` (bytes) of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextLink<'a> {
    pub label: &'a str,
    pub url: &'a str,
    pub range: std::ops::Range<usize>,
}

/// The links written `[label](address)` in `text`, in order. A label is one line without `[`
/// or `]`; an address starts with `https://`, `http://` or `tg://` and ends at the first `)`
/// or space (so an address that itself holds `)` cannot be written this way).
pub(crate) fn text_links(text: &str) -> Vec<TextLink<'_>> {
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
pub(crate) fn bare_address(text: &str) -> Option<&str> {
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

/// [`Html::content`] as a string, what a test expects to find in a reply: only for the
/// operator's texts (content and UI strings), never for text a person sent.
pub fn rich(text: &str) -> String {
    Html::content(text).into_string()
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
            Html::link("https://a.lv/?q=1&b=2", "A & B")
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
            Html::from_test("Avoti: <a href=\"https://vm.gov.lv\">vm.gov.lv</a>").folded()
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
        let quote = Html::text(&"avots ".repeat(8)).folded().into_string();
        let html = format!("{body}\n\n{quote}");
        let parts = split_at(&html, 80);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(parts[0], body.trim());
        assert_eq!(parts[1], quote);
        // A quote longer than a message is cut, and each part stays a folded quote.
        let long = Html::text(&"avots ".repeat(40)).folded().into_string();
        for part in split_at(&long, 80) {
            check_telegram_html(&part).unwrap();
            assert!(part.starts_with("<blockquote expandable>"), "{part}");
            assert!(part.ends_with("</blockquote>"), "{part}");
        }
    }
}

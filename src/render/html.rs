//! [`Html`]: Telegram HTML as a type. Only this module makes one, so that a person's text
//! reaches a reply escaped because the types say so, not because every screen remembers to.

use std::fmt;

use super::{escape_into, text_links};

/// A piece of Telegram HTML that is safe to send: every text in it was escaped on the way in
/// ([`Html::text`], [`Html::bold`], [`Html::link`]), or it is an operator's checked content
/// text ([`Html::content`]), or it was put together by [`html!`](super::html) from a format
/// string written in the code and holes that are themselves `Html`. There is no way to make
/// one from a raw `String` outside `render`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Html(String);

impl Html {
    /// `text` shown as written: `<`, `>`, `&` and `"` escaped, control characters dropped.
    pub fn text(text: &str) -> Self {
        let mut out = Self(String::with_capacity(text.len() + 16));
        out.push_text(text);
        out
    }

    /// `<b>text</b>` with `text` escaped.
    pub(crate) fn bold(text: &str) -> Self {
        let mut out = String::with_capacity(text.len() + 8);
        out.push_str("<b>");
        escape_into(&mut out, text);
        out.push_str("</b>");
        Self(out)
    }

    /// A link; both the address and the label are escaped.
    pub(crate) fn link(url: &str, label: &str) -> Self {
        let mut out = String::with_capacity(url.len() + label.len() + 16);
        out.push_str("<a href=\"");
        escape_into(&mut out, url);
        out.push_str("\">");
        escape_into(&mut out, label);
        out.push_str("</a>");
        Self(out)
    }

    /// A link that shows its own address.
    pub(crate) fn url(url: &str) -> Self {
        Self::link(url, url)
    }

    /// The trusted door for the operator's words: a content or UI text (checked by `check`)
    /// as Telegram HTML, escaped, with its `[label](address)` links made links. Never for
    /// text a person sent, which goes through [`Html::text`] so that nobody can put a link
    /// into a reply.
    pub(crate) fn content(text: &str) -> Self {
        let mut out = Self(String::with_capacity(text.len() + 32));
        let mut at = 0;
        for l in text_links(text) {
            out.push_text(&text[at..l.range.start]);
            out.push(&Self::link(l.url, l.label));
            at = l.range.end;
        }
        out.push_text(&text[at..]);
        out
    }

    /// This HTML in a quote that Telegram shows folded to its first lines until it is tapped
    /// (`<blockquote expandable>`, Bot API 7.4).
    pub(crate) fn folded(&self) -> Self {
        Self(format!(
            "<blockquote expandable>{}</blockquote>",
            self.0.trim()
        ))
    }

    /// `parts` one after another with `separator` (escaped) between them.
    pub(crate) fn join<'a>(parts: impl IntoIterator<Item = &'a Html>, separator: &str) -> Self {
        let mut out = Self::default();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push_text(separator);
            }
            out.push(part);
        }
        out
    }

    /// Without the white space at its ends.
    pub(crate) fn trimmed(&self) -> Self {
        Self(self.0.trim().to_string())
    }

    /// This HTML cut into messages that each fit Telegram's limit ([`super::split`]); each
    /// part is whole HTML again (the splitter closes and reopens tags at a cut).
    pub(crate) fn messages(&self) -> Vec<Html> {
        super::split(&self.0).into_iter().map(Self).collect()
    }

    /// Takes the first copy of `part` out of this HTML; whether there was one. Both are whole
    /// HTML, so what is left is too.
    pub(crate) fn remove(&mut self, part: &Html) -> bool {
        match self.0.find(&part.0) {
            Some(at) => {
                self.0.replace_range(at..at + part.0.len(), "");
                true
            }
            None => false,
        }
    }

    /// Puts `html` right after the first copy of `tag` (a whole tag, such as
    /// `<blockquote expandable>`); whether `tag` was there.
    pub(crate) fn insert_after_tag(&mut self, tag: &str, html: &Html) -> bool {
        let whole = tag.starts_with('<') && tag.ends_with('>');
        match self.0.find(tag).filter(|_| whole) {
            Some(at) => {
                self.0.insert_str(at + tag.len(), &html.0);
                true
            }
            None => false,
        }
    }

    /// HTML written in a unit test of `render`, taken as it is.
    #[cfg(test)]
    pub(super) fn from_test(html: &str) -> Self {
        Self(html.to_string())
    }

    /// `html` appended.
    pub(crate) fn push(&mut self, html: &Html) {
        self.0.push_str(&html.0);
    }

    /// `text` appended, escaped.
    pub(crate) fn push_text(&mut self, text: &str) {
        escape_into(&mut self.0, text);
    }

    /// The HTML, for the adapters (the Bot API's `text`, the console).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// Only [`html!`](super::html) calls this: its format string is written in the code,
    /// and every hole is `Html`.
    #[doc(hidden)]
    pub(crate) fn __from_code(args: fmt::Arguments<'_>) -> Self {
        Self(fmt::format(args))
    }

    /// Only [`html!`](super::html) calls this: a hole must be `Html`.
    #[doc(hidden)]
    pub(crate) fn __hole(html: &Html) -> &Html {
        html
    }
}

/// Read as text (its length, what it contains); never the other way round.
impl std::ops::Deref for Html {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Compared as the HTML it is (a test's expected text).
impl PartialEq<String> for Html {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<str> for Html {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether the format string of [`html!`](super::html) has only `{}` holes (so each is one
/// of its `Html` arguments), never `{name}`, which would capture any variable.
#[doc(hidden)]
pub(crate) const fn positional_only(format: &str) -> bool {
    let bytes = format.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            if i + 1 < bytes.len() && bytes[i + 1] == b'{' {
                i += 2;
                continue;
            }
            if !(i + 1 < bytes.len() && bytes[i + 1] == b'}') {
                return false;
            }
        }
        i += 1;
    }
    true
}

/// Telegram HTML from a format string written in the code (its tags are the code's) and
/// holes that must each be [`Html`]: `html!("{}\n\n{}", Html::bold(title), body)`. Only
/// `{}` holes: `{name}` would take any variable, so it does not compile.
macro_rules! html {
    ($format:literal $(, $arg:expr)* $(,)?) => {{
        const {
            assert!(
                $crate::render::positional_only($format),
                "html!: only empty holes, each filled with Html"
            )
        };
        $crate::render::Html::__from_code(format_args!(
            $format $(, $crate::render::Html::__hole(&$arg))*
        ))
    }};
}
pub(crate) use html;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_link_and_label_are_escaped() {
        assert_eq!(
            Html::text("<b>&\"x\"").as_str(),
            "&lt;b&gt;&amp;&quot;x&quot;"
        );
        assert_eq!(Html::bold("a<b").as_str(), "<b>a&lt;b</b>");
        assert_eq!(
            Html::link("https://a.lv/?q=\"1\"&b=<2>", "A & <B>").as_str(),
            "<a href=\"https://a.lv/?q=&quot;1&quot;&amp;b=&lt;2&gt;\">A &amp; &lt;B&gt;</a>"
        );
        let mut html = Html::bold("x");
        html.push_text(" <i>");
        assert_eq!(html.as_str(), "<b>x</b> &lt;i&gt;");
    }

    #[test]
    fn a_hole_of_html_is_not_escaped_again() {
        let name = Html::text("A & B");
        let html = html!("<b>{}</b> {}", name, Html::text("<x>"));
        assert_eq!(html.as_str(), "<b>A &amp; B</b> &lt;x&gt;");
        assert_eq!(html!("{}", html).as_str(), html.as_str());
        assert!(positional_only("a {} {{name}} {}"));
        assert!(!positional_only("a {name}"));
        assert!(!positional_only("a {0}"));
    }

    #[test]
    fn a_persons_text_never_becomes_a_link() {
        assert_eq!(
            Html::text("[x](https://evil.example)").as_str(),
            "[x](https://evil.example)"
        );
        assert!(Html::content("[x](https://a.lv)").as_str().contains("<a "));
    }
}

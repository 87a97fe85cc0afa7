//! UI strings from `content/ui.toml`, in Latvian and English (the keys every `ui.toml` must
//! hold are [`crate::content::ui::KEYS`]).
//!
//! The strings live in the same TOML format as the rest of the content rather than in Fluent
//! files: an operator edits one format, `check` validates both translations with `file:line`,
//! and the few placeholders (`{name}`) and the one plural the bot needs (written
//! `zero|one|other`) do not justify Fluent's dependency tree.

use std::collections::HashMap;

use crate::content::Text;
use crate::lang::Lang;

/// The loaded UI strings.
#[derive(Debug, Clone, Default)]
pub(crate) struct Strings {
    map: HashMap<String, Text>,
}

impl Strings {
    /// Builds the table from `(key, text)` pairs.
    pub(crate) fn new(pairs: Vec<(String, Text)>) -> Self {
        Self {
            map: pairs.into_iter().collect(),
        }
    }

    /// The string `key` in `lang`; the key itself if it is missing (`check` prevents that).
    pub(crate) fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.map.get(key).map_or(key, |t| t.get(lang))
    }

    /// The string `key` with `{name}` placeholders replaced by the given values. Values are
    /// inserted as they are: escaping is the caller's, at one place in the renderer.
    /// One pass over the template, so a value that itself contains `{name}` stays as it is.
    pub(crate) fn fill(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let template = self.get(lang, key);
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                args.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v, close))
            });
            match value {
                Some((value, close)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The plural form of `key` (written `zero|one|other`) for `n`, with `{n}` filled in:
    /// `zero` for 0 only; `one` for 1 in English, and in Latvian for every number ending in 1
    /// but not in 11 (1, 21, 101: "21 nodarbība"); `other` for the rest (after a numeral
    /// Latvian takes the nominative plural: "10 nodarbības", "12 nodarbības").
    pub(crate) fn plural(&self, lang: Lang, key: &str, n: u64) -> String {
        let forms: Vec<&str> = self.get(lang, key).split('|').collect();
        let index = match lang {
            _ if n == 0 => 0,
            Lang::Lv if n % 10 == 1 && n % 100 != 11 => 1,
            Lang::En if n == 1 => 1,
            Lang::Lv | Lang::En => 2,
        };
        let form = forms.get(index).or(forms.last()).copied().unwrap_or("");
        form.replace("{n}", &n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_each_language() {
        let s = Strings::new(vec![(
            "lessons_count".into(),
            Text {
                lv: "nav nodarbību|{n} nodarbība|{n} nodarbības".into(),
                en: "no lessons|{n} lesson|{n} lessons".into(),
            },
        )]);
        let lv = |n| s.plural(Lang::Lv, "lessons_count", n);
        assert_eq!(lv(0), "nav nodarbību");
        assert_eq!(lv(1), "1 nodarbība");
        assert_eq!(lv(3), "3 nodarbības");
        assert_eq!(lv(10), "10 nodarbības");
        assert_eq!(lv(11), "11 nodarbības");
        assert_eq!(lv(20), "20 nodarbības");
        assert_eq!(lv(21), "21 nodarbība");
        assert_eq!(lv(111), "111 nodarbības");
        assert_eq!(lv(101), "101 nodarbība");
        let en = |n| s.plural(Lang::En, "lessons_count", n);
        assert_eq!(en(0), "no lessons");
        assert_eq!(en(1), "1 lesson");
        assert_eq!(en(10), "10 lessons");
        assert_eq!(en(21), "21 lessons");
    }

    #[test]
    fn fill_replaces_each_placeholder_once() {
        let s = Strings::new(vec![(
            "k".into(),
            Text {
                lv: "a {x} b {y} {z}".into(),
                en: "-".into(),
            },
        )]);
        assert_eq!(
            s.fill(Lang::Lv, "k", &[("x", "{y}"), ("y", "2")]),
            "a {y} b 2 {z}"
        );
    }
}

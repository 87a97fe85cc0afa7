//! The accessors for single fields: each checks one value, records what is wrong with its
//! line and returns what it could read.

use std::collections::HashMap;

use toml::Spanned;
use toml::de::DeValue;

use super::{Reader, Tbl};
use crate::content::{ContactKind, MAX_TEXT_UTF16, Text, validate};

impl Reader<'_> {
    pub(super) fn keys(&mut self, t: Tbl, ctx: &str, allowed: &[&str]) {
        for (key, _) in t.map.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                let at = if ctx.is_empty() {
                    String::new()
                } else {
                    format!("{ctx}: ")
                };
                self.at(
                    key.span().start,
                    format!(
                        "{at}unknown field '{}' (expected one of: {})",
                        key.get_ref(),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    pub(super) fn missing(&mut self, t: Tbl, ctx: &str, key: &str) {
        let what = if ctx.is_empty() {
            format!("missing required table [{key}]")
        } else {
            format!("{ctx}: missing required field '{key}'")
        };
        self.at(t.start, what);
    }

    pub(super) fn sub_table<'t, 'i>(
        &mut self,
        t: Tbl<'t, 'i>,
        key: &str,
        ctx: &str,
    ) -> Option<Tbl<'t, 'i>> {
        match t.get(key) {
            None => {
                self.missing(t, ctx, key);
                None
            }
            Some(v) if v.get_ref().is_table() => Tbl::of(v),
            Some(v) => {
                self.at(v.span().start, format!("'{key}' must be a table"));
                None
            }
        }
    }

    pub(super) fn array<'t, 'i>(
        &mut self,
        t: Tbl<'t, 'i>,
        key: &str,
        ctx: &str,
    ) -> Vec<Tbl<'t, 'i>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            let at = if ctx.is_empty() { "" } else { ctx };
            self.at(
                v.span().start,
                format!("{at} '{key}' must be written as [[{key}]] tables")
                    .trim()
                    .to_string(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            if let Some(table) = Tbl::of(item) {
                out.push(table);
            } else {
                self.at(
                    item.span().start,
                    format!("each '{key}' entry must be a table"),
                );
            }
        }
        out
    }

    pub(super) fn raw_string(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        required: bool,
    ) -> Option<(String, usize)> {
        match t.get(key) {
            None => {
                if required {
                    self.missing(t, ctx, key);
                }
                None
            }
            Some(v) => match v.get_ref().as_str() {
                Some(s) if s.trim().is_empty() => {
                    self.at(v.span().start, format!("{ctx}: '{key}' is empty"));
                    None
                }
                Some(s) => Some((s.to_string(), v.span().start)),
                None => {
                    self.at(
                        v.span().start,
                        format!(
                            "{ctx}: '{key}' must be a string, not a {}",
                            v.get_ref().type_str()
                        ),
                    );
                    None
                }
            },
        }
    }

    pub(super) fn string(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.raw_string(t, ctx, key, true).map(|(s, _)| s)
    }

    pub(super) fn opt_string(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.raw_string(t, ctx, key, false).map(|(s, _)| s)
    }

    pub(super) fn checked(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        required: bool,
        valid: fn(&str) -> bool,
        what: &str,
    ) -> Option<String> {
        let (value, offset) = self.raw_string(t, ctx, key, required)?;
        if valid(&value) {
            Some(value)
        } else {
            self.at(offset, format!("{ctx}: '{key}' = '{value}' is not {what}"));
            None
        }
    }

    pub(super) fn opt_checked(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        valid: fn(&str) -> bool,
        what: &str,
    ) -> Option<String> {
        self.checked(t, ctx, key, false, valid, what)
    }

    pub(super) fn id(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.checked(
            t,
            ctx,
            key,
            true,
            validate::id,
            "a valid id (1–24 of a-z, 0-9, _)",
        )
    }

    pub(super) fn url(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.checked(
            t,
            ctx,
            key,
            true,
            validate::url,
            "a valid https:// or tg:// URL",
        )
    }

    pub(super) fn opt_url(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.opt_checked(t, ctx, key, validate::url, "a valid https:// or tg:// URL")
    }

    pub(super) fn date(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.checked(
            t,
            ctx,
            key,
            true,
            validate::date,
            "a date written YYYY-MM-DD",
        )
    }

    pub(super) fn opt_date(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.opt_checked(t, ctx, key, validate::date, "a date written YYYY-MM-DD")
    }

    /// An optional date that is not in the future (`today` is today's date in Latvia).
    pub(super) fn past_date(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        today: &str,
    ) -> Option<String> {
        let date = self.opt_date(t, ctx, key)?;
        if date.as_str() > today {
            if let Some(v) = t.get(key) {
                self.at(
                    v.span().start,
                    format!("{ctx}: '{key}' = '{date}' is in the future (today is {today})"),
                );
            }
            return None;
        }
        Some(date)
    }

    /// `kind = "ngo" | "general"`: required.
    pub(super) fn kind(&mut self, t: Tbl, ctx: &str) -> Option<ContactKind> {
        const WHAT: &str = "\"ngo\" (designated by the ministry for cooperation with NGOs) or \
                            \"general\" (the ministry's general contact)";
        if t.get("kind").is_none() {
            self.at(
                t.start,
                format!("{ctx}: missing required field 'kind': {WHAT}"),
            );
            return None;
        }
        let (value, offset) = self.raw_string(t, ctx, "kind", true)?;
        let kind = ContactKind::parse(&value);
        if kind.is_none() {
            self.at(offset, format!("{ctx}: 'kind' = '{value}' is not {WHAT}"));
        }
        kind
    }

    pub(super) fn integer(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let Some(v) = t.get(key) else {
            self.missing(t, ctx, key);
            return None;
        };
        let n = v
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok());
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.at(
                    v.span().start,
                    format!("{ctx}: '{key}' must be a whole number from {min} to {max}"),
                );
                None
            }
        }
    }

    pub(super) fn strings_spanned(&mut self, t: Tbl, ctx: &str, key: &str) -> Vec<(String, usize)> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            self.at(
                v.span().start,
                format!("{ctx}: '{key}' must be a list of strings"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) if !s.trim().is_empty() => out.push((s.to_string(), item.span().start)),
                _ => self.at(
                    item.span().start,
                    format!("{ctx}: every entry of '{key}' must be a non-empty string"),
                ),
            }
        }
        out
    }

    pub(super) fn strings(&mut self, t: Tbl, ctx: &str, key: &str) -> Vec<String> {
        self.strings_spanned(t, ctx, key)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// `sources = [...]`: required, at least one valid URL.
    pub(super) fn sources(&mut self, t: Tbl, ctx: &str) -> Vec<String> {
        if t.get("sources").is_none() {
            self.missing(t, ctx, "sources");
            return Vec::new();
        }
        let list = self.strings_spanned(t, ctx, "sources");
        if list.is_empty() {
            self.at(t.start, format!("{ctx}: 'sources' needs at least one URL"));
        }
        list.into_iter()
            .filter_map(|(url, offset)| {
                if validate::url(&url) {
                    Some(url)
                } else {
                    self.at(
                        offset,
                        format!("{ctx}: source '{url}' is not a valid https:// URL"),
                    );
                    None
                }
            })
            .collect()
    }

    pub(super) fn text(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<Text> {
        match t.get(key) {
            None => {
                self.missing(t, ctx, key);
                None
            }
            Some(v) => self.text_value(v, ctx, key),
        }
    }

    pub(super) fn opt_text(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<Text> {
        let v = t.get(key)?;
        self.text_value(v, ctx, key)
    }

    /// A translated text: a table with non-empty `lv` and `en` strings that fit a message.
    pub(super) fn text_value(
        &mut self,
        v: &Spanned<DeValue>,
        ctx: &str,
        key: &str,
    ) -> Option<Text> {
        let Some(table) = v.get_ref().as_table() else {
            self.at(
                v.span().start,
                format!(
                    "{ctx}: '{key}' must have a Latvian and an English text ({key}.lv, {key}.en)"
                ),
            );
            return None;
        };
        let mut text = Text::default();
        let mut ok = true;
        for (name, lang) in [("lv", "Latvian"), ("en", "English")] {
            match table.get(name) {
                None => {
                    self.at(
                        v.span().start,
                        format!("{ctx}: missing {lang} translation '{key}.{name}'"),
                    );
                    ok = false;
                }
                Some(s) => match s.get_ref().as_str() {
                    Some(value) if !value.trim().is_empty() => {
                        let units = value.encode_utf16().count();
                        if units > MAX_TEXT_UTF16 {
                            self.at(
                                s.span().start,
                                format!(
                                    "{ctx}: '{key}.{name}' is {units} UTF-16 units long; at most {} fit one Telegram message with the rest of the card",
                                    MAX_TEXT_UTF16
                                ),
                            );
                            ok = false;
                        }
                        self.links_in(value, s.span().start, &format!("{ctx}: '{key}.{name}'"));
                        let value = value.trim().to_string();
                        if name == "lv" {
                            text.lv = value;
                        } else {
                            text.en = value;
                        }
                    }
                    _ => {
                        self.at(
                            s.span().start,
                            format!("{ctx}: '{key}.{name}' must be a non-empty string"),
                        );
                        ok = false;
                    }
                },
            }
        }
        for (name, _) in table.iter() {
            if !matches!(name.get_ref().as_ref(), "lv" | "en") {
                self.at(
                    name.span().start,
                    format!(
                        "{ctx}: unknown language '{key}.{}' (expected lv and en)",
                        name.get_ref()
                    ),
                );
            }
        }
        ok.then_some(text)
    }

    /// A text shows no address as it is: each is a link written `[label](https://...)` with
    /// a valid address (the card shows the short label; docs/content-schema.md, "Links in
    /// texts").
    fn links_in(&mut self, value: &str, offset: usize, what: &str) {
        if let Some(address) = crate::render::bare_address(value) {
            self.at(
                offset,
                format!(
                    "{what} shows the address {address} as it is: write it as a link with a short label, [label]({address})"
                ),
            );
        }
        for link in crate::render::text_links(value) {
            if !validate::url(link.url) {
                self.at(
                    offset,
                    format!(
                        "{what}: the link [{}]({}) is not a valid https:// or tg:// URL",
                        link.label, link.url
                    ),
                );
            }
        }
    }

    pub(super) fn unique(
        &mut self,
        seen: &mut HashMap<String, usize>,
        id: &str,
        t: Tbl,
        what: &str,
    ) {
        let line = self.line(t.start);
        if let Some(first) = seen.get(id) {
            let first = *first;
            self.problem(
                line,
                format!("duplicate {what} id '{id}' (first at line {first})"),
            );
        } else {
            seen.insert(id.to_string(), line);
        }
    }
}

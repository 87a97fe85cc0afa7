//! The files about the bot itself: `meta.toml` (the source, its date and the fallback
//! ministry) and `ui.toml` (the bot's own strings).

use toml::de::DeValue;

use super::{Reader, Tbl};
use crate::content::{Meta, Text};

impl Reader<'_> {
    pub(super) fn meta(&mut self, doc: Tbl) -> Option<Meta> {
        self.keys(doc, "", &["source"]);
        let source = self.sub_table(doc, "source", "")?;
        let ctx = "[source]";
        self.keys(
            source,
            ctx,
            &["url", "name", "content_date", "about", "fallback"],
        );
        let source_url = self.url(source, ctx, "url");
        let source_name = self.text(source, ctx, "name");
        let content_date = self.date(source, ctx, "content_date");
        let about = self.text(source, ctx, "about");
        let fallback = self.id(source, ctx, "fallback");
        if let Some(value) = source.get("fallback") {
            self.fallback_line = self.line(value.span().start);
        }
        Some(Meta {
            source_url: source_url?,
            source_name: source_name?,
            content_date: content_date?,
            about: about?,
            fallback: fallback?,
        })
    }

    pub(super) fn ui(&mut self, doc: Tbl) -> Vec<(String, Text)> {
        let mut out = Vec::new();
        for (key, value) in doc.map.iter() {
            let key = key.get_ref().to_string();
            let ctx = format!("[{key}]");
            match value.get_ref() {
                DeValue::Table(_) => {
                    if let Some(text) = self.text_value(value, &ctx, &key) {
                        // A link only where the screen makes links of it.
                        let linked = [&text.lv, &text.en]
                            .iter()
                            .any(|t| !crate::render::text_links(t).is_empty());
                        if linked && !crate::content::ui::RICH.contains(&key.as_str()) {
                            self.at(
                                value.span().start,
                                format!(
                                    "{ctx}: holds a link [label](...), but the bot shows this text as it is; links are allowed only in: {}",
                                    crate::content::ui::RICH.join(", ")
                                ),
                            );
                        }
                        // The profile's texts: Telegram refuses longer ones at every start.
                        if let Some(max) = crate::content::ui::limit(&key) {
                            for (name, said) in [("lv", &text.lv), ("en", &text.en)] {
                                let units = said.encode_utf16().count();
                                if units > max {
                                    let at = value
                                        .get_ref()
                                        .as_table()
                                        .and_then(|t| t.get(name))
                                        .map_or(value.span().start, |v| v.span().start);
                                    self.at(
                                        at,
                                        format!(
                                            "{ctx}: '{key}.{name}' is {units} UTF-16 units long; Telegram allows {max} in the bot's profile"
                                        ),
                                    );
                                }
                            }
                        }
                        out.push((key, text));
                    }
                }
                other => self.at(
                    value.span().start,
                    format!(
                        "'{key}' must be a table with 'lv' and 'en', not a {}",
                        other.type_str()
                    ),
                ),
            }
        }
        out
    }

    // ---- fields ------------------------------------------------------------------------
}

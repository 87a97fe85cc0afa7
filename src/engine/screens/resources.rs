//! Useful links and the ministries' participation pages.

use std::fmt::Write as _;

use super::Ctx;
use crate::engine::reply::Reply;
use crate::render::{bold, escape, link, rich};

impl Ctx<'_> {
    pub(in crate::engine) fn resources(&self) -> Reply {
        let mut text = bold(self.t("resources_heading"));
        let catalog = self.catalog();
        for r in &catalog.resources {
            let _ = write!(
                text,
                "\n\n• {}\n{}",
                link(&r.url, r.title.get(self.lang)),
                rich(r.description.get(self.lang))
            );
        }
        let _ = write!(text, "\n\n{}", bold(self.t("participation_pages_heading")));
        let mut without = Vec::new();
        for m in &catalog.ministries {
            match &m.participation_page {
                Some(page) => {
                    let mut label = format!("{} ({})", m.name.get(self.lang), m.abbr);
                    if let Some(language) = self.page_language(page) {
                        label = format!("{label}, {language}");
                    }
                    let _ = write!(text, "\n• {}", link(page, &label));
                }
                None => without.push(m.abbr.as_str()),
            }
        }
        // Where a page is not known, where to look for it (never a guessed address).
        if !without.is_empty() {
            let list = without.join(", ");
            let _ = write!(
                text,
                "\n\n{}",
                escape(&self.fill("participation_pages_missing", &[("list", &list)]))
            );
        }
        self.reply(text, vec![vec![self.main_button()]])
    }
}

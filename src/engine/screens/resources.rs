//! Useful links and the ministries' participation pages.

use std::fmt::Write as _;

use super::Ctx;
use crate::engine::Reply;
use crate::render::{bold, escape, link};

impl Ctx<'_> {
    pub(in crate::engine) fn resources(&self) -> Reply {
        let mut text = bold(self.t("resources_heading"));
        let catalog = self.catalog();
        for r in &catalog.resources {
            let _ = write!(
                text,
                "\n\n• {}\n{}",
                link(&r.url, r.title.get(self.lang)),
                escape(r.description.get(self.lang))
            );
        }
        let _ = write!(text, "\n\n{}", bold(self.t("participation_pages_heading")));
        for m in &catalog.ministries {
            if let Some(page) = &m.participation_page {
                let _ = write!(
                    text,
                    "\n• {}",
                    link(page, &format!("{} ({})", m.name.get(self.lang), m.abbr))
                );
            }
        }
        self.reply(text, vec![vec![self.main_button()]])
    }
}

//! Useful links and the ministries' participation pages.

use super::Ctx;
use crate::engine::reply::Reply;
use crate::render::{Html, html};

impl Ctx<'_> {
    pub(in crate::engine) fn resources(&self) -> Reply {
        let mut text = Html::bold(self.t("resources_heading"));
        let catalog = self.catalog();
        for r in &catalog.resources {
            text.push(&html!(
                "\n\n• {}\n{}",
                Html::link(&r.url, r.title.get(self.lang)),
                Html::content(r.description.get(self.lang))
            ));
        }
        text.push(&html!(
            "\n\n{}",
            Html::bold(self.t("participation_pages_heading"))
        ));
        let mut without = Vec::new();
        for m in &catalog.ministries {
            match &m.participation_page {
                Some(page) => {
                    let mut label = format!("{} ({})", m.name.get(self.lang), m.abbr);
                    if let Some(language) = self.page_language(page) {
                        label = format!("{label}, {language}");
                    }
                    text.push(&html!("\n• {}", Html::link(page, &label)));
                }
                None => without.push(m.abbr.as_str()),
            }
        }
        // Where a page is not known, where to look for it (never a guessed address).
        if !without.is_empty() {
            let list = without.join(", ");
            text.push(&html!(
                "\n\n{}",
                Html::text(&self.fill("participation_pages_missing", &[("list", &list)]))
            ));
        }
        self.reply(text, vec![vec![self.main_button()]])
    }
}

//! Advice on working with communication specialists.

use super::Ctx;
use crate::engine::action::Action;
use crate::engine::reply::{Button, Reply};
use crate::render::{Html, html};

impl Ctx<'_> {
    pub(in crate::engine) fn specialists(&self) -> Reply {
        let catalog = self.catalog();
        let mut text = Html::default();
        if let Some((title, sources)) = catalog.text("specialists.title") {
            text.push(&html!("{}", Html::bold(title.get(self.lang))));
            for tip in &catalog.tips {
                text.push(&html!("\n\n{}", self.titled(tip)));
            }
            let fold = [
                Html::text(self.t("specialists_note")),
                self.sources(sources),
            ];
            text.push(&html!("\n\n{}", self.folded(&fold)));
        }
        self.reply(
            text,
            vec![vec![
                Button::action(self.t("menu_contacts"), Action::Contacts),
                self.main_button(),
            ]],
        )
    }
}

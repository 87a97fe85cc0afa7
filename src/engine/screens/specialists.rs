//! Advice on working with communication specialists.

use std::fmt::Write as _;

use super::Ctx;
use crate::engine::action::Action;
use crate::engine::reply::{Button, Reply};
use crate::render::{bold, escape};

impl Ctx<'_> {
    pub(in crate::engine) fn specialists(&self) -> Reply {
        let catalog = self.catalog();
        let mut text = String::new();
        if let Some((title, sources)) = catalog.text("specialists.title") {
            let _ = write!(text, "{}", bold(title.get(self.lang)));
            for tip in &catalog.tips {
                let _ = write!(text, "\n\n{}", self.titled(tip));
            }
            let fold = [escape(self.t("specialists_note")), self.sources(sources)];
            let _ = write!(text, "\n\n{}", self.folded(&fold));
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

//! The guidelines: the list of sections, one section, and `/guidelines <number or words>`.

use super::{Ctx, echo, quoted};
use crate::engine::action::Action;
use crate::engine::reply::{Button, Reply};
use crate::fold;
use crate::render::{Html, html};

impl Ctx<'_> {
    pub(in crate::engine) fn guidelines(&self, notice: Option<Html>) -> Reply {
        let catalog = self.catalog();
        let sections = &catalog.sections;
        let mut text = notice.map(|n| html!("{}\n\n", n)).unwrap_or_default();
        if let Some((title, _)) = catalog.text("guidelines.title") {
            text.push(&html!(
                "{}",
                Html::bold(&quoted(title.get(self.lang), self.lang))
            ));
            if let Some((intro, _)) = catalog.text("guidelines.intro") {
                text.push(&html!("\n\n{}", Html::content(intro.get(self.lang))));
            }
        }
        if let Some((_, sources)) = catalog.text("guidelines.title") {
            text.push(&html!("\n\n{}", self.folded(&[self.sources(sources)])));
        }
        text.push(&html!("\n\n{}", Html::text(self.t("guidelines_prompt"))));
        let mut rows: Vec<Vec<Button>> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let label = format!("{}. {}", i + 1, s.title.get(self.lang));
                vec![Button::action(label, Action::Section(s.id.clone()))]
            })
            .collect();
        rows.push(vec![self.main_button()]);
        self.reply(text, rows)
    }

    pub(in crate::engine) fn section(&self, id: &str) -> Option<Reply> {
        let all = &self.catalog().sections;
        let (position, section) = self.catalog().section(id)?;
        let mut text = self.titled(section);
        text.push(&html!(
            "\n\n{}",
            self.folded(&[self.sources(&section.sources)])
        ));
        let mut nav = Vec::new();
        if let Some(prev) = position.checked_sub(1).and_then(|p| all.get(p)) {
            nav.push(Button::action(
                self.t("previous"),
                Action::Section(prev.id.clone()),
            ));
        }
        if let Some(next) = all.get(position + 1) {
            nav.push(Button::action(
                self.t("next"),
                Action::Section(next.id.clone()),
            ));
        }
        let mut rows = Vec::new();
        if !nav.is_empty() {
            rows.push(nav);
        }
        rows.push(self.share_row(&Action::Section(section.id.clone())));
        rows.push(self.vote_row(&Action::Section(section.id.clone())));
        rows.push(self.back_row(Action::Guidelines));
        Some(self.reply(text, rows))
    }

    pub(in crate::engine) fn section_by_query(&self, query: &str) -> Reply {
        let all = &self.catalog().sections;
        let wanted = fold::fold(query);
        let number: Option<usize> = wanted.parse().ok();
        let words = fold::stems(query);
        let found = all
            .iter()
            .enumerate()
            .find(|(i, s)| number == Some(i + 1) || s.id == wanted.replace(' ', "_"))
            .or_else(|| {
                all.iter().enumerate().find(|(_, s)| {
                    let title = fold::stems(&format!("{} {}", s.title.lv, s.title.en));
                    !words.is_empty() && words.iter().all(|w| title.contains(w))
                })
            })
            .map(|(_, s)| s.id.clone());
        if let Some(id) = found
            && let Some(reply) = self.section(&id)
        {
            return reply;
        }
        let notice = Html::text(&self.fill("section_not_found", &[("query", &echo(query))]));
        self.guidelines(Some(notice))
    }
}

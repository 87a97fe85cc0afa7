//! Agencies and the bodies no ministry leads. An agency's card is its ministry's card headed
//! by "CSDD ir Satiksmes ministrijas padotībā", what people go there for and the agency's own
//! site; the page that puts it under the ministry is folded with the card's other sources. A
//! body's card says what it is, that no ministry leads it, and where to turn.

use super::contacts::MAX_SHOWN_UTF16;
use super::{Ctx, host};
use crate::engine::action::Action;
use crate::engine::lookup::Target;
use crate::engine::reply::{Button, Reply};
use crate::lang::Lang;
use crate::render::{self, Html, html};

/// Where a card's folded part starts (`render::folded`).
const FOLD: &str = "<blockquote expandable>";

impl Ctx<'_> {
    /// The card of the agency `id` (under the ministry of `target`), or the ministry's card
    /// alone when the content no longer has the agency.
    pub(super) fn agency_card(&self, id: &str, target: &Target) -> Reply {
        let mut reply = self.card(target);
        let catalog = self.catalog();
        let (Some(agency), Some(ministry)) = (
            catalog.agencies.iter().find(|a| a.id == id),
            catalog.ministry(&target.ministry),
        ) else {
            return reply;
        };
        let ministry_name = match self.lang {
            Lang::Lv => genitive(&ministry.name.lv),
            Lang::En => ministry.name.en.clone(),
        };
        let mut head = Html::bold(&self.fill(
            "agency_under",
            &[
                ("agency", &agency.abbr),
                ("name", agency.name.get(self.lang)),
                ("ministry", &ministry_name),
            ],
        ));
        if let Some(note) = &agency.note {
            head.push(&html!("\n{}", Html::content(note.get(self.lang))));
        }
        if let Some(site) = &agency.website {
            head.push(&html!(
                "\n{}: {}",
                Html::bold(self.t("agency_website")),
                Html::link(site, host(site))
            ));
        }
        head.push(&html!("\n\n"));
        // Folded first: what people go there for, and the pages that put it under the
        // ministry.
        let mut folded = html!(
            "{}: {}\n",
            Html::bold(self.t("agency_business")),
            Html::text(agency.business.get(self.lang))
        );
        let mut seen = Vec::new();
        let urls = agency.sources.iter().map(String::as_str);
        if let Some(cited) = self.cited("agency_sources", urls, &mut seen) {
            folded.push(&html!("{}\n", cited));
        }
        let mut text = html!("{}{}", head, std::mem::take(&mut reply.text));
        // What the ministry's own card shows besides its contacts (its note, where to look
        // for a contact person, the next step) folds, in this order, while the head makes the
        // card too long.
        let movable = [
            ministry
                .note
                .as_ref()
                .map(|n| Html::content(n.get(self.lang))),
            Some(self.rich_t("no_ngo_contact")),
            Some(html!(
                "{}: {}",
                Html::bold(self.t("next_step_heading")),
                self.rich_t("next_step")
            )),
        ];
        for part in movable.into_iter().flatten() {
            if render::shown_len(&text) > MAX_SHOWN_UTF16 && text.remove(&html!("\n\n{}", part)) {
                folded.push(&html!("{}\n", part));
            }
        }
        text.insert_after_tag(FOLD, &folded);
        reply.text = text;
        reply
    }

    /// The card of the body `id`: what it is, that no ministry leads it, where to turn, its
    /// site, and (folded) the pages that say so.
    pub(super) fn body_card(&self, id: &str) -> Option<Reply> {
        let body = self.catalog().bodies.iter().find(|b| b.id == id)?;
        let mut text = Html::bold(body.name.get(self.lang));
        text.push(&html!(
            "\n\n{}\n{}\n\n{}: {}",
            Html::content(body.what.get(self.lang)),
            Html::text(self.t("body_no_ministry")),
            Html::bold(self.t("body_where")),
            Html::content(body.turn.get(self.lang)),
        ));
        if let Some(site) = &body.website {
            text.push(&html!(
                "\n{}: {}",
                Html::bold(self.t("website")),
                Html::link(site, host(site))
            ));
        }
        let mut seen = Vec::new();
        let urls = body.sources.iter().map(String::as_str);
        let fold: Vec<Html> = self
            .cited("body_sources", urls, &mut seen)
            .into_iter()
            .collect();
        text.push(&html!("\n\n{}", self.folded(&fold)));
        let rows = vec![vec![
            Button::action(self.t("menu_contacts"), Action::Contacts),
            self.main_button(),
        ]];
        Some(self.reply(text, rows))
    }
}

/// The genitive of a Latvian ministry's name, for "… ministrijas padotībā": the names end in
/// a feminine noun of the first declension ("ministrija", "kanceleja"), which takes an `s`.
fn genitive(name: &str) -> String {
    if name.ends_with('a') {
        format!("{name}s")
    } else {
        name.to_string()
    }
}

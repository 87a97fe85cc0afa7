//! Contacts: the list of ministries and a ministry's card (with an area: "the area X is
//! led by"), with its designated NGO contact or, where the sources name none, what else there is.

use std::fmt::Write as _;

use super::{Ctx, host, show_date};
use crate::content::{Contact, ContactKind, Ministry};
use crate::engine::lookup::Target;
use crate::engine::{Action, Button, Reply};
use crate::render::{bold, escape, link};
use crate::stats::metric;

impl Ctx<'_> {
    pub(in crate::engine) fn contacts(&self) -> Reply {
        let ministries = &self.catalog().ministries;
        let mut rows: Vec<Vec<Button>> = ministries
            .chunks(2)
            .map(|pair| {
                pair.iter()
                    .map(|m| {
                        let label = format!("{}: {}", m.abbr, m.name.get(self.lang));
                        Button::action(label, Action::Ministry(m.id.clone()))
                    })
                    .collect()
            })
            .collect();
        rows.push(vec![self.main_button()]);
        self.reply(escape(self.t("contacts_prompt")), rows)
    }

    /// A ministry's card; with an area, headed by "the area X is led by".
    /// Cards are the most frequent reply and depend only on the content and the language, so
    /// each is rendered once per content version and then copied.
    pub(in crate::engine) fn card(&self, target: &Target) -> Reply {
        let catalog = self.catalog();
        let Some((index, ministry)) = catalog.ministry_at(&target.ministry) else {
            return self.contacts();
        };
        let area = target
            .area
            .as_ref()
            .and_then(|id| ministry.areas.iter().enumerate().find(|(_, a)| &a.id == id));
        self.stats.count(metric::MINISTRY, &ministry.id);
        if let Some((_, area)) = area {
            self.stats.count(metric::AREA, &area.id);
        }
        let key = (index, area.map(|(i, _)| i), self.lang);
        if let Some(reply) = self.loaded.cards.get(&key) {
            return reply;
        }
        let reply = self.render_card(ministry, area.map(|(_, a)| a));
        self.loaded.cards.put(key, &reply);
        reply
    }

    pub(super) fn render_card(
        &self,
        ministry: &Ministry,
        area: Option<&crate::content::Area>,
    ) -> Reply {
        let catalog = self.catalog();
        let mut text = String::new();
        if let Some(area) = area {
            let _ = writeln!(
                text,
                "{}",
                escape(&self.fill("area_led_by", &[("area", area.name.get(self.lang))]))
            );
        }
        let _ = write!(
            text,
            "{}",
            bold(&format!(
                "{} ({})",
                ministry.name.get(self.lang),
                ministry.abbr
            ))
        );
        if let Some(note) = area.and_then(|a| a.note.as_ref()) {
            let _ = write!(text, "\n\n{}", escape(note.get(self.lang)));
        }
        if !ministry.areas.is_empty() {
            let names: Vec<&str> = ministry
                .areas
                .iter()
                .map(|a| a.name.get(self.lang))
                .collect();
            let _ = write!(
                text,
                "\n\n{}: {}",
                bold(self.t("areas")),
                escape(&names.join(", "))
            );
        }
        if let Some(note) = &ministry.note {
            let _ = write!(text, "\n\n{}", escape(note.get(self.lang)));
        }
        if let Some(site) = &ministry.website {
            let _ = write!(
                text,
                "\n\n{}: {}",
                bold(self.t("website")),
                link(site, site)
            );
        }
        let ngo: Vec<&Contact> = ministry
            .contacts
            .iter()
            .filter(|c| c.kind == ContactKind::Ngo)
            .collect();
        let general: Vec<&Contact> = ministry
            .contacts
            .iter()
            .filter(|c| c.kind == ContactKind::General)
            .collect();
        let participation = ministry.participation_page.as_ref().map(|page| {
            format!(
                "{}: {}",
                bold(self.t("participation_page")),
                link(page, page)
            )
        });
        if !ngo.is_empty() {
            if let Some(page) = &participation {
                let _ = write!(text, "\n{page}");
            }
            let _ = write!(text, "\n\n{}", bold(self.t("contacts_heading")));
            for contact in &ngo {
                let _ = write!(text, "\n\n{}", self.contact(contact));
            }
            self.general_contacts(&mut text, &general);
        } else {
            // No designated contact in our sources: say so, then what else there is, in the
            // order of the schema (docs/content-schema.md, "Cards"): where the State
            // Chancellery lists the contact persons, the ministry's general contact, its
            // participation page, the State Chancellery's own NGO contact.
            let _ = write!(
                text,
                "\n\n{}\n{}\n\n{}",
                bold(self.t("contacts_heading")),
                escape(self.t("no_ngo_contact")),
                escape(self.t("ngo_contact_statement"))
            );
            self.general_contacts(&mut text, &general);
            if let Some(page) = &participation {
                let _ = write!(text, "\n\n{page}");
            }
            let fallback = catalog.fallback().filter(|vk| vk.id != ministry.id);
            if let Some(vk) = fallback {
                let _ = write!(
                    text,
                    "\n\n{} ({})",
                    bold(self.t("fallback_heading")),
                    escape(&vk.abbr)
                );
                for contact in vk.contacts.iter().filter(|c| c.kind == ContactKind::Ngo) {
                    let _ = write!(text, "\n{}", self.contact(contact));
                }
            }
        }
        text.push_str("\n\n");
        if let Some(area) = area {
            // Why this ministry: the statute or law that puts the area with it.
            let links: Vec<String> = area.sources.iter().map(|u| link(u, host(u))).collect();
            let _ = writeln!(
                text,
                "{}: {}",
                bold(self.t("area_sources")),
                links.join(", ")
            );
        }
        text.push_str(&self.sources(&ministry.sources));

        let mut rows = Vec::new();
        for lesson in catalog.lessons_of(ministry) {
            let label = format!(
                "{} {}",
                self.t("menu_lessons").split(' ').next().unwrap_or(""),
                self.fill(
                    "lesson_title",
                    &[
                        ("number", &lesson.number.to_string()),
                        ("title", lesson.title.get(self.lang))
                    ]
                )
            );
            rows.push(vec![Button::action(label, Action::Lesson(lesson.number))]);
        }
        let item = match area {
            Some(area) => Action::Area(area.id.clone()),
            None => Action::Ministry(ministry.id.clone()),
        };
        rows.push(self.share_row(&item));
        rows.push(self.vote_row(&item));
        rows.push(self.report_row(&item));
        rows.push(self.back_row(Action::Contacts));
        self.reply(text, rows)
    }

    pub(super) fn contact(&self, c: &Contact) -> String {
        let mut who: Vec<String> = Vec::new();
        if let Some(name) = &c.name {
            who.push(bold(name));
        }
        if let Some(role) = &c.role {
            who.push(escape(role.get(self.lang)));
        }
        if let Some(unit) = &c.unit {
            who.push(escape(unit.get(self.lang)));
        }
        let mut text = format!("• {}", who.join(", "));
        if who.is_empty() {
            text = "•".to_string();
        }
        if let Some(email) = &c.email {
            let _ = write!(text, "\n  {}: {}", escape(self.t("email")), escape(email));
        }
        if let Some(phone) = &c.phone {
            let _ = write!(text, "\n  {}: {}", escape(self.t("phone")), escape(phone));
        }
        if let Some(address) = &c.address {
            let _ = write!(
                text,
                "\n  {}: {}",
                escape(self.t("address")),
                escape(address)
            );
        }
        let _ = write!(
            text,
            "\n  {}: {}",
            escape(self.t("source")),
            link(&c.source, host(&c.source))
        );
        // Only what is known: the page's own date if it shows one, and a verification only if
        // a person really made one.
        let mut dates = Vec::new();
        if let Some(date) = &c.source_date {
            dates.push(self.fill("source_page_date", &[("date", &show_date(date, self.lang))]));
        }
        if let Some(date) = &c.verified {
            dates.push(self.fill("verified_on", &[("date", &show_date(date, self.lang))]));
        }
        if !dates.is_empty() {
            let _ = write!(text, " ({})", escape(&dates.join("; ")));
        }
        text
    }

    /// The ministry's general contacts under their own heading, so that they are never taken
    /// for the designated NGO contact.
    pub(super) fn general_contacts(&self, text: &mut String, general: &[&Contact]) {
        if general.is_empty() {
            return;
        }
        let _ = write!(text, "\n\n{}", bold(self.t("general_contact")));
        for contact in general {
            let _ = write!(text, "\n{}", self.contact(contact));
        }
    }
}

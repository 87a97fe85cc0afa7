//! Contacts: the list of ministries and a ministry's card (with an area: "the area X is
//! led by"). A card answers first: the ministry and the best way to reach it, then the next
//! step; what is not known is said once; the areas, sources and dates are folded below.

use super::{Ctx, host, show_date_on, source_links};
use crate::content::{Area, Contact, ContactKind, Ministry};
use crate::engine::action::Action;
use crate::engine::lookup::Target;
use crate::engine::reply::{Button, Reply};
use crate::render::{self, Html, html};
use crate::stats::metric;

/// Telegram's limit for the text a `copy_text` button copies, in characters.
pub(crate) const MAX_COPY_CHARS: usize = 256;

/// What a card shows before its folded part, at most, in UTF-16 units as Telegram counts
/// them: the ministry's note moves into the folded part when the card would be longer with it.
pub(crate) const MAX_SHOWN_UTF16: usize = 800;

/// At most this many copy buttons (e-mail addresses, phone numbers) under one card: the
/// keyboard stays short enough to see the card's own buttons without scrolling.
pub(crate) const MAX_COPY_BUTTONS: usize = 6;

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
        self.reply(Html::text(self.t("contacts_prompt")), rows)
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

    /// The card, in this order (docs/content-schema.md, "Cards"): the ministry; its contacts
    /// (named persons for NGO cooperation, then units or mailboxes for it, then the general
    /// contact); its participation page and website; where to look for what is not known;
    /// the ministry's note; the next step. Folded below: the areas it leads, why the area is
    /// its, the sources with their dates.
    pub(super) fn render_card(&self, ministry: &Ministry, area: Option<&Area>) -> Reply {
        let catalog = self.catalog();
        let mut text = Html::default();
        if let Some(area) = area {
            text.push(&html!(
                "{}\n",
                Html::text(&self.fill("area_led_by", &[("area", area.name.get(self.lang))]))
            ));
        }
        text.push(&html!(
            "{}",
            Html::bold(&format!(
                "{} ({})",
                ministry.name.get(self.lang),
                ministry.abbr
            ))
        ));
        if let Some(note) = area.and_then(|a| a.note.as_ref()) {
            text.push(&html!("\n\n{}", Html::content(note.get(self.lang))));
        }

        let ngo: Vec<&Contact> = ordered(ministry, ContactKind::Ngo);
        let general: Vec<&Contact> = ordered(ministry, ContactKind::General);
        self.contact_group(&mut text, "contacts_heading", &ngo);
        self.contact_group(&mut text, "general_contact", &general);
        let mut pages = Vec::new();
        if let Some(page) = &ministry.participation_page {
            pages.push(html!(
                "{}: {}",
                Html::bold(self.t("participation_page")),
                Html::link(page, &self.page_label(page))
            ));
        }
        if let Some(site) = &ministry.website {
            pages.push(html!(
                "{}: {}",
                Html::bold(self.t("website")),
                Html::link(site, host(site))
            ));
        }
        if !pages.is_empty() {
            text.push(&html!("\n\n{}", Html::join(&pages, "\n")));
        }
        if ngo.is_empty() {
            text.push(&html!("\n\n{}", self.rich_t("no_ngo_contact")));
        }
        let next = html!(
            "\n\n{}: {}",
            Html::bold(self.t("next_step_heading")),
            self.rich_t("next_step")
        );
        // Folded: the ministry's note if the card would be too long with it, what the
        // ministry leads, why this area is its, and where every fact is from.
        let mut fold = Vec::new();
        // The people TAP names for the drafts of a ministry without an NGO contact are the
        // ones to ask about those drafts: shown when the card has room, else folded first.
        if let Some(persons) = ngo
            .is_empty()
            .then(|| self.open_persons(&ministry.id))
            .flatten()
        {
            if render::shown_len(&html!("{}\n{}{}", text, persons, next)) <= MAX_SHOWN_UTF16 {
                text.push(&html!("\n{}", persons));
            } else {
                fold.push(persons);
            }
        }
        if let Some(note) = &ministry.note {
            let note = Html::content(note.get(self.lang));
            if render::shown_len(&html!("{}\n\n{}{}", text, note, next)) <= MAX_SHOWN_UTF16 {
                text.push(&html!("\n\n{}", note));
            } else {
                fold.push(note);
            }
        }
        text.push(&next);
        if !ministry.areas.is_empty() {
            let names: Vec<&str> = ministry
                .areas
                .iter()
                .map(|a| a.name.get(self.lang))
                .collect();
            fold.push(html!(
                "{}: {}",
                Html::bold(self.t("areas")),
                Html::text(&names.join(", "))
            ));
        }
        if ngo.is_empty() {
            fold.push(Html::text(self.t("ngo_contact_statement")));
        }
        // Each line names all of its own pages; the ministry's sources leave out the pages of
        // its contacts (named just above), unless nothing else would be left.
        if let Some(area) = area {
            let urls = area.sources.iter().map(String::as_str);
            fold.extend(self.cited("area_sources", urls, &mut Vec::new()));
        }
        let contacts = ngo.iter().chain(&general).copied();
        let mut above = Vec::new();
        fold.extend(self.contact_sources(contacts, &mut above));
        let urls = ministry.sources.iter().map(String::as_str);
        let sources = self.cited("sources", urls.clone(), &mut above);
        fold.push(sources.unwrap_or_else(|| self.sources(&ministry.sources)));
        text.push(&html!("\n\n{}", self.folded(&fold)));

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
        rows.extend(self.copy_rows(ngo.iter().chain(&general).copied()));
        rows.extend(self.open_rows(&ministry.id));
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

    /// `contacts` under the heading `key`, one block each; nothing when there are none.
    fn contact_group(&self, text: &mut Html, key: &'static str, contacts: &[&Contact]) {
        if contacts.is_empty() {
            return;
        }
        text.push(&html!("\n\n{}", Html::bold(self.t(key))));
        for contact in contacts {
            text.push(&html!("\n{}", self.contact(contact)));
        }
    }

    /// One contact: `• name, role, unit` (without a name `• unit, role`: what the unit
    /// does), then its e-mail, phone and address, one a line. Where it is from is in the
    /// folded part ([`Self::contact_sources`]).
    pub(super) fn contact(&self, c: &Contact) -> Html {
        let mut who: Vec<Html> = Vec::new();
        let role = c.role.as_ref().map(|r| Html::text(r.get(self.lang)));
        let unit = c.unit.as_ref().map(|u| Html::text(u.get(self.lang)));
        match &c.name {
            Some(name) => who.extend([Some(Html::bold(name)), role, unit].into_iter().flatten()),
            None => who.extend([unit, role].into_iter().flatten()),
        }
        let mut text = if who.is_empty() {
            html!("•")
        } else {
            html!("• {}", Html::join(&who, ", "))
        };
        for (key, value) in [
            ("email", &c.email),
            ("phone", &c.phone),
            ("address", &c.address),
        ] {
            if let Some(value) = value {
                text.push(&html!(
                    "\n  {}: {}",
                    Html::text(self.t(key)),
                    Html::text(value)
                ));
            }
        }
        text
    }

    /// Where the contacts are from: `Contact details from: sam.gov.lv (page updated …;
    /// verified …)`, each page once, with only the dates that are known (a verification
    /// only if a person made one); `None` without contacts.
    fn contact_sources<'c>(
        &self,
        contacts: impl Iterator<Item = &'c Contact>,
        seen: &mut Vec<&'c str>,
    ) -> Option<Html> {
        let mut pages: Vec<(&str, Vec<String>)> = Vec::new();
        for c in contacts {
            let mut dates = Vec::new();
            if let Some(date) = &c.source_date {
                let on = show_date_on(date, self.lang);
                dates.push(self.fill("source_page_date", &[("date", &on)]));
            }
            if let Some(date) = &c.verified {
                let on = show_date_on(date, self.lang);
                dates.push(self.fill("verified_on", &[("date", &on)]));
            }
            match pages.iter_mut().find(|(url, _)| *url == c.source) {
                Some((_, known)) => {
                    for date in dates {
                        if !known.contains(&date) {
                            known.push(date);
                        }
                    }
                }
                None => pages.push((&c.source, dates)),
            }
        }
        let links: Vec<Html> = pages
            .into_iter()
            .map(|(url, dates)| {
                let mut one = source_links([url], seen, |u| self.page_language(u));
                if !dates.is_empty() {
                    one.push(&html!(" ({})", Html::text(&dates.join("; "))));
                }
                one
            })
            .filter(|one| !one.is_empty())
            .collect();
        (!links.is_empty()).then(|| {
            html!(
                "{}: {}",
                Html::bold(self.t("contacts_source")),
                Html::join(&links, ", ")
            )
        })
    }

    /// Copy buttons for the e-mail addresses (one a row) and phone numbers (side by side) of
    /// `contacts`, at most [`MAX_COPY_BUTTONS`], each address once.
    fn copy_rows<'c>(&self, contacts: impl Iterator<Item = &'c Contact>) -> Vec<Vec<Button>> {
        let mut emails = Vec::new();
        let mut phones = Vec::new();
        for c in contacts {
            if let Some(email) = &c.email {
                emails.push(email.as_str());
            }
            if let Some(phone) = &c.phone {
                phones.push(phone.as_str());
            }
        }
        let mut kept: Vec<(&str, bool)> = Vec::new();
        let values = emails.iter().map(|e| (*e, true));
        for (value, is_email) in values.chain(phones.iter().map(|p| (*p, false))) {
            let fits = (1..=MAX_COPY_CHARS).contains(&value.chars().count());
            if fits && kept.len() < MAX_COPY_BUTTONS && !kept.iter().any(|(v, _)| *v == value) {
                kept.push((value, is_email));
            }
        }
        let button = |value: &str| Button::Copy {
            label: self.fill("copy_value", &[("value", value)]),
            text: value.to_string(),
        };
        let mut rows: Vec<Vec<Button>> = kept
            .iter()
            .filter(|(_, is_email)| *is_email)
            .map(|(v, _)| vec![button(v)])
            .collect();
        let phones: Vec<Button> = kept
            .iter()
            .filter(|(_, is_email)| !is_email)
            .map(|(v, _)| button(v))
            .collect();
        rows.extend(phones.chunks(3).map(<[Button]>::to_vec));
        rows
    }
}

/// The contacts of `kind`, a named person before a unit or mailbox (the order of the file
/// otherwise).
fn ordered(ministry: &Ministry, kind: ContactKind) -> Vec<&Contact> {
    let mut contacts: Vec<&Contact> = ministry
        .contacts
        .iter()
        .filter(|c| c.kind == kind)
        .collect();
    contacts.sort_by_key(|c| c.name.is_none());
    contacts
}

//! `ministries.toml`: the ministries, the policy areas each leads and their contacts.

use std::collections::HashMap;

use super::{Reader, Tbl};
use crate::content::{Area, Contact, Ministry, validate};
use crate::fold;

impl Reader<'_> {
    pub(super) fn ministries(&mut self, doc: Tbl) -> Vec<Ministry> {
        self.keys(doc, "", &["ministry"]);
        let today = crate::clock::today_in_latvia();
        let today = today.as_str();
        let ctx = "[[ministry]]";
        let mut out = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut area_ids: HashMap<String, usize> = HashMap::new();
        let mut abbrs: HashMap<String, usize> = HashMap::new();
        // normalised alias → (ministry abbreviation, line)
        let mut claims: HashMap<String, (String, usize)> = HashMap::new();
        for t in self.array(doc, "ministry", "") {
            self.keys(
                t,
                ctx,
                &[
                    "id",
                    "abbr",
                    "name",
                    "website",
                    "participation_page",
                    "aliases",
                    "note",
                    "sources",
                    "area",
                    "contact",
                ],
            );
            let id = self.id(t, ctx, "id");
            let abbr = self.string(t, ctx, "abbr");
            let name = self.text(t, ctx, "name");
            let website = self.opt_url(t, ctx, "website");
            let participation_page = self.opt_url(t, ctx, "participation_page");
            let aliases = self.strings_spanned(t, ctx, "aliases");
            let note = self.opt_text(t, ctx, "note");
            let sources = self.sources(t, ctx);
            if let Some(id) = &id {
                self.unique(&mut ids, id, t, "ministry");
            }
            if let Some(abbr) = &abbr {
                self.unique(&mut abbrs, &abbr.to_lowercase(), t, "ministry abbreviation");
            }
            let owner = abbr.clone().unwrap_or_default();
            // `abbreviation`: an area's alias in capitals (`VID`), matched only as the whole
            // query; its key cannot meet a phrase's (folding leaves no `=`), but it meets the
            // ministries' abbreviations and the other areas' ones.
            let mut claim = |reader: &mut Self, alias: &str, offset: usize, abbreviation: bool| {
                let key = if abbreviation {
                    format!("={}", alias.to_lowercase())
                } else {
                    fold::phrase_key(alias)
                };
                let line = reader.line(offset);
                if key.is_empty() {
                    reader.problem(line, format!("alias '{alias}' has no letters or digits"));
                    return;
                }
                match claims.get(&key) {
                    Some((other, first)) if *other != owner => reader.problem(
                        line,
                        format!(
                            "alias '{alias}' is claimed by both {other} (line {first}) and {owner}"
                        ),
                    ),
                    Some(_) => {}
                    None => {
                        claims.insert(key, (owner.clone(), line));
                    }
                }
            };
            if let Some(name) = &name {
                let offset = t.start;
                claim(self, &name.lv, offset, false);
                claim(self, &name.en, offset, false);
            }
            if let Some(abbr) = &abbr {
                claim(self, abbr, t.start, true);
            }
            for (alias, offset) in &aliases {
                claim(self, alias, *offset, false);
            }

            let mut areas = Vec::new();
            let actx = "[[ministry.area]]";
            for a in self.array(t, "area", ctx) {
                self.keys(a, actx, &["id", "name", "aliases", "note", "sources"]);
                let area_id = self.id(a, actx, "id");
                let area_name = self.text(a, actx, "name");
                let area_aliases = self.strings_spanned(a, actx, "aliases");
                let area_note = self.opt_text(a, actx, "note");
                let area_sources = self.sources(a, actx);
                if let Some(area_id) = &area_id {
                    self.unique(&mut area_ids, area_id, a, "area");
                }
                if let Some(n) = &area_name {
                    let offset = a.start;
                    claim(self, &n.lv, offset, false);
                    claim(self, &n.en, offset, false);
                }
                for (alias, offset) in &area_aliases {
                    claim(self, alias, *offset, fold::is_abbreviation(alias));
                }
                if let (Some(id), Some(name)) = (area_id, area_name) {
                    areas.push(Area {
                        id,
                        name,
                        aliases: area_aliases.into_iter().map(|(s, _)| s).collect(),
                        note: area_note,
                        sources: area_sources,
                        place: self.place(a.start),
                    });
                }
            }

            let mut contacts = Vec::new();
            let cctx = "[[ministry.contact]]";
            for c in self.array(t, "contact", ctx) {
                self.keys(
                    c,
                    cctx,
                    &[
                        "kind",
                        "name",
                        "unit",
                        "role",
                        "email",
                        "phone",
                        "address",
                        "source",
                        "source_date",
                        "verified",
                        // Rejected below with a message that names what replaced it.
                        "checked",
                    ],
                );
                if let Some(v) = c.get("checked") {
                    self.at(
                        v.span().start,
                        format!(
                            "{cctx}: 'checked' is no longer used: write the date the source page \
                             itself shows as 'source_date' (leave it out if the page shows none) \
                             and the day a person verified the entry against the live page as \
                             'verified' (only if someone really did)"
                        ),
                    );
                }
                let contact = Contact {
                    kind: self.kind(c, cctx).unwrap_or_default(),
                    name: self.opt_string(c, cctx, "name"),
                    unit: self.opt_text(c, cctx, "unit"),
                    role: self.opt_text(c, cctx, "role"),
                    email: self.opt_checked(c, cctx, "email", validate::email, "an e-mail address"),
                    phone: self.opt_checked(
                        c,
                        cctx,
                        "phone",
                        validate::phone,
                        "a phone number (8 digits, optionally after +371)",
                    ),
                    address: self.opt_string(c, cctx, "address"),
                    source: self.url(c, cctx, "source").unwrap_or_default(),
                    source_date: self.past_date(c, cctx, "source_date", today),
                    verified: self.past_date(c, cctx, "verified", today),
                    place: self.place(c.start),
                };
                if contact.email.is_none() && contact.phone.is_none() && contact.address.is_none() {
                    self.at(
                        c.start,
                        format!("{cctx}: a contact needs an email, a phone or an address"),
                    );
                }
                contacts.push(contact);
            }

            if let (Some(id), Some(abbr), Some(name)) = (id, abbr, name) {
                out.push(Ministry {
                    id,
                    abbr,
                    name,
                    website,
                    participation_page,
                    aliases: aliases.into_iter().map(|(s, _)| s).collect(),
                    note,
                    sources,
                    areas,
                    contacts,
                    place: self.place(t.start),
                });
            }
        }
        if out.is_empty() && self.problems.is_empty() {
            self.problem(1, "no [[ministry]] entries".into());
        }
        out
    }
}

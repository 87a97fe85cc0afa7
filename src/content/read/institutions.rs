//! `agencies.toml` (institutions under the ministries) and `bodies.toml` (state bodies no
//! ministry leads), and the checks that tie them to `ministries.toml`: an agency's ministry
//! exists, and no abbreviation or alias names two things.

use std::collections::HashMap;

use super::{Reader, Tbl};
use crate::content::{Agency, Body, Ministry};
use crate::fold;

/// The lookup key of a name: abbreviations apart from phrases (see `ministries`).
fn key(alias: &str, abbreviation: bool) -> String {
    if abbreviation {
        format!("={}", alias.to_lowercase())
    } else {
        fold::phrase_key(alias)
    }
}

/// Every key the ministries and their areas claim, with the ministry's abbreviation.
fn ministry_keys(ministries: &[Ministry]) -> HashMap<String, String> {
    let mut keys = HashMap::new();
    for m in ministries {
        keys.insert(key(&m.abbr, true), m.abbr.clone());
        for alias in [&m.name.lv, &m.name.en].into_iter().chain(&m.aliases) {
            keys.insert(key(alias, false), m.abbr.clone());
        }
        for a in &m.areas {
            for alias in [&a.name.lv, &a.name.en].into_iter().chain(&a.aliases) {
                keys.insert(key(alias, fold::is_abbreviation(alias)), m.abbr.clone());
            }
        }
    }
    keys
}

impl Reader<'_> {
    pub(super) fn agencies(&mut self, doc: Tbl) -> Vec<Agency> {
        self.keys(doc, "", &["agency"]);
        let ctx = "[[agency]]";
        let mut out = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        for t in self.array(doc, "agency", "") {
            self.keys(
                t,
                ctx,
                &[
                    "id",
                    "abbr",
                    "name",
                    "ministry",
                    "website",
                    "business",
                    "note",
                    "aliases",
                    "sources",
                    "source_quote",
                ],
            );
            let id = self.id(t, ctx, "id");
            let abbr = self.string(t, ctx, "abbr");
            let name = self.text(t, ctx, "name");
            let ministry = self.id(t, ctx, "ministry");
            let website = self.opt_url(t, ctx, "website");
            let business = self.text(t, ctx, "business");
            let note = self.opt_text(t, ctx, "note");
            let aliases = self.strings(t, ctx, "aliases");
            let sources = self.sources(t, ctx);
            // The words of the source that say so, for whoever checks the record.
            let _ = self.opt_string(t, ctx, "source_quote");
            if let Some(id) = &id {
                self.unique(&mut ids, id, t, "agency");
            }
            if let Some(abbr) = &abbr
                && !fold::is_abbreviation(abbr)
            {
                self.at(
                    t.start,
                    format!("{ctx}: abbr '{abbr}' is not an abbreviation (2-8 capitals or digits)"),
                );
            }
            if let (Some(id), Some(abbr), Some(name), Some(ministry), Some(business)) =
                (id, abbr, name, ministry, business)
                && !sources.is_empty()
            {
                out.push(Agency {
                    id,
                    abbr,
                    name,
                    ministry,
                    website,
                    business,
                    note,
                    aliases,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        out
    }

    pub(super) fn bodies(&mut self, doc: Tbl) -> Vec<Body> {
        self.keys(doc, "", &["body"]);
        let ctx = "[[body]]";
        let mut out = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        for t in self.array(doc, "body", "") {
            self.keys(
                t,
                ctx,
                &[
                    "id", "name", "what", "where", "website", "aliases", "sources",
                ],
            );
            let id = self.id(t, ctx, "id");
            let name = self.text(t, ctx, "name");
            let what = self.text(t, ctx, "what");
            let turn = self.text(t, ctx, "where");
            let website = self.opt_url(t, ctx, "website");
            let aliases = self.strings(t, ctx, "aliases");
            let sources = self.sources(t, ctx);
            if let Some(id) = &id {
                self.unique(&mut ids, id, t, "body");
            }
            if let (Some(id), Some(name), Some(what), Some(turn)) = (id, name, what, turn)
                && !sources.is_empty()
            {
                out.push(Body {
                    id,
                    name,
                    what,
                    turn,
                    website,
                    aliases,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        out
    }

    /// Each agency's ministry exists; no abbreviation or alias of an agency is one of a
    /// ministry, an area or another agency.
    pub(super) fn agency_references(&mut self, agencies: &[Agency], ministries: &[Ministry]) {
        let taken = ministry_keys(ministries);
        let mut claims: HashMap<String, (String, usize)> = HashMap::new();
        for agency in agencies {
            let line = agency.place.line;
            if !ministries.iter().any(|m| m.id == agency.ministry) {
                self.problem(
                    line,
                    format!(
                        "agency '{}': ministry '{}' is not in ministries.toml",
                        agency.id, agency.ministry
                    ),
                );
            }
            let names = std::iter::once((agency.abbr.as_str(), true)).chain(
                [&agency.name.lv, &agency.name.en]
                    .into_iter()
                    .chain(&agency.aliases)
                    .map(|a| (a.as_str(), fold::is_abbreviation(a))),
            );
            for (alias, abbreviation) in names {
                let k = key(alias, abbreviation);
                if k.is_empty() || k == "=" {
                    self.problem(line, format!("alias '{alias}' has no letters or digits"));
                    continue;
                }
                if let Some(owner) = taken.get(&k) {
                    self.problem(
                        line,
                        format!(
                            "agency '{}': '{alias}' is already a name of {owner} in ministries.toml",
                            agency.id
                        ),
                    );
                }
                match claims.get(&k) {
                    Some((other, first)) if *other != agency.id => self.problem(
                        line,
                        format!(
                            "'{alias}' is claimed by both agency {other} (line {first}) and {}",
                            agency.id
                        ),
                    ),
                    Some(_) => {}
                    None => {
                        claims.insert(k, (agency.id.clone(), line));
                    }
                }
            }
        }
    }

    /// No name of a body is one of a ministry, an area, an agency or another body.
    pub(super) fn body_references(
        &mut self,
        bodies: &[Body],
        ministries: &[Ministry],
        agencies: &[Agency],
    ) {
        let mut taken = ministry_keys(ministries);
        for agency in agencies {
            taken.insert(key(&agency.abbr, true), agency.abbr.clone());
            for alias in [&agency.name.lv, &agency.name.en]
                .into_iter()
                .chain(&agency.aliases)
            {
                taken.insert(
                    key(alias, fold::is_abbreviation(alias)),
                    agency.abbr.clone(),
                );
            }
        }
        let mut claims: HashMap<String, String> = HashMap::new();
        for body in bodies {
            let line = body.place.line;
            for alias in [&body.name.lv, &body.name.en]
                .into_iter()
                .chain(&body.aliases)
            {
                let k = key(alias, fold::is_abbreviation(alias));
                if k.is_empty() || k == "=" {
                    self.problem(line, format!("alias '{alias}' has no letters or digits"));
                    continue;
                }
                if let Some(owner) = taken.get(&k) {
                    self.problem(
                        line,
                        format!("body '{}': '{alias}' is already a name of {owner}", body.id),
                    );
                }
                match claims.get(&k) {
                    Some(other) if *other != body.id => self.problem(
                        line,
                        format!("'{alias}' is claimed by both body {other} and {}", body.id),
                    ),
                    Some(_) => {}
                    None => {
                        claims.insert(k, body.id.clone());
                    }
                }
            }
        }
    }
}

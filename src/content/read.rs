//! Reads the content TOML files with their spans, so that every problem names its `file:line`,
//! and collects all problems instead of stopping at the first.

use std::collections::HashMap;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::validate;
use super::{
    Area, Contact, ContactKind, Content, ContentErrors, Guidelines, Lesson, Meta, Ministry, Place,
    Problem, Resource, Section, Series, Specialists, Text,
};
use crate::fold;

/// Parses the files (`(shown path, text)` in [`super::FILES`] order) into validated content.
pub(super) fn parse_files(files: &[(String, String)]) -> Result<Content, ContentErrors> {
    let mut problems = Vec::new();
    let mut docs = Vec::new();
    for (file, text) in files {
        let (table, errors) = DeTable::parse_recoverable(text);
        let reader = Reader::new(file, text);
        for error in errors {
            let offset = error.span().map_or(0, |s| s.start);
            problems.push(Problem {
                file: file.clone(),
                line: reader.line(offset),
                message: format!("invalid TOML: {}", error.message().trim()),
            });
        }
        docs.push((reader, table));
    }
    if !problems.is_empty() {
        return Err(ContentErrors(problems));
    }
    let mut docs = docs.into_iter();
    let mut next = || docs.next().expect("one document per content file");
    let (mut meta_r, meta_t) = next();
    let (mut lessons_r, lessons_t) = next();
    let (mut guide_r, guide_t) = next();
    let (mut min_r, min_t) = next();
    let (mut spec_r, spec_t) = next();
    let (mut res_r, res_t) = next();
    let (mut ui_r, ui_t) = next();

    let meta = meta_r.meta(Tbl::document(&meta_t));
    let (series, lessons) = lessons_r.lessons(Tbl::document(&lessons_t));
    let guidelines = guide_r.guidelines(Tbl::document(&guide_t));
    let ministries = min_r.ministries(Tbl::document(&min_t));
    let specialists = spec_r.specialists(Tbl::document(&spec_t));
    let resources = res_r.resources(Tbl::document(&res_t));
    let ui = ui_r.ui(Tbl::document(&ui_t));

    // Cross-file checks: the references between files.
    let areas: HashMap<&str, &str> = ministries
        .iter()
        .flat_map(|m| m.areas.iter().map(move |a| (a.id.as_str(), m.id.as_str())))
        .collect();
    if let Some(meta) = &meta {
        if !ministries.iter().any(|m| m.id == meta.fallback) {
            meta_r.problem(
                meta_r.fallback_line,
                format!(
                    "fallback '{}' is not the id of any ministry in ministries.toml",
                    meta.fallback
                ),
            );
        } else if ministries
            .iter()
            .find(|m| m.id == meta.fallback)
            .is_some_and(|m| !m.contacts.iter().any(|c| c.kind == ContactKind::Ngo))
        {
            // The fallback's "ngo" contacts end every card of a ministry without one.
            meta_r.problem(
                meta_r.fallback_line,
                format!(
                    "fallback '{}' has no [[ministry.contact]] with kind = \"ngo\"",
                    meta.fallback
                ),
            );
        }
    }
    let lesson_lines = std::mem::take(&mut lessons_r.lesson_lines);
    // With problems in ministries.toml some areas were not read; a lesson pointing at one of
    // them would only repeat that problem.
    let ministries_read = min_r.problems.is_empty();
    for (lesson, line) in lessons.iter().zip(&lesson_lines) {
        if ministries_read && !areas.contains_key(lesson.area.as_str()) {
            lessons_r.problem(
                *line,
                format!(
                    "lesson {}: area '{}' is not defined in ministries.toml",
                    lesson.number, lesson.area
                ),
            );
        }
    }
    for key in crate::engine::i18n::KEYS {
        if !ui.iter().any(|(k, _)| k == key) {
            ui_r.problem(1, format!("missing UI string '{key}'"));
        }
    }

    for reader in [meta_r, lessons_r, guide_r, min_r, spec_r, res_r, ui_r] {
        problems.extend(reader.problems);
    }
    if !problems.is_empty() {
        return Err(ContentErrors(problems));
    }
    Ok(Content {
        meta: meta.expect("meta is present when there are no problems"),
        series: series.expect("series is present when there are no problems"),
        lessons,
        guidelines: guidelines.expect("guidelines are present when there are no problems"),
        ministries,
        specialists: specialists.expect("specialists are present when there are no problems"),
        resources,
        ui,
    })
}

/// Reads one file; every accessor records what is wrong and returns what it could read.
struct Reader<'a> {
    file: &'a str,
    line_starts: Vec<usize>,
    problems: Vec<Problem>,
    fallback_line: usize,
    lesson_lines: Vec<usize>,
}

impl<'a> Reader<'a> {
    fn new(file: &'a str, text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            file,
            line_starts,
            problems: Vec::new(),
            fallback_line: 1,
            lesson_lines: Vec::new(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// The place of a table that starts at `offset`.
    fn place(&self, offset: usize) -> Place {
        Place {
            file: self.file.to_string(),
            line: self.line(offset),
        }
    }

    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            line,
            message,
        });
    }

    fn at(&mut self, offset: usize, message: String) {
        let line = self.line(offset);
        self.problem(line, message);
    }

    // ---- files -------------------------------------------------------------------------

    fn meta(&mut self, doc: Tbl) -> Option<Meta> {
        self.keys(doc, "", &["source"]);
        let source = self.sub_table(doc, "source", "")?;
        let ctx = "[source]";
        self.keys(
            source,
            ctx,
            &["url", "name", "content_date", "about", "fallback"],
        );
        let source_url = self.url(source, ctx, "url");
        let source_name = self.text(source, ctx, "name");
        let content_date = self.date(source, ctx, "content_date");
        let about = self.text(source, ctx, "about");
        let fallback = self.id(source, ctx, "fallback");
        if let Some(value) = source.get("fallback") {
            self.fallback_line = self.line(value.span().start);
        }
        Some(Meta {
            source_url: source_url?,
            source_name: source_name?,
            content_date: content_date?,
            about: about?,
            fallback: fallback?,
        })
    }

    fn lessons(&mut self, doc: Tbl) -> (Option<Series>, Vec<Lesson>) {
        self.keys(doc, "", &["series", "lesson"]);
        let series = self.sub_table(doc, "series", "").and_then(|t| {
            let ctx = "[series]";
            self.keys(
                t,
                ctx,
                &[
                    "name",
                    "lecturer",
                    "guests",
                    "about",
                    "recordings",
                    "sources",
                ],
            );
            let name = self.string(t, ctx, "name");
            let lecturer = self.string(t, ctx, "lecturer");
            let guests = self.strings(t, ctx, "guests");
            let about = self.text(t, ctx, "about");
            let recordings = self.text(t, ctx, "recordings");
            let sources = self.sources(t, ctx);
            Some(Series {
                name: name?,
                lecturer: lecturer?,
                guests,
                about: about?,
                recordings: recordings?,
                sources,
            })
        });
        let mut lessons = Vec::new();
        let mut seen: HashMap<i64, usize> = HashMap::new();
        for t in self.array(doc, "lesson", "") {
            let line = self.line(t.start);
            let ctx = "[[lesson]]";
            self.keys(
                t,
                ctx,
                &[
                    "number", "area", "title", "learn", "date", "guest", "video", "sources",
                ],
            );
            let number = self.integer(t, ctx, "number", 1, 99);
            if let Some(n) = number
                && let Some(first) = seen.insert(n, line)
            {
                self.problem(
                    line,
                    format!("duplicate lesson number {n} (first at line {first})"),
                );
            }
            let area = self.id(t, ctx, "area");
            let title = self.text(t, ctx, "title");
            let learn = self.text(t, ctx, "learn");
            let date = self.opt_date(t, ctx, "date");
            let guest = self.opt_string(t, ctx, "guest");
            let video = self.opt_url(t, ctx, "video");
            let sources = self.sources(t, ctx);
            if let (Some(number), Some(area), Some(title), Some(learn)) =
                (number, area, title, learn)
            {
                self.lesson_lines.push(line);
                lessons.push(Lesson {
                    number: u8::try_from(number).unwrap_or(u8::MAX),
                    area,
                    title,
                    learn,
                    date,
                    guest,
                    video,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        if lessons.is_empty() && self.problems.is_empty() {
            self.problem(1, "no [[lesson]] entries".into());
        }
        (series, lessons)
    }

    fn guidelines(&mut self, doc: Tbl) -> Option<Guidelines> {
        self.keys(doc, "", &["guidelines", "section"]);
        let head = self.sub_table(doc, "guidelines", "");
        let sections = self.sections(doc, "section");
        let head = head?;
        let ctx = "[guidelines]";
        self.keys(head, ctx, &["title", "intro", "sources"]);
        let title = self.text(head, ctx, "title");
        let intro = self.text(head, ctx, "intro");
        let sources = self.sources(head, ctx);
        Some(Guidelines {
            title: title?,
            intro: intro?,
            sources,
            sections,
        })
    }

    fn specialists(&mut self, doc: Tbl) -> Option<Specialists> {
        self.keys(doc, "", &["specialists", "tip"]);
        let head = self.sub_table(doc, "specialists", "");
        let tips = self.sections(doc, "tip");
        let head = head?;
        let ctx = "[specialists]";
        self.keys(head, ctx, &["title", "sources"]);
        let title = self.text(head, ctx, "title");
        let sources = self.sources(head, ctx);
        Some(Specialists {
            title: title?,
            sources,
            tips,
        })
    }

    fn sections(&mut self, doc: Tbl, key: &str) -> Vec<Section> {
        let ctx = format!("[[{key}]]");
        let mut out = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for t in self.array(doc, key, "") {
            self.keys(t, &ctx, &["id", "title", "body", "sources"]);
            let id = self.id(t, &ctx, "id");
            let title = self.text(t, &ctx, "title");
            let body = self.text(t, &ctx, "body");
            let sources = self.sources(t, &ctx);
            if let Some(id) = &id {
                self.unique(&mut seen, id, t, key);
            }
            if let (Some(id), Some(title), Some(body)) = (id, title, body) {
                out.push(Section {
                    id,
                    title,
                    body,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        if out.is_empty() && self.problems.is_empty() {
            self.problem(1, format!("no [[{key}]] entries"));
        }
        out
    }

    fn resources(&mut self, doc: Tbl) -> Vec<Resource> {
        self.keys(doc, "", &["resource"]);
        let ctx = "[[resource]]";
        let mut out = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for t in self.array(doc, "resource", "") {
            self.keys(t, ctx, &["id", "title", "description", "url", "sources"]);
            let id = self.id(t, ctx, "id");
            let title = self.text(t, ctx, "title");
            let description = self.text(t, ctx, "description");
            let url = self.url(t, ctx, "url");
            let sources = self.sources(t, ctx);
            if let Some(id) = &id {
                self.unique(&mut seen, id, t, "resource");
            }
            if let (Some(id), Some(title), Some(description), Some(url)) =
                (id, title, description, url)
            {
                out.push(Resource {
                    id,
                    title,
                    description,
                    url,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        out
    }

    fn ministries(&mut self, doc: Tbl) -> Vec<Ministry> {
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
            let mut claim = |reader: &mut Self, alias: &str, offset: usize| {
                let key = fold::phrase_key(alias);
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
                claim(self, &name.lv, offset);
                claim(self, &name.en, offset);
            }
            for (alias, offset) in &aliases {
                claim(self, alias, *offset);
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
                    claim(self, &n.lv, offset);
                    claim(self, &n.en, offset);
                }
                for (alias, offset) in &area_aliases {
                    claim(self, alias, *offset);
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

    fn ui(&mut self, doc: Tbl) -> Vec<(String, Text)> {
        let mut out = Vec::new();
        for (key, value) in doc.map.iter() {
            let key = key.get_ref().to_string();
            let ctx = format!("[{key}]");
            match value.get_ref() {
                DeValue::Table(_) => {
                    if let Some(text) = self.text_value(value, &ctx, &key) {
                        out.push((key, text));
                    }
                }
                other => self.at(
                    value.span().start,
                    format!(
                        "'{key}' must be a table with 'lv' and 'en', not a {}",
                        other.type_str()
                    ),
                ),
            }
        }
        out
    }

    // ---- fields ------------------------------------------------------------------------

    /// Reports keys of `t` that are not in `allowed` (a typo would otherwise be ignored).
    fn keys(&mut self, t: Tbl, ctx: &str, allowed: &[&str]) {
        for (key, _) in t.map.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                let at = if ctx.is_empty() {
                    String::new()
                } else {
                    format!("{ctx}: ")
                };
                self.at(
                    key.span().start,
                    format!(
                        "{at}unknown field '{}' (expected one of: {})",
                        key.get_ref(),
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn missing(&mut self, t: Tbl, ctx: &str, key: &str) {
        let what = if ctx.is_empty() {
            format!("missing required table [{key}]")
        } else {
            format!("{ctx}: missing required field '{key}'")
        };
        self.at(t.start, what);
    }

    fn sub_table<'t, 'i>(&mut self, t: Tbl<'t, 'i>, key: &str, ctx: &str) -> Option<Tbl<'t, 'i>> {
        match t.get(key) {
            None => {
                self.missing(t, ctx, key);
                None
            }
            Some(v) if v.get_ref().is_table() => Tbl::of(v),
            Some(v) => {
                self.at(v.span().start, format!("'{key}' must be a table"));
                None
            }
        }
    }

    fn array<'t, 'i>(&mut self, t: Tbl<'t, 'i>, key: &str, ctx: &str) -> Vec<Tbl<'t, 'i>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            let at = if ctx.is_empty() { "" } else { ctx };
            self.at(
                v.span().start,
                format!("{at} '{key}' must be written as [[{key}]] tables")
                    .trim()
                    .to_string(),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            if let Some(table) = Tbl::of(item) {
                out.push(table);
            } else {
                self.at(
                    item.span().start,
                    format!("each '{key}' entry must be a table"),
                );
            }
        }
        out
    }

    fn raw_string(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        required: bool,
    ) -> Option<(String, usize)> {
        match t.get(key) {
            None => {
                if required {
                    self.missing(t, ctx, key);
                }
                None
            }
            Some(v) => match v.get_ref().as_str() {
                Some(s) if s.trim().is_empty() => {
                    self.at(v.span().start, format!("{ctx}: '{key}' is empty"));
                    None
                }
                Some(s) => Some((s.to_string(), v.span().start)),
                None => {
                    self.at(
                        v.span().start,
                        format!(
                            "{ctx}: '{key}' must be a string, not a {}",
                            v.get_ref().type_str()
                        ),
                    );
                    None
                }
            },
        }
    }

    fn string(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.raw_string(t, ctx, key, true).map(|(s, _)| s)
    }

    fn opt_string(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.raw_string(t, ctx, key, false).map(|(s, _)| s)
    }

    fn checked(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        required: bool,
        valid: fn(&str) -> bool,
        what: &str,
    ) -> Option<String> {
        let (value, offset) = self.raw_string(t, ctx, key, required)?;
        if valid(&value) {
            Some(value)
        } else {
            self.at(offset, format!("{ctx}: '{key}' = '{value}' is not {what}"));
            None
        }
    }

    fn opt_checked(
        &mut self,
        t: Tbl,
        ctx: &str,
        key: &str,
        valid: fn(&str) -> bool,
        what: &str,
    ) -> Option<String> {
        self.checked(t, ctx, key, false, valid, what)
    }

    fn id(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.checked(
            t,
            ctx,
            key,
            true,
            validate::id,
            "a valid id (1–24 of a-z, 0-9, _)",
        )
    }

    fn url(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.checked(
            t,
            ctx,
            key,
            true,
            validate::url,
            "a valid https:// or tg:// URL",
        )
    }

    fn opt_url(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.opt_checked(t, ctx, key, validate::url, "a valid https:// or tg:// URL")
    }

    fn date(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.checked(
            t,
            ctx,
            key,
            true,
            validate::date,
            "a date written YYYY-MM-DD",
        )
    }

    fn opt_date(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<String> {
        self.opt_checked(t, ctx, key, validate::date, "a date written YYYY-MM-DD")
    }

    /// An optional date that is not in the future (`today` is today's date in Latvia).
    fn past_date(&mut self, t: Tbl, ctx: &str, key: &str, today: &str) -> Option<String> {
        let date = self.opt_date(t, ctx, key)?;
        if date.as_str() > today {
            if let Some(v) = t.get(key) {
                self.at(
                    v.span().start,
                    format!("{ctx}: '{key}' = '{date}' is in the future (today is {today})"),
                );
            }
            return None;
        }
        Some(date)
    }

    /// `kind = "ngo" | "general"`: required.
    fn kind(&mut self, t: Tbl, ctx: &str) -> Option<ContactKind> {
        const WHAT: &str = "\"ngo\" (designated by the ministry for cooperation with NGOs) or \
                            \"general\" (the ministry's general contact)";
        if t.get("kind").is_none() {
            self.at(
                t.start,
                format!("{ctx}: missing required field 'kind': {WHAT}"),
            );
            return None;
        }
        let (value, offset) = self.raw_string(t, ctx, "kind", true)?;
        let kind = ContactKind::parse(&value);
        if kind.is_none() {
            self.at(offset, format!("{ctx}: 'kind' = '{value}' is not {WHAT}"));
        }
        kind
    }

    fn integer(&mut self, t: Tbl, ctx: &str, key: &str, min: i64, max: i64) -> Option<i64> {
        let Some(v) = t.get(key) else {
            self.missing(t, ctx, key);
            return None;
        };
        let n = v
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok());
        match n {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.at(
                    v.span().start,
                    format!("{ctx}: '{key}' must be a whole number from {min} to {max}"),
                );
                None
            }
        }
    }

    fn strings_spanned(&mut self, t: Tbl, ctx: &str, key: &str) -> Vec<(String, usize)> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            self.at(
                v.span().start,
                format!("{ctx}: '{key}' must be a list of strings"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) if !s.trim().is_empty() => out.push((s.to_string(), item.span().start)),
                _ => self.at(
                    item.span().start,
                    format!("{ctx}: every entry of '{key}' must be a non-empty string"),
                ),
            }
        }
        out
    }

    fn strings(&mut self, t: Tbl, ctx: &str, key: &str) -> Vec<String> {
        self.strings_spanned(t, ctx, key)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// `sources = [...]`: required, at least one valid URL.
    fn sources(&mut self, t: Tbl, ctx: &str) -> Vec<String> {
        if t.get("sources").is_none() {
            self.missing(t, ctx, "sources");
            return Vec::new();
        }
        let list = self.strings_spanned(t, ctx, "sources");
        if list.is_empty() {
            self.at(t.start, format!("{ctx}: 'sources' needs at least one URL"));
        }
        list.into_iter()
            .filter_map(|(url, offset)| {
                if validate::url(&url) {
                    Some(url)
                } else {
                    self.at(
                        offset,
                        format!("{ctx}: source '{url}' is not a valid https:// URL"),
                    );
                    None
                }
            })
            .collect()
    }

    fn text(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<Text> {
        match t.get(key) {
            None => {
                self.missing(t, ctx, key);
                None
            }
            Some(v) => self.text_value(v, ctx, key),
        }
    }

    fn opt_text(&mut self, t: Tbl, ctx: &str, key: &str) -> Option<Text> {
        let v = t.get(key)?;
        self.text_value(v, ctx, key)
    }

    /// A translated text: a table with non-empty `lv` and `en` strings that fit a message.
    fn text_value(&mut self, v: &Spanned<DeValue>, ctx: &str, key: &str) -> Option<Text> {
        let Some(table) = v.get_ref().as_table() else {
            self.at(
                v.span().start,
                format!(
                    "{ctx}: '{key}' must have a Latvian and an English text ({key}.lv, {key}.en)"
                ),
            );
            return None;
        };
        let mut text = Text::default();
        let mut ok = true;
        for (name, lang) in [("lv", "Latvian"), ("en", "English")] {
            match table.get(name) {
                None => {
                    self.at(
                        v.span().start,
                        format!("{ctx}: missing {lang} translation '{key}.{name}'"),
                    );
                    ok = false;
                }
                Some(s) => match s.get_ref().as_str() {
                    Some(value) if !value.trim().is_empty() => {
                        let units = value.encode_utf16().count();
                        if units > super::MAX_TEXT_UTF16 {
                            self.at(
                                s.span().start,
                                format!(
                                    "{ctx}: '{key}.{name}' is {units} UTF-16 units long; at most {} fit one Telegram message with the rest of the card",
                                    super::MAX_TEXT_UTF16
                                ),
                            );
                            ok = false;
                        }
                        let value = value.trim().to_string();
                        if name == "lv" {
                            text.lv = value;
                        } else {
                            text.en = value;
                        }
                    }
                    _ => {
                        self.at(
                            s.span().start,
                            format!("{ctx}: '{key}.{name}' must be a non-empty string"),
                        );
                        ok = false;
                    }
                },
            }
        }
        for (name, _) in table.iter() {
            if !matches!(name.get_ref().as_ref(), "lv" | "en") {
                self.at(
                    name.span().start,
                    format!(
                        "{ctx}: unknown language '{key}.{}' (expected lv and en)",
                        name.get_ref()
                    ),
                );
            }
        }
        ok.then_some(text)
    }

    fn unique(&mut self, seen: &mut HashMap<String, usize>, id: &str, t: Tbl, what: &str) {
        let line = self.line(t.start);
        if let Some(first) = seen.get(id) {
            let first = *first;
            self.problem(
                line,
                format!("duplicate {what} id '{id}' (first at line {first})"),
            );
        } else {
            seen.insert(id.to_string(), line);
        }
    }
}

/// A table of a content file and where it starts, whether it is the document itself, a
/// `[table]` or one `[[entry]]` of an array.
#[derive(Clone, Copy)]
struct Tbl<'t, 'i> {
    map: &'t DeTable<'i>,
    start: usize,
}

impl<'t, 'i> Tbl<'t, 'i> {
    fn document(doc: &'t Spanned<DeTable<'i>>) -> Self {
        Self {
            map: doc.get_ref(),
            start: 0,
        }
    }

    fn of(value: &'t Spanned<DeValue<'i>>) -> Option<Self> {
        value.get_ref().as_table().map(|map| Self {
            map,
            start: value.span().start,
        })
    }

    fn get(&self, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.map.get(key)
    }
}

//! Reads the content TOML files with their spans, so that every problem names its `file:line`,
//! and collects all problems instead of stopping at the first.
//!
//! This file holds the [`Reader`] itself and the checks across files (a lesson's area, the
//! fallback ministry, the UI keys); each content file has its own module (`meta` with `ui`,
//! `lessons`, `sections` for the guidelines and the specialists' tips, `ministries`,
//! `resources`, `tap`), and `fields` the accessors for single values that all of them share.

use std::collections::HashMap;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{ContactKind, Content, ContentErrors, Place, Problem};

mod fields;
mod institutions;
mod lessons;
mod meta;
mod ministries;
mod resources;
mod sections;
mod tap;

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
    let (mut tap_r, tap_t) = next();
    let (mut agency_r, agency_t) = next();
    let (mut body_r, body_t) = next();

    let meta = meta_r.meta(Tbl::document(&meta_t));
    let (series, lessons) = lessons_r.lessons(Tbl::document(&lessons_t));
    let guidelines = guide_r.guidelines(Tbl::document(&guide_t));
    let ministries = min_r.ministries(Tbl::document(&min_t));
    let specialists = spec_r.specialists(Tbl::document(&spec_t));
    let resources = res_r.resources(Tbl::document(&res_t));
    let ui = ui_r.ui(Tbl::document(&ui_t));
    let (tap, tap_lines) = tap_r.tap(Tbl::document(&tap_t));
    let agencies = agency_r.agencies(Tbl::document(&agency_t));
    let bodies = body_r.bodies(Tbl::document(&body_t));

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
            // The State Chancellery's entry keeps its own "ngo" contact (no card shows it as
            // a fallback any more: docs/content-schema.md, "Cards").
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
    if ministries_read {
        tap_r.tap_references(&tap, &tap_lines, &ministries);
        agency_r.agency_references(&agencies, &ministries);
        body_r.body_references(&bodies, &ministries, &agencies);
    }
    for key in super::ui::KEYS {
        if !ui.iter().any(|(k, _)| k == key) {
            ui_r.problem(1, format!("missing UI string '{key}'"));
        }
    }

    for reader in [
        meta_r, lessons_r, guide_r, min_r, spec_r, res_r, ui_r, tap_r, agency_r, body_r,
    ] {
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
        tap,
        agencies,
        bodies,
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

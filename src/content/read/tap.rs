//! `tap.toml`: TAP's policy areas and institution names mapped to the content's (see
//! [`crate::content::tap`]). What refers into `ministries.toml` is checked in `mod.rs`
//! ([`Reader::tap_references`]).

use std::collections::{HashMap, HashSet};

use super::{Reader, Tbl};
use crate::content::Ministry;
use crate::content::tap::{TapArea, TapMap, TapMinistry, name_key};

/// The lines of what `tap.toml` refers to, for the checks across files.
#[derive(Default)]
pub(super) struct TapLines {
    /// Per `[[area]]`: the line of each id in `areas`.
    areas: Vec<Vec<usize>>,
    /// Per `[[ministry]]`: the line of its `ministry` and of its `tap`.
    ministries: Vec<(usize, usize)>,
}

impl Reader<'_> {
    pub(super) fn tap(&mut self, doc: Tbl) -> (TapMap, TapLines) {
        self.keys(doc, "", &["area", "ministry"]);
        let mut map = TapMap::default();
        let mut lines = TapLines::default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let ctx = "[[area]]";
        for t in self.array(doc, "area", "") {
            self.keys(t, ctx, &["tap", "areas", "source"]);
            let tap = self.string(t, ctx, "tap");
            let areas = self.strings_spanned(t, ctx, "areas");
            let source = self.url(t, ctx, "source");
            match t.get("areas") {
                None => self.missing(t, ctx, "areas"),
                Some(v) if areas.is_empty() && v.get_ref().as_array().is_some() => self.at(
                    v.span().start,
                    format!(
                        "{ctx}: 'areas' lists no area (name at least one id of ministries.toml)"
                    ),
                ),
                Some(_) => {}
            }
            if let Some(tap) = &tap {
                self.once(&mut seen, tap, t, "TAP policy area");
            }
            if let (Some(tap), Some(source)) = (tap, source) {
                lines
                    .areas
                    .push(areas.iter().map(|(_, at)| self.line(*at)).collect());
                map.areas.push(TapArea {
                    tap,
                    areas: areas.into_iter().map(|(id, _)| id).collect(),
                    source,
                    place: self.place(t.start),
                });
            }
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        let ctx = "[[ministry]]";
        for t in self.array(doc, "ministry", "") {
            self.keys(t, ctx, &["tap", "ministry", "source"]);
            let tap = self.string(t, ctx, "tap");
            let ministry = self.id(t, ctx, "ministry");
            let source = self.url(t, ctx, "source");
            if let Some(tap) = &tap {
                self.once(&mut seen, tap, t, "TAP institution name");
            }
            if let (Some(tap), Some(ministry), Some(source)) = (tap, ministry, source) {
                let line_of = |key: &str| t.get(key).map_or(t.start, |v| v.span().start);
                lines
                    .ministries
                    .push((self.line(line_of("ministry")), self.line(line_of("tap"))));
                map.ministries.push(TapMinistry {
                    tap,
                    ministry,
                    source,
                    place: self.place(t.start),
                });
            }
        }
        (map, lines)
    }

    /// `name` may be written once per table (compared as [`name_key`] does).
    fn once(&mut self, seen: &mut HashMap<String, usize>, name: &str, t: Tbl, what: &str) {
        let line = self.line(t.start);
        match seen.get(&name_key(name)) {
            Some(first) => {
                let first = *first;
                self.problem(
                    line,
                    format!("{what} '{name}' is written twice (first at line {first})"),
                );
            }
            None => {
                seen.insert(name_key(name), line);
            }
        }
    }

    /// The checks of `tap.toml` against `ministries.toml`: every area and ministry it names
    /// exists, and no `[[ministry]]` repeats a name that is already a ministry's `name.lv`.
    pub(super) fn tap_references(
        &mut self,
        map: &TapMap,
        lines: &TapLines,
        ministries: &[Ministry],
    ) {
        let areas: HashSet<&str> = ministries
            .iter()
            .flat_map(|m| m.areas.iter().map(|a| a.id.as_str()))
            .collect();
        for (entry, lines) in map.areas.iter().zip(&lines.areas) {
            for (id, line) in entry.areas.iter().zip(lines) {
                if !areas.contains(id.as_str()) {
                    self.problem(
                        *line,
                        format!(
                            "[[area]] '{}': area '{id}' is not defined in ministries.toml",
                            entry.tap
                        ),
                    );
                }
            }
        }
        for (entry, (ministry_line, tap_line)) in map.ministries.iter().zip(&lines.ministries) {
            if !ministries.iter().any(|m| m.id == entry.ministry) {
                self.problem(
                    *ministry_line,
                    format!(
                        "[[ministry]] '{}': ministry '{}' is not defined in ministries.toml",
                        entry.tap, entry.ministry
                    ),
                );
            }
            if let Some(m) = ministries
                .iter()
                .find(|m| name_key(&m.name.lv) == name_key(&entry.tap))
            {
                self.problem(
                    *tap_line,
                    format!(
                        "[[ministry]] '{}' is already the name of ministry '{}' in \
                         ministries.toml, which TAP's names are matched with anyway: remove \
                         this entry",
                        entry.tap, m.id
                    ),
                );
            }
        }
    }
}

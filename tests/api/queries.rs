//! The query table: real queries in Latvian and English with the answer the lookup must give
//! (`queries.tsv` beside this file), grouped by class (`#: class` lines). Every row is run and
//! every mismatch is listed, so one run shows all that is wrong; the table grows by adding
//! lines to the data file.

use std::collections::{BTreeMap, BTreeSet};

use lidzdaliba_bot::engine::lookup::{Found, Institution, Lookup, Target};

use crate::helpers::spawn_engine;

/// The table, compiled in so the test needs no path at run time.
const TABLE: &str = include_str!("queries.tsv");

/// What a row expects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    /// One area or ministry.
    One(Target),
    /// A choice between these targets, in any order.
    Choice(Vec<Target>),
    /// Nothing.
    Nothing,
    /// The agency of this id: its ministry's card, headed by the agency.
    Agency(String),
    /// The body of this id, which no ministry leads: its own card.
    Body(String),
}

/// The classes the table must have, and at least how many rows each.
const CLASSES: &[(&str, usize)] = &[
    ("inflected", 20),
    ("english", 20),
    ("typos", 15),
    ("agencies", 20),
    ("phrases", 15),
    ("real words", 15),
    ("not a ministry", 10),
    ("questions", 15),
    ("nothing", 15),
];

/// One row of the table, with its line for the failure message.
#[derive(Debug)]
struct Row {
    line: usize,
    query: String,
    expected: Expected,
    class: String,
}

/// `ministry/area` or `ministry`.
fn target(text: &str) -> Target {
    let text = text.trim();
    match text.split_once('/') {
        Some((ministry, area)) => Target {
            ministry: ministry.to_string(),
            area: Some(area.to_string()),
        },
        None => Target {
            ministry: text.to_string(),
            area: None,
        },
    }
}

/// Parses the table; a malformed line is a failure of the table itself.
fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut class = String::new();
    for (i, line) in TABLE.lines().enumerate() {
        let line_no = i + 1;
        if let Some(name) = line.strip_prefix("#:") {
            class = name.trim().to_string();
            continue;
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (query, expected) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("queries.tsv:{line_no}: no tab between query and answer"));
        let expected = expected.trim();
        assert!(
            !expected.is_empty(),
            "queries.tsv:{line_no}: no expected answer"
        );
        let expected = if expected == "-" {
            Expected::Nothing
        } else if let Some(id) = expected.strip_prefix('@') {
            Expected::Agency(id.to_string())
        } else if let Some(id) = expected.strip_prefix('!') {
            Expected::Body(id.to_string())
        } else if expected.contains('|') {
            let mut targets: Vec<Target> = expected.split('|').map(target).collect();
            targets.sort_by(|a, b| (&a.ministry, &a.area).cmp(&(&b.ministry, &b.area)));
            Expected::Choice(targets)
        } else {
            Expected::One(target(expected))
        };
        rows.push(Row {
            line: line_no,
            query: query.to_string(),
            expected,
            class: class.clone(),
        });
    }
    rows
}

/// Whether `lookup` is what `expected` asks for; `agencies` maps an agency to its ministry.
fn matches(lookup: &Lookup, expected: &Expected, agencies: &BTreeMap<String, String>) -> bool {
    let found = &lookup.found;
    match expected {
        Expected::Agency(id) => {
            return lookup.institution == Some(Institution::Agency(id.clone()))
                && agencies.get(id).is_some_and(|ministry| {
                    *found
                        == Found::One(Target {
                            ministry: ministry.clone(),
                            area: None,
                        })
                });
        }
        Expected::Body(id) => {
            return lookup.institution == Some(Institution::Body(id.clone()))
                && matches!(found, Found::Nothing(_));
        }
        _ if lookup.institution.is_some() => return false,
        _ => {}
    }
    match (found, expected) {
        (Found::One(t), Expected::One(e)) => t == e,
        (Found::Choice(ts), Expected::Choice(es)) => {
            let mut ts = ts.clone();
            ts.sort_by(|a, b| (&a.ministry, &a.area).cmp(&(&b.ministry, &b.area)));
            &ts == es
        }
        (Found::Nothing(_), Expected::Nothing) => true,
        _ => false,
    }
}

#[tokio::test]
async fn every_query_of_the_table_finds_its_ministry_and_area() {
    let app = spawn_engine().await;
    let rows = rows();
    assert!(rows.len() >= 300, "the table has only {} rows", rows.len());
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &rows {
        *counts.entry(row.class.as_str()).or_default() += 1;
    }
    for (class, least) in CLASSES {
        let n = counts.get(class).copied().unwrap_or(0);
        assert!(
            n >= *least,
            "class {class:?} has {n} rows, fewer than {least}"
        );
    }
    eprintln!("query table: {} rows, by class {counts:?}", rows.len());

    // The table names only ministries and areas that exist, and covers every ministry.
    let ministries = app.ministries().await;
    let known: BTreeSet<(String, Option<String>)> = ministries
        .iter()
        .flat_map(|m| {
            std::iter::once((m.id.clone(), None))
                .chain(m.areas.iter().map(|a| (m.id.clone(), Some(a.id.clone()))))
        })
        .collect();
    let mut covered = BTreeSet::new();
    for row in &rows {
        let targets = match &row.expected {
            Expected::One(t) => vec![t.clone()],
            Expected::Choice(ts) => ts.clone(),
            Expected::Nothing | Expected::Agency(_) | Expected::Body(_) => Vec::new(),
        };
        for t in targets {
            assert!(
                known.contains(&(t.ministry.clone(), t.area.clone())),
                "queries.tsv:{}: no such ministry/area {}/{}",
                row.line,
                t.ministry,
                t.area.as_deref().unwrap_or("")
            );
            covered.insert(t.ministry);
        }
    }
    let missing: Vec<&str> = ministries
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| !covered.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no query for {missing:?}");

    // The agencies and bodies named exist.
    let content = app.content().await;
    let agencies: BTreeMap<String, String> = content
        .agencies
        .iter()
        .map(|a| (a.id.clone(), a.ministry.clone()))
        .collect();
    for row in &rows {
        match &row.expected {
            Expected::Agency(id) => assert!(
                agencies.contains_key(id),
                "queries.tsv:{}: no such agency {id}",
                row.line
            ),
            Expected::Body(id) => assert!(
                content.bodies.iter().any(|b| &b.id == id),
                "queries.tsv:{}: no such body {id}",
                row.line
            ),
            _ => {}
        }
    }

    // Every row is looked up; all mismatches are reported together.
    let index = app.index().await;
    let mismatches: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let found = index.lookup(&row.query);
            (!matches(&found, &row.expected, &agencies)).then(|| {
                format!(
                    "queries.tsv:{}: {:?}: expected {:?}, found {:?}",
                    row.line, row.query, row.expected, found
                )
            })
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} queries answered wrongly:\n{}",
        mismatches.len(),
        rows.len(),
        mismatches.join("\n")
    );
}

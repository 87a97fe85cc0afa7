//! The query table: real queries in Latvian and English with the answer the lookup must give
//! (`queries.tsv` beside this file). Every row is run and every mismatch is listed, so one run
//! shows all that is wrong; the table grows by adding lines to the data file.

use std::collections::BTreeSet;

use lidzdaliba_bot::engine::lookup::{Found, Target};

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
}

/// One row of the table, with its line for the failure message.
#[derive(Debug)]
struct Row {
    line: usize,
    query: String,
    expected: Expected,
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
    for (i, line) in TABLE.lines().enumerate() {
        let line_no = i + 1;
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
        });
    }
    rows
}

/// Whether `found` is what `expected` asks for.
fn matches(found: &Found, expected: &Expected) -> bool {
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
    assert!(rows.len() >= 60, "the table has only {} rows", rows.len());

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
            Expected::Nothing => Vec::new(),
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

    // Every row is looked up; all mismatches are reported together.
    let index = app.index().await;
    let mismatches: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let found = index.find(&row.query);
            (!matches(&found, &row.expected)).then(|| {
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

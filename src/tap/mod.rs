//! The TAP portal (tapportals.mk.gov.lv, the State Chancellery's portal of draft legal acts)
//! as a source of what residents can take part in now: its public consultations, each with
//! its period, responsible ministry and, from the consultation's own page, its policy areas
//! and responsible person.
//!
//! - [`source`]: the [`Source`] trait, and [`HttpSource`] over TAP's public HTML (which
//!   keeps to [`robots`]);
//! - [`parse`]: the listing and a consultation's page, read with an HTML tokenizer;
//! - [`sync`]: one sync ([`Syncer::sync`]) and the loop every interval ([`run_every`]);
//! - `db`: the tables and what a sync writes; `open`: what the screens, `/healthz` and the
//!   notifications read ([`Db::open_now`], [`Db::view`], [`Db::status`]); `follows`: what chats follow and the digests after a sync;
//! - `map`: TAP's names to the content's ministries and areas ([`Mapping`], from
//!   `content/tap.toml`).
//!
//! A failed sync is never read as "nothing is open": the last good data stays, and
//! [`OpenNow::stale`] says when it is too old to tell. docs/OPERATIONS.md ("TAP") describes
//! what is fetched, how often, and what happens on failure.

mod db;
mod follows;
mod map;
mod open;
pub mod parse;
pub(crate) mod robots;
pub(crate) mod source;
pub(crate) mod sync;

use std::process::ExitCode;
use std::time::Duration;

pub use db::{Db, DbError, DetailState};
pub use follows::{Digest, Followed, MAX_FOLLOWS, Target};
pub use map::Mapping;
pub use open::{Counts, Filter, OpenItem, OpenNow, Status, View, stale_after};
pub use source::{FetchError, HttpOptions, HttpSource, Source};
pub use sync::{Change, SyncError, SyncReport, Syncer, describe_metrics, run_every};

use crate::clock;
use crate::config::Config;
use crate::store::Store;

/// `TAP_SYNC_INTERVAL` when not set.
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(3600);

/// `lidzdaliba-bot tap-sync`: one sync now against `TAP_URL`, with the content of
/// `CONTENT_DIR` for the names. Prints what changed; a failure (or invalid content) is
/// printed to standard error and exits 1, and the last good data stays.
pub async fn command(config: &Config, store: &Store) -> ExitCode {
    let content = match crate::content::load_dir(&config.content_dir) {
        Ok((_, content)) => content,
        Err(errors) => {
            for problem in &errors.0 {
                eprintln!("{problem}");
            }
            eprintln!(
                "the content is invalid, so TAP's names cannot be matched with it: fix it \
                 (`lidzdaliba-bot check`) and sync again; nothing was read"
            );
            return ExitCode::FAILURE;
        }
    };
    let source = match HttpSource::new(&config.tap_url, HttpOptions::default()) {
        Ok(source) => source,
        Err(err) => {
            eprintln!("TAP sync failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    let syncer = Syncer::new(source, Db::new(store.pool().clone()));
    let today = clock::today_in_latvia();
    let now = clock::unix_now();
    eprintln!("reading {} (at most one request a second)…", config.tap_url);
    match syncer.sync(&Mapping::of(&content), &today, now).await {
        Ok(report) => {
            print!("{}", report_text(&report));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("TAP sync failed: {err}");
            match syncer.db().status(&today).await {
                Ok(status) => eprintln!("{}", kept(&status, now)),
                Err(db) => eprintln!("{db}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// What a failed sync leaves: the last good data, and how old it is.
fn kept(status: &Status, now: u64) -> String {
    match status.last_success {
        Some(at) => format!(
            "kept: the last good data, {} open consultation(s), read {} ago",
            status.items_open,
            ago(now.saturating_sub(at))
        ),
        None => "TAP has never been read completely: there is no data to show yet".into(),
    }
}

/// A duration for a person: `3 h 12 min`, `4 min`, `20 s`, `2 d 5 h`.
fn ago(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86_400, secs % 86_400 / 3600),
    }
}

/// The report of a successful sync, as `tap-sync` prints it.
pub fn report_text(report: &SyncReport) -> String {
    let mut out = format!(
        "TAP read: {} listing page(s) and {} consultation page(s), {} request(s), in {:.1} s\n\
         open now: {}\n",
        report.pages,
        report.details,
        report.requests,
        report.elapsed.as_secs_f64(),
        report.open,
    );
    let lists = [
        ("new", &report.new),
        ("changed", &report.changed),
        (
            "gone (left the listing before their period ended)",
            &report.gone,
        ),
        ("ended", &report.ended),
    ];
    for (what, list) in lists {
        out.push_str(&format!("{what}: {}\n", list.len()));
        for c in list {
            let ministry = if c.ministry.is_empty() {
                "-"
            } else {
                &c.ministry
            };
            out.push_str(&format!(
                "  {}  until {}  {}  {}\n",
                c.number, c.ends, ministry, c.title
            ));
        }
    }
    if !report.unreadable.is_empty() {
        out.push_str(&format!(
            "pages that did not read as a consultation's (their listing data is kept): {}\n",
            report.unreadable.join(", ")
        ));
    }
    if let Some(err) = &report.detail_error {
        out.push_str(&format!(
            "some consultation pages could not be fetched (asked again next time): {err}\n"
        ));
    }
    if !report.unknown_ministries.is_empty() {
        out.push_str(
            "responsible institutions that are none of the content's ministries (shown as \
             written; map one in content/tap.toml if it is one):\n",
        );
        for (name, n) in &report.unknown_ministries {
            out.push_str(&format!("  {name:?}: {n}\n"));
        }
    }
    if !report.unmapped_areas.is_empty() {
        out.push_str("policy areas that content/tap.toml does not map:\n");
        for (name, n) in &report.unmapped_areas {
            out.push_str(&format!("  {name:?}: {n}\n"));
        }
    }
    out
}

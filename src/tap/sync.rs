//! One sync: read the listing until the periods have ended, read the pages of what is new or
//! changed, and write it all at once. A sync that fails writes nothing but its status: the
//! last good data stays.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::db::{Db, DbError, DetailState, DetailUpdate, Upsert, Write};
use super::map::Mapping;
use super::parse::{ListedItem, PageError};
use super::source::{FetchError, Source};
use crate::clock;

/// Listing pages read at most in one sync (25 consultations a page). The open consultations
/// fill two or three; reaching this bound means the listing is not what it seems.
pub(crate) const MAX_PAGES: u32 = 40;

/// A page that could not be read as a consultation's page is asked for again after this long
/// (one whose fetch failed, at the next sync).
const DETAIL_RETRY_SECS: u64 = 24 * 3600;

/// More than this share of the open consultations leaving the listing in one sync (and more
/// than [`MAX_GONE_ANYWAY`]) is taken as a changed listing, not as withdrawals.
const MAX_GONE_SHARE: f64 = 0.5;
const MAX_GONE_ANYWAY: usize = 5;

/// Why a sync failed. The last good data stays in every case.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("listing page {page}: {source}")]
    Fetch { page: u32, source: FetchError },
    #[error(
        "the listing's first page shows no consultation; TAP lists past consultations too, so \
         this is an outage or a changed page, not \"nothing is open\""
    )]
    Empty,
    #[error(
        "the listing is not sorted by deadline (page {page}: {number} ends after the row before \
         it), so it cannot show where the open consultations end"
    )]
    Unsorted { page: u32, number: String },
    #[error("the open consultations did not end within {pages} pages of the listing")]
    PageBound { pages: u32 },
    #[error(
        "{gone} of {open} open consultations would have left the listing at once; taken as a \
         changed listing, not as withdrawals"
    )]
    TooManyGone { gone: usize, open: usize },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl SyncError {
    /// A short name of the failure, the same for every failure of its kind: the `outcome` of
    /// `tap_sync_total`, and what is logged once.
    pub fn kind(&self) -> &'static str {
        match self {
            SyncError::Fetch { source, .. } => source.kind(),
            SyncError::Empty => "empty",
            SyncError::Unsorted { .. } => "unsorted",
            SyncError::PageBound { .. } => "page_bound",
            SyncError::TooManyGone { .. } => "too_many_gone",
            SyncError::Db(_) => "database",
        }
    }
}

/// A consultation a sync found new, changed, gone or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub number: String,
    pub title: String,
    /// "Atbildīgā ministrija" as TAP writes it.
    pub ministry: String,
    /// The last day of its period (`YYYY-MM-DD`).
    pub ends: String,
}

/// What a successful sync did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Listing pages read.
    pub pages: u32,
    /// Consultations' pages asked for.
    pub details: u32,
    /// Every request made (the pages, the consultations' pages, `robots.txt` when it was read).
    pub requests: u64,
    /// Consultations open after the sync.
    pub open: usize,
    pub new: Vec<Change>,
    pub changed: Vec<Change>,
    /// Left the listing before their period ended.
    pub gone: Vec<Change>,
    /// Their period ended since the last sync.
    pub ended: Vec<Change>,
    /// Pages that did not read as a consultation's page (their listing data is kept).
    pub unreadable: Vec<String>,
    /// Why consultations' pages could not be fetched, if some could not (asked again next
    /// time); the first such error.
    pub detail_error: Option<String>,
    /// "Atbildīgā ministrija" names that are none of the content's ministries, with how many
    /// open consultations carry each: shown as written.
    pub unknown_ministries: Vec<(String, usize)>,
    /// Policy areas of open consultations that `tap.toml` does not map, with counts.
    pub unmapped_areas: Vec<(String, usize)>,
    pub elapsed: Duration,
}

impl SyncReport {
    /// The ids of the new consultations (for [`Db::digests`]).
    pub fn new_ids(&self) -> Vec<String> {
        self.new.iter().map(|c| c.id.clone()).collect()
    }
}

/// Syncs one source into the TAP tables.
#[derive(Debug)]
pub struct Syncer<S> {
    source: S,
    db: Db,
    /// Names already reported as unknown by this process (each is logged once).
    reported: Mutex<HashSet<String>>,
}

impl<S: Source> Syncer<S> {
    pub fn new(source: S, db: Db) -> Self {
        Self {
            source,
            db,
            reported: Mutex::new(HashSet::new()),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// One sync on `today` (`YYYY-MM-DD`, Latvia's date) at `now` (Unix seconds): its result
    /// is counted in `tap_sync_total`, a failure is recorded in the status and logged when
    /// its kind differs from the failure before it.
    pub async fn sync(
        &self,
        mapping: &Mapping,
        today: &str,
        now: u64,
    ) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let failing_before = self.db.status(today).await.ok().and_then(|s| s.failing);
        let before = self.source.requests();
        let result = self.run(mapping, today, now, before).await;
        let requests = self.source.requests().saturating_sub(before);
        match &result {
            Ok(report) => {
                metrics::counter!("tap_sync_total", "outcome" => "ok").increment(1);
                metrics::gauge!("tap_items_open").set(report.open as f64);
                metrics::gauge!("tap_last_success_timestamp_seconds").set(now as f64);
                metrics::gauge!("tap_unknown_ministries")
                    .set(report.unknown_ministries.len() as f64);
                if let Some(kind) = failing_before {
                    tracing::info!(was = %kind, "TAP can be read again");
                }
                self.log_unknown(report);
                tracing::info!(
                    pages = report.pages,
                    details = report.details,
                    open = report.open,
                    new = report.new.len(),
                    changed = report.changed.len(),
                    gone = report.gone.len(),
                    ended = report.ended.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "TAP synced"
                );
            }
            Err(err) => {
                let kind = err.kind();
                metrics::counter!("tap_sync_total", "outcome" => kind).increment(1);
                let before = match self
                    .db
                    .record_failure(kind, &err.to_string(), requests, now)
                    .await
                {
                    Ok(before) => before,
                    Err(db) => {
                        tracing::error!(error = %db, "cannot record the failed TAP sync");
                        failing_before
                    }
                };
                if before.as_deref() == Some(kind) {
                    tracing::debug!(error = %err, kind, "TAP sync failed again; the last good data stays");
                } else {
                    tracing::warn!(error = %err, kind, "TAP sync failed; the last good data stays");
                }
            }
        }
        result.map(|mut report| {
            report.elapsed = started.elapsed();
            report.requests = requests;
            report
        })
    }

    async fn run(
        &self,
        mapping: &Mapping,
        today: &str,
        now: u64,
        requests_before: u64,
    ) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let rows = self.read_listing(today, &mut report).await?;
        let stored = self.db.stored().await?;
        let listed: HashSet<String> = rows.iter().map(|r| r.id.clone()).collect();
        let change = |id: &str, number: &str, title: &str, ministry: &str, ends: &str| Change {
            id: id.into(),
            number: number.into(),
            title: title.into(),
            ministry: ministry.into(),
            ends: ends.into(),
        };

        // Gone: open before, not in the listing now, though the listing was read to where the
        // periods end.
        let open_before = stored
            .values()
            .filter(|s| !s.gone && s.ends.as_str() >= today)
            .count();
        let mut write = Write::default();
        for (id, s) in &stored {
            if !s.gone && s.ends.as_str() >= today && !listed.contains(id) {
                write.gone.push(id.clone());
                report
                    .gone
                    .push(change(id, &s.number, &s.title, &s.ministry_name, &s.ends));
            }
        }
        let bound = MAX_GONE_ANYWAY.max((open_before as f64 * MAX_GONE_SHARE) as usize);
        if write.gone.len() > bound {
            return Err(SyncError::TooManyGone {
                gone: write.gone.len(),
                open: open_before,
            });
        }

        let mut unknown: HashMap<String, usize> = HashMap::new();
        let mut details_stopped: Option<String> = None;
        for item in rows {
            let hash = listing_hash(&item);
            let before = stored.get(&item.id);
            if item.period.ends.as_str() < today {
                if let Some(s) = before {
                    if s.listing_hash != hash {
                        write.ended_rows.push((item.clone(), hash));
                    }
                    if !s.ended_reported && !s.gone {
                        write.ended.push(item.id.clone());
                        report.ended.push(change(
                            &item.id,
                            &item.number,
                            &item.title,
                            &item.ministry,
                            &item.period.ends,
                        ));
                    }
                }
                continue;
            }
            if !item.ministry.is_empty() && mapping.ministry(&item.ministry).is_none() {
                *unknown.entry(item.ministry.clone()).or_default() += 1;
            }
            let entry = change(
                &item.id,
                &item.number,
                &item.title,
                &item.ministry,
                &item.period.ends,
            );
            let is_new = before.is_none();
            let changed = before.is_some_and(|s| s.listing_hash != hash || s.gone);
            if is_new {
                report.new.push(entry);
            } else if changed {
                report.changed.push(entry);
            }
            let ask = is_new
                || changed
                || before.is_some_and(|s| match s.detail {
                    DetailState::Pending | DetailState::Failed => true,
                    DetailState::Unreadable => s
                        .detail_at
                        .is_none_or(|at| now.saturating_sub(at) >= DETAIL_RETRY_SECS),
                    DetailState::Ok | DetailState::Partial => false,
                });
            let detail = if !ask {
                DetailUpdate::Keep
            } else if details_stopped.is_some() {
                DetailUpdate::Failed
            } else {
                report.details += 1;
                match self.source.detail(&item).await {
                    Ok(detail) => DetailUpdate::Read(detail),
                    Err(FetchError::Page {
                        source: PageError::Markup(why),
                        url,
                    }) => {
                        tracing::debug!(%url, %why, "a consultation's page did not read; keeping the listing's data");
                        report.unreadable.push(item.number.clone());
                        metrics::counter!("tap_details_unreadable_total").increment(1);
                        DetailUpdate::Unreadable
                    }
                    Err(err) => {
                        // The portal is not answering as it should: ask it nothing more now.
                        details_stopped = Some(err.to_string());
                        DetailUpdate::Failed
                    }
                }
            };
            write.upserts.push(Upsert { item, hash, detail });
        }
        report.detail_error = details_stopped;
        // Ended: stored as open, whose period has passed (whether the listing still shows
        // them or not).
        for (id, s) in &stored {
            if !s.ended_reported && !s.gone && s.ends.as_str() < today && !listed.contains(id) {
                write.ended.push(id.clone());
                report
                    .ended
                    .push(change(id, &s.number, &s.title, &s.ministry_name, &s.ends));
            }
        }
        report.open = write.upserts.len();
        write.requests = self.source.requests().saturating_sub(requests_before);
        self.db.write(&write, mapping, today, now).await?;

        let mut unknown: Vec<(String, usize)> = unknown.into_iter().collect();
        unknown.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        report.unknown_ministries = unknown;
        report.unmapped_areas = self
            .db
            .open_policy_areas(today)
            .await?
            .into_iter()
            .filter(|(name, _)| mapping.areas(name).is_empty())
            .collect();
        for list in [
            &mut report.new,
            &mut report.changed,
            &mut report.gone,
            &mut report.ended,
        ] {
            list.sort_by(|a, b| a.ends.cmp(&b.ends).then_with(|| a.number.cmp(&b.number)));
        }
        Ok(report)
    }

    /// The listing's rows up to the first page where periods have ended (or its last page).
    async fn read_listing(
        &self,
        today: &str,
        report: &mut SyncReport,
    ) -> Result<Vec<ListedItem>, SyncError> {
        let mut rows: Vec<ListedItem> = Vec::new();
        let mut ids: HashSet<String> = HashSet::new();
        let mut last_end: Option<String> = None;
        for page in 1..=MAX_PAGES {
            report.pages += 1;
            let listing = self
                .source
                .listing(page)
                .await
                .map_err(|source| SyncError::Fetch { page, source })?;
            if page == 1 && listing.rows.is_empty() {
                return Err(SyncError::Empty);
            }
            let mut ended_here = false;
            let last_page = !listing.has_next || listing.rows.is_empty();
            for row in listing.rows {
                if last_end.as_ref().is_some_and(|end| row.period.ends > *end) {
                    return Err(SyncError::Unsorted {
                        page,
                        number: row.number,
                    });
                }
                last_end = Some(row.period.ends.clone());
                ended_here |= row.period.ends.as_str() < today;
                // A row that moved to the next page while the pages were read counts once.
                if ids.insert(row.id.clone()) {
                    rows.push(row);
                }
            }
            if ended_here || last_page {
                return Ok(rows);
            }
        }
        Err(SyncError::PageBound { pages: MAX_PAGES })
    }

    /// Logs each unknown ministry name once per process.
    fn log_unknown(&self, report: &SyncReport) {
        let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
        for (name, count) in &report.unknown_ministries {
            if reported.insert(name.clone()) {
                tracing::warn!(
                    name = %name,
                    count,
                    "TAP names a responsible institution that is none of the content's \
                     ministries: it is shown as written (map it in content/tap.toml if it is one)"
                );
            }
        }
    }
}

/// What the listing shows of a consultation, hashed: a different hash is a change.
fn listing_hash(item: &ListedItem) -> String {
    let mut hasher = Sha256::new();
    for part in [
        &item.number,
        &item.title,
        &item.kind,
        &item.period.starts,
        &item.period.ends,
        &item.ministry,
        &item.url,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Registers the TAP metrics with their descriptions, each outcome of `tap_sync_total` at 0,
/// so that `/metrics` shows them before the first sync.
pub fn describe_metrics() {
    metrics::describe_counter!(
        "tap_sync_total",
        "TAP syncs, by outcome (ok, or the kind of failure)"
    );
    metrics::describe_counter!("tap_requests_total", "HTTP requests to the TAP portal");
    metrics::describe_counter!(
        "tap_details_unreadable_total",
        "consultations' pages that did not read as one (their listing data is kept)"
    );
    metrics::describe_gauge!(
        "tap_items_open",
        "consultations on TAP whose period has not ended, as last read"
    );
    metrics::describe_gauge!(
        "tap_last_success_timestamp_seconds",
        "when TAP was last read completely"
    );
    metrics::describe_gauge!(
        "tap_unknown_ministries",
        "responsible institutions on TAP that are none of the content's ministries"
    );
    for outcome in [
        "ok",
        "network",
        "timeout",
        "server_error",
        "http_status",
        "too_large",
        "rejected",
        "not_listing",
        "markup",
        "empty",
        "unsorted",
        "page_bound",
        "robots",
        "too_many_gone",
        "database",
    ] {
        metrics::counter!("tap_sync_total", "outcome" => outcome).increment(0);
    }
}

/// Syncs at once and then every `interval` until `shutdown` turns true (or its sender is
/// dropped), handing each successful sync's report to `on_report` (for the notifications).
/// A new mapping (the content changed) re-maps the stored consultations at once.
pub async fn run_every<S: Source>(
    syncer: Arc<Syncer<S>>,
    mut mapping: watch::Receiver<Arc<Mapping>>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
    mut on_report: impl FnMut(SyncReport) + Send,
) {
    describe_metrics();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let current = Arc::clone(&mapping.borrow_and_update());
        let today = clock::today_in_latvia();
        let result = tokio::select! {
            result = syncer.sync(&current, &today, clock::unix_now()) => result,
            _ = shutdown.changed() => return,
        };
        if let Ok(report) = result {
            on_report(report);
        }
        let next = tokio::time::Instant::now() + interval;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(next) => break,
                changed = mapping.changed() => {
                    if changed.is_err() {
                        // Nobody hands a new mapping any more; keep the current one.
                        tokio::select! {
                            () = tokio::time::sleep_until(next) => break,
                            _ = shutdown.changed() => return,
                        }
                    }
                    let current = Arc::clone(&mapping.borrow_and_update());
                    if let Err(err) = syncer.db().remap(&current).await {
                        tracing::warn!(error = %err, "cannot re-map TAP's consultations to the new content");
                    }
                }
                _ = shutdown.changed() => return,
            }
        }
    }
}

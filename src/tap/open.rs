//! The read side of the TAP tables: what the screens, `/healthz` and the notifications ask
//! ("open now", counts per ministry and area, the state of reading).

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

use super::db::{Db, DbError, DetailState};
use crate::clock;

/// Which open consultations to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter<'a> {
    All,
    /// Those whose responsible ministry is the content's ministry with this id.
    Ministry(&'a str),
    /// Those with a policy area that `tap.toml` maps to the content's area with this id.
    Area(&'a str),
}

/// A consultation whose period has not ended. Read from `tap_items` by column name; the
/// fields marked `skip` are filled after the read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OpenItem {
    pub id: String,
    /// Its page on TAP (where one takes part, after a Latvija.lv login).
    pub url: String,
    pub number: String,
    pub title: String,
    pub kind: String,
    /// First and last day of the period (`YYYY-MM-DD`).
    pub starts: String,
    pub ends: String,
    /// Days until the period ends: 0 on its last day.
    #[sqlx(skip)]
    pub days_left: i64,
    /// Whether the period has begun (a consultation may be announced before it starts).
    #[sqlx(skip)]
    pub started: bool,
    /// "Atbildīgā ministrija" as TAP writes it, to be shown as written when it is not one
    /// of the content's ministries.
    pub ministry_name: String,
    pub ministry_id: Option<String>,
    /// "Atbildīgā persona" (a name and an institution), when its page could be read.
    pub responsible_person: Option<String>,
    pub prepared_by: Option<String>,
    /// "Izsludināšanas datums" (`YYYY-MM-DD HH:MM`).
    pub announced_at: Option<String>,
    /// "Politikas jomas" as TAP writes them.
    #[sqlx(skip)]
    pub policy_areas: Vec<String>,
    /// The content's areas they agree with.
    #[sqlx(skip)]
    pub area_ids: Vec<String>,
    #[sqlx(try_from = "String")]
    pub detail: DetailState,
}

/// What is open now, and whether that can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenNow {
    /// Closing soonest first.
    pub items: Vec<OpenItem>,
    /// When TAP was last read successfully (Unix seconds); `None`: never.
    pub last_success: Option<u64>,
    /// The last good read is older than twice the sync interval (or there was none): an empty
    /// list then means "not known", never "nothing is open".
    pub stale: bool,
}

impl OpenNow {
    /// Whether a screen may say that nothing is open: the list is empty and fresh.
    pub fn known_empty(&self) -> bool {
        self.items.is_empty() && !self.stale
    }
}

/// How reading TAP goes, for `/healthz`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Unix seconds of the last sync that read TAP completely.
    pub last_success: Option<u64>,
    /// What went wrong the last time a sync failed (kept after a later success; compare
    /// `last_error_at` with `last_success`).
    pub last_error: Option<String>,
    pub last_error_at: Option<u64>,
    /// The kind of failure while syncs keep failing (`network`, `rejected`, ...); `None`
    /// once a sync succeeded.
    pub failing: Option<String>,
    pub last_attempt: Option<u64>,
    /// Requests the last sync made.
    pub last_requests: Option<u64>,
    /// Consultations whose period has not ended.
    pub items_open: i64,
}

/// The row of `tap_status` that [`Db::status`] reads.
#[derive(sqlx::FromRow)]
struct StatusRow {
    last_success: Option<i64>,
    last_error: Option<String>,
    last_error_at: Option<i64>,
    last_error_kind: Option<String>,
    last_attempt: Option<i64>,
    last_requests: Option<i64>,
}

/// How many open consultations each ministry and each area has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_ministry: HashMap<String, usize>,
    pub by_area: HashMap<String, usize>,
}

/// What the cards show of TAP, made after each sync (and at start): how many consultations are
/// open per ministry and per area, and who is responsible for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    pub counts: Counts,
    /// Per ministry id: the responsible persons of its open consultations, each once, those
    /// of the consultations closing soonest first, at most [`View::MAX_PERSONS`].
    pub persons: HashMap<String, Vec<String>>,
    /// When TAP was last read completely (Unix seconds).
    pub last_success: Option<u64>,
}

impl View {
    /// The most responsible persons a card names for one ministry.
    pub(crate) const MAX_PERSONS: usize = 3;

    /// How many consultations of ministry `id` are open.
    pub(crate) fn open_at_ministry(&self, id: &str) -> usize {
        self.counts.by_ministry.get(id).copied().unwrap_or(0)
    }
}

/// Data is stale once the last good read is older than twice the sync interval; with syncing
/// off, twice the default interval.
pub fn stale_after(interval: Option<Duration>) -> Duration {
    2 * interval.unwrap_or(super::DEFAULT_INTERVAL)
}

impl Db {
    /// The consultations open on `today` (`YYYY-MM-DD`), closing soonest first. `now` (Unix
    /// seconds) and `stale_after` decide [`OpenNow::stale`].
    pub async fn open_now(
        &self,
        filter: Filter<'_>,
        today: &str,
        now: u64,
        stale_after: Duration,
    ) -> Result<OpenNow, DbError> {
        let (clause, key) = match filter {
            Filter::All => ("", None),
            Filter::Ministry(id) => (" AND i.ministry_id = ?2", Some(id)),
            Filter::Area(id) => (
                " AND EXISTS (SELECT 1 FROM tap_item_areas a WHERE a.item_id = i.id AND a.area_id = ?2)",
                Some(id),
            ),
        };
        let sql = format!(
            "SELECT i.id, i.url, i.number, i.title, i.kind, i.starts, i.ends, i.ministry_name, \
             i.ministry_id, i.responsible_person, i.prepared_by, i.announced_at, i.detail \
             FROM tap_items i WHERE i.ends >= ?1 AND i.gone_at IS NULL{clause} \
             ORDER BY i.ends, i.number"
        );
        let mut conn = self.pool.acquire().await?;
        let mut query = sqlx::query_as::<_, OpenItem>(&sql).bind(today);
        if let Some(key) = key {
            query = query.bind(key);
        }
        let mut items = query.fetch_all(&mut *conn).await?;
        let today_n = clock::day_number(today).unwrap_or(0);
        for item in &mut items {
            item.days_left = clock::day_number(&item.ends).map_or(0, |e| e - today_n);
            item.started = item.starts.as_str() <= today;
        }
        if !items.is_empty() {
            let at: HashMap<String, usize> = items
                .iter()
                .enumerate()
                .map(|(n, i)| (i.id.clone(), n))
                .collect();
            let open = "SELECT id FROM tap_items WHERE ends >= ?1 AND gone_at IS NULL";
            // Each item's policy areas (in TAP's order) and the content's areas they map to.
            type List = fn(&mut OpenItem) -> &mut Vec<String>;
            let lists: [(String, List); 2] = [
                (
                    format!(
                        "SELECT item_id, name FROM tap_item_policy_areas \
                         WHERE item_id IN ({open}) ORDER BY item_id, position"
                    ),
                    |item| &mut item.policy_areas,
                ),
                (
                    format!(
                        "SELECT item_id, area_id FROM tap_item_areas \
                         WHERE item_id IN ({open}) ORDER BY item_id, area_id"
                    ),
                    |item| &mut item.area_ids,
                ),
            ];
            for (sql, list) in lists {
                let rows: Vec<(String, String)> = sqlx::query_as(&sql)
                    .bind(today)
                    .fetch_all(&mut *conn)
                    .await?;
                for (item, value) in rows {
                    if let Some(n) = at.get(&item) {
                        list(&mut items[*n]).push(value);
                    }
                }
            }
        }
        let last_success: Option<i64> =
            sqlx::query_scalar("SELECT last_success FROM tap_status WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await?
                .flatten();
        let last_success = last_success.and_then(|t| u64::try_from(t).ok());
        let stale = last_success.is_none_or(|t| now.saturating_sub(t) > stale_after.as_secs());
        Ok(OpenNow {
            items,
            last_success,
            stale,
        })
    }

    /// How reading TAP goes, with the number of consultations open on `today`.
    pub async fn status(&self, today: &str) -> Result<Status, DbError> {
        let items_open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tap_items WHERE ends >= ?1 AND gone_at IS NULL",
        )
        .bind(today)
        .fetch_one(&self.pool)
        .await?;
        let row: Option<StatusRow> = sqlx::query_as(
            "SELECT last_success, last_error, last_error_at, last_error_kind, last_attempt, \
             last_requests FROM tap_status WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let secs = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
        Ok(match row {
            None => Status {
                items_open,
                ..Status::default()
            },
            Some(r) => Status {
                last_success: secs(r.last_success),
                last_error: r.last_error,
                last_error_at: secs(r.last_error_at),
                failing: r.last_error_kind,
                last_attempt: secs(r.last_attempt),
                last_requests: secs(r.last_requests),
                items_open,
            },
        })
    }

    /// What the cards show of the consultations open on `today` ([`View`]).
    pub async fn view(&self, today: &str) -> Result<View, DbError> {
        let open = self.open_now(Filter::All, today, 0, Duration::MAX).await?;
        // Counted from the open consultations read once, not asked of SQLite again.
        let mut counts = Counts::default();
        let mut persons: HashMap<String, Vec<String>> = HashMap::new();
        for item in &open.items {
            if let Some(ministry) = &item.ministry_id {
                *counts.by_ministry.entry(ministry.clone()).or_default() += 1;
            }
            for area in &item.area_ids {
                *counts.by_area.entry(area.clone()).or_default() += 1;
            }
            let (Some(ministry), Some(person)) = (&item.ministry_id, &item.responsible_person)
            else {
                continue;
            };
            let known = persons.entry(ministry.clone()).or_default();
            if known.len() < View::MAX_PERSONS && !known.contains(person) {
                known.push(person.clone());
            }
        }
        Ok(View {
            counts,
            persons,
            last_success: open.last_success,
        })
    }
}

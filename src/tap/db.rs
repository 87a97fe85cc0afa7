//! The TAP tables (migration `20261202500000_tap.sql`): the consultations as last read, the
//! state of reading, and the queries the screens need ("open now", counts, the status).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::map::Mapping;
use super::parse::{Detail, ListedItem};

/// The TAP tables; cheap to clone (a handle to the store's pool).
#[derive(Debug, Clone)]
pub struct Db {
    pub(super) pool: SqlitePool,
}

/// A database error in the TAP tables.
#[derive(Debug, thiserror::Error)]
#[error("database error in the TAP tables: {0}")]
pub struct DbError(#[from] pub sqlx::Error);

/// How far a consultation's own page could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DetailState {
    /// Not read yet.
    Pending,
    /// Every field read.
    Ok,
    /// Some fields read; the others are unknown.
    Partial,
    /// The page did not read as a consultation's page: the listing's data only.
    Unreadable,
    /// The page could not be fetched; it is asked for again at the next sync.
    Failed,
}

impl DetailState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DetailState::Pending => "pending",
            DetailState::Ok => "ok",
            DetailState::Partial => "partial",
            DetailState::Unreadable => "unreadable",
            DetailState::Failed => "failed",
        }
    }

    pub(super) fn parse(text: &str) -> Self {
        match text {
            "ok" => DetailState::Ok,
            "partial" => DetailState::Partial,
            "unreadable" => DetailState::Unreadable,
            "failed" => DetailState::Failed,
            _ => DetailState::Pending,
        }
    }
}

/// The state as stored (anything unknown reads as pending: its page is read again).
impl From<String> for DetailState {
    fn from(stored: String) -> Self {
        DetailState::parse(&stored)
    }
}

/// A row of `tap_items` as [`Db::stored`] reads it.
#[derive(sqlx::FromRow)]
struct StoredRow {
    id: String,
    number: String,
    title: String,
    ministry_name: String,
    ends: String,
    listing_hash: String,
    #[sqlx(try_from = "String")]
    detail: DetailState,
    detail_at: Option<i64>,
    gone: bool,
    ended_reported: bool,
}

/// What the sync knows of a stored consultation.
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub number: String,
    pub title: String,
    pub ministry_name: String,
    pub ends: String,
    pub listing_hash: String,
    pub detail: DetailState,
    pub detail_at: Option<u64>,
    pub gone: bool,
    pub ended_reported: bool,
}

/// What the sync read of one open consultation's page.
#[derive(Debug, Clone)]
pub(super) enum DetailUpdate {
    /// Not asked for: what is stored stays.
    Keep,
    Read(Detail),
    /// Not taken: the fields are cleared, the listing's data stays.
    Unreadable,
    /// Not fetched: what is stored stays, and it is asked for again next time.
    Failed,
}

/// One consultation the sync writes.
#[derive(Debug, Clone)]
pub(super) struct Upsert {
    pub item: ListedItem,
    pub hash: String,
    pub detail: DetailUpdate,
}

/// Everything one successful sync writes, in one transaction.
#[derive(Debug, Default)]
pub(super) struct Write {
    /// The open consultations of the listing.
    pub upserts: Vec<Upsert>,
    /// Stored consultations the listing showed as ended: their period is updated.
    pub ended_rows: Vec<(ListedItem, String)>,
    pub gone: Vec<String>,
    /// Stored consultations whose end is reported now.
    pub ended: Vec<String>,
    pub requests: u64,
}

/// Ended or withdrawn consultations are kept this long, then deleted.
const KEEP_DAYS: i64 = 30;

impl Db {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Re-reads every stored consultation's ministry and areas with `mapping` (after the
    /// content changed).
    pub async fn remap(&self, mapping: &Mapping) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        remap(&mut tx, mapping).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every stored consultation, by id.
    pub(super) async fn stored(&self) -> Result<HashMap<String, Stored>, DbError> {
        let rows: Vec<StoredRow> = sqlx::query_as(
            "SELECT id, number, title, ministry_name, ends, listing_hash, detail, detail_at, \
             gone_at IS NOT NULL AS gone, ended_reported FROM tap_items",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    Stored {
                        number: r.number,
                        title: r.title,
                        ministry_name: r.ministry_name,
                        ends: r.ends,
                        listing_hash: r.listing_hash,
                        detail: r.detail,
                        detail_at: r.detail_at.and_then(|t| u64::try_from(t).ok()),
                        gone: r.gone,
                        ended_reported: r.ended_reported,
                    },
                )
            })
            .collect())
    }

    /// Writes a successful sync: the consultations, what is gone and ended, the mapping,
    /// the deletion of old ones, and the status, in one transaction.
    pub(super) async fn write(
        &self,
        write: &Write,
        mapping: &Mapping,
        today: &str,
        now: u64,
    ) -> Result<(), DbError> {
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        let mut tx = self.pool.begin().await?;
        for up in &write.upserts {
            let item = &up.item;
            sqlx::query(
                "INSERT INTO tap_items (id, url, number, title, kind, starts, ends, ministry_name, \
                 listing_hash, first_seen, last_seen) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
                 ON CONFLICT (id) DO UPDATE SET url = excluded.url, number = excluded.number, \
                 title = excluded.title, kind = excluded.kind, starts = excluded.starts, \
                 ends = excluded.ends, ministry_name = excluded.ministry_name, \
                 listing_hash = excluded.listing_hash, last_seen = excluded.last_seen, \
                 gone_at = NULL, \
                 ended_reported = CASE WHEN excluded.ends >= ?11 THEN 0 ELSE ended_reported END",
            )
            .bind(&item.id)
            .bind(&item.url)
            .bind(&item.number)
            .bind(&item.title)
            .bind(&item.kind)
            .bind(&item.period.starts)
            .bind(&item.period.ends)
            .bind(&item.ministry)
            .bind(&up.hash)
            .bind(now_i)
            .bind(today)
            .execute(&mut *tx)
            .await?;
            write_detail(&mut tx, &item.id, &up.detail, now_i).await?;
        }
        for (item, hash) in &write.ended_rows {
            sqlx::query(
                "UPDATE tap_items SET starts = ?2, ends = ?3, listing_hash = ?4, last_seen = ?5 \
                 WHERE id = ?1",
            )
            .bind(&item.id)
            .bind(&item.period.starts)
            .bind(&item.period.ends)
            .bind(hash)
            .bind(now_i)
            .execute(&mut *tx)
            .await?;
        }
        for id in &write.gone {
            sqlx::query("UPDATE tap_items SET gone_at = ?2 WHERE id = ?1")
                .bind(id)
                .bind(now_i)
                .execute(&mut *tx)
                .await?;
        }
        for id in &write.ended {
            sqlx::query("UPDATE tap_items SET ended_reported = 1 WHERE id = ?1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "DELETE FROM tap_items WHERE ends < date(?1, ?2) OR (gone_at IS NOT NULL AND gone_at < ?3)",
        )
        .bind(today)
        .bind(format!("-{KEEP_DAYS} days"))
        .bind(now_i - KEEP_DAYS * 86_400)
        .execute(&mut *tx)
        .await?;
        remap(&mut tx, mapping).await?;
        sqlx::query(
            "INSERT INTO tap_status (id, last_attempt, last_success, last_requests) \
             VALUES (1, ?1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET \
             last_attempt = excluded.last_attempt, last_success = excluded.last_success, \
             last_requests = excluded.last_requests, last_error_kind = NULL",
        )
        .bind(now_i)
        .bind(i64::try_from(write.requests).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed sync; returns the kind of the failure before it (`None` if the sync
    /// before succeeded), so that each kind is logged once.
    pub(super) async fn record_failure(
        &self,
        kind: &str,
        message: &str,
        requests: u64,
        now: u64,
    ) -> Result<Option<String>, DbError> {
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        let mut tx = self.pool.begin().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT last_error_kind FROM tap_status WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?
                .flatten();
        sqlx::query(
            "INSERT INTO tap_status (id, last_attempt, last_error, last_error_kind, last_error_at, \
             last_requests) VALUES (1, ?1, ?2, ?3, ?1, ?4) ON CONFLICT (id) DO UPDATE SET \
             last_attempt = excluded.last_attempt, last_error = excluded.last_error, \
             last_error_kind = excluded.last_error_kind, last_error_at = excluded.last_error_at, \
             last_requests = excluded.last_requests",
        )
        .bind(now_i)
        .bind(message)
        .bind(kind)
        .bind(i64::try_from(requests).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(before)
    }
}

/// Writes what was read of a consultation's page.
async fn write_detail(
    tx: &mut Transaction<'_, Sqlite>,
    id: &str,
    update: &DetailUpdate,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (state, detail) = match update {
        DetailUpdate::Keep => return Ok(()),
        DetailUpdate::Failed => {
            sqlx::query("UPDATE tap_items SET detail = 'failed', detail_at = ?2 WHERE id = ?1")
                .bind(id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            return Ok(());
        }
        DetailUpdate::Unreadable => (DetailState::Unreadable, &Detail::default()),
        DetailUpdate::Read(detail) if detail.fields_read() == 5 => (DetailState::Ok, detail),
        DetailUpdate::Read(detail) => (DetailState::Partial, detail),
    };
    sqlx::query(
        "UPDATE tap_items SET detail = ?2, detail_at = ?3, held_from = ?4, held_to = ?5, \
         prepared_by = ?6, responsible_person = ?7, announced_at = ?8 WHERE id = ?1",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(now)
    .bind(detail.held.as_ref().map(|p| p.starts.as_str()))
    .bind(detail.held.as_ref().map(|p| p.ends.as_str()))
    .bind(&detail.prepared_by)
    .bind(&detail.responsible_person)
    .bind(&detail.announced)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM tap_item_policy_areas WHERE item_id = ?1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (n, name) in detail.policy_areas.iter().flatten().enumerate() {
        sqlx::query(
            "INSERT INTO tap_item_policy_areas (item_id, position, name) VALUES (?1, ?2, ?3)",
        )
        .bind(id)
        .bind(i64::try_from(n).unwrap_or(i64::MAX))
        .bind(name)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Resolves every stored consultation's ministry and areas with `mapping`.
async fn remap(tx: &mut Transaction<'_, Sqlite>, mapping: &Mapping) -> Result<(), sqlx::Error> {
    let items: Vec<(String, String)> = sqlx::query_as("SELECT id, ministry_name FROM tap_items")
        .fetch_all(&mut **tx)
        .await?;
    for (id, name) in &items {
        sqlx::query("UPDATE tap_items SET ministry_id = ?2 WHERE id = ?1")
            .bind(id)
            .bind(mapping.ministry(name))
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM tap_item_areas")
        .execute(&mut **tx)
        .await?;
    let areas: Vec<(String, String)> =
        sqlx::query_as("SELECT item_id, name FROM tap_item_policy_areas")
            .fetch_all(&mut **tx)
            .await?;
    for (id, name) in &areas {
        for area in mapping.areas(name) {
            sqlx::query("INSERT OR IGNORE INTO tap_item_areas (item_id, area_id) VALUES (?1, ?2)")
                .bind(id)
                .bind(area)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

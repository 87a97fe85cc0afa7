//! Reports of mistakes (🚩): stored with the card, its place in `content/`, the text, the
//! content version and the time; a user id only with the person's consent.

use super::{Store, StoreError};
use crate::content::ContentHash;
use crate::ids::{ReportId, UserId};

/// Closed reports are deleted this many days after they were closed.
pub const KEEP_CLOSED_DAYS: u64 = 90;

/// A report about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    /// The card's deep-link payload (`c-vm`).
    pub item: String,
    pub title: String,
    /// `file:line` of the record the card comes from.
    pub place: String,
    pub body: String,
    pub content_hash: ContentHash,
}

/// What becomes of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Resolved,
    Spam,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Resolved => "resolved",
            Status::Spam => "spam",
        }
    }
}

/// The status as stored (the table's CHECK admits only the three).
impl From<String> for Status {
    fn from(stored: String) -> Self {
        match stored.as_str() {
            "resolved" => Status::Resolved,
            "spam" => Status::Spam,
            _ => Status::Open,
        }
    }
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Report {
    pub id: ReportId,
    pub item: String,
    pub title: String,
    pub place: String,
    pub body: String,
    #[sqlx(try_from = "String")]
    pub content_hash: ContentHash,
    pub created_at: String,
    /// Set only when the person agreed to be contacted.
    pub contact_user_id: Option<UserId>,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub closed_at: Option<String>,
}

const COLUMNS: &str = "id, item, title, place, body, content_hash, created_at, contact_user_id, \
                       status, closed_at";

impl Store {
    /// Stores a report (open, without a user id) and returns its number.
    pub(crate) async fn add_report(
        &self,
        new: &NewReport,
        now: &str,
    ) -> Result<ReportId, StoreError> {
        let id = sqlx::query(
            "INSERT INTO reports (item, title, place, body, content_hash, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&new.item)
        .bind(&new.title)
        .bind(&new.place)
        .bind(&new.body)
        .bind(new.content_hash.as_str())
        .bind(now)
        .execute(self.pool())
        .await?
        .last_insert_rowid();
        Ok(ReportId(id))
    }

    /// Records that `user_id` may be contacted about report `id`.
    pub(crate) async fn set_report_contact(
        &self,
        id: ReportId,
        user_id: UserId,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE reports SET contact_user_id = ?2 WHERE id = ?1")
            .bind(id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// One report.
    pub async fn report(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM reports WHERE id = ?1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Reports, oldest first: only the open ones, or all; at most `limit`.
    pub async fn reports(&self, open_only: bool, limit: i64) -> Result<Vec<Report>, StoreError> {
        let filter = if open_only {
            "WHERE status = 'open'"
        } else {
            ""
        };
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM reports {filter} ORDER BY id LIMIT ?1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many reports are open.
    pub async fn open_reports(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE status = 'open'")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Closes an open report as resolved or spam; `false` if it is not open (any more).
    pub async fn close_report(
        &self,
        id: ReportId,
        status: Status,
        now: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE reports SET status = ?2, closed_at = ?3 WHERE id = ?1 AND status = 'open'",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes the reports closed before `before` (a UTC time as [`crate::clock::now_utc`]
    /// writes it); returns how many.
    pub(crate) async fn purge_reports(&self, before: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM reports WHERE status != 'open' AND closed_at < ?1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

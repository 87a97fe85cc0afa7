//! The inbox: updates received from Telegram and not answered yet.
//!
//! Confirming an update offset makes Telegram forget every older update, so the bot writes a
//! batch here (one statement) before it confirms the offset, and deletes each update (in
//! batches) once it is answered. What is left after a crash or a stop is answered at the next
//! start. The offset to poll from after a restart is saved by a trigger in the same statement
//! as the rows (see the migration), so the two never disagree.

use sqlx::{QueryBuilder, Row, SqlitePool};

use super::StoreError;

/// A saved offset older than this is not used: Telegram keeps updates for 24 hours only, and
/// after a week without updates it may number new ones from a lower value.
pub const OFFSET_MAX_AGE_SECS: i64 = 24 * 60 * 60;

/// The inbox table; cheap to clone.
#[derive(Clone, Debug)]
pub struct Inbox {
    pool: SqlitePool,
}

impl Inbox {
    pub(super) fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Writes `updates` (`(update_id, JSON)`, in the order Telegram sent them) in one
    /// statement. Returns the ids that were not in the inbox yet: an update handed out again
    /// while it still waits is queued only once.
    pub async fn add(&self, updates: &[(i64, &str)]) -> Result<Vec<i64>, StoreError> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = QueryBuilder::new("INSERT OR IGNORE INTO inbox (update_id, body) ");
        query.push_values(updates, |mut row, (id, body)| {
            row.push_bind(*id).push_bind(*body);
        });
        query.push(" RETURNING update_id");
        let rows = query.build().fetch_all(&self.pool).await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Deletes the updates `ids` (answered, or dropped from a full backlog).
    pub async fn remove(&self, ids: &[i64]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        // One bound value whatever the number of ids: a JSON array read by `json_each`.
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let done =
            sqlx::query("DELETE FROM inbox WHERE update_id IN (SELECT value FROM json_each(?1))")
                .bind(list)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }

    /// Every waiting update, oldest first.
    pub async fn pending(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT update_id, body FROM inbox ORDER BY update_id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows)
    }

    /// How many updates wait.
    pub async fn len(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM inbox")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Whether no update waits.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len().await? == 0)
    }

    /// The offset to poll from: one more than the last update written, if that was written
    /// less than [`OFFSET_MAX_AGE_SECS`] ago (`now` in unix seconds).
    pub async fn offset(&self, now: i64) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT next, saved_at FROM inbox_offset WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .filter(|(_, saved_at)| now - saved_at < OFFSET_MAX_AGE_SECS)
            .map(|(next, _)| next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    async fn inbox() -> (tempfile::TempDir, Inbox) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("inbox.db").display());
        let store = Store::open(&url).await.unwrap();
        (dir, store.inbox())
    }

    fn now() -> i64 {
        crate::clock::unix_now() as i64
    }

    #[tokio::test]
    async fn updates_are_kept_until_removed_and_an_id_is_queued_once() {
        let (_dir, inbox) = inbox().await;
        assert_eq!(inbox.offset(now()).await.unwrap(), None);
        let mut fresh = inbox
            .add(&[(10, "{\"a\":1}"), (11, "{\"b\":2}"), (12, "{}")])
            .await
            .unwrap();
        fresh.sort_unstable();
        assert_eq!(fresh, vec![10, 11, 12]);
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(13));
        // The same batch again (a replay): nothing new, the first bodies stay.
        let again = inbox
            .add(&[(11, "{\"other\":0}"), (13, "{}")])
            .await
            .unwrap();
        assert_eq!(again, vec![13]);
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(14));
        assert_eq!(inbox.remove(&[10, 12, 99]).await.unwrap(), 2);
        let pending = inbox.pending().await.unwrap();
        assert_eq!(
            pending,
            vec![(11, "{\"b\":2}".to_string()), (13, "{}".to_string())]
        );
        // Removing rows does not move the offset back.
        inbox.remove(&[11, 13]).await.unwrap();
        assert!(inbox.is_empty().await.unwrap());
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(14));
    }

    #[tokio::test]
    async fn an_old_offset_is_not_used() {
        let (_dir, inbox) = inbox().await;
        inbox.add(&[(5, "{}")]).await.unwrap();
        let day = OFFSET_MAX_AGE_SECS;
        assert_eq!(inbox.offset(now() + day - 60).await.unwrap(), Some(6));
        assert_eq!(inbox.offset(now() + day + 1).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_large_batch_is_one_statement() {
        let (_dir, inbox) = inbox().await;
        let bodies: Vec<String> = (0..100).map(|i| format!("{{\"n\":{i}}}")).collect();
        let rows: Vec<(i64, &str)> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| (1000 + i as i64, b.as_str()))
            .collect();
        assert_eq!(inbox.add(&rows).await.unwrap().len(), 100);
        assert_eq!(inbox.len().await.unwrap(), 100);
        let ids: Vec<i64> = (1000..1100).collect();
        assert_eq!(inbox.remove(&ids).await.unwrap(), 100);
    }
}

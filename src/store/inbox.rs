//! The inbox: updates received from Telegram and not answered yet.
//!
//! Confirming an update offset makes Telegram forget every older update, so the bot writes
//! each batch here (one row, the updates as Telegram sent them) before it confirms the offset.
//! Answered updates are marked done in batches (a small row each), and a batch whose updates
//! are all done is deleted with its marks; the same statement does both (see the migration).
//! One row per batch rather than per update: writing and deleting a row of text per update
//! cost the bot about a fifth of its CPU in a burst. What is left after a crash or a stop is
//! answered at the next start. The offset to poll from after a restart is saved by a trigger
//! in the same statement as the batch, so the two never disagree. Each batch keeps the time it
//! arrived (a reply is tried until a deadline after that), and the inbox keeps the groups that
//! became supergroups, so that what waits for an old chat goes to its new one.

use std::collections::HashSet;
use std::fmt::Write;

use serde::Deserialize;
use serde_json::value::RawValue;
use sqlx::SqlitePool;

use super::StoreError;
use crate::ids::ChatId;

/// A saved offset older than this is not used: Telegram keeps updates for 24 hours only, and
/// after a week without updates it may number new ones from a lower value.
pub const OFFSET_MAX_AGE_SECS: i64 = 24 * 60 * 60;

/// The inbox tables; cheap to clone.
#[derive(Clone, Debug)]
pub struct Inbox {
    pool: SqlitePool,
}

/// What the inbox holds: the batches and the ids of their updates that are done. An update
/// below its batch's first id does not count.
#[derive(Debug, Default)]
pub struct Waiting {
    pub batches: Vec<Batch>,
    pub done: HashSet<i64>,
}

/// One batch in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Batch {
    /// The lowest update id that counts.
    pub first: i64,
    /// The updates as Telegram sent them: a JSON array.
    pub updates: String,
    /// When it was written (unix seconds; 0 if unknown).
    pub received_at: i64,
}

impl Waiting {
    /// The ids of the updates still to answer, oldest first (each update's `update_id`).
    pub fn ids(&self) -> Vec<i64> {
        #[derive(Deserialize)]
        struct Id {
            update_id: i64,
        }
        let mut ids: Vec<i64> = self
            .batches
            .iter()
            .flat_map(|batch| {
                serde_json::from_str::<Vec<&RawValue>>(&batch.updates)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|raw| serde_json::from_str::<Id>(raw.get()).ok())
                    .map(|id| id.update_id)
                    .filter(move |id| *id >= batch.first)
            })
            .filter(|id| !self.done.contains(id))
            .collect();
        ids.sort_unstable();
        ids
    }
}

impl Inbox {
    pub(super) fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Writes a polled batch: `updates` is the `getUpdates` answer as Telegram sent it (a JSON
    /// array), `first` the lowest update id in it at or above the offset it was asked with,
    /// `last` the highest. Updates below `first` were handed out before and do not count
    /// (here and when the batch is read back).
    pub(crate) async fn add_polled(
        &self,
        first: i64,
        last: i64,
        updates: &str,
    ) -> Result<(), StoreError> {
        self.add(first, last, updates).await.map(|_| ())
    }

    /// Writes a batch: the updates `first..=last` as a JSON array. `false` if a batch with
    /// that first id is there already (Telegram sent a webhook update again while it waits):
    /// it is queued only once.
    pub(crate) async fn add(
        &self,
        first: i64,
        last: i64,
        updates: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO inbox (first_id, last_id, updates, received_at) \
             VALUES (?1, ?2, ?3, unixepoch())",
        )
        .bind(first)
        .bind(last)
        .bind(updates)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks the updates `ids` done (answered, or dropped from a full backlog) and deletes the
    /// batches whose first ids are `finished` (with all their marks), in one statement. The
    /// ids of a finished batch need no mark.
    pub(crate) async fn done(&self, ids: &[i64], finished: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() && finished.is_empty() {
            return Ok(());
        }
        // One bound value whatever the number: a JSON array read by `json_each`; a finished
        // batch goes in as its negative first id (see the trigger in the migration).
        let mut list = String::with_capacity(12 * (ids.len() + finished.len()) + 2);
        list.push('[');
        for (i, id) in ids
            .iter()
            .copied()
            .chain(finished.iter().map(|first| -first))
            .enumerate()
        {
            if i > 0 {
                list.push(',');
            }
            let _ = write!(list, "{id}");
        }
        list.push(']');
        sqlx::query("INSERT OR IGNORE INTO inbox_done (update_id) SELECT value FROM json_each(?1)")
            .bind(list)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Everything the inbox holds, batches oldest first.
    pub async fn waiting(&self) -> Result<Waiting, StoreError> {
        let batches: Vec<Batch> = sqlx::query_as(
            "SELECT first_id AS first, updates, received_at FROM inbox ORDER BY first_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let done: Vec<i64> = sqlx::query_scalar("SELECT update_id FROM inbox_done")
            .fetch_all(&self.pool)
            .await?;
        Ok(Waiting {
            batches,
            done: done.into_iter().collect(),
        })
    }

    /// Whether the inbox holds nothing (no batch and no mark).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let rows: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM inbox) + (SELECT COUNT(*) FROM inbox_done)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(rows == 0)
    }

    /// The group `from` became the supergroup `to`: remembered for the updates of `from` that
    /// wait in the inbox (after a restart too).
    pub(crate) async fn chat_moved(&self, from: ChatId, to: ChatId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO chat_moves (from_chat, to_chat, moved_at) VALUES (?1, ?2, unixepoch()) \
             ON CONFLICT (from_chat) DO UPDATE SET to_chat = excluded.to_chat, \
             moved_at = excluded.moved_at",
        )
        .bind(from)
        .bind(to)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every group that became a supergroup: `(from, to)`.
    pub async fn chat_moves(&self) -> Result<Vec<(ChatId, ChatId)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT from_chat, to_chat FROM chat_moves ORDER BY moved_at")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The offset to poll from: one more than the last update written, if that was written
    /// less than [`OFFSET_MAX_AGE_SECS`] ago (`now` in unix seconds).
    pub(crate) async fn offset(&self, now: i64) -> Result<Option<i64>, StoreError> {
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

    fn batch(ids: std::ops::RangeInclusive<i64>) -> String {
        let updates: Vec<String> = ids
            .map(|id| format!(r#"{{"update_id":{id},"message":{{"text":"veselība"}}}}"#))
            .collect();
        format!("[{}]", updates.join(","))
    }

    #[tokio::test]
    async fn updates_wait_until_done_and_a_finished_batch_goes_with_its_marks() {
        let (_dir, inbox) = inbox().await;
        assert_eq!(inbox.offset(now()).await.unwrap(), None);
        assert!(inbox.add(10, 12, &batch(10..=12)).await.unwrap());
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(13));
        assert!(inbox.add(13, 13, &batch(13..=13)).await.unwrap());
        // The same webhook update again while it waits: not new.
        assert!(!inbox.add(13, 13, &batch(13..=13)).await.unwrap());
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(14));
        assert_eq!(inbox.waiting().await.unwrap().ids(), vec![10, 11, 12, 13]);

        inbox.done(&[10, 12], &[]).await.unwrap();
        let waiting = inbox.waiting().await.unwrap();
        assert_eq!(waiting.ids(), vec![11, 13]);
        assert_eq!(waiting.batches.len(), 2);
        // The first batch is finished: it goes with its marks, in the same statement as a
        // mark of the second batch.
        inbox.done(&[], &[10]).await.unwrap();
        let waiting = inbox.waiting().await.unwrap();
        assert_eq!(waiting.ids(), vec![13]);
        assert!(waiting.done.is_empty(), "{:?}", waiting.done);
        inbox.done(&[], &[13]).await.unwrap();
        assert!(inbox.is_empty().await.unwrap());
        // Finished batches do not move the offset back.
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(14));
    }

    #[tokio::test]
    async fn a_polled_batch_counts_from_its_first_id() {
        let (_dir, inbox) = inbox().await;
        // A server that ignores the offset hands out 8 and 9 again with 10.
        inbox.add_polled(10, 10, &batch(8..=10)).await.unwrap();
        assert_eq!(inbox.waiting().await.unwrap().ids(), vec![10]);
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(11));
        inbox.add_polled(11, 12, &batch(11..=12)).await.unwrap();
        let waiting = inbox.waiting().await.unwrap();
        assert_eq!(waiting.ids(), vec![10, 11, 12]);
        assert_eq!(waiting.batches.len(), 2);
        assert_eq!(inbox.offset(now()).await.unwrap(), Some(13));
    }

    #[tokio::test]
    async fn the_text_of_the_updates_is_kept_as_sent() {
        let (_dir, inbox) = inbox().await;
        let json = r#"[{"update_id":5,"message":{"text":"Vesel\u012bba \"x\" ā"}}]"#;
        inbox.add(5, 5, json).await.unwrap();
        let waiting = inbox.waiting().await.unwrap();
        assert_eq!(waiting.batches.len(), 1);
        assert_eq!(
            (
                waiting.batches[0].first,
                waiting.batches[0].updates.as_str()
            ),
            (5, json)
        );
        // With the time it arrived.
        let age = now() - waiting.batches[0].received_at;
        assert!((0..5).contains(&age), "received {age} s ago");
    }

    #[tokio::test]
    async fn an_old_offset_is_not_used() {
        let (_dir, inbox) = inbox().await;
        inbox.add(5, 5, &batch(5..=5)).await.unwrap();
        let day = OFFSET_MAX_AGE_SECS;
        assert_eq!(inbox.offset(now() + day - 60).await.unwrap(), Some(6));
        assert_eq!(inbox.offset(now() + day + 1).await.unwrap(), None);
    }

    #[tokio::test]
    async fn chat_moves_are_kept_and_a_second_move_replaces_the_first() {
        let (_dir, inbox) = inbox().await;
        assert!(inbox.chat_moves().await.unwrap().is_empty());
        inbox.chat_moved(ChatId(-5), ChatId(-1005)).await.unwrap();
        inbox.chat_moved(ChatId(-6), ChatId(-1006)).await.unwrap();
        inbox.chat_moved(ChatId(-5), ChatId(-1007)).await.unwrap();
        let mut moves = inbox.chat_moves().await.unwrap();
        moves.sort();
        assert_eq!(
            moves,
            vec![(ChatId(-6), ChatId(-1006)), (ChatId(-5), ChatId(-1007))]
        );
    }
}

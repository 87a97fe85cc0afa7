//! What chats follow (a ministry or an area of the content), and after a sync, for each
//! follower, the new consultations it follows: one message per follower per sync. A follow
//! is stored as the chat id and what it follows, nothing else.

use std::collections::BTreeMap;
use std::time::Duration;

use super::db::{Db, DbError};
use super::open::{Filter, OpenItem};
use crate::ids::ChatId;

/// What a chat can follow: the content's ministry or area, by id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Ministry(String),
    Area(String),
}

impl Target {
    fn kind(&self) -> &'static str {
        match self {
            Target::Ministry(_) => "ministry",
            Target::Area(_) => "area",
        }
    }

    fn id(&self) -> &str {
        match self {
            Target::Ministry(id) | Target::Area(id) => id,
        }
    }

    fn from_row(kind: &str, id: String) -> Option<Self> {
        match kind {
            "ministry" => Some(Target::Ministry(id)),
            "area" => Some(Target::Area(id)),
            _ => None,
        }
    }
}

/// `ministry vm`, `area veseliba`.
impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind(), self.id())
    }
}

/// What [`Db::follow`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    New,
    /// The chat followed it already.
    Already,
    /// The chat follows [`MAX_FOLLOWS`] things already; nothing was added.
    TooMany,
}

/// The most a chat may follow.
pub const MAX_FOLLOWS: usize = 50;

/// The new consultations one follower follows, for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub chat_id: ChatId,
    /// Closing soonest first; each once, even when the chat follows its ministry and its area.
    pub items: Vec<OpenItem>,
}

impl Db {
    /// `chat_id` follows `target` from now on.
    pub async fn follow(&self, chat_id: ChatId, target: &Target) -> Result<Followed, DbError> {
        let mut tx = self.pool.begin().await?;
        let has: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tap_follows WHERE chat_id = ?1")
            .bind(chat_id)
            .fetch_one(&mut *tx)
            .await?;
        let added = sqlx::query(
            "INSERT INTO tap_follows (chat_id, target, target_id) SELECT ?1, ?2, ?3 \
             WHERE ?4 < ?5 ON CONFLICT DO NOTHING",
        )
        .bind(chat_id)
        .bind(target.kind())
        .bind(target.id())
        .bind(has)
        .bind(MAX_FOLLOWS as i64)
        .execute(&mut *tx)
        .await?;
        let already: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM tap_follows WHERE chat_id = ?1 AND target = ?2 \
             AND target_id = ?3)",
        )
        .bind(chat_id)
        .bind(target.kind())
        .bind(target.id())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(match (added.rows_affected(), already) {
            (1, _) => Followed::New,
            (_, true) => Followed::Already,
            _ => Followed::TooMany,
        })
    }

    /// `chat_id` no longer follows `target`; whether it did.
    pub async fn unfollow(&self, chat_id: ChatId, target: &Target) -> Result<bool, DbError> {
        let done = sqlx::query(
            "DELETE FROM tap_follows WHERE chat_id = ?1 AND target = ?2 AND target_id = ?3",
        )
        .bind(chat_id)
        .bind(target.kind())
        .bind(target.id())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// What `chat_id` follows: ministries first, then areas, each by id.
    pub async fn follows(&self, chat_id: ChatId) -> Result<Vec<Target>, DbError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT target, target_id FROM tap_follows WHERE chat_id = ?1 \
             ORDER BY target DESC, target_id",
        )
        .bind(chat_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, id)| Target::from_row(&kind, id))
            .collect())
    }

    /// Deletes everything `chat_id` follows (`/forget`, or Telegram's 403 "blocked"); how many
    /// follows there were.
    pub async fn forget_chat(&self, chat_id: ChatId) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM tap_follows WHERE chat_id = ?1")
            .bind(chat_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// How many chats follow each ministry and each area (aggregate, no chat ids), most
    /// followed first.
    pub async fn follower_counts(&self) -> Result<Vec<(Target, i64)>, DbError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT target, target_id, COUNT(*) FROM tap_follows GROUP BY target, target_id \
             ORDER BY COUNT(*) DESC, target DESC, target_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, id, n)| Some((Target::from_row(&kind, id)?, n)))
            .collect())
    }

    /// For each chat that follows the ministry or an area of one of `new` (consultation ids,
    /// [`super::SyncReport::new_ids`]), those that are open on `today`: one digest per chat,
    /// chats in id order.
    pub async fn digests(&self, new: &[String], today: &str) -> Result<Vec<Digest>, DbError> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(new).unwrap_or_else(|_| "[]".into());
        let rows: Vec<(ChatId, String)> = sqlx::query_as(
            "SELECT f.chat_id, i.id FROM tap_follows f JOIN tap_items i \
             ON f.target = 'ministry' AND i.ministry_id = f.target_id \
             WHERE i.id IN (SELECT value FROM json_each(?1)) \
             UNION \
             SELECT f.chat_id, a.item_id FROM tap_follows f JOIN tap_item_areas a \
             ON f.target = 'area' AND a.area_id = f.target_id \
             WHERE a.item_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // The open consultations, read once, closing soonest first.
        let open = self
            .open_now(Filter::All, today, 0, Duration::MAX)
            .await?
            .items;
        let mut by_chat: BTreeMap<ChatId, Vec<&str>> = BTreeMap::new();
        for (chat_id, id) in &rows {
            by_chat.entry(*chat_id).or_default().push(id);
        }
        Ok(by_chat
            .into_iter()
            .filter_map(|(chat_id, ids)| {
                let items: Vec<OpenItem> = open
                    .iter()
                    .filter(|item| ids.contains(&item.id.as_str()))
                    .cloned()
                    .collect();
                (!items.is_empty()).then_some(Digest { chat_id, items })
            })
            .collect())
    }

    /// The policy areas of the consultations open on `today`, with how many carry each.
    pub(super) async fn open_policy_areas(
        &self,
        today: &str,
    ) -> Result<Vec<(String, usize)>, DbError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT p.name, COUNT(*) FROM tap_item_policy_areas p JOIN tap_items i \
             ON i.id = p.item_id WHERE i.ends >= ?1 AND i.gone_at IS NULL \
             GROUP BY p.name ORDER BY COUNT(*) DESC, p.name",
        )
        .bind(today)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, n)| (name, usize::try_from(n).unwrap_or(0)))
            .collect())
    }
}

//! The SQLite store: a cache of `content/` (one snapshot of the last good files, replaced in one
//! transaction and only when the files changed), the full-text index, the users' language
//! choice, the statistics, the reports of mistakes and the inbox of updates not answered yet.

mod import;
mod inbox;
mod read;
mod reports;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::collections::HashMap;

use sqlx::SqlitePool;

use crate::content::ContentHash;
use crate::ids::UserId;
use crate::lang::Lang;

pub use import::{ImportOutcome, SearchRow, SearchRows, SyncError};
pub use inbox::{Inbox, OFFSET_MAX_AGE_SECS, Waiting};
pub use read::CachedContent;
pub use reports::{KEEP_CLOSED_DAYS, NewReport, Report, Status as ReportStatus};

/// Errors of the store itself (not of the content).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database '{url}': {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot create the folder '{path}' for the database: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// SQLite's own check, or the cached content's hash, found the database damaged.
    #[error("the database is damaged: {0}")]
    Corrupt(String),
    /// The cached content cannot be served by this version of the bot: it was written by a
    /// version that reads other files, or it fails checks added since.
    #[error(
        "the content cached in the database cannot be used by this version ({0}); put valid \
         files in the content folder so that they are imported"
    )]
    Unusable(String),
    #[error("cannot encode the content for the cache: {0}")]
    Encode(serde_json::Error),
}

impl StoreError {
    /// Whether the database file is damaged (not a database, or a malformed image).
    pub fn is_corrupt(&self) -> bool {
        if let StoreError::Corrupt(_) = self {
            return true;
        }
        let text = self.to_string();
        text.contains("malformed") || text.contains("not a database") || text.contains("corrupt")
    }

    /// A hint for errors an operator can fix: a read-only file or folder, a full disk.
    pub(crate) fn hint(&self) -> Option<&'static str> {
        let text = self.to_string();
        if text.contains("readonly")
            || text.contains("read-only")
            || text.contains("unable to open")
        {
            Some(
                "the database file or its folder is not writable by this user (check DATABASE_URL and the permissions)",
            )
        } else if text.contains("disk is full") || text.contains("No space left") {
            Some(
                "the disk is full: free some space; the content can be rebuilt, nothing was half-written",
            )
        } else {
            None
        }
    }
}

/// The file of a `sqlite:` URL, unless it is in memory.
pub(crate) fn database_file(url: &str) -> Option<std::path::PathBuf> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let file = options.get_filename();
    (file != Path::new(":memory:") && !file.as_os_str().is_empty()).then(|| file.to_path_buf())
}

/// The embedded migrations under `migrations/`.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// The users' language choices (write-through): every request needs one, and it is the
    /// only per-user read. Bounded by [`MAX_CACHED_USERS`].
    languages: std::sync::Arc<std::sync::RwLock<Languages>>,
}

/// The cached language choices.
#[derive(Debug, Default)]
struct Languages {
    by_user: HashMap<UserId, Option<Lang>>,
    /// Every stored choice is in `by_user`, so a user missing there chose nothing and the
    /// database need not be asked.
    complete: bool,
}

/// Above this many cached language choices the cache starts over (about 3 MB).
const MAX_CACHED_USERS: usize = 100_000;

/// Which content is cached, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentInfo {
    pub hash: ContentHash,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub imported_at: String,
}

/// How much content is cached.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct ContentCounts {
    pub lessons: i64,
    pub sections: i64,
    pub ministries: i64,
    pub contacts: i64,
    /// The oldest `verified` date among contacts that have one.
    pub oldest_contact_verified: Option<String>,
    /// Contacts that nobody has verified yet.
    pub contacts_never_verified: i64,
}

/// A full-text hit.
#[derive(sqlx::FromRow)]
struct Hit {
    item: String,
    title: String,
}

/// One stored counter.
#[derive(sqlx::FromRow)]
struct Counter {
    day: String,
    metric: String,
    key: String,
    count: i64,
}

/// One stored language choice.
#[derive(sqlx::FromRow)]
struct Choice {
    user_id: UserId,
    language: String,
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `url` in WAL mode with a busy timeout
    /// and foreign keys on, and applies the embedded migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_string(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(open_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let file = options.get_filename();
        if file != Path::new(":memory:")
            && let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            languages: Default::default(),
        })
    }

    /// SQLite's own quick integrity check.
    pub async fn quick_check(&self) -> Result<bool, StoreError> {
        let result: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&self.pool)
            .await?;
        Ok(result == "ok")
    }

    /// Closes the pool (before the file is moved away).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connection pool (for tests and maintenance).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The inbox of updates received and not answered yet.
    pub fn inbox(&self) -> Inbox {
        Inbox::new(self.pool.clone())
    }

    /// What is cached, or `None` before the first successful import.
    pub async fn content_info(&self) -> Result<Option<ContentInfo>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            hash: String,
            imported_at: String,
        }
        let row: Option<Row> =
            sqlx::query_as("SELECT hash, imported_at FROM content_snapshot WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|row| ContentInfo {
            hash: ContentHash::from(row.hash),
            imported_at: row.imported_at,
        }))
    }

    /// Full-text search in one language: `(item, title)` best first, titles weighing ten times
    /// the body. `query` must be a valid FTS5 expression (the engine builds it from words).
    pub(crate) async fn search(
        &self,
        query: &str,
        lang: Lang,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let hits: Vec<Hit> = sqlx::query_as(
            "SELECT item, title FROM search WHERE search MATCH ?1 AND lang = ?2 \
             ORDER BY bm25(search, 0.0, 0.0, 10.0, 1.0) LIMIT ?3",
        )
        .bind(query)
        .bind(lang.code())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(hits.into_iter().map(|hit| (hit.item, hit.title)).collect())
    }

    /// Adds `(metric, key, count)` rows to the counters of `day`, in one transaction.
    pub(crate) async fn add_stats(
        &self,
        day: &str,
        rows: &[(String, String, i64)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for (metric, key, count) in rows {
            sqlx::query(
                "INSERT INTO stats_daily (day, metric, key, count) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (day, metric, key) DO UPDATE SET count = count + excluded.count",
            )
            .bind(day)
            .bind(metric)
            .bind(key)
            .bind(count)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every counter from `day` on: `(day, metric, key, count)`.
    pub(crate) async fn stats_since(
        &self,
        day: &str,
    ) -> Result<Vec<(String, String, String, i64)>, StoreError> {
        let counters: Vec<Counter> = sqlx::query_as(
            "SELECT day, metric, key, count FROM stats_daily WHERE day >= ?1 ORDER BY day",
        )
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        Ok(counters
            .into_iter()
            .map(|c| (c.day, c.metric, c.key, c.count))
            .collect())
    }

    /// The bot's Telegram username as getMe last reported it, if the bot has run.
    pub(crate) async fn bot_username(&self) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT username FROM bot_username WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Remembers the bot's Telegram username (see [`Store::bot_username`]).
    pub(crate) async fn set_bot_username(&self, username: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO bot_username (id, username) VALUES (1, ?1) \
             ON CONFLICT (id) DO UPDATE SET username = excluded.username",
        )
        .bind(username)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes everything stored about a user: their language choice, and their consent to be
    /// contacted about their reports (the reports stay, with no link to them).
    pub async fn forget(&self, user_id: UserId) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let prefs = sqlx::query("DELETE FROM user_prefs WHERE user_id = ?1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // The reports that carry the id (sent with consent to be contacted) go with it; the
        // others never held an id, so nothing ties them to the person.
        let reports = sqlx::query("DELETE FROM reports WHERE contact_user_id = ?1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.remember_language(user_id, None);
        Ok(prefs.rows_affected() + reports.rows_affected() > 0)
    }

    /// Counts of the cached content, for health checks: lessons, sections, ministries,
    /// contacts, the oldest verification of a contact and how many were never verified (all
    /// zero before the first import).
    pub async fn content_counts(&self) -> Result<ContentCounts, StoreError> {
        let counts = sqlx::query_as(
            "SELECT lessons, sections, ministries, contacts, oldest_contact_verified, \
             contacts_never_verified FROM content_snapshot WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(counts.unwrap_or_default())
    }

    /// The language a user chose, if any.
    pub async fn language(&self, user_id: UserId) -> Result<Option<Lang>, StoreError> {
        {
            let cache = self.languages.read().unwrap_or_else(|e| e.into_inner());
            if let Some(known) = cache.by_user.get(&user_id) {
                return Ok(*known);
            }
            if cache.complete {
                return Ok(None);
            }
        }
        let lang = Box::pin(self.read_language(user_id)).await?;
        self.remember_language(user_id, lang);
        Ok(lang)
    }

    /// Reads every stored language choice into memory, if there are at most
    /// [`MAX_CACHED_USERS`]; from then on no request reads the database for a language.
    /// Returns how many choices were read.
    pub async fn load_languages(&self) -> Result<usize, StoreError> {
        let limit = i64::try_from(MAX_CACHED_USERS).unwrap_or(i64::MAX);
        let rows: Vec<Choice> = sqlx::query_as("SELECT user_id, language FROM user_prefs LIMIT ?1")
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        if rows.len() > MAX_CACHED_USERS {
            return Ok(0);
        }
        let mut cache = self.languages.write().unwrap_or_else(|e| e.into_inner());
        for choice in &rows {
            // A choice made while the rows were read is newer: keep it.
            cache
                .by_user
                .entry(choice.user_id)
                .or_insert_with(|| choice.language.parse().ok());
        }
        cache.complete = true;
        Ok(rows.len())
    }

    fn remember_language(&self, user_id: UserId, lang: Option<Lang>) {
        let mut cache = self.languages.write().unwrap_or_else(|e| e.into_inner());
        if cache.by_user.len() >= MAX_CACHED_USERS {
            cache.by_user.clear();
            cache.complete = false;
        }
        if lang.is_none() && cache.complete {
            cache.by_user.remove(&user_id);
        } else {
            cache.by_user.insert(user_id, lang);
        }
    }

    async fn read_language(&self, user_id: UserId) -> Result<Option<Lang>, StoreError> {
        let code: Option<String> =
            sqlx::query_scalar("SELECT language FROM user_prefs WHERE user_id = ?1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(code.and_then(|c| c.parse().ok()))
    }

    /// Stores the language a user chose.
    pub async fn set_language(&self, user_id: UserId, lang: Lang) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO user_prefs (user_id, language) VALUES (?1, ?2) \
             ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
        )
        .bind(user_id)
        .bind(lang.code())
        .execute(&self.pool)
        .await?;
        self.remember_language(user_id, Some(lang));
        Ok(())
    }
}

//! The SQLite store: a cache of `content/` (imported in one transaction, only when the files
//! changed) and the users' language choice.

mod import;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::collections::HashMap;

use sqlx::{Row, SqlitePool};

use crate::content::{Area, Contact, Lesson, Ministry, Resource, Section, Series, Text};
use crate::lang::Lang;

pub use import::{ImportOutcome, SyncError};

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
}

impl StoreError {
    /// Whether the database file is damaged (not a database, or a malformed image).
    pub fn is_corrupt(&self) -> bool {
        let text = self.to_string();
        text.contains("malformed") || text.contains("not a database") || text.contains("corrupt")
    }

    /// A hint for errors an operator can fix: a read-only file or folder, a full disk.
    pub fn hint(&self) -> Option<&'static str> {
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
pub fn database_file(url: &str) -> Option<std::path::PathBuf> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let file = options.get_filename();
    (file != Path::new(":memory:") && !file.as_os_str().is_empty()).then(|| file.to_path_buf())
}

/// The embedded migrations under `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// The users' language choices seen so far (write-through): every request needs one, and
    /// it is the only per-user read. Bounded by [`MAX_CACHED_USERS`].
    languages: std::sync::Arc<std::sync::RwLock<HashMap<i64, Option<Lang>>>>,
}

/// Above this many cached language choices the cache starts over (about 3 MB).
const MAX_CACHED_USERS: usize = 100_000;

/// What `content_state` says about the cached content.
#[derive(Debug, Clone)]
pub struct ContentInfo {
    pub hash: String,
    pub imported_at: String,
    pub content_date: String,
    pub source_url: String,
    pub source_name: Text,
    pub about: Text,
    pub fallback: String,
}

/// How much content is cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentCounts {
    pub lessons: i64,
    pub sections: i64,
    pub ministries: i64,
    pub contacts: i64,
    pub oldest_contact_check: Option<String>,
}

/// One lookup name from the cache.
#[derive(Debug, Clone)]
pub struct AliasRow {
    pub alias: String,
    pub ministry_id: String,
    pub area_id: Option<String>,
    pub is_abbr: bool,
}

/// A ministry as listed in menus.
#[derive(Debug, Clone)]
pub struct MinistryBrief {
    pub id: String,
    pub abbr: String,
    pub name: Text,
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

    /// What is cached, or `None` before the first successful import.
    pub async fn content_info(&self) -> Result<Option<ContentInfo>, StoreError> {
        let row = sqlx::query(
            "SELECT hash, imported_at, content_date, source_url, source_lv, source_en, \
             about_lv, about_en, fallback FROM content_state WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| ContentInfo {
            hash: r.get(0),
            imported_at: r.get(1),
            content_date: r.get(2),
            source_url: r.get(3),
            source_name: text(&r, 4),
            about: text(&r, 6),
            fallback: r.get(8),
        }))
    }

    /// Every lookup name with its target.
    pub async fn aliases(&self) -> Result<Vec<AliasRow>, StoreError> {
        let rows = sqlx::query("SELECT alias, ministry_id, area_id, is_abbr FROM aliases")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| AliasRow {
                alias: r.get(0),
                ministry_id: r.get(1),
                area_id: r.get(2),
                is_abbr: r.get::<i64, _>(3) != 0,
            })
            .collect())
    }

    /// The UI strings by key.
    pub async fn ui_strings(&self) -> Result<Vec<(String, Text)>, StoreError> {
        let rows = sqlx::query("SELECT key, lv, en FROM ui_strings")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), text(r, 1))).collect())
    }

    /// The lesson series.
    pub async fn series(&self) -> Result<Option<Series>, StoreError> {
        let row = sqlx::query(
            "SELECT name, lecturer, guests, about_lv, about_en, recordings_lv, recordings_en, \
             sources FROM series WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| Series {
            name: r.get(0),
            lecturer: r.get(1),
            guests: lines(r.get(2)),
            about: text(&r, 3),
            recordings: text(&r, 5),
            sources: lines(r.get(7)),
        }))
    }

    /// All lessons in order, or only lesson `number`.
    pub async fn lessons(&self, number: Option<u8>) -> Result<Vec<Lesson>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, area_id, title_lv, title_en, learn_lv, learn_en, date, guest, video, \
             sources FROM lessons WHERE ?1 IS NULL OR number = ?1 ORDER BY number",
        )
        .bind(number.map(i64::from))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Lesson {
                number: u8::try_from(r.get::<i64, _>(0)).unwrap_or(u8::MAX),
                area: r.get(1),
                title: text(r, 2),
                learn: text(r, 4),
                date: r.get(6),
                guest: r.get(7),
                video: r.get(8),
                sources: lines(r.get(9)),
            })
            .collect())
    }

    /// Titled texts of `kind` (`section` or `tip`), all or only `id`.
    pub async fn sections(&self, kind: &str, id: Option<&str>) -> Result<Vec<Section>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, title_lv, title_en, body_lv, body_en, sources FROM sections \
             WHERE kind = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY position",
        )
        .bind(kind)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Section {
                id: r.get(0),
                title: text(r, 1),
                body: text(r, 3),
                sources: lines(r.get(5)),
            })
            .collect())
    }

    /// A single text by key, with its sources.
    pub async fn text(&self, key: &str) -> Result<Option<(Text, Vec<String>)>, StoreError> {
        let row = sqlx::query("SELECT lv, en, sources FROM texts WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (text(&r, 0), lines(r.get(2)))))
    }

    /// The general resources.
    pub async fn resources(&self) -> Result<Vec<Resource>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, title_lv, title_en, description_lv, description_en, url, sources \
             FROM resources ORDER BY position",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Resource {
                id: r.get(0),
                title: text(r, 1),
                description: text(r, 3),
                url: r.get(5),
                sources: lines(r.get(6)),
            })
            .collect())
    }

    /// All ministries in content order, for menus.
    pub async fn ministry_list(&self) -> Result<Vec<MinistryBrief>, StoreError> {
        let rows =
            sqlx::query("SELECT id, abbr, name_lv, name_en FROM ministries ORDER BY position")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| MinistryBrief {
                id: r.get(0),
                abbr: r.get(1),
                name: text(r, 2),
            })
            .collect())
    }

    /// Every area's id and name.
    pub async fn area_names(&self) -> Result<Vec<(String, Text)>, StoreError> {
        let rows = sqlx::query("SELECT id, name_lv, name_en FROM areas")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), text(r, 1))).collect())
    }

    /// Ministries with their participation pages, for the resource list.
    pub async fn participation_pages(&self) -> Result<Vec<(MinistryBrief, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, abbr, name_lv, name_en, participation_page FROM ministries \
             WHERE participation_page IS NOT NULL ORDER BY position",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    MinistryBrief {
                        id: r.get(0),
                        abbr: r.get(1),
                        name: text(r, 2),
                    },
                    r.get(4),
                )
            })
            .collect())
    }

    /// One ministry with its areas and contacts.
    pub async fn ministry(&self, id: &str) -> Result<Option<Ministry>, StoreError> {
        Ok(self.ministry_card(id).await?.map(|(m, _)| m))
    }

    /// One ministry with its areas and contacts, and the lessons on its areas
    /// (`(number, title)`), read in a single query: each query costs a round trip to
    /// SQLite's worker thread, and a card is the most frequent reply.
    pub async fn ministry_card(
        &self,
        id: &str,
    ) -> Result<Option<(Ministry, Vec<(u8, Text)>)>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT m.id, m.abbr, m.name_lv, m.name_en, m.website, m.participation_page, \
               m.note_lv, m.note_en, m.sources, \
               (SELECT json_group_array(json_array(a.id, a.name_lv, a.name_en, a.note_lv, a.note_en)) \
                  FROM (SELECT * FROM areas WHERE ministry_id = m.id ORDER BY position) a), \
               (SELECT json_group_array(json_array(c.name, c.unit_lv, c.unit_en, c.role_lv, c.role_en, \
                  c.email, c.phone, c.address, c.source, c.checked)) \
                  FROM (SELECT * FROM contacts WHERE ministry_id = m.id ORDER BY position) c), \
               (SELECT json_group_array(json_array(l.number, l.title_lv, l.title_en)) \
                  FROM (SELECT lessons.* FROM lessons JOIN areas ON areas.id = lessons.area_id \
                        WHERE areas.ministry_id = m.id ORDER BY lessons.number) l) \
             FROM ministries m WHERE m.id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let rows = |i: usize| -> Vec<Vec<serde_json::Value>> {
            serde_json::from_str(&r.get::<String, _>(i)).unwrap_or_default()
        };
        let s = |v: &serde_json::Value| v.as_str().map(str::to_string);
        let pair = |lv: &serde_json::Value, en: &serde_json::Value| {
            Some(Text {
                lv: s(lv)?,
                en: s(en)?,
            })
        };
        let areas = rows(9)
            .iter()
            .filter(|a| a.len() == 5)
            .map(|a| Area {
                id: s(&a[0]).unwrap_or_default(),
                name: pair(&a[1], &a[2]).unwrap_or_default(),
                aliases: Vec::new(),
                note: pair(&a[3], &a[4]),
            })
            .collect();
        let contacts = rows(10)
            .iter()
            .filter(|c| c.len() == 10)
            .map(|c| Contact {
                name: s(&c[0]),
                unit: pair(&c[1], &c[2]),
                role: pair(&c[3], &c[4]),
                email: s(&c[5]),
                phone: s(&c[6]),
                address: s(&c[7]),
                source: s(&c[8]).unwrap_or_default(),
                checked: s(&c[9]).unwrap_or_default(),
            })
            .collect();
        let lessons = rows(11)
            .iter()
            .filter(|l| l.len() == 3)
            .filter_map(|l| {
                let number = u8::try_from(l[0].as_u64()?).ok()?;
                Some((number, pair(&l[1], &l[2])?))
            })
            .collect();
        let ministry = Ministry {
            id: r.get(0),
            abbr: r.get(1),
            name: text(&r, 2),
            website: r.get(4),
            participation_page: r.get(5),
            aliases: Vec::new(),
            note: opt_text(&r, 6),
            sources: lines(r.get(8)),
            areas,
            contacts,
        };
        Ok(Some((ministry, lessons)))
    }

    /// An area and the id of the ministry that leads it.
    pub async fn area(&self, id: &str) -> Result<Option<(Area, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name_lv, name_en, note_lv, note_en, ministry_id FROM areas WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|a| {
            (
                Area {
                    id: a.get(0),
                    name: text(&a, 1),
                    aliases: Vec::new(),
                    note: opt_text(&a, 3),
                },
                a.get(5),
            )
        }))
    }

    /// Full-text search in one language: `(item, title)` best first, titles weighing ten times
    /// the body. `query` must be a valid FTS5 expression (the engine builds it from words).
    pub async fn search(
        &self,
        query: &str,
        lang: Lang,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT item, title FROM search WHERE search MATCH ?1 AND lang = ?2 \
             ORDER BY bm25(search, 0.0, 0.0, 10.0, 1.0) LIMIT ?3",
        )
        .bind(query)
        .bind(lang.code())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Every indexed word (folded), for the typo fallback of search.
    pub async fn search_terms(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT term FROM search_vocab")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Adds `(metric, key, count)` rows to the counters of `day`, in one transaction.
    pub async fn add_stats(
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
    pub async fn stats_since(
        &self,
        day: &str,
    ) -> Result<Vec<(String, String, String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, metric, key, count FROM stats_daily WHERE day >= ?1 ORDER BY day",
        )
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }

    /// Deletes everything stored about a user (their language choice, the only thing kept).
    pub async fn forget(&self, user_id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM user_prefs WHERE user_id = ?1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        self.remember_language(user_id, None);
        Ok(done.rows_affected() > 0)
    }

    /// Counts of the cached content, for health checks: lessons, sections, ministries,
    /// contacts, and the oldest "checked" date among contacts.
    pub async fn content_counts(&self) -> Result<ContentCounts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM lessons), (SELECT COUNT(*) FROM sections WHERE kind = 'section'), \
             (SELECT COUNT(*) FROM ministries), (SELECT COUNT(*) FROM contacts), \
             (SELECT MIN(checked) FROM contacts)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(ContentCounts {
            lessons: row.get(0),
            sections: row.get(1),
            ministries: row.get(2),
            contacts: row.get(3),
            oldest_contact_check: row.get(4),
        })
    }

    /// The language a user chose, if any.
    pub async fn language(&self, user_id: i64) -> Result<Option<Lang>, StoreError> {
        if let Some(known) = self.cached_language(user_id) {
            return Ok(known);
        }
        let lang = self.read_language(user_id).await?;
        self.remember_language(user_id, lang);
        Ok(lang)
    }

    fn cached_language(&self, user_id: i64) -> Option<Option<Lang>> {
        let cache = self.languages.read().unwrap_or_else(|e| e.into_inner());
        cache.get(&user_id).copied()
    }

    fn remember_language(&self, user_id: i64, lang: Option<Lang>) {
        let mut cache = self.languages.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= MAX_CACHED_USERS {
            cache.clear();
        }
        cache.insert(user_id, lang);
    }

    async fn read_language(&self, user_id: i64) -> Result<Option<Lang>, StoreError> {
        let code: Option<String> =
            sqlx::query_scalar("SELECT language FROM user_prefs WHERE user_id = ?1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(code.and_then(|c| c.parse().ok()))
    }

    /// Stores the language a user chose.
    pub async fn set_language(&self, user_id: i64, lang: Lang) -> Result<(), StoreError> {
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

fn text(row: &sqlx::sqlite::SqliteRow, first: usize) -> Text {
    Text {
        lv: row.get(first),
        en: row.get(first + 1),
    }
}

fn opt_text(row: &sqlx::sqlite::SqliteRow, first: usize) -> Option<Text> {
    let lv: Option<String> = row.get(first);
    let en: Option<String> = row.get(first + 1);
    Some(Text { lv: lv?, en: en? })
}

fn lines(joined: String) -> Vec<String> {
    joined
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

//! Import of `content/` into the cache: hash the files; unchanged → nothing to do; changed →
//! parse, validate, replace every content table in one transaction. Invalid content never
//! touches the cache.

use std::path::Path;

use sqlx::{Sqlite, Transaction};

use super::{Store, StoreError};
use crate::content::{Content, ContentErrors, Snapshot, Text};
use crate::fold;
use crate::lang::Lang;

/// One row of the full-text index: an item in one language. `item` is opaque to the store: the
/// engine names with it what a hit opens, and builds the rows ([`SearchRows`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    pub item: String,
    pub lang: Lang,
    pub title: String,
    pub body: String,
}

/// Builds the full-text rows of a content; the store writes them in the import's transaction.
pub type SearchRows = fn(&Content) -> Vec<SearchRow>;

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The files hash to what is cached; nothing was read beyond the hash.
    Unchanged { hash: String },
    /// New content replaced the cache.
    Imported {
        hash: String,
        lessons: usize,
        ministries: usize,
        contacts: usize,
    },
}

impl ImportOutcome {
    /// The hash of the content now cached.
    pub fn hash(&self) -> &str {
        match self {
            ImportOutcome::Unchanged { hash } | ImportOutcome::Imported { hash, .. } => hash,
        }
    }
}

/// Why a sync did not import.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The content is invalid. `cached` is the hash of the last good content still served, if
    /// there is one.
    #[error("{errors}")]
    Content {
        errors: ContentErrors,
        cached: Option<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SyncError {
    fn from(err: sqlx::Error) -> Self {
        SyncError::Store(StoreError::Query(err))
    }
}

impl Store {
    /// Brings the cache in line with the content directory `dir`; `search_rows` builds the
    /// full-text index of new content.
    pub async fn sync(
        &self,
        dir: &Path,
        search_rows: SearchRows,
    ) -> Result<ImportOutcome, SyncError> {
        let cached = self.content_info().await?.map(|info| info.hash);
        let snapshot = match Snapshot::read(dir) {
            Ok(snapshot) => snapshot,
            Err(errors) => return Err(SyncError::Content { errors, cached }),
        };
        if cached.as_deref() == Some(snapshot.hash.as_str()) {
            return Ok(ImportOutcome::Unchanged {
                hash: snapshot.hash,
            });
        }
        let content = match snapshot.parse() {
            Ok(content) => content,
            Err(errors) => return Err(SyncError::Content { errors, cached }),
        };
        self.replace(&content, &snapshot.hash, &search_rows(&content))
            .await?;
        Ok(ImportOutcome::Imported {
            hash: snapshot.hash,
            lessons: content.lessons.len(),
            ministries: content.ministries.len(),
            contacts: content.ministries.iter().map(|m| m.contacts.len()).sum(),
        })
    }

    /// Replaces every content table with `content` (and the full-text index with `rows`) in
    /// one transaction.
    pub async fn replace(
        &self,
        content: &Content,
        hash: &str,
        rows: &[SearchRow],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "lessons",
            "contacts",
            "aliases",
            "areas",
            "ministries",
            "sections",
            "texts",
            "resources",
            "ui_strings",
            "series",
            "content_state",
            // The full-text index too: rows of texts that are gone would still be found.
            "search",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        write_content(&mut tx, content, hash).await?;
        write_search_index(&mut tx, rows).await?;
        tx.commit().await
    }
}

async fn write_content(
    tx: &mut Transaction<'_, Sqlite>,
    c: &Content,
    hash: &str,
) -> Result<(), sqlx::Error> {
    let now = crate::clock::now_utc();
    sqlx::query(
        "INSERT INTO content_state (id, hash, imported_at, content_date, source_url, source_lv, \
         source_en, about_lv, about_en, fallback) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(hash)
    .bind(now)
    .bind(&c.meta.content_date)
    .bind(&c.meta.source_url)
    .bind(&c.meta.source_name.lv)
    .bind(&c.meta.source_name.en)
    .bind(&c.meta.about.lv)
    .bind(&c.meta.about.en)
    .bind(&c.meta.fallback)
    .execute(&mut **tx)
    .await?;

    let s = &c.series;
    sqlx::query(
        "INSERT INTO series (id, name, lecturer, guests, about_lv, about_en, recordings_lv, \
         recordings_en, sources) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&s.name)
    .bind(&s.lecturer)
    .bind(s.guests.join("\n"))
    .bind(&s.about.lv)
    .bind(&s.about.en)
    .bind(&s.recordings.lv)
    .bind(&s.recordings.en)
    .bind(s.sources.join("\n"))
    .execute(&mut **tx)
    .await?;

    for (position, m) in c.ministries.iter().enumerate() {
        sqlx::query(
            "INSERT INTO ministries (id, position, abbr, name_lv, name_en, website, \
             participation_page, note_lv, note_en, sources, file, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .bind(&m.id)
        .bind(position as i64)
        .bind(&m.abbr)
        .bind(&m.name.lv)
        .bind(&m.name.en)
        .bind(&m.website)
        .bind(&m.participation_page)
        .bind(m.note.as_ref().map(|t| &t.lv))
        .bind(m.note.as_ref().map(|t| &t.en))
        .bind(m.sources.join("\n"))
        .bind(&m.place.file)
        .bind(line(m.place.line))
        .execute(&mut **tx)
        .await?;
        insert_alias(tx, &m.abbr, &m.id, None, true).await?;
        for alias in [&m.name.lv, &m.name.en].into_iter().chain(&m.aliases) {
            insert_alias(tx, alias, &m.id, None, false).await?;
        }
        for (position, a) in m.areas.iter().enumerate() {
            sqlx::query(
                "INSERT INTO areas (id, ministry_id, position, name_lv, name_en, note_lv, note_en, \
                 sources, file, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .bind(&a.id)
            .bind(&m.id)
            .bind(position as i64)
            .bind(&a.name.lv)
            .bind(&a.name.en)
            .bind(a.note.as_ref().map(|t| &t.lv))
            .bind(a.note.as_ref().map(|t| &t.en))
            .bind(a.sources.join("\n"))
            .bind(&a.place.file)
            .bind(line(a.place.line))
            .execute(&mut **tx)
            .await?;
            for alias in [&a.name.lv, &a.name.en].into_iter().chain(&a.aliases) {
                insert_alias(tx, alias, &m.id, Some(&a.id), fold::is_abbreviation(alias)).await?;
            }
        }
        for (position, k) in m.contacts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO contacts (ministry_id, position, kind, name, unit_lv, unit_en, \
                 role_lv, role_en, email, phone, address, source, source_date, verified, file, \
                 line) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )
            .bind(&m.id)
            .bind(position as i64)
            .bind(k.kind.as_str())
            .bind(&k.name)
            .bind(k.unit.as_ref().map(|t| &t.lv))
            .bind(k.unit.as_ref().map(|t| &t.en))
            .bind(k.role.as_ref().map(|t| &t.lv))
            .bind(k.role.as_ref().map(|t| &t.en))
            .bind(&k.email)
            .bind(&k.phone)
            .bind(&k.address)
            .bind(&k.source)
            .bind(&k.source_date)
            .bind(&k.verified)
            .bind(&k.place.file)
            .bind(line(k.place.line))
            .execute(&mut **tx)
            .await?;
        }
    }

    for l in &c.lessons {
        sqlx::query(
            "INSERT INTO lessons (number, area_id, title_lv, title_en, learn_lv, learn_en, date, \
             guest, video, sources, file, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .bind(i64::from(l.number))
        .bind(&l.area)
        .bind(&l.title.lv)
        .bind(&l.title.en)
        .bind(&l.learn.lv)
        .bind(&l.learn.en)
        .bind(&l.date)
        .bind(&l.guest)
        .bind(&l.video)
        .bind(l.sources.join("\n"))
        .bind(&l.place.file)
        .bind(line(l.place.line))
        .execute(&mut **tx)
        .await?;
    }

    let kinds = [
        ("section", &c.guidelines.sections),
        ("tip", &c.specialists.tips),
    ];
    for (kind, sections) in kinds {
        for (position, s) in sections.iter().enumerate() {
            sqlx::query(
                "INSERT INTO sections (kind, id, position, title_lv, title_en, body_lv, body_en, \
                 sources, file, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .bind(kind)
            .bind(&s.id)
            .bind(position as i64)
            .bind(&s.title.lv)
            .bind(&s.title.en)
            .bind(&s.body.lv)
            .bind(&s.body.en)
            .bind(s.sources.join("\n"))
            .bind(&s.place.file)
            .bind(line(s.place.line))
            .execute(&mut **tx)
            .await?;
        }
    }

    let texts: [(&str, &Text, &[String]); 3] = [
        (
            "guidelines.title",
            &c.guidelines.title,
            &c.guidelines.sources,
        ),
        (
            "guidelines.intro",
            &c.guidelines.intro,
            &c.guidelines.sources,
        ),
        (
            "specialists.title",
            &c.specialists.title,
            &c.specialists.sources,
        ),
    ];
    for (key, text, sources) in texts {
        sqlx::query("INSERT INTO texts (key, lv, en, sources) VALUES (?1, ?2, ?3, ?4)")
            .bind(key)
            .bind(&text.lv)
            .bind(&text.en)
            .bind(sources.join("\n"))
            .execute(&mut **tx)
            .await?;
    }

    for (position, r) in c.resources.iter().enumerate() {
        sqlx::query(
            "INSERT INTO resources (id, position, title_lv, title_en, description_lv, \
             description_en, url, sources, file, line) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(&r.id)
        .bind(position as i64)
        .bind(&r.title.lv)
        .bind(&r.title.en)
        .bind(&r.description.lv)
        .bind(&r.description.en)
        .bind(&r.url)
        .bind(r.sources.join("\n"))
        .bind(&r.place.file)
        .bind(line(r.place.line))
        .execute(&mut **tx)
        .await?;
    }

    for (key, text) in &c.ui {
        sqlx::query("INSERT INTO ui_strings (key, lv, en) VALUES (?1, ?2, ?3)")
            .bind(key)
            .bind(&text.lv)
            .bind(&text.en)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The full-text rows, as the engine built them.
async fn write_search_index(
    tx: &mut Transaction<'_, Sqlite>,
    rows: &[SearchRow],
) -> Result<(), sqlx::Error> {
    for row in rows {
        sqlx::query("INSERT INTO search (item, lang, title, body) VALUES (?1, ?2, ?3, ?4)")
            .bind(&row.item)
            .bind(row.lang.code())
            .bind(&row.title)
            .bind(&row.body)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A line number as SQLite stores it.
fn line(line: usize) -> i64 {
    i64::try_from(line).unwrap_or(i64::MAX)
}

async fn insert_alias(
    tx: &mut Transaction<'_, Sqlite>,
    alias: &str,
    ministry: &str,
    area: Option<&str>,
    is_abbr: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO aliases (alias, ministry_id, area_id, is_abbr) VALUES (?1, ?2, ?3, ?4)",
    )
    .bind(alias)
    .bind(ministry)
    .bind(area)
    .bind(i64::from(is_abbr))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

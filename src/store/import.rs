//! Import of `content/` into the cache: hash the files; unchanged → nothing to do; changed →
//! parse, validate, replace every content table in one transaction. Invalid content never
//! touches the cache.

use std::path::Path;

use sqlx::{Sqlite, Transaction};

use super::{Store, StoreError};
use crate::content::{Content, ContentErrors, Snapshot, Text};

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
    /// Brings the cache in line with the content directory `dir`.
    pub async fn sync(&self, dir: &Path) -> Result<ImportOutcome, SyncError> {
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
        self.replace(&content, &snapshot.hash).await?;
        Ok(ImportOutcome::Imported {
            hash: snapshot.hash,
            lessons: content.lessons.len(),
            ministries: content.ministries.len(),
            contacts: content.ministries.iter().map(|m| m.contacts.len()).sum(),
        })
    }

    /// Replaces every content table with `content` in one transaction.
    pub async fn replace(&self, content: &Content, hash: &str) -> Result<(), sqlx::Error> {
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
                insert_alias(tx, alias, &m.id, Some(&a.id), false).await?;
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

    write_search_index(tx, c).await?;

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

/// One full-text row per item and language; `item` is the item's callback data.
async fn write_search_index(
    tx: &mut Transaction<'_, Sqlite>,
    c: &Content,
) -> Result<(), sqlx::Error> {
    use crate::engine::Action;
    use crate::lang::Lang;
    let mut rows: Vec<(String, Lang, String, String)> = Vec::new();
    for lang in [Lang::Lv, Lang::En] {
        let mut add = |action: Action, title: String, body: String| {
            rows.push((action.encode(), lang, title, body));
        };
        add(
            Action::Lessons,
            c.series.name.clone(),
            format!(
                "{} {} {}",
                c.series.about.get(lang),
                c.series.lecturer,
                c.series.guests.join(" ")
            ),
        );
        add(
            Action::Guidelines,
            c.guidelines.title.get(lang).to_string(),
            c.guidelines.intro.get(lang).to_string(),
        );
        for l in &c.lessons {
            let area = c
                .ministries
                .iter()
                .find_map(|m| m.areas.iter().find(|a| a.id == l.area).map(|a| (a, m)));
            let (area_name, ministry) = area.map_or((String::new(), String::new()), |(a, m)| {
                (
                    a.name.get(lang).to_string(),
                    format!("{} {}", m.name.get(lang), m.abbr),
                )
            });
            add(
                Action::Lesson(l.number),
                format!("{}. {}", l.number, l.title.get(lang)),
                format!("{area_name} {ministry} {}", l.learn.get(lang)),
            );
        }
        for s in &c.guidelines.sections {
            add(
                Action::Section(s.id.clone()),
                s.title.get(lang).to_string(),
                s.body.get(lang).to_string(),
            );
        }
        for m in &c.ministries {
            let mut body = vec![m.abbr.clone()];
            body.extend(m.aliases.iter().cloned());
            body.extend(m.areas.iter().map(|a| a.name.get(lang).to_string()));
            if let Some(note) = &m.note {
                body.push(note.get(lang).to_string());
            }
            for k in &m.contacts {
                body.extend(k.name.clone());
                body.extend(k.role.as_ref().map(|t| t.get(lang).to_string()));
                body.extend(k.unit.as_ref().map(|t| t.get(lang).to_string()));
                body.extend(k.email.clone());
            }
            add(
                Action::Ministry(m.id.clone()),
                format!("{} ({})", m.name.get(lang), m.abbr),
                body.join(" "),
            );
            for a in &m.areas {
                let mut body = a.aliases.clone();
                body.push(m.abbr.clone());
                if let Some(note) = &a.note {
                    body.push(note.get(lang).to_string());
                }
                add(
                    Action::Area(a.id.clone()),
                    format!("{} ({})", a.name.get(lang), m.abbr),
                    body.join(" "),
                );
            }
        }
        for t in &c.specialists.tips {
            add(
                Action::Specialists,
                t.title.get(lang).to_string(),
                t.body.get(lang).to_string(),
            );
        }
        for r in &c.resources {
            add(
                Action::Resources,
                r.title.get(lang).to_string(),
                format!("{} {}", r.description.get(lang), r.url),
            );
        }
    }
    for (item, lang, title, body) in rows {
        sqlx::query("INSERT INTO search (item, lang, title, body) VALUES (?1, ?2, ?3, ?4)")
            .bind(item)
            .bind(lang.code())
            .bind(title)
            .bind(body)
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

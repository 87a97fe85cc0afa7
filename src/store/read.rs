//! Reading the cached content back. Every reader takes one connection, so that
//! [`Store::cached_content`] can read all of it inside a single read transaction: what the
//! engine keeps in memory is always one import, never half of two.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{AliasRow, ContentInfo, Store, StoreError};
use crate::content::{
    Area, Contact, ContactKind, Lesson, Ministry, Place, Resource, Section, Series, Text,
};

/// Everything an import wrote, read in one transaction.
#[derive(Debug, Clone)]
pub struct CachedContent {
    pub info: ContentInfo,
    pub series: Option<Series>,
    pub lessons: Vec<Lesson>,
    /// Guideline sections, in order.
    pub sections: Vec<Section>,
    /// The communication-specialists advice, in order.
    pub tips: Vec<Section>,
    /// Single texts by key, with their sources.
    pub texts: Vec<(String, Text, Vec<String>)>,
    pub resources: Vec<Resource>,
    /// Every ministry in content order, with its areas and contacts (aliases are in `aliases`).
    pub ministries: Vec<Ministry>,
    pub aliases: Vec<AliasRow>,
    pub ui: Vec<(String, Text)>,
    /// The words of the full-text index.
    pub terms: Vec<String>,
}

impl Store {
    /// All cached content, read inside one transaction; `None` before the first import.
    pub async fn cached_content(&self) -> Result<Option<CachedContent>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(info) = content_info(&mut tx).await? else {
            return Ok(None);
        };
        let content = CachedContent {
            info,
            series: series(&mut tx).await?,
            lessons: lessons(&mut tx, None).await?,
            sections: sections(&mut tx, "section", None).await?,
            tips: sections(&mut tx, "tip", None).await?,
            texts: texts(&mut tx).await?,
            resources: resources(&mut tx).await?,
            ministries: ministries(&mut tx, None).await?,
            aliases: aliases(&mut tx).await?,
            ui: ui_strings(&mut tx).await?,
            terms: sqlx::query_scalar("SELECT term FROM search_vocab")
                .fetch_all(&mut *tx)
                .await?,
        };
        tx.commit().await?;
        Ok(Some(content))
    }
}

pub(super) async fn content_info(
    conn: &mut SqliteConnection,
) -> Result<Option<ContentInfo>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT hash, imported_at, content_date, source_url, source_lv, source_en, \
         about_lv, about_en, fallback FROM content_state WHERE id = 1",
    )
    .fetch_optional(conn)
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

pub(super) async fn aliases(conn: &mut SqliteConnection) -> Result<Vec<AliasRow>, sqlx::Error> {
    let rows = sqlx::query("SELECT alias, ministry_id, area_id, is_abbr FROM aliases")
        .fetch_all(conn)
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

pub(super) async fn ui_strings(
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, Text)>, sqlx::Error> {
    let rows = sqlx::query("SELECT key, lv, en FROM ui_strings")
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), text(r, 1))).collect())
}

pub(super) async fn series(conn: &mut SqliteConnection) -> Result<Option<Series>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT name, lecturer, guests, about_lv, about_en, recordings_lv, recordings_en, \
         sources FROM series WHERE id = 1",
    )
    .fetch_optional(conn)
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

pub(super) async fn lessons(
    conn: &mut SqliteConnection,
    number: Option<u8>,
) -> Result<Vec<Lesson>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT number, area_id, title_lv, title_en, learn_lv, learn_en, date, guest, video, \
         sources, file, line FROM lessons WHERE ?1 IS NULL OR number = ?1 ORDER BY number",
    )
    .bind(number.map(i64::from))
    .fetch_all(conn)
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
            place: place(r, 10),
        })
        .collect())
}

pub(super) async fn sections(
    conn: &mut SqliteConnection,
    kind: &str,
    id: Option<&str>,
) -> Result<Vec<Section>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, title_lv, title_en, body_lv, body_en, sources, file, line FROM sections \
         WHERE kind = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY position",
    )
    .bind(kind)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Section {
            id: r.get(0),
            title: text(r, 1),
            body: text(r, 3),
            sources: lines(r.get(5)),
            place: place(r, 6),
        })
        .collect())
}

pub(super) async fn texts(
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, Text, Vec<String>)>, sqlx::Error> {
    let rows = sqlx::query("SELECT key, lv, en, sources FROM texts")
        .fetch_all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), text(r, 1), lines(r.get(3))))
        .collect())
}

pub(super) async fn resources(conn: &mut SqliteConnection) -> Result<Vec<Resource>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, title_lv, title_en, description_lv, description_en, url, sources, file, \
         line FROM resources ORDER BY position",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Resource {
            id: r.get(0),
            title: text(r, 1),
            description: text(r, 3),
            url: r.get(5),
            sources: lines(r.get(6)),
            place: place(r, 7),
        })
        .collect())
}

/// Every ministry (or only `id`) in content order with its areas and contacts, in three
/// queries whatever the number of ministries.
pub(super) async fn ministries(
    conn: &mut SqliteConnection,
    id: Option<&str>,
) -> Result<Vec<Ministry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, abbr, name_lv, name_en, website, participation_page, note_lv, note_en, \
         sources, file, line FROM ministries WHERE ?1 IS NULL OR id = ?1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ministries: Vec<Ministry> = rows
        .iter()
        .map(|r| Ministry {
            id: r.get(0),
            abbr: r.get(1),
            name: text(r, 2),
            website: r.get(4),
            participation_page: r.get(5),
            aliases: Vec::new(),
            note: opt_text(r, 6),
            sources: lines(r.get(8)),
            areas: Vec::new(),
            contacts: Vec::new(),
            place: place(r, 9),
        })
        .collect();
    let position: std::collections::HashMap<String, usize> = ministries
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.clone(), i))
        .collect();
    let areas = sqlx::query(
        "SELECT ministry_id, id, name_lv, name_en, note_lv, note_en, sources, file, line \
         FROM areas \
         WHERE ?1 IS NULL OR ministry_id = ?1 ORDER BY ministry_id, position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &areas {
        if let Some(&i) = position.get(r.get::<&str, _>(0)) {
            ministries[i].areas.push(Area {
                id: r.get(1),
                name: text(r, 2),
                aliases: Vec::new(),
                note: opt_text(r, 4),
                sources: lines(r.get(6)),
                place: place(r, 7),
            });
        }
    }
    let contacts = sqlx::query(
        "SELECT ministry_id, name, unit_lv, unit_en, role_lv, role_en, email, phone, address, \
         source, kind, source_date, verified, file, line FROM contacts WHERE ?1 IS NULL OR ministry_id = ?1 \
         ORDER BY ministry_id, position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &contacts {
        if let Some(&i) = position.get(r.get::<&str, _>(0)) {
            ministries[i].contacts.push(Contact {
                name: r.get(1),
                unit: opt_text(r, 2),
                role: opt_text(r, 4),
                email: r.get(6),
                phone: r.get(7),
                address: r.get(8),
                source: r.get(9),
                // The table's CHECK admits only the two kinds.
                kind: ContactKind::parse(r.get(10)).unwrap_or_default(),
                source_date: r.get(11),
                verified: r.get(12),
                place: place(r, 13),
            });
        }
    }
    Ok(ministries)
}

fn text(row: &SqliteRow, first: usize) -> Text {
    Text {
        lv: row.get(first),
        en: row.get(first + 1),
    }
}

fn opt_text(row: &SqliteRow, first: usize) -> Option<Text> {
    let lv: Option<String> = row.get(first);
    let en: Option<String> = row.get(first + 1);
    Some(Text { lv: lv?, en: en? })
}

/// `file, line` columns starting at `first`.
fn place(row: &SqliteRow, first: usize) -> Place {
    Place {
        file: row.get(first),
        line: usize::try_from(row.get::<i64, _>(first + 1)).unwrap_or(0),
    }
}

fn lines(joined: String) -> Vec<String> {
    joined
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

//! Reading the cached content back: the snapshot of the files, parsed again by the reader that
//! `check` and the import use, so that what the engine holds is exactly what
//! [`crate::content::load_dir`] makes of those files, every field of it. The snapshot and the
//! words of the full-text index are read in one transaction: never half of two imports.

use super::{ContentInfo, Store, StoreError};
use crate::content::{Content, ContentHash, Lesson, Ministry, Section, Snapshot};

/// The last good content, as the cache holds it.
#[derive(Debug, Clone)]
pub struct CachedContent {
    pub info: ContentInfo,
    pub content: Content,
    /// The words of the full-text index.
    pub terms: Vec<String>,
}

/// The snapshot row.
#[derive(sqlx::FromRow)]
struct SnapshotRow {
    hash: String,
    imported_at: String,
    files: String,
}

impl Store {
    /// All cached content, read inside one transaction; `None` before the first import.
    pub async fn cached_content(&self) -> Result<Option<CachedContent>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row: Option<SnapshotRow> =
            sqlx::query_as("SELECT hash, imported_at, files FROM content_snapshot WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let terms = sqlx::query_scalar("SELECT term FROM search_vocab")
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let info = ContentInfo {
            hash: ContentHash::from(row.hash),
            imported_at: row.imported_at,
        };
        let content = parse(&info.hash, &row.files)?;
        Ok(Some(CachedContent {
            info,
            content,
            terms,
        }))
    }

    /// All lessons in order of their numbers, or only lesson `number` (for tests and tools;
    /// parses the cached files).
    pub async fn lessons(&self, number: Option<u8>) -> Result<Vec<Lesson>, StoreError> {
        let Some(content) = self.content().await? else {
            return Ok(Vec::new());
        };
        let mut lessons = content.lessons;
        lessons.sort_by_key(|l| l.number);
        lessons.retain(|l| number.is_none_or(|n| l.number == n));
        Ok(lessons)
    }

    /// Guideline sections (`kind` "section") or the specialists' tips ("tip"), all or only
    /// `id` (for tests and tools; parses the cached files).
    pub async fn sections(&self, kind: &str, id: Option<&str>) -> Result<Vec<Section>, StoreError> {
        let Some(content) = self.content().await? else {
            return Ok(Vec::new());
        };
        let mut sections = match kind {
            "section" => content.guidelines.sections,
            "tip" => content.specialists.tips,
            _ => Vec::new(),
        };
        sections.retain(|s| id.is_none_or(|id| s.id == id));
        Ok(sections)
    }

    /// One ministry with its areas, contacts and aliases (for tests and tools; parses the
    /// cached files).
    pub async fn ministry(&self, id: &str) -> Result<Option<Ministry>, StoreError> {
        let Some(content) = self.content().await? else {
            return Ok(None);
        };
        Ok(content.ministries.into_iter().find(|m| m.id == id))
    }

    async fn content(&self) -> Result<Option<Content>, StoreError> {
        Ok(self.cached_content().await?.map(|cached| cached.content))
    }
}

/// The stored files, checked against their hash and parsed by the content reader.
fn parse(hash: &ContentHash, files: &str) -> Result<Content, StoreError> {
    let files: Vec<(String, String)> = serde_json::from_str(files)
        .map_err(|err| StoreError::Corrupt(format!("the cached content is unreadable: {err}")))?;
    let Some(snapshot) = Snapshot::from_files(files) else {
        return Err(StoreError::Unusable(
            "it holds other files than this version reads".into(),
        ));
    };
    if snapshot.hash != *hash {
        return Err(StoreError::Corrupt(format!(
            "the cached content does not match its hash {}",
            hash.short()
        )));
    }
    snapshot
        .parse()
        .map_err(|errors| StoreError::Unusable(errors.to_string()))
}

//! Import of `content/` into the cache: hash the files; unchanged → nothing to do; changed →
//! parse and validate them, then replace the snapshot of the files (and the full-text index)
//! in one transaction. Invalid content never touches the cache.

use std::fmt;
use std::path::Path;

use super::{ContentCounts, Store, StoreError};
use crate::content::{Content, ContentErrors, ContentHash, Snapshot};
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
    Unchanged { hash: ContentHash },
    /// New content replaced the cache.
    Imported {
        hash: ContentHash,
        lessons: usize,
        ministries: usize,
        contacts: usize,
    },
}

impl ImportOutcome {
    /// The hash of the content now cached.
    pub fn hash(&self) -> &ContentHash {
        match self {
            ImportOutcome::Unchanged { hash } | ImportOutcome::Imported { hash, .. } => hash,
        }
    }
}

/// One line for the operator (`import`, the log): `content unchanged (3e996cc948e7)`, or
/// `imported content 3e996cc948e7: 10 lessons, 15 ministries, 61 contacts`.
impl fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportOutcome::Unchanged { hash } => {
                write!(f, "content unchanged ({})", hash.short())
            }
            ImportOutcome::Imported {
                hash,
                lessons,
                ministries,
                contacts,
            } => write!(
                f,
                "imported content {}: {lessons} lessons, {ministries} ministries, {contacts} contacts",
                hash.short()
            ),
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
        cached: Option<ContentHash>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Brings the cache in line with the content directory `dir`; `search_rows` builds the
    /// full-text index of new content.
    pub(crate) async fn sync(
        &self,
        dir: &Path,
        search_rows: SearchRows,
    ) -> Result<ImportOutcome, SyncError> {
        let cached = self.content_info().await?.map(|info| info.hash);
        let snapshot = match Snapshot::read(dir) {
            Ok(snapshot) => snapshot,
            Err(errors) => return Err(SyncError::Content { errors, cached }),
        };
        if cached.as_ref() == Some(&snapshot.hash) {
            return Ok(ImportOutcome::Unchanged {
                hash: snapshot.hash,
            });
        }
        let content = match snapshot.parse() {
            Ok(content) => content,
            Err(errors) => return Err(SyncError::Content { errors, cached }),
        };
        self.replace(&snapshot, &content, &search_rows(&content))
            .await?;
        Ok(ImportOutcome::Imported {
            hash: snapshot.hash,
            lessons: content.lessons.len(),
            ministries: content.ministries.len(),
            contacts: content.ministries.iter().map(|m| m.contacts.len()).sum(),
        })
    }

    /// Replaces the cached snapshot with `snapshot` (whose parsed and validated form is
    /// `content`) and the full-text index with `rows`, in one transaction.
    async fn replace(
        &self,
        snapshot: &Snapshot,
        content: &Content,
        rows: &[SearchRow],
    ) -> Result<(), StoreError> {
        let files = serde_json::to_string(&snapshot.files).map_err(StoreError::Encode)?;
        let counts = ContentCounts::of(content);
        let mut tx = self.pool.begin().await?;
        // The full-text index goes too: rows of texts that are gone would still be found.
        for table in ["content_snapshot", "search"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO content_snapshot (id, hash, imported_at, files, lessons, sections, \
             ministries, contacts, oldest_contact_verified, contacts_never_verified) \
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .bind(snapshot.hash.as_str())
        .bind(crate::clock::now_utc())
        .bind(files)
        .bind(counts.lessons)
        .bind(counts.sections)
        .bind(counts.ministries)
        .bind(counts.contacts)
        .bind(&counts.oldest_contact_verified)
        .bind(counts.contacts_never_verified)
        .execute(&mut *tx)
        .await?;
        for row in rows {
            sqlx::query("INSERT INTO search (item, lang, title, body) VALUES (?1, ?2, ?3, ?4)")
                .bind(&row.item)
                .bind(row.lang.code())
                .bind(&row.title)
                .bind(&row.body)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl ContentCounts {
    /// The counts of `content`, as the cache keeps them for `/healthz`.
    fn of(content: &Content) -> Self {
        let contacts = || content.ministries.iter().flat_map(|m| &m.contacts);
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Self {
            lessons: count(content.lessons.len()),
            sections: count(content.guidelines.sections.len()),
            ministries: count(content.ministries.len()),
            contacts: count(contacts().count()),
            oldest_contact_verified: contacts().filter_map(|c| c.verified.clone()).min(),
            contacts_never_verified: count(contacts().filter(|c| c.verified.is_none()).count()),
        }
    }
}

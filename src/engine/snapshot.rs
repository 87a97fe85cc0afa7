//! What the engine keeps in memory: the content, the UI strings and the lookup index of one
//! import ([`Loaded`]), read from the cache in one transaction and swapped as a whole; and the
//! choice of a user's language.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::catalog::Catalog;
use super::consultations::TapState;
use super::i18n::Strings;
use super::lookup::Index;
use super::names;
use super::reply::Reply;
use super::search::{self, Vocabulary};
use crate::ids::UserId;
use crate::lang::Lang;
use crate::store::{CachedContent, ImportOutcome, Store, StoreError, SyncError};

/// The engine cannot start: the store has no content.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the database holds no content yet; run `lidzdaliba-bot import`")]
    NoContent,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The content being served and where it comes from: the store's cache of the content folder,
/// and the [`Loaded`] snapshot of its last import, swapped as a whole while requests go on.
#[derive(Debug)]
pub(super) struct Shelf {
    pub(super) store: Store,
    pub(super) content_dir: Option<PathBuf>,
    loaded: RwLock<Arc<Loaded>>,
    /// The TAP portal's consultations as last read.
    pub(super) tap: TapState,
}

impl Shelf {
    /// The content in `store`, which must hold imported content.
    pub(super) async fn new(store: Store) -> Result<Self, EngineError> {
        let loaded = load(&store).await?.ok_or(EngineError::NoContent)?;
        let tap_db = crate::tap::Db::new(store.pool().clone());
        let tap = TapState::new(tap_db, &loaded.catalog).await;
        Ok(Self {
            store,
            content_dir: None,
            loaded: RwLock::new(Arc::new(loaded)),
            tap,
        })
    }

    /// The content of the last import, for one request.
    pub(super) fn snapshot(&self) -> Arc<Loaded> {
        Arc::clone(&self.loaded.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Imports the content folder if it changed and swaps the new content in while requests
    /// go on. Invalid content is refused and the old content keeps being served; every
    /// problem is logged with its `file:line`.
    pub(super) async fn sync(&self) -> Result<ImportOutcome, SyncError> {
        let Some(dir) = &self.content_dir else {
            let hash = self
                .store
                .content_info()
                .await?
                .map(|i| i.hash)
                .unwrap_or_default();
            return Ok(ImportOutcome::Unchanged { hash });
        };
        let result = import(&self.store, dir).await;
        match &result {
            Ok(ImportOutcome::Imported { hash, .. }) => {
                if let Err(err) = self.reload().await {
                    tracing::error!(error = %err, "cannot load the imported content");
                }
                metrics::counter!("content_reloads_total").increment(1);
                tracing::info!(hash = hash.short(), "new content is being served");
            }
            Ok(ImportOutcome::Unchanged { .. }) => {}
            Err(SyncError::Content { errors, .. }) => {
                metrics::counter!("content_reload_failures_total").increment(1);
                for problem in &errors.0 {
                    tracing::error!(%problem, "invalid content; keeping the last good content");
                }
            }
            Err(SyncError::Store(err)) => {
                metrics::counter!("content_reload_failures_total").increment(1);
                tracing::error!(error = %err, "cannot import the content");
            }
        }
        result
    }

    /// Re-reads the content, strings and lookup index from the cache after an import.
    pub(super) async fn reload(&self) -> Result<(), EngineError> {
        let loaded = load(&self.store).await?.ok_or(EngineError::NoContent)?;
        self.tap.content_changed(&loaded.catalog);
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
        Ok(())
    }
}

/// Imports the content folder `dir` into the store's cache if it changed, with the engine's
/// full-text rows ([`search::rows`]).
pub async fn import(store: &Store, dir: &Path) -> Result<ImportOutcome, SyncError> {
    store.sync(dir, search::rows).await
}

/// What the engine keeps in memory: the content, the UI strings and the lookup index, read
/// from the cache in one transaction and swapped as a whole when the content changes.
#[derive(Debug)]
pub(super) struct Loaded {
    pub(super) catalog: Catalog,
    pub(super) strings: Strings,
    pub(super) index: Index,
    /// The words of the full-text index, for the typo fallback of search.
    pub(super) terms: Vocabulary,
    /// Rendered cards of this content version.
    pub(super) cards: CardCache,
}

/// Cards by (ministry position, area position, language); dropped with the content they were
/// rendered from.
#[derive(Debug, Default)]
pub(super) struct CardCache(std::sync::Mutex<std::collections::HashMap<CardKey, Reply>>);

pub(super) type CardKey = (usize, Option<usize>, Lang);

/// More cards than this and the cache starts over (the real content has 146).
const MAX_CACHED_CARDS: usize = 4096;

impl CardCache {
    pub(super) fn get(&self, key: &CardKey) -> Option<Reply> {
        let cards = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cards.get(key).cloned()
    }

    pub(super) fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub(super) fn put(&self, key: CardKey, reply: &Reply) {
        let mut cards = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cards.len() >= MAX_CACHED_CARDS {
            cards.clear();
        }
        cards.insert(key, reply.clone());
    }
}

/// The language for a user: their stored choice, else their Telegram language, else
/// `default`.
pub(super) async fn language_of(
    store: &Store,
    default: Lang,
    user_id: UserId,
    language_code: Option<&str>,
) -> Lang {
    match store.language(user_id).await {
        Ok(Some(lang)) => lang,
        Ok(None) => telegram_language(default, language_code),
        Err(err) => {
            tracing::warn!(error = %err, "cannot read the language choice");
            telegram_language(default, language_code)
        }
    }
}

pub(super) fn telegram_language(default: Lang, language_code: Option<&str>) -> Lang {
    language_code
        .and_then(Lang::from_telegram)
        .unwrap_or(default)
}

/// The content of the store's cache, if it holds any.
async fn load(store: &Store) -> Result<Option<Loaded>, StoreError> {
    let Some(CachedContent {
        info,
        mut content,
        terms,
    }) = store.cached_content().await?
    else {
        return Ok(None);
    };
    let strings = Strings::new(std::mem::take(&mut content.ui));
    let terms = Vocabulary::new(terms);
    let index = Index::build(&names::of(&content.ministries))
        .with_institutions(&content.agencies, &content.bodies)
        .with_vocabulary(terms.terms());
    Ok(Some(Loaded {
        catalog: Catalog::new(info, content),
        strings,
        index,
        terms,
        cards: CardCache::default(),
    }))
}

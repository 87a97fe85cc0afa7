//! Start-up shared by every command: logging, the store, the content import, the engine.

use std::sync::Arc;

use crate::config::Config;
use crate::engine::{Engine, EngineError};
use crate::store::{ImportOutcome, Store, StoreError, SyncError};

/// Why the program cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the content is invalid and there is no earlier good content to serve:\n{0}")]
    NoGoodContent(crate::content::ContentErrors),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Sets up `tracing` (level from `RUST_LOG`, else `default_level`) and routes the `log`
/// records of dependencies (teloxide) into it. Silent when called twice.
pub fn init_tracing(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let _ = tracing_log::LogTracer::init();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the store and brings its content cache up to date with `content/`.
///
/// Invalid content with a good cache: the errors are logged and the cache keeps being served.
/// Invalid content without a cache: start-up fails with the list of errors.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let store = Store::open(&config.database_url).await?;
    sync_content(&store, config).await?;
    Ok(store)
}

/// One import pass, logged; see [`open_store`] for what happens to invalid content.
pub async fn sync_content(store: &Store, config: &Config) -> Result<ImportOutcome, StartError> {
    match store.sync(&config.content_dir).await {
        Ok(outcome) => {
            match &outcome {
                ImportOutcome::Unchanged { hash } => {
                    tracing::info!(hash = &hash[..12], "content unchanged")
                }
                ImportOutcome::Imported {
                    hash,
                    lessons,
                    ministries,
                    contacts,
                } => tracing::info!(
                    hash = &hash[..12],
                    lessons,
                    ministries,
                    contacts,
                    "content imported"
                ),
            }
            Ok(outcome)
        }
        Err(SyncError::Content {
            errors,
            cached: Some(hash),
        }) => {
            for problem in &errors.0 {
                tracing::error!(%problem, "invalid content");
            }
            tracing::warn!(
                hash = &hash[..hash.len().min(12)],
                "the content has errors; keeping the last good content"
            );
            Ok(ImportOutcome::Unchanged { hash })
        }
        Err(SyncError::Content {
            errors,
            cached: None,
        }) => Err(StartError::NoGoodContent(errors)),
        Err(SyncError::Store(err)) => Err(err.into()),
    }
}

/// Everything the console and the bot need: the store with current content and the engine.
pub async fn build_engine(config: &Config) -> Result<Arc<Engine>, StartError> {
    let store = open_store(config).await?;
    Ok(Arc::new(Engine::new(store, config.default_language).await?))
}

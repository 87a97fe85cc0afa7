//! What the engine knows of the TAP portal's consultations: the tables the sync fills, the
//! counts and people the cards show (a [`tap::View`], made again after each sync), how old the
//! data may be before a screen stops saying "nothing is open", and the content's mapping the
//! sync reads TAP's names with.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::watch;

use super::catalog::Catalog;
use super::{Engine, Reply};
use crate::clock;
use crate::tap::{self, Mapping, OpenItem, View};

/// The engine's side of TAP.
#[derive(Debug)]
pub(super) struct TapState {
    pub db: tap::Db,
    view: RwLock<Arc<View>>,
    /// The sync interval (`None`: syncing is off here, as in the console).
    interval: Option<Duration>,
    /// The content's names for the sync; a new value with every new content.
    mapping: watch::Sender<Arc<Mapping>>,
}

impl TapState {
    pub(super) async fn new(db: tap::Db, catalog: &Catalog) -> Self {
        let view = match db.view(&clock::today_in_latvia()).await {
            Ok(view) => view,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the TAP consultations");
                View::default()
            }
        };
        Self {
            db,
            view: RwLock::new(Arc::new(view)),
            interval: Some(tap::DEFAULT_INTERVAL),
            mapping: watch::Sender::new(Arc::new(mapping_of(catalog))),
        }
    }

    pub(super) fn view(&self) -> Arc<View> {
        Arc::clone(&self.view.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Data older than this may no longer say that nothing is open.
    pub(super) fn stale_after(&self) -> Duration {
        tap::stale_after(self.interval)
    }

    /// The content changed: the sync maps TAP's names with the new one.
    pub(super) fn content_changed(&self, catalog: &Catalog) {
        self.mapping.send_replace(Arc::new(mapping_of(catalog)));
    }
}

fn mapping_of(catalog: &Catalog) -> Mapping {
    Mapping::new(&catalog.ministries, &catalog.tap)
}

impl Engine {
    /// How often `run` syncs TAP (`None`: it does not); screens call data stale after twice
    /// this.
    pub fn with_tap_interval(mut self, interval: Option<Duration>) -> Self {
        self.tap.interval = interval;
        self
    }

    /// The TAP tables.
    pub fn tap_db(&self) -> &tap::Db {
        &self.tap.db
    }

    /// The content's names for the TAP sync, changing with the content.
    pub fn tap_mapping(&self) -> watch::Receiver<Arc<Mapping>> {
        self.tap.mapping.subscribe()
    }

    /// Reads again what the cards show of TAP (after a sync); the cards rendered before are
    /// dropped when it changed.
    pub async fn refresh_tap(&self) {
        match self.tap.db.view(&clock::today_in_latvia()).await {
            Ok(view) => {
                let changed = *self.tap.view() != view;
                *self.tap.view.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(view);
                if changed {
                    self.snapshot().cards.clear();
                }
            }
            Err(err) => tracing::warn!(error = %err, "cannot read the TAP consultations"),
        }
    }

    /// The message to a follower about the consultations a sync found new, in the language
    /// the follower reads.
    pub async fn digest(&self, chat_id: i64, items: &[OpenItem]) -> Reply {
        let lang = self.language(chat_id, None).await;
        let tally = crate::stats::Tally::default();
        let ctx = super::router::context(self, lang, &tally);
        ctx.digest(items)
    }
}

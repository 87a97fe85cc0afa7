//! What the engine knows of the TAP portal's consultations: the tables the sync fills, the
//! counts and people the cards show (a [`tap::View`], made again after each sync), how old the
//! data may be before a screen stops saying "nothing is open", and the content's mapping the
//! sync reads TAP's names with.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::watch;

use super::catalog::Catalog;
use crate::clock;
use crate::tap::{self, Mapping, View};

/// The engine's side of TAP.
#[derive(Debug)]
pub(super) struct TapState {
    pub db: tap::Db,
    pub(super) view: RwLock<Arc<View>>,
    /// The sync interval (`None`: syncing is off here, as in the console).
    pub(super) interval: Option<Duration>,
    /// The content's names for the sync; a new value with every new content.
    pub(super) mapping: watch::Sender<Arc<Mapping>>,
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

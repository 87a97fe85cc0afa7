//! The engine: a platform-neutral [`Request`] in, a [`Reply`] out. The Telegram adapter and
//! the console are thin layers over it, so both (and the tests) share one behaviour. Every
//! request goes through the one router (`router.rs`) to a screen (`screens/`).

pub(crate) mod action;
pub(crate) mod catalog;
pub mod command;
mod consultations;
pub(crate) mod i18n;
pub mod lookup;
pub mod names;
mod reply;
pub(crate) mod reports;
mod request;
mod router;
mod screens;
pub(crate) mod search;
mod snapshot;
pub(crate) mod votes;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::ids::{ChatId, UserId};
use crate::lang::Lang;
use crate::stats::{Stats, Tally, metric};
use crate::store::{ImportOutcome, Store, StoreError, SyncError};

pub use action::Action;
pub use command::{Command, Parsed};
pub use reply::{Alert, Button, InlineItem, MAX_INLINE_RESULTS, Placement, Reply};
pub use request::{ChatKind, Input, Request};
pub use screens::report_block;
pub use snapshot::{EngineError, import};

use screens::Ctx;
use snapshot::Shelf;

/// Turns requests into replies over the store.
#[derive(Debug)]
pub struct Engine {
    /// The store and the content being served.
    shelf: Shelf,
    default_lang: Lang,
    stats: Stats,
    admins: Vec<UserId>,
    /// The bot's Telegram username (from getMe), for permalinks; unknown until the bot has
    /// run once with this database.
    username: RwLock<Option<Arc<str>>>,
    /// Who voted on which card today (keyed hashes, memory only).
    ballots: votes::Ballots,
    /// Reports in progress and the day's report counts (memory only).
    desk: reports::Desk,
    /// When closed reports were last purged (Unix seconds).
    purged_at: std::sync::atomic::AtomicU64,
}

impl Engine {
    /// An engine over `store`, which must hold imported content.
    pub async fn new(store: Store, default_lang: Lang) -> Result<Self, EngineError> {
        let username = store.bot_username().await?.map(Arc::from);
        Ok(Self {
            shelf: Shelf::new(store).await?,
            default_lang,
            stats: Stats::default(),
            admins: Vec::new(),
            username: RwLock::new(username),
            ballots: votes::Ballots::default(),
            desk: reports::Desk::default(),
            purged_at: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The bot's Telegram username, as the runtime learned it from getMe: from now on cards
    /// carry their permalink `https://t.me/<username>?start=<payload>`. It is remembered in
    /// the store for the console.
    pub async fn set_username(&self, username: &str) {
        let username = username.trim_start_matches('@');
        if username.is_empty() || self.username().as_deref() == Some(username) {
            return;
        }
        *self.username.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::from(username));
        // Cards rendered before carry no permalink, or another one.
        self.shelf.snapshot().cards.clear();
        if let Err(err) = self.shelf.store.set_bot_username(username).await {
            tracing::warn!(error = %err, "cannot remember the bot's username");
        }
    }

    /// The bot's Telegram username, if known.
    pub fn username(&self) -> Option<Arc<str>> {
        self.username
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The Telegram user ids that may use `/reload` and `/stats`.
    pub fn with_admins(mut self, admins: Vec<UserId>) -> Self {
        self.admins = admins;
        self
    }

    /// The content folder `/reload` and [`Engine::sync_content`] import from.
    pub(crate) fn with_content_dir(mut self, dir: PathBuf) -> Self {
        self.shelf.content_dir = Some(dir);
        self
    }

    /// The admins' user ids.
    pub(crate) fn admins(&self) -> &[UserId] {
        &self.admins
    }

    /// Writes the usage counters to the store.
    pub async fn flush_stats(&self) -> Result<(), StoreError> {
        // Yesterday's votes are not kept past midnight (UTC), even on a day without votes.
        self.ballots.forget_other_days(&crate::clock::day(0));
        self.purge_reports().await;
        self.stats.flush(&self.shelf.store).await
    }

    /// Deletes the reports closed more than [`crate::store::KEEP_CLOSED_DAYS`] days ago; at
    /// most once an hour (it runs with the flush of the statistics).
    async fn purge_reports(&self) {
        use std::sync::atomic::Ordering;
        let now = crate::clock::unix_now();
        let last = self.purged_at.load(Ordering::Relaxed);
        if now < last + 3600 || self.purged_at.swap(now, Ordering::Relaxed) != last {
            return;
        }
        let before = crate::clock::day(crate::store::KEEP_CLOSED_DAYS);
        match self.shelf.store.purge_reports(&before).await {
            Ok(0) => {}
            Ok(n) => {
                metrics::counter!("bot_reports_total", "outcome" => "deleted").increment(n);
                tracing::info!(deleted = n, "deleted reports closed 90 days ago");
            }
            Err(err) => tracing::warn!(error = %err, "cannot delete old reports"),
        }
    }

    /// Imports the content folder if it changed and swaps the new content in while requests
    /// go on. Invalid content is refused and the old content keeps being served; every
    /// problem is logged with its `file:line`.
    pub(crate) async fn sync_content(&self) -> Result<ImportOutcome, SyncError> {
        self.shelf.sync().await
    }

    /// Re-reads the content, strings and lookup index from the cache after an import.
    pub async fn reload(&self) -> Result<(), EngineError> {
        self.shelf.reload().await
    }

    /// The store the engine reads.
    pub fn store(&self) -> &Store {
        &self.shelf.store
    }

    /// The language for a user: their stored choice, else their Telegram language, else the
    /// default.
    pub(crate) async fn language(&self, user_id: UserId, language_code: Option<&str>) -> Lang {
        snapshot::language_of(&self.shelf.store, self.default_lang, user_id, language_code).await
    }

    /// The language of users whose Telegram language is neither Latvian nor English.
    pub(crate) fn default_language(&self) -> Lang {
        self.default_lang
    }

    /// The UI string `key` in `lang` (for adapters: command descriptions, hints).
    pub fn string(&self, lang: Lang, key: &str) -> String {
        self.shelf.snapshot().strings.get(lang, key).to_string()
    }

    /// Answers a request. `None` means the request needs no answer (free text in a group).
    /// Never fails: a store error becomes a polite "try again" reply and a log line.
    pub async fn handle(&self, req: &Request) -> Option<Reply> {
        let lang = self
            .language(req.user_id, req.language_code.as_deref())
            .await;
        let tally = Tally::default();
        let reply = router::handle(&self.context(lang, &tally), req, || self.sync_content()).await;
        if let Some(reply) = &reply {
            tally.count(metric::LANGUAGE, reply.lang.code());
        }
        self.stats.add(tally);
        reply
    }

    /// The toast for a press of a button with `data` (`None`: a press without data), if the
    /// press gets a toast and no message: when this version never made such a button (see
    /// [`Placement::Toast`]). A runtime shows it as it acknowledges the press, which happens
    /// before the press is handled; [`Engine::handle`] then answers the same press with a
    /// [`Placement::Toast`] reply of the same text.
    pub(crate) async fn toast(
        &self,
        user_id: UserId,
        language_code: Option<&str>,
        data: Option<&str>,
    ) -> Option<String> {
        if data.and_then(Action::decode).is_some() {
            return None;
        }
        let lang = self.language(user_id, language_code).await;
        Some(self.string(lang, router::STALE_TOAST))
    }

    /// Results for an inline query (`@bot veselība`): cards a person can send into any chat,
    /// each complete on its own. An item's payload as the query gives exactly that item; an
    /// empty query gives the main items. At most [`MAX_INLINE_RESULTS`].
    pub async fn inline(
        &self,
        user_id: UserId,
        language_code: Option<&str>,
        query: &str,
    ) -> Vec<InlineItem> {
        let lang = self.language(user_id, language_code).await;
        self.stats.count(metric::REQUEST, "inline");
        // The cards rendered for it are no lookups: what their screens note is not counted.
        let rendered = Tally::default();
        router::inline(&self.context(lang, &rendered), query).await
    }

    // ---- TAP ---------------------------------------------------------------------------

    /// How often `run` syncs TAP (`None`: it does not); screens call data stale after twice
    /// this.
    pub(crate) fn with_tap_interval(mut self, interval: Option<std::time::Duration>) -> Self {
        self.shelf.tap.interval = interval;
        self
    }

    /// The TAP tables.
    pub fn tap_db(&self) -> &crate::tap::Db {
        &self.shelf.tap.db
    }

    /// The content's names for the TAP sync, changing with the content.
    pub fn tap_mapping(&self) -> tokio::sync::watch::Receiver<Arc<crate::tap::Mapping>> {
        self.shelf.tap.mapping.subscribe()
    }

    /// Reads again what the cards show of TAP (after a sync); the cards rendered before are
    /// dropped when it changed.
    pub(crate) async fn refresh_tap(&self) {
        match self
            .shelf
            .tap
            .db
            .view(&crate::clock::today_in_latvia())
            .await
        {
            Ok(view) => {
                let changed = *self.shelf.tap.view() != view;
                *self
                    .shelf
                    .tap
                    .view
                    .write()
                    .unwrap_or_else(|e| e.into_inner()) = Arc::new(view);
                if changed {
                    self.shelf.snapshot().cards.clear();
                }
            }
            Err(err) => tracing::warn!(error = %err, "cannot read the TAP consultations"),
        }
    }

    /// The message to a follower about the consultations a sync found new, in the language
    /// the follower reads.
    pub async fn digest(&self, chat_id: ChatId, items: &[crate::tap::OpenItem]) -> Reply {
        let lang = self.language(chat_id.private_user(), None).await;
        let tally = Tally::default();
        let ctx = self.context(lang, &tally);
        ctx.digest(items)
    }

    /// The context of one request in `lang`, counting into `tally`.
    fn context<'a>(&'a self, lang: Lang, tally: &'a Tally) -> Ctx<'a> {
        Ctx {
            store: &self.shelf.store,
            loaded: self.shelf.snapshot(),
            lang,
            stats: tally,
            username: self.username(),
            desk: &self.desk,
            ballots: &self.ballots,
            admins: &self.admins,
            default_lang: self.default_lang,
            tap: &self.shelf.tap.db,
            tap_view: self.shelf.tap.view(),
            tap_stale_after: self.shelf.tap.stale_after(),
        }
    }
}

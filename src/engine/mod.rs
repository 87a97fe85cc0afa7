//! The engine: a platform-neutral [`Request`] in, a [`Reply`] out. The Telegram adapter and
//! the console are thin layers over it, so both (and the tests) share one behaviour. Every
//! request goes through the one router (`router.rs`) to a screen (`screens/`).

pub mod action;
pub mod catalog;
pub mod command;
pub mod i18n;
pub mod lookup;
pub mod names;
pub mod reports;
mod router;
mod screens;
pub mod search;
pub mod votes;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::lang::Lang;
use crate::render;
use crate::stats::Stats;
use crate::store::{CachedContent, ImportOutcome, Store, StoreError, SyncError};

pub use action::Action;
pub use command::{Command, Parsed};
pub use screens::report_block;

/// Who asks, where, and what.
#[derive(Debug, Clone)]
pub struct Request {
    pub user_id: i64,
    /// Telegram's `language_code` of the user, if it sent one.
    pub language_code: Option<String>,
    pub chat: ChatKind,
    pub input: Input,
}

/// The kind of chat a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
}

/// What the person sent.
#[derive(Debug, Clone)]
pub enum Input {
    /// A command (name without `/` and `@bot`, lower-case) and its argument text.
    Command { name: String, arg: String },
    /// A pressed button's raw callback data.
    Button(String),
    /// Free text.
    Text(String),
    /// Something that is not text (a sticker, a photo, ...).
    NotText,
}

/// A button under a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Button {
    Action {
        label: String,
        action: Action,
    },
    Url {
        label: String,
        url: String,
    },
    /// Shares an item through inline mode: the query is the item's deep-link payload.
    Share {
        label: String,
        query: String,
    },
    /// Copies `text` (an item's permalink) to the clipboard (Bot API 7.11 `copy_text`).
    Copy {
        label: String,
        text: String,
    },
}

impl Button {
    fn action(label: impl Into<String>, action: Action) -> Self {
        Button::Action {
            label: label.into(),
            action,
        }
    }

    /// The text on the button.
    pub fn label(&self) -> &str {
        match self {
            Button::Action { label, .. }
            | Button::Url { label, .. }
            | Button::Share { label, .. }
            | Button::Copy { label, .. } => label,
        }
    }
}

/// What the bot answers: Telegram HTML (already escaped), rows of buttons, and whether it
/// replaces the message whose button was pressed.
#[derive(Debug, Clone)]
pub struct Reply {
    pub text: String,
    pub buttons: Vec<Vec<Button>>,
    pub edit: bool,
    pub lang: Lang,
    /// A picture sent after the text (the statistics chart), PNG.
    pub image: Option<Vec<u8>>,
    /// Sent as a new message under the pressed one instead of replacing it (the prompt for a
    /// report, a refusal): the card stays as it is.
    pub below: bool,
    /// Ask the person to answer this message (Telegram's `force_reply`): the prompt for a
    /// report's text. Such a reply is a new message, never an edit, and has no buttons.
    pub force_reply: bool,
    /// Messages to other chats that go out with this reply: a new report to each admin.
    pub alerts: Vec<Alert>,
}

/// A message of the bot's own to another chat (an admin's private chat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub chat: i64,
    /// Telegram HTML, already escaped.
    pub text: String,
}

impl Reply {
    /// The text cut into messages that each fit Telegram's limit; the buttons belong under
    /// the last one.
    pub fn messages(&self) -> Vec<String> {
        render::split(&self.text)
    }
}

/// Telegram's limit for inline query results.
pub const MAX_INLINE_RESULTS: usize = 50;

/// One inline result: an item rendered as a message of its own.
#[derive(Debug, Clone)]
pub struct InlineItem {
    /// The item's deep-link payload (also the result id: 1–64 bytes).
    pub payload: String,
    pub title: String,
    pub description: String,
    /// Telegram HTML, one message.
    pub text: String,
    /// The label of the "open in the bot" link button.
    pub open_label: String,
}

/// What the engine keeps in memory: the content, the UI strings and the lookup index, read
/// from the cache in one transaction and swapped as a whole when the content changes.
#[derive(Debug)]
struct Loaded {
    catalog: catalog::Catalog,
    strings: i18n::Strings,
    index: lookup::Index,
    /// The words of the full-text index, for the typo fallback of search.
    terms: search::Vocabulary,
    /// Rendered cards of this content version.
    cards: CardCache,
}

/// Cards by (ministry position, area position, language); dropped with the content they were
/// rendered from.
#[derive(Debug, Default)]
struct CardCache(std::sync::Mutex<std::collections::HashMap<CardKey, Reply>>);

type CardKey = (usize, Option<usize>, Lang);

/// More cards than this and the cache starts over (the real content has 146).
const MAX_CACHED_CARDS: usize = 4096;

impl CardCache {
    fn get(&self, key: &CardKey) -> Option<Reply> {
        let cards = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cards.get(key).cloned()
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn put(&self, key: CardKey, reply: &Reply) {
        let mut cards = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cards.len() >= MAX_CACHED_CARDS {
            cards.clear();
        }
        cards.insert(key, reply.clone());
    }
}

/// Turns requests into replies over the store.
#[derive(Debug)]
pub struct Engine {
    store: Store,
    default_lang: Lang,
    loaded: RwLock<Arc<Loaded>>,
    stats: Stats,
    admins: Vec<i64>,
    content_dir: Option<PathBuf>,
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

/// The engine cannot start: the store has no content.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the database holds no content yet; run `lidzdaliba-bot import`")]
    NoContent,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Engine {
    /// An engine over `store`, which must hold imported content.
    pub async fn new(store: Store, default_lang: Lang) -> Result<Self, EngineError> {
        let loaded = load(&store).await?;
        let username = store.bot_username().await?.map(Arc::from);
        Ok(Self {
            store,
            default_lang,
            loaded: RwLock::new(Arc::new(loaded)),
            stats: Stats::default(),
            admins: Vec::new(),
            content_dir: None,
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
        self.snapshot().cards.clear();
        if let Err(err) = self.store.set_bot_username(username).await {
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
    pub fn with_admins(mut self, admins: Vec<i64>) -> Self {
        self.admins = admins;
        self
    }

    /// The content folder `/reload` and [`Engine::sync_content`] import from.
    pub fn with_content_dir(mut self, dir: PathBuf) -> Self {
        self.content_dir = Some(dir);
        self
    }

    /// Whether `user_id` is an admin.
    pub fn is_admin(&self, user_id: i64) -> bool {
        self.admins.contains(&user_id)
    }

    /// The admins' user ids.
    pub fn admins(&self) -> &[i64] {
        &self.admins
    }

    /// The usage counters not yet written.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Writes the usage counters to the store.
    pub async fn flush_stats(&self) -> Result<(), StoreError> {
        // Yesterday's votes are not kept past midnight (UTC), even on a day without votes.
        self.ballots.forget_other_days(&crate::clock::day(0));
        self.purge_reports().await;
        self.stats.flush(&self.store).await
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
        match self.store.purge_reports(&before).await {
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
    pub async fn sync_content(&self) -> Result<ImportOutcome, SyncError> {
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
    pub async fn reload(&self) -> Result<(), EngineError> {
        let loaded = load(&self.store).await?;
        *self.loaded.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
        Ok(())
    }

    /// The store the engine reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The language for a user: their stored choice, else their Telegram language, else the
    /// default.
    pub async fn language(&self, user_id: i64, language_code: Option<&str>) -> Lang {
        language_of(&self.store, self.default_lang, user_id, language_code).await
    }

    /// The language for a Telegram `language_code` before the user chooses one: `lv` or `en`
    /// as given, the default language for any other code and for none (the command menu
    /// follows the same rule, see `bot::register_commands`).
    pub fn telegram_language(&self, language_code: Option<&str>) -> Lang {
        telegram_language(self.default_lang, language_code)
    }

    /// The language of users whose Telegram language is neither Latvian nor English.
    pub fn default_language(&self) -> Lang {
        self.default_lang
    }

    /// The UI string `key` in `lang` (for adapters: command descriptions, hints).
    pub fn string(&self, lang: Lang, key: &str) -> String {
        self.snapshot().strings.get(lang, key).to_string()
    }

    /// Answers a request. `None` means the request needs no answer (free text in a group).
    /// Never fails: a store error becomes a polite "try again" reply and a log line.
    pub async fn handle(&self, req: &Request) -> Option<Reply> {
        router::handle(self, req).await
    }

    /// Results for an inline query (`@bot veselība`): cards a person can send into any chat,
    /// each complete on its own. An item's payload as the query gives exactly that item; an
    /// empty query gives the main items. At most [`MAX_INLINE_RESULTS`].
    pub async fn inline(
        &self,
        user_id: i64,
        language_code: Option<&str>,
        query: &str,
    ) -> Vec<InlineItem> {
        router::inline(self, user_id, language_code, query).await
    }

    fn snapshot(&self) -> Arc<Loaded> {
        Arc::clone(&self.loaded.read().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Imports the content folder `dir` into the store's cache if it changed, with the engine's
/// full-text rows ([`search::rows`]).
pub async fn import(store: &Store, dir: &Path) -> Result<ImportOutcome, SyncError> {
    store.sync(dir, search::rows).await
}

/// The language for a user: their stored choice, else their Telegram language, else
/// `default`.
async fn language_of(
    store: &Store,
    default: Lang,
    user_id: i64,
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

fn telegram_language(default: Lang, language_code: Option<&str>) -> Lang {
    language_code
        .and_then(Lang::from_telegram)
        .unwrap_or(default)
}

async fn load(store: &Store) -> Result<Loaded, EngineError> {
    let Some(CachedContent {
        info,
        mut content,
        terms,
    }) = store.cached_content().await?
    else {
        return Err(EngineError::NoContent);
    };
    let strings = i18n::Strings::new(std::mem::take(&mut content.ui));
    let terms = search::Vocabulary::new(terms);
    let index = lookup::Index::build(&names::of(&content.ministries))
        .with_institutions(&content.agencies, &content.bodies)
        .with_vocabulary(terms.terms());
    Ok(Loaded {
        catalog: catalog::Catalog::new(info, content),
        strings,
        index,
        terms,
        cards: CardCache::default(),
    })
}

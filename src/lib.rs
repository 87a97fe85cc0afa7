//! lidzdaliba-bot: a Telegram bot that helps people in Latvia take part in the decisions of
//! their state administration. One engine (`engine`) over a SQLite cache (`store`) of the
//! content files (`content`); the Telegram runtime (`bot`) and the offline console (`console`)
//! are thin adapters over it. docs/ARCHITECTURE.md describes the whole.
//!
//! # Layers
//!
//! The modules stand in the layers of [`LAYERS`], lowest first:
//!
//! ```text
//! app                                   start-up shared by the commands of main.rs
//! bot                                   the Telegram runtime
//! health   console                      /healthz and /metrics; the offline console
//! engine                                requests in, replies out
//! tap                                   public consultations read from the TAP portal
//! stats                                 usage counters
//! store    links                        the SQLite cache; the link checker
//! config   content                      settings; the content files and their model
//! fold  lang  clock  render  ids       text folding, languages, dates, Telegram HTML, typed ids
//! ```
//!
//! **A module uses only modules of the layers below its own**: never one above it, never
//! one beside it. So a change in one layer can break only the layers above it, and each
//! layer can be read (and tested) knowing only what is below. Where a lower layer needs
//! something an upper one decides, the upper one hands it down: the engine builds the
//! full-text rows that the store writes ([`store::SearchRows`]), the content owns the list of
//! UI keys that the engine's screens use ([`content::ui::KEYS`]).
//!
//! The architecture test (`tests/api/architecture.rs`) reads every `crate::` path in `src/`
//! and fails on one that points up or sideways, naming the file and line.

pub mod app;
pub mod bot;
pub mod clock;
pub mod config;
pub mod console;
pub mod content;
pub mod engine;
pub mod fold;
pub mod health;
pub mod ids;
pub mod lang;
pub mod links;
pub mod render;
pub mod stats;
pub mod store;
pub mod tap;

/// The layers of the crate's modules, lowest first: a module may use the modules of the
/// layers before its own and no other (see the crate documentation).
pub const LAYERS: &[&[&str]] = &[
    &["fold", "lang", "clock", "render", "ids"],
    &["config", "content"],
    &["store", "links"],
    &["stats"],
    &["tap"],
    &["engine"],
    &["health", "console"],
    &["bot"],
    &["app"],
];

/// The layers inside the modules that have their own, lowest first, by the same rule as
/// [`LAYERS`]: a file uses only the modules of the layers below its own. A module's root file
/// (`mod.rs`, its public face) stands above all of them: nothing inside points up at it, so
/// a type the others share lives in a file of its own (`engine::reply`), not in the root.
pub const INNER_LAYERS: &[(&str, &[&[&str]])] = &[
    (
        "engine",
        &[
            &["action", "command", "i18n", "names", "request"],
            &["lookup", "reply", "reports", "votes"],
            &["catalog", "search"],
            &["consultations"],
            &["snapshot"],
            &["screens"],
            &["router"],
        ],
    ),
    (
        "bot",
        &[
            &["circuit", "ids", "limits", "outcome", "queue"],
            &["api", "unchanged"],
            &["moves", "send"],
            &["intake"],
            &["notices"],
            &["settings"],
            &["poll", "profile", "webhook", "worker"],
        ],
    ),
];

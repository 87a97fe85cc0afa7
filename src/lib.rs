//! lidzdaliba-bot: a Telegram bot that helps people in Latvia take part in the decisions of
//! their state administration. One engine (`engine`) over a SQLite cache (`store`) of the
//! content files (`content`); the Telegram runtime (`bot`) and the offline console (`console`)
//! are thin adapters over it.

pub mod app;
pub mod bot;
pub mod clock;
pub mod config;
pub mod console;
pub mod content;
pub mod engine;
pub mod fold;
pub mod health;
pub mod lang;
pub mod links;
pub mod render;
pub mod stats;
pub mod store;

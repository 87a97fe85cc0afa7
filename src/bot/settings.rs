//! The runtime's settings and its errors, and the constants the parts share.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{SecretString, Webhook};
use crate::health::{Health, Signal};

/// The update kinds the bot asks for (polling and webhook alike).
pub(crate) const ALLOWED_UPDATES: &[&str] = &["message", "callback_query", "inline_query"];

/// The calls at start that are not needed to answer (the command menu, the profile, removing
/// an old webhook) are tried for this long.
pub(crate) const SETUP_DEADLINE: Duration = Duration::from_secs(5);

/// Settings of the Telegram runtime (the token and the webhook secret are [`SecretString`]s,
/// which `Debug` does not show).
#[derive(Debug, Clone)]
pub struct Settings {
    pub token: SecretString,
    pub api_url: Option<String>,
    pub throttle: bool,
    /// Long-polling timeout in seconds (the request may take 10 s more).
    pub poll_timeout: u32,
    /// Webhook mode instead of long polling.
    pub webhook: Option<Webhook>,
    /// Where the runtime reports its contact with the Bot API.
    pub health: Arc<Health>,
    /// `BOT_CHAT_BACKLOG`: updates a chat may have waiting; older ones are dropped.
    pub chat_backlog: usize,
    /// `BOT_REPLY_DEADLINE`: how long after an update arrived its reply is still tried.
    pub reply_deadline: Duration,
    /// More routes for the webhook's HTTP server (`/healthz`, `/metrics` on the same port).
    pub routes: Option<axum::Router>,
}

impl Settings {
    /// The runtime settings from the configuration; `None` without a token. Its health is
    /// `starting` from now on (a health server may listen before the runtime runs).
    pub fn from_config(config: &crate::config::Config) -> Option<Self> {
        let webhook = config.webhook();
        let health = Health::default();
        health.starting(signal_of(webhook.as_ref()));
        Some(Self {
            token: config.token.clone()?,
            api_url: config.api_url.clone(),
            throttle: config.throttle,
            poll_timeout: 10,
            webhook,
            health: Arc::new(health),
            chat_backlog: config.chat_backlog,
            reply_deadline: config.reply_deadline,
            routes: None,
        })
    }
}

/// Where health is read from in webhook mode or in polling mode.
pub(crate) fn signal_of(webhook: Option<&Webhook>) -> Signal {
    match webhook {
        Some(_) => Signal::GetWebhookInfo,
        None => Signal::GetUpdates,
    }
}

/// Why the runtime stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("TELOXIDE_API_URL is not a valid URL: {0}")]
    ApiUrl(String),
    #[error("the Bot API rejected the token ({0}); check TELOXIDE_TOKEN")]
    Unauthorized(String),
    #[error("cannot serve the webhook on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
}

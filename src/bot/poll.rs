//! `getUpdates` done directly over HTTP. teloxide's client sleeps 10 s inside any request that
//! gets a 5xx before it even reads the answer; for the polling loop that would mean 10 s of
//! silence after every hiccup of the Bot API. This poller returns at once and lets the loop
//! choose its own short backoff. Each update comes with its own JSON text, which the inbox
//! stores as it is.

use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use teloxide::types::Update;

use super::intake::Received;

/// Why a `getUpdates` call failed. Messages never contain the token.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error("network error: {0}")]
    Network(reqwest::Error),
    #[error("HTTP {status} from the Bot API")]
    Status { status: u16 },
    #[error("malformed response: {0}")]
    Malformed(String),
    #[error("Bot API error {code}: {description}")]
    Api {
        code: i64,
        description: String,
        retry_after: Option<u64>,
    },
}

impl PollError {
    /// The wait Telegram asked for (429), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PollError::Api {
                retry_after: Some(secs),
                ..
            } => Some(Duration::from_secs(*secs)),
            _ => None,
        }
    }

    /// The token is wrong: retrying cannot help.
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            PollError::Api {
                code: 401 | 404,
                ..
            } | PollError::Status { status: 401 | 404 }
        )
    }
}

/// Long polling client for one bot.
#[derive(Clone)]
pub struct Poller {
    client: reqwest::Client,
    url: url::Url,
}

impl Poller {
    /// A poller for the bot `token` on the Bot API at `api_url` (Telegram's by default).
    pub fn new(api_url: Option<&str>, token: &str, poll_timeout: u32) -> Result<Self, String> {
        let url = super::api::method_url(api_url, token, "getUpdates")?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(u64::from(poll_timeout) + 10))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Self { client, url })
    }

    /// One `getUpdates` call: the updates as Telegram sent them, not yet parsed one by one
    /// (see [`parse`]), so that the inbox can start writing them first.
    pub async fn get_updates(
        &self,
        offset: i64,
        timeout: u32,
        limit: u8,
        allowed: &[&str],
    ) -> Result<Fetched, PollError> {
        let body = serde_json::json!({
            "offset": offset,
            "timeout": timeout,
            "limit": limit,
            "allowed_updates": allowed,
        });
        let response = self
            .client
            .post(self.url.clone())
            .json(&body)
            .send()
            .await
            .map_err(|e| PollError::Network(e.without_url()))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| PollError::Network(e.without_url()))?;
        let envelope: Envelope<'_> = match serde_json::from_str(&text) {
            Ok(envelope) => envelope,
            Err(_) if status >= 300 => return Err(PollError::Status { status }),
            Err(e) => return Err(PollError::Malformed(e.to_string())),
        };
        if !envelope.ok {
            return Err(PollError::Api {
                code: envelope.error_code.unwrap_or(i64::from(status)),
                description: envelope.description.unwrap_or_default(),
                retry_after: envelope.parameters.and_then(|p| p.retry_after),
            });
        }
        let Some(result) = envelope.result else {
            return Err(PollError::Malformed("result is missing".into()));
        };
        let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(result.get()) else {
            return Err(PollError::Malformed("result is not a list".into()));
        };
        // Telegram hands out updates in ascending order: the last with a readable id is the
        // highest (an unreadable one still counts, so that the offset moves past it), the
        // first at or above the offset the lowest that counts.
        let id = |item: &&RawValue| {
            serde_json::from_str::<UpdateId>(item.get())
                .ok()
                .map(|u| u.update_id)
        };
        let last_id = items.iter().rev().find_map(id);
        let first_id = items.iter().filter_map(id).find(|id| *id >= offset);
        Ok(Fetched {
            result: if items.is_empty() {
                String::new()
            } else {
                result.get().to_string()
            },
            first_id,
            last_id,
        })
    }
}

/// The updates of `result` (a `getUpdates` answer) at or above `offset` that the bot can
/// read. Each update is parsed once, from its own text: teloxide's `Update` does not
/// deserialize from a `serde_json::Value` (its flattened fields come out as
/// `UpdateKind::Error`). An update the bot cannot read is skipped (and logged). One below
/// `offset` was handed out before (a server that ignores the offset): it is in the inbox or
/// answered.
pub fn parse(result: &str, offset: i64) -> Vec<Received> {
    let items = serde_json::from_str::<Vec<&RawValue>>(result).unwrap_or_default();
    let mut updates = Vec::with_capacity(items.len());
    for item in items {
        match serde_json::from_str::<Update>(item.get()) {
            Ok(update) => {
                let id = i64::from(update.id.0);
                if id >= offset {
                    updates.push(Received {
                        id,
                        update: Box::new(update),
                    });
                }
            }
            Err(e) => {
                let id = serde_json::from_str::<UpdateId>(item.get())
                    .ok()
                    .map(|u| u.update_id);
                tracing::warn!(update_id = id, error = %e, "cannot read an update; skipping it");
            }
        }
    }
    updates
}

/// A Bot API answer, with the updates left as text until each is parsed on its own.
#[derive(Deserialize)]
struct Envelope<'a> {
    ok: bool,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
    error_code: Option<i64>,
    description: Option<String>,
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
}

/// The id of an update that cannot be read otherwise (so the offset still moves past it).
#[derive(Deserialize)]
struct UpdateId {
    update_id: i64,
}

/// What one `getUpdates` call brought.
#[derive(Debug, Default)]
pub struct Fetched {
    /// The updates as Telegram sent them (a JSON array); empty if there were none.
    pub result: String,
    /// The lowest update id at or above the offset, if any.
    pub first_id: Option<i64>,
    /// The highest update id seen, readable or not.
    pub last_id: Option<i64>,
}

//! `getUpdates` through the one client ([`Client`]), its answer left as text: each update comes
//! with its own JSON text, which the inbox stores as it is, and is parsed one by one
//! ([`parse`]) while the inbox writes. The polling loop (in `mod.rs`) chooses its own short
//! backoff after a failure.

use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use teloxide::RequestError;
use teloxide::types::{ResponseParameters, Update};

use super::api::{self, Client};
use super::intake::Received;

/// One `getUpdates` call that waits up to `timeout` seconds for updates: the updates as
/// Telegram sent them, not yet parsed one by one (see [`parse`]), so that the inbox can start
/// writing them first.
pub async fn get_updates(
    client: &Client,
    offset: i64,
    timeout: u32,
    limit: u8,
    allowed: &[&str],
) -> Result<Fetched, RequestError> {
    let body = serde_json::json!({
        "offset": offset,
        "timeout": timeout,
        "limit": limit,
        "allowed_updates": allowed,
    });
    // The long poll may take `timeout`; the network gets 10 s more.
    let wait = Duration::from_secs(u64::from(timeout) + 10);
    let (status, text) = client.post(&client.updates_url, &body, wait).await?;
    let envelope: Envelope<'_> =
        serde_json::from_str(&text).map_err(|e| api::unreadable(status, e, &text))?;
    if !envelope.ok {
        return Err(api::refusal(
            status,
            envelope.description,
            envelope.parameters,
        ));
    }
    let malformed = |what: &str| api::invalid_json(serde::de::Error::custom(what), &text);
    let Some(result) = envelope.result else {
        return Err(malformed("result is missing"));
    };
    let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(result.get()) else {
        return Err(malformed("result is not a list"));
    };
    // Telegram hands out updates in ascending order: the last with a readable id is the
    // highest (an unreadable one still counts, so that the offset moves past it), the first
    // at or above the offset the lowest that counts.
    let id = |item: &&RawValue| {
        serde_json::from_str::<UpdateId>(item.get())
            .ok()
            .map(|u| u.update_id)
    };
    let last_id = items.iter().rev().find_map(id);
    let first_id = items.iter().filter_map(id).find(|id| *id >= offset);
    Ok(Fetched {
        count: items.len(),
        result: if items.is_empty() {
            String::new()
        } else {
            result.get().to_string()
        },
        first_id,
        last_id,
    })
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
    description: Option<String>,
    parameters: Option<ResponseParameters>,
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
    /// How many updates came, readable or not.
    pub count: usize,
}

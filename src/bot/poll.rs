//! Long polling: the loop that fetches updates ([`run`]), writes each batch to the inbox and
//! queues it, and confirms the offset when it stops. `getUpdates` goes through the one client
//! ([`Client`]), its answer left as text: each update comes with its own JSON text, which the
//! inbox stores as it is, and is parsed one by one ([`parse`]) while the inbox writes.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::value::RawValue;
use teloxide::types::{ResponseParameters, Update};
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;

use super::api::{self, Client};
use super::intake::{BatchId, Intake, Received, UpdateId};
use super::limits::Scope;
use super::send::{self, Backoff};
use super::settings::{ALLOWED_UPDATES, RunError, SETUP_DEADLINE};
use crate::health::Health;

/// While updates keep coming, a `getUpdates` starts at least this long after the one before
/// (unless that one brought a full batch): a steady stream then comes in batches rather than
/// one or two updates a call, each with its own inbox row and done marks (at 500 updates/s
/// this cut the CPU per reply from about 370 to 130 µs in the end-to-end benchmark), and
/// an update waits at most this long for it. A long poll that waited still returns at the
/// first update, so a quiet bot answers as fast as before.
const POLL_SPACING: Duration = Duration::from_millis(50);

/// Updates asked for with each `getUpdates` (Telegram's maximum).
const POLL_LIMIT: u8 = 100;

/// Long polling from `offset` (where the last run stopped) until `shutdown`, each call
/// waiting up to `timeout` seconds; the offset is confirmed at the end. Fetches more only
/// when the queues have room ([`Intake::room`]).
pub(super) async fn run(
    client: &Client,
    intake: &Intake,
    health: &Health,
    timeout: u32,
    mut offset: i64,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let gate = client.gate();
    // A webhook left from an earlier run would make getUpdates fail with 409.
    let until = Instant::now() + SETUP_DEADLINE;
    let deleted = send::call_with_retry::<bool>(
        client,
        Scope::Bot,
        "deleteWebhook",
        &serde_json::json!({}),
        until,
    )
    .await;
    if let Err(err) = deleted {
        tracing::warn!(error = %err, "deleteWebhook failed");
    }
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut next_poll = Instant::now();
    while !*shutdown.borrow() {
        // More only when everything fetched so far has a worker or waits for its chat's time.
        tokio::select! {
            _ = intake.room() => {}
            _ = shutdown.changed() => break,
        }
        tokio::select! {
            _ = async {
                tokio::time::sleep_until(next_poll.into()).await;
                gate.wait().await;
            } => {}
            _ = shutdown.changed() => break,
        }
        let asked = Instant::now();
        let request = get_updates(client, offset, timeout, POLL_LIMIT, ALLOWED_UPDATES);
        let result = tokio::select! {
            result = request => result,
            _ = shutdown.changed() => break,
        };
        match result {
            Ok(fetched) => {
                backoff.reset();
                health.polled();
                if fetched.count < usize::from(POLL_LIMIT) {
                    next_poll = asked + POLL_SPACING;
                }
                let (Some(first), Some(last)) = (fetched.first_id, fetched.last_id) else {
                    // Nothing, or only updates handed out before (a server that ignores the
                    // offset): they are in the inbox or answered.
                    continue;
                };
                // In the inbox before the next getUpdates confirms them. SQLite writes the
                // batch on its own thread while the updates are parsed here.
                let store = intake.store_polled(first, last, &fetched.result);
                let parse = async { parse(&fetched.result, offset) };
                let (stored, updates) = tokio::join!(store, parse);
                if let Err(err) = stored {
                    let wait = backoff.next_delay();
                    tracing::error!(error = %err, retry_in_ms = wait.as_millis() as u64, "cannot write updates to the inbox; fetching them again");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => break,
                    }
                    continue;
                }
                intake.queue_polled(BatchId(first), updates);
                offset = last + 1;
            }
            Err(RequestError::Api(ApiError::InvalidToken)) => {
                return Err(RunError::Unauthorized("getUpdates: invalid token".into()));
            }
            Err(err) => {
                let wait = match &err {
                    // Every request waits, not only the polling.
                    RequestError::RetryAfter(after) => {
                        gate.retry_after(Scope::Bot, after.duration(), Instant::now());
                        after.duration()
                    }
                    _ => backoff.next_delay(),
                };
                tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "getUpdates failed");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => break,
                }
            }
        }
    }
    confirm_offset(client, offset).await;
    Ok(())
}

/// Confirms everything below `offset` so that no update is handed out again.
async fn confirm_offset(client: &Client, offset: i64) {
    if offset == 0 {
        return;
    }
    for attempt in 1..=3 {
        match get_updates(client, offset, 0, 1, ALLOWED_UPDATES).await {
            Ok(_) => {
                tracing::info!(offset, "update offset confirmed");
                return;
            }
            Err(err) => {
                tracing::warn!(error = %err, attempt, "cannot confirm the update offset");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// One `getUpdates` call that waits up to `timeout` seconds for updates: the updates as
/// Telegram sent them, not yet parsed one by one (see [`parse`]), so that the inbox can start
/// writing them first.
async fn get_updates(
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
        serde_json::from_str::<IdOnly>(item.get())
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
fn parse(result: &str, offset: i64) -> Vec<Received> {
    let items = serde_json::from_str::<Vec<&RawValue>>(result).unwrap_or_default();
    let mut updates = Vec::with_capacity(items.len());
    for item in items {
        match serde_json::from_str::<Update>(item.get()) {
            Ok(update) => {
                let id = i64::from(update.id.0);
                if id >= offset {
                    updates.push(Received {
                        id: UpdateId(id),
                        update: Box::new(update),
                    });
                }
            }
            Err(e) => {
                let id = serde_json::from_str::<IdOnly>(item.get())
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
struct IdOnly {
    update_id: i64,
}

/// What one `getUpdates` call brought.
#[derive(Debug, Default)]
struct Fetched {
    /// The updates as Telegram sent them (a JSON array); empty if there were none.
    pub(crate) result: String,
    /// The lowest update id at or above the offset, if any.
    pub(crate) first_id: Option<i64>,
    /// The highest update id seen, readable or not.
    pub(crate) last_id: Option<i64>,
    /// How many updates came, readable or not.
    pub(crate) count: usize,
}

//! Webhook mode: Telegram POSTs updates to `WEBHOOK_URL`; requests without the right
//! `X-Telegram-Bot-Api-Secret-Token` header get 401 and are not processed. An update is
//! answered 200 as soon as it is written to the inbox and queued (the same queues as in
//! polling mode), and 500 if it cannot be written, so that Telegram sends it again.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use teloxide::types::Update;

use super::intake::Received;
use crate::config::ExposeSecret;

pub use crate::config::Webhook;

/// The header Telegram sends the secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Compares two secrets in time that does not depend on where they differ.
pub fn secrets_match(given: &[u8], expected: &[u8]) -> bool {
    if given.len() != expected.len() {
        return false;
    }
    given
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// What the webhook handler does with a checked update (and its JSON text): `true` once it is
/// safely queued.
pub(super) type Handle = Arc<dyn Fn(Received, String) -> BoxedFuture + Send + Sync>;

/// A boxed future without an extra dependency.
pub(super) type BoxedFuture = std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>;

#[derive(Clone)]
struct HookState {
    secret: Arc<String>,
    handle: Handle,
}

/// The router for the webhook path.
pub(super) fn router(hook: &Webhook, handle: Handle) -> Router {
    let path = match hook.url.path() {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    Router::new()
        .route(&path, post(receive))
        .with_state(HookState {
            secret: Arc::new(hook.secret.expose_secret().to_string()),
            handle,
        })
}

async fn receive(State(state): State<HookState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !secrets_match(given, state.secret.as_bytes()) {
        metrics::counter!("bot_errors_total", "kind" => "webhook_unauthorized").increment(1);
        return StatusCode::UNAUTHORIZED;
    }
    let raw = match String::from_utf8(body.to_vec()) {
        Ok(raw) => raw,
        Err(err) => {
            tracing::warn!(error = %err, "a webhook update is not UTF-8; skipping it");
            return StatusCode::OK;
        }
    };
    match serde_json::from_str::<Update>(&raw) {
        Ok(update) => {
            let received = Received {
                id: i64::from(update.id.0),
                update: Box::new(update),
            };
            if (state.handle)(received, raw).await {
                StatusCode::OK
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "cannot read a webhook update; skipping it");
            StatusCode::OK
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(secrets_match(b"abc", b"abc"));
        assert!(!secrets_match(b"abd", b"abc"));
        assert!(!secrets_match(b"ab", b"abc"));
        assert!(!secrets_match(b"", b"abc"));
    }
}

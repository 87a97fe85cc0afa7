//! Webhook mode: Telegram POSTs updates to `WEBHOOK_URL`; requests without the right
//! `X-Telegram-Bot-Api-Secret-Token` header get 401 and are not processed.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use teloxide::types::Update;

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

/// What the webhook handler does with a checked update.
pub type Handle = Arc<dyn Fn(Update) -> BoxedFuture + Send + Sync>;

/// A boxed future without an extra dependency.
pub type BoxedFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

#[derive(Clone)]
struct HookState {
    secret: Arc<String>,
    handle: Handle,
}

/// The router for the webhook path.
pub fn router(hook: &Webhook, handle: Handle) -> Router {
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
    match serde_json::from_slice::<Update>(&body) {
        Ok(update) => {
            (state.handle)(update).await;
            StatusCode::OK
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

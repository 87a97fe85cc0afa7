//! Webhook mode: Telegram POSTs updates to `WEBHOOK_URL`; requests without the right
//! `X-Telegram-Bot-Api-Secret-Token` header get 401 and are not processed. An update is
//! answered 200 as soon as it is written to the inbox and queued (the same queues as in
//! polling mode), and 500 if it cannot be written, so that Telegram sends it again. While it
//! serves, `getWebhookInfo` is the health signal ([`check`]).

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use teloxide::RequestError;
use teloxide::types::Update;
use tokio::sync::watch;

use super::api::{Client, WebhookInfo};
use super::intake::{Intake, Received, UpdateId};
use super::limits::Scope;
use super::send;
use super::settings::{ALLOWED_UPDATES, RunError};
use crate::config::{ExposeSecret, Webhook};
use crate::health::Health;

/// The header Telegram sends the secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Registers the webhook, then serves it (with `routes` on the same server) until `shutdown`;
/// requests in flight finish. Each update is written to the inbox and queued before Telegram
/// gets its 200. The webhook stays registered, so Telegram keeps the updates that arrive while
/// the bot is down.
pub(super) async fn serve(
    client: &Client,
    hook: Webhook,
    routes: Option<Router>,
    health: Arc<Health>,
    intake: Arc<Intake>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let listener = tokio::net::TcpListener::bind(hook.listen)
        .await
        .map_err(|e| RunError::Listen(hook.listen, e))?;
    let registration = serde_json::json!({
        "url": hook.url.as_str(),
        "secret_token": hook.secret.expose_secret(),
        "allowed_updates": ALLOWED_UPDATES,
    });
    let registered = send::until_done(client.gate(), "setWebhook", &mut shutdown, || {
        client.call::<bool>("setWebhook", &registration)
    })
    .await;
    match registered {
        None => return Ok(()),
        Some(Ok(_)) => {}
        Some(Err(err)) => return Err(RunError::Unauthorized(format!("setWebhook: {err}"))),
    }
    health.webhook_mode();
    tracing::info!(url = %hook.url, listen = %hook.listen, "webhook registered");
    let checker = tokio::spawn(check(
        client.clone(),
        hook.url.to_string(),
        Arc::clone(&health),
        shutdown.clone(),
    ));
    let mut app = router(&hook, health, intake);
    if let Some(routes) = routes {
        app = app.merge(routes);
    }
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await;
    checker.abort();
    if let Err(err) = served {
        tracing::error!(error = %err, "the webhook server failed");
    }
    Ok(())
}

#[derive(Clone)]
struct HookState {
    secret: Arc<String>,
    health: Arc<Health>,
    intake: Arc<Intake>,
}

/// The router for the webhook path.
fn router(hook: &Webhook, health: Arc<Health>, intake: Arc<Intake>) -> Router {
    let path = match hook.url.path() {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    Router::new()
        .route(&path, post(receive))
        .with_state(HookState {
            secret: Arc::new(hook.secret.expose_secret().to_string()),
            health,
            intake,
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
    let update = match serde_json::from_str::<Update>(&raw) {
        Ok(update) => update,
        Err(err) => {
            tracing::warn!(error = %err, "cannot read a webhook update; skipping it");
            return StatusCode::OK;
        }
    };
    let received = Received {
        id: UpdateId(i64::from(update.id.0)),
        update: Box::new(update),
    };
    state.health.webhook_delivered();
    state.intake.admit().await;
    match state.intake.accept_one(received, &raw).await {
        Ok(()) => StatusCode::OK,
        Err(err) => {
            tracing::error!(error = %err, "cannot write a webhook update to the inbox; Telegram will send it again");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn secrets_match(given: &[u8], expected: &[u8]) -> bool {
    if given.len() != expected.len() {
        return false;
    }
    given
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// Webhook mode's health signal: `getWebhookInfo` now and every [`Health::check_every`], until
/// `shutdown`. Updates may not come for hours; this says whether Telegram still has our URL
/// and delivers to it.
async fn check(
    sender: Client,
    url: String,
    health: Arc<Health>,
    mut shutdown: watch::Receiver<bool>,
) {
    let no_parameters = serde_json::json!({});
    // The last delivery error logged, so that each is logged once.
    let mut logged_error = None;
    while !*shutdown.borrow() {
        tokio::select! {
            _ = sender.gate().wait() => {}
            _ = shutdown.changed() => return,
        }
        let info = tokio::select! {
            info = sender.call::<WebhookInfo>("getWebhookInfo", &no_parameters) => info,
            _ = shutdown.changed() => return,
        };
        match info {
            Ok(info) => {
                let registered = info.url == url;
                if !registered {
                    tracing::error!(registered = %info.url, "Telegram does not have this bot's webhook URL: updates do not reach it");
                }
                let last_error = info
                    .last_error_date
                    .filter(|at| *at > 0)
                    .map(|at| (at, info.last_error_message.unwrap_or_default()));
                if let Some((at, message)) = &last_error
                    && logged_error != Some(*at)
                {
                    logged_error = Some(*at);
                    tracing::warn!(
                        seconds_ago = crate::clock::unix_now().saturating_sub(*at),
                        pending = info.pending_update_count,
                        %message,
                        "Telegram reports a failed delivery to the webhook"
                    );
                }
                health.webhook_checked(crate::health::WebhookReport {
                    registered,
                    pending_update_count: info.pending_update_count,
                    last_error,
                });
            }
            Err(RequestError::RetryAfter(after)) => {
                sender
                    .gate()
                    .retry_after(Scope::Bot, after.duration(), Instant::now());
            }
            Err(err) => tracing::warn!(error = %err, "getWebhookInfo failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(health.check_every()) => {}
            _ = shutdown.changed() => return,
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

//! `GET /healthz` and `GET /metrics` (Prometheus text format, from the `metrics` crates).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::sync::watch;

use crate::clock;
use crate::engine::Engine;

/// After this long without a successful Bot API call, `/healthz` answers 503.
pub const API_SILENCE_LIMIT_SECS: u64 = 120;

/// What the runtime reports about its connection to the Bot API.
#[derive(Debug, Default)]
pub struct Health {
    /// Unix seconds of the last successful Bot API call; 0 = never.
    last_api_ok: AtomicU64,
}

impl Health {
    /// Records a successful call to (or a genuine webhook call from) the Bot API.
    pub fn mark_api_ok(&self) {
        self.last_api_ok.store(clock::unix_now(), Ordering::Relaxed);
    }

    /// Seconds since the last successful Bot API call, if there was one.
    pub fn seconds_since_api(&self) -> Option<u64> {
        match self.last_api_ok.load(Ordering::Relaxed) {
            0 => None,
            at => Some(clock::unix_now().saturating_sub(at)),
        }
    }
}

/// The process-wide Prometheus recorder (installed once; later calls get the same handle).
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full("bot_handler_seconds".into()),
                    &[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                    ],
                )
                .expect("the bucket list is not empty");
            match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed (tests): render an unattached one.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

#[derive(Clone)]
struct AppState {
    engine: Arc<Engine>,
    health: Arc<Health>,
    metrics: PrometheusHandle,
}

/// The router with `/healthz` and `/metrics`.
pub fn router(engine: Arc<Engine>, health: Arc<Health>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(AppState {
            engine,
            health,
            metrics: prometheus(),
        })
}

/// Serves `router` on `addr` until `shutdown` turns true.
pub async fn serve(
    addr: SocketAddr,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "HTTP server listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            while !*shutdown.borrow() {
                if shutdown.changed().await.is_err() {
                    break;
                }
            }
        })
        .await
}

async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.engine.store();
    let info = store.content_info().await;
    let counts = store.content_counts().await;
    let since_api = state.health.seconds_since_api();
    let (hash, counts) = match (info, counts) {
        (Ok(Some(info)), Ok(counts)) => (info.hash, counts),
        _ => {
            let body = serde_json::json!({"status": "no content"});
            return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
        }
    };
    let api_ok = since_api.is_some_and(|s| s <= API_SILENCE_LIMIT_SECS);
    let body = serde_json::json!({
        "status": if api_ok { "ok" } else { "bot api unreachable" },
        "content_hash": hash,
        "lessons": counts.lessons,
        "guideline_sections": counts.sections,
        "ministries": counts.ministries,
        "contacts": counts.contacts,
        // Only real verifications count (`verified` in the content); null when none.
        "oldest_contact_verified": counts.oldest_contact_verified,
        "contacts_never_verified": counts.contacts_never_verified,
        "seconds_since_bot_api": since_api,
    });
    let status = if api_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

//! `GET /healthz` and `GET /metrics` (Prometheus text format, from the `metrics` crates).
//!
//! Health means "Telegram can reach the bot and the bot can reach Telegram", read from a
//! signal that keeps coming when nobody writes to the bot:
//! - **polling**: every successful `getUpdates` (a long poll returns every few seconds, empty
//!   or not);
//! - **webhook**: a periodic `getWebhookInfo` (every [`Health::check_every`]), which must name
//!   our URL and show no delivery error newer than the last update that did arrive.
//!
//! A quiet period without user updates is therefore healthy in both modes; what turns
//! `/healthz` to 503 is no successful signal within [`Health::limit`]. At start the runtime
//! counts as `starting` (200) for up to that limit, and its `getMe` as the first signal: a
//! restart or a deploy is healthy from its first second, and a Bot API that does not answer
//! at start turns 503 after the limit, as it would later.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::sync::watch;

use crate::clock;
use crate::engine::Engine;

/// After this long without a successful signal, `/healthz` answers 503.
pub(crate) const SIGNAL_LIMIT: Duration = Duration::from_secs(120);
/// How often `getWebhookInfo` is asked in webhook mode: four chances within [`SIGNAL_LIMIT`].
pub(crate) const WEBHOOK_CHECK_EVERY: Duration = Duration::from_secs(30);

/// Where the health of the connection to Telegram is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Long polling: the last successful `getUpdates`.
    GetUpdates,
    /// Webhook: the last successful `getWebhookInfo`.
    GetWebhookInfo,
}

impl Signal {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::GetUpdates => "getUpdates",
            Signal::GetWebhookInfo => "getWebhookInfo",
        }
    }
}

/// What `getWebhookInfo` said, as far as health goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WebhookReport {
    /// Telegram has our URL registered (not another one, not none).
    pub registered: bool,
    /// Updates Telegram holds for the bot, not yet delivered.
    pub pending_update_count: u64,
    /// Unix seconds of Telegram's last failed delivery, and its message.
    pub last_error: Option<(u64, String)>,
}

/// What the runtime reports about its connection to the Bot API.
#[derive(Debug)]
pub struct Health {
    limit: Duration,
    check_every: Duration,
    state: Mutex<SignalState>,
}

#[derive(Debug, Default)]
struct SignalState {
    signal: Option<Signal>,
    /// When the runtime started.
    started: Option<Instant>,
    /// The last success of the signal (or the `getMe` at start).
    last_ok: Option<Instant>,
    /// The signal itself has succeeded since the start.
    signalled: bool,
    /// The last `getWebhookInfo` answer.
    webhook: Option<WebhookReport>,
    /// Unix seconds of the last update that arrived on the webhook.
    last_delivery: Option<u64>,
}

impl Default for Health {
    fn default() -> Self {
        Self::new(SIGNAL_LIMIT, WEBHOOK_CHECK_EVERY)
    }
}

/// The verdict of [`Health::report`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Report {
    pub healthy: bool,
    /// `ok`, or why not.
    pub status: &'static str,
    pub signal: Option<Signal>,
    pub seconds_since_signal: Option<u64>,
    pub webhook: Option<WebhookReport>,
}

impl Health {
    /// Unhealthy after `limit` without a successful signal; in webhook mode `getWebhookInfo`
    /// is asked every `check_every` (tests shorten both).
    pub fn new(limit: Duration, check_every: Duration) -> Self {
        Self {
            limit,
            check_every,
            state: Mutex::default(),
        }
    }

    pub(crate) fn limit(&self) -> Duration {
        self.limit
    }

    pub(crate) fn check_every(&self) -> Duration {
        self.check_every
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SignalState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The runtime starts; its health will come from `signal`. Until the Bot API answers it
    /// is `starting`, for up to the limit.
    pub(crate) fn starting(&self, signal: Signal) {
        let mut state = self.lock();
        state.signal = Some(signal);
        state.started.get_or_insert_with(Instant::now);
    }

    /// The Bot API answered `getMe`: it counts as a success of the signal until the signal's
    /// own first answer (a long poll may wait for its whole timeout).
    pub(crate) fn answered(&self) {
        self.lock().last_ok = Some(Instant::now());
    }

    /// A successful `getUpdates`.
    pub(crate) fn polled(&self) {
        let mut state = self.lock();
        state.signal = Some(Signal::GetUpdates);
        state.last_ok = Some(Instant::now());
        state.signalled = true;
    }

    /// Webhook mode: health comes from `getWebhookInfo` from now on (called once the webhook is
    /// registered, before the first check).
    pub(crate) fn webhook_mode(&self) {
        let mut state = self.lock();
        state.signal = Some(Signal::GetWebhookInfo);
    }

    /// A successful `getWebhookInfo`; its figures also go to the metrics.
    pub(crate) fn webhook_checked(&self, report: WebhookReport) {
        let now = clock::unix_now();
        metrics::gauge!("bot_webhook_pending_updates").set(report.pending_update_count as f64);
        metrics::gauge!("bot_webhook_registered").set(if report.registered { 1.0 } else { 0.0 });
        let mut state = self.lock();
        if let Some((at, message)) = &report.last_error {
            metrics::gauge!("bot_webhook_last_error_age_seconds")
                .set(now.saturating_sub(*at) as f64);
            // The message as a label: the one of the last error is 1, an earlier one 0.
            let previous = state.webhook.as_ref().and_then(|w| w.last_error.as_ref());
            if let Some((_, old)) = previous.filter(|(_, old)| old != message) {
                metrics::gauge!("bot_webhook_last_error", "message" => old.clone()).set(0.0);
            }
            metrics::gauge!("bot_webhook_last_error", "message" => message.clone()).set(1.0);
        }
        state.signal = Some(Signal::GetWebhookInfo);
        state.last_ok = Some(Instant::now());
        state.signalled = true;
        state.webhook = Some(report);
    }

    /// An update arrived on the webhook: deliveries work (a delivery error older than this is
    /// over).
    pub(crate) fn webhook_delivered(&self) {
        self.lock().last_delivery = Some(clock::unix_now());
    }

    /// Whether the bot is healthy now, and why not.
    pub(crate) fn report(&self) -> Report {
        let state = self.lock();
        let since = state.last_ok.map(|at| at.elapsed());
        let fresh = since.is_some_and(|s| s <= self.limit);
        // Started within the limit, and nothing has failed for the limit yet.
        let starting = !state.signalled
            && (fresh || state.started.is_some_and(|at| at.elapsed() <= self.limit));
        let now = clock::unix_now();
        let limit_secs = self.limit.as_secs().max(1);
        let status = match (&state.signal, &state.webhook) {
            _ if starting => "starting",
            _ if !fresh => "bot api unreachable",
            (Some(Signal::GetWebhookInfo), Some(hook)) if !hook.registered => {
                "webhook not registered"
            }
            (Some(Signal::GetWebhookInfo), Some(hook))
                if hook.pending_update_count > 0
                    && hook.last_error.as_ref().is_some_and(|(at, _)| {
                        now.saturating_sub(*at) <= limit_secs
                            && state.last_delivery.is_none_or(|d| d < *at)
                    }) =>
            {
                "webhook deliveries failing"
            }
            _ => "ok",
        };
        Report {
            healthy: matches!(status, "ok" | "starting"),
            status,
            signal: state.signal,
            seconds_since_signal: since.map(|s| s.as_secs()),
            webhook: state.webhook.clone(),
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
    let (hash, counts) = match (info, counts) {
        (Ok(Some(info)), Ok(counts)) => (info.hash, counts),
        _ => {
            let body = serde_json::json!({"status": "no content"});
            return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
        }
    };
    let report = state.health.report();
    let mut body = serde_json::json!({
        "status": report.status,
        "content_hash": hash,
        "lessons": counts.lessons,
        "guideline_sections": counts.sections,
        "ministries": counts.ministries,
        "contacts": counts.contacts,
        // Only real verifications count (`verified` in the content); null when none.
        "oldest_contact_verified": counts.oldest_contact_verified,
        "contacts_never_verified": counts.contacts_never_verified,
        // Which signal the verdict is read from, and how old its last success is.
        "signal": report.signal.map(Signal::name),
        "seconds_since_signal": report.seconds_since_signal,
        "signal_limit_seconds": state.health.limit().as_secs(),
    });
    // TAP is a source beside the bot: its failures show here, but never make the bot unhealthy
    // (the screens say how old their data is).
    match state
        .engine
        .tap_db()
        .status(&clock::today_in_latvia())
        .await
    {
        Ok(tap) => {
            body["tap"] = serde_json::json!({
                "last_success": tap.last_success,
                "last_attempt": tap.last_attempt,
                "last_error": tap.last_error,
                "last_error_at": tap.last_error_at,
                "failing": tap.failing,
                "items_open": tap.items_open,
            });
        }
        Err(err) => tracing::warn!(error = %err, "cannot read the TAP status"),
    }
    if let Some(hook) = &report.webhook {
        let now = clock::unix_now();
        body["webhook"] = serde_json::json!({
            "registered": hook.registered,
            "pending_update_count": hook.pending_update_count,
            "last_error_age_seconds": hook.last_error.as_ref().map(|(at, _)| now.saturating_sub(*at)),
            "last_error_message": hook.last_error.as_ref().map(|(_, m)| m),
        });
    }
    let status = if report.healthy {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_is_healthy_until_the_limit_and_get_me_counts_as_a_signal() {
        let limit = Duration::from_millis(300);
        let never = Health::new(limit, limit);
        assert_eq!(never.report().status, "bot api unreachable", "no runtime");

        let health = Health::new(limit, limit);
        health.starting(Signal::GetUpdates);
        let report = health.report();
        assert!(report.healthy, "{report:?}");
        assert_eq!(
            (report.status, report.signal),
            ("starting", Some(Signal::GetUpdates))
        );
        // The Bot API never answers: unhealthy once the limit has passed.
        std::thread::sleep(limit + Duration::from_millis(50));
        assert_eq!(health.report().status, "bot api unreachable");
        // getMe answers: starting again, until the first long poll returns.
        health.answered();
        assert_eq!(health.report().status, "starting");
        assert!(health.report().healthy);
        health.polled();
        assert_eq!(health.report().status, "ok");
        // From then on only the signal counts.
        std::thread::sleep(limit + Duration::from_millis(50));
        assert_eq!(health.report().status, "bot api unreachable");
    }
}

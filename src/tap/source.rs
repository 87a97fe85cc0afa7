//! Where the consultations come from: the [`Source`] trait, and [`HttpSource`], which reads
//! TAP's public HTML pages. A source for TAP's JSON:API (access is granted on request by the
//! State Chancellery) would implement the same trait and leave the rest unchanged.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::parse::{self, Detail, ListedItem, ListingPage, PageError};
use super::robots::Robots;

/// What a source of TAP's public consultations provides.
pub trait Source: Send + Sync {
    /// Page `page` (from 1) of the listing, sorted by deadline, latest first.
    fn listing(&self, page: u32) -> impl Future<Output = Result<ListingPage, FetchError>> + Send;

    /// What the consultation's own page says.
    fn detail(&self, item: &ListedItem) -> impl Future<Output = Result<Detail, FetchError>> + Send;

    /// The requests made so far (every one, `robots.txt` too), for the reports.
    fn requests(&self) -> u64;
}

/// A page could not be had, or was not what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("cannot reach TAP ({url}): {reason}")]
    Network { url: String, reason: String },
    #[error("TAP did not answer within {secs} s ({url})")]
    Timeout { url: String, secs: u64 },
    #[error("TAP answered {status} ({url})")]
    Status { url: String, status: u16 },
    #[error("TAP's page is larger than {limit} bytes ({url})")]
    TooLarge { url: String, limit: usize },
    #[error("TAP's robots.txt does not allow this bot to read {url}")]
    Disallowed { url: String },
    #[error("{source} ({url})")]
    Page { url: String, source: PageError },
}

impl FetchError {
    /// A short name of what went wrong, the same for every failure of its kind (for metrics
    /// and for logging each kind once).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            FetchError::Network { .. } => "network",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Status { status, .. } if *status >= 500 => "server_error",
            FetchError::Status { .. } => "http_status",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Disallowed { .. } => "robots",
            FetchError::Page {
                source: PageError::Rejected,
                ..
            } => "rejected",
            FetchError::Page {
                source: PageError::NotListing,
                ..
            } => "not_listing",
            FetchError::Page {
                source: PageError::Markup(_),
                ..
            } => "markup",
        }
    }
}

/// How [`HttpSource`] asks.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The pause after each answer before the next request: never two requests at once, and
    /// at most one a second with the default.
    pub gap: Duration,
    /// The longest wait for one whole answer.
    pub timeout: Duration,
    /// The longest page read; a listing page is about 70 KB.
    pub max_body: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            gap: Duration::from_secs(1),
            timeout: Duration::from_secs(30),
            max_body: 4 * 1024 * 1024,
        }
    }
}

/// The User-Agent of every request: who asks and how often.
pub(crate) const USER_AGENT: &str = concat!(
    "lidzdaliba-bot/",
    env!("CARGO_PKG_VERSION"),
    " (a Telegram bot that tells residents which public consultations are open; reads the \
     public_participation listing about once an hour, one request a second, robots.txt daily)"
);

/// TAP's public HTML pages: the listing `/public_participation` and each consultation's page.
#[derive(Debug)]
pub struct HttpSource {
    client: reqwest::Client,
    base: String,
    options: HttpOptions,
    /// When the last answer ended; held while a request is in flight.
    last: tokio::sync::Mutex<Option<Instant>>,
    /// `robots.txt` as last read, and when.
    robots: tokio::sync::Mutex<Option<(Instant, Robots)>>,
    /// A `Crawl-delay` longer than the gap, in milliseconds (0: none).
    delay_ms: AtomicU64,
    requests: AtomicU64,
}

/// `robots.txt` is read again after this long.
const ROBOTS_MAX_AGE: Duration = Duration::from_secs(24 * 3600);

impl HttpSource {
    /// A source for the portal at `base` (`TAP_URL`, e.g. `https://tapportals.mk.gov.lv`).
    pub fn new(base: &str, options: HttpOptions) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .map_err(|err| FetchError::Network {
                url: base.to_string(),
                reason: format!("cannot set up the HTTP client: {err}"),
            })?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_string(),
            options,
            last: tokio::sync::Mutex::new(None),
            robots: tokio::sync::Mutex::new(None),
            delay_ms: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        })
    }

    /// The listing's URL for `page`: sorted by deadline, latest first.
    pub(crate) fn listing_url(&self, page: u32) -> String {
        format!(
            "{}/public_participation?order_by=application_deadline&order_direction=desc&page={page}",
            self.base
        )
    }

    /// Fails with [`FetchError::Disallowed`] unless `robots.txt` (read at most once a day)
    /// allows `path`. A missing `robots.txt` (4xx) allows everything; a portal that cannot
    /// answer for it is not asked anything else.
    async fn allowed(&self, path: &str) -> Result<(), FetchError> {
        let mut robots = self.robots.lock().await;
        if robots
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= ROBOTS_MAX_AGE)
        {
            let url = format!("{}/robots.txt", self.base);
            let read = match self.get(&url).await {
                Ok(text) => Robots::parse(&text),
                Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                    Robots::default()
                }
                Err(err) => return Err(err),
            };
            let delay = read.delay.unwrap_or_default();
            let delay_ms = if delay > self.options.gap {
                u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)
            } else {
                0
            };
            self.delay_ms.store(delay_ms, Ordering::Relaxed);
            *robots = Some((Instant::now(), read));
        }
        match robots.as_ref() {
            Some((_, rules)) if !rules.allows(path) => Err(FetchError::Disallowed {
                url: format!("{}{path}", self.base),
            }),
            _ => Ok(()),
        }
    }

    /// One GET, after the pause since the last answer; the body as text.
    async fn get(&self, url: &str) -> Result<String, FetchError> {
        let mut last = self.last.lock().await;
        let gap = self
            .options
            .gap
            .max(Duration::from_millis(self.delay_ms.load(Ordering::Relaxed)));
        if let Some(at) = *last {
            tokio::time::sleep_until((at + gap).into()).await;
        }
        let result = self.fetch(url).await;
        *last = Some(Instant::now());
        self.requests.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("tap_requests_total").increment(1);
        result
    }

    async fn fetch(&self, url: &str) -> Result<String, FetchError> {
        let failed = |err: reqwest::Error| {
            if err.is_timeout() {
                FetchError::Timeout {
                    url: url.to_string(),
                    secs: self.options.timeout.as_secs().max(1),
                }
            } else {
                FetchError::Network {
                    url: url.to_string(),
                    reason: chain(&err),
                }
            }
        };
        let mut response = self.client.get(url).send().await.map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > self.options.max_body {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit: self.options.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

impl Source for HttpSource {
    async fn listing(&self, page: u32) -> Result<ListingPage, FetchError> {
        let url = self.listing_url(page);
        self.allowed(&url[self.base.len()..]).await?;
        let html = self.get(&url).await?;
        parse::listing(&html, &self.base).map_err(|source| FetchError::Page { url, source })
    }

    async fn detail(&self, item: &ListedItem) -> Result<Detail, FetchError> {
        let url = item.url.clone();
        self.allowed(url.strip_prefix(&self.base).unwrap_or(&url))
            .await?;
        let html = self.get(&url).await?;
        parse::detail(&html, &item.title).map_err(|source| FetchError::Page { url, source })
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// An error with its causes, for a person to read (reqwest's own text names only the URL).
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

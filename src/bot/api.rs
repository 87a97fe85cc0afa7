//! The one Bot API client: every method the bot calls goes over one HTTP client (one
//! connection pool), comes back as one error type (teloxide's [`RequestError`], so that
//! "message is not modified" and the other known answers keep their names), and is retried by
//! one path (`send::with_retry`), which waits at the one [`Gate`] for every `retry_after`
//! Telegram sends and at the one [`Circuit`] while the Bot API fails. With `BOT_THROTTLE` on, a [`Limiter`] keeps messages to Telegram's rate
//! limits.
//!
//! Why not teloxide's client: it sleeps 10 s inside any request that gets a 5xx before the
//! caller even sees the error, parses the whole returned `Message` of every reply, and has a
//! rate limiter (`Throttle`) of its own that knows nothing of our per-chat queues. teloxide
//! stays for what it does well: the types of updates, keyboards, inline results and commands
//! (all serialized by serde as Telegram expects them) and the names of Telegram's errors.
//! The two calls behind nearly every reply (`sendMessage`, `editMessageText`) have their URLs
//! built once and their bodies serialized from borrowed parts; of their answer only `ok` and
//! the error fields are read.
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use teloxide::types::{ChatId, InlineKeyboardMarkup, MessageId, ResponseParameters};
use teloxide::{ApiError, RequestError};

use super::circuit::Circuit;
use super::limits::{Gate, Limiter};

/// How long any call but a long poll may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(17);

/// The Bot API client of one bot.
#[derive(Clone)]
pub(crate) struct Client {
    http: reqwest::Client,
    /// `<api>/bot<token>/`: every other method's URL is this plus its name.
    base: url::Url,
    send_url: url::Url,
    edit_url: url::Url,
    pub(super) updates_url: url::Url,
    limiter: Option<Arc<Limiter>>,
    gate: Arc<Gate>,
    circuit: Arc<Circuit>,
}

impl Client {
    /// A client for the bot `token` on the Bot API at `api_url` (Telegram's by default); every
    /// call through `send::with_retry` waits at `gate`.
    pub(crate) fn new(
        api_url: Option<&str>,
        token: &str,
        throttle: bool,
        gate: Arc<Gate>,
    ) -> Result<Self, String> {
        let url = |method| method_url(api_url, token, method);
        // No overall timeout here: each request sets its own (a long poll waits longer).
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Self {
            http,
            base: url("")?,
            send_url: url("sendMessage")?,
            edit_url: url("editMessageText")?,
            updates_url: url("getUpdates")?,
            limiter: throttle.then(|| Arc::new(Limiter::default())),
            gate,
            circuit: Arc::new(Circuit::default()),
        })
    }

    /// Where `retry_after`s are recorded and waited out (by `send::with_retry`, which every
    /// call goes through).
    pub(crate) fn gate(&self) -> &Gate {
        &self.gate
    }

    /// Where calls wait while the Bot API fails (every call through `send::with_retry`).
    pub(crate) fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// When `chat` may get its next message, if not now (only with `BOT_THROTTLE` on).
    pub(crate) fn chat_ready_at(&self, chat: ChatId, now: Instant) -> Option<Instant> {
        let at = self.limiter.as_ref()?.chat_ready_at(chat, now);
        (at > now).then_some(at)
    }

    /// `sendMessage` with HTML, no link preview and the keyboard, if any (or Telegram's
    /// `force_reply`, which asks the person to answer this message).
    pub(crate) async fn send_message(
        &self,
        chat: ChatId,
        text: &str,
        markup: Option<Markup<'_>>,
    ) -> Result<(), RequestError> {
        if let Some(limiter) = &self.limiter {
            limiter.wait(chat).await;
        }
        let body = Body {
            chat_id: chat.0,
            message_id: None,
            text,
            parse_mode: "HTML",
            link_preview_options: NoPreview { is_disabled: true },
            reply_markup: markup,
        };
        self.call_reply(&self.send_url, &body).await
    }

    /// `editMessageText` of `message_id` in `chat`, like [`Client::send_message`].
    pub(crate) async fn edit_message_text(
        &self,
        chat: ChatId,
        message_id: MessageId,
        text: &str,
        markup: Option<&InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let body = Body {
            chat_id: chat.0,
            message_id: Some(message_id.0),
            text,
            parse_mode: "HTML",
            link_preview_options: NoPreview { is_disabled: true },
            reply_markup: markup.map(Markup::Inline),
        };
        self.call_reply(&self.edit_url, &body).await
    }

    /// `sendPhoto` of a PNG (the statistics chart), as a file upload; counts as a message to
    /// `chat` for the rate limits.
    pub(crate) async fn send_photo(&self, chat: ChatId, png: &[u8]) -> Result<(), RequestError> {
        if let Some(limiter) = &self.limiter {
            limiter.wait(chat).await;
        }
        let url = self.method("sendPhoto")?;
        let photo = reqwest::multipart::Part::bytes(png.to_vec())
            .file_name("chart.png")
            .mime_str("image/png")
            .map_err(|e| RequestError::from(e.without_url()))?;
        let form = reqwest::multipart::Form::new()
            .text("chat_id", chat.0.to_string())
            .part("photo", photo);
        let response = self
            .http
            .post(url)
            .timeout(CALL_TIMEOUT)
            .multipart(form)
            .send()
            .await
            .map_err(|e| RequestError::from(e.without_url()))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| RequestError::from(e.without_url()))?;
        read_answer::<IgnoredAny>(status, &text).map(|_| ())
    }

    /// `getMe`: the bot's username.
    pub(crate) async fn get_me(&self) -> Result<String, RequestError> {
        #[derive(Deserialize)]
        struct Me {
            username: Option<String>,
        }
        let me: Me = self.call("getMe", &serde_json::json!({})).await?;
        Ok(me.username.unwrap_or_default())
    }

    /// Any method with a JSON body: its `result`, read as `R`.
    pub(crate) async fn call<R: DeserializeOwned>(
        &self,
        method: &str,
        body: &impl Serialize,
    ) -> Result<R, RequestError> {
        let url = self.method(method)?;
        let (status, text) = self.post(&url, body, CALL_TIMEOUT).await?;
        match read_answer::<R>(status, &text)? {
            Some(result) => Ok(result),
            None => Err(invalid_json(
                serde::de::Error::custom("the answer has no result"),
                &text,
            )),
        }
    }

    fn method(&self, method: &str) -> Result<url::Url, RequestError> {
        self.base
            .join(method)
            .map_err(|e| RequestError::Api(ApiError::Unknown(e.to_string())))
    }

    async fn call_reply(&self, url: &url::Url, body: &Body<'_>) -> Result<(), RequestError> {
        let (status, text) = self.post(url, body, CALL_TIMEOUT).await?;
        read_answer::<IgnoredAny>(status, &text).map(|_| ())
    }

    /// POSTs `body` as JSON: the HTTP status and the answer's text. Errors never show the URL
    /// (it holds the token).
    pub(super) async fn post(
        &self,
        url: &url::Url,
        body: &impl Serialize,
        timeout: Duration,
    ) -> Result<(u16, String), RequestError> {
        let body = serde_json::to_vec(body).map_err(|e| invalid_json(e, ""))?;
        let response = self
            .http
            .post(url.clone())
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| RequestError::from(e.without_url()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| RequestError::from(e.without_url()))?;
        Ok((status.as_u16(), text))
    }
}

/// The URL of Bot API `method` for the bot `token` at `api_url` (Telegram's by default).
pub(crate) fn method_url(
    api_url: Option<&str>,
    token: &str,
    method: &str,
) -> Result<url::Url, String> {
    let base = api_url.unwrap_or("https://api.telegram.org");
    url::Url::parse(&format!(
        "{}/bot{token}/{method}",
        base.trim_end_matches('/')
    ))
    .map_err(|e| e.to_string())
}

/// The body of both calls.
#[derive(Serialize)]
struct Body<'a> {
    chat_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<i32>,
    text: &'a str,
    parse_mode: &'static str,
    link_preview_options: NoPreview,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_markup: Option<Markup<'a>>,
}

/// The markup of a message: buttons, or a request to answer it.
#[derive(Serialize, Clone, Copy)]
#[serde(untagged)]
pub(crate) enum Markup<'a> {
    Inline(&'a InlineKeyboardMarkup),
    ForceReply(ForceReply),
}

/// `{"force_reply": true}`: the client opens a reply to the message.
#[derive(Serialize, Clone, Copy)]
pub(crate) struct ForceReply {
    force_reply: bool,
}

impl Markup<'_> {
    pub(crate) const FORCE_REPLY: Markup<'static> =
        Markup::ForceReply(ForceReply { force_reply: true });
}

#[derive(Serialize)]
struct NoPreview {
    is_disabled: bool,
}

/// What the Bot API answers (`R` = [`IgnoredAny`] skips the result).
#[derive(Deserialize)]
struct Answer<R> {
    ok: bool,
    result: Option<R>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

/// What `getWebhookInfo` answers, as far as the bot reads it (dates in Unix seconds).
#[derive(Debug, Deserialize)]
pub(crate) struct WebhookInfo {
    #[serde(default)]
    pub(crate) url: String,
    #[serde(default)]
    pub(crate) pending_update_count: u64,
    pub(crate) last_error_date: Option<u64>,
    pub(crate) last_error_message: Option<String>,
}

/// The outcome of a call from its HTTP status and body: the result, if the answer has one.
pub(super) fn read_answer<R: DeserializeOwned>(
    status: u16,
    text: &str,
) -> Result<Option<R>, RequestError> {
    let answer: Answer<R> = match serde_json::from_str(text) {
        Ok(answer) => answer,
        Err(e) => return Err(unreadable(status, e, text)),
    };
    if answer.ok {
        return Ok(answer.result);
    }
    Err(refusal(status, answer.description, answer.parameters))
}

/// An answer that is not the Bot API's JSON. A proxy's HTML error page (5xx) is a
/// [`ServerError`]; anything else a malformed answer. Both are transient.
pub(super) fn unreadable(status: u16, source: serde_json::Error, text: &str) -> RequestError {
    if status >= 500 {
        server_error(status)
    } else {
        invalid_json(source, text)
    }
}

/// The Bot API, or a proxy in front of it, answered with a 5xx status: the call may work
/// again later.
#[derive(Debug, thiserror::Error)]
#[error("the Bot API answered HTTP {0}")]
pub(crate) struct ServerError(pub u16);

/// teloxide's error enum has no variant for a server error; it goes in its I/O variant, which
/// nothing else of the bot produces (files are uploaded from memory).
fn server_error(status: u16) -> RequestError {
    RequestError::Io(Arc::new(std::io::Error::other(ServerError(status))))
}

/// Whether a failed call may work if tried again: a network error (refused, reset, timed
/// out), an unreadable answer, or a 5xx. Anything else is the Bot API's answer (a 400, 403,
/// 404, a `retry_after` or a migration), which trying again cannot change.
pub(crate) fn is_transient(err: &RequestError) -> bool {
    matches!(
        err,
        RequestError::Network(_) | RequestError::InvalidJson { .. } | RequestError::Io(_)
    )
}

/// The error for an answer with `"ok": false` and HTTP `status`: a 5xx (without a
/// `retry_after`) is a [`ServerError`], the rest what Telegram said.
pub(super) fn refusal(
    status: u16,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
) -> RequestError {
    if status >= 500 && !matches!(parameters, Some(ResponseParameters::RetryAfter(_))) {
        return server_error(status);
    }
    api_error(description, parameters)
}

/// The error for an answer with `"ok": false`.
fn api_error(description: Option<String>, parameters: Option<ResponseParameters>) -> RequestError {
    match parameters {
        Some(ResponseParameters::RetryAfter(after)) => RequestError::RetryAfter(after),
        Some(ResponseParameters::MigrateToChatId(to)) => RequestError::MigrateToChatId(to),
        None => {
            let description = description.unwrap_or_default();
            // teloxide's `ApiError` knows Telegram's descriptions ("message is not modified",
            // "Unauthorized" for a wrong token, ...).
            let known = ApiError::deserialize(serde::de::value::StrDeserializer::<
                serde::de::value::Error,
            >::new(&description));
            RequestError::Api(known.unwrap_or(ApiError::Unknown(description)))
        }
    }
}

pub(super) fn invalid_json(source: serde_json::Error, raw: &str) -> RequestError {
    RequestError::InvalidJson {
        source: Arc::new(source),
        raw: raw.chars().take(200).collect::<String>().into_boxed_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_teloxide_errors() {
        let read_answer = read_answer::<IgnoredAny>;
        assert!(read_answer(200, r#"{"ok":true,"result":{"message_id":1}}"#).is_ok());
        let err = read_answer(
            400,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}"#,
        )
        .unwrap_err();
        assert!(
            matches!(err, RequestError::Api(ApiError::MessageNotModified)),
            "{err:?}"
        );
        let err = read_answer(
            429,
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&err, RequestError::RetryAfter(s) if s.seconds() == 3),
            "{err:?}"
        );
        let err = read_answer(502, "<html>Bad Gateway</html>").unwrap_err();
        assert!(is_transient(&err), "{err:?}");
        assert_eq!(
            err.to_string(),
            "An I/O error: the Bot API answered HTTP 502"
        );
        let err = read_answer(
            500,
            r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#,
        )
        .unwrap_err();
        assert!(is_transient(&err), "a 5xx in JSON too: {err:?}");
        let err = read_answer(200, r#"{"ok":tr"#).unwrap_err();
        assert!(matches!(err, RequestError::InvalidJson { .. }), "{err:?}");
        assert!(is_transient(&err));
        let err = read_answer(
            400,
            r#"{"ok":false,"description":"Bad Request: chat not found"}"#,
        )
        .unwrap_err();
        assert!(
            matches!(err, RequestError::Api(ApiError::ChatNotFound)),
            "{err:?}"
        );
        assert!(!is_transient(&err));
        // Permanent: a 400 Telegram describes in words teloxide does not know, a 403, a 404.
        for (status, body) in [
            (
                400,
                r#"{"ok":false,"description":"Bad Request: something new"}"#,
            ),
            (
                403,
                r#"{"ok":false,"description":"Forbidden: bot was blocked by the user"}"#,
            ),
            (404, r#"{"ok":false,"description":"Not Found"}"#),
        ] {
            let err = read_answer(status, body).unwrap_err();
            assert!(!is_transient(&err), "{status}: {err:?}");
        }
        let err = read_answer(
            400,
            r#"{"ok":false,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(err, RequestError::MigrateToChatId(ChatId(-1001234))),
            "{err:?}"
        );
    }
}

//! Sending replies: inline keyboards from engine buttons, long replies in several messages,
//! edits that treat "message is not modified" as success, and the one retry path for every
//! Bot API call: transient failures are tried again until a deadline (a short backoff with
//! jitter, and the one [`Circuit`](super::circuit::Circuit) while the Bot API keeps failing),
//! `retry_after` through the [`Gate`], anything else ends at once.

use std::future::Future;
use std::time::{Duration, Instant};

use teloxide::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode,
};
use teloxide::{ApiError, RequestError};

use super::api::{self, Client, Markup};
use super::circuit::{Shut, jitter};
use super::limits::{Class, Gate, Scope};
use crate::engine::{Button, Reply};

/// Cards carry several links; a preview of the first would push the text down.
const NO_PREVIEW: LinkPreviewOptions = LinkPreviewOptions {
    is_disabled: true,
    url: None,
    prefer_small_media: false,
    prefer_large_media: false,
    show_above_text: false,
};

/// Exponential backoff between `min` and `max`.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max,
            current: min,
        }
    }

    /// The delay to wait now (less up to a quarter, at random); the next one doubles, up to
    /// `max`.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let delay = self.current;
        self.current = (self.current * 2).min(self.max);
        jitter(delay)
    }

    /// Back to the shortest delay after a success.
    pub(crate) fn reset(&mut self) {
        self.current = self.min;
    }
}

/// Why a call through [`with_retry`] did not succeed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failed {
    /// The Bot API refused it (a 400, 403, 404, a migration, or a `retry_after` for one chat):
    /// trying again now cannot help.
    #[error(transparent)]
    Refused(RequestError),
    /// It failed in ways that may pass until its deadline (the last failure, if it was tried).
    #[error("not done before its deadline")]
    Expired(Option<RequestError>),
    /// The bot is stopping while the call waited to be tried (again).
    #[error("the bot is stopping")]
    Stopped,
}

/// Calls `call` until it succeeds, fails for good, or `until` passes. Every attempt first
/// waits at the client's 429 gate and at its circuit (one probe at a time while the Bot API
/// keeps failing; see `circuit.rs`). A transient failure (a network error, a timeout, a 5xx,
/// an unreadable answer) waits a growing backoff with jitter (100 ms to 5 s; none while the
/// circuit is open: the circuit spaces the probes) and is tried again. A 429 is recorded at
/// the gate: for [`Scope::Bot`] the gate closes and the call is tried again when it opens; for
/// [`Scope::Chat`] it is returned at once, so that the caller hands the turn back and the
/// scheduler parks the chat (no worker sleeps for one chat). Once the bot is stopping
/// ([`Circuit::stop_retrying`](super::circuit::Circuit::stop_retrying)), nothing waits to be
/// tried again.
pub(crate) async fn with_retry<T, F, Fut>(
    client: &Client,
    scope: Scope,
    what: &'static str,
    until: Instant,
    mut call: F,
) -> Result<T, Failed>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let (gate, circuit) = (client.gate(), client.circuit());
    let deadline = tokio::time::Instant::from_std(until);
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut last = None;
    let mut attempt = 1u32;
    loop {
        if Instant::now() >= until {
            return Err(Failed::Expired(last));
        }
        // A call that need not wait goes at once (also while the bot is stopping); the others
        // wait for the gate and the circuit, no longer than the deadline.
        let ready = match gate.closed_for(Instant::now()) {
            None => circuit.try_pass(),
            Some(_) => None,
        };
        let pass = match ready {
            Some(pass) => pass,
            None => tokio::select! {
                pass = async {
                    gate.wait().await;
                    circuit.pass().await
                } => match pass {
                    Ok(pass) => pass,
                    Err(Shut::Stopping) => return Err(Failed::Stopped),
                },
                _ = circuit.stopped() => return Err(Failed::Stopped),
                _ = tokio::time::sleep_until(deadline) => return Err(Failed::Expired(last)),
            },
        };
        let err = match call().await {
            Ok(value) => {
                pass.answered();
                return Ok(value);
            }
            Err(err) => err,
        };
        if !api::is_transient(&err) {
            // The Bot API answered.
            pass.answered();
            let RequestError::RetryAfter(after) = &err else {
                return Err(Failed::Refused(err));
            };
            gate.retry_after(scope, after.duration(), Instant::now());
            if let Scope::Chat(_) = scope {
                return Err(Failed::Refused(err));
            }
            // The gate is closed for `after`: the next attempt waits there.
            attempt += 1;
            continue;
        }
        pass.failed();
        let wait = if circuit.is_open() {
            Duration::ZERO
        } else {
            backoff.next_delay()
        };
        tracing::warn!(method = what, error = %err, attempt, retry_in_ms = wait.as_millis() as u64, "retrying");
        last = Some(err);
        attempt += 1;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = circuit.stopped() => return Err(Failed::Stopped),
        }
    }
}

/// [`with_retry`] for any Bot API `method` with a JSON `body` (named once): its `result`,
/// read as `R`.
pub(crate) async fn call_with_retry<R: serde::de::DeserializeOwned>(
    client: &Client,
    scope: Scope,
    method: &'static str,
    body: &impl serde::Serialize,
    until: Instant,
) -> Result<R, Failed> {
    with_retry(client, scope, method, until, || {
        client.call::<R>(method, body)
    })
    .await
}

/// Like [`with_retry`] without a deadline, for the calls the bot cannot start without
/// (`getMe`, `setWebhook`): every error but a wrong token is retried (backoff from 200 ms to
/// 10 s, a `retry_after` at the gate) until `shutdown`, which gives `None`.
pub(crate) async fn until_done<T, F, Fut>(
    gate: &Gate,
    what: &'static str,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
    mut call: F,
) -> Option<Result<T, RequestError>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
    loop {
        tokio::select! {
            _ = gate.wait() => {}
            _ = shutdown.changed() => return None,
        }
        let result = tokio::select! {
            result = call() => result,
            _ = shutdown.changed() => return None,
        };
        let err = match result {
            Ok(value) => return Some(Ok(value)),
            Err(err @ RequestError::Api(ApiError::InvalidToken)) => return Some(Err(err)),
            Err(err) => err,
        };
        let wait = match &err {
            RequestError::RetryAfter(after) => {
                gate.retry_after(Scope::Bot, after.duration(), Instant::now());
                Duration::ZERO
            }
            _ => backoff.next_delay(),
        };
        tracing::warn!(method = what, error = %err, retry_in_ms = wait.as_millis() as u64, "retrying");
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return None,
        }
    }
}

/// A reply on its way to a chat: the messages still to send (or the message to edit in
/// place), kept when a `retry_after` for the chat interrupts it so that the chat's next turn
/// resumes where it stopped: nothing is sent twice and the engine is not asked again.
#[derive(Debug)]
pub(crate) struct Delivery {
    chat: ChatId,
    /// The message to replace, while that is still the plan.
    edit: Option<MessageId>,
    texts: Vec<String>,
    /// The buttons, under the last message.
    markup: Option<InlineKeyboardMarkup>,
    /// The chart, sent after the text (a file upload).
    image: Option<Vec<u8>>,
    /// The last message asks the person to answer it (`force_reply`; it has no buttons).
    force_reply: bool,
    /// How many of `texts` are sent.
    sent: usize,
    /// A reply or a notification (notifications keep to a share of the overall rate).
    class: Class,
    /// The message replaced in place, once the edit went through.
    replaced: Option<MessageId>,
}

impl Delivery {
    /// `reply` as one or more new messages in `chat`.
    pub(crate) fn new(chat: ChatId, reply: Reply) -> Self {
        Self {
            chat,
            edit: None,
            texts: reply.messages(),
            markup: keyboard(&reply.buttons),
            image: reply.image,
            force_reply: reply.placement == crate::engine::Placement::ForceReply,
            sent: 0,
            class: Class::Reply,
            replaced: None,
        }
    }

    /// `reply` in place of the pressed message `message_id`. A reply that needs several
    /// messages or a picture is sent anew instead.
    pub(crate) fn edit(chat: ChatId, message_id: MessageId, reply: Reply) -> Self {
        let mut delivery = Self::new(chat, reply);
        if delivery.texts.len() == 1 && delivery.image.is_none() {
            delivery.edit = Some(message_id);
        }
        delivery
    }

    /// `reply` as a notification to `chat`: new messages, within the notifications' share of
    /// the overall rate.
    pub(crate) fn notice(chat: ChatId, reply: Reply) -> Self {
        let mut delivery = Self::new(chat, reply);
        delivery.class = Class::Notice;
        delivery
    }

    /// The chat it goes to.
    pub(crate) fn chat(&self) -> ChatId {
        self.chat
    }

    /// The message it is to replace in place, while that is the plan.
    pub(crate) fn edit_target(&self) -> Option<MessageId> {
        self.edit
    }

    /// The message it replaced, once done, and the fingerprint of what that shows now
    /// (`unchanged::fingerprint`).
    pub(crate) fn replaced(&self) -> Option<(MessageId, u64)> {
        let id = self.replaced?;
        let text = self.texts.first()?;
        Some((
            id,
            super::unchanged::fingerprint(text, self.markup.as_ref()),
        ))
    }

    /// The chat became `to` (a group upgraded to a supergroup): what is left goes there, as
    /// new messages (the old chat's message cannot be edited there).
    pub(crate) fn follow(&mut self, to: ChatId) {
        self.chat = to;
        self.edit = None;
    }

    /// A text of the bot's own (already Telegram HTML), without buttons.
    pub(crate) fn text(chat: ChatId, html: String) -> Self {
        Self {
            chat,
            edit: None,
            texts: vec![html],
            markup: None,
            image: None,
            force_reply: false,
            sent: 0,
            class: Class::Reply,
            replaced: None,
        }
    }
}

/// Sends what is left of `delivery`, trying until `until`. An edit that Telegram reports as
/// "not modified" counts as done; a message that can no longer be edited is sent anew. On an
/// error, `delivery` keeps what is still to send: a message Telegram confirmed is never sent
/// again.
pub(crate) async fn deliver(
    client: &Client,
    delivery: &mut Delivery,
    until: Instant,
) -> Result<(), Failed> {
    let (chat, class) = (delivery.chat, delivery.class);
    let scope = Scope::Chat(chat);
    if let Some(message_id) = delivery.edit {
        let (text, markup) = (delivery.texts[0].as_str(), delivery.markup.as_ref());
        let result = with_retry(client, scope, "editMessageText", until, move || {
            client.edit_message_text(chat, message_id, text, markup)
        })
        .await;
        match result {
            Ok(()) | Err(Failed::Refused(RequestError::Api(ApiError::MessageNotModified))) => {
                delivery.sent = delivery.texts.len();
                delivery.edit = None;
                delivery.replaced = Some(message_id);
                return Ok(());
            }
            Err(Failed::Refused(RequestError::Api(
                ApiError::MessageCantBeEdited | ApiError::MessageToEditNotFound,
            ))) => delivery.edit = None,
            Err(err) => return Err(err),
        }
    }
    let count = delivery.texts.len();
    while delivery.sent < count {
        let markup = if delivery.sent + 1 < count {
            None
        } else if delivery.force_reply {
            Some(Markup::FORCE_REPLY)
        } else {
            delivery.markup.as_ref().map(Markup::Inline)
        };
        let text = delivery.texts[delivery.sent].as_str();
        with_retry(client, scope, "sendMessage", until, move || {
            client.send_message(chat, class, text, markup)
        })
        .await?;
        delivery.sent += 1;
    }
    if let Some(png) = &delivery.image {
        with_retry(client, scope, "sendPhoto", until, || {
            client.send_photo(chat, class, png)
        })
        .await?;
        delivery.image = None;
    }
    Ok(())
}

/// Answers an inline query with the engine's items: each an article whose message is the
/// item's card, with a button that opens the item in the bot (`t.me/<bot>?start=<payload>`).
pub(crate) async fn answer_inline(
    client: &Client,
    query_id: &teloxide::types::InlineQueryId,
    username: &str,
    items: Vec<crate::engine::InlineItem>,
    until: Instant,
) -> Result<(), Failed> {
    use teloxide::types::{
        InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText,
    };
    let results: Vec<InlineQueryResult> = items
        .into_iter()
        .map(|item| {
            let content = InputMessageContent::Text(
                InputMessageContentText::new(item.text.into_string())
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(NO_PREVIEW),
            );
            let mut article =
                InlineQueryResultArticle::new(item.payload.clone(), item.title, content)
                    .description(item.description);
            let link = format!("https://t.me/{username}?start={}", item.payload);
            if let Ok(url) = url::Url::parse(&link) {
                article = article.reply_markup(InlineKeyboardMarkup::new(vec![vec![
                    InlineKeyboardButton::url(item.open_label, url),
                ]]));
            }
            InlineQueryResult::Article(article)
        })
        .collect();
    let body = serde_json::json!({
        "inline_query_id": query_id,
        "results": results,
        "cache_time": 300,
        "is_personal": true,
    });
    call_with_retry::<serde_json::Value>(client, Scope::Bot, "answerInlineQuery", &body, until)
        .await?;
    Ok(())
}

/// The inline keyboard for the engine's buttons, if there are any.
pub(crate) fn keyboard(rows: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|button| match button {
                    Button::Action { label, action } => Some(InlineKeyboardButton::callback(
                        label.clone(),
                        action.encode(),
                    )),
                    Button::Url { label, url } => url::Url::parse(url)
                        .ok()
                        .map(|url| InlineKeyboardButton::url(label.clone(), url)),
                    Button::Share { label, query } => Some(
                        InlineKeyboardButton::switch_inline_query(label.clone(), query.clone()),
                    ),
                    // Telegram takes 1–256 characters to copy; a permalink is far shorter.
                    Button::Copy { label, text } => {
                        (1..=256).contains(&text.chars().count()).then(|| {
                            InlineKeyboardButton::copy_text_button(
                                label.clone(),
                                teloxide::types::CopyTextButton { text: text.clone() },
                            )
                        })
                    }
                })
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

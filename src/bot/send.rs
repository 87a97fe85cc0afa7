//! Sending replies: inline keyboards from engine buttons, long replies in several messages,
//! edits that treat "message is not modified" as success, and retries with backoff for
//! rate limits (429 `retry_after`), network errors and malformed responses.

use std::future::Future;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode,
};
use teloxide::{ApiError, RequestError};

use super::api::Sender;
use crate::engine::{Button, Reply};

/// Cards carry several links; a preview of the first would push the text down.
const NO_PREVIEW: LinkPreviewOptions = LinkPreviewOptions {
    is_disabled: true,
    url: None,
    prefer_small_media: false,
    prefer_large_media: false,
    show_above_text: false,
};

/// How often a failing call is tried before giving up.
const ATTEMPTS: u32 = 5;

/// Exponential backoff between `min` and `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max,
            current: min,
        }
    }

    /// The delay to wait now; the next one doubles, up to `max`.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.current;
        self.current = (self.current * 2).min(self.max);
        delay
    }

    /// Back to the shortest delay after a success.
    pub fn reset(&mut self) {
        self.current = self.min;
    }
}

/// Calls `call` until it succeeds, fails for good, or [`ATTEMPTS`] are used. A 429 waits its
/// `retry_after`; network errors and malformed responses wait a growing backoff.
pub async fn with_retry<T, F, Fut>(what: &'static str, mut call: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut attempt = 1;
    loop {
        let err = match call().await {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let wait = match &err {
            RequestError::RetryAfter(after) => after.duration(),
            RequestError::Network(_) | RequestError::InvalidJson { .. } => backoff.next_delay(),
            RequestError::Api(ApiError::Unknown(_)) => backoff.next_delay(),
            _ => return Err(err),
        };
        if attempt >= ATTEMPTS {
            return Err(err);
        }
        tracing::warn!(method = what, error = %err, attempt, retry_in_ms = wait.as_millis() as u64, "retrying");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Sends `reply` to `chat` as one or more messages; the buttons go under the last one. Text
/// goes through `sender`; the chart, if any, through `bot`.
pub async fn send_reply<B>(
    bot: &B,
    sender: &Sender,
    chat: ChatId,
    reply: &Reply,
) -> Result<(), RequestError>
where
    B: Requester<Err = RequestError>,
{
    let messages = reply.messages();
    let count = messages.len();
    let markup = keyboard(&reply.buttons);
    for (i, text) in messages.iter().enumerate() {
        let markup = if i + 1 == count {
            markup.as_ref()
        } else {
            None
        };
        let text = text.as_str();
        with_retry("sendMessage", move || {
            sender.send_message(chat, text, markup)
        })
        .await?;
    }
    if let Some(png) = &reply.image {
        with_retry("sendPhoto", || {
            let photo = teloxide::types::InputFile::memory(png.clone()).file_name("chart.png");
            bot.send_photo(chat, photo).into_future()
        })
        .await?;
    }
    Ok(())
}

/// Shows `reply` in place of the pressed message. A reply that needs several messages, or a
/// message that can no longer be edited, is sent anew instead.
pub async fn edit_reply<B>(
    bot: &B,
    sender: &Sender,
    chat: ChatId,
    message_id: MessageId,
    reply: &Reply,
) -> Result<(), RequestError>
where
    B: Requester<Err = RequestError>,
{
    let messages = reply.messages();
    let ([text], None) = (messages.as_slice(), &reply.image) else {
        return send_reply(bot, sender, chat, reply).await;
    };
    let markup = keyboard(&reply.buttons);
    let (text, markup) = (text.as_str(), markup.as_ref());
    let result = with_retry("editMessageText", move || {
        sender.edit_message_text(chat, message_id, text, markup)
    })
    .await;
    match result {
        Ok(()) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        Err(RequestError::Api(ApiError::MessageCantBeEdited | ApiError::MessageToEditNotFound)) => {
            send_reply(bot, sender, chat, reply).await
        }
        Err(err) => Err(err),
    }
}

/// Answers an inline query with the engine's items: each an article whose message is the
/// item's card, with a button that opens the item in the bot (`t.me/<bot>?start=<payload>`).
pub async fn answer_inline<B>(
    bot: &B,
    query_id: teloxide::types::InlineQueryId,
    username: &str,
    items: Vec<crate::engine::InlineItem>,
) -> Result<(), RequestError>
where
    B: Requester<Err = RequestError>,
{
    use teloxide::types::{
        InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText,
    };
    let results: Vec<InlineQueryResult> = items
        .into_iter()
        .map(|item| {
            let content = InputMessageContent::Text(
                InputMessageContentText::new(item.text)
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
    with_retry("answerInlineQuery", || {
        bot.answer_inline_query(query_id.clone(), results.clone())
            .cache_time(300)
            .is_personal(true)
            .into_future()
    })
    .await?;
    Ok(())
}

/// The inline keyboard for the engine's buttons, if there are any.
pub fn keyboard(rows: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
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
                })
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

//! The Telegram runtime: long polling over the Bot API with teloxide's client, updates turned
//! into engine requests, replies sent back.
//!
//! The polling loop is our own rather than teloxide's `Dispatcher`, because the bot needs three
//! things the dispatcher does not give: the update offset is confirmed only after a batch has
//! been answered (a crash re-delivers, a graceful stop loses nothing and answers nothing twice),
//! a short bounded backoff after 5xx and malformed responses (the dispatcher waits about 10 s),
//! and one shutdown path for SIGINT and SIGTERM. Each batch is answered concurrently across
//! chats and in order within a chat.

mod api;
mod poll;
mod send;
pub mod webhook;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, ChatKind as TgChatKind, MaybeInaccessibleMessage, UpdateKind,
};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::config::{ExposeSecret, SecretString};
use crate::engine::{ChatKind, Command, Engine, Input, Parsed, Request, command};
use crate::health::Health;
use crate::lang::Lang;
pub use webhook::Webhook;

use poll::Poller;
pub use send::Backoff;

/// How many chats of a batch are answered at the same time.
const MAX_PARALLEL_CHATS: usize = 32;

/// The update kinds the bot asks for.
const ALLOWED_UPDATES: &[&str] = &["message", "callback_query", "inline_query"];

/// Settings of the Telegram runtime (the token and the webhook secret are [`SecretString`]s,
/// which `Debug` does not show).
#[derive(Debug, Clone)]
pub struct Settings {
    pub token: SecretString,
    pub api_url: Option<String>,
    pub throttle: bool,
    /// Long-polling timeout in seconds (below the HTTP client's 17 s timeout).
    pub poll_timeout: u32,
    /// Webhook mode instead of long polling.
    pub webhook: Option<Webhook>,
    /// Where the runtime reports its contact with the Bot API.
    pub health: Arc<Health>,
    /// More routes for the webhook's HTTP server (`/healthz`, `/metrics` on the same port).
    pub routes: Option<axum::Router>,
}

impl Settings {
    /// The runtime settings from the configuration; `None` without a token.
    pub fn from_config(config: &crate::config::Config) -> Option<Self> {
        Some(Self {
            token: config.token.clone()?,
            api_url: config.api_url.clone(),
            throttle: config.throttle,
            poll_timeout: 10,
            webhook: config.webhook(),
            health: Arc::new(Health::default()),
            routes: None,
        })
    }
}

/// Why the runtime stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("TELOXIDE_API_URL is not a valid URL: {0}")]
    ApiUrl(String),
    #[error("the Bot API rejected the token (getMe: {0}); check TELOXIDE_TOKEN")]
    Unauthorized(String),
    #[error("cannot serve the webhook on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
}

/// Runs the bot until `shutdown` turns true. In-flight replies finish and the update offset is
/// confirmed before it returns.
pub async fn run(
    settings: Settings,
    engine: Arc<Engine>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let mut bot = Bot::new(settings.token.expose_secret());
    if let Some(url) = &settings.api_url {
        let url = url::Url::parse(url).map_err(|e| RunError::ApiUrl(e.to_string()))?;
        bot = bot.set_api_url(url);
    }
    serve(bot, settings, engine, shutdown).await
}

/// Resolves when SIGINT or SIGTERM arrives.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

struct Runtime<B> {
    bot: B,
    /// Replies (`sendMessage`, `editMessageText`), rate-limited when `BOT_THROTTLE` is on.
    sender: api::Sender,
    engine: Arc<Engine>,
    username: String,
    health: Arc<Health>,
}

/// Registers the webhook, then serves it until `shutdown`; requests in flight finish. The
/// webhook stays registered, so Telegram keeps the updates that arrive while the bot is down.
async fn serve_webhook<B>(
    bot: &B,
    hook: Webhook,
    routes: Option<axum::Router>,
    runtime: Arc<Runtime<B>>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError>
where
    B: Requester<Err = teloxide::RequestError> + Clone + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind(hook.listen)
        .await
        .map_err(|e| RunError::Listen(hook.listen, e))?;
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
    loop {
        let request = bot
            .set_webhook(hook.url.clone())
            .secret_token(hook.secret.expose_secret().to_string())
            .allowed_updates(vec![
                teloxide::types::AllowedUpdate::Message,
                teloxide::types::AllowedUpdate::CallbackQuery,
                teloxide::types::AllowedUpdate::InlineQuery,
            ]);
        match request.await {
            Ok(_) => break,
            Err(err) => {
                let wait = backoff.next_delay();
                tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "setWebhook failed");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return Ok(()),
                }
            }
        }
    }
    runtime.health.mark_api_ok();
    tracing::info!(url = %hook.url, listen = %hook.listen, "webhook registered");
    let handler_runtime = Arc::clone(&runtime);
    let handle: webhook::Handle = Arc::new(move |update| {
        let runtime = Arc::clone(&handler_runtime);
        Box::pin(async move {
            runtime.health.mark_api_ok();
            runtime.answer(&update).await;
        })
    });
    let mut app = webhook::router(&hook, handle);
    if let Some(routes) = routes {
        app = app.merge(routes);
    }
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            while !*shutdown.borrow() {
                if shutdown.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
    if let Err(err) = served {
        tracing::error!(error = %err, "the webhook server failed");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn serve<B>(
    bot: B,
    settings: Settings,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), RunError>
where
    B: Requester<Err = teloxide::RequestError> + Clone + Send + Sync + 'static,
{
    let Some(username) = get_me(&bot, &mut shutdown).await? else {
        return Ok(());
    };
    tracing::info!(bot = %username, "connected to the Bot API");
    settings.health.mark_api_ok();
    register_commands(&bot, &engine).await;
    let sender = api::Sender::new(
        settings.api_url.as_deref(),
        settings.token.expose_secret(),
        settings.throttle,
    )
    .map_err(RunError::ApiUrl)?;
    let runtime = Arc::new(Runtime {
        bot: bot.clone(),
        sender,
        engine,
        username,
        health: Arc::clone(&settings.health),
    });
    if let Some(hook) = settings.webhook.clone() {
        return serve_webhook(&bot, hook, settings.routes.clone(), runtime, shutdown).await;
    }
    // A webhook left from an earlier run would make getUpdates fail with 409.
    if let Err(err) = bot.delete_webhook().await {
        tracing::warn!(error = %err, "deleteWebhook failed");
    }
    let poller = Poller::new(
        settings.api_url.as_deref(),
        settings.token.expose_secret(),
        settings.poll_timeout,
    )
    .map_err(RunError::ApiUrl)?;
    let mut offset: i64 = 0;
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    while !*shutdown.borrow() {
        let request = poller.get_updates(offset, settings.poll_timeout, 100, ALLOWED_UPDATES);
        let result = tokio::select! {
            result = request => result,
            _ = shutdown.changed() => break,
        };
        match result {
            Ok(batch) => {
                backoff.reset();
                runtime.health.mark_api_ok();
                let Some(last) = batch.last_id else {
                    continue;
                };
                // An update below the offset was answered already: a server that hands out a
                // batch twice must not make the bot answer twice.
                let fresh: Vec<Update> = batch
                    .updates
                    .into_iter()
                    .filter(|u| i64::from(u.id.0) >= offset)
                    .collect();
                // The batch is answered even when a shutdown arrives meanwhile.
                answer_batch(&runtime, fresh).await;
                offset = offset.max(last + 1);
            }
            Err(err) if err.is_unauthorized() => {
                return Err(RunError::Unauthorized(err.to_string()));
            }
            Err(err) => {
                let wait = err.retry_after().unwrap_or_else(|| backoff.next_delay());
                tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "getUpdates failed");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => break,
                }
            }
        }
    }
    confirm_offset(&poller, offset).await;
    tracing::info!("stopped");
    Ok(())
}

/// `getMe` until it works; `None` if a shutdown came first.
async fn get_me<B>(
    bot: &B,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<Option<String>, RunError>
where
    B: Requester<Err = teloxide::RequestError>,
{
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(Some(me.username.clone().unwrap_or_default())),
            Err(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                return Err(RunError::Unauthorized("invalid token".into()));
            }
            Err(err) => {
                let wait = backoff.next_delay();
                tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "getMe failed");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => return Ok(None),
                }
            }
        }
    }
}

/// `setMyCommands` for the default scope (Latvian) and for English-speaking users, and for each
/// admin's private chat the same list with the admin commands added.
async fn register_commands<B>(bot: &B, engine: &Engine)
where
    B: Requester<Err = teloxide::RequestError>,
{
    let mut scopes = vec![(BotCommandScope::Default, Command::PUBLIC.to_vec())];
    for admin in engine.admins() {
        let mut all = Command::PUBLIC.to_vec();
        all.extend(Command::ADMIN);
        let chat = teloxide::types::Recipient::Id(ChatId(*admin));
        scopes.push((BotCommandScope::Chat { chat_id: chat }, all));
    }
    for (scope, list) in scopes {
        for lang in [Lang::Lv, Lang::En] {
            let commands: Vec<BotCommand> = list
                .iter()
                .map(|c| BotCommand::new(c.name(), engine.string(lang, c.description_key())))
                .collect();
            let result = send::with_retry("setMyCommands", || {
                let request = bot.set_my_commands(commands.clone()).scope(scope.clone());
                async move {
                    match lang {
                        Lang::Lv => request.await,
                        Lang::En => request.language_code("en").await,
                    }
                }
            })
            .await;
            if let Err(err) = result {
                tracing::warn!(error = %err, lang = %lang, "setMyCommands failed");
            }
        }
    }
}

/// Confirms everything below `offset` so that no update is handed out again.
async fn confirm_offset(poller: &Poller, offset: i64) {
    if offset == 0 {
        return;
    }
    for attempt in 1..=3 {
        match poller.get_updates(offset, 0, 1, ALLOWED_UPDATES).await {
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

/// Answers a batch: chats in parallel, each chat's updates in order.
async fn answer_batch<B>(runtime: &Arc<Runtime<B>>, updates: Vec<Update>)
where
    B: Requester<Err = teloxide::RequestError> + Clone + Send + Sync + 'static,
{
    let mut by_chat: HashMap<i64, Vec<Update>> = HashMap::new();
    let mut order = Vec::new();
    for update in updates {
        let key = update
            .chat()
            .map(|c| c.id.0)
            .or_else(|| update.from().map(|u| u.id.0 as i64))
            .unwrap_or(0);
        if !by_chat.contains_key(&key) {
            order.push(key);
        }
        by_chat.entry(key).or_default().push(update);
    }
    let mut tasks = JoinSet::new();
    // Enough chats at once to hide the Bot API's latency, few enough to keep the number of
    // HTTP connections (and file descriptors) small.
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL_CHATS));
    for key in order {
        let updates = by_chat.remove(&key).unwrap_or_default();
        let runtime = Arc::clone(runtime);
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            for update in &updates {
                runtime.answer(update).await;
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(err) = joined {
            tracing::error!(error = %err, "an update task failed");
        }
    }
}

impl<B> Runtime<B>
where
    B: Requester<Err = teloxide::RequestError> + Clone + Send + Sync + 'static,
{
    /// Answers one update inside its own span: id, kind, handler, outcome, duration.
    /// Takes the update by reference: a `Message` is about 2 KB, and a future that owned it
    /// would be copied whole into every spawned task.
    async fn answer(&self, update: &Update) {
        let started = Instant::now();
        let kind = kind_name(&update.kind);
        let span = tracing::info_span!(
            "update",
            id = update.id.0,
            kind,
            handler = tracing::field::Empty,
            outcome = tracing::field::Empty,
            ms = tracing::field::Empty,
        );
        let outcome = async {
            match &update.kind {
                UpdateKind::Message(message) => self.on_message(message).await,
                UpdateKind::CallbackQuery(query) => self.on_callback(query).await,
                UpdateKind::InlineQuery(query) => self.on_inline(query).await,
                _ => "ignored",
            }
        }
        .instrument(span.clone())
        .await;
        let elapsed = started.elapsed();
        span.record("outcome", outcome);
        span.record("ms", elapsed.as_secs_f64() * 1000.0);
        span.in_scope(|| tracing::info!("update handled"));
        metrics::counter!("bot_updates_total", "kind" => kind).increment(1);
        metrics::histogram!("bot_handler_seconds", "kind" => kind).record(elapsed.as_secs_f64());
        match outcome {
            "replied" | "edited" | "answered" => {
                metrics::counter!("bot_replies_total").increment(1);
            }
            "send-failed" => {
                metrics::counter!("bot_errors_total", "kind" => "send").increment(1);
            }
            _ => {}
        }
    }

    async fn on_message(&self, message: &Message) -> &'static str {
        let chat = match &message.chat.kind {
            TgChatKind::Private(_) => ChatKind::Private,
            TgChatKind::Public(public) => match public.kind {
                teloxide::types::PublicChatKind::Channel(_) => return "ignored",
                _ => ChatKind::Group,
            },
        };
        let Some(user) = message.from.as_ref() else {
            return "ignored";
        };
        let input = match message.text() {
            Some(text) => match command::parse(text, Some(&self.username)) {
                Parsed::Command { name, arg } => Input::Command { name, arg },
                Parsed::OtherBot => return "other-bot",
                Parsed::Text(text) if chat == ChatKind::Private => Input::Text(text),
                Parsed::Text(_) => return "ignored",
            },
            None if chat == ChatKind::Private => Input::NotText,
            None => return "ignored",
        };
        tracing::Span::current().record("handler", input_name(&input));
        let request = Request {
            user_id: user.id.0 as i64,
            language_code: user.language_code.clone(),
            chat,
            input,
        };
        let Some(reply) = self.engine.handle(&request).await else {
            return "no-reply";
        };
        match send::send_reply(&self.bot, &self.sender, message.chat.id, &reply).await {
            Ok(()) => "replied",
            Err(err) => {
                tracing::error!(error = %err, "cannot send the reply");
                "send-failed"
            }
        }
    }

    async fn on_inline(&self, query: &teloxide::types::InlineQuery) -> &'static str {
        tracing::Span::current().record("handler", "inline");
        let items = self
            .engine
            .inline(
                query.from.id.0 as i64,
                query.from.language_code.as_deref(),
                &query.query,
            )
            .await;
        match send::answer_inline(&self.bot, query.id.clone(), &self.username, items).await {
            Ok(()) => "answered",
            Err(err) => {
                tracing::error!(error = %err, "cannot answer the inline query");
                "send-failed"
            }
        }
    }

    async fn on_callback(&self, query: &teloxide::types::CallbackQuery) -> &'static str {
        tracing::Span::current().record("handler", "button");
        // Answer first, always: the client shows a spinner until it is answered.
        let answered = send::with_retry("answerCallbackQuery", || {
            self.bot
                .answer_callback_query(query.id.clone())
                .into_future()
        })
        .await;
        if let Err(err) = &answered {
            tracing::warn!(error = %err, "answerCallbackQuery failed");
        }
        let Some(data) = query.data.clone() else {
            return "no-data";
        };
        let request = Request {
            user_id: query.from.id.0 as i64,
            language_code: query.from.language_code.clone(),
            chat: match query.message.as_ref().map(MaybeInaccessibleMessage::chat) {
                Some(chat) if !chat.is_private() => ChatKind::Group,
                _ => ChatKind::Private,
            },
            input: Input::Button(data),
        };
        let Some(reply) = self.engine.handle(&request).await else {
            return "no-reply";
        };
        let target = query.message.as_ref().map(|m| (m.chat().id, m.id()));
        let result = match target {
            Some((chat, message_id)) => {
                send::edit_reply(&self.bot, &self.sender, chat, message_id, &reply).await
            }
            None => {
                send::send_reply(
                    &self.bot,
                    &self.sender,
                    ChatId(query.from.id.0 as i64),
                    &reply,
                )
                .await
            }
        };
        match result {
            Ok(()) => "edited",
            Err(err) => {
                tracing::error!(error = %err, "cannot show the reply to a button");
                "send-failed"
            }
        }
    }
}

fn kind_name(kind: &UpdateKind) -> &'static str {
    match kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::ChannelPost(_) => "channel_post",
        UpdateKind::EditedChannelPost(_) => "edited_channel_post",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::InlineQuery(_) => "inline_query",
        UpdateKind::MyChatMember(_) | UpdateKind::ChatMember(_) => "chat_member",
        _ => "other",
    }
}

fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Command { name, .. } => {
            Command::from_name(name).map_or("unknown-command", Command::name)
        }
        Input::Button(_) => "button",
        Input::Text(_) => "text",
        Input::NotText => "not-text",
    }
}

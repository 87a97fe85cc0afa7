//! The calls at start: `getMe` (the bot's username; the bot cannot start without it), the
//! command menu (`setMyCommands`) and the profile texts (`setMyDescription`,
//! `setMyShortDescription`), in the language the replies are in.

use std::sync::Arc;
use std::time::Instant;

use teloxide::types::{BotCommand, BotCommandScope};
use tokio::sync::watch;

use super::api::Client;
use super::limits::Scope;
use super::send;
use super::settings::{RunError, SETUP_DEADLINE};
use crate::engine::{Command, Engine};

/// `getMe` until it works: the bot's username; `None` if a shutdown came first.
pub(super) async fn get_me(
    client: &Client,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<Option<String>, RunError> {
    match send::until_done(client.gate(), "getMe", shutdown, || client.get_me()).await {
        None => Ok(None),
        Some(Ok(username)) => Ok(Some(username)),
        Some(Err(err)) => Err(RunError::Unauthorized(format!("getMe: {err}"))),
    }
}

/// `setMyCommands` for the default scope, and for each admin's private chat the same list with
/// the admin commands added: each in the default language without a language code, which
/// Telegram shows to every user whose code has no list of its own, and in the other language
/// for that language's code. So the menu is in the language the replies are in
/// (the engine's rule for a Telegram language code) whatever the user's Telegram language.
pub(super) async fn register_commands(client: &Client, engine: &Engine) {
    let mut scopes = vec![(BotCommandScope::Default, Command::PUBLIC.to_vec())];
    for admin in engine.admins() {
        let mut all = Command::PUBLIC.to_vec();
        all.extend(Command::ADMIN);
        let chat = teloxide::types::Recipient::Id(admin.private_chat().into());
        scopes.push((BotCommandScope::Chat { chat_id: chat }, all));
    }
    let default = engine.default_language();
    let until = Instant::now() + SETUP_DEADLINE;
    for (scope, list) in scopes {
        for lang in [default, default.other()] {
            let commands: Vec<BotCommand> = list
                .iter()
                .map(|c| BotCommand::new(c.name(), engine.string(lang, c.description_key())))
                .collect();
            let mut body = serde_json::json!({"commands": commands, "scope": scope});
            if lang != default {
                body["language_code"] = lang.code().into();
            }
            let result =
                send::call_with_retry::<bool>(client, Scope::Bot, "setMyCommands", &body, until)
                    .await;
            if let Err(err) = result {
                tracing::warn!(error = %err, lang = %lang, "setMyCommands failed");
            }
        }
    }
}

/// One profile text: the method that reads it, the one that sets it, its field in both, and
/// its key in `ui.toml`.
struct ProfileText {
    get: &'static str,
    set: &'static str,
    field: &'static str,
    key: &'static str,
}

const PROFILE: [ProfileText; 2] = [
    ProfileText {
        get: "getMyDescription",
        set: "setMyDescription",
        field: "description",
        key: "bot_description",
    },
    ProfileText {
        get: "getMyShortDescription",
        set: "setMyShortDescription",
        field: "short_description",
        key: "bot_short_description",
    },
];

/// The bot's profile from `ui.toml`: `setMyDescription` (the "What can this bot do?" screen
/// before the first message) and `setMyShortDescription` (the profile page, shared links), in
/// the default language without a language code and in the other language with its code, like
/// the command menu. Each is set only when `getMyDescription` / `getMyShortDescription`
/// returns something else: Telegram limits how often they may change.
pub(super) async fn set_profile(sender: Client, engine: Arc<Engine>) {
    let default = engine.default_language();
    // Beside the answers, so it may take longer.
    let until = Instant::now() + SETUP_DEADLINE * 12;
    for lang in [default, default.other()] {
        let code = (lang != default).then(|| lang.code());
        for ProfileText {
            get,
            set,
            field,
            key,
        } in PROFILE
        {
            let wanted = engine.string(lang, key);
            let mut query = serde_json::Map::new();
            if let Some(code) = code {
                query.insert("language_code".into(), code.into());
            }
            let current =
                send::call_with_retry::<serde_json::Value>(&sender, Scope::Bot, get, &query, until)
                    .await;
            match current {
                Ok(current) if current[field].as_str() == Some(wanted.as_str()) => {
                    tracing::debug!(method = set, lang = %lang, "the bot profile is up to date");
                    continue;
                }
                Ok(_) => {}
                // Setting it anyway costs one call; not setting it could leave it empty.
                Err(err) => {
                    tracing::warn!(method = get, error = %err, "cannot read the bot profile")
                }
            }
            let mut body = query.clone();
            body.insert(field.into(), wanted.into());
            match send::call_with_retry::<serde_json::Value>(&sender, Scope::Bot, set, &body, until)
                .await
            {
                Ok(_) => tracing::info!(method = set, lang = %lang, "bot profile updated"),
                Err(err) => {
                    tracing::warn!(method = set, lang = %lang, error = %err, "cannot set the bot profile")
                }
            }
        }
    }
}

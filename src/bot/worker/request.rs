//! What an update asks of the bot, decided from the update alone (no I/O): the engine's
//! [`Request`] and where its reply goes, or why the update needs no answer. Everything the
//! bot does with an update starts here, so every kind of update has a unit test below.

use teloxide::types::{
    ChatId, ChatKind as TgChatKind, ChatMigration, InlineQuery, MaybeInaccessibleMessage, Message,
    PublicChatKind, Update, UpdateKind, UserId,
};

use super::super::outcome::Outcome;
use crate::engine::{ChatKind, Command, Input, Parsed, Request, command};

/// What an update asks for.
#[derive(Debug)]
pub(crate) enum Asked<'a> {
    /// A message to answer with new messages in `chat`.
    Message { chat: ChatId, request: Request },
    /// A button press: the reply replaces the `pressed` message (or goes under it); without
    /// one (Telegram no longer has it), it goes to the private chat with `user`.
    Button {
        request: Request,
        pressed: Option<&'a MaybeInaccessibleMessage>,
        user: UserId,
    },
    /// An inline query (`@bot words` in any chat).
    Inline(&'a InlineQuery),
    /// Telegram's service message: the group `from` became the supergroup `to`.
    Moved { from: ChatId, to: ChatId },
}

/// What `update` asks of the bot whose username is `me`, or why it asks nothing (the outcome
/// to log).
pub(crate) fn asked<'a>(update: &'a Update, me: &str) -> Result<Asked<'a>, Outcome> {
    match &update.kind {
        UpdateKind::Message(message) => message_asked(message, me),
        UpdateKind::CallbackQuery(query) => {
            let Some(data) = query.data.clone() else {
                return Err(Outcome::NoData);
            };
            let chat = match query.message.as_ref().map(MaybeInaccessibleMessage::chat) {
                Some(chat) if !chat.is_private() => ChatKind::Group,
                _ => ChatKind::Private,
            };
            Ok(Asked::Button {
                request: Request {
                    user_id: query.from.id.into(),
                    language_code: query.from.language_code.clone(),
                    chat,
                    input: Input::Button(data),
                },
                pressed: query.message.as_ref(),
                user: query.from.id,
            })
        }
        UpdateKind::InlineQuery(query) => Ok(Asked::Inline(query)),
        // Edits, channel posts, membership changes: the bot asks for none of them.
        _ => Err(Outcome::Ignored),
    }
}

fn message_asked<'a>(message: &'a Message, me: &str) -> Result<Asked<'a>, Outcome> {
    if let Some(migration) = message.chat_migration() {
        // Sent both in the old group and in the new supergroup.
        let (from, to) = match migration {
            ChatMigration::To { chat_id } => (message.chat.id, *chat_id),
            ChatMigration::From { chat_id } => (*chat_id, message.chat.id),
        };
        return Ok(Asked::Moved { from, to });
    }
    let chat = match &message.chat.kind {
        TgChatKind::Private(_) => ChatKind::Private,
        TgChatKind::Public(public) => match public.kind {
            PublicChatKind::Channel(_) => return Err(Outcome::Ignored),
            _ => ChatKind::Group,
        },
    };
    let Some(user) = message.from.as_ref() else {
        return Err(Outcome::Ignored);
    };
    // In a group only commands are for the bot; in a private chat everything is.
    let input = match message.text() {
        Some(text) => match command::parse(text, Some(me)) {
            Parsed::Command { name, arg } => Input::Command { name, arg },
            Parsed::OtherBot => return Err(Outcome::OtherBot),
            Parsed::Text(text) if chat == ChatKind::Private => Input::Text(text),
            Parsed::Text(_) => return Err(Outcome::Ignored),
        },
        None if chat == ChatKind::Private => Input::NotText,
        None => return Err(Outcome::Ignored),
    };
    Ok(Asked::Message {
        chat: message.chat.id,
        request: Request {
            user_id: user.id.into(),
            language_code: user.language_code.clone(),
            chat,
            input,
        },
    })
}

/// The update's kind, as the `kind` label of the metrics names it.
pub(crate) fn kind_name(kind: &UpdateKind) -> &'static str {
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

/// The handler a request goes to, as the `handler` field of the `update` span names it.
pub(crate) fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Command { name, .. } => {
            Command::from_name(name).map_or("unknown-command", Command::name)
        }
        Input::Button(_) => "button",
        Input::Text(_) => "text",
        Input::NotText => "not-text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const ME: &str = "lidzdaliba_bot";

    fn user(id: u64) -> Value {
        json!({"id": id, "is_bot": false, "first_name": "Anna", "language_code": "lv"})
    }

    fn private(id: i64) -> Value {
        json!({"id": id, "type": "private", "first_name": "Anna"})
    }

    fn group(id: i64) -> Value {
        json!({"id": id, "type": "supergroup", "title": "Biedrība"})
    }

    fn message(chat: Value, extra: Value) -> Value {
        let mut message = json!({"message_id": 3, "date": 1_700_000_000, "chat": chat});
        for (key, value) in extra.as_object().unwrap() {
            message[key] = value.clone();
        }
        message
    }

    fn parse(kind: Value) -> Update {
        // teloxide's `Update` reads its flattened kind only from text (see `poll::parse`).
        let mut body = json!({"update_id": 7});
        for (key, value) in kind.as_object().unwrap() {
            body[key] = value.clone();
        }
        serde_json::from_str(&body.to_string()).unwrap()
    }

    fn asked_request(update: &Update) -> (ChatId, Request) {
        match asked(update, ME) {
            Ok(Asked::Message { chat, request }) => (chat, request),
            other => panic!("not a message to answer: {other:?}"),
        }
    }

    #[test]
    fn a_command_in_a_private_chat_is_a_command_request() {
        let u = parse(json!({"message": message(private(42), json!({
            "from": user(42), "text": "/kontakti veselība"
        }))}));
        let (chat, request) = asked_request(&u);
        assert_eq!(chat, ChatId(42));
        assert_eq!(request.user_id, crate::ids::UserId(42));
        assert_eq!(request.language_code.as_deref(), Some("lv"));
        assert_eq!(request.chat, ChatKind::Private);
        let Input::Command { name, arg } = &request.input else {
            panic!("{:?}", request.input);
        };
        assert_eq!((name.as_str(), arg.as_str()), ("kontakti", "veselība"));
    }

    #[test]
    fn a_command_for_this_bot_in_a_group_is_answered_and_one_for_another_bot_is_not() {
        let mine = parse(json!({"message": message(group(-1001), json!({
            "from": user(42), "text": format!("/start@{ME}")
        }))}));
        let (chat, request) = asked_request(&mine);
        assert_eq!(chat, ChatId(-1001));
        assert_eq!(request.chat, ChatKind::Group);
        assert!(matches!(&request.input, Input::Command { name, .. } if name == "start"));
        let theirs = parse(json!({"message": message(group(-1001), json!({
            "from": user(42), "text": "/start@other_bot"
        }))}));
        assert_eq!(asked(&theirs, ME).unwrap_err(), Outcome::OtherBot);
    }

    #[test]
    fn plain_text_is_a_question_in_a_private_chat_and_ignored_in_a_group() {
        let text = json!({"from": user(42), "text": "veselība"});
        let u = parse(json!({"message": message(private(42), text.clone())}));
        let (_, request) = asked_request(&u);
        assert!(
            matches!(&request.input, Input::Text(t) if t == "veselība"),
            "{:?}",
            request.input
        );
        let u = parse(json!({"message": message(group(-1001), text)}));
        assert_eq!(asked(&u, ME).unwrap_err(), Outcome::Ignored);
    }

    #[test]
    fn an_answer_to_a_force_reply_prompt_is_text_like_any_other() {
        let prompt = message(
            private(42),
            json!({"from": {"id": 1, "is_bot": true, "first_name": "Bot"}, "text": "Kas nav pareizi?"}),
        );
        let u = parse(json!({"message": message(private(42), json!({
            "from": user(42), "text": "Tālrunis ir mainījies", "reply_to_message": prompt
        }))}));
        let (chat, request) = asked_request(&u);
        assert_eq!(chat, ChatId(42));
        assert!(
            matches!(&request.input, Input::Text(t) if t == "Tālrunis ir mainījies"),
            "{:?}",
            request.input
        );
    }

    #[test]
    fn a_message_without_text_gets_an_answer_only_in_a_private_chat() {
        let sticker = json!({"from": user(42), "location": {"latitude": 56.95, "longitude": 24.1}});
        let u = parse(json!({"message": message(private(42), sticker.clone())}));
        assert!(matches!(asked_request(&u).1.input, Input::NotText));
        let u = parse(json!({"message": message(group(-1001), sticker)}));
        assert_eq!(asked(&u, ME).unwrap_err(), Outcome::Ignored);
    }

    #[test]
    fn channel_posts_messages_without_a_sender_and_edits_are_ignored() {
        let channel = json!({"id": -1002, "type": "channel", "title": "Ziņas"});
        let post = message(channel.clone(), json!({"text": "/start"}));
        for u in [
            parse(json!({"channel_post": post.clone()})),
            parse(
                json!({"message": message(channel, json!({"from": user(42), "text": "/start"}))}),
            ),
            parse(json!({"message": message(group(-1001), json!({"text": "/start"}))})),
            parse(json!({"edited_message": message(private(42), json!({
                "from": user(42), "text": "/start", "edit_date": 1_700_000_100
            }))})),
        ] {
            assert_eq!(asked(&u, ME).unwrap_err(), Outcome::Ignored, "{u:?}");
        }
    }

    #[test]
    fn a_migration_message_moves_the_chat_from_either_side() {
        let old = parse(
            json!({"message": message(json!({"id": -5, "type": "group", "title": "B"}),
            json!({"from": user(42), "migrate_to_chat_id": -1005}))}),
        );
        let new = parse(json!({"message": message(group(-1005),
            json!({"from": user(42), "migrate_from_chat_id": -5}))}));
        for u in [old, new] {
            let Ok(Asked::Moved { from, to }) = asked(&u, ME) else {
                panic!("not a move: {u:?}");
            };
            assert_eq!((from, to), (ChatId(-5), ChatId(-1005)));
        }
    }

    #[test]
    fn a_button_press_is_a_button_request_in_the_chat_of_its_message() {
        let pressed = message(
            group(-1001),
            json!({"from": {"id": 1, "is_bot": true, "first_name": "Bot"}, "text": "Izvēlne"}),
        );
        let u = parse(json!({"callback_query": {
            "id": "q1", "from": user(42), "chat_instance": "c", "data": "m:VM", "message": pressed
        }}));
        let Ok(Asked::Button {
            request,
            pressed,
            user,
        }) = asked(&u, ME)
        else {
            panic!("not a button: {u:?}");
        };
        assert!(
            matches!(&request.input, Input::Button(t) if t == "m:VM"),
            "{:?}",
            request.input
        );
        assert_eq!(request.chat, ChatKind::Group);
        assert_eq!(request.user_id, crate::ids::UserId(42));
        assert_eq!(user, UserId(42));
        assert_eq!(pressed.map(|m| m.chat().id), Some(ChatId(-1001)));
    }

    #[test]
    fn a_button_without_its_message_is_private_and_one_without_data_asks_nothing() {
        let u = parse(json!({"callback_query": {
            "id": "q1", "from": user(42), "chat_instance": "c", "data": "m:VM",
            "inline_message_id": "i1"
        }}));
        let Ok(Asked::Button {
            request, pressed, ..
        }) = asked(&u, ME)
        else {
            panic!("not a button: {u:?}");
        };
        assert_eq!(request.chat, ChatKind::Private);
        assert!(pressed.is_none());
        let u = parse(json!({"callback_query": {
            "id": "q2", "from": user(42), "chat_instance": "c", "game_short_name": "g"
        }}));
        assert_eq!(asked(&u, ME).unwrap_err(), Outcome::NoData);
    }

    #[test]
    fn an_inline_query_is_answered_inline() {
        let u = parse(json!({"inline_query": {
            "id": "iq", "from": user(42), "query": "veselība", "offset": ""
        }}));
        let Ok(Asked::Inline(query)) = asked(&u, ME) else {
            panic!("not inline: {u:?}");
        };
        assert_eq!(query.query, "veselība");
        assert_eq!(kind_name(&u.kind), "inline_query");
    }

    #[test]
    fn handler_names_follow_the_input() {
        let command = |name: &str| Input::Command {
            name: name.into(),
            arg: String::new(),
        };
        assert_eq!(input_name(&command("start")), "start");
        assert_eq!(input_name(&command("nosuch")), "unknown-command");
        assert_eq!(input_name(&Input::Button("x".into())), "button");
        assert_eq!(input_name(&Input::Text("x".into())), "text");
        assert_eq!(input_name(&Input::NotText), "not-text");
    }
}

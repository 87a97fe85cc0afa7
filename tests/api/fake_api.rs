//! A fake Telegram Bot API on 127.0.0.1 for end-to-end tests. It records every call, hands
//! out updates the way `getUpdates` does (offset confirms, long polling waits), and rejects
//! what Telegram rejects: empty or over-long text, bad HTML entities, callback data over
//! 64 bytes, answering an unknown callback query, editing a message to identical content.
//! Faults (429 with `retry_after`, 5xx with an HTML body, malformed JSON, a Telegram error)
//! can be queued per method, or per method and chat; an outage fails one method or all of them
//! until it ends; a group can be upgraded to a supergroup (`migrate_to_chat_id`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

pub const BOT_USERNAME: &str = "lidzdaliba_test_bot";
pub const BOT_ID: i64 = 4242;
pub const TOKEN: &str = "4242:TEST-token-never-logged";

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// The status the fake answered with.
    pub status: u16,
    /// When it came.
    pub at: Instant,
}

/// A fault to answer the next call of a method with.
#[derive(Debug, Clone)]
pub enum Fault {
    RetryAfter(u64),
    Status(u16, &'static str),
    MalformedJson,
    /// The connection is closed in the middle of the answer.
    Drop,
    /// `getUpdates` hands out the previous batch again, ignoring the offset.
    Replay,
    /// A Telegram error in JSON: the status and its description.
    Telegram(u16, &'static str),
    /// 400 "group chat was upgraded to a supergroup chat" with `migrate_to_chat_id` (for
    /// messages to a group after [`FakeApi::migrate`]).
    MigratedTo(i64),
}

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    next_update_id: i64,
    /// Every update id below this has been confirmed.
    confirmed: i64,
    /// How many times each update was handed out.
    handed_out: HashMap<i64, u32>,
    calls: Vec<Call>,
    faults: HashMap<String, VecDeque<Fault>>,
    /// Faults for the next call of a method to one chat (`chat_id` in the body).
    chat_faults: HashMap<(String, i64), VecDeque<Fault>>,
    chats: HashMap<i64, Value>,
    messages: HashMap<(i64, i64), (String, Value)>,
    next_message_id: i64,
    open_queries: HashSet<String>,
    next_query: u64,
    last_batch: Vec<Value>,
    /// Methods that answer 502 until the outage ends.
    down: HashSet<String>,
    /// Every method answers 502 (a `getUpdates` already waiting still returns).
    all_down: bool,
    /// `getUpdates` calls waiting for updates now.
    polls_waiting: usize,
    /// Groups upgraded to supergroups: old id → new id.
    migrated: HashMap<i64, i64>,
    /// What `getWebhookInfo` reports: the URL `setWebhook` registered (`deleteWebhook`
    /// clears it), pending updates and the last delivery error (Unix seconds, message).
    webhook_url: String,
    webhook_pending: u64,
    webhook_error: Option<(u64, String)>,
    /// The bot's profile: (`description` or `short_description`, language code or "") → text.
    profile: HashMap<(String, String), String>,
}

/// The fake server's shared state.
#[derive(Clone)]
pub struct FakeApi {
    inner: Arc<Mutex<Inner>>,
    wake: Arc<Notify>,
    pub url: String,
}

impl FakeApi {
    /// Starts the server on a free port of 127.0.0.1.
    pub async fn start() -> FakeApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let api = FakeApi {
            inner: Arc::new(Mutex::new(Inner {
                next_update_id: 1000,
                next_message_id: 1,
                ..Inner::default()
            })),
            wake: Arc::new(Notify::new()),
            url,
        };
        let app = Router::new()
            .route("/{bot}/{method}", axum::routing::post(handle).get(handle))
            .with_state(api.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        api
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `fault` for the next call of `method`.
    pub fn fail_next(&self, method: &str, fault: Fault) {
        self.lock()
            .faults
            .entry(method.into())
            .or_default()
            .push_back(fault);
    }

    /// Queues `fault` for the next call of `method` to `chat`; calls to other chats are not
    /// affected.
    pub fn fail_next_for(&self, method: &str, chat: i64, fault: Fault) {
        self.lock()
            .chat_faults
            .entry((method.into(), chat))
            .or_default()
            .push_back(fault);
    }

    /// While `down`, every call of `method` gets a 502 with an HTML body (no queue of faults
    /// to run out).
    pub fn outage(&self, method: &str, down: bool) {
        let mut inner = self.lock();
        if down {
            inner.down.insert(method.into());
        } else {
            inner.down.remove(method);
        }
    }

    /// While `down`, every call of every method gets a 502 with an HTML body; a long poll
    /// that was already waiting still hands out what arrives, as Telegram's would.
    pub fn outage_all(&self, down: bool) {
        self.lock().all_down = down;
    }

    /// Waits until a `getUpdates` call is waiting for updates (up to 10 s).
    pub async fn long_poll_waiting(&self) {
        self.wait_until(10, "a waiting long poll", |api| {
            api.lock().polls_waiting > 0
        })
        .await;
    }

    /// The group `from` becomes the supergroup `to`: messages to `from` get 400 with
    /// `migrate_to_chat_id`, and `to` is a chat the bot may write to.
    pub fn migrate(&self, from: i64, to: i64) {
        let mut inner = self.lock();
        inner.migrated.insert(from, to);
        inner.chats.insert(
            to,
            json!({"id": to, "type": "supergroup", "title": "Test group"}),
        );
    }

    /// Telegram's service message in the old group `from` that it became `to`.
    pub fn migration_notice(&self, user: i64, from: i64, to: i64) -> i64 {
        let chat = json!({"id": from, "type": "group", "title": "Test group"});
        self.message(user, Some("lv"), chat, json!({"migrate_to_chat_id": to}))
    }

    /// A text message from `user` in the (basic, not super) group `chat`.
    pub fn basic_group_text(&self, user: i64, chat: i64, text: &str) -> i64 {
        let chat = json!({"id": chat, "type": "group", "title": "Test group"});
        self.message(user, Some("lv"), chat, json!({"text": text}))
    }

    /// Calls (of any method) that came within `from..to`.
    pub fn calls_between(&self, from: Instant, to: Instant) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.at >= from && c.at < to)
            .cloned()
            .collect()
    }

    /// What `getWebhookInfo` reports from now on: `pending` undelivered updates and the last
    /// delivery error (Unix seconds and message), as when Telegram cannot reach the webhook.
    pub fn webhook_trouble(&self, pending: u64, error: Option<(u64, &str)>) {
        let mut inner = self.lock();
        inner.webhook_pending = pending;
        inner.webhook_error = error.map(|(at, m)| (at, m.to_string()));
    }

    /// Registers another webhook URL, as another program with the same token would.
    pub fn set_webhook_url(&self, url: &str) {
        self.lock().webhook_url = url.into();
    }

    /// The profile text `field` (`description`, `short_description`) set for `language_code`
    /// (`None`: the one without a code), as `getMy*` would return it.
    pub fn profile(&self, field: &str, language_code: Option<&str>) -> Option<String> {
        let key = (field.to_string(), language_code.unwrap_or("").to_string());
        self.lock().profile.get(&key).cloned()
    }

    /// The command menu Telegram shows in a private chat to a user whose app language is
    /// `language_code`: the default scope's list registered for that language, else the one
    /// registered without a code (the last of each). `setMyCommands` takes two-letter ISO 639-1
    /// codes, so a regional tag (`en-GB`) is taken to match its language (`en`).
    pub fn menu_for(&self, language_code: Option<&str>) -> Vec<Value> {
        let language_code = language_code.and_then(|c| c.split(['-', '_']).next());
        let default_scope: Vec<Value> = self
            .ok_calls("setMyCommands")
            .into_iter()
            .filter(|b| b["scope"].is_null() || b["scope"]["type"] == "default")
            .collect();
        let registered = |code: Option<&str>| {
            default_scope
                .iter()
                .rev()
                .find(|b| b["language_code"].as_str().filter(|c| !c.is_empty()) == code)
                .map(|b| b["commands"].as_array().cloned().unwrap_or_default())
        };
        language_code
            .and_then(|code| registered(Some(code)))
            .or_else(|| registered(None))
            .unwrap_or_default()
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Successful calls of `method`.
    pub fn ok_calls(&self, method: &str) -> Vec<Value> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method && c.status == 200)
            .map(|c| c.body.clone())
            .collect()
    }

    /// Every call of `method`, whatever the answer.
    pub fn all_calls(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Successful `sendMessage` calls to `chat`.
    pub fn sent_to(&self, chat: i64) -> Vec<Value> {
        self.ok_calls("sendMessage")
            .into_iter()
            .filter(|b| b["chat_id"].as_i64() == Some(chat))
            .collect()
    }

    /// The bot's messages in `chat` as Telegram returns them (plain `text` and `entities`,
    /// each in its latest version), oldest first.
    pub fn messages_in(&self, chat: i64) -> Vec<Value> {
        let inner = self.lock();
        let mut found: Vec<(i64, Value)> = inner
            .messages
            .iter()
            .filter(|((c, _), _)| *c == chat)
            .map(|((_, id), (_, message))| (*id, message.clone()))
            .collect();
        found.sort_by_key(|(id, _)| *id);
        found.into_iter().map(|(_, m)| m).collect()
    }

    /// The update offset the bot has confirmed.
    pub fn confirmed(&self) -> i64 {
        self.lock().confirmed
    }

    /// How many times update `id` was handed out by getUpdates.
    pub fn times_handed_out(&self, id: i64) -> u32 {
        self.lock().handed_out.get(&id).copied().unwrap_or(0)
    }

    fn push(&self, make: impl FnOnce(i64) -> Value) -> i64 {
        let id = {
            let mut inner = self.lock();
            let id = inner.next_update_id;
            inner.next_update_id += 1;
            let update = make(id);
            if let Some(chat) = find_chat(&update) {
                let chat_id = chat["id"].as_i64().unwrap();
                inner.chats.insert(chat_id, chat);
            }
            inner.updates.push(update);
            id
        };
        self.wake.notify_waiters();
        id
    }

    /// A text message from `user` in their private chat.
    pub fn private_text(&self, user: i64, lang: Option<&str>, text: &str) -> i64 {
        let chat = json!({"id": user, "type": "private", "first_name": "Tester"});
        self.message(user, lang, chat, json!({"text": text}))
    }

    /// A text message from `user` in the group `chat` (a negative id).
    pub fn group_text(&self, user: i64, chat: i64, text: &str) -> i64 {
        let chat = json!({"id": chat, "type": "supergroup", "title": "Test group"});
        self.message(user, Some("lv"), chat, json!({"text": text}))
    }

    /// A sticker in `user`'s private chat.
    pub fn private_sticker(&self, user: i64) -> i64 {
        let chat = json!({"id": user, "type": "private", "first_name": "Tester"});
        let sticker = json!({"sticker": {
            "file_id": "s1", "file_unique_id": "u1", "type": "regular",
            "width": 512, "height": 512, "is_animated": false, "is_video": false
        }});
        self.message(user, Some("lv"), chat, sticker)
    }

    fn message(&self, user: i64, lang: Option<&str>, chat: Value, content: Value) -> i64 {
        let from = user_json(user, lang);
        self.push(|id| {
            let mut message = json!({
                "message_id": id, "date": 1_700_000_000, "chat": chat, "from": from,
            });
            merge(&mut message, content);
            json!({"update_id": id, "message": message})
        })
    }

    /// An edited message (the bot ignores it).
    pub fn edited_message(&self, user: i64, text: &str) -> i64 {
        let chat = json!({"id": user, "type": "private", "first_name": "Tester"});
        let from = user_json(user, Some("lv"));
        self.push(|id| {
            json!({"update_id": id, "edited_message": {
                "message_id": 1, "date": 1_700_000_000, "edit_date": 1_700_000_001,
                "chat": chat, "from": from, "text": text
            }})
        })
    }

    /// A channel post (the bot ignores it).
    pub fn channel_post(&self, text: &str) -> i64 {
        self.push(|id| {
            json!({"update_id": id, "channel_post": {
                "message_id": 1, "date": 1_700_000_000,
                "chat": {"id": -1009999, "type": "channel", "title": "News"},
                "sender_chat": {"id": -1009999, "type": "channel", "title": "News"},
                "text": text
            }})
        })
    }

    /// A button press by `user` on the bot's message `message_id` in their private chat.
    /// Returns the update id and the callback query id.
    pub fn press(&self, user: i64, message_id: i64, data: &str) -> (i64, String) {
        self.press_with(user, message_id, Some(data))
    }

    /// A press like [`FakeApi::press`] of a button without callback data (a forged update:
    /// Telegram's buttons always carry some).
    pub fn press_without_data(&self, user: i64, message_id: i64) -> (i64, String) {
        self.press_with(user, message_id, None)
    }

    fn press_with(&self, user: i64, message_id: i64, data: Option<&str>) -> (i64, String) {
        let (query_id, message) = {
            let mut inner = self.lock();
            inner.next_query += 1;
            let query_id = format!("q{}", inner.next_query);
            inner.open_queries.insert(query_id.clone());
            let message = inner
                .messages
                .get(&(user, message_id))
                .map(|(_, m)| m.clone())
                .unwrap_or_else(|| {
                    json!({"message_id": message_id, "date": 1_700_000_000,
                           "chat": {"id": user, "type": "private", "first_name": "Tester"},
                           "text": "old"})
                });
            (query_id, message)
        };
        let from = user_json(user, Some("lv"));
        let qid = query_id.clone();
        let id = self.push(|id| {
            let mut query =
                json!({"id": qid, "from": from, "message": message, "chat_instance": "ci"});
            if let Some(data) = data {
                query["data"] = json!(data);
            }
            json!({"update_id": id, "callback_query": query})
        });
        (id, query_id)
    }

    /// An inline query `@bot <query>` typed by `user`. Returns the inline query id.
    pub fn inline_query(&self, user: i64, lang: &str, query: &str) -> String {
        let query_id = {
            let mut inner = self.lock();
            inner.next_query += 1;
            let id = format!("iq{}", inner.next_query);
            inner.open_queries.insert(id.clone());
            id
        };
        let from = user_json(user, Some(lang));
        let qid = query_id.clone();
        self.push(|id| {
            json!({"update_id": id, "inline_query": {
                "id": qid, "from": from, "query": query, "offset": "", "chat_type": "private"
            }})
        });
        query_id
    }

    /// Waits until `done` holds for the recorded calls, up to `secs` seconds.
    pub async fn wait_until(&self, secs: u64, what: &str, done: impl Fn(&FakeApi) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while !done(self) {
            if tokio::time::Instant::now() > deadline {
                let calls: Vec<String> = self
                    .calls()
                    .iter()
                    .map(|c| format!("{} {} {}", c.status, c.method, c.body))
                    .collect();
                panic!("timed out waiting for {what}; calls:\n{}", calls.join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A stream of body chunks (an error ends the connection).
fn tokio_stream_iter(
    chunks: Vec<Result<&'static str, std::io::Error>>,
) -> impl futures_core_stream::Stream<Item = Result<&'static str, std::io::Error>> {
    futures_core_stream::Iter(chunks.into_iter())
}

mod futures_core_stream {
    //! The smallest `Stream` over an iterator, without a futures dependency.
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub use futures_core::Stream;

    pub struct Iter<I>(pub I);

    impl<I: Iterator + Unpin> Stream for Iter<I> {
        type Item = I::Item;
        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
            Poll::Ready(self.0.next())
        }
    }
}

fn user_json(user: i64, lang: Option<&str>) -> Value {
    let mut from = json!({"id": user, "is_bot": false, "first_name": "Tester"});
    if let Some(lang) = lang {
        from["language_code"] = json!(lang);
    }
    from
}

fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}

fn find_chat(update: &Value) -> Option<Value> {
    ["message", "edited_message", "channel_post"]
        .iter()
        .find_map(|k| update.get(k).map(|m| m["chat"].clone()))
}

async fn handle(
    State(api): State<FakeApi>,
    Path((bot, method)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body: Value = match content_type.split_once("boundary=") {
        Some((_, boundary)) => multipart_fields(&body, boundary.trim_matches('"')),
        None => serde_json::from_slice(&body).unwrap_or(json!({})),
    };
    // Telegram ignores the case of the first letter ("GetMe" as teloxide's client wrote it).
    let mut chars = method.chars();
    let method: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    if bot != format!("bot{TOKEN}") {
        return error(&api, &method, body, 401, "Unauthorized");
    }
    let fault = {
        let mut inner = api.lock();
        let for_chat = body["chat_id"].as_i64().and_then(|chat| {
            inner
                .chat_faults
                .get_mut(&(method.clone(), chat))
                .and_then(VecDeque::pop_front)
        });
        for_chat
            .or_else(|| inner.faults.get_mut(&method).and_then(VecDeque::pop_front))
            .or_else(|| {
                (inner.all_down || inner.down.contains(&method))
                    .then_some(Fault::Status(502, "<html>Bad Gateway</html>"))
            })
            .or_else(|| {
                // A message to a group that became a supergroup.
                let chat = body["chat_id"].as_i64()?;
                let sends = ["sendMessage", "editMessageText", "sendPhoto"];
                let to = inner.migrated.get(&chat)?;
                sends
                    .contains(&method.as_str())
                    .then_some(Fault::MigratedTo(*to))
            })
    };
    if let Some(fault) = fault {
        return match fault {
            Fault::RetryAfter(secs) => {
                record(&api, &method, body, 429);
                let json = json!({"ok": false, "error_code": 429,
                    "description": format!("Too Many Requests: retry after {secs}"),
                    "parameters": {"retry_after": secs}});
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(json)).into_response()
            }
            Fault::Status(code, html) => {
                record(&api, &method, body, code);
                let status = StatusCode::from_u16(code).unwrap();
                (status, [(header::CONTENT_TYPE, "text/html")], html).into_response()
            }
            Fault::Drop => {
                record(&api, &method, body, 298);
                let chunks: Vec<Result<&'static str, std::io::Error>> = vec![
                    Ok("{\"ok\": true, \"res"),
                    Err(std::io::Error::other("connection dropped")),
                ];
                let stream = tokio_stream_iter(chunks);
                Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(axum::body::Body::from_stream(stream))
                    .unwrap()
            }
            Fault::Replay => {
                let batch = api.lock().last_batch.clone();
                record(&api, &method, body, 200);
                axum::Json(json!({"ok": true, "result": batch})).into_response()
            }
            Fault::MigratedTo(to) => {
                record(&api, &method, body, 400);
                let json = json!({"ok": false, "error_code": 400,
                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                    "parameters": {"migrate_to_chat_id": to}});
                (StatusCode::BAD_REQUEST, axum::Json(json)).into_response()
            }
            Fault::Telegram(code, description) => error(&api, &method, body, code, description),
            Fault::MalformedJson => {
                record(&api, &method, body, 299);
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"ok\": true, \"result\": [{\"update_id\": ",
                )
                    .into_response()
            }
        };
    }
    match method.as_str() {
        "getUpdates" => get_updates(&api, body).await,
        "getMe" => ok(
            &api,
            &method,
            body,
            json!({
                "id": BOT_ID, "is_bot": true, "first_name": "Līdzdalība",
                "username": BOT_USERNAME, "can_join_groups": true,
                "can_read_all_group_messages": false, "supports_inline_queries": false,
                "has_main_web_app": false
            }),
        ),
        "setMyCommands" => match check_commands(&body) {
            Ok(()) => ok(&api, &method, body, json!(true)),
            Err(e) => error(&api, &method, body, 400, &e),
        },
        "sendMessage" => send_message(&api, body),
        "setWebhook" => {
            api.lock().webhook_url = body["url"].as_str().unwrap_or("").to_string();
            ok(&api, &method, body, json!(true))
        }
        "deleteWebhook" => {
            api.lock().webhook_url.clear();
            ok(&api, &method, body, json!(true))
        }
        "getMyDescription" | "getMyShortDescription" => {
            let field = profile_field(&method);
            let code = body["language_code"].as_str().unwrap_or("").to_string();
            let text = api
                .lock()
                .profile
                .get(&(field.to_string(), code))
                .cloned()
                .unwrap_or_default();
            ok(&api, &method, body, json!({ field: text }))
        }
        "setMyDescription" | "setMyShortDescription" => {
            let field = profile_field(&method);
            let max = if field == "description" { 512 } else { 120 };
            let text = body[field].as_str().unwrap_or("").to_string();
            if text.encode_utf16().count() > max {
                return error(
                    &api,
                    &method,
                    body,
                    400,
                    "Bad Request: description is too long",
                );
            }
            let code = body["language_code"].as_str().unwrap_or("").to_string();
            api.lock().profile.insert((field.to_string(), code), text);
            ok(&api, &method, body, json!(true))
        }
        "getWebhookInfo" => {
            let info = {
                let inner = api.lock();
                let mut info = json!({
                    "url": inner.webhook_url,
                    "has_custom_certificate": false,
                    "pending_update_count": inner.webhook_pending,
                });
                if let Some((at, message)) = &inner.webhook_error {
                    info["last_error_date"] = json!(at);
                    info["last_error_message"] = json!(message);
                }
                info
            };
            ok(&api, &method, body, info)
        }
        // Sent as multipart (a file), which this fake does not parse.
        "sendPhoto" => {
            let message = json!({"message_id": 999_999, "date": 1_700_000_000,
                "chat": {"id": 0, "type": "private", "first_name": "T"},
                "photo": [{"file_id": "p", "file_unique_id": "p", "width": 640, "height": 320}]});
            ok(&api, &method, body, message)
        }
        "editMessageText" => edit_message(&api, body),
        "answerCallbackQuery" => {
            let id = body["callback_query_id"].as_str().unwrap_or("").to_string();
            let known = api.lock().open_queries.remove(&id);
            if known {
                ok(&api, &method, body, json!(true))
            } else {
                error(
                    &api,
                    &method,
                    body,
                    400,
                    "Bad Request: query is too old and response timeout expired or query id is invalid",
                )
            }
        }
        "answerInlineQuery" => {
            let id = body["inline_query_id"].as_str().unwrap_or("").to_string();
            if !api.lock().open_queries.remove(&id) {
                return error(
                    &api,
                    &method,
                    body,
                    400,
                    "Bad Request: query is too old and response timeout expired or query id is invalid",
                );
            }
            match check_inline(&body) {
                Ok(()) => ok(&api, &method, body, json!(true)),
                Err(e) => error(&api, &method, body, 400, &e),
            }
        }
        _ => error(&api, &method, body, 404, "Not Found: method not found"),
    }
}

/// `description` or `short_description`, for the profile methods.
fn profile_field(method: &str) -> &'static str {
    if method.contains("Short") {
        "short_description"
    } else {
        "description"
    }
}

/// The text fields of a multipart body (files are skipped), as a JSON object.
fn multipart_fields(body: &[u8], boundary: &str) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        if head.contains("filename=") {
            continue;
        }
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        else {
            continue;
        };
        let value = value.trim_end_matches("\r\n");
        fields.insert(name.to_string(), Value::String(value.to_string()));
    }
    Value::Object(fields)
}

async fn get_updates(api: &FakeApi, body: Value) -> Response {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let limit = body["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = body["timeout"].as_u64().unwrap_or(0).min(2);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = api.wake.notified();
        let batch: Vec<Value> = {
            let mut inner = api.lock();
            if offset > inner.confirmed {
                inner.confirmed = offset;
            }
            let confirmed = inner.confirmed;
            let batch: Vec<Value> = inner
                .updates
                .iter()
                .filter(|u| u["update_id"].as_i64().unwrap() >= confirmed)
                .take(limit)
                .cloned()
                .collect();
            for u in &batch {
                *inner
                    .handed_out
                    .entry(u["update_id"].as_i64().unwrap())
                    .or_default() += 1;
            }
            batch
        };
        if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
            return ok(api, "getUpdates", body, Value::Array(batch));
        }
        let _waiting = Waiting::new(api);
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}

/// Counts a waiting long poll for as long as it lives (also when its client goes away).
struct Waiting<'a>(&'a FakeApi);

impl<'a> Waiting<'a> {
    fn new(api: &'a FakeApi) -> Self {
        api.lock().polls_waiting += 1;
        Waiting(api)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.lock().polls_waiting -= 1;
    }
}

fn send_message(api: &FakeApi, body: Value) -> Response {
    let text = body["text"].as_str().unwrap_or("").to_string();
    if let Err(e) = check_text(&text, &body) {
        return error(api, "sendMessage", body, 400, &e);
    }
    let chat_id = body["chat_id"].as_i64().unwrap_or(0);
    let mut inner = api.lock();
    // A user's private chat exists once they wrote (in tests also through a webhook).
    let known = inner.chats.get(&chat_id).cloned().or_else(|| {
        (chat_id > 0).then(|| json!({"id": chat_id, "type": "private", "first_name": "T"}))
    });
    let Some(chat) = known else {
        drop(inner);
        return error(api, "sendMessage", body, 400, "Bad Request: chat not found");
    };
    let id = inner.next_message_id;
    inner.next_message_id += 1;
    let message = bot_message(id, chat, &text, &body);
    inner
        .messages
        .insert((chat_id, id), (key(&text, &body), message.clone()));
    drop(inner);
    ok(api, "sendMessage", body, message)
}

fn edit_message(api: &FakeApi, body: Value) -> Response {
    let text = body["text"].as_str().unwrap_or("").to_string();
    if let Err(e) = check_text(&text, &body) {
        return error(api, "editMessageText", body, 400, &e);
    }
    let chat_id = body["chat_id"].as_i64().unwrap_or(0);
    let id = body["message_id"].as_i64().unwrap_or(0);
    let mut inner = api.lock();
    let Some((old, message)) = inner.messages.get(&(chat_id, id)).cloned() else {
        drop(inner);
        return error(
            api,
            "editMessageText",
            body,
            400,
            "Bad Request: message to edit not found",
        );
    };
    if old == key(&text, &body) {
        drop(inner);
        return error(
            api,
            "editMessageText",
            body,
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are \
             exactly the same as a current content and reply markup of the message",
        );
    }
    let message = bot_message(id, message["chat"].clone(), &text, &body);
    inner
        .messages
        .insert((chat_id, id), (key(&text, &body), message.clone()));
    drop(inner);
    ok(api, "editMessageText", body, message)
}

fn key(text: &str, body: &Value) -> String {
    format!("{text}\u{0}{}", body["reply_markup"])
}

fn bot_message(id: i64, chat: Value, text: &str, body: &Value) -> Value {
    let (plain, entities) = returned_text(text);
    let mut message = json!({
        "message_id": id, "date": 1_700_000_000, "chat": chat,
        "from": {"id": BOT_ID, "is_bot": true, "first_name": "Līdzdalība", "username": BOT_USERNAME},
        "text": plain,
    });
    if !entities.is_empty() {
        message["entities"] = Value::Array(entities);
    }
    if !body["reply_markup"].is_null() {
        message["reply_markup"] = body["reply_markup"].clone();
    }
    message
}

/// The text and entities Telegram returns for a message sent as HTML: the text without tags,
/// an entity per tag, and a link whose label is its own address as a `url` entity (as if
/// Telegram had found it in the text).
fn returned_text(html: &str) -> (String, Vec<Value>) {
    use lidzdaliba_bot::render::{Style, entities};
    let (plain, found) = entities(html);
    let units: Vec<u16> = plain.encode_utf16().collect();
    let entities = found
        .into_iter()
        .map(|e| {
            let mut entity = json!({"offset": e.offset, "length": e.length});
            entity["type"] = json!(match &e.style {
                Style::Bold => "bold",
                Style::Italic => "italic",
                Style::Underline => "underline",
                Style::Strikethrough => "strikethrough",
                Style::Spoiler => "spoiler",
                Style::Code => "code",
                Style::Pre => "pre",
                Style::Blockquote => "blockquote",
                Style::ExpandableBlockquote => "expandable_blockquote",
                Style::Link(url) => {
                    let label = String::from_utf16_lossy(&units[e.offset..e.offset + e.length]);
                    if label == *url {
                        "url"
                    } else {
                        entity["url"] = json!(url);
                        "text_link"
                    }
                }
            });
            entity
        })
        .collect();
    (plain, entities)
}

/// What Telegram checks on a message text and its keyboard.
fn check_text(text: &str, body: &Value) -> Result<(), String> {
    if body["parse_mode"].as_str() != Some("HTML") {
        return Err("Bad Request: expected parse_mode HTML in this bot".into());
    }
    if text.trim().is_empty() {
        return Err("Bad Request: message text is empty".into());
    }
    if let Err(e) = lidzdaliba_bot::render::check_telegram_html(text) {
        if e.contains("UTF-16") {
            return Err("Bad Request: message is too long".into());
        }
        return Err(format!("Bad Request: can't parse entities: {e}"));
    }
    if let Some(rows) = body["reply_markup"]["inline_keyboard"].as_array() {
        for button in rows
            .iter()
            .flat_map(|r| r.as_array().cloned().unwrap_or_default())
        {
            if let Some(data) = button.get("callback_data").and_then(Value::as_str)
                && (data.is_empty() || data.len() > 64)
            {
                return Err("Bad Request: BUTTON_DATA_INVALID".into());
            }
            if let Some(copy) = button.get("copy_text")
                && !copy["text"]
                    .as_str()
                    .is_some_and(|t| (1..=256).contains(&t.chars().count()))
            {
                return Err("Bad Request: BUTTON_COPY_TEXT_INVALID".into());
            }
        }
    }
    Ok(())
}

/// What Telegram checks on inline results: at most 50, ids of 1–64 bytes and unique, each
/// message a valid text.
fn check_inline(body: &Value) -> Result<(), String> {
    let results = body["results"]
        .as_array()
        .ok_or("Bad Request: results missing")?;
    if results.len() > 50 {
        return Err("Bad Request: RESULTS_TOO_MUCH".into());
    }
    let mut ids = HashSet::new();
    for r in results {
        let id = r["id"].as_str().unwrap_or("");
        if id.is_empty() || id.len() > 64 || !ids.insert(id.to_string()) {
            return Err(format!("Bad Request: RESULT_ID_INVALID {id}"));
        }
        if r["title"].as_str().unwrap_or("").is_empty() {
            return Err("Bad Request: RESULT_TITLE_EMPTY".into());
        }
        let content = &r["input_message_content"];
        check_text(content["message_text"].as_str().unwrap_or(""), content)?;
    }
    Ok(())
}

fn check_commands(body: &Value) -> Result<(), String> {
    let commands = body["commands"].as_array().ok_or("commands missing")?;
    if commands.is_empty() || commands.len() > 100 {
        return Err("Bad Request: too many commands".into());
    }
    for c in commands {
        let name = c["command"].as_str().unwrap_or("");
        let description = c["description"].as_str().unwrap_or("");
        let valid = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid || !(1..=256).contains(&description.chars().count()) {
            return Err(format!("Bad Request: BOT_COMMAND_INVALID {name}"));
        }
    }
    Ok(())
}

fn record(api: &FakeApi, method: &str, body: Value, status: u16) {
    api.lock().calls.push(Call {
        method: method.into(),
        body,
        status,
        at: Instant::now(),
    });
}

fn ok(api: &FakeApi, method: &str, body: Value, result: Value) -> Response {
    record(api, method, body, 200);
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

fn error(api: &FakeApi, method: &str, body: Value, code: u16, description: &str) -> Response {
    record(api, method, body, code);
    let status = StatusCode::from_u16(code).unwrap();
    let json = json!({"ok": false, "error_code": code, "description": description});
    (status, axum::Json(json)).into_response()
}

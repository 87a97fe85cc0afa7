//! End to end through the Bot API: the real runtime (in process, as zero2prod's `spawn_app`
//! does, and the real binary for signals) against the fake server in `fake_api`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lidzdaliba_bot::app;
use lidzdaliba_bot::bot::{self, RunError, Settings};
use lidzdaliba_bot::config::Config;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::fake_api::{BOT_USERNAME, FakeApi, Fault, TOKEN};
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::render;

pub const USER: i64 = 5001;

pub struct Harness {
    pub api: FakeApi,
    _dir: tempfile::TempDir,
    pub db_url: String,
    pub content: PathBuf,
}

pub struct Running {
    pub stop: watch::Sender<bool>,
    pub task: JoinHandle<Result<(), RunError>>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let result = tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the bot stops within 10 s")
            .expect("the bot task does not panic");
        result.expect("the bot stops without an error");
    }
}

impl Harness {
    pub async fn new() -> Harness {
        crate::helpers::init_tracing();
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        crate::helpers::copy_dir(&crate::helpers::content_source(), &content);
        let db_url = format!("sqlite://{}", dir.path().join("bot.db").display());
        Harness {
            api: FakeApi::start().await,
            _dir: dir,
            db_url,
            content,
        }
    }

    pub fn config(&self, throttle: bool) -> Config {
        self.config_with(throttle, &[])
    }

    /// The configuration of this harness plus `extra` variables.
    pub fn config_with(&self, throttle: bool, extra: &[(&str, String)]) -> Config {
        let db = self.db_url.clone();
        let content = self.content.display().to_string();
        let api = self.api.url.clone();
        let extra: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Config::from_lookup(move |name| match name {
            "DATABASE_URL" => Some(db.clone()),
            "CONTENT_DIR" => Some(content.clone()),
            "TELOXIDE_TOKEN" => Some(TOKEN.into()),
            "TELOXIDE_API_URL" => Some(api.clone()),
            "BOT_THROTTLE" => Some(if throttle { "on" } else { "off" }.into()),
            other => extra
                .iter()
                .find(|(k, _)| k == other)
                .map(|(_, v)| v.clone())
                // No test reads the real TAP portal: syncing is off unless a test sets it
                // (with the fake portal's TAP_URL).
                .or_else(|| (other == "TAP_SYNC_INTERVAL").then(|| "off".into())),
        })
        .unwrap()
    }

    pub async fn start(&self, throttle: bool) -> Running {
        self.start_with(self.config(throttle)).await.0
    }

    /// Starts the runtime with `config`; also returns the engine and the settings used.
    pub async fn start_with(
        &self,
        config: Config,
    ) -> (Running, Arc<lidzdaliba_bot::engine::Engine>, Settings) {
        let engine = app::build_engine(&config).await.unwrap();
        let mut settings = Settings::from_config(&config).unwrap();
        settings.poll_timeout = 1;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(bot::run(settings.clone(), Arc::clone(&engine), stopped));
        (Running { stop, task }, engine, settings)
    }

    /// The real binary's `run` against this harness (fake Bot API, database, content) with
    /// `BOT_THROTTLE=off RUST_LOG=info` unless `extra` says otherwise; its log goes to `log`.
    pub fn spawn_binary(&self, extra: &[(&str, String)], log: &Path) -> std::process::Child {
        let mut command = crate::helpers::binary();
        command
            .arg("run")
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", &self.api.url)
            .env("DATABASE_URL", &self.db_url)
            .env("CONTENT_DIR", &self.content)
            .env("BOT_THROTTLE", "off")
            .env("RUST_LOG", "info");
        for (name, value) in extra {
            command.env(name, value);
        }
        crate::helpers::spawn_logged(&mut command, log)
    }

    /// The ids of the updates waiting in the inbox of this harness's database, oldest first.
    pub async fn inbox(&self) -> Vec<i64> {
        let store = lidzdaliba_bot::store::Store::open(&self.db_url)
            .await
            .unwrap();
        let ids = store.inbox().waiting().await.unwrap().ids();
        store.close().await;
        ids
    }

    /// Sends `text` from USER and waits for the n-th reply in USER's chat.
    pub async fn ask(&self, text: &str) -> Value {
        let before = self.api.sent_to(USER).len();
        self.api.private_text(USER, Some("lv"), text);
        self.api
            .wait_until(10, &format!("a reply to {text:?}"), |api| {
                api.sent_to(USER).len() > before
            })
            .await;
        self.api.sent_to(USER)[before].clone()
    }
}

/// A port of 127.0.0.1 that is free now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn text(body: &Value) -> &str {
    body["text"].as_str().unwrap_or("")
}

pub use crate::helpers::{signal, wait_exit};

/// The callback data of every button of a message.
pub fn callbacks(body: &Value) -> Vec<String> {
    body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
        .collect()
}

/// No message the bot sent was rejected by the (fake) Bot API.
pub fn assert_nothing_rejected(api: &FakeApi) {
    let rejected: Vec<String> = api
        .calls()
        .iter()
        .filter(|c| c.status == 400 || c.status == 401)
        .map(|c| format!("{} {}", c.method, c.body))
        .collect();
    assert!(rejected.is_empty(), "rejected calls: {rejected:#?}");
}

#[tokio::test]
async fn registers_commands_in_both_languages_and_answers_start_with_the_menu() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let reply = h.ask("/start").await;
    bot.stop().await;

    let commands = h.api.ok_calls("setMyCommands");
    assert_eq!(commands.len(), 2, "{commands:?}");
    let lv = commands
        .iter()
        .find(|c| c["language_code"].is_null())
        .expect("default scope");
    let en = commands
        .iter()
        .find(|c| c["language_code"] == "en")
        .expect("English");
    assert_eq!(lv["commands"][0]["command"], "start");
    assert_eq!(
        lv["commands"].as_array().unwrap().len(),
        13,
        "public commands only"
    );
    assert!(
        lv["commands"][0]["description"]
            .as_str()
            .unwrap()
            .contains("Sākums")
    );
    assert!(
        en["commands"][0]["description"]
            .as_str()
            .unwrap()
            .contains("Start")
    );

    assert!(text(&reply).contains("Sveiki"), "{reply}");
    assert_eq!(reply["parse_mode"], "HTML");
    let data = callbacks(&reply);
    for expected in ["ls", "gs", "cs", "sp", "rs", "lg", "ab", "h"] {
        assert!(data.contains(&expected.to_string()), "{data:?}");
    }
    assert_nothing_rejected(&h.api);
}

/// The language of a command menu, told by the description of /start.
fn menu_language(engine: &lidzdaliba_bot::engine::Engine, menu: &[Value]) -> Option<Lang> {
    let start = menu.iter().find(|c| c["command"] == "start")?;
    [Lang::Lv, Lang::En]
        .into_iter()
        .find(|lang| start["description"] == engine.string(*lang, "cmd_start"))
}

/// The menu a user sees (Telegram's choice among the registered lists, `FakeApi::menu_for`)
/// and the language of the replies agree for every Telegram language: Latvian for `lv`,
/// English for `en`, the default language (`DEFAULT_LANGUAGE`) for any other code and none.
#[tokio::test]
async fn the_command_menu_and_the_replies_agree_for_every_telegram_language() {
    for default in [Lang::Lv, Lang::En] {
        let h = Harness::new().await;
        let config = h.config_with(false, &[("DEFAULT_LANGUAGE", default.code().into())]);
        let (bot, engine, _) = h.start_with(config).await;
        h.api
            .wait_until(10, "both menus", |api| {
                api.ok_calls("setMyCommands").len() >= 2
            })
            .await;
        let other = if default == Lang::Lv {
            Lang::En
        } else {
            Lang::Lv
        };
        let codes: [(Option<&str>, Lang); 7] = [
            (Some("lv"), Lang::Lv),
            (Some("en"), Lang::En),
            (Some("en-GB"), Lang::En),
            (Some("de"), default),
            (Some("ru"), default),
            (Some("uk"), default),
            (None, default),
        ];
        for (i, (code, expected)) in codes.into_iter().enumerate() {
            let menu = h.api.menu_for(code);
            assert_eq!(menu.len(), 13, "{code:?}: the public commands");
            let shown = menu_language(&engine, &menu);
            let user = 7000 + i as i64;
            h.api.private_text(user, code, "/start");
            h.api
                .wait_until(10, "the welcome", |api| !api.sent_to(user).is_empty())
                .await;
            let reply = text(&h.api.sent_to(user)[0]).to_string();
            let welcome = |lang| render::to_plain(&render::escape(&engine.string(lang, "welcome")));
            let replied = [Lang::Lv, Lang::En]
                .into_iter()
                .find(|lang| reply == welcome(*lang));
            assert_eq!(
                (shown, replied),
                (Some(expected), Some(expected)),
                "default {default}, language_code {code:?}: menu in {shown:?}, reply in {replied:?}"
            );
        }
        // Two lists: the default language without a code, the other language with its code.
        let registered: Vec<Option<String>> = h
            .api
            .ok_calls("setMyCommands")
            .iter()
            .map(|b| b["language_code"].as_str().map(str::to_string))
            .collect();
        assert_eq!(registered, vec![None, Some(other.code().to_string())]);
        bot.stop().await;
        assert_nothing_rejected(&h.api);
    }
}

/// The profile (`setMyDescription`, `setMyShortDescription`) comes from ui.toml in Latvian
/// (no language code) and English (`en`), and is set again only where it changed.
#[tokio::test]
async fn the_bot_profile_is_set_from_the_content_and_only_when_it_changed() {
    let h = Harness::new().await;
    let (bot, engine, _) = h.start_with(h.config(false)).await;
    let sets = |api: &FakeApi| {
        api.ok_calls("setMyDescription").len() + api.ok_calls("setMyShortDescription").len()
    };
    h.api
        .wait_until(10, "the profile", |api| sets(api) == 4)
        .await;
    for (field, key) in [
        ("description", "bot_description"),
        ("short_description", "bot_short_description"),
    ] {
        assert_eq!(
            h.api.profile(field, None).as_deref(),
            Some(engine.string(Lang::Lv, key).as_str()),
            "{field} without a language code is Latvian"
        );
        assert_eq!(
            h.api.profile(field, Some("en")).as_deref(),
            Some(engine.string(Lang::En, key).as_str()),
            "{field} for en"
        );
    }
    assert!(
        engine.string(Lang::Lv, "bot_description").contains("jums"),
        "formal jūs"
    );
    bot.stop().await;

    // A restart with the same content reads the profile and changes nothing.
    let gets = |api: &FakeApi| {
        api.ok_calls("getMyDescription").len() + api.ok_calls("getMyShortDescription").len()
    };
    let bot = h.start(false).await;
    h.api
        .wait_until(10, "the profile read again", |api| gets(api) == 8)
        .await;
    h.ask("/help").await; // the profile goes out before the first answers settle
    bot.stop().await;
    assert_eq!(sets(&h.api), 4, "nothing set again");

    // The English description changes in the content: only it is set.
    crate::helpers::edit(
        &h.content,
        "ui.toml",
        "en = \"This bot helps you take part",
        "en = \"This bot helps you, in English, take part",
    );
    let (bot, engine, _) = h.start_with(h.config(false)).await;
    h.api
        .wait_until(10, "the changed description", |api| sets(api) == 5)
        .await;
    h.api
        .wait_until(10, "the profile read", |api| gets(api) == 12)
        .await;
    h.ask("/help").await;
    bot.stop().await;
    let last = h.api.ok_calls("setMyDescription").pop().unwrap();
    assert_eq!(last["language_code"], "en");
    assert!(
        engine
            .string(Lang::En, "bot_description")
            .contains("in English"),
    );
    assert_eq!(
        h.api.profile("description", Some("en")),
        Some(engine.string(Lang::En, "bot_description"))
    );
    assert_eq!(sets(&h.api), 5);
    assert_nothing_rejected(&h.api);
}

/// A token the Bot API refuses stops the runtime at once with an error that says so (and
/// does not show the token), in polling and in webhook mode: retrying cannot help.
#[tokio::test]
async fn a_refused_token_stops_the_bot_with_a_clear_error() {
    let h = Harness::new().await;
    let port = free_port();
    let webhook = [
        ("WEBHOOK_URL", format!("http://127.0.0.1:{port}/hook")),
        ("WEBHOOK_LISTEN", format!("127.0.0.1:{port}")),
    ];
    for extra in [&[][..], &webhook[..]] {
        let config = h.config_with(false, extra);
        let engine = app::build_engine(&config).await.unwrap();
        let mut settings = Settings::from_config(&config).unwrap();
        settings.token = lidzdaliba_bot::config::SecretString::from("4242:wrong-secret-part");
        let (_stop, stopped) = watch::channel(false);
        let result =
            tokio::time::timeout(Duration::from_secs(10), bot::run(settings, engine, stopped))
                .await
                .expect("the bot gives up at once");
        let err = result.expect_err("a refused token is an error");
        assert!(matches!(err, RunError::Unauthorized(_)), "{err:?}");
        let shown = err.to_string();
        assert!(shown.contains("TELOXIDE_TOKEN"), "{shown}");
        assert!(!shown.contains("wrong-secret-part"), "{shown}");
    }
    assert!(h.api.ok_calls("sendMessage").is_empty());
}

#[tokio::test]
async fn lessons_list_has_ten_lessons_and_a_lesson_button_edits_in_place() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let list = h.ask("/lessons").await;
    let lessons: Vec<String> = callbacks(&list)
        .into_iter()
        .filter(|d| d.starts_with("l:"))
        .collect();
    assert_eq!(
        lessons,
        (1..=10).map(|n| format!("l:{n}")).collect::<Vec<_>>()
    );

    let message_id = h.api.ok_calls("sendMessage").len() as i64; // ids count from 1
    let (_, query) = h.api.press(USER, message_id, "l:3");
    h.api
        .wait_until(10, "the edited lesson", |api| {
            !api.ok_calls("editMessageText").is_empty()
        })
        .await;
    bot.stop().await;

    let answers = h.api.ok_calls("answerCallbackQuery");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0]["callback_query_id"], query);
    let edit = &h.api.ok_calls("editMessageText")[0];
    assert_eq!(edit["message_id"], message_id);
    assert_eq!(edit["chat_id"], USER);
    assert!(text(edit).contains("3. nodarbība: Izglītība"), "{edit}");
    assert_eq!(
        h.api.sent_to(USER).len(),
        1,
        "a button edits, it does not send"
    );
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn contact_finds_the_health_ministry_however_it_is_written() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    for query in [
        "veselība",
        "veseliba",
        "VESELĪBAS",
        "veslība",
        "VM",
        "health",
    ] {
        let reply = h.ask(&format!("/contact {query}")).await;
        assert!(
            text(&reply).contains("Veselības ministrija (VM)"),
            "{query}: {}",
            text(&reply)
        );
    }
    // Free text in a private chat is a lookup too.
    let reply = h.ask("veselības").await;
    assert!(text(&reply).contains("Veselības ministrija (VM)"));
    bot.stop().await;
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn in_groups_only_commands_addressed_to_this_bot_are_answered() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let group = -100_777;
    h.api.group_text(USER, group, "/contact@otherbot izglītība");
    h.api.group_text(USER, group, "veselība");
    h.api
        .group_text(USER, group, &format!("/contact@{BOT_USERNAME} izglītība"));
    h.api
        .wait_until(10, "the group reply", |api| !api.sent_to(group).is_empty())
        .await;
    // A sentinel after them: once it is answered, the earlier ones had their turn.
    h.api
        .group_text(USER, group, &format!("/help@{BOT_USERNAME}"));
    h.api
        .wait_until(10, "the sentinel", |api| api.sent_to(group).len() >= 2)
        .await;
    bot.stop().await;

    let sent = h.api.sent_to(group);
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert!(text(&sent[0]).contains("Izglītības un zinātnes ministrija (IZM)"));
    assert!(text(&sent[1]).contains("/lessons"));
    assert!(h.api.sent_to(USER).is_empty());
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn forged_callback_data_is_answered_with_a_toast_and_edits_nothing() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    let message_id = 1;
    let (_, forged) = h.api.press(USER, message_id, "c:../../etc/passwd");
    let (_, stale) = h.api.press(USER, message_id, "x:999");
    // A real button after them: once its edit is made, the forged ones had their turn.
    h.api.press(USER, message_id, "ls");
    h.api
        .wait_until(10, "three answers and the lessons", |api| {
            api.ok_calls("answerCallbackQuery").len() == 3
                && !api.ok_calls("editMessageText").is_empty()
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    bot.stop().await;

    let answered: Vec<Value> = h.api.ok_calls("answerCallbackQuery");
    assert_eq!(answered[0]["callback_query_id"], forged);
    assert_eq!(answered[1]["callback_query_id"], stale);
    for toast in &answered[..2] {
        assert_eq!(toast["text"], "Šī poga vairs nav aktuāla.", "{toast}");
    }
    assert!(answered[2].get("text").is_none(), "{}", answered[2]);
    let edits = h.api.all_calls("editMessageText");
    assert_eq!(edits.len(), 1, "only the real button edits: {edits:?}");
    assert!(
        !text(&edits[0].body).contains("vairs nav aktuāla"),
        "{:?}",
        edits[0]
    );
    assert_eq!(h.api.sent_to(USER).len(), 1, "no new message either");
    assert_nothing_rejected(&h.api);
}

/// Forged data (`garbage`, `lesson:999`, 64 × `x`, none) pressed on the `/start` menu, all
/// before the bot answers the first, and again later: every press is answered with a toast
/// that says the button is no longer valid, and the menu is neither edited nor sent anew.
#[tokio::test]
async fn forged_callbacks_on_the_start_menu_get_a_toast_and_edit_nothing() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    let message_id = 1;
    let x64 = "x".repeat(64);
    let presses = [
        h.api.press(USER, message_id, "garbage").1,
        h.api.press(USER, message_id, "lesson:999").1,
        h.api.press(USER, message_id, &x64).1,
        h.api.press_without_data(USER, message_id).1,
    ];
    h.api
        .wait_until(10, "four answers", |api| {
            api.ok_calls("answerCallbackQuery").len() == 4
        })
        .await;
    // Once more, on the message as it is now.
    for data in ["garbage", "lesson:999", x64.as_str()] {
        h.api.press(USER, message_id, data);
    }
    h.api.press_without_data(USER, message_id);
    h.api
        .wait_until(10, "eight answers", |api| {
            api.ok_calls("answerCallbackQuery").len() == 8
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    bot.stop().await;

    let acknowledged: Vec<Value> = h.api.ok_calls("answerCallbackQuery");
    for (i, id) in presses.iter().enumerate() {
        assert_eq!(acknowledged[i]["callback_query_id"], *id.as_str());
    }
    for ack in &acknowledged {
        assert_eq!(ack["text"], "Šī poga vairs nav aktuāla.", "{ack}");
    }
    let edits = h.api.all_calls("editMessageText");
    assert!(edits.is_empty(), "no edit at all: {edits:#?}");
    assert_eq!(h.api.sent_to(USER).len(), 1, "no new message either");
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn a_4096_character_message_gets_a_polite_valid_answer() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let long = "ā".repeat(4096);
    let reply = h.ask(&long).await;
    let html = "<b>x</b>&amp;<script>".repeat(300);
    let reply2 = h.ask(&html).await;
    bot.stop().await;
    assert!(text(&reply).contains("neatradu"), "{}", text(&reply));
    assert!(text(&reply).chars().count() < 1000);
    assert!(
        text(&reply2).contains("&lt;script&gt;"),
        "user text is escaped"
    );
    assert_nothing_rejected(&h.api);
}

#[tokio::test]
async fn stickers_get_a_hint_and_other_updates_are_ignored() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.api.edited_message(USER, "/start");
    h.api.channel_post("/start");
    h.api.private_sticker(USER);
    h.api
        .wait_until(10, "the hint", |api| !api.sent_to(USER).is_empty())
        .await;
    let after = h.ask("/help").await;
    bot.stop().await;
    let sent = h.api.sent_to(USER);
    assert_eq!(
        sent.len(),
        2,
        "only the sticker and /help are answered: {sent:#?}"
    );
    assert!(text(&sent[0]).contains("/help"));
    assert!(text(&after).contains("/lessons"));
    assert!(h.api.sent_to(-1009999).is_empty());
}

#[tokio::test]
async fn a_429_on_send_message_is_waited_out_and_the_reply_arrives() {
    let h = Harness::new().await;
    let bot = h.start(true).await; // the default: Throttle on
    h.ask("/start").await; // connected and polling
    h.api.fail_next("sendMessage", Fault::RetryAfter(1));
    let started = std::time::Instant::now();
    let reply = h.ask("/help").await;
    let waited = started.elapsed();
    bot.stop().await;
    assert!(text(&reply).contains("/lessons"));
    let tries = h.api.all_calls("sendMessage");
    assert_eq!(tries.iter().filter(|c| c.status == 429).count(), 1);
    assert_eq!(tries.iter().filter(|c| c.status == 200).count(), 2);
    assert!(
        waited >= Duration::from_millis(900),
        "retry_after was obeyed: {waited:?}"
    );
}

/// With `BOT_THROTTLE` on (the default), a chat gets at most one message a second and the
/// others are not held up by it.
#[tokio::test]
async fn throttle_spaces_messages_to_one_chat_without_holding_up_others() {
    let h = Harness::new().await;
    let bot = h.start(true).await;
    h.ask("/start").await; // connected and polling
    let (busy, other) = (USER + 100, USER + 101);
    let started = std::time::Instant::now();
    for text in ["/help", "/about", "/privacy"] {
        h.api.private_text(busy, Some("lv"), text);
    }
    h.api.private_text(other, Some("lv"), "/help");
    h.api
        .wait_until(10, "the other chat's reply", |api| {
            api.sent_to(other).len() == 1
        })
        .await;
    let other_took = started.elapsed();
    h.api
        .wait_until(10, "three replies to the busy chat", |api| {
            api.sent_to(busy).len() == 3
        })
        .await;
    let busy_took = started.elapsed();
    bot.stop().await;
    assert!(other_took < Duration::from_millis(900), "{other_took:?}");
    assert!(busy_took >= Duration::from_millis(1900), "{busy_took:?}");
    assert!(busy_took < Duration::from_secs(5), "{busy_took:?}");
}

#[tokio::test]
async fn get_updates_recovers_from_5xx_and_malformed_json() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    h.api.fail_next(
        "getUpdates",
        Fault::Status(502, "<html><h1>502 Bad Gateway</h1></html>"),
    );
    h.api.fail_next(
        "getUpdates",
        Fault::Status(500, "<html>Internal Server Error</html>"),
    );
    h.api.fail_next("getUpdates", Fault::MalformedJson);
    let started = std::time::Instant::now();
    let reply = h.ask("/about").await;
    let took = started.elapsed();
    bot.stop().await;
    assert!(text(&reply).contains("Par botu"));
    let statuses: Vec<u16> = h
        .api
        .all_calls("getUpdates")
        .iter()
        .map(|c| c.status)
        .collect();
    assert!(statuses.contains(&502) && statuses.contains(&500) && statuses.contains(&299));
    assert!(took < Duration::from_secs(5), "recovered in {took:?}");
    assert_eq!(h.api.sent_to(USER).len(), 2, "each update answered once");
}

#[tokio::test]
async fn language_choice_survives_a_restart() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let set = h.ask("/language en").await;
    assert!(text(&set).contains("answer in English"), "{}", text(&set));
    bot.stop().await;

    let bot = h.start(false).await;
    let reply = h.ask("/start").await;
    bot.stop().await;
    assert!(text(&reply).contains("Hello!"), "{}", text(&reply));
}

#[tokio::test]
async fn sigterm_stops_the_binary_gracefully_and_a_restart_answers_nothing_twice() {
    let h = Harness::new().await;
    let log = h.content.with_file_name("sigterm.log");
    let child = h.spawn_binary(&[], &log);
    let first = h.api.private_text(USER, Some("lv"), "/start");
    h.api
        .wait_until(30, "the first reply", |api| api.sent_to(USER).len() == 1)
        .await;
    // An update handed out just before SIGTERM is still answered before the exit.
    let second = h.api.private_text(USER, Some("lv"), "/help");
    h.api
        .wait_until(10, "the second update handed out", |api| {
            api.times_handed_out(second) > 0
        })
        .await;
    signal(&child, "TERM");
    let status = wait_exit(child, 15).await;
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "exit status {status:?}\n{log}");
    assert!(log.contains("update offset confirmed"), "{log}");
    assert!(!log.contains(TOKEN), "the token never appears in the log");
    assert!(
        !log.contains("/help"),
        "message texts are not logged at info"
    );
    assert_eq!(
        h.api.sent_to(USER).len(),
        2,
        "both updates answered before the exit"
    );
    assert!(h.api.confirmed() > second);

    let child = h.spawn_binary(&[], &h.content.with_file_name("restart.log"));
    let third = h.api.private_text(USER, Some("lv"), "/about");
    h.api
        .wait_until(30, "the reply after the restart", |api| {
            api.sent_to(USER).len() >= 3
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&child, "TERM");
    assert!(wait_exit(child, 15).await.success());
    let sent = h.api.sent_to(USER);
    assert_eq!(sent.len(), 3, "nothing answered twice: {sent:#?}");
    assert_eq!(h.api.times_handed_out(first), 1);
    assert_eq!(h.api.times_handed_out(third), 1);
    assert!(text(&sent[2]).contains("Par botu"));
}

#[tokio::test]
async fn inline_queries_are_answered_with_valid_shareable_cards() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    h.api.inline_query(USER, "lv", "veselība");
    h.api.inline_query(USER, "en", "");
    h.api.inline_query(USER, "lv", "\"NEAR(* -");
    h.api
        .wait_until(10, "three inline answers", |api| {
            api.all_calls("answerInlineQuery").len() == 3
        })
        .await;
    // A card's Share button carries its own payload as the inline query.
    h.api.private_text(USER, Some("lv"), "/contact VM");
    h.api
        .wait_until(10, "the card", |api| api.sent_to(USER).len() == 2)
        .await;
    bot.stop().await;

    let answers = h.api.ok_calls("answerInlineQuery");
    assert_eq!(answers.len(), 3, "all accepted by the fake Bot API");
    let first = answers[0]["results"].as_array().unwrap();
    assert_eq!(first[0]["id"], "a-veseliba");
    let text = first[0]["input_message_content"]["message_text"]
        .as_str()
        .unwrap();
    assert!(text.contains("Veselības ministrija (VM)") && text.contains("TAP"));
    let open = &first[0]["reply_markup"]["inline_keyboard"][0][0]["url"];
    assert_eq!(
        open,
        &format!("https://t.me/{BOT_USERNAME}?start=a-veseliba")
    );
    assert_eq!(answers[1]["results"].as_array().unwrap().len(), 25);
    assert_eq!(answers[0]["is_personal"], true);
    let card = &h.api.sent_to(USER)[1];
    let share: Vec<&Value> = card["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .filter(|b| b.get("switch_inline_query").is_some())
        .collect();
    assert_eq!(share.len(), 1);
    assert_eq!(share[0]["switch_inline_query"], "c-vm");
    assert_nothing_rejected(&h.api);
}

/// A user who blocked the bot (403) is tried once for their update, never again, and a few of
/// them at once do not count as an outage: the others are answered at once.
#[tokio::test]
async fn a_user_who_blocked_the_bot_is_tried_once_and_holds_up_no_one() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    let blocked: Vec<i64> = (0..5).map(|k| 7_000 + k).collect();
    for user in &blocked {
        h.api.fail_next_for(
            "sendMessage",
            *user,
            Fault::Telegram(403, "Forbidden: bot was blocked by the user"),
        );
        h.api.private_text(*user, Some("lv"), "/help");
    }
    let started = std::time::Instant::now();
    let reply = h.ask("/about").await;
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.stop().await;
    assert!(text(&reply).contains("Par botu"));
    assert!(took < Duration::from_secs(1), "answered after {took:?}");
    for user in &blocked {
        let calls: Vec<u16> = h
            .api
            .all_calls("sendMessage")
            .iter()
            .filter(|c| c.body["chat_id"] == *user)
            .map(|c| c.status)
            .collect();
        assert_eq!(calls, vec![403], "user {user}");
    }
    assert!(h.inbox().await.is_empty(), "their updates are done");
}

/// `/healthz` of the real binary answers 200 from the moment it listens, within a second of
/// the start, and is never 503 on the way: `starting` until the Bot API answers, then `ok`.
#[tokio::test]
async fn healthz_is_200_within_a_second_of_a_start() {
    let h = Harness::new().await;
    // A first run imports the content; the start measured is a restart, as after a deploy.
    let port = free_port();
    let env = [("HEALTH_LISTEN", format!("127.0.0.1:{port}"))];
    let child = h.spawn_binary(&env, &h.content.with_file_name("first.log"));
    h.ask("/start").await;
    signal(&child, "TERM");
    assert!(wait_exit(child, 15).await.success());

    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let started = std::time::Instant::now();
    let child = h.spawn_binary(&env, &h.content.with_file_name("second.log"));
    let mut answers = Vec::new();
    while started.elapsed() < Duration::from_secs(3) {
        if let Ok(response) = client.get(&url).send().await {
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            answers.push((started.elapsed(), status, body["status"].clone()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    signal(&child, "TERM");
    assert!(wait_exit(child, 15).await.success());
    let (first, _, _) = answers.first().expect("/healthz answered");
    assert!(
        *first < Duration::from_secs(1),
        "first answer after {first:?}"
    );
    assert!(
        answers.iter().all(|(_, status, _)| *status == 200),
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|(_, _, status)| status == "starting" || status == "ok"),
        "{answers:?}"
    );
    assert_eq!(answers.last().unwrap().2, "ok", "{answers:?}");
}

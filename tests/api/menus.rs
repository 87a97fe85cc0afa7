//! Every menu the bot can show, walked from /start and the commands in both languages; stale
//! and forged buttons; the choice of language.

use std::collections::{BTreeSet, HashSet, VecDeque};

use lidzdaliba_bot::engine::{Action, Input, Reply};
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::render::{bold, escape};

use crate::helpers::{TestApp, actions, assert_sendable, input_for, spawn_engine};

const COMMANDS: &[&str] = &[
    "/start",
    "/help",
    "/lessons",
    "/guidelines",
    "/contact",
    "/specialists",
    "/resources",
    "/language",
    "/about",
    // With arguments, Latvian aliases and an unknown command.
    "/lessons 6",
    "/nodarbibas veselība",
    "/guidelines 2",
    "/vadlinijas nonexistent",
    "/kontakts izglītība",
    "/language xx",
    "/sakt",
    "/nope",
];

/// What the walk saw in one language.
#[derive(Default)]
struct Seen {
    screens: usize,
    lessons: BTreeSet<u8>,
    sections: BTreeSet<String>,
    ministries: BTreeSet<String>,
    areas: BTreeSet<String>,
}

fn code(lang: Lang) -> &'static str {
    lang.code()
}

/// Sends every command and presses every button reachable from their replies, each as a new
/// user whose Telegram language is `lang` (so a language button pressed on the way does not
/// change what later requests see). Checks every reply, and that each lesson, section and
/// ministry button opens that very screen.
async fn walk(app: &TestApp, lang: Lang) -> Seen {
    let mut seen = Seen::default();
    let mut queue: VecDeque<Action> = VecDeque::new();
    let mut queued: HashSet<String> = HashSet::new();
    let mut enqueue = |reply: &Reply, queue: &mut VecDeque<Action>| {
        for action in actions(reply) {
            if queued.insert(action.encode()) {
                queue.push_back(action);
            }
        }
    };
    for command in COMMANDS {
        let reply = app
            .request(app.fresh_user(), Some(code(lang)), input_for(command))
            .await
            .unwrap_or_else(|| panic!("no reply to {command}"));
        let context = format!("{lang}: {command}");
        assert_sendable(&reply, &context);
        assert_eq!(reply.lang, lang, "{context}");
        assert!(!reply.edit, "{context}: a command must not edit");
        seen.screens += 1;
        enqueue(&reply, &mut queue);
    }
    while let Some(action) = queue.pop_front() {
        let reply = app
            .press_as(app.fresh_user(), Some(code(lang)), &action)
            .await;
        let context = format!("{lang}: button {}", action.encode());
        assert_sendable(&reply, &context);
        assert!(reply.edit, "{context}: a button edits its message");
        if !matches!(action, Action::SetLanguage(_)) {
            assert_eq!(reply.lang, lang, "{context}");
        }
        seen.screens += 1;
        check_screen(app, &action, &reply, &mut seen, &context).await;
        enqueue(&reply, &mut queue);
    }
    seen
}

/// Asserts that a lesson, section, ministry or area button opened its own screen.
async fn check_screen(app: &TestApp, action: &Action, reply: &Reply, seen: &mut Seen, ctx: &str) {
    let lang = reply.lang;
    match action {
        Action::Lesson(n) => {
            let lesson = app.store.lessons(Some(*n)).await.unwrap().pop();
            let lesson = lesson.unwrap_or_else(|| panic!("{ctx}: a button to a missing lesson"));
            let title = app
                .engine
                .string(lang, "lesson_title")
                .replace("{number}", &n.to_string())
                .replace("{title}", lesson.title.get(lang));
            assert!(
                reply.text.starts_with(&bold(&title)),
                "{ctx}: {}",
                reply.text
            );
            assert!(
                reply.text.contains(&escape(lesson.learn.get(lang))),
                "{ctx}: the lesson text is missing"
            );
            assert!(
                actions(reply).contains(&Action::Lessons),
                "{ctx}: no way back"
            );
            seen.lessons.insert(*n);
        }
        Action::Section(id) => {
            let section = app.store.sections("section", Some(id)).await.unwrap().pop();
            let section = section.unwrap_or_else(|| panic!("{ctx}: a button to a missing section"));
            assert!(
                reply.text.starts_with(&bold(section.title.get(lang))),
                "{ctx}: {}",
                reply.text
            );
            assert!(
                actions(reply).contains(&Action::Guidelines),
                "{ctx}: no way back"
            );
            seen.sections.insert(id.clone());
        }
        Action::Ministry(id) => {
            let m = app.store.ministry(id).await.unwrap();
            let m = m.unwrap_or_else(|| panic!("{ctx}: a button to a missing ministry"));
            let heading = bold(&format!("{} ({})", m.name.get(lang), m.abbr));
            assert!(reply.text.starts_with(&heading), "{ctx}: {}", reply.text);
            assert!(
                actions(reply).contains(&Action::Contacts),
                "{ctx}: no way back"
            );
            seen.ministries.insert(id.clone());
        }
        Action::Area(id) => {
            let m = app
                .ministries()
                .await
                .into_iter()
                .find(|m| m.areas.iter().any(|a| &a.id == id))
                .unwrap_or_else(|| panic!("{ctx}: a button to a missing area"));
            let area = m.areas.iter().find(|a| &a.id == id).unwrap().clone();
            let heading = bold(&format!("{} ({})", m.name.get(lang), m.abbr));
            let led = app
                .engine
                .string(lang, "area_led_by")
                .replace("{area}", area.name.get(lang));
            assert!(
                reply
                    .text
                    .starts_with(&format!("{}\n{heading}", escape(&led))),
                "{ctx}: {}",
                reply.text
            );
            seen.areas.insert(id.clone());
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_menu_in_both_languages_is_valid_and_complete() {
    let app = spawn_engine().await;
    let lessons: BTreeSet<u8> = app
        .store
        .lessons(None)
        .await
        .unwrap()
        .iter()
        .map(|l| l.number)
        .collect();
    let sections: BTreeSet<String> = app
        .store
        .sections("section", None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    let ministries: BTreeSet<String> = app.ministries().await.into_iter().map(|m| m.id).collect();
    assert_eq!(lessons, (1..=10).collect());
    assert_eq!(sections.len(), 10);
    assert_eq!(ministries.len(), 15);

    for lang in [Lang::Lv, Lang::En] {
        let seen = walk(&app, lang).await;
        assert_eq!(seen.lessons, lessons, "{lang}: lessons reached");
        assert_eq!(
            seen.sections, sections,
            "{lang}: guideline sections reached"
        );
        assert_eq!(
            seen.ministries, ministries,
            "{lang}: ministry cards reached"
        );
        // Each lesson's "contact" button opens its area's card.
        assert_eq!(
            seen.areas.len(),
            10,
            "{lang}: areas reached {:?}",
            seen.areas
        );
        // Commands, the fixed menus, 10 lessons, 10 sections, 15 cards, 10 areas at least.
        assert!(
            seen.screens >= COMMANDS.len() + 10 + 10 + 10 + 15 + 10,
            "{lang}: only {} screens",
            seen.screens
        );
    }
}

#[tokio::test]
async fn forged_and_stale_buttons_give_a_fresh_menu_never_a_panic() {
    let app = spawn_engine().await;
    let main = app.ask("/start").await;
    let lessons = app.ask("/lessons").await;
    let contacts = app.ask("/contact").await;
    let guidelines = app.ask("/guidelines").await;
    let stale = app.ui(Lang::Lv, "stale_button");

    let long = "l:".repeat(100);
    let cases: Vec<(&str, &Reply)> = vec![
        ("zzz", &main),
        ("", &main),
        ("\u{0}", &main),
        ("m:extra", &main),
        ("c:VM", &main),
        ("c:../../etc/passwd", &main),
        ("l:999", &main),
        ("lg:de", &main),
        ("🙂", &main),
        (&long, &main),
        ("c:nonexistent", &contacts),
        ("a:nonexistent", &contacts),
        ("l:77", &lessons),
        ("l:0", &lessons),
        ("g:nonexistent", &guidelines),
    ];
    for (data, expected) in cases {
        let reply = app.press(data).await;
        assert_sendable(&reply, &format!("button {data:?}"));
        assert!(reply.edit, "{data:?}");
        assert_eq!(
            actions(&reply),
            actions(expected),
            "button {data:?} should show a fresh menu"
        );
        if std::ptr::eq(expected, &main) {
            assert!(reply.text.starts_with(&stale), "{data:?}: {}", reply.text);
            assert!(reply.text.ends_with(&main.text), "{data:?}");
        }
    }
}

#[tokio::test]
async fn the_telegram_language_decides_until_the_user_chooses() {
    let app = spawn_engine().await;
    let welcome_lv = app.ui(Lang::Lv, "welcome");
    let welcome_en = app.ui(Lang::En, "welcome");
    assert_ne!(welcome_lv, welcome_en);
    for (code, lang) in [
        (Some("en"), Lang::En),
        (Some("lv"), Lang::Lv),
        (None, Lang::Lv),
        (Some("lv-LV"), Lang::Lv),
        (Some("de"), Lang::En),
    ] {
        let reply = app.ask_as(app.fresh_user(), code, "/start").await;
        assert_eq!(reply.lang, lang, "language_code {code:?}");
        let welcome = if lang == Lang::En {
            &welcome_en
        } else {
            &welcome_lv
        };
        assert_eq!(&reply.text, welcome, "language_code {code:?}");
    }
}

#[tokio::test]
async fn a_chosen_language_is_kept_for_the_user() {
    let mut app = spawn_engine().await;
    app.language_code = Some("lv".into());
    let reply = app.ask("/language en").await;
    assert_eq!(reply.lang, Lang::En);
    assert!(reply.text.starts_with(&app.ui(Lang::En, "language_set")));

    let reply = app.ask("/start").await;
    assert_eq!(reply.lang, Lang::En);
    assert_eq!(reply.text, app.ui(Lang::En, "welcome"));
    let reply = app.ask("/contact veselība").await;
    assert!(
        reply.text.contains("<b>Ministry of Health (VM)</b>"),
        "{}",
        reply.text
    );

    // Another user is not affected.
    let other = app.ask_as(app.fresh_user(), Some("lv"), "/start").await;
    assert_eq!(other.lang, Lang::Lv);

    // Back to Latvian with the button, even though Telegram says English.
    app.language_code = Some("en".into());
    let reply = app.press(&Action::SetLanguage(Lang::Lv)).await;
    assert_eq!(reply.lang, Lang::Lv);
    assert!(reply.text.starts_with(&app.ui(Lang::Lv, "language_set")));
    let reply = app.ask("/start").await;
    assert_eq!(reply.lang, Lang::Lv);
    assert_eq!(reply.text, app.ui(Lang::Lv, "welcome"));
}

#[tokio::test]
async fn non_text_gets_a_hint_in_private_chats() {
    let app = spawn_engine().await;
    let reply = app
        .request(app.fresh_user(), None, Input::NotText)
        .await
        .expect("a hint for a sticker");
    assert_sendable(&reply, "not text");
    assert_eq!(reply.text, app.ui(Lang::Lv, "only_text"));
    assert_eq!(actions(&reply), vec![Action::Main]);
}

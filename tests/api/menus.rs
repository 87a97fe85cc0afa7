//! Every menu the bot can show, walked from /start and the commands in both languages; stale
//! and forged buttons; the choice of language.

use std::collections::{BTreeSet, HashSet, VecDeque};

use lidzdaliba_bot::content::ContactKind;
use lidzdaliba_bot::engine::{Action, Button, Input, Placement, Reply};
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::render::{bold, escape, rich};

use crate::helpers::{
    TestApp, actions, append_ministry, assert_sendable, edit, input_for, spawn_engine,
};

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
        assert_eq!(
            reply.placement,
            Placement::New,
            "{context}: a command must not edit"
        );
        seen.screens += 1;
        enqueue(&reply, &mut queue);
    }
    while let Some(action) = queue.pop_front() {
        let reply = app
            .press_as(app.fresh_user(), Some(code(lang)), &action)
            .await;
        let context = format!("{lang}: button {}", action.encode());
        assert_sendable(&reply, &context);
        if let Action::Report(_) = action {
            // 🚩 asks for the report in a message of its own under the card.
            assert_eq!(
                reply.placement,
                Placement::ForceReply,
                "{context}: the card stays"
            );
            assert!(reply.buttons.is_empty(), "{context}");
        } else {
            assert_eq!(
                reply.placement,
                Placement::Edit,
                "{context}: a button edits its message"
            );
        }
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
                reply.text.contains(&rich(lesson.learn.get(lang))),
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
async fn forged_buttons_get_a_toast_and_stale_items_a_fresh_list_never_a_panic() {
    let app = spawn_engine().await;
    let main = app.ask("/start").await;
    let lessons = app.ask("/lessons").await;
    let contacts = app.ask("/contact").await;
    let guidelines = app.ask("/guidelines").await;
    let stale = app.ui(Lang::Lv, "stale_button");
    let toast = app.ui(Lang::Lv, "stale_toast");
    assert!(!toast.is_empty() && toast.chars().count() <= 200, "{toast}");

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
        if std::ptr::eq(expected, &main) {
            // Data this version never made: a toast, and the message stays as it is.
            assert_eq!(reply.placement, Placement::Toast, "{data:?}");
            assert_eq!(reply.text, toast, "{data:?}");
            assert!(reply.buttons.is_empty(), "{data:?}");
            continue;
        }
        assert_sendable(&reply, &format!("button {data:?}"));
        assert_eq!(reply.placement, Placement::Edit, "{data:?}");
        assert_eq!(
            actions(&reply),
            actions(expected),
            "button {data:?} should show a fresh menu"
        );
        assert!(!reply.text.starts_with(&stale), "{data:?}: {}", reply.text);
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
        // Neither Latvian nor English: the default language, like the command menu that
        // Telegram shows them (see `telegram::the_command_menu_and_the_replies_agree_...`).
        (Some("de"), Lang::Lv),
        (Some("en-GB"), Lang::En),
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

// ---- contact cards (content schema v2) ---------------------------------------------------

/// The engine over a copy of the content with the tests' own ministry `zz_test` appended
/// (see `helpers::append_ministry`), with `participation_page` if given.
async fn with_test_ministry(contacts: &str, participation_page: Option<&str>) -> TestApp {
    let app = spawn_engine().await;
    append_ministry(
        &app.content_dir,
        "sources = [\"https://likumi.lv/ta/id/1\"]\n",
        contacts,
    );
    if let Some(page) = participation_page {
        edit(
            &app.content_dir,
            "ministries.toml",
            "sources = [\"https://www.example.gov.lv/par\"]",
            &format!(
                "participation_page = \"{page}\"\nsources = [\"https://www.example.gov.lv/par\"]"
            ),
        );
    }
    lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.engine.reload().await.unwrap();
    app
}

/// The position of `needle` in `text`, which must hold it.
#[track_caller]
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in\n{text}"))
}

/// The part of a card's HTML before its folded quote, and the folded quote.
#[track_caller]
fn shown_and_folded(text: &str) -> (&str, &str) {
    let at = at(text, "<blockquote expandable>");
    (&text[..at], &text[at..])
}

#[tokio::test]
async fn a_card_without_a_designated_contact_gives_what_there_is_and_where_to_look_once() {
    let page = "https://www.example.gov.lv/lv/lidzdaliba";
    let mut app = with_test_ministry(
        "kind = \"general\"\nemail = \"pasts@example.gov.lv\"\n\
         source = \"https://www.example.gov.lv/kontakti\"\nsource_date = \"2020-09-15\"\n",
        Some(page),
    )
    .await;
    for (lang, code, page_date) in [
        (Lang::Lv, "lv", "lapa atjaunota 2020. gada 15. septembrī"),
        (Lang::En, "en", "page updated 15 September 2020"),
    ] {
        app.language_code = Some(code.into());
        let reply = app.press(&Action::Ministry("zz_test".into())).await;
        assert_sendable(&reply, "zz_test card");
        let (shown, folded) = shown_and_folded(&reply.text);
        // Shown, in this order: the general contact, labelled as such; the participation
        // page by its host; once, where to look for the designated contact; the next step.
        let where_to_look = rich(&app.ui(lang, "no_ngo_contact"));
        let order = [
            at(shown, &bold(&app.ui(lang, "general_contact"))),
            at(shown, "pasts@example.gov.lv"),
            at(shown, &format!("<a href=\"{page}\">example.gov.lv")),
            at(shown, &where_to_look),
            at(shown, &bold(&app.ui(lang, "next_step_heading"))),
        ];
        assert!(order.is_sorted(), "{order:?}\n{shown}");
        assert_eq!(reply.text.matches(&where_to_look).count(), 1, "{shown}");
        // Sources and dates are folded; the Memorandum's mailbox is no general fallback.
        assert!(!shown.contains(page_date), "{shown}");
        assert!(folded.contains(page_date), "{folded}");
        assert!(folded.contains(&escape(&app.ui(lang, "ngo_contact_statement"))));
        assert!(!reply.text.contains("nvo@mk.gov.lv"), "{}", reply.text);
        let verified = app.ui(lang, "verified_on").replace("{date}", "");
        assert_eq!(shown_verifications(&reply.text, verified.trim()), 0);
        // The address is a copy button too.
        assert!(reply.buttons.iter().flatten().any(|b| matches!(
            b,
            Button::Copy { text, .. } if text == "pasts@example.gov.lv"
        )));
    }
}

#[tokio::test]
async fn a_card_with_a_designated_contact_shows_it_first_and_a_verification_only_when_made() {
    let verified = lidzdaliba_bot::clock::day(10);
    let app = with_test_ministry(
        &format!(
            "kind = \"general\"\nemail = \"pasts@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/kontakti\"\n\
             \n[[ministry.contact]]\nkind = \"ngo\"\nunit.lv = \"Testa nodaļa\"\n\
             unit.en = \"Test unit\"\nemail = \"nodala@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/lidzdaliba\"\n\
             \n[[ministry.contact]]\nkind = \"ngo\"\nname = \"Testa Persona\"\n\
             email = \"persona@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/lidzdaliba\"\nverified = \"{verified}\"\n"
        ),
        None,
    )
    .await;
    let reply = app.press(&Action::Ministry("zz_test".into())).await;
    let (shown, folded) = shown_and_folded(&reply.text);
    // The named person first, then the unit, then the general contact.
    let order = [
        at(shown, &bold(&app.ui(Lang::Lv, "contacts_heading"))),
        at(shown, "<b>Testa Persona</b>"),
        at(shown, "Testa nodaļa"),
        at(shown, &bold(&app.ui(Lang::Lv, "general_contact"))),
        at(shown, "pasts@example.gov.lv"),
    ];
    assert!(order.is_sorted(), "{order:?}\n{shown}");
    // One verification was made, on the person: it is folded with its page, once.
    let (y, rest) = verified.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    let months = [
        "janvārī",
        "februārī",
        "martā",
        "aprīlī",
        "maijā",
        "jūnijā",
        "jūlijā",
        "augustā",
        "septembrī",
        "oktobrī",
        "novembrī",
        "decembrī",
    ];
    let month = months[m.parse::<usize>().unwrap() - 1];
    let day: u8 = d.parse().unwrap();
    let when = format!("pārbaudīts {y}. gada {day}. {month}");
    assert_eq!(folded.matches(&when).count(), 1, "{folded}");
    assert_eq!(
        reply.text.matches("pārbaudīts").count(),
        1,
        "{}",
        reply.text
    );
    assert!(
        !reply
            .text
            .contains(&rich(&app.ui(Lang::Lv, "no_ngo_contact")))
    );

    // The area card says, folded, what puts the area with this ministry.
    let reply = app.press(&Action::Area("zz_area".into())).await;
    let line = format!(
        "{}: <a href=\"https://likumi.lv/ta/id/1\">likumi.lv</a>",
        bold(&app.ui(Lang::Lv, "area_sources"))
    );
    let (_, folded) = shown_and_folded(&reply.text);
    assert!(folded.contains(&line), "{}", reply.text);
}

/// How often `word` ("pārbaudīts", "verified") is followed by a date in `text`.
fn shown_verifications(text: &str, word: &str) -> usize {
    text.match_indices(&format!("{word} "))
        .filter(|(at, w)| {
            text[at + w.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
        })
        .count()
}

/// Over the real content: a card says "no designated contact" exactly when the ministry has no
/// "ngo" contact, and shows a verification only where the content has one.
#[tokio::test]
async fn every_real_card_is_honest_about_contacts_and_verification() {
    let mut app = spawn_engine().await;
    let ministries = app.ministries().await;
    for (lang, code) in [(Lang::Lv, "lv"), (Lang::En, "en")] {
        app.language_code = Some(code.into());
        let none = rich(&app.ui(lang, "no_ngo_contact"));
        let verified = app.ui(lang, "verified_on").replace("{date}", "");
        let verified = verified.trim();
        for m in &ministries {
            let reply = app.press(&Action::Ministry(m.id.clone())).await;
            let has_ngo = m.contacts.iter().any(|c| c.kind == ContactKind::Ngo);
            assert_eq!(
                reply.text.contains(&none),
                !has_ngo,
                "{}\n{}",
                m.id,
                reply.text
            );
            let made = m.contacts.iter().filter(|c| c.verified.is_some()).count();
            assert_eq!(
                shown_verifications(&reply.text, verified),
                made,
                "{}\n{}",
                m.id,
                reply.text
            );
        }
    }
}

/// Dates are written the way each language writes them wherever a person sees one (the about
/// screen, lessons, cards), never as `YYYY-MM-DD`; Latvian quotation marks only in Latvian.
#[tokio::test]
async fn dates_and_quotation_marks_follow_the_language_of_the_reply() {
    let app = spawn_engine().await;
    let iso = |text: &str| {
        let chars: Vec<char> = text.chars().collect();
        chars.windows(10).any(|w| {
            w.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == '-',
                _ => c.is_ascii_digit(),
            })
        })
    };
    let mut screens = vec![Action::About, Action::Lessons, Action::Guidelines];
    screens.extend((1..=10).map(Action::Lesson));
    for ministry in app.ministries().await {
        screens.push(Action::Ministry(ministry.id));
    }
    let mut latvian_dates = 0;
    for (lang, code) in [(Lang::Lv, "lv"), (Lang::En, "en")] {
        let user = app.fresh_user();
        for action in &screens {
            let reply = app.press_as(user, Some(code), action).await;
            let text = crate::helpers::plain(&reply);
            assert!(!iso(&text), "{lang} {action:?} shows an ISO date:\n{text}");
            // Never the numeric 27.11.2026. either: a date is written out.
            assert!(
                !text.split_whitespace().any(|w| w.len() >= 10
                    && !w.contains("://")
                    && w.matches('.').count() >= 2
                    && w.chars().filter(char::is_ascii_digit).count() >= 6),
                "{lang} {action:?} shows a numeric date:\n{text}"
            );
            if lang == Lang::En {
                assert!(!text.contains('„'), "{action:?} in English has „:\n{text}");
            } else {
                latvian_dates += text.matches(". gada ").count();
            }
        }
    }
    assert!(
        latvian_dates >= 3,
        "the Latvian screens show dates as 2026. gada 27. novembris"
    );
    let about = crate::helpers::plain(
        &app.press_as(app.fresh_user(), Some("lv"), &Action::About)
            .await,
    );
    assert!(about.contains(" UTC"), "{about}");
}

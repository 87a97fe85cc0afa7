//! Full-text search, permalinks and inline results.

use lidzdaliba_bot::engine::{Action, Button, MAX_INLINE_RESULTS};
use lidzdaliba_bot::ids::UserId;
use lidzdaliba_bot::render;

use crate::helpers::{actions, assert_sendable, spawn_engine};

/// The actions of a results reply, without the Main-menu button.
fn hits(reply: &lidzdaliba_bot::engine::Reply) -> Vec<Action> {
    actions(reply)
        .into_iter()
        .filter(|a| *a != Action::Main)
        .collect()
}

#[tokio::test]
async fn search_ranks_the_exact_area_first_in_latvian_and_english() {
    let app = spawn_engine().await;
    let lv = hits(&app.ask("/search veselības").await);
    assert_eq!(lv[0], Action::Area("veseliba".into()), "{lv:?}");
    assert!(lv.contains(&Action::Lesson(6)), "{lv:?}");
    let en = hits(&app.ask_as(7, Some("en"), "/search health").await);
    assert_eq!(en[0], Action::Area("veseliba".into()), "{en:?}");
    assert!(en.contains(&Action::Lesson(6)), "{en:?}");
    let alias = hits(&app.ask("/meklet izglītība").await);
    assert_eq!(alias[0], Action::Area("izglitiba".into()), "{alias:?}");
}

#[tokio::test]
async fn search_finds_words_inside_texts_with_prefixes_and_typos() {
    let app = spawn_engine().await;
    // "atzinums" (an opinion on a draft) appears in the texts about forms of participation.
    let lv = hits(&app.ask("/search atzinumu").await);
    assert!(lv.contains(&Action::Section("forms".into())), "{lv:?}");
    let en = hits(&app.ask_as(7, Some("en"), "/search opinion").await);
    assert!(en.contains(&Action::Section("forms".into())), "{en:?}");
    // A typo in a word that is only in texts still finds it.
    let typo = hits(&app.ask("/search atzinms").await);
    assert!(typo.contains(&Action::Section("forms".into())), "{typo:?}");
    let tap = hits(&app.ask("/search TAP portāls").await);
    assert!(tap.contains(&Action::Section("tap".into())), "{tap:?}");
}

#[tokio::test]
async fn fts_syntax_in_user_text_is_harmless() {
    let app = spawn_engine().await;
    let nothing = app.ui(lidzdaliba_bot::lang::Lang::Lv, "search_nothing");
    let nothing = nothing.split('„').next().unwrap().to_string();
    for query in [
        "\"",
        "\"veselība",
        "*",
        "veselī*",
        "NEAR(veselība izglītība)",
        "NEAR",
        "-veselība",
        "(",
        "veselība)",
        "a OR b AND NOT c",
        "col:veselība",
        "^veselība",
        "{}",
        "''",
        "\\",
    ] {
        for text in [format!("/search {query}"), query.to_string()] {
            let reply = app.ask(&text).await;
            assert_sendable(&reply, &text);
            assert!(!reply.text.contains("kļūme"), "{text}: {}", reply.text);
        }
    }
    // The words inside the syntax are still searched.
    let reply = app.ask("/search \"veselība*").await;
    assert_eq!(hits(&reply)[0], Action::Area("veseliba".into()));
    let reply = app.ask("/search \"\"\"").await;
    assert!(reply.text.starts_with(&nothing), "{}", reply.text);
}

#[tokio::test]
async fn no_match_says_so_and_offers_the_main_menu() {
    let app = spawn_engine().await;
    let reply = app.ask("/search qqqxxzz").await;
    assert!(reply.text.contains("neko neatradu"), "{}", reply.text);
    assert_eq!(actions(&reply), vec![Action::Main]);
    let prompt = app.ask("/search").await;
    assert!(prompt.text.contains("/search"), "{}", prompt.text);
}

#[tokio::test]
async fn free_text_that_is_no_area_searches_everything() {
    let app = spawn_engine().await;
    let reply = app.ask("memorands").await;
    // An alias of the State Chancellery's area: its card directly.
    assert!(
        reply.text.contains("Valsts kanceleja (VK)"),
        "{}",
        reply.text
    );
    let reply = app.ask("pikets").await;
    assert!(hits(&reply).contains(&Action::Lessons), "{}", reply.text);
}

#[tokio::test]
async fn every_payload_opens_its_item_and_unknown_ones_open_the_main_menu() {
    let app = spawn_engine().await;
    let mut items: Vec<Action> = (1..=10).map(Action::Lesson).collect();
    for reply in [
        app.press(&Action::Guidelines).await,
        app.press(&Action::Contacts).await,
    ] {
        items.extend(actions(&reply).into_iter().filter(Action::is_item));
    }
    let ministries = app.ministries().await;
    for m in &ministries {
        let card = app.press(&Action::Ministry(m.id.clone())).await;
        items.extend(
            actions(&card)
                .into_iter()
                .filter(|a| matches!(a, Action::Area(_))),
        );
    }
    for area in ministries.iter().flat_map(|m| &m.areas) {
        items.push(Action::Area(area.id.clone()));
    }
    assert!(items.len() >= 10 + 10 + 15 + 50, "{}", items.len());
    for item in &items {
        let payload = item.payload();
        assert!(payload.len() <= 64);
        assert!(
            payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        );
        assert_eq!(Action::from_payload(&payload).as_ref(), Some(item));
        let opened = app.ask(&format!("/start {payload}")).await;
        let pressed = app.press(item).await;
        assert_eq!(opened.text, pressed.text, "/start {payload}");
        // Every card can be shared as itself.
        let share = opened.buttons.iter().flatten().find_map(|b| match b {
            Button::Share { query, .. } => Some(query.clone()),
            _ => None,
        });
        assert_eq!(share.as_deref(), Some(payload.as_str()), "{payload}");
    }
    let main = app.ask("/start").await;
    for unknown in ["zzz", "c-nonexistent", "l-77", "%00", "c-vm-x"] {
        let reply = app.ask(&format!("/start {unknown}")).await;
        assert_eq!(reply.text, main.text, "{unknown}");
    }
}

#[tokio::test]
async fn inline_results_are_valid_complete_cards() {
    let app = spawn_engine().await;
    for (query, lang) in [
        ("", "lv"),
        ("veselība", "lv"),
        ("health", "en"),
        ("TAP", "lv"),
        ("c-vm", "lv"),
    ] {
        let items = app.engine.inline(UserId(9), Some(lang), query).await;
        assert!(!items.is_empty(), "{query:?}");
        assert!(items.len() <= MAX_INLINE_RESULTS);
        let mut ids: Vec<&str> = items.iter().map(|i| i.payload.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), items.len(), "ids are unique for {query:?}");
        for item in &items {
            assert!((1..=64).contains(&item.payload.len()));
            assert!(Action::from_payload(&item.payload).is_some_and(|a| a.is_item()));
            render::check_telegram_html(&item.text)
                .unwrap_or_else(|e| panic!("{}: {e}", item.payload));
            assert!(!item.title.is_empty());
            // Complete on its own: it names its source.
            let plain = render::to_plain(&item.text);
            assert!(
                plain.contains("Avot") || plain.contains("Source"),
                "{}",
                item.payload
            );
        }
    }
    let vm = app.engine.inline(UserId(9), Some("lv"), "c-vm").await;
    assert_eq!(vm.len(), 1);
    assert!(vm[0].text.contains("Veselības ministrija (VM)"));
    assert!(
        vm[0]
            .text
            .contains("https://www.mk.gov.lv/lv/padomi-un-resursi"),
        "the card says where to look for the contact person"
    );
    let empty = app.engine.inline(UserId(9), Some("lv"), "").await;
    assert_eq!(empty.len(), 25, "15 ministries and 10 lessons");
    let health = app.engine.inline(UserId(9), Some("en"), "health").await;
    assert_eq!(health[0].payload, "a-veseliba");
    for hostile in ["\"NEAR(* -x", "a", "*", &"ā".repeat(300)] {
        let items = app.engine.inline(UserId(9), Some("lv"), hostile).await;
        assert!(items.len() <= MAX_INLINE_RESULTS);
        for item in &items {
            render::check_telegram_html(&item.text).unwrap();
        }
    }
}

//! Property tests over hostile input: arbitrary Unicode with RTL marks, zero-width joiners,
//! combining marks, emoji, NUL, 4096-character texts, and pieces that look like HTML, SQL or
//! FTS syntax. Never a panic; always a reply Telegram would accept.

use std::sync::OnceLock;

use lidzdaliba_bot::engine::{Action, ChatKind, Input, Request, command};
use lidzdaliba_bot::ids::UserId;
use lidzdaliba_bot::render;
use proptest::prelude::*;

use crate::helpers::{TestApp, spawn_engine};

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<char>().prop_map(String::from),
        prop::sample::select(vec![
            "\u{202e}",
            "\u{200f}",
            "\u{200d}",
            "\u{200b}",
            "\u{feff}",
            "\u{0301}",
            "\u{0304}",
            "🙂",
            "👩‍👩‍👧",
            "🇱🇻",
            "\u{0}",
            "\n",
            "\n\n",
            "\t",
            " ",
            "ā",
            "Ž",
            "ķ",
            "<b>",
            "</b>",
            "<a href=\"x\">",
            "&amp;",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "'; DROP TABLE user_prefs;--",
            "OR 1=1",
            "NEAR(",
            ")",
            "*",
            "-",
            "^",
            ":",
            "/contact",
            "/start ",
            "@lidzdaliba_test_bot",
            "veselība",
            "VM",
            "l:3",
            "c-vm",
        ])
        .prop_map(String::from),
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(piece(), 0..60).prop_map(|p| p.concat()),
        1 => (piece(), 3000..4200usize).prop_map(|(p, n)| p.repeat(n).chars().take(4096).collect()),
    ]
}

struct Shared {
    runtime: tokio::runtime::Runtime,
    app: TestApp,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = runtime.block_on(spawn_engine());
        Shared { runtime, app }
    })
}

fn assert_acceptable(reply: &lidzdaliba_bot::engine::Reply) -> Result<(), TestCaseError> {
    let messages = reply.messages();
    prop_assert!(!messages.is_empty(), "an empty reply");
    for message in &messages {
        if let Err(e) = render::check_telegram_html(message) {
            return Err(TestCaseError::fail(format!("{e}: {message:?}")));
        }
    }
    for button in reply.buttons.iter().flatten() {
        if let lidzdaliba_bot::engine::Button::Action { action, .. } = button {
            let data = action.encode();
            prop_assert!(!data.is_empty() && data.len() <= 64);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn command_parsing_never_panics(text in hostile()) {
        let _ = command::parse(&text, Some("lidzdaliba_test_bot"));
        let _ = command::parse(&text, None);
    }

    #[test]
    fn the_callback_codec_never_panics_and_round_trips(data in hostile()) {
        if let Some(action) = Action::decode(&data) {
            prop_assert_eq!(action.encode(), data.clone());
        }
        if let Some(action) = Action::from_payload(&data) {
            prop_assert_eq!(action.payload(), data);
        }
    }

    #[test]
    fn rendering_escapes_and_splits_anything(text in hostile()) {
        let html = render::escape(&text);
        for message in render::split(&format!("<b>x</b>\n\n{html}")) {
            prop_assert!(render::check_telegram_html(&message).is_ok(), "{:?}", message);
        }
        let kept: String = text.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
        prop_assert_eq!(render::to_plain(&html), kept);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    #[test]
    fn every_text_command_and_search_gets_an_acceptable_reply(text in hostile()) {
        let s = shared();
        for input in [
            Input::Text(text.clone()),
            Input::Command { name: "contact".into(), arg: text.clone() },
            Input::Command { name: "search".into(), arg: text.clone() },
            Input::Command { name: "lessons".into(), arg: text.clone() },
            Input::Command { name: "start".into(), arg: text.clone() },
            Input::Button(text.clone()),
        ] {
            let request = Request { user_id: UserId(4), language_code: None, chat: ChatKind::Private, input };
            let reply = s.runtime.block_on(s.app.engine.handle(&request));
            let reply = reply.expect("a private chat always gets a reply");
            assert_acceptable(&reply)?;
        }
        let items = s.runtime.block_on(s.app.engine.inline(UserId(4), None, &text));
        prop_assert!(items.len() <= 50);
        for item in items {
            prop_assert!(render::check_telegram_html(&item.text).is_ok());
        }
    }
}

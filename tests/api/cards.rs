//! Every card a person can open (every ministry, every area, every agency and body that is no
//! ministry, every lesson, the lessons list, the guidelines and each of their sections, and
//! the other screens), in both languages,
//! through the Telegram path: the real runtime sends it to the fake Bot API, and what is
//! checked is the message as Telegram returns it (plain text and entities). What shows before
//! anything is unfolded (the text outside the expandable quote, in UTF-16 units as Telegram
//! counts) stays within the card's limit, and no web address stands in it as it is. The
//! lengths are printed (`cargo test --test api cards -- --nocapture`).

use std::collections::BTreeMap;

use lidzdaliba_bot::engine::Action;
use serde_json::Value;

use crate::fake_api::FakeApi;
use crate::telegram::{Harness, assert_nothing_rejected};

/// What a ministry or area card, and a lesson, may show before the folded part.
const CARD: usize = 800;
/// What the lessons list may show before the folded part.
const LESSONS_LIST: usize = 1500;
/// Any other screen: one Telegram message.
const SCREEN: usize = 4096;

/// The users who ask, one per language (their Telegram language decides the replies).
const USERS: [(i64, &str); 2] = [(7101, "lv"), (7102, "en")];

/// One screen to open: its name in the output, what to send, and its limit.
struct Screen {
    name: String,
    send: String,
    limit: usize,
}

/// Every screen of the content in `dir`: the cards through their deep links
/// (`/start <payload>`, as a shared link opens them), the other screens by their commands.
fn screens(dir: &std::path::Path) -> Vec<Screen> {
    let (_, content) = lidzdaliba_bot::content::load_dir(dir).expect("the content is valid");
    let open = |action: Action, limit| Screen {
        name: action.payload(),
        send: format!("/start {}", action.payload()),
        limit,
    };
    let mut out = Vec::new();
    for m in &content.ministries {
        out.push(open(Action::Ministry(m.id.clone()), CARD));
        for a in &m.areas {
            out.push(open(Action::Area(a.id.clone()), CARD));
        }
    }
    for l in &content.lessons {
        out.push(open(Action::Lesson(l.number), CARD));
    }
    // Agencies (their ministry's card headed by the agency) and bodies no ministry leads:
    // found by name, as a person asks.
    let ask = |what: &str, query: &str| Screen {
        name: format!("{what} {query}"),
        send: format!("/contact {query}"),
        limit: CARD,
    };
    for a in &content.agencies {
        out.push(ask("agency", &a.abbr));
    }
    for b in &content.bodies {
        out.push(ask("body", &b.name.lv));
    }
    for s in &content.guidelines.sections {
        out.push(open(Action::Section(s.id.clone()), SCREEN));
    }
    let command = |name: &str, limit| Screen {
        name: name.to_string(),
        send: name.to_string(),
        limit,
    };
    out.push(command("/lessons", LESSONS_LIST));
    for name in [
        "/start",
        "/help",
        "/guidelines",
        "/contact",
        "/specialists",
        "/resources",
        "/about",
        "/privacy",
    ] {
        out.push(command(name, SCREEN));
    }
    out
}

/// Sends `text` as `user` and returns the bot's messages of the reply as Telegram returns
/// them: every message from the first new one to the one that carries the buttons.
async fn open(api: &FakeApi, user: (i64, &str), text: &str) -> Vec<Value> {
    let before = api.messages_in(user.0).len();
    api.private_text(user.0, Some(user.1), text);
    api.wait_until(10, &format!("the reply to {text:?}"), |api| {
        api.messages_in(user.0)
            .last()
            .is_some_and(|m| !m["reply_markup"].is_null())
            && api.messages_in(user.0).len() > before
    })
    .await;
    api.messages_in(user.0)[before..].to_vec()
}

/// The text of `message` outside its expandable quotes, cut at UTF-16 offsets as Telegram's
/// entities give them.
fn shown(message: &Value) -> Vec<u16> {
    let units: Vec<u16> = message["text"]
        .as_str()
        .unwrap_or("")
        .encode_utf16()
        .collect();
    let mut keep = vec![true; units.len()];
    for e in message["entities"].as_array().into_iter().flatten() {
        if e["type"] == "expandable_blockquote" {
            let from = e["offset"].as_u64().unwrap() as usize;
            let to = from + e["length"].as_u64().unwrap() as usize;
            keep[from..to].iter_mut().for_each(|k| *k = false);
        }
    }
    units
        .into_iter()
        .zip(keep)
        .filter_map(|(u, k)| k.then_some(u))
        .collect()
}

/// A web address written out in `text` (what a link with a short label avoids).
fn raw_address(text: &str) -> Option<&str> {
    ["https://", "http://", "www.", "t.me/"]
        .iter()
        .filter_map(|p| text.find(p))
        .min()
        .map(|at| text[at..].split_whitespace().next().unwrap_or(""))
}

#[tokio::test]
async fn every_card_shows_its_answer_within_the_limit_and_no_raw_address() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let screens = screens(&h.content);
    assert!(screens.len() > 100, "{} screens", screens.len());
    // (length, screen, language) for the summary, and every problem found.
    let mut lengths: BTreeMap<&str, Vec<(usize, String)>> = BTreeMap::new();
    let mut problems = Vec::new();
    for user in USERS {
        for screen in &screens {
            let messages = open(&h.api, user, &screen.send).await;
            let what = format!("{} {}", user.1, screen.name);
            if messages.len() != 1 {
                problems.push(format!("{what}: {} messages, not one", messages.len()));
            }
            let message = &messages[messages.len() - 1];
            let units = shown(message);
            let text = String::from_utf16_lossy(&units);
            println!("{:>5}  {what}", units.len());
            if units.len() > screen.limit {
                problems.push(format!(
                    "{what}: {} UTF-16 units before the folded part, over {}",
                    units.len(),
                    screen.limit
                ));
            }
            if let Some(address) = raw_address(&text) {
                problems.push(format!("{what}: the address {address} stands as it is"));
            }
            let kind = match screen.limit {
                CARD => "cards",
                LESSONS_LIST => "lessons list",
                _ => "other screens",
            };
            lengths
                .entry(kind)
                .or_default()
                .push((units.len(), what.clone()));
        }
    }
    bot.stop().await;
    for (kind, mut all) in lengths {
        all.sort();
        let longest: Vec<String> = all
            .iter()
            .rev()
            .take(5)
            .map(|(n, what)| format!("{what} {n}"))
            .collect();
        println!("longest {kind}: {}", longest.join(", "));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_nothing_rejected(&h.api);
}

/// A card with a folded quote comes back from Telegram with an `expandable_blockquote`
/// entity; pressing a button that shows the very same card again must be recognised as no
/// change, so the bot makes no edit (Telegram would answer "message is not modified").
#[tokio::test]
async fn the_same_card_with_its_folded_sources_is_not_edited_again() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let user = USERS[0];
    let card = Action::Ministry("tm".into());
    let messages = open(&h.api, user, &format!("/start {}", card.payload())).await;
    let message = &messages[0];
    let kinds: Vec<&str> = message["entities"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(kinds.contains(&"expandable_blockquote"), "{kinds:?}");
    let id = message["message_id"].as_i64().unwrap();
    h.api.press(user.0, id, &card.encode());
    h.api
        .wait_until(10, "the answer to the press", |api| {
            !api.ok_calls("answerCallbackQuery").is_empty()
        })
        .await;
    bot.stop().await;
    assert!(
        h.api.all_calls("editMessageText").is_empty(),
        "an edit that changes nothing"
    );
    assert_nothing_rejected(&h.api);
}

/// The e-mail addresses and phone numbers of a card are under it as copy buttons, each as
/// Telegram's `copy_text` (at most 256 characters).
#[tokio::test]
async fn a_cards_addresses_and_phones_have_copy_buttons() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    let card = Action::Ministry("tm".into());
    let messages = open(&h.api, USERS[1], &format!("/start {}", card.payload())).await;
    bot.stop().await;
    let copied: Vec<String> = messages[0]["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["copy_text"]["text"].as_str().map(str::to_string))
        // The card's own permalink ("Copy link") is not one of its contacts.
        .filter(|t| !t.starts_with("https://t.me/"))
        .collect();
    assert_eq!(
        copied,
        [
            "Agnese.Racene-Krumina@tm.gov.lv",
            "Lana.Maulina@tm.gov.lv",
            "67036734",
            "67036738",
        ],
        "{}",
        messages[0]
    );
    assert_nothing_rejected(&h.api);
}

/// `check` refuses an address written out in a text (with the line to fix and how), a link
/// whose address is no URL, and a link in a UI string that the bot shows as it is.
#[test]
fn check_refuses_a_bare_address_a_bad_link_and_a_link_where_none_is_shown() {
    use crate::helpers::{content_copy, edit};
    let (_guard, dir) = content_copy();
    let lesson = edit(
        &dir,
        "lessons.toml",
        "[TAP portālā](https://tapportals.mk.gov.lv/)",
        "TAP portālā https://tapportals.mk.gov.lv/",
    );
    let area = edit(
        &dir,
        "ministries.toml",
        "[sadarbības memorands ar NVO](https://www.iem.gov.lv/lv/iekslietu-ministrijas-un-nvo-sadarbibas-memorands)",
        "[sadarbības memorands ar NVO](https://iem/memorands)",
    );
    let ui = edit(
        &dir,
        "ui.toml",
        "lv = \"Izvēlieties sadaļu:\"",
        "lv = \"Izvēlieties [sadaļu](https://www.mk.gov.lv/lv/padomi-un-resursi):\"",
    );
    let problems: Vec<String> = match lidzdaliba_bot::content::load_dir(&dir) {
        Ok(_) => panic!("the content with a bare address was accepted"),
        Err(errors) => errors.0.iter().map(|p| p.to_string()).collect(),
    };
    // A problem is reported at the line where the text starts (`learn.lv = """`).
    let file = |name: &str| dir.join(name).display().to_string();
    let expect = [
        format!(
            "{}:{}: [[lesson]]: 'learn.lv' shows the address \
             https://tapportals.mk.gov.lv/ as it is: write it as a link with a short label, \
             [label](https://tapportals.mk.gov.lv/)",
            file("lessons.toml"),
            lesson - 1
        ),
        format!(
            "{}:{}: [[ministry]]: 'note.lv': the link \
             [sadarbības memorands ar NVO](https://iem/memorands) is not a valid https:// or tg:// URL",
            file("ministries.toml"),
            area - 1
        ),
    ];
    for e in &expect {
        assert!(problems.contains(e), "{e}\nnot in\n{problems:#?}");
    }
    let ui_problem = problems
        .iter()
        .find(|p| p.contains("[guidelines_prompt]"))
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert!(
        ui_problem.starts_with(&format!("{}:{}", file("ui.toml"), ui - 1))
            && ui_problem.contains("links are allowed only in: no_ngo_contact, next_step"),
        "{ui_problem}"
    );
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

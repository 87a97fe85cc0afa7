//! What is open on TAP as residents see it: `/open` with and without an area, the cards'
//! count and button, old data never read as "nothing is open", following, the message a
//! follower gets after a sync, and `/forget`. The engine answers as in `run` and the console;
//! TAP is the fake portal of `fake_tap.rs` on 127.0.0.1.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lidzdaliba_bot::clock;
use lidzdaliba_bot::engine::{Action, Button, ChatKind, Reply, Request};
use lidzdaliba_bot::ids::{ChatId, UserId};
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::tap::{self, HttpOptions, HttpSource, Syncer, Target};

use crate::fake_tap::{self, FakeTap, Item};
use crate::helpers::{self, TestApp, actions, assert_sendable, plain};

/// The engine over the repository's content, and the fake portal with the sample's first
/// `open` rows open today.
async fn setup(open: usize) -> (TestApp, FakeTap, Syncer<HttpSource>) {
    let app = helpers::spawn_engine().await;
    let fake = FakeTap::start(fake_tap::sample(&clock::today_in_latvia(), open), 25).await;
    let options = HttpOptions {
        gap: Duration::ZERO,
        timeout: Duration::from_secs(2),
        ..HttpOptions::default()
    };
    let source = HttpSource::new(&fake.url, options).unwrap();
    let syncer = Syncer::new(source, app.engine.tap_db().clone());
    (app, fake, syncer)
}

/// One sync as `run` makes it, `ago` seconds in the past; then what follows a good sync (the
/// cards' counts, the followers' messages), with the messages handed to the returned list.
async fn sync(app: &TestApp, syncer: &Syncer<HttpSource>, ago: u64) -> Vec<(i64, Reply)> {
    let mapping = Arc::clone(&app.engine.tap_mapping().borrow());
    let report = syncer
        .sync(&mapping, &clock::today_in_latvia(), clock::unix_now() - ago)
        .await
        .expect("the fake portal reads");
    let sent = Arc::new(Mutex::new(Vec::new()));
    let into = Arc::clone(&sent);
    let notify = move |chat: ChatId, reply: Reply| into.lock().unwrap().push((chat.0, reply));
    lidzdaliba_bot::app::after_sync(&app.engine, &report, &notify).await;
    drop(notify);
    Arc::try_unwrap(sent).unwrap().into_inner().unwrap()
}

/// The open rows of the sample, closing soonest first.
fn open_rows(items: &[Item]) -> Vec<&Item> {
    let today = clock::today_in_latvia();
    let mut open: Vec<&Item> = items.iter().filter(|i| i.ends >= today).collect();
    open.sort_by(|a, b| (&a.ends, &a.number).cmp(&(&b.ends, &b.number)));
    open
}

fn urls(reply: &Reply) -> Vec<String> {
    reply
        .buttons
        .iter()
        .flatten()
        .filter_map(|b| match b {
            Button::Url { url, .. } => Some(url.clone()),
            _ => None,
        })
        .collect()
}

/// [`assert_sendable`] for a reply whose links point at the fake portal (http, on
/// 127.0.0.1), which the real portal's https addresses stand for.
fn assert_sendable_but_links(reply: &Reply, context: &str) {
    let mut reply = reply.clone();
    for row in &mut reply.buttons {
        row.retain(
            |b| !matches!(b, Button::Url { url, .. } if url.starts_with("http://127.0.0.1")),
        );
    }
    reply.buttons.retain(|row| !row.is_empty());
    assert_sendable(&reply, context);
}

fn label_of(reply: &Reply, wanted: &Action) -> Option<String> {
    reply.buttons.iter().flatten().find_map(|b| match b {
        Button::Action { label, action } if action == wanted => Some(label.clone()),
        _ => None,
    })
}

/// The order in which `needles` stand in `text` (panics if one is missing).
fn positions(text: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| {
            text.find(n)
                .unwrap_or_else(|| panic!("{n:?} is not in {text}"))
        })
        .collect()
}

#[tokio::test]
async fn open_lists_what_is_open_closing_soonest_first_with_the_person_and_a_button_each() {
    let (app, fake, syncer) = setup(6).await;
    sync(&app, &syncer, 0).await;
    let reply = app.ask("/open").await;
    assert_sendable_but_links(&reply, "/open");
    let text = plain(&reply);
    let items = fake.items();
    let open = open_rows(&items);
    assert_eq!(open.len(), 6);
    let numbers: Vec<&str> = open.iter().map(|i| i.number.as_str()).collect();
    let at = positions(&text, &numbers);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "soonest first: {text}");
    for item in &open {
        assert!(
            text.contains(&item.person),
            "{} has its person: {text}",
            item.number
        );
    }
    // Each has its period with the days left; the one closing today says so.
    assert!(text.contains("šodien pēdējā diena"), "{text}");
    assert!(text.contains("vēl 5 dienas"), "{text}");
    assert!(text.contains("Latvija.lv"), "how to take part: {text}");
    assert!(text.contains("nolasīti"), "when TAP was read: {text}");
    // A button to each consultation's own page on TAP.
    let pages: Vec<String> = open
        .iter()
        .map(|i| format!("{}/public_participation/{}", fake.url, i.id))
        .collect();
    for page in &pages {
        assert!(urls(&reply).contains(page), "{page} in {:?}", urls(&reply));
    }
    // Nothing that ended is listed.
    for ended in items
        .iter()
        .filter(|i| !numbers.contains(&i.number.as_str()))
    {
        assert!(
            !text.contains(&ended.number),
            "{} has ended: {text}",
            ended.number
        );
    }
    // The same in English.
    app.ask("/language en").await;
    let en = plain(&app.ask("/open").await);
    assert!(
        en.contains("last day today") && en.contains("5 days left"),
        "{en}"
    );
    assert!(en.contains("Responsible person"), "{en}");
}

#[tokio::test]
async fn open_for_an_area_or_a_ministry_uses_the_lookup_of_contact() {
    let (app, fake, syncer) = setup(12).await;
    sync(&app, &syncer, 0).await;
    let items = fake.items();
    let of = |ministry: &str| -> Vec<String> {
        open_rows(&items)
            .into_iter()
            .filter(|i| i.ministry == ministry)
            .map(|i| i.number.clone())
            .collect()
    };
    let tm = of("Tieslietu ministrija");
    assert!(tm.len() >= 2);
    for query in [
        "/open TM",
        "/open tieslietas",
        "/apspriesanas tieslietu ministrija",
    ] {
        let reply = app.ask(query).await;
        let text = plain(&reply);
        for number in &tm {
            assert!(
                text.contains(number.as_str()),
                "{query}: {number} in {text}"
            );
        }
        for other in open_rows(&items).iter().filter(|i| !tm.contains(&i.number)) {
            assert!(
                !text.contains(&other.number),
                "{query}: not {}: {text}",
                other.number
            );
        }
        assert!(
            actions(&reply).contains(&Action::Follow(Target::Ministry("tm".into()))),
            "{query}: 🔔 for TM"
        );
    }
    // A ministry with nothing open says so (the data is fresh), and offers 🔔.
    let reply = app.ask("/open AM").await;
    let text = plain(&reply);
    assert!(text.contains("nekas nav atvērts"), "{text}");
    // Words that name nothing: no list, the honest answer.
    let text = plain(&app.ask("/open xyzzyq").await);
    assert!(text.contains("Neatradu"), "{text}");
    for item in open_rows(&items) {
        assert!(!text.contains(&item.number), "{text}");
    }
}

#[tokio::test]
async fn cards_and_lessons_lead_to_what_is_open_there() {
    let (app, fake, syncer) = setup(12).await;
    sync(&app, &syncer, 0).await;
    let items = fake.items();
    let open = open_rows(&items);
    let tm = open
        .iter()
        .filter(|i| i.ministry == "Tieslietu ministrija")
        .count();
    let card = app.ask("/contact TM").await;
    let button = Action::Open(Some(Target::Ministry("tm".into())));
    let label = label_of(&card, &button).expect("the TM card has the open-now button");
    assert!(label.contains(&format!("(TM): {tm}")), "{label}");
    let list = plain(&app.press(&button).await);
    assert_eq!(
        open.iter().filter(|i| list.contains(&i.number)).count(),
        tm,
        "{list}"
    );
    // A card of a ministry with nothing open has 🔔 but no count.
    let am = app.ask("/contact AM").await;
    assert!(label_of(&am, &Action::Open(Some(Target::Ministry("am".into())))).is_none());
    assert!(actions(&am).contains(&Action::Follow(Target::Ministry("am".into()))));
    // The health lesson leads to VM's open drafts.
    let vm = open
        .iter()
        .filter(|i| i.ministry == "Veselības ministrija")
        .count();
    assert!(vm > 0);
    let lesson = app.ask("/lessons veselība").await;
    let label = label_of(&lesson, &Action::Open(Some(Target::Ministry("vm".into()))))
        .expect("the health lesson has VM's open-now button");
    assert!(label.contains(&format!(": {vm}")), "{label}");
    // A ministry without a published NGO contact names the responsible persons of its
    // open drafts on its card.
    let ministries = app.ministries().await;
    let without: Vec<_> = ministries
        .iter()
        .filter(|m| {
            !m.contacts
                .iter()
                .any(|c| c.kind == lidzdaliba_bot::content::ContactKind::Ngo)
        })
        .filter(|m| open.iter().any(|i| i.ministry == m.name.lv))
        .collect();
    assert!(
        !without.is_empty(),
        "some ministry with drafts names no NGO contact"
    );
    for ministry in without {
        let text = plain(&app.ask(&format!("/contact {}", ministry.abbr)).await);
        let person = &open
            .iter()
            .find(|i| i.ministry == ministry.name.lv)
            .unwrap()
            .person;
        assert!(
            text.contains(person.as_str()),
            "{}: {person} in {text}",
            ministry.abbr
        );
    }
}

#[tokio::test]
async fn old_or_missing_data_is_never_said_to_be_empty() {
    let (app, fake, syncer) = setup(6).await;
    // Never read.
    let text = plain(&app.ask("/open").await);
    assert!(text.contains("vēl nav nolasījis"), "{text}");
    assert!(!text.contains("nekas nav atvērts"), "{text}");
    // Read three hours ago, with the interval of an hour: the list is shown with a warning.
    sync(&app, &syncer, 3 * 3600).await;
    let text = plain(&app.ask("/open").await);
    assert!(text.contains("var būt novecojis"), "{text}");
    assert!(text.contains(&fake.items()[0].number), "{text}");
    // Nothing open in old data: "cannot tell", never "nothing".
    let text = plain(&app.ask("/open AM").await);
    assert!(text.contains("Nevaru pateikt"), "{text}");
    assert!(!text.contains("nekas nav atvērts"), "{text}");
}

/// A request in a private chat or a group.
async fn ask_in(app: &TestApp, user: i64, chat: ChatKind, text: &str) -> Reply {
    let request = Request {
        user_id: UserId(user),
        language_code: None,
        chat,
        input: helpers::input_for(text),
    };
    app.engine.handle(&request).await.expect("a reply")
}

#[tokio::test]
async fn a_follower_gets_one_message_per_sync_with_everything_new_it_follows() {
    let (app, fake, syncer) = setup(4).await;
    assert!(
        sync(&app, &syncer, 0).await.is_empty(),
        "nobody follows yet"
    );
    let (tm_only, vm_only, both) = (app.fresh_user(), app.fresh_user(), app.fresh_user());
    let done = plain(&ask_in(&app, tm_only, ChatKind::Private, "/follow tieslietas").await);
    assert!(done.contains("Jūs sekojat: TM"), "{done}");
    ask_in(&app, vm_only, ChatKind::Private, "/sekot VM").await;
    ask_in(&app, both, ChatKind::Private, "/follow TM").await;
    let again = app
        .press_as(both, None, &Action::Follow(Target::Ministry("vm".into())))
        .await;
    assert!(plain(&again).contains("Jūs sekojat: VM"));
    let twice = plain(&ask_in(&app, both, ChatKind::Private, "/follow VM").await);
    assert!(twice.contains("jau sekojat"), "{twice}");
    // In a group, following is refused and nothing is stored.
    let group = app.fresh_user();
    let text = plain(&ask_in(&app, group, ChatKind::Group, "/follow VM").await);
    assert!(text.contains("privātā sarunā"), "{text}");
    assert!(
        app.engine
            .tap_db()
            .follows(ChatId(group))
            .await
            .unwrap()
            .is_empty()
    );

    // Two new TM drafts and one new VM draft open; a sync finds them.
    let mut items = fake.items();
    let mut new = Vec::new();
    for (n, ministry) in [
        "Tieslietu ministrija",
        "Tieslietu ministrija",
        "Veselības ministrija",
    ]
    .iter()
    .enumerate()
    {
        let mut item = items[n].clone();
        item.id = format!("00000000-0000-4000-8000-00000000000{n}");
        item.number = format!("26-TA-99{n:02}");
        item.title = format!("Jauns projekts {n}");
        item.ministry = (*ministry).to_string();
        new.push(item.number.clone());
        items.push(item);
    }
    fake.set_items(items);
    let sent = sync(&app, &syncer, 0).await;
    let to = |chat: i64| -> Vec<&Reply> {
        sent.iter()
            .filter(|(c, _)| *c == chat)
            .map(|(_, r)| r)
            .collect()
    };
    assert_eq!(to(tm_only).len(), 1, "one message per follower per sync");
    assert_eq!(
        to(both).len(),
        1,
        "one message, though it follows both ministries"
    );
    assert_eq!(to(vm_only).len(), 1);
    assert!(to(group).is_empty());
    let tm_text = plain(to(tm_only)[0]);
    assert!(
        tm_text.contains(&new[0]) && tm_text.contains(&new[1]),
        "{tm_text}"
    );
    assert!(!tm_text.contains(&new[2]), "{tm_text}");
    let both_text = plain(to(both)[0]);
    assert!(
        new.iter().all(|n| both_text.contains(n.as_str())),
        "{both_text}"
    );
    let vm_text = plain(to(vm_only)[0]);
    assert!(
        vm_text.contains(&new[2]) && !vm_text.contains(&new[0]),
        "{vm_text}"
    );
    for (_, reply) in &sent {
        assert_sendable_but_links(reply, "a follower's message");
    }
    // The same items are not new at the next sync.
    assert!(sync(&app, &syncer, 0).await.is_empty());

    // Unfollowing and /forget.
    let text = plain(&ask_in(&app, both, ChatKind::Private, "/nesekot VM").await);
    assert!(text.contains("vairs nesekojat: VM"), "{text}");
    let list = plain(&ask_in(&app, both, ChatKind::Private, "/follow").await);
    assert!(list.contains("• TM") && !list.contains("• VM"), "{list}");
    let text = plain(&ask_in(&app, both, ChatKind::Private, "/forget").await);
    assert!(text.contains("Izdzēsts"), "{text}");
    assert!(
        app.engine
            .tap_db()
            .follows(ChatId(both))
            .await
            .unwrap()
            .is_empty()
    );
    let text = plain(&ask_in(&app, both, ChatKind::Private, "/forget").await);
    assert!(text.contains("nekas netiek glabāts"), "{text}");
}

#[tokio::test]
async fn privacy_says_what_a_follow_keeps_and_stats_count_followers_only() {
    let app = helpers::spawn_engine().await;
    let text = plain(&app.ask("/privacy").await);
    assert!(text.contains("sarunas ID un to, kam sekojat"), "{text}");
    let (a, b) = (app.fresh_user(), app.fresh_user());
    for user in [a, b] {
        ask_in(&app, user, ChatKind::Private, "/follow VM").await;
    }
    let counts = app.engine.tap_db().follower_counts().await.unwrap();
    assert_eq!(counts, vec![(Target::Ministry("vm".into()), 2)]);
    // The message to a follower is in the language it chose.
    app.ask_as(a, None, "/language en").await;
    let items = app
        .engine
        .tap_db()
        .open_now(
            tap::Filter::All,
            &clock::today_in_latvia(),
            0,
            Duration::MAX,
        )
        .await
        .unwrap()
        .items;
    let reply = app.engine.digest(ChatId(a), &items).await;
    assert_eq!(reply.lang, Lang::En);
    assert!(
        plain(&reply).contains("that you follow"),
        "{}",
        plain(&reply)
    );
}

#[tokio::test]
async fn cards_with_the_persons_of_open_drafts_stay_within_their_limit() {
    let (app, fake, syncer) = setup(25).await;
    // Long names, as TAP may write them (a name, a position and an institution).
    let items: Vec<Item> = fake
        .items()
        .into_iter()
        .enumerate()
        .map(|(n, mut item)| {
            item.person = format!(
                "Persona Nr. {n} Garvārdiņa-Ilgstošā, nodaļas vadītāja vietniece ({})",
                "x".repeat(60)
            );
            item
        })
        .collect();
    fake.set_items(items.clone());
    sync(&app, &syncer, 0).await;
    let mut named = 0;
    for ministry in app.ministries().await {
        let mut actions = vec![Action::Ministry(ministry.id.clone())];
        actions.extend(ministry.areas.iter().map(|a| Action::Area(a.id.clone())));
        for action in actions {
            let card = app.press(&action).await;
            let shown = lidzdaliba_bot::render::shown_len(&card.text);
            assert!(shown <= 800, "{action:?}: {shown} shown\n{}", plain(&card));
            let persons: Vec<&str> = open_rows(&items)
                .into_iter()
                .filter(|i| i.ministry == ministry.name.lv)
                .map(|i| i.person.as_str())
                .collect();
            let ngo = ministry
                .contacts
                .iter()
                .any(|c| c.kind == lidzdaliba_bot::content::ContactKind::Ngo);
            if !persons.is_empty() && !ngo {
                let text = plain(&card);
                assert!(
                    persons.iter().any(|p| text.contains(p)),
                    "{action:?} names one of {persons:?}:\n{text}"
                );
                named += 1;
            }
        }
    }
    assert!(named > 0, "some card names a responsible person");
}

/// Waits (up to `secs`) until `run` has read the fake portal once.
async fn until_synced(engine: &lidzdaliba_bot::engine::Engine, secs: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let status = engine
            .tap_db()
            .status(&clock::today_in_latvia())
            .await
            .unwrap();
        if status.last_success.is_some() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "run read TAP within {secs} s: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn run_reads_tap_and_answers_open_and_the_cards_button_through_telegram() {
    use crate::telegram::{Harness, USER, assert_nothing_rejected, callbacks, free_port, text};
    let health = free_port();
    let fake = FakeTap::start(fake_tap::sample(&clock::today_in_latvia(), 3), 25).await;
    let h = Harness::new().await;
    let config = h.config_with(
        false,
        &[
            ("TAP_URL", fake.url.clone()),
            ("TAP_SYNC_INTERVAL", "1h".into()),
            ("HEALTH_LISTEN", format!("127.0.0.1:{health}")),
        ],
    );
    let _ = lidzdaliba_bot::health::prometheus();
    let app = helpers::spawn_app(&config, |s| s.poll_timeout = 1).await;
    // robots.txt, one listing page, three consultations' pages, a second apart.
    until_synced(&app.engine, 20).await;
    // /healthz says how reading TAP goes; /metrics counts the syncs.
    let client = reqwest::Client::new();
    let body: serde_json::Value = client
        .get(format!("http://127.0.0.1:{health}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["tap"]["items_open"], 3, "{body}");
    assert!(body["tap"]["last_success"].as_u64().is_some(), "{body}");
    assert!(body["tap"]["failing"].is_null(), "{body}");
    let metrics = client
        .get(format!("http://127.0.0.1:{health}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("tap_sync_total{outcome=\"ok\"}"),
        "{metrics}"
    );
    let open = open_rows(&fake.items()).len();
    assert_eq!(open, 3);
    let list = h.ask("/apspriesanas").await;
    for item in open_rows(&fake.items()) {
        assert!(text(&list).contains(&item.number), "{}", text(&list));
    }
    let buttons = list["reply_markup"]["inline_keyboard"].to_string();
    for item in open_rows(&fake.items()) {
        assert!(
            buttons.contains(&item.id),
            "a button to {}: {buttons}",
            item.number
        );
    }
    // The TM card's button opens TM's list in place of the card.
    let card = h.ask("/contact TM").await;
    assert!(callbacks(&card).contains(&"om:tm".to_string()), "{card}");
    // Message ids count from 1 in the fake; the card is the last message sent.
    let message = h.api.ok_calls("sendMessage").len() as i64;
    let edits = h.api.ok_calls("editMessageText").len();
    h.api.press(USER, message, "om:tm");
    h.api
        .wait_until(10, "the card replaced by TM's list", |api| {
            api.ok_calls("editMessageText").len() > edits
        })
        .await;
    let edit = h.api.ok_calls("editMessageText")[edits].clone();
    let items = fake.items();
    let tm: Vec<&Item> = open_rows(&items)
        .into_iter()
        .filter(|i| i.ministry == "Tieslietu ministrija")
        .collect();
    assert!(!tm.is_empty());
    for item in tm {
        assert!(text(&edit).contains(&item.number), "{}", text(&edit));
    }
    // Only the fake portal was asked, and nothing was refused by Telegram.
    assert!(!fake.take_requests().is_empty());
    assert_nothing_rejected(&h.api);
    app.stop().await;
}

#[tokio::test]
async fn a_follower_on_telegram_gets_the_message_after_the_sync_that_finds_something_new() {
    use crate::telegram::{Harness, USER, text};
    let today = clock::today_in_latvia();
    // At first nothing of TM is open.
    let first: Vec<Item> = fake_tap::sample(&today, 2)
        .into_iter()
        .map(|mut item| {
            item.ministry = "Veselības ministrija".into();
            item
        })
        .collect();
    let fake = FakeTap::start(first.clone(), 25).await;
    let h = Harness::new().await;
    let config = h.config_with(
        false,
        &[
            ("TAP_URL", fake.url.clone()),
            ("TAP_SYNC_INTERVAL", "2s".into()),
        ],
    );
    let app = helpers::spawn_app(&config, |s| s.poll_timeout = 1).await;
    until_synced(&app.engine, 20).await;
    let done = h.ask("/follow TM").await;
    assert!(text(&done).contains("Jūs sekojat: TM"), "{}", text(&done));
    let before = h.api.sent_to(USER).len();
    // A new TM draft opens.
    let mut items = first;
    let mut new = items[0].clone();
    new.id = "00000000-0000-4000-8000-0000000000aa".into();
    new.number = "26-TA-9999".into();
    new.title = "Jauns tieslietu projekts".into();
    new.ministry = "Tieslietu ministrija".into();
    items.push(new);
    fake.set_items(items);
    h.api
        .wait_until(30, "the follower's message", |api| {
            api.sent_to(USER)
                .iter()
                .skip(before)
                .any(|m| text(m).contains("26-TA-9999"))
        })
        .await;
    let messages: Vec<_> = h.api.sent_to(USER).into_iter().skip(before).collect();
    assert_eq!(messages.len(), 1, "one message: {messages:?}");
    assert!(text(&messages[0]).contains("Jauns tieslietu projekts"));
    app.stop().await;
}

#[tokio::test]
async fn stats_show_followers_per_ministry_and_no_chat() {
    let app = helpers::spawn_engine().await;
    let users = [app.fresh_user(), app.fresh_user(), app.fresh_user()];
    for user in users {
        ask_in(&app, user, ChatKind::Private, "/follow VM").await;
    }
    ask_in(&app, users[0], ChatKind::Private, "/follow TM").await;
    let out = helpers::binary()
        .arg("stats")
        .env("DATABASE_URL", &app.db_url)
        .env("CONTENT_DIR", &app.content_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let lines: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("followers of TAP alerts"))
        .map(str::trim)
        .collect();
    assert!(lines[0].ends_with(": 2"), "{stdout}");
    assert_eq!(
        lines[1..3],
        ["3  ministry vm", "1  ministry tm"],
        "{stdout}"
    );
    for user in users {
        assert!(!stdout.contains(&user.to_string()), "no chat id: {stdout}");
    }
}

//! Finding the ministry or area a person means, from free text and `/contact`, and staying
//! polite and valid on anything else.

use lidzdaliba_bot::engine::lookup::{Found, Lookup, Target};
use lidzdaliba_bot::engine::{Action, Placement};
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::render::{bold, escape};

use crate::helpers::{TestApp, actions, assert_sendable, spawn_engine};

fn target(ministry: &str, area: Option<&str>) -> Target {
    Target {
        ministry: ministry.into(),
        area: area.map(str::to_string),
    }
}

/// The note that heads an answer which is not what was typed: "… rādu: veselība."
fn showing_note(app: &TestApp, lang: Lang, query: &str, shown: &str) -> String {
    let note = app
        .engine
        .string(lang, "lookup_showing")
        .replace("{query}", query)
        .replace("{match}", shown);
    format!("{}\n\n", escape(&note))
}

/// Asserts that `reply` is the card of `ministry` (headed by `area` when given), in `lang`.
/// With `typed` (the query), the card must be headed by the note saying what it shows.
async fn assert_card(
    app: &TestApp,
    reply: &lidzdaliba_bot::engine::Reply,
    ministry: &str,
    area: Option<&str>,
    typed: Option<&str>,
    context: &str,
) {
    assert_sendable(reply, context);
    let lang = reply.lang;
    let m = app
        .store
        .ministry(ministry)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no ministry {ministry}"));
    let heading = bold(&format!("{} ({})", m.name.get(lang), m.abbr));
    let (mut expected, shown) = match area {
        Some(id) => {
            let a = m
                .areas
                .iter()
                .find(|a| a.id == id)
                .unwrap_or_else(|| panic!("{ministry} has no area {id}"));
            let led = app
                .engine
                .string(lang, "area_led_by")
                .replace("{area}", a.name.get(lang));
            (format!("{}\n{heading}", escape(&led)), a.name.get(lang))
        }
        None => (heading, m.name.get(lang)),
    };
    if let Some(query) = typed {
        expected = format!("{}{expected}", showing_note(app, lang, query, shown));
    }
    assert!(
        reply.text.starts_with(&expected),
        "{context}: expected the card starting {expected:?}, got:\n{}",
        reply.text
    );
    let acts = actions(reply);
    assert!(
        acts.contains(&Action::Contacts) && acts.contains(&Action::Main),
        "{context}: the card lacks its back row: {acts:?}"
    );
}

/// Looks `query` up in the index and through the engine (as free text and as `/contact`), and
/// asserts all three land on `ministry` / `area`: exactly as typed (no note), or, when the
/// query is `corrected`, by a typo or with words left unused (and then the card says what it
/// shows).
async fn assert_finds_as(
    app: &TestApp,
    query: &str,
    ministry: &str,
    area: Option<&str>,
    corrected: bool,
) {
    let index = app.index().await;
    assert_eq!(
        index.lookup(query),
        Lookup {
            found: Found::One(target(ministry, area)),
            as_typed: !corrected,
            institution: None,
        },
        "index lookup of {query:?}"
    );
    let typed = corrected.then(|| query.trim());
    let reply = app.ask(query).await;
    assert_card(
        app,
        &reply,
        ministry,
        area,
        typed,
        &format!("text {query:?}"),
    )
    .await;
    let reply = app.ask(&format!("/contact {query}")).await;
    let context = format!("/contact {query:?}");
    assert_card(app, &reply, ministry, area, typed, &context).await;
}

/// [`assert_finds_as`] for a query matched exactly as typed.
async fn assert_finds(app: &TestApp, query: &str, ministry: &str, area: Option<&str>) {
    assert_finds_as(app, query, ministry, area, false).await;
}

#[tokio::test]
async fn latvian_case_forms_and_a_typo_find_the_health_area() {
    let app = spawn_engine().await;
    for query in [
        "veselība",
        "veseliba",
        "VESELĪBAS",
        "veselību",
        "veselībai",
        "  Veselība!  ",
    ] {
        assert_finds(&app, query, "vm", Some("veseliba")).await;
    }
    // A typo finds it too, and the card says what it shows.
    assert_finds_as(&app, "veslība", "vm", Some("veseliba"), true).await;
}

#[tokio::test]
async fn the_card_shows_the_ministry_name_area_and_fallback_contact() {
    let app = spawn_engine().await;
    let reply = app.ask("/contact veselība").await;
    assert!(
        reply
            .text
            .starts_with("Jomu „veselība” vada:\n<b>Veselības ministrija (VM)</b>")
    );
    // VM publishes no NGO contact: the card says where to look for one.
    assert!(
        reply
            .text
            .contains("https://www.mk.gov.lv/lv/padomi-un-resursi"),
        "{}",
        reply.text
    );
    assert!(actions(&reply).contains(&Action::Lesson(6)));
    assert_eq!(reply.placement, Placement::New);
}

#[tokio::test]
async fn an_abbreviation_finds_the_ministry_itself() {
    let app = spawn_engine().await;
    for query in ["VM", "vm", "@VM"] {
        assert_finds(&app, query, "vm", None).await;
    }
}

#[tokio::test]
async fn english_names_find_the_same_area_and_ministry() {
    let mut app = spawn_engine().await;
    assert_finds(&app, "health", "vm", Some("veseliba")).await;
    assert_finds(&app, "Ministry of Health", "vm", None).await;
    // An English-speaking user gets the same card in English.
    app.language_code = Some("en".into());
    let reply = app.ask("health").await;
    assert_eq!(reply.lang, Lang::En);
    assert!(
        reply
            .text
            .starts_with("The area “health” is led by:\n<b>Ministry of Health (VM)</b>"),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn am_with_a_macron_is_foreign_affairs_and_am_without_is_defence() {
    let app = spawn_engine().await;
    assert_finds(&app, "ĀM", "arm", None).await;
    assert_finds(&app, "ām", "arm", None).await;
    assert_finds(&app, "AM", "am", None).await;
    let reply = app.ask("ĀM").await;
    assert!(reply.text.starts_with("<b>Ārlietu ministrija (ĀM)</b>"));
    let reply = app.ask("AM").await;
    assert!(
        reply
            .text
            .starts_with("<b>Aizsardzības ministrija (AM)</b>")
    );
}

#[tokio::test]
async fn a_two_word_area_name_finds_environmental_protection() {
    let app = spawn_engine().await;
    for query in [
        "vides aizsardzība",
        "vides aizsardzības",
        "environmental protection",
    ] {
        assert_finds(&app, query, "kem", Some("vides_aizsardziba")).await;
    }
}

#[tokio::test]
async fn two_areas_of_one_ministry_find_that_ministry() {
    let app = spawn_engine().await;
    for query in ["izglītība un zinātne", "education and science"] {
        assert_finds(&app, query, "izm", None).await;
    }
}

#[tokio::test]
async fn justice_in_latvian_and_english() {
    let app = spawn_engine().await;
    for query in ["tieslietām", "tieslietas", "justice"] {
        assert_finds(&app, query, "tm", Some("tieslietas")).await;
    }
}

#[tokio::test]
async fn areas_of_two_ministries_offer_a_choice() {
    let app = spawn_engine().await;
    let query = "izglītība un veselība";
    let found = app.index().await.find(query);
    let Found::Choice(mut targets) = found else {
        panic!("expected a choice, got {found:?}");
    };
    targets.sort_by(|a, b| a.ministry.cmp(&b.ministry));
    assert_eq!(
        targets,
        vec![
            target("izm", Some("izglitiba")),
            target("vm", Some("veseliba"))
        ]
    );

    let reply = app.ask(query).await;
    assert_sendable(&reply, "choice");
    let question = app
        .engine
        .string(Lang::Lv, "ambiguous")
        .replace("{query}", query);
    assert_eq!(reply.text, escape(&question));
    assert_eq!(
        actions(&reply),
        vec![
            Action::Area("izglitiba".into()),
            Action::Area("veseliba".into()),
            Action::Main
        ]
    );
    let labels: Vec<&str> = reply.buttons.iter().flatten().map(|b| b.label()).collect();
    assert_eq!(labels[..2], ["Izglītība (IZM)", "Veselība (VM)"]);

    // Choosing one shows its card, in place of the question.
    let card = app.press(&Action::Area("veseliba".into())).await;
    assert_card(&app, &card, "vm", Some("veseliba"), None, "chosen area").await;
    assert_eq!(card.placement, Placement::Edit);
}

#[tokio::test]
async fn an_unknown_word_gets_a_polite_not_found_with_a_way_back() {
    let app = spawn_engine().await;
    assert!(matches!(
        app.index().await.find("asdfqwer"),
        Found::Nothing(_)
    ));
    let not_found = app
        .engine
        .string(Lang::Lv, "not_found")
        .replace("{query}", "asdfqwer");
    let error = app.ui(Lang::Lv, "error");
    for text in ["asdfqwer", "/contact asdfqwer", "/kontakts asdfqwer"] {
        let reply = app.ask(text).await;
        assert_sendable(&reply, text);
        assert!(
            reply.text.starts_with(&escape(&not_found)),
            "{text}: {}",
            reply.text
        );
        assert!(!reply.text.contains(&error), "{text}: an error reply");
        let acts = actions(&reply);
        assert_eq!(acts.last(), Some(&Action::Main), "{text}: {acts:?}");
        assert!(acts.contains(&Action::Contacts), "{text}: {acts:?}");
    }
}

#[tokio::test]
async fn a_very_long_query_is_cut_and_still_found() {
    let app = spawn_engine().await;
    let long = "veselība ".repeat(455);
    assert!(long.chars().count() >= 4000);
    let reply = app.ask(&long).await;
    assert_card(&app, &reply, "vm", Some("veseliba"), None, "long query").await;
}

/// Renames, in every file of the content copy, each word that begins with one of `stems`
/// (`sport` → `zzsport`), so that the content names no such thing anywhere.
fn without_words(app: &TestApp, stems: &[&str]) {
    for entry in std::fs::read_dir(&app.content_dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        'text: while let Some(c) = rest.chars().next() {
            let starts_word = !out.chars().next_back().is_some_and(char::is_alphanumeric);
            if starts_word {
                for stem in stems {
                    let head: String = rest.chars().take(stem.chars().count()).collect();
                    if head.to_lowercase() == *stem {
                        out.push_str("zz");
                        out.push_str(&head);
                        rest = &rest[head.len()..];
                        continue 'text;
                    }
                }
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        std::fs::write(&path, out).unwrap();
    }
}

/// Asserts that `reply` is no ministry's card: a "not found" answer whose choices may name
/// other areas, but only as buttons.
fn assert_not_a_card(app: &TestApp, reply: &lidzdaliba_bot::engine::Reply, query: &str) {
    assert_sendable(reply, query);
    let not_found = app
        .engine
        .string(reply.lang, "not_found")
        .replace("{query}", query);
    assert!(
        reply.text.starts_with(&escape(&not_found)),
        "{query}: expected \"not found\", got:\n{}",
        reply.text
    );
    assert!(!reply.text.contains("<b>"), "{query}: {}", reply.text);
}

#[tokio::test]
async fn a_real_word_is_never_read_as_a_typo_of_another_area() {
    // Content that names neither sport nor construction anywhere: `sports` is one letter
    // from `ports` (SM) and `būvniecība` two from `jūrniecība` (SM), yet neither is a typo.
    let app = spawn_engine().await;
    without_words(&app, &["sport", "būvniec", "buvniec"]);
    lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
        .await
        .unwrap();
    app.engine.reload().await.unwrap();
    let index = app.index().await;
    assert_eq!(
        index.find("ports"),
        Found::One(target("sm", Some("jurnieciba")))
    );
    for query in ["sports", "sport", "Sporta", "būvniecība", "buvniecibas"] {
        assert_eq!(index.find(query), Found::Nothing(Vec::new()), "{query}");
        for text in [query.to_string(), format!("/contact {query}")] {
            let reply = app.ask(&text).await;
            assert_not_a_card(&app, &reply, query);
        }
    }
    // What a typo-corrected search or the nearest names find is offered to choose from.
    let reply = app.ask("/contact sports").await;
    let suggest = app.ui(Lang::Lv, "not_found_suggest");
    assert!(reply.text.contains(&suggest), "{}", reply.text);
    assert!(
        actions(&reply).contains(&Action::Area("jurnieciba".into())),
        "{:?}",
        actions(&reply)
    );
}

#[tokio::test]
async fn sport_and_construction_are_never_the_transport_ministry() {
    // Whatever the content says of sport and construction, the transport ministry's card is
    // not the answer to them.
    let app = spawn_engine().await;
    let index = app.index().await;
    let sm = app
        .store
        .ministry("sm")
        .await
        .unwrap()
        .expect("the SM exists");
    let sm_heading = bold(&format!("{} ({})", sm.name.lv, sm.abbr));
    for query in ["sports", "sport", "sporta", "būvniecība", "būvniecības"] {
        let found = index.find(query);
        let sm_answer = match &found {
            Found::One(t) => t.ministry == "sm",
            Found::Choice(ts) => ts.iter().any(|t| t.ministry == "sm"),
            Found::Nothing(_) => false,
        };
        assert!(!sm_answer, "{query}: {found:?}");
        for text in [query.to_string(), format!("/contact {query}")] {
            let reply = app.ask(&text).await;
            assert_sendable(&reply, &text);
            assert!(!reply.text.contains(&sm_heading), "{text}: {}", reply.text);
        }
    }
}

#[tokio::test]
async fn a_typo_answer_says_what_it_shows_in_both_languages() {
    let app = spawn_engine().await;
    for text in ["/contact veslība", "veslība", "/kontakts veslība"] {
        let reply = app.ask(text).await;
        assert!(
            reply
                .text
                .starts_with("Jūs rakstījāt „veslība”; rādu: veselība.\n\n"),
            "{text}: {}",
            reply.text
        );
        assert!(reply.text.contains("<b>Veselības ministrija (VM)</b>"));
    }
    let reply = app.ask_as(7, Some("en"), "/contact veslība").await;
    assert!(
        reply
            .text
            .starts_with("You wrote “veslība”; showing: health.\n\n"),
        "{}",
        reply.text
    );
    // The lesson found through a typo says it too.
    let reply = app.ask("/lessons veslība").await;
    let exact = app.ask("/lessons veselība").await;
    assert_eq!(
        reply.text,
        format!("Jūs rakstījāt „veslība”; rādu: veselība.\n\n{}", exact.text)
    );
    // What was typed exactly gets no note.
    for text in [
        "/contact veselība",
        "/contact VESELĪBAS",
        "/contact VM",
        "/lessons veselība",
    ] {
        let reply = app.ask(text).await;
        assert!(!reply.text.contains("rādu:"), "{text}: {}", reply.text);
    }
    // Words that matched nothing are not dropped: a phrase is not its one known word, so
    // the answer is what the texts hold (or "not found"), never a card of that word.
    let led = app
        .engine
        .string(Lang::Lv, "area_led_by")
        .replace("{area}", "veselība");
    for text in ["/contact veselība zzqqx", "veselības zzqqx"] {
        let reply = app.ask(text).await;
        assert_sendable(&reply, text);
        assert!(!reply.text.contains("rādu:"), "{text}: {}", reply.text);
        assert!(
            !reply.text.contains(&escape(&led)),
            "{text}: {}",
            reply.text
        );
    }
}

/// A small deterministic generator of hostile strings.
fn hostile_strings(count: usize) -> Vec<String> {
    let pieces: &[&str] = &[
        "<",
        ">",
        "&",
        "\"",
        "'",
        ";",
        "&amp;",
        "&lt;",
        "&#",
        "<b>",
        "</b>",
        "<a href=\"x\">",
        "</a>",
        "<script>",
        "ā",
        "ž",
        "ķ",
        "„",
        "”",
        "\u{0}",
        "\u{7}",
        "\u{202e}",
        "\u{200f}",
        "\u{200d}",
        "\u{feff}",
        "\u{0304}",
        "🙂",
        "👨‍👩‍👧",
        "🇱🇻",
        "\r",
        "\n",
        "\t",
        " ",
        "  ",
        "/",
        "@",
        "#",
        "{query}",
        "%s",
        "\\",
        "veselība",
        "VM",
        "un",
        "a",
        "Z",
        "9",
        "'; DROP TABLE x;--",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 24) as usize + 1;
            (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn hostile_and_huge_messages_get_valid_telegram_html() {
    let app = spawn_engine().await;
    let error = app.ui(Lang::Lv, "error");
    let mut inputs: Vec<String> = vec![
        "x".repeat(4096),
        "<".repeat(4096),
        "&".repeat(4096),
        "ā".repeat(4096),
        "🙂".repeat(2048),
        "<b>bold</b> <i>x</i> <script>alert(1)</script>".into(),
        "<a href=\"javascript:alert(1)\">x</a>".into(),
        "'; DROP TABLE x;--".into(),
        "veselība'; DROP TABLE aliases;--".into(),
        "\" OR 1=1 --".into(),
        "a\u{0}b\u{0}".into(),
        "\u{0}".into(),
        "\u{202e}ābiles\u{202c} \u{200f}".into(),
        "👨‍👩‍👧 🇱🇻 🙂🙂".into(),
        "a&āāāāāā".into(),
        "&amp;ā&quot;ā&lt;āā&gt;".into(),
        "&nbsp;&#x;&#99999999999;".into(),
        "{query} {command} %s %n".into(),
        "   ".into(),
        "@".into(),
        "/".into(),
        "//".into(),
    ];
    inputs.extend(hostile_strings(250));
    for s in &inputs {
        let texts = [
            s.clone(),
            format!("/contact {s}"),
            format!("/lessons {s}"),
            format!("/guidelines {s}"),
            format!("/language {s}"),
            format!("/{s}"),
        ];
        for text in &texts {
            let shown: String = text.chars().take(40).collect();
            let reply = app.ask(text).await;
            // The whole text as context: the check allows the person's own `{braces}`.
            assert_sendable(&reply, text);
            assert!(
                !reply.text.contains(&error),
                "{shown:?} gave the error reply"
            );
        }
    }
    // The database is intact after all that.
    assert_finds(&app, "veselība", "vm", Some("veseliba")).await;
}

#[tokio::test]
async fn an_agency_or_its_business_answers_with_its_ministry_and_its_own_site() {
    let app = spawn_engine().await;
    for text in [
        "/contact CSDD",
        "/contact tehniskā apskate",
        "kur vērsties par tehnisko apskati",
    ] {
        let reply = app.ask(text).await;
        assert_sendable(&reply, text);
        assert!(
            reply.text.starts_with(
                "<b>CSDD (Ceļu satiksmes drošības direkcija) ir Satiksmes ministrijas padotībā.</b>"
            ),
            "{text}: {}",
            reply.text
        );
        assert!(
            reply.text.contains("<b>Satiksmes ministrija (SM)</b>"),
            "{text}"
        );
        assert!(
            reply
                .text
                .contains(r#"<a href="https://www.csdd.lv">csdd.lv</a>"#),
            "{text}: {}",
            reply.text
        );
        // What it is for and the page that says so are folded with the other sources.
        let fold = reply
            .text
            .find("<blockquote expandable>")
            .expect("a folded part");
        let business = reply
            .text
            .find("Pie tās vēršas par šo")
            .expect("its business");
        assert!(business > fold, "{text}: the business is folded");
    }
    let reply = app
        .ask_as(7, Some("en"), "/contact technical inspection")
        .await;
    assert!(
        reply.text.starts_with(
            "<b>CSDD (Road Traffic Safety Directorate) is under the Ministry of Transport.</b>"
        ),
        "{}",
        reply.text
    );
    // A phrase that names an agency's business is that agency, not one of its words' areas.
    let reply = app.ask("/contact datu aizsardzība").await;
    assert!(
        reply.text.contains("ir Tieslietu ministrijas padotībā"),
        "{}",
        reply.text
    );
    assert!(
        !reply.text.contains("Aizsardzības ministrija"),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn a_body_that_no_ministry_leads_says_so_and_where_to_turn() {
    let app = spawn_engine().await;
    for (text, name) in [
        ("/contact Saeima", "Latvijas Republikas Saeima"),
        ("vēlēšanas", "Centrālā vēlēšanu komisija"),
        ("kas atbild par vēlēšanām", "Centrālā vēlēšanu komisija"),
        ("/contact tiesībsargs", "Tiesībsargs"),
    ] {
        let reply = app.ask(text).await;
        assert_sendable(&reply, text);
        assert!(
            reply.text.starts_with(&format!("<b>{name}")),
            "{text}: {}",
            reply.text
        );
        assert!(
            reply.text.contains("Šo iestādi nevada neviena ministrija."),
            "{text}: {}",
            reply.text
        );
        assert!(reply.text.contains("<b>Kur vērsties</b>"), "{text}");
        assert!(
            !reply.text.contains(" ministrija ("),
            "{text}: {}",
            reply.text
        );
        let fold = reply
            .text
            .find("<blockquote expandable>")
            .expect("folded sources");
        assert!(reply.text[fold..].contains("<b>Avoti</b>"), "{text}");
    }
}

#[tokio::test]
async fn a_real_word_is_answered_as_itself_or_not_at_all_never_as_another_word() {
    let app = spawn_engine().await;
    // Hunting is a word of its own (ZM's forests), not a slip of "mediji" (KM).
    assert_finds(&app, "medības", "zm", Some("mezi")).await;
    // "būs" (will be) is not the English "bus", "var" (can) not VARAM, and the weather is
    // no ministry's.
    // (The texts may still hold the words: a list of search results is no card.)
    for text in ["kāds būs laiks rīt", "būs", "var", "kur var"] {
        let reply = app.ask(text).await;
        assert_sendable(&reply, text);
        assert!(!reply.text.starts_with("<b>"), "{text}: {}", reply.text);
        assert!(!reply.text.contains("rādu:"), "{text}: {}", reply.text);
        for ministry in ["(SM)</b>", "(VARAM)</b>"] {
            assert!(!reply.text.contains(ministry), "{text}: {}", reply.text);
        }
    }
    // A question is its content words; the question words are never matched.
    assert_finds(
        &app,
        "kur var sūdzēties par ģimenes ārstu",
        "vm",
        Some("veseliba"),
    )
    .await;
    assert_finds(
        &app,
        "who is responsible for health",
        "vm",
        Some("veseliba"),
    )
    .await;
}

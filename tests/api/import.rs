//! Importing `content/` into the cache: skipping unchanged content, listing every problem of
//! invalid content as `file:line: message`, keeping the last good cache, taking new content.

use std::path::Path;

use lidzdaliba_bot::content::{self, ContentErrors};
use lidzdaliba_bot::engine::{Engine, EngineError};
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::store::{ImportOutcome, Store, SyncError};

use crate::helpers::{append_ministry, content_copy, edit, line_of, spawn_engine};

#[tokio::test]
async fn a_second_sync_of_unchanged_content_does_nothing() {
    let app = spawn_engine().await;
    let ImportOutcome::Imported {
        hash,
        lessons,
        ministries,
        contacts,
    } = app.first_import.clone()
    else {
        panic!("the first sync must import, got {:?}", app.first_import);
    };
    assert_eq!((lessons, ministries), (10, 15));
    assert!(contacts > 0);
    assert_eq!(hash.as_str().len(), 64);

    // Mark the cache behind the importer's back: a re-import would overwrite the mark.
    sqlx::query("UPDATE content_snapshot SET imported_at = 'MARK'")
        .execute(app.store.pool())
        .await
        .unwrap();
    // Rewriting a file with the same bytes changes nothing either: the hash is of the content.
    let path = app.content_dir.join("ministries.toml");
    std::fs::write(&path, std::fs::read(&path).unwrap()).unwrap();

    let outcome = lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
        .await
        .unwrap();
    assert_eq!(outcome, ImportOutcome::Unchanged { hash: hash.clone() });
    let info = app.store.content_info().await.unwrap().unwrap();
    assert_eq!(
        info.imported_at, "MARK",
        "unchanged content must not be re-imported"
    );
    assert_eq!(info.hash, hash);
}

/// A copy of the content with the first `from` in `file` replaced by `to`; the problems that
/// `content::load_dir` reports for it, and the path shown for `file`.
fn broken(file: &str, from: &str, to: &str) -> (tempfile::TempDir, String, usize, Vec<String>) {
    let (guard, dir) = content_copy();
    let line = edit(&dir, file, from, to);
    let problems = problems_of(&dir);
    let shown = dir.join(file).display().to_string();
    (guard, shown, line, problems)
}

fn problems_of(dir: &Path) -> Vec<String> {
    match content::load_dir(dir) {
        Ok(_) => panic!("broken content in {} was accepted", dir.display()),
        Err(ContentErrors(problems)) => problems.iter().map(ToString::to_string).collect(),
    }
}

fn original(file: &str) -> String {
    std::fs::read_to_string(crate::helpers::content_source().join(file)).unwrap()
}

/// Asserts that `problems` holds exactly `file:line: message`.
#[track_caller]
fn assert_problem(problems: &[String], file: &str, line: usize, message: &str) {
    let expected = format!("{file}:{line}: {message}");
    assert!(
        problems.contains(&expected),
        "expected the problem\n  {expected}\namong\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_repository_content_is_valid() {
    let (_, c) =
        content::load_dir(&crate::helpers::content_source()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.lessons.len(), 10);
    assert_eq!(c.ministries.len(), 15);
}

#[test]
fn bad_toml_syntax_names_the_file_and_line() {
    let (_g, file, line, problems) = broken("lessons.toml", "number = 6\n", "number = = 6\n");
    let prefix = format!("{file}:{line}: invalid TOML: ");
    assert!(
        problems.iter().all(|p| p.starts_with(&prefix)),
        "expected every problem to start with {prefix:?}: {problems:#?}"
    );
    assert!(!problems.is_empty());
}

#[test]
fn a_missing_required_field_points_at_its_table() {
    let header = line_of(&original("lessons.toml"), "[[lesson]]\nnumber = 6\n");
    let (_g, file, _, problems) = broken(
        "lessons.toml",
        "number = 6\narea = \"veseliba\"\n",
        "number = 6\n",
    );
    assert_problem(
        &problems,
        &file,
        header,
        "[[lesson]]: missing required field 'area'",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn a_missing_translation_names_the_key_and_language() {
    let (_g, file, _, problems) = broken(
        "ministries.toml",
        "name.lv = \"veselība\"\nname.en = \"health\"\n",
        "name.lv = \"veselība\"\n",
    );
    let line = line_of(&original("ministries.toml"), "name.lv = \"veselība\"");
    assert_problem(
        &problems,
        &file,
        line,
        "[[ministry.area]]: missing English translation 'name.en'",
    );
}

#[test]
fn a_duplicate_lesson_number_names_both_lines() {
    let text = original("lessons.toml");
    let first = line_of(&text, "[[lesson]]\nnumber = 6\n");
    let second = line_of(&text, "[[lesson]]\nnumber = 7\n");
    let (_g, file, _, problems) = broken("lessons.toml", "number = 7\n", "number = 6\n");
    assert_problem(
        &problems,
        &file,
        second,
        &format!("duplicate lesson number 6 (first at line {first})"),
    );
}

#[test]
fn a_duplicate_area_id_names_both_lines() {
    let text = original("ministries.toml");
    let first = line_of(&text, "[[ministry.area]]\nid = \"izglitiba\"");
    let second = line_of(&text, "[[ministry.area]]\nid = \"zinatne\"");
    let (_g, file, _, problems) =
        broken("ministries.toml", "id = \"zinatne\"", "id = \"izglitiba\"");
    assert_problem(
        &problems,
        &file,
        second,
        &format!("duplicate area id 'izglitiba' (first at line {first})"),
    );
}

#[test]
fn an_alias_claimed_by_two_ministries_is_refused() {
    // "defence" is the English name of AM's area; give it to VM too.
    let text = original("ministries.toml");
    let first = line_of(&text, "[[ministry.area]]\nid = \"aizsardziba\"");
    let (_g, file, line, problems) = broken(
        "ministries.toml",
        "  \"health ministry\",\n",
        "  \"health ministry\",\n  \"Defence\",\n",
    );
    assert_problem(
        &problems,
        &file,
        line + 1,
        &format!("alias 'Defence' is claimed by both AM (line {first}) and VM"),
    );
}

#[test]
fn an_area_abbreviation_that_is_another_ministrys_abbreviation_is_refused() {
    // An area alias in capitals is an abbreviation; `VM` is the health ministry's.
    let (_g, file, line, problems) =
        broken("ministries.toml", "  \"pvn\",\n", "  \"pvn\",\n  \"VM\",\n");
    // The added line moves VM's entry one line down.
    let text = original("ministries.toml");
    let vm = line_of(&text, "[[ministry]]\nid = \"vm\"") + 1;
    assert_problem(
        &problems,
        &file,
        vm,
        &format!(
            "alias 'VM' is claimed by both FM (line {}) and VM",
            line + 1
        ),
    );
}

#[test]
fn a_malformed_email_is_refused() {
    let (_g, file, line, problems) = broken(
        "ministries.toml",
        "email = \"Agnija.Lauska@mod.gov.lv\"",
        "email = \"Agnija.Lauska[at]mod.gov.lv\"",
    );
    assert_problem(
        &problems,
        &file,
        line,
        "[[ministry.contact]]: 'email' = 'Agnija.Lauska[at]mod.gov.lv' is not an e-mail address",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn a_malformed_url_is_refused() {
    let (_g, file, line, problems) = broken(
        "ministries.toml",
        "website = \"https://www.vm.gov.lv\"",
        "website = \"http://www.vm.gov.lv\"",
    );
    assert_problem(
        &problems,
        &file,
        line,
        "[[ministry]]: 'website' = 'http://www.vm.gov.lv' is not a valid https:// or tg:// URL",
    );
    let (_g, file, line, problems) = broken(
        "resources.toml",
        "url = \"https://",
        "url = \"javascript:alert(1)//",
    );
    assert!(
        problems.iter().any(|p| p.starts_with(&format!(
            "{file}:{line}: [[resource]]: 'url' = 'javascript:"
        )) && p.ends_with("is not a valid https:// or tg:// URL")),
        "{problems:#?}"
    );
}

#[test]
fn a_malformed_phone_is_refused() {
    let (_g, file, line, problems) = broken(
        "ministries.toml",
        "phone = \"67335219\"",
        "phone = \"6708293\"",
    );
    assert_problem(
        &problems,
        &file,
        line,
        "[[ministry.contact]]: 'phone' = '6708293' is not a phone number (8 digits, optionally after +371)",
    );
}

#[test]
fn a_text_too_long_for_one_message_is_refused_counting_utf16() {
    // 1501 emoji are 1501 characters but 3002 UTF-16 units.
    let long = "🙂".repeat(1501);
    let (_g, file, line, problems) = broken(
        "lessons.toml",
        "title.en = \"Health\"",
        &format!("title.en = \"{long}\""),
    );
    assert_problem(
        &problems,
        &file,
        line,
        "[[lesson]]: 'title.en' is 3002 UTF-16 units long; at most 3000 fit one Telegram message with the rest of the card",
    );
    // Exactly 3000 units is allowed.
    let (_g, dir) = content_copy();
    edit(
        &dir,
        "lessons.toml",
        "title.en = \"Health\"",
        &format!("title.en = \"{}\"", "🙂".repeat(1500)),
    );
    content::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
}

/// The bot's profile texts have Telegram's own limits (`setMyDescription` 512,
/// `setMyShortDescription` 120); a longer one would be refused at every start.
#[test]
fn profile_texts_longer_than_telegram_allows_are_refused() {
    let text = original("ui.toml");
    let short_lv = text
        .lines()
        .skip_while(|l| *l != "[bot_short_description]")
        .nth(1)
        .expect("ui.toml has bot_short_description.lv")
        .to_string();
    // 61 emoji: 61 characters, 122 UTF-16 units.
    let (_g, file, line, problems) = broken(
        "ui.toml",
        &short_lv,
        &format!("lv = \"{}\"", "🙂".repeat(61)),
    );
    assert_problem(
        &problems,
        &file,
        line,
        "[bot_short_description]: 'bot_short_description.lv' is 122 UTF-16 units long; Telegram allows 120 in the bot's profile",
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    let description_en = text
        .lines()
        .skip_while(|l| *l != "[bot_description]")
        .nth(2)
        .expect("ui.toml has bot_description.en")
        .to_string();
    let (_g, file, line, problems) = broken(
        "ui.toml",
        &description_en,
        &format!("en = \"{}\"", "a".repeat(513)),
    );
    assert_problem(
        &problems,
        &file,
        line,
        "[bot_description]: 'bot_description.en' is 513 UTF-16 units long; Telegram allows 512 in the bot's profile",
    );
    // Exactly at the limit is allowed.
    let (_g, dir) = content_copy();
    edit(
        &dir,
        "ui.toml",
        &short_lv,
        &format!("lv = \"{}\"", "🙂".repeat(60)),
    );
    edit(
        &dir,
        "ui.toml",
        &description_en,
        &format!("en = \"{}\"", "a".repeat(512)),
    );
    content::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn an_unknown_field_is_refused() {
    let (_g, file, line, problems) = broken(
        "lessons.toml",
        "number = 6\n",
        "number = 6\ncolour = \"red\"\n",
    );
    assert_problem(
        &problems,
        &file,
        line + 1,
        "[[lesson]]: unknown field 'colour' (expected one of: number, area, title, learn, date, guest, video, sources)",
    );
}

#[test]
fn a_missing_file_is_a_problem_not_a_crash() {
    let (_g, dir) = content_copy();
    std::fs::remove_file(dir.join("ui.toml")).unwrap();
    let problems = problems_of(&dir);
    let prefix = format!("{}:1: cannot read the file", dir.join("ui.toml").display());
    assert!(
        problems.len() == 1 && problems[0].starts_with(&prefix),
        "{problems:#?}"
    );
}

#[test]
fn every_problem_is_listed_not_only_the_first() {
    let (_g, dir) = content_copy();
    let phone = edit(
        &dir,
        "ministries.toml",
        "phone = \"67335219\"",
        "phone = \"1\"",
    );
    let website = edit(
        &dir,
        "ministries.toml",
        "website = \"https://www.vm.gov.lv\"",
        "website = \"www.vm.gov.lv\"",
    );
    let unknown = edit(
        &dir,
        "lessons.toml",
        "number = 6\n",
        "number = 6\nfoo = 1\n",
    ) + 1;
    let problems = problems_of(&dir);
    let ministries = dir.join("ministries.toml").display().to_string();
    let lessons = dir.join("lessons.toml").display().to_string();
    for prefix in [
        format!("{ministries}:{phone}: "),
        format!("{ministries}:{website}: "),
        format!("{lessons}:{unknown}: "),
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(&prefix)),
            "no problem at {prefix}: {problems:#?}"
        );
    }
}

#[tokio::test]
async fn invalid_content_keeps_the_last_good_cache() {
    let app = spawn_engine().await;
    let good = app.first_import.hash().clone();
    // A valid-looking change and an error in the same edit: nothing of it may reach the cache.
    edit(
        &app.content_dir,
        "ministries.toml",
        "name.lv = \"Veselības ministrija\"",
        "name.lv = \"Jaunā ministrija\"",
    );
    let line = edit(
        &app.content_dir,
        "ministries.toml",
        "phone = \"67335219\"",
        "phone = \"x\"",
    );

    let err = lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
        .await
        .unwrap_err();
    let SyncError::Content { errors, cached } = err else {
        panic!("expected a content error, got {err:?}");
    };
    assert_eq!(cached.as_ref(), Some(&good));
    let shown = format!(
        "{}:{line}: ",
        app.content_dir.join("ministries.toml").display()
    );
    assert!(
        errors.0.iter().any(|p| p.to_string().starts_with(&shown)),
        "{errors}"
    );
    assert_eq!(app.store.content_info().await.unwrap().unwrap().hash, good);

    // Until the engine reloads, it keeps answering from the content it holds in memory.
    let reply = app.ask("/contact veselība").await;
    assert!(
        reply.text.contains("<b>Veselības ministrija (VM)</b>"),
        "{}",
        reply.text
    );

    app.engine.reload().await.unwrap();
    let reply = app.ask("/contact veselība").await;
    assert!(
        reply.text.contains("<b>Veselības ministrija (VM)</b>"),
        "{}",
        reply.text
    );
    assert!(!reply.text.contains("Jaunā"));
}

#[tokio::test]
async fn invalid_content_without_a_cache_reports_no_cached_hash() {
    let (_g, dir) = content_copy();
    edit(
        &dir,
        "ministries.toml",
        "phone = \"67335219\"",
        "phone = \"x\"",
    );
    let db = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/fresh.db", db.path().display()))
        .await
        .unwrap();
    let err = lidzdaliba_bot::engine::import(&store, &dir)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SyncError::Content { cached: None, .. }),
        "{err:?}"
    );
    assert!(store.content_info().await.unwrap().is_none());
    assert!(matches!(
        Engine::new(store, Lang::Lv).await,
        Err(EngineError::NoContent)
    ));
}

#[tokio::test]
async fn changed_valid_content_is_imported_and_shown_after_reload() {
    let app = spawn_engine().await;
    let old = app.first_import.hash().clone();
    edit(
        &app.content_dir,
        "ministries.toml",
        "name.lv = \"Veselības ministrija\"",
        "name.lv = \"Veselības un labbūtības ministrija\"",
    );
    edit(
        &app.content_dir,
        "ministries.toml",
        "  \"health ministry\",\n",
        "  \"health ministry\",\n  \"labbūtība\",\n",
    );
    let outcome = lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
        .await
        .unwrap();
    let ImportOutcome::Imported {
        hash,
        lessons,
        ministries,
        ..
    } = &outcome
    else {
        panic!("expected an import, got {outcome:?}");
    };
    assert_ne!(*hash, old);
    assert_eq!((*lessons, *ministries), (10, 15));

    // Until the engine reloads, it keeps answering from the content it holds in memory.
    let reply = app.ask("/contact veselība").await;
    assert!(
        reply.text.contains("<b>Veselības ministrija (VM)</b>"),
        "{}",
        reply.text
    );

    app.engine.reload().await.unwrap();
    let reply = app.ask("/contact veselība").await;
    assert!(
        reply
            .text
            .contains("<b>Veselības un labbūtības ministrija (VM)</b>"),
        "{}",
        reply.text
    );
    // The new alias is in the reloaded lookup index.
    let reply = app.ask("labbūtība").await;
    assert!(
        reply
            .text
            .starts_with("<b>Veselības un labbūtības ministrija (VM)</b>"),
        "{}",
        reply.text
    );
    assert_eq!(
        lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
            .await
            .unwrap(),
        ImportOutcome::Unchanged { hash: hash.clone() }
    );
}

/// What the engine keeps in memory is read back from the cache; it must be exactly what the
/// files say, every field of it (the aliases of ministries and areas too): the cache holds the
/// files, and the reader that `check` uses parses them again.
#[tokio::test]
async fn the_cached_content_reads_back_exactly_what_the_files_hold() {
    let app = spawn_engine().await;
    let (_, files) = content::load_dir(&app.content_dir).unwrap();
    let cached = app.store.cached_content().await.unwrap().expect("cached");

    assert_eq!(cached.info.hash, *app.first_import.hash());
    assert_eq!(format!("{:#?}", cached.content), format!("{files:#?}"));
    assert!(
        cached
            .content
            .ministries
            .iter()
            .any(|m| !m.contacts.is_empty())
    );
    assert!(
        cached
            .content
            .ministries
            .iter()
            .any(|m| !m.aliases.is_empty())
    );
    assert!(
        cached
            .content
            .ministries
            .iter()
            .flat_map(|m| &m.areas)
            .any(|a| !a.aliases.is_empty())
    );
    assert_eq!(cached.content.ui.len(), files.ui.len());
    assert!(!cached.terms.is_empty());
    // The store's own readers (for tests and tools) give the same records.
    let vm = app.store.ministry("vm").await.unwrap().unwrap();
    let files_vm = files.ministries.iter().find(|m| m.id == "vm").unwrap();
    assert_eq!(format!("{vm:?}"), format!("{files_vm:?}"));
    let mut lessons = files.lessons.clone();
    lessons.sort_by_key(|l| l.number);
    assert_eq!(
        format!("{:?}", app.store.lessons(None).await.unwrap()),
        format!("{lessons:?}")
    );
    assert_eq!(
        format!("{:?}", app.store.sections("tip", None).await.unwrap()),
        format!("{:?}", files.specialists.tips)
    );
}

/// A damaged snapshot is never served: its text no longer matches its hash.
#[tokio::test]
async fn a_snapshot_that_does_not_match_its_hash_is_refused_as_damaged() {
    let app = spawn_engine().await;
    sqlx::query("UPDATE content_snapshot SET files = replace(files, 'Veselības', 'Veselibas')")
        .execute(app.store.pool())
        .await
        .unwrap();
    let err = app.store.cached_content().await.unwrap_err();
    assert!(err.is_corrupt(), "{err}");
    assert!(err.to_string().contains("does not match its hash"), "{err}");
    assert!(matches!(
        Engine::new(app.store.clone(), Lang::Lv).await,
        Err(EngineError::Store(_))
    ));
}

/// A cache written by a version that read other files cannot be parsed by this one: it is
/// refused with a sentence that says what to do, never half-read; the files in the folder (the
/// ones this version reads, so of another hash) replace it at the next import.
#[tokio::test]
async fn a_snapshot_of_other_files_is_refused_with_what_to_do() {
    let app = spawn_engine().await;
    sqlx::query(
        "UPDATE content_snapshot SET files = json_remove(files, '$[6]'), hash = 'of-six-files'",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let err = app.store.cached_content().await.unwrap_err();
    assert!(!err.is_corrupt(), "{err}");
    assert!(
        err.to_string()
            .contains("holds other files than this version reads"),
        "{err}"
    );
    assert!(err.to_string().contains("content folder"), "{err}");
    let outcome = lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
        .await
        .unwrap();
    assert_eq!(outcome.hash(), app.first_import.hash());
    assert!(
        matches!(outcome, ImportOutcome::Imported { .. }),
        "{outcome:?}"
    );
    let cached = app.store.cached_content().await.unwrap().expect("cached");
    assert_eq!(cached.info.hash, *app.first_import.hash());
}

// ---- content schema v2 -------------------------------------------------------------------

/// A ministry of the tests' own, appended to `ministries.toml` so that the lines are known
/// whatever the real content holds. `area` and `contact` are the bodies of its one area and
/// its one contact. Returns the problems and the line of the appended ministry's first line.
fn appended(area: &str, contact: &str) -> (tempfile::TempDir, String, usize, Vec<String>) {
    let (guard, dir) = content_copy();
    let (file, first) = append_ministry(&dir, area, contact);
    let problems = problems_of(&dir);
    (guard, file, first, problems)
}

/// The appended ministry's `[[ministry.area]]` is this many lines below its `[[ministry]]`;
/// the area's own lines (`area`) follow at +11, then a blank line and the contact.
const AREA_AT: usize = 7;

#[test]
fn an_area_without_sources_is_refused_at_its_line() {
    let contact =
        "kind = \"ngo\"\nemail = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n";
    let (_g, file, first, problems) = appended("", contact);
    assert_problem(
        &problems,
        &file,
        first + AREA_AT,
        "[[ministry.area]]: missing required field 'sources'",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");

    let (_g, file, first, problems) = appended("sources = []\n", contact);
    assert_problem(
        &problems,
        &file,
        first + AREA_AT,
        "[[ministry.area]]: 'sources' needs at least one URL",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn a_contact_needs_a_kind_of_ngo_or_general() {
    let area = "sources = [\"https://likumi.lv/ta/id/1\"]\n";
    let contact_at = |first: usize| first + AREA_AT + 6;
    let (_g, file, first, problems) = appended(
        area,
        "email = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n",
    );
    assert_problem(
        &problems,
        &file,
        contact_at(first),
        "[[ministry.contact]]: missing required field 'kind': \"ngo\" (designated by the ministry \
         for cooperation with NGOs) or \"general\" (the ministry's general contact)",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");

    let (_g, file, first, problems) = appended(
        area,
        "kind = \"person\"\nemail = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n",
    );
    assert_problem(
        &problems,
        &file,
        contact_at(first) + 1,
        "[[ministry.contact]]: 'kind' = 'person' is not \"ngo\" (designated by the ministry \
         for cooperation with NGOs) or \"general\" (the ministry's general contact)",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");

    for kind in ["ngo", "general"] {
        let (_g, dir) = content_copy();
        append_ministry(
            &dir,
            area,
            &format!(
                "kind = \"{kind}\"\nemail = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n"
            ),
        );
        content::load_dir(&dir).unwrap_or_else(|e| panic!("kind = {kind}: {e}"));
    }
}

#[test]
fn checked_is_refused_with_what_replaced_it() {
    let (_g, file, first, problems) = appended(
        "sources = [\"https://likumi.lv/ta/id/1\"]\n",
        "kind = \"ngo\"\nemail = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n\
         checked = \"2026-11-26\"\n",
    );
    assert_problem(
        &problems,
        &file,
        first + AREA_AT + 10,
        "[[ministry.contact]]: 'checked' is no longer used: write the date the source page itself \
         shows as 'source_date' (leave it out if the page shows none) and the day a person \
         verified the entry against the live page as 'verified' (only if someone really did)",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn source_date_and_verified_are_dates_not_in_the_future() {
    let area = "sources = [\"https://likumi.lv/ta/id/1\"]\n";
    let base =
        "kind = \"ngo\"\nemail = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n";
    let today = lidzdaliba_bot::clock::today_in_latvia();
    for key in ["source_date", "verified"] {
        let (_g, file, first, problems) =
            appended(area, &format!("{base}{key} = \"2099-01-01\"\n"));
        assert_problem(
            &problems,
            &file,
            first + AREA_AT + 10,
            &format!(
                "[[ministry.contact]]: '{key}' = '2099-01-01' is in the future (today is {today})"
            ),
        );
        assert_eq!(problems.len(), 1, "{problems:#?}");

        let (_g, file, first, problems) =
            appended(area, &format!("{base}{key} = \"15.09.2020.\"\n"));
        assert_problem(
            &problems,
            &file,
            first + AREA_AT + 10,
            &format!(
                "[[ministry.contact]]: '{key}' = '15.09.2020.' is not a date written YYYY-MM-DD"
            ),
        );
        assert_eq!(problems.len(), 1, "{problems:#?}");
    }
    // Today and the past are fine; both may be left out (the base contact has neither).
    let (_g, dir) = content_copy();
    append_ministry(
        &dir,
        area,
        &format!("{base}source_date = \"2020-09-15\"\nverified = \"{today}\"\n"),
    );
    let (_, c) = content::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let zz = c.ministries.iter().find(|m| m.id == "zz_test").unwrap();
    assert_eq!(zz.contacts[0].source_date.as_deref(), Some("2020-09-15"));
    assert_eq!(zz.contacts[0].verified.as_deref(), Some(today.as_str()));
}

#[test]
fn the_fallback_needs_an_ngo_contact() {
    let (_g, dir) = content_copy();
    append_ministry(
        &dir,
        "sources = [\"https://likumi.lv/ta/id/1\"]\n",
        "kind = \"general\"\nemail = \"pasts@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n",
    );
    let line = edit(
        &dir,
        "meta.toml",
        "fallback = \"vk\"",
        "fallback = \"zz_test\"",
    );
    let problems = problems_of(&dir);
    assert_problem(
        &problems,
        &dir.join("meta.toml").display().to_string(),
        line,
        "fallback 'zz_test' has no [[ministry.contact]] with kind = \"ngo\"",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

/// Every ministry, area, contact, lesson, guideline section, tip and resource knows the file
/// and line it is written on, in the model and in the cache the engine reads.
#[tokio::test]
async fn every_record_knows_its_file_and_line() {
    let app = spawn_engine().await;
    let file = |name: &str| app.content_dir.join(name).display().to_string();
    let text = |name: &str| std::fs::read_to_string(app.content_dir.join(name)).unwrap();
    let ministries_toml = text("ministries.toml");
    let cached = app.store.cached_content().await.unwrap().expect("cached");
    let (_, files) = content::load_dir(&app.content_dir).unwrap();
    // Contacts have no id: the n-th `[[ministry.contact]]` of the file is the n-th contact.
    let contact_lines: Vec<usize> = ministries_toml
        .match_indices("\n[[ministry.contact]]\n")
        .map(|(at, _)| ministries_toml[..at].matches('\n').count() + 2)
        .collect();
    let mut n = 0;
    for m in [&cached.content.ministries, &files.ministries]
        .into_iter()
        .flatten()
    {
        let at = |needle: &str| lidzdaliba_bot::content::Place {
            file: file("ministries.toml"),
            line: line_of(&ministries_toml, needle),
        };
        assert_eq!(m.place, at(&format!("[[ministry]]\nid = \"{}\"", m.id)));
        for a in &m.areas {
            assert_eq!(
                a.place,
                at(&format!("[[ministry.area]]\nid = \"{}\"", a.id))
            );
            assert!(!a.sources.is_empty(), "{}: sources", a.id);
        }
        for k in &m.contacts {
            assert_eq!(k.place.file, file("ministries.toml"));
            assert_eq!(k.place.line, contact_lines[n % contact_lines.len()]);
            n += 1;
        }
    }
    assert_eq!(n, 2 * contact_lines.len());
    let lessons_toml = text("lessons.toml");
    for l in cached.content.lessons.iter().chain(&files.lessons) {
        assert_eq!(l.place.file, file("lessons.toml"));
        let header = format!("[[lesson]]\nnumber = {}\n", l.number);
        assert_eq!(l.place.line, line_of(&lessons_toml, &header));
    }
    for (name, header, sections) in [
        (
            "guidelines.toml",
            "section",
            &cached.content.guidelines.sections,
        ),
        ("guidelines.toml", "section", &files.guidelines.sections),
        ("specialists.toml", "tip", &cached.content.specialists.tips),
        ("specialists.toml", "tip", &files.specialists.tips),
    ] {
        let source = text(name);
        for s in sections {
            assert_eq!(s.place.file, file(name));
            let needle = format!("[[{header}]]\nid = \"{}\"", s.id);
            assert_eq!(s.place.line, line_of(&source, &needle), "{}", s.id);
        }
    }
    let resources_toml = text("resources.toml");
    for r in cached.content.resources.iter().chain(&files.resources) {
        assert_eq!(r.place.file, file("resources.toml"));
        let needle = format!("[[resource]]\nid = \"{}\"", r.id);
        assert_eq!(r.place.line, line_of(&resources_toml, &needle), "{}", r.id);
    }
}

//! Operators' checks of the content: verification dates (`/healthz`, `check --stale`) and the
//! link checker (`check --links`).

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use lidzdaliba_bot::{clock, content, links};

use crate::helpers::{append_ministry, content_copy, edit, spawn_engine};

/// `/healthz` reports the oldest `verified` date and how many contacts were never verified,
/// from the cache; nothing else counts as a verification.
#[tokio::test]
async fn healthz_counts_come_from_verified_dates() {
    let app = spawn_engine().await;
    let before = app.store.content_counts().await.unwrap();
    assert_eq!(before.contacts_never_verified, before.contacts);
    assert_eq!(before.oldest_contact_verified, None);

    let old = clock::day(400);
    let recent = clock::day(3);
    append_ministry(
        &app.content_dir,
        "sources = [\"https://likumi.lv/ta/id/1\"]\n",
        &format!(
            "kind = \"ngo\"\nemail = \"a@example.gov.lv\"\nsource = \"https://www.example.gov.lv/a\"\n\
             verified = \"{recent}\"\n\
             \n[[ministry.contact]]\nkind = \"general\"\nemail = \"b@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/b\"\nverified = \"{old}\"\n\
             \n[[ministry.contact]]\nkind = \"general\"\nphone = \"67000000\"\n\
             source = \"https://www.example.gov.lv/c\"\n"
        ),
    );
    lidzdaliba_bot::engine::import(&app.store, &app.content_dir)
        .await
        .unwrap();
    let after = app.store.content_counts().await.unwrap();
    assert_eq!(after.contacts, before.contacts + 3);
    assert_eq!(after.contacts_never_verified, before.contacts + 1);
    assert_eq!(after.oldest_contact_verified, Some(old));
}

// ---- check --stale -----------------------------------------------------------------------

fn check_command(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lidzdaliba-bot"));
    cmd.env_clear().arg("check").arg("--content").arg(dir);
    cmd
}

#[test]
fn stale_lists_every_contact_not_verified_within_the_days_with_its_place() {
    let (_g, dir) = content_copy();
    let real = content::load_dir(&dir).unwrap().1;
    let real_contacts: usize = real.ministries.iter().map(|m| m.contacts.len()).sum();
    let recent = clock::day(3);
    let old = clock::day(400);
    let (file, first) = append_ministry(
        &dir,
        "sources = [\"https://likumi.lv/ta/id/1\"]\n",
        &format!(
            "kind = \"ngo\"\nemail = \"recent@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/a\"\nverified = \"{recent}\"\n\
             \n[[ministry.contact]]\nkind = \"general\"\nemail = \"old@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/b\"\nverified = \"{old}\"\n\
             \n[[ministry.contact]]\nkind = \"general\"\nemail = \"never@example.gov.lv\"\n\
             source = \"https://www.example.gov.lv/c\"\n"
        ),
    );
    // The appended contacts start 13, 19 and 25 lines below the ministry (see the helper).
    let (old_line, never_line) = (first + 19, first + 25);

    let output = check_command(&dir)
        .args(["--stale", "30"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&format!(
        "{file}:{old_line}: ZZT \"general\" contact old@example.gov.lv: last verified {old} (400 days ago)"
    ).as_str()), "{stdout}");
    assert!(
        lines.contains(
            &format!(
                "{file}:{never_line}: ZZT \"general\" contact never@example.gov.lv: never verified"
            )
            .as_str()
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("recent@example.gov.lv"), "{stdout}");
    // Every real contact is listed too (none is verified), each with its own place.
    for m in &real.ministries {
        for c in &m.contacts {
            assert!(
                stdout.contains(&format!("{}: {} ", c.place, m.abbr)),
                "{}\n{stdout}",
                c.place
            );
        }
    }
    let total = real_contacts + 3;
    assert!(
        stdout.ends_with(&format!(
            "{} of {total} contacts not verified within 30 days ({} never verified)\n",
            real_contacts + 2,
            real_contacts + 1
        )),
        "{stdout}"
    );

    // 500 days reach back to the old verification.
    let output = check_command(&dir)
        .args(["--stale", "500"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    assert!(!stdout.contains("old@example.gov.lv"), "{stdout}");
    assert!(
        stdout.contains("never@example.gov.lv: never verified"),
        "{stdout}"
    );
}

#[test]
fn stale_exits_0_when_everything_was_verified_and_1_on_invalid_content() {
    let (_g, dir) = content_copy();
    let day = clock::day(5);
    let path = dir.join("ministries.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("\nverified = "),
        "the test adds the only verifications"
    );
    std::fs::write(
        &path,
        text.replace(
            "\n[[ministry.contact]]\n",
            &format!("\n[[ministry.contact]]\nverified = \"{day}\"\n"),
        ),
    )
    .unwrap();
    let output = check_command(&dir).args(["--stale", "5"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("contacts were verified within 5 days"),
        "{stdout}"
    );
    let output = check_command(&dir).args(["--stale", "4"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));

    edit(
        &dir,
        "ministries.toml",
        "kind = \"ngo\"",
        "kind = \"person\"",
    );
    let output = check_command(&dir).args(["--stale", "5"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout.contains("'kind' = 'person'"), "{stdout}");
    assert!(!stdout.contains("verified within"), "{stdout}");
}

#[test]
fn help_describes_the_new_flags() {
    let output = Command::new(env!("CARGO_BIN_EXE_lidzdaliba-bot"))
        .env_clear()
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--stale <DAYS>",
        "--links",
        "--timeout <SECONDS>",
        "--concurrency <N>",
    ] {
        assert!(help.contains(flag), "{flag}\n{help}");
    }
    assert!(help.contains("Exit status"), "{help}");
}

// ---- check --links -----------------------------------------------------------------------

/// A web server on 127.0.0.1 with one route per kind of answer; it records the User-Agent of
/// every request and the most requests it had in flight at once.
struct Site {
    base: String,
    agents: Arc<Mutex<Vec<String>>>,
    most_in_flight: Arc<AtomicUsize>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn site() -> Site {
    let agents: Arc<Mutex<Vec<String>>> = Arc::default();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most_in_flight = Arc::new(AtomicUsize::new(0));
    let record = {
        let agents = Arc::clone(&agents);
        move |headers: &HeaderMap| {
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            agents.lock().unwrap().push(agent);
        }
    };
    let slow = {
        let record = record.clone();
        let (now, most) = (Arc::clone(&in_flight), Arc::clone(&most_in_flight));
        move |headers: HeaderMap| async move {
            record(&headers);
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(n, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(150)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            "slow but fine"
        }
    };
    let answer = move |status: StatusCode, location: Option<&'static str>| {
        let record = record.clone();
        move |headers: HeaderMap| async move {
            record(&headers);
            let mut response = (status, "").into_response();
            if let Some(to) = location {
                response
                    .headers_mut()
                    .insert(header::LOCATION, to.parse().unwrap());
            }
            response
        }
    };
    let never = {
        let answer = answer(StatusCode::OK, None);
        move |headers: HeaderMap| async move {
            let _ = answer(headers).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
            "too late"
        }
    };
    let app = Router::new()
        .route("/ok", get(answer(StatusCode::OK, None)))
        .route(
            "/moved",
            get(answer(StatusCode::MOVED_PERMANENTLY, Some("/ok"))),
        )
        .route("/gone", get(answer(StatusCode::NOT_FOUND, None)))
        .route(
            "/error",
            get(answer(StatusCode::INTERNAL_SERVER_ERROR, None)),
        )
        .route("/moved-gone", get(answer(StatusCode::FOUND, Some("/gone"))))
        .route(
            "/loop",
            get(answer(StatusCode::TEMPORARY_REDIRECT, Some("/loop"))),
        )
        .route("/never", get(never))
        .route("/slow/{n}", get(slow));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Site {
        base,
        agents,
        most_in_flight,
        server,
    }
}

/// A content file holding `paths` of the site, one URL a line inside a text (as in a note),
/// the second line holding the first URL again.
fn file_with(site: &Site, paths: &[&str]) -> Vec<(String, String)> {
    let mut text = String::from("note.lv = \"\"\"\n");
    for path in paths {
        text.push_str(&format!("Skatiet {}{path}.\n", site.base));
    }
    text.push_str("\"\"\"\n");
    vec![("content/test.toml".to_string(), text)]
}

#[tokio::test]
async fn links_reports_broken_and_moved_links_with_their_place_and_status() {
    let site = site().await;
    let files = file_with(
        &site,
        &[
            "/ok",
            "/moved",
            "/gone",
            "/error",
            "/never",
            "/moved-gone",
            "/loop",
            "/ok",
        ],
    );
    let found = links::collect(&files);
    assert_eq!(found.len(), 7, "{found:?}");
    assert_eq!(found[0].places.len(), 2, "/ok is written twice");

    let options = links::Options {
        timeout: Duration::from_millis(500),
        concurrency: 4,
    };
    let mut out = Vec::new();
    let summary = links::report(&found, &options, &mut out).await.unwrap();
    let out = String::from_utf8(out).unwrap();
    let b = &site.base;
    let expected = [
        format!("content/test.toml:3: moved (301 Moved Permanently) to {b}/ok: {b}/moved"),
        format!("content/test.toml:4: broken (404 Not Found): {b}/gone"),
        format!("content/test.toml:5: broken (500 Internal Server Error): {b}/error"),
        format!("content/test.toml:6: broken (no answer within 0.5 s): {b}/never"),
        format!(
            "content/test.toml:7: broken (404 Not Found after a redirect to {b}/gone): {b}/moved-gone"
        ),
        format!(
            "content/test.toml:8: broken (more than {} redirects): {b}/loop",
            links::MAX_REDIRECTS
        ),
        "7 links: 1 fine, 1 moved, 5 broken".to_string(),
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected, "{out}");
    assert_eq!(
        summary,
        links::Summary {
            links: 7,
            fine: 1,
            moved: 1,
            broken: 5
        }
    );
    assert_eq!(summary.exit_status(), 1);

    // Every request named the bot and its purpose.
    let agents = site.agents.lock().unwrap().clone();
    assert!(
        agents.len() >= 7 + 1 + 1 + links::MAX_REDIRECTS,
        "{agents:?}"
    );
    assert!(
        agents.iter().all(|a| *a == links::user_agent()),
        "{agents:?}"
    );
    assert!(links::user_agent().starts_with("lidzdaliba-bot/"));
    assert!(links::user_agent().contains("link check"));
}

#[tokio::test]
async fn links_that_only_moved_exit_0_and_requests_stay_within_the_bound() {
    let site = site().await;
    let files = file_with(&site, &["/ok", "/moved"]);
    let mut out = Vec::new();
    let summary = links::report(&links::collect(&files), &Default::default(), &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!((summary.moved, summary.broken), (1, 0), "{out}");
    assert_eq!(summary.exit_status(), 0);

    let paths: Vec<String> = (0..8).map(|n| format!("/slow/{n}")).collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let options = links::Options {
        timeout: Duration::from_secs(5),
        concurrency: 2,
    };
    let outcomes = links::check(&links::collect(&file_with(&site, &paths)), &options).await;
    assert_eq!(outcomes.len(), 8);
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, links::Outcome::Fine(s) if s.as_u16() == 200)),
        "{outcomes:?}"
    );
    let most = site.most_in_flight.load(Ordering::SeqCst);
    assert!((1..=2).contains(&most), "{most} requests at once");
}

/// The checker asks for every URL of every field of the real content (and those inside
/// texts), each once, with a place in the file it is written in.
#[test]
fn links_collects_every_url_of_the_content() {
    let (snapshot, c) = content::load_dir(&crate::helpers::content_source()).unwrap();
    let found = links::collect(&snapshot.files);
    let urls: std::collections::HashSet<&str> = found.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls.len(), found.len(), "each URL once");
    let mut fields: Vec<&String> = vec![&c.meta.source_url];
    fields.extend(&c.series.sources);
    fields.extend(&c.guidelines.sources);
    fields.extend(&c.specialists.sources);
    for l in &c.lessons {
        fields.extend(&l.sources);
        fields.extend(&l.video);
    }
    for s in c.guidelines.sections.iter().chain(&c.specialists.tips) {
        fields.extend(&s.sources);
    }
    for r in &c.resources {
        fields.push(&r.url);
        fields.extend(&r.sources);
    }
    for m in &c.ministries {
        fields.extend(&m.sources);
        fields.extend(&m.website);
        fields.extend(&m.participation_page);
        for a in &m.areas {
            fields.extend(&a.sources);
        }
        for k in &m.contacts {
            fields.push(&k.source);
        }
    }
    for url in fields.iter().filter(|u| u.starts_with("https://")) {
        let bare = url.split('#').next().unwrap();
        assert!(urls.contains(bare), "{url} is not checked");
    }
    // URLs inside texts count too (the ministries' notes name pages of their own).
    for note in c.ministries.iter().filter_map(|m| m.note.as_ref()) {
        for word in note.lv.split_whitespace().chain(note.en.split_whitespace()) {
            if let Some(at) = word.find("https://") {
                let url = word[at..].trim_end_matches(['.', ',', ';', ')']);
                assert!(urls.contains(url), "{url} (in a note) is not checked");
            }
        }
    }
    for link in &found {
        assert!(link.url.starts_with("https://") || link.url.starts_with("http://"));
        for place in &link.places {
            let (_, text) = snapshot
                .files
                .iter()
                .find(|(f, _)| *f == place.file)
                .unwrap();
            let line = text.lines().nth(place.line - 1).unwrap();
            assert!(line.contains(&link.url), "{place}: {line}");
        }
    }
}

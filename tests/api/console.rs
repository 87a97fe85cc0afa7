//! The offline console: in-process over the engine, and the real binary with `console` and
//! `check`.

use std::io::Write;
use std::process::{Command, Stdio};

use lidzdaliba_bot::console;

use crate::helpers::{content_copy, content_source, edit, spawn_engine};

const SCRIPT: &[u8] = b"/contact veseliba\n1\n";

/// Asserts the console transcript of [`SCRIPT`]: the VM card with numbered buttons, then
/// (button 1) lesson 6.
fn assert_transcript(out: &str) {
    let card = out
        .find("Jomu „veselība” vada:\nVeselības ministrija (VM)")
        .unwrap_or_else(|| panic!("no VM card in:\n{out}"));
    let button = out[card..]
        .find("[1] 📚 6. nodarbība: Veselība")
        .map(|i| card + i)
        .unwrap_or_else(|| panic!("no numbered lesson button after the card:\n{out}"));
    // Then 🔔 (VM has nothing open: no count), share, 👍 and 👎, 🚩, Back, and the main
    // menu: button 8, or 9 with "Copy link" beside "Share" once the bot's username is known.
    assert!(out[card..].contains("[2] 🔔 Sekot: VM"), "{out}");
    assert!(out[card..].contains("[3] ↗ Dalīties"), "{out}");
    assert!(out[card..].contains("🚩 Ziņot par kļūdu"), "{out}");
    assert!(
        out[card..].contains("[8] 🏠 Sākums") || out[card..].contains("[9] 🏠 Sākums"),
        "{out}"
    );
    let lesson = out[button..]
        .find("6. nodarbība: Veselība\n\nJoma: veselība")
        .map(|i| button + i)
        .unwrap_or_else(|| panic!("button 1 did not open lesson 6:\n{out}"));
    assert!(
        out[lesson..].contains("Veselības politiku vada Veselības ministrija (VM)."),
        "{out}"
    );
    // Plain text: no tags or entities reach the terminal.
    assert!(!out.contains("<b>") && !out.contains("&amp;") && !out.contains("&quot;"));
}

#[tokio::test]
async fn the_console_shows_the_card_and_presses_a_numbered_button() {
    let app = spawn_engine().await;
    let mut out = Vec::new();
    console::run(&app.engine, SCRIPT, &mut out).await.unwrap();
    assert_transcript(&String::from_utf8(out).unwrap());
}

/// The console prints a card's folded sources and dates plainly, each link as `label
/// (address)`, and a copy button as the text it copies; pressing it prints that text.
#[tokio::test]
async fn the_console_prints_the_folded_sources_and_what_a_copy_button_copies() {
    let app = spawn_engine().await;
    let mut out = Vec::new();
    console::run(&app.engine, &b"/contact sm\n2\n"[..], &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    let next = out.find("Nākamais solis: ").expect(&out);
    let sources = out
        .find("Kontaktinformācijas avots: sam.gov.lv (https://www.sam.gov.lv/lv/sadarbiba-ar-sabiedribas-parstavjiem)")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(next < sources, "the sources come after the answer:\n{out}");
    assert!(
        out.contains("TAP portālā (https://tapportals.mk.gov.lv/)"),
        "{out}"
    );
    assert!(out.contains("Saturs apkopots: 2026. gada"), "{out}");
    assert!(out.contains("[2] 📋 komunikacijas@sam.gov.lv\n"), "{out}");
    assert!(out.contains("→ komunikacijas@sam.gov.lv\n"), "{out}");
    assert!(!out.contains("blockquote"), "{out}");
}

#[tokio::test]
async fn the_console_survives_bad_numbers_and_hostile_lines() {
    let app = spawn_engine().await;
    let script = "7\n/start\n99\n0\na&āāāāāā\n<b>\n\n   \n/language en\n/start\n".as_bytes();
    let mut out = Vec::new();
    console::run(&app.engine, script, &mut out).await.unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("(no button 99; the last reply has 10)"),
        "{out}"
    );
    assert!(out.contains("„a&āāāāāā”"), "{out}");
    assert!(out.contains("„<b>”"), "{out}");
    assert!(out.trim_end().ends_with(&"─".repeat(40)), "{out}");
    assert!(out.contains("[1] 📚 Lessons"), "{out}");
}

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lidzdaliba-bot"));
    for var in [
        "RUST_LOG",
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "DEFAULT_LANGUAGE",
        "BOT_THROTTLE",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn the_binary_console_answers_piped_input() {
    let work = tempfile::tempdir().unwrap();
    let mut child = bin()
        .arg("console")
        .current_dir(work.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/db/console.db", work.path().display()),
        )
        .env("CONTENT_DIR", content_source())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    child.stdin.take().unwrap().write_all(SCRIPT).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    assert_transcript(&stdout);
    assert!(work.path().join("db/console.db").exists());
}

#[test]
fn check_lists_problems_as_file_line_and_exits_1() {
    let (_g, dir) = content_copy();
    let phone = edit(
        &dir,
        "ministries.toml",
        "phone = \"67335219\"",
        "phone = \"1\"",
    );
    let unknown = edit(
        &dir,
        "lessons.toml",
        "number = 6\n",
        "number = 6\nfoo = 1\n",
    ) + 1;
    let output = bin()
        .args(["check", "--content"])
        .arg(&dir)
        .current_dir(dir.parent().unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let ministries = format!("{}:{phone}: ", dir.join("ministries.toml").display());
    let lessons = format!("{}:{unknown}: ", dir.join("lessons.toml").display());
    assert!(lines.iter().any(|l| l.starts_with(&ministries)), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with(&lessons)), "{stdout}");
    assert!(stderr.contains("2 problem(s) found"), "{stderr}");
}

#[test]
fn check_accepts_the_repository_content() {
    let work = tempfile::tempdir().unwrap();
    let output = bin()
        .args(["check", "--content"])
        .arg(content_source())
        .current_dir(work.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("content is valid (10 lessons"), "{stdout}");
}

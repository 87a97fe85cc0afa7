//! Crash safety of the content cache and the state: SIGKILL during an import, a damaged or
//! deleted database file, an unusable database path.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::helpers::{content_copy, edit};

fn bin() -> Command {
    let mut cmd = crate::helpers::binary();
    cmd.env("RUST_LOG", "info");
    cmd
}

/// Appends `n` synthetic ministries (with areas and aliases no one else claims) so that an
/// import takes long enough to be interrupted.
fn grow(dir: &Path, n: usize) {
    let mut extra = String::new();
    for i in 0..n {
        extra.push_str(&format!(
            "\n[[ministry]]\nid = \"zm{i}\"\nabbr = \"ZX{i}\"\nname.lv = \"Sintētiskā iestāde {i}x\"\n\
             name.en = \"Synthetic body {i}x\"\nwebsite = \"https://www.example{i}.lv\"\n\
             aliases = [\"qvx{i}\", \"qvy{i}\"]\nsources = [\"https://www.example{i}.lv/src\"]\n"
        ));
        for k in 0..3 {
            extra.push_str(&format!(
                "\n[[ministry.area]]\nid = \"za{i}_{k}\"\nname.lv = \"joma{i}q{k}\"\nname.en = \"field{i}q{k}\"\n\
                 aliases = [\"vq{i}q{k}\", \"wq{i}q{k}\"]\n\
                 sources = [\"https://www.example{i}.lv/src\"]\n"
            ));
        }
    }
    let path = dir.join("ministries.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&extra);
    std::fs::write(path, text).unwrap();
}

fn state(db: &Path) -> (String, i64, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", db.display());
        let store = lidzdaliba_bot::store::Store::open(&url).await.unwrap();
        assert!(store.quick_check().await.unwrap(), "the database is intact");
        let info = store
            .content_info()
            .await
            .unwrap()
            .expect("content is cached");
        let counts = store.content_counts().await.unwrap();
        let vm = store.ministry("vm").await.unwrap().unwrap();
        store.close().await;
        (info.hash.to_string(), counts.ministries, vm.name.lv)
    })
}

#[test]
fn sigkill_during_an_import_leaves_the_old_or_the_new_content_never_a_mix() {
    let (dir, content) = content_copy();
    grow(&content, 600);
    let db = dir.path().join("crash.db");
    let url = format!("sqlite://{}", db.display());
    let import = |content: &Path| {
        bin()
            .args(["import", "--create"])
            .env("DATABASE_URL", &url)
            .env("CONTENT_DIR", content)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    assert!(import(&content).wait().unwrap().success());
    let (old_hash, ministries, old_name) = state(&db);
    assert_eq!(old_name, "Veselības ministrija");

    edit(
        &content,
        "ministries.toml",
        "Veselības ministrija\"",
        "Veselības ministrija B\"",
    );
    let started = std::time::Instant::now();
    assert!(import(&content).wait().unwrap().success());
    let full = started.elapsed();
    let (new_hash, _, new_name) = state(&db);
    assert_eq!(new_name, "Veselības ministrija B");
    edit(
        &content,
        "ministries.toml",
        "Veselības ministrija B\"",
        "Veselības ministrija\"",
    );
    assert!(import(&content).wait().unwrap().success());

    // Kill imports of the changed content at points spread over a whole import.
    edit(
        &content,
        "ministries.toml",
        "Veselības ministrija\"",
        "Veselības ministrija B\"",
    );
    let mut seen_old = false;
    for step in 0..8u32 {
        let mut child = import(&content);
        std::thread::sleep(full * step / 8);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let (hash, count, name) = state(&db);
        assert_eq!(count, ministries, "the ministry count of one version");
        if hash == old_hash {
            assert_eq!(name, "Veselības ministrija", "old hash with old rows");
            seen_old = true;
        } else {
            assert_eq!(hash, new_hash, "either the old or the new content");
            assert_eq!(name, "Veselības ministrija B", "new hash with new rows");
            // Go back to the old content so the next kill interrupts a real import.
            edit(
                &content,
                "ministries.toml",
                "Veselības ministrija B\"",
                "Veselības ministrija\"",
            );
            assert!(import(&content).wait().unwrap().success());
            edit(
                &content,
                "ministries.toml",
                "Veselības ministrija\"",
                "Veselības ministrija B\"",
            );
        }
    }
    assert!(
        seen_old,
        "at least one kill landed inside an import ({full:?})"
    );
}

#[test]
fn a_damaged_or_deleted_database_is_rebuilt_from_the_content() {
    let (dir, content) = content_copy();
    let db = dir.path().join("bot.db");
    let url = format!("sqlite://{}", db.display());
    let run = || {
        bin()
            .args(["import", "--create"])
            .env("DATABASE_URL", &url)
            .env("CONTENT_DIR", &content)
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success());
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("no database file"),
        "the log says it was created"
    );

    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
    std::fs::write(
        &db,
        b"this is not a SQLite database, just damaged bytes......",
    )
    .unwrap();
    let second = run();
    let log = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{log}");
    assert!(
        log.contains("damaged") && log.contains("moving it aside"),
        "{log}"
    );
    assert!(String::from_utf8_lossy(&second.stdout).contains("imported content"));
    let moved = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains(".corrupt-"));
    assert!(moved, "the damaged file is kept for recovery");
    let (_, ministries, _) = state(&db);
    assert_eq!(ministries, 15);
}

#[test]
fn an_unusable_database_path_gives_a_clear_error() {
    let (dir, content) = content_copy();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let url = format!("sqlite://{}/bot.db", blocker.display());
    let out = bin()
        .args(["import", "--create"])
        .env("DATABASE_URL", &url)
        .env("CONTENT_DIR", &content)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot create the folder"), "{err}");
    assert!(err.contains("not-a-folder"), "{err}");
}

/// SIGKILL in the middle of a burst of the real binary: after a restart every update is
/// answered, and at most those in flight at the kill (turns in progress, answers not yet
/// marked done in the inbox) are answered a second time.
#[tokio::test]
async fn sigkill_mid_burst_loses_nothing_and_repeats_at_most_the_updates_in_flight() {
    use crate::telegram::{Harness, signal, wait_exit};
    use std::collections::HashSet;

    let h = Harness::new().await;
    let quiet = [("RUST_LOG", "warn".to_string())];
    let child = h.spawn_binary(&quiet, &h.content.with_file_name("killed.log"));
    h.ask("/start").await;
    let users: Vec<i64> = (0..2000).map(|k| 200_000 + k).collect();
    for user in &users {
        h.api.private_text(*user, Some("lv"), "/contact veselība");
    }
    h.api
        .wait_until(60, "a few hundred replies", |api| {
            api.ok_calls("sendMessage").len() > 300
        })
        .await;
    signal(&child, "KILL");
    wait_exit(child, 10).await;
    let at_kill = h.api.ok_calls("sendMessage").len() - 1;
    assert!(
        at_kill < users.len(),
        "the kill came in the middle of the burst ({at_kill} answered)"
    );

    let child = h.spawn_binary(&quiet, &h.content.with_file_name("restarted.log"));
    let answered = |api: &crate::fake_api::FakeApi| -> HashSet<i64> {
        api.ok_calls("sendMessage")
            .iter()
            .filter_map(|b| b["chat_id"].as_i64())
            .collect()
    };
    h.api
        .wait_until(120, "every user answered", |api| {
            let chats = answered(api);
            users.iter().all(|u| chats.contains(u))
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    signal(&child, "TERM");
    assert!(wait_exit(child, 15).await.success());

    let replies = h
        .api
        .ok_calls("sendMessage")
        .iter()
        .filter(|b| b["chat_id"].as_i64().is_some_and(|c| c >= 200_000))
        .count();
    let twice = replies - users.len();
    let in_flight = lidzdaliba_bot::bot::WORKERS + lidzdaliba_bot::bot::DONE_BATCH;
    eprintln!("SIGKILL after {at_kill} replies: {twice} answered twice (bound {in_flight})");
    assert!(
        twice <= in_flight,
        "{twice} updates answered twice, more than the {in_flight} that can be in flight"
    );
    assert!(h.inbox().await.is_empty());
}

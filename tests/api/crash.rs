//! Crash safety of the content cache and the state: SIGKILL during an import, a damaged or
//! deleted database file, an unusable database path.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::helpers::{content_copy, edit};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lidzdaliba-bot"));
    cmd.env_clear().env("RUST_LOG", "info");
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
        (info.hash, counts.ministries, vm.name.lv)
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

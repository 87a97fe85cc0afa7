//! The command line as an operator uses it: `--env-file` for every command, `stats` and
//! `import` refusing a missing database instead of creating an empty one, and `health`, the
//! container's health check, against a stub `/healthz` and against the real bot.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::fake_api::{FakeApi, TOKEN};
use crate::helpers::content_copy;

/// The binary with an empty environment (only PATH), run in `cwd`.
fn bin(cwd: &Path) -> Command {
    let mut cmd = crate::helpers::binary();
    cmd.current_dir(cwd);
    cmd
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Runs the console in `cwd` with `args` and `input` on standard input.
fn console(cwd: &Path, args: &[&str], input: &str) -> Output {
    let mut child = bin(cwd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stats_and_import_refuse_a_missing_database_and_create_nothing() {
    let (dir, content) = content_copy();
    let folder = dir.path().join("state");
    let db = folder.join("bot.db");
    let url = format!("sqlite://{}", db.display());
    for args in [
        &["stats"][..],
        &["import"],
        &["stats", "--days", "7"],
        &["reports"],
        &["reports", "--open"],
    ] {
        let out = bin(dir.path())
            .args(args)
            .env("DATABASE_URL", &url)
            .env("CONTENT_DIR", &content)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", show(&out));
        assert!(
            err.contains(&format!("no database at {}", db.display())),
            "{args:?} names the path: {err}"
        );
        assert!(
            err.contains("import --create"),
            "and how to create it: {err}"
        );
        assert!(
            !folder.exists(),
            "{args:?} created nothing, not even the folder"
        );
    }

    // `check` reads only the content; it never touches the database.
    let out = bin(dir.path())
        .arg("check")
        .env("DATABASE_URL", &url)
        .env("CONTENT_DIR", &content)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        text(&out.stdout).contains(&format!("{}: content is valid", content.display())),
        "{}",
        show(&out)
    );
    assert!(!folder.exists(), "check created nothing");

    // A relative DATABASE_URL is named as the absolute path it means.
    let out = bin(dir.path())
        .arg("stats")
        .env("DATABASE_URL", "sqlite://elsewhere/bot.db")
        .output()
        .unwrap();
    let expected = dir.path().join("elsewhere/bot.db");
    assert!(
        text(&out.stderr).contains(&format!("no database at {}", expected.display())),
        "{}",
        show(&out)
    );
    assert!(!dir.path().join("elsewhere").exists());

    // `import --create` is the one explicit way to create it from a shell.
    let out = bin(dir.path())
        .args(["import", "--create"])
        .env("DATABASE_URL", &url)
        .env("CONTENT_DIR", &content)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("imported content"),
        "{}",
        show(&out)
    );
    assert!(db.exists());
    let out = bin(dir.path())
        .arg("import")
        .env("DATABASE_URL", &url)
        .env("CONTENT_DIR", &content)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("content unchanged"),
        "{}",
        show(&out)
    );
}

#[test]
fn env_file_points_every_command_at_the_same_database() {
    let (dir, content) = content_copy();
    let db = dir.path().join("var/bot.db");
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    let env_file = etc.join("bot.env");
    std::fs::write(
        &env_file,
        format!(
            "# the bot's settings\nDATABASE_URL=sqlite://{}\nCONTENT_DIR={}\n",
            db.display(),
            content.display()
        ),
    )
    .unwrap();
    // The operator's shell is somewhere else, with a stray .env of its own.
    let shell = dir.path().join("home");
    std::fs::create_dir_all(&shell).unwrap();
    std::fs::write(
        shell.join(".env"),
        "DATABASE_URL=sqlite://stray/other.db\nCONTENT_DIR=nowhere\n",
    )
    .unwrap();
    let env_arg = env_file.to_str().unwrap();

    // The console creates the database like the bot does, and counts its requests.
    let out = console(
        &shell,
        &["--env-file", env_arg, "console"],
        "/contact veselība\n/lessons\n",
    );
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("Veselības ministrija"),
        "{}",
        show(&out)
    );
    assert!(db.exists(), "the database named in the env file");
    assert!(
        !shell.join("stray").exists(),
        "the stray ./.env was not read"
    );

    // `stats` reads the same database, whether the flag comes before or after the command.
    for args in [
        ["--env-file", env_arg, "stats"],
        ["stats", "--env-file", env_arg],
    ] {
        let out = bin(&shell).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", show(&out));
        let stdout = text(&out.stdout);
        assert!(stdout.contains(": 2 request(s)"), "{args:?}: {stdout}");
    }
    let out = bin(&shell)
        .args(["import", "--env-file", env_arg])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains("content unchanged"),
        "{}",
        show(&out)
    );
    let out = bin(&shell)
        .args(["check", "--env-file", env_arg])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains(&format!("{}: content is valid", content.display())),
        "{}",
        show(&out)
    );

    // Without the flag, ./.env is read: here it names a database that does not exist.
    let out = bin(&shell).arg("stats").output().unwrap();
    let stray = shell.join("stray/other.db");
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains(&stray.display().to_string()),
        "{}",
        show(&out)
    );
    // A variable set in the environment wins over the file.
    let out = bin(&shell)
        .args(["--env-file", env_arg, "stats"])
        .env("DATABASE_URL", "sqlite://from-env/x.db")
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains(&shell.join("from-env/x.db").display().to_string()),
        "{}",
        show(&out)
    );
}

#[test]
fn a_missing_or_broken_env_file_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.env");
    let out = bin(dir.path())
        .args(["stats", "--env-file"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains(&format!("cannot read the env file {}", missing.display())),
        "{}",
        show(&out)
    );

    let broken = dir.path().join("broken.env");
    std::fs::write(&broken, "GOOD=1\nthis line is not a variable\n").unwrap();
    let out = bin(dir.path())
        .args(["--env-file"])
        .arg(&broken)
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains(&broken.display().to_string()),
        "{}",
        show(&out)
    );

    // A wrong value in the file is named like one in the environment.
    let wrong = dir.path().join("wrong.env");
    std::fs::write(&wrong, "DEFAULT_LANGUAGE=de\n").unwrap();
    let out = bin(dir.path())
        .args(["--env-file"])
        .arg(&wrong)
        .arg("stats")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("DEFAULT_LANGUAGE=\"de\""),
        "{}",
        show(&out)
    );
}

/// A one-connection-at-a-time HTTP server on 127.0.0.1 that answers every request with
/// `answer`; returns its address.
fn stub_server(answer: &'static str) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            // Read the whole request first: closing with unread bytes would reset the
            // connection before the client reads the answer.
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    addr
}

fn health(cwd: &Path, health_listen: Option<String>, extra: &[&str]) -> Output {
    let mut cmd = bin(cwd);
    cmd.arg("health").args(extra);
    if let Some(listen) = health_listen {
        cmd.env("HEALTH_LISTEN", listen);
    }
    cmd.output().unwrap()
}

#[test]
fn health_exits_0_only_for_a_200_and_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let ok = stub_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n\
         {\"status\":\"ok\",\"content_hash\":\"3e996cc948e7aaaa\"}",
    );
    let out = health(dir.path(), Some(ok.to_string()), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(
        text(&out.stdout).trim(),
        "healthy: ok, content 3e996cc948e7"
    );

    // 0.0.0.0 (listening on every interface) is asked on the loopback address.
    let out = health(dir.path(), Some(format!("0.0.0.0:{}", ok.port())), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    let down =
        stub_server("HTTP/1.1 503 Service Unavailable\r\n\r\n{\"status\":\"bot api unreachable\"}");
    let out = health(dir.path(), Some(down.to_string()), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("answered 503: bot api unreachable"),
        "{}",
        show(&out)
    );

    // --addr wins over HEALTH_LISTEN.
    let out = health(
        dir.path(),
        Some(ok.to_string()),
        &["--addr", &down.to_string()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));

    let garbage = stub_server("SSH-2.0-OpenSSH\r\n");
    let out = health(dir.path(), Some(garbage.to_string()), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("did not answer in HTTP"),
        "{}",
        show(&out)
    );

    // A port nobody listens on: bind one, then free it.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = health(dir.path(), Some(closed.to_string()), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains(&format!("unhealthy: cannot connect to {closed}")),
        "{}",
        show(&out)
    );

    let out = health(dir.path(), None, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("HEALTH_LISTEN is not set"),
        "{}",
        show(&out)
    );

    // Even a configuration error is exit 1 (container runtimes reserve 2).
    let out = health(dir.path(), Some("9090".into()), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("HEALTH_LISTEN"),
        "{}",
        show(&out)
    );
}

#[tokio::test]
async fn health_asks_the_running_bot_and_fails_once_it_stopped() {
    let api = FakeApi::start().await;
    let (dir, content) = content_copy();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env_file = dir.path().join("bot.env");
    std::fs::write(
        &env_file,
        format!(
            "TELOXIDE_TOKEN={TOKEN}\nTELOXIDE_API_URL={}\nDATABASE_URL=sqlite://{}/bot.db\n\
             CONTENT_DIR={}\nHEALTH_LISTEN=127.0.0.1:{port}\nRUST_LOG=warn\n",
            api.url,
            dir.path().display(),
            content.display()
        ),
    )
    .unwrap();
    let bot = crate::helpers::spawn_logged(
        bin(dir.path()).arg("--env-file").arg(&env_file).arg("run"),
        &dir.path().join("bot.log"),
    );
    // Asked from another process, as a container runtime does.
    let probe = {
        let cwd = dir.path().to_path_buf();
        let env_file = env_file.clone();
        move || {
            let (cwd, env_file) = (cwd.clone(), env_file.clone());
            tokio::task::spawn_blocking(move || {
                bin(&cwd)
                    .arg("--env-file")
                    .arg(&env_file)
                    .arg("health")
                    .output()
                    .unwrap()
            })
        }
    };
    let started = Instant::now();
    let healthy = loop {
        let out = probe().await.unwrap();
        // 200 `starting` until the first long poll returns, then `ok`.
        let ok = out.status.success() && text(&out.stdout).starts_with("healthy: ok");
        if ok || started.elapsed() > Duration::from_secs(30) {
            break out;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(healthy.status.success(), "{}", show(&healthy));
    assert!(text(&healthy.stdout).starts_with("healthy: ok, content "));

    crate::helpers::signal(&bot, "TERM");
    let status = crate::helpers::wait_exit(bot, 15).await;
    assert!(status.success(), "the bot stopped cleanly: {status:?}");
    let out = probe().await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("cannot connect"),
        "{}",
        show(&out)
    );
}

#[test]
fn help_lists_every_setting_with_its_default_and_meaning() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--help", "-h"] {
        let out = bin(dir.path()).arg(flag).output().unwrap();
        assert!(out.status.success(), "{}", show(&out));
        let help = text(&out.stdout);
        let names = lidzdaliba_bot::config::variable_names();
        assert!(names.len() >= 14, "{names:?}");
        for name in names {
            let line = help
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{flag}: no line for {name}:\n{help}"));
            assert!(line.len() > name.len() + 20, "{name} has a meaning: {line}");
        }
        assert!(
            help.contains("[default: sqlite://data/lidzdaliba.db]"),
            "{help}"
        );
    }
}

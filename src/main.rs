//! The command line: `run` (the Telegram bot, the default), `console`, `check`, `import`,
//! `stats`, `health`, `tap-sync`. Every command reads its settings from the environment and from one env
//! file: `--env-file PATH`, else `./.env` if there is one; `--help` lists them
//! ([`config::help`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use lidzdaliba_bot::config::{self, Config};
use lidzdaliba_bot::content;
use lidzdaliba_bot::store::{ImportOutcome, Store};
use std::sync::Arc;

use lidzdaliba_bot::{app, bot, health, links};

#[derive(Parser)]
#[command(
    version,
    about = "A Telegram bot on public participation in Latvia's state administration"
)]
struct Cli {
    /// Read the settings from this env file instead of ./.env (variables already set in the
    /// environment win over the file)
    #[arg(long, global = true, value_name = "PATH")]
    env_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the Telegram bot (needs TELOXIDE_TOKEN)
    Run,
    /// Talk to the bot in the terminal, no token needed; reads standard input to its end
    Console,
    /// Validate the content files and list every problem as file:line.
    ///
    /// Exit status: 0 when everything asked for is fine; 1 when the content is invalid, when
    /// --stale finds an entry not verified within DAYS, or when --links finds a broken link
    /// (moved links alone are reported and still exit 0); 2 for a wrong option.
    Check {
        /// The content folder (default: CONTENT_DIR, else ./content)
        #[arg(long)]
        content: Option<PathBuf>,
        /// Also list every contact not verified within DAYS days (never-verified ones
        /// included), as file:line, and how many
        #[arg(long, value_name = "DAYS")]
        stale: Option<u32>,
        /// Also request every URL in the content files and list the broken and the moved ones
        /// as file:line with the status (needs the network)
        #[arg(long)]
        links: bool,
        /// With --links: seconds to wait for each answer
        #[arg(long, value_name = "SECONDS", default_value_t = 15.0, value_parser = positive_seconds)]
        timeout: f64,
        /// With --links: requests in flight at once
        #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
        concurrency: u16,
    },
    /// Import the content into the bot's SQLite cache (only if it changed)
    Import {
        /// Create the database if there is none (otherwise a missing database is an error)
        #[arg(long)]
        create: bool,
    },
    /// Print the usage statistics (aggregate, no user ids)
    Stats {
        /// How many days back
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Also write the chart of requests per day to this PNG file
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Print the reports of mistakes people sent (🚩), oldest first, each with the file:line
    /// to fix
    Reports {
        /// Only the open ones (not yet resolved or marked spam)
        #[arg(long)]
        open: bool,
    },
    /// Read TAP's public consultations once now (TAP_URL) and print what changed; exit 1 when
    /// it failed (the last good data stays)
    TapSync,
    /// Ask the running bot's /healthz (at HEALTH_LISTEN); exit 0 if healthy, 1 if not
    Health {
        /// The address to ask instead of HEALTH_LISTEN
        #[arg(long, value_name = "ADDR")]
        addr: Option<std::net::SocketAddr>,
        /// Give up after this many seconds
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
}

fn main() -> ExitCode {
    // The command line is parsed before the env file is read, so that `--env-file` can name
    // it; the settings are read after it, from the environment only.
    let help = config::help();
    let matches = Cli::command()
        .after_help(help.clone())
        .after_long_help(help)
        .get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    // A health check reports every failure as 1: container runtimes reserve other codes.
    let failure = match cli.command {
        Some(Cmd::Health { .. }) => ExitCode::FAILURE,
        _ => ExitCode::from(2),
    };
    if let Err(err) = load_env_file(cli.env_file.as_deref()) {
        eprintln!("configuration error: {err}");
        return failure;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return failure;
        }
    };
    // One thread by default: a reply takes microseconds of CPU, and handing tasks between
    // threads cost more than it gained (see benches/README.md). SQLite runs on its own
    // worker threads either way.
    let mut builder = match config.threads {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(n);
            builder
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli.command.unwrap_or(Cmd::Run) {
            Cmd::Run => run(config).await,
            Cmd::Console => console(config).await,
            Cmd::Check {
                content,
                stale,
                links,
                timeout,
                concurrency,
            } => {
                let links = links.then(|| links::Options {
                    timeout: std::time::Duration::from_secs_f64(timeout),
                    concurrency: usize::from(concurrency),
                });
                check(content.unwrap_or(config.content_dir), stale, links).await
            }
            Cmd::Import { create } => import(config, create).await,
            Cmd::Stats { days, png } => stats(config, days, png).await,
            Cmd::Reports { open } => reports(config, open).await,
            Cmd::Health { addr, timeout } => health(config, addr, timeout),
            Cmd::TapSync => match existing_store(&config).await {
                Some(store) => lidzdaliba_bot::tap::command(&config, &store).await,
                None => ExitCode::FAILURE,
            },
        }
    })
}

/// Reads `path` into the environment, or `./.env` when no path is given (only the current
/// folder, never its parents: an operator's command must not pick up a stray file). Variables
/// already in the environment win, so `RUST_LOG=debug lidzdaliba-bot --env-file ...` works.
fn load_env_file(path: Option<&Path>) -> Result<(), String> {
    match path {
        Some(path) => dotenvy::from_path(path)
            .map_err(|err| format!("cannot read the env file {}: {err}", path.display())),
        None => match dotenvy::from_path(".env") {
            Err(dotenvy::Error::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other.map_err(|err| format!("cannot read ./.env: {err}")),
        },
    }
}

async fn run(config: Config) -> ExitCode {
    app::init_tracing(&config, "info");
    let Some(settings) = bot::Settings::from_config(&config) else {
        eprintln!(
            "TELOXIDE_TOKEN is not set: put the token from @BotFather into .env or the environment \
             (TELOXIDE_TOKEN=123456:ABC...). `lidzdaliba-bot console` works without one."
        );
        return ExitCode::from(2);
    };
    let engine = match app::build_engine(&config).await {
        Ok(engine) => engine,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    // The metrics recorder goes in before anything is counted.
    let _ = health::prometheus();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        bot::shutdown_signal().await;
        tracing::info!("shutdown requested; finishing the replies in flight");
        let _ = stop.send(true);
    });
    let mut settings = settings;
    let background = app::spawn_background(
        Arc::clone(&engine),
        config.content_dir.clone(),
        stopped.clone(),
    );
    let health_routes = health::router(Arc::clone(&engine), Arc::clone(&settings.health));
    let mut health_server = None;
    match (config.health_listen, &settings.webhook) {
        (Some(addr), Some(hook)) if addr == hook.listen => settings.routes = Some(health_routes),
        (Some(addr), _) => {
            let stopped = stopped.clone();
            health_server = Some(tokio::spawn(async move {
                if let Err(err) = health::serve(addr, health_routes, stopped).await {
                    tracing::error!(error = %err, %addr, "cannot serve /healthz and /metrics");
                }
            }));
        }
        (None, _) => {}
    }
    let result = bot::run(settings, engine, stopped).await;
    let _ = background.await;
    if let Some(server) = health_server {
        server.abort();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn console(config: Config) -> ExitCode {
    app::init_tracing(&config, "warn");
    let engine = match app::build_engine(&config).await {
        Ok(engine) => engine,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!(
            "Type a command (/start, /help) or text; a number presses a button. Ctrl-D ends."
        );
    }
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let mut stdout = std::io::stdout().lock();
    let result = lidzdaliba_bot::console::run(&engine, stdin, &mut stdout).await;
    if let Err(err) = engine.flush_stats().await {
        eprintln!("cannot write the usage counters: {err}");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// A `--timeout` value: a positive number of seconds, at most an hour.
fn positive_seconds(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 3600.0 => Ok(s),
        _ => Err(format!(
            "'{value}' is not a number of seconds from 0.001 to 3600"
        )),
    }
}

async fn check(dir: PathBuf, stale: Option<u32>, links: Option<links::Options>) -> ExitCode {
    let (snapshot, c) = match content::load_dir(&dir) {
        Ok(loaded) => loaded,
        Err(errors) => {
            for problem in &errors.0 {
                println!("{problem}");
            }
            eprintln!("{} problem(s) found", errors.0.len());
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{}: content is valid ({} lessons, {} guideline sections, {} ministries, {} areas, \
         {} contacts, {} resources, {} UI strings; hash {})",
        dir.display(),
        c.lessons.len(),
        c.guidelines.sections.len(),
        c.ministries.len(),
        c.ministries.iter().map(|m| m.areas.len()).sum::<usize>(),
        c.ministries.iter().map(|m| m.contacts.len()).sum::<usize>(),
        c.resources.len(),
        c.ui.len(),
        &snapshot.hash[..12],
    );
    let mut fine = true;
    if let Some(days) = stale {
        let (total, list) =
            content::stale::stale(&c, &lidzdaliba_bot::clock::today_in_latvia(), days);
        for entry in &list {
            println!("{entry}");
        }
        let never = list.iter().filter(|s| s.verified.is_none()).count();
        if list.is_empty() {
            println!("all {total} contacts were verified within {days} days");
        } else {
            println!(
                "{} of {total} contacts not verified within {days} days ({never} never verified)",
                list.len()
            );
            fine = false;
        }
    }
    if let Some(options) = links {
        let found = links::collect(&snapshot.files);
        let places: usize = found.iter().map(|l| l.places.len()).sum();
        eprintln!(
            "requesting {} links ({places} places), {} at a time, {} s timeout…",
            found.len(),
            options.concurrency,
            options.timeout.as_secs_f64()
        );
        let mut out = std::io::stdout().lock();
        match links::report(&found, &options, &mut out).await {
            Ok(summary) => fine &= summary.exit_status() == 0,
            Err(err) => {
                eprintln!("cannot write the report: {err}");
                fine = false;
            }
        }
    }
    if fine {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn import(config: Config, create: bool) -> ExitCode {
    app::init_tracing(&config, "info");
    if !create && let Err(err) = app::require_database(&config.database_url) {
        eprintln!("error: {err}");
        return ExitCode::FAILURE;
    }
    let store = match app::open_or_rebuild(&config.database_url).await {
        Ok(store) => store,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match lidzdaliba_bot::engine::import(&store, &config.content_dir).await {
        Ok(ImportOutcome::Unchanged { hash }) => {
            println!("content unchanged ({}); nothing to do", &hash[..12]);
            ExitCode::SUCCESS
        }
        Ok(ImportOutcome::Imported {
            hash,
            lessons,
            ministries,
            contacts,
        }) => {
            println!(
                "imported content {}: {lessons} lessons, {ministries} ministries, {contacts} contacts",
                &hash[..12]
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("{err}");
            eprintln!("import refused; the cache was not changed");
            ExitCode::FAILURE
        }
    }
}

/// The bot's database for a terminal command that reads it (`stats`, `reports`): never created
/// here, so a wrong `DATABASE_URL` is named instead of answered with empty figures.
async fn existing_store(config: &Config) -> Option<Store> {
    app::init_tracing(config, "warn");
    if let Err(err) = app::require_database(&config.database_url) {
        eprintln!("error: {err}");
        return None;
    }
    match Store::open(&config.database_url).await {
        Ok(store) => Some(store),
        Err(err) => {
            eprintln!("error: {err}");
            None
        }
    }
}

async fn stats(config: Config, days: u32, png: Option<PathBuf>) -> ExitCode {
    let Some(store) = existing_store(&config).await else {
        return ExitCode::FAILURE;
    };
    match lidzdaliba_bot::stats::Report::load(&store, days).await {
        Ok(report) => {
            print!("{}", report.table(20));
            if let Some(path) = png {
                if let Err(err) = std::fs::write(&path, report.chart_png()) {
                    eprintln!("cannot write {}: {err}", path.display());
                    return ExitCode::FAILURE;
                }
                println!("\nchart: {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `reports [--open]`: every report (or the open ones) as blocks of text, then a count.
async fn reports(config: Config, open: bool) -> ExitCode {
    let Some(store) = existing_store(&config).await else {
        return ExitCode::FAILURE;
    };
    match store.reports(open, i64::MAX).await {
        Ok(reports) => {
            for report in &reports {
                println!("{}", lidzdaliba_bot::engine::report_block(report));
            }
            let kind = if open { "open report(s)" } else { "report(s)" };
            println!("{} {kind}", reports.len());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `health`: one request to the running bot's `/healthz`, for a container's HEALTHCHECK or a
/// supervisor. Prints one short line; exit 0 only for a 200.
fn health(config: Config, addr: Option<std::net::SocketAddr>, timeout: u64) -> ExitCode {
    let Some(addr) = addr.or(config.health_listen) else {
        eprintln!("unhealthy: HEALTH_LISTEN is not set, so the bot serves no /healthz to ask");
        return ExitCode::FAILURE;
    };
    match app::probe_health(addr, std::time::Duration::from_secs(timeout.max(1))) {
        Ok(summary) => {
            println!("healthy: {summary}");
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("unhealthy: {reason}");
            ExitCode::FAILURE
        }
    }
}

//! The command line: `run` (the Telegram bot, the default), `console`, `check`, `import`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lidzdaliba_bot::config::Config;
use lidzdaliba_bot::content;
use lidzdaliba_bot::store::{ImportOutcome, Store};
use std::sync::Arc;

use lidzdaliba_bot::{app, bot, health};

#[derive(Parser)]
#[command(
    version,
    about = "A Telegram bot on public participation in Latvia's state administration"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the Telegram bot (needs TELOXIDE_TOKEN)
    Run,
    /// Talk to the bot in the terminal, no token needed; reads standard input to its end
    Console,
    /// Validate the content files and list every problem as file:line
    Check {
        /// The content folder (default: CONTENT_DIR, else ./content)
        #[arg(long)]
        content: Option<PathBuf>,
    },
    /// Import the content into the SQLite cache (only if it changed)
    Import,
    /// Print the usage statistics (aggregate, no user ids)
    Stats {
        /// How many days back
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Also write the chart of requests per day to this PNG file
        #[arg(long)]
        png: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    // One thread by default: a reply takes microseconds of CPU, and handing tasks between
    // threads cost more than it gained (see the README, Benchmarks). SQLite runs on its own
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
            Cmd::Check { content } => check(content.unwrap_or(config.content_dir)),
            Cmd::Import => import(config).await,
            Cmd::Stats { days, png } => stats(config, days, png).await,
        }
    })
}

async fn run(config: Config) -> ExitCode {
    app::init_tracing("info", config.log_json);
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
    app::init_tracing("warn", config.log_json);
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

fn check(dir: PathBuf) -> ExitCode {
    match content::load_dir(&dir) {
        Ok((snapshot, c)) => {
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
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for problem in &errors.0 {
                println!("{problem}");
            }
            eprintln!("{} problem(s) found", errors.0.len());
            ExitCode::FAILURE
        }
    }
}

async fn import(config: Config) -> ExitCode {
    app::init_tracing("info", config.log_json);
    let store = match app::open_or_rebuild(&config.database_url).await {
        Ok(store) => store,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    match store.sync(&config.content_dir).await {
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

async fn stats(config: Config, days: u32, png: Option<PathBuf>) -> ExitCode {
    app::init_tracing("warn", config.log_json);
    let store = match Store::open(&config.database_url).await {
        Ok(store) => store,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
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

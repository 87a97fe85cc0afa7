//! The command line: `run` (the Telegram bot, the default), `console`, `check`, `import`,
//! `stats`, `reports`, `health`, `tap-sync`. Every command reads its settings from the
//! environment and from one env file: `--env-file PATH`, else `./.env` if there is one; `--help`
//! lists them ([`config::help`]). This file parses the command line, runs the command (its body is in
//! `cli/`) and turns a failure into a message and an exit status, once.

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use lidzdaliba_bot::{config, links};

use cli::Failure;

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
    let command = cli.command.unwrap_or(Cmd::Run);
    // A health check reports every failure as 1: container runtimes reserve other codes.
    let usage = if matches!(command, Cmd::Health { .. }) {
        1
    } else {
        2
    };
    match run(cli.env_file.as_deref(), command) {
        Ok(status) => status,
        Err(failure) => {
            eprintln!("{failure}");
            failure.exit_code(usage)
        }
    }
}

fn run(env_file: Option<&Path>, command: Cmd) -> Result<ExitCode, Failure> {
    let config = cli::settings(env_file)?;
    lidzdaliba_bot::engine::lookup::dictionary::configure(&config.dictionary_dir);
    cli::runtime(&config)?.block_on(async move {
        match command {
            Cmd::Run => cli::run::run(config).await,
            Cmd::Console => cli::run::console(config).await,
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
                let dir = content.unwrap_or(config.content_dir);
                cli::check::check(&dir, stale, links).await
            }
            Cmd::Import { create } => cli::import::import(config, create).await,
            Cmd::Stats { days, png } => cli::stats::stats(config, days, png).await,
            Cmd::Reports { open } => cli::reports::reports(config, open).await,
            Cmd::Health { addr, timeout } => cli::health::health(config, addr, timeout),
            Cmd::TapSync => cli::tap::tap_sync(config).await,
        }
    })
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

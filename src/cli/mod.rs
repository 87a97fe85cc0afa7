//! The bodies of the commands of `main.rs`, and the one place that turns what went wrong into
//! a message and an exit status ([`Failure`]).

pub mod check;
pub mod health;
pub mod import;
pub mod reports;
pub mod run;
pub mod stats;
pub mod tap;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lidzdaliba_bot::app::{self, StartError};
use lidzdaliba_bot::bot::RunError;
use lidzdaliba_bot::config::Config;
use lidzdaliba_bot::store::{Store, StoreError};

/// Why a command failed: `main` prints it (to stderr) and exits with [`Failure::exit_code`].
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A wrong setting or env file.
    #[error("configuration error: {0}")]
    Config(String),
    /// The command cannot do what it was asked as things are set up (`run` without a token).
    #[error("{0}")]
    Usage(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("error: {0}")]
    Start(StartError),
    #[error("error: {0}")]
    Store(#[from] StoreError),
    #[error("error: {0}")]
    Run(#[from] RunError),
    #[error("error: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The content is invalid; its problems went to stdout.
    #[error("{0} problem(s) found")]
    InvalidContent(usize),
    /// The import found invalid content (its problems went to stdout).
    #[error("import refused; the cache was not changed")]
    ImportRefused,
    #[error("unhealthy: {0}")]
    Unhealthy(String),
}

impl From<StartError> for Failure {
    fn from(err: StartError) -> Self {
        match err {
            StartError::NoToken => Failure::Usage(err.to_string()),
            err => Failure::Start(err),
        }
    }
}

impl Failure {
    /// The exit status: `usage` for a wrong setting or a command that cannot start as set up
    /// (2, or 1 for `health`: container runtimes reserve other codes), 1 for anything else.
    pub fn exit_code(&self, usage: u8) -> ExitCode {
        match self {
            Failure::Config(_) | Failure::Usage(_) => ExitCode::from(usage),
            _ => ExitCode::FAILURE,
        }
    }
}

/// The settings of every command: `env_file` (else `./.env`, if there is one) read into the
/// environment, then the environment.
pub fn settings(env_file: Option<&Path>) -> Result<Config, Failure> {
    load_env_file(env_file).map_err(Failure::Config)?;
    Config::from_env().map_err(|err| Failure::Config(err.to_string()))
}

/// The async runtime for `config`: one thread by default, since a reply takes microseconds of
/// CPU and handing tasks between threads cost more than it gained (see benches/README.md).
/// SQLite runs on its own worker threads either way.
pub fn runtime(config: &Config) -> Result<tokio::runtime::Runtime, Failure> {
    let mut builder = match config.threads {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(n);
            builder
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    builder.enable_all().build().map_err(Failure::Runtime)
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

/// The bot's database for a terminal command that reads it (`stats`, `reports`): never created
/// here, so a wrong `DATABASE_URL` is named instead of answered with empty figures.
async fn existing_store(config: &Config) -> Result<Store, Failure> {
    app::init_tracing(config, "warn");
    app::require_database(&config.database_url)?;
    Ok(Store::open(&config.database_url).await?)
}

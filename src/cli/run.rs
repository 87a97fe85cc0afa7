//! `run` (the Telegram bot) and `console` (the same engine in a terminal).

use std::process::ExitCode;

use lidzdaliba_bot::app::{self, Application};
use lidzdaliba_bot::bot;
use lidzdaliba_bot::config::Config;

use super::Failure;

/// `run`: the bot until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<ExitCode, Failure> {
    app::init_tracing(&config, "info");
    let application = Application::build(&config).await?;
    application.run_until(bot::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// `console`: reads standard input to its end, a line a request, and prints the replies.
pub async fn console(config: Config) -> Result<ExitCode, Failure> {
    app::init_tracing(&config, "warn");
    let engine = app::build_engine(&config).await?;
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
    result?;
    Ok(ExitCode::SUCCESS)
}

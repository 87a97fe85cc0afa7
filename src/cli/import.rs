//! `import`: the content folder into the bot's database, if it changed.

use std::process::ExitCode;

use lidzdaliba_bot::app;
use lidzdaliba_bot::config::Config;

use super::Failure;

/// Prints what the import did; invalid content is printed problem by problem and leaves the
/// cache as it was.
pub async fn import(config: Config, create: bool) -> Result<ExitCode, Failure> {
    app::init_tracing(&config, "info");
    if !create {
        app::require_database(&config.database_url)?;
    }
    let store = app::open_or_rebuild(&config.database_url).await?;
    match lidzdaliba_bot::engine::import(&store, &config.content_dir).await {
        Ok(outcome) => {
            println!("{outcome}");
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            println!("{err}");
            Err(Failure::ImportRefused)
        }
    }
}

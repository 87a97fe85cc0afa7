//! `tap-sync`: one sync of the TAP portal now; what changed is printed, a failure exits 1 and
//! keeps the last good data.

use std::process::ExitCode;

use lidzdaliba_bot::config::Config;

use super::{Failure, existing_store};

pub async fn tap_sync(config: Config) -> Result<ExitCode, Failure> {
    let store = existing_store(&config).await?;
    Ok(lidzdaliba_bot::tap::command(&config, &store).await)
}

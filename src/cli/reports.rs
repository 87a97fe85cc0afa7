//! `reports [--open]`: the reports of mistakes people sent, as blocks of text.

use std::process::ExitCode;

use lidzdaliba_bot::config::Config;

use super::{Failure, existing_store};

/// Every report (or the open ones), oldest first, then how many.
pub async fn reports(config: Config, open: bool) -> Result<ExitCode, Failure> {
    let store = existing_store(&config).await?;
    let reports = store.reports(open, i64::MAX).await?;
    for report in &reports {
        println!("{}", lidzdaliba_bot::engine::report_block(report));
    }
    let kind = if open { "open report(s)" } else { "report(s)" };
    println!("{} {kind}", reports.len());
    Ok(ExitCode::SUCCESS)
}

//! `stats`: the usage statistics (aggregate, no user ids), and their chart.

use std::path::PathBuf;
use std::process::ExitCode;

use lidzdaliba_bot::config::Config;

use super::{Failure, existing_store};

/// The table of the last `days` days; with `png`, the chart of requests per day too.
pub async fn stats(config: Config, days: u32, png: Option<PathBuf>) -> Result<ExitCode, Failure> {
    let store = existing_store(&config).await?;
    let report = lidzdaliba_bot::stats::Report::load(&store, days).await?;
    print!("{}", report.table(20));
    if let Some(path) = png {
        if let Err(source) = std::fs::write(&path, report.chart_png()) {
            return Err(Failure::Write { path, source });
        }
        println!("\nchart: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

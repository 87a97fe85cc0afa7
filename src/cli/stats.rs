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
    let followers = lidzdaliba_bot::tap::Db::new(store.pool().clone())
        .follower_counts()
        .await
        .map_err(|err| Failure::Usage(err.to_string()))?;
    println!(
        "\nfollowers of TAP alerts (chats per ministry or area): {}",
        followers.len()
    );
    for (target, n) in &followers {
        println!("{n:>8}  {target}");
    }
    if let Some(path) = png {
        if let Err(source) = std::fs::write(&path, report.chart_png()) {
            return Err(Failure::Write { path, source });
        }
        println!("\nchart: {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

//! `check`: the content validated, every problem as `file:line`; with `--stale` the contacts
//! not verified lately, with `--links` the broken and moved links.

use std::path::Path;
use std::process::ExitCode;

use lidzdaliba_bot::{clock, content, links};

use super::Failure;

/// Exit 0 when everything asked for is fine; 1 with every finding printed.
pub async fn check(
    dir: &Path,
    stale: Option<u32>,
    links: Option<links::Options>,
) -> Result<ExitCode, Failure> {
    let (snapshot, c) = match content::load_dir(dir) {
        Ok(loaded) => loaded,
        Err(errors) => {
            for problem in &errors.0 {
                println!("{problem}");
            }
            return Err(Failure::InvalidContent(errors.0.len()));
        }
    };
    println!(
        "{}: content is valid ({} lessons, {} guideline sections, {} ministries, {} areas, \
         {} contacts, {} agencies, {} bodies, {} resources, {} UI strings; hash {})",
        dir.display(),
        c.lessons.len(),
        c.guidelines.sections.len(),
        c.ministries.len(),
        c.ministries.iter().map(|m| m.areas.len()).sum::<usize>(),
        c.ministries.iter().map(|m| m.contacts.len()).sum::<usize>(),
        c.agencies.len(),
        c.bodies.len(),
        c.resources.len(),
        c.ui.len(),
        snapshot.hash.short(),
    );
    let mut fine = true;
    if let Some(days) = stale {
        let (total, list) = content::stale::stale(&c, &clock::today_in_latvia(), days);
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
    Ok(if fine {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

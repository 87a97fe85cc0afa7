//! The admins' screens: `/stats` and the answer to `/reload`.

use super::{Ctx, Result};
use crate::engine::reply::Reply;
use crate::render::{Html, html};
use crate::store::{ImportOutcome, SyncError};

impl Ctx<'_> {
    /// `/stats [days]` for admins: a table of the counters and a chart of requests per day.
    pub(in crate::engine) async fn stats(&self, arg: &str) -> Result<Reply> {
        let days: u32 = arg.trim().parse().unwrap_or(30);
        let report = Box::pin(crate::stats::Report::load(self.store, days)).await?;
        let mut text = html!(
            "{}\n<pre>{}</pre>",
            Html::bold(self.t("stats_heading")),
            Html::text(&report.table(10))
        );
        match self.tap.follower_counts().await {
            Ok(counts) if !counts.is_empty() => {
                let lines: Vec<String> = counts
                    .iter()
                    .map(|(target, n)| format!("{n:>6}  {}", self.target_name(target)))
                    .collect();
                text.push(&html!(
                    "\n{}\n<pre>{}</pre>",
                    Html::bold(self.t("stats_followers")),
                    Html::text(&lines.join("\n"))
                ));
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot count the followers"),
        }
        let mut reply = self.reply(text, vec![vec![self.main_button()]]);
        reply.image = Some(report.chart_png());
        Ok(reply)
    }

    /// The answer to `/reload`: what the import did, or every problem of refused content.
    pub(in crate::engine) fn reload(
        &self,
        result: std::result::Result<ImportOutcome, SyncError>,
    ) -> Reply {
        let text = match result {
            Ok(ImportOutcome::Unchanged { hash }) => {
                self.fill("reload_unchanged", &[("hash", hash.short())])
            }
            Ok(ImportOutcome::Imported {
                hash,
                lessons,
                ministries,
                contacts,
            }) => self.fill(
                "reload_done",
                &[
                    ("hash", hash.short()),
                    ("lessons", &lessons.to_string()),
                    ("ministries", &ministries.to_string()),
                    ("contacts", &contacts.to_string()),
                ],
            ),
            Err(SyncError::Content { errors, .. }) => {
                let mut text = self.fill("reload_failed", &[]);
                for problem in errors.0.iter().take(30) {
                    text.push_str(&format!("\n{problem}"));
                }
                if errors.0.len() > 30 {
                    text.push_str(&format!("\n… (+{})", errors.0.len() - 30));
                }
                text
            }
            Err(SyncError::Store(err)) => format!("{}: {err}", self.fill("error", &[])),
        };
        self.plain_reply(&text)
    }
}

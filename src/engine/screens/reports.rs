//! "Report a mistake" (🚩) on contact cards and lessons: the prompt, the thanks with the offer
//! to be contacted, the message to the admins with the card's `file:line`, and `/reports`.

use super::{Ctx, Result, shorten, show_time};
use crate::content::ContentHash;
use crate::engine::action::Action;
use crate::engine::reply::{Button, Placement, Reply};
use crate::engine::reports::{MAX_CHARS, PER_DAY, Refusal};
use crate::ids::{ReportId, UserId};
use crate::lang::Lang;
use crate::render::{Html, html};
use crate::store::{NewReport, Report, ReportStatus};

/// Open reports `/reports` shows at most (the terminal shows all).
const LISTED: usize = 10;

impl Ctx<'_> {
    /// The row `[🚩 Report a mistake]` under the card of `item`.
    pub(super) fn report_row(&self, item: &Action) -> Vec<Button> {
        vec![Button::action(
            self.t("report_button"),
            Action::Report(Box::new(item.clone())),
        )]
    }

    /// What a report on `item` records besides its text: the card's title (in Latvian, the
    /// content's own language), its payload and the place in `content/` it comes from.
    /// `None` if the card is gone from the content.
    pub(in crate::engine) fn report_of(&self, item: &Action) -> Option<NewReport> {
        let catalog = self.catalog();
        let (title, place) = match item {
            Action::Lesson(n) => {
                let lesson = catalog.lesson(*n)?;
                (
                    format!("{n}. {}", lesson.title.get(Lang::Lv)),
                    &lesson.place,
                )
            }
            Action::Ministry(id) => {
                let ministry = catalog.ministry(id)?;
                (
                    format!("{} ({})", ministry.name.get(Lang::Lv), ministry.abbr),
                    &ministry.place,
                )
            }
            Action::Area(id) => {
                let (area, ministry) = catalog.area(id)?;
                (
                    format!("{} — {}", area.name.get(Lang::Lv), ministry.abbr),
                    &area.place,
                )
            }
            _ => return None,
        };
        Some(NewReport {
            item: item.payload(),
            title,
            place: place.to_string(),
            body: String::new(),
            content_hash: ContentHash::default(),
        })
    }

    /// The prompt after 🚩: what to write, within 10 minutes, `/cancel`; that the report is
    /// kept without the user id. A new message under the card that asks for an answer.
    pub(in crate::engine) fn report_prompt(&self, item: &Action) -> Reply {
        let Some(report) = self.report_of(item) else {
            return self.stale_button();
        };
        let text = self.fill(
            "report_prompt",
            &[("title", &report.title), ("max", &MAX_CHARS.to_string())],
        );
        self.reply(Html::text(&text), Vec::new())
            .placed(Placement::ForceReply)
    }

    /// 🚩 pressed in a group: reports are taken in a private chat with the bot, where the
    /// card's permalink opens the same card.
    pub(in crate::engine) fn report_in_private(&self, item: &Action) -> Reply {
        let link = self.permalink(item).unwrap_or_default();
        self.plain_reply(self.fill("report_in_private", &[("link", &link)]).trim())
            .placed(Placement::Below)
    }

    /// Why no report can be taken now; a message of its own (the card stays).
    pub(in crate::engine) fn report_refused(&self, refusal: Refusal) -> Reply {
        let text = match refusal {
            Refusal::TooSoon => self.fill("report_too_soon", &[]),
            Refusal::TooMany => self.fill("report_too_many", &[("n", &PER_DAY.to_string())]),
            Refusal::Busy => self.fill("report_busy", &[]),
        };
        self.plain_reply(&text).placed(Placement::Below)
    }

    /// The thanks for report `id`, with the offer to be contacted said plainly before the
    /// button, and a note when the text was cut.
    pub(in crate::engine) fn report_filed(&self, id: ReportId, cut: bool) -> Reply {
        let mut text = self.fill("report_thanks", &[("id", &id.to_string())]);
        if cut {
            text = format!(
                "{}\n\n{text}",
                self.fill("report_cut", &[("max", &MAX_CHARS.to_string())])
            );
        }
        let contact = Button::action(self.t("report_contact_button"), Action::ReportContact(id));
        self.reply(
            Html::text(&text),
            vec![vec![contact], vec![self.main_button()]],
        )
    }

    /// After "you may contact me": what is kept now, and how to take it back.
    pub(in crate::engine) fn report_contact_done(&self, id: ReportId) -> Reply {
        let text = self.fill("report_contact_thanks", &[("id", &id.to_string())]);
        self.plain_reply(&text)
    }

    /// The answer to `/cancel`.
    pub(in crate::engine) fn report_cancelled(&self, cancelled: bool) -> Reply {
        let key = if cancelled {
            "report_cancelled"
        } else {
            "report_nothing_to_cancel"
        };
        self.plain_reply(self.t(key))
    }

    /// The message to an admin about a new report: the card, where to fix it, the text.
    pub(in crate::engine) fn report_alert(&self, report: &Report) -> Html {
        let head = self.fill("report_alert", &[("id", &report.id.to_string())]);
        html!(
            "{}\n{}",
            Html::bold(&head),
            Html::text(&self.report_lines(report))
        )
    }

    /// The message to an admin when the person agreed to be contacted about report `id`.
    pub(in crate::engine) fn report_contact_alert(&self, id: ReportId, user_id: UserId) -> Html {
        Html::text(&self.fill(
            "report_contact_alert",
            &[("id", &id.to_string()), ("user", &user_id.to_string())],
        ))
    }

    /// A report as lines of plain text: card, place to fix, version, time, contact, text.
    fn report_lines(&self, report: &Report) -> String {
        let hash = report.content_hash.short();
        let mut text = self.fill(
            "report_details",
            &[
                ("title", &report.title),
                ("item", &report.item),
                ("place", &report.place),
                ("hash", hash),
                ("time", &show_time(&report.created_at, self.lang)),
            ],
        );
        if let Some(user) = report.contact_user_id {
            text.push('\n');
            text.push_str(&self.fill("report_contact", &[("user", &user.to_string())]));
        }
        text.push_str("\n\n");
        text.push_str(&report.body);
        text
    }

    /// `/reports` for admins: the oldest open reports, each with "resolved" and "spam";
    /// `closed` says what the last button did.
    pub(in crate::engine) async fn reports(
        &self,
        closed: Option<(ReportId, bool, bool)>,
    ) -> Result<Reply> {
        let open = self.store.open_reports().await?;
        let listed = self.store.reports(true, LISTED as i64).await?;
        let mut text = Html::default();
        if let Some((id, spam, done)) = closed {
            let key = match (done, spam) {
                (false, _) => "report_not_open",
                (true, false) => "report_resolved",
                (true, true) => "report_marked_spam",
            };
            text.push(&Html::text(&self.fill(key, &[("id", &id.to_string())])));
            text.push(&html!("\n\n"));
        }
        text.push(&Html::bold(
            &self.fill("reports_heading", &[("n", &open.to_string())]),
        ));
        let mut rows = Vec::new();
        for report in &listed {
            let mut lines = self.report_lines(report);
            lines = shorten(&lines, 600);
            text.push(&html!(
                "\n\n{}\n{}",
                Html::bold(&format!("#{}", report.id)),
                Html::text(&lines)
            ));
            let id = report.id.to_string();
            rows.push(vec![
                Button::action(
                    self.fill("report_resolve_button", &[("id", &id)]),
                    Action::ReportClose {
                        id: report.id,
                        spam: false,
                    },
                ),
                Button::action(
                    self.fill("report_spam_button", &[("id", &id)]),
                    Action::ReportClose {
                        id: report.id,
                        spam: true,
                    },
                ),
            ]);
        }
        let more = usize::try_from(open)
            .unwrap_or(0)
            .saturating_sub(listed.len());
        if more > 0 {
            text.push(&html!("\n\n"));
            text.push(&Html::text(
                &self.fill("reports_more", &[("n", &more.to_string())]),
            ));
        }
        rows.push(vec![self.main_button()]);
        Ok(self.reply(text, rows))
    }
}

/// A report as the terminal shows it (`lidzdaliba-bot reports`): one block per report.
pub fn report_block(report: &Report) -> String {
    let status = match report.status {
        ReportStatus::Open => "open".to_string(),
        status => format!(
            "{} {}",
            status.as_str(),
            report.closed_at.as_deref().unwrap_or("")
        ),
    };
    let mut out = format!(
        "#{} [{status}] {}\n  card:    {} ({})\n  fix at:  {}\n  content: {}\n",
        report.id,
        report.created_at,
        report.title,
        report.item,
        report.place,
        report.content_hash.short(),
    );
    if let Some(user) = report.contact_user_id {
        out.push_str(&format!(
            "  contact: Telegram user {user} (agreed to be contacted)\n"
        ));
    }
    for line in report.body.lines() {
        out.push_str(&format!("  | {line}\n"));
    }
    out
}

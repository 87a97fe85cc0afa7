//! "Report a mistake" (🚩), the steps that change something: the 🚩 that opens a prompt on the
//! desk, the text that files the report, the consent to be contacted, an admin closing a
//! report, `/cancel`. What they say is in `reports.rs`; what the desk remembers is
//! `engine/reports.rs`.

use super::{Ctx, Result};
use crate::engine::action::Action;
use crate::engine::reply::{Alert, Reply};
use crate::engine::reports::{self, cut};
use crate::engine::request::ChatKind;
use crate::ids::{ReportId, UserId};
use crate::render::Html;
use crate::store::ReportStatus;

impl Ctx<'_> {
    /// 🚩 on `item` pressed by `user_id`: the prompt for the report's text, unless the limits
    /// say no. In a group the bot does not read the answer (nor should the report be public).
    pub(in crate::engine) fn ask_report(
        &self,
        user_id: UserId,
        chat: ChatKind,
        item: &Action,
    ) -> Reply {
        if chat == ChatKind::Group {
            return self.report_in_private(item);
        }
        match self
            .desk
            .ask(user_id, item.clone(), crate::clock::unix_now())
        {
            Ok(()) => self.report_prompt(item),
            Err(refusal) => {
                reports::count(refusal.outcome());
                self.report_refused(refusal)
            }
        }
    }

    /// The text of a report on `item` from `user_id`: stored (cut to
    /// [`reports::MAX_CHARS`]) with the card's place, the content version and the time,
    /// counted, and sent to every admin.
    pub(in crate::engine) async fn file_report(
        &self,
        user_id: UserId,
        item: &Action,
        text: &str,
    ) -> Result<Reply> {
        let now = crate::clock::unix_now();
        if let Err(refusal) = self.desk.check(user_id, now) {
            reports::count(refusal.outcome());
            return Ok(self.report_refused(refusal));
        }
        let Some(mut new) = self.report_of(item) else {
            // The card went away with a content update while the person wrote.
            return Ok(self.stale_button());
        };
        let (body, was_cut) = cut(text);
        new.body = body;
        // The version the card was shown from.
        new.content_hash = self.catalog().info.hash.clone();
        let id = self
            .store
            .add_report(&new, &crate::clock::now_utc())
            .await?;
        self.desk.sent(user_id, id, now);
        reports::count("filed");
        tracing::info!(report = id.0, place = %new.place, "a mistake was reported");
        let mut reply = self.report_filed(id, was_cut);
        if let Some(report) = self.store.report(id).await? {
            reply.alerts = self.alerts(|admin| admin.report_alert(&report)).await;
        }
        Ok(reply)
    }

    /// "You may contact me" under the thanks for report `id`: recorded once, and only for the
    /// person's own last report (a forged button changes nothing).
    pub(in crate::engine) async fn consent_to_contact(
        &self,
        user_id: UserId,
        id: ReportId,
    ) -> Result<Reply> {
        if !(self.desk.consent(user_id, id) && self.store.set_report_contact(id, user_id).await?) {
            return Ok(self.stale_button());
        }
        reports::count("contact");
        let mut reply = self.report_contact_done(id);
        reply.alerts = self
            .alerts(|admin| admin.report_contact_alert(id, user_id))
            .await;
        Ok(reply)
    }

    /// An admin's "resolved" or "spam" on report `id` in `/reports`: `/reports` again, saying
    /// what the button did.
    pub(in crate::engine) async fn close_report(&self, id: ReportId, spam: bool) -> Result<Reply> {
        let status = if spam {
            ReportStatus::Spam
        } else {
            ReportStatus::Resolved
        };
        let closed = self
            .store
            .close_report(id, status, &crate::clock::now_utc())
            .await?;
        if closed {
            reports::count(status.as_str());
        }
        self.reports(Some((id, spam, closed))).await
    }

    /// `/cancel`: the prompt for a report closed, if one was open.
    pub(in crate::engine) fn cancel_report(&self, user_id: UserId) -> Reply {
        let cancelled = self.desk.cancel(user_id, crate::clock::unix_now());
        if cancelled {
            reports::count("cancelled");
        }
        self.report_cancelled(cancelled)
    }

    /// A message to every admin, each in the language they read, written by `text`.
    async fn alerts(&self, text: impl Fn(&Ctx<'_>) -> Html) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for &admin in self.admins {
            let lang = self.language_of(admin).await;
            alerts.push(Alert {
                chat: admin.private_chat(),
                text: text(&self.in_lang(lang)),
            });
        }
        alerts
    }
}

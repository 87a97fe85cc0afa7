//! `/search` and inline queries: the best matches as buttons, or as cards to send.

use super::{Ctx, Result, echo, icon, shorten};
use crate::engine::action::Action;
use crate::engine::reply::{Button, InlineItem, MAX_INLINE_RESULTS, Reply};
use crate::engine::search::Hit;
use crate::render::{Html, html};

impl Ctx<'_> {
    /// `/search`: the best matches as buttons, an exact area or ministry first.
    pub(in crate::engine) async fn search(&self, query: &str) -> Result<Reply> {
        let hits = self.hits(query, 8).await?;
        if hits.is_empty() {
            self.unmatched(query);
            let text = Html::text(&self.fill("search_nothing", &[("query", &echo(query))]));
            return Ok(self.reply(text, vec![vec![self.main_button()]]));
        }
        Ok(self.results(query, &hits))
    }

    pub(super) async fn hits(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        // Boxed: the search future holds SQLite queries and is rare; unboxed, its size would
        // be copied with every request's future.
        Box::pin(crate::engine::search::search(
            self.store,
            &self.loaded.index,
            &self.loaded.terms,
            |t| self.catalog().label(t, self.lang),
            query,
            self.lang,
            limit,
        ))
        .await
    }

    pub(super) fn results(&self, query: &str, hits: &[Hit]) -> Reply {
        let text = Html::text(&self.fill("search_results", &[("query", &echo(query))]));
        let mut rows: Vec<Vec<Button>> =
            hits.iter().map(|hit| vec![self.hit_button(hit)]).collect();
        rows.push(vec![self.main_button()]);
        self.reply(text, rows)
    }

    pub(super) fn hit_button(&self, hit: &Hit) -> Button {
        let label = format!("{} {}", icon(&hit.action), shorten(&hit.title, 60));
        Button::action(label, hit.action.clone())
    }

    /// Inline results: the item named by a payload, the main items for an empty query, or the
    /// search hits; each rendered as a message of its own.
    pub(in crate::engine) async fn inline(&self, query: &str) -> Result<Vec<InlineItem>> {
        let query = query.trim();
        let actions: Vec<(Action, Option<String>)> =
            if let Some(action) = Action::from_payload(query).filter(Action::is_item) {
                vec![(action, None)]
            } else if query.is_empty() {
                let catalog = self.catalog();
                let ministries = catalog.ministries.iter();
                let lessons = catalog.lessons.iter();
                ministries
                    .map(|m| (Action::Ministry(m.id.clone()), None))
                    .chain(lessons.map(|l| (Action::Lesson(l.number), None)))
                    .collect()
            } else {
                self.hits(query, MAX_INLINE_RESULTS)
                    .await?
                    .into_iter()
                    .filter(|h| h.action.is_item())
                    .map(|h| (h.action, Some(h.title)))
                    .collect()
            };
        let mut items = Vec::new();
        for (action, title) in actions.into_iter().take(MAX_INLINE_RESULTS) {
            let Some(reply) = self.item(&action) else {
                continue;
            };
            let Some(mut text) = reply.text.messages().into_iter().next() else {
                continue;
            };
            // The permalink in the message itself: copied with the text into an e-mail, it
            // still leads to the card.
            if let Some(permalink) = self.permalink(&action) {
                let with_link = html!("{}\n\n🔗 {}", text, Html::url(&permalink));
                if crate::render::visible_len(&with_link) <= crate::render::MAX_MESSAGE_UTF16 {
                    text = with_link;
                }
            }
            let plain = crate::render::to_plain(&text);
            let mut lines = plain.lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or_default().to_string();
            let title = title.unwrap_or(first);
            let description = shorten(&lines.take(3).collect::<Vec<_>>().join(" "), 120);
            items.push(InlineItem {
                payload: action.payload(),
                title: shorten(&title, 100),
                description,
                text,
                open_label: self.t("open_in_bot").to_string(),
            });
        }
        Ok(items)
    }
}

//! Free text and `/contact <words>`: the area or ministry the words name, else what the
//! texts hold, else the closest names as "did you mean" choices.

use super::{Ctx, Result, echo};
use crate::engine::action::Action;
use crate::engine::lookup::{Found, Institution, Target};
use crate::engine::reply::{Button, Reply};
use crate::fold;
use crate::render::{Html, html};
use crate::stats::metric;

/// At most this many search hits are offered as "did you mean" choices (the nearest names
/// follow them).
const MAX_SUGGESTIONS: usize = 3;

impl Ctx<'_> {
    /// Free text or a `/contact` argument: the area or ministry it names. An answer that does
    /// not rest on the words as typed (a typo, or words left unused) says what it shows; when
    /// no name matches, the full-text search answers, and what only a typo-corrected search
    /// or the nearest names offer is given as "did you mean" choices, not as the answer.
    pub(in crate::engine) async fn lookup(&self, query: &str) -> Result<Reply> {
        let found = self.loaded.index.lookup(query);
        if let Some(Institution::Body(id)) = &found.institution
            && let Some(reply) = self.body_card(id)
        {
            return Ok(reply);
        }
        match found.found {
            Found::One(target) => {
                let mut reply = match &found.institution {
                    Some(Institution::Agency(id)) => self.agency_card(id, &target),
                    _ => self.card(&target),
                };
                if !found.as_typed {
                    self.note_showing(&mut reply, query, &target);
                }
                Ok(reply)
            }
            Found::Choice(targets) => {
                let text = Html::text(&self.fill("ambiguous", &[("query", &echo(query))]));
                let mut rows: Vec<Vec<Button>> = targets
                    .iter()
                    .map(|t| vec![self.target_button(t)])
                    .collect();
                rows.push(vec![self.main_button()]);
                Ok(self.reply(text, rows))
            }
            Found::Nothing(_) => {
                // Not an area or a ministry: search the texts before giving up.
                let mut hits = Box::pin(crate::engine::search::full_text(
                    self.store,
                    &self.loaded.terms,
                    query,
                    self.lang,
                    8,
                ))
                .await?;
                hits.truncate(8);
                if hits.iter().any(|h| !h.guessed) {
                    return Ok(self.results(query, &hits));
                }
                self.unmatched(query);
                let mut rows: Vec<Vec<Button>> = Vec::new();
                let mut offered: Vec<Action> = Vec::new();
                for hit in hits.iter().take(MAX_SUGGESTIONS) {
                    offered.push(hit.action.clone());
                    rows.push(vec![self.hit_button(hit)]);
                }
                for target in self.loaded.index.suggestions(query) {
                    let button = self.target_button(&target);
                    if let Button::Action { action, .. } = &button
                        && !offered.contains(action)
                    {
                        offered.push(action.clone());
                        rows.push(vec![button]);
                    }
                }
                let mut text = Html::text(&self.fill("not_found", &[("query", &echo(query))]));
                if !rows.is_empty() {
                    text.push(&html!("\n\n{}", Html::text(self.t("not_found_suggest"))));
                }
                rows.push(vec![
                    Button::action(self.t("menu_contacts"), Action::Contacts),
                    self.main_button(),
                ]);
                Ok(self.reply(text, rows))
            }
        }
    }

    /// Heads `reply` with "you wrote …; showing: …" for an answer that is not what was typed.
    pub(super) fn note_showing(&self, reply: &mut Reply, query: &str, target: &Target) {
        let catalog = self.catalog();
        let name = match target.area.as_ref().and_then(|id| catalog.area(id)) {
            Some((area, _)) => area.name.get(self.lang),
            None => catalog
                .ministry(&target.ministry)
                .map_or("", |m| m.name.get(self.lang)),
        };
        let note = self.fill(
            "lookup_showing",
            &[("query", &echo(query)), ("match", name)],
        );
        reply.text = html!("{}\n\n{}", Html::text(&note), reply.text);
    }

    /// Counts a text that matched nothing: what people look for and the content lacks.
    pub(super) fn unmatched(&self, query: &str) {
        let folded: String = fold::fold(query).chars().take(64).collect();
        if !folded.is_empty() {
            self.stats.count(metric::UNMATCHED, &folded);
        }
        metrics::counter!("lookups_unmatched_total").increment(1);
    }
}

//! "Did this help?" under every card (ministry, area, lesson, guideline section), and the
//! thank-you that replaces the pressed card: the same card without the two vote buttons.

use super::Ctx;
use crate::engine::action::Action;
use crate::engine::reply::{Button, Reply};
use crate::engine::votes::Ballot;
use crate::render::{Html, html};
use crate::stats::metric;

impl Ctx<'_> {
    /// The row `[👍] [👎]` under the card of `item`.
    pub(super) fn vote_row(&self, item: &Action) -> Vec<Button> {
        [("vote_up", true), ("vote_down", false)]
            .into_iter()
            .map(|(key, up)| {
                let vote = Action::Vote {
                    item: Box::new(item.clone()),
                    up,
                };
                Button::action(self.t(key), vote)
            })
            .collect()
    }

    /// A vote on `item`: `cast` records it (once a person, card and day), the first is
    /// counted in the day's statistics, and the card comes back with a thank-you and
    /// without the vote buttons (every other button stays).
    pub(in crate::engine) fn vote(
        &self,
        item: &Action,
        up: bool,
        cast: impl FnOnce() -> Ballot,
    ) -> Reply {
        let Some(mut reply) = self.item_card(item) else {
            // The card is gone from the content: nothing to vote on.
            return self.stale_button();
        };
        let ballot = cast();
        let direction = if up { "up" } else { "down" };
        match ballot {
            Ballot::Counted => {
                let key = if up {
                    metric::VOTE_UP
                } else {
                    metric::VOTE_DOWN
                };
                self.stats.count(key, &item.payload());
                metrics::counter!("bot_votes_total", "vote" => direction).increment(1);
            }
            Ballot::Repeated | Ballot::Full => {
                metrics::counter!("bot_votes_held_back_total").increment(1);
            }
        }
        reply.buttons.retain(|row| {
            !row.iter().any(|b| {
                matches!(
                    b,
                    Button::Action {
                        action: Action::Vote { .. },
                        ..
                    }
                )
            })
        });
        let thanks = match ballot {
            Ballot::Repeated => "vote_repeated",
            Ballot::Counted | Ballot::Full => "vote_thanks",
        };
        reply.text = html!("{}\n\n{}", reply.text, Html::text(self.t(thanks)));
        reply
    }

    /// The card of `item` as its button shows it, without counting a lookup.
    fn item_card(&self, item: &Action) -> Option<Reply> {
        match item {
            Action::Lesson(n) => self.lesson(*n),
            Action::Section(id) => self.section(id),
            Action::Ministry(id) => {
                let ministry = self.catalog().ministry(id)?;
                Some(self.render_card(ministry, None))
            }
            Action::Area(id) => {
                let (area, ministry) = self.catalog().area(id)?;
                Some(self.render_card(ministry, Some(area)))
            }
            _ => None,
        }
    }
}

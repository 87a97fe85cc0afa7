//! The lesson series "Pareizie kursi": the list, one lesson, and `/lessons <number or area>`.

use super::{Ctx, echo, quoted, show_date};
use crate::content::{Lesson, Ministry};
use crate::engine::action::Action;
use crate::engine::lookup::{Found, Lookup};
use crate::engine::reply::{Button, Reply};
use crate::render::{Html, html};

impl Ctx<'_> {
    pub(in crate::engine) fn lessons(&self) -> Reply {
        let catalog = self.catalog();
        let lessons = &catalog.lessons;
        let mut text = Html::default();
        if let Some(series) = &catalog.series {
            let count =
                self.loaded
                    .strings
                    .plural(self.lang, "lessons_count", lessons.len() as u64);
            text.push(&html!(
                "{} — {}\n\n{}\n\n{}: {}\n{}: {}\n\n{}: {}",
                Html::bold(&quoted(&series.name, self.lang)),
                Html::text(&count),
                Html::content(series.about.get(self.lang)),
                Html::bold(self.t("lecturer")),
                Html::text(&series.lecturer),
                Html::bold(self.t("guests")),
                Html::text(&series.guests.join(", ")),
                Html::bold(self.t("recordings")),
                Html::content(series.recordings.get(self.lang)),
            ));
            let fold = [
                Html::text(self.t("guests_note")),
                self.sources(&series.sources),
            ];
            text.push(&html!("\n\n{}", self.folded(&fold)));
        }
        text.push(&html!("\n\n{}", Html::text(self.t("lessons_prompt"))));
        let mut rows: Vec<Vec<Button>> = lessons
            .chunks(2)
            .map(|pair| {
                pair.iter()
                    .map(|l| {
                        let label = format!("{}. {}", l.number, l.title.get(self.lang));
                        Button::action(label, Action::Lesson(l.number))
                    })
                    .collect()
            })
            .collect();
        rows.push(vec![self.main_button()]);
        self.reply(text, rows)
    }

    pub(in crate::engine) fn lesson(&self, number: u8) -> Option<Reply> {
        let catalog = self.catalog();
        let lesson = catalog.lesson(number)?;
        let area = catalog.area(&lesson.area);
        Some(self.lesson_reply(
            lesson,
            &catalog.lessons,
            area.map(|(area, _)| area),
            area.map(|(_, ministry)| ministry),
        ))
    }

    pub(super) fn lesson_reply(
        &self,
        lesson: &Lesson,
        all: &[Lesson],
        area: Option<&crate::content::Area>,
        ministry: Option<&Ministry>,
    ) -> Reply {
        let number = lesson.number.to_string();
        let mut text = Html::bold(&self.fill(
            "lesson_title",
            &[("number", &number), ("title", lesson.title.get(self.lang))],
        ));
        if let Some(area) = area {
            text.push(&html!(
                "\n\n{}: {}",
                Html::bold(self.t("lesson_area")),
                Html::text(area.name.get(self.lang))
            ));
        }
        if let Some(m) = ministry {
            text.push(&html!(
                "\n{}: {} ({})",
                Html::bold(self.t("lesson_lead")),
                Html::text(m.name.get(self.lang)),
                Html::text(&m.abbr)
            ));
        }
        if let Some(note) = area.and_then(|a| a.note.as_ref()) {
            text.push(&html!("\n\n{}", Html::content(note.get(self.lang))));
        }
        text.push(&html!(
            "\n\n{}\n{}",
            Html::bold(self.t("lesson_summary")),
            Html::content(lesson.learn.get(self.lang))
        ));
        let mut facts = Html::default();
        if let Some(date) = &lesson.date {
            facts.push(&html!(
                "\n{}: {}",
                Html::bold(self.t("lesson_date")),
                Html::text(&show_date(date, self.lang))
            ));
        }
        if let Some(guest) = &lesson.guest {
            facts.push(&html!(
                "\n{}: {}",
                Html::bold(self.t("lesson_guest")),
                Html::text(guest)
            ));
        }
        if let Some(video) = &lesson.video {
            facts.push(&html!(
                "\n{}: {}",
                Html::bold(self.t("lesson_video")),
                Html::link(video, video)
            ));
        }
        if !facts.is_empty() {
            text.push(&html!("\n{}", facts));
        }
        let fold = [
            Html::text(self.t("lesson_summary_note")),
            self.sources(&lesson.sources),
        ];
        text.push(&html!("\n\n{}", self.folded(&fold)));

        let mut rows = Vec::new();
        if let Some(m) = ministry {
            let label = self.fill("lesson_contact_button", &[("abbr", &m.abbr)]);
            rows.push(vec![Button::action(
                label,
                Action::Area(lesson.area.clone()),
            )]);
            rows.extend(self.open_rows(&m.id));
        }
        let position = all.iter().position(|l| l.number == lesson.number);
        let mut nav = Vec::new();
        if let Some(prev) = position
            .and_then(|p| p.checked_sub(1))
            .and_then(|p| all.get(p))
        {
            nav.push(Button::action(
                self.t("previous"),
                Action::Lesson(prev.number),
            ));
        }
        if let Some(next) = position.and_then(|p| all.get(p + 1)) {
            nav.push(Button::action(self.t("next"), Action::Lesson(next.number)));
        }
        if !nav.is_empty() {
            rows.push(nav);
        }
        rows.push(self.share_row(&Action::Lesson(lesson.number)));
        rows.push(self.vote_row(&Action::Lesson(lesson.number)));
        rows.push(self.report_row(&Action::Lesson(lesson.number)));
        rows.push(self.back_row(Action::Lessons));
        self.reply(text, rows)
    }

    pub(in crate::engine) fn lesson_by_query(&self, query: &str) -> Reply {
        let catalog = self.catalog();
        let lessons = &catalog.lessons;
        let wanted: Option<u8> = query.trim().trim_end_matches('.').parse().ok();
        let by_number = wanted.and_then(|n| lessons.iter().find(|l| l.number == n));
        let mut shown = None;
        let found = match by_number {
            Some(lesson) => Some(lesson.number),
            None => match self.loaded.index.lookup(query) {
                Lookup {
                    found: Found::One(target),
                    as_typed,
                    ..
                } => {
                    if !as_typed {
                        shown = Some(target.clone());
                    }
                    let ministry = catalog.ministry(&target.ministry);
                    lessons
                        .iter()
                        .find(|l| target.area.as_deref() == Some(l.area.as_str()))
                        .or_else(|| {
                            lessons.iter().find(|l| {
                                ministry.is_some_and(|m| m.areas.iter().any(|a| a.id == l.area))
                            })
                        })
                        .map(|l| l.number)
                }
                _ => None,
            },
        };
        if let Some(number) = found
            && let Some(mut reply) = self.lesson(number)
        {
            if let Some(target) = shown {
                self.note_showing(&mut reply, query, &target);
            }
            return reply;
        }
        let mut reply = self.lessons();
        reply.text = html!(
            "{}\n\n{}",
            Html::text(&self.fill("lesson_not_found", &[("query", &echo(query))])),
            reply.text
        );
        reply
    }
}

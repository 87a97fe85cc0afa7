//! `lessons.toml`: the series "Pareizie kursi" and its `[[lesson]]` entries.

use std::collections::HashMap;

use super::{Reader, Tbl};
use crate::content::{Lesson, Series};

impl Reader<'_> {
    pub(super) fn lessons(&mut self, doc: Tbl) -> (Option<Series>, Vec<Lesson>) {
        self.keys(doc, "", &["series", "lesson"]);
        let series = self.sub_table(doc, "series", "").and_then(|t| {
            let ctx = "[series]";
            self.keys(
                t,
                ctx,
                &[
                    "name",
                    "lecturer",
                    "guests",
                    "about",
                    "recordings",
                    "sources",
                ],
            );
            let name = self.string(t, ctx, "name");
            let lecturer = self.string(t, ctx, "lecturer");
            let guests = self.strings(t, ctx, "guests");
            let about = self.text(t, ctx, "about");
            let recordings = self.text(t, ctx, "recordings");
            let sources = self.sources(t, ctx);
            Some(Series {
                name: name?,
                lecturer: lecturer?,
                guests,
                about: about?,
                recordings: recordings?,
                sources,
            })
        });
        let mut lessons = Vec::new();
        let mut seen: HashMap<i64, usize> = HashMap::new();
        for t in self.array(doc, "lesson", "") {
            let line = self.line(t.start);
            let ctx = "[[lesson]]";
            self.keys(
                t,
                ctx,
                &[
                    "number", "area", "title", "learn", "date", "guest", "video", "sources",
                ],
            );
            let number = self.integer(t, ctx, "number", 1, 99);
            if let Some(n) = number
                && let Some(first) = seen.insert(n, line)
            {
                self.problem(
                    line,
                    format!("duplicate lesson number {n} (first at line {first})"),
                );
            }
            let area = self.id(t, ctx, "area");
            let title = self.text(t, ctx, "title");
            let learn = self.text(t, ctx, "learn");
            let date = self.opt_date(t, ctx, "date");
            let guest = self.opt_string(t, ctx, "guest");
            let video = self.opt_url(t, ctx, "video");
            let sources = self.sources(t, ctx);
            if let (Some(number), Some(area), Some(title), Some(learn)) =
                (number, area, title, learn)
            {
                self.lesson_lines.push(line);
                lessons.push(Lesson {
                    number: u8::try_from(number).unwrap_or(u8::MAX),
                    area,
                    title,
                    learn,
                    date,
                    guest,
                    video,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        if lessons.is_empty() && self.problems.is_empty() {
            self.problem(1, "no [[lesson]] entries".into());
        }
        (series, lessons)
    }
}

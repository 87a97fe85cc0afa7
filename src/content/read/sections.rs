//! `guidelines.toml` and `specialists.toml`: a heading and a list of sections each.

use std::collections::HashMap;

use super::{Reader, Tbl};
use crate::content::{Guidelines, Section, Specialists};

impl Reader<'_> {
    pub(super) fn guidelines(&mut self, doc: Tbl) -> Option<Guidelines> {
        self.keys(doc, "", &["guidelines", "section"]);
        let head = self.sub_table(doc, "guidelines", "");
        let sections = self.sections(doc, "section");
        let head = head?;
        let ctx = "[guidelines]";
        self.keys(head, ctx, &["title", "intro", "sources"]);
        let title = self.text(head, ctx, "title");
        let intro = self.text(head, ctx, "intro");
        let sources = self.sources(head, ctx);
        Some(Guidelines {
            title: title?,
            intro: intro?,
            sources,
            sections,
        })
    }

    pub(super) fn specialists(&mut self, doc: Tbl) -> Option<Specialists> {
        self.keys(doc, "", &["specialists", "tip"]);
        let head = self.sub_table(doc, "specialists", "");
        let tips = self.sections(doc, "tip");
        let head = head?;
        let ctx = "[specialists]";
        self.keys(head, ctx, &["title", "sources"]);
        let title = self.text(head, ctx, "title");
        let sources = self.sources(head, ctx);
        Some(Specialists {
            title: title?,
            sources,
            tips,
        })
    }

    pub(super) fn sections(&mut self, doc: Tbl, key: &str) -> Vec<Section> {
        let ctx = format!("[[{key}]]");
        let mut out = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for t in self.array(doc, key, "") {
            self.keys(t, &ctx, &["id", "title", "body", "sources"]);
            let id = self.id(t, &ctx, "id");
            let title = self.text(t, &ctx, "title");
            let body = self.text(t, &ctx, "body");
            let sources = self.sources(t, &ctx);
            if let Some(id) = &id {
                self.unique(&mut seen, id, t, key);
            }
            if let (Some(id), Some(title), Some(body)) = (id, title, body) {
                out.push(Section {
                    id,
                    title,
                    body,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        if out.is_empty() && self.problems.is_empty() {
            self.problem(1, format!("no [[{key}]] entries"));
        }
        out
    }
}

//! `resources.toml`: useful links.

use std::collections::HashMap;

use super::{Reader, Tbl};
use crate::content::Resource;

impl Reader<'_> {
    pub(super) fn resources(&mut self, doc: Tbl) -> Vec<Resource> {
        self.keys(doc, "", &["resource"]);
        let ctx = "[[resource]]";
        let mut out = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for t in self.array(doc, "resource", "") {
            self.keys(t, ctx, &["id", "title", "description", "url", "sources"]);
            let id = self.id(t, ctx, "id");
            let title = self.text(t, ctx, "title");
            let description = self.text(t, ctx, "description");
            let url = self.url(t, ctx, "url");
            let sources = self.sources(t, ctx);
            if let Some(id) = &id {
                self.unique(&mut seen, id, t, "resource");
            }
            if let (Some(id), Some(title), Some(description), Some(url)) =
                (id, title, description, url)
            {
                out.push(Resource {
                    id,
                    title,
                    description,
                    url,
                    sources,
                    place: self.place(t.start),
                });
            }
        }
        out
    }
}

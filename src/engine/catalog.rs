//! The content the engine answers from: the cached snapshot parsed by the content reader and
//! kept in memory, swapped as a whole (with the strings and the lookup index) when a new
//! import lands. A reply never waits for SQLite and never mixes two imports.

use std::collections::HashMap;

use super::lookup::Target;
use crate::content::tap::TapMap;
use crate::content::{
    Agency, Area, Body, Content, ContentHash, Guidelines, Lesson, Meta, Ministry, Resource,
    Section, Series, Specialists, Text,
};
use crate::lang::Lang;
use crate::store::ContentInfo;

/// What the about screen tells of the content served: its version and import time, and the
/// facts of `meta.toml`.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    pub hash: ContentHash,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub imported_at: String,
    pub content_date: String,
    pub source_url: String,
    pub source_name: Text,
    pub about: Text,
}

/// The content, indexed for the screens.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub info: Info,
    /// Always `Some` (the cache holds the files themselves); an `Option` until the lessons
    /// screen stops testing for it.
    pub series: Option<Series>,
    /// In order of their numbers.
    pub lessons: Vec<Lesson>,
    /// Guideline sections, in order.
    pub sections: Vec<Section>,
    /// Communication-specialists advice, in order.
    pub tips: Vec<Section>,
    pub resources: Vec<Resource>,
    /// In content order, with every field the content reader fills (aliases too).
    pub ministries: Vec<Ministry>,
    /// `tap.toml`: how TAP's names meet the ministries and areas (the TAP sync maps with it).
    pub tap: TapMap,
    /// `agencies.toml` and `bodies.toml`, in content order.
    pub agencies: Vec<Agency>,
    pub bodies: Vec<Body>,
    texts: HashMap<String, (Text, Vec<String>)>,
    ministry_at: HashMap<String, usize>,
    /// Area id → (ministry index, area index).
    area_at: HashMap<String, (usize, usize)>,
}

impl Catalog {
    /// Indexes `content` (its UI strings, which the engine keeps apart, are not used).
    pub(crate) fn new(info: ContentInfo, content: Content) -> Self {
        // Every part of the content is named here: a part added to `Content` does not compile
        // until the catalogue carries it to the screens.
        let Content {
            meta,
            series,
            mut lessons,
            guidelines,
            ministries,
            specialists,
            resources,
            tap,
            agencies,
            bodies,
            ui: _,
        } = content;
        let Meta {
            source_url,
            source_name,
            content_date,
            about,
            fallback: _,
        } = meta;
        let Guidelines {
            title,
            intro,
            sources,
            sections,
        } = guidelines;
        let Specialists {
            title: tips_title,
            sources: tips_sources,
            tips,
        } = specialists;
        lessons.sort_by_key(|l| l.number);
        let texts = [
            ("guidelines.title", title, sources.clone()),
            ("guidelines.intro", intro, sources),
            ("specialists.title", tips_title, tips_sources),
        ]
        .into_iter()
        .map(|(key, text, sources)| (key.to_string(), (text, sources)))
        .collect();
        let ministry_at = ministries
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        let area_at = ministries
            .iter()
            .enumerate()
            .flat_map(|(i, m)| {
                m.areas
                    .iter()
                    .enumerate()
                    .map(move |(j, a)| (a.id.clone(), (i, j)))
            })
            .collect();
        Self {
            info: Info {
                hash: info.hash,
                imported_at: info.imported_at,
                content_date,
                source_url,
                source_name,
                about,
            },
            series: Some(series),
            lessons,
            sections,
            tips,
            resources,
            ministries,
            tap,
            agencies,
            bodies,
            texts,
            ministry_at,
            area_at,
        }
    }

    /// A single text (`guidelines.title`, …) and its sources.
    pub(crate) fn text(&self, key: &str) -> Option<&(Text, Vec<String>)> {
        self.texts.get(key)
    }

    /// Lesson `number`.
    pub(crate) fn lesson(&self, number: u8) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.number == number)
    }

    /// The guideline section `id` and its position.
    pub(crate) fn section(&self, id: &str) -> Option<(usize, &Section)> {
        self.sections.iter().enumerate().find(|(_, s)| s.id == id)
    }

    /// The ministry `id`.
    pub(crate) fn ministry(&self, id: &str) -> Option<&Ministry> {
        self.ministry_at.get(id).map(|&i| &self.ministries[i])
    }

    /// The ministry `id` and its position in [`Catalog::ministries`].
    pub(crate) fn ministry_at(&self, id: &str) -> Option<(usize, &Ministry)> {
        self.ministry_at.get(id).map(|&i| (i, &self.ministries[i]))
    }

    /// The area `id` and the ministry that leads it.
    pub(crate) fn area(&self, id: &str) -> Option<(&Area, &Ministry)> {
        self.area_at.get(id).map(|&(i, j)| {
            let ministry = &self.ministries[i];
            (&ministry.areas[j], ministry)
        })
    }

    /// The lessons on the areas a ministry leads, in order.
    pub(crate) fn lessons_of<'a>(
        &'a self,
        ministry: &'a Ministry,
    ) -> impl Iterator<Item = &'a Lesson> {
        self.lessons
            .iter()
            .filter(|l| ministry.areas.iter().any(|a| a.id == l.area))
    }

    /// A short label for a lookup target: the area's name with the ministry's abbreviation,
    /// or the ministry's abbreviation and name.
    pub(crate) fn label(&self, target: &Target, lang: Lang) -> String {
        let (abbr, name) = self
            .ministry(&target.ministry)
            .map_or(("?", ""), |m| (m.abbr.as_str(), m.name.get(lang)));
        match target.area.as_ref().and_then(|id| self.area(id)) {
            Some((area, _)) => format!("{} ({abbr})", capitalise(area.name.get(lang))),
            None => format!("{abbr}: {name}"),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

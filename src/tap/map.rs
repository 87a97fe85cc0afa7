//! How TAP's names meet the content: "Atbildīgā ministrija" to a ministry by its Latvian name
//! (or a `[[ministry]]` of `tap.toml`), "Politikas jomas" to areas through `[[area]]`.

use std::collections::HashMap;

use crate::content::tap::{TapMap, name_key};
use crate::content::{Content, Ministry};

/// The content's side of the mapping, built once per content version.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    ministries: HashMap<String, String>,
    areas: HashMap<String, Vec<String>>,
}

impl Mapping {
    /// The mapping of `content` (its ministries and `tap.toml`).
    pub fn of(content: &Content) -> Self {
        Self::new(&content.ministries, &content.tap)
    }

    pub(crate) fn new(ministries: &[Ministry], tap: &TapMap) -> Self {
        let mut by_name: HashMap<String, String> = ministries
            .iter()
            .map(|m| (name_key(&m.name.lv), m.id.clone()))
            .collect();
        for entry in &tap.ministries {
            by_name.insert(name_key(&entry.tap), entry.ministry.clone());
        }
        let areas = tap
            .areas
            .iter()
            .map(|a| (name_key(&a.tap), a.areas.clone()))
            .collect();
        Self {
            ministries: by_name,
            areas,
        }
    }

    /// The id of the content's ministry TAP names `name`, if it is one.
    pub(crate) fn ministry(&self, name: &str) -> Option<&str> {
        self.ministries.get(&name_key(name)).map(String::as_str)
    }

    /// The ids of the content's areas that TAP's policy area `name` agrees with (none when
    /// `tap.toml` does not map it).
    pub(crate) fn areas(&self, name: &str) -> &[String] {
        self.areas.get(&name_key(name)).map_or(&[], Vec::as_slice)
    }
}

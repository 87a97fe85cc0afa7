//! `tap.toml`: how the names the TAP portal uses meet the content's ministries and areas.
//!
//! TAP names the responsible ministry of a consultation ("Atbildīgā ministrija") and, on the
//! draft's own page, its policy areas ("Politikas jomas"). A ministry is found by its Latvian
//! name (`name.lv` in `ministries.toml`) without any entry here; `[[ministry]]` is only for a
//! name TAP writes differently. A policy area is mapped to the content's areas only through
//! an `[[area]]` entry: TAP's classification of policy areas is its own, so a person decides
//! where its names and ours agree.

use super::Place;

/// The mapping table of `tap.toml`.
#[derive(Debug, Clone, Default)]
pub struct TapMap {
    pub areas: Vec<TapArea>,
    pub ministries: Vec<TapMinistry>,
}

/// `[[area]]`: one of TAP's policy areas and the content's areas it agrees with.
#[derive(Debug, Clone)]
pub struct TapArea {
    /// The policy area as TAP writes it, e.g. `Vides aizsardzība`.
    pub tap: String,
    /// Ids of `[[ministry.area]]` entries in `ministries.toml`.
    pub areas: Vec<String>,
    /// A TAP page that shows this name.
    pub source: String,
    pub place: Place,
}

/// `[[ministry]]`: an institution name TAP writes differently from the ministry's `name.lv`.
#[derive(Debug, Clone)]
pub struct TapMinistry {
    /// The name as TAP writes it in "Atbildīgā ministrija".
    pub tap: String,
    /// The id of a `[[ministry]]` in `ministries.toml`.
    pub ministry: String,
    /// A TAP page that shows this name.
    pub source: String,
    pub place: Place,
}

/// The form in which two names are compared: lower case, runs of white space as one space.
pub(crate) fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

//! The lookup names of the content: each ministry's abbreviation, names and aliases, and each
//! area's names and aliases, with what they name. The lookup index is built from them, as the
//! content reader left them (nothing of them is stored apart from the content files).

use crate::content::Ministry;
use crate::fold;

/// One lookup name and what it names: a ministry, or an area of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRow {
    pub alias: String,
    pub ministry_id: String,
    pub area_id: Option<String>,
    /// An abbreviation (`VM`, `VID`): matched whole, never as a word of a phrase.
    pub is_abbr: bool,
}

/// Every lookup name of `ministries`, in content order: a ministry's abbreviation, its two
/// names and its aliases, then each of its areas' two names and aliases (an area name written
/// as an abbreviation counts as one).
pub fn of(ministries: &[Ministry]) -> Vec<AliasRow> {
    let mut rows = Vec::new();
    for m in ministries {
        let row = |alias: &str, area: Option<&str>, is_abbr| AliasRow {
            alias: alias.to_string(),
            ministry_id: m.id.clone(),
            area_id: area.map(str::to_string),
            is_abbr,
        };
        rows.push(row(&m.abbr, None, true));
        for alias in [&m.name.lv, &m.name.en].into_iter().chain(&m.aliases) {
            rows.push(row(alias, None, false));
        }
        for a in &m.areas {
            for alias in [&a.name.lv, &a.name.en].into_iter().chain(&a.aliases) {
                rows.push(row(alias, Some(&a.id), fold::is_abbreviation(alias)));
            }
        }
    }
    rows
}

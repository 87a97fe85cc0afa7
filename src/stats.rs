//! Operator statistics: aggregate daily counters with no user ids (requests per command and
//! menu, lookups per area and ministry, unmatched lookup texts, languages). Counted in memory
//! on the request path and written to SQLite in one transaction every few seconds, so a
//! request never waits for a write.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::clock;
use crate::store::{Store, StoreError};

/// The metrics counted.
pub mod metric {
    /// A command or menu (`start`, `contact`, `button:lesson`, ...).
    pub const REQUEST: &str = "request";
    /// An area whose card was shown.
    pub const AREA: &str = "area";
    /// A ministry whose card was shown.
    pub const MINISTRY: &str = "ministry";
    /// A lookup or search text that matched nothing (folded, at most 64 characters).
    pub const UNMATCHED: &str = "unmatched";
    /// The language of a reply.
    pub const LANGUAGE: &str = "language";
    /// "Did this help?" answered 👍, by the card's payload (`c-vm`, `a-veseliba`, `l-3`,
    /// `g-purpose`); one per person per card per day.
    pub(crate) const VOTE_UP: &str = "vote_up";
    /// The same, answered 👎.
    pub(crate) const VOTE_DOWN: &str = "vote_down";
}

/// Open reports the statistics list by name (the oldest first).
const OLDEST_OPEN_REPORTS: i64 = 5;

/// Counters waiting to be written.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pending: Mutex<HashMap<(&'static str, String), i64>>,
}

impl Stats {
    /// Counts one event of `metric` for `key` today.
    pub(crate) fn count(&self, metric: &'static str, key: &str) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = pending.get_mut(&(metric, key.to_string())) {
            *n += 1;
        } else {
            pending.insert((metric, key.to_string()), 1);
        }
    }

    /// Writes the pending counters to the store (added to today's).
    pub(crate) async fn flush(&self, store: &Store) -> Result<(), StoreError> {
        let pending: Vec<((&'static str, String), i64)> = {
            let mut guard = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            guard.drain().collect()
        };
        if pending.is_empty() {
            return Ok(());
        }
        let day = clock::day(0);
        let rows: Vec<(String, String, i64)> = pending
            .into_iter()
            .map(|((metric, key), n)| (metric.to_string(), key, n))
            .collect();
        store.add_stats(&day, &rows).await
    }
}

/// What one request counted (the card it showed, the text nothing matched, a vote), kept apart
/// until the request is answered: the engine's router adds it to [`Stats`] then, or drops it
/// where the work was no request of a person's (the cards rendered as inline results).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    counted: Mutex<Vec<(&'static str, String)>>,
}

impl Tally {
    /// Counts one event of `metric` for `key`.
    pub(crate) fn count(&self, metric: &'static str, key: &str) {
        let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        counted.push((metric, key.to_string()));
    }
}

impl Stats {
    /// Adds what a request counted.
    pub(crate) fn add(&self, tally: Tally) {
        let counted = tally
            .counted
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        for (metric, key) in counted {
            self.count(metric, &key);
        }
    }
}

/// Statistics of the last `days` days, ready to show.
#[derive(Debug, Clone)]
pub struct Report {
    pub days: u32,
    /// Per metric, keys with their totals, largest first.
    pub totals: BTreeMap<String, Vec<(String, i64)>>,
    /// Requests per day, oldest first, every day present (zero when quiet).
    pub per_day: Vec<(String, i64)>,
    /// How many reports of mistakes are open, and the oldest of them.
    pub open_reports: (i64, Vec<crate::store::Report>),
}

impl Report {
    /// Loads the last `days` days (1–366) from the store.
    pub async fn load(store: &Store, days: u32) -> Result<Report, StoreError> {
        let days = days.clamp(1, 366);
        let since = clock::day(u64::from(days - 1));
        let rows = store.stats_since(&since).await?;
        let mut totals: BTreeMap<String, HashMap<String, i64>> = BTreeMap::new();
        let mut per_day: BTreeMap<String, i64> = (0..days)
            .map(|ago| (clock::day(u64::from(ago)), 0))
            .collect();
        for (day, metric, key, count) in rows {
            if metric == metric::REQUEST {
                *per_day.entry(day).or_default() += count;
            }
            *totals.entry(metric).or_default().entry(key).or_default() += count;
        }
        let totals = totals
            .into_iter()
            .map(|(metric, keys)| {
                let mut keys: Vec<(String, i64)> = keys.into_iter().collect();
                keys.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                (metric, keys)
            })
            .collect();
        let open_reports = (
            store.open_reports().await?,
            store.reports(true, OLDEST_OPEN_REPORTS).await?,
        );
        Ok(Report {
            days,
            totals,
            per_day: per_day.into_iter().collect(),
            open_reports,
        })
    }

    /// A plain-text table: per metric the top `top` keys.
    pub fn table(&self, top: usize) -> String {
        let total: i64 = self.per_day.iter().map(|(_, n)| n).sum();
        let mut out = format!("Last {} day(s): {total} request(s)\n", self.days);
        for (metric, title) in [
            (metric::REQUEST, "Commands and menus"),
            (metric::AREA, "Areas looked up"),
            (metric::MINISTRY, "Ministries looked up"),
            (metric::LANGUAGE, "Languages"),
        ] {
            out.push_str(&format!("\n{title}\n"));
            self.top_keys(&mut out, metric, top);
        }
        // What people tell the operators, each in its own section.
        out.push_str(&self.unmatched_section(top));
        out.push_str(&self.votes_section(top));
        out.push_str(&self.reports_section());
        out
    }

    /// The top `top` keys of `metric` with their totals, one a line.
    fn top_keys(&self, out: &mut String, metric: &str, top: usize) {
        match self.totals.get(metric) {
            Some(keys) if !keys.is_empty() => {
                for (key, n) in keys.iter().take(top) {
                    let key: String = key.chars().take(40).collect();
                    out.push_str(&format!("{n:>7}  {key}\n"));
                }
            }
            _ => out.push_str("      —\n"),
        }
    }

    /// The texts that matched nothing, most frequent first: what the content lacks.
    pub(crate) fn unmatched_section(&self, top: usize) -> String {
        let mut out = String::from("\nNot found (what the content lacks)\n");
        self.top_keys(&mut out, metric::UNMATCHED, top);
        out
    }

    /// "Did this help?" per card: the cards with the most 👎 first (then the most 👍), with
    /// both counts, so that the operator sees which card to check first.
    pub(crate) fn votes_section(&self, top: usize) -> String {
        let mut cards: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        for (metric, down) in [(metric::VOTE_DOWN, true), (metric::VOTE_UP, false)] {
            for (card, n) in self.totals.get(metric).into_iter().flatten() {
                let entry = cards.entry(card.as_str()).or_default();
                if down {
                    entry.0 += n;
                } else {
                    entry.1 += n;
                }
            }
        }
        let mut cards: Vec<(&str, (i64, i64))> = cards.into_iter().collect();
        // A stable sort of the BTreeMap's order: ties stay in the order of the cards.
        cards.sort_by_key(|(_, (down, up))| std::cmp::Reverse((*down, *up)));
        let mut out = String::from("\nDid this help? (👎 no, 👍 yes; most 👎 first)\n");
        if cards.is_empty() {
            out.push_str("      —\n");
        }
        for (card, (down, up)) in cards.into_iter().take(top) {
            out.push_str(&format!("{down:>5} 👎 {up:>5} 👍  {}\n", card_name(card)));
        }
        out
    }

    /// The open reports of mistakes (whatever their age): how many, and the oldest with the
    /// place in `content/` to fix.
    fn reports_section(&self) -> String {
        let (count, oldest) = &self.open_reports;
        let mut out = format!("\nOpen reports of mistakes: {count}\n");
        for report in oldest {
            let file = report.place.rsplit('/').next().unwrap_or(&report.place);
            let title: String = report.title.chars().take(40).collect();
            out.push_str(&format!(
                "{:>7}  {file}  {title}\n",
                format!("#{}", report.id)
            ));
        }
        if *count > oldest.len() as i64 {
            out.push_str("         … /reports, `lidzdaliba-bot reports --open`\n");
        }
        out
    }

    /// A PNG bar chart of requests per day (oldest left), without text: the numbers are in
    /// the table that goes with it.
    pub fn chart_png(&self) -> Vec<u8> {
        bar_chart(&self.per_day.iter().map(|(_, n)| *n).collect::<Vec<_>>())
    }
}

/// A card's payload as the operator reads it: `c-vm` is "ministry vm", `l-3` "lesson 3".
fn card_name(payload: &str) -> String {
    let kind = match payload.split_once('-') {
        Some(("c", id)) => ("ministry", id),
        Some(("a", id)) => ("area", id),
        Some(("l", id)) => ("lesson", id),
        Some(("g", id)) => ("section", id),
        _ => ("", payload),
    };
    let name = match kind {
        ("", id) => id.to_string(),
        (kind, id) => format!("{kind} {id}"),
    };
    name.chars().take(40).collect()
}

/// Draws `values` as bars on a light grid and encodes the picture as PNG.
pub(crate) fn bar_chart(values: &[i64]) -> Vec<u8> {
    const W: usize = 640;
    const H: usize = 320;
    const PAD: usize = 20;
    let mut pixels = vec![255u8; W * H * 3];
    let mut fill = |x0: usize, y0: usize, x1: usize, y1: usize, rgb: [u8; 3]| {
        for y in y0.min(H)..y1.min(H) {
            for x in x0.min(W)..x1.min(W) {
                let i = (y * W + x) * 3;
                pixels[i..i + 3].copy_from_slice(&rgb);
            }
        }
    };
    // Grid: four horizontal lines, and the axis.
    for i in 0..=4 {
        let y = PAD + (H - 2 * PAD) * i / 4;
        fill(PAD, y, W - PAD, y + 1, [225, 225, 225]);
    }
    fill(PAD, H - PAD, W - PAD, H - PAD + 2, [90, 90, 90]);
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = values.len().max(1);
    let slot = (W - 2 * PAD) / n;
    for (i, value) in values.iter().enumerate() {
        let height = (H - 2 * PAD) * usize::try_from((*value).max(0)).unwrap_or(0)
            / usize::try_from(max).unwrap_or(1);
        let x0 = PAD + i * slot + slot / 6;
        let x1 = PAD + (i + 1) * slot - slot / 6;
        let top = H - PAD - height;
        // Latvian flag carmine for the bars.
        fill(x0, top, x1.max(x0 + 1), H - PAD, [158, 48, 57]);
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, W as u32, H as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        if let Ok(mut writer) = encoder.write_header() {
            let _ = writer.write_image_data(&pixels);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_is_a_png() {
        let png = bar_chart(&[0, 3, 10, 7]);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!(reader.info().width, 640);
        assert_eq!(reader.info().height, 320);
    }

    #[test]
    fn the_votes_section_puts_the_cards_with_the_most_thumbs_down_first() {
        let keys = |pairs: &[(&str, i64)]| -> Vec<(String, i64)> {
            pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
        };
        let report = Report {
            days: 7,
            totals: BTreeMap::from([
                (
                    metric::VOTE_DOWN.to_string(),
                    keys(&[("a-veseliba", 4), ("l-3", 1)]),
                ),
                (
                    metric::VOTE_UP.to_string(),
                    keys(&[("c-vm", 9), ("l-3", 2), ("g-purpose", 1)]),
                ),
                (metric::UNMATCHED.to_string(), keys(&[("zzz", 3)])),
            ]),
            per_day: Vec::new(),
            open_reports: (0, Vec::new()),
        };
        let section = report.votes_section(3);
        let lines: Vec<&str> = section.lines().skip(2).collect();
        assert_eq!(
            lines,
            [
                "    4 👎     0 👍  area veseliba",
                "    1 👎     2 👍  lesson 3",
                "    0 👎     9 👍  ministry vm",
            ],
            "{section}"
        );
        let table = report.table(10);
        assert!(table.contains("section purpose"), "{table}");
        assert!(table.contains("      3  zzz"), "{table}");
        let empty = Report {
            days: 1,
            totals: BTreeMap::new(),
            per_day: Vec::new(),
            open_reports: (0, Vec::new()),
        };
        assert!(empty.votes_section(5).ends_with("      —\n"));
    }

    #[test]
    fn counters_add_up_before_a_flush() {
        let stats = Stats::default();
        stats.count(metric::AREA, "veseliba");
        stats.count(metric::AREA, "veseliba");
        stats.count(metric::LANGUAGE, "lv");
        let pending = stats.pending.lock().unwrap();
        assert_eq!(pending[&(metric::AREA, "veseliba".to_string())], 2);
        assert_eq!(pending.len(), 2);
    }
}

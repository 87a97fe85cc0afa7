//! Finding the area or ministry a person means: abbreviations, names and aliases with case,
//! diacritics and Latvian endings folded, several words, and typos.

use std::collections::HashMap;

use crate::fold;
use crate::store::AliasRow;

/// Longest query that is looked up, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

/// What a name points to: a ministry, or one of its areas.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub ministry: String,
    pub area: Option<String>,
}

/// The answer to a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// One area or ministry.
    One(Target),
    /// Several, led by different ministries: the person chooses.
    Choice(Vec<Target>),
    /// Nothing (suggestions are computed apart: [`Index::suggestions`]).
    Nothing(Vec<Target>),
}

/// Words that carry no meaning in a lookup (already folded and stemmed).
const STOPWORDS: &[&str] = &[
    "un",
    "and",
    "of",
    "the",
    "ar",
    "par",
    "uz",
    "in",
    "for",
    "to",
    "or",
    "vai",
    "jom",
    "area",
    "ministrij",
    "ministry",
    "ministri",
    "kontakt",
    "contact",
    "lv",
];

/// Whether a folded, stemmed word carries no meaning in a lookup.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

/// The in-memory lookup index, built from the cached aliases.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Abbreviations, lower-cased but with diacritics kept (`ām` is not `am`).
    abbr_exact: HashMap<String, String>,
    /// Folded and stemmed phrases → targets.
    phrases: HashMap<String, Vec<Target>>,
    /// Phrases grouped by word count, for typo matching; each group in order of length in
    /// characters, then of the phrase.
    by_words: Vec<Vec<(String, Vec<Target>)>>,
    /// The length in characters of each phrase of `by_words`: a typo lookup compares only
    /// the phrases whose length is within the typo limit.
    lengths: Vec<Vec<usize>>,
}

impl Index {
    /// Builds the index from the alias rows of the store.
    pub fn build(rows: &[AliasRow]) -> Self {
        let mut index = Index::default();
        for row in rows {
            let target = Target {
                ministry: row.ministry_id.clone(),
                area: row.area_id.clone(),
            };
            if row.is_abbr {
                index
                    .abbr_exact
                    .insert(row.alias.trim().to_lowercase(), row.ministry_id.clone());
            }
            let key = fold::phrase_key(&row.alias);
            if key.is_empty() {
                continue;
            }
            let targets = index.phrases.entry(key).or_default();
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        for (key, targets) in &index.phrases {
            let words = key.split(' ').count();
            if index.by_words.len() < words {
                index.by_words.resize(words, Vec::new());
            }
            index.by_words[words - 1].push((key.clone(), targets.clone()));
        }
        for group in &mut index.by_words {
            group.sort_by_cached_key(|(key, _)| (key.chars().count(), key.clone()));
        }
        index.lengths = index
            .by_words
            .iter()
            .map(|group| group.iter().map(|(key, _)| key.chars().count()).collect())
            .collect();
        index
    }

    /// Looks up `query`.
    pub fn find(&self, query: &str) -> Found {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let trimmed = query.trim().trim_start_matches('@').to_lowercase();
        if let Some(ministry) = self.abbr_exact.get(&trimmed) {
            return Found::One(Target {
                ministry: ministry.clone(),
                area: None,
            });
        }
        let words = fold::stems(&query);
        let words: Vec<&str> = words.iter().map(String::as_str).take(12).collect();
        let mut exact: Vec<Target> = Vec::new();
        let mut fuzzy: Vec<(usize, Target)> = Vec::new();
        let mut i = 0;
        'words: while i < words.len() {
            let longest = self.by_words.len().min(words.len() - i);
            for len in (1..=longest).rev() {
                let phrase = words[i..i + len].join(" ");
                if let Some(targets) = self.phrases.get(&phrase) {
                    exact.extend(targets.iter().cloned());
                    i += len;
                    continue 'words;
                }
                if let Some((distance, targets)) = self.closest(&phrase, len) {
                    fuzzy.extend(targets.into_iter().map(|t| (distance, t)));
                    i += len;
                    continue 'words;
                }
            }
            i += 1;
        }
        let mut matched = if exact.is_empty() {
            let best = fuzzy.iter().map(|(d, _)| *d).min();
            fuzzy
                .into_iter()
                .filter(|(d, _)| Some(*d) == best)
                .map(|(_, t)| t)
                .collect()
        } else {
            exact
        };
        dedup(&mut matched);
        match matched.len() {
            0 => Found::Nothing(Vec::new()),
            1 => Found::One(matched.remove(0)),
            _ => {
                let first = matched[0].ministry.clone();
                if matched.iter().all(|t| t.ministry == first) {
                    // Several areas of one ministry ("izglītība un zinātne"): the ministry.
                    let areas: Vec<_> = matched.iter().filter(|t| t.area.is_some()).collect();
                    if areas.len() == 1 {
                        Found::One(areas[0].clone())
                    } else {
                        Found::One(Target {
                            ministry: first,
                            area: None,
                        })
                    }
                } else {
                    Found::Choice(matched)
                }
            }
        }
    }

    /// The phrase of `len` words closest to `phrase` within the typo limit; ties give every
    /// target. Stopwords never match by typo.
    fn closest(&self, phrase: &str, len: usize) -> Option<(usize, Vec<Target>)> {
        if len == 1 && STOPWORDS.contains(&phrase) {
            return None;
        }
        let chars = phrase.chars().count();
        let limit = fold::typo_limit(chars);
        if limit == 0 {
            return None;
        }
        let group = self.by_words.get(len - 1)?;
        let lengths = self.lengths.get(len - 1)?;
        let from = lengths.partition_point(|&n| n + limit < chars);
        let to = lengths.partition_point(|&n| n <= chars + limit);
        let mut best: Option<(usize, Vec<Target>)> = None;
        for (key, targets) in &group[from..to] {
            if let Some(d) = fold::distance(phrase, key, limit) {
                match &mut best {
                    Some((bd, list)) if d == *bd => list.extend(targets.iter().cloned()),
                    Some((bd, _)) if d > *bd => {}
                    _ => best = Some((d, targets.clone())),
                }
            }
        }
        best
    }

    /// Up to three areas or ministries whose names come closest to `query`. Costly (every
    /// name is compared), so it is asked for only when nothing else matched.
    pub fn suggestions(&self, query: &str) -> Vec<Target> {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let words = fold::stems(&query);
        let words: Vec<&str> = words.iter().map(String::as_str).take(12).collect();
        self.suggest(&words)
    }

    /// Up to three targets whose one-word names are closest to any word of the query.
    fn suggest(&self, words: &[&str]) -> Vec<Target> {
        let mut scored: Vec<(usize, &str, &Target)> = Vec::new();
        for word in words
            .iter()
            .filter(|w| !STOPWORDS.contains(w) && w.len() >= 3)
        {
            let limit = (word.chars().count() / 2).max(2);
            for group in &self.by_words {
                for (key, targets) in group {
                    for key_word in key.split(' ') {
                        if let Some(d) = fold::distance(word, key_word, limit) {
                            for t in targets {
                                scored.push((d, key, t));
                            }
                        }
                    }
                }
            }
        }
        scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
        let mut out: Vec<Target> = Vec::new();
        for (_, _, target) in scored {
            if !out.contains(target) && out.len() < 3 {
                out.push(target.clone());
            }
        }
        out
    }
}

fn dedup(targets: &mut Vec<Target>) {
    let mut seen = Vec::new();
    targets.retain(|t| {
        if seen.contains(t) {
            false
        } else {
            seen.push(t.clone());
            true
        }
    });
}

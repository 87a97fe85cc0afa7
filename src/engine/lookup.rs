//! Finding the area or ministry a person means: abbreviations, names and aliases with case,
//! diacritics and Latvian endings folded, several words, and typos that are slips of the
//! fingers, never other real words (`docs/LOOKUP.md` states the rule and why).

use std::collections::{HashMap, HashSet};

use super::names::AliasRow;
use crate::fold;

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
    /// Abbreviations, lower-cased but with diacritics kept (`ām` is not `am`): the ministries'
    /// and the areas' aliases written in capitals (`VID`), matched only as the whole query.
    abbr_exact: HashMap<String, Target>,
    /// Folded and stemmed phrases → targets.
    phrases: HashMap<String, Vec<Target>>,
    /// Phrases grouped by word count, for typo matching; each group in order of length in
    /// characters, then of the phrase.
    by_words: Vec<Vec<(String, Vec<Target>)>>,
    /// The length in characters of each phrase of `by_words`: a typo lookup compares only
    /// the phrases whose length is within the typo limit.
    lengths: Vec<Vec<usize>>,
    /// The stems of every word of the content (the full-text vocabulary): a word a person
    /// types that is one of them is a real word, never a typo of a name.
    known: HashSet<String>,
    /// Every distinct word of the names, for the "did you mean" suggestions.
    words: Words,
}

/// The distinct words of the names, each compared once however many names share it, and
/// sifted by their letters so that most are never looked at ([`fold::Sieve`]).
#[derive(Debug, Clone, Default)]
struct Words {
    /// In order of their number of letter bits ([`Words::within`]).
    words: Vec<Box<str>>,
    /// Each word's length in characters.
    lengths: Vec<usize>,
    /// Each word's letter signature ([`fold::letters`]).
    letters: Vec<u64>,
    /// The names each word occurs in, as (word count − 1, position) in `Index::by_words`.
    names: Vec<Vec<(u32, u32)>>,
    sieve: fold::Sieve,
}

/// A lookup's answer, and whether it rests on the query as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub found: Found,
    /// Every meaningful word of the query was matched exactly (after folding and stemming).
    /// When not, a word was read as a typo or left unused, and the reply says what it shows.
    pub as_typed: bool,
}

impl Index {
    /// Builds the index from the lookup names of the content. Without [`Index::with_vocabulary`]
    /// only the names' own words are known words.
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
                    .insert(row.alias.trim().to_lowercase(), target.clone());
                // An area's abbreviation is no word of a phrase: `VID` stemmed is `vide`'s stem.
                if row.area_id.is_some() {
                    continue;
                }
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
        index.words = Words::build(&index.by_words);
        let name_words = index.phrases.keys().flat_map(|key| key.split(' '));
        index.known = name_words.map(str::to_string).collect();
        index
    }

    /// Adds the words of the full-text index (folded, as FTS5 lists them) to the known words.
    pub fn with_vocabulary(mut self, terms: &[String]) -> Self {
        self.known
            .extend(terms.iter().map(|t| fold::stem(t).to_string()));
        self
    }

    /// Looks up `query`.
    pub fn find(&self, query: &str) -> Found {
        self.lookup(query).found
    }

    /// Looks up `query`, and tells whether the answer rests on the query as typed.
    ///
    /// The rule: names (aliases) match after folding case, diacritics and Latvian endings,
    /// the longest phrase first. A phrase that matches no name exactly may be read as a typo
    /// of one only when every word that differs is no word of the content (a real word is
    /// not a typo of another), starts with the same letter (or the first two are swapped),
    /// and the edits stay within [`fold::typo_limit`] of the phrase. Exact matches anywhere in
    /// the query win over typos; a typo that fits names of several ministries equally well
    /// gives a choice, never one of them.
    pub fn lookup(&self, query: &str) -> Lookup {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let trimmed = query.trim().trim_start_matches('@').to_lowercase();
        if let Some(target) = self.abbr_exact.get(&trimmed) {
            return Lookup {
                found: Found::One(target.clone()),
                as_typed: true,
            };
        }
        let words = fold::stems(&query);
        let words: Vec<&str> = words.iter().map(String::as_str).take(12).collect();
        let mut exact: Vec<Target> = Vec::new();
        let mut fuzzy: Vec<(usize, Target)> = Vec::new();
        // A word that carries meaning and matched nothing.
        let mut unused = false;
        let mut i = 0;
        'words: while i < words.len() {
            let longest = self.by_words.len().min(words.len() - i);
            for len in (1..=longest).rev() {
                let window = &words[i..i + len];
                let phrase = window.join(" ");
                if let Some(targets) = self.phrases.get(&phrase) {
                    exact.extend(targets.iter().cloned());
                    i += len;
                    continue 'words;
                }
                if let Some((distance, targets)) = self.closest(window, &phrase) {
                    fuzzy.extend(targets.into_iter().map(|t| (distance, t)));
                    i += len;
                    continue 'words;
                }
            }
            if !is_stopword(words[i]) && words[i].chars().count() > 1 {
                unused = true;
            }
            i += 1;
        }
        let as_typed = fuzzy.is_empty() && !unused;
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
        let found = match matched.len() {
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
        };
        Lookup { found, as_typed }
    }

    /// Whether a typed word (folded, stemmed) may be a typo: it is no stopword and no word of
    /// the content. `sports` is not a typo of `ports` when the content speaks of sport.
    fn may_be_typo(&self, word: &str) -> bool {
        !is_stopword(word) && !self.known.contains(word)
    }

    /// The names of as many words as `window` closest to it by typo (see [`Index::lookup`]);
    /// ties give every target.
    fn closest(&self, window: &[&str], phrase: &str) -> Option<(usize, Vec<Target>)> {
        let chars = phrase.chars().count();
        let limit = fold::typo_limit(chars);
        if limit == 0 || !window.iter().any(|w| self.may_be_typo(w)) {
            return None;
        }
        let group = self.by_words.get(window.len() - 1)?;
        let lengths = self.lengths.get(window.len() - 1)?;
        // A typo keeps the first letter or swaps the first two (`same_start`), so only the
        // names that begin with the typed first or second letter are compared: within each
        // length the group is in the order of the names.
        let mut typed = phrase.chars();
        let mut firsts: Vec<char> = typed.next().into_iter().chain(typed.next()).collect();
        firsts.sort_unstable();
        firsts.dedup();
        let mut best: Option<(usize, Vec<Target>)> = None;
        for n in chars.saturating_sub(limit)..=chars + limit {
            let from = lengths.partition_point(|&len| len < n);
            let to = lengths.partition_point(|&len| len <= n);
            let same_length = &group[from..to];
            for first in &firsts {
                let begins = |key: &str| key.chars().next().cmp(&Some(*first));
                let start = same_length.partition_point(|(key, _)| begins(key).is_lt());
                let end = same_length.partition_point(|(key, _)| begins(key).is_le());
                for (key, targets) in &same_length[start..end] {
                    let Some(d) = self.typo_distance(window, key, limit) else {
                        continue;
                    };
                    match &mut best {
                        Some((bd, list)) if d == *bd => list.extend(targets.iter().cloned()),
                        Some((bd, _)) if d > *bd => {}
                        _ => best = Some((d, targets.clone())),
                    }
                }
            }
        }
        best
    }

    /// The edits from the typed words to the words of the name `key`, word by word, if every
    /// word that differs may be a typo of its counterpart and they add up to at most `limit`.
    fn typo_distance(&self, window: &[&str], key: &str, limit: usize) -> Option<usize> {
        let mut left = limit;
        let mut names = key.split(' ');
        for typed in window {
            let name = names.next()?;
            if *typed == name {
                continue;
            }
            if !same_start(typed, name) || !self.may_be_typo(typed) {
                return None;
            }
            left -= fold::typo_distance(typed, name, left)?;
        }
        Some(limit - left)
    }

    /// Up to three areas or ministries whose names come closest to `query`, to offer as
    /// choices when nothing else matched (never as the answer).
    pub fn suggestions(&self, query: &str) -> Vec<Target> {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let words = fold::stems(&query);
        let words: Vec<&str> = words.iter().map(String::as_str).take(12).collect();
        self.suggest(&words)
    }

    /// Up to three targets whose names hold a word closest to any word of the query. The
    /// limit is generous (half the word); the distinct name words that can be in reach are
    /// found by their letters first.
    fn suggest(&self, words: &[&str]) -> Vec<Target> {
        let mut scored: Vec<(usize, &str, &Target)> = Vec::new();
        let names = &self.words;
        for word in words
            .iter()
            .filter(|w| !STOPWORDS.contains(w) && w.len() >= 3)
        {
            let chars = word.chars().count();
            let limit = (chars / 2).max(2);
            let letters = fold::letters(word);
            let within = names.within(letters, limit);
            for k in names.sieve.candidates_in(letters, limit, within) {
                if fold::letters_apart(letters, names.letters[k]) > limit
                    || names.lengths[k].abs_diff(chars) > limit
                {
                    continue;
                }
                let Some(d) = fold::distance(word, &names.words[k], limit) else {
                    continue;
                };
                for &(group, at) in &names.names[k] {
                    let (key, targets) = &self.by_words[group as usize][at as usize];
                    scored.extend(targets.iter().map(|t| (d, key.as_str(), t)));
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

impl Words {
    fn build(by_words: &[Vec<(String, Vec<Target>)>]) -> Self {
        let mut at: HashMap<&str, usize> = HashMap::new();
        let mut words = Words::default();
        for (group, names) in by_words.iter().enumerate() {
            for (position, (key, _)) in names.iter().enumerate() {
                let name = (group as u32, position as u32);
                for word in key.split(' ') {
                    let k = *at.entry(word).or_insert_with(|| {
                        words.words.push(word.into());
                        words.lengths.push(word.chars().count());
                        words.letters.push(fold::letters(word));
                        words.names.push(Vec::new());
                        words.words.len() - 1
                    });
                    if words.names[k].last() != Some(&name) {
                        words.names[k].push(name);
                    }
                }
            }
        }
        // In order of how many letter bits each has: a word within `limit` of another has
        // within `limit` as many (see `within`), so those in reach are one range.
        let mut order: Vec<usize> = (0..words.words.len()).collect();
        order.sort_by_key(|&k| words.letters[k].count_ones());
        let mut sorted = Words::default();
        for k in order {
            sorted.words.push(std::mem::take(&mut words.words[k]));
            sorted.lengths.push(words.lengths[k]);
            sorted.letters.push(words.letters[k]);
            sorted.names.push(std::mem::take(&mut words.names[k]));
        }
        sorted.sieve = fold::Sieve::new(&sorted.letters);
        sorted
    }

    /// The positions of the words that can be within `limit` of a word whose [`fold::letters`]
    /// are `letters`: [`fold::letters_apart`] at most `limit` means at most `limit` letter bits
    /// more or fewer.
    fn within(&self, letters: u64, limit: usize) -> std::ops::Range<usize> {
        let bits = letters.count_ones() as usize;
        let count = |k: &u64| k.count_ones() as usize;
        let from = self
            .letters
            .partition_point(|k| count(k) < bits.saturating_sub(limit));
        let to = self.letters.partition_point(|k| count(k) <= bits + limit);
        from..to
    }
}

/// Whether `typed` begins like `name`: the same first letter, or the first two swapped. A
/// slip of the first letter is rare, and it is what tells most different words apart
/// (`sport` and `port`, `būvniecība` and `jūrniecība`).
fn same_start(typed: &str, name: &str) -> bool {
    let mut t = typed.chars();
    let mut n = name.chars();
    let (t0, t1, n0, n1) = (t.next(), t.next(), n.next(), n.next());
    t0 == n0 || (t0 == n1 && t1 == n0)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An index over made-up names (no content file): the rule holds whatever the content.
    /// Each entry is (ministry, area, names).
    fn index(names: &[(&str, &str, &[&str])], vocabulary: &[&str]) -> Index {
        let mut rows = Vec::new();
        for (ministry, area, aliases) in names {
            for alias in *aliases {
                rows.push(AliasRow {
                    alias: alias.to_string(),
                    ministry_id: ministry.to_string(),
                    area_id: (!area.is_empty()).then(|| area.to_string()),
                    is_abbr: false,
                });
            }
        }
        let vocabulary: Vec<String> = vocabulary.iter().map(|w| fold::fold(w)).collect();
        Index::build(&rows).with_vocabulary(&vocabulary)
    }

    #[test]
    fn an_area_abbreviation_matches_only_the_whole_query_never_a_stemmed_word() {
        let row = |alias: &str, ministry: &str, area: &str, is_abbr| AliasRow {
            alias: alias.into(),
            ministry_id: ministry.into(),
            area_id: Some(area.into()),
            is_abbr,
        };
        let index = Index::build(&[
            row("vide", "kem", "vide", false),
            row("nodokļi", "fm", "nodokli", false),
            row("VID", "fm", "nodokli", fold::is_abbreviation("VID")),
        ]);
        for query in ["VID", "vid", " Vid "] {
            assert_eq!(index.find(query), one("fm", "nodokli"), "{query}");
        }
        // `vides` stems to what `VID` folds to; it is still the environment.
        assert_eq!(index.find("vides"), one("kem", "vide"));
        assert_eq!(index.find("vide"), one("kem", "vide"));
        // Inside a longer query the abbreviation is no word of a name.
        assert_eq!(index.find("VID vide"), one("kem", "vide"));
    }

    #[test]
    fn abbreviations_are_one_word_in_capitals() {
        for yes in ["VID", "PVN", "ĀM", "CSDD", "E2"] {
            assert!(fold::is_abbreviation(yes), "{yes}");
        }
        for no in ["vid", "Vid", "V", "VID PVN", "ABCDEFGHI", "12"] {
            assert!(!fold::is_abbreviation(no), "{no}");
        }
    }

    fn one(ministry: &str, area: &str) -> Found {
        Found::One(Target {
            ministry: ministry.into(),
            area: (!area.is_empty()).then(|| area.into()),
        })
    }

    const NAMES: &[(&str, &str, &[&str])] = &[
        (
            "sm",
            "jurnieciba",
            &["jūrniecība", "ostas", "ports", "maritime"],
        ),
        ("sm", "dzelzcels", &["dzelzceļš", "trains", "railways"]),
        ("vm", "veseliba", &["veselība", "health", "slimnīcas"]),
        ("vm", "", &["veselības ministrija", "ministry of health"]),
        (
            "kem",
            "vides_aizsardziba",
            &["vides aizsardzība", "environment"],
        ),
        ("am", "aizsardziba", &["aizsardzība", "defence"]),
        (
            "iem",
            "drosiba",
            &["sabiedriskā drošība", "police", "courts"],
        ),
        ("fm", "finanses", &["finanses", "finance"]),
    ];

    /// The words of the rest of the content (texts, notes): real words, never typos.
    const TEXTS: &[&str] = &["sabiedrības", "policy", "līdzdalība", "ministrija"];

    #[test]
    fn a_real_word_is_not_a_typo_of_another_name() {
        let index = index(NAMES, TEXTS);
        // A different first letter: a different word, not a slip.
        for query in ["sports", "sport", "būvniecība", "buvniecibas", "transports"] {
            assert_eq!(index.find(query), Found::Nothing(Vec::new()), "{query}");
        }
        // A word of the content is a real word, however close to a name.
        assert_eq!(index.find("policy"), Found::Nothing(Vec::new()));
        assert_eq!(
            index.find("sabiedrības drošība"),
            Found::Nothing(Vec::new()),
            "a real word inside a phrase"
        );
        // The same word with no content around it would have been read as `police`.
        let bare = super::Index::build(&[AliasRow {
            alias: "police".into(),
            ministry_id: "iem".into(),
            area_id: None,
            is_abbr: false,
        }]);
        assert_eq!(bare.find("policy"), one("iem", ""));
        // One letter for a far key: `count` and `trail` are words, not slips of `court` and
        // `train`; a neighbouring key is a slip.
        assert_eq!(index.find("count"), Found::Nothing(Vec::new()));
        assert_eq!(index.find("trail"), Found::Nothing(Vec::new()));
        assert_eq!(index.find("cpurts"), one("iem", "drosiba"));
        assert_eq!(index.find("trsins"), one("sm", "dzelzcels"));
        // Short words must be exact: `sort` is not `port`.
        assert_eq!(index.find("sort"), Found::Nothing(Vec::new()));
        // Stopwords are never read as typos.
        assert_eq!(index.find("ministrija"), Found::Nothing(Vec::new()));
    }

    #[test]
    fn slips_of_the_fingers_still_find_the_name_and_say_so() {
        let index = index(NAMES, TEXTS);
        for query in [
            "veslība",   // a letter missed
            "vesleība",  // two swapped
            "veselīiba", // one doubled
            "veselībaa",
            "vesekība", // a neighbouring key
            "evselība", // the first two swapped
            "helth",
            "heatlh",
        ] {
            let found = index.lookup(query);
            assert_eq!(found.found, one("vm", "veseliba"), "{query}");
            assert!(!found.as_typed, "{query}: a typo is not what was typed");
        }
        // A typo in one word of a two-word name.
        let found = index.lookup("vides aizsardzbia");
        assert_eq!(found.found, one("kem", "vides_aizsardziba"));
        assert!(!found.as_typed);
        // Exact forms are as typed; so are stopwords around them.
        for query in ["veselība", "VESELĪBAS", "veselības ministrija", "ostas"] {
            assert!(index.lookup(query).as_typed, "{query}");
        }
        assert_eq!(index.find("veselības ministrija"), one("vm", ""));
        // A word that matched nothing is not silently dropped: the answer says what it shows.
        let found = index.lookup("veselība zzqqx");
        assert_eq!(found.found, one("vm", "veseliba"));
        assert!(!found.as_typed);
    }

    #[test]
    fn exact_names_win_over_typos_and_ties_are_asked() {
        let index = index(NAMES, TEXTS);
        // `ostas` is exact; `veslība` only a typo: the exact one answers.
        let found = index.lookup("ostas veslība");
        assert_eq!(found.found, one("sm", "jurnieciba"));
        assert!(!found.as_typed);
        // A typo as close to names of two ministries is a question, not an answer.
        let tie = super::Index::build(&[
            AliasRow {
                alias: "abcdef".into(),
                ministry_id: "m1".into(),
                area_id: None,
                is_abbr: false,
            },
            AliasRow {
                alias: "abcdeg".into(),
                ministry_id: "m2".into(),
                area_id: None,
                is_abbr: false,
            },
        ]);
        let Found::Choice(targets) = tie.find("abcdefg") else {
            panic!("expected a choice");
        };
        assert_eq!(targets.len(), 2);
    }

    /// Typos found among the names that begin with the typed first letters are those of a
    /// scan over every name, targets in the same order.
    #[test]
    fn typos_found_by_first_letters_are_those_of_a_full_scan() {
        let index = index(NAMES, TEXTS);
        let scan = |window: &[&str]| {
            let phrase = window.join(" ");
            let limit = fold::typo_limit(phrase.chars().count());
            let mut best: Option<(usize, Vec<Target>)> = None;
            for (key, targets) in &index.by_words[window.len() - 1] {
                if let Some(d) = index.typo_distance(window, key, limit) {
                    match &mut best {
                        Some((bd, list)) if d == *bd => list.extend(targets.iter().cloned()),
                        Some((bd, _)) if d > *bd => {}
                        _ => best = Some((d, targets.clone())),
                    }
                }
            }
            (phrase, best)
        };
        for window in [
            ["vid", "aizsardzbi"],
            ["vde", "aizsardzib"],
            ["vdi", "aizsardzib"],
        ] {
            let (phrase, expected) = scan(&window);
            assert!(expected.is_some(), "{phrase}");
            assert_eq!(index.closest(&window, &phrase), expected, "{phrase}");
        }
        let mut found = 0;
        for word in [
            "veslib",
            "helth",
            "heatlh",
            "cpurt",
            "trsin",
            "sport",
            "qqqxxz",
            "ostaa",
            "railwy",
            "maritme",
            "finnas",
            "environmen",
            "dfenc",
            "vesekib",
            "evselib",
        ] {
            assert!(
                index.may_be_typo(word),
                "{word} must be no name and no known word"
            );
            let (_, expected) = scan(&[word]);
            assert_eq!(index.closest(&[word], word), expected, "{word}");
            found += usize::from(expected.is_some());
        }
        assert!(found >= 8, "the words must exercise typos: {found}");
    }

    /// The suggestions as they were computed before the word list: every word of every name.
    fn suggest_by_scanning_every_name(index: &Index, query: &str) -> Vec<Target> {
        let words = fold::stems(query);
        let mut scored: Vec<(usize, &str, &Target)> = Vec::new();
        for word in words.iter().filter(|w| !is_stopword(w) && w.len() >= 3) {
            let limit = (word.chars().count() / 2).max(2);
            for group in &index.by_words {
                for (key, targets) in group {
                    for key_word in key.split(' ') {
                        if let Some(d) = fold::distance(word, key_word, limit) {
                            scored.extend(targets.iter().map(|t| (d, key.as_str(), t)));
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

    #[test]
    fn suggestions_from_the_word_list_are_those_of_a_full_scan() {
        let index = index(NAMES, TEXTS);
        let mut some = 0;
        for query in [
            "sports",
            "būvniecība",
            "qqqxxz",
            "vesel",
            "aizsargs",
            "minitry of helth",
            "drošības policija",
            "ab",
            "xyzzyxyzzyxyzzy",
            "railways trains",
            "ārlietas",
        ] {
            let expected = suggest_by_scanning_every_name(&index, query);
            assert_eq!(index.suggestions(query), expected, "{query}");
            some += usize::from(!expected.is_empty());
        }
        assert!(some >= 5, "the queries must exercise the suggestions");
    }
}

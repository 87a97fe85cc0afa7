//! Finding the area or ministry a person means: abbreviations, names and aliases with case,
//! diacritics and Latvian endings folded, several words, questions, agencies and bodies that
//! are not ministries, and typos that are slips of the fingers, never other real words
//! (`docs/LOOKUP.md` states the rules and why).
//!
//! `words` holds the words that name nothing (stopwords, question words, modifiers),
//! `typo` the typo and "did you mean" matching, `dictionary` the real words of the languages.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::names::AliasRow;
use crate::content::{Agency, Body};
use crate::fold;

pub mod dictionary;
mod typo;
mod words;

#[cfg(test)]
mod tests;

pub use dictionary::Dictionary;
pub use words::{is_modifier, is_question_word, is_stopword};

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

/// An institution a query named that is not an area: an agency under a ministry (the answer
/// is then that ministry, [`Found::One`]), or a body no ministry leads ([`Found::Nothing`]:
/// no ministry is the answer).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Institution {
    Agency(String),
    Body(String),
}

/// Inside the index an agency is an area of its ministry whose id starts with this, and a
/// body a ministry whose id starts with [`BODY`]: both go through the same phrase and typo
/// matching as the areas, and [`Index::answer`] turns them back into what they are.
const AGENCY: char = '@';
const BODY: char = '!';

/// The in-memory lookup index, built from the cached aliases.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Abbreviations, lower-cased but with diacritics kept (`ām` is not `am`): the ministries',
    /// the areas' and the agencies' aliases written in capitals (`VID`, `CSDD`), matched as
    /// the whole query, or as a word typed in capitals.
    abbr_exact: HashMap<String, Target>,
    /// Folded and stemmed phrases → targets.
    phrases: HashMap<String, Vec<Target>>,
    /// The words of each phrase as written in the content (lower case, marks kept): a word
    /// typed with Latvian marks matches only a name written with them (`būs` is not `bus`).
    forms: HashMap<String, Vec<Vec<String>>>,
    /// Phrases grouped by word count, for typo matching; each group in order of length in
    /// characters, then of the phrase.
    by_words: Vec<Vec<(String, Vec<Target>)>>,
    /// The length in characters of each phrase of `by_words`: a typo lookup compares only
    /// the phrases whose length is within the typo limit.
    lengths: Vec<Vec<usize>>,
    /// The stems of the names' words: a word a person types that is one of them is a real
    /// word, never a typo of a name.
    known: HashSet<String>,
    /// The stems of every word of the content (the full-text vocabulary): real words too.
    vocabulary: HashSet<String>,
    /// Every distinct word of the names, for the "did you mean" suggestions.
    words: Words,
    /// The real words of Latvian and English ([`dictionary`]).
    dictionary: Arc<Dictionary>,
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
    /// When not, a word was read as a typo, and the reply says what it shows.
    pub as_typed: bool,
    /// The agency or body the query named, if it named one.
    pub institution: Option<Institution>,
}

impl Index {
    /// Builds the index from the lookup names of the content, with the dictionary of the
    /// process ([`dictionary::shared`]). Without [`Index::with_vocabulary`] only the names'
    /// own words (and the dictionary's) are known words.
    pub fn build(rows: &[AliasRow]) -> Self {
        let mut index = Index {
            dictionary: dictionary::shared(),
            ..Index::default()
        };
        for row in rows {
            let target = Target {
                ministry: row.ministry_id.clone(),
                area: row.area_id.clone(),
            };
            index.add(&row.alias, row.is_abbr, target);
        }
        index.finish();
        index
    }

    /// Adds the agencies (under their ministries) and the bodies no ministry leads: their
    /// abbreviations, names and aliases.
    pub fn with_institutions(mut self, agencies: &[Agency], bodies: &[Body]) -> Self {
        for agency in agencies {
            let target = Target {
                ministry: agency.ministry.clone(),
                area: Some(format!("{AGENCY}{}", agency.id)),
            };
            self.add(&agency.abbr, true, target.clone());
            for alias in [&agency.name.lv, &agency.name.en]
                .into_iter()
                .chain(&agency.aliases)
            {
                self.add(alias, fold::is_abbreviation(alias), target.clone());
            }
        }
        for body in bodies {
            let target = Target {
                ministry: format!("{BODY}{}", body.id),
                area: None,
            };
            for alias in [&body.name.lv, &body.name.en]
                .into_iter()
                .chain(&body.aliases)
            {
                self.add(alias, fold::is_abbreviation(alias), target.clone());
            }
        }
        self.finish();
        self
    }

    /// The same index with another dictionary (tests).
    pub fn with_dictionary(mut self, dictionary: Dictionary) -> Self {
        self.dictionary = Arc::new(dictionary);
        self
    }

    /// One name. An abbreviation is matched only as written: never as a word of a phrase,
    /// where folded and stemmed it would meet real words (`VID` is `vide`'s stem, `VARAM`
    /// that of the verb `var`).
    fn add(&mut self, alias: &str, is_abbr: bool, target: Target) {
        if is_abbr {
            self.abbr_exact.insert(alias.trim().to_lowercase(), target);
            return;
        }
        // An abbreviation written in lower case (`varam`) is still one: matched whole.
        if self.abbr_exact.get(&alias.trim().to_lowercase()) == Some(&target) {
            return;
        }
        let key = fold::phrase_key(alias);
        if key.is_empty() {
            return;
        }
        let form: Vec<String> = fold::words_as_typed(alias)
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        let forms = self.forms.entry(key.clone()).or_default();
        if !forms.contains(&form) {
            forms.push(form);
        }
        let targets = self.phrases.entry(key).or_default();
        if !targets.contains(&target) {
            targets.push(target);
        }
    }

    /// Computes what the typo matching needs from the phrases.
    fn finish(&mut self) {
        self.by_words.clear();
        for (key, targets) in &self.phrases {
            let words = key.split(' ').count();
            if self.by_words.len() < words {
                self.by_words.resize(words, Vec::new());
            }
            self.by_words[words - 1].push((key.clone(), targets.clone()));
        }
        for group in &mut self.by_words {
            group.sort_by_cached_key(|(key, _)| (key.chars().count(), key.clone()));
        }
        self.lengths = self
            .by_words
            .iter()
            .map(|group| group.iter().map(|(key, _)| key.chars().count()).collect())
            .collect();
        self.words = Words::build(&self.by_words);
        let name_words = self.phrases.keys().flat_map(|key| key.split(' '));
        self.known = name_words.map(str::to_string).collect();
    }

    /// Adds the words of the full-text index (folded, as FTS5 lists them) to the known words.
    pub fn with_vocabulary(mut self, terms: &[String]) -> Self {
        self.vocabulary
            .extend(terms.iter().map(|t| fold::stem(t).to_string()));
        self
    }

    /// Looks up `query`.
    pub fn find(&self, query: &str) -> Found {
        self.lookup(query).found
    }

    /// Looks up `query`, and tells whether the answer rests on the query as typed.
    ///
    /// The rules (docs/LOOKUP.md): names match after folding case, diacritics and Latvian
    /// endings, the longest phrase first, but a word typed with Latvian marks only a name
    /// written with them; abbreviations only as the whole query or typed in capitals. The
    /// words of a question and the stopwords are never matched; a modifier ("politika")
    /// beside a name is part of it. Every other word must be matched, or the answer is
    /// nothing: a phrase is not one of its words. A word may be read as a typo of a name
    /// only when it is no real word (of the dictionary or the content), starts with the same
    /// letter (or the first two are swapped), and the edits stay within
    /// [`fold::typo_limit`]. Exact matches anywhere in the query win over typos; a typo that
    /// fits names of several ministries equally well gives a choice, never one of them.
    pub fn lookup(&self, query: &str) -> Lookup {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let trimmed = query.trim().trim_start_matches('@').to_lowercase();
        if let Some(target) = self.abbr_exact.get(&trimmed) {
            return self.answer(vec![target.clone()], true);
        }
        let stems = fold::stems(&query);
        let mut typed = fold::words_as_typed(&query);
        if typed.len() != stems.len() {
            typed = stems.clone();
        }
        let words: Vec<&str> = stems.iter().map(String::as_str).take(12).collect();
        let typed: Vec<&str> = typed.iter().map(String::as_str).take(12).collect();
        let lower: Vec<String> = typed.iter().map(|w| w.to_lowercase()).collect();
        // Whether each word may be a typo: the dictionary is asked once per word.
        let may_be: Vec<bool> = words
            .iter()
            .zip(&typed)
            .map(|(w, t)| self.may_be_typo(w, t))
            .collect();
        let meaningful = |w: &str| !is_stopword(w) && !is_modifier(w) && !is_number(w);
        let names_beside = |i: usize| {
            words
                .iter()
                .enumerate()
                .any(|(k, w)| k != i && meaningful(w))
        };
        let mut exact: Vec<Target> = Vec::new();
        let mut fuzzy: Vec<(usize, Target)> = Vec::new();
        // A word that carries meaning and matched nothing.
        let mut unused = false;
        let mut i = 0;
        'words: while i < words.len() {
            // An abbreviation typed as one (`VM`, `CSDD`) inside a longer query.
            if fold::is_abbreviation(typed[i])
                && let Some(target) = self.abbr_exact.get(&lower[i])
            {
                exact.push(target.clone());
                i += 1;
                continue;
            }
            let longest = self.by_words.len().min(words.len() - i);
            for len in (1..=longest).rev() {
                if len == 1 && is_modifier(words[i]) && names_beside(i) {
                    // "policijas darbu": the work of the police, not the labour area.
                    i += 1;
                    continue 'words;
                }
                let window = &words[i..i + len];
                let phrase = window.join(" ");
                // A question word alone is never a name (`es`, "I", is not `ES`, the EU,
                // unless typed in capitals, above).
                let question = len == 1 && is_question_word(words[i]);
                if !question
                    && let Some(targets) = self.phrases.get(&phrase)
                    && self.marks_fit(&phrase, &lower[i..i + len], window)
                {
                    exact.extend(targets.iter().cloned());
                    i += len;
                    continue 'words;
                }
                if is_question_word(words[i]) {
                    continue;
                }
                if let Some((distance, targets)) =
                    self.closest(window, &may_be[i..i + len], &phrase)
                {
                    fuzzy.extend(targets.into_iter().map(|t| (distance, t)));
                    i += len;
                    continue 'words;
                }
            }
            if meaningful(words[i]) && words[i].chars().count() > 1 {
                unused = true;
            }
            i += 1;
        }
        if unused {
            return Lookup {
                found: Found::Nothing(Vec::new()),
                as_typed: false,
                institution: None,
            };
        }
        let as_typed = fuzzy.is_empty();
        let matched = if exact.is_empty() {
            let best = fuzzy.iter().map(|(d, _)| *d).min();
            fuzzy
                .into_iter()
                .filter(|(d, _)| Some(*d) == best)
                .map(|(_, t)| t)
                .collect()
        } else {
            exact
        };
        self.answer(matched, as_typed)
    }

    /// Whether the words typed (lower case, marks kept) fit a way the name `key` is written:
    /// a letter typed with a mark must carry it in the name too, within the stem (`būs` is
    /// not the English `bus`); a letter typed without one fits either.
    fn marks_fit(&self, key: &str, typed: &[String], stems: &[&str]) -> bool {
        let Some(forms) = self.forms.get(key) else {
            return true;
        };
        let fits = |typed: &str, written: &str, stem: &str| {
            if typed
                .chars()
                .any(|c| ('\u{0300}'..='\u{036f}').contains(&c))
            {
                return true;
            }
            typed
                .chars()
                .zip(written.chars())
                .take(stem.chars().count())
                .all(|(t, w)| t == w || t.is_ascii())
        };
        forms.iter().any(|form| {
            form.len() == typed.len()
                && typed
                    .iter()
                    .zip(form)
                    .zip(stems)
                    .all(|((t, w), s)| fits(t, w, s))
        })
    }

    /// The answer for the targets matched (internal ones included: agencies and bodies).
    fn answer(&self, mut matched: Vec<Target>, as_typed: bool) -> Lookup {
        dedup(&mut matched);
        if matched.iter().any(is_body) {
            // A body beside a ministry's name ("cilvēktiesību aizsardzība"): the ministry
            // is no answer, and a body cannot be one of several choices.
            let institution = match matched.as_slice() {
                [body] => Some(Institution::Body(
                    body.ministry[BODY.len_utf8()..].to_string(),
                )),
                _ => None,
            };
            return Lookup {
                found: Found::Nothing(Vec::new()),
                as_typed,
                institution,
            };
        }
        let agencies: Vec<String> = matched.iter().filter_map(agency_of).collect();
        let areas: Vec<&Target> = matched.iter().filter(|t| agency_of(t).is_none()).collect();
        let institution = match (agencies.as_slice(), areas.is_empty()) {
            ([one], true) => Some(Institution::Agency(one.clone())),
            _ => None,
        };
        let mut public: Vec<Target> = matched.iter().map(public).collect();
        dedup(&mut public);
        let found = match public.len() {
            0 => Found::Nothing(Vec::new()),
            1 => Found::One(public.remove(0)),
            _ => {
                let first = public[0].ministry.clone();
                if public.iter().all(|t| t.ministry == first) {
                    // Several areas of one ministry ("izglītība un zinātne"): the ministry.
                    let areas: Vec<_> = public.iter().filter(|t| t.area.is_some()).collect();
                    if areas.len() == 1 {
                        Found::One(areas[0].clone())
                    } else {
                        Found::One(Target {
                            ministry: first,
                            area: None,
                        })
                    }
                } else {
                    Found::Choice(public)
                }
            }
        };
        let institution = institution.filter(|_| matches!(found, Found::One(_)));
        Lookup {
            found,
            as_typed,
            institution,
        }
    }
}

/// Whether an internal target is a body no ministry leads.
fn is_body(target: &Target) -> bool {
    target.ministry.starts_with(BODY)
}

/// The agency id of an internal target, if it is an agency.
fn agency_of(target: &Target) -> Option<String> {
    let area = target.area.as_ref()?;
    area.strip_prefix(AGENCY).map(str::to_string)
}

/// What an internal target shows: an agency is its ministry.
fn public(target: &Target) -> Target {
    match agency_of(target) {
        Some(_) => Target {
            ministry: target.ministry.clone(),
            area: None,
        },
        None => target.clone(),
    }
}

fn is_number(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_digit())
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

//! Typos and suggestions: the names a word that is no real word may be a slip for, and the
//! names closest to a query that found nothing ("did you mean").

use std::collections::HashMap;

use super::{Index, MAX_QUERY_CHARS, Target, Words, is_body, is_stopword, public};
use crate::fold;

impl Index {
    /// Whether a typed word may be a typo: it is no stopword, no word of the content
    /// (`word`, folded and stemmed) and no word of the dictionary (`typed`, as typed).
    /// `sports` is not a typo of `ports`, `medības` (hunting) not one of `mediji`.
    pub(super) fn may_be_typo(&self, word: &str, typed: &str) -> bool {
        !is_stopword(word)
            && !self.known.contains(word)
            && !self.vocabulary.contains(word)
            && self.dictionary.may_be_typo(typed)
    }

    /// The names of as many words as `window` closest to it by typo (see [`Index::lookup`]);
    /// ties give every target. `may_be` tells, by position, which words may be typos
    /// ([`Index::may_be_typo`], asked once per word of the query).
    pub(super) fn closest(
        &self,
        window: &[&str],
        may_be: &[bool],
        phrase: &str,
    ) -> Option<(usize, Vec<Target>)> {
        let chars = phrase.chars().count();
        let limit = fold::typo_limit(chars);
        if limit == 0 || !may_be.contains(&true) {
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
                    let Some(d) = typo_distance(window, may_be, key, limit) else {
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

    /// Up to three areas or ministries whose names come closest to `query`, to offer as
    /// choices when nothing else matched (never as the answer).
    pub(crate) fn suggestions(&self, query: &str) -> Vec<Target> {
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
        for word in words.iter().filter(|w| !is_stopword(w) && w.len() >= 3) {
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
            // A body is no ministry to offer; an agency offers its ministry.
            let target = public(target);
            if !is_body(&target) && !out.contains(&target) && out.len() < 3 {
                out.push(target);
            }
        }
        out
    }
}

impl Words {
    pub(super) fn build(by_words: &[Vec<(String, Vec<Target>)>]) -> Self {
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
/// The edits from the typed words to the words of the name `key`, word by word, if every
/// word that differs may be a typo (`may_be`, by position) of its counterpart and they add up
/// to at most `limit`.
pub(super) fn typo_distance(
    window: &[&str],
    may_be: &[bool],
    key: &str,
    limit: usize,
) -> Option<usize> {
    let mut left = limit;
    let mut names = key.split(' ');
    for (typed, may_be) in window.iter().zip(may_be) {
        let name = names.next()?;
        if *typed == name {
            continue;
        }
        if !same_start(typed, name) || !may_be {
            return None;
        }
        left -= fold::typo_distance(typed, name, left)?;
    }
    Some(limit - left)
}

fn same_start(typed: &str, name: &str) -> bool {
    let mut t = typed.chars();
    let mut n = name.chars();
    let (t0, t1, n0, n1) = (t.next(), t.next(), n.next(), n.next());
    t0 == n0 || (t0 == n1 && t1 == n0)
}

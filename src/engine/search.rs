//! Full-text search over the whole content (SQLite FTS5), with the exact area or ministry
//! match first and a typo fallback. User text never reaches FTS5 as syntax: it is folded to
//! words, and each word is quoted.

use super::Action;
use super::lookup::{Found, Index, Target};
use crate::fold;
use crate::lang::Lang;
use crate::store::{Store, StoreError};

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub action: Action,
    pub title: String,
    /// Found only by reading a word as a typo of another: a suggestion, not an answer.
    pub guessed: bool,
}

/// At most this many words of a query are searched.
const MAX_WORDS: usize = 8;

/// Searches `query` in `lang`; at most `limit` hits, best first. `terms` is the sorted
/// vocabulary of the full-text index.
pub async fn search(
    store: &Store,
    index: &Index,
    terms: &[String],
    label: impl Fn(&Target) -> String,
    query: &str,
    lang: Lang,
    limit: usize,
) -> Result<Vec<Hit>, StoreError> {
    let mut hits: Vec<Hit> = Vec::new();
    let found = index.lookup(query);
    let guessed = !found.as_typed;
    match found.found {
        Found::One(target) => hits.push(target_hit(&target, &label, guessed)),
        Found::Choice(targets) => {
            hits.extend(targets.iter().map(|t| target_hit(t, &label, guessed)))
        }
        Found::Nothing(_) => {}
    }
    let words = words(query);
    if !words.is_empty() {
        // A word that begins no indexed word matches nothing: the queries that cannot find
        // anything are not asked (each costs a round trip to SQLite's thread).
        let known = words.iter().filter(|w| begins_a_term(terms, w)).count();
        let mut found = Vec::new();
        if known == words.len() {
            found = fts(store, &words, " AND ", lang, limit).await?;
        }
        if found.is_empty() && words.len() > 1 && known > 0 {
            found = fts(store, &words, " OR ", lang, limit).await?;
        }
        if found.is_empty() {
            let corrected = correct(terms, &words);
            if corrected != words {
                found = fts(store, &corrected, " OR ", lang, limit).await?;
                for hit in &mut found {
                    hit.guessed = true;
                }
            }
        }
        for hit in found {
            if !hits.iter().any(|h| h.action == hit.action) {
                hits.push(hit);
            }
        }
    }
    hits.truncate(limit);
    Ok(hits)
}

/// The folded words of a query worth searching: no stopwords, no single letters.
fn words(query: &str) -> Vec<String> {
    let folded: String = query.chars().take(super::lookup::MAX_QUERY_CHARS).collect();
    let mut out: Vec<String> = Vec::new();
    for word in fold::fold(&folded).split(' ') {
        let stem = fold::stem(word);
        if stem.chars().count() < 2 || super::lookup::is_stopword(stem) {
            continue;
        }
        if !out.iter().any(|w| w == stem) {
            out.push(stem.to_string());
        }
        if out.len() == MAX_WORDS {
            break;
        }
    }
    out
}

/// Builds the FTS5 expression: every word quoted, prefix-matched when it has three letters or
/// more, joined by `op`.
pub fn fts_expression(words: &[String], op: &str) -> String {
    words
        .iter()
        .map(|w| {
            let quoted = format!("\"{}\"", w.replace('"', ""));
            if w.chars().count() >= 3 {
                format!("{quoted}*")
            } else {
                quoted
            }
        })
        .collect::<Vec<_>>()
        .join(op)
}

async fn fts(
    store: &Store,
    words: &[String],
    op: &str,
    lang: Lang,
    limit: usize,
) -> Result<Vec<Hit>, StoreError> {
    let expression = fts_expression(words, op);
    let rows = store
        .search(
            &expression,
            lang,
            i64::try_from(limit * 3).unwrap_or(i64::MAX),
        )
        .await?;
    let mut hits: Vec<Hit> = Vec::new();
    for (item, title) in rows {
        let Some(action) = Action::decode(&item) else {
            continue;
        };
        if !hits.iter().any(|h| h.action == action) {
            hits.push(Hit {
                action,
                title,
                guessed: false,
            });
        }
    }
    Ok(hits)
}

/// Replaces each word that is not in the index by the closest indexed word (typo fallback).
/// A stem is shorter than the inflected words in the index, so it is compared with each
/// term and with the term's beginnings around its own length; one table of distances to
/// every beginning of the term gives all of them.
fn correct(terms: &[String], words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|word| {
            if begins_a_term(terms, word) {
                return word.clone();
            }
            let mut word_buf = ['\0'; fold::SHORT];
            let Some(word_chars) = fold::chars_into(word, &mut word_buf) else {
                return word.clone();
            };
            let len = word_chars.len();
            let limit = fold::typo_limit(len + 1);
            let mut term_buf = ['\0'; fold::SHORT];
            terms
                .iter()
                .filter_map(|t| {
                    let chars = fold::chars_into(t, &mut term_buf)?;
                    let n = chars.len();
                    let whole_possible = n.abs_diff(len) <= limit;
                    // Without the whole term in reach, only the beginnings up to len + 1 count.
                    let columns = if whole_possible { n } else { n.min(len + 2) };
                    let row = fold::prefix_distances(word_chars, &chars[..columns], limit)?;
                    let whole = whole_possible.then_some(row[n]);
                    let heads = (len.saturating_sub(1)..=len + 1)
                        .filter(|k| *k >= 3 && *k < n && *k <= columns)
                        .map(|k| row[k]);
                    let d = whole.into_iter().chain(heads).min()?;
                    (d <= limit).then_some((d, t))
                })
                .min_by(|a, b| a.0.cmp(&b.0).then(a.1.len().cmp(&b.1.len())))
                .map_or_else(|| word.clone(), |(_, t)| t.clone())
        })
        .collect()
}

/// Whether `word` begins one of `terms` (sorted).
fn begins_a_term(terms: &[String], word: &str) -> bool {
    let first = terms.partition_point(|t| t.as_str() < word);
    terms.get(first).is_some_and(|t| t.starts_with(word))
}

fn target_hit(target: &Target, label: &impl Fn(&Target) -> String, guessed: bool) -> Hit {
    let action = match &target.area {
        Some(area) => Action::Area(area.clone()),
        None => Action::Ministry(target.ministry.clone()),
    };
    Hit {
        action,
        title: label(target),
        guessed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_becomes_quoted_words_only() {
        let w = words("\"veselības* NEAR(a b) -tap (OR) AND");
        assert_eq!(w, vec!["veselib", "near", "tap"]);
        assert_eq!(
            fts_expression(&w, " AND "),
            "\"veselib\"* AND \"near\"* AND \"tap\"*"
        );
        assert!(words("* \" ( ) - : ^").is_empty());
    }
}

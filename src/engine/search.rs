//! Full-text search over the whole content (SQLite FTS5), with the exact area or ministry
//! match first and a typo fallback. User text never reaches FTS5 as syntax: it is folded to
//! words, and each word is quoted.

use super::action::Action;
use super::lookup::{Found, Index, Target};
use crate::content::Content;
use crate::fold;
use crate::lang::Lang;
use crate::store::{SearchRow, Store, StoreError};

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub action: Action,
    pub title: String,
    /// Found only by reading a word as a typo of another: a suggestion, not an answer.
    pub guessed: bool,
}

/// At most this many words of a query are searched.
const MAX_WORDS: usize = 8;

/// The words of the full-text index, sorted, each with its letter signature
/// ([`fold::letters`]) for the typo fallback.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    terms: Vec<String>,
    letters: Vec<u64>,
    sieve: fold::Sieve,
}

impl Vocabulary {
    /// The vocabulary of `terms` (in any order, repeats allowed).
    pub(crate) fn new(mut terms: Vec<String>) -> Self {
        terms.sort_unstable();
        terms.dedup();
        let letters: Vec<u64> = terms.iter().map(|t| fold::letters(t)).collect();
        let sieve = fold::Sieve::new(&letters);
        Self {
            terms,
            letters,
            sieve,
        }
    }

    /// The words, sorted.
    pub(crate) fn terms(&self) -> &[String] {
        &self.terms
    }
}

/// Searches `query` in `lang`; at most `limit` hits, best first. `vocabulary` is that of the
/// full-text index.
pub(crate) async fn search(
    store: &Store,
    index: &Index,
    vocabulary: &Vocabulary,
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
    for hit in full_text(store, vocabulary, query, lang, limit).await? {
        if !hits.iter().any(|h| h.action == hit.action) {
            hits.push(hit);
        }
    }
    hits.truncate(limit);
    Ok(hits)
}

/// The full-text part of [`search`]: what the texts hold, without the area and ministry names
/// first (for a caller that already looked them up). Up to three times `limit` hits, best
/// first: the caller cuts them.
pub(crate) async fn full_text(
    store: &Store,
    vocabulary: &Vocabulary,
    query: &str,
    lang: Lang,
    limit: usize,
) -> Result<Vec<Hit>, StoreError> {
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // A word that begins no indexed word matches nothing: the queries that cannot find
    // anything are not asked (each costs a round trip to SQLite's thread).
    let terms = vocabulary.terms();
    let known = words.iter().filter(|w| begins_a_term(terms, w)).count();
    let mut found = Vec::new();
    if known == words.len() {
        found = fts(store, &words, " AND ", lang, limit).await?;
    }
    if found.is_empty() && words.len() > 1 && known > 0 {
        found = fts(store, &words, " OR ", lang, limit).await?;
    }
    if found.is_empty() {
        let corrected = correct(vocabulary, &words);
        if corrected != words {
            found = fts(store, &corrected, " OR ", lang, limit).await?;
            for hit in &mut found {
                hit.guessed = true;
            }
        }
    }
    Ok(found)
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
pub(crate) fn fts_expression(words: &[String], op: &str) -> String {
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
/// every beginning of the term gives all of them. A term that lacks more of the word's
/// letters than the limit allows is passed over unseen (no beginning of it can be closer),
/// most of them without being looked at ([`fold::Sieve`]).
fn correct(vocabulary: &Vocabulary, words: &[String]) -> Vec<String> {
    let terms = vocabulary.terms();
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
            let letters = fold::letters(word);
            let mut term_buf = ['\0'; fold::SHORT];
            vocabulary
                .sieve
                .candidates(letters, limit)
                .filter(|k| fold::letters_missing(letters, vocabulary.letters[*k]) <= limit)
                .filter_map(|k| {
                    let t = &terms[k];
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

/// The full-text rows of `c`, one per item and language, for the store to write in the
/// import's transaction. `item` is the item's callback data, which [`fts`] decodes: the rows
/// are built here, beside their reader, so that the store need not know what an item is.
pub(crate) fn rows(c: &Content) -> Vec<SearchRow> {
    let mut rows = Vec::new();
    for lang in [Lang::Lv, Lang::En] {
        let mut add = |action: Action, title: String, body: String| {
            rows.push(SearchRow {
                item: action.encode(),
                lang,
                title,
                body,
            });
        };
        add(
            Action::Lessons,
            c.series.name.clone(),
            format!(
                "{} {} {}",
                c.series.about.get(lang),
                c.series.lecturer,
                c.series.guests.join(" ")
            ),
        );
        add(
            Action::Guidelines,
            c.guidelines.title.get(lang).to_string(),
            c.guidelines.intro.get(lang).to_string(),
        );
        for l in &c.lessons {
            let area = c
                .ministries
                .iter()
                .find_map(|m| m.areas.iter().find(|a| a.id == l.area).map(|a| (a, m)));
            let (area_name, ministry) = area.map_or((String::new(), String::new()), |(a, m)| {
                (
                    a.name.get(lang).to_string(),
                    format!("{} {}", m.name.get(lang), m.abbr),
                )
            });
            add(
                Action::Lesson(l.number),
                format!("{}. {}", l.number, l.title.get(lang)),
                format!("{area_name} {ministry} {}", l.learn.get(lang)),
            );
        }
        for s in &c.guidelines.sections {
            add(
                Action::Section(s.id.clone()),
                s.title.get(lang).to_string(),
                s.body.get(lang).to_string(),
            );
        }
        for m in &c.ministries {
            let mut body = vec![m.abbr.clone()];
            body.extend(m.aliases.iter().cloned());
            body.extend(m.areas.iter().map(|a| a.name.get(lang).to_string()));
            if let Some(note) = &m.note {
                body.push(note.get(lang).to_string());
            }
            for k in &m.contacts {
                body.extend(k.name.clone());
                body.extend(k.role.as_ref().map(|t| t.get(lang).to_string()));
                body.extend(k.unit.as_ref().map(|t| t.get(lang).to_string()));
                body.extend(k.email.clone());
            }
            add(
                Action::Ministry(m.id.clone()),
                format!("{} ({})", m.name.get(lang), m.abbr),
                body.join(" "),
            );
            for a in &m.areas {
                let mut body = a.aliases.clone();
                body.push(m.abbr.clone());
                if let Some(note) = &a.note {
                    body.push(note.get(lang).to_string());
                }
                add(
                    Action::Area(a.id.clone()),
                    format!("{} ({})", a.name.get(lang), m.abbr),
                    body.join(" "),
                );
            }
        }
        for t in &c.specialists.tips {
            add(
                Action::Specialists,
                t.title.get(lang).to_string(),
                t.body.get(lang).to_string(),
            );
        }
        for r in &c.resources {
            add(
                Action::Resources,
                r.title.get(lang).to_string(),
                format!("{} {}", r.description.get(lang), r.url),
            );
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Passing terms over by their letters changes no correction: the same words come out as
    /// when every term is compared.
    #[test]
    fn the_letter_sieve_changes_no_correction() {
        let text = "atzinums atzinumu sabiedriskā apspriešana līdzdalība veselība veselības \
                    izglītība tiesību aktu projekts ports transports jūrniecība memorands \
                    qqqxxz bababak dedegik kultūra ministrija pašvaldība zzz zināt";
        let terms: Vec<String> = fold::fold(text).split(' ').map(str::to_string).collect();
        let sieved = Vocabulary::new(terms.clone());
        let every = Vocabulary {
            letters: vec![u64::MAX; sieved.terms.len()],
            terms: sieved.terms.clone(),
            sieve: fold::Sieve::new(&vec![u64::MAX; sieved.terms.len()]),
        };
        let words: Vec<String> = [
            "atzinms",
            "atzinum",
            "sport",
            "buvniecib",
            "qqqxxz",
            "qqqxxy",
            "veslib",
            "izglitb",
            "apsprie",
            "memorand",
            "kultuta",
            "pasvaldib",
            "zinat",
            "xyz",
            "transprt",
            "dedegk",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        let corrected = correct(&sieved, &words);
        assert_eq!(corrected, correct(&every, &words));
        let changed = corrected.iter().zip(&words).filter(|(c, w)| c != w).count();
        assert!(
            changed >= 6,
            "the words must exercise corrections: {corrected:?}"
        );
    }

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

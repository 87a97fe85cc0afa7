//! The dictionaries that tell a real word from a typo: Debian's Hunspell files for Latvian and
//! English (`hunspell-lv`, `hunspell-en-us`), read once per process with `spellbook`.
//!
//! A query word the dictionary knows is never read as a typo of another word, only offered as
//! "did you mean". Without the files the bot still runs, and reads no word as a typo at all:
//! an answer it cannot tell from a wrong one is not given (the log says so once).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Where Debian puts the Hunspell dictionaries (the `DICTIONARY_DIR` setting's default).
pub const DEFAULT_DIR: &str = "/usr/share/hunspell";

/// The dictionaries read, as `(file stem, language)`; each is `<stem>.aff` + `<stem>.dic`.
pub(crate) const FILES: [&str; 2] = ["lv_LV", "en_US"];

/// Latvian letters with their marks: a word typed without them may still be a real word.
const MARKED: [(char, char); 11] = [
    ('a', 'ā'),
    ('c', 'č'),
    ('e', 'ē'),
    ('g', 'ģ'),
    ('i', 'ī'),
    ('k', 'ķ'),
    ('l', 'ļ'),
    ('n', 'ņ'),
    ('s', 'š'),
    ('u', 'ū'),
    ('z', 'ž'),
];

/// At most this many spellings of a word typed without marks are tried (2^10).
const MAX_MARKED_LETTERS: usize = 10;

/// The real words of the bot's languages, or none.
#[derive(Default)]
pub enum Dictionary {
    /// The Hunspell dictionaries that could be read (at least one).
    Hunspell(Vec<spellbook::Dictionary>),
    /// No dictionary: every word may be real, so none is a typo.
    #[default]
    Missing,
    /// A dictionary that knows no word (tests of the typo rules on made-up names).
    Empty,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dictionary::Hunspell(d) => write!(f, "Dictionary::Hunspell({} files)", d.len()),
            Dictionary::Missing => f.write_str("Dictionary::Missing"),
            Dictionary::Empty => f.write_str("Dictionary::Empty"),
        }
    }
}

static SHARED: OnceLock<Arc<Dictionary>> = OnceLock::new();
static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Sets the directory the shared dictionary is read from (the `DICTIONARY_DIR` setting). Only
/// the first call counts, and only before the dictionary is first used.
pub fn configure(dir: &Path) {
    let _ = DIR.set(dir.to_path_buf());
}

/// The dictionary of this process, read on first use from the configured directory (or
/// [`DEFAULT_DIR`]).
pub(crate) fn shared() -> Arc<Dictionary> {
    Arc::clone(SHARED.get_or_init(|| {
        let dir = DIR.get().map_or(Path::new(DEFAULT_DIR), PathBuf::as_path);
        let dictionary = Dictionary::read(dir);
        match &dictionary {
            Dictionary::Hunspell(found) => {
                tracing::info!(dir = %dir.display(), files = found.len(), "dictionaries read");
            }
            _ => tracing::warn!(
                dir = %dir.display(),
                "no Hunspell dictionary (install hunspell-lv and hunspell-en-us): \
                 typos are not corrected"
            ),
        }
        Arc::new(dictionary)
    }))
}

impl Dictionary {
    /// Reads the [`FILES`] of `dir` that are there and parse; [`Dictionary::Missing`] when
    /// none is.
    pub fn read(dir: &Path) -> Self {
        let mut found = Vec::new();
        for stem in FILES {
            let read = |ext: &str| std::fs::read(dir.join(format!("{stem}.{ext}")));
            let (Ok(aff), Ok(dic)) = (read("aff"), read("dic")) else {
                continue;
            };
            let (aff, dic) = (String::from_utf8_lossy(&aff), String::from_utf8_lossy(&dic));
            match spellbook::Dictionary::new(&aff, &dic) {
                Ok(dictionary) => found.push(dictionary),
                Err(err) => tracing::warn!(file = stem, error = %err, "cannot read a dictionary"),
            }
        }
        if found.is_empty() {
            Dictionary::Missing
        } else {
            Dictionary::Hunspell(found)
        }
    }

    /// Whether a word may be read as a typo of another word: only when a dictionary is
    /// there and knows it in neither language, typed as it is or with the Latvian marks the
    /// person may have left out.
    pub fn may_be_typo(&self, word: &str) -> bool {
        match self {
            Dictionary::Missing => false,
            Dictionary::Empty => true,
            Dictionary::Hunspell(_) => !self.is_word(word),
        }
    }

    /// Whether `word` (one word as typed, any case) is a real word of a dictionary, also when
    /// it is written without the Latvian marks (`medibas` for `medības`).
    pub(crate) fn is_word(&self, word: &str) -> bool {
        let Dictionary::Hunspell(dictionaries) = self else {
            return false;
        };
        let lower = word.to_lowercase();
        let knows = |w: &str| dictionaries.iter().any(|d| d.check(w));
        if knows(word) || knows(&lower) {
            return true;
        }
        // Letters that could carry a mark: try the spellings with and without each.
        let chars: Vec<char> = lower.chars().collect();
        let open: Vec<usize> = (0..chars.len())
            .filter(|&i| MARKED.iter().any(|(plain, _)| *plain == chars[i]))
            .collect();
        if open.is_empty() || open.len() > MAX_MARKED_LETTERS {
            return false;
        }
        let mut spelling = chars.clone();
        for mask in 1u32..(1 << open.len()) {
            for (bit, &at) in open.iter().enumerate() {
                let plain = chars[at];
                spelling[at] = if mask >> bit & 1 == 1 {
                    MARKED
                        .iter()
                        .find(|(p, _)| *p == plain)
                        .map_or(plain, |m| m.1)
                } else {
                    plain
                };
            }
            let candidate: String = spelling.iter().collect();
            if dictionaries[0].check(&candidate) {
                return true;
            }
        }
        false
    }

    /// Whether a dictionary was read.
    pub fn is_present(&self) -> bool {
        matches!(self, Dictionary::Hunspell(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_files_no_word_is_a_typo() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Dictionary::read(dir.path());
        assert!(!missing.is_present());
        for word in ["veslība", "pensjas", "medības", "qqqx"] {
            assert!(!missing.may_be_typo(word), "{word}");
        }
        assert!(Dictionary::Empty.may_be_typo("veslība"));
    }

    /// Debian's files (`hunspell-lv`, `hunspell-en-us`; `.ci/run` installs them): the words
    /// the issue found "corrected" into other areas are real words, the slips are not.
    #[test]
    fn debians_dictionaries_know_real_words_and_not_slips() {
        let dictionary = Dictionary::read(Path::new(DEFAULT_DIR));
        assert!(
            dictionary.is_present(),
            "install hunspell-lv and hunspell-en-us ({DEFAULT_DIR})"
        );
        for word in [
            "medības", "Medības", "būs", "var", "laiks", "rīt", "kāds", "bus", "policy", "count",
            "hunting", "weather",
        ] {
            assert!(dictionary.is_word(word), "{word} is a word");
            assert!(!dictionary.may_be_typo(word), "{word}");
        }
        // Typed without the marks, still the real word.
        for word in ["medibas", "veseliba", "kads", "laiks"] {
            assert!(
                dictionary.is_word(word),
                "{word} is a word without its marks"
            );
        }
        for slip in [
            "veslība",
            "pensjas",
            "izglītīab",
            "helth",
            "enviroment",
            "qqqxxz",
        ] {
            assert!(!dictionary.is_word(slip), "{slip} is no word");
            assert!(dictionary.may_be_typo(slip), "{slip}");
        }
    }
}

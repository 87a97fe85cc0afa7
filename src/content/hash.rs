//! The hash that names a version of the content: what an import compares with the cache, what
//! a report of a mistake records, and what people read (its first 12 hex digits).

use std::fmt;

use sha2::{Digest, Sha256};

/// The SHA-256 of the content files (each file's name and bytes, in the order they are read),
/// in lower-case hex. Serialized as that text (`/healthz` shows it whole).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct ContentHash(String);

/// How many hex digits [`ContentHash::short`] shows: enough to tell versions apart by eye.
const SHORT: usize = 12;

impl ContentHash {
    /// The hash of `files`, `(name, text)` in the order they are read.
    pub(crate) fn of<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut hasher = Sha256::new();
        for (name, text) in files {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        Self(
            hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }

    /// The whole hash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, as the bot, the log and `check` show a version; the whole
    /// value where it is shorter (a hash read back from an older database may be empty).
    pub fn short(&self) -> &str {
        self.0.get(..SHORT).unwrap_or(&self.0)
    }
}

/// A hash as it was stored (in the cache, in a report): taken as it is, so that an old or
/// odd value is shown rather than refused.
impl From<String> for ContentHash {
    fn from(stored: String) -> Self {
        Self(stored)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for ContentHash {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ContentHash {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for ContentHash {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_names_and_texts_and_short_is_its_first_twelve_digits() {
        let hash = ContentHash::of([("a.toml", "x = 1"), ("b.toml", "")]);
        assert_eq!(hash.as_str().len(), 64);
        assert!(hash.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(hash.short(), &hash.as_str()[..12]);
        // The same bytes under another name, or moved between files, are another version.
        assert_ne!(hash, ContentHash::of([("a.toml", "x = 1"), ("c.toml", "")]));
        assert_ne!(hash, ContentHash::of([("a.toml", "x = "), ("b.toml", "1")]));
        assert_eq!(hash, ContentHash::of([("a.toml", "x = 1"), ("b.toml", "")]));
    }

    #[test]
    fn a_short_or_odd_stored_value_is_shown_whole() {
        assert_eq!(ContentHash::from(String::new()).short(), "");
        assert_eq!(ContentHash::from("abc".to_string()).short(), "abc");
        // Never cut inside a character: byte 12 of this one is in the middle of an "ā".
        let odd = ContentHash::from(format!("a{}", "ā".repeat(6)));
        assert_eq!(odd.short(), odd.as_str());
        assert_eq!(ContentHash::from("ab".to_string()), "ab");
    }

    #[test]
    fn files_read_earlier_hash_as_they_did_and_only_the_files_of_this_version_are_taken() {
        use crate::content::{FILES, Snapshot};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let read = Snapshot::read(&dir).unwrap();
        let again = Snapshot::from_files(read.files.clone()).unwrap();
        assert_eq!(again.hash, read.hash);
        assert_eq!(again.dir, dir);
        // Bare names (as the fuzz target passes them) are the same files.
        let bare: Vec<(String, String)> = FILES
            .iter()
            .zip(&read.files)
            .map(|(name, (_, text))| (name.to_string(), text.clone()))
            .collect();
        assert_eq!(Snapshot::from_files(bare).unwrap().hash, read.hash);
        // One file fewer, or two in another order: not this version's files.
        let mut fewer = read.files.clone();
        fewer.pop();
        assert!(Snapshot::from_files(fewer).is_none());
        let mut swapped = read.files.clone();
        swapped.swap(0, 1);
        assert!(Snapshot::from_files(swapped).is_none());
        assert!(Snapshot::from_files(Vec::new()).is_none());
    }
}

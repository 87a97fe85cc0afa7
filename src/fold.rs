//! Text folding for lookup: case and diacritics folded, Latvian endings stripped, and the
//! edit distance used for typos (one, [`edits`], in two costs: plain and by keyboard). The
//! letter signatures that sift words before they are compared are in `sieve`. Content
//! validation uses the same functions, so an alias that two ministries would share after
//! folding is caught by `check`, not met by a user.

mod sieve;

pub use sieve::{Candidates, Sieve, letters, letters_apart, letters_missing};

/// Whether an alias is an abbreviation: one word of two to eight characters, written in
/// capitals (`VID`, `PVN`). An abbreviation matches only the whole query, as typed (case
/// aside), never a stemmed word: `VID` must not become `vide`.
pub(crate) fn is_abbreviation(alias: &str) -> bool {
    let n = alias.chars().count();
    (2..=8).contains(&n)
        && alias
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit())
        && alias.chars().any(char::is_uppercase)
}

/// Lower-cases `text`, removes diacritics and turns everything that is not a letter or digit
/// into a single space.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'ā' | 'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => 'a',
            'č' | 'ć' | 'ç' => 'c',
            'ď' => 'd',
            'ē' | 'é' | 'è' | 'ê' | 'ë' | 'ę' | 'ė' | 'ě' => 'e',
            'ģ' | 'ğ' => 'g',
            'ī' | 'í' | 'ì' | 'î' | 'ï' | 'į' | 'ı' => 'i',
            'ķ' => 'k',
            'ļ' | 'ł' | 'ľ' => 'l',
            'ņ' | 'ñ' | 'ń' | 'ň' => 'n',
            'ō' | 'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ŗ' | 'ř' => 'r',
            'š' | 'ś' | 'ş' => 's',
            'ť' => 't',
            'ū' | 'ú' | 'ù' | 'û' | 'ü' | 'ų' | 'ů' => 'u',
            'ý' | 'ÿ' => 'y',
            'ž' | 'ź' | 'ż' => 'z',
            c if c.is_alphanumeric() => c,
            // Combining marks (a decomposed "ā" is "a" + U+0304) are dropped.
            '\u{0300}'..='\u{036f}' => continue,
            _ => ' ',
        };
        if mapped == ' ' {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(mapped);
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words of `text` as typed (case and marks kept), split where [`fold`] puts its spaces:
/// the n-th word here is the n-th word of `fold(text)`.
pub(crate) fn words_as_typed(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || ('\u{0300}'..='\u{036f}').contains(&c)))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

/// Latvian (and a few English) endings, longest first, already folded.
const ENDINGS: &[&str] = &[
    "ajiem", "ajam", "ajai", "ajos", "ajas", "iem", "ajs", "ais", "ams", "am", "as", "os", "us",
    "ai", "em", "es", "is", "im", "um", "ie", "ei", "a", "e", "i", "u", "s", "o",
];

/// The stem of a folded word: the word without its ending, never shorter than three letters,
/// so `veseliba`, `veselibas` and `veselibu` share `veselib`.
pub(crate) fn stem(word: &str) -> &str {
    if word.chars().count() <= 3 || word.bytes().all(|b| b.is_ascii_digit()) {
        return word;
    }
    for ending in ENDINGS {
        if let Some(stem) = word.strip_suffix(ending)
            && stem.chars().count() >= 3
        {
            return stem;
        }
    }
    word
}

/// The stems of the words of `text`.
pub(crate) fn stems(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| stem(w).to_string())
        .collect()
}

/// The key under which an alias phrase is indexed: its stems joined by single spaces.
pub(crate) fn phrase_key(text: &str) -> String {
    stems(text).join(" ")
}

/// Longest text, in characters, whose distances are computed without allocating.
pub(crate) const SHORT: usize = 48;

/// Optimal-string-alignment distance (Levenshtein plus swapped neighbours), counted in chars,
/// giving up early once it exceeds `limit`. Texts are compared on the stack (typo lookups
/// compare a word with thousands of names); a text longer than [`SHORT`] characters is near
/// no other.
pub(crate) fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    within(a, b, limit, |x, y| usize::from(x != y))
}

/// The distance between a typed word and a name as a slip of the fingers: like [`distance`],
/// but a letter replaced by one that is not its neighbour on the keyboard counts as two
/// edits. `count` is not a typo of `court` (n and r are far apart), `kultūta` is one of
/// `kultūra`.
pub(crate) fn typo_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    within(a, b, limit, |x, y| {
        if x == y {
            0
        } else if neighbours(x, y) {
            1
        } else {
            2
        }
    })
}

/// [`edits`] from `a` to the whole of `b`, if within `limit`.
fn within(a: &str, b: &str, limit: usize, cost: impl Fn(char, char) -> usize) -> Option<usize> {
    let (mut a_buf, mut b_buf) = (['\0'; SHORT], ['\0'; SHORT]);
    let (a, b) = (chars_into(a, &mut a_buf)?, chars_into(b, &mut b_buf)?);
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let d = edits(a, b, limit, cost)?[b.len()];
    (d <= limit).then_some(d)
}

/// The characters of `text` in `buf`, if they fit.
pub(crate) fn chars_into<'a>(text: &str, buf: &'a mut [char; SHORT]) -> Option<&'a [char]> {
    let mut n = 0;
    for c in text.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(&buf[..n])
}

/// The [`distance`]s from `a` to every beginning of `b` (`row[k]` is the distance to the
/// first `k` characters of `b`), or `None` once every one of them exceeds `limit`. Both texts
/// at most [`SHORT`] characters.
pub(crate) fn prefix_distances(a: &[char], b: &[char], limit: usize) -> Option<[usize; SHORT + 1]> {
    edits(a, b, limit, |x, y| usize::from(x != y))
}

/// The one edit distance of the crate: optimal string alignment (a missed, added or swapped
/// letter is one edit; replacing `x` by `y` costs `cost(x, y)`), as the distances from `a` to
/// every beginning of `b`, or `None` once every one of them exceeds `limit`.
fn edits(
    a: &[char],
    b: &[char],
    limit: usize,
    cost: impl Fn(char, char) -> usize,
) -> Option<[usize; SHORT + 1]> {
    debug_assert!(a.len() <= SHORT && b.len() <= SHORT);
    let width = b.len() + 1;
    let mut before = [0usize; SHORT + 1];
    let mut prev = [0usize; SHORT + 1];
    let mut cur = [0usize; SHORT + 1];
    for (j, cell) in prev.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut best = i;
        for j in 1..width {
            let mut d = (prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(prev[j - 1] + cost(a[i - 1], b[j - 1]));
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            best = best.min(d);
        }
        if best > limit {
            return None;
        }
        before = prev;
        prev = cur;
    }
    Some(prev)
}

/// Whether two letters are neighbours on a QWERTY keyboard (the Latvian layout is QWERTY with
/// the long and soft letters on AltGr, which folding already removed).
fn neighbours(a: char, b: char) -> bool {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let place = |c: char| {
        ROWS.iter().enumerate().find_map(|(row, keys)| {
            let column = keys.iter().position(|k| char::from(*k) == c)?;
            Some((row, column))
        })
    };
    let (Some((ra, ca)), Some((rb, cb))) = (place(a), place(b)) else {
        return false;
    };
    // Each row is shifted half a key right of the one above: key k of a row touches keys k
    // and k + 1 of the row above.
    match ra.cmp(&rb) {
        std::cmp::Ordering::Equal => ca.abs_diff(cb) == 1,
        std::cmp::Ordering::Less => rb - ra == 1 && (ca == cb || ca == cb + 1),
        std::cmp::Ordering::Greater => ra - rb == 1 && (cb == ca || cb == ca + 1),
    }
}

/// How many typos a word of `len` characters may carry and still match.
pub(crate) fn typo_limit(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Optimal string alignment by the textbook: the whole table, no limit, no early exit.
    fn reference(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    /// The one distance, with its limit and early exit, agrees with the textbook table on
    /// every pair of a word list, for every limit, and on prefixes.
    #[test]
    fn distance_agrees_with_the_textbook_table() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "veselib",
            "veslib",
            "vesleib",
            "veselibas",
            "izglit",
            "izglitib",
            "zinatn",
            "zinatne",
            "kultur",
            "kultura",
            "aizsardzib",
            "aizsardziba",
            "ārlietas",
            "ārlieta",
            "aarlietas",
            "satiksm",
            "satiksme",
            "labklajib",
            "labklājība",
            "zemkop",
            "tieslietas",
            "tieslieta",
            "abcdefghij",
            "bacdefghij",
            "abcdefghji",
        ];
        for a in words {
            for b in words {
                for limit in 0..=4 {
                    let expected = Some(reference(a, b)).filter(|d| *d <= limit);
                    assert_eq!(distance(a, b, limit), expected, "{a:?} {b:?} {limit}");
                }
                let (mut ab, mut bb) = (['\0'; SHORT], ['\0'; SHORT]);
                let (ac, bc) = (
                    chars_into(a, &mut ab).unwrap(),
                    chars_into(b, &mut bb).unwrap(),
                );
                if let Some(row) = prefix_distances(ac, bc, 99) {
                    for k in 0..=bc.len() {
                        let head: String = bc[..k].iter().collect();
                        assert_eq!(row[k], reference(a, &head), "{a:?} {head:?}");
                    }
                }
            }
        }
        // A text longer than the stack holds is near nothing.
        let long = "x".repeat(SHORT + 5);
        assert_eq!(distance(&long, &long, 1), None);
        assert_eq!(typo_distance(&long, &long, 1), None);
    }

    #[test]
    fn typo_distance_counts_far_keys_twice() {
        // Neighbours, missed, doubled and swapped letters are one slip each.
        assert_eq!(typo_distance("kultut", "kultur", 2), Some(1));
        assert_eq!(typo_distance("veslib", "veselib", 2), Some(1));
        assert_eq!(typo_distance("veseliib", "veselib", 2), Some(1));
        assert_eq!(typo_distance("vesleib", "veselib", 2), Some(1));
        assert_eq!(typo_distance("helth", "health", 2), Some(1));
        assert_eq!(typo_distance("sdu", "sfu", 2), Some(1));
        assert_eq!(typo_distance("za", "aa", 2), Some(1));
        assert_eq!(typo_distance("az", "aa", 2), Some(1));
        // A far key is two: real words one letter apart are not slips of each other.
        assert_eq!(typo_distance("count", "court", 2), Some(2));
        assert_eq!(typo_distance("count", "court", 1), None);
        assert_eq!(typo_distance("trail", "train", 1), None);
        assert_eq!(typo_distance("zp", "aa", 3), Some(3));
        // Never less than the plain distance, never more than twice it.
        for (a, b) in [
            ("buvniecib", "jurniecib"),
            ("sport", "port"),
            ("abc", "xyz"),
        ] {
            let plain = distance(a, b, 99).unwrap();
            let typo = typo_distance(a, b, 99).unwrap();
            assert!(plain <= typo && typo <= 2 * plain, "{a} {b}");
        }
        assert_eq!(typo_distance(&"x".repeat(SHORT + 1), "x", 99), None);
    }

    #[test]
    fn fold_removes_case_diacritics_and_punctuation() {
        assert_eq!(fold("VESELĪBAS"), "veselibas");
        assert_eq!(fold("  Vides   aizsardzība!! "), "vides aizsardziba");
        assert_eq!(fold("Ķ-Ļ-Ņ-Ž"), "k l n z");
        assert_eq!(fold("a\u{0304}rlietas"), "arlietas");
        assert_eq!(fold("<b>&amp;"), "b amp");
    }

    #[test]
    fn stem_unifies_latvian_case_forms() {
        for form in ["veselība", "veselības", "veselību", "veselībā", "veselībai"] {
            assert_eq!(stems(form), vec!["veselib"], "{form}");
        }
        for form in ["tieslietas", "tieslietām", "tieslietu"] {
            assert_eq!(stems(form), vec!["tiesliet"], "{form}");
        }
        assert_eq!(stem("vm"), "vm");
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("veslib", "veselib", 2), Some(1));
        assert_eq!(distance("vesleib", "veselib", 2), Some(1));
        assert_eq!(distance("abc", "xyz", 1), None);
        assert_eq!(distance("", "", 0), Some(0));
    }
}

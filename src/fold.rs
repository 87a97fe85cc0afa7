//! Text folding for lookup: case and diacritics folded, Latvian endings stripped, and the
//! edit distance used for typos. Content validation uses the same functions, so an alias that
//! two ministries would share after folding is caught by `check`, not met by a user.

/// Lower-cases `text`, removes diacritics and turns everything that is not a letter or digit
/// into a single space.
pub fn fold(text: &str) -> String {
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

/// Latvian (and a few English) endings, longest first, already folded.
const ENDINGS: &[&str] = &[
    "ajiem", "ajam", "ajai", "ajos", "ajas", "iem", "ajs", "ais", "ams", "am", "as", "os", "us",
    "ai", "em", "es", "is", "im", "um", "ie", "ei", "a", "e", "i", "u", "s", "o",
];

/// The stem of a folded word: the word without its ending, never shorter than three letters,
/// so `veseliba`, `veselibas` and `veselibu` share `veselib`.
pub fn stem(word: &str) -> &str {
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
pub fn stems(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| stem(w).to_string())
        .collect()
}

/// The key under which an alias phrase is indexed: its stems joined by single spaces.
pub fn phrase_key(text: &str) -> String {
    stems(text).join(" ")
}

/// Optimal-string-alignment distance (Levenshtein plus swapped neighbours), counted in chars,
/// giving up early once it exceeds `limit`.
pub fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        let mut best = usize::MAX;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = d;
            best = best.min(d);
        }
        if best > limit {
            return None;
        }
    }
    let d = rows[a.len() * width + b.len()];
    (d <= limit).then_some(d)
}

/// How many typos a word of `len` characters may carry and still match.
pub fn typo_limit(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

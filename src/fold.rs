//! Text folding for lookup: case and diacritics folded, Latvian endings stripped, and the
//! edit distance used for typos. Content validation uses the same functions, so an alias that
//! two ministries would share after folding is caught by `check`, not met by a user.

/// Whether an alias is an abbreviation: one word of two to eight characters, written in
/// capitals (`VID`, `PVN`). An abbreviation matches only the whole query, as typed (case
/// aside), never a stemmed word: `VID` must not become `vide`.
pub fn is_abbreviation(alias: &str) -> bool {
    let n = alias.chars().count();
    (2..=8).contains(&n)
        && alias
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit())
        && alias.chars().any(char::is_uppercase)
}

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

/// The words of `text` as typed (case and marks kept), split where [`fold`] puts its spaces:
/// the n-th word here is the n-th word of `fold(text)`.
pub fn words_as_typed(text: &str) -> Vec<String> {
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

/// Longest text, in characters, whose distances are computed without allocating.
pub const SHORT: usize = 48;

/// Optimal-string-alignment distance (Levenshtein plus swapped neighbours), counted in chars,
/// giving up early once it exceeds `limit`. Texts up to [`SHORT`] characters are compared on
/// the stack: typo lookups compare a word with thousands of names.
pub fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (mut a_buf, mut b_buf) = (['\0'; SHORT], ['\0'; SHORT]);
    let (Some(a), Some(b)) = (chars_into(a, &mut a_buf), chars_into(b, &mut b_buf)) else {
        return distance_long(a, b, limit);
    };
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let row = prefix_distances(a, b, limit)?;
    let d = row[b.len()];
    (d <= limit).then_some(d)
}

/// The characters of `text` in `buf`, if they fit.
pub fn chars_into<'a>(text: &str, buf: &'a mut [char; SHORT]) -> Option<&'a [char]> {
    let mut n = 0;
    for c in text.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(&buf[..n])
}

/// The distances from `a` to every beginning of `b` (`row[k]` is the distance to the first
/// `k` characters of `b`), or `None` once every one of them exceeds `limit`. Both texts at
/// most [`SHORT`] characters.
pub fn prefix_distances(a: &[char], b: &[char], limit: usize) -> Option<[usize; SHORT + 1]> {
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
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
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

/// [`distance`] for texts longer than [`SHORT`] characters.
fn distance_long(a: &str, b: &str, limit: usize) -> Option<usize> {
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
        let mut best = i;
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

/// The distance between a typed word and a name as a slip of the fingers: like [`distance`],
/// but a letter replaced by one that is not its neighbour on the keyboard counts as two
/// edits. `count` is not a typo of `court` (n and r are far apart), `kultūta` is one of
/// `kultūra`. Texts longer than [`SHORT`] characters are no typo of anything.
pub fn typo_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (mut a_buf, mut b_buf) = (['\0'; SHORT], ['\0'; SHORT]);
    let (a, b) = (chars_into(a, &mut a_buf)?, chars_into(b, &mut b_buf)?);
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
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
            let cost = if a[i - 1] == b[j - 1] {
                0
            } else if neighbours(a[i - 1], b[j - 1]) {
                1
            } else {
                2
            };
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
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
    let d = prev[b.len()];
    (d <= limit).then_some(d)
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

/// A word's letters as a 64-bit signature: two bits for each of 32 letter classes, the first
/// set when the class occurs once, the second when it occurs twice or more. `a`–`z` have a
/// class each; digits and other letters share the rest (sharing only weakens the bound of
/// [`letters_apart`], never breaks it).
pub fn letters(word: &str) -> u64 {
    let mut signature = 0u64;
    for c in word.chars() {
        let class = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            _ => 26 + c as u32 % 6,
        };
        let once = 1u64 << (2 * class);
        signature |= if signature & once == 0 {
            once
        } else {
            once << 1
        };
    }
    signature
}

/// A lower bound of [`distance`] between two words from their [`letters`]: each edit adds or
/// removes at most one occurrence of a letter on either side (a swap none), so the
/// occurrences one word has and the other lacks are edits still to make. One instruction
/// or two instead of a table of distances.
pub fn letters_apart(a: u64, b: u64) -> usize {
    letters_missing(a, b).max(letters_missing(b, a))
}

/// How many of the letters of `a` (by [`letters`]) `b` lacks: a lower bound of the distance
/// from `a` to `b` and to every beginning of `b`.
pub fn letters_missing(a: u64, b: u64) -> usize {
    (a & !b).count_ones() as usize
}

/// Finds, among many words, those that can be within a few edits of a given word, without
/// looking at the others. A word within `limit` edits of another lacks at most `limit` of its
/// letter bits ([`letters_missing`]): of the other's `m` bits it has at least `m − limit`.
/// Such a word has one of the `limit` rarest of those bits, or else all the others. With one
/// bit set per word and letter bit, that is `m` passes of OR and AND over `len / 64` machine
/// words, and only the words left are looked at: an unknown word costs little more however
/// large the content grows.
#[derive(Debug, Clone, Default)]
pub struct Sieve {
    /// For each of the 64 letter bits, the words that have it, one bit per word.
    with_bit: Vec<Vec<u64>>,
    /// For each letter bit, the positions of the words that have it, ascending: for rare
    /// letters a short list, so that a word with one costs what the few words with it cost,
    /// not a pass over all of them.
    positions: Vec<Vec<u32>>,
    /// How many words have each letter bit.
    counts: Vec<usize>,
    len: usize,
}

/// The positions a [`Sieve`] leaves to compare, in ascending order.
#[derive(Debug)]
pub enum Candidates {
    /// The sieve cannot sift: every position (of the range asked for).
    All(std::ops::Range<usize>),
    /// Few positions, gathered from the lists of rare letters.
    List(std::vec::IntoIter<usize>),
    /// The positions left, one bit each; `set[0]` holds positions `64 * first ..`.
    Set {
        set: Vec<u64>,
        first: usize,
        at: usize,
        bits: u64,
        /// Only positions in `start..end` are handed out.
        start: usize,
        end: usize,
    },
}

impl Iterator for Candidates {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Candidates::All(range) => range.next(),
            Candidates::List(list) => list.next(),
            Candidates::Set {
                set,
                first,
                at,
                bits,
                start,
                end,
            } => loop {
                if *bits != 0 {
                    let position = (*first + *at) * 64 + bits.trailing_zeros() as usize;
                    *bits &= *bits - 1;
                    if position >= *end {
                        *bits = 0;
                        return None;
                    }
                    if position >= *start {
                        return Some(position);
                    }
                    continue;
                }
                *at += 1;
                *bits = *set.get(*at)?;
            },
        }
    }
}

impl Sieve {
    /// A sieve over the words whose [`letters`] are `signatures`, by position.
    pub fn new(signatures: &[u64]) -> Self {
        let mut with_bit = vec![vec![0u64; signatures.len().div_ceil(64)]; 64];
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); 64];
        for (k, signature) in signatures.iter().enumerate() {
            for (bit, (set, list)) in with_bit.iter_mut().zip(&mut positions).enumerate() {
                if signature >> bit & 1 == 1 {
                    set[k / 64] |= 1 << (k % 64);
                    list.push(u32::try_from(k).expect("fewer than 2^32 words"));
                }
            }
        }
        let counts = positions.iter().map(Vec::len).collect();
        Sieve {
            with_bit,
            positions,
            counts,
            len: signatures.len(),
        }
    }

    /// The positions of the words that may lack at most `limit` of the letter bits of
    /// `signature` (a superset: the caller still checks each). Ascending.
    pub fn candidates(&self, signature: u64, limit: usize) -> Candidates {
        self.candidates_in(signature, limit, 0..self.len)
    }

    /// [`Sieve::candidates`] among the positions `range` only: the passes cover the machine
    /// words of the range alone, so a caller that keeps its words in order of length pays
    /// only for the lengths in reach.
    pub fn candidates_in(
        &self,
        signature: u64,
        limit: usize,
        range: std::ops::Range<usize>,
    ) -> Candidates {
        let range =
            range.start.min(self.len)..range.end.min(self.len).max(range.start.min(self.len));
        let mut bits: Vec<usize> = (0..64).filter(|bit| signature >> bit & 1 == 1).collect();
        if bits.len() <= limit {
            return Candidates::All(range);
        }
        bits.sort_by_key(|bit| self.counts[*bit]);
        let (rarest, others) = bits.split_at(limit);
        // The words with all of `others` are among those with the rarest of them. When they
        // and the words with one of `rarest` are few, their lists are read instead of the
        // passes below, which cost the same however few the words are. A listed word costs
        // a few bit tests where a pass costs a fraction of one per machine word (64 words).
        let words = range.start / 64..range.end.div_ceil(64);
        let listed = self.counts[others[0]] + rarest.iter().map(|b| self.counts[*b]).sum::<usize>();
        if listed * 8 <= words.len() {
            let has = |k: usize, bit: usize| self.with_bit[bit][k / 64] >> (k % 64) & 1 == 1;
            let mut list: Vec<usize> = self.positions[others[0]]
                .iter()
                .map(|&k| k as usize)
                .filter(|&k| others[1..].iter().all(|&bit| has(k, bit)))
                .chain(
                    rarest
                        .iter()
                        .flat_map(|&bit| self.positions[bit].iter().map(|&k| k as usize)),
                )
                .filter(|k| range.contains(k))
                .collect();
            list.sort_unstable();
            list.dedup();
            return Candidates::List(list.into_iter());
        }
        // Whole passes over the words of the range: the compiler makes them wide.
        let mut set = self.with_bit[others[0]][words.clone()].to_vec();
        for bit in &others[1..] {
            for (word, with) in set.iter_mut().zip(&self.with_bit[*bit][words.clone()]) {
                *word &= with;
            }
        }
        for bit in rarest {
            for (word, with) in set.iter_mut().zip(&self.with_bit[*bit][words.clone()]) {
                *word |= with;
            }
        }
        let bits = set.first().copied().unwrap_or_default();
        Candidates::Set {
            set,
            first: words.start,
            at: 0,
            bits,
            start: range.start,
            end: range.end,
        }
    }
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

    /// The stack version agrees with the allocating one on every pair of a word list, for
    /// every limit, and on prefixes.
    #[test]
    fn distance_on_the_stack_agrees_with_the_allocating_one() {
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
                    assert_eq!(
                        distance(a, b, limit),
                        distance_long(a, b, limit),
                        "{a:?} {b:?} {limit}"
                    );
                }
                let (mut ab, mut bb) = (['\0'; SHORT], ['\0'; SHORT]);
                let (ac, bc) = (
                    chars_into(a, &mut ab).unwrap(),
                    chars_into(b, &mut bb).unwrap(),
                );
                if let Some(row) = prefix_distances(ac, bc, 99) {
                    for k in 0..=bc.len() {
                        let head: String = bc[..k].iter().collect();
                        assert_eq!(Some(row[k]), distance_long(a, &head, 99), "{a:?} {head:?}");
                    }
                }
            }
        }
        let long = "x".repeat(SHORT + 5);
        assert_eq!(distance(&long, &long, 1), Some(0));
        assert_eq!(distance(&long, &format!("{long}y"), 1), Some(1));
    }

    /// The letter bound never exceeds the distance, on every pair of a word list.
    #[test]
    fn letters_apart_is_a_lower_bound_of_the_distance() {
        let words = [
            "",
            "a",
            "aa",
            "aaa",
            "ab",
            "ba",
            "qqqxxz",
            "veselib",
            "veslib",
            "sport",
            "port",
            "buvniecib",
            "jurniecib",
            "zzzz",
            "z",
            "ž",
            "3",
            "33",
            "a1b2",
            "абв",
            "aizsardzib",
            "vid aizsardzib",
            "bababababa",
            "abababab",
        ];
        for a in words {
            for b in words {
                let d = distance(a, b, 99).expect("within 99");
                let bound = letters_apart(letters(a), letters(b));
                assert!(bound <= d, "{a:?} {b:?}: bound {bound} > distance {d}");
            }
        }
        assert_eq!(letters_apart(letters("qqqxxz"), letters("bababak")), 5);
        assert_eq!(letters_apart(letters("veslib"), letters("veselib")), 1);
    }

    /// The sieve leaves every word within the limit, on every pair of a word list.
    #[test]
    fn the_sieve_keeps_every_word_in_reach() {
        let words: Vec<String> = (0..400)
            .map(|n: u32| {
                let letters = b"aeioustrnkvzqx";
                (0..3 + n % 7)
                    .map(|i| char::from(letters[((n * 7 + i * i * 3 + i) % 14) as usize]))
                    .collect()
            })
            .collect();
        let signatures: Vec<u64> = words.iter().map(|w| letters(w)).collect();
        let sieve = Sieve::new(&signatures);
        let mut sifted = 0;
        for word in &words {
            for limit in 0..=3 {
                let kept: Vec<usize> = sieve.candidates(letters(word), limit).collect();
                assert!(kept.windows(2).all(|w| w[0] < w[1]), "ascending");
                for (k, other) in words.iter().enumerate() {
                    if distance(word, other, limit).is_some() {
                        assert!(kept.contains(&k), "{word} {other} {limit}");
                    }
                }
                sifted += usize::from(kept.len() < words.len());
            }
        }
        assert!(sifted > 100, "the sieve must sift: {sifted}");
        // Within a range: exactly the candidates of the whole that fall in it.
        for (word, range) in
            words
                .iter()
                .zip([0..0, 0..400, 3..64, 64..65, 60..130, 130..400, 399..500])
        {
            for limit in 0..=3 {
                let all: Vec<usize> = sieve
                    .candidates(letters(word), limit)
                    .filter(|k| range.contains(k))
                    .collect();
                let within: Vec<usize> = sieve
                    .candidates_in(letters(word), limit, range.clone())
                    .collect();
                assert_eq!(within, all, "{word} {limit} {range:?}");
            }
        }
    }

    #[test]
    fn rare_letters_are_sifted_from_their_lists_and_keep_every_word_in_reach() {
        // Many words of common letters, a few with rare ones (q, x, j).
        let common = b"aeioustrnk";
        let mut words: Vec<String> = (0..20_000u32)
            .map(|n| {
                (0..4 + n % 5)
                    .map(|i| char::from(common[((n * 7 + i * i * 3 + i) % 10) as usize]))
                    .collect()
            })
            .collect();
        for (n, rare) in ["qa", "xe", "jo", "qx", "aq", "exj"].iter().enumerate() {
            words.insert(n * 3_000, format!("{rare}{}", &words[n * 7][..3]));
        }
        let signatures: Vec<u64> = words.iter().map(|w| letters(w)).collect();
        let sieve = Sieve::new(&signatures);
        let mut listed = 0;
        for typed in [
            "qaste", "xeno", "joker", "qxa", "aqes", "exjas", "rasta", "xqj",
        ] {
            for limit in 0..=2 {
                let candidates = sieve.candidates(letters(typed), limit);
                listed += usize::from(matches!(candidates, Candidates::List(_)));
                let kept: Vec<usize> = candidates.collect();
                assert!(kept.windows(2).all(|w| w[0] < w[1]), "ascending");
                for (k, other) in words.iter().enumerate() {
                    if distance(typed, other, limit).is_some() {
                        assert!(kept.contains(&k), "{typed} {other} {limit}");
                    }
                }
                for range in [0..0, 0..20_006, 100..7_000, 8_999..25_000] {
                    let within: Vec<usize> = sieve
                        .candidates_in(letters(typed), limit, range.clone())
                        .collect();
                    let expected: Vec<usize> =
                        kept.iter().copied().filter(|k| range.contains(k)).collect();
                    assert_eq!(within, expected, "{typed} {limit} {range:?}");
                }
            }
        }
        assert!(listed >= 10, "the lists must be used: {listed}");
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

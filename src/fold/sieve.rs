//! Letter signatures of words, and the sieve that finds among many words those within a few
//! edits of a given one without comparing the others.

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
    pub(crate) fn new(signatures: &[u64]) -> Self {
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
    pub(crate) fn candidates(&self, signature: u64, limit: usize) -> Candidates {
        self.candidates_in(signature, limit, 0..self.len)
    }

    /// [`Sieve::candidates`] among the positions `range` only: the passes cover the machine
    /// words of the range alone, so a caller that keeps its words in order of length pays
    /// only for the lengths in reach.
    pub(crate) fn candidates_in(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::distance;

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
}

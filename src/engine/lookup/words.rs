//! The words of a query that name nothing: stopwords, question words and modifiers. They are
//! written out here, as typed, and compared by their folded stems ([`crate::fold::stem`]).
//!
//! They are code, not content: they are the grammar of a query (what a person types around
//! the words that name something), the same for every content, and a content edit that made
//! "kas" or "who" a name would make every question find it.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::fold;

/// Words that carry no meaning in a lookup and may be part of a name ("ministry of health").
const STOPWORDS: &[&str] = &[
    "un",
    "and",
    "of",
    "the",
    "ar",
    "par",
    "uz",
    "in",
    "for",
    "to",
    "or",
    "vai",
    "joma",
    "area",
    "ministrija",
    "ministry",
    "ministries",
    "ministrijas",
    "kontakti",
    "contact",
    "contacts",
    "lv",
    "with",
    "a",
    "an",
    "at",
    "on",
    "by",
    "from",
    "pie",
    "no",
];

/// The words a question is made of (Latvian and English): never matched, never a typo, so
/// that "kur var sūdzēties par ģimenes ārstu" is answered by "ģimenes ārstu" alone ("var" is
/// a verb, not VARAM).
const QUESTION: &[&str] = &[
    // Latvian
    "kas",
    "es",
    "kur",
    "kā",
    "kāds",
    "kāda",
    "kādi",
    "kādas",
    "kad",
    "kurš",
    "kura",
    "kuri",
    "kuras",
    "kuru",
    "kurā",
    "kam",
    "kuram",
    "kurai",
    "ko",
    "kāpēc",
    "kādēļ",
    "cik",
    "var",
    "varu",
    "varētu",
    "vajag",
    "vajadzētu",
    "jāvēršas",
    "atbild",
    "atbildīgs",
    "atbildīga",
    "atbildīgā",
    "atbildīgais",
    "nodarbojas",
    "sūdzēties",
    "sūdzību",
    "iesniegt",
    "izteikties",
    "izteikt",
    "vērsties",
    "griezties",
    "jautāt",
    "uzzināt",
    "sazināties",
    "rakstīt",
    "zvanīt",
    "ir",
    "būs",
    "bija",
    "man",
    "mani",
    "mēs",
    "jūs",
    "mums",
    "lūdzu",
    "labdien",
    "sveiki",
    "šo",
    "ja",
    "kādā",
    "kādu",
    "kurp",
    "meklēju",
    "gribu",
    "vēlos",
    // English
    "who",
    "whom",
    "what",
    "where",
    "when",
    "how",
    "which",
    "why",
    "is",
    "are",
    "was",
    "will",
    "be",
    "can",
    "could",
    "should",
    "do",
    "does",
    "i",
    "me",
    "my",
    "we",
    "you",
    "responsible",
    "complain",
    "complaint",
    "about",
    "deals",
    "handles",
    "charge",
    "ask",
    "need",
    "want",
    "please",
    "hello",
    "hi",
    "there",
    "someone",
    "whoever",
];

/// Words that only narrow a name ("mājokļu politika", "veselības jautājumi"): a query of a
/// name and these words is that name, though the name does not list them.
///
/// Some are names too ("darbs" is work, the labour area): beside another name they narrow it
/// ("policijas darbu", the police's work), alone they are the name.
const MODIFIERS: &[&str] = &[
    "politika",
    "jautājumi",
    "jautājums",
    "jautājumu",
    "nozare",
    "sfēra",
    "lietas",
    "joma",
    "regulējums",
    "sistēma",
    "darbs",
    "darbu",
    "darbība",
    "pakalpojumi",
    "policy",
    "policies",
    "issues",
    "matters",
    "sector",
    "field",
    "questions",
    "affairs",
    "system",
    "work",
];

fn stems(words: &'static [&'static str]) -> HashSet<String> {
    words
        .iter()
        .map(|w| fold::stem(&fold::fold(w)).to_string())
        .collect()
}

/// Whether a folded, stemmed word carries no meaning in a lookup (stopwords and the words of
/// a question).
pub fn is_stopword(word: &str) -> bool {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| stems(STOPWORDS)).contains(word) || is_question_word(word)
}

/// Whether a folded, stemmed word is a word of a question ("kas", "atbild", "who").
pub fn is_question_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| stems(QUESTION)).contains(word)
}

/// Whether a folded, stemmed word only narrows a name ("politika", "issues").
pub fn is_modifier(word: &str) -> bool {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| stems(MODIFIERS)).contains(word)
}

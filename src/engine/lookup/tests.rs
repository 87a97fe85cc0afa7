use super::*;

/// An index over made-up names (no content file): the rule holds whatever the content.
/// Each entry is (ministry, area, names).
fn index(names: &[(&str, &str, &[&str])], vocabulary: &[&str]) -> Index {
    let mut rows = Vec::new();
    for (ministry, area, aliases) in names {
        for alias in *aliases {
            rows.push(AliasRow {
                alias: alias.to_string(),
                ministry_id: ministry.to_string(),
                area_id: (!area.is_empty()).then(|| area.to_string()),
                is_abbr: false,
            });
        }
    }
    let vocabulary: Vec<String> = vocabulary.iter().map(|w| fold::fold(w)).collect();
    Index::build(&rows)
        .with_vocabulary(&vocabulary)
        .with_dictionary(Dictionary::Empty)
}

#[test]
fn an_area_abbreviation_matches_only_the_whole_query_never_a_stemmed_word() {
    let row = |alias: &str, ministry: &str, area: &str, is_abbr| AliasRow {
        alias: alias.into(),
        ministry_id: ministry.into(),
        area_id: Some(area.into()),
        is_abbr,
    };
    let index = Index::build(&[
        row("vide", "kem", "vide", false),
        row("nodokļi", "fm", "nodokli", false),
        row("VID", "fm", "nodokli", fold::is_abbreviation("VID")),
    ])
    .with_dictionary(Dictionary::Empty);
    for query in ["VID", "vid", " Vid "] {
        assert_eq!(index.find(query), one("fm", "nodokli"), "{query}");
    }
    // `vides` stems to what `VID` folds to; it is still the environment.
    assert_eq!(index.find("vides"), one("kem", "vide"));
    assert_eq!(index.find("vide"), one("kem", "vide"));
    // Inside a longer query an abbreviation is one only as typed, in capitals.
    assert_eq!(index.find("vid vide"), one("kem", "vide"));
    assert_eq!(
        index.find("VID vide"),
        Found::Choice(vec![
            Target {
                ministry: "fm".into(),
                area: Some("nodokli".into())
            },
            Target {
                ministry: "kem".into(),
                area: Some("vide".into())
            },
        ])
    );
}

#[test]
fn abbreviations_are_one_word_in_capitals() {
    for yes in ["VID", "PVN", "ĀM", "CSDD", "E2"] {
        assert!(fold::is_abbreviation(yes), "{yes}");
    }
    for no in ["vid", "Vid", "V", "VID PVN", "ABCDEFGHI", "12"] {
        assert!(!fold::is_abbreviation(no), "{no}");
    }
}

fn one(ministry: &str, area: &str) -> Found {
    Found::One(Target {
        ministry: ministry.into(),
        area: (!area.is_empty()).then(|| area.into()),
    })
}

const NAMES: &[(&str, &str, &[&str])] = &[
    (
        "sm",
        "jurnieciba",
        &["jūrniecība", "ostas", "ports", "maritime"],
    ),
    ("sm", "dzelzcels", &["dzelzceļš", "trains", "railways"]),
    ("vm", "veseliba", &["veselība", "health", "slimnīcas"]),
    ("vm", "", &["veselības ministrija", "ministry of health"]),
    (
        "kem",
        "vides_aizsardziba",
        &["vides aizsardzība", "environment"],
    ),
    ("am", "aizsardziba", &["aizsardzība", "defence"]),
    (
        "iem",
        "drosiba",
        &["sabiedriskā drošība", "police", "courts"],
    ),
    ("fm", "finanses", &["finanses", "finance"]),
];

/// The words of the rest of the content (texts, notes): real words, never typos.
const TEXTS: &[&str] = &["sabiedrības", "policy", "līdzdalība", "ministrija"];

#[test]
fn a_real_word_is_not_a_typo_of_another_name() {
    let index = index(NAMES, TEXTS);
    // A different first letter: a different word, not a slip.
    for query in ["sports", "sport", "būvniecība", "buvniecibas", "transports"] {
        assert_eq!(index.find(query), Found::Nothing(Vec::new()), "{query}");
    }
    // A word of the content is a real word, however close to a name.
    assert_eq!(index.find("policy"), Found::Nothing(Vec::new()));
    assert_eq!(
        index.find("sabiedrības drošība"),
        Found::Nothing(Vec::new()),
        "a real word inside a phrase"
    );
    // The same word with no content around it would have been read as `police`.
    let bare = super::Index::build(&[AliasRow {
        alias: "police".into(),
        ministry_id: "iem".into(),
        area_id: None,
        is_abbr: false,
    }]);
    assert_eq!(
        bare.clone()
            .with_dictionary(Dictionary::Empty)
            .find("policy"),
        one("iem", "")
    );
    // Nor is it with a dictionary that knows the word (and none: nothing is a typo then).
    assert_eq!(
        bare.with_dictionary(Dictionary::Missing).find("policy"),
        Found::Nothing(Vec::new())
    );
    // One letter for a far key: `count` and `trail` are words, not slips of `court` and
    // `train`; a neighbouring key is a slip.
    assert_eq!(index.find("count"), Found::Nothing(Vec::new()));
    assert_eq!(index.find("trail"), Found::Nothing(Vec::new()));
    assert_eq!(index.find("cpurts"), one("iem", "drosiba"));
    assert_eq!(index.find("trsins"), one("sm", "dzelzcels"));
    // Short words must be exact: `sort` is not `port`.
    assert_eq!(index.find("sort"), Found::Nothing(Vec::new()));
    // Stopwords are never read as typos.
    assert_eq!(index.find("ministrija"), Found::Nothing(Vec::new()));
}

#[test]
fn slips_of_the_fingers_still_find_the_name_and_say_so() {
    let index = index(NAMES, TEXTS);
    for query in [
        "veslība",   // a letter missed
        "vesleība",  // two swapped
        "veselīiba", // one doubled
        "veselībaa",
        "vesekība", // a neighbouring key
        "evselība", // the first two swapped
        "helth",
        "heatlh",
    ] {
        let found = index.lookup(query);
        assert_eq!(found.found, one("vm", "veseliba"), "{query}");
        assert!(!found.as_typed, "{query}: a typo is not what was typed");
    }
    // A typo in one word of a two-word name.
    let found = index.lookup("vides aizsardzbia");
    assert_eq!(found.found, one("kem", "vides_aizsardziba"));
    assert!(!found.as_typed);
    // Exact forms are as typed; so are stopwords around them.
    for query in ["veselība", "VESELĪBAS", "veselības ministrija", "ostas"] {
        assert!(index.lookup(query).as_typed, "{query}");
    }
    assert_eq!(index.find("veselības ministrija"), one("vm", ""));
    // A word that matched nothing is not silently dropped: a phrase is not one of its words.
    let found = index.lookup("veselība zzqqx");
    assert_eq!(found.found, Found::Nothing(Vec::new()));
    assert!(!found.as_typed);
}

#[test]
fn exact_names_win_over_typos_and_ties_are_asked() {
    let index = index(NAMES, TEXTS);
    // `ostas` is exact; `veslība` only a typo: the exact one answers.
    let found = index.lookup("ostas veslība");
    assert_eq!(found.found, one("sm", "jurnieciba"));
    assert!(!found.as_typed);
    // A typo as close to names of two ministries is a question, not an answer.
    let tie = super::Index::build(&[
        AliasRow {
            alias: "abcdef".into(),
            ministry_id: "m1".into(),
            area_id: None,
            is_abbr: false,
        },
        AliasRow {
            alias: "abcdeg".into(),
            ministry_id: "m2".into(),
            area_id: None,
            is_abbr: false,
        },
    ])
    .with_dictionary(Dictionary::Empty);
    let Found::Choice(targets) = tie.find("abcdefg") else {
        panic!("expected a choice");
    };
    assert_eq!(targets.len(), 2);
}

/// Whether each word may be a typo, as the lookup asks it.
fn may_be(index: &Index, window: &[&str]) -> Vec<bool> {
    window.iter().map(|w| index.may_be_typo(w, w)).collect()
}

/// Typos found among the names that begin with the typed first letters are those of a
/// scan over every name, targets in the same order.
#[test]
fn typos_found_by_first_letters_are_those_of_a_full_scan() {
    let index = index(NAMES, TEXTS);
    let scan = |window: &[&str]| {
        let phrase = window.join(" ");
        let limit = fold::typo_limit(phrase.chars().count());
        let mut best: Option<(usize, Vec<Target>)> = None;
        for (key, targets) in &index.by_words[window.len() - 1] {
            let may_be: Vec<bool> = window.iter().map(|w| index.may_be_typo(w, w)).collect();
            if let Some(d) = super::typo::typo_distance(window, &may_be, key, limit) {
                match &mut best {
                    Some((bd, list)) if d == *bd => list.extend(targets.iter().cloned()),
                    Some((bd, _)) if d > *bd => {}
                    _ => best = Some((d, targets.clone())),
                }
            }
        }
        (phrase, best)
    };
    for window in [
        ["vid", "aizsardzbi"],
        ["vde", "aizsardzib"],
        ["vdi", "aizsardzib"],
    ] {
        let (phrase, expected) = scan(&window);
        assert!(expected.is_some(), "{phrase}");
        assert_eq!(
            index.closest(&window, &may_be(&index, &window), &phrase),
            expected,
            "{phrase}"
        );
    }
    let mut found = 0;
    for word in [
        "veslib",
        "helth",
        "heatlh",
        "cpurt",
        "trsin",
        "sport",
        "qqqxxz",
        "ostaa",
        "railwy",
        "maritme",
        "finnas",
        "environmen",
        "dfenc",
        "vesekib",
        "evselib",
    ] {
        assert!(
            index.may_be_typo(word, word),
            "{word} must be no name and no known word"
        );
        let (_, expected) = scan(&[word]);
        assert_eq!(
            index.closest(&[word], &may_be(&index, &[word]), word),
            expected,
            "{word}"
        );
        found += usize::from(expected.is_some());
    }
    assert!(found >= 8, "the words must exercise typos: {found}");
}

/// The suggestions as they were computed before the word list: every word of every name.
fn suggest_by_scanning_every_name(index: &Index, query: &str) -> Vec<Target> {
    let words = fold::stems(query);
    let mut scored: Vec<(usize, &str, &Target)> = Vec::new();
    for word in words.iter().filter(|w| !is_stopword(w) && w.len() >= 3) {
        let limit = (word.chars().count() / 2).max(2);
        for group in &index.by_words {
            for (key, targets) in group {
                for key_word in key.split(' ') {
                    if let Some(d) = fold::distance(word, key_word, limit) {
                        scored.extend(targets.iter().map(|t| (d, key.as_str(), t)));
                    }
                }
            }
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    let mut out: Vec<Target> = Vec::new();
    for (_, _, target) in scored {
        if !out.contains(target) && out.len() < 3 {
            out.push(target.clone());
        }
    }
    out
}

#[test]
fn suggestions_from_the_word_list_are_those_of_a_full_scan() {
    let index = index(NAMES, TEXTS);
    let mut some = 0;
    for query in [
        "sports",
        "būvniecība",
        "qqqxxz",
        "vesel",
        "aizsargs",
        "minitry of helth",
        "drošības policija",
        "ab",
        "xyzzyxyzzyxyzzy",
        "railways trains",
        "ārlietas",
    ] {
        let expected = suggest_by_scanning_every_name(&index, query);
        assert_eq!(index.suggestions(query), expected, "{query}");
        some += usize::from(!expected.is_empty());
    }
    assert!(some >= 5, "the queries must exercise the suggestions");
}

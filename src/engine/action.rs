//! What a button does: a typed enum with a compact string codec for Telegram callback data.
//! Every encoded value is ASCII and at most 64 bytes; decoding never panics, and data it does
//! not know (stale, forged) decodes to `None`, which the engine answers with a fresh main menu.

use crate::content::validate;
use crate::ids::ReportId;
use crate::lang::Lang;
use crate::tap::Target;

/// Telegram's limit for callback data, in bytes.
pub(crate) const MAX_CALLBACK_BYTES: usize = 64;

/// A button's action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    Main,
    Help,
    About,
    Lessons,
    Lesson(u8),
    Guidelines,
    Section(String),
    Contacts,
    Ministry(String),
    Area(String),
    Specialists,
    Resources,
    Language,
    SetLanguage(Lang),
    /// "Did this help?" on a card (an [`Action::is_item`]): 👍 (`up`) or 👎.
    Vote {
        item: Box<Action>,
        up: bool,
    },
    /// "🚩 Report a mistake" on a card (an [`Action::is_item`]): asks for the report's text.
    Report(Box<Action>),
    /// "You may contact me" under the thanks for report `n`.
    ReportContact(ReportId),
    /// An admin closes report `id` from `/reports`: resolved, or `spam`.
    ReportClose {
        id: ReportId,
        spam: bool,
    },
    /// What is open on TAP now: everything, or a ministry's or an area's.
    Open(Option<Target>),
    /// 🔔: tell this chat when something opens at a ministry or in an area.
    Follow(Target),
    Unfollow(Target),
    /// What this chat follows.
    Follows,
}

impl Action {
    /// The callback data for this action, e.g. `l:3`, `c:vm`, `g:purpose`, `m`.
    pub fn encode(&self) -> String {
        match self {
            Action::Main => "m".into(),
            Action::Help => "h".into(),
            Action::About => "ab".into(),
            Action::Lessons => "ls".into(),
            Action::Lesson(n) => format!("l:{n}"),
            Action::Guidelines => "gs".into(),
            Action::Section(id) => format!("g:{id}"),
            Action::Contacts => "cs".into(),
            Action::Ministry(id) => format!("c:{id}"),
            Action::Area(id) => format!("a:{id}"),
            Action::Specialists => "sp".into(),
            Action::Resources => "rs".into(),
            Action::Language => "lg".into(),
            Action::SetLanguage(lang) => format!("lg:{}", lang.code()),
            // `vu:l:3`, `vd:c:vm`: the tag, then the card's own data.
            Action::Vote { item, up } => {
                format!("{}:{}", if *up { "vu" } else { "vd" }, item.encode())
            }
            // `rp:c:vm`: the tag, then the card's own data.
            Action::Report(item) => format!("rp:{}", item.encode()),
            Action::ReportContact(id) => format!("rc:{id}"),
            Action::ReportClose { id, spam } => {
                format!("{}:{id}", if *spam { "rs" } else { "rr" })
            }
            // `o`, `om:vm`, `oa:veseliba`; `fm:vm`, `fa:veseliba`; `um:vm`, `ua:veseliba`.
            Action::Open(None) => "o".into(),
            Action::Open(Some(target)) => format!("o{}", target_data(target)),
            Action::Follow(target) => format!("f{}", target_data(target)),
            Action::Unfollow(target) => format!("u{}", target_data(target)),
            Action::Follows => "fl".into(),
        }
    }

    /// The deep-link payload for this action (`t.me/<bot>?start=<payload>`): the callback
    /// data with `-` for `:`, so only `[a-z0-9_-]`, at most 64 characters.
    pub fn payload(&self) -> String {
        self.encode().replacen(':', "-", 1)
    }

    /// The action a deep-link payload opens; `None` for anything else.
    pub fn from_payload(payload: &str) -> Option<Action> {
        let valid = (1..=64).contains(&payload.len())
            && payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return None;
        }
        // A link opens an item or a menu; it never votes or reports.
        Action::decode(&payload.replacen('-', ":", 1)).filter(|action| {
            !matches!(
                action,
                Action::Vote { .. }
                    | Action::Report(_)
                    | Action::ReportContact(_)
                    | Action::ReportClose { .. }
                    | Action::Follow(_)
                    | Action::Unfollow(_)
            )
        })
    }

    /// Whether this item can be shared on its own (a lesson, a section, a card).
    pub fn is_item(&self) -> bool {
        matches!(
            self,
            Action::Lesson(_) | Action::Section(_) | Action::Ministry(_) | Action::Area(_)
        )
    }

    /// Whether a mistake can be reported on this item: contact cards (ministry, area) and
    /// lessons.
    pub(crate) fn is_reportable(&self) -> bool {
        matches!(
            self,
            Action::Lesson(_) | Action::Ministry(_) | Action::Area(_)
        )
    }

    /// A short name of the kind of button, for statistics (`button:lesson`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Action::Main => "button:main",
            Action::Help => "button:help",
            Action::About => "button:about",
            Action::Lessons => "button:lessons",
            Action::Lesson(_) => "button:lesson",
            Action::Guidelines => "button:guidelines",
            Action::Section(_) => "button:section",
            Action::Contacts => "button:contacts",
            Action::Ministry(_) => "button:ministry",
            Action::Area(_) => "button:area",
            Action::Specialists => "button:specialists",
            Action::Resources => "button:resources",
            Action::Language => "button:language",
            Action::SetLanguage(_) => "button:set_language",
            Action::Vote { .. } => "button:vote",
            Action::Report(_) => "button:report",
            Action::ReportContact(_) => "button:report_contact",
            Action::ReportClose { .. } => "button:report_close",
            Action::Open(_) => "button:open",
            Action::Follow(_) => "button:follow",
            Action::Unfollow(_) => "button:unfollow",
            Action::Follows => "button:follows",
        }
    }

    /// Decodes callback data; `None` for anything this version did not produce.
    pub fn decode(data: &str) -> Option<Action> {
        if data.is_empty() || data.len() > MAX_CALLBACK_BYTES {
            return None;
        }
        let (tag, arg) = match data.split_once(':') {
            Some((tag, arg)) => (tag, Some(arg)),
            None => (data, None),
        };
        let id = |arg: &str| validate::id(arg).then(|| arg.to_string());
        Some(match (tag, arg) {
            ("m", None) => Action::Main,
            ("h", None) => Action::Help,
            ("ab", None) => Action::About,
            ("ls", None) => Action::Lessons,
            ("l", Some(n)) => {
                // Canonical numbers only ("l:02" is not "l:2"; found by cargo fuzz).
                let canonical = !n.starts_with('0') || n == "0";
                if n.is_empty()
                    || n.len() > 2
                    || !canonical
                    || !n.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                Action::Lesson(n.parse().ok()?)
            }
            ("gs", None) => Action::Guidelines,
            ("g", Some(arg)) => Action::Section(id(arg)?),
            ("cs", None) => Action::Contacts,
            ("c", Some(arg)) => Action::Ministry(id(arg)?),
            ("a", Some(arg)) => Action::Area(id(arg)?),
            ("sp", None) => Action::Specialists,
            ("rs", None) => Action::Resources,
            ("lg", None) => Action::Language,
            ("lg", Some("lv")) => Action::SetLanguage(Lang::Lv),
            ("lg", Some("en")) => Action::SetLanguage(Lang::En),
            ("vu" | "vd", Some(item)) => Action::Vote {
                item: Box::new(Action::decode(item).filter(Action::is_item)?),
                up: tag == "vu",
            },
            ("rp", Some(item)) => Action::Report(Box::new(
                Action::decode(item).filter(Action::is_reportable)?,
            )),
            ("rc", Some(n)) => Action::ReportContact(report_number(n)?),
            ("rr" | "rs", Some(n)) => Action::ReportClose {
                id: report_number(n)?,
                spam: tag == "rs",
            },
            ("o", None) => Action::Open(None),
            ("fl", None) => Action::Follows,
            (_, Some(arg)) if tag.len() == 2 && matches!(tag.as_bytes()[0], b'o' | b'f' | b'u') => {
                let target = match tag.as_bytes()[1] {
                    b'm' => Target::Ministry(id(arg)?),
                    b'a' => Target::Area(id(arg)?),
                    _ => return None,
                };
                match tag.as_bytes()[0] {
                    b'o' => Action::Open(Some(target)),
                    b'f' => Action::Follow(target),
                    _ => Action::Unfollow(target),
                }
            }
            _ => return None,
        })
    }
}

/// A followable target in callback data: `m:<ministry id>` or `a:<area id>`.
fn target_data(target: &Target) -> String {
    match target {
        Target::Ministry(id) => format!("m:{id}"),
        Target::Area(id) => format!("a:{id}"),
    }
}

/// A report's number as written in callback data: canonical decimal, 1 or more.
fn report_number(n: &str) -> Option<ReportId> {
    let canonical = !n.is_empty() && n.len() <= 18 && !n.starts_with('0');
    if !canonical || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_kinds() -> Vec<Action> {
        let long_id = "a".repeat(24);
        vec![
            Action::Main,
            Action::Help,
            Action::About,
            Action::Lessons,
            Action::Lesson(1),
            Action::Lesson(99),
            Action::Guidelines,
            Action::Section(long_id.clone()),
            Action::Contacts,
            Action::Ministry("vm".into()),
            Action::Ministry(long_id.clone()),
            Action::Area(long_id.clone()),
            Action::Open(None),
            Action::Open(Some(Target::Ministry("vm".into()))),
            Action::Open(Some(Target::Area(long_id))),
            Action::Follows,
            Action::Specialists,
            Action::Resources,
            Action::Language,
            Action::SetLanguage(Lang::Lv),
            Action::SetLanguage(Lang::En),
        ]
    }

    #[test]
    fn every_action_round_trips_within_64_bytes() {
        for action in all_kinds() {
            let data = action.encode();
            assert!(
                data.len() <= MAX_CALLBACK_BYTES && !data.is_empty(),
                "{data}"
            );
            assert!(data.is_ascii());
            assert_eq!(Action::decode(&data), Some(action));
        }
    }

    #[test]
    fn follows_round_trip_but_no_link_follows() {
        let long_id = "b".repeat(24);
        for target in [Target::Ministry("vm".into()), Target::Area(long_id)] {
            for action in [
                Action::Follow(target.clone()),
                Action::Unfollow(target.clone()),
            ] {
                let data = action.encode();
                assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
                assert_eq!(Action::decode(&data), Some(action.clone()));
                assert_eq!(Action::from_payload(&action.payload()), None);
            }
        }
        for forged in [
            "fx:vm", "o:vm", "om:", "om:VM", "ua:a b", "ff:vm", "fl:1", "oo",
        ] {
            assert_eq!(Action::decode(forged), None, "{forged}");
        }
    }

    #[test]
    fn every_payload_is_a_valid_deep_link_and_round_trips() {
        for action in all_kinds() {
            let payload = action.payload();
            assert!((1..=64).contains(&payload.len()), "{payload}");
            assert!(
                payload
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                "{payload}"
            );
            assert_eq!(Action::from_payload(&payload), Some(action));
        }
        for bad in ["", "l-", "x-1", "c:vm", "c-vm extra", "🙂", &"l".repeat(65)] {
            assert_eq!(Action::from_payload(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn votes_round_trip_within_64_bytes_and_only_on_items() {
        let long_id = "a".repeat(24);
        for item in [
            Action::Lesson(10),
            Action::Section(long_id.clone()),
            Action::Ministry(long_id.clone()),
            Action::Area(long_id),
        ] {
            for up in [true, false] {
                let vote = Action::Vote {
                    item: Box::new(item.clone()),
                    up,
                };
                let data = vote.encode();
                assert!(
                    data.len() <= MAX_CALLBACK_BYTES && data.is_ascii(),
                    "{data}"
                );
                assert!(data.starts_with(if up { "vu:" } else { "vd:" }), "{data}");
                assert_eq!(Action::decode(&data), Some(vote.clone()));
                assert!(!vote.is_item());
                // No deep link votes.
                assert_eq!(Action::from_payload(&vote.payload()), None);
            }
        }
        assert_eq!(
            Action::decode("vu:l:3"),
            Some(Action::Vote {
                item: Box::new(Action::Lesson(3)),
                up: true
            })
        );
        for data in [
            "vu",
            "vu:",
            "vd:m",
            "vu:ls",
            "vu:cs",
            "vu:vu:l:3",
            "vx:l:3",
            "vu:l:02",
            "vu:c:VM",
            "vu-l-3",
        ] {
            assert_eq!(Action::decode(data), None, "{data:?}");
        }
        assert_eq!(Action::from_payload("vu-l:3"), None);
    }

    #[test]
    fn reports_round_trip_within_64_bytes_and_only_on_contact_cards_and_lessons() {
        let long_id = "a".repeat(24);
        let max = 999_999_999_999_999_999_i64;
        let mut all = vec![
            Action::ReportContact(ReportId(1)),
            Action::ReportContact(ReportId(max)),
            Action::ReportClose {
                id: ReportId(7),
                spam: false,
            },
            Action::ReportClose {
                id: ReportId(max),
                spam: true,
            },
        ];
        for item in [
            Action::Lesson(10),
            Action::Ministry(long_id.clone()),
            Action::Area(long_id),
        ] {
            all.push(Action::Report(Box::new(item)));
        }
        for action in all {
            let data = action.encode();
            assert!(
                data.len() <= MAX_CALLBACK_BYTES && data.is_ascii(),
                "{data}"
            );
            assert!(data.starts_with('r'), "{data}");
            assert_eq!(Action::decode(&data), Some(action.clone()));
            assert!(!action.is_item());
            // No deep link reports.
            assert_eq!(Action::from_payload(&action.payload()), None);
        }
        assert_eq!(
            Action::decode("rp:c:vm"),
            Some(Action::Report(Box::new(Action::Ministry("vm".into()))))
        );
        for data in [
            "rp",
            "rp:",
            "rp:m",
            "rp:g:purpose",
            "rp:rp:l:3",
            "rp:vu:l:3",
            "rc",
            "rc:",
            "rc:0",
            "rc:07",
            "rc:-1",
            "rc:x",
            "rr:1:2",
            "rs:",
            "rc:9999999999999999999",
            "rx:1",
        ] {
            assert_eq!(Action::decode(data), None, "{data:?}");
        }
    }

    #[test]
    fn unknown_or_forged_data_decodes_to_none() {
        for data in [
            "",
            "x",
            "l:",
            "l:abc",
            "l:999",
            "l:-1",
            // Not canonical: "l:2" is lesson 2 (found by cargo fuzz).
            "l:02",
            "c:",
            "c:VM",
            "c:../../etc",
            "g:a b",
            "lg:de",
            "m:extra",
            "c:vm:x",
            "ā",
            "\u{0}",
            "l:٣",
        ] {
            assert_eq!(Action::decode(data), None, "{data:?}");
        }
        assert_eq!(Action::decode(&"c:".repeat(40)), None);
    }

    #[test]
    fn random_strings_never_panic() {
        // A small deterministic generator over a hostile alphabet.
        let alphabet: Vec<char> = "ml:cgavudrps0123456789_-\u{0}ā🙂 \u{202e}\u{200d}<>&\""
            .chars()
            .collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 70) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            if let Some(action) = Action::decode(&s) {
                assert_eq!(action.encode(), s);
            }
        }
    }
}

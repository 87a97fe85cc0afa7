//! The UI strings a `ui.toml` must hold. The list belongs to the content, not to the engine
//! that uses the strings, so that `check` (which reads only the content) can report a missing
//! one with its file and line before the engine ever asks for it.

/// Every key the engine's screens and the Telegram runtime ask for.
pub const KEYS: &[&str] = &[
    "welcome",
    "help",
    "menu_lessons",
    "menu_guidelines",
    "menu_contacts",
    "menu_specialists",
    "menu_resources",
    "menu_language",
    "menu_about",
    "menu_help",
    "back",
    "main_menu",
    "previous",
    "next",
    "sources",
    "lessons_count",
    "lecturer",
    "guests",
    "recordings",
    "lesson_title",
    "lesson_area",
    "lesson_lead",
    "lesson_date",
    "lesson_guest",
    "lesson_video",
    "lesson_contact_button",
    "lesson_not_found",
    "lessons_prompt",
    "guidelines_prompt",
    "section_not_found",
    "contacts_prompt",
    "areas",
    "website",
    "participation_page",
    "contacts_heading",
    "email",
    "phone",
    "address",
    "area_led_by",
    "ambiguous",
    "not_found",
    "not_found_suggest",
    "resources_heading",
    "participation_pages_heading",
    "language_prompt",
    "language_set",
    "language_unknown",
    "about_heading",
    "content_date",
    "imported_at",
    "source",
    "unknown_command",
    "error",
    "stale_button",
    "stale_toast",
    "only_text",
    "cmd_start",
    "cmd_help",
    "cmd_lessons",
    "cmd_guidelines",
    "cmd_contact",
    "cmd_specialists",
    "cmd_resources",
    "cmd_search",
    "cmd_privacy",
    "cmd_forget",
    "cmd_reload",
    "cmd_stats",
    "privacy",
    "forgotten",
    "nothing_to_forget",
    "reload_unchanged",
    "reload_done",
    "reload_failed",
    "stats_heading",
    "cmd_language",
    "search_prompt",
    "search_results",
    "search_nothing",
    "share",
    "open_in_bot",
    "cmd_about",
    "no_ngo_contact",
    "ngo_contact_statement",
    "general_contact",
    "source_page_date",
    "verified_on",
    "area_sources",
    "lookup_showing",
    "backlog_notice",
    "bot_description",
    "bot_short_description",
    // Votes
    "copy_link",
    "vote_up",
    "vote_down",
    "vote_thanks",
    "vote_repeated",
    // Reports
    "report_button",
    "report_prompt",
    "report_in_private",
    "report_too_soon",
    "report_too_many",
    "report_busy",
    "report_thanks",
    "report_cut",
    "report_contact_button",
    "report_contact_thanks",
    "report_cancelled",
    "report_nothing_to_cancel",
    "report_alert",
    "report_details",
    "report_contact",
    "report_contact_alert",
    "reports_heading",
    "reports_more",
    "report_resolve_button",
    "report_spam_button",
    "report_resolved",
    "report_marked_spam",
    "report_not_open",
    "privacy_reports",
    "cmd_cancel",
    "cmd_reports",
    // Cards
    "next_step_heading",
    "next_step",
    "contacts_source",
    "copy_value",
    "in_english",
    "in_latvian",
    "lesson_summary",
    "lesson_summary_note",
    "guests_note",
    "specialists_note",
    "participation_pages_missing",
    // TAP: /open, /follow
    "cmd_open",
    "cmd_follow",
    "cmd_unfollow",
    "menu_open",
    "open_title",
    "open_area_by_ministry",
    "open_days_left",
    "open_not_started",
    "open_period",
    "open_ministry",
    "open_person",
    "open_person_unknown",
    "open_how",
    "open_read_at",
    "open_stale",
    "open_stale_empty",
    "open_never",
    "open_none",
    "open_none_here",
    "open_more",
    "open_item_button",
    "open_portal",
    "open_button",
    "open_button_named",
    "open_count_button",
    "open_persons",
    "open_not_found",
    "follow_button",
    "unfollow_button",
    "follow_done",
    "follow_already",
    "follow_too_many",
    "follow_private",
    "unfollow_done",
    "unfollow_not",
    "follows_heading",
    "follows_none",
    "follows_how",
    "follows_button",
    "digest_heading",
    "privacy_follows",
    "stats_followers",
    // Agencies and bodies that are not ministries
    "agency_under",
    "agency_business",
    "agency_website",
    "agency_sources",
    "body_no_ministry",
    "body_where",
    "body_sources",
];

/// The UI strings that may hold links written `[label](https://...)`: the screens render them
/// with `render::Html::content`. Every other string is escaped as it is, so `check` refuses a
/// link in it (it would show as written). None of these has a placeholder for a person's text.
pub(crate) const RICH: &[&str] = &["no_ngo_contact", "next_step"];

/// UI strings that Telegram limits more tightly than a message, in UTF-16 code units: the
/// bot's profile (`setMyDescription`, `setMyShortDescription`).
pub(crate) const LIMITS: &[(&str, usize)] =
    &[("bot_description", 512), ("bot_short_description", 120)];

/// The limit of UI string `key`, if it has one of its own.
pub(crate) fn limit(key: &str) -> Option<usize> {
    LIMITS.iter().find(|(k, _)| *k == key).map(|(_, max)| *max)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use toml::de::DeTable;

    /// The source of every `.rs` file under `dir`, except this one.
    fn sources(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("content/ui.rs")
            {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// Every string of the shipped `ui.toml` is one the code asks for, by its key as a literal:
    /// a key nothing uses is a text nobody checks any more.
    #[test]
    fn the_shipped_ui_strings_are_exactly_the_keys_the_code_uses() {
        let (table, errors) = DeTable::parse_recoverable(include_str!("../../content/ui.toml"));
        assert!(errors.is_empty(), "{errors:?}");
        let shipped: Vec<String> = table
            .get_ref()
            .iter()
            .map(|(k, _)| k.get_ref().to_string())
            .collect();
        for key in &shipped {
            assert!(
                super::KEYS.contains(&key.as_str()),
                "'{key}' is not in KEYS"
            );
        }
        let mut code = String::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut code,
        );
        for key in super::KEYS {
            assert!(shipped.iter().any(|k| k == key), "'{key}' is not shipped");
            assert!(
                code.contains(&format!("\"{key}\"")),
                "'{key}' is used nowhere"
            );
        }
    }
}

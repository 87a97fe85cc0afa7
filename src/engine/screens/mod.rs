//! Every screen the bot shows: what the router asks for, turned into replies. All dynamic text
//! is escaped through `render`; nothing here builds HTML from unescaped input. One file per
//! family of screens; this one holds the context they share ([`Ctx`]), the few screens of a
//! line or two, and the pieces the others are made of.

use std::sync::Arc;

use super::action::Action;
use super::catalog::Catalog;
use super::lookup::Target;
use super::reply::{Button, Placement, Reply};
use super::reports::Desk;
use super::snapshot::{self, Loaded};
use super::votes::Ballots;
use crate::content::Section;
use crate::ids::UserId;
use crate::lang::Lang;
use crate::render::{Html, html};
use crate::stats::Tally;
use crate::store::{Store, StoreError};

mod admin;
mod agencies;
mod contacts;
mod guidelines;
mod lessons;
mod lookup;
mod menus;
mod reporting;
mod reports;
pub use reports::report_block;
mod resources;
mod search;
mod specialists;
mod tap;
mod votes;

type Result<T> = std::result::Result<T, StoreError>;

/// The longest piece of a person's text echoed back in a reply, in characters.
const ECHO_CHARS: usize = 60;

/// Everything a screen needs to answer one request, built by the router for it.
pub(super) struct Ctx<'a> {
    pub store: &'a Store,
    /// The content, strings and lookup index of one import.
    pub loaded: Arc<Loaded>,
    pub lang: Lang,
    /// What this request counts; the router adds it to the statistics.
    pub stats: &'a Tally,
    /// The bot's Telegram username, for permalinks (unknown in a console that never ran as
    /// the bot).
    pub username: Option<Arc<str>>,
    /// Reports of mistakes being written, and the day's report counts.
    pub desk: &'a Desk,
    /// Today's votes.
    pub ballots: &'a Ballots,
    /// The users who may use the admin commands (and get the alerts about reports).
    pub admins: &'a [UserId],
    /// The language of users who chose none and whose Telegram language is neither.
    pub default_lang: Lang,
    /// The TAP portal's consultations as last read, and what the cards show of them.
    pub tap: &'a crate::tap::Db,
    pub tap_view: Arc<crate::tap::View>,
    /// Data older than this may not say that nothing is open.
    pub tap_stale_after: std::time::Duration,
}

impl Ctx<'_> {
    // ---- entry points ------------------------------------------------------------------

    /// This context in another language (after a language choice, for a message to an admin).
    pub(in crate::engine) fn in_lang(&self, lang: Lang) -> Ctx<'_> {
        Ctx {
            loaded: Arc::clone(&self.loaded),
            username: self.username.clone(),
            tap_view: Arc::clone(&self.tap_view),
            lang,
            ..*self
        }
    }

    /// The language `user_id` reads (for a message to an admin).
    pub(in crate::engine) async fn language_of(&self, user_id: UserId) -> Lang {
        snapshot::language_of(self.store, self.default_lang, user_id, None).await
    }

    /// Whether the item an action opens is in the content (menus always are).
    pub(in crate::engine) fn exists(&self, action: &Action) -> bool {
        let catalog = self.catalog();
        match action {
            Action::Lesson(n) => catalog.lesson(*n).is_some(),
            Action::Section(id) => catalog.section(id).is_some(),
            Action::Ministry(id) => catalog.ministry(id).is_some(),
            Action::Area(id) => catalog.area(id).is_some(),
            _ => true,
        }
    }

    /// The card an item's button opens (a lesson, a guideline section, a ministry, an area);
    /// `None` for an action that opens no item.
    pub(in crate::engine) fn item(&self, action: &Action) -> Option<Reply> {
        Some(match action {
            Action::Lesson(n) => self.lesson_or_list(*n),
            Action::Section(id) => self.section_or_list(id),
            Action::Ministry(id) => self.ministry_card(id),
            Action::Area(id) => self.area_card(id),
            _ => return None,
        })
    }

    /// Lesson `number`, or the list of lessons where there is none of that number.
    pub(in crate::engine) fn lesson_or_list(&self, number: u8) -> Reply {
        self.lesson(number).unwrap_or_else(|| self.lessons())
    }

    /// Guideline section `id`, or the guidelines where there is none.
    pub(in crate::engine) fn section_or_list(&self, id: &str) -> Reply {
        self.section(id).unwrap_or_else(|| self.guidelines(None))
    }

    /// The card of ministry `id` (the list of ministries where there is none).
    pub(in crate::engine) fn ministry_card(&self, id: &str) -> Reply {
        self.card(&Target {
            ministry: id.to_string(),
            area: None,
        })
    }

    /// The card of the ministry that leads area `id`, headed by the area; the list of
    /// ministries where there is no such area.
    pub(in crate::engine) fn area_card(&self, id: &str) -> Reply {
        match self.catalog().area(id) {
            Some((_, ministry)) => self.card(&Target {
                ministry: ministry.id.clone(),
                area: Some(id.to_string()),
            }),
            None => self.contacts(),
        }
    }

    /// `/search` without words: what to type.
    pub(in crate::engine) fn search_prompt(&self) -> Reply {
        self.reply(
            Html::text(self.t("search_prompt")),
            vec![vec![self.main_button()]],
        )
    }

    /// `/language <name>`: that language chosen, or the choice again for a name it is not.
    pub(in crate::engine) async fn language_by_name(
        &self,
        user_id: UserId,
        name: &str,
    ) -> Result<Reply> {
        Ok(match name.parse::<Lang>() {
            Ok(lang) => self.set_language(user_id, lang).await?,
            Err(_) => {
                let mut reply = self.language_menu();
                reply.text = Html::text(&self.fill("language_unknown", &[("query", &echo(name))]));
                reply
            }
        })
    }

    /// `/privacy`: what the bot keeps, and what a report keeps.
    pub(in crate::engine) fn privacy(&self) -> Reply {
        let text = format!(
            "{}\n\n{}\n\n{}",
            self.t("privacy"),
            self.t("privacy_follows"),
            self.t("privacy_reports")
        );
        self.reply(Html::text(&text), vec![vec![self.main_button()]])
    }

    /// `/forget`: everything stored about `user_id` deleted (a report being written too), and
    /// whether there was anything.
    pub(in crate::engine) async fn forget(&self, user_id: UserId) -> Result<Reply> {
        self.desk.forget(user_id);
        let followed = match self.tap.forget_chat(user_id.private_chat()).await {
            Ok(n) => n > 0,
            Err(err) => {
                tracing::error!(error = %err, "cannot delete the follows");
                return Ok(self.error());
            }
        };
        let key = if Box::pin(self.store.forget(user_id)).await? || followed {
            "forgotten"
        } else {
            "nothing_to_forget"
        };
        Ok(self.reply(Html::text(self.t(key)), vec![vec![self.main_button()]]))
    }

    pub(in crate::engine) fn stale_button(&self) -> Reply {
        let mut reply = self.main_menu();
        reply.text = html!("{}\n\n{}", Html::text(self.t("stale_button")), reply.text);
        reply
    }

    /// The UI string `key` as a toast on the pressed button (plain text, no message).
    pub(in crate::engine) fn toast(&self, key: &'static str) -> Reply {
        Reply::new(Html::text(self.t(key)), Vec::new(), self.lang).placed(Placement::Toast)
    }

    pub(in crate::engine) fn unknown_command(&self, name: &str) -> Reply {
        let shown = format!("/{}", echo(name));
        let text = Html::text(&self.fill("unknown_command", &[("command", &shown)]));
        self.reply(
            text,
            vec![vec![
                Button::action(self.t("menu_help"), Action::Help),
                self.main_button(),
            ]],
        )
    }

    pub(in crate::engine) fn only_text(&self) -> Reply {
        self.reply(
            Html::text(self.t("only_text")),
            vec![vec![self.main_button()]],
        )
    }

    pub(in crate::engine) fn error(&self) -> Reply {
        self.reply(Html::text(self.t("error")), vec![vec![self.main_button()]])
    }

    /// A reply of plain text (escaped here) with the main-menu button.
    pub(in crate::engine) fn plain_reply(&self, text: &str) -> Reply {
        self.reply(Html::text(text), vec![vec![self.main_button()]])
    }

    // ---- pieces ------------------------------------------------------------------------

    fn catalog(&self) -> &Catalog {
        &self.loaded.catalog
    }

    fn t(&self, key: &'static str) -> &str {
        self.loaded.strings.get(self.lang, key)
    }

    pub(in crate::engine) fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.loaded.strings.fill(self.lang, key, args)
    }

    fn reply(&self, text: Html, buttons: Vec<Vec<Button>>) -> Reply {
        Reply::new(text, buttons, self.lang)
    }

    fn main_button(&self) -> Button {
        Button::action(self.t("main_menu"), Action::Main)
    }

    fn back_row(&self, back: Action) -> Vec<Button> {
        vec![Button::action(self.t("back"), back), self.main_button()]
    }

    /// The row under every card: "Share" through inline mode, and beside it "🔗 Copy link"
    /// with the card's permalink, so that it can be pasted anywhere, an e-mail too.
    fn share_row(&self, item: &Action) -> Vec<Button> {
        let share = Button::Share {
            label: self.t("share").to_string(),
            query: item.payload(),
        };
        match self.permalink(item) {
            Some(text) => vec![
                share,
                Button::Copy {
                    label: self.t("copy_link").to_string(),
                    text,
                },
            ],
            None => vec![share],
        }
    }

    /// `https://t.me/<bot>?start=<payload>`: opens `item` in a chat with the bot (through
    /// `/start <payload>`); `None` while the bot's username is unknown.
    fn permalink(&self, item: &Action) -> Option<String> {
        let username = self.username.as_deref()?;
        let valid = (1..=64).contains(&username.len())
            && username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        valid.then(|| format!("https://t.me/{username}?start={}", item.payload()))
    }

    fn target_button(&self, target: &Target) -> Button {
        let label = self.catalog().label(target, self.lang);
        let action = match &target.area {
            Some(area) => Action::Area(area.clone()),
            None => Action::Ministry(target.ministry.clone()),
        };
        Button::action(label, action)
    }

    fn titled(&self, section: &Section) -> Html {
        html!(
            "{}\n\n{}",
            Html::bold(section.title.get(self.lang)),
            Html::content(section.body.get(self.lang))
        )
    }

    /// A UI string that may hold `[label](address)` links (see `content::ui::RICH`).
    fn rich_t(&self, key: &'static str) -> Html {
        Html::content(self.t(key))
    }

    /// `<b>Sources:</b> link, link`: each address once, labelled by its host.
    fn sources(&self, urls: &[String]) -> Html {
        let mut seen = Vec::new();
        self.cited("sources", urls.iter().map(String::as_str), &mut seen)
            .unwrap_or_default()
    }

    /// `<b>{heading}:</b>` and links to those of `urls` not in `seen` yet (which then are),
    /// labelled as [`source_links`] does; `None` when every one was cited already. (Most
    /// sources are in Latvian: their language is told only where a person is to open the
    /// page, the participation page and the contacts' pages.)
    fn cited<'u>(
        &self,
        heading: &'static str,
        urls: impl IntoIterator<Item = &'u str>,
        seen: &mut Vec<&'u str>,
    ) -> Option<Html> {
        let links = source_links(urls, seen, |_| None);
        (!links.is_empty()).then(|| html!("{}: {}", Html::bold(self.t(heading)), links))
    }

    /// A page's label: its host, and the page's language when it is not the reader's
    /// (`iem.gov.lv (angļu valodā)`).
    fn page_label(&self, url: &str) -> String {
        match self.page_language(url) {
            Some(note) => format!("{} ({note})", host(url)),
            None => host(url).to_string(),
        }
    }

    /// "angļu valodā" for a page in English when the reader reads Latvian, "in Latvian" for a
    /// Latvian page when they read English; told by a `/en/` or `/lv/` in the address.
    fn page_language(&self, url: &str) -> Option<String> {
        let key = match self.lang {
            Lang::Lv if url.contains("/en/") => "in_english",
            Lang::En if url.contains("/lv/") => "in_latvian",
            _ => return None,
        };
        Some(self.t(key).to_string())
    }

    /// The folded part of a card: `lines` (already HTML) in an expandable quote, then the
    /// date the content was compiled; empty lines are dropped.
    fn folded(&self, lines: &[Html]) -> Html {
        let mut lines: Vec<Html> = lines
            .iter()
            .map(Html::trimmed)
            .filter(|l| !l.is_empty())
            .collect();
        let compiled = html!(
            "{}: {}",
            Html::bold(self.t("content_date")),
            Html::text(&show_date(&self.catalog().info.content_date, self.lang))
        );
        lines.push(compiled);
        Html::join(&lines, "\n").folded()
    }
}

/// Links to those of `urls` not in `seen` (each once; they are added to `seen`), labelled by
/// their hosts: the second page of a host in `seen` is `tm.gov.lv [2]`, the third
/// `tm.gov.lv [3]`, so that no two links look the same; `note(url)` is added in parentheses
/// (the page's language).
fn source_links<'u>(
    urls: impl IntoIterator<Item = &'u str>,
    seen: &mut Vec<&'u str>,
    note: impl Fn(&str) -> Option<String>,
) -> Html {
    let mut links = Vec::new();
    for url in urls {
        if seen.contains(&url) {
            continue;
        }
        let same = seen.iter().filter(|u| host(u) == host(url)).count();
        seen.push(url);
        let mut label = host(url).to_string();
        if same > 0 {
            label.push_str(&format!(" [{}]", same + 1));
        }
        if let Some(note) = note(url) {
            label.push_str(&format!(" ({note})"));
        }
        links.push(Html::link(url, &label));
    }
    Html::join(&links, ", ")
}

/// The months in Latvian: as a date names them ("oktobris") and as "in October" ("oktobrī").
const MONTHS_LV: [(&str, &str); 12] = [
    ("janvāris", "janvārī"),
    ("februāris", "februārī"),
    ("marts", "martā"),
    ("aprīlis", "aprīlī"),
    ("maijs", "maijā"),
    ("jūnijs", "jūnijā"),
    ("jūlijs", "jūlijā"),
    ("augusts", "augustā"),
    ("septembris", "septembrī"),
    ("oktobris", "oktobrī"),
    ("novembris", "novembrī"),
    ("decembris", "decembrī"),
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A `YYYY-MM-DD` date as people read it: `2024. gada 15. oktobris` in Latvian, `15 October
/// 2024` in English. Anything else is shown as it is.
pub(crate) fn show_date(date: &str, lang: Lang) -> String {
    date_in(date, lang, false)
}

/// [`show_date`] for "on that day": `2024. gada 15. oktobrī` in Latvian (the locative), the
/// same as [`show_date`] in English.
pub(crate) fn show_date_on(date: &str, lang: Lang) -> String {
    date_in(date, lang, true)
}

fn date_in(date: &str, lang: Lang, on: bool) -> String {
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return date.to_string();
    };
    let month = m.parse::<usize>().ok().and_then(|m| m.checked_sub(1));
    let day = d.parse::<u8>().ok().filter(|d| (1..=31).contains(d));
    let year = Some(y).filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()));
    match (lang, month.and_then(|m| MONTHS_LV.get(m)), day, year) {
        (Lang::Lv, Some((name, in_month)), Some(day), Some(y)) => {
            format!("{y}. gada {day}. {}", if on { in_month } else { name })
        }
        (Lang::En, Some(_), Some(day), Some(y)) => {
            let name = month.and_then(|m| MONTHS_EN.get(m)).copied().unwrap_or("");
            format!("{day} {name} {y}")
        }
        _ => date.to_string(),
    }
}

/// A UTC time `YYYY-MM-DDTHH:MM:SSZ` (as the cache records an import) with its date as
/// [`show_date`] writes it: `2026. gada 27. novembris, 14:05 UTC`, `27 November 2026, 14:05
/// UTC`. Anything else is shown as it is.
pub(crate) fn show_time(time: &str, lang: Lang) -> String {
    let minutes = time
        .strip_suffix('Z')
        .and_then(|t| t.split_once('T'))
        .filter(|(_, clock)| clock.len() >= 5 && clock.is_char_boundary(5));
    match minutes {
        Some((date, clock)) if show_date(date, lang) != date => {
            format!("{}, {} UTC", show_date(date, lang), &clock[..5])
        }
        _ => time.to_string(),
    }
}

/// A title in the quotation marks of the language it is shown in: `„…”` in Latvian, `“…”` in
/// English (Latvian marks around an English title would read as a typo).
pub(crate) fn quoted(title: &str, lang: Lang) -> String {
    match lang {
        Lang::Lv => format!("„{title}”"),
        Lang::En => format!("“{title}”"),
    }
}

/// The host of a URL, as a short link label.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host)
}

/// The icon that tells what kind of item a search hit is.
fn icon(action: &Action) -> &'static str {
    match action {
        Action::Lesson(_) | Action::Lessons => "📚",
        Action::Section(_) | Action::Guidelines => "📘",
        Action::Ministry(_) | Action::Area(_) | Action::Contacts => "📇",
        Action::Specialists => "💬",
        Action::Resources => "🔗",
        _ => "•",
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// A person's text shortened for echoing back.
fn echo(text: &str) -> String {
    let text = text.trim();
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(ECHO_CHARS)
        .collect();
    if text.chars().count() > ECHO_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_the_way_each_language_writes_them() {
        assert_eq!(
            show_date("2026-11-26", Lang::Lv),
            "2026. gada 26. novembris"
        );
        assert_eq!(
            show_date_on("2024-10-15", Lang::Lv),
            "2024. gada 15. oktobrī"
        );
        assert_eq!(
            show_date("2020-09-05", Lang::Lv),
            "2020. gada 5. septembris"
        );
        assert_eq!(show_date_on("2020-03-01", Lang::Lv), "2020. gada 1. martā");
        assert_eq!(show_date("2020-09-15", Lang::En), "15 September 2020");
        assert_eq!(show_date_on("2020-01-05", Lang::En), "5 January 2020");
        assert_eq!(show_date("2020-13-05", Lang::En), "2020-13-05");
        assert_eq!(show_date("2020-12-00", Lang::Lv), "2020-12-00");
        assert_eq!(show_date("someday", Lang::Lv), "someday");
        assert_eq!(
            show_time("2026-11-27T14:05:09Z", Lang::Lv),
            "2026. gada 27. novembris, 14:05 UTC"
        );
        assert_eq!(
            show_time("2026-11-27T14:05:09Z", Lang::En),
            "27 November 2026, 14:05 UTC"
        );
        assert_eq!(show_time("2026-11-27", Lang::Lv), "2026-11-27");
        assert_eq!(show_time("later", Lang::En), "later");
        assert_eq!(quoted("Pareizie kursi", Lang::Lv), "„Pareizie kursi”");
        assert_eq!(quoted("Guidelines", Lang::En), "“Guidelines”");
    }

    #[test]
    fn source_links_are_labelled_by_host_each_address_once() {
        let mut seen = vec!["https://likumi.lv/ta/id/0"];
        let urls = [
            "https://www.tm.gov.lv/lv/a",
            "https://likumi.lv/ta/id/1",
            "https://www.tm.gov.lv/lv/a",
            "https://tm.gov.lv/lv/b",
            "https://likumi.lv/ta/id/0",
        ];
        let html = source_links(urls, &mut seen, |u| {
            u.contains("/b").then(|| "b".to_string())
        });
        assert_eq!(seen.len(), 4);
        assert_eq!(
            html.as_str(),
            "<a href=\"https://www.tm.gov.lv/lv/a\">tm.gov.lv</a>, \
             <a href=\"https://likumi.lv/ta/id/1\">likumi.lv [2]</a>, \
             <a href=\"https://tm.gov.lv/lv/b\">tm.gov.lv [2] (b)</a>"
        );
    }
}

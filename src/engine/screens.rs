//! Every screen the bot shows: commands and buttons turned into replies. All dynamic text is
//! escaped through `render`; nothing here builds HTML from unescaped input.

use std::fmt::Write as _;
use std::sync::Arc;

use super::catalog::Catalog;
use super::lookup::{Found, Lookup, Target};
use super::search::{self, Hit};
use super::{Action, Button, Command, InlineItem, Loaded, MAX_INLINE_RESULTS, Reply};
use crate::content::{Contact, ContactKind, Lesson, Ministry, Section};
use crate::fold;
use crate::lang::Lang;
use crate::render::{bold, escape, link};
use crate::stats::{Stats, metric};
use crate::store::{Store, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

/// The longest piece of a person's text echoed back in a reply, in characters.
const ECHO_CHARS: usize = 60;

/// At most this many search hits are offered as "did you mean" choices (the nearest names
/// follow them).
const MAX_SUGGESTIONS: usize = 3;

pub(super) struct Ctx<'a> {
    pub store: &'a Store,
    pub loaded: Arc<Loaded>,
    pub lang: Lang,
    pub stats: &'a Stats,
}

impl Ctx<'_> {
    // ---- entry points ------------------------------------------------------------------

    pub async fn command(
        &self,
        command: Command,
        arg: &str,
        user_id: i64,
    ) -> Result<Option<Reply>> {
        let arg = arg.trim();
        let reply = match command {
            Command::Start if arg.is_empty() => self.main_menu(),
            // A deep link `t.me/<bot>?start=<payload>` opens exactly that item.
            Command::Start => match Action::from_payload(arg) {
                Some(action) if self.exists(&action) => self.action(&action, user_id).await?,
                _ => self.main_menu(),
            },
            Command::Search if arg.is_empty() => self.reply(
                escape(self.t("search_prompt")),
                vec![vec![self.main_button()]],
            ),
            Command::Search => self.search(arg).await?,
            Command::Help => self.help(),
            Command::Lessons if arg.is_empty() => self.lessons().await?,
            Command::Lessons => self.lesson_by_query(arg).await?,
            Command::Guidelines if arg.is_empty() => self.guidelines(None).await?,
            Command::Guidelines => self.section_by_query(arg).await?,
            Command::Contact if arg.is_empty() => self.contacts().await?,
            Command::Contact => self.lookup(arg).await?,
            Command::Specialists => self.specialists().await?,
            Command::Resources => self.resources().await?,
            Command::Language if arg.is_empty() => self.language_menu(),
            Command::Language => match arg.parse::<Lang>() {
                Ok(lang) => self.set_language(user_id, lang).await?,
                Err(_) => {
                    let mut reply = self.language_menu();
                    reply.text = escape(&self.fill("language_unknown", &[("query", &echo(arg))]));
                    reply
                }
            },
            Command::About => self.about().await?,
            Command::Privacy => {
                self.reply(escape(self.t("privacy")), vec![vec![self.main_button()]])
            }
            Command::Forget => {
                let key = if Box::pin(self.store.forget(user_id)).await? {
                    "forgotten"
                } else {
                    "nothing_to_forget"
                };
                self.reply(escape(self.t(key)), vec![vec![self.main_button()]])
            }
            // Answered by the engine itself (they need more than a screen).
            Command::Reload | Command::Stats => self.main_menu(),
        };
        Ok(Some(reply))
    }

    pub async fn action(&self, action: &Action, user_id: i64) -> Result<Reply> {
        Ok(match action {
            Action::Main => self.main_menu(),
            Action::Help => self.help(),
            Action::About => self.about().await?,
            Action::Lessons => self.lessons().await?,
            Action::Lesson(n) => match self.lesson(*n).await? {
                Some(reply) => reply,
                None => self.lessons().await?,
            },
            Action::Guidelines => self.guidelines(None).await?,
            Action::Section(id) => match self.section(id).await? {
                Some(reply) => reply,
                None => self.guidelines(None).await?,
            },
            Action::Contacts => self.contacts().await?,
            Action::Ministry(id) => {
                self.card(&Target {
                    ministry: id.clone(),
                    area: None,
                })
                .await?
            }
            Action::Area(id) => match self.catalog().area(id) {
                Some((_, ministry)) => {
                    self.card(&Target {
                        ministry: ministry.id.clone(),
                        area: Some(id.clone()),
                    })
                    .await?
                }
                None => self.contacts().await?,
            },
            Action::Specialists => self.specialists().await?,
            Action::Resources => self.resources().await?,
            Action::Language => self.language_menu(),
            Action::SetLanguage(lang) => self.set_language(user_id, *lang).await?,
        })
    }

    /// Whether the item an action opens is in the content (menus always are).
    fn exists(&self, action: &Action) -> bool {
        let catalog = self.catalog();
        match action {
            Action::Lesson(n) => catalog.lesson(*n).is_some(),
            Action::Section(id) => catalog.section(id).is_some(),
            Action::Ministry(id) => catalog.ministry(id).is_some(),
            Action::Area(id) => catalog.area(id).is_some(),
            _ => true,
        }
    }

    /// Free text or a `/contact` argument: the area or ministry it names. An answer that does
    /// not rest on the words as typed (a typo, or words left unused) says what it shows; when
    /// no name matches, the full-text search answers, and what only a typo-corrected search
    /// or the nearest names offer is given as "did you mean" choices, not as the answer.
    pub async fn lookup(&self, query: &str) -> Result<Reply> {
        let found = self.loaded.index.lookup(query);
        match found.found {
            Found::One(target) => {
                let mut reply = self.card(&target).await?;
                if !found.as_typed {
                    self.note_showing(&mut reply, query, &target);
                }
                Ok(reply)
            }
            Found::Choice(targets) => {
                let text = escape(&self.fill("ambiguous", &[("query", &echo(query))]));
                let mut rows: Vec<Vec<Button>> = targets
                    .iter()
                    .map(|t| vec![self.target_button(t)])
                    .collect();
                rows.push(vec![self.main_button()]);
                Ok(self.reply(text, rows))
            }
            Found::Nothing(_) => {
                // Not an area or a ministry: search the texts before giving up.
                let mut hits = Box::pin(search::full_text(
                    self.store,
                    &self.loaded.terms,
                    query,
                    self.lang,
                    8,
                ))
                .await?;
                hits.truncate(8);
                if hits.iter().any(|h| !h.guessed) {
                    return Ok(self.results(query, &hits));
                }
                self.unmatched(query);
                let mut rows: Vec<Vec<Button>> = Vec::new();
                let mut offered: Vec<Action> = Vec::new();
                for hit in hits.iter().take(MAX_SUGGESTIONS) {
                    offered.push(hit.action.clone());
                    rows.push(vec![self.hit_button(hit)]);
                }
                for target in self.loaded.index.suggestions(query) {
                    let button = self.target_button(&target);
                    if let Button::Action { action, .. } = &button
                        && !offered.contains(action)
                    {
                        offered.push(action.clone());
                        rows.push(vec![button]);
                    }
                }
                let mut text = escape(&self.fill("not_found", &[("query", &echo(query))]));
                if !rows.is_empty() {
                    let _ = write!(text, "\n\n{}", escape(self.t("not_found_suggest")));
                }
                rows.push(vec![
                    Button::action(self.t("menu_contacts"), Action::Contacts),
                    self.main_button(),
                ]);
                Ok(self.reply(text, rows))
            }
        }
    }

    /// Heads `reply` with "you wrote …; showing: …" for an answer that is not what was typed.
    fn note_showing(&self, reply: &mut Reply, query: &str, target: &Target) {
        let catalog = self.catalog();
        let name = match target.area.as_ref().and_then(|id| catalog.area(id)) {
            Some((area, _)) => area.name.get(self.lang),
            None => catalog
                .ministry(&target.ministry)
                .map_or("", |m| m.name.get(self.lang)),
        };
        let note = self.fill(
            "lookup_showing",
            &[("query", &echo(query)), ("match", name)],
        );
        reply.text = format!("{}\n\n{}", escape(&note), reply.text);
    }

    /// Counts a text that matched nothing: what people look for and the content lacks.
    fn unmatched(&self, query: &str) {
        let folded: String = fold::fold(query).chars().take(64).collect();
        if !folded.is_empty() {
            self.stats.count(metric::UNMATCHED, &folded);
        }
        metrics::counter!("lookups_unmatched_total").increment(1);
    }

    /// `/stats [days]` for admins: a table of the counters and a chart of requests per day.
    pub async fn stats(&self, arg: &str) -> Result<Reply> {
        let days: u32 = arg.trim().parse().unwrap_or(30);
        let report = Box::pin(crate::stats::Report::load(self.store, days)).await?;
        let text = format!(
            "{}\n<pre>{}</pre>",
            bold(self.t("stats_heading")),
            escape(&report.table(10))
        );
        let mut reply = self.reply(text, vec![vec![self.main_button()]]);
        reply.image = Some(report.chart_png());
        Ok(reply)
    }

    /// A reply of plain text (escaped here) with the main-menu button.
    pub fn plain_reply(&self, text: &str) -> Reply {
        self.reply(escape(text), vec![vec![self.main_button()]])
    }

    /// `/search`: the best matches as buttons, an exact area or ministry first.
    pub async fn search(&self, query: &str) -> Result<Reply> {
        let hits = self.hits(query, 8).await?;
        if hits.is_empty() {
            self.unmatched(query);
            let text = escape(&self.fill("search_nothing", &[("query", &echo(query))]));
            return Ok(self.reply(text, vec![vec![self.main_button()]]));
        }
        Ok(self.results(query, &hits))
    }

    async fn hits(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        // Boxed: the search future holds SQLite queries and is rare; unboxed, its size would
        // be copied with every request's future.
        Box::pin(search::search(
            self.store,
            &self.loaded.index,
            &self.loaded.terms,
            |t| self.catalog().label(t, self.lang),
            query,
            self.lang,
            limit,
        ))
        .await
    }

    fn results(&self, query: &str, hits: &[Hit]) -> Reply {
        let text = escape(&self.fill("search_results", &[("query", &echo(query))]));
        let mut rows: Vec<Vec<Button>> =
            hits.iter().map(|hit| vec![self.hit_button(hit)]).collect();
        rows.push(vec![self.main_button()]);
        self.reply(text, rows)
    }

    fn hit_button(&self, hit: &Hit) -> Button {
        let label = format!("{} {}", icon(&hit.action), shorten(&hit.title, 60));
        Button::action(label, hit.action.clone())
    }

    /// Inline results: the item named by a payload, the main items for an empty query, or the
    /// search hits; each rendered as a message of its own.
    pub async fn inline(&self, query: &str) -> Result<Vec<InlineItem>> {
        let query = query.trim();
        let actions: Vec<(Action, Option<String>)> =
            if let Some(action) = Action::from_payload(query).filter(Action::is_item) {
                vec![(action, None)]
            } else if query.is_empty() {
                let catalog = self.catalog();
                let ministries = catalog.ministries.iter();
                let lessons = catalog.lessons.iter();
                ministries
                    .map(|m| (Action::Ministry(m.id.clone()), None))
                    .chain(lessons.map(|l| (Action::Lesson(l.number), None)))
                    .collect()
            } else {
                self.hits(query, MAX_INLINE_RESULTS)
                    .await?
                    .into_iter()
                    .filter(|h| h.action.is_item())
                    .map(|h| (h.action, Some(h.title)))
                    .collect()
            };
        let mut items = Vec::new();
        for (action, title) in actions.into_iter().take(MAX_INLINE_RESULTS) {
            let reply = self.action(&action, 0).await?;
            let Some(text) = reply.messages().into_iter().next() else {
                continue;
            };
            let plain = crate::render::to_plain(&text);
            let mut lines = plain.lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or_default().to_string();
            let title = title.unwrap_or(first);
            let description = shorten(&lines.take(3).collect::<Vec<_>>().join(" "), 120);
            items.push(InlineItem {
                payload: action.payload(),
                title: shorten(&title, 100),
                description,
                text,
                open_label: self.t("open_in_bot").to_string(),
            });
        }
        Ok(items)
    }

    pub async fn stale_button(&self) -> Result<Reply> {
        let mut reply = self.main_menu();
        reply.text = format!("{}\n\n{}", escape(self.t("stale_button")), reply.text);
        Ok(reply)
    }

    pub fn unknown_command(&self, name: &str) -> Reply {
        let shown = format!("/{}", echo(name));
        let text = escape(&self.fill("unknown_command", &[("command", &shown)]));
        self.reply(
            text,
            vec![vec![
                Button::action(self.t("menu_help"), Action::Help),
                self.main_button(),
            ]],
        )
    }

    pub fn only_text(&self) -> Reply {
        self.reply(escape(self.t("only_text")), vec![vec![self.main_button()]])
    }

    pub fn error(&self) -> Reply {
        self.reply(escape(self.t("error")), vec![vec![self.main_button()]])
    }

    // ---- screens -----------------------------------------------------------------------

    fn main_menu(&self) -> Reply {
        let b = |key: &'static str, action| Button::action(self.t(key), action);
        self.reply(
            escape(self.t("welcome")),
            vec![
                vec![
                    b("menu_lessons", Action::Lessons),
                    b("menu_guidelines", Action::Guidelines),
                ],
                vec![
                    b("menu_contacts", Action::Contacts),
                    b("menu_specialists", Action::Specialists),
                ],
                vec![
                    b("menu_resources", Action::Resources),
                    b("menu_language", Action::Language),
                ],
                vec![b("menu_about", Action::About), b("menu_help", Action::Help)],
            ],
        )
    }

    fn help(&self) -> Reply {
        self.reply(escape(self.t("help")), vec![vec![self.main_button()]])
    }

    async fn lessons(&self) -> Result<Reply> {
        let catalog = self.catalog();
        let lessons = &catalog.lessons;
        let mut text = String::new();
        if let Some(series) = &catalog.series {
            let count =
                self.loaded
                    .strings
                    .plural(self.lang, "lessons_count", lessons.len() as u64);
            let _ = write!(
                text,
                "{} — {}\n\n{}\n\n{}: {}\n{}: {}\n\n{}: {}\n\n{}",
                bold(&format!("„{}”", series.name)),
                escape(&count),
                escape(series.about.get(self.lang)),
                bold(self.t("lecturer")),
                escape(&series.lecturer),
                bold(self.t("guests")),
                escape(&series.guests.join(", ")),
                bold(self.t("recordings")),
                escape(series.recordings.get(self.lang)),
                self.sources(&series.sources),
            );
        }
        let _ = write!(text, "\n\n{}", escape(self.t("lessons_prompt")));
        let mut rows: Vec<Vec<Button>> = lessons
            .chunks(2)
            .map(|pair| {
                pair.iter()
                    .map(|l| {
                        let label = format!("{}. {}", l.number, l.title.get(self.lang));
                        Button::action(label, Action::Lesson(l.number))
                    })
                    .collect()
            })
            .collect();
        rows.push(vec![self.main_button()]);
        Ok(self.reply(text, rows))
    }

    async fn lesson(&self, number: u8) -> Result<Option<Reply>> {
        let catalog = self.catalog();
        let Some(lesson) = catalog.lesson(number) else {
            return Ok(None);
        };
        let area = catalog.area(&lesson.area);
        Ok(Some(self.lesson_reply(
            lesson,
            &catalog.lessons,
            area.map(|(area, _)| area),
            area.map(|(_, ministry)| ministry),
        )))
    }

    fn lesson_reply(
        &self,
        lesson: &Lesson,
        all: &[Lesson],
        area: Option<&crate::content::Area>,
        ministry: Option<&Ministry>,
    ) -> Reply {
        let number = lesson.number.to_string();
        let mut text = bold(&self.fill(
            "lesson_title",
            &[("number", &number), ("title", lesson.title.get(self.lang))],
        ));
        if let Some(area) = area {
            let _ = write!(
                text,
                "\n\n{}: {}",
                bold(self.t("lesson_area")),
                escape(area.name.get(self.lang))
            );
        }
        if let Some(m) = ministry {
            let _ = write!(
                text,
                "\n{}: {} ({})",
                bold(self.t("lesson_lead")),
                escape(m.name.get(self.lang)),
                escape(&m.abbr)
            );
        }
        if let Some(note) = area.and_then(|a| a.note.as_ref()) {
            let _ = write!(text, "\n\n{}", escape(note.get(self.lang)));
        }
        let _ = write!(text, "\n\n{}", escape(lesson.learn.get(self.lang)));
        let mut facts = String::new();
        if let Some(date) = &lesson.date {
            let _ = write!(facts, "\n{}: {}", bold(self.t("lesson_date")), escape(date));
        }
        if let Some(guest) = &lesson.guest {
            let _ = write!(
                facts,
                "\n{}: {}",
                bold(self.t("lesson_guest")),
                escape(guest)
            );
        }
        if let Some(video) = &lesson.video {
            let _ = write!(
                facts,
                "\n{}: {}",
                bold(self.t("lesson_video")),
                link(video, video)
            );
        }
        if !facts.is_empty() {
            let _ = write!(text, "\n{facts}");
        }
        let _ = write!(text, "\n\n{}", self.sources(&lesson.sources));

        let mut rows = Vec::new();
        if let Some(m) = ministry {
            let label = self.fill("lesson_contact_button", &[("abbr", &m.abbr)]);
            rows.push(vec![Button::action(
                label,
                Action::Area(lesson.area.clone()),
            )]);
        }
        let position = all.iter().position(|l| l.number == lesson.number);
        let mut nav = Vec::new();
        if let Some(prev) = position
            .and_then(|p| p.checked_sub(1))
            .and_then(|p| all.get(p))
        {
            nav.push(Button::action(
                self.t("previous"),
                Action::Lesson(prev.number),
            ));
        }
        if let Some(next) = position.and_then(|p| all.get(p + 1)) {
            nav.push(Button::action(self.t("next"), Action::Lesson(next.number)));
        }
        if !nav.is_empty() {
            rows.push(nav);
        }
        rows.push(vec![self.share_button(&Action::Lesson(lesson.number))]);
        rows.push(self.back_row(Action::Lessons));
        self.reply(text, rows)
    }

    async fn lesson_by_query(&self, query: &str) -> Result<Reply> {
        let catalog = self.catalog();
        let lessons = &catalog.lessons;
        let wanted: Option<u8> = query.trim().trim_end_matches('.').parse().ok();
        let by_number = wanted.and_then(|n| lessons.iter().find(|l| l.number == n));
        let mut shown = None;
        let found = match by_number {
            Some(lesson) => Some(lesson.number),
            None => match self.loaded.index.lookup(query) {
                Lookup {
                    found: Found::One(target),
                    as_typed,
                } => {
                    if !as_typed {
                        shown = Some(target.clone());
                    }
                    let ministry = catalog.ministry(&target.ministry);
                    lessons
                        .iter()
                        .find(|l| target.area.as_deref() == Some(l.area.as_str()))
                        .or_else(|| {
                            lessons.iter().find(|l| {
                                ministry.is_some_and(|m| m.areas.iter().any(|a| a.id == l.area))
                            })
                        })
                        .map(|l| l.number)
                }
                _ => None,
            },
        };
        if let Some(number) = found
            && let Some(mut reply) = self.lesson(number).await?
        {
            if let Some(target) = shown {
                self.note_showing(&mut reply, query, &target);
            }
            return Ok(reply);
        }
        let mut reply = self.lessons().await?;
        reply.text = format!(
            "{}\n\n{}",
            escape(&self.fill("lesson_not_found", &[("query", &echo(query))])),
            reply.text
        );
        Ok(reply)
    }

    async fn guidelines(&self, notice: Option<String>) -> Result<Reply> {
        let catalog = self.catalog();
        let sections = &catalog.sections;
        let mut text = notice.map(|n| format!("{n}\n\n")).unwrap_or_default();
        if let Some((title, sources)) = catalog.text("guidelines.title") {
            let _ = write!(text, "{}", bold(&format!("„{}”", title.get(self.lang))));
            if let Some((intro, _)) = catalog.text("guidelines.intro") {
                let _ = write!(text, "\n\n{}", escape(intro.get(self.lang)));
            }
            let _ = write!(text, "\n\n{}", self.sources(sources));
        }
        let _ = write!(text, "\n\n{}", escape(self.t("guidelines_prompt")));
        let mut rows: Vec<Vec<Button>> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let label = format!("{}. {}", i + 1, s.title.get(self.lang));
                vec![Button::action(label, Action::Section(s.id.clone()))]
            })
            .collect();
        rows.push(vec![self.main_button()]);
        Ok(self.reply(text, rows))
    }

    async fn section(&self, id: &str) -> Result<Option<Reply>> {
        let all = &self.catalog().sections;
        let Some((position, section)) = self.catalog().section(id) else {
            return Ok(None);
        };
        let mut text = self.titled(section);
        let _ = write!(text, "\n\n{}", self.sources(&section.sources));
        let mut nav = Vec::new();
        if let Some(prev) = position.checked_sub(1).and_then(|p| all.get(p)) {
            nav.push(Button::action(
                self.t("previous"),
                Action::Section(prev.id.clone()),
            ));
        }
        if let Some(next) = all.get(position + 1) {
            nav.push(Button::action(
                self.t("next"),
                Action::Section(next.id.clone()),
            ));
        }
        let mut rows = Vec::new();
        if !nav.is_empty() {
            rows.push(nav);
        }
        rows.push(vec![
            self.share_button(&Action::Section(section.id.clone())),
        ]);
        rows.push(self.back_row(Action::Guidelines));
        Ok(Some(self.reply(text, rows)))
    }

    async fn section_by_query(&self, query: &str) -> Result<Reply> {
        let all = &self.catalog().sections;
        let wanted = fold::fold(query);
        let number: Option<usize> = wanted.parse().ok();
        let words = fold::stems(query);
        let found = all
            .iter()
            .enumerate()
            .find(|(i, s)| number == Some(i + 1) || s.id == wanted.replace(' ', "_"))
            .or_else(|| {
                all.iter().enumerate().find(|(_, s)| {
                    let title = fold::stems(&format!("{} {}", s.title.lv, s.title.en));
                    !words.is_empty() && words.iter().all(|w| title.contains(w))
                })
            })
            .map(|(_, s)| s.id.clone());
        if let Some(id) = found
            && let Some(reply) = self.section(&id).await?
        {
            return Ok(reply);
        }
        let notice = escape(&self.fill("section_not_found", &[("query", &echo(query))]));
        self.guidelines(Some(notice)).await
    }

    async fn contacts(&self) -> Result<Reply> {
        let ministries = &self.catalog().ministries;
        let mut rows: Vec<Vec<Button>> = ministries
            .chunks(2)
            .map(|pair| {
                pair.iter()
                    .map(|m| {
                        let label = format!("{}: {}", m.abbr, m.name.get(self.lang));
                        Button::action(label, Action::Ministry(m.id.clone()))
                    })
                    .collect()
            })
            .collect();
        rows.push(vec![self.main_button()]);
        Ok(self.reply(escape(self.t("contacts_prompt")), rows))
    }

    /// A ministry's card; with an area, headed by "the area X is led by".
    /// Cards are the most frequent reply and depend only on the content and the language, so
    /// each is rendered once per content version and then copied.
    async fn card(&self, target: &Target) -> Result<Reply> {
        let catalog = self.catalog();
        let Some((index, ministry)) = catalog.ministry_at(&target.ministry) else {
            return self.contacts().await;
        };
        let area = target
            .area
            .as_ref()
            .and_then(|id| ministry.areas.iter().enumerate().find(|(_, a)| &a.id == id));
        self.stats.count(metric::MINISTRY, &ministry.id);
        if let Some((_, area)) = area {
            self.stats.count(metric::AREA, &area.id);
        }
        let key = (index, area.map(|(i, _)| i), self.lang);
        if let Some(reply) = self.loaded.cards.get(&key) {
            return Ok(reply);
        }
        let reply = self.render_card(ministry, area.map(|(_, a)| a));
        self.loaded.cards.put(key, &reply);
        Ok(reply)
    }

    fn render_card(&self, ministry: &Ministry, area: Option<&crate::content::Area>) -> Reply {
        let catalog = self.catalog();
        let mut text = String::new();
        if let Some(area) = area {
            let _ = writeln!(
                text,
                "{}",
                escape(&self.fill("area_led_by", &[("area", area.name.get(self.lang))]))
            );
        }
        let _ = write!(
            text,
            "{}",
            bold(&format!(
                "{} ({})",
                ministry.name.get(self.lang),
                ministry.abbr
            ))
        );
        if let Some(note) = area.and_then(|a| a.note.as_ref()) {
            let _ = write!(text, "\n\n{}", escape(note.get(self.lang)));
        }
        if !ministry.areas.is_empty() {
            let names: Vec<&str> = ministry
                .areas
                .iter()
                .map(|a| a.name.get(self.lang))
                .collect();
            let _ = write!(
                text,
                "\n\n{}: {}",
                bold(self.t("areas")),
                escape(&names.join(", "))
            );
        }
        if let Some(note) = &ministry.note {
            let _ = write!(text, "\n\n{}", escape(note.get(self.lang)));
        }
        if let Some(site) = &ministry.website {
            let _ = write!(
                text,
                "\n\n{}: {}",
                bold(self.t("website")),
                link(site, site)
            );
        }
        let ngo: Vec<&Contact> = ministry
            .contacts
            .iter()
            .filter(|c| c.kind == ContactKind::Ngo)
            .collect();
        let general: Vec<&Contact> = ministry
            .contacts
            .iter()
            .filter(|c| c.kind == ContactKind::General)
            .collect();
        let participation = ministry.participation_page.as_ref().map(|page| {
            format!(
                "{}: {}",
                bold(self.t("participation_page")),
                link(page, page)
            )
        });
        if !ngo.is_empty() {
            if let Some(page) = &participation {
                let _ = write!(text, "\n{page}");
            }
            let _ = write!(text, "\n\n{}", bold(self.t("contacts_heading")));
            for contact in &ngo {
                let _ = write!(text, "\n\n{}", self.contact(contact));
            }
            self.general_contacts(&mut text, &general);
        } else {
            // No designated contact in our sources: say so, then what else there is, in the
            // order of the schema (docs in the README, "Editing the content"): where the State
            // Chancellery lists the contact persons, the ministry's general contact, its
            // participation page, the State Chancellery's own NGO contact.
            let _ = write!(
                text,
                "\n\n{}\n{}\n\n{}",
                bold(self.t("contacts_heading")),
                escape(self.t("no_ngo_contact")),
                escape(self.t("ngo_contact_statement"))
            );
            self.general_contacts(&mut text, &general);
            if let Some(page) = &participation {
                let _ = write!(text, "\n\n{page}");
            }
            let fallback = catalog.fallback().filter(|vk| vk.id != ministry.id);
            if let Some(vk) = fallback {
                let _ = write!(
                    text,
                    "\n\n{} ({})",
                    bold(self.t("fallback_heading")),
                    escape(&vk.abbr)
                );
                for contact in vk.contacts.iter().filter(|c| c.kind == ContactKind::Ngo) {
                    let _ = write!(text, "\n{}", self.contact(contact));
                }
            }
        }
        text.push_str("\n\n");
        if let Some(area) = area {
            // Why this ministry: the statute or law that puts the area with it.
            let links: Vec<String> = area.sources.iter().map(|u| link(u, host(u))).collect();
            let _ = writeln!(
                text,
                "{}: {}",
                bold(self.t("area_sources")),
                links.join(", ")
            );
        }
        text.push_str(&self.sources(&ministry.sources));

        let mut rows = Vec::new();
        for lesson in catalog.lessons_of(ministry) {
            let label = format!(
                "{} {}",
                self.t("menu_lessons").split(' ').next().unwrap_or(""),
                self.fill(
                    "lesson_title",
                    &[
                        ("number", &lesson.number.to_string()),
                        ("title", lesson.title.get(self.lang))
                    ]
                )
            );
            rows.push(vec![Button::action(label, Action::Lesson(lesson.number))]);
        }
        let item = match area {
            Some(area) => Action::Area(area.id.clone()),
            None => Action::Ministry(ministry.id.clone()),
        };
        rows.push(vec![self.share_button(&item)]);
        rows.push(self.back_row(Action::Contacts));
        self.reply(text, rows)
    }

    fn contact(&self, c: &Contact) -> String {
        let mut who: Vec<String> = Vec::new();
        if let Some(name) = &c.name {
            who.push(bold(name));
        }
        if let Some(role) = &c.role {
            who.push(escape(role.get(self.lang)));
        }
        if let Some(unit) = &c.unit {
            who.push(escape(unit.get(self.lang)));
        }
        let mut text = format!("• {}", who.join(", "));
        if who.is_empty() {
            text = "•".to_string();
        }
        if let Some(email) = &c.email {
            let _ = write!(text, "\n  {}: {}", escape(self.t("email")), escape(email));
        }
        if let Some(phone) = &c.phone {
            let _ = write!(text, "\n  {}: {}", escape(self.t("phone")), escape(phone));
        }
        if let Some(address) = &c.address {
            let _ = write!(
                text,
                "\n  {}: {}",
                escape(self.t("address")),
                escape(address)
            );
        }
        let _ = write!(
            text,
            "\n  {}: {}",
            escape(self.t("source")),
            link(&c.source, host(&c.source))
        );
        // Only what is known: the page's own date if it shows one, and a verification only if
        // a person really made one.
        let mut dates = Vec::new();
        if let Some(date) = &c.source_date {
            dates.push(self.fill("source_page_date", &[("date", &show_date(date, self.lang))]));
        }
        if let Some(date) = &c.verified {
            dates.push(self.fill("verified_on", &[("date", &show_date(date, self.lang))]));
        }
        if !dates.is_empty() {
            let _ = write!(text, " ({})", escape(&dates.join("; ")));
        }
        text
    }

    /// The ministry's general contacts under their own heading, so that they are never taken
    /// for the designated NGO contact.
    fn general_contacts(&self, text: &mut String, general: &[&Contact]) {
        if general.is_empty() {
            return;
        }
        let _ = write!(text, "\n\n{}", bold(self.t("general_contact")));
        for contact in general {
            let _ = write!(text, "\n{}", self.contact(contact));
        }
    }

    async fn specialists(&self) -> Result<Reply> {
        let catalog = self.catalog();
        let mut text = String::new();
        if let Some((title, sources)) = catalog.text("specialists.title") {
            let _ = write!(text, "{}", bold(title.get(self.lang)));
            for tip in &catalog.tips {
                let _ = write!(text, "\n\n{}", self.titled(tip));
            }
            let _ = write!(text, "\n\n{}", self.sources(sources));
        }
        Ok(self.reply(
            text,
            vec![vec![
                Button::action(self.t("menu_contacts"), Action::Contacts),
                self.main_button(),
            ]],
        ))
    }

    async fn resources(&self) -> Result<Reply> {
        let mut text = bold(self.t("resources_heading"));
        let catalog = self.catalog();
        for r in &catalog.resources {
            let _ = write!(
                text,
                "\n\n• {}\n{}",
                link(&r.url, r.title.get(self.lang)),
                escape(r.description.get(self.lang))
            );
        }
        let _ = write!(text, "\n\n{}", bold(self.t("participation_pages_heading")));
        for m in &catalog.ministries {
            if let Some(page) = &m.participation_page {
                let _ = write!(
                    text,
                    "\n• {}",
                    link(page, &format!("{} ({})", m.name.get(self.lang), m.abbr))
                );
            }
        }
        Ok(self.reply(text, vec![vec![self.main_button()]]))
    }

    async fn about(&self) -> Result<Reply> {
        let mut text = bold(self.t("about_heading"));
        let info = &self.catalog().info;
        let _ = write!(
            text,
            "\n\n{}\n\n{}: {}\n{}: {}\n{}: {} ({})",
            escape(info.about.get(self.lang)),
            bold(self.t("source")),
            link(&info.source_url, info.source_name.get(self.lang)),
            bold(self.t("content_date")),
            escape(&info.content_date),
            bold(self.t("imported_at")),
            escape(&info.imported_at),
            escape(&info.hash[..info.hash.len().min(12)]),
        );
        Ok(self.reply(
            text,
            vec![vec![
                Button::action(self.t("menu_help"), Action::Help),
                self.main_button(),
            ]],
        ))
    }

    fn language_menu(&self) -> Reply {
        self.reply(
            escape(self.t("language_prompt")),
            vec![
                vec![
                    Button::action("🇱🇻 Latviešu", Action::SetLanguage(Lang::Lv)),
                    Button::action("🇬🇧 English", Action::SetLanguage(Lang::En)),
                ],
                vec![self.main_button()],
            ],
        )
    }

    async fn set_language(&self, user_id: i64, lang: Lang) -> Result<Reply> {
        Box::pin(self.store.set_language(user_id, lang)).await?;
        let ctx = Ctx {
            store: self.store,
            loaded: Arc::clone(&self.loaded),
            lang,
            stats: self.stats,
        };
        let mut reply = ctx.main_menu();
        reply.text = format!("{}\n\n{}", escape(ctx.t("language_set")), reply.text);
        Ok(reply)
    }

    // ---- pieces ------------------------------------------------------------------------

    fn catalog(&self) -> &Catalog {
        &self.loaded.catalog
    }

    fn t(&self, key: &'static str) -> &str {
        self.loaded.strings.get(self.lang, key)
    }

    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.loaded.strings.fill(self.lang, key, args)
    }

    fn reply(&self, text: String, buttons: Vec<Vec<Button>>) -> Reply {
        Reply {
            text,
            buttons,
            edit: false,
            lang: self.lang,
            image: None,
        }
    }

    fn main_button(&self) -> Button {
        Button::action(self.t("main_menu"), Action::Main)
    }

    fn back_row(&self, back: Action) -> Vec<Button> {
        vec![Button::action(self.t("back"), back), self.main_button()]
    }

    fn share_button(&self, item: &Action) -> Button {
        Button::Share {
            label: self.t("share").to_string(),
            query: item.payload(),
        }
    }

    fn target_button(&self, target: &Target) -> Button {
        let label = self.catalog().label(target, self.lang);
        let action = match &target.area {
            Some(area) => Action::Area(area.clone()),
            None => Action::Ministry(target.ministry.clone()),
        };
        Button::action(label, action)
    }

    fn titled(&self, section: &Section) -> String {
        format!(
            "{}\n\n{}",
            bold(section.title.get(self.lang)),
            escape(section.body.get(self.lang))
        )
    }

    fn sources(&self, urls: &[String]) -> String {
        let links: Vec<String> = urls.iter().map(|u| link(u, host(u))).collect();
        format!("{}: {}", bold(self.t("sources")), links.join(", "))
    }
}

/// A `YYYY-MM-DD` date as people read it: `15.09.2020.` in Latvian, `15 Sep 2020` in
/// English. Anything else is shown as it is.
pub fn show_date(date: &str, lang: Lang) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return date.to_string();
    };
    let month = m
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match (lang, month, d.parse::<u8>()) {
        (Lang::Lv, Some(_), Ok(_)) => format!("{d}.{m}.{y}."),
        (Lang::En, Some(month), Ok(day)) => format!("{day} {month} {y}"),
        _ => date.to_string(),
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
        assert_eq!(show_date("2026-11-26", Lang::Lv), "26.11.2026.");
        assert_eq!(show_date("2020-09-05", Lang::Lv), "05.09.2020.");
        assert_eq!(show_date("2020-09-15", Lang::En), "15 Sep 2020");
        assert_eq!(show_date("2020-01-05", Lang::En), "5 Jan 2020");
        assert_eq!(show_date("2020-13-05", Lang::En), "2020-13-05");
        assert_eq!(show_date("someday", Lang::Lv), "someday");
    }
}

//! Reading TAP's HTML: the listing of public consultations, a consultation's own page, and the
//! Latvian dates both use. The pages are tokenized by html5ever (servo's HTML tokenizer, which
//! follows the HTML standard: entities, attributes without quotes, stray tags); no regular
//! expression ever looks at the markup.
//!
//! - **The listing** is read by its data attributes: a row is an element whose `data-url` is
//!   `/public_participation/<id>`; a cell is an element whose `data-column-header-name` names
//!   its column. What a row must have (its number, title and period) is checked, and a row
//!   without it fails the whole page ([`PageError::Markup`]): a listing that no longer reads as
//!   before is an outage, not fewer consultations.
//! - **A consultation's page** is read by the labels in its text ("Politikas jomas",
//!   "Norises laiks", "Sagatavoja", "Atbildīgā persona", "Izsludināšanas datums"): a value is
//!   the text between its label and the next label. A label that is missing, or a value that
//!   does not read as what it should be (a period, a date), leaves that field unknown; a page
//!   that does not show the consultation's title is not taken at all.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// A page is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// The portal's firewall answered instead of the portal ("Request Rejected", with 200).
    #[error("TAP's firewall rejected the request (a \"Request Rejected\" page)")]
    Rejected,
    /// The page has no listing of consultations in it.
    #[error("the page is not TAP's listing of public consultations")]
    NotListing,
    /// The page is the listing (or a consultation's page) but does not read as before.
    #[error("the page's markup no longer reads as expected: {0}")]
    Markup(String),
}

/// A period of a consultation, first and last day (`YYYY-MM-DD`), as TAP writes it
/// (`03.10.2023. - 16.10.2023.`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    pub starts: String,
    pub ends: String,
}

/// One row of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedItem {
    /// TAP's id of the consultation: the last part of its URL.
    pub id: String,
    /// The consultation's page on TAP.
    pub url: String,
    /// "Projekta ID/ Uzdevuma numurs", e.g. `26-TA-2228`.
    pub number: String,
    /// "Tiesību akta/ diskusiju dokumenta nosaukums".
    pub title: String,
    /// "Līdzdalības veids", e.g. `Publiskā apspriešana` (empty when the row shows none).
    pub kind: String,
    /// "Termiņš".
    pub period: Period,
    /// "Atbildīgā ministrija" as TAP writes it (empty when the row shows none).
    pub ministry: String,
}

/// One page of the listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListingPage {
    pub rows: Vec<ListedItem>,
    /// Whether the page links to a next page (`rel="next"`).
    pub has_next: bool,
    /// "Atlasīti N ieraksti": how many consultations the whole listing has, if shown.
    pub total: Option<u32>,
}

/// What a consultation's own page says, field by field; `None` where its label was not found
/// or its value did not read as expected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detail {
    /// "Politikas jomas" (an empty list when the page shows `-`).
    pub policy_areas: Option<Vec<String>>,
    /// "Norises laiks".
    pub held: Option<Period>,
    /// "Sagatavoja", e.g. `Guna Šmerliņa (VARAM)`.
    pub prepared_by: Option<String>,
    /// "Atbildīgā persona", e.g. `Laila Bremša (VARAM)`.
    pub responsible_person: Option<String>,
    /// "Izsludināšanas datums", as `YYYY-MM-DD HH:MM`.
    pub announced: Option<String>,
}

impl Detail {
    /// How many of the five fields were read.
    pub(crate) fn fields_read(&self) -> usize {
        [
            self.policy_areas.is_some(),
            self.held.is_some(),
            self.prepared_by.is_some(),
            self.responsible_person.is_some(),
            self.announced.is_some(),
        ]
        .iter()
        .filter(|read| **read)
        .count()
    }
}

/// The listing's column names (`data-column-header-name`).
mod column {
    pub(crate) const NUMBER: &str = "Projekta ID/ Uzdevuma numurs";
    pub(crate) const TITLE: &str = "Tiesību akta/ diskusiju dokumenta nosaukums";
    pub(crate) const KIND: &str = "Līdzdalības veids";
    pub(crate) const PERIOD: &str = "Termiņš";
    pub(crate) const MINISTRY: &str = "Atbildīgā ministrija";
}

/// The path of a consultation's page, before its id.
pub(crate) const ITEM_PATH: &str = "/public_participation/";

/// The labels of a consultation's page, in the order the page shows them. Every one ends the
/// value of the label before it.
const LABELS: &[&str] = &[
    "Projekta ID/ Uzdevuma numurs",
    "Tiesību akta/ diskusiju dokumenta nosaukums",
    "Līdzdalības veids",
    "Dokumenti",
    "Sākotnēji identificētās problēmas apraksts",
    "Mērķa apraksts",
    POLICY_AREAS,
    "Teritorija",
    HELD,
    "Informācija",
    "Fiziskās personas",
    "Juridiskās personas",
    "Skaidrojums un ietekme",
    PREPARED_BY,
    RESPONSIBLE,
    ANNOUNCED,
    OBJECTIONS,
];
const POLICY_AREAS: &str = "Politikas jomas";
const HELD: &str = "Norises laiks";
const PREPARED_BY: &str = "Sagatavoja";
const RESPONSIBLE: &str = "Atbildīgā persona";
const ANNOUNCED: &str = "Izsludināšanas datums";
/// The table of objections people sent: what follows it is their text, never the page's own
/// labels.
const OBJECTIONS: &str = "Iesniegtie iebildumi / priekšlikumi";

/// A person's name and institution is short; a longer value is not one.
const MAX_PERSON_CHARS: usize = 150;

/// Reads one page of the listing; `base` (the portal's address, no trailing `/`) makes the
/// rows' URLs absolute.
pub fn listing(html: &str, base: &str) -> Result<ListingPage, PageError> {
    struct Row {
        path: String,
        cells: Vec<(String, String)>,
    }
    let mut page = ListingPage::default();
    // The listing's element: whether it was seen, and the depth it is open at while it is.
    let mut container = false;
    let mut inside: Option<usize> = None;
    let mut rows: Vec<Row> = Vec::new();
    // The open cell: its column, the depth it was opened at, its text.
    let mut cell: Option<(String, usize, String)> = None;
    let mut total: Option<(usize, String)> = None;
    let mut depth = 0usize;
    let mut rejected = Rejection::default();
    walk(html, |event| match event {
        Event::Start(tag) => {
            rejected.tag(tag, true);
            if attr(tag, "id") == Some("public-participation-list") && !container {
                container = true;
                inside = Some(depth);
            }
            // Rows only inside the listing (the search form above it has a `data-url` too).
            if let Some(path) = attr(tag, "data-url")
                .filter(|p| p.starts_with(ITEM_PATH))
                .filter(|_| inside.is_some())
            {
                close_cell(&mut cell, &mut rows, |r, c| r.cells.push(c));
                rows.push(Row {
                    path: path.to_string(),
                    cells: Vec::new(),
                });
            }
            if let Some(name) = attr(tag, "data-column-header-name")
                && !rows.is_empty()
            {
                close_cell(&mut cell, &mut rows, |r, c| r.cells.push(c));
                cell = Some((clean(name), depth, String::new()));
            }
            if has_class(tag, "pagination__total-number") {
                total = Some((depth, String::new()));
            }
            if &*tag.name == "a"
                && attr(tag, "rel").is_some_and(|r| r.split(' ').any(|r| r == "next"))
            {
                page.has_next = true;
            }
            if opens(tag) {
                depth += 1;
            }
        }
        Event::End(tag) => {
            rejected.tag(tag, false);
            depth = depth.saturating_sub(1);
            if inside == Some(depth) {
                inside = None;
            }
            if cell.as_ref().is_some_and(|(_, at, _)| *at >= depth) {
                close_cell(&mut cell, &mut rows, |r, c| r.cells.push(c));
            }
            if let Some((at, text)) = &total
                && *at >= depth
            {
                page.total = clean(text).replace(' ', "").parse().ok();
                total = None;
            }
        }
        Event::Text(text) => {
            rejected.text(text);
            if let Some((_, _, buf)) = &mut cell {
                buf.push_str(text);
            }
            if let Some((_, buf)) = &mut total {
                buf.push_str(text);
            }
        }
    });
    close_cell(&mut cell, &mut rows, |r, c| r.cells.push(c));
    if rejected.is_rejected() {
        return Err(PageError::Rejected);
    }
    if !container {
        return Err(PageError::NotListing);
    }
    for (n, row) in rows.into_iter().enumerate() {
        let get = |column: &str| {
            row.cells
                .iter()
                .find(|(name, _)| name == column)
                .map(|(_, text)| clean(text))
        };
        let where_ = |what: &str| format!("row {} ({}): {what}", n + 1, row.path);
        let id = row.path[ITEM_PATH.len()..].to_string();
        if !is_item_id(&id) {
            return Err(PageError::Markup(where_(
                "its link holds no consultation id",
            )));
        }
        let number = get(column::NUMBER)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| PageError::Markup(where_("no \"Projekta ID\"")))?;
        let title = get(column::TITLE)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| PageError::Markup(where_("no title")))?;
        let shown = get(column::PERIOD).unwrap_or_default();
        let period = parse_period(&shown).ok_or_else(|| {
            PageError::Markup(where_(&format!("\"Termiņš\" {shown:?} is not a period")))
        })?;
        page.rows.push(ListedItem {
            url: format!("{base}{ITEM_PATH}{id}"),
            id,
            number,
            title,
            kind: get(column::KIND).unwrap_or_default(),
            period,
            ministry: get(column::MINISTRY).unwrap_or_default(),
        });
    }
    Ok(page)
}

/// Ends the open cell, if any, and hands it to the last row.
fn close_cell<R>(
    cell: &mut Option<(String, usize, String)>,
    rows: &mut [R],
    mut push: impl FnMut(&mut R, (String, String)),
) {
    if let (Some((name, _, text)), Some(row)) = (cell.take(), rows.last_mut()) {
        push(row, (name, text));
    }
}

/// Reads a consultation's own page by its labels. `title` is the title the listing shows: a
/// page that does not show it is not this consultation's page (or no longer reads as one) and
/// is not taken.
pub fn detail(html: &str, title: &str) -> Result<Detail, PageError> {
    let mut lines: Vec<String> = Vec::new();
    let mut rejected = Rejection::default();
    walk(html, |event| match event {
        Event::Start(tag) | Event::End(tag) => {
            rejected.tag(tag, matches!(tag.kind, TagKind::StartTag));
        }
        Event::Text(text) => {
            rejected.text(text);
            let text = clean(text);
            if !text.is_empty() {
                lines.push(text);
            }
        }
    });
    if rejected.is_rejected() {
        return Err(PageError::Rejected);
    }
    let label_of = |line: &str| {
        let line = line.strip_suffix(':').unwrap_or(line).trim_end();
        LABELS.iter().copied().find(|label| *label == line)
    };
    // What people wrote in their objections is not the page's own text.
    if let Some(end) = lines.iter().position(|l| label_of(l) == Some(OBJECTIONS)) {
        lines.truncate(end);
    }
    if !lines.join(" ").contains(&clean(title)) {
        return Err(PageError::Markup(
            "the page does not show the consultation's title".into(),
        ));
    }
    // The lines after the first `label`, up to the next label.
    let value = |label: &str| -> Option<&[String]> {
        let at = lines.iter().position(|l| label_of(l) == Some(label))?;
        let rest = &lines[at + 1..];
        let end = rest
            .iter()
            .position(|l| label_of(l).is_some())
            .unwrap_or(rest.len());
        Some(&rest[..end])
    };
    let first = |label: &str| value(label).and_then(|v| v.first().map(String::as_str));
    let person = |label: &str| {
        first(label)
            .filter(|v| *v != "-" && v.chars().count() <= MAX_PERSON_CHARS)
            .filter(|v| v.chars().any(char::is_alphabetic))
            .map(str::to_string)
    };
    let detail = Detail {
        policy_areas: value(POLICY_AREAS).map(|lines| {
            lines
                .iter()
                .flat_map(|l| l.split([',', ';']))
                .map(clean)
                .filter(|a| !a.is_empty() && a != "-")
                .collect()
        }),
        held: first(HELD).and_then(parse_period),
        prepared_by: person(PREPARED_BY),
        responsible_person: person(RESPONSIBLE),
        announced: first(ANNOUNCED).and_then(parse_date_time),
    };
    if detail.fields_read() == 0 {
        return Err(PageError::Markup(
            "none of the labels Politikas jomas, Norises laiks, Sagatavoja, Atbildīgā persona, \
             Izsludināšanas datums was found"
                .into(),
        ));
    }
    Ok(detail)
}

/// A consultation id as TAP's URLs carry it (a UUID): 1 to 64 of `0-9 a-z A-Z -`.
pub fn is_item_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A Latvian date `03.10.2023.` (the last dot may be missing) as `2023-10-03`.
pub(crate) fn parse_date(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_suffix('.').unwrap_or(text);
    let mut parts = text.split('.').map(str::trim);
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(d, 1..=2) || !digits(m, 1..=2) || !digits(y, 4..=4) {
        return None;
    }
    let (d, m, y): (u32, u32, u32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days)
        .contains(&d)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A period `03.10.2023. - 16.10.2023.` (a hyphen or a dash between the days), whose last
/// day is not before its first.
pub(crate) fn parse_period(text: &str) -> Option<Period> {
    let mut parts = text.split(['-', '–', '—']);
    let (Some(starts), Some(ends), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let period = Period {
        starts: parse_date(starts)?,
        ends: parse_date(ends)?,
    };
    (period.starts <= period.ends).then_some(period)
}

/// A date and time `02.10.2023. 13:49` as `2023-10-02 13:49`.
pub(crate) fn parse_date_time(text: &str) -> Option<String> {
    let (date, time) = text.trim().rsplit_once(' ')?;
    let (h, m) = time.split_once(':')?;
    let two = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !two(h) || m.len() != 2 || !two(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| Some(format!("{} {h:02}:{m:02}", parse_date(date)?)))?
}

/// `text` with every run of white space (a no-break space too) made one space, trimmed.
pub(crate) fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a page is the F5 firewall's "Request Rejected" page rather than the portal's.
#[derive(Default)]
struct Rejection {
    in_title: bool,
    title: String,
    said_so: bool,
}

impl Rejection {
    fn tag(&mut self, tag: &Tag, start: bool) {
        if &*tag.name == "title" {
            self.in_title = start;
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_title {
            self.title.push_str(text);
        }
        if text.contains("The requested URL was rejected") {
            self.said_so = true;
        }
    }

    fn is_rejected(&self) -> bool {
        self.said_so || clean(&self.title) == "Request Rejected"
    }
}

/// A piece of a page, in document order.
enum Event<'a> {
    Start(&'a Tag),
    End(&'a Tag),
    /// Text between tags, entities decoded (the contents of `script` and `style` are left out).
    Text(&'a str),
}

/// The value of attribute `name` of `tag`.
fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

fn has_class(tag: &Tag, class: &str) -> bool {
    attr(tag, "class").is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
}

/// Whether a start tag opens an element that an end tag closes (not a void element).
fn opens(tag: &Tag) -> bool {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    !tag.self_closing && !VOID.contains(&&*tag.name)
}

/// Tokenizes `html` and hands every tag, and the text between two tags as one piece, to `f`.
fn walk(html: &str, f: impl FnMut(Event<'_>)) {
    struct Sink<F> {
        f: RefCell<F>,
        /// The text since the last tag (the tokenizer hands it over in several pieces).
        text: RefCell<String>,
        /// Inside `script` or `style`: their text is not the page's.
        raw: RefCell<Option<String>>,
    }
    impl<F: FnMut(Event<'_>)> Sink<F> {
        fn flush(&self) {
            let mut text = self.text.borrow_mut();
            if !text.is_empty() {
                (self.f.borrow_mut())(Event::Text(&text));
                text.clear();
            }
        }
    }
    impl<F: FnMut(Event<'_>)> TokenSink for Sink<F> {
        type Handle = ();

        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                Token::TagToken(tag) => {
                    self.flush();
                    let mut f = self.f.borrow_mut();
                    match tag.kind {
                        TagKind::StartTag => {
                            f(Event::Start(&tag));
                            let raw = match &*tag.name {
                                "script" => Some(RawKind::ScriptData),
                                "style" => Some(RawKind::Rawtext),
                                "title" | "textarea" => Some(RawKind::Rcdata),
                                _ => None,
                            };
                            if let Some(kind) = raw.filter(|_| !tag.self_closing) {
                                if matches!(&*tag.name, "script" | "style") {
                                    *self.raw.borrow_mut() = Some(tag.name.to_string());
                                }
                                return TokenSinkResult::RawData(kind);
                            }
                        }
                        TagKind::EndTag => {
                            let mut raw = self.raw.borrow_mut();
                            if raw.as_deref() == Some(&*tag.name) {
                                *raw = None;
                            }
                            f(Event::End(&tag));
                        }
                    }
                }
                Token::CharacterTokens(text) if self.raw.borrow().is_none() => {
                    self.text.borrow_mut().push_str(&text);
                }
                Token::EOFToken => self.flush(),
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }
    let sink = Sink {
        f: RefCell::new(f),
        text: RefCell::new(String::new()),
        raw: RefCell::new(None),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never asks for a script to run, so one call reads the whole input.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.flush();
}

#[cfg(test)]
mod tests;

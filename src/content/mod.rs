//! The content an operator edits under `content/`: its domain model, and the reader that turns
//! the TOML files into that model while collecting every problem with its `file:line`.

mod hash;
mod read;
pub mod stale;
pub(crate) mod tap;
pub mod ui;
pub(crate) mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::lang::Lang;

pub use hash::ContentHash;

/// Reads, parses and validates the content directory `dir`.
pub fn load_dir(dir: &Path) -> Result<(Snapshot, Content), ContentErrors> {
    let snapshot = Snapshot::read(dir)?;
    let content = snapshot.parse()?;
    Ok((snapshot, content))
}

/// The files a content directory must hold, in the order they are read.
pub(crate) const FILES: [&str; 10] = [
    "meta.toml",
    "lessons.toml",
    "guidelines.toml",
    "ministries.toml",
    "specialists.toml",
    "resources.toml",
    "ui.toml",
    "tap.toml",
    "agencies.toml",
    "bodies.toml",
];

/// Longest text, in UTF-16 units, that one content field may hold: a card adds headings,
/// links and contacts around it and the whole must fit one Telegram message (4096).
pub(crate) const MAX_TEXT_UTF16: usize = 3000;

/// A text in both languages of the bot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub lv: String,
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Lv => &self.lv,
            Lang::En => &self.en,
        }
    }
}

/// Where a record is written in the content: the file (as `check` shows it) and the 1-based
/// line its table starts on. Carried into the cache and the catalogue so that operators can be
/// pointed at the exact place to fix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Everything under `content/`, validated.
#[derive(Debug, Clone)]
pub struct Content {
    pub meta: Meta,
    pub series: Series,
    pub lessons: Vec<Lesson>,
    pub guidelines: Guidelines,
    pub ministries: Vec<Ministry>,
    pub specialists: Specialists,
    pub resources: Vec<Resource>,
    /// UI strings by key.
    pub ui: Vec<(String, Text)>,
    /// `tap.toml`: TAP's names mapped to the ministries and areas.
    pub tap: tap::TapMap,
    /// `agencies.toml`: the institutions under the ministries that people deal with.
    pub agencies: Vec<Agency>,
    /// `bodies.toml`: the state bodies no ministry leads (the Saeima, the courts, …).
    pub bodies: Vec<Body>,
}

/// `meta.toml`: where the content comes from.
#[derive(Debug, Clone)]
pub struct Meta {
    pub source_url: String,
    pub source_name: Text,
    pub content_date: String,
    pub about: Text,
    /// Id of the ministry entry (the State Chancellery) whose contacts are the general fallback.
    pub fallback: String,
}

/// The lesson series "Pareizie kursi".
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub lecturer: String,
    pub guests: Vec<String>,
    pub about: Text,
    pub recordings: Text,
    pub sources: Vec<String>,
}

/// One lesson of the series.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub number: u8,
    pub area: String,
    pub title: Text,
    pub learn: Text,
    pub date: Option<String>,
    pub guest: Option<String>,
    pub video: Option<String>,
    pub sources: Vec<String>,
    pub place: Place,
}

/// The guidelines and the sections a person opens one by one.
#[derive(Debug, Clone)]
pub struct Guidelines {
    pub title: Text,
    pub intro: Text,
    pub sources: Vec<String>,
    pub sections: Vec<Section>,
}

/// A titled text with its sources: a guideline section or a piece of advice.
#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub body: Text,
    pub sources: Vec<String>,
    pub place: Place,
}

/// A ministry, or the State Chancellery.
#[derive(Debug, Clone)]
pub struct Ministry {
    pub id: String,
    pub abbr: String,
    pub name: Text,
    pub website: Option<String>,
    pub participation_page: Option<String>,
    pub aliases: Vec<String>,
    pub note: Option<Text>,
    pub sources: Vec<String>,
    pub areas: Vec<Area>,
    pub contacts: Vec<Contact>,
    pub place: Place,
}

/// A policy area a ministry leads.
#[derive(Debug, Clone)]
pub struct Area {
    pub id: String,
    pub name: Text,
    pub aliases: Vec<String>,
    pub note: Option<Text>,
    /// The sources that put this area with this ministry (its statute, the Cabinet Structure
    /// Law, an official page); at least one.
    pub sources: Vec<String>,
    pub place: Place,
}

/// What a contact is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactKind {
    /// Designated by the ministry for cooperation with NGOs / public participation (a person,
    /// or a unit or mailbox an official page names for that purpose).
    #[default]
    Ngo,
    /// The ministry's general contact (e-mail, phone, address): how to reach the ministry,
    /// never shown as the designated contact.
    General,
}

impl ContactKind {
    /// The value written in `kind = "..."` (and in the cache).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ContactKind::Ngo => "ngo",
            ContactKind::General => "general",
        }
    }

    /// The kind written `value`, if it is one.
    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "ngo" => Some(ContactKind::Ngo),
            "general" => Some(ContactKind::General),
            _ => None,
        }
    }
}

/// A contact an official page publishes for a ministry.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub kind: ContactKind,
    pub name: Option<String>,
    pub unit: Option<Text>,
    pub role: Option<Text>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// The official page that states this contact.
    pub source: String,
    /// The date the source page itself shows (`YYYY-MM-DD`), if it shows one.
    pub source_date: Option<String>,
    /// The day a person last verified this entry against the live page (`YYYY-MM-DD`); set
    /// only when somebody really did.
    pub verified: Option<String>,
    pub place: Place,
}

/// Advice on working with communication specialists.
#[derive(Debug, Clone)]
pub struct Specialists {
    pub title: Text,
    pub sources: Vec<String>,
    pub tips: Vec<Section>,
}

/// A link worth knowing.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub title: Text,
    pub description: Text,
    pub url: String,
    pub sources: Vec<String>,
    pub place: Place,
}

/// An institution under a ministry (a "padotības iestāde"): what people go there for, and
/// the page that puts it under the ministry.
#[derive(Debug, Clone)]
pub struct Agency {
    pub id: String,
    /// As the agency writes it (`CSDD`); no other agency or ministry has it.
    pub abbr: String,
    pub name: Text,
    /// The id of the ministry it is under.
    pub ministry: String,
    /// Its own site, when one was seen.
    pub website: Option<String>,
    /// What people go there for.
    pub business: Text,
    /// How it stands to the ministry when "under it" needs saying more exactly (an
    /// independent inspectorate the minister only supervises).
    pub note: Option<Text>,
    pub aliases: Vec<String>,
    /// Pages that put it under the ministry; at least one.
    pub sources: Vec<String>,
    pub place: Place,
}

/// A state body that no ministry leads (the Saeima, the Ombudsman, the courts): what it is
/// and where to turn.
#[derive(Debug, Clone)]
pub struct Body {
    pub id: String,
    pub name: Text,
    /// What it is, and that no ministry leads it.
    pub what: Text,
    /// Where and how to turn to it.
    pub turn: Text,
    pub website: Option<String>,
    pub aliases: Vec<String>,
    /// Pages that say what it is; at least one.
    pub sources: Vec<String>,
    pub place: Place,
}

/// One thing wrong in the content, where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// The content could not be used; every problem found is listed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} problem(s) in the content:\n{}", .0.len(), list(.0))]
pub struct ContentErrors(pub Vec<Problem>);

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The raw files of a content directory and their hash, read once so that the hash and the
/// parsed content always describe the same bytes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub dir: PathBuf,
    /// `(shown path, text)` in [`FILES`] order.
    pub files: Vec<(String, String)>,
    pub hash: ContentHash,
}

impl Snapshot {
    /// Reads every content file of `dir`. A missing or unreadable file is a problem, not an
    /// I/O error, so that `check` lists it with the rest.
    pub(crate) fn read(dir: &Path) -> Result<Self, ContentErrors> {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for name in FILES {
            let path = dir.join(name);
            let shown = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push((shown, text)),
                Err(err) => problems.push(Problem {
                    file: shown,
                    line: 1,
                    message: format!("cannot read the file: {err}"),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(ContentErrors(problems));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            hash: hash_of(&files),
            files,
        })
    }

    /// The files as they were read earlier (`(shown path, text)`), for example from the cache,
    /// with their hash computed again. `None` unless they are the files this version reads, in
    /// its order: a cache written by a version with other files cannot be parsed by this one.
    pub(crate) fn from_files(files: Vec<(String, String)>) -> Option<Self> {
        let same = files.len() == FILES.len()
            && files.iter().zip(FILES).all(|((shown, _), name)| {
                Path::new(shown).file_name() == Some(std::ffi::OsStr::new(name))
            });
        let dir = Path::new(&files.first()?.0).parent()?.to_path_buf();
        same.then(|| Self {
            dir,
            hash: hash_of(&files),
            files,
        })
    }

    /// Parses and validates the files into [`Content`].
    pub(crate) fn parse(&self) -> Result<Content, ContentErrors> {
        read::parse_files(&self.files)
    }
}

/// The hash of files read in [`FILES`] order: of their names, not of the folder they are in.
fn hash_of(files: &[(String, String)]) -> ContentHash {
    ContentHash::of(
        FILES
            .iter()
            .zip(files)
            .map(|(name, (_, text))| (*name, text.as_str())),
    )
}

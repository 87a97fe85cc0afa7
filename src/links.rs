//! `lidzdaliba-bot check --links`: requests every URL written in the content files (in fields
//! and inside texts) and reports the broken and the moved ones with their `file:line`.
//!
//! Politeness: one GET per distinct URL (the fragment is not sent, so `page#a` and `page#b`
//! are one request), at most `concurrency` at a time, a User-Agent that names the bot and why
//! it asks, and no body is read. Redirects are followed by hand (at most
//! [`MAX_REDIRECTS`]) so that the first redirect's status and the final address can be
//! reported.

use std::fmt;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, LOCATION};
use reqwest::{StatusCode, Url};
use tokio::sync::Semaphore;

use crate::content::Place;

/// More redirects than this in a row and the link counts as broken.
pub const MAX_REDIRECTS: usize = 10;

/// The User-Agent of the link checker: who asks, and why.
pub fn user_agent() -> String {
    format!(
        "lidzdaliba-bot/{} (link check: verifies that the sources cited by a Telegram bot on \
         public participation in Latvia still answer; one request per link)",
        env!("CARGO_PKG_VERSION")
    )
}

/// One distinct URL of the content and every place it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The URL without its fragment (what is requested).
    pub url: String,
    pub places: Vec<Place>,
}

/// Every `http://` and `https://` URL in `files` (`(shown path, text)`), in order of first
/// appearance, with the lines it is on. Full-line comments are notes for editors, never shown
/// to anyone, and are skipped.
pub fn collect(files: &[(String, String)]) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (file, text) in files {
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            for url in urls_in(line) {
                let url = url.split('#').next().unwrap_or(url).to_string();
                let place = Place {
                    file: file.clone(),
                    line: n + 1,
                };
                match at.get(&url) {
                    Some(&i) => {
                        if links[i].places.last() != Some(&place) {
                            links[i].places.push(place);
                        }
                    }
                    None => {
                        at.insert(url.clone(), links.len());
                        links.push(Link {
                            url,
                            places: vec![place],
                        });
                    }
                }
            }
        }
    }
    links
}

/// The URLs in one line of a content file. A URL ends at white space, a quote, `<`, `>` or a
/// backslash (a TOML escape such as `\n`); punctuation that ends a sentence is not part of it,
/// nor is a closing bracket it did not open.
fn urls_in(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = [rest.find("https://"), rest.find("http://")]
        .into_iter()
        .flatten()
        .min()
    {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`'))
            .unwrap_or(tail.len());
        let mut url = &tail[..end];
        loop {
            let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '»', '”', '’']);
            let trimmed = match trimmed.strip_suffix(')') {
                Some(inner) if trimmed.matches('(').count() < trimmed.matches(')').count() => inner,
                _ => trimmed,
            };
            let trimmed = match trimmed.strip_suffix(']') {
                Some(inner) if !trimmed.contains('[') => inner,
                _ => trimmed,
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        if url.len() > "https://".len() {
            out.push(url);
        }
        rest = &tail[end.max(1)..];
    }
    out
}

/// How the checker asks.
#[derive(Debug, Clone)]
pub struct Options {
    /// For the whole of one request (connecting, sending, the answer's headers).
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            concurrency: 4,
        }
    }
}

/// What one URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer at the address itself.
    Fine(StatusCode),
    /// Redirected (`status` is the first redirect's) to `to`, which answers 2xx.
    Moved { status: StatusCode, to: String },
    /// No 2xx answer: an error status, a timeout, no connection, a redirect loop.
    Broken(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Fine(status) => write!(f, "fine ({})", status_text(*status)),
            Outcome::Moved { status, to } => {
                write!(f, "moved ({}) to {to}", status_text(*status))
            }
            Outcome::Broken(why) => write!(f, "broken ({why})"),
        }
    }
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The client the checker uses: redirects by hand, the timeouts of `options`, its own
/// User-Agent.
fn client(options: &Options) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(user_agent())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.timeout)
        .connect_timeout(options.timeout)
        .build()
}

/// Requests every link, at most `options.concurrency` at once; the outcomes in the order of
/// `links`.
pub async fn check(links: &[Link], options: &Options) -> Vec<Outcome> {
    let client = match client(options) {
        Ok(client) => client,
        Err(err) => {
            let why = format!("cannot build the HTTP client: {err}");
            return links.iter().map(|_| Outcome::Broken(why.clone())).collect();
        }
    };
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, link) in links.iter().enumerate() {
        let client = client.clone();
        let permits = Arc::clone(&permits);
        let url = link.url.clone();
        let timeout = options.timeout;
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (i, one(&client, &url, timeout).await)
        });
    }
    let mut outcomes = vec![Outcome::Broken("not checked".into()); links.len()];
    while let Some(done) = tasks.join_next().await {
        if let Ok((i, outcome)) = done {
            outcomes[i] = outcome;
        }
    }
    outcomes
}

/// One URL, its redirects followed.
async fn one(client: &reqwest::Client, url: &str, timeout: Duration) -> Outcome {
    let Ok(mut at) = Url::parse(url) else {
        return Outcome::Broken("not a valid URL".into());
    };
    let mut first_redirect: Option<StatusCode> = None;
    for _ in 0..=MAX_REDIRECTS {
        let response = client
            .get(at.clone())
            .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(err) if err.is_timeout() => {
                return Outcome::Broken(format!(
                    "no answer within {}",
                    seconds(timeout.as_secs_f64())
                ));
            }
            Err(err) if err.is_connect() => {
                return Outcome::Broken(format!("cannot connect: {}", root_cause(&err)));
            }
            Err(err) => return Outcome::Broken(root_cause(&err)),
        };
        let status = response.status();
        if status.is_redirection() {
            let next = response
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| at.join(l).ok());
            let Some(next) = next else {
                return Outcome::Broken(format!("{} without a Location", status_text(status)));
            };
            first_redirect.get_or_insert(status);
            at = next;
            continue;
        }
        let after = |why: String| match first_redirect {
            Some(_) => format!("{why} after a redirect to {at}"),
            None => why,
        };
        return match (status.is_success(), first_redirect) {
            (true, None) => Outcome::Fine(status),
            (true, Some(first)) => Outcome::Moved {
                status: first,
                to: at.to_string(),
            },
            (false, _) => Outcome::Broken(after(status_text(status))),
        };
    }
    Outcome::Broken(format!("more than {MAX_REDIRECTS} redirects"))
}

/// The innermost error message (reqwest's own is "error sending request for url (...)").
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

fn seconds(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// What a run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub links: usize,
    pub fine: usize,
    pub moved: usize,
    pub broken: usize,
}

impl Summary {
    /// The exit status of `check --links`: 1 when a link is broken, else 0 (moved links are
    /// reported but still answer).
    pub fn exit_status(&self) -> u8 {
        u8::from(self.broken > 0)
    }
}

/// Checks every link and writes one line per place of each broken or moved link
/// (`file:line: broken (404 Not Found): URL`), then a summary line.
pub async fn report(
    links: &[Link],
    options: &Options,
    out: &mut impl Write,
) -> std::io::Result<Summary> {
    let outcomes = check(links, options).await;
    let mut summary = Summary {
        links: links.len(),
        ..Summary::default()
    };
    for (link, outcome) in links.iter().zip(&outcomes) {
        match outcome {
            Outcome::Fine(_) => {
                summary.fine += 1;
                continue;
            }
            Outcome::Moved { .. } => summary.moved += 1,
            Outcome::Broken(_) => summary.broken += 1,
        }
        for place in &link.places {
            writeln!(out, "{place}: {outcome}: {}", link.url)?;
        }
    }
    writeln!(
        out,
        "{} links: {} fine, {} moved, {} broken",
        summary.links, summary.fine, summary.moved, summary.broken
    )?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_found_in_fields_and_texts_without_trailing_punctuation() {
        assert_eq!(
            urls_in(r#"url = "https://www.mk.gov.lv/lv/padomi-un-resursi""#),
            vec!["https://www.mk.gov.lv/lv/padomi-un-resursi"]
        );
        assert_eq!(
            urls_in("Skat. https://a.lv/x. Un (https://b.lv/y), arī https://c.lv/z?q=1;"),
            vec!["https://a.lv/x", "https://b.lv/y", "https://c.lv/z?q=1"]
        );
        assert_eq!(
            urls_in(r#"lv = "Rakstiet: https://a.lv/x\nVai http://b.lv""#),
            vec!["https://a.lv/x", "http://b.lv"]
        );
        assert_eq!(
            urls_in("https://en.wikipedia.org/wiki/Foo_(bar) and “https://d.lv/”"),
            vec!["https://en.wikipedia.org/wiki/Foo_(bar)", "https://d.lv/"]
        );
        assert!(urls_in("tg://resolve?domain=x https:// nothing").is_empty());
    }

    #[test]
    fn links_are_collected_once_with_every_place_and_comments_are_skipped() {
        let files = vec![
            (
                "content/a.toml".to_string(),
                "# https://comment.lv/x\nurl = \"https://a.lv/p#one\"\nsources = [\n  \"https://a.lv/p#two\",\n]\n"
                    .to_string(),
            ),
            (
                "content/b.toml".to_string(),
                "text = \"\"\"\nFirst line.\nSee https://b.lv/q and https://a.lv/p.\"\"\"\n"
                    .to_string(),
            ),
        ];
        let place = |file: &str, line| Place {
            file: file.into(),
            line,
        };
        assert_eq!(
            collect(&files),
            vec![
                Link {
                    url: "https://a.lv/p".into(),
                    places: vec![
                        place("content/a.toml", 2),
                        place("content/a.toml", 4),
                        place("content/b.toml", 3)
                    ],
                },
                Link {
                    url: "https://b.lv/q".into(),
                    places: vec![place("content/b.toml", 3)],
                },
            ]
        );
    }
}

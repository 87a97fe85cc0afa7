//! What the portal's `robots.txt` allows this bot (RFC 9309): the group for `lidzdaliba-bot`,
//! else the one for `*`; the longest matching rule wins, `allow` on a tie; `*` matches any
//! run of characters and a final `$` the end of the path. `Crawl-delay` is kept too, though
//! the RFC leaves it out: a portal that asks for more than a second between requests gets it.

use std::time::Duration;

/// The product token this bot looks for in `User-agent` lines.
pub(crate) const TOKEN: &str = "lidzdaliba-bot";

/// The rules of the group that applies to this bot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Robots {
    /// `(allow, pattern)`.
    rules: Vec<(bool, String)>,
    /// `Crawl-delay`, if the group gives one.
    pub delay: Option<Duration>,
}

impl Robots {
    /// Reads a `robots.txt`.
    pub(crate) fn parse(text: &str) -> Self {
        // The groups: the agents each names, its rules, its delay.
        let mut groups: Vec<(Vec<String>, Robots)> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push((Vec::new(), Robots::default()));
                    }
                    in_agents = true;
                    if let Some((agents, _)) = groups.last_mut() {
                        agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    // An empty `Disallow:` allows everything: no rule.
                    if let Some((_, robots)) = groups.last_mut()
                        && !value.is_empty()
                    {
                        robots.rules.push((key == "allow", value.to_string()));
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    if let Some((_, robots)) = groups.last_mut() {
                        robots.delay = value
                            .parse::<f64>()
                            .ok()
                            .filter(|s| s.is_finite() && *s >= 0.0)
                            .map(|s| Duration::from_secs_f64(s.min(60.0)));
                    }
                }
                _ => {}
            }
        }
        let named = |agent: &str| {
            let mut found: Option<Robots> = None;
            for (agents, robots) in &groups {
                if agents.iter().any(|a| a == agent) {
                    let merged = found.get_or_insert_with(Robots::default);
                    merged.rules.extend(robots.rules.iter().cloned());
                    merged.delay = merged.delay.or(robots.delay);
                }
            }
            found
        };
        named(TOKEN).or_else(|| named("*")).unwrap_or_default()
    }

    /// Whether this bot may fetch `path` (with its query).
    pub(crate) fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Whether `pattern` (a path prefix, with `*` and a final `$`) matches `path`.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some(first) = parts.first() else {
        return true;
    };
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    for (n, part) in parts.iter().enumerate().skip(1) {
        let last = n == parts.len() - 1;
        if last && anchored {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    !anchored || rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_for_this_bot_or_for_everyone_applies() {
        let robots = Robots::parse(
            "# the portal's rules\nUser-agent: *\nDisallow: /users/\nDisallow: /documents\n\
             Crawl-delay: 2\n\nUser-agent: OtherBot\nDisallow: /\n",
        );
        assert!(robots.allows("/public_participation?page=2"));
        assert!(robots.allows("/public_participation/068eb73d"));
        assert!(!robots.allows("/users/latvija/init"));
        assert!(!robots.allows("/documents/1"));
        assert_eq!(robots.delay, Some(Duration::from_secs(2)));
        let ours = Robots::parse(
            "User-agent: *\nDisallow:\n\nUser-agent: lidzdaliba-bot\nUser-agent: x\n\
             Disallow: /public_participation\nAllow: /public_participation/\n",
        );
        assert!(!ours.allows("/public_participation?order_by=application_deadline"));
        assert!(
            ours.allows("/public_participation/068eb73d"),
            "the longer rule wins"
        );
        assert_eq!(ours.delay, None);
        assert!(Robots::parse("").allows("/public_participation"));
        assert!(Robots::parse("User-agent: *\nDisallow:\n").allows("/x"));
        assert!(!Robots::parse("User-agent: *\nDisallow: /\n").allows("/public_participation"));
    }

    #[test]
    fn wildcards_and_the_end_anchor_match_as_the_rfc_says() {
        assert!(matches(
            "/public_participation*page=",
            "/public_participation?page=3"
        ));
        assert!(!matches(
            "/public_participation*page=",
            "/public_participation/abc"
        ));
        assert!(matches("/*.pdf$", "/documents/a.pdf"));
        assert!(!matches("/*.pdf$", "/documents/a.pdf?x=1"));
        assert!(matches("/help$", "/help"));
        assert!(!matches("/help$", "/help/open_data"));
        let tie = Robots::parse("User-agent: *\nDisallow: /a\nAllow: /a\n");
        assert!(tie.allows("/a/b"), "allow wins a tie");
    }
}

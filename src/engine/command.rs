//! Commands: ASCII names with Latvian aliases, and parsing of a message into a command, text
//! for this bot, or a command for another bot.

/// A command of the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Start,
    Help,
    Lessons,
    Guidelines,
    Contact,
    Specialists,
    Resources,
    Search,
    Language,
    About,
    Privacy,
    Forget,
    /// Admins only: re-import the content now.
    Reload,
    /// Admins only: usage statistics.
    Stats,
    /// Stops a report being written (the prompt after 🚩).
    Cancel,
    /// Admins only: the open reports of mistakes.
    Reports,
}

impl Command {
    /// The commands in everyone's menu, in menu order.
    pub const PUBLIC: [Command; 11] = [
        Command::Start,
        Command::Help,
        Command::Lessons,
        Command::Guidelines,
        Command::Contact,
        Command::Specialists,
        Command::Resources,
        Command::Search,
        Command::Language,
        Command::About,
        Command::Privacy,
    ];

    /// Commands everyone may use that are not in the menu: `/forget` is offered where it
    /// matters, in the privacy text.
    /// `/cancel` is offered in the prompt for a report.
    pub const UNLISTED: [Command; 2] = [Command::Forget, Command::Cancel];

    /// The commands only admins see and may use.
    pub const ADMIN: [Command; 3] = [Command::Reload, Command::Stats, Command::Reports];

    /// Every command: [`Command::PUBLIC`], then [`Command::UNLISTED`], then [`Command::ADMIN`].
    pub const ALL: [Command; 16] = {
        let mut all = [Command::Start; 16];
        let lists: [&[Command]; 3] = [&Command::PUBLIC, &Command::UNLISTED, &Command::ADMIN];
        let (mut list, mut at) = (0, 0);
        while list < lists.len() {
            let mut i = 0;
            while i < lists[list].len() {
                all[at] = lists[list][i];
                (i, at) = (i + 1, at + 1);
            }
            list += 1;
        }
        // The length above is the three lists' together: a command in none would be missing.
        assert!(at == all.len());
        all
    };

    /// Whether only admins may use this command.
    pub fn is_admin_only(self) -> bool {
        Command::ADMIN.contains(&self)
    }

    /// The ASCII name registered with Telegram.
    pub fn name(self) -> &'static str {
        self.names()[0]
    }

    /// The name and its Latvian aliases.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Command::Start => &["start", "sakt"],
            Command::Help => &["help", "palidziba"],
            Command::Lessons => &["lessons", "nodarbibas"],
            Command::Guidelines => &["guidelines", "vadlinijas"],
            Command::Contact => &["contact", "kontakts", "kontakti"],
            Command::Specialists => &["specialists", "specialisti"],
            Command::Resources => &["resources", "resursi"],
            Command::Search => &["search", "meklet"],
            Command::Language => &["language", "valoda", "lang"],
            Command::About => &["about", "par"],
            Command::Privacy => &["privacy", "privatums"],
            Command::Forget => &["forget", "aizmirst"],
            Command::Reload => &["reload", "parladet"],
            Command::Stats => &["stats", "statistika"],
            Command::Cancel => &["cancel", "atcelt"],
            Command::Reports => &["reports", "zinojumi"],
        }
    }

    /// The UI string key of the description shown in Telegram's command menu.
    pub fn description_key(self) -> &'static str {
        match self {
            Command::Start => "cmd_start",
            Command::Help => "cmd_help",
            Command::Lessons => "cmd_lessons",
            Command::Guidelines => "cmd_guidelines",
            Command::Contact => "cmd_contact",
            Command::Specialists => "cmd_specialists",
            Command::Resources => "cmd_resources",
            Command::Search => "cmd_search",
            Command::Language => "cmd_language",
            Command::About => "cmd_about",
            Command::Privacy => "cmd_privacy",
            Command::Forget => "cmd_forget",
            Command::Reload => "cmd_reload",
            Command::Stats => "cmd_stats",
            Command::Cancel => "cmd_cancel",
            Command::Reports => "cmd_reports",
        }
    }

    /// The command with this name or alias (lower-case, without `/`).
    pub fn from_name(name: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.names().contains(&name))
    }
}

/// A message, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// `/name arg` (or `/name@thisbot arg`); the name is lower-cased.
    Command { name: String, arg: String },
    /// `/name@otherbot ...`: not for this bot.
    OtherBot,
    /// Anything else.
    Text(String),
}

/// Parses a message text. `bot_username` (without `@`) decides whether `/cmd@name` is for us;
/// without it every addressed command is taken.
pub fn parse(text: &str, bot_username: Option<&str>) -> Parsed {
    let Some(rest) = text.strip_prefix('/') else {
        return Parsed::Text(text.to_string());
    };
    let (head, arg) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (name, addressee) = match head.split_once('@') {
        Some((name, addressee)) => (name, Some(addressee)),
        None => (head, None),
    };
    if let (Some(addressee), Some(me)) = (addressee, bot_username)
        && !addressee.eq_ignore_ascii_case(me)
    {
        return Parsed::OtherBot;
    }
    if name.is_empty() {
        return Parsed::Text(text.to_string());
    }
    Parsed::Command {
        name: name.to_lowercase(),
        arg: arg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_with_and_without_bot_name() {
        assert_eq!(
            parse("/contact veselība", Some("lbot")),
            Parsed::Command {
                name: "contact".into(),
                arg: "veselība".into()
            }
        );
        assert_eq!(
            parse("/Contact@LBot  izglītība ", Some("lbot")),
            Parsed::Command {
                name: "contact".into(),
                arg: "izglītība".into()
            }
        );
        assert_eq!(parse("/contact@otherbot x", Some("lbot")), Parsed::OtherBot);
        assert_eq!(
            parse("veselība", Some("lbot")),
            Parsed::Text("veselība".into())
        );
        assert_eq!(parse("/", None), Parsed::Text("/".into()));
    }

    #[test]
    fn names_are_valid_telegram_commands_and_aliases_resolve() {
        for command in Command::ALL {
            for name in command.names() {
                assert!(
                    name.len() <= 32
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                );
                assert_eq!(Command::from_name(name), Some(command));
            }
        }
        assert_eq!(Command::from_name("kontakts"), Some(Command::Contact));
        // No command is in two of the lists.
        for command in Command::ALL {
            let times = Command::ALL.iter().filter(|c| **c == command).count();
            assert_eq!(times, 1, "{command:?}");
        }
        assert_eq!(Command::from_name("nope"), None);
    }
}

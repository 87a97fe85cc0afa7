//! Commands: one table, [`COMMANDS`], holds every command with its ASCII name and Latvian
//! aliases, the UI key of its description in Telegram's menu, and who sees it; the lists of
//! the menus are derived from it. Also the parsing of a message into a command, text for this
//! bot, or a command for another bot.
//!
//! Adding a command is its row here, its UI strings (the description key in `content/ui.toml`
//! and in `content::ui::KEYS`), and its arm in the router's `match` (which does not compile
//! without it) calling its screen.

/// Who may use a command and where it is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visibility {
    /// In everyone's command menu.
    Menu,
    /// Everyone may use it; it is offered where it matters instead of in the menu.
    Unlisted,
    /// Only admins may use it, and only they see it (in their own menu); for anyone else it
    /// does not exist.
    Admin,
}

/// The facts of one command.
#[derive(Debug)]
pub(crate) struct Spec {
    pub command: Command,
    /// The name registered with Telegram, then its aliases (lower-case ASCII, no `/`).
    pub names: &'static [&'static str],
    /// The UI string key of the description shown in Telegram's command menu.
    pub description_key: &'static str,
    pub visibility: Visibility,
}

/// Writes the enum [`Command`] and its table [`COMMANDS`] from one list, so that a command
/// cannot be missing its row.
macro_rules! commands {
    ($($(#[$doc:meta])* $command:ident => $visibility:ident, $key:literal, [$($name:literal),+];)+) => {
        /// A command of the bot; its facts are its row of [`COMMANDS`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Command {
            $($(#[$doc])* $command,)+
        }

        /// Every command, in menu order: the menu's commands, then the unlisted ones, then
        /// the admins'.
        pub(crate) const COMMANDS: &[Spec] = &[$(Spec {
            command: Command::$command,
            names: &[$($name),+],
            description_key: $key,
            visibility: Visibility::$visibility,
        },)+];
    };
}

commands! {
    Start => Menu, "cmd_start", ["start", "sakt"];
    Help => Menu, "cmd_help", ["help", "palidziba"];
    Lessons => Menu, "cmd_lessons", ["lessons", "nodarbibas"];
    Guidelines => Menu, "cmd_guidelines", ["guidelines", "vadlinijas"];
    Contact => Menu, "cmd_contact", ["contact", "kontakts", "kontakti"];
    /// What is open for public consultation on TAP now.
    Open => Menu, "cmd_open", ["open", "apspriesanas", "atverts"];
    /// Alerts when something opens at a ministry or in an area; alone, what one follows.
    Follow => Menu, "cmd_follow", ["follow", "sekot"];
    Specialists => Menu, "cmd_specialists", ["specialists", "specialisti"];
    Resources => Menu, "cmd_resources", ["resources", "resursi"];
    Search => Menu, "cmd_search", ["search", "meklet"];
    Language => Menu, "cmd_language", ["language", "valoda", "lang"];
    About => Menu, "cmd_about", ["about", "par"];
    Privacy => Menu, "cmd_privacy", ["privacy", "privatums"];
    /// Offered in the list of what one follows.
    Unfollow => Unlisted, "cmd_unfollow", ["unfollow", "nesekot"];
    /// Offered where it matters, in the privacy text.
    Forget => Unlisted, "cmd_forget", ["forget", "aizmirst"];
    /// Stops a report being written; offered in the prompt after 🚩.
    Cancel => Unlisted, "cmd_cancel", ["cancel", "atcelt"];
    /// Re-imports the content now.
    Reload => Admin, "cmd_reload", ["reload", "parladet"];
    /// Usage statistics.
    Stats => Admin, "cmd_stats", ["stats", "statistika"];
    /// The open reports of mistakes.
    Reports => Admin, "cmd_reports", ["reports", "zinojumi"];
}

// The enum and the table come from one list, so a command's discriminant is its row.
const _: () = {
    let mut i = 0;
    while i < COMMANDS.len() {
        assert!(COMMANDS[i].command as usize == i);
        i += 1;
    }
};

impl Command {
    /// The commands in everyone's menu, in menu order.
    pub(crate) const PUBLIC: &'static [Command] =
        &select::<{ count(Visibility::Menu) }>(Visibility::Menu);

    /// Commands everyone may use that are not in the menu.
    #[cfg(test)]
    pub(crate) const UNLISTED: &'static [Command] =
        &select::<{ count(Visibility::Unlisted) }>(Visibility::Unlisted);

    /// The commands only admins see and may use.
    pub(crate) const ADMIN: &'static [Command] =
        &select::<{ count(Visibility::Admin) }>(Visibility::Admin);

    /// Every command, in the order of [`COMMANDS`].
    #[cfg(test)]
    pub(crate) const ALL: &'static [Command] = &every::<{ COMMANDS.len() }>();

    /// This command's row of [`COMMANDS`].
    pub(crate) fn spec(self) -> &'static Spec {
        &COMMANDS[self as usize]
    }

    /// Whether only admins may use this command.
    pub(crate) fn is_admin_only(self) -> bool {
        self.spec().visibility == Visibility::Admin
    }

    /// The ASCII name registered with Telegram.
    pub(crate) fn name(self) -> &'static str {
        self.spec().names[0]
    }

    /// The name and its Latvian aliases.
    #[cfg(test)]
    pub(crate) fn names(self) -> &'static [&'static str] {
        self.spec().names
    }

    /// The UI string key of the description shown in Telegram's command menu.
    pub(crate) fn description_key(self) -> &'static str {
        self.spec().description_key
    }

    /// The command with this name or alias (lower-case, without `/`).
    pub(crate) fn from_name(name: &str) -> Option<Command> {
        COMMANDS
            .iter()
            .find(|spec| spec.names.contains(&name))
            .map(|spec| spec.command)
    }
}

/// How many commands of [`COMMANDS`] have `visibility`.
const fn count(visibility: Visibility) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < COMMANDS.len() {
        if COMMANDS[i].visibility as u8 == visibility as u8 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The commands of [`COMMANDS`] that have `visibility`, in order; `N` is their [`count`].
const fn select<const N: usize>(visibility: Visibility) -> [Command; N] {
    let mut out = [Command::Start; N];
    let (mut i, mut at) = (0, 0);
    while i < COMMANDS.len() {
        if COMMANDS[i].visibility as u8 == visibility as u8 {
            out[at] = COMMANDS[i].command;
            at += 1;
        }
        i += 1;
    }
    out
}

/// Every command of [`COMMANDS`], in order.
#[cfg(test)]
const fn every<const N: usize>() -> [Command; N] {
    let mut out = [Command::Start; N];
    let mut i = 0;
    while i < N {
        out[i] = COMMANDS[i].command;
        i += 1;
    }
    out
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
        for &command in Command::ALL {
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
        // No name is taken twice.
        let names: Vec<&str> = COMMANDS.iter().flat_map(|s| s.names).copied().collect();
        for name in &names {
            assert_eq!(names.iter().filter(|n| *n == name).count(), 1, "{name}");
        }
        assert_eq!(Command::from_name("nope"), None);
    }

    #[test]
    fn the_lists_are_the_rows_of_each_visibility_in_table_order() {
        use Command::*;
        assert_eq!(
            Command::PUBLIC,
            [
                Start,
                Help,
                Lessons,
                Guidelines,
                Contact,
                Open,
                Follow,
                Specialists,
                Resources,
                Search,
                Language,
                About,
                Privacy
            ]
        );
        assert_eq!(Command::UNLISTED, [Unfollow, Forget, Cancel]);
        assert_eq!(Command::ADMIN, [Reload, Stats, Reports]);
        // Every command is in exactly one list, and ALL holds them in the table's order.
        let lists = [Command::PUBLIC, Command::UNLISTED, Command::ADMIN].concat();
        assert_eq!(lists, Command::ALL);
        assert_eq!(Command::ALL.len(), COMMANDS.len());
        assert!(Command::Reports.is_admin_only() && !Command::Cancel.is_admin_only());
        assert_eq!(Command::Contact.description_key(), "cmd_contact");
    }

    #[test]
    fn every_description_is_a_ui_string_the_content_must_hold() {
        for spec in COMMANDS {
            assert!(
                crate::content::ui::KEYS.contains(&spec.description_key),
                "{:?}: {} is not in content::ui::KEYS",
                spec.command,
                spec.description_key
            );
        }
    }
}

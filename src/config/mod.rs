//! The settings, read from the environment (and `.env` or `--env-file`, which `main` loads
//! into it first) into one typed value.
//!
//! [`Config`] is declared once, with clap's `env` attributes: each field names its variable,
//! its default, what it accepts (the value parser) and what it means (the doc comment). The
//! same declaration gives `--help` its list of variables ([`help`]). The values are handed to
//! clap as arguments built from a lookup function rather than read by clap from the process,
//! so that a test can pass a map and a blank value (`TELOXIDE_TOKEN=` in an env file) counts
//! as unset. The variables are not command-line options: a token on a command line would
//! show in `ps`. Secrets are [`SecretString`]s, whose `Debug` shows no value.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue};
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser};
pub use secrecy::{ExposeSecret, SecretString};

use crate::lang::Lang;

mod values;
use values::{
    Expected, address, admins, api_url, chat_backlog, language, log_format, on_off, reply_deadline,
    sqlite_url, sync_interval, tap_url, threads, token, webhook_secret, webhook_url,
};

/// Default database: a SQLite file under `data/`, created if missing.
pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://data/lidzdaliba.db";

/// Default for `BOT_CHAT_BACKLOG`: updates one chat may have waiting.
pub(crate) const DEFAULT_CHAT_BACKLOG: usize = 20;

/// Default for `BOT_REPLY_DEADLINE`: how long a reply is tried after its update arrived.
pub(crate) const DEFAULT_REPLY_DEADLINE: &str = "15m";

/// The bot's settings.
#[derive(Parser, Debug, Clone)]
#[command(name = "settings", no_binary_name = true)]
pub struct Config {
    /// The bot token from @BotFather; only `run` needs it
    #[arg(long, env = "TELOXIDE_TOKEN", value_parser = token, hide_env_values = true)]
    pub token: Option<SecretString>,
    /// Another Bot API server (a local telegram-bot-api, or a test double) instead of Telegram's
    #[arg(long, env = "TELOXIDE_API_URL", value_parser = api_url)]
    pub api_url: Option<String>,
    /// The SQLite cache of the content and the users' language choice; `run` and `console`
    /// create it (and its folder)
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = sqlite_url)]
    pub database_url: String,
    /// The folder with the content files
    #[arg(long, env = "CONTENT_DIR", default_value = "content")]
    pub content_dir: PathBuf,
    /// The folder with the Hunspell dictionaries `lv_LV` and `en_US` (.aff + .dic): a word they
    /// know is never read as a typo; without them no word is
    #[arg(long, env = "DICTIONARY_DIR", default_value = "/usr/share/hunspell")]
    pub dictionary_dir: PathBuf,
    /// `lv` or `en`: the language (replies and command menu) for users whose Telegram language
    /// is neither Latvian nor English, or unknown
    #[arg(long, env = "DEFAULT_LANGUAGE", default_value = "lv", value_parser = language)]
    pub default_language: Lang,
    /// `on` or `off`: client-side rate limits on replies (1 message/s per private chat, 20/min
    /// per group, 30/s overall); `off` only for local benchmarks
    #[arg(long, env = "BOT_THROTTLE", default_value = "on", value_parser = on_off, action = ArgAction::Set)]
    pub throttle: bool,
    /// Threads that answer requests: `1` (measured cheapest), a number up to 256, or `auto` (one
    /// per core)
    // `None` is one per core. The full path keeps clap from reading `Option` as "the variable may be missing".
    #[arg(long, env = "BOT_THREADS", default_value = "1", value_parser = threads)]
    pub threads: ::std::option::Option<usize>,
    /// The log filter, tracing's `EnvFilter` syntax (default `info`, `warn` in the console)
    #[arg(long, env = "RUST_LOG")]
    pub log_filter: Option<String>,
    /// `text` or `json` (one JSON object a line, for log collectors)
    #[arg(long, env = "LOG_FORMAT", default_value = "text", value_parser = log_format, action = ArgAction::Set)]
    pub log_json: bool,
    /// Webhook mode: the public https:// URL Telegram posts updates to; without it, long polling
    #[arg(long, env = "WEBHOOK_URL", value_parser = webhook_url)]
    webhook_url: Option<url::Url>,
    /// 1-256 of A-Z a-z 0-9 _ -, checked on every webhook request; a random one at each start
    /// when not set
    #[arg(long, env = "WEBHOOK_SECRET", value_parser = webhook_secret, hide_env_values = true)]
    webhook_secret: Option<SecretString>,
    /// The local address of the webhook server (behind a reverse proxy)
    #[arg(long, env = "WEBHOOK_LISTEN", default_value = "127.0.0.1:8080", value_parser = address)]
    webhook_listen: SocketAddr,
    /// The address for /healthz and /metrics (may equal WEBHOOK_LISTEN); `lidzdaliba-bot
    /// health` asks it
    #[arg(long, env = "HEALTH_LISTEN", value_parser = address)]
    pub health_listen: Option<SocketAddr>,
    /// Telegram user ids, separated by commas, allowed /reload and /stats
    // The full path keeps clap from reading `Vec` as "the variable may be repeated".
    #[arg(long, env = "BOT_ADMINS", default_value = "", hide_default_value = true, value_parser = admins)]
    pub admins: ::std::vec::Vec<crate::ids::UserId>,
    /// Updates one chat may have waiting, 1 to 1000; beyond it the oldest are dropped and the
    /// chat gets one notice
    #[arg(long, env = "BOT_CHAT_BACKLOG", default_value_t = DEFAULT_CHAT_BACKLOG, value_parser = chat_backlog)]
    pub chat_backlog: usize,
    /// The TAP portal whose public consultations the bot reads (`tap-sync`, and `run` every
    /// TAP_SYNC_INTERVAL)
    #[arg(long, env = "TAP_URL", default_value = "https://tapportals.mk.gov.lv", value_parser = tap_url)]
    pub tap_url: String,
    /// How often `run` reads TAP: a duration such as `1h`, `15m` or `90s` (1 s to 7 days), or
    /// `off`; the console never reads it
    // `None` is off. The full path keeps clap from reading `Option` as "the variable may be missing".
    #[arg(long, env = "TAP_SYNC_INTERVAL", default_value = "1h", value_parser = sync_interval)]
    pub tap_sync_interval: ::std::option::Option<std::time::Duration>,
    /// How long after an update arrived its reply is still tried while the Bot API fails
    /// (`90s`, `15m`, `2h`; 10 s to 24 h); a reply not delivered by then is dropped and counted
    #[arg(long, env = "BOT_REPLY_DEADLINE", default_value = DEFAULT_REPLY_DEADLINE, value_parser = reply_deadline)]
    pub reply_deadline: std::time::Duration,
}

/// Webhook mode: where Telegram posts updates and how they are checked.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The public HTTPS URL Telegram posts to (its path is served locally).
    pub url: url::Url,
    /// The secret Telegram sends back in `X-Telegram-Bot-Api-Secret-Token`: `WEBHOOK_SECRET`,
    /// or a random one.
    pub secret: SecretString,
    /// The local address the HTTP server listens on.
    pub listen: SocketAddr,
}

/// A variable holds a value the bot cannot use.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{var}={value:?} is not valid: {expected}")]
pub struct ConfigError {
    pub var: String,
    /// The value as given, or `<hidden>` for a secret.
    pub value: String,
    pub expected: String,
}

impl Config {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `get` (the environment, or a map in tests). Values are
    /// trimmed; a blank one counts as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut argv: Vec<OsString> = Vec::new();
        for (var, long) in variables() {
            if let Some(value) = get(&var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
            {
                argv.push(format!("--{long}={value}").into());
            }
        }
        // Only the arguments built here count: clap must not read the process environment.
        let command = Self::command().mut_args(|arg| arg.env(None));
        let matches = command
            .try_get_matches_from(argv)
            .map_err(|err| ConfigError::from_clap(&err))?;
        let mut config =
            Self::from_arg_matches(&matches).map_err(|err| ConfigError::from_clap(&err))?;
        if config.webhook_url.is_some() && config.webhook_secret.is_none() {
            let secret = generate_secret().map_err(|_| ConfigError {
                var: "WEBHOOK_SECRET".into(),
                value: String::new(),
                expected: "a secret (none could be generated: /dev/urandom is not readable)".into(),
            })?;
            config.webhook_secret = Some(secret.into());
        }
        Ok(config)
    }

    /// Webhook mode, if `WEBHOOK_URL` is set.
    pub(crate) fn webhook(&self) -> Option<Webhook> {
        Some(Webhook {
            url: self.webhook_url.clone()?,
            // `from_lookup` generated one if none was set.
            secret: self.webhook_secret.clone()?,
            listen: self.webhook_listen,
        })
    }
}

/// `(variable, option name)` of every setting, in declaration order.
fn variables() -> Vec<(String, String)> {
    Config::command()
        .get_arguments()
        .filter_map(|arg| {
            let var = arg.get_env()?.to_str()?.to_string();
            Some((var, arg.get_long()?.to_string()))
        })
        .collect()
}

/// Every variable the bot reads, in the order `--help` lists them.
pub fn variable_names() -> Vec<String> {
    variables().into_iter().map(|(var, _)| var).collect()
}

/// The list of variables for `--help`: each with what it means and its default.
pub fn help() -> String {
    let command = Config::command();
    let rows: Vec<(String, String)> = command
        .get_arguments()
        .filter_map(|arg| {
            let var = arg.get_env()?.to_string_lossy().into_owned();
            let meaning = arg.get_help().map(ToString::to_string).unwrap_or_default();
            let default = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy())
                .collect::<Vec<_>>()
                .join(",");
            let shown = if default.is_empty() || arg.is_hide_default_value_set() {
                meaning
            } else {
                format!("{meaning} [default: {default}]")
            };
            Some((var, shown))
        })
        .collect();
    let width = rows.iter().map(|(var, _)| var.len()).max().unwrap_or(0);
    let mut out = String::from(
        "Settings (from the environment, and from ./.env or the file given with --env-file; \
         the environment wins over the file):\n",
    );
    for (var, meaning) in rows {
        out.push_str(&format!("  {var:width$}  {meaning}\n"));
    }
    out
}

impl ConfigError {
    /// The variable and value a clap error is about, with what the variable accepts.
    fn from_clap(err: &clap::Error) -> Self {
        let mut command = Config::command();
        // An argument shows itself (`--bot-threads <BOT_THREADS>`) only once built.
        command.build();
        let arg = match err.get(ContextKind::InvalidArg) {
            Some(ContextValue::String(shown)) => {
                command.get_arguments().find(|a| a.to_string() == *shown)
            }
            _ => None,
        };
        let var = arg
            .and_then(|a| a.get_env())
            .map_or_else(|| "a setting".to_string(), |v| v.to_string_lossy().into());
        let value = match err.get(ContextKind::InvalidValue) {
            _ if arg.is_some_and(|a| a.is_hide_env_values_set()) => "<hidden>".to_string(),
            Some(ContextValue::String(value)) => value.clone(),
            _ => String::new(),
        };
        let expected = std::error::Error::source(err)
            .and_then(|source| source.downcast_ref::<Expected>())
            .map_or_else(|| err.kind().to_string(), |e| e.0.to_string());
        ConfigError {
            var,
            value,
            expected,
        }
    }
}

/// A secret for `setWebhook`: 48 hex characters from the system's random source.
pub(crate) fn generate_secret() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.content_dir, PathBuf::from("content"));
        assert_eq!(c.default_language, Lang::Lv);
        assert!(c.throttle && c.token.is_none());
        assert!(c.webhook().is_none() && c.admins.is_empty() && !c.log_json);
        // Blank values (`TELOXIDE_TOKEN=` in an env file) are unset.
        let c = config(&[("TELOXIDE_TOKEN", " "), ("DEFAULT_LANGUAGE", "")]).unwrap();
        assert!(c.token.is_none());
        assert_eq!(c.default_language, Lang::Lv);
    }

    #[test]
    fn wrong_values_name_the_variable_and_what_it_accepts() {
        let err = config(&[("DEFAULT_LANGUAGE", "de")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "DEFAULT_LANGUAGE=\"de\" is not valid: 'lv' or 'en'"
        );
        let err = config(&[("DATABASE_URL", "postgres://x")]).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert_eq!(config(&[]).unwrap().threads, Some(1));
        assert_eq!(config(&[("BOT_THREADS", "auto")]).unwrap().threads, None);
        assert_eq!(config(&[("BOT_THREADS", "4")]).unwrap().threads, Some(4));
        for bad in ["0", "many", "-1", "1000"] {
            let err = config(&[("BOT_THREADS", bad)]).unwrap_err();
            assert_eq!(err.var, "BOT_THREADS");
            assert_eq!(err.value, bad);
            assert!(err.expected.contains("from 1 to 256"), "{err}");
        }
        assert_eq!(config(&[]).unwrap().chat_backlog, DEFAULT_CHAT_BACKLOG);
        assert_eq!(
            config(&[("BOT_CHAT_BACKLOG", "5")]).unwrap().chat_backlog,
            5
        );
        for bad in ["0", "x", "1001"] {
            let err = config(&[("BOT_CHAT_BACKLOG", bad)]).unwrap_err();
            assert_eq!(err.var, "BOT_CHAT_BACKLOG");
        }
        let minutes = |n: u64| std::time::Duration::from_secs(60 * n);
        assert_eq!(config(&[]).unwrap().reply_deadline, minutes(15));
        for (given, expected) in [("90s", 90), ("15m", 900), ("2h", 7200), ("24h", 86_400)] {
            let c = config(&[("BOT_REPLY_DEADLINE", given)]).unwrap();
            assert_eq!(c.reply_deadline.as_secs(), expected, "{given}");
        }
        for bad in ["15", "9s", "25h", "m", "1.5m", "-5m", "15 min", "ā"] {
            let err = config(&[("BOT_REPLY_DEADLINE", bad)]).unwrap_err();
            assert_eq!(err.var, "BOT_REPLY_DEADLINE", "{bad}");
            assert!(err.expected.contains("such as 90s, 15m or 2h"), "{err}");
        }
        let err = config(&[("BOT_THROTTLE", "maybe")]).unwrap_err();
        assert_eq!(err.var, "BOT_THROTTLE");
        assert!(!config(&[("BOT_THROTTLE", "off")]).unwrap().throttle);
        assert_eq!(
            config(&[("BOT_ADMINS", "x1")]).unwrap_err().var,
            "BOT_ADMINS"
        );
        assert_eq!(
            config(&[("HEALTH_LISTEN", "9090")]).unwrap_err().var,
            "HEALTH_LISTEN"
        );
        assert_eq!(
            config(&[("LOG_FORMAT", "xml")]).unwrap_err().var,
            "LOG_FORMAT"
        );
        assert_eq!(
            config(&[("TELOXIDE_API_URL", "ftp://x")]).unwrap_err().var,
            "TELOXIDE_API_URL"
        );
        assert_eq!(
            config(&[("WEBHOOK_URL", "not a url")]).unwrap_err().var,
            "WEBHOOK_URL"
        );
        let bad_secret = [
            ("WEBHOOK_URL", "https://bot.example.lv/tg"),
            ("WEBHOOK_SECRET", "a b"),
        ];
        let err = config(&bad_secret).unwrap_err();
        assert_eq!(err.var, "WEBHOOK_SECRET");
        assert_eq!(err.value, "<hidden>", "a secret is never echoed");
    }

    #[test]
    fn webhook_admins_and_health_are_read() {
        let c = config(&[
            ("WEBHOOK_URL", "https://bot.example.lv/tg"),
            ("BOT_ADMINS", "12, 34"),
            ("HEALTH_LISTEN", "127.0.0.1:9090"),
            ("LOG_FORMAT", "json"),
            ("RUST_LOG", "debug"),
        ])
        .unwrap();
        let hook = c.webhook().unwrap();
        let secret = hook.secret.expose_secret();
        assert_eq!(secret.len(), 48, "a secret is generated when none is set");
        assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(
            secret,
            config(&[("WEBHOOK_URL", "https://bot.example.lv/tg")])
                .unwrap()
                .webhook()
                .unwrap()
                .secret
                .expose_secret(),
            "and it is random"
        );
        assert_eq!(hook.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.admins, vec![UserId(12), UserId(34)]);
        assert_eq!(c.health_listen.unwrap().port(), 9090);
        assert!(c.log_json);
        assert_eq!(c.log_filter.as_deref(), Some("debug"));
    }

    #[test]
    fn tap_settings_read_a_portal_and_an_interval() {
        let c = config(&[]).unwrap();
        assert_eq!(c.tap_url, "https://tapportals.mk.gov.lv");
        assert_eq!(
            c.tap_sync_interval,
            Some(std::time::Duration::from_secs(3600))
        );
        let c = config(&[
            ("TAP_URL", "http://127.0.0.1:8099/"),
            ("TAP_SYNC_INTERVAL", "15m"),
        ])
        .unwrap();
        assert_eq!(c.tap_url, "http://127.0.0.1:8099");
        assert_eq!(
            c.tap_sync_interval,
            Some(std::time::Duration::from_secs(900))
        );
        let secs = |v: &str| {
            config(&[("TAP_SYNC_INTERVAL", v)])
                .unwrap()
                .tap_sync_interval
                .map(|d| d.as_secs())
        };
        assert_eq!(secs("3s"), Some(3));
        assert_eq!(secs("1h30m"), Some(5400));
        assert_eq!(secs("7d"), Some(604_800));
        assert_eq!(secs("off"), None);
        for bad in ["0s", "8d", "1", "h", "1x", "-1h", "1.5h", "on", "1h 30m"] {
            let err = config(&[("TAP_SYNC_INTERVAL", bad)]).unwrap_err();
            assert_eq!(err.var, "TAP_SYNC_INTERVAL", "{bad}");
            assert!(err.expected.contains("1h30m"), "{err}");
        }
        assert_eq!(
            config(&[("TAP_URL", "tapportals.mk.gov.lv")])
                .unwrap_err()
                .var,
            "TAP_URL"
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = config(&[
            ("TELOXIDE_TOKEN", "123456:TOKEN-in-the-env"),
            ("WEBHOOK_URL", "https://bot.example.lv/tg"),
            ("WEBHOOK_SECRET", "hook-secret-value"),
        ])
        .unwrap();
        let shown = format!("{c:?} {:?}", c.webhook());
        assert!(!shown.contains("TOKEN-in-the-env"), "{shown}");
        assert!(!shown.contains("hook-secret-value"), "{shown}");
        assert_eq!(
            c.token.as_ref().unwrap().expose_secret(),
            "123456:TOKEN-in-the-env"
        );
    }

    /// The help names every variable with its default, and the example env file shows each.
    #[test]
    fn every_variable_is_in_the_help_and_in_env_example() {
        let names = variable_names();
        assert!(names.len() >= 14, "{names:?}");
        let help = help();
        let example = include_str!("../../.env.example");
        for name in &names {
            assert!(help.contains(&format!("  {name} ")), "{name} in\n{help}");
            assert!(
                example.contains(&format!("# {name}=")) || example.contains(&format!("{name}=")),
                "{name} in .env.example"
            );
        }
        assert!(
            help.contains("[default: sqlite://data/lidzdaliba.db]"),
            "{help}"
        );
    }
}

//! Configuration from the environment (and `.env`), validated into one typed value.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::lang::Lang;

/// Default database: a SQLite file under `data/`, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/lidzdaliba.db";

/// Default for `BOT_CHAT_BACKLOG`: updates one chat may have waiting.
pub const DEFAULT_CHAT_BACKLOG: usize = 20;

/// The bot's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: a `sqlite:` URL.
    pub database_url: String,
    /// `CONTENT_DIR`: the folder with the content files.
    pub content_dir: PathBuf,
    /// `DEFAULT_LANGUAGE`: `lv` or `en`, for users whose language is unknown.
    pub default_language: Lang,
    /// `TELOXIDE_TOKEN`: the bot token from @BotFather (only `run` needs it).
    pub token: Option<String>,
    /// `TELOXIDE_API_URL`: another Bot API server (a local one, or a test double).
    pub api_url: Option<String>,
    /// `BOT_THROTTLE`: keep Telegram's rate limits on the client side (default on).
    pub throttle: bool,
    /// `WEBHOOK_URL` (+ `WEBHOOK_SECRET`, `WEBHOOK_LISTEN`): webhook mode instead of polling.
    pub webhook: Option<WebhookConfig>,
    /// `HEALTH_LISTEN`: where `/healthz` and `/metrics` are served.
    pub health_listen: Option<SocketAddr>,
    /// `BOT_ADMINS`: Telegram user ids allowed `/reload` and `/stats`.
    pub admins: Vec<i64>,
    /// `LOG_FORMAT=json`: structured logs, one JSON object a line.
    pub log_json: bool,
    /// `BOT_THREADS`: threads that answer requests; `None` means one per core.
    pub threads: Option<usize>,
    /// `BOT_CHAT_BACKLOG`: updates one chat may have waiting; beyond it the oldest are dropped.
    pub chat_backlog: usize,
}

/// Webhook settings.
#[derive(Clone)]
pub struct WebhookConfig {
    pub url: url::Url,
    /// `WEBHOOK_SECRET`, or a random one when it is not set.
    pub secret: String,
    /// `WEBHOOK_LISTEN`, default `127.0.0.1:8080` (behind a reverse proxy).
    pub listen: SocketAddr,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url.as_str())
            .field("secret", &"<hidden>")
            .field("listen", &self.listen)
            .finish()
    }
}

/// A variable holds a value the bot cannot use.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{var}={value:?} is not valid: {expected}")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let database_url = value("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !database_url.starts_with("sqlite:") {
            return Err(ConfigError {
                var: "DATABASE_URL",
                value: database_url,
                expected: "a SQLite URL such as sqlite://data/lidzdaliba.db",
            });
        }
        let default_language = match value("DEFAULT_LANGUAGE") {
            None => Lang::Lv,
            Some(v) => match v.as_str() {
                "lv" => Lang::Lv,
                "en" => Lang::En,
                _ => {
                    return Err(ConfigError {
                        var: "DEFAULT_LANGUAGE",
                        value: v,
                        expected: "'lv' or 'en'",
                    });
                }
            },
        };
        let api_url = value("TELOXIDE_API_URL");
        if let Some(url) = &api_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError {
                var: "TELOXIDE_API_URL",
                value: url.clone(),
                expected: "an http:// or https:// URL of a Bot API server",
            });
        }
        let throttle = match value("BOT_THROTTLE").as_deref() {
            None | Some("on" | "true" | "1") => true,
            Some("off" | "false" | "0") => false,
            Some(other) => {
                return Err(ConfigError {
                    var: "BOT_THROTTLE",
                    value: other.to_string(),
                    expected: "'on' or 'off'",
                });
            }
        };
        let threads = match value("BOT_THREADS").as_deref() {
            None | Some("1") => Some(1),
            Some("auto") => None,
            Some(other) => match other.parse::<usize>() {
                Ok(n) if (1..=256).contains(&n) => Some(n),
                _ => {
                    return Err(ConfigError {
                        var: "BOT_THREADS",
                        value: other.to_string(),
                        expected: "a number of threads from 1 to 256, or 'auto' (one per core)",
                    });
                }
            },
        };
        let chat_backlog = match value("BOT_CHAT_BACKLOG") {
            None => DEFAULT_CHAT_BACKLOG,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return Err(ConfigError {
                        var: "BOT_CHAT_BACKLOG",
                        value: v,
                        expected: "a number of updates from 1 to 1000",
                    });
                }
            },
        };
        let addr = |var: &'static str, v: String| {
            v.parse::<SocketAddr>().map_err(|_| ConfigError {
                var,
                value: v,
                expected: "an address with a port, such as 127.0.0.1:9090",
            })
        };
        let webhook = match value("WEBHOOK_URL") {
            None => None,
            Some(raw) => {
                let url = url::Url::parse(&raw)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
                    .ok_or(ConfigError {
                        var: "WEBHOOK_URL",
                        value: raw.clone(),
                        expected: "the public https:// URL Telegram should post updates to",
                    })?;
                let secret = match value("WEBHOOK_SECRET") {
                    Some(secret) => {
                        let valid = (1..=256).contains(&secret.len())
                            && secret
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                        if !valid {
                            return Err(ConfigError {
                                var: "WEBHOOK_SECRET",
                                value: "<hidden>".into(),
                                expected: "1-256 characters of A-Z, a-z, 0-9, _ and -",
                            });
                        }
                        secret
                    }
                    None => crate::bot::webhook::generate_secret().map_err(|_| ConfigError {
                        var: "WEBHOOK_SECRET",
                        value: String::new(),
                        expected: "a secret (none could be generated: /dev/urandom is not readable)",
                    })?,
                };
                let listen = match value("WEBHOOK_LISTEN") {
                    Some(v) => addr("WEBHOOK_LISTEN", v)?,
                    None => SocketAddr::from(([127, 0, 0, 1], 8080)),
                };
                Some(WebhookConfig {
                    url,
                    secret,
                    listen,
                })
            }
        };
        let health_listen = value("HEALTH_LISTEN")
            .map(|v| addr("HEALTH_LISTEN", v))
            .transpose()?;
        let admins = match value("BOT_ADMINS") {
            None => Vec::new(),
            Some(list) => list
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(|id| id.parse::<i64>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| ConfigError {
                    var: "BOT_ADMINS",
                    value: list.clone(),
                    expected: "Telegram user ids separated by commas, such as 12345,67890",
                })?,
        };
        let log_json = match value("LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError {
                    var: "LOG_FORMAT",
                    value: other.to_string(),
                    expected: "'text' or 'json'",
                });
            }
        };
        Ok(Self {
            webhook,
            health_listen,
            admins,
            log_json,
            database_url,
            content_dir: value("CONTENT_DIR")
                .map_or_else(|| PathBuf::from("content"), PathBuf::from),
            default_language,
            token: value("TELOXIDE_TOKEN"),
            api_url,
            throttle,
            threads,
            chat_backlog,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            config(&[("WEBHOOK_URL", "not a url")]).unwrap_err().var,
            "WEBHOOK_URL"
        );
        let bad_secret = [
            ("WEBHOOK_URL", "https://bot.example.lv/tg"),
            ("WEBHOOK_SECRET", "a b"),
        ];
        assert_eq!(config(&bad_secret).unwrap_err().var, "WEBHOOK_SECRET");
    }

    #[test]
    fn webhook_admins_and_health_are_read() {
        let c = config(&[
            ("WEBHOOK_URL", "https://bot.example.lv/tg"),
            ("BOT_ADMINS", "12, 34"),
            ("HEALTH_LISTEN", "127.0.0.1:9090"),
            ("LOG_FORMAT", "json"),
        ])
        .unwrap();
        let hook = c.webhook.unwrap();
        assert_eq!(
            hook.secret.len(),
            48,
            "a secret is generated when none is set"
        );
        assert_eq!(hook.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.admins, vec![12, 34]);
        assert_eq!(c.health_listen.unwrap().port(), 9090);
        assert!(c.log_json);
    }
}

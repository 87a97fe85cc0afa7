//! Configuration from the environment (and `.env`), validated into one typed value.

use std::path::PathBuf;

use crate::lang::Lang;

/// Default database: a SQLite file under `data/`, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/lidzdaliba.db";

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
        Ok(Self {
            database_url,
            content_dir: value("CONTENT_DIR")
                .map_or_else(|| PathBuf::from("content"), PathBuf::from),
            default_language,
            token: value("TELOXIDE_TOKEN"),
            api_url,
            throttle,
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
        let err = config(&[("BOT_THROTTLE", "maybe")]).unwrap_err();
        assert_eq!(err.var, "BOT_THROTTLE");
        assert!(!config(&[("BOT_THROTTLE", "off")]).unwrap().throttle);
    }
}

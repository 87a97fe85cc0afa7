//! What each variable accepts: one value parser per kind of value, each saying in its error
//! what it expected.

use std::net::SocketAddr;

use secrecy::SecretString;

use crate::ids::UserId;
use crate::lang::Lang;

/// What a variable accepts, when its value is not that.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("{0}")]
pub(super) struct Expected(pub(super) &'static str);

pub(super) fn token(value: &str) -> Result<SecretString, Expected> {
    Ok(SecretString::from(value))
}

pub(super) fn sqlite_url(value: &str) -> Result<String, Expected> {
    if value.starts_with("sqlite:") {
        Ok(value.to_string())
    } else {
        Err(Expected("a SQLite URL such as sqlite://data/lidzdaliba.db"))
    }
}

pub(super) fn language(value: &str) -> Result<Lang, Expected> {
    match value {
        "lv" => Ok(Lang::Lv),
        "en" => Ok(Lang::En),
        _ => Err(Expected("'lv' or 'en'")),
    }
}

pub(super) fn api_url(value: &str) -> Result<String, Expected> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(value.to_string())
    } else {
        Err(Expected("an http:// or https:// URL of a Bot API server"))
    }
}

pub(super) fn on_off(value: &str) -> Result<bool, Expected> {
    match value {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(Expected("'on' or 'off'")),
    }
}

pub(super) fn threads(value: &str) -> Result<Option<usize>, Expected> {
    match value {
        "auto" => Ok(None),
        other => match other.parse::<usize>() {
            Ok(n) if (1..=256).contains(&n) => Ok(Some(n)),
            _ => Err(Expected(
                "a number of threads from 1 to 256, or 'auto' (one per core)",
            )),
        },
    }
}

pub(super) fn chat_backlog(value: &str) -> Result<usize, Expected> {
    match value.parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(Expected("a number of updates from 1 to 1000")),
    }
}

pub(super) fn tap_url(value: &str) -> Result<String, Expected> {
    url::Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
        .map(|_| value.trim_end_matches('/').to_string())
        .ok_or(Expected(
            "an http:// or https:// URL of the TAP portal, such as https://tapportals.mk.gov.lv",
        ))
}

/// `off`, or a duration from 1 s to 7 days (see [`seconds`]).
pub(super) fn sync_interval(value: &str) -> Result<Option<std::time::Duration>, Expected> {
    const EXPECTED: Expected =
        Expected("a duration such as 1h, 15m, 1h30m or 90s (from 1s to 7d), or 'off'");
    if value == "off" {
        return Ok(None);
    }
    match seconds(value) {
        Some(s) if (1..=7 * 86_400).contains(&s) => Ok(Some(std::time::Duration::from_secs(s))),
        _ => Err(EXPECTED),
    }
}

/// A reply deadline from 10 s to 24 h (see [`seconds`]).
pub(super) fn reply_deadline(value: &str) -> Result<std::time::Duration, Expected> {
    const EXPECTED: Expected = Expected("a duration from 10s to 24h, such as 90s, 15m or 2h");
    match seconds(value) {
        Some(s) if (10..=24 * 3600).contains(&s) => Ok(std::time::Duration::from_secs(s)),
        _ => Err(EXPECTED),
    }
}

/// The seconds of a duration written as whole numbers of days, hours, minutes and seconds
/// (`1h30m`, `15m`, `90s`, `2d`); `None` for anything else (a bare number, a fraction, a space).
fn seconds(value: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in value.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        let n: u64 = number.parse().ok()?;
        total = n
            .checked_mul(unit)
            .and_then(|part| total.checked_add(part))?;
        number.clear();
    }
    number.is_empty().then_some(total)
}

pub(super) fn log_format(value: &str) -> Result<bool, Expected> {
    match value {
        "text" => Ok(false),
        "json" => Ok(true),
        _ => Err(Expected("'text' or 'json'")),
    }
}

pub(super) fn webhook_url(value: &str) -> Result<url::Url, Expected> {
    url::Url::parse(value)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
        .ok_or(Expected(
            "the public https:// URL Telegram should post updates to",
        ))
}

pub(super) fn webhook_secret(value: &str) -> Result<SecretString, Expected> {
    let valid = (1..=256).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(SecretString::from(value))
    } else {
        Err(Expected("1-256 characters of A-Z, a-z, 0-9, _ and -"))
    }
}

pub(super) fn address(value: &str) -> Result<SocketAddr, Expected> {
    value
        .parse()
        .map_err(|_| Expected("an address with a port, such as 127.0.0.1:9090"))
}

pub(super) fn admins(value: &str) -> Result<Vec<UserId>, Expected> {
    value
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(|id| id.parse::<i64>().map(UserId))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| Expected("Telegram user ids separated by commas, such as 12345,67890"))
}

//! The two languages of the bot.

use std::fmt;
use std::str::FromStr;

/// A language the bot answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Lv,
    En,
}

impl Lang {
    /// The code stored and shown: `lv` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Lv => "lv",
            Lang::En => "en",
        }
    }

    /// The language for a Telegram `language_code`: Latvian for `lv` (and `lv-LV`), English
    /// for `en` (and `en-GB`, ...); `None` for any other, which gets the bot's default
    /// language. Telegram shows a user the command menu registered for their code, else the
    /// one registered without a code: so that menu (the default language's) and the replies
    /// agree for every code only if every other code gets the default language too.
    pub(crate) fn from_telegram(code: &str) -> Option<Lang> {
        let code = code.to_ascii_lowercase();
        let base = code.split(['-', '_']).next().unwrap_or("");
        match base {
            "lv" => Some(Lang::Lv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language.
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::Lv => Lang::En,
            Lang::En => Lang::Lv,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text is not `lv` or `en`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("'{0}' is not a language of this bot; use 'lv' or 'en'")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lv" | "latviesu" | "latviešu" | "latvian" => Ok(Lang::Lv),
            "en" | "english" | "anglu" | "angļu" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_string())),
        }
    }
}

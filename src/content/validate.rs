//! Format checks for single content values.

/// An id: 1–24 of `a-z`, `0-9`, `_`. Ids go into callback data and deep links, so they must
/// stay short and ASCII.
pub(crate) fn id(value: &str) -> bool {
    (1..=24).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A link the bot may show: `https://host.tld/...` or `tg://...`, no spaces or quotes.
pub(crate) fn url(value: &str) -> bool {
    if value
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\''))
    {
        return false;
    }
    if let Some(rest) = value.strip_prefix("tg://") {
        return !rest.is_empty();
    }
    let Some(rest) = value.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// An e-mail address: `local@domain.tld` with ordinary characters.
pub(crate) fn email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A Latvian phone number: 8 digits, optionally after `+371 `; spaces between groups allowed.
pub(crate) fn phone(value: &str) -> bool {
    let rest = value.strip_prefix("+371").unwrap_or(value);
    let digits: String = rest.chars().filter(|c| *c != ' ').collect();
    digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A calendar date `YYYY-MM-DD`.
pub(crate) fn date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (2000..=2100).contains(&y) && (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_or_tg() {
        assert!(url("https://www.mk.gov.lv/lv/padomi-un-resursi"));
        assert!(url("tg://resolve?domain=x"));
        assert!(!url("http://www.mk.gov.lv"));
        assert!(!url("javascript:alert(1)"));
        assert!(!url("https://bad host.lv"));
        assert!(!url("https://localhost"));
        assert!(!url("https://a.lv/\"><b>"));
    }

    #[test]
    fn emails_phones_dates_and_ids() {
        assert!(email("nvo@mk.gov.lv"));
        assert!(email("Agnese.Racene-Krumina@tm.gov.lv"));
        assert!(!email("nvo[at]mk.gov.lv"));
        assert!(!email("nvo@mk"));
        assert!(phone("67082935"));
        assert!(phone("+371 67015966"));
        assert!(!phone("6708293"));
        assert!(!phone("XX"));
        assert!(date("2024-02-29"));
        assert!(!date("2023-02-29"));
        assert!(!date("15.10.2024"));
        assert!(id("vides_aizsardziba"));
        assert!(!id("Vides"));
        assert!(!id("a-b"));
        assert!(!id(""));
    }
}

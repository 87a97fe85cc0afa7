//! UTC dates and times without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn now_utc() -> String {
    utc_time(unix_now())
}

/// The UTC time `secs` after the Unix epoch, as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn utc_time(secs: u64) -> String {
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The UTC date `days_ago` days before today, as `YYYY-MM-DD`.
pub fn day(days_ago: u64) -> String {
    let today = i64::try_from(unix_now() / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(today - i64::try_from(days_ago).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's date in Latvia (`YYYY-MM-DD`), taken as UTC+3 (summer time) all year: a date
/// written by someone in Latvia is never later than this, and in winter it runs at most an
/// hour early. Used to reject dates in the future.
pub fn today_in_latvia() -> String {
    let days = i64::try_from((unix_now() + 3 * 3600) / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The number of days from 1970-01-01 to `date` (`YYYY-MM-DD`), if it is one.
pub fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.split('-').map(str::parse::<i64>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The date (`YYYY-MM-DD`) of the day `days` after 1970-01-01: the inverse of [`day_number`].
pub fn date_of_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Year, month, day of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_737), (2024, 1, 15));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(day(0).len(), 10);
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2024-01-15"), Some(19_737));
        assert_eq!(day_number("2024-02-29"), Some(19_782));
        assert_eq!(day_number("2024-03-01"), Some(19_783));
        assert_eq!(day_number("15.09.2020"), None);
        for n in [0, 59, 60, 365, 10_000, 20_000, 30_000] {
            let (y, m, d) = civil_from_days(n);
            assert_eq!(day_number(&format!("{y:04}-{m:02}-{d:02}")), Some(n));
            assert_eq!(day_number(&date_of_day(n)), Some(n));
        }
    }
}

//! Relative times ("3 minutes ago") in the user's language, computed from two instants.

use chrono::{DateTime, Utc};

use crate::i18n::Locale;

/// How long ago `then` was, seen from `now`, in whole units: "just now", "5 minutes ago",
/// "2 days ago". A `then` in the future (clock skew between server and browser) reads as
/// "just now"; instants meant to be ahead (expiry) use [`relative_future`].
pub fn relative_past(locale: Locale, now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    match unit_and_count((now - then).num_seconds()) {
        None => locale.just_now().to_owned(),
        Some((unit, n)) => locale.ago(unit, n),
    }
}

/// How far ahead `then` is: "in 30 days".
pub fn relative_future(locale: Locale, now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    match unit_and_count((then - now).num_seconds()) {
        None => locale.just_now().to_owned(),
        Some((unit, n)) => locale.in_time(unit, n),
    }
}

/// The unit a duration is best spoken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

fn unit_and_count(seconds: i64) -> Option<(Unit, i64)> {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const MONTH: i64 = 30 * DAY;
    const YEAR: i64 = 365 * DAY;
    match seconds {
        s if s < MINUTE => None,
        s if s < HOUR => Some((Unit::Minute, s / MINUTE)),
        s if s < DAY => Some((Unit::Hour, s / HOUR)),
        s if s < MONTH => Some((Unit::Day, s / DAY)),
        s if s < YEAR => Some((Unit::Month, s / MONTH)),
        s => Some((Unit::Year, s / YEAR)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn ago(locale: Locale, seconds: i64) -> String {
        let now = Utc::now();
        relative_past(locale, now, now - Duration::seconds(seconds))
    }

    #[test]
    fn past_instants_read_in_whole_units() {
        assert_eq!(ago(Locale::En, 5), "just now");
        assert_eq!(ago(Locale::En, -30), "just now");
        assert_eq!(ago(Locale::En, 60), "1 minute ago");
        assert_eq!(ago(Locale::En, 3 * 60 + 59), "3 minutes ago");
        assert_eq!(ago(Locale::En, 2 * 3600), "2 hours ago");
        assert_eq!(ago(Locale::En, 86_400), "1 day ago");
        assert_eq!(ago(Locale::En, 40 * 86_400), "1 month ago");
        assert_eq!(ago(Locale::En, 800 * 86_400), "2 years ago");
    }

    #[test]
    fn french_puts_the_word_first() {
        assert_eq!(ago(Locale::Fr, 5), "à l’instant");
        assert_eq!(ago(Locale::Fr, 180), "il y a 3 minutes");
        assert_eq!(ago(Locale::Fr, 3600), "il y a 1 heure");
        assert_eq!(ago(Locale::Fr, 40 * 86_400), "il y a 1 mois");
    }

    #[test]
    fn future_instants_read_ahead() {
        let now = Utc::now();
        let later = now + Duration::days(30) + Duration::seconds(5);
        assert_eq!(relative_future(Locale::En, now, later), "in 1 month");
        assert_eq!(relative_future(Locale::Fr, now, later), "dans 1 mois");
    }
}

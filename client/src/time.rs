//! Relative times ("3 minutes ago") in the user's language, computed from two instants.

use chrono::{DateTime, Utc};

use crate::i18n::{Locale, Unit};

/// How long ago `then` was, seen from `now`, in whole units counted down: "just now",
/// "5 minutes ago" (for 5 min 59 s), "2 days ago". A `then` in the future (clock skew
/// between server and browser) reads as "just now"; instants meant to be ahead (expiry)
/// use [`relative_future`].
pub fn relative_past(locale: Locale, now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    match unit_of((now - then).num_seconds()) {
        None => locale.just_now().to_owned(),
        Some((unit, length)) => locale.ago(unit, (now - then).num_seconds() / length),
    }
}

/// How far ahead `then` is, to the nearest unit: "in 30 days" for 29 days 23 hours.
pub fn relative_future(locale: Locale, now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let seconds = (then - now).num_seconds();
    match unit_of(seconds) {
        None => locale.just_now().to_owned(),
        Some((unit, length)) => locale.in_time(unit, (seconds + length / 2) / length),
    }
}

/// The unit for a duration of `seconds`, with the unit's length in seconds; `None` under
/// a minute.
fn unit_of(seconds: i64) -> Option<(Unit, i64)> {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const MONTH: i64 = 30 * DAY;
    const YEAR: i64 = 365 * DAY;
    match seconds {
        s if s < MINUTE => None,
        s if s < HOUR => Some((Unit::Minute, MINUTE)),
        s if s < DAY => Some((Unit::Hour, HOUR)),
        s if s < MONTH => Some((Unit::Day, DAY)),
        s if s < YEAR => Some((Unit::Month, MONTH)),
        _ => Some((Unit::Year, YEAR)),
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
    fn future_instants_read_ahead_to_the_nearest_unit() {
        let now = Utc::now();
        let later = now + Duration::days(30) + Duration::seconds(5);
        assert_eq!(relative_future(Locale::En, now, later), "in 1 month");
        assert_eq!(relative_future(Locale::Fr, now, later), "dans 1 mois");
        let almost = now + Duration::days(30) - Duration::seconds(5);
        assert_eq!(relative_future(Locale::En, now, almost), "in 30 days");
        let hours = now + Duration::minutes(90);
        assert_eq!(relative_future(Locale::En, now, hours), "in 2 hours");
    }
}

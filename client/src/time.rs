//! Times as people read them: relative ("3 minutes ago") in the user's language, local
//! dates and times and local days from the browser's clock, and ISO 8601 for machines.

use chrono::{DateTime, NaiveDate, Utc};

use crate::i18n::{Locale, Unit};

/// `at` as a machine-readable instant (a `<time datetime>`, an API query): ISO 8601 in
/// UTC, written by the browser.
#[cfg(target_arch = "wasm32")]
pub fn iso(at: DateTime<Utc>) -> String {
    browser_date(at).to_iso_string().into()
}

/// Host builds (unit tests) have no browser: chrono writes it.
#[cfg(not(target_arch = "wasm32"))]
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

/// `at` as the reader's clock and calendar show it ("1 Dec 2026, 10:42").
pub fn local_date_time(locale: Locale, at: DateTime<Utc>) -> String {
    local_date_time_in(locale, at).unwrap_or_else(|| iso(at))
}

/// `at` as a browser `Date`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn browser_date(at: DateTime<Utc>) -> js_sys::Date {
    #[allow(
        clippy::cast_precision_loss,
        reason = "milliseconds since 1970 fit in f64"
    )]
    let millis = at.timestamp_millis() as f64;
    js_sys::Date::new(&millis.into())
}

#[cfg(target_arch = "wasm32")]
fn local_date_time_in(locale: Locale, at: DateTime<Utc>) -> Option<String> {
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        js_sys::Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    Some(
        browser_date(at)
            .to_locale_string(locale.tag(), &options)
            .into(),
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn local_date_time_in(_locale: Locale, _at: DateTime<Utc>) -> Option<String> {
    None
}

/// The day a date input holds (`2026-12-03`), read without chrono's general parser (see
/// `hallpass_shared::time`).
pub fn input_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, '-').map(|part| part.parse::<u32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// The instant `day` begins on the reader's clock (what "from 3 December" means to them);
/// midnight UTC where there is no browser clock.
pub fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    local_midnight_millis(day)
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_else(|| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

#[cfg(target_arch = "wasm32")]
fn local_midnight_millis(day: NaiveDate) -> Option<i64> {
    use chrono::Datelike as _;

    let month = i32::try_from(day.month0()).ok()?;
    let date = js_sys::Date::new_with_year_month_day(
        u32::try_from(day.year()).ok()?,
        month,
        i32::try_from(day.day()).ok()?,
    );
    let millis = date.get_time();
    #[allow(
        clippy::cast_possible_truncation,
        reason = "a date's milliseconds are whole"
    )]
    (millis.is_finite()).then_some(millis as i64)
}

#[cfg(not(target_arch = "wasm32"))]
fn local_midnight_millis(_day: NaiveDate) -> Option<i64> {
    None
}

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
    fn date_inputs_read_as_days() {
        assert_eq!(
            input_date("2026-12-03"),
            NaiveDate::from_ymd_opt(2026, 12, 3)
        );
        assert_eq!(input_date("2026-02-30"), None);
        assert_eq!(input_date(""), None);
        assert_eq!(input_date("2026-12"), None);
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

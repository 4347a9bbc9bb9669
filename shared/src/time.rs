//! Times on the wire, as chrono writes them (RFC 3339 in UTC, `2026-12-01T06:19:36.061312Z`,
//! the fraction in 3, 6 or 9 digits and none when it is zero), written digit by digit:
//! a validation answers four of them, and chrono's own writer goes through the
//! formatting machinery for each field of each one. They are read back digit by digit
//! too ([`read`]): chrono's general parser would add about 4 KiB to the SPA's gzip.

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveTime, TimeDelta, Timelike as _, Utc};
use serde::{Deserialize as _, Deserializer, Serialize as _, Serializer, de::Error as _};

/// For `#[serde(serialize_with = "crate::time::rfc3339")]`; reads back with chrono's
/// own `Deserialize`.
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut text = [0u8; 30];
    match write(at, &mut text).and_then(|len| std::str::from_utf8(&text[..len]).ok()) {
        Some(text) => serializer.serialize_str(text),
        // Years beyond four digits and leap seconds: chrono knows how.
        None => at.serialize(serializer),
    }
}

/// Writes `at` into `out`, returning the length, or `None` for what only chrono writes.
fn write(at: &DateTime<Utc>, out: &mut [u8; 30]) -> Option<usize> {
    let year = u32::try_from(at.year()).ok().filter(|year| *year <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut text = Text { out, len: 0 };
    text.digits(year, 4).byte(b'-');
    text.digits(at.month(), 2).byte(b'-');
    text.digits(at.day(), 2).byte(b'T');
    text.digits(at.hour(), 2).byte(b':');
    text.digits(at.minute(), 2).byte(b':');
    text.digits(at.second(), 2);
    match nanos {
        0 => {}
        _ if nanos.is_multiple_of(1_000_000) => {
            text.byte(b'.').digits(nanos / 1_000_000, 3);
        }
        _ if nanos.is_multiple_of(1_000) => {
            text.byte(b'.').digits(nanos / 1_000, 6);
        }
        _ => {
            text.byte(b'.').digits(nanos, 9);
        }
    }
    text.byte(b'Z');
    Some(text.len)
}

/// For `#[serde(deserialize_with = "crate::time::read")]`: a time as [`parse`] reads it.
pub fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {text}")))
}

/// [`read`] for an optional time (with `#[serde(default)]`, absent reads `None`).
pub fn read_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| parse(&text).ok_or_else(|| D::Error::custom("not an RFC 3339 time")))
        .transpose()
}

/// An RFC 3339 time with a four-digit year, as this API writes them:
/// `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, and `Z` or an offset
/// `±HH:MM`. `None` for anything else.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    let field = |from: usize, to: usize| bytes.get(from..to).and_then(number);
    let separated = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')]
        .iter()
        .all(|&(at, byte)| bytes.get(at) == Some(&byte));
    if !separated || !matches!(bytes.get(10), Some(b'T' | b't')) {
        return None;
    }
    let year = i32::try_from(field(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, field(5, 7)?, field(8, 10)?)?;
    let mut rest = bytes.get(19..)?;
    let mut nanos = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let digits = fraction
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        nanos = number(&fraction[..digits])? * 10u32.pow(9 - digits as u32);
        rest = &fraction[digits..];
    }
    let east_seconds = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), hours @ .., b':', _, _] if hours.len() == 2 => {
            let minutes = i64::from(number(&rest[1..3])? * 60 + number(&rest[4..6])?);
            if *sign == b'-' {
                -minutes * 60
            } else {
                minutes * 60
            }
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(field(11, 13)?, field(14, 16)?, field(17, 19)?, nanos)?;
    date.and_time(time)
        .and_utc()
        .checked_sub_signed(TimeDelta::try_seconds(east_seconds)?)
}

/// A cursor over the output: 30 bytes hold the longest time written here.
struct Text<'a> {
    out: &'a mut [u8; 30],
    len: usize,
}

impl Text<'_> {
    fn byte(&mut self, byte: u8) -> &mut Self {
        self.out[self.len] = byte;
        self.len += 1;
        self
    }

    /// `value`'s last `width` decimal digits, zero-padded.
    fn digits(&mut self, value: u32, width: u32) -> &mut Self {
        for place in (0..width).rev() {
            let digit = value / 10u32.pow(place) % 10;
            self.byte(b'0' + digit as u8);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    /// Serialized with [`rfc3339`] and with chrono's own `Serialize`.
    fn both(at: DateTime<Utc>) -> (String, String) {
        let mut ours = serde_json::Serializer::new(Vec::new());
        rfc3339(&at, &mut ours).unwrap();
        let ours = String::from_utf8(ours.into_inner()).unwrap();
        (ours, serde_json::to_string(&at).unwrap())
    }

    #[test]
    fn times_are_written_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 12, 1, 6, 19, 36).unwrap();
        let mut times = vec![
            base,
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ];
        // Fractions of every precision, with trailing and inner zeros.
        for nanos in [
            1,
            7,
            10,
            999,
            1_000,
            1_001,
            61_312_000,
            61_000_000,
            100_000_000,
            123_456_789,
            999_999_999,
            5_000,
            500_000,
        ] {
            times.push(base + chrono::TimeDelta::nanoseconds(nanos));
        }
        // A spread of ordinary moments, at microsecond precision as stored.
        let mut micros: i64 = 1_700_000_000_123_456;
        for _ in 0..2_000 {
            micros = micros
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1)
                % 253_402_300_799_000_000;
            times.push(DateTime::from_timestamp_micros(micros.abs()).unwrap());
        }
        // A leap second.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        times.push(leap);
        for at in times {
            let (ours, chronos) = both(at);
            assert_eq!(ours, chronos, "{at:?}");
            // What has a four-digit year reads back as it was.
            if (0..=9999).contains(&at.year()) && at.nanosecond() < 1_000_000_000 {
                let text = ours.trim_matches('"');
                assert_eq!(parse(text), Some(at), "{text}");
            }
        }
    }

    #[test]
    fn offsets_and_precisions_read_and_anything_else_does_not() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 6, 19, 36).unwrap();
        assert_eq!(parse("2026-12-01T06:19:36Z"), Some(at));
        assert_eq!(parse("2026-12-01t06:19:36z"), Some(at));
        assert_eq!(parse("2026-12-01T07:49:36+01:30"), Some(at));
        assert_eq!(parse("2026-11-30T23:19:36-07:00"), Some(at));
        let tenth = at + chrono::TimeDelta::milliseconds(100);
        assert_eq!(parse("2026-12-01T06:19:36.1Z"), Some(tenth));
        for wrong in [
            "",
            "2026-12-01",
            "2026-12-01T06:19:36",
            "2026-12-01 06:19:36Z",
            "2026-13-01T06:19:36Z",
            "2026-02-30T06:19:36Z",
            "2026-12-01T24:00:00Z",
            "2026-12-01T06:19:36.Z",
            "2026-12-01T06:19:36.1234567890Z",
            "2026-12-01T06:19:36+0100",
            "2026-12-01T06:19:36Z ",
            "+10000-01-01T00:00:00Z",
            "２026-12-01T06:19:36Z",
        ] {
            assert_eq!(parse(wrong), None, "{wrong}");
        }
    }
}

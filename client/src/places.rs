//! Where and when, in the reader's words: "Paris, France" or "France" from a session's
//! location (the country named in the page's language by the browser's
//! `Intl.DisplayNames`), and a time of day on the reader's clock.

use chrono::{DateTime, Utc};
use hallpass_shared::Location;

use crate::i18n::Locale;

/// "City, Country", or the country alone.
pub fn place(locale: Locale, location: &Location) -> String {
    let country = country_name(locale, &location.country);
    match &location.city {
        Some(city) => format!("{city}, {country}"),
        None => country,
    }
}

/// The hour and minute of `at` on the reader's clock ("10:42", "10:42 AM"); in UTC
/// where there is no browser clock.
pub fn time_of_day(locale: Locale, at: DateTime<Utc>) -> String {
    local_time(locale, at).unwrap_or_else(|| {
        use chrono::Timelike as _;
        format!("{:02}:{:02} UTC", at.hour(), at.minute())
    })
}

#[cfg(target_arch = "wasm32")]
fn country_name(locale: Locale, code: &str) -> String {
    use js_sys::{Array, Intl::DisplayNames, JsString, Object, Reflect};
    use wasm_bindgen::JsValue;

    let options = Object::new();
    let _ = Reflect::set(&options, &"type".into(), &"region".into());
    let locales = Array::of1(&JsValue::from_str(locale.tag()));
    DisplayNames::new(&locales, &options)
        .of(code)
        .map_or_else(|| code.to_owned(), |name: JsString| name.into())
}

/// Host builds (unit tests) have no `Intl`: the code stands for the name.
#[cfg(not(target_arch = "wasm32"))]
fn country_name(_locale: Locale, code: &str) -> String {
    code.to_owned()
}

#[cfg(target_arch = "wasm32")]
fn local_time(locale: Locale, at: DateTime<Utc>) -> Option<String> {
    use js_sys::{Date, Object, Reflect};
    use wasm_bindgen::JsValue;

    let options = Object::new();
    for (key, value) in [("hour", "2-digit"), ("minute", "2-digit")] {
        Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "milliseconds since 1970 fit in f64"
    )]
    let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    Some(
        date.to_locale_time_string_with_options(locale.tag(), &options)
            .into(),
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn local_time(_locale: Locale, _at: DateTime<Utc>) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_comes_before_its_country() {
        let mut location = Location {
            country: "FR".into(),
            region: Some("Île-de-France".into()),
            city: Some("Paris".into()),
        };
        assert_eq!(place(Locale::En, &location), "Paris, FR");
        location.city = None;
        assert_eq!(place(Locale::En, &location), "FR");
    }
}

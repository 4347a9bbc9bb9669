//! The log line, written straight into the line buffer: the request line is written on
//! every request, so nothing here allocates or goes through more formatting machinery
//! than a value needs (the stock formatter cost about 2.5 µs a line, its request span
//! about as much again).
//!
//! Text (the shape of `tracing-subscriber`'s default):
//!
//! ```text
//! 2026-12-01T00:07:41.089882Z  INFO request{request_id=… user.id=… session.id=…}:revoke{session.id=…}: target: message key=value
//! ```
//!
//! JSON, one object a line:
//!
//! ```text
//! {"timestamp":"…","level":"INFO","fields":{"message":"…","key":"value"},"target":"…","request_id":"…","user.id":"…","session.id":"…","spans":[{"name":"revoke","session.id":"…"}]}
//! ```

use std::{
    cell::RefCell,
    fmt::{self, Write as _},
    marker::PhantomData,
};

use chrono::{DateTime, Utc};
use tracing::{
    Event, Level, Subscriber,
    field::{Field, Visit},
};
use tracing_log::NormalizeEvent as _;
use tracing_subscriber::{
    fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields, format::Writer},
    registry::LookupSpan,
};
use uuid::Uuid;

use super::current_context;

/// Lines for people.
pub struct Text;

/// Lines for log collectors.
pub struct Json;

impl<S, N> FormatEvent<S, N> for Text
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut out: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        write_timestamp(&mut out, Utc::now())?;
        out.write_char(' ')?;
        write_level(&mut out, *meta.level())?;
        out.write_char(' ')?;
        let mut scoped = false;
        if let Some((id, session)) = current_context() {
            out.write_str("request{request_id=")?;
            write_uuid(&mut out, id.0)?;
            if let Some((user, session)) = session {
                out.write_str(" user.id=")?;
                write_uuid(&mut out, user)?;
                out.write_str(" session.id=")?;
                write_uuid(&mut out, session)?;
            }
            out.write_str("}:")?;
            scoped = true;
        }
        for span in ctx
            .event_scope()
            .into_iter()
            .flat_map(|scope| scope.from_root())
        {
            out.write_str(span.name())?;
            let extensions = span.extensions();
            if let Some(fields) = extensions.get::<FormattedFields<N>>()
                && !fields.is_empty()
            {
                write!(out, "{{{fields}}}")?;
            }
            out.write_char(':')?;
            scoped = true;
        }
        if scoped {
            out.write_char(' ')?;
        }
        out.write_str(meta.target())?;
        out.write_str(": ")?;
        let mut fields = Fields::<Text>::new(&mut out);
        event.record(&mut fields);
        fields.result?;
        out.write_char('\n')
    }
}

impl<S, N> FormatEvent<S, N> for Json
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut out: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        out.write_str("{\"timestamp\":\"")?;
        write_timestamp(&mut out, Utc::now())?;
        write!(out, "\",\"level\":\"{}\",\"fields\":{{", meta.level())?;
        let mut fields = Fields::<Json>::new(&mut out);
        event.record(&mut fields);
        fields.result?;
        out.write_str("},\"target\":")?;
        write_json_str(&mut out, meta.target())?;
        if let Some((id, session)) = current_context() {
            out.write_str(",\"request_id\":\"")?;
            write_uuid(&mut out, id.0)?;
            if let Some((user, session)) = session {
                out.write_str("\",\"user.id\":\"")?;
                write_uuid(&mut out, user)?;
                out.write_str("\",\"session.id\":\"")?;
                write_uuid(&mut out, session)?;
            }
            out.write_char('"')?;
        }
        if let Some(scope) = ctx.event_scope() {
            out.write_str(",\"spans\":[")?;
            for (i, span) in scope.from_root().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                out.write_str("{\"name\":")?;
                write_json_str(&mut out, span.name())?;
                let extensions = span.extensions();
                // `JsonFields` keeps a span's fields as a JSON object: its members join
                // the name's.
                let members = extensions
                    .get::<FormattedFields<N>>()
                    .map(|fields| fields.trim().trim_start_matches('{').trim_end_matches('}'))
                    .unwrap_or_default();
                if !members.is_empty() {
                    out.write_char(',')?;
                    out.write_str(members)?;
                }
                out.write_char('}')?;
            }
            out.write_char(']')?;
        }
        out.write_str("}\n")
    }
}

thread_local! {
    /// The last second written, and its text: lines come thousands a second.
    static SECOND: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
}

/// `2026-12-01T00:07:41.089882Z`
fn write_timestamp(out: &mut Writer<'_>, now: DateTime<Utc>) -> fmt::Result {
    SECOND.with_borrow_mut(|(second, text)| {
        if *second != now.timestamp() {
            text.clear();
            write!(text, "{}", now.format("%Y-%m-%dT%H:%M:%S"))?;
            *second = now.timestamp();
        }
        out.write_str(text)
    })?;
    let micros = now.timestamp_subsec_micros().min(999_999);
    let mut fraction = *b".000000Z";
    for (place, byte) in fraction[1..7].iter_mut().rev().enumerate() {
        *byte = b'0' + (micros / 10u32.pow(place as u32) % 10) as u8;
    }
    out.write_str(std::str::from_utf8(&fraction).map_err(|_| fmt::Error)?)
}

/// The level, right-aligned in five columns, coloured on a terminal.
fn write_level(out: &mut Writer<'_>, level: Level) -> fmt::Result {
    let (text, colour) = match level {
        Level::ERROR => ("ERROR", "31"),
        Level::WARN => (" WARN", "33"),
        Level::INFO => (" INFO", "32"),
        Level::DEBUG => ("DEBUG", "34"),
        Level::TRACE => ("TRACE", "35"),
    };
    if out.has_ansi_escapes() {
        write!(out, "\x1b[{colour}m{text}\x1b[0m")
    } else {
        out.write_str(text)
    }
}

fn write_uuid(out: &mut Writer<'_>, id: Uuid) -> fmt::Result {
    out.write_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()))
}

/// `s` as a JSON string.
fn write_json_str(out: &mut impl fmt::Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c < ' ' => "",
            _ => continue,
        };
        out.write_str(&s[plain..i])?;
        if escaped.is_empty() {
            write!(out, "\\u{:04x}", u32::from(c))?;
        } else {
            out.write_str(escaped)?;
        }
        plain = i + c.len_utf8();
    }
    out.write_str(&s[plain..])?;
    out.write_char('"')
}

/// Whether `Debug` writes `value` as it is between quotes (printable ASCII, no quote or
/// backslash): then the line does too, without `Debug`'s escaping pass.
fn debug_is_quoted(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b' ' || (b.is_ascii_graphic() && b != b'"' && b != b'\\'))
}

/// Fields bridged from the `log` crate describe the record (its target, file, line),
/// already shown by the line.
fn bridged_from_log(field: &Field) -> bool {
    field.name().starts_with("log.")
}

/// How a line writes its event's fields.
trait FieldStyle {
    /// Between two fields.
    const SEPARATOR: &'static str;
    /// The field's name and what joins it to its value.
    fn name(out: &mut Writer<'_>, field: &Field) -> fmt::Result;
    fn str(out: &mut Writer<'_>, field: &Field, value: &str) -> fmt::Result;
    fn f64(out: &mut Writer<'_>, value: f64) -> fmt::Result;
    fn debug(out: &mut Writer<'_>, value: &dyn fmt::Debug) -> fmt::Result;
}

/// Text: the message first as it is, then `name=value` (strings quoted), separated by
/// spaces.
impl FieldStyle for Text {
    const SEPARATOR: &'static str = " ";

    fn name(out: &mut Writer<'_>, field: &Field) -> fmt::Result {
        if field.name() == "message" {
            return Ok(());
        }
        out.write_str(field.name())?;
        out.write_char('=')
    }

    fn str(out: &mut Writer<'_>, field: &Field, value: &str) -> fmt::Result {
        if field.name() == "message" {
            out.write_str(value)
        } else if debug_is_quoted(value) {
            out.write_char('"')?;
            out.write_str(value)?;
            out.write_char('"')
        } else {
            write!(out, "{value:?}")
        }
    }

    fn f64(out: &mut Writer<'_>, value: f64) -> fmt::Result {
        write!(out, "{value}")
    }

    fn debug(out: &mut Writer<'_>, value: &dyn fmt::Debug) -> fmt::Result {
        write!(out, "{value:?}")
    }
}

/// JSON: the members of the `fields` object.
impl FieldStyle for Json {
    const SEPARATOR: &'static str = ",";

    fn name(out: &mut Writer<'_>, field: &Field) -> fmt::Result {
        write_json_str(out, field.name())?;
        out.write_char(':')
    }

    fn str(out: &mut Writer<'_>, _: &Field, value: &str) -> fmt::Result {
        write_json_str(out, value)
    }

    fn f64(out: &mut Writer<'_>, value: f64) -> fmt::Result {
        // JSON has no NaN or infinity.
        match value.is_finite() {
            true => write!(out, "{value}"),
            false => out.write_str("null"),
        }
    }

    fn debug(out: &mut Writer<'_>, value: &dyn fmt::Debug) -> fmt::Result {
        let mut text = String::new();
        write!(text, "{value:?}")?;
        write_json_str(out, &text)
    }
}

/// An event's fields, written in style `S`; the first error stops the writing.
struct Fields<'a, 'w, S> {
    out: &'a mut Writer<'w>,
    first: bool,
    result: fmt::Result,
    style: PhantomData<S>,
}

impl<'a, 'w, S: FieldStyle> Fields<'a, 'w, S> {
    fn new(out: &'a mut Writer<'w>) -> Self {
        Self {
            out,
            first: true,
            result: Ok(()),
            style: PhantomData,
        }
    }

    fn field(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        if self.result.is_err() || bridged_from_log(field) {
            return;
        }
        let separator = if self.first { "" } else { S::SEPARATOR };
        self.first = false;
        self.result = (|| {
            self.out.write_str(separator)?;
            S::name(self.out, field)?;
            value(self.out)
        })();
    }
}

impl<S: FieldStyle> Visit for Fields<'_, '_, S> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, |out| S::str(out, field, value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.field(field, |out| S::f64(out, value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.field(field, |out| S::debug(out, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_written_without_debug_are_those_debug_leaves_alone() {
        let values = [
            "GET",
            "/api/auth/session",
            "a b ~!",
            "",
            "quote\"",
            "back\\slash",
            "é",
            "tab\t",
        ];
        for value in values {
            if debug_is_quoted(value) {
                assert_eq!(format!("{value:?}"), format!("\"{value}\""), "{value}");
            }
        }
        assert!(debug_is_quoted("/api/auth/session") && !debug_is_quoted("quote\""));
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = String::new();
        write_json_str(&mut out, "a \"quoted\" \\ line\nand\ttab \u{1} é").unwrap();
        assert_eq!(out, r#""a \"quoted\" \\ line\nand\ttab \u0001 é""#);
        let parsed: String = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed, "a \"quoted\" \\ line\nand\ttab \u{1} é");
    }
}

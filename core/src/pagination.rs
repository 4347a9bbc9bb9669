//! Keyset pagination: page sizes, and opaque cursors that name the position after the
//! last row of a page *and* the query they belong to, so a cursor handed to another
//! query (other filters, another listing) is refused instead of silently misread.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hallpass_shared::PageQuery;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The page size asked for, or the default; invalid outside `1..=MAX_LIMIT`.
pub fn limit(requested: Option<u32>) -> Result<u32> {
    match requested {
        None => Ok(PageQuery::DEFAULT_LIMIT),
        Some(limit) if (1..=PageQuery::MAX_LIMIT).contains(&limit) => Ok(limit),
        Some(_) => Err(Error::Invalid(format!(
            "limit must be between 1 and {}",
            PageQuery::MAX_LIMIT
        ))),
    }
}

/// A cursor for `position` within the query described by `scope`.
pub fn encode(scope: &str, position: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{position}", fingerprint(scope)))
}

/// The position a cursor names, if it was issued for this `scope`.
pub fn decode(scope: &str, raw: &str) -> Result<String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| Error::ForeignCursor)?;
    let text = String::from_utf8(bytes).map_err(|_| Error::ForeignCursor)?;
    match text.split_once('|') {
        Some((print, position)) if print == fingerprint(scope) => Ok(position.to_owned()),
        _ => Err(Error::ForeignCursor),
    }
}

/// Trims a page fetched with one extra row, and returns the cursor of the next page
/// when that extra row showed there is one.
pub fn finish<R>(
    mut rows: Vec<R>,
    limit: u32,
    scope: &str,
    position: impl Fn(&R) -> String,
) -> (Vec<R>, Option<String>) {
    let limit = limit as usize;
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(|row| encode(scope, &position(row)));
    (rows, next)
}

fn fingerprint(scope: &str) -> String {
    hex::encode(&Sha256::digest(scope.as_bytes())[..6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_within_their_query_only() {
        let cursor = encode("events|user=1", "1700000000.abc");
        assert_eq!(
            decode("events|user=1", &cursor).ok().as_deref(),
            Some("1700000000.abc")
        );
        assert!(decode("events|user=2", &cursor).is_err());
        for junk in ["", "!!", "bm90IGEgY3Vyc29y"] {
            assert!(decode("events|user=1", junk).is_err(), "{junk}");
        }
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).ok(), Some(PageQuery::DEFAULT_LIMIT));
        assert_eq!(limit(Some(1)).ok(), Some(1));
        assert_eq!(
            limit(Some(PageQuery::MAX_LIMIT)).ok(),
            Some(PageQuery::MAX_LIMIT)
        );
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(PageQuery::MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn finish_cuts_the_extra_row_and_points_after_the_last_kept_one() {
        let (rows, next) = finish(vec![1, 2, 3], 2, "s", |n| n.to_string());
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(decode("s", &next.unwrap()).ok().as_deref(), Some("2"));
        let (rows, next) = finish(vec![1, 2], 2, "s", |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], None));
    }
}

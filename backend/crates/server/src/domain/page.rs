//! Keyset pages: every list that can grow is read after the last row of the previous page
//! (an opaque cursor in, `next_cursor` out), never with OFFSET, and counts only when asked
//! and only up to [`TOTAL_CAP`], so a deep page and a filtered page cost what a first one does.

use base64::Engine;
use serde::{Serialize, de::DeserializeOwned};

use super::DomainError;
use crate::codes::Code;

/// A count asked for stops here: counting a million rows to print "10,000+" is waste.
pub const TOTAL_CAP: u64 = 10_000;

/// One page of a list, and where the next one starts (absent on the last page).
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: Option<Total>,
}

/// How many rows match the filter, counted up to [`TOTAL_CAP`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Total {
    pub count: u64,
    /// More than `count` match.
    pub capped: bool,
}

impl Total {
    /// From a count of at most `TOTAL_CAP + 1` rows.
    pub fn of(counted: u64) -> Total {
        Total { count: counted.min(TOTAL_CAP), capped: counted > TOTAL_CAP }
    }
}

/// The count of a page when asked (`with_total=true`): `count` runs with the cap only then.
pub async fn total_if_asked<F>(
    asked: bool,
    count: impl FnOnce(u64) -> F,
) -> Result<Option<Total>, DomainError>
where
    F: std::future::Future<Output = Result<u64, crate::store::StoreError>>,
{
    match asked {
        true => Ok(Some(Total::of(count(TOTAL_CAP).await?))),
        false => Ok(None),
    }
}

/// The sort key of a row, as a cursor: base64url of its JSON. Opaque to clients; only this
/// server reads it back.
pub fn encode<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// A cursor back into the key it was made from; a cursor that is not one is a 400.
pub fn decode<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, DomainError> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else { return Ok(None) };
    let bad = || {
        DomainError::invalid(
            Code::RequestInvalidCursor,
            "This cursor is not one this list handed out; start again from the first page.",
            "cursor",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map(Some).map_err(|_| bad())
}

/// Cuts a read of `limit + 1` rows to the page and makes the cursor of its last row when
/// there is more.
pub fn cut<T, K: Serialize>(
    mut rows: Vec<T>,
    limit: u64,
    key: impl Fn(&T) -> K,
    total: Option<Total>,
) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| encode(&key(r))) } else { None };
    Page { items: rows, next_cursor, total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_make() {
        let key: (DateTime<Utc>, Uuid) = (Utc::now(), Uuid::now_v7());
        let c = encode(&key);
        assert_eq!(decode::<(DateTime<Utc>, Uuid)>(Some(&c)).unwrap(), Some(key));
        assert_eq!(decode::<(DateTime<Utc>, Uuid)>(None).unwrap(), None);
        for bad in ["%%%", "bm90IGpzb24", &encode(&("x", 1))] {
            let e = decode::<(DateTime<Utc>, Uuid)>(Some(bad)).unwrap_err();
            assert!(matches!(e, DomainError::Invalid { code: Code::RequestInvalidCursor, .. }));
        }
    }

    #[test]
    fn a_page_knows_whether_more_follows() {
        let p = cut((1..=6).collect::<Vec<u32>>(), 5, |n| *n, None);
        assert_eq!((p.items.len(), p.next_cursor), (5, Some(encode(&5u32))));
        let p = cut((1..=5).collect::<Vec<u32>>(), 5, |n| *n, None);
        assert_eq!(p.next_cursor, None);
        assert_eq!(Total::of(10_001), Total { count: 10_000, capped: true });
        assert_eq!(Total::of(42), Total { count: 42, capped: false });
    }
}

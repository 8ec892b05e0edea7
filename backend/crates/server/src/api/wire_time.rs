//! Times in answers written by serde (`SerdeJson`) exactly as poem-openapi writes them
//! (`to_rfc3339`, `+00:00`), so one endpoint does not say `Z` where another says `+00:00`.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// `t.to_rfc3339()`, written into a buffer on the stack: a list answer holds several
/// times per row, and chrono's general formatter cost as much as the row's own JSON. Years
/// outside 0–9999 and leap seconds, which never occur in Cairn's rows, take chrono's path.
pub fn time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 35];
    match rfc3339(t, &mut buf) {
        Some(text) => s.serialize_str(text),
        None => s.serialize_str(&t.to_rfc3339()),
    }
}

pub fn opt_time<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => time(t, s),
        None => s.serialize_none(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]+00:00`, the fraction as chrono's
/// `SecondsFormat::AutoSi` writes it (none, milli-, micro- or nanoseconds, the shortest
/// that is exact). `None` where that is not what `to_rfc3339` writes.
fn rfc3339<'b>(t: &DateTime<Utc>, buf: &'b mut [u8; 35]) -> Option<&'b str> {
    let year = t.year();
    let nanos = t.nanosecond();
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    fn put(buf: &mut [u8], at: usize, value: u32, digits: usize) {
        let mut v = value;
        for i in (0..digits).rev() {
            buf[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    put(buf, 0, year as u32, 4);
    buf[4] = b'-';
    put(buf, 5, t.month(), 2);
    buf[7] = b'-';
    put(buf, 8, t.day(), 2);
    buf[10] = b'T';
    put(buf, 11, t.hour(), 2);
    buf[13] = b':';
    put(buf, 14, t.minute(), 2);
    buf[16] = b':';
    put(buf, 17, t.second(), 2);
    let mut end = 19;
    let (value, digits) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if digits > 0 {
        buf[end] = b'.';
        put(buf, end + 1, value, digits);
        end += 1 + digits;
    }
    buf[end..end + 6].copy_from_slice(b"+00:00");
    end += 6;
    std::str::from_utf8(&buf[..end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn written(t: &DateTime<Utc>) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::new(&mut out);
        time(t, &mut ser).unwrap();
        serde_json::from_slice::<String>(&out).unwrap()
    }

    #[test]
    fn times_are_written_exactly_as_to_rfc3339_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 12, 7, 23, 59, 58).unwrap();
        let mut checked = 0;
        // Every fraction shape (none, milli, micro, nano), dates across years and months.
        for nanos in [0, 1, 999, 1_000, 120_000, 5_000_000, 999_000_000, 123_456_789, 999_999_999] {
            for days in [0i64, 1, 31, 59, 365, 366, 4000, -9000, -700_000] {
                let t = base + chrono::Duration::days(days) + chrono::Duration::nanoseconds(nanos);
                assert_eq!(written(&t), t.to_rfc3339(), "{t:?}");
                checked += 1;
            }
        }
        let now = Utc::now();
        assert_eq!(written(&now), now.to_rfc3339());
        // Outside 0–9999 chrono's own path answers, with the same text.
        let far = Utc.with_ymd_and_hms(12026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(written(&far), far.to_rfc3339());
        assert_eq!(checked, 81);
    }
}

//! Times in answers written by serde (`SerdeJson`) exactly as poem-openapi writes them
//! (`to_rfc3339`, `+00:00`), so one endpoint does not say `Z` where another says `+00:00`.

use chrono::{DateTime, Utc};
use serde::Serializer;

pub fn time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

pub fn opt_time<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => time(t, s),
        None => s.serialize_none(),
    }
}

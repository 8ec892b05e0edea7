//! The numbers two rules judge by: a host's usual change per backup (the median of its
//! recent runs, for "unusual change") and a job kind's usual duration (for "job stuck").
//! Pure functions over past runs, so the thresholds are tested without a database.

use serde::Serialize;
use serde_json::Value;

/// What one backup changed, read from its stored summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub bytes_added: u64,
    /// Files new plus files changed.
    pub files: u64,
}

impl Change {
    /// From a job's summary JSON (`data_added`, `files_new`, `files_changed`); `None` when
    /// it has none (a dry run, a summary restic did not print).
    pub fn of_summary(summary: Option<&str>) -> Option<Change> {
        let v: Value = serde_json::from_str(summary?).ok()?;
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        Some(Change {
            bytes_added: n("data_added")?,
            files: n("files_new")?.saturating_add(n("files_changed").unwrap_or(0)),
        })
    }
}

/// Bytes for people: `512 B`, `3.0 MiB`, `1.2 GiB`.
pub fn bytes_text(b: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut v = b as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// The median of `xs` (the lower middle for an even count); `None` for none.
pub fn median(mut xs: Vec<u64>) -> Option<u64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    Some(xs[(xs.len() - 1) / 2])
}

/// A baseline and what one backup did against it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub change: Change,
    pub median: Change,
    pub runs: usize,
    pub factor: u64,
    /// The floors a measure must also reach (bytes added; files new or changed).
    pub min_bytes: u64,
    pub min_files: u64,
    /// Which measures went past `factor` × the median and past their floor.
    pub bytes_unusual: bool,
    pub files_unusual: bool,
}

impl Verdict {
    pub fn unusual(&self) -> bool {
        self.bytes_unusual || self.files_unusual
    }
}

/// Fewest past runs a baseline is made of: below this a host's "usual" is a guess.
pub const MIN_RUNS: usize = 5;

/// Judges `change` against `past` (the host's recent runs): unusual when a measure is more
/// than `factor` × its median and at least its floor (`min_bytes`, `min_files`), so a host
/// that usually adds nothing is not flagged for adding a few kilobytes. `None` with fewer
/// than [`MIN_RUNS`] past runs.
pub fn judge(
    change: Change,
    past: &[Change],
    factor: u64,
    min_bytes: u64,
    min_files: u64,
) -> Option<Verdict> {
    if past.len() < MIN_RUNS {
        return None;
    }
    let median = Change {
        bytes_added: median(past.iter().map(|c| c.bytes_added).collect())?,
        files: median(past.iter().map(|c| c.files).collect())?,
    };
    let over = |x: u64, m: u64, floor: u64| x >= floor && x > m.saturating_mul(factor);
    Some(Verdict {
        change,
        median,
        runs: past.len(),
        factor,
        min_bytes,
        min_files,
        bytes_unusual: over(change.bytes_added, median.bytes_added, min_bytes),
        files_unusual: over(change.files, median.files, min_files),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(bytes_added: u64, files: u64) -> Change {
        Change { bytes_added, files }
    }

    #[test]
    fn reads_a_summary() {
        let s = r#"{"files_new":3,"files_changed":4,"data_added":1000,"total_duration":1.5}"#;
        assert_eq!(Change::of_summary(Some(s)), Some(c(1000, 7)));
        assert_eq!(Change::of_summary(Some("{}")), None);
        assert_eq!(Change::of_summary(Some("not json")), None);
        assert_eq!(Change::of_summary(None), None);
    }

    #[test]
    fn bytes_for_people() {
        assert_eq!(bytes_text(0), "0 B");
        assert_eq!(bytes_text(1023), "1023 B");
        assert_eq!(bytes_text(3 << 20), "3.0 MiB");
        assert_eq!(bytes_text(1_288_490_189), "1.2 GiB");
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![7]), Some(7));
        assert_eq!(median(vec![9, 1, 5]), Some(5));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }

    #[test]
    fn too_few_runs_make_no_baseline() {
        let past = vec![c(10, 1); MIN_RUNS - 1];
        assert_eq!(judge(c(1 << 40, 1 << 20), &past, 5, 1, 1), None);
    }

    #[test]
    fn past_the_factor_and_the_floor_is_unusual() {
        let past: Vec<Change> = (1..=14).map(|i| c(i * 1_000_000, i * 10)).collect();
        // Medians: 7 MB and 70 files.
        let v = judge(c(36_000_000, 10), &past, 5, 1_000_000, 100).unwrap();
        assert_eq!(v.median, c(7_000_000, 70));
        assert!(v.bytes_unusual && !v.files_unusual && v.unusual());
        // Exactly 5× is not more than 5×.
        assert!(!judge(c(35_000_000, 350), &past, 5, 1, 1).unwrap().unusual());
        // Files alone.
        assert!(judge(c(0, 351), &past, 5, 1, 100).unwrap().files_unusual);
    }

    #[test]
    fn the_floor_keeps_tiny_hosts_quiet() {
        // A host that adds nothing: any change is "infinitely" more, but below the floor.
        let past = vec![c(0, 0); 14];
        let v = judge(c(50 << 20, 500), &past, 5, 100 << 20, 1000).unwrap();
        assert!(!v.unusual());
        assert!(judge(c(200 << 20, 0), &past, 5, 100 << 20, 1000).unwrap().bytes_unusual);
    }
}

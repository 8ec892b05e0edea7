//! When a schedule fires, computed the same way on both sides: the server shows the next
//! fire times and the agent fires on its own clock, from the same 5-field cron expression
//! read in the same IANA time zone (croner for cron, chrono-tz for zones).

use std::str::FromStr;

use chrono::{DateTime, Utc};
pub use chrono_tz::Tz;
use croner::{
    Cron,
    parser::{CronParser, Seconds, Year},
};

/// The presets the web app offers, as (label, expression).
pub const PRESETS: &[(&str, &str)] = &[
    ("Every hour", "0 * * * *"),
    ("Every 6 hours", "0 */6 * * *"),
    ("Every day at 03:00", "0 3 * * *"),
    ("Every weekday at 22:00", "0 22 * * 1-5"),
    ("Every Sunday at 04:00", "0 4 * * 0"),
    ("First day of the month at 05:00", "0 5 1 * *"),
];

/// Fires closer together than this are refused: a backup every minute fights itself
/// and restic's locks, and is never what a person meant.
pub const MIN_INTERVAL_SECS: i64 = 5 * 60;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScheduleError {
    #[error("{0}")]
    Cron(String),
    #[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin or UTC")]
    Zone(String),
    #[error("this schedule never fires")]
    Never,
    #[error(
        "this schedule fires {} or more often; the shortest interval allowed is 5 minutes",
        every_minutes(*.0)
    )]
    TooOften(i64),
}

/// "every minute", "every 2 minutes".
fn every_minutes(n: i64) -> String {
    if n == 1 { "every minute".into() } else { format!("every {n} minutes") }
}

/// A parsed 5-field cron expression (`minute hour day-of-month month day-of-week`, or a
/// nickname such as `@daily`).
#[derive(Clone, Debug)]
pub struct Schedule {
    cron: Cron,
    expression: String,
}

fn parser() -> CronParser {
    CronParser::builder().seconds(Seconds::Disallowed).year(Year::Disallowed).build()
}

impl Schedule {
    /// Parses without judging how often it fires (see [`Schedule::check`]).
    pub fn parse(expression: &str) -> Result<Self, ScheduleError> {
        let e = expression.trim();
        if e.len() > 200 {
            return Err(ScheduleError::Cron("the expression is longer than 200 characters".into()));
        }
        if e.starts_with('@') && matches!(e, "@reboot") {
            return Err(ScheduleError::Cron("@reboot is not a schedule".into()));
        }
        let cron = parser().parse(e).map_err(|err| ScheduleError::Cron(err.to_string()))?;
        Ok(Schedule { cron, expression: e.to_string() })
    }

    /// Parses and checks that it fires at all, and not more often than every
    /// [`MIN_INTERVAL_SECS`] (judged over the next fires from `now` in `zone`).
    pub fn check(expression: &str, zone: Tz, now: DateTime<Utc>) -> Result<Self, ScheduleError> {
        let s = Schedule::parse(expression)?;
        let fires = s.next_fires(zone, now, 6);
        if fires.is_empty() {
            return Err(ScheduleError::Never);
        }
        if let Some(gap) = fires.windows(2).map(|w| (w[1] - w[0]).num_seconds()).min()
            && gap < MIN_INTERVAL_SECS
        {
            return Err(ScheduleError::TooOften((gap / 60).max(1)));
        }
        Ok(s)
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The first fire strictly after `after`, read in `zone`.
    pub fn next_after(&self, zone: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&after.with_timezone(&zone), false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Up to `n` fires strictly after `after`, in order.
    pub fn next_fires(&self, zone: Tz, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut at = after;
        while out.len() < n {
            match self.next_after(zone, at) {
                Some(t) if t > at => {
                    out.push(t);
                    at = t;
                }
                _ => break,
            }
        }
        out
    }

    /// The last fire at or before `at` and after `since`, if any: what a run missed while
    /// the agent was stopped.
    pub fn missed_between(
        &self,
        zone: Tz,
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut last = None;
        let mut t = since;
        // Bounded: a week of 5-minute fires is 2,016 steps; past that, one is enough to know.
        for _ in 0..4096 {
            match self.next_after(zone, t) {
                Some(n) if n <= at => {
                    last = Some(n);
                    t = n;
                }
                _ => break,
            }
        }
        last
    }

    /// A sentence for people: "Every day at 03:00", "At 22:00, on Monday through Friday"…
    pub fn describe(&self) -> String {
        let raw = self.cron.describe();
        let s = raw.trim_end_matches('.');
        // croner says "At 03:00." for a daily time; say it the way people do.
        let fields: Vec<&str> = self.expression.split_whitespace().collect();
        let daily = matches!(self.expression.to_ascii_lowercase().as_str(), "@daily" | "@midnight")
            || (fields.len() == 5 && fields[2..].iter().all(|f| *f == "*"));
        match s.strip_prefix("At ") {
            Some(rest) if daily && rest.len() == 5 && rest.as_bytes()[2] == b':' => {
                format!("Every day at {rest}")
            }
            _ => s.to_string(),
        }
    }
}

/// An IANA zone by name (`UTC`, `Europe/Berlin`).
pub fn zone(name: &str) -> Result<Tz, ScheduleError> {
    Tz::from_str(name.trim()).map_err(|_| ScheduleError::Zone(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_daily_schedule_fires_at_its_local_time_across_a_dst_change() {
        let s = Schedule::parse("0 3 * * *").unwrap();
        let berlin = zone("Europe/Berlin").unwrap();
        // 2026-03-29 is the spring-forward day in Europe: 03:00 local is 01:00 UTC after it.
        let fires = s.next_fires(berlin, t("2026-03-27T12:00:00Z"), 3);
        assert_eq!(
            fires,
            vec![t("2026-03-28T02:00:00Z"), t("2026-03-29T01:00:00Z"), t("2026-03-30T01:00:00Z")]
        );
        assert_eq!(s.describe(), "Every day at 03:00");
    }

    #[test]
    fn weekdays_and_nicknames() {
        let s = Schedule::parse("0 22 * * 1-5").unwrap();
        // 2026-12-04 is a Friday.
        let fires = s.next_fires(Tz::UTC, t("2026-12-04T23:00:00Z"), 2);
        assert_eq!(fires, vec![t("2026-12-07T22:00:00Z"), t("2026-12-08T22:00:00Z")]);
        assert!(s.describe().contains("Monday"), "{}", s.describe());
        let daily = Schedule::parse("@daily").unwrap();
        assert_eq!(
            daily.next_after(Tz::UTC, t("2026-12-06T10:00:00Z")),
            Some(t("2026-12-07T00:00:00Z"))
        );
    }

    #[test]
    fn bad_expressions_are_refused_with_a_reason() {
        for bad in ["", "* * * *", "0 0 3 * * *", "61 * * * *", "0 25 * * *", "@reboot", "banana"] {
            assert!(
                matches!(Schedule::parse(bad), Err(ScheduleError::Cron(_))),
                "{bad:?} was accepted"
            );
        }
        let now = t("2026-12-06T10:00:00Z");
        assert_eq!(
            Schedule::check("* * * * *", Tz::UTC, now).unwrap_err(),
            ScheduleError::TooOften(1)
        );
        assert_eq!(
            Schedule::check("*/2 * * * *", Tz::UTC, now).unwrap_err(),
            ScheduleError::TooOften(2)
        );
        assert!(Schedule::check("*/5 * * * *", Tz::UTC, now).is_ok());
        // The sentence a person reads in the editor.
        let once = ScheduleError::TooOften(1).to_string();
        assert!(once.starts_with("this schedule fires every minute or"), "{once}");
        let twice = ScheduleError::TooOften(2).to_string();
        assert!(twice.starts_with("this schedule fires every 2 minutes or"), "{twice}");
        assert_eq!(Schedule::check("0 0 30 2 *", Tz::UTC, now).unwrap_err(), ScheduleError::Never);
        assert!(matches!(zone("Mars/Olympus"), Err(ScheduleError::Zone(_))));
    }

    #[test]
    fn a_missed_fire_is_the_last_one_in_the_gap() {
        let s = Schedule::parse("0 * * * *").unwrap();
        let since = t("2026-12-06T10:30:00Z");
        assert_eq!(s.missed_between(Tz::UTC, since, t("2026-12-06T10:59:00Z")), None);
        assert_eq!(
            s.missed_between(Tz::UTC, since, t("2026-12-06T13:20:00Z")),
            Some(t("2026-12-06T13:00:00Z"))
        );
    }

    #[test]
    fn every_preset_parses_and_fires() {
        for (label, e) in PRESETS {
            let s = Schedule::check(e, Tz::UTC, t("2026-12-06T10:00:00Z")).unwrap();
            assert!(!s.describe().is_empty(), "{label}");
        }
    }
}

//! The rules a schedule must meet before it is stored: name, zone, cron (fires, not too
//! often), backup options, retention, prune; each broken rule is a 400 naming its field.

use cairn_proto::RetentionPolicy;
use cairn_schedule::{Schedule, Tz};
use chrono::{DateTime, Utc};

use super::ScheduleInput;
use crate::codes::Code;
use crate::domain::{
    DomainError,
    jobs::{is_tag, validate_backup},
};
use crate::store::hosts::HostRow;

/// The zone a cron is read in: `own`, else the host's, else UTC (a name this server does
/// not know counts as UTC).
pub(crate) fn zone_of(own: Option<&str>, host_zone: Option<&str>) -> (Tz, String) {
    let pick = own.or(host_zone).unwrap_or("UTC");
    match cairn_schedule::zone(pick) {
        Ok(z) => (z, pick.to_string()),
        Err(_) => (Tz::UTC, "UTC".to_string()),
    }
}

pub(crate) fn check_zone(name: Option<String>) -> Result<Option<String>, DomainError> {
    let Some(n) = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    cairn_schedule::zone(&n).map_err(|e| {
        DomainError::invalid(Code::ScheduleInvalidTimezone, format!("{e}."), "timezone")
    })?;
    Ok(Some(n))
}

/// Parses a cron expression read in `zone` and judges it (fires at all, not too often).
pub(crate) fn check_cron(
    expr: &str,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Schedule, DomainError> {
    Schedule::check(expr, zone, now).map_err(|e| {
        DomainError::invalid(
            Code::ScheduleInvalidCron,
            format!("The schedule {expr:?} cannot be used: {e}. Write 5 fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\" for every day at 03:00."),
            "cron",
        )
    })
}

/// `1y6m`, `30d`, `12h`: restic's `--keep-within` form (years, months, days, hours).
fn is_restic_duration(s: &str) -> bool {
    let mut digits = 0;
    let mut parts = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits > 6 {
                return false;
            }
        } else if "ymdh".contains(c) && digits > 0 {
            digits = 0;
            parts += 1;
        } else {
            return false;
        }
    }
    digits == 0 && parts > 0
}

/// `5%`, `2.5%`, `500M`, `2G`, `unlimited`: restic's `prune --max-unused` form.
pub(crate) fn is_max_unused(s: &str) -> bool {
    if s == "unlimited" {
        return true;
    }
    let num = s
        .strip_suffix('%')
        .or_else(|| s.strip_suffix(['k', 'K', 'm', 'M', 'g', 'G', 't', 'T']))
        .unwrap_or(s);
    !num.is_empty()
        && num.len() <= 12
        && num.chars().all(|c| c.is_ascii_digit() || c == '.')
        && num.chars().filter(|c| *c == '.').count() <= 1
        && !num.starts_with('.')
}

pub(crate) fn check_retention(
    policy: Option<RetentionPolicy>,
) -> Result<Option<RetentionPolicy>, DomainError> {
    let Some(mut p) = policy else { return Ok(None) };
    let keeps =
        [p.keep_last, p.keep_hourly, p.keep_daily, p.keep_weekly, p.keep_monthly, p.keep_yearly];
    if keeps.iter().flatten().any(|k| *k > 100_000) {
        return Err(DomainError::invalid(
            Code::ScheduleInvalidRetention,
            "A keep count is at most 100,000.",
            "retention",
        ));
    }
    p.keep_within = p.keep_within.map(|w| w.trim().to_string()).filter(|w| !w.is_empty());
    if let Some(w) = &p.keep_within
        && !is_restic_duration(w)
    {
        return Err(DomainError::invalid(
            Code::ScheduleInvalidRetention,
            format!(
                "keep_within {w:?} is not a duration restic reads: numbers with y, m, d or h, e.g. \"30d\" or \"1y6m\"."
            ),
            "retention",
        ));
    }
    p.keep_tags =
        p.keep_tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    if p.keep_tags.len() > 20 || !p.keep_tags.iter().all(|t| is_tag(t)) {
        return Err(DomainError::invalid(
            Code::ScheduleInvalidRetention,
            "At most 20 keep tags, each up to 64 characters with no commas or spaces.",
            "retention",
        ));
    }
    Ok(Some(p))
}

fn check_name(name: &str) -> Result<String, DomainError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            Code::ScheduleInvalidName,
            "Name must be 1–100 printable characters.",
            "name",
        ));
    }
    Ok(n.to_string())
}

/// Every rule a schedule must meet before it is stored, in the order a person fixes them.
pub(super) fn check(
    input: ScheduleInput,
    host: &HostRow,
    now: DateTime<Utc>,
) -> Result<ScheduleInput, DomainError> {
    let name = check_name(&input.name)?;
    let timezone = check_zone(input.timezone)?;
    let (zone, _) = zone_of(timezone.as_deref(), host.timezone.as_deref());
    let cron = match input.cron.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()) {
        Some(c) => Some(check_cron(&c, zone, now)?.expression().to_string()),
        None => None,
    };
    let backup = validate_backup(input.backup).map_err(|e| match e {
        DomainError::Invalid { message, field, .. } => {
            DomainError::Invalid { code: Code::ScheduleInvalidBackup, message, field }
        }
        other => other,
    })?;
    let retention = check_retention(input.retention)?;
    if input.forget_after_backup && retention.as_ref().is_none_or(RetentionPolicy::keeps_nothing) {
        return Err(DomainError::invalid(
            Code::ScheduleRetentionKeepsNothing,
            "\"Forget after backup\" needs a retention policy that keeps something (e.g. keep_daily 7); without one, forget would remove every snapshot.",
            "retention",
        ));
    }
    if input.prune_after_forget && !input.forget_after_backup {
        return Err(DomainError::invalid(
            Code::SchedulePruneWithoutForget,
            "\"Prune after forget\" needs \"forget after backup\": prune only frees what forget removed.",
            "prune_after_forget",
        ));
    }
    let prune_max_unused =
        input.prune_max_unused.map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    if let Some(m) = &prune_max_unused
        && !is_max_unused(m)
    {
        return Err(DomainError::invalid(
            Code::ScheduleInvalidPrune,
            format!(
                "prune_max_unused {m:?} is not a limit restic reads: a percentage (\"5%\"), a size (\"2G\") or \"unlimited\"."
            ),
            "prune_max_unused",
        ));
    }
    if let Some(h) = &input.hooks {
        super::hooks::check(h)?;
    }
    Ok(ScheduleInput { name, timezone, cron, backup, retention, prune_max_unused, ..input })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restic_durations() {
        for ok in ["30d", "1y6m", "12h", "1y2m3d4h"] {
            assert!(is_restic_duration(ok), "{ok}");
        }
        for bad in ["", "d", "30", "30 d", "2w", "1y-2m", "9999999d"] {
            assert!(!is_restic_duration(bad), "{bad}");
        }
    }

    #[test]
    fn max_unused_limits() {
        for ok in ["5%", "2.5%", "500M", "2G", "unlimited", "1024"] {
            assert!(is_max_unused(ok), "{ok}");
        }
        for bad in ["", "%", "five%", "2GB", "-1%", ".5%", "1.2.3%"] {
            assert!(!is_max_unused(bad), "{bad}");
        }
    }
}

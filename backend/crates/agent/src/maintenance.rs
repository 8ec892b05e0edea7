//! Repository care on this host's agent: forget (first a dry run, held to the repository's
//! delete guard), prune, check, unlock (stale locks, or all when asked) and stats. Each is
//! a job like a backup: restic's lines stream into the log and the job ends with a result.

use std::collections::BTreeSet;

use cairn_proto::{
    CheckArgs, FailedCheck, ForgetArgs, ForgetGuard, ForgetReport, ForgetSnapshot, JobOutcome,
    JobResult, LockHolder, LockReport, PruneArgs, RepositoryStats,
};
use cairn_restic::{
    CheckOptions, ForgetGroup, ForgetOptions, LockInfo, PruneOptions, SnapshotFilter, StatsMode,
    StatsOptions,
};

use crate::{events, journal::Entry, runner::Run};

/// The proto's policy as the restic wrapper takes it.
pub fn policy(p: &cairn_proto::RetentionPolicy) -> cairn_restic::RetentionPolicy {
    cairn_restic::RetentionPolicy {
        keep_last: p.keep_last,
        keep_hourly: p.keep_hourly,
        keep_daily: p.keep_daily,
        keep_weekly: p.keep_weekly,
        keep_monthly: p.keep_monthly,
        keep_yearly: p.keep_yearly,
        keep_within: p.keep_within.clone(),
        keep_tags: p.keep_tags.clone(),
    }
}

pub fn forget_options(f: &ForgetArgs) -> ForgetOptions {
    ForgetOptions {
        policy: policy(&f.policy),
        filter: SnapshotFilter { host: f.host.clone(), tags: f.tags.clone(), paths: vec![] },
        group_by: None,
        dry_run: false,
    }
}

fn snapshot(s: &cairn_restic::Snapshot, reasons: Vec<String>) -> ForgetSnapshot {
    ForgetSnapshot {
        id: s.id.clone(),
        time: s.time,
        hostname: s.hostname.clone(),
        paths: s.paths.clone(),
        tags: s.tags.clone(),
        reasons,
    }
}

/// restic's groups as one report: every kept snapshot with its reasons, every removed one.
pub fn report(groups: &[ForgetGroup], removed: bool) -> ForgetReport {
    let mut r = ForgetReport { removed, ..ForgetReport::default() };
    for g in groups {
        for k in &g.keep {
            let reasons = g.reasons_for(&k.id).map(<[String]>::to_vec).unwrap_or_default();
            r.keep.push(snapshot(k, reasons));
        }
        r.remove.extend(g.remove.iter().map(|s| snapshot(s, vec![])));
    }
    r.keep.sort_by_key(|s| std::cmp::Reverse(s.time));
    r.remove.sort_by_key(|s| std::cmp::Reverse(s.time));
    r
}

/// Why the guard refuses what the dry run would remove; `None` when it may go ahead.
pub fn guard_verdict(guard: &ForgetGuard, groups: &[ForgetGroup]) -> Option<String> {
    let remove: usize = groups.iter().map(|g| g.remove.len()).sum();
    let total: usize = groups.iter().map(|g| g.remove.len() + g.keep.len()).sum();
    // Only groups that lose snapshots can fall under the minimum.
    let least_kept = groups
        .iter()
        .filter(|g| !g.remove.is_empty())
        .map(|g| g.keep.len())
        .min()
        .unwrap_or(usize::MAX);
    guard.refuses(remove, total, least_kept)
}

impl Run<'_> {
    pub(crate) async fn forget(
        &self,
        f: &ForgetArgs,
        guard: &ForgetGuard,
        entry: &mut Entry,
    ) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let opts = forget_options(f);
        let scope = match (&f.host, f.tags.is_empty()) {
            (Some(h), true) => format!("snapshots of host {h}"),
            (Some(h), false) => format!("snapshots of host {h} tagged {}", f.tags.join(", ")),
            (None, true) => "every host's snapshots".to_owned(),
            (None, false) => format!("snapshots tagged {}", f.tags.join(", ")),
        };
        self.note(&format!(
            "restic {} forget in {}: {scope}; first a dry run for the delete guard",
            self.restic.version(),
            self.repo.display_url()
        ));
        let preview = tokio::select! {
            r = self.restic.forget_preview(self.repo, &opts) => r,
            () = self.cancel.cancelled() => return self.stopped(),
        };
        let groups = match preview {
            Ok(g) => g,
            Err(e) => return events::from_error(&e),
        };
        let dry = report(&groups, false);
        if !f.approved
            && let Some(why) = guard_verdict(guard, &groups)
        {
            self.note(&format!("Blocked by the delete guard: {why}. Nothing was removed."));
            return JobResult {
                outcome: JobOutcome::Blocked,
                error_class: Some("forget.guard".into()),
                message: Some(format!(
                    "Nothing removed: {why}. The run's report lists what it would remove; an admin can approve this one run."
                )),
                forget: Some(dry),
                ..JobResult::default()
            };
        }
        if f.approved {
            self.note("An admin approved this run past the delete guard.");
        }
        if dry.remove.is_empty() {
            self.note("The policy removes nothing.");
            let message = format!("Nothing to remove; {} snapshot(s) kept.", dry.keep.len());
            return JobResult {
                outcome: JobOutcome::Succeeded,
                exit_code: Some(0),
                message: Some(message),
                forget: Some(dry),
                ..JobResult::default()
            };
        }
        let forget = self.streamed(entry, |_| {}, |ctl| self.restic.forget(self.repo, &opts, ctl));
        let outcome = match forget.await {
            Ok(o) => o,
            Err(e) => return events::from_error(&e),
        };
        let done = report(outcome.forget_groups().unwrap_or_default(), true);
        let mut result = events::run_result(
            &outcome,
            self.ctx.jobs.stop_reason(self.job),
            format!("Removed {} snapshot(s), kept {}.", done.remove.len(), done.keep.len()),
        );
        let forgot = result.outcome == JobOutcome::Succeeded;
        result.forget = Some(if forgot { done } else { dry });
        if forgot {
            self.report_snapshots().await;
            if f.prune {
                let args = PruneArgs { max_unused: f.max_unused.clone(), ..PruneArgs::default() };
                let prune = self.prune(&args, entry).await;
                let message = match (&result.message, &prune.message) {
                    (Some(a), Some(b)) => Some(format!("{a} {b}")),
                    (a, b) => a.clone().or_else(|| b.clone()),
                };
                return JobResult { message, forget: result.forget, ..prune };
            }
        }
        result
    }

    /// Forget and prune wait while the repository's newest check found errors: deleting
    /// snapshots or packs then could remove what a repair needs.
    pub(crate) fn held_by_check(&self, failed: &FailedCheck) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let message = format!(
            "Nothing removed: the check of {} at {} (job {}) found errors in this repository; \
             forget and prune wait until a check passes.",
            self.repo.display_url(),
            failed.finished_at.format("%Y-%m-%d %H:%M UTC"),
            failed.job_id
        );
        self.note(&message);
        JobResult {
            outcome: JobOutcome::Blocked,
            error_class: Some("check.failed".into()),
            message: Some(message),
            ..JobResult::default()
        }
    }

    pub(crate) async fn prune(&self, p: &PruneArgs, entry: &mut Entry) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let mut how: Vec<String> = Vec::new();
        if let Some(m) = &p.max_unused {
            how.push(format!("max unused {m}"));
        }
        if let Some(m) = &p.max_repack_size {
            how.push(format!("max repack size {m}"));
        }
        for (on, what) in [
            (p.repack_cacheable_only, "cacheable packs only"),
            (p.repack_small, "small packs too"),
            (p.repack_uncompressed, "uncompressed data too"),
        ] {
            if on {
                how.push(what.to_owned());
            }
        }
        self.note(&format!(
            "restic {} prune of {}{}",
            self.restic.version(),
            self.repo.display_url(),
            if how.is_empty() { String::new() } else { format!(" ({})", how.join(", ")) }
        ));
        let opts = PruneOptions {
            max_unused: p.max_unused.clone(),
            max_repack_size: p.max_repack_size.clone(),
            repack_cacheable_only: p.repack_cacheable_only,
            repack_small: p.repack_small,
            repack_uncompressed: p.repack_uncompressed,
            ..PruneOptions::default()
        };
        match self.streamed(entry, |_| {}, |ctl| self.restic.prune(self.repo, &opts, ctl)).await {
            Ok(o) => events::run_result(
                &o,
                self.ctx.jobs.stop_reason(self.job),
                "Prune finished: unused data removed.".into(),
            ),
            Err(e) => events::from_error(&e),
        }
    }

    pub(crate) async fn check(&self, c: &CheckArgs, entry: &mut Entry) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let what = match &c.read_data_subset {
            Some(s) => format!("structure and {s} of the data"),
            None => "structure (no data read)".to_owned(),
        };
        self.note(&format!(
            "restic {} check of {}: {what}",
            self.restic.version(),
            self.repo.display_url()
        ));
        let opts = CheckOptions {
            read_data_subset: c.read_data_subset.clone(),
            ..CheckOptions::default()
        };
        match self.streamed(entry, |_| {}, |ctl| self.restic.check(self.repo, &opts, ctl)).await {
            Ok(o) => events::run_result(
                &o,
                self.ctx.jobs.stop_reason(self.job),
                format!("Check passed: no errors in the {what}."),
            ),
            Err(e) => events::from_error(&e),
        }
    }

    /// Stale locks only (restic's own rule: older than 30 minutes, or left on this host by
    /// a process that is gone), or every lock with `remove_all`. Reports both lists.
    pub(crate) async fn unlock(&self, remove_all: bool) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        self.note(&format!(
            "restic {} unlock of {}{}",
            self.restic.version(),
            self.repo.display_url(),
            if remove_all {
                ": every lock, live ones too (--remove-all)"
            } else {
                ": stale locks only"
            }
        ));
        let before = match self.restic.list_locks(self.repo).await {
            Ok(l) => l,
            Err(e) => return events::from_error(&e),
        };
        for l in &before {
            self.note(&format!("lock: {}", describe(l)));
        }
        let r = if remove_all {
            self.restic.unlock_remove_all(self.repo).await
        } else {
            self.restic.unlock(self.repo).await
        };
        if let Err(e) = r {
            return events::from_error(&e);
        }
        let after = match self.restic.list_locks(self.repo).await {
            Ok(l) => l,
            Err(e) => return events::from_error(&e),
        };
        let left: BTreeSet<&str> = after.iter().map(|l| l.id.as_str()).collect();
        let removed: Vec<LockHolder> =
            before.iter().filter(|l| !left.contains(l.id.as_str())).map(holder).collect();
        let remaining: Vec<LockHolder> = after.iter().map(holder).collect();
        let mut message = format!("Removed {} lock(s).", removed.len());
        if !remaining.is_empty() {
            message.push_str(&format!(
                " {} live lock(s) left in place: {}. Their owner may still run; remove them with \"remove all\" only if it is gone.",
                remaining.len(),
                after.iter().map(describe).collect::<Vec<_>>().join("; ")
            ));
        }
        JobResult {
            outcome: JobOutcome::Succeeded,
            exit_code: Some(0),
            message: Some(message),
            locks: Some(LockReport { removed, remaining }),
            ..JobResult::default()
        }
    }

    pub(crate) async fn stats(&self) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        self.note(&format!(
            "restic {} stats of {} (restore size, then raw data)",
            self.restic.version(),
            self.repo.display_url()
        ));
        let measure = |mode| StatsOptions { mode, ..StatsOptions::default() };
        let both = async {
            let restore = self.restic.stats(self.repo, &measure(StatsMode::RestoreSize)).await?;
            let raw = self.restic.stats(self.repo, &measure(StatsMode::RawData)).await?;
            Ok::<_, cairn_restic::Error>((restore, raw))
        };
        let (restore, raw) = tokio::select! {
            r = both => match r {
                Ok(v) => v,
                Err(e) => return events::from_error(&e),
            },
            () = self.cancel.cancelled() => return self.stopped(),
        };
        let stats = RepositoryStats {
            restore_size: restore.total_size,
            raw_size: raw.total_size,
            snapshots: restore.snapshots_count,
            dedup_ratio: if raw.total_size == 0 {
                1.0
            } else {
                restore.total_size as f64 / raw.total_size as f64
            },
        };
        JobResult {
            outcome: JobOutcome::Succeeded,
            exit_code: Some(0),
            message: Some(format!(
                "{} snapshot(s): {} to restore, {} stored ({:.1}× saved by dedup and compression).",
                stats.snapshots,
                events::bytes(stats.restore_size),
                events::bytes(stats.raw_size),
                stats.dedup_ratio
            )),
            stats: Some(stats),
            ..JobResult::default()
        }
    }
}

fn holder(l: &LockInfo) -> LockHolder {
    LockHolder {
        hostname: l.hostname.clone(),
        pid: l.pid,
        username: l.username.clone(),
        exclusive: l.exclusive,
        since: l.time,
    }
}

fn describe(l: &LockInfo) -> String {
    format!(
        "{} held by PID {} of {} on {} since {}",
        if l.exclusive { "exclusive lock" } else { "lock" },
        l.pid,
        l.username,
        l.hostname,
        l.time.format("%Y-%m-%d %H:%M:%S UTC")
    )
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn snap(id: &str, day: u32) -> cairn_restic::Snapshot {
        serde_json::from_value(serde_json::json!({
            "id": id.repeat(64 / id.len()), "short_id": id, "hostname": "web-1",
            "paths": ["/srv"], "time": Utc.with_ymd_and_hms(2026, 11, day, 3, 0, 0).unwrap(),
        }))
        .unwrap()
    }

    fn group(keep: usize, remove: usize) -> ForgetGroup {
        let keep: Vec<_> = (0..keep).map(|i| snap("a", 20 + i as u32)).collect();
        let remove: Vec<_> = (0..remove).map(|i| snap("b", 1 + i as u32)).collect();
        serde_json::from_value(serde_json::json!({
            "host": "web-1", "paths": ["/srv"], "keep": keep, "remove": remove,
            "reasons": keep.iter().map(|k| serde_json::json!({"snapshot": k, "matches": ["daily snapshot"]})).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    #[test]
    fn the_guard_counts_what_the_dry_run_would_remove() {
        let guard = ForgetGuard::default();
        assert_eq!(guard_verdict(&guard, &[group(5, 5)]), None, "half may go");
        let why = guard_verdict(&guard, &[group(4, 6)]).unwrap();
        assert!(why.contains("6 of 10") && why.contains("50 %"), "{why}");
        let counted =
            ForgetGuard { max_delete_count: Some(3), max_delete_percent: None, min_keep: 1 };
        assert!(guard_verdict(&counted, &[group(10, 4)]).unwrap().contains("limit of 3"));
        let keep2 = ForgetGuard { max_delete_count: None, max_delete_percent: None, min_keep: 2 };
        assert!(guard_verdict(&keep2, &[group(1, 1), group(5, 0)]).unwrap().contains("keep 1"));
        assert_eq!(guard_verdict(&keep2, &[group(2, 1), group(0, 0)]), None);
    }

    #[test]
    fn the_report_carries_the_reasons() {
        let r = report(&[group(2, 1)], false);
        assert_eq!((r.keep.len(), r.remove.len(), r.removed), (2, 1, false));
        assert!(r.keep.iter().all(|k| k.reasons == ["daily snapshot"]), "{r:?}");
        assert!(r.remove[0].reasons.is_empty());
        assert!(r.keep[0].time > r.keep[1].time, "newest first");
    }
}

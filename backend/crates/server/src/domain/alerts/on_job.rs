//! What a job's end means for alerts, decided in the transaction that records the end: a
//! failure (or a run its preflight blocked) raises (or repeats) its rule's alert; a success resolves the alerts it proves
//! wrong (the next good backup ends "backup failed", a passing check ends "check failed").

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::{
    baseline::{self, Change},
    raise::{Signal, Subject, clear, raise, resolve},
    rules::{Rule, RuleSettings},
    settings_all,
};
use crate::store::{
    StoreError,
    hosts::HostRow,
    jobs::{JobKind, JobRow, JobStatus},
    schedules, watch,
};

/// restic's error class for "repository is already locked".
const LOCKED: &str = "restic.locked";
/// The forget error class of a delete guard that stopped it.
const GUARD: &str = "forget.guard";

/// The subject of a backup's alerts: its schedule, else the host's use of the repository.
fn backup_subject(job: &JobRow) -> Option<Subject> {
    match (job.schedule_id, job.repository_id) {
        (Some(s), repo) => Some(Subject::schedule(s, job.host_id, repo)),
        (None, Some(repo)) => Some(Subject::host_repository(job.host_id, repo)),
        (None, None) => None,
    }
}

fn reason(job: &JobRow) -> String {
    match (&job.error_class, &job.error_message) {
        (Some(c), Some(m)) => format!("{m} ({c})"),
        (None, Some(m)) => m.clone(),
        (Some(c), None) => c.clone(),
        (None, None) => format!("The job ended {}.", job.status.as_str()),
    }
}

/// Raises and resolves what `job`'s end calls for. `host` is the job's host.
pub async fn on_job_end<C: ConnectionTrait>(
    db: &C,
    job: &JobRow,
    host: &HostRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let settings = settings_all(db).await?;
    let tags = crate::domain::fleet::tags_of(&host.tags);
    let name = &host.hostname;
    let what = match job.schedule_id {
        Some(id) => match schedules::find(db, id).await? {
            Some(s) => format!("schedule {} on {name}", s.name),
            None => name.clone(),
        },
        None => name.clone(),
    };
    let mut raised = Vec::new();
    let repo_of = |part: Option<&str>| {
        job.repository_id.map(|r| Subject::repository(r, part, Some(job.host_id)))
    };
    let ok = matches!(job.status, JobStatus::Succeeded | JobStatus::Warning);
    let mut clears: Vec<(Rule, Subject, &str)> = Vec::new();
    match (job.kind, job.status) {
        (_, JobStatus::Lost) => {
            if let Some(repo) = job.repository_id {
                raised.push(Signal {
                    rule: Rule::JobLost,
                    subject: Subject::host_repository(job.host_id, repo),
                    job_id: Some(job.id),
                    title: format!("A {} job was lost on {name}", job.kind.as_str()),
                    message: reason(job),
                    details: json!({ "kind": job.kind.as_str() }),
                });
            }
        }
        (JobKind::Backup, JobStatus::Failed | JobStatus::Blocked) => {
            if let Some(subject) = backup_subject(job) {
                raised.push(Signal {
                    rule: Rule::BackupFailed,
                    subject,
                    job_id: Some(job.id),
                    title: format!("Backup failed: {what}"),
                    message: reason(job),
                    details: json!({ "error_class": job.error_class }),
                });
            }
        }
        (JobKind::Backup, JobStatus::Warning) => {
            if let Some(subject) = backup_subject(job) {
                clears.push((Rule::BackupFailed, subject.clone(), "a backup made a snapshot"));
                raised.push(Signal {
                    rule: Rule::BackupWarning,
                    subject,
                    job_id: Some(job.id),
                    title: format!("Backup finished with a warning: {what}"),
                    message: reason(job),
                    details: json!({ "error_class": job.error_class }),
                });
            }
        }
        (JobKind::Backup, JobStatus::Succeeded) => {
            if let Some(subject) = backup_subject(job) {
                clears.push((Rule::BackupFailed, subject.clone(), "the next backup succeeded"));
                clears.push((Rule::BackupWarning, subject, "the next backup was clean"));
            }
        }
        (JobKind::Check, JobStatus::Failed | JobStatus::Blocked) => {
            if let Some(subject) = repo_of(None) {
                raised.push(Signal {
                    rule: Rule::CheckFailed,
                    subject,
                    job_id: Some(job.id),
                    title: format!("Repository check failed (run by {name})"),
                    message: reason(job),
                    details: json!({ "error_class": job.error_class }),
                });
            }
        }
        (JobKind::Check, JobStatus::Succeeded) => {
            if let Some(subject) = repo_of(None) {
                clears.push((Rule::CheckFailed, subject, "the next check passed"));
            }
        }
        (JobKind::Forget, JobStatus::Failed | JobStatus::Blocked)
            if job.error_class.as_deref() == Some(GUARD) =>
        {
            if let Some(subject) = repo_of(Some("forget")) {
                raised.push(Signal {
                    rule: Rule::GuardTripped,
                    subject,
                    job_id: Some(job.id),
                    title: format!("A forget was stopped by the delete guard (run by {name})"),
                    message: reason(job),
                    details: json!({ "error_class": job.error_class }),
                });
            }
        }
        (kind @ (JobKind::Forget | JobKind::Prune), JobStatus::Failed | JobStatus::Blocked) => {
            if let Some(subject) = repo_of(Some(kind.as_str())) {
                raised.push(Signal {
                    rule: Rule::MaintenanceFailed,
                    subject,
                    job_id: Some(job.id),
                    title: format!("{} failed (run by {name})", capitalised(kind.as_str())),
                    message: reason(job),
                    details: json!({ "kind": kind.as_str(), "error_class": job.error_class }),
                });
            }
        }
        (kind @ (JobKind::Forget | JobKind::Prune), s) if ok_status(s) => {
            if let Some(subject) = repo_of(Some(kind.as_str())) {
                clears.push((Rule::MaintenanceFailed, subject.clone(), "the next run succeeded"));
                if kind == JobKind::Forget {
                    clears.push((Rule::GuardTripped, subject, "a forget ran"));
                }
            }
        }
        (JobKind::Restore, JobStatus::Failed | JobStatus::Blocked) => raised.push(Signal {
            rule: Rule::RestoreFailed,
            subject: Subject::host(job.host_id),
            job_id: Some(job.id),
            title: format!("Restore failed on {name}"),
            message: reason(job),
            details: json!({ "error_class": job.error_class }),
        }),
        (JobKind::Restore, s) if ok_status(s) => {
            clears.push((
                Rule::RestoreFailed,
                Subject::host(job.host_id),
                "the next restore succeeded",
            ));
            raised.push(Signal {
                rule: Rule::RestoreSucceeded,
                subject: Subject::host(job.host_id),
                job_id: Some(job.id),
                title: format!("Restore succeeded on {name}"),
                message: format!("The restore ended {}.", job.status.as_str()),
                details: json!({}),
            });
        }
        (JobKind::Drill, JobStatus::Failed | JobStatus::Blocked) => raised.push(Signal {
            rule: Rule::DrillFailed,
            subject: Subject::host(job.host_id),
            job_id: Some(job.id),
            title: format!("Restore drill failed on {name}"),
            message: reason(job),
            details: json!({ "error_class": job.error_class }),
        }),
        (JobKind::Drill, JobStatus::Succeeded) => {
            clears.push((Rule::DrillFailed, Subject::host(job.host_id), "the next drill passed"));
        }
        _ => {}
    }
    // Any job that works on a host's repository shows the agent has it again.
    if ok && let Some(repo) = job.repository_id {
        clears.push((
            Rule::JobLost,
            Subject::host_repository(job.host_id, repo),
            "a later job succeeded",
        ));
    }
    clears.push((
        Rule::JobStuck,
        Subject::job(job.id, job.host_id, job.repository_id),
        "the job ended",
    ));
    if job.kind == JobKind::Backup && ok {
        watch::backup_ok(db, job.host_id, job.schedule_id, job.finished_at.unwrap_or(now)).await?;
        clears.push((Rule::RpoMissed, Subject::host(job.host_id), "a backup succeeded"));
        if let Some(s) = job.schedule_id {
            clears.push((
                Rule::NothingRan,
                Subject::schedule(s, job.host_id, job.repository_id),
                "a backup of the schedule succeeded",
            ));
        }
        if let Some(subject) = backup_subject(job) {
            let set = &settings[&Rule::UnusualChange];
            match unusual(db, job, set).await? {
                Some(v) if v.unusual() => raised.push(Signal {
                    rule: Rule::UnusualChange,
                    subject,
                    job_id: Some(job.id),
                    title: format!("Unusual change: {what}"),
                    message: unusual_message(&v),
                    details: json!({ "baseline": v }),
                }),
                Some(_) => clears.push((
                    Rule::UnusualChange,
                    subject,
                    "the next backup was within its baseline",
                )),
                None => {}
            }
        }
    }
    if let Some(repo) = job.repository_id {
        if job.error_class.as_deref() == Some(LOCKED) {
            let by: String =
                format!("{}: {}", job.kind.as_str(), reason(job)).chars().take(300).collect();
            watch::locked(db, repo, job.finished_at.unwrap_or(now), Some(by)).await?;
        } else if ok {
            // An exclusive lock taken proves no lock was left; otherwise only a run of the
            // kind that was locked out shows its way is clear again.
            let exclusive = matches!(job.kind, JobKind::Forget | JobKind::Prune | JobKind::Unlock);
            let kind = (!exclusive).then(|| job.kind.as_str());
            if watch::unlocked(db, repo, kind).await? {
                clears.push((
                    Rule::RepositoryLocked,
                    Subject::repository(repo, None, None),
                    "a job took the repository's lock",
                ));
            }
        }
    }
    for (rule, subject, why) in clears {
        clear(db, rule, &subject, why, Some(job.id), now).await?;
    }
    for s in raised {
        let set = &settings[&s.rule];
        if !set.covers(&tags) {
            continue;
        }
        let notice = s.rule == Rule::RestoreSucceeded;
        if let Some(a) = raise(db, set, s, now).await?
            && notice
        {
            // A notice, not a problem: raised for its notification, resolved at once.
            resolve(db, a, None, "a notice: nothing to do", Some(job.id), now).await?;
        }
    }
    Ok(())
}

/// This backup's change against its subject's recent runs; `None` when the rule is off,
/// the backup has no summary, or there are too few past runs for a baseline.
async fn unusual<C: ConnectionTrait>(
    db: &C,
    job: &JobRow,
    set: &RuleSettings,
) -> Result<Option<baseline::Verdict>, StoreError> {
    if !set.enabled {
        return Ok(None);
    }
    let Some(change) = Change::of_summary(job.summary.as_deref()) else { return Ok(None) };
    let runs = set.param("runs").max(1) as u64;
    let past = watch::recent_ok(
        db,
        job.host_id,
        JobKind::Backup,
        job.schedule_id,
        job.repository_id,
        Some(job.id),
        runs,
    )
    .await?;
    let past: Vec<Change> =
        past.iter().filter_map(|r| Change::of_summary(r.summary.as_deref())).collect();
    Ok(baseline::judge(
        change,
        &past,
        set.param("factor").max(1) as u64,
        (set.param("min_mib").max(0) as u64).saturating_mul(1 << 20),
        set.param("min_files").max(0) as u64,
    ))
}

fn unusual_message(v: &baseline::Verdict) -> String {
    let mib = baseline::bytes_text;
    let files = |n: u64| if n == 1 { "1 file".to_string() } else { format!("{n} files") };
    let mut parts = Vec::new();
    if v.bytes_unusual {
        parts.push(format!(
            "added {} (usually {})",
            mib(v.change.bytes_added),
            mib(v.median.bytes_added)
        ));
    }
    if v.files_unusual {
        parts.push(format!(
            "had {} new or changed (usually {})",
            files(v.change.files),
            v.median.files
        ));
    }
    format!(
        "This backup {}: more than {}× the median of the last {} backups.",
        parts.join(" and "),
        v.factor,
        v.runs
    )
}

fn ok_status(s: JobStatus) -> bool {
    matches!(s, JobStatus::Succeeded | JobStatus::Warning)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

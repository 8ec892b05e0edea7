//! What a job's end means for alerts, decided in the transaction that records the end: a
//! failure (or a run its preflight blocked) raises (or repeats) its rule's alert; a success resolves the alerts it proves
//! wrong (the next good backup ends "backup failed", a passing check ends "check failed").

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::{
    raise::{Signal, Subject, clear, raise, resolve},
    rules::Rule,
    settings_all,
};
use crate::store::{
    StoreError,
    hosts::HostRow,
    jobs::{JobKind, JobRow, JobStatus},
    schedules,
};

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
                clears.push((Rule::MaintenanceFailed, subject, "the next run succeeded"));
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

fn ok_status(s: JobStatus) -> bool {
    matches!(s, JobStatus::Succeeded | JobStatus::Warning)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

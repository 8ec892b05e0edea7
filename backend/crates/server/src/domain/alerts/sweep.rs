//! The periodic half of alerting, run by the maintenance sweep every 30 s (on one replica
//! at a time): what no single event shows. Each rule finds what is true now (an agent
//! silent, a schedule that should have run, a job stuck, a repository locked, a version
//! behind), raises what is new and resolves what no longer holds. A handful of queries per
//! sweep whatever the fleet's size: one scan each of hosts and enabled schedules, the
//! unfinished jobs past a floor, the locked repositories, and each rule's open alerts.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    AlertRow, baseline,
    raise::{Signal, Subject, clear, raise},
    rules::{Rule, RuleSettings},
    settings_all,
};
use crate::{
    domain::{
        Domain, DomainError,
        fleet::{tags_of, version_older},
        schedules::rules::zone_of,
    },
    store::{
        StoreError, alerts as store,
        jobs::JobStatus,
        watch::{self, WatchedHost},
    },
};

/// One rule's findings: the signals true now. Open alerts of the rule whose subject is
/// not among them are resolved with `why`.
struct Findings {
    rule: Rule,
    signals: Vec<Signal>,
    why: &'static str,
    /// Subjects not judged this time (a schedule whose run is under way): their open
    /// alerts stay as they are.
    keep: HashSet<String>,
    /// The rule's open alerts, when the finder had to read them already.
    open: Option<Vec<AlertRow>>,
}

impl Findings {
    fn new(rule: Rule, signals: Vec<Signal>, why: &'static str) -> Findings {
        Findings { rule, signals, why, keep: HashSet::new(), open: None }
    }
}

pub async fn run(state: &Domain) -> Result<(), DomainError> {
    let now = Utc::now();
    let db = state.store.db();
    let settings = settings_all(db).await?;
    let hosts = watch::hosts(db).await?;
    let by_id: HashMap<Uuid, &WatchedHost> = hosts.iter().map(|h| (h.id, h)).collect();
    let mut all = Vec::new();
    all.push(agent_offline(state, &settings[&Rule::AgentOffline], now).await?);
    let schedules = watch::scheduled(db).await?;
    all.push(nothing_ran(&settings[&Rule::NothingRan], &schedules, &by_id, now));
    let scheduled: HashSet<Uuid> = schedules.iter().map(|s| s.host_id).collect();
    all.push(rpo_missed(&settings[&Rule::RpoMissed], &hosts, now));
    all.push(unscheduled(&settings[&Rule::Unscheduled], &hosts, &scheduled, now));
    all.push(version_behind(&settings[&Rule::VersionBehind], &hosts));
    all.push(job_stuck(state, &settings[&Rule::JobStuck], &by_id, now).await?);
    all.push(repository_locked(state, &settings[&Rule::RepositoryLocked], now).await?);
    for f in all {
        let set = &settings[&f.rule];
        // A rule turned off leaves its open alerts as they are: nothing was checked.
        if !set.enabled {
            continue;
        }
        reconcile(state, set, f, &by_id, now).await?;
    }
    Ok(())
}

/// Raises the findings not yet open, resolves the open alerts no longer found; one write
/// transaction, and none when nothing changes (the usual sweep).
async fn reconcile(
    state: &Domain,
    set: &RuleSettings,
    f: Findings,
    hosts: &HashMap<Uuid, &WatchedHost>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let open: Vec<AlertRow> = match f.open {
        Some(open) => open,
        None => store::open_of_rule(state.store.db(), f.rule.as_str()).await?,
    };
    let open_keys: HashSet<String> = open.iter().filter_map(|a| a.open_key.clone()).collect();
    // Tags are parsed only for a rule limited to one.
    let in_scope = |s: &Signal| {
        set.host_tag.is_none()
            || s.subject
                .host_id
                .and_then(|h| hosts.get(&h))
                .is_none_or(|h| set.covers(&tags_of(&h.tags)))
    };
    let found: Vec<Signal> = f.signals.into_iter().filter(in_scope).collect();
    let found_keys: HashSet<String> = found.iter().map(|s| s.subject.open_key(f.rule)).collect();
    let to_raise: Vec<Signal> =
        found.into_iter().filter(|s| !open_keys.contains(&s.subject.open_key(f.rule))).collect();
    let gone: Vec<&AlertRow> = open
        .iter()
        .filter(|a| {
            a.open_key.as_ref().is_some_and(|k| !found_keys.contains(k) && !f.keep.contains(k))
        })
        .collect();
    if to_raise.is_empty() && gone.is_empty() {
        return Ok(());
    }
    let txn = state.store.write().await?;
    for s in to_raise {
        raise(&*txn, set, s, now).await?;
    }
    for a in gone {
        let subject = Subject {
            kind: subject_kind(&a.subject_kind),
            id: a.subject_id.clone(),
            host_id: a.host_id,
            repository_id: a.repository_id,
        };
        clear(&*txn, f.rule, &subject, f.why, None, now).await?;
    }
    txn.commit().await
}

fn subject_kind(k: &str) -> &'static str {
    match k {
        "host" => "host",
        "schedule" => "schedule",
        "host_repo" => "host_repo",
        "repository" => "repository",
        "job" => "job",
        _ => "other",
    }
}

async fn agent_offline(
    state: &Domain,
    set: &RuleSettings,
    now: DateTime<Utc>,
) -> Result<Findings, StoreError> {
    let minutes = set.param("minutes");
    let silent = if set.enabled {
        crate::store::hosts::silent_since(state.store.db(), now - Duration::minutes(minutes))
            .await?
    } else {
        Vec::new()
    };
    let signals = silent
        .into_iter()
        .map(|h| {
            let seen = h.last_seen_at.map_or_else(|| "never".to_string(), |t| t.to_rfc3339());
            Signal {
                rule: Rule::AgentOffline,
                subject: Subject::host(h.id),
                job_id: None,
                title: format!("{} is offline", h.hostname),
                message: format!(
                    "The agent on {} has not been in touch for over {minutes} minutes (last seen {seen}).",
                    h.hostname
                ),
                details: json!({ "last_seen_at": h.last_seen_at, "minutes": minutes }),
            }
        })
        .collect();
    Ok(Findings::new(Rule::AgentOffline, signals, "the agent is back"))
}

/// A schedule is late when the first fire after its newest successful backup (or after it
/// was last changed, whichever is later) lies more than the grace period in the past and
/// no run of it is under way. One cron step per schedule.
fn nothing_ran(
    set: &RuleSettings,
    schedules: &[watch::WatchedSchedule],
    hosts: &HashMap<Uuid, &WatchedHost>,
    now: DateTime<Utc>,
) -> Findings {
    let grace = set.param("grace_minutes");
    let mut f = Findings::new(
        Rule::NothingRan,
        Vec::new(),
        "the schedule is on time again (a backup succeeded, or the schedule changed)",
    );
    let mut crons: HashMap<&str, Option<cairn_schedule::Schedule>> = HashMap::new();
    for s in schedules.iter().filter(|_| set.enabled) {
        let Some(host) = hosts.get(&s.host_id) else { continue };
        let running =
            matches!(s.last_job_status.as_deref(), Some("queued" | "dispatched" | "running"));
        if running {
            // Judged when the run ends; a run that hangs is "job stuck"'s to find.
            f.keep.insert(Subject::schedule(s.id, s.host_id, None).open_key(Rule::NothingRan));
            continue;
        }
        // A fleet shares a few expressions: each is parsed once per sweep (parsing was
        // most of a 10,000-host sweep's time).
        let cron = crons
            .entry(s.cron.as_str())
            .or_insert_with(|| cairn_schedule::Schedule::parse(&s.cron).ok());
        let Some(cron) = cron.as_ref() else { continue };
        let (zone, zone_name) = zone_of(s.timezone.as_deref(), host.timezone.as_deref());
        let since = s.last_success_at.map_or(s.updated_at, |t| t.max(s.updated_at));
        let Some(due) = cron.next_after(zone, since) else { continue };
        if due + Duration::minutes(grace) > now {
            continue;
        }
        let last = s.last_success_at.map_or_else(|| "never".to_string(), |t| t.to_rfc3339());
        f.signals.push(Signal {
            rule: Rule::NothingRan,
            subject: Subject::schedule(s.id, s.host_id, Some(s.repository_id)),
            job_id: None,
            title: format!("Nothing ran: schedule {} on {}", s.name, host.hostname),
            message: format!(
                "The schedule should have run at {} ({zone_name}); {grace} minutes later there is no successful backup since (last: {last}).",
                due.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z"),
            ),
            details: json!({
                "due_at": due, "grace_minutes": grace, "last_success_at": s.last_success_at,
                "cron": s.cron, "timezone": zone_name, "last_job_status": s.last_job_status,
            }),
        });
    }
    f
}

/// Hosts (in the rule's scope; checked by `reconcile`) without a successful backup for the
/// rule's hours; a host enrolled more recently than that is given until then.
fn rpo_missed(set: &RuleSettings, hosts: &[WatchedHost], now: DateTime<Utc>) -> Findings {
    let hours = set.param("hours");
    let cutoff = now - Duration::hours(hours);
    let signals = hosts
        .iter()
        .filter(|_| set.enabled)
        .filter(|h| h.last_backup_ok_at.unwrap_or(h.created_at) < cutoff)
        .map(|h| {
            let last = h.last_backup_ok_at.map_or_else(|| "never".to_string(), |t| t.to_rfc3339());
            Signal {
                rule: Rule::RpoMissed,
                subject: Subject::host(h.id),
                job_id: None,
                title: format!("No backup of {} for over {hours} h", h.hostname),
                message: format!(
                    "{} has had no successful backup for over {hours} hours (last: {last}).",
                    h.hostname
                ),
                details: json!({ "hours": hours, "last_backup_ok_at": h.last_backup_ok_at }),
            }
        })
        .collect();
    Findings::new(Rule::RpoMissed, signals, "a backup succeeded")
}

fn unscheduled(
    set: &RuleSettings,
    hosts: &[WatchedHost],
    scheduled: &HashSet<Uuid>,
    now: DateTime<Utc>,
) -> Findings {
    let hours = set.param("hours");
    let cutoff = now - Duration::hours(hours);
    let signals = hosts
        .iter()
        .filter(|_| set.enabled)
        .filter(|h| h.created_at < cutoff && !scheduled.contains(&h.id))
        .map(|h| Signal {
            rule: Rule::Unscheduled,
            subject: Subject::host(h.id),
            job_id: None,
            title: format!("{} has no backup schedule", h.hostname),
            message: format!(
                "{} has no enabled schedule with a cron expression: nothing backs it up by itself. Add one on its page.",
                h.hostname
            ),
            details: json!({ "hours": hours, "enrolled_at": h.created_at }),
        })
        .collect();
    Findings::new(Rule::Unscheduled, signals, "the host has a schedule")
}

/// Agents older than this server; restic older than the newest restic in the fleet.
fn version_behind(set: &RuleSettings, hosts: &[WatchedHost]) -> Findings {
    let server = env!("CARGO_PKG_VERSION");
    let newest_restic =
        hosts.iter().filter_map(|h| h.restic_version.as_deref()).fold(None::<&str>, |best, v| {
            match best {
                Some(b) if !version_older(b, v) => Some(b),
                _ => Some(v),
            }
        });
    let mut signals = Vec::new();
    for h in hosts.iter().filter(|_| set.enabled) {
        let agent_behind = version_older(&h.agent_version, server);
        let restic_behind = match (h.restic_version.as_deref(), newest_restic) {
            (Some(v), Some(n)) => version_older(v, n),
            _ => false,
        };
        if !agent_behind && !restic_behind {
            continue;
        }
        let mut parts = Vec::new();
        if agent_behind {
            parts.push(format!("its agent is {} (this server is {server})", h.agent_version));
        }
        if restic_behind && let (Some(v), Some(n)) = (h.restic_version.as_deref(), newest_restic) {
            parts.push(format!("its restic is {v} (the fleet's newest is {n})"));
        }
        signals.push(Signal {
            rule: Rule::VersionBehind,
            subject: Subject::host(h.id),
            job_id: None,
            title: format!("{} runs an older version", h.hostname),
            message: format!("On {}, {}.", h.hostname, parts.join("; ")),
            details: json!({
                "agent_version": h.agent_version, "server_version": server,
                "restic_version": h.restic_version, "newest_restic": newest_restic,
            }),
        });
    }
    Findings::new(Rule::VersionBehind, signals, "the host was updated")
}

/// Unfinished jobs older than the rule's floor, each judged against its usual duration:
/// the median of its host's last 14 successful runs of that kind (one indexed read per
/// job not yet alerted; an alerted one stays found while it is unfinished).
async fn job_stuck(
    state: &Domain,
    set: &RuleSettings,
    hosts: &HashMap<Uuid, &WatchedHost>,
    now: DateTime<Utc>,
) -> Result<Findings, StoreError> {
    let mut f = Findings::new(Rule::JobStuck, Vec::new(), "the job ended");
    if !set.enabled {
        return Ok(f);
    }
    let db = state.store.db();
    let floor = set.param("minutes");
    let factor = set.param("factor");
    let jobs = watch::active_before(db, now - Duration::minutes(floor)).await?;
    if jobs.is_empty() {
        return Ok(f);
    }
    let open_alerts = store::open_of_rule(db, Rule::JobStuck.as_str()).await?;
    let open: HashSet<String> = open_alerts.iter().filter_map(|a| a.open_key.clone()).collect();
    f.open = Some(open_alerts);
    for j in jobs {
        let subject = Subject::job(j.id, j.host_id, j.repository_id);
        let key = subject.open_key(Rule::JobStuck);
        let age = now - j.created_at;
        let usual = if open.contains(&key) {
            None
        } else {
            let past = watch::recent_ok(db, j.host_id, j.kind, None, None, None, 14).await?;
            let secs: Vec<u64> = past
                .iter()
                .filter_map(|r| {
                    let end = r.finished_at?;
                    u64::try_from((end - r.started_at.unwrap_or(r.created_at)).num_seconds()).ok()
                })
                .collect();
            let usual = baseline::median(secs);
            let limit = usual.map_or(floor * 60, |u| (u as i64 * factor).max(floor * 60));
            if age.num_seconds() <= limit {
                continue;
            }
            usual
        };
        let hostname = hosts.get(&j.host_id).map_or("a host", |h| h.hostname.as_str());
        let waiting = match j.status {
            JobStatus::Queued => " (still queued: is the agent online?)",
            JobStatus::Dispatched => " (handed to the agent, not started)",
            _ => "",
        };
        let usual_text = usual.map_or_else(
            || "no earlier run to compare with".to_string(),
            |u| format!("usually {}", minutes_text(u)),
        );
        f.signals.push(Signal {
            rule: Rule::JobStuck,
            subject,
            job_id: Some(j.id),
            title: format!("A {} job on {hostname} is not completing", j.kind.as_str()),
            message: format!(
                "The job has been {} for {}{waiting}; {usual_text}.",
                j.status.as_str(),
                minutes_text(age.num_seconds().max(0) as u64),
            ),
            details: json!({
                "status": j.status.as_str(), "created_at": j.created_at,
                "usual_seconds": usual, "factor": factor, "minutes": floor,
                "kind": j.kind.as_str(),
            }),
        });
    }
    Ok(f)
}

fn minutes_text(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s => format!("{:.1} h", s as f64 / 3_600.0),
    }
}

async fn repository_locked(
    state: &Domain,
    set: &RuleSettings,
    now: DateTime<Utc>,
) -> Result<Findings, StoreError> {
    let minutes = set.param("minutes");
    let locked = if set.enabled {
        watch::locked_since(state.store.db(), now - Duration::minutes(minutes)).await?
    } else {
        Vec::new()
    };
    let signals = locked
        .into_iter()
        .map(|r| Signal {
            rule: Rule::RepositoryLocked,
            subject: Subject::repository(r.id, None, None),
            job_id: None,
            title: format!("Repository {} has been locked for over {minutes} minutes", r.name),
            message: format!(
                "A job found {} locked at {}, and no job has taken its lock since ({}). Look at its locks on the repository page; unlock removes a lock whose owner is gone.",
                r.name,
                r.locked_since.to_rfc3339(),
                r.locked_by.as_deref().unwrap_or("no detail"),
            ),
            details: json!({ "locked_since": r.locked_since, "locked_by": r.locked_by, "minutes": minutes }),
        })
        .collect();
    Ok(Findings::new(Rule::RepositoryLocked, signals, "a job took the repository's lock"))
}

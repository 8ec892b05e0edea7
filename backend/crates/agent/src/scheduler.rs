//! Schedules on the agent's own clock: each enabled cron schedule of the applied config
//! fires here, with or without the server, as a job the agent makes itself (UUIDv7) whose
//! first event (`created`) tells the server what fired, whenever it is reachable again.
//!
//! Three rules keep runs few: a fire missed while the agent was stopped (or its host slept)
//! becomes one run at start, or none (`missed: skip`), never a burst; a fire that comes
//! while the schedule's previous run still runs waits for it and then runs once; a new or
//! changed schedule starts counting from now (no catch-up for a cron it never had).

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use cairn_proto::{
    AgentConfig, AgentJob, CopyArgs, FireTrigger, ForgetArgs, JobArgs, JobKind, JobOutcome,
    JobSpec, LogStream, MissedRun, ScheduleConfig,
};
use cairn_schedule::Schedule;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use uuid::Uuid;

use crate::{
    events,
    jobs::{self, Ctx},
    state::{StateError, read_private, write_private},
};

/// A fire seen this long after its time still counts as on time (the loop wakes at the
/// fire time; this covers a slow start or a busy host, not a stopped agent).
const GRACE_SECS: i64 = 60;
/// The loop looks again at least this often, so a changed wall clock or a sleeping host
/// is noticed within a minute.
const MAX_SLEEP: Duration = Duration::from_secs(60);
/// How often a schedule waiting for its previous run looks whether that run ended.
const PENDING_POLL: Duration = Duration::from_secs(2);

/// What the agent remembers of a schedule between starts: the last fire it handled, and
/// the cron and zone that fire was read with.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub last: DateTime<Utc>,
    pub cron: String,
    pub timezone: String,
}

/// `schedules.json` in the state directory: a [`Mark`] per enabled cron schedule.
pub struct Book {
    path: PathBuf,
    pub marks: BTreeMap<Uuid, Mark>,
}

impl Book {
    /// Reads the book; a missing or unreadable one starts empty (every schedule then counts
    /// from now: at worst one missed run is not made up, never an extra one made).
    pub fn open(dir: &Path) -> Book {
        let path = dir.join("schedules.json");
        let marks = match read_private(&path) {
            Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::error!("{} is unreadable, starting afresh: {e}", path.display());
                BTreeMap::new()
            }),
            Ok(None) => BTreeMap::new(),
            Err(e) => {
                tracing::error!("cannot read the schedule book, starting afresh: {e}");
                BTreeMap::new()
            }
        };
        Book { path, marks }
    }

    fn save(&self) -> Result<(), StateError> {
        let json = serde_json::to_vec_pretty(&self.marks)
            .map_err(|e| StateError::Corrupt(e.to_string()))?;
        write_private(&self.path, &json)
    }
}

/// What one schedule needs now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing until this instant (`None`: never, e.g. a manual schedule).
    Wait(Option<DateTime<Utc>>),
    /// Start counting from now: the schedule is new, changed, or was disabled.
    Track,
    /// Run now, for the fire at `fire_time`.
    Fire { fire_time: DateTime<Utc>, trigger: FireTrigger },
    /// Fires were missed and the policy says skip: only move the mark.
    Skip { fire_time: DateTime<Utc> },
    /// Due, but the server holds the schedule back (`blocked_by`): no run, only the mark
    /// moves, so the schedule keeps its clock and fires on time (no catch-up) once freed.
    Held { fire_time: DateTime<Utc> },
}

/// The cron and zone of a schedule the agent can fire, or why it cannot.
fn cron_of(s: &ScheduleConfig) -> Option<Result<(Schedule, cairn_schedule::Tz), String>> {
    let expr = s.cron.as_deref().filter(|_| s.enabled)?;
    Some(
        Schedule::parse(expr).map_err(|e| e.to_string()).and_then(|c| {
            cairn_schedule::zone(&s.timezone).map(|z| (c, z)).map_err(|e| e.to_string())
        }),
    )
}

/// Decides what one enabled cron schedule needs at `now`, given its mark. Pure: the loop
/// and the tests share it.
pub fn plan(
    s: &ScheduleConfig,
    cron: &Schedule,
    zone: cairn_schedule::Tz,
    mark: Option<&Mark>,
    now: DateTime<Utc>,
) -> Step {
    match (plan_unheld(s, cron, zone, mark, now), &s.blocked_by) {
        (Step::Fire { fire_time, .. } | Step::Skip { fire_time }, Some(_)) => {
            Step::Held { fire_time }
        }
        (step, _) => step,
    }
}

fn plan_unheld(
    s: &ScheduleConfig,
    cron: &Schedule,
    zone: cairn_schedule::Tz,
    mark: Option<&Mark>,
    now: DateTime<Utc>,
) -> Step {
    let Some(mark) = mark.filter(|m| m.cron == cron.expression() && m.timezone == s.timezone)
    else {
        return Step::Track;
    };
    // A mark in the future (the clock went back) counts from now rather than waiting for it.
    if mark.last > now {
        return Step::Track;
    }
    let since = mark.last;
    let Some(next) = cron.next_after(zone, since) else { return Step::Wait(None) };
    if next > now {
        return Step::Wait(Some(next));
    }
    // Due. The latest fire at or before now is the one this run stands for; fires before
    // it since the mark were missed (the agent was stopped, or the host slept).
    let last_due = cron.missed_between(zone, since, now).unwrap_or(next);
    let earlier_missed = next < last_due;
    let on_time = (now - last_due).num_seconds() <= GRACE_SECS;
    match (on_time, s.missed) {
        // One run stands for the fire now and those missed before it.
        (true, MissedRun::RunOnce) if earlier_missed => {
            Step::Fire { fire_time: last_due, trigger: FireTrigger::Missed }
        }
        // The fire now runs; with `skip`, the missed ones before it are just gone.
        (true, _) => Step::Fire { fire_time: last_due, trigger: FireTrigger::OnTime },
        (false, MissedRun::RunOnce) => {
            Step::Fire { fire_time: last_due, trigger: FireTrigger::Missed }
        }
        (false, MissedRun::Skip) => Step::Skip { fire_time: last_due },
    }
}

/// Fires the applied config's schedules until the agent stops. `config` carries the
/// config the poll loop applied (a new one wakes the loop at once).
pub async fn run(ctx: Arc<Ctx>, dir: PathBuf, mut config: watch::Receiver<Option<AgentConfig>>) {
    let mut book = Book::open(&dir);
    // Fires that came while the schedule's previous run still ran: schedule → fire time.
    let mut waiting: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    // Schedules whose cron this agent cannot read, said once each.
    let mut unreadable: HashMap<Uuid, String> = HashMap::new();
    // Schedules the server holds back, with the reason last said (said once each).
    let mut held: HashMap<Uuid, String> = HashMap::new();
    loop {
        let current = config.borrow_and_update().clone();
        let now = Utc::now();
        let mut wake = now + chrono::Duration::from_std(MAX_SLEEP).unwrap_or_default();
        let mut changed = false;
        let schedules = current.as_ref().map(|c| c.schedules.as_slice()).unwrap_or_default();
        // Marks of schedules gone, disabled or manual are dropped: enabling one again
        // starts it afresh, without a catch-up for the time it was off.
        let firing: Vec<Uuid> =
            schedules.iter().filter(|s| s.enabled && s.cron.is_some()).map(|s| s.id).collect();
        let before = book.marks.len();
        book.marks.retain(|id, _| firing.contains(id));
        waiting.retain(|id, _| firing.contains(id));
        changed |= book.marks.len() != before;
        for s in schedules {
            let (cron, zone) = match cron_of(s) {
                None => continue,
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    if unreadable.get(&s.id) != Some(&e) {
                        tracing::error!(schedule = %s.name, "cannot fire this schedule: {e}");
                        unreadable.insert(s.id, e);
                    }
                    continue;
                }
            };
            unreadable.remove(&s.id);
            match &s.blocked_by {
                Some(reason) if held.get(&s.id) != Some(reason) => {
                    tracing::info!(schedule = %s.name, %reason, "the server holds this schedule back; it does not fire until that is fixed");
                    held.insert(s.id, reason.clone());
                }
                None if held.remove(&s.id).is_some() => {
                    tracing::info!(schedule = %s.name, "the server no longer holds this schedule back; it fires again");
                }
                _ => {}
            }
            let mark = |last| Mark {
                last,
                cron: cron.expression().to_string(),
                timezone: s.timezone.clone(),
            };
            match plan(s, &cron, zone, book.marks.get(&s.id), now) {
                Step::Wait(Some(at)) => wake = wake.min(at),
                Step::Wait(None) => {}
                Step::Track => {
                    tracing::info!(schedule = %s.name, cron = %cron.expression(), zone = %s.timezone, "schedule armed");
                    book.marks.insert(s.id, mark(now));
                    changed = true;
                    if let Some(at) = cron.next_after(zone, now) {
                        wake = wake.min(at);
                    }
                }
                Step::Skip { fire_time } => {
                    tracing::info!(schedule = %s.name, missed = %fire_time, "fires were missed while the agent was stopped; skipped (missed: skip)");
                    book.marks.insert(s.id, mark(now));
                    changed = true;
                }
                Step::Held { fire_time } => {
                    tracing::debug!(schedule = %s.name, fire = %fire_time, "held back: not fired");
                    book.marks.insert(s.id, mark(now));
                    changed = true;
                }
                Step::Fire { fire_time, trigger } => {
                    book.marks.insert(s.id, mark(now));
                    changed = true;
                    if let Some(job) = ctx.jobs.running_for(s.id) {
                        tracing::info!(schedule = %s.name, running = %job, "the previous run still runs; this fire runs once it ends");
                        waiting.insert(s.id, fire_time);
                    } else if let Some(cfg) = current.as_ref() {
                        fire(&ctx, cfg, s, fire_time, trigger);
                    }
                }
            }
        }
        // Coalesced fires whose previous run has ended.
        let ready: Vec<(Uuid, DateTime<Utc>)> = waiting
            .iter()
            .filter(|(id, _)| ctx.jobs.running_for(**id).is_none())
            .map(|(id, t)| (*id, *t))
            .collect();
        for (id, fire_time) in ready {
            waiting.remove(&id);
            // A schedule held back since this fire came does not run it.
            let s = schedules.iter().find(|s| s.id == id && s.blocked_by.is_none());
            if let (Some(cfg), Some(s)) = (current.as_ref(), s) {
                fire(&ctx, cfg, s, fire_time, FireTrigger::Coalesced);
            }
        }
        if changed && let Err(e) = book.save() {
            tracing::error!(
                "cannot save the schedule book (a restart may miss or repeat a fire): {e}"
            );
        }
        let mut sleep = (wake - Utc::now()).to_std().unwrap_or_default().min(MAX_SLEEP);
        if !waiting.is_empty() {
            sleep = sleep.min(PENDING_POLL);
        }
        tokio::select! {
            () = tokio::time::sleep(sleep) => {}
            r = config.changed() => if r.is_err() {
                // The poll loop is gone: the agent is stopping.
                return;
            },
        }
    }
}

/// Starts a schedule's run: a job made here, its `created` event first, then a line in
/// its log saying why it runs now.
fn fire(
    ctx: &Arc<Ctx>,
    cfg: &AgentConfig,
    s: &ScheduleConfig,
    fire_time: DateTime<Utc>,
    trigger: FireTrigger,
) {
    let spec = JobSpec {
        job_id: Uuid::now_v7(),
        repository_id: s.repository_id,
        config_version: cfg.version,
        args: JobArgs::Backup(s.backup.clone()),
        schedule_id: Some(s.id),
    };
    tracing::info!(schedule = %s.name, job = %spec.job_id, trigger = %trigger.as_str(), "schedule fired");
    let created = events::created(AgentJob {
        schedule_id: s.id,
        repository_id: s.repository_id,
        config_version: cfg.version,
        args: spec.args.clone(),
        fire_time,
        trigger,
    });
    let why = events::log(LogStream::Agent, &why(s, fire_time, trigger));
    jobs::start(ctx, &spec, Some(cfg), vec![created, why]);
}

/// The job log's first line: which schedule, for which fire, and why now.
fn why(s: &ScheduleConfig, fire_time: DateTime<Utc>, trigger: FireTrigger) -> String {
    let at = fire_time.format("%Y-%m-%d %H:%M UTC");
    let cron = s.cron.as_deref().unwrap_or("manual");
    match trigger {
        FireTrigger::OnTime => {
            format!("Scheduled run of \"{}\" ({cron}, {}) for {at}.", s.name, s.timezone)
        }
        FireTrigger::Missed => format!(
            "Scheduled run of \"{}\" ({cron}, {}): the fire at {at} was missed while the agent was stopped; it runs once now (missed: run once).",
            s.name, s.timezone
        ),
        FireTrigger::Coalesced => format!(
            "Scheduled run of \"{}\" ({cron}, {}) for {at}: it came while the previous run still ran, and runs now that it ended.",
            s.name, s.timezone
        ),
        FireTrigger::AfterBackup => format!(
            "Retention of \"{}\" after its backup: forget{} with the schedule's policy.",
            s.name,
            if s.prune_after_forget { " and prune" } else { "" }
        ),
    }
}

/// The schedule whose follow-up (retention, then a copy to its mirror) may run after this
/// job: a backup, or a retention's forget, of a schedule that has one (with the config to
/// start it in).
pub fn follow_up(
    spec: &JobSpec,
    config: Option<&AgentConfig>,
) -> Option<(AgentConfig, ScheduleConfig)> {
    let (JobArgs::Backup(_) | JobArgs::Forget(_), Some(id), Some(cfg)) =
        (&spec.args, spec.schedule_id, config)
    else {
        return None;
    };
    let s = cfg.schedules.iter().find(|s| s.id == id)?;
    (forgets_after_backup(s) || s.copy_to.is_some()).then(|| (cfg.clone(), s.clone()))
}

fn forgets_after_backup(s: &ScheduleConfig) -> bool {
    s.forget_after_backup && s.retention.is_some()
}

/// What follows a schedule's job that ended with `outcome`: a successful backup starts
/// the retention (or, without one, the copy); a retention that ran to an end, whatever
/// it removed or refused, starts the copy. A stopped job (the agent is stopping) starts
/// nothing.
pub fn after_job(
    ctx: &Arc<Ctx>,
    cfg: &AgentConfig,
    s: &ScheduleConfig,
    kind: JobKind,
    outcome: JobOutcome,
) {
    match (kind, outcome) {
        (JobKind::Backup, JobOutcome::Succeeded) if forgets_after_backup(s) => {
            forget_after_backup(ctx, cfg, s)
        }
        (JobKind::Backup, JobOutcome::Succeeded) => copy_after_backup(ctx, cfg, s),
        (JobKind::Forget, o) if o != JobOutcome::Cancelled => copy_after_backup(ctx, cfg, s),
        _ => {}
    }
}

/// What a schedule's retention forgets: this host's snapshots with the schedule's tags.
pub fn retention_args(s: &ScheduleConfig, host: String) -> Option<ForgetArgs> {
    Some(ForgetArgs {
        policy: s.retention.clone()?,
        host: Some(host),
        tags: s.backup.tags.clone(),
        prune: s.prune_after_forget,
        max_unused: s.prune_max_unused.clone(),
        approved: false,
    })
}

/// Starts a schedule's retention after its backup succeeded: a job made here, like a
/// fire, so it runs (and reaches the server) with or without the server.
pub fn forget_after_backup(ctx: &Arc<Ctx>, cfg: &AgentConfig, s: &ScheduleConfig) {
    let Some(args) = retention_args(s, crate::facts::hostname()) else { return };
    start_follow_up(ctx, cfg, s, s.repository_id, JobArgs::Forget(args), "retention");
}

/// Starts the copy of this host's snapshots of a schedule (its tags) to its mirror.
pub fn copy_after_backup(ctx: &Arc<Ctx>, cfg: &AgentConfig, s: &ScheduleConfig) {
    let Some(mirror) = s.copy_to else { return };
    let args = JobArgs::Copy(CopyArgs {
        from_repository_id: s.repository_id,
        host: Some(crate::facts::hostname()),
        tags: s.backup.tags.clone(),
    });
    start_follow_up(ctx, cfg, s, mirror, args, "copy to the mirror");
}

fn start_follow_up(
    ctx: &Arc<Ctx>,
    cfg: &AgentConfig,
    s: &ScheduleConfig,
    repository_id: Uuid,
    args: JobArgs,
    what: &str,
) {
    let spec = JobSpec {
        job_id: Uuid::now_v7(),
        repository_id,
        config_version: cfg.version,
        args,
        schedule_id: Some(s.id),
    };
    let now = Utc::now();
    tracing::info!(schedule = %s.name, job = %spec.job_id, "{what} after backup");
    let created = events::created(AgentJob {
        schedule_id: s.id,
        repository_id,
        config_version: cfg.version,
        args: spec.args.clone(),
        fire_time: now,
        trigger: FireTrigger::AfterBackup,
    });
    let line = match &spec.args {
        JobArgs::Copy(_) => {
            let mirror = cfg.repositories.iter().find(|r| r.id == repository_id);
            format!(
                "Copy of \"{}\" after its backup: this host's snapshots to the mirror {}.",
                s.name,
                mirror.map_or_else(|| repository_id.to_string(), |r| format!("\"{}\"", r.name))
            )
        }
        _ => why(s, now, FireTrigger::AfterBackup),
    };
    jobs::start(ctx, &spec, Some(cfg), vec![created, events::log(LogStream::Agent, &line)]);
}

#[cfg(test)]
mod tests {
    use cairn_proto::BackupSpec;
    use chrono::TimeZone;

    use super::*;

    fn schedule(cron: &str, missed: MissedRun) -> ScheduleConfig {
        ScheduleConfig {
            id: Uuid::new_v4(),
            name: "nightly".into(),
            repository_id: Uuid::new_v4(),
            cron: Some(cron.into()),
            timezone: "Europe/Berlin".into(),
            enabled: true,
            backup: BackupSpec { paths: vec!["/srv".into()], ..Default::default() },
            retention: None,
            forget_after_backup: false,
            prune_after_forget: false,
            prune_max_unused: None,
            copy_to: None,
            missed,
            hooks: Default::default(),
            blocked_by: None,
        }
    }

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, h, m, s).unwrap()
    }

    fn step(s: &ScheduleConfig, last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Step {
        let (cron, zone) = cron_of(s).unwrap().unwrap();
        let mark = last.map(|last| Mark {
            last,
            cron: s.cron.clone().unwrap(),
            timezone: s.timezone.clone(),
        });
        plan(s, &cron, zone, mark.as_ref(), now)
    }

    #[test]
    fn a_new_schedule_counts_from_now_then_fires_on_its_time() {
        // 03:00 in Berlin is 02:00 UTC in December.
        let s = schedule("0 3 * * *", MissedRun::RunOnce);
        assert_eq!(step(&s, None, at(1, 0, 0)), Step::Track);
        assert_eq!(step(&s, Some(at(1, 0, 0)), at(1, 30, 0)), Step::Wait(Some(at(2, 0, 0))));
        assert_eq!(
            step(&s, Some(at(1, 0, 0)), at(2, 0, 1)),
            Step::Fire { fire_time: at(2, 0, 0), trigger: FireTrigger::OnTime }
        );
        // Handled: the next is tomorrow's.
        let tomorrow = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        assert_eq!(step(&s, Some(at(2, 0, 1)), at(2, 0, 5)), Step::Wait(Some(tomorrow)));
    }

    #[test]
    fn missed_fires_make_one_run_or_none_never_a_burst() {
        // Every hour; the agent was stopped from 01:30 to 06:10 (five fires missed).
        let once = schedule("0 * * * *", MissedRun::RunOnce);
        assert_eq!(
            step(&once, Some(at(1, 30, 0)), at(6, 10, 0)),
            Step::Fire { fire_time: at(6, 0, 0), trigger: FireTrigger::Missed }
        );
        let skip = schedule("0 * * * *", MissedRun::Skip);
        assert_eq!(
            step(&skip, Some(at(1, 30, 0)), at(6, 10, 0)),
            Step::Skip { fire_time: at(6, 0, 0) }
        );
        // Started just after a fire, with earlier ones missed: one run for all of them, or
        // (skip) the one on time only.
        assert_eq!(
            step(&once, Some(at(1, 30, 0)), at(6, 0, 10)),
            Step::Fire { fire_time: at(6, 0, 0), trigger: FireTrigger::Missed }
        );
        assert_eq!(
            step(&skip, Some(at(1, 30, 0)), at(6, 0, 10)),
            Step::Fire { fire_time: at(6, 0, 0), trigger: FireTrigger::OnTime }
        );
        // After that one run the mark is now: nothing more is due until 07:00.
        assert_eq!(step(&once, Some(at(6, 10, 0)), at(6, 10, 1)), Step::Wait(Some(at(7, 0, 0))));
    }

    #[test]
    fn a_changed_cron_or_zone_starts_afresh() {
        let s = schedule("0 * * * *", MissedRun::RunOnce);
        let (cron, zone) = cron_of(&s).unwrap().unwrap();
        let old =
            Mark { last: at(1, 0, 0), cron: "30 * * * *".into(), timezone: s.timezone.clone() };
        assert_eq!(plan(&s, &cron, zone, Some(&old), at(5, 0, 0)), Step::Track);
        let moved = Mark { last: at(1, 0, 0), cron: "0 * * * *".into(), timezone: "UTC".into() };
        assert_eq!(plan(&s, &cron, zone, Some(&moved), at(5, 0, 0)), Step::Track);
    }

    #[test]
    fn a_clock_that_went_back_does_not_stall_the_schedule() {
        let s = schedule("0 * * * *", MissedRun::RunOnce);
        // The mark says 09:00 but the clock now reads 05:20: count from now (06:00 is
        // next), not wait for 10:00.
        assert_eq!(step(&s, Some(at(9, 0, 0)), at(5, 20, 0)), Step::Track);
        assert_eq!(step(&s, Some(at(5, 20, 0)), at(5, 20, 1)), Step::Wait(Some(at(6, 0, 0))));
    }

    #[test]
    fn a_held_schedule_keeps_its_clock_and_never_fires() {
        let mut s = schedule("0 * * * *", MissedRun::RunOnce);
        s.blocked_by = Some("/srv does not exist on this host".into());
        // Due on time, or with fires missed: held either way, never a run.
        assert_eq!(
            step(&s, Some(at(1, 30, 0)), at(2, 0, 5)),
            Step::Held { fire_time: at(2, 0, 0) }
        );
        assert_eq!(
            step(&s, Some(at(1, 30, 0)), at(6, 10, 0)),
            Step::Held { fire_time: at(6, 0, 0) }
        );
        s.missed = MissedRun::Skip;
        assert_eq!(
            step(&s, Some(at(1, 30, 0)), at(6, 10, 0)),
            Step::Held { fire_time: at(6, 0, 0) }
        );
        // Not due: it waits for its time like any schedule (so the loop moves its mark).
        assert_eq!(step(&s, Some(at(2, 0, 5)), at(2, 30, 0)), Step::Wait(Some(at(3, 0, 0))));
        // Freed after the loop moved its mark at 06:10: the next fire is on time, no
        // catch-up for the hours it was held.
        s.blocked_by = None;
        s.missed = MissedRun::RunOnce;
        assert_eq!(step(&s, Some(at(6, 10, 0)), at(6, 20, 0)), Step::Wait(Some(at(7, 0, 0))));
        assert_eq!(
            step(&s, Some(at(6, 10, 0)), at(7, 0, 3)),
            Step::Fire { fire_time: at(7, 0, 0), trigger: FireTrigger::OnTime }
        );
    }

    #[test]
    fn disabled_and_manual_schedules_never_fire() {
        let mut s = schedule("0 * * * *", MissedRun::RunOnce);
        s.enabled = false;
        assert!(cron_of(&s).is_none());
        s.enabled = true;
        s.cron = None;
        assert!(cron_of(&s).is_none());
        s.cron = Some("0 * * * *".into());
        s.timezone = "Mars/Olympus".into();
        assert!(cron_of(&s).unwrap().is_err());
    }

    #[test]
    fn the_book_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let mut book = Book::open(dir.path());
        assert!(book.marks.is_empty());
        let id = Uuid::new_v4();
        let mark = Mark { last: at(2, 0, 0), cron: "0 3 * * *".into(), timezone: "UTC".into() };
        book.marks.insert(id, mark.clone());
        book.save().unwrap();
        assert_eq!(Book::open(dir.path()).marks.get(&id), Some(&mark));
        // A damaged book starts empty rather than stopping the agent.
        std::fs::write(dir.path().join("schedules.json"), "{not json").unwrap();
        assert!(Book::open(dir.path()).marks.is_empty());
    }

    #[test]
    fn the_first_log_line_says_why_the_run_happens() {
        let s = schedule("0 3 * * *", MissedRun::RunOnce);
        let line = why(&s, at(2, 0, 0), FireTrigger::Missed);
        assert!(line.contains("\"nightly\"") && line.contains("2026-12-06 02:00 UTC"), "{line}");
        assert!(line.contains("missed while the agent was stopped"), "{line}");
    }
}

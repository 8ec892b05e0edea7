//! What agents report about their jobs: event batches (each seq applied once, so a retried
//! batch changes nothing) and, at each poll, which handed-out jobs they no longer know
//! (re-sent if never started, else `lost`).

use crate::codes::Code;
use cairn_proto::{AgentJob, JobEvent, JobEventAck, JobEventKind, JobResult, LogStream};
use chrono::{DateTime, Utc};
use sea_orm::SqlErr;
use serde_json::json;
use uuid::Uuid;

use super::{Domain, DomainError, jobs::JobStatus};
use crate::store::{
    StoreError, commands,
    hosts::{self, HostRow},
    jobs::{self, JobRow, LogRow, SnapshotRow},
    schedules,
};

/// A log line longer than this is cut (restic's lines are short; a runaway one is not).
pub const MAX_LINE_BYTES: usize = 8 * 1024;
/// Events in one batch.
pub const MAX_BATCH: usize = 2000;
/// A run command the agent never got is handed out at most this many times.
const MAX_DISPATCHES: i32 = 3;

/// Takes a batch of a job's events from its host's agent. Events at or below the job's
/// last applied seq were applied before (a retry) and are skipped; their lines are already
/// stored and the INSERT skips them.
///
/// Everything but the database work happens before the write lock, which every agent
/// shares. A batch of lines and progress only (nearly all of them) then costs its INSERT
/// and one UPDATE of the job's counters, just one statement more than a bare INSERT; a
/// batch that moves the job's status reads and rewrites the job row.
pub async fn ingest(
    state: &Domain,
    host: &HostRow,
    job_id: Uuid,
    mut events: Vec<JobEvent>,
) -> Result<JobEventAck, DomainError> {
    if events.len() > MAX_BATCH {
        return Err(DomainError::invalid(
            Code::JobBatchTooLarge,
            format!("At most {MAX_BATCH} events per batch."),
            "events",
        ));
    }
    if events.iter().any(|e| e.seq == 0) {
        return Err(DomainError::invalid(Code::JobBadSeq, "Event seq starts at 1.", "events"));
    }
    events.sort_by_key(|e| e.seq);
    let through = events.last().map_or(0, |e| e.seq as i64);
    let mut lines = Vec::new();
    let mut progress = None;
    let mut status_events = Vec::new();
    for e in events {
        match e.kind {
            JobEventKind::Log => lines.push(log_row(job_id, e)),
            JobEventKind::Progress => {
                if let Some(p) = e.progress {
                    progress = Some((e.seq as i64, p));
                }
            }
            _ => status_events.push(e),
        }
    }
    // Only the latest progress is kept, so only it is serialised.
    let progress = progress.and_then(|(seq, p)| serde_json::to_string(&p).ok().map(|p| (seq, p)));
    let inserts = jobs::log_inserts(state.store.backend(), lines);

    let txn = state.store.write().await?;
    let mut opened = false;
    // The repository whose queue may move on: this batch ended the job.
    let mut ended_on = None;
    // Hosts whose config a check's verdict changed.
    let mut reconfigured = Vec::new();
    let (last_seq, status, cancel_requested) = if status_events.is_empty() {
        // A job that does not exist fails the lines' foreign key; another host's job is
        // not updated. Both are "not found", and dropping the transaction takes the lines
        // back out.
        let tick =
            match jobs::record_batch(&*txn, inserts, job_id, host.id, through, progress).await {
                Err(StoreError::Db(e))
                    if matches!(e.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) =>
                {
                    return Err(DomainError::NotFound { what: "job" });
                }
                r => r?.ok_or(DomainError::NotFound { what: "job" })?,
            };
        (tick.last_seq, tick.status, tick.cancel_requested)
    } else {
        // Another host's job is "not found", exactly like a job that does not exist. A job
        // the server has not seen is made from its `created` event (a schedule's fire).
        let mut job = match jobs::find(&*txn, job_id).await? {
            Some(j) if j.host_id == host.id => j,
            Some(_) => return Err(DomainError::NotFound { what: "job" }),
            None => {
                let created = status_events
                    .iter()
                    .find(|e| e.kind == JobEventKind::Created)
                    .ok_or(DomainError::NotFound { what: "job" })?;
                opened = true;
                create_agent_job(&txn, host, job_id, created).await?
            }
        };
        let before_final = job.status.is_final();
        let applied = job.last_seq.max(0);
        if let Some((_, p)) = progress.filter(|(seq, _)| *seq > applied) {
            job.progress = Some(p);
        }
        for e in status_events.into_iter().filter(|e| e.seq as i64 > applied) {
            apply(&txn, host, &mut job, e).await?;
        }
        job.last_seq = job.last_seq.max(through);
        job.log_lines += jobs::run_log_inserts(&*txn, inserts).await? as i64;
        let was_final = before_final;
        let job = jobs::update(&*txn, job).await?;
        if job.status.is_final() && !was_final {
            ended_on = job.repository_id;
            reconfigured = super::maintenance::record_check(&*txn, &job).await?;
            super::schedules::record_run_findings(&*txn, &job).await?;
            super::copies::record(&*txn, &job).await?;
            reconfigured.extend(super::key_rotation::on_job_end(state, &*txn, &job).await?);
            super::alerts::on_job::on_job_end(&*txn, &job, host, Utc::now()).await?;
        }
        (job.last_seq, job.status, job.cancel_requested_at.is_some())
    };
    txn.commit().await?;
    if opened {
        state.hub.job_opened(host.id);
    }
    state.hub.wake_many(&reconfigured);
    state.hub.job_changed(job_id);
    if let Some(repo) = ended_on {
        super::queue::release(state, repo).await?;
    }
    Ok(JobEventAck {
        stored_through: last_seq.max(0) as u64,
        cancel_requested: cancel_requested && !status.is_final(),
    })
}

/// Whether events may still move the job's status: until it ended, or when the server
/// had given up on it (`lost`) and the agent turns out to know better.
fn may_change(job: &JobRow) -> bool {
    let s = job.status;
    !s.is_final() || s == JobStatus::Lost
}

/// A log event as the line to store, cut at [`MAX_LINE_BYTES`].
fn log_row(job_id: Uuid, e: JobEvent) -> LogRow {
    let mut line = e.line.unwrap_or_default();
    if line.len() > MAX_LINE_BYTES {
        let mut cut = MAX_LINE_BYTES;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
    let stream = match e.stream.unwrap_or(LogStream::Stdout) {
        LogStream::Stdout => "stdout",
        LogStream::Stderr => "stderr",
        LogStream::Agent => "agent",
        LogStream::Hook => "hook",
    };
    LogRow { job_id, seq: e.seq as i64, at: e.at, stream: stream.into(), line }
}

/// Applies an event that may move the job's status (started, snapshots, finished).
async fn apply(
    txn: &crate::store::WriteTxn,
    host: &HostRow,
    job: &mut JobRow,
    e: JobEvent,
) -> Result<(), DomainError> {
    match e.kind {
        // Taken apart before the transaction.
        JobEventKind::Log | JobEventKind::Progress => {}
        // Made the job (or it existed already: a retried batch).
        JobEventKind::Created => {}
        JobEventKind::Started => {
            if may_change(job) && job.status != JobStatus::Running {
                job.status = JobStatus::Running;
                job.started_at = Some(e.at);
            }
        }
        JobEventKind::Snapshots => {
            if let (Some(list), Some(repo)) = (e.snapshots, job.repository_id) {
                let now = Utc::now();
                let rows = list
                    .into_iter()
                    .filter(|s| s.id.len() <= 64 && s.id.chars().all(|c| c.is_ascii_hexdigit()))
                    .map(|s| SnapshotRow {
                        host_id: host.id,
                        repository_id: repo,
                        snapshot_id: s.id,
                        time: s.time,
                        hostname: s.hostname.chars().take(255).collect(),
                        paths: json!(s.paths).to_string(),
                        tags: json!(s.tags).to_string(),
                        reported_at: now,
                    })
                    .collect();
                jobs::replace_snapshots(&**txn, host.id, repo, rows).await?;
            }
        }
        JobEventKind::Finished => {
            let result = e.result.unwrap_or_default();
            if may_change(job) {
                finish(job, &result, e.at);
            }
        }
    }
    Ok(())
}

/// Stores a job the agent made for a schedule's fire, as handed out at its fire time; the
/// events after `created` move it on like any other. What the agent names is checked
/// against its own host: a repository no longer linked, or a schedule that is gone or
/// another host's, is not kept on the job (the run itself is, it happened).
async fn create_agent_job(
    txn: &crate::store::WriteTxn,
    host: &HostRow,
    job_id: Uuid,
    e: &JobEvent,
) -> Result<JobRow, DomainError> {
    let AgentJob { schedule_id, repository_id, args, fire_time, trigger, .. } =
        e.created.clone().ok_or_else(|| {
            DomainError::invalid(
                Code::JobBadSeq,
                "A created event must say what the agent started (created).",
                "events",
            )
        })?;
    let repository_id = hosts::linked_repositories(&**txn, host.id)
        .await?
        .contains(&repository_id)
        .then_some(repository_id);
    let schedule = schedules::find(&**txn, schedule_id).await?.filter(|s| s.host_id == host.id);
    let kind = args.kind();
    let stored_args =
        serde_json::to_string(&args).map_err(|err| DomainError::Internal(err.to_string()))?;
    tracing::info!(job = %job_id, host = %host.hostname, trigger = %trigger.as_str(), fire_time = %fire_time, "a schedule's run reported by its agent");
    let actor = schedule.as_ref().map_or_else(|| "an unknown schedule".into(), |s| s.name.clone());
    let row = JobRow {
        repository_id,
        status: JobStatus::Dispatched,
        actor_kind: SCHEDULE_ACTOR.into(),
        actor: Some(actor),
        dispatched_at: Some(e.at),
        schedule_id: schedule.map(|s| s.id),
        ..jobs::new_row(job_id, host.id, kind, stored_args, e.at)
    };
    Ok(jobs::insert(&**txn, row).await?)
}

/// `actor_kind` of a job an agent started on its schedule's clock.
pub const SCHEDULE_ACTOR: &str = "schedule";

fn finish(job: &mut JobRow, r: &JobResult, at: DateTime<Utc>) {
    job.status = JobStatus::of_outcome(r.outcome);
    job.finished_at = Some(at);
    job.exit_code = r.exit_code;
    job.error_class = r.error_class.clone().map(|c| c.chars().take(64).collect());
    job.error_message = r.message.clone();
    job.summary = r.summary.as_ref().and_then(|s| serde_json::to_string(s).ok());
    job.snapshot_id =
        r.summary.as_ref().and_then(|s| s.snapshot_id.clone()).filter(|id| id.len() <= 64);
    job.result = serde_json::to_string(r).ok();
}

/// Called at the start of each poll: a job handed to this agent that it neither runs nor
/// still has events for is lost (the agent restarted without it, or never received it).
pub async fn reconcile(
    state: &Domain,
    host: Uuid,
    running: &[Uuid],
    unsent: &[Uuid],
) -> Result<(), DomainError> {
    // Hosts known to have no unfinished job skip the query (a fleet-wide wake-up would
    // otherwise cost one per host); `seen` keeps a racing new job from being missed.
    let Some(seen) = state.hub.open_jobs_check(host) else { return Ok(()) };
    let active = jobs::active_on_host(state.store.db(), host).await?;
    if active.is_empty() {
        state.hub.no_open_jobs(host, seen);
        return Ok(());
    }
    // Queued jobs were never handed out: only dispatched or running ones can be lost.
    let gone: Vec<JobRow> = active
        .into_iter()
        .filter(|j| j.status != JobStatus::Queued)
        .filter(|j| !running.contains(&j.id) && !unsent.contains(&j.id))
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    let txn = state.store.write().await?;
    let now = Utc::now();
    let (mut changed, mut redelivered) = (Vec::new(), Vec::new());
    for id in gone.iter().map(|j| j.id) {
        // Re-read inside the transaction: an event batch may have finished it meanwhile.
        let Some(mut job) = jobs::find(&*txn, id).await? else { continue };
        if job.status.is_final() {
            continue;
        }
        // Handed out but never started, and the agent does not know it: the answer most
        // likely went to a dead connection (an agent restarted while its poll was held).
        // Hand it out again, a few times at most.
        if job.status == JobStatus::Dispatched
            && job.started_at.is_none()
            && job.dispatches < MAX_DISPATCHES
            && commands::redeliver(&*txn, job.id).await?
        {
            job.status = JobStatus::Queued;
            job.dispatched_at = None;
            redelivered.push(jobs::update(&*txn, job).await?.id);
            continue;
        }
        job.status = JobStatus::Lost;
        job.finished_at = Some(now);
        job.error_class = Some("agent.lost".into());
        job.error_message = Some(
            "The agent no longer runs this job and has nothing more to report about it (it was restarted, or never received the job)."
                .into(),
        );
        let job = jobs::update(&*txn, job).await?;
        if let Some(h) = hosts::find(&*txn, host).await? {
            super::alerts::on_job::on_job_end(&*txn, &job, &h, now).await?;
        }
        changed.push((job.id, job.repository_id));
    }
    txn.commit().await?;
    if !redelivered.is_empty() {
        state.hub.slot(host).redelivered(&redelivered);
    }
    for (id, repo) in changed {
        tracing::warn!(job = %id, host = %host, "job lost: its agent no longer knows it");
        state.hub.job_changed(id);
        if let Some(repo) = repo {
            super::queue::release(state, repo).await?;
        }
    }
    Ok(())
}

//! Job events on the wire: how cairn-restic's stream (started, log, progress) and its
//! `Outcome` become `JobEvent`s and the final `JobResult`. Pure functions, tested without
//! running restic; the runner only wires them to the outbox.

use cairn_proto::{
    BackupSummary, JobEvent, JobEventKind, JobOutcome, JobProgress, JobResult, LogStream,
    SnapshotInfo,
};
use cairn_restic::{ErrorClass, Outcome, RunStatus};
use chrono::Utc;

/// Longer lines are cut (on a character boundary) and marked, so one runaway line cannot
/// fill the outbox or the server's log table.
pub const MAX_LINE: usize = 8 * 1024;

/// Why the agent stopped a job before restic finished it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Someone cancelled it (a `cancel_job` command, or `cancel_requested` in an ack).
    Requested,
    /// The agent got SIGTERM / Ctrl-C.
    AgentStopping,
    /// The server no longer knows the job (404 / refused events): nobody will read it.
    JobGone,
}

impl StopReason {
    fn message(self) -> &'static str {
        match self {
            StopReason::Requested => "Cancelled on request; restic was stopped.",
            StopReason::AgentStopping => {
                "Cancelled because the agent was stopped; restic was stopped cleanly."
            }
            StopReason::JobGone => "Cancelled because the server no longer knows this job.",
        }
    }
}

fn event(kind: JobEventKind) -> JobEvent {
    JobEvent {
        seq: 0,
        at: Utc::now(),
        kind,
        stream: None,
        line: None,
        pid: None,
        progress: None,
        snapshots: None,
        result: None,
        created: None,
    }
}

/// The first event of a job the agent made for a schedule's fire.
pub fn created(job: cairn_proto::AgentJob) -> JobEvent {
    JobEvent { created: Some(job), ..event(JobEventKind::Created) }
}

pub fn started(pid: Option<u32>) -> JobEvent {
    JobEvent { pid, ..event(JobEventKind::Started) }
}

pub fn log(stream: LogStream, line: &str) -> JobEvent {
    JobEvent { stream: Some(stream), line: Some(truncate(line)), ..event(JobEventKind::Log) }
}

pub fn progress(p: &cairn_restic::Progress) -> JobEvent {
    let progress = JobProgress {
        fraction: p.percent_done.clamp(0.0, 1.0),
        total_files: p.total_files,
        files_done: p.files_done,
        total_bytes: p.total_bytes,
        bytes_done: p.bytes_done,
        seconds_elapsed: p.seconds_elapsed,
        seconds_remaining: p.seconds_remaining,
        current_files: p.current_files.clone(),
    };
    JobEvent { progress: Some(progress), ..event(JobEventKind::Progress) }
}

pub fn snapshots(list: &[cairn_restic::Snapshot]) -> JobEvent {
    let list = list
        .iter()
        .map(|s| SnapshotInfo {
            id: s.id.clone(),
            time: s.time,
            hostname: s.hostname.clone(),
            paths: s.paths.clone(),
            tags: s.tags.clone(),
        })
        .collect();
    JobEvent { snapshots: Some(list), ..event(JobEventKind::Snapshots) }
}

pub fn finished(result: JobResult) -> JobEvent {
    JobEvent { result: Some(result), ..event(JobEventKind::Finished) }
}

/// One event of a running restic command.
pub fn from_restic(ev: &cairn_restic::Event) -> JobEvent {
    match ev {
        cairn_restic::Event::Started { pid } => started(Some(*pid)),
        cairn_restic::Event::Progress(p) => progress(p),
        cairn_restic::Event::Log { stream, line } => {
            let stream = match stream {
                cairn_restic::StreamKind::Stdout => LogStream::Stdout,
                cairn_restic::StreamKind::Stderr => LogStream::Stderr,
            };
            log(stream, line)
        }
    }
}

fn truncate(line: &str) -> String {
    if line.len() <= MAX_LINE {
        return line.to_owned();
    }
    let mut end = MAX_LINE;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[truncated]", &line[..end])
}

/// "wrong repository password" → "Wrong repository password."
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut s: String = first.to_uppercase().chain(chars).collect();
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// 1536 → "1.5 KiB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[unit]) }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// The holder of a lock restic refused to take, for `stale_lock`.
fn lock_holder(class: &ErrorClass) -> Option<String> {
    let ErrorClass::Locked { pid, host, user, exclusive } = class else { return None };
    let mut s = String::from(if *exclusive { "exclusive lock" } else { "lock" });
    if let Some(pid) = pid {
        s.push_str(&format!(" held by PID {pid}"));
    }
    if let Some(host) = host {
        s.push_str(&format!(" on {host}"));
    }
    if let Some(user) = user {
        s.push_str(&format!(" by {user}"));
    }
    Some(s)
}

fn summary(s: &cairn_restic::BackupSummary) -> BackupSummary {
    BackupSummary {
        files_new: s.files_new,
        files_changed: s.files_changed,
        files_unmodified: s.files_unmodified,
        dirs_new: s.dirs_new,
        dirs_changed: s.dirs_changed,
        dirs_unmodified: s.dirs_unmodified,
        data_added: s.data_added,
        total_files_processed: s.total_files_processed,
        total_bytes_processed: s.total_bytes_processed,
        total_duration_secs: s.total_duration,
        snapshot_id: s.snapshot_id.clone(),
    }
}

/// A failed result with a class and a sentence.
pub fn failed(error_class: &str, message: &str) -> JobResult {
    JobResult {
        outcome: JobOutcome::Failed,
        error_class: Some(error_class.to_owned()),
        message: Some(sentence(message)),
        ..JobResult::default()
    }
}

/// restic could not be run at all, or a short command (init, snapshots) failed.
pub fn from_error(e: &cairn_restic::Error) -> JobResult {
    let mut r = failed(e.code(), &e.to_string());
    if let Some(class) = e.class() {
        r.stale_lock = lock_holder(class);
    }
    r
}

pub fn stopped(reason: StopReason) -> JobResult {
    JobResult {
        outcome: JobOutcome::Cancelled,
        message: Some(reason.message().to_owned()),
        ..JobResult::default()
    }
}

/// The result of a `restic backup` run. `stop` is why the agent cancelled it, if it did.
pub fn backup_result(out: &Outcome, stop: Option<StopReason>) -> JobResult {
    let summary = out.backup_summary().map(summary);
    let snapshot =
        summary.as_ref().and_then(|s| s.snapshot_id.as_deref()).map(|id| short(id).to_owned());
    let mut r = JobResult { exit_code: out.exit_code, summary, ..JobResult::default() };
    let snapshot = snapshot.as_deref();
    match out.status() {
        RunStatus::Succeeded => {
            r.outcome = JobOutcome::Succeeded;
            r.message = Some(match (&r.summary, snapshot) {
                (Some(s), Some(id)) => format!(
                    "Backup finished: snapshot {id}, {} new and {} changed files, {} added.",
                    s.files_new,
                    s.files_changed,
                    bytes(s.data_added)
                ),
                _ => "Backup finished.".to_owned(),
            });
        }
        RunStatus::Warning => {
            r.outcome = JobOutcome::Warning;
            if let Some(ErrorClass::Incomplete { unreadable }) = &out.error {
                r.unreadable.clone_from(unreadable);
            }
            r.error_class = out.error.as_ref().map(|c| c.code().to_owned());
            let what = match snapshot {
                Some(id) => format!("Snapshot {id} created"),
                None => "Snapshot created".to_owned(),
            };
            r.message = Some(format!(
                "{what}, but {} path(s) could not be read; it is incomplete.",
                r.unreadable.len()
            ));
        }
        RunStatus::Cancelled => {
            r = JobResult {
                exit_code: out.exit_code,
                ..stopped(stop.unwrap_or(StopReason::Requested))
            };
            if out.killed {
                r.message = r.message.map(|m| {
                    format!("{m} It ignored the stop signal and was killed; a lock may remain.")
                });
            }
        }
        RunStatus::Failed => failed_run(&mut r, out),
    }
    r
}

/// A run restic ended in failure: its class, its sentence, the lock it met.
fn failed_run(r: &mut JobResult, out: &Outcome) {
    r.outcome = JobOutcome::Failed;
    match &out.error {
        Some(class) => {
            r.error_class = Some(class.code().to_owned());
            r.message = Some(sentence(&class.to_string()));
            r.stale_lock = lock_holder(class);
        }
        None => r.error_class = Some("restic.failed".to_owned()),
    }
}

/// The result of a streamed maintenance command (check, prune, forget): `done` is the
/// sentence for success; a failure carries restic's class and sentence.
pub fn run_result(out: &Outcome, stop: Option<StopReason>, done: String) -> JobResult {
    let mut r = JobResult { exit_code: out.exit_code, ..JobResult::default() };
    match out.status() {
        RunStatus::Succeeded => {
            r.outcome = JobOutcome::Succeeded;
            r.message = Some(done);
        }
        RunStatus::Cancelled => {
            r = JobResult {
                exit_code: out.exit_code,
                ..stopped(stop.unwrap_or(StopReason::Requested))
            };
        }
        RunStatus::Warning | RunStatus::Failed => failed_run(&mut r, out),
    }
    r
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn outcome(exit_code: Option<i32>, error: Option<ErrorClass>) -> Outcome {
        Outcome {
            pid: 42,
            exit_code,
            signal: None,
            cancelled: false,
            killed: false,
            error,
            summary: None,
            item_errors: vec![],
            last_progress: None,
            status_lines: 0,
            progress_events: 0,
            stderr_tail: String::new(),
            duration: Duration::from_secs(1),
        }
    }

    fn restic_summary() -> cairn_restic::Summary {
        cairn_restic::Summary::Backup(cairn_restic::BackupSummary {
            files_new: 3,
            files_changed: 1,
            data_added: 1536,
            total_duration: 0.5,
            snapshot_id: Some("0123456789abcdef".into()),
            ..Default::default()
        })
    }

    #[test]
    fn success_carries_the_summary() {
        let out = Outcome { summary: Some(restic_summary()), ..outcome(Some(0), None) };
        let r = backup_result(&out, None);
        assert_eq!(r.outcome, JobOutcome::Succeeded);
        assert_eq!(r.exit_code, Some(0));
        assert_eq!(r.error_class, None);
        let s = r.summary.unwrap();
        assert_eq!((s.files_new, s.files_changed, s.data_added), (3, 1, 1536));
        assert_eq!(s.snapshot_id.as_deref(), Some("0123456789abcdef"));
        assert_eq!(s.total_duration_secs, 0.5);
        assert_eq!(
            r.message.as_deref(),
            Some("Backup finished: snapshot 01234567, 3 new and 1 changed files, 1.5 KiB added.")
        );
    }

    #[test]
    fn incomplete_snapshot_is_a_warning_with_the_paths() {
        let unreadable = vec!["/data/secret".to_owned(), "/data/other".to_owned()];
        let out = Outcome {
            summary: Some(restic_summary()),
            ..outcome(Some(3), Some(ErrorClass::Incomplete { unreadable: unreadable.clone() }))
        };
        let r = backup_result(&out, None);
        assert_eq!(r.outcome, JobOutcome::Warning);
        assert_eq!(r.error_class.as_deref(), Some("restic.incomplete"));
        assert_eq!(r.unreadable, unreadable);
        assert_eq!(r.exit_code, Some(3));
        assert!(r.summary.is_some());
        assert!(r.message.unwrap().contains("2 path(s) could not be read"));
    }

    #[test]
    fn failures_keep_the_class_and_a_sentence() {
        let r = backup_result(&outcome(Some(1), Some(ErrorClass::WrongPassword)), None);
        assert_eq!(r.outcome, JobOutcome::Failed);
        assert_eq!(r.error_class.as_deref(), Some("restic.wrong_password"));
        assert_eq!(r.message.as_deref(), Some("Wrong repository password (or no key found)."));
        assert_eq!(r.stale_lock, None);

        let locked = ErrorClass::Locked {
            pid: Some(7255),
            host: Some("vm".into()),
            user: Some("root".into()),
            exclusive: true,
        };
        let r = backup_result(&outcome(Some(1), Some(locked)), None);
        assert_eq!(r.error_class.as_deref(), Some("restic.locked"));
        assert_eq!(r.stale_lock.as_deref(), Some("exclusive lock held by PID 7255 on vm by root"));
        assert_eq!(
            r.message.as_deref(),
            Some("Repository is locked exclusively by PID 7255 on vm by root.")
        );

        let r = backup_result(
            &outcome(Some(1), Some(ErrorClass::Network { detail: "dial tcp: refused".into() })),
            None,
        );
        assert_eq!(r.error_class.as_deref(), Some("restic.network"));
    }

    #[test]
    fn cancelled_says_why() {
        let out = Outcome { cancelled: true, ..outcome(Some(130), Some(ErrorClass::Interrupted)) };
        let r = backup_result(&out, Some(StopReason::Requested));
        assert_eq!(r.outcome, JobOutcome::Cancelled);
        assert_eq!(r.error_class, None);
        assert_eq!(r.exit_code, Some(130));
        assert!(r.message.unwrap().starts_with("Cancelled on request"));
        let killed = Outcome { killed: true, ..out };
        let r = backup_result(&killed, Some(StopReason::AgentStopping));
        let m = r.message.unwrap();
        assert!(m.contains("agent was stopped") && m.contains("a lock may remain"), "{m}");
    }

    #[test]
    fn errors_running_restic_at_all() {
        let e = cairn_restic::Error::Spawn {
            path: "/nope/restic".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let r = from_error(&e);
        assert_eq!(r.outcome, JobOutcome::Failed);
        assert_eq!(r.error_class.as_deref(), Some("restic.not_runnable"));
        assert!(r.message.unwrap().starts_with("Cannot run restic binary /nope/restic"));
    }

    #[test]
    fn stream_events_map_and_lines_are_capped() {
        let e = from_restic(&cairn_restic::Event::Started { pid: 9 });
        assert_eq!((e.kind, e.pid), (JobEventKind::Started, Some(9)));
        let long = "é".repeat(MAX_LINE);
        let e = from_restic(&cairn_restic::Event::Log {
            stream: cairn_restic::StreamKind::Stderr,
            line: long,
        });
        assert_eq!(e.stream, Some(LogStream::Stderr));
        let line = e.line.unwrap();
        assert!(line.len() <= MAX_LINE + "…[truncated]".len() && line.ends_with("[truncated]"));
        let p = cairn_restic::Progress {
            percent_done: 0.25,
            total_files: 4,
            files_done: 1,
            bytes_done: 10,
            total_bytes: 40,
            seconds_remaining: Some(3),
            current_files: vec!["/a".into()],
            ..Default::default()
        };
        let e = from_restic(&cairn_restic::Event::Progress(p));
        let jp = e.progress.unwrap();
        assert_eq!((jp.fraction, jp.files_done, jp.seconds_remaining), (0.25, 1, Some(3)));
        assert_eq!(jp.current_files, vec!["/a".to_owned()]);
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}

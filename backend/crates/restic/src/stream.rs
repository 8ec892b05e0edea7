//! The runner for long commands (backup, restore, check, prune, forget): events while restic
//! runs, cancellation by signalling its process group, and an Outcome with summary and class.

use std::{
    collections::VecDeque,
    ffi::OsString,
    path::Path,
    time::{Duration, Instant},
};

use serde::Serialize;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    sync::{mpsc, watch},
};

use crate::{
    coalesce::Coalescer,
    error::{ErrorClass, Result, classify, tail},
    process,
    repo::Repo,
    types::{BackupSummary, CheckSummary, ForgetGroup, ItemError, Progress, RestoreSummary},
    version::ResticVersion,
};

/// Which pipe a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    Stdout,
    Stderr,
}

/// What a running command reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// restic runs with this pid (also its process group id).
    Started { pid: u32 },
    /// Coalesced status: at most one per `RunControl::progress_interval`, plus the final one.
    Progress(Progress),
    /// Every other line restic printed, in order per stream (ANSI codes removed).
    Log { stream: StreamKind, line: String },
}

/// The caller's side of cancellation.
#[derive(Debug)]
pub struct Canceller(watch::Sender<bool>);

impl Canceller {
    /// Asks the run to stop: graceful signal to restic's group, SIGKILL after the grace period.
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }
}

/// The run's side of cancellation; cheap to clone.
#[derive(Debug, Clone)]
pub struct CancelToken(watch::Receiver<bool>);

impl CancelToken {
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once cancellation is requested; never if the Canceller is dropped without
    /// asking. For callers that race a short command (init, snapshots) against a cancel.
    pub async fn cancelled(&self) {
        cancelled(&mut Some(self.clone())).await
    }
}

pub fn cancel_pair() -> (Canceller, CancelToken) {
    let (tx, rx) = watch::channel(false);
    (Canceller(tx), CancelToken(rx))
}

/// How a streaming run reports and stops. Events go through an unbounded channel so a slow
/// consumer never stalls restic's pipes or delays a cancel; its volume is bounded by the
/// progress coalescing (status lines are the bulk of restic's output).
#[derive(Debug)]
pub struct RunControl {
    pub events: Option<mpsc::UnboundedSender<Event>>,
    pub cancel: Option<CancelToken>,
    /// Between the graceful signal and SIGKILL.
    pub grace: Duration,
    pub progress_interval: Duration,
}

impl Default for RunControl {
    fn default() -> Self {
        Self {
            events: None,
            cancel: None,
            grace: Duration::from_secs(10),
            progress_interval: Duration::from_millis(500),
        }
    }
}

impl RunControl {
    pub fn with_events(mut self, tx: mpsc::UnboundedSender<Event>) -> Self {
        self.events = Some(tx);
        self
    }
    pub fn with_cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }
}

/// The parsed result line of a command, when restic printed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Summary {
    Backup(BackupSummary),
    /// restic 0.16+ only.
    Restore(RestoreSummary),
    /// restic 0.18+ only.
    Check(CheckSummary),
    Forget {
        groups: Vec<ForgetGroup>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Succeeded,
    /// Finished with a snapshot, but some files could not be read (exit 3).
    Warning,
    Failed,
    Cancelled,
}

/// How a streaming run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub pid: u32,
    /// `None` when restic was killed by a signal.
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    /// The caller cancelled and restic did not finish successfully first.
    pub cancelled: bool,
    /// restic ignored the graceful signal for the whole grace period and got SIGKILL.
    pub killed: bool,
    /// `None` on success.
    pub error: Option<ErrorClass>,
    pub summary: Option<Summary>,
    /// Per-file errors restic reported and carried on after.
    pub item_errors: Vec<ItemError>,
    pub last_progress: Option<Progress>,
    /// Status lines restic printed vs. forwarded as events (the coalescing ratio).
    pub status_lines: u64,
    pub progress_events: u64,
    pub stderr_tail: String,
    pub duration: Duration,
}

impl Outcome {
    pub fn status(&self) -> RunStatus {
        match &self.error {
            None => RunStatus::Succeeded,
            Some(_) if self.cancelled => RunStatus::Cancelled,
            Some(ErrorClass::Incomplete { .. }) => RunStatus::Warning,
            Some(_) => RunStatus::Failed,
        }
    }

    pub fn backup_summary(&self) -> Option<&BackupSummary> {
        match &self.summary {
            Some(Summary::Backup(s)) => Some(s),
            _ => None,
        }
    }

    pub fn forget_groups(&self) -> Option<&[ForgetGroup]> {
        match &self.summary {
            Some(Summary::Forget { groups }) => Some(groups),
            _ => None,
        }
    }
}

/// The command a streaming run executes; decides how summary lines are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Backup,
    Restore,
    Check,
    Prune,
    Forget,
    Copy,
}

const STDERR_KEEP: usize = 64;
const MAX_LOG_LINE: usize = 16 * 1024;
/// After restic exits, how long its pipes may stay open (a helper outside its group, e.g.
/// ssh, could hold them) before we stop reading.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Turns restic's lines into events and remembers what the outcome needs.
struct Collector {
    kind: Kind,
    events: Option<mpsc::UnboundedSender<Event>>,
    coalescer: Coalescer<Progress>,
    summary: Option<Summary>,
    item_errors: Vec<ItemError>,
    stderr_lines: VecDeque<String>,
    last_progress: Option<Progress>,
    status_lines: u64,
    progress_events: u64,
}

impl Collector {
    fn new(kind: Kind, events: Option<mpsc::UnboundedSender<Event>>, interval: Duration) -> Self {
        Self {
            kind,
            events,
            coalescer: Coalescer::new(interval),
            summary: None,
            item_errors: Vec::new(),
            stderr_lines: VecDeque::new(),
            last_progress: None,
            status_lines: 0,
            progress_events: 0,
        }
    }

    fn emit(&self, ev: Event) {
        if let Some(tx) = &self.events {
            // A consumer that went away only loses the live view; the outcome is still returned.
            let _ = tx.send(ev);
        }
    }

    fn progress(&mut self, p: Progress) {
        self.progress_events += 1;
        self.emit(Event::Progress(p));
    }

    fn log(&self, stream: StreamKind, line: &str) {
        self.emit(Event::Log { stream, line: truncate(line, MAX_LOG_LINE) });
    }

    /// Forwards the held-back status, so the final state precedes summaries and the outcome.
    fn flush_progress(&mut self) {
        if let Some(p) = self.coalescer.finish() {
            self.progress(p);
        }
    }

    fn tick(&mut self, now: Instant) {
        if let Some(p) = self.coalescer.due(now) {
            self.progress(p);
        }
    }

    fn stdout_line(&mut self, line: &str, now: Instant) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return;
        }
        if trimmed.starts_with('{') {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) {
                match v.get("message_type").and_then(|m| m.as_str()) {
                    Some("status") => {
                        self.status_lines += 1;
                        if let Ok(p) = serde_json::from_value::<Progress>(v) {
                            self.last_progress = Some(p.clone());
                            if let Some(p) = self.coalescer.offer(p, now) {
                                self.progress(p);
                            }
                        }
                        return;
                    }
                    Some("summary") => {
                        self.flush_progress();
                        self.summary = self.parse_summary(v);
                    }
                    Some("error") => {
                        if let Some(e) = ItemError::from_json(&v) {
                            self.item_errors.push(e);
                        }
                    }
                    _ => {}
                }
            }
        } else if trimmed.starts_with('[')
            && self.kind == Kind::Forget
            && let Ok(mut groups) = serde_json::from_str::<Vec<ForgetGroup>>(trimmed)
        {
            groups.iter_mut().for_each(ForgetGroup::fill_reason_ids);
            self.summary = Some(Summary::Forget { groups });
        }
        self.log(StreamKind::Stdout, trimmed);
    }

    fn parse_summary(&self, v: serde_json::Value) -> Option<Summary> {
        match self.kind {
            Kind::Backup => serde_json::from_value(v).ok().map(Summary::Backup),
            Kind::Restore => serde_json::from_value(v).ok().map(Summary::Restore),
            Kind::Check => serde_json::from_value(v).ok().map(Summary::Check),
            Kind::Prune | Kind::Forget | Kind::Copy => None,
        }
    }

    fn stderr_line(&mut self, line: &str) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return;
        }
        let mut text = trimmed.to_owned();
        if trimmed.starts_with('{')
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed)
        {
            match v.get("message_type").and_then(|m| m.as_str()) {
                Some("error") => {
                    if let Some(e) = ItemError::from_json(&v) {
                        self.item_errors.push(e);
                    } else if let Some(m) = v.get("message").and_then(|m| m.as_str()) {
                        // check's error messages (0.18) carry only a text.
                        text = m.to_owned();
                    }
                }
                // 0.17+: the fatal error as JSON; classification wants its text.
                Some("exit_error") => {
                    if let Some(m) = v.get("message").and_then(|m| m.as_str()) {
                        text = m.to_owned();
                    }
                }
                _ => {}
            }
        }
        if self.stderr_lines.len() == STDERR_KEEP {
            self.stderr_lines.pop_front();
        }
        self.stderr_lines.push_back(text);
        self.log(StreamKind::Stderr, trimmed);
    }

    /// Paths of the unreadable items, first occurrence order, without duplicates.
    fn unreadable(&self) -> Vec<String> {
        let mut seen = Vec::<String>::new();
        for e in &self.item_errors {
            if !seen.contains(&e.item) {
                seen.push(e.item.clone());
            }
        }
        seen
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[truncated]", &s[..end])
}

/// Removes ANSI escape sequences (restic prefixes some stderr lines with "ESC[2K") and keeps
/// only the text after the last carriage return, as a terminal would show it.
fn clean_line(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let s = s.trim_end_matches(['\n', '\r']);
    let s = s.rsplit('\r').next().unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // Parameters and intermediates, then one final byte in '@'..='~'.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
        None => std::future::pending().await,
    }
}

/// Resolves when cancellation is requested; never if the Canceller is gone without asking.
async fn cancelled(token: &mut Option<CancelToken>) {
    let Some(CancelToken(rx)) = token else { return std::future::pending().await };
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

pub(crate) async fn run(
    binary: &Path,
    version: &ResticVersion,
    repo: &Repo,
    args: Vec<OsString>,
    kind: Kind,
    ctl: RunControl,
    death_signal: Option<i32>,
) -> Result<Outcome> {
    let started = Instant::now();
    let RunControl { events, mut cancel, grace, progress_interval } = ctl;
    let mut col = Collector::new(kind, events, progress_interval);

    let cmd = process::command(binary, Some(repo), &args, death_signal);
    let (mut child, mut group) = process::spawn(binary, cmd)?;
    let pid = group.pgid();
    tracing::debug!(pid, ?kind, "restic started");
    col.emit(Event::Started { pid });

    let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout pipe"))?;
    let stderr = child.stderr.take().ok_or_else(|| std::io::Error::other("no stderr pipe"))?;
    let mut out = BufReader::new(stdout);
    let mut err = BufReader::new(stderr);
    // read_until appends partial data to these buffers when select! drops it mid-line, and
    // resumes on the next call, so nothing is lost between iterations.
    let (mut out_buf, mut err_buf) = (Vec::new(), Vec::new());
    let (mut out_open, mut err_open) = (true, true);
    let mut status = None;
    let mut cancel_requested = false;
    let mut kill_at: Option<Instant> = None;
    let mut killed = false;
    let mut drain_until: Option<Instant> = None;

    while out_open || err_open || status.is_none() {
        tokio::select! {
            r = out.read_until(b'\n', &mut out_buf), if out_open => {
                if r? == 0 {
                    out_open = false;
                }
                if !out_buf.is_empty() {
                    col.stdout_line(&clean_line(&out_buf), Instant::now());
                    out_buf.clear();
                }
            }
            r = err.read_until(b'\n', &mut err_buf), if err_open => {
                if r? == 0 {
                    err_open = false;
                }
                if !err_buf.is_empty() {
                    col.stderr_line(&clean_line(&err_buf));
                    err_buf.clear();
                }
            }
            s = child.wait(), if status.is_none() => {
                status = Some(s?);
                group.finish();
                drain_until = Some(Instant::now() + DRAIN_TIMEOUT);
            }
            () = cancelled(&mut cancel), if !cancel_requested && status.is_none() => {
                cancel_requested = true;
                let sig = version.graceful_stop_signal();
                tracing::debug!(pid, sig, "cancelling restic");
                group.signal(sig);
                kill_at = Some(Instant::now() + grace);
            }
            () = sleep_until(kill_at), if kill_at.is_some() && !killed && status.is_none() => {
                tracing::debug!(pid, "restic ignored the stop signal; killing its group");
                group.signal(libc::SIGKILL);
                killed = true;
            }
            () = sleep_until(col.coalescer.deadline()) => {
                col.tick(Instant::now());
            }
            () = sleep_until(drain_until) => {
                tracing::warn!(pid, "restic's output pipes stayed open after it exited");
                break;
            }
        }
    }
    col.flush_progress();

    let status = match status {
        Some(s) => s,
        None => child.wait().await?,
    };
    let (exit_code, signal) = process::exit_parts(status);
    let stderr_lines: Vec<String> = col.stderr_lines.iter().cloned().collect();
    let succeeded = exit_code == Some(0);
    let cancelled = cancel_requested && !succeeded;
    let error = if cancelled {
        Some(ErrorClass::Interrupted)
    } else {
        classify(version, exit_code, &stderr_lines, &col.unreadable())
    };
    tracing::debug!(pid, ?exit_code, ?signal, cancelled, "restic finished");
    Ok(Outcome {
        pid,
        exit_code,
        signal,
        cancelled,
        killed,
        error,
        summary: col.summary.take(),
        item_errors: std::mem::take(&mut col.item_errors),
        last_progress: col.last_progress.take(),
        status_lines: col.status_lines,
        progress_events: col.progress_events,
        stderr_tail: tail(&stderr_lines),
        duration: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(pct: f64) -> String {
        format!(
            r#"{{"message_type":"status","percent_done":{pct},"total_files":2,"total_bytes":10}}"#
        )
    }

    #[test]
    fn collector_coalesces_and_flushes_before_summary() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut c = Collector::new(Kind::Backup, Some(tx), Duration::from_millis(500));
        let t0 = Instant::now();
        for i in 0..60 {
            let now = t0 + Duration::from_millis(i * 5);
            c.tick(now);
            c.stdout_line(&status(i as f64 / 100.0), now);
        }
        c.stderr_line(r#"{"message_type":"error","error":{"Op":"open","Path":"x","Err":13},"during":"archival","item":"/d/x"}"#);
        c.stdout_line(
            r#"{"message_type":"summary","files_new":2,"snapshot_id":"abcd1234","total_duration":0.2,"newer_field":1}"#,
            t0 + Duration::from_millis(400),
        );
        drop(c.events.take());
        let mut got = Vec::new();
        while let Ok(ev) = rx.try_recv() {
            got.push(ev);
        }
        let progress: Vec<f64> = got
            .iter()
            .filter_map(|e| match e {
                Event::Progress(p) => Some(p.percent_done),
                _ => None,
            })
            .collect();
        assert_eq!(progress, vec![0.0, 0.59], "first at once, final before the summary");
        assert_eq!(c.status_lines, 60);
        let logs: Vec<&str> = got
            .iter()
            .filter_map(|e| match e {
                Event::Log { line, .. } => Some(line.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(logs.len(), 2, "error and summary are logged, status lines are not");
        let Some(Summary::Backup(s)) = &c.summary else { panic!("{:?}", c.summary) };
        assert_eq!((s.files_new, s.snapshot_id.as_deref()), (2, Some("abcd1234")));
        assert_eq!(c.unreadable(), vec!["/d/x".to_owned()]);
    }

    #[test]
    fn exit_error_json_becomes_text_for_classification() {
        let mut c = Collector::new(Kind::Check, None, Duration::from_millis(500));
        c.stderr_line(r#"{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}"#);
        let lines: Vec<String> = c.stderr_lines.iter().cloned().collect();
        assert_eq!(
            classify(&ResticVersion::new(0, 18, 0), Some(1), &lines, &[]),
            Some(ErrorClass::WrongPassword)
        );
    }

    #[test]
    fn ansi_and_carriage_returns_are_cleaned() {
        assert_eq!(
            clean_line(b"\x1b[2Ksignal interrupt received, cleaning up\n"),
            "signal interrupt received, cleaning up"
        );
        assert_eq!(clean_line(b"10%\r20%\r30% done\r\n"), "30% done");
        assert_eq!(clean_line(b"caf\xc3\xa9 \xff\n"), "café \u{fffd}");
    }

    #[test]
    fn long_lines_are_truncated_on_a_char_boundary() {
        let s = "é".repeat(10);
        let t = truncate(&s, 5);
        assert!(t.starts_with("éé") && t.ends_with("[truncated]"));
    }
}

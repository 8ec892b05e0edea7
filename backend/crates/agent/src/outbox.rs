//! The durable outbox: every job event is appended to `outbox/<job>.jsonl` before anyone
//! tries to send it, and the uploader reads it back in `seq` order. What the server
//! acknowledged is kept in `outbox/<job>.ack`, so a restart resumes where it left off.
//!
//! Format: one `JobEvent` as JSON per line, `\n`-terminated, `seq` 1, 2, 3 … per job. A
//! crash can leave a last line without its `\n`; it was never sent, and opening the outbox
//! cuts it off. A job's files are deleted once its last event is acknowledged and the job
//! is closed (no more events will come), or when the server refuses the job for good.

use std::{
    collections::HashMap,
    fs::File,
    io::{BufRead, BufReader, Read, Seek, SeekFrom, Write},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use cairn_proto::{JobEvent, JobEventKind, LogStream};
use tokio::sync::Notify;
use uuid::Uuid;

/// Most events one upload carries.
pub const BATCH_EVENTS: usize = 500;
/// Most bytes (of JSON lines) one upload carries; one line is at most ~9 KiB.
pub const BATCH_BYTES: usize = 256 * 1024;
/// Events are fsync'd when a job finishes, and otherwise at most this often: a power cut
/// may lose the last second of a running job's log, never a finished job's result.
const SYNC_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("outbox: cannot encode an event: {0}")]
    Encode(#[from] serde_json::Error),
}

/// fsync of a job's events file. Tests can make it fail (a failing disk cannot be made
/// here without root-only device-mapper tricks): a named stand-in, used by nothing else.
fn sync(f: &File) -> std::io::Result<()> {
    #[cfg(test)]
    if tests::FAIL_SYNC.with(|fail| fail.get()) {
        return Err(std::io::Error::other("injected fsync failure"));
    }
    f.sync_data()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutboxError + '_ {
    move |source| OutboxError::Io { path: path.to_path_buf(), source }
}

/// One job's part of the outbox.
#[derive(Debug)]
struct JobBox {
    /// Open for appending; opened at the first event.
    file: Option<File>,
    /// Bytes of complete lines in the file.
    len: u64,
    last_seq: u64,
    acked: u64,
    /// Byte offset just past the last acknowledged line: where the next upload starts.
    offset: u64,
    finished: bool,
    /// No more events will be appended (the job ended and its journal entry is gone).
    closed: bool,
    /// The server refused the job for good: events are discarded.
    dropped: bool,
    dirty: bool,
    synced_at: Instant,
}

impl JobBox {
    fn new() -> JobBox {
        JobBox {
            file: None,
            len: 0,
            last_seq: 0,
            acked: 0,
            offset: 0,
            finished: false,
            closed: false,
            dropped: false,
            dirty: false,
            synced_at: Instant::now(),
        }
    }

    fn done(&self) -> bool {
        self.dropped || (self.closed && self.acked >= self.last_seq)
    }
}

/// Events read for one upload, with where each line ends in the file.
#[derive(Debug)]
pub struct Batch {
    pub job: Uuid,
    pub events: Vec<JobEvent>,
    ends: Vec<u64>,
}

impl Batch {
    pub fn last_seq(&self) -> u64 {
        self.events.last().map_or(0, |e| e.seq)
    }
}

#[derive(Clone)]
pub struct Outbox {
    dir: PathBuf,
    jobs: Arc<Mutex<HashMap<Uuid, JobBox>>>,
    changed: Arc<Notify>,
}

impl Outbox {
    /// Opens `<state>/outbox`, creating it, and loads what a previous run left. `running`
    /// are the jobs the journal says were still running: their boxes stay open (more
    /// events will come, their `Finished` at least), even when everything in them was
    /// acknowledged; every other job is complete and is deleted once delivered.
    pub fn open(state_dir: &Path, running: &[Uuid]) -> Result<Outbox, OutboxError> {
        let dir = state_dir.join("outbox");
        if !dir.exists() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(io(&dir))?;
        }
        let mut jobs = HashMap::new();
        let mut acks = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let path = entry.map_err(io(&dir))?.path();
            let (Some(stem), Some(ext)) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|s| s.to_str()),
            ) else {
                continue;
            };
            let Ok(job) = stem.parse::<Uuid>() else { continue };
            match ext {
                "jsonl" => {
                    let acked = read_ack(&dir, job);
                    jobs.insert(job, load(&path, acked)?);
                }
                "ack" => acks.push((job, path)),
                // Leftovers of an interrupted ack write.
                "tmp" => {
                    let _ = std::fs::remove_file(&path);
                }
                _ => {}
            }
        }
        // An ack file whose events are gone belongs to a job that was already cleaned up.
        for (job, path) in acks {
            if !jobs.contains_key(&job) {
                let _ = std::fs::remove_file(path);
            }
        }
        for (job, b) in jobs.iter_mut() {
            b.closed = !running.contains(job);
        }
        // A running job whose events were all delivered and deleted still continues its
        // sequence (a fresh box would restart at seq 1, which the server ignores as old).
        for job in running {
            jobs.entry(*job).or_insert_with(JobBox::new);
        }
        let outbox =
            Outbox { dir, jobs: Arc::new(Mutex::new(jobs)), changed: Arc::new(Notify::new()) };
        outbox.sweep();
        Ok(outbox)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, JobBox>> {
        // A panic while holding the lock leaves consistent data (every step is one field).
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn events_path(&self, job: Uuid) -> PathBuf {
        self.dir.join(format!("{job}.jsonl"))
    }

    fn ack_path(&self, job: Uuid) -> PathBuf {
        self.dir.join(format!("{job}.ack"))
    }

    /// Deletes the files of jobs that are done.
    fn sweep(&self) {
        let mut jobs = self.lock();
        let done: Vec<Uuid> = jobs.iter().filter(|(_, b)| b.done()).map(|(j, _)| *j).collect();
        for job in done {
            jobs.remove(&job);
            self.remove_files(job);
        }
    }

    fn remove_files(&self, job: Uuid) {
        for path in [self.events_path(job), self.ack_path(job)] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!("cannot remove {}: {e}", path.display()),
            }
        }
    }

    /// Makes a job's box (open: more events will come). Idempotent; reopens a box that an
    /// earlier run left closed, for a job the journal says was still running.
    pub fn open_job(&self, job: Uuid) {
        self.lock().entry(job).or_insert_with(JobBox::new).closed = false;
    }

    /// Whether the outbox knows this job (running, or with events still to send).
    pub fn contains(&self, job: Uuid) -> bool {
        self.lock().contains_key(&job)
    }

    /// Whether the job's `Finished` event is in the outbox (or was already sent).
    pub fn has_finished(&self, job: Uuid) -> bool {
        self.lock().get(&job).is_some_and(|b| b.finished)
    }

    /// Appends an event, giving it the job's next `seq` (returned). Events of a job the
    /// server refused are discarded (`Ok(None)`).
    pub fn append(&self, job: Uuid, mut event: JobEvent) -> Result<Option<u64>, OutboxError> {
        let path = self.events_path(job);
        let seq = {
            let mut jobs = self.lock();
            let b = jobs.entry(job).or_insert_with(JobBox::new);
            if b.dropped {
                return Ok(None);
            }
            event.seq = b.last_seq + 1;
            let mut line = serde_json::to_vec(&event)?;
            line.push(b'\n');
            let mut f = match b.file.take() {
                Some(f) => f,
                None => {
                    let f = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .mode(0o600)
                        .open(&path)
                        .map_err(io(&path))?;
                    // The new directory entry must survive a power cut too.
                    File::open(&self.dir).and_then(|d| d.sync_all()).map_err(io(&self.dir))?;
                    f
                }
            };
            let written = f.write_all(&line);
            if let Err(e) = written {
                // A partial line would glue itself to the next one: cut it off again.
                let _ = f.set_len(b.len);
                b.file = Some(f);
                return Err(io(&path)(e));
            }
            b.len += line.len() as u64;
            b.last_seq = event.seq;
            b.dirty = true;
            let finished = event.kind == JobEventKind::Finished;
            b.finished |= finished;
            let sync = finished || b.synced_at.elapsed() >= SYNC_EVERY;
            let synced = if sync { self::sync(&f).map_err(io(&path)) } else { Ok(()) };
            b.file = Some(f);
            synced?;
            if sync {
                b.dirty = false;
                b.synced_at = Instant::now();
            }
            event.seq
        };
        self.changed.notify_one();
        Ok(Some(seq))
    }

    /// fsyncs what was appended since the last sync, for jobs last synced SYNC_EVERY ago
    /// (the uploader calls this regularly), or for all jobs with `force` (at shutdown).
    /// A box whose fsync fails stays dirty (the next call tries again) and its events stay
    /// on disk; the first failure is returned for the caller to report.
    pub fn sync_dirty(&self, force: bool) -> Result<(), OutboxError> {
        let mut jobs = self.lock();
        let due = |b: &(&Uuid, &mut JobBox)| {
            b.1.dirty && (force || b.1.synced_at.elapsed() >= SYNC_EVERY)
        };
        let mut first_error = None;
        for (job, b) in jobs.iter_mut().filter(due) {
            let synced = b.file.as_ref().map_or(Ok(()), sync);
            match synced {
                Ok(()) => {
                    b.dirty = false;
                    b.synced_at = Instant::now();
                }
                Err(e) => {
                    first_error.get_or_insert_with(|| io(&self.events_path(*job))(e));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The job will get no more events; its files go once everything is acknowledged.
    /// When the last fsync fails, the file stays open and dirty for `sync_dirty` to retry,
    /// and the error is returned.
    pub fn close(&self, job: Uuid) -> Result<(), OutboxError> {
        let mut jobs = self.lock();
        let Some(b) = jobs.get_mut(&job) else { return Ok(()) };
        b.closed = true;
        if let Some(f) = &b.file {
            if let Err(e) = sync(f) {
                b.dirty = true;
                return Err(io(&self.events_path(job))(e));
            }
            b.file = None;
            b.dirty = false;
        }
        if b.done() {
            jobs.remove(&job);
            self.remove_files(job);
        }
        Ok(())
    }

    /// The server will never accept this job's events: forget them (and any to come).
    pub fn drop_job(&self, job: Uuid) {
        let mut jobs = self.lock();
        let Some(b) = jobs.get_mut(&job) else { return };
        b.dropped = true;
        b.file = None;
        self.remove_files(job);
        if b.closed {
            jobs.remove(&job);
        }
    }

    /// Jobs whose story the server does not have in full yet: events not acknowledged, or
    /// more to come. The poll reports them so the server does not call them lost.
    pub fn unsent(&self) -> Vec<Uuid> {
        let jobs = self.lock();
        let mut v: Vec<Uuid> = jobs.iter().filter(|(_, b)| !b.done()).map(|(j, _)| *j).collect();
        v.sort();
        v
    }

    /// Jobs with events waiting to be uploaded.
    pub fn pending(&self) -> Vec<Uuid> {
        let jobs = self.lock();
        let mut v: Vec<Uuid> = jobs
            .iter()
            .filter(|(_, b)| !b.dropped && b.acked < b.last_seq)
            .map(|(j, _)| *j)
            .collect();
        v.sort();
        v
    }

    /// Resolves after events were appended since the last call.
    pub async fn changed(&self) {
        self.changed.notified().await
    }

    /// The next events of `job` to upload, oldest first, at most BATCH_EVENTS / BATCH_BYTES.
    pub fn next_batch(&self, job: Uuid) -> Result<Option<Batch>, OutboxError> {
        let (offset, acked, len) = {
            let jobs = self.lock();
            match jobs.get(&job) {
                Some(b) if !b.dropped && b.acked < b.last_seq => (b.offset, b.acked, b.len),
                _ => return Ok(None),
            }
        };
        // Read without the lock: appends only add complete lines past `len`.
        let path = self.events_path(job);
        let mut f = File::open(&path).map_err(io(&path))?;
        f.seek(SeekFrom::Start(offset)).map_err(io(&path))?;
        let mut reader = BufReader::new(f.take(len.saturating_sub(offset)));
        let (mut events, mut ends) = (Vec::new(), Vec::new());
        let (mut pos, mut bytes, mut prev) = (offset, 0usize, acked);
        let mut line = Vec::new();
        while events.len() < BATCH_EVENTS {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(io(&path))?;
            if n == 0 || line.last() != Some(&b'\n') {
                break;
            }
            if !events.is_empty() && bytes + n > BATCH_BYTES {
                break;
            }
            pos += n as u64;
            let event = parse_line(&line, prev);
            prev = event.seq;
            if event.seq <= acked {
                continue;
            }
            bytes += n;
            events.push(event);
            ends.push(pos);
        }
        Ok((!events.is_empty()).then_some(Batch { job, events, ends }))
    }

    /// Records that the server stored `job`'s events through `stored_through` (after
    /// sending `batch`). Returns whether that acknowledged anything new.
    ///
    /// A server that has *less* than was acknowledged before (its database was restored
    /// from a backup, say) gets the missing events again: the job rewinds to
    /// `stored_through`. Its files are only deleted once the job is done, so they are there.
    pub fn ack(&self, batch: &Batch, stored_through: u64) -> bool {
        let job = batch.job;
        let mut jobs = self.lock();
        let Some(b) = jobs.get_mut(&job) else { return false };
        let through = stored_through.min(b.last_seq);
        if through < b.acked {
            tracing::warn!(job = %job, stored_through, "the server lost events it had acknowledged; resending them");
            b.acked = through;
            b.offset = 0;
            if let Err(e) = write_ack(&self.ack_path(job), through) {
                tracing::warn!("{e}");
            }
            return false;
        }
        if through == b.acked {
            return false;
        }
        b.acked = through;
        if let Some(i) = batch.events.iter().rposition(|e| e.seq <= through) {
            b.offset = b.offset.max(batch.ends[i]);
        }
        if b.done() {
            jobs.remove(&job);
            self.remove_files(job);
        } else if let Err(e) = write_ack(&self.ack_path(job), through) {
            // Only costs a resend after a restart.
            tracing::warn!("{e}");
        }
        true
    }
}

/// A line that does not parse (damaged on disk) still holds its place in the sequence, so
/// the server's view stays gap-free: it becomes a note in the log with the next `seq`.
fn parse_line(line: &[u8], prev: u64) -> JobEvent {
    match serde_json::from_slice::<JobEvent>(line) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("outbox: a damaged event line is replaced by a note: {e}");
            let mut ev = crate::events::log(
                LogStream::Agent,
                "(an event of this job was damaged on the agent's disk and is lost)",
            );
            ev.seq = prev + 1;
            ev
        }
    }
}

fn read_ack(dir: &Path, job: Uuid) -> u64 {
    std::fs::read_to_string(dir.join(format!("{job}.ack")))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// Atomic (temp file + rename) but not fsync'd: losing it only means a resend.
fn write_ack(path: &Path, seq: u64) -> Result<(), OutboxError> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(seq.to_string().as_bytes()).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Reads a job's file left by an earlier run: its last seq, whether it finished, where the
/// unacknowledged part starts; cuts off a torn last line.
fn load(path: &Path, acked: u64) -> Result<JobBox, OutboxError> {
    let f = File::open(path).map_err(io(path))?;
    let size = f.metadata().map_err(io(path))?.len();
    let mut reader = BufReader::new(f);
    let mut b = JobBox { acked, ..JobBox::new() };
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io(path))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        let event = parse_line(&line, b.last_seq);
        b.len += n as u64;
        b.last_seq = event.seq;
        b.finished |= event.kind == JobEventKind::Finished;
        if event.seq <= acked {
            b.offset = b.len;
        }
    }
    if b.len < size {
        tracing::warn!(
            "outbox {}: cutting off an incomplete last event ({} bytes) left by a crash",
            path.display(),
            size - b.len
        );
        let f = std::fs::OpenOptions::new().write(true).open(path).map_err(io(path))?;
        f.set_len(b.len).map_err(io(path))?;
        f.sync_all().map_err(io(path))?;
    }
    // An ack beyond what is on disk (the file lost its tail) cannot be right.
    b.acked = b.acked.min(b.last_seq);
    Ok(b)
}

#[cfg(test)]
mod tests {
    use cairn_proto::{JobOutcome, JobResult};

    use super::*;
    use crate::events;

    fn line(i: usize) -> JobEvent {
        events::log(LogStream::Stdout, &format!("line {i}"))
    }

    fn seqs(b: &Batch) -> Vec<u64> {
        b.events.iter().map(|e| e.seq).collect()
    }

    fn finished() -> JobEvent {
        events::finished(JobResult { outcome: JobOutcome::Succeeded, ..Default::default() })
    }

    #[test]
    fn append_assigns_seqs_and_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        let job = Uuid::new_v4();
        ob.open_job(job);
        assert_eq!(ob.unsent(), vec![job], "a running job counts before its first event");
        assert_eq!(ob.append(job, events::started(Some(1))).unwrap(), Some(1));
        assert_eq!(ob.append(job, line(0)).unwrap(), Some(2));
        let path = dir.path().join(format!("outbox/{job}.jsonl"));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dmode = std::fs::metadata(dir.path().join("outbox")).unwrap().permissions().mode();
        assert_eq!(dmode & 0o777, 0o700);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn batches_are_ordered_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        let job = Uuid::new_v4();
        ob.open_job(job);
        for i in 0..1200 {
            ob.append(job, line(i)).unwrap();
        }
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!(seqs(&b), (1..=500).collect::<Vec<_>>(), "at most 500, in order");
        // Not acknowledged yet: the same batch again.
        assert_eq!(seqs(&ob.next_batch(job).unwrap().unwrap()), seqs(&b));
        assert!(ob.ack(&b, 500));
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!(b.events[0].seq, 501);
        // A partial ack: the server stored part of the batch; the rest comes again.
        assert!(ob.ack(&b, 700));
        assert!(!ob.ack(&b, 700), "the same ack again changes nothing");
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!((b.events[0].seq, b.last_seq()), (701, 1200));
        // A server that lost what it had acknowledged gets it again, in order.
        assert!(!ob.ack(&b, 650));
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!((b.events[0].seq, b.last_seq()), (651, 1150));

        // Big lines: the byte limit cuts the batch.
        let job2 = Uuid::new_v4();
        let big = "x".repeat(8000);
        for _ in 0..100 {
            ob.append(job2, events::log(LogStream::Stderr, &big)).unwrap();
        }
        let b = ob.next_batch(job2).unwrap().unwrap();
        assert!(b.events.len() < 40 && b.events.len() > 25, "{}", b.events.len());
        assert_eq!(ob.pending(), {
            let mut v = vec![job, job2];
            v.sort();
            v
        });
    }

    thread_local! {
        /// Makes `sync` fail on this test's thread (the stand-in for a failing disk).
        pub(super) static FAIL_SYNC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    #[test]
    fn a_failed_fsync_keeps_the_events_and_the_box_dirty_and_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        let job = Uuid::new_v4();
        ob.open_job(job);
        ob.append(job, line(0)).unwrap();
        FAIL_SYNC.with(|f| f.set(true));
        // The finishing event forces a sync: its failure is the append's error.
        assert!(ob.append(job, finished()).is_err());
        assert!(ob.sync_dirty(true).is_err(), "a forced sync reports the failure");
        assert!(ob.sync_dirty(true).is_err(), "and the box stays dirty, so it is retried");
        assert!(ob.close(job).is_err(), "closing does not pretend the events are safe");
        // Nothing was thrown away: both events are still there to upload.
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!(seqs(&b), vec![1, 2]);
        FAIL_SYNC.with(|f| f.set(false));
        ob.sync_dirty(true).unwrap();
        ob.close(job).unwrap();
        assert!(ob.ack(&b, 2));
        assert!(ob.pending().is_empty(), "synced, closed and acknowledged: gone");
    }

    #[test]
    fn finished_and_acked_jobs_disappear_once_closed() {
        let dir = tempfile::tempdir().unwrap();
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        let job = Uuid::new_v4();
        ob.open_job(job);
        ob.append(job, line(0)).unwrap();
        ob.append(job, finished()).unwrap();
        assert!(ob.has_finished(job));
        let b = ob.next_batch(job).unwrap().unwrap();
        assert!(ob.ack(&b, 2));
        // Acked but not closed (the runner has not let go yet): still listed.
        assert_eq!(ob.unsent(), vec![job]);
        assert!(ob.next_batch(job).unwrap().is_none());
        ob.close(job).unwrap();
        assert!(ob.unsent().is_empty() && !ob.contains(job));
        assert_eq!(std::fs::read_dir(dir.path().join("outbox")).unwrap().count(), 0);

        // Closed first, acked later: gone at the ack.
        let job = Uuid::new_v4();
        ob.append(job, finished()).unwrap();
        ob.close(job).unwrap();
        assert_eq!(ob.unsent(), vec![job], "closed but unsent");
        let b = ob.next_batch(job).unwrap().unwrap();
        ob.ack(&b, 1);
        assert!(ob.unsent().is_empty());
        assert_eq!(std::fs::read_dir(dir.path().join("outbox")).unwrap().count(), 0);
    }

    #[test]
    fn restart_resumes_after_the_persisted_ack() {
        let dir = tempfile::tempdir().unwrap();
        let job = Uuid::new_v4();
        {
            let ob = Outbox::open(dir.path(), &[]).unwrap();
            for i in 0..10 {
                ob.append(job, line(i)).unwrap();
            }
            let b = ob.next_batch(job).unwrap().unwrap();
            ob.ack(&b, 6);
        }
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        assert_eq!(ob.unsent(), vec![job]);
        assert!(!ob.has_finished(job));
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!(seqs(&b), (7..=10).collect::<Vec<_>>(), "nothing acknowledged is resent");
        // The job continues with the next seq (e.g. the Finished of a recovered job).
        ob.open_job(job);
        assert_eq!(ob.append(job, finished()).unwrap(), Some(11));
        assert!(ob.has_finished(job));
    }

    #[test]
    fn a_torn_last_line_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let job = Uuid::new_v4();
        {
            let ob = Outbox::open(dir.path(), &[]).unwrap();
            for i in 0..3 {
                ob.append(job, line(i)).unwrap();
            }
        }
        let path = dir.path().join(format!("outbox/{job}.jsonl"));
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"seq":4,"at":"2025-01-01T00:00:00Z","kind":"lo"#).unwrap();
        drop(f);
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!(seqs(&b), vec![1, 2, 3]);
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("}\n"));
        // The next event takes seq 4 and is readable.
        ob.open_job(job);
        assert_eq!(ob.append(job, finished()).unwrap(), Some(4));
        assert_eq!(ob.next_batch(job).unwrap().unwrap().last_seq(), 4);
    }

    #[test]
    fn a_damaged_line_keeps_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let job = Uuid::new_v4();
        {
            let ob = Outbox::open(dir.path(), &[]).unwrap();
            ob.append(job, line(0)).unwrap();
        }
        let path = dir.path().join(format!("outbox/{job}.jsonl"));
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"\x00\x00garbage\n").unwrap();
        drop(f);
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        ob.open_job(job);
        ob.append(job, finished()).unwrap();
        let b = ob.next_batch(job).unwrap().unwrap();
        assert_eq!(seqs(&b), vec![1, 2, 3]);
        assert_eq!(b.events[1].stream, Some(LogStream::Agent));
    }

    #[test]
    fn dropped_jobs_discard_their_events() {
        let dir = tempfile::tempdir().unwrap();
        let ob = Outbox::open(dir.path(), &[]).unwrap();
        let job = Uuid::new_v4();
        ob.open_job(job);
        ob.append(job, line(0)).unwrap();
        ob.drop_job(job);
        assert_eq!(ob.append(job, line(1)).unwrap(), None);
        assert!(ob.pending().is_empty() && ob.unsent().is_empty());
        ob.close(job).unwrap();
        assert!(!ob.contains(job));
        assert_eq!(std::fs::read_dir(dir.path().join("outbox")).unwrap().count(), 0);
    }
}

//! The job journal: `jobs/<job>.json` exists exactly while a job runs (written when its
//! command arrives, updated with restic's pid, removed once its `Finished` event is in the
//! outbox). A file found at start names a job the agent lost track of (killed, crashed,
//! power cut), and says which restic process group to look for.

use std::path::{Path, PathBuf};

use cairn_proto::JobKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::state::{StateError, write_private};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Entry {
    pub job_id: Uuid,
    #[serde(default)]
    pub kind: Option<JobKind>,
    #[serde(default)]
    pub repository_id: Option<Uuid>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// restic, once it runs (backups; short commands do not report their pid).
    #[serde(default)]
    pub process: Option<ProcessId>,
    /// A restore's or drill's staging directory: removed when the job is found lost, so
    /// a killed restore leaves nothing behind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staging: Option<std::path::PathBuf>,
}

/// A process, identified well enough to tell it from a later process with the same pid:
/// pids are reused, (boot, start time) pairs are not.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProcessId {
    pub pid: u32,
    /// restic leads its own process group (pgid = its pid).
    pub pgid: u32,
    pub boot_id: Option<String>,
    /// Field 22 of /proc/<pid>/stat: clock ticks after boot when the process started.
    pub start_ticks: Option<u64>,
}

/// State letter and start time from /proc/<pid>/stat; `None` when there is no such process.
fn proc_stat(pid: u32) -> Option<(char, Option<u64>)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain anything, even ") ".
    let (_, rest) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // rest starts at field 3, so field 22 is index 19.
    Some((state, fields.get(19).and_then(|t| t.parse().ok())))
}

fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok().map(|s| s.trim().to_owned())
}

/// Whether `pid` runs (a zombie has ended: it only waits to be reaped).
pub fn pid_running(pid: u32) -> bool {
    matches!(proc_stat(pid), Some((state, _)) if state != 'Z' && state != 'X')
}

impl ProcessId {
    pub fn of(pid: u32) -> ProcessId {
        ProcessId {
            pid,
            pgid: pid,
            boot_id: boot_id(),
            start_ticks: proc_stat(pid).and_then(|s| s.1),
        }
    }

    /// Whether this very process still runs: same boot, same start time, not a zombie.
    pub fn still_running(&self) -> bool {
        let Some((state, ticks)) = proc_stat(self.pid) else { return false };
        let same = self.boot_id.is_some()
            && self.boot_id == boot_id()
            && self.start_ticks.is_some()
            && self.start_ticks == ticks;
        same && state != 'Z' && state != 'X'
    }

    /// SIGKILLs the process group. Only for a process `still_running` confirmed is ours.
    pub fn kill_group(&self) -> bool {
        let Ok(pgid) = libc::pid_t::try_from(self.pgid) else { return false };
        // kill(-1) would signal everything we may signal, kill(0) our own group.
        if pgid <= 1 {
            return false;
        }
        // SAFETY: kill(2) has no memory-safety preconditions; -pgid names one group.
        unsafe { libc::kill(-pgid, libc::SIGKILL) == 0 }
    }
}

#[derive(Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    pub fn new(state_dir: &Path) -> Journal {
        Journal { dir: state_dir.join("jobs") }
    }

    fn path(&self, job: Uuid) -> PathBuf {
        self.dir.join(format!("{job}.json"))
    }

    /// Writes (or rewrites) a job's entry: owner-only, atomic, synced.
    pub fn write(&self, entry: &Entry) -> Result<(), StateError> {
        let json =
            serde_json::to_vec_pretty(entry).map_err(|e| StateError::Corrupt(e.to_string()))?;
        write_private(&self.path(entry.job_id), &json)
    }

    pub fn remove(&self, job: Uuid) {
        match std::fs::remove_file(self.path(job)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove the journal entry of job {job}: {e}"),
        }
    }

    /// Every entry on disk. An unreadable entry still names its job (the file name), so
    /// that job is still reported as lost.
    pub fn list(&self) -> Vec<Entry> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut out = Vec::new();
        for path in dir.flatten().map(|e| e.path()) {
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let Some(job) = path.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse().ok())
            else {
                continue;
            };
            let entry = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Entry>(&b).ok())
                .filter(|e| e.job_id == job)
                .unwrap_or_else(|| {
                    tracing::warn!("journal entry {} is unreadable", path.display());
                    Entry {
                        job_id: job,
                        kind: None,
                        repository_id: None,
                        started_at: None,
                        process: None,
                        staging: None,
                    }
                });
            out.push(entry);
        }
        out.sort_by_key(|e| e.started_at);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_survive_damage() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(dir.path());
        assert!(j.list().is_empty(), "no jobs directory yet");
        let e = Entry {
            job_id: Uuid::new_v4(),
            kind: Some(JobKind::Backup),
            repository_id: Some(Uuid::new_v4()),
            started_at: Some(Utc::now()),
            process: Some(ProcessId::of(std::process::id())),
            staging: None,
        };
        j.write(&e).unwrap();
        assert_eq!(j.list(), vec![e.clone()]);
        let path = dir.path().join(format!("jobs/{}.json", e.job_id));
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

        std::fs::write(&path, "{ torn").unwrap();
        let listed = j.list();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].job_id, listed[0].kind), (e.job_id, None));
        j.remove(e.job_id);
        j.remove(e.job_id);
        assert!(j.list().is_empty());
    }

    #[test]
    fn a_process_is_recognised_only_while_it_is_the_same() {
        let me = ProcessId::of(std::process::id());
        assert!(me.start_ticks.is_some() && me.boot_id.is_some());
        assert!(me.still_running());
        // Same pid, another start time: a reused pid, not our process.
        let reused = ProcessId { start_ticks: me.start_ticks.map(|t| t + 1), ..me.clone() };
        assert!(!reused.still_running());
        let other_boot = ProcessId { boot_id: Some("another-boot".into()), ..me.clone() };
        assert!(!other_boot.still_running());
        assert!(!ProcessId { pid: u32::MAX - 1, ..me }.still_running());
        assert!(pid_running(std::process::id()));
        assert!(!pid_running(u32::MAX - 1));
    }

    #[test]
    fn never_signals_our_own_or_every_group() {
        let p = ProcessId { pid: 1, pgid: 1, boot_id: None, start_ticks: None };
        assert!(!p.kill_group());
        let p = ProcessId { pid: 0, pgid: 0, boot_id: None, start_ticks: None };
        assert!(!p.kill_group());
    }
}

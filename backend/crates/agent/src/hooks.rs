//! A schedule's pre and post hooks: one `/bin/sh -c` command in a process group of its own,
//! its output into the job log, killed whole (background children too) at its timeout or
//! when the job is cancelled.

use std::{
    os::unix::process::ExitStatusExt,
    process::Stdio,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use cairn_proto::{Hook, LogStream};
use cairn_restic::CancelToken;
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader},
    process::Command,
};
use uuid::Uuid;

use crate::{events, jobs::Ctx};

/// Longer lines are cut: a hook that prints a binary blob must not fill the log.
pub const MAX_LINE: usize = 4 * 1024;
/// Lines kept per hook run; the rest is read (so the hook never blocks on a full pipe) and
/// dropped.
pub const MAX_LINES: usize = 2_000;
/// Between SIGTERM and SIGKILL of a hook's process group.
pub const KILL_AFTER: Duration = Duration::from_secs(5);
/// How long the output of a finished hook may still be read: a child that left the hook's
/// process group (setsid) can hold the pipe open for ever.
const DRAIN_WITHIN: Duration = Duration::from_secs(2);

/// Which hook runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Pre,
    Post,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }

    /// "pre-hook": how logs and messages name it (never by its command, which may hold a
    /// secret).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Pre => "pre-hook",
            Phase::Post => "post-hook",
        }
    }
}

/// How a hook run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookEnd {
    Exited(i32),
    /// Killed by a signal nobody here sent.
    Signalled(i32),
    /// Still running at its timeout (seconds); its group was stopped.
    TimedOut(u64),
    /// The job was cancelled while it ran; its group was stopped.
    Cancelled,
    /// It could not be started.
    NotStarted(String),
}

impl HookEnd {
    pub fn succeeded(&self) -> bool {
        *self == HookEnd::Exited(0)
    }

    /// "exited with 3", "timed out after 30 s and was stopped", …: follows "The pre-hook".
    pub fn describe(&self) -> String {
        match self {
            HookEnd::Exited(code) => format!("exited with {code}"),
            HookEnd::Signalled(sig) => format!("was killed by signal {sig}"),
            HookEnd::TimedOut(secs) => format!("timed out after {secs} s and was stopped"),
            HookEnd::Cancelled => "was stopped because the job was cancelled".to_owned(),
            HookEnd::NotStarted(why) => format!("could not be started ({why})"),
        }
    }
}

/// What the hook learns about its job from its environment.
#[derive(Clone, Debug, Default)]
pub struct HookEnv {
    pub job_id: Uuid,
    pub schedule_id: Uuid,
    pub schedule_name: String,
    pub repository: String,
    /// Post only: `succeeded`, `warning`, `failed`, `cancelled` or `blocked`.
    pub job_status: Option<&'static str>,
    /// Post only: the snapshot the backup made.
    pub snapshot_id: Option<String>,
}

impl HookEnv {
    fn vars(&self, phase: Phase) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("CAIRN_JOB_ID", self.job_id.to_string()),
            ("CAIRN_HOOK", phase.as_str().to_owned()),
            ("CAIRN_SCHEDULE_ID", self.schedule_id.to_string()),
            ("CAIRN_SCHEDULE_NAME", self.schedule_name.clone()),
            ("CAIRN_REPOSITORY", self.repository.clone()),
        ];
        if phase == Phase::Post {
            if let Some(s) = self.job_status {
                v.push(("CAIRN_JOB_STATUS", s.to_owned()));
            }
            if let Some(id) = &self.snapshot_id {
                v.push(("CAIRN_SNAPSHOT_ID", id.clone()));
            }
        }
        v
    }
}

/// The shell command of a hook, ready to spawn: stdin closed (a hook must never wait for
/// a prompt), output piped, its own process group, the agent's environment without any
/// RESTIC_* variable (the repository's secrets are restic's, not the hook's).
fn command(hook: &Hook, phase: Phase, env: &HookEnv) -> Command {
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(&hook.command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    for (key, _) in std::env::vars_os() {
        if key.as_encoded_bytes().starts_with(b"RESTIC_") {
            cmd.env_remove(&key);
        }
    }
    for (k, v) in env.vars(phase) {
        cmd.env(k, v);
    }
    cmd
}

/// A hook's process group. Dropped while armed (the run's future was dropped) it
/// SIGKILLs the group, so no hook outlives the job that started it.
struct Group {
    pgid: libc::pid_t,
    armed: bool,
}

impl Group {
    fn new(pid: u32) -> Option<Group> {
        let pgid = libc::pid_t::try_from(pid).ok()?;
        // -0 and -1 would be our own group or every process we may signal.
        (pgid > 1).then_some(Group { pgid, armed: true })
    }

    /// Sends `sig` to every process of the group; false when none is left.
    fn signal(&self, sig: libc::c_int) -> bool {
        // SAFETY: kill(2) touches no memory; pgid > 1, so -pgid names exactly this group.
        unsafe { libc::kill(-self.pgid, sig) == 0 }
    }

    fn alive(&self) -> bool {
        self.signal(0)
    }

    /// SIGTERM to the whole group, SIGKILL to what is left of it [`KILL_AFTER`] later;
    /// `child` (the shell) is reaped on the way, since a zombie would count as alive.
    async fn stop(&mut self, child: &mut tokio::process::Child) {
        if self.signal(libc::SIGTERM) {
            let deadline = tokio::time::Instant::now() + KILL_AFTER;
            let _ = tokio::time::timeout_at(deadline, child.wait()).await;
            while self.alive() && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            self.signal(libc::SIGKILL);
        }
        let _ = child.wait().await;
        self.armed = false;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.armed {
            self.signal(libc::SIGKILL);
        }
    }
}

/// Runs `hook` for `job`, its output lines into the job log as `hook` lines, notes on how
/// it started and ended as agent lines. `cancel` (when given) stops it like its timeout.
pub async fn run(
    ctx: &Ctx,
    job: Uuid,
    phase: Phase,
    hook: &Hook,
    env: &HookEnv,
    timeout: Duration,
    cancel: Option<&CancelToken>,
) -> HookEnd {
    let note = |line: &str| ctx.emit(job, events::log(LogStream::Agent, line));
    // The server checks hooks when they are saved; a config that skipped it still does
    // not run a hook without a sane timeout.
    if let Some(problem) = cairn_proto::hook_problem(hook) {
        let end = HookEnd::NotStarted(problem);
        note(&format!("The {} {}.", phase.name(), end.describe()));
        return end;
    }
    let mut child = match command(hook, phase, env).spawn() {
        Ok(c) => c,
        Err(e) => {
            let end = HookEnd::NotStarted(e.to_string());
            note(&format!("The {} {}.", phase.name(), end.describe()));
            return end;
        }
    };
    let Some(mut group) = child.id().and_then(Group::new) else {
        // It exited (and was reaped) before its pid could be read: nothing left to watch.
        let end = match child.wait().await {
            Ok(status) => status_end(status),
            Err(e) => HookEnd::NotStarted(e.to_string()),
        };
        note(&format!("The {} {}.", phase.name(), end.describe()));
        return end;
    };
    note(&format!(
        "The {} started (pid {}, timeout {} s).",
        phase.name(),
        group.pgid,
        timeout.as_secs()
    ));
    // Atomic only because the run's future must be Send; one task reads both streams.
    let kept = AtomicUsize::new(0);
    let line = |stream: &str, text: String| {
        let n = kept.fetch_add(1, Ordering::Relaxed);
        if n < MAX_LINES {
            ctx.emit(job, events::log(LogStream::Hook, &format!("{}: {text}", phase.name())));
        } else if n == MAX_LINES {
            note(&format!(
                "The {}'s output is cut after {MAX_LINES} lines (from {stream} on).",
                phase.name()
            ));
        }
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let readers = async {
        tokio::join!(
            read_lines(stdout, |t| line("stdout", t)),
            read_lines(stderr, |t| line("stderr", t))
        )
    };
    let waiter = async {
        let cancelled = async {
            match cancel {
                Some(c) => c.cancelled().await,
                None => std::future::pending().await,
            }
        };
        let end = tokio::select! {
            r = tokio::time::timeout(timeout, child.wait()) => match r {
                Ok(Ok(status)) => Some(status_end(status)),
                Ok(Err(e)) => Some(HookEnd::NotStarted(format!("cannot wait for it: {e}"))),
                Err(_) => None,
            },
            () = cancelled => Some(HookEnd::Cancelled),
        };
        let end = end.unwrap_or(HookEnd::TimedOut(timeout.as_secs()));
        // Stopped or not, whatever it left running in its group goes too (which also lets
        // go of the output pipes).
        group.stop(&mut child).await;
        end
    };
    tokio::pin!(readers, waiter);
    let mut drained = false;
    let end = loop {
        tokio::select! {
            end = &mut waiter => break end,
            _ = &mut readers, if !drained => drained = true,
        }
    };
    if !drained && tokio::time::timeout(DRAIN_WITHIN, &mut readers).await.is_err() {
        note(&format!(
            "The {}'s output pipe stayed open after it ended (a child left its process group); the rest of its output is dropped.",
            phase.name()
        ));
    }
    note(&format!("The {} {}.", phase.name(), end.describe()));
    end
}

fn status_end(status: std::process::ExitStatus) -> HookEnd {
    match (status.code(), status.signal()) {
        (Some(code), _) => HookEnd::Exited(code),
        (None, Some(sig)) => HookEnd::Signalled(sig),
        (None, None) => HookEnd::Exited(-1),
    }
}

/// Calls `each` with every line of `r` (without its line end), each cut to [`MAX_LINE`]
/// bytes, reading no more than that into memory for one line.
async fn read_lines<R: AsyncRead + Unpin>(r: Option<R>, mut each: impl FnMut(String)) {
    let Some(r) = r else { return };
    let mut r = BufReader::new(r);
    let mut line: Vec<u8> = Vec::new();
    let mut cut = false;
    let mut emit = |line: &mut Vec<u8>, cut: &mut bool| {
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let mut text = String::from_utf8_lossy(line).into_owned();
        if *cut {
            text.push_str("…[cut]");
        }
        each(text);
        line.clear();
        *cut = false;
    };
    while let Ok(buf) = r.fill_buf().await {
        if buf.is_empty() {
            break;
        }
        let newline = buf.iter().position(|b| *b == b'\n');
        let chunk = &buf[..newline.unwrap_or(buf.len())];
        let room = MAX_LINE.saturating_sub(line.len());
        if chunk.len() > room {
            line.extend_from_slice(&chunk[..cut_at(chunk, room)]);
            cut = true;
        } else {
            line.extend_from_slice(chunk);
        }
        let used = newline.map_or(buf.len(), |i| i + 1);
        r.consume(used);
        if newline.is_some() {
            emit(&mut line, &mut cut);
        }
    }
    // The end of the output (or a read error): a last line without its line end.
    if !line.is_empty() || cut {
        emit(&mut line, &mut cut);
    }
}

/// The largest cut ≤ `at` that does not split a UTF-8 character of `bytes`.
fn cut_at(bytes: &[u8], at: usize) -> usize {
    let mut at = at.min(bytes.len());
    // Continuation bytes are 0b10xx_xxxx; back off to the start of the character.
    while at > 0 && at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_split_cut_and_keep_their_characters() {
        let long = "é".repeat(MAX_LINE);
        let text = format!("one\r\ntwo\n{long}\nlast without end");
        let mut got = Vec::new();
        read_lines(Some(text.as_bytes()), |l| got.push(l)).await;
        assert_eq!(got.len(), 4, "{:?}", got.iter().map(String::len).collect::<Vec<_>>());
        assert_eq!((got[0].as_str(), got[1].as_str()), ("one", "two"));
        assert!(got[2].ends_with("…[cut]") && !got[2].contains('\u{FFFD}'), "split a char");
        assert!(got[2].len() <= MAX_LINE + "…[cut]".len());
        assert_eq!(got[3], "last without end");
    }

    #[test]
    fn ends_say_what_happened() {
        assert!(HookEnd::Exited(0).succeeded());
        assert!(!HookEnd::Exited(3).succeeded());
        assert!(!HookEnd::TimedOut(30).succeeded());
        assert_eq!(HookEnd::Exited(3).describe(), "exited with 3");
        assert_eq!(HookEnd::TimedOut(30).describe(), "timed out after 30 s and was stopped");
    }

    #[test]
    fn the_environment_names_the_job_and_only_post_gets_its_status() {
        let env = HookEnv {
            job_id: Uuid::nil(),
            schedule_name: "nightly".into(),
            repository: "offsite".into(),
            job_status: Some("failed"),
            snapshot_id: Some("abc".into()),
            ..HookEnv::default()
        };
        let pre: Vec<&str> = env.vars(Phase::Pre).iter().map(|(k, _)| *k).collect();
        assert!(!pre.contains(&"CAIRN_JOB_STATUS") && !pre.contains(&"CAIRN_SNAPSHOT_ID"));
        let post = env.vars(Phase::Post);
        assert!(post.contains(&("CAIRN_JOB_STATUS", "failed".into())));
        assert!(post.contains(&("CAIRN_HOOK", "post".into())));
        assert!(post.contains(&("CAIRN_REPOSITORY", "offsite".into())));
    }
}

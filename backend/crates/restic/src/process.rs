//! Spawning restic in its own process group and making sure the whole group dies with the run:
//! restic may start helpers (rclone, password commands) that kill_on_drop alone would orphan.

use std::{
    ffi::OsString,
    os::unix::process::ExitStatusExt,
    path::Path,
    process::{ExitStatus, Stdio},
};

use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
    process::{Child, Command},
};

use crate::{
    error::{Error, Result},
    repo::Repo,
};

/// A command for `binary args…` with the repository environment, stdin closed (restic must
/// never sit waiting for a password prompt), stdout/stderr piped, in a new process group.
/// With `death_signal`, restic gets that signal when the thread that spawned it dies.
pub(crate) fn command(
    binary: &Path,
    repo: Option<&Repo>,
    args: &[OsString],
    death_signal: Option<i32>,
) -> Command {
    let mut cmd = Command::new(binary);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    match repo {
        Some(r) => r.apply_env(&mut cmd),
        None => crate::repo::clear_inherited_restic_env(&mut cmd),
    }
    if let Some(sig) = death_signal {
        set_parent_death_signal(&mut cmd, sig);
    }
    cmd
}

/// kill_on_drop and the group guard only run while our process lives; a SIGKILLed or
/// crashed caller would leave restic running, still holding its repository lock. The
/// kernel's PR_SET_PDEATHSIG covers that case. It fires when the *thread* that forked
/// exits, so callers must spawn from a thread that lives as long as the process (the main
/// thread of a current-thread runtime, or a runtime worker; not a blocking-pool thread).
#[cfg(target_os = "linux")]
fn set_parent_death_signal(cmd: &mut Command, sig: i32) {
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    let hook = move || {
        // Only async-signal-safe calls between fork and exec: prctl, getppid.
        // SAFETY: PR_SET_PDEATHSIG takes a signal number and touches no memory.
        if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, sig as libc::c_ulong, 0, 0, 0) } == -1 {
            return Err(std::io::Error::last_os_error());
        }
        // The parent may have died between fork and prctl; then no signal will ever come.
        // SAFETY: getppid has no preconditions.
        if unsafe { libc::getppid() } != parent {
            return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
        }
        Ok(())
    };
    // SAFETY: the hook calls only async-signal-safe functions and does not allocate (raw OS
    // errors are stored inline), so it is sound between fork and exec.
    unsafe {
        cmd.pre_exec(hook);
    }
}

#[cfg(not(target_os = "linux"))]
fn set_parent_death_signal(_cmd: &mut Command, _sig: i32) {}

pub(crate) fn spawn(binary: &Path, mut cmd: Command) -> Result<(Child, ProcessGroup)> {
    let child = cmd.spawn().map_err(|source| Error::Spawn { path: binary.to_owned(), source })?;
    let pid = child.id().ok_or_else(|| Error::Spawn {
        path: binary.to_owned(),
        source: std::io::Error::other("restic exited before its pid could be read"),
    })?;
    let group = ProcessGroup::new(pid).ok_or_else(|| Error::Spawn {
        path: binary.to_owned(),
        source: std::io::Error::other(format!("implausible pid {pid}")),
    })?;
    Ok((child, group))
}

/// The process group restic leads (pgid == restic's pid). Dropping it while armed SIGKILLs
/// the whole group, which is what happens when a run's future is dropped mid-way.
#[derive(Debug)]
pub(crate) struct ProcessGroup {
    pgid: libc::pid_t,
    armed: bool,
}

impl ProcessGroup {
    fn new(pid: u32) -> Option<Self> {
        let pgid = libc::pid_t::try_from(pid).ok()?;
        // kill(-1) would signal every process we may signal, kill(0) our own group. (Built
        // lazily: an eagerly built value would be dropped, and its Drop would send that kill.)
        if pgid > 1 { Some(Self { pgid, armed: true }) } else { None }
    }

    pub(crate) fn pgid(&self) -> u32 {
        self.pgid.unsigned_abs()
    }

    /// Sends `sig` to every process of the group; false if none was left.
    pub(crate) fn signal(&self, sig: libc::c_int) -> bool {
        // Checked again here because a wrong pgid would hit our own group or every process.
        if self.pgid <= 1 {
            return false;
        }
        // SAFETY: kill(2) has no memory-safety preconditions; pgid > 1, so the negative pid
        // names exactly restic's group.
        unsafe { libc::kill(-self.pgid, sig) == 0 }
    }

    /// Called once restic itself has exited and been reaped: kills whatever it left in its
    /// group (so no helper outlives it or holds our pipes open) and disarms the drop guard.
    pub(crate) fn finish(&mut self) {
        if self.armed {
            self.signal(libc::SIGKILL);
            self.armed = false;
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if self.armed {
            self.signal(libc::SIGKILL);
        }
    }
}

/// Whether a process with this pid exists on this host (restic's own stale-lock test).
pub(crate) fn pid_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence and permission; no memory is touched.
    let rc = unsafe { libc::kill(pid, 0) };
    // EPERM means it exists but belongs to someone else.
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Exit code and terminating signal of a finished process.
pub(crate) fn exit_parts(status: ExitStatus) -> (Option<i32>, Option<i32>) {
    (status.code(), status.signal())
}

/// Result of a short command run to completion.
#[derive(Debug)]
pub(crate) struct Finished {
    pub exit_code: Option<i32>,
    pub stderr: String,
    pub stdout_bytes: u64,
}

/// Runs to completion, copying stdout into `out` and collecting stderr. Dropping the returned
/// future kills the process group.
pub(crate) async fn run_to<W>(binary: &Path, cmd: Command, out: &mut W) -> Result<Finished>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    let (mut child, mut group) = spawn(binary, cmd)?;
    let mut stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout pipe"))?;
    let mut stderr = child.stderr.take().ok_or_else(|| std::io::Error::other("no stderr pipe"))?;
    let copy = async {
        let n = tokio::io::copy(&mut stdout, out).await?;
        out.flush().await?;
        Ok::<_, std::io::Error>(n)
    };
    let err = read_capped(&mut stderr, 1 << 20);
    let wait = async {
        let status = child.wait().await?;
        group.finish();
        Ok::<_, std::io::Error>(status)
    };
    let (stdout_bytes, stderr_bytes, status) = tokio::try_join!(copy, err, wait)?;
    let (exit_code, signal) = exit_parts(status);
    tracing::debug!(pid = group.pgid(), ?exit_code, ?signal, "restic finished");
    Ok(Finished {
        exit_code,
        stderr: String::from_utf8_lossy(&stderr_bytes).into_owned(),
        stdout_bytes,
    })
}

/// Reads everything but keeps only the last `cap` bytes, so a chatty failure cannot eat memory.
async fn read_capped<R: AsyncRead + Unpin>(r: &mut R, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = r.read(&mut buf).await?;
        if n == 0 {
            return Ok(kept);
        }
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > cap {
            kept.drain(..kept.len() - cap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_travel_in_the_environment_only() {
        let repo = Repo::new("rest:https://u:urlsecret@h/", "pw-secret")
            .with_env("AWS_SECRET_ACCESS_KEY", "aws-secret");
        let argv: Vec<OsString> = vec!["--json".into(), "snapshots".into()];
        let cmd = command(Path::new("restic"), Some(&repo), &argv, None);
        let std = cmd.as_std();
        for a in std.get_args() {
            let a = a.to_string_lossy();
            assert!(!a.contains("secret") && !a.contains("rest:"), "argv carries {a}");
        }
        let env: Vec<(String, String)> = std
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_string_lossy().into(), v?.to_string_lossy().into())))
            .collect();
        assert!(env.contains(&("RESTIC_PASSWORD".into(), "pw-secret".into())));
        assert!(env.contains(&("AWS_SECRET_ACCESS_KEY".into(), "aws-secret".into())));
    }

    #[test]
    fn implausible_pids_never_become_a_group() {
        // kill(-0) / kill(-1) would hit our own group or everything we may signal.
        assert!(ProcessGroup::new(0).is_none());
        assert!(ProcessGroup::new(1).is_none());
        assert!(ProcessGroup::new(u32::MAX).is_none());
    }
}

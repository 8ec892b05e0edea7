//! A restore job: checks the target, sizes the restore from the catalog and refuses one
//! that will not fit, lets restic write into a staging directory on the target's
//! filesystem, then moves everything into place by the overwrite policy (a new directory
//! in one rename), and reports what it did.

pub mod drill;
pub mod place;
pub mod preview;

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use cairn_proto::{JobOutcome, JobResult, RestoreArgs, RestoreReport, RestoreTarget};
use cairn_restic::{RestoreOptions, RunStatus};

use crate::{
    catalog::{self, store::Key},
    events,
    journal::Entry,
    runner::Run,
};

use place::{Placer, under};

/// The longest directory path the paths share (`/` when they share nothing).
fn common_dir(paths: &[String]) -> PathBuf {
    let mut common: Option<Vec<&str>> = None;
    for p in paths {
        let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
        common = Some(match common {
            None => parts,
            Some(c) => c.iter().zip(&parts).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect(),
        });
    }
    let mut dir = PathBuf::from("/");
    dir.extend(common.unwrap_or_default());
    dir
}

/// The nearest directory at or above `p` that exists.
fn existing_ancestor(p: &Path) -> PathBuf {
    let mut at = p.to_path_buf();
    while !at.is_dir() {
        if !at.pop() {
            return PathBuf::from("/");
        }
    }
    at
}

/// Bytes free for an unprivileged writer on the filesystem of `dir`.
pub(crate) fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    #[allow(clippy::useless_conversion, reason = "the fields are u32 on some targets")]
    let (avail, frsize) = (u64::from(s.f_bavail), u64::from(s.f_frsize));
    Some(avail.saturating_mul(frsize))
}

pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{bytes} B") } else { format!("{v:.1} {}", UNITS[u]) }
}

/// Where the staging directory goes: beside the target, on its filesystem (for an
/// in-place restore, above the paths' common directory).
pub(crate) fn staging_parent(target: &RestoreTarget, paths: &[String]) -> PathBuf {
    match target {
        RestoreTarget::NewPath(t) => {
            existing_ancestor(Path::new(&t.path).parent().unwrap_or(Path::new("/")))
        }
        RestoreTarget::Original(_) => {
            let common = common_dir(paths);
            existing_ancestor(common.parent().unwrap_or(Path::new("/")))
        }
    }
}

/// Whether `bytes` fit in `free` with 5 % to spare.
pub(crate) fn fits(bytes: u64, free: u64) -> bool {
    bytes.saturating_add(bytes / 20) <= free
}

/// Removes the staging directory whatever happened (a failed or cancelled restore leaves
/// nothing behind).
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        if self.0.exists()
            && let Err(e) = std::fs::remove_dir_all(&self.0)
        {
            tracing::warn!(dir = %self.0.display(), "cannot remove the restore's staging directory: {e}");
        }
    }
}

impl Run<'_> {
    /// Notes the staging directory in the job's journal entry: if the agent is killed,
    /// the restart that reports the job lost removes it.
    pub(crate) fn journal_staging(&self, entry: &mut Entry, dir: &Path) {
        entry.staging = Some(dir.to_path_buf());
        if let Err(e) = self.ctx.journal.write(entry) {
            tracing::warn!(job = %self.job, "cannot note the staging directory in the journal: {e}");
        }
    }

    fn refuse(&self, class: &str, message: String) -> JobResult {
        self.note(&message);
        events::failed(class, &message)
    }

    pub(crate) async fn restore(&self, a: &RestoreArgs, entry: &mut Entry) -> JobResult {
        let result = self.restore_inner(a, entry).await;
        if a.source_host_id.is_some() {
            // Another host's file names stay on that host's side: the catalog read for this
            // restore goes with the job (the credentials were only ever in memory).
            let key = Key { repository: self.repository, hostname: a.source_hostname.clone() };
            self.ctx.catalogs.remove(&key);
        }
        result
    }

    async fn restore_inner(&self, a: &RestoreArgs, entry: &mut Entry) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let t0 = Instant::now();
        let root = PathBuf::from(a.target.root());
        if a.paths.is_empty()
            || a.paths.iter().any(|p| catalog::normalise_dir(p).as_deref() != Some(p))
        {
            return self.refuse(
                "restore.bad_path",
                format!("Paths to restore must be absolute and normalised: {:?}", a.paths),
            );
        }
        if catalog::normalise_dir(a.target.root()).as_deref() != Some(a.target.root()) {
            return self.refuse(
                "restore.bad_target",
                format!("The target {:?} is not an absolute, normalised path", a.target.root()),
            );
        }
        if let RestoreTarget::NewPath(_) = a.target
            && std::fs::symlink_metadata(&root).is_ok_and(|m| m.file_type().is_symlink())
        {
            return self.refuse(
                "restore.bad_target",
                format!(
                    "The target {} is a symbolic link; name the directory itself",
                    root.display()
                ),
            );
        }

        // What the restore needs, from the catalog (read first if this host has not).
        let key = Key { repository: self.repository, hostname: a.source_hostname.clone() };
        let has = self.ctx.catalogs.get(&key).is_ok_and(|c| c.has(&a.snapshot_id));
        if !has {
            self.note("reading the snapshot's paths first (restic ls), to size the restore");
            if let Err(e) =
                self.ctx.catalogs.index_now(&key, &a.snapshot_id, self.restic, self.repo).await
            {
                return self.refuse(
                    "restore.snapshot_unreadable",
                    format!("The snapshot's paths could not be read: {e}"),
                );
            }
        }
        let catalog = match self.ctx.catalogs.get(&key) {
            Ok(c) => c,
            Err(e) => return self.refuse("restore.snapshot_unreadable", e.to_string()),
        };
        if let Some(missing) =
            a.paths.iter().find(|p| *p != "/" && catalog.lookup(&a.snapshot_id, p).is_none())
        {
            return self.refuse(
                "restore.path_missing",
                format!(
                    "{missing} is not in snapshot {}",
                    &a.snapshot_id[..8.min(a.snapshot_id.len())]
                ),
            );
        }
        let (files, bytes) = catalog.size_under(&a.snapshot_id, &a.paths).unwrap_or_default();
        drop(catalog);

        // Staging beside the target, on its filesystem, so placing is a rename.
        let staging_parent = staging_parent(&a.target, &a.paths);
        let free = free_bytes(&staging_parent);
        if let Some(free) = free
            && !fits(bytes, free)
        {
            return self.refuse(
                "restore.no_space",
                format!(
                    "Not enough space: the restore needs {} ({files} files) and {} has {} free. Free some space or pick another target.",
                    human(bytes),
                    staging_parent.display(),
                    human(free)
                ),
            );
        }
        let staging = Staging(staging_parent.join(format!(".cairn-restore-{}", self.job.simple())));
        if let Err(e) = std::fs::create_dir(&staging.0) {
            return self.refuse(
                "restore.bad_target",
                format!("Cannot create {}: {e}", staging.0.display()),
            );
        }
        self.journal_staging(entry, &staging.0);
        self.note(&format!(
            "restic {} restore of {} ({} files, {}) from snapshot {} into {} (staging {})",
            self.restic.version(),
            a.paths.join(", "),
            files,
            human(bytes),
            &a.snapshot_id[..8.min(a.snapshot_id.len())],
            root.display(),
            staging.0.display()
        ));
        let opts = RestoreOptions {
            includes: a.paths.clone(),
            excludes: a.excludes.clone(),
            verify: a.verify,
            ..RestoreOptions::new(a.snapshot_id.clone(), staging.0.clone())
        };
        let outcome = match self
            .streamed(entry, |_| {}, |ctl| self.restic.restore(self.repo, &opts, ctl))
            .await
        {
            Ok(o) => o,
            Err(e) => return events::from_error(&e),
        };
        if outcome.status() != RunStatus::Succeeded {
            // restic failed or was cancelled: the target was never touched.
            let mut r =
                events::run_result(&outcome, self.ctx.jobs.stop_reason(self.job), String::new());
            if a.verify && outcome.status() != RunStatus::Cancelled {
                r.restore = Some(RestoreReport {
                    target: root.display().to_string(),
                    verified: Some(false),
                    ..RestoreReport::default()
                });
            }
            return r;
        }

        let mut report = RestoreReport {
            target: root.display().to_string(),
            verified: a.verify.then_some(true),
            ..RestoreReport::default()
        };
        let fresh = match &a.target {
            RestoreTarget::NewPath(_) => match std::fs::read_dir(&root) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
                Ok(mut rd) => rd.next().is_none() && std::fs::remove_dir(&root).is_ok(),
                Err(_) => false,
            },
            RestoreTarget::Original(_) => false,
        };
        let mut placer =
            Placer { policy: a.overwrite, delete_extra: a.delete_extra, report: &mut report };
        if fresh {
            // A new directory appears whole, in one rename, or not at all.
            match std::fs::rename(&staging.0, &root) {
                Ok(()) => placer.count_tree(&root),
                Err(e) => {
                    return self.refuse(
                        "restore.place_failed",
                        format!("Cannot move the restored files to {}: {e}", root.display()),
                    );
                }
            }
            placer.report.dirs_created = placer.report.dirs_created.saturating_sub(1);
        } else {
            for p in &a.paths {
                let dst = under(&root, p);
                if let Some(parent) = dst.parent()
                    && let Err(e) = std::fs::create_dir_all(parent)
                {
                    placer.report.failed_count += 1;
                    placer.report.failed.push(cairn_proto::RestoreProblem {
                        path: parent.display().to_string(),
                        reason: e.to_string(),
                    });
                    continue;
                }
                placer.place(&under(&staging.0, p), &dst, true);
            }
        }
        drop(staging);
        report.duration_ms = t0.elapsed().as_millis() as u64;
        let message = format!(
            "Restored to {}: {} created, {} overwritten, {} skipped, {} deleted, {} failed ({}).",
            report.target,
            report.created,
            report.overwritten,
            report.skipped,
            report.deleted,
            report.failed_count,
            human(report.bytes)
        );
        self.note(&message);
        JobResult {
            outcome: if report.failed_count == 0 {
                JobOutcome::Succeeded
            } else {
                JobOutcome::Warning
            },
            exit_code: outcome.exit_code,
            error_class: (report.failed_count > 0).then(|| "restore.some_failed".to_string()),
            message: Some(message),
            restore: Some(report),
            ..JobResult::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_directory_of_paths() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(common_dir(&s(&["/etc/nginx", "/etc/ssh"])), PathBuf::from("/etc"));
        assert_eq!(
            common_dir(&s(&["/etc/nginx/nginx.conf"])),
            PathBuf::from("/etc/nginx/nginx.conf")
        );
        assert_eq!(common_dir(&s(&["/etc", "/srv"])), PathBuf::from("/"));
        assert_eq!(existing_ancestor(Path::new("/definitely/not/here")), PathBuf::from("/"));
        assert!(free_bytes(Path::new("/")).is_some_and(|b| b > 0));
        assert_eq!(human(1536), "1.5 KiB");
    }
}

//! Moving restored files from the staging directory (where restic wrote them) to where they
//! belong, by the overwrite policy. Every move is a rename on one filesystem, so a file at
//! the target is either the old one or the whole new one, never half written.

use std::{
    collections::HashSet,
    ffi::OsString,
    fs::Metadata,
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
};

use cairn_proto::{OverwritePolicy, RestoreProblem, RestoreReport};

/// At most this many skipped and failed paths are listed in a report (all are counted).
const LISTED: usize = 100;

pub struct Placer<'a> {
    pub policy: OverwritePolicy,
    pub delete_extra: bool,
    pub report: &'a mut RestoreReport,
}

/// `/a/b` under `root`: `root/a/b`.
pub fn under(root: &Path, absolute: &str) -> PathBuf {
    root.join(absolute.trim_start_matches('/'))
}

fn mtime_ns(m: &Metadata) -> i128 {
    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec())
}

/// What the overwrite policy compares: size, modification time, and whether it is a link.
#[derive(Clone, Copy, Debug)]
pub struct Stamp {
    pub len: u64,
    pub mtime_ns: i128,
    pub symlink: bool,
}

impl Stamp {
    pub fn of(m: &Metadata) -> Stamp {
        Stamp { len: m.len(), mtime_ns: mtime_ns(m), symlink: m.file_type().is_symlink() }
    }
}

/// Whether `policy` replaces an existing file (`dst`) with the snapshot's (`src`), or why
/// not. The preview and the restore decide with this one function.
pub fn decide(policy: OverwritePolicy, src: Stamp, dst: Stamp) -> Result<(), &'static str> {
    match policy {
        OverwritePolicy::Always => Ok(()),
        OverwritePolicy::Never => Err("it exists and the policy is never overwrite"),
        OverwritePolicy::IfNewer if src.mtime_ns > dst.mtime_ns => Ok(()),
        OverwritePolicy::IfNewer => Err("the file there is as new as the snapshot's or newer"),
        OverwritePolicy::IfChanged
            if src.len == dst.len && src.mtime_ns == dst.mtime_ns && src.symlink == dst.symlink =>
        {
            Err("it is unchanged (same size and modification time)")
        }
        OverwritePolicy::IfChanged => Ok(()),
    }
}

impl Placer<'_> {
    fn skip(&mut self, path: &Path, reason: &str) {
        self.report.skipped += 1;
        if self.report.skipped_paths.len() < LISTED {
            self.report
                .skipped_paths
                .push(RestoreProblem { path: path.display().to_string(), reason: reason.into() });
        }
    }

    fn fail(&mut self, path: &Path, reason: String) {
        self.report.failed_count += 1;
        if self.report.failed.len() < LISTED {
            self.report.failed.push(RestoreProblem { path: path.display().to_string(), reason });
        }
    }

    fn rename(&mut self, src: &Path, dst: &Path) -> bool {
        match std::fs::rename(src, dst) {
            Ok(()) => true,
            Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
                self.fail(
                    dst,
                    "it is on another filesystem than the restore's staging directory".into(),
                );
                false
            }
            Err(e) => {
                self.fail(dst, e.to_string());
                false
            }
        }
    }

    /// Counts what a whole subtree moved into place brought (it was new at the target).
    pub fn count_tree(&mut self, path: &Path) {
        let Ok(m) = std::fs::symlink_metadata(path) else { return };
        if m.is_dir() {
            self.report.dirs_created += 1;
            if let Ok(rd) = std::fs::read_dir(path) {
                for e in rd.flatten() {
                    self.count_tree(&e.path());
                }
            }
        } else {
            self.report.created += 1;
            if m.is_file() {
                self.report.bytes += m.len();
            }
        }
    }

    /// Places `src` (in staging) at `dst`, recursing into directories that exist on both
    /// sides. `in_scope`: `dst` is inside a path the user chose, so extras there may go.
    pub fn place(&mut self, src: &Path, dst: &Path, in_scope: bool) {
        let s = match std::fs::symlink_metadata(src) {
            Ok(m) => m,
            Err(e) => return self.fail(dst, format!("restic did not restore it: {e}")),
        };
        let d = std::fs::symlink_metadata(dst).ok();
        match (s.is_dir(), d) {
            (_, None) => {
                if self.rename(src, dst) {
                    self.count_tree(dst);
                }
            }
            (true, Some(d)) if d.is_dir() => {
                let mut names: HashSet<OsString> = HashSet::new();
                let mut children: Vec<_> = match std::fs::read_dir(src) {
                    Ok(rd) => rd.flatten().map(|e| e.file_name()).collect(),
                    Err(e) => return self.fail(dst, e.to_string()),
                };
                children.sort();
                for name in children {
                    self.place(&src.join(&name), &dst.join(&name), in_scope);
                    names.insert(name);
                }
                if in_scope && self.delete_extra {
                    self.delete_others(dst, &names);
                }
            }
            (true, Some(_)) => {
                if self.policy == OverwritePolicy::Always {
                    if let Err(e) = std::fs::remove_file(dst) {
                        return self.fail(dst, e.to_string());
                    }
                    if self.rename(src, dst) {
                        self.report.overwritten += 1;
                        self.count_tree(dst);
                    }
                } else {
                    self.skip(dst, "a file is where the snapshot has a directory");
                }
            }
            (false, Some(d)) if d.is_dir() => {
                // Never a whole directory removed to put one file in its place.
                self.skip(dst, "a directory is where the snapshot has a file");
            }
            (false, Some(d)) => match decide(self.policy, Stamp::of(&s), Stamp::of(&d)) {
                Ok(()) => {
                    if self.rename(src, dst) {
                        self.report.overwritten += 1;
                        if s.is_file() {
                            self.report.bytes += s.len();
                        }
                    }
                }
                Err(why) => self.skip(dst, why),
            },
        }
    }

    /// Deletes what is in `dir` but not among `keep` (the snapshot's entries there).
    fn delete_others(&mut self, dir: &Path, keep: &HashSet<OsString>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            if keep.contains(&e.file_name()) {
                continue;
            }
            let p = e.path();
            let gone = match e.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(&p),
                _ => std::fs::remove_file(&p),
            };
            match gone {
                Ok(()) => self.report.deleted += 1,
                Err(err) => self.fail(&p, format!("not deleted: {err}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{fs, os::unix::fs::symlink, time::Duration};

    use super::*;

    fn write(p: &Path, text: &str) {
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(p, text).unwrap();
    }

    fn age(p: &Path, secs_ago: u64) {
        let t = std::time::SystemTime::now() - Duration::from_secs(secs_ago);
        fs::File::options().write(true).open(p).unwrap().set_modified(t).unwrap();
    }

    /// staging/data: a.txt "new", b.txt "same", c.txt "old-in-snapshot", sub/d.txt;
    /// target/data: a.txt "old" (older), b.txt identical, c.txt newer, extra.txt.
    fn setup(t: &Path) -> (PathBuf, PathBuf) {
        let (staging, target) = (t.join("staging"), t.join("target"));
        write(&staging.join("data/a.txt"), "new");
        write(&staging.join("data/b.txt"), "same");
        write(&staging.join("data/c.txt"), "snapshot");
        write(&staging.join("data/sub/d.txt"), "deep");
        symlink("a.txt", staging.join("data/link")).unwrap();
        write(&target.join("data/a.txt"), "old");
        write(&target.join("data/b.txt"), "same");
        write(&target.join("data/c.txt"), "newer here");
        write(&target.join("data/extra.txt"), "not in the snapshot");
        age(&target.join("data/a.txt"), 3600);
        age(&staging.join("data/c.txt"), 3600);
        let t_b = fs::metadata(staging.join("data/b.txt")).unwrap().modified().unwrap();
        fs::File::options()
            .write(true)
            .open(target.join("data/b.txt"))
            .unwrap()
            .set_modified(t_b)
            .unwrap();
        (staging, target)
    }

    fn run(
        policy: OverwritePolicy,
        delete_extra: bool,
    ) -> (RestoreReport, PathBuf, tempfile::TempDir) {
        let t = tempfile::tempdir().unwrap();
        let (staging, target) = setup(t.path());
        let mut report = RestoreReport::default();
        Placer { policy, delete_extra, report: &mut report }.place(
            &under(&staging, "/data"),
            &under(&target, "/data"),
            true,
        );
        (report, target, t)
    }

    fn text(p: PathBuf) -> String {
        fs::read_to_string(p).unwrap_or_default()
    }

    #[test]
    fn if_changed_replaces_what_differs_and_adds_what_is_missing() {
        let (r, target, _t) = run(OverwritePolicy::IfChanged, false);
        assert_eq!(text(target.join("data/a.txt")), "new");
        assert_eq!(text(target.join("data/b.txt")), "same");
        assert_eq!(text(target.join("data/c.txt")), "snapshot", "different, so replaced");
        assert_eq!(text(target.join("data/sub/d.txt")), "deep");
        assert_eq!(fs::read_link(target.join("data/link")).ok(), Some(PathBuf::from("a.txt")));
        assert!(target.join("data/extra.txt").exists(), "kept without delete_extra");
        assert_eq!((r.overwritten, r.skipped, r.created, r.dirs_created), (2, 1, 2, 1), "{r:?}");
        assert_eq!(r.skipped_paths[0].reason, "it is unchanged (same size and modification time)");
    }

    #[test]
    fn if_newer_keeps_newer_files_and_never_keeps_all() {
        let (r, target, _t) = run(OverwritePolicy::IfNewer, false);
        assert_eq!(text(target.join("data/a.txt")), "new");
        assert_eq!(text(target.join("data/c.txt")), "newer here");
        assert_eq!((r.overwritten, r.skipped), (1, 2), "{r:?}");
        let (r, target, _t) = run(OverwritePolicy::Never, false);
        assert_eq!(text(target.join("data/a.txt")), "old");
        assert_eq!((r.overwritten, r.skipped, r.created), (0, 3, 2), "{r:?}");
    }

    #[test]
    fn always_with_delete_extra_makes_the_target_the_snapshot() {
        let (r, target, _t) = run(OverwritePolicy::Always, true);
        for (f, want) in [("a.txt", "new"), ("b.txt", "same"), ("c.txt", "snapshot")] {
            assert_eq!(text(target.join("data").join(f)), want);
        }
        assert!(!target.join("data/extra.txt").exists());
        assert_eq!((r.overwritten, r.deleted, r.failed_count), (3, 1, 0), "{r:?}");
    }

    #[test]
    fn a_directory_in_the_way_of_a_file_is_never_removed() {
        let t = tempfile::tempdir().unwrap();
        write(&t.path().join("s/x/name"), "file in snapshot");
        write(&t.path().join("d/x/name/keep.txt"), "a directory here");
        let mut report = RestoreReport::default();
        Placer { policy: OverwritePolicy::Always, delete_extra: true, report: &mut report }.place(
            &t.path().join("s/x"),
            &t.path().join("d/x"),
            true,
        );
        assert!(t.path().join("d/x/name/keep.txt").exists());
        assert_eq!(report.skipped_paths[0].reason, "a directory is where the snapshot has a file");
    }

    #[test]
    fn a_missing_source_is_a_failure_with_a_reason() {
        let t = tempfile::tempdir().unwrap();
        let mut report = RestoreReport::default();
        Placer { policy: OverwritePolicy::IfChanged, delete_extra: false, report: &mut report }
            .place(&t.path().join("nothing"), &t.path().join("dst"), true);
        assert_eq!(report.failed_count, 1);
        assert!(report.failed[0].reason.starts_with("restic did not restore it"), "{report:?}");
    }
}

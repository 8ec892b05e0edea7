//! Exit code 3: a backup that could not read some files still writes a snapshot, and the
//! outcome lists exactly the unreadable paths.
//!
//! Mode 000 stops nobody when the tests run as root (CAP_DAC_OVERRIDE and
//! CAP_DAC_READ_SEARCH bypass permission bits). So, as root, this test drops those two
//! capabilities from its thread's bounding set before starting restic: restic then runs as
//! uid 0 without them and gets EACCES like any user. The bounding set is per thread and
//! inherited by children, so the test runs its own single-threaded runtime on that thread
//! and no other test is affected.

use std::os::unix::fs::PermissionsExt;

use crate::common::{self, Fixture};
use cairn_restic::{BackupOptions, ErrorClass, RunControl, RunStatus, SnapshotFilter};

fn drop_dac_capabilities() {
    for cap in [1 /* CAP_DAC_OVERRIDE */, 2 /* CAP_DAC_READ_SEARCH */] {
        // SAFETY: prctl(PR_CAPBSET_DROP, cap) only changes this thread's capability bounding set.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        assert_eq!(
            rc,
            0,
            "running as root but cannot drop capability {cap} (needs CAP_SETPCAP): {}",
            std::io::Error::last_os_error()
        );
    }
}

#[test]
fn unreadable_files_make_an_incomplete_snapshot() {
    if common::is_root() {
        drop_dac_capabilities();
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let f = Fixture::new().await;
        let secret = f.data.join("secret.txt");
        std::fs::write(&secret, "nobody may read this\n").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
        let closed = f.data.join("closed");
        std::fs::create_dir(&closed).unwrap();
        std::fs::write(closed.join("inside.txt"), "x").unwrap();
        std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).unwrap();

        let out = f
            .restic
            .backup(&f.repo, &BackupOptions::new([&f.data]), RunControl::default())
            .await
            .unwrap();

        // Let the TempDir clean up.
        std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o755)).unwrap();

        assert_eq!(out.exit_code, Some(3), "{out:?}");
        assert_eq!(out.status(), RunStatus::Warning);
        let Some(ErrorClass::Incomplete { unreadable }) = &out.error else {
            panic!("expected Incomplete, got {out:?}")
        };
        let secret = secret.to_string_lossy().into_owned();
        let closed = closed.to_string_lossy().into_owned();
        assert!(unreadable.contains(&secret), "{unreadable:?}");
        assert!(unreadable.contains(&closed), "{unreadable:?}");
        assert!(!unreadable.iter().any(|p| p.ends_with("a.txt")), "{unreadable:?}");
        assert_eq!(out.error.as_ref().unwrap().code(), "restic.incomplete");

        // The snapshot exists anyway, with the readable files.
        let s = out.backup_summary().expect("summary");
        let id = s.snapshot_id.clone().expect("snapshot written despite exit 3");
        assert_eq!(s.files_new, 3, "{s:?}");
        let snaps = f.restic.snapshots(&f.repo, &SnapshotFilter::default()).await.unwrap();
        assert!(snaps.iter().any(|s| s.id.starts_with(&id)));
    });
}

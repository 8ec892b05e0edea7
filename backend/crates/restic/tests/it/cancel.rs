//! Cancelling a running backup: graceful signal to restic's process group, nothing left
//! running afterwards, an Interrupted outcome, and (because the stop was graceful) no lock.

use std::time::{Duration, Instant};

use crate::common::{self, Fixture};
use cairn_restic::{BackupOptions, ErrorClass, Event, RunControl, RunStatus, cancel_pair};
use tokio::sync::mpsc;

#[tokio::test]
async fn cancel_after_first_progress_stops_the_whole_group() {
    let f = Fixture::new().await;
    let big = common::big_dir(&f.path("big"), 8, 25);

    let (tx, mut rx) = mpsc::unbounded_channel();
    let (canceller, token) = cancel_pair();
    let (restic, repo) = (f.restic.clone(), f.repo.clone());
    let task = tokio::spawn(async move {
        let ctl = RunControl::default().with_events(tx).with_cancel(token);
        restic.backup(&repo, &BackupOptions::new([big]), ctl).await
    });

    let mut pid = None;
    let mut cancelled_at = None;
    let mut progress_after_cancel = 0;
    while let Some(ev) = rx.recv().await {
        match ev {
            Event::Started { pid: p } => pid = Some(p),
            Event::Progress(_) if cancelled_at.is_none() => {
                canceller.cancel();
                cancelled_at = Some(Instant::now());
            }
            Event::Progress(_) => progress_after_cancel += 1,
            Event::Log { .. } => {}
        }
    }
    let out = task.await.unwrap().unwrap();
    let stopped_in = cancelled_at.expect("saw progress").elapsed();
    let pid = pid.expect("Started event");

    assert_eq!(out.pid, pid);
    assert!(out.cancelled, "{out:?}");
    assert_eq!(out.status(), RunStatus::Cancelled);
    assert_eq!(out.error, Some(ErrorClass::Interrupted));
    assert!(!out.killed, "restic should stop on the graceful signal, not need SIGKILL");
    assert!(stopped_in < Duration::from_secs(10), "took {stopped_in:?}");
    assert!(progress_after_cancel <= 3, "{progress_after_cancel} progress events after cancel");
    assert!(!common::group_exists(pid), "a process of group {pid} is still alive");
    assert!(out.backup_summary().is_none(), "no summary for a cancelled backup");

    // A graceful stop lets restic remove its own lock; no snapshot was written.
    assert!(f.restic.list_locks(&f.repo).await.unwrap().is_empty());
    assert_eq!(f.snapshot_count().await, 0);
}

#[tokio::test]
async fn cancel_before_start_and_a_dropped_canceller_do_not_hang() {
    let f = Fixture::new().await;
    // Dropping the Canceller without cancelling must not count as a cancel.
    let (canceller, token) = cancel_pair();
    drop(canceller);
    let out = f
        .restic
        .backup(&f.repo, &BackupOptions::new([&f.data]), RunControl::default().with_cancel(token))
        .await
        .unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
}

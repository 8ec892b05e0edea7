//! Each error class provoked for real with restic: wrong password, missing repository,
//! unreachable backend, and a stale lock left by a backup that was killed mid-run.

use std::time::Duration;

use crate::common::{self, Fixture};
use cairn_restic::{
    BackupOptions, CheckOptions, Error, ErrorClass, Event, Repo, RunControl, RunStatus,
    SnapshotFilter,
};
use tokio::sync::mpsc;

#[tokio::test]
async fn wrong_password() {
    let f = Fixture::new().await;
    let wrong = Repo::new(f.repo.url(), "not the password");
    let err = f.restic.snapshots(&wrong, &SnapshotFilter::default()).await.unwrap_err();
    assert!(matches!(err, Error::Restic(ErrorClass::WrongPassword)), "{err:?}");
    assert_eq!(err.code(), "restic.wrong_password");

    // The streaming runner classifies the same way.
    let out =
        f.restic.check(&wrong, &CheckOptions::default(), RunControl::default()).await.unwrap();
    assert_eq!(out.error, Some(ErrorClass::WrongPassword), "{out:?}");
    assert_eq!(out.status(), RunStatus::Failed);
}

#[tokio::test]
async fn missing_repository() {
    let f = Fixture::uninitialised().await;
    // An existing directory that is not a repository, and a path that does not exist.
    for url in [f.data.to_string_lossy().into_owned(), f.path("nowhere").to_string_lossy().into()] {
        let repo = Repo::new(url, common::PASSWORD);
        let err = f.restic.cat_config(&repo).await.unwrap_err();
        assert!(matches!(err, Error::Restic(ErrorClass::RepoMissing)), "{err:?}");
        assert_eq!(err.code(), "restic.repo_missing");
    }
    let out = f
        .restic
        .backup(
            &Repo::new(f.path("nowhere").to_string_lossy(), common::PASSWORD),
            &BackupOptions::new([&f.data]),
            RunControl::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.error, Some(ErrorClass::RepoMissing), "{out:?}");
}

#[tokio::test]
async fn unreachable_backend_is_a_network_error() {
    let f = Fixture::uninitialised().await;
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let repo = Repo::new("rest:http://127.0.0.1:1/", common::PASSWORD);
    let err = f.restic.snapshots(&repo, &SnapshotFilter::default()).await.unwrap_err();
    let Error::Restic(ErrorClass::Network { detail }) = &err else { panic!("{err:?}") };
    assert!(detail.contains("connection refused"), "{detail}");
    assert_eq!(err.code(), "restic.network");
}

#[tokio::test]
async fn killed_backup_leaves_a_stale_lock_that_unlock_clears() {
    let f = Fixture::new().await;
    let big = common::big_dir(&f.path("big"), 4, 25);

    // Run a backup and drop its future after the first progress: the runner must kill
    // restic's whole group with SIGKILL, which leaves restic's lock behind.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (restic, repo) = (f.restic.clone(), f.repo.clone());
    let task = tokio::spawn(async move {
        restic
            .backup(&repo, &BackupOptions::new([big]), RunControl::default().with_events(tx))
            .await
    });
    let mut pid = None;
    while let Some(ev) = rx.recv().await {
        match ev {
            Event::Started { pid: p } => pid = Some(p),
            Event::Progress(_) => break,
            Event::Log { .. } => {}
        }
    }
    let pid = pid.expect("Started event");
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert!(
        common::wait_group_gone(pid, Duration::from_secs(10)).await,
        "restic's process group {pid} outlived its dropped runner"
    );

    // check needs an exclusive lock and reports who holds the stale one.
    let out =
        f.restic.check(&f.repo, &CheckOptions::default(), RunControl::default()).await.unwrap();
    let Some(ErrorClass::Locked { pid: lock_pid, host, user, exclusive }) = &out.error else {
        panic!("expected Locked, got {out:?}")
    };
    assert_eq!(*lock_pid, Some(pid));
    assert_eq!(host.as_deref(), Some(common::hostname().as_str()));
    assert!(user.is_some());
    assert!(!exclusive, "a backup holds a shared lock");
    assert_eq!(out.error.as_ref().unwrap().code(), "restic.locked");

    let locks = f.restic.list_locks(&f.repo).await.unwrap();
    assert_eq!(locks.len(), 1, "{locks:?}");
    assert_eq!(locks[0].pid, pid);
    assert_eq!(locks[0].hostname, common::hostname());
    assert!(locks[0].is_stale(&common::hostname(), chrono::Utc::now()));

    // Its owner is dead on this host, so a plain (safe) unlock removes it.
    f.restic.unlock(&f.repo).await.unwrap();
    assert!(f.restic.list_locks(&f.repo).await.unwrap().is_empty());
    let out =
        f.restic.check(&f.repo, &CheckOptions::default(), RunControl::default()).await.unwrap();
    assert_eq!(out.status(), RunStatus::Succeeded, "{out:?}");
}

#[tokio::test]
async fn anything_else_is_other_with_the_stderr_tail() {
    let f = Fixture::new().await;
    let err = f.restic.diff(&f.repo, "deadbeef", "latest").await.unwrap_err();
    let Error::Restic(ErrorClass::Other { exit_code, stderr_tail }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*exit_code, Some(1));
    assert!(stderr_tail.contains("deadbeef"), "{stderr_tail}");
    assert_eq!(err.code(), "restic.failed");
}

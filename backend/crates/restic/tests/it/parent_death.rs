//! `Restic::with_parent_death_signal`: a restic whose parent goes away without cleaning up
//! (SIGKILL, crash) is killed by the kernel instead of running on with its lock. The
//! parent's death is simulated by the death of the thread that spawned restic (the kernel
//! signals on the spawning thread's exit), with the run's future leaked so that neither
//! kill_on_drop nor the process-group guard can do the work instead.

use std::time::{Duration, Instant};

use crate::common::{self, Fixture};
use cairn_restic::{BackupOptions, Event, Repo, Restic, RunControl};
use tokio::sync::mpsc;

/// Zombie or gone: the process no longer runs.
fn dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state is the first field after the parenthesised command name.
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// Starts a backup on a thread that then exits, leaking the run; returns restic's pid once
/// the thread is gone.
fn backup_from_a_dying_thread(restic: Restic, repo: Repo, data: std::path::PathBuf) -> u32 {
    let (pid_tx, pid_rx) = std::sync::mpsc::channel();
    let spawner = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut run = Box::pin(async move {
            let ctl = RunControl::default().with_events(tx);
            restic.backup(&repo, &BackupOptions::new([data]), ctl).await
        });
        rt.block_on(async {
            tokio::select! {
                r = &mut run => panic!("the backup ended before the thread could die: {r:?}"),
                ev = rx.recv() => {
                    let Some(Event::Started { pid }) = ev else { panic!("{ev:?}") };
                    // Give restic time to get past exec and connect (it then waits forever).
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    assert!(!dead(pid), "restic runs while its spawning thread lives");
                    pid_tx.send(pid).unwrap();
                }
            }
        });
        // Leak the run (and its Child and group guard): only the kernel can stop restic now.
        std::mem::forget(run);
        std::mem::forget(rt);
    });
    let pid = pid_rx.recv_timeout(Duration::from_secs(30)).expect("restic started");
    spawner.join().unwrap();
    pid
}

#[test]
fn restic_dies_with_the_thread_that_spawned_it() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let f = rt.block_on(Fixture::uninitialised());
    // A REST "server" that accepts connections (the kernel does, from the backlog) and never
    // answers: restic waits on it for as long as nobody stops it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("rest:http://{}/", silent.local_addr().unwrap());
    let repo = Repo::new(url, common::PASSWORD);

    // Control: without the death signal, restic outlives the thread.
    let pid = backup_from_a_dying_thread(f.restic.clone(), repo.clone(), f.data.clone());
    std::thread::sleep(Duration::from_secs(1));
    assert!(!dead(pid), "restic {pid} should still wait on the silent server");
    // SAFETY: kill/waitpid on our own child's pid.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
        libc::waitpid(pid as libc::pid_t, &mut 0, 0);
    }

    let restic = f.restic.clone().with_parent_death_signal(libc::SIGKILL);
    let pid = backup_from_a_dying_thread(restic, repo, f.data.clone());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dead(pid) {
        assert!(Instant::now() < deadline, "restic {pid} outlived its parent thread");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Reap it (this process is still its parent) so it does not linger as a zombie.
    // SAFETY: waitpid on our own child's pid with a valid status pointer.
    unsafe {
        libc::waitpid(pid as libc::pid_t, &mut 0, 0);
    }
}

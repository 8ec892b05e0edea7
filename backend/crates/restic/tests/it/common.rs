//! Shared fixtures for the integration tests: the real restic binary, a fresh repository and
//! data directory in a temp dir, and helpers to make big files and watch process groups.
#![allow(dead_code)]

use std::{
    io::Write,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use cairn_restic::{
    BackupOptions, Event, GlobalOptions, Outcome, Repo, Restic, RunControl, SnapshotFilter,
};
use tempfile::TempDir;
use tokio::sync::mpsc;

pub const PASSWORD: &str = "correct horse battery staple";

/// The restic under test: $CAIRN_TEST_RESTIC or Debian's /usr/bin/restic. Missing is a failure,
/// never a skip: these tests exist to prove the wrapper against the real binary.
pub fn restic_path() -> PathBuf {
    let path = std::env::var_os("CAIRN_TEST_RESTIC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/restic"));
    assert!(
        path.exists(),
        "restic not found at {} — install it (`apt-get install restic`) or set CAIRN_TEST_RESTIC",
        path.display()
    );
    path
}

pub async fn restic_with_cache(cache: &Path) -> Restic {
    Restic::detect(restic_path())
        .await
        .unwrap_or_else(|e| panic!("restic at {} is not usable: {e}", restic_path().display()))
        .with_globals(GlobalOptions { cache_dir: Some(cache.to_owned()), ..Default::default() })
}

pub struct Fixture {
    pub dir: TempDir,
    pub restic: Restic,
    pub repo: Repo,
    pub data: PathBuf,
}

impl Fixture {
    /// An initialised repository and a data dir with three small files.
    pub async fn new() -> Self {
        let f = Self::uninitialised().await;
        f.restic.init(&f.repo).await.expect("init");
        f
    }

    pub async fn uninitialised() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let restic = restic_with_cache(&dir.path().join("cache")).await;
        let repo = Repo::new(dir.path().join("repo").to_string_lossy(), PASSWORD);
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("sub")).expect("mkdir");
        std::fs::write(data.join("a.txt"), "alpha\n").expect("write");
        std::fs::write(data.join("b.txt"), "bravo bravo\n").expect("write");
        std::fs::write(data.join("sub/c.txt"), "charlie\n").expect("write");
        Self { dir, restic, repo, data }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// A backup of the data dir with a host and tag, events collected.
    pub async fn backup(&self) -> (Outcome, Vec<Event>) {
        let opts = BackupOptions {
            host: Some("testhost".into()),
            tags: vec!["nightly".into()],
            ..BackupOptions::new([&self.data])
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let out = self
            .restic
            .backup(&self.repo, &opts, RunControl::default().with_events(tx))
            .await
            .expect("backup ran");
        let mut events = Vec::new();
        while let Ok(e) = rx.try_recv() {
            events.push(e);
        }
        (out, events)
    }

    pub async fn snapshot_count(&self) -> usize {
        self.restic
            .snapshots(&self.repo, &SnapshotFilter::default())
            .await
            .expect("snapshots")
            .len()
    }
}

/// Writes `files` files of `mib` MiB of random data each (random so restic cannot dedup or
/// compress them away, which keeps a backup running long enough to interrupt).
pub fn big_dir(dir: &Path, files: usize, mib: usize) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut urandom = std::fs::File::open("/dev/urandom").expect("/dev/urandom");
    for i in 0..files {
        let mut f = std::fs::File::create(dir.join(format!("blob{i}"))).expect("create");
        let mut left = (mib as u64) << 20;
        let mut buf = vec![0u8; 1 << 20];
        while left > 0 {
            std::io::Read::read_exact(&mut urandom, &mut buf).expect("urandom");
            f.write_all(&buf).expect("write");
            left -= buf.len() as u64;
        }
    }
    dir.to_owned()
}

/// Whether any process (zombies included) is still in process group `pgid`.
pub fn group_exists(pgid: u32) -> bool {
    let pgid = libc::pid_t::try_from(pgid).expect("pid fits");
    assert!(pgid > 1);
    // SAFETY: signal 0 only probes; pgid > 1 names one specific group.
    unsafe { libc::kill(-pgid, 0) == 0 }
}

pub async fn wait_group_gone(pgid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if !group_exists(pgid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    !group_exists(pgid)
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").expect("hostname").trim().to_owned()
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

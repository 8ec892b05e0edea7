//! Catalog files in the state directory (`catalog/<repository>/<host>.cat`, 0600), the
//! catalogs in use kept in memory for a few minutes, and the indexing runs (`restic ls`
//! streamed into a catalog), one at a time per agent, whose progress a question can read.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use cairn_restic::{LsOptions, Repo, Restic};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Catalog, Kind, Meta, Node};
use crate::state;

/// A catalog not read for this long is dropped from memory (P6: an idle agent stays small).
const KEEP_IN_MEMORY: Duration = Duration::from_secs(120);

/// One catalog: the snapshots of one source host in one repository.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub repository: Uuid,
    pub hostname: String,
}

/// What became of an indexing run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Indexing {
    /// Waiting for another run to finish (one restic ls at a time).
    Queued,
    /// Reading the snapshot: paths read so far.
    Running { paths: u64 },
    /// The last run failed (kept so the asker learns why, until the next attempt).
    Failed { message: String },
}

struct Run {
    paths: Arc<AtomicU64>,
    started: bool,
}

#[derive(Default)]
struct Inner {
    loaded: HashMap<Key, (Arc<Catalog>, Instant)>,
    runs: HashMap<(Key, String), Run>,
    failed: HashMap<(Key, String), String>,
}

pub struct Catalogs {
    dir: PathBuf,
    inner: Mutex<Inner>,
    /// Serialises restic ls runs and catalog writes.
    writer: tokio::sync::Mutex<()>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    State(#[from] state::StateError),
}

impl Catalogs {
    pub fn new(state_dir: &Path) -> Arc<Catalogs> {
        Arc::new(Catalogs {
            dir: state_dir.join("catalog"),
            inner: Mutex::new(Inner::default()),
            writer: tokio::sync::Mutex::new(()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain maps behind, still consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn path(&self, key: &Key) -> PathBuf {
        // Host names go through a hash: they are the source host's, not a safe file name.
        let h = hex::encode(&Sha256::digest(key.hostname.as_bytes())[..16]);
        self.dir.join(key.repository.to_string()).join(format!("{h}.cat"))
    }

    /// The catalog of `key` (empty when none was made yet), from memory or disk. A damaged
    /// file is set aside (`.damaged`) and the catalog starts again: it is only an index of
    /// the repository, which stays the truth.
    pub fn get(&self, key: &Key) -> Result<Arc<Catalog>, CatalogError> {
        let now = Instant::now();
        {
            let mut inner = self.lock();
            inner.loaded.retain(|_, (_, used)| now.duration_since(*used) < KEEP_IN_MEMORY);
            if let Some((c, used)) = inner.loaded.get_mut(key) {
                *used = now;
                return Ok(c.clone());
            }
        }
        let path = self.path(key);
        let catalog = match std::fs::read(&path) {
            Ok(bytes) => Catalog::decode(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), "catalog unreadable ({e}); it will be rebuilt");
                if let Err(e) = std::fs::rename(&path, path.with_extension("damaged")) {
                    tracing::warn!(path = %path.display(), "cannot set the damaged catalog aside: {e}");
                }
                Catalog::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Catalog::default(),
            Err(source) => return Err(state::StateError::Io { path, source }.into()),
        };
        let c = Arc::new(catalog);
        self.lock().loaded.insert(key.clone(), (c.clone(), now));
        Ok(c)
    }

    /// The catalog with every snapshot not in `keep` removed first.
    pub async fn reconciled(
        &self,
        key: &Key,
        keep: &[String],
    ) -> Result<Arc<Catalog>, CatalogError> {
        self.retain(key, keep).await?;
        self.get(key)
    }

    /// Forgets that indexing `snapshot` failed, so the next question tries again.
    pub fn forget_failure(&self, key: &Key, snapshot: &str) {
        self.lock().failed.remove(&(key.clone(), snapshot.to_string()));
    }

    /// Forgets a catalog entirely: from memory and from disk.
    pub fn remove(&self, key: &Key) {
        self.lock().loaded.remove(key);
        let path = self.path(key);
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), "cannot remove the catalog: {e}");
        }
    }

    /// Drops idle catalogs from memory; called now and then by the agent's loop.
    pub fn trim(&self) {
        let now = Instant::now();
        self.lock().loaded.retain(|_, (_, used)| now.duration_since(*used) < KEEP_IN_MEMORY);
    }

    fn save(&self, key: &Key, c: Catalog) -> Result<Arc<Catalog>, CatalogError> {
        let path = self.path(key);
        state::write_private(&path, &c.encode())?;
        let c = Arc::new(c);
        self.lock().loaded.insert(key.clone(), (c.clone(), Instant::now()));
        Ok(c)
    }

    /// Keeps only the snapshots in `keep` (the repository's snapshots of that host as the
    /// server or restic last listed them). Returns how many were removed.
    pub async fn retain(&self, key: &Key, keep: &[String]) -> Result<usize, CatalogError> {
        let current = self.get(key)?;
        if current.snapshots().iter().all(|s| keep.contains(&s.id)) {
            return Ok(0);
        }
        let _w = self.writer.lock().await;
        let mut c = (*self.get(key)?).clone();
        let removed = c.retain(keep);
        if removed > 0 {
            self.save(key, c)?;
            tracing::info!(repository = %key.repository, host = %key.hostname, removed, "catalog: forgotten snapshots removed");
        }
        Ok(removed)
    }

    /// Where indexing `snapshot` stands, if it is queued, running or failed last time.
    pub fn indexing(&self, key: &Key, snapshot: &str) -> Option<Indexing> {
        let inner = self.lock();
        let k = (key.clone(), snapshot.to_string());
        if let Some(r) = inner.runs.get(&k) {
            return Some(if r.started {
                Indexing::Running { paths: r.paths.load(Ordering::Relaxed) }
            } else {
                Indexing::Queued
            });
        }
        inner.failed.get(&k).map(|m| Indexing::Failed { message: m.clone() })
    }

    /// Starts indexing `snapshot` in the background unless it is in the catalog or being
    /// indexed already. Returns whether a run was started.
    pub fn start(self: &Arc<Self>, key: &Key, snapshot: &str, restic: Restic, repo: Repo) -> bool {
        if self.get(key).is_ok_and(|c| c.has(snapshot)) {
            return false;
        }
        let k = (key.clone(), snapshot.to_string());
        let paths = Arc::new(AtomicU64::new(0));
        {
            let mut inner = self.lock();
            if inner.runs.contains_key(&k) {
                return false;
            }
            inner.failed.remove(&k);
            inner.runs.insert(k.clone(), Run { paths: paths.clone(), started: false });
        }
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.index(&k.0, &k.1, &restic, &repo, &paths).await;
            let mut inner = this.lock();
            inner.runs.remove(&k);
            if let Err(message) = result {
                tracing::warn!(snapshot = %k.1, "catalog: indexing failed: {message}");
                inner.failed.insert(k, message);
            }
        });
        true
    }

    /// Indexes `snapshot` now and waits for it (after a backup, with the agent's own
    /// snapshot); a snapshot already in the catalog is left as it is.
    async fn index(
        &self,
        key: &Key,
        snapshot: &str,
        restic: &Restic,
        repo: &Repo,
        paths: &Arc<AtomicU64>,
    ) -> Result<(), String> {
        let _w = self.writer.lock().await;
        if let Some(r) = self.lock().runs.get_mut(&(key.clone(), snapshot.to_string())) {
            r.started = true;
        }
        if self.get(key).map_err(|e| e.to_string())?.has(snapshot) {
            return Ok(());
        }
        let started = Instant::now();
        let mut nodes = Vec::new();
        let counter = paths.clone();
        let opts = LsOptions { snapshot: snapshot.to_string(), dir: None, recursive: false };
        let listed = restic
            .ls_each(repo, &opts, |n| {
                counter.fetch_add(1, Ordering::Relaxed);
                nodes.push(node(n));
            })
            .await
            .map_err(|e| e.to_string())?;
        let Some(snap) = listed else {
            return Err("restic ls printed no snapshot line".into());
        };
        let mut c = (*self.get(key).map_err(|e| e.to_string())?).clone();
        // Catalogs key snapshots by their full id, whatever prefix was asked for.
        let count = nodes.len();
        c.add(&snap.id, snap.time, nodes);
        self.save(key, c).map_err(|e| e.to_string())?;
        tracing::info!(
            snapshot = %snap.short_id,
            paths = count,
            ms = started.elapsed().as_millis() as u64,
            "catalog: snapshot indexed"
        );
        Ok(())
    }

    /// Indexes a snapshot the agent has just made and waits for it: the catalog is ready
    /// before anyone opens the snapshot.
    pub async fn index_now(
        &self,
        key: &Key,
        snapshot: &str,
        restic: &Restic,
        repo: &Repo,
    ) -> Result<(), String> {
        self.index(key, snapshot, restic, repo, &Arc::new(AtomicU64::new(0))).await
    }
}

/// restic's node as the catalog keeps it.
pub fn node(n: cairn_restic::LsNode) -> Node {
    let mtime_ns = n.mtime.and_then(|t: DateTime<Utc>| t.timestamp_nanos_opt()).unwrap_or(0);
    Node {
        meta: Meta {
            kind: Kind::parse(&n.node_type),
            size: n.size.unwrap_or(0),
            mtime_ns,
            mode: unix_mode(n.mode.unwrap_or(0)),
            uid: n.uid,
            gid: n.gid,
        },
        path: n.path,
    }
}

/// Go's `os.FileMode` permission bits as Unix mode bits (setuid, setgid and sticky live
/// high up in Go's encoding).
fn unix_mode(go: u32) -> u32 {
    let mut m = go & 0o777;
    if go & (1 << 23) != 0 {
        m |= 0o4000;
    }
    if go & (1 << 22) != 0 {
        m |= 0o2000;
    }
    if go & (1 << 20) != 0 {
        m |= 0o1000;
    }
    m
}

#[cfg(test)]
mod tests {
    #[test]
    fn go_modes_become_unix_modes() {
        assert_eq!(super::unix_mode(2147484141), 0o755, "a directory");
        assert_eq!(super::unix_mode(420), 0o644);
        assert_eq!(super::unix_mode((1 << 23) | 0o755), 0o4755);
        assert_eq!(super::unix_mode((1 << 31) | (1 << 20) | 0o777), 0o1777, "/tmp");
    }
}

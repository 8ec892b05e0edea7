//! Browse and search answers, read from the snapshot catalog: a directory page sorted and
//! filtered, or the paths matching a pattern across a host's snapshots. A snapshot not in
//! the catalog is indexed in the background and the answer says how far that got.

use std::{collections::BTreeMap, sync::Arc, time::Instant};

use cairn_proto::{
    Answer, AskFailure, BrowseAnswer, BrowseQuery, CatalogScope, ChangeCount, ChangedPath,
    DiffAnswer, DiffQuery, DiffTotals, FoundPath, FoundVersion, IndexProgress, PathChange,
    RepositoryConfig, SearchAnswer, SearchQuery, TreeEntry, TreeSort,
};
use chrono::{DateTime, Utc};

use crate::{
    catalog::{
        self, Listed, Meta,
        store::{Catalogs, Indexing, Key},
    },
    jobs::ResticSettings,
    runner,
};

fn failed(class: &str, message: String) -> Answer {
    Answer::Failed(AskFailure { error_class: class.to_string(), message })
}

fn key(scope: &CatalogScope) -> Key {
    Key { repository: scope.repository_id, hostname: scope.hostname.clone() }
}

fn time(ns: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_nanos(ns)
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// Starts indexing `snapshot` (or reads how far it is). `Err` carries the failed answer
/// when the last attempt failed; that failure is reported once, the next ask retries.
pub(crate) async fn start_indexing(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    key: &Key,
    snapshot: &str,
) -> Result<IndexProgress, Answer> {
    match catalogs.indexing(key, snapshot) {
        Some(Indexing::Running { paths }) => {
            return Ok(IndexProgress { started: true, paths_read: paths });
        }
        Some(Indexing::Queued) => return Ok(IndexProgress { started: false, paths_read: 0 }),
        Some(Indexing::Failed { message }) => {
            catalogs.forget_failure(key, snapshot);
            return Err(failed(
                "catalog.index_failed",
                format!("Reading snapshot {} failed: {message}", short(snapshot)),
            ));
        }
        None => {}
    }
    let restic = runner::restic(settings).await.map_err(|e| failed(e.code(), e.to_string()))?;
    catalogs.start(key, snapshot, restic, runner::repo(cfg));
    Ok(IndexProgress { started: false, paths_read: 0 })
}

pub async fn browse(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    q: &BrowseQuery,
) -> Answer {
    let started = Instant::now();
    let Some(dir) = catalog::normalise_dir(&q.path) else {
        return failed(
            "catalog.bad_path",
            format!("{:?} is not an absolute path without . or .. segments", q.path),
        );
    };
    let key = key(&q.scope);
    if !q.scope.snapshots.contains(&q.snapshot_id) {
        return failed(
            "catalog.unknown_snapshot",
            format!("Snapshot {} is not one of this host's snapshots", short(&q.snapshot_id)),
        );
    }
    let c = match catalogs.reconciled(&key, &q.scope.snapshots).await {
        Ok(c) => c,
        Err(e) => return failed("catalog.unavailable", e.to_string()),
    };
    if !c.has(&q.snapshot_id) {
        return match start_indexing(settings, catalogs, cfg, &key, &q.snapshot_id).await {
            Ok(p) => Answer::Browse(BrowseAnswer {
                indexing: Some(p),
                entries: vec![],
                total: 0,
                elapsed_ms: started.elapsed().as_millis() as u64,
            }),
            Err(a) => a,
        };
    }
    let Some(mut list) = c.list(&q.snapshot_id, &dir) else {
        return failed(
            "catalog.no_such_directory",
            format!("{dir} is not a directory in snapshot {}", short(&q.snapshot_id)),
        );
    };
    if let Some(f) = q.filter.as_deref().map(str::to_lowercase).filter(|f| !f.is_empty()) {
        list.retain(|e| e.name.to_lowercase().contains(&f));
    }
    sort(&mut list, q.sort, q.descending);
    let total = list.len() as u64;
    let entries = list
        .into_iter()
        .skip(q.offset as usize)
        .take(q.limit as usize)
        .map(|e| TreeEntry {
            kind: e.meta.kind.wire(),
            size: e.meta.size,
            mtime: time(e.meta.mtime_ns),
            mode: e.meta.mode,
            uid: e.meta.uid,
            gid: e.meta.gid,
            name: e.name,
        })
        .collect();
    Answer::Browse(BrowseAnswer {
        indexing: None,
        entries,
        total,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// Directories first (as every file manager does), then by the asked key, then by name.
fn sort(list: &mut [Listed], by: TreeSort, descending: bool) {
    list.sort_by(|a, b| {
        let dirs_first =
            (b.meta.kind == catalog::Kind::Dir).cmp(&(a.meta.kind == catalog::Kind::Dir));
        let key = match by {
            TreeSort::Name => a.name.cmp(&b.name),
            TreeSort::Size => a.meta.size.cmp(&b.meta.size).then_with(|| a.name.cmp(&b.name)),
            TreeSort::Mtime => {
                a.meta.mtime_ns.cmp(&b.meta.mtime_ns).then_with(|| a.name.cmp(&b.name))
            }
        };
        dirs_first.then(if descending { key.reverse() } else { key })
    });
}

pub async fn search(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    q: &SearchQuery,
) -> Answer {
    let started = Instant::now();
    if q.pattern.trim().is_empty() {
        return failed("catalog.bad_pattern", "Say what to search for".into());
    }
    let key = key(&q.scope);
    let c = match catalogs.reconciled(&key, &q.scope.snapshots).await {
        Ok(c) => c,
        Err(e) => return failed("catalog.unavailable", e.to_string()),
    };
    let wanted: Vec<&String> = match &q.snapshot_id {
        Some(s) if !q.scope.snapshots.contains(s) => {
            return failed(
                "catalog.unknown_snapshot",
                format!("Snapshot {} is not one of this host's snapshots", short(s)),
            );
        }
        Some(s) => vec![s],
        None => q.scope.snapshots.iter().collect(),
    };
    let mut indexing = Vec::new();
    for s in wanted.iter().filter(|s| !c.has(s)) {
        match start_indexing(settings, catalogs, cfg, &key, s).await {
            Ok(_) => indexing.push((*s).clone()),
            // One snapshot that cannot be read does not stop the search of the others.
            Err(_) => tracing::warn!(snapshot = %short(s), "search: snapshot cannot be indexed"),
        }
    }
    let only = q.snapshot_id.as_deref().filter(|s| c.has(s));
    let (found, truncated) = if q.snapshot_id.is_some() && only.is_none() {
        (vec![], false)
    } else {
        c.search(&q.pattern, only, q.limit as usize).unwrap_or_default()
    };
    let paths = found
        .into_iter()
        .map(|h| FoundPath {
            path: h.path,
            versions: h
                .versions
                .into_iter()
                .map(|(m, snapshots)| found_version(&m, snapshots))
                .collect(),
        })
        .collect();
    let searched = c
        .snapshots()
        .iter()
        .filter(|s| only.is_none_or(|o| o == s.id))
        .map(|s| s.id.clone())
        .collect();
    Answer::Search(SearchAnswer {
        paths,
        truncated,
        searched,
        indexing,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

fn found_version(m: &Meta, snapshots: Vec<String>) -> FoundVersion {
    FoundVersion {
        kind: m.kind.wire(),
        size: m.size,
        mtime: time(m.mtime_ns),
        mode: m.mode,
        snapshots,
    }
}

/// restic's change modifier as a kind of change (`+`, `-`, `M`, `T`, `U`, `?`, combined).
fn change_of(modifier: &str) -> PathChange {
    if modifier.contains('+') {
        PathChange::Added
    } else if modifier.contains('-') {
        PathChange::Removed
    } else if modifier.contains('T') {
        PathChange::TypeChanged
    } else if modifier.contains('M') {
        PathChange::Modified
    } else if modifier.contains('U') {
        PathChange::Metadata
    } else {
        PathChange::Other
    }
}

/// `restic diff --json from to`, each changed path with its kind and sizes before and
/// after from the catalog (read first, in the background, when a snapshot is not in it).
pub async fn diff(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    q: &DiffQuery,
) -> Answer {
    let started = Instant::now();
    for s in [&q.from, &q.to] {
        if !q.scope.snapshots.contains(s) {
            return failed(
                "catalog.unknown_snapshot",
                format!("Snapshot {} is not one of this host's snapshots", short(s)),
            );
        }
    }
    let restic = match runner::restic(settings).await {
        Ok(r) => r,
        Err(e) => return failed(e.code(), e.to_string()),
    };
    let d = match restic.diff(&runner::repo(cfg), &q.from, &q.to).await {
        Ok(d) => d,
        Err(e) => return failed(e.code(), e.to_string()),
    };
    let key = key(&q.scope);
    let c = match catalogs.reconciled(&key, &q.scope.snapshots).await {
        Ok(c) => c,
        Err(e) => return failed("catalog.unavailable", e.to_string()),
    };
    let sizes_known = c.has(&q.from) && c.has(&q.to);
    if !sizes_known {
        for s in [&q.from, &q.to] {
            if !c.has(s) {
                let _ = start_indexing(settings, catalogs, cfg, &key, s).await;
            }
        }
    }
    let filter = q.filter.as_deref().map(str::to_lowercase).filter(|f| !f.is_empty());
    // Counted per kind after the text filter and before the kinds asked for, so a client
    // can show how many of each it would get; the kinds apply before `limit`, so a page of
    // removals is whole even when additions come first in path order.
    let mut by_change: BTreeMap<PathChange, u64> = BTreeMap::new();
    let mut matching: Vec<_> = d
        .changes
        .into_iter()
        .filter(|ch| filter.as_ref().is_none_or(|f| ch.path.to_lowercase().contains(f)))
        .map(|ch| (change_of(&ch.modifier), ch.path))
        .inspect(|(change, _)| *by_change.entry(*change).or_default() += 1)
        .filter(|(change, _)| q.changes.as_ref().is_none_or(|kinds| kinds.contains(change)))
        .collect();
    matching.sort_by(|a, b| a.1.cmp(&b.1));
    let total = matching.len() as u64;
    let changes = matching
        .into_iter()
        .take(q.limit as usize)
        .map(|(change, path)| {
            let (before, after) = (c.lookup(&q.from, &path), c.lookup(&q.to, &path));
            ChangedPath {
                change,
                kind: after.or(before).map(|m| m.kind.wire()),
                size_before: before.map(|m| m.size),
                size_after: after.map(|m| m.size),
                path,
            }
        })
        .collect();
    let totals = d.statistics.map(|s| DiffTotals {
        changed_files: s.changed_files,
        added_files: s.added.files,
        added_dirs: s.added.dirs,
        added_bytes: s.added.bytes,
        removed_files: s.removed.files,
        removed_dirs: s.removed.dirs,
        removed_bytes: s.removed.bytes,
    });
    Answer::Diff(DiffAnswer {
        truncated: total > u64::from(q.limit),
        changes,
        total,
        by_change: by_change
            .into_iter()
            .map(|(change, count)| ChangeCount { change, count })
            .collect(),
        totals,
        sizes_known,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

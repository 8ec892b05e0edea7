//! What a restore would do, without doing it: each path of the snapshot under the chosen
//! paths is held against what is at the target (the catalog's size and time against the
//! file's, by the same `decide` the restore uses), deletions counted where `delete_extra`
//! would make them, and the space needed against the space free. restic 0.14 has no
//! `restore --dry-run`; the catalog makes one unnecessary. For a restore on another host
//! the two halves run apart: the host with the catalog lists the entries, the restoring
//! host compares them with its files.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    sync::Arc,
    time::Instant,
};

use cairn_proto::{
    Answer, AskFailure, CatalogScope, EntryKind, IndexProgress, PreviewAction, PreviewPath,
    RepositoryConfig, RestoreArgs, RestoreCompareQuery, RestoreEntriesAnswer, RestoreEntriesQuery,
    RestoreEntry, RestorePreviewAnswer, RestorePreviewQuery, RestoreTarget,
};

use super::{
    fits, free_bytes,
    place::{Stamp, decide, under},
    staging_parent,
};
use crate::{
    browse,
    catalog::{Catalog, Kind, store::Catalogs},
    jobs::ResticSettings,
};

/// At most this many paths are listed (all are counted).
const LISTED: usize = 500;

fn failed(class: &str, message: String) -> Answer {
    Answer::Failed(AskFailure { error_class: class.to_string(), message })
}

/// The snapshot's catalog for the question, reconciled; `Err` is the answer to give
/// (indexing started, or why not; boxed, as an `Answer` is large).
async fn catalog_for(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    scope: &CatalogScope,
    hostname: &str,
    snapshot: &str,
    paths: &[String],
) -> Result<Arc<Catalog>, Result<IndexProgress, Box<Answer>>> {
    let key = crate::catalog::store::Key {
        repository: scope.repository_id,
        hostname: hostname.to_string(),
    };
    let c = catalogs
        .reconciled(&key, &scope.snapshots)
        .await
        .map_err(|e| Err(Box::new(failed("catalog.unavailable", e.to_string()))))?;
    if !c.has(snapshot) {
        return Err(browse::start_indexing(settings, catalogs, cfg, &key, snapshot)
            .await
            .map_err(Box::new));
    }
    if let Some(missing) = paths.iter().find(|p| *p != "/" && c.lookup(snapshot, p).is_none()) {
        return Err(Err(Box::new(failed(
            "restore.path_missing",
            format!("{missing} is not in this snapshot"),
        ))));
    }
    Ok(c)
}

/// What one answer may carry of entries (the server takes answers up to 1 MiB by
/// default): each costs its path plus about 64 bytes of JSON.
const ANSWER_BUDGET: usize = 700 * 1024;

/// The entries a restore of `paths` would write, from the catalog, at most `limit` of
/// them, with the count and bytes of all its files.
fn entries_of(c: &Catalog, snapshot: &str, paths: &[String], limit: usize) -> Listing {
    let mut out = Listing::default();
    let mut budget = ANSWER_BUDGET;
    c.walk(snapshot, paths, |path, m| {
        if m.kind != Kind::Dir {
            out.files += 1;
            out.bytes += m.size;
        }
        let cost = path.len() + 64;
        if out.truncated || out.entries.len() >= limit || cost > budget {
            out.truncated = true;
            return;
        }
        budget -= cost;
        out.entries.push(RestoreEntry {
            path: path.to_string(),
            kind: m.kind.wire(),
            size: m.size,
            mtime_ns: m.mtime_ns,
        });
    });
    out
}

#[derive(Default)]
struct Listing {
    entries: Vec<RestoreEntry>,
    truncated: bool,
    files: u64,
    bytes: u64,
}

/// A preview on the snapshot's own host (or one reading its repository).
pub async fn preview(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    q: &RestorePreviewQuery,
) -> Answer {
    let started = Instant::now();
    let a = &q.restore;
    let c = match catalog_for(
        settings,
        catalogs,
        cfg,
        &q.scope,
        &a.source_hostname,
        &a.snapshot_id,
        &a.paths,
    )
    .await
    {
        Ok(c) => c,
        Err(Ok(p)) => {
            return Answer::RestorePreview(RestorePreviewAnswer {
                indexing: Some(p),
                elapsed_ms: started.elapsed().as_millis() as u64,
                ..RestorePreviewAnswer::default()
            });
        }
        Err(Err(answer)) => return *answer,
    };
    let listing = entries_of(&c, &a.snapshot_id, &a.paths, usize::MAX);
    Answer::RestorePreview(compare(a, &listing.entries, started))
}

/// For a restore on another host: the entries it would write, for that host to compare.
pub async fn entries(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    q: &RestoreEntriesQuery,
) -> Answer {
    match catalog_for(
        settings,
        catalogs,
        cfg,
        &q.scope,
        &q.scope.hostname,
        &q.snapshot_id,
        &q.paths,
    )
    .await
    {
        Ok(c) => {
            let l = entries_of(&c, &q.snapshot_id, &q.paths, q.limit as usize);
            Answer::RestoreEntries(RestoreEntriesAnswer {
                indexing: None,
                entries: l.entries,
                truncated: l.truncated,
                files: l.files,
                bytes: l.bytes,
            })
        }
        Err(Ok(p)) => Answer::RestoreEntries(RestoreEntriesAnswer {
            indexing: Some(p),
            ..RestoreEntriesAnswer::default()
        }),
        Err(Err(answer)) => *answer,
    }
}

/// On the restoring host: what a restore of another host's snapshot would do here. With
/// only part of the entries, only a new (or empty) target can be told: everything there
/// is created.
pub fn compare_here(q: &RestoreCompareQuery) -> Answer {
    let started = Instant::now();
    if !q.truncated {
        return Answer::RestorePreview(compare(&q.restore, &q.entries, started));
    }
    if !is_fresh(&q.restore.target) {
        return failed(
            "restore.preview_too_large",
            format!(
                "The selection holds {} files, too many to compare with the files already in {} from another host: preview a narrower selection, or restore into a new empty directory",
                q.files,
                q.restore.target.root()
            ),
        );
    }
    let mut out = compare(&q.restore, &q.entries, started);
    out.create = q.files;
    out.bytes = q.bytes;
    out.fits = out.free_bytes.is_none_or(|f| fits(out.bytes, f));
    Answer::RestorePreview(out)
}

/// A new directory that does not exist (or is empty) is made whole: everything is new.
fn is_fresh(target: &RestoreTarget) -> bool {
    match target {
        RestoreTarget::NewPath(_) => {
            std::fs::read_dir(target.root()).map_or(true, |mut rd| rd.next().is_none())
        }
        RestoreTarget::Original(_) => false,
    }
}

/// What the restore `a` would do with `entries` at its target: each file held against
/// what is there by the same `decide` the restore uses, deletions counted where
/// `delete_extra` would make them, the bytes against the space free.
fn compare(a: &RestoreArgs, entries: &[RestoreEntry], started: Instant) -> RestorePreviewAnswer {
    let root = Path::new(a.target.root());
    let fresh = is_fresh(&a.target);
    let mut out = RestorePreviewAnswer::default();
    let mut listed: Vec<PreviewPath> = Vec::new();
    // Each directory's names in the snapshot, for what `delete_extra` would remove.
    let mut names: HashMap<&str, HashSet<&str>> = HashMap::new();
    for e in entries {
        if let Some((dir, name)) = e.path.rsplit_once('/') {
            names.entry(if dir.is_empty() { "/" } else { dir }).or_default().insert(name);
        }
        if e.kind == EntryKind::Dir {
            names.entry(e.path.as_str()).or_default();
            continue;
        }
        out.bytes += e.size;
        let dst = under(root, &e.path);
        let action = match (fresh, std::fs::symlink_metadata(&dst)) {
            (true, _) | (false, Err(_)) => PreviewAction::Create,
            (false, Ok(d)) if d.is_dir() => PreviewAction::Keep,
            (false, Ok(d)) => {
                let src = Stamp {
                    len: e.size,
                    mtime_ns: i128::from(e.mtime_ns),
                    symlink: e.kind == EntryKind::Symlink,
                };
                match decide(a.overwrite, src, Stamp::of(&d)) {
                    Ok(()) => PreviewAction::Overwrite,
                    Err(_) => PreviewAction::Keep,
                }
            }
        };
        match action {
            PreviewAction::Create => out.create += 1,
            PreviewAction::Overwrite => out.overwrite += 1,
            PreviewAction::Keep => out.keep += 1,
            PreviewAction::Delete => out.delete += 1,
        }
        listed.push(PreviewPath { path: dst.display().to_string(), action, size: e.size });
    }
    if a.delete_extra && !fresh {
        for e in entries.iter().filter(|e| e.kind == EntryKind::Dir) {
            let keep = names.get(e.path.as_str());
            let Ok(rd) = std::fs::read_dir(under(root, &e.path)) else { continue };
            for f in rd.flatten() {
                let name = f.file_name();
                if !keep.is_some_and(|k| k.contains(name.to_string_lossy().as_ref())) {
                    out.delete += 1;
                    let size = f.metadata().map_or(0, |m| m.len());
                    listed.push(PreviewPath {
                        path: f.path().display().to_string(),
                        action: PreviewAction::Delete,
                        size,
                    });
                }
            }
        }
    }
    // What a person should read first: what would be replaced or removed.
    listed.sort_by_key(|p| match p.action {
        PreviewAction::Overwrite => 0,
        PreviewAction::Delete => 1,
        PreviewAction::Create => 2,
        PreviewAction::Keep => 3,
    });
    listed.truncate(LISTED);
    out.paths = listed;
    out.free_bytes = free_bytes(&staging_parent(&a.target, &a.paths));
    out.fits = out.free_bytes.is_none_or(|f| fits(out.bytes, f));
    out.elapsed_ms = started.elapsed().as_millis() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_proto::{NewPathTarget, OverwritePolicy};

    fn query(target: &Path, truncated: bool) -> RestoreCompareQuery {
        let entry =
            |path: &str, kind, size| RestoreEntry { path: path.into(), kind, size, mtime_ns: 0 };
        RestoreCompareQuery {
            restore: RestoreArgs {
                snapshot_id: "0".repeat(64),
                source_hostname: "source".into(),
                paths: vec!["/srv".into()],
                excludes: vec![],
                target: RestoreTarget::NewPath(NewPathTarget {
                    path: target.display().to_string(),
                }),
                overwrite: OverwritePolicy::Always,
                delete_extra: false,
                verify: false,
                source_host_id: None,
            },
            entries: vec![entry("/srv", EntryKind::Dir, 0), entry("/srv/a", EntryKind::File, 10)],
            truncated,
            files: 7000,
            bytes: 70_000,
        }
    }

    #[test]
    fn a_partial_listing_previews_only_a_new_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let fresh = tmp.path().join("new");
        let Answer::RestorePreview(p) = compare_here(&query(&fresh, true)) else {
            panic!("a new directory is previewed from the totals")
        };
        assert_eq!((p.create, p.bytes, p.overwrite), (7000, 70_000, 0));

        let Answer::RestorePreview(p) = compare_here(&query(&fresh, false)) else {
            panic!("a whole listing is compared")
        };
        assert_eq!((p.create, p.bytes), (1, 10), "counted from the entries, not the totals");

        std::fs::create_dir_all(fresh.join("srv")).unwrap();
        std::fs::write(fresh.join("srv/a"), "old").unwrap();
        let Answer::Failed(f) = compare_here(&query(&fresh, true)) else {
            panic!("a directory with files cannot be told from part of the listing")
        };
        assert_eq!(f.error_class, "restore.preview_too_large");
        assert!(f.message.contains("7000 files"), "{}", f.message);
        let Answer::RestorePreview(p) = compare_here(&query(&fresh, false)) else {
            panic!("a whole listing is compared")
        };
        assert_eq!((p.create, p.overwrite), (0, 1));
    }
}

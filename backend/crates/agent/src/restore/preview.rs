//! What a restore would do, without doing it: each path of the snapshot under the chosen
//! paths is held against what is at the target (the catalog's size and time against the
//! file's, by the same `decide` the restore uses), deletions counted where `delete_extra`
//! would make them, and the space needed against the space free. restic 0.14 has no
//! `restore --dry-run`; the catalog makes one unnecessary.

use std::{collections::HashSet, path::Path, sync::Arc, time::Instant};

use cairn_proto::{
    Answer, AskFailure, PreviewAction, PreviewPath, RepositoryConfig, RestorePreviewAnswer,
    RestorePreviewQuery, RestoreTarget,
};

use super::{
    fits, free_bytes,
    place::{Stamp, decide, under},
    staging_parent,
};
use crate::{
    browse,
    catalog::{Kind, store::Catalogs},
    jobs::ResticSettings,
};

/// At most this many paths are listed (all are counted).
const LISTED: usize = 500;

fn failed(class: &str, message: String) -> Answer {
    Answer::Failed(AskFailure { error_class: class.to_string(), message })
}

pub async fn preview(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    cfg: &RepositoryConfig,
    q: &RestorePreviewQuery,
) -> Answer {
    let started = Instant::now();
    let a = &q.restore;
    let key = crate::catalog::store::Key {
        repository: q.scope.repository_id,
        hostname: a.source_hostname.clone(),
    };
    let c = match catalogs.reconciled(&key, &q.scope.snapshots).await {
        Ok(c) => c,
        Err(e) => return failed("catalog.unavailable", e.to_string()),
    };
    if !c.has(&a.snapshot_id) {
        return match browse::start_indexing(settings, catalogs, cfg, &key, &a.snapshot_id).await {
            Ok(p) => Answer::RestorePreview(RestorePreviewAnswer {
                indexing: Some(p),
                elapsed_ms: started.elapsed().as_millis() as u64,
                ..RestorePreviewAnswer::default()
            }),
            Err(answer) => answer,
        };
    }
    if let Some(missing) =
        a.paths.iter().find(|p| *p != "/" && c.lookup(&a.snapshot_id, p).is_none())
    {
        return failed("restore.path_missing", format!("{missing} is not in this snapshot"));
    }
    let root = Path::new(a.target.root());
    // A new directory that does not exist (or is empty) is made whole: everything is new.
    let fresh = match &a.target {
        RestoreTarget::NewPath(_) => {
            std::fs::read_dir(root).map_or(true, |mut rd| rd.next().is_none())
        }
        RestoreTarget::Original(_) => false,
    };
    let mut out = RestorePreviewAnswer::default();
    let mut listed: Vec<PreviewPath> = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    c.walk(&a.snapshot_id, &a.paths, |path, m| {
        if m.kind == Kind::Dir {
            dirs.push(path.to_string());
            return;
        }
        out.bytes += m.size;
        let dst = under(root, path);
        let action = match (fresh, std::fs::symlink_metadata(&dst)) {
            (true, _) | (false, Err(_)) => PreviewAction::Create,
            (false, Ok(d)) if d.is_dir() => PreviewAction::Keep,
            (false, Ok(d)) => {
                let src = Stamp {
                    len: m.size,
                    mtime_ns: i128::from(m.mtime_ns),
                    symlink: m.kind == Kind::Symlink,
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
        listed.push(PreviewPath { path: dst.display().to_string(), action, size: m.size });
    });
    if a.delete_extra && !fresh {
        for d in &dirs {
            let Some(names) = c.list(&a.snapshot_id, d) else { continue };
            let keep: HashSet<&str> = names.iter().map(|e| e.name.as_str()).collect();
            let Ok(rd) = std::fs::read_dir(under(root, d)) else { continue };
            for e in rd.flatten() {
                if !keep.contains(e.file_name().to_string_lossy().as_ref()) {
                    out.delete += 1;
                    let size = e.metadata().map_or(0, |m| m.len());
                    listed.push(PreviewPath {
                        path: e.path().display().to_string(),
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
    Answer::RestorePreview(out)
}

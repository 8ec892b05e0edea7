//! A restore drill: a random sample of files from a snapshot (the host's newest by
//! default) restored into a temporary directory with restic's `--verify`, each file then
//! held against the catalog (size, kind), the time taken reported as a sample of the time
//! to restore, and the directory deleted. Proof, on a schedule, that restores work.

use std::{path::PathBuf, time::Instant};

use cairn_proto::{DrillArgs, DrillReport, JobOutcome, JobResult, RestoreProblem};
use cairn_restic::{RestoreOptions, RunStatus};
use rand::seq::SliceRandom;

use super::{Staging, fits, free_bytes, human, place::under};
use crate::{
    catalog::{Kind, store::Key},
    events,
    journal::Entry,
    runner::Run,
};

impl Run<'_> {
    pub(crate) async fn drill(&self, d: &DrillArgs, entry: &mut Entry) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let snapshot = match &d.snapshot_id {
            Some(s) => s.clone(),
            None => match self.newest_snapshot().await {
                Some(s) => s,
                None => {
                    return self.refuse_drill(
                        "drill.no_snapshot",
                        "This host has no snapshot in the repository yet: back it up first.".into(),
                    );
                }
            },
        };
        let key = Key { repository: self.repository, hostname: self.host.clone() };
        if !self.ctx.catalogs.get(&key).is_ok_and(|c| c.has(&snapshot)) {
            self.note("reading the snapshot's paths first (restic ls), to pick the sample");
            if let Err(e) =
                self.ctx.catalogs.index_now(&key, &snapshot, self.restic, self.repo).await
            {
                return self.refuse_drill(
                    "restore.snapshot_unreadable",
                    format!("The snapshot's paths could not be read: {e}"),
                );
            }
        }
        let catalog = match self.ctx.catalogs.get(&key) {
            Ok(c) => c,
            Err(e) => return self.refuse_drill("restore.snapshot_unreadable", e.to_string()),
        };
        let mut files: Vec<(String, u64)> = Vec::new();
        catalog.walk(&snapshot, &["/".to_string()], |p, m| {
            if m.kind == Kind::File {
                files.push((p.to_string(), m.size));
            }
        });
        files.shuffle(&mut rand::rng());
        let (mut sample, mut bytes) = (Vec::new(), 0u64);
        for (p, size) in files {
            if sample.len() as u32 >= d.files.max(1) {
                break;
            }
            if bytes + size <= d.max_bytes {
                bytes += size;
                sample.push((p, size));
            }
        }
        if sample.is_empty() {
            return self.refuse_drill(
                "drill.nothing_to_restore",
                "The snapshot has no file small enough for the drill's byte limit.".into(),
            );
        }
        let short = &snapshot[..8.min(snapshot.len())];
        let base = std::env::temp_dir();
        if let Some(free) = free_bytes(&base)
            && !fits(bytes, free)
        {
            return self.refuse_drill(
                "restore.no_space",
                format!(
                    "The drill needs {} and {} has {} free.",
                    human(bytes),
                    base.display(),
                    human(free)
                ),
            );
        }
        let dir = Staging(base.join(format!("cairn-drill-{}", self.job.simple())));
        if let Err(e) = std::fs::create_dir(&dir.0) {
            return self.refuse_drill(
                "restore.bad_target",
                format!("Cannot create {}: {e}", dir.0.display()),
            );
        }
        self.journal_staging(entry, &dir.0);
        self.note(&format!(
            "restore drill: {} files ({}) sampled at random from snapshot {short}, restored into {} with --verify",
            sample.len(),
            human(bytes),
            dir.0.display()
        ));
        let opts = RestoreOptions {
            includes: sample.iter().map(|(p, _)| p.clone()).collect(),
            verify: true,
            ..RestoreOptions::new(snapshot.clone(), dir.0.clone())
        };
        let t0 = Instant::now();
        let outcome = match self
            .streamed(entry, |_| {}, |ctl| self.restic.restore(self.repo, &opts, ctl))
            .await
        {
            Ok(o) => o,
            Err(e) => return events::from_error(&e),
        };
        let restore_ms = t0.elapsed().as_millis() as u64;
        if outcome.status() == RunStatus::Cancelled {
            return events::run_result(
                &outcome,
                self.ctx.jobs.stop_reason(self.job),
                String::new(),
            );
        }
        let verified = outcome.status() == RunStatus::Succeeded;
        let mut mismatches = Vec::new();
        for (p, size) in &sample {
            let at: PathBuf = under(&dir.0, p);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.is_file() && m.len() == *size => {}
                Ok(m) => mismatches.push(RestoreProblem {
                    path: p.clone(),
                    reason: format!("restored as {} bytes, the snapshot has {size}", m.len()),
                }),
                Err(e) => mismatches
                    .push(RestoreProblem { path: p.clone(), reason: format!("not restored: {e}") }),
            }
        }
        drop(dir);
        let ok = verified && mismatches.is_empty();
        let message = if ok {
            format!(
                "Restore drill passed: {} files ({}) restored and verified in {:.1} s.",
                sample.len(),
                human(bytes),
                restore_ms as f64 / 1000.0
            )
        } else {
            format!(
                "Restore drill FAILED: {} of {} files did not match{}.",
                mismatches.len(),
                sample.len(),
                if verified { "" } else { "; restic's verification failed (see the log)" }
            )
        };
        self.note(&message);
        JobResult {
            outcome: if ok { JobOutcome::Succeeded } else { JobOutcome::Failed },
            exit_code: outcome.exit_code,
            error_class: (!ok).then(|| "drill.mismatch".to_string()),
            message: Some(message),
            drill: Some(DrillReport {
                snapshot_id: snapshot,
                files: sample.len() as u64,
                bytes,
                restore_ms,
                verified,
                mismatches,
            }),
            ..JobResult::default()
        }
    }

    fn refuse_drill(&self, class: &str, message: String) -> JobResult {
        self.note(&message);
        events::failed(class, &message)
    }

    /// The newest snapshot of this host in the repository, as restic lists it now.
    async fn newest_snapshot(&self) -> Option<String> {
        let filter = cairn_restic::SnapshotFilter::host(self.host.clone());
        let list = self.restic.snapshots(self.repo, &filter).await.ok()?;
        list.into_iter().max_by_key(|s| s.time).map(|s| s.id)
    }
}

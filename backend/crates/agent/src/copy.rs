//! A copy job on this host's agent: `restic copy` of snapshots into a mirror repository
//! from a source repository, both linked to this host, then both listed so the result
//! says what the mirror holds of its source and how far behind it is.

use std::time::Duration;

use cairn_proto::{CopyArgs, CopyReport, JobOutcome, JobResult, RepositoryConfig};
use cairn_restic::{Repo, Snapshot, SnapshotFilter};

use crate::{events, journal::Entry, runner::Run};

/// Listing a repository's snapshots is quick; a backend that hangs must not hold the job.
const LIST_TIMEOUT: Duration = Duration::from_secs(300);

impl Run<'_> {
    /// `self.repo` is the mirror (the job's repository); `source` the one copied from.
    pub(crate) async fn copy(
        &self,
        args: &CopyArgs,
        source: &RepositoryConfig,
        entry: &mut Entry,
    ) -> JobResult {
        self.ctx.emit(self.job, events::started(None));
        let from = crate::runner::repo(source);
        let scope =
            SnapshotFilter { host: args.host.clone(), tags: args.tags.clone(), paths: vec![] };
        self.note(&format!(
            "restic {} copy from {} ({}) to {}: {}",
            self.restic.version(),
            source.name,
            from.display_url(),
            self.repo.display_url(),
            describe_scope(&scope)
        ));
        let before = match self.both_lists(&from, &scope).await {
            Ok(lists) => lists,
            Err(r) => return *r,
        };
        let todo = cairn_restic::mirror_state(&before.0, &before.1).missing();
        self.note(&format!(
            "{todo} of {} snapshot(s) in scope are not in the mirror yet",
            before.0.len()
        ));
        let run = self
            .streamed(entry, |_| {}, |ctl| self.restic.copy(self.repo, &from, &scope, ctl))
            .await;
        let mut result = match run {
            Ok(o) => events::run_result(
                &o,
                self.ctx.jobs.stop_reason(self.job),
                "Copy finished.".to_owned(),
            ),
            Err(e) => return events::from_error(&e),
        };
        if result.outcome != JobOutcome::Succeeded {
            return result;
        }
        let (source_list, mirror_list) = match self.both_lists(&from, &scope).await {
            Ok(lists) => lists,
            Err(r) => return *r,
        };
        let after = cairn_restic::mirror_state(&source_list, &mirror_list);
        let copied = after.held.saturating_sub(before.0.len() - todo);
        result.message = Some(match after.missing() {
            0 => format!(
                "Copied {copied} snapshot(s); the mirror holds all {} in scope.",
                after.source
            ),
            n => format!(
                "Copied {copied} snapshot(s); {n} of {} in scope are still not in the mirror.",
                after.source
            ),
        });
        result.copy = Some(CopyReport {
            copied: copied as u32,
            source_snapshots: after.source as u32,
            missing: after.missing() as u32,
            source_newest: after.source_newest,
            copied_newest: after.copied_newest,
        });
        result
    }

    /// The source's snapshots in scope and every snapshot of the mirror; a failure ends
    /// the job with restic's error class.
    async fn both_lists(
        &self,
        from: &Repo,
        scope: &SnapshotFilter,
    ) -> Result<(Vec<Snapshot>, Vec<Snapshot>), Box<JobResult>> {
        let source = self.listed(from, scope).await?;
        let mirror = self.listed(self.repo, &SnapshotFilter::default()).await?;
        Ok((source, mirror))
    }

    async fn listed(
        &self,
        repo: &Repo,
        filter: &SnapshotFilter,
    ) -> Result<Vec<Snapshot>, Box<JobResult>> {
        let list = tokio::time::timeout(LIST_TIMEOUT, self.restic.snapshots(repo, filter));
        tokio::select! {
            r = list => match r {
                Ok(Ok(list)) => Ok(list),
                Ok(Err(e)) => Err(Box::new(events::from_error(&e))),
                Err(_) => Err(Box::new(events::failed(
                    "restic.network",
                    &format!(
                        "Listing the snapshots of {} gave no answer within {} s",
                        repo.display_url(),
                        LIST_TIMEOUT.as_secs()
                    ),
                ))),
            },
            () = self.cancel.cancelled() => Err(Box::new(self.stopped())),
        }
    }
}

fn describe_scope(f: &SnapshotFilter) -> String {
    match (&f.host, f.tags.is_empty()) {
        (None, true) => "every snapshot".to_owned(),
        (Some(h), true) => format!("snapshots of host {h}"),
        (None, false) => format!("snapshots tagged {}", f.tags.join(",")),
        (Some(h), false) => format!("snapshots of host {h} tagged {}", f.tags.join(",")),
    }
}

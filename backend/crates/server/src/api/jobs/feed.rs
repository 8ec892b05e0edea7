//! One viewer of a job's live feed (SSE): sends new log lines by seq, progress and status
//! changes, then `end`; waits on the job's hub `Notify`, registered before each read.

use std::{collections::VecDeque, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use uuid::Uuid;

use super::models::{FeedKind, JobFeedEvent, view};
use crate::{
    app::AppState,
    domain::jobs::{self as domain, JobStatus},
};

/// The state of one SSE viewer: what it has sent so far.
pub(super) struct Feed {
    pub state: AppState,
    pub notify: Arc<Notify>,
    pub job: Uuid,
    pub after: i64,
    pub names: (Option<String>, Option<String>),
    pub last_status: Option<(JobStatus, Option<DateTime<Utc>>)>,
    pub last_progress: Option<String>,
    pub pending: VecDeque<JobFeedEvent>,
    pub done: bool,
}

/// Lines read per round; a job with more is sent in several rounds without waiting.
const FEED_PAGE: u64 = 500;

impl Feed {
    pub async fn next(mut self) -> Option<(JobFeedEvent, Feed)> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some((e, self));
            }
            if self.done {
                return None;
            }
            // Registered before reading, so a change committed while we read still wakes us.
            let notify = self.notify.clone();
            let woken = notify.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let more = match self.round().await {
                Ok(more) => more,
                Err(e) => {
                    tracing::warn!(job = %self.job, "job feed ends: {e}");
                    return None;
                }
            };
            if self.pending.is_empty() && !more && !self.done {
                // Also re-read now and then: a replica's change does not reach this Notify.
                let _ = tokio::time::timeout(Duration::from_secs(5), woken).await;
            }
        }
    }

    /// Reads what is new; true when more lines are waiting right away.
    async fn round(&mut self) -> Result<bool, crate::domain::DomainError> {
        let lines = domain::logs_after(&self.state, self.job, self.after, FEED_PAGE).await?;
        let more = lines.len() as u64 == FEED_PAGE;
        for l in lines {
            self.after = l.seq;
            self.pending.push_back(JobFeedEvent {
                kind: FeedKind::Log,
                log: Some(l.into()),
                progress: None,
                job: None,
            });
        }
        let row = domain::get(&self.state, self.job).await?;
        if row.progress.is_some() && row.progress != self.last_progress {
            self.last_progress = row.progress.clone();
            if let Some(p) = row.progress.as_deref().and_then(|s| serde_json::from_str(s).ok()) {
                self.pending.push_back(JobFeedEvent {
                    kind: FeedKind::Progress,
                    log: None,
                    progress: Some(p),
                    job: None,
                });
            }
        }
        let status = row.status;
        let key = (status, row.finished_at);
        let ended = status.is_final();
        if self.last_status != Some(key) {
            self.last_status = Some(key);
            let (h, r) = self.names.clone();
            self.pending.push_back(JobFeedEvent {
                kind: FeedKind::Status,
                log: None,
                progress: None,
                job: Some(view(row, h, r)),
            });
        }
        // Lines of a finished job may still arrive (an agent's outbox after a restart of
        // the server), but every line is stored before the final event: when the job has
        // ended and no more lines wait, the feed is complete.
        if ended && !more {
            self.pending.push_back(JobFeedEvent {
                kind: FeedKind::End,
                log: None,
                progress: None,
                job: None,
            });
            self.done = true;
        }
        Ok(more)
    }
}

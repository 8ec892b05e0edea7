//! The uploader: a task of its own (the poll loop never waits for it) that sends the
//! outbox to the server in `seq` order, batch by batch, and forgets what the server
//! acknowledged. Unreachable server: events stay on disk and it retries with back-off,
//! cut short when a poll gets through again.

use std::{sync::Arc, time::Duration};

use uuid::Uuid;

use crate::{
    backoff::Backoff,
    client::{Client, ClientError},
    events::StopReason,
    identity::Identity,
    jobs::Ctx,
    outbox::Batch,
};

/// After being woken by new events, wait this long so a burst goes in one request.
const GATHER: Duration = Duration::from_millis(100);
/// The outbox is re-checked at least this often even without a wake-up (and fsync'd).
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// What one upload round achieved.
enum Round {
    /// Nothing was waiting.
    Idle,
    /// Something was sent (or dropped); look again at once.
    Progress,
    /// The server could not be reached or did not move: wait before trying again.
    Stalled,
}

pub async fn run(ctx: Arc<Ctx>, client: Client, id: Arc<Identity>, host: Uuid) {
    let mut backoff = Backoff::default();
    let mut failing = false;
    let mut sync_failing = false;
    loop {
        match ctx.outbox.sync_dirty(false) {
            Ok(()) if sync_failing => {
                tracing::info!("job events are synced to disk again");
                sync_failing = false;
            }
            Ok(()) => {}
            Err(e) if !sync_failing => {
                tracing::error!("cannot sync job events to disk (kept, retried): {e}");
                sync_failing = true;
            }
            Err(e) => tracing::debug!("cannot sync job events to disk: {e}"),
        }
        match round(&ctx, &client, &id, host, &mut failing).await {
            Round::Progress => backoff.reset(),
            Round::Idle => {
                backoff.reset();
                tokio::select! {
                    () = ctx.outbox.changed() => tokio::time::sleep(GATHER).await,
                    () = tokio::time::sleep(IDLE_CHECK) => {}
                }
            }
            Round::Stalled => {
                let wait = backoff.next_delay();
                tracing::debug!("event upload waits {:.1} s", wait.as_secs_f64());
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = ctx.reconnected.notified() => {}
                }
            }
        }
    }
}

/// One batch of each job with events waiting (so one busy job cannot starve the others).
async fn round(ctx: &Ctx, client: &Client, id: &Identity, host: Uuid, failing: &mut bool) -> Round {
    let jobs = ctx.outbox.pending();
    if jobs.is_empty() {
        return Round::Idle;
    }
    for job in jobs {
        let batch = match ctx.outbox.next_batch(job) {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(e) => {
                tracing::error!(job = %job, "cannot read the outbox: {e}");
                return Round::Stalled;
            }
        };
        match client.job_events(id, host, job, &batch.events).await {
            Ok(ack) => {
                if *failing {
                    tracing::info!("job events are being delivered again");
                    *failing = false;
                }
                if ack.cancel_requested && ctx.jobs.cancel(job, StopReason::Requested) {
                    tracing::info!(job = %job, "the server asks to cancel this job");
                }
                if !acked(ctx, &batch, ack.stored_through) {
                    return Round::Stalled;
                }
            }
            Err(ClientError::Refused(m)) => {
                // 404 job.not_found (deleted, or not this host's) or another final refusal:
                // resending can never succeed, and nobody will read a still running job.
                tracing::warn!(job = %job, "the server refused this job's events ({m}); dropping them");
                ctx.outbox.drop_job(job);
                ctx.jobs.cancel(job, StopReason::JobGone);
            }
            Err(e) => {
                if !*failing {
                    tracing::warn!("cannot deliver job events, keeping them on disk: {e}");
                    *failing = true;
                } else {
                    tracing::debug!("cannot deliver job events: {e}");
                }
                return Round::Stalled;
            }
        }
    }
    Round::Progress
}

fn acked(ctx: &Ctx, batch: &Batch, stored_through: u64) -> bool {
    if ctx.outbox.ack(batch, stored_through) {
        return true;
    }
    // The server stored nothing new: it is missing an earlier event we think it has, or
    // it is unwell. Retrying at once would spin.
    tracing::warn!(
        job = %batch.job,
        stored_through,
        sent_through = batch.last_seq(),
        "the server did not acknowledge the events sent"
    );
    false
}

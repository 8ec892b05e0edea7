//! The poll path's batched writer. Every poll writes a little (heartbeat, "delivered"
//! marks); one at a time those are thousands of tiny transactions on SQLite's single writer
//! path when the whole fleet wakes at once. Polls hand their writes to this task, which
//! drains everything queued and applies it in one transaction, then answers each caller.
//! With no contention a write goes alone, so a single poll waits no longer than before.

use cairn_proto::AgentFacts;
use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::store::{Store, StoreError, commands, hosts};

pub enum Op {
    Heartbeat {
        host: Uuid,
        facts: AgentFacts,
        ip: Option<String>,
        applied: i64,
        at: DateTime<Utc>,
    },
    /// Commands handed to an agent; `jobs` are the run-job ones (same ids as their jobs).
    Delivered {
        commands: Vec<Uuid>,
        jobs: Vec<Uuid>,
        at: DateTime<Utc>,
    },
}

type Job = (Op, oneshot::Sender<Result<(), String>>);

#[derive(Clone)]
pub struct PollWriter {
    tx: mpsc::UnboundedSender<Job>,
}

/// At most this many operations go into one transaction.
const MAX_BATCH: usize = 2000;

impl PollWriter {
    /// Starts the writer task (it ends when every handle is dropped).
    pub fn start(store: Store) -> PollWriter {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            let mut batch: Vec<Job> = Vec::new();
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let result = apply(&store, &batch).await.map_err(|e| e.to_string());
                if let Err(e) = &result {
                    tracing::error!(error = %e, ops = batch.len(), "batched poll write failed");
                }
                for (_, done) in batch.drain(..) {
                    let _ = done.send(result.clone());
                }
            }
        });
        PollWriter { tx }
    }

    /// Queues a write without waiting for its transaction. For "delivered" marks only: if
    /// the server dies before the flush, the command is simply delivered again from the
    /// database (at least once; command ids let the agent tell).
    pub fn submit_nowait(&self, op: Op) {
        let (done, _) = oneshot::channel();
        if self.tx.send((op, done)).is_err() {
            tracing::warn!("poll writer stopped; a delivered-mark was dropped");
        }
    }

    pub async fn submit(&self, op: Op) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        let stopped = || StoreError::Io(std::io::Error::other("poll writer stopped"));
        self.tx.send((op, done)).map_err(|_| stopped())?;
        wait.await.map_err(|_| stopped())?.map_err(|e| StoreError::Io(std::io::Error::other(e)))
    }
}

async fn apply(store: &Store, batch: &[Job]) -> Result<(), StoreError> {
    let txn = store.write().await?;
    let mut delivered: Vec<Uuid> = Vec::new();
    let mut dispatched: Vec<Uuid> = Vec::new();
    let mut delivered_at = None;
    for (op, _) in batch {
        match op {
            Op::Heartbeat { host, facts, ip, applied, at } => {
                hosts::record_poll(&*txn, *host, facts, ip.as_deref(), *applied, *at).await?;
            }
            Op::Delivered { commands, jobs, at } => {
                delivered.extend(commands);
                dispatched.extend(jobs);
                delivered_at = Some(*at);
            }
        }
    }
    if let Some(at) = delivered_at {
        for chunk in delivered.chunks(500) {
            commands::mark_delivered(&*txn, chunk, at).await?;
        }
        crate::store::jobs::mark_dispatched(&*txn, &dispatched, at).await?;
    }
    txn.commit().await
}

//! The configs of woken polls, built in batches: a fleet-wide change wakes every held poll
//! for new config, and one batch reads the rows of a few hundred hosts with a handful of
//! queries where each poll alone would make four.

use std::{collections::HashMap, sync::Mutex};

use cairn_proto::AgentConfig;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::{Domain, DomainError, agent_config::agent_configs, poll::host_deleted};
use crate::store::hosts;

/// Hosts per batch: at most as many as woken polls read at once (`poll::WAKE_READS`).
const BATCH: usize = 256;

type Reply = Result<Option<AgentConfig>, DomainError>;

struct Waiting {
    host: Uuid,
    applied: u64,
    reply: oneshot::Sender<Reply>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiting>,
    /// A task is draining the queue; it stops only once it found the queue empty under
    /// this lock, so nothing pushed meanwhile is left behind.
    draining: bool,
}

/// Where woken polls wait for their config. No task runs while nobody waits.
#[derive(Default)]
pub struct ConfigBatches {
    queue: Mutex<Queue>,
}

impl ConfigBatches {
    /// `host`'s config when newer than `applied` (`None` when not), built in a batch with
    /// the other polls waiting now. A host deleted meanwhile is `agent.revoked`.
    pub async fn newer_config(state: &Domain, host: Uuid, applied: u64) -> Reply {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut q = state.config_batches.queue.lock().unwrap_or_else(|e| e.into_inner());
            q.waiting.push(Waiting { host, applied, reply });
            !std::mem::replace(&mut q.draining, true)
        };
        if start {
            tokio::spawn(drain(state.clone()));
        }
        answer.await.map_err(|_| DomainError::Internal("config batch dropped".into()))?
    }
}

/// Builds batches until the queue is empty.
async fn drain(state: Domain) {
    let _reset = Reset(&state);
    loop {
        let batch: Vec<Waiting> = {
            let mut q = state.config_batches.queue.lock().unwrap_or_else(|e| e.into_inner());
            if q.waiting.is_empty() {
                q.draining = false;
                return;
            }
            let n = q.waiting.len().min(BATCH);
            q.waiting.drain(..n).collect()
        };
        answer(&state, batch).await;
    }
}

/// Should a batch panic, the polls still queued are let go (each connection is cut and its
/// agent retries) and the next woken poll starts a new drain: without this, `draining`
/// would stay set and no config would be built again.
struct Reset<'a>(&'a Domain);

impl Drop for Reset<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut q = self.0.config_batches.queue.lock().unwrap_or_else(|e| e.into_inner());
            q.waiting.clear();
            q.draining = false;
        }
    }
}

/// Reads the batch's host rows, builds the configs that are newer than their polls' and
/// hands each poll its answer.
async fn answer(state: &Domain, batch: Vec<Waiting>) {
    let ids: Vec<Uuid> = batch.iter().map(|w| w.host).collect();
    let rows = match hosts::find_many(state.store.db(), &ids).await {
        Ok(rows) => rows,
        Err(e) => return fail(batch, &DomainError::from(e)),
    };
    let versions: HashMap<Uuid, u64> =
        rows.iter().map(|h| (h.id, h.config_version as u64)).collect();
    let newer: Vec<_> = rows
        .into_iter()
        .filter(|h| batch.iter().any(|w| w.host == h.id && h.config_version as u64 > w.applied))
        .collect();
    let configs: HashMap<Uuid, AgentConfig> = match agent_configs(state, &newer).await {
        Ok(configs) => newer.iter().map(|h| h.id).zip(configs).collect(),
        Err(e) => return fail(batch, &e),
    };
    for w in batch {
        let reply = match versions.get(&w.host) {
            None => Err(host_deleted()),
            Some(v) if *v > w.applied => configs
                .get(&w.host)
                .cloned()
                .map(Some)
                .ok_or_else(|| DomainError::Internal("config not built".into())),
            Some(_) => Ok(None),
        };
        // A poll that went away meanwhile (its agent hung up) no longer listens.
        let _ = w.reply.send(reply);
    }
}

/// The whole batch fails alike (the database is unreachable, say): each poll's connection
/// is cut and its agent retries.
fn fail(batch: Vec<Waiting>, e: &DomainError) {
    for w in batch {
        let _ = w.reply.send(Err(DomainError::Internal(e.to_string())));
    }
}

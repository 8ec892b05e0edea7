//! The long-poll: a poll's start (heartbeat, then commands and newer config, from the hub's
//! mailbox or the database) and, with nothing to say, the held wait that ends at a wake-up
//! or the (jittered) deadline. Holds live in [`HeldPoll`], ten thousand at a time.

use crate::codes::Code;
use std::time::Duration as StdDuration;

use cairn_proto::{Action, AgentConfig, AgentFacts, Command, CommandKind, PollRequest, Refusal};
use chrono::{Duration, Utc};
use uuid::Uuid;

use super::{
    Domain, DomainError, agent_config,
    fleet::{self, check_facts, to_wire},
};
use crate::{
    auth::service::Client,
    hub::writer::Op,
    store::{
        commands,
        hosts::{self, HostRow},
    },
};
pub struct PollAnswer {
    pub commands: Vec<Command>,
    pub config: Option<AgentConfig>,
    /// A held poll whose host was deleted while it waited: its 200 head is out, so the
    /// refusal travels in the body.
    pub refused: Option<Refusal>,
}

impl PollAnswer {
    fn is_empty(&self) -> bool {
        self.commands.is_empty() && self.config.is_none()
    }
}

/// How a poll goes on after its start: answered at once, or held until a wake-up or the
/// timeout.
pub enum Poll {
    Now(PollAnswer),
    Held(HeldPoll),
}

/// Everything a held poll keeps while it waits, and nothing more: ten thousand of them are
/// alive at once, so this (and the future of [`HeldPoll::answer`]) stays a few hundred bytes.
pub struct HeldPoll {
    state: Domain,
    slot: std::sync::Arc<crate::hub::Slot>,
    me: u64,
    host: Uuid,
    applied: u64,
    deadline: tokio::time::Instant,
}

/// How many jobs one poll may name, running and unsent together.
const MAX_POLL_JOBS: usize = 10_000;

/// Agent configs built at once. A fleet-wide config change wakes every held poll together;
/// unbounded, 10,000 builds would each hold their rows and answer at the same moment.
static CONFIG_BUILDS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(64);

/// Woken polls that read the database at once. A fleet-wide config change wakes every held
/// poll with an empty mailbox; each read's state is several KB, so ten thousand of them
/// waiting together for a pool connection cost 100 MB (heap profile, docs/performance.md).
/// The permit is taken before the read's state is allocated.
static WAKE_READS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(256);

/// A poll as it arrives: the jobs the agent names are reconciled first (one it no longer
/// knows is marked lost before the poll can hand out new work), then the poll starts with
/// `agents.poll_timeout_secs`.
pub async fn start(
    state: &Domain,
    host: &HostRow,
    client: &Client,
    req: &PollRequest,
) -> Result<Poll, DomainError> {
    if req.running_jobs.len() + req.unsent_jobs.len() > MAX_POLL_JOBS {
        return Err(DomainError::invalid(
            Code::AgentTooManyJobs,
            format!("A poll may name at most {MAX_POLL_JOBS} jobs."),
            "running_jobs",
        ));
    }
    super::job_events::reconcile(state, host.id, &req.running_jobs, &req.unsent_jobs).await?;
    let timeout = StdDuration::from_secs(state.agents.poll_timeout_secs);
    poll(state, host, client, &req.facts, req.config_version, timeout).await
}

/// Records the heartbeat and checks for work; with none, the poll is to be held. Work is
/// checked before any waiting, so nothing queued between two polls is missed.
pub async fn poll(
    state: &Domain,
    host: &HostRow,
    client: &Client,
    facts: &AgentFacts,
    applied: u64,
    timeout: StdDuration,
) -> Result<Poll, DomainError> {
    check_facts(facts)?;
    // A zone this server cannot read is kept as none (schedules then use UTC), not refused.
    let zone = fleet::zone_of(facts);
    let now = Utc::now();
    let stale = host
        .last_seen_at
        .is_none_or(|t| now - t > Duration::seconds(crate::config::HEARTBEAT_SECS as i64));
    let changed = host.hostname != facts.hostname
        || host.agent_version != facts.agent_version
        || host.restic_version != facts.restic_version
        || host.os != facts.os
        || host.timezone != zone
        || host.applied_config_version != applied as i64
        || host.last_ip != client.ip;
    if stale || changed {
        state
            .poll_writer
            .submit(Op::Heartbeat {
                host: host.id,
                facts: AgentFacts { timezone: zone, ..facts.clone() },
                ip: client.ip.clone(),
                applied: applied as i64,
                at: now,
            })
            .await?;
    }
    let slot = state.hub.slot(host.id);
    // This poll is now the host's live one: an older one still held (its agent was killed
    // and restarted; the server cannot tell a dead socket) ends without taking anything.
    let me = slot.begin_poll();
    let deadline = tokio::time::Instant::now() + hold_for(timeout);
    // The database decides at the first poll and then once a minute (work queued while no
    // poll was held, before a restart, or on another replica); in between, everything this
    // process queued is in the mailbox, and a fleet re-polling at once costs no query. The
    // row authentication loaded moments ago is fresh: no second read of it.
    let answer = if slot.mailbox_is_enough() {
        let commands = slot.take();
        if !commands.is_empty() {
            // Like the database path: the job shows `dispatched` once the agent has it.
            state.poll_writer.submit(delivered(&commands, Vec::new())).await?;
        }
        let config = newer_config(state, host, applied).await?;
        PollAnswer { commands, config, refused: None }
    } else {
        let answer = pending_work(state, &slot, Some(host), host.id, applied).await?;
        slot.database_read();
        answer
    };
    slot.delivered(answer.commands.iter().map(|c| c.id));
    if !answer.is_empty() {
        return Ok(Poll::Now(answer));
    }
    Ok(Poll::Held(HeldPoll { state: state.clone(), slot, me, host: host.id, applied, deadline }))
}

/// How long a poll with nothing to say is held: the timeout, up to a tenth shorter at
/// random. A fleet answered at the same moment (a fleet-wide command, a server restart)
/// would otherwise time out and re-poll in step forever, every agent in the same instant.
fn hold_for(timeout: StdDuration) -> StdDuration {
    timeout.mul_f64(1.0 - rand::random::<f64>() / 10.0)
}

impl HeldPoll {
    /// Waits for a wake-up or the deadline. After a wake-up the mailbox usually has it all;
    /// the database is asked only when it is empty (woken for new config).
    pub async fn answer(self) -> Result<PollAnswer, DomainError> {
        let empty = || PollAnswer { commands: Vec::new(), config: None, refused: None };
        loop {
            tokio::select! {
                _ = self.slot.notify.notified() => {}
                _ = tokio::time::sleep_until(self.deadline) => return Ok(empty()),
            }
            if !self.slot.is_current(self.me) {
                return Ok(empty());
            }
            let commands = self.slot.take();
            let answer = if commands.is_empty() {
                if !self.slot.take_recheck() {
                    // The permit of a delivery this poll's start took already.
                    continue;
                }
                let _permit =
                    WAKE_READS.acquire().await.map_err(|e| DomainError::Internal(e.to_string()))?;
                // Boxed: the query's states are large, and this future is held per agent.
                match Box::pin(woken_read(&self.state, &self.slot, self.host, self.applied)).await {
                    Ok(answer) => answer,
                    // Deleted while held: the head (200) is out already, so the refusal
                    // a new poll would get as a 401 comes in the body.
                    Err(DomainError::Unauthenticated { code, message }) => {
                        let refused = Refusal { code: code.as_str().into(), message };
                        return Ok(PollAnswer { refused: Some(refused), ..empty() });
                    }
                    Err(e) => return Err(e),
                }
            } else {
                // Answering must not wait for the mark: a fleet-wide wake-up would queue
                // every answer behind one transaction.
                self.state.poll_writer.submit_nowait(delivered(&commands, Vec::new()));
                // A job made for a config newer than the agent's (a repository linked a
                // moment ago, a key rotation's new password) travels with that config: the
                // agent applies an answer's config before its commands. Boxed, like the
                // read above, so the held future does not carry the build's state.
                let config = if needs_newer_config(&commands, self.applied) {
                    Box::pin(config_for(&self.state, self.host, self.applied)).await?
                } else {
                    None
                };
                PollAnswer { commands, config, refused: None }
            };
            self.slot.delivered(answer.commands.iter().map(|c| c.id));
            if !answer.is_empty() {
                return Ok(answer);
            }
        }
    }
}

/// Whether a run command asks for a config newer than `applied`.
fn needs_newer_config(commands: &[Command], applied: u64) -> bool {
    commands
        .iter()
        .any(|c| matches!(&c.action, Action::RunJob(r) if r.job.config_version > applied))
}

/// The host's config when newer than `applied`, its row read first; none for a host
/// deleted meanwhile.
async fn config_for(
    state: &Domain,
    host: Uuid,
    applied: u64,
) -> Result<Option<AgentConfig>, DomainError> {
    match hosts::find(state.store.db(), host).await? {
        Some(h) => newer_config(state, &h, applied).await,
        None => Ok(None),
    }
}

/// The host's config when newer than the one the agent applied.
async fn newer_config(
    state: &Domain,
    h: &HostRow,
    applied: u64,
) -> Result<Option<AgentConfig>, DomainError> {
    if h.config_version as u64 > applied {
        let _permit =
            CONFIG_BUILDS.acquire().await.map_err(|e| DomainError::Internal(e.to_string()))?;
        Ok(Some(agent_config::agent_config(state, h).await?))
    } else {
        Ok(None)
    }
}

/// The poll writer's mark for commands handed out now; run-job commands' ids are their
/// jobs' ids too, and those jobs become `dispatched`.
/// `damaged` are rows that could not be sent: marked too, so they are not read (and
/// logged) again at every poll.
fn delivered(commands: &[Command], damaged: Vec<Uuid>) -> Op {
    let mut ids: Vec<Uuid> = commands.iter().map(|c| c.id).collect();
    ids.extend(damaged);
    Op::Delivered {
        commands: ids,
        jobs: commands.iter().filter(|c| c.kind() == CommandKind::RunJob).map(|c| c.id).collect(),
        at: Utc::now(),
    }
}

/// What a poll woken for a database read says: its config when newer than `applied`, and
/// the commands waiting in the database unless the mailbox is known to hold them all. With
/// the mailbox trusted, the config is built in a batch with the other woken polls'
/// (`config_batch`): a fleet-wide config change costs a few queries per few hundred hosts.
async fn woken_read(
    state: &Domain,
    slot: &crate::hub::Slot,
    host: Uuid,
    applied: u64,
) -> Result<PollAnswer, DomainError> {
    if !slot.mailbox_is_enough() {
        let answer = pending_work(state, slot, None, host, applied).await?;
        slot.database_read();
        return Ok(answer);
    }
    let config = super::config_batch::ConfigBatches::newer_config(state, host, applied).await?;
    Ok(PollAnswer { commands: Vec::new(), config, refused: None })
}

/// A held poll's host was deleted while it waited.
pub(super) fn host_deleted() -> DomainError {
    DomainError::unauthenticated(
        Code::AgentRevoked,
        "This host was deleted from Cairn; enroll it again.",
    )
}

/// Commands waiting for `host` and its config when newer than `applied`. `known` is a row
/// read in this request; without it (after a wake-up) the row is read again.
async fn pending_work(
    state: &Domain,
    slot: &crate::hub::Slot,
    known: Option<&HostRow>,
    host: Uuid,
    applied: u64,
) -> Result<PollAnswer, DomainError> {
    let db = state.store.db();
    let fetched;
    let h = match known {
        Some(h) => h,
        None => {
            fetched = hosts::find(db, host).await?.ok_or_else(host_deleted)?;
            &fetched
        }
    };
    let mut rows = commands::undelivered(db, host).await?;
    // Handed out from the mailbox moments ago, its delivered-mark still in flight.
    rows.retain(|r| !slot.was_delivered(r.id));
    let config = newer_config(state, h, applied).await?;
    let mut damaged = Vec::new();
    let commands: Vec<Command> = rows
        .iter()
        .filter_map(|r| {
            let wire = to_wire(r);
            if wire.is_none() {
                damaged.push(r.id);
            }
            wire
        })
        .collect();
    if !commands.is_empty() || !damaged.is_empty() {
        state.poll_writer.submit(delivered(&commands, damaged)).await?;
    }
    Ok(PollAnswer { commands, config, refused: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_are_spread_over_the_last_tenth_of_the_timeout() {
        let timeout = StdDuration::from_secs(25);
        let holds: Vec<_> = (0..1000).map(|_| hold_for(timeout)).collect();
        assert!(holds.iter().all(|h| *h <= timeout && *h >= timeout.mul_f64(0.9)), "{holds:?}");
        // Spread, not one value: the earliest and latest of a thousand lie seconds apart.
        let (min, max) = (holds.iter().min().unwrap(), holds.iter().max().unwrap());
        assert!(*max - *min > StdDuration::from_secs(2), "{min:?}..{max:?}");
    }
}

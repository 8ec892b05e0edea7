//! The fleet's rules once hosts exist: their tags, repository links and deletion, test
//! commands, and the poll (heartbeat + delivery of commands and newer config). Every
//! change is audited in the same transaction. Joining the fleet is in `enrollment`.

use std::time::Duration as StdDuration;

use base64::Engine;
use cairn_proto::{AgentConfig, AgentFacts, Command, CommandKind};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    DomainError,
    audit::{self, Actor, ActorKind, Event, Target},
    repositories,
};
use crate::{
    app::AppState,
    auth::service::Client,
    hub::{auth::decode_public_key, writer::Op},
    store::{
        commands::{self, CommandRow},
        hosts::{self, HostFilter, HostRow},
        repositories as repo_store,
    },
};

pub(super) fn host_target(h: &HostRow) -> Target {
    Target { kind: "host", id: h.id.to_string(), name: Some(h.hostname.clone()) }
}

pub fn agent_actor(host: Uuid, hostname: &str, client: &Client) -> Actor {
    Actor {
        kind: ActorKind::Agent,
        id: Some(host.to_string()),
        name: Some(hostname.to_string()),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
    }
}

/// Tags: 1–64 chars of letters, digits and `-_.:/=`, lower-cased, deduplicated, ≤ 32.
pub fn normalize_tags(tags: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().to_lowercase();
        let ok = !t.is_empty()
            && t.len() <= 64
            && t.chars().all(|c| c.is_alphanumeric() || "-_.:/=".contains(c));
        if !ok {
            return Err(DomainError::invalid(
                "host.invalid_tag",
                format!("Tag {t:?} is not valid: use 1–64 letters, digits or - _ . : / ="),
                "tags",
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > 32 {
        return Err(DomainError::invalid(
            "host.too_many_tags",
            "A host has at most 32 tags.",
            "tags",
        ));
    }
    out.sort();
    Ok(out)
}

pub fn tags_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(super) fn check_facts(f: &AgentFacts) -> Result<(), DomainError> {
    let short = |s: &str, max: usize| {
        !s.trim().is_empty() && s.len() <= max && !s.chars().any(char::is_control)
    };
    if !short(&f.hostname, 255)
        || !short(&f.os, 255)
        || !short(&f.arch, 64)
        || !short(&f.agent_version, 64)
        || f.restic_version.as_deref().is_some_and(|v| !short(v, 64))
    {
        return Err(DomainError::invalid(
            "agent.invalid_facts",
            "Agent facts (hostname, os, arch, versions) are missing or too long.",
            "facts",
        ));
    }
    Ok(())
}

pub(super) fn public_key(b64: &str) -> Result<(String, String), DomainError> {
    let key = decode_public_key(b64).ok_or_else(|| {
        DomainError::invalid(
            "agent.invalid_public_key",
            "public_key must be a base64 Ed25519 public key (32 bytes).",
            "public_key",
        )
    })?;
    let canonical = base64::engine::general_purpose::STANDARD.encode(key);
    Ok((canonical, cairn_proto::fingerprint(&key)))
}

pub fn is_online(h: &HostRow, offline_after: StdDuration, now: DateTime<Utc>) -> bool {
    // A heartbeat committed after `now` was taken is a negative age: online, not offline.
    h.last_seen_at.is_some_and(|t| (now - t).to_std().map_or(true, |age| age < offline_after))
}

// ---- hosts ------------------------------------------------------------------------------

pub async fn list_hosts(
    state: &AppState,
    filter: &HostFilter,
    limit: u64,
    offset: u64,
) -> Result<(Vec<HostRow>, u64), DomainError> {
    Ok(hosts::list(state.store.db(), filter, limit, offset).await?)
}

pub async fn get_host(state: &AppState, id: Uuid) -> Result<HostRow, DomainError> {
    hosts::find(state.store.db(), id).await?.ok_or(DomainError::NotFound { what: "host" })
}

pub async fn set_tags(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    tags: &[String],
) -> Result<HostRow, DomainError> {
    let tags = normalize_tags(tags)?;
    let txn = state.store.write().await?;
    let mut h = hosts::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let before = tags_of(&h.tags);
    h.tags = serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into());
    let h = hosts::save(&*txn, h).await?;
    audit::record(
        &*txn,
        actor,
        Event::success("host.update", Some(host_target(&h)), json!({ "tags": [before, tags] })),
    )
    .await?;
    txn.commit().await?;
    Ok(h)
}

/// Deletes a host: its key stops working on the agent's very next request.
pub async fn delete_host(state: &AppState, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let h = hosts::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    hosts::delete(&*txn, id).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "host.delete",
            Some(host_target(&h)),
            json!({ "fingerprint": h.fingerprint }),
        ),
    )
    .await?;
    txn.commit().await?;
    state.hub.forget(id);
    Ok(())
}

/// Links exactly these repositories to the host; the agent gets the new config.
pub async fn set_repositories(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    repos: &[Uuid],
) -> Result<HostRow, DomainError> {
    let txn = state.store.write().await?;
    let h = hosts::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let found = repo_store::find_many(&*txn, repos).await?;
    if found.len() != repos.iter().collect::<std::collections::BTreeSet<_>>().len() {
        return Err(DomainError::invalid(
            "host.unknown_repository",
            "One of the repositories does not exist.",
            "repository_ids",
        ));
    }
    let current = hosts::linked_repositories(&*txn, id).await?;
    let now = Utc::now();
    for r in repos.iter().filter(|r| !current.contains(r)) {
        hosts::link(&*txn, id, *r, now).await?;
    }
    for r in current.iter().filter(|r| !repos.contains(r)) {
        hosts::unlink(&*txn, id, *r).await?;
    }
    hosts::bump_config(&*txn, &[id]).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "host.repositories",
            Some(host_target(&h)),
            json!({ "repositories": found.iter().map(|r| &r.name).collect::<Vec<_>>() }),
        ),
    )
    .await?;
    txn.commit().await?;
    state.hub.wake(id);
    get_host(state, id).await
}

/// Queues a `ping` for the host's agent and wakes its poll.
pub async fn ping(state: &AppState, actor: &Actor, id: Uuid) -> Result<CommandRow, DomainError> {
    let txn = state.store.write().await?;
    let h = hosts::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let cmd = commands::enqueue(
        &*txn,
        CommandRow {
            id: Uuid::now_v7(),
            host_id: id,
            kind: "ping".into(),
            payload: "{}".into(),
            created_by: actor.name.clone(),
            created_at: Utc::now(),
            delivered_at: None,
        },
    )
    .await?;
    audit::record(
        &*txn,
        actor,
        Event::success("host.ping", Some(host_target(&h)), json!({ "command_id": cmd.id })),
    )
    .await?;
    txn.commit().await?;
    state.hub.deliver(id, vec![to_wire(&cmd)]);
    Ok(cmd)
}

/// Queues a `ping` for every host (with `tag`, when given) in one transaction and wakes
/// them all: a fleet-wide connectivity check. Returns how many were queued.
pub async fn ping_all(
    state: &AppState,
    actor: &Actor,
    tag: Option<String>,
) -> Result<u64, DomainError> {
    let filter = HostFilter { tag: tag.clone(), ..Default::default() };
    let txn = state.store.write().await?;
    let (rows, _) = hosts::list(&*txn, &filter, u64::MAX >> 1, 0).await?;
    let now = Utc::now();
    let cmds: Vec<CommandRow> = rows
        .iter()
        .map(|h| CommandRow {
            id: Uuid::now_v7(),
            host_id: h.id,
            kind: "ping".into(),
            payload: "{}".into(),
            created_by: actor.name.clone(),
            created_at: now,
            delivered_at: None,
        })
        .collect();
    commands::enqueue_many(&*txn, cmds.clone()).await?;
    audit::record(
        &*txn,
        actor,
        Event::success("host.ping_all", None, json!({ "tag": tag, "hosts": rows.len() })),
    )
    .await?;
    txn.commit().await?;
    for c in &cmds {
        state.hub.deliver(c.host_id, vec![to_wire(c)]);
    }
    Ok(rows.len() as u64)
}

// ---- the poll ---------------------------------------------------------------------------

pub struct PollAnswer {
    pub commands: Vec<Command>,
    pub config: Option<AgentConfig>,
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
    state: AppState,
    slot: std::sync::Arc<crate::hub::Slot>,
    me: u64,
    host: Uuid,
    applied: u64,
    deadline: tokio::time::Instant,
}

/// Records the heartbeat and checks for work; with none, the poll is to be held. Work is
/// checked before any waiting, so nothing queued between two polls is missed.
pub async fn poll(
    state: &AppState,
    host: &HostRow,
    client: &Client,
    facts: &AgentFacts,
    applied: u64,
    timeout: StdDuration,
) -> Result<Poll, DomainError> {
    check_facts(facts)?;
    let now = Utc::now();
    let stale = host.last_seen_at.is_none_or(|t| now - t > Duration::seconds(15));
    let changed = host.hostname != facts.hostname
        || host.agent_version != facts.agent_version
        || host.restic_version != facts.restic_version
        || host.os != facts.os
        || host.applied_config_version != applied as i64
        || host.last_ip != client.ip;
    if stale || changed {
        state
            .poll_writer
            .submit(Op::Heartbeat {
                host: host.id,
                facts: facts.clone(),
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
    let deadline = tokio::time::Instant::now() + timeout;
    // The database decides at the first poll and then once a minute (work queued while no
    // poll was held, before a restart, or on another replica); in between, everything this
    // process queued is in the mailbox, and a fleet re-polling at once costs no query. The
    // row authentication loaded moments ago is fresh: no second read of it.
    let answer = if slot.mailbox_is_enough() {
        let commands = slot.take();
        if !commands.is_empty() {
            // Like the database path: the job shows `dispatched` once the agent has it.
            state.poll_writer.submit(delivered(&commands)).await?;
        }
        let config = newer_config(state, host, applied).await?;
        PollAnswer { commands, config }
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

impl HeldPoll {
    /// Waits for a wake-up or the deadline. After a wake-up the mailbox usually has it all;
    /// the database is asked only when it is empty (woken for new config).
    pub async fn answer(self) -> Result<PollAnswer, DomainError> {
        let empty = || PollAnswer { commands: Vec::new(), config: None };
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
                // Boxed: the query's states are large, and this future is held per agent.
                match Box::pin(pending_work(&self.state, &self.slot, None, self.host, self.applied))
                    .await
                {
                    Ok(answer) => answer,
                    // Deleted while held: the head (200) is out already, so the agent gets
                    // an empty answer and its next poll the 401 that tells it why.
                    Err(DomainError::Unauthenticated { .. }) => return Ok(empty()),
                    Err(e) => return Err(e),
                }
            } else {
                // Answering must not wait for the mark: a fleet-wide wake-up would queue
                // every answer behind one transaction.
                self.state.poll_writer.submit_nowait(delivered(&commands));
                PollAnswer { commands, config: None }
            };
            self.slot.delivered(answer.commands.iter().map(|c| c.id));
            if !answer.is_empty() {
                return Ok(answer);
            }
        }
    }
}

/// The host's config when newer than the one the agent applied.
async fn newer_config(
    state: &AppState,
    h: &HostRow,
    applied: u64,
) -> Result<Option<AgentConfig>, DomainError> {
    if h.config_version as u64 > applied {
        Ok(Some(repositories::agent_config(state, h).await?))
    } else {
        Ok(None)
    }
}

/// The poll writer's mark for commands handed out now; run-job commands' ids are their
/// jobs' ids too, and those jobs become `dispatched`.
fn delivered(commands: &[Command]) -> Op {
    Op::Delivered {
        commands: commands.iter().map(|c| c.id).collect(),
        jobs: commands.iter().filter(|c| c.kind == CommandKind::RunJob).map(|c| c.id).collect(),
        at: Utc::now(),
    }
}

/// A queued command as the agent receives it. The payload was written by this server, so
/// one that does not parse is a bug: it goes out as a ping (harmless) and is logged.
pub(crate) fn to_wire(r: &CommandRow) -> Command {
    let mut c = Command {
        id: r.id,
        kind: CommandKind::Ping,
        created_at: r.created_at,
        job: None,
        job_id: None,
    };
    match r.kind.as_str() {
        "run_job" => match serde_json::from_str(&r.payload) {
            Ok(spec) => {
                c.kind = CommandKind::RunJob;
                c.job = Some(spec);
            }
            Err(e) => tracing::error!(command = %r.id, "run_job payload does not parse: {e}"),
        },
        "cancel_job" => match serde_json::from_str::<serde_json::Value>(&r.payload)
            .ok()
            .and_then(|v| v["job_id"].as_str().and_then(|s| s.parse().ok()))
        {
            Some(job) => {
                c.kind = CommandKind::CancelJob;
                c.job_id = Some(job);
            }
            None => tracing::error!(command = %r.id, "cancel_job payload does not parse"),
        },
        _ => {}
    }
    c
}

/// Commands waiting for `host` and its config when newer than `applied`. `known` is a row
/// read in this request; without it (after a wake-up) the row is read again.
async fn pending_work(
    state: &AppState,
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
            fetched = hosts::find(db, host).await?.ok_or_else(|| {
                DomainError::unauthenticated(
                    "agent.revoked",
                    "This host was deleted from Cairn; enroll it again.",
                )
            })?;
            &fetched
        }
    };
    let mut rows = commands::undelivered(db, host).await?;
    // Handed out from the mailbox moments ago, its delivered-mark still in flight.
    rows.retain(|r| !slot.was_delivered(r.id));
    let config = newer_config(state, h, applied).await?;
    let commands: Vec<Command> = rows.iter().map(to_wire).collect();
    if !commands.is_empty() {
        state.poll_writer.submit(delivered(&commands)).await?;
    }
    Ok(PollAnswer { commands, config })
}

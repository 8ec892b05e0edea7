//! The fleet's rules once hosts exist: their tags, repository links and deletion, and test
//! commands. Every change is audited in the same transaction. Joining the fleet is in
//! `enrollment`; the long-poll is in `poll`.

use crate::codes::Code;
use std::time::Duration as StdDuration;

use base64::Engine;
use cairn_proto::{Action, AgentFacts, Command, Ping};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::{self, Actor, ActorKind, Event, Target},
    page::{self, Page},
};
use crate::{
    auth::service::Client,
    hub::auth::decode_public_key,
    store::{
        commands::{self, CommandRow},
        hosts::{self, HostFilter, HostRow},
        repositories as repo_store, schedules as schedule_store,
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

/// Tags: 1–64 of ASCII letters, digits and `-_.:/=`, lower-cased, deduplicated, ≤ 32.
pub fn normalize_tags(tags: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().to_lowercase();
        let ok = !t.is_empty()
            && t.len() <= 64
            && t.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/=".contains(c));
        if !ok {
            return Err(DomainError::invalid(
                Code::HostInvalidTag,
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
            Code::HostTooManyTags,
            "A host has at most 32 tags.",
            "tags",
        ));
    }
    out.sort();
    Ok(out)
}

/// The zone an agent reported, when it is an IANA zone this server knows.
pub fn zone_of(f: &AgentFacts) -> Option<String> {
    f.timezone.as_deref().filter(|z| cairn_schedule::zone(z).is_ok()).map(str::to_string)
}

/// Whether version `a` is older than `b` (dotted numbers; a pre-release suffix is
/// ignored, so `0.1.0` is older than `0.1.1-dev`).
pub fn version_older(a: &str, b: &str) -> bool {
    let parse =
        |v: &str| -> Vec<u64> { v.split(['.', '-', '+']).map_while(|p| p.parse().ok()).collect() };
    parse(a) < parse(b)
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
            Code::AgentInvalidFacts,
            "Agent facts (hostname, os, arch, versions) are missing or too long.",
            "facts",
        ));
    }
    Ok(())
}

pub(super) fn public_key(b64: &str) -> Result<(String, String), DomainError> {
    let key = decode_public_key(b64).ok_or_else(|| {
        DomainError::invalid(
            Code::AgentInvalidPublicKey,
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

/// One page of hosts by hostname; the count (up to [`page::TOTAL_CAP`]) only when asked.
pub async fn list_hosts(
    state: &Domain,
    filter: &HostFilter,
    cursor: Option<&str>,
    limit: u64,
    with_total: bool,
) -> Result<Page<HostRow>, DomainError> {
    let after = page::decode::<hosts::HostKey>(cursor)?;
    let db = state.store.db();
    let rows = hosts::list(db, filter, after.as_ref(), limit + 1).await?;
    let total =
        page::total_if_asked(with_total, |cap| hosts::count_matching(db, filter, cap)).await?;
    Ok(page::cut(rows, limit, |h| (h.hostname.clone(), h.id), total))
}

pub async fn get_host(state: &Domain, id: Uuid) -> Result<HostRow, DomainError> {
    hosts::find(state.store.db(), id).await?.ok_or(DomainError::NotFound { what: "host" })
}

pub async fn set_tags(
    state: &Domain,
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
pub async fn delete_host(state: &Domain, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    let h = hosts::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    hosts::delete(&*txn, id).await?;
    super::alerts::on_host_deleted(&*txn, id).await?;
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
    state: &Domain,
    actor: &Actor,
    id: Uuid,
    repos: &[Uuid],
) -> Result<HostRow, DomainError> {
    let txn = state.store.write().await?;
    let h = hosts::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let found = repo_store::find_many(&*txn, repos).await?;
    if found.len() != repos.iter().collect::<std::collections::BTreeSet<_>>().len() {
        return Err(DomainError::invalid(
            Code::HostUnknownRepository,
            "One of the repositories does not exist.",
            "repository_ids",
        ));
    }
    let current = hosts::linked_repositories(&*txn, id).await?;
    // A schedule backs up to a linked repository: unlinking one under a schedule would
    // leave the agent a schedule it cannot run, so the schedule goes (or moves) first.
    let unlinked: Vec<Uuid> = current.iter().filter(|r| !repos.contains(r)).copied().collect();
    let stranded: Vec<String> = schedule_store::list_for_host(&*txn, id)
        .await?
        .into_iter()
        .filter(|s| {
            unlinked.contains(&s.repository_id) || s.copy_to.is_some_and(|m| unlinked.contains(&m))
        })
        .map(|s| s.name)
        .collect();
    if !stranded.is_empty() {
        return Err(DomainError::Conflict {
            code: Code::HostRepositoryHasSchedules,
            message: format!(
                "Schedule(s) {} back up or copy to a repository you are unlinking; delete \
                 them or point them at another repository first.",
                stranded.join(", ")
            ),
            details: json!({ "schedules": stranded }),
        });
    }
    let now = Utc::now();
    for r in repos.iter().filter(|r| !current.contains(r)) {
        hosts::link(&*txn, id, *r, now).await?;
    }
    for r in current.iter().filter(|r| !repos.contains(r)) {
        hosts::unlink(&*txn, id, *r).await?;
        // A drill samples a linked repository: one on a repository going away goes too.
        crate::store::drill_schedules::delete_on(&*txn, id, *r).await?;
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
pub async fn ping(state: &Domain, actor: &Actor, id: Uuid) -> Result<CommandRow, DomainError> {
    let txn = state.store.write().await?;
    let h = hosts::find(&*txn, id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let cmd = command(Uuid::now_v7(), Action::Ping(Ping {}), Utc::now());
    let row = commands::enqueue(&*txn, command_row(&cmd, id, actor)?).await?;
    audit::record(
        &*txn,
        actor,
        Event::success("host.ping", Some(host_target(&h)), json!({ "command_id": cmd.id })),
    )
    .await?;
    txn.commit().await?;
    state.hub.deliver(id, vec![cmd]);
    Ok(row)
}

/// Queues a `ping` for every host (with `tag`, when given) in one transaction and wakes
/// them all: a fleet-wide connectivity check. Returns how many were queued.
pub async fn ping_all(
    state: &Domain,
    actor: &Actor,
    tag: Option<String>,
) -> Result<u64, DomainError> {
    let filter = HostFilter { tag: tag.clone(), ..Default::default() };
    let txn = state.store.write().await?;
    let hosts = hosts::ids(&*txn, &filter).await?;
    let now = Utc::now();
    let cmds: Vec<(Uuid, Command)> = hosts
        .iter()
        .map(|&host_id| (host_id, command(Uuid::now_v7(), Action::Ping(Ping {}), now)))
        .collect();
    let rows = cmds
        .iter()
        .map(|(host_id, c)| command_row(c, *host_id, actor))
        .collect::<Result<Vec<_>, _>>()?;
    commands::enqueue_many(&*txn, &rows).await?;
    audit::record(
        &*txn,
        actor,
        Event::success("host.ping_all", None, json!({ "tag": tag, "hosts": hosts.len() })),
    )
    .await?;
    txn.commit().await?;
    for (host_id, c) in cmds {
        state.hub.deliver(host_id, vec![c]);
    }
    Ok(hosts.len() as u64)
}

/// A command made now.
pub(crate) fn command(id: Uuid, action: Action, now: DateTime<Utc>) -> Command {
    Command { id, created_at: now, action }
}

/// The queue row of a command for `host`: its kind, and its action as JSON.
pub(crate) fn command_row(
    cmd: &Command,
    host: Uuid,
    actor: &Actor,
) -> Result<CommandRow, DomainError> {
    Ok(CommandRow {
        id: cmd.id,
        host_id: host,
        kind: cmd.kind(),
        payload: serde_json::to_string(&cmd.action)
            .map_err(|e| DomainError::Internal(e.to_string()))?,
        created_by: actor.name.clone(),
        created_at: cmd.created_at,
        delivered_at: None,
    })
}

/// A queued command as the agent receives it. The payload was written by this server, so
/// one that does not decode (or whose kind is not its column's) is damaged: it is logged
/// as an error and left out, never sent as something else.
pub(crate) fn to_wire(r: &CommandRow) -> Option<Command> {
    match serde_json::from_str::<Action>(&r.payload) {
        Ok(action) if action.kind() == r.kind => {
            Some(Command { id: r.id, created_at: r.created_at, action })
        }
        Ok(action) => {
            tracing::error!(command = %r.id, kind = ?r.kind, payload_kind = ?action.kind(), "a queued command's payload is of another kind; not sent");
            None
        }
        Err(e) => {
            tracing::error!(command = %r.id, kind = ?r.kind, "a queued command's payload does not decode; not sent: {e}");
            None
        }
    }
}

/// The repositories linked to one host.
pub async fn linked_repositories(state: &Domain, host: Uuid) -> Result<Vec<Uuid>, DomainError> {
    Ok(hosts::linked_repositories(state.store.db(), host).await?)
}

/// The (host, repository) links of a page of hosts, in one query.
pub async fn links_for_hosts(
    state: &Domain,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, DomainError> {
    Ok(hosts::links_for_hosts(state.store.db(), ids).await?)
}

/// The host `id`, if it exists (an agent's signature is checked against its key).
pub async fn find_host(state: &Domain, id: Uuid) -> Result<Option<HostRow>, DomainError> {
    Ok(hosts::find(state.store.db(), id).await?)
}

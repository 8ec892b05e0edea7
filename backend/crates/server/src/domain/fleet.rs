//! The fleet's rules: enrollment with one-time tokens, announce-and-approve, hosts and
//! their tags, and the poll (heartbeat + delivery of commands and newer config). Every
//! change is audited in the same transaction.

use std::time::Duration as StdDuration;

use base64::Engine;
use cairn_proto::{AgentConfig, AgentFacts, AnnounceState, Command, CommandKind};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    DomainError,
    audit::{self, Actor, ActorKind, Event, Outcome, Target},
    repositories,
};
use crate::{
    app::AppState,
    auth::{keys, service::Client},
    hub::{auth::decode_public_key, writer::Op},
    store::{
        commands::{self, CommandRow},
        enrollment::{self, EnrollmentTokenRow, PendingHostRow},
        hosts::{self, HostFilter, HostRow},
        repositories as repo_store,
    },
};

pub const ENROLL_TOKEN_PREFIX: &str = "cairn_enroll_";

fn host_target(h: &HostRow) -> Target {
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

fn check_facts(f: &AgentFacts) -> Result<(), DomainError> {
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

fn public_key(b64: &str) -> Result<(String, String), DomainError> {
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
    h.last_seen_at.is_some_and(|t| (now - t).to_std().is_ok_and(|age| age < offline_after))
}

// ---- enrollment tokens ----------------------------------------------------------------

pub async fn create_enrollment_token(
    state: &AppState,
    actor: &Actor,
    ttl_secs: Option<u64>,
    tags: &[String],
    repository: Option<Uuid>,
) -> Result<(EnrollmentTokenRow, String), DomainError> {
    let ttl = ttl_secs.unwrap_or(state.config.agents.enrollment_token_ttl_secs);
    if !(60..=30 * 24 * 3600).contains(&ttl) {
        return Err(DomainError::invalid(
            "enrollment.invalid_ttl",
            "A token lives between 1 minute and 30 days.",
            "ttl_secs",
        ));
    }
    let tags = normalize_tags(tags)?;
    let txn = state.store.write().await?;
    if let Some(r) = repository {
        repo_store::find(&*txn, r).await?.ok_or_else(|| {
            DomainError::invalid(
                "enrollment.unknown_repository",
                "The initial repository does not exist.",
                "repository_id",
            )
        })?;
    }
    let secret = format!("{ENROLL_TOKEN_PREFIX}{}", keys::random_secret());
    let now = Utc::now();
    let row = EnrollmentTokenRow {
        id: Uuid::now_v7(),
        token_hash: keys::token_hash(&secret),
        created_by: actor.name.clone(),
        created_at: now,
        expires_at: now + Duration::seconds(ttl as i64),
        used_at: None,
        host_id: None,
        tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()),
        repository_id: repository,
    };
    let row = enrollment::insert_token(&*txn, row).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "enrollment_token.create",
            Some(Target { kind: "enrollment_token", id: row.id.to_string(), name: None }),
            json!({ "expires_at": row.expires_at, "tags": tags, "repository_id": repository }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok((row, secret))
}

pub async fn list_enrollment_tokens(
    state: &AppState,
) -> Result<Vec<EnrollmentTokenRow>, DomainError> {
    Ok(enrollment::list_open_tokens(state.store.db(), Utc::now()).await?)
}

pub async fn delete_enrollment_token(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<(), DomainError> {
    let txn = state.store.write().await?;
    if !enrollment::delete_token(&*txn, id).await? {
        return Err(DomainError::NotFound { what: "enrollment token" });
    }
    audit::record(
        &*txn,
        actor,
        Event::success(
            "enrollment_token.delete",
            Some(Target { kind: "enrollment_token", id: id.to_string(), name: None }),
            json!({}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Token enrollment: the token is consumed and the agent's key becomes a host.
pub async fn enroll(
    state: &AppState,
    client: &Client,
    token: &str,
    public_key_b64: &str,
    facts: AgentFacts,
) -> Result<HostRow, DomainError> {
    check_facts(&facts)?;
    let (key, fingerprint) = public_key(public_key_b64)?;
    let refuse = |code: &'static str, message: &str, reason: &'static str| {
        let actor = client.anonymous_actor(Some(facts.hostname.clone()));
        let message = message.to_string();
        async move {
            audit::record_alone(
                &state.store,
                &actor,
                Event {
                    action: "host.enroll",
                    target: None,
                    outcome: Outcome::Denied,
                    details: json!({ "reason": reason }),
                },
            )
            .await;
            DomainError::unauthenticated(code, message)
        }
    };
    let txn = state.store.write().await?;
    let now = Utc::now();
    let Some(tok) = enrollment::find_token_by_hash(&*txn, &keys::token_hash(token.trim())).await?
    else {
        drop(txn);
        return Err(refuse(
            "enroll.invalid_token",
            "This enrollment token is not valid. Create a new one in Cairn (Hosts → Add host).",
            "unknown token",
        )
        .await);
    };
    if tok.used_at.is_some() {
        drop(txn);
        return Err(refuse(
            "enroll.token_used",
            "This enrollment token was already used. Create a new one in Cairn (Hosts → Add host).",
            "token already used",
        )
        .await);
    }
    if tok.expires_at <= now {
        drop(txn);
        return Err(refuse(
            "enroll.token_expired",
            "This enrollment token has expired. Create a new one in Cairn (Hosts → Add host).",
            "token expired",
        )
        .await);
    }
    if hosts::find_by_public_key(&*txn, &key).await?.is_some() {
        return Err(DomainError::conflict(
            "enroll.key_in_use",
            "This agent key already belongs to a host.",
        ));
    }
    let row = HostRow {
        id: Uuid::now_v7(),
        hostname: facts.hostname.trim().to_string(),
        os: facts.os,
        arch: facts.arch,
        agent_version: facts.agent_version,
        restic_version: facts.restic_version,
        public_key: key,
        fingerprint,
        tags: tok.tags.clone(),
        enrolled_via: "token".into(),
        created_at: now,
        last_seen_at: Some(now),
        last_ip: client.ip.clone(),
        config_version: 1,
        applied_config_version: 0,
    };
    let duplicates = hosts::count_by_hostname(&*txn, &row.hostname).await?;
    let row = hosts::insert(&*txn, row).await?;
    if !enrollment::use_token(&*txn, tok.id, row.id, now).await? {
        return Err(DomainError::conflict(
            "enroll.token_used",
            "This enrollment token was already used.",
        ));
    }
    if let Some(repo) = tok.repository_id {
        hosts::link(&*txn, row.id, repo, now).await?;
    }
    audit::record(
        &*txn,
        &agent_actor(row.id, &row.hostname, client),
        Event::success(
            "host.enroll",
            Some(host_target(&row)),
            json!({ "via": "token", "token_id": tok.id, "fingerprint": row.fingerprint, "duplicate_hostname": duplicates > 0 }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

// ---- announce and approve ---------------------------------------------------------------

pub async fn announce(
    state: &AppState,
    client: &Client,
    public_key_b64: &str,
    facts: AgentFacts,
) -> Result<PendingHostRow, DomainError> {
    check_facts(&facts)?;
    let (key, fingerprint) = public_key(public_key_b64)?;
    let db = state.store.db();
    // Asking again with the same key is how an agent learns the decision: no new row.
    if let Some(existing) = enrollment::find_pending_by_key(db, &key).await? {
        let host_gone = match existing.host_id {
            Some(h) => hosts::find(db, h).await?.is_none(),
            None => false,
        };
        if !host_gone {
            return Ok(existing);
        }
        // Accepted once, then the host was deleted: this is a new request.
        let txn = state.store.write().await?;
        enrollment::delete_pending(&*txn, existing.id).await?;
        txn.commit().await?;
    }
    if hosts::find_by_public_key(db, &key).await?.is_some() {
        return Err(DomainError::conflict(
            "enroll.key_in_use",
            "This agent key already belongs to a host.",
        ));
    }
    if let Err(wait) = state.announce_limiter.hit(client.ip.as_deref().unwrap_or("unknown")) {
        let retry_after_secs = wait.as_secs().max(1);
        return Err(DomainError::Throttled {
            code: "announce.rate_limited",
            message: format!(
                "Too many announcements from this address; try again in {retry_after_secs} s."
            ),
            retry_after_secs,
        });
    }
    let now = Utc::now();
    if enrollment::count_waiting(db, now).await? >= state.config.agents.max_pending {
        return Err(DomainError::conflict(
            "announce.too_many_pending",
            "Too many agents are waiting for approval; an admin must accept or reject some first.",
        ));
    }
    let row = PendingHostRow {
        id: Uuid::now_v7(),
        public_key: key,
        fingerprint,
        hostname: facts.hostname.trim().to_string(),
        os: facts.os,
        arch: facts.arch,
        agent_version: facts.agent_version,
        restic_version: facts.restic_version,
        source_ip: client.ip.clone(),
        created_at: now,
        expires_at: now + Duration::hours(state.config.agents.pending_ttl_hours as i64),
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
        host_id: None,
        message: None,
    };
    let txn = state.store.write().await?;
    enrollment::purge_pending(&*txn, now - Duration::days(7)).await?;
    let row = enrollment::insert_pending(&*txn, row).await?;
    audit::record(
        &*txn,
        &client.anonymous_actor(Some(row.hostname.clone())),
        Event::success(
            "host.announce",
            Some(Target {
                kind: "pending_host",
                id: row.id.to_string(),
                name: Some(row.hostname.clone()),
            }),
            json!({ "fingerprint": row.fingerprint }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub fn announce_state(row: &PendingHostRow, now: DateTime<Utc>) -> (AnnounceState, Option<String>) {
    match row.state.as_str() {
        "accepted" => (AnnounceState::Accepted, None),
        "rejected" => (AnnounceState::Rejected, row.message.clone()),
        _ if row.expires_at <= now => (
            AnnounceState::Rejected,
            Some("the request expired before an admin accepted it".into()),
        ),
        _ => (AnnounceState::Pending, None),
    }
}

pub struct PendingView {
    pub row: PendingHostRow,
    /// Another host already has this hostname: compare fingerprints before accepting.
    pub duplicate_hostname: bool,
}

pub async fn list_pending(state: &AppState) -> Result<Vec<PendingView>, DomainError> {
    let db = state.store.db();
    let rows = enrollment::list_waiting(db, Utc::now()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        // Bounded by agents.max_pending, so one count each is fine.
        let duplicate_hostname = hosts::count_by_hostname(db, &row.hostname).await? > 0;
        out.push(PendingView { row, duplicate_hostname });
    }
    Ok(out)
}

pub async fn accept_pending(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    tags: &[String],
) -> Result<HostRow, DomainError> {
    let tags = normalize_tags(tags)?;
    let txn = state.store.write().await?;
    let now = Utc::now();
    let mut p = enrollment::find_pending(&*txn, id)
        .await?
        .ok_or(DomainError::NotFound { what: "pending host" })?;
    if p.state != "pending" || p.expires_at <= now {
        return Err(DomainError::conflict(
            "announce.already_decided",
            "This request was already decided or has expired.",
        ));
    }
    if hosts::find_by_public_key(&*txn, &p.public_key).await?.is_some() {
        return Err(DomainError::conflict(
            "enroll.key_in_use",
            "This agent key already belongs to a host.",
        ));
    }
    let host = hosts::insert(
        &*txn,
        HostRow {
            id: Uuid::now_v7(),
            hostname: p.hostname.clone(),
            os: p.os.clone(),
            arch: p.arch.clone(),
            agent_version: p.agent_version.clone(),
            restic_version: p.restic_version.clone(),
            public_key: p.public_key.clone(),
            fingerprint: p.fingerprint.clone(),
            tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".into()),
            enrolled_via: "announce".into(),
            created_at: now,
            last_seen_at: None,
            last_ip: p.source_ip.clone(),
            config_version: 1,
            applied_config_version: 0,
        },
    )
    .await?;
    p.state = "accepted".into();
    p.decided_by = actor.name.clone();
    p.decided_at = Some(now);
    p.host_id = Some(host.id);
    enrollment::save_pending(&*txn, p.clone()).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "host.accept",
            Some(host_target(&host)),
            json!({ "fingerprint": host.fingerprint, "pending_id": id, "tags": tags }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(host)
}

pub async fn reject_pending(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    message: Option<String>,
) -> Result<(), DomainError> {
    let message =
        message.map(|m| m.trim().chars().take(500).collect::<String>()).filter(|m| !m.is_empty());
    let txn = state.store.write().await?;
    let mut p = enrollment::find_pending(&*txn, id)
        .await?
        .ok_or(DomainError::NotFound { what: "pending host" })?;
    if p.state != "pending" {
        return Err(DomainError::conflict(
            "announce.already_decided",
            "This request was already decided.",
        ));
    }
    p.state = "rejected".into();
    p.decided_by = actor.name.clone();
    p.decided_at = Some(Utc::now());
    p.message = message;
    let p = enrollment::save_pending(&*txn, p).await?;
    audit::record(
        &*txn,
        actor,
        Event::success(
            "host.reject",
            Some(Target {
                kind: "pending_host",
                id: p.id.to_string(),
                name: Some(p.hostname.clone()),
            }),
            json!({ "fingerprint": p.fingerprint, "message": p.message }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
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

/// Records the heartbeat, then answers at once if there is work, else waits for a wake-up
/// or the timeout. Work is checked before waiting so nothing queued earlier is missed.
pub async fn poll(
    state: &AppState,
    host: &HostRow,
    client: &Client,
    facts: &AgentFacts,
    applied: u64,
    timeout: StdDuration,
) -> Result<PollAnswer, DomainError> {
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
    let deadline = tokio::time::Instant::now() + timeout;
    // At the start the database decides (work may have been queued while no poll was held,
    // or on another replica); after a wake-up the mailbox usually has it all.
    let mut from_db = true;
    loop {
        // Boxed: a held poll's future is sized by its largest state, and the database
        // query states are large; boxing keeps ten thousand held polls small.
        let answer = if from_db {
            Box::pin(pending_work(state, host.id, applied)).await?
        } else {
            let commands = slot.take();
            if commands.is_empty() {
                // Woken for something else (new config): ask the database.
                Box::pin(pending_work(state, host.id, applied)).await?
            } else {
                let ids: Vec<Uuid> = commands.iter().map(|c| c.id).collect();
                // Answering must not wait for the mark: a fleet-wide wake-up would queue
                // every answer behind one transaction.
                state.poll_writer.submit_nowait(Op::Delivered { commands: ids, at: Utc::now() });
                PollAnswer { commands, config: None }
            }
        };
        slot.delivered(answer.commands.iter().map(|c| c.id));
        if !answer.commands.is_empty() || answer.config.is_some() {
            return Ok(answer);
        }
        tokio::select! {
            _ = slot.notify.notified() => from_db = false,
            _ = tokio::time::sleep_until(deadline) => return Ok(answer),
        }
    }
}

fn to_wire(r: &CommandRow) -> Command {
    Command { id: r.id, kind: CommandKind::Ping, created_at: r.created_at }
}

async fn pending_work(
    state: &AppState,
    host: Uuid,
    applied: u64,
) -> Result<PollAnswer, DomainError> {
    let db = state.store.db();
    let Some(h) = hosts::find(db, host).await? else {
        return Err(DomainError::unauthenticated(
            "agent.revoked",
            "This host was deleted from Cairn; enroll it again.",
        ));
    };
    let rows = commands::undelivered(db, host).await?;
    let config = if h.config_version as u64 > applied {
        Some(repositories::agent_config(state, &h).await?)
    } else {
        None
    };
    if !rows.is_empty() {
        let ids = rows.iter().map(|r| r.id).collect();
        state.poll_writer.submit(Op::Delivered { commands: ids, at: Utc::now() }).await?;
    }
    let commands = rows.iter().map(to_wire).collect();
    Ok(PollAnswer { commands, config })
}

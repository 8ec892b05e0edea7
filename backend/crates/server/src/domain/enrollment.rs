//! Joining the fleet: one-time enrollment tokens, token enrollment, and
//! announce-and-approve (an agent asks, an admin compares the fingerprint and decides).
//! Every change is audited in the same transaction; refusals are audited too.

use crate::codes::Code;
use cairn_proto::{AgentFacts, AnnounceState};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError,
    audit::{self, Actor, Event, Outcome, Target},
    fleet::{agent_actor, check_facts, host_target, normalize_tags, public_key},
};
use crate::{
    auth::{keys, service::Client},
    store::{
        enrollment::{self, EnrollmentTokenRow, PendingHostRow},
        hosts::{self, HostRow},
        repositories as repo_store,
    },
};

pub const ENROLL_TOKEN_PREFIX: &str = "cairn_enroll_";

// ---- enrollment tokens ----------------------------------------------------------------

pub async fn create_enrollment_token(
    state: &Domain,
    actor: &Actor,
    ttl_secs: Option<u64>,
    tags: &[String],
    repository: Option<Uuid>,
) -> Result<(EnrollmentTokenRow, String), DomainError> {
    let ttl = ttl_secs.unwrap_or(state.agents.enrollment_token_ttl_secs);
    if !(60..=30 * 24 * 3600).contains(&ttl) {
        return Err(DomainError::invalid(
            Code::EnrollmentInvalidTtl,
            "A token lives between 1 minute and 30 days.",
            "ttl_secs",
        ));
    }
    let tags = normalize_tags(tags)?;
    let txn = state.store.write().await?;
    if let Some(r) = repository {
        repo_store::find(&*txn, r).await?.ok_or_else(|| {
            DomainError::invalid(
                Code::EnrollmentUnknownRepository,
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
    state: &Domain,
) -> Result<Vec<EnrollmentTokenRow>, DomainError> {
    Ok(enrollment::list_open_tokens(state.store.db(), Utc::now()).await?)
}

pub async fn delete_enrollment_token(
    state: &Domain,
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
    state: &Domain,
    client: &Client,
    token: &str,
    public_key_b64: &str,
    facts: AgentFacts,
) -> Result<HostRow, DomainError> {
    check_facts(&facts)?;
    let (key, fingerprint) = public_key(public_key_b64)?;
    let refuse = |code: Code, message: &str, reason: &'static str| {
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
            Code::EnrollInvalidToken,
            "This enrollment token is not valid. Create a new one in Cairn (Hosts → Add host).",
            "unknown token",
        )
        .await);
    };
    if tok.used_at.is_some() {
        drop(txn);
        return Err(refuse(
            Code::EnrollTokenUsed,
            "This enrollment token was already used. Create a new one in Cairn (Hosts → Add host).",
            "token already used",
        )
        .await);
    }
    if tok.expires_at <= now {
        drop(txn);
        return Err(refuse(
            Code::EnrollTokenExpired,
            "This enrollment token has expired. Create a new one in Cairn (Hosts → Add host).",
            "token expired",
        )
        .await);
    }
    if hosts::find_by_public_key(&*txn, &key).await?.is_some() {
        return Err(DomainError::conflict(
            Code::EnrollKeyInUse,
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
        timezone: None,
    };
    let duplicates = hosts::count_by_hostname(&*txn, &row.hostname).await?;
    let row = hosts::insert(&*txn, row).await?;
    if !enrollment::use_token(&*txn, tok.id, row.id, now).await? {
        return Err(DomainError::conflict(
            Code::EnrollTokenUsed,
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
    state: &Domain,
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
            Code::EnrollKeyInUse,
            "This agent key already belongs to a host.",
        ));
    }
    if let Err(wait) = state.announce_limiter.hit(client.ip.as_deref().unwrap_or("unknown")) {
        let retry_after_secs = wait.as_secs().max(1);
        return Err(DomainError::Throttled {
            code: Code::AnnounceRateLimited,
            message: format!(
                "Too many announcements from this address; try again in {retry_after_secs} s."
            ),
            retry_after_secs,
        });
    }
    let now = Utc::now();
    if enrollment::count_waiting(db, now).await? >= state.agents.max_pending {
        return Err(DomainError::conflict(
            Code::AnnounceTooManyPending,
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
        expires_at: now + Duration::hours(state.agents.pending_ttl_hours as i64),
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

pub async fn list_pending(state: &Domain) -> Result<Vec<PendingView>, DomainError> {
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
    state: &Domain,
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
            Code::AnnounceAlreadyDecided,
            "This request was already decided or has expired.",
        ));
    }
    if hosts::find_by_public_key(&*txn, &p.public_key).await?.is_some() {
        return Err(DomainError::conflict(
            Code::EnrollKeyInUse,
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
            timezone: None,
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
    state: &Domain,
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
            Code::AnnounceAlreadyDecided,
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

/// The announced agent `id` still waiting (or decided), if it exists.
pub async fn find_pending(state: &Domain, id: Uuid) -> Result<Option<PendingHostRow>, DomainError> {
    Ok(enrollment::find_pending(state.store.db(), id).await?)
}

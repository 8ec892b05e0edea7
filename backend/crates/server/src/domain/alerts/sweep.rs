//! The periodic half of alerting, run by the maintenance sweep every 30 s: agents silent
//! for longer than their rule's threshold raise "agent offline", and one that is back
//! resolves it. Two queries per sweep whatever the fleet's size: the hosts silent past the
//! threshold, and the rule's unresolved alerts.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{
    raise::{Signal, Subject, clear, raise},
    rules::Rule,
    settings_all,
};
use crate::{
    domain::{Domain, DomainError, fleet::tags_of},
    store::{alerts as store, hosts},
};

pub async fn run(state: &Domain) -> Result<(), DomainError> {
    let now = Utc::now();
    let db = state.store.db();
    let settings = settings_all(db).await?;
    let set = &settings[&Rule::AgentOffline];
    let minutes = set.param("minutes");
    let cutoff = now - Duration::minutes(minutes);
    let silent = if set.enabled { hosts::silent_since(db, cutoff).await? } else { Vec::new() };
    let open = store::open_of_rule(db, Rule::AgentOffline.as_str()).await?;
    let alerted: HashSet<Uuid> = open.iter().filter_map(|a| a.host_id).collect();
    let silent_ids: HashSet<Uuid> = silent.iter().map(|h| h.id).collect();
    let to_raise: Vec<_> = silent
        .into_iter()
        .filter(|h| !alerted.contains(&h.id) && set.covers(&tags_of(&h.tags)))
        .collect();
    let back: Vec<Uuid> = alerted.iter().filter(|h| !silent_ids.contains(h)).copied().collect();
    if to_raise.is_empty() && back.is_empty() {
        return Ok(());
    }
    let txn = state.store.write().await?;
    for h in to_raise {
        let seen = h.last_seen_at.map_or_else(|| "never".to_string(), |t| t.to_rfc3339());
        let signal = Signal {
            rule: Rule::AgentOffline,
            subject: Subject::host(h.id),
            job_id: None,
            title: format!("{} is offline", h.hostname),
            message: format!(
                "The agent on {} has not been in touch for over {minutes} minutes (last seen {seen}).",
                h.hostname
            ),
            details: json!({ "last_seen_at": h.last_seen_at, "minutes": minutes }),
        };
        raise(&*txn, set, signal, now).await?;
    }
    for h in back {
        clear(&*txn, Rule::AgentOffline, &Subject::host(h), "the agent is back", None, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

//! What an agent receives as its config: its linked repositories with their secrets opened,
//! and its schedules. Built for many hosts at once with the same three queries as for one.

use std::collections::{HashMap, hash_map::Entry};

use cairn_proto::{AgentConfig, BackupHooks};
use uuid::Uuid;

use super::{Domain, DomainError, repositories::repository_config, schedules};
use crate::store::{
    hosts::{self, HostRow},
    repositories::{self as repo_store, RepositoryRow},
    schedules as schedule_store,
};

/// One host's config.
pub async fn agent_config(state: &Domain, host: &HostRow) -> Result<AgentConfig, DomainError> {
    let mut configs = agent_configs(state, std::slice::from_ref(host)).await?;
    configs.pop().ok_or_else(|| DomainError::Internal("no config built".into()))
}

/// The configs of `hosts`, in their order: the same three queries for any number of hosts
/// (linked repositories, schedules, default hooks), and each repository's secrets opened
/// once. A host gets only the repositories linked to it.
pub async fn agent_configs(
    state: &Domain,
    hosts: &[HostRow],
) -> Result<Vec<AgentConfig>, DomainError> {
    let db = state.store.db();
    let ids: Vec<Uuid> = hosts.iter().map(|h| h.id).collect();
    let links = repo_store::linked_to_hosts(db, &ids).await?;
    let mut opened = HashMap::new();
    let mut linked: HashMap<Uuid, Vec<&RepositoryRow>> = HashMap::new();
    for (host, repo) in &links {
        if let Entry::Vacant(e) = opened.entry(repo.id) {
            e.insert(repository_config(state, repo)?);
        }
        linked.entry(*host).or_default().push(repo);
    }
    let mut schedule_rows: HashMap<Uuid, Vec<_>> = HashMap::new();
    for row in schedule_store::list_for_hosts(db, &ids).await? {
        schedule_rows.entry(row.host_id).or_default().push(row);
    }
    // Default hooks matter only to schedules: no query when none of the hosts has one.
    let sealed_hooks: HashMap<Uuid, String> = if schedule_rows.is_empty() {
        HashMap::new()
    } else {
        hosts::default_hooks_many(db, &ids).await?.into_iter().collect()
    };
    hosts
        .iter()
        .map(|host| {
            let linked = linked.remove(&host.id).unwrap_or_default();
            let repositories = linked.iter().filter_map(|r| opened.get(&r.id).cloned()).collect();
            let rows = schedule_rows.remove(&host.id).unwrap_or_default();
            let defaults = match sealed_hooks.get(&host.id) {
                Some(sealed) => schedules::hooks::open_host_defaults(state, host.id, sealed)?,
                None => BackupHooks::default(),
            };
            let schedules = schedules::agent_schedules(state, host, rows, &linked, &defaults)?;
            Ok(AgentConfig { version: host.config_version as u64, repositories, schedules })
        })
        .collect()
}

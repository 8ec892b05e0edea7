//! Browsing and searching a host's snapshots through an agent's catalog (ADR 0007): finds
//! the snapshot and its repository, picks the agent that reads (the host itself, or while
//! it is offline any online host linked to the same repository), asks it, and audits
//! what was looked at.

use std::time::Instant;

use cairn_proto::{
    Answer, AskFailure, BrowseAnswer, BrowseQuery, CatalogScope, DiffAnswer, DiffQuery, PathChange,
    Question, SearchAnswer, SearchQuery, TreeSort,
};
use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::{
    Domain, DomainError, asks,
    audit::{self, Actor, Event, Target},
    fleet, repositories,
};
use crate::{
    codes::Code,
    store::{
        hosts::{self, HostRow},
        repositories as repo_store, snapshots,
    },
};

/// The host whose agent answered, when it is not the snapshot's own host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadThrough {
    pub host_id: Uuid,
    pub hostname: String,
}

pub struct TreeRequest {
    pub snapshot_id: String,
    pub repository_id: Option<Uuid>,
    pub path: String,
    pub sort: TreeSort,
    pub descending: bool,
    pub filter: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

pub struct Tree {
    pub repository_id: Uuid,
    pub path: String,
    pub answer: BrowseAnswer,
    pub read_through: Option<ReadThrough>,
    pub round_trip_ms: u64,
}

pub struct SearchRequest {
    pub pattern: String,
    pub repository_id: Option<Uuid>,
    pub snapshot_id: Option<String>,
    pub limit: u32,
}

pub struct Found {
    pub repository_id: Uuid,
    /// The times of the snapshots the answer names (searched or being read), oldest first.
    pub snapshot_times: Vec<(String, chrono::DateTime<Utc>)>,
    pub answer: SearchAnswer,
    pub read_through: Option<ReadThrough>,
    pub round_trip_ms: u64,
}

/// Normalises a directory inside a snapshot: absolute, no `.`/`..`, no empty segments.
pub fn normalise_path(path: &str) -> Result<String, DomainError> {
    let bad = || {
        DomainError::invalid(
            Code::SnapshotInvalidPath,
            format!(
                "{path:?} is not a directory path: give an absolute path such as /etc/nginx, without . or .. segments."
            ),
            "path",
        )
    };
    if !path.starts_with('/') || path.len() > 4096 || path.contains('\0') {
        return Err(bad());
    }
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if parts.iter().any(|p| *p == "." || *p == "..") {
        return Err(bad());
    }
    Ok(format!("/{}", parts.join("/")))
}

/// The snapshot's repository: the one asked for, or the only one holding it.
pub(crate) async fn repository_of(
    state: &Domain,
    host: &HostRow,
    snapshot_id: &str,
    asked: Option<Uuid>,
) -> Result<Uuid, DomainError> {
    let rows = snapshots::find_of_host(state.store.db(), host.id, snapshot_id).await?;
    match (asked, rows.as_slice()) {
        (_, []) => Err(DomainError::NotFound { what: "snapshot" }),
        (Some(r), rows) if rows.iter().any(|s| s.repository_id == r) => Ok(r),
        (Some(_), _) => Err(DomainError::NotFound { what: "snapshot" }),
        (None, [one]) => Ok(one.repository_id),
        (None, _) => Err(DomainError::invalid(
            Code::SnapshotRepositoryAmbiguous,
            "This snapshot is in more than one repository (a copy to a mirror keeps its id): say which with repository_id.",
            "repository_id",
        )),
    }
}

/// The agent that reads `repository` for `source`: the host itself when it is online and
/// linked, otherwise the online linked host seen most recently.
pub(crate) async fn reader(
    state: &Domain,
    source: &HostRow,
    repository: Uuid,
) -> Result<HostRow, DomainError> {
    let db = state.store.db();
    let now = Utc::now();
    let offline_after = std::time::Duration::from_secs(state.agents.offline_after_secs);
    let linked = hosts::hosts_of_repository(db, repository).await?;
    if linked.contains(&source.id) && fleet::is_online(source, offline_after, now) {
        return Ok(source.clone());
    }
    let mut others: Vec<HostRow> = hosts::find_many(db, &linked)
        .await?
        .into_iter()
        .filter(|h| h.id != source.id && fleet::is_online(h, offline_after, now))
        .collect();
    others.sort_by_key(|h| std::cmp::Reverse(h.last_seen_at));
    if let Some(h) = others.into_iter().next() {
        return Ok(h);
    }
    let name =
        repo_store::find(db, repository).await?.map_or_else(|| repository.to_string(), |r| r.name);
    Err(DomainError::conflict(
        Code::RepositoryNoOnlineHost,
        format!(
            "{} is offline and no other host linked to repository {name} is online: start one of their agents to read its snapshots.",
            source.hostname
        ),
    ))
}

/// What the agent's catalog covers: the host's snapshots in the repository, by the restic
/// host name they were made under.
pub(crate) async fn scope(
    state: &Domain,
    host: &HostRow,
    repository: Uuid,
) -> Result<CatalogScope, DomainError> {
    let db = state.store.db();
    let ids = snapshots::ids_in(db, host.id, repository).await?;
    let hostname = snapshots::hostname_in(db, host.id, repository)
        .await?
        .unwrap_or_else(|| host.hostname.clone());
    Ok(CatalogScope { repository_id: repository, hostname, snapshots: ids })
}

pub(crate) fn read_through(source: &HostRow, reader: &HostRow) -> Option<ReadThrough> {
    (reader.id != source.id)
        .then(|| ReadThrough { host_id: reader.id, hostname: reader.hostname.clone() })
}

/// An agent's refusal as the API says it: a missing directory is not found, a bad path is
/// the caller's, anything else (restic could not read) a conflict naming restic's class.
pub(crate) fn refused(f: AskFailure) -> DomainError {
    match f.error_class.as_str() {
        "catalog.no_such_directory" => DomainError::NotFound { what: "directory" },
        "catalog.bad_path" => DomainError::invalid(Code::SnapshotInvalidPath, f.message, "path"),
        "catalog.bad_pattern" => DomainError::invalid(Code::SnapshotInvalidPattern, f.message, "q"),
        _ => DomainError::Conflict {
            code: Code::SnapshotReadFailed,
            message: f.message,
            details: json!({ "error_class": f.error_class }),
        },
    }
}

pub(crate) fn snapshot_target(id: &str, host: &HostRow) -> Target {
    Target { kind: "snapshot", id: id.to_string(), name: Some(host.hostname.clone()) }
}

/// One page of a directory of a snapshot.
pub async fn tree(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    req: TreeRequest,
) -> Result<Tree, DomainError> {
    let path = normalise_path(&req.path)?;
    let db = state.store.db();
    let host = hosts::find(db, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let repository = repository_of(state, &host, &req.snapshot_id, req.repository_id).await?;
    let reader = reader(state, &host, repository).await?;
    let question = Question::Browse(BrowseQuery {
        scope: scope(state, &host, repository).await?,
        snapshot_id: req.snapshot_id.clone(),
        path: path.clone(),
        sort: req.sort,
        descending: req.descending,
        filter: req.filter.clone().filter(|f| !f.trim().is_empty()),
        offset: req.offset,
        limit: req.limit,
    });
    let started = Instant::now();
    let answer = match asks::ask(state, actor, &reader, question, asks::deadline(state)).await? {
        Answer::Browse(a) => a,
        Answer::Failed(f) => return Err(refused(f)),
        other => return Err(refused(repositories::wrong_answer(&other))),
    };
    let read_through = read_through(&host, &reader);
    if answer.indexing.is_none() {
        let ev = Event::success(
            "snapshot.browse",
            Some(snapshot_target(&req.snapshot_id, &host)),
            json!({
                "host_id": host.id,
                "repository_id": repository,
                "path": path,
                "read_by": reader.hostname,
            }),
        );
        audit::record_alone(&state.store, actor, ev).await;
    }
    Ok(Tree {
        repository_id: repository,
        path,
        answer,
        read_through,
        round_trip_ms: started.elapsed().as_millis() as u64,
    })
}

/// Paths matching a pattern in one snapshot, or across all of the host's snapshots in
/// one repository.
pub async fn search(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    req: SearchRequest,
) -> Result<Found, DomainError> {
    let pattern = req.pattern.trim().to_string();
    if pattern.is_empty() || pattern.len() > 1024 || pattern.contains('\0') {
        return Err(DomainError::invalid(
            Code::SnapshotInvalidPattern,
            "Say what to look for: a name or part of one (nginx.conf), a glob (*.conf), or a path (/etc/*/nginx.conf); at most 1024 characters.",
            "q",
        ));
    }
    let db = state.store.db();
    let host = hosts::find(db, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let repository = match (&req.snapshot_id, req.repository_id) {
        (Some(s), asked) => repository_of(state, &host, s, asked).await?,
        (None, Some(r)) => r,
        (None, None) => {
            let repos = snapshots::repositories_of_host(db, host.id).await?;
            match repos.as_slice() {
                [] => {
                    return Err(DomainError::conflict(
                        Code::SnapshotNone,
                        format!("{} has no snapshots yet: run a backup first.", host.hostname),
                    ));
                }
                [one] => *one,
                _ => {
                    return Err(DomainError::invalid(
                        Code::SnapshotRepositoryAmbiguous,
                        "This host has snapshots in more than one repository: say which with repository_id.",
                        "repository_id",
                    ));
                }
            }
        }
    };
    let scope = scope(state, &host, repository).await?;
    if scope.snapshots.is_empty() {
        return Err(DomainError::conflict(
            Code::SnapshotNone,
            format!("{} has no snapshots in this repository yet.", host.hostname),
        ));
    }
    let reader = reader(state, &host, repository).await?;
    let question = Question::Search(SearchQuery {
        scope,
        pattern: pattern.clone(),
        snapshot_id: req.snapshot_id.clone(),
        limit: req.limit,
    });
    let started = Instant::now();
    let answer = match asks::ask(state, actor, &reader, question, asks::deadline(state)).await? {
        Answer::Search(a) => a,
        Answer::Failed(f) => return Err(refused(f)),
        other => return Err(refused(repositories::wrong_answer(&other))),
    };
    let ev = Event::success(
        "snapshot.search",
        Some(Target { kind: "host", id: host.id.to_string(), name: Some(host.hostname.clone()) }),
        json!({
            "repository_id": repository,
            "pattern": pattern,
            "snapshot_id": req.snapshot_id,
            "paths_found": answer.paths.len(),
            "read_by": reader.hostname,
        }),
    );
    audit::record_alone(&state.store, actor, ev).await;
    let named: Vec<&String> = answer.searched.iter().chain(&answer.indexing).collect();
    let snapshot_times = snapshots::times_in(db, host.id, repository)
        .await?
        .into_iter()
        .filter(|(id, _)| named.contains(&id))
        .collect();
    Ok(Found {
        snapshot_times,
        repository_id: repository,
        read_through: read_through(&host, &reader),
        answer,
        round_trip_ms: started.elapsed().as_millis() as u64,
    })
}

pub struct DiffRequest {
    pub snapshot_id: String,
    pub repository_id: Option<Uuid>,
    /// The other snapshot; the one made just before when absent.
    pub against: Option<String>,
    pub filter: Option<String>,
    /// Only these kinds of change; all when absent or empty.
    pub changes: Option<Vec<PathChange>>,
    pub limit: u32,
}

pub struct Diffed {
    pub repository_id: Uuid,
    pub from: String,
    pub to: String,
    pub answer: DiffAnswer,
    pub read_through: Option<ReadThrough>,
    pub round_trip_ms: u64,
}

/// What changed between a snapshot and another of the same host in the same repository
/// (by default the one made just before it), older first whatever order they were named.
pub async fn diff(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    req: DiffRequest,
) -> Result<Diffed, DomainError> {
    let db = state.store.db();
    let host = hosts::find(db, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let repository = repository_of(state, &host, &req.snapshot_id, req.repository_id).await?;
    let rows = snapshots::find_of_host(db, host.id, &req.snapshot_id).await?;
    let this = rows
        .into_iter()
        .find(|r| r.repository_id == repository)
        .ok_or(DomainError::NotFound { what: "snapshot" })?;
    let other = match &req.against {
        Some(a) => snapshots::find_of_host(db, host.id, a)
            .await?
            .into_iter()
            .find(|r| r.repository_id == repository)
            .ok_or(DomainError::NotFound { what: "snapshot" })?,
        None => snapshots::previous(db, host.id, repository, this.time).await?.ok_or_else(|| {
            DomainError::conflict(
                Code::SnapshotNoParent,
                "This is the host's first snapshot in this repository: there is nothing before it to compare with. Pick another snapshot with `against`.",
            )
        })?,
    };
    let (from, to) = if (other.time, &other.snapshot_id) <= (this.time, &this.snapshot_id) {
        (other.snapshot_id, this.snapshot_id)
    } else {
        (this.snapshot_id, other.snapshot_id)
    };
    let reader = reader(state, &host, repository).await?;
    let question = Question::Diff(DiffQuery {
        scope: scope(state, &host, repository).await?,
        from: from.clone(),
        to: to.clone(),
        filter: req.filter.clone().filter(|f| !f.trim().is_empty()),
        changes: req.changes.clone().filter(|c| !c.is_empty()),
        limit: req.limit,
    });
    let started = Instant::now();
    let answer = match asks::ask(state, actor, &reader, question, asks::deadline(state)).await? {
        Answer::Diff(a) => a,
        Answer::Failed(f) => return Err(refused(f)),
        other => return Err(refused(repositories::wrong_answer(&other))),
    };
    let ev = Event::success(
        "snapshot.diff",
        Some(snapshot_target(&to, &host)),
        json!({
            "host_id": host.id,
            "repository_id": repository,
            "from": from,
            "to": to,
            "changes": answer.total,
            "read_by": reader.hostname,
        }),
    );
    audit::record_alone(&state.store, actor, ev).await;
    Ok(Diffed {
        repository_id: repository,
        from,
        to,
        read_through: read_through(&host, &reader),
        answer,
        round_trip_ms: started.elapsed().as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::normalise_path;

    #[test]
    fn directory_paths_are_normalised_or_refused() {
        assert_eq!(normalise_path("/").ok().as_deref(), Some("/"));
        assert_eq!(normalise_path("/etc//nginx/").ok().as_deref(), Some("/etc/nginx"));
        for bad in ["etc", "", "/etc/../root", "/./x", "/a\0b"] {
            assert!(normalise_path(bad).is_err(), "{bad:?} accepted");
        }
    }
}

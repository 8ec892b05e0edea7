//! Starting a restore: the rules a restore request must pass before a job exists (paths
//! and target validated, in-place restores confirmed by the host's name, system
//! directories confirmed, deletions only where they are safe, one restore per target at
//! a time), then a restore job like any other.

use cairn_proto::{
    Answer, JobArgs, JobKind, NewPathTarget, OriginalTarget, OverwritePolicy, Question,
    RestoreArgs, RestoreCompareQuery, RestoreEntriesQuery, RestorePreviewAnswer,
    RestorePreviewQuery, RestoreTarget,
};
use uuid::Uuid;

use super::{Domain, DomainError, asks, audit::Actor, browse, jobs};
use crate::{
    codes::Code,
    store::{
        hosts::{self, HostRow},
        jobs as job_store,
        jobs::JobRow,
        snapshots,
    },
};

/// At most this many paths in one restore (each is a restic `--include`).
pub const MAX_PATHS: usize = 100;

/// Directories whose contents the system runs on: restoring into them needs a second
/// confirmation.
const SYSTEM_DIRS: &[&str] = &[
    "/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/root", "/run", "/sbin", "/usr", "/var",
];

/// Kernel file systems: never a restore target.
const NEVER: &[&str] = &["/proc", "/sys", "/dev"];

fn at_or_under(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

pub struct RestoreRequest {
    pub snapshot_id: String,
    pub repository_id: Option<Uuid>,
    /// Empty: everything the snapshot backed up.
    pub paths: Vec<String>,
    pub excludes: Vec<String>,
    /// `None`: the original location.
    pub new_path: Option<String>,
    pub overwrite: OverwritePolicy,
    pub delete_extra: bool,
    pub verify: bool,
    /// The host's name, typed by the user: required for an in-place restore.
    pub confirm_hostname: Option<String>,
    /// Restoring into a system directory, or deleting at the original location.
    pub confirm_risk: bool,
    /// Restore on this other host (a cross-host restore); the snapshot's own host when
    /// `None`.
    pub target_host: Option<Uuid>,
}

/// A checked restore: who restores (the target host), from which repository, what.
struct Built {
    target: HostRow,
    repository: Uuid,
    args: RestoreArgs,
}

fn invalid(code: Code, message: impl Into<String>, field: &'static str) -> DomainError {
    DomainError::invalid(code, message, field)
}

/// `path` is absolute, normalised, and names no system directory (or is confirmed).
pub fn check_target(path: &str, confirmed: bool) -> Result<String, DomainError> {
    let norm = browse::normalise_path(path)
        .map_err(|_| invalid(Code::RestoreInvalidTarget, format!("{path:?} is not a target directory: give an absolute path such as /srv/restore, without . or .. segments."), "target.path"))?;
    if norm == "/" || NEVER.iter().any(|d| at_or_under(&norm, d)) {
        return Err(invalid(
            Code::RestoreInvalidTarget,
            format!(
                "{norm} cannot be a restore target: pick a directory of its own, such as /srv/restore."
            ),
            "target.path",
        ));
    }
    if SYSTEM_DIRS.iter().any(|d| at_or_under(&norm, d)) && !confirmed {
        return Err(invalid(
            Code::RestoreNeedsConfirmation,
            format!(
                "{norm} is a system directory: restoring into it can change how the host runs. Confirm it (confirm_risk) or pick a directory of its own."
            ),
            "confirm_risk",
        ));
    }
    Ok(norm)
}

fn check_paths(paths: Vec<String>) -> Result<Vec<String>, DomainError> {
    if paths.len() > MAX_PATHS {
        return Err(invalid(
            Code::RestoreInvalidPaths,
            format!(
                "At most {MAX_PATHS} paths in one restore; restore their common directory instead."
            ),
            "paths",
        ));
    }
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let n = browse::normalise_path(&p).map_err(|_| {
            invalid(Code::RestoreInvalidPaths, format!("{p:?} is not a path inside the snapshot: give absolute paths such as /etc/nginx."), "paths")
        })?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

fn check_excludes(excludes: Vec<String>) -> Result<Vec<String>, DomainError> {
    let ex: Vec<String> =
        excludes.into_iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
    if ex.len() > MAX_PATHS || ex.iter().any(|e| e.len() > 4096 || e.contains('\0')) {
        return Err(invalid(
            Code::RestoreInvalidPaths,
            format!("At most {MAX_PATHS} exclude patterns, each at most 4096 characters."),
            "excludes",
        ));
    }
    Ok(ex)
}

/// Checks a request and makes the restore's arguments: the host, the snapshot's
/// repository, and the job's `RestoreArgs`.
async fn build(state: &Domain, host_id: Uuid, req: RestoreRequest) -> Result<Built, DomainError> {
    let db = state.store.db();
    let host = hosts::find(db, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let target_host = match req.target_host.filter(|t| *t != host.id) {
        Some(t) => {
            Some(hosts::find(db, t).await?.ok_or(DomainError::NotFound { what: "target host" })?)
        }
        None => None,
    };
    let rows = snapshots::find_of_host(db, host.id, &req.snapshot_id).await?;
    let snap = match (req.repository_id, rows.as_slice()) {
        (_, []) => return Err(DomainError::NotFound { what: "snapshot" }),
        (Some(r), rows) => rows
            .iter()
            .find(|s| s.repository_id == r)
            .cloned()
            .ok_or(DomainError::NotFound { what: "snapshot" })?,
        (None, [one]) => one.clone(),
        (None, _) => {
            return Err(invalid(
                Code::SnapshotRepositoryAmbiguous,
                "This snapshot is in more than one repository (a copy to a mirror keeps its id): say which with repository_id.",
                "repository_id",
            ));
        }
    };
    let mut paths = check_paths(req.paths)?;
    if paths.is_empty() {
        paths = check_paths(serde_json::from_str(&snap.paths).unwrap_or_default())?;
    }
    let excludes = check_excludes(req.excludes)?;
    let target = match req.new_path {
        Some(p) => {
            RestoreTarget::NewPath(NewPathTarget { path: check_target(&p, req.confirm_risk)? })
        }
        None => {
            if req.confirm_hostname.as_deref().map(str::trim) != Some(host.hostname.as_str()) {
                return Err(invalid(
                    Code::RestoreNeedsConfirmation,
                    format!(
                        "A restore to the original location replaces files on {}: type the host's name ({}) to confirm.",
                        host.hostname, host.hostname
                    ),
                    "confirm_hostname",
                ));
            }
            if req.delete_extra && !req.confirm_risk {
                return Err(invalid(
                    Code::RestoreNeedsConfirmation,
                    "Deleting files that are not in the snapshot, at their original location, needs an explicit confirmation (confirm_risk).",
                    "delete_extra",
                ));
            }
            RestoreTarget::Original(OriginalTarget {})
        }
    };
    let args = RestoreArgs {
        snapshot_id: snap.snapshot_id.clone(),
        source_hostname: snap.hostname.clone(),
        paths,
        excludes,
        target,
        overwrite: req.overwrite,
        delete_extra: req.delete_extra,
        verify: req.verify,
        source_host_id: target_host.as_ref().map(|_| host.id),
    };
    Ok(Built { target: target_host.unwrap_or(host), repository: snap.repository_id, args })
}

/// How many entries a preview on another host is compared one by one; past that only a
/// new (or empty) target can be previewed (from the totals).
const CROSS_HOST_ENTRIES: u32 = 5_000;

/// What a restore would do at its target, asked of the host's agent; nothing is written.
/// For a restore on another host, a host that reads the snapshot lists what it would
/// write and the restoring host compares that with its files.
pub async fn preview(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    req: RestoreRequest,
) -> Result<RestorePreviewAnswer, DomainError> {
    let b = build(state, host_id, req).await?;
    let question = match b.args.source_host_id {
        None => Question::RestorePreview(RestorePreviewQuery {
            scope: browse::scope(state, &b.target, b.repository).await?,
            restore: b.args,
        }),
        Some(s) => {
            let db = state.store.db();
            let source = hosts::find(db, s).await?.ok_or(DomainError::NotFound { what: "host" })?;
            let reader = browse::reader(state, &source, b.repository).await?;
            let q = Question::RestoreEntries(RestoreEntriesQuery {
                scope: browse::scope(state, &source, b.repository).await?,
                snapshot_id: b.args.snapshot_id.clone(),
                paths: b.args.paths.clone(),
                limit: CROSS_HOST_ENTRIES,
            });
            let listed = match asks::ask(state, actor, &reader, q, asks::deadline(state)).await? {
                Answer::RestoreEntries(a) => a,
                other => return Err(preview_failed(other)),
            };
            if listed.indexing.is_some() {
                return Ok(RestorePreviewAnswer {
                    indexing: listed.indexing,
                    ..RestorePreviewAnswer::default()
                });
            }
            Question::RestoreCompare(RestoreCompareQuery {
                restore: b.args,
                entries: listed.entries,
                truncated: listed.truncated,
                files: listed.files,
                bytes: listed.bytes,
            })
        }
    };
    match asks::ask(state, actor, &b.target, question, asks::deadline(state)).await? {
        Answer::RestorePreview(a) => Ok(a),
        other => Err(preview_failed(other)),
    }
}

/// An agent's refusal (or an answer to another question) as `409 restore.preview_failed`.
fn preview_failed(answer: Answer) -> DomainError {
    let f = match answer {
        Answer::Failed(f) => f,
        other => super::repositories::wrong_answer(&other),
    };
    DomainError::Conflict {
        code: Code::RestorePreviewFailed,
        message: f.message,
        details: serde_json::json!({ "error_class": f.error_class }),
    }
}

/// Starts a restore of `host`'s snapshot on `host` itself.
pub async fn start(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    req: RestoreRequest,
) -> Result<JobRow, DomainError> {
    let db = state.store.db();
    let Built { target: host, repository, args } = build(state, host_id, req).await?;
    // One restore per target directory at a time, on the restoring host.
    let root = args.target.root().to_string();
    for j in job_store::active_on_host(db, host.id).await? {
        if j.kind != JobKind::Restore {
            continue;
        }
        if let Some(JobArgs::Restore(r)) = jobs::args_of(&j)
            && overlaps(r.target.root(), &root)
        {
            return Err(DomainError::Conflict {
                code: Code::RestoreTargetBusy,
                message: format!(
                    "Another restore into {} on {} is still {}; wait for it or cancel it.",
                    r.target.root(),
                    host.hostname,
                    j.status.as_str()
                ),
                details: serde_json::json!({ "job_id": j.id }),
            });
        }
    }
    let origin = match args.source_host_id {
        Some(source) => jobs::Origin::CrossHost { source },
        None => jobs::Origin::Direct,
    };
    jobs::create_for(state, actor, host.id, repository, JobArgs::Restore(args), origin).await
}

/// A cross-host restore's source repository, for the restoring host's agent: only while
/// that job has not ended, only to its own host. Audited (`restore.credentials`).
pub async fn credentials(
    state: &Domain,
    host: &HostRow,
    job_id: Uuid,
) -> Result<cairn_proto::RepositoryConfig, DomainError> {
    let db = state.store.db();
    let job = job_store::find(db, job_id).await?.filter(|j| j.host_id == host.id);
    let job = job.ok_or(DomainError::NotFound { what: "job" })?;
    let (Some(JobArgs::Restore(args)), Some(repository)) = (jobs::args_of(&job), job.repository_id)
    else {
        return Err(DomainError::NotFound { what: "job" });
    };
    if args.source_host_id.is_none() {
        return Err(DomainError::NotFound { what: "job" });
    }
    if job.status.is_final() {
        return Err(DomainError::conflict(
            Code::JobFinished,
            "The restore has ended: its credentials are no longer handed out.",
        ));
    }
    let repo = crate::store::repositories::find(db, repository)
        .await?
        .ok_or(DomainError::NotFound { what: "repository" })?;
    let config = super::repositories::lent_config(state, &repo)?;
    let actor = super::audit::Actor {
        kind: super::audit::ActorKind::Agent,
        id: Some(host.id.to_string()),
        name: Some(host.hostname.clone()),
        ip: None,
        user_agent: None,
    };
    let ev = super::audit::Event::success(
        "restore.credentials",
        Some(super::audit::Target {
            kind: "job",
            id: job.id.to_string(),
            name: Some(format!("restore on {}", host.hostname)),
        }),
        serde_json::json!({ "repository": repo.name, "source_host_id": args.source_host_id, "snapshot_id": args.snapshot_id }),
    );
    super::audit::record_alone(&state.store, &actor, ev).await;
    Ok(config)
}

/// Two target directories overlap when one is the other or inside it.
fn overlaps(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| {
        x == y || y == "/" || x.strip_prefix(y).is_some_and(|r| r.starts_with('/'))
    };
    inside(a, b) || inside(b, a)
}

/// Starts a restore drill on `host` from its snapshots in `repository`.
pub async fn start_drill(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    repository: Uuid,
    args: cairn_proto::DrillArgs,
) -> Result<JobRow, DomainError> {
    if !(1..=1000).contains(&args.files) {
        return Err(invalid(Code::RestoreInvalidPaths, "A drill samples 1–1000 files.", "files"));
    }
    if !(1..=10 << 30).contains(&args.max_bytes) {
        return Err(invalid(
            Code::RestoreInvalidPaths,
            "A drill restores 1 byte to 10 GiB in all.",
            "max_bytes",
        ));
    }
    if let Some(s) = &args.snapshot_id {
        let rows = snapshots::find_of_host(state.store.db(), host_id, s).await?;
        if !rows.iter().any(|r| r.repository_id == repository) {
            return Err(DomainError::NotFound { what: "snapshot" });
        }
    }
    jobs::create(state, actor, host_id, repository, JobArgs::Drill(args)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_checked() {
        assert_eq!(check_target("/srv/restore/", false).ok().as_deref(), Some("/srv/restore"));
        assert!(check_target("relative", true).is_err());
        assert!(check_target("/a/../etc", true).is_err());
        assert!(check_target("/", true).is_err(), "never the root");
        assert!(check_target("/proc/1", true).is_err());
        assert!(check_target("/etc", false).is_err(), "a system directory needs confirming");
        assert_eq!(check_target("/etc", true).ok().as_deref(), Some("/etc"));
        assert_eq!(
            check_target("/home/alice/restore", false).ok().as_deref(),
            Some("/home/alice/restore")
        );
    }

    #[test]
    fn overlapping_targets() {
        assert!(overlaps("/srv/r", "/srv/r"));
        assert!(overlaps("/srv/r/x", "/srv/r"));
        assert!(overlaps("/", "/srv"));
        assert!(!overlaps("/srv/r", "/srv/rx"));
    }
}

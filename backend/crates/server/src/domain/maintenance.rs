//! Repository care as jobs: forget, prune, check, unlock, stats and copy, run by a linked host's
//! agent like a backup (live log, history, error classes). Their arguments are checked
//! here; an admin may approve one forget its repository's delete guard blocked.

use cairn_proto::{
    Answer, AskFailure, CheckArgs, ForgetArgs, JobArgs, JobKind, PruneArgs, Question,
    RetentionAnswer, RetentionQuery,
};
use uuid::Uuid;

use super::{
    Domain, DomainError, asks,
    audit::Actor,
    jobs::{self, JobStatus, Origin},
    repositories,
    schedules::rules::{check_retention, is_max_unused},
};
use crate::{
    codes::Code,
    store::{hosts, jobs::JobRow, repositories as repo_store},
};

fn invalid(message: impl Into<String>, field: &'static str) -> DomainError {
    DomainError::invalid(Code::JobInvalidArgs, message, field)
}

/// Starts a repository operation on `host`'s agent (checked like any job: host online,
/// repository linked to it, nothing else running on that pair).
pub async fn start(
    state: &Domain,
    actor: &Actor,
    repository: Uuid,
    host: Uuid,
    args: JobArgs,
) -> Result<JobRow, DomainError> {
    let args = check(args)?;
    if let JobArgs::Copy(c) = &args {
        super::copies::check_pair(
            state.store.db(),
            host,
            c.from_repository_id,
            repository,
            "args.from_repository_id",
        )
        .await?;
    }
    jobs::create(state, actor, host, repository, args).await
}

/// The arguments of a repository operation, normalised; other kinds have their own
/// operations (backup, init, snapshot refresh).
pub fn check(args: JobArgs) -> Result<JobArgs, DomainError> {
    Ok(match args {
        JobArgs::Forget(f) => JobArgs::Forget(check_forget(f)?),
        JobArgs::Prune(p) => JobArgs::Prune(PruneArgs {
            max_unused: check_max_unused(p.max_unused)?,
            max_repack_size: check_repack_size(p.max_repack_size)?,
            ..p
        }),
        JobArgs::Check(c) => {
            JobArgs::Check(CheckArgs { read_data_subset: check_subset(c.read_data_subset)? })
        }
        a @ (JobArgs::Unlock(_) | JobArgs::Stats(_)) => a,
        JobArgs::Copy(c) => JobArgs::Copy(super::copies::check_args(c)?),
        JobArgs::Backup(_)
        | JobArgs::Init(_)
        | JobArgs::Snapshots(_)
        | JobArgs::KeyAdd(_)
        | JobArgs::KeyRemove(_)
        | JobArgs::Restore(_)
        | JobArgs::Drill(_) => {
            return Err(invalid(
                "Backups, init, snapshot refreshes, restores, drills and key rotation have their own operations; here: forget, prune, check, unlock, stats or copy.",
                "args.kind",
            ));
        }
    })
}

fn check_forget(f: ForgetArgs) -> Result<ForgetArgs, DomainError> {
    if f.approved {
        return Err(invalid(
            "A forget is approved past the delete guard only by approving the run it blocked.",
            "args.approved",
        ));
    }
    let policy = check_retention(Some(f.policy))
        .map_err(|e| invalid(e.to_string(), "args.policy"))?
        .unwrap_or_default();
    if policy.keeps_nothing() {
        return Err(invalid(
            "The policy keeps nothing: set at least one keep rule (restic refuses an empty policy).",
            "args.policy",
        ));
    }
    let (host, tags) = check_scope(f.host, f.tags)?;
    Ok(ForgetArgs {
        policy,
        host,
        tags,
        prune: f.prune,
        max_unused: check_max_unused(f.max_unused)?,
        approved: false,
    })
}

/// Which snapshots a forget or a copy touches: a host name and tags, trimmed and checked.
pub(crate) fn check_scope(
    host: Option<String>,
    tags: Vec<String>,
) -> Result<(Option<String>, Vec<String>), DomainError> {
    let tags: Vec<String> =
        tags.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    if tags.len() > 20 || !tags.iter().all(|t| jobs::is_tag(t)) {
        return Err(invalid(
            "At most 20 tags, each up to 64 characters with no commas or spaces.",
            "args.tags",
        ));
    }
    let host = host.map(|h| h.trim().to_string()).filter(|h| !h.is_empty());
    if host.as_ref().is_some_and(|h| h.len() > 255 || h.chars().any(|c| c.is_control() || c == ','))
    {
        return Err(invalid("A host name is up to 255 printable characters.", "args.host"));
    }
    Ok((host, tags))
}

fn check_max_unused(m: Option<String>) -> Result<Option<String>, DomainError> {
    let m = m.map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    if m.as_deref().is_some_and(|m| !is_max_unused(m)) {
        return Err(invalid(
            "max_unused is a percentage (5%), a size (2G) or unlimited.",
            "args.max_unused",
        ));
    }
    Ok(m)
}

/// A size restic reads for `--max-repack-size`: digits with an optional k, M, G or T.
fn check_repack_size(m: Option<String>) -> Result<Option<String>, DomainError> {
    let m = m.map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    if m.as_deref().is_some_and(|m| m.ends_with('%') || m == "unlimited" || !is_max_unused(m)) {
        return Err(invalid(
            "max_repack_size is a size: 500M, 2G, or bytes.",
            "args.max_repack_size",
        ));
    }
    Ok(m)
}

/// `10%` (0–100], `n/m` (1 ≤ n ≤ m ≤ 10,000) or a size (`500M`).
pub(crate) fn check_subset(s: Option<String>) -> Result<Option<String>, DomainError> {
    let Some(s) = s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let ok = if let Some((n, m)) = s.split_once('/') {
        matches!((n.parse::<u32>(), m.parse::<u32>()), (Ok(n), Ok(m)) if n >= 1 && n <= m && m <= 10_000)
    } else if let Some(pct) = s.strip_suffix('%') {
        pct.parse::<f64>().is_ok_and(|p| p > 0.0 && p <= 100.0)
    } else {
        s != "unlimited" && is_max_unused(&s)
    };
    if !ok {
        return Err(invalid(
            "read_data_subset is a percentage (10%), n/m (1/5) or a size (500M).",
            "args.read_data_subset",
        ));
    }
    Ok(Some(s))
}

/// What a forget would keep and remove in a repository, asked of a linked host's agent
/// (`restic forget --dry-run`, changing nothing), and whether the delete guard would let
/// it run. `Err(AskFailure)` in the `Ok` is restic's (or the agent's) refusal.
pub async fn preview(
    state: &Domain,
    actor: &Actor,
    repository: Uuid,
    host: Uuid,
    forget: ForgetArgs,
) -> Result<Result<RetentionAnswer, AskFailure>, DomainError> {
    let JobArgs::Forget(forget) = check(JobArgs::Forget(forget))? else {
        return Err(DomainError::Internal("a checked forget is a forget".into()));
    };
    let (host, _) = repositories::linked_pair(state, host, repository).await?;
    let question = Question::RetentionPreview(RetentionQuery { repository_id: repository, forget });
    Ok(match asks::ask(state, actor, &host, question, asks::deadline(state)).await? {
        Answer::RetentionPreview(a) => Ok(a),
        Answer::Failed(f) => Err(f),
        other => Err(repositories::wrong_answer(&other)),
    })
}

/// Runs again, past the delete guard, a forget the guard blocked: same host, repository
/// and policy, marked approved. Audited as `job.approve`.
pub async fn approve(state: &Domain, actor: &Actor, blocked: Uuid) -> Result<JobRow, DomainError> {
    let job = jobs::get(state, blocked).await?;
    let args = jobs::args_of(&job);
    let (Some(JobArgs::Forget(mut f)), JobStatus::Blocked, Some(repository)) =
        (args, job.status, job.repository_id)
    else {
        return Err(DomainError::conflict(
            Code::JobNotBlocked,
            format!(
                "Only a forget its delete guard blocked can be approved; this is a {} job, {}.",
                job.kind.as_str(),
                job.status.as_str()
            ),
        ));
    };
    debug_assert_eq!(job.kind, JobKind::Forget);
    if job.error_class.as_deref() != Some("forget.guard") {
        // Held by a failed check (or anything else): approval passes the guard only; a
        // check that passes lifts the hold.
        return Err(DomainError::conflict(
            Code::JobNotBlocked,
            format!(
                "Only a forget its delete guard blocked can be approved; this one was held by {}.",
                job.error_class.as_deref().unwrap_or("an unknown reason")
            ),
        ));
    }
    f.approved = true;
    jobs::create_for(
        state,
        actor,
        job.host_id,
        repository,
        JobArgs::Forget(f),
        Origin::Approval { blocked },
    )
    .await
}

/// Error classes of a check that never looked at the data (the repository unreachable,
/// locked or missing, a wrong password, restic not runnable, the run stopped): no verdict,
/// the previous one stands.
const NO_VERDICT: [&str; 9] = [
    "restic.network",
    "restic.locked",
    "restic.wrong_password",
    "restic.repo_missing",
    "restic.interrupted",
    "restic.not_runnable",
    "restic.unsupported_version",
    "restic.io",
    "restic.invalid_argument",
];

/// What an ended check says of its repository: passed, found errors, or nothing (it did
/// not run to a verdict, or the job is no check).
pub fn check_verdict(job: &JobRow) -> Option<bool> {
    if job.kind != JobKind::Check {
        return None;
    }
    match job.status {
        JobStatus::Succeeded | JobStatus::Warning => Some(true),
        JobStatus::Failed => match job.error_class.as_deref() {
            Some(c)
                if NO_VERDICT.contains(&c) || c.starts_with("agent.") || c.starts_with("job.") =>
            {
                None
            }
            _ => Some(false),
        },
        _ => None,
    }
}

/// Keeps an ended check's verdict on its repository. When forget and prune were held or
/// now are, every linked host gets a new config; those hosts are returned, to wake once
/// the transaction commits.
pub async fn record_check<C: sea_orm::ConnectionTrait>(
    db: &C,
    job: &JobRow,
) -> Result<Vec<Uuid>, DomainError> {
    let (Some(passed), Some(repo)) = (check_verdict(job), job.repository_id) else {
        return Ok(vec![]);
    };
    let Some(mut row) = repo_store::find(db, repo).await? else { return Ok(vec![]) };
    let at = job.finished_at.unwrap_or_else(chrono::Utc::now);
    // A check uploaded late from an agent's outbox does not replace a newer verdict.
    if row.last_check_at.is_some_and(|t| t > at) {
        return Ok(vec![]);
    }
    let held_before = repositories::failed_check(&row).is_some();
    row.last_check_job_id = Some(job.id);
    row.last_check_at = Some(at);
    row.last_check_passed = Some(passed);
    repo_store::save(db, row).await?;
    if !held_before && passed {
        return Ok(vec![]);
    }
    Ok(hosts::bump_config_for_repository(db, repo).await?)
}

#[cfg(test)]
mod tests {
    use cairn_proto::RetentionPolicy;

    use super::*;

    fn forget(policy: RetentionPolicy) -> JobArgs {
        JobArgs::Forget(ForgetArgs { policy, ..Default::default() })
    }

    #[test]
    fn arguments_are_checked_before_anything_runs() {
        let keep7 = RetentionPolicy { keep_daily: Some(7), ..Default::default() };
        assert!(check(forget(keep7.clone())).is_ok());
        assert!(check(forget(RetentionPolicy::default())).is_err(), "keeps nothing");
        let approved = JobArgs::Forget(ForgetArgs {
            policy: keep7.clone(),
            approved: true,
            ..Default::default()
        });
        assert!(check(approved).is_err(), "approval has its own operation");
        let bad_tag = JobArgs::Forget(ForgetArgs {
            policy: keep7,
            tags: vec!["a,b".into()],
            ..Default::default()
        });
        assert!(check(bad_tag).is_err());
        for ok in ["10%", "1/5", "500M", "100%"] {
            assert!(check_subset(Some(ok.into())).is_ok(), "{ok}");
        }
        for bad in ["0%", "101%", "6/5", "0/5", "x", "--read-data", "unlimited"] {
            assert!(check_subset(Some(bad.into())).is_err(), "{bad}");
        }
        let prune = |max_unused: Option<&str>, max_repack_size: Option<&str>| {
            check(JobArgs::Prune(PruneArgs {
                max_unused: max_unused.map(Into::into),
                max_repack_size: max_repack_size.map(Into::into),
                repack_small: true,
                ..Default::default()
            }))
        };
        assert!(prune(Some("--x"), None).is_err());
        for bad in ["5%", "unlimited", "--x", "2GB"] {
            assert!(prune(None, Some(bad)).is_err(), "{bad}");
        }
        let Ok(JobArgs::Prune(p)) = prune(Some("10%"), Some(" 2G ")) else { panic!("refused") };
        assert_eq!((p.max_repack_size.as_deref(), p.repack_small), (Some("2G"), true));
        assert!(check(JobArgs::Backup(Default::default())).is_err());
    }
}

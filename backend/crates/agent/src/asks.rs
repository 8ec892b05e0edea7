//! Questions the server asks (`Action::Ask`): each is answered in the background within
//! its deadline and posted back to `/asks/{id}/answer`. Questions only read: none changes
//! a repository or the host, so a late or lost answer harms nothing.

use std::{sync::Arc, time::Instant};

use cairn_proto::{
    AgentConfig, Answer, Ask, AskFailure, Finding, ForgetArgs, LockSeen, LocksAnswer,
    PreflightAnswer, PreflightQuery, ProbeAnswer, Question, RepositoryConfig, RetentionAnswer,
    Severity,
};
use cairn_restic::{Error, ErrorClass};
use chrono::Utc;
use uuid::Uuid;

use crate::{
    browse, catalog::store::Catalogs, client::Client, facts, identity::Identity,
    jobs::ResticSettings, maintenance, preflight, runner,
};

/// Answers `ask` (the command `ask_id`) in the background and posts the answer. A question
/// whose deadline has passed is dropped: the server no longer waits for it.
#[allow(clippy::too_many_arguments)]
pub fn spawn(
    settings: ResticSettings,
    catalogs: Arc<Catalogs>,
    client: Client,
    id: Arc<Identity>,
    host: Uuid,
    ask_id: Uuid,
    ask: Ask,
    config: Option<AgentConfig>,
) {
    tokio::spawn(async move {
        let Some(left) = (ask.deadline - Utc::now()).to_std().ok().filter(|d| !d.is_zero()) else {
            tracing::warn!(ask = %ask_id, "question arrived after its deadline; dropped");
            return;
        };
        if let Question::Download(q) = &ask.question {
            // A download is streamed as long as it takes; the deadline is for its start.
            crate::download::run(&settings, &client, &id, host, ask_id, q, config.as_ref()).await;
            return;
        }
        let work = answer(&settings, &catalogs, &ask.question, config.as_ref());
        // Dropping the work on time kills its restic (kill_on_drop, process group).
        let Ok(answer) = tokio::time::timeout(left, work).await else {
            tracing::warn!(ask = %ask_id, "question not answered before its deadline; dropped");
            return;
        };
        match client.answer(&id, host, ask_id, &answer).await {
            Ok(()) => tracing::info!(ask = %ask_id, "question answered"),
            Err(e) => tracing::warn!(ask = %ask_id, "the answer was not taken: {e}"),
        }
    });
}

/// The answer to one question, with the config the agent has applied.
pub async fn answer(
    settings: &ResticSettings,
    catalogs: &Arc<Catalogs>,
    question: &Question,
    config: Option<&AgentConfig>,
) -> Answer {
    let repository = match question {
        // Another host's snapshot, compared with this host's files: no repository opened.
        Question::RestoreCompare(q) => return crate::restore::preview::compare_here(q),
        Question::RepositoryProbe(p) => p.repository_id,
        Question::RetentionPreview(q) => q.repository_id,
        Question::Preflight(q) => q.repository_id,
        Question::Locks(q) => q.repository_id,
        Question::Browse(q) => q.scope.repository_id,
        Question::Search(q) => q.scope.repository_id,
        Question::Diff(q) => q.scope.repository_id,
        Question::RestorePreview(q) => q.scope.repository_id,
        Question::RestoreEntries(q) => q.scope.repository_id,
        Question::Download(q) => q.repository_id,
    };
    let Some(repo) = config.and_then(|c| c.repositories.iter().find(|r| r.id == repository)) else {
        return failed(
            "agent.unknown_repository",
            &format!(
                "Repository {repository} is not in this host's configuration (version {}); link it to the host first",
                config.map_or(0, |c| c.version)
            ),
        );
    };
    match question {
        Question::RepositoryProbe(_) => probe(settings, repo).await,
        Question::RetentionPreview(q) => retention(settings, repo, &q.forget).await,
        Question::Preflight(q) => preflight_answer(settings, repo, q).await,
        Question::Locks(_) => locks(settings, repo).await,
        Question::Browse(q) => browse::browse(settings, catalogs, repo, q).await,
        Question::Search(q) => browse::search(settings, catalogs, repo, q).await,
        Question::Diff(q) => browse::diff(settings, catalogs, repo, q).await,
        Question::RestorePreview(q) => {
            crate::restore::preview::preview(settings, catalogs, repo, q).await
        }
        Question::RestoreEntries(q) => {
            crate::restore::preview::entries(settings, catalogs, repo, q).await
        }
        Question::RestoreCompare(q) => crate::restore::preview::compare_here(q),
        // Streamed by `spawn`, never answered here.
        Question::Download(_) => {
            failed("agent.wrong_question", "A download is streamed, not answered")
        }
    }
}

/// The repository's locks, each judged by restic's staleness rule from this host.
async fn locks(settings: &ResticSettings, cfg: &RepositoryConfig) -> Answer {
    let restic = match runner::restic(settings).await {
        Ok(r) => r,
        Err(e) => return failed(e.code(), &e.to_string()),
    };
    let (host, now) = (facts::hostname(), Utc::now());
    match restic.list_locks(&runner::repo(cfg)).await {
        Ok(list) => Answer::Locks(LocksAnswer {
            locks: list
                .into_iter()
                .map(|l| LockSeen {
                    stale: l.is_stale(&host, now),
                    hostname: l.hostname,
                    pid: l.pid,
                    username: l.username,
                    exclusive: l.exclusive,
                    since: l.time,
                })
                .collect(),
        }),
        Err(e) => failed(e.code(), &e.to_string()),
    }
}

/// Could this backup run from here, and what would run: the local checks, the repository
/// opened with its password (`restic cat config`, as the probe does), and the argv and
/// environment (secrets masked) a backup job of this spec would get.
async fn preflight_answer(
    settings: &ResticSettings,
    cfg: &RepositoryConfig,
    q: &PreflightQuery,
) -> Answer {
    let restic = match runner::restic(settings).await {
        Ok(r) => r,
        Err(e) => return failed(e.code(), &e.to_string()),
    };
    let host = facts::hostname();
    let mut findings = preflight::local_checks(
        &q.backup,
        &q.hooks,
        settings.cache_dir.as_deref(),
        Some(restic.version()),
        &host,
    );
    let repo = runner::repo(cfg);
    if let Err(e) = restic.cat_config(&repo).await {
        findings.push(repository_finding(&e, &repo.display_url(), &host));
    }
    // The same function a backup job builds its options with, so this is what would run.
    let args =
        runner::backup_options(&q.backup, &host).and_then(|o| o.args().map_err(|e| e.to_string()));
    let command = match args {
        Ok(args) => std::iter::once(restic.binary().as_os_str().to_owned())
            .chain(restic.argv(args))
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        Err(why) => {
            // Said once: the local checks may have named the reason already.
            if preflight::blocked(&findings).next().is_none() {
                findings.push(Finding::new(
                    "backup.invalid",
                    Severity::Blocked,
                    format!("This backup cannot be built: {why}."),
                ));
            }
            vec![]
        }
    };
    Answer::Preflight(PreflightAnswer {
        findings,
        command,
        env: repo.masked_env(),
        restic_version: restic.version().to_string(),
    })
}

/// Why the repository did not open, as a blocking finding with restic's class.
fn repository_finding(e: &Error, url: &str, host: &str) -> Finding {
    let class = e.code();
    let (code, message) = match e {
        Error::Restic(ErrorClass::WrongPassword) => (
            "repository.wrong_password",
            format!(
                "The repository's password does not open {url} ({class}): correct the password in the repository's settings."
            ),
        ),
        Error::Restic(ErrorClass::RepoMissing) => (
            "repository.missing",
            format!(
                "There is no restic repository at {url} ({class}): initialise it, or correct the repository's URL."
            ),
        ),
        other => (
            "repository.unreachable",
            format!(
                "{host} cannot open the repository at {url} ({class}: {other}): check the URL, the network and the backend's credentials."
            ),
        ),
    };
    Finding::new(code, Severity::Blocked, message)
}

/// `restic forget --dry-run --json`: what the policy keeps (with restic's reasons) and
/// removes, and whether the repository's delete guard would let it.
async fn retention(settings: &ResticSettings, cfg: &RepositoryConfig, f: &ForgetArgs) -> Answer {
    let restic = match runner::restic(settings).await {
        Ok(r) => r,
        Err(e) => return failed(e.code(), &e.to_string()),
    };
    match restic.forget_preview(&runner::repo(cfg), &maintenance::forget_options(f)).await {
        Ok(groups) => Answer::RetentionPreview(RetentionAnswer {
            report: maintenance::report(&groups, false),
            blocked_by: maintenance::guard_verdict(&cfg.guard, &groups),
        }),
        Err(e) => failed(e.code(), &e.to_string()),
    }
}

/// Opens the repository with its credentials: `restic cat config`.
async fn probe(settings: &ResticSettings, cfg: &RepositoryConfig) -> Answer {
    let started = Instant::now();
    let restic = match runner::restic(settings).await {
        Ok(r) => r,
        Err(e) => return failed(e.code(), &e.to_string()),
    };
    match restic.cat_config(&runner::repo(cfg)).await {
        Ok(c) => Answer::RepositoryProbe(ProbeAnswer {
            restic_repository_id: c.id,
            format_version: c.version,
            elapsed_ms: started.elapsed().as_millis() as u64,
            restic_version: Some(restic.version().to_string()),
        }),
        Err(e) => failed(e.code(), &e.to_string()),
    }
}

fn failed(class: &str, message: &str) -> Answer {
    Answer::Failed(AskFailure { error_class: class.to_string(), message: message.to_string() })
}

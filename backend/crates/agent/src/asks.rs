//! Questions the server asks (`Action::Ask`): each is answered in the background within
//! its deadline and posted back to `/asks/{id}/answer`. Questions only read: none changes
//! a repository or the host, so a late or lost answer harms nothing.

use std::{sync::Arc, time::Instant};

use cairn_proto::{
    AgentConfig, Answer, Ask, AskFailure, ForgetArgs, ProbeAnswer, Question, RepositoryConfig,
    RetentionAnswer,
};
use chrono::Utc;
use uuid::Uuid;

use crate::{client::Client, identity::Identity, jobs::ResticSettings, maintenance, runner};

/// Answers `ask` (the command `ask_id`) in the background and posts the answer. A question
/// whose deadline has passed is dropped: the server no longer waits for it.
pub fn spawn(
    settings: ResticSettings,
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
        let work = answer(&settings, &ask.question, config.as_ref());
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
    question: &Question,
    config: Option<&AgentConfig>,
) -> Answer {
    let repository = match question {
        Question::RepositoryProbe(p) => p.repository_id,
        Question::RetentionPreview(q) => q.repository_id,
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
    }
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

//! Asking an online agent a question and awaiting its answer within a deadline: the
//! question travels as an `ask` command through the host's poll, the answer comes back on
//! `POST /api/agent/v1/asks/{id}/answer` and is handed to the waiting request. Questions
//! only read (probe, later browse, diff, preview), so they are not jobs: no history, no
//! audit event of their own; the asking operation audits itself if it changes anything.

use std::time::Duration as StdDuration;

use cairn_proto::{Action, Answer, Ask, Question};
use chrono::Utc;
use uuid::Uuid;

use super::{Domain, DomainError, audit::Actor, fleet};
use crate::{
    codes::Code,
    store::{commands, hosts::HostRow},
};

/// How long the server waits for an answer (`agents.ask_timeout_secs`). A held poll hands
/// the question over in milliseconds; the rest is the agent's work (restic start-up, a
/// remote backend).
pub fn deadline(state: &Domain) -> StdDuration {
    StdDuration::from_secs(state.agents.ask_timeout_secs)
}

/// Puts `question` to `host`'s agent and waits for the answer, at most `deadline`. The
/// host must be online; an agent that does not answer in time is `agent.no_answer`, and
/// a question it never received is withdrawn then.
pub async fn ask(
    state: &Domain,
    actor: &Actor,
    host: &HostRow,
    question: Question,
    deadline: StdDuration,
) -> Result<Answer, DomainError> {
    let now = Utc::now();
    let offline_after = StdDuration::from_secs(state.agents.offline_after_secs);
    if !fleet::is_online(host, offline_after, now) {
        return Err(DomainError::conflict(
            Code::HostOffline,
            format!(
                "{} is offline (its agent has not been in touch for over {} s); start the agent and try again.",
                host.hostname, state.agents.offline_after_secs
            ),
        ));
    }
    let ask = Ask {
        deadline: now + chrono::Duration::from_std(deadline).unwrap_or(chrono::Duration::zero()),
        config_version: host.config_version.max(0) as u64,
        question,
    };
    let cmd = fleet::command(Uuid::now_v7(), Action::Ask(ask), now);
    let id = cmd.id;
    let waiting = Waiting { state, id };
    let answer = state.hub.await_answer(id, host.id);
    let txn = state.store.write().await?;
    commands::enqueue(&*txn, fleet::command_row(&cmd, host.id, actor)?).await?;
    txn.commit().await?;
    state.hub.deliver(host.id, vec![cmd]);
    match tokio::time::timeout(deadline, answer).await {
        Ok(Ok(answer)) => Ok(answer),
        // Timed out (or the waiter was dropped): withdraw it if no poll took it yet.
        _ => {
            drop(waiting);
            state.hub.slot(host.id).retract(id);
            let txn = state.store.write().await?;
            let never_received = commands::retract_undelivered(&*txn, id).await?;
            txn.commit().await?;
            Err(DomainError::NoAnswer {
                message: if never_received {
                    format!(
                        "{}'s agent did not pick up the question within {} s; it may be busy or cut off.",
                        host.hostname,
                        deadline.as_secs()
                    )
                } else {
                    format!(
                        "{}'s agent received the question but did not answer within {} s.",
                        host.hostname,
                        deadline.as_secs()
                    )
                },
            })
        }
    }
}

/// Stops waiting when the asking request ends in any way (answered, timed out, or dropped
/// because its client went away), so no waiter outlives its asker.
struct Waiting<'a> {
    state: &'a Domain,
    id: Uuid,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.state.hub.stop_waiting(self.id);
    }
}

/// An answer posted by `host`'s agent. A question that is not this host's is "not found",
/// like one that does not exist; one nobody waits for any more is `ask.closed`.
pub async fn receive(
    state: &Domain,
    host: &HostRow,
    ask: Uuid,
    answer: Answer,
) -> Result<(), DomainError> {
    if state.hub.answered(ask, host.id, answer) {
        return Ok(());
    }
    let row = commands::find(state.store.db(), ask).await?;
    match row {
        Some(r) if r.host_id == host.id && r.kind == cairn_proto::CommandKind::Ask => {
            Err(DomainError::conflict(
                Code::AskClosed,
                "Nobody waits for this answer any more (answered already, or past its deadline).",
            ))
        }
        _ => Err(DomainError::NotFound { what: "question" }),
    }
}

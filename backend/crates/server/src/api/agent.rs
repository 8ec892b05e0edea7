//! The agent API (`/api/agent/v1`): enrollment, announce-and-approve, and the long-poll
//! that is both the agent's heartbeat and its way to receive commands and config.

use cairn_proto::{
    AnnounceRequest, AnnounceStatus, Answer, EnrollRequest, EnrollResponse, JobEventAck,
    JobEventBatch, PROTOCOL_VERSION, PollRequest, PollResponse,
};
use chrono::Utc;
use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::security::ClientInfo;
use super::{
    ApiTags,
    agent_security::{AgentAuth, AnnounceAuth, ProtocolGuard, protocol_error},
    auth::NoContent,
    error::ApiError,
    late_json::LateJson,
    serde_json_body::SerdeJson,
};
use crate::{
    app::AppState,
    domain::{asks, enrollment, jobs, poll},
};

pub struct AgentApi;

#[derive(ApiResponse)]
pub enum Enrolled {
    /// The agent is now a host; keep the host id.
    #[oai(status = 201)]
    Created(Json<EnrollResponse>),
}

fn body_protocol(v: u32) -> Result<(), ApiError> {
    if v == PROTOCOL_VERSION { Ok(()) } else { Err(protocol_error(PROTOCOL_VERSION, Some(v))) }
}

#[OpenApi(prefix_path = "/agent/v1", tag = "ApiTags::Agent")]
impl AgentApi {
    /// Enrolls an agent with a one-time enrollment token.
    #[oai(path = "/enroll", method = "post", operation_id = "agent_enroll")]
    async fn enroll(
        &self,
        _protocol: ProtocolGuard,
        state: Data<&AppState>,
        client: ClientInfo,
        body: Json<EnrollRequest>,
    ) -> Result<Enrolled, ApiError> {
        body_protocol(body.protocol_version)?;
        let b = body.0;
        let host = enrollment::enroll(&state, &client.0, &b.token, &b.public_key, b.facts).await?;
        Ok(Enrolled::Created(Json(EnrollResponse {
            host_id: host.id,
            fingerprint: host.fingerprint,
        })))
    }

    /// Asks to join without a token; an admin compares the fingerprint and decides.
    #[oai(path = "/announce", method = "post", operation_id = "agent_announce")]
    async fn announce(
        &self,
        _protocol: ProtocolGuard,
        state: Data<&AppState>,
        client: ClientInfo,
        body: Json<AnnounceRequest>,
    ) -> Result<Json<AnnounceStatus>, ApiError> {
        body_protocol(body.protocol_version)?;
        let b = body.0;
        let row = enrollment::announce(&state, &client.0, &b.public_key, b.facts).await?;
        let (state_now, message) = enrollment::announce_state(&row, Utc::now());
        Ok(Json(AnnounceStatus {
            pending_id: row.id,
            fingerprint: row.fingerprint,
            state: state_now,
            host_id: row.host_id,
            message,
        }))
    }

    /// Where an announced agent's request stands (signed with the announced key).
    #[oai(path = "/announce/status", method = "post", operation_id = "agent_announce_status")]
    async fn announce_status(&self, auth: AnnounceAuth) -> Result<Json<AnnounceStatus>, ApiError> {
        let row = auth.pending;
        let (state_now, message) = enrollment::announce_state(&row, Utc::now());
        Ok(Json(AnnounceStatus {
            pending_id: row.id,
            fingerprint: row.fingerprint,
            state: state_now,
            host_id: row.host_id,
            message,
        }))
    }

    /// The long-poll: heartbeat in, commands and newer config out (held up to
    /// `agents.poll_timeout_secs` when there is nothing to say). A held poll's head goes
    /// out at once and its body when there is something to say or the time is up.
    #[oai(path = "/poll", method = "post", operation_id = "agent_poll")]
    async fn poll(
        &self,
        auth: AgentAuth,
        state: Data<&AppState>,
        body: Json<PollRequest>,
    ) -> Result<LateJson<PollResponse>, ApiError> {
        body_protocol(body.protocol_version)?;
        let poll_timeout_secs = state.agents.poll_timeout_secs;
        let response = move |answer: poll::PollAnswer| PollResponse {
            commands: answer.commands,
            config: answer.config,
            poll_timeout_secs,
            refused: answer.refused,
        };
        let poll = poll::start(&state, &auth.host, &auth.client, &body).await?;
        Ok(match poll {
            poll::Poll::Now(answer) => LateJson::Now(response(answer)),
            poll::Poll::Held(held) => {
                LateJson::later(async move { held.answer().await.map(response) })
            }
        })
    }

    /// A batch of one job's events (log lines, progress, snapshots, the end), in seq order.
    /// Idempotent: events at or below the stored seq are skipped, so a retry is harmless.
    /// Another host's job is 404, like one that does not exist.
    #[oai(path = "/jobs/:id/events", method = "post", operation_id = "agent_job_events")]
    async fn job_events(
        &self,
        auth: AgentAuth,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: SerdeJson<JobEventBatch>,
    ) -> Result<Json<JobEventAck>, ApiError> {
        let ack = jobs::ingest(&state, &auth.host, id.0, body.0.events).await?;
        Ok(Json(ack))
    }

    /// The answer to a question the server asked (`id` = the `ask` command's id). 204
    /// when the asker got it; 409 `ask.closed` when nobody waits any more (answered
    /// already, past its deadline); another host's question is 404, like one that does
    /// not exist.
    #[oai(path = "/asks/:id/answer", method = "post", operation_id = "agent_answer")]
    async fn answer(
        &self,
        auth: AgentAuth,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: SerdeJson<Answer>,
    ) -> Result<NoContent, ApiError> {
        asks::receive(&state, &auth.host, id.0, body.0).await?;
        Ok(NoContent::Done)
    }

    /// The source repository of a cross-host restore running on this host, for that job
    /// only: while it has not ended (then 409 `job.finished`); any other job, or another
    /// host's, is 404. The agent keeps it in memory for the job and never in its config.
    #[oai(path = "/jobs/:id/repository", method = "get", operation_id = "agent_job_repository")]
    async fn job_repository(
        &self,
        auth: AgentAuth,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<cairn_proto::RepositoryConfig>, ApiError> {
        Ok(Json(crate::domain::restores::credentials(&state, &auth.host, id.0).await?))
    }

    /// The bytes of a download the server asked for (`id` = the `ask` command's id),
    /// streamed as the body (`application/octet-stream`, any length, not bound by
    /// `http.body_limit_bytes`): they flow through to the browser that asked, and the
    /// request ends (204) when the browser's answer has. Another host's, or one nobody
    /// waits for, is 404.
    #[oai(path = "/downloads/:id", method = "post", operation_id = "agent_upload_download")]
    async fn upload(
        &self,
        auth: AgentAuth,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: poem_openapi::payload::Binary<poem::Body>,
    ) -> Result<NoContent, ApiError> {
        let (done, ended) = tokio::sync::oneshot::channel();
        let upload = crate::hub::Upload { body: Box::pin(body.0.into_bytes_stream()), done };
        if state.hub.uploaded(id.0, auth.host.id, upload).is_err() {
            return Err(crate::domain::DomainError::NotFound { what: "download" }.into());
        }
        let _ = ended.await;
        Ok(NoContent::Done)
    }
}

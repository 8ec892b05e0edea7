//! The agent's HTTP client: every request carries the protocol version and a freshly
//! signed token; answers are sorted into what the run loop must do (retry later, stop
//! because the host was revoked, stop because the versions differ).

use std::time::Duration;

use cairn_proto::{
    AnnounceRequest, AnnounceStatus, EnrollRequest, EnrollResponse, JobEvent, JobEventAck,
    PROTOCOL_HEADER, PROTOCOL_VERSION, PollRequest, PollResponse, codes,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::identity::Identity;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Network trouble or a 5xx: try again with back-off.
    #[error("server unreachable: {0}")]
    Transient(String),
    /// The server no longer accepts this host's key (deleted, or never enrolled).
    #[error("{0}")]
    Revoked(String),
    /// Agent and server speak different protocol versions.
    #[error("{0}")]
    Protocol(String),
    /// The server refused the request (bad token, rate limit…): the message says why.
    #[error("{0}")]
    Refused(String),
    /// The agent's own settings cannot work (a bad pin, a pin on plain HTTP).
    #[error("{0}")]
    Setup(String),
    /// The agent could not sign its request token: a local fault (its key or crypto), not
    /// a refusal by the server. Retried with back-off like a network failure, and logged.
    #[error("cannot sign a request token: {0}")]
    Signing(String),
}

fn signed(id: &Identity, sub: Uuid) -> Result<String, ClientError> {
    id.token(sub).map_err(|e| ClientError::Signing(e.to_string()))
}

/// The error with its causes: reqwest's own message ("error sending request") hides the
/// part a person can act on, such as a certificate that does not match the pin.
fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(cause) = cur {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = cause.source();
    }
    out
}

/// Cheap to clone: the poll loop and the event uploader share one connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

async fn answer<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, ClientError> {
    let status = resp.status();
    if status.is_success() {
        return resp
            .json::<T>()
            .await
            .map_err(|e| ClientError::Transient(format!("bad answer: {e}")));
    }
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    let code = body["code"].as_str().unwrap_or("");
    let message = body["message"].as_str().unwrap_or("no message").to_string();
    Err(refusal(status.as_u16(), code, message))
}

/// What a refusal means to the agent, from its status and stable code.
fn refusal(status: u16, code: &str, message: String) -> ClientError {
    match (status, code) {
        (_, codes::AGENT_PROTOCOL_MISMATCH) => ClientError::Protocol(message),
        // A wrong clock heals when NTP catches up: keep trying, and say what is wrong.
        (401, codes::AGENT_CLOCK_SKEW) => ClientError::Transient(format!(
            "{message} The clocks of this host and the server disagree; check NTP."
        )),
        (401, codes::AGENT_REVOKED | codes::AGENT_UNAUTHORIZED) => ClientError::Revoked(message),
        (s, _) if s >= 500 || s == 408 => ClientError::Transient(format!("{status}: {message}")),
        (429, _) => ClientError::Transient(format!("{status}: {message}")),
        _ => ClientError::Refused(message),
    }
}

impl Client {
    /// `timeout` must exceed the server's poll hold time. With `pin`, only the server
    /// certificate with that SHA-256 is accepted (see [`crate::tls`]).
    pub fn new(base: &str, timeout: Duration, pin: Option<&str>) -> Result<Client, ClientError> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("cairn-agent/", env!("CARGO_PKG_VERSION")))
            // One connection for the held poll, one for event uploads.
            .pool_max_idle_per_host(2);
        if let Some(pin) = pin {
            if !base.starts_with("https://") {
                return Err(ClientError::Setup(format!(
                    "--pin needs an https:// server URL, not {base}"
                )));
            }
            let digest = cairn_proto::parse_pin(pin).map_err(ClientError::Setup)?;
            let tls = crate::tls::pinned_config(digest)
                .map_err(|e| ClientError::Setup(format!("TLS setup: {e}")))?;
            builder = builder.use_preconfigured_tls(tls);
        }
        let http = builder.build().map_err(|e| ClientError::Setup(describe(&e)))?;
        Ok(Client { http, base: base.trim_end_matches('/').to_string() })
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}/api/agent/v1{path}", self.base))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
    }

    async fn send<T: DeserializeOwned>(
        &self,
        rb: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let resp = rb.send().await.map_err(|e| ClientError::Transient(describe(&e)))?;
        answer(resp).await
    }

    pub async fn enroll(&self, req: &EnrollRequest) -> Result<EnrollResponse, ClientError> {
        self.send(self.post("/enroll").json(req)).await
    }

    pub async fn announce(&self, req: &AnnounceRequest) -> Result<AnnounceStatus, ClientError> {
        self.send(self.post("/announce").json(req)).await
    }

    pub async fn announce_status(
        &self,
        id: &Identity,
        pending: Uuid,
    ) -> Result<AnnounceStatus, ClientError> {
        self.send(self.post("/announce/status").bearer_auth(signed(id, pending)?)).await
    }

    pub async fn poll(
        &self,
        id: &Identity,
        host: Uuid,
        req: &PollRequest,
    ) -> Result<PollResponse, ClientError> {
        let answer: PollResponse =
            self.send(self.post("/poll").bearer_auth(signed(id, host)?).json(req)).await?;
        // A held poll refused after its 200 head went out says so in the body: the same
        // refusal as the 401 a new poll would get.
        match answer.refused {
            Some(r) => Err(refusal(401, &r.code, r.message)),
            None => Ok(answer),
        }
    }

    /// Answers a question the server asked (`ask` is the command's id). `Refused` when the
    /// server no longer waits for it (answered already, past its deadline).
    pub async fn answer(
        &self,
        id: &Identity,
        host: Uuid,
        ask: Uuid,
        reply: &cairn_proto::Answer,
    ) -> Result<(), ClientError> {
        let rb = self
            .post(&format!("/asks/{ask}/answer"))
            .bearer_auth(signed(id, host)?)
            .timeout(EVENTS_TIMEOUT)
            .json(reply);
        let resp = rb.send().await.map_err(|e| ClientError::Transient(describe(&e)))?;
        if resp.status().is_success() {
            return Ok(()); // 204: no body to read
        }
        answer::<serde_json::Value>(resp).await.map(|_| ())
    }

    /// Streams a download's bytes to the server (`download` is the question's id).
    pub async fn upload(
        &self,
        id: &Identity,
        host: Uuid,
        download: Uuid,
        body: reqwest::Body,
    ) -> Result<(), ClientError> {
        let rb = self
            .post(&format!("/downloads/{download}"))
            .bearer_auth(signed(id, host)?)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(body);
        let resp = rb.send().await.map_err(|e| ClientError::Transient(describe(&e)))?;
        if resp.status().is_success() {
            return Ok(());
        }
        answer::<serde_json::Value>(resp).await.map(|_| ())
    }

    /// The credentials of a cross-host restore's source repository, for that job only.
    pub async fn job_repository(
        &self,
        id: &Identity,
        host: Uuid,
        job: Uuid,
    ) -> Result<cairn_proto::RepositoryConfig, ClientError> {
        let rb = self
            .http
            .get(format!("{}/api/agent/v1/jobs/{job}/repository", self.base))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(signed(id, host)?)
            .timeout(EVENTS_TIMEOUT);
        let resp = rb.send().await.map_err(|e| ClientError::Transient(describe(&e)))?;
        answer(resp).await
    }

    /// Uploads a batch of one job's events. `Refused` (any 4xx but 408 and 429, e.g.
    /// `404 job.not_found`) means the server will never take them.
    pub async fn job_events(
        &self,
        id: &Identity,
        host: Uuid,
        job: Uuid,
        events: &[JobEvent],
    ) -> Result<JobEventAck, ClientError> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            events: &'a [JobEvent],
        }
        let rb = self
            .post(&format!("/jobs/{job}/events"))
            .bearer_auth(signed(id, host)?)
            // Far shorter than the poll's: nothing is held on purpose here.
            .timeout(EVENTS_TIMEOUT)
            .json(&Body { events });
        self.send(rb).await
    }
}

const EVENTS_TIMEOUT: Duration = Duration::from_secs(60);

/// A poll body: the host facts, the jobs running and those whose events are still on
/// their way (`unsent`), and the config version applied.
pub fn request(
    facts: cairn_proto::AgentFacts,
    config_version: u64,
    running_jobs: Vec<Uuid>,
    unsent_jobs: Vec<Uuid>,
) -> PollRequest {
    PollRequest {
        protocol_version: PROTOCOL_VERSION,
        facts,
        running_jobs,
        unsent_jobs,
        config_version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_token_that_cannot_be_signed_is_a_local_error_not_a_revocation() {
        let id = Identity::with_broken_signer();
        assert!(id.token(Uuid::nil()).is_err(), "the broken signer fails");
        // Nothing listens on port 1: had the request been sent, this would be Transient.
        let client = Client::new("http://127.0.0.1:1", Duration::from_secs(5), None).unwrap();
        let req = cairn_proto::PollRequest {
            protocol_version: cairn_proto::PROTOCOL_VERSION,
            facts: Default::default(),
            running_jobs: vec![],
            unsent_jobs: vec![],
            config_version: 0,
        };
        match client.poll(&id, Uuid::nil(), &req).await {
            Err(ClientError::Signing(m)) => assert!(!m.is_empty()),
            other => panic!("expected a signing error, got {:?}", other.map(|_| ())),
        }
    }
}

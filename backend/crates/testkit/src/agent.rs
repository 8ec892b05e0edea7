//! A simulated agent for tests and benchmarks: its own Ed25519 key, real signed JWTs, the
//! real wire types over real HTTP. Not the cairn-agent binary (that one is tested by
//! running it); this one lets a test speak the protocol step by step.

use base64::Engine;
use cairn_proto::{
    AGENT_AUDIENCE, AgentFacts, AnnounceRequest, EnrollRequest, PROTOCOL_HEADER, PROTOCOL_VERSION,
    PollRequest,
};
use ed25519_dalek::{SigningKey, pkcs8::EncodePrivateKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

pub struct SimAgent {
    pub base: String,
    pub client: reqwest::Client,
    key: SigningKey,
    encoding: EncodingKey,
    /// Host id once enrolled (or the pending id while announced).
    pub id: Option<Uuid>,
    pub facts: AgentFacts,
    /// Jobs this agent says it runs in its polls.
    pub running: Vec<Uuid>,
    /// The token `try_poll` reuses, as cairn-agent does: when it was issued, and the token.
    reused: std::sync::Mutex<Option<(i64, String)>>,
}

impl SimAgent {
    pub fn new(base: &str, hostname: &str) -> SimAgent {
        let mut seed = [0u8; 32];
        seed[..16].copy_from_slice(Uuid::new_v4().as_bytes());
        seed[16..].copy_from_slice(Uuid::new_v4().as_bytes());
        let key = SigningKey::from_bytes(&seed);
        let der = key.to_pkcs8_der().expect("pkcs8");
        SimAgent {
            base: base.to_string(),
            client: reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client"),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            key,
            id: None,
            running: Vec::new(),
            reused: std::sync::Mutex::new(None),
            facts: AgentFacts {
                hostname: hostname.into(),
                os: "Debian GNU/Linux 12 (bookworm)".into(),
                arch: "x86_64".into(),
                agent_version: env!("CARGO_PKG_VERSION").into(),
                restic_version: Some("0.14.0".into()),
                timezone: Some("Europe/Berlin".into()),
            },
        }
    }

    pub fn public_key(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    pub fn fingerprint(&self) -> String {
        cairn_proto::fingerprint(&self.key.verifying_key().to_bytes())
    }

    /// A request token for `sub`, valid `ttl` seconds from `iat_offset` seconds from now.
    pub fn token_with(&self, sub: Uuid, iat_offset: i64, ttl: i64, aud: &str) -> String {
        let iat = chrono::Utc::now().timestamp() + iat_offset;
        let claims = json!({ "sub": sub, "aud": aud, "iat": iat, "exp": iat + ttl });
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &self.encoding).expect("sign")
    }

    pub fn token(&self) -> String {
        self.token_with(self.id.expect("enrolled"), 0, 120, AGENT_AUDIENCE)
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/api/agent/v1{path}", self.base))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
    }

    pub async fn enroll(&mut self, token: &str) -> reqwest::Response {
        let body = EnrollRequest {
            protocol_version: PROTOCOL_VERSION,
            token: token.into(),
            public_key: self.public_key(),
            facts: self.facts.clone(),
        };
        let r = crate::contract::send(self.post("/enroll").json(&body)).await;
        if r.status().is_success() {
            let v: Value = r.json().await.expect("json");
            self.id = v["host_id"].as_str().and_then(|s| s.parse().ok());
            // Re-wrap for the caller: status 201 with the same body.
            return fake_response(201, v);
        }
        r
    }

    /// `enroll`, expecting success: the server's answer (the agent now knows its host id).
    pub async fn enroll_ok(&mut self, token: &str) -> cairn_proto::EnrollResponse {
        let r = self.enroll(token).await;
        crate::expect_json(r, reqwest::StatusCode::CREATED, "enroll").await
    }

    /// `poll`, expecting 200: the typed answer.
    pub async fn poll_ok(&self, config_version: u64) -> cairn_proto::PollResponse {
        let r = self.poll(config_version).await;
        crate::expect_json(r, reqwest::StatusCode::OK, "poll").await
    }

    pub async fn announce(&mut self) -> Value {
        let body = AnnounceRequest {
            protocol_version: PROTOCOL_VERSION,
            public_key: self.public_key(),
            facts: self.facts.clone(),
        };
        let r = crate::contract::send(self.post("/announce").json(&body)).await;
        let v: Value = r.json().await.expect("json");
        self.id = v["pending_id"].as_str().and_then(|s| s.parse().ok());
        v
    }

    pub async fn announce_status(&self) -> reqwest::Response {
        crate::contract::send(self.post("/announce/status").bearer_auth(self.token())).await
    }

    pub fn poll_request(&self, config_version: u64) -> PollRequest {
        PollRequest {
            protocol_version: PROTOCOL_VERSION,
            facts: self.facts.clone(),
            running_jobs: self.running.clone(),
            unsent_jobs: vec![],
            config_version,
        }
    }

    /// One poll with a fresh token; transport errors are returned, not panicked on.
    /// Like cairn-agent: the same token for a minute (it is valid for two), then a new one.
    pub fn reused_token(&self) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut reused = self.reused.lock().unwrap_or_else(|e| e.into_inner());
        match reused.as_ref() {
            Some((iat, token)) if (0..60).contains(&(now - iat)) => token.clone(),
            _ => {
                let token = self.token();
                *reused = Some((now, token.clone()));
                token
            }
        }
    }

    /// A poll as cairn-agent makes it (the load generator's). Not contract-checked: the
    /// benchmark sends ten thousand of these at once.
    pub async fn try_poll(&self, config_version: u64) -> Result<reqwest::Response, reqwest::Error> {
        self.post("/poll")
            .bearer_auth(self.reused_token())
            .json(&self.poll_request(config_version))
            .send()
            .await
    }

    /// One poll with a fresh token.
    pub async fn poll(&self, config_version: u64) -> reqwest::Response {
        self.poll_with_token(&self.token(), config_version).await
    }

    /// Posts a batch of a job's events (raw JSON, so tests can also send bad ones).
    pub async fn send_events(&self, job: Uuid, events: Value) -> reqwest::Response {
        let rb = self
            .post(&format!("/jobs/{job}/events"))
            .bearer_auth(self.token())
            .json(&json!({ "events": events }));
        crate::contract::send(rb).await
    }

    /// Posts the answer to a question (raw JSON, so tests can also send bad ones).
    pub async fn answer(&self, ask: Uuid, answer: Value) -> reqwest::Response {
        let rb = self.post(&format!("/asks/{ask}/answer")).bearer_auth(self.token()).json(&answer);
        crate::contract::send(rb).await
    }

    /// A poll whose answer is handed over as soon as its head arrives: for tests of the held
    /// poll itself, whose body comes later or is cut. Not contract-checked (that would wait
    /// for the body); `poll` is.
    pub async fn poll_head(&self, config_version: u64) -> reqwest::Response {
        self.post("/poll")
            .bearer_auth(self.token())
            .json(&self.poll_request(config_version))
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn poll_with_token(&self, token: &str, config_version: u64) -> reqwest::Response {
        let rb = self.post("/poll").bearer_auth(token).json(&self.poll_request(config_version));
        crate::contract::send(rb).await
    }
}

fn fake_response(status: u16, body: Value) -> reqwest::Response {
    let resp = http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .expect("response");
    reqwest::Response::from(resp)
}

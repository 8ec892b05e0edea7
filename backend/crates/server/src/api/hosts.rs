//! `/hosts`, `/pending-hosts`, `/enrollment-tokens`: the fleet as operators see it.

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::jobs::JobStatus;
use super::security::{Auth, HostAuth, perm};
use super::{ApiTags, auth::NoContent, error::ApiError, serde_json_body::SerdeJson, wire_time};
use crate::{
    app::AppState,
    auth::{Permission, Principal},
    domain::rows::{HostFilter, HostRow},
    domain::schedules::{self, HostRuns},
    domain::{fleet, repositories},
};

pub struct HostsApi;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    Online,
    Offline,
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct Host {
    pub id: Uuid,
    pub hostname: String,
    pub os: String,
    pub arch: String,
    pub agent_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restic_version: Option<String>,
    /// True when the agent is older than this server.
    pub agent_outdated: bool,
    /// `SHA256:…` of the agent's public key.
    pub fingerprint: String,
    pub tags: Vec<String>,
    pub status: HostStatus,
    #[serde(serialize_with = "wire_time::opt_time", skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
    /// `token` or `announce`.
    pub enrolled_via: String,
    #[serde(serialize_with = "wire_time::time")]
    pub created_at: DateTime<Utc>,
    pub repository_ids: Vec<Uuid>,
    /// The config version the server wants the agent on, and the one it reported.
    pub config_version: i64,
    pub applied_config_version: i64,
    /// The IANA zone the agent reported; the one its schedules use by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The earliest coming fire over the host's enabled cron schedules; absent when it has
    /// none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_run: Option<HostNextRun>,
    /// The newest job any of the host's schedules made, by its cron or by "Run now";
    /// absent when they made none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_scheduled_run: Option<HostScheduledRun>,
    /// What the caller may do on this host: the host-level permissions of their role over
    /// all hosts and of each host role whose tags the host carries. A web app shows this
    /// host's actions by it (operations needing a permission over all hosts are not here).
    pub my_permissions: Vec<Permission>,
}

/// When a host's schedules fire next, and which one.
#[derive(Object, serde::Serialize)]
pub struct HostNextRun {
    /// The fire time, read in the schedule's zone (its own, else the host's, else UTC).
    #[serde(serialize_with = "wire_time::time")]
    pub at: DateTime<Utc>,
    pub schedule_id: Uuid,
    pub schedule_name: String,
}

/// The newest job a host's schedules made.
#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct HostScheduledRun {
    pub job_id: Uuid,
    pub status: JobStatus,
    #[serde(serialize_with = "wire_time::time")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "wire_time::opt_time", skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    pub schedule_id: Uuid,
    pub schedule_name: String,
}

/// Compares dotted versions numerically ("0.9.0" < "0.10.0").
pub fn older_than(agent: &str, server: &str) -> bool {
    crate::domain::fleet::version_older(agent, server)
}

fn view(
    h: HostRow,
    repos: Vec<Uuid>,
    runs: HostRuns,
    who: &Principal,
    offline_after: std::time::Duration,
    now: DateTime<Utc>,
) -> Host {
    let online = fleet::is_online(&h, offline_after, now);
    let tags = fleet::tags_of(&h.tags);
    Host {
        my_permissions: who.permissions_on(&tags),
        next_run: runs.next_run.map(|n| HostNextRun {
            at: n.at,
            schedule_id: n.schedule_id,
            schedule_name: n.schedule_name,
        }),
        last_scheduled_run: runs.last_run.map(|j| HostScheduledRun {
            job_id: j.job_id,
            status: j.status.into(),
            created_at: j.created_at,
            finished_at: j.finished_at,
            schedule_id: j.schedule_id,
            schedule_name: j.schedule_name,
        }),
        agent_outdated: older_than(&h.agent_version, env!("CARGO_PKG_VERSION")),
        tags,
        status: if online { HostStatus::Online } else { HostStatus::Offline },
        id: h.id,
        hostname: h.hostname,
        os: h.os,
        arch: h.arch,
        agent_version: h.agent_version,
        restic_version: h.restic_version,
        fingerprint: h.fingerprint,
        last_seen_at: h.last_seen_at,
        last_ip: h.last_ip,
        enrolled_via: h.enrolled_via,
        created_at: h.created_at,
        repository_ids: repos,
        config_version: h.config_version,
        applied_config_version: h.applied_config_version,
        timezone: h.timezone,
    }
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct HostList {
    /// By hostname.
    pub items: Vec<Host>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// How many hosts match, up to 10,000; only with `with_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// More than `total` match; only with `with_total=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_capped: Option<bool>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateHostRequest {
    /// The host's tags, replacing the current ones (letters, digits, `- _ . : / =`;
    /// stored lower-cased, duplicates dropped).
    #[oai(validator(
        max_items = 32,
        min_length = 1,
        max_length = 64,
        pattern = r"^[A-Za-z0-9_.:/=-]+$"
    ))]
    pub tags: Vec<String>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SetHostRepositoriesRequest {
    #[oai(validator(max_items = 100))]
    pub repository_ids: Vec<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QueuedCommand {
    pub command_id: Uuid,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum Queued {
    /// Queued; the agent receives it on its next (or current, held) poll.
    #[oai(status = 202)]
    Accepted(Json<QueuedCommand>),
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct PingHostsRequest {
    /// Only hosts with this tag; all hosts when absent.
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:/=-]+$"))]
    pub tag: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PingedHosts {
    /// How many hosts a test command was queued for.
    pub queued: u64,
}

/// A repository opened from a host: reachable (with what restic said), or why not.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RepositoryProbeResult {
    pub host_id: Uuid,
    pub repository_id: Uuid,
    /// restic opened the repository with its password.
    pub reachable: bool,
    /// restic's own id of the repository (64 hex digits), when reachable.
    pub restic_repository_id: Option<String>,
    /// The repository format version (1 or 2), when reachable.
    pub format_version: Option<u32>,
    /// The restic version on the host that opened it.
    pub restic_version: Option<String>,
    /// How long restic took to open it on the host, in milliseconds.
    pub open_ms: Option<u64>,
    /// From the question's start to the answer, as the server measured it.
    pub round_trip_ms: u64,
    /// Why it could not be opened, when it could not: `restic.wrong_password`,
    /// `restic.repo_missing`, `restic.network`, `restic.locked`,
    /// `agent.unknown_repository`, …
    pub error_class: Option<String>,
    /// A sentence for people, when it could not be opened.
    pub message: Option<String>,
    pub checked_at: DateTime<Utc>,
}

pub(super) async fn host_view(
    state: &AppState,
    h: HostRow,
    who: &Principal,
) -> Result<Host, ApiError> {
    let now = Utc::now();
    let repos = fleet::linked_repositories(state, h.id).await?;
    let runs = schedules::runs_of_hosts(state, std::slice::from_ref(&h), now).await?;
    Ok(view(
        h,
        repos,
        runs.into_iter().next().unwrap_or_default(),
        who,
        std::time::Duration::from_secs(state.config.agents.offline_after_secs),
        now,
    ))
}

#[OpenApi(tag = "ApiTags::Hosts")]
impl HostsApi {
    /// Hosts, filtered by text, tag and status, ordered by hostname.
    #[oai(path = "/v1/hosts", method = "get", operation_id = "list_hosts")]
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        /// Text in hostname, OS or fingerprint.
        q: Query<Option<String>>,
        tag: Query<Option<String>>,
        status: Query<Option<HostStatus>>,
        /// Only hosts that joined at or after this time (RFC 3339).
        created_after: Query<Option<DateTime<Utc>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<u64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 512))]
        cursor: Query<Option<String>>,
        /// Also count the matching hosts (up to 10,000; `total_capped` says when there are
        /// more).
        with_total: Query<Option<bool>>,
    ) -> Result<SerdeJson<HostList>, ApiError> {
        let now = Utc::now();
        let offline_after = std::time::Duration::from_secs(state.config.agents.offline_after_secs);
        let cutoff = now - Duration::from_std(offline_after).unwrap_or_default();
        let filter = HostFilter {
            q: q.0,
            tag: tag.0,
            seen_since: (status.0 == Some(HostStatus::Online)).then_some(cutoff),
            not_seen_since: (status.0 == Some(HostStatus::Offline)).then_some(cutoff),
            created_after: created_after.0,
            scope: auth.scope().clone(),
        };
        let limit = limit.0.unwrap_or(100);
        let with_total = with_total.0.unwrap_or(false);
        let page =
            fleet::list_hosts(&state, &filter, cursor.0.as_deref(), limit, with_total).await?;
        let rows = page.items;
        let ids: Vec<Uuid> = rows.iter().map(|h| h.id).collect();
        let links = fleet::links_for_hosts(&state, &ids).await?;
        let runs = schedules::runs_of_hosts(&state, &rows, now).await?;
        let items = rows
            .into_iter()
            .zip(runs)
            .map(|(h, runs)| {
                let repos = links.iter().filter(|(hid, _)| *hid == h.id).map(|(_, r)| *r).collect();
                view(h, repos, runs, auth.principal(), offline_after, now)
            })
            .collect();
        Ok(SerdeJson(HostList {
            items,
            next_cursor: page.next_cursor,
            total: page.total.map(|t| t.count),
            total_capped: page.total.map(|t| t.capped),
        }))
    }

    #[oai(path = "/v1/hosts/:id", method = "get", operation_id = "get_host")]
    async fn get(
        &self,
        auth: HostAuth<perm::HostsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Host>, ApiError> {
        auth.host(id.0).await?;
        let h = fleet::get_host(&state, id.0).await?;
        Ok(Json(host_view(&state, h, auth.principal()).await?))
    }

    /// Replaces the host's tags.
    #[oai(path = "/v1/hosts/:id", method = "patch", operation_id = "update_host")]
    async fn update(
        &self,
        auth: HostAuth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<UpdateHostRequest>,
    ) -> Result<Json<Host>, ApiError> {
        auth.host(id.0).await?;
        let h = fleet::set_tags(&state, &auth.actor(), id.0, &body.tags).await?;
        Ok(Json(host_view(&state, h, auth.principal()).await?))
    }

    /// Deletes the host; its agent's key is refused from the next request on.
    #[oai(path = "/v1/hosts/:id", method = "delete", operation_id = "delete_host")]
    async fn delete(
        &self,
        auth: Auth<perm::HostsDelete>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        fleet::delete_host(&state, &auth.actor(), id.0).await?;
        Ok(NoContent::Done)
    }

    /// Sets which repositories the host may use; the agent receives them as new config.
    #[oai(
        path = "/v1/hosts/:id/repositories",
        method = "put",
        operation_id = "set_host_repositories"
    )]
    async fn set_repositories(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<SetHostRepositoriesRequest>,
    ) -> Result<Json<Host>, ApiError> {
        let h = fleet::set_repositories(&state, &auth.actor(), id.0, &body.repository_ids).await?;
        Ok(Json(host_view(&state, h, &auth.principal).await?))
    }

    /// Sends a test command: proves the agent answers (and measures how fast).
    #[oai(path = "/v1/hosts/:id/ping", method = "post", operation_id = "ping_host")]
    async fn ping(
        &self,
        auth: HostAuth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Queued, ApiError> {
        auth.host(id.0).await?;
        let c = fleet::ping(&state, &auth.actor(), id.0).await?;
        Ok(Queued::Accepted(Json(QueuedCommand { command_id: c.id, created_at: c.created_at })))
    }

    /// Opens a linked repository from this host, through its agent (`restic cat config`):
    /// is it reachable, does its password open it, how long does that take from here.
    /// Waits for the agent's answer (`agents.ask_timeout_secs`, 20 s by default; then 504
    /// `agent.no_answer`). A repository restic cannot open is an answer too: 200 with
    /// `reachable: false`.
    #[oai(
        path = "/v1/hosts/:id/repositories/:repository_id/probe",
        method = "post",
        operation_id = "probe_repository"
    )]
    async fn probe_repository(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        repository_id: Path<Uuid>,
    ) -> Result<Json<RepositoryProbeResult>, ApiError> {
        let p = repositories::probe(&state, &auth.actor(), id.0, repository_id.0).await?;
        let (ok, failed) = match p.outcome {
            Ok(a) => (Some(a), None),
            Err(f) => (None, Some(f)),
        };
        Ok(Json(RepositoryProbeResult {
            host_id: p.host_id,
            repository_id: p.repository_id,
            reachable: ok.is_some(),
            restic_repository_id: ok.as_ref().map(|a| a.restic_repository_id.clone()),
            format_version: ok.as_ref().map(|a| a.format_version),
            restic_version: ok.as_ref().and_then(|a| a.restic_version.clone()),
            open_ms: ok.as_ref().map(|a| a.elapsed_ms),
            round_trip_ms: p.round_trip_ms,
            error_class: failed.as_ref().map(|f| f.error_class.clone()),
            message: failed.map(|f| f.message),
            checked_at: p.checked_at,
        }))
    }

    /// Sends a test command to every host (or every host with `tag`) at once.
    #[oai(path = "/v1/hosts/ping", method = "post", operation_id = "ping_hosts")]
    async fn ping_all(
        &self,
        auth: Auth<perm::HostsManage>,
        state: Data<&AppState>,
        body: Json<PingHostsRequest>,
    ) -> Result<Json<PingedHosts>, ApiError> {
        let queued = fleet::ping_all(&state, &auth.actor(), body.0.tag).await?;
        Ok(Json(PingedHosts { queued }))
    }
}

#[cfg(test)]
mod tests {
    use super::older_than;

    #[test]
    fn versions_compare_numerically() {
        assert!(older_than("0.9.0", "0.10.0"));
        assert!(!older_than("0.10.0", "0.9.9"));
        assert!(!older_than("0.1.0", "0.1.0"));
        assert!(older_than("0.1.0", "0.1.1-dev"));
    }
}

#[cfg(test)]
mod serde_tests {
    use super::*;
    use poem_openapi::types::ToJSON;

    /// The host list is written by serde (`SerdeJson`): the same JSON as poem-openapi would
    /// write from its `Object`s.
    #[test]
    fn serde_writes_what_the_document_describes() {
        let t = DateTime::from_timestamp_micros(1_765_000_000_123_456).unwrap();
        for full in [true, false] {
            let host = Host {
                id: Uuid::nil(),
                hostname: "web-01".into(),
                os: "linux".into(),
                arch: "x86_64".into(),
                agent_version: "0.1.0".into(),
                restic_version: full.then(|| "0.14.0".into()),
                agent_outdated: full,
                fingerprint: "SHA256:x".into(),
                tags: vec!["prod".into()],
                status: if full { HostStatus::Online } else { HostStatus::Offline },
                last_seen_at: full.then_some(t),
                last_ip: full.then(|| "10.0.0.1".into()),
                enrolled_via: "token".into(),
                created_at: t,
                repository_ids: vec![Uuid::max()],
                config_version: 2,
                applied_config_version: 1,
                timezone: full.then(|| "Europe/Berlin".into()),
                next_run: full.then(|| HostNextRun {
                    at: t,
                    schedule_id: Uuid::nil(),
                    schedule_name: "nightly".into(),
                }),
                last_scheduled_run: Some(HostScheduledRun {
                    job_id: Uuid::max(),
                    status: JobStatus::Succeeded,
                    created_at: t,
                    finished_at: full.then_some(t),
                    schedule_id: Uuid::nil(),
                    schedule_name: "nightly".into(),
                }),
                my_permissions: if full { vec![Permission::HostsRead] } else { vec![] },
            };
            let list = HostList {
                items: vec![host],
                next_cursor: full.then(|| "c".into()),
                total: full.then_some(1),
                total_capped: full.then_some(true),
            };
            assert_eq!(serde_json::to_value(&list).unwrap(), list.to_json().unwrap(), "{full}");
        }
    }
}

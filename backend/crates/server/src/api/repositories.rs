//! `/repositories`: restic repositories. Credentials are write-only: answers say which
//! secrets are set (`has_password`, `env_keys`), never what they are.

use std::collections::BTreeMap;

use cairn_proto::{ForgetArgs, ForgetGuard, ForgetSnapshot, RetentionPolicy};
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use uuid::Uuid;

use super::security::{Auth, HostAuth, perm};
use super::{ApiTags, auth::NoContent, error::ApiError};
use crate::{
    app::AppState,
    codes::Code,
    domain::repositories::{self as service, NewRepository, RepositoryPatch, env_keys, guard_of},
    domain::rows::RepositoryRow,
    domain::{
        DomainError,
        check_schedule::{self, CheckScheduleInput},
        copies, locks, maintenance,
    },
};

pub struct RepositoriesApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Repository {
    pub id: Uuid,
    pub name: String,
    /// The URL with any password in it masked (`user:***@host`).
    pub url: String,
    /// Always true: a repository cannot exist without a password (it is never returned).
    pub has_password: bool,
    /// Names of the backend environment variables that are set (values are never returned).
    pub env_keys: Vec<String>,
    /// How many snapshots one forget may remove before it stops and waits for an admin.
    pub guard: ForgetGuard,
    /// The newest check that ran to a verdict. While it found errors, forget and prune
    /// end `blocked` (`check.failed`) until a check passes. Absent before the first one.
    pub last_check: Option<LastCheck>,
    /// A key rotation under way (`POST /repositories/{id}/rotate-key`); absent otherwise.
    pub key_rotation: Option<KeyRotation>,
    /// A check on a schedule of its own; absent when there is none.
    pub check_schedule: Option<CheckSchedule>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a key rotation is.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct KeyRotation {
    /// `adding` (the new key is being added), `waiting` (every linked host is taking the
    /// new password; the old key still works), `removing` (the old key goes), or
    /// `remove_failed` (start the rotation again to retry the removal).
    pub state: String,
    pub started_at: Option<DateTime<Utc>>,
    /// The key the old password opens, once known.
    pub old_key_id: Option<String>,
}

/// A repository's scheduled check: the server starts a `check` job at each fire through
/// `host_id` when it is online, else through any online linked host; a fire with no
/// online host waits as one pending run.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CheckSchedule {
    /// 5-field cron expression.
    pub cron: String,
    /// The IANA zone the cron is read in.
    pub timezone: String,
    /// `--read-data-subset` (`10%`, `1/5`, `500M`); absent: the structure only.
    pub read_data_subset: Option<String>,
    /// The preferred host; absent: any online linked host.
    pub host_id: Option<Uuid>,
    /// The cron in words, e.g. "At 04:00 on Sunday".
    pub description: String,
    /// The next fire; a past one is due and waits for an online host.
    pub next_at: Option<DateTime<Utc>>,
}

/// A check schedule to set (`PATCH /repositories/{id}`, `check_schedule`).
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CheckScheduleRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub cron: String,
    /// An IANA zone; leave out for UTC.
    #[oai(validator(max_length = 64))]
    pub timezone: Option<String>,
    #[oai(validator(max_length = 32))]
    pub read_data_subset: Option<String>,
    /// A linked host to run it; leave out for any online linked host.
    pub host_id: Option<Uuid>,
}

/// A check's verdict on its repository.
#[derive(Object)]
pub struct LastCheck {
    pub job_id: Uuid,
    pub finished_at: DateTime<Utc>,
    /// False: the check found errors (a check that could not reach the repository, or was
    /// stopped, gives no verdict and is not shown here).
    pub passed: bool,
}

impl From<RepositoryRow> for Repository {
    fn from(r: RepositoryRow) -> Self {
        Repository {
            env_keys: env_keys(&r),
            guard: guard_of(&r),
            has_password: !r.password_enc.is_empty(),
            key_rotation: r.rotation_state.clone().map(|state| KeyRotation {
                state,
                started_at: r.rotation_started_at,
                old_key_id: r.rotation_old_key.clone(),
            }),
            last_check: match (r.last_check_job_id, r.last_check_at, r.last_check_passed) {
                (Some(job_id), Some(finished_at), Some(passed)) => {
                    Some(LastCheck { job_id, finished_at, passed })
                }
                _ => None,
            },
            check_schedule: check_schedule::view(&r).map(|v| CheckSchedule {
                cron: v.cron,
                timezone: v.timezone,
                read_data_subset: v.read_data_subset,
                host_id: v.host_id,
                description: v.description,
                next_at: v.next_at,
            }),
            id: r.id,
            name: r.name,
            // Credentials inside a URL (rest:https://user:pass@…) are never shown.
            url: crate::config::redact_url(&r.url),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RepositoryList {
    pub items: Vec<Repository>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateRepositoryRequest {
    /// 1–100 printable characters, unique.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// An absolute path or a restic backend URL (sftp:, rest:, s3:, b2:, azure:, gs:,
    /// swift:, rclone:).
    #[oai(validator(
        min_length = 1,
        max_length = 2048,
        pattern = r"^\s*(/|sftp:|rest:|s3:|b2:|azure:|gs:|swift:|rclone:)"
    ))]
    pub url: String,
    #[oai(write_only, validator(min_length = 1, max_length = 4096))]
    pub password: String,
    /// Backend environment, e.g. {"AWS_ACCESS_KEY_ID": "…"}: at most 64 variables, names
    /// of `A–Z 0–9 _` not starting with a digit, not `RESTIC_PASSWORD*`/`RESTIC_REPOSITORY*`/`RESTIC_FROM_*`;
    /// values up to 4096 characters without NUL.
    #[oai(default, write_only, validator(max_properties = 64))]
    pub env: BTreeMap<String, String>,
    /// The delete guard; leave out for the default (at most 50 % per forget, at least one
    /// snapshot kept per group).
    pub guard: Option<ForgetGuard>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateRepositoryRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    #[oai(validator(
        min_length = 1,
        max_length = 2048,
        pattern = r"^\s*(/|sftp:|rest:|s3:|b2:|azure:|gs:|swift:|rclone:)"
    ))]
    pub url: Option<String>,
    /// A new password; omit to keep the current one.
    #[oai(write_only, validator(min_length = 1, max_length = 4096))]
    pub password: Option<String>,
    /// Variables to add or replace (others are kept); the rules of `env` on create.
    #[oai(default, write_only, validator(max_properties = 64))]
    pub env_set: BTreeMap<String, String>,
    /// Variables to remove.
    #[oai(default, validator(max_items = 64, max_length = 128))]
    pub env_remove: Vec<String>,
    /// A new delete guard, whole; leave out to keep it.
    pub guard: Option<ForgetGuard>,
    /// A check on a schedule of its own; `null` removes it, leave out to keep it.
    #[oai(nullable)]
    pub check_schedule: MaybeUndefined<CheckScheduleRequest>,
}

/// A retention policy to try on a repository, from one linked host.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RetentionPreviewRequest {
    /// A linked, online host whose agent asks restic.
    pub host_id: Uuid,
    pub policy: RetentionPolicy,
    /// Only snapshots of this host name; leave out for every host's.
    #[oai(validator(max_length = 255))]
    pub host: Option<String>,
    /// Only snapshots with all of these tags.
    #[oai(default, validator(max_items = 20))]
    pub tags: Vec<String>,
}

/// What the policy would keep (each with restic's reasons) and remove, newest first.
/// Nothing was changed.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RetentionPreview {
    pub keep: Vec<ForgetSnapshot>,
    pub remove: Vec<ForgetSnapshot>,
    /// Why the repository's delete guard would block this forget; absent when it would run.
    pub blocked_by: Option<String>,
    pub checked_at: DateTime<Utc>,
}

/// The copies a repository is the source or the mirror of.
#[derive(Object)]
pub struct RepositoryCopyList {
    /// Newest copy first.
    pub items: Vec<RepositoryCopy>,
}

/// A source → mirror pair (for one host's snapshots, or every host's) and what its newest
/// copy measured: how far the mirror is behind its source.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RepositoryCopy {
    pub source_id: Uuid,
    pub source_name: String,
    pub mirror_id: Uuid,
    pub mirror_name: String,
    /// The host name whose snapshots are copied; absent: every host's.
    pub host: Option<String>,
    /// The newest copy job of the pair, its status and when it ended.
    pub last_job_id: Uuid,
    pub last_status: super::jobs::JobStatus,
    pub last_at: DateTime<Utc>,
    /// The source's snapshots in scope, and how many of them the mirror lacks, as the
    /// newest copy that ran to the end measured; absent before one did.
    pub source_snapshots: Option<u32>,
    pub missing: Option<u32>,
    /// The newest snapshot in the source's scope: the copy's measure, or a newer backup
    /// the server heard of since.
    pub source_newest: Option<DateTime<Utc>>,
    /// The newest of those snapshots that the mirror holds.
    pub copied_newest: Option<DateTime<Utc>>,
    /// When the pair was last measured (the end of the newest copy that ran to the end).
    pub measured_at: Option<DateTime<Utc>>,
    /// `source_newest − copied_newest` in seconds (0: up to date); absent when nothing
    /// was measured or copied yet.
    pub behind_seconds: Option<i64>,
}

impl From<copies::MirrorView> for RepositoryCopy {
    fn from(v: copies::MirrorView) -> Self {
        let r = v.row;
        RepositoryCopy {
            source_id: r.source_id,
            source_name: v.source_name,
            mirror_id: r.mirror_id,
            mirror_name: v.mirror_name,
            host: Some(r.host).filter(|h| !h.is_empty()),
            last_job_id: r.last_job_id,
            last_status: r.last_status.into(),
            last_at: r.last_at,
            source_snapshots: r.source_snapshots.map(|n| n.max(0) as u32),
            missing: r.missing.map(|n| n.max(0) as u32),
            source_newest: v.source_newest,
            copied_newest: r.copied_newest,
            measured_at: r.measured_at,
            behind_seconds: v.behind_seconds,
        }
    }
}

/// A repository's locks as a linked host's agent read them just now.
#[derive(Object)]
pub struct RepositoryLocks {
    /// The host whose agent read them.
    pub via_host_id: Uuid,
    pub via_hostname: String,
    pub checked_at: DateTime<Utc>,
    /// Oldest first; empty when the repository is not locked.
    pub locks: Vec<RepositoryLock>,
}

/// A restic lock.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RepositoryLock {
    /// The host name and PID of the restic process that holds it.
    pub hostname: String,
    pub pid: u32,
    pub username: String,
    /// Exclusive locks (prune, check, unlock --remove-all…) keep every other restic out.
    pub exclusive: bool,
    pub since: DateTime<Utc>,
    /// restic's own rule takes it for stale (older than 30 minutes, or made on the reading
    /// host by a process that is gone): an unlock removes it.
    pub stale: bool,
    /// The Cairn host of that name linked to the repository, if any.
    pub host_id: Option<Uuid>,
    /// That host's running job on the repository, when it has exactly one.
    pub job_id: Option<Uuid>,
}

#[derive(ApiResponse)]
pub enum CreatedRepository {
    #[oai(status = 201)]
    Created(Json<Repository>),
}

#[OpenApi(prefix_path = "/v1/repositories", tag = "ApiTags::Repositories")]
impl RepositoriesApi {
    #[oai(path = "/", method = "get", operation_id = "list_repositories")]
    async fn list(
        &self,
        auth: HostAuth<perm::ReposRead>,
        state: Data<&AppState>,
    ) -> Result<Json<RepositoryList>, ApiError> {
        let rows = service::list(&state, auth.scope()).await?;
        Ok(Json(RepositoryList { items: rows.into_iter().map(Into::into).collect() }))
    }

    /// Adds a repository; its password and environment are encrypted at rest.
    #[oai(path = "/", method = "post", operation_id = "create_repository")]
    async fn create(
        &self,
        auth: Auth<perm::ReposManage>,
        state: Data<&AppState>,
        body: Json<CreateRepositoryRequest>,
    ) -> Result<CreatedRepository, ApiError> {
        let b = body.0;
        let row = service::create(
            &state,
            &auth.actor(),
            NewRepository {
                name: b.name,
                url: b.url,
                password: b.password,
                env: b.env,
                guard: b.guard,
            },
        )
        .await?;
        Ok(CreatedRepository::Created(Json(row.into())))
    }

    #[oai(path = "/:id", method = "get", operation_id = "get_repository")]
    async fn get(
        &self,
        auth: HostAuth<perm::ReposRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<Repository>, ApiError> {
        auth.repository(id.0).await?;
        Ok(Json(service::get(&state, id.0).await?.into()))
    }

    /// The copies this repository is the source or the mirror of (`copy` jobs, run from
    /// here or after a schedule's backups), with how far each mirror is behind.
    #[oai(path = "/:id/copies", method = "get", operation_id = "list_repository_copies")]
    async fn copies(
        &self,
        auth: HostAuth<perm::ReposRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<RepositoryCopyList>, ApiError> {
        auth.repository(id.0).await?;
        service::get(&state, id.0).await?;
        let items = copies::of_repository(&state, id.0).await?;
        Ok(Json(RepositoryCopyList { items: items.into_iter().map(Into::into).collect() }))
    }

    /// Who holds locks in the repository, read now through `host_id` (a linked host) or
    /// the first online linked host (`restic list locks`); waits for the agent's answer,
    /// at most `agents.ask_timeout_secs`.
    #[oai(path = "/:id/locks", method = "get", operation_id = "list_repository_locks")]
    async fn locks(
        &self,
        auth: Auth<perm::ReposMaintain>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        host_id: Query<Option<Uuid>>,
    ) -> Result<Json<RepositoryLocks>, ApiError> {
        let s = locks::read(&state, &auth.actor(), id.0, host_id.0).await?;
        match s.outcome {
            Ok(list) => {
                let mut locks: Vec<RepositoryLock> = list
                    .into_iter()
                    .map(|l| RepositoryLock {
                        hostname: l.seen.hostname,
                        pid: l.seen.pid,
                        username: l.seen.username,
                        exclusive: l.seen.exclusive,
                        since: l.seen.since,
                        stale: l.seen.stale,
                        host_id: l.host_id,
                        job_id: l.job_id,
                    })
                    .collect();
                locks.sort_by_key(|l| l.since);
                Ok(Json(RepositoryLocks {
                    via_host_id: s.via_host_id,
                    via_hostname: s.via_hostname,
                    checked_at: s.checked_at,
                    locks,
                }))
            }
            Err(f) => Err(DomainError::Conflict {
                code: Code::RepositoryLocksFailed,
                message: f.message,
                details: serde_json::json!({ "error_class": f.error_class, "via_host_id": s.via_host_id }),
            }
            .into()),
        }
    }

    /// Edits a repository; linked hosts receive the new config on their next poll.
    #[oai(path = "/:id", method = "patch", operation_id = "update_repository")]
    async fn update(
        &self,
        auth: Auth<perm::ReposManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<UpdateRepositoryRequest>,
    ) -> Result<Json<Repository>, ApiError> {
        let b = body.0;
        let patch = RepositoryPatch {
            name: b.name,
            url: b.url,
            password: b.password,
            env_set: b.env_set,
            env_remove: b.env_remove,
            guard: b.guard,
            check_schedule: match b.check_schedule {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(c) => Some(Some(CheckScheduleInput {
                    cron: c.cron,
                    timezone: c.timezone,
                    read_data_subset: c.read_data_subset,
                    host_id: c.host_id,
                })),
            },
        };
        Ok(Json(service::update(&state, &auth.actor(), id.0, patch).await?.into()))
    }

    /// What a retention policy would keep and remove in this repository, asked of a linked
    /// host's agent (`restic forget --dry-run`; nothing changes), and whether the delete
    /// guard would let it run. Waits for the answer, at most `agents.ask_timeout_secs`.
    #[oai(path = "/:id/retention-preview", method = "post", operation_id = "preview_retention")]
    async fn preview_retention(
        &self,
        auth: Auth<perm::ReposMaintain>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<RetentionPreviewRequest>,
    ) -> Result<Json<RetentionPreview>, ApiError> {
        let b = body.0;
        let forget =
            ForgetArgs { policy: b.policy, host: b.host, tags: b.tags, ..Default::default() };
        let answer = maintenance::preview(&state, &auth.actor(), id.0, b.host_id, forget).await?;
        match answer {
            Ok(a) => Ok(Json(RetentionPreview {
                keep: a.report.keep,
                remove: a.report.remove,
                blocked_by: a.blocked_by,
                checked_at: Utc::now(),
            })),
            Err(f) => Err(DomainError::Conflict {
                code: Code::RetentionPreviewFailed,
                message: f.message,
                details: serde_json::json!({ "error_class": f.error_class }),
            }
            .into()),
        }
    }

    /// Deletes a repository that no host uses.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_repository")]
    async fn delete(
        &self,
        auth: Auth<perm::ReposManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        service::delete(&state, &auth.actor(), id.0).await?;
        Ok(NoContent::Done)
    }
}

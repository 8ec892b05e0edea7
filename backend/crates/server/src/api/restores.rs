//! `POST /hosts/{id}/restores`: restore paths of one of the host's snapshots, to where
//! they came from (admins, with the host's name typed) or to a new directory (operators).
//! The job is followed like any other (`/jobs/{id}`, live log, report in `result.restore`).

use cairn_proto::{OverwritePolicy, RestorePreviewAnswer};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use super::jobs::models::{Started, one};
use super::security::{HostAuth, perm};
use super::{ApiTags, error::ApiError};
use crate::{
    app::AppState,
    auth::permission::Permission,
    domain::restores::{self, RestoreRequest},
};

pub struct RestoresApi;

/// Where a restore writes.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RestoreTargetRequest {
    /// `original` (back where the files were; needs `restores_anywhere` and
    /// `confirm_hostname`) or `new_path`.
    #[oai(validator(pattern = "^(original|new_path)$"))]
    pub mode: String,
    /// With `new_path`: an absolute directory on the host. Files land under it with their
    /// full paths (`/srv/restore/etc/nginx/nginx.conf`). A directory that does not exist
    /// (or is empty) appears whole at the end or not at all.
    #[oai(validator(max_length = 4096))]
    pub path: Option<String>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateRestoreRequest {
    /// Full snapshot id, one of the host's.
    #[oai(validator(pattern = "^[0-9a-f]{64}$"))]
    pub snapshot_id: String,
    /// Needed only when the snapshot is in more than one repository.
    pub repository_id: Option<Uuid>,
    /// Absolute paths inside the snapshot, each with everything below it; all the
    /// snapshot backed up when absent or empty.
    #[oai(validator(max_items = 100, max_length = 4096))]
    pub paths: Option<Vec<String>>,
    /// restic `--exclude` patterns within those paths.
    #[oai(validator(max_items = 100, max_length = 4096))]
    pub excludes: Option<Vec<String>>,
    pub target: RestoreTargetRequest,
    /// What to do with a file that exists where a restored one goes; `if_changed` when
    /// absent.
    pub overwrite: Option<OverwritePolicy>,
    /// Delete what is under a restored directory but not in the snapshot (at the original
    /// location only with `confirm_risk`).
    #[oai(default)]
    pub delete_extra: bool,
    /// Read every restored file back and compare it with the snapshot.
    #[oai(default)]
    pub verify: bool,
    /// The host's name, typed: required to restore to the original location.
    #[oai(validator(max_length = 255))]
    pub confirm_hostname: Option<String>,
    /// Confirms a system directory as the target, or deleting at the original location.
    #[oai(default)]
    pub confirm_risk: bool,
    /// Restore on this other host instead (needs `restores_anywhere`). Its agent gets the
    /// snapshot's repository credentials for this one job only, never in its config.
    pub target_host_id: Option<Uuid>,
}

impl CreateRestoreRequest {
    /// The domain's request; the target's mode decides whether `restores_anywhere` is
    /// needed (checked by the caller).
    fn into_request(self) -> RestoreRequest {
        RestoreRequest {
            new_path: (self.target.mode == "new_path")
                .then(|| self.target.path.unwrap_or_default()),
            snapshot_id: self.snapshot_id,
            repository_id: self.repository_id,
            paths: self.paths.unwrap_or_default(),
            excludes: self.excludes.unwrap_or_default(),
            overwrite: self.overwrite.unwrap_or_default(),
            delete_extra: self.delete_extra,
            verify: self.verify,
            confirm_hostname: self.confirm_hostname,
            confirm_risk: self.confirm_risk,
            target_host: self.target_host_id,
        }
    }

    /// In place, or on another host than `host`: `restores_anywhere`.
    fn needs_anywhere(&self, host: Uuid) -> bool {
        self.target.mode != "new_path" || self.target_host_id.is_some_and(|t| t != host)
    }
}

/// A restore drill to run now.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateDrillRequest {
    /// A repository linked to the host, holding its snapshots.
    pub repository_id: Uuid,
    /// How many files to sample at random (1–1000); 20 when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub files: Option<u32>,
    /// At most this many bytes in all; 100 MiB when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "10737418240")))]
    pub max_bytes: Option<u64>,
    /// The snapshot (full id); the host's newest when absent.
    #[oai(validator(pattern = "^[0-9a-f]{64}$"))]
    pub snapshot_id: Option<String>,
}

#[OpenApi(tag = "ApiTags::Jobs")]
impl RestoresApi {
    /// Runs a restore drill on the host now: a random sample of files from a snapshot
    /// (its newest by default) restored into a temporary directory with restic's
    /// verification, checked against the snapshot, timed, and deleted. The job's
    /// `result.drill` has the sample, the time to restore and the mismatches; a mismatch
    /// fails it (`drill.mismatch`). The host's last drill is its newest job of kind
    /// `drill` (`GET /jobs?host_id=…&kind=drill&limit=1`).
    #[oai(path = "/v1/hosts/:id/drills", method = "post", operation_id = "create_drill")]
    async fn drill(
        &self,
        auth: HostAuth<perm::RestoresRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<CreateDrillRequest>,
    ) -> Result<Started, ApiError> {
        auth.host(id.0).await?;
        let b = body.0;
        let args = cairn_proto::DrillArgs {
            files: b.files.unwrap_or(20),
            max_bytes: b.max_bytes.unwrap_or(100 << 20),
            snapshot_id: b.snapshot_id,
        };
        let row = restores::start_drill(&state, &auth.actor(), id.0, b.repository_id, args).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }

    /// What a restore with this body would do at its target, asked of the host's agent
    /// and changing nothing: how many files it would create, overwrite (by the policy),
    /// keep and delete, up to 500 of them by name (overwrites and deletions first), the
    /// bytes restic would write, the space free on the target's filesystem and whether
    /// it fits. The first preview of a snapshot the agent has not read answers with
    /// `indexing`: ask again. The same checks as a restore (`confirm_hostname` for an
    /// in-place one, and so on) apply.
    #[oai(
        path = "/v1/hosts/:id/restores/preview",
        method = "post",
        operation_id = "preview_restore"
    )]
    async fn preview(
        &self,
        auth: HostAuth<perm::RestoresRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<CreateRestoreRequest>,
    ) -> Result<Json<RestorePreviewAnswer>, ApiError> {
        auth.host(id.0).await?;
        if body.0.needs_anywhere(id.0) {
            auth.require(Permission::RestoresAnywhere).await?;
        }
        let p = restores::preview(&state, &auth.actor(), id.0, body.0.into_request()).await?;
        Ok(Json(p))
    }

    /// Restores paths of one of the host's snapshots on that host. restic writes into a
    /// temporary directory beside the target, on its filesystem; the agent then moves the
    /// files into place by `overwrite` (a new directory in one rename), so a failed or
    /// cancelled restore leaves the target as it was. Refused before anything starts when
    /// it would not fit on the target's filesystem (the job fails `restore.no_space`).
    /// Audited with the snapshot, paths and target (`job.create`).
    #[oai(path = "/v1/hosts/:id/restores", method = "post", operation_id = "create_restore")]
    async fn create(
        &self,
        auth: HostAuth<perm::RestoresRun>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<CreateRestoreRequest>,
    ) -> Result<Started, ApiError> {
        auth.host(id.0).await?;
        if body.0.needs_anywhere(id.0) {
            auth.require(Permission::RestoresAnywhere).await?;
        }
        let row = restores::start(&state, &auth.actor(), id.0, body.0.into_request()).await?;
        Ok(Started::Accepted(Json(one(&state, row).await?)))
    }
}

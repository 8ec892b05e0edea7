//! `/hosts/{id}/snapshots/...`: looking inside a host's snapshots, a directory page or a
//! search, read from an agent's catalog (ADR 0007). Both wait for the agent's answer
//! (`agents.ask_timeout_secs`); a snapshot opened for the first time answers at once with
//! indexing progress, and the caller asks again.

use cairn_proto::{
    ChangeCount, ChangedPath, DiffTotals, DownloadFormat, FoundPath, IndexProgress, PathChange,
    TreeEntry, TreeSort,
};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use uuid::Uuid;

use super::security::{HostAuth, perm};
use super::{ApiTags, error::ApiError};
use crate::{
    app::AppState,
    domain::browse::{self, DiffRequest, ReadThrough, SearchRequest, TreeRequest},
};

pub struct SnapshotsApi;

/// The online host whose agent read the snapshot because its own host is offline.
#[derive(Object)]
pub struct ReadThroughHost {
    pub host_id: Uuid,
    pub hostname: String,
}

impl From<ReadThrough> for ReadThroughHost {
    fn from(r: ReadThrough) -> Self {
        ReadThroughHost { host_id: r.host_id, hostname: r.hostname }
    }
}

/// One page of a directory inside a snapshot, directories first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnapshotTree {
    pub snapshot_id: String,
    pub repository_id: Uuid,
    /// The directory, normalised (`/` is the snapshot's root).
    pub path: String,
    /// Present while the agent reads the snapshot for the first time (`restic ls`);
    /// `entries` is empty then: ask again in a second or two.
    pub indexing: Option<IndexProgress>,
    pub entries: Vec<TreeEntry>,
    /// Entries in the directory after the filter, all pages together.
    pub total: u64,
    pub offset: u32,
    /// Set when the snapshot's host is offline and another host's agent read it.
    pub read_through: Option<ReadThroughHost>,
    /// How long the agent's catalog took, in milliseconds.
    pub catalog_ms: u64,
    /// Question to answer, in milliseconds, as the server saw it.
    pub round_trip_ms: u64,
}

/// A snapshot an answer names, with its time.
#[derive(Object)]
pub struct SnapshotRef {
    pub id: String,
    pub short_id: String,
    pub time: chrono::DateTime<chrono::Utc>,
}

/// Paths that matched a search, each version with the snapshots holding it.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnapshotSearch {
    pub repository_id: Uuid,
    pub pattern: String,
    pub paths: Vec<FoundPath>,
    /// More paths matched than `limit`: narrow the pattern.
    pub truncated: bool,
    /// The snapshots searched (full ids).
    pub searched: Vec<String>,
    /// Snapshots not searched yet because the agent is still reading them (it started);
    /// search again to include them.
    pub indexing: Vec<String>,
    /// Every snapshot named above (in `paths`, `searched`, `indexing`) with its time,
    /// oldest first.
    pub snapshots: Vec<SnapshotRef>,
    pub read_through: Option<ReadThroughHost>,
    pub catalog_ms: u64,
    pub round_trip_ms: u64,
}

/// What changed between two snapshots of a host, older first.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnapshotDiff {
    pub repository_id: Uuid,
    /// The older snapshot (full id).
    pub from: String,
    /// The newer snapshot (full id).
    pub to: String,
    /// Changed paths in path order, at most `limit`.
    pub changes: Vec<ChangedPath>,
    /// Changed paths after the filter and the kinds asked for, all of them.
    pub total: u64,
    /// How many paths matching the filter changed in each way, whatever kinds were asked
    /// for (kinds with none left out): what a client shows beside each kind's toggle.
    pub by_change: Vec<ChangeCount>,
    pub truncated: bool,
    /// restic's totals (bytes are what the repository stores, deduplicated).
    pub totals: Option<DiffTotals>,
    /// Kinds and sizes are filled in; when false the agent is reading the snapshots and a
    /// second request in a few seconds has them.
    pub sizes_known: bool,
    pub read_through: Option<ReadThroughHost>,
    pub agent_ms: u64,
    pub round_trip_ms: u64,
}

#[derive(ApiResponse)]
pub enum Downloaded {
    /// The file, or the directory as an archive, streamed as restic reads it.
    #[oai(status = 200)]
    Ok(
        Binary<poem::Body>,
        /// `attachment; filename="…"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

#[OpenApi(tag = "ApiTags::Jobs")]
impl SnapshotsApi {
    /// Downloads one file of a snapshot, or a directory as an archive (`raw`: a file as
    /// it is, a directory as tar; `tar_gz`; `zip`), streamed from the reading agent's
    /// `restic dump` through the server as it comes (the server holds a few chunks at a
    /// time, whatever the size). Up to `http.download_max_bytes` (no limit by default).
    /// Audited (`snapshot.download`). Errors come before the first byte: `404`,
    /// `409 repository.no_online_host`, `409 snapshot.read_failed`, `504 agent.no_answer`.
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    #[oai(
        path = "/v1/hosts/:id/snapshots/:snapshot_id/download",
        method = "get",
        operation_id = "download_snapshot_path"
    )]
    async fn download(
        &self,
        auth: HostAuth<perm::SnapshotsDownload>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        #[oai(validator(pattern = "^[0-9a-f]{64}$"))] snapshot_id: Path<String>,
        /// The file or directory inside the snapshot.
        #[oai(validator(min_length = 1, max_length = 4096))]
        path: Query<String>,
        format: Query<Option<DownloadFormat>>,
        repository_id: Query<Option<Uuid>>,
    ) -> Result<Downloaded, ApiError> {
        auth.host(id.0).await?;
        let d = crate::domain::downloads::start(
            &state,
            &auth.actor(),
            id.0,
            &snapshot_id.0,
            repository_id.0,
            &path.0,
            format.0.unwrap_or_default(),
            state.config.http.download_max_bytes,
        )
        .await?;
        let disposition = format!("attachment; filename=\"{}\"", d.filename);
        Ok(Downloaded::Ok(Binary(poem::Body::from_bytes_stream(d.body)), disposition))
    }

    /// One directory of a snapshot: name, kind, size, modification time, mode and owner of
    /// each entry, directories first, sorted and filtered as asked. The first open of a
    /// snapshot answers with `indexing` while the agent reads it; after that a directory
    /// comes from the agent's catalog in milliseconds. When the host is offline, any online
    /// host linked to the same repository reads it (`read_through`). Audited
    /// (`snapshot.browse`).
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    #[oai(
        path = "/v1/hosts/:id/snapshots/:snapshot_id/tree",
        method = "get",
        operation_id = "browse_snapshot"
    )]
    async fn tree(
        &self,
        auth: HostAuth<perm::SnapshotsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        /// Full snapshot id (64 hex digits).
        #[oai(validator(pattern = "^[0-9a-f]{64}$"))]
        snapshot_id: Path<String>,
        /// Needed only when the snapshot is in more than one repository (a mirror).
        repository_id: Query<Option<Uuid>>,
        /// The directory; `/` when absent.
        #[oai(validator(max_length = 4096))]
        path: Query<Option<String>>,
        sort: Query<Option<TreeSort>>,
        descending: Query<Option<bool>>,
        /// Only entries whose name contains this (any case).
        #[oai(validator(max_length = 256))]
        filter: Query<Option<String>>,
        #[oai(validator(maximum(value = "10000000")))] offset: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<u32>>,
    ) -> Result<Json<SnapshotTree>, ApiError> {
        auth.host(id.0).await?;
        let offset = offset.0.unwrap_or(0);
        let t = browse::tree(
            &state,
            &auth.actor(),
            id.0,
            TreeRequest {
                snapshot_id: snapshot_id.0.clone(),
                repository_id: repository_id.0,
                path: path.0.unwrap_or_else(|| "/".into()),
                sort: sort.0.unwrap_or_default(),
                descending: descending.0.unwrap_or(false),
                filter: filter.0,
                offset,
                limit: limit.0.unwrap_or(200),
            },
        )
        .await?;
        Ok(Json(SnapshotTree {
            snapshot_id: snapshot_id.0,
            repository_id: t.repository_id,
            path: t.path,
            indexing: t.answer.indexing,
            entries: t.answer.entries,
            total: t.answer.total,
            offset,
            read_through: t.read_through.map(Into::into),
            catalog_ms: t.answer.elapsed_ms,
            round_trip_ms: t.round_trip_ms,
        }))
    }

    /// Finds paths by name across all of the host's snapshots in a repository (or in one
    /// snapshot): a word matches names containing it, a glob (`*.conf`) whole names, either
    /// with a `/` the whole path. Each path comes with its distinct versions (size, time)
    /// and the snapshots holding each: "which snapshots have /etc/nginx/nginx.conf, and
    /// which version?". Snapshots the agent has not read yet are started and listed in
    /// `indexing`. Audited (`snapshot.search`).
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    #[oai(
        path = "/v1/hosts/:id/snapshots/search",
        method = "get",
        operation_id = "search_snapshots"
    )]
    async fn search(
        &self,
        auth: HostAuth<perm::SnapshotsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        /// What to look for.
        #[oai(validator(min_length = 1, max_length = 1024))]
        q: Query<String>,
        /// Needed only when the host has snapshots in more than one repository.
        repository_id: Query<Option<Uuid>>,
        /// Only this snapshot (full id).
        #[oai(validator(pattern = "^[0-9a-f]{64}$"))]
        snapshot_id: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<u32>>,
    ) -> Result<Json<SnapshotSearch>, ApiError> {
        auth.host(id.0).await?;
        let f = browse::search(
            &state,
            &auth.actor(),
            id.0,
            SearchRequest {
                pattern: q.0.clone(),
                repository_id: repository_id.0,
                snapshot_id: snapshot_id.0,
                limit: limit.0.unwrap_or(200),
            },
        )
        .await?;
        Ok(Json(SnapshotSearch {
            repository_id: f.repository_id,
            pattern: q.0.trim().to_string(),
            paths: f.answer.paths,
            truncated: f.answer.truncated,
            searched: f.answer.searched,
            indexing: f.answer.indexing,
            snapshots: f
                .snapshot_times
                .into_iter()
                .map(|(id, time)| SnapshotRef { short_id: id.chars().take(8).collect(), id, time })
                .collect(),
            read_through: f.read_through.map(Into::into),
            catalog_ms: f.answer.elapsed_ms,
            round_trip_ms: f.round_trip_ms,
        }))
    }

    /// What changed between this snapshot and another of the host in the same repository
    /// (`against`; by default the one made just before it): added, removed, modified paths
    /// (`restic diff`), with sizes before and after from the agent's catalog. Audited
    /// (`snapshot.diff`).
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    #[oai(
        path = "/v1/hosts/:id/snapshots/:snapshot_id/diff",
        method = "get",
        operation_id = "diff_snapshots"
    )]
    async fn diff(
        &self,
        auth: HostAuth<perm::SnapshotsRead>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        #[oai(validator(pattern = "^[0-9a-f]{64}$"))] snapshot_id: Path<String>,
        /// The snapshot to compare with (full id); the previous one when absent.
        #[oai(validator(pattern = "^[0-9a-f]{64}$"))]
        against: Query<Option<String>>,
        repository_id: Query<Option<Uuid>>,
        /// Only paths containing this (any case).
        #[oai(validator(max_length = 256))]
        filter: Query<Option<String>>,
        /// Only these kinds of change (repeat the parameter for several); all when absent.
        /// Applied before `limit`; `by_change` still counts every kind.
        #[oai(explode = true)]
        change: Query<Option<Vec<PathChange>>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "10000")))] limit: Query<Option<u32>>,
    ) -> Result<Json<SnapshotDiff>, ApiError> {
        auth.host(id.0).await?;
        let d = browse::diff(
            &state,
            &auth.actor(),
            id.0,
            DiffRequest {
                snapshot_id: snapshot_id.0,
                repository_id: repository_id.0,
                against: against.0,
                filter: filter.0,
                changes: change.0,
                limit: limit.0.unwrap_or(1000),
            },
        )
        .await?;
        Ok(Json(SnapshotDiff {
            repository_id: d.repository_id,
            from: d.from,
            to: d.to,
            changes: d.answer.changes,
            total: d.answer.total,
            by_change: d.answer.by_change,
            truncated: d.answer.truncated,
            totals: d.answer.totals,
            sizes_known: d.answer.sizes_known,
            read_through: d.read_through.map(Into::into),
            agent_ms: d.answer.elapsed_ms,
            round_trip_ms: d.round_trip_ms,
        }))
    }
}

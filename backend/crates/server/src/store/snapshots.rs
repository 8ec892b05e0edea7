//! Snapshot lookups for browsing and search: one snapshot of a host by id (in each
//! repository that holds it), and every snapshot of a host in one repository, the scope
//! of an agent's catalog.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{StoreError, entities::snapshot, jobs::SnapshotRow};

/// The rows of `snapshot` (a full id) of `host`: one per repository that holds it (a copy
/// to a mirror keeps the id).
pub async fn find_of_host<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    snapshot_id: &str,
) -> Result<Vec<SnapshotRow>, StoreError> {
    Ok(snapshot::Entity::find()
        .filter(snapshot::Column::HostId.eq(host))
        .filter(snapshot::Column::SnapshotId.eq(snapshot_id))
        .all(db)
        .await?)
}

/// Every snapshot id of `host` in `repository`, oldest first.
pub async fn ids_in<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
) -> Result<Vec<String>, StoreError> {
    Ok(times_in(db, host, repository).await?.into_iter().map(|(id, _)| id).collect())
}

/// The repositories in which `host` has snapshots.
pub async fn repositories_of_host<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(snapshot::Entity::find()
        .select_only()
        .column(snapshot::Column::RepositoryId)
        .distinct()
        .filter(snapshot::Column::HostId.eq(host))
        .into_tuple()
        .all(db)
        .await?)
}

/// The restic host name `host`'s snapshots in `repository` were made under (the newest).
pub async fn hostname_in<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
) -> Result<Option<String>, StoreError> {
    Ok(snapshot::Entity::find()
        .select_only()
        .column(snapshot::Column::Hostname)
        .filter(snapshot::Column::HostId.eq(host))
        .filter(snapshot::Column::RepositoryId.eq(repository))
        .order_by_desc(snapshot::Column::Time)
        .into_tuple()
        .one(db)
        .await?)
}

/// The snapshot of `host` in `repository` made just before `time` (its parent, as far as
/// the list shows).
pub async fn previous<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
    time: chrono::DateTime<chrono::Utc>,
) -> Result<Option<SnapshotRow>, StoreError> {
    Ok(snapshot::Entity::find()
        .filter(snapshot::Column::HostId.eq(host))
        .filter(snapshot::Column::RepositoryId.eq(repository))
        .filter(snapshot::Column::Time.lt(time))
        .order_by_desc(snapshot::Column::Time)
        .order_by_desc(snapshot::Column::SnapshotId)
        .one(db)
        .await?)
}

/// Every snapshot of `host` in `repository` with its time, oldest first.
pub async fn times_in<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, StoreError> {
    Ok(snapshot::Entity::find()
        .select_only()
        .column(snapshot::Column::SnapshotId)
        .column(snapshot::Column::Time)
        .filter(snapshot::Column::HostId.eq(host))
        .filter(snapshot::Column::RepositoryId.eq(repository))
        .order_by_asc(snapshot::Column::Time)
        .order_by_asc(snapshot::Column::SnapshotId)
        .into_tuple()
        .all(db)
        .await?)
}

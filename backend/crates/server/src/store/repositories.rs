//! Queries on repositories (secrets stay encrypted here; the domain seals and opens them).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{host_repository, repository},
};

pub use repository::Model as RepositoryRow;

pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_by_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find().filter(repository::Column::Name.eq(name)).one(db).await?)
}

pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find()
        .filter(repository::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(repository::Column::Name)
        .all(db)
        .await?)
}

/// The repositories linked to each of `hosts`, as (host, repository) by repository name, in
/// one query (agent configs are built for many hosts at once).
pub async fn linked_to_hosts<C: ConnectionTrait>(
    db: &C,
    hosts: &[Uuid],
) -> Result<Vec<(Uuid, RepositoryRow)>, StoreError> {
    let rows = host_repository::Entity::find()
        .filter(host_repository::Column::HostId.is_in(hosts.iter().copied()))
        .find_also_related(repository::Entity)
        .order_by_asc(repository::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(link, repo)| Some((link.host_id, repo?))).collect())
}

/// Every repository by name, or for a scope of tags those linked to a host in scope.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &crate::auth::HostScope,
) -> Result<Vec<RepositoryRow>, StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let mut q = repository::Entity::find();
    if let Some(c) = super::scope::host_column_in(
        (
            super::entities::host_repository::Entity,
            super::entities::host_repository::Column::HostId,
        ),
        scope,
    ) {
        let linked = Query::select()
            .column(super::entities::host_repository::Column::RepositoryId)
            .from(super::entities::host_repository::Entity)
            .and_where(c)
            .to_owned();
        q = q.filter(Expr::col((repository::Entity, repository::Column::Id)).in_subquery(linked));
    }
    Ok(q.order_by_asc(repository::Column::Name).all(db).await?)
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    row: RepositoryRow,
) -> Result<RepositoryRow, StoreError> {
    let active: repository::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save<C: ConnectionTrait>(
    db: &C,
    row: RepositoryRow,
) -> Result<RepositoryRow, StoreError> {
    let active: repository::ActiveModel = row.into();
    // The names remembered for job lists (`domain::names`) are read again after it.
    Ok(super::epoch::REPOSITORY_NAMES.changing(active.reset_all().update(db)).await?)
}

/// The names of the repositories `ids` that exist, as (id, name).
pub async fn names_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    Ok(repository::Entity::find()
        .select_only()
        .column(repository::Column::Id)
        .column(repository::Column::Name)
        .filter(repository::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// Repositories whose key rotation is at `step`.
pub async fn rotating<C: ConnectionTrait>(
    db: &C,
    step: &str,
) -> Result<Vec<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find()
        .filter(repository::Column::RotationState.eq(step))
        .all(db)
        .await?)
}

/// Repositories whose scheduled check is due at `now`.
pub async fn checks_due<C: ConnectionTrait>(
    db: &C,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<RepositoryRow>, StoreError> {
    Ok(repository::Entity::find()
        .filter(repository::Column::CheckNextAt.lte(now))
        .order_by_asc(repository::Column::CheckNextAt)
        .all(db)
        .await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    let gone = repository::Entity::delete_by_id(id).exec(db);
    Ok(super::epoch::REPOSITORY_NAMES.changing(gone).await?.rows_affected > 0)
}

pub use super::entities::repository_copy::Model as CopyRow;
use super::entities::{repository_copy, snapshot};

/// The source → mirror pair's row for `host`'s snapshots, if a copy ever ran for it.
pub async fn find_copy<C: ConnectionTrait>(
    db: &C,
    source: Uuid,
    mirror: Uuid,
    host: &str,
) -> Result<Option<CopyRow>, StoreError> {
    Ok(repository_copy::Entity::find_by_id((source, mirror, host.to_owned())).one(db).await?)
}

/// Writes the pair's row (inserted the first time). Called inside the write transaction
/// that ends the copy job.
pub async fn put_copy<C: ConnectionTrait>(db: &C, row: CopyRow) -> Result<(), StoreError> {
    let exists = find_copy(db, row.source_id, row.mirror_id, &row.host).await?.is_some();
    let active: repository_copy::ActiveModel = row.into();
    let active = active.reset_all();
    if exists {
        active.update(db).await?;
    } else {
        active.insert(db).await?;
    }
    Ok(())
}

/// The pairs `repository` is the source or the mirror of.
pub async fn copies_of<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
) -> Result<Vec<CopyRow>, StoreError> {
    Ok(repository_copy::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(repository_copy::Column::SourceId.eq(repository))
                .add(repository_copy::Column::MirrorId.eq(repository)),
        )
        .order_by_desc(repository_copy::Column::LastAt)
        .all(db)
        .await?)
}

/// The newest snapshot time the server knows in `repository` for each host name, as the
/// hosts' agents reported them (one query for all pairs of a page).
pub async fn newest_snapshots<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, StoreError> {
    Ok(snapshot::Entity::find()
        .select_only()
        .column(snapshot::Column::Hostname)
        .column_as(snapshot::Column::Time.max(), "newest")
        .filter(snapshot::Column::RepositoryId.eq(repository))
        .group_by(snapshot::Column::Hostname)
        .into_tuple()
        .all(db)
        .await?)
}

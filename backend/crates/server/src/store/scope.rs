//! The SQL side of host scopes: which hosts a scope holds (by their tags), as a condition
//! any list can add, and the host behind a job, schedule or alert for a single check.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, IntoColumnRef, LikeExpr, Query, SimpleExpr},
};
use uuid::Uuid;

use super::{
    StoreError,
    entities::{alert, host, host_repository, job, schedule},
    like_contains,
};
use crate::auth::HostScope;

/// Hosts carrying at least one of `tags` (tags are a JSON array of strings: the quoted
/// element is matched, as the hosts list's tag filter does).
pub fn tagged(tags: &[String]) -> Condition {
    tags.iter().fold(Condition::any(), |c, tag| {
        let json = serde_json::to_string(tag).unwrap_or_default();
        c.add(
            Expr::col((host::Entity, host::Column::Tags))
                .like(LikeExpr::new(like_contains(&json)).escape('\\')),
        )
    })
}

/// `column` (a host id) names a host in `scope`; `None` for every host (no condition).
pub fn host_column_in(column: impl IntoColumnRef, scope: &HostScope) -> Option<SimpleExpr> {
    host_in(Expr::col(column), scope)
}

/// `expr` (a host id) names a host in `scope`; `None` for every host (no condition).
pub fn host_in(expr: impl Into<SimpleExpr>, scope: &HostScope) -> Option<SimpleExpr> {
    match scope {
        HostScope::All => None,
        HostScope::Tags(tags) => Some(
            Expr::expr(expr).in_subquery(
                Query::select()
                    .column((host::Entity, host::Column::Id))
                    .from(host::Entity)
                    .cond_where(tagged(tags))
                    .to_owned(),
            ),
        ),
    }
}

/// Adds the scope to a query on hosts.
pub fn hosts_in<Q: QueryFilter>(q: Q, scope: &HostScope) -> Q {
    match scope {
        HostScope::All => q,
        HostScope::Tags(tags) => q.filter(tagged(tags)),
    }
}

/// Whether the host exists and is in scope.
pub async fn covers_host<C: ConnectionTrait>(
    db: &C,
    scope: &HostScope,
    id: Uuid,
) -> Result<bool, StoreError> {
    let q = hosts_in(host::Entity::find().filter(host::Column::Id.eq(id)), scope);
    Ok(q.count(db).await? > 0)
}

/// Whether a host linked to the repository is in scope.
pub async fn covers_repository<C: ConnectionTrait>(
    db: &C,
    scope: &HostScope,
    repository: Uuid,
) -> Result<bool, StoreError> {
    let mut q = host_repository::Entity::find()
        .filter(host_repository::Column::RepositoryId.eq(repository));
    if let Some(c) = host_column_in(host_repository::Column::HostId, scope) {
        q = q.filter(c);
    }
    Ok(q.count(db).await? > 0)
}

/// The host a job ran on (`None`: no such job).
pub async fn host_of_job<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Uuid>, StoreError> {
    Ok(job::Entity::find_by_id(id)
        .select_only()
        .column(job::Column::HostId)
        .into_tuple()
        .one(db)
        .await?)
}

/// The host a schedule belongs to (`None`: no such schedule).
pub async fn host_of_schedule<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    Ok(schedule::Entity::find_by_id(id)
        .select_only()
        .column(schedule::Column::HostId)
        .into_tuple()
        .one(db)
        .await?)
}

/// The host an alert is about (`None`: no such alert; `Some(None)`: an alert of no host).
pub async fn host_of_alert<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<Option<Uuid>>, StoreError> {
    Ok(alert::Entity::find_by_id(id)
        .select_only()
        .column(alert::Column::HostId)
        .into_tuple()
        .one(db)
        .await?)
}

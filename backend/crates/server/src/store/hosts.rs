//! Queries on hosts and their repository links.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use uuid::Uuid;

use crate::auth::HostScope;

use super::{
    StoreError,
    entities::{host, host_repository},
    like_contains,
};

pub use host::Model as HostRow;

#[derive(Debug, Default, Clone)]
pub struct HostFilter {
    /// Text in hostname, OS or fingerprint.
    pub q: Option<String>,
    /// Hosts carrying this tag.
    pub tag: Option<String>,
    /// Only hosts seen since (online) or not seen since (offline) this time.
    pub seen_since: Option<DateTime<Utc>>,
    pub not_seen_since: Option<DateTime<Utc>>,
    /// Only hosts that joined at or after this time (the Add host page waits with it).
    pub created_after: Option<DateTime<Utc>>,
    /// Only the hosts a caller's scope reaches.
    pub scope: HostScope,
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<HostRow>, StoreError> {
    Ok(host::Entity::find_by_id(id).one(db).await?)
}

pub async fn find_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<HostRow>, StoreError> {
    Ok(host::Entity::find().filter(host::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}

/// The hostnames of the hosts `ids` that exist, as (id, hostname).
pub async fn names_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    Ok(host::Entity::find()
        .select_only()
        .column(host::Column::Id)
        .column(host::Column::Hostname)
        .filter(host::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn all_ids<C: ConnectionTrait>(db: &C) -> Result<Vec<Uuid>, StoreError> {
    Ok(host::Entity::find().select_only().column(host::Column::Id).into_tuple().all(db).await?)
}

pub async fn find_by_public_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<HostRow>, StoreError> {
    Ok(host::Entity::find().filter(host::Column::PublicKey.eq(key)).one(db).await?)
}

pub async fn count_by_hostname<C: ConnectionTrait>(
    db: &C,
    hostname: &str,
) -> Result<u64, StoreError> {
    Ok(host::Entity::find().filter(host::Column::Hostname.eq(hostname)).count(db).await?)
}

pub async fn insert<C: ConnectionTrait>(db: &C, row: HostRow) -> Result<HostRow, StoreError> {
    let active: host::ActiveModel = row.into();
    Ok(active.reset_all().insert(db).await?)
}

pub async fn save<C: ConnectionTrait>(db: &C, row: HostRow) -> Result<HostRow, StoreError> {
    let active: host::ActiveModel = row.into();
    Ok(active.reset_all().update(db).await?)
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    Ok(host::Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

/// The key hosts are listed by: `(hostname, id)` (hostnames may repeat).
pub type HostKey = (String, Uuid);

/// One page of hosts by hostname, after `after`, read along `idx_hosts_hostname_id`.
pub fn list_query(
    filter: &HostFilter,
    after: Option<&HostKey>,
    limit: u64,
) -> sea_orm::Select<host::Entity> {
    let mut q = filtered(filter);
    if let Some((name, id)) = after {
        q = q.filter(host::Column::Hostname.gte(name.as_str())).filter(
            sea_orm::Condition::any()
                .add(host::Column::Hostname.gt(name.as_str()))
                .add(host::Column::Id.gt(*id)),
        );
    }
    q.order_by_asc(host::Column::Hostname).order_by_asc(host::Column::Id).limit(limit)
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &HostFilter,
    after: Option<&HostKey>,
    limit: u64,
) -> Result<Vec<HostRow>, StoreError> {
    Ok(list_query(filter, after, limit).all(db).await?)
}

/// The query counting matching hosts, at most `cap + 1` of them.
pub fn count_query(
    backend: sea_orm::DbBackend,
    filter: &HostFilter,
    cap: u64,
) -> sea_orm::Statement {
    super::count_statement(
        backend,
        filtered(filter).select_only().column(host::Column::Id).limit(cap + 1),
    )
}

pub async fn count_matching<C: ConnectionTrait>(
    db: &C,
    filter: &HostFilter,
    cap: u64,
) -> Result<u64, StoreError> {
    super::count_capped(db, count_query(db.get_database_backend(), filter, cap)).await
}

/// The ids of every host the filter matches, in no order: for fleet-wide commands, which
/// need nothing else of ten thousand rows.
pub async fn ids<C: ConnectionTrait>(db: &C, filter: &HostFilter) -> Result<Vec<Uuid>, StoreError> {
    Ok(filtered(filter).select_only().column(host::Column::Id).into_tuple().all(db).await?)
}

fn filtered(filter: &HostFilter) -> sea_orm::Select<host::Entity> {
    let mut q = host::Entity::find();
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = like_contains(&text.to_lowercase());
        let like = |col: host::Column| {
            Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(&p).escape('\\'))
        };
        q = q.filter(
            like(host::Column::Hostname)
                .or(like(host::Column::Os))
                .or(like(host::Column::Fingerprint)),
        );
    }
    if let Some(tag) = filter.tag.as_deref().filter(|t| !t.is_empty()) {
        // Tags are a JSON array of strings: match the quoted element.
        let json = serde_json::to_string(tag).unwrap_or_default();
        q = q.filter(
            Expr::col(host::Column::Tags).like(LikeExpr::new(like_contains(&json)).escape('\\')),
        );
    }
    if let Some(t) = filter.seen_since {
        q = q.filter(host::Column::LastSeenAt.gte(t));
    }
    if let Some(t) = filter.not_seen_since {
        q = q.filter(host::Column::LastSeenAt.lt(t).or(host::Column::LastSeenAt.is_null()));
    }
    if let Some(t) = filter.created_after {
        q = q.filter(host::Column::CreatedAt.gte(t));
    }
    super::scope::hosts_in(q, &filter.scope)
}

/// Records a poll: facts, time and address. `config_applied` is what the agent reports.
pub async fn record_poll<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    facts: &cairn_proto::AgentFacts,
    ip: Option<&str>,
    config_applied: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    host::Entity::update_many()
        .col_expr(host::Column::Hostname, Expr::value(facts.hostname.clone()))
        .col_expr(host::Column::Os, Expr::value(facts.os.clone()))
        .col_expr(host::Column::Arch, Expr::value(facts.arch.clone()))
        .col_expr(host::Column::AgentVersion, Expr::value(facts.agent_version.clone()))
        .col_expr(host::Column::ResticVersion, Expr::value(facts.restic_version.clone()))
        .col_expr(host::Column::Timezone, Expr::value(facts.timezone.clone()))
        .col_expr(host::Column::LastSeenAt, Expr::value(now))
        .col_expr(host::Column::LastIp, Expr::value(ip.map(str::to_string)))
        .col_expr(host::Column::AppliedConfigVersion, Expr::value(config_applied))
        .filter(host::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The hosts linked to `repository`.
pub async fn hosts_of_repository<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(host_repository::Entity::find()
        .select_only()
        .column(host_repository::Column::HostId)
        .filter(host_repository::Column::RepositoryId.eq(repository))
        .into_tuple()
        .all(db)
        .await?)
}

/// Marks every host linked to `repository` as needing a new config.
pub async fn bump_config_for_repository<C: ConnectionTrait>(
    db: &C,
    repository: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    let hosts: Vec<Uuid> = host_repository::Entity::find()
        .select_only()
        .column(host_repository::Column::HostId)
        .filter(host_repository::Column::RepositoryId.eq(repository))
        .into_tuple()
        .all(db)
        .await?;
    if !hosts.is_empty() {
        bump_config(db, &hosts).await?;
    }
    Ok(hosts)
}

pub async fn bump_config<C: ConnectionTrait>(db: &C, hosts: &[Uuid]) -> Result<(), StoreError> {
    host::Entity::update_many()
        .col_expr(host::Column::ConfigVersion, Expr::col(host::Column::ConfigVersion).add(1))
        .filter(host::Column::Id.is_in(hosts.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn linked_repositories<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(host_repository::Entity::find()
        .select_only()
        .column(host_repository::Column::RepositoryId)
        .filter(host_repository::Column::HostId.eq(host))
        .into_tuple()
        .all(db)
        .await?)
}

/// Links for many hosts at once (one query for a whole page of hosts).
pub async fn links_for_hosts<C: ConnectionTrait>(
    db: &C,
    hosts: &[Uuid],
) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    Ok(host_repository::Entity::find()
        .select_only()
        .column(host_repository::Column::HostId)
        .column(host_repository::Column::RepositoryId)
        .filter(host_repository::Column::HostId.is_in(hosts.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn link<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let exists = host_repository::Entity::find_by_id((host, repository)).one(db).await?.is_some();
    if exists {
        return Ok(false);
    }
    host_repository::ActiveModel {
        host_id: sea_orm::Set(host),
        repository_id: sea_orm::Set(repository),
        created_at: sea_orm::Set(now),
    }
    .insert(db)
    .await?;
    Ok(true)
}

pub async fn unlink<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    repository: Uuid,
) -> Result<bool, StoreError> {
    Ok(host_repository::Entity::delete_by_id((host, repository)).exec(db).await?.rows_affected > 0)
}

/// Hosts whose agent was last in touch before `cutoff` (never-seen hosts are not
/// counted: they have not run yet).
pub async fn silent_since<C: ConnectionTrait>(
    db: &C,
    cutoff: DateTime<Utc>,
) -> Result<Vec<HostRow>, StoreError> {
    Ok(host::Entity::find().filter(host::Column::LastSeenAt.lt(cutoff)).all(db).await?)
}

use super::entities::host_hooks;

/// The sealed default hooks of a host's schedules, if it has any.
pub async fn default_hooks<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
) -> Result<Option<String>, StoreError> {
    Ok(host_hooks::Entity::find_by_id(host).one(db).await?.map(|r| r.hooks_enc))
}

/// The sealed default hooks of those of `hosts` that have them.
pub async fn default_hooks_many<C: ConnectionTrait>(
    db: &C,
    hosts: &[Uuid],
) -> Result<Vec<(Uuid, String)>, StoreError> {
    Ok(host_hooks::Entity::find()
        .select_only()
        .column(host_hooks::Column::HostId)
        .column(host_hooks::Column::HooksEnc)
        .filter(host_hooks::Column::HostId.is_in(hosts.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// Sets (or with `None` removes) a host's sealed default hooks.
pub async fn set_default_hooks<C: ConnectionTrait>(
    db: &C,
    host: Uuid,
    sealed: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    host_hooks::Entity::delete_by_id(host).exec(db).await?;
    if let Some(hooks_enc) = sealed {
        let row = host_hooks::Model { host_id: host, hooks_enc, updated_at: now };
        let active: host_hooks::ActiveModel = row.into();
        active.reset_all().insert(db).await?;
    }
    Ok(())
}

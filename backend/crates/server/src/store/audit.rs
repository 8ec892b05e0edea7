//! The append-only, hash-chained audit table. Each row stores the hash of the row before
//! it and its own hash over a canonical encoding of every column, so editing or deleting a
//! row breaks the chain at that point.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use sha2::{Digest, Sha256};

use super::{StoreError, entities::audit_event, like_contains};

pub use audit_event::Model as AuditRow;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Key of the PostgreSQL advisory lock that orders appends to the chain.
const PG_CHAIN_LOCK: i64 = 0x0CA1_A0D1;

/// A new event as the domain describes it; the store adds id, hashes and time.
#[derive(Debug, Clone)]
pub struct NewAuditRow {
    pub time: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub outcome: String,
    pub details: String,
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Matches the actor's name (contains) or id (equal).
    pub actor: Option<String>,
    /// `user.create` matches exactly; `user.` matches every action starting with it.
    pub action: Option<String>,
    /// Matches the target's name (contains) or id (equal).
    pub target: Option<String>,
    pub outcome: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Appends one event inside the caller's transaction (so it commits with the change).
pub async fn append<C: ConnectionTrait>(db: &C, row: NewAuditRow) -> Result<AuditRow, StoreError> {
    if db.get_database_backend() == DbBackend::Postgres {
        // Serialises appenders across connections and replicas until this transaction ends.
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PG_CHAIN_LOCK})")).await?;
    }
    let last = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Hash)
        .column(audit_event::Column::Time)
        .order_by_desc(audit_event::Column::Id)
        .limit(1)
        .into_tuple::<(String, DateTime<Utc>)>()
        .one(db)
        .await?;
    let (prev, prev_time) = match last {
        Some((hash, time)) => (hash, Some(time)),
        None => (GENESIS_HASH.to_string(), None),
    };
    // Stored precision is microseconds on both engines; hash what will be read back. Time
    // never goes backwards along the chain (a clock stepped back gets the previous event's
    // time), so a time range is an id range: `list_query` relies on it.
    let time = DateTime::from_timestamp_micros(row.time.timestamp_micros()).unwrap_or(row.time);
    let time = prev_time.map_or(time, |p| Ord::max(time, p));
    let row = NewAuditRow { time, ..row };
    let hash = chain_hash(&prev, &row);
    let active = audit_event::ActiveModel {
        time: Set(row.time),
        actor_kind: Set(row.actor_kind),
        actor_id: Set(row.actor_id),
        actor_name: Set(row.actor_name),
        source_ip: Set(row.source_ip),
        user_agent: Set(row.user_agent),
        action: Set(row.action),
        target_kind: Set(row.target_kind),
        target_id: Set(row.target_id),
        target_name: Set(row.target_name),
        outcome: Set(row.outcome),
        details: Set(row.details),
        prev_hash: Set(prev),
        hash: Set(hash),
        ..Default::default()
    };
    Ok(active.insert(db).await?)
}

/// SHA-256 over a JSON array of every column in a fixed order.
pub fn chain_hash(prev: &str, row: &NewAuditRow) -> String {
    let canonical = serde_json::json!([
        prev,
        row.time.to_rfc3339_opts(SecondsFormat::Micros, true),
        row.actor_kind,
        row.actor_id,
        row.actor_name,
        row.source_ip,
        row.user_agent,
        row.action,
        row.target_kind,
        row.target_id,
        row.target_name,
        row.outcome,
        row.details,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

fn as_new(row: &AuditRow) -> NewAuditRow {
    NewAuditRow {
        time: row.time,
        actor_kind: row.actor_kind.clone(),
        actor_id: row.actor_id.clone(),
        actor_name: row.actor_name.clone(),
        source_ip: row.source_ip.clone(),
        user_agent: row.user_agent.clone(),
        action: row.action.clone(),
        target_kind: row.target_kind.clone(),
        target_id: row.target_id.clone(),
        target_name: row.target_name.clone(),
        outcome: row.outcome.clone(),
        details: row.details.clone(),
    }
}

/// Newest first, strictly older than `before` (an event id) and no older than event `from`
/// when given.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    before: Option<i64>,
    from: Option<i64>,
    limit: u64,
) -> Result<Vec<AuditRow>, StoreError> {
    let rows = list_query(filter, before, from, limit)
        .into_model::<super::positional::AuditByPosition>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

impl AuditFilter {
    /// Whether the filter tests text no index serves: a name that contains a string, or an
    /// action prefix. Such a page reads events newest first and tests each one.
    pub fn searches_text(&self) -> bool {
        non_empty(&self.actor).is_some()
            || non_empty(&self.target).is_some()
            || non_empty(&self.action).is_some_and(|a| a.ends_with('.'))
    }
}

/// One page of events, newest first (by id), before `before` and from `from`. With no
/// filter, an outcome, or an exact action, a page reads `(…, id)` index entries in order;
/// text filters and action prefixes look at events newest first until the page is full
/// (the caller bounds that with `from`). A time range becomes an id range: time does not
/// go backwards along the chain (see `append`), so the events in `[since, until]` are the
/// ids from the first event at or after `since` to the last one at or before `until`, each
/// found by one probe of the `(time, id)` index; the page then reads ids in order.
pub fn list_query(
    filter: &AuditFilter,
    before: Option<i64>,
    from: Option<i64>,
    limit: u64,
) -> sea_orm::Select<audit_event::Entity> {
    use sea_orm::sea_query::{Query, SimpleExpr, SubQueryStatement};
    let mut q = audit_event::Entity::find();
    let lower_like = |col: audit_event::Column, pattern: &str| {
        Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
    };
    if let Some(actor) = non_empty(&filter.actor) {
        let p = like_contains(&actor.to_lowercase());
        q = q.filter(
            lower_like(audit_event::Column::ActorName, &p)
                .or(audit_event::Column::ActorId.eq(actor)),
        );
    }
    if let Some(action) = non_empty(&filter.action) {
        q = if action.ends_with('.') {
            let escaped = action.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            q.filter(
                Expr::col(audit_event::Column::Action)
                    .like(LikeExpr::new(format!("{escaped}%")).escape('\\')),
            )
        } else {
            q.filter(audit_event::Column::Action.eq(action))
        };
    }
    if let Some(target) = non_empty(&filter.target) {
        let p = like_contains(&target.to_lowercase());
        q = q.filter(
            lower_like(audit_event::Column::TargetName, &p)
                .or(audit_event::Column::TargetId.eq(target)),
        );
    }
    if let Some(outcome) = non_empty(&filter.outcome) {
        q = q.filter(audit_event::Column::Outcome.eq(outcome));
    }
    // The id of the first (or last) event in time order on the given side of `t`.
    let edge = |t: DateTime<Utc>, first: bool| -> SimpleExpr {
        let mut sub = Query::select();
        sub.column(audit_event::Column::Id).from(audit_event::Entity).limit(1);
        if first {
            sub.and_where(Expr::col(audit_event::Column::Time).gte(t))
                .order_by(audit_event::Column::Time, sea_orm::Order::Asc)
                .order_by(audit_event::Column::Id, sea_orm::Order::Asc);
        } else {
            sub.and_where(Expr::col(audit_event::Column::Time).lte(t))
                .order_by(audit_event::Column::Time, sea_orm::Order::Desc)
                .order_by(audit_event::Column::Id, sea_orm::Order::Desc);
        }
        SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::from(sub.to_owned())))
    };
    if let Some(since) = filter.since {
        q = q.filter(Expr::col(audit_event::Column::Id).gte(edge(since, true)));
    }
    if let Some(until) = filter.until {
        q = q.filter(Expr::col(audit_event::Column::Id).lte(edge(until, false)));
    }
    if let Some(before) = before {
        q = q.filter(audit_event::Column::Id.lt(before));
    }
    if let Some(from) = from {
        q = q.filter(audit_event::Column::Id.gte(from));
    }
    q.order_by_desc(audit_event::Column::Id).limit(limit)
}

/// The lowest and the highest event id, if there are events. Two subqueries, not one
/// `SELECT MIN(id), MAX(id)`: SQLite answers a lone `MIN` or `MAX` from the end of the
/// index, but scans the table for both together.
pub async fn id_range<C: ConnectionTrait>(db: &C) -> Result<Option<(i64, i64)>, StoreError> {
    let sql =
        "SELECT (SELECT MIN(id) FROM audit_events) AS lo, (SELECT MAX(id) FROM audit_events) AS hi";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    let Some(row) = row else { return Ok(None) };
    let lo: Option<i64> = row.try_get("", "lo")?;
    let hi: Option<i64> = row.try_get("", "hi")?;
    Ok(lo.zip(hi))
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub checked: u64,
    /// Where the chain starts after a retention cut, if there was one.
    pub start: Option<ChainStart>,
    /// The first event whose stored hashes do not match the chain.
    pub first_broken_id: Option<i64>,
    pub reason: Option<String>,
}

/// Where the chain starts after retention removed its oldest events: the last removed
/// event's id and hash, and how many were removed in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStart {
    pub after_id: i64,
    pub prev_hash: String,
    pub removed: i64,
}

pub async fn chain_start<C: ConnectionTrait>(db: &C) -> Result<Option<ChainStart>, StoreError> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT after_id, prev_hash, removed FROM audit_chain_start WHERE id = 1",
        ))
        .await?;
    Ok(match row {
        Some(r) => Some(ChainStart {
            after_id: r.try_get("", "after_id")?,
            prev_hash: r.try_get("", "prev_hash")?,
            removed: r.try_get("", "removed")?,
        }),
        None => None,
    })
}

/// Removes the oldest events, up to `limit`, that were recorded before `cutoff`, as one
/// unbroken prefix of the chain (it stops at the first younger event, so the chain never
/// gets a hole), and moves the chain's start past them. Returns how many went and the new
/// start, which the caller records as an audit event in the same transaction.
pub async fn remove_oldest<C: ConnectionTrait>(
    db: &C,
    cutoff: DateTime<Utc>,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Option<(u64, ChainStart)>, StoreError> {
    let oldest: Vec<(i64, DateTime<Utc>, String)> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .column(audit_event::Column::Time)
        .column(audit_event::Column::Hash)
        .order_by_asc(audit_event::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let old: Vec<&(i64, DateTime<Utc>, String)> =
        oldest.iter().take_while(|(_, time, _)| *time < cutoff).collect();
    let Some((last_id, _, last_hash)) = old.last() else { return Ok(None) };
    let removed = audit_event::Entity::delete_many()
        .filter(audit_event::Column::Id.lte(*last_id))
        .exec(db)
        .await?
        .rows_affected;
    let backend = db.get_database_backend();
    let total = chain_start(db).await?.map_or(0, |s| s.removed) + removed as i64;
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO audit_chain_start (id, after_id, prev_hash, removed, updated_at) \
             VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET after_id = excluded.after_id, \
             prev_hash = excluded.prev_hash, removed = excluded.removed, updated_at = excluded.updated_at"
        }
        _ => {
            "INSERT INTO audit_chain_start (id, after_id, prev_hash, removed, updated_at) \
             VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET after_id = excluded.after_id, \
             prev_hash = excluded.prev_hash, removed = excluded.removed, updated_at = excluded.updated_at"
        }
    };
    let values: Vec<sea_orm::Value> =
        vec![(*last_id).into(), last_hash.clone().into(), total.into(), now.into()];
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    let start = ChainStart { after_id: *last_id, prev_hash: last_hash.clone(), removed: total };
    Ok(Some((removed, start)))
}

/// The action of the event that records a retention cut; verification requires one for
/// the chain's current start, so moving the start by hand shows.
pub const PRUNED_ACTION: &str = "history.audit_pruned";

/// Walks the whole chain oldest first, in batches, recomputing every hash. After a
/// retention cut it starts from the recorded hash of the last removed event.
pub async fn verify_chain<C: ConnectionTrait>(db: &C) -> Result<ChainReport, StoreError> {
    const BATCH: u64 = 1000;
    let start = chain_start(db).await?;
    let mut prev = start.as_ref().map_or(GENESIS_HASH.to_string(), |s| s.prev_hash.clone());
    let mut after: i64 = start.as_ref().map_or(i64::MIN, |s| s.after_id);
    let mut checked = 0u64;
    // Whether an event records the cut the chain starts after (none needed without a cut).
    let mut cut_recorded = start.is_none();
    loop {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Id.gt(after))
            .order_by_asc(audit_event::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if rows.is_empty() {
            if !cut_recorded {
                return Ok(ChainReport {
                    checked,
                    first_broken_id: start.as_ref().map(|s| s.after_id),
                    start,
                    reason: Some(
                        "the chain's start was moved without a retention record (events before it were removed by hand)"
                            .into(),
                    ),
                });
            }
            return Ok(ChainReport { checked, start, first_broken_id: None, reason: None });
        }
        for row in &rows {
            let broken = if row.prev_hash != prev {
                Some(
                    "its link to the previous event does not match (an event was removed or changed)",
                )
            } else if chain_hash(&prev, &as_new(row)) != row.hash {
                Some("its content does not match its hash (the event was edited)")
            } else {
                None
            };
            if let Some(reason) = broken {
                return Ok(ChainReport {
                    checked,
                    start,
                    first_broken_id: Some(row.id),
                    reason: Some(reason.to_string()),
                });
            }
            if let Some(s) = &start
                && row.action == PRUNED_ACTION
                && serde_json::from_str::<serde_json::Value>(&row.details)
                    .is_ok_and(|d| d["after_id"] == s.after_id && d["prev_hash"] == s.prev_hash)
            {
                cut_recorded = true;
            }
            checked += 1;
            prev = row.hash.clone();
            after = row.id;
        }
    }
}

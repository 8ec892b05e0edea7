//! Job arguments and queued commands become tagged by kind (protocol 3): a job's `args`
//! from `{"backup": {...}}` to `{"kind": "backup", "paths": [...], ...}`, and a queued
//! command's `payload` from its bare parts to the whole action, `{"kind": "run_job",
//! "job": {..., "args": {...}}}`. Written against JSON values, not the server's types, so
//! it stays what it is when those types move on.

use sea_orm::{ConnectionTrait, Statement, prelude::Uuid};
use sea_orm_migration::prelude::*;
use serde_json::{Map, Value, json};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Args,
}

#[derive(DeriveIden)]
enum AgentCommands {
    Table,
    Id,
    Payload,
}

/// A job's old `{"backup": X}` as the tagged arguments of its kind.
pub fn job_args(kind: &str, old: &Value) -> Value {
    if old.get("kind").is_some() {
        return old.clone();
    }
    let mut args = match (kind, old.get("backup")) {
        ("backup", Some(Value::Object(b))) => b.clone(),
        ("backup", _) => json!({"paths": [], "excludes": [], "tags": []})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        _ => Map::new(),
    };
    args.insert("kind".into(), Value::String(kind.to_string()));
    Value::Object(args)
}

/// A queued command's old payload as its whole tagged action.
pub fn command_payload(kind: &str, old: &Value) -> Value {
    if old.get("kind").and_then(Value::as_str) == Some(kind) && kind != "run_job" {
        return old.clone();
    }
    match kind {
        "run_job" if old.get("job").is_some() => old.clone(),
        "run_job" => {
            let job_kind = old.get("kind").and_then(Value::as_str).unwrap_or("backup");
            json!({
                "kind": "run_job",
                "job": {
                    "job_id": old.get("job_id"),
                    "repository_id": old.get("repository_id"),
                    "config_version": old.get("config_version").cloned().unwrap_or(json!(0)),
                    // The old spec's own `kind` is the job's; its arguments were `backup`.
                    "args": job_args(job_kind, &json!({ "backup": old.get("backup") })),
                }
            })
        }
        "cancel_job" => json!({"kind": "cancel_job", "job_id": old.get("job_id")}),
        other => json!({ "kind": other }),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(backend, "SELECT id, kind, args FROM jobs"))
            .await?;
        for row in rows {
            let id: Uuid = row.try_get("", "id")?;
            let kind: String = row.try_get("", "kind")?;
            let args: String = row.try_get("", "args")?;
            let old: Value = serde_json::from_str(&args).unwrap_or(Value::Null);
            let new = job_args(&kind, &old);
            if new != old {
                let update = Query::update()
                    .table(Jobs::Table)
                    .value(Jobs::Args, new.to_string())
                    .and_where(Expr::col(Jobs::Id).eq(id))
                    .to_owned();
                manager.exec_stmt(update).await?;
            }
        }
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, kind, payload FROM agent_commands",
            ))
            .await?;
        for row in rows {
            let id: Uuid = row.try_get("", "id")?;
            let kind: String = row.try_get("", "kind")?;
            let payload: String = row.try_get("", "payload")?;
            let old: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            let new = command_payload(&kind, &old);
            if new != old {
                let update = Query::update()
                    .table(AgentCommands::Table)
                    .value(AgentCommands::Payload, new.to_string())
                    .and_where(Expr::col(AgentCommands::Id).eq(id))
                    .to_owned();
                manager.exec_stmt(update).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Protocol 2 agents cannot talk to this server anyway; there is no way back.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_shapes_become_tagged() {
        let backup = json!({"backup": {"paths": ["/etc"], "excludes": [], "tags": ["t"]}});
        assert_eq!(
            job_args("backup", &backup),
            json!({"kind": "backup", "paths": ["/etc"], "excludes": [], "tags": ["t"]})
        );
        assert_eq!(job_args("init", &json!({"backup": null})), json!({"kind": "init"}));
        let tagged = json!({"kind": "snapshots"});
        assert_eq!(job_args("snapshots", &tagged), tagged);
        let run = json!({"job_id": "j", "kind": "backup", "repository_id": "r", "config_version": 3,
                         "backup": {"paths": ["/a"], "excludes": [], "tags": []}});
        assert_eq!(
            command_payload("run_job", &run),
            json!({"kind": "run_job", "job": {"job_id": "j", "repository_id": "r", "config_version": 3,
                   "args": {"kind": "backup", "paths": ["/a"], "excludes": [], "tags": []}}})
        );
        let new = command_payload("run_job", &run);
        assert_eq!(command_payload("run_job", &new), new, "applying it twice changes nothing");
        assert_eq!(command_payload("ping", &json!({})), json!({"kind": "ping"}));
        assert_eq!(
            command_payload("cancel_job", &json!({"job_id": "j"})),
            json!({"kind": "cancel_job", "job_id": "j"})
        );
    }
}

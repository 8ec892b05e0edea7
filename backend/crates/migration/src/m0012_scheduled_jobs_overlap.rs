//! Runs an agent starts on its schedule's clock may overlap another job on the same host
//! and repository: the agent reports them after the fact (perhaps hours later, from its
//! outbox), and the run happened whatever the server thinks. The one-active-job rule now
//! holds for the jobs the server hands out (run now, maintenance), which it still checks.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A new name: on SQLite the pool's other connections may still hold the schema
        // with the old index, and would refuse to create one of the same name.
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_jobs_one_handed_out ON jobs (host_id, repository_id) \
             WHERE status IN ('queued', 'dispatched', 'running') AND actor_kind <> 'schedule'",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_jobs_one_active").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_jobs_one_active ON jobs (host_id, repository_id) \
             WHERE status IN ('queued', 'dispatched', 'running')",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_jobs_one_handed_out").await?;
        Ok(())
    }
}

//! Each schedule keeps a copy of its newest job (id, status, created, finished), so a page
//! of the host list reads its hosts' last scheduled runs with their schedules and never
//! touches `jobs`: probing `jobs` for each schedule's newest job cost more than the rest of
//! the page together. The store refreshes the copy whenever it writes a job of a schedule
//! (`store::jobs`) or removes one (`store::history`). Existing schedules are filled here.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schedules {
    Table,
    LastJobId,
    LastJobStatus,
    LastJobCreatedAt,
    LastJobFinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(Schedules::LastJobId).uuid().null().to_owned(),
            ColumnDef::new(Schedules::LastJobStatus).string_len(16).null().to_owned(),
            ColumnDef::new(Schedules::LastJobCreatedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Schedules::LastJobFinishedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            m.alter_table(Table::alter().table(Schedules::Table).add_column(col).to_owned())
                .await?;
        }
        // The same statement as `store::schedules::refresh_last_jobs`, for every schedule.
        m.get_connection()
            .execute_unprepared(
                "UPDATE schedules SET \
                 (last_job_id, last_job_status, last_job_created_at, last_job_finished_at) = \
                 (SELECT l.id, l.status, l.created_at, l.finished_at FROM jobs l \
                  WHERE l.schedule_id = schedules.id ORDER BY l.created_at DESC, l.id DESC LIMIT 1)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Schedules::LastJobFinishedAt,
            Schedules::LastJobCreatedAt,
            Schedules::LastJobStatus,
            Schedules::LastJobId,
        ] {
            m.alter_table(Table::alter().table(Schedules::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

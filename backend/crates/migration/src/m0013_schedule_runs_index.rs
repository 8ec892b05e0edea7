//! A schedule's newest job read from one index, never from its row: the host list shows
//! each host's last scheduled run (id, status, created, finished) for a whole page, and a
//! job's row holds kilobytes of JSON, on a page of its own. The index replaces
//! `idx_jobs_schedule_page`, whose order it keeps.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    ScheduleId,
    CreatedAt,
    Id,
    Status,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_jobs_schedule_runs")
                .table(Jobs::Table)
                .col(Jobs::ScheduleId)
                .col(Jobs::CreatedAt)
                .col(Jobs::Id)
                .col(Jobs::Status)
                .col(Jobs::FinishedAt)
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("idx_jobs_schedule_page").table(Jobs::Table).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_jobs_schedule_page")
                .table(Jobs::Table)
                .col(Jobs::ScheduleId)
                .col(Jobs::CreatedAt)
                .col(Jobs::Id)
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("idx_jobs_schedule_runs").table(Jobs::Table).to_owned())
            .await
    }
}

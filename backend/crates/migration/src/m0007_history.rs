//! History retention: a job remembers when its log lines were removed (`logs_removed_at`),
//! and ended jobs are found by their end time for pruning without reading every job.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    FinishedAt,
    LogsRemovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .add_column(ColumnDef::new(Jobs::LogsRemovedAt).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_jobs_finished")
                .table(Jobs::Table)
                .col(Jobs::FinishedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_jobs_finished").table(Jobs::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Jobs::Table).drop_column(Jobs::LogsRemovedAt).to_owned())
            .await
    }
}

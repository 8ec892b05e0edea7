//! The maintenance queue: a job that would collide with another on the same repository
//! (a prune while a backup runs, a backup while a check runs) waits, naming the job it
//! waits for, and is handed out once that one ends. The index finds a repository's jobs
//! that have not ended without reading its history.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    RepositoryId,
    Status,
    WaitingFor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .add_column(ColumnDef::new(Jobs::WaitingFor).uuid().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_jobs_repository_status")
                .table(Jobs::Table)
                .col(Jobs::RepositoryId)
                .col(Jobs::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop().name("idx_jobs_repository_status").table(Jobs::Table).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Jobs::Table).drop_column(Jobs::WaitingFor).to_owned())
            .await
    }
}

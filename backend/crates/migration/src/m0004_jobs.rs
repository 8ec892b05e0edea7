//! Jobs (backup, init, snapshot refresh) with their status, result and latest progress;
//! their log lines, stored once per (job, seq) so a retried batch never duplicates one;
//! and the snapshots each host has in each repository, as its agent last reported them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    HostId,
    RepositoryId,
    Kind,
    Status,
    ActorKind,
    Actor,
    Args,
    CreatedAt,
    DispatchedAt,
    StartedAt,
    FinishedAt,
    CancelRequestedAt,
    ExitCode,
    ErrorClass,
    ErrorMessage,
    Summary,
    SnapshotId,
    Result,
    Progress,
    LastSeq,
    LogLines,
    Dispatches,
}

#[derive(DeriveIden)]
enum JobLogs {
    Table,
    JobId,
    Seq,
    At,
    Stream,
    Line,
}

#[derive(DeriveIden)]
enum Snapshots {
    Table,
    HostId,
    RepositoryId,
    SnapshotId,
    Time,
    Hostname,
    Paths,
    Tags,
    ReportedAt,
}

#[derive(DeriveIden)]
enum Hosts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(ColumnDef::new(Jobs::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Jobs::HostId).uuid().not_null())
                .col(ColumnDef::new(Jobs::RepositoryId).uuid().null())
                .col(ColumnDef::new(Jobs::Kind).string_len(16).not_null())
                .col(ColumnDef::new(Jobs::Status).string_len(16).not_null())
                .col(ColumnDef::new(Jobs::ActorKind).string_len(16).not_null())
                .col(ColumnDef::new(Jobs::Actor).string_len(128).null())
                .col(ColumnDef::new(Jobs::Args).text().not_null())
                .col(ts(Jobs::CreatedAt))
                .col(ts_null(Jobs::DispatchedAt))
                .col(ts_null(Jobs::StartedAt))
                .col(ts_null(Jobs::FinishedAt))
                .col(ts_null(Jobs::CancelRequestedAt))
                .col(ColumnDef::new(Jobs::ExitCode).integer().null())
                .col(ColumnDef::new(Jobs::ErrorClass).string_len(64).null())
                .col(ColumnDef::new(Jobs::ErrorMessage).text().null())
                .col(ColumnDef::new(Jobs::Summary).text().null())
                .col(ColumnDef::new(Jobs::SnapshotId).string_len(64).null())
                .col(ColumnDef::new(Jobs::Result).text().null())
                .col(ColumnDef::new(Jobs::Progress).text().null())
                .col(ColumnDef::new(Jobs::LastSeq).big_integer().not_null().default(0))
                .col(ColumnDef::new(Jobs::LogLines).big_integer().not_null().default(0))
                .col(ColumnDef::new(Jobs::Dispatches).integer().not_null().default(0))
                .foreign_key(
                    ForeignKey::create()
                        .from(Jobs::Table, Jobs::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Jobs::Table, Jobs::RepositoryId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("idx_jobs_host_created", vec![Jobs::HostId, Jobs::CreatedAt]),
            ("idx_jobs_created", vec![Jobs::CreatedAt]),
            ("idx_jobs_status", vec![Jobs::Status]),
            // Each poll asks which of its host's jobs are unfinished (lost detection).
            ("idx_jobs_host_status", vec![Jobs::HostId, Jobs::Status]),
            ("idx_jobs_snapshot", vec![Jobs::SnapshotId]),
        ] {
            let mut idx = Index::create().name(name).table(Jobs::Table).to_owned();
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx).await?;
        }
        // At most one unfinished job per host and repository, enforced by the database so
        // two "Run now" racing on two replicas cannot both win. Same SQL on both engines.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_jobs_one_active ON jobs (host_id, repository_id) \
                 WHERE status IN ('queued', 'dispatched', 'running')",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(JobLogs::Table)
                .col(ColumnDef::new(JobLogs::JobId).uuid().not_null())
                .col(ColumnDef::new(JobLogs::Seq).big_integer().not_null())
                .col(ts(JobLogs::At))
                .col(ColumnDef::new(JobLogs::Stream).string_len(8).not_null())
                .col(ColumnDef::new(JobLogs::Line).text().not_null())
                .primary_key(Index::create().col(JobLogs::JobId).col(JobLogs::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .from(JobLogs::Table, JobLogs::JobId)
                        .to(Jobs::Table, Jobs::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Snapshots::Table)
                .col(ColumnDef::new(Snapshots::HostId).uuid().not_null())
                .col(ColumnDef::new(Snapshots::RepositoryId).uuid().not_null())
                .col(ColumnDef::new(Snapshots::SnapshotId).string_len(64).not_null())
                .col(ts(Snapshots::Time))
                .col(ColumnDef::new(Snapshots::Hostname).string_len(255).not_null())
                .col(ColumnDef::new(Snapshots::Paths).text().not_null())
                .col(ColumnDef::new(Snapshots::Tags).text().not_null())
                .col(ts(Snapshots::ReportedAt))
                .primary_key(
                    Index::create()
                        .col(Snapshots::HostId)
                        .col(Snapshots::RepositoryId)
                        .col(Snapshots::SnapshotId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Snapshots::Table, Snapshots::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Snapshots::Table, Snapshots::RepositoryId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_snapshots_host_time")
                .table(Snapshots::Table)
                .col(Snapshots::HostId)
                .col(Snapshots::Time)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [Snapshots::Table.into_iden(), JobLogs::Table.into_iden(), Jobs::Table.into_iden()]
        {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

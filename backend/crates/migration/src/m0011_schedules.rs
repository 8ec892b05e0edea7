//! Schedules: what a host backs up to which repository, when (a cron expression read in an
//! IANA time zone, or manual), and how long snapshots are kept. Jobs remember the schedule
//! that made them; hosts report their own time zone, the one a schedule uses by default.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schedules {
    Table,
    Id,
    HostId,
    RepositoryId,
    Name,
    Cron,
    Timezone,
    Enabled,
    Backup,
    Retention,
    ForgetAfterBackup,
    PruneAfterForget,
    PruneMaxUnused,
    Missed,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    ScheduleId,
    CreatedAt,
    Id,
}

#[derive(DeriveIden)]
enum Hosts {
    Table,
    Id,
    Timezone,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: Schedules| ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned();
        m.create_table(
            Table::create()
                .table(Schedules::Table)
                .col(ColumnDef::new(Schedules::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Schedules::HostId).uuid().not_null())
                .col(ColumnDef::new(Schedules::RepositoryId).uuid().not_null())
                .col(ColumnDef::new(Schedules::Name).string_len(100).not_null())
                // NULL: manual, runs only when asked.
                .col(ColumnDef::new(Schedules::Cron).string_len(200).null())
                // NULL: the host's own zone.
                .col(ColumnDef::new(Schedules::Timezone).string_len(64).null())
                .col(ColumnDef::new(Schedules::Enabled).boolean().not_null())
                // JSON: paths, excludes, exclude files, tags, one-file-system, limits.
                .col(ColumnDef::new(Schedules::Backup).text().not_null())
                // JSON retention policy; NULL keeps everything.
                .col(ColumnDef::new(Schedules::Retention).text().null())
                .col(ColumnDef::new(Schedules::ForgetAfterBackup).boolean().not_null())
                .col(ColumnDef::new(Schedules::PruneAfterForget).boolean().not_null())
                .col(ColumnDef::new(Schedules::PruneMaxUnused).string_len(16).null())
                .col(ColumnDef::new(Schedules::Missed).string_len(16).not_null())
                .col(ts(Schedules::CreatedAt))
                .col(ts(Schedules::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Schedules::Table, Schedules::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Schedules::Table, Schedules::RepositoryId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // A host's schedules by name (its list's order), and names unique per host.
        m.create_index(
            Index::create()
                .name("idx_schedules_host_name")
                .table(Schedules::Table)
                .col(Schedules::HostId)
                .col(Schedules::Name)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_schedules_repository")
                .table(Schedules::Table)
                .col(Schedules::RepositoryId)
                .to_owned(),
        )
        .await?;
        // No foreign key: a job outlives its schedule (history shows what ran), and SQLite
        // cannot add one to an existing table.
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .add_column(ColumnDef::new(Jobs::ScheduleId).uuid().null())
                .to_owned(),
        )
        .await?;
        // A schedule's last runs, newest first (its row's "last run", and its history).
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
        m.alter_table(
            Table::alter()
                .table(Hosts::Table)
                .add_column(ColumnDef::new(Hosts::Timezone).string_len(64).null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Hosts::Table).drop_column(Hosts::Timezone).to_owned())
            .await?;
        m.drop_index(Index::drop().name("idx_jobs_schedule_page").table(Jobs::Table).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Jobs::Table).drop_column(Jobs::ScheduleId).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Schedules::Table).to_owned()).await
    }
}

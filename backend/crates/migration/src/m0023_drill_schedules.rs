//! A host's restore drill on a schedule: which repository it samples, a cron in a zone,
//! how many files and bytes, and the next fire the server's sweep waits for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DrillSchedules {
    Table,
    HostId,
    RepositoryId,
    Cron,
    Timezone,
    Files,
    MaxBytes,
    NextAt,
    UpdatedAt,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One drill schedule per host: the host is the key.
        m.create_table(
            Table::create()
                .table(DrillSchedules::Table)
                .col(ColumnDef::new(DrillSchedules::HostId).uuid().not_null().primary_key())
                .col(ColumnDef::new(DrillSchedules::RepositoryId).uuid().not_null())
                .col(ColumnDef::new(DrillSchedules::Cron).string_len(200).not_null())
                .col(ColumnDef::new(DrillSchedules::Timezone).string_len(64).null())
                .col(ColumnDef::new(DrillSchedules::Files).integer().not_null())
                .col(ColumnDef::new(DrillSchedules::MaxBytes).big_integer().not_null())
                .col(ColumnDef::new(DrillSchedules::NextAt).timestamp_with_time_zone().null())
                .col(
                    ColumnDef::new(DrillSchedules::UpdatedAt).timestamp_with_time_zone().not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(DrillSchedules::Table, DrillSchedules::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(DrillSchedules::Table, DrillSchedules::RepositoryId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The sweep reads the due ones every 30 s.
        m.create_index(
            Index::create()
                .name("idx_drill_schedules_next_at")
                .table(DrillSchedules::Table)
                .col(DrillSchedules::NextAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DrillSchedules::Table).to_owned()).await
    }
}

//! Copies to a mirror repository (3-2-1): a schedule may copy each backup's snapshots to a
//! second repository (`schedules.copy_to`), and each source → mirror pair (per host whose
//! snapshots were copied, `""` for a copy of every host's) keeps what its newest copy
//! measured, so the mirror's staleness is shown without asking restic.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RepositoryCopies {
    Table,
    SourceId,
    MirrorId,
    Host,
    LastJobId,
    LastStatus,
    LastAt,
    SourceSnapshots,
    Missing,
    SourceNewest,
    CopiedNewest,
    MeasuredAt,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Schedules {
    Table,
    CopyTo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: RepositoryCopies| ColumnDef::new(c).timestamp_with_time_zone().to_owned();
        m.create_table(
            Table::create()
                .table(RepositoryCopies::Table)
                .col(ColumnDef::new(RepositoryCopies::SourceId).uuid().not_null())
                .col(ColumnDef::new(RepositoryCopies::MirrorId).uuid().not_null())
                .col(ColumnDef::new(RepositoryCopies::Host).string_len(255).not_null())
                .col(ColumnDef::new(RepositoryCopies::LastJobId).uuid().not_null())
                .col(ColumnDef::new(RepositoryCopies::LastStatus).string_len(16).not_null())
                .col(ts(RepositoryCopies::LastAt).not_null())
                .col(ColumnDef::new(RepositoryCopies::SourceSnapshots).integer().null())
                .col(ColumnDef::new(RepositoryCopies::Missing).integer().null())
                .col(ts(RepositoryCopies::SourceNewest).null())
                .col(ts(RepositoryCopies::CopiedNewest).null())
                .col(ts(RepositoryCopies::MeasuredAt).null())
                .primary_key(
                    Index::create()
                        .col(RepositoryCopies::SourceId)
                        .col(RepositoryCopies::MirrorId)
                        .col(RepositoryCopies::Host),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RepositoryCopies::Table, RepositoryCopies::SourceId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RepositoryCopies::Table, RepositoryCopies::MirrorId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The mirror's page reads the pairs it is the mirror of.
        m.create_index(
            Index::create()
                .name("idx_repository_copies_mirror")
                .table(RepositoryCopies::Table)
                .col(RepositoryCopies::MirrorId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Schedules::Table)
                .add_column(ColumnDef::new(Schedules::CopyTo).uuid().null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Schedules::Table).drop_column(Schedules::CopyTo).to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(RepositoryCopies::Table).to_owned()).await
    }
}

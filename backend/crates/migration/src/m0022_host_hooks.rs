//! Hooks a host's schedules run by default (sealed, admins set them): one row per host
//! that has any, apart from the hosts table that every poll reads.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HostHooks {
    Table,
    HostId,
    HooksEnc,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Hosts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HostHooks::Table)
                .col(ColumnDef::new(HostHooks::HostId).uuid().not_null().primary_key())
                .col(ColumnDef::new(HostHooks::HooksEnc).text().not_null())
                .col(ColumnDef::new(HostHooks::UpdatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(HostHooks::Table, HostHooks::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(HostHooks::Table).to_owned()).await
    }
}

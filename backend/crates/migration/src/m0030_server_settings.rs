//! Settings an admin changes at run time, by key (the first: whether password sign-in is
//! on). The configuration file stays the place for what needs a restart.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServerSettings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ServerSettings::Table)
                .if_not_exists()
                .col(ColumnDef::new(ServerSettings::Key).string_len(64).not_null().primary_key())
                .col(ColumnDef::new(ServerSettings::Value).text().not_null())
                .col(
                    ColumnDef::new(ServerSettings::UpdatedAt).timestamp_with_time_zone().not_null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ServerSettings::Table).to_owned()).await
    }
}

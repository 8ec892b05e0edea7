//! Single sign-on providers from the configuration file: marked so the web app and the API
//! show them read-only (the file is where they change).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OidcProviders {
    Table,
    FromConfig,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(OidcProviders::Table)
                .add_column(
                    ColumnDef::new(OidcProviders::FromConfig).boolean().not_null().default(false),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(OidcProviders::Table)
                .drop_column(OidcProviders::FromConfig)
                .to_owned(),
        )
        .await
    }
}

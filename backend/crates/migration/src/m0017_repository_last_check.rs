//! Each repository keeps the verdict of its newest check that ran to one (passed, or found
//! errors): forget and prune wait while the newest verdict is "errors", and the repository
//! page and alerts read it without searching the repository's jobs.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Repositories {
    Table,
    LastCheckJobId,
    LastCheckAt,
    LastCheckPassed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(Repositories::LastCheckJobId).uuid().null().to_owned(),
            ColumnDef::new(Repositories::LastCheckAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(Repositories::LastCheckPassed).boolean().null().to_owned(),
        ] {
            m.alter_table(Table::alter().table(Repositories::Table).add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in
            [Repositories::LastCheckJobId, Repositories::LastCheckAt, Repositories::LastCheckPassed]
        {
            m.alter_table(Table::alter().table(Repositories::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

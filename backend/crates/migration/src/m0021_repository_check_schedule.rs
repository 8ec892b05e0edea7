//! A check of a repository on a schedule of its own: a cron in a zone, how much data to
//! read, an optional preferred host, and the next fire the server's sweep waits for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Repositories {
    Table,
    CheckCron,
    CheckTimezone,
    CheckSubset,
    CheckHostId,
    CheckNextAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(Repositories::CheckCron).string_len(200).null().to_owned(),
            ColumnDef::new(Repositories::CheckTimezone).string_len(64).null().to_owned(),
            ColumnDef::new(Repositories::CheckSubset).string_len(32).null().to_owned(),
            ColumnDef::new(Repositories::CheckHostId).uuid().null().to_owned(),
            ColumnDef::new(Repositories::CheckNextAt).timestamp_with_time_zone().null().to_owned(),
        ] {
            m.alter_table(Table::alter().table(Repositories::Table).add_column(col).to_owned())
                .await?;
        }
        // The sweep reads the due ones every 30 s.
        m.create_index(
            Index::create()
                .name("idx_repositories_check_next_at")
                .table(Repositories::Table)
                .col(Repositories::CheckNextAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_repositories_check_next_at").to_owned()).await?;
        for col in [
            Repositories::CheckCron,
            Repositories::CheckTimezone,
            Repositories::CheckSubset,
            Repositories::CheckHostId,
            Repositories::CheckNextAt,
        ] {
            m.alter_table(Table::alter().table(Repositories::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! A repository's key rotation in progress: the new password (sealed) until restic holds
//! a key for it, then the old key's id and the config version each linked host must apply
//! before the old key is removed, so a host that was offline keeps working until it acks.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Repositories {
    Table,
    NextPasswordEnc,
    RotationState,
    RotationOldKey,
    RotationWaits,
    RotationStartedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(Repositories::NextPasswordEnc).text().null().to_owned(),
            ColumnDef::new(Repositories::RotationState).string_len(16).null().to_owned(),
            ColumnDef::new(Repositories::RotationOldKey).string_len(64).null().to_owned(),
            ColumnDef::new(Repositories::RotationWaits).text().null().to_owned(),
            ColumnDef::new(Repositories::RotationStartedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            m.alter_table(Table::alter().table(Repositories::Table).add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Repositories::NextPasswordEnc,
            Repositories::RotationState,
            Repositories::RotationOldKey,
            Repositories::RotationWaits,
            Repositories::RotationStartedAt,
        ] {
            m.alter_table(Table::alter().table(Repositories::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

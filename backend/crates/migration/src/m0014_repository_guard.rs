//! The delete guard of each repository: how many snapshots (a count, a percentage of the
//! run's scope) one forget may remove, and how many each group keeps whatever the policy
//! says. Existing repositories get the defaults: at most half, at least one kept.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Repositories {
    Table,
    GuardMaxDeleteCount,
    GuardMaxDeletePercent,
    GuardMinKeep,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(Repositories::GuardMaxDeleteCount).integer().null().to_owned(),
            ColumnDef::new(Repositories::GuardMaxDeletePercent)
                .integer()
                .null()
                .default(50)
                .to_owned(),
            ColumnDef::new(Repositories::GuardMinKeep).integer().not_null().default(1).to_owned(),
        ] {
            m.alter_table(Table::alter().table(Repositories::Table).add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Repositories::GuardMaxDeleteCount,
            Repositories::GuardMaxDeletePercent,
            Repositories::GuardMinKeep,
        ] {
            m.alter_table(Table::alter().table(Repositories::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

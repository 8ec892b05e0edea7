//! Schedules get hooks (commands run before and after their backups, sealed like
//! repository passwords) and the agent's latest preflight findings for them (from an
//! explicit check or the latest run), so each schedule's state is shown without asking.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schedules {
    Table,
    HooksEnc,
    AgentFindings,
    AgentCheckedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            ColumnDef::new(Schedules::HooksEnc).text().null().to_owned(),
            ColumnDef::new(Schedules::AgentFindings).text().null().to_owned(),
            ColumnDef::new(Schedules::AgentCheckedAt).timestamp_with_time_zone().null().to_owned(),
        ] {
            m.alter_table(Table::alter().table(Schedules::Table).add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Schedules::HooksEnc, Schedules::AgentFindings, Schedules::AgentCheckedAt] {
            m.alter_table(Table::alter().table(Schedules::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

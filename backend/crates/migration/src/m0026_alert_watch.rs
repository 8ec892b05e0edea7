//! What the "nothing ran" and "repository locked" rules watch, kept where a sweep reads it
//! in one small query instead of searching `jobs`: each schedule's and each host's newest
//! successful backup, and since when a repository has been seen locked (and by whom). The
//! job-end transaction keeps them; existing rows are filled from `jobs` here.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schedules {
    Table,
    LastSuccessAt,
}

#[derive(DeriveIden)]
enum Hosts {
    Table,
    LastBackupOkAt,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    LockedSince,
    LockedBy,
}

fn at<T: Iden + 'static>(col: T) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(Schedules::Table)
                .add_column(at(Schedules::LastSuccessAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Hosts::Table).add_column(at(Hosts::LastBackupOkAt)).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Repositories::Table)
                .add_column(at(Repositories::LockedSince))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Repositories::Table)
                .add_column(ColumnDef::new(Repositories::LockedBy).string_len(300).null())
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE schedules SET last_success_at = (SELECT MAX(j.finished_at) FROM jobs j \
             WHERE j.schedule_id = schedules.id AND j.kind = 'backup' \
             AND j.status IN ('succeeded', 'warning'))",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE hosts SET last_backup_ok_at = (SELECT MAX(j.finished_at) FROM jobs j \
             WHERE j.host_id = hosts.id AND j.kind = 'backup' \
             AND j.status IN ('succeeded', 'warning'))",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Schedules::Table).drop_column(Schedules::LastSuccessAt).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Hosts::Table).drop_column(Hosts::LastBackupOkAt).to_owned(),
        )
        .await?;
        for col in [Repositories::LockedBy, Repositories::LockedSince] {
            m.alter_table(Table::alter().table(Repositories::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}

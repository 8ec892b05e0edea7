//! Audit events by `(time, id)`: a time range on the audit list becomes an id range by one
//! probe at each end of it (`store::audit::list_query`). The old `(time)` index served the
//! probe on SQLite, which appends the rowid to every index, but on PostgreSQL it left the
//! tie on equal times to a sort.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    Time,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_audit_time_page")
                .table(AuditEvents::Table)
                .col(AuditEvents::Time)
                .col(AuditEvents::Id)
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("idx_audit_time").table(AuditEvents::Table).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_audit_time")
                .table(AuditEvents::Table)
                .col(AuditEvents::Time)
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("idx_audit_time_page").table(AuditEvents::Table).to_owned())
            .await
    }
}

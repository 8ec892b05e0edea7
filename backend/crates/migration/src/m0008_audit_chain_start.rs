//! Where the audit chain starts once retention has removed its oldest events: one row
//! holding the hash the first kept event links to, so verification begins there instead
//! of at the genesis hash, and how many events retention removed in all.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditChainStart {
    Table,
    Id,
    /// The last removed event's id: the chain continues after it.
    AfterId,
    /// That event's hash, which the first kept event names as its previous.
    PrevHash,
    Removed,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditChainStart::Table)
                .col(ColumnDef::new(AuditChainStart::Id).integer().not_null().primary_key())
                .col(ColumnDef::new(AuditChainStart::AfterId).big_integer().not_null())
                .col(ColumnDef::new(AuditChainStart::PrevHash).string_len(64).not_null())
                .col(ColumnDef::new(AuditChainStart::Removed).big_integer().not_null())
                .col(
                    ColumnDef::new(AuditChainStart::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditChainStart::Table).to_owned()).await
    }
}

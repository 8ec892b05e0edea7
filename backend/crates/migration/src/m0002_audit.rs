//! The audit log: one append-only, hash-chained table. Details are stored as text (not
//! JSON/JSONB) so the bytes that were hashed are the bytes that are read back.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    Time,
    ActorKind,
    ActorId,
    ActorName,
    SourceIp,
    UserAgent,
    Action,
    TargetKind,
    TargetId,
    TargetName,
    Outcome,
    Details,
    PrevHash,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(
                        ColumnDef::new(AuditEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuditEvents::Time).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AuditEvents::ActorKind).string_len(16).not_null())
                    .col(ColumnDef::new(AuditEvents::ActorId).string_len(64).null())
                    .col(ColumnDef::new(AuditEvents::ActorName).string_len(128).null())
                    .col(ColumnDef::new(AuditEvents::SourceIp).string_len(64).null())
                    .col(ColumnDef::new(AuditEvents::UserAgent).string_len(512).null())
                    .col(ColumnDef::new(AuditEvents::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::TargetKind).string_len(32).null())
                    .col(ColumnDef::new(AuditEvents::TargetId).string_len(64).null())
                    .col(ColumnDef::new(AuditEvents::TargetName).string_len(256).null())
                    .col(ColumnDef::new(AuditEvents::Outcome).string_len(16).not_null())
                    .col(ColumnDef::new(AuditEvents::Details).text().not_null())
                    .col(ColumnDef::new(AuditEvents::PrevHash).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::Hash).string_len(64).not_null())
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_audit_time", AuditEvents::Time),
            ("idx_audit_action", AuditEvents::Action),
            ("idx_audit_actor", AuditEvents::ActorName),
        ] {
            manager
                .create_index(
                    Index::create().name(name).table(AuditEvents::Table).col(col).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await
    }
}

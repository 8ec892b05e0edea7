//! Notification channels (email, ntfy, webhook: settings in the clear, secrets sealed) and
//! the durable outbox of deliveries: one row per alert event and channel, written in the
//! alert event's transaction, sent and retried by a worker.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Channels {
    Table,
    Id,
    Name,
    Kind,
    Enabled,
    Config,
    SecretEnc,
    MinSeverity,
    HostTag,
    Rules,
    QuietFrom,
    QuietTo,
    QuietZone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    AlertEventId,
    AlertId,
    ChannelId,
    State,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastError,
    LastStatus,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum AlertEvents {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Channels::Table)
                .col(ColumnDef::new(Channels::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Channels::Name).string_len(100).not_null().unique_key())
                .col(ColumnDef::new(Channels::Kind).string_len(16).not_null())
                .col(ColumnDef::new(Channels::Enabled).boolean().not_null())
                // JSON: the kind's settings that are not secret (addresses, URLs, topic).
                .col(ColumnDef::new(Channels::Config).text().not_null())
                // Sealed: the SMTP password, the ntfy token, the webhook's signing secret.
                .col(ColumnDef::new(Channels::SecretEnc).text().null())
                .col(ColumnDef::new(Channels::MinSeverity).string_len(16).not_null())
                .col(ColumnDef::new(Channels::HostTag).string_len(64).null())
                // JSON array of rule names; empty: every rule.
                .col(ColumnDef::new(Channels::Rules).text().not_null())
                // Quiet hours ("22:00" to "07:00" in a zone): only critical alerts then.
                .col(ColumnDef::new(Channels::QuietFrom).string_len(5).null())
                .col(ColumnDef::new(Channels::QuietTo).string_len(5).null())
                .col(ColumnDef::new(Channels::QuietZone).string_len(64).null())
                .col(ColumnDef::new(Channels::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Channels::UpdatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                // Also the idempotency key receivers see.
                .col(ColumnDef::new(Deliveries::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Deliveries::AlertEventId).uuid().not_null())
                .col(ColumnDef::new(Deliveries::AlertId).uuid().not_null())
                // A plain column: a channel deleted keeps its deliveries' history.
                .col(ColumnDef::new(Deliveries::ChannelId).uuid().not_null())
                .col(ColumnDef::new(Deliveries::State).string_len(16).not_null())
                .col(ColumnDef::new(Deliveries::Attempts).integer().not_null())
                .col(ColumnDef::new(Deliveries::NextAttemptAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Deliveries::LeaseUntil).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Deliveries::LastError).text().null())
                .col(ColumnDef::new(Deliveries::LastStatus).integer().null())
                .col(ColumnDef::new(Deliveries::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Deliveries::DeliveredAt).timestamp_with_time_zone().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Deliveries::Table, Deliveries::AlertEventId)
                        .to(AlertEvents::Table, AlertEvents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Exactly one delivery per event and channel.
        m.create_index(
            Index::create()
                .name("ux_deliveries_event_channel")
                .table(Deliveries::Table)
                .col(Deliveries::AlertEventId)
                .col(Deliveries::ChannelId)
                .unique()
                .to_owned(),
        )
        .await?;
        // The worker's read: the due ones.
        m.create_index(
            Index::create()
                .name("idx_deliveries_due")
                .table(Deliveries::Table)
                .col(Deliveries::State)
                .col(Deliveries::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        // An alert's deliveries, and a channel's log newest first.
        m.create_index(
            Index::create()
                .name("idx_deliveries_alert")
                .table(Deliveries::Table)
                .col(Deliveries::AlertId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_deliveries_channel")
                .table(Deliveries::Table)
                .col(Deliveries::ChannelId)
                .col(Deliveries::CreatedAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Deliveries::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Channels::Table).to_owned()).await
    }
}

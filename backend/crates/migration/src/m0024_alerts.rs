//! Alerts: the rules' settings (overrides of the defaults the code holds), the alerts
//! themselves (one open per rule and subject), and each alert's events (opened, repeated,
//! escalated, acknowledged, snoozed, resolved), which notifications will be sent for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AlertRules {
    Table,
    Rule,
    Enabled,
    Severity,
    Params,
    HostTag,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    Rule,
    SubjectKind,
    SubjectId,
    HostId,
    RepositoryId,
    JobId,
    Severity,
    State,
    Title,
    Message,
    Details,
    Count,
    OpenedAt,
    LastSeenAt,
    AcknowledgedAt,
    AcknowledgedBy,
    SnoozedUntil,
    ResolvedAt,
    ResolvedBy,
    OpenKey,
}

#[derive(DeriveIden)]
enum AlertEvents {
    Table,
    Id,
    AlertId,
    Kind,
    At,
    Actor,
    Severity,
    Details,
}

#[derive(DeriveIden)]
enum HostMutes {
    Table,
    HostId,
    Until,
    By,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Hosts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AlertRules::Table)
                .col(ColumnDef::new(AlertRules::Rule).string_len(48).not_null().primary_key())
                .col(ColumnDef::new(AlertRules::Enabled).boolean().not_null())
                .col(ColumnDef::new(AlertRules::Severity).string_len(16).not_null())
                .col(ColumnDef::new(AlertRules::Params).text().not_null())
                .col(ColumnDef::new(AlertRules::HostTag).string_len(64).null())
                .col(ColumnDef::new(AlertRules::UpdatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alerts::Table)
                .col(ColumnDef::new(Alerts::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Alerts::Rule).string_len(48).not_null())
                .col(ColumnDef::new(Alerts::SubjectKind).string_len(16).not_null())
                .col(ColumnDef::new(Alerts::SubjectId).string_len(80).not_null())
                // Plain columns, no foreign keys: an alert outlives a deleted host or
                // repository in the history.
                .col(ColumnDef::new(Alerts::HostId).uuid().null())
                .col(ColumnDef::new(Alerts::RepositoryId).uuid().null())
                .col(ColumnDef::new(Alerts::JobId).uuid().null())
                .col(ColumnDef::new(Alerts::Severity).string_len(16).not_null())
                .col(ColumnDef::new(Alerts::State).string_len(16).not_null())
                .col(ColumnDef::new(Alerts::Title).string_len(300).not_null())
                .col(ColumnDef::new(Alerts::Message).text().not_null())
                .col(ColumnDef::new(Alerts::Details).text().not_null())
                .col(ColumnDef::new(Alerts::Count).big_integer().not_null())
                .col(ColumnDef::new(Alerts::OpenedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Alerts::LastSeenAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Alerts::AcknowledgedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Alerts::AcknowledgedBy).string_len(200).null())
                .col(ColumnDef::new(Alerts::SnoozedUntil).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Alerts::ResolvedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Alerts::ResolvedBy).string_len(200).null())
                // `rule:subject_kind:subject_id` while unresolved, NULL once resolved: a
                // unique index on it allows one unresolved alert per rule and subject on
                // both engines (NULLs never collide), with no partial index.
                .col(ColumnDef::new(Alerts::OpenKey).string_len(160).null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_alerts_open_key")
                .table(Alerts::Table)
                .col(Alerts::OpenKey)
                .unique()
                .to_owned(),
        )
        .await?;
        // The alerts page: newest first, by state, by host; the keyset is (opened_at, id).
        for (name, cols) in [
            ("idx_alerts_opened", vec![Alerts::OpenedAt, Alerts::Id]),
            ("idx_alerts_state_opened", vec![Alerts::State, Alerts::OpenedAt, Alerts::Id]),
            ("idx_alerts_host_opened", vec![Alerts::HostId, Alerts::OpenedAt, Alerts::Id]),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Alerts::Table);
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(AlertEvents::Table)
                .col(ColumnDef::new(AlertEvents::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(AlertEvents::AlertId).uuid().not_null())
                .col(ColumnDef::new(AlertEvents::Kind).string_len(16).not_null())
                .col(ColumnDef::new(AlertEvents::At).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(AlertEvents::Actor).string_len(200).null())
                .col(ColumnDef::new(AlertEvents::Severity).string_len(16).not_null())
                .col(ColumnDef::new(AlertEvents::Details).text().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(AlertEvents::Table, AlertEvents::AlertId)
                        .to(Alerts::Table, Alerts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_alert_events_alert")
                .table(AlertEvents::Table)
                .col(AlertEvents::AlertId)
                .col(AlertEvents::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HostMutes::Table)
                .col(ColumnDef::new(HostMutes::HostId).uuid().not_null().primary_key())
                .col(ColumnDef::new(HostMutes::Until).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(HostMutes::By).string_len(200).null())
                .col(ColumnDef::new(HostMutes::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(HostMutes::Table, HostMutes::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Table::drop().table(HostMutes::Table).to_owned(),
            Table::drop().table(AlertEvents::Table).to_owned(),
            Table::drop().table(Alerts::Table).to_owned(),
            Table::drop().table(AlertRules::Table).to_owned(),
        ] {
            m.drop_table(t).await?;
        }
        Ok(())
    }
}

//! The fleet: hosts (agents and their public keys), enrollment tokens, pending announced
//! agents, repositories with encrypted secrets, host ↔ repository links, and the queue of
//! commands waiting for an agent's next poll.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Hosts {
    Table,
    Id,
    Hostname,
    Os,
    Arch,
    AgentVersion,
    ResticVersion,
    PublicKey,
    Fingerprint,
    Tags,
    EnrolledVia,
    CreatedAt,
    LastSeenAt,
    LastIp,
    ConfigVersion,
    AppliedConfigVersion,
}

#[derive(DeriveIden)]
enum EnrollmentTokens {
    Table,
    Id,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    HostId,
    Tags,
    RepositoryId,
}

#[derive(DeriveIden)]
enum PendingHosts {
    Table,
    Id,
    PublicKey,
    Fingerprint,
    Hostname,
    Os,
    Arch,
    AgentVersion,
    ResticVersion,
    SourceIp,
    CreatedAt,
    ExpiresAt,
    State,
    DecidedBy,
    DecidedAt,
    HostId,
    Message,
}

#[derive(DeriveIden)]
enum Repositories {
    Table,
    Id,
    Name,
    Url,
    PasswordEnc,
    EnvEnc,
    EnvKeys,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum HostRepositories {
    Table,
    HostId,
    RepositoryId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AgentCommands {
    Table,
    Id,
    HostId,
    Kind,
    Payload,
    CreatedBy,
    CreatedAt,
    DeliveredAt,
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Hosts::Table)
                .col(ColumnDef::new(Hosts::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Hosts::Hostname).string_len(255).not_null())
                .col(ColumnDef::new(Hosts::Os).string_len(255).not_null())
                .col(ColumnDef::new(Hosts::Arch).string_len(64).not_null())
                .col(ColumnDef::new(Hosts::AgentVersion).string_len(64).not_null())
                .col(ColumnDef::new(Hosts::ResticVersion).string_len(64).null())
                .col(ColumnDef::new(Hosts::PublicKey).string_len(64).not_null().unique_key())
                .col(ColumnDef::new(Hosts::Fingerprint).string_len(64).not_null())
                .col(ColumnDef::new(Hosts::Tags).text().not_null())
                .col(ColumnDef::new(Hosts::EnrolledVia).string_len(16).not_null())
                .col(ts(Hosts::CreatedAt))
                .col(ts_null(Hosts::LastSeenAt))
                .col(ColumnDef::new(Hosts::LastIp).string_len(64).null())
                .col(ColumnDef::new(Hosts::ConfigVersion).big_integer().not_null().default(1))
                .col(
                    ColumnDef::new(Hosts::AppliedConfigVersion).big_integer().not_null().default(0),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_hosts_hostname")
                .table(Hosts::Table)
                .col(Hosts::Hostname)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Repositories::Table)
                .col(ColumnDef::new(Repositories::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Repositories::Name).string_len(100).not_null().unique_key())
                .col(ColumnDef::new(Repositories::Url).text().not_null())
                .col(ColumnDef::new(Repositories::PasswordEnc).text().not_null())
                .col(ColumnDef::new(Repositories::EnvEnc).text().not_null())
                .col(ColumnDef::new(Repositories::EnvKeys).text().not_null())
                .col(ts(Repositories::CreatedAt))
                .col(ts(Repositories::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(EnrollmentTokens::Table)
                .col(ColumnDef::new(EnrollmentTokens::Id).uuid().not_null().primary_key())
                .col(
                    ColumnDef::new(EnrollmentTokens::TokenHash)
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(EnrollmentTokens::CreatedBy).string_len(128).null())
                .col(ts(EnrollmentTokens::CreatedAt))
                .col(ts(EnrollmentTokens::ExpiresAt))
                .col(ts_null(EnrollmentTokens::UsedAt))
                .col(ColumnDef::new(EnrollmentTokens::HostId).uuid().null())
                .col(ColumnDef::new(EnrollmentTokens::Tags).text().not_null())
                .col(ColumnDef::new(EnrollmentTokens::RepositoryId).uuid().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(EnrollmentTokens::Table, EnrollmentTokens::RepositoryId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PendingHosts::Table)
                .col(ColumnDef::new(PendingHosts::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(PendingHosts::PublicKey).string_len(64).not_null().unique_key())
                .col(ColumnDef::new(PendingHosts::Fingerprint).string_len(64).not_null())
                .col(ColumnDef::new(PendingHosts::Hostname).string_len(255).not_null())
                .col(ColumnDef::new(PendingHosts::Os).string_len(255).not_null())
                .col(ColumnDef::new(PendingHosts::Arch).string_len(64).not_null())
                .col(ColumnDef::new(PendingHosts::AgentVersion).string_len(64).not_null())
                .col(ColumnDef::new(PendingHosts::ResticVersion).string_len(64).null())
                .col(ColumnDef::new(PendingHosts::SourceIp).string_len(64).null())
                .col(ts(PendingHosts::CreatedAt))
                .col(ts(PendingHosts::ExpiresAt))
                .col(ColumnDef::new(PendingHosts::State).string_len(16).not_null())
                .col(ColumnDef::new(PendingHosts::DecidedBy).string_len(128).null())
                .col(ts_null(PendingHosts::DecidedAt))
                .col(ColumnDef::new(PendingHosts::HostId).uuid().null())
                .col(ColumnDef::new(PendingHosts::Message).string_len(500).null())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(HostRepositories::Table)
                .col(ColumnDef::new(HostRepositories::HostId).uuid().not_null())
                .col(ColumnDef::new(HostRepositories::RepositoryId).uuid().not_null())
                .col(ts(HostRepositories::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(HostRepositories::HostId)
                        .col(HostRepositories::RepositoryId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(HostRepositories::Table, HostRepositories::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(HostRepositories::Table, HostRepositories::RepositoryId)
                        .to(Repositories::Table, Repositories::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_host_repositories_repo")
                .table(HostRepositories::Table)
                .col(HostRepositories::RepositoryId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AgentCommands::Table)
                .col(ColumnDef::new(AgentCommands::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(AgentCommands::HostId).uuid().not_null())
                .col(ColumnDef::new(AgentCommands::Kind).string_len(32).not_null())
                .col(ColumnDef::new(AgentCommands::Payload).text().not_null())
                .col(ColumnDef::new(AgentCommands::CreatedBy).string_len(128).null())
                .col(ts(AgentCommands::CreatedAt))
                .col(ts_null(AgentCommands::DeliveredAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AgentCommands::Table, AgentCommands::HostId)
                        .to(Hosts::Table, Hosts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_agent_commands_pending")
                .table(AgentCommands::Table)
                .col(AgentCommands::HostId)
                .col(AgentCommands::DeliveredAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AgentCommands::Table.into_iden(),
            HostRepositories::Table.into_iden(),
            PendingHosts::Table.into_iden(),
            EnrollmentTokens::Table.into_iden(),
            Repositories::Table.into_iden(),
            Hosts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

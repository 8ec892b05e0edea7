//! Single sign-on: the OpenID Connect providers an admin configures (the client secret
//! sealed), the sign-ins under way (each `state` used once, with its nonce and PKCE
//! verifier), and a user's identity at a provider (provider and subject, unique).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OidcProviders {
    Table,
    Id,
    Slug,
    Label,
    Issuer,
    ClientId,
    ClientSecretEnc,
    Scopes,
    UsernameClaim,
    GroupsClaim,
    RoleMap,
    DefaultRole,
    LinkByEmail,
    Enabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OidcLogins {
    Table,
    StateHash,
    ProviderId,
    Nonce,
    PkceVerifier,
    NextPath,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    OidcProviderId,
    OidcSubject,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OidcProviders::Table)
                .col(ColumnDef::new(OidcProviders::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(OidcProviders::Slug).string_len(64).not_null().unique_key())
                .col(ColumnDef::new(OidcProviders::Label).string_len(100).not_null())
                .col(ColumnDef::new(OidcProviders::Issuer).string_len(2048).not_null())
                .col(ColumnDef::new(OidcProviders::ClientId).string_len(255).not_null())
                .col(ColumnDef::new(OidcProviders::ClientSecretEnc).text().not_null())
                .col(ColumnDef::new(OidcProviders::Scopes).text().not_null())
                .col(ColumnDef::new(OidcProviders::UsernameClaim).string_len(100).not_null())
                .col(ColumnDef::new(OidcProviders::GroupsClaim).string_len(100).not_null())
                .col(ColumnDef::new(OidcProviders::RoleMap).text().not_null())
                .col(ColumnDef::new(OidcProviders::DefaultRole).string_len(16).null())
                .col(ColumnDef::new(OidcProviders::LinkByEmail).boolean().not_null())
                .col(ColumnDef::new(OidcProviders::Enabled).boolean().not_null())
                .col(ColumnDef::new(OidcProviders::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(OidcProviders::UpdatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OidcLogins::Table)
                .col(ColumnDef::new(OidcLogins::StateHash).string_len(64).not_null().primary_key())
                .col(ColumnDef::new(OidcLogins::ProviderId).uuid().not_null())
                .col(ColumnDef::new(OidcLogins::Nonce).string_len(64).not_null())
                .col(ColumnDef::new(OidcLogins::PkceVerifier).string_len(128).not_null())
                .col(ColumnDef::new(OidcLogins::NextPath).string_len(2048).null())
                .col(ColumnDef::new(OidcLogins::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(OidcLogins::Table, OidcLogins::ProviderId)
                        .to(OidcProviders::Table, OidcProviders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Sign-ins older than their lifetime are removed by age.
        m.create_index(
            Index::create()
                .name("idx_oidc_logins_created")
                .table(OidcLogins::Table)
                .col(OidcLogins::CreatedAt)
                .to_owned(),
        )
        .await?;
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(ColumnDef::new(Users::OidcProviderId).uuid().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(ColumnDef::new(Users::OidcSubject).string_len(255).null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_users_oidc_identity")
                .table(Users::Table)
                .col(Users::OidcProviderId)
                .col(Users::OidcSubject)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_users_oidc_identity").table(Users::Table).to_owned())
            .await?;
        for col in [Users::OidcSubject, Users::OidcProviderId] {
            m.alter_table(Table::alter().table(Users::Table).drop_column(col).to_owned()).await?;
        }
        m.drop_table(Table::drop().table(OidcLogins::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(OidcProviders::Table).to_owned()).await
    }
}

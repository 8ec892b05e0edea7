//! Indexes for reading lists a page at a time (`*_page`), each ending in its list's order
//! so a page is a range read of one index with no sort of the filtered set. New names, not
//! the dropped ones: SQLite refused to re-create an index under a name dropped in the
//! same migration run.
//! - jobs, `(created_at, id)` newest first, behind each filter (host, host and status,
//!   repository, status, kind, or none, with any time range). They replace the
//!   single-column and `(host_id, status)` ones; the lost-job check (host and status) finds
//!   its rows at the front of `idx_jobs_host_status_page`;
//! - hosts, `(hostname, id)`; snapshots of a host, `(time, snapshot_id, repository_id)`
//!   newest first, for all its repositories or one;
//! - audit events by outcome or by action, then id (SQLite appends the rowid to every
//!   index by itself; PostgreSQL needs it named).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    HostId,
    RepositoryId,
    Kind,
    Status,
    CreatedAt,
}

const REPLACED: [&str; 4] =
    ["idx_jobs_created", "idx_jobs_host_created", "idx_jobs_status", "idx_jobs_host_status"];

#[derive(DeriveIden)]
enum Hosts {
    Table,
    Id,
    Hostname,
}

#[derive(DeriveIden)]
enum Snapshots {
    Table,
    HostId,
    RepositoryId,
    SnapshotId,
    Time,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    Action,
    Outcome,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in REPLACED {
            m.drop_index(Index::drop().name(name).table(Jobs::Table).to_owned()).await?;
        }
        for (name, lead) in [
            ("idx_jobs_page", vec![]),
            ("idx_jobs_host_page", vec![Jobs::HostId]),
            ("idx_jobs_host_status_page", vec![Jobs::HostId, Jobs::Status]),
            ("idx_jobs_repository_page", vec![Jobs::RepositoryId]),
            ("idx_jobs_status_page", vec![Jobs::Status]),
            ("idx_jobs_kind_page", vec![Jobs::Kind]),
        ] {
            let mut idx = Index::create().name(name).table(Jobs::Table).to_owned();
            for c in lead {
                idx.col(c);
            }
            idx.col(Jobs::CreatedAt).col(Jobs::Id);
            m.create_index(idx).await?;
        }
        m.drop_index(Index::drop().name("idx_hosts_hostname").table(Hosts::Table).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("idx_hosts_page")
                .table(Hosts::Table)
                .col(Hosts::Hostname)
                .col(Hosts::Id)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop().name("idx_snapshots_host_time").table(Snapshots::Table).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_snapshots_host_page")
                .table(Snapshots::Table)
                .col(Snapshots::HostId)
                .col(Snapshots::Time)
                .col(Snapshots::SnapshotId)
                .col(Snapshots::RepositoryId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_snapshots_host_repository_page")
                .table(Snapshots::Table)
                .col(Snapshots::HostId)
                .col(Snapshots::RepositoryId)
                .col(Snapshots::Time)
                .col(Snapshots::SnapshotId)
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("idx_audit_action").table(AuditEvents::Table).to_owned())
            .await?;
        for (name, col) in [
            ("idx_audit_action_page", AuditEvents::Action),
            ("idx_audit_outcome_page", AuditEvents::Outcome),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(AuditEvents::Table)
                    .col(col)
                    .col(AuditEvents::Id)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("idx_audit_action_page", "audit_events"),
            ("idx_audit_outcome_page", "audit_events"),
            ("idx_hosts_page", "hosts"),
            ("idx_snapshots_host_page", "snapshots"),
            ("idx_snapshots_host_repository_page", "snapshots"),
        ] {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned()).await?;
        }
        m.create_index(
            Index::create()
                .name("idx_audit_action")
                .table(AuditEvents::Table)
                .col(AuditEvents::Action)
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
        m.create_index(
            Index::create()
                .name("idx_snapshots_host_time")
                .table(Snapshots::Table)
                .col(Snapshots::HostId)
                .col(Snapshots::Time)
                .to_owned(),
        )
        .await?;
        for name in [
            "idx_jobs_page",
            "idx_jobs_host_page",
            "idx_jobs_host_status_page",
            "idx_jobs_repository_page",
            "idx_jobs_status_page",
            "idx_jobs_kind_page",
        ] {
            m.drop_index(Index::drop().name(name).table(Jobs::Table).to_owned()).await?;
        }
        for (name, cols) in [
            ("idx_jobs_host_created", vec![Jobs::HostId, Jobs::CreatedAt]),
            ("idx_jobs_created", vec![Jobs::CreatedAt]),
            ("idx_jobs_status", vec![Jobs::Status]),
            ("idx_jobs_host_status", vec![Jobs::HostId, Jobs::Status]),
        ] {
            let mut idx = Index::create().name(name).table(Jobs::Table).to_owned();
            for c in cols {
                idx.col(c);
            }
            m.create_index(idx).await?;
        }
        Ok(())
    }
}

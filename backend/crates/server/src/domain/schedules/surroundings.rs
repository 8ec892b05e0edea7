//! What a schedule's server-side findings are judged among: the other schedules of its
//! host (overlaps) and the repositories whose newest check found errors (held retention).

use cairn_proto::{BackupSpec, Finding};
use uuid::Uuid;

use super::{
    preflight::{self, Sibling, Subject},
    stored::stored,
};
use crate::{
    domain::DomainError,
    store::{
        repositories,
        schedules::{self as store, ScheduleRow},
    },
};

/// What a schedule's findings are judged among: the schedules of its host and the
/// repositories whose newest check found errors.
pub(super) struct Surroundings {
    siblings: Vec<(Uuid, String, Uuid, BackupSpec)>,
    held: Vec<Uuid>,
}

impl Surroundings {
    pub(super) async fn of<C: sea_orm::ConnectionTrait>(
        db: &C,
        rows: &[ScheduleRow],
    ) -> Result<Self, DomainError> {
        let mut repos: Vec<Uuid> = rows.iter().map(|r| r.repository_id).collect();
        repos.sort();
        repos.dedup();
        let repos = repositories::find_many(db, &repos).await?;
        Self::among(rows, &repos.iter().collect::<Vec<_>>())
    }

    /// Among `repos`, already read: they hold at least the schedules' repositories (a
    /// schedule's repository is linked to its host).
    pub(super) fn among(
        rows: &[ScheduleRow],
        repos: &[&repositories::RepositoryRow],
    ) -> Result<Self, DomainError> {
        let held = repos
            .iter()
            .copied()
            .filter(|r| crate::domain::repositories::failed_check(r).is_some())
            .map(|r| r.id)
            .collect();
        let siblings = rows
            .iter()
            .map(|r| Ok((r.id, r.name.clone(), r.repository_id, stored(r)?.0)))
            .collect::<Result<_, DomainError>>()?;
        Ok(Surroundings { siblings, held })
    }

    pub(super) async fn of_host<C: sea_orm::ConnectionTrait>(
        db: &C,
        host: Uuid,
    ) -> Result<Self, DomainError> {
        Self::of(db, &store::list_for_host(db, host).await?).await
    }

    pub(super) fn server_findings(&self, s: &Subject) -> Vec<Finding> {
        let siblings: Vec<Sibling> = self
            .siblings
            .iter()
            .map(|(id, name, repository_id, backup)| Sibling {
                id: *id,
                name,
                repository_id: *repository_id,
                backup,
            })
            .collect();
        preflight::server_findings(s, &siblings, self.held.contains(&s.repository_id))
    }

    pub(super) fn of_row(&self, row: &ScheduleRow, backup: &BackupSpec) -> Vec<Finding> {
        self.server_findings(&Subject {
            id: Some(row.id),
            repository_id: row.repository_id,
            enabled: row.enabled,
            backup,
            forget_after_backup: row.forget_after_backup,
        })
    }
}

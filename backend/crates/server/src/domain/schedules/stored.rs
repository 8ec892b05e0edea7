//! A schedule row's stored JSON read back: its backup options, retention policy, missed-run
//! policy and the agent's newest findings. Written by this server, so a row that does not
//! decode is damaged: an internal error, never a guessed default.

use cairn_proto::{BackupSpec, Finding, MissedRun, RetentionPolicy};
use uuid::Uuid;

use crate::{domain::DomainError, store::schedules::ScheduleRow};

/// The agent's newest findings stored on the row.
pub(super) fn agent_findings(row: &ScheduleRow) -> Result<Vec<Finding>, DomainError> {
    row.agent_findings.as_deref().map_or(Ok(Vec::new()), |f| decode(row.id, "agent findings", f))
}

/// The stored JSON, read back. Written by this server, so a row that does not decode is
/// damaged: an internal error, never a guessed default.
pub(super) fn decode<T: serde::de::DeserializeOwned>(
    id: Uuid,
    what: &str,
    raw: &str,
) -> Result<T, DomainError> {
    serde_json::from_str(raw).map_err(|e| {
        DomainError::Internal(format!("schedule {id}: stored {what} does not decode: {e}"))
    })
}

pub(super) fn missed_of(s: &str) -> MissedRun {
    if s == MissedRun::Skip.as_str() { MissedRun::Skip } else { MissedRun::RunOnce }
}

/// A row's stored backup options and retention policy, read back.
pub(super) fn stored(
    row: &ScheduleRow,
) -> Result<(BackupSpec, Option<RetentionPolicy>), DomainError> {
    let backup = decode(row.id, "backup", &row.backup)?;
    let retention = row.retention.as_deref().map(|r| decode(row.id, "retention", r)).transpose()?;
    Ok((backup, retention))
}

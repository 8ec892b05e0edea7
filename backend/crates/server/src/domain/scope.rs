//! Whether a caller's host scope reaches a host, or the host behind a job, schedule,
//! alert or repository: the rule `HostAuth` applies before any host-scoped operation.

use uuid::Uuid;

use super::{DomainError, context::Domain};
use crate::{auth::HostScope, store::scope};

/// The host exists and carries one of the scope's tags.
pub async fn covers_host(state: &Domain, s: &HostScope, id: Uuid) -> Result<bool, DomainError> {
    Ok(s.is_all() || scope::covers_host(state.store.db(), s, id).await?)
}

/// The job exists and ran on a host in scope.
pub async fn covers_job(state: &Domain, s: &HostScope, id: Uuid) -> Result<bool, DomainError> {
    if s.is_all() {
        return Ok(true);
    }
    match scope::host_of_job(state.store.db(), id).await? {
        Some(host) => covers_host(state, s, host).await,
        None => Ok(false),
    }
}

/// The schedule exists and belongs to a host in scope.
pub async fn covers_schedule(state: &Domain, s: &HostScope, id: Uuid) -> Result<bool, DomainError> {
    if s.is_all() {
        return Ok(true);
    }
    match scope::host_of_schedule(state.store.db(), id).await? {
        Some(host) => covers_host(state, s, host).await,
        None => Ok(false),
    }
}

/// The alert exists and is about a host in scope; an alert about no host (a repository's)
/// belongs to global roles only.
pub async fn covers_alert(state: &Domain, s: &HostScope, id: Uuid) -> Result<bool, DomainError> {
    if s.is_all() {
        return Ok(true);
    }
    match scope::host_of_alert(state.store.db(), id).await? {
        Some(Some(host)) => covers_host(state, s, host).await,
        _ => Ok(false),
    }
}

/// A host in scope is linked to the repository.
pub async fn covers_repository(
    state: &Domain,
    s: &HostScope,
    id: Uuid,
) -> Result<bool, DomainError> {
    Ok(s.is_all() || scope::covers_repository(state.store.db(), s, id).await?)
}

//! The records and filters the domain hands to its callers: rows as the store reads them.
//! The API shapes its answers from these and never reaches into the store itself.

pub use crate::store::{
    Store,
    audit::{AuditFilter, AuditRow, ChainReport},
    enrollment::{EnrollmentTokenRow, PendingHostRow},
    hosts::{HostFilter, HostRow},
    jobs::{JobFilter, JobRow, LogRow},
    repositories::RepositoryRow,
    tokens::TokenRow,
    users::{UserFilter, UserRow},
};

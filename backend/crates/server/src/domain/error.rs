//! The domain's error type. The API layer maps every variant to an HTTP status and a
//! stable error code in one exhaustive match.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input that breaks a rule (policy, format); `field` names the offending input.
    #[error("{message}")]
    Invalid { code: &'static str, message: String, field: Option<&'static str> },
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A conflict that names what it conflicts with (e.g. the job still running).
    #[error("{message}")]
    Busy { code: &'static str, message: String, details: serde_json::Value },
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("local username/password login is disabled")]
    LocalLoginDisabled,
    #[error("too many failed attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Too many requests of one kind from one source (not failed logins).
    #[error("{message}")]
    Throttled { code: &'static str, message: String, retry_after_secs: u64 },
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(code: &'static str, message: impl Into<String>, field: &'static str) -> Self {
        DomainError::Invalid { code, message: message.into(), field: Some(field) }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict { code, message: message.into() }
    }

    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Unauthenticated { code, message: message.into() }
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Forbidden { code, message: message.into() }
    }
}

impl From<crate::auth::password::HashError> for DomainError {
    fn from(e: crate::auth::password::HashError) -> Self {
        DomainError::Internal(e.to_string())
    }
}

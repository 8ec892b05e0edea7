//! The domain's error type. The API layer maps every variant to an HTTP status and a
//! stable error code in one exhaustive match.

use crate::{codes::Code, store::StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input that breaks a rule (policy, format); `field` names the offending input.
    #[error("{message}")]
    Invalid { code: Code, message: String, field: Option<&'static str> },
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// The change conflicts with the current state; `details` may name what it conflicts
    /// with (e.g. the job still running), `{}` otherwise.
    #[error("{message}")]
    Conflict { code: Code, message: String, details: serde_json::Value },
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("local username/password login is disabled")]
    LocalLoginDisabled,
    /// Too many requests of one kind (failed sign-ins, announcements) from one source.
    #[error("{message}")]
    Throttled { code: Code, message: String, retry_after_secs: u64 },
    #[error("{message}")]
    Unauthenticated { code: Code, message: String },
    #[error("{message}")]
    Forbidden { code: Code, message: String },
    /// An agent asked a question did not answer within the deadline.
    #[error("{message}")]
    NoAnswer { message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(code: Code, message: impl Into<String>, field: &'static str) -> Self {
        DomainError::Invalid { code, message: message.into(), field: Some(field) }
    }

    pub fn conflict(code: Code, message: impl Into<String>) -> Self {
        DomainError::Conflict { code, message: message.into(), details: serde_json::json!({}) }
    }

    pub fn unauthenticated(code: Code, message: impl Into<String>) -> Self {
        DomainError::Unauthenticated { code, message: message.into() }
    }

    pub fn forbidden(code: Code, message: impl Into<String>) -> Self {
        DomainError::Forbidden { code, message: message.into() }
    }
}

impl From<crate::auth::password::HashError> for DomainError {
    fn from(e: crate::auth::password::HashError) -> Self {
        DomainError::Internal(e.to_string())
    }
}

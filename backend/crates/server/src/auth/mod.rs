//! Authentication and authorisation: who is calling (browser session or personal access
//! token), what their role allows (one `Permission` enum, one table), and the guards
//! around login (rate limits) and cookies (CSRF).

pub mod callers;
pub mod keys;
pub mod oidc;
pub mod password;
pub mod permission;
pub mod ratelimit;
pub mod service;
pub mod sign_in;
pub mod sso;
pub mod tokens;

pub use permission::{Access, HostScope, OPERATIONS, Permission, Role, RoleBinding};
pub use service::{AuthMethod, Principal};

pub const ACCESS_COOKIE: &str = "cairn_access";
pub const REFRESH_COOKIE: &str = "cairn_refresh";
pub const CSRF_COOKIE: &str = "cairn_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// The refresh cookie is only sent to the auth endpoints, never to the rest of the API.
pub const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

//! The test kit's integration tests, in one binary: each file of `tests/` used to be its own
//! test binary, and each linked the whole server. One link instead of nine; a test's name is
//! `<module>::…`, e.g. `fleet::sqlite::announce_and_approve`.

mod alert_watch;
mod alerts;
mod asks;
mod audit;
mod check_schedules;
mod contract;
mod copies;
mod drill_schedules;
mod fleet;
mod history;
mod identity;
mod jobs;
mod key_rotation;
mod maintenance;
mod notifications;
mod oidc;
mod pages;
mod plans;
mod rbac_matrix;
mod schedule_checks;
mod schedules;
mod scopes;
mod serve;
mod server;
mod sso;
mod tokens;

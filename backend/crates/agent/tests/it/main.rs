//! The agent's integration tests, in one binary (one link of the server and the test kit
//! instead of one per file): `<module>::…`, e.g. `backup::sqlite::cancel_stops_a_long_backup`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test stops at a failed setup")]

mod backup;
mod browse;
mod common;
mod copy;
mod hooks;
mod jobs;
mod keys;
mod notify_crash;
mod preflight;
mod process;
mod restore;
mod schedules;
mod server_crash;

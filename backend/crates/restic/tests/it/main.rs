//! The restic wrapper's integration tests against the real restic, in one binary:
//! `<module>::…`, e.g. `cancel::cancel_after_first_progress_stops_the_whole_group`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test stops at a failed setup")]

mod cancel;
mod commands;
mod common;
mod errors;
mod incomplete;
mod parent_death;

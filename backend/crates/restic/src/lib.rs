//! A typed wrapper around the `restic` CLI: argument building, `--json` parsing, version
//! detection, error classes, and a streaming runner with progress coalescing and cancellation.
//!
//! Short commands ([`Restic::snapshots`], [`Restic::ls`], …) return parsed values or an
//! [`Error`]; wrap them in `tokio::time::timeout` if needed — dropping any future of this crate
//! kills restic's whole process group. Long commands ([`Restic::backup`], [`Restic::restore`],
//! [`Restic::check`], [`Restic::prune`], [`Restic::forget`]) take a [`RunControl`] (event
//! channel, [`CancelToken`], grace period) and return an [`Outcome`] whether restic failed or
//! not; their `Err` is reserved for not being able to run restic at all.

mod args;
mod client;
mod coalesce;
mod copy;
mod error;
mod keys;
mod lines;
mod process;
mod repo;
mod stream;
mod types;
mod version;

pub use args::{
    BackupOptions, CheckOptions, ForgetOptions, GlobalOptions, LsOptions, PruneOptions,
    RestoreOptions, RetentionPolicy, SnapshotFilter, StatsMode, StatsOptions, validate_snapshot_id,
};
pub use client::Restic;
pub use coalesce::Coalescer;
pub use copy::{MirrorState, mirror_state};
pub use error::{Error, ErrorClass, Result, classify};
pub use keys::KeyInfo;
pub use repo::Repo;
pub use stream::{
    CancelToken, Canceller, Event, Outcome, RunControl, RunStatus, StreamKind, Summary, cancel_pair,
};
pub use types::{
    BackupSummary, CheckSummary, Diff, DiffChange, DiffStat, DiffStatistics, ForgetGroup,
    InitResult, ItemError, KeepReason, Listing, LockInfo, LsNode, Progress, RepoConfig,
    RestoreSummary, Snapshot, SnapshotSummary, Stats,
};
pub use version::{ExitMeaning, MIN_SUPPORTED, ResticVersion, VersionInfo};

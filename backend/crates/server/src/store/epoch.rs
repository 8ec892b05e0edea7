//! Counters that move on with every change to some rows, so that what was read of them
//! before and kept in memory (`auth::callers`, `domain::names`) is known to be stale.

use std::sync::atomic::{AtomicU64, Ordering};

/// Users, API tokens and sessions (`auth::callers`).
pub static AUTH: Epoch = Epoch::new();

/// Repositories, for their names (`domain::names`).
pub static REPOSITORY_NAMES: Epoch = Epoch::new();

/// One counter for the process: a change in one store also forgets what another store's
/// memory holds, which costs a read there and nothing else.
pub struct Epoch(AtomicU64);

impl Epoch {
    const fn new() -> Epoch {
        Epoch(AtomicU64::new(0))
    }

    /// The current value: taken before a read, kept with what was read.
    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Marks the rows as changed. The store's writers call it before and after their
    /// statement, and a write transaction that saw [`AUTH`] move moves it again after its
    /// commit: a reader that started before the change became visible holds an older
    /// value, whichever order the reads and the commit take.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// Runs one write between two [`Epoch::bump`]s (the second one is after its commit
    /// when the write runs on its own).
    pub async fn changing<T>(&self, write: impl Future<Output = T>) -> T {
        self.bump();
        let out = write.await;
        self.bump();
        out
    }
}

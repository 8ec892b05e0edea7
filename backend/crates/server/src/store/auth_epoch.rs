//! A counter that moves on with every change to users, API tokens and sessions, so that
//! what was read of them before (`auth::callers`) is known to be stale.

use std::sync::atomic::{AtomicU64, Ordering};

/// One counter for the process: a change in one store also forgets what another store's
/// callers remember, which costs a read there and nothing else.
static EPOCH: AtomicU64 = AtomicU64::new(0);

/// The current value: taken before reading a caller, kept with what was read.
pub fn now() -> u64 {
    EPOCH.load(Ordering::SeqCst)
}

/// Marks users, tokens or sessions as changed. The store's writers call it before and
/// after their statement, and a write transaction that saw it move calls it again after
/// its commit: a reader that started before the change became visible holds an older
/// value, whichever order the reads and the commit take.
pub fn bump() {
    EPOCH.fetch_add(1, Ordering::SeqCst);
}

/// Runs one write to users, tokens or sessions between two [`bump`]s (the second one is
/// after its commit when the write runs on its own).
pub async fn changing<T>(write: impl Future<Output = T>) -> T {
    bump();
    let out = write.await;
    bump();
    out
}

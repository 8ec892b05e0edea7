//! The hub: wakes a host's held long-poll when something arrives for it. One `Notify` per
//! host; `notify_one` leaves a permit when nobody waits, so a command queued between two
//! polls is picked up by the next poll at once instead of after the poll timeout.

pub mod auth;
pub mod extractor;
pub mod writer;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::Notify;
use uuid::Uuid;

#[derive(Default)]
pub struct Hub {
    waiters: Mutex<HashMap<Uuid, Arc<Notify>>>,
}

impl Hub {
    /// The wake-up handle of a host (created on first use).
    pub fn handle(&self, host: Uuid) -> Arc<Notify> {
        match self.waiters.lock() {
            Ok(mut map) => map.entry(host).or_default().clone(),
            // A poisoned map only loses wake-ups; polls still end at their timeout.
            Err(_) => Arc::new(Notify::new()),
        }
    }

    pub fn wake(&self, host: Uuid) {
        self.handle(host).notify_one();
    }

    pub fn wake_many(&self, hosts: &[Uuid]) {
        for h in hosts {
            self.wake(*h);
        }
    }

    pub fn forget(&self, host: Uuid) {
        if let Ok(mut map) = self.waiters.lock()
            && let Some(n) = map.remove(&host)
        {
            // A poll still held for a deleted host ends now (and then fails auth).
            n.notify_one();
        }
    }
}

//! The domain's context: what the rules need to run (the store, the secret keys, the
//! agents' wake-ups, the agent settings, the poll writer, the announce limit), and nothing
//! of HTTP. The app owns one and hands it to every domain call.

use std::{ops::Deref, sync::Arc};

use crate::{
    auth::{keys::Keys, ratelimit::Window},
    config::{AgentsConfig, HistoryConfig},
    hub::{Wakeups, writer::PollWriter},
    store::Store,
};

pub struct DomainInner {
    pub store: Store,
    pub keys: Keys,
    /// Held polls and live job viewers (in-process today, see [`Wakeups`]).
    pub hub: Arc<dyn Wakeups>,
    pub agents: AgentsConfig,
    /// How long history is kept (`domain::history`).
    pub history: HistoryConfig,
    /// Batches the agents' heartbeats and delivered-marks into few write transactions.
    pub poll_writer: PollWriter,
    /// Announcements accepted per source IP (`agents.announce_per_ip_per_hour`).
    pub announce_limiter: Window,
    /// Woken polls waiting for their config, built in batches.
    pub config_batches: super::config_batch::ConfigBatches,
    /// Where notifications may go and how they are sent (`alerts.*`).
    pub notify: crate::notify::NotifySettings,
    /// Host and repository names for job lists (`domain::names`).
    pub names: super::names::Names,
}

/// Cheap to clone: a held poll keeps one.
#[derive(Clone)]
pub struct Domain(Arc<DomainInner>);

impl Domain {
    pub fn new(inner: DomainInner) -> Domain {
        Domain(Arc::new(inner))
    }
}

impl Deref for Domain {
    type Target = DomainInner;
    fn deref(&self) -> &DomainInner {
        &self.0
    }
}

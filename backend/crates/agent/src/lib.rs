//! cairn-agent: the small program on every host. It holds an Ed25519 identity, enrolls
//! with the server (token or announce-and-approve), long-polls for commands and config,
//! runs restic jobs, and delivers their events through a durable outbox, reconnecting
//! with back-off. It never listens on a port.

pub mod asks;
pub mod backoff;
pub mod browse;
pub mod catalog;
pub mod client;
mod copy;
pub mod download;
pub mod events;
pub mod facts;
pub mod hooks;
pub mod identity;
pub mod jobs;
pub mod journal;
mod keys;
pub mod maintenance;
pub mod outbox;
pub mod preflight;
pub mod recovery;
pub mod restore;
pub mod runner;
pub mod scheduler;
pub mod state;
pub mod tls;
pub mod uploader;

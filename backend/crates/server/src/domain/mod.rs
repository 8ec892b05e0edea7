//! Domain services: the rules of Cairn (who may do what to which user, what an audit event
//! records), independent of HTTP. Handlers call these; these call the store.

pub mod agent_config;
pub mod alerts;
pub mod asks;
pub mod audit;
pub mod browse;
pub mod channels;
pub mod check_schedule;
pub mod config_batch;
pub mod context;
pub mod copies;
pub mod downloads;
pub mod drill_schedule;
pub mod enrollment;
pub mod error;
pub mod fleet;
pub mod history;
pub mod job_events;
pub mod jobs;
pub mod key_rotation;
pub mod locks;
pub mod maintenance;
pub mod names;
pub mod page;
pub mod poll;
pub mod queue;
pub mod repositories;
pub mod restores;
pub mod rows;
pub mod schedules;
pub mod scope;
pub mod users;

pub use context::Domain;
pub use error::DomainError;

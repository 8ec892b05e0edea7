//! cairn-server: the Cairn server as a library, so the binary, the CLI commands and the
//! in-process test kit all run the same code.

pub mod admin;
pub mod api;
pub mod app;
pub mod auth;
pub mod codes;
pub mod config;
pub mod domain;
pub mod http;
pub mod hub;
pub mod logging;
pub mod net;
pub mod notify;
pub mod setup;
pub mod store;

pub use app::{AppState, Running, start};
pub use config::Config;

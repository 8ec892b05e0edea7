//! sea-orm entities: one module per table, mirroring the migrations.

pub mod api_token;
pub mod audit_event;
pub mod session;
pub mod user;

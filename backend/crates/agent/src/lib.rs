//! cairn-agent: the small program on every host. It holds an Ed25519 identity, enrolls
//! with the server (token or announce-and-approve), and long-polls for commands and
//! config, reconnecting with back-off. It never listens on a port.

pub mod backoff;
pub mod client;
pub mod facts;
pub mod identity;
pub mod state;
pub mod tls;

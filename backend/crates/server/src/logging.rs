//! Structured logs with tracing: pretty for a terminal, JSON for collectors. The request
//! span (see http::middleware) puts the request id on every line a request logs.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogConfig;

pub fn init(cfg: &LogConfig) {
    // RUST_LOG wins over the configured level, as operators expect.
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&cfg.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if cfg.format == "json" {
        registry.with(fmt::layer().json().with_current_span(true).with_span_list(false)).try_init()
    } else {
        // Colours only for a terminal: the journal and log files get plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(fmt::layer().with_target(false).with_ansi(ansi)).try_init()
    };
    // A second init (tests, embedding) keeps the first subscriber.
    let _ = result;
}

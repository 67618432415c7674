//! Structured logging: a message plus fields, filtered by `VIGO_LOG` (or `RUST_LOG`).

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber; logs go to stderr so that stdout stays for output.
/// `default_level` applies unless `VIGO_LOG` (or `RUST_LOG`) says otherwise.
pub fn init(format: LogFormat, default_level: &str) {
    let filter = EnvFilter::try_from_env("VIGO_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new(format!("{default_level},sqlx=warn,sea_orm=warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

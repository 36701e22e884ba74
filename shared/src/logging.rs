//! Logs as CloudWatch reads them: JSON lines when Lambda's `AWS_LAMBDA_LOG_FORMAT` is `JSON`,
//! plain text otherwise; the level from `AWS_LAMBDA_LOG_LEVEL`, then `RUST_LOG`, then INFO.

use tracing_subscriber::filter::LevelFilter;

/// A level, not an `EnvFilter` directive: Lambda's levels are plain names (TRACE .. FATAL),
/// and the filter's regex engine cost package size and start-up time.
fn level() -> LevelFilter {
    let name = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_default();
    match name.trim().to_ascii_uppercase().as_str() {
        "TRACE" => LevelFilter::TRACE,
        "DEBUG" => LevelFilter::DEBUG,
        "WARN" => LevelFilter::WARN,
        "ERROR" | "FATAL" => LevelFilter::ERROR,
        "OFF" => LevelFilter::OFF,
        _ => LevelFilter::INFO,
    }
}

/// Installs the subscriber, once per cold start, before anything logs.
pub fn init() {
    let builder = tracing_subscriber::fmt()
        .with_max_level(level())
        .with_target(false)
        .with_ansi(false)
        // CloudWatch stamps every line itself.
        .without_time();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // A second init (tests) keeps the first subscriber.
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

//! Logs as CloudWatch reads them: JSON lines when Lambda's `AWS_LAMBDA_LOG_FORMAT` is `JSON`,
//! plain text otherwise; the level from `AWS_LAMBDA_LOG_LEVEL`, then `RUST_LOG`, then INFO.
//! Whatever the level, other crates log at most `DEPENDENCY_CAP`: below it `lambda_runtime`,
//! `aws_smithy_*` and the HTTP stack write raw events and DynamoDB requests and replies, ids
//! and personal data included.

use tracing::Dispatch;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

/// This project's crates, which log at the configured level: the shared crate and the
/// functions'. A prefix match, so a function missing here only loses its DEBUG and TRACE lines.
const OWN_TARGETS: [&str; 6] = [
    "project_session",
    "create_session",
    "get_session",
    "update_session",
    "delete_session",
    "health",
];

/// The most any other crate may log. INFO is the default level, so only DEBUG and TRACE
/// change.
const DEPENDENCY_CAP: LevelFilter = LevelFilter::INFO;

/// How lines are written: `AWS_LAMBDA_LOG_FORMAT` chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

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

fn format() -> Format {
    match std::env::var("AWS_LAMBDA_LOG_FORMAT") {
        Ok(f) if f.eq_ignore_ascii_case("json") => Format::Json,
        _ => Format::Text,
    }
}

/// The subscriber `init` installs, writing to `writer`: tests give it a buffer.
pub fn subscriber<W>(level: LevelFilter, format: Format, writer: W) -> Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // Static per callsite, so a capped event costs nothing after its first check.
    let cap = Targets::new()
        .with_targets(OWN_TARGETS.map(|target| (target, level)))
        .with_default(level.min(DEPENDENCY_CAP));
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(writer)
        .with_target(false)
        .with_ansi(false)
        // CloudWatch stamps every line itself.
        .without_time();
    match format {
        Format::Json => Dispatch::new(builder.json().flatten_event(true).finish().with(cap)),
        Format::Text => Dispatch::new(builder.finish().with(cap)),
    }
}

/// Installs the subscriber, once per cold start, before anything logs.
pub fn init() {
    // A second init (tests) keeps the first subscriber.
    let _ = tracing::dispatcher::set_global_default(subscriber(level(), format(), std::io::stdout));
}

/// A log writer into memory, for tests that read what a function logs.
#[cfg(any(test, feature = "test-support"))]
#[derive(Clone, Default)]
pub struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

#[cfg(any(test, feature = "test-support"))]
impl LogBuffer {
    pub fn text(&self) -> String {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(any(test, feature = "test-support"))]
impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .write(bytes)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(any(test, feature = "test-support"))]
impl<'w> MakeWriter<'w> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'w self) -> LogBuffer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(level: LevelFilter, log: impl Fn()) -> String {
        let buffer = LogBuffer::default();
        for format in [Format::Text, Format::Json] {
            tracing::dispatcher::with_default(&subscriber(level, format, buffer.clone()), &log);
        }
        buffer.text()
    }

    #[test]
    fn dependencies_log_at_most_info_whatever_the_level() {
        let log = logged(LevelFilter::TRACE, || {
            tracing::trace!(target: "project_session::handlers", "own trace");
            tracing::debug!(target: "update_session", "own debug");
            tracing::trace!(target: "aws_smithy_runtime::client", "dependency trace");
            tracing::debug!(target: "lambda_runtime", "dependency debug");
            tracing::info!(target: "lambda_runtime", "dependency info");
            tracing::warn!(target: "hyper_util", "dependency warning");
        });
        for kept in [
            "own trace",
            "own debug",
            "dependency info",
            "dependency warning",
        ] {
            assert_eq!(
                log.matches(kept).count(),
                2,
                "{kept} in both formats: {log}"
            );
        }
        assert!(!log.contains("dependency trace") && !log.contains("dependency debug"));
    }

    #[test]
    fn a_lower_level_still_holds_for_every_crate() {
        let log = logged(LevelFilter::WARN, || {
            tracing::info!(target: "project_session", "own info");
            tracing::info!(target: "lambda_runtime", "dependency info");
            tracing::error!(target: "lambda_runtime", "dependency error");
        });
        assert!(!log.contains("info"), "{log}");
        assert_eq!(log.matches("dependency error").count(), 2, "{log}");
    }
}

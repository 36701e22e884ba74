//! The SDK client: built from the environment Lambda sets, with explicit timeouts, and an
//! HTTPS client (rustls on ring) that trusts Amazon's roots, and the roots in
//! `DYNAMODB_EXTRA_CA_FILE` beside them when that is set (tests, private endpoints).

use std::path::Path;
use std::time::Duration;

use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::config::{Region, SharedHttpClient, StalledStreamProtectionConfig};
use aws_sdk_dynamodb::Client;

use super::fresh_now::FreshNow;
use crate::config::EXTRA_CA_FILE;

/// Builds the SDK client once per cold start, from what Lambda puts in the environment:
/// `AWS_REGION`, the role's credentials in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/
/// `AWS_SESSION_TOKEN`, and the SDK's own `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local in tests).
///
/// Not `aws_config::load()`: its default chains read profile files and prepare IMDS, SSO and
/// web-identity providers a Lambda never uses. The HTTPS client trusts only Amazon's roots:
/// loading the system's whole CA store was most of the init time
/// (`bench/src/bin/init-profile.rs` times each step). Timeouts are explicit so a slow
/// DynamoDB fails fast instead of running out the Lambda's clock.
pub fn client(max_attempts: u32, extra_ca_file: Option<&Path>) -> Result<Client, ClientError> {
    let extra = match extra_ca_file {
        None => None,
        Some(path) => Some(read_extra_roots(path)?),
    };
    let region = std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|_| "us-east-1".to_string());
    let mut config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .timeout_config(timeouts(OPERATION_TIMEOUT))
        .retry_config(RetryConfig::standard().with_max_attempts(max_attempts))
        // Bodies of a few KB, bounded by the read timeout: the throughput monitor's clock reads
        // and timer on every poll bought nothing (BENCHMARKS.md, "Where the CPU goes").
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .interceptor(FreshNow)
        .http_client(https_client(extra.as_deref())?);
    if let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|e| !e.is_empty())
    {
        config = config.endpoint_url(endpoint);
    }
    Ok(Client::from_conf(config.build()))
}

/// `client` for tests and local tooling, `DYNAMODB_EXTRA_CA_FILE` read from the environment.
///
/// # Panics
/// When that file cannot be read or holds no certificate.
pub fn client_from_env(max_attempts: u32) -> Client {
    let extra = std::env::var_os(EXTRA_CA_FILE).filter(|v| !v.is_empty());
    match client(max_attempts, extra.as_deref().map(Path::new)) {
        Ok(client) => client,
        Err(e) => panic!("{e}"),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{EXTRA_CA_FILE} ({0}) cannot be read")]
    Unreadable(String, #[source] std::io::Error),
    #[error("{EXTRA_CA_FILE} ({0}) holds no PEM certificate")]
    NoCertificate(String),
    #[error("the TLS settings were refused")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn read_extra_roots(path: &Path) -> Result<Vec<u8>, ClientError> {
    let shown = path.display().to_string();
    let pem = std::fs::read(path).map_err(|e| ClientError::Unreadable(shown.clone(), e))?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(ClientError::NoCertificate(shown));
    }
    Ok(pem)
}

/// What a verb may spend on DynamoDB, retries included: Lambda's 8 s leave room to answer 503.
pub(super) const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);

/// Attempts of 2 s (1 s to connect) within `operation`.
pub(super) fn timeouts(operation: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .read_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(operation)
        .build()
}

/// The Amazon Trust Services roots, which sign the endpoints of the AWS commercial regions.
const AMAZON_ROOT_CAS: &[u8] = include_bytes!("amazon-root-cas.pem");

/// The PEM bundles the client trusts: Amazon's always, the extra ones after them.
fn trusted_roots(extra: Option<&[u8]>) -> Vec<&[u8]> {
    std::iter::once(AMAZON_ROOT_CAS).chain(extra).collect()
}

fn https_client(extra: Option<&[u8]>) -> Result<SharedHttpClient, ClientError> {
    use aws_smithy_http_client::tls::{
        rustls_provider::CryptoMode, Provider, TlsContext, TrustStore,
    };
    let store = trusted_roots(extra)
        .into_iter()
        .fold(TrustStore::empty(), TrustStore::with_pem_certificate);
    let tls = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|e| ClientError::Tls(e.into()))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(tls)
        .build_https())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_trust_store_holds_amazons_five_roots() {
        use aws_smithy_http_client::tls::{TlsContext, TrustStore};
        let pem = std::str::from_utf8(AMAZON_ROOT_CAS).unwrap();
        assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        assert_eq!(pem.matches("-----END CERTIFICATE-----").count(), 5);
        let store = TrustStore::empty().with_pem_certificate(AMAZON_ROOT_CAS);
        assert!(TlsContext::builder()
            .with_trust_store(store)
            .build()
            .is_ok());
    }

    #[test]
    fn extra_roots_are_trusted_beside_amazons_never_instead() {
        let extra = b"-----BEGIN CERTIFICATE-----\nlocal\n-----END CERTIFICATE-----\n";
        assert_eq!(trusted_roots(None), vec![AMAZON_ROOT_CAS]);
        assert_eq!(
            trusted_roots(Some(&extra[..])),
            vec![AMAZON_ROOT_CAS, &extra[..]]
        );
    }

    #[test]
    fn an_extra_ca_file_that_is_missing_or_holds_no_certificate_is_refused_by_name() {
        let missing = Path::new("/nonexistent/extra-ca.pem");
        let err = client(3, Some(missing)).unwrap_err();
        assert!(matches!(err, ClientError::Unreadable(..)), "{err}");
        assert!(err.to_string().contains("/nonexistent/extra-ca.pem"));
        let empty = std::env::temp_dir().join(format!("no-ca-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate").unwrap();
        let err = client(3, Some(&empty)).unwrap_err();
        let _ = std::fs::remove_file(&empty);
        assert!(matches!(err, ClientError::NoCertificate(..)), "{err}");
    }
}

//! The SDK client: built from the environment Lambda sets, with explicit timeouts, and an
//! HTTPS client (rustls on ring) that trusts only Amazon's roots.

use std::time::Duration;

use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::config::{Region, SharedHttpClient};
use aws_sdk_dynamodb::Client;

use super::fresh_now::FreshNow;

/// Builds the SDK client once per cold start, from what Lambda puts in the environment:
/// `AWS_REGION`, the role's credentials in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/
/// `AWS_SESSION_TOKEN`, and the SDK's own `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local in tests).
///
/// Not `aws_config::load()`: its default chains read profile files and prepare IMDS, SSO and
/// web-identity providers a Lambda never uses. The HTTPS client trusts only Amazon's roots:
/// loading the system's whole CA store was most of the init time
/// (`shared/examples/init-profile.rs` times each step). Timeouts are explicit so a slow
/// DynamoDB fails fast instead of running out the Lambda's clock.
pub fn client_from_env(max_attempts: u32) -> Client {
    let region = std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|_| "us-east-1".to_string());
    let mut config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .timeout_config(timeouts(OPERATION_TIMEOUT))
        .retry_config(RetryConfig::standard().with_max_attempts(max_attempts))
        .interceptor(FreshNow)
        .http_client(https_client());
    if let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|e| !e.is_empty())
    {
        config = config.endpoint_url(endpoint);
    }
    Client::from_conf(config.build())
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

fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{
        rustls_provider::CryptoMode, Provider, TlsContext, TrustStore,
    };
    let builder =
        aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring));
    match TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(AMAZON_ROOT_CAS))
        .build()
    {
        Ok(tls) => builder.tls_context(tls).build_https(),
        // Unreachable with the bundled roots; the system's store still works.
        Err(_) => builder.build_https(),
    }
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
}

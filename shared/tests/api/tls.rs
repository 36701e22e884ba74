//! DynamoDB behind HTTPS, as in AWS: `DynamoProxy::start_tls` in front of DynamoDB Local with a
//! certificate from a `LocalCa`, and the client's `DYNAMODB_EXTRA_CA_FILE` setting, which adds
//! roots beside Amazon's.

use std::path::PathBuf;

use lambda_http::http::StatusCode;
use project_session::dynamodb::{client, ClientError, DynamoProxy, LocalCa};
use project_session::DynamoStore;

use crate::support::{call, create, event, require};

fn store_at(endpoint: &str, extra_ca_file: Option<&std::path::Path>) -> DynamoStore {
    let client = client(3, extra_ca_file).expect("the client builds");
    let config = client.config().to_builder().endpoint_url(endpoint).build();
    DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        require("TABLE_NAME"),
    )
}

fn written(ca: &LocalCa) -> PathBuf {
    let path = std::env::temp_dir().join(format!("local-ca-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&path, ca.root_pem()).expect("the CA file is written");
    path
}

/// DynamoDB Local behind HTTPS, with a certificate from a CA of its own.
async fn https_proxy() -> (LocalCa, DynamoProxy) {
    let ca = LocalCa::generate().expect("a CA");
    let proxy = DynamoProxy::start_tls(&require("AWS_ENDPOINT_URL_DYNAMODB"), &ca)
        .await
        .expect("the HTTPS proxy starts");
    (ca, proxy)
}

#[tokio::test]
async fn a_client_given_the_local_ca_keeps_drafts_over_https() {
    let (ca, proxy) = https_proxy().await;
    assert!(proxy.url().starts_with("https://"), "{}", proxy.url());
    let file = written(&ca);
    let store = store_at(proxy.url(), Some(&file));
    let id = create(&store, None).await;
    let reply = call(&store, &event("get-session.json", Some(&id))).await;
    let _ = std::fs::remove_file(&file);
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(proxy.take_counts().get("GetItem"), Some(&1));
}

#[tokio::test]
async fn without_the_setting_a_client_refuses_an_endpoint_its_roots_did_not_sign() {
    let (_, proxy) = https_proxy().await;
    // Amazon's roots alone, as in AWS: the handshake fails and no request reaches DynamoDB.
    let store = store_at(proxy.url(), None);
    let reply = call(&store, &event("create-session.json", None)).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.json
    );
    assert!(proxy.take_counts().is_empty());
    // Another run's CA is no better.
    let other = written(&LocalCa::generate().expect("a CA"));
    let store = store_at(proxy.url(), Some(&other));
    let reply = call(&store, &event("create-session.json", None)).await;
    let _ = std::fs::remove_file(&other);
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.json
    );
}

#[test]
fn a_function_with_an_unreadable_extra_ca_file_fails_at_init_naming_it() {
    let config = project_session::Config {
        extra_ca_file: Some("/nonexistent/ca.pem".into()),
        ..crate::support::config()
    };
    let Err(err) = DynamoStore::from_config(&config) else {
        panic!("a client was built from a CA file that does not exist");
    };
    assert!(matches!(err, ClientError::Unreadable(..)));
    assert!(err
        .to_string()
        .contains("DYNAMODB_EXTRA_CA_FILE (/nonexistent/ca.pem)"));
}

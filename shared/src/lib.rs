//! Draft sessions of the create-project wizard, shared by every function.
//!
//! `domain` holds the rules, `store` the per-verb ports, `dynamodb` the adapter,
//! `decode` and `api` the HTTP edges, and `handlers` ties them together.

pub mod api;
pub mod config;
pub mod decode;
pub mod domain;
pub mod dynamodb;
pub mod handlers;
pub mod observe;
pub mod store;
pub mod telemetry;

pub use config::Config;
pub use dynamodb::DynamoStore;

impl DynamoStore {
    /// The store for a function: one SDK client, built once per cold start.
    pub fn from_config(config: &Config) -> Self {
        DynamoStore::new(
            dynamodb::client_from_env(config.max_attempts),
            &config.table_name,
        )
    }
}

//! The DynamoDB adapter: one item per session, one request per verb.
//!
//! - `client`: the SDK client a function builds once, with its HTTPS client and timeouts;
//! - `item`: the item layout, a session to its item and back;
//! - `update_expression`: the expressions of an update's one `UpdateItem`;
//! - `store`: the ports (`crate::store`) on DynamoDB, one request per verb;
//! - `list`: owned mode's list of an owner's drafts, on the `byOwner` index;
//! - `error`: DynamoDB's failures as `StoreError`s;
//! - `fresh_now`: every attempt of a write asks "live at `:now`?" with its own `:now`;
//! - with the `test-support` feature, for tests and local tooling: `table` (the table as
//!   `template.yaml` declares it) and `operation_log` (which operations a client sends).

mod client;
mod error;
mod fresh_now;
mod item;
mod list;
#[cfg(feature = "test-support")]
mod operation_log;
#[cfg(feature = "test-support")]
mod proxy;
mod store;
#[cfg(feature = "test-support")]
mod table;
mod update_expression;

use aws_sdk_dynamodb::Client;

use crate::config::Config;

pub use client::{client, client_from_env, ClientError};
pub use item::{
    item_to_session, session_to_item, MalformedItem, CREATED_AT, KEY_ATTRIBUTE, OWNER_ATTRIBUTE,
    OWNER_INDEX, OWNER_INDEX_PROJECTION, TTL_ATTRIBUTE,
};
#[cfg(feature = "test-support")]
pub use operation_log::OperationLog;
#[cfg(feature = "test-support")]
pub use proxy::{DynamoProxy, Fault, LocalCa};
#[cfg(feature = "test-support")]
pub use table::create_table;
pub use update_expression::{update_expression, UpdateExpression};

#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The store for a function: one SDK client, built once per cold start.
    pub fn from_config(config: &Config) -> Result<Self, ClientError> {
        let client = client(config.max_attempts, config.extra_ca_file.as_deref())?;
        Ok(Self::new(client, &config.table_name))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

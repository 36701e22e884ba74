//! Draft sessions of the create-project wizard, shared by every function.
//!
//! `domain` holds the rules, `store` the per-verb ports, `dynamodb` the adapter, `decode` and
//! `api` the HTTP edges, and `handlers` ties them together; `verb` names each verb's function,
//! routes and DynamoDB actions and serves it; `observe` reports each request and `logging`
//! sets up the logs. With the `test-support` feature (tests, examples and
//! benches turn it on; the functions do not) `store::memory::MemoryStore`,
//! `dynamodb::create_table` and `dynamodb::OperationLog` are compiled in too.

pub mod api;
pub mod config;
pub mod decode;
pub mod domain;
pub mod dynamodb;
pub mod handlers;
pub mod logging;
pub mod observe;
pub mod store;
pub mod verb;

pub use config::Config;
pub use dynamodb::DynamoStore;
pub use verb::Verb;

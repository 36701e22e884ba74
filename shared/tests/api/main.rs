//! The API's tests, in one binary: the suite against every store, what only DynamoDB Local
//! shows, property tests of the request path, and `template.yaml` checked against the code.
//! `scripts/test.sh` starts DynamoDB Local and creates the tables before these run.

mod support;
#[macro_use]
mod suite;

mod dynamodb_local;
mod logs;
mod memory_store;
mod owners;
mod properties;
mod retries;
mod template;
mod tls;

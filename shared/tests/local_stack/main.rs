//! The local stack's tests, in one binary: the checks `scripts/dev.sh` makes before it starts,
//! and the README's main command itself (`scripts/dev.sh`: DynamoDB Local and `cargo lambda
//! watch`) started on free ports, driven over HTTP as a browser would (`e2e`) and by
//! Schemathesis against `openapi.yaml` (`contract`); in owned mode, behind the local stand-in
//! for API Gateway's JWT authorizer (`owned`); and the local API Gateway itself, built from
//! template.yaml, serving the code as it is after an edit (`gateway`).

mod stack;

mod contract;
mod dev_script;
mod e2e;
mod gateway;
mod owned;

//! Creates the sessions table in DynamoDB Local as `template.yaml` declares it: partition key
//! `sessionId` (S), on-demand billing, TTL on `expiresAt`. Waits for DynamoDB Local to answer
//! first, and leaves an existing table alone. Used by `scripts/test.sh` and `scripts/dev.sh`.
//!
//! Reads `TABLE_NAME` and the SDK's own `AWS_ENDPOINT_URL_DYNAMODB`, region and credentials.
//! With `TTL_SWEEP=off` the table gets no TTL: DynamoDB Local sweeps expired items within
//! seconds, real DynamoDB may take days, and the tests need the slow case to stay put.

use std::time::{Duration, Instant};

use project_session::dynamodb::{client_from_env, create_table, KEY_ATTRIBUTE, TTL_ATTRIBUTE};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let client = client_from_env(1);

    let started = Instant::now();
    let existing = loop {
        match client.list_tables().send().await {
            Ok(output) => break output.table_names().to_vec(),
            // DynamoDB Local takes a few seconds to start listening.
            Err(_) if started.elapsed() < Duration::from_secs(60) => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => return Err(format!("DynamoDB Local did not answer in 60 s: {e}").into()),
        }
    };
    if existing.contains(&table) {
        println!("table {table} already exists");
        return Ok(());
    }

    let ttl = std::env::var("TTL_SWEEP").as_deref() != Ok("off");
    create_table(&client, &table, ttl).await?;
    if ttl {
        println!("created table {table} (key {KEY_ATTRIBUTE}, TTL on {TTL_ATTRIBUTE})");
    } else {
        println!("created table {table} (key {KEY_ATTRIBUTE}, no TTL sweep)");
    }
    Ok(())
}

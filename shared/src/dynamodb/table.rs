//! The sessions table as `template.yaml` declares it, for DynamoDB Local in the tests and the
//! local tooling (`shared/examples/local-table.rs`). In AWS, CloudFormation creates it.

use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

use super::item::{KEY_ATTRIBUTE, TTL_ATTRIBUTE};

/// Creates the table: its key, on-demand billing and, with `ttl`, TTL on `expiresAt`.
pub async fn create_table(client: &Client, table: &str, ttl: bool) -> Result<(), BoxError> {
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(KEY_ATTRIBUTE)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(KEY_ATTRIBUTE)
                .key_type(KeyType::Hash)
                .build()?,
        )
        .send()
        .await?;
    if ttl {
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()?,
            )
            .send()
            .await?;
    }
    Ok(())
}

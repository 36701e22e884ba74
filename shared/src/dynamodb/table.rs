//! The sessions table as `template.yaml` declares it, for DynamoDB Local in the tests and the
//! local tooling (`shared/examples/local-table.rs`). In AWS, CloudFormation creates it.

use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

use super::item::{
    CREATED_AT, KEY_ATTRIBUTE, OWNER_ATTRIBUTE, OWNER_INDEX, OWNER_INDEX_PROJECTION, TTL_ATTRIBUTE,
};

fn attribute(name: &str, kind: ScalarAttributeType) -> Result<AttributeDefinition, BoxError> {
    Ok(AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()?)
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, BoxError> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()?)
}

/// Creates the table: its key, the owners' index, on-demand billing and, with `ttl`, TTL on
/// `expiresAt`.
pub async fn create_table(client: &Client, table: &str, ttl: bool) -> Result<(), BoxError> {
    let projection = Projection::builder()
        .projection_type(ProjectionType::Include)
        .set_non_key_attributes(Some(
            OWNER_INDEX_PROJECTION
                .iter()
                .map(|a| a.to_string())
                .collect(),
        ))
        .build();
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(KEY_ATTRIBUTE, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(OWNER_ATTRIBUTE, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(CREATED_AT, ScalarAttributeType::N)?)
        .key_schema(key(KEY_ATTRIBUTE, KeyType::Hash)?)
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(OWNER_INDEX)
                .key_schema(key(OWNER_ATTRIBUTE, KeyType::Hash)?)
                .key_schema(key(CREATED_AT, KeyType::Range)?)
                .projection(projection)
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

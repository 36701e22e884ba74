//! The ports on DynamoDB: each verb is exactly one request, and each write carries the
//! live-draft condition, so an expired item the TTL sweep has not reached yet counts as gone.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};

use super::error::{condition_failure, store_error};
use super::item::{
    create_token, item_to_session, key, live_condition_names, live_until, n, number,
    session_to_item, MalformedItem, CREATE_TOKEN, KEY_ATTRIBUTE, LIVE_CONDITION, VERSION,
};
use super::update_expression::update_expression;
use super::DynamoStore;
use crate::domain::{CreateToken, ExpiryPolicy, Session, SessionId, SessionPatch};
use crate::store::{
    StoreCreate, StoreDelete, StoreError, StoreGet, StorePing, StoreUpdate, Updated,
};

impl StoreCreate for DynamoStore {
    async fn create(&self, session: &Session, token: &CreateToken) -> Result<Session, StoreError> {
        let mut item = session_to_item(session);
        item.insert(
            CREATE_TOKEN.to_string(),
            AttributeValue::S(token.as_str().to_string()),
        );
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            // Never over a live draft; an expired one the TTL sweep has not reached yet may go.
            .condition_expression(format!("NOT ({LIVE_CONDITION})"))
            .set_expression_attribute_names(Some(live_condition_names()))
            .expression_attribute_values(":now", n(session.created_at.timestamp()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(session.clone()),
            Err(err) => err,
        };
        let Some(PutItemError::ConditionalCheckFailedException(failed)) = err.as_service_error()
        else {
            return Err(store_error(err));
        };
        // The draft in the way, returned by the failed condition itself: no second request.
        match failed.item() {
            Some(stored) if create_token(stored) == Some(token.as_str()) => {
                Ok(item_to_session(stored)?)
            }
            _ => Err(StoreError::AlreadyExists),
        }
    }
}

impl StoreGet for DynamoStore {
    async fn get(&self, id: SessionId, now: DateTime<Utc>) -> Result<Session, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .key(KEY_ATTRIBUTE, key(id))
            // A reload right after an autosave must see it.
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        let item = output.item().ok_or(StoreError::NotFound)?;
        let session = item_to_session(item)?;
        if session.is_expired(now) {
            return Err(StoreError::Expired);
        }
        Ok(session)
    }
}

impl StoreUpdate for DynamoStore {
    async fn update(
        &self,
        id: SessionId,
        patch: &SessionPatch,
        now: DateTime<Utc>,
        policy: &ExpiryPolicy,
    ) -> Result<Updated, StoreError> {
        let expression = update_expression(patch, now, policy);
        let output = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(KEY_ATTRIBUTE, key(id))
            .update_expression(expression.update)
            .condition_expression(expression.condition)
            .set_expression_attribute_names(Some(expression.names))
            .set_expression_attribute_values(Some(expression.values))
            // The whole item: the answer's expiry also depends on the unchanged cap.
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(e)) => {
                    condition_failure(e.item(), now, &patch.expected_versions)
                }
                _ => store_error(err),
            })?;
        let attributes = output.attributes().ok_or(MalformedItem(VERSION))?;
        Ok(Updated {
            version: number(attributes, VERSION)?,
            expires_at: live_until(attributes)?,
        })
    }
}

impl StoreDelete for DynamoStore {
    async fn delete(&self, id: SessionId, now: DateTime<Utc>) -> Result<Session, StoreError> {
        let output = self
            .client()
            .delete_item()
            .table_name(self.table())
            .key(KEY_ATTRIBUTE, key(id))
            .condition_expression(LIVE_CONDITION)
            .set_expression_attribute_names(Some(live_condition_names()))
            .expression_attribute_values(":now", n(now.timestamp()))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(e)) => {
                    condition_failure(e.item(), now, &BTreeSet::new())
                }
                _ => store_error(err),
            })?;
        let old = output.attributes().ok_or(MalformedItem(KEY_ATTRIBUTE))?;
        Ok(item_to_session(old)?)
    }
}

impl StorePing for DynamoStore {
    /// DescribeTable is a control-plane call: it consumes no read capacity.
    async fn ping(&self) -> Result<(), StoreError> {
        self.client()
            .describe_table()
            .table_name(self.table())
            .send()
            .await
            .map(|_| ())
            .map_err(store_error)
    }
}

//! The ports on DynamoDB: each verb is exactly one request, and each write carries the
//! live-draft condition, so an expired item the TTL sweep has not reached yet counts as gone.

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};

use super::client::{timeouts, OPERATION_TIMEOUT};
use super::error::{condition_failure, store_error};
use super::item::{
    create_token, is_deleted, is_live, is_owned_by, item_to_session, key, last_write,
    live_condition_names, live_until, max_expires_at, n, number, owner_condition, session_to_item,
    write_token, MalformedItem, CREATE_TOKEN, DELETED, DELETED_OWNER, KEY_ATTRIBUTE, LAST_WRITE,
    LIVE_CONDITION, OWNER_ATTRIBUTE, PROJECT_DATA, TITLE, TTL_ATTRIBUTE, VERSION,
};
use super::update_expression::update_expression;
use super::DynamoStore;
use crate::domain::{CreateToken, ExpiryPolicy, Owner, Session, SessionId, SessionPatch};
use crate::store::{
    StoreCreate, StoreDelete, StoreError, StoreGet, StorePing, StoreUpdate, Updated,
};

impl StoreCreate for DynamoStore {
    async fn create(&self, session: &Session, token: &CreateToken) -> Result<Session, StoreError> {
        let mut names = live_condition_names();
        names.insert("#createToken".to_string(), CREATE_TOKEN.to_string());
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
            // Never over a live draft; an expired one the TTL sweep has not reached yet may go,
            // but not one this very create made and a delete ended: a repeat of it must not
            // bring the draft back.
            .condition_expression(format!(
                "NOT ({LIVE_CONDITION}) AND NOT (attribute_exists(#deleted) AND #createToken = :token)"
            ))
            .set_expression_attribute_names(Some(names))
            .expression_attribute_values(":now", n(session.created_at.timestamp()))
            .expression_attribute_values(":token", AttributeValue::S(token.as_str().to_string()))
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
            // This create's own draft, live. One it made that was deleted since is not brought
            // back: the key is spent.
            Some(stored) if create_token(stored) == Some(token.as_str()) && !is_deleted(stored) => {
                Ok(item_to_session(stored)?)
            }
            _ => Err(StoreError::AlreadyExists),
        }
    }
}

impl StoreGet for DynamoStore {
    /// A GetItem has no condition: the owner is compared here, with the same 404 for a mismatch.
    async fn get(
        &self,
        id: SessionId,
        owner: Option<&Owner>,
        now: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
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
        let item = output
            .item()
            .filter(|item| !is_deleted(item) && is_owned_by(item, owner))
            .ok_or(StoreError::NotFound)?;
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
        owner: Option<&Owner>,
        patch: &SessionPatch,
        now: DateTime<Utc>,
        policy: &ExpiryPolicy,
    ) -> Result<Updated, StoreError> {
        let token = write_token();
        let mut expires_at = policy.expires_at(now);
        let started = Instant::now();
        loop {
            let expression = update_expression(patch, owner, now, expires_at, &token);
            // The second request (the cap's) gets what is left of the one budget, so the
            // verb still answers 503 before the Lambda timeout.
            let left = OPERATION_TIMEOUT.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(StoreError::Unavailable(
                    "no time left for the cap's update".into(),
                ));
            }
            let result = self
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
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .customize()
                .config_override(aws_sdk_dynamodb::Config::builder().timeout_config(timeouts(left)))
                .send()
                .await;
            let err = match result {
                Ok(output) => return updated(output.attributes().ok_or(MalformedItem(VERSION))?),
                Err(err) => err,
            };
            let Some(UpdateItemError::ConditionalCheckFailedException(failed)) =
                err.as_service_error()
            else {
                return Err(store_error(err));
            };
            match failed.item() {
                // An earlier attempt of this request committed and its reply was lost.
                Some(item) if last_write(item) == Some(token.as_str()) => return updated(item),
                // Only the cap failed: in the draft's last stretch it is the new expiry. A
                // second request, rarely: once the cap is nearer than a whole idle period.
                Some(item)
                    if is_owned_by(item, owner)
                        && cap_is_nearer(item, Utc::now(), expires_at, patch) =>
                {
                    expires_at = max_expires_at(item)?;
                }
                item => {
                    let now = Utc::now();
                    return Err(condition_failure(item, owner, now, |v| {
                        patch.accepts_version(v)
                    }));
                }
            }
        }
    }
}

/// A live draft at a version the patch accepts, whose cap comes before `expires_at`.
fn cap_is_nearer(
    item: &HashMap<String, AttributeValue>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    patch: &SessionPatch,
) -> bool {
    let live = is_live(item, now);
    let accepted = number::<u64>(item, VERSION).is_ok_and(|v| patch.accepts_version(v));
    live && accepted && max_expires_at(item).is_ok_and(|cap| cap < expires_at)
}

fn updated(item: &HashMap<String, AttributeValue>) -> Result<Updated, StoreError> {
    Ok(Updated {
        version: number(item, VERSION)?,
        expires_at: live_until(item)?,
    })
}

/// A delete is an `UpdateItem`, not a `DeleteItem`: it empties the draft's fields at once, marks
/// the item deleted with the request's token and sets its TTL to now, so the sweep removes the
/// rest. A retried attempt of a delete that committed then finds its own token and reports the
/// delete it made; after a `DeleteItem` it would find nothing and report 404. An owned draft's
/// `owner` moves to `deletedOwner`: the draft leaves the owner's index now, not at the sweep
/// (days later, at worst), so that counting an owner's drafts never reads deleted ones.
impl StoreDelete for DynamoStore {
    async fn delete(
        &self,
        id: SessionId,
        owner: Option<&Owner>,
        now: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        let token = write_token();
        let mut names = live_condition_names();
        let mut values = HashMap::new();
        let owned = owner_condition(owner, &mut names, &mut values);
        names.extend([
            ("#deleted".to_string(), DELETED.to_string()),
            ("#lastWrite".to_string(), LAST_WRITE.to_string()),
            ("#projectData".to_string(), PROJECT_DATA.to_string()),
            ("#ttl".to_string(), TTL_ATTRIBUTE.to_string()),
        ]);
        let mut update =
            "SET #deleted = :true, #lastWrite = :writeToken, #projectData = :noFields, #ttl = :now"
                .to_string();
        if owner.is_some() {
            names.insert("#deletedOwner".to_string(), DELETED_OWNER.to_string());
            names.insert("#title".to_string(), TITLE.to_string());
            update.push_str(", #deletedOwner = :owner REMOVE #owner, #title");
        }
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(KEY_ATTRIBUTE, key(id))
            .update_expression(update)
            .condition_expression(format!("{LIVE_CONDITION} AND {owned}"))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .expression_attribute_values(":now", n(now.timestamp()))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":writeToken", AttributeValue::S(token.clone()))
            .expression_attribute_values(":noFields", AttributeValue::M(HashMap::new()))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => {
                let old = output.attributes().ok_or(MalformedItem(KEY_ATTRIBUTE))?;
                Ok(item_to_session(old)?)
            }
            Err(err) => {
                let Some(UpdateItemError::ConditionalCheckFailedException(failed)) =
                    err.as_service_error()
                else {
                    return Err(store_error(err));
                };
                match failed.item() {
                    // This request's earlier attempt deleted it: the fields are gone, the steps
                    // and times are what the draft had.
                    Some(item) if last_write(item) == Some(token.as_str()) => {
                        Ok(item_to_session(&with_owner_restored(item))?)
                    }
                    item => Err(condition_failure(item, owner, Utc::now(), |_| true)),
                }
            }
        }
    }
}

/// A deleted item as it was before its delete moved `owner` to `deletedOwner`.
fn with_owner_restored(item: &HashMap<String, AttributeValue>) -> HashMap<String, AttributeValue> {
    let mut item = item.clone();
    if let Some(owner) = item.remove(DELETED_OWNER) {
        item.insert(OWNER_ATTRIBUTE.to_string(), owner);
    }
    item
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

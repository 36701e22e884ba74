//! The DynamoDB adapter: one item per session, one request per verb.
//!
//! Item layout (partition key `sessionId`):
//! `projectData` M of the typed fields, `currentStep` N, `completedSteps` L of N,
//! `createdAt` and `lastActivity` N (epoch milliseconds), `expiresAt` N (epoch seconds, the
//! table's TTL attribute, pushed forward by every write), `maxExpiresAt` N (epoch seconds, the
//! absolute cap set at creation), `version` N and `createToken` S (see `CreateToken`).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::Region;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use chrono::{DateTime, Utc};
use serde_json::Number;

use crate::domain::{
    is_expired, CreateToken, ExpiryPolicy, Field, FieldValue, ProjectData, Session, SessionId,
    SessionPatch,
};
use crate::store::{
    StoreCreate, StoreDelete, StoreError, StoreGet, StorePing, StoreUpdate, Updated,
};

/// The table's partition key, declared the same in `template.yaml`.
pub const KEY_ATTRIBUTE: &str = "sessionId";
/// The table's TTL attribute, declared the same in `template.yaml`.
pub const TTL_ATTRIBUTE: &str = "expiresAt";

const PROJECT_DATA: &str = "projectData";
const CURRENT_STEP: &str = "currentStep";
const COMPLETED_STEPS: &str = "completedSteps";
const CREATED_AT: &str = "createdAt";
const LAST_ACTIVITY: &str = "lastActivity";
const VERSION: &str = "version";
const MAX_EXPIRES_AT: &str = "maxExpiresAt";
/// The create that made the item (`CreateToken`): how a repeat of it is recognised.
const CREATE_TOKEN: &str = "createToken";

/// Expression placeholders, so no attribute name ever meets DynamoDB's reserved words.
/// The TTL sweep is lazy, so a write checks both expiries itself.
const LIVE_CONDITION: &str =
    "attribute_exists(#sessionId) AND #expiresAt > :now AND #maxExpiresAt > :now";

fn live_condition_names() -> HashMap<String, String> {
    HashMap::from([
        ("#sessionId".to_string(), KEY_ATTRIBUTE.to_string()),
        ("#expiresAt".to_string(), TTL_ATTRIBUTE.to_string()),
        ("#maxExpiresAt".to_string(), MAX_EXPIRES_AT.to_string()),
    ])
}

/// Builds the SDK client once per cold start, from what Lambda puts in the environment:
/// `AWS_REGION`, the role's credentials in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/
/// `AWS_SESSION_TOKEN`, and the SDK's own `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local in tests).
///
/// Not `aws_config::load()`: its default chains read profile files and prepare IMDS, SSO and
/// web-identity providers a Lambda never uses. The HTTPS client trusts only Amazon's roots:
/// loading the system's whole CA store was most of the init time
/// (`shared/examples/init-profile.rs` times each step). Timeouts are explicit so a slow
/// DynamoDB fails fast instead of running out the Lambda's clock.
pub fn client_from_env(max_attempts: u32) -> Client {
    let region = std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|_| "us-east-1".to_string());
    let mut config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .read_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(Duration::from_secs(2))
                .operation_timeout(Duration::from_secs(5))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(max_attempts))
        .http_client(https_client());
    if let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|e| !e.is_empty())
    {
        config = config.endpoint_url(endpoint);
    }
    Client::from_conf(config.build())
}

/// Creates the sessions table as `template.yaml` declares it (key, on-demand billing and,
/// with `ttl`, TTL on `expiresAt`): for DynamoDB Local in the scripts and tests.
pub async fn create_table(client: &Client, table: &str, ttl: bool) -> Result<(), BoxError> {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        TimeToLiveSpecification,
    };
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

const AMAZON_ROOT_CAS: &[u8] = include_bytes!("amazon-root-cas.pem");

fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{
        rustls_provider::CryptoMode, Provider, TlsContext, TrustStore,
    };
    let builder =
        aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring));
    match TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(AMAZON_ROOT_CAS))
        .build()
    {
        Ok(tls) => builder.tls_context(tls).build_https(),
        // Unreachable with the bundled roots; the system's store still works.
        Err(_) => builder.build_https(),
    }
}

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

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

/// An item that does not have the shape this module writes.
#[derive(Debug, thiserror::Error)]
#[error("stored item has a missing or malformed `{0}` attribute")]
pub struct MalformedItem(&'static str);

impl From<MalformedItem> for StoreError {
    fn from(e: MalformedItem) -> Self {
        StoreError::Failed(Box::new(e))
    }
}

/// Transient failures (network, timeouts, throttling, DynamoDB's own 5xx) are `Unavailable`
/// so clients are told to retry; anything else is a bug or a misconfiguration.
fn store_error<E>(err: SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(e) => {
            e.raw().status().is_server_error()
                || matches!(
                    e.err().code(),
                    Some(
                        "ThrottlingException"
                            | "ProvisionedThroughputExceededException"
                            | "RequestLimitExceeded"
                            | "InternalServerError"
                            | "ServiceUnavailable"
                    )
                )
        }
        _ => false,
    };
    if transient {
        StoreError::Unavailable(Box::new(err))
    } else {
        StoreError::Failed(Box::new(err))
    }
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key(id: SessionId) -> AttributeValue {
    AttributeValue::S(id.to_string())
}

/// Numbers go out without an exponent: Rust prints floats in plain decimal.
fn number_to_attribute(number: &Number) -> AttributeValue {
    match number.as_u64() {
        Some(u) => n(u),
        None => n(number.as_f64().unwrap_or(0.0)),
    }
}

fn field_to_attribute(value: &FieldValue) -> AttributeValue {
    match value {
        FieldValue::Text(s) => AttributeValue::S(s.clone()),
        FieldValue::Number(number) => number_to_attribute(number),
    }
}

fn attribute_to_field(value: &AttributeValue) -> Option<FieldValue> {
    match value {
        AttributeValue::S(s) => Some(FieldValue::Text(s.clone())),
        AttributeValue::N(s) => s
            .parse::<u64>()
            .map(Number::from)
            .ok()
            .or_else(|| s.parse::<f64>().ok().and_then(Number::from_f64))
            .map(FieldValue::Number),
        _ => None,
    }
}

pub fn session_to_item(session: &Session) -> HashMap<String, AttributeValue> {
    let data = session
        .project_data
        .iter()
        .map(|(field, value)| (field.name().to_string(), field_to_attribute(value)))
        .collect();
    HashMap::from([
        (KEY_ATTRIBUTE.to_string(), key(session.id)),
        (PROJECT_DATA.to_string(), AttributeValue::M(data)),
        (CURRENT_STEP.to_string(), n(session.current_step)),
        (COMPLETED_STEPS.to_string(), steps(&session.completed_steps)),
        (
            CREATED_AT.to_string(),
            n(session.created_at.timestamp_millis()),
        ),
        (
            LAST_ACTIVITY.to_string(),
            n(session.last_activity.timestamp_millis()),
        ),
        (TTL_ATTRIBUTE.to_string(), n(session.expires_at.timestamp())),
        (
            MAX_EXPIRES_AT.to_string(),
            n(session.max_expires_at.timestamp()),
        ),
        (VERSION.to_string(), n(session.version)),
    ])
}

fn steps(steps: &[u8]) -> AttributeValue {
    AttributeValue::L(steps.iter().map(n).collect())
}

fn number<T: std::str::FromStr>(
    item: &HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<T, MalformedItem> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|s| s.parse().ok())
        .ok_or(MalformedItem(name))
}

fn epoch_millis(
    item: &HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<DateTime<Utc>, MalformedItem> {
    DateTime::from_timestamp_millis(number(item, name)?).ok_or(MalformedItem(name))
}

fn epoch_seconds(
    item: &HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<DateTime<Utc>, MalformedItem> {
    DateTime::from_timestamp(number(item, name)?, 0).ok_or(MalformedItem(name))
}

/// When the item's draft ends: its idle expiry or its absolute cap, whichever is first.
fn live_until(item: &HashMap<String, AttributeValue>) -> Result<DateTime<Utc>, MalformedItem> {
    Ok(epoch_seconds(item, TTL_ATTRIBUTE)?.min(epoch_seconds(item, MAX_EXPIRES_AT)?))
}

pub fn item_to_session(item: &HashMap<String, AttributeValue>) -> Result<Session, MalformedItem> {
    let id = item
        .get(KEY_ATTRIBUTE)
        .and_then(|v| v.as_s().ok())
        .and_then(|s| SessionId::parse(s))
        .ok_or(MalformedItem(KEY_ATTRIBUTE))?;
    let data = item
        .get(PROJECT_DATA)
        .and_then(|v| v.as_m().ok())
        .ok_or(MalformedItem(PROJECT_DATA))?;
    let project_data = data
        .iter()
        .filter_map(|(name, value)| Some((Field::from_name(name)?, attribute_to_field(value)?)))
        .collect::<ProjectData>();
    let completed_steps = item
        .get(COMPLETED_STEPS)
        .and_then(|v| v.as_l().ok())
        .ok_or(MalformedItem(COMPLETED_STEPS))?
        .iter()
        .map(|v| v.as_n().ok().and_then(|s| s.parse().ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or(MalformedItem(COMPLETED_STEPS))?;
    Ok(Session {
        id,
        project_data,
        current_step: number(item, CURRENT_STEP)?,
        completed_steps,
        created_at: epoch_millis(item, CREATED_AT)?,
        last_activity: epoch_millis(item, LAST_ACTIVITY)?,
        expires_at: epoch_seconds(item, TTL_ATTRIBUTE)?,
        max_expires_at: epoch_seconds(item, MAX_EXPIRES_AT)?,
        version: number(item, VERSION)?,
    })
}

/// One UpdateItem's expressions for a patch.
#[derive(Debug, PartialEq)]
pub struct UpdateExpression {
    pub update: String,
    pub condition: String,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

/// Sets only the `projectData.<field>` paths the patch names, so two tabs saving different
/// fields at once both keep their field. The condition makes a missing or expired session
/// fail instead of being revived as a half item.
pub fn update_expression(
    patch: &SessionPatch,
    now: DateTime<Utc>,
    policy: &ExpiryPolicy,
) -> UpdateExpression {
    let mut names = live_condition_names();
    names.insert("#lastActivity".into(), LAST_ACTIVITY.into());
    names.insert("#version".into(), VERSION.into());
    let mut values = HashMap::from([
        (":now".to_string(), n(now.timestamp())),
        (":nowMillis".to_string(), n(now.timestamp_millis())),
        (
            ":expiresAt".to_string(),
            n(policy.expires_at(now).timestamp()),
        ),
        (":one".to_string(), n(1)),
    ]);
    let mut set = vec![
        "#lastActivity = :nowMillis".to_string(),
        "#expiresAt = :expiresAt".to_string(),
    ];
    let mut remove = Vec::new();
    if let Some(step) = patch.current_step {
        names.insert("#currentStep".into(), CURRENT_STEP.into());
        values.insert(":currentStep".into(), n(step));
        set.push("#currentStep = :currentStep".into());
    }
    if let Some(done) = &patch.completed_steps {
        names.insert("#completedSteps".into(), COMPLETED_STEPS.into());
        values.insert(":completedSteps".into(), steps(done));
        set.push("#completedSteps = :completedSteps".into());
    }
    if !patch.project_data.is_empty() {
        names.insert("#projectData".into(), PROJECT_DATA.into());
    }
    for (field, value) in &patch.project_data {
        let name = field.name();
        names.insert(format!("#{name}"), name.to_string());
        match value {
            Some(v) => {
                values.insert(format!(":{name}"), field_to_attribute(v));
                set.push(format!("#projectData.#{name} = :{name}"));
            }
            None => remove.push(format!("#projectData.#{name}")),
        }
    }
    let mut update = format!("SET {} ADD #version :one", set.join(", "));
    if !remove.is_empty() {
        update.push_str(&format!(" REMOVE {}", remove.join(", ")));
    }
    let mut condition = LIVE_CONDITION.to_string();
    for (i, expected) in patch.expected_versions.iter().enumerate() {
        values.insert(format!(":expectedVersion{i}"), n(expected));
        condition.push_str(&format!(" AND #version = :expectedVersion{i}"));
    }
    UpdateExpression {
        update,
        condition,
        names,
        values,
    }
}

/// Why a conditional write failed, told from the item DynamoDB returned with the failure.
fn condition_failure(
    item: Option<&HashMap<String, AttributeValue>>,
    now: DateTime<Utc>,
    expected_versions: &BTreeSet<u64>,
) -> StoreError {
    let Some(item) = item else {
        return StoreError::NotFound;
    };
    match (live_until(item), number::<u64>(item, VERSION)) {
        (Ok(at), _) if is_expired(at, now) => StoreError::Expired,
        (Ok(_), Ok(current)) if expected_versions.iter().any(|v| *v != current) => {
            StoreError::VersionMismatch { current }
        }
        // An item without a live expiry or version is not one of ours: treat it as gone.
        _ => StoreError::Expired,
    }
}

impl StoreCreate for DynamoStore {
    async fn create(&self, session: &Session, token: &CreateToken) -> Result<Session, StoreError> {
        let mut item = session_to_item(session);
        item.insert(
            CREATE_TOKEN.to_string(),
            AttributeValue::S(token.as_str().to_string()),
        );
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
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
            Some(stored) if stored_token(stored) == Some(token.as_str()) => {
                Ok(item_to_session(stored)?)
            }
            _ => Err(StoreError::AlreadyExists),
        }
    }
}

fn stored_token(item: &HashMap<String, AttributeValue>) -> Option<&str> {
    item.get(CREATE_TOKEN)?.as_s().ok().map(String::as_str)
}

impl StoreGet for DynamoStore {
    async fn get(&self, id: SessionId, now: DateTime<Utc>) -> Result<Session, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
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
            .client
            .update_item()
            .table_name(&self.table)
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
                Some(aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(e)) => {
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
            .client
            .delete_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, key(id))
            .condition_expression(LIVE_CONDITION)
            .set_expression_attribute_names(Some(live_condition_names()))
            .expression_attribute_values(":now", n(now.timestamp()))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(aws_sdk_dynamodb::operation::delete_item::DeleteItemError::ConditionalCheckFailedException(e)) => {
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
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map(|_| ())
            .map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NewSession;
    use chrono::Duration;

    fn policy() -> ExpiryPolicy {
        ExpiryPolicy::default()
    }

    #[test]
    fn the_bundled_trust_store_holds_amazons_five_roots() {
        use aws_smithy_http_client::tls::{TlsContext, TrustStore};
        let pem = std::str::from_utf8(AMAZON_ROOT_CAS).unwrap();
        assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        assert_eq!(pem.matches("-----END CERTIFICATE-----").count(), 5);
        let store = TrustStore::empty().with_pem_certificate(AMAZON_ROOT_CAS);
        assert!(TlsContext::builder()
            .with_trust_store(store)
            .build()
            .is_ok());
    }

    #[test]
    fn a_session_survives_the_round_trip_through_an_item() {
        let now = DateTime::from_timestamp_millis(1_800_000_000_123).unwrap();
        let session = NewSession {
            project_data: [
                (Field::ProjectName, FieldValue::Text("Tower".into())),
                (
                    Field::SquareFootage,
                    FieldValue::Number(Number::from_f64(1200.25).unwrap()),
                ),
                (Field::NumberOfFloors, FieldValue::Number(12.into())),
            ]
            .into(),
            current_step: Some(2),
            completed_steps: Some(vec![1]),
        }
        .into_session(SessionId::generate(), now, &policy());
        let item = session_to_item(&session);
        assert_eq!(item[TTL_ATTRIBUTE], AttributeValue::N("1800086400".into()));
        assert_eq!(item_to_session(&item).unwrap(), session);
    }

    #[test]
    fn an_update_sets_only_the_named_fields_and_removes_nulls() {
        let patch = SessionPatch {
            project_data: [
                (Field::ProjectName, Some(FieldValue::Text("A".into()))),
                (Field::Budget, None),
            ]
            .into(),
            expected_versions: [3].into(),
            ..Default::default()
        };
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let e = update_expression(&patch, now, &policy());
        assert_eq!(
            e.update,
            "SET #lastActivity = :nowMillis, #expiresAt = :expiresAt, \
             #projectData.#projectName = :projectName ADD #version :one \
             REMOVE #projectData.#budget"
        );
        assert_eq!(
            e.condition,
            "attribute_exists(#sessionId) AND #expiresAt > :now AND #maxExpiresAt > :now \
             AND #version = :expectedVersion0"
        );
        assert_eq!(
            e.values[":expiresAt"],
            AttributeValue::N("1800086400".into())
        );
        assert!(!e.names.contains_key("#currentStep"));
    }

    #[test]
    fn a_failed_condition_tells_missing_expired_and_stale_apart() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut session = NewSession::default().into_session(SessionId::generate(), now, &policy());
        session.version = 4;
        let live = session_to_item(&session);
        assert!(matches!(
            condition_failure(None, now, &BTreeSet::new()),
            StoreError::NotFound
        ));
        assert!(matches!(
            condition_failure(Some(&live), now, &[3].into()),
            StoreError::VersionMismatch { current: 4 }
        ));
        let later = now + Duration::seconds(86_400);
        assert!(matches!(
            condition_failure(Some(&live), later, &[3].into()),
            StoreError::Expired
        ));
    }
}

/// Records the name of every DynamoDB operation a client sends (`GetItem`, `UpdateItem`, ...),
/// so tests and the benchmark count requests instead of assuming them.
#[derive(Clone, Debug, Default)]
pub struct OperationLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl OperationLog {
    /// `client`, sending through this log.
    pub fn attach(&self, client: &Client) -> Client {
        Client::from_conf(
            client
                .config()
                .to_builder()
                .interceptor(self.clone())
                .build(),
        )
    }

    /// The operations recorded since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Intercept for OperationLog {
    fn name(&self) -> &'static str {
        "OperationLog"
    }

    // Not `read_before_execution`: a client interceptor runs that before the operation's
    // metadata is in the config bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(metadata.name().to_string());
        }
        Ok(())
    }
}

//! Which DynamoDB operations a client sends, recorded by an SDK interceptor: so that the
//! template test counts requests instead of assuming them.

use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// Records the name of every operation a client sends (`GetItem`, `UpdateItem`, ...).
#[derive(Clone, Debug, Default)]
pub struct OperationLog(Arc<Mutex<Vec<String>>>);

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
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
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
                .unwrap_or_else(PoisonError::into_inner)
                .push(metadata.name().to_string());
        }
        Ok(())
    }
}

//! `:now` as each attempt is sent. The SDK retries a write with the request it serialized once,
//! up to 5 s earlier; a condition that asks "is this draft live at `:now`" must not let a late
//! retry revive a draft that expired meanwhile. So every attempt's `:now` is the time it is
//! signed. The other times a write stores (`lastActivity`, the new expiry) may stay those of
//! the first attempt: seconds apart, and never later than the truth.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use chrono::Utc;
use serde_json::{json, Value};

#[derive(Debug)]
pub(super) struct FreshNow;

impl Intercept for FreshNow {
    fn name(&self) -> &'static str {
        "FreshNow"
    }

    // Called once per attempt, on the request as serialized (changes of earlier attempts are
    // not carried over), before it is signed.
    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let Some(body) = request.body().bytes() else {
            return Ok(());
        };
        let Some(fresh) = with_fresh_now(body, Utc::now().timestamp())? else {
            return Ok(());
        };
        request
            .headers_mut()
            .insert("content-length", fresh.len().to_string());
        *request.body_mut() = fresh.into();
        Ok(())
    }
}

/// The request body with `:now` set to `now`, or `None` when it has no `:now`.
fn with_fresh_now(body: &[u8], now: i64) -> Result<Option<Vec<u8>>, BoxError> {
    const NAME: &[u8] = b"\":now\"";
    if !body.windows(NAME.len()).any(|w| w == NAME) {
        return Ok(None);
    }
    let mut request: Value = serde_json::from_slice(body)?;
    let Some(values) = request
        .get_mut("ExpressionAttributeValues")
        .and_then(Value::as_object_mut)
        .filter(|values| values.contains_key(":now"))
    else {
        return Ok(None);
    };
    values.insert(":now".into(), json!({ "N": now.to_string() }));
    Ok(Some(serde_json::to_vec(&request)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_now_changes_in_a_write_that_has_it() {
        let body =
            br#"{"TableName":"t","ExpressionAttributeValues":{":now":{"N":"1"},":one":{"N":"1"}}}"#;
        let fresh: Value =
            serde_json::from_slice(&with_fresh_now(body, 42).unwrap().unwrap()).unwrap();
        assert_eq!(
            fresh,
            json!({"TableName": "t", "ExpressionAttributeValues": {":now": {"N": "42"}, ":one": {"N": "1"}}})
        );
        assert_eq!(with_fresh_now(br#"{"TableName":"t"}"#, 42).unwrap(), None);
    }
}

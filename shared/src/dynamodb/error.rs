//! DynamoDB's failures as the ports' `StoreError`: the SDK's errors by kind, and a failed
//! write condition by the item DynamoDB returned with it.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::item::{is_deleted, is_owned_by, live_until, number, VERSION};
use crate::domain::{is_expired, Owner};
use crate::store::StoreError;

/// Transient failures (network, timeouts, throttling, DynamoDB's own 5xx) are `Unavailable`
/// so clients are told to retry; anything else is a bug or a misconfiguration.
pub(super) fn store_error<E>(err: SdkError<E>) -> StoreError
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

/// Why a conditional write failed, told from the item DynamoDB returned with the failure.
/// `now` must be taken after the reply: no earlier than any attempt's `:now` (`fresh_now`).
pub(super) fn condition_failure(
    item: Option<&HashMap<String, AttributeValue>>,
    owner: Option<&Owner>,
    now: DateTime<Utc>,
    accepts_version: impl Fn(u64) -> bool,
) -> StoreError {
    // Another owner's draft is told apart from no draft by nothing, not even its version.
    let Some(item) = item.filter(|item| !is_deleted(item) && is_owned_by(item, owner)) else {
        return StoreError::NotFound;
    };
    match (live_until(item), number::<u64>(item, VERSION)) {
        (Ok(at), _) if is_expired(at, now) => StoreError::Expired,
        (Ok(_), Ok(current)) if !accepts_version(current) => {
            StoreError::VersionMismatch { current }
        }
        // Live, at an accepted version, and still refused: a condition this function does not
        // explain. Not a 404 that would send a client off to make a new draft.
        (Ok(_), Ok(_)) => StoreError::Failed("a live draft failed the write's condition".into()),
        // An item without a live expiry or version is not one of ours: treat it as gone.
        _ => StoreError::Expired,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ExpiryPolicy, NewSession, SessionId};
    use crate::dynamodb::session_to_item;
    use chrono::Duration;

    #[test]
    fn a_failed_condition_tells_missing_expired_and_stale_apart() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut session = NewSession::default().into_session(
            SessionId::generate(),
            now,
            &ExpiryPolicy::default(),
        );
        session.version = 4;
        let live = session_to_item(&session);
        assert!(matches!(
            condition_failure(None, None, now, |_| true),
            StoreError::NotFound
        ));
        assert!(matches!(
            condition_failure(Some(&live), None, now, |v| v == 3),
            StoreError::VersionMismatch { current: 4 }
        ));
        let later = now + Duration::seconds(86_400);
        assert!(matches!(
            condition_failure(Some(&live), None, later, |v| v == 3),
            StoreError::Expired
        ));
        // Another owner's draft, or an owned one in anonymous mode: as if there were none.
        let mut owned = session.clone();
        owned.owner = crate::domain::Owner::parse("someone");
        let owned = session_to_item(&owned);
        let me = crate::domain::Owner::parse("me");
        for owner in [None, me.as_ref()] {
            assert!(matches!(
                condition_failure(Some(&owned), owner, now, |v| v == 3),
                StoreError::NotFound
            ));
        }
    }
}

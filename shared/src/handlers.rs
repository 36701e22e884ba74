//! One handler per verb. Each takes only the store capability it needs, so handler logic
//! runs against `MemoryStore` in unit tests and against DynamoDB in the functions.

use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{json, Map, Value};

use crate::api::{
    caller, idempotency_key, if_match, json_body, json_response, page_limit, page_start,
    page_token, path_session_id, require_method, required_path_session_id, set_etag, timestamp,
    ApiError,
};
use crate::config::AuthMode;
use crate::config::Config;
use crate::decode::{decode_new_session, decode_update};
use crate::domain::{CreateToken, Field, Session, SessionId, FIRST_STEP, LAST_STEP};
use crate::observe::{count_event, log_session_tag, Event};
use crate::store::{
    Store, StoreCreate, StoreDelete, StoreError, StoreGet, StoreList, StorePing, StoreUpdate,
};
use crate::Verb;

/// `verb`'s handler, as its function's `main.rs` serves it: for the tests and tools that run
/// every verb in one process (a function links only its own handler; this is never built into
/// one, being generic and called by none).
pub async fn handle(
    verb: Verb,
    store: &impl Store,
    config: &Config,
    req: Request,
) -> Response<Body> {
    match verb {
        Verb::CreateSession => create_session(store, config, req).await,
        Verb::GetSession => get_session(store, config, req).await,
        Verb::UpdateSession => update_session(store, config, req).await,
        Verb::DeleteSession => delete_session(store, config, req).await,
        Verb::ListSessions => list_sessions(store, config, req).await,
        Verb::Health => health(store, req).await,
    }
}

fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(ApiError::into_response)
}

/// `POST /project-session`. In owned mode the store also lists the caller's drafts, for the
/// per-owner cap.
pub async fn create_session(
    store: &(impl StoreCreate + StoreList),
    config: &Config,
    req: Request,
) -> Response<Body> {
    respond(create(store, config, &req).await)
}

async fn create(
    store: &(impl StoreCreate + StoreList),
    config: &Config,
    req: &Request,
) -> Result<Response<Body>, ApiError> {
    require_method(req, "POST")?;
    let owner = caller(req, config.auth)?;
    let key = idempotency_key(req)?;
    let body = json_body(req)?;
    let new = decode_new_session(body)?;
    let (id, token) = match &key {
        Some(key) => (
            key.session_id(owner.as_ref()),
            CreateToken::for_key(key, body),
        ),
        None => (SessionId::generate(), CreateToken::random()),
    };
    let mut session = new.into_session(id, Utc::now(), &config.policy);
    if let Some(owner) = &owner {
        // Counted first, so not exact under parallel creates (docs/stack.md, "Owned drafts"); a repeat
        // of a create that made one of them is no new draft. The count stops at the cap, newest
        // first: a repeat is among those unless parallel creates overshot the cap since.
        let cap = config.max_drafts_per_owner;
        let live = store
            .live_ids(owner, session.created_at, cap as usize)
            .await?;
        if !live.contains(&id) && live.len() >= cap as usize {
            return Err(ApiError::TooManyDrafts { cap });
        }
    }
    session.owner = owner;
    let stored = store
        .create(&session, &token)
        .await
        .map_err(|e| match (e, &key) {
            (StoreError::AlreadyExists, Some(_)) => ApiError::IdempotencyKeyReused,
            (e, _) => e.into(),
        })?;
    // A repeat answers as the first create did, with the draft as it is now.
    let mut response = json_response(
        StatusCode::CREATED,
        &json!({ "sessionId": stored.id.to_string(), "expiresAt": timestamp(stored.live_until()) }),
    );
    set_etag(&mut response, stored.version);
    log_session_tag(&mut response, stored.id);
    if stored.created_at == session.created_at {
        count_event(&mut response, Event::Created);
    }
    Ok(response)
}

/// `GET /project-session/{sessionId}`. Reads never slide the expiry.
pub async fn get_session(store: &impl StoreGet, config: &Config, req: Request) -> Response<Body> {
    respond(get(store, config, &req).await)
}

async fn get(
    store: &impl StoreGet,
    config: &Config,
    req: &Request,
) -> Result<Response<Body>, ApiError> {
    require_method(req, "GET")?;
    let owner = caller(req, config.auth)?;
    let id = required_path_session_id(req)?;
    let session = store.get(id, owner.as_ref(), Utc::now()).await?;
    let mut response = json_response(StatusCode::OK, &session_json(&session));
    set_etag(&mut response, session.version);
    log_session_tag(&mut response, id);
    Ok(response)
}

/// The session as the original design returns it, timestamps in RFC 3339 UTC.
pub fn session_json(session: &Session) -> Value {
    let data: Map<String, Value> = session
        .project_data
        .iter()
        .map(|(field, value)| (field.name().to_string(), value.to_json()))
        .collect();
    let mut body = json!({
        "sessionId": session.id.to_string(),
        "projectData": data,
        "currentStep": session.current_step,
        "completedSteps": session.completed_steps,
        "createdAt": timestamp(session.created_at),
        "lastActivity": timestamp(session.last_activity),
        "expiresAt": timestamp(session.live_until()),
        "version": session.version,
    });
    if !session.set_aside.is_empty() {
        body["setAside"] = json!(session.set_aside);
    }
    body
}

/// `PUT /project-session` (id in the body, as the original design sends it) and
/// `PUT /project-session/{sessionId}`.
pub async fn update_session(
    store: &impl StoreUpdate,
    config: &Config,
    req: Request,
) -> Response<Body> {
    respond(update(store, config, &req).await)
}

async fn update(
    store: &impl StoreUpdate,
    config: &Config,
    req: &Request,
) -> Result<Response<Body>, ApiError> {
    require_method(req, "PUT")?;
    let owner = caller(req, config.auth)?;
    let path_id = path_session_id(req)?;
    let if_match = if_match(req)?;
    let mut body = decode_update(json_body(req)?)?;
    let id = match (path_id, body.session_id) {
        (Some(path), Some(body)) if path != body => {
            return Err(ApiError::invalid_body([(
                "sessionId",
                "does not match the session id in the path",
            )]))
        }
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => return Err(ApiError::invalid_body([("sessionId", "is required")])),
    };
    // If-Match and expectedVersion must both hold: the version must be one the If-Match
    // list names and the one expectedVersion names.
    body.patch.if_match = if_match;
    let updated = store
        .update(id, owner.as_ref(), &body.patch, Utc::now(), &config.policy)
        .await?;
    let mut response = json_response(
        StatusCode::OK,
        &json!({ "success": true, "version": updated.version, "expiresAt": timestamp(updated.expires_at) }),
    );
    set_etag(&mut response, updated.version);
    log_session_tag(&mut response, id);
    count_event(&mut response, Event::Updated);
    Ok(response)
}

/// `DELETE /project-session/{sessionId}`
pub async fn delete_session(
    store: &impl StoreDelete,
    config: &Config,
    req: Request,
) -> Response<Body> {
    respond(delete(store, config, &req).await)
}

async fn delete(
    store: &impl StoreDelete,
    config: &Config,
    req: &Request,
) -> Result<Response<Body>, ApiError> {
    require_method(req, "DELETE")?;
    let owner = caller(req, config.auth)?;
    let id = required_path_session_id(req)?;
    let deleted = store.delete(id, owner.as_ref(), Utc::now()).await?;
    let mut response = json_response(StatusCode::OK, &json!({ "success": true }));
    log_session_tag(&mut response, id);
    count_event(&mut response, Event::Deleted);
    // The original design's `completed` metric: a draft cleared after every step was done.
    if (FIRST_STEP..=LAST_STEP).all(|step| deleted.completed_steps.contains(&step)) {
        count_event(&mut response, Event::Completed);
    }
    Ok(response)
}

/// `GET /project-sessions` (owned mode): the caller's live drafts, newest first, with what a
/// draft picker shows, a page at a time.
pub async fn list_sessions(
    store: &impl StoreList,
    config: &Config,
    req: Request,
) -> Response<Body> {
    respond(list(store, config, &req).await)
}

async fn list(
    store: &impl StoreList,
    config: &Config,
    req: &Request,
) -> Result<Response<Body>, ApiError> {
    require_method(req, "GET")?;
    // Anonymous drafts belong to no one: there is nobody's list to give.
    if config.auth == AuthMode::Anonymous {
        return Err(ApiError::RouteNotFound);
    }
    let owner = caller(req, config.auth)?.ok_or(ApiError::Unauthorized)?;
    let limit = page_limit(req)?;
    let start = page_start(req)?;
    let page = store
        .list(&owner, Utc::now(), start.as_ref(), limit)
        .await?;
    let drafts: Vec<Value> = page
        .drafts
        .iter()
        .map(|session| {
            let title = Field::TITLE
                .and_then(|field| Some((field.name(), session.project_data.get(&field)?)));
            let mut draft = json!({
                "sessionId": session.id.to_string(),
                "currentStep": session.current_step,
                "lastActivity": timestamp(session.last_activity),
                "expiresAt": timestamp(session.live_until()),
            });
            if let Some((name, value)) = title {
                draft[name] = value.to_json();
            }
            draft
        })
        .collect();
    let mut body = json!({ "drafts": drafts });
    if let Some(next) = &page.next {
        body["nextPageToken"] = json!(page_token(next));
    }
    Ok(json_response(StatusCode::OK, &body))
}

/// `GET /health`
pub async fn health(store: &impl StorePing, req: Request) -> Response<Body> {
    respond(check_health(store, &req).await)
}

async fn check_health(store: &impl StorePing, req: &Request) -> Result<Response<Body>, ApiError> {
    require_method(req, "GET")?;
    store.ping().await.map_err(ApiError::Unhealthy)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({ "status": "healthy", "dynamodb": "connected" }),
    ))
}

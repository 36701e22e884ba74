//! A proxy between a DynamoDB client and DynamoDB Local, for the tests and the benchmark: it
//! counts requests by operation, and can lose the reply of one, as a network does, so that the
//! SDK's retry of a write that already committed can be tested on a real socket.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What happens to the next request of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// DynamoDB gets the request and commits it; the client gets no reply (the connection is
    /// closed), as when a reply is lost on its way back.
    CommitThenDropReply,
    /// DynamoDB gets the request and commits it; the reply is held this long first, past the
    /// client's attempt timeout.
    CommitThenDelayReply(Duration),
    /// DynamoDB never gets the request; the connection is closed after this long.
    HoldThenDrop(Duration),
}

#[derive(Default)]
struct State {
    counts: HashMap<String, u64>,
    faults: HashMap<String, Fault>,
}

pub struct DynamoProxy {
    url: String,
    state: Arc<Mutex<State>>,
}

impl DynamoProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> Result<Self, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State::default()));
        let client: HttpClient<_, Full<Bytes>> =
            HttpClient::builder(TokioExecutor::new()).build_http();
        let (upstream, shared) = (Arc::<str>::from(upstream), state.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (client, state, upstream) = (client.clone(), shared.clone(), upstream.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        forward(req, client.clone(), state.clone(), upstream.clone())
                    });
                    // An error from the service closes the connection without a reply.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { url, state })
    }

    /// Where a client sends its requests instead of DynamoDB.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Applies `fault` to the next request of `operation` (`"PutItem"`, ...), once.
    pub fn fault_next(&self, operation: &str, fault: Fault) {
        self.lock().faults.insert(operation.to_string(), fault);
    }

    /// Requests seen since the last call, by operation.
    pub fn take_counts(&self) -> HashMap<String, u64> {
        std::mem::take(&mut self.lock().counts)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

async fn forward(
    req: Request<Incoming>,
    client: HttpClient<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    state: Arc<Mutex<State>>,
    upstream: Arc<str>,
) -> Result<Response<Full<Bytes>>, Error> {
    // `X-Amz-Target: DynamoDB_20120810.UpdateItem` names the operation.
    let operation = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("?")
        .to_string();
    let fault = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        *state.counts.entry(operation.clone()).or_insert(0) += 1;
        state.faults.remove(&operation)
    };
    if let Some(Fault::HoldThenDrop(hold)) = fault {
        tokio::time::sleep(hold).await;
        return Err("held, then dropped".into());
    }
    let (mut parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri = format!("{upstream}{path}").parse()?;
    let response = match client
        .request(Request::from_parts(parts, Full::new(body)))
        .await
    {
        Ok(response) => response,
        Err(_) => {
            let mut refused = Response::new(Full::new(Bytes::new()));
            *refused.status_mut() = StatusCode::BAD_GATEWAY;
            return Ok(refused);
        }
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await?.to_bytes();
    match fault {
        Some(Fault::CommitThenDropReply) => Err("committed, reply dropped".into()),
        Some(Fault::CommitThenDelayReply(delay)) => {
            tokio::time::sleep(delay).await;
            Ok(Response::from_parts(parts, Full::new(body)))
        }
        _ => Ok(Response::from_parts(parts, Full::new(body))),
    }
}

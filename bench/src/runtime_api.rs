//! A local Lambda Runtime API, one per function: `/2018-06-01/runtime/invocation/next`,
//! `.../response`, `.../error` and `/runtime/init/error`, with the request-id, deadline, ARN and
//! trace headers Lambda sends. Invocations are timed here, as Lambda times their duration: from
//! the event written in answer to `/next` to the response received.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use crate::{clock, Error};

struct Invocation {
    id: String,
    event: String,
    done: oneshot::Sender<Answer>,
}

/// A function's answer, timed at the Runtime API as Lambda times an invocation's duration:
/// from the event written in answer to `/next` to the response received.
pub struct Answer {
    pub outcome: Outcome,
    pub latency: Duration,
    /// When the response arrived (`clock::now`).
    pub received: Duration,
}

#[derive(Debug)]
pub enum Outcome {
    Response(Value),
    Error(String),
}

/// One function's Runtime API endpoint.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    queue: mpsc::UnboundedSender<Invocation>,
    /// When the process last asked for its first event: the end of its init.
    pub first_next: Arc<Mutex<Option<Duration>>>,
    pub init_error: Arc<Mutex<Option<String>>>,
}

struct Shared {
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>,
    pending: Mutex<HashMap<String, (oneshot::Sender<Answer>, Duration)>>,
    first_next: Arc<Mutex<Option<Duration>>>,
    init_error: Arc<Mutex<Option<String>>>,
    function: String,
}

impl RuntimeApi {
    pub async fn start(function: &str) -> Result<RuntimeApi, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (queue, receiver) = mpsc::unbounded_channel();
        let first_next = Arc::new(Mutex::new(None));
        let init_error = Arc::new(Mutex::new(None));
        let shared = Arc::new(Shared {
            queue: tokio::sync::Mutex::new(receiver),
            pending: Mutex::new(HashMap::new()),
            first_next: first_next.clone(),
            init_error: init_error.clone(),
            function: function.to_string(),
        });
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |req| runtime_route(shared.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            addr,
            queue,
            first_next,
            init_error,
        })
    }

    /// Hands `event` to the function and waits for its answer.
    pub async fn invoke(&self, event: String) -> Result<Outcome, Error> {
        Ok(self.invoke_timed(event).await?.outcome)
    }

    pub async fn invoke_timed(&self, event: String) -> Result<Answer, Error> {
        Self::answer(self.submit(event)?).await
    }

    /// Queues `event` for the function's next `/next`: before a cold process starts, so that
    /// the harness's queueing is never inside a cold start.
    pub fn submit(&self, event: String) -> Result<oneshot::Receiver<Answer>, Error> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = format!("bench-{:012}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Invocation { id, event, done })
            .map_err(|_| "runtime queue closed")?;
        Ok(answer)
    }

    pub async fn answer(answer: oneshot::Receiver<Answer>) -> Result<Answer, Error> {
        Ok(tokio::time::timeout(Duration::from_secs(60), answer).await??)
    }

    pub fn reset(&self) {
        *self.first_next.lock().unwrap() = None;
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

async fn runtime_route(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    Ok(match (method, segments.as_slice()) {
        (Method::GET, ["2018-06-01", "runtime", "invocation", "next"]) => {
            shared
                .first_next
                .lock()
                .unwrap()
                .get_or_insert_with(clock::now);
            let next = shared.queue.lock().await.recv().await;
            let Some(invocation) = next else {
                return Ok(reply(StatusCode::GONE, ""));
            };
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis()
                + 8_000;
            let mut response = reply(StatusCode::OK, invocation.event);
            let headers = response.headers_mut();
            headers.insert(
                "lambda-runtime-aws-request-id",
                invocation.id.parse().unwrap(),
            );
            headers.insert(
                "lambda-runtime-deadline-ms",
                deadline.to_string().parse().unwrap(),
            );
            headers.insert(
                "lambda-runtime-invoked-function-arn",
                format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{}",
                    shared.function
                )
                .parse()
                .unwrap(),
            );
            headers.insert(
                "lambda-runtime-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
                    .parse()
                    .unwrap(),
            );
            headers.insert("content-type", "application/json".parse().unwrap());
            // Timed from here, not from `invoke`: the harness's own queueing is not the function's.
            shared
                .pending
                .lock()
                .unwrap()
                .insert(invocation.id, (invocation.done, clock::now()));
            response
        }
        (
            Method::POST,
            ["2018-06-01", "runtime", "invocation", id, kind @ ("response" | "error")],
        ) => {
            let done = shared.pending.lock().unwrap().remove(*id);
            if let Some((done, delivered)) = done {
                let received = clock::now();
                let outcome = if *kind == "response" {
                    Outcome::Response(serde_json::from_slice(&body).unwrap_or(Value::Null))
                } else {
                    Outcome::Error(String::from_utf8_lossy(&body).into_owned())
                };
                let _ = done.send(Answer {
                    outcome,
                    latency: received - delivered,
                    received,
                });
            }
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        (Method::POST, ["2018-06-01", "runtime", "init", "error"]) => {
            *shared.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
            reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        _ => reply(StatusCode::NOT_FOUND, ""),
    })
}

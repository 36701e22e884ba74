//! A proxy between a DynamoDB client and DynamoDB Local, for the tests and the benchmark: it
//! counts requests by operation, and can lose the reply of one, as a network does, so that the
//! SDK's retry of a write that already committed can be tested on a real socket. Started with
//! `start_tls`, it is an HTTPS endpoint, as DynamoDB is in AWS, signed by a `LocalCa` that a
//! client trusts through `DYNAMODB_EXTRA_CA_FILE`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

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

/// A certificate authority made for one run, with the chain it signs for 127.0.0.1 and
/// localhost: root, intermediate and server certificate, the shape of an AWS endpoint's chain.
pub struct LocalCa {
    root_pem: String,
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: Vec<u8>,
}

impl LocalCa {
    /// With ECDSA P-256 keys it makes itself.
    pub fn generate() -> Result<Self, Error> {
        let key = || rcgen::KeyPair::generate().map_err(Error::from);
        Self::chain([key()?, key()?, key()?])
    }

    /// With the RSA keys given (PKCS#8 PEM: root, intermediate, server), as AWS's endpoints
    /// use: ring signs with RSA keys but cannot make them.
    pub fn with_rsa_keys(pems: [&str; 3]) -> Result<Self, Error> {
        let key = |pem: &str| {
            rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256)
                .map_err(Error::from)
        };
        Self::chain([key(pems[0])?, key(pems[1])?, key(pems[2])?])
    }

    fn chain([root_key, intermediate_key, server_key]: [rcgen::KeyPair; 3]) -> Result<Self, Error> {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyUsagePurpose,
        };
        let authority = |name: &str| -> Result<CertificateParams, Error> {
            let mut params = CertificateParams::new(Vec::<String>::new())?;
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            params
                .distinguished_name
                .push(DnType::CommonName, format!("project-session local {name}"));
            Ok(params)
        };
        let root = CertifiedIssuer::self_signed(authority("root CA")?, root_key)?;
        let intermediate =
            CertifiedIssuer::signed_by(authority("intermediate CA")?, intermediate_key, &root)?;
        let server =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?
                .signed_by(&server_key, &intermediate)?;
        Ok(Self {
            root_pem: root.pem(),
            chain: vec![server.der().clone(), intermediate.der().clone()],
            key: server_key.serialize_der(),
        })
    }

    /// The root certificate, PEM: what a client adds to the roots it trusts.
    pub fn root_pem(&self) -> &str {
        &self.root_pem
    }

    fn acceptor(&self) -> Result<TlsAcceptor, Error> {
        use rustls::crypto::ring::{cipher_suite, default_provider};
        // AES-128-GCM first, as AWS's endpoints choose it, whatever the client prefers.
        let mut provider = default_provider();
        provider
            .cipher_suites
            .sort_by_key(|suite| suite.suite() != cipher_suite::TLS13_AES_128_GCM_SHA256.suite());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.key.clone().into());
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config.ignore_client_order = true;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

impl DynamoProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream` (`http://host:port`).
    pub async fn start(upstream: &str) -> Result<Self, Error> {
        Self::listen(upstream, None).await
    }

    /// As `start`, over HTTPS with a certificate `ca` signs: `url()` is `https://127.0.0.1:PORT`.
    pub async fn start_tls(upstream: &str, ca: &LocalCa) -> Result<Self, Error> {
        Self::listen(upstream, Some(ca.acceptor()?)).await
    }

    async fn listen(upstream: &str, tls: Option<TlsAcceptor>) -> Result<Self, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State::default()));
        // No Nagle on either leg: a TLS handshake's small writes would wait for delayed ACKs.
        let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
        connector.set_nodelay(true);
        let client: HttpClient<_, Full<Bytes>> =
            HttpClient::builder(TokioExecutor::new()).build(connector);
        let (upstream, shared) = (Arc::<str>::from(upstream), state.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let (client, state, upstream) = (client.clone(), shared.clone(), upstream.clone());
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => serve(stream, client, state, upstream).await,
                        Some(tls) => {
                            if let Ok(stream) = tls.accept(stream).await {
                                serve(stream, client, state, upstream).await;
                            }
                        }
                    }
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

type Upstream = HttpClient<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn serve(
    io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    client: Upstream,
    state: Arc<Mutex<State>>,
    upstream: Arc<str>,
) {
    let service = hyper::service::service_fn(move |req| {
        forward(req, client.clone(), state.clone(), upstream.clone())
    });
    // An error from the service closes the connection without a reply.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .await;
}

async fn forward(
    req: Request<Incoming>,
    client: Upstream,
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

//! `warden serve`: the GuardDuty REST-JSON API over Warden's findings store, so the AWS CLI,
//! the SDKs, Terraform and SIEM connectors work by changing only the endpoint.
//!
//! Every request goes through the same steps: read the body (bounded), verify its AWS
//! Signature Version 4 against the configured access keys (`auth`), route it by method and
//! path to one of the 103 operations of the service model and validate its input against the
//! operation's shape (`model`), then run the operation on the store (`service`, `ops`). Errors
//! at any step are AWS-shaped 4xx answers (`error`); nothing a client sends can crash the
//! server.

pub mod auth;
pub mod error;
pub mod findings;
pub mod keys;
pub mod model;
pub mod ops;
pub mod publish;
pub mod service;

use crate::auth::{KeyLookup, VerifyConfig};
use crate::error::ApiError;
use crate::model::ServiceModel;
use crate::service::{Caller, Ctx, Service};
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};
use warden_store::SqliteStore;

/// `warden serve` settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The data directory shared with `warden scan`.
    pub data_dir: PathBuf,
    /// Address to listen on. Defaults to loopback; expose it deliberately.
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes (GuardDuty's requests are small).
    pub max_body_bytes: usize,
    /// Regions accepted in signatures; `None` accepts any (each region is separate, as in AWS).
    pub regions: Option<Vec<String>>,
    /// How often publishing destinations receive new and updated findings.
    pub publish_interval: std::time::Duration,
    /// A client must send its whole request line and headers within this time, or the
    /// connection is closed: a client that connects and sends nothing (slowloris) holds a
    /// connection for this long at most.
    pub header_read_timeout: std::time::Duration,
    /// A client must send its whole body within this time (after the headers), or it gets 408
    /// `RequestTimeoutException` and the connection is closed, so a trickled body cannot hold
    /// a connection open indefinitely.
    pub body_read_timeout: std::time::Duration,
    /// Where publishing destinations' objects go; `None`: the process environment's
    /// credentials, region and `AWS_ENDPOINT_URL_S3`, read at each upload.
    pub publish_s3: Option<warden_intel::load::S3Settings>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            data_dir: PathBuf::from("warden-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8180)),
            max_body_bytes: 1 << 20,
            regions: None,
            publish_interval: std::time::Duration::from_secs(60),
            header_read_timeout: std::time::Duration::from_secs(30),
            body_read_timeout: std::time::Duration::from_secs(30),
            publish_s3: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] warden_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
    #[error("loading findings: {0}")]
    Load(String),
}

/// The shared state of a running server.
pub struct App {
    model: ServiceModel,
    service: Mutex<Service>,
    keys: keys::StoreKeys,
    verify: VerifyConfig,
    max_body_bytes: usize,
    body_read_timeout: std::time::Duration,
}

impl App {
    pub fn open(config: &ServerConfig) -> Result<Arc<App>, ServeError> {
        Self::open_with_keys(config, Vec::new())
    }

    /// Open with keys from the configuration in addition to those in the data directory.
    pub fn open_with_keys(
        config: &ServerConfig,
        configured: Vec<auth::AccessKey>,
    ) -> Result<Arc<App>, ServeError> {
        let store = SqliteStore::open(&config.data_dir)?;
        let keys = keys::StoreKeys::open(&config.data_dir)?.with_configured(configured);
        let mut service = Service::new(store);
        // Load the findings now rather than on the first request.
        service
            .findings
            .refresh(&service.store)
            .map_err(|e| ServeError::Load(e.to_string()))?;
        Ok(Arc::new(App {
            model: ServiceModel::load(),
            service: Mutex::new(service),
            keys,
            verify: VerifyConfig {
                allowed_regions: config.regions.clone(),
                ..VerifyConfig::default()
            },
            max_body_bytes: config.max_body_bytes,
            body_read_timeout: config.body_read_timeout,
        }))
    }

    /// Handle one request end to end (authentication, routing, validation, the operation).
    pub fn handle(&self, parts: &http::request::Parts, body: &[u8]) -> Response {
        let started = Instant::now();
        let request_id = new_request_id();
        let result = self.answer(parts, body);
        let (status, op) = match &result {
            Ok((op, r)) => (r.status().as_u16(), *op),
            Err((op, e)) => (e.status, *op),
        };
        tracing::info!(
            method = %parts.method,
            path = %parts.uri.path(),
            op = op.unwrap_or("-"),
            status,
            request_id = %request_id,
            micros = started.elapsed().as_micros() as u64,
            "request"
        );
        let resp = match result {
            Ok((_, r)) => r,
            Err((_, e)) => e.into_response(),
        };
        with_request_id(resp, &request_id)
    }

    #[allow(clippy::type_complexity)]
    fn answer<'a>(
        &'a self,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Result<(Option<&'a str>, Response), (Option<&'a str>, ApiError)> {
        let caller = auth::verify(parts, body, SystemTime::now(), &self.verify, &self.keys)
            .map_err(|e| (None, ApiError::new(e.status(), e.aws_code(), e.to_string())))?;
        let routed = self
            .model
            .route(parts.method.as_str(), parts.uri.path())
            .map_err(|e| (None, e))?;
        let op = routed.op.name.as_str();
        let query = parse_query(parts.uri.query().unwrap_or(""));
        let input = self
            .model
            .input(&routed, &query, body)
            .map_err(|e| (Some(op), e))?;
        let caller = Caller {
            account_id: caller.account_id,
            region: caller.region,
            role: caller.role,
        };
        let ctx = Ctx {
            caller: &caller,
            input: &input,
            now_ms: warden_model::time::now_millis(),
        };
        let value = {
            let mut svc = self.service.lock().map_err(|_| {
                (
                    Some(op),
                    ApiError::internal("the service state is poisoned"),
                )
            })?;
            svc.call(op, &ctx).map_err(|e| (Some(op), e))?
        };
        let code = StatusCode::from_u16(routed.op.response_code).unwrap_or(StatusCode::OK);
        let resp = if code == StatusCode::NO_CONTENT {
            code.into_response()
        } else {
            (
                code,
                [(http::header::CONTENT_TYPE, "application/json")],
                strip_empty_tokens(value).to_string(),
            )
                .into_response()
        };
        Ok((Some(op), resp))
    }
}

/// A request id in AWS's form (a random UUID v4).
fn new_request_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// AWS answers every request, errors included, with `x-amzn-RequestId`: botocore reports it as
/// `ResponseMetadata.RequestId` (code that logs it fails with a `KeyError` when it is missing),
/// and the same id in the server's request log line ties a client's error to the log.
fn with_request_id(mut resp: Response, request_id: &str) -> Response {
    if let Ok(v) = http::HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-RequestId", v);
    }
    resp
}

/// GuardDuty omits an empty `nextToken`; the CLI stops paging on either.
fn strip_empty_tokens(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(o) = v.as_object_mut()
        && o.get("nextToken").and_then(|t| t.as_str()) == Some("")
    {
        o.remove("nextToken");
    }
    v
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

async fn handler(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    req: Request<Body>,
) -> Response {
    let resp = read_and_handle(app, req).await;
    // Answers refused before `App::handle` (size, timeout, unreadable body) carry a request id
    // too, as every AWS answer does.
    if resp.headers().contains_key("x-amzn-RequestId") {
        resp
    } else {
        with_request_id(resp, &new_request_id())
    }
}

async fn read_and_handle(app: Arc<App>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let too_large = || {
        ApiError::new(
            413,
            "RequestEntityTooLargeException",
            format!(
                "the request body exceeds the limit of {} bytes",
                app.max_body_bytes
            ),
        )
        .into_response()
    };
    // A declared length over the limit is refused before reading a byte of the body.
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_body_bytes as u64) {
        return too_large();
    }
    let bytes =
        match tokio::time::timeout(app.body_read_timeout, to_bytes(body, app.max_body_bytes)).await
        {
            Ok(Ok(b)) => b,
            Ok(Err(e)) => {
                // `to_bytes` fails for a body over the limit or one the client broke off
                // (a malformed chunk, a closed connection): only the first is the client's size.
                let e = e.into_inner();
                if e.is::<http_body_util::LengthLimitError>() {
                    return too_large();
                }
                return ApiError::bad_request(format!("the request body could not be read: {e}"))
                    .into_response();
            }
            Err(_) => {
                return ApiError::new(
                    408,
                    "RequestTimeoutException",
                    format!(
                        "the request body was not received within {} s",
                        app.body_read_timeout.as_secs_f64()
                    ),
                )
                .into_response();
            }
        };
    let app2 = app.clone();
    match tokio::task::spawn_blocking(move || app2.handle(&parts, &bytes)).await {
        Ok(r) => r,
        Err(_) => with_request_id(
            ApiError::internal("the request handler failed").into_response(),
            &new_request_id(),
        ),
    }
}

/// The axum router: every path goes to the one handler.
pub fn router(app: Arc<App>) -> axum::Router {
    axum::Router::new().fallback(handler).with_state(app)
}

/// Serve until Ctrl-C (or `shutdown` resolves).
pub async fn serve(
    config: &ServerConfig,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: config.listen,
            source,
        })?;
    serve_on(listener, config, app, shutdown).await
}

/// Serve on an already bound listener (tests bind port 0 and read the address first).
///
/// The accept loop is written out rather than `axum::serve` because hyper's header read
/// timeout only works with a timer, which `axum::serve` does not set: without it a client
/// that opens a connection and sends nothing would hold it forever.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    config: &ServerConfig,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let local = listener.local_addr()?;
    publish::spawn_exporter(
        config.data_dir.clone(),
        config.publish_interval,
        config.publish_s3.clone(),
    );
    tracing::info!(addr = %local, "warden serve listening");
    eprintln!("warden serve: listening on http://{local}");
    let service = TowerToHyperService::new(router(app));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: keep serving
                    // the others, after a pause so a persistent error does not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let conn = http.serve_connection(TokioIo::new(stream), service.clone());
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(peer = %peer, error = %e, "connection ended with an error");
            }
        });
    }
    // Let requests in flight finish, but not wait on idle or stalled clients for long.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), graceful.shutdown()).await;
    Ok(())
}

impl KeyLookup for keys::StoreKeys {
    fn lookup(&self, access_key_id: &str) -> Option<auth::AccessKey> {
        self.get(access_key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer, an error included, carries a distinct `x-amzn-RequestId` (found missing by
    /// boto3: `ResponseMetadata` had no `RequestId`).
    #[test]
    fn every_answer_has_a_request_id() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open_with_keys(
            &ServerConfig {
                data_dir: dir.path().to_path_buf(),
                ..ServerConfig::default()
            },
            Vec::new(),
        )
        .unwrap();
        let (parts, _) = Request::get("/detector").body(()).unwrap().into_parts();
        let ids: Vec<String> = (0..2)
            .map(|_| {
                let resp = app.handle(&parts, b"");
                assert_eq!(resp.status(), 403);
                assert_eq!(
                    resp.headers()["x-amzn-ErrorType"],
                    "MissingAuthenticationTokenException"
                );
                resp.headers()["x-amzn-RequestId"]
                    .to_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for id in &ids {
            let groups: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
            assert_eq!(&id[14..15], "4", "version 4: {id}");
        }
        assert_ne!(ids[0], ids[1]);
    }
}

//! `warden serve` over a real TCP socket, with hostile requests (issue 5): every bad request
//! gets an AWS-shaped 4xx (`x-amzn-ErrorType` + JSON `{"message", "__type"}`), never a 5xx,
//! never a crash, and the server keeps answering other clients. Requests are written as raw
//! bytes so the tests can send what no HTTP client library would (non-UTF-8 paths, lying
//! Content-Length, unterminated chunked bodies, garbage request lines).
//!
//! Also: the publishing exporter against moto's S3-compatible server (skipped with a message
//! when moto is not installed; CI installs it, see `.ci/run`).

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};
use warden_server::auth::AccessKey;
use warden_server::{App, ServerConfig};

const REGION: &str = "us-east-1";
/// The shared server's body limit (small, so oversized bodies are cheap to send).
const LIMIT: usize = 64 * 1024;
/// Safety net so a broken server fails a test instead of hanging it (not a timing assertion).
const IO_TIMEOUT: Duration = Duration::from_secs(60);

struct TestServer {
    addr: SocketAddr,
    data_dir: std::path::PathBuf,
}

/// Key `n` belongs to its own account, so tests that create detectors do not collide.
fn key(n: usize) -> AccessKey {
    AccessKey {
        access_key_id: format!("AKIDHTTPTEST{n:04}"),
        secret_access_key: format!("secret/{n}+for-tests"),
        account_id: format!("{:012}", 100_000_000_000u64 + n as u64),
        session_token: None,
        role: warden_server::auth::KeyRole::Member,
    }
}

fn start(config: ServerConfig) -> TestServer {
    let keys = (0..64).map(key).collect();
    let app = App::open_with_keys(&config, keys).expect("open the app");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let data_dir = config.data_dir.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            warden_server::serve_on(listener, &config, app, std::future::pending())
                .await
                .unwrap();
        });
    });
    TestServer { addr, data_dir }
}

fn test_dir() -> std::path::PathBuf {
    // Under target/tmp, not /tmp: the shared server lives as long as the test process.
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
        .keep()
}

/// One server for the hostile-request tests, with short timeouts and a small body limit.
fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        start(ServerConfig {
            data_dir: test_dir(),
            max_body_bytes: LIMIT,
            header_read_timeout: Duration::from_secs(2),
            body_read_timeout: Duration::from_secs(2),
            publish_interval: Duration::from_secs(24 * 3600),
            ..ServerConfig::default()
        })
    })
}

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {:?} {}", self, String::from_utf8_lossy(&self.body)))
    }
}

/// Assert an AWS-shaped error: status, `x-amzn-ErrorType`, and `{"message", "__type"}`.
#[track_caller]
fn assert_aws_error(r: &Resp, status: u16, code: &str) -> String {
    assert_eq!(
        r.status,
        status,
        "{r:?} {}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("x-amzn-ErrorType"), Some(code), "{r:?}");
    let v = r.json();
    assert_eq!(v["__type"], code, "{v}");
    let message = v["message"].as_str().expect("message is a string");
    assert!(!message.is_empty());
    message.to_string()
}

/// Parse one HTTP/1.x response from `raw` (Content-Length, chunked, or read-to-close body).
fn parse_response(raw: &[u8]) -> Option<Resp> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.split(' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let status: u16 = parts.next()?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let body = if let Some(n) = get("content-length") {
        let n: usize = n.parse().ok()?;
        // An answer to HEAD declares a length but carries no body.
        if rest.is_empty() {
            Vec::new()
        } else {
            rest.get(..n)?.to_vec()
        }
    } else if get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        let mut out = Vec::new();
        let mut rest = rest;
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?, 16).ok()?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(..size)?);
            rest = rest.get(size + 2..)?;
        }
        out
    } else {
        rest.to_vec()
    };
    Some(Resp {
        status,
        headers,
        body,
    })
}

/// Write `request` (ignoring a write error: the server may answer and close early, e.g. 413),
/// then read until the server closes. `None`: no parsable response.
fn exchange_at(addr: SocketAddr, request: &[u8]) -> Option<Resp> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    let _ = s.write_all(request);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

fn exchange(request: &[u8]) -> Option<Resp> {
    exchange_at(server().addr, request)
}

/// How a test request is signed.
#[derive(Clone, Debug)]
enum Auth {
    None,
    /// Sign with key `n`, at now + `skew_secs`.
    Key {
        n: usize,
        skew_secs: i64,
    },
    /// Sign with an arbitrary id/secret (unknown key, wrong secret).
    Raw {
        id: String,
        secret: String,
    },
}

fn signed_headers(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
    (id, secret, time): (&str, &str, SystemTime),
) -> Vec<(String, String)> {
    let identity = aws_credential_types::Credentials::new(id, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("guardduty")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let host = addr.to_string();
    let mut all: Vec<(&str, &str)> = vec![("host", host.as_str())];
    all.extend(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let url = format!("http://{addr}{target}");
    let signable =
        SignableRequest::new(method, url, all.into_iter(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A complete HTTP/1.1 request (`Connection: close`), signed as `auth` says.
fn request_at(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
    auth: &Auth,
) -> Vec<u8> {
    let sig = match auth {
        Auth::None => Vec::new(),
        Auth::Key { n, skew_secs } => {
            let k = key(*n);
            let now = SystemTime::now();
            let t = if *skew_secs >= 0 {
                now + Duration::from_secs(*skew_secs as u64)
            } else {
                now - Duration::from_secs(skew_secs.unsigned_abs())
            };
            signed_headers(
                addr,
                method,
                target,
                headers,
                body,
                (&k.access_key_id, &k.secret_access_key, t),
            )
        }
        Auth::Raw { id, secret } => signed_headers(
            addr,
            method,
            target,
            headers,
            body,
            (id, secret, SystemTime::now()),
        ),
    };
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\n").into_bytes();
    for (k, v) in headers.iter().chain(&sig) {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

fn request(method: &str, target: &str, body: &[u8], auth: &Auth) -> Vec<u8> {
    let headers = if body.is_empty() {
        Vec::new()
    } else {
        vec![("content-type".to_string(), "application/json".to_string())]
    };
    request_at(server().addr, method, target, &headers, body, auth)
}

fn call(method: &str, target: &str, body: &[u8], auth: &Auth) -> Resp {
    exchange(&request(method, target, body, auth)).expect("a response")
}

fn as_key(n: usize) -> Auth {
    Auth::Key { n, skew_secs: 0 }
}

/// The account of key `n` gets a detector (idempotent per test: each test uses its own key).
fn detector(n: usize) -> String {
    let r = call("POST", "/detector", br#"{"enable":true}"#, &as_key(n));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["detectorId"].as_str().unwrap().to_string()
}

#[track_caller]
fn assert_alive() {
    let r = call("GET", "/detector", b"", &as_key(0));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["detectorIds"].is_array());
}

#[test]
fn authentication_failures_are_aws_shaped_403s() {
    let r = call("GET", "/detector", b"", &Auth::None);
    assert_aws_error(&r, 403, "MissingAuthenticationTokenException");

    let wrong_secret = Auth::Raw {
        id: key(1).access_key_id,
        secret: "not-the-secret".into(),
    };
    let r = call("GET", "/detector", b"", &wrong_secret);
    assert_aws_error(&r, 403, "InvalidSignatureException");

    let unknown = Auth::Raw {
        id: "AKIDNOSUCHKEY000".into(),
        secret: "whatever".into(),
    };
    let r = call("GET", "/detector", b"", &unknown);
    assert_aws_error(&r, 403, "UnrecognizedClientException");

    // Outside ±15 minutes: refused; just inside: accepted.
    for skew in [-16 * 60, 16 * 60] {
        let r = call(
            "GET",
            "/detector",
            b"",
            &Auth::Key {
                n: 1,
                skew_secs: skew,
            },
        );
        let m = assert_aws_error(&r, 403, "InvalidSignatureException");
        assert!(m.contains("Signature"), "{m}");
    }
    for skew in [-14 * 60, 14 * 60] {
        let r = call(
            "GET",
            "/detector",
            b"",
            &Auth::Key {
                n: 1,
                skew_secs: skew,
            },
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }

    // A malformed Authorization header: 400 IncompleteSignatureException.
    let mut raw = request("GET", "/detector", b"", &Auth::None);
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    raw.splice(
        at..at,
        b"\r\nAuthorization: AWS4-HMAC-SHA256 Credential=garbage"
            .iter()
            .copied(),
    );
    let r = exchange(&raw).unwrap();
    assert_aws_error(&r, 400, "IncompleteSignatureException");
}

#[test]
fn a_signed_request_replayed_with_another_body_is_refused() {
    let addr = server().addr;
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let good = br#"{"enable":true}"#;
    let signed = request_at(addr, "POST", "/detector", &headers, good, &as_key(2));
    // Same signature, same length, another body (enable → false, padded to the same length).
    let evil = br#"{"enable":false}"#;
    let text = String::from_utf8(signed).unwrap();
    let tampered = text
        .replace(
            &format!("Content-Length: {}", good.len()),
            &format!("Content-Length: {}", evil.len()),
        )
        .replace(
            std::str::from_utf8(good).unwrap(),
            std::str::from_utf8(evil).unwrap(),
        );
    let r = exchange(tampered.as_bytes()).unwrap();
    assert_aws_error(&r, 403, "InvalidSignatureException");
    // Nothing was created by the tampered request.
    let r = call("GET", "/detector", b"", &as_key(2));
    assert_eq!(r.json()["detectorIds"], json!([]));
    // The untampered request works (a replay within the window is accepted, as by AWS; the
    // signature protects integrity, not uniqueness).
    let r = exchange(text.as_bytes()).unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

#[test]
fn bad_bodies_are_aws_shaped_400s() {
    let k = as_key(3);
    let d = detector(3);
    for body in [
        &b"{"[..],
        b"{\"enable\": tru}",
        b"not json at all",
        b"{\"enable\":true,}",
        b"\xff\xfe\x00garbage",
        b"{\"enable\":\"\xff\"}",
    ] {
        let r = call("POST", "/detector", body, &k);
        assert_aws_error(&r, 400, "SerializationException");
    }
    // Deep nesting: serde_json's recursion limit answers, the stack does not overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep = &deep.as_bytes()[..LIMIT.min(deep.len())];
    let r = call("POST", "/detector", deep, &k);
    assert_aws_error(&r, 400, "SerializationException");
    // JSON, but not an object.
    let r = call("POST", "/detector", b"[1,2]", &k);
    assert_aws_error(&r, 400, "BadRequestException");

    // Wrong member types, with AWS's validation wording.
    let r = call("POST", "/detector", br#"{"enable":"yes"}"#, &k);
    let m = assert_aws_error(&r, 400, "BadRequestException");
    assert!(
        m.contains("validation error detected") && m.contains("enable"),
        "{m}"
    );
    let r = call(
        "POST",
        &format!("/detector/{d}/findings"),
        br#"{"maxResults":"ten","sortCriteria":[1]}"#,
        &k,
    );
    let m = assert_aws_error(&r, 400, "BadRequestException");
    assert!(m.starts_with("2 validation errors detected"), "{m}");
    let r = call("GET", "/detector?maxResults=abc", b"", &k);
    let m = assert_aws_error(&r, 400, "BadRequestException");
    assert!(m.contains("maxResults"), "{m}");

    // Missing required members.
    let r = call("POST", "/detector", b"{}", &k);
    let m = assert_aws_error(&r, 400, "BadRequestException");
    assert!(m.contains("Value null at 'enable'"), "{m}");
    let r = call("POST", &format!("/detector/{d}/findings/get"), b"", &k);
    let m = assert_aws_error(&r, 400, "BadRequestException");
    assert!(m.contains("findingIds"), "{m}");

    // Unknown top-level members are ignored, as AWS's rest-json services do (a client may be
    // newer than the service; botocore itself refuses unknown parameters before sending).
    // The known members still count.
    let r = call(
        "POST",
        &format!("/detector/{d}/findings"),
        br#"{"maxResults":5,"noSuchMember":{"x":[1,2]},"findingCriteria":{"criterion":{}}}"#,
        &k,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["findingIds"].is_array());
    let r = call(
        "POST",
        &format!("/detector/{d}/findings"),
        br#"{"maxResults":0,"noSuchMember":1}"#,
        &k,
    );
    assert_aws_error(&r, 400, "BadRequestException");
    // Inside FindingCriteria an unknown key is refused with a clear message: the criteria
    // parser is strict so a misspelt filter never silently matches everything.
    let r = call(
        "POST",
        &format!("/detector/{d}/findings"),
        br#"{"findingCriteria":{"criterion":{}, "extra":1}}"#,
        &k,
    );
    let m = assert_aws_error(&r, 400, "BadRequestException");
    assert!(m.contains("unknown field `extra`"), "{m}");
}

#[test]
fn oversized_bodies_are_413_without_reading_them() {
    let k = as_key(4);
    // Just over the limit, with an honest Content-Length.
    let body = vec![b' '; LIMIT + 1];
    let r = call("POST", "/detector", &body, &k);
    assert_aws_error(&r, 413, "RequestEntityTooLargeException");
    // At the limit: read and parsed (whitespace-only is an empty body → missing `enable`).
    let body = vec![b' '; LIMIT];
    let r = call("POST", "/detector", &body, &k);
    assert_aws_error(&r, 400, "BadRequestException");

    // A huge declared length with a few bytes sent: answered at once, before the body.
    let addr = server().addr;
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    write!(
        s,
        "POST /detector HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 1000000000000\r\n\r\n{{\"en"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let r = parse_response(&raw).expect("a response before the body");
    assert_aws_error(&r, 413, "RequestEntityTooLargeException");

    // A chunked body that never ends but keeps coming: cut off at the limit.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    write!(
        s,
        "POST /detector HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .unwrap();
    let chunk = format!("1000\r\n{}\r\n", " ".repeat(0x1000));
    let mut sent = 0;
    // The server stops reading after the limit; the writes then fail or fill the buffers.
    while sent < 64 * LIMIT {
        if s.write_all(chunk.as_bytes()).is_err() {
            break;
        }
        sent += 0x1000;
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let r = parse_response(&raw).expect("a response to the endless chunked body");
    assert_aws_error(&r, 413, "RequestEntityTooLargeException");

    // A chunked body that stalls (no end, under the limit): 408 once the body timeout passes.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    write!(
        s,
        "POST /detector HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{{\"ena\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let r = parse_response(&raw).expect("a response to the stalled body");
    assert_aws_error(&r, 408, "RequestTimeoutException");
    // Same with a Content-Length the client never fulfils.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    write!(
        s,
        "POST /detector HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 100\r\n\r\n{{\"ena"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let r = parse_response(&raw).expect("a response to the short body");
    assert_aws_error(&r, 408, "RequestTimeoutException");
    assert_alive();
}

#[test]
fn unknown_paths_methods_and_odd_bytes_are_4xx() {
    let k = as_key(5);
    let d = detector(5);
    let r = call("GET", "/no/such/operation", b"", &k);
    assert_aws_error(&r, 404, "UnknownOperationException");
    let r = call("GET", "/", b"", &k);
    assert_aws_error(&r, 404, "UnknownOperationException");
    let r = call("PATCH", "/detector", b"", &k);
    assert_aws_error(&r, 405, "MethodNotAllowedException");
    let r = call("DELETE", "/detector", b"", &k);
    assert_aws_error(&r, 405, "MethodNotAllowedException");
    // A percent-encoded non-UTF-8 label is well-formed HTTP: a clear 400.
    let r = call("GET", &format!("/detector/{d}/filter/%FF%FE"), b"", &k);
    let m = assert_aws_error(&r, 400, "BadRequestException");
    assert!(m.contains("UTF-8"), "{m}");
    // A detector id that is not this account's: 400/404-shaped, not 5xx.
    let r = call("GET", "/detector/%00%01", b"", &k);
    assert!((400..500).contains(&r.status), "{r:?}");
    assert!(r.header("x-amzn-ErrorType").is_some());

    // Raw non-UTF-8 bytes in the request target are not valid HTTP: hyper answers 400
    // (before our handler, so without an AWS body) and the server carries on.
    let addr = server().addr;
    let mut raw = b"GET /detector/\xff\xfe HTTP/1.1\r\nHost: ".to_vec();
    raw.extend_from_slice(format!("{addr}\r\nConnection: close\r\n\r\n").as_bytes());
    let r = exchange(&raw).expect("an answer to a non-UTF-8 path");
    assert_eq!(r.status, 400, "{r:?}");
    // Non-UTF-8 in a header value: legal bytes for HTTP, refused by the signature check.
    let mut raw = request("GET", "/detector", b"", &Auth::None);
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    raw.splice(at..at, b"\r\nX-Odd: \xff\xfe\x80".iter().copied());
    let r = exchange(&raw).unwrap();
    assert_aws_error(&r, 403, "MissingAuthenticationTokenException");
    assert_alive();
}

#[test]
fn oversized_headers_and_protocol_garbage_do_not_hurt_the_server() {
    let addr = server().addr;
    // One very long header line: hyper refuses it (431) instead of buffering without bound.
    let long = format!(
        "GET /detector HTTP/1.1\r\nHost: {addr}\r\nX-Long: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let r = exchange(long.as_bytes()).expect("an answer to a long header");
    assert_eq!(r.status, 431, "{r:?}");
    // Very many headers.
    let mut many = format!("GET /detector HTTP/1.1\r\nHost: {addr}\r\n");
    for i in 0..500 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("Connection: close\r\n\r\n");
    let r = exchange(many.as_bytes()).expect("an answer to many headers");
    assert_eq!(r.status, 431, "{r:?}");
    // HTTP/1.0 is still HTTP: answered normally (here: unsigned → 403 with an AWS body).
    let r = exchange(format!("GET /detector HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .expect("an HTTP/1.0 answer");
    assert_aws_error(&r, 403, "MissingAuthenticationTokenException");
    // HTTP/1.0, signed: works.
    let signed = String::from_utf8(request("GET", "/detector", b"", &as_key(6)))
        .unwrap()
        .replacen("HTTP/1.1", "HTTP/1.0", 1);
    let r = exchange(signed.as_bytes()).unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // Garbage request lines: a 400 from hyper, never a hang or crash.
    for garbage in [
        &b"HELLO\r\n\r\n"[..],
        b"\x00\x01\x02\x03\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", // a TLS ClientHello
    ] {
        let r = exchange(garbage).expect("an answer to garbage");
        assert_eq!(r.status, 400, "{r:?}");
    }
    // The HTTP/2 preface (this server speaks HTTP/1 only): hyper closes the connection.
    if let Some(r) = exchange(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") {
        assert!((400..506).contains(&r.status), "{r:?}");
    }
    assert_alive();
}

#[test]
fn silent_clients_do_not_block_others_and_are_disconnected() {
    let addr = server().addr;
    // Clients that connect and send nothing, or half a request line, or headers that never end.
    let mut idle: Vec<TcpStream> = (0..20)
        .map(|i| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
            match i % 3 {
                0 => {}
                1 => s.write_all(b"GET /dete").unwrap(),
                _ => write!(s, "GET /detector HTTP/1.1\r\nHost: {addr}\r\nX-A: 1\r\n").unwrap(),
            }
            s
        })
        .collect();
    // Others are served meanwhile.
    for _ in 0..5 {
        assert_alive();
    }
    // The header read timeout closes every silent connection (read: EOF, a 408, or a reset).
    for s in &mut idle {
        let mut buf = Vec::new();
        match s.read_to_end(&mut buf) {
            Ok(_) => {
                if let Some(r) = parse_response(&buf) {
                    assert_eq!(r.status, 408, "{r:?}");
                }
            }
            Err(e) => assert!(
                !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "a silent connection was not closed: {e}"
            ),
        }
    }
    assert_alive();
}

#[test]
fn fifty_parallel_connections_mixing_good_and_bad_requests() {
    let n = 7;
    let d = detector(n);
    let list = format!("/detector/{d}/findings");
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let list = list.clone();
            std::thread::spawn(move || match i % 5 {
                0 => {
                    let r = call("POST", &list, br#"{"maxResults":3}"#, &as_key(n));
                    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
                }
                1 => {
                    let r = call("POST", &list, b"{", &as_key(n));
                    assert_aws_error(&r, 400, "SerializationException");
                }
                2 => {
                    let r = call("GET", "/detector", b"", &Auth::None);
                    assert_aws_error(&r, 403, "MissingAuthenticationTokenException");
                }
                3 => {
                    let r = call("POST", "/detector", &vec![b' '; LIMIT + 10], &as_key(n));
                    assert_aws_error(&r, 413, "RequestEntityTooLargeException");
                }
                _ => {
                    let r = call("GET", "/nowhere", b"", &as_key(n));
                    assert_aws_error(&r, 404, "UnknownOperationException");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a client thread failed");
    }
    let r = call("POST", &list, br#"{"maxResults":3}"#, &as_key(n));
    assert_eq!(r.status, 200);
}

fn arb_method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_string()),
        Just("POST".to_string()),
        Just("PUT".to_string()),
        Just("DELETE".to_string()),
        Just("PATCH".to_string()),
        Just("OPTIONS".to_string()),
        Just("HEAD".to_string()),
        "[A-Z]{1,10}",
    ]
}

/// Paths near the real ones (so routing and validation are exercised) plus random ones; every
/// byte percent-encoded where needed, so the request is well-formed HTTP.
fn arb_target() -> impl Strategy<Value = String> {
    let seg = prop_oneof![
        Just("detector".to_string()),
        // Replaced by the real detector id, so requests reach the operations' validation.
        Just("DETECTOR".to_string()),
        Just("DETECTOR".to_string()),
        Just("findings".to_string()),
        Just("filter".to_string()),
        Just("member".to_string()),
        Just("publishingDestination".to_string()),
        Just("ipset".to_string()),
        Just("tags".to_string()),
        Just("usage".to_string()),
        Just("statistics".to_string()),
        Just("get".to_string()),
        Just("create".to_string()),
        "[a-z0-9]{0,33}",
        proptest::collection::vec(any::<u8>(), 0..12)
            .prop_map(|b| { b.iter().map(|c| format!("%{c:02X}")).collect::<String>() }),
    ];
    let query = proptest::option::of(proptest::collection::vec(
        ("[a-zA-Z]{1,12}", "[a-zA-Z0-9%]{0,12}"),
        0..4,
    ));
    (proptest::collection::vec(seg, 0..6), query).prop_map(|(segs, q)| {
        let mut t = format!("/{}", segs.join("/"));
        if let Some(q) = q {
            t.push('?');
            let pairs: Vec<String> = q
                .into_iter()
                .map(|(k, v)| format!("{k}={}", v.replace('%', "%25")))
                .collect();
            t.push_str(&pairs.join("&"));
        }
        t
    })
}

fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    let json_value = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,20}".prop_map(Value::from),
        Just(json!({"criterion": {"severity": {"gte": 4}}})),
        Just(json!([1, "two", {"three": 3}])),
    ];
    let members = proptest::collection::btree_map(
        prop_oneof![
            Just("enable".to_string()),
            Just("maxResults".to_string()),
            Just("findingIds".to_string()),
            Just("findingCriteria".to_string()),
            Just("name".to_string()),
            Just("action".to_string()),
            Just("accountIds".to_string()),
            Just("feedback".to_string()),
            "[a-zA-Z]{1,10}",
        ],
        json_value,
        0..5,
    );
    prop_oneof![
        Just(Vec::new()),
        members.prop_map(|m| serde_json::to_vec(&m).unwrap()),
        proptest::collection::vec(any::<u8>(), 0..200),
        "[{}\\[\\]\":,0-9a-z ]{0,80}".prop_map(String::into_bytes),
    ]
}

fn arb_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                4 => Just("content-type".to_string()),
                4 => Just("accept".to_string()),
                8 => "x-[a-z]{1,10}",
                // Rarely, headers that interfere with the signature.
                1 => Just("x-amz-date".to_string()),
                1 => Just("x-amz-security-token".to_string()),
                1 => Just("x-amz-content-sha256".to_string()),
            ],
            "[ -~]{0,40}",
        ),
        0..4,
    )
    .prop_map(|hs| {
        hs.into_iter()
            .map(|(k, v)| (k, v.trim().to_string()))
            .collect()
    })
}

/// (method, URI template) of every operation of the embedded service model.
fn operations() -> &'static [(String, String)] {
    static OPS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    OPS.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/model/guardduty-2017-11-28.json"
        );
        let model: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        model["operations"]
            .as_object()
            .unwrap()
            .values()
            .map(|op| {
                (
                    op["http"]["method"].as_str().unwrap().to_string(),
                    op["http"]["requestUri"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    })
}

/// A real operation's method and path, its labels filled with the detector id (`DETECTOR`),
/// random text, or percent-encoded random bytes.
fn arb_operation() -> impl Strategy<Value = (String, String)> {
    let label = prop_oneof![
        3 => Just("DETECTOR".to_string()),
        1 => "[a-zA-Z0-9:/._-]{0,40}".prop_map(|s| s.replace('/', "%2F")),
        1 => proptest::collection::vec(any::<u8>(), 0..8)
            .prop_map(|b| b.iter().map(|c| format!("%{c:02X}")).collect::<String>()),
    ];
    (
        0..operations().len(),
        proptest::collection::vec(label, 3),
        proptest::option::of("[a-zA-Z]{1,12}=[a-zA-Z0-9]{0,8}"),
    )
        .prop_map(|(i, labels, query)| {
            let (method, uri) = &operations()[i];
            let mut out = String::new();
            let mut n = 0;
            let mut rest = uri.as_str();
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
                out.push_str(&labels[n % labels.len()]);
                n += 1;
                rest = &rest[close..];
            }
            out.push_str(rest);
            if let Some(q) = query {
                out.push(if out.contains('?') { '&' } else { '?' });
                out.push_str(&q);
            }
            (method.clone(), out)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// Random well-formed HTTP requests, signed correctly or not: always an answer, never a
    /// 5xx, and every 4xx our handler produces is AWS-shaped.
    #[test]
    fn random_requests_never_5xx(
        (method, target) in prop_oneof![
            3 => arb_operation(),
            2 => (arb_method(), arb_target()),
        ],
        headers in arb_headers(),
        body in arb_body(),
        signed in proptest::bool::weighted(0.75),
    ) {
        static DETECTOR: OnceLock<String> = OnceLock::new();
        let target = target.replace("DETECTOR", DETECTOR.get_or_init(|| detector(8)));
        let auth = if signed { as_key(8) } else { Auth::None };
        let raw = request_at(server().addr, &method, &target, &headers, &body, &auth);
        let r = exchange(&raw);
        prop_assert!(r.is_some(), "no response to {}", String::from_utf8_lossy(&raw));
        let r = r.unwrap();
        prop_assert!(r.status < 500, "{} {} → {:?} {}", method, target, r, String::from_utf8_lossy(&r.body));
        if r.status >= 400 && method != "HEAD" {
            let code = r.header("x-amzn-ErrorType");
            prop_assert!(code.is_some(), "{r:?}");
            let v: Value = serde_json::from_slice(&r.body).expect("an error body is JSON");
            prop_assert_eq!(v["__type"].as_str(), code);
            prop_assert!(v["message"].is_string());
        }
    }
}

#[test]
fn the_server_is_alive_after_the_property_test_too() {
    // Runs in parallel with the others; all share the server, so this checks that whatever
    // state the random requests left, a normal request still works.
    assert_alive();
    let d = detector(9);
    let r = call("GET", &format!("/detector/{d}"), b"", &as_key(9));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ENABLED");
}

// ---- publishing destinations against moto's S3-compatible server ----

fn moto_server() -> Option<std::path::PathBuf> {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        std::env::var("WARDEN_MOTO_SERVER")
            .ok()
            .map(std::path::PathBuf::from),
        Some(repo.join("target/ci-venv/bin/moto_server")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must provide moto_server (see .ci/run)"
        );
        eprintln!("skipping: no moto_server (run .ci/run once, or set WARDEN_MOTO_SERVER)");
    }
    found
}

struct Moto(std::process::Child);
impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_moto(path: &std::path::Path, port: u16) -> Moto {
    let child = std::process::Command::new(path)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let moto = Moto(child);
    let start = std::time::Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < IO_TIMEOUT, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

/// Unsigned raw HTTP to moto (which accepts it) for the test's own S3 calls.
fn s3_call(port: u16, method: &str, path: &str) -> Resp {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    exchange_at(addr, raw.as_bytes()).expect("an S3 answer")
}

fn list_keys(port: u16, bucket: &str) -> Vec<String> {
    let r = s3_call(port, "GET", &format!("/{bucket}?list-type=2"));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let xml = String::from_utf8(r.body).unwrap();
    let mut keys: Vec<String> = xml
        .split("<Key>")
        .skip(1)
        .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_string()))
        .collect();
    keys.sort();
    keys
}

/// A SigV4-signed GET (S3 serves SSE-KMS objects only to signed requests).
fn s3_signed_get(port: u16, path: &str) -> Resp {
    use aws_sigv4::http_request::PayloadChecksumKind;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let identity =
        aws_credential_types::Credentials::new("AKIDMOTOTEST", "moto/secret+key", None, None, "t")
            .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let host = addr.to_string();
    let signable = SignableRequest::new(
        "GET",
        format!("http://{addr}{path}"),
        [("host", host.as_str())].into_iter(),
        SignableBody::Bytes(b""),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut raw = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in instructions.headers() {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("Connection: close\r\n\r\n");
    exchange_at(addr, raw.as_bytes()).expect("an S3 answer")
}

/// The finding ids of one exported object (gzip JSON Lines), checking each line is a finding.
fn object_ids(port: u16, bucket: &str, key: &str) -> Vec<String> {
    let r = s3_signed_get(port, &format!("/{bucket}/{key}"));
    assert_eq!(r.status, 200, "{key}: {}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("x-amz-server-side-encryption"),
        Some("aws:kms"),
        "{r:?}"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_string(&mut text)
        .expect("gzip");
    assert!(text.ends_with('\n'));
    text.lines()
        .map(|l| {
            let f: Value = serde_json::from_str(l).expect("one JSON object per line");
            assert_eq!(f["schemaVersion"], "2.0");
            assert!(f["type"].is_string() && f["severity"].is_number());
            f["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn publishing_destination_exports_to_s3_and_recovers_after_an_outage() {
    let Some(moto_path) = moto_server() else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut moto = start_moto(&moto_path, port);
    let bucket = "gd-export";
    assert_eq!(s3_call(port, "PUT", &format!("/{bucket}")).status, 200);

    // Its own server, whose background exporter never runs during the test: the test drives
    // `export_once` itself with explicit S3 settings (no process environment involved).
    let srv = start(ServerConfig {
        data_dir: test_dir(),
        publish_interval: Duration::from_secs(24 * 3600),
        ..ServerConfig::default()
    });
    let k = as_key(20);
    let account = key(20).account_id;
    let api = |method: &str, target: &str, body: Value| {
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let headers = vec![("content-type".to_string(), "application/json".to_string())];
        let raw = request_at(srv.addr, method, target, &headers, &body, &k);
        let r = exchange_at(srv.addr, &raw).expect("a response");
        assert_eq!(
            r.status,
            200,
            "{target}: {}",
            String::from_utf8_lossy(&r.body)
        );
        if r.body.is_empty() {
            json!({})
        } else {
            r.json()
        }
    };
    let d = api("POST", "/detector", json!({"enable": true}))["detectorId"]
        .as_str()
        .unwrap()
        .to_string();
    let dest = api(
        "POST",
        &format!("/detector/{d}/publishingDestination"),
        json!({"destinationType": "S3", "destinationProperties": {
            "destinationArn": format!("arn:aws:s3:::{bucket}/exports"),
            "kmsKeyArn": format!("arn:aws:kms:{REGION}:{account}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")}}),
    )["destinationId"]
        .as_str()
        .unwrap()
        .to_string();
    let describe = || {
        api(
            "GET",
            &format!("/detector/{d}/publishingDestination/{dest}"),
            Value::Null,
        )
    };
    assert_eq!(describe()["status"], "PENDING_VERIFICATION");
    // Findings made after the destination (a new destination exports from then on, as
    // GuardDuty does; older findings go out when they next change).
    let types: Vec<&str> = warden_model::sample::sample_types().take(6).collect();
    api(
        "POST",
        &format!("/detector/{d}/findings/create"),
        json!({"findingTypes": &types[..4]}),
    );
    let list_ids = || {
        let v = api(
            "POST",
            &format!("/detector/{d}/findings"),
            json!({"maxResults": 50}),
        );
        let mut ids: Vec<String> = v["findingIds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let first_ids = list_ids();
    assert_eq!(first_ids.len(), 4);

    let settings = warden_intel::load::S3Settings {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: REGION.into(),
        access_key_id: "AKIDMOTOTEST".into(),
        secret_access_key: "moto/secret+key".into(),
        session_token: None,
    };
    let put = warden_server::publish::s3_uploader(Some(settings));
    let export = || {
        let mut store = warden_store::SqliteStore::open(&srv.data_dir).unwrap();
        warden_server::publish::export_once(&mut store, warden_model::time::now_millis(), &*put)
            .unwrap()
    };

    // First export: every finding exactly once, under the GuardDuty key layout.
    let r = export();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(r.written.len(), 1);
    let keys = list_keys(port, bucket);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let today = warden_model::time::format_timestamp(warden_model::time::now_millis());
    let prefix = format!(
        "exports/AWSLogs/{account}/GuardDuty/{REGION}/{}/{}/{}/",
        &today[0..4],
        &today[5..7],
        &today[8..10]
    );
    assert!(
        keys[0].starts_with(&prefix) && keys[0].ends_with(".jsonl.gz"),
        "{keys:?}"
    );
    let mut ids = object_ids(port, bucket, &keys[0]);
    ids.sort();
    assert_eq!(ids, first_ids);
    assert_eq!(describe()["status"], "PUBLISHING");

    // Nothing new: no object.
    assert!(export().written.is_empty());
    assert_eq!(list_keys(port, bucket).len(), 1);

    // One new finding type and one repeated (updated) sample: only those two are exported.
    api(
        "POST",
        &format!("/detector/{d}/findings/create"),
        json!({"findingTypes": [types[0], types[4]]}),
    );
    let r = export();
    assert_eq!(r.written.len(), 1, "{:?}", r.failed);
    let keys2 = list_keys(port, bucket);
    assert_eq!(keys2.len(), 2);
    let new_key = keys2.iter().find(|k| !keys.contains(k)).unwrap();
    let mut ids2 = object_ids(port, bucket, new_key);
    ids2.sort();
    let all = list_ids();
    let new_id: Vec<&String> = all.iter().filter(|i| !first_ids.contains(i)).collect();
    assert_eq!(new_id.len(), 1);
    let repeated = warden_model::sample::sample_finding_id(types[0], &account, REGION, &d);
    let mut expected = vec![new_id[0].clone(), repeated];
    expected.sort();
    assert_eq!(ids2, expected);

    // S3 down: the destination reports the failure; nothing is lost.
    drop(moto);
    api(
        "POST",
        &format!("/detector/{d}/findings/create"),
        json!({"findingTypes": [types[5]]}),
    );
    let r = export();
    assert_eq!(r.failed.len(), 1);
    let v = describe();
    assert_eq!(
        v["status"], "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY",
        "{v}"
    );
    assert!(
        v["publishingFailureStartTimestamp"].as_i64().unwrap() > 0,
        "{v}"
    );

    // S3 back (a fresh moto: the bucket is recreated): the next run exports what was missed.
    moto = start_moto(&moto_path, port);
    assert_eq!(s3_call(port, "PUT", &format!("/{bucket}")).status, 200);
    let r = export();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    let keys3 = list_keys(port, bucket);
    assert_eq!(keys3.len(), 1);
    let ids3 = object_ids(port, bucket, &keys3[0]);
    let missed = warden_model::sample::sample_finding_id(types[5], &account, REGION, &d);
    assert_eq!(ids3, [missed]);
    let v = describe();
    assert_eq!(v["status"], "PUBLISHING", "{v}");
    assert_eq!(v["publishingFailureStartTimestamp"], 0, "{v}");
    drop(moto);
}

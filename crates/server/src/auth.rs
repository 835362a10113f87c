//! Server-side AWS Signature Version 4 verification for the GuardDuty-compatible API.
//!
//! [`verify`] checks that an incoming request was signed with a configured access key the
//! way the AWS CLI / SDKs sign GuardDuty calls, and says who signed it ([`Caller`]).
//! Verification re-signs the request with `aws-sigv4` (a signer, not a verifier) using
//! exactly what the client committed to — the headers named in `SignedHeaders`, the method,
//! the raw path and query, the body, the time from `X-Amz-Date` and the region/service of
//! the credential scope — and compares the two signatures in constant time.
//!
//! Canonicalisation follows the rules for every AWS service except S3: the path is
//! normalised (dot segments, `//`) and URI-encoded *again* (`/tags/arn%3Aaws...` is signed
//! as `/tags/arn%253Aaws...`), the query is decoded, RFC 3986-encoded and sorted.
//!
//! Supported: header auth (`Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
//! Signature=…` + `X-Amz-Date`); presigned query-string auth (`X-Amz-Algorithm`,
//! `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires` ≤ 7 days, `X-Amz-SignedHeaders`,
//! `X-Amz-Signature`, optional `X-Amz-Security-Token`, payload hash = SHA-256 of the body as
//! botocore's non-S3 presigner does); session tokens (`X-Amz-Security-Token`, signed or not);
//! a signed `x-amz-content-sha256` equal to the body's hash.
//! Not supported (rejected): SigV4a, the `Date` header instead of `X-Amz-Date`,
//! `UNSIGNED-PAYLOAD` and streaming (chunked) payloads — every GuardDuty call is a small JSON
//! body, and accepting an unsigned payload would let anyone on the path rewrite it.
//!
//! Errors ([`AuthError`]) carry the HTTP status and the error code AWS uses, so a server can
//! answer with `x-amzn-ErrorType: <aws_code>` and `{"__type": <aws_code>, "message":
//! <Display>}`; botocore then raises the same exception as against AWS:
//!
//! | condition | status | code |
//! |---|---|---|
//! | no `Authorization` header and no presigned query | 403 | `MissingAuthenticationTokenException` |
//! | malformed `Authorization`/presigned query, missing `Credential`/`SignedHeaders`/`Signature`, missing or malformed `X-Amz-Date`, `host` (or, for header auth, `x-amz-date`) not signed, a signed header absent, both auth mechanisms, unsupported algorithm or payload | 400 | `IncompleteSignatureException` |
//! | access key unknown; `X-Amz-Security-Token` absent/present/different from the key's session token | 403 | `UnrecognizedClientException` |
//! | signature mismatch; `X-Amz-Date` outside ±`max_skew` (presigned: past `X-Amz-Expires`); scope service, date or terminator wrong; scope region not allowed; signed `x-amz-content-sha256` ≠ body hash | 403 | `InvalidSignatureException` |
//!
//! A region outside `allowed_regions` is an `InvalidSignatureException` because that is what
//! AWS answers ("Credential should be scoped to a valid region.") when a request signed for
//! one region reaches another region's endpoint.
//!
//! Messages never contain a secret key or a session token; request values echoed in them
//! are truncated and stripped of control characters.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::header::{AUTHORIZATION, HOST};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The only algorithm accepted (SigV4a's `AWS4-ECDSA-P256-SHA256` is not).
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Last element of every credential scope.
const SCOPE_TERMINATOR: &str = "aws4_request";
/// AWS's upper bound for `X-Amz-Expires` (7 days).
const MAX_PRESIGN_EXPIRES_SECS: u64 = 604_800;
/// More signed headers than any SDK sends; bounds the work one request can cause.
const MAX_SIGNED_HEADERS: usize = 64;
/// Longest request-supplied value echoed back in an error message.
const MAX_ECHO_CHARS: usize = 64;
const HEADER_X_AMZ_DATE: &str = "x-amz-date";
const HEADER_SECURITY_TOKEN: &str = "x-amz-security-token";
const HEADER_CONTENT_SHA256: &str = "x-amz-content-sha256";
const QUERY_ALGORITHM: &str = "X-Amz-Algorithm";
const QUERY_CREDENTIAL: &str = "X-Amz-Credential";
const QUERY_DATE: &str = "X-Amz-Date";
const QUERY_EXPIRES: &str = "X-Amz-Expires";
const QUERY_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
const QUERY_SIGNATURE: &str = "X-Amz-Signature";
const QUERY_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
/// Query parameters that belong to presigned auth; any of them selects presigned mode.
const PRESIGN_MARKERS: [&str; 4] = [
    QUERY_ALGORITHM,
    QUERY_CREDENTIAL,
    QUERY_SIGNATURE,
    QUERY_SIGNED_HEADERS,
];
/// Query parameters that aws-sigv4 adds itself when presigning, so they are taken out of
/// the query handed to it.
const PRESIGN_PARAMS: [&str; 7] = [
    QUERY_ALGORITHM,
    QUERY_CREDENTIAL,
    QUERY_DATE,
    QUERY_EXPIRES,
    QUERY_SIGNED_HEADERS,
    QUERY_SIGNATURE,
    QUERY_SECURITY_TOKEN,
];

/// A configured access key.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The AWS account the key belongs to (reported in [`Caller`]).
    pub account_id: String,
    /// For temporary credentials: requests must carry exactly this `X-Amz-Security-Token`.
    /// For long-term keys (`None`) requests must carry none.
    pub session_token: Option<String>,
}

impl fmt::Debug for AccessKey {
    // By hand so that logging a key never prints its secret or session token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("account_id", &self.account_id)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Finds the key for an access key id (the id in the request's credential scope).
pub trait KeyLookup {
    fn lookup(&self, access_key_id: &str) -> Option<AccessKey>;
}

impl KeyLookup for HashMap<String, AccessKey> {
    fn lookup(&self, access_key_id: &str) -> Option<AccessKey> {
        self.get(access_key_id).cloned()
    }
}

impl KeyLookup for Vec<AccessKey> {
    fn lookup(&self, access_key_id: &str) -> Option<AccessKey> {
        self.iter()
            .find(|key| key.access_key_id == access_key_id)
            .cloned()
    }
}

/// Who signed the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub access_key_id: String,
    pub account_id: String,
    /// Region from the credential scope.
    pub region: String,
}

/// What a request must be signed for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyConfig {
    /// Signing name in the credential scope: `guardduty`.
    pub service: String,
    /// Regions accepted in the credential scope; `None` accepts any.
    pub allowed_regions: Option<Vec<String>>,
    /// Largest accepted distance between `X-Amz-Date` and the server clock (AWS: 15 min).
    pub max_skew: Duration,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        Self {
            service: "guardduty".to_owned(),
            allowed_regions: None,
            max_skew: Duration::from_secs(15 * 60),
        }
    }
}

/// Why a request was rejected. `Display` is the message to return to the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Missing Authentication Token")]
    MissingAuthenticationToken,
    /// The signature information is malformed or incomplete; the message says what.
    #[error("{0}")]
    IncompleteSignature(String),
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// `X-Amz-Security-Token` does not match the key's session token (or one of them is
    /// absent). Same message as [`AuthError::UnknownAccessKey`], as AWS does.
    #[error("The security token included in the request is invalid.")]
    InvalidSecurityToken,
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
    )]
    SignatureMismatch,
    /// Signed too long ago (or, presigned, past `X-Amz-Expires`).
    #[error("{0}")]
    SignatureExpired(String),
    /// Signed too far in the future.
    #[error("{0}")]
    SignatureNotYetCurrent(String),
    /// Credential scope names another service, another date than `X-Amz-Date`, or a bad
    /// terminator.
    #[error("{0}")]
    ScopeMismatch(String),
    /// Credential scope region is not in `allowed_regions`.
    #[error("Credential should be scoped to a valid region, not '{0}'.")]
    RegionNotAllowed(String),
    /// A signed `x-amz-content-sha256` is not the SHA-256 of the body received.
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    PayloadHashMismatch,
}

impl AuthError {
    /// HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::IncompleteSignature(_) => 400,
            _ => 403,
        }
    }

    /// Error code for `x-amzn-ErrorType` and the body's `__type`.
    pub fn aws_code(&self) -> &'static str {
        match self {
            AuthError::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            AuthError::IncompleteSignature(_) => "IncompleteSignatureException",
            AuthError::UnknownAccessKey | AuthError::InvalidSecurityToken => {
                "UnrecognizedClientException"
            }
            AuthError::SignatureMismatch
            | AuthError::SignatureExpired(_)
            | AuthError::SignatureNotYetCurrent(_)
            | AuthError::ScopeMismatch(_)
            | AuthError::RegionNotAllowed(_)
            | AuthError::PayloadHashMismatch => "InvalidSignatureException",
        }
    }
}

/// Verifies the SigV4 signature of a request whose whole body is `body`.
///
/// `now` is the server clock (a parameter so tests can replay captured requests). Checks,
/// in order: auth present and well-formed (400), credential scope (service, date,
/// terminator, region), time window, access key, session token, then the signature.
pub fn verify(
    parts: &http::request::Parts,
    body: &[u8],
    now: SystemTime,
    cfg: &VerifyConfig,
    keys: &dyn KeyLookup,
) -> Result<Caller, AuthError> {
    let signed = parse_request_auth(parts)?;
    check_scope(&signed, cfg)?;
    let signed_at = parse_amz_date(&signed.amz_date)?;
    check_time(&signed, signed_at, now, cfg.max_skew)?;

    let key = keys
        .lookup(&signed.credential.access_key_id)
        .ok_or(AuthError::UnknownAccessKey)?;
    match (&key.session_token, &signed.security_token) {
        (None, None) => {}
        (Some(expected), Some(given))
            if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) => {}
        _ => return Err(AuthError::InvalidSecurityToken),
    }

    let expected = resign(parts, body, &signed, &key, signed_at)?;
    if bool::from(expected.as_bytes().ct_eq(signed.signature.as_bytes())) {
        Ok(Caller {
            access_key_id: signed.credential.access_key_id,
            account_id: key.account_id,
            region: signed.credential.region,
        })
    } else {
        Err(AuthError::SignatureMismatch)
    }
}

/// `<access key>/<yyyymmdd>/<region>/<service>/aws4_request`, split.
#[derive(Debug)]
struct CredentialScope {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
    terminator: String,
}

#[derive(Debug)]
enum AuthMode {
    Header,
    /// Presigned URL; the query without the auth parameters (raw, still encoded).
    Presigned {
        expires: Duration,
        other_query: String,
    },
}

/// Everything the client committed to, taken from the `Authorization` header or the query.
#[derive(Debug)]
struct SignedRequest {
    mode: AuthMode,
    credential: CredentialScope,
    /// As the client wrote them (validated: lowercase, sorted, unique, includes `host`).
    signed_headers: Vec<String>,
    signature: String,
    amz_date: String,
    security_token: Option<String>,
}

fn incomplete(message: impl Into<String>) -> AuthError {
    AuthError::IncompleteSignature(message.into())
}

/// A request-supplied value made safe to echo: bounded length, no control characters.
fn echo(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(MAX_ECHO_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if value.chars().nth(MAX_ECHO_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

fn parse_request_auth(parts: &http::request::Parts) -> Result<SignedRequest, AuthError> {
    let query = parts.uri.query().unwrap_or("");
    let presigned = query_pairs(query).any(|(key, _, _)| PRESIGN_MARKERS.contains(&key.as_str()));
    let mut authorization = parts.headers.get_all(AUTHORIZATION).iter();
    match (authorization.next(), presigned) {
        (None, false) => Err(AuthError::MissingAuthenticationToken),
        (Some(_), true) => Err(incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.",
        )),
        (None, true) => parse_presigned(query),
        (Some(value), false) => {
            if authorization.next().is_some() {
                return Err(incomplete("Only one Authorization header is allowed."));
            }
            let value = value
                .to_str()
                .map_err(|_| incomplete("Authorization header must be visible ASCII."))?;
            parse_header_auth(parts, value)
        }
    }
}

fn parse_header_auth(
    parts: &http::request::Parts,
    authorization: &str,
) -> Result<SignedRequest, AuthError> {
    let authorization = authorization.trim();
    let (algorithm, components) = authorization.split_once(' ').unwrap_or((authorization, ""));
    check_algorithm(algorithm)?;

    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for component in components.split(',').map(str::trim) {
        if component.is_empty() {
            continue;
        }
        let (name, value) = component.split_once('=').ok_or_else(|| {
            incomplete(format!(
                "Invalid key=value pair (missing equal-sign) in Authorization header: '{}'.",
                echo(component)
            ))
        })?;
        let slot = match name.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            other => {
                return Err(incomplete(format!(
                    "Unexpected parameter '{}' in Authorization header.",
                    echo(other)
                )));
            }
        };
        if slot.replace(value.trim()).is_some() {
            return Err(incomplete(format!(
                "Authorization header has more than one '{}' parameter.",
                echo(name.trim())
            )));
        }
    }
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none_or(str::is_empty) {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature), true) =
        (credential, signed_headers, signature, missing.is_empty())
    else {
        return Err(incomplete(missing.trim_end()));
    };

    let mut dates = parts.headers.get_all(HEADER_X_AMZ_DATE).iter();
    let amz_date = match (dates.next(), dates.next()) {
        (Some(date), None) => date
            .to_str()
            .map_err(|_| incomplete("X-Amz-Date must be visible ASCII."))?
            .trim()
            .to_owned(),
        (Some(_), Some(_)) => return Err(incomplete("Only one X-Amz-Date header is allowed.")),
        (None, _) => {
            return Err(incomplete(
                "Authorization header requires existence of a 'X-Amz-Date' header (the 'Date' header is not supported).",
            ));
        }
    };
    let signed_headers = parse_signed_headers(signed_headers)?;
    if !signed_headers.iter().any(|name| name == HEADER_X_AMZ_DATE) {
        return Err(incomplete(
            "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    let mut tokens = parts.headers.get_all(HEADER_SECURITY_TOKEN).iter();
    let security_token = match (tokens.next(), tokens.next()) {
        (None, _) => None,
        (Some(token), None) => Some(
            token
                .to_str()
                .map_err(|_| AuthError::InvalidSecurityToken)?
                .to_owned(),
        ),
        (Some(_), Some(_)) => {
            return Err(incomplete(
                "Only one X-Amz-Security-Token header is allowed.",
            ));
        }
    };
    Ok(SignedRequest {
        mode: AuthMode::Header,
        credential: parse_credential(credential)?,
        signed_headers,
        signature: signature.to_owned(),
        amz_date,
        security_token,
    })
}

fn parse_presigned(query: &str) -> Result<SignedRequest, AuthError> {
    let mut found: HashMap<&'static str, String> = HashMap::new();
    let mut other_query: Vec<&str> = Vec::new();
    for (key, value, raw) in query_pairs(query) {
        match PRESIGN_PARAMS.iter().find(|name| **name == key) {
            Some(name) => {
                let value = value.ok_or_else(|| {
                    incomplete(format!("Query parameter '{name}' is not valid UTF-8."))
                })?;
                if found.insert(name, value).is_some() {
                    return Err(incomplete(format!(
                        "Query parameter '{name}' appears more than once."
                    )));
                }
            }
            None => other_query.push(raw),
        }
    }
    let mut take = |name: &'static str| {
        found.remove(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            incomplete(format!(
                "AWS query-string parameters must include '{name}'. Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
            ))
        })
    };
    let algorithm = take(QUERY_ALGORITHM)?;
    let credential = take(QUERY_CREDENTIAL)?;
    let signature = take(QUERY_SIGNATURE)?;
    let amz_date = take(QUERY_DATE)?;
    let signed_headers = take(QUERY_SIGNED_HEADERS)?;
    let expires = take(QUERY_EXPIRES)?;
    let security_token = found.remove(QUERY_SECURITY_TOKEN);
    check_algorithm(&algorithm)?;

    // aws-sigv4 writes X-Amz-Expires back as the plain decimal number of seconds, so only
    // that spelling can match the client's canonical query.
    let expires_secs = expires
        .parse::<u64>()
        .ok()
        .filter(|secs| secs.to_string() == expires)
        .ok_or_else(|| {
            incomplete(format!(
                "X-Amz-Expires should be a number of seconds, not '{}'.",
                echo(&expires)
            ))
        })?;
    if !(1..=MAX_PRESIGN_EXPIRES_SECS).contains(&expires_secs) {
        return Err(incomplete(format!(
            "X-Amz-Expires must be between 1 and {MAX_PRESIGN_EXPIRES_SECS} seconds, not {expires_secs}."
        )));
    }
    Ok(SignedRequest {
        mode: AuthMode::Presigned {
            expires: Duration::from_secs(expires_secs),
            other_query: other_query.join("&"),
        },
        credential: parse_credential(&credential)?,
        signed_headers: parse_signed_headers(&signed_headers)?,
        signature,
        amz_date,
        security_token,
    })
}

/// Splits a raw query into `(decoded key, decoded value if UTF-8, raw piece)`; `+` is a
/// space, as form encoding (and aws-sigv4's canonicaliser) reads it.
fn query_pairs(query: &str) -> impl Iterator<Item = (String, Option<String>, &str)> {
    fn decode(part: &str) -> Option<String> {
        let spaced = part.replace('+', " ");
        percent_decode_str(&spaced)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    }
    query.split('&').filter(|raw| !raw.is_empty()).map(|raw| {
        let (key, value) = raw.split_once('=').unwrap_or((raw, ""));
        (decode(key).unwrap_or_default(), decode(value), raw)
    })
}

fn check_algorithm(algorithm: &str) -> Result<(), AuthError> {
    if algorithm == ALGORITHM {
        Ok(())
    } else {
        Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{}'; only '{ALGORITHM}' is supported.",
            echo(algorithm)
        )))
    }
}

fn parse_credential(credential: &str) -> Result<CredentialScope, AuthError> {
    let elements: Vec<&str> = credential.split('/').collect();
    match elements.as_slice() {
        [access_key_id, date, region, service, terminator]
            if elements.iter().all(|element| !element.is_empty()) =>
        {
            Ok(CredentialScope {
                access_key_id: (*access_key_id).to_owned(),
                date: (*date).to_owned(),
                region: (*region).to_owned(),
                service: (*service).to_owned(),
                terminator: (*terminator).to_owned(),
            })
        }
        _ => Err(incomplete(format!(
            "Credential should have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{}'.",
            echo(credential)
        ))),
    }
}

fn parse_signed_headers(list: &str) -> Result<Vec<String>, AuthError> {
    let names: Vec<String> = list.split(';').map(str::to_owned).collect();
    if names.len() > MAX_SIGNED_HEADERS {
        return Err(incomplete(format!(
            "SignedHeaders names more than {MAX_SIGNED_HEADERS} headers."
        )));
    }
    let well_formed = names.iter().all(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
    }) && names.windows(2).all(|pair| pair[0] < pair[1]);
    if !well_formed {
        return Err(incomplete(format!(
            "SignedHeaders must be lowercase header names, sorted and separated by ';', got '{}'.",
            echo(list)
        )));
    }
    if !names.iter().any(|name| name == "host") {
        return Err(incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    Ok(names)
}

fn check_scope(signed: &SignedRequest, cfg: &VerifyConfig) -> Result<(), AuthError> {
    let scope = &signed.credential;
    if scope.terminator != SCOPE_TERMINATOR {
        return Err(AuthError::ScopeMismatch(format!(
            "Credential should be scoped with a valid terminator: '{SCOPE_TERMINATOR}', not '{}'.",
            echo(&scope.terminator)
        )));
    }
    if scope.service != cfg.service {
        return Err(AuthError::ScopeMismatch(format!(
            "Credential should be scoped to correct service: '{}', not '{}'.",
            cfg.service,
            echo(&scope.service)
        )));
    }
    let http_date = signed.amz_date.get(..8).unwrap_or(&signed.amz_date);
    if scope.date != http_date {
        return Err(AuthError::ScopeMismatch(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{}'.",
            echo(&scope.date),
            echo(http_date),
            echo(&signed.amz_date)
        )));
    }
    if let Some(allowed) = &cfg.allowed_regions
        && !allowed.contains(&scope.region)
    {
        return Err(AuthError::RegionNotAllowed(echo(&scope.region)));
    }
    Ok(())
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'` (ISO 8601 basic format, UTC), the only form SigV4 uses.
fn parse_amz_date(value: &str) -> Result<SystemTime, AuthError> {
    let malformed = || {
        incomplete(format!(
            "Date must be in ISO-8601 'basic format' (yyyyMMdd'T'HHmmss'Z'). Got '{}'.",
            echo(value)
        ))
    };
    let bytes = value.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return Err(malformed());
    }
    let number = |range: std::ops::Range<usize>| -> Option<u16> {
        let digits = bytes.get(range)?;
        digits.iter().try_fold(0u16, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0'))
        })
    };
    let field = |range| number(range).ok_or_else(malformed);
    let (year, month, day) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (hour, minute, second) = (field(9..11)?, field(11..13)?, field(13..15)?);
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(malformed)?;
    let small = |v: u16| u8::try_from(v).map_err(|_| malformed());
    let date =
        Date::from_calendar_date(i32::from(year), month, small(day)?).map_err(|_| malformed())?;
    let time =
        Time::from_hms(small(hour)?, small(minute)?, small(second)?).map_err(|_| malformed())?;
    let seconds = PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp();
    let since_epoch = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        UNIX_EPOCH.checked_add(since_epoch)
    } else {
        UNIX_EPOCH.checked_sub(since_epoch)
    }
    .ok_or_else(malformed)
}

/// `YYYYMMDD'T'HHMMSS'Z'` of a time, for messages ("?" if out of the calendar's range).
fn format_amz_date(t: SystemTime) -> String {
    let seconds = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).ok(),
        // Round towards the past so a pre-epoch time is not shown a second late.
        Err(before) => {
            let d = before.duration();
            i64::try_from(d.as_secs() + u64::from(d.subsec_nanos() > 0))
                .ok()
                .map(|s| -s)
        }
    };
    match seconds.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok()) {
        Some(t) => format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        None => "?".to_owned(),
    }
}

/// "15 min." as AWS writes the window, or seconds when it is not whole minutes.
fn format_window(window: Duration) -> String {
    let secs = window.as_secs();
    if secs.is_multiple_of(60) {
        format!("{} min.", secs / 60)
    } else {
        format!("{secs} s.")
    }
}

fn check_time(
    signed: &SignedRequest,
    signed_at: SystemTime,
    now: SystemTime,
    max_skew: Duration,
) -> Result<(), AuthError> {
    if let Some(latest) = now.checked_add(max_skew)
        && signed_at > latest
    {
        return Err(AuthError::SignatureNotYetCurrent(format!(
            "Signature not yet current: {} is still later than {} ({} + {})",
            signed.amz_date,
            format_amz_date(latest),
            format_amz_date(now),
            format_window(max_skew)
        )));
    }
    match signed.mode {
        AuthMode::Header => {
            if let Some(earliest) = now.checked_sub(max_skew)
                && signed_at < earliest
            {
                return Err(AuthError::SignatureExpired(format!(
                    "Signature expired: {} is now earlier than {} ({} - {})",
                    signed.amz_date,
                    format_amz_date(earliest),
                    format_amz_date(now),
                    format_window(max_skew)
                )));
            }
        }
        AuthMode::Presigned { expires, .. } => {
            // A presigned URL is valid from X-Amz-Date for X-Amz-Expires seconds.
            if signed_at.checked_add(expires).is_none_or(|end| end < now) {
                return Err(AuthError::SignatureExpired(format!(
                    "Signature expired: {} + {} s (X-Amz-Expires) is now earlier than {}",
                    signed.amz_date,
                    expires.as_secs(),
                    format_amz_date(now)
                )));
            }
        }
    }
    Ok(())
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Computes the signature the client should have sent, from exactly what it signed.
fn resign(
    parts: &http::request::Parts,
    body: &[u8],
    signed: &SignedRequest,
    key: &AccessKey,
    signed_at: SystemTime,
) -> Result<String, AuthError> {
    let mut headers: Vec<(&str, &str)> = Vec::with_capacity(signed.signed_headers.len() + 1);
    for name in &signed.signed_headers {
        if name == "host" {
            headers.push(("host", host_value(parts)?));
            continue;
        }
        let mut any = false;
        for value in parts.headers.get_all(name.as_str()) {
            let value = value.to_str().map_err(|_| {
                incomplete(format!(
                    "Signed header '{}' has a value that is not visible ASCII.",
                    echo(name)
                ))
            })?;
            headers.push((name.as_str(), value));
            any = true;
        }
        if !any {
            return Err(incomplete(format!(
                "Signed header '{}' is not present in the request.",
                echo(name)
            )));
        }
    }
    if let Some((_, declared)) = headers
        .iter()
        .find(|(name, _)| *name == HEADER_CONTENT_SHA256)
    {
        let declared = declared.trim();
        if declared == "UNSIGNED-PAYLOAD" || declared.starts_with("STREAMING-") {
            return Err(incomplete(format!(
                "x-amz-content-sha256 '{}' is not accepted: this service requires a signed payload.",
                echo(declared)
            )));
        }
        // Equal to the body's hash, it is the canonical request's payload line as well.
        if declared != sha256_hex(body) {
            return Err(AuthError::PayloadHashMismatch);
        }
    }

    let path = parts.uri.path();
    let path = if path.is_empty() { "/" } else { path };
    let mut settings = SigningSettings::default();
    // Non-S3 canonicalisation: normalise, then URI-encode the already-encoded path again.
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    // Sign what the client signed: its SignedHeaders may include headers the SDK's own
    // signer would leave out (user-agent, ...).
    settings.excluded_headers = None;
    let uri = match &signed.mode {
        AuthMode::Header => {
            settings.signature_location = SignatureLocation::Headers;
            // A token sent but not signed (some SDKs add it after signing) stays out of
            // the canonical request; it was still checked against the key.
            let token_signed = signed
                .signed_headers
                .iter()
                .any(|name| name == HEADER_SECURITY_TOKEN);
            settings.session_token_mode = if token_signed {
                SessionTokenMode::Include
            } else {
                SessionTokenMode::Exclude
            };
            parts
                .uri
                .path_and_query()
                .map_or_else(|| path.to_owned(), |pq| pq.as_str().to_owned())
        }
        AuthMode::Presigned {
            expires,
            other_query,
        } => {
            settings.signature_location = SignatureLocation::QueryParams;
            settings.expires_in = Some(*expires);
            // botocore's presigner puts the token in the signed query.
            settings.session_token_mode = SessionTokenMode::Include;
            if other_query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{other_query}")
            }
        }
    };

    let identity: Identity = Credentials::new(
        signed.credential.access_key_id.as_str(),
        key.secret_access_key.as_str(),
        signed.security_token.clone(),
        None,
        "warden-sigv4-verify",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&signed.credential.region)
        .name(&signed.credential.service)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|_| AuthError::SignatureMismatch)?
        .into();
    // Any failure here means the request cannot be put in canonical form (bad header
    // name/value or URI), so it cannot carry a valid signature.
    let request = SignableRequest::new(
        parts.method.as_str(),
        uri,
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|_| AuthError::SignatureMismatch)?;
    let (_, signature) = sign(request, &params)
        .map_err(|_| AuthError::SignatureMismatch)?
        .into_parts();
    Ok(signature)
}

/// The `Host` the client signed: the header (HTTP/1.1) or the URI authority (HTTP/2).
fn host_value(parts: &http::request::Parts) -> Result<&str, AuthError> {
    let mut hosts = parts.headers.get_all(HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(host), None) => host
            .to_str()
            .map_err(|_| incomplete("Host header must be visible ASCII.")),
        (Some(_), Some(_)) => Err(incomplete("Only one Host header is allowed.")),
        (None, _) => parts
            .uri
            .authority()
            .map(|authority| authority.as_str())
            .ok_or_else(|| incomplete("Signed header 'host' is not present in the request.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
}

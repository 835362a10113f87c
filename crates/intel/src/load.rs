//! Loading intelligence from configuration: the built-in feeds (or the fresher copies
//! `warden intel update` keeps in the data directory), the customer's threat and trusted lists
//! (local files or http(s) URLs), and geolocation databases. [`LiveIntel`] reloads lists whose
//! files changed; a list that fails to load or parses to nothing keeps its previous contents.

use crate::formats::{self, LineError, ListFormat};
use crate::geo::{Geo, GeoSource, MmdbSource, RangeTable};
use crate::{AwsRanges, Intel, ListKind, ThreatList, builtin};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// `[intel]` in the configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntelConfig {
    /// Use the built-in feeds (Tor exits and relays, malicious IPs, mining pools, AWS ranges,
    /// the GuardDuty tester's indicator domains).
    pub builtin: bool,
    /// Where `warden intel update` fetches each built-in feed (by feed name: TorExitNodes,
    /// TorRelays, WardenMaliciousIPs, WardenCryptoMining, AwsIpRanges, Maltrail). Defaults to the
    /// public sources. `Maltrail` may be a URL or path of a maltrail `.tar.gz` (GitHub's archive
    /// of stamparm/maltrail) or a local maltrail checkout directory; its trails are categorised
    /// (see `warden_intel::maltrail`) and kept in the data directory in compact form.
    pub feed_urls: std::collections::BTreeMap<String, String>,
    /// Load the categorised maltrail intelligence (C&C, sinkhole, drop point, phishing, drive-by
    /// and domain-reputation findings) with the built-in feeds. About 1.3 M entries; switch off
    /// to save memory (roughly 150 MB) and start-up time, losing those finding types.
    pub maltrail: bool,
    /// Customer threat lists (GuardDuty ThreatIntelSets).
    pub threat_lists: Vec<ListSpec>,
    /// Trusted IP lists (GuardDuty IPSets): findings involving these addresses are suppressed.
    pub trusted_lists: Vec<ListSpec>,
    pub geo: GeoConfig,
}

impl Default for IntelConfig {
    fn default() -> Self {
        IntelConfig {
            builtin: true,
            feed_urls: Default::default(),
            maltrail: true,
            threat_lists: Vec::new(),
            trusted_lists: Vec::new(),
            geo: GeoConfig::default(),
        }
    }
}

/// One list to load.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// Shown in findings as `threatListName`.
    pub name: String,
    /// A local path, an http(s) URL, or `s3://BUCKET/KEY` (signed with the environment's AWS
    /// credentials; `AWS_ENDPOINT_URL_S3` for S3-compatible stores).
    pub location: String,
    /// TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE; guessed from the content when absent.
    pub format: Option<String>,
}

impl ListSpec {
    /// Parse a command-line `[FORMAT:]FILE`.
    pub fn from_arg(arg: &str) -> ListSpec {
        let (format, location) = match arg.split_once(':') {
            Some((f, rest)) if ListFormat::from_api_name(f).is_some() => {
                (Some(f.to_string()), rest)
            }
            _ => (None, arg),
        };
        let name = Path::new(location)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| location.to_string());
        ListSpec {
            name,
            location: location.to_string(),
            format,
        }
    }
}

/// `[intel.geo]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeoConfig {
    /// MaxMind-format databases (GeoLite2, DB-IP), consulted first.
    pub mmdb: Vec<PathBuf>,
    /// CSV range tables (`start,end,country` or `start,end,asn,org`).
    pub csv: Vec<PathBuf>,
    /// The compact country + ASN tables Warden ships (open data, see crates/intel/data/README.md).
    pub builtin: bool,
}

impl Default for GeoConfig {
    fn default() -> Self {
        GeoConfig {
            mmdb: Vec::new(),
            csv: Vec::new(),
            builtin: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    #[error("{location}: {message}")]
    Fetch { location: String, message: String },
    #[error(
        "{location}: unknown list format {format:?} (expected TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE)"
    )]
    Format { location: String, format: String },
    #[error("{location}: {message}")]
    Parse { location: String, message: String },
    #[error("geo: {0}")]
    Geo(#[from] crate::geo::GeoError),
}

/// What loading said about each list.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub lists: Vec<ListReport>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ListReport {
    pub name: String,
    pub location: String,
    pub kind: ListKind,
    pub entries: usize,
    /// Bad lines, each with its line number (skipped).
    pub errors: Vec<LineError>,
}

/// Read a list's bytes from a path or an http(s) URL.
pub fn fetch(location: &str) -> Result<Vec<u8>, IntelError> {
    let err = |message: String| IntelError::Fetch {
        location: location.to_string(),
        message,
    };
    if location.starts_with("http://") || location.starts_with("https://") {
        return http_get(location, &[]).map_err(err);
    }
    if let Some(rest) = location.strip_prefix("s3://") {
        return fetch_s3(rest).map_err(err);
    }
    let path = location.strip_prefix("file://").unwrap_or(location);
    std::fs::read(path).map_err(|e| err(e.to_string()))
}

use std::io::Read as _;

fn http_get(url: &str, headers: &[(String, String)]) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.get(url);
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let resp = req
        .call()
        .map_err(|e| format!("fetch failed (offline or unreachable?): {e}"))?;
    let status = resp.status();
    let mut body = Vec::new();
    resp.into_body()
        .into_reader()
        .take(512 << 20)
        .read_to_end(&mut body)
        .map_err(|e| format!("reading response: {e}"))?;
    if !status.is_success() {
        let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
        return Err(format!("HTTP {status}: {text}"));
    }
    Ok(body)
}

/// Percent-encode an S3 key for a URL path, keeping `/`.
fn encode_key(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// GET `bucket/key` from S3, signed with Signature Version 4 using the standard environment
/// credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`),
/// Region (`AWS_REGION` / `AWS_DEFAULT_REGION`, default us-east-1) and, for S3-compatible
/// stores, endpoint (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, path-style).
fn fetch_s3(bucket_and_key: &str) -> Result<Vec<u8>, String> {
    let (url, headers) = sign_s3(&S3Settings::from_env()?, "GET", bucket_and_key, &[], &[])?;
    http_get(&url, &headers)
}

/// Where and as whom S3 requests go. Passing it explicitly (rather than reading the process
/// environment) lets a caller such as the publishing exporter use its own endpoint and keys.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// S3-compatible endpoint (path-style), e.g. `http://127.0.0.1:9000`; `None`: AWS S3.
    pub endpoint: Option<String>,
    /// Signing region (and the AWS S3 host's region).
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// For temporary credentials.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for S3Settings {
    // The secret and token never reach logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl S3Settings {
    /// The standard environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional
    /// `AWS_SESSION_TOKEN`, region `AWS_REGION` / `AWS_DEFAULT_REGION` (default us-east-1),
    /// endpoint `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`.
    pub fn from_env() -> Result<S3Settings, String> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let (Some(access), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"))
        else {
            return Err("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)".into());
        };
        Ok(S3Settings {
            endpoint: env("AWS_ENDPOINT_URL_S3").or_else(|| env("AWS_ENDPOINT_URL")),
            region: env("AWS_REGION")
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            access_key_id: access,
            secret_access_key: secret,
            session_token: env("AWS_SESSION_TOKEN"),
        })
    }
}

/// PUT `body` at `bucket/key` in S3 (credentials, region and endpoint as for `s3://` lists),
/// with extra headers that are signed too (for example server-side encryption).
pub fn put_s3(
    bucket: &str,
    key: &str,
    body: &[u8],
    extra_headers: &[(&str, &str)],
) -> Result<(), String> {
    put_s3_with(&S3Settings::from_env()?, bucket, key, body, extra_headers)
}

/// `put_s3` with explicit settings.
pub fn put_s3_with(
    settings: &S3Settings,
    bucket: &str,
    key: &str,
    body: &[u8],
    extra_headers: &[(&str, &str)],
) -> Result<(), String> {
    let (url, headers) = sign_s3(
        settings,
        "PUT",
        &format!("{bucket}/{key}"),
        body,
        extra_headers,
    )?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.put(&url);
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let resp = req
        .send(body)
        .map_err(|e| format!("upload failed (offline or unreachable?): {e}"))?;
    let status = resp.status();
    if !status.is_success() {
        let mut text = String::new();
        let _ = resp
            .into_body()
            .into_reader()
            .take(4096)
            .read_to_string(&mut text);
        let text: String = text.chars().take(300).collect();
        return Err(format!("HTTP {status}: {text}"));
    }
    Ok(())
}

/// The URL and signed headers of an S3 request.
fn sign_s3(
    settings: &S3Settings,
    method: &str,
    bucket_and_key: &str,
    body: &[u8],
    extra_headers: &[(&str, &str)],
) -> Result<(String, Vec<(String, String)>), String> {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
    };
    let (bucket, key) = bucket_and_key
        .split_once('/')
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or("expected s3://BUCKET/KEY")?;
    let region = &settings.region;
    let url = match &settings.endpoint {
        Some(ep) => format!("{}/{bucket}/{}", ep.trim_end_matches('/'), encode_key(key)),
        None => format!(
            "https://{bucket}.s3.{region}.amazonaws.com/{}",
            encode_key(key)
        ),
    };
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_default()
        .to_string();
    let identity = aws_credential_types::Credentials::new(
        settings.access_key_id.as_str(),
        settings.secret_access_key.as_str(),
        settings.session_token.clone(),
        None,
        "environment",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(std::time::SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| format!("signing: {e}"))?
        .into();
    let mut to_sign: Vec<(&str, &str)> = vec![("host", host.as_str())];
    to_sign.extend_from_slice(extra_headers);
    let signable = SignableRequest::new(
        method,
        url.as_str(),
        to_sign.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("signing: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("signing: {e}"))?
        .into_parts();
    let mut headers: Vec<(String, String)> = instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    headers.extend(
        extra_headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    Ok((url, headers))
}

/// Parse bytes as a list of the given (or detected) format.
pub fn parse_list(
    spec: &ListSpec,
    bytes: &[u8],
    kind: ListKind,
) -> Result<(ThreatList, Vec<LineError>), IntelError> {
    let format = match &spec.format {
        Some(f) => ListFormat::from_api_name(f).ok_or_else(|| IntelError::Format {
            location: spec.location.clone(),
            format: f.clone(),
        })?,
        None => ListFormat::detect(bytes, Some(&spec.location)),
    };
    let parsed = formats::parse(format, bytes, kind != ListKind::Trusted);
    Ok((
        ThreatList::from_parsed(&spec.name, kind, &parsed),
        parsed.errors,
    ))
}

fn load_spec(spec: &ListSpec, kind: ListKind) -> Result<(ThreatList, Vec<LineError>), IntelError> {
    let bytes = fetch(&spec.location)?;
    parse_list(spec, &bytes, kind)
}

/// Where `warden intel update` keeps fresh copies of the built-in feeds.
pub fn feed_cache(data_dir: &Path, feed: &str) -> PathBuf {
    data_dir.join("intel").join(feed)
}

/// Build the intelligence the configuration asks for. Lists that fail to load are reported, not
/// fatal; only a broken geolocation database named in the configuration is an error.
pub fn load(
    config: &IntelConfig,
    data_dir: Option<&Path>,
) -> Result<(Intel, LoadReport), IntelError> {
    let mut report = LoadReport::default();
    let mut threat = Vec::new();
    let mut aws = AwsRanges::default();
    if config.builtin {
        for feed in builtin::FEEDS {
            let cached = data_dir
                .map(|d| feed_cache(d, feed.name))
                .and_then(|p| std::fs::read(p).ok());
            let (bytes, location) = match cached {
                Some(b) => (b, format!("{} (updated copy)", feed.name)),
                None => (
                    feed.snapshot(),
                    format!("{} (built-in snapshot)", feed.name),
                ),
            };
            let spec = ListSpec {
                name: feed.name.into(),
                location: location.clone(),
                format: Some("TXT".into()),
            };
            let (list, errors) = parse_list(&spec, &bytes, feed.kind)?;
            report.lists.push(ListReport {
                name: feed.name.into(),
                location,
                kind: feed.kind,
                entries: list.len(),
                errors,
            });
            threat.push(list);
        }
        if config.maltrail {
            let cached = data_dir
                .map(|d| feed_cache(d, builtin::MALTRAIL_NAME))
                .and_then(|p| std::fs::read(p).ok());
            let from_cache = cached.is_some();
            let bytes = cached.unwrap_or_else(|| builtin::maltrail_snapshot_gz().to_vec());
            let (mut list, mut errors, mut bad) =
                crate::maltrail::parse_compact(builtin::MALTRAIL_NAME, &bytes);
            let mut location = format!("{} (updated copy)", builtin::MALTRAIL_NAME);
            if from_cache && list.is_empty() {
                report.warnings.push(format!(
                    "updated maltrail copy unusable ({} bad lines); using the built-in snapshot",
                    bad
                ));
                (list, errors, bad) = crate::maltrail::parse_compact(
                    builtin::MALTRAIL_NAME,
                    builtin::maltrail_snapshot_gz(),
                );
                location = format!("{} (built-in snapshot)", builtin::MALTRAIL_NAME);
            } else if !from_cache {
                location = format!("{} (built-in snapshot)", builtin::MALTRAIL_NAME);
            }
            if bad > errors.len() as u64 {
                report.warnings.push(format!(
                    "{}: {bad} bad lines, the first {} listed",
                    builtin::MALTRAIL_NAME,
                    errors.len()
                ));
            }
            report.lists.push(ListReport {
                name: builtin::MALTRAIL_NAME.into(),
                location,
                kind: ListKind::Categorised,
                entries: list.len(),
                errors,
            });
            threat.push(list);
        }
        let tester = builtin::tester_list();
        report.lists.push(ListReport {
            name: tester.name.to_string(),
            location: "built-in".into(),
            kind: tester.kind,
            entries: tester.len(),
            errors: vec![],
        });
        threat.push(tester);
        let cached = data_dir
            .map(|d| feed_cache(d, "AwsIpRanges"))
            .and_then(|p| std::fs::read(p).ok());
        let parsed = cached.as_deref().map(AwsRanges::parse);
        aws = match parsed {
            Some(Ok(r)) => r,
            other => {
                if let Some(Err(e)) = other {
                    report.warnings.push(format!(
                        "updated AWS ranges unreadable ({e}); using the built-in snapshot"
                    ));
                }
                AwsRanges::parse(&builtin::aws_ranges_snapshot())
                    .expect("built-in AWS ranges parse (checked by a test)")
            }
        };
    }
    let mut trusted = Vec::new();
    for (specs, kind, out) in [
        (&config.threat_lists, ListKind::Custom, &mut threat),
        (&config.trusted_lists, ListKind::Trusted, &mut trusted),
    ] {
        for spec in specs {
            match load_spec(spec, kind) {
                Ok((list, errors)) => {
                    report.lists.push(ListReport {
                        name: spec.name.clone(),
                        location: spec.location.clone(),
                        kind,
                        entries: list.len(),
                        errors,
                    });
                    out.push(list);
                }
                Err(e) => report
                    .warnings
                    .push(format!("list {} not loaded: {e}", spec.name)),
            }
        }
    }
    let mut sources: Vec<Box<dyn GeoSource>> = Vec::new();
    for p in &config.geo.mmdb {
        sources.push(Box::new(MmdbSource::open(p)?));
    }
    for p in &config.geo.csv {
        let f = std::fs::File::open(p).map_err(|e| IntelError::Fetch {
            location: p.display().to_string(),
            message: e.to_string(),
        })?;
        let (table, bad) = RangeTable::load_csv(f, &p.display().to_string())?;
        if !bad.is_empty() {
            report.warnings.push(format!(
                "{}: {} bad line(s) skipped, first: {}",
                p.display(),
                bad.len(),
                bad[0]
            ));
        }
        sources.push(Box::new(table));
    }
    let mut geo = Geo::new(sources);
    if config.geo.builtin {
        geo = geo.with_builtin()?;
    }
    Ok((Intel::new(threat, trusted, aws, Some(geo)), report))
}

/// Intelligence that reloads customer lists when their files change. A reload that fails, or
/// yields an empty list from a file with errors, keeps the list's previous contents.
pub struct LiveIntel {
    current: RwLock<Arc<Intel>>,
    stamps: RwLock<Vec<(String, Option<SystemTime>)>>,
    config: IntelConfig,
    data_dir: Option<PathBuf>,
}

fn stamp(location: &str) -> Option<SystemTime> {
    std::fs::metadata(location).and_then(|m| m.modified()).ok()
}

impl LiveIntel {
    pub fn load(
        config: IntelConfig,
        data_dir: Option<PathBuf>,
    ) -> Result<(Self, LoadReport), IntelError> {
        let (intel, report) = load(&config, data_dir.as_deref())?;
        let stamps = config
            .threat_lists
            .iter()
            .chain(&config.trusted_lists)
            .map(|s| (s.location.clone(), stamp(&s.location)))
            .collect();
        Ok((
            LiveIntel {
                current: RwLock::new(Arc::new(intel)),
                stamps: RwLock::new(stamps),
                config,
                data_dir,
            },
            report,
        ))
    }

    /// The intelligence to use now.
    pub fn get(&self) -> Arc<Intel> {
        self.current.read().expect("intel lock").clone()
    }

    /// Reload if a list file changed. Returns the report when a reload happened.
    pub fn refresh(&self) -> Result<Option<LoadReport>, IntelError> {
        let now: Vec<(String, Option<SystemTime>)> = self
            .config
            .threat_lists
            .iter()
            .chain(&self.config.trusted_lists)
            .map(|s| (s.location.clone(), stamp(&s.location)))
            .collect();
        if *self.stamps.read().expect("intel lock") == now {
            return Ok(None);
        }
        let (mut fresh, mut report) = load(&self.config, self.data_dir.as_deref())?;
        let old = self.get();
        // Keep the previous contents of any customer list that failed or came back empty with errors.
        for spec in self
            .config
            .threat_lists
            .iter()
            .chain(&self.config.trusted_lists)
        {
            let bad = match report.lists.iter().find(|l| l.name == spec.name) {
                None => true,
                Some(l) => l.entries == 0 && !l.errors.is_empty(),
            };
            if bad && fresh.replace_list_from(&old, &spec.name) {
                report.warnings.push(format!(
                    "list {}: reload failed; keeping the previously loaded entries",
                    spec.name
                ));
            }
        }
        *self.current.write().expect("intel lock") = Arc::new(fresh);
        *self.stamps.write().expect("intel lock") = now;
        Ok(Some(report))
    }
}

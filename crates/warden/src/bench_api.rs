//! `warden bench-api`: a bounded load test of `warden serve` on loopback.
//!
//! Fills a data directory with N generated findings (default 100,000) written through the
//! SQLite store the way a scan writes them, starts the real server in this process on
//! 127.0.0.1 (an ephemeral port), sets accounts up through the API itself (access keys from
//! the keys API, detectors, an administrator with three Enabled members, so one detector's view
//! covers findings of four accounts), then runs a fixed number of SigV4-signed requests per
//! scenario from C concurrent clients (one thread and one keep-alive connection each):
//!
//! * ListFindings with criteria (severity, type, updatedAt range) sorted by severity, first
//!   page, with 1 and with C clients, and whole walks of the first pages by `nextToken`;
//! * ListFindings without criteria;
//! * GetFindings of 50 ids;
//! * GetFindingsStatistics, COUNT_BY_SEVERITY and groupBy FINDING_TYPE;
//! * a reference measured in the same run: the same ListFindings query run in-process on a
//!   `FindingTable` loaded from the same store (no HTTP, no SigV4, no lock), one thread.
//!
//! Latency is measured by the client from writing the request to reading the whole answer
//! (signing happens before, checking the answer after). Clients and server share the
//! machine's cores, so C clients above the core count measure queueing too.

use anyhow::{Context, bail};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use clap::Args;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};
use warden_model::Finding;
use warden_model::criteria::{CompiledCriteria, CompiledSort, FindingCriteria, FindingTable};
use warden_model::sample::{SampleContext, sample_finding, sample_types};
use warden_model::time::{format_timestamp, now_millis};
use warden_server::{App, ServerConfig};
use warden_store::{Commit, FindingStore, SqliteStore};

/// The region every account's detector is in (the signatures' region).
const REGION: &str = "us-east-1";
/// Findings in other regions exist too; a caller in `REGION` does not see them.
const OTHER_REGIONS: [&str; 2] = ["eu-west-1", "ap-southeast-2"];
const ADMIN: &str = "111122223333";
const MEMBERS: [&str; 3] = ["222233334444", "333344445555", "444455556666"];
/// Findings written per store commit (a scan commits in batches too).
const BATCH: usize = 2_000;
/// Pages a client walks by `nextToken` before starting again from the first.
const WALK_PAGES: usize = 10;
/// Ids per GetFindings request (GuardDuty's maximum).
const GET_IDS: usize = 50;

#[derive(Args, Debug, Clone)]
pub struct BenchApiArgs {
    /// Findings to generate and store.
    #[arg(long, default_value_t = 100_000)]
    pub findings: usize,
    /// Concurrent clients (each a thread with one keep-alive connection), 1 to 64.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Requests per scenario, shared among the clients (1 to 1,000,000).
    #[arg(long, default_value_t = 1_000)]
    pub requests: usize,
    /// Seed of the generated findings.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Data directory to fill (must be empty or absent; kept afterwards). Without it a
    /// temporary directory is used and removed at the end.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Print the results as JSON too.
    #[arg(long)]
    pub json: bool,
}

/// The figures of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub name: String,
    pub clients: usize,
    pub requests: usize,
    /// Requests answered with anything but 200 and the expected shape.
    pub failed: usize,
    /// The first failure, to say what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<String>,
    pub seconds: f64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// CPU time of this whole process (server and clients) per request, from /proc: unlike
    /// latency, it leaves out time spent waiting for a core on a busy machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_ms_per_request: Option<f64>,
    /// p50 against the in-process reference of the same query (ListFindings with criteria).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_vs_reference: Option<f64>,
    /// CPU per request against the in-process reference's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_vs_reference: Option<f64>,
}

/// Everything `warden bench-api` measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Findings the store holds after writing (read back for the reference).
    pub findings_stored: usize,
    /// Of those, the ones the administrator's detector sees (its region, its accounts).
    pub findings_visible: usize,
    /// How many of the visible findings the criteria scenario matches.
    pub criteria_hits: usize,
    /// Findings generated (all are kept unless a detector's policy drops some).
    pub findings_generated: usize,
    pub generate_seconds: f64,
    /// The first findings request after the findings were written (a GetFindingsStatistics;
    /// the server reads them all from the store's change sequence then).
    pub first_refresh_ms: f64,
    pub scenarios: Vec<Scenario>,
    /// Resident memory of this process (server, clients, generator) after the HTTP scenarios.
    pub vm_rss_kb: Option<u64>,
    pub vm_hwm_kb: Option<u64>,
    /// `/proc/loadavg` (1, 5, 15 minutes) when the run started and ended.
    pub load_average_start: Option<[f64; 3]>,
    pub load_average_end: Option<[f64; 3]>,
    pub cpus: usize,
}

fn load_average() -> Option<[f64; 3]> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = s.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// `VmRSS` and `VmHWM` of this process, in kB.
fn memory_kb() -> (Option<u64>, Option<u64>) {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else {
        return (None, None);
    };
    let field = |name: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU time of this process so far, in ms (clock ticks of 10 ms).
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 * 10.0)
}

/// SplitMix64: a small seeded generator, so the corpus is the same for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---- generation ----

/// Who the generated findings belong to, and the ids the GetFindings scenario asks for.
struct Corpus {
    /// Findings generated and committed.
    stored: usize,
    visible_ids: Vec<String>,
}

fn set_ip(details: &mut Option<warden_model::finding::RemoteIpDetails>, ip: &str) {
    if let Some(d) = details {
        d.ip_address_v4 = Some(ip.to_string());
    }
}

/// A public-looking IPv4 address from a pool of about 20,000, so some repeat.
fn remote_ip(rng: &mut Rng) -> String {
    let n = rng.below(20_000) as u32;
    let first = [23u32, 45, 62, 89, 104, 141, 185, 193, 203, 212][(n % 10) as usize];
    format!(
        "{first}.{}.{}.{}",
        (n / 10) % 256,
        (n / 2560) % 256,
        n % 251 + 1
    )
}

/// One finding: a sample of a type (the shape a real detection of that type has) varied in
/// everything a query or a client would tell apart.
fn vary(
    template: &Finding,
    i: usize,
    rng: &mut Rng,
    now: i64,
    detectors: &[(String, String)],
) -> Finding {
    let mut f = template.clone();
    let (account, region) = {
        let a = rng.below(100);
        let account = match a {
            0..55 => ADMIN,
            55..70 => MEMBERS[0],
            70..85 => MEMBERS[1],
            _ => MEMBERS[2],
        };
        let r = rng.below(100);
        let region = match r {
            0..85 => REGION,
            85..95 => OTHER_REGIONS[0],
            _ => OTHER_REGIONS[1],
        };
        (account, region)
    };
    // The account's detector (in REGION; findings of other regions are outside every view
    // here, so which detector id they carry does not matter to the queries).
    let detector = detectors
        .iter()
        .find(|(a, _)| a == account)
        .map(|(_, d)| d.clone())
        .unwrap_or_default();
    let id = format!("{:016x}{:016x}", rng.next(), i as u64);
    f.arn = format!("arn:aws:guardduty:{region}:{account}:detector/{detector}/finding/{id}");
    f.id = id;
    f.account_id = account.to_string();
    f.region = region.to_string();
    f.service.detector_id = detector;
    // Severity around the type's own, one decimal, within GuardDuty's 1.0-8.9.
    let jitter = (rng.below(21) as f64 - 10.0) / 10.0;
    f.severity = ((f.severity + jitter) * 10.0).round().clamp(10.0, 89.0) / 10.0;
    // Most findings seen once or a few times, some thousands of times.
    f.service.count = 1 + (rng.unit().powi(4) * 5_000.0) as i64;
    let day = 86_400_000i64;
    let created = now - (rng.unit() * 90.0 * day as f64) as i64;
    let updated = (created + (rng.unit() * 7.0 * day as f64) as i64).min(now);
    f.created_at = format_timestamp(created);
    f.updated_at = format_timestamp(updated);
    f.service.event_first_seen = format_timestamp(created - rng.below(3_600_000) as i64);
    f.service.event_last_seen = format_timestamp(updated);
    f.service.archived = rng.below(100) < 5;
    if let Some(d) = f.resource.instance_details.as_mut() {
        d.instance_id = Some(format!("i-{:017x}", rng.below(5_000)));
    }
    if let Some(d) = f.resource.access_key_details.as_mut() {
        let k = rng.below(300);
        d.access_key_id = Some(format!("ASIA{k:016X}"));
        d.user_name = Some(format!("user-{k}"));
    }
    let ip = remote_ip(rng);
    let a = &mut f.service.action;
    if let Some(x) = a.aws_api_call_action.as_mut() {
        set_ip(&mut x.remote_ip_details, &ip);
    }
    if let Some(x) = a.network_connection_action.as_mut() {
        set_ip(&mut x.remote_ip_details, &ip);
    }
    if let Some(x) = a.kubernetes_api_call_action.as_mut() {
        set_ip(&mut x.remote_ip_details, &ip);
    }
    if let Some(x) = a.rds_login_attempt_action.as_mut() {
        set_ip(&mut x.remote_ip_details, &ip);
    }
    if let Some(x) = a.port_probe_action.as_mut() {
        for d in &mut x.port_probe_details {
            set_ip(&mut d.remote_ip_details, &ip);
        }
    }
    f
}

/// Generate `n` findings and commit them in batches, with one counted event each, the way
/// the scan's aggregator commits (`preserve_triage`).
fn fill(
    data_dir: &Path,
    n: usize,
    seed: u64,
    detectors: &[(String, String)],
) -> anyhow::Result<Corpus> {
    let now = now_millis();
    let types: Vec<&str> = sample_types().collect();
    let templates: Vec<Finding> = types
        .iter()
        .filter_map(|t| sample_finding(t, &SampleContext::new(ADMIN, REGION, "template", now)))
        .collect();
    if templates.is_empty() {
        bail!("no sample finding types to build findings from");
    }
    let mut rng = Rng(seed);
    let mut store = SqliteStore::open(data_dir)?;
    let mut visible_ids = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut i = 0;
    while i < n {
        batch.clear();
        while batch.len() < BATCH && i < n {
            // Skewed towards the first types, as real detections are (a few types dominate).
            let t = (rng.unit().powi(2) * templates.len() as f64) as usize;
            let f = vary(
                &templates[t.min(templates.len() - 1)],
                i,
                &mut rng,
                now,
                detectors,
            );
            if f.region == REGION {
                visible_ids.push(f.id.clone());
            }
            batch.push(f);
            i += 1;
        }
        let events: Vec<(String, i64)> = batch
            .iter()
            .map(|f| {
                let t = warden_model::time::parse_timestamp(&f.updated_at).unwrap_or(now);
                (format!("bench-event-{}", f.id), t)
            })
            .collect();
        store.commit(Commit {
            findings: batch.iter().collect(),
            events: batch
                .iter()
                .zip(&events)
                .map(|(f, (e, t))| (f.id.as_str(), e.as_str(), *t))
                .collect(),
            preserve_triage: true,
        })?;
    }
    Ok(Corpus {
        stored: n,
        visible_ids,
    })
}

// ---- client ----

/// An access key and the signing settings the SDKs use for GuardDuty.
#[derive(Clone)]
struct Signer {
    access_key_id: String,
    secret: String,
    host: String,
}

impl Signer {
    /// The headers to add: `x-amz-date` and `authorization`.
    fn sign(&self, method: &str, path: &str, body: &[u8]) -> anyhow::Result<Vec<(String, String)>> {
        let identity: Identity = Credentials::new(
            &self.access_key_id,
            &self.secret,
            None,
            None,
            "warden-bench-api",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(REGION)
            .name("guardduty")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .context("signing parameters")?
            .into();
        let headers = [
            ("host", self.host.as_str()),
            ("content-type", "application/json"),
        ];
        let uri = format!("http://{}{path}", self.host);
        let signable = SignableRequest::new(
            method,
            uri,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .context("signable request")?;
        let (instructions, _) = sign(signable, &params).context("signing")?.into_parts();
        Ok(instructions
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }
}

/// One keep-alive HTTP/1.1 connection (a minimal client: the server always answers with a
/// `content-length`).
struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Conn {
    fn new(addr: SocketAddr) -> Self {
        Conn {
            addr,
            stream: None,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    /// Send the request; a connection the server closed while idle is reopened once.
    fn send(&mut self, request: &[u8]) -> anyhow::Result<Answer> {
        match self.try_send(request) {
            Ok(a) => Ok(a),
            Err(_) if self.stream.take().is_some() => self.try_send(request),
            Err(e) => Err(e),
        }
    }

    fn try_send(&mut self, request: &[u8]) -> anyhow::Result<Answer> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr)
                .with_context(|| format!("connecting to {}", self.addr))?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(120)))?;
            self.stream = Some(s);
        }
        let result = self.exchange(request);
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    fn exchange(&mut self, request: &[u8]) -> anyhow::Result<Answer> {
        let Some(stream) = self.stream.as_mut() else {
            bail!("not connected");
        };
        stream.write_all(request)?;
        self.buf.clear();
        let mut chunk = [0u8; 16 * 1024];
        let header_end = loop {
            if let Some(p) = find(&self.buf, b"\r\n\r\n") {
                break p + 4;
            }
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                bail!("the server closed the connection");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = std::str::from_utf8(&self.buf[..header_end]).context("response head")?;
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("response status line")?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())
                    .flatten()
            })
            .context("response without content-length")?;
        while self.buf.len() < header_end + length {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                bail!("the server closed the connection mid-answer");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok(Answer {
            status,
            body: self.buf[header_end..header_end + length].to_vec(),
        })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A signed request, ready to write.
fn request(signer: &Signer, method: &str, path: &str, body: &Value) -> anyhow::Result<Vec<u8>> {
    let body = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body)?
    };
    let mut out = format!(
        "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        signer.host,
        body.len()
    );
    for (k, v) in signer.sign(method, path, &body)? {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// One untimed call (set-up), which must succeed.
fn call(
    conn: &mut Conn,
    signer: &Signer,
    method: &str,
    path: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let answer = conn.send(&request(signer, method, path, &body)?)?;
    let text = String::from_utf8_lossy(&answer.body);
    if answer.status != 200 {
        bail!("{method} {path}: HTTP {}: {text}", answer.status);
    }
    serde_json::from_str(&text).with_context(|| format!("{method} {path}: answer is not JSON"))
}

// ---- scenarios ----

/// What a client keeps between its requests (the page walk).
#[derive(Default)]
struct ClientState {
    next_token: Option<String>,
    page: usize,
    rng: u64,
}

/// One request of a scenario: what to send and how to check the answer.
trait Load: Sync {
    fn body(&self, state: &mut ClientState) -> Value;
    /// Check the answer; `Err` counts the request as failed.
    fn check(&self, state: &mut ClientState, answer: &Value) -> Result<(), String>;
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank.
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

fn summarize(
    name: &str,
    clients: usize,
    mut latencies: Vec<Duration>,
    failures: Vec<String>,
    elapsed: Duration,
) -> Scenario {
    latencies.sort_unstable();
    let requests = latencies.len();
    let seconds = elapsed.as_secs_f64();
    Scenario {
        name: name.to_string(),
        clients,
        requests,
        failed: failures.len(),
        first_failure: failures.into_iter().next(),
        seconds,
        requests_per_sec: if seconds > 0.0 {
            requests as f64 / seconds
        } else {
            0.0
        },
        p50_ms: percentile(&latencies, 0.50),
        p90_ms: percentile(&latencies, 0.90),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        cpu_ms_per_request: None,
        p50_vs_reference: None,
        cpu_vs_reference: None,
    }
}

/// Set the CPU time per request from the process CPU time before and after.
fn with_cpu(mut s: Scenario, before: Option<f64>) -> Scenario {
    if let (Some(a), Some(b)) = (before, cpu_ms()) {
        s.cpu_ms_per_request = Some((b - a) / s.requests.max(1) as f64);
    }
    s
}

struct Target {
    addr: SocketAddr,
    signer: Signer,
    path: String,
}

/// Run `requests` requests of `load` from `clients` threads; each thread claims the next
/// request number until all are taken.
fn run_scenario(
    name: &str,
    target: &Target,
    clients: usize,
    requests: usize,
    load: &dyn Load,
) -> Scenario {
    let next = AtomicUsize::new(0);
    let cpu = cpu_ms();
    let started = Instant::now();
    let results: Vec<(Vec<Duration>, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let next = &next;
                s.spawn(move || {
                    let mut conn = Conn::new(target.addr);
                    let mut state = ClientState {
                        rng: c as u64 + 1,
                        ..ClientState::default()
                    };
                    let mut lat = Vec::new();
                    let mut failures = Vec::new();
                    while next.fetch_add(1, Ordering::Relaxed) < requests {
                        let body = load.body(&mut state);
                        let req = match request(&target.signer, "POST", &target.path, &body) {
                            Ok(r) => r,
                            Err(e) => {
                                failures.push(format!("signing: {e:#}"));
                                continue;
                            }
                        };
                        let t = Instant::now();
                        let answer = conn.send(&req);
                        lat.push(t.elapsed());
                        let outcome = match answer {
                            Err(e) => Err(format!("{e:#}")),
                            Ok(a) if a.status != 200 => Err(format!(
                                "HTTP {}: {}",
                                a.status,
                                String::from_utf8_lossy(&a.body)
                            )),
                            Ok(a) => serde_json::from_slice::<Value>(&a.body)
                                .map_err(|e| format!("answer is not JSON: {e}"))
                                .and_then(|v| load.check(&mut state, &v)),
                        };
                        if let Err(e) = outcome {
                            state.next_token = None;
                            failures.push(e);
                        }
                    }
                    (lat, failures)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| (Vec::new(), vec!["client thread panicked".into()]))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    let mut lat = Vec::new();
    let mut failures = Vec::new();
    for (l, f) in results {
        lat.extend(l);
        failures.extend(f);
    }
    with_cpu(summarize(name, clients, lat, failures, elapsed), cpu)
}

/// The criteria of the ListFindings scenarios: what a console user triaging recent,
/// non-trivial findings asks (severity ≥ 4, not two noisy types, updated in the last 60 days).
fn criteria(now: i64, noisy: &[String]) -> Value {
    json!({
        "criterion": {
            "severity": {"greaterThanOrEqual": 4},
            "type": {"notEquals": noisy},
            "updatedAt": {"greaterThanOrEqual": now - 60 * 86_400_000i64, "lessThanOrEqual": now},
        }
    })
}

fn sort_by_severity() -> Value {
    json!({"attributeName": "severity", "orderBy": "DESC"})
}

fn ids_of(answer: &Value) -> Result<&Vec<Value>, String> {
    answer["findingIds"]
        .as_array()
        .ok_or_else(|| "no findingIds in the answer".to_string())
}

/// ListFindings, first page only.
struct ListFirst {
    body: Value,
    /// Whether the answer must be a full page (the query matches more than a page).
    full: bool,
}

impl Load for ListFirst {
    fn body(&self, _: &mut ClientState) -> Value {
        self.body.clone()
    }
    fn check(&self, _: &mut ClientState, answer: &Value) -> Result<(), String> {
        let n = ids_of(answer)?.len();
        if self.full && n != 50 {
            return Err(format!("expected a page of 50 ids, got {n}"));
        }
        Ok(())
    }
}

/// ListFindings walking pages 1..=WALK_PAGES by nextToken, then from the first again.
struct ListWalk {
    body: Value,
}

impl Load for ListWalk {
    fn body(&self, state: &mut ClientState) -> Value {
        let mut b = self.body.clone();
        if let Some(t) = &state.next_token {
            b["nextToken"] = json!(t);
        }
        b
    }
    fn check(&self, state: &mut ClientState, answer: &Value) -> Result<(), String> {
        if ids_of(answer)?.is_empty() {
            return Err(format!("page {} is empty", state.page + 1));
        }
        state.page += 1;
        state.next_token = answer["nextToken"].as_str().map(str::to_string);
        if state.page >= WALK_PAGES || state.next_token.is_none() {
            state.page = 0;
            state.next_token = None;
        }
        Ok(())
    }
}

/// GetFindings of GET_IDS ids picked at random among the visible findings.
struct Get<'a> {
    ids: &'a [String],
}

impl Load for Get<'_> {
    fn body(&self, state: &mut ClientState) -> Value {
        let mut rng = Rng(state.rng);
        let ids: Vec<&str> = (0..GET_IDS)
            .map(|_| self.ids[rng.below(self.ids.len() as u64) as usize].as_str())
            .collect();
        state.rng = rng.next();
        json!({"findingIds": ids})
    }
    fn check(&self, _: &mut ClientState, answer: &Value) -> Result<(), String> {
        let n = answer["findings"].as_array().map_or(0, Vec::len);
        // Ids may repeat within a request; every distinct one is visible, so some come back.
        if n == 0 {
            return Err("GetFindings returned no findings".into());
        }
        Ok(())
    }
}

struct Stats {
    body: Value,
    member: &'static str,
}

impl Load for Stats {
    fn body(&self, _: &mut ClientState) -> Value {
        self.body.clone()
    }
    fn check(&self, _: &mut ClientState, answer: &Value) -> Result<(), String> {
        let s = &answer["findingStatistics"][self.member];
        let non_empty = s.as_object().is_some_and(|o| !o.is_empty())
            || s.as_array().is_some_and(|a| !a.is_empty());
        if !non_empty {
            return Err(format!("findingStatistics.{} is empty", self.member));
        }
        Ok(())
    }
}

/// The reference: the same query on a table in this thread (parse, scope, compile, list).
/// Also returns how many findings matched and how many the store holds.
fn reference(
    data_dir: &Path,
    body: &Value,
    requests: usize,
) -> anyhow::Result<(Scenario, usize, usize)> {
    let store = SqliteStore::open(data_dir)?;
    let (_, all) = store.changed_since(0)?;
    let mut table = FindingTable::new();
    for f in all {
        table.upsert(f);
    }
    let accounts: Vec<String> = std::iter::once(ADMIN)
        .chain(MEMBERS)
        .map(str::to_string)
        .collect();
    let mut lat = Vec::with_capacity(requests);
    let mut hits = 0;
    let cpu = cpu_ms();
    let started = Instant::now();
    for _ in 0..requests {
        let t = Instant::now();
        let user: FindingCriteria = serde_json::from_value(body["findingCriteria"].clone())?;
        let scoped = warden_server::findings::scoped(Some(user), &accounts, REGION);
        let crit = CompiledCriteria::compile(&scoped)?;
        let sort =
            CompiledSort::compile(Some(&serde_json::from_value(body["sortCriteria"].clone())?))?;
        let page = table.list(&crit, &sort, 0, 50);
        let ids: Vec<&str> = page.findings.iter().map(|f| f.id.as_str()).collect();
        lat.push(t.elapsed());
        hits = page.total;
        std::hint::black_box(ids);
    }
    let s = with_cpu(
        summarize(
            "reference: same ListFindings criteria query in-process on the table (no HTTP)",
            1,
            lat,
            Vec::new(),
            started.elapsed(),
        ),
        cpu,
    );
    Ok((s, hits, table.len()))
}

/// Removes the temporary data directory however the run ends.
struct TempDir(Option<PathBuf>);

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

pub fn measure(args: &BenchApiArgs) -> anyhow::Result<Report> {
    if !(1..=64).contains(&args.clients) {
        bail!("--clients must be 1 to 64, not {}", args.clients);
    }
    if !(1..=1_000_000).contains(&args.requests) {
        bail!("--requests must be 1 to 1,000,000, not {}", args.requests);
    }
    if !(1..=10_000_000).contains(&args.findings) {
        bail!("--findings must be 1 to 10,000,000, not {}", args.findings);
    }
    let load_average_start = load_average();
    let (data_dir, _cleanup) = match &args.data_dir {
        Some(d) => {
            if d.exists() && std::fs::read_dir(d)?.next().is_some() {
                bail!(
                    "--data-dir {} is not empty; give an empty or new directory",
                    d.display()
                );
            }
            (d.clone(), TempDir(None))
        }
        None => {
            let d = std::env::temp_dir().join(format!(
                "warden-bench-api-{}-{}",
                std::process::id(),
                now_millis()
            ));
            (d.clone(), TempDir(Some(d)))
        }
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;

    // Keys through the keys API, as `warden keys create` makes them.
    let mut signers = Vec::new();
    {
        let mut store = SqliteStore::open(&data_dir)?;
        let now = format_timestamp(now_millis());
        for account in std::iter::once(ADMIN).chain(MEMBERS) {
            let k =
                warden_server::keys::generate(account, &now, warden_server::auth::KeyRole::Member);
            store.put_access_key(&k)?;
            signers.push(Signer {
                access_key_id: k.access_key_id,
                secret: k.secret_access_key,
                host: String::new(),
            });
        }
    }

    // The real server, in this process, on an ephemeral loopback port.
    let config = ServerConfig {
        data_dir: data_dir.clone(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..ServerConfig::default()
    };
    let app = App::open(&config).context("opening the server's data directory")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(config.listen))
        .context("binding 127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = rt.spawn({
        let config = config.clone();
        async move {
            warden_server::serve_on(listener, &config, app, async {
                let _ = stopped.await;
            })
            .await
        }
    });
    for s in &mut signers {
        s.host = addr.to_string();
    }

    // Accounts through the API: a detector each, the administrator invites the three members
    // and each accepts, so the administrator's detector sees all four accounts' findings.
    let mut conn = Conn::new(addr);
    let mut detectors = Vec::new();
    for (account, signer) in std::iter::once(ADMIN).chain(MEMBERS).zip(&signers) {
        let d = call(
            &mut conn,
            signer,
            "POST",
            "/detector",
            json!({"enable": true}),
        )?;
        let id = d["detectorId"]
            .as_str()
            .context("CreateDetector: no detectorId")?
            .to_string();
        detectors.push((account.to_string(), id));
    }
    let admin_detector = detectors[0].1.clone();
    let details: Vec<Value> = MEMBERS
        .iter()
        .map(|a| json!({"accountId": a, "email": format!("security+{a}@example.com")}))
        .collect();
    let member_path = format!("/detector/{admin_detector}/member");
    call(
        &mut conn,
        &signers[0],
        "POST",
        &member_path,
        json!({"accountDetails": details}),
    )?;
    call(
        &mut conn,
        &signers[0],
        "POST",
        &format!("{member_path}/invite"),
        json!({"accountIds": MEMBERS}),
    )?;
    for (m, signer) in signers.iter().enumerate().skip(1) {
        let inv = call(&mut conn, signer, "GET", "/invitation", Value::Null)?;
        let id = inv["invitations"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["accountId"] == ADMIN))
            .and_then(|i| i["invitationId"].as_str())
            .context("ListInvitations: no invitation from the administrator")?
            .to_string();
        call(
            &mut conn,
            signer,
            "POST",
            &format!("/detector/{}/administrator", detectors[m].1),
            json!({"administratorId": ADMIN, "invitationId": id}),
        )?;
    }

    eprintln!(
        "warden bench-api: writing {} findings into {}",
        args.findings,
        data_dir.display()
    );
    let t = Instant::now();
    let corpus = fill(&data_dir, args.findings, args.seed, &detectors)?;
    let generate_seconds = t.elapsed().as_secs_f64();
    if corpus.visible_ids.is_empty() {
        bail!(
            "none of the {} findings is in {REGION}; use more findings",
            corpus.stored
        );
    }

    let target = Target {
        addr,
        signer: signers[0].clone(),
        path: format!("/detector/{admin_detector}/findings"),
    };
    let now = now_millis();
    // The two most common types are the "noisy" ones the criteria leave out.
    // That statistics call is the first findings request after writing: the server reads
    // every new finding from the store's change sequence then, and its time is reported.
    let t = Instant::now();
    let noisy: Vec<String> = {
        let mut counts = std::collections::HashMap::<String, usize>::new();
        let probe = call(
            &mut conn,
            &signers[0],
            "POST",
            &format!("{}/statistics", target.path),
            json!({"groupBy": "FINDING_TYPE", "orderBy": "DESC", "maxResults": 2}),
        )?;
        for g in probe["findingStatistics"]["groupedByFindingType"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let (Some(t), Some(n)) = (g["findingType"].as_str(), g["totalFindings"].as_u64()) {
                counts.insert(t.to_string(), n as usize);
            }
        }
        counts.into_keys().collect()
    };
    let first_refresh_ms = t.elapsed().as_secs_f64() * 1e3;
    let crit = criteria(now, &noisy);
    let criteria_body = json!({
        "findingCriteria": crit,
        "sortCriteria": sort_by_severity(),
        "maxResults": 50,
    });

    let first = call(
        &mut conn,
        &signers[0],
        "POST",
        &target.path,
        criteria_body.clone(),
    )?;
    let full = ids_of(&first).map_err(anyhow::Error::msg)?.len() == 50;
    drop(conn);

    let c = args.clients;
    let n = args.requests;
    let mut scenarios = Vec::new();
    let list_first = ListFirst {
        body: criteria_body.clone(),
        full,
    };
    scenarios.push(run_scenario(
        "ListFindings criteria, sort severity desc, first page (1 client)",
        &target,
        1,
        n,
        &list_first,
    ));
    scenarios.push(run_scenario(
        "ListFindings criteria, sort severity desc, first page",
        &target,
        c,
        n,
        &list_first,
    ));
    scenarios.push(run_scenario(
        &format!("ListFindings criteria, pages 1-{WALK_PAGES} by nextToken"),
        &target,
        c,
        n,
        &ListWalk {
            body: criteria_body.clone(),
        },
    ));
    scenarios.push(run_scenario(
        "ListFindings no criteria, first page",
        &target,
        c,
        n,
        &ListFirst {
            body: json!({"maxResults": 50}),
            full: corpus.visible_ids.len() >= 50,
        },
    ));
    let get_target = Target {
        addr,
        signer: signers[0].clone(),
        path: format!("{}/get", target.path),
    };
    scenarios.push(run_scenario(
        &format!("GetFindings {GET_IDS} ids"),
        &get_target,
        c,
        n,
        &Get {
            ids: &corpus.visible_ids,
        },
    ));
    let stats_target = Target {
        addr,
        signer: signers[0].clone(),
        path: format!("{}/statistics", target.path),
    };
    scenarios.push(run_scenario(
        "GetFindingsStatistics COUNT_BY_SEVERITY",
        &stats_target,
        c,
        n,
        &Stats {
            body: json!({"findingStatisticTypes": ["COUNT_BY_SEVERITY"]}),
            member: "countBySeverity",
        },
    ));
    scenarios.push(run_scenario(
        "GetFindingsStatistics groupBy FINDING_TYPE",
        &stats_target,
        c,
        n,
        &Stats {
            body: json!({"groupBy": "FINDING_TYPE", "orderBy": "DESC", "maxResults": 25}),
            member: "groupedByFindingType",
        },
    ));
    let (vm_rss_kb, vm_hwm_kb) = memory_kb();

    let _ = stop.send(());
    match rt.block_on(server) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => bail!("the server failed: {e}"),
        Err(e) => bail!("the server task failed: {e}"),
    }
    drop(rt);

    let (reference, criteria_hits, findings_stored) = reference(&data_dir, &criteria_body, n)?;
    for s in scenarios
        .iter_mut()
        .filter(|s| s.name.starts_with("ListFindings criteria"))
    {
        if reference.p50_ms > 0.0 {
            s.p50_vs_reference = Some(s.p50_ms / reference.p50_ms);
        }
        if let (Some(a), Some(b)) = (s.cpu_ms_per_request, reference.cpu_ms_per_request)
            && b > 0.0
        {
            s.cpu_vs_reference = Some(a / b);
        }
    }
    scenarios.push(reference);
    Ok(Report {
        findings_stored,
        findings_visible: corpus.visible_ids.len(),
        criteria_hits,
        findings_generated: corpus.stored,
        generate_seconds,
        first_refresh_ms,
        scenarios,
        vm_rss_kb,
        vm_hwm_kb,
        load_average_start,
        load_average_end: load_average(),
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
    })
}

pub fn run(args: BenchApiArgs) -> anyhow::Result<()> {
    let r = measure(&args)?;
    let la = |l: Option<[f64; 3]>| {
        l.map_or("?".to_string(), |[a, b, c]| format!("{a:.2} {b:.2} {c:.2}"))
    };
    println!(
        "warden bench-api: {} findings stored ({} visible to the administrator's detector, {} match the criteria), {} clients, {} requests per scenario, {} CPUs",
        r.findings_stored, r.findings_visible, r.criteria_hits, args.clients, args.requests, r.cpus
    );
    println!(
        "load average at start {}, at end {}; generated and stored in {:.1} s; first request after writing {:.0} ms",
        la(r.load_average_start),
        la(r.load_average_end),
        r.generate_seconds,
        r.first_refresh_ms
    );
    println!(
        "{:<74} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7}",
        "scenario", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "failed", "CPU ms", "ratio"
    );
    for s in &r.scenarios {
        println!(
            "{:<74} {:>7.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>7} {:>7}",
            s.name,
            s.requests_per_sec,
            s.p50_ms,
            s.p90_ms,
            s.p99_ms,
            s.max_ms,
            s.failed,
            s.cpu_ms_per_request
                .map(|x| format!("{x:.2}"))
                .unwrap_or_default(),
            s.cpu_vs_reference
                .map(|x| format!("{x:.1}x"))
                .unwrap_or_default()
        );
    }
    println!(
        "(CPU ms: this process's CPU time per request, server and clients together; ratio: that against the reference's, which leaves out time spent waiting for a core)"
    );
    let kb = |v: Option<u64>| v.map_or("?".into(), |k| format!("{:.0} MB", k as f64 / 1024.0));
    println!(
        "memory after the HTTP scenarios: VmRSS {}, VmHWM {}",
        kb(r.vm_rss_kb),
        kb(r.vm_hwm_kb)
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    }
    let failed: usize = r.scenarios.iter().map(|s| s.failed).sum();
    if failed > 0 {
        let first = r
            .scenarios
            .iter()
            .find_map(|s| s.first_failure.as_deref())
            .unwrap_or("");
        bail!("{failed} requests failed; the first: {first}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(findings: usize, clients: usize, requests: usize) -> BenchApiArgs {
        BenchApiArgs {
            findings,
            clients,
            requests,
            seed: 7,
            data_dir: None,
            json: false,
        }
    }

    /// The load test runs end to end on a small corpus: every scenario's requests are all made
    /// and all succeed (figures are only meaningful in release builds; none is asserted).
    #[test]
    fn bench_api_smoke() {
        let r = measure(&args(500, 2, 7)).unwrap();
        assert_eq!(r.findings_generated, 500);
        assert_eq!(
            r.findings_stored, 500,
            "every generated finding is in the store"
        );
        assert!(r.findings_visible > 0 && r.findings_visible < 500);
        assert!(r.criteria_hits > 0 && r.criteria_hits <= r.findings_visible);
        assert_eq!(r.scenarios.len(), 8);
        for s in &r.scenarios {
            assert_eq!(s.requests, 7, "{}", s.name);
            assert_eq!(s.failed, 0, "{}: {:?}", s.name, s.first_failure);
            assert!(s.p50_ms <= s.p90_ms && s.p90_ms <= s.p99_ms && s.p99_ms <= s.max_ms);
        }
        let ratios = r
            .scenarios
            .iter()
            .filter(|s| s.p50_vs_reference.is_some())
            .count();
        assert_eq!(ratios, 3, "the three criteria scenarios have a ratio");
        assert!(r.scenarios.last().unwrap().name.starts_with("reference"));
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["scenarios"][0]["p99_ms"].is_number());
    }

    #[test]
    fn out_of_range_arguments_are_refused_clearly() {
        let e = measure(&args(10, 0, 1)).unwrap_err().to_string();
        assert!(e.contains("--clients"), "{e}");
        let e = measure(&args(10, 65, 1)).unwrap_err().to_string();
        assert!(e.contains("--clients"), "{e}");
        let e = measure(&args(10, 1, 0)).unwrap_err().to_string();
        assert!(e.contains("--requests"), "{e}");
        let e = measure(&args(0, 1, 1)).unwrap_err().to_string();
        assert!(e.contains("--findings"), "{e}");
    }

    #[test]
    fn a_data_dir_with_content_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x"), b"x").unwrap();
        let mut a = args(10, 1, 1);
        a.data_dir = Some(dir.path().to_path_buf());
        let e = measure(&a).unwrap_err().to_string();
        assert!(e.contains("not empty"), "{e}");
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 0.50), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}

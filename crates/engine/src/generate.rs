//! Seeded generator of realistic CloudTrail traffic, for benchmarks and load tests.
//!
//! Warden's decoders, detectors and aggregators have to be measured against input
//! that looks like what a real AWS organisation delivers: a few dozen accounts,
//! thousands of principals of every `userIdentity` type (IAM users, assumed roles
//! from EC2 / Lambda / SSO / CI, federated users, AWS services, web identities and
//! — rarely — root), a read-heavy mix of ~75 management APIs over ~20 services,
//! `AccessDenied` errors, nested `requestParameters` / `responseElements`, non-ASCII
//! tag values and JSON escapes, and a small, controllable share of "interesting"
//! events that a detector should fire on. This module produces exactly that,
//! averaging roughly 1.2 KB per record, at several hundred thousand records per
//! second.
//!
//! Everything is drawn from one `ChaCha8Rng` seeded with [`GenOptions::seed`] and no
//! hash-map iteration order is ever observed, so the output is byte-identical for
//! the same options on every platform and run. Records are written as compact JSON
//! by hand (every string value goes through a JSON escaper), which is several times
//! faster than building `serde_json::Value`s; the tests parse every record back with
//! `serde_json`.
//!
//! Three shapes are offered: JSON Lines ([`write_jsonl`]), CloudTrail S3 delivery
//! files `{"Records":[...]}` ([`write_s3_delivery`]) and a plain iterator of records
//! ([`RecordGen`]). All three emit the same record sequence for the same options.
//!
//! The suspicious share ([`GenOptions::suspicious_fraction`]) is exact in
//! expectation: ordinary traffic never contains root usage, `StopLogging` /
//! `DeleteTrail`, `CreateAccessKey`, `AttachUserPolicy`, `DeleteDetector`, a
//! security-group rule open to `0.0.0.0/0`, a bucket policy with `Principal: "*"`,
//! a Kali/Parrot/Pentoo user agent or an IAM-user console login without MFA; only
//! the suspicious draw produces those.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;

/// What to generate. Same options (seed included) → byte-identical output.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub seed: u64,
    pub events: u64,
    /// distinct accounts (default 20), principals per account (default 200)
    pub accounts: u32,
    pub principals_per_account: u32,
    /// fraction (0..=1) of events that are "interesting" (would trigger a detection: root usage, StopLogging, CreateAccessKey, AuthorizeSecurityGroupIngress 0.0.0.0/0:22, PutBucketPolicy with Principal "*", kali user agent, ConsoleLogin without MFA...). Default 0.001.
    pub suspicious_fraction: f64,
    /// fraction of events that failed with AccessDenied (default 0.05)
    pub error_fraction: f64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            seed: 0x5741_5244_454E, // "WARDEN"
            events: 100_000,
            accounts: 20,
            principals_per_account: 200,
            suspicious_fraction: 0.001,
            error_fraction: 0.05,
        }
    }
}

/// Output shape, for callers that pick one at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenShape {
    /// One record per line, see [`write_jsonl`].
    JsonLines,
    /// CloudTrail S3 delivery files, see [`write_s3_delivery`].
    S3Delivery { records_per_file: usize },
}

impl GenShape {
    /// Write `opts.events` records in this shape to `out`. For `S3Delivery` each
    /// delivery file is written on its own line (`{"Records":[...]}\n`). Returns
    /// bytes written.
    pub fn write(&self, opts: &GenOptions, out: &mut impl io::Write) -> io::Result<u64> {
        match *self {
            GenShape::JsonLines => write_jsonl(opts, out),
            GenShape::S3Delivery { records_per_file } => {
                let mut bytes = 0u64;
                write_s3_delivery(opts, records_per_file, |_, file| {
                    out.write_all(file)?;
                    out.write_all(b"\n")?;
                    bytes += file.len() as u64 + 1;
                    Ok(())
                })?;
                Ok(bytes)
            }
        }
    }
}

const FLUSH_AT: usize = 256 * 1024;

/// Write `opts.events` CloudTrail records as JSON Lines (one record per line, '\n' terminated) to `out`. Returns bytes written.
pub fn write_jsonl(opts: &GenOptions, out: &mut impl io::Write) -> io::Result<u64> {
    let mut g = RecordGen::new(opts);
    let mut buf = String::with_capacity(FLUSH_AT + 16 * 1024);
    let mut total = 0u64;
    while g.next_into(&mut buf) {
        buf.push('\n');
        if buf.len() >= FLUSH_AT {
            out.write_all(buf.as_bytes())?;
            total += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    total += buf.len() as u64;
    Ok(total)
}

/// Write records as CloudTrail S3 delivery files: `{"Records":[...]}` each holding `records_per_file` records (last may be smaller), calling `sink(file_index, bytes)` with each file's full uncompressed JSON. Returns total records.
pub fn write_s3_delivery(
    opts: &GenOptions,
    records_per_file: usize,
    mut sink: impl FnMut(usize, &[u8]) -> io::Result<()>,
) -> io::Result<u64> {
    if records_per_file == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "records_per_file must be at least 1",
        ));
    }
    let mut g = RecordGen::new(opts);
    let mut buf = String::with_capacity(records_per_file.min(4096) * 1500 + 64);
    let mut in_file = 0usize;
    let mut file_index = 0usize;
    let mut total = 0u64;
    loop {
        if in_file == 0 {
            buf.clear();
            buf.push_str("{\"Records\":[");
        } else {
            buf.push(',');
        }
        if !g.next_into(&mut buf) {
            // Nothing was appended: undo the separator / header.
            if in_file == 0 {
                break;
            }
            buf.pop();
            buf.push_str("]}");
            sink(file_index, buf.as_bytes())?;
            break;
        }
        in_file += 1;
        total += 1;
        if in_file == records_per_file {
            buf.push_str("]}");
            sink(file_index, buf.as_bytes())?;
            file_index += 1;
            in_file = 0;
        }
    }
    Ok(total)
}

/// An iterator over generated records, each as one JSON string (no trailing newline).
pub struct RecordGen {
    rng: ChaCha8Rng,
    world: World,
    remaining: u64,
    susp: f64,
    err: f64,
    now: i64,
    ts: String,
    seq: u64,
    id_key: u64,
}

impl RecordGen {
    pub fn new(opts: &GenOptions) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let world = World::new(
            &mut rng,
            opts.accounts.max(1),
            opts.principals_per_account.max(1),
        );
        let now = START_EPOCH;
        let mut ts = String::with_capacity(20);
        iso(&mut ts, now);
        RecordGen {
            rng,
            world,
            remaining: opts.events,
            susp: clamp01(opts.suspicious_fraction),
            err: clamp01(opts.error_fraction),
            now,
            ts,
            seq: 0,
            id_key: mix64(opts.seed ^ 0x9E37_79B9_7F4A_7C15),
        }
    }

    /// Append the next record (no newline) to `out`; `false` once `opts.events` have been produced.
    pub fn next_into(&mut self, out: &mut String) -> bool {
        if self.remaining == 0 {
            return false;
        }
        self.remaining -= 1;
        // Time moves forward by 1–2 s on about one event in eight (≈5 events/s).
        let step = self.rng.next_u32();
        if step < 0x2000_0000 {
            self.now += 1 + i64::from(step & 1);
            self.ts.clear();
            iso(&mut self.ts, self.now);
        }
        let susp = self.rng.random::<f64>() < self.susp;
        let err = self.rng.random::<f64>() < self.err;
        let mut ev = Ev {
            rng: &mut self.rng,
            w: &self.world,
            b: out,
            now: self.now,
            ts: &self.ts,
            seq: self.seq,
            id_key: self.id_key,
        };
        ev.event(susp, err);
        self.seq += 1;
        true
    }
}

impl Iterator for RecordGen {
    type Item = String;
    fn next(&mut self) -> Option<String> {
        let mut s = String::with_capacity(2048);
        if self.next_into(&mut s) {
            Some(s)
        } else {
            None
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (n, usize::try_from(self.remaining).ok())
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

/// 2026-03-01T00:00:00Z
const START_EPOCH: i64 = 1_772_323_200;

fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn split(t: i64) -> (i64, u32, u32, i64, i64, i64) {
    let (y, mo, d) = civil(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    (y, mo, d, s / 3600, s / 60 % 60, s % 60)
}

/// `YYYY-MM-DDTHH:MM:SSZ`
fn iso(b: &mut String, t: i64) {
    let (y, mo, d, h, mi, s) = split(t);
    let _ = write!(b, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
}

/// The console-ish form AWS uses inside some response elements: `Mar 1, 2026, 1:00:00 AM`.
fn human_time(b: &mut String, t: i64) {
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s) = split(t);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let _ = write!(
        b,
        "{} {d}, {y}, {h12}:{mi:02}:{s:02} {ampm}",
        MON[mo as usize - 1]
    );
}

// ---------------------------------------------------------------------------
// JSON writing helpers. Objects/arrays are written with a trailing comma after
// every member; `end` drops the last comma and closes.
// ---------------------------------------------------------------------------

fn esc(b: &mut String, v: &str) {
    b.push('"');
    if !v.bytes().any(|c| c < 0x20 || c == b'"' || c == b'\\') {
        b.push_str(v);
    } else {
        for ch in v.chars() {
            match ch {
                '"' => b.push_str("\\\""),
                '\\' => b.push_str("\\\\"),
                '\n' => b.push_str("\\n"),
                '\r' => b.push_str("\\r"),
                '\t' => b.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(b, "\\u{:04x}", c as u32);
                }
                c => b.push(c),
            }
        }
    }
    b.push('"');
}

fn key(b: &mut String, k: &str) {
    b.push('"');
    b.push_str(k);
    b.push_str("\":");
}

fn ks(b: &mut String, k: &str, v: &str) {
    key(b, k);
    esc(b, v);
    b.push(',');
}

fn kraw(b: &mut String, k: &str, raw: &str) {
    key(b, k);
    b.push_str(raw);
    b.push(',');
}

fn kn(b: &mut String, k: &str, n: i64) {
    key(b, k);
    let _ = write!(b, "{n}");
    b.push(',');
}

fn kb(b: &mut String, k: &str, v: bool) {
    kraw(b, k, if v { "true" } else { "false" });
}

fn ko(b: &mut String, k: &str) {
    key(b, k);
    b.push('{');
}

fn ka(b: &mut String, k: &str) {
    key(b, k);
    b.push('[');
}

/// Element (string) of an array.
fn es(b: &mut String, v: &str) {
    esc(b, v);
    b.push(',');
}

fn end(b: &mut String, close: char) {
    if b.ends_with(',') {
        b.pop();
    }
    b.push(close);
    b.push(',');
}

// ---------------------------------------------------------------------------
// Random identifiers
// ---------------------------------------------------------------------------

const HEX: &[u8; 16] = b"0123456789abcdef";
const HEXU: &[u8; 16] = b"0123456789ABCDEF";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn mix64(mut x: u64) -> u64 {
    // splitmix64 finaliser: a bijection on u64.
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn push_hex(b: &mut String, rng: &mut impl RngCore, n: usize, table: &[u8; 16]) {
    let mut left = n;
    while left > 0 {
        let mut x = rng.next_u64();
        for _ in 0..left.min(16) {
            b.push(table[(x & 15) as usize] as char);
            x >>= 4;
        }
        left = left.saturating_sub(16);
    }
}

fn push_from(b: &mut String, rng: &mut impl RngCore, n: usize, alphabet: &[u8]) {
    for _ in 0..n {
        let x = rng.next_u32() as usize;
        b.push(alphabet[x % alphabet.len()] as char);
    }
}

/// 16 base32 characters derived from a 64-bit hash (for stable session keys).
fn push_key_from_hash(b: &mut String, h: u64) {
    let h2 = mix64(h ^ 0x5A5A_5A5A_5A5A_5A5A);
    let mut x = h;
    for _ in 0..12 {
        b.push(B32[(x & 31) as usize] as char);
        x >>= 5;
    }
    let mut y = h2;
    for _ in 0..4 {
        b.push(B32[(y & 31) as usize] as char);
        y >>= 5;
    }
}

fn push_uuid(b: &mut String, rng: &mut impl RngCore) {
    let x = rng.next_u64();
    let y = rng.next_u64();
    let _ = write!(
        b,
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        x >> 32,
        (x >> 16) & 0xFFFF,
        x & 0xFFF,
        8 + (y >> 62),
        (y >> 48) & 0xFFF,
        y & 0xFFFF_FFFF_FFFF
    );
}

fn rand_string(rng: &mut impl RngCore, prefix: &str, n: usize, alphabet: &[u8]) -> String {
    let mut s = String::with_capacity(prefix.len() + n);
    s.push_str(prefix);
    push_from(&mut s, rng, n, alphabet);
    s
}

fn rand_hex(rng: &mut impl RngCore, prefix: &str, n: usize) -> String {
    let mut s = String::with_capacity(prefix.len() + n);
    s.push_str(prefix);
    push_hex(&mut s, rng, n, HEX);
    s
}

fn uuid_string(rng: &mut impl RngCore) -> String {
    let mut s = String::with_capacity(36);
    push_uuid(&mut s, rng);
    s
}

fn public_ip(rng: &mut impl RngCore, firsts: &[u8]) -> String {
    let a = firsts[rng.next_u32() as usize % firsts.len()];
    let x = rng.next_u32();
    format!(
        "{a}.{}.{}.{}",
        x & 0xFF,
        (x >> 8) & 0xFF,
        1 + ((x >> 16) % 254)
    )
}

/// Real EC2 prefixes from AWS's published ranges (2026-08): instances call AWS from their own
/// public addresses, which lie inside these.
const EC2_PREFIXES: &[([u8; 4], u8)] = &[
    ([13, 210, 0, 0], 15),
    ([16, 147, 0, 0], 16),
    ([18, 156, 0, 0], 14),
    ([18, 200, 0, 0], 16),
    ([18, 204, 0, 0], 14),
    ([18, 232, 0, 0], 14),
    ([3, 224, 0, 0], 12),
    ([34, 192, 0, 0], 12),
    ([35, 153, 0, 0], 16),
    ([50, 19, 0, 0], 16),
    ([52, 29, 0, 0], 16),
    ([52, 4, 0, 0], 14),
    ([52, 58, 0, 0], 15),
    ([54, 206, 0, 0], 16),
    ([54, 234, 0, 0], 15),
    ([54, 242, 0, 0], 15),
];

fn ec2_ip(rng: &mut impl RngCore) -> String {
    let (base, len) = EC2_PREFIXES[rng.next_u32() as usize % EC2_PREFIXES.len()];
    let host = rng.next_u32() & (u32::MAX >> len);
    let a = u32::from_be_bytes(base) | host.max(1);
    std::net::Ipv4Addr::from(a).to_string()
}

/// First octets of ordinary public address space (ISPs, offices, clouds).
const PUBLIC_OCTETS: &[u8] = &[
    24, 38, 50, 64, 67, 68, 71, 73, 76, 81, 82, 86, 88, 90, 94, 98, 104, 108, 109, 141, 151, 174,
    176, 178, 188, 195, 203, 212, 213, 217,
];
/// First octets of AWS public ranges (EC2, Lambda egress, NAT gateways).
const AWS_OCTETS: &[u8] = &[3, 13, 18, 34, 35, 44, 52, 54, 99];
/// GitHub-hosted runners (Azure) and similar CI egress.
const CI_OCTETS: &[u8] = &[4, 20, 40, 51, 52, 104, 172];
/// Hosting / VPN / Tor-exit style ranges used by the suspicious draw.
const SHADY_PREFIXES: &[&str] = &[
    "185.220.101",
    "185.220.100",
    "45.153.160",
    "193.189.100",
    "91.219.236",
    "5.2.69",
    "179.43.182",
];

// ---------------------------------------------------------------------------
// Weighted picks
// ---------------------------------------------------------------------------

struct Cdf(Vec<f64>);

impl Cdf {
    fn new(weights: impl IntoIterator<Item = f64>) -> Cdf {
        let mut acc = 0.0;
        let v: Vec<f64> = weights
            .into_iter()
            .map(|w| {
                acc += w.max(0.0);
                acc
            })
            .collect();
        Cdf(v)
    }
    fn zipf(n: usize, s: f64) -> Cdf {
        Cdf::new((1..=n).map(|i| 1.0 / (i as f64).powf(s)))
    }
    fn pick(&self, rng: &mut impl Rng) -> usize {
        let total = *self.0.last().unwrap_or(&0.0);
        let u = rng.random::<f64>() * total;
        self.0
            .partition_point(|&c| c <= u)
            .min(self.0.len().saturating_sub(1))
    }
}

const REGIONS: &[(&str, f64)] = &[
    ("us-east-1", 40.0),
    ("us-west-2", 15.0),
    ("eu-west-1", 12.0),
    ("us-east-2", 8.0),
    ("eu-central-1", 8.0),
    ("ap-southeast-2", 5.0),
    ("ap-northeast-1", 5.0),
    ("eu-west-2", 4.0),
    ("ca-central-1", 2.0),
    ("sa-east-1", 1.0),
];

fn pick_region(rng: &mut impl Rng) -> &'static str {
    let total: f64 = REGIONS.iter().map(|r| r.1).sum();
    let mut u = rng.random::<f64>() * total;
    for (r, w) in REGIONS {
        if u < *w {
            return r;
        }
        u -= w;
    }
    REGIONS[0].0
}

fn pick<'x, T>(rng: &mut impl RngCore, v: &'x [T]) -> &'x T {
    &v[rng.next_u32() as usize % v.len()]
}

// ---------------------------------------------------------------------------
// The API catalogue
// ---------------------------------------------------------------------------

/// Personas: who typically calls what.
const HU: usize = 0; // human IAM user (CLI / console)
const SU: usize = 1; // service IAM user / federated app (long-term keys, SDK)
const SSO: usize = 2; // IAM Identity Center role sessions (humans)
const CI: usize = 3; // CI / IaC roles (Terraform, GitHub Actions)
const EC2: usize = 4; // instance-profile roles
const LAM: usize = 5; // Lambda execution roles
const SCAN: usize = 6; // monitoring / security scanners, service-linked roles
const PERSONAS: usize = 7;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum A {
    S3ListBuckets,
    S3GetBucketAcl,
    S3GetBucketLocation,
    S3GetBucketPolicy,
    S3GetBucketVersioning,
    S3GetBucketEncryption,
    S3PutBucketTagging,
    S3PutBucketPolicy,
    S3CreateBucket,
    Ec2DescribeInstances,
    Ec2DescribeSecurityGroups,
    Ec2DescribeVpcs,
    Ec2DescribeSubnets,
    Ec2DescribeVolumes,
    Ec2DescribeImages,
    Ec2DescribeRegions,
    Ec2DescribeNetworkInterfaces,
    Ec2RunInstances,
    Ec2TerminateInstances,
    Ec2StopInstances,
    Ec2CreateTags,
    Ec2AuthorizeSecurityGroupIngress,
    IamListUsers,
    IamListRoles,
    IamGetRole,
    IamListAttachedRolePolicies,
    IamGetPolicyVersion,
    IamAttachRolePolicy,
    IamCreateRole,
    StsAssumeRole,
    StsGetCallerIdentity,
    StsAssumeRoleWithWebIdentity,
    StsGetSessionToken,
    KmsDecrypt,
    KmsGenerateDataKey,
    KmsEncrypt,
    KmsDescribeKey,
    KmsListAliases,
    LambdaInvoke,
    LambdaListFunctions,
    LambdaGetFunction,
    LambdaUpdateFunctionCode,
    CtLookupEvents,
    CtDescribeTrails,
    CtGetTrailStatus,
    LogsCreateLogStream,
    LogsDescribeLogGroups,
    LogsFilterLogEvents,
    LogsCreateLogGroup,
    DdbDescribeTable,
    DdbListTables,
    DdbUpdateTable,
    RdsDescribeDBInstances,
    RdsDescribeDBClusters,
    RdsCreateDBSnapshot,
    SsmGetParameter,
    SsmGetParameters,
    SsmUpdateInstanceInformation,
    SsmListAssociations,
    SsmDescribeInstanceInformation,
    SmGetSecretValue,
    SmDescribeSecret,
    SmListSecrets,
    SigninConsoleLogin,
    EcrGetAuthorizationToken,
    ElbDescribeLoadBalancers,
    CwDescribeAlarms,
    AsgDescribeAutoScalingGroups,
    EksDescribeCluster,
    GdListDetectors,
    SqsListQueues,
    // Only ever drawn by the suspicious generator.
    CtStopLogging,
    CtDeleteTrail,
    IamCreateAccessKey,
    IamAttachUserPolicy,
    GdDeleteDetector,
}

struct ApiDef {
    a: A,
    src: &'static str,
    name: &'static str,
    ro: bool,
    /// Relative weight per persona: [HU, SU, SSO, CI, EC2, LAM, SCAN].
    w: [u16; PERSONAS],
}

const fn d(a: A, src: &'static str, name: &'static str, ro: bool, w: [u16; PERSONAS]) -> ApiDef {
    ApiDef {
        a,
        src,
        name,
        ro,
        w,
    }
}

const S3: &str = "s3.amazonaws.com";
const EC: &str = "ec2.amazonaws.com";
const IAM: &str = "iam.amazonaws.com";
const STS: &str = "sts.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const LMB: &str = "lambda.amazonaws.com";
const CT: &str = "cloudtrail.amazonaws.com";
const LOGS: &str = "logs.amazonaws.com";
const DDB: &str = "dynamodb.amazonaws.com";
const RDS: &str = "rds.amazonaws.com";
const SSM: &str = "ssm.amazonaws.com";
const SM: &str = "secretsmanager.amazonaws.com";
const Z: [u16; PERSONAS] = [0; PERSONAS];
const RO: bool = true;
const RW: bool = false;

/// Indexed by `A as usize` (checked by a test).
static APIS: &[ApiDef] = &[
    d(
        A::S3ListBuckets,
        S3,
        "ListBuckets",
        RO,
        [60, 30, 50, 30, 10, 2, 40],
    ),
    d(
        A::S3GetBucketAcl,
        S3,
        "GetBucketAcl",
        RO,
        [15, 5, 15, 30, 0, 0, 60],
    ),
    d(
        A::S3GetBucketLocation,
        S3,
        "GetBucketLocation",
        RO,
        [15, 30, 15, 30, 30, 10, 40],
    ),
    d(
        A::S3GetBucketPolicy,
        S3,
        "GetBucketPolicy",
        RO,
        [8, 0, 8, 25, 0, 0, 40],
    ),
    d(
        A::S3GetBucketVersioning,
        S3,
        "GetBucketVersioning",
        RO,
        [5, 0, 5, 25, 0, 0, 30],
    ),
    d(
        A::S3GetBucketEncryption,
        S3,
        "GetBucketEncryption",
        RO,
        [5, 0, 5, 25, 0, 0, 30],
    ),
    d(
        A::S3PutBucketTagging,
        S3,
        "PutBucketTagging",
        RW,
        [2, 0, 2, 6, 0, 0, 0],
    ),
    d(
        A::S3PutBucketPolicy,
        S3,
        "PutBucketPolicy",
        RW,
        [1, 0, 1, 3, 0, 0, 0],
    ),
    d(
        A::S3CreateBucket,
        S3,
        "CreateBucket",
        RW,
        [1, 0, 1, 2, 0, 0, 0],
    ),
    d(
        A::Ec2DescribeInstances,
        EC,
        "DescribeInstances",
        RO,
        [60, 10, 60, 60, 10, 5, 80],
    ),
    d(
        A::Ec2DescribeSecurityGroups,
        EC,
        "DescribeSecurityGroups",
        RO,
        [20, 0, 20, 40, 0, 0, 50],
    ),
    d(
        A::Ec2DescribeVpcs,
        EC,
        "DescribeVpcs",
        RO,
        [10, 0, 10, 30, 0, 0, 30],
    ),
    d(
        A::Ec2DescribeSubnets,
        EC,
        "DescribeSubnets",
        RO,
        [10, 0, 10, 30, 0, 0, 30],
    ),
    d(
        A::Ec2DescribeVolumes,
        EC,
        "DescribeVolumes",
        RO,
        [8, 0, 8, 20, 5, 0, 40],
    ),
    d(
        A::Ec2DescribeImages,
        EC,
        "DescribeImages",
        RO,
        [5, 0, 5, 20, 0, 0, 10],
    ),
    d(
        A::Ec2DescribeRegions,
        EC,
        "DescribeRegions",
        RO,
        [8, 5, 8, 10, 5, 0, 30],
    ),
    d(
        A::Ec2DescribeNetworkInterfaces,
        EC,
        "DescribeNetworkInterfaces",
        RO,
        [5, 0, 5, 15, 2, 10, 30],
    ),
    d(
        A::Ec2RunInstances,
        EC,
        "RunInstances",
        RW,
        [1, 0, 1, 4, 0, 0, 0],
    ),
    d(
        A::Ec2TerminateInstances,
        EC,
        "TerminateInstances",
        RW,
        [1, 0, 1, 3, 0, 0, 0],
    ),
    d(
        A::Ec2StopInstances,
        EC,
        "StopInstances",
        RW,
        [1, 0, 1, 1, 0, 0, 0],
    ),
    d(
        A::Ec2CreateTags,
        EC,
        "CreateTags",
        RW,
        [2, 0, 2, 8, 2, 0, 0],
    ),
    d(
        A::Ec2AuthorizeSecurityGroupIngress,
        EC,
        "AuthorizeSecurityGroupIngress",
        RW,
        [1, 0, 1, 3, 0, 0, 0],
    ),
    d(
        A::IamListUsers,
        IAM,
        "ListUsers",
        RO,
        [10, 0, 10, 10, 0, 0, 30],
    ),
    d(
        A::IamListRoles,
        IAM,
        "ListRoles",
        RO,
        [10, 0, 10, 15, 0, 0, 30],
    ),
    d(A::IamGetRole, IAM, "GetRole", RO, [8, 0, 8, 30, 0, 0, 30]),
    d(
        A::IamListAttachedRolePolicies,
        IAM,
        "ListAttachedRolePolicies",
        RO,
        [5, 0, 5, 20, 0, 0, 30],
    ),
    d(
        A::IamGetPolicyVersion,
        IAM,
        "GetPolicyVersion",
        RO,
        [3, 0, 3, 15, 0, 0, 20],
    ),
    d(
        A::IamAttachRolePolicy,
        IAM,
        "AttachRolePolicy",
        RW,
        [1, 0, 1, 3, 0, 0, 0],
    ),
    d(
        A::IamCreateRole,
        IAM,
        "CreateRole",
        RW,
        [1, 0, 1, 2, 0, 0, 0],
    ),
    d(
        A::StsAssumeRole,
        STS,
        "AssumeRole",
        RO,
        [20, 20, 20, 40, 10, 10, 60],
    ),
    d(
        A::StsGetCallerIdentity,
        STS,
        "GetCallerIdentity",
        RO,
        [30, 10, 30, 30, 20, 5, 20],
    ),
    d(
        A::StsAssumeRoleWithWebIdentity,
        STS,
        "AssumeRoleWithWebIdentity",
        RO,
        [0, 0, 0, 15, 0, 0, 0],
    ),
    d(
        A::StsGetSessionToken,
        STS,
        "GetSessionToken",
        RO,
        [3, 0, 0, 0, 0, 0, 0],
    ),
    d(
        A::KmsDecrypt,
        KMS,
        "Decrypt",
        RO,
        [10, 40, 10, 20, 120, 120, 5],
    ),
    d(
        A::KmsGenerateDataKey,
        KMS,
        "GenerateDataKey",
        RO,
        [5, 20, 5, 10, 60, 60, 0],
    ),
    d(A::KmsEncrypt, KMS, "Encrypt", RO, [2, 10, 2, 5, 15, 15, 0]),
    d(
        A::KmsDescribeKey,
        KMS,
        "DescribeKey",
        RO,
        [3, 5, 3, 15, 5, 5, 20],
    ),
    d(
        A::KmsListAliases,
        KMS,
        "ListAliases",
        RO,
        [3, 0, 3, 10, 0, 0, 15],
    ),
    d(A::LambdaInvoke, LMB, "Invoke", RW, [2, 10, 2, 5, 20, 30, 0]),
    d(
        A::LambdaListFunctions,
        LMB,
        "ListFunctions20150331",
        RO,
        [8, 0, 8, 15, 0, 0, 40],
    ),
    d(
        A::LambdaGetFunction,
        LMB,
        "GetFunction20150331v2",
        RO,
        [4, 0, 4, 20, 0, 0, 20],
    ),
    d(
        A::LambdaUpdateFunctionCode,
        LMB,
        "UpdateFunctionCode20150331v2",
        RW,
        [1, 0, 1, 4, 0, 0, 0],
    ),
    d(
        A::CtLookupEvents,
        CT,
        "LookupEvents",
        RO,
        [5, 0, 5, 0, 0, 0, 20],
    ),
    d(
        A::CtDescribeTrails,
        CT,
        "DescribeTrails",
        RO,
        [3, 0, 3, 5, 0, 0, 20],
    ),
    d(
        A::CtGetTrailStatus,
        CT,
        "GetTrailStatus",
        RO,
        [2, 0, 2, 3, 0, 0, 20],
    ),
    d(
        A::LogsCreateLogStream,
        LOGS,
        "CreateLogStream",
        RW,
        [0, 0, 0, 0, 30, 80, 0],
    ),
    d(
        A::LogsDescribeLogGroups,
        LOGS,
        "DescribeLogGroups",
        RO,
        [5, 0, 5, 10, 5, 0, 30],
    ),
    d(
        A::LogsFilterLogEvents,
        LOGS,
        "FilterLogEvents",
        RO,
        [5, 0, 5, 0, 0, 0, 0],
    ),
    d(
        A::LogsCreateLogGroup,
        LOGS,
        "CreateLogGroup",
        RW,
        [0, 0, 0, 3, 0, 5, 0],
    ),
    d(
        A::DdbDescribeTable,
        DDB,
        "DescribeTable",
        RO,
        [5, 10, 5, 20, 20, 40, 20],
    ),
    d(
        A::DdbListTables,
        DDB,
        "ListTables",
        RO,
        [5, 5, 5, 10, 5, 5, 20],
    ),
    d(
        A::DdbUpdateTable,
        DDB,
        "UpdateTable",
        RW,
        [1, 0, 1, 2, 0, 0, 0],
    ),
    d(
        A::RdsDescribeDBInstances,
        RDS,
        "DescribeDBInstances",
        RO,
        [8, 0, 8, 20, 5, 0, 40],
    ),
    d(
        A::RdsDescribeDBClusters,
        RDS,
        "DescribeDBClusters",
        RO,
        [4, 0, 4, 10, 0, 0, 30],
    ),
    d(
        A::RdsCreateDBSnapshot,
        RDS,
        "CreateDBSnapshot",
        RW,
        [1, 0, 1, 1, 0, 0, 0],
    ),
    d(
        A::SsmGetParameter,
        SSM,
        "GetParameter",
        RO,
        [5, 20, 5, 15, 50, 60, 0],
    ),
    d(
        A::SsmGetParameters,
        SSM,
        "GetParameters",
        RO,
        [3, 10, 3, 10, 20, 30, 0],
    ),
    d(
        A::SsmUpdateInstanceInformation,
        SSM,
        "UpdateInstanceInformation",
        RW,
        [0, 0, 0, 0, 150, 0, 0],
    ),
    d(
        A::SsmListAssociations,
        SSM,
        "ListAssociations",
        RO,
        [0, 0, 0, 0, 60, 0, 0],
    ),
    d(
        A::SsmDescribeInstanceInformation,
        SSM,
        "DescribeInstanceInformation",
        RO,
        [3, 0, 3, 5, 0, 0, 30],
    ),
    d(
        A::SmGetSecretValue,
        SM,
        "GetSecretValue",
        RO,
        [3, 30, 3, 10, 40, 60, 0],
    ),
    d(
        A::SmDescribeSecret,
        SM,
        "DescribeSecret",
        RO,
        [2, 5, 2, 10, 5, 5, 20],
    ),
    d(
        A::SmListSecrets,
        SM,
        "ListSecrets",
        RO,
        [2, 0, 2, 5, 0, 0, 20],
    ),
    d(
        A::SigninConsoleLogin,
        "signin.amazonaws.com",
        "ConsoleLogin",
        RW,
        [6, 0, 0, 0, 0, 0, 0],
    ),
    d(
        A::EcrGetAuthorizationToken,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        RO,
        [5, 5, 5, 30, 40, 0, 10],
    ),
    d(
        A::ElbDescribeLoadBalancers,
        "elasticloadbalancing.amazonaws.com",
        "DescribeLoadBalancers",
        RO,
        [5, 0, 5, 20, 0, 0, 40],
    ),
    d(
        A::CwDescribeAlarms,
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        RO,
        [5, 0, 5, 10, 0, 0, 40],
    ),
    d(
        A::AsgDescribeAutoScalingGroups,
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        RO,
        [3, 0, 3, 15, 10, 0, 30],
    ),
    d(
        A::EksDescribeCluster,
        "eks.amazonaws.com",
        "DescribeCluster",
        RO,
        [3, 0, 3, 15, 10, 0, 20],
    ),
    d(
        A::GdListDetectors,
        "guardduty.amazonaws.com",
        "ListDetectors",
        RO,
        [2, 0, 2, 5, 0, 0, 20],
    ),
    d(
        A::SqsListQueues,
        "sqs.amazonaws.com",
        "ListQueues",
        RO,
        [3, 5, 3, 10, 5, 5, 20],
    ),
    d(A::CtStopLogging, CT, "StopLogging", RW, Z),
    d(A::CtDeleteTrail, CT, "DeleteTrail", RW, Z),
    d(A::IamCreateAccessKey, IAM, "CreateAccessKey", RW, Z),
    d(A::IamAttachUserPolicy, IAM, "AttachUserPolicy", RW, Z),
    d(
        A::GdDeleteDetector,
        "guardduty.amazonaws.com",
        "DeleteDetector",
        RW,
        Z,
    ),
];

fn api(a: A) -> usize {
    a as usize
}

/// `DescribeDBInstances` → `describe-db-instances`; version suffixes dropped.
fn kebab(name: &str) -> String {
    let base: Vec<char> = name.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let mut s = String::with_capacity(base.len() + 8);
    for (i, &c) in base.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = base[i - 1];
            let next_lower = base.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || (prev.is_ascii_uppercase() && next_lower) {
                s.push('-');
            }
        }
        s.push(c.to_ascii_lowercase());
    }
    s
}

fn short_service(src: &str) -> &str {
    src.split('.').next().unwrap_or(src)
}

// ---------------------------------------------------------------------------
// The simulated organisation
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    User,
    Role,
    Fed,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum UaMode {
    Plain,
    /// aws-cli: append ` command/<svc>.<op>`
    Cli,
    /// Go / JS v3 SDKs: append ` api/<svc>#<ver>`
    Api,
}

struct Principal {
    persona: usize,
    kind: Kind,
    /// userName / role name / federated user name
    name: String,
    /// IAM ARN of the user or role (for federated users: the federated-user STS ARN)
    arn: String,
    /// AIDA… / AROA… (for federated users: `ACCOUNT:name`)
    pid: String,
    /// Long-term AKIA key (users only)
    key: String,
    /// Federated users: the issuing IAM user (name, principalId, arn)
    issuer: Option<(String, String, String)>,
    sessions: Vec<String>,
    ips: Vec<String>,
    ua: String,
    ua_mode: UaMode,
    console: bool,
    region: &'static str,
    vpce: Option<String>,
    /// Service-linked roles: the service that acts (sourceIP / UA / invokedBy)
    svc: Option<&'static str>,
    ec2_delivery: bool,
    seed: u64,
}

struct Account {
    id: String,
    org: &'static str,
    env: &'static str,
    domain: String,
    home: &'static str,
    principals: Vec<Principal>,
    pcdf: Cdf,
    users: Vec<usize>,
    roles: Vec<usize>,
    svc_roles: Vec<usize>,
    /// Roles people and tools assume with sts:AssumeRole (CI, scanners).
    assumable: Vec<usize>,
    /// Principals driven by people or pipelines (who make account changes).
    people: Vec<usize>,
    buckets: Vec<String>,
    instances: Vec<String>,
    sgs: Vec<String>,
    vpcs: Vec<String>,
    subnets: Vec<String>,
    amis: Vec<String>,
    keys: Vec<String>,
    functions: Vec<String>,
    tables: Vec<String>,
    secrets: Vec<String>,
    params: Vec<String>,
    dbs: Vec<String>,
    clusters: Vec<String>,
    trail: String,
    detector: String,
}

struct World {
    accounts: Vec<Account>,
    acct_cdf: Cdf,
    persona_cdf: Vec<Cdf>,
    /// `ec2.describe-instances`
    api_cli: Vec<String>,
    /// `ec2:DescribeInstances`
    api_action: Vec<String>,
    api_svc: Vec<&'static str>,
}

const ORGS: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "piedpiper",
    "stark",
    "wayne",
    "tyrell",
    "cyberdyne",
    "soylent",
    "wonka",
    "aperture",
    "oscorp",
    "massive",
];
const ENVS: &[&str] = &[
    "prod", "staging", "dev", "shared", "security", "data", "sandbox", "logs",
];
const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki", "zoe",
    "amir", "bea", "chen", "dmitri", "elena", "farah", "goran", "hana", "ines", "jonas", "kwame",
    "lucia", "mei", "nikos", "oscar", "priya", "quinn", "rosa", "sven", "tariq", "uma",
];
const LAST: &[&str] = &[
    "nguyen",
    "smith",
    "garcia",
    "muller",
    "kim",
    "patel",
    "rossi",
    "dubois",
    "tanaka",
    "silva",
    "kowalski",
    "ivanova",
    "okafor",
    "haddad",
    "larsen",
    "chen",
    "novak",
    "obrien",
    "schmidt",
    "fernandez",
    "yamamoto",
    "andersson",
];
const APPS: &[&str] = &[
    "web",
    "api",
    "worker",
    "batch",
    "bastion",
    "kafka",
    "search",
    "grafana",
    "jenkins-agent",
    "nginx",
    "checkout",
    "billing",
    "ingest",
    "reports",
    "auth",
    "ml-train",
    "etl",
    "cache",
];
const SVC_USERS: &[&str] = &[
    "svc-backup",
    "jenkins",
    "svc-etl",
    "svc-reporting",
    "billing-export",
    "splunk-forwarder",
    "legacy-app",
    "mailer",
    "sftp-gateway",
    "snowflake-loader",
    "tableau",
    "svc-deploy",
];
const FUNCS: &[&str] = &[
    "orders-processor",
    "image-resizer",
    "auth-authorizer",
    "s3-indexer",
    "slack-notifier",
    "cost-reporter",
    "etl-loader",
    "webhook-handler",
    "token-rotator",
    "log-shipper",
    "email-sender",
    "pdf-renderer",
    "search-sync",
    "cleanup-cron",
    "graphql-api",
];
const SSO_SETS: &[&str] = &[
    "AdministratorAccess",
    "PowerUserAccess",
    "ReadOnlyAccess",
    "DeveloperAccess",
    "BillingAccess",
    "SecurityAudit",
    "DataEngineer",
];
const CI_ROLES: &[&str] = &[
    "GitHubActionsDeployRole",
    "terraform-apply",
    "TerraformPlanRole",
    "atlantis",
    "CodeBuildServiceRole",
    "OrganizationAccountAccessRole",
    "spacelift-integration",
    "argocd-controller",
];
const SCAN_ROLES: &[&str] = &[
    "DatadogIntegrationRole",
    "WizAccessRole",
    "SecurityAuditRole",
    "PrismaCloudReadOnlyRole",
    "OrcaSecurityRole",
    "CloudHealthRole",
];
/// Service-linked roles: (role name, service principal, session name)
const SLR: &[(&str, &str, &str)] = &[
    (
        "AWSServiceRoleForConfig",
        "config.amazonaws.com",
        "AWSConfig-Describe",
    ),
    (
        "AWSServiceRoleForAmazonGuardDuty",
        "guardduty.amazonaws.com",
        "GuardDutyInternalSession",
    ),
    (
        "AWSServiceRoleForTrustedAdvisor",
        "trustedadvisor.amazonaws.com",
        "TrustedAdvisor_Session",
    ),
    (
        "AWSServiceRoleForSecurityHub",
        "securityhub.amazonaws.com",
        "SecurityHubSession",
    ),
];
const BUCKET_KINDS: &[&str] = &[
    "logs",
    "assets",
    "backups",
    "data-lake",
    "terraform-state",
    "cloudtrail",
    "artifacts",
    "uploads",
    "athena-results",
    "static-site",
    "ml-models",
    "exports",
];
const TABLES: &[&str] = &[
    "orders",
    "sessions",
    "users",
    "inventory",
    "audit-log",
    "feature-flags",
    "payments",
    "carts",
];
const SECRETS: &[&str] = &[
    "db-credentials",
    "api-key",
    "stripe",
    "oauth-client",
    "jwt-signing-key",
];
const PARAMS: &[&str] = &[
    "db_url",
    "feature_flags",
    "log_level",
    "max_connections",
    "redis_host",
    "sentry_dsn",
];

/// Tag / description values: non-ASCII text and characters that need JSON escapes.
const TAG_VALUES: &[&str] = &[
    "Équipe Données",
    "東京チーム",
    "Zürich-Ops",
    "naïve café ☕",
    "данные-прод",
    "plataforma \"núcleo\"",
    "line1\nline2",
    "C:\\builds\\release",
    "tab\tseparated",
    "🚀 launch",
    "فريق البيانات",
    "Ñandú \u{7} bell",
    "platform-team",
    "cost-center 4711",
    "owner: <ops@example.com>",
    "日本語 / English",
];

const CONSOLE_UAS: &[&str] = &[
    "AWS Internal",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.2277.128",
];
const SSM_AGENT_UA: &str = "aws-sdk-go/1.44.260 (go1.20.7; linux; amd64) amazon-ssm-agent/3.3.40.0";
const LAMBDA_WORKER_UA: &str = "awslambda-worker/1.0 rusoto/0.48.0 rust/1.69.0 linux";
const GH_OIDC_UA: &str = "configure-aws-credentials-for-github-actions";
const BAD_UAS: &[&str] = &[
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off",
    "aws-cli/2.13.25 Python/3.11.5 Linux/6.3.0-kali1-amd64 exe/x86_64.kali.2023 prompt/off",
    "aws-cli/1.22.34 Python/3.9.2 Linux/6.5.0-13parrot1-amd64 botocore/1.23.34",
    "Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.2 Linux/6.6.9-kali-amd64",
    "aws-cli/2.13.0 Python/3.11.4 Linux/6.1.38-pentoo exe/x86_64.pentoo prompt/off",
];

fn make_ua(rng: &mut ChaCha8Rng, persona: usize) -> (String, UaMode) {
    let r = rng.random::<f64>();
    let v = rng.next_u32() % 40;
    let cli = |rng: &mut ChaCha8Rng| {
        let os = *pick(
            rng,
            &[
                "Darwin/23.4.0 exe/x86_64",
                "Darwin/23.3.0 exe/arm64",
                "Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22",
                "Linux/5.15.0-101-generic exe/x86_64.ubuntu.22",
                "Windows/10 exe/AMD64",
                "Linux/6.6.16-linuxkit exe/aarch64.amzn.2",
            ],
        );
        (
            format!("aws-cli/2.15.{v} Python/3.11.{} {os} prompt/off", v % 9),
            UaMode::Cli,
        )
    };
    // Half the fleet still runs older SDK releases with the shorter, pre-"ua/2.0" agents.
    let legacy = v.is_multiple_of(2);
    let boto = |v: u32, extra: &str| {
        if legacy {
            return format!(
                "Boto3/1.26.{v} Python/3.9.{} Linux/5.10.157-139.675.amzn2.x86_64{extra} Botocore/1.29.{v}",
                v % 16
            );
        }
        format!(
            "Boto3/1.34.{v} md/Botocore#1.34.{v} ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.{} md/pyimpl#CPython{extra} cfg/retry-mode#legacy Botocore/1.34.{v}",
            v % 4
        )
    };
    let java = |v: u32| {
        if legacy {
            return (
                format!(
                    "aws-sdk-java/1.12.{} Linux/5.10.178-162.673.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/11.0.19+7-LTS java/11.0.19 vendor/Amazon.com_Inc. cfg/retry-mode/standard",
                    400 + v
                ),
                UaMode::Plain,
            );
        }
        (
            format!(
                "aws-sdk-java/2.25.{v} Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
            ),
            UaMode::Plain,
        )
    };
    let go = |v: u32| {
        if legacy {
            return (
                format!("aws-sdk-go/1.44.{} (go1.20.8; linux; amd64)", 280 + v),
                UaMode::Plain,
            );
        }
        (
            format!("aws-sdk-go-v2/1.25.{v} os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64"),
            UaMode::Api,
        )
    };
    let tf = |v: u32| {
        (
            format!(
                "APN/1.0 HashiCorp/1.0 Terraform/1.7.{} (+https://www.terraform.io) terraform-provider-aws/5.4{}.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.{v} os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
                v % 6,
                v % 10
            ),
            UaMode::Api,
        )
    };
    match persona {
        HU => {
            if r < 0.8 {
                cli(rng)
            } else {
                (boto(v, ""), UaMode::Plain)
            }
        }
        SU => {
            if r < 0.4 {
                (boto(v, ""), UaMode::Plain)
            } else if r < 0.7 {
                java(v)
            } else if r < 0.9 {
                go(v)
            } else {
                cli(rng)
            }
        }
        SSO => {
            if r < 0.6 {
                cli(rng)
            } else if r < 0.8 {
                tf(v)
            } else {
                (boto(v, ""), UaMode::Plain)
            }
        }
        CI => {
            if r < 0.7 {
                tf(v)
            } else if r < 0.9 {
                cli(rng)
            } else {
                go(v)
            }
        }
        EC2 => {
            if r < 0.35 {
                (boto(v, ""), UaMode::Plain)
            } else if r < 0.65 {
                java(v)
            } else if r < 0.85 {
                go(v)
            } else {
                (
                    format!("aws-sdk-nodejs/2.15{v:02}.0 linux/v18.19.0 promise"),
                    UaMode::Plain,
                )
            }
        }
        LAM => {
            if r < 0.5 {
                (
                    format!(
                        "aws-sdk-js/3.54{}.0 ua/2.0 os/linux#5.10.214-225.862.amzn2.x86_64 lang/js md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x",
                        v % 10
                    ),
                    UaMode::Api,
                )
            } else {
                (boto(v, " exec-env/AWS_Lambda_python3.12"), UaMode::Plain)
            }
        }
        _ => {
            if r < 0.5 {
                (
                    format!("aws-sdk-go/1.44.3{v:02} (go1.20.8; linux; amd64)"),
                    UaMode::Plain,
                )
            } else {
                (boto(v, ""), UaMode::Plain)
            }
        }
    }
}

impl World {
    fn new(rng: &mut ChaCha8Rng, n_accounts: u32, per_account: u32) -> World {
        let mut seen = HashSet::new();
        let mut accounts = Vec::with_capacity(n_accounts as usize);
        // Shared between all accounts: external IPs of vendors scanning them.
        let vendor_ips: Vec<String> = (0..8).map(|_| public_ip(rng, AWS_OCTETS)).collect();
        for ai in 0..n_accounts as usize {
            let id = loop {
                // Include leading-zero account ids now and then: they are real and a classic bug.
                let n = rng.next_u64() % 1_000_000_000_000;
                let s = format!("{n:012}");
                if seen.insert(s.clone()) {
                    break s;
                }
            };
            accounts.push(Account::new(rng, id, ai, per_account as usize, &vendor_ips));
        }
        let persona_cdf = (0..PERSONAS)
            .map(|p| Cdf::new(APIS.iter().map(|a| f64::from(a.w[p]))))
            .collect();
        World {
            acct_cdf: Cdf::zipf(accounts.len(), 1.0),
            accounts,
            persona_cdf,
            api_cli: APIS
                .iter()
                .map(|a| {
                    let svc = match short_service(a.src) {
                        "elasticloadbalancing" => "elbv2",
                        "monitoring" => "cloudwatch",
                        s => s,
                    };
                    format!("{svc}.{}", kebab(a.name))
                })
                .collect(),
            api_action: APIS
                .iter()
                .map(|a| {
                    let base: String = a.name.chars().take_while(|c| !c.is_ascii_digit()).collect();
                    format!("{}:{base}", short_service(a.src))
                })
                .collect(),
            api_svc: APIS.iter().map(|a| short_service(a.src)).collect(),
        }
    }
}

impl Account {
    fn new(
        rng: &mut ChaCha8Rng,
        id: String,
        ai: usize,
        n: usize,
        vendor_ips: &[String],
    ) -> Account {
        let org = ORGS[ai % ORGS.len()];
        let env = ENVS[(ai / ORGS.len() + ai) % ENVS.len()];
        let home = if rng.random::<f64>() < 0.6 {
            "us-east-1"
        } else {
            pick_region(rng)
        };
        let domain = format!("{org}.example");
        let hex17 = |rng: &mut ChaCha8Rng, p: &str| rand_hex(rng, p, 17);
        let instances: Vec<String> = (0..40).map(|_| hex17(rng, "i-")).collect();
        let functions: Vec<String> = FUNCS.iter().map(|f| f.to_string()).collect();
        let mut acct = Account {
            org,
            env,
            home,
            buckets: BUCKET_KINDS
                .iter()
                .map(|k| match *k {
                    // Log buckets carry the account id, as org-wide ones usually do.
                    "logs" | "cloudtrail" => format!("{org}-{env}-{k}-{id}"),
                    _ => format!("{org}-{env}-{k}"),
                })
                .collect(),
            sgs: (0..10).map(|_| hex17(rng, "sg-")).collect(),
            vpcs: (0..3).map(|_| hex17(rng, "vpc-")).collect(),
            subnets: (0..8).map(|_| hex17(rng, "subnet-")).collect(),
            amis: (0..5).map(|_| hex17(rng, "ami-")).collect(),
            keys: (0..6).map(|_| uuid_string(rng)).collect(),
            tables: TABLES.iter().map(|t| format!("{env}-{t}")).collect(),
            secrets: APPS
                .iter()
                .take(6)
                .flat_map(|a| SECRETS.iter().map(move |s| (a, s)))
                .map(|(a, s)| format!("{env}/{a}/{s}-{}", rand_string(rng, "", 6, ALNUM)))
                .collect(),
            params: APPS
                .iter()
                .take(8)
                .flat_map(|a| PARAMS.iter().map(move |p| format!("/{env}/{a}/{p}")))
                .collect(),
            dbs: ["orders", "users", "analytics"]
                .iter()
                .map(|d| format!("{env}-{d}-db"))
                .collect(),
            clusters: vec![format!("{env}-eks"), format!("{env}-eks-batch")],
            trail: format!("arn:aws:cloudtrail:us-east-1:{id}:trail/{org}-org-trail"),
            detector: rand_hex(rng, "", 32),
            domain,
            instances,
            functions,
            principals: Vec::with_capacity(n),
            pcdf: Cdf::zipf(n, 1.1),
            users: Vec::new(),
            roles: Vec::new(),
            svc_roles: Vec::new(),
            assumable: Vec::new(),
            people: Vec::new(),
            id,
        };
        let mut names = HashSet::new();
        let persona_cdf = Cdf::new([20.0, 8.0, 10.0, 7.0, 30.0, 20.0, 5.0]);
        let mut ranked: Vec<(f64, Principal)> = (0..n)
            .map(|_| {
                let persona = persona_cdf.pick(rng);
                let p = acct.make_principal(rng, persona, &mut names, vendor_ips);
                // Machines make most of the noise: bias them towards the hot
                // (low) Zipf ranks, people towards the tail.
                let spread = if matches!(persona, HU | SU | SSO) {
                    2.5
                } else {
                    1.0
                };
                (rng.random::<f64>() * spread, p)
            })
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (i, (_, p)) in ranked.into_iter().enumerate() {
            if p.kind == Kind::Role && (p.persona == CI || (p.persona == SCAN && p.svc.is_none())) {
                acct.assumable.push(i);
            }
            if matches!(p.persona, HU | SU | SSO | CI) {
                acct.people.push(i);
            }
            match p.kind {
                Kind::User => acct.users.push(i),
                Kind::Role => {
                    acct.roles.push(i);
                    if matches!(p.persona, EC2 | LAM) {
                        acct.svc_roles.push(i);
                    }
                }
                Kind::Fed => {}
            }
            acct.principals.push(p);
        }
        acct
    }

    fn make_principal(
        &self,
        rng: &mut ChaCha8Rng,
        persona: usize,
        names: &mut HashSet<String>,
        vendor_ips: &[String],
    ) -> Principal {
        let id = &self.id;
        let env = self.env;
        let kind = match persona {
            HU => Kind::User,
            SU if rng.random::<f64>() < 0.3 => Kind::Fed,
            SU => Kind::User,
            _ => Kind::Role,
        };
        let mut svc = None;
        let mut path = "";
        let base = match persona {
            HU => format!("{}.{}", pick(rng, FIRST), pick(rng, LAST)),
            SU if kind == Kind::Fed => format!("{}-{}", pick(rng, APPS), pick(rng, FIRST)),
            SU => pick(rng, SVC_USERS).to_string(),
            SSO => {
                path = "aws-reserved/sso.amazonaws.com/";
                format!(
                    "AWSReservedSSO_{}_{}",
                    pick(rng, SSO_SETS),
                    rand_hex(rng, "", 16)
                )
            }
            CI => format!("{}-{env}", pick(rng, CI_ROLES)),
            EC2 => format!("{env}-{}-ec2-role", pick(rng, APPS)),
            LAM => format!(
                "{}-role-{}",
                pick(rng, FUNCS),
                rand_string(rng, "", 8, b"abcdefghijklmnopqrstuvwxyz0123456789")
            ),
            _ => {
                if rng.random::<f64>() < 0.4 {
                    let (role, service, _) = *pick(rng, SLR);
                    svc = Some(service);
                    path = match service {
                        "config.amazonaws.com" => "aws-service-role/config.amazonaws.com/",
                        "guardduty.amazonaws.com" => "aws-service-role/guardduty.amazonaws.com/",
                        "trustedadvisor.amazonaws.com" => {
                            "aws-service-role/trustedadvisor.amazonaws.com/"
                        }
                        _ => "aws-service-role/securityhub.amazonaws.com/",
                    };
                    role.to_string()
                } else {
                    pick(rng, SCAN_ROLES).to_string()
                }
            }
        };
        let mut name = base.clone();
        let mut k = 2;
        while !names.insert(name.clone()) {
            name = format!("{base}-{k}");
            k += 1;
        }
        let seed = rng.next_u64();
        let (arn, pid, key, issuer) = match kind {
            Kind::User => (
                format!("arn:aws:iam::{id}:user/{name}"),
                rand_string(rng, "AIDA", 17, B32),
                rand_string(rng, "AKIA", 16, B32),
                None,
            ),
            Kind::Role => (
                format!("arn:aws:iam::{id}:role/{path}{name}"),
                rand_string(rng, "AROA", 17, B32),
                String::new(),
                None,
            ),
            Kind::Fed => {
                let broker = "svc-token-broker";
                (
                    format!("arn:aws:sts::{id}:federated-user/{name}"),
                    format!("{id}:{name}"),
                    String::new(),
                    Some((
                        broker.to_string(),
                        rand_string(rng, "AIDA", 17, B32),
                        format!("arn:aws:iam::{id}:user/{broker}"),
                    )),
                )
            }
        };
        let sessions: Vec<String> = match persona {
            EC2 => {
                let k = 1 + rng.next_u32() as usize % 4;
                (0..k).map(|_| pick(rng, &self.instances).clone()).collect()
            }
            LAM => {
                // The function name is embedded in the role name.
                let f = FUNCS
                    .iter()
                    .find(|f| name.contains(*f))
                    .map_or_else(|| self.functions[0].clone(), |f| f.to_string());
                vec![f]
            }
            SSO => {
                let k = 1 + rng.next_u32() as usize % 3;
                (0..k)
                    .map(|_| format!("{}.{}@{}", pick(rng, FIRST), pick(rng, LAST), self.domain))
                    .collect()
            }
            CI => {
                let k = 1 + rng.next_u32() as usize % 3;
                (0..k)
                    .map(|_| match rng.next_u32() % 4 {
                        0 => "GitHubActions".to_string(),
                        1 => rand_hex(rng, "terraform-run-", 8),
                        2 => format!(
                            "aws-go-sdk-{}",
                            1_772_000_000_000_000_000u64 + rng.next_u64() % 1_000_000_000_000
                        ),
                        _ => format!(
                            "botocore-session-{}",
                            1_772_000_000 + rng.next_u32() % 1_000_000
                        ),
                    })
                    .collect()
            }
            SCAN => match svc {
                Some(s) => vec![
                    SLR.iter()
                        .find(|x| x.1 == s)
                        .map_or("session", |x| x.2)
                        .to_string(),
                ],
                None => vec![match name.split(['-', 'R']).next().unwrap_or("") {
                    "Datadog" | "DatadogIntegration" => "DatadogAWSIntegration".to_string(),
                    _ => rand_hex(rng, "scan-", 12),
                }],
            },
            _ => Vec::new(),
        };
        let ips: Vec<String> = match persona {
            HU | SSO => (0..1 + rng.next_u32() % 3)
                .map(|_| public_ip(rng, PUBLIC_OCTETS))
                .collect(),
            CI => (0..2 + rng.next_u32() % 3)
                .map(|_| public_ip(rng, CI_OCTETS))
                .collect(),
            SCAN => (0..2).map(|_| pick(rng, vendor_ips).clone()).collect(),
            SU => (0..1 + rng.next_u32() % 2)
                .map(|_| public_ip(rng, AWS_OCTETS))
                .collect(),
            EC2 => (0..1 + rng.next_u32() % 3).map(|_| ec2_ip(rng)).collect(),
            _ => (0..1 + rng.next_u32() % 3)
                .map(|_| public_ip(rng, AWS_OCTETS))
                .collect(),
        };
        let vpce = if persona == EC2 && rng.random::<f64>() < 0.25 {
            Some(rand_hex(rng, "vpce-", 17))
        } else {
            None
        };
        let ips = if vpce.is_some() {
            (0..2)
                .map(|_| {
                    let x = rng.next_u32();
                    format!(
                        "10.{}.{}.{}",
                        x & 0xFF,
                        (x >> 8) & 0xFF,
                        1 + (x >> 16) % 254
                    )
                })
                .collect()
        } else {
            ips
        };
        let (ua, ua_mode) = make_ua(rng, persona);
        let console = matches!(persona, HU | SSO) && rng.random::<f64>() < 0.6;
        let region = if rng.random::<f64>() < 0.7 {
            self.home
        } else {
            pick_region(rng)
        };
        Principal {
            persona,
            kind,
            name,
            arn,
            pid,
            key,
            issuer,
            sessions,
            ips,
            ua,
            ua_mode,
            console,
            region,
            vpce,
            svc,
            ec2_delivery: persona == EC2,
            seed,
        }
    }
}

// ---------------------------------------------------------------------------
// Generating one event
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Who<'w> {
    /// IAM user with a long-term access key
    Key(&'w Principal),
    /// IAM user in a console session (ASIA key, MFA'd)
    ConsoleUser(&'w Principal),
    /// IAM user signing in (ConsoleLogin)
    Login(&'w Principal),
    Role(&'w Principal, usize),
    Fed(&'w Principal),
    Root {
        console: bool,
    },
    RootLogin,
    Service(&'static str),
    WebId(&'w Principal),
}

struct Plan<'w> {
    api: usize,
    who: Who<'w>,
    region: &'static str,
    ip: String,
    ua: String,
    console: bool,
    /// the suspicious variant of the API's parameters
    bad: bool,
    err: bool,
    vpce: Option<&'w str>,
    tls: bool,
    /// AssumeRole performed by an AWS service: the role it assumes.
    target: Option<&'w Principal>,
}

struct Ev<'a> {
    rng: &'a mut ChaCha8Rng,
    w: &'a World,
    b: &'a mut String,
    now: i64,
    ts: &'a str,
    seq: u64,
    id_key: u64,
}

struct Extras {
    resource: Option<(&'static str, String)>,
    shared: bool,
    api_version: Option<&'static str>,
}

impl<'a> Ev<'a> {
    fn r(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }
    fn pk<'x, T>(&mut self, v: &'x [T]) -> &'x T {
        &v[self.r(v.len())]
    }
    /// Skewed pick: low indices are hot.
    fn sk<'x, T>(&mut self, v: &'x [T]) -> &'x T {
        let u = self.rng.random::<f64>();
        &v[((u * u * v.len() as f64) as usize).min(v.len() - 1)]
    }

    fn event(&mut self, susp: bool, err: bool) {
        let w = self.w;
        let acct = &w.accounts[w.acct_cdf.pick(self.rng)];
        let mut pl = if susp {
            self.plan_suspicious(acct)
        } else if self.chance(0.03) {
            self.plan_service(acct)
        } else {
            self.plan_normal(acct, err)
        };
        pl.err = err && !susp;
        self.write(acct, &pl);
    }

    fn region_for(&mut self, api: usize, home: &'static str) -> &'static str {
        match APIS[api].a {
            _ if APIS[api].src == IAM => "us-east-1",
            A::SigninConsoleLogin => "us-east-1",
            A::S3ListBuckets if self.chance(0.7) => "us-east-1",
            _ => {
                if self.chance(0.85) {
                    home
                } else {
                    pick_region(self.rng)
                }
            }
        }
    }

    fn ua_for(&mut self, p: &Principal, api: usize) -> String {
        if let Some(s) = p.svc {
            return s.to_string();
        }
        match (p.persona, APIS[api].a) {
            (EC2, A::SsmUpdateInstanceInformation | A::SsmListAssociations) => {
                return SSM_AGENT_UA.to_string();
            }
            (LAM, A::LogsCreateLogStream) => return LAMBDA_WORKER_UA.to_string(),
            _ => {}
        }
        let mut s = String::with_capacity(p.ua.len() + 48);
        s.push_str(&p.ua);
        match p.ua_mode {
            UaMode::Plain => {}
            UaMode::Cli => {
                s.push_str(" command/");
                s.push_str(&self.w.api_cli[api]);
            }
            UaMode::Api => {
                let _ = write!(s, " api/{}#1.{}.0", self.w.api_svc[api], 40 + api % 60);
            }
        }
        s
    }

    fn plan_normal<'w>(&mut self, acct: &'w Account, err: bool) -> Plan<'w> {
        let w = self.w;
        let p = &acct.principals[acct.pcdf.pick(self.rng)];
        let mut api = w.persona_cdf[p.persona].pick(self.rng);
        // A failed sign-in is not an AccessDenied API call: draw something else.
        while err && APIS[api].a == A::SigninConsoleLogin {
            api = w.persona_cdf[p.persona].pick(self.rng);
        }
        let a = APIS[api].a;
        let console = p.console && a != A::SigninConsoleLogin && self.chance(0.5);
        let who = match (p.kind, a) {
            (_, A::StsAssumeRoleWithWebIdentity) => Who::WebId(p),
            (Kind::User, A::SigninConsoleLogin) => Who::Login(p),
            (Kind::User, _) if console => Who::ConsoleUser(p),
            (Kind::User, _) => Who::Key(p),
            (Kind::Fed, _) => Who::Fed(p),
            (Kind::Role, _) => Who::Role(p, self.r(p.sessions.len().max(1))),
        };
        let region = self.region_for(api, p.region);
        let ip = if let Some(s) = p.svc {
            s.to_string()
        } else {
            self.pk(&p.ips).clone()
        };
        let ua = if a == A::SigninConsoleLogin || console {
            self.pk(&CONSOLE_UAS[1..]).to_string()
        } else if a == A::StsAssumeRoleWithWebIdentity {
            GH_OIDC_UA.to_string()
        } else {
            self.ua_for(p, api)
        };
        // Console pages call many APIs with the "AWS Internal" agent.
        let ua = if console && self.chance(0.4) {
            CONSOLE_UAS[0].to_string()
        } else {
            ua
        };
        Plan {
            api,
            who,
            region,
            ip,
            ua,
            console,
            bad: false,
            err: false,
            vpce: p.vpce.as_deref(),
            tls: p.svc.is_none(),
            target: None,
        }
    }

    fn plan_service<'w>(&mut self, acct: &'w Account) -> Plan<'w> {
        // AWS services acting in the account: role assumption for EC2 / Lambda,
        // CloudTrail encrypting its own log files.
        let (api, svc, target) = if !acct.svc_roles.is_empty() && self.chance(0.7) {
            let role = &acct.principals[*self.sk(&acct.svc_roles)];
            let svc = if role.persona == EC2 {
                "ec2.amazonaws.com"
            } else {
                "lambda.amazonaws.com"
            };
            (api(A::StsAssumeRole), svc, Some(role))
        } else {
            (api(A::KmsGenerateDataKey), "cloudtrail.amazonaws.com", None)
        };
        let region = self.region_for(api, acct.home);
        Plan {
            api,
            who: Who::Service(svc),
            region,
            ip: svc.to_string(),
            ua: svc.to_string(),
            console: false,
            bad: false,
            err: false,
            vpce: None,
            tls: false,
            target,
        }
    }

    fn plan_suspicious<'w>(&mut self, acct: &'w Account) -> Plan<'w> {
        let scenario = self.r(8);
        // Recon with a pentest user agent may use any stolen credentials (instance
        // role keys included); account changes come from people and pipelines.
        let p = if scenario == 5 || acct.people.is_empty() {
            &acct.principals[acct.pcdf.pick(self.rng)]
        } else {
            &acct.principals[*self.sk(&acct.people)]
        };
        let shady_ip = |ev: &mut Ev| {
            let pre = *ev.pk(SHADY_PREFIXES);
            format!("{pre}.{}", 1 + ev.r(254))
        };
        let as_who = |ev: &mut Ev, p: &'w Principal| match p.kind {
            Kind::User => Who::Key(p),
            Kind::Fed => Who::Fed(p),
            Kind::Role => Who::Role(p, ev.r(p.sessions.len().max(1))),
        };
        let mut pl = Plan {
            api: 0,
            who: as_who(self, p),
            region: p.region,
            ip: if let Some(s) = p.svc {
                s.to_string()
            } else {
                self.pk(&p.ips).clone()
            },
            ua: String::new(),
            console: false,
            bad: true,
            err: false,
            vpce: None,
            tls: true,
            target: None,
        };
        if p.svc.is_some() {
            // Service-linked roles don't go rogue; the attacker uses a stolen key.
            pl.ip = shady_ip(self);
        }
        match scenario {
            0 => {
                // Root usage.
                pl.api = api(*self.pk(&[
                    A::S3ListBuckets,
                    A::StsGetCallerIdentity,
                    A::Ec2DescribeInstances,
                    A::IamListUsers,
                    A::SigninConsoleLogin,
                    A::SigninConsoleLogin,
                ]));
                pl.ip = shady_ip(self);
                if APIS[pl.api].a == A::SigninConsoleLogin {
                    pl.who = Who::RootLogin;
                    pl.ua = self.pk(&CONSOLE_UAS[1..]).to_string();
                } else {
                    let console = self.chance(0.5);
                    pl.who = Who::Root { console };
                    pl.console = console;
                    pl.ua = if console {
                        self.pk(CONSOLE_UAS).to_string()
                    } else {
                        format!(
                            "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/{}",
                            self.w.api_cli[pl.api]
                        )
                    };
                }
            }
            1 => {
                pl.api = api(if self.chance(0.8) {
                    A::CtStopLogging
                } else {
                    A::CtDeleteTrail
                })
            }
            2 => pl.api = api(A::IamCreateAccessKey),
            3 => pl.api = api(A::Ec2AuthorizeSecurityGroupIngress),
            4 => pl.api = api(A::S3PutBucketPolicy),
            5 => {
                // Recon from a pentest distribution.
                pl.api = api(*self.pk(&[
                    A::S3ListBuckets,
                    A::StsGetCallerIdentity,
                    A::IamListUsers,
                    A::IamListRoles,
                    A::Ec2DescribeInstances,
                    A::SmListSecrets,
                    A::S3GetBucketAcl,
                    A::LambdaListFunctions,
                ]));
                let ua = *self.pk(BAD_UAS);
                pl.ua = if ua.starts_with("aws-cli/2") {
                    format!("{ua} command/{}", self.w.api_cli[pl.api])
                } else {
                    ua.to_string()
                };
                pl.ip = shady_ip(self);
                pl.bad = false; // ordinary parameters, only the agent is off
            }
            6 => {
                // IAM user console login without MFA.
                pl.api = api(A::SigninConsoleLogin);
                pl.ip = shady_ip(self);
                pl.ua = self.pk(&CONSOLE_UAS[1..]).to_string();
                pl.who = if acct.users.is_empty() {
                    Who::RootLogin
                } else {
                    Who::Login(&acct.principals[*self.sk(&acct.users)])
                };
            }
            _ => {
                pl.api = api(if self.chance(0.5) {
                    A::IamAttachUserPolicy
                } else {
                    A::GdDeleteDetector
                });
            }
        }
        if pl.ua.is_empty() {
            pl.ua = if p.svc.is_some() {
                format!(
                    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/{}",
                    self.w.api_cli[pl.api]
                )
            } else {
                self.ua_for(p, pl.api)
            };
        }
        pl.region = self.region_for(pl.api, pl.region);
        pl
    }

    fn session_creation(&self, p: &Principal, sess: usize) -> i64 {
        let phase = (mix64(p.seed ^ (sess as u64).wrapping_mul(0x9E37)) % 3600) as i64;
        (self.now - phase).div_euclid(3600) * 3600 + phase
    }

    fn session_key(&mut self, p_seed: u64, sess: usize, created: i64) {
        self.b.push_str("ASIA");
        push_key_from_hash(
            self.b,
            mix64(p_seed ^ ((sess as u64) << 40) ^ created as u64),
        );
    }

    /// Writes `"userIdentity":{...},`; returns the caller ARN's byte range in `b` (for error messages).
    fn identity(&mut self, acct: &Account, pl: &Plan) -> std::ops::Range<usize> {
        let id = acct.id.as_str();
        ko(self.b, "userIdentity");
        let arn_range;
        macro_rules! arn {
            ($($part:expr),*) => {{
                key(self.b, "arn");
                self.b.push('"');
                let start = self.b.len();
                $( self.b.push_str($part); )*
                arn_range = start..self.b.len();
                self.b.push_str("\",");
            }};
        }
        match pl.who {
            Who::Key(p) | Who::ConsoleUser(p) | Who::Login(p) => {
                ks(self.b, "type", "IAMUser");
                ks(self.b, "principalId", &p.pid);
                arn!(&p.arn);
                ks(self.b, "accountId", id);
                match pl.who {
                    Who::Key(_) => ks(self.b, "accessKeyId", &p.key),
                    Who::ConsoleUser(_) => {
                        let created = self.session_creation(p, 99);
                        key(self.b, "accessKeyId");
                        self.b.push('"');
                        self.session_key(p.seed, 99, created);
                        self.b.push_str("\",");
                        ks(self.b, "userName", &p.name);
                        ko(self.b, "sessionContext");
                        kraw(self.b, "sessionIssuer", "{}");
                        kraw(self.b, "webIdFederationData", "{}");
                        ko(self.b, "attributes");
                        key(self.b, "creationDate");
                        self.b.push('"');
                        iso(self.b, created);
                        self.b.push_str("\",");
                        ks(self.b, "mfaAuthenticated", "true");
                        end(self.b, '}');
                        end(self.b, '}');
                    }
                    _ => {}
                }
                if !matches!(pl.who, Who::ConsoleUser(_)) {
                    ks(self.b, "userName", &p.name);
                }
            }
            Who::Role(p, s) => {
                let sess = p.sessions.get(s).map_or("session", String::as_str);
                let created = self.session_creation(p, s);
                ks(self.b, "type", "AssumedRole");
                key(self.b, "principalId");
                self.b.push('"');
                self.b.push_str(&p.pid);
                self.b.push(':');
                self.b.push_str(sess);
                self.b.push_str("\",");
                arn!("arn:aws:sts::", id, ":assumed-role/", &p.name, "/", sess);
                ks(self.b, "accountId", id);
                key(self.b, "accessKeyId");
                self.b.push('"');
                self.session_key(p.seed, s, created);
                self.b.push_str("\",");
                ko(self.b, "sessionContext");
                ko(self.b, "sessionIssuer");
                ks(self.b, "type", "Role");
                ks(self.b, "principalId", &p.pid);
                ks(self.b, "arn", &p.arn);
                ks(self.b, "accountId", id);
                ks(self.b, "userName", &p.name);
                end(self.b, '}');
                kraw(self.b, "webIdFederationData", "{}");
                ko(self.b, "attributes");
                key(self.b, "creationDate");
                self.b.push('"');
                iso(self.b, created);
                self.b.push_str("\",");
                ks(self.b, "mfaAuthenticated", "false");
                end(self.b, '}');
                if p.ec2_delivery {
                    ks(self.b, "ec2RoleDelivery", "2.0");
                }
                end(self.b, '}');
                if let Some(s) = p.svc {
                    ks(self.b, "invokedBy", s);
                }
            }
            Who::Fed(p) => {
                let created = self.session_creation(p, 7);
                ks(self.b, "type", "FederatedUser");
                ks(self.b, "principalId", &p.pid);
                arn!(&p.arn);
                ks(self.b, "accountId", id);
                key(self.b, "accessKeyId");
                self.b.push('"');
                self.session_key(p.seed, 7, created);
                self.b.push_str("\",");
                ko(self.b, "sessionContext");
                if let Some((name, pid, arn)) = &p.issuer {
                    ko(self.b, "sessionIssuer");
                    ks(self.b, "type", "IAMUser");
                    ks(self.b, "principalId", pid);
                    ks(self.b, "arn", arn);
                    ks(self.b, "accountId", id);
                    ks(self.b, "userName", name);
                    end(self.b, '}');
                }
                kraw(self.b, "webIdFederationData", "{}");
                ko(self.b, "attributes");
                key(self.b, "creationDate");
                self.b.push('"');
                iso(self.b, created);
                self.b.push_str("\",");
                ks(self.b, "mfaAuthenticated", "false");
                end(self.b, '}');
                end(self.b, '}');
            }
            Who::Root { console } => {
                ks(self.b, "type", "Root");
                ks(self.b, "principalId", id);
                arn!("arn:aws:iam::", id, ":root");
                ks(self.b, "accountId", id);
                key(self.b, "accessKeyId");
                self.b.push('"');
                let k = mix64(
                    acct.id
                        .bytes()
                        .fold(0u64, |h, c| h.wrapping_mul(131) ^ u64::from(c))
                        ^ (self.now / 3600) as u64,
                );
                if console {
                    self.b.push_str("ASIA");
                } else {
                    self.b.push_str("AKIA");
                }
                push_key_from_hash(self.b, k);
                self.b.push_str("\",");
                if console {
                    ko(self.b, "sessionContext");
                    kraw(self.b, "sessionIssuer", "{}");
                    kraw(self.b, "webIdFederationData", "{}");
                    ko(self.b, "attributes");
                    key(self.b, "creationDate");
                    self.b.push('"');
                    iso(self.b, self.now - 600);
                    self.b.push_str("\",");
                    ks(self.b, "mfaAuthenticated", "false");
                    end(self.b, '}');
                    end(self.b, '}');
                }
            }
            Who::RootLogin => {
                ks(self.b, "type", "Root");
                ks(self.b, "principalId", id);
                arn!("arn:aws:iam::", id, ":root");
                ks(self.b, "accountId", id);
                ks(self.b, "accessKeyId", "");
            }
            Who::Service(s) => {
                ks(self.b, "type", "AWSService");
                key(self.b, "invokedBy");
                self.b.push('"');
                let start = self.b.len();
                self.b.push_str(s);
                arn_range = start..self.b.len();
                self.b.push_str("\",");
            }
            Who::WebId(_) => {
                let repo = format!("repo:{}/{}-infra:ref:refs/heads/main", acct.org, acct.env);
                ks(self.b, "type", "WebIdentityUser");
                key(self.b, "principalId");
                self.b.push('"');
                let _ = write!(
                    self.b,
                    "arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:{repo}"
                );
                self.b.push_str("\",");
                key(self.b, "userName");
                self.b.push('"');
                let start = self.b.len();
                self.b.push_str(&repo);
                arn_range = start..self.b.len();
                self.b.push_str("\",");
                key(self.b, "identityProvider");
                let _ = write!(
                    self.b,
                    "\"arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com\","
                );
            }
        }
        end(self.b, '}');
        arn_range
    }

    fn write(&mut self, acct: &Account, pl: &Plan) {
        let def = &APIS[pl.api];
        let start = self.b.len();
        self.b.push('{');
        ks(
            self.b,
            "eventVersion",
            if pl.api % 5 == 1 { "1.08" } else { "1.09" },
        );
        let arn = self.identity(acct, pl);
        key(self.b, "eventTime");
        self.b.push('"');
        self.b.push_str(self.ts);
        self.b.push_str("\",");
        ks(self.b, "eventSource", def.src);
        ks(self.b, "eventName", def.name);
        ks(self.b, "awsRegion", pl.region);
        ks(self.b, "sourceIPAddress", &pl.ip);
        ks(self.b, "userAgent", &pl.ua);
        if pl.err {
            ks(self.b, "errorCode", "AccessDenied");
            if def.src == S3 {
                ks(self.b, "errorMessage", "Access Denied");
            } else {
                let caller = self.b[arn].to_string();
                let action = &self.w.api_action[pl.api];
                key(self.b, "errorMessage");
                let _ = write!(
                    self.b,
                    "\"User: {caller} is not authorized to perform: {action} because no identity-based policy allows the {action} action\","
                );
            }
        }
        let ex = self.body(acct, pl, pl.target);
        key(self.b, "requestID");
        self.b.push('"');
        if def.src == S3 {
            push_hex(self.b, self.rng, 16, HEXU);
        } else {
            push_uuid(self.b, self.rng);
        }
        self.b.push_str("\",");
        key(self.b, "eventID");
        self.event_id();
        let data = def.a == A::LambdaInvoke;
        kb(self.b, "readOnly", def.ro);
        if let Some((ty, arn)) = &ex.resource {
            ka(self.b, "resources");
            self.b.push('{');
            ks(self.b, "accountId", &acct.id);
            ks(self.b, "type", ty);
            ks(self.b, "ARN", arn);
            end(self.b, '}');
            end(self.b, ']');
        }
        ks(
            self.b,
            "eventType",
            if def.a == A::SigninConsoleLogin {
                "AwsConsoleSignIn"
            } else {
                "AwsApiCall"
            },
        );
        if let Some(v) = ex.api_version {
            ks(self.b, "apiVersion", v);
        }
        kb(self.b, "managementEvent", !data);
        ks(self.b, "recipientAccountId", &acct.id);
        if ex.shared {
            key(self.b, "sharedEventID");
            self.b.push('"');
            push_uuid(self.b, self.rng);
            self.b.push_str("\",");
        }
        if let Some(v) = pl.vpce {
            ks(self.b, "vpcEndpointId", v);
            ks(self.b, "vpcEndpointAccountId", &acct.id);
        }
        ks(
            self.b,
            "eventCategory",
            if data { "Data" } else { "Management" },
        );
        if pl.tls && def.a != A::SigninConsoleLogin {
            ko(self.b, "tlsDetails");
            let v13 = !(self.seq ^ pl.api as u64).is_multiple_of(5);
            ks(
                self.b,
                "tlsVersion",
                if v13 { "TLSv1.3" } else { "TLSv1.2" },
            );
            ks(
                self.b,
                "cipherSuite",
                if v13 {
                    "TLS_AES_128_GCM_SHA256"
                } else {
                    "ECDHE-RSA-AES128-GCM-SHA256"
                },
            );
            key(self.b, "clientProvidedHostHeader");
            self.b.push('"');
            match def.src {
                IAM => self.b.push_str("iam.amazonaws.com"),
                _ if pl.console => {
                    let _ = write!(self.b, "{}.console.aws.amazon.com", pl.region);
                }
                _ => {
                    let _ = write!(
                        self.b,
                        "{}.{}.amazonaws.com",
                        self.w.api_svc[pl.api], pl.region
                    );
                }
            }
            self.b.push_str("\",");
            end(self.b, '}');
        }
        if pl.console {
            ks(self.b, "sessionCredentialFromConsole", "true");
        }
        end(self.b, '}');
        self.b.pop(); // trailing comma
        debug_assert!(self.b.len() > start);
    }

    fn event_id(&mut self) {
        // 64 bits of the UUID come from a bijection of the sequence number, so
        // event ids never repeat within one stream; the rest is random.
        let h = mix64(self.seq ^ self.id_key);
        let x = self.rng.next_u64();
        let _ = write!(
            self.b,
            "\"{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:04x}{:08x}\",",
            h >> 32,
            (h >> 16) & 0xFFFF,
            x & 0xFFF,
            8 + ((x >> 12) & 3),
            (x >> 14) & 0xFFF,
            h & 0xFFFF,
            (x >> 26) & 0xFFFF_FFFF
        );
    }

    fn tag(&mut self) -> &'static str {
        let i = self.r(TAG_VALUES.len());
        TAG_VALUES[i]
    }

    fn tags_ec2(&mut self, name: &str) {
        ka(self.b, "tags");
        self.b.push('{');
        ks(self.b, "key", "Name");
        ks(self.b, "value", name);
        end(self.b, '}');
        self.b.push('{');
        ks(self.b, "key", "Owner");
        let t = self.tag();
        ks(self.b, "value", t);
        end(self.b, '}');
        end(self.b, ']');
    }

    fn s3_common(&mut self, bucket: &str, region: &str, sub: &str) {
        ks(self.b, "bucketName", bucket);
        key(self.b, "Host");
        let _ = write!(self.b, "\"{bucket}.s3.{region}.amazonaws.com\",");
        if !sub.is_empty() {
            ks(self.b, sub, "");
        }
    }

    fn s3_extra(&mut self, out_bytes: i64) {
        ko(self.b, "additionalEventData");
        ks(self.b, "SignatureVersion", "SigV4");
        ks(self.b, "CipherSuite", "TLS_AES_128_GCM_SHA256");
        kn(self.b, "bytesTransferredIn", 0);
        ks(self.b, "AuthenticationMethod", "AuthHeader");
        key(self.b, "x-amz-id-2");
        self.b.push('"');
        push_from(self.b, self.rng, 76, B64);
        self.b.push_str("=\",");
        kn(self.b, "bytesTransferredOut", out_bytes);
        end(self.b, '}');
    }

    fn enc_ctx(&mut self, acct: &Account, region: &str) {
        ko(self.b, "encryptionContext");
        match self.r(5) {
            0 => {
                let f = self.sk(&acct.functions);
                key(self.b, "aws:lambda:FunctionArn");
                let _ = write!(
                    self.b,
                    "\"arn:aws:lambda:{region}:{}:function:{f}\",",
                    acct.id
                );
            }
            1 => {
                let s = self.sk(&acct.secrets);
                key(self.b, "SecretARN");
                let _ = write!(
                    self.b,
                    "\"arn:aws:secretsmanager:{region}:{}:secret:{s}\",",
                    acct.id
                );
                key(self.b, "SecretVersionId");
                self.b.push('"');
                push_uuid(self.b, self.rng);
                self.b.push_str("\",");
            }
            2 => {
                let bk = self.sk(&acct.buckets);
                key(self.b, "aws:s3:arn");
                let _ = write!(self.b, "\"arn:aws:s3:::{bk}/");
                push_hex(self.b, self.rng, 2, HEX);
                self.b.push('/');
                push_hex(self.b, self.rng, 24, HEX);
                self.b.push_str(".json.gz\",");
            }
            3 => {
                key(self.b, "aws:ebs:id");
                self.b.push_str("\"vol-");
                push_hex(self.b, self.rng, 17, HEX);
                self.b.push_str("\",");
            }
            _ => {
                let t = self.sk(&acct.tables);
                key(self.b, "aws:dynamodb:tableName");
                let _ = write!(self.b, "\"{t}\",");
                key(self.b, "aws:dynamodb:subscriberId");
                let _ = write!(self.b, "\"{}\",", acct.id);
            }
        }
        end(self.b, '}');
    }

    fn credentials(&mut self, created: i64, long: bool) {
        ko(self.b, "credentials");
        key(self.b, "accessKeyId");
        self.b.push_str("\"ASIA");
        push_from(self.b, self.rng, 16, B32);
        self.b.push_str("\",");
        key(self.b, "sessionToken");
        self.b.push_str("\"IQoJb3JpZ2luX2VjE");
        let n = if long { 300 } else { 200 } + self.r(200);
        push_from(self.b, self.rng, n, B64);
        self.b.push_str("==\",");
        key(self.b, "expiration");
        self.b.push('"');
        human_time(self.b, created + 3600);
        self.b.push_str("\",");
        end(self.b, '}');
    }

    fn filter(&mut self, name: &str, value: &str) {
        ko(self.b, "filterSet");
        ka(self.b, "items");
        self.b.push('{');
        ks(self.b, "name", name);
        ko(self.b, "valueSet");
        ka(self.b, "items");
        self.b.push('{');
        ks(self.b, "value", value);
        end(self.b, '}');
        end(self.b, ']');
        end(self.b, '}');
        end(self.b, '}');
        end(self.b, ']');
        end(self.b, '}');
    }

    fn items_one(&mut self, set: &str, k: &str, v: &str) {
        ko(self.b, set);
        ka(self.b, "items");
        self.b.push('{');
        ks(self.b, k, v);
        end(self.b, '}');
        end(self.b, ']');
        end(self.b, '}');
    }

    /// requestParameters, responseElements and additionalEventData.
    fn body(&mut self, acct: &Account, pl: &Plan, svc_target: Option<&Principal>) -> Extras {
        let def = &APIS[pl.api];
        let id = acct.id.as_str();
        let region = pl.region;
        let ok = !pl.err;
        let mut ex = Extras {
            resource: None,
            shared: false,
            api_version: None,
        };
        macro_rules! req {
            ($($body:tt)*) => {{ ko(self.b, "requestParameters"); $($body)* end(self.b, '}'); }};
        }
        macro_rules! resp {
            ($($body:tt)*) => {{
                if ok { ko(self.b, "responseElements"); $($body)* end(self.b, '}'); }
                else { kraw(self.b, "responseElements", "null"); }
            }};
        }
        macro_rules! null_resp {
            () => {
                kraw(self.b, "responseElements", "null")
            };
        }
        match def.a {
            // ---------------------------------------------------------------- s3
            A::S3ListBuckets => {
                req! { key(self.b, "Host"); let _ = write!(self.b, "\"s3.{region}.amazonaws.com\","); }
                null_resp!();
                let n = if ok {
                    400 + 180 * acct.buckets.len() as i64
                } else {
                    243
                };
                self.s3_extra(n);
            }
            A::S3GetBucketAcl
            | A::S3GetBucketLocation
            | A::S3GetBucketPolicy
            | A::S3GetBucketVersioning
            | A::S3GetBucketEncryption => {
                let bucket = self.sk(&acct.buckets);
                let sub = match def.a {
                    A::S3GetBucketAcl => "acl",
                    A::S3GetBucketLocation => "location",
                    A::S3GetBucketPolicy => "policy",
                    A::S3GetBucketVersioning => "versioning",
                    _ => "encryption",
                };
                req! { self.s3_common(bucket, region, sub); }
                null_resp!();
                let n = 100 + self.r(1200) as i64;
                self.s3_extra(n);
                ex.resource = Some(("AWS::S3::Bucket", format!("arn:aws:s3:::{bucket}")));
            }
            A::S3PutBucketTagging => {
                let bucket = self.sk(&acct.buckets);
                req! {
                    self.s3_common(bucket, region, "tagging");
                    ko(self.b, "Tagging");
                    ks(self.b, "xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
                    ko(self.b, "TagSet");
                    ka(self.b, "Tag");
                    for k in ["team", "cost-center", "description"] {
                        self.b.push('{');
                        ks(self.b, "Key", k);
                        let t = self.tag();
                        ks(self.b, "Value", t);
                        end(self.b, '}');
                    }
                    end(self.b, ']');
                    end(self.b, '}');
                    end(self.b, '}');
                }
                null_resp!();
                self.s3_extra(0);
                ex.resource = Some(("AWS::S3::Bucket", format!("arn:aws:s3:::{bucket}")));
            }
            A::S3PutBucketPolicy => {
                let bucket = self.sk(&acct.buckets);
                req! {
                    ko(self.b, "bucketPolicy");
                    ks(self.b, "Version", "2012-10-17");
                    ka(self.b, "Statement");
                    self.b.push('{');
                    if pl.bad {
                        ks(self.b, "Sid", "PublicRead");
                        ks(self.b, "Effect", "Allow");
                        ks(self.b, "Principal", "*");
                        ks(self.b, "Action", "s3:GetObject");
                    } else if self.chance(0.5) {
                        ks(self.b, "Sid", "AWSCloudTrailWrite");
                        ks(self.b, "Effect", "Allow");
                        ko(self.b, "Principal");
                        ks(self.b, "Service", "cloudtrail.amazonaws.com");
                        end(self.b, '}');
                        ks(self.b, "Action", "s3:PutObject");
                    } else {
                        ks(self.b, "Sid", "CrossAccountRead");
                        ks(self.b, "Effect", "Allow");
                        ko(self.b, "Principal");
                        let other = &self.w.accounts[self.r(self.w.accounts.len())].id;
                        key(self.b, "AWS");
                        let _ = write!(self.b, "\"arn:aws:iam::{other}:root\",");
                        end(self.b, '}');
                        ka(self.b, "Action");
                        es(self.b, "s3:GetObject");
                        es(self.b, "s3:ListBucket");
                        end(self.b, ']');
                    }
                    ka(self.b, "Resource");
                    let _ = write!(self.b, "\"arn:aws:s3:::{bucket}\",\"arn:aws:s3:::{bucket}/*\",");
                    end(self.b, ']');
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                    self.s3_common(bucket, region, "policy");
                }
                null_resp!();
                self.s3_extra(0);
                ex.resource = Some(("AWS::S3::Bucket", format!("arn:aws:s3:::{bucket}")));
            }
            A::S3CreateBucket => {
                let bucket = format!(
                    "{}-{}-{}",
                    acct.org,
                    self.tag().len() + self.r(9000),
                    acct.env
                );
                req! {
                    ko(self.b, "CreateBucketConfiguration");
                    ks(self.b, "LocationConstraint", region);
                    ks(self.b, "xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
                    end(self.b, '}');
                    self.s3_common(&bucket, region, "");
                    ks(self.b, "x-amz-object-ownership", "BucketOwnerEnforced");
                }
                null_resp!();
                self.s3_extra(0);
                ex.resource = Some(("AWS::S3::Bucket", format!("arn:aws:s3:::{bucket}")));
            }
            // ---------------------------------------------------------------- ec2
            A::Ec2DescribeInstances => {
                req! {
                    if self.chance(0.5) {
                        let i = self.sk(&acct.instances);
                        self.items_one("instancesSet", "instanceId", i);
                        kraw(self.b, "filterSet", "{}");
                    } else {
                        kraw(self.b, "instancesSet", "{}");
                        self.filter("tag:Environment", acct.env);
                        kn(self.b, "maxResults", 1000);
                    }
                }
                null_resp!();
            }
            A::Ec2DescribeSecurityGroups => {
                req! {
                    kraw(self.b, "securityGroupSet", "{}");
                    let sg = self.sk(&acct.sgs);
                    self.items_one("securityGroupIdSet", "groupId", sg);
                    kraw(self.b, "filterSet", "{}");
                }
                null_resp!();
            }
            A::Ec2DescribeVpcs => {
                req! { kraw(self.b, "vpcSet", "{}"); kraw(self.b, "filterSet", "{}"); }
                null_resp!();
            }
            A::Ec2DescribeSubnets => {
                req! {
                    kraw(self.b, "subnetSet", "{}");
                    let v = self.pk(&acct.vpcs);
                    self.filter("vpc-id", v);
                }
                null_resp!();
            }
            A::Ec2DescribeVolumes => {
                req! {
                    kraw(self.b, "volumeSet", "{}");
                    if self.chance(0.5) {
                        let i = self.sk(&acct.instances);
                        self.filter("attachment.instance-id", i);
                    } else {
                        kraw(self.b, "filterSet", "{}");
                    }
                    kn(self.b, "maxResults", 500);
                }
                null_resp!();
            }
            A::Ec2DescribeImages => {
                req! {
                    kraw(self.b, "executableBySet", "{}");
                    let ami = self.pk(&acct.amis);
                    self.items_one("imagesSet", "imageId", ami);
                    kraw(self.b, "ownersSet", "{}");
                    kraw(self.b, "availabilitySet", "{}");
                    kraw(self.b, "filterSet", "{}");
                    kb(self.b, "includeDeprecated", false);
                }
                null_resp!();
            }
            A::Ec2DescribeRegions => {
                let all = self.chance(0.3);
                req! { kraw(self.b, "regionSet", "{}"); kb(self.b, "allRegions", all); }
                null_resp!();
            }
            A::Ec2DescribeNetworkInterfaces => {
                req! {
                    kraw(self.b, "networkInterfaceIdSet", "{}");
                    let i = self.sk(&acct.instances);
                    self.filter("attachment.instance-id", i);
                }
                null_resp!();
            }
            A::Ec2RunInstances => {
                let ami = self.pk(&acct.amis);
                let subnet = self.pk(&acct.subnets);
                let vpc = acct.vpcs[0].as_str();
                let sg = self.pk(&acct.sgs);
                let itype = *self.pk(&[
                    "t3.medium",
                    "m6i.large",
                    "c7g.xlarge",
                    "r6i.2xlarge",
                    "t3.micro",
                ]);
                let name = format!("{}-{}-{:02}", acct.env, self.pk(APPS), self.r(40));
                let token = uuid_string(self.rng);
                let x = self.rng.next_u32();
                let priv_ip = format!("10.0.{}.{}", x & 0xFF, 1 + (x >> 8) % 254);
                req! {
                    ko(self.b, "instancesSet");
                    ka(self.b, "items");
                    self.b.push('{');
                    ks(self.b, "imageId", ami);
                    kn(self.b, "minCount", 1);
                    kn(self.b, "maxCount", 1);
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                    ks(self.b, "instanceType", itype);
                    kraw(self.b, "blockDeviceMapping", "{}");
                    ko(self.b, "monitoring");
                    kb(self.b, "enabled", false);
                    end(self.b, '}');
                    kb(self.b, "disableApiTermination", false);
                    kb(self.b, "disableApiStop", false);
                    ks(self.b, "clientToken", &token);
                    ks(self.b, "subnetId", subnet);
                    ko(self.b, "tagSpecificationSet");
                    ka(self.b, "items");
                    self.b.push('{');
                    ks(self.b, "resourceType", "instance");
                    self.tags_ec2(&name);
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                    ko(self.b, "iamInstanceProfile");
                    let app = *self.pk(APPS);
                    key(self.b, "name");
                    let _ = write!(self.b, "\"{}-{app}-ec2-profile\",", acct.env);
                    end(self.b, '}');
                    ko(self.b, "metadataOptions");
                    ks(self.b, "httpTokens", "required");
                    kn(self.b, "httpPutResponseHopLimit", 2);
                    end(self.b, '}');
                }
                resp! {
                    key(self.b, "requestId"); self.b.push('"'); push_uuid(self.b, self.rng); self.b.push_str("\",");
                    key(self.b, "reservationId"); self.b.push_str("\"r-"); push_hex(self.b, self.rng, 17, HEX); self.b.push_str("\",");
                    ks(self.b, "ownerId", id);
                    kraw(self.b, "groupSet", "{}");
                    ko(self.b, "instancesSet");
                    ka(self.b, "items");
                    self.b.push('{');
                    key(self.b, "instanceId"); self.b.push_str("\"i-"); push_hex(self.b, self.rng, 17, HEX); self.b.push_str("\",");
                    ks(self.b, "imageId", ami);
                    ko(self.b, "instanceState"); kn(self.b, "code", 0); ks(self.b, "name", "pending"); end(self.b, '}');
                    ks(self.b, "privateDnsName", &format!("ip-{}.ec2.internal", priv_ip.replace('.', "-")));
                    kn(self.b, "amiLaunchIndex", 0);
                    kraw(self.b, "productCodes", "{}");
                    ks(self.b, "instanceType", itype);
                    kn(self.b, "launchTime", self.now * 1000);
                    ko(self.b, "placement");
                    key(self.b, "availabilityZone"); let _ = write!(self.b, "\"{region}a\",");
                    ks(self.b, "tenancy", "default");
                    end(self.b, '}');
                    ko(self.b, "monitoring"); ks(self.b, "state", "disabled"); end(self.b, '}');
                    ks(self.b, "subnetId", subnet);
                    ks(self.b, "vpcId", vpc);
                    ks(self.b, "privateIpAddress", &priv_ip);
                    ko(self.b, "stateReason"); ks(self.b, "code", "pending"); ks(self.b, "message", "pending"); end(self.b, '}');
                    ks(self.b, "architecture", if itype.starts_with("c7g") { "arm64" } else { "x86_64" });
                    ks(self.b, "rootDeviceType", "ebs");
                    ks(self.b, "rootDeviceName", "/dev/xvda");
                    kraw(self.b, "blockDeviceMapping", "{}");
                    ks(self.b, "virtualizationType", "hvm");
                    ks(self.b, "hypervisor", "xen");
                    ko(self.b, "tagSet");
                    ka(self.b, "items");
                    self.b.push('{'); ks(self.b, "key", "Name"); ks(self.b, "value", &name); end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                    ko(self.b, "groupSet");
                    ka(self.b, "items");
                    self.b.push('{'); ks(self.b, "groupId", sg); ks(self.b, "groupName", "default"); end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                    kb(self.b, "sourceDestCheck", true);
                    kb(self.b, "ebsOptimized", false);
                    kb(self.b, "enaSupport", true);
                    ko(self.b, "cpuOptions"); kn(self.b, "coreCount", 1); kn(self.b, "threadsPerCore", 2); end(self.b, '}');
                    ko(self.b, "metadataOptions");
                    ks(self.b, "state", "pending");
                    ks(self.b, "httpTokens", "required");
                    kn(self.b, "httpPutResponseHopLimit", 2);
                    ks(self.b, "httpEndpoint", "enabled");
                    end(self.b, '}');
                    kraw(self.b, "capacityReservationId", "null");
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                    kraw(self.b, "requesterId", "null");
                }
            }
            A::Ec2TerminateInstances | A::Ec2StopInstances => {
                let i = self.sk(&acct.instances);
                let stop = def.a == A::Ec2StopInstances;
                req! {
                    self.items_one("instancesSet", "instanceId", i);
                    if stop { kb(self.b, "force", false); }
                }
                resp! {
                    key(self.b, "requestId"); self.b.push('"'); push_uuid(self.b, self.rng); self.b.push_str("\",");
                    ko(self.b, "instancesSet");
                    ka(self.b, "items");
                    self.b.push('{');
                    ks(self.b, "instanceId", i);
                    ko(self.b, "currentState");
                    kn(self.b, "code", if stop { 64 } else { 32 });
                    ks(self.b, "name", if stop { "stopping" } else { "shutting-down" });
                    end(self.b, '}');
                    ko(self.b, "previousState"); kn(self.b, "code", 16); ks(self.b, "name", "running"); end(self.b, '}');
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                }
            }
            A::Ec2CreateTags => {
                let i = self.sk(&acct.instances);
                req! {
                    self.items_one("resourcesSet", "resourceId", i);
                    ko(self.b, "tagSet");
                    ka(self.b, "items");
                    for k in ["Owner", "Note"] {
                        self.b.push('{');
                        ks(self.b, "key", k);
                        let t = self.tag();
                        ks(self.b, "value", t);
                        end(self.b, '}');
                    }
                    end(self.b, ']');
                    end(self.b, '}');
                }
                resp! {
                    key(self.b, "requestId"); self.b.push('"'); push_uuid(self.b, self.rng); self.b.push_str("\",");
                    kb(self.b, "_return", true);
                }
            }
            A::Ec2AuthorizeSecurityGroupIngress => {
                let sg = self.pk(&acct.sgs);
                let (port, cidr): (i64, &str) = if pl.bad {
                    (if self.chance(0.8) { 22 } else { 3389 }, "0.0.0.0/0")
                } else {
                    (
                        *self.pk(&[443, 5432, 6379, 8080, 9200]),
                        *self.pk(&[
                            "10.0.0.0/16",
                            "172.31.0.0/16",
                            "192.168.10.0/24",
                            "10.42.0.0/20",
                        ]),
                    )
                };
                req! {
                    ks(self.b, "groupId", sg);
                    ko(self.b, "ipPermissions");
                    ka(self.b, "items");
                    self.b.push('{');
                    ks(self.b, "ipProtocol", "tcp");
                    kn(self.b, "fromPort", port);
                    kn(self.b, "toPort", port);
                    kraw(self.b, "groups", "{}");
                    ko(self.b, "ipRanges");
                    ka(self.b, "items");
                    self.b.push('{');
                    ks(self.b, "cidrIp", cidr);
                    let t = if pl.bad { "temp access" } else { self.tag() };
                    ks(self.b, "description", t);
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                    kraw(self.b, "ipv6Ranges", "{}");
                    kraw(self.b, "prefixListIds", "{}");
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                }
                resp! {
                    key(self.b, "requestId"); self.b.push('"'); push_uuid(self.b, self.rng); self.b.push_str("\",");
                    kb(self.b, "_return", true);
                    ko(self.b, "securityGroupRuleSet");
                    ka(self.b, "items");
                    self.b.push('{');
                    ks(self.b, "groupOwnerId", id);
                    ks(self.b, "groupId", sg);
                    key(self.b, "securityGroupRuleId"); self.b.push_str("\"sgr-"); push_hex(self.b, self.rng, 17, HEX); self.b.push_str("\",");
                    kb(self.b, "isEgress", false);
                    ks(self.b, "ipProtocol", "tcp");
                    kn(self.b, "fromPort", port);
                    kn(self.b, "toPort", port);
                    ks(self.b, "cidrIpv4", cidr);
                    end(self.b, '}');
                    end(self.b, ']');
                    end(self.b, '}');
                }
            }
            // ---------------------------------------------------------------- iam
            A::IamListUsers | A::IamListRoles => {
                if self.chance(0.5) {
                    kraw(self.b, "requestParameters", "null");
                } else {
                    req! { ks(self.b, "pathPrefix", "/"); kn(self.b, "maxItems", 1000); }
                }
                null_resp!();
            }
            A::IamGetRole | A::IamListAttachedRolePolicies => {
                let r = self.role_name(acct);
                req! { ks(self.b, "roleName", &r); }
                null_resp!();
            }
            A::IamGetPolicyVersion => {
                let pol = *self.pk(&[
                    "ReadOnlyAccess",
                    "AmazonS3FullAccess",
                    "AmazonEC2ReadOnlyAccess",
                    "SecurityAudit",
                    "ViewOnlyAccess",
                ]);
                req! {
                    key(self.b, "policyArn"); let _ = write!(self.b, "\"arn:aws:iam::aws:policy/{pol}\",");
                    let ver = 1 + self.r(120);
                    key(self.b, "versionId"); let _ = write!(self.b, "\"v{ver}\",");
                }
                null_resp!();
            }
            A::IamAttachRolePolicy => {
                let r = self.role_name(acct);
                let pol = *self.pk(&[
                    "AmazonS3ReadOnlyAccess",
                    "CloudWatchAgentServerPolicy",
                    "AmazonSSMManagedInstanceCore",
                    "AWSLambdaBasicExecutionRole",
                ]);
                req! {
                    ks(self.b, "roleName", &r);
                    key(self.b, "policyArn");
                    let path = if pol == "AWSLambdaBasicExecutionRole" { "service-role/" } else { "" };
                    let _ = write!(self.b, "\"arn:aws:iam::aws:policy/{path}{pol}\",");
                }
                null_resp!();
            }
            A::IamCreateRole => {
                let name = format!("{}-{}-role-{}", acct.env, self.pk(APPS), self.r(1000));
                let svc = *self.pk(&[
                    "ec2.amazonaws.com",
                    "lambda.amazonaws.com",
                    "ecs-tasks.amazonaws.com",
                ]);
                let doc = format!(
                    "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Principal\": {{\n        \"Service\": \"{svc}\"\n      }},\n      \"Action\": \"sts:AssumeRole\"\n    }}\n  ]\n}}"
                );
                let desc = self.tag();
                req! {
                    ks(self.b, "roleName", &name);
                    ks(self.b, "assumeRolePolicyDocument", &doc);
                    ks(self.b, "description", desc);
                    kn(self.b, "maxSessionDuration", 3600);
                }
                resp! {
                    ko(self.b, "role");
                    ks(self.b, "path", "/");
                    ks(self.b, "roleName", &name);
                    key(self.b, "roleId"); self.b.push_str("\"AROA"); push_from(self.b, self.rng, 17, B32); self.b.push_str("\",");
                    key(self.b, "arn"); let _ = write!(self.b, "\"arn:aws:iam::{id}:role/{name}\",");
                    key(self.b, "createDate"); self.b.push('"'); human_time(self.b, self.now); self.b.push_str("\",");
                    key(self.b, "assumeRolePolicyDocument");
                    let _ = write!(self.b, "\"%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C%0A%20%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Principal%22%3A%20%7B%22Service%22%3A%20%22{svc}%22%7D%2C%20%22Action%22%3A%20%22sts%3AAssumeRole%22%7D%5D%7D\",");
                    ks(self.b, "description", desc);
                    kn(self.b, "maxSessionDuration", 3600);
                    end(self.b, '}');
                }
                ex.resource = Some(("AWS::IAM::Role", format!("arn:aws:iam::{id}:role/{name}")));
            }
            A::IamCreateAccessKey => {
                let target = if acct.users.is_empty() {
                    "admin".to_string()
                } else {
                    acct.principals[*self.pk(&acct.users)].name.clone()
                };
                req! { ks(self.b, "userName", &target); }
                resp! {
                    ko(self.b, "accessKey");
                    key(self.b, "accessKeyId"); self.b.push_str("\"AKIA"); push_from(self.b, self.rng, 16, B32); self.b.push_str("\",");
                    ks(self.b, "status", "Active");
                    ks(self.b, "userName", &target);
                    key(self.b, "createDate"); self.b.push('"'); human_time(self.b, self.now); self.b.push_str("\",");
                    end(self.b, '}');
                }
            }
            A::IamAttachUserPolicy => {
                let target = if acct.users.is_empty() {
                    "backdoor".to_string()
                } else {
                    acct.principals[*self.pk(&acct.users)].name.clone()
                };
                req! {
                    ks(self.b, "userName", &target);
                    ks(self.b, "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess");
                }
                null_resp!();
            }
            // ---------------------------------------------------------------- sts
            A::StsAssumeRole => {
                let cross = svc_target.is_none() && self.chance(0.3) && self.w.accounts.len() > 1;
                let tacct = if cross {
                    &self.w.accounts[self.r(self.w.accounts.len())]
                } else {
                    acct
                };
                let target = match svc_target {
                    Some(t) => t,
                    None => {
                        if !tacct.assumable.is_empty() {
                            &tacct.principals[*self.sk(&tacct.assumable)]
                        } else if !tacct.roles.is_empty() {
                            &tacct.principals[*self.sk(&tacct.roles)]
                        } else {
                            &tacct.principals[0]
                        }
                    }
                };
                let session: String = match (svc_target, &pl.who) {
                    (Some(t), _) => t.sessions.first().cloned().unwrap_or_default(),
                    (None, Who::Role(p, s)) if p.persona == SCAN || p.persona == CI => {
                        p.sessions.get(*s).cloned().unwrap_or_default()
                    }
                    (None, Who::Key(p) | Who::ConsoleUser(p)) => format!("{}-{}", p.name, self.now),
                    _ => format!("botocore-session-{}", self.now - self.r(3600) as i64),
                };
                req! {
                    ks(self.b, "roleArn", &target.arn);
                    ks(self.b, "roleSessionName", &session);
                    if svc_target.is_none() { kn(self.b, "durationSeconds", 3600); }
                }
                resp! {
                    self.credentials(self.now, svc_target.is_none());
                    ko(self.b, "assumedRoleUser");
                    key(self.b, "assumedRoleId"); let _ = write!(self.b, "\"{}:{session}\",", target.pid);
                    key(self.b, "arn");
                    let _ = write!(self.b, "\"arn:aws:sts::{}:assumed-role/{}/{session}\",", tacct.id, target.name);
                    end(self.b, '}');
                }
                ex.resource = Some(("AWS::IAM::Role", target.arn.clone()));
                ex.shared = cross || svc_target.is_some();
            }
            A::StsAssumeRoleWithWebIdentity => {
                let (arn, name, pid) = match pl.who {
                    Who::WebId(p) => (p.arn.as_str(), p.name.as_str(), p.pid.as_str()),
                    _ => ("", "", ""),
                };
                let sub = format!("repo:{}/{}-infra:ref:refs/heads/main", acct.org, acct.env);
                req! {
                    ks(self.b, "roleArn", arn);
                    ks(self.b, "roleSessionName", "GitHubActions");
                    kn(self.b, "durationSeconds", 3600);
                }
                resp! {
                    self.credentials(self.now, true);
                    ks(self.b, "subjectFromWebIdentityToken", &sub);
                    ko(self.b, "assumedRoleUser");
                    key(self.b, "assumedRoleId"); let _ = write!(self.b, "\"{pid}:GitHubActions\",");
                    key(self.b, "arn"); let _ = write!(self.b, "\"arn:aws:sts::{id}:assumed-role/{name}/GitHubActions\",");
                    end(self.b, '}');
                    key(self.b, "provider"); let _ = write!(self.b, "\"arn:aws:iam::{id}:oidc-provider/token.actions.githubusercontent.com\",");
                    ks(self.b, "audience", "sts.amazonaws.com");
                }
                ex.resource = Some(("AWS::IAM::Role", arn.to_string()));
            }
            A::StsGetCallerIdentity => {
                kraw(self.b, "requestParameters", "null");
                null_resp!();
            }
            A::StsGetSessionToken => {
                req! { kn(self.b, "durationSeconds", 43_200); }
                resp! { self.credentials(self.now + 39_600, false); }
            }
            // ---------------------------------------------------------------- kms
            A::KmsDecrypt | A::KmsGenerateDataKey | A::KmsEncrypt => {
                let k = self.sk(&acct.keys);
                req! {
                    if def.a != A::KmsDecrypt || self.chance(0.3) {
                        key(self.b, "keyId");
                        let _ = write!(self.b, "\"arn:aws:kms:{region}:{id}:key/{k}\",");
                    }
                    if def.a == A::KmsGenerateDataKey {
                        ks(self.b, "keySpec", "AES_256");
                    } else {
                        ks(self.b, "encryptionAlgorithm", "SYMMETRIC_DEFAULT");
                    }
                    if matches!(pl.who, Who::Service(_)) {
                        ko(self.b, "encryptionContext");
                        key(self.b, "aws:cloudtrail:arn"); let _ = write!(self.b, "\"{}\",", acct.trail);
                        key(self.b, "aws:s3:arn");
                        let (y, m, d, ..) = split(self.now);
                        let _ = write!(self.b, "\"arn:aws:s3:::{}-{}-cloudtrail-{id}/AWSLogs/{id}/CloudTrail/{region}/{y}/{m:02}/{d:02}/{id}_CloudTrail_{region}_", acct.org, acct.env);
                        iso(self.b, self.now);
                        self.b.push('_');
                        push_from(self.b, self.rng, 16, ALNUM);
                        self.b.push_str(".json.gz\",");
                        end(self.b, '}');
                    } else {
                        self.enc_ctx(acct, region);
                    }
                }
                null_resp!();
                ex.resource = Some((
                    "AWS::KMS::Key",
                    format!("arn:aws:kms:{region}:{id}:key/{k}"),
                ));
            }
            A::KmsDescribeKey => {
                req! {
                    if self.chance(0.5) {
                        let a = *self.pk(&["alias/aws/s3", "alias/aws/ebs", "alias/aws/secretsmanager", "alias/app-data", "alias/backup"]);
                        ks(self.b, "keyId", a);
                    } else {
                        let k = self.sk(&acct.keys);
                        ks(self.b, "keyId", k);
                    }
                }
                null_resp!();
            }
            A::KmsListAliases => {
                if self.chance(0.5) {
                    kraw(self.b, "requestParameters", "null");
                } else {
                    req! { kn(self.b, "limit", 100); kraw(self.b, "marker", "null"); }
                }
                null_resp!();
            }
            // ---------------------------------------------------------------- lambda
            A::LambdaInvoke => {
                let f = self.sk(&acct.functions);
                let farn = format!("arn:aws:lambda:{region}:{id}:function:{f}");
                req! {
                    ks(self.b, "functionName", &farn);
                    let sync = self.chance(0.6);
                    ks(self.b, "invocationType", if sync { "RequestResponse" } else { "Event" });
                    ks(self.b, "logType", "None");
                }
                null_resp!();
                ko(self.b, "additionalEventData");
                key(self.b, "functionVersion");
                let _ = write!(self.b, "\"{farn}:$LATEST\",");
                end(self.b, '}');
                ex.resource = Some(("AWS::Lambda::Function", farn));
                ex.api_version = Some("2015-03-31");
            }
            A::LambdaListFunctions => {
                req! { ks(self.b, "functionVersion", "ALL"); kn(self.b, "maxItems", 50); kraw(self.b, "marker", "null"); }
                null_resp!();
                ex.api_version = Some("2015-03-31");
            }
            A::LambdaGetFunction => {
                let f = self.sk(&acct.functions);
                req! { ks(self.b, "functionName", f); }
                null_resp!();
                ex.api_version = Some("2015-03-31");
            }
            A::LambdaUpdateFunctionCode => {
                let f = self.sk(&acct.functions);
                let bucket = &acct.buckets[6];
                let sha = rand_hex(self.rng, "", 40);
                req! {
                    ks(self.b, "functionName", f);
                    ks(self.b, "s3Bucket", bucket);
                    key(self.b, "s3Key"); let _ = write!(self.b, "\"builds/{f}/{sha}.zip\",");
                    kb(self.b, "publish", false);
                    kb(self.b, "dryRun", false);
                    ka(self.b, "architectures"); es(self.b, "x86_64"); end(self.b, ']');
                }
                resp! {
                    ks(self.b, "functionName", f);
                    key(self.b, "functionArn"); let _ = write!(self.b, "\"arn:aws:lambda:{region}:{id}:function:{f}\",");
                    ks(self.b, "runtime", "python3.12");
                    key(self.b, "role"); let _ = write!(self.b, "\"arn:aws:iam::{id}:role/{f}-role\",");
                    ks(self.b, "handler", "app.handler");
                    let size = 10_000 + self.r(5_000_000) as i64;
                    kn(self.b, "codeSize", size);
                    let t = self.tag();
                    ks(self.b, "description", t);
                    kn(self.b, "timeout", 30);
                    kn(self.b, "memorySize", 512);
                    key(self.b, "lastModified"); self.b.push('"'); iso(self.b, self.now); self.b.pop(); self.b.push_str(".000+0000\",");
                    key(self.b, "codeSha256"); self.b.push('"'); push_from(self.b, self.rng, 43, B64); self.b.push_str("=\",");
                    ks(self.b, "version", "$LATEST");
                    ko(self.b, "tracingConfig"); ks(self.b, "mode", "PassThrough"); end(self.b, '}');
                    key(self.b, "revisionId"); self.b.push('"'); push_uuid(self.b, self.rng); self.b.push_str("\",");
                    ks(self.b, "state", "Active");
                    ks(self.b, "lastUpdateStatus", "InProgress");
                    ks(self.b, "packageType", "Zip");
                    ka(self.b, "architectures"); es(self.b, "x86_64"); end(self.b, ']');
                    ko(self.b, "ephemeralStorage"); kn(self.b, "size", 512); end(self.b, '}');
                }
                ex.api_version = Some("2015-03-31");
            }
            // ---------------------------------------------------------------- cloudtrail
            A::CtLookupEvents => {
                req! {
                    if self.chance(0.5) {
                        ka(self.b, "lookupAttributes");
                        self.b.push('{');
                        ks(self.b, "attributeKey", "EventName");
                        let n = *self.pk(&["ConsoleLogin", "RunInstances", "DeleteBucket", "CreateUser"]);
                        ks(self.b, "attributeValue", n);
                        end(self.b, '}');
                        end(self.b, ']');
                    }
                    key(self.b, "startTime"); self.b.push('"'); iso(self.b, self.now - 86_400); self.b.push_str("\",");
                    key(self.b, "endTime"); self.b.push('"'); iso(self.b, self.now); self.b.push_str("\",");
                    kn(self.b, "maxResults", 50);
                }
                null_resp!();
            }
            A::CtDescribeTrails => {
                req! { ka(self.b, "trailNameList"); end(self.b, ']'); kb(self.b, "includeShadowTrails", true); }
                null_resp!();
            }
            A::CtGetTrailStatus | A::CtStopLogging | A::CtDeleteTrail => {
                req! { ks(self.b, "name", &acct.trail); }
                null_resp!();
                ex.resource = Some(("AWS::CloudTrail::Trail", acct.trail.clone()));
            }
            // ---------------------------------------------------------------- logs
            A::LogsCreateLogStream => {
                let f = self.sk(&acct.functions);
                let (y, m, d, ..) = split(self.now);
                req! {
                    key(self.b, "logGroupName"); let _ = write!(self.b, "\"/aws/lambda/{f}\",");
                    key(self.b, "logStreamName");
                    let _ = write!(self.b, "\"{y}/{m:02}/{d:02}/[$LATEST]");
                    push_hex(self.b, self.rng, 32, HEX);
                    self.b.push_str("\",");
                }
                null_resp!();
            }
            A::LogsDescribeLogGroups => {
                req! {
                    if self.chance(0.5) { ks(self.b, "logGroupNamePrefix", "/aws/lambda/"); }
                    kn(self.b, "limit", 50);
                }
                null_resp!();
            }
            A::LogsFilterLogEvents => {
                let f = self.sk(&acct.functions);
                let pat = *self.pk(&[
                    "\"ERROR\" ?timeout",
                    "{ $.level = \"error\" }",
                    "[ip, user, ts, req=\"POST*\", status=5*, size]",
                    "Task timed out",
                ]);
                req! {
                    key(self.b, "logGroupName"); let _ = write!(self.b, "\"/aws/lambda/{f}\",");
                    kn(self.b, "startTime", (self.now - 3600) * 1000);
                    kn(self.b, "endTime", self.now * 1000);
                    ks(self.b, "filterPattern", pat);
                    kb(self.b, "interleaved", true);
                }
                null_resp!();
            }
            A::LogsCreateLogGroup => {
                let f = self.sk(&acct.functions);
                let t = self.tag();
                req! {
                    key(self.b, "logGroupName"); let _ = write!(self.b, "\"/aws/lambda/{f}\",");
                    ko(self.b, "tags"); ks(self.b, "team", t); end(self.b, '}');
                }
                null_resp!();
            }
            // ---------------------------------------------------------------- dynamodb
            A::DdbDescribeTable => {
                let t = self.sk(&acct.tables);
                req! { ks(self.b, "tableName", t); }
                null_resp!();
                ex.resource = Some((
                    "AWS::DynamoDB::Table",
                    format!("arn:aws:dynamodb:{region}:{id}:table/{t}"),
                ));
            }
            A::DdbListTables => {
                if self.chance(0.5) {
                    kraw(self.b, "requestParameters", "null");
                } else {
                    req! { kraw(self.b, "exclusiveStartTableName", "null"); kn(self.b, "limit", 100); }
                }
                null_resp!();
            }
            A::DdbUpdateTable => {
                let t = self.sk(&acct.tables);
                req! { ks(self.b, "tableName", t); ks(self.b, "billingMode", "PAY_PER_REQUEST"); }
                resp! {
                    ko(self.b, "tableDescription");
                    ks(self.b, "tableName", t);
                    ks(self.b, "tableStatus", "UPDATING");
                    key(self.b, "tableArn"); let _ = write!(self.b, "\"arn:aws:dynamodb:{region}:{id}:table/{t}\",");
                    key(self.b, "tableId"); self.b.push('"'); push_uuid(self.b, self.rng); self.b.push_str("\",");
                    let items = self.r(10_000_000) as i64;
                    kn(self.b, "itemCount", items);
                    let bytes = self.r(1 << 30) as i64;
                    kn(self.b, "tableSizeBytes", bytes);
                    ko(self.b, "billingModeSummary"); ks(self.b, "billingMode", "PAY_PER_REQUEST"); end(self.b, '}');
                    ka(self.b, "keySchema");
                    self.b.push('{'); ks(self.b, "attributeName", "pk"); ks(self.b, "keyType", "HASH"); end(self.b, '}');
                    self.b.push('{'); ks(self.b, "attributeName", "sk"); ks(self.b, "keyType", "RANGE"); end(self.b, '}');
                    end(self.b, ']');
                    kb(self.b, "deletionProtectionEnabled", true);
                    end(self.b, '}');
                }
                ex.resource = Some((
                    "AWS::DynamoDB::Table",
                    format!("arn:aws:dynamodb:{region}:{id}:table/{t}"),
                ));
            }
            // ---------------------------------------------------------------- rds
            A::RdsDescribeDBInstances => {
                if self.chance(0.5) {
                    kraw(self.b, "requestParameters", "null");
                } else {
                    let db = self.pk(&acct.dbs);
                    req! { ks(self.b, "dBInstanceIdentifier", db); }
                }
                null_resp!();
            }
            A::RdsDescribeDBClusters => {
                req! { kb(self.b, "includeShared", false); kn(self.b, "maxRecords", 100); }
                null_resp!();
            }
            A::RdsCreateDBSnapshot => {
                let db = self.pk(&acct.dbs);
                let snap = format!("manual-{db}-{}", self.now);
                let k = &acct.keys[0];
                req! {
                    ks(self.b, "dBSnapshotIdentifier", &snap);
                    ks(self.b, "dBInstanceIdentifier", db);
                    ka(self.b, "tags");
                    self.b.push('{'); ks(self.b, "key", "reason"); let t = self.tag(); ks(self.b, "value", t); end(self.b, '}');
                    end(self.b, ']');
                }
                resp! {
                    ks(self.b, "dBSnapshotIdentifier", &snap);
                    ks(self.b, "dBInstanceIdentifier", db);
                    kraw(self.b, "snapshotCreateTime", "null");
                    ks(self.b, "engine", "postgres");
                    kn(self.b, "allocatedStorage", 100);
                    ks(self.b, "status", "creating");
                    kn(self.b, "port", 5432);
                    key(self.b, "availabilityZone"); let _ = write!(self.b, "\"{region}b\",");
                    ks(self.b, "vpcId", &acct.vpcs[0]);
                    ks(self.b, "masterUsername", "app");
                    ks(self.b, "engineVersion", "16.2");
                    ks(self.b, "snapshotType", "manual");
                    kn(self.b, "percentProgress", 0);
                    ks(self.b, "storageType", "gp3");
                    kb(self.b, "encrypted", true);
                    key(self.b, "kmsKeyId"); let _ = write!(self.b, "\"arn:aws:kms:{region}:{id}:key/{k}\",");
                    key(self.b, "dBSnapshotArn"); let _ = write!(self.b, "\"arn:aws:rds:{region}:{id}:snapshot:{snap}\",");
                    kb(self.b, "iAMDatabaseAuthenticationEnabled", false);
                    ka(self.b, "processorFeatures"); end(self.b, ']');
                    key(self.b, "dbiResourceId"); self.b.push_str("\"db-"); push_from(self.b, self.rng, 26, B32); self.b.push_str("\",");
                }
            }
            // ---------------------------------------------------------------- ssm
            A::SsmGetParameter => {
                let p = self.sk(&acct.params);
                let dec = self.chance(0.7);
                req! { ks(self.b, "name", p); kb(self.b, "withDecryption", dec); }
                null_resp!();
            }
            A::SsmGetParameters => {
                req! {
                    ka(self.b, "names");
                    for _ in 0..2 + self.r(3) {
                        let p = self.sk(&acct.params);
                        es(self.b, p);
                    }
                    end(self.b, ']');
                    kb(self.b, "withDecryption", true);
                }
                null_resp!();
            }
            A::SsmUpdateInstanceInformation => {
                let inst = match pl.who {
                    Who::Role(p, s) => p.sessions.get(s).map_or("i-0", String::as_str),
                    _ => "i-0",
                };
                let x = (mix64(
                    inst.len() as u64
                        ^ inst
                            .as_bytes()
                            .iter()
                            .fold(0u64, |h, &c| h.wrapping_mul(31) ^ u64::from(c)),
                ) & 0xFFFF) as u32;
                let ip = format!("10.0.{}.{}", x & 0xFF, 1 + (x >> 8) % 254);
                req! {
                    ks(self.b, "instanceId", inst);
                    ks(self.b, "agentVersion", "3.3.40.0");
                    ks(self.b, "agentStatus", "Active");
                    ks(self.b, "platformType", "Linux");
                    ks(self.b, "platformName", "Amazon Linux");
                    ks(self.b, "platformVersion", "2023");
                    ks(self.b, "iPAddress", &ip);
                    key(self.b, "computerName"); let _ = write!(self.b, "\"ip-{}.ec2.internal\",", ip.replace('.', "-"));
                    ks(self.b, "agentName", "amazon-ssm-agent");
                    key(self.b, "availabilityZone"); let _ = write!(self.b, "\"{region}a\",");
                    ks(self.b, "availabilityZoneId", "use1-az4");
                }
                null_resp!();
            }
            A::SsmListAssociations => {
                let inst = match pl.who {
                    Who::Role(p, s) => p.sessions.get(s).map_or("i-0", String::as_str),
                    _ => "i-0",
                };
                req! {
                    ka(self.b, "associationFilterList");
                    self.b.push('{'); ks(self.b, "key", "InstanceId"); ks(self.b, "value", inst); end(self.b, '}');
                    end(self.b, ']');
                    kn(self.b, "maxResults", 50);
                }
                null_resp!();
            }
            A::SsmDescribeInstanceInformation => {
                if self.chance(0.4) {
                    kraw(self.b, "requestParameters", "null");
                } else {
                    req! {
                        kn(self.b, "maxResults", 50);
                        ka(self.b, "filters");
                        self.b.push('{');
                        ks(self.b, "key", "PingStatus");
                        ka(self.b, "values"); es(self.b, "Online"); end(self.b, ']');
                        end(self.b, '}');
                        end(self.b, ']');
                    }
                }
                null_resp!();
            }
            // ---------------------------------------------------------------- secretsmanager
            A::SmGetSecretValue | A::SmDescribeSecret => {
                let s = self.sk(&acct.secrets);
                req! {
                    key(self.b, "secretId");
                    let _ = write!(self.b, "\"arn:aws:secretsmanager:{region}:{id}:secret:{s}\",");
                    if def.a == A::SmGetSecretValue && self.chance(0.3) { ks(self.b, "versionStage", "AWSCURRENT"); }
                }
                null_resp!();
            }
            A::SmListSecrets => {
                req! { kn(self.b, "maxResults", 100); kb(self.b, "includePlannedDeletion", false); }
                null_resp!();
            }
            // ---------------------------------------------------------------- signin
            A::SigninConsoleLogin => {
                kraw(self.b, "requestParameters", "null");
                ko(self.b, "responseElements");
                ks(self.b, "ConsoleLogin", "Success");
                end(self.b, '}');
                ko(self.b, "additionalEventData");
                key(self.b, "LoginTo");
                let _ = write!(
                    self.b,
                    "\"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&region={region}&state=hashArgsFromTB_{region}_"
                );
                push_hex(self.b, self.rng, 16, HEX);
                self.b.push_str("\",");
                ks(self.b, "MobileVersion", "No");
                let mfa = match pl.who {
                    Who::RootLogin => !pl.bad || self.chance(0.3),
                    _ => !pl.bad,
                };
                if mfa {
                    if let Who::Login(p) = pl.who {
                        key(self.b, "MFAIdentifier");
                        let _ = write!(self.b, "\"arn:aws:iam::{id}:mfa/{}\",", p.name);
                    }
                    ks(self.b, "MFAIdentifierType", "TOTP");
                }
                ks(self.b, "MFAUsed", if mfa { "Yes" } else { "No" });
                end(self.b, '}');
            }
            // ---------------------------------------------------------------- misc
            A::EcrGetAuthorizationToken => {
                if self.chance(0.5) {
                    kraw(self.b, "requestParameters", "null");
                } else {
                    req! { ka(self.b, "registryIds"); es(self.b, id); end(self.b, ']'); }
                }
                null_resp!();
            }
            A::ElbDescribeLoadBalancers => {
                req! { kn(self.b, "pageSize", 400); }
                null_resp!();
            }
            A::CwDescribeAlarms => {
                req! {
                    kn(self.b, "maxRecords", 100);
                    if self.chance(0.5) { ks(self.b, "stateValue", "ALARM"); }
                    ka(self.b, "alarmTypes"); es(self.b, "CompositeAlarm"); es(self.b, "MetricAlarm"); end(self.b, ']');
                }
                null_resp!();
            }
            A::AsgDescribeAutoScalingGroups => {
                req! {
                    ka(self.b, "autoScalingGroupNames");
                    let app = *self.pk(APPS);
                    let _ = write!(self.b, "\"{}-{app}-asg\",", acct.env);
                    end(self.b, ']');
                }
                null_resp!();
            }
            A::EksDescribeCluster => {
                let c = self.pk(&acct.clusters);
                req! { ks(self.b, "name", c); }
                null_resp!();
            }
            A::GdListDetectors => {
                req! { kn(self.b, "maxResults", 50); }
                null_resp!();
            }
            A::GdDeleteDetector => {
                req! { ks(self.b, "detectorId", &acct.detector); }
                null_resp!();
            }
            A::SqsListQueues => {
                if self.chance(0.5) {
                    kraw(self.b, "requestParameters", "null");
                } else {
                    req! { key(self.b, "queueNamePrefix"); let _ = write!(self.b, "\"{}-\",", acct.env); }
                }
                null_resp!();
            }
        }
        ex
    }

    fn role_name(&mut self, acct: &Account) -> String {
        if acct.roles.is_empty() {
            "app-role".to_string()
        } else {
            acct.principals[*self.sk(&acct.roles)].name.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::{BTreeMap, BTreeSet};

    fn opts(seed: u64, events: u64) -> GenOptions {
        GenOptions {
            seed,
            events,
            ..GenOptions::default()
        }
    }

    fn lines(o: &GenOptions) -> Vec<String> {
        let mut out = Vec::new();
        write_jsonl(o, &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The test-side notion of "interesting": any one of the detections the
    /// suspicious draw is meant to trigger.
    fn is_suspicious(v: &Value) -> bool {
        let name = v["eventName"].as_str().unwrap_or("");
        let ua = v["userAgent"].as_str().unwrap_or("");
        let raw = v["requestParameters"].to_string();
        v["userIdentity"]["type"] == "Root"
            || matches!(
                name,
                "StopLogging"
                    | "DeleteTrail"
                    | "CreateAccessKey"
                    | "AttachUserPolicy"
                    | "DeleteDetector"
            )
            || (name == "AuthorizeSecurityGroupIngress" && raw.contains("0.0.0.0/0"))
            || (name == "PutBucketPolicy"
                && v["requestParameters"]["bucketPolicy"]["Statement"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|st| st["Principal"] == "*")))
            || ua.contains("kali")
            || ua.contains("parrot")
            || ua.contains("pentoo")
            || (name == "ConsoleLogin" && v["additionalEventData"]["MFAUsed"] == "No")
    }

    #[test]
    fn api_table_is_indexed_by_enum() {
        for (i, d) in APIS.iter().enumerate() {
            assert_eq!(d.a as usize, i, "{:?} out of place", d.a);
        }
        assert_eq!(APIS.len(), A::GdDeleteDetector as usize + 1);
    }

    #[test]
    fn catalogue_breadth() {
        let normal: Vec<_> = APIS.iter().filter(|a| a.w.iter().any(|&w| w > 0)).collect();
        let services: BTreeSet<_> = normal.iter().map(|a| a.src).collect();
        assert!(normal.len() >= 40, "{} APIs", normal.len());
        assert!(services.len() >= 12, "{} services", services.len());
        assert_eq!(kebab("DescribeDBInstances"), "describe-db-instances");
        assert_eq!(kebab("ListFunctions20150331"), "list-functions");
        assert_eq!(kebab("GetBucketAcl"), "get-bucket-acl");
    }

    #[test]
    fn time_formatting() {
        let mut s = String::new();
        iso(&mut s, START_EPOCH);
        assert_eq!(s, "2026-03-01T00:00:00Z");
        s.clear();
        iso(&mut s, START_EPOCH - 1);
        assert_eq!(s, "2026-02-28T23:59:59Z");
        s.clear();
        human_time(&mut s, START_EPOCH + 3600);
        assert_eq!(s, "Mar 1, 2026, 1:00:00 AM");
        s.clear();
        human_time(&mut s, START_EPOCH + 13 * 3600 + 61);
        assert_eq!(s, "Mar 1, 2026, 1:01:01 PM");
        s.clear();
        iso(&mut s, 951_782_400); // leap day
        assert_eq!(s, "2000-02-29T00:00:00Z");
    }

    #[test]
    fn deterministic_for_a_seed() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        let na = write_jsonl(&opts(7, 5_000), &mut a).unwrap();
        let nb = write_jsonl(&opts(7, 5_000), &mut b).unwrap();
        write_jsonl(&opts(8, 5_000), &mut c).unwrap();
        assert_eq!(na, a.len() as u64);
        assert_eq!(na, nb);
        assert!(a == b, "same seed must give the same bytes");
        assert!(a != c, "different seeds must differ");
        assert_eq!(a.iter().filter(|&&x| x == b'\n').count(), 5_000);
        assert!(a.ends_with(b"\n"));
    }

    #[test]
    fn iterator_and_jsonl_agree() {
        let o = opts(3, 2_000);
        let it: Vec<String> = RecordGen::new(&o).collect();
        assert_eq!(it.len(), 2_000);
        assert_eq!(it, lines(&o));
        assert!(it.iter().all(|r| !r.contains('\n')));
        assert_eq!(RecordGen::new(&opts(3, 0)).count(), 0);
    }

    #[test]
    fn every_record_parses_and_has_the_fields() {
        let o = GenOptions {
            seed: 11,
            events: 60_000,
            suspicious_fraction: 0.05,
            ..GenOptions::default()
        };
        let mut prev_time = String::new();
        let mut types = BTreeMap::<String, usize>::new();
        let mut names = BTreeSet::new();
        let mut sources = BTreeSet::new();
        let mut regions = BTreeSet::new();
        let (mut errors, mut non_ascii, mut escapes, mut ec2_delivery, mut nulls) = (0, 0, 0, 0, 0);
        for line in lines(&o) {
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let s = |k: &str| {
                v[k].as_str()
                    .unwrap_or_else(|| panic!("{k} missing: {line}"))
                    .to_string()
            };
            assert!(matches!(s("eventVersion").as_str(), "1.08" | "1.09"));
            let t = s("eventTime");
            assert_eq!(t.len(), 20, "{t}");
            assert!(t.as_bytes()[10] == b'T' && t.ends_with('Z'));
            assert!(t >= prev_time, "time went backwards: {prev_time} -> {t}");
            prev_time = t;
            let src = s("eventSource");
            assert!(src.ends_with(".amazonaws.com"));
            let name = s("eventName");
            assert!(!name.is_empty());
            regions.insert(s("awsRegion"));
            assert!(!s("sourceIPAddress").is_empty());
            assert!(!s("userAgent").is_empty());
            assert!(!s("requestID").is_empty());
            assert_eq!(s("eventID").len(), 36);
            assert!(v["readOnly"].is_boolean());
            assert!(v["managementEvent"].is_boolean());
            let acct = s("recipientAccountId");
            assert!(acct.len() == 12 && acct.bytes().all(|c| c.is_ascii_digit()));
            let cat = s("eventCategory");
            assert_eq!(cat == "Data", v["managementEvent"] == false);
            assert!(v.get("requestParameters").is_some() && v.get("responseElements").is_some());
            if v["requestParameters"].is_null() || v["responseElements"].is_null() {
                nulls += 1;
            }
            let et = s("eventType");
            if name == "ConsoleLogin" {
                assert_eq!(et, "AwsConsoleSignIn");
                assert_eq!(src, "signin.amazonaws.com");
                assert!(matches!(
                    v["additionalEventData"]["MFAUsed"].as_str(),
                    Some("Yes" | "No")
                ));
                assert!(v["additionalEventData"]["LoginTo"].is_string());
                assert_eq!(v["responseElements"]["ConsoleLogin"], "Success");
            } else {
                assert_eq!(et, "AwsApiCall");
            }
            if let Some(code) = v.get("errorCode") {
                assert_eq!(code, "AccessDenied");
                assert!(v["errorMessage"].is_string());
                assert!(v["responseElements"].is_null());
                errors += 1;
            }
            let ui = &v["userIdentity"];
            let ty = ui["type"].as_str().unwrap().to_string();
            match ty.as_str() {
                "IAMUser" => {
                    assert!(ui["arn"].as_str().unwrap().contains(":user/"));
                    assert!(ui["userName"].is_string());
                    if name != "ConsoleLogin" {
                        let k = ui["accessKeyId"].as_str().unwrap();
                        assert!(k.starts_with("AKIA") || k.starts_with("ASIA"));
                        assert_eq!(k.len(), 20);
                    }
                }
                "AssumedRole" => {
                    assert!(ui["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
                    assert!(ui["arn"].as_str().unwrap().starts_with("arn:aws:sts::"));
                    assert!(ui["arn"].as_str().unwrap().contains(":assumed-role/"));
                    let sc = &ui["sessionContext"];
                    assert_eq!(sc["sessionIssuer"]["type"], "Role");
                    assert!(
                        sc["sessionIssuer"]["arn"]
                            .as_str()
                            .unwrap()
                            .contains(":role/")
                    );
                    assert_eq!(sc["attributes"]["mfaAuthenticated"], "false");
                    let created = sc["attributes"]["creationDate"].as_str().unwrap();
                    assert!(created <= v["eventTime"].as_str().unwrap());
                    if sc.get("ec2RoleDelivery").is_some() {
                        assert_eq!(sc["ec2RoleDelivery"], "2.0");
                        ec2_delivery += 1;
                    }
                }
                "Root" => assert!(ui["arn"].as_str().unwrap().ends_with(":root")),
                "AWSService" => {
                    assert!(
                        ui["invokedBy"]
                            .as_str()
                            .unwrap()
                            .ends_with(".amazonaws.com")
                    );
                    assert_eq!(v["sourceIPAddress"], ui["invokedBy"]);
                }
                "FederatedUser" => {
                    assert!(ui["arn"].as_str().unwrap().contains(":federated-user/"));
                    assert_eq!(ui["sessionContext"]["sessionIssuer"]["type"], "IAMUser");
                }
                "WebIdentityUser" => assert!(ui["identityProvider"].is_string()),
                other => panic!("unexpected identity type {other}"),
            }
            *types.entry(ty).or_default() += 1;
            names.insert(name);
            sources.insert(src);
            if !line.is_ascii() {
                non_ascii += 1;
            }
            if line.contains("\\\"") || line.contains("\\n") || line.contains("\\u00") {
                escapes += 1;
            }
        }
        for ty in [
            "IAMUser",
            "AssumedRole",
            "Root",
            "AWSService",
            "FederatedUser",
            "WebIdentityUser",
        ] {
            assert!(
                types.get(ty).copied().unwrap_or(0) > 0,
                "no {ty}: {types:?}"
            );
        }
        assert!(types["AssumedRole"] > types["IAMUser"], "{types:?}");
        assert!(names.len() >= 40, "{} event names", names.len());
        assert!(sources.len() >= 12, "{} sources", sources.len());
        assert!(regions.len() >= 5);
        let rate = errors as f64 / 60_000.0;
        assert!((0.04..0.06).contains(&rate), "error rate {rate}");
        assert!(non_ascii > 0 && escapes > 0 && ec2_delivery > 0 && nulls > 0);
    }

    #[test]
    fn average_record_size_is_realistic() {
        let mut out = Vec::new();
        let n = 100_000;
        let bytes = write_jsonl(&opts(1, n), &mut out).unwrap();
        let avg = bytes as f64 / n as f64;
        assert!(
            (900.0..1600.0).contains(&avg),
            "average record is {avg:.0} bytes"
        );
    }

    #[test]
    fn suspicious_fraction_is_respected() {
        for (frac, n) in [(0.0, 50_000u64), (0.01, 200_000), (0.2, 20_000)] {
            let o = GenOptions {
                seed: 5,
                events: n,
                suspicious_fraction: frac,
                ..GenOptions::default()
            };
            let mut count = 0u64;
            for r in RecordGen::new(&o) {
                let v: Value = serde_json::from_str(&r).unwrap();
                count += u64::from(is_suspicious(&v));
            }
            let got = count as f64 / n as f64;
            if frac == 0.0 {
                assert_eq!(count, 0, "ordinary traffic must not look suspicious");
            } else {
                assert!((got - frac).abs() < frac * 0.15, "wanted {frac}, got {got}");
            }
        }
        // Every scenario shows up.
        let o = GenOptions {
            seed: 9,
            events: 20_000,
            suspicious_fraction: 1.0,
            ..GenOptions::default()
        };
        let mut seen = BTreeSet::new();
        for r in RecordGen::new(&o) {
            let v: Value = serde_json::from_str(&r).unwrap();
            assert!(is_suspicious(&v), "{r}");
            let ua = v["userAgent"].as_str().unwrap();
            let key = if v["userIdentity"]["type"] == "Root" {
                "root".to_string()
            } else if ua.contains("kali") || ua.contains("parrot") || ua.contains("pentoo") {
                "pentest-ua".to_string()
            } else {
                v["eventName"].as_str().unwrap().to_string()
            };
            seen.insert(key);
        }
        for k in [
            "root",
            "pentest-ua",
            "StopLogging",
            "DeleteTrail",
            "CreateAccessKey",
            "AuthorizeSecurityGroupIngress",
            "PutBucketPolicy",
            "ConsoleLogin",
            "AttachUserPolicy",
            "DeleteDetector",
        ] {
            assert!(seen.contains(k), "scenario {k} never generated: {seen:?}");
        }
    }

    #[test]
    fn s3_delivery_files() {
        let o = opts(21, 10_050);
        let mut files = Vec::new();
        let total = write_s3_delivery(&o, 1_000, |i, bytes| {
            assert_eq!(i, files.len());
            files.push(bytes.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(total, 10_050);
        assert_eq!(files.len(), 11);
        let jsonl = lines(&o);
        let mut k = 0;
        for (i, f) in files.iter().enumerate() {
            let v: Value = serde_json::from_slice(f).unwrap();
            let recs = v["Records"].as_array().unwrap();
            assert_eq!(recs.len(), if i == 10 { 50 } else { 1_000 });
            assert_eq!(v.as_object().unwrap().len(), 1);
            for r in recs {
                let want: Value = serde_json::from_str(&jsonl[k]).unwrap();
                assert_eq!(*r, want);
                k += 1;
            }
        }
        // Exact multiple: no empty trailing file.
        let mut n = 0;
        write_s3_delivery(&opts(21, 2_000), 1_000, |_, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 2);
        let mut n = 0;
        assert_eq!(
            write_s3_delivery(&opts(21, 0), 10, |_, _| {
                n += 1;
                Ok(())
            })
            .unwrap(),
            0
        );
        assert_eq!(n, 0);
        assert!(write_s3_delivery(&o, 0, |_, _| Ok(())).is_err());
        // GenShape routes to the same writers.
        let mut a = Vec::new();
        let mut b = Vec::new();
        GenShape::JsonLines.write(&opts(2, 100), &mut a).unwrap();
        write_jsonl(&opts(2, 100), &mut b).unwrap();
        assert_eq!(a, b);
        let mut s = Vec::new();
        let bytes = GenShape::S3Delivery {
            records_per_file: 30,
        }
        .write(&opts(2, 100), &mut s)
        .unwrap();
        assert_eq!(bytes, s.len() as u64);
        assert_eq!(s.iter().filter(|&&c| c == b'\n').count(), 4);
    }

    #[test]
    fn event_ids_are_unique() {
        let mut ids = HashSet::new();
        for r in RecordGen::new(&opts(4, 100_000)) {
            let v: Value = serde_json::from_str(&r).unwrap();
            let id = v["eventID"].as_str().unwrap().to_string();
            let parts: Vec<_> = id.split('-').map(str::len).collect();
            assert_eq!(parts, [8, 4, 4, 4, 12], "{id}");
            assert!(ids.insert(id));
        }
    }

    #[test]
    fn principals_accounts_and_skew() {
        let o = GenOptions {
            seed: 13,
            events: 50_000,
            accounts: 7,
            principals_per_account: 50,
            ..GenOptions::default()
        };
        let mut accounts = BTreeMap::<String, usize>::new();
        let mut principals = BTreeMap::<String, usize>::new();
        for r in RecordGen::new(&o) {
            let v: Value = serde_json::from_str(&r).unwrap();
            *accounts
                .entry(v["recipientAccountId"].as_str().unwrap().to_string())
                .or_default() += 1;
            let ui = &v["userIdentity"];
            let who = ui["sessionContext"]["sessionIssuer"]["arn"]
                .as_str()
                .or(ui["arn"].as_str())
                .unwrap_or("")
                .to_string();
            if !who.is_empty() {
                *principals.entry(who).or_default() += 1;
            }
        }
        assert_eq!(accounts.len(), 7);
        assert!(
            principals.len() > 7 * 25,
            "{} principals seen",
            principals.len()
        );
        assert!(principals.len() <= 7 * 50 + 50);
        let mut counts: Vec<_> = principals.values().copied().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let top10: usize = counts.iter().take(10).sum();
        let all: usize = counts.iter().sum();
        assert!(
            top10 * 5 > all,
            "top 10 principals carry only {top10}/{all}"
        );
        // Degenerate sizes still work.
        let tiny = GenOptions {
            seed: 1,
            events: 3_000,
            accounts: 1,
            principals_per_account: 1,
            suspicious_fraction: 0.3,
            ..GenOptions::default()
        };
        for r in RecordGen::new(&tiny) {
            serde_json::from_str::<Value>(&r).unwrap();
        }
    }

    #[test]
    fn extreme_fractions() {
        let o = GenOptions {
            seed: 2,
            events: 5_000,
            suspicious_fraction: 1.5,
            error_fraction: 1.0,
            ..GenOptions::default()
        };
        for r in RecordGen::new(&o) {
            serde_json::from_str::<Value>(&r).unwrap();
        }
        let o = GenOptions {
            seed: 2,
            events: 5_000,
            suspicious_fraction: f64::NAN,
            error_fraction: 1.0,
            ..GenOptions::default()
        };
        for r in RecordGen::new(&o) {
            let v: Value = serde_json::from_str(&r).unwrap();
            assert_eq!(v["errorCode"], "AccessDenied");
        }
    }
}

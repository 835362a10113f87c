//! `warden bench`: reproducible throughput figures on one core.
//!
//! Generates seeded, realistic CloudTrail (see `warden_engine::generate`) once into a work directory,
//! then measures, each single-threaded, best of `--repeat` runs, all reading the same files from
//! disk in the same run:
//!
//! * JSON Lines: a validation-only reference (each line through
//!   `serde_json::from_slice::<IgnoredAny>`), Warden's parse-only rate (decode into typed events),
//!   and the full `scan` pipeline (decode, detect, aggregate into the in-memory store);
//! * gzipped S3 delivery files: gunzip only, gunzip + validation, parse-only, and full pipeline;
//!   and, as the one figure that uses a second core, the full pipeline with gunzip on its own
//!   thread (what `warden scan` does on a multi-core machine).
//!
//! Ratios are against the reference of the same input measured in the same run.

use anyhow::Context;
use clap::Args;
use flate2::read::MultiGzDecoder;
use serde::de::IgnoredAny;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use warden_engine::decode::DecodeError;
use warden_engine::decode::cloudtrail::{DecodeOptions, RecordRef, RecordSink, decode};
use warden_engine::generate::{GenOptions, write_jsonl, write_s3_delivery};
use warden_engine::source::{Input, ReadOptions, open};
use warden_engine::{Pipeline, ScanConfig};
use warden_intel::Intel;
use warden_intel::load::{IntelConfig, ListSpec};
use warden_model::CloudTrailEvent;
use warden_store::MemoryStore;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Records to generate.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where generated inputs are kept (reused when already there).
    #[arg(long, default_value = "target/warden-bench")]
    pub work_dir: PathBuf,
    /// Records per gzipped S3 delivery file.
    #[arg(long, default_value_t = 2_000)]
    pub records_per_file: usize,
    /// Runs per measurement; the best is reported.
    #[arg(long, default_value_t = 3)]
    pub repeat: u32,
    /// Entries in the synthetic customer threat list used for the intelligence figures
    /// (0 skips them).
    #[arg(long, default_value_t = 1_000_000)]
    pub intel_entries: usize,
    /// Print the results as JSON too.
    #[arg(long)]
    pub json: bool,
    /// Records from distinct addresses fed through the flow pipeline for the memory figures
    /// (peak RSS, state sizes); 0 skips them.
    #[arg(long, default_value_t = 5_000_000)]
    pub flood_sources: u64,
    /// Run only this section (`cloudtrail`, `intel`, `flow` or `dns`); all when not given.
    #[arg(long, value_enum)]
    pub only: Option<Section>,
    /// Leave the categorised maltrail list out of the built-in intelligence (the figures
    /// without it, to compare).
    #[arg(long)]
    pub no_maltrail: bool,
}

/// A part of the bench that can be run alone.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// CloudTrail JSON Lines and gzipped S3 delivery files.
    Cloudtrail,
    /// Threat-intelligence lookups (needs the CloudTrail corpus).
    Intel,
    /// VPC Flow Logs: decode, full pipeline, and state under a flood of unique sources.
    Flow,
    /// Route 53 Resolver query logs: decode and the full pipeline.
    Dns,
}

/// The built-in intelligence the flow and DNS figures use.
fn builtin_intel(args: &BenchArgs) -> anyhow::Result<(Arc<Intel>, Measurement)> {
    let config = IntelConfig {
        maltrail: !args.no_maltrail,
        ..Default::default()
    };
    let t = Instant::now();
    let intel = warden_intel::load::load(&config, None)?.0;
    let d = t.elapsed();
    let entries: usize = intel.lists().map(|l| l.len()).sum();
    let m = measurement(
        &format!(
            "intel: load built-in lists ({} maltrail; events = entries)",
            if args.no_maltrail { "without" } else { "with" }
        ),
        (entries as u64, 0, d),
        None,
    );
    Ok((Arc::new(intel), m))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Measurement {
    pub name: String,
    pub events: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub events_per_sec: f64,
    pub mb_per_sec: f64,
    /// Events per second of time the thread was on a CPU (Linux; single-threaded runs only).
    pub cpu_events_per_sec: Option<f64>,
    /// Against the reference of the same input.
    pub ratio: Option<f64>,
    /// Memory figures of the unique-source flood run.
    pub flood: Option<FloodMemory>,
}

/// Memory while the pipeline takes a flood of records from distinct addresses.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FloodMemory {
    /// Resident set before the run (Linux `VmRSS`).
    pub rss_before_mb: f64,
    /// Peak resident set during the run (`VmHWM`, reset before the run through
    /// `/proc/self/clear_refs`).
    pub peak_rss_mb: f64,
    /// The detectors' table sizes at the end (each bounded by its capacity).
    pub state: warden_engine::pipeline::FlowState,
}

struct Inputs {
    jsonl: PathBuf,
    gz_files: Vec<PathBuf>,
}

fn prepare(args: &BenchArgs) -> anyhow::Result<Inputs> {
    let dir = args
        .work_dir
        .join(format!("seed{}-n{}", args.seed, args.events));
    let opts = GenOptions {
        seed: args.seed,
        events: args.events,
        ..Default::default()
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let jsonl = dir.join("events.jsonl");
    let done = dir.join(".complete");
    let gz_dir = dir.join(format!("s3-{}", args.records_per_file));
    if !done.exists() || !gz_dir.exists() {
        eprintln!(
            "warden bench: generating {} records (seed {}) into {}",
            args.events,
            args.seed,
            dir.display()
        );
        let mut w = std::io::BufWriter::new(File::create(&jsonl)?);
        write_jsonl(&opts, &mut w)?;
        w.flush()?;
        std::fs::create_dir_all(&gz_dir)?;
        write_s3_delivery(&opts, args.records_per_file, |i, bytes| {
            let f = File::create(
                gz_dir.join(format!("111122223333_CloudTrail_us-east-1_{i:06}.json.gz")),
            )?;
            let mut z = flate2::write::GzEncoder::new(
                std::io::BufWriter::new(f),
                flate2::Compression::default(),
            );
            z.write_all(bytes)?;
            z.finish()?.flush()
        })?;
        File::create(&done)?;
    }
    let mut gz_files: Vec<PathBuf> = std::fs::read_dir(&gz_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    gz_files.sort();
    Ok(Inputs { jsonl, gz_files })
}

/// One run's figures: what it counted, how long it took on the clock, and how long the thread
/// was actually on a CPU (Linux only). On a busy machine the wall-clock rate falls with the
/// load, while the on-CPU rate stays close to what one idle core does.
#[derive(Debug, Clone, Copy)]
struct Timing {
    events: u64,
    bytes: u64,
    wall: Duration,
    cpu: Option<Duration>,
}

impl From<(u64, u64, Duration)> for Timing {
    fn from((events, bytes, wall): (u64, u64, Duration)) -> Self {
        Timing {
            events,
            bytes,
            wall,
            cpu: None,
        }
    }
}

/// Time this thread has spent running (`/proc/thread-self/schedstat`, nanoseconds), if known.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Best of `repeat` runs: the shortest wall-clock time, and separately the shortest on-CPU time.
fn best<F: FnMut() -> anyhow::Result<(u64, u64)>>(repeat: u32, mut f: F) -> anyhow::Result<Timing> {
    let mut out = Timing {
        events: 0,
        bytes: 0,
        wall: Duration::MAX,
        cpu: None,
    };
    for _ in 0..repeat.max(1) {
        let cpu_before = thread_cpu_time();
        let t = Instant::now();
        let (events, bytes) = f()?;
        let d = t.elapsed();
        let cpu = thread_cpu_time()
            .zip(cpu_before)
            .map(|(after, before)| after.saturating_sub(before));
        if d < out.wall {
            (out.events, out.bytes, out.wall) = (events, bytes, d);
        }
        out.cpu = match (out.cpu, cpu) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(out)
}

struct Count(u64);
impl RecordSink for Count {
    fn record(&mut self, e: &CloudTrailEvent<'_>, _: RecordRef<'_>) {
        self.0 += u64::from(e.event_time.is_some());
    }
    fn reject(&mut self, _: DecodeError) {}
}

/// Reference: validate each line as JSON, building nothing.
fn validate_lines(reader: &mut dyn BufRead) -> anyhow::Result<(u64, u64)> {
    let (mut n, mut bytes, mut line) = (0u64, 0u64, Vec::with_capacity(1 << 16));
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        bytes += read as u64;
        if serde_json::from_slice::<IgnoredAny>(&line).is_ok() {
            n += 1;
        }
    }
    Ok((n, bytes))
}

fn parse_only(path: &Path) -> anyhow::Result<(u64, u64)> {
    let mut r = open(&Input::File(path.to_path_buf()))?;
    let mut c = Count(0);
    let s = decode(
        &path.display().to_string(),
        &mut r,
        &DecodeOptions::default(),
        &mut c,
    );
    Ok((c.0, s.bytes))
}

fn full(paths: &[PathBuf], read_ahead: bool) -> anyhow::Result<(u64, u64)> {
    full_with(paths, read_ahead, Arc::new(Intel::default()))
}

fn full_with(paths: &[PathBuf], read_ahead: bool, intel: Arc<Intel>) -> anyhow::Result<(u64, u64)> {
    let mut store = MemoryStore::new();
    let config = ScanConfig {
        read: ReadOptions { read_ahead },
        ..Default::default()
    };
    let mut p = Pipeline::with_intel(config, &mut store, intel);
    let inputs: Vec<Input> = paths.iter().map(|p| Input::File(p.clone())).collect();
    p.scan_inputs(&inputs, || {})?;
    let (stats, _) = p.finish()?;
    anyhow::ensure!(
        stats.rejected == 0,
        "generated input was rejected: {:?}",
        stats.errors.first()
    );
    Ok((stats.records, stats.bytes))
}

fn gunzip(paths: &[PathBuf], validate: bool) -> anyhow::Result<(u64, u64)> {
    let (mut n, mut bytes) = (0u64, 0u64);
    let mut buf = Vec::new();
    for p in paths {
        buf.clear();
        MultiGzDecoder::new(BufReader::new(File::open(p)?)).read_to_end(&mut buf)?;
        bytes += buf.len() as u64;
        if validate {
            #[derive(serde::Deserialize)]
            struct Doc<'a> {
                #[serde(rename = "Records", borrow)]
                records: Vec<&'a serde_json::value::RawValue>,
            }
            let doc: Doc = serde_json::from_slice(&buf)?;
            for r in doc.records {
                serde_json::from_str::<IgnoredAny>(r.get())?;
                n += 1;
            }
        }
    }
    Ok((n, bytes))
}

fn measurement(
    name: &str,
    timing: impl Into<Timing>,
    reference: Option<&Measurement>,
) -> Measurement {
    let Timing {
        events,
        bytes,
        wall: d,
        cpu,
    } = timing.into();
    let secs = d.as_secs_f64();
    let eps = events as f64 / secs;
    let mbps = bytes as f64 / 1e6 / secs;
    Measurement {
        name: name.to_string(),
        events,
        bytes,
        seconds: secs,
        events_per_sec: eps,
        mb_per_sec: mbps,
        cpu_events_per_sec: cpu
            .filter(|c| !c.is_zero())
            .map(|c| events as f64 / c.as_secs_f64()),
        flood: None,
        ratio: reference.map(|r| mbps / r.mb_per_sec),
    }
}

/// Run every measurement; used by the command and by a smoke test.
pub fn measure(args: &BenchArgs) -> anyhow::Result<Vec<Measurement>> {
    let wanted = |s: Section| args.only.is_none_or(|o| o == s);
    if !wanted(Section::Cloudtrail) && !wanted(Section::Intel) {
        return measure_network(args);
    }
    let inputs = prepare(args)?;
    let r = args.repeat;
    let mut out = Vec::new();
    let jsonl = inputs.jsonl.clone();
    let reference = measurement(
        "jsonl: validation-only reference (serde IgnoredAny per line)",
        best(r, || {
            validate_lines(&mut BufReader::with_capacity(
                256 * 1024,
                File::open(&jsonl)?,
            ))
        })?,
        None,
    );
    out.push(reference);
    if wanted(Section::Cloudtrail) {
        let reference = out[0].clone();
        let mut rest = Vec::new();
        rest.push(measurement(
            "jsonl: warden parse-only (typed events)",
            best(r, || parse_only(&jsonl))?,
            Some(&reference),
        ));
        rest.push(measurement(
            "jsonl: warden full scan pipeline",
            best(r, || full(std::slice::from_ref(&jsonl), false))?,
            Some(&reference),
        ));

        let gz = &inputs.gz_files;
        let gunzip_ref = measurement(
            "gzip S3 files: gunzip only (reference)",
            best(r, || gunzip(gz, false))?,
            None,
        );
        let mut gunzip_ref_events = gunzip_ref.clone();
        let validated = measurement(
            "gzip S3 files: gunzip + validation (IgnoredAny per record)",
            best(r, || gunzip(gz, true))?,
            Some(&gunzip_ref),
        );
        gunzip_ref_events.events = validated.events;
        gunzip_ref_events.events_per_sec = validated.events as f64 / gunzip_ref.seconds;
        rest.push(gunzip_ref_events.clone());
        rest.push(validated);
        rest.push(measurement(
            "gzip S3 files: warden parse-only",
            best(r, || {
                gz.iter().try_fold((0, 0), |acc, p| {
                    parse_only(p).map(|(e, b)| (acc.0 + e, acc.1 + b))
                })
            })?,
            Some(&gunzip_ref_events),
        ));
        rest.push(measurement(
            "gzip S3 files: warden full scan pipeline",
            best(r, || full(gz, false))?,
            Some(&gunzip_ref_events),
        ));
        let mut two_threads = best(r, || full(gz, true))?;
        // The on-CPU time of this thread alone would flatter a two-thread run.
        two_threads.cpu = None;
        rest.push(measurement(
            "gzip S3 files: full pipeline, read-ahead gunzip on a 2nd thread",
            two_threads,
            Some(&gunzip_ref_events),
        ));
        out.extend(rest);
    }
    if args.intel_entries > 0 && wanted(Section::Intel) {
        out.extend(measure_intel(args, &jsonl, &out[0])?);
    }
    if wanted(Section::Flow) || wanted(Section::Dns) {
        out.extend(measure_network(args)?);
    }
    Ok(out)
}

/// Route 53 Resolver query logs (seeded: 2,000 instances; names under a few hundred parent
/// domains, 1-3 labels deep, A answers): decode-only and the full pipeline with the built-in
/// intelligence. Domain matching walks each name's labels once per domain table, so this shows
/// what the lists cost per query.
fn measure_dns(args: &BenchArgs, intel: &Arc<Intel>) -> anyhow::Result<Vec<Measurement>> {
    let path = args
        .work_dir
        .join(format!("dns-seed{}-n{}.log", args.seed, args.events));
    if !path.exists() {
        let mut w = std::io::BufWriter::new(File::create(&path)?);
        let mut x = args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let tlds = ["com", "net", "org", "io", "de", "co.uk", "info", "xyz"];
        for i in 0..args.events {
            let r = next();
            let inst = r % 2000;
            let parent = format!("site{}.{}", (r >> 12) % 400, tlds[(r >> 24) as usize % 8]);
            let name = match (r >> 28) % 3 {
                0 => parent,
                1 => format!("www.{parent}"),
                _ => format!("api{}.eu.{parent}", (r >> 32) % 50),
            };
            let answer =
                std::net::Ipv4Addr::from(0x2d00_0000u32 | ((r >> 36) as u32 & 0x00ff_ffff));
            let sec = i % 60;
            writeln!(
                w,
                r#"{{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-0a1b2c3d4e5f60718","query_timestamp":"2026-06-01T12:{:02}:{sec:02}Z","query_name":"{name}.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{{"Rdata":"{answer}","Type":"A","Class":"IN"}}],"srcaddr":"10.{}.{}.10","srcport":"{}","transport":"UDP","srcids":{{"instance":"i-{inst:017x}"}}}}"#,
                (i / 60) % 60,
                inst >> 8,
                inst & 255,
                1024 + (r >> 48) % 60000
            )?;
        }
        w.flush()?;
    }
    let decode_only = best(args.repeat, || {
        let mut reader = BufReader::with_capacity(256 * 1024, File::open(&path)?);
        let mut n = 0u64;
        let (_, _) = warden_engine::decode::dns::decode_lines(
            &mut reader,
            1 << 20,
            &mut |_, _| n += 1,
            &mut |_, _| {},
        )?;
        let bytes = std::fs::metadata(&path)?.len();
        Ok((n, bytes))
    })?;
    let reference = measurement(
        "dns: decode only (Resolver query log JSON)",
        decode_only,
        None,
    );
    let full = measurement(
        "dns: full pipeline (intel domains + answers, DGA/tunnelling behaviour)",
        best(args.repeat, || {
            full_with(std::slice::from_ref(&path), false, intel.clone())
        })?,
        Some(&reference),
    );
    Ok(vec![reference, full])
}

/// The flow and DNS figures wanted, with the built-in intelligence they run on (and its load
/// time).
fn measure_network(args: &BenchArgs) -> anyhow::Result<Vec<Measurement>> {
    let wanted = |s: Section| args.only.is_none_or(|o| o == s);
    let (intel, load) = builtin_intel(args)?;
    let mut out = vec![load];
    if wanted(Section::Flow) {
        out.extend(measure_flow(args, &intel)?);
    }
    if wanted(Section::Dns) {
        out.extend(measure_dns(args, &intel)?);
    }
    Ok(out)
}

/// VPC Flow Logs (default v2 format, seeded: 2,000 instances, a mix of web, SSH and database
/// traffic with mostly private-to-public flows): decode-only and the full pipeline with the
/// built-in intelligence, records per second on one thread.
fn measure_flow(args: &BenchArgs, intel: &Arc<Intel>) -> anyhow::Result<Vec<Measurement>> {
    let path = args
        .work_dir
        .join(format!("flow-seed{}-n{}.log", args.seed, args.events));
    if !path.exists() {
        std::fs::create_dir_all(&args.work_dir)?;
        let mut w = std::io::BufWriter::new(File::create(&path)?);
        let mut x = args.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..args.events {
            let r = next();
            let inst = r % 2000;
            let remote =
                std::net::Ipv4Addr::from(0x2d00_0000u32 | ((r >> 16) as u32 & 0x00ff_ffff));
            let port = [443u16, 443, 443, 80, 22, 5432, 53, 123][(r >> 40) as usize % 8];
            let start = 1_780_000_000 + (i / 1000) as i64;
            let (src, dst, sport, dport) = if r & 1 == 0 {
                (
                    format!("10.{}.{}.{}", inst >> 8, inst & 255, 10),
                    remote.to_string(),
                    32768 + (r >> 48) as u16 % 28000,
                    port,
                )
            } else {
                (
                    remote.to_string(),
                    format!("10.{}.{}.{}", inst >> 8, inst & 255, 10),
                    32768 + (r >> 48) as u16 % 28000,
                    port,
                )
            };
            let action = if (r >> 56) % 10 == 0 {
                "REJECT"
            } else {
                "ACCEPT"
            };
            writeln!(
                w,
                "2 111122223333 eni-{inst:017x} {src} {dst} {sport} {dport} 6 {} {} {start} {} {action} OK",
                1 + (r >> 20) % 40,
                100 + (r >> 24) % 60_000,
                start + 60
            )?;
        }
        w.flush()?;
    }
    let decode_only = best(args.repeat, || {
        let mut reader = BufReader::with_capacity(256 * 1024, File::open(&path)?);
        let mut n = 0u64;
        let (_, _) = warden_engine::decode::flow::decode_lines(
            &mut reader,
            1 << 20,
            &mut |_, _| n += 1,
            &mut |_, _| {},
        )?;
        let bytes = std::fs::metadata(&path)?.len();
        Ok((n, bytes))
    })?;
    let reference = measurement("flow: decode only (default v2 lines)", decode_only, None);
    let intel = intel.clone();
    let full = measurement(
        "flow: full pipeline (intel + brute force, scans, floods, baselines)",
        best(args.repeat, || {
            full_with(std::slice::from_ref(&path), false, intel.clone())
        })?,
        Some(&reference),
    );
    #[allow(unused_mut)]
    let mut out = vec![reference, full];
    if args.flood_sources > 0 {
        out.push(measure_flood(args.flood_sources, intel.clone())?);
    }
    #[cfg(feature = "parquet")]
    {
        // The same records as AWS delivers them in Parquet. MB/s there counts compressed
        // Parquet bytes, so compare records/s with the text figures above, not the ratio.
        let parquet = flow_parquet::write_corpus(&path)?;
        let decode_only = best(args.repeat, || {
            let data = std::fs::read(&parquet)?;
            let bytes = data.len() as u64;
            let mut n = 0u64;
            let (_, _) = warden_engine::decode::flow_parquet::decode(
                data.into(),
                &mut |_, _| n += 1,
                &mut |_, _| {},
            )?;
            Ok((n, bytes))
        })?;
        out.push(measurement(
            "flow: decode only (Parquet, GZIP pages as AWS writes them)",
            decode_only,
            None,
        ));
        out.push(measurement(
            "flow: full pipeline from Parquet (GZIP)",
            best(args.repeat, || {
                full_with(std::slice::from_ref(&parquet), false, intel.clone())
            })?,
            None,
        ));
    }
    Ok(out)
}

/// Default v2 flow records, each from or to an address not seen before (45.0.0.0/8 upward),
/// generated on the fly: half inbound SSH to one of 2,000 instances (brute-force and port-probe
/// state), half outbound to port 8080 (sweep, scan, flood and volume state). Event time
/// advances one second per 20,000 records, so windows stay open and only the capacity bounds
/// the tables.
struct FloodReader {
    next: u64,
    total: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl FloodReader {
    fn refill(&mut self) {
        self.buf.clear();
        self.pos = 0;
        while self.next < self.total && self.buf.len() < 1 << 20 {
            let i = self.next;
            self.next += 1;
            let unique = std::net::Ipv4Addr::from(0x2d00_0000u32.wrapping_add(i as u32));
            let inst = i % 2000;
            let local = format!("10.{}.{}.10", inst >> 8, inst & 255);
            let start = 1_780_000_000 + (i / 20_000) as i64;
            let (src, dst, sport, dport) = if i & 1 == 0 {
                (unique.to_string(), local, 40_000 + (i % 20_000) as u16, 22)
            } else {
                (
                    local,
                    unique.to_string(),
                    40_000 + (i % 20_000) as u16,
                    8080,
                )
            };
            let _ = writeln!(
                self.buf,
                "2 111122223333 eni-{inst:017x} {src} {dst} {sport} {dport} 6 3 180 {start} {} ACCEPT OK",
                start + 30
            );
        }
    }
}

impl Read for FloodReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for FloodReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos >= self.buf.len() {
            self.refill();
        }
        Ok(&self.buf[self.pos..])
    }
    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.buf.len());
    }
}

/// A `/proc/self/status` figure in MB (Linux), 0 elsewhere.
fn proc_status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The full pipeline under `sources` records from distinct addresses: records/s (generation
/// included), peak RSS, and the detectors' table sizes at the end.
fn measure_flood(sources: u64, intel: Arc<Intel>) -> anyhow::Result<Measurement> {
    // Reset the peak to the current resident set, so the peak is this run's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before_mb = proc_status_mb("VmRSS");
    let mut store = MemoryStore::new();
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel);
    let mut reader = FloodReader {
        next: 0,
        total: sources,
        buf: Vec::new(),
        pos: 0,
    };
    let timing = best(1, || {
        p.scan_reader("flood", &mut reader)?;
        Ok((p.stats().records, p.stats().bytes))
    })?;
    let state = p.flow_state();
    let peak_rss_mb = proc_status_mb("VmHWM");
    let (stats, _) = p.finish()?;
    anyhow::ensure!(
        stats.records == sources && stats.rejected == 0,
        "flood input: {} records, {} rejected ({:?})",
        stats.records,
        stats.rejected,
        stats.errors.first()
    );
    let mut m = measurement(
        &format!("flow: full pipeline, flood of {sources} unique addresses"),
        timing,
        None,
    );
    m.flood = Some(FloodMemory {
        rss_before_mb,
        peak_rss_mb,
        state,
    });
    Ok(m)
}

/// The flow corpus in Parquet, for the Parquet figures.
#[cfg(feature = "parquet")]
mod flow_parquet {
    use arrow_array::builder::{Int32Builder, Int64Builder, StringBuilder};
    use arrow_array::{ArrayRef, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, GzipLevel};
    use parquet::file::properties::WriterProperties;
    use std::fs::File;
    use std::io::BufReader;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use warden_engine::decode::flow::{FlowAction, FlowRecord, LogStatus};

    /// Columns of one batch in AWS's default-format Parquet schema.
    #[derive(Default)]
    struct Columns {
        version: Int32Builder,
        account_id: StringBuilder,
        interface_id: StringBuilder,
        srcaddr: StringBuilder,
        dstaddr: StringBuilder,
        srcport: Int32Builder,
        dstport: Int32Builder,
        protocol: Int64Builder,
        packets: Int64Builder,
        bytes: Int64Builder,
        start: Int64Builder,
        end: Int64Builder,
        action: StringBuilder,
        log_status: StringBuilder,
        rows: usize,
    }

    impl Columns {
        fn push(&mut self, r: &FlowRecord<'_>) {
            self.version.append_option(r.version.map(i32::from));
            self.account_id.append_option(r.account_id);
            self.interface_id.append_option(r.interface_id);
            self.srcaddr.append_option(r.srcaddr.map(|a| a.to_string()));
            self.dstaddr.append_option(r.dstaddr.map(|a| a.to_string()));
            self.srcport.append_option(r.srcport.map(i32::from));
            self.dstport.append_option(r.dstport.map(i32::from));
            self.protocol.append_option(r.protocol.map(i64::from));
            self.packets.append_option(r.packets.map(|v| v as i64));
            self.bytes.append_option(r.bytes.map(|v| v as i64));
            self.start.append_option(r.start);
            self.end.append_option(r.end);
            self.action.append_option(r.action.map(|a| match a {
                FlowAction::Accept => "ACCEPT",
                FlowAction::Reject => "REJECT",
            }));
            self.log_status.append_option(r.log_status.map(|s| match s {
                LogStatus::Ok => "OK",
                LogStatus::NoData => "NODATA",
                LogStatus::SkipData => "SKIPDATA",
            }));
            self.rows += 1;
        }

        fn batch(&mut self, schema: &Arc<Schema>) -> anyhow::Result<RecordBatch> {
            self.rows = 0;
            let columns: Vec<ArrayRef> = vec![
                Arc::new(self.version.finish()),
                Arc::new(self.account_id.finish()),
                Arc::new(self.interface_id.finish()),
                Arc::new(self.srcaddr.finish()),
                Arc::new(self.dstaddr.finish()),
                Arc::new(self.srcport.finish()),
                Arc::new(self.dstport.finish()),
                Arc::new(self.protocol.finish()),
                Arc::new(self.packets.finish()),
                Arc::new(self.bytes.finish()),
                Arc::new(self.start.finish()),
                Arc::new(self.end.finish()),
                Arc::new(self.action.finish()),
                Arc::new(self.log_status.finish()),
            ];
            Ok(RecordBatch::try_new(schema.clone(), columns)?)
        }
    }

    /// Convert the text corpus (once) into `<name>.parquet` beside it: AWS's column names and
    /// types, GZIP-compressed pages.
    pub fn write_corpus(text: &Path) -> anyhow::Result<PathBuf> {
        let mut name = text.as_os_str().to_owned();
        name.push(".parquet");
        let path = PathBuf::from(name);
        if path.exists() {
            return Ok(path);
        }
        let field = |name: &str, t: DataType| Field::new(name, t, true);
        let schema = Arc::new(Schema::new(vec![
            field("version", DataType::Int32),
            field("account_id", DataType::Utf8),
            field("interface_id", DataType::Utf8),
            field("srcaddr", DataType::Utf8),
            field("dstaddr", DataType::Utf8),
            field("srcport", DataType::Int32),
            field("dstport", DataType::Int32),
            field("protocol", DataType::Int64),
            field("packets", DataType::Int64),
            field("bytes", DataType::Int64),
            field("start", DataType::Int64),
            field("end", DataType::Int64),
            field("action", DataType::Utf8),
            field("log_status", DataType::Utf8),
        ]));
        let props = WriterProperties::builder()
            .set_compression(Compression::GZIP(GzipLevel::default()))
            .build();
        let partial = path.with_extension("parquet.partial");
        let mut writer =
            ArrowWriter::try_new(File::create(&partial)?, schema.clone(), Some(props))?;
        let mut columns = Columns::default();
        let mut failed: Option<anyhow::Error> = None;
        warden_engine::decode::flow::decode_lines(
            &mut BufReader::with_capacity(256 * 1024, File::open(text)?),
            1 << 20,
            &mut |r, _| {
                columns.push(r);
                if columns.rows == 65_536 && failed.is_none() {
                    let written = columns.batch(&schema).and_then(|b| Ok(writer.write(&b)?));
                    failed = written.err();
                }
            },
            &mut |_, _| {},
        )?;
        if let Some(e) = failed {
            return Err(e);
        }
        writer.write(&columns.batch(&schema)?)?;
        writer.close()?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    }
}

/// A seeded customer threat list: /32s, /24s, IPv6 /64s and domains, as TXT.
fn synthetic_list(path: &Path, entries: usize, seed: u64) -> anyhow::Result<()> {
    let mut w = std::io::BufWriter::new(File::create(path)?);
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    writeln!(w, "# synthetic list for warden bench")?;
    for i in 0..entries {
        let r = next();
        let [a, b, c, d, ..] = r.to_le_bytes();
        match i % 10 {
            0..=5 => writeln!(w, "{}.{b}.{c}.{d}", a.max(1))?,
            6 | 7 => writeln!(w, "{}.{b}.{c}.0/24", a.max(1))?,
            8 => writeln!(w, "2001:db8:{:x}:{:x}::/64", r >> 48, (r >> 32) & 0xffff)?,
            _ => writeln!(w, "h{:x}.bad{}.example", r >> 20, i % 1000)?,
        }
    }
    w.flush()?;
    Ok(())
}

/// Intelligence figures: lookups per second against the built-in feeds plus a large customer
/// list, and the JSON Lines pipeline with that intelligence against none.
fn measure_intel(
    args: &BenchArgs,
    jsonl: &Path,
    reference: &Measurement,
) -> anyhow::Result<Vec<Measurement>> {
    let list = args
        .work_dir
        .join(format!("threat-list-{}.txt", args.intel_entries));
    if !list.exists() {
        synthetic_list(&list, args.intel_entries, args.seed)?;
    }
    let config = IntelConfig {
        threat_lists: vec![ListSpec {
            name: "bench".into(),
            location: list.display().to_string(),
            format: Some("TXT".into()),
        }],
        ..Default::default()
    };
    let t = Instant::now();
    let (intel, report) = warden_intel::load::load(&config, None)?;
    let load_secs = t.elapsed().as_secs_f64();
    let entries: usize = report.lists.iter().map(|l| l.entries).sum();
    eprintln!(
        "warden bench: loaded {entries} intelligence entries ({} lists) in {load_secs:.2}s",
        report.lists.len()
    );
    let intel = Arc::new(intel);

    // Lookups: a seeded mix of addresses, some listed, most not.
    let ips: Vec<std::net::IpAddr> = (0..1_000_000u32)
        .map(|i| {
            let v = i.wrapping_mul(2_654_435_761);
            std::net::IpAddr::from(v.to_be_bytes())
        })
        .collect();
    let mut out = Vec::new();
    let (hits, d) = {
        let mut best_d = Duration::MAX;
        let mut hits = 0;
        for _ in 0..args.repeat.max(1) {
            let t = Instant::now();
            let mut m = Vec::new();
            let mut h = 0u64;
            for ip in &ips {
                m.clear();
                intel.ip_threats(*ip, &mut m);
                h += (!m.is_empty()) as u64;
            }
            best_d = best_d.min(t.elapsed());
            hits = h;
        }
        (hits, best_d)
    };
    eprintln!(
        "warden bench: {hits} of {} addresses matched a list",
        ips.len()
    );
    out.push(measurement(
        &format!("intel: IP lookups, all lists ({entries} entries)"),
        (ips.len() as u64, 0, d),
        None,
    ));
    let domains: Vec<String> = (0..1_000_000u32)
        .map(|i| format!("h{:x}.bad{}.example", i.wrapping_mul(40503), i % 1500))
        .collect();
    let d = {
        let mut best_d = Duration::MAX;
        for _ in 0..args.repeat.max(1) {
            let t = Instant::now();
            let mut m = Vec::new();
            for dom in &domains {
                m.clear();
                intel.domain_threats(dom, &mut m);
            }
            best_d = best_d.min(t.elapsed());
        }
        best_d
    };
    out.push(measurement(
        "intel: domain lookups (suffix walk), all lists",
        (domains.len() as u64, 0, d),
        None,
    ));
    let none = measurement(
        "jsonl: full pipeline, no intelligence",
        best(args.repeat, || full(&[jsonl.to_path_buf()], false))?,
        Some(reference),
    );
    let with = measurement(
        &format!(
            "jsonl: full pipeline, built-in intel + {} entry list",
            args.intel_entries
        ),
        best(args.repeat, || {
            full_with(&[jsonl.to_path_buf()], false, intel.clone())
        })?,
        Some(&none),
    );
    out.push(none);
    out.push(with);
    Ok(out)
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let results = measure(&args)?;
    println!(
        "warden bench: {} generated CloudTrail records, seed {}, one thread (but the last line), best of {}",
        args.events, args.seed, args.repeat
    );
    println!(
        "{:<62} {:>12} {:>10} {:>8} {:>14}",
        "measurement", "events/s", "MB/s", "ratio", "on-CPU ev/s"
    );
    for m in &results {
        println!(
            "{:<62} {:>12.0} {:>10.1} {:>8} {:>14}",
            m.name,
            m.events_per_sec,
            m.mb_per_sec,
            m.ratio
                .map(|r| format!("{:.0}%", r * 100.0))
                .unwrap_or_else(|| "ref".into()),
            m.cpu_events_per_sec
                .map(|r| format!("{r:.0}"))
                .unwrap_or_else(|| "-".into())
        );
    }
    for m in &results {
        if let Some(f) = &m.flood {
            println!(
                "{}: peak RSS {:.1} MB ({:+.1} MB over the {:.1} MB before it); state after: {:?}",
                m.name,
                f.peak_rss_mb,
                f.peak_rss_mb - f.rss_before_mb,
                f.rss_before_mb,
                f.state
            );
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bench runs end to end on a small input and measures every stage (figures themselves
    /// are only meaningful in release builds, so none are asserted here).
    #[test]
    fn bench_smoke() {
        let dir = tempfile::tempdir().unwrap();
        let args = BenchArgs {
            events: 3_000,
            seed: 7,
            work_dir: dir.path().to_path_buf(),
            records_per_file: 500,
            repeat: 1,
            intel_entries: 5_000,
            json: false,
            no_maltrail: false,
            only: None,
            flood_sources: 3_000,
        };
        let m = measure(&args).unwrap();
        let parquet_figures = if cfg!(feature = "parquet") { 2 } else { 0 };
        assert_eq!(m.len(), 18 + parquet_figures);
        let flood = m
            .iter()
            .find_map(|x| x.flood.as_ref())
            .expect("flood figures");
        assert!(flood.peak_rss_mb > 0.0, "{flood:?}");
        assert!(flood.state.brute_force_windows > 0, "{:?}", flood.state);
        for x in m.iter().filter(|x| !x.name.starts_with("intel")) {
            assert_eq!(x.events, 3_000, "{} counted {}", x.name, x.events);
            let per_record = if x.name.contains("Parquet") {
                // Compressed columns: far fewer bytes than the text they hold.
                5
            } else if x.name.starts_with("flow") {
                60
            } else if x.name.starts_with("dns") {
                300
            } else {
                500
            };
            assert!(x.bytes > 3_000 * per_record, "{}", x.name);
        }
    }
}

//! The scan pipeline: inputs → decoder → detectors → aggregator → store, with the counters a
//! person needs to trust the result (inputs, records, rejects by reason, findings).

use crate::aggregate::{Aggregator, Outcome};
use crate::decode::cloudtrail::{DecodeOptions, RecordRef, RecordSink, decode};
use crate::decode::{DecodeError, Location, RejectKind};
use crate::detect::baseline::BaselineDetector;
use crate::detect::bruteforce::BruteForceDetector;
use crate::detect::cloudtrail::CloudTrailRules;
use crate::detect::dga::DgaModel;
use crate::detect::dns::DnsDetector;
use crate::detect::dns_behaviour::DnsBehaviourDetector;
use crate::detect::flood::FloodDetector;
use crate::detect::flow::FlowDetector;
use crate::detect::intel::IntelDetector;
use crate::detect::scan::ScanDetector;
use crate::detect::{CloudTrailDetector, DetectionConfig};
use crate::enrich::{enrich, is_trusted};
use crate::inventory::{Inventory, note_dns_source, note_flow_local_end};
use crate::source::{Input, ReadAhead, ReadOptions, open};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};
use warden_intel::Intel;
use warden_model::time::parse_timestamp;
use warden_model::{CloudTrailEvent, Signal};
use warden_store::{FindingStore, StoreError};

/// Scan settings.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    pub read: ReadOptions,
    pub decode: DecodeOptions,
    pub detection: DetectionConfig,
    /// How many rejected records are kept with full detail (all are counted).
    pub max_error_details: usize,
    /// Region for records that carry none (VPC Flow Logs before v3) when the input's path does
    /// not name one (`.../vpcflowlogs/REGION/...` as AWS delivers them to S3).
    pub default_region: Option<String>,
    /// Distinct (account, region, source, resource) usage keys kept per scan.
    pub usage_capacity: usize,
    /// The DGA classifier (loaded from `detection.dga_model` by the caller); without one the DGA
    /// finding types are off.
    pub dga_model: Option<Arc<DgaModel>>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            read: ReadOptions::default(),
            decode: DecodeOptions::default(),
            detection: DetectionConfig::default(),
            max_error_details: 100,
            default_region: None,
            usage_capacity: 100_000,
            dga_model: None,
        }
    }
}

/// Counters of one scan.
#[derive(Debug, Clone, Default)]
pub struct ScanStats {
    pub inputs: u64,
    /// Inputs that could not be opened at all.
    pub inputs_failed: u64,
    /// Decompressed bytes decoded.
    pub bytes: u64,
    pub records: u64,
    pub rejected: u64,
    pub rejected_by_kind: BTreeMap<RejectKind, u64>,
    /// The first `max_error_details` rejects, in order.
    pub errors: Vec<DecodeError>,
    pub signals: u64,
    pub duplicate_signals: u64,
    /// Signals dropped because a trusted IP list holds their remote address.
    pub suppressed_trusted: u64,
    /// Instance signals the inventory added instance or interface details to.
    pub signals_described: u64,
    pub findings_created: u64,
    pub findings_updated: u64,
    pub elapsed: Duration,
}

/// Entries held by the flow-log detectors' per-entity tables (each bounded by its capacity), for
/// monitoring and for the memory figures of `warden bench`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct FlowState {
    pub brute_force_windows: usize,
    /// Distinct-value tables of the scan detectors (seen pairs and counts).
    pub scan_entries: usize,
    pub flood_windows: usize,
    pub baseline_instances: usize,
    pub baseline_volume_counters: usize,
    pub usage_keys: usize,
}

/// Progress callback: told the counters as the scan goes.
type ProgressFn<'s> = Box<dyn FnMut(&ScanStats) + 's>;

/// Runs records through detection and aggregation into a store.
pub struct Pipeline<'s> {
    config: ScanConfig,
    detectors: Vec<Box<dyn CloudTrailDetector>>,
    dns: DnsDetector,
    dns_behaviour: DnsBehaviourDetector,
    flow: FlowDetector,
    brute_force: BruteForceDetector,
    scans: ScanDetector,
    floods: FloodDetector,
    baselines: BaselineDetector,
    intel: Arc<Intel>,
    /// Which instance holds which interface and address: fills `instanceDetails`.
    inventory: Inventory,
    aggregator: Aggregator,
    store: &'s mut dyn FindingStore,
    stats: ScanStats,
    signals: Vec<Signal>,
    store_error: Option<StoreError>,
    started: Instant,
    progress: Option<ProgressFn<'s>>,
    /// Name of the input being read, for rejects found after decoding.
    current_input: String,
    /// The region the current input's path names, else the configured default.
    input_region: Option<String>,
    usage: crate::usage::UsageCounter,
}

impl<'s> Pipeline<'s> {
    /// A pipeline with no intelligence loaded (rule-based detections only).
    pub fn new(config: ScanConfig, store: &'s mut dyn FindingStore) -> Self {
        Self::with_intel(config, store, Arc::new(Intel::default()))
    }

    /// A pipeline whose detectors and enrichment use `intel`.
    pub fn with_intel(
        config: ScanConfig,
        store: &'s mut dyn FindingStore,
        intel: Arc<Intel>,
    ) -> Self {
        let mut detectors: Vec<Box<dyn CloudTrailDetector>> =
            vec![Box::new(CloudTrailRules::new(&config.detection))];
        detectors.push(Box::new(IntelDetector::new(intel.clone())));
        let usage_capacity = config.usage_capacity;
        Pipeline {
            dns: DnsDetector::new(intel.clone()),
            dns_behaviour: DnsBehaviourDetector::new(
                &config.detection.dns_behaviour,
                config.dga_model.clone(),
            ),
            flow: FlowDetector::new(intel.clone()),
            brute_force: BruteForceDetector::new(200_000),
            scans: ScanDetector::new(200_000),
            floods: FloodDetector::new(200_000),
            baselines: BaselineDetector::new(config.detection.baseline.clone()),
            config,
            detectors,
            intel,
            inventory: Inventory::default(),
            aggregator: Aggregator::default(),
            store,
            stats: ScanStats::default(),
            signals: Vec::new(),
            store_error: None,
            started: Instant::now(),
            progress: None,
            current_input: String::new(),
            input_region: None,
            usage: crate::usage::UsageCounter::new(usage_capacity),
        }
    }

    /// Use this inventory (loaded from files, with its own capacity) instead of an empty one.
    /// CloudTrail the scan reads keeps adding to it.
    pub fn set_inventory(&mut self, inventory: Inventory) {
        self.inventory = inventory;
    }

    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// Called every 65,536 records and after each input, for progress bars.
    pub fn on_progress(&mut self, f: impl FnMut(&ScanStats) + 's) {
        self.progress = Some(Box::new(f));
    }

    /// Read one input to the end. Errors opening it are counted and reported like bad records;
    /// only a store failure stops the scan.
    pub fn scan_input(&mut self, input: &Input) -> Result<(), StoreError> {
        self.stats.inputs += 1;
        match open(input) {
            Ok(mut reader) => self.scan_reader(&input.name(), &mut *reader)?,
            Err(e) => self.unreadable(input, e),
        }
        Ok(())
    }

    /// An input that could not be opened is counted and reported like a bad record.
    fn unreadable(&mut self, input: &Input, e: std::io::Error) {
        self.stats.inputs_failed += 1;
        self.reject(DecodeError {
            input: input.name(),
            location: Location::Input,
            kind: RejectKind::ReadError,
            message: e.to_string(),
        });
    }

    /// Read every input, in order. With `read.read_ahead` the inputs are opened and gunzipped on
    /// a second thread while this one decodes and detects.
    pub fn scan_inputs(
        &mut self,
        inputs: &[Input],
        mut after_each: impl FnMut(),
    ) -> Result<(), StoreError> {
        if !self.config.read.read_ahead {
            for input in inputs {
                self.scan_input(input)?;
                after_each();
            }
            return Ok(());
        }
        let mut ahead = ReadAhead::start(inputs.to_vec());
        for input in inputs {
            self.stats.inputs += 1;
            match ahead.next_reader() {
                Ok(reader) => {
                    let mut reader = std::io::BufReader::with_capacity(256 * 1024, reader);
                    self.scan_reader(&input.name(), &mut reader)?;
                }
                Err(e) => self.unreadable(input, e),
            }
            after_each();
        }
        Ok(())
    }

    /// Decode and detect over any reader (already decompressed).
    pub fn scan_reader(&mut self, name: &str, reader: &mut dyn BufRead) -> Result<(), StoreError> {
        let options = self.config.decode.clone();
        self.current_input = name.to_string();
        self.input_region = region_from_path(name).or_else(|| self.config.default_region.clone());
        let bytes_before = self.stats.bytes;
        // Parquet first: it is binary, and only its magic bytes say what it is.
        let parquet = reader
            .fill_buf()
            .is_ok_and(|head| head.starts_with(crate::decode::PARQUET_MAGIC));
        if parquet {
            self.scan_parquet(reader);
        } else if sniff_dns(reader) || sniff_flow(reader) {
            // The line decoders do not count bytes; count what they consume.
            let dns = sniff_dns(reader);
            let mut counted = CountingReader {
                inner: reader,
                bytes: 0,
            };
            if dns {
                self.scan_dns(&mut counted);
            } else {
                self.scan_flow(&mut counted);
            }
            self.stats.bytes += counted.bytes;
        } else {
            let summary = decode(name, reader, &options, self);
            self.stats.bytes += summary.bytes;
        }
        self.usage.end_input(self.stats.bytes - bytes_before);
        if let Some(e) = self.store_error.take() {
            return Err(e);
        }
        self.stats.elapsed = self.started.elapsed();
        if let Some(p) = self.progress.as_mut() {
            p(&self.stats);
        }
        Ok(())
    }

    /// Signals the detectors just pushed: suppress, enrich, aggregate.
    fn after_detect(&mut self) {
        if self.signals.is_empty() {
            if self.stats.records.is_multiple_of(65_536) {
                self.stats.elapsed = self.started.elapsed();
                if let Some(p) = self.progress.as_mut() {
                    p(&self.stats);
                }
            }
            return;
        }
        for mut signal in std::mem::take(&mut self.signals) {
            self.stats.signals += 1;
            if signal.region.is_empty()
                && let Some(r) = &self.input_region
            {
                signal.region = r.clone();
            }
            if self.store_error.is_some() {
                continue;
            }
            if is_trusted(&signal, &self.intel) {
                self.stats.suppressed_trusted += 1;
                continue;
            }
            if self
                .config
                .detection
                .disabled
                .iter()
                .any(|d| d == signal.finding_type)
            {
                continue;
            }
            if self.inventory.describe_signal(&mut signal) {
                self.stats.signals_described += 1;
            }
            enrich(&mut signal, &self.intel);
            match self.aggregator.add(signal, self.store) {
                Ok(Outcome::Created) => self.stats.findings_created += 1,
                Ok(Outcome::Updated) => self.stats.findings_updated += 1,
                Ok(Outcome::Duplicate) => self.stats.duplicate_signals += 1,
                Err(e) => self.store_error = Some(e),
            }
        }
    }

    /// Route 53 Resolver query logs: one JSON object per line.
    fn scan_dns(&mut self, reader: &mut dyn BufRead) {
        let max_line = self.config.decode.max_line_bytes;
        let mut errors: Vec<(u64, crate::decode::dns::DnsError)> = Vec::new();
        let mut error_count = 0u64;
        let result = crate::decode::dns::decode_lines(
            reader,
            max_line,
            &mut |q, line| {
                let Some(time) = q.time_ms() else {
                    self.reject(DecodeError {
                        input: self.current_input.clone(),
                        location: Location::Line(line),
                        kind: RejectKind::MalformedJson,
                        message: format!(
                            "query_timestamp {:?} is not an ISO-8601 time",
                            q.query_timestamp
                        ),
                    });
                    return;
                };
                self.stats.records += 1;
                let resource = q.instance_id().or(q.srcaddr.as_deref()).unwrap_or("");
                let region = q
                    .region
                    .as_deref()
                    .or(self.input_region.as_deref())
                    .unwrap_or("");
                self.usage.add(
                    q.account_id.as_deref().unwrap_or(""),
                    region,
                    crate::usage::DataSource::DnsLogs,
                    resource,
                );
                self.dns.detect(q, time, &mut self.signals);
                self.dns_behaviour.detect(q, time, &mut self.signals);
                for s in &mut self.signals {
                    note_dns_source(s, q);
                }
                self.after_detect();
            },
            &mut |line, e| {
                error_count += 1;
                if errors.len() < 1000 {
                    errors.push((line, e));
                }
            },
        );
        let errors = errors.into_iter().map(|(l, e)| (l, e.message)).collect();
        self.report_line_errors(errors, error_count, result);
    }

    /// VPC Flow Logs: space-separated records, default v2 or a header-defined layout.
    fn scan_flow(&mut self, reader: &mut dyn BufRead) {
        let max_line = self.config.decode.max_line_bytes;
        let mut errors: Vec<(u64, String)> = Vec::new();
        let mut error_count = 0u64;
        let result = crate::decode::flow::decode_lines(
            reader,
            max_line,
            &mut |r, _line| self.flow_record(r),
            &mut |line, e| {
                error_count += 1;
                if errors.len() < 1000 {
                    errors.push((line, e.message));
                }
            },
        );
        self.report_line_errors(errors, error_count, result);
    }

    /// One decoded flow record, from text or Parquet alike: usage, every flow detector, then
    /// aggregation.
    fn flow_record(&mut self, r: &crate::decode::flow::FlowRecord<'_>) {
        self.stats.records += 1;
        if r.log_status
            .is_none_or(|s| s == crate::decode::flow::LogStatus::Ok)
        {
            self.usage.add(
                r.account_id.unwrap_or(""),
                r.region.or(self.input_region.as_deref()).unwrap_or(""),
                crate::usage::DataSource::FlowLogs,
                r.interface_id.unwrap_or(""),
            );
        }
        self.flow.detect(r, &mut self.signals);
        self.brute_force.detect(r, &mut self.signals);
        self.scans.detect(r, &mut self.signals);
        self.floods.detect(r, &mut self.signals);
        self.baselines.detect(r, &mut self.signals);
        // Only for the (rare) records that produced signals: no per-record cost.
        for s in &mut self.signals {
            note_flow_local_end(s, r);
        }
        self.after_detect();
    }

    /// VPC Flow Logs delivered as Apache Parquet: buffered whole (Parquet's footer is at the
    /// end), within `decode.max_document_bytes`, then decoded a batch at a time into the same
    /// records the text path produces.
    #[cfg(feature = "parquet")]
    fn scan_parquet(&mut self, reader: &mut dyn BufRead) {
        use crate::decode::flow_parquet::{decode, read_bounded};
        let limit = self.config.decode.max_document_bytes;
        let result = read_bounded(reader, limit).and_then(|data| {
            self.stats.bytes += data.len() as u64;
            let mut errors: Vec<(u64, String)> = Vec::new();
            let mut error_count = 0u64;
            let result = decode(data, &mut |r, _row| self.flow_record(r), &mut |row, e| {
                error_count += 1;
                if errors.len() < 1000 {
                    errors.push((row, e.message));
                }
            });
            let kept = errors.len() as u64;
            for (row, message) in errors {
                self.reject(DecodeError {
                    input: self.current_input.clone(),
                    location: Location::Record {
                        index: row,
                        line: None,
                    },
                    kind: RejectKind::MalformedParquet,
                    message,
                });
            }
            let extra = error_count - kept;
            self.stats.rejected += extra;
            *self
                .stats
                .rejected_by_kind
                .entry(RejectKind::MalformedParquet)
                .or_default() += extra;
            result
        });
        if let Err(e) = result {
            self.reject(DecodeError {
                input: self.current_input.clone(),
                location: Location::Input,
                kind: e.reject_kind(),
                message: e.to_string(),
            });
        }
    }

    /// Without the `parquet` feature a Parquet input is refused, saying how to read it.
    #[cfg(not(feature = "parquet"))]
    fn scan_parquet(&mut self, _reader: &mut dyn BufRead) {
        self.reject(DecodeError {
            input: self.current_input.clone(),
            location: Location::Input,
            kind: RejectKind::Unsupported,
            message: "Parquet input needs warden built with --features parquet".to_string(),
        });
    }

    fn report_line_errors(
        &mut self,
        errors: Vec<(u64, String)>,
        count: u64,
        result: std::io::Result<(u64, u64)>,
    ) {
        let kept = errors.len() as u64;
        for (line, message) in errors {
            self.reject(DecodeError {
                input: self.current_input.clone(),
                location: Location::Line(line),
                kind: RejectKind::MalformedJson,
                message,
            });
        }
        // Rejects beyond the kept details are still counted.
        let extra = count.saturating_sub(kept);
        self.stats.rejected += extra;
        *self
            .stats
            .rejected_by_kind
            .entry(RejectKind::MalformedJson)
            .or_default() += extra;
        if let Err(e) = result {
            self.reject(DecodeError {
                input: self.current_input.clone(),
                location: Location::Input,
                kind: if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    RejectKind::Truncated
                } else {
                    RejectKind::ReadError
                },
                message: e.to_string(),
            });
        }
    }

    /// Commit what was found and return the counters.
    pub fn finish(mut self) -> Result<(ScanStats, Vec<String>), StoreError> {
        // Instances learned after a finding's signals (CloudTrail read after the flow logs)
        // still describe the findings not yet written.
        if !self.inventory.is_empty() {
            let inventory = &mut self.inventory;
            self.aggregator
                .revise(|finding, last_ms| inventory.describe_finding(finding, last_ms));
        }
        self.aggregator.flush(self.store)?;
        let day = warden_model::time::format_timestamp(warden_model::time::now_millis());
        let rows = self.usage.take(&day[..10]);
        self.store.record_usage(&rows)?;
        self.stats.elapsed = self.started.elapsed();
        Ok((self.stats, self.aggregator.touched().to_vec()))
    }

    pub fn stats(&self) -> &ScanStats {
        &self.stats
    }

    /// Sizes of the flow detectors' state now.
    pub fn flow_state(&self) -> FlowState {
        let baseline = self.baselines.state();
        FlowState {
            brute_force_windows: self.brute_force.state_len(),
            scan_entries: self.scans.state_len(),
            flood_windows: self.floods.state_len(),
            baseline_instances: baseline.instances,
            baseline_volume_counters: baseline.volume_counters,
            usage_keys: self.usage.len(),
        }
    }

    fn reject(&mut self, e: DecodeError) {
        self.stats.rejected += 1;
        *self.stats.rejected_by_kind.entry(e.kind).or_default() += 1;
        if self.stats.errors.len() < self.config.max_error_details {
            self.stats.errors.push(e);
        }
    }
}

impl RecordSink for Pipeline<'_> {
    fn record(&mut self, event: &CloudTrailEvent<'_>, at: RecordRef<'_>) {
        let Some(time) = event.event_time.as_deref().and_then(parse_timestamp) else {
            return self.reject(DecodeError {
                input: self.current_input.clone(),
                location: at.location.clone(),
                kind: RejectKind::NotCloudTrail,
                message: format!(
                    "eventTime {:?} is not an ISO-8601 time",
                    event.event_time.as_deref().unwrap_or("")
                ),
            });
        };
        self.stats.records += 1;
        let s3_data = event.event_category.as_deref() == Some("Data")
            && event.event_source() == "s3.amazonaws.com";
        let (source, resource) = if s3_data {
            (crate::usage::DataSource::S3Logs, bucket_name(event))
        } else {
            (crate::usage::DataSource::CloudTrail, event.event_source())
        };
        self.usage.add(
            event.recipient_account_id.as_deref().unwrap_or(""),
            event.aws_region.as_deref().unwrap_or(""),
            source,
            resource,
        );
        // Before the detectors, so a finding about an instance launched by this call names it.
        self.inventory.learn(event, time);
        for d in &mut self.detectors {
            d.detect(event, time, &mut self.signals);
        }
        self.after_detect();
    }

    fn reject(&mut self, error: DecodeError) {
        Pipeline::reject(self, error);
    }
}

/// An S3 data event's bucket, found in the raw request parameters without parsing them.
fn bucket_name<'e>(event: &'e CloudTrailEvent<'_>) -> &'e str {
    let Some(raw) = event.request_parameters.map(|r| r.get()) else {
        return "";
    };
    let key = "\"bucketName\"";
    let Some(at) = raw.find(key) else {
        return "";
    };
    let rest = raw[at + key.len()..]
        .trim_start()
        .trim_start_matches(':')
        .trim_start();
    let Some(rest) = rest.strip_prefix('"') else {
        return "";
    };
    rest.split('"').next().unwrap_or("")
}

/// The AWS region a delivery path names (`AWSLogs/ACCOUNT/vpcflowlogs/REGION/...`, or with
/// Hive-compatible prefixes `AWSLogs/aws-account-id=ACCOUNT/aws-service=vpcflowlogs/
/// aws-region=REGION/...`), if any.
pub fn region_from_path(path: &str) -> Option<String> {
    path.split(['/', '\\'])
        .map(|seg| seg.split_once('=').map_or(seg, |(_, value)| value))
        .find(|seg| is_region(seg))
        .map(str::to_string)
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let (geo, rest) = match parts.as_slice() {
        [g, "gov", d, n] => (format!("{g}-gov"), [*d, *n]),
        [g, d, n] => (g.to_string(), [*d, *n]),
        _ => return false,
    };
    [
        "us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn", "us-gov",
    ]
    .contains(&geo.as_str())
        && rest[0].len() >= 4
        && rest[0].bytes().all(|b| b.is_ascii_lowercase())
        && !rest[1].is_empty()
        && rest[1].len() <= 2
        && rest[1].bytes().all(|b| b.is_ascii_digit())
}

/// The first non-blank line of what the reader has buffered (without reading further).
fn first_line(reader: &mut dyn BufRead) -> Option<&[u8]> {
    let buf = reader.fill_buf().ok()?;
    let start = buf
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(buf.len());
    let rest = &buf[start..];
    Some(&rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())])
}

/// Whether the input's first line is a Route 53 Resolver query log record (content, not name).
fn sniff_dns(reader: &mut dyn BufRead) -> bool {
    let Some(line) = first_line(reader) else {
        return false;
    };
    let has = |needle: &[u8]| memchr::memmem::find(line, needle).is_some();
    has(b"\"query_name\"")
        && has(b"\"query_timestamp\"")
        && !has(b"\"eventTime\"")
        && !has(b"\"Records\"")
}

/// Whether the input is a VPC Flow Log: a header line naming flow-log fields, or a first record
/// in the default v2 layout (content, not name).
fn sniff_flow(reader: &mut dyn BufRead) -> bool {
    use crate::decode::flow::{FlowLayout, parse_line};
    let Some(line) = first_line(reader) else {
        return false;
    };
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let line = line.trim_end();
    if line.starts_with('{') || line.starts_with('[') {
        return false;
    }
    FlowLayout::from_header(line).is_some() || parse_line(&FlowLayout::default_v2(), line).is_ok()
}

/// A reader that counts the bytes consumed through it.
struct CountingReader<'r> {
    inner: &'r mut dyn BufRead,
    bytes: u64,
}

impl std::io::Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

impl BufRead for CountingReader<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.bytes += amt as u64;
        self.inner.consume(amt);
    }
}

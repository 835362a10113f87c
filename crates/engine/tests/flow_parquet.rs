//! VPC Flow Logs delivered as Apache Parquet (feature `parquet`): the same records written as
//! AWS writes them to S3 in Parquet and in text must give the same findings, and bad files are
//! rejected by name.
//!
//! The records are what the GuardDuty tester's brute-force scenarios leave in the target's flow
//! log (crowbar against SSH, hydra against RDP: one flow record per attempt, each from a new
//! source port), plus a Tor client connection, a port probe, NODATA/SKIPDATA records and near
//! misses, in a v5 custom format with AWS's Parquet column names and types.
#![cfg(feature = "parquet")]

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel};
use parquet::file::properties::WriterProperties;
use std::sync::{Arc, OnceLock};
use warden_engine::decode::RejectKind;
use warden_engine::decode::flow::{FlowRecord, decode_lines};
use warden_engine::decode::flow_parquet;
use warden_engine::{Pipeline, ScanConfig, ScanStats};
use warden_intel::load::{IntelConfig, load};
use warden_intel::{Intel, builtin};
use warden_store::{FindingStore, MemoryStore, Query};

/// One flow log record; `None` is `-` in text and null in Parquet.
#[derive(Clone, Debug)]
struct Row {
    version: Option<i32>,
    account_id: Option<String>,
    interface_id: Option<String>,
    srcaddr: Option<String>,
    dstaddr: Option<String>,
    srcport: Option<i32>,
    dstport: Option<i32>,
    protocol: Option<i64>,
    packets: Option<i64>,
    bytes: Option<i64>,
    start: Option<i64>,
    end: Option<i64>,
    action: Option<String>,
    log_status: Option<String>,
    vpc_id: Option<String>,
    instance_id: Option<String>,
    tcp_flags: Option<i32>,
    pkt_srcaddr: Option<String>,
    region: Option<String>,
    flow_direction: Option<String>,
    traffic_path: Option<i32>,
}

/// The text header of the layout above (AWS's hyphenated field names).
const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id instance-id tcp-flags pkt-srcaddr region flow-direction traffic-path";

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// A TCP flow record on `eni` of instance `instance` (whose address is `local`), to or from
/// `remote`, as a custom-format (v5) flow log writes it.
#[allow(clippy::too_many_arguments)]
fn tcp(
    instance: &str,
    local: &str,
    remote: &str,
    outbound: bool,
    local_port: i32,
    remote_port: i32,
    action: &str,
    start: i64,
    region: Option<&str>,
) -> Row {
    let eni = format!("eni-{}", &instance[2..]);
    let (src, dst, sport, dport) = if outbound {
        (local, remote, local_port, remote_port)
    } else {
        (remote, local, remote_port, local_port)
    };
    Row {
        version: Some(5),
        account_id: s("111122223333"),
        interface_id: Some(eni),
        srcaddr: s(src),
        dstaddr: s(dst),
        srcport: Some(sport),
        dstport: Some(dport),
        protocol: Some(6),
        packets: Some(if action == "ACCEPT" { 12 } else { 1 }),
        bytes: Some(if action == "ACCEPT" { 3120 } else { 60 }),
        start: Some(start),
        end: Some(start + 60),
        action: s(action),
        log_status: s("OK"),
        vpc_id: s("vpc-0a1b2c3d4e5f60718"),
        instance_id: s(instance),
        tcp_flags: Some(if action == "ACCEPT" { 19 } else { 2 }),
        pkt_srcaddr: s(src),
        region: region.map(str::to_string),
        flow_direction: s(if outbound { "egress" } else { "ingress" }),
        traffic_path: outbound.then_some(1),
    }
}

/// A NODATA / SKIPDATA record: AWS leaves every traffic field empty.
fn no_traffic(status: &str, start: i64) -> Row {
    Row {
        version: Some(5),
        account_id: s("111122223333"),
        interface_id: s("eni-0f00000000000000d"),
        srcaddr: None,
        dstaddr: None,
        srcport: None,
        dstport: None,
        protocol: None,
        packets: None,
        bytes: None,
        start: Some(start),
        end: Some(start + 60),
        action: None,
        log_status: s(status),
        vpc_id: None,
        instance_id: None,
        tcp_flags: None,
        pkt_srcaddr: None,
        region: None,
        flow_direction: None,
        traffic_path: None,
    }
}

const T0: i64 = 1_780_000_000;

fn tor_relay() -> String {
    let feed = builtin::FEEDS
        .iter()
        .find(|f| f.name == "TorRelays")
        .unwrap();
    String::from_utf8(feed.snapshot())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && l.parse::<std::net::Ipv4Addr>().is_ok())
        .nth(40)
        .unwrap()
        .to_string()
}

/// Attacks that cross the thresholds, with NODATA/SKIPDATA records among them.
fn attacks() -> Vec<Row> {
    let region = Some("us-east-1");
    let mut rows = Vec::new();
    // crowbar against SSH: 25 attempts in 50 s, every one from a new source port.
    for i in 0..25 {
        let action = if i == 24 { "ACCEPT" } else { "REJECT" };
        rows.push(tcp(
            "i-0aaaaaaaaaaaaaaa1",
            "10.0.0.6",
            "45.83.71.9",
            false,
            22,
            40_000 + i,
            action,
            T0 + 2 * i as i64,
            region,
        ));
    }
    rows.push(no_traffic("NODATA", T0 + 30));
    // hydra from a compromised instance against someone else's RDP: outbound.
    for i in 0..22 {
        rows.push(tcp(
            "i-0aaaaaaaaaaaaaaa2",
            "10.0.0.9",
            "45.83.72.20",
            true,
            50_000 + i,
            3389,
            "ACCEPT",
            T0 + 100 + 3 * i as i64,
            region,
        ));
    }
    rows.push(no_traffic("SKIPDATA", T0 + 150));
    // An instance talking to a Tor relay.
    rows.push(tcp(
        "i-0aaaaaaaaaaaaaaa3",
        "10.0.1.23",
        &tor_relay(),
        true,
        40_123,
        9001,
        "ACCEPT",
        T0 + 200,
        region,
    ));
    // Six internet hosts reaching an open PostgreSQL port.
    for i in 0..6 {
        rows.push(tcp(
            "i-0aaaaaaaaaaaaaaa4",
            "10.0.0.5",
            &format!("45.83.70.{}", i + 1),
            false,
            5432,
            41_000 + i,
            "ACCEPT",
            T0 + 300 + i as i64,
            region,
        ));
    }
    rows
}

/// Near misses: one attempt short of the brute-force threshold, the same number of attempts
/// spread beyond the ten-minute window, and a NODATA record.
fn near_misses() -> Vec<Row> {
    let region = Some("us-east-1");
    let mut rows = Vec::new();
    for i in 0..19 {
        rows.push(tcp(
            "i-0bbbbbbbbbbbbbbb1",
            "10.0.0.7",
            "45.83.71.10",
            false,
            22,
            42_000 + i,
            "REJECT",
            T0 + 2 * i as i64,
            region,
        ));
    }
    for i in 0..20 {
        rows.push(tcp(
            "i-0bbbbbbbbbbbbbbb2",
            "10.0.0.8",
            "45.83.71.11",
            false,
            22,
            43_000 + i,
            "REJECT",
            T0 + 120 * i as i64,
            region,
        ));
    }
    rows.push(no_traffic("NODATA", T0 + 60));
    rows
}

fn text(rows: &[Row]) -> String {
    fn f<T: ToString>(v: &Option<T>) -> String {
        v.as_ref().map_or("-".to_string(), T::to_string)
    }
    let mut out = format!("{HEADER}\n");
    for r in rows {
        let fields = [
            f(&r.version),
            f(&r.account_id),
            f(&r.interface_id),
            f(&r.srcaddr),
            f(&r.dstaddr),
            f(&r.srcport),
            f(&r.dstport),
            f(&r.protocol),
            f(&r.packets),
            f(&r.bytes),
            f(&r.start),
            f(&r.end),
            f(&r.action),
            f(&r.log_status),
            f(&r.vpc_id),
            f(&r.instance_id),
            f(&r.tcp_flags),
            f(&r.pkt_srcaddr),
            f(&r.region),
            f(&r.flow_direction),
            f(&r.traffic_path),
        ];
        out.push_str(&fields.join(" "));
        out.push('\n');
    }
    out
}

/// The rows as AWS writes them in Parquet: underscore column names, int32 version, ports,
/// tcp_flags and traffic_path, int64 protocol, packets, bytes, start and end, strings otherwise;
/// nulls where text has `-`.
fn batch(rows: &[Row]) -> RecordBatch {
    fn strs(rows: &[Row], f: impl Fn(&Row) -> Option<String>) -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    }
    fn i32s(rows: &[Row], f: impl Fn(&Row) -> Option<i32>) -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<Int32Array>())
    }
    fn i64s(rows: &[Row], f: impl Fn(&Row) -> Option<i64>) -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<Int64Array>())
    }
    RecordBatch::try_from_iter(vec![
        ("version", i32s(rows, |r| r.version)),
        ("account_id", strs(rows, |r| r.account_id.clone())),
        ("interface_id", strs(rows, |r| r.interface_id.clone())),
        ("srcaddr", strs(rows, |r| r.srcaddr.clone())),
        ("dstaddr", strs(rows, |r| r.dstaddr.clone())),
        ("srcport", i32s(rows, |r| r.srcport)),
        ("dstport", i32s(rows, |r| r.dstport)),
        ("protocol", i64s(rows, |r| r.protocol)),
        ("packets", i64s(rows, |r| r.packets)),
        ("bytes", i64s(rows, |r| r.bytes)),
        ("start", i64s(rows, |r| r.start)),
        ("end", i64s(rows, |r| r.end)),
        ("action", strs(rows, |r| r.action.clone())),
        ("log_status", strs(rows, |r| r.log_status.clone())),
        ("vpc_id", strs(rows, |r| r.vpc_id.clone())),
        ("instance_id", strs(rows, |r| r.instance_id.clone())),
        ("tcp_flags", i32s(rows, |r| r.tcp_flags)),
        ("pkt_srcaddr", strs(rows, |r| r.pkt_srcaddr.clone())),
        ("region", strs(rows, |r| r.region.clone())),
        ("flow_direction", strs(rows, |r| r.flow_direction.clone())),
        ("traffic_path", i32s(rows, |r| r.traffic_path)),
    ])
    .unwrap()
}

/// Write a batch as a Parquet file, in row groups of `row_group` rows (small ones make the
/// reader cross row-group and batch boundaries).
fn write(batch: &RecordBatch, compression: Compression, row_group: usize) -> Vec<u8> {
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(row_group))
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
    out
}

fn parquet(rows: &[Row], compression: Compression) -> Vec<u8> {
    write(&batch(rows), compression, 16)
}

/// Scan one input through the whole pipeline (built-in intelligence, memory store). Findings
/// as JSON without the wall-clock `createdAt`/`updatedAt`, sorted by id.
fn scan(name: &str, data: &[u8]) -> (Vec<serde_json::Value>, ScanStats) {
    // Loading the built-in feeds is the slow part of a scan; every scan here shares one load.
    static INTEL: OnceLock<Arc<Intel>> = OnceLock::new();
    let intel = INTEL
        .get_or_init(|| Arc::new(load(&IntelConfig::default(), None).unwrap().0))
        .clone();
    let mut store = MemoryStore::new();
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel);
    p.scan_reader(name, &mut &data[..]).unwrap();
    let (stats, _) = p.finish().unwrap();
    let mut findings: Vec<serde_json::Value> = store
        .list(&Query::default())
        .unwrap()
        .into_iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("createdAt");
            o.remove("updatedAt");
            v
        })
        .collect();
    findings.sort_by_key(|f| f["id"].as_str().unwrap().to_string());
    (findings, stats)
}

fn types(findings: &[serde_json::Value]) -> Vec<String> {
    let mut t: Vec<String> = findings
        .iter()
        .map(|f| f["type"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

const PARQUET_NAME: &str = "AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/05/28/111122223333_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20260528T2025Z_1a2b3c4d.log.parquet";

#[test]
fn parquet_and_text_give_the_same_findings() {
    let mut rows = attacks();
    rows.extend(near_misses());
    let log = text(&rows);
    let (from_text, text_stats) = scan("flow.log", log.as_bytes());
    assert_eq!(text_stats.rejected, 0, "{:?}", text_stats.errors);
    assert_eq!(
        types(&from_text),
        [
            "Recon:EC2/PortProbeUnprotectedPort",
            "UnauthorizedAccess:EC2/RDPBruteForce",
            "UnauthorizedAccess:EC2/SSHBruteForce",
            "UnauthorizedAccess:EC2/TorClient",
        ]
    );
    let ssh = from_text
        .iter()
        .find(|f| f["type"] == "UnauthorizedAccess:EC2/SSHBruteForce")
        .unwrap();
    assert_eq!(
        ssh["resource"]["instanceDetails"]["instanceId"],
        "i-0aaaaaaaaaaaaaaa1"
    );
    assert_eq!(ssh["region"], "us-east-1");
    // Near misses made nothing: no finding names their instances.
    let all = serde_json::to_string(&from_text).unwrap();
    assert!(!all.contains("i-0bbbbbbbbbbbbbbb"), "{all}");

    for compression in [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
    ] {
        let file = parquet(&rows, compression);
        let (from_parquet, stats) = scan(PARQUET_NAME, &file);
        assert_eq!(stats.rejected, 0, "{compression:?}: {:?}", stats.errors);
        assert_eq!(stats.records, text_stats.records, "{compression:?}");
        assert_eq!(stats.records, rows.len() as u64);
        assert_eq!(stats.bytes, file.len() as u64, "bytes read are counted");
        assert_eq!(stats.signals, text_stats.signals, "{compression:?}");
        assert_eq!(from_parquet, from_text, "{compression:?}");
    }
}

#[test]
fn near_misses_give_nothing_in_parquet_either() {
    let file = parquet(&near_misses(), Compression::SNAPPY);
    let (findings, stats) = scan(PARQUET_NAME, &file);
    assert_eq!(stats.rejected, 0, "{:?}", stats.errors);
    assert_eq!(stats.records, near_misses().len() as u64);
    assert!(findings.is_empty(), "{:?}", types(&findings));
    // One more attempt inside the window crosses the threshold: the near miss was close.
    let mut rows = near_misses();
    rows.push(tcp(
        "i-0bbbbbbbbbbbbbbb1",
        "10.0.0.7",
        "45.83.71.10",
        false,
        22,
        42_100,
        "REJECT",
        T0 + 40,
        Some("us-east-1"),
    ));
    let (findings, _) = scan(PARQUET_NAME, &parquet(&rows, Compression::SNAPPY));
    assert_eq!(types(&findings), ["UnauthorizedAccess:EC2/SSHBruteForce"]);
}

/// Every combination of present and missing fields decodes to the same record from Parquet
/// (nulls) as from text (`-`).
#[test]
fn nulls_decode_like_dashes() {
    let full = tcp(
        "i-0ccccccccccccccc1",
        "10.0.2.2",
        "2001:db8:1::7",
        true,
        33_000,
        443,
        "ACCEPT",
        T0,
        Some("eu-west-1"),
    );
    let mut rows = vec![
        full.clone(),
        no_traffic("NODATA", T0),
        no_traffic("SKIPDATA", T0),
    ];
    // Blank each field in turn (and pairs of fields), through all 21 columns.
    for i in 0..21 {
        for j in i..21 {
            let mut r = full.clone();
            for k in [i, j] {
                match k {
                    0 => r.version = None,
                    1 => r.account_id = None,
                    2 => r.interface_id = None,
                    3 => r.srcaddr = None,
                    4 => r.dstaddr = None,
                    5 => r.srcport = None,
                    6 => r.dstport = None,
                    7 => r.protocol = None,
                    8 => r.packets = None,
                    9 => r.bytes = None,
                    10 => r.start = None,
                    11 => r.end = None,
                    12 => r.action = None,
                    13 => r.log_status = None,
                    14 => r.vpc_id = None,
                    15 => r.instance_id = None,
                    16 => r.tcp_flags = None,
                    17 => r.pkt_srcaddr = None,
                    18 => r.region = None,
                    19 => r.flow_direction = None,
                    _ => r.traffic_path = None,
                }
            }
            rows.push(r);
        }
    }
    let shown = |r: &FlowRecord<'_>| {
        let mut r = r.clone();
        r.raw = "";
        format!("{r:?}")
    };
    let mut from_text = Vec::new();
    let counts = decode_lines(
        &mut text(&rows).as_bytes(),
        4096,
        &mut |r, _| from_text.push(shown(r)),
        &mut |n, e| panic!("line {n}: {e}"),
    )
    .unwrap();
    assert_eq!(counts, (rows.len() as u64, 0));
    let mut from_parquet = Vec::new();
    let counts = flow_parquet::decode(
        parquet(&rows, Compression::SNAPPY).into(),
        &mut |r, _| from_parquet.push(shown(r)),
        &mut |n, e| panic!("row {n}: {e}"),
    )
    .unwrap();
    assert_eq!(counts, (rows.len() as u64, 0));
    assert_eq!(from_parquet, from_text);
    assert!(from_parquet[1].contains("srcaddr: None") && from_parquet[1].contains("NoData"));
}

#[test]
fn truncated_file_is_rejected_by_name() {
    let file = parquet(&attacks(), Compression::SNAPPY);
    for cut in [file.len() - 1, file.len() - 200, file.len() / 2, 5] {
        let (findings, stats) = scan(PARQUET_NAME, &file[..cut]);
        assert!(findings.is_empty());
        assert_eq!(stats.records, 0);
        assert_eq!(stats.rejected, 1, "cut at {cut}");
        let e = &stats.errors[0];
        assert_eq!(e.kind, RejectKind::Truncated);
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{PARQUET_NAME}: input: truncated input: ")),
            "{text}"
        );
        assert!(text.contains("truncated Parquet file"), "{text}");
    }
}

#[test]
fn corrupt_file_is_rejected_not_panicking() {
    let file = parquet(&attacks(), Compression::SNAPPY);
    // Both magics intact, the footer length pointing past the start of the file.
    let mut bad = file.clone();
    let n = bad.len();
    bad[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let (_, stats) = scan(PARQUET_NAME, &bad);
    assert_eq!(stats.rejected, 1);
    assert_eq!(stats.errors[0].kind, RejectKind::MalformedParquet);
    assert!(stats.errors[0].to_string().starts_with(PARQUET_NAME));
}

#[test]
fn non_flow_parquet_is_rejected_by_name() {
    // A CloudTrail table exported to Parquet: right container, wrong log.
    let batch = RecordBatch::try_from_iter(vec![
        (
            "eventtime",
            Arc::new(StringArray::from(vec!["2026-05-28T20:27:40Z"])) as ArrayRef,
        ),
        (
            "eventname",
            Arc::new(StringArray::from(vec!["ListBuckets"])),
        ),
        (
            "sourceipaddress",
            Arc::new(StringArray::from(vec!["45.83.70.1"])),
        ),
        ("version", Arc::new(Int32Array::from(vec![1]))),
    ])
    .unwrap();
    let file = write(&batch, Compression::SNAPPY, 1024);
    let (findings, stats) = scan("exports/cloudtrail.parquet", &file);
    assert!(findings.is_empty());
    assert_eq!(stats.records, 0);
    assert_eq!(stats.rejected, 1);
    let e = &stats.errors[0];
    assert_eq!(e.kind, RejectKind::NotFlowLog);
    let text = e.to_string();
    assert!(
        text.starts_with("exports/cloudtrail.parquet: input: not a VPC flow log: "),
        "{text}"
    );
    assert!(
        text.contains("eventname"),
        "names the columns found: {text}"
    );
}

#[test]
fn bad_values_reject_their_row_and_the_rest_is_read() {
    let mut rows = attacks();
    let mut bad = rows[23].clone();
    bad.srcaddr = s("10.0.0.300");
    rows[23] = bad;
    let file = parquet(&rows, Compression::SNAPPY);
    let (findings, stats) = scan(PARQUET_NAME, &file);
    assert_eq!(stats.rejected, 1);
    assert_eq!(stats.records, rows.len() as u64 - 1);
    let e = &stats.errors[0];
    assert_eq!(e.kind, RejectKind::MalformedParquet);
    // Row 24 (1-based) sits in the second row group of 16.
    assert_eq!(
        e.to_string(),
        format!(
            "{PARQUET_NAME}: record 24: malformed Parquet: column `srcaddr`: invalid value \"10.0.0.300\""
        )
    );
    // 24 SSH attempts remain: still over the threshold.
    assert!(
        types(&findings).contains(&"UnauthorizedAccess:EC2/SSHBruteForce".to_string()),
        "{:?}",
        types(&findings)
    );
    // An integer out of its field's range is the same kind of row reject.
    let mut rows = near_misses();
    rows[0].dstport = Some(70_000);
    let (_, stats) = scan(PARQUET_NAME, &parquet(&rows, Compression::SNAPPY));
    assert_eq!(stats.rejected, 1);
    assert!(
        stats.errors[0]
            .to_string()
            .contains("column `dstport`: invalid value \"70000\""),
        "{}",
        stats.errors[0]
    );
}

/// Hive-compatible S3 prefixes name the region as `aws-region=REGION`; without a region column
/// that is where a finding's region comes from.
#[test]
fn region_from_a_hive_compatible_prefix() {
    let mut rows = attacks();
    for r in &mut rows {
        r.region = None;
    }
    let file = parquet(&rows, Compression::SNAPPY);
    let name = "flows/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-central-1/year=2026/month=05/day=28/hour=20/111122223333_vpcflowlogs_eu-central-1_fl-0123456789abcdef0_20260528T2025Z_1a2b3c4d.log.parquet";
    let (findings, stats) = scan(name, &file);
    assert_eq!(stats.rejected, 0);
    assert_eq!(findings.len(), 4);
    assert!(findings.iter().all(|f| f["region"] == "eu-central-1"));
}

/// Recognised by content, not name: a Parquet flow log called `.log` is read as Parquet.
#[test]
fn recognised_by_magic_not_name() {
    let file = parquet(&attacks(), Compression::UNCOMPRESSED);
    let (findings, stats) = scan("flow.log", &file);
    assert_eq!(stats.rejected, 0);
    assert_eq!(findings.len(), 4);
}

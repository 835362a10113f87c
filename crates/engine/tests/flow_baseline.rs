//! Learned per-instance network baselines (detect/baseline.rs) through the scan pipeline: each
//! finding type after a day of realistic learning traffic, with near misses, and the state bound.
//!
//! The learning traffic is a web server's day in default-format (v2) flow records: clients reach
//! it on 443 and it answers them, it calls an AWS endpoint and a code host over HTTPS, resolves
//! through the VPC resolver and, now and then, through Google Public DNS, Google's DNS-over-HTTPS
//! and Cloudflare's DNS over TLS.

use std::fmt::Write;
use std::sync::Arc;
use warden_engine::decode::flow::{FlowLayout, parse_line};
use warden_engine::detect::baseline::{BaselineConfig, BaselineDetector};
use warden_engine::{Pipeline, ScanConfig};
use warden_intel::load::{IntelConfig, load};
use warden_model::{Finding, Signal};
use warden_store::{FindingStore, MemoryStore, Query};

const ENI: &str = "eni-0a1b2c3d4e5f60718";
const HOST: &str = "10.0.1.23";
/// 2026-05-28T20:00:00Z, on an hour boundary.
const T0: i64 = 1_779_998_400;
const HOUR: i64 = 3600;
/// Just after the default one-day learning period.
const T1: i64 = T0 + 26 * HOUR;

/// A default-format (v2) record: `version account-id interface-id srcaddr dstaddr srcport dstport
/// protocol packets bytes start end action log-status`.
#[allow(clippy::too_many_arguments)]
fn v2(
    eni: &str,
    src: &str,
    dst: &str,
    sport: u16,
    dport: u16,
    proto: u8,
    bytes: u64,
    action: &str,
    start: i64,
) -> String {
    format!(
        "2 111122223333 {eni} {src} {dst} {sport} {dport} {proto} {} {bytes} {start} {} {action} OK",
        bytes / 1200 + 1,
        start + 60
    )
}

/// An outbound connection from the web server (accepted).
fn out(dst: &str, sport: u16, dport: u16, proto: u8, bytes: u64, start: i64) -> String {
    v2(ENI, HOST, dst, sport, dport, proto, bytes, "ACCEPT", start)
}

/// 25 hours of the web server's traffic from `T0`, one round every five minutes.
fn learning_day() -> Vec<String> {
    let mut lines = Vec::new();
    for slot in 0..25 * 12i64 {
        let t = T0 + slot * 300;
        let eph = 33_000 + (slot % 20_000) as u16;
        // 20 MB an upload to an AWS endpoint: 240 MB an hour, the largest to any one host.
        lines.push(out("52.94.236.248", eph, 443, 6, 20_000_000, t));
        lines.push(out("140.82.112.3", eph + 1, 443, 6, 40_000, t + 1));
        // A client and the server's answer (a reply from 443, not a connection it made).
        let client = format!("45.83.70.{}", slot % 200 + 1);
        let cport = 50_000 + (slot % 10_000) as u16;
        lines.push(v2(
            ENI,
            &client,
            HOST,
            cport,
            443,
            6,
            2_000,
            "ACCEPT",
            t + 2,
        ));
        lines.push(v2(
            ENI,
            HOST,
            &client,
            443,
            cport,
            6,
            60_000,
            "ACCEPT",
            t + 2,
        ));
        // The VPC resolver: private, never judged.
        lines.push(out("10.0.0.2", eph + 2, 53, 17, 90, t + 3));
        if slot % 12 == 0 {
            lines.push(out("8.8.8.8", eph + 3, 53, 17, 80, t + 4));
        }
        if slot % 72 == 0 {
            lines.push(out("8.8.4.4", eph + 4, 443, 6, 5_000, t + 5));
            lines.push(out("1.1.1.1", eph + 5, 853, 6, 3_000, t + 6));
        }
    }
    lines
}

/// Records in event-time order, as one interface's log delivers them.
fn in_time_order(mut lines: Vec<String>) -> Vec<String> {
    lines.sort_by_key(|l| l.split(' ').nth(10).and_then(|t| t.parse::<i64>().ok()));
    lines
}

fn scan(lines: &[String]) -> Vec<Finding> {
    scan_text(&lines.join("\n"))
}

fn scan_text(text: &str) -> Vec<Finding> {
    let intel = Arc::new(load(&IntelConfig::default(), None).unwrap().0);
    let mut store = MemoryStore::new();
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel);
    p.scan_reader("flow.log", &mut text.as_bytes()).unwrap();
    let (stats, _) = p.finish().unwrap();
    assert_eq!(stats.rejected, 0);
    store.list(&Query::default()).unwrap()
}

/// The learning day followed by `after`.
fn scan_after_learning(after: &[String]) -> Vec<Finding> {
    let mut lines = learning_day();
    lines.extend_from_slice(after);
    scan(&lines)
}

fn types(f: &[Finding]) -> Vec<&str> {
    let mut t: Vec<&str> = f.iter().map(|f| f.finding_type.as_str()).collect();
    t.sort();
    t
}

fn remote(f: &Finding) -> (String, i64) {
    let nca = f.service.action.network_connection_action.as_ref().unwrap();
    (
        nca.remote_ip_details
            .as_ref()
            .and_then(|r| r.ip_address_v4.clone())
            .unwrap_or_default(),
        nca.remote_port_details.as_ref().map_or(0, |p| p.port),
    )
}

#[test]
fn the_learning_day_alone_raises_nothing() {
    let f = scan(&learning_day());
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn network_port_unusual() {
    let f = scan_after_learning(&[
        out("45.83.71.40", 41_234, 6667, 6, 5_000, T1),
        // A connection from an ephemeral port to a high remote port is judged too.
        out("45.83.71.41", 40_000, 50_050, 6, 5_000, T1 + 10),
    ]);
    assert_eq!(
        types(&f),
        [
            "Behavior:EC2/NetworkPortUnusual",
            "Behavior:EC2/NetworkPortUnusual"
        ]
    );
    let irc = f
        .iter()
        .find(|f| remote(f) == ("45.83.71.40".into(), 6667))
        .unwrap();
    assert_eq!(irc.severity, 5.0);
    let nca = irc
        .service
        .action
        .network_connection_action
        .as_ref()
        .unwrap();
    assert_eq!(nca.connection_direction, "OUTBOUND");
    assert_eq!(nca.protocol, "TCP");
    assert_eq!(nca.local_network_interface.as_deref(), Some(ENI));
    let reason = &irc.description;
    assert!(
        reason.contains("remote port 6667/tcp, never seen in") && reason.contains("26 h"),
        "{reason}"
    );
    assert!(
        f.iter()
            .any(|f| remote(f) == ("45.83.71.41".into(), 50_050))
    );
}

#[test]
fn network_port_unusual_near_misses() {
    // The same port first used during learning is part of the baseline.
    let mut lines = learning_day();
    lines.push(out("45.83.71.40", 41_234, 6667, 6, 5_000, T0 + 8 * HOUR));
    lines.push(out("45.83.71.40", 41_300, 6667, 6, 5_000, T1));
    let f = scan(&in_time_order(lines));
    assert!(f.is_empty(), "{:?}", types(&f));
    let f = scan_after_learning(&[
        // A port already in the baseline, to a new host.
        out("45.83.71.42", 41_235, 443, 6, 5_000, T1),
        // Rejected: the connection was never made.
        v2(ENI, HOST, "45.83.71.40", 41_236, 6667, 6, 120, "REJECT", T1),
        // The server answering a new client's ephemeral port.
        v2(
            ENI,
            HOST,
            "45.83.71.43",
            443,
            40_001,
            6,
            9_000,
            "ACCEPT",
            T1,
        ),
    ]);
    assert!(f.is_empty(), "{:?}", types(&f));
    // Novel port during the learning period.
    let f = scan(&[
        out("52.94.236.248", 41_000, 443, 6, 5_000, T0),
        out("45.83.71.40", 41_234, 6667, 6, 5_000, T0 + 2 * HOUR),
    ]);
    assert!(f.is_empty(), "{:?}", types(&f));
    // Seen for more than a day, but with too few connections to know it.
    let f = scan(&[
        out("52.94.236.248", 41_000, 443, 6, 5_000, T0),
        out("52.94.236.248", 41_001, 443, 6, 5_000, T0 + 25 * HOUR),
        out("45.83.71.40", 41_234, 6667, 6, 5_000, T1),
    ]);
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn a_port_diverse_instance_is_not_judged() {
    // A forward proxy: connections to 300 distinct ports over a day, two hosts per port.
    let mut lines = learning_day();
    for i in 0..600u16 {
        lines.push(out(
            &format!("45.83.72.{}", i % 250 + 1),
            35_000 + i,
            2_000 + i / 2,
            6,
            3_000,
            T0 + i64::from(i) * 144,
        ));
    }
    lines.push(out("45.83.71.40", 41_234, 6667, 6, 5_000, T1));
    let f = scan(&in_time_order(lines));
    assert!(f.is_empty(), "{:?}", types(&f));
}

/// An upload of `total` bytes to `dst` within the hour starting at `at`, as one record a minute
/// (about 40,000 packets a minute for 3 GB: a steady upload, not a flood).
fn upload_hour(dst: &str, total: u64, at: i64) -> Vec<String> {
    (0..60)
        .map(|i| out(dst, 42_000 + i as u16, 443, 6, total / 60, at + i * 60))
        .collect()
}

#[test]
fn traffic_volume_unusual() {
    // 3.0 GB to one host in an hour, against a 240 MB baseline (threshold ≈ 2.38 GB).
    let f = scan_after_learning(&upload_hour("45.83.71.50", 3_000_000_000, T1));
    assert_eq!(types(&f), ["Behavior:EC2/TrafficVolumeUnusual"]);
    assert_eq!(remote(&f[0]).0, "45.83.71.50");
    assert_eq!(f[0].severity, 5.0);
    let reason = &f[0].description;
    assert!(
        reason.contains("sent 2,400,000,000 bytes")
            && reason.contains("in an hour before was 238,0")
            && reason.contains("threshold was 2,380,"),
        "{reason}"
    );
}

#[test]
fn traffic_volume_near_misses() {
    // 2.28 GB: past the 1 GiB floor but just under ten times the learned baseline.
    let f = scan_after_learning(&upload_hour("45.83.71.50", 2_280_000_000, T1));
    assert!(f.is_empty(), "{:?}", types(&f));
    // The same 3.0 GB during the learning period.
    let mut lines = upload_hour("45.83.71.50", 3_000_000_000, T0 + 3 * HOUR);
    lines.extend(learning_day());
    let f = scan(&in_time_order(lines));
    assert!(f.is_empty(), "{:?}", types(&f));
    // An instance with a tiny baseline: under the 1 GiB floor, however many times its baseline.
    let mut lines = learning_day();
    lines.retain(|l| !l.contains("52.94.236.248"));
    lines.extend(upload_hour("45.83.71.50", 1_068_000_000, T1));
    let f = scan(&lines);
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn unusual_dns_resolver() {
    let f = scan_after_learning(&[
        out("45.83.71.53", 44_000, 53, 17, 80, T1),
        out("1.1.1.1", 44_001, 53, 17, 80, T1 + 5),
    ]);
    assert_eq!(
        types(&f),
        [
            "DefenseEvasion:EC2/UnusualDNSResolver",
            "DefenseEvasion:EC2/UnusualDNSResolver"
        ]
    );
    let first = f.iter().find(|f| remote(f).0 == "45.83.71.53").unwrap();
    assert!(
        first.description.contains(
            "DNS (port 53) to the public resolver 45.83.71.53, not among the 1 resolver(s)"
        ),
        "{}",
        first.description
    );
    let cf = f.iter().find(|f| remote(f).0 == "1.1.1.1").unwrap();
    assert!(
        cf.description.contains("1.1.1.1 (Cloudflare)"),
        "{}",
        cf.description
    );
}

#[test]
fn unusual_dns_resolver_near_misses() {
    let f = scan_after_learning(&[
        // The same service as the baseline's 8.8.8.8.
        out("8.8.4.4", 44_000, 53, 17, 80, T1),
        // The VPC resolver.
        out("10.0.0.2", 44_001, 53, 17, 80, T1),
        out("169.254.169.253", 44_002, 53, 17, 80, T1),
    ]);
    assert!(f.is_empty(), "{:?}", types(&f));
    let mut lines = learning_day();
    lines.push(out("45.83.71.53", 44_000, 53, 17, 80, T0 + 16 * HOUR));
    lines.push(out("45.83.71.53", 44_003, 53, 17, 80, T1));
    let f = scan(&in_time_order(lines));
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn unusual_doh_activity() {
    let f = scan_after_learning(&[out("1.1.1.1", 45_000, 443, 6, 6_000, T1)]);
    assert_eq!(types(&f), ["DefenseEvasion:EC2/UnusualDoHActivity"]);
    assert!(
        f[0].description
            .contains("DNS-over-HTTPS address of Cloudflare"),
        "{}",
        f[0].description
    );
}

/// IPv6 addresses in a VPC are public, so the record needs `flow-direction` to say which end is
/// the instance: the learning day in a custom format that has it.
#[test]
fn unusual_doh_activity_over_ipv6_and_quic() {
    let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction";
    let mut text = header.to_string();
    for l in learning_day() {
        let egress = l.split(' ').nth(3) == Some(HOST);
        text.push('\n');
        text.push_str(&l);
        text.push_str(if egress { " egress" } else { " ingress" });
    }
    // The same interface's IPv6 address, DoH over HTTP/3 (UDP 443) to AdGuard.
    text.push('\n');
    text.push_str(&v2(
        ENI,
        "2600:1f18:4a3:6901::17",
        "2a10:50c0::ad1:ff",
        45_001,
        443,
        17,
        6_000,
        "ACCEPT",
        T1,
    ));
    text.push_str(" egress");
    let f = scan_text(&text);
    // 443/udp is also a port the baseline lacks; the DoH finding says more and stands alone.
    assert_eq!(types(&f), ["DefenseEvasion:EC2/UnusualDoHActivity"]);
    let nca = f[0]
        .service
        .action
        .network_connection_action
        .as_ref()
        .unwrap();
    assert_eq!(
        nca.remote_ip_details
            .as_ref()
            .unwrap()
            .ip_address_v6
            .as_deref(),
        Some("2a10:50c0::ad1:ff")
    );
    assert!(
        f[0].description.contains("AdGuard DNS"),
        "{}",
        f[0].description
    );
}

#[test]
fn unusual_doh_activity_near_misses() {
    let f = scan_after_learning(&[
        // Google's DoH is in the baseline (through 8.8.4.4).
        out("8.8.8.8", 45_000, 443, 6, 6_000, T1),
        // HTTPS to an address that is not a DoH service.
        out("45.83.71.60", 45_001, 443, 6, 6_000, T1),
    ]);
    assert!(f.is_empty(), "{:?}", types(&f));
    let mut lines = learning_day();
    lines.push(out("1.1.1.1", 45_000, 443, 6, 6_000, T0 + 4 * HOUR));
    lines.push(out("1.0.0.1", 45_002, 443, 6, 6_000, T1));
    let f = scan(&in_time_order(lines));
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn unusual_dot_activity() {
    let f = scan_after_learning(&[out("9.9.9.9", 46_000, 853, 6, 4_000, T1)]);
    assert_eq!(types(&f), ["DefenseEvasion:EC2/UnusualDoTActivity"]);
    assert_eq!(remote(&f[0]), ("9.9.9.9".into(), 853));
    assert!(
        f[0].description
            .contains("DNS over TLS (port 853) to the public resolver 9.9.9.9 (Quad9)"),
        "{}",
        f[0].description
    );
}

#[test]
fn unusual_dot_activity_near_misses() {
    let f = scan_after_learning(&[
        // Cloudflare over TLS is in the baseline (through 1.1.1.1).
        out("1.0.0.1", 46_000, 853, 6, 4_000, T1),
        // Blocked by a security group: nothing left the instance.
        v2(ENI, HOST, "9.9.9.9", 46_001, 853, 6, 60, "REJECT", T1),
    ]);
    assert!(f.is_empty(), "{:?}", types(&f));
    let mut lines = learning_day();
    lines.push(out("9.9.9.9", 46_000, 853, 6, 4_000, T0 + 4 * HOUR));
    lines.push(out("9.9.9.9", 46_002, 853, 6, 4_000, T1));
    let f = scan(&in_time_order(lines));
    assert!(f.is_empty(), "{:?}", types(&f));
}

/// A million distinct (instance, remote host) keys from 5,000 interfaces in one hour never grow
/// the state past its bounds; a mature instance among them keeps its baseline and is still
/// detected, both for a heavy upload and for a new port.
#[test]
fn state_is_bounded_under_a_million_distinct_keys() {
    let config = BaselineConfig {
        max_instances: 1_000,
        max_volume_counters: 10_000,
        ..BaselineConfig::default()
    };
    let (max_instances, max_counters) = (config.max_instances, config.max_volume_counters);
    let mut d = BaselineDetector::new(config);
    let layout = FlowLayout::default_v2();
    let mut signals = Vec::new();
    let feed = |d: &mut BaselineDetector, line: &str, signals: &mut Vec<Signal>| {
        d.detect(&parse_line(&layout, line).unwrap(), signals);
        let s = d.state();
        assert!(s.instances <= max_instances && s.volume_counters <= max_counters);
        assert_eq!(s.queued, s.instances, "one touch-queue entry per instance");
    };
    for l in learning_day() {
        feed(&mut d, &l, &mut signals);
    }
    assert!(signals.is_empty());
    let mut distinct = 0u64;
    let mut line = String::new();
    for i in 0..1_050_000u32 {
        let t = T1 + i64::from(i / 400); // about 44 minutes of event time
        let [a, b, c, e] = (0x2d00_0000u32 + i).to_be_bytes();
        line.clear();
        // 5,000 interfaces, each to a host no one else talks to.
        write!(
            line,
            "2 111122223333 eni-{:017x} 10.1.{}.{} {a}.{b}.{c}.{e} 40000 443 6 2 1500 {t} {} ACCEPT OK",
            i % 5_000,
            (i % 5_000) / 250,
            i % 250 + 1,
            t + 60
        )
        .unwrap();
        feed(&mut d, &line, &mut signals);
        distinct += 1;
        if i % 500 == 0 {
            // 2,100 uploads of 2 MB: 4.2 GB to one host within the hour (threshold ≈ 2.38 GB).
            feed(
                &mut d,
                &out("45.83.71.50", 42_000, 443, 6, 2_000_000, t),
                &mut signals,
            );
        }
    }
    feed(
        &mut d,
        &out("45.83.71.40", 41_234, 6667, 6, 5_000, T1 + 2_700),
        &mut signals,
    );
    assert!(distinct >= 1_000_000);
    let state = d.state();
    assert!(state.evicted > 1_000_000, "{state:?}");
    let found: Vec<(&str, String)> = signals
        .iter()
        .map(|s| (s.finding_type, s.actor_key.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "Behavior:EC2/TrafficVolumeUnusual",
                "45.83.71.50".to_string()
            ),
            ("Behavior:EC2/NetworkPortUnusual", "45.83.71.40".to_string()),
        ]
    );
}

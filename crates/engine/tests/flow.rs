//! VPC Flow Logs through the scan pipeline: intelligence-driven network findings, with near misses.

use std::io::Write;
use std::sync::Arc;
use warden_engine::{Pipeline, ScanConfig};
use warden_intel::builtin;
use warden_intel::load::{IntelConfig, ListSpec, load};
use warden_model::Finding;
use warden_store::{FindingStore, MemoryStore, Query};

fn snapshot_ip(feed: &str, nth: usize) -> String {
    let f = builtin::FEEDS.iter().find(|f| f.name == feed).unwrap();
    String::from_utf8(f.snapshot())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && l.parse::<std::net::IpAddr>().is_ok())
        .nth(nth)
        .unwrap()
        .to_string()
}

/// A default-format (v2) record: `version account-id interface-id srcaddr dstaddr srcport dstport
/// protocol packets bytes start end action log-status`.
fn v2(src: &str, dst: &str, sport: u16, dport: u16, action: &str, start: i64) -> String {
    format!(
        "2 111122223333 eni-0a1b2c3d4e5f60718 {src} {dst} {sport} {dport} 6 12 4096 {start} {} {action} OK",
        start + 60
    )
}

fn scan(input: &str, custom: Option<&str>) -> (Vec<Finding>, u64) {
    let d = tempfile::tempdir().unwrap();
    let mut config = IntelConfig::default();
    if let Some(text) = custom {
        let p = d.path().join("corp.txt");
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        config.threat_lists.push(ListSpec {
            name: "corp".into(),
            location: p.display().to_string(),
            format: None,
        });
    }
    let intel = Arc::new(load(&config, None).unwrap().0);
    let mut store = MemoryStore::new();
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel);
    p.scan_reader("flow.log", &mut input.as_bytes()).unwrap();
    let (stats, _) = p.finish().unwrap();
    assert_eq!(stats.bytes, input.len() as u64, "bytes read are counted");
    (store.list(&Query::default()).unwrap(), stats.rejected)
}

fn types(f: &[Finding]) -> Vec<&str> {
    let mut t: Vec<&str> = f.iter().map(|f| f.finding_type.as_str()).collect();
    t.sort();
    t
}

#[test]
fn tor_client_relay_and_mining() {
    let relay = snapshot_ip("TorRelays", 40);
    let pool = snapshot_ip("WardenCryptoMining", 0);
    let lines = [
        v2("10.0.1.23", &relay, 40123, 9001, "ACCEPT", 1_780_000_000),
        v2(&relay, "10.0.1.24", 51000, 9001, "ACCEPT", 1_780_000_100),
        v2("10.0.1.25", &pool, 40999, 3333, "ACCEPT", 1_780_000_200),
    ];
    let (f, rejected) = scan(&lines.join("\n"), None);
    assert_eq!(rejected, 0);
    assert_eq!(
        types(&f),
        [
            "CryptoCurrency:EC2/BitcoinTool.B",
            "UnauthorizedAccess:EC2/TorClient",
            "UnauthorizedAccess:EC2/TorRelay"
        ]
    );
    let client = f
        .iter()
        .find(|f| f.finding_type.ends_with("TorClient"))
        .unwrap();
    let nca = client
        .service
        .action
        .network_connection_action
        .as_ref()
        .unwrap();
    assert_eq!(nca.connection_direction, "OUTBOUND");
    assert_eq!(
        nca.remote_ip_details
            .as_ref()
            .unwrap()
            .ip_address_v4
            .as_deref(),
        Some(relay.as_str())
    );
    assert!(
        nca.remote_ip_details.as_ref().unwrap().country.is_some(),
        "enriched: {nca:?}"
    );
    assert_eq!(client.service.event_first_seen, "2026-05-28T20:27:40.000Z");

    // Near misses: rejected flows, inbound from Tor to SSH (not a relay), private-to-private.
    let lines = [
        v2("10.0.1.23", &relay, 40123, 9001, "REJECT", 1_780_000_000),
        v2(&relay, "10.0.1.24", 51000, 22, "ACCEPT", 1_780_000_100),
        v2(
            "10.0.1.25",
            "10.0.9.9",
            40999,
            3333,
            "ACCEPT",
            1_780_000_200,
        ),
        "2 111122223333 eni-0a1b2c3d4e5f60718 - - - - - - - 1780000300 1780000360 - NODATA"
            .to_string(),
    ];
    let (f, rejected) = scan(&lines.join("\n"), None);
    assert_eq!(rejected, 0);
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn customer_list_with_a_custom_header_layout() {
    let header = "version account-id interface-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction";
    let lines = [
        header.to_string(),
        "5 111122223333 eni-0f0e0d0c0b0a09080 i-0123456789abcdef0 172.31.5.6 45.83.64.77 45678 443 6 10 1500 1780000000 1780000060 ACCEPT OK egress".to_string(),
        "5 111122223333 eni-0f0e0d0c0b0a09080 i-0123456789abcdef0 45.83.65.8 172.31.5.6 443 45679 6 10 1500 1780000000 1780000060 ACCEPT OK ingress".to_string(),
        "this line is broken".to_string(),
    ];
    let (f, rejected) = scan(&lines.join("\n"), Some("45.83.64.0/24\n"));
    assert_eq!(rejected, 1, "the broken line is reported");
    assert_eq!(
        types(&f),
        ["UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"]
    );
    assert_eq!(
        f[0].resource
            .instance_details
            .as_ref()
            .unwrap()
            .instance_id
            .as_deref(),
        Some("i-0123456789abcdef0")
    );
    assert_eq!(
        f[0].service
            .evidence
            .as_ref()
            .unwrap()
            .threat_intelligence_details[0]
            .threat_list_name,
        "corp"
    );
}

#[test]
fn stateful_network_findings_through_the_pipeline() {
    let mut lines: Vec<String> = (0..6)
        .map(|i| {
            v2(
                &format!("45.83.70.{}", i + 1),
                "10.0.0.5",
                40000,
                5432,
                "ACCEPT",
                1_780_000_000 + i,
            )
        })
        .collect();
    lines.extend((0..25).map(|i| {
        v2(
            "45.83.71.9",
            "10.0.0.6",
            41000 + i,
            22,
            "REJECT",
            1_780_000_100 + i as i64,
        )
    }));
    let (f, rejected) = scan(&lines.join("\n"), None);
    assert_eq!(rejected, 0);
    assert_eq!(
        types(&f),
        [
            "Recon:EC2/PortProbeUnprotectedPort",
            "UnauthorizedAccess:EC2/SSHBruteForce"
        ]
    );
    let probe = f
        .iter()
        .find(|f| f.finding_type.starts_with("Recon"))
        .unwrap();
    let d = &probe
        .service
        .action
        .port_probe_action
        .as_ref()
        .unwrap()
        .port_probe_details[0];
    assert!(
        d.remote_ip_details.as_ref().unwrap().organization.is_some(),
        "enriched: {d:?}"
    );
    // Re-reading the same flow records does not count the brute force again.
    let twice = format!("{}\n{}", lines.join("\n"), lines.join("\n"));
    let (f, _) = scan(&twice, None);
    assert!(
        f.iter().all(|f| f.service.count == 1),
        "{:?}",
        f.iter().map(|f| f.service.count).collect::<Vec<_>>()
    );
}

#[test]
fn region_from_plain_and_hive_compatible_paths() {
    use warden_engine::pipeline::region_from_path;
    assert_eq!(
        region_from_path("b/AWSLogs/111122223333/vpcflowlogs/ap-southeast-2/2026/05/28/x.log.gz")
            .as_deref(),
        Some("ap-southeast-2")
    );
    assert_eq!(
        region_from_path(
            "b/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-gov-west-1/year=2026/month=05/day=28/x.log.parquet"
        )
        .as_deref(),
        Some("us-gov-west-1")
    );
    // Neither a key=value that is not a region nor a region-like word without digits.
    assert_eq!(region_from_path("year=2026/month=05/us-east/x.log"), None);
}

/// A Parquet file is recognised by its magic bytes whatever its name. Without the `parquet`
/// feature it is refused with a message saying how to read it; with it, this one (magic, then
/// garbage) is a truncated Parquet file.
#[test]
fn parquet_input_is_recognised_by_content() {
    let mut store = MemoryStore::new();
    let mut p = Pipeline::new(ScanConfig::default(), &mut store);
    p.scan_reader(
        "data.bin",
        &mut &b"PAR1\x15\x04\x15\x80 not a whole file"[..],
    )
    .unwrap();
    let (stats, _) = p.finish().unwrap();
    assert_eq!((stats.records, stats.rejected), (0, 1));
    let text = stats.errors[0].to_string();
    assert!(text.starts_with("data.bin: input: "), "{text}");
    #[cfg(not(feature = "parquet"))]
    {
        assert_eq!(
            stats.errors[0].kind,
            warden_engine::decode::RejectKind::Unsupported
        );
        assert!(
            text.ends_with("Parquet input needs warden built with --features parquet"),
            "{text}"
        );
    }
    #[cfg(feature = "parquet")]
    {
        assert_eq!(
            stats.errors[0].kind,
            warden_engine::decode::RejectKind::Truncated
        );
        assert!(text.contains("truncated Parquet file"), "{text}");
    }
}

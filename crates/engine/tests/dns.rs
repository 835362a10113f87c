//! Route 53 Resolver query logs through `warden scan`'s pipeline: intelligence-driven DNS findings.

use serde_json::json;
use std::io::Write;
use std::sync::Arc;
use warden_engine::{Pipeline, ScanConfig};
use warden_intel::load::{IntelConfig, ListSpec, load};
use warden_model::Finding;
use warden_store::{FindingStore, MemoryStore, Query};

fn query(name: &str, instance: &str, second: u32) -> String {
    json!({"version": "1.100000", "account_id": "111122223333", "region": "us-east-1", "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "query_timestamp": format!("2026-06-01T12:00:{second:02}Z"), "query_name": format!("{name}."), "query_type": "A",
        "query_class": "IN", "rcode": "NOERROR", "answers": [{"Rdata": "203.0.113.9", "Type": "A", "Class": "IN"}],
        "srcaddr": "10.0.1.23", "srcport": "53344", "transport": "UDP", "srcids": {"instance": instance}})
    .to_string()
}

fn scan(lines: &[String], custom_domains: Option<&str>) -> Vec<Finding> {
    let d = tempfile::tempdir().unwrap();
    let mut config = IntelConfig::default();
    if let Some(text) = custom_domains {
        let p = d.path().join("domains.txt");
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        config.threat_lists.push(ListSpec {
            name: "corp-domains".into(),
            location: p.display().to_string(),
            format: None,
        });
    }
    let intel = Arc::new(load(&config, None).unwrap().0);
    let mut store = MemoryStore::new();
    let input = lines.join("\n");
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel);
    p.scan_reader("resolver.log", &mut input.as_bytes())
        .unwrap();
    let (stats, _) = p.finish().unwrap();
    assert_eq!(stats.rejected, 0, "{:?}", stats.errors);
    assert_eq!(stats.records, lines.len() as u64);
    assert_eq!(stats.bytes, input.len() as u64, "bytes read are counted");
    store.list(&Query::default()).unwrap()
}

fn types(f: &[Finding]) -> Vec<&str> {
    let mut t: Vec<&str> = f.iter().map(|f| f.finding_type.as_str()).collect();
    t.sort();
    t
}

#[test]
fn guardduty_tester_domains_raise_their_types() {
    let f = scan(
        &[
            query("c2.guarddutyc2activityb.com", "i-0aaaaaaaaaaaaaaa1", 1),
            query("crypto.guarddutyc2activityb.com", "i-0aaaaaaaaaaaaaaa1", 2),
            query(
                "x7.guarddutyblackholeactivity.com",
                "i-0bbbbbbbbbbbbbbb2",
                3,
            ),
            query("guarddutyphishingactivity.com", "i-0bbbbbbbbbbbbbbb2", 4),
        ],
        None,
    );
    assert_eq!(
        types(&f),
        [
            "Backdoor:EC2/C&CActivity.B!DNS",
            "CryptoCurrency:EC2/BitcoinTool.B!DNS",
            "Trojan:EC2/BlackholeTraffic!DNS",
            "Trojan:EC2/PhishingDomainRequest!DNS"
        ]
    );
    let c2 = f
        .iter()
        .find(|f| f.finding_type.starts_with("Backdoor"))
        .unwrap();
    assert_eq!(c2.resource.resource_type, "Instance");
    assert_eq!(
        c2.resource
            .instance_details
            .as_ref()
            .unwrap()
            .instance_id
            .as_deref(),
        Some("i-0aaaaaaaaaaaaaaa1")
    );
    let dns = c2.service.action.dns_request_action.as_ref().unwrap();
    assert_eq!(dns.domain, "c2.guarddutyc2activityb.com");
    assert_eq!(c2.service.action.action_type, "DNS_REQUEST");
    assert_eq!(c2.service.resource_role, "ACTOR");
    assert_eq!(
        c2.service
            .evidence
            .as_ref()
            .unwrap()
            .threat_intelligence_details[0]
            .threat_list_name,
        "GuardDutyTesterIndicators"
    );
}

#[test]
fn mining_pools_and_customer_domains_with_near_misses() {
    let f = scan(
        &[
            query("xmr.pool.minergate.com", "i-0ccccccccccccccc3", 1),
            query("updates.evil-corp-c2.example", "i-0ccccccccccccccc3", 2),
            // Near misses: a benign name, a name that only contains a listed domain, a parent of one.
            query("www.amazon.com", "i-0ccccccccccccccc3", 3),
            query(
                "guarddutyc2activityb.com.example.net",
                "i-0ccccccccccccccc3",
                4,
            ),
            query("corp-c2.example", "i-0ccccccccccccccc3", 5),
        ],
        Some("# corp\nevil-corp-c2.example\n"),
    );
    assert_eq!(
        types(&f),
        [
            "CryptoCurrency:EC2/BitcoinTool.B!DNS",
            "Impact:EC2/MaliciousDomainRequest.Custom"
        ]
    );
}

#[test]
fn rereading_the_same_queries_does_not_recount() {
    let q = query("c2.guarddutyc2activityb.com", "i-0ddddddddddddddd4", 9);
    let f = scan(
        &[
            q.clone(),
            q.clone(),
            query("c2.guarddutyc2activityb.com", "i-0ddddddddddddddd4", 10),
        ],
        None,
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].service.count, 2);
}

//! The categorised maltrail intelligence through `warden scan`'s pipeline: every flow and DNS
//! finding type it drives, each with a positive and a near miss, from realistic VPC Flow Log
//! and Route 53 Resolver records. Indicators are picked from the shipped data by category
//! (several per category, spread over the sorted list), never hard-coded.

use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};
use warden_engine::{Pipeline, ScanConfig};
use warden_intel::load::{IntelConfig, load};
use warden_intel::{Category, Intel, ListKind, builtin};
use warden_model::Finding;
use warden_store::{FindingStore, MemoryStore, Query};

/// The built-in intelligence, loaded once for the whole file (1.3 M maltrail entries).
fn intel() -> Arc<Intel> {
    static I: OnceLock<Arc<Intel>> = OnceLock::new();
    I.get_or_init(|| Arc::new(load(&IntelConfig::default(), None).unwrap().0))
        .clone()
}

fn maltrail(intel: &Intel) -> &warden_intel::ThreatList {
    intel
        .lists()
        .find(|l| &*l.name == builtin::MALTRAIL_NAME)
        .expect("the maltrail list is built in")
}

/// What the categorised list says about a domain, if it lists it or a parent.
fn domain_category(intel: &Intel, d: &str) -> Option<Category> {
    let mut m = Vec::new();
    intel.domain_threats(d, &mut m);
    m.iter()
        .find(|m| m.kind == ListKind::Categorised)
        .and_then(|m| m.category)
}

/// Whether any list at all knows the address.
fn ip_listed(intel: &Intel, ip: IpAddr) -> bool {
    let mut m = Vec::new();
    intel.ip_threats(ip, &mut m);
    !m.is_empty()
}

/// `n` listed domains of a category, spread over the sorted list, each with a sibling name
/// (`notlisted-<first label>.<rest>`, i.e. `notlisted-` prefixed) that no list covers.
fn domains(category: Category, n: usize) -> Vec<(String, String)> {
    let intel = intel();
    let mut all: Vec<&str> = maltrail(&intel)
        .domain_entries()
        .filter(|(_, _, c)| *c == Some(category))
        .map(|(d, _, _)| d)
        .collect();
    all.sort_unstable();
    let mut out = Vec::new();
    let step = (all.len() / (n * 64)).max(1);
    for d in all.iter().step_by(step) {
        // `notlisted-<first label>.<rest>`: same parent, same length class, not listed.
        let sibling = format!("notlisted-{d}");
        if domain_category(&intel, d) != Some(category) {
            continue; // A more specific entry of another category would decide.
        }
        let mut m = Vec::new();
        intel.domain_threats(&sibling, &mut m);
        if !m.is_empty() {
            continue; // The parent is listed too: not a near miss.
        }
        out.push((d.to_string(), sibling));
        if out.len() == n {
            break;
        }
    }
    assert_eq!(
        out.len(),
        n,
        "not enough {category} domains in the shipped data"
    );
    out
}

/// `n` listed single public IPv4 addresses of a category, spread over the sorted list, whose
/// lookup gives that category.
fn ips(category: Category, n: usize) -> Vec<Ipv4Addr> {
    let intel = intel();
    let mut all: Vec<Ipv4Addr> = maltrail(&intel)
        .net_entries()
        .filter(|(net, _, c)| *c == Some(category) && net.prefix_len() == 32)
        .filter_map(|(net, _, _)| match net.addr() {
            IpAddr::V4(a) => Some(a),
            _ => None,
        })
        .collect();
    all.sort_unstable();
    let step = (all.len() / (n * 2)).max(1);
    let out: Vec<Ipv4Addr> = all
        .into_iter()
        .step_by(step)
        .filter(|ip| {
            let mut m = Vec::new();
            intel.ip_threats(IpAddr::V4(*ip), &mut m);
            // Only the categorised list, so the expected types are exactly this category's.
            m.len() == 1 && m[0].category == Some(category)
        })
        .take(n)
        .collect();
    assert_eq!(out.len(), n, "not enough {category} addresses");
    out
}

fn scan(name: &str, input: &str) -> Vec<Finding> {
    let mut store = MemoryStore::new();
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel());
    p.scan_reader(name, &mut input.as_bytes()).unwrap();
    let (stats, _) = p.finish().unwrap();
    assert_eq!(stats.rejected, 0, "{:?}", stats.errors);
    store.list(&Query::default()).unwrap()
}

fn types(f: &[Finding]) -> Vec<&str> {
    let mut t: Vec<&str> = f.iter().map(|f| f.finding_type.as_str()).collect();
    t.sort();
    t.dedup();
    t
}

/// A default-format (v2) flow record from one instance's interface.
fn v2(eni: usize, src: &str, dst: &str, sport: u16, dport: u16, action: &str) -> String {
    format!(
        "2 111122223333 eni-0a1b2c3d4e5f6{eni:04x} {src} {dst} {sport} {dport} 6 12 4096 1780000000 1780000060 {action} OK"
    )
}

fn dns_query(name: &str, answer: &str, instance: usize, second: u32) -> String {
    json!({"version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "query_timestamp": format!("2026-06-01T12:00:{second:02}Z"), "query_name": format!("{name}."),
        "query_type": "A", "query_class": "IN", "rcode": "NOERROR",
        "answers": [{"Rdata": answer, "Type": "A", "Class": "IN"}],
        "srcaddr": "10.0.1.23", "srcport": "53344", "transport": "UDP",
        "srcids": {"instance": format!("i-0aaaaaaaaaaaa{instance:04x}")}})
    .to_string()
}

/// A public answer no list knows (an address next to a listed one, else a fixed public one).
fn unlisted_answer() -> String {
    let intel = intel();
    (1..255u8)
        .map(|i| Ipv4Addr::new(93, 184, 216, i))
        .find(|ip| !ip_listed(&intel, IpAddr::V4(*ip)))
        .unwrap()
        .to_string()
}

fn evidence(f: &Finding) -> (&str, &[String]) {
    let d = &f
        .service
        .evidence
        .as_ref()
        .unwrap()
        .threat_intelligence_details[0];
    (&d.threat_list_name, &d.threat_names)
}

// ---- flow ----

#[test]
fn c2_traffic_in_either_direction() {
    for (i, ip) in ips(Category::CommandAndControl, 4).iter().enumerate() {
        let ip = ip.to_string();
        let f = scan(
            "flow.log",
            &[
                v2(i, "10.0.1.23", &ip, 40123, 443, "ACCEPT"),
                v2(i + 100, &ip, "10.0.1.24", 51515, 4444, "ACCEPT"),
            ]
            .join("\n"),
        );
        assert_eq!(types(&f), ["Backdoor:EC2/C&CActivity.B"], "{ip}");
        assert_eq!(f.len(), 2, "one per instance: outbound and inbound");
        let (list, names) = evidence(&f[0]);
        assert_eq!(list, builtin::MALTRAIL_NAME);
        assert!(!names[0].is_empty());
        assert_eq!(f[0].severity, 8.0);
        // Near misses: the same address rejected both ways; a private peer.
        let f = scan(
            "flow.log",
            &[
                v2(i, "10.0.1.23", &ip, 40123, 443, "REJECT"),
                v2(i, &ip, "10.0.1.23", 51515, 22, "REJECT"),
                v2(i, "10.0.1.23", "10.0.9.9", 40123, 443, "ACCEPT"),
            ]
            .join("\n"),
        );
        assert!(f.is_empty(), "{ip}: {:?}", types(&f));
    }
}

#[test]
fn blackhole_and_drop_point_only_outbound() {
    for (cat, ty, sev) in [
        (Category::Sinkhole, "Trojan:EC2/BlackholeTraffic", 5.0),
        (Category::DropPoint, "Trojan:EC2/DropPoint", 5.0),
    ] {
        for (i, ip) in ips(cat, 4).iter().enumerate() {
            let ip = ip.to_string();
            let f = scan("flow.log", &v2(i, "10.0.1.23", &ip, 40123, 80, "ACCEPT"));
            assert_eq!(types(&f), [ty], "{ip}");
            assert_eq!(f[0].severity, sev);
            let nca = f[0]
                .service
                .action
                .network_connection_action
                .as_ref()
                .unwrap();
            assert_eq!(nca.connection_direction, "OUTBOUND");
            assert_eq!(evidence(&f[0]).0, builtin::MALTRAIL_NAME);
            // Near misses: inbound from the address (its scanners, not the instance's doing),
            // and the outbound attempt rejected.
            let f = scan(
                "flow.log",
                &[
                    v2(i, &ip, "10.0.1.23", 80, 40123, "ACCEPT"),
                    v2(i, "10.0.1.23", &ip, 40123, 80, "REJECT"),
                ]
                .join("\n"),
            );
            assert!(f.is_empty(), "{ip}: {:?}", types(&f));
        }
    }
}

// ---- DNS ----

#[test]
fn dns_types_by_category_with_near_misses() {
    let cases = [
        (
            Category::CommandAndControl,
            "Backdoor:EC2/C&CActivity.B!DNS",
            8.0,
        ),
        (Category::DropPoint, "Trojan:EC2/DropPoint!DNS", 5.0),
        (
            Category::Phishing,
            "Trojan:EC2/PhishingDomainRequest!DNS",
            8.0,
        ),
        (
            Category::DriveBy,
            "Trojan:EC2/DriveBySourceTraffic!DNS",
            8.0,
        ),
        (
            Category::Cryptocurrency,
            "Impact:EC2/BitcoinDomainRequest.Reputation",
            8.0,
        ),
        (
            Category::Malicious,
            "Impact:EC2/MaliciousDomainRequest.Reputation",
            8.0,
        ),
        (
            Category::Abused,
            "Impact:EC2/AbusedDomainRequest.Reputation",
            5.0,
        ),
        (
            Category::Suspicious,
            "Impact:EC2/SuspiciousDomainRequest.Reputation",
            2.0,
        ),
    ];
    let answer = unlisted_answer();
    for (cat, ty, sev) in cases {
        let picked = domains(cat, 3);
        let positives: Vec<String> = picked
            .iter()
            .enumerate()
            .map(|(i, (d, _))| {
                // A subdomain of a listed name is covered too (upper case and all).
                let name = if i == 1 {
                    format!("Cdn.{}", d.to_uppercase())
                } else {
                    d.clone()
                };
                dns_query(&name, &answer, i, i as u32)
            })
            .collect();
        let f = scan("resolver.log", &positives.join("\n"));
        assert_eq!(types(&f), [ty], "{cat}: {picked:?}");
        assert_eq!(f.len(), 3, "{cat}: one per instance");
        for x in &f {
            assert_eq!(x.severity, sev, "{ty}");
            let (list, names) = evidence(x);
            assert_eq!(list, builtin::MALTRAIL_NAME);
            assert!(!names[0].is_empty());
            let dns = x.service.action.dns_request_action.as_ref().unwrap();
            assert!(
                picked
                    .iter()
                    .any(|(d, _)| dns.domain_with_suffix.as_deref() == Some(d))
            );
        }
        // Near misses: a sibling name under the same parent; the listed name inside another
        // domain (`listed.example.com.example.net` is not under `listed.example.com`).
        let negatives: Vec<String> = picked
            .iter()
            .enumerate()
            .flat_map(|(i, (d, sibling))| {
                [
                    dns_query(sibling, &answer, i, 10 + i as u32),
                    dns_query(
                        &format!("{d}.warden-test.example.net"),
                        &answer,
                        i,
                        20 + i as u32,
                    ),
                ]
            })
            .collect();
        let f = scan("resolver.log", &negatives.join("\n"));
        assert!(f.is_empty(), "{cat}: {:?} {:?}", types(&f), picked);
    }
}

#[test]
fn blackhole_dns_from_sinkhole_answers() {
    let intel = intel();
    let sinks = ips(Category::Sinkhole, 3);
    let name = "update.warden-test.example.net";
    assert!(domain_category(&intel, name).is_none());
    let lines: Vec<String> = sinks
        .iter()
        .enumerate()
        .map(|(i, ip)| dns_query(name, &ip.to_string(), i, i as u32))
        .collect();
    let f = scan("resolver.log", &lines.join("\n"));
    assert_eq!(types(&f), ["Trojan:EC2/BlackholeTraffic!DNS"]);
    assert_eq!(f.len(), 3);
    assert_eq!(f[0].severity, 5.0);
    assert!(
        f[0].description.contains("sinkhole"),
        "{}",
        f[0].description
    );
    // Near misses: the neighbouring unlisted address; a sinkhole address in a CNAME-typed
    // answer is not an address answer; a C2 (not sinkhole) address as the answer.
    let mut lines = Vec::new();
    for (i, ip) in sinks.iter().enumerate() {
        // Sinkhole operators hold whole ranges: look a little further for an unlisted one.
        let next = (1..=1024u32)
            .map(|k| Ipv4Addr::from(u32::from(*ip).wrapping_add(k * 97)))
            .find(|n| !ip_listed(&intel, IpAddr::V4(*n)))
            .unwrap();
        lines.push(dns_query(name, &next.to_string(), i, i as u32));
        let mut cname: serde_json::Value =
            serde_json::from_str(&dns_query(name, &ip.to_string(), i, 10 + i as u32)).unwrap();
        cname["answers"][0]["Type"] = "CNAME".into();
        lines.push(cname.to_string());
    }
    let c2 = ips(Category::CommandAndControl, 1)[0];
    lines.push(dns_query(name, &c2.to_string(), 9, 30));
    let f = scan("resolver.log", &lines.join("\n"));
    assert!(f.is_empty(), "{:?}", types(&f));

    // A listed sinkhole host name resolves to the sinkhole too, whatever the answer says; its
    // unlisted sibling does not.
    let answer = unlisted_answer();
    for (i, (d, sibling)) in domains(Category::Sinkhole, 2).iter().enumerate() {
        let f = scan("resolver.log", &dns_query(d, &answer, i, 1));
        assert_eq!(types(&f), ["Trojan:EC2/BlackholeTraffic!DNS"], "{d}");
        let f = scan("resolver.log", &dns_query(sibling, &answer, i, 2));
        assert!(f.is_empty(), "{sibling}: {:?}", types(&f));
    }
}

#[test]
fn tester_domains_still_win_and_each_type_is_raised_once() {
    // The GuardDuty tester's C2 domain, with a sinkhole answer: its own type plus
    // BlackholeTraffic!DNS, once each.
    let sink = ips(Category::Sinkhole, 1)[0].to_string();
    let f = scan(
        "resolver.log",
        &dns_query("c2.guarddutyc2activityb.com", &sink, 1, 1),
    );
    assert_eq!(
        types(&f),
        [
            "Backdoor:EC2/C&CActivity.B!DNS",
            "Trojan:EC2/BlackholeTraffic!DNS"
        ]
    );
    assert_eq!(f.len(), 2);
}

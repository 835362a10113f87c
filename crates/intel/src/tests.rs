use super::load::{IntelConfig, ListSpec, LiveIntel, load};
use super::*;
use std::io::Write;

fn shared(path: &str) -> Option<Vec<u8>> {
    std::fs::read(format!(
        "{}/../../../shared/data/intel/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .ok()
}

fn builtin_intel() -> Intel {
    load(&IntelConfig::default(), None).unwrap().0
}

#[test]
fn builtin_snapshots_load_cleanly() {
    let (_, report) = load(&IntelConfig::default(), None).unwrap();
    for l in &report.lists {
        assert!(l.entries > 0, "{} is empty", l.name);
        assert!(
            l.errors.is_empty(),
            "{}: {:?}",
            l.name,
            &l.errors[..l.errors.len().min(3)]
        );
    }
    let tor = report
        .lists
        .iter()
        .find(|l| l.name == "TorExitNodes")
        .unwrap();
    assert_eq!(tor.entries, 1746);
}

#[test]
fn tor_exits_and_malicious_ips_from_real_lists() {
    let intel = builtin_intel();
    let Some(tor) = shared("tor/tor-exit-nodes.lst") else {
        return;
    };
    let tor = String::from_utf8(tor).unwrap();
    for line in tor.lines().step_by(97) {
        let ip: IpAddr = line.trim().parse().unwrap();
        let mut m = Vec::new();
        intel.ip_threats(ip, &mut m);
        assert!(
            m.iter().any(|m| m.kind == ListKind::TorExit),
            "{ip} not a Tor exit"
        );
    }
    let Some(ipsum) = shared("ipsum/ipsum.txt") else {
        return;
    };
    let ipsum = String::from_utf8(ipsum).unwrap();
    let (mut listed, mut unlisted) = (0, 0);
    for line in ipsum.lines().filter(|l| !l.starts_with('#')).step_by(211) {
        let (ip, count) = line.split_once('\t').unwrap();
        let ip: IpAddr = ip.parse().unwrap();
        let count: u32 = count.trim().parse().unwrap();
        let mut m = Vec::new();
        intel.ip_threats(ip, &mut m);
        let hit = m.iter().any(|m| m.kind == ListKind::Malicious);
        if count >= 3 {
            assert!(hit, "{ip} ({count} lists) should be malicious");
            listed += 1;
        } else if !hit {
            // Near miss: on fewer than 3 blocklists is not enough evidence.
            unlisted += 1;
        }
    }
    assert!(listed > 10 && unlisted > 10, "{listed} {unlisted}");
}

#[test]
fn aws_ranges_from_the_published_file() {
    let intel = builtin_intel();
    let Some(json) = shared("aws-ip-ranges/ip-ranges.json") else {
        return;
    };
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let p = v["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["service"] == "EC2")
        .unwrap();
    let net: ipnet::Ipv4Net = p["ip_prefix"].as_str().unwrap().parse().unwrap();
    let inside = IpAddr::V4(net.hosts().nth(1).unwrap_or(net.addr()));
    let r = intel.aws_range(inside).unwrap();
    assert!(r.services.iter().any(|s| s == "EC2"), "{r:?}");
    assert_eq!(r.region, p["region"].as_str().unwrap());
    let v6 = v["ipv6_prefixes"].as_array().unwrap()[0]["ipv6_prefix"]
        .as_str()
        .unwrap();
    let net6: ipnet::Ipv6Net = v6.parse().unwrap();
    assert!(intel.is_aws(IpAddr::V6(net6.addr())));
    assert!(!intel.is_aws("8.8.8.8".parse().unwrap()));
    assert!(!intel.is_aws("192.168.1.1".parse().unwrap()));
}

#[test]
fn domains_match_by_suffix_case_insensitively() {
    let intel = builtin_intel();
    let mut m = Vec::new();
    intel.domain_threats("C2.GuardDutyC2ActivityB.com.", &mut m);
    assert_eq!(m.len(), 1);
    assert_eq!(
        m[0].threat.as_deref(),
        Some("Backdoor:EC2/C&CActivity.B!DNS")
    );
    m.clear();
    intel.domain_threats("deep.sub.guarddutyblackholeactivity.com", &mut m);
    assert_eq!(m[0].entry, "guarddutyblackholeactivity.com");
    m.clear();
    intel.domain_threats("guarddutyblackholeactivity.com.example.org", &mut m);
    intel.domain_threats("notguarddutyblackholeactivity.com", &mut m);
    assert!(m.is_empty(), "{m:?}");
}

fn temp_list(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    p.display().to_string()
}

#[test]
fn custom_lists_ipv6_longest_prefix_and_trusted() {
    let d = tempfile::tempdir().unwrap();
    let threat = temp_list(
        d.path(),
        "bad.txt",
        "# corp list\n203.0.113.0/24\n2001:db8:bad::/48\nnot-an-ip-or-domain!!\n198.51.100.7\n",
    );
    let trusted = temp_list(d.path(), "ok.txt", "198.51.100.0/24\n");
    let config = IntelConfig {
        builtin: false,
        threat_lists: vec![ListSpec {
            name: "corp".into(),
            location: threat,
            format: Some("TXT".into()),
        }],
        trusted_lists: vec![ListSpec::from_arg(&format!("TXT:{trusted}"))],
        ..Default::default()
    };
    let (intel, report) = load(&config, None).unwrap();
    let corp = report.lists.iter().find(|l| l.name == "corp").unwrap();
    assert_eq!(corp.entries, 3);
    assert_eq!(corp.errors.len(), 1);
    assert_eq!(corp.errors[0].line, 4);
    let r = intel.lookup_ip("2001:db8:bad:1::9".parse().unwrap());
    assert_eq!(r.threats[0].entry, "2001:db8:bad::/48");
    assert_eq!(&*r.threats[0].list, "corp");
    assert!(
        intel
            .lookup_ip("2001:db8:bae::1".parse().unwrap())
            .threats
            .is_empty()
    );
    assert!(intel.is_trusted("198.51.100.7".parse().unwrap()));
    assert!(!intel.is_trusted("203.0.113.5".parse().unwrap()));
    // IPv4-mapped IPv6 is the IPv4 address.
    assert_eq!(
        intel
            .lookup_ip("::ffff:203.0.113.9".parse().unwrap())
            .threats
            .len(),
        1
    );
}

#[test]
fn reload_picks_up_changes_and_a_bad_file_keeps_the_old_list() {
    let d = tempfile::tempdir().unwrap();
    let path = temp_list(d.path(), "bad.txt", "203.0.113.1\n");
    let config = IntelConfig {
        builtin: false,
        threat_lists: vec![ListSpec {
            name: "corp".into(),
            location: path.clone(),
            format: Some("TXT".into()),
        }],
        ..Default::default()
    };
    let (live, _) = LiveIntel::load(config, None).unwrap();
    let hit = |ip: &str| !live.get().lookup_ip(ip.parse().unwrap()).threats.is_empty();
    assert!(hit("203.0.113.1"));
    assert!(
        live.refresh().unwrap().is_none(),
        "unchanged file: no reload"
    );

    std::thread::sleep(std::time::Duration::from_millis(20));
    temp_list(d.path(), "bad.txt", "203.0.113.2\n");
    bump_mtime(&path, 10);
    assert!(live.refresh().unwrap().is_some());
    assert!(hit("203.0.113.2") && !hit("203.0.113.1"));

    temp_list(d.path(), "bad.txt", "garbage line\nmore garbage\n");
    bump_mtime(&path, 20);
    let report = live.refresh().unwrap().unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("keeping the previously loaded")),
        "{:?}",
        report.warnings
    );
    assert!(hit("203.0.113.2"), "a bad file never empties a loaded list");

    std::fs::remove_file(&path).unwrap();
    live.refresh().unwrap();
    assert!(hit("203.0.113.2"), "a vanished file keeps the list too");
}

fn bump_mtime(path: &str, secs: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(secs))
        .unwrap();
}

//! The intelligence Warden ships with (see `data/builtin/README.md` for sources and licences):
//! snapshots to start from until `warden intel update` fetches fresh copies.

use std::io::Read;

/// A built-in feed: its list name in findings, what kind of list it is, where fresh copies come
/// from, and the snapshot shipped in the binary.
pub struct Feed {
    pub name: &'static str,
    pub kind: crate::ListKind,
    pub default_url: &'static str,
    snapshot_gz: &'static [u8],
}

impl Feed {
    /// The shipped snapshot, decompressed.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(self.snapshot_gz)
            .read_to_end(&mut out)
            .expect("built-in snapshots are valid gzip (checked by a test)");
        out
    }
}

/// Tor exit nodes, Warden's malicious-IP feed, crypto-mining pools, Tor relays.
pub const FEEDS: &[Feed] = &[
    Feed {
        name: "TorExitNodes",
        kind: crate::ListKind::TorExit,
        default_url: "https://check.torproject.org/torbulkexitlist",
        snapshot_gz: include_bytes!("../data/builtin/tor-exit-nodes.txt.gz"),
    },
    Feed {
        name: "TorRelays",
        kind: crate::ListKind::TorRelay,
        default_url: "https://raw.githubusercontent.com/SecOps-Institute/Tor-IP-Addresses/master/tor-nodes.lst",
        snapshot_gz: include_bytes!("../data/builtin/tor-nodes.txt.gz"),
    },
    Feed {
        name: "WardenMaliciousIPs",
        kind: crate::ListKind::Malicious,
        default_url: "https://raw.githubusercontent.com/stamparm/ipsum/master/levels/3.txt",
        snapshot_gz: include_bytes!("../data/builtin/malicious-ips.txt.gz"),
    },
    Feed {
        name: "WardenCryptoMining",
        kind: crate::ListKind::Mining,
        default_url: "https://raw.githubusercontent.com/stamparm/maltrail/master/trails/static/suspicious/crypto_mining.txt",
        snapshot_gz: include_bytes!("../data/builtin/mining.txt.gz"),
    },
];

/// The list name of the maltrail-derived categorised intelligence in findings.
pub const MALTRAIL_NAME: &str = "Maltrail";

/// Where `warden intel update` gets maltrail's trails by default (GitHub's archive of the
/// repository; `intel.feed_urls.Maltrail` may name another URL, a local tarball or a checkout).
pub const MALTRAIL_DEFAULT_URL: &str =
    "https://github.com/stamparm/maltrail/archive/refs/heads/master.tar.gz";

/// The shipped compact categorised file (gzip), made by `warden intel import-maltrail` from
/// maltrail's static trails; MIT licence, see `data/maltrail/README.md`.
pub fn maltrail_snapshot_gz() -> &'static [u8] {
    include_bytes!("../data/maltrail/maltrail.tsv.gz")
}

/// AWS's published ranges.
pub const AWS_RANGES_URL: &str = "https://ip-ranges.amazonaws.com/ip-ranges.json";

pub fn aws_ranges_snapshot() -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&include_bytes!("../data/builtin/aws-ip-ranges.json.gz")[..])
        .read_to_end(&mut out)
        .expect("built-in snapshot is valid gzip (checked by a test)");
    out
}

/// The indicator domains of AWS's GuardDuty tester, with the finding types they trigger, so
/// running that tester against Warden gives the same findings.
pub fn tester_domains() -> Vec<(&'static str, &'static str)> {
    include_str!("../data/builtin/tester-domains.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

/// The tester's domains as a threat list (threat name = the finding type they stand for).
pub fn tester_list() -> crate::ThreatList {
    let mut l = crate::ThreatList::new("GuardDutyTesterIndicators", crate::ListKind::Malicious);
    // Each domain stands for an EC2 and a Runtime type alike; name it by the EC2 one.
    for (domain, finding_type) in tester_domains()
        .into_iter()
        .filter(|(_, t)| !t.contains(":Runtime/"))
    {
        l.insert(
            &crate::Indicator::Domain(domain.to_string()),
            Some(finding_type.into()),
        );
    }
    l
}

//! Stateful detections over Route 53 Resolver query logs: what an instance's queries look like
//! together, not which list a domain is on (that is [`super::dns`]).
//!
//! Every finding is raised for the querying instance (`srcids.instance`, else the source
//! address), with a `DNS_REQUEST` action naming the query that completed the pattern:
//!
//! * **Trojan:EC2/DNSDataExfiltration** (High, 8): DNS tunnelling. Within one event-time window
//!   of [`DnsBehaviourConfig::tunnel_window_secs`] (10 minutes), one instance queries at least
//!   [`DnsBehaviourConfig::tunnel_min_names`] (30) distinct *encoded* names under one registrable
//!   domain, carrying at least [`DnsBehaviourConfig::tunnel_min_bytes`] (2,048) characters of
//!   encoded subdomain between them. A name is encoded when the part left of its registrable
//!   domain (dots not counted) has at least 20 characters, has both letters and digits, is not
//!   made of words (at most one `-`/`_` per 10 characters), and either is hexadecimal (hashes,
//!   dnscat2) or has the statistics of base32/base64 data: Shannon entropy of its characters
//!   (case-folded) of at least `min(3.5 + 0.02 (n − 20), 4.2)` bits for `n` characters — about
//!   what random base32 of that length reaches 19 times in 20 — and vowels in at most 32 % of its
//!   letters (random base32/base64 letters are 19 % vowels, English host names 35–45 %). The
//!   thresholds follow AWS's GuardDuty tester, which tunnels out with `dig` of ~900 names of
//!   60–190 base64 characters under one domain within seconds; a burst of ordinary names, a few
//!   long hashes, or high-entropy names below either volume do not fire. Repeats of a name count
//!   once (names are remembered in a 1,024-bit set per window, so the distinct count can only
//!   err low).
//!
//!   **Exempt**: names under AWS's own zones (`amazonaws.com`, `cloudfront.net`, `aws`, `on.aws`,
//!   `amazon.com`, ... see [`AWS_SUFFIXES`]), VPC-internal and reverse-lookup names (`internal`,
//!   `arpa`, `local`) and any suffix in [`DnsBehaviourConfig::exempt_suffixes`]. Tunnelling needs
//!   the attacker to run the authoritative name server of the zone the names are under; for these
//!   zones that server is AWS's or the VPC's own, so nothing encoded in their names can reach an
//!   attacker, while their names routinely carry long random-looking ids (CloudFront
//!   distributions, VPC endpoints, API ids, buckets), many distinct ones per instance.
//!
//! * **Trojan:EC2/DGADomainRequest.B** (High, 8): the classic DGA pattern. GuardDuty: "queries
//!   algorithmically generated (DGA) domains". Within [`DnsBehaviourConfig::dga_window_secs`]
//!   (10 minutes), one instance queries at least [`DnsBehaviourConfig::dga_min_names`] (5)
//!   distinct registrable domains that the DGA model ([`super::dga`]) scores at or above its
//!   threshold, and at least half of them were NXDOMAIN. Malware walks its generated list until a
//!   name resolves, so most names are unregistered; requiring that keeps the model's occasional
//!   false positive on a real, random-looking domain (which resolves) from firing alone.
//! * **Trojan:EC2/DGADomainRequest.C!DNS** (High, 8): GuardDuty's "higher-confidence variant".
//!   Warden reserves it for the strongest evidence it has: the `.B` pattern holds in the window
//!   *and* one of its DGA-scored names resolved (NOERROR with an answer), i.e. the walk found the
//!   domain its operator registered. It fires on that resolved query (malware keeps querying the
//!   domain it found, so a resolution that preceded the NXDOMAINs is caught on its next query).
//!   Both DGA types need a model: [`DnsBehaviourDetector::new`] takes
//!   `Option<Arc<DgaModel>>` and without one (no `[detection] dga_model` configured) they are
//!   off. No model ships with Warden; see [`super::dga`] for why and `warden dga train` for how to
//!   make one. Limit: DGA domains that are sinkholed resolve, so fall short of "half NXDOMAIN".
//!   The tester's indicator domain for `.C!DNS` is a threat-list match, raised by
//!   [`super::dns`].
//!
//! * **UnauthorizedAccess:EC2/MetadataDNSRebind** (High, 8): the instance resolves a name whose
//!   answer (A or AAAA, also behind a CNAME chain, also IPv4-mapped) is the instance metadata
//!   service address `169.254.169.254` or `fd00:ec2::254`: a DNS-rebinding attempt to make
//!   software on the instance fetch its credentials for an attacker. AWS's own internal names
//!   (`*.internal`, `instance-data`) that legitimately point there are exempt; the Amazon DNS
//!   server address `169.254.169.253` and ordinary addresses do not match.
//!
//! State: tunnel windows per (instance, registrable domain) and DGA windows per instance, each in
//! a [`BoundedWindows`] table of at most the configured capacity, least recently active key
//! evicted first, by event time. Only names that look encoded (or DGA-scored) create state, so
//! ordinary traffic costs a few comparisons and no allocation.

use super::dga::{DgaModel, registrable_domain};
use super::window::{BoundedWindows, fingerprint};
use crate::decode::dns::DnsQuery;
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use warden_model::finding::{Action, DnsRequestAction, Evidence, InstanceDetails, Resource};
use warden_model::{Signal, catalogue};

/// Thresholds and state bounds of the stateful DNS detections (`[detection.dns_behaviour]`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DnsBehaviourConfig {
    /// Most (instance, registrable domain) tunnel windows kept at once; beyond it the least
    /// recently active is evicted. About 200 bytes each.
    pub tunnel_capacity: usize,
    /// Length of a tunnel window in event-time seconds.
    pub tunnel_window_secs: u32,
    /// Distinct encoded names under one domain needed in a window (counted reliably up to a few
    /// hundred).
    pub tunnel_min_names: u32,
    /// Characters of encoded subdomain, over those distinct names, needed in a window.
    pub tunnel_min_bytes: u64,
    /// Further zones exempt from tunnelling detection (a name equal to or under one), in addition
    /// to AWS's own zones: for example a security product that looks file hashes up over DNS.
    pub exempt_suffixes: Vec<String>,
    /// Most instances with a DGA window kept at once; least recently active evicted beyond it.
    pub dga_capacity: usize,
    /// Length of a DGA window in event-time seconds.
    pub dga_window_secs: u32,
    /// Distinct DGA-scored registrable domains needed in a window (at most 256 are told apart).
    pub dga_min_names: u32,
}

impl Default for DnsBehaviourConfig {
    fn default() -> Self {
        DnsBehaviourConfig {
            tunnel_capacity: 50_000,
            tunnel_window_secs: 600,
            tunnel_min_names: 30,
            tunnel_min_bytes: 2048,
            exempt_suffixes: Vec::new(),
            dga_capacity: 50_000,
            dga_window_secs: 600,
            dga_min_names: 5,
        }
    }
}

/// Zones whose authoritative servers are AWS's (or the VPC's): exempt from tunnelling and DGA
/// detection (see the module documentation).
pub const AWS_SUFFIXES: &[&str] = &[
    "amazonaws.com",
    "amazonaws.com.cn",
    "aws",
    "on.aws",
    "api.aws",
    "cloudfront.net",
    "amazon.com",
    "amazontrust.com",
    "awsstatic.com",
    "awsapps.com",
    "amazoncognito.com",
    "amplifyapp.com",
    "elasticbeanstalk.com",
    "a2z.com",
    "internal",
    "arpa",
    "local",
    "localhost",
];

/// Shortest subdomain (characters, dots excluded) that can count as encoded data.
const MIN_ENCODED_CHARS: usize = 20;
/// Longest subdomain analysed; DNS names are at most 253 characters, longer is malformed.
const MAX_NAME: usize = 1024;
/// Bits in the per-window set of names already counted.
const TUNNEL_NAME_BITS: u64 = 1024;
const DGA_NAME_BITS: u64 = 256;

/// What the subdomain of one name carries, when it looks like encoded data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncodedPayload {
    /// Characters of the subdomain, dots excluded.
    pub chars: u32,
    /// Shannon entropy of its (case-folded) characters, in bits.
    pub entropy: f64,
}

/// The subdomain `sub` (the part of a name left of its registrable domain) as encoded data, or
/// `None` when it does not look like any (see the module documentation for the rule).
pub fn encoded_payload(sub: &str) -> Option<EncodedPayload> {
    if sub.len() < MIN_ENCODED_CHARS || sub.len() > MAX_NAME {
        return None;
    }
    let mut counts = [0u16; 256];
    let (mut n, mut digits, mut letters, mut vowels, mut separators) = (0usize, 0, 0, 0, 0);
    let mut hex = true;
    for b in sub.bytes() {
        if b == b'.' {
            continue;
        }
        let b = b.to_ascii_lowercase();
        n += 1;
        counts[usize::from(b)] += 1;
        match b {
            b'0'..=b'9' => digits += 1,
            b'a'..=b'z' => {
                letters += 1;
                vowels += usize::from(matches!(b, b'a' | b'e' | b'i' | b'o' | b'u'));
                hex &= b <= b'f';
            }
            b'-' | b'_' => {
                separators += 1;
                hex = false;
            }
            _ => hex = false,
        }
    }
    if n < MIN_ENCODED_CHARS || digits == 0 || letters == 0 || separators * 10 > n {
        return None;
    }
    let nf = n as f64;
    let entropy = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / nf;
            -p * p.log2()
        })
        .sum::<f64>();
    let random_like = if hex {
        // Hex has 16 symbols: even random hex of 20 characters rarely passes 3.3 bits.
        entropy >= 3.0
    } else {
        let floor = (3.5 + 0.02 * (nf - MIN_ENCODED_CHARS as f64)).min(4.2);
        entropy >= floor && vowels * 100 <= letters * 32
    };
    random_like.then_some(EncodedPayload {
        chars: n as u32,
        entropy,
    })
}

/// Whether `name` is `suffix` or a name under it (ASCII case-insensitive).
fn is_under(name: &str, suffix: &str) -> bool {
    let (n, s) = (name.as_bytes(), suffix.as_bytes());
    if s.is_empty() || n.len() < s.len() || !n[n.len() - s.len()..].eq_ignore_ascii_case(s) {
        return false;
    }
    n.len() == s.len() || n[n.len() - s.len() - 1] == b'.'
}

/// Per-window state of one (instance, domain) tunnel key.
#[derive(Clone)]
struct TunnelWindow {
    /// Which names were already counted (a bit per name hash).
    seen: [u64; (TUNNEL_NAME_BITS / 64) as usize],
    names: u32,
    chars: u64,
}

impl Default for TunnelWindow {
    fn default() -> Self {
        TunnelWindow {
            seen: [0; (TUNNEL_NAME_BITS / 64) as usize],
            names: 0,
            chars: 0,
        }
    }
}

/// Per-window state of one instance's DGA-scored queries.
#[derive(Clone, Default)]
struct DgaWindow {
    seen: [u64; (DGA_NAME_BITS / 64) as usize],
    names: u32,
    nxdomain: u32,
    confirmed_fired: bool,
}

/// Set the bit for `hash` in `set`; whether it was clear before.
fn insert_bit(set: &mut [u64], hash: u64) -> bool {
    let bits = set.len() as u64 * 64;
    // Fold the high bits in: the low bits of one hash alone are what an attacker would steer.
    let bit = (hash ^ (hash >> 29) ^ (hash >> 47)) % bits;
    let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
    let fresh = set[word] & mask == 0;
    set[word] |= mask;
    fresh
}

/// The instance metadata service addresses.
const IMDS_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
const IMDS_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

fn is_imds(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4 == IMDS_V4,
        IpAddr::V6(v6) => v6 == IMDS_V6 || v6.to_ipv4_mapped() == Some(IMDS_V4),
    }
}

/// What one DNS finding says, beyond what the query gives (this module's and [`super::dns`]'s).
pub(super) struct DnsFinding {
    pub finding_type: &'static str,
    pub actor_key: String,
    /// The listed or registrable domain the query fell under (none when an answer matched).
    pub domain_with_suffix: Option<String>,
    pub event_id: String,
    pub title: String,
    pub reason: String,
    pub evidence: Option<Evidence>,
}

/// Who sent the query, in words: the instance, else the source address.
pub(super) fn querier(q: &DnsQuery<'_>) -> String {
    match (q.instance_id(), q.srcaddr.as_deref()) {
        (Some(i), _) => i.to_string(),
        (None, Some(s)) if !s.is_empty() => s.to_string(),
        _ => "an unknown source".into(),
    }
}

/// The signal for query `q`: the querying instance as resource, a DNS_REQUEST action.
pub(super) fn dns_signal(q: &DnsQuery<'_>, name: &str, time: i64, f: DnsFinding) -> Signal {
    let instance = q.instance_id().map(str::to_string);
    let src = q.srcaddr.as_deref().unwrap_or("");
    let who = querier(q);
    let account = q.account_id.as_deref().unwrap_or("").to_string();
    Signal {
        finding_type: f.finding_type,
        severity: catalogue()
            .get(f.finding_type)
            .and_then(|t| t.severity)
            .unwrap_or(8.0),
        rule: None,
        account_id: account.clone(),
        region: q.region.as_deref().unwrap_or("").to_string(),
        resource: Resource {
            resource_type: "Instance".into(),
            instance_details: Some(InstanceDetails {
                instance_id: instance.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        resource_key: format!("instance:{}", instance.as_deref().unwrap_or(src)),
        actor_key: f.actor_key,
        action: Action {
            action_type: "DNS_REQUEST".into(),
            aws_api_call_action: None,
            dns_request_action: Some(DnsRequestAction {
                domain: name.to_string(),
                protocol: q.transport.as_deref().map(str::to_string),
                blocked: q
                    .firewall_rule_action
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case("BLOCK")),
                domain_with_suffix: f.domain_with_suffix,
                vpc_owner_account_id: (!account.is_empty()).then(|| account.clone()),
            }),
            network_connection_action: None,
            port_probe_action: None,
            ..Default::default()
        },
        resource_role: "ACTOR",
        evidence: f.evidence,
        event_id: Some(f.event_id),
        event_time: time,
        title: f.title,
        description: format!(
            "{who} in VPC {} queried {name} ({}). Why: {}.",
            q.vpc_id.as_deref().unwrap_or("?"),
            q.query_type.as_deref().unwrap_or("?"),
            f.reason
        ),
        reasons: vec![f.reason],
    }
}

/// The identity of one query, as [`super::dns`] builds it: re-reading the same log line gives
/// the same event id, so it is not counted twice.
pub(super) fn query_event_id(q: &DnsQuery<'_>, name: &str) -> String {
    format!(
        "dns:{}:{}:{}:{}:{}",
        q.query_timestamp,
        q.srcaddr.as_deref().unwrap_or(""),
        q.srcport.unwrap_or(0),
        name,
        q.query_type.as_deref().unwrap_or("")
    )
}

/// DNS tunnelling, DGA and metadata-rebinding detections (see the module documentation).
pub struct DnsBehaviourDetector {
    tunnel_min_names: u32,
    tunnel_min_bytes: u64,
    exempt: Vec<String>,
    /// Per (instance, registrable domain): encoded names seen in the window.
    tunnels: BoundedWindows<(u64, u64), TunnelWindow>,
    dga: Option<Arc<DgaModel>>,
    dga_min_names: u32,
    /// Per instance: DGA-scored registrable domains seen in the window.
    dga_windows: BoundedWindows<u64, DgaWindow>,
    /// Hashes query names and domains (attacker-chosen) with a per-run random seed.
    names: foldhash::fast::RandomState,
}

impl DnsBehaviourDetector {
    /// Detections with `config`'s thresholds; the DGA types only when `dga` holds a model.
    pub fn new(config: &DnsBehaviourConfig, dga: Option<Arc<DgaModel>>) -> Self {
        let secs = |s: u32| i64::from(s.max(1)) * 1000;
        DnsBehaviourDetector {
            tunnel_min_names: config.tunnel_min_names.max(1),
            tunnel_min_bytes: config.tunnel_min_bytes,
            exempt: config
                .exempt_suffixes
                .iter()
                .map(|s| s.trim().trim_matches('.').to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            tunnels: BoundedWindows::with_payload(
                config.tunnel_capacity,
                secs(config.tunnel_window_secs),
            ),
            dga,
            dga_min_names: config.dga_min_names.max(1),
            dga_windows: BoundedWindows::with_payload(
                config.dga_capacity,
                secs(config.dga_window_secs),
            ),
            names: foldhash::fast::RandomState::default(),
        }
    }

    /// Keys held: (tunnel windows, DGA windows).
    pub fn state_len(&self) -> (usize, usize) {
        (self.tunnels.len(), self.dga_windows.len())
    }

    /// Keys dropped to stay within capacity: (tunnel windows, DGA windows).
    pub fn evicted(&self) -> (u64, u64) {
        (self.tunnels.evicted(), self.dga_windows.evicted())
    }

    /// Whether the DGA types are on (a model was given).
    pub fn dga_enabled(&self) -> bool {
        self.dga.is_some()
    }

    /// A seeded, case-insensitive hash of `s`, without allocating.
    fn hash_lower(&self, s: &str) -> u64 {
        let mut h = self.names.build_hasher();
        let mut buf = [0u8; 64];
        for chunk in s.as_bytes().chunks(buf.len()) {
            let out = &mut buf[..chunk.len()];
            out.copy_from_slice(chunk);
            out.make_ascii_lowercase();
            h.write(out);
        }
        h.finish()
    }

    fn exempt(&self, name: &str) -> bool {
        AWS_SUFFIXES.iter().any(|s| is_under(name, s))
            || self.exempt.iter().any(|s| is_under(name, s))
    }

    /// Look at one query (event time `time`, ms); push any signals.
    pub fn detect(&mut self, q: &DnsQuery<'_>, time: i64, out: &mut Vec<Signal>) {
        let name = q.query_name().trim().trim_end_matches('.');
        if name.is_empty() {
            return;
        }
        self.rebind(q, name, time, out);
        if !name.contains('.') || self.exempt(name) {
            return;
        }
        let domain = registrable_domain(name);
        let who = q
            .instance_id()
            .or(q.srcaddr.as_deref())
            .unwrap_or("unknown");
        let who_key = fingerprint(who);
        if let Some(sub) = name.strip_suffix(domain).and_then(|s| s.strip_suffix('.')) {
            self.tunnel(q, name, domain, sub, who_key, time, out);
        }
        self.dga(q, name, domain, who_key, time, out);
    }

    #[allow(clippy::too_many_arguments)]
    fn tunnel(
        &mut self,
        q: &DnsQuery<'_>,
        name: &str,
        domain: &str,
        sub: &str,
        who_key: u64,
        time: i64,
        out: &mut Vec<Signal>,
    ) {
        let Some(payload) = encoded_payload(sub) else {
            return;
        };
        let name_hash = self.hash_lower(sub);
        let key = (who_key, self.hash_lower(domain));
        let (min_names, min_bytes) = (self.tunnel_min_names, self.tunnel_min_bytes);
        let crossed = self.tunnels.update(key, time, 1, |w, t| {
            if insert_bit(&mut t.seen, name_hash) {
                t.names += 1;
                t.chars += u64::from(payload.chars);
            }
            if !w.fired && t.names >= min_names && t.chars >= min_bytes {
                w.fired = true;
                return Some((t.names, t.chars, w.first_ms, w.count));
            }
            None
        });
        let Some((names, chars, first_ms, queries)) = crossed else {
            return;
        };
        let who = querier(q);
        let domain_lc = domain.to_ascii_lowercase();
        let secs = (time - first_ms).max(0) / 1000;
        let reason = format!(
            "{who} queried {names} distinct encoded-looking names under {domain_lc} ({queries} \
             queries, {chars} characters of encoded subdomain) within {secs} s; the last one's \
             subdomain has {} characters at {:.2} bits of entropy per character",
            payload.chars, payload.entropy
        );
        out.push(dns_signal(
            q,
            name,
            time,
            DnsFinding {
                finding_type: "Trojan:EC2/DNSDataExfiltration",
                actor_key: domain_lc.clone(),
                domain_with_suffix: Some(domain_lc.clone()),
                event_id: format!("dnsexfil:{who}:{domain_lc}:{first_ms}"),
                title: format!(
                    "{who} is querying domain names that look like data being sent out through \
                     DNS to {domain_lc}."
                ),
                reason,
                evidence: None,
            },
        ));
    }

    fn dga(
        &mut self,
        q: &DnsQuery<'_>,
        name: &str,
        domain: &str,
        who_key: u64,
        time: i64,
        out: &mut Vec<Signal>,
    ) {
        let Some(model) = self.dga.as_deref() else {
            return;
        };
        let score = model.score(domain);
        if score < model.threshold() {
            return;
        }
        let rcode = q.rcode.as_deref().unwrap_or("");
        let nxdomain = rcode.eq_ignore_ascii_case("NXDOMAIN");
        let resolved = rcode.eq_ignore_ascii_case("NOERROR") && !q.answers.is_empty();
        let domain_hash = self.hash_lower(domain);
        let min_names = self.dga_min_names;
        // (.B crossed, .C!DNS crossed, names, NXDOMAINs, window start)
        let (pattern, confirmed, names, nx, first_ms) =
            self.dga_windows.update(who_key, time, 1, |w, d| {
                if insert_bit(&mut d.seen, domain_hash) {
                    d.names += 1;
                    d.nxdomain += u32::from(nxdomain);
                }
                let holds = d.names >= min_names && d.nxdomain * 2 >= d.names;
                let pattern = holds && !w.fired;
                w.fired |= pattern;
                let confirmed = holds && resolved && !d.confirmed_fired;
                d.confirmed_fired |= confirmed;
                (pattern, confirmed, d.names, d.nxdomain, w.first_ms)
            });
        if !pattern && !confirmed {
            return;
        }
        let who = querier(q);
        let domain_lc = domain.to_ascii_lowercase();
        let secs = (time - first_ms).max(0) / 1000;
        let pattern_words = format!(
            "{who} queried {names} distinct domains the DGA model scores as generated within \
             {secs} s, {nx} of them NXDOMAIN"
        );
        if pattern {
            let reason = format!(
                "{pattern_words}; the last, {domain_lc}, scores {score:.3} (threshold {:.3})",
                model.threshold()
            );
            out.push(dns_signal(
                q,
                name,
                time,
                DnsFinding {
                    finding_type: "Trojan:EC2/DGADomainRequest.B",
                    actor_key: "dga".into(),
                    domain_with_suffix: Some(domain_lc.clone()),
                    event_id: format!("dga:{who}:{first_ms}"),
                    title: format!(
                        "{who} is querying algorithmically generated domains ({names} within \
                         {secs} s, most of them unregistered)."
                    ),
                    reason,
                    evidence: None,
                },
            ));
        }
        if confirmed {
            let reason = format!(
                "{pattern_words}; {domain_lc} (score {score:.3}, threshold {:.3}) resolved",
                model.threshold()
            );
            out.push(dns_signal(
                q,
                name,
                time,
                DnsFinding {
                    finding_type: "Trojan:EC2/DGADomainRequest.C!DNS",
                    actor_key: domain_lc.clone(),
                    domain_with_suffix: Some(domain_lc.clone()),
                    event_id: query_event_id(q, name),
                    title: format!(
                        "{who} resolved {domain_lc}, an algorithmically generated domain, amid \
                         a run of generated-domain lookups."
                    ),
                    reason,
                    evidence: None,
                },
            ));
        }
    }

    fn rebind(&mut self, q: &DnsQuery<'_>, name: &str, time: i64, out: &mut Vec<Signal>) {
        if q.answers.is_empty()
            || is_under(name, "internal")
            || name.eq_ignore_ascii_case("instance-data")
        {
            return;
        }
        let Some(answer) = q.answers.iter().find(|a| {
            let address_type = a
                .rtype
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case("A") || t.eq_ignore_ascii_case("AAAA"));
            address_type && a.rdata.trim().parse::<IpAddr>().is_ok_and(is_imds)
        }) else {
            return;
        };
        let who = querier(q);
        let name_lc = name.to_ascii_lowercase();
        let address = answer.rdata.trim();
        out.push(dns_signal(
            q,
            name,
            time,
            DnsFinding {
                finding_type: "UnauthorizedAccess:EC2/MetadataDNSRebind",
                actor_key: name_lc.clone(),
                domain_with_suffix: Some(registrable_domain(&name_lc).to_string()),
                event_id: query_event_id(q, name),
                title: format!(
                    "{who} resolved {name_lc}, which answers with the instance metadata address \
                     {address}."
                ),
                reason: format!(
                    "{name_lc} resolved to {address}, the EC2 instance metadata service: a DNS \
                     rebinding attempt to reach instance credentials"
                ),
                evidence: None,
            },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_match_on_label_boundaries() {
        assert!(is_under("d111111abcdef8.cloudfront.net", "cloudfront.net"));
        assert!(is_under("CLOUDFRONT.NET", "cloudfront.net"));
        assert!(!is_under("evilcloudfront.net", "cloudfront.net"));
        assert!(!is_under("net", "cloudfront.net"));
        assert!(!is_under("example.com", ""));
        assert!(is_under("ip-10-0-0-1.ec2.internal", "internal"));
    }

    /// The tester's tunnel names are encoded; host names made of words, hyphenated or not, and
    /// short ids are not.
    #[test]
    fn encoded_payload_separates_data_from_words() {
        let encoded = [
            // Shaped like the GuardDuty tester's base64 labels (not copied from it).
            "0q7b1KpZx93LmWf2aQ4rTz8YvN6cH0sDj5GeUo1iBxk7PnR3wVt9LmA2qZs8Df.h4Yk2Jx9QmT7vB3nRz6Pw1cL8sGd",
            // base32 (iodine-style), hex (dnscat2-style), a hex hash.
            "mfzwizltebqw4zbamnuw4zltfzzxg2dbnzsxg3dfebzxk2dfob.rgk4tbmrxxe",
            "6ab1020000e2c7d3a1f04b9e8c77d2a0155e1a2b3c4d5e6f708192a3b4c5d6e7f",
            "5d41402abc4b2a76b9719d911017c592",
        ];
        for s in encoded {
            assert!(encoded_payload(s).is_some(), "{s}");
        }
        let words = [
            "production-database-replica-eu-west-1",
            "kubernetes-dashboard-ingress-controller",
            "consul-server-0.consul-server.default.svc",
            "ip-10-0-1-23.us-west-2",
            "backup01.storage02.datacenter3.region4",
            "elasticsearch7-logging-cluster-node12",
            "uk-london-office-vpn-gateway3",
            "_acme-challenge.www",
            "www",
            "deadbeefcafebabefacade",
            "a1b2c3d4e5f6",
            "",
        ];
        for s in words {
            assert!(encoded_payload(s).is_none(), "{s}");
        }
    }

    #[test]
    fn imds_addresses() {
        for a in ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254"] {
            assert!(is_imds(a.parse().unwrap()), "{a}");
        }
        for a in [
            "169.254.169.253",
            "169.254.170.2",
            "10.0.0.2",
            "fd00:ec2::253",
        ] {
            assert!(!is_imds(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn bit_sets_count_each_hash_once() {
        let mut set = [0u64; 4];
        assert!(insert_bit(&mut set, 12345));
        assert!(!insert_bit(&mut set, 12345));
        assert!(insert_bit(&mut set, 12346));
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "é".repeat(30),
            "\u{0}".repeat(40),
            "a.".repeat(600),
            "-".repeat(25),
            "x".repeat(2000),
        ] {
            let _ = encoded_payload(&s);
        }
    }
}

//! Learned per-instance network baselines over VPC Flow Logs: what an instance usually does on
//! the network, learned in event time, and the outbound traffic that departs from it.
//!
//! Every finding here looks at an accepted, outbound flow from one of your network interfaces
//! (a private address, or the side `flow-direction` names) to a public remote address, and needs a
//! *mature* baseline: the instance has been seen for at least
//! [`BaselineConfig::learning_period_secs`] of event time and has made at least
//! [`BaselineConfig::min_learning_connections`] outbound connections. Until then it only learns.
//! A novelty that fires joins the baseline, so each fires once per instance.
//!
//! * **Behavior:EC2/NetworkPortUnusual** (Medium, 5): the instance opens a connection to a remote
//!   (port, protocol), TCP or UDP, that its baseline does not hold. Replies are not connections:
//!   an outbound flow from a local port below 32,768 (below every OS's ephemeral range) to a
//!   remote port of 1,024 or more is the instance answering a client, and is not judged. A
//!   connection from an ephemeral port to a high remote port (say 40000 → 50050) *is* judged:
//!   command-and-control on high ports is what this finding is for. Ports 53 and 853 are judged by
//!   the resolver findings below instead. An instance whose baseline outgrows
//!   [`BaselineConfig::max_ports`] distinct ports is *port-diverse* (a proxy, crawler or scanner)
//!   and no longer raises this type.
//! * **Behavior:EC2/TrafficVolumeUnusual** (Medium, 5): the bytes the instance sends to one remote
//!   host within one clock hour of event time exceed
//!   max([`BaselineConfig::volume_factor`] × baseline, [`BaselineConfig::volume_floor_bytes`]).
//!   The baseline is the largest hourly volume the instance sent to any single remote host in
//!   past hours, decaying by half every [`BaselineConfig::volume_half_life_secs`]: "an order of
//!   magnitude more than it has ever sent to one host", and never for less than the floor.
//!   Fires once per (instance, remote host, hour). Records older than a remote's current hour
//!   (late arrivals) do not count toward its volume.
//! * **DefenseEvasion:EC2/UnusualDNSResolver** (Medium, 5): DNS (port 53, UDP or TCP) to a
//!   public resolver the baseline does not hold. The VPC resolver (the VPC's `.2` address,
//!   169.254.169.253) is private and never judged. Resolvers of one public service (Google's
//!   8.8.8.8 and 8.8.4.4, say) count as one; others by address. An instance that talks DNS to
//!   more than [`BaselineConfig::max_resolvers`] resolvers (it runs a recursive resolver) is
//!   *resolver-diverse* and no longer raises this type.
//! * **DefenseEvasion:EC2/UnusualDoHActivity** (Medium, 5): HTTPS (443, TCP or UDP for HTTP/3) to
//!   an address of a well-known public DNS-over-HTTPS service ([`public_resolver`]) whose service
//!   the baseline does not hold: DNS that bypasses Route 53 Resolver query logging.
//! * **DefenseEvasion:EC2/UnusualDoTActivity** (Medium, 5): DNS over TLS (853/TCP) to a resolver
//!   the baseline does not hold (one service counts as one, as for DNS); resolver-diverse
//!   instances as above.
//!
//! Near misses: the same novelty during the learning period; a port, resolver or service already
//! in the baseline; a rejected flow; a reply from a service port; volume just under the
//! threshold; HTTPS to an address that is not a DoH service.
//!
//! State is bounded: at most [`BaselineConfig::max_instances`] instance baselines, evicting the
//! least recently active instance when full (it relearns from scratch if it comes back, and
//! nothing fires while it does), and at most [`BaselineConfig::max_volume_counters`]
//! (instance, remote host) hourly byte counters in a fixed array, where a new counter replaces
//! one of an earlier hour first, else the one with the fewest bytes in its set of four (a flood
//! of small one-off flows cannot push out a host receiving a lot; an evicted counter restarts
//! at zero). Per instance, the port and resolver sets are capped as
//! described, so one instance never holds more than about 2.5 KiB (50,000 instances: at most
//! about 125 MB, typically a small fraction of it).

use super::flow::{FlowFinding, Oriented, connection_action, flow_signal, local_name, orient};
use super::window::fingerprint;
use crate::decode::flow::{FlowAction, FlowRecord, LogStatus};
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::OnceLock;
use warden_model::time::format_timestamp;
use warden_model::{Signal, catalogue};

/// What was unusual: one per finding type of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unusual {
    Port,
    Volume,
    DnsResolver,
    DoH,
    DoT,
}

impl Unusual {
    const ALL: [Unusual; 5] = [
        Unusual::Port,
        Unusual::Volume,
        Unusual::DnsResolver,
        Unusual::DoH,
        Unusual::DoT,
    ];

    fn finding_type(self) -> &'static str {
        match self {
            Unusual::Port => "Behavior:EC2/NetworkPortUnusual",
            Unusual::Volume => "Behavior:EC2/TrafficVolumeUnusual",
            Unusual::DnsResolver => "DefenseEvasion:EC2/UnusualDNSResolver",
            Unusual::DoH => "DefenseEvasion:EC2/UnusualDoHActivity",
            Unusual::DoT => "DefenseEvasion:EC2/UnusualDoTActivity",
        }
    }
}

/// The lowest port of any common OS's ephemeral (client) range: Linux uses 32768–60999, Windows
/// and the IANA range 49152–65535.
const EPHEMERAL_FLOOR: u16 = 32_768;
const HOUR_MS: i64 = 3_600_000;

/// How baselines learn and when traffic is unusual (`[detection.baseline]` in the config file).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BaselineConfig {
    /// Event time an instance only learns for, counted from its first accepted outbound record,
    /// in seconds
    /// (default 86,400: one day covers daily jobs such as backups and updates).
    pub learning_period_secs: u64,
    /// Outbound connections an instance must have made before its baseline can call anything
    /// unusual (default 100), so an instance seen only twice a day apart is not "mature".
    pub min_learning_connections: u64,
    /// Distinct remote (port, protocol) pairs kept per instance (default 256). An instance that
    /// needs more is port-diverse and no longer raises Behavior:EC2/NetworkPortUnusual.
    pub max_ports: usize,
    /// Distinct public DNS resolvers kept per instance, and separately DNS-over-TLS resolvers
    /// (default 32). An instance that talks to more is resolver-diverse (it resolves recursively
    /// itself) and no longer raises UnusualDNSResolver / UnusualDoTActivity.
    pub max_resolvers: usize,
    /// Instance baselines kept (default 50,000); the least recently active is evicted first and
    /// relearns if it comes back.
    pub max_instances: usize,
    /// (instance, remote host) hourly byte counters kept (default 65,536: 2 MiB, small enough to
    /// stay in cache). A new host replaces the counter of an earlier hour, else the one with the
    /// fewest bytes among four, so heavy senders keep their counters even when far more hosts
    /// than this are active in an hour.
    pub max_volume_counters: usize,
    /// How many times its baseline an instance must send to one host in an hour for
    /// Behavior:EC2/TrafficVolumeUnusual (default 10: an order of magnitude).
    pub volume_factor: f64,
    /// Bytes to one host in one hour below which volume is never unusual, whatever the baseline
    /// (default 1 GiB, about 2.4 Mbit/s sustained: below it a flow log cannot tell an upload or a
    /// database dump from exfiltration, and a near-empty baseline would make every download of
    /// a few megabytes "ten times more").
    pub volume_floor_bytes: u64,
    /// Half-life of the volume baseline, in seconds of event time (default 7 days), so that one
    /// bulk transfer long ago does not mask everything after it.
    pub volume_half_life_secs: u64,
}

impl Default for BaselineConfig {
    fn default() -> Self {
        BaselineConfig {
            learning_period_secs: 24 * 3600,
            min_learning_connections: 100,
            max_ports: 256,
            max_resolvers: 32,
            max_instances: 50_000,
            max_volume_counters: 65_536,
            volume_factor: 10.0,
            volume_floor_bytes: 1 << 30,
            volume_half_life_secs: 7 * 24 * 3600,
        }
    }
}

/// Well-known public DNS resolvers and the DNS-over-HTTPS endpoints of the same services, from
/// each provider's own setup page (Cloudflare 1.1.1.1 and cloudflare-dns.com, Google Public DNS,
/// Quad9, Cisco OpenDNS and doh.opendns.com, AdGuard DNS, NextDNS, CleanBrowsing, Mullvad DNS,
/// Control D, DNS.SB, AliDNS, DNSPod/DoH.pub, Yandex DNS) as gathered in Wikipedia's "Public
/// recursive name server" table. Not exhaustive: it names the services malware and privacy tools
/// default to. Addresses are CIDR prefixes; a service may have several rows.
const PUBLIC_RESOLVERS: &[(&str, &str)] = &[
    ("Cloudflare", "1.1.1.1/32"),
    ("Cloudflare", "1.0.0.1/32"),
    ("Cloudflare", "1.1.1.2/32"),
    ("Cloudflare", "1.0.0.2/32"),
    ("Cloudflare", "1.1.1.3/32"),
    ("Cloudflare", "1.0.0.3/32"),
    ("Cloudflare", "104.16.248.249/32"),
    ("Cloudflare", "104.16.249.249/32"),
    ("Cloudflare", "2606:4700:4700::1111/128"),
    ("Cloudflare", "2606:4700:4700::1001/128"),
    ("Cloudflare", "2606:4700:4700::1112/128"),
    ("Cloudflare", "2606:4700:4700::1002/128"),
    ("Cloudflare", "2606:4700:4700::1113/128"),
    ("Cloudflare", "2606:4700:4700::1003/128"),
    ("Google Public DNS", "8.8.8.8/32"),
    ("Google Public DNS", "8.8.4.4/32"),
    ("Google Public DNS", "2001:4860:4860::8888/128"),
    ("Google Public DNS", "2001:4860:4860::8844/128"),
    ("Quad9", "9.9.9.9/32"),
    ("Quad9", "9.9.9.10/32"),
    ("Quad9", "9.9.9.11/32"),
    ("Quad9", "149.112.112.112/32"),
    ("Quad9", "149.112.112.10/32"),
    ("Quad9", "149.112.112.11/32"),
    ("Quad9", "2620:fe::fe/128"),
    ("Quad9", "2620:fe::9/128"),
    ("Quad9", "2620:fe::10/128"),
    ("Quad9", "2620:fe::fe:10/128"),
    ("Quad9", "2620:fe::11/128"),
    ("Quad9", "2620:fe::fe:11/128"),
    ("OpenDNS", "208.67.222.222/32"),
    ("OpenDNS", "208.67.220.220/32"),
    ("OpenDNS", "208.67.222.123/32"),
    ("OpenDNS", "208.67.220.123/32"),
    ("OpenDNS", "146.112.41.2/32"),
    ("OpenDNS", "2620:119:35::35/128"),
    ("OpenDNS", "2620:119:53::53/128"),
    ("OpenDNS", "2620:119:fc::2/128"),
    ("AdGuard DNS", "94.140.14.14/32"),
    ("AdGuard DNS", "94.140.15.15/32"),
    ("AdGuard DNS", "94.140.14.15/32"),
    ("AdGuard DNS", "94.140.15.16/32"),
    ("AdGuard DNS", "94.140.14.140/32"),
    ("AdGuard DNS", "94.140.14.141/32"),
    ("AdGuard DNS", "2a10:50c0::ad1:ff/128"),
    ("AdGuard DNS", "2a10:50c0::ad2:ff/128"),
    ("AdGuard DNS", "2a10:50c0::bad1:ff/128"),
    ("AdGuard DNS", "2a10:50c0::bad2:ff/128"),
    ("AdGuard DNS", "2a10:50c0::1:ff/128"),
    ("AdGuard DNS", "2a10:50c0::2:ff/128"),
    // NextDNS answers on per-configuration addresses inside these anycast prefixes.
    ("NextDNS", "45.90.28.0/24"),
    ("NextDNS", "45.90.30.0/24"),
    ("NextDNS", "2a07:a8c0::/32"),
    ("NextDNS", "2a07:a8c1::/32"),
    ("CleanBrowsing", "185.228.168.9/32"),
    ("CleanBrowsing", "185.228.169.9/32"),
    ("CleanBrowsing", "185.228.168.10/32"),
    ("CleanBrowsing", "185.228.169.11/32"),
    ("CleanBrowsing", "185.228.168.168/32"),
    ("CleanBrowsing", "185.228.169.168/32"),
    ("Mullvad DNS", "194.242.2.2/31"),
    ("Mullvad DNS", "194.242.2.4/30"),
    ("Mullvad DNS", "194.242.2.8/31"),
    ("Mullvad DNS", "2a07:e340::/120"),
    ("Control D", "76.76.2.0/29"),
    ("Control D", "76.76.10.0/29"),
    ("Control D", "2606:1a40::/120"),
    ("Control D", "2606:1a40:1::/120"),
    ("DNS.SB", "185.222.222.222/32"),
    ("DNS.SB", "45.11.45.11/32"),
    ("DNS.SB", "2a09::/128"),
    ("DNS.SB", "2a11::/128"),
    ("AliDNS", "223.5.5.5/32"),
    ("AliDNS", "223.6.6.6/32"),
    ("AliDNS", "2400:3200::1/128"),
    ("AliDNS", "2400:3200:baba::1/128"),
    ("DNSPod", "119.29.29.29/32"),
    ("DNSPod", "1.12.12.12/32"),
    ("DNSPod", "120.53.53.53/32"),
    ("Yandex DNS", "77.88.8.8/32"),
    ("Yandex DNS", "77.88.8.1/32"),
    ("Yandex DNS", "2a02:6b8::feed:ff/128"),
];

/// One public resolver service (an index into the provider names, below 64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResolverService(u8);

impl ResolverService {
    pub fn name(self) -> &'static str {
        resolver_table()
            .names
            .get(usize::from(self.0))
            .copied()
            .unwrap_or("unknown")
    }
}

struct ResolverTable {
    names: Vec<&'static str>,
    /// (first, last, service), sorted by first, as integers (IPv4 in the low 32 bits of v4).
    v4: Vec<(u32, u32, ResolverService)>,
    v6: Vec<(u128, u128, ResolverService)>,
}

fn resolver_table() -> &'static ResolverTable {
    static TABLE: OnceLock<ResolverTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = ResolverTable {
            names: Vec::new(),
            v4: Vec::new(),
            v6: Vec::new(),
        };
        for (name, cidr) in PUBLIC_RESOLVERS {
            let index = match t.names.iter().position(|n| n == name) {
                Some(i) => i,
                None => {
                    t.names.push(name);
                    t.names.len() - 1
                }
            };
            // The table is a constant: a test checks every row parses, so a bad row is skipped
            // rather than a panic.
            let (Ok(service), Some((addr, len))) = (u8::try_from(index), cidr.split_once('/'))
            else {
                continue;
            };
            let service = ResolverService(service);
            match (addr.parse::<IpAddr>(), len.parse::<u32>()) {
                (Ok(IpAddr::V4(a)), Ok(len)) if len <= 32 => {
                    let host = u32::MAX.checked_shr(len).unwrap_or(0);
                    let first = u32::from(a) & !host;
                    t.v4.push((first, first | host, service));
                }
                (Ok(IpAddr::V6(a)), Ok(len)) if len <= 128 => {
                    let host = u128::MAX.checked_shr(len).unwrap_or(0);
                    let first = u128::from(a) & !host;
                    t.v6.push((first, first | host, service));
                }
                _ => {}
            }
        }
        t.v4.sort_unstable();
        t.v6.sort_unstable();
        t
    })
}

fn lookup<T: Ord + Copy>(ranges: &[(T, T, ResolverService)], n: T) -> Option<ResolverService> {
    let i = ranges.partition_point(|r| r.0 <= n);
    let (_, last, service) = *ranges.get(i.checked_sub(1)?)?;
    (n <= last).then_some(service)
}

/// The public DNS / DNS-over-HTTPS service an address belongs to, if it is a well-known one
/// (see the table's sources above). IPv4-mapped IPv6 addresses are looked up as IPv4.
pub fn public_resolver(ip: IpAddr) -> Option<ResolverService> {
    let t = resolver_table();
    match ip {
        IpAddr::V4(a) => lookup(&t.v4, u32::from(a)),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => lookup(&t.v4, u32::from(v4)),
            None => lookup(&t.v6, u128::from(a)),
        },
    }
}

/// A resolver as a baseline remembers it: the service when it is a known one, else the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Resolver {
    Service(ResolverService),
    Address(IpAddr),
}

fn resolver_of(ip: IpAddr) -> Resolver {
    public_resolver(ip).map_or(Resolver::Address(ip), Resolver::Service)
}

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A table of at most `capacity` entries that evicts the least recently touched one, by touch
/// order (which follows event time in time-ordered logs). The queue holds one (key, touch
/// number) per entry, in the order entries were queued; a touch only updates the entry, and an
/// entry found at the front that was touched since it was queued goes to the back with its new
/// touch number instead of being evicted (second chance). So a key touched at least once every
/// `capacity` insertions is never evicted, and a touch costs one hash lookup and no queue work.
struct Lru<K, V> {
    map: Map<K, (V, u64)>,
    order: VecDeque<(K, u64)>,
    capacity: usize,
    seq: u64,
    evicted: u64,
}

impl<K: Hash + Eq + Copy, V> Lru<K, V> {
    fn new(capacity: usize) -> Self {
        Lru {
            map: Map::default(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            seq: 0,
            evicted: 0,
        }
    }

    /// The entry for `key`, created with `make` when absent (evicting first if the table is
    /// full), marked as the most recently touched.
    fn touch(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        self.seq += 1;
        let seq = self.seq;
        if self.map.len() >= self.capacity && !self.map.contains_key(&key) {
            self.evict_one();
        }
        match self.map.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let entry = e.into_mut();
                entry.1 = seq;
                &mut entry.0
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                self.order.push_back((key, seq));
                &mut e.insert((make(), seq)).0
            }
        }
    }

    fn evict_one(&mut self) {
        while let Some((k, queued)) = self.order.pop_front() {
            match self.map.get(&k) {
                Some((_, touch)) if *touch != queued => self.order.push_back((k, *touch)),
                Some(_) => {
                    self.map.remove(&k);
                    self.evicted += 1;
                    return;
                }
                None => {}
            }
        }
    }
}

/// Entries per set of [`VolumeTable`].
const WAYS: usize = 4;

/// One (instance, remote host) hour of outbound bytes. `tag` 0 is an empty slot.
#[derive(Debug, Clone, Copy, Default)]
struct VolumeCounter {
    tag: u64,
    hour: i64,
    bytes: u64,
    fired: bool,
}

/// Hourly byte counters per (instance, remote host) in a fixed array of 4-entry sets, addressed
/// by a randomly seeded hash (attacker-chosen addresses cannot aim at one set). A new key takes
/// an empty slot of its set, else the slot of an earlier hour (finished: its bytes are already in
/// the instance's hour maximum), else the slot with the fewest bytes this hour. A flood of small
/// one-off flows therefore cannot push out a host that is receiving a lot, which is the only
/// thing this table exists to find; memory is fixed (32 bytes a slot) and a record costs one
/// hash and one set of four adjacent slots, with no allocation.
struct VolumeTable {
    slots: Vec<VolumeCounter>,
    sets: u64,
    hasher: foldhash::fast::RandomState,
    occupied: usize,
    evicted: u64,
}

impl VolumeTable {
    fn new(capacity: usize) -> Self {
        let sets = (capacity / WAYS).max(1);
        VolumeTable {
            slots: vec![VolumeCounter::default(); sets * WAYS],
            sets: sets as u64,
            hasher: foldhash::fast::RandomState::default(),
            occupied: 0,
            evicted: 0,
        }
    }

    /// The counter of (instance, remote) for `hour`, started at zero when absent or older.
    fn counter(&mut self, instance: u64, remote: IpAddr, hour: i64) -> &mut VolumeCounter {
        use std::hash::BuildHasher;
        let h = self.hasher.hash_one((instance, remote));
        let tag = h | 1;
        // The high bits pick the set (multiply-shift: no modulo bias worth the name).
        let set = ((u128::from(h) * u128::from(self.sets)) >> 64) as usize;
        let start = set * WAYS;
        let ways = &mut self.slots[start..start + WAYS];
        let index = match ways.iter().position(|c| c.tag == tag) {
            Some(i) => i,
            None => {
                let (i, victim) = ways
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, c)| (c.tag != 0, c.hour >= hour, c.bytes))
                    .map_or((0, VolumeCounter::default()), |(i, c)| (i, *c));
                if victim.tag == 0 {
                    self.occupied += 1;
                } else if victim.hour >= hour {
                    self.evicted += 1;
                }
                ways[i] = VolumeCounter {
                    tag,
                    hour,
                    bytes: 0,
                    fired: false,
                };
                i
            }
        };
        let c = &mut ways[index];
        if c.hour < hour {
            *c = VolumeCounter {
                tag,
                hour,
                bytes: 0,
                fired: false,
            };
        }
        c
    }
}

/// What a bounded set said about a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Known,
    New,
    /// The set outgrew its cap: the instance is too diverse to judge.
    Diverse,
}

/// A sorted set of at most `cap` values; past it, the set gives up (and frees its memory).
#[derive(Debug)]
struct BoundedSet<T> {
    items: Vec<T>,
    diverse: bool,
}

impl<T> Default for BoundedSet<T> {
    fn default() -> Self {
        BoundedSet {
            items: Vec::new(),
            diverse: false,
        }
    }
}

impl<T: Ord + Copy> BoundedSet<T> {
    fn observe(&mut self, value: T, cap: usize) -> Seen {
        if self.diverse {
            return Seen::Diverse;
        }
        match self.items.binary_search(&value) {
            Ok(_) => Seen::Known,
            Err(_) if self.items.len() >= cap => {
                self.diverse = true;
                self.items = Vec::new();
                Seen::Diverse
            }
            Err(i) => {
                self.items.insert(i, value);
                Seen::New
            }
        }
    }
}

/// One instance's baseline.
#[derive(Debug)]
struct InstanceBaseline {
    first_ms: i64,
    /// Outbound connections counted (replies are not connections).
    connections: u64,
    mature: bool,
    /// Remote `port << 8 | protocol`.
    ports: BoundedSet<u32>,
    dns: BoundedSet<Resolver>,
    dot: BoundedSet<Resolver>,
    /// One bit per [`ResolverService`] used over HTTPS.
    doh: u64,
    /// The clock hour (ms / 3,600,000) being accumulated, and the most bytes sent to one remote
    /// host in it so far.
    hour: i64,
    hour_max: u64,
    /// Decayed largest hourly bytes to one remote host over past hours; as of `volume_hour`.
    volume_baseline: f64,
    volume_hour: i64,
    /// Past hours with outbound bytes, for the words of a finding.
    volume_hours: u64,
}

impl InstanceBaseline {
    fn new(time: i64) -> Self {
        InstanceBaseline {
            first_ms: time,
            connections: 0,
            mature: false,
            ports: BoundedSet::default(),
            dns: BoundedSet::default(),
            dot: BoundedSet::default(),
            doh: 0,
            hour: time.div_euclid(HOUR_MS),
            hour_max: 0,
            volume_baseline: 0.0,
            volume_hour: time.div_euclid(HOUR_MS),
            volume_hours: 0,
        }
    }

    /// Close the hour being accumulated into the volume baseline and start `hour`.
    fn roll_hour(&mut self, hour: i64, half_life_hours: f64) {
        let elapsed = (self.hour - self.volume_hour).max(0) as f64;
        let decay = if half_life_hours > 0.0 {
            (-elapsed / half_life_hours).exp2()
        } else {
            0.0
        };
        self.volume_baseline = (self.volume_baseline * decay).max(self.hour_max as f64);
        self.volume_hour = self.hour;
        if self.hour_max > 0 {
            self.volume_hours += 1;
        }
        self.hour = hour;
        self.hour_max = 0;
    }

    fn learned_hours(&self, time: i64) -> i64 {
        (time - self.first_ms).max(0) / HOUR_MS
    }
}

/// Sizes of the detector's tables, for tests and monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineState {
    pub instances: usize,
    pub volume_counters: usize,
    /// Touch-queue entries of the instance table (one per instance).
    pub queued: usize,
    /// Entries evicted to stay within capacity.
    pub evicted: u64,
}

pub struct BaselineDetector {
    config: BaselineConfig,
    learning_ms: i64,
    half_life_hours: f64,
    /// Keyed by the interface (else instance id, else local address) fingerprint.
    instances: Lru<u64, InstanceBaseline>,
    volumes: VolumeTable,
    /// Default severity of each [`Unusual`] (by discriminant), from the catalogue.
    severity: [f64; 5],
}

/// Numbers as people write them: 1,234,567.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes_text(b: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn protocol_text(p: u8) -> &'static str {
    match p {
        6 => "tcp",
        17 => "udp",
        _ => "ip",
    }
}

/// FNV-1a over an address (from another offset basis than interface-id fingerprints), for records
/// that name no interface or instance.
fn address_fingerprint(ip: IpAddr) -> u64 {
    let octets: [u8; 16] = match ip {
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
        IpAddr::V6(a) => a.octets(),
    };
    octets.iter().fold(0x6c62_272e_07bb_0142u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl BaselineDetector {
    pub fn new(config: BaselineConfig) -> Self {
        BaselineDetector {
            learning_ms: i64::try_from(config.learning_period_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX),
            half_life_hours: config.volume_half_life_secs as f64 / 3600.0,
            instances: Lru::new(config.max_instances),
            volumes: VolumeTable::new(config.max_volume_counters),
            severity: Unusual::ALL.map(|u| {
                catalogue()
                    .get(u.finding_type())
                    .and_then(|t| t.severity)
                    .unwrap_or(5.0)
            }),
            config,
        }
    }

    pub fn state(&self) -> BaselineState {
        BaselineState {
            instances: self.instances.map.len(),
            volume_counters: self.volumes.occupied,
            queued: self.instances.order.len(),
            evicted: self.instances.evicted + self.volumes.evicted,
        }
    }

    pub fn detect(&mut self, r: &FlowRecord<'_>, out: &mut Vec<Signal>) {
        if r.action != Some(FlowAction::Accept) || r.log_status.is_some_and(|s| s != LogStatus::Ok)
        {
            return;
        }
        let (Some(o), Some(start)) = (orient(r), r.start) else {
            return;
        };
        if !o.outbound {
            return;
        }
        let time = start.saturating_mul(1000);
        let key = match r.interface_id.or(r.instance_id) {
            Some(id) => fingerprint(id),
            None => address_fingerprint(o.local_ip),
        };
        let inst = self.instances.touch(key, || InstanceBaseline::new(time));
        inst.first_ms = inst.first_ms.min(time);
        // Judged against what was learned before this record.
        let mature = inst.mature
            || (time - inst.first_ms >= self.learning_ms
                && inst.connections >= self.config.min_learning_connections);
        inst.mature = mature;

        let connection = match (r.protocol, o.local_port, o.remote_port) {
            (Some(p @ (6 | 17)), Some(local), Some(remote)) if remote != 0 => {
                // A service port answering a client's ephemeral port is a reply, not a connection.
                let reply = local < EPHEMERAL_FLOOR && remote >= 1024;
                (!reply).then_some((p, remote))
            }
            _ => None,
        };
        let mut found: Option<(Unusual, String)> = None;
        if let Some((protocol, port)) = connection {
            inst.connections += 1;
            found = match port {
                53 => match inst
                    .dns
                    .observe(resolver_of(o.remote_ip), self.config.max_resolvers)
                {
                    Seen::New if mature => Some((
                        Unusual::DnsResolver,
                        Self::resolver_reason(r, inst, &o, time, 53),
                    )),
                    _ => None,
                },
                853 if protocol == 6 => {
                    match inst
                        .dot
                        .observe(resolver_of(o.remote_ip), self.config.max_resolvers)
                    {
                        Seen::New if mature => {
                            Some((Unusual::DoT, Self::resolver_reason(r, inst, &o, time, 853)))
                        }
                        _ => None,
                    }
                }
                853 => None,
                _ => {
                    let novel_port = inst.ports.observe(
                        u32::from(port) << 8 | u32::from(protocol),
                        self.config.max_ports,
                    ) == Seen::New;
                    let doh_service = if port == 443 {
                        public_resolver(o.remote_ip)
                    } else {
                        None
                    };
                    let novel_doh = doh_service.filter(|s| {
                        let bit = 1u64 << (s.0 & 63);
                        let novel = inst.doh & bit == 0;
                        inst.doh |= bit;
                        novel
                    });
                    match (mature, novel_doh, novel_port) {
                        (false, _, _) => None,
                        // The specific finding says more than "new port 443".
                        (true, Some(service), _) => Some((
                            Unusual::DoH,
                            format!(
                                "{} connected to {}, a DNS-over-HTTPS address of {}, a service it did not use in {} outbound connections over {} h of baseline",
                                local_name(r, o.local_ip),
                                std::net::SocketAddr::new(o.remote_ip, 443),
                                service.name(),
                                grouped(inst.connections - 1),
                                inst.learned_hours(time)
                            ),
                        )),
                        (true, None, true) => Some((
                            Unusual::Port,
                            format!(
                                "{} connected to {} on remote port {port}/{}, never seen in {} outbound connections over {} h of baseline",
                                local_name(r, o.local_ip),
                                o.remote_ip,
                                protocol_text(protocol),
                                grouped(inst.connections - 1),
                                inst.learned_hours(time)
                            ),
                        )),
                        (true, None, false) => None,
                    }
                }
            };
        }

        // Volume: every outbound byte counts, replies included (a server can leak through them).
        let hour = time.div_euclid(HOUR_MS);
        if hour > inst.hour {
            inst.roll_hour(hour, self.half_life_hours);
        }
        let mut volume: Option<String> = None;
        if let Some(bytes) = r.bytes.filter(|&b| b > 0 && hour == inst.hour) {
            let c = self.volumes.counter(key, o.remote_ip, hour);
            if c.hour == hour {
                c.bytes = c.bytes.saturating_add(bytes);
                inst.hour_max = inst.hour_max.max(c.bytes);
                if mature && !c.fired && c.bytes > self.config.volume_floor_bytes {
                    // The baseline as of the start of this hour (it decays between folds).
                    let since = (hour - inst.volume_hour).max(0) as f64;
                    let baseline = if self.half_life_hours > 0.0 {
                        inst.volume_baseline * (-since / self.half_life_hours).exp2()
                    } else {
                        0.0
                    };
                    let threshold = (self.config.volume_factor * baseline)
                        .max(self.config.volume_floor_bytes as f64);
                    if c.bytes as f64 > threshold {
                        c.fired = true;
                        volume = Some(format!(
                            "{} sent {} bytes ({}) to {} within the hour starting {}; the most it sent to any one host in an hour before was {} bytes ({}, decayed; {} h with traffic), so the threshold was {} bytes: the larger of {} × that and {} bytes",
                            local_name(r, o.local_ip),
                            grouped(c.bytes),
                            bytes_text(c.bytes as f64),
                            o.remote_ip,
                            hour_text(hour),
                            grouped(baseline as u64),
                            bytes_text(baseline),
                            grouped(inst.volume_hours),
                            grouped(threshold as u64),
                            self.config.volume_factor,
                            grouped(self.config.volume_floor_bytes),
                        ));
                    }
                }
            }
        }

        if let Some((kind, reason)) = found {
            let title = match kind {
                Unusual::Port | Unusual::Volume => format!(
                    "{} is communicating with {} on an unusual port {}.",
                    local_name(r, o.local_ip),
                    o.remote_ip,
                    o.remote_port.unwrap_or(0)
                ),
                Unusual::DnsResolver => format!(
                    "{} is communicating with an unusual DNS resolver {}.",
                    local_name(r, o.local_ip),
                    o.remote_ip
                ),
                Unusual::DoH => format!(
                    "{} is making unusual DNS-over-HTTPS connections to {}.",
                    local_name(r, o.local_ip),
                    o.remote_ip
                ),
                Unusual::DoT => format!(
                    "{} is making unusual DNS-over-TLS connections to {}.",
                    local_name(r, o.local_ip),
                    o.remote_ip
                ),
            };
            out.push(self.signal(r, &o, kind, time, title, reason, start));
        }
        if let Some(reason) = volume {
            let title = format!(
                "{} is sending an unusually large volume of traffic to {}.",
                local_name(r, o.local_ip),
                o.remote_ip
            );
            out.push(self.signal(r, &o, Unusual::Volume, time, title, reason, hour));
        }
    }

    fn resolver_reason(
        r: &FlowRecord<'_>,
        inst: &InstanceBaseline,
        o: &Oriented,
        time: i64,
        port: u16,
    ) -> String {
        let (what, set) = if port == 53 {
            ("DNS (port 53)", &inst.dns)
        } else {
            ("DNS over TLS (port 853)", &inst.dot)
        };
        let service = public_resolver(o.remote_ip)
            .map(|s| format!(" ({})", s.name()))
            .unwrap_or_default();
        format!(
            "{} sent {what} to the public resolver {}{service}, not among the {} resolver(s) it used in {} outbound connections over {} h of baseline",
            local_name(r, o.local_ip),
            o.remote_ip,
            set.items.len().saturating_sub(1),
            grouped(inst.connections - 1),
            inst.learned_hours(time)
        )
    }

    /// `occurrence` makes the event id: the flow's start for novelties (so re-reading the same
    /// record is one occurrence), the hour for volume.
    #[allow(clippy::too_many_arguments)]
    fn signal(
        &self,
        r: &FlowRecord<'_>,
        o: &Oriented,
        kind: Unusual,
        time: i64,
        title: String,
        reason: String,
        occurrence: i64,
    ) -> Signal {
        let iface = r
            .interface_id
            .or(r.instance_id)
            .map_or_else(|| o.local_ip.to_string(), str::to_string);
        let ty = kind.finding_type();
        flow_signal(
            r,
            FlowFinding {
                finding_type: ty,
                severity: self.severity[kind as usize],
                role: "ACTOR",
                actor_key: o.remote_ip.to_string(),
                event_id: format!(
                    "baseline:{ty}:{iface}:{}:{}:{}:{occurrence}",
                    o.remote_ip,
                    o.remote_port.unwrap_or(0),
                    r.protocol.unwrap_or(0)
                ),
                time_ms: time,
                title,
                reason,
                action: connection_action(r, o),
                evidence: None,
            },
        )
    }
}

/// The start of a clock hour, as GuardDuty writes times.
fn hour_text(hour: i64) -> String {
    format_timestamp(hour.saturating_mul(HOUR_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resolver_row_parses_and_rows_do_not_overlap() {
        let t = resolver_table();
        assert_eq!(t.v4.len() + t.v6.len(), PUBLIC_RESOLVERS.len());
        assert!(t.names.len() <= 64, "service bits fit a u64");
        for w in t.v4.windows(2) {
            assert!(w[0].1 < w[1].0, "{w:?}");
        }
        for w in t.v6.windows(2) {
            assert!(w[0].1 < w[1].0, "{w:?}");
        }
    }

    #[test]
    fn resolver_lookup() {
        let name = |s: &str| public_resolver(s.parse().unwrap()).map(ResolverService::name);
        assert_eq!(name("1.1.1.1"), Some("Cloudflare"));
        assert_eq!(name("1.0.0.1"), Some("Cloudflare"));
        assert_eq!(name("2606:4700:4700::1111"), Some("Cloudflare"));
        assert_eq!(name("::ffff:8.8.4.4"), Some("Google Public DNS"));
        assert_eq!(name("45.90.28.17"), Some("NextDNS"));
        assert_eq!(name("194.242.2.9"), Some("Mullvad DNS"));
        assert_eq!(name("194.242.2.10"), None);
        assert_eq!(name("1.1.1.4"), None);
        assert_eq!(name("8.8.8.9"), None);
        assert_eq!(name("2606:4700:4700::1114"), None);
    }

    #[test]
    fn bounded_set_gives_up_past_its_cap() {
        let mut s = BoundedSet::default();
        for v in 0..4u32 {
            assert_eq!(s.observe(v, 4), Seen::New);
        }
        assert_eq!(s.observe(2, 4), Seen::Known);
        assert_eq!(s.observe(9, 4), Seen::Diverse);
        assert_eq!(s.observe(2, 4), Seen::Diverse);
        assert!(s.items.is_empty());
    }

    #[test]
    fn lru_keeps_the_recently_touched_and_stays_bounded() {
        let mut t: Lru<u64, u64> = Lru::new(100);
        for i in 0..100_000u64 {
            *t.touch(i + 1_000, || 0) += 1;
            if i % 99 == 0 {
                *t.touch(7, || 0) += 1;
            }
            assert!(t.map.len() <= 100);
            assert_eq!(t.order.len(), t.map.len());
        }
        assert_eq!(t.map.get(&7).map(|e| e.0), Some(1_011));
        assert_eq!(t.evicted, 100_000 - 99, "every other key made room once");
    }

    #[test]
    fn volume_table_keeps_the_heavy_host_among_a_flood_of_small_ones() {
        let mut t = VolumeTable::new(1_000);
        let heavy: IpAddr = "45.83.71.50".parse().unwrap();
        for i in 0..500_000u32 {
            let remote = IpAddr::from(std::net::Ipv4Addr::from(0x2d00_0000 + i));
            t.counter(u64::from(i % 50), remote, 10).bytes += 1_500;
            if i % 10_000 == 0 {
                t.counter(7, heavy, 10).bytes += 1_000_000;
            }
            assert!(t.occupied <= 1_000);
        }
        assert_eq!(t.counter(7, heavy, 10).bytes, 50_000_000);
        assert!(t.evicted > 490_000);
        // A new hour starts every counter again.
        assert_eq!(t.counter(7, heavy, 11).bytes, 0);
    }

    #[test]
    fn grouped_numbers() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_234), "1,234");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}

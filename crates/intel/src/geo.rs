//! IP enrichment for findings' `remoteIpDetails`: country, city, coordinates and the network's
//! organisation (ASN and its name).
//!
//! Knowledge comes from [`GeoSource`]s, asked in order by [`Geo`] (the first answer for each
//! field wins):
//!
//! * [`MmdbSource`]: a MaxMind-format database (GeoLite2 / GeoIP2 / DB-IP City, Country, ASN,
//!   ISP, or the ip-location-db `.mmdb` files), read with the `maxminddb` crate;
//! * [`RangeTable`]: sorted, non-overlapping address-range tables (country and ASN, IPv4 and
//!   IPv6) searched by binary search, loaded from the ip-location-db CSV files or from a compact
//!   gzipped binary form;
//! * the built-in tables ([`Geo::builtin`], [`RangeTable::builtin`]): the compact form of the
//!   ip-location-db `asn` (DB-IP ASN Lite / RouteViews / NRO, CC BY 4.0 — "IP geolocation by
//!   DB-IP", <https://db-ip.com>) and `geo-whois-asn-country` (CC0) tables, shipped in the binary
//!   (`crates/intel/data/`, see its README for sources, attribution and regeneration).
//!
//! Non-public addresses (RFC 1918, CGNAT, loopback, link-local, the AWS instance metadata
//! endpoint, ULA, documentation ranges, multicast, reserved space...) are never looked up: they
//! are labelled by [`special_range`] in [`GeoInfo::special`] instead.
//!
//! # Compact table format (version 1)
//!
//! A gzip stream holding, little-endian throughout:
//!
//! ```text
//! "WGEO" u16 version=1 u16 flags=0
//! u32 len, name (UTF-8)
//! org names:   u32 n, n × u32 byte length (column), concatenated UTF-8
//! ASN entries: u32 n, n × u32 ASN (column), n × u32 org index (column; u32::MAX = none)
//! 4 range sections: country v4, country v6, ASN v4, ASN v6, each
//!     u32 n, n × K gap (start − (previous end + 1)), n × K size (end − start + 1, wrapping:
//!     0 = the whole space), then the values: country = n × 2 ASCII bytes, ASN = n × u32
//!     entry index; K = u32 for IPv4, u128 for IPv6
//! "WEND"
//! ```
//!
//! Every "column" of fixed-width integers is stored byte-transposed (all first bytes, then all
//! second bytes, ...), which lets gzip squeeze the mostly-zero high bytes of the deltas.

use serde::Deserialize;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::{Arc, OnceLock};

// ---------------------------------------------------------------------------------------------
// Results and errors
// ---------------------------------------------------------------------------------------------

/// What is known about one address.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoInfo {
    /// ISO 3166-1 alpha-2, upper case.
    pub country_code: Option<String>,
    pub country_name: Option<String>,
    pub city: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub asn: Option<u32>,
    pub asn_org: Option<String>,
    /// "private", "loopback", "link-local", "shared (CGNAT)", "documentation", "multicast",
    /// "reserved"...: set for non-public addresses, which are not geolocated.
    pub special: Option<&'static str>,
}

impl GeoInfo {
    /// Nothing known at all.
    pub fn is_empty(&self) -> bool {
        *self == GeoInfo::default()
    }

    /// Every field a source can fill is filled (later sources have nothing to add).
    fn is_complete(&self) -> bool {
        self.country_code.is_some()
            && self.country_name.is_some()
            && self.city.is_some()
            && self.lat.is_some()
            && self.asn.is_some()
            && self.asn_org.is_some()
    }

    /// Offer a source's place answer: fills the empty fields. City and coordinates are only taken
    /// from a source that agrees on the country (or names none).
    fn offer_place(
        &mut self,
        country_code: Option<String>,
        country_name: Option<String>,
        city: Option<String>,
        lat_lon: Option<(f64, f64)>,
    ) {
        let agrees = match (&self.country_code, &country_code) {
            (Some(have), Some(new)) => have == new,
            _ => true,
        };
        if self.country_code.is_none() {
            self.country_code = country_code;
        }
        if !agrees {
            return;
        }
        if self.country_name.is_none() {
            self.country_name = country_name;
        }
        if self.city.is_none() {
            self.city = city;
        }
        if let (None, None, Some((lat, lon))) = (self.lat, self.lon, lat_lon) {
            self.lat = Some(lat);
            self.lon = Some(lon);
        }
    }

    /// Offer a source's network answer: the organisation name is only taken from a source that
    /// agrees on the ASN (or names none).
    fn offer_asn(&mut self, asn: Option<u32>, org: Option<&str>) {
        let agrees = match (self.asn, asn) {
            (Some(have), Some(new)) => have == new,
            _ => true,
        };
        if self.asn.is_none() {
            self.asn = asn;
        }
        if agrees && self.asn_org.is_none() {
            self.asn_org = org.filter(|o| !o.is_empty()).map(str::to_owned);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// A line of a CSV table that stops the whole load (an unreadable file).
    #[error("{file}:{line}: {message}")]
    Parse {
        file: String,
        line: u64,
        message: String,
    },
    /// A table with nothing usable in it.
    #[error("{file}: {message}")]
    NoData { file: String, message: String },
    /// A compact table that is not one, is of another version, or is damaged.
    #[error("compact geo table: {0}")]
    Compact(String),
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    #[error("{path}: {source}")]
    Mmdb {
        path: String,
        #[source]
        source: maxminddb::MaxMindDbError,
    },
    /// The tables shipped in the binary did not decode (a build problem).
    #[error("built-in geo tables: {0}")]
    Builtin(String),
}

// ---------------------------------------------------------------------------------------------
// Sources and the multi-source lookup
// ---------------------------------------------------------------------------------------------

/// One source of geo/ASN knowledge.
pub trait GeoSource: Send + Sync {
    /// Fill in what this source knows about `ip` into `into`, leaving fields that are already
    /// set alone (earlier sources win).
    fn lookup(&self, ip: IpAddr, into: &mut GeoInfo);
    fn name(&self) -> &str;
}

impl<T: GeoSource + ?Sized> GeoSource for Arc<T> {
    fn lookup(&self, ip: IpAddr, into: &mut GeoInfo) {
        (**self).lookup(ip, into)
    }
    fn name(&self) -> &str {
        (**self).name()
    }
}

/// Several sources, first answer per field wins; special (non-public) addresses are labelled and
/// never looked up.
pub struct Geo {
    sources: Vec<Box<dyn GeoSource>>,
}

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geo")
            .field("sources", &self.source_names().collect::<Vec<_>>())
            .finish()
    }
}

impl Geo {
    pub fn new(sources: Vec<Box<dyn GeoSource>>) -> Self {
        Geo { sources }
    }

    /// No sources: lookups only label special addresses.
    pub fn empty() -> Self {
        Geo {
            sources: Vec::new(),
        }
    }

    /// The built-in default: the compact tables shipped in crates/intel/data (include_bytes!),
    /// decoded once.
    pub fn builtin() -> Result<Self, GeoError> {
        Geo::empty().with_builtin()
    }

    /// These sources, then the built-in tables (asked last).
    pub fn with_builtin(mut self) -> Result<Self, GeoError> {
        self.sources.push(Box::new(RangeTable::builtin()?));
        Ok(self)
    }

    /// Add a source, asked after the existing ones.
    pub fn push(&mut self, source: Box<dyn GeoSource>) {
        self.sources.push(source);
    }

    pub fn source_names(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().map(|s| s.name())
    }

    pub fn lookup(&self, ip: IpAddr) -> GeoInfo {
        let ip = canonical(ip);
        if let Some(label) = special_range(ip) {
            return GeoInfo {
                special: Some(label),
                ..GeoInfo::default()
            };
        }
        let mut info = GeoInfo::default();
        for source in &self.sources {
            source.lookup(ip, &mut info);
            if info.is_complete() {
                break;
            }
        }
        if let (None, Some(code)) = (&info.country_name, &info.country_code) {
            info.country_name = country_name(code).map(str::to_owned);
        }
        info
    }
}

/// IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 well-known-prefix (`64:ff9b::a.b.c.d`) addresses are
/// their IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let n = u128::from(v6);
            if n >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
                return IpAddr::V4(Ipv4Addr::from(n as u32));
            }
            ip
        }
        IpAddr::V4(_) => ip,
    }
}

// ---------------------------------------------------------------------------------------------
// Special (non-public) ranges
// ---------------------------------------------------------------------------------------------

const fn v4(a: u8, b: u8, c: u8, d: u8) -> u32 {
    u32::from_be_bytes([a, b, c, d])
}

/// (network, prefix length, label); the first match wins, so specific entries come first.
const SPECIAL_V4: &[(u32, u8, &str)] = &[
    (v4(169, 254, 169, 254), 32, "AWS instance metadata"),
    (v4(169, 254, 169, 253), 32, "AWS DNS resolver"),
    (v4(169, 254, 169, 123), 32, "AWS time sync"),
    (v4(169, 254, 170, 2), 32, "AWS ECS task metadata"),
    (v4(0, 0, 0, 0), 32, "unspecified"),
    (v4(0, 0, 0, 0), 8, "this network"),
    (v4(10, 0, 0, 0), 8, "private"),
    (v4(100, 64, 0, 0), 10, "shared (CGNAT)"),
    (v4(127, 0, 0, 0), 8, "loopback"),
    (v4(169, 254, 0, 0), 16, "link-local"),
    (v4(172, 16, 0, 0), 12, "private"),
    (v4(192, 0, 0, 0), 24, "reserved"),
    (v4(192, 0, 2, 0), 24, "documentation"),
    (v4(192, 168, 0, 0), 16, "private"),
    (v4(198, 18, 0, 0), 15, "benchmarking"),
    (v4(198, 51, 100, 0), 24, "documentation"),
    (v4(203, 0, 113, 0), 24, "documentation"),
    (v4(224, 0, 0, 0), 4, "multicast"),
    (v4(255, 255, 255, 255), 32, "broadcast"),
    (v4(240, 0, 0, 0), 4, "reserved"),
];

const fn v6(s: [u16; 8]) -> u128 {
    let mut n = 0u128;
    let mut i = 0;
    while i < 8 {
        n = (n << 16) | s[i] as u128;
        i += 1;
    }
    n
}

const SPECIAL_V6: &[(u128, u8, &str)] = &[
    (
        v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]),
        128,
        "AWS instance metadata",
    ),
    (
        v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x253]),
        128,
        "AWS DNS resolver",
    ),
    (
        v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x123]),
        128,
        "AWS time sync",
    ),
    (0, 128, "unspecified"),
    (1, 128, "loopback"),
    // local-use NAT64 (RFC 8215)
    (v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0]), 48, "private"),
    // discard-only (RFC 6666)
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0]), 64, "reserved"),
    (v6([0x2001, 2, 0, 0, 0, 0, 0, 0]), 48, "benchmarking"),
    (v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]), 32, "documentation"),
    // RFC 9637
    (v6([0x3fff, 0, 0, 0, 0, 0, 0, 0]), 20, "documentation"),
    // unique local addresses (ULA)
    (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0]), 7, "private"),
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 10, "link-local"),
    // deprecated site-local
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0]), 10, "reserved"),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0]), 8, "multicast"),
];

fn in_prefix_v4(ip: u32, net: u32, len: u8) -> bool {
    len == 0 || (ip ^ net) >> (32 - u32::from(len)) == 0
}

fn in_prefix_v6(ip: u128, net: u128, len: u8) -> bool {
    len == 0 || (ip ^ net) >> (128 - u32::from(len)) == 0
}

/// Classify non-public addresses (RFC 1918, 100.64/10, loopback, link-local, 169.254.169.254 = "AWS
/// instance metadata", fd00::/8 ULA, documentation ranges 192.0.2/24, 198.51.100/24, 203.0.113/24,
/// 2001:db8::/32, multicast, 0.0.0.0/8, 240/4 ...).
///
/// IPv4-mapped and NAT64 (`64:ff9b::/96`) IPv6 addresses are classified by their IPv4 address.
/// IPv6 outside the global unicast block 2000::/3 is "reserved".
pub fn special_range(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(a) => {
            let n = u32::from(a);
            SPECIAL_V4
                .iter()
                .find(|(net, len, _)| in_prefix_v4(n, *net, *len))
                .map(|e| e.2)
        }
        IpAddr::V6(a) => {
            let n = u128::from(a);
            if let Some(e) = SPECIAL_V6
                .iter()
                .find(|(net, len, _)| in_prefix_v6(n, *net, *len))
            {
                return Some(e.2);
            }
            if n >> 125 != 1 {
                return Some("reserved");
            }
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Range tables
// ---------------------------------------------------------------------------------------------

/// An address as an integer: u32 for IPv4, u128 for IPv6.
trait Key: Copy + Ord + Default + std::fmt::Display + Send + Sync + 'static {
    const BYTES: usize;
    const MAX: Self;
    const ONE: Self;
    fn put(self, out: &mut [u8]);
    fn get(b: &[u8]) -> Self;
    fn wrapping_add(self, o: Self) -> Self;
    fn wrapping_sub(self, o: Self) -> Self;
    fn checked_add(self, o: Self) -> Option<Self>;
    /// The top 16 bits.
    fn bucket(self) -> usize;
}

/// Lookup buckets: one per value of an address's top 16 bits.
const BUCKETS: usize = 1 << 16;

macro_rules! key_impl {
    ($t:ty) => {
        impl Key for $t {
            const BYTES: usize = std::mem::size_of::<$t>();
            const MAX: Self = <$t>::MAX;
            const ONE: Self = 1;
            fn put(self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
            fn get(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(b);
                <$t>::from_le_bytes(a)
            }
            fn wrapping_add(self, o: Self) -> Self {
                <$t>::wrapping_add(self, o)
            }
            fn wrapping_sub(self, o: Self) -> Self {
                <$t>::wrapping_sub(self, o)
            }
            fn checked_add(self, o: Self) -> Option<Self> {
                <$t>::checked_add(self, o)
            }
            fn bucket(self) -> usize {
                (self >> (<$t>::BITS - 16)) as usize
            }
        }
    };
}
key_impl!(u32);
key_impl!(u128);

/// Sorted, non-overlapping inclusive ranges, each with a value (struct of arrays).
#[derive(Clone)]
struct Ranges<K, V> {
    starts: Vec<K>,
    ends: Vec<K>,
    vals: Vec<V>,
    /// Derived, built on first lookup: `index[b]` is the first range whose start's top 16 bits
    /// are `b` or more (65,537 entries), so a lookup binary-searches one bucket only.
    index: OnceLock<Box<[u32]>>,
}

impl<K, V> Default for Ranges<K, V> {
    fn default() -> Self {
        Ranges {
            starts: Vec::new(),
            ends: Vec::new(),
            vals: Vec::new(),
            index: OnceLock::new(),
        }
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for Ranges<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.starts == other.starts && self.ends == other.ends && self.vals == other.vals
    }
}

impl<K: std::fmt::Display, V: std::fmt::Debug> std::fmt::Debug for Ranges<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        for ((s, e), v) in self.starts.iter().zip(&self.ends).zip(&self.vals).take(100) {
            l.entry(&format_args!("{s}-{e}: {v:?}"));
        }
        l.finish()
    }
}

impl<K: Key, V: Copy + PartialEq> Ranges<K, V> {
    fn len(&self) -> usize {
        self.starts.len()
    }

    #[inline]
    fn get(&self, k: K) -> Option<&V> {
        let index = self.index.get_or_init(|| self.build_index());
        let b = k.bucket();
        let (lo, hi) = (index[b] as usize, index[b + 1] as usize);
        let i = lo + self.starts[lo..hi].partition_point(|&s| s <= k);
        if i > 0 && k <= self.ends[i - 1] {
            Some(&self.vals[i - 1])
        } else {
            None
        }
    }

    fn build_index(&self) -> Box<[u32]> {
        let mut index = Vec::with_capacity(BUCKETS + 1);
        let mut i = 0;
        for b in 0..BUCKETS {
            while i < self.starts.len() && self.starts[i].bucket() < b {
                i += 1;
            }
            index.push(i as u32);
        }
        index.push(self.starts.len() as u32);
        index.into_boxed_slice()
    }

    /// Append a range after the last one, joining it to the last if adjacent with the same value.
    fn push(&mut self, start: K, end: K, val: V) {
        if let (Some(last_end), Some(last_val)) = (self.ends.last_mut(), self.vals.last()) {
            debug_assert!(start > *last_end);
            if *last_end != K::MAX && last_end.wrapping_add(K::ONE) == start && *last_val == val {
                *last_end = end;
                return;
            }
        }
        self.starts.push(start);
        self.ends.push(end);
        self.vals.push(val);
    }

    fn map_vals<W>(self, f: impl Fn(V) -> W) -> Ranges<K, W> {
        Ranges {
            starts: self.starts,
            ends: self.ends,
            vals: self.vals.into_iter().map(f).collect(),
            index: OnceLock::new(),
        }
    }

    /// `self`'s ranges, plus the parts of `other`'s not covered by `self`.
    fn overlay(self, other: Ranges<K, V>) -> Ranges<K, V> {
        if other.len() == 0 {
            return self;
        }
        if self.len() == 0 {
            return other;
        }
        // The parts of `other` outside `self`.
        let mut extra: Vec<(K, K, V)> = Vec::new();
        let mut j = 0;
        for i in 0..other.len() {
            let (bs, be, bv) = (other.starts[i], other.ends[i], other.vals[i]);
            let mut cur = bs;
            loop {
                while j < self.len() && self.ends[j] < cur {
                    j += 1;
                }
                if j == self.len() || self.starts[j] > be {
                    extra.push((cur, be, bv));
                    break;
                }
                if self.starts[j] > cur {
                    extra.push((cur, self.starts[j].wrapping_sub(K::ONE), bv));
                }
                if self.ends[j] >= be {
                    break;
                }
                cur = self.ends[j].wrapping_add(K::ONE);
                j += 1;
            }
        }
        // Merge the two sorted, disjoint lists.
        let mut out = Ranges::default();
        let (mut a, mut b) = (0, 0);
        while a < self.len() || b < extra.len() {
            if b == extra.len() || (a < self.len() && self.starts[a] < extra[b].0) {
                out.push(self.starts[a], self.ends[a], self.vals[a]);
                a += 1;
            } else {
                out.push(extra[b].0, extra[b].1, extra[b].2);
                b += 1;
            }
        }
        out
    }

    /// Sort rows (start, end, value, line) and resolve overlaps: where ranges overlap, the
    /// narrower one wins (the ip-location-db tables list more-specific ranges, e.g. from
    /// geofeeds, inside the broader ones they refine), between equally wide ones the earlier
    /// line. Adjacent ranges with the same value are joined.
    fn from_rows(mut rows: Vec<(K, K, V, u64)>) -> Self {
        rows.sort_by_key(|r| (r.0, r.3));
        let mut out = Ranges::default();
        if rows.windows(2).all(|w| w[0].1 < w[1].0) {
            for (start, end, val, _) in rows {
                out.push(start, end, val);
            }
            return out;
        }
        rows.sort_by_key(|r| (r.1.wrapping_sub(r.0), r.3));
        let mut map: std::collections::BTreeMap<K, (K, V)> = std::collections::BTreeMap::new();
        let mut gaps = Vec::new();
        for (start, end, val, _) in rows {
            // Fill the parts of [start, end] that no narrower range holds.
            let mut cur = start;
            if let Some((_, &(prev_end, _))) = map.range(..start).next_back() {
                if prev_end >= end {
                    continue;
                }
                if prev_end >= start {
                    cur = prev_end.wrapping_add(K::ONE);
                }
            }
            let mut covered = false;
            gaps.clear();
            for (&s, &(e, _)) in map.range(cur..=end) {
                if s > cur {
                    gaps.push((cur, s.wrapping_sub(K::ONE)));
                }
                if e >= end {
                    covered = true;
                    break;
                }
                cur = e.wrapping_add(K::ONE);
            }
            if !covered {
                gaps.push((cur, end));
            }
            for &(s, e) in &gaps {
                map.insert(s, (e, val));
            }
        }
        for (start, (end, val)) in map {
            out.push(start, end, val);
        }
        out
    }
}

/// A country code as two upper-case ASCII letters.
type Cc = [u8; 2];

/// No organisation name.
const NO_ORG: u32 = u32::MAX;

/// ASNs and their organisation names, interned.
#[derive(Debug, Clone, PartialEq, Default)]
struct AsnPool {
    /// (ASN, index into the org names or NO_ORG)
    entries: Vec<(u32, u32)>,
    /// All org names, concatenated...
    org_text: String,
    /// ...and where each ends in `org_text`.
    org_ends: Vec<u32>,
}

impl AsnPool {
    fn org(&self, i: u32) -> Option<&str> {
        if i == NO_ORG {
            return None;
        }
        let i = i as usize;
        let start = if i == 0 {
            0
        } else {
            self.org_ends[i - 1] as usize
        };
        Some(&self.org_text[start..self.org_ends[i] as usize])
    }

    fn entry(&self, i: u32) -> (u32, Option<&str>) {
        let (asn, org) = self.entries[i as usize];
        (asn, self.org(org))
    }
}

/// Interns (ASN, org) pairs into an [`AsnPool`].
struct Interner {
    pool: AsnPool,
    orgs: HashMap<String, u32>,
    entries: HashMap<(u32, u32), u32>,
}

impl Interner {
    fn new(pool: AsnPool) -> Self {
        let orgs = (0..pool.org_ends.len() as u32)
            .map(|i| (pool.org(i).unwrap_or_default().to_owned(), i))
            .collect();
        let entries = pool
            .entries
            .iter()
            .enumerate()
            .map(|(i, &e)| (e, i as u32))
            .collect();
        Interner {
            pool,
            orgs,
            entries,
        }
    }

    fn intern(&mut self, asn: u32, org: Option<&str>) -> u32 {
        let org = match org {
            None => NO_ORG,
            Some(o) => match self.orgs.get(o) {
                Some(&i) => i,
                None => {
                    let i = self.pool.org_ends.len() as u32;
                    self.pool.org_text.push_str(o);
                    self.pool.org_ends.push(self.pool.org_text.len() as u32);
                    self.orgs.insert(o.to_owned(), i);
                    i
                }
            },
        };
        *self.entries.entry((asn, org)).or_insert_with(|| {
            self.pool.entries.push((asn, org));
            (self.pool.entries.len() - 1) as u32
        })
    }
}

/// Sorted, non-overlapping range tables (binary search), IPv4 and IPv6 separately: country ranges
/// and ASN ranges with interned org names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RangeTable {
    name: String,
    country_v4: Ranges<u32, Cc>,
    country_v6: Ranges<u128, Cc>,
    asn_v4: Ranges<u32, u32>,
    asn_v6: Ranges<u128, u32>,
    pool: AsnPool,
}

/// An address as written in a CSV table: text of either family, or a bare number whose family
/// is decided once the whole file has been read.
#[derive(Clone, Copy)]
enum CsvAddr {
    V4(u32),
    V6(u128),
    Num(u128),
}

fn parse_csv_addr(s: &str) -> Option<CsvAddr> {
    if s.contains(':') {
        s.parse::<Ipv6Addr>().ok().map(|a| CsvAddr::V6(a.into()))
    } else if s.contains('.') {
        s.parse::<Ipv4Addr>().ok().map(|a| CsvAddr::V4(a.into()))
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u128>().ok().map(CsvAddr::Num)
    } else {
        None
    }
}

#[derive(Clone, Copy, PartialEq)]
enum CsvKind {
    Country,
    Asn,
}

#[derive(Clone, Copy)]
enum CsvVal {
    Cc(Cc),
    Asn(u32),
}

const COMPACT_MAGIC: &[u8; 4] = b"WGEO";
const COMPACT_END: &[u8; 4] = b"WEND";
const COMPACT_VERSION: u16 = 1;
/// Refuse to inflate compact tables beyond this (a damaged or hostile file).
const COMPACT_MAX_BYTES: u64 = 1 << 30;

static BUILTIN_ASN: &[u8] = include_bytes!("../data/geo-asn.bin.gz");
static BUILTIN_COUNTRY: &[u8] = include_bytes!("../data/geo-country.bin.gz");

impl RangeTable {
    /// An empty table called `name`.
    pub fn new(name: &str) -> Self {
        RangeTable {
            name: name.to_owned(),
            ..RangeTable::default()
        }
    }

    /// Load CSV range tables in the ip-location-db formats: `start,end,country` (country file) and
    /// `start,end,asn,org` (ASN file), addresses as dotted/colon text or as decimal numbers (the
    /// `-num` variants); detect which by column count. Errors name file and line; bad lines are
    /// counted and skipped (return them).
    ///
    /// The kind of table is set by the first data line (3 columns: country, 4 or more: ASN, the
    /// org name being the rest of the line). A header line is skipped, so are lines starting
    /// with `#`. Numeric addresses are IPv6 if the file's name contains "ipv6" or any number
    /// exceeds 32 bits, IPv4 otherwise. Where ranges overlap the narrower one wins (the files
    /// list more-specific ranges inside the broader ones they refine), between equally wide
    /// ones the earlier line; adjacent ranges with the same value are joined.
    pub fn load_csv(reader: impl Read, name: &str) -> Result<(RangeTable, Vec<String>), GeoError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut bad = Vec::new();
        let mut kind: Option<CsvKind> = None;
        let mut rows: Vec<(CsvAddr, CsvAddr, CsvVal, u64)> = Vec::new();
        let mut interner = Interner::new(AsnPool::default());
        let mut record = csv::StringRecord::new();
        let mut first = true;
        loop {
            let line_hint = rdr.position().line();
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(line_hint, |p| p.line());
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Err(GeoError::Parse {
                            file: name.to_owned(),
                            line,
                            message: e.to_string(),
                        });
                    }
                    bad.push(format!("{name}:{line}: {e}"));
                    continue;
                }
            }
            let line = record.position().map_or(line_hint, |p| p.line());
            if record
                .get(0)
                .is_some_and(|f| f.trim_start().starts_with('#'))
            {
                continue; // a comment (the csv crate's own comment handling misnumbers lines)
            }
            let was_first = std::mem::replace(&mut first, false);
            let f = |i: usize| record.get(i).unwrap_or("").trim();
            let f0 = f(0);
            if was_first
                && parse_csv_addr(f0).is_none()
                && f0
                    .bytes()
                    .any(|b| b.is_ascii_alphabetic() && !b.is_ascii_hexdigit())
            {
                continue; // a header line
            }
            let n = record.len();
            let k = match kind {
                Some(k) => k,
                None => match n {
                    3 => *kind.insert(CsvKind::Country),
                    n if n >= 4 => *kind.insert(CsvKind::Asn),
                    _ => {
                        bad.push(format!(
                            "{name}:{line}: expected 3 columns (start,end,country) or 4 (start,end,asn,org), got {n}"
                        ));
                        continue;
                    }
                },
            };
            let want = match k {
                CsvKind::Country => n == 3,
                CsvKind::Asn => n >= 4,
            };
            if !want {
                let what = if k == CsvKind::Country {
                    "3 (start,end,country)"
                } else {
                    "4 (start,end,asn,org)"
                };
                bad.push(format!("{name}:{line}: expected {what} columns, got {n}"));
                continue;
            }
            let (Some(start), Some(end)) = (parse_csv_addr(f(0)), parse_csv_addr(f(1))) else {
                let which = if parse_csv_addr(f(0)).is_none() {
                    f(0)
                } else {
                    f(1)
                };
                bad.push(format!("{name}:{line}: bad address {which:?}"));
                continue;
            };
            let val = match k {
                CsvKind::Country => {
                    let c = f(2).as_bytes();
                    if c.len() != 2 || !c.iter().all(u8::is_ascii_alphabetic) {
                        bad.push(format!("{name}:{line}: bad country code {:?}", f(2)));
                        continue;
                    }
                    CsvVal::Cc([c[0].to_ascii_uppercase(), c[1].to_ascii_uppercase()])
                }
                CsvKind::Asn => {
                    let a = f(2);
                    let digits = a
                        .strip_prefix("AS")
                        .or_else(|| a.strip_prefix("as"))
                        .unwrap_or(a);
                    let Ok(asn) = digits.parse::<u32>() else {
                        bad.push(format!("{name}:{line}: bad ASN {a:?}"));
                        continue;
                    };
                    let org = if n == 4 {
                        f(3).to_owned()
                    } else {
                        record
                            .iter()
                            .skip(3)
                            .collect::<Vec<_>>()
                            .join(",")
                            .trim()
                            .to_owned()
                    };
                    let org = (!org.is_empty()).then_some(org.as_str());
                    CsvVal::Asn(interner.intern(asn, org))
                }
            };
            rows.push((start, end, val, line));
        }
        let Some(kind) = kind else {
            return match bad.first() {
                Some(first) => Err(GeoError::NoData {
                    file: name.to_owned(),
                    message: format!("no usable line ({} bad, first: {first})", bad.len()),
                }),
                None => Ok((RangeTable::new(name), bad)),
            };
        };
        // Bare numbers: IPv6 if the file says so, or if any needs more than 32 bits.
        let file_name = Path::new(name)
            .file_name()
            .map(|f| f.to_string_lossy().to_ascii_lowercase());
        let num_v6 = file_name.is_some_and(|f| f.contains("ipv6"))
            || rows.iter().any(|r| {
                matches!(r.0, CsvAddr::Num(x) if x > u128::from(u32::MAX))
                    || matches!(r.1, CsvAddr::Num(x) if x > u128::from(u32::MAX))
            });
        let resolve = |a: CsvAddr| match a {
            CsvAddr::Num(x) if num_v6 => CsvAddr::V6(x),
            CsvAddr::Num(x) => CsvAddr::V4(x as u32),
            other => other,
        };
        let mut v4: Vec<(u32, u32, CsvVal, u64)> = Vec::new();
        let mut v6: Vec<(u128, u128, CsvVal, u64)> = Vec::new();
        for (start, end, val, line) in rows {
            match (resolve(start), resolve(end)) {
                (CsvAddr::V4(s), CsvAddr::V4(e)) if s <= e => v4.push((s, e, val, line)),
                (CsvAddr::V6(s), CsvAddr::V6(e)) if s <= e => v6.push((s, e, val, line)),
                (CsvAddr::V4(_), CsvAddr::V4(_)) | (CsvAddr::V6(_), CsvAddr::V6(_)) => {
                    bad.push(format!("{name}:{line}: range start is after its end"));
                }
                _ => bad.push(format!(
                    "{name}:{line}: range start and end are of different address families"
                )),
            }
        }
        if v4.is_empty() && v6.is_empty() {
            return Err(GeoError::NoData {
                file: name.to_owned(),
                message: format!(
                    "no usable line ({} bad, first: {})",
                    bad.len(),
                    bad.first().map_or("-", |s| s)
                ),
            });
        }
        let mut table = RangeTable::new(name);
        let cc = |v: CsvVal| match v {
            CsvVal::Cc(c) => c,
            CsvVal::Asn(_) => unreachable!("a country table holds country codes"),
        };
        let asn = |v: CsvVal| match v {
            CsvVal::Asn(a) => a,
            CsvVal::Cc(_) => unreachable!("an ASN table holds ASNs"),
        };
        match kind {
            CsvKind::Country => {
                table.country_v4 =
                    Ranges::from_rows(v4.into_iter().map(|r| (r.0, r.1, cc(r.2), r.3)).collect());
                table.country_v6 =
                    Ranges::from_rows(v6.into_iter().map(|r| (r.0, r.1, cc(r.2), r.3)).collect());
            }
            CsvKind::Asn => {
                table.asn_v4 =
                    Ranges::from_rows(v4.into_iter().map(|r| (r.0, r.1, asn(r.2), r.3)).collect());
                table.asn_v6 =
                    Ranges::from_rows(v6.into_iter().map(|r| (r.0, r.1, asn(r.2), r.3)).collect());
                table.pool = interner.pool;
            }
        }
        Ok((table, bad))
    }

    /// Combine country and ASN tables (or two of the same kind: `self`'s ranges win where both
    /// cover an address, `other` fills the gaps).
    pub fn merge(self, other: RangeTable) -> RangeTable {
        let name = match (self.name.is_empty(), other.name.is_empty()) {
            (_, true) => self.name,
            (true, false) => other.name,
            (false, false) => format!("{} + {}", self.name, other.name),
        };
        let (pool, other_asn_v4, other_asn_v6) = if self.pool == AsnPool::default() {
            (other.pool, other.asn_v4, other.asn_v6)
        } else if other.asn_v4.len() == 0 && other.asn_v6.len() == 0 {
            (self.pool, other.asn_v4, other.asn_v6)
        } else {
            // Re-intern other's entries into self's pool.
            let mut interner = Interner::new(self.pool);
            let remap: Vec<u32> = (0..other.pool.entries.len() as u32)
                .map(|i| {
                    let (asn, org) = other.pool.entry(i);
                    interner.intern(asn, org)
                })
                .collect();
            let v4 = other.asn_v4.map_vals(|i| remap[i as usize]);
            let v6 = other.asn_v6.map_vals(|i| remap[i as usize]);
            (interner.pool, v4, v6)
        };
        RangeTable {
            name,
            country_v4: self.country_v4.overlay(other.country_v4),
            country_v6: self.country_v6.overlay(other.country_v6),
            asn_v4: self.asn_v4.overlay(other_asn_v4),
            asn_v6: self.asn_v6.overlay(other_asn_v6),
            pool,
        }
    }

    /// Number of ranges (country and ASN together): (IPv4, IPv6).
    pub fn len(&self) -> (usize /*v4*/, usize /*v6*/) {
        (
            self.country_v4.len() + self.asn_v4.len(),
            self.country_v6.len() + self.asn_v6.len(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }

    /// Number of distinct (ASN, organisation) pairs and organisation names.
    pub fn asn_counts(&self) -> (usize, usize) {
        (self.pool.entries.len(), self.pool.org_ends.len())
    }

    pub fn set_name(&mut self, name: &str) {
        self.name = name.to_owned();
    }

    /// Country code of `ip`'s range, if any.
    pub fn country(&self, ip: IpAddr) -> Option<&str> {
        let cc = match canonical(ip) {
            IpAddr::V4(a) => self.country_v4.get(u32::from(a)),
            IpAddr::V6(a) => self.country_v6.get(u128::from(a)),
        }?;
        std::str::from_utf8(cc).ok()
    }

    /// ASN and organisation name of `ip`'s range, if any.
    pub fn asn(&self, ip: IpAddr) -> Option<(u32, Option<&str>)> {
        let i = match canonical(ip) {
            IpAddr::V4(a) => self.asn_v4.get(u32::from(a)),
            IpAddr::V6(a) => self.asn_v6.get(u128::from(a)),
        }?;
        Some(self.pool.entry(*i))
    }

    /// The tables shipped in the binary (`crates/intel/data/geo-{asn,country}.bin.gz`), decoded
    /// on first use and shared afterwards.
    pub fn builtin() -> Result<Arc<RangeTable>, GeoError> {
        static CELL: OnceLock<Result<Arc<RangeTable>, String>> = OnceLock::new();
        CELL.get_or_init(|| {
            // The two files decode in parallel.
            let (asn, country) = std::thread::scope(|s| {
                let asn = s.spawn(|| RangeTable::read_compact(BUILTIN_ASN));
                let country = RangeTable::read_compact(BUILTIN_COUNTRY);
                (
                    asn.join()
                        .unwrap_or_else(|_| Err(GeoError::Builtin("decoder panicked".into()))),
                    country,
                )
            });
            let (asn, country) = (
                asn.map_err(|e| e.to_string())?,
                country.map_err(|e| e.to_string())?,
            );
            let mut table = country.merge(asn);
            table.set_name("builtin (ip-location-db)");
            Ok(Arc::new(table))
        })
        .clone()
        .map_err(GeoError::Builtin)
    }

    /// Compact binary form: write/read (flate2-gzipped, versioned header, little-endian; u32 ranges
    /// for v4, u128 for v6; country codes as 2 bytes; org names interned in a string table).
    pub fn write_compact(&self, w: impl Write) -> io::Result<()> {
        let mut out = Vec::new();
        out.extend_from_slice(COMPACT_MAGIC);
        out.extend_from_slice(&COMPACT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        put_u32(&mut out, len32(self.name.len())?);
        out.extend_from_slice(self.name.as_bytes());
        // Org names.
        let pool = &self.pool;
        put_u32(&mut out, len32(pool.org_ends.len())?);
        let mut prev = 0;
        let lens: Vec<u32> = pool
            .org_ends
            .iter()
            .map(|&e| {
                let l = e - prev;
                prev = e;
                l
            })
            .collect();
        put_col(&mut out, &lens);
        out.extend_from_slice(pool.org_text.as_bytes());
        // ASN entries.
        put_u32(&mut out, len32(pool.entries.len())?);
        put_col(
            &mut out,
            &pool.entries.iter().map(|e| e.0).collect::<Vec<_>>(),
        );
        put_col(
            &mut out,
            &pool.entries.iter().map(|e| e.1).collect::<Vec<_>>(),
        );
        // Ranges.
        put_ranges(&mut out, &self.country_v4, put_planes)?;
        put_ranges(&mut out, &self.country_v6, put_planes)?;
        put_ranges(&mut out, &self.asn_v4, put_col)?;
        put_ranges(&mut out, &self.asn_v6, put_col)?;
        out.extend_from_slice(COMPACT_END);

        let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::best());
        gz.write_all(&out)?;
        gz.finish()?.flush()
    }

    pub fn read_compact(r: impl Read) -> Result<RangeTable, GeoError> {
        let mut buf = Vec::new();
        flate2::read::GzDecoder::new(r)
            .take(COMPACT_MAX_BYTES)
            .read_to_end(&mut buf)
            .map_err(|e| GeoError::Compact(format!("not a readable gzip stream: {e}")))?;
        let mut c = Cursor { buf: &buf, pos: 0 };
        if c.take(4)? != COMPACT_MAGIC {
            return Err(GeoError::Compact(
                "not a Warden geo table (bad magic)".into(),
            ));
        }
        let version = u16::from_le_bytes(c.take(2)?.try_into().expect("2 bytes"));
        if version != COMPACT_VERSION {
            return Err(GeoError::Compact(format!(
                "format version {version}, this build reads version {COMPACT_VERSION}"
            )));
        }
        c.take(2)?; // flags
        let name_len = c.u32()? as usize;
        let name = std::str::from_utf8(c.take(name_len)?)
            .map_err(|_| GeoError::Compact("name is not UTF-8".into()))?
            .to_owned();
        // Org names.
        let n_orgs = c.u32()? as usize;
        let lens: Vec<u32> = get_col(&mut c, n_orgs)?;
        let mut org_ends = Vec::with_capacity(n_orgs);
        let mut total: u32 = 0;
        for l in lens {
            total = total
                .checked_add(l)
                .ok_or_else(|| GeoError::Compact("org names too long".into()))?;
            org_ends.push(total);
        }
        let org_text = std::str::from_utf8(c.take(total as usize)?)
            .map_err(|_| GeoError::Compact("org names are not UTF-8".into()))?;
        let mut start = 0usize;
        for &e in &org_ends {
            if !org_text.is_char_boundary(e as usize) || (e as usize) < start {
                return Err(GeoError::Compact(
                    "org name boundaries are not on characters".into(),
                ));
            }
            start = e as usize;
        }
        // ASN entries.
        let n_entries = c.u32()? as usize;
        let asns: Vec<u32> = get_col(&mut c, n_entries)?;
        let orgs: Vec<u32> = get_col(&mut c, n_entries)?;
        if let Some(o) = orgs.iter().find(|&&o| o != NO_ORG && o as usize >= n_orgs) {
            return Err(GeoError::Compact(format!("org index {o} out of range")));
        }
        let pool = AsnPool {
            entries: asns.into_iter().zip(orgs).collect(),
            org_text: org_text.to_owned(),
            org_ends,
        };
        // Ranges.
        let country_v4 = get_ranges(&mut c, get_cc)?;
        let country_v6 = get_ranges(&mut c, get_cc)?;
        let asn_v4 = get_ranges(&mut c, get_col::<u32>)?;
        let asn_v6 = get_ranges(&mut c, get_col::<u32>)?;
        if let Some(i) = asn_v4
            .vals
            .iter()
            .chain(&asn_v6.vals)
            .find(|&&i| i as usize >= n_entries)
        {
            return Err(GeoError::Compact(format!(
                "ASN entry index {i} out of range"
            )));
        }
        if c.take(4)? != COMPACT_END || c.pos != buf.len() {
            return Err(GeoError::Compact("bad end marker".into()));
        }
        Ok(RangeTable {
            name,
            country_v4,
            country_v6,
            asn_v4,
            asn_v6,
            pool,
        })
    }
}

impl GeoSource for RangeTable {
    fn lookup(&self, ip: IpAddr, into: &mut GeoInfo) {
        let ip = canonical(ip);
        let (cc, asn) = match ip {
            IpAddr::V4(a) => {
                let k = u32::from(a);
                (
                    if into.country_code.is_none() {
                        self.country_v4.get(k)
                    } else {
                        None
                    },
                    if into.asn.is_none() || into.asn_org.is_none() {
                        self.asn_v4.get(k)
                    } else {
                        None
                    },
                )
            }
            IpAddr::V6(a) => {
                let k = u128::from(a);
                (
                    if into.country_code.is_none() {
                        self.country_v6.get(k)
                    } else {
                        None
                    },
                    if into.asn.is_none() || into.asn_org.is_none() {
                        self.asn_v6.get(k)
                    } else {
                        None
                    },
                )
            }
        };
        if let Some(cc) = cc {
            let code = String::from_utf8_lossy(cc).into_owned();
            let name = country_name(&code).map(str::to_owned);
            into.offer_place(Some(code), name, None, None);
        }
        if let Some(&i) = asn {
            let (asn, org) = self.pool.entry(i);
            into.offer_asn(Some(asn), org);
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// Compact-format helpers.

fn len32(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "table too large"))
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A column of fixed-width little-endian integers, byte-transposed.
fn put_col<K: Key>(out: &mut Vec<u8>, vals: &[K]) {
    let (n, w) = (vals.len(), K::BYTES);
    let base = out.len();
    out.resize(base + n * w, 0);
    let dst = &mut out[base..];
    let mut tmp = [0u8; 16];
    for (i, v) in vals.iter().enumerate() {
        v.put(&mut tmp[..w]);
        for (b, byte) in tmp[..w].iter().enumerate() {
            dst[b * n + i] = *byte;
        }
    }
}

/// Country codes: all first letters, then all second letters.
fn put_planes(out: &mut Vec<u8>, vals: &[Cc]) {
    out.extend(vals.iter().map(|c| c[0]));
    out.extend(vals.iter().map(|c| c[1]));
}

fn put_ranges<K: Key, V: Copy + PartialEq>(
    out: &mut Vec<u8>,
    r: &Ranges<K, V>,
    put_vals: impl Fn(&mut Vec<u8>, &[V]),
) -> io::Result<()> {
    put_u32(out, len32(r.len())?);
    let mut next = K::default();
    let mut gaps = Vec::with_capacity(r.len());
    let mut sizes = Vec::with_capacity(r.len());
    for (&s, &e) in r.starts.iter().zip(&r.ends) {
        gaps.push(s.wrapping_sub(next));
        sizes.push(e.wrapping_sub(s).wrapping_add(K::ONE));
        next = e.wrapping_add(K::ONE);
    }
    put_col(out, &gaps);
    put_col(out, &sizes);
    put_vals(out, &r.vals);
    Ok(())
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], GeoError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| {
                GeoError::Compact(format!(
                    "truncated: wanted {n} bytes at offset {}",
                    self.pos
                ))
            })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, GeoError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
}

fn get_col<K: Key>(c: &mut Cursor<'_>, n: usize) -> Result<Vec<K>, GeoError> {
    let w = K::BYTES;
    let bytes = n
        .checked_mul(w)
        .ok_or_else(|| GeoError::Compact("column too long".into()))?;
    let src = c.take(bytes)?;
    let mut out = Vec::with_capacity(n);
    let mut tmp = [0u8; 16];
    for i in 0..n {
        for (b, byte) in tmp[..w].iter_mut().enumerate() {
            *byte = src[b * n + i];
        }
        out.push(K::get(&tmp[..w]));
    }
    Ok(out)
}

fn get_cc(c: &mut Cursor<'_>, n: usize) -> Result<Vec<Cc>, GeoError> {
    let first = c.take(n)?;
    let second = c.take(n)?;
    let out: Vec<Cc> = first.iter().zip(second).map(|(&a, &b)| [a, b]).collect();
    if out.iter().any(|cc| !cc.iter().all(u8::is_ascii_uppercase)) {
        return Err(GeoError::Compact(
            "country code that is not two upper-case letters".into(),
        ));
    }
    Ok(out)
}

fn get_ranges<K: Key, V: Copy + PartialEq>(
    c: &mut Cursor<'_>,
    get_vals: impl Fn(&mut Cursor<'_>, usize) -> Result<Vec<V>, GeoError>,
) -> Result<Ranges<K, V>, GeoError> {
    let n = c.u32()? as usize;
    let gaps: Vec<K> = get_col(c, n)?;
    let sizes: Vec<K> = get_col(c, n)?;
    let vals = get_vals(c, n)?;
    let mut starts = Vec::with_capacity(n);
    let mut ends = Vec::with_capacity(n);
    let mut next = Some(K::default());
    let overlap = || GeoError::Compact("ranges overflow or overlap".into());
    for (&gap, &size) in gaps.iter().zip(&sizes) {
        let start = next.and_then(|x| x.checked_add(gap)).ok_or_else(overlap)?;
        let end = if size == K::default() {
            if start != K::default() {
                return Err(overlap());
            }
            K::MAX
        } else {
            start
                .checked_add(size.wrapping_sub(K::ONE))
                .ok_or_else(overlap)?
        };
        starts.push(start);
        ends.push(end);
        next = end.checked_add(K::ONE);
    }
    Ok(Ranges {
        starts,
        ends,
        vals,
        index: OnceLock::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// MaxMind databases
// ---------------------------------------------------------------------------------------------

/// A MaxMind-format database (GeoLite2/DB-IP City/Country/ASN .mmdb) via the `maxminddb` crate.
///
/// Understands the MaxMind schemas (`country.iso_code`, `country.names.en`, `city.names.en`,
/// `location.latitude/longitude`, `registered_country`, `autonomous_system_number`,
/// `autonomous_system_organization`, `isp`, `organization`, `traits.*`) and the flat
/// ip-location-db one (`country_code`, `city`, `latitude`, `longitude`).
pub struct MmdbSource {
    reader: maxminddb::Reader<Vec<u8>>,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MmNames {
    en: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MmCountry {
    iso_code: Option<String>,
    names: MmNames,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MmCity {
    Plain(String),
    Named {
        #[serde(default)]
        names: MmNames,
    },
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MmLocation {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MmTraits {
    autonomous_system_number: Option<u32>,
    autonomous_system_organization: Option<String>,
    isp: Option<String>,
    organization: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MmRecord {
    country: Option<MmCountry>,
    registered_country: Option<MmCountry>,
    city: Option<MmCity>,
    location: Option<MmLocation>,
    traits: Option<MmTraits>,
    autonomous_system_number: Option<u32>,
    autonomous_system_organization: Option<String>,
    isp: Option<String>,
    organization: Option<String>,
    // ip-location-db's flat schema
    country_code: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

fn norm_cc(code: Option<String>) -> Option<String> {
    code.filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(|c| c.to_ascii_uppercase())
}

impl MmdbSource {
    pub fn open(path: &Path) -> Result<Self, GeoError> {
        let err = |source| GeoError::Mmdb {
            path: path.display().to_string(),
            source,
        };
        let buf = std::fs::read(path).map_err(|e| err(maxminddb::MaxMindDbError::from(e)))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |f| f.to_string_lossy().into_owned(),
        );
        let reader = maxminddb::Reader::from_source(buf).map_err(err)?;
        Ok(MmdbSource::with_reader(reader, &name))
    }

    /// A database already in memory; `name` labels it in errors and [`GeoSource::name`].
    pub fn from_bytes(buf: Vec<u8>, name: &str) -> Result<Self, GeoError> {
        let reader = maxminddb::Reader::from_source(buf).map_err(|source| GeoError::Mmdb {
            path: name.to_owned(),
            source,
        })?;
        Ok(MmdbSource::with_reader(reader, name))
    }

    fn with_reader(reader: maxminddb::Reader<Vec<u8>>, name: &str) -> Self {
        let kind = &reader.metadata().database_type;
        let name = if kind.is_empty() {
            name.to_owned()
        } else {
            format!("{name} ({kind})")
        };
        MmdbSource { reader, name }
    }

    /// The database's own type, e.g. "GeoLite2-City".
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// The database's build time, seconds since the Unix epoch.
    pub fn build_epoch(&self) -> u64 {
        self.reader.metadata().build_epoch
    }
}

impl GeoSource for MmdbSource {
    fn lookup(&self, ip: IpAddr, into: &mut GeoInfo) {
        // An IPv6 address in an IPv4-only database, or a record that does not decode, is no answer.
        let Ok(result) = self.reader.lookup(ip) else {
            return;
        };
        let Ok(Some(rec)) = result.decode::<MmRecord>() else {
            return;
        };
        let country = rec.country.unwrap_or_default();
        let (cc, cname) = match norm_cc(country.iso_code) {
            Some(cc) => (Some(cc), country.names.en),
            None => match norm_cc(rec.country_code) {
                Some(cc) => (Some(cc), None),
                None => {
                    let reg = rec.registered_country.unwrap_or_default();
                    (norm_cc(reg.iso_code), reg.names.en)
                }
            },
        };
        let city = match rec.city {
            Some(MmCity::Plain(s)) => Some(s),
            Some(MmCity::Named { names }) => names.en,
            None => None,
        }
        .filter(|s| !s.is_empty());
        let loc = rec.location.unwrap_or_default();
        let lat_lon = match (loc.latitude, loc.longitude) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => rec.latitude.zip(rec.longitude),
        };
        into.offer_place(cc, cname, city, lat_lon);
        let traits = rec.traits.unwrap_or_default();
        let asn = rec
            .autonomous_system_number
            .or(traits.autonomous_system_number);
        let org = rec
            .autonomous_system_organization
            .or(traits.autonomous_system_organization)
            .or(rec.isp)
            .or(traits.isp)
            .or(rec.organization)
            .or(traits.organization);
        into.offer_asn(asn, org.as_deref());
    }

    fn name(&self) -> &str {
        &self.name
    }
}

// ---------------------------------------------------------------------------------------------
// Country names
// ---------------------------------------------------------------------------------------------

/// ISO 3166-1 alpha-2 → English short name (a static table of all ~250 codes)
///
/// Also knows the codes that IP registries use beyond ISO 3166-1: XK (Kosovo), EU, AP and the
/// withdrawn AN. Case-insensitive.
pub fn country_name(code: &str) -> Option<&'static str> {
    let b = code.as_bytes();
    if b.len() != 2 {
        return None;
    }
    let up = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
    COUNTRY_NAMES
        .binary_search_by(|(c, _)| c.as_bytes().cmp(&up[..]))
        .ok()
        .map(|i| COUNTRY_NAMES[i].1)
}

/// Sorted by code.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("AD", "Andorra"),
    ("AE", "United Arab Emirates"),
    ("AF", "Afghanistan"),
    ("AG", "Antigua and Barbuda"),
    ("AI", "Anguilla"),
    ("AL", "Albania"),
    ("AM", "Armenia"),
    ("AN", "Netherlands Antilles"),
    ("AO", "Angola"),
    ("AP", "Asia/Pacific Region"),
    ("AQ", "Antarctica"),
    ("AR", "Argentina"),
    ("AS", "American Samoa"),
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("AW", "Aruba"),
    ("AX", "Åland Islands"),
    ("AZ", "Azerbaijan"),
    ("BA", "Bosnia and Herzegovina"),
    ("BB", "Barbados"),
    ("BD", "Bangladesh"),
    ("BE", "Belgium"),
    ("BF", "Burkina Faso"),
    ("BG", "Bulgaria"),
    ("BH", "Bahrain"),
    ("BI", "Burundi"),
    ("BJ", "Benin"),
    ("BL", "Saint Barthélemy"),
    ("BM", "Bermuda"),
    ("BN", "Brunei"),
    ("BO", "Bolivia"),
    ("BQ", "Caribbean Netherlands"),
    ("BR", "Brazil"),
    ("BS", "Bahamas"),
    ("BT", "Bhutan"),
    ("BV", "Bouvet Island"),
    ("BW", "Botswana"),
    ("BY", "Belarus"),
    ("BZ", "Belize"),
    ("CA", "Canada"),
    ("CC", "Cocos (Keeling) Islands"),
    ("CD", "DR Congo"),
    ("CF", "Central African Republic"),
    ("CG", "Congo"),
    ("CH", "Switzerland"),
    ("CI", "Côte d'Ivoire"),
    ("CK", "Cook Islands"),
    ("CL", "Chile"),
    ("CM", "Cameroon"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("CR", "Costa Rica"),
    ("CU", "Cuba"),
    ("CV", "Cabo Verde"),
    ("CW", "Curaçao"),
    ("CX", "Christmas Island"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DJ", "Djibouti"),
    ("DK", "Denmark"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("DZ", "Algeria"),
    ("EC", "Ecuador"),
    ("EE", "Estonia"),
    ("EG", "Egypt"),
    ("EH", "Western Sahara"),
    ("ER", "Eritrea"),
    ("ES", "Spain"),
    ("ET", "Ethiopia"),
    ("EU", "European Union"),
    ("FI", "Finland"),
    ("FJ", "Fiji"),
    ("FK", "Falkland Islands"),
    ("FM", "Micronesia"),
    ("FO", "Faroe Islands"),
    ("FR", "France"),
    ("GA", "Gabon"),
    ("GB", "United Kingdom"),
    ("GD", "Grenada"),
    ("GE", "Georgia"),
    ("GF", "French Guiana"),
    ("GG", "Guernsey"),
    ("GH", "Ghana"),
    ("GI", "Gibraltar"),
    ("GL", "Greenland"),
    ("GM", "Gambia"),
    ("GN", "Guinea"),
    ("GP", "Guadeloupe"),
    ("GQ", "Equatorial Guinea"),
    ("GR", "Greece"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("GT", "Guatemala"),
    ("GU", "Guam"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HK", "Hong Kong"),
    ("HM", "Heard Island and McDonald Islands"),
    ("HN", "Honduras"),
    ("HR", "Croatia"),
    ("HT", "Haiti"),
    ("HU", "Hungary"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IM", "Isle of Man"),
    ("IN", "India"),
    ("IO", "British Indian Ocean Territory"),
    ("IQ", "Iraq"),
    ("IR", "Iran"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JE", "Jersey"),
    ("JM", "Jamaica"),
    ("JO", "Jordan"),
    ("JP", "Japan"),
    ("KE", "Kenya"),
    ("KG", "Kyrgyzstan"),
    ("KH", "Cambodia"),
    ("KI", "Kiribati"),
    ("KM", "Comoros"),
    ("KN", "Saint Kitts and Nevis"),
    ("KP", "North Korea"),
    ("KR", "South Korea"),
    ("KW", "Kuwait"),
    ("KY", "Cayman Islands"),
    ("KZ", "Kazakhstan"),
    ("LA", "Laos"),
    ("LB", "Lebanon"),
    ("LC", "Saint Lucia"),
    ("LI", "Liechtenstein"),
    ("LK", "Sri Lanka"),
    ("LR", "Liberia"),
    ("LS", "Lesotho"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("LY", "Libya"),
    ("MA", "Morocco"),
    ("MC", "Monaco"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MF", "Saint Martin"),
    ("MG", "Madagascar"),
    ("MH", "Marshall Islands"),
    ("MK", "North Macedonia"),
    ("ML", "Mali"),
    ("MM", "Myanmar"),
    ("MN", "Mongolia"),
    ("MO", "Macao"),
    ("MP", "Northern Mariana Islands"),
    ("MQ", "Martinique"),
    ("MR", "Mauritania"),
    ("MS", "Montserrat"),
    ("MT", "Malta"),
    ("MU", "Mauritius"),
    ("MV", "Maldives"),
    ("MW", "Malawi"),
    ("MX", "Mexico"),
    ("MY", "Malaysia"),
    ("MZ", "Mozambique"),
    ("NA", "Namibia"),
    ("NC", "New Caledonia"),
    ("NE", "Niger"),
    ("NF", "Norfolk Island"),
    ("NG", "Nigeria"),
    ("NI", "Nicaragua"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NP", "Nepal"),
    ("NR", "Nauru"),
    ("NU", "Niue"),
    ("NZ", "New Zealand"),
    ("OM", "Oman"),
    ("PA", "Panama"),
    ("PE", "Peru"),
    ("PF", "French Polynesia"),
    ("PG", "Papua New Guinea"),
    ("PH", "Philippines"),
    ("PK", "Pakistan"),
    ("PL", "Poland"),
    ("PM", "Saint Pierre and Miquelon"),
    ("PN", "Pitcairn Islands"),
    ("PR", "Puerto Rico"),
    ("PS", "Palestine"),
    ("PT", "Portugal"),
    ("PW", "Palau"),
    ("PY", "Paraguay"),
    ("QA", "Qatar"),
    ("RE", "Réunion"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("RU", "Russia"),
    ("RW", "Rwanda"),
    ("SA", "Saudi Arabia"),
    ("SB", "Solomon Islands"),
    ("SC", "Seychelles"),
    ("SD", "Sudan"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "Slovenia"),
    ("SJ", "Svalbard and Jan Mayen"),
    ("SK", "Slovakia"),
    ("SL", "Sierra Leone"),
    ("SM", "San Marino"),
    ("SN", "Senegal"),
    ("SO", "Somalia"),
    ("SR", "Suriname"),
    ("SS", "South Sudan"),
    ("ST", "São Tomé and Príncipe"),
    ("SV", "El Salvador"),
    ("SX", "Sint Maarten"),
    ("SY", "Syria"),
    ("SZ", "Eswatini"),
    ("TC", "Turks and Caicos Islands"),
    ("TD", "Chad"),
    ("TF", "French Southern Territories"),
    ("TG", "Togo"),
    ("TH", "Thailand"),
    ("TJ", "Tajikistan"),
    ("TK", "Tokelau"),
    ("TL", "Timor-Leste"),
    ("TM", "Turkmenistan"),
    ("TN", "Tunisia"),
    ("TO", "Tonga"),
    ("TR", "Türkiye"),
    ("TT", "Trinidad and Tobago"),
    ("TV", "Tuvalu"),
    ("TW", "Taiwan"),
    ("TZ", "Tanzania"),
    ("UA", "Ukraine"),
    ("UG", "Uganda"),
    ("UM", "U.S. Minor Outlying Islands"),
    ("US", "United States"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VA", "Vatican City"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("VE", "Venezuela"),
    ("VG", "British Virgin Islands"),
    ("VI", "U.S. Virgin Islands"),
    ("VN", "Vietnam"),
    ("VU", "Vanuatu"),
    ("WF", "Wallis and Futuna"),
    ("WS", "Samoa"),
    ("XK", "Kosovo"),
    ("YE", "Yemen"),
    ("YT", "Mayotte"),
    ("ZA", "South Africa"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn builtin() -> Geo {
        Geo::builtin().expect("built-in tables decode")
    }

    fn csv(text: &str, name: &str) -> (RangeTable, Vec<String>) {
        RangeTable::load_csv(text.as_bytes(), name).unwrap()
    }

    const ASN_CSV: &str = "\
1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"
1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
8.8.8.0,8.8.8.255,15169,Google LLC
9.9.9.0,9.9.9.255,19281,
255.255.255.0,255.255.255.255,64512,Top
";
    const ASN6_CSV: &str = "\
2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC
2606:4700::,2606:4700:ffff:ffff:ffff:ffff:ffff:ffff,13335,\"Cloudflare, Inc.\"
ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,64512,Top
";
    const CC_CSV: &str = "\
0.0.0.0,0.255.255.255,ZZ
1.0.0.0,1.0.0.255,au
1.0.1.0,1.0.3.255,CN
8.8.8.0,8.8.8.255,US
2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,US
";

    fn small_table() -> RangeTable {
        let (asn4, bad1) = csv(ASN_CSV, "asn-ipv4.csv");
        let (asn6, bad2) = csv(ASN6_CSV, "asn-ipv6.csv");
        let (cc, bad3) = csv(CC_CSV, "country.csv");
        assert!(
            bad1.is_empty() && bad2.is_empty() && bad3.is_empty(),
            "{bad1:?} {bad2:?} {bad3:?}"
        );
        cc.merge(asn4.merge(asn6))
    }

    #[test]
    fn builtin_known_addresses() {
        let geo = builtin();
        let g = geo.lookup(ip("8.8.8.8"));
        assert_eq!(g.asn, Some(15169));
        assert_eq!(g.asn_org.as_deref(), Some("Google LLC"));
        assert_eq!(g.country_code.as_deref(), Some("US"));
        assert_eq!(g.country_name.as_deref(), Some("United States"));
        assert_eq!(g.special, None);

        let c = geo.lookup(ip("1.1.1.1"));
        assert_eq!(c.asn, Some(13335));
        assert!(
            c.asn_org.as_deref().unwrap().starts_with("Cloudflare"),
            "{c:?}"
        );
        assert!(c.country_code.is_some());

        let g6 = geo.lookup(ip("2001:4860:4860::8888"));
        assert_eq!(g6.asn, Some(15169));
        assert_eq!(g6.asn_org.as_deref(), Some("Google LLC"));
        assert!(g6.country_code.is_some());

        // IPv4-mapped IPv6 is the IPv4 address.
        assert_eq!(geo.lookup(ip("::ffff:8.8.8.8")), g);
        let cf6 = geo.lookup(ip("2606:4700:4700::1111"));
        assert_eq!(cf6.asn, Some(13335));
    }

    #[test]
    fn builtin_range_edges_gaps_and_nesting() {
        let t = RangeTable::builtin().unwrap();
        // 1.0.0.0-1.0.0.255 is Cloudflare's; 1.0.1.0-1.0.3.255 has no ASN range, but a country.
        assert_eq!(t.asn(ip("1.0.0.0")).map(|a| a.0), Some(13335));
        assert_eq!(t.asn(ip("1.0.0.255")).map(|a| a.0), Some(13335));
        assert_eq!(t.asn(ip("1.0.1.0")), None);
        assert_eq!(t.asn(ip("1.0.3.255")), None);
        assert_eq!(t.country(ip("1.0.1.0")), Some("CN"));
        assert_eq!(t.asn(ip("1.0.4.0")).map(|a| a.0), Some(38803));
        // A more-specific range listed inside a broader one wins (2.58.196.0-2.58.197.255 DE,
        // 2.58.197.15 BE).
        assert_eq!(t.country(ip("2.58.197.14")), Some("DE"));
        assert_eq!(t.country(ip("2.58.197.15")), Some("BE"));
        assert_eq!(t.country(ip("2.58.197.16")), Some("DE"));
        let (v4, v6) = t.len();
        assert!(v4 > 500_000 && v6 > 200_000, "{v4} {v6}");
        assert!(t.name().contains("ip-location-db"));
    }

    #[test]
    fn special_addresses_are_labelled_not_looked_up() {
        struct Panics;
        impl GeoSource for Panics {
            fn lookup(&self, ip: IpAddr, _: &mut GeoInfo) {
                panic!("looked up {ip}");
            }
            fn name(&self) -> &str {
                "panics"
            }
        }
        let geo = Geo::new(vec![Box::new(Panics)]);
        let g = geo.lookup(ip("10.0.0.1"));
        assert_eq!(g.special, Some("private"));
        assert_eq!(g.country_code, None);
        assert_eq!(
            geo.lookup(ip("169.254.169.254")).special,
            Some("AWS instance metadata")
        );
        assert_eq!(
            geo.lookup(ip("fd00:ec2::254")).special,
            Some("AWS instance metadata")
        );
        assert_eq!(
            geo.lookup(ip("::ffff:192.168.1.1")).special,
            Some("private")
        );

        let cases = [
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "this network"),
            ("10.255.255.255", "private"),
            ("172.16.0.0", "private"),
            ("172.31.255.255", "private"),
            ("192.168.0.1", "private"),
            ("100.64.0.0", "shared (CGNAT)"),
            ("100.127.255.255", "shared (CGNAT)"),
            ("127.0.0.1", "loopback"),
            ("169.254.0.1", "link-local"),
            ("169.254.169.253", "AWS DNS resolver"),
            ("169.254.170.2", "AWS ECS task metadata"),
            ("192.0.2.1", "documentation"),
            ("198.51.100.7", "documentation"),
            ("203.0.113.255", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("224.0.0.251", "multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("fe80::1", "link-local"),
            ("fd12:3456::1", "private"),
            ("fc00::1", "private"),
            ("2001:db8::1", "documentation"),
            ("3fff::1", "documentation"),
            ("ff02::1", "multicast"),
            ("64:ff9b::a00:1", "private"),
            ("4000::1", "reserved"),
        ];
        for (a, want) in cases {
            assert_eq!(special_range(ip(a)), Some(want), "{a}");
        }
        for a in [
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "169.253.255.255",
            "11.0.0.0",
            "223.255.255.255",
            "2001:4860:4860::8888",
            "2600::1",
            "64:ff9b::808:808",
        ] {
            assert_eq!(special_range(ip(a)), None, "{a}");
        }
        // NAT64 of a public address is looked up as that address.
        let t = small_table();
        let geo = Geo::new(vec![Box::new(t)]);
        assert_eq!(geo.lookup(ip("64:ff9b::808:808")).asn, Some(15169));
    }

    #[test]
    fn range_boundaries_and_gaps() {
        let t = small_table();
        // First and last address of a range, and the addresses either side (gaps).
        assert_eq!(
            t.asn(ip("1.0.0.0")),
            Some((13335, Some("Cloudflare, Inc.")))
        );
        assert_eq!(
            t.asn(ip("1.0.0.255")),
            Some((13335, Some("Cloudflare, Inc.")))
        );
        assert_eq!(t.asn(ip("0.255.255.255")), None);
        assert_eq!(t.asn(ip("1.0.1.0")), None);
        assert_eq!(t.asn(ip("1.0.3.255")), None);
        assert_eq!(t.asn(ip("1.0.4.0")).map(|a| a.0), Some(38803));
        assert_eq!(t.asn(ip("1.0.7.255")).map(|a| a.0), Some(38803));
        assert_eq!(t.asn(ip("1.0.8.0")), None);
        assert_eq!(
            t.asn(ip("9.9.9.9")),
            Some((19281, None)),
            "empty org is none"
        );
        // The very first and last addresses of the space.
        assert_eq!(t.country(ip("0.0.0.0")), Some("ZZ"));
        assert_eq!(t.asn(ip("0.0.0.0")), None);
        assert_eq!(t.asn(ip("255.255.255.255")).map(|a| a.0), Some(64512));
        assert_eq!(t.asn(ip("255.255.254.255")), None);
        assert_eq!(
            t.asn(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
                .map(|a| a.0),
            Some(64512)
        );
        assert_eq!(t.asn(ip("::")), None);
        // IPv6.
        assert_eq!(t.asn(ip("2001:4860::")).map(|a| a.0), Some(15169));
        assert_eq!(
            t.asn(ip("2001:4860:ffff:ffff:ffff:ffff:ffff:ffff"))
                .map(|a| a.0),
            Some(15169)
        );
        assert_eq!(t.asn(ip("2001:4861::")), None);
        assert_eq!(t.asn(ip("2001:485f:ffff:ffff:ffff:ffff:ffff:ffff")), None);
        // Country codes are upper-cased; a GeoSource lookup fills names too.
        assert_eq!(t.country(ip("1.0.0.7")), Some("AU"));
        let mut g = GeoInfo::default();
        t.lookup(ip("8.8.8.8"), &mut g);
        assert_eq!(
            g,
            GeoInfo {
                country_code: Some("US".into()),
                country_name: Some("United States".into()),
                asn: Some(15169),
                asn_org: Some("Google LLC".into()),
                ..GeoInfo::default()
            }
        );
        let mut none = GeoInfo::default();
        t.lookup(ip("1.0.8.0"), &mut none);
        assert!(none.is_empty());
        assert_eq!(t.len(), (4 + 5, 1 + 3));
    }

    #[test]
    fn overlapping_ranges_narrowest_wins_and_adjacent_join() {
        let text = "\
10.0.0.0,10.0.255.255,DE
10.0.1.0,10.0.1.255,FR
10.0.1.7,10.0.1.7,BE
10.0.255.0,10.1.0.255,NL
10.2.0.0,10.2.0.255,US
10.2.1.0,10.2.1.255,US
10.2.0.0,10.2.0.255,CA
";
        let (t, bad) = csv(text, "nested.csv");
        assert!(bad.is_empty(), "{bad:?}");
        let c = |a: &str| t.country(ip(a));
        assert_eq!(c("10.0.0.255"), Some("DE"));
        assert_eq!(c("10.0.1.0"), Some("FR"));
        assert_eq!(c("10.0.1.6"), Some("FR"));
        assert_eq!(c("10.0.1.7"), Some("BE"));
        assert_eq!(c("10.0.1.8"), Some("FR"));
        assert_eq!(c("10.0.2.0"), Some("DE"));
        // Partial overlap: the narrower (NL, 512 addresses) wins where they overlap.
        assert_eq!(c("10.0.254.255"), Some("DE"));
        assert_eq!(c("10.0.255.0"), Some("NL"));
        assert_eq!(c("10.1.0.255"), Some("NL"));
        // Equal width: the earlier line wins; adjacent US ranges are joined.
        assert_eq!(c("10.2.0.0"), Some("US"));
        assert_eq!(c("10.2.1.255"), Some("US"));
        assert_eq!(t.country_v4.len(), 7, "{:?}", t.country_v4);
    }

    /// Random overlapping ranges against a brute-force answer, for loading (narrowest wins,
    /// then the earlier line) and merging (self wins), with keys in one lookup bucket and spread
    /// over many.
    #[test]
    fn random_ranges_match_brute_force() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        const SPACE: u32 = 600;
        for round in 0..60 {
            let scale: u32 = if round % 2 == 0 { 1 } else { 1 << 22 };
            let mut rows = Vec::new();
            for line in 0..(1 + next(40)) {
                let s = next(u64::from(SPACE)) as u32;
                let len = if next(4) == 0 { next(200) } else { next(8) } as u32;
                let e = (s + len).min(SPACE - 1);
                rows.push((s, e, next(5) as u32, line));
            }
            // Brute force: per point, the narrowest covering row, then the earliest.
            let want = |p: u32| {
                rows.iter()
                    .filter(|r| r.0 <= p && p <= r.1)
                    .min_by_key(|r| (r.1 - r.0, r.3))
                    .map(|r| r.2)
            };
            let scaled: Vec<(u32, u32, u32, u64)> = rows
                .iter()
                .map(|r| (r.0 * scale, r.1 * scale + (scale - 1), r.2, r.3))
                .collect();
            let t = Ranges::from_rows(scaled.clone());
            assert!(t.starts.windows(2).all(|w| w[0] < w[1]));
            assert!(t.starts.iter().zip(&t.ends).all(|(s, e)| s <= e));
            for p in 0..SPACE {
                for k in [p * scale, p * scale + (scale - 1), p * scale + scale / 2] {
                    assert_eq!(
                        t.get(k).copied(),
                        want(p),
                        "round {round} point {p} rows {rows:?}"
                    );
                }
            }
            // Merge: split the rows in two tables; the first wins wherever it has a range.
            let (a_rows, b_rows): (Vec<_>, Vec<_>) = scaled.into_iter().partition(|r| r.3 % 2 == 0);
            let a = Ranges::from_rows(a_rows);
            let b = Ranges::from_rows(b_rows);
            let want_merge: Vec<Option<u32>> = (0..SPACE)
                .map(|p| a.get(p * scale).or(b.get(p * scale)).copied())
                .collect();
            let m = a.overlay(b);
            for p in 0..SPACE {
                assert_eq!(
                    m.get(p * scale).copied(),
                    want_merge[p as usize],
                    "merge round {round} point {p}"
                );
            }
            // Joined: no two adjacent ranges with the same value.
            for i in 1..m.len() {
                assert!(!(m.ends[i - 1] + 1 == m.starts[i] && m.vals[i - 1] == m.vals[i]));
            }
        }
    }

    #[test]
    fn compact_round_trip_equals_csv_table() {
        let t = small_table();
        let mut buf = Vec::new();
        t.write_compact(&mut buf).unwrap();
        let back = RangeTable::read_compact(&buf[..]).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.name(), t.name());
        // Empty tables too.
        let mut buf = Vec::new();
        RangeTable::new("empty").write_compact(&mut buf).unwrap();
        assert_eq!(
            RangeTable::read_compact(&buf[..]).unwrap(),
            RangeTable::new("empty")
        );
        // A range covering a whole address space (size wraps to 0).
        let (full, _) = csv(
            "0.0.0.0,255.255.255.255,US\n::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,DE\n",
            "full.csv",
        );
        let mut buf = Vec::new();
        full.write_compact(&mut buf).unwrap();
        let back = RangeTable::read_compact(&buf[..]).unwrap();
        assert_eq!(back, full);
        assert_eq!(back.country(ip("123.4.5.6")), Some("US"));
        assert_eq!(back.country(ip("2600::1")), Some("DE"));
    }

    #[test]
    fn numeric_csv_equals_text_csv() {
        let num4 = "16777216,16777471,13335,\"Cloudflare, Inc.\"\n16778240,16779263,38803,Gtelecom Pty Ltd\n";
        let text4 = "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n";
        let (a, _) = csv(num4, "x");
        let (b, _) = csv(text4, "x");
        assert_eq!(a, b);
        // IPv6 by the number's size, or by the file's name.
        let num6 = "42540528726795050063891204319802818560,42540528727329395276160870415022948351,2500,WIDE Project\n";
        let (t, _) = csv(num6, "asn-num.csv");
        assert_eq!(t.asn(ip("2001:200::1")), Some((2500, Some("WIDE Project"))));
        let (t, _) = csv("1,255,JP\n", "/some/dir/geo-whois-asn-country-ipv6-num.csv");
        assert_eq!(t.country(ip("::1")), Some("JP"));
        assert_eq!(t.country(ip("0.0.0.1")), None);
        let (t, _) = csv("1,255,JP\n", "geo-ipv4-num.csv");
        assert_eq!(t.country(ip("0.0.0.1")), Some("JP"));
    }

    #[test]
    fn malformed_lines_are_reported_with_line_numbers() {
        let text = "\
ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization
1.0.0.0,1.0.0.255,13335,Cloudflare
# a comment
1.0.4.0,1.0.7.255,notanumber,Bad ASN
1.0.8.0,1.0.8.300,1,Bad address
1.0.9.0,1.0.9.255
1.0.10.255,1.0.10.0,2,Backwards
1.0.11.0,::1,3,Mixed families
1.0.12.0,1.0.12.255,AS4,Prefixed ASN
1.0.13.0,1.0.13.255,5,Org, with an unquoted comma
";
        let (t, bad) = csv(text, "asn.csv");
        assert_eq!(bad.len(), 5, "{bad:?}");
        assert!(bad[0].starts_with("asn.csv:4: bad ASN"), "{bad:?}");
        assert!(
            bad[1].starts_with("asn.csv:5: bad address \"1.0.8.300\""),
            "{bad:?}"
        );
        assert!(bad[2].starts_with("asn.csv:6: expected 4"), "{bad:?}");
        assert!(
            bad[3].starts_with("asn.csv:7: range start is after its end"),
            "{bad:?}"
        );
        assert!(
            bad[4].starts_with("asn.csv:8: range start and end are of different"),
            "{bad:?}"
        );
        assert_eq!(t.asn(ip("1.0.0.1")), Some((13335, Some("Cloudflare"))));
        assert_eq!(t.asn(ip("1.0.12.1")), Some((4, Some("Prefixed ASN"))));
        assert_eq!(
            t.asn(ip("1.0.13.1")),
            Some((5, Some("Org, with an unquoted comma")))
        );
        assert_eq!(t.len(), (3, 0));

        let (_, bad) = csv(
            "1.0.0.0,1.0.0.255,USA\n1.0.1.0,1.0.1.255,US,extra\n1.0.2.0,1.0.2.255,U1\n2.0.0.0,2.0.0.255,FR\n",
            "cc.csv",
        );
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(
            bad[0].starts_with("cc.csv:1: bad country code \"USA\""),
            "{bad:?}"
        );
        assert!(bad[1].starts_with("cc.csv:2: expected 3"), "{bad:?}");
        assert!(bad[2].starts_with("cc.csv:3: bad country code"), "{bad:?}");

        // Invalid UTF-8 spoils its line only.
        let (t, bad) = RangeTable::load_csv(
            &b"1.0.0.0,1.0.0.255,1,\xff\n2.0.0.0,2.0.0.255,2,Ok\n"[..],
            "u.csv",
        )
        .unwrap();
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].starts_with("u.csv:1: "), "{bad:?}");
        assert_eq!(t.asn(ip("2.0.0.1")), Some((2, Some("Ok"))));

        // Nothing usable: an error naming the file and the first problem.
        let err =
            RangeTable::load_csv("garbage\nmore,garbage\n".as_bytes(), "junk.csv").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("junk.csv: no usable line"), "{msg}");
        assert!(msg.contains("junk.csv:2:"), "{msg}");
        // An empty file is an empty table.
        let (t, bad) = csv("", "empty.csv");
        assert!(t.is_empty() && bad.is_empty());
        // Unreadable input stops the load, naming the file.
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let err = RangeTable::load_csv(Failing, "bad.csv").unwrap_err();
        assert!(
            matches!(err, GeoError::Parse { ref file, .. } if file == "bad.csv"),
            "{err}"
        );
    }

    #[test]
    fn read_compact_rejects_damage() {
        let t = small_table();
        let mut buf = Vec::new();
        t.write_compact(&mut buf).unwrap();
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&buf[..])
            .read_to_end(&mut raw)
            .unwrap();
        let gz = |data: &[u8]| {
            let mut out = Vec::new();
            let mut e = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap();
            out
        };
        let err = |data: &[u8]| {
            RangeTable::read_compact(&gz(data)[..])
                .unwrap_err()
                .to_string()
        };
        assert!(RangeTable::read_compact(&b"not gzip"[..]).is_err());
        assert!(RangeTable::read_compact(&buf[..buf.len() / 2]).is_err());
        assert!(err(b"XXXX").contains("bad magic"));
        let mut v2 = raw.clone();
        v2[4] = 2;
        assert!(err(&v2).contains("version 2"));
        assert!(
            err(&raw[..raw.len() - 10]).contains("truncated")
                || err(&raw[..raw.len() - 10]).contains("end marker")
        );
        let mut extra = raw.clone();
        extra.push(0);
        assert!(err(&extra).contains("end marker"));
        assert!(err(&[]).contains("truncated"));
        assert!(RangeTable::read_compact(&gz(&raw)[..]).is_ok());
    }

    #[test]
    fn merge_keeps_self_first_and_fills_gaps() {
        let (a, _) = csv("1.0.0.0,1.0.0.255,1,One\n3.0.0.0,3.0.0.255,3,Three\n", "a");
        let (b, _) = csv(
            "0.0.0.0,1.0.0.127,9,Nine\n1.0.1.0,2.255.255.255,9,Nine\n3.0.0.128,3.0.1.0,8,Eight\n",
            "b",
        );
        let m = a.merge(b);
        assert_eq!(m.name(), "a + b");
        let asn = |s: &str| m.asn(ip(s)).map(|x| x.0);
        assert_eq!(asn("0.255.255.255"), Some(9));
        assert_eq!(asn("1.0.0.0"), Some(1));
        assert_eq!(asn("1.0.0.200"), Some(1));
        assert_eq!(asn("1.0.1.0"), Some(9));
        assert_eq!(asn("3.0.0.200"), Some(3));
        assert_eq!(asn("3.0.1.0"), Some(8));
        assert_eq!(asn("3.0.1.1"), None);
        assert_eq!(m.asn(ip("1.0.1.0")).unwrap().1, Some("Nine"));
        // 0.0.0.0-1.0.0.127 (9) is hidden from 1.0.0.0 on; 1.0.1.0-2.255.255.255 (9) adjoins
        // nothing of the same value.
        assert_eq!(m.asn_v4.len(), 5, "{:?}", m.asn_v4);
        // Merging with an empty table changes nothing but the name.
        let (c, _) = csv("1.0.0.0,1.0.0.255,US\n", "c");
        let mut m2 = c.clone().merge(RangeTable::default());
        m2.set_name("c");
        assert_eq!(m2, c);
    }

    #[test]
    fn first_source_wins_per_field() {
        let (first, _) = csv("8.8.8.0,8.8.8.255,15169,\n", "first");
        let (second, _) = csv(
            "8.8.8.0,8.8.8.255,15169,Google LLC\n9.0.0.0,9.255.255.255,3356,Level 3\n",
            "second",
        );
        let (cc, _) = csv("8.8.8.0,8.8.8.255,US\n", "cc");
        let geo = Geo::new(vec![Box::new(first), Box::new(second), Box::new(cc)]);
        assert_eq!(
            geo.source_names().collect::<Vec<_>>(),
            ["first", "second", "cc"]
        );
        let g = geo.lookup(ip("8.8.8.8"));
        assert_eq!(
            (g.asn, g.asn_org.as_deref(), g.country_code.as_deref()),
            (Some(15169), Some("Google LLC"), Some("US"))
        );
        // An org name of a different ASN is not taken.
        let (a, _) = csv("9.1.0.0,9.1.0.255,1,\n", "a");
        let (b, _) = csv("9.0.0.0,9.255.255.255,3356,Level 3\n", "b");
        let g = Geo::new(vec![Box::new(a), Box::new(b)]).lookup(ip("9.1.0.1"));
        assert_eq!((g.asn, g.asn_org), (Some(1), None));
        assert!(Geo::empty().lookup(ip("8.8.8.8")).is_empty());
    }

    #[test]
    fn country_names() {
        assert!(
            COUNTRY_NAMES.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no duplicates"
        );
        assert!(COUNTRY_NAMES.len() >= 249);
        assert_eq!(country_name("US"), Some("United States"));
        assert_eq!(country_name("gb"), Some("United Kingdom"));
        assert_eq!(country_name("XK"), Some("Kosovo"));
        assert_eq!(country_name("ZZ"), None);
        assert_eq!(country_name("USA"), None);
        assert_eq!(country_name(""), None);
        // Every country the built-in table names has a name.
        let t = RangeTable::builtin().unwrap();
        let mut codes: Vec<Cc> = t
            .country_v4
            .vals
            .iter()
            .chain(&t.country_v6.vals)
            .copied()
            .collect();
        codes.sort_unstable();
        codes.dedup();
        assert!(codes.len() > 240);
        for c in codes {
            let c = std::str::from_utf8(&c).unwrap();
            assert!(country_name(c).is_some(), "no name for {c}");
        }
    }

    static TEST_MMDB: &[u8] = include_bytes!("../tests/data/geo-test.mmdb");

    #[test]
    fn mmdb_source() {
        let path =
            std::env::temp_dir().join(format!("warden-geo-test-{}.mmdb", std::process::id()));
        std::fs::write(&path, TEST_MMDB).unwrap();
        let db = MmdbSource::open(&path);
        std::fs::remove_file(&path).unwrap();
        let db = db.unwrap();
        assert_eq!(db.database_type(), "Warden-Test");
        assert_eq!(db.build_epoch(), 1_700_000_000);
        assert!(
            db.name().starts_with("warden-geo-test-") && db.name().ends_with("(Warden-Test)"),
            "{}",
            db.name()
        );
        let look = |a: &str| {
            let mut g = GeoInfo::default();
            db.lookup(ip(a), &mut g);
            g
        };
        // MaxMind City schema.
        assert_eq!(
            look("89.160.20.128"),
            GeoInfo {
                country_code: Some("SE".into()),
                country_name: Some("Sweden".into()),
                city: Some("Linköping".into()),
                lat: Some(58.4167),
                lon: Some(15.6167),
                ..GeoInfo::default()
            }
        );
        // ASN schema.
        let g = look("1.128.0.1");
        assert_eq!(
            (g.asn, g.asn_org.as_deref()),
            (Some(1221), Some("Telstra Pty Ltd"))
        );
        assert_eq!(g.country_code, None);
        // ip-location-db's flat schema, IPv6.
        let g = look("2001:218::1");
        assert_eq!(g.country_code.as_deref(), Some("JP"));
        assert_eq!(g.city.as_deref(), Some("Tokyo"));
        assert_eq!((g.lat, g.lon), (Some(35.6895), Some(139.6917)));
        // Only a registered country.
        assert_eq!(look("67.43.156.1").country_code.as_deref(), Some("BT"));
        // Unknown / malformed values and absent networks give nothing.
        assert!(look("5.5.5.5").is_empty());
        assert!(look("8.8.8.8").is_empty());
        assert!(look("2600::1").is_empty());

        // In a Geo, the database answers first and the tables fill the rest.
        let mem = MmdbSource::from_bytes(TEST_MMDB.to_vec(), "test.mmdb").unwrap();
        let (asn, _) = csv("89.160.0.0,89.160.255.255,29518,Bredband2 AB\n", "asn");
        let (cc, _) = csv(
            "89.160.0.0,89.160.255.255,NO\n1.128.0.0,1.159.255.255,AU\n",
            "cc",
        );
        let geo = Geo::new(vec![Box::new(mem), Box::new(asn.merge(cc))]);
        let g = geo.lookup(ip("89.160.20.128"));
        assert_eq!(g.country_code.as_deref(), Some("SE"));
        assert_eq!(g.city.as_deref(), Some("Linköping"));
        assert_eq!(
            (g.asn, g.asn_org.as_deref()),
            (Some(29518), Some("Bredband2 AB"))
        );
        let g = geo.lookup(ip("1.128.0.1"));
        assert_eq!(
            (g.asn, g.country_code.as_deref(), g.country_name.as_deref()),
            (Some(1221), Some("AU"), Some("Australia"))
        );
    }

    #[test]
    fn mmdb_errors_name_the_file() {
        let err = MmdbSource::open(Path::new("/nonexistent/GeoLite2-City.mmdb"))
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/GeoLite2-City.mmdb: "),
            "{err}"
        );
        let err = MmdbSource::from_bytes(b"not a database".to_vec(), "junk.mmdb")
            .err()
            .unwrap();
        assert!(
            matches!(err, GeoError::Mmdb { ref path, .. } if path == "junk.mmdb"),
            "{err}"
        );
    }
}

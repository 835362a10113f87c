//! Warden's intelligence: threat lists, trusted IP lists, AWS's own address ranges and IP
//! geolocation, behind one lookup service that every detector (CloudTrail, network, DNS,
//! Kubernetes, RDS, runtime) asks "what is this address / domain?".
//!
//! Lookups stay fast at scale: IP lists are prefix tries (longest-prefix match, IPv4 and IPv6),
//! domain lists are hash sets matched by suffix (a listed `evil.com` matches `a.b.evil.com`),
//! case-insensitively.

pub mod aws;
pub mod builtin;
pub mod formats;
pub mod geo;
pub mod load;
pub mod maltrail;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

pub use aws::{AwsRange, AwsRanges};
pub use formats::{Indicator, ListFormat, ParsedList};
pub use geo::{Geo, GeoInfo};
pub use maltrail::Category;

/// Where a list's knowledge comes from; decides which finding types a match raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// A customer's threat list (ThreatIntelSet / `--threat-list`): `.Custom` finding types.
    Custom,
    /// Tor exit nodes: `TorIPCaller` types.
    TorExit,
    /// Any Tor relay (issue: network sources).
    TorRelay,
    /// Warden's malicious-address intelligence: `MaliciousIPCaller` types.
    Malicious,
    /// Crypto-mining pools.
    Mining,
    /// A trusted IP list (IPSet): suppresses findings.
    Trusted,
    /// A list whose every entry carries a [`Category`] (the maltrail-derived intelligence):
    /// the category decides the finding type. One list holds all categories, so lookups cost
    /// the same however many categories there are.
    Categorised,
}

/// What a list stores for an entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tag {
    threat: Option<Arc<str>>,
    category: Option<Category>,
}

/// One loaded list.
pub struct ThreatList {
    pub name: Arc<str>,
    pub kind: ListKind,
    v4: PrefixMap<Ipv4Net, Tag>,
    v6: PrefixMap<Ipv6Net, Tag>,
    /// foldhash: a fast hasher matters here (a query name costs one lookup per label, in tables
    /// of over a million names); lookups never insert, so hostile names cannot degrade it.
    domains: HashMap<Box<str>, Tag, foldhash::fast::RandomState>,
}

/// A list entry that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub list: Arc<str>,
    pub kind: ListKind,
    /// The threat the list names for the entry, when it names one.
    pub threat: Option<Arc<str>>,
    /// The entry that matched (a prefix or a domain).
    pub entry: String,
    /// The entry's category, on a [`ListKind::Categorised`] list.
    pub category: Option<Category>,
}

impl ThreatList {
    pub fn new(name: &str, kind: ListKind) -> Self {
        ThreatList {
            name: name.into(),
            kind,
            v4: PrefixMap::new(),
            v6: PrefixMap::new(),
            domains: HashMap::default(),
        }
    }

    /// Build from parsed entries. Threat names are interned.
    pub fn from_parsed(name: &str, kind: ListKind, parsed: &ParsedList) -> Self {
        let mut l = ThreatList::new(name, kind);
        let mut names: HashMap<&str, Arc<str>> = HashMap::new();
        for e in &parsed.entries {
            let threat = e
                .threat_name
                .as_deref()
                .map(|t| names.entry(t).or_insert_with(|| t.into()).clone());
            l.insert(&e.indicator, threat);
        }
        l
    }

    pub fn insert(&mut self, indicator: &Indicator, threat: Option<Arc<str>>) {
        self.insert_tag(
            indicator,
            Tag {
                threat,
                category: None,
            },
        )
    }

    /// Insert an entry with its category (for [`ListKind::Categorised`] lists).
    pub fn insert_categorised(
        &mut self,
        indicator: &Indicator,
        threat: Option<Arc<str>>,
        category: Category,
    ) {
        self.insert_tag(
            indicator,
            Tag {
                threat,
                category: Some(category),
            },
        )
    }

    fn insert_tag(&mut self, indicator: &Indicator, threat: Tag) {
        match indicator {
            Indicator::Net(IpNet::V4(n)) => {
                self.v4.insert(n.trunc(), threat);
            }
            Indicator::Net(IpNet::V6(n)) => {
                self.v6.insert(n.trunc(), threat);
            }
            Indicator::Domain(d) => {
                self.domains
                    .insert(d.to_ascii_lowercase().into_boxed_str(), threat);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len() + self.domains.len()
    }

    /// Every listed domain with its threat name and category (in no particular order).
    pub fn domain_entries(
        &self,
    ) -> impl Iterator<Item = (&str, Option<&str>, Option<Category>)> + '_ {
        self.domains
            .iter()
            .map(|(d, t)| (&**d, t.threat.as_deref(), t.category))
    }

    /// Every listed IP network with its threat name and category (in no particular order).
    pub fn net_entries(
        &self,
    ) -> impl Iterator<Item = (IpNet, Option<&str>, Option<Category>)> + '_ {
        fn tag(t: &Tag) -> (Option<&str>, Option<Category>) {
            (t.threat.as_deref(), t.category)
        }
        self.v4
            .iter()
            .map(|(n, t)| (IpNet::V4(n), tag(t)))
            .chain(self.v6.iter().map(|(n, t)| (IpNet::V6(n), tag(t))))
            .map(|(n, (t, c))| (n, t, c))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most specific entry holding `ip`.
    pub fn match_ip(&self, ip: IpAddr) -> Option<Match> {
        let (entry, threat) = match ip {
            IpAddr::V4(a) => self
                .v4
                .get_lpm(&Ipv4Net::from(a))
                .map(|(p, t)| (p.to_string(), t))?,
            IpAddr::V6(a) => {
                // An IPv4-mapped IPv6 address is the IPv4 address.
                if let Some(v4) = a.to_ipv4_mapped() {
                    return self.match_ip(IpAddr::V4(v4));
                }
                self.v6
                    .get_lpm(&Ipv6Net::from(a))
                    .map(|(p, t)| (p.to_string(), t))?
            }
        };
        Some(Match {
            list: self.name.clone(),
            kind: self.kind,
            threat: threat.threat.clone(),
            entry,
            category: threat.category,
        })
    }

    /// The listed domain equal to `domain` or one of its parents (case-insensitive; a trailing
    /// dot is ignored).
    pub fn match_domain(&self, domain: &str) -> Option<Match> {
        if self.domains.is_empty() {
            return None;
        }
        let d = domain.trim_end_matches('.');
        let lower;
        let d = if d.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = d.to_ascii_lowercase();
            lower.as_str()
        } else {
            d
        };
        let mut rest = d;
        // Listed domains always have a dot (see `formats`), so a bare TLD is never looked up.
        while rest.contains('.') {
            if let Some((k, t)) = self.domains.get_key_value(rest) {
                return Some(Match {
                    list: self.name.clone(),
                    kind: self.kind,
                    threat: t.threat.clone(),
                    entry: k.to_string(),
                    category: t.category,
                });
            }
            match rest.find('.') {
                Some(i) => rest = &rest[i + 1..],
                None => return None,
            }
        }
        None
    }

    /// Make room for `n` more domains (bulk loads).
    pub fn reserve_domains(&mut self, n: usize) {
        self.domains.reserve(n);
    }
}

/// Everything Warden knows about addresses and domains. Immutable once built; reloading builds
/// a new one (see [`load::LiveIntel`]).
#[derive(Default)]
pub struct Intel {
    threat_lists: Vec<Arc<ThreatList>>,
    trusted_lists: Vec<Arc<ThreatList>>,
    aws: AwsRanges,
    geo: Option<Geo>,
}

/// What every list knows about one address.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IpReport {
    pub threats: Vec<Match>,
    pub trusted: Vec<Match>,
    pub aws: Option<AwsRange>,
    pub geo: GeoInfo,
}

impl Intel {
    pub fn new(
        threat_lists: Vec<ThreatList>,
        trusted_lists: Vec<ThreatList>,
        aws: AwsRanges,
        geo: Option<Geo>,
    ) -> Self {
        Intel {
            threat_lists: threat_lists.into_iter().map(Arc::new).collect(),
            trusted_lists: trusted_lists.into_iter().map(Arc::new).collect(),
            aws,
            geo,
        }
    }

    /// Use `old`'s list called `name` in place of this one's (or in addition, if this one has
    /// none). Returns whether `old` had it.
    pub fn replace_list_from(&mut self, old: &Intel, name: &str) -> bool {
        let Some(prev) = old.lists_arc().find(|l| &*l.name == name).cloned() else {
            return false;
        };
        let target = if prev.kind == ListKind::Trusted {
            &mut self.trusted_lists
        } else {
            &mut self.threat_lists
        };
        match target.iter_mut().find(|l| &*l.name == name) {
            Some(slot) => *slot = prev,
            None => target.push(prev),
        }
        true
    }

    fn lists_arc(&self) -> impl Iterator<Item = &Arc<ThreatList>> {
        self.threat_lists.iter().chain(self.trusted_lists.iter())
    }

    /// Threat-list entries matching `ip`, one per list at most.
    pub fn ip_threats(&self, ip: IpAddr, out: &mut Vec<Match>) {
        out.extend(self.threat_lists.iter().filter_map(|l| l.match_ip(ip)));
    }

    /// Entries of lists of one kind matching `ip` (e.g. only the categorised intelligence).
    pub fn ip_threats_of(&self, kind: ListKind, ip: IpAddr, out: &mut Vec<Match>) {
        out.extend(
            self.threat_lists
                .iter()
                .filter(|l| l.kind == kind)
                .filter_map(|l| l.match_ip(ip)),
        );
    }

    pub fn domain_threats(&self, domain: &str, out: &mut Vec<Match>) {
        out.extend(
            self.threat_lists
                .iter()
                .filter_map(|l| l.match_domain(domain)),
        );
    }

    /// Whether a trusted IP list holds `ip`.
    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted_lists.iter().any(|l| l.match_ip(ip).is_some())
    }

    pub fn aws_range(&self, ip: IpAddr) -> Option<AwsRange> {
        self.aws.lookup(ip)
    }

    pub fn is_aws(&self, ip: IpAddr) -> bool {
        self.aws.contains(ip)
    }

    pub fn geo(&self, ip: IpAddr) -> GeoInfo {
        match &self.geo {
            Some(g) => g.lookup(ip),
            None => GeoInfo {
                special: geo::special_range(ip),
                ..Default::default()
            },
        }
    }

    pub fn lookup_ip(&self, ip: IpAddr) -> IpReport {
        let mut threats = Vec::new();
        self.ip_threats(ip, &mut threats);
        IpReport {
            threats,
            trusted: self
                .trusted_lists
                .iter()
                .filter_map(|l| l.match_ip(ip))
                .collect(),
            aws: self.aws_range(ip),
            geo: self.geo(ip),
        }
    }

    pub fn lists(&self) -> impl Iterator<Item = &ThreatList> {
        self.lists_arc().map(|l| &**l)
    }

    pub fn aws_ranges(&self) -> &AwsRanges {
        &self.aws
    }
}

#[cfg(test)]
mod tests;

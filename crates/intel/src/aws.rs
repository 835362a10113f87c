//! Which addresses belong to AWS, by service and Region, from AWS's published `ip-ranges.json`.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;
use serde::Deserialize;
use std::net::IpAddr;

/// One published range's labels (a prefix may be listed under several services, e.g. AMAZON and EC2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsRange {
    pub prefix: IpNet,
    pub services: Vec<String>,
    pub region: String,
}

#[derive(Default)]
pub struct AwsRanges {
    v4: PrefixMap<Ipv4Net, (Vec<String>, String)>,
    v6: PrefixMap<Ipv6Net, (Vec<String>, String)>,
    pub sync_token: Option<String>,
}

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "syncToken")]
    sync_token: Option<String>,
    #[serde(default)]
    prefixes: Vec<P4>,
    #[serde(default)]
    ipv6_prefixes: Vec<P6>,
}
#[derive(Deserialize)]
struct P4 {
    ip_prefix: Ipv4Net,
    region: String,
    service: String,
}
#[derive(Deserialize)]
struct P6 {
    ipv6_prefix: Ipv6Net,
    region: String,
    service: String,
}

impl AwsRanges {
    /// Parse `ip-ranges.json`.
    pub fn parse(json: &[u8]) -> Result<Self, serde_json::Error> {
        let doc: Doc = serde_json::from_slice(json)?;
        let mut r = AwsRanges {
            sync_token: doc.sync_token,
            ..Default::default()
        };
        for p in doc.prefixes {
            let e =
                r.v4.entry(p.ip_prefix.trunc())
                    .or_insert_with(|| (Vec::new(), p.region.clone()));
            if !e.0.contains(&p.service) {
                e.0.push(p.service);
            }
        }
        for p in doc.ipv6_prefixes {
            let e =
                r.v6.entry(p.ipv6_prefix.trunc())
                    .or_insert_with(|| (Vec::new(), p.region.clone()));
            if !e.0.contains(&p.service) {
                e.0.push(p.service);
            }
        }
        Ok(r)
    }

    /// The most specific published range holding `ip`.
    pub fn lookup(&self, ip: IpAddr) -> Option<AwsRange> {
        match ip {
            IpAddr::V4(a) => self
                .v4
                .get_lpm(&Ipv4Net::from(a))
                .map(|(p, (s, r))| AwsRange {
                    prefix: IpNet::V4(p),
                    services: s.clone(),
                    region: r.clone(),
                }),
            IpAddr::V6(a) => self
                .v6
                .get_lpm(&Ipv6Net::from(a))
                .map(|(p, (s, r))| AwsRange {
                    prefix: IpNet::V6(p),
                    services: s.clone(),
                    region: r.clone(),
                }),
        }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.get_lpm(&Ipv4Net::from(a)).is_some(),
            IpAddr::V6(a) => self.v6.get_lpm(&Ipv6Net::from(a)).is_some(),
        }
    }

    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

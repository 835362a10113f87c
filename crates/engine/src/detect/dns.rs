//! Detections over Route 53 Resolver query logs that need only intelligence (no state).
//!
//! A query whose name is, or is under, a listed domain raises, for the querying instance
//! (`srcids.instance`, else the source address):
//! * the finding type the list names for the domain: the indicator domains of AWS's GuardDuty
//!   tester stand for their types (`Backdoor:EC2/C&CActivity.B!DNS`,
//!   `CryptoCurrency:EC2/BitcoinTool.B!DNS`, `Trojan:EC2/BlackholeTraffic!DNS`,
//!   `Trojan:EC2/DropPoint!DNS`, `Trojan:EC2/DGADomainRequest.C!DNS`,
//!   `Trojan:EC2/DriveBySourceTraffic!DNS`, `Trojan:EC2/PhishingDomainRequest!DNS`,
//!   `Impact:EC2/*DomainRequest.Reputation`), so running that tester against Warden gives the
//!   same findings;
//! * **CryptoCurrency:EC2/BitcoinTool.B!DNS** (High, 8) for a crypto-mining pool domain;
//! * **Impact:EC2/MaliciousDomainRequest.Custom** (Medium, 5) for a domain on a customer list;
//! * from the categorised maltrail intelligence (list `Maltrail`, see `warden_intel::maltrail`),
//!   by the entry's category: `c2` **Backdoor:EC2/C&CActivity.B!DNS** (High, 8), `drop_point`
//!   **Trojan:EC2/DropPoint!DNS** (Medium, 5), `phishing` **Trojan:EC2/PhishingDomainRequest!DNS**
//!   (High, 8), `drive_by` **Trojan:EC2/DriveBySourceTraffic!DNS** (High, 8), `mining`
//!   **CryptoCurrency:EC2/BitcoinTool.B!DNS**, and the domain-reputation types: `cryptocurrency`
//!   **Impact:EC2/BitcoinDomainRequest.Reputation** (High, 8), `malicious`
//!   **Impact:EC2/MaliciousDomainRequest.Reputation** (High, 8), `abused`
//!   **Impact:EC2/AbusedDomainRequest.Reputation** (Medium, 5), `suspicious`
//!   **Impact:EC2/SuspiciousDomainRequest.Reputation** (Low, 2);
//! * **Trojan:EC2/BlackholeTraffic!DNS** (Medium, 5) when an *answer* (A/AAAA) is a sinkhole
//!   address, or the name itself is a listed sinkhole host: the domain resolves to a black hole
//!   (typically a malware domain taken over by a sinkhole operator).
//!
//! One finding per type per query: a name on two lists that mean the same type raises it once.
//! The evidence's `threatIntelligenceDetails` name the list and the threat (for maltrail, the
//! family).
//!
//! A name that merely contains a listed domain (`evil.com.example.net`) does not match. The
//! stateful DNS detections (DGA by model, tunnelling by entropy and volume) are separate.

use super::dns_behaviour::{DnsFinding, dns_signal, querier, query_event_id};
use crate::decode::dns::DnsQuery;
use std::net::IpAddr;
use std::sync::Arc;
use warden_intel::{Category, Intel, ListKind, Match};
use warden_model::finding::{Evidence, ThreatIntelligenceDetail};
use warden_model::{Signal, catalogue};

pub struct DnsDetector {
    intel: Arc<Intel>,
    matches: Vec<Match>,
    done: Vec<&'static str>,
}

impl DnsDetector {
    pub fn new(intel: Arc<Intel>) -> Self {
        DnsDetector {
            intel,
            matches: Vec::new(),
            done: Vec::new(),
        }
    }

    /// The finding type a domain match stands for, if any.
    fn finding_type(m: &Match) -> Option<&'static str> {
        let cat = catalogue();
        match m.kind {
            ListKind::Custom => Some("Impact:EC2/MaliciousDomainRequest.Custom"),
            ListKind::Mining => Some("CryptoCurrency:EC2/BitcoinTool.B!DNS"),
            ListKind::Categorised => Some(match m.category? {
                Category::CommandAndControl => "Backdoor:EC2/C&CActivity.B!DNS",
                Category::Sinkhole => "Trojan:EC2/BlackholeTraffic!DNS",
                Category::DropPoint => "Trojan:EC2/DropPoint!DNS",
                Category::Phishing => "Trojan:EC2/PhishingDomainRequest!DNS",
                Category::DriveBy => "Trojan:EC2/DriveBySourceTraffic!DNS",
                Category::Mining => "CryptoCurrency:EC2/BitcoinTool.B!DNS",
                Category::Cryptocurrency => "Impact:EC2/BitcoinDomainRequest.Reputation",
                Category::Malicious => "Impact:EC2/MaliciousDomainRequest.Reputation",
                Category::Abused => "Impact:EC2/AbusedDomainRequest.Reputation",
                Category::Suspicious => "Impact:EC2/SuspiciousDomainRequest.Reputation",
            }),
            ListKind::Malicious => {
                let t = m.threat.as_deref()?;
                cat.get(t)
                    .filter(|i| i.finding_type.contains(":EC2/") && !i.retired)
                    .map(|i| i.finding_type)
            }
            _ => None,
        }
    }

    pub fn detect(&mut self, q: &DnsQuery<'_>, time: i64, out: &mut Vec<Signal>) {
        let name = q.query_name().trim_end_matches('.');
        if name.is_empty() {
            return;
        }
        self.done.clear();
        self.matches.clear();
        self.intel.domain_threats(name, &mut self.matches);
        for m in std::mem::take(&mut self.matches) {
            let Some(ty) = Self::finding_type(&m) else {
                continue;
            };
            if self.done.contains(&ty) {
                continue;
            }
            self.done.push(ty);
            let threat = m.threat.as_deref().unwrap_or(match m.kind {
                ListKind::Mining => "CryptoMining",
                _ => "MaliciousDomain",
            });
            let reason = match m.category {
                Some(c) => format!(
                    "{name} matches {} on the list {} (category {c}, family {threat})",
                    m.entry, m.list
                ),
                None => format!(
                    "{name} matches {} on the list {} ({threat})",
                    m.entry, m.list
                ),
            };
            out.push(self.signal(q, name, time, ty, &m, threat, reason));
        }
        self.answers(q, name, time, out);
    }

    /// BlackholeTraffic!DNS for an answer that is a sinkhole address.
    fn answers(&mut self, q: &DnsQuery<'_>, name: &str, time: i64, out: &mut Vec<Signal>) {
        const TY: &str = "Trojan:EC2/BlackholeTraffic!DNS";
        if self.done.contains(&TY) {
            return;
        }
        for a in &q.answers {
            if !matches!(a.rtype.as_deref(), Some("A" | "AAAA") | None) {
                continue;
            }
            let Ok(ip) = a.rdata.trim().parse::<IpAddr>() else {
                continue;
            };
            self.matches.clear();
            self.intel
                .ip_threats_of(ListKind::Categorised, ip, &mut self.matches);
            let Some(m) = self.matches.drain(..).find(|m| {
                m.kind == ListKind::Categorised && m.category == Some(Category::Sinkhole)
            }) else {
                continue;
            };
            let threat = m.threat.clone();
            let threat = threat.as_deref().unwrap_or("Sinkhole");
            let reason = format!(
                "{name} resolved to {ip}, a black-hole (sinkhole) address on the list {} (entry {}, family {threat})",
                m.list, m.entry
            );
            self.done.push(TY);
            out.push(self.signal(q, name, time, TY, &m, threat, reason));
            return;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn signal(
        &self,
        q: &DnsQuery<'_>,
        name: &str,
        time: i64,
        ty: &'static str,
        m: &Match,
        threat: &str,
        reason: String,
    ) -> Signal {
        let who = querier(q);
        dns_signal(
            q,
            name,
            time,
            DnsFinding {
                finding_type: ty,
                actor_key: m.entry.clone(),
                // An answer match names an address, not a domain suffix.
                domain_with_suffix: (!m.entry.contains('/')).then(|| m.entry.clone()),
                // Resolver logs carry no event id: this identity makes re-reading idempotent.
                event_id: query_event_id(q, name),
                title: format!(
                    "{who} queried {name}, a domain on the threat list {}.",
                    m.list
                ),
                reason,
                evidence: Some(Evidence {
                    threat_intelligence_details: vec![ThreatIntelligenceDetail {
                        threat_list_name: m.list.to_string(),
                        threat_names: vec![threat.to_string()],
                        ..Default::default()
                    }],
                }),
            },
        )
    }
}

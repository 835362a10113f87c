//! Detections over VPC Flow Logs that need only intelligence (no state). Each looks at an
//! accepted flow between one of your network interfaces (a private, non-routable address, or the
//! side `flow-direction` names) and a public remote address:
//!
//! * **UnauthorizedAccess:EC2/MaliciousIPCaller.Custom** (Medium, 5): either direction, the remote
//!   address is on a customer threat list.
//! * **UnauthorizedAccess:EC2/TorClient** (High, 8): outbound to a Tor relay (the instance uses
//!   Tor).
//! * **UnauthorizedAccess:EC2/TorRelay** (High, 8): inbound from a Tor relay to a Tor ORPort or
//!   DirPort (9001, 9030): the instance serves as a relay. Inbound from Tor to other ports (for
//!   example SSH through Tor) is not a relay.
//! * **CryptoCurrency:EC2/BitcoinTool.B** (High, 8): outbound to a crypto-mining pool address
//!   (Warden's mining feed, or a maltrail `mining` / `cryptocurrency` entry).
//!
//! From the categorised maltrail intelligence (list `Maltrail`, see `warden_intel::maltrail`):
//! * **Backdoor:EC2/C&CActivity.B** (High, 8): traffic with a command-and-control address, in
//!   either direction (GuardDuty: the instance "exchanges traffic" with the C&C server; an
//!   accepted inbound connection from it is a bind-shell style backdoor).
//! * **Trojan:EC2/BlackholeTraffic** (Medium, 5): outbound to a sinkhole / black-hole address
//!   (the instance *tries to reach* it: a sinkholed malware domain still resolves there). Inbound
//!   traffic from a sinkhole (its scanners, its replies) says nothing about the instance.
//! * **Trojan:EC2/DropPoint** (Medium, 5): outbound to an address known to collect stolen
//!   credentials or data (information stealers' servers, web skimmers' collectors).
//!
//! The finding's `threatIntelligenceDetails` name the list and the maltrail family.
//!
//! Rejected flows, NODATA/SKIPDATA records and flows with both ends private raise nothing here.
//! The stateful network detections (scans, brute force, floods, unusual traffic) are separate.

use crate::decode::flow::{FlowAction, FlowDirection, FlowRecord, LogStatus};
use std::net::IpAddr;
use std::sync::Arc;
use warden_intel::geo::special_range;
use warden_intel::{Category, Intel, ListKind, Match};
use warden_model::finding::{
    Action, Evidence, InstanceDetails, LocalIpDetails, NetworkConnectionAction, PortDetails,
    RemoteIpDetails, Resource, ThreatIntelligenceDetail,
};
use warden_model::{Signal, catalogue};

pub struct FlowDetector {
    intel: Arc<Intel>,
    matches: Vec<Match>,
}

pub(crate) fn port_name(port: u16) -> &'static str {
    match port {
        22 => "SSH",
        25 => "SMTP",
        53 => "DNS",
        80 => "HTTP",
        443 => "HTTPS",
        3389 => "RDP",
        3333 | 4444 | 5555 | 14444 => "Mining",
        9001 => "Tor ORPort",
        9030 => "Tor DirPort",
        _ => "Unknown",
    }
}

fn protocol_name(p: Option<u8>) -> String {
    match p {
        Some(6) => "TCP".into(),
        Some(17) => "UDP".into(),
        Some(1) => "ICMP".into(),
        Some(n) => n.to_string(),
        None => "Unknown".into(),
    }
}

pub(crate) fn ip_details(ip: IpAddr) -> (Option<String>, Option<String>) {
    match ip {
        IpAddr::V4(_) => (Some(ip.to_string()), None),
        IpAddr::V6(_) => (None, Some(ip.to_string())),
    }
}

/// A flow seen from your side: which end is the local interface.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Oriented {
    pub outbound: bool,
    pub local_ip: IpAddr,
    pub local_port: Option<u16>,
    pub remote_ip: IpAddr,
    pub remote_port: Option<u16>,
}

/// Which end of a flow is ours: the record's own direction when written, else the non-routable
/// end. None when both or neither end is private, or the remote end is not public.
pub(crate) fn orient(r: &FlowRecord<'_>) -> Option<Oriented> {
    let (src, dst) = (r.srcaddr?, r.dstaddr?);
    let local = |ip: IpAddr| special_range(ip).is_some();
    let outbound = match r.flow_direction {
        Some(FlowDirection::Egress) => true,
        Some(FlowDirection::Ingress) => false,
        None => match (local(src), local(dst)) {
            (true, false) => true,
            (false, true) => false,
            _ => return None,
        },
    };
    let o = if outbound {
        Oriented {
            outbound,
            local_ip: src,
            local_port: r.srcport,
            remote_ip: dst,
            remote_port: r.dstport,
        }
    } else {
        Oriented {
            outbound,
            local_ip: dst,
            local_port: r.dstport,
            remote_ip: src,
            remote_port: r.srcport,
        }
    };
    special_range(o.remote_ip).is_none().then_some(o)
}

/// The finding's NETWORK_CONNECTION action for a flow.
pub(crate) fn connection_action(r: &FlowRecord<'_>, o: &Oriented) -> Action {
    let (l4, l6) = ip_details(o.local_ip);
    let (r4, r6) = ip_details(o.remote_ip);
    Action {
        action_type: "NETWORK_CONNECTION".into(),
        aws_api_call_action: None,
        dns_request_action: None,
        network_connection_action: Some(NetworkConnectionAction {
            blocked: r.action == Some(FlowAction::Reject),
            connection_direction: if o.outbound { "OUTBOUND" } else { "INBOUND" }.into(),
            local_port_details: o.local_port.map(|p| PortDetails {
                port: p.into(),
                port_name: port_name(p).into(),
            }),
            protocol: protocol_name(r.protocol),
            local_ip_details: Some(LocalIpDetails {
                ip_address_v4: l4,
                ip_address_v6: l6,
            }),
            local_network_interface: r.interface_id.map(str::to_string),
            remote_ip_details: Some(RemoteIpDetails {
                ip_address_v4: r4,
                ip_address_v6: r6,
                ..Default::default()
            }),
            remote_port_details: o.remote_port.map(|p| PortDetails {
                port: p.into(),
                port_name: port_name(p).into(),
            }),
        }),
        port_probe_action: None,
        ..Default::default()
    }
}

/// What a flow-log detector found; [`flow_signal`] turns it into a signal the same way for every
/// flow detector (the instance resource, account, Region, words).
pub(crate) struct FlowFinding {
    pub finding_type: &'static str,
    pub severity: f64,
    /// ACTOR when the instance did it, TARGET when it was done to the instance.
    pub role: &'static str,
    pub actor_key: String,
    /// Stable for the occurrence, so re-reading the same logs does not count it again.
    pub event_id: String,
    pub time_ms: i64,
    pub title: String,
    /// Why, in words; also the description.
    pub reason: String,
    pub action: Action,
    pub evidence: Option<Evidence>,
}

/// How titles name the local end of a flow: the instance, else the interface and address.
pub(crate) fn local_name(r: &FlowRecord<'_>, local_ip: IpAddr) -> String {
    match r.instance_id {
        Some(i) => i.to_string(),
        None => format!("{} ({local_ip})", r.interface_id.unwrap_or("unknown-eni")),
    }
}

pub(crate) fn flow_signal(r: &FlowRecord<'_>, f: FlowFinding) -> Signal {
    let key = r.instance_id.or(r.interface_id).unwrap_or("unknown");
    Signal {
        finding_type: f.finding_type,
        severity: f.severity,
        rule: None,
        account_id: r.account_id.unwrap_or("").to_string(),
        region: r.region.unwrap_or("").to_string(),
        resource: Resource {
            resource_type: "Instance".into(),
            instance_details: Some(InstanceDetails {
                instance_id: r.instance_id.map(str::to_string),
                ..Default::default()
            }),
            ..Default::default()
        },
        resource_key: format!("instance:{key}"),
        actor_key: f.actor_key,
        action: f.action,
        resource_role: f.role,
        evidence: f.evidence,
        event_id: Some(f.event_id),
        event_time: f.time_ms,
        title: f.title,
        description: format!("{}.", f.reason),
        reasons: vec![f.reason],
    }
}

impl FlowDetector {
    pub fn new(intel: Arc<Intel>) -> Self {
        FlowDetector {
            intel,
            matches: Vec::new(),
        }
    }

    pub fn detect(&mut self, r: &FlowRecord<'_>, out: &mut Vec<Signal>) {
        if r.action != Some(FlowAction::Accept) || r.log_status.is_some_and(|s| s != LogStatus::Ok)
        {
            return;
        }
        let Some(Oriented {
            outbound,
            local_ip,
            local_port,
            remote_ip,
            remote_port,
        }) = orient(r)
        else {
            return;
        };
        let (src, dst) = (
            r.srcaddr.unwrap_or(local_ip),
            r.dstaddr.unwrap_or(remote_ip),
        );
        self.matches.clear();
        self.intel.ip_threats(remote_ip, &mut self.matches);
        if self.matches.is_empty() {
            return;
        }
        let mut done: Vec<&'static str> = Vec::new();
        for m in std::mem::take(&mut self.matches) {
            let ty: &'static str = match (m.kind, outbound) {
                (ListKind::Custom, _) => "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
                (ListKind::TorRelay | ListKind::TorExit, true) => {
                    "UnauthorizedAccess:EC2/TorClient"
                }
                (ListKind::TorRelay | ListKind::TorExit, false)
                    if matches!(local_port, Some(9001 | 9030)) =>
                {
                    "UnauthorizedAccess:EC2/TorRelay"
                }
                (ListKind::Mining, true) => "CryptoCurrency:EC2/BitcoinTool.B",
                (ListKind::Categorised, _) => match (m.category, outbound) {
                    (Some(Category::CommandAndControl), _) => "Backdoor:EC2/C&CActivity.B",
                    (Some(Category::Sinkhole), true) => "Trojan:EC2/BlackholeTraffic",
                    (Some(Category::DropPoint), true) => "Trojan:EC2/DropPoint",
                    (Some(Category::Mining | Category::Cryptocurrency), true) => {
                        "CryptoCurrency:EC2/BitcoinTool.B"
                    }
                    _ => continue,
                },
                _ => continue,
            };
            if done.contains(&ty) {
                continue;
            }
            done.push(ty);
            let severity = catalogue().get(ty).and_then(|t| t.severity).unwrap_or(5.0);
            let eni = r.interface_id.unwrap_or("unknown-eni");
            let who = local_name(r, local_ip);
            let reason = format!(
                "{who} {} {remote_ip}, which is on the list {} (entry {}{})",
                if outbound {
                    "connected to"
                } else {
                    "accepted a connection from"
                },
                m.list,
                m.entry,
                match (m.category, m.threat.as_deref()) {
                    (Some(c), Some(f)) => format!(", category {c}, family {f}"),
                    (Some(c), None) => format!(", category {c}"),
                    _ => String::new(),
                }
            );
            let threat_name = m.threat.as_deref().unwrap_or(match m.kind {
                ListKind::TorRelay | ListKind::TorExit => "TorNode",
                ListKind::Mining => "CryptoMiningPool",
                _ => "MaliciousIP",
            });
            let doing = match ty {
                "UnauthorizedAccess:EC2/TorClient" => "is making connections to the Tor node",
                "UnauthorizedAccess:EC2/TorRelay" => {
                    "is acting as a Tor relay, accepting connections from"
                }
                "CryptoCurrency:EC2/BitcoinTool.B" => {
                    "is communicating with the crypto-mining pool"
                }
                "Backdoor:EC2/C&CActivity.B" => {
                    "is communicating with the command-and-control server"
                }
                "Trojan:EC2/BlackholeTraffic" => "is trying to reach the black-hole address",
                "Trojan:EC2/DropPoint" => "is communicating with the drop point",
                _ => "is communicating with the listed address",
            };
            out.push(flow_signal(
                r,
                FlowFinding {
                    finding_type: ty,
                    severity,
                    role: if outbound { "ACTOR" } else { "TARGET" },
                    actor_key: remote_ip.to_string(),
                    // Flow records have no id: this identity makes re-reading idempotent.
                    event_id: format!(
                        "flow:{eni}:{src}:{}:{dst}:{}:{}:{}",
                        r.srcport.unwrap_or(0),
                        r.dstport.unwrap_or(0),
                        r.protocol.unwrap_or(0),
                        r.start.unwrap_or(0)
                    ),
                    time_ms: r.end.or(r.start).unwrap_or(0) * 1000,
                    title: format!("{who} {doing} {remote_ip}."),
                    reason,
                    action: connection_action(
                        r,
                        &Oriented {
                            outbound,
                            local_ip,
                            local_port,
                            remote_ip,
                            remote_port,
                        },
                    ),
                    evidence: Some(Evidence {
                        threat_intelligence_details: vec![ThreatIntelligenceDetail {
                            threat_list_name: m.list.to_string(),
                            threat_names: vec![threat_name.to_string()],
                            ..Default::default()
                        }],
                    }),
                },
            ));
        }
    }
}

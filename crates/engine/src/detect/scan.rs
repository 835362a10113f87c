//! Port scans and port probes over VPC Flow Logs, counted as distinct values in bounded
//! event-time windows.
//!
//! * **Recon:EC2/Portscan** (Medium, 5): an instance connects out to at least
//!   [`SCAN_PORTS`] distinct ports of one remote host within ten minutes: it is scanning.
//! * **Recon:EC2/PortProbeUnprotectedPort** (Low, 2): at least [`PROBE_SOURCES`] distinct remote
//!   addresses get an accepted inbound connection to the same port of an instance within ten
//!   minutes, on a port that is not a web port (80, 443, 8080, 8443): the port is open to the
//!   internet and being probed.
//! * **Impact:EC2/PortSweep** (High, 8): an instance connects out to the same port of at least
//!   [`SWEEP_HOSTS`] distinct remote hosts within ten minutes (not 53, 80, 123, 443: clients do
//!   that all day).
//! * **Backdoor:EC2/Spambot** (Medium, 5): the same for SMTP (port 25) with at least
//!   [`SPAM_HOSTS`] hosts. GuardDuty compares with the instance's history; without a learned
//!   baseline Warden takes many mail servers in a short time as the sign.
//! * **Recon:EC2/PortProbeEMRUnprotectedPort** (High, 8): the same on an EMR cluster's sensitive
//!   ports (8088 YARN ResourceManager, 8888 Hue, 8998 Livy, 18080 Spark History, 9870/50070 HDFS).
//!
//! Near misses: fewer distinct ports or sources; many connections to one port; rejected inbound
//! flows (the port is protected); web ports. Distinct values are counted with two bounded
//! tables: one remembers which (key, value) pairs were already seen in the window, the other
//! counts new pairs per key; both evict the least recently active entry (see [`BoundedWindows`]).

use super::flow::{FlowFinding, flow_signal, ip_details, local_name, orient, port_name};
use super::window::BoundedWindows;
use crate::decode::flow::{FlowAction, FlowRecord, LogStatus};
use std::net::IpAddr;
use warden_model::Signal;
use warden_model::finding::{
    Action, LocalIpDetails, PortDetails, PortProbeAction, PortProbeDetail, RemoteIpDetails,
};

pub const SCAN_PORTS: u64 = 50;
pub const PROBE_SOURCES: u64 = 5;
pub const SWEEP_HOSTS: u64 = 50;
pub const SPAM_HOSTS: u64 = 20;
const WINDOW_MS: i64 = 10 * 60 * 1000;
const EMR_PORTS: [u16; 6] = [8088, 8888, 8998, 18080, 9870, 50070];

/// Counts distinct values per key.
struct Distinct<K, V> {
    seen: BoundedWindows<(K, V)>,
    counts: BoundedWindows<K>,
}

impl<K: std::hash::Hash + Eq + Clone, V: std::hash::Hash + Eq + Clone> Distinct<K, V> {
    fn new(capacity: usize) -> Self {
        Distinct {
            seen: BoundedWindows::new(capacity, WINDOW_MS),
            counts: BoundedWindows::new(capacity, WINDOW_MS),
        }
    }
    /// Record `value` for `key`; returns the key's distinct count and whether it just crossed
    /// `threshold` for the first time in this window.
    fn add(&mut self, key: K, value: V, time: i64, threshold: u64) -> Option<(u64, i64)> {
        if self.seen.add((key.clone(), value), time).count > 1 {
            return None;
        }
        let w = self.counts.add(key.clone(), time);
        if w.count >= threshold && !w.fired {
            self.counts.mark_fired(&key);
            return Some((w.count, w.first_ms));
        }
        None
    }
    fn len(&self) -> usize {
        self.seen.len() + self.counts.len()
    }
}

pub struct ScanDetector {
    outbound_ports: Distinct<(u64, IpAddr), u16>,
    /// Per (interface, port): distinct remote hosts (port sweeps; port 25 = spam).
    outbound_hosts: Distinct<(u64, u16), IpAddr>,
    inbound_sources: Distinct<(u64, u16), IpAddr>,
}

impl ScanDetector {
    pub fn new(capacity: usize) -> Self {
        ScanDetector {
            outbound_ports: Distinct::new(capacity),
            outbound_hosts: Distinct::new(capacity),
            inbound_sources: Distinct::new(capacity),
        }
    }

    pub fn state_len(&self) -> usize {
        self.outbound_ports.len() + self.outbound_hosts.len() + self.inbound_sources.len()
    }

    pub fn detect(&mut self, r: &FlowRecord<'_>, out: &mut Vec<Signal>) {
        if r.log_status.is_some_and(|s| s != LogStatus::Ok) || !matches!(r.protocol, Some(6 | 17)) {
            return;
        }
        let (Some(o), Some(start)) = (orient(r), r.start) else {
            return;
        };
        let time = start * 1000;
        let iface_name = r.instance_id.or(r.interface_id).unwrap_or("unknown");
        let iface = super::window::fingerprint(iface_name);
        // Only records that raise something need the name: no allocation on the hot path.
        let who = || local_name(r, o.local_ip);
        #[allow(clippy::too_many_arguments)]
        let base = |finding_type, severity, role, actor_key, event_id, title, reason, action| {
            flow_signal(
                r,
                FlowFinding {
                    finding_type,
                    severity,
                    role,
                    actor_key,
                    event_id,
                    time_ms: time,
                    title,
                    reason,
                    action,
                    evidence: None,
                },
            )
        };
        if o.outbound {
            let Some(port) = o.remote_port else { return };
            // Sweeps: one port across many hosts. Web, DNS and time are what clients do all day.
            if !matches!(port, 53 | 80 | 123 | 443) {
                let threshold = if port == 25 { SPAM_HOSTS } else { SWEEP_HOSTS };
                if let Some((n, first)) =
                    self.outbound_hosts
                        .add((iface, port), o.remote_ip, time, threshold)
                {
                    let who = who();
                    let (ty, sev, title, reason) = if port == 25 {
                        (
                            "Backdoor:EC2/Spambot",
                            5.0,
                            format!("{who} is sending email (SMTP, port 25) to {n} remote hosts."),
                            format!(
                                "{who} opened SMTP connections to {n} distinct remote hosts within 10 minutes"
                            ),
                        )
                    } else {
                        (
                            "Impact:EC2/PortSweep",
                            8.0,
                            format!("{who} is probing port {port} across {n} remote hosts."),
                            format!(
                                "{who} connected to port {port} of {n} distinct remote hosts within 10 minutes"
                            ),
                        )
                    };
                    out.push(base(
                        ty,
                        sev,
                        "ACTOR",
                        format!("port:{port}"),
                        format!("sweep:{iface_name}:{port}:{first}"),
                        title,
                        reason,
                        super::flow::connection_action(r, &o),
                    ));
                }
            }
            if let Some((n, first)) =
                self.outbound_ports
                    .add((iface, o.remote_ip), port, time, SCAN_PORTS)
            {
                let who = who();
                let reason = format!(
                    "{who} connected to {n} distinct ports of {} within 10 minutes",
                    o.remote_ip
                );
                out.push(base(
                    "Recon:EC2/Portscan",
                    5.0,
                    "ACTOR",
                    o.remote_ip.to_string(),
                    format!("portscan:{iface_name}:{}:{first}", o.remote_ip),
                    format!(
                        "{who} is performing outbound port scans against remote host {}.",
                        o.remote_ip
                    ),
                    reason,
                    super::flow::connection_action(r, &o),
                ));
            }
        } else if r.action == Some(FlowAction::Accept) {
            let Some(port) = o.local_port else { return };
            if matches!(port, 80 | 443 | 8080 | 8443) {
                return;
            }
            if let Some((n, first)) =
                self.inbound_sources
                    .add((iface, port), o.remote_ip, time, PROBE_SOURCES)
            {
                let who = who();
                let (ty, sev) = if EMR_PORTS.contains(&port) {
                    ("Recon:EC2/PortProbeEMRUnprotectedPort", 8.0)
                } else {
                    ("Recon:EC2/PortProbeUnprotectedPort", 2.0)
                };
                let (l4, l6) = ip_details(o.local_ip);
                let (r4, r6) = ip_details(o.remote_ip);
                let action = Action {
                    action_type: "PORT_PROBE".into(),
                    aws_api_call_action: None,
                    dns_request_action: None,
                    network_connection_action: None,
                    port_probe_action: Some(PortProbeAction {
                        blocked: false,
                        port_probe_details: vec![PortProbeDetail {
                            local_port_details: Some(PortDetails {
                                port: port.into(),
                                port_name: port_name(port).into(),
                            }),
                            local_ip_details: Some(LocalIpDetails {
                                ip_address_v4: l4,
                                ip_address_v6: l6,
                            }),
                            remote_ip_details: Some(RemoteIpDetails {
                                ip_address_v4: r4,
                                ip_address_v6: r6,
                                ..Default::default()
                            }),
                        }],
                    }),
                    ..Default::default()
                };
                let reason = format!(
                    "{n} distinct remote addresses reached open port {port} of {who} within 10 minutes"
                );
                out.push(base(
                    ty,
                    sev,
                    "TARGET",
                    format!("port:{port}"),
                    format!("portprobe:{iface_name}:{port}:{first}"),
                    format!("Unprotected port {port} on {who} is being probed."),
                    reason,
                    action,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::flow::{FlowLayout, parse_line};

    fn line(src: &str, dst: &str, sport: u16, dport: u16, action: &str, start: i64) -> String {
        format!(
            "2 111122223333 eni-0123456789abcdef0 {src} {dst} {sport} {dport} 6 1 44 {start} {} {action} OK",
            start + 1
        )
    }

    fn run(d: &mut ScanDetector, lines: &[String]) -> Vec<Signal> {
        let layout = FlowLayout::default_v2();
        let mut out = Vec::new();
        for l in lines {
            d.detect(&parse_line(&layout, l).unwrap(), &mut out);
        }
        out
    }

    #[test]
    fn outbound_portscan_and_near_misses() {
        let scan: Vec<String> = (0..60)
            .map(|p| {
                line(
                    "10.0.0.5",
                    "45.83.64.20",
                    50000,
                    1000 + p,
                    "REJECT",
                    1_780_000_000 + p as i64,
                )
            })
            .collect();
        let s = run(&mut ScanDetector::new(1000), &scan);
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].finding_type, s[0].severity),
            ("Recon:EC2/Portscan", 5.0)
        );
        // 49 ports, or 500 connections to one port: not a scan.
        let few: Vec<String> = (0..49)
            .map(|p| {
                line(
                    "10.0.0.5",
                    "45.83.64.20",
                    50000,
                    1000 + p,
                    "ACCEPT",
                    1_780_000_000,
                )
            })
            .collect();
        assert!(run(&mut ScanDetector::new(1000), &few).is_empty());
        let same: Vec<String> = (0..500)
            .map(|i| {
                line(
                    "10.0.0.5",
                    "45.83.64.20",
                    30000 + i,
                    443,
                    "ACCEPT",
                    1_780_000_000,
                )
            })
            .collect();
        assert!(run(&mut ScanDetector::new(1000), &same).is_empty());
    }

    #[test]
    fn port_sweep_and_spambot() {
        let sweep: Vec<String> = (0..55)
            .map(|i| {
                line(
                    "10.0.0.5",
                    &format!("45.83.{}.{}", 80 + i / 200, i % 200 + 1),
                    50000,
                    6379,
                    "REJECT",
                    1_780_000_000 + i as i64,
                )
            })
            .collect();
        let s = run(&mut ScanDetector::new(1000), &sweep);
        assert_eq!(
            s.iter().map(|s| s.finding_type).collect::<Vec<_>>(),
            ["Impact:EC2/PortSweep"]
        );
        let spam: Vec<String> = (0..25)
            .map(|i| {
                line(
                    "10.0.0.5",
                    &format!("45.83.90.{}", i + 1),
                    50000,
                    25,
                    "ACCEPT",
                    1_780_000_000 + i as i64,
                )
            })
            .collect();
        let s = run(&mut ScanDetector::new(1000), &spam);
        assert_eq!(
            s.iter().map(|s| s.finding_type).collect::<Vec<_>>(),
            ["Backdoor:EC2/Spambot"]
        );
        // Near misses: HTTPS to many hosts is browsing; mail to a handful of relays is normal.
        let web: Vec<String> = (0..200)
            .map(|i| {
                line(
                    "10.0.0.5",
                    &format!("45.83.91.{}", i + 1),
                    50000,
                    443,
                    "ACCEPT",
                    1_780_000_000,
                )
            })
            .collect();
        assert!(run(&mut ScanDetector::new(1000), &web).is_empty());
        let mail: Vec<String> = (0..19)
            .map(|i| {
                line(
                    "10.0.0.5",
                    &format!("45.83.92.{}", i + 1),
                    50000,
                    25,
                    "ACCEPT",
                    1_780_000_000,
                )
            })
            .collect();
        assert!(run(&mut ScanDetector::new(1000), &mail).is_empty());
    }

    #[test]
    fn inbound_probes_of_an_open_port() {
        let probes: Vec<String> = (0..6)
            .map(|i| {
                line(
                    &format!("45.83.70.{i}"),
                    "10.0.0.5",
                    40000,
                    5432,
                    "ACCEPT",
                    1_780_000_000 + i,
                )
            })
            .collect();
        let s = run(&mut ScanDetector::new(1000), &probes);
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].finding_type, s[0].severity, s[0].resource_role),
            ("Recon:EC2/PortProbeUnprotectedPort", 2.0, "TARGET")
        );
        assert_eq!(
            s[0].action
                .port_probe_action
                .as_ref()
                .unwrap()
                .port_probe_details[0]
                .local_port_details
                .as_ref()
                .unwrap()
                .port,
            5432
        );
        let emr: Vec<String> = (0..6)
            .map(|i| {
                line(
                    &format!("45.83.70.{i}"),
                    "10.0.0.5",
                    40000,
                    8088,
                    "ACCEPT",
                    1_780_000_000 + i,
                )
            })
            .collect();
        assert_eq!(
            run(&mut ScanDetector::new(1000), &emr)[0].finding_type,
            "Recon:EC2/PortProbeEMRUnprotectedPort"
        );
        // Near misses: rejected (protected) port, a web port, one source many times.
        let rejected: Vec<String> = (0..20)
            .map(|i| {
                line(
                    &format!("45.83.70.{i}"),
                    "10.0.0.5",
                    40000,
                    5432,
                    "REJECT",
                    1_780_000_000,
                )
            })
            .collect();
        assert!(run(&mut ScanDetector::new(1000), &rejected).is_empty());
        let web: Vec<String> = (0..20)
            .map(|i| {
                line(
                    &format!("45.83.70.{i}"),
                    "10.0.0.5",
                    40000,
                    443,
                    "ACCEPT",
                    1_780_000_000,
                )
            })
            .collect();
        assert!(run(&mut ScanDetector::new(1000), &web).is_empty());
        let one: Vec<String> = (0..20)
            .map(|i| {
                line(
                    "45.83.70.1",
                    "10.0.0.5",
                    40000 + i,
                    5432,
                    "ACCEPT",
                    1_780_000_000,
                )
            })
            .collect();
        assert!(run(&mut ScanDetector::new(1000), &one).is_empty());
    }

    #[test]
    fn state_is_bounded_under_a_flood() {
        let layout = FlowLayout::default_v2();
        let cap = 2_000;
        let mut d = ScanDetector::new(cap);
        let mut out = Vec::new();
        for i in 0..300_000u32 {
            let src = std::net::Ipv4Addr::from(0x2d00_0000u32 + i).to_string();
            let l = line(
                &src,
                "10.0.0.5",
                40000,
                22 + (i % 3) as u16,
                "ACCEPT",
                1_780_000_000 + (i / 1000) as i64,
            );
            d.detect(&parse_line(&layout, &l).unwrap(), &mut out);
            assert!(d.state_len() <= 4 * cap);
        }
    }
}

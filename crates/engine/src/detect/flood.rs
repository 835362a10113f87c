//! Outbound floods (the instance as a denial-of-service source) over VPC Flow Logs, as packets per
//! minute of event time to one remote host, in bounded windows.
//!
//! At least [`FLOOD_PACKETS`] packets in one minute from an instance to one remote address:
//! * **Backdoor:EC2/DenialOfService.Tcp** (High, 8) over TCP;
//! * **Backdoor:EC2/DenialOfService.Dns** (8) over UDP to port 53;
//! * **Backdoor:EC2/DenialOfService.UdpOnTcpPorts** (8) over UDP to a port TCP services use
//!   (22, 80, 443, 3389, 8080, 8443, 25, 21);
//! * **Backdoor:EC2/DenialOfService.Udp** (8) over UDP to any other port;
//! * **Backdoor:EC2/DenialOfService.UnusualProtocol** (8) over any protocol other than TCP, UDP
//!   and ICMP.
//!
//! Near misses: the same packets spread over several minutes, an inbound flood (the instance is
//! the victim, not the source), or traffic spread over many remote hosts.

use super::flow::{connection_action, orient};
use super::window::BoundedWindows;
use crate::decode::flow::{FlowRecord, LogStatus};
use std::net::IpAddr;
use warden_model::Signal;
use warden_model::finding::{InstanceDetails, Resource};

/// Packets per minute to one host that make a flood.
pub const FLOOD_PACKETS: u64 = 100_000;
const WINDOW_MS: i64 = 60 * 1000;

pub struct FloodDetector {
    windows: BoundedWindows<(u64, IpAddr, &'static str)>,
}

impl FloodDetector {
    pub fn new(capacity: usize) -> Self {
        FloodDetector {
            windows: BoundedWindows::new(capacity, WINDOW_MS),
        }
    }

    pub fn detect(&mut self, r: &FlowRecord<'_>, out: &mut Vec<Signal>) {
        if r.log_status.is_some_and(|s| s != LogStatus::Ok) {
            return;
        }
        let (Some(o), Some(start), Some(packets)) = (orient(r), r.start, r.packets) else {
            return;
        };
        if !o.outbound || packets == 0 {
            return;
        }
        let ty: &'static str = match (r.protocol, o.remote_port) {
            (Some(6), _) => "Backdoor:EC2/DenialOfService.Tcp",
            (Some(17), Some(53)) => "Backdoor:EC2/DenialOfService.Dns",
            (Some(17), Some(21 | 22 | 25 | 80 | 443 | 3389 | 8080 | 8443)) => {
                "Backdoor:EC2/DenialOfService.UdpOnTcpPorts"
            }
            (Some(17), _) => "Backdoor:EC2/DenialOfService.Udp",
            (Some(1) | Some(58), _) | (None, _) => return,
            (Some(_), _) => "Backdoor:EC2/DenialOfService.UnusualProtocol",
        };
        let time = start * 1000;
        let iface_name = r.instance_id.or(r.interface_id).unwrap_or("unknown");
        let iface = super::window::fingerprint(iface_name);
        let key = (iface, o.remote_ip, ty);
        let w = self.windows.add_n(key, time, packets);
        if w.count < FLOOD_PACKETS || w.fired {
            return;
        }
        self.windows.mark_fired(&key);
        let instance = r.instance_id.map(str::to_string);
        let who = instance
            .clone()
            .unwrap_or_else(|| format!("{} ({})", r.interface_id.unwrap_or("?"), o.local_ip));
        let reason = format!(
            "{who} sent {} packets to {} within one minute",
            w.count, o.remote_ip
        );
        out.push(Signal {
            finding_type: ty,
            severity: 8.0,
            rule: None,
            account_id: r.account_id.unwrap_or("").to_string(),
            region: r.region.unwrap_or("").to_string(),
            resource: Resource {
                resource_type: "Instance".into(),
                instance_details: Some(InstanceDetails {
                    instance_id: instance,
                    ..Default::default()
                }),
                ..Default::default()
            },
            resource_key: format!("instance:{iface_name}"),
            actor_key: o.remote_ip.to_string(),
            action: connection_action(r, &o),
            resource_role: "ACTOR",
            evidence: None,
            event_id: Some(format!(
                "flood:{iface_name}:{}:{ty}:{}",
                o.remote_ip, w.first_ms
            )),
            event_time: time,
            title: format!(
                "{who} is performing a denial-of-service attack against {}.",
                o.remote_ip
            ),
            description: format!("{reason}."),
            reasons: vec![reason],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::flow::{FlowLayout, parse_line};

    fn line(src: &str, dst: &str, dport: u16, proto: u8, packets: u64, start: i64) -> String {
        format!(
            "2 111122223333 eni-0123456789abcdef0 {src} {dst} 40000 {dport} {proto} {packets} {} {start} {} ACCEPT OK",
            packets * 60,
            start + 10
        )
    }

    fn run(lines: &[String]) -> Vec<Signal> {
        let layout = FlowLayout::default_v2();
        let mut d = FloodDetector::new(1000);
        let mut out = Vec::new();
        for l in lines {
            d.detect(&parse_line(&layout, l).unwrap(), &mut out);
        }
        out
    }

    #[test]
    fn each_flood_kind() {
        for (port, proto, ty) in [
            (80, 6, "Backdoor:EC2/DenialOfService.Tcp"),
            (53, 17, "Backdoor:EC2/DenialOfService.Dns"),
            (443, 17, "Backdoor:EC2/DenialOfService.UdpOnTcpPorts"),
            (9999, 17, "Backdoor:EC2/DenialOfService.Udp"),
            (0, 2, "Backdoor:EC2/DenialOfService.UnusualProtocol"),
        ] {
            let lines: Vec<String> = (0..6)
                .map(|i| {
                    line(
                        "10.0.0.5",
                        "45.83.64.30",
                        port,
                        proto,
                        20_000,
                        1_780_000_000 + i * 10,
                    )
                })
                .collect();
            let s = run(&lines);
            assert_eq!(s.len(), 1, "{ty}");
            assert_eq!(s[0].finding_type, ty);
        }
    }

    #[test]
    fn near_misses() {
        // The same 120,000 packets over six minutes.
        let slow: Vec<String> = (0..6)
            .map(|i| {
                line(
                    "10.0.0.5",
                    "45.83.64.30",
                    80,
                    6,
                    20_000,
                    1_780_000_000 + i * 61,
                )
            })
            .collect();
        assert!(run(&slow).is_empty());
        // Inbound flood: the instance is the victim.
        let inbound: Vec<String> = (0..6)
            .map(|i| line("45.83.64.30", "10.0.0.5", 80, 6, 20_000, 1_780_000_000 + i))
            .collect();
        assert!(run(&inbound).is_empty());
        // Spread over many hosts.
        let spread: Vec<String> = (0..6)
            .map(|i| {
                line(
                    "10.0.0.5",
                    &format!("45.83.64.{}", 40 + i),
                    80,
                    6,
                    20_000,
                    1_780_000_000 + i,
                )
            })
            .collect();
        assert!(run(&spread).is_empty());
    }
}

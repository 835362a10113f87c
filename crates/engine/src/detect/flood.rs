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

use super::flow::{FlowFinding, connection_action, flow_signal, local_name, orient};
use super::window::BoundedWindows;
use crate::decode::flow::{FlowRecord, LogStatus};
use std::net::IpAddr;
use warden_model::Signal;

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

    /// Windows held (at most the capacity).
    pub fn state_len(&self) -> usize {
        self.windows.len()
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
        let who = local_name(r, o.local_ip);
        let reason = format!(
            "{who} sent {} packets to {} within one minute",
            w.count, o.remote_ip
        );
        out.push(flow_signal(
            r,
            FlowFinding {
                finding_type: ty,
                severity: 8.0,
                role: "ACTOR",
                actor_key: o.remote_ip.to_string(),
                event_id: format!("flood:{iface_name}:{}:{ty}:{}", o.remote_ip, w.first_ms),
                time_ms: time,
                title: format!(
                    "{who} is performing a denial-of-service attack against {}.",
                    o.remote_ip
                ),
                reason,
                action: connection_action(r, &o),
                evidence: None,
            },
        ));
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

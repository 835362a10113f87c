//! Brute force over VPC Flow Logs, counted in bounded event-time windows.
//!
//! * **UnauthorizedAccess:EC2/SSHBruteForce**: at least [`THRESHOLD`] TCP flow records to port 22
//!   between one instance interface and one remote address within ten minutes of event time.
//!   Low (2) when the instance is the target (inbound), High (8) when it is the source (outbound:
//!   the instance is attacking others).
//! * **UnauthorizedAccess:EC2/RDPBruteForce**: the same on port 3389.
//! * **Impact:EC2/WinRMBruteForce**: the same on WinRM ports 5985/5986.
//!
//! Each new connection attempt uses a new source port, so a brute force shows up as many flow
//! records for one (interface, remote, port); accepted and rejected attempts both count. A few
//! logins, or the same number spread beyond the window, are not brute force. State is one window
//! per (interface, remote address, port, direction), at most `capacity` of them, the least
//! recently active evicted first (see [`BoundedWindows`]).

use super::flow::{FlowFinding, connection_action, flow_signal, local_name, orient};
use super::window::BoundedWindows;
use crate::decode::flow::{FlowRecord, LogStatus};
use std::net::IpAddr;
use warden_model::Signal;

/// Flow records within the window that make a brute force.
pub const THRESHOLD: u64 = 20;
const WINDOW_MS: i64 = 10 * 60 * 1000;

type Key = (u64, IpAddr, u16, bool);

pub struct BruteForceDetector {
    windows: BoundedWindows<Key>,
}

impl BruteForceDetector {
    pub fn new(capacity: usize) -> Self {
        BruteForceDetector {
            windows: BoundedWindows::new(capacity, WINDOW_MS),
        }
    }

    pub fn state_len(&self) -> usize {
        self.windows.len()
    }

    pub fn detect(&mut self, r: &FlowRecord<'_>, out: &mut Vec<Signal>) {
        if r.protocol != Some(6) || r.log_status.is_some_and(|s| s != LogStatus::Ok) {
            return;
        }
        let Some(o) = orient(r) else { return };
        let service_port = if o.outbound {
            o.remote_port
        } else {
            o.local_port
        };
        let (ty, name) = match service_port {
            Some(22) => ("UnauthorizedAccess:EC2/SSHBruteForce", "SSH"),
            Some(3389) => ("UnauthorizedAccess:EC2/RDPBruteForce", "RDP"),
            Some(5985 | 5986) => ("Impact:EC2/WinRMBruteForce", "WinRM"),
            _ => return,
        };
        let Some(start) = r.start else { return };
        let time = start * 1000;
        let iface_name = r.instance_id.or(r.interface_id).unwrap_or("unknown");
        let iface = super::window::fingerprint(iface_name);
        let key: Key = (iface, o.remote_ip, service_port.unwrap_or(0), o.outbound);
        let w = self.windows.add(key, time);
        if w.count < THRESHOLD || w.fired {
            return;
        }
        self.windows.mark_fired(&key);
        let who = local_name(r, o.local_ip);
        let (severity, role, title, reason) = if o.outbound {
            (
                8.0,
                "ACTOR",
                format!(
                    "{who} is performing {name} brute force attacks against {}.",
                    o.remote_ip
                ),
                format!(
                    "{} {name} connection attempts from {who} to {} within 10 minutes",
                    w.count, o.remote_ip
                ),
            )
        } else {
            (
                2.0,
                "TARGET",
                format!(
                    "{} is performing {name} brute force attacks against {who}.",
                    o.remote_ip
                ),
                format!(
                    "{} {name} connection attempts from {} to {who} within 10 minutes",
                    w.count, o.remote_ip
                ),
            )
        };
        out.push(flow_signal(
            r,
            FlowFinding {
                finding_type: ty,
                severity,
                role,
                actor_key: format!("{}:{}", o.remote_ip, if o.outbound { "out" } else { "in" }),
                // One occurrence per window; re-reading the same logs gives the same window start.
                event_id: format!(
                    "bruteforce:{iface_name}:{}:{}:{}",
                    o.remote_ip, key.2, w.first_ms
                ),
                time_ms: time,
                title,
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

    fn line(src: &str, dst: &str, sport: u16, dport: u16, start: i64) -> String {
        format!(
            "2 111122223333 eni-0123456789abcdef0 {src} {dst} {sport} {dport} 6 6 360 {start} {} REJECT OK",
            start + 5
        )
    }

    fn run(lines: &[String], d: &mut BruteForceDetector) -> Vec<Signal> {
        let layout = FlowLayout::default_v2();
        let mut out = Vec::new();
        for l in lines {
            d.detect(&parse_line(&layout, l).unwrap(), &mut out);
        }
        out
    }

    #[test]
    fn inbound_ssh_and_outbound_rdp() {
        let mut d = BruteForceDetector::new(1000);
        let attack: Vec<String> = (0..25)
            .map(|i| {
                line(
                    "45.83.64.9",
                    "10.0.0.5",
                    40000 + i,
                    22,
                    1_780_000_000 + i as i64 * 10,
                )
            })
            .collect();
        let s = run(&attack, &mut d);
        assert_eq!(s.len(), 1, "fires once per window");
        assert_eq!(s[0].finding_type, "UnauthorizedAccess:EC2/SSHBruteForce");
        assert_eq!(s[0].severity, 2.0);
        assert_eq!(s[0].resource_role, "TARGET");
        let out: Vec<String> = (0..20)
            .map(|i| {
                line(
                    "10.0.0.5",
                    "45.83.64.10",
                    50000 + i,
                    3389,
                    1_780_000_000 + i as i64,
                )
            })
            .collect();
        let s = run(&out, &mut BruteForceDetector::new(1000));
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].finding_type, s[0].severity, s[0].resource_role),
            ("UnauthorizedAccess:EC2/RDPBruteForce", 8.0, "ACTOR")
        );
    }

    #[test]
    fn winrm_inbound() {
        let winrm: Vec<String> = (0..20)
            .map(|i| {
                line(
                    "45.83.64.11",
                    "10.0.0.7",
                    52000 + i,
                    5986,
                    1_780_000_000 + i as i64,
                )
            })
            .collect();
        let s = run(&winrm, &mut BruteForceDetector::new(1000));
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].finding_type, s[0].severity),
            ("Impact:EC2/WinRMBruteForce", 2.0)
        );
        // Near miss: WinRM's neighbour port.
        let other: Vec<String> = (0..20)
            .map(|i| {
                line(
                    "45.83.64.11",
                    "10.0.0.7",
                    52000 + i,
                    5987,
                    1_780_000_000 + i as i64,
                )
            })
            .collect();
        assert!(run(&other, &mut BruteForceDetector::new(1000)).is_empty());
    }

    #[test]
    fn near_misses() {
        // 19 attempts: below the threshold.
        let few: Vec<String> = (0..19)
            .map(|i| {
                line(
                    "45.83.64.9",
                    "10.0.0.5",
                    40000 + i,
                    22,
                    1_780_000_000 + i as i64,
                )
            })
            .collect();
        assert!(run(&few, &mut BruteForceDetector::new(1000)).is_empty());
        // 30 attempts, one a minute: never 20 inside ten minutes.
        let slow: Vec<String> = (0..30)
            .map(|i| {
                line(
                    "45.83.64.9",
                    "10.0.0.5",
                    40000 + i,
                    22,
                    1_780_000_000 + i as i64 * 61,
                )
            })
            .collect();
        assert!(run(&slow, &mut BruteForceDetector::new(1000)).is_empty());
        // 30 connections to another port.
        let https: Vec<String> = (0..30)
            .map(|i| {
                line(
                    "45.83.64.9",
                    "10.0.0.5",
                    40000 + i,
                    443,
                    1_780_000_000 + i as i64,
                )
            })
            .collect();
        assert!(run(&https, &mut BruteForceDetector::new(1000)).is_empty());
    }

    #[test]
    fn bounded_under_a_flood_of_sources_and_still_finds_the_attacker() {
        let layout = FlowLayout::default_v2();
        let cap = 5_000;
        let mut d = BruteForceDetector::new(cap);
        let mut out = Vec::new();
        for i in 0..1_000_000u32 {
            let src = std::net::Ipv4Addr::from(0x2d00_0000u32 + i).to_string(); // 45.0.0.0 upward: public
            let l = line(
                &src,
                "10.0.0.5",
                40000,
                22,
                1_780_000_000 + (i / 2000) as i64,
            );
            d.detect(&parse_line(&layout, &l).unwrap(), &mut out);
            // The attacker: one attempt every 1,000 flow records (more often than once per
            // `capacity` records, which is what the table guarantees to keep).
            if i % 1_000 == 0 {
                let a = line(
                    "203.0.0.77",
                    "10.0.0.5",
                    1000 + (i / 1_000) as u16,
                    22,
                    1_780_000_000 + (i / 2000) as i64,
                );
                d.detect(&parse_line(&layout, &a).unwrap(), &mut out);
            }
            assert!(d.state_len() <= cap);
        }
        let found = out
            .iter()
            .filter(|s| s.actor_key.starts_with("203.0.0.77"))
            .count();
        assert_eq!(
            found, 1,
            "the repeated attacker survived the flood and was detected"
        );
        assert!(
            out.iter().all(|s| s.actor_key.starts_with("203.0.0.77")),
            "no one-off source was reported"
        );
    }
}

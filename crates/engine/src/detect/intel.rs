//! Detections driven by intelligence over CloudTrail (management and S3 data events).
//!
//! * **Recon:IAMUser/MaliciousIPCaller** (Medium, 5), **.Custom** (5), **Recon:IAMUser/TorIPCaller**
//!   (5): a reconnaissance-type call (Describe/List/Get/Head/Lookup/Search...) from an address
//!   on Warden's malicious-IP intelligence, on a customer threat list, or a Tor exit.
//! * **UnauthorizedAccess:IAMUser/MaliciousIPCaller**, **.Custom**, **TorIPCaller** (5): any other
//!   call from such an address.
//! * **Discovery:S3/MaliciousIPCaller** (8), **.Custom** (8), **Discovery:S3/TorIPCaller** (5): an
//!   S3 data event (ListObjects, HeadObject, GetObjectAcl...) from such an address;
//!   **Exfiltration:S3/MaliciousIPCaller** (8) for object reads (GetObject, CopyObject...),
//!   **Impact:S3/MaliciousIPCaller** (8) for writes and deletes (PutObject, DeleteObject,
//!   PutObjectAcl...). GuardDuty has no Tor or .Custom variant of those two, so they fall back to
//!   the Discovery one.
//!
//!   Failed calls count for all of these: the attempt from a hostile address is the finding. A
//!   caller address on a trusted IP list raises nothing (the pipeline suppresses it).
//! * **UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS** (High, 8): EC2
//!   instance-role credentials (a session delivered by the instance metadata service,
//!   `ec2RoleDelivery`; an instance-id session name; or an access key that CloudTrail showed being
//!   issued to `ec2.amazonaws.com`) used from a public address outside AWS's published ranges.
//!   **.InsideAWS** (8): used through a VPC endpoint that belongs to another account
//!   (`vpcEndpointAccountId`).
//! * **UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS / .InsideAWS** (8):
//!   the same for credentials CloudTrail showed being issued to a Lambda function or an ECS task
//!   (`AssumeRole` invoked by `lambda.amazonaws.com` / `ecs-tasks.amazonaws.com`).
//!
//! Calls made by AWS services (a service name as source address) and from private addresses
//! never count as "outside AWS".

use super::CloudTrailDetector;
use super::cloudtrail::{Hit, SignalSpec, Target, build_signal};
use crate::detect::json::{get, path, str_of};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use warden_intel::{Intel, ListKind, Match};
use warden_model::finding::{Evidence, ThreatIntelligenceDetail};
use warden_model::{CloudTrailEvent, Signal, catalogue};

/// Which service temporary credentials were issued to, remembered from `AssumeRole` events.
/// Bounded: at most `capacity` keys, and none older than `max_age_ms` of event time (role
/// credentials live 12 hours at most), oldest evicted first.
pub struct IssuedCredentials {
    by_key: HashMap<String, (&'static str, i64)>,
    order: VecDeque<(String, i64)>,
    capacity: usize,
    max_age_ms: i64,
}

impl IssuedCredentials {
    pub fn new(capacity: usize) -> Self {
        IssuedCredentials {
            by_key: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            max_age_ms: 36 * 3600 * 1000,
        }
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    pub fn remember(&mut self, key: &str, service: &'static str, time: i64) {
        self.by_key.insert(key.to_string(), (service, time));
        self.order.push_back((key.to_string(), time));
        self.evict(time);
    }

    fn evict(&mut self, now: i64) {
        while let Some((k, t)) = self.order.front() {
            let too_many =
                self.by_key.len() > self.capacity || self.order.len() > 2 * self.capacity;
            let too_old = now - *t > self.max_age_ms;
            if !too_many && !too_old {
                break;
            }
            // Only drop the key if this queue entry is its latest issue.
            if self.by_key.get(k).is_some_and(|(_, kt)| kt == t) {
                self.by_key.remove(k);
            }
            self.order.pop_front();
        }
    }

    pub fn service_of(&self, key: &str) -> Option<&'static str> {
        self.by_key.get(key).map(|(s, _)| *s)
    }
}

pub struct IntelDetector {
    intel: Arc<Intel>,
    issued: IssuedCredentials,
    matches: Vec<Match>,
}

impl IntelDetector {
    pub fn new(intel: Arc<Intel>) -> Self {
        IntelDetector {
            intel,
            issued: IssuedCredentials::new(200_000),
            matches: Vec::new(),
        }
    }
}

fn is_recon(name: &str) -> bool {
    [
        "Describe", "List", "Get", "Head", "Lookup", "Search", "BatchGet", "Scan", "Query",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

enum S3Kind {
    Discovery,
    Exfiltration,
    Impact,
}

fn s3_data_kind(name: &str) -> S3Kind {
    match name {
        "GetObject"
        | "CopyObject"
        | "GetObjectTorrent"
        | "SelectObjectContent"
        | "RestoreObject"
        | "UploadPartCopy" => S3Kind::Exfiltration,
        n if n.starts_with("Put")
            || n.starts_with("Delete")
            || n == "CompleteMultipartUpload"
            || n == "UploadPart"
            || n == "AbortMultipartUpload" =>
        {
            S3Kind::Impact
        }
        _ => S3Kind::Discovery,
    }
}

fn is_s3_data_event(e: &CloudTrailEvent<'_>) -> bool {
    e.event_source() == "s3.amazonaws.com"
        && (e.event_category.as_deref() == Some("Data") || e.management_event == Some(false))
}

fn severity(ty: &str) -> f64 {
    catalogue().get(ty).and_then(|t| t.severity).unwrap_or(5.0)
}

fn evidence(m: &Match) -> Evidence {
    let name = match m.kind {
        ListKind::TorExit => "TorExitNode".to_string(),
        _ => m.threat.as_deref().unwrap_or("MaliciousIP").to_string(),
    };
    Evidence {
        threat_intelligence_details: vec![ThreatIntelligenceDetail {
            threat_list_name: m.list.to_string(),
            threat_names: vec![name],
            ..Default::default()
        }],
    }
}

/// The instance id an EC2 role session is named after (`i-0123456789abcdef0`).
fn instance_session(name: &str) -> Option<&str> {
    let hex = name.strip_prefix("i-")?;
    (matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(name)
}

impl IntelDetector {
    fn threat_signals(
        &mut self,
        e: &CloudTrailEvent<'_>,
        ip: IpAddr,
        time: i64,
        out: &mut Vec<Signal>,
    ) {
        self.matches.clear();
        self.intel.ip_threats(ip, &mut self.matches);
        if self.matches.is_empty() {
            return;
        }
        // One signal per kind of knowledge: custom list, Tor, Warden's malicious intel.
        let mut done = [false; 3];
        for m in std::mem::take(&mut self.matches) {
            let slot = match m.kind {
                ListKind::Custom => 0,
                ListKind::TorExit => 1,
                ListKind::Malicious => 2,
                _ => continue,
            };
            if std::mem::replace(&mut done[slot], true) {
                continue;
            }
            let name = e.event_name();
            let (ty, target): (&'static str, Target) = if is_s3_data_event(e) {
                let bucket = e
                    .request_value()
                    .and_then(|v| str_of(get(&v, "bucketName")).map(str::to_string))
                    .unwrap_or_else(|| "unknown".into());
                let ty = match (slot, s3_data_kind(name)) {
                    (0, _) => "Discovery:S3/MaliciousIPCaller.Custom",
                    (1, _) => "Discovery:S3/TorIPCaller",
                    (_, S3Kind::Exfiltration) => "Exfiltration:S3/MaliciousIPCaller",
                    (_, S3Kind::Impact) => "Impact:S3/MaliciousIPCaller",
                    (_, S3Kind::Discovery) => "Discovery:S3/MaliciousIPCaller",
                };
                (ty, Target::Bucket(bucket))
            } else {
                let recon = is_recon(name);
                let ty = match (slot, recon) {
                    (0, true) => "Recon:IAMUser/MaliciousIPCaller.Custom",
                    (0, false) => "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
                    (1, true) => "Recon:IAMUser/TorIPCaller",
                    (1, false) => "UnauthorizedAccess:IAMUser/TorIPCaller",
                    (_, true) => "Recon:IAMUser/MaliciousIPCaller",
                    (_, false) => "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
                };
                (ty, Target::AccessKey)
            };
            let what = match m.kind {
                ListKind::TorExit => "a Tor exit node".to_string(),
                ListKind::Custom => format!("on the customer threat list {}", m.list),
                _ => format!("on the threat list {}", m.list),
            };
            let reason = format!(
                "caller address {ip} is {what} (entry {}{})",
                m.entry,
                m.threat
                    .as_deref()
                    .map(|t| format!(", threat {t}"))
                    .unwrap_or_default()
            );
            let title = match slot {
                1 => "API {api} was invoked from a Tor exit node.",
                _ => "API {api} was invoked from a known malicious IP address {ip}.",
            };
            let mut s = build_signal(
                e,
                time,
                SignalSpec {
                    finding_type: ty,
                    severity: severity(ty),
                    rule: None,
                    title,
                },
                Hit::new(target, reason),
            );
            s.evidence = Some(evidence(&m));
            out.push(s);
        }
    }

    fn credential_signals(
        &mut self,
        e: &CloudTrailEvent<'_>,
        ip: Option<IpAddr>,
        time: i64,
        out: &mut Vec<Signal>,
    ) {
        let Some(id) = e.identity() else { return };
        if id.identity_type() != "AssumedRole" {
            return;
        }
        let ctx = id.session_context.as_ref();
        let key = id.access_key_id();
        let tracked = (!key.is_empty())
            .then(|| self.issued.service_of(key))
            .flatten();
        let (family, why) = if let Some(svc) = tracked {
            match svc {
                "ec2.amazonaws.com" => (
                    "Instance",
                    format!("access key {key} was issued to an EC2 instance"),
                ),
                other => (
                    "Resource",
                    format!("access key {key} was issued to {other}"),
                ),
            }
        } else if ctx.and_then(|c| c.ec2_role_delivery.as_deref()).is_some() {
            (
                "Instance",
                "credentials were delivered by the EC2 instance metadata service (ec2RoleDelivery)"
                    .to_string(),
            )
        } else if let Some(i) = id.session_name().and_then(instance_session) {
            (
                "Instance",
                format!("role session is named after instance {i}"),
            )
        } else {
            return;
        };
        let own = e.account_id();
        let inside_other = e
            .vpc_endpoint_account_id
            .as_deref()
            .filter(|a| !a.is_empty() && *a != own);
        let (variant, where_) = if let Some(other) = inside_other {
            (
                "InsideAWS",
                format!(
                    "used through VPC endpoint {} owned by account {other}",
                    e.vpc_endpoint_id.as_deref().unwrap_or("?")
                ),
            )
        } else if let Some(ip) = ip
            // Without AWS's ranges loaded nothing can be judged outside AWS.
            && !self.intel.aws_ranges().is_empty()
            && warden_intel::geo::special_range(ip).is_none()
            && !self.intel.is_aws(ip)
        {
            (
                "OutsideAWS",
                format!("used from {ip}, which is outside AWS's published ranges"),
            )
        } else {
            return;
        };
        let ty: &'static str = match (family, variant) {
            ("Instance", "InsideAWS") => {
                "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS"
            }
            ("Instance", _) => {
                "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"
            }
            (_, "InsideAWS") => {
                "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.InsideAWS"
            }
            _ => "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS",
        };
        let mut hit = Hit::new(Target::AccessKey, why);
        hit.reasons.push(where_);
        let title = if family == "Instance" {
            "Credentials for instance role {actor} used from an external location."
        } else {
            "Credentials issued to a compute resource ({actor}) used from an external location."
        };
        out.push(build_signal(
            e,
            time,
            SignalSpec {
                finding_type: ty,
                severity: 8.0,
                rule: None,
                title,
            },
            hit,
        ));
    }

    /// Remember temporary credentials AWS issued to a compute service.
    fn track_issue(&mut self, e: &CloudTrailEvent<'_>, time: i64) {
        if e.event_source() != "sts.amazonaws.com"
            || !e.event_name().starts_with("AssumeRole")
            || !e.succeeded()
        {
            return;
        }
        let Some(by) = e.identity().and_then(|i| i.invoked_by.as_deref()) else {
            return;
        };
        let service: &'static str = match by {
            "ec2.amazonaws.com" => "ec2.amazonaws.com",
            "lambda.amazonaws.com" => "lambda.amazonaws.com",
            "ecs-tasks.amazonaws.com" => "ecs-tasks.amazonaws.com",
            _ => return,
        };
        if let Some(resp) = e.response::<serde_json::Value>()
            && let Some(key) = str_of(path(&resp, &["credentials", "accessKeyId"]))
        {
            self.issued.remember(key, service, time);
        }
    }
}

impl CloudTrailDetector for IntelDetector {
    fn detect(&mut self, e: &CloudTrailEvent<'_>, time: i64, out: &mut Vec<Signal>) {
        self.track_issue(e, time);
        let ip: Option<IpAddr> = e.source_ip().parse().ok();
        if let Some(ip) = ip {
            self.threat_signals(e, ip, time, out);
        }
        self.credential_signals(e, ip, time, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_credentials_are_bounded_by_count_and_age() {
        let mut c = IssuedCredentials::new(1000);
        for i in 0..100_000i64 {
            c.remember(&format!("ASIA{i}"), "lambda.amazonaws.com", i);
            assert!(c.len() <= 1000);
        }
        assert_eq!(c.service_of("ASIA99999"), Some("lambda.amazonaws.com"));
        assert_eq!(c.service_of("ASIA0"), None, "oldest evicted");
        let day = 24 * 3600 * 1000;
        c.remember("ASIAOLD", "ec2.amazonaws.com", 200_000);
        c.remember("ASIANEW", "ec2.amazonaws.com", 200_000 + 2 * day);
        assert_eq!(
            c.service_of("ASIAOLD"),
            None,
            "older than credentials can live"
        );
        assert_eq!(c.service_of("ASIANEW"), Some("ec2.amazonaws.com"));
    }

    #[test]
    fn instance_session_names() {
        assert!(instance_session("i-0123456789abcdef0").is_some());
        assert!(instance_session("i-01234567").is_some());
        assert!(instance_session("i-nothex000").is_none());
        assert!(instance_session("alice").is_none());
    }
}

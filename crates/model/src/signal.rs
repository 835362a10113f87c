//! Signals: what a detector says it saw in one event. Detectors never build findings; the
//! aggregator turns signals into GuardDuty findings, so suppression, aggregation and every output
//! see one shape.

use crate::finding::{Action, Evidence, Resource};
use crate::time::EpochMillis;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// A finding type from the catalogue, e.g. `Stealth:IAMUser/CloudTrailLoggingDisabled`.
    pub finding_type: &'static str,
    pub severity: f64,
    /// The Custom Detection Rule signal name (`customDetectionRuleName`), when the type is one.
    pub rule: Option<&'static str>,
    pub account_id: String,
    pub region: String,
    pub resource: Resource,
    /// Identity of the affected resource (ARN, bucket, instance id, access key...).
    pub resource_key: String,
    /// Identity of the actor (principal ARN, remote IP...).
    pub actor_key: String,
    pub action: Action,
    /// TARGET or ACTOR.
    pub resource_role: &'static str,
    pub evidence: Option<Evidence>,
    /// The event's id (CloudTrail `eventID`): counted once per finding, however often it is read.
    pub event_id: Option<String>,
    pub event_time: EpochMillis,
    pub title: String,
    pub description: String,
    /// Why the detector fired, in words: shown in `service.additionalInfo` and by `warden scan`.
    pub reasons: Vec<String>,
}

impl Signal {
    /// A finding's identity: the same type, rule, resource and actor in the same account and
    /// region always give the same 32-hex-digit id, so a repeat updates the finding.
    pub fn finding_id(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.account_id.as_str(),
            self.region.as_str(),
            self.finding_type,
            self.rule.unwrap_or(""),
            self.resource_key.as_str(),
            self.actor_key.as_str(),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        hex::encode(&h.finalize()[..16])
    }
}

/// GuardDuty keeps one detector per account and Region. Scans that have not been given one use
/// this stable id, so the same logs always land on the same detector.
pub fn default_detector_id(account_id: &str, region: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"warden-detector\0");
    h.update(account_id.as_bytes());
    h.update([0u8]);
    h.update(region.as_bytes());
    hex::encode(&h.finalize()[..16])
}

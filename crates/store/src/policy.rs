//! The finding policy built from API objects, applied by the store to findings as they are
//! created, whichever process creates them (`warden scan`, `warden serve`):
//!
//! * **Disabled detector**: an account and region whose detector exists and is DISABLED stores
//!   no new findings. Accounts without a detector (plain `warden scan` use) keep everything.
//! * **Disabled feature**: findings whose data source is an optional feature the detector has
//!   disabled are not stored (S3 data events → `S3_DATA_EVENTS`, EKS audit logs →
//!   `EKS_AUDIT_LOGS`, RDS login activity → `RDS_LOGIN_EVENTS`, Lambda network activity →
//!   `LAMBDA_NETWORK_LOGS`, runtime monitoring → `RUNTIME_MONITORING`, EBS malware scans →
//!   `EBS_MALWARE_PROTECTION`). CloudTrail management events, VPC Flow Logs and DNS logs are
//!   foundational and always on, as in GuardDuty.
//! * **Suppression rules**: filters with action ARCHIVE of the finding's account, and of its
//!   administrator when the membership is Enabled, are tried in rank order; the first that
//!   matches archives the finding on arrival.

use crate::{Disposition, FindingPolicy, StoredObject};
use std::collections::HashMap;
use warden_model::criteria::{CompiledCriteria, FindingCriteria};
use warden_model::{Finding, catalogue};

/// (account, region).
type Owner = (String, String);
/// An ARCHIVE rule: (rank, id, criteria).
type Rule = (i64, String, CompiledCriteria);

#[derive(Default)]
pub struct FilterPolicy {
    /// (account, region) → ARCHIVE rules in rank order.
    rules: HashMap<Owner, Vec<Rule>>,
    /// (member account, region) → administrator account, for Enabled memberships.
    admins: HashMap<(String, String), String>,
    /// (account, region) → detector body.
    detectors: HashMap<(String, String), serde_json::Value>,
}

/// The optional feature a finding type's data comes from, if any.
pub fn feature_of(finding_type: &str) -> Option<&'static str> {
    catalogue()
        .get(finding_type)?
        .optional_feature()
        .map(|f| f.detector_feature())
}

impl FindingPolicy for FilterPolicy {
    fn reload(&mut self, objects: &[StoredObject]) {
        self.rules.clear();
        self.admins.clear();
        self.detectors.clear();
        for o in objects {
            let key = (o.account_id.clone(), o.region.clone());
            match o.kind.as_str() {
                "detector" => {
                    self.detectors.insert(key, o.body.clone());
                }
                "member" if o.body["relationshipStatus"] == "Enabled" => {
                    self.admins
                        .insert((o.id.clone(), o.region.clone()), o.account_id.clone());
                }
                "filter" if o.body["action"] == "ARCHIVE" => {
                    let Ok(c) = serde_json::from_value::<FindingCriteria>(
                        o.body["findingCriteria"].clone(),
                    ) else {
                        continue;
                    };
                    let Ok(compiled) = CompiledCriteria::compile(&c) else {
                        continue;
                    };
                    let rank = o.body["rank"].as_i64().unwrap_or(i64::MAX);
                    self.rules
                        .entry(key)
                        .or_default()
                        .push((rank, o.id.clone(), compiled));
                }
                _ => {}
            }
        }
        for v in self.rules.values_mut() {
            v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        }
    }

    fn decide(&self, f: &Finding) -> Disposition {
        let key = (f.account_id.clone(), f.region.clone());
        if let Some(d) = self.detectors.get(&key) {
            if d["status"] == "DISABLED" {
                return Disposition::Drop;
            }
            if let Some(feature) = feature_of(&f.finding_type)
                && d["features"].as_array().is_some_and(|a| {
                    a.iter()
                        .any(|x| x["name"] == feature && x["status"] == "DISABLED")
                })
            {
                return Disposition::Drop;
            }
        }
        let own = self.rules.get(&key).into_iter().flatten();
        let admin = self
            .admins
            .get(&key)
            .and_then(|a| self.rules.get(&(a.clone(), f.region.clone())))
            .into_iter()
            .flatten();
        // Rank order across both sets: the administrator's rules and the account's own.
        let mut all: Vec<&Rule> = own.chain(admin).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        if all.iter().any(|(_, _, c)| c.matches_finding(f)) {
            Disposition::Archive
        } else {
            Disposition::Keep
        }
    }
}

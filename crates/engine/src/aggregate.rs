//! Aggregation: signals → GuardDuty findings.
//!
//! A signal's finding id is a stable hash of (account, region, type, rule, resource, actor). The
//! first signal creates the finding; a repeat increments `service.count`, widens the
//! `eventFirstSeen`/`eventLastSeen` window (by event time, whatever order logs arrive in), keeps
//! the highest severity and overwrites the details with the latest occurrence, as GuardDuty does.
//! An event id already counted for a finding (in this run or, through the store, an earlier one)
//! is not counted again, so re-reading logs never double-counts.
//!
//! Instance details merge instead of being overwritten: when a signal and the finding describe
//! the same instance (same instance id, or same interface when an id is unknown), whichever
//! fields the latest occurrence lacks are kept from the finding, and an older occurrence read
//! late still adds the fields the finding lacks. A finding made before the inventory knew its
//! instance thus gains the details later, and never loses them to a signal that knows less.

use std::collections::{HashMap, HashSet, VecDeque};
use warden_model::finding::{AdditionalInfo, Service};
use warden_model::signal::default_detector_id;
use warden_model::time::{format_timestamp, now_millis, parse_timestamp};
use warden_model::{Finding, Signal};
use warden_store::{Commit, FindingStore, MAX_EVENT_IDS_PER_FINDING, StoreError};

/// What became of a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// The event was already counted for this finding.
    Duplicate,
}

struct Entry {
    finding: Finding,
    first_ms: i64,
    last_ms: i64,
    /// Event ids counted in this run (bounded; older ones are checked in the store).
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    /// Counted but not yet committed.
    pending_events: Vec<(String, i64)>,
    /// Existed in the store before this run, so its older event ids live there.
    from_store: bool,
    dirty: bool,
}

/// Turns signals into findings, backed by a store.
pub struct Aggregator {
    entries: HashMap<String, Entry>,
    /// Findings created or updated during this run, in first-touch order.
    touched: Vec<String>,
    touched_set: HashSet<String>,
    /// Above this many cached findings, clean entries are dropped after a flush.
    max_cached: usize,
    detectors: HashMap<(String, String), String>,
}

impl Default for Aggregator {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl Aggregator {
    pub fn new(max_cached: usize) -> Self {
        Aggregator {
            entries: HashMap::new(),
            touched: Vec::new(),
            touched_set: HashSet::new(),
            max_cached: max_cached.max(1),
            detectors: HashMap::new(),
        }
    }

    /// Use this detector id for an (account, region) instead of the derived default.
    pub fn set_detector(&mut self, account: &str, region: &str, detector_id: &str) {
        self.detectors
            .insert((account.into(), region.into()), detector_id.into());
    }

    fn detector_for(&mut self, account: &str, region: &str) -> String {
        self.detectors
            .entry((account.to_string(), region.to_string()))
            .or_insert_with(|| default_detector_id(account, region))
            .clone()
    }

    pub fn add(
        &mut self,
        signal: Signal,
        store: &mut dyn FindingStore,
    ) -> Result<Outcome, StoreError> {
        let id = signal.finding_id();
        if !self.entries.contains_key(&id) {
            if self.entries.len() >= self.max_cached {
                self.flush(store)?;
                self.entries.retain(|_, e| e.dirty);
            }
            if let Some(existing) = store.get(&id)? {
                let first_ms = parse_timestamp(&existing.service.event_first_seen)
                    .unwrap_or(signal.event_time);
                let last_ms =
                    parse_timestamp(&existing.service.event_last_seen).unwrap_or(signal.event_time);
                self.entries.insert(
                    id.clone(),
                    Entry {
                        finding: existing,
                        first_ms,
                        last_ms,
                        seen: HashSet::new(),
                        seen_order: VecDeque::new(),
                        pending_events: Vec::new(),
                        from_store: true,
                        dirty: false,
                    },
                );
            }
        }
        let now = format_timestamp(now_millis());
        let outcome = match self.entries.get_mut(&id) {
            Some(entry) => {
                if let Some(eid) = &signal.event_id
                    && (entry.seen.contains(eid)
                        || (entry.from_store && store.has_event(&id, eid)?))
                {
                    // Not recounted, but what it knows about the instance is still kept (a
                    // re-scan with an inventory describes findings an earlier scan made).
                    merge_instance(entry, &signal);
                    // Not recounted, but this run did see it: a re-scan still reports the finding.
                    if self.touched_set.insert(id.clone()) {
                        self.touched.push(id);
                    }
                    return Ok(Outcome::Duplicate);
                }
                update(entry, &signal, &now);
                Outcome::Updated
            }
            None => {
                let detector = self.detector_for(&signal.account_id, &signal.region);
                let finding = create(&id, &detector, &signal, &now);
                self.entries.insert(
                    id.clone(),
                    Entry {
                        finding,
                        first_ms: signal.event_time,
                        last_ms: signal.event_time,
                        seen: HashSet::new(),
                        seen_order: VecDeque::new(),
                        pending_events: Vec::new(),
                        from_store: false,
                        dirty: true,
                    },
                );
                Outcome::Created
            }
        };
        let entry = self.entries.get_mut(&id).expect("entry inserted above");
        if let Some(eid) = signal.event_id {
            remember(entry, eid.clone());
            entry.pending_events.push((eid, signal.event_time));
        }
        if self.touched_set.insert(id.clone()) {
            self.touched.push(id);
        }
        Ok(outcome)
    }

    /// Write every changed finding and its newly counted events to the store, atomically.
    pub fn flush(&mut self, store: &mut dyn FindingStore) -> Result<(), StoreError> {
        let dirty: Vec<&Entry> = self.entries.values().filter(|e| e.dirty).collect();
        if dirty.is_empty() {
            return Ok(());
        }
        let commit = Commit {
            findings: dirty.iter().map(|e| &e.finding).collect(),
            events: dirty
                .iter()
                .flat_map(|e| {
                    e.pending_events
                        .iter()
                        .map(move |(eid, t)| (e.finding.id.as_str(), eid.as_str(), *t))
                })
                .collect(),
            preserve_triage: true,
        };
        store.commit(commit)?;
        for e in self.entries.values_mut() {
            if e.dirty {
                e.dirty = false;
                e.from_store = true;
                e.pending_events.clear();
            }
        }
        Ok(())
    }

    /// Let `revise` change cached findings (given each with its last-seen event time); those it
    /// reports changed are written at the next flush. Findings already flushed out of the cache
    /// are not revisited.
    pub fn revise(&mut self, mut revise: impl FnMut(&mut Finding, i64) -> bool) {
        for e in self.entries.values_mut() {
            if revise(&mut e.finding, e.last_ms) {
                e.dirty = true;
            }
        }
    }

    /// Ids of the findings this run created, updated or saw again, in first-touch order.
    pub fn touched(&self) -> &[String] {
        &self.touched
    }
}

fn remember(entry: &mut Entry, eid: String) {
    if entry.seen.insert(eid.clone()) {
        entry.seen_order.push_back(eid);
    }
    while entry.seen.len() > MAX_EVENT_IDS_PER_FINDING {
        if let Some(old) = entry.seen_order.pop_front() {
            entry.seen.remove(&old);
        }
    }
}

fn additional_info(signal: &Signal) -> AdditionalInfo {
    let mut v = serde_json::json!({ "reasons": signal.reasons });
    if let Some(e) = &signal.event_id {
        v["eventId"] = e.clone().into();
    }
    if let Some(r) = signal.rule {
        v["customDetectionRuleName"] = r.into();
    }
    AdditionalInfo {
        value: v.to_string(),
        info_type: "default".into(),
    }
}

fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn create(id: &str, detector: &str, s: &Signal, now: &str) -> Finding {
    let part = partition(&s.region);
    let seen = format_timestamp(s.event_time);
    Finding {
        account_id: s.account_id.clone(),
        arn: format!(
            "arn:{part}:guardduty:{}:{}:detector/{detector}/finding/{id}",
            s.region, s.account_id
        ),
        confidence: None,
        created_at: now.to_string(),
        description: s.description.clone(),
        id: id.to_string(),
        partition: part.to_string(),
        region: s.region.clone(),
        resource: s.resource.clone(),
        schema_version: "2.0".into(),
        service: Service {
            action: s.action.clone(),
            evidence: s.evidence.clone(),
            archived: false,
            count: 1,
            detector_id: detector.to_string(),
            event_first_seen: seen.clone(),
            event_last_seen: seen,
            resource_role: s.resource_role.to_string(),
            service_name: "guardduty".into(),
            user_feedback: None,
            additional_info: Some(additional_info(s)),
            feature_name: feature_name(s).map(str::to_string),
            ..Default::default()
        },
        severity: s.severity,
        title: s.title.clone(),
        finding_type: s.finding_type.to_string(),
        updated_at: now.to_string(),
        associated_attack_sequence_arn: None,
        custom_detection_rule_name: s.rule.map(str::to_string),
    }
}

/// `service.featureName`: the GuardDuty feature whose data produced the finding, spelt as in
/// GuardDuty's findings (and Warden's sample findings): CloudTrail, S3DataEvents, FlowLogs,
/// DnsLogs, EksAuditLogs, RuntimeMonitoring, RdsLoginEvents, LambdaNetworkLogs,
/// EbsMalwareProtection. The finding type's documented data source decides for the optional
/// features (a runtime-monitoring type with a network action is still RuntimeMonitoring); for
/// the foundational sources the signal's action says which log was read, since some types come
/// from either (e.g. root-credential use from CloudTrail management or S3 data events).
/// `None` when neither tells (an unknown type with no action).
pub fn feature_name(s: &Signal) -> Option<&'static str> {
    let info = warden_model::catalogue::catalogue().get(s.finding_type);
    if let Some(f) = info.and_then(|i| i.optional_feature()) {
        return Some(f.finding_feature_name());
    }
    let ds = info.map_or("", |i| i.data_source);
    let a = &s.action;
    match a.action_type.as_str() {
        "AWS_API_CALL" => {
            let s3_data = a
                .aws_api_call_action
                .as_ref()
                .is_some_and(|c| c.service_name == "s3.amazonaws.com" && is_s3_data_event(&c.api));
            Some(if s3_data {
                "S3DataEvents"
            } else {
                "CloudTrail"
            })
        }
        "NETWORK_CONNECTION" | "PORT_PROBE" => Some("FlowLogs"),
        "DNS_REQUEST" => Some("DnsLogs"),
        "KUBERNETES_API_CALL" => Some("EksAuditLogs"),
        "RDS_LOGIN_ATTEMPT" => Some("RdsLoginEvents"),
        _ if ds.starts_with("VPC Flow Logs") => Some("FlowLogs"),
        _ if ds.starts_with("DNS logs") => Some("DnsLogs"),
        _ if ds.starts_with("CloudTrail") => Some("CloudTrail"),
        _ => None,
    }
}

/// S3 object-level API calls, which CloudTrail logs as data events (bucket-level calls such as
/// PutBucketPolicy are management events).
fn is_s3_data_event(api: &str) -> bool {
    api.contains("Object")
        || api.contains("MultipartUpload")
        || api == "UploadPart"
        || api == "UploadPartCopy"
        || api == "ListParts"
}

fn update(entry: &mut Entry, s: &Signal, now: &str) {
    let f = &mut entry.finding;
    f.service.count += 1;
    f.updated_at = now.to_string();
    f.severity = f.severity.max(s.severity);
    if s.event_time < entry.first_ms {
        entry.first_ms = s.event_time;
        f.service.event_first_seen = format_timestamp(s.event_time);
    }
    // Details follow the latest occurrence by event time.
    if s.event_time >= entry.last_ms {
        entry.last_ms = s.event_time;
        f.service.event_last_seen = format_timestamp(s.event_time);
        let mut resource = s.resource.clone();
        if let (Some(new), Some(old)) = (
            resource.instance_details.as_mut(),
            f.resource.instance_details.as_ref(),
        ) && new.same_instance(old)
        {
            new.fill_from(old);
        }
        f.resource = resource;
        f.service.action = s.action.clone();
        f.service.evidence = s.evidence.clone();
        f.service.additional_info = Some(additional_info(s));
        f.title = s.title.clone();
        f.description = s.description.clone();
    } else {
        merge_instance(entry, s);
    }
    entry.dirty = true;
}

/// Add to the finding's instance details what the signal knows and the finding does not.
fn merge_instance(entry: &mut Entry, s: &Signal) {
    if let (Some(old), Some(new)) = (
        entry.finding.resource.instance_details.as_mut(),
        s.resource.instance_details.as_ref(),
    ) && old.same_instance(new)
    {
        let before = old.clone();
        old.fill_from(new);
        if *old != before {
            entry.dirty = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_model::finding::{Action, InstanceDetails, NetworkInterface, Resource, Tag};
    use warden_store::{MemoryStore, Query};

    fn signal(resource: &str, event_id: &str, time: i64, severity: f64) -> Signal {
        Signal {
            finding_type: "Persistence:IAM/AccountManipulation",
            severity,
            rule: Some("IAMAccessKeyCreated"),
            account_id: "111122223333".into(),
            region: "us-east-1".into(),
            resource: Resource {
                resource_type: "AccessKey".into(),
                ..Default::default()
            },
            resource_key: resource.into(),
            actor_key: "arn:aws:iam::111122223333:user/alice".into(),
            action: Action {
                action_type: "AWS_API_CALL".into(),
                aws_api_call_action: None,
                dns_request_action: None,
                network_connection_action: None,
                port_probe_action: None,
                ..Default::default()
            },
            resource_role: "TARGET",
            evidence: None,
            event_id: Some(event_id.into()),
            event_time: time,
            title: format!("t{time}"),
            description: "d".into(),
            reasons: vec![],
        }
    }

    fn with_action(
        finding_type: &'static str,
        action_type: &str,
        api: Option<(&str, &str)>,
    ) -> Signal {
        let mut s = signal("k", "e", 0, 2.0);
        s.finding_type = finding_type;
        s.rule = None;
        s.action = Action {
            action_type: action_type.into(),
            aws_api_call_action: api.map(|(service, api)| {
                warden_model::finding::AwsApiCallAction {
                    api: api.into(),
                    service_name: service.into(),
                    caller_type: "Remote IP".into(),
                    ..Default::default()
                }
            }),
            ..Default::default()
        };
        s
    }

    #[test]
    fn feature_name_follows_the_data_source() {
        let cases = [
            // Foundational sources: from the action.
            (
                with_action(
                    "Recon:IAMUser/MaliciousIPCaller",
                    "AWS_API_CALL",
                    Some(("iam.amazonaws.com", "ListUsers")),
                ),
                Some("CloudTrail"),
            ),
            (
                with_action("Recon:EC2/PortProbeUnprotectedPort", "PORT_PROBE", None),
                Some("FlowLogs"),
            ),
            (
                with_action(
                    "UnauthorizedAccess:EC2/SSHBruteForce",
                    "NETWORK_CONNECTION",
                    None,
                ),
                Some("FlowLogs"),
            ),
            (
                with_action("Backdoor:EC2/C&CActivity.B!DNS", "DNS_REQUEST", None),
                Some("DnsLogs"),
            ),
            // S3 data events: by type, and for the either-source types by the API called.
            (
                with_action(
                    "Exfiltration:S3/AnomalousBehavior",
                    "AWS_API_CALL",
                    Some(("s3.amazonaws.com", "GetObject")),
                ),
                Some("S3DataEvents"),
            ),
            (
                with_action(
                    "Policy:IAMUser/RootCredentialUsage",
                    "AWS_API_CALL",
                    Some(("s3.amazonaws.com", "PutObject")),
                ),
                Some("S3DataEvents"),
            ),
            // Near miss: the same type through a management call (bucket-level) is CloudTrail.
            (
                with_action(
                    "Policy:IAMUser/RootCredentialUsage",
                    "AWS_API_CALL",
                    Some(("s3.amazonaws.com", "PutBucketPolicy")),
                ),
                Some("CloudTrail"),
            ),
            (
                with_action(
                    "Policy:IAMUser/RootCredentialUsage",
                    "AWS_API_CALL",
                    Some(("ec2.amazonaws.com", "RunInstances")),
                ),
                Some("CloudTrail"),
            ),
            // Optional features: by type, whatever the action.
            (
                with_action(
                    "CredentialAccess:Kubernetes/MaliciousIPCaller",
                    "KUBERNETES_API_CALL",
                    None,
                ),
                Some("EksAuditLogs"),
            ),
            (
                with_action(
                    "CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin",
                    "RDS_LOGIN_ATTEMPT",
                    None,
                ),
                Some("RdsLoginEvents"),
            ),
            (
                with_action("Backdoor:Lambda/C&CActivity.B", "NETWORK_CONNECTION", None),
                Some("LambdaNetworkLogs"),
            ),
            (
                with_action("Backdoor:Runtime/C&CActivity.B!DNS", "DNS_REQUEST", None),
                Some("RuntimeMonitoring"),
            ),
            (
                with_action("Execution:EC2/MaliciousFile", "", None),
                Some("EbsMalwareProtection"),
            ),
            // Unknown type and no action: nothing to say.
            (with_action("Made:Up/Type", "", None), None),
        ];
        for (s, expected) in cases {
            assert_eq!(feature_name(&s), expected, "{}", s.finding_type);
        }
        // And it reaches the finding.
        let mut store = MemoryStore::new();
        let mut agg = Aggregator::default();
        agg.add(
            with_action("Recon:EC2/PortProbeUnprotectedPort", "PORT_PROBE", None),
            &mut store,
        )
        .unwrap();
        agg.flush(&mut store).unwrap();
        let f = &store.list(&Query::default()).unwrap()[0];
        assert_eq!(f.service.feature_name.as_deref(), Some("FlowLogs"));
    }

    #[test]
    fn out_of_order_events_widen_the_window_and_latest_wins() {
        let mut store = MemoryStore::new();
        let mut agg = Aggregator::default();
        assert_eq!(
            agg.add(signal("k", "e2", 2_000, 2.0), &mut store).unwrap(),
            Outcome::Created
        );
        assert_eq!(
            agg.add(signal("k", "e1", 1_000, 5.0), &mut store).unwrap(),
            Outcome::Updated
        );
        assert_eq!(
            agg.add(signal("k", "e3", 3_000, 2.0), &mut store).unwrap(),
            Outcome::Updated
        );
        assert_eq!(
            agg.add(signal("k", "e1", 1_000, 5.0), &mut store).unwrap(),
            Outcome::Duplicate
        );
        agg.flush(&mut store).unwrap();
        let f = &store.list(&Query::default()).unwrap()[0];
        assert_eq!(f.service.count, 3);
        assert_eq!(f.service.event_first_seen, "1970-01-01T00:00:01.000Z");
        assert_eq!(f.service.event_last_seen, "1970-01-01T00:00:03.000Z");
        assert_eq!(f.title, "t3000", "details follow the latest event");
        assert_eq!(f.severity, 5.0, "highest severity kept");
        assert_eq!(
            f.custom_detection_rule_name.as_deref(),
            Some("IAMAccessKeyCreated")
        );
    }

    #[test]
    fn cache_is_bounded_and_nothing_is_lost() {
        let mut store = MemoryStore::new();
        let mut agg = Aggregator::new(10);
        for i in 0..1_000 {
            agg.add(
                signal(&format!("k{i}"), &format!("e{i}"), i, 2.0),
                &mut store,
            )
            .unwrap();
            assert!(
                agg.entries.len() <= 11,
                "cache grew to {}",
                agg.entries.len()
            );
        }
        // A repeat of an evicted finding comes back from the store and is counted once.
        assert_eq!(
            agg.add(signal("k0", "e0", 0, 2.0), &mut store).unwrap(),
            Outcome::Duplicate
        );
        assert_eq!(
            agg.add(signal("k0", "again", 5, 2.0), &mut store).unwrap(),
            Outcome::Updated
        );
        agg.flush(&mut store).unwrap();
        let all = store.list(&Query::default()).unwrap();
        assert_eq!(all.len(), 1_000);
        let k0 = all
            .iter()
            .find(|f| f.id == signal("k0", "", 0, 2.0).finding_id())
            .unwrap();
        assert_eq!(k0.service.count, 2);
    }

    fn instance_signal(event_id: &str, time: i64, details: InstanceDetails) -> Signal {
        let mut s = signal("instance:eni-0f0e0d0c0b0a09080", event_id, time, 2.0);
        s.resource = Resource {
            resource_type: "Instance".into(),
            instance_details: Some(details),
            ..Default::default()
        };
        s
    }

    fn eni(id: &str) -> Option<Vec<NetworkInterface>> {
        Some(vec![NetworkInterface {
            network_interface_id: Some(id.into()),
            private_ip_address: Some("10.0.1.23".into()),
            ..Default::default()
        }])
    }

    /// A later signal that knows the instance adds its details; a later one that knows less
    /// does not take them away; an older one read late fills gaps; another instance's details
    /// are not mixed in.
    #[test]
    fn instance_details_merge_and_are_never_lost() {
        let mut store = MemoryStore::new();
        let mut agg = Aggregator::default();
        let bare = InstanceDetails {
            network_interfaces: eni("eni-0f0e0d0c0b0a09080"),
            ..Default::default()
        };
        let known = InstanceDetails {
            instance_id: Some("i-0a1b2c3d4e5f60718".into()),
            instance_type: Some("t3.medium".into()),
            network_interfaces: eni("eni-0f0e0d0c0b0a09080"),
            ..Default::default()
        };
        let get = |agg: &Aggregator| {
            agg.entries
                .values()
                .next()
                .unwrap()
                .finding
                .resource
                .instance_details
                .clone()
                .unwrap()
        };
        agg.add(instance_signal("e1", 1_000, bare.clone()), &mut store)
            .unwrap();
        agg.add(instance_signal("e2", 2_000, known.clone()), &mut store)
            .unwrap();
        assert_eq!(get(&agg), known, "the later signal knew more");
        agg.add(instance_signal("e3", 3_000, bare.clone()), &mut store)
            .unwrap();
        assert_eq!(
            get(&agg),
            known,
            "a later signal that knows less keeps them"
        );
        let tagged = InstanceDetails {
            tags: Some(vec![Tag {
                key: "Team".into(),
                value: "payments".into(),
            }]),
            ..known.clone()
        };
        agg.add(instance_signal("e0", 500, tagged.clone()), &mut store)
            .unwrap();
        assert_eq!(get(&agg), tagged, "an older signal read late fills gaps");
        let other = InstanceDetails {
            instance_id: Some("i-0ffffffffffffffff".into()),
            network_interfaces: eni("eni-0f0e0d0c0b0a09080"),
            ..Default::default()
        };
        agg.add(instance_signal("e4", 4_000, other.clone()), &mut store)
            .unwrap();
        assert_eq!(
            get(&agg),
            other,
            "another instance's details are not mixed in"
        );
    }

    #[test]
    fn remembered_event_ids_per_finding_are_bounded() {
        let mut store = MemoryStore::new();
        let mut agg = Aggregator::default();
        for i in 0..(MAX_EVENT_IDS_PER_FINDING + 100) {
            agg.add(signal("k", &format!("e{i}"), i as i64, 2.0), &mut store)
                .unwrap();
        }
        let entry = agg.entries.values().next().unwrap();
        assert_eq!(entry.seen.len(), MAX_EVENT_IDS_PER_FINDING);
        assert_eq!(entry.seen_order.len(), MAX_EVENT_IDS_PER_FINDING);
    }
}

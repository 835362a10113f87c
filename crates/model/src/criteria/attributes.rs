//! The finding attributes GuardDuty accepts in `FindingCriteria` and `SortCriteria`, and two ways
//! of reading an attribute's values out of a finding: walking the finding's JSON (any finding,
//! including GuardDuty's own, whatever fields it carries) and reading [`Finding`]'s typed fields
//! directly (no JSON, no allocation: the path ListFindings takes over findings held in memory).
//! Both yield the same [`Scalar`]s for the same finding; `tests/criteria.rs` checks that on every
//! attribute and on random findings.
//!
//! The table (`catalogue/filter-attributes.tsv`) is generated from GuardDuty's service model by
//! `catalogue/filter-attributes.py`: the attribute list CreateFilter documents, each resolved
//! against the model's `Finding` shape to its wire path and value kind.

use crate::finding::{Finding, LocalIpDetails, PortDetails, RemoteIpDetails};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

const TSV: &str = include_str!("../../catalogue/filter-attributes.tsv");

/// What an attribute's values are, which decides how criteria values are read and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    String,
    /// Integers and doubles alike (`severity`, `confidence`, `service.count`, ports).
    Number,
    /// Given in criteria as the strings `"true"`/`"false"`.
    Boolean,
    /// Given in criteria as epoch milliseconds; held in findings as ISO-8601 strings
    /// (`updatedAt`, `service.eventLastSeen`) or, for members the model types `timestamp`,
    /// as epoch seconds.
    Timestamp,
    /// Not in the model's `Finding` tree (keys inside `service.additionalInfo`'s JSON document,
    /// `resource.accessKeyDetails.userIdentity.*`, ...): compared by the JSON type found.
    Dynamic,
}

impl ValueKind {
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::String => "string",
            ValueKind::Number => "number",
            ValueKind::Boolean => "boolean",
            ValueKind::Timestamp => "timestamp",
            ValueKind::Dynamic => "dynamic",
        }
    }
}

/// One value read out of a finding. Arrays are flattened: a finding yields one scalar per element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
}

/// Where values go as they are found.
pub(crate) type Sink<'s> = &'s mut dyn FnMut(Scalar<'_>);

/// A filterable attribute.
#[derive(Debug)]
pub struct Attribute {
    /// The name criteria use, e.g. `resource.kubernetesDetails.kubernetesWorkloadDetails.hostIpc`.
    pub name: &'static str,
    pub kind: ValueKind,
    /// The wire path in the finding JSON (`...hostIPC`: GuardDuty's attribute names and wire names
    /// differ in a few places, and the model's wire name is what findings carry).
    pub path: Vec<&'static str>,
    /// When non-empty, the value at `path` is a string holding a JSON document and the attribute
    /// is this path inside it (`service.additionalInfo.<key>` reads `service.additionalInfo.value`).
    pub embedded: Vec<&'static str>,
    typed: Accessor,
}

type FieldFn = fn(&Finding, Sink<'_>);
type RemoteRootFn = fn(&Finding, &mut dyn FnMut(&RemoteIpDetails));
type RemoteFieldFn = fn(&RemoteIpDetails, Sink<'_>);

/// How the typed path reads an attribute from a [`Finding`].
#[derive(Clone, Copy)]
enum Accessor {
    /// `Finding` has no such field, so its JSON never carries the path either.
    Absent,
    Field(FieldFn),
    /// `remoteIpDetails.*` under one of the three actions that carry it.
    RemoteIp(RemoteRootFn, RemoteFieldFn),
    /// Inside `resource.s3BucketDetails[].publicAccess.permissionConfiguration`, which `Finding`
    /// keeps as raw JSON: walk it from this index of `path`.
    PermissionConfiguration(usize),
}

impl std::fmt::Debug for Accessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Accessor::Absent => "Absent",
            Accessor::Field(_) => "Field",
            Accessor::RemoteIp(..) => "RemoteIp",
            Accessor::PermissionConfiguration(_) => "PermissionConfiguration",
        })
    }
}

impl Attribute {
    /// Every value of this attribute in a finding's JSON.
    pub fn visit_json(&self, finding: &Value, out: Sink<'_>) {
        if self.embedded.is_empty() {
            walk_json(finding, &self.path, out);
        } else {
            walk_json(finding, &self.path, &mut |s| {
                embedded(s, &self.embedded, out)
            });
        }
    }

    /// Every value of this attribute in a typed finding: the same values [`Self::visit_json`]
    /// yields on the finding's serialized JSON.
    pub fn visit_finding(&self, finding: &Finding, out: Sink<'_>) {
        if self.embedded.is_empty() {
            self.visit_typed(finding, out);
        } else {
            self.visit_typed(finding, &mut |s| embedded(s, &self.embedded, out));
        }
    }

    /// Whether [`Finding`] has a field at this attribute's path (tests use it to check the typed
    /// accessors cover every field `Finding` serializes).
    pub fn is_typed(&self) -> bool {
        !matches!(self.typed, Accessor::Absent)
    }

    /// Whether reading the attribute parses a JSON document held in a string (slower).
    pub fn is_embedded(&self) -> bool {
        !self.embedded.is_empty()
    }

    /// A rough cost of reading the attribute from a typed finding, so criteria test cheap
    /// attributes first: fields `Finding` lacks (decided at once), then plain numbers and
    /// booleans, strings, timestamps (parsed), nested and array fields, and last the attributes
    /// that parse a JSON document.
    pub(crate) fn cost(&self) -> u8 {
        let kind = match self.kind {
            ValueKind::Number | ValueKind::Boolean => 0,
            ValueKind::String | ValueKind::Dynamic => 1,
            ValueKind::Timestamp => 2,
        };
        let depth = self.path.len().min(8) as u8;
        match self.typed {
            _ if self.is_embedded() => 100,
            Accessor::Absent => 0,
            Accessor::Field(_) => 1 + kind * 10 + depth,
            Accessor::RemoteIp(..) => 40 + kind,
            Accessor::PermissionConfiguration(_) => 50,
        }
    }

    fn visit_typed(&self, finding: &Finding, out: Sink<'_>) {
        match self.typed {
            Accessor::Absent => {}
            Accessor::Field(read) => read(finding, out),
            Accessor::RemoteIp(root, field) => root(finding, &mut |r| field(r, out)),
            Accessor::PermissionConfiguration(skip) => {
                let rest = &self.path[skip..];
                for bucket in finding.resource.s3_bucket_details.iter().flatten() {
                    if let Some(config) = bucket
                        .public_access
                        .as_ref()
                        .and_then(|p| p.permission_configuration.as_ref())
                    {
                        // Typed in the model; walked as JSON because its attributes are many
                        // and rarely filtered on.
                        if let Ok(v) = serde_json::to_value(config) {
                            walk_json(&v, rest, out);
                        }
                    }
                }
            }
        }
    }
}

fn embedded(holder: Scalar<'_>, path: &[&str], out: Sink<'_>) {
    if let Scalar::Str(text) = holder
        && let Ok(doc) = serde_json::from_str::<Value>(text)
    {
        walk_json(&doc, path, out);
    }
}

/// Follow `path` through objects, fanning out over arrays at any level; yield the scalars at the
/// end (array elements one by one; objects and nulls yield nothing).
pub(crate) fn walk_json(v: &Value, path: &[&str], out: Sink<'_>) {
    match v {
        Value::Array(items) => {
            for item in items {
                walk_json(item, path, out);
            }
        }
        _ => match path.split_first() {
            None => match v {
                Value::String(s) => out(Scalar::Str(s)),
                Value::Number(n) => {
                    if let Some(x) = n.as_f64() {
                        num(out, x);
                    }
                }
                Value::Bool(b) => out(Scalar::Bool(*b)),
                _ => {}
            },
            Some((head, rest)) => {
                if let Some(child) = v.as_object().and_then(|m| m.get(*head)) {
                    walk_json(child, rest, out);
                }
            }
        },
    }
}

/// Non-finite numbers are skipped: JSON cannot carry them (serde_json writes `null`), so the typed
/// path must not see them either.
fn num(out: Sink<'_>, x: f64) {
    if x.is_finite() {
        out(Scalar::Num(x));
    }
}

fn opt(out: Sink<'_>, v: Option<&str>) {
    if let Some(v) = v {
        out(Scalar::Str(v));
    }
}

fn port_fields(out: Sink<'_>, p: Option<&PortDetails>, port_name: bool) {
    if let Some(p) = p {
        if port_name {
            out(Scalar::Str(&p.port_name));
        } else {
            num(out, p.port as f64);
        }
    }
}

fn local_ip(out: Sink<'_>, l: Option<&LocalIpDetails>, v6: bool) {
    if let Some(l) = l {
        opt(
            out,
            if v6 {
                l.ip_address_v6.as_deref()
            } else {
                l.ip_address_v4.as_deref()
            },
        );
    }
}

/// The typed reader for a wire path, when `Finding` has that field.
fn field_accessor(path: &str) -> Option<FieldFn> {
    let read: FieldFn = match path {
        "accountId" => |f, out| out(Scalar::Str(&f.account_id)),
        "arn" => |f, out| out(Scalar::Str(&f.arn)),
        "associatedAttackSequenceArn" => {
            |f, out| opt(out, f.associated_attack_sequence_arn.as_deref())
        }
        "confidence" => |f, out| {
            if let Some(c) = f.confidence {
                num(out, c);
            }
        },
        "createdAt" => |f, out| out(Scalar::Str(&f.created_at)),
        "id" => |f, out| out(Scalar::Str(&f.id)),
        "partition" => |f, out| out(Scalar::Str(&f.partition)),
        "region" => |f, out| out(Scalar::Str(&f.region)),
        "schemaVersion" => |f, out| out(Scalar::Str(&f.schema_version)),
        "severity" => |f, out| num(out, f.severity),
        "type" => |f, out| out(Scalar::Str(&f.finding_type)),
        "updatedAt" => |f, out| out(Scalar::Str(&f.updated_at)),
        "resource.resourceType" => |f, out| out(Scalar::Str(&f.resource.resource_type)),
        "resource.accessKeyDetails.accessKeyId" => |f, out| {
            let d = f.resource.access_key_details.as_ref();
            opt(out, d.and_then(|d| d.access_key_id.as_deref()))
        },
        "resource.accessKeyDetails.principalId" => |f, out| {
            let d = f.resource.access_key_details.as_ref();
            opt(out, d.and_then(|d| d.principal_id.as_deref()))
        },
        "resource.accessKeyDetails.userName" => |f, out| {
            let d = f.resource.access_key_details.as_ref();
            opt(out, d.and_then(|d| d.user_name.as_deref()))
        },
        "resource.accessKeyDetails.userType" => |f, out| {
            let d = f.resource.access_key_details.as_ref();
            opt(out, d.and_then(|d| d.user_type.as_deref()))
        },
        "resource.s3BucketDetails.arn" => |f, out| {
            for b in f.resource.s3_bucket_details.iter().flatten() {
                opt(out, b.arn.as_deref());
            }
        },
        "resource.s3BucketDetails.name" => |f, out| {
            for b in f.resource.s3_bucket_details.iter().flatten() {
                opt(out, b.name.as_deref());
            }
        },
        "resource.s3BucketDetails.type" => |f, out| {
            for b in f.resource.s3_bucket_details.iter().flatten() {
                opt(out, b.bucket_type.as_deref());
            }
        },
        "resource.s3BucketDetails.owner.id" => |f, out| {
            for b in f.resource.s3_bucket_details.iter().flatten() {
                opt(out, b.owner.as_ref().map(|o| o.id.as_str()));
            }
        },
        "resource.s3BucketDetails.publicAccess.effectivePermission" => |f, out| {
            for b in f.resource.s3_bucket_details.iter().flatten() {
                let p = b.public_access.as_ref();
                opt(out, p.and_then(|p| p.effective_permission.as_deref()));
            }
        },
        "resource.instanceDetails.instanceId" => |f, out| {
            let d = f.resource.instance_details.as_ref();
            opt(out, d.and_then(|d| d.instance_id.as_deref()))
        },
        "resource.instanceDetails.instanceType" => |f, out| {
            let d = f.resource.instance_details.as_ref();
            opt(out, d.and_then(|d| d.instance_type.as_deref()))
        },
        "resource.instanceDetails.imageId" => |f, out| {
            let d = f.resource.instance_details.as_ref();
            opt(out, d.and_then(|d| d.image_id.as_deref()))
        },
        "resource.instanceDetails.availabilityZone" => |f, out| {
            let d = f.resource.instance_details.as_ref();
            opt(out, d.and_then(|d| d.availability_zone.as_deref()))
        },
        "resource.instanceDetails.tags.key" => |f, out| {
            let d = f.resource.instance_details.as_ref();
            for t in d.and_then(|d| d.tags.as_ref()).into_iter().flatten() {
                out(Scalar::Str(&t.key));
            }
        },
        "resource.instanceDetails.tags.value" => |f, out| {
            let d = f.resource.instance_details.as_ref();
            for t in d.and_then(|d| d.tags.as_ref()).into_iter().flatten() {
                out(Scalar::Str(&t.value));
            }
        },
        "resource.rdsDbInstanceDetails.dbInstanceIdentifier" => |f, out| {
            let d = f.resource.rds_db_instance_details.as_ref();
            opt(out, d.and_then(|d| d.db_instance_identifier.as_deref()))
        },
        "resource.rdsDbInstanceDetails.dbClusterIdentifier" => |f, out| {
            let d = f.resource.rds_db_instance_details.as_ref();
            opt(out, d.and_then(|d| d.db_cluster_identifier.as_deref()))
        },
        "resource.rdsDbInstanceDetails.dbInstanceArn" => |f, out| {
            let d = f.resource.rds_db_instance_details.as_ref();
            opt(out, d.and_then(|d| d.db_instance_arn.as_deref()))
        },
        "resource.lambdaDetails.functionArn" => |f, out| {
            let d = f.resource.lambda_details.as_ref();
            opt(out, d.and_then(|d| d.function_arn.as_deref()))
        },
        "resource.lambdaDetails.functionName" => |f, out| {
            let d = f.resource.lambda_details.as_ref();
            opt(out, d.and_then(|d| d.function_name.as_deref()))
        },
        "resource.ebsSnapshotDetails.snapshotArn" => |f, out| {
            let d = f.resource.ebs_snapshot_details.as_ref();
            opt(out, d.map(|d| d.snapshot_arn.as_str()))
        },
        "resource.ec2ImageDetails.imageArn" => |f, out| {
            let d = f.resource.ec2_image_details.as_ref();
            opt(out, d.map(|d| d.image_arn.as_str()))
        },
        "service.action.actionType" => |f, out| out(Scalar::Str(&f.service.action.action_type)),
        "service.action.awsApiCallAction.api" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            opt(out, a.map(|a| a.api.as_str()))
        },
        "service.action.awsApiCallAction.callerType" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            opt(out, a.map(|a| a.caller_type.as_str()))
        },
        "service.action.awsApiCallAction.domainDetails.domain" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            let d = a.and_then(|a| a.domain_details.as_ref());
            opt(out, d.map(|d| d.domain.as_str()))
        },
        "service.action.awsApiCallAction.errorCode" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            opt(out, a.and_then(|a| a.error_code.as_deref()))
        },
        "service.action.awsApiCallAction.userAgent" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            opt(out, a.and_then(|a| a.user_agent.as_deref()))
        },
        "service.action.awsApiCallAction.serviceName" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            opt(out, a.map(|a| a.service_name.as_str()))
        },
        "service.action.awsApiCallAction.remoteAccountDetails.accountId" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            let r = a.and_then(|a| a.remote_account_details.as_ref());
            opt(out, r.map(|r| r.account_id.as_str()))
        },
        "service.action.awsApiCallAction.remoteAccountDetails.affiliated" => |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            if let Some(r) = a.and_then(|a| a.remote_account_details.as_ref()) {
                out(Scalar::Bool(r.affiliated));
            }
        },
        "service.action.dnsRequestAction.domain" => |f, out| {
            let d = f.service.action.dns_request_action.as_ref();
            opt(out, d.map(|d| d.domain.as_str()))
        },
        "service.action.dnsRequestAction.protocol" => |f, out| {
            let d = f.service.action.dns_request_action.as_ref();
            opt(out, d.and_then(|d| d.protocol.as_deref()))
        },
        "service.action.dnsRequestAction.blocked" => |f, out| {
            if let Some(d) = &f.service.action.dns_request_action {
                out(Scalar::Bool(d.blocked));
            }
        },
        "service.action.dnsRequestAction.domainWithSuffix" => |f, out| {
            let d = f.service.action.dns_request_action.as_ref();
            opt(out, d.and_then(|d| d.domain_with_suffix.as_deref()))
        },
        "service.action.dnsRequestAction.vpcOwnerAccountId" => |f, out| {
            let d = f.service.action.dns_request_action.as_ref();
            opt(out, d.and_then(|d| d.vpc_owner_account_id.as_deref()))
        },
        "service.action.networkConnectionAction.blocked" => |f, out| {
            if let Some(n) = &f.service.action.network_connection_action {
                out(Scalar::Bool(n.blocked));
            }
        },
        "service.action.networkConnectionAction.connectionDirection" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            opt(out, n.map(|n| n.connection_direction.as_str()))
        },
        "service.action.networkConnectionAction.protocol" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            opt(out, n.map(|n| n.protocol.as_str()))
        },
        "service.action.networkConnectionAction.localNetworkInterface" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            opt(out, n.and_then(|n| n.local_network_interface.as_deref()))
        },
        "service.action.networkConnectionAction.localPortDetails.port" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            port_fields(out, n.and_then(|n| n.local_port_details.as_ref()), false)
        },
        "service.action.networkConnectionAction.localPortDetails.portName" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            port_fields(out, n.and_then(|n| n.local_port_details.as_ref()), true)
        },
        "service.action.networkConnectionAction.remotePortDetails.port" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            port_fields(out, n.and_then(|n| n.remote_port_details.as_ref()), false)
        },
        "service.action.networkConnectionAction.remotePortDetails.portName" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            port_fields(out, n.and_then(|n| n.remote_port_details.as_ref()), true)
        },
        "service.action.networkConnectionAction.localIpDetails.ipAddressV4" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            local_ip(out, n.and_then(|n| n.local_ip_details.as_ref()), false)
        },
        "service.action.networkConnectionAction.localIpDetails.ipAddressV6" => |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            local_ip(out, n.and_then(|n| n.local_ip_details.as_ref()), true)
        },
        "service.action.portProbeAction.blocked" => |f, out| {
            if let Some(p) = &f.service.action.port_probe_action {
                out(Scalar::Bool(p.blocked));
            }
        },
        "service.action.portProbeAction.portProbeDetails.localPortDetails.port" => |f, out| {
            for d in probe_details(f) {
                port_fields(out, d.local_port_details.as_ref(), false);
            }
        },
        "service.action.portProbeAction.portProbeDetails.localPortDetails.portName" => |f, out| {
            for d in probe_details(f) {
                port_fields(out, d.local_port_details.as_ref(), true);
            }
        },
        "service.action.portProbeAction.portProbeDetails.localIpDetails.ipAddressV4" => |f, out| {
            for d in probe_details(f) {
                local_ip(out, d.local_ip_details.as_ref(), false);
            }
        },
        "service.action.portProbeAction.portProbeDetails.localIpDetails.ipAddressV6" => |f, out| {
            for d in probe_details(f) {
                local_ip(out, d.local_ip_details.as_ref(), true);
            }
        },
        "service.evidence.threatIntelligenceDetails.threatListName" => |f, out| {
            for t in threat_details(f) {
                out(Scalar::Str(&t.threat_list_name));
            }
        },
        "service.evidence.threatIntelligenceDetails.threatNames" => |f, out| {
            for t in threat_details(f) {
                for n in &t.threat_names {
                    out(Scalar::Str(n));
                }
            }
        },
        "service.archived" => |f, out| out(Scalar::Bool(f.service.archived)),
        "service.count" => |f, out| num(out, f.service.count as f64),
        "service.detectorId" => |f, out| out(Scalar::Str(&f.service.detector_id)),
        "service.eventFirstSeen" => |f, out| out(Scalar::Str(&f.service.event_first_seen)),
        "service.eventLastSeen" => |f, out| out(Scalar::Str(&f.service.event_last_seen)),
        "service.resourceRole" => |f, out| out(Scalar::Str(&f.service.resource_role)),
        "service.serviceName" => |f, out| out(Scalar::Str(&f.service.service_name)),
        "service.userFeedback" => |f, out| opt(out, f.service.user_feedback.as_deref()),
        "service.featureName" => |f, out| opt(out, f.service.feature_name.as_deref()),
        "service.additionalInfo.value" => |f, out| {
            let a = f.service.additional_info.as_ref();
            opt(out, a.map(|a| a.value.as_str()))
        },
        "service.additionalInfo.type" => |f, out| {
            let a = f.service.additional_info.as_ref();
            opt(out, a.map(|a| a.info_type.as_str()))
        },
        _ => return None,
    };
    Some(read)
}

fn probe_details(f: &Finding) -> impl Iterator<Item = &crate::finding::PortProbeDetail> {
    let p = f.service.action.port_probe_action.as_ref();
    p.into_iter().flat_map(|p| p.port_probe_details.iter())
}

fn threat_details(f: &Finding) -> impl Iterator<Item = &crate::finding::ThreatIntelligenceDetail> {
    let e = f.service.evidence.as_ref();
    e.into_iter()
        .flat_map(|e| e.threat_intelligence_details.iter())
}

const REMOTE_ROOTS: [(&str, RemoteRootFn); 3] = [
    (
        "service.action.awsApiCallAction.remoteIpDetails.",
        |f, out| {
            let a = f.service.action.aws_api_call_action.as_ref();
            if let Some(r) = a.and_then(|a| a.remote_ip_details.as_ref()) {
                out(r);
            }
        },
    ),
    (
        "service.action.networkConnectionAction.remoteIpDetails.",
        |f, out| {
            let n = f.service.action.network_connection_action.as_ref();
            if let Some(r) = n.and_then(|n| n.remote_ip_details.as_ref()) {
                out(r);
            }
        },
    ),
    (
        "service.action.portProbeAction.portProbeDetails.remoteIpDetails.",
        |f, out| {
            for d in probe_details(f) {
                if let Some(r) = &d.remote_ip_details {
                    out(r);
                }
            }
        },
    ),
];

fn remote_field(suffix: &str) -> Option<RemoteFieldFn> {
    let read: RemoteFieldFn = match suffix {
        "city.cityName" => |r, out| opt(out, r.city.as_ref().map(|c| c.city_name.as_str())),
        "country.countryCode" => |r, out| {
            opt(
                out,
                r.country.as_ref().and_then(|c| c.country_code.as_deref()),
            )
        },
        "country.countryName" => |r, out| {
            opt(
                out,
                r.country.as_ref().and_then(|c| c.country_name.as_deref()),
            )
        },
        "geoLocation.lat" => |r, out| {
            if let Some(g) = &r.geo_location {
                num(out, g.lat);
            }
        },
        "geoLocation.lon" => |r, out| {
            if let Some(g) = &r.geo_location {
                num(out, g.lon);
            }
        },
        "ipAddressV4" => |r, out| opt(out, r.ip_address_v4.as_deref()),
        "ipAddressV6" => |r, out| opt(out, r.ip_address_v6.as_deref()),
        "organization.asn" => {
            |r, out| opt(out, r.organization.as_ref().and_then(|o| o.asn.as_deref()))
        }
        "organization.asnOrg" => |r, out| {
            opt(
                out,
                r.organization.as_ref().and_then(|o| o.asn_org.as_deref()),
            )
        },
        "organization.isp" => {
            |r, out| opt(out, r.organization.as_ref().and_then(|o| o.isp.as_deref()))
        }
        "organization.org" => {
            |r, out| opt(out, r.organization.as_ref().and_then(|o| o.org.as_deref()))
        }
        _ => return None,
    };
    Some(read)
}

const PERMISSION_CONFIGURATION: &str =
    "resource.s3BucketDetails.publicAccess.permissionConfiguration.";

fn accessor(path: &str) -> Accessor {
    if let Some(read) = field_accessor(path) {
        return Accessor::Field(read);
    }
    for (prefix, root) in REMOTE_ROOTS {
        if let Some(field) = path.strip_prefix(prefix).and_then(remote_field) {
            return Accessor::RemoteIp(root, field);
        }
    }
    if path.starts_with(PERMISSION_CONFIGURATION) {
        let skip = PERMISSION_CONFIGURATION.matches('.').count();
        return Accessor::PermissionConfiguration(skip);
    }
    Accessor::Absent
}

fn parse_table() -> HashMap<&'static str, Attribute> {
    let mut table = HashMap::new();
    for line in TSV.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(name), Some(kind), Some(path)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let kind = match kind {
            "string" => ValueKind::String,
            "number" => ValueKind::Number,
            "boolean" => ValueKind::Boolean,
            "timestamp" => ValueKind::Timestamp,
            _ => ValueKind::Dynamic,
        };
        let (outer, inner) = path.split_once('|').unwrap_or((path, ""));
        let embedded = if inner.is_empty() {
            Vec::new()
        } else {
            inner.split('.').collect()
        };
        table.insert(
            name,
            Attribute {
                name,
                kind,
                path: outer.split('.').collect(),
                embedded,
                typed: accessor(outer),
            },
        );
    }
    table
}

fn table() -> &'static HashMap<&'static str, Attribute> {
    static TABLE: OnceLock<HashMap<&'static str, Attribute>> = OnceLock::new();
    TABLE.get_or_init(parse_table)
}

/// The attribute criteria call `name`, if GuardDuty accepts it.
pub fn attribute(name: &str) -> Option<&'static Attribute> {
    table().get(name)
}

/// Every accepted attribute, in no particular order.
pub fn attributes() -> impl Iterator<Item = &'static Attribute> {
    table().values()
}

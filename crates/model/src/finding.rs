//! GuardDuty's `Finding`, field for field, as `service-2.json` defines it and `GetFindings`
//! returns it: camelCase wire names, ISO-8601 times, `severity` a number. One serializer for the
//! CLI, the API, exports and notifications.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub account_id: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    pub created_at: String,
    pub description: String,
    pub id: String,
    pub partition: String,
    pub region: String,
    pub resource: Resource,
    pub schema_version: String,
    pub service: Service,
    pub severity: f64,
    pub title: String,
    #[serde(rename = "type")]
    pub finding_type: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub associated_attack_sequence_arn: Option<String>,
    /// For Custom Detection Rule findings: the signal rule that matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_detection_rule_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// AccessKey, Instance, S3Bucket, Lambda, RDSDBInstance, ...
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_details: Option<AccessKeyDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket_details: Option<Vec<S3BucketDetail>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_details: Option<InstanceDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rds_db_instance_details: Option<RdsDbInstanceDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda_details: Option<LambdaDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ebs_snapshot_details: Option<EbsSnapshotDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_image_details: Option<Ec2ImageDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKeyDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3BucketDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// "Destination" when the bucket was acted upon.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub bucket_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_access: Option<PublicAccess>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicAccess {
    /// PUBLIC or NOT_PUBLIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_permission: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_configuration: Option<serde_json::Value>,
}

/// The EC2 instance a finding is about, as GuardDuty's `InstanceDetails` shape. Everything is
/// optional: a detector knows the instance id or just an interface and address, and the inventory
/// fills in the rest when it knows the instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam_instance_profile: Option<IamInstanceProfile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    /// pending, running, stopping, stopped, shutting-down, terminated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outpost_arn: Option<String>,
    /// ISO-8601, as GuardDuty writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_interfaces: Option<Vec<NetworkInterface>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_codes: Option<Vec<ProductCode>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// One elastic network interface of an instance (GuardDuty's `NetworkInterface`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterface {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_interface_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_dns_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_ip_addresses: Option<Vec<PrivateIpAddressDetails>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_dns_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<SecurityGroup>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateIpAddressDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_dns_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_ip_address: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IamInstanceProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// A Marketplace product code. The wire names are GuardDuty's (`productCodeId`,
/// `productCodeType`), not the member names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductCode {
    #[serde(rename = "productCodeId", skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(rename = "productCodeType", skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
}

impl InstanceDetails {
    /// Whether `other` certainly describes the same instance: the same instance id, or, when
    /// either id is unknown, the same first network interface id. Only then may their details
    /// be merged; an address alone is not enough, because addresses are reused.
    pub fn same_instance(&self, other: &InstanceDetails) -> bool {
        match (&self.instance_id, &other.instance_id) {
            (Some(a), Some(b)) => a == b,
            _ => {
                let eni = |d: &InstanceDetails| {
                    d.network_interfaces
                        .as_ref()
                        .and_then(|n| n.first())
                        .and_then(|n| n.network_interface_id.clone())
                };
                eni(self).is_some() && eni(self) == eni(other)
            }
        }
    }

    /// Fill every field this description lacks from `other` (which must be of the same
    /// instance). Interfaces are matched by id, else by private address; interfaces only `other`
    /// knows are added.
    pub fn fill_from(&mut self, other: &InstanceDetails) {
        fill(&mut self.availability_zone, &other.availability_zone);
        fill(&mut self.iam_instance_profile, &other.iam_instance_profile);
        fill(&mut self.image_description, &other.image_description);
        fill(&mut self.image_id, &other.image_id);
        fill(&mut self.instance_id, &other.instance_id);
        fill(&mut self.instance_state, &other.instance_state);
        fill(&mut self.instance_type, &other.instance_type);
        fill(&mut self.outpost_arn, &other.outpost_arn);
        fill(&mut self.launch_time, &other.launch_time);
        fill(&mut self.platform, &other.platform);
        fill(&mut self.product_codes, &other.product_codes);
        fill(&mut self.tags, &other.tags);
        let Some(theirs) = &other.network_interfaces else {
            return;
        };
        let ours = self.network_interfaces.get_or_insert_with(Vec::new);
        for t in theirs {
            match ours.iter_mut().find(|o| o.same_interface(t)) {
                Some(o) => o.fill_from(t),
                None => ours.push(t.clone()),
            }
        }
    }
}

impl NetworkInterface {
    /// The same interface: equal ids, or, when either id is unknown, equal private addresses.
    pub fn same_interface(&self, other: &NetworkInterface) -> bool {
        match (&self.network_interface_id, &other.network_interface_id) {
            (Some(a), Some(b)) => a == b,
            _ => {
                self.private_ip_address.is_some()
                    && self.private_ip_address == other.private_ip_address
            }
        }
    }

    pub fn fill_from(&mut self, other: &NetworkInterface) {
        fill(&mut self.ipv6_addresses, &other.ipv6_addresses);
        fill(&mut self.network_interface_id, &other.network_interface_id);
        fill(&mut self.private_dns_name, &other.private_dns_name);
        fill(&mut self.private_ip_address, &other.private_ip_address);
        fill(&mut self.private_ip_addresses, &other.private_ip_addresses);
        fill(&mut self.public_dns_name, &other.public_dns_name);
        fill(&mut self.public_ip, &other.public_ip);
        fill(&mut self.security_groups, &other.security_groups);
        fill(&mut self.subnet_id, &other.subnet_id);
        fill(&mut self.vpc_id, &other.vpc_id);
    }
}

fn fill<T: Clone>(ours: &mut Option<T>, theirs: &Option<T>) {
    if ours.is_none() {
        ours.clone_from(theirs);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RdsDbInstanceDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_instance_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_cluster_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_instance_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EbsSnapshotDetails {
    pub snapshot_arn: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2ImageDetails {
    pub image_arn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    pub archived: bool,
    pub count: i64,
    pub detector_id: String,
    pub event_first_seen: String,
    pub event_last_seen: String,
    /// TARGET (the resource was acted upon) or ACTOR (the resource acted).
    pub resource_role: String,
    pub service_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_feedback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<AdditionalInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdditionalInfo {
    /// A JSON document, as a string (GuardDuty's wire form).
    pub value: String,
    #[serde(rename = "type")]
    pub info_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// AWS_API_CALL, NETWORK_CONNECTION, PORT_PROBE, DNS_REQUEST, ...
    pub action_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_api_call_action: Option<AwsApiCallAction>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dns_request_action: Option<DnsRequestAction>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub network_connection_action: Option<NetworkConnectionAction>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub port_probe_action: Option<PortProbeAction>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortProbeAction {
    pub blocked: bool,
    pub port_probe_details: Vec<PortProbeDetail>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortProbeDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_port_details: Option<PortDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_ip_details: Option<LocalIpDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_ip_details: Option<RemoteIpDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConnectionAction {
    pub blocked: bool,
    /// INBOUND, OUTBOUND or UNKNOWN.
    pub connection_direction: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_port_details: Option<PortDetails>,
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_ip_details: Option<LocalIpDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_network_interface: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_ip_details: Option<RemoteIpDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_port_details: Option<PortDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortDetails {
    pub port: i64,
    pub port_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalIpDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_v4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_v6: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsRequestAction {
    pub domain: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    pub blocked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_with_suffix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_owner_account_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsApiCallAction {
    pub api: String,
    /// "Remote IP", "Remote account", "AWS Service" or "Domain".
    pub caller_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_details: Option<DomainDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_ip_details: Option<RemoteIpDetails>,
    pub service_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_account_details: Option<RemoteAccountDetails>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub affected_resources: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainDetails {
    pub domain: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAccountDetails {
    pub account_id: String,
    pub affiliated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteIpDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<City>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo_location: Option<GeoLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_v4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_v6: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct City {
    pub city_name: String,
}
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Country {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_name: Option<String>,
}
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GeoLocation {
    pub lat: f64,
    pub lon: f64,
}
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn_org: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub threat_intelligence_details: Vec<ThreatIntelligenceDetail>,
}
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreatIntelligenceDetail {
    pub threat_list_name: String,
    pub threat_names: Vec<String>,
}

/// The severity label GuardDuty shows for a numeric severity.
pub fn severity_label(sev: f64) -> &'static str {
    if sev >= 9.0 {
        "Critical"
    } else if sev >= 7.0 {
        "High"
    } else if sev >= 4.0 {
        "Medium"
    } else {
        "Low"
    }
}

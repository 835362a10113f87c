//! GuardDuty's `Finding`, field for field, as `service-2.json` defines it and `GetFindings`
//! returns it: camelCase wire names, ISO-8601 times, `severity` a number. One serializer for the
//! CLI, the API, exports and notifications.
//!
//! Every member is optional on the wire except where `service-2.json` marks it required; optional
//! members are left out when unset. Wire names follow the model's `locationName`s, including its
//! irregular ones (`LoginAttributes`, `IamInstanceProfile`, `subNetId`, `hostIPC`, `sourceIPs`).
//! Members the model types `timestamp` are epoch seconds ([`EpochSeconds`], a JSON number, the
//! rest-json default); the finding's own times (`createdAt`, `eventFirstSeen`, ...) are ISO-8601
//! strings.

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eks_cluster_details: Option<EksClusterDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_details: Option<KubernetesDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ebs_volume_details: Option<EbsVolumeDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecs_cluster_details: Option<EcsClusterDetails>,
    /// A standalone container (Runtime Monitoring, Malware Protection for EC2 on containers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_details: Option<Container>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rds_limitless_db_details: Option<RdsLimitlessDbDetails>,
    /// The database user of an RDS login finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rds_db_user_details: Option<RdsDbUserDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_details: Option<RecoveryPointDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bedrock_guardrail_details: Option<BedrockGuardrailDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_details: Option<Vec<ModelDetail>>,
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
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_server_side_encryption: Option<DefaultServerSideEncryption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_access: Option<PublicAccess>,
    /// The objects involved (Malware Protection for S3, S3 data-event findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_object_details: Option<Vec<S3ObjectDetail>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultServerSideEncryption {
    /// AES256, aws:kms, aws:kms:dsse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_master_key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3ObjectDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(rename = "eTag", skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
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
    pub permission_configuration: Option<PermissionConfiguration>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_level_permissions: Option<BucketLevelPermissions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_level_permissions: Option<AccountLevelPermissions>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BucketLevelPermissions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_list: Option<PublicReadWrite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_policy: Option<PublicReadWrite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_public_access: Option<BlockPublicAccess>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountLevelPermissions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_public_access: Option<BlockPublicAccess>,
}

/// What a bucket ACL (`AccessControlList`) or bucket policy (`BucketPolicy`) allows the public.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicReadWrite {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allows_public_read_access: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allows_public_write_access: Option<bool>,
}

/// S3 Block Public Access settings (bucket or account level).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockPublicAccess {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_public_acls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restrict_public_buckets: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_public_acls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_public_policy: Option<bool>,
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
    /// aurora-mysql, aurora-postgresql, mysql, postgres, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_cluster_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_instance_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dbi_resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RdsLimitlessDbDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_shard_group_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_shard_group_resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_shard_group_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_cluster_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RdsDbUserDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// The TLS version of the connection, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_modified_at: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_version: Option<String>,
    /// The execution role's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// A Lambda function's VPC attachment. (`securityGroups` uses the EC2 `SecurityGroup` shape that
/// belongs with the instance network-interface structs, and is added together with them.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Absent on the wire for findings with no single action (malware scans, attack sequences,
    /// process-only Runtime findings): an action with no type and no details is not serialized.
    #[serde(default, skip_serializing_if = "Action::is_empty")]
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
    /// Malware Protection for EC2 (EBS volume scan) results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ebs_volume_scan_details: Option<EbsVolumeScanDetails>,
    /// Runtime Monitoring: the process involved and what it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_details: Option<RuntimeDetails>,
    /// Anomaly profiles (ML findings) or the attack sequence (Extended Threat Detection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection: Option<Detection>,
    /// Malware Protection for S3 / AWS Backup / on-demand scan results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub malware_scan_details: Option<MalwareScanDetails>,
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
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kubernetes_api_call_action: Option<KubernetesApiCallAction>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kubernetes_permission_checked_details: Option<KubernetesPermissionCheckedDetails>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kubernetes_role_binding_details: Option<KubernetesRoleBindingDetails>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kubernetes_role_details: Option<KubernetesRoleDetails>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rds_login_attempt_action: Option<RdsLoginAttemptAction>,
}

impl Action {
    /// No action type and no details: the finding has no action (see [`Service::action`]).
    pub fn is_empty(&self) -> bool {
        *self == Action::default()
    }
}

/// KUBERNETES_API_CALL: one request to the cluster's API server, from the EKS audit log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesApiCallAction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_uri: Option<String>,
    /// get, list, create, update, patch, delete, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subresource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    #[serde(rename = "sourceIPs", skip_serializing_if = "Option::is_none")]
    pub source_ips: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_ip_details: Option<RemoteIpDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i64>,
    /// The request parameters, as a JSON string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<String>,
}

/// A permission check (SelfSubjectAccessReview / `kubectl auth can-i`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesPermissionCheckedDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesRoleBindingDetails {
    /// RoleBinding or ClusterRoleBinding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_ref_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_ref_kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesRoleDetails {
    /// Role or ClusterRole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// RDS_LOGIN_ATTEMPT: logins to a database from one remote address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RdsLoginAttemptAction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_ip_details: Option<RemoteIpDetails>,
    /// Capital L on the wire: the model gives this member no camelCase `locationName`.
    #[serde(rename = "LoginAttributes", skip_serializing_if = "Option::is_none")]
    pub login_attributes: Option<Vec<LoginAttribute>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginAttribute {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_login_attempts: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_login_attempts: Option<i64>,
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
    /// When the caller is an AWS service acting from its own account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_service_name: Option<String>,
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
    /// The SHA-256 of the file a threat list matched (Runtime Monitoring file hashes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_file_sha256: Option<String>,
}

// ---- EKS, Kubernetes, containers, ECS ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EksClusterDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<EpochSeconds>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_user_details: Option<KubernetesUserDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_workload_details: Option<KubernetesWorkloadDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesUserDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_name: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impersonated_user: Option<ImpersonatedUser>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImpersonatedUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesWorkloadDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// pods, deployments, daemonsets, jobs, ...
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub workload_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_network: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    #[serde(rename = "hostIPC", skip_serializing_if = "Option::is_none")]
    pub host_ipc: Option<bool>,
    #[serde(rename = "hostPID", skip_serializing_if = "Option::is_none")]
    pub host_pid: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// containerd, docker, cri-o, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_runtime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_privilege_escalation: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPath>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostPath {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsClusterDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_services_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_container_instances_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running_tasks_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_details: Option<EcsTaskDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsTaskDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<EpochSeconds>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub started_at: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// FARGATE or EC2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
}

// ---- Malware Protection resources ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EbsVolumeDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scanned_volume_details: Option<Vec<VolumeDetail>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_volume_details: Option<Vec<VolumeDetail>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_arn: Option<String>,
    /// gp2, gp3, io1, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    #[serde(rename = "volumeSizeInGB", skip_serializing_if = "Option::is_none")]
    pub volume_size_in_gb: Option<i64>,
    /// UNENCRYPTED, CMK, DEFAULT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryPointDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_point_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_vault_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuous_scan_details: Option<ContinuousScanDetails>,
}

/// The window a continuous-backup scan covered (`ScanConfigurationContinuousScanDetails`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinuousScanDetails {
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<EpochSeconds>,
    #[serde(with = "epoch_seconds")]
    pub end_time: EpochSeconds,
}

// ---- Bedrock ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BedrockGuardrailDetails {
    /// Deprecated in the model in favour of `guardrails`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_arn: Option<String>,
    /// Deprecated in the model in favour of `guardrails`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrails: Option<Vec<BedrockGuardrail>>,
    /// GUARDRAIL_INTERVENED or NONE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_action: Option<String>,
    /// INPUT or OUTPUT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_policy_filters: Option<Vec<ContentPolicyFilter>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BedrockGuardrail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentPolicyFilter {
    /// PROMPT_ATTACK, JAILBREAK, HATE, INSULTS, SEXUAL, VIOLENCE, MISCONDUCT.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub filter_type: Option<String>,
    /// HIGH, MEDIUM, LOW, NONE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<String>,
    /// BLOCKED or NONE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
}

// ---- service.ebsVolumeScanDetails ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EbsVolumeScanDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<String>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub scan_started_at: Option<EpochSeconds>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub scan_completed_at: Option<EpochSeconds>,
    /// The finding that triggered a GuardDuty-initiated scan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_finding_id: Option<String>,
    /// Scan engines, e.g. Amazon, Bitdefender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_detections: Option<ScanDetections>,
    /// GUARDDUTY_INITIATED or ON_DEMAND.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanDetections {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scanned_item_count: Option<ScannedItemCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threats_detected_item_count: Option<ThreatsDetectedItemCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highest_severity_threat_details: Option<HighestSeverityThreatDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_detected_by_name: Option<ThreatDetectedByName>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScannedItemCount {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_gb: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreatsDetectedItemCount {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HighestSeverityThreatDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreatDetectedByName {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_threat_name_count: Option<i64>,
    /// True when `threatNames` was cut short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortened: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_names: Option<Vec<ScanThreatName>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanThreatName {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_paths: Option<Vec<ScanFilePath>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanFilePath {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

// ---- service.runtimeDetails ----

/// What Runtime Monitoring saw: the acting process and the type-specific context. Every value
/// here comes from the monitored host and is attacker-controlled: escape it before rendering.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<ProcessDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<RuntimeContext>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executable_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executable_sha256: Option<String>,
    /// The pid inside the container's pid namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_pid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pwd: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i64>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub euid: Option<i64>,
    /// Ancestors, parent first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Vec<LineageObject>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineageObject {
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_pid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executable_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub euid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_uuid: Option<String>,
}

/// The type-specific part of a Runtime finding: which members are set depends on the type
/// (a loaded module, a modified file, an injected process, a tool name, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modifying_process: Option<ProcessDetails>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_at: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ld_preload_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runc_binary_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_agent_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_system_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_file_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell_history_file_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_process: Option<ProcessDetails>,
    /// AF_INET, AF_INET6, AF_UNIX, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_family: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iana_protocol_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_regions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_line_example: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_file_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_file_paths: Option<Vec<String>>,
}

// ---- service.detection ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anomaly: Option<Anomaly>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<Sequence>,
}

/// What an anomaly (ML) finding compared against: per profiled entity and feature, the
/// observations that made the activity unusual.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Anomaly {
    /// entity → feature → observations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profiles: Option<BTreeMap<String, BTreeMap<String, Vec<AnomalyObject>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unusual: Option<AnomalyUnusual>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnomalyUnusual {
    /// entity → feature → the unusual observation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behavior: Option<BTreeMap<String, BTreeMap<String, AnomalyObject>>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnomalyObject {
    /// FREQUENCY or VOLUME.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_type: Option<String>,
    /// FREQUENT, INFREQUENT, UNSEEN, RARE, COUNT, AVERAGE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_subtype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observations: Option<Observations>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observations {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Vec<i64>>,
}

/// An attack sequence (Extended Threat Detection): the signals correlated into it and the
/// actors, resources and endpoints they share.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sequence {
    pub uid: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actors: Option<Vec<Actor>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<ResourceV2>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<NetworkEndpoint>>,
    pub signals: Vec<SequenceSignal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_indicators: Option<Vec<Indicator>>,
    /// Other finding types this sequence also amounts to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_sequence_types: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<ActorProcess>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    pub uid: String,
    /// IAMUser, AssumedRole, Root, ...
    #[serde(rename = "type")]
    pub user_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub uid: String,
    /// The account's name (member `Name`, wire name `account`).
    #[serde(rename = "account", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// ENABLED or DISABLED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_status: Option<String>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_time: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorProcess {
    pub name: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A resource of an attack sequence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceV2 {
    pub uid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// EC2_INSTANCE, S3_BUCKET, ACCESS_KEY, EKS_CLUSTER, ECS_CLUSTER, CONTAINER, ...
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_partition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<ResourceData>,
}

/// The type-specific data of a [`ResourceV2`]. (`ec2Instance.IamInstanceProfile`/`productCodes`
/// and `ec2NetworkInterface.privateIpAddresses`/`securityGroups` reuse the instance
/// network-interface shapes and are added together with them.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<S3Bucket>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_instance: Option<Ec2Instance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<AccessKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_network_interface: Option<Ec2NetworkInterface>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_object: Option<S3Object>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eks_cluster: Option<EksCluster>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_workload: Option<KubernetesWorkload>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerFindingResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecs_cluster: Option<EcsCluster>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecs_task: Option<EcsTask>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam_instance_profile: Option<Ec2InstanceGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaling_auto_scaling_group: Option<Ec2InstanceGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_launch_template: Option<Ec2LaunchTemplate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_vpc: Option<Ec2InstanceGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_image: Option<Ec2InstanceGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloudformation_stack: Option<Ec2InstanceGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bedrock_guardrail: Option<BedrockGuardrailResource>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Bucket {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_key_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_permission: Option<String>,
    /// BLOCKED or ALLOWED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_read_access: Option<String>,
    /// BLOCKED or ALLOWED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_write_access: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_public_access: Option<PublicAccessConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_public_access: Option<PublicAccessConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_object_uids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicAccessConfiguration {
    /// BLOCKED or ALLOWED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_acl_access: Option<String>,
    /// BLOCKED or ALLOWED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_policy_access: Option<String>,
    /// IGNORED or NOT_IGNORED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_acl_ignore_behavior: Option<String>,
    /// RESTRICTED or NOT_RESTRICTED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_bucket_restrict_behavior: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2Instance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outpost_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_network_interface_uids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2NetworkInterface {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// `subNetId` on the wire (sic).
    #[serde(rename = "subNetId", skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Object {
    #[serde(rename = "eTag", skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EksCluster {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<EpochSeconds>,
    /// CREATING, ACTIVE, DELETING, FAILED, UPDATING, PENDING.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_instance_uids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesWorkload {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_uids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// PODS, JOBS, CRONJOBS, DEPLOYMENTS, DAEMONSETS, STATEFULSETS, REPLICASETS, ...
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub workload_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerFindingResource {
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_uid: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsCluster {
    /// ACTIVE, PROVISIONING, DEPROVISIONING, FAILED, INACTIVE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_instance_uids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsTask {
    #[serde(
        default,
        with = "epoch_seconds::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<EpochSeconds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_definition_arn: Option<String>,
    /// FARGATE or EC2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_uids: Option<Vec<String>>,
}

/// The instances a grouping resource (instance profile, Auto Scaling group, VPC, AMI,
/// CloudFormation stack) ties together in a sequence: the model's `IamInstanceProfileV2`,
/// `AutoscalingAutoScalingGroup`, `Ec2Vpc`, `Ec2Image` and `CloudformationStack`, which share
/// this one member.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2InstanceGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_instance_uids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ec2LaunchTemplate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_instance_uids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BedrockGuardrailResource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_source: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkEndpoint {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<NetworkGeoLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autonomous_system: Option<AutonomousSystem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection: Option<NetworkConnection>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkGeoLocation {
    pub city: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutonomousSystem {
    pub name: String,
    pub number: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConnection {
    /// INBOUND or OUTBOUND.
    pub direction: String,
}

/// One signal of an attack sequence (the model's `Signal`; not Warden's detector
/// [`crate::Signal`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SequenceSignal {
    pub uid: String,
    /// FINDING, CLOUD_TRAIL, S3_DATA_EVENTS, EKS_AUDIT_LOGS, FLOW_LOGS, DNS_LOGS,
    /// RUNTIME_MONITORING.
    #[serde(rename = "type")]
    pub signal_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub name: String,
    #[serde(with = "epoch_seconds")]
    pub created_at: EpochSeconds,
    #[serde(with = "epoch_seconds")]
    pub updated_at: EpochSeconds,
    #[serde(with = "epoch_seconds")]
    pub first_seen_at: EpochSeconds,
    #[serde(with = "epoch_seconds")]
    pub last_seen_at: EpochSeconds,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<f64>,
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_uids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal_indicators: Option<Vec<Indicator>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activities: Option<Vec<Activity>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Indicator {
    /// MALICIOUS_IP, TOR_IP, HIGH_RISK_API, ATTACK_TACTIC, ATTACK_TECHNIQUE,
    /// UNUSUAL_ASN_FOR_USER, SUSPICIOUS_PROCESS, CRYPTOMINING_DOMAIN, ...
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// API_CALL.
    #[serde(rename = "type")]
    pub activity_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiCall>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiCall {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

// ---- service.malwareScanDetails ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MalwareScanDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threats: Option<Vec<Threat>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_id: Option<String>,
    /// BACKUP_INITIATED, ON_DEMAND or GUARDDUTY_INITIATED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_type: Option<String>,
    /// FULL_SCAN or INCREMENTAL_SCAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_configuration: Option<MalwareScanConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_threat_count: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Threat {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The engine that found it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_paths: Option<Vec<ItemPath>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_details: Option<Vec<ItemDetails>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemPath {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nested_item_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<ItemAdditionalInfo>,
}

/// Where an infected item sits (the model's `AdditionalInfo` under `ItemDetails`, not the
/// service's `additionalInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemAdditionalInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// The model's `MalwareProtectionFindingsScanConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MalwareScanConfiguration {
    /// BACKUP or GUARDDUTY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incremental_scan_details: Option<IncrementalScanDetails>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncrementalScanDetails {
    pub baseline_resource_arn: String,
}

/// Seconds since the Unix epoch, possibly fractional: how rest-json writes members the model
/// types `timestamp`.
pub type EpochSeconds = f64;

/// Serde for [`EpochSeconds`]: written as a JSON number; read from a number or, as botocore
/// also accepts and some exports carry, an ISO-8601 string.
pub mod epoch_seconds {
    use super::EpochSeconds;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Number(f64),
        Text(String),
    }

    fn from_wire<E: Error>(w: Wire) -> Result<EpochSeconds, E> {
        match w {
            Wire::Number(n) if n.is_finite() => Ok(n),
            Wire::Number(_) => Err(E::custom("timestamp is not a finite number")),
            Wire::Text(s) => crate::time::parse_timestamp(&s)
                .map(|ms| ms as f64 / 1000.0)
                .or_else(|| s.parse::<f64>().ok().filter(|n| n.is_finite()))
                .ok_or_else(|| E::custom(format!("not a timestamp: {s:?}"))),
        }
    }

    pub fn serialize<S: Serializer>(v: &EpochSeconds, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(*v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EpochSeconds, D::Error> {
        from_wire(Wire::deserialize(d)?)
    }

    /// The same for optional members (`null` reads as absent).
    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(v: &Option<EpochSeconds>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_f64(*v),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<EpochSeconds>, D::Error> {
            Option::<Wire>::deserialize(d)?.map(from_wire).transpose()
        }
    }
}

/// The AWS partition a Region belongs to (`aws`, `aws-cn`, `aws-us-gov`), for ARNs.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
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

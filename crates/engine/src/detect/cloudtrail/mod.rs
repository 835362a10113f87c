//! Rule-based detections over CloudTrail management events.
//!
//! Most detections are rows of [`RULES`]: the API calls that can trigger them, whether a failed
//! call counts, and a check over the call's parameters. The table is compiled once into an index
//! by event name, so each event meets only the rules that can match it (usually none: a hash
//! lookup). Two detections look at every event instead: root credential use and penetration-test
//! user agents ([`per_event`]).
//!
//! A call that returned an `errorCode` did not take effect, so it raises nothing, except where
//! the attempt itself is the threat (root credential use, pentest tooling, leaving the
//! organization); each rule says which with `on_failure`.

mod per_event;
mod rules;
#[cfg(test)]
mod tests;

use crate::detect::{CloudTrailDetector, DetectionConfig};
use std::collections::HashMap;
use std::net::IpAddr;
use warden_model::event::UserIdentity;
use warden_model::finding::{
    AccessKeyDetails, Action, AwsApiCallAction, EbsSnapshotDetails, Ec2ImageDetails,
    InstanceDetails, LambdaDetails, Owner, RdsDbInstanceDetails, RemoteAccountDetails,
    RemoteIpDetails, Resource, S3BucketDetail,
};
use warden_model::{CloudTrailEvent, Signal};

pub use rules::RULES;

/// What a rule's check found.
#[derive(Debug, Default)]
pub struct Hit {
    /// Overrides the rule's severity (password policy weakening, for example).
    pub severity: Option<f64>,
    pub resource: Target,
    /// Why it fired, in words.
    pub reasons: Vec<String>,
    /// Extra `affectedResources` entries (`AWS::S3::Bucket` → name ...).
    pub affected: Vec<(&'static str, String)>,
}

impl Hit {
    pub fn new(resource: Target, reason: impl Into<String>) -> Self {
        Hit {
            resource,
            reasons: vec![reason.into()],
            ..Default::default()
        }
    }
}

/// The resource a finding is about.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Target {
    /// The caller's own credentials (IAM findings).
    #[default]
    AccessKey,
    Bucket(String),
    Instance(String),
    Rds {
        id: String,
        cluster: bool,
    },
    Lambda(String),
    Snapshot(String),
    Image(String),
}

/// One row of the rule table.
pub struct Rule {
    /// The rule's name: the Custom Detection Rule signal name, or a short name for the others.
    pub name: &'static str,
    pub finding_type: &'static str,
    pub severity: f64,
    /// A Custom Detection Rule signal (its name becomes `customDetectionRuleName`).
    pub custom: bool,
    /// `eventSource` values the rule applies to.
    pub sources: &'static [&'static str],
    /// `eventName` values (without Lambda's version suffixes).
    pub events: &'static [&'static str],
    /// Whether a failed call still counts (the attempt is the threat).
    pub on_failure: bool,
    pub check: fn(&CloudTrailEvent<'_>) -> Option<Hit>,
    /// Title template: `{actor}`, `{api}`, `{resource}`, `{account}`, `{ip}` are filled in.
    pub title: &'static str,
}

/// The compiled rule table plus the per-event detections.
pub struct CloudTrailRules {
    by_event: HashMap<&'static str, Vec<&'static Rule>>,
    per_event: per_event::PerEvent,
}

impl CloudTrailRules {
    pub fn new(config: &DetectionConfig) -> Self {
        let off = |name: &str, ty: &str, custom: bool| {
            (custom && config.disable_custom_detection_rules)
                || config.disabled.iter().any(|d| d == name || d == ty)
        };
        let mut by_event: HashMap<&'static str, Vec<&'static Rule>> = HashMap::new();
        for rule in RULES {
            if off(rule.name, rule.finding_type, rule.custom) {
                continue;
            }
            for e in rule.events {
                by_event.entry(e).or_default().push(rule);
            }
        }
        CloudTrailRules {
            by_event,
            per_event: per_event::PerEvent::new(&|n, t| off(n, t, false)),
        }
    }
}

/// Lambda's event names carry an API version (`AddPermission20150331v2`): drop it.
pub fn normalize_event_name(name: &str) -> &str {
    let b = name.as_bytes();
    if !b.last().is_some_and(|c| c.is_ascii_digit()) {
        return name;
    }
    let mut end = b.len();
    // optional vN suffix
    let mut i = end;
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i > 0 && b[i - 1] == b'v' && i < end {
        let j = i - 1;
        let mut k = j;
        while k > 0 && b[k - 1].is_ascii_digit() {
            k -= 1;
        }
        if j - k == 8 {
            end = k;
            return &name[..end];
        }
    }
    if end - i == 8 && i > 0 {
        end = i;
    }
    &name[..end]
}

impl CloudTrailDetector for CloudTrailRules {
    fn detect(&mut self, event: &CloudTrailEvent<'_>, time: i64, out: &mut Vec<Signal>) {
        self.per_event.detect(event, time, out);
        let Some(rules) = self.by_event.get(normalize_event_name(event.event_name())) else {
            return;
        };
        for rule in rules {
            if !rule.sources.contains(&event.event_source()) {
                continue;
            }
            if !rule.on_failure && !event.succeeded() {
                continue;
            }
            if let Some(hit) = (rule.check)(event) {
                let severity = hit.severity.unwrap_or(rule.severity);
                out.push(build_signal(
                    event,
                    time,
                    SignalSpec {
                        finding_type: rule.finding_type,
                        severity,
                        rule: rule.custom.then_some(rule.name),
                        title: rule.title,
                    },
                    hit,
                ));
            }
        }
    }
}

pub(crate) struct SignalSpec {
    pub finding_type: &'static str,
    pub severity: f64,
    pub rule: Option<&'static str>,
    pub title: &'static str,
}

fn access_key_details(id: Option<&UserIdentity<'_>>) -> AccessKeyDetails {
    let Some(id) = id else {
        return AccessKeyDetails::default();
    };
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    AccessKeyDetails {
        access_key_id: opt(id.access_key_id()),
        principal_id: opt(id.principal_id()),
        user_name: opt(id.display_name()),
        user_type: opt(id.identity_type()),
    }
}

/// Build the signal for a hit: the resource, the API-call action and the words.
pub(crate) fn build_signal(
    event: &CloudTrailEvent<'_>,
    time: i64,
    spec: SignalSpec,
    hit: Hit,
) -> Signal {
    let account = event.account_id().to_string();
    let region = event.region().to_string();
    let identity = event.identity();
    let akd = access_key_details(identity);
    let actor = identity.map(|i| i.actor_key()).unwrap_or("").to_string();
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };

    let mut affected = std::collections::BTreeMap::new();
    let mut resource = Resource {
        resource_type: "AccessKey".into(),
        access_key_details: Some(akd.clone()),
        ..Default::default()
    };
    let (resource_key, resource_name) = match &hit.resource {
        Target::AccessKey => {
            let key = akd.access_key_id.clone().unwrap_or_else(|| actor.clone());
            let name = akd.user_name.clone().unwrap_or_else(|| actor.clone());
            (format!("accesskey:{key}"), name)
        }
        Target::Bucket(b) => {
            resource.resource_type = "S3Bucket".into();
            resource.s3_bucket_details = Some(vec![S3BucketDetail {
                arn: Some(format!("arn:{partition}:s3:::{b}")),
                name: Some(b.clone()),
                bucket_type: Some("Destination".into()),
                owner: (!account.is_empty()).then(|| Owner {
                    id: account.clone(),
                }),
                public_access: None,
                ..Default::default()
            }]);
            affected.insert("AWS::S3::Bucket".to_string(), b.clone());
            (format!("s3:{b}"), b.clone())
        }
        Target::Instance(i) => {
            resource.resource_type = "Instance".into();
            resource.instance_details = Some(InstanceDetails {
                instance_id: Some(i.clone()),
                ..Default::default()
            });
            affected.insert("AWS::EC2::Instance".to_string(), i.clone());
            (format!("ec2:{i}"), i.clone())
        }
        Target::Rds { id, cluster } => {
            resource.resource_type = "RDSDBInstance".into();
            resource.rds_db_instance_details = Some(if *cluster {
                RdsDbInstanceDetails {
                    db_cluster_identifier: Some(id.clone()),
                    ..Default::default()
                }
            } else {
                RdsDbInstanceDetails {
                    db_instance_identifier: Some(id.clone()),
                    ..Default::default()
                }
            });
            affected.insert(
                if *cluster {
                    "AWS::RDS::DBCluster"
                } else {
                    "AWS::RDS::DBInstance"
                }
                .to_string(),
                id.clone(),
            );
            (format!("rds:{id}"), id.clone())
        }
        Target::Lambda(f) => {
            resource.resource_type = "Lambda".into();
            let (name, arn) = if f.starts_with("arn:") {
                (
                    f.rsplit(':')
                        .find(|p| {
                            !p.is_empty()
                                && !p.chars().all(|c| c.is_ascii_digit())
                                && *p != "$LATEST"
                        })
                        .unwrap_or(f)
                        .to_string(),
                    Some(f.clone()),
                )
            } else {
                (f.clone(), None)
            };
            resource.lambda_details = Some(LambdaDetails {
                function_arn: arn,
                function_name: Some(name.clone()),
                ..Default::default()
            });
            affected.insert("AWS::Lambda::Function".to_string(), f.clone());
            (format!("lambda:{name}"), name)
        }
        Target::Snapshot(s) => {
            resource.ebs_snapshot_details = Some(EbsSnapshotDetails {
                snapshot_arn: format!("arn:{partition}:ec2:{region}::snapshot/{s}"),
            });
            affected.insert("AWS::EC2::Snapshot".to_string(), s.clone());
            (format!("snapshot:{s}"), s.clone())
        }
        Target::Image(i) => {
            resource.ec2_image_details = Some(Ec2ImageDetails {
                image_arn: format!("arn:{partition}:ec2:{region}::image/{i}"),
            });
            affected.insert("AWS::EC2::Image".to_string(), i.clone());
            (format!("image:{i}"), i.clone())
        }
    };
    for (k, v) in hit.affected {
        affected.insert(k.to_string(), v);
    }

    let ip = event.source_ip();
    let parsed_ip: Option<IpAddr> = ip.parse().ok();
    let caller_type = if parsed_ip.is_some() {
        "Remote IP"
    } else if ip.ends_with(".amazonaws.com") || ip.starts_with("AWS Internal") {
        "AWS Service"
    } else {
        "Domain"
    };
    let remote_ip_details = parsed_ip.map(|a| match a {
        IpAddr::V4(_) => RemoteIpDetails {
            ip_address_v4: Some(ip.to_string()),
            ..Default::default()
        },
        IpAddr::V6(_) => RemoteIpDetails {
            ip_address_v6: Some(ip.to_string()),
            ..Default::default()
        },
    });
    let caller_account = identity.and_then(|i| i.account_id.as_deref()).unwrap_or("");
    let remote_account_details =
        (!caller_account.is_empty() && caller_account != account).then(|| RemoteAccountDetails {
            account_id: caller_account.to_string(),
            affiliated: false,
            ..Default::default()
        });
    let api = event.event_name().to_string();
    let action = Action {
        action_type: "AWS_API_CALL".into(),
        aws_api_call_action: Some(AwsApiCallAction {
            api: api.clone(),
            caller_type: caller_type.into(),
            domain_details: (caller_type == "Domain" && !ip.is_empty()).then(|| {
                warden_model::finding::DomainDetails {
                    domain: ip.to_string(),
                }
            }),
            error_code: event.error_code().map(str::to_string),
            user_agent: event.user_agent.as_deref().map(str::to_string),
            remote_ip_details,
            service_name: event.event_source().to_string(),
            remote_account_details,
            affected_resources: affected,
        }),
        dns_request_action: None,
        network_connection_action: None,
        port_probe_action: None,
        ..Default::default()
    };
    let actor_name = akd.user_name.clone().unwrap_or_else(|| actor.clone());
    let title = spec
        .title
        .replace("{actor}", &actor_name)
        .replace("{api}", &api)
        .replace("{resource}", &resource_name)
        .replace("{account}", &account)
        .replace(
            "{ip}",
            if ip.is_empty() {
                "an unknown address"
            } else {
                ip
            },
        );
    let mut description = format!(
        "{title} {api} was called by {} {actor_name} from {} in account {account} ({region}).",
        akd.user_type.as_deref().unwrap_or("principal"),
        if ip.is_empty() {
            "an unknown address"
        } else {
            ip
        },
    );
    if let Some(code) = event.error_code() {
        description.push_str(&format!(" The call failed with {code}."));
    }
    if !hit.reasons.is_empty() {
        description.push_str(" Why: ");
        description.push_str(&hit.reasons.join("; "));
        description.push('.');
    }
    Signal {
        finding_type: spec.finding_type,
        severity: spec.severity,
        rule: spec.rule,
        account_id: account,
        region,
        resource,
        resource_key,
        actor_key: actor,
        action,
        resource_role: "TARGET",
        evidence: None,
        event_id: event.event_id.as_deref().map(str::to_string),
        event_time: time,
        title,
        description,
        reasons: hit.reasons,
    }
}

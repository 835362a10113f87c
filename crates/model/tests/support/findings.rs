//! Findings shaped like the ones GuardDuty raises for the GuardDuty tester's trigger actions
//! (`/work/shared/guardduty/tester-findings.tsv`): SSH/RDP brute force against and from an
//! instance, a port scan, unprotected-port probes, C&C and bitcoin DNS lookups of the tester's
//! indicator domains, CloudTrail logging stopped with a CI access key, S3 Block Public Access
//! removed. Shared by `tests/criteria.rs` and `examples/criteria_bench.rs`; deterministic for a
//! seed (a small SplitMix64, so the crate needs no `rand`).

#![allow(dead_code)]

use warden_model::finding::*;
use warden_model::time::format_timestamp;

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub const ACCOUNTS: [&str; 6] = [
    "123456789012",
    "210987654321",
    "111122223333",
    "444455556666",
    "777788889999",
    "000011112222",
];
pub const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const DETECTOR: &str = "12abc34d567e8fa901bc2d34e56789f0";
/// 2026-03-01T00:00:00Z.
pub const START_MS: i64 = 1_772_323_200_000;
pub const DAY_MS: i64 = 86_400_000;

const ATTACKERS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "198.51.100.23",
        "NL",
        "Netherlands",
        "AS60404",
        "The Infrastructure Group",
    ),
    ("203.0.113.77", "RU", "Russia", "AS49505", "Selectel"),
    ("192.0.2.150", "CN", "China", "AS4134", "Chinanet"),
    ("185.220.101.4", "DE", "Germany", "AS205100", "F3 Netze"),
];

fn remote(rng: &mut Rng) -> RemoteIpDetails {
    let (ip, code, country, asn, org) = *rng.pick(&ATTACKERS);
    RemoteIpDetails {
        city: Some(City {
            city_name: "Amsterdam".into(),
        }),
        country: Some(Country {
            country_code: Some(code.into()),
            country_name: Some(country.into()),
        }),
        geo_location: Some(GeoLocation {
            lat: 52.37,
            lon: 4.89,
        }),
        ip_address_v4: Some(ip.into()),
        ip_address_v6: None,
        organization: Some(Organization {
            asn: Some(asn.trim_start_matches("AS").into()),
            asn_org: Some(org.into()),
            isp: Some(org.into()),
            org: Some(org.into()),
        }),
    }
}

fn instance(rng: &mut Rng, bastion: bool) -> Resource {
    let mut tags = vec![Tag {
        key: "Name".into(),
        value: if bastion { "bastion" } else { "web" }.into(),
    }];
    if rng.chance(50) {
        tags.push(Tag {
            key: "Env".into(),
            value: (*rng.pick(&["prod", "staging", "dev"])).into(),
        });
    }
    Resource {
        resource_type: "Instance".into(),
        instance_details: Some(InstanceDetails {
            instance_id: Some(format!("i-0{:016x}", rng.below(5_000))),
            instance_type: Some((*rng.pick(&["t3.micro", "m5.large", "c6g.xlarge"])).into()),
            image_id: Some("ami-0abcdef1234567890".into()),
            availability_zone: Some("us-east-1a".into()),
            tags: Some(tags),
            ..Default::default()
        }),
        ..Resource::default()
    }
}

fn access_key(rng: &mut Rng) -> Resource {
    Resource {
        resource_type: "AccessKey".into(),
        access_key_details: Some(AccessKeyDetails {
            access_key_id: Some(format!("AKIA{:016X}", rng.below(200))),
            principal_id: Some(format!("AIDA{:016X}", rng.below(200))),
            user_name: Some((*rng.pick(&["ci-deploy", "alice", "terraform"])).into()),
            user_type: Some("IAMUser".into()),
        }),
        ..Resource::default()
    }
}

fn port(port: i64, name: &str) -> PortDetails {
    PortDetails {
        port,
        port_name: name.into(),
    }
}

fn local(rng: &mut Rng) -> LocalIpDetails {
    LocalIpDetails {
        ip_address_v4: Some(format!("10.0.{}.{}", rng.below(4), 1 + rng.below(250))),
        ip_address_v6: None,
    }
}

fn connection(
    rng: &mut Rng,
    inbound: bool,
    local_port: PortDetails,
    remote_port: PortDetails,
) -> Action {
    Action {
        action_type: "NETWORK_CONNECTION".into(),
        network_connection_action: Some(NetworkConnectionAction {
            blocked: false,
            connection_direction: if inbound { "INBOUND" } else { "OUTBOUND" }.into(),
            local_port_details: Some(local_port),
            protocol: "TCP".into(),
            local_ip_details: Some(local(rng)),
            local_network_interface: Some("eni-0123456789abcdef0".into()),
            remote_ip_details: Some(remote(rng)),
            remote_port_details: Some(remote_port),
        }),
        ..Action::default()
    }
}

fn api_call(rng: &mut Rng, api: &str, service: &str) -> Action {
    Action {
        action_type: "AWS_API_CALL".into(),
        aws_api_call_action: Some(AwsApiCallAction {
            api: api.into(),
            caller_type: "Remote IP".into(),
            user_agent: Some("aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 kali".into()),
            remote_ip_details: Some(remote(rng)),
            service_name: service.into(),
            error_code: if rng.chance(10) {
                Some("AccessDenied".into())
            } else {
                None
            },
            ..AwsApiCallAction::default()
        }),
        ..Action::default()
    }
}

fn dns(domain: &str) -> Action {
    Action {
        action_type: "DNS_REQUEST".into(),
        dns_request_action: Some(DnsRequestAction {
            domain: domain.into(),
            protocol: Some("UDP".into()),
            blocked: false,
            domain_with_suffix: Some("guarddutyc2activityb.com".into()),
            vpc_owner_account_id: None,
        }),
        ..Action::default()
    }
}

fn intel(list: &str, name: &str) -> Option<Evidence> {
    Some(Evidence {
        threat_intelligence_details: vec![ThreatIntelligenceDetail {
            threat_list_name: list.into(),
            threat_names: vec![name.into()],
            ..Default::default()
        }],
    })
}

/// The finding types `tester_finding` produces, in the order its `kind` selects them.
pub const TYPES: [&str; 8] = [
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "Recon:EC2/Portscan",
    "Backdoor:EC2/C&CActivity.B!DNS",
    "Recon:EC2/PortProbeUnprotectedPort",
    "Stealth:IAMUser/CloudTrailLoggingDisabled",
    "Policy:S3/BucketBlockPublicAccessDisabled",
    "UnauthorizedAccess:EC2/RDPBruteForce",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
];

/// One tester-shaped finding; `n` makes its id unique.
pub fn tester_finding(rng: &mut Rng, n: usize) -> Finding {
    let kind = rng.below(TYPES.len() as u64) as usize;
    let finding_type = TYPES[kind];
    let account = *rng.pick(&ACCOUNTS);
    let region = *rng.pick(&REGIONS);
    let mut role = "TARGET";
    let mut evidence = None;
    let feature = match kind {
        2 | 7 => "DnsLogs",
        4 | 5 => "CloudTrail",
        _ => "FlowLogs",
    };
    let (severity, resource, action, info) = match kind {
        0 | 6 => {
            let (p, name) = if kind == 0 {
                (22, "SSH")
            } else {
                (3389, "RDP")
            };
            // The tester attacks its own instance (victim: Low); an instance doing the brute
            // forcing is the High variant.
            let outbound = rng.chance(20);
            if outbound {
                role = "ACTOR";
            }
            let ports = if outbound {
                (
                    port(40_000 + rng.below(20_000) as i64, "Unknown"),
                    port(p, name),
                )
            } else {
                (
                    port(p, name),
                    port(40_000 + rng.below(20_000) as i64, "Unknown"),
                )
            };
            let action = connection(rng, !outbound, ports.0, ports.1);
            let severity = if outbound { 8.0 } else { 2.0 };
            (
                severity,
                instance(rng, false),
                action,
                r#"{"sample":true}"#.to_string(),
            )
        }
        1 => {
            role = "ACTOR";
            let remote_port =
                *rng.pick(&[(22, "SSH"), (80, "HTTP"), (443, "HTTPS"), (3306, "MYSQL")]);
            let local_port = port(40_000 + rng.below(20_000) as i64, "Unknown");
            let action = connection(rng, false, local_port, port(remote_port.0, remote_port.1));
            (
                5.0,
                instance(rng, false),
                action,
                r#"{"unusual":{"port":8088}}"#.to_string(),
            )
        }
        2 | 7 => {
            role = "ACTOR";
            let (domain, list) = if kind == 2 {
                ("c2.guarddutyc2activityb.com", "ProofPoint")
            } else {
                ("crypto.guarddutyc2activityb.com", "ProofPoint")
            };
            evidence = intel(list, "Backdoor.Tester");
            (
                8.0,
                instance(rng, false),
                dns(domain),
                format!(r#"{{"threatListName":"{list}","domain":"{domain}"}}"#),
            )
        }
        3 => {
            let bastion = rng.chance(30);
            let probes = 1 + rng.below(3) as usize;
            let details = (0..probes)
                .map(|i| {
                    let (p, name) = [(22, "SSH"), (3389, "RDP"), (5432, "POSTGRESQL")][i];
                    PortProbeDetail {
                        local_port_details: Some(port(p, name)),
                        local_ip_details: Some(local(rng)),
                        remote_ip_details: Some(remote(rng)),
                    }
                })
                .collect();
            let action = Action {
                action_type: "PORT_PROBE".into(),
                port_probe_action: Some(PortProbeAction {
                    blocked: false,
                    port_probe_details: details,
                }),
                ..Action::default()
            };
            (2.0, instance(rng, bastion), action, "{}".to_string())
        }
        4 => (
            2.0,
            access_key(rng),
            api_call(rng, "StopLogging", "cloudtrail.amazonaws.com"),
            r#"{"userAgent":{"fullUserAgent":"aws-cli/2.15.0","userAgentCategory":"Kali"}}"#
                .to_string(),
        ),
        _ => {
            let bucket = format!("tester-bucket-{}", rng.below(50));
            let resource = Resource {
                resource_type: "S3Bucket".into(),
                access_key_details: access_key(rng).access_key_details,
                s3_bucket_details: Some(vec![S3BucketDetail {
                    arn: Some(format!("arn:aws:s3:::{bucket}")),
                    name: Some(bucket),
                    bucket_type: Some("Destination".into()),
                    owner: Some(Owner {
                        id: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
                            .into(),
                    }),
                    public_access: Some(PublicAccess {
                        effective_permission: Some("NOT_PUBLIC".into()),
                        permission_configuration: serde_json::from_value(serde_json::json!({
                            "bucketLevelPermissions": {
                                "blockPublicAccess": {
                                    "blockPublicAcls": false,
                                    "blockPublicPolicy": false,
                                    "ignorePublicAcls": false,
                                    "restrictPublicBuckets": false
                                }
                            },
                            "accountLevelPermissions": {
                                "blockPublicAccess": {
                                    "blockPublicAcls": true,
                                    "blockPublicPolicy": true,
                                    "ignorePublicAcls": true,
                                    "restrictPublicBuckets": true
                                }
                            }
                        }))
                        .ok(),
                    }),
                    ..Default::default()
                }]),
                ..Resource::default()
            };
            (
                2.0,
                resource,
                api_call(rng, "PutBucketPublicAccessBlock", "s3.amazonaws.com"),
                "{}".to_string(),
            )
        }
    };
    let first = START_MS + rng.below(60 * DAY_MS as u64) as i64;
    let last = first + rng.below(3 * DAY_MS as u64) as i64;
    let updated = last + rng.below(600_000) as i64;
    // Random hex like Warden's SHA-256-derived ids; `n` keeps them unique.
    let id = format!("{:016x}{:016x}", rng.next(), n);
    Finding {
        account_id: account.into(),
        arn: format!("arn:aws:guardduty:{region}:{account}:detector/{DETECTOR}/finding/{id}"),
        confidence: None,
        created_at: format_timestamp(first + 300_000),
        description: format!("{finding_type} observed by the GuardDuty tester scenario."),
        id,
        partition: "aws".into(),
        region: region.into(),
        resource,
        schema_version: "2.0".into(),
        service: Service {
            action,
            evidence,
            archived: rng.chance(30),
            count: 1 + rng.below(200) as i64,
            detector_id: DETECTOR.into(),
            event_first_seen: format_timestamp(first),
            event_last_seen: format_timestamp(last),
            resource_role: role.into(),
            service_name: "guardduty".into(),
            user_feedback: None,
            additional_info: Some(AdditionalInfo {
                value: info,
                info_type: "default".into(),
            }),
            feature_name: Some(feature.into()),
            ..Default::default()
        },
        severity,
        title: finding_type.to_string(),
        finding_type: finding_type.to_string(),
        updated_at: format_timestamp(updated),
        associated_attack_sequence_arn: None,
        custom_detection_rule_name: None,
    }
}

/// `n` tester-shaped findings.
pub fn tester_findings(n: usize, seed: u64) -> Vec<Finding> {
    let mut rng = Rng::new(seed);
    (0..n).map(|i| tester_finding(&mut rng, i)).collect()
}

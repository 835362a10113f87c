//! Sample findings (`CreateSampleFindings`) and the Finding model checked against GuardDuty's API
//! model, `service-2.json` (read from the shared reference copy when it is present).

use serde_json::Value;
use std::collections::BTreeSet;
use warden_model::Finding;
use warden_model::catalogue;
use warden_model::finding::{EksClusterDetails, severity_label};
use warden_model::sample::{
    SampleContext, is_sample, record_repeat, sample_finding, sample_finding_id, sample_types,
};
use warden_model::time::parse_timestamp;

const NOW: i64 = 1_773_456_789_123; // 2026-03-14T02:53:09.123Z

fn ctx() -> SampleContext {
    SampleContext::new(
        "111122223333",
        "eu-west-1",
        "5ab3e2c7d9f04a1b8c6e0f2d4a7b9c13",
        NOW,
    )
}

fn service_model() -> Option<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/guardduty/service-2.json"
    );
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).expect("service-2.json parses"))
}

fn wire_name<'a>(name: &'a str, member: &'a Value) -> &'a str {
    member["locationName"].as_str().unwrap_or(name)
}

/// Check a JSON value against a shape of the API model: every member is one the model defines
/// (by wire name), with the model's type, and every required member is present.
fn check_shape(model: &Value, shape: &str, v: &Value, at: &str) {
    let s = &model["shapes"][shape];
    match s["type"].as_str().unwrap() {
        "structure" => {
            let obj = v
                .as_object()
                .unwrap_or_else(|| panic!("{at}: expected object for {shape}"));
            let members = s["members"].as_object().unwrap();
            for (k, child) in obj {
                let (_, m) = members
                    .iter()
                    .find(|(name, m)| wire_name(name, m) == k)
                    .unwrap_or_else(|| panic!("{at}.{k}: not a member of {shape}"));
                check_shape(
                    model,
                    m["shape"].as_str().unwrap(),
                    child,
                    &format!("{at}.{k}"),
                );
            }
            for req in s["required"].as_array().into_iter().flatten() {
                let req = req.as_str().unwrap();
                let wire = wire_name(req, &members[req]);
                assert!(
                    obj.contains_key(wire),
                    "{at}: required {wire} missing from {shape}"
                );
            }
        }
        "list" => {
            for (i, item) in v
                .as_array()
                .unwrap_or_else(|| panic!("{at}: expected list"))
                .iter()
                .enumerate()
            {
                check_shape(
                    model,
                    s["member"]["shape"].as_str().unwrap(),
                    item,
                    &format!("{at}[{i}]"),
                );
            }
        }
        "map" => {
            for (k, item) in v
                .as_object()
                .unwrap_or_else(|| panic!("{at}: expected map"))
            {
                check_shape(
                    model,
                    s["value"]["shape"].as_str().unwrap(),
                    item,
                    &format!("{at}.{k}"),
                );
            }
        }
        "string" => {
            assert!(v.is_string(), "{at}: expected string, got {v}");
            if let Some(allowed) = s["enum"].as_array() {
                assert!(allowed.contains(v), "{at}: {v} is not one of {allowed:?}");
            }
        }
        "boolean" => assert!(v.is_boolean(), "{at}: expected boolean"),
        "integer" | "long" => assert!(v.is_i64() || v.is_u64(), "{at}: expected integer, got {v}"),
        "double" | "float" => assert!(v.is_number(), "{at}: expected number"),
        "timestamp" => assert!(v.is_number(), "{at}: expected epoch seconds, got {v}"),
        other => panic!("{at}: unhandled shape type {other}"),
    }
}

/// A value of `shape` with every member the model defines filled in (lists and maps of one).
fn fill(model: &Value, shape: &str, depth: usize) -> Value {
    let s = &model["shapes"][shape];
    match s["type"].as_str().unwrap() {
        "structure" => {
            let mut obj = serde_json::Map::new();
            if depth < 12 {
                for (name, m) in s["members"].as_object().unwrap() {
                    obj.insert(
                        wire_name(name, m).to_string(),
                        fill(model, m["shape"].as_str().unwrap(), depth + 1),
                    );
                }
            }
            Value::Object(obj)
        }
        "list" => Value::Array(vec![fill(
            model,
            s["member"]["shape"].as_str().unwrap(),
            depth + 1,
        )]),
        "map" => {
            let mut obj = serde_json::Map::new();
            obj.insert(
                "k".into(),
                fill(model, s["value"]["shape"].as_str().unwrap(), depth + 1),
            );
            Value::Object(obj)
        }
        "string" => Value::String(
            s["enum"]
                .get(0)
                .and_then(Value::as_str)
                .unwrap_or("text")
                .to_string(),
        ),
        "boolean" => Value::Bool(true),
        "integer" | "long" => Value::from(7),
        "double" | "float" => Value::from(1.5),
        "timestamp" => Value::from(1_700_000_000.5),
        other => panic!("unhandled shape type {other}"),
    }
}

/// Leaf paths of `full` that `got` lacks or holds differently.
fn dropped(full: &Value, got: &Value, at: &str, out: &mut BTreeSet<String>) {
    match (full, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let path = format!("{at}.{k}");
                match b.get(k) {
                    Some(w) => dropped(v, w, &path, out),
                    None => {
                        out.insert(path);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, v) in a.iter().enumerate() {
                match b.get(i) {
                    Some(w) => dropped(v, w, at, out),
                    None => {
                        out.insert(at.to_string());
                    }
                }
            }
        }
        (a, b) if a == b => {}
        _ => {
            out.insert(at.to_string());
        }
    }
}

/// Members still left out on purpose: they use the instance network-interface shapes
/// (`SecurityGroup`, `PrivateIpAddressDetails`, `IamInstanceProfile`, `ProductCode`), which come
/// with the `InstanceDetails` extension; and `InstanceDetails`'s own members beyond the first
/// five, which that extension adds. The list may only shrink.
const NOT_YET_MODELLED: &[&str] = &[
    "finding.resource.instanceDetails.iamInstanceProfile",
    "finding.resource.instanceDetails.imageDescription",
    "finding.resource.instanceDetails.instanceState",
    "finding.resource.instanceDetails.outpostArn",
    "finding.resource.instanceDetails.launchTime",
    "finding.resource.instanceDetails.networkInterfaces",
    "finding.resource.instanceDetails.platform",
    "finding.resource.instanceDetails.productCodes",
    "finding.resource.lambdaDetails.vpcConfig.securityGroups",
    "finding.service.detection.sequence.resources.data.ec2Instance.IamInstanceProfile",
    "finding.service.detection.sequence.resources.data.ec2Instance.productCodes",
    "finding.service.detection.sequence.resources.data.ec2NetworkInterface.privateIpAddresses",
    "finding.service.detection.sequence.resources.data.ec2NetworkInterface.securityGroups",
];

#[test]
fn the_model_expresses_every_member_of_guarddutys_finding() {
    let Some(model) = service_model() else { return };
    let full = fill(&model, "Finding", 0);
    let finding: Finding = serde_json::from_value(full.clone()).expect("a complete Finding reads");
    let back = serde_json::to_value(&finding).unwrap();
    let mut lost = BTreeSet::new();
    dropped(&full, &back, "finding", &mut lost);
    let unexpected: Vec<&String> = lost
        .iter()
        .filter(|p| !NOT_YET_MODELLED.iter().any(|n| p.starts_with(n)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "members the model loses: {unexpected:#?}"
    );
    // And what it writes is what the API model says.
    check_shape(&model, "Finding", &back, "finding");
}

#[test]
fn epoch_second_timestamps_read_numbers_and_iso_strings_and_reject_garbage() {
    let read = |created: &str| {
        serde_json::from_str::<EksClusterDetails>(&format!(r#"{{"createdAt":{created}}}"#))
    };
    assert_eq!(
        read("1700000000.25").unwrap().created_at,
        Some(1_700_000_000.25)
    );
    assert_eq!(
        read(r#""2023-11-14T22:13:20.250Z""#).unwrap().created_at,
        Some(1_700_000_000.25)
    );
    assert_eq!(read("null").unwrap().created_at, None);
    assert!(read(r#""next tuesday""#).is_err());
    assert!(read("[1]").is_err());
    let written = serde_json::to_value(read("1700000000").unwrap()).unwrap();
    assert_eq!(written["createdAt"], 1_700_000_000.0);
}

/// The catalogue's raw severity column for a type (`8`, `2|8`, `2-8`, `var`, `per signal`, `?`).
fn severity_column(ty: &str) -> &'static str {
    include_str!("../catalogue/finding-types.tsv")
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|c| c[0] == ty)
        .map(|c| c[2])
        .unwrap()
}

/// The resource types the catalogue allows for a type (`Instance|EKSCluster|...`), or None when
/// it depends on the rule ("per rule").
fn allowed_resources(ty: &str) -> Option<Vec<String>> {
    let r = catalogue().get(ty).unwrap().resource_type;
    if r.starts_with("per rule") {
        return None;
    }
    Some(
        r.split('|')
            .map(|x| x.split(" (").next().unwrap().trim().to_string())
            .collect(),
    )
}

#[test]
fn every_current_type_has_a_sample_that_fits_the_type() {
    let ctx = ctx();
    let model = service_model();
    let types: Vec<&str> = sample_types().collect();
    let current = catalogue().types.iter().filter(|t| !t.retired).count();
    assert_eq!(types.len(), current);
    assert!(types.len() > 200, "{}", types.len());
    let mut ids = BTreeSet::new();
    for ty in types {
        let f = sample_finding(ty, &ctx).unwrap_or_else(|| panic!("no sample for {ty}"));
        let info = catalogue().get(ty).unwrap();
        let json = serde_json::to_value(&f).unwrap();
        if let Some(model) = &model {
            check_shape(model, "Finding", &json, ty);
        }
        // Round trip.
        let back: Finding = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, f, "{ty} does not round-trip");

        // Identity, times, service envelope.
        assert_eq!(f.finding_type, ty);
        assert_eq!(f.id.len(), 32, "{ty}");
        assert!(
            f.id.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(ids.insert(f.id.clone()), "{ty}: duplicate id");
        assert_eq!(
            f.arn,
            format!(
                "arn:aws:guardduty:eu-west-1:111122223333:detector/{}/finding/{}",
                ctx.detector_id, f.id
            )
        );
        assert_eq!(f.schema_version, "2.0");
        assert_eq!(f.partition, "aws");
        for t in [
            &f.created_at,
            &f.updated_at,
            &f.service.event_first_seen,
            &f.service.event_last_seen,
        ] {
            assert_eq!(t, "2026-03-14T02:53:09.123Z", "{ty}");
            assert_eq!(parse_timestamp(t), Some(NOW));
        }
        assert_eq!(f.service.count, 1);
        assert!(!f.service.archived);
        assert_eq!(f.service.service_name, "guardduty");
        assert_eq!(f.service.detector_id, ctx.detector_id);
        assert!(
            matches!(f.service.resource_role.as_str(), "ACTOR" | "TARGET"),
            "{ty}"
        );
        let info_json = &json["service"]["additionalInfo"];
        assert_eq!(info_json["type"], "default");
        assert_eq!(info_json["value"], r#"{"sample":true}"#);
        assert!(is_sample(&f));
        assert!(
            f.title.len() > 20 && f.description.len() > 40,
            "{ty}: {}",
            f.title
        );
        assert!(
            !f.title.contains("{") && !f.description.contains("{"),
            "{ty}"
        );

        // Severity: the catalogue's value; for context-dependent types, one of the values the
        // catalogue lists, and the label's own value when there is a default label.
        let column = severity_column(ty);
        match column.parse::<f64>() {
            Ok(v) => assert_eq!(f.severity, v, "{ty}"),
            Err(_) if column.contains('|') => {
                let listed: Vec<f64> = column.split('|').map(|v| v.parse().unwrap()).collect();
                assert!(
                    listed.contains(&f.severity),
                    "{ty}: {} not in {column}",
                    f.severity
                );
                if let Some(label) = info.severity_label.strip_suffix('*') {
                    assert_eq!(severity_label(f.severity), label, "{ty}");
                }
            }
            Err(_) if column.contains('-') => {
                let (lo, hi) = column.split_once('-').unwrap();
                assert!(
                    (lo.parse::<f64>().unwrap()..=hi.parse::<f64>().unwrap()).contains(&f.severity),
                    "{ty}"
                );
            }
            Err(_) if column == "per signal" => {
                let first = info.trigger.split_once("Signals: ").unwrap().1;
                let (rule, level) = first.split(';').next().unwrap().split_once('=').unwrap();
                assert_eq!(f.custom_detection_rule_name.as_deref(), Some(rule), "{ty}");
                assert_eq!(severity_label(f.severity).to_uppercase(), level, "{ty}");
            }
            Err(_) => assert!((1.0..=10.0).contains(&f.severity), "{ty}"),
        }

        // Resource: the catalogue's type, with its details present.
        let r = &f.resource;
        if let Some(allowed) = allowed_resources(ty) {
            assert!(
                allowed.contains(&r.resource_type),
                "{ty}: {} not in {allowed:?}",
                r.resource_type
            );
        }
        let detail_present = match r.resource_type.as_str() {
            "AccessKey" => r.access_key_details.is_some(),
            "S3Bucket" => r.s3_bucket_details.as_ref().is_some_and(|b| !b.is_empty()),
            "S3Object" => r
                .s3_bucket_details
                .as_ref()
                .is_some_and(|b| b.iter().any(|b| b.s3_object_details.is_some())),
            "Instance" => r.instance_details.is_some(),
            "EKSCluster" => r.eks_cluster_details.is_some(),
            "ECSCluster" => r.ecs_cluster_details.is_some(),
            "Container" => r.container_details.is_some(),
            "Lambda" => r.lambda_details.is_some(),
            "RDSDBInstance" => r.rds_db_instance_details.is_some(),
            "EBSSnapshot" => r.ebs_snapshot_details.is_some(),
            "EC2Image" => r.ec2_image_details.is_some(),
            "RecoveryPoint" => r.recovery_point_details.is_some(),
            other => panic!("{ty}: unexpected resource type {other}"),
        };
        assert!(
            detail_present,
            "{ty}: {} without its details",
            r.resource_type
        );

        // Action: the one the type's data source produces.
        let a = &f.service.action;
        let ds = info.data_source;
        let s = &f.service;
        if ty.starts_with("AttackSequence:") {
            assert!(
                a.is_empty() && json["service"].get("action").is_none(),
                "{ty}"
            );
            let seq = s
                .detection
                .as_ref()
                .and_then(|d| d.sequence.as_ref())
                .unwrap();
            assert!(seq.signals.len() >= 2, "{ty}");
            assert!(
                seq.signals
                    .iter()
                    .all(|sig| sig.first_seen_at <= sig.last_seen_at)
            );
        } else if ds.starts_with("Malware scan") {
            assert!(a.is_empty(), "{ty}");
            assert!(
                s.ebs_volume_scan_details.is_some() || s.malware_scan_details.is_some(),
                "{ty}"
            );
        } else if ds.starts_with("Runtime monitoring") {
            let process = s.runtime_details.as_ref().and_then(|d| d.process.as_ref());
            assert!(process.is_some_and(|p| p.name.is_some()), "{ty}");
            assert!(
                matches!(
                    a.action_type.as_str(),
                    "" | "NETWORK_CONNECTION" | "DNS_REQUEST"
                ),
                "{ty}"
            );
            if ty.ends_with("!DNS") || ty.contains("DomainRequest") {
                assert!(a.dns_request_action.is_some(), "{ty}");
            }
        } else if ds.starts_with("EKS audit logs") {
            assert_eq!(a.action_type, "KUBERNETES_API_CALL", "{ty}");
            assert!(a.kubernetes_api_call_action.is_some(), "{ty}");
            assert!(r.kubernetes_details.is_some(), "{ty}");
        } else if ds.starts_with("RDS login activity") {
            assert_eq!(a.action_type, "RDS_LOGIN_ATTEMPT", "{ty}");
            assert!(a.rds_login_attempt_action.is_some(), "{ty}");
        } else if ds.starts_with("Lambda network activity") || ds.starts_with("VPC Flow Logs") {
            if ty.contains("/PortProbe") {
                assert_eq!(a.action_type, "PORT_PROBE", "{ty}");
                assert!(
                    a.port_probe_action
                        .as_ref()
                        .is_some_and(|p| !p.port_probe_details.is_empty())
                );
            } else {
                assert_eq!(a.action_type, "NETWORK_CONNECTION", "{ty}");
                assert!(a.network_connection_action.is_some(), "{ty}");
            }
        } else if ds.starts_with("DNS logs") {
            assert_eq!(a.action_type, "DNS_REQUEST", "{ty}");
            assert!(
                a.dns_request_action
                    .as_ref()
                    .is_some_and(|d| d.domain.contains('.'))
            );
        } else {
            assert!(
                ds.starts_with("CloudTrail"),
                "{ty}: unknown data source {ds}"
            );
            assert_eq!(a.action_type, "AWS_API_CALL", "{ty}");
            let call = a.aws_api_call_action.as_ref().unwrap();
            assert!(
                !call.api.is_empty() && call.service_name.ends_with(".amazonaws.com"),
                "{ty}"
            );
            assert!(r.access_key_details.is_some(), "{ty}: who called");
        }
    }
}

#[test]
fn api_samples_call_the_apis_their_type_is_about() {
    let ctx = ctx();
    let api = |ty: &str| {
        let f = sample_finding(ty, &ctx).unwrap();
        let call = f.service.action.aws_api_call_action.unwrap();
        (call.api, call.service_name)
    };
    assert_eq!(api("Discovery:S3/TorIPCaller").0, "ListObjects");
    assert_eq!(api("Exfiltration:S3/MaliciousIPCaller").0, "GetObject");
    assert_eq!(api("Impact:S3/AnomalousBehavior.Delete").0, "DeleteObjects");
    assert_eq!(
        api("Persistence:IAMUser/AnomalousBehavior").0,
        "CreateAccessKey"
    );
    assert_eq!(
        api("PrivilegeEscalation:IAMUser/AnomalousBehavior").0,
        "AttachUserPolicy"
    );
    assert_eq!(
        api("Stealth:IAMUser/CloudTrailLoggingDisabled"),
        ("StopLogging".into(), "cloudtrail.amazonaws.com".into())
    );
    assert_eq!(
        api("Policy:S3/BucketAnonymousAccessGranted").0,
        "PutBucketPolicy"
    );
    assert_eq!(
        api("UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B").0,
        "ConsoleLogin"
    );

    // S3 types name the bucket; the exposure types show it exposed.
    let bucket = sample_finding("Policy:S3/BucketAnonymousAccessGranted", &ctx).unwrap();
    let b = &bucket.resource.s3_bucket_details.as_ref().unwrap()[0];
    assert_eq!(
        b.public_access
            .as_ref()
            .unwrap()
            .effective_permission
            .as_deref(),
        Some("PUBLIC")
    );
    let quiet = sample_finding("Discovery:S3/TorIPCaller", &ctx).unwrap();
    let b = &quiet.resource.s3_bucket_details.as_ref().unwrap()[0];
    assert_eq!(
        b.public_access
            .as_ref()
            .unwrap()
            .effective_permission
            .as_deref(),
        Some("NOT_PUBLIC")
    );

    // Where the call came from follows the type.
    let tor = sample_finding("UnauthorizedAccess:IAMUser/TorIPCaller", &ctx).unwrap();
    let ev = tor.service.evidence.unwrap();
    assert_eq!(
        ev.threat_intelligence_details[0].threat_names,
        ["TorExitNode"]
    );
    let kali = sample_finding("PenTest:IAMUser/KaliLinux", &ctx).unwrap();
    let ua = kali
        .service
        .action
        .aws_api_call_action
        .unwrap()
        .user_agent
        .unwrap();
    assert!(ua.contains("kali"), "{ua}");
    let inside = sample_finding(
        "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS",
        &ctx,
    )
    .unwrap();
    let call = inside.service.action.aws_api_call_action.unwrap();
    assert_eq!(call.caller_type, "Remote account");
    assert_ne!(
        call.remote_account_details.unwrap().account_id,
        ctx.account_id
    );
    assert_eq!(
        inside
            .resource
            .access_key_details
            .unwrap()
            .user_type
            .as_deref(),
        Some("AssumedRole")
    );

    // Anomaly types carry the anomaly they were raised for.
    let ml = sample_finding("CredentialAccess:IAMUser/AnomalousBehavior", &ctx).unwrap();
    let anomaly = ml.service.detection.unwrap().anomaly.unwrap();
    assert!(
        anomaly
            .unusual
            .unwrap()
            .behavior
            .unwrap()
            .values()
            .any(|f| f.contains_key("API"))
    );

    // Custom Detection Rule types name their rule and act on its service's resource.
    let rds = sample_finding("CredentialAccess:RDS/ModifyAuthenticationProcess", &ctx).unwrap();
    assert_eq!(
        rds.custom_detection_rule_name.as_deref(),
        Some("RDSMasterPasswordReset")
    );
    assert_eq!(rds.resource.resource_type, "RDSDBInstance");
    assert_eq!(rds.severity, 8.0);
}

#[test]
fn network_samples_point_the_right_way() {
    let ctx = ctx();
    let direction = |ty: &str| {
        let f = sample_finding(ty, &ctx).unwrap();
        let c = f.service.action.network_connection_action.unwrap();
        (c.connection_direction, f.service.resource_role)
    };
    // Low brute force: someone attacks the instance.
    assert_eq!(
        direction("UnauthorizedAccess:EC2/SSHBruteForce"),
        ("INBOUND".into(), "TARGET".into())
    );
    assert_eq!(
        direction("UnauthorizedAccess:EC2/RDPBruteForce"),
        ("INBOUND".into(), "TARGET".into())
    );
    // What the instance does itself.
    for ty in [
        "Backdoor:EC2/DenialOfService.Udp",
        "Recon:EC2/Portscan",
        "Backdoor:EC2/Spambot",
        "UnauthorizedAccess:EC2/TorClient",
        "Backdoor:Lambda/C&CActivity.B",
    ] {
        assert_eq!(direction(ty), ("OUTBOUND".into(), "ACTOR".into()), "{ty}");
    }
    let ssh = sample_finding("UnauthorizedAccess:EC2/SSHBruteForce", &ctx).unwrap();
    let c = ssh.service.action.network_connection_action.unwrap();
    assert_eq!(c.local_port_details.unwrap().port, 22);
    let spam = sample_finding("Backdoor:EC2/Spambot", &ctx).unwrap();
    assert_eq!(
        spam.service
            .action
            .network_connection_action
            .unwrap()
            .remote_port_details
            .unwrap()
            .port,
        25
    );
    let probe = sample_finding("Recon:EC2/PortProbeUnprotectedPort", &ctx).unwrap();
    let p = probe.service.action.port_probe_action.unwrap();
    // Low by default: not an Elasticsearch port.
    assert!(p.port_probe_details.iter().all(|d| {
        let port = d.local_port_details.as_ref().unwrap().port;
        port != 9200 && port != 9300
    }));
}

#[test]
fn dns_samples_query_the_guardduty_tester_domains() {
    let ctx = ctx();
    let tester = include_str!("../../intel/data/builtin/tester-domains.tsv");
    let mut checked = 0;
    for line in tester.lines().filter(|l| !l.starts_with('#')) {
        let (domain, ty) = line.split_once('\t').unwrap();
        let f = sample_finding(ty, &ctx).unwrap();
        let d = f.service.action.dns_request_action.unwrap();
        assert_eq!(d.domain, domain, "{ty}");
        assert!(
            domain.ends_with(d.domain_with_suffix.as_deref().unwrap()),
            "{ty}"
        );
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
    let rebind = sample_finding("UnauthorizedAccess:EC2/MetadataDNSRebind", &ctx).unwrap();
    assert!(
        rebind
            .service
            .action
            .dns_request_action
            .unwrap()
            .domain
            .contains("169.254.169.254")
    );
}

#[test]
fn kubernetes_runtime_malware_rds_and_sequence_samples_carry_their_details() {
    let ctx = ctx();
    let k = sample_finding(
        "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer",
        &ctx,
    )
    .unwrap();
    let w = k
        .resource
        .kubernetes_details
        .unwrap()
        .kubernetes_workload_details
        .unwrap();
    let c = &w.containers.unwrap()[0];
    assert_eq!(c.security_context.as_ref().unwrap().privileged, Some(true));
    let mount = sample_finding(
        "Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount",
        &ctx,
    )
    .unwrap();
    let w = mount
        .resource
        .kubernetes_details
        .unwrap()
        .kubernetes_workload_details
        .unwrap();
    assert_eq!(
        w.volumes.unwrap()[0]
            .host_path
            .as_ref()
            .unwrap()
            .path
            .as_deref(),
        Some("/")
    );
    let anon = sample_finding("Discovery:Kubernetes/SuccessfulAnonymousAccess", &ctx).unwrap();
    let user = anon
        .resource
        .kubernetes_details
        .unwrap()
        .kubernetes_user_details
        .unwrap();
    assert_eq!(user.username.as_deref(), Some("system:anonymous"));
    let binding =
        sample_finding("Policy:Kubernetes/AdminAccessToDefaultServiceAccount", &ctx).unwrap();
    let rb = binding
        .service
        .action
        .kubernetes_role_binding_details
        .unwrap();
    assert_eq!(rb.role_ref_name.as_deref(), Some("cluster-admin"));
    let check = sample_finding(
        "Discovery:Kubernetes/AnomalousBehavior.PermissionChecked",
        &ctx,
    )
    .unwrap();
    assert!(
        check
            .service
            .action
            .kubernetes_permission_checked_details
            .is_some()
    );

    let module = sample_finding("DefenseEvasion:Runtime/KernelModuleLoaded", &ctx).unwrap();
    let context = module.service.runtime_details.unwrap().context.unwrap();
    assert!(context.module_name.is_some() && context.module_sha256.is_some());
    let inject = sample_finding("DefenseEvasion:Runtime/ProcessInjection.Ptrace", &ctx).unwrap();
    assert!(
        inject
            .service
            .runtime_details
            .unwrap()
            .context
            .unwrap()
            .target_process
            .is_some()
    );
    // Runtime samples are spread over the three workload kinds Runtime Monitoring covers.
    let kinds: BTreeSet<String> = sample_types()
        .filter(|t| t.contains(":Runtime/"))
        .map(|t| sample_finding(t, &ctx).unwrap().resource.resource_type)
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["ECSCluster".into(), "EKSCluster".into(), "Instance".into()])
    );

    let ebs = sample_finding("Execution:EC2/MaliciousFile", &ctx).unwrap();
    let scan = ebs.service.ebs_volume_scan_details.unwrap();
    let top = scan
        .scan_detections
        .unwrap()
        .highest_severity_threat_details
        .unwrap();
    assert_eq!(
        severity_label(ebs.severity).to_uppercase(),
        top.severity.unwrap()
    );
    assert!(
        ebs.resource
            .ebs_volume_details
            .unwrap()
            .scanned_volume_details
            .is_some()
    );
    let snap = sample_finding("Execution:EC2/MaliciousFile!Snapshot", &ctx).unwrap();
    assert_eq!(snap.resource.resource_type, "EBSSnapshot");
    assert_eq!(
        snap.service
            .malware_scan_details
            .unwrap()
            .scan_type
            .as_deref(),
        Some("BACKUP_INITIATED")
    );
    let object = sample_finding("Object:S3/MaliciousFile", &ctx).unwrap();
    assert_eq!(object.resource.resource_type, "S3Object");

    let brute = sample_finding(
        "CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce",
        &ctx,
    )
    .unwrap();
    let json = serde_json::to_value(&brute).unwrap();
    let login = &json["service"]["action"]["rdsLoginAttemptAction"]["LoginAttributes"][0];
    assert!(login["failedLoginAttempts"].as_i64().unwrap() > 10);
    assert_eq!(login["successfulLoginAttempts"], 1);
    assert!(brute.resource.rds_db_user_details.is_some());
    let probe = sample_finding("Discovery:RDS/TorIPCaller", &ctx).unwrap();
    assert!(
        probe
            .service
            .action
            .rds_login_attempt_action
            .unwrap()
            .login_attributes
            .is_none()
    );

    let seq = sample_finding("AttackSequence:S3/CompromisedData", &ctx).unwrap();
    let s = seq.service.detection.unwrap().sequence.unwrap();
    let resource = &s.resources.as_ref().unwrap()[0];
    assert!(
        s.signals
            .iter()
            .all(|sig| sig.resource_uids.as_ref().unwrap().contains(&resource.uid))
    );
    assert_eq!(resource.resource_type, "S3_BUCKET");
}

#[test]
fn unknown_and_retired_types_have_no_sample() {
    let ctx = ctx();
    assert!(sample_finding("Nonsense:EC2/NotAType", &ctx).is_none());
    assert!(sample_finding("", &ctx).is_none());
    assert!(sample_finding("unauthorizedaccess:ec2/sshbruteforce", &ctx).is_none());
    let retired = catalogue().types.iter().find(|t| t.retired).unwrap();
    assert!(sample_finding(retired.finding_type, &ctx).is_none());
    assert!(!sample_types().any(|t| t == retired.finding_type));
}

#[test]
fn sample_ids_are_deterministic_so_a_repeat_updates_the_same_finding() {
    let ctx = ctx();
    let ty = "UnauthorizedAccess:EC2/SSHBruteForce";
    let a = sample_finding(ty, &ctx).unwrap();
    let b = sample_finding(ty, &ctx).unwrap();
    assert_eq!(a, b, "same request, same sample");
    assert_eq!(
        a.id,
        sample_finding_id(ty, &ctx.account_id, &ctx.region, &ctx.detector_id)
    );
    let later = SampleContext {
        now_ms: NOW + 3_600_000,
        ..ctx.clone()
    };
    assert_eq!(
        sample_finding(ty, &later).unwrap().id,
        a.id,
        "the id does not depend on time"
    );
    // Every part of the identity matters.
    let other_detector = SampleContext::new("111122223333", "eu-west-1", "0000", NOW);
    let other_region = SampleContext::new("111122223333", "us-east-1", &ctx.detector_id, NOW);
    let other_account = SampleContext::new("444455556666", "eu-west-1", &ctx.detector_id, NOW);
    for other in [&other_detector, &other_region, &other_account] {
        assert_ne!(sample_finding(ty, other).unwrap().id, a.id);
    }
    assert_ne!(
        sample_finding("UnauthorizedAccess:EC2/RDPBruteForce", &ctx)
            .unwrap()
            .id,
        a.id
    );

    // The repeat: count and update time move on, creation does not.
    let mut stored = a.clone();
    record_repeat(&mut stored, NOW + 60_000);
    assert_eq!(stored.id, a.id);
    assert_eq!(stored.service.count, 2);
    assert_eq!(stored.updated_at, "2026-03-14T02:54:09.123Z");
    assert_eq!(stored.service.event_last_seen, "2026-03-14T02:54:09.123Z");
    assert_eq!(stored.created_at, a.created_at);
    assert_eq!(stored.service.event_first_seen, a.service.event_first_seen);
}

#[test]
fn partitions_follow_the_region() {
    let cn = SampleContext::new("111122223333", "cn-north-1", "d", NOW);
    let f = sample_finding("Recon:EC2/Portscan", &cn).unwrap();
    assert_eq!(f.partition, "aws-cn");
    assert!(
        f.arn
            .starts_with("arn:aws-cn:guardduty:cn-north-1:111122223333:detector/d/finding/")
    );
    let gov = SampleContext::new("111122223333", "us-gov-west-1", "d", NOW);
    let f = sample_finding("Policy:S3/BucketPublicAccessGranted", &gov).unwrap();
    assert!(
        f.resource.s3_bucket_details.unwrap()[0]
            .arn
            .as_deref()
            .unwrap()
            .starts_with("arn:aws-us-gov:s3:::")
    );
}

#[test]
fn a_real_finding_is_not_a_sample() {
    let mut f = sample_finding("Recon:EC2/Portscan", &ctx()).unwrap();
    f.service.additional_info.as_mut().unwrap().value = r#"{"reasons":["x"]}"#.into();
    assert!(!is_sample(&f));
    f.service.additional_info.as_mut().unwrap().value = "not json".into();
    assert!(!is_sample(&f));
    f.service.additional_info = None;
    assert!(!is_sample(&f));
}

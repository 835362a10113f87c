//! Intelligence-driven detections end to end: real Tor exits, real blocklisted addresses, AWS's
//! published ranges, customer lists, trusted lists; each type with a near miss.

use serde_json::{Value, json};
use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;
use warden_engine::{Pipeline, ScanConfig, ScanStats};
use warden_intel::load::{IntelConfig, ListSpec, load};
use warden_intel::{Intel, builtin};
use warden_model::Finding;
use warden_store::{FindingStore, MemoryStore, Query};

fn intel_with(threat: &[&str], trusted: &[&str]) -> (Arc<Intel>, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    let mut config = IntelConfig::default();
    for (i, text) in threat.iter().enumerate() {
        let p = d.path().join(format!("threat{i}.txt"));
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        config.threat_lists.push(ListSpec {
            name: format!("CustomerList{i}"),
            location: p.display().to_string(),
            format: None,
        });
    }
    for (i, text) in trusted.iter().enumerate() {
        let p = d.path().join(format!("trusted{i}.txt"));
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        config.trusted_lists.push(ListSpec {
            name: format!("Trusted{i}"),
            location: p.display().to_string(),
            format: None,
        });
    }
    (Arc::new(load(&config, None).unwrap().0), d)
}

fn run(intel: Arc<Intel>, records: &[Value]) -> (Vec<Finding>, ScanStats) {
    let mut store = MemoryStore::new();
    let doc = json!({ "Records": records }).to_string();
    let mut p = Pipeline::with_intel(ScanConfig::default(), &mut store, intel);
    p.scan_reader("t", &mut doc.as_bytes()).unwrap();
    let (stats, _) = p.finish().unwrap();
    assert_eq!(stats.rejected, 0, "{:?}", stats.errors);
    (store.list(&Query::default()).unwrap(), stats)
}

fn types(f: &[Finding]) -> Vec<String> {
    let mut t: Vec<String> = f.iter().map(|f| f.finding_type.clone()).collect();
    t.sort();
    t
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn user() -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLEUSER00001", "arn": "arn:aws:iam::111122223333:user/dana",
           "accountId": "111122223333", "accessKeyId": "AKIAEXAMPLEDANA00001", "userName": "dana"})
}

fn instance_role(session: &str, delivery: bool) -> Value {
    let mut ctx = json!({"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEAPPROLE01", "arn": "arn:aws:iam::111122223333:role/app-role",
                         "accountId": "111122223333", "userName": "app-role"},
                         "attributes": {"creationDate": "2026-05-14T15:00:00Z", "mfaAuthenticated": "false"}});
    if delivery {
        ctx["ec2RoleDelivery"] = "2.0".into();
    }
    json!({"type": "AssumedRole", "principalId": format!("AROAEXAMPLEAPPROLE01:{session}"),
           "arn": format!("arn:aws:sts::111122223333:assumed-role/app-role/{session}"), "accountId": "111122223333",
           "accessKeyId": "ASIAEXAMPLEINSTANCE1", "sessionContext": ctx})
}

fn call(identity: Value, ip: &str, source: &str, name: &str, extra: Value) -> Value {
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut r = json!({
        "eventVersion": "1.09", "userIdentity": identity, "eventTime": format!("2026-05-14T16:{:02}:{:02}Z", n / 60 % 60, n % 60),
        "eventSource": source, "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.2.0", "requestParameters": null, "responseElements": null,
        "requestID": format!("req-{n}"), "eventID": format!("00000000-0000-4000-8000-{n:012}"), "readOnly": name.starts_with("List") || name.starts_with("Get"),
        "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"
    });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            r[k] = v;
        }
    }
    r
}

fn s3_data(ip: &str, name: &str) -> Value {
    call(
        user(),
        ip,
        "s3.amazonaws.com",
        name,
        json!({"managementEvent": false, "eventCategory": "Data", "readOnly": name.starts_with("Get") || name.starts_with("List"),
        "requestParameters": {"bucketName": "acme-payroll", "key": "2026/05/export.csv", "Host": "acme-payroll.s3.us-east-1.amazonaws.com"},
        "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::acme-payroll/2026/05/export.csv"}]}),
    )
}

fn snapshot_line(feed: &str, skip: usize) -> String {
    let f = builtin::FEEDS.iter().find(|f| f.name == feed).unwrap();
    String::from_utf8(f.snapshot())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .nth(skip)
        .unwrap()
        .trim()
        .to_string()
}

const BENIGN: &str = "8.8.4.4";

#[test]
fn tor_exit_callers() {
    let (intel, _d) = intel_with(&[], &[]);
    let tor = snapshot_line("TorExitNodes", 10);
    let (f, _) = run(
        intel.clone(),
        &[
            call(user(), &tor, "iam.amazonaws.com", "ListUsers", json!({})),
            call(
                user(),
                &tor,
                "iam.amazonaws.com",
                "CreateUser",
                json!({"requestParameters": {"userName": "backdoor"}}),
            ),
            s3_data(&tor, "GetObject"),
        ],
    );
    assert_eq!(
        types(&f),
        [
            "Discovery:S3/TorIPCaller",
            "Recon:IAMUser/TorIPCaller",
            "UnauthorizedAccess:IAMUser/TorIPCaller"
        ]
    );
    let recon = f
        .iter()
        .find(|f| f.finding_type == "Recon:IAMUser/TorIPCaller")
        .unwrap();
    let ev = recon.service.evidence.as_ref().unwrap();
    assert_eq!(
        ev.threat_intelligence_details[0].threat_list_name,
        "TorExitNodes"
    );
    let rid = recon
        .service
        .action
        .aws_api_call_action
        .as_ref()
        .unwrap()
        .remote_ip_details
        .as_ref()
        .unwrap();
    assert_eq!(rid.ip_address_v4.as_deref(), Some(tor.as_str()));
    assert!(
        rid.country.is_some() && rid.organization.as_ref().unwrap().asn.is_some(),
        "{rid:?}"
    );
    // Near miss: the same calls from an ordinary address.
    let (f, _) = run(
        intel,
        &[
            call(user(), BENIGN, "iam.amazonaws.com", "ListUsers", json!({})),
            s3_data(BENIGN, "GetObject"),
        ],
    );
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn malicious_ip_callers_including_s3_data_events() {
    let (intel, _d) = intel_with(&[], &[]);
    let bad = snapshot_line("WardenMaliciousIPs", 5);
    let (f, _) = run(
        intel.clone(),
        &[
            call(
                user(),
                &bad,
                "ec2.amazonaws.com",
                "DescribeInstances",
                json!({"errorCode": "UnauthorizedOperation"}),
            ),
            call(user(), &bad, "ec2.amazonaws.com", "RunInstances", json!({})),
            s3_data(&bad, "ListObjects"),
            s3_data(&bad, "GetObject"),
            s3_data(&bad, "DeleteObject"),
        ],
    );
    assert_eq!(
        types(&f),
        [
            "Discovery:S3/MaliciousIPCaller",
            "Exfiltration:S3/MaliciousIPCaller",
            "Impact:S3/MaliciousIPCaller",
            "Recon:IAMUser/MaliciousIPCaller",
            "UnauthorizedAccess:IAMUser/MaliciousIPCaller"
        ]
    );
    let exf = f
        .iter()
        .find(|f| f.finding_type.starts_with("Exfiltration"))
        .unwrap();
    assert_eq!(exf.resource.resource_type, "S3Bucket");
    assert_eq!(exf.severity, 8.0);
    // Near miss: an address on only one or two public blocklists is not in Warden's feed.
    let ipsum = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/intel/ipsum/ipsum.txt"
    ));
    if let Ok(ipsum) = ipsum {
        let weak = ipsum
            .lines()
            .filter(|l| !l.starts_with('#'))
            .find(|l| l.ends_with("\t1"))
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .to_string();
        let (f, _) = run(
            intel,
            &[call(
                user(),
                &weak,
                "ec2.amazonaws.com",
                "RunInstances",
                json!({}),
            )],
        );
        assert!(f.is_empty(), "{weak}: {:?}", types(&f));
    }
}

#[test]
fn customer_lists_raise_custom_types_and_trusted_lists_suppress() {
    let (intel, _d) = intel_with(
        &["# corp threat list\n203.0.113.0/24\n"],
        &["198.51.100.0/24\n"],
    );
    let (f, _) = run(
        intel.clone(),
        &[
            call(
                user(),
                "203.0.113.50",
                "iam.amazonaws.com",
                "GetUser",
                json!({}),
            ),
            call(
                user(),
                "203.0.113.51",
                "iam.amazonaws.com",
                "AttachUserPolicy",
                json!({"errorCode": "AccessDenied"}),
            ),
            s3_data("203.0.113.52", "GetObject"),
        ],
    );
    assert_eq!(
        types(&f),
        [
            "Discovery:S3/MaliciousIPCaller.Custom",
            "Recon:IAMUser/MaliciousIPCaller.Custom",
            "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom"
        ]
    );
    assert_eq!(
        f[0].service
            .evidence
            .as_ref()
            .unwrap()
            .threat_intelligence_details[0]
            .threat_list_name,
        "CustomerList0"
    );
    // Near miss: just outside the listed /24.
    let (f, _) = run(
        intel.clone(),
        &[call(
            user(),
            "203.0.114.1",
            "iam.amazonaws.com",
            "GetUser",
            json!({}),
        )],
    );
    assert!(f.is_empty());

    // A trusted address suppresses even a Tor-exit or root finding about it.
    let tor = snapshot_line("TorExitNodes", 3);
    let (intel, _d2) = intel_with(&[], &[&format!("{tor}\n198.51.100.0/24\n")]);
    let root = json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"});
    let (f, stats) = run(
        intel,
        &[
            call(user(), &tor, "iam.amazonaws.com", "ListUsers", json!({})),
            call(
                root,
                "198.51.100.20",
                "iam.amazonaws.com",
                "ListUsers",
                json!({}),
            ),
        ],
    );
    assert!(f.is_empty(), "{:?}", types(&f));
    assert_eq!(stats.suppressed_trusted, 2);
}

fn first_ec2_address(intel: &Intel) -> IpAddr {
    let json = builtin::aws_ranges_snapshot();
    let v: Value = serde_json::from_slice(&json).unwrap();
    let p = v["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["service"] == "EC2")
        .unwrap();
    let net: ipnet::Ipv4Net = p["ip_prefix"].as_str().unwrap().parse().unwrap();
    let ip = IpAddr::V4(net.addr());
    assert!(intel.is_aws(ip));
    ip
}

#[test]
fn instance_credentials_used_outside_aws() {
    let (intel, _d) = intel_with(&[], &[]);
    let (f, _) = run(
        intel.clone(),
        &[call(
            instance_role("i-0123456789abcdef0", true),
            BENIGN,
            "s3.amazonaws.com",
            "ListBuckets",
            json!({}),
        )],
    );
    assert_eq!(
        types(&f),
        ["UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"]
    );
    assert_eq!(f[0].severity, 8.0);
    assert_eq!(
        f[0].resource
            .access_key_details
            .as_ref()
            .unwrap()
            .access_key_id
            .as_deref(),
        Some("ASIAEXAMPLEINSTANCE1")
    );
    let org = f[0]
        .service
        .action
        .aws_api_call_action
        .as_ref()
        .unwrap()
        .remote_ip_details
        .as_ref()
        .unwrap()
        .organization
        .clone()
        .unwrap();
    assert_eq!(org.asn.as_deref(), Some("15169"), "{org:?}");
    // Session named after an instance, without ec2RoleDelivery: still instance credentials.
    let (f, _) = run(
        intel.clone(),
        &[call(
            instance_role("i-0fedcba9876543210", false),
            BENIGN,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            json!({}),
        )],
    );
    assert_eq!(
        types(&f),
        ["UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"]
    );
    // Near misses: from inside AWS, from an AWS service, from a private (VPC) address, or a role
    // session that is not an instance's.
    let aws_ip = first_ec2_address(&intel).to_string();
    let (f, _) = run(
        intel.clone(),
        &[
            call(
                instance_role("i-0123456789abcdef0", true),
                &aws_ip,
                "s3.amazonaws.com",
                "ListBuckets",
                json!({}),
            ),
            call(
                instance_role("i-0123456789abcdef0", true),
                "ec2.amazonaws.com",
                "s3.amazonaws.com",
                "ListBuckets",
                json!({}),
            ),
            call(
                instance_role("i-0123456789abcdef0", true),
                "10.0.3.7",
                "s3.amazonaws.com",
                "ListBuckets",
                json!({}),
            ),
            call(
                instance_role("alice-session", false),
                BENIGN,
                "s3.amazonaws.com",
                "ListBuckets",
                json!({}),
            ),
        ],
    );
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn instance_credentials_used_through_another_accounts_endpoint() {
    let (intel, _d) = intel_with(&[], &[]);
    let through = |account: &str| {
        call(
            instance_role("i-0123456789abcdef0", true),
            "10.9.8.7",
            "s3.amazonaws.com",
            "GetObject",
            json!({"vpcEndpointId": "vpce-0abc1234def567890", "vpcEndpointAccountId": account, "managementEvent": false, "eventCategory": "Data",
                   "requestParameters": {"bucketName": "acme-payroll", "key": "a.csv"}}),
        )
    };
    let (f, _) = run(intel.clone(), &[through("444455556666")]);
    assert_eq!(
        types(&f),
        ["UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS"]
    );
    let (f, _) = run(intel, &[through("111122223333")]);
    assert!(f.is_empty(), "own endpoint: {:?}", types(&f));
}

#[test]
fn lambda_credentials_used_outside_aws() {
    let (intel, _d) = intel_with(&[], &[]);
    let issue = json!({"eventVersion": "1.08", "userIdentity": {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
        "eventTime": "2026-05-14T15:59:00Z", "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole", "awsRegion": "us-east-1",
        "sourceIPAddress": "lambda.amazonaws.com", "userAgent": "lambda.amazonaws.com",
        "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/report-fn-role", "roleSessionName": "report-fn"},
        "responseElements": {"credentials": {"accessKeyId": "ASIAEXAMPLELAMBDA001", "sessionToken": "x", "expiration": "May 14, 2026, 4:59:00 AM"}},
        "eventID": "7a1d6f0e-0000-4000-8000-000000000001", "eventType": "AwsApiCall", "managementEvent": true,
        "recipientAccountId": "111122223333", "eventCategory": "Management"});
    let used = |key: &str| {
        let mut id = instance_role("report-fn", false);
        id["accessKeyId"] = key.into();
        call(
            id,
            BENIGN,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            json!({}),
        )
    };
    let (f, _) = run(
        intel.clone(),
        &[issue.clone(), used("ASIAEXAMPLELAMBDA001")],
    );
    assert_eq!(
        types(&f),
        ["UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS"]
    );
    // Near miss: a key CloudTrail never showed being issued to Lambda.
    let (f, _) = run(intel, &[issue, used("ASIAEXAMPLEOTHERKEY1")]);
    assert!(f.is_empty(), "{:?}", types(&f));
}

#[test]
fn ecs_task_credentials_used_through_another_accounts_endpoint() {
    let (intel, _d) = intel_with(&[], &[]);
    let issue = json!({"eventVersion": "1.08", "userIdentity": {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"},
        "eventTime": "2026-05-14T15:58:00Z", "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole", "awsRegion": "us-east-1",
        "sourceIPAddress": "ecs-tasks.amazonaws.com", "userAgent": "ecs-tasks.amazonaws.com",
        "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/billing-task", "roleSessionName": "3f2a9c1d8e7b4a6f9d0c1b2a3e4f5a6b"},
        "responseElements": {"credentials": {"accessKeyId": "ASIAEXAMPLEECSTASK01", "sessionToken": "x", "expiration": "May 14, 2026, 9:58:00 PM"}},
        "eventID": "7a1d6f0e-0000-4000-8000-000000000002", "eventType": "AwsApiCall", "managementEvent": true,
        "recipientAccountId": "111122223333", "eventCategory": "Management"});
    let used = |endpoint_account: &str| {
        let mut id = instance_role("3f2a9c1d8e7b4a6f9d0c1b2a3e4f5a6b", false);
        id["accessKeyId"] = "ASIAEXAMPLEECSTASK01".into();
        call(
            id,
            "10.20.30.40",
            "dynamodb.amazonaws.com",
            "Scan",
            json!({"vpcEndpointId": "vpce-0123abcd4567ef890", "vpcEndpointAccountId": endpoint_account}),
        )
    };
    let (f, _) = run(intel.clone(), &[issue.clone(), used("444455556666")]);
    assert_eq!(
        types(&f),
        ["UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.InsideAWS"]
    );
    let (f, _) = run(intel, &[issue, used("111122223333")]);
    assert!(f.is_empty(), "own endpoint: {:?}", types(&f));
}

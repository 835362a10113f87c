use super::*;
use crate::detect::DetectionConfig;

#[test]
fn lambda_version_suffixes_are_dropped() {
    assert_eq!(
        normalize_event_name("AddPermission20150331v2"),
        "AddPermission"
    );
    assert_eq!(
        normalize_event_name("CreateFunctionUrlConfig20211031"),
        "CreateFunctionUrlConfig"
    );
    assert_eq!(
        normalize_event_name("UpdateFunctionConfiguration20150331v2"),
        "UpdateFunctionConfiguration"
    );
    assert_eq!(normalize_event_name("GetObject"), "GetObject");
    assert_eq!(
        normalize_event_name("DescribeDBInstances"),
        "DescribeDBInstances"
    );
    assert_eq!(normalize_event_name("S3Get2"), "S3Get2");
    assert_eq!(normalize_event_name("12345678"), "12345678");
    assert_eq!(normalize_event_name(""), "");
}

/// The naive reference: every rule checked against every event, no index.
fn naive(event: &CloudTrailEvent<'_>, time: i64) -> Vec<Signal> {
    let mut out = Vec::new();
    per_event::PerEvent::new(&|_, _| false).detect(event, time, &mut out);
    for rule in RULES {
        if rule
            .events
            .contains(&normalize_event_name(event.event_name()))
            && rule.sources.contains(&event.event_source())
            && (rule.on_failure || event.succeeded())
            && let Some(hit) = (rule.check)(event)
        {
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
    out
}

fn key(s: &Signal) -> (String, Option<&'static str>, String) {
    (s.finding_type.to_string(), s.rule, s.resource_key.clone())
}

/// The event-name index must give exactly what the naive full scan gives, on the real
/// CloudTrail examples and on every (source, event) pair the rules name, failed and not.
#[test]
fn index_matches_naive_scan() {
    let mut docs: Vec<String> = Vec::new();
    let examples = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/cloudtrail-examples/docs/logExamples"
    );
    if let Ok(dir) = std::fs::read_dir(examples) {
        for e in dir.flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path())
                && let Ok(serde_json::Value::Array(recs)) = serde_json::from_str(&text)
            {
                docs.extend(recs.iter().map(|r| r.to_string()));
            }
        }
    }
    for rule in RULES {
        for src in rule.sources {
            for ev in rule.events {
                for err in [None, Some("AccessDenied")] {
                    let mut rec = serde_json::json!({
                        "eventTime": "2026-01-01T00:00:00Z", "eventSource": src, "eventName": ev,
                        "awsRegion": "us-east-1", "recipientAccountId": "111122223333", "eventID": format!("{src}{ev}"),
                        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/u", "accessKeyId": "AKIAX", "accountId": "111122223333"},
                        "requestParameters": {"bucketName": "b", "instanceId": "i-1", "publiclyAccessible": true, "masterUserPassword": "****",
                          "enableIAMDatabaseAuthentication": false, "dBInstanceIdentifier": "db1", "principal": "*", "authType": "NONE",
                          "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess", "roleName": "r", "userName": "u",
                          "bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}},
                    });
                    if let Some(e) = err {
                        rec["errorCode"] = e.into();
                    }
                    docs.push(rec.to_string());
                }
            }
        }
    }
    assert!(docs.len() > 100);
    let mut indexed = CloudTrailRules::new(&DetectionConfig::default());
    let mut fired = 0;
    for doc in &docs {
        let event: CloudTrailEvent = serde_json::from_str(doc).unwrap();
        let mut a = Vec::new();
        indexed.detect(&event, 0, &mut a);
        let b = naive(&event, 0);
        let (mut ka, mut kb): (Vec<_>, Vec<_>) =
            (a.iter().map(key).collect(), b.iter().map(key).collect());
        ka.sort();
        kb.sort();
        assert_eq!(ka, kb, "index and naive scan disagree on {doc}");
        fired += a.len();
    }
    assert!(
        fired > 30,
        "the synthetic records should fire many rules, fired {fired}"
    );
}

#[test]
fn rules_can_be_switched_off() {
    let rec = r#"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","recipientAccountId":"111122223333","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}}"#;
    let event: CloudTrailEvent = serde_json::from_str(rec).unwrap();
    let run = |cfg: DetectionConfig| {
        let mut out = Vec::new();
        CloudTrailRules::new(&cfg).detect(&event, 0, &mut out);
        let mut t: Vec<&str> = out.iter().map(|s| s.finding_type).collect();
        t.sort();
        t
    };
    assert_eq!(
        run(DetectionConfig::default()),
        [
            "Persistence:IAM/AccountManipulation",
            "Policy:IAMUser/RootCredentialUsage"
        ]
    );
    assert_eq!(
        run(DetectionConfig {
            disable_custom_detection_rules: true,
            ..Default::default()
        }),
        ["Policy:IAMUser/RootCredentialUsage"]
    );
    assert_eq!(
        run(DetectionConfig {
            disabled: vec![
                "Policy:IAMUser/RootCredentialUsage".into(),
                "IAMAccessKeyCreated".into()
            ],
            ..Default::default()
        }),
        Vec::<&str>::new()
    );
}

#[test]
fn every_rule_type_is_in_the_catalogue() {
    let cat = warden_model::catalogue();
    for rule in RULES {
        let info = cat
            .get(rule.finding_type)
            .unwrap_or_else(|| panic!("{} not in catalogue", rule.finding_type));
        assert!(!info.retired, "{} is retired", rule.finding_type);
        if rule.custom {
            assert!(
                info.trigger.contains(rule.name),
                "{} does not list signal {}",
                rule.finding_type,
                rule.name
            );
        }
    }
}

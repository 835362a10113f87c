//! FindingCriteria, SortCriteria and GetFindingsStatistics over findings shaped like the ones the
//! GuardDuty tester's trigger actions produce (`support/findings.rs`).

#[path = "support/findings.rs"]
mod findings;

use findings::{Rng, START_MS, tester_finding, tester_findings};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;
use warden_model::Finding;
use warden_model::criteria::table::DICTIONARY_SLACK;
use warden_model::criteria::*;
use warden_model::finding::*;
use warden_model::time::parse_timestamp;

fn compile(criteria: Value) -> CompiledCriteria {
    let parsed: FindingCriteria = serde_json::from_value(criteria.clone()).unwrap();
    CompiledCriteria::compile(&parsed).unwrap_or_else(|e| panic!("{criteria}: {e}"))
}

fn compile_error(criteria: Value) -> CriteriaError {
    let parsed: FindingCriteria = serde_json::from_value(criteria.clone()).unwrap();
    match CompiledCriteria::compile(&parsed) {
        Ok(_) => panic!("{criteria} should be refused"),
        Err(e) => e,
    }
}

/// Match through both paths, which must agree.
fn hit(criteria: &CompiledCriteria, f: &Finding) -> bool {
    let by_json = criteria.matches(&serde_json::to_value(f).unwrap());
    let typed = criteria.matches_finding(f);
    assert_eq!(by_json, typed, "JSON and typed paths disagree on {}", f.id);
    typed
}

/// The first generated finding of a type (tests then set the fields they assert on).
fn finding_of(finding_type: &str) -> Finding {
    let mut rng = Rng::new(7);
    (0..10_000)
        .map(|i| tester_finding(&mut rng, i))
        .find(|f| f.finding_type == finding_type)
        .unwrap()
}

fn ssh_brute_force() -> Finding {
    let mut f = finding_of("UnauthorizedAccess:EC2/SSHBruteForce");
    f.severity = 2.0;
    f.service.archived = false;
    f.region = "us-east-1".into();
    f.updated_at = "2026-03-02T09:41:07.512Z".into();
    f.resource.instance_details.as_mut().unwrap().instance_id = Some("i-0a1b2c3d4e5f60718".into());
    let n = f.service.action.network_connection_action.as_mut().unwrap();
    n.connection_direction = "INBOUND".into();
    n.local_port_details = Some(PortDetails {
        port: 22,
        port_name: "SSH".into(),
    });
    f
}

fn port_probe(ports: &[i64], tags: &[(&str, &str)]) -> Finding {
    let mut f = finding_of("Recon:EC2/PortProbeUnprotectedPort");
    let p = f.service.action.port_probe_action.as_mut().unwrap();
    p.port_probe_details = ports
        .iter()
        .map(|&port| PortProbeDetail {
            local_port_details: Some(PortDetails {
                port,
                port_name: "Unknown".into(),
            }),
            ..p.port_probe_details[0].clone()
        })
        .collect();
    f.resource.instance_details.as_mut().unwrap().tags = Some(
        tags.iter()
            .map(|(k, v)| Tag {
                key: k.to_string(),
                value: v.to_string(),
            })
            .collect(),
    );
    f
}

fn c2_dns() -> Finding {
    finding_of("Backdoor:EC2/C&CActivity.B!DNS")
}

// ---- GuardDuty's own examples -------------------------------------------------------------

/// Each example, compiled from its wire JSON, selects exactly the findings a plain Rust
/// predicate over the same 3,000 findings selects.
#[test]
fn reference_examples_select_what_a_naive_scan_selects() {
    let all = tester_findings(3_000, 11);
    type Predicate = fn(&Finding) -> bool;
    let examples: [(Value, Predicate); 5] = [
        // The brief's example (Portscan is Medium, so no finding is both: see the next one).
        (
            json!({"criterion":{"severity":{"gte":7},"service.archived":{"eq":["false"]},"type":{"eq":["Recon:EC2/Portscan"]}}}),
            |f| f.severity >= 7.0 && !f.service.archived && f.finding_type == "Recon:EC2/Portscan",
        ),
        (
            json!({"criterion":{"severity":{"gte":5},"service.archived":{"eq":["false"]},"type":{"eq":["Recon:EC2/Portscan"]}}}),
            |f| f.severity >= 5.0 && !f.service.archived && f.finding_type == "Recon:EC2/Portscan",
        ),
        // api.md 3.2: ListFindings as the AWS CLI sends it.
        (
            json!({"criterion": {"severity": {"gte": 7}, "service.archived": {"eq": ["false"]}}}),
            |f| f.severity >= 7.0 && !f.service.archived,
        ),
        // api.md 3.2: the CreateFilter suppression rule for probes of a bastion host.
        (
            json!({"criterion": {"type": {"eq": ["Recon:EC2/PortProbeUnprotectedPort"]}, "resource.instanceDetails.tags.value": {"eq": ["bastion"]}}}),
            |f| {
                f.finding_type == "Recon:EC2/PortProbeUnprotectedPort"
                    && f.resource
                        .instance_details
                        .as_ref()
                        .and_then(|d| d.tags.as_ref())
                        .is_some_and(|t| t.iter().any(|t| t.value == "bastion"))
            },
        ),
        // api.md 3.2: updatedAt in epoch ms with the long operators.
        (
            json!({"criterion": {"updatedAt": {"greaterThanOrEqual": START_MS + 30 * findings::DAY_MS}, "type": {"equals": ["UnauthorizedAccess:EC2/SSHBruteForce"]}}}),
            |f| {
                parse_timestamp(&f.updated_at).unwrap() >= START_MS + 30 * findings::DAY_MS
                    && f.finding_type == "UnauthorizedAccess:EC2/SSHBruteForce"
            },
        ),
    ];
    for (i, (criteria, predicate)) in examples.into_iter().enumerate() {
        let c = compile(criteria.clone());
        let got: Vec<&str> = all
            .iter()
            .filter(|f| hit(&c, f))
            .map(|f| f.id.as_str())
            .collect();
        let want: Vec<&str> = all
            .iter()
            .filter(|f| predicate(f))
            .map(|f| f.id.as_str())
            .collect();
        assert_eq!(got, want, "{criteria}");
        if i > 0 {
            assert!(
                !want.is_empty(),
                "example {criteria} selects nothing in the fixture"
            );
        }
        assert!(
            want.len() < all.len(),
            "example {criteria} selects everything"
        );
    }
}

#[test]
fn wire_form_round_trips() {
    let wire = json!({"criterion":{"severity":{"gte":7},"service.archived":{"eq":["false"]},"updatedAt":{"greaterThan":1700000000000_i64},"type":{"notMatches":["Recon:*"]}}});
    let parsed: FindingCriteria = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(parsed.criterion["severity"].gte, Some(7));
    assert_eq!(
        parsed.criterion["updatedAt"].greater_than,
        Some(1_700_000_000_000)
    );
    assert_eq!(serde_json::to_value(&parsed).unwrap(), wire);
    // Unknown operators and non-integer bounds are refused at the wire (a 400 either way).
    assert!(
        serde_json::from_value::<FindingCriteria>(
            json!({"criterion":{"severity":{"gte":7,"between":[1,2]}}})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<FindingCriteria>(json!({"criterion":{"severity":{"gte":7.5}}}))
            .is_err()
    );
    assert!(
        serde_json::from_value::<FindingCriteria>(
            json!({"criterion":{"type":{"eq":"Recon:EC2/Portscan"}}})
        )
        .is_err()
    );
    assert!(parsed.uses_wildcards());
    let plain: FindingCriteria =
        serde_json::from_value(json!({"criterion":{"type":{"neq":["Recon:EC2/Portscan"]}}}))
            .unwrap();
    assert!(!plain.uses_wildcards());
    // No criterion at all matches everything.
    let empty: FindingCriteria = serde_json::from_value(json!({})).unwrap();
    let c = CompiledCriteria::compile(&empty).unwrap();
    assert!(c.is_empty());
    assert!(hit(&c, &ssh_brute_force()));
}

// ---- Operators: each with a near miss -----------------------------------------------------

#[test]
fn eq_and_equals_match_any_listed_value_exactly() {
    let f = ssh_brute_force();
    for op in ["eq", "equals"] {
        let yes = compile(
            json!({"criterion":{"type":{op:["Recon:EC2/Portscan","UnauthorizedAccess:EC2/SSHBruteForce"]}}}),
        );
        assert!(hit(&yes, &f), "{op}");
        // Case differs: GuardDuty's exact match is case-sensitive.
        let near =
            compile(json!({"criterion":{"type":{op:["UnauthorizedAccess:EC2/SSHBruteforce"]}}}));
        assert!(!hit(&near, &f), "{op}");
        let prefix = compile(json!({"criterion":{"type":{op:["UnauthorizedAccess:EC2/SSH"]}}}));
        assert!(!hit(&prefix, &f), "{op}");
    }
}

#[test]
fn neq_and_not_equals_match_none_of_the_values() {
    let f = ssh_brute_force();
    for op in ["neq", "notEquals"] {
        let yes = compile(json!({"criterion":{"type":{op:["Recon:EC2/Portscan"]}}}));
        assert!(hit(&yes, &f), "{op}");
        let near = compile(
            json!({"criterion":{"type":{op:["Recon:EC2/Portscan","UnauthorizedAccess:EC2/SSHBruteForce"]}}}),
        );
        assert!(!hit(&near, &f), "{op}");
    }
}

#[test]
fn int_bounds_on_a_port() {
    let f = ssh_brute_force(); // local port 22
    let attr = "service.action.networkConnectionAction.localPortDetails.port";
    for (op, pass, miss) in [
        ("gt", 21, 22),
        ("gte", 22, 23),
        ("lt", 23, 22),
        ("lte", 22, 21),
    ] {
        assert!(
            hit(&compile(json!({"criterion":{attr:{op:pass}}})), &f),
            "{op} {pass}"
        );
        assert!(
            !hit(&compile(json!({"criterion":{attr:{op:miss}}})), &f),
            "{op} {miss}"
        );
    }
}

#[test]
fn long_bounds_on_an_epoch_millisecond_timestamp() {
    let f = ssh_brute_force(); // updatedAt 2026-03-02T09:41:07.512Z
    let t = parse_timestamp("2026-03-02T09:41:07.512Z").unwrap();
    for (op, pass, miss) in [
        ("greaterThan", t - 1, t),
        ("greaterThanOrEqual", t, t + 1),
        ("lessThan", t + 1, t),
        ("lessThanOrEqual", t, t - 1),
    ] {
        assert!(
            hit(&compile(json!({"criterion":{"updatedAt":{op:pass}}})), &f),
            "{op} {pass}"
        );
        assert!(
            !hit(&compile(json!({"criterion":{"updatedAt":{op:miss}}})), &f),
            "{op} {miss}"
        );
    }
    // Both bounds of one condition apply together.
    let window = compile(
        json!({"criterion":{"updatedAt":{"greaterThanOrEqual":t - 1000,"lessThan":t + 1000}}}),
    );
    assert!(hit(&window, &f));
    let before =
        compile(json!({"criterion":{"updatedAt":{"greaterThanOrEqual":t - 1000,"lessThan":t}}}));
    assert!(!hit(&before, &f));
}

#[test]
fn wildcards_match_whole_values() {
    let f = ssh_brute_force(); // instance i-0a1b2c3d4e5f60718 in us-east-1
    let id = "resource.instanceDetails.instanceId";
    assert!(hit(
        &compile(json!({"criterion":{id:{"matches":["i-0a1b*"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{id:{"matches":["i-0a1c*"]}}})),
        &f
    ));
    // Whole value: a pattern without a trailing * does not match a prefix.
    assert!(!hit(
        &compile(json!({"criterion":{id:{"matches":["i-0a1b"]}}})),
        &f
    ));
    assert!(hit(
        &compile(json!({"criterion":{"region":{"matches":["us-east-?"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{"region":{"matches":["us-east-??"]}}})),
        &f
    ));
    assert!(hit(
        &compile(json!({"criterion":{"type":{"notMatches":["Recon:*","*!DNS"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{"type":{"notMatches":["Recon:*","UnauthorizedAccess:*"]}}})),
        &f
    ));
}

#[test]
fn severity_bands_use_guardduty_value_lists() {
    let high = compile(json!({"criterion":{"severity":{"eq":["7","8"]}}}));
    let medium = compile(json!({"criterion":{"severity":{"eq":["4","5","6"]}}}));
    let mut f = ssh_brute_force();
    for (severity, is_high, is_medium) in [
        (8.0, true, false),
        (7.5, true, false),
        (8.9, true, false),
        (9.0, false, false),
        (6.9, false, true),
        (5.0, false, true),
        (2.0, false, false),
    ] {
        f.severity = severity;
        assert_eq!(hit(&high, &f), is_high, "{severity}");
        assert_eq!(hit(&medium, &f), is_medium, "{severity}");
    }
    // A fractional value matches exactly.
    f.severity = 5.5;
    assert!(hit(
        &compile(json!({"criterion":{"severity":{"eq":["5.5"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{"severity":{"eq":["5.4"]}}})),
        &f
    ));
}

// ---- Arrays, absence, types ---------------------------------------------------------------

#[test]
fn array_attributes_match_on_any_element() {
    let f = port_probe(&[22, 3389], &[("Name", "bastion"), ("Env", "prod")]);
    let port = "service.action.portProbeAction.portProbeDetails.localPortDetails.port";
    assert!(hit(
        &compile(json!({"criterion":{port:{"eq":["3389"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{port:{"eq":["5432"]}}})),
        &f
    ));
    // neq excludes a finding when any element is listed.
    assert!(!hit(
        &compile(json!({"criterion":{port:{"neq":["3389"]}}})),
        &f
    ));
    assert!(hit(
        &compile(json!({"criterion":{port:{"neq":["5432"]}}})),
        &f
    ));
    // The bounds of one condition must hold for one element: no port is in 100..=1000.
    assert!(!hit(
        &compile(json!({"criterion":{port:{"gte":100,"lte":1000}}})),
        &f
    ));
    assert!(hit(
        &compile(json!({"criterion":{port:{"gte":3000,"lte":4000}}})),
        &f
    ));
    let tags = "resource.instanceDetails.tags.value";
    assert!(hit(
        &compile(json!({"criterion":{tags:{"eq":["bastion"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{tags:{"eq":["web"]}}})),
        &f
    ));
    assert!(hit(
        &compile(json!({"criterion":{"resource.instanceDetails.tags.key":{"equals":["Env"]}}})),
        &f
    ));
}

#[test]
fn absent_attributes_fail_positive_and_pass_negative_operators() {
    let f = c2_dns(); // no network connection, no tags of value "bastion"
    let port = "service.action.networkConnectionAction.localPortDetails.port";
    assert!(!hit(
        &compile(json!({"criterion":{port:{"eq":["22"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{port:{"greaterThan":0}}})),
        &f
    ));
    assert!(hit(
        &compile(json!({"criterion":{port:{"neq":["22"]}}})),
        &f
    ));
    let direction = "service.action.networkConnectionAction.connectionDirection";
    assert!(hit(
        &compile(json!({"criterion":{direction:{"notMatches":["*"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{direction:{"notMatches":["*"]}}})),
        &ssh_brute_force()
    ));
    // A field Warden's Finding never carries behaves the same.
    let eks = "resource.eksClusterDetails.name";
    assert!(!hit(
        &compile(json!({"criterion":{eks:{"eq":["prod"]}}})),
        &f
    ));
    assert!(hit(
        &compile(json!({"criterion":{eks:{"notEquals":["prod"]}}})),
        &f
    ));
    // A finding without tags passes the bastion suppression rule's negation.
    let mut untagged = ssh_brute_force();
    untagged.resource.instance_details.as_mut().unwrap().tags = None;
    assert!(hit(
        &compile(json!({"criterion":{"resource.instanceDetails.tags.value":{"neq":["bastion"]}}})),
        &untagged
    ));
}

#[test]
fn not_matches_on_a_string_attribute_that_is_absent_passes() {
    let f = c2_dns();
    let c = compile(
        json!({"criterion":{"service.action.awsApiCallAction.api":{"notMatches":["Stop*"]}}}),
    );
    assert!(hit(&c, &f));
    let cloudtrail = finding_of("Stealth:IAMUser/CloudTrailLoggingDisabled");
    assert!(!hit(&c, &cloudtrail));
}

#[test]
fn booleans_are_given_as_strings() {
    let mut f = ssh_brute_force();
    let unarchived = compile(json!({"criterion":{"service.archived":{"eq":["false"]}}}));
    let archived = compile(json!({"criterion":{"service.archived":{"eq":["TRUE"]}}}));
    assert!(hit(&unarchived, &f));
    assert!(!hit(&archived, &f));
    f.service.archived = true;
    assert!(!hit(&unarchived, &f));
    assert!(hit(&archived, &f));
    let e = compile_error(json!({"criterion":{"service.archived":{"eq":["yes"]}}}));
    assert!(
        e.to_string().contains("service.archived") && e.to_string().contains("boolean"),
        "{e}"
    );
    let dns = c2_dns();
    assert!(hit(
        &compile(json!({"criterion":{"service.action.dnsRequestAction.blocked":{"eq":["false"]}}})),
        &dns
    ));
    assert!(!hit(
        &compile(json!({"criterion":{"service.action.dnsRequestAction.blocked":{"eq":["true"]}}})),
        &dns
    ));
}

#[test]
fn timestamps_compare_by_instant_in_every_wire_form() {
    let mut f = ssh_brute_force();
    // The same instant written with an offset.
    f.service.event_first_seen = "2026-03-02T11:00:00+02:00".into();
    let nine_utc = parse_timestamp("2026-03-02T09:00:00Z").unwrap();
    assert!(hit(
        &compile(json!({"criterion":{"service.eventFirstSeen":{"eq":[nine_utc.to_string()]}}})),
        &f
    ));
    assert!(!hit(
        &compile(
            json!({"criterion":{"service.eventFirstSeen":{"eq":[(nine_utc + 1).to_string()]}}})
        ),
        &f
    ));
    // An ISO value in the criteria is read as the same instant.
    assert!(hit(
        &compile(json!({"criterion":{"service.eventFirstSeen":{"eq":["2026-03-02T09:00:00Z"]}}})),
        &f
    ));
    let e = compile_error(json!({"criterion":{"createdAt":{"eq":["yesterday"]}}}));
    assert!(
        e.to_string().contains("createdAt") && e.to_string().contains("epoch milliseconds"),
        "{e}"
    );
    // Members the model types `timestamp` arrive as epoch seconds; criteria still use ms.
    let guardduty_json = json!({
        "id": "eks1", "type": "Persistence:Kubernetes/ContainerWithSensitiveMount",
        "resource": {"resourceType": "EKSCluster", "eksClusterDetails": {"name": "prod", "createdAt": 1_700_000_000.25}}
    });
    let created = "resource.eksClusterDetails.createdAt";
    assert!(
        compile(json!({"criterion":{created:{"eq":["1700000000250"]}}})).matches(&guardduty_json)
    );
    assert!(
        compile(json!({"criterion":{created:{"greaterThan":1_700_000_000_000_i64}}}))
            .matches(&guardduty_json)
    );
    assert!(
        !compile(json!({"criterion":{created:{"greaterThan":1_700_000_000_250_i64}}}))
            .matches(&guardduty_json)
    );
}

#[test]
fn irregular_attribute_names_reach_the_finding_wire_names() {
    let finding = json!({
        "id": "k8s1",
        "resource": {"kubernetesDetails": {"kubernetesWorkloadDetails": {"name": "web", "hostIPC": true, "hostPID": false}}},
        "service": {"action": {"rdsLoginAttemptAction": {"LoginAttributes": [
            {"user": "admin", "application": "psql", "failedLoginAttempts": 40, "successfulLoginAttempts": 0},
            {"user": "app", "application": "jdbc", "failedLoginAttempts": 0, "successfulLoginAttempts": 3}
        ]}}}
    });
    let k8s = "resource.kubernetesDetails.kubernetesWorkloadDetails.";
    assert!(
        compile(json!({"criterion":{format!("{k8s}hostIpc"):{"eq":["true"]}}})).matches(&finding)
    );
    assert!(
        !compile(json!({"criterion":{format!("{k8s}hostPid"):{"eq":["true"]}}})).matches(&finding)
    );
    // The finding's own spelling is not an attribute name.
    let e = compile_error(json!({"criterion":{format!("{k8s}hostIPC"):{"eq":["true"]}}}));
    assert_eq!(e, CriteriaError::UnknownAttribute(format!("{k8s}hostIPC")));
    let rds = "service.action.rdsLoginAttemptAction.loginAttributes.";
    assert!(
        compile(json!({"criterion":{format!("{rds}user"):{"eq":["admin"]}}})).matches(&finding)
    );
    assert!(
        !compile(json!({"criterion":{format!("{rds}user"):{"eq":["root"]}}})).matches(&finding)
    );
    assert!(
        compile(json!({"criterion":{format!("{rds}failedLoginAttempts"):{"gte":10}}}))
            .matches(&finding)
    );
    assert!(
        !compile(json!({"criterion":{format!("{rds}failedLoginAttempts"):{"gte":41}}}))
            .matches(&finding)
    );
}

#[test]
fn additional_info_keys_are_read_inside_its_json_document() {
    let dns = c2_dns(); // additionalInfo {"threatListName":"ProofPoint","domain":...}
    let ssh = ssh_brute_force();
    let list = compile(
        json!({"criterion":{"service.additionalInfo.threatListName":{"eq":["ProofPoint"]}}}),
    );
    assert!(hit(&list, &dns));
    assert!(!hit(&list, &ssh));
    let scan = finding_of("Recon:EC2/Portscan"); // {"unusual":{"port":8088}}
    let unusual = "service.additionalInfo.unusual.port";
    assert!(hit(
        &compile(json!({"criterion":{unusual:{"eq":["8088"]}}})),
        &scan
    ));
    assert!(hit(
        &compile(json!({"criterion":{unusual:{"greaterThan":8000}}})),
        &scan
    ));
    assert!(!hit(
        &compile(json!({"criterion":{unusual:{"lessThan":8000}}})),
        &scan
    ));
    // A value that is not JSON holds no keys; nothing panics.
    let mut broken = dns.clone();
    broken.service.additional_info.as_mut().unwrap().value = "{\"threatListName\": ".into();
    assert!(!hit(&list, &broken));
    assert!(hit(
        &compile(
            json!({"criterion":{"service.additionalInfo.threatListName":{"neq":["ProofPoint"]}}})
        ),
        &broken
    ));
}

#[test]
fn s3_permission_configuration_is_filterable() {
    let f = finding_of("Policy:S3/BucketBlockPublicAccessDisabled");
    let bucket = "resource.s3BucketDetails.publicAccess.permissionConfiguration.bucketLevelPermissions.blockPublicAccess.blockPublicAcls";
    let account = "resource.s3BucketDetails.publicAccess.permissionConfiguration.accountLevelPermissions.blockPublicAccess.blockPublicAcls";
    assert!(hit(
        &compile(json!({"criterion":{bucket:{"eq":["false"]}}})),
        &f
    ));
    assert!(!hit(
        &compile(json!({"criterion":{account:{"eq":["false"]}}})),
        &f
    ));
}

// ---- Refusals -----------------------------------------------------------------------------

#[test]
fn refusals_name_the_attribute_and_the_problem() {
    let many: Vec<String> = (0..51).map(|i| format!("i-{i:017}")).collect();
    let cases = [
        (
            json!({"criterion":{"resource.instanceDetails.instanceIdd":{"eq":["i-1"]}}}),
            vec!["unknown attribute", "resource.instanceDetails.instanceIdd"],
        ),
        (
            json!({"criterion":{"severity":{}}}),
            vec!["severity", "empty condition"],
        ),
        (
            json!({"criterion":{"type":{"eq":[]}}}),
            vec!["type", "eq has no values"],
        ),
        (
            json!({"criterion":{"resource.instanceDetails.instanceId":{"eq":many}}}),
            vec![
                "resource.instanceDetails.instanceId",
                "51 values",
                "at most 50",
            ],
        ),
        (
            json!({"criterion":{"type":{"matches":["a*","b*","c*","d*","e*","f*"]}}}),
            vec!["type", "matches", "6 values", "at most 5"],
        ),
        (
            json!({"criterion":{"type":{"matches":[""]}}}),
            vec!["type", "1 to 512 characters"],
        ),
        (
            json!({"criterion":{"type":{"notMatches":["x".repeat(513)]}}}),
            vec!["type", "notMatches", "1 to 512 characters"],
        ),
        (
            json!({"criterion":{"severity":{"eq":["high"]}}}),
            vec!["severity", "'high'", "not a number"],
        ),
        (
            json!({"criterion":{"type":{"gt":3}}}),
            vec!["type", "string values", "gt cannot be used"],
        ),
        (
            json!({"criterion":{"service.archived":{"lessThan":3}}}),
            vec!["service.archived", "boolean", "lessThan"],
        ),
        (
            json!({"criterion":{"severity":{"matches":["8*"]}}}),
            vec!["severity", "number values", "matches cannot be used"],
        ),
    ];
    for (criteria, words) in cases {
        let text = compile_error(criteria.clone()).to_string();
        for w in words {
            assert!(text.contains(w), "{criteria}: '{text}' lacks '{w}'");
        }
    }
    // At most 50 attributes; 50 is fine.
    let names: Vec<&str> = attributes()
        .filter(|a| a.kind == ValueKind::String)
        .map(|a| a.name)
        .take(51)
        .collect();
    let criterion = |n: usize| -> Value {
        Value::Object(
            names[..n]
                .iter()
                .map(|a| (a.to_string(), json!({"neq":["1"]})))
                .collect(),
        )
    };
    let e = compile_error(json!({"criterion": criterion(51)}));
    assert!(e.to_string().contains("51 attributes"), "{e}");
    compile(json!({"criterion": criterion(50)}));
}

// ---- The attribute table ------------------------------------------------------------------

#[test]
fn every_documented_attribute_is_accepted() {
    assert_eq!(attributes().count(), 622);
    for name in [
        "accountId",
        "severity",
        "service.archived",
        "updatedAt",
        "resource.instanceDetails.tags.value",
        "service.additionalInfo.threatListName",
    ] {
        assert!(attribute(name).is_some(), "{name}");
    }
    assert_eq!(attribute("severity").unwrap().kind, ValueKind::Number);
    assert_eq!(
        attribute("service.eventLastSeen").unwrap().kind,
        ValueKind::Timestamp
    );
    assert_eq!(
        attribute("service.archived").unwrap().kind,
        ValueKind::Boolean
    );
    // api.md section 8 lists the same paths, when the reference is at hand.
    let reference = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/guardduty/api.md"
    );
    let Ok(text) = std::fs::read_to_string(reference) else {
        return;
    };
    let section = text.split("## 8.").nth(1).unwrap();
    let mut documented = BTreeSet::new();
    for line in section.lines().filter(|l| l.starts_with("- `")) {
        let (group, rest) = line[3..].split_once("`:").unwrap();
        for name in rest.split('`').skip(1).step_by(2) {
            documented.insert(if group == "(top level)" {
                name.to_string()
            } else {
                format!("{group}.{name}")
            });
        }
    }
    let ours: BTreeSet<String> = attributes().map(|a| a.name.to_string()).collect();
    assert_eq!(ours, documented);
}

/// Every leaf path of a JSON value, arrays transparent.
fn leaf_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaf_paths(child, &p, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| leaf_paths(i, prefix, out)),
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

/// A finding with every optional part present.
fn full_finding() -> Finding {
    let mut f = port_probe(&[22, 3389], &[("Name", "bastion")]);
    let remote = f
        .service
        .action
        .port_probe_action
        .as_ref()
        .unwrap()
        .port_probe_details[0]
        .remote_ip_details
        .clone();
    let mut remote = remote.unwrap();
    remote.ip_address_v6 = Some("2001:db8::1".into());
    let local = LocalIpDetails {
        ip_address_v4: Some("10.0.0.5".into()),
        ip_address_v6: Some("fd00::5".into()),
    };
    f.confidence = Some(7.5);
    f.associated_attack_sequence_arn =
        Some("arn:aws:guardduty:us-east-1:123456789012:detector/d/finding/seq".into());
    f.custom_detection_rule_name = Some("IAMAccessKeyCreated".into());
    f.service.user_feedback = Some("USEFUL".into());
    f.service.evidence = Some(Evidence {
        threat_intelligence_details: vec![ThreatIntelligenceDetail {
            threat_list_name: "ProofPoint".into(),
            threat_names: vec!["Backdoor.Tester".into(), "Other".into()],
            ..Default::default()
        }],
    });
    let s3 = finding_of("Policy:S3/BucketBlockPublicAccessDisabled").resource;
    f.resource.access_key_details = finding_of("Stealth:IAMUser/CloudTrailLoggingDisabled")
        .resource
        .access_key_details;
    f.resource.s3_bucket_details = s3.s3_bucket_details;
    f.resource.rds_db_instance_details = Some(RdsDbInstanceDetails {
        db_instance_identifier: Some("db-1".into()),
        db_cluster_identifier: Some("cluster-1".into()),
        db_instance_arn: Some("arn:aws:rds:us-east-1:123456789012:db:db-1".into()),
        ..Default::default()
    });
    f.resource.lambda_details = Some(LambdaDetails {
        function_arn: Some("arn:aws:lambda:us-east-1:123456789012:function:f".into()),
        function_name: Some("f".into()),
        ..Default::default()
    });
    f.resource.ebs_snapshot_details = Some(EbsSnapshotDetails {
        snapshot_arn: "arn:aws:ec2:us-east-1::snapshot/snap-1".into(),
    });
    f.resource.ec2_image_details = Some(Ec2ImageDetails {
        image_arn: "arn:aws:ec2:us-east-1::image/ami-1".into(),
    });
    let a = &mut f.service.action;
    a.aws_api_call_action = Some(AwsApiCallAction {
        api: "StopLogging".into(),
        caller_type: "Remote IP".into(),
        domain_details: Some(DomainDetails {
            domain: "example.com".into(),
        }),
        error_code: Some("AccessDenied".into()),
        user_agent: Some("aws-cli/2".into()),
        remote_ip_details: Some(remote.clone()),
        service_name: "cloudtrail.amazonaws.com".into(),
        remote_account_details: Some(RemoteAccountDetails {
            account_id: "999999999999".into(),
            affiliated: false,
            ..Default::default()
        }),
        affected_resources: [("AWS::CloudTrail::Trail".to_string(), "main".to_string())].into(),
    });
    a.dns_request_action = Some(DnsRequestAction {
        domain: "c2.guarddutyc2activityb.com".into(),
        protocol: Some("UDP".into()),
        blocked: true,
        domain_with_suffix: Some("guarddutyc2activityb.com".into()),
        vpc_owner_account_id: Some("123456789012".into()),
    });
    a.network_connection_action = Some(NetworkConnectionAction {
        blocked: false,
        connection_direction: "INBOUND".into(),
        local_port_details: Some(PortDetails {
            port: 22,
            port_name: "SSH".into(),
        }),
        protocol: "TCP".into(),
        local_ip_details: Some(local.clone()),
        local_network_interface: Some("eni-1".into()),
        remote_ip_details: Some(remote.clone()),
        remote_port_details: Some(PortDetails {
            port: 50_000,
            port_name: "Unknown".into(),
        }),
    });
    for d in &mut a.port_probe_action.as_mut().unwrap().port_probe_details {
        d.local_ip_details = Some(local.clone());
        d.remote_ip_details = Some(remote.clone());
    }
    f.service.additional_info.as_mut().unwrap().value =
        r#"{"threatListName":"ProofPoint","unusual":{"port":8088,"asnOrg":"x"},"inBytes":"1200"}"#
            .into();
    f
}

#[test]
fn every_field_a_finding_serializes_has_a_typed_reader() {
    let f = full_finding();
    let mut paths = BTreeSet::new();
    leaf_paths(&serde_json::to_value(&f).unwrap(), "", &mut paths);
    let mut typed = 0;
    for a in attributes() {
        let path = a.path.join(".");
        let under_raw_json = paths
            .iter()
            .any(|p| p.starts_with(&format!("{path}.")) || p == &path);
        if under_raw_json {
            assert!(
                a.is_typed(),
                "{} is in Finding's JSON but has no typed reader",
                a.name
            );
            typed += 1;
        }
    }
    // Everything Finding models that GuardDuty filters on (the rest, e.g. title, is not
    // filterable).
    assert!(typed >= 90, "{typed}");
}

fn scalars_json(a: &Attribute, v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    a.visit_json(v, &mut |s| out.push(format!("{s:?}")));
    out
}

fn scalars_typed(a: &Attribute, f: &Finding) -> Vec<String> {
    let mut out = Vec::new();
    a.visit_finding(f, &mut |s| out.push(format!("{s:?}")));
    out
}

#[test]
fn typed_reader_agrees_with_json_on_every_attribute() {
    let mut findings = tester_findings(400, 5);
    findings.push(full_finding());
    let mut seen = 0;
    for f in &findings {
        let v = serde_json::to_value(f).unwrap();
        for a in attributes() {
            let (j, t) = (scalars_json(a, &v), scalars_typed(a, f));
            assert_eq!(j, t, "{} on {}", a.name, f.finding_type);
            seen += j.len();
        }
    }
    assert!(seen > 10_000, "{seen}");
}

// ---- Fast path vs JSON on random findings and criteria -------------------------------------

/// Values actually found per attribute across a pool of findings, so random criteria hit.
fn value_pool() -> &'static Vec<(&'static Attribute, Vec<String>)> {
    static POOL: OnceLock<Vec<(&'static Attribute, Vec<String>)>> = OnceLock::new();
    POOL.get_or_init(|| {
        let findings = tester_findings(300, 99);
        let mut pool: Vec<(&'static Attribute, Vec<String>)> = attributes()
            .filter(|a| {
                a.is_typed() || a.is_embedded() || a.name.starts_with("resource.eksClusterDetails")
            })
            .map(|a| {
                let mut values = BTreeSet::new();
                for f in &findings {
                    a.visit_finding(f, &mut |s| {
                        values.insert(match s {
                            Scalar::Str(v) => match (a.kind, parse_timestamp(v)) {
                                (ValueKind::Timestamp, Some(ms)) => ms.to_string(),
                                _ => v.to_string(),
                            },
                            Scalar::Num(x) => x.to_string(),
                            Scalar::Bool(b) => b.to_string(),
                        });
                    });
                }
                (a, values.into_iter().take(40).collect())
            })
            .collect();
        pool.sort_by_key(|(a, _)| a.name);
        pool
    })
}

fn random_condition(op: usize, values: Vec<String>, bound: i64) -> Condition {
    let mut c = Condition::default();
    match op {
        0 => c.eq = Some(values),
        1 => c.neq = Some(values),
        2 => c.equals = Some(values),
        3 => c.not_equals = Some(values),
        4 => c.gt = Some(bound),
        5 => c.gte = Some(bound),
        6 => c.lt = Some(bound),
        7 => c.lte = Some(bound),
        8 => c.greater_than = Some(bound),
        9 => c.greater_than_or_equal = Some(bound),
        10 => c.less_than = Some(bound),
        11 => c.less_than_or_equal = Some(bound),
        12 => {
            c.matches = Some(
                values
                    .into_iter()
                    .map(|v| v.chars().take(4).collect::<String>() + "*")
                    .collect(),
            )
        }
        _ => {
            c.not_matches = Some(
                values
                    .into_iter()
                    .map(|v| format!("*{}", v.chars().skip(2).collect::<String>()))
                    .collect(),
            )
        }
    }
    c
}

fn mutate(f: &mut Finding, knockouts: u8, severity: f64) {
    f.severity = severity;
    if knockouts & 1 != 0
        && let Some(d) = f.resource.instance_details.as_mut()
    {
        d.tags = None;
    }
    if knockouts & 2 != 0 {
        f.service.additional_info = None;
    }
    if knockouts & 4 != 0 {
        f.service.evidence = None;
    }
    if knockouts & 8 != 0 {
        f.confidence = Some(severity / 2.0);
    }
    if knockouts & 16 != 0
        && let Some(n) = f.service.action.network_connection_action.as_mut()
    {
        n.remote_ip_details = None;
    }
    if knockouts & 32 != 0 {
        f.updated_at = "not a time".into();
    }
}

type RandomCriterion = (prop::sample::Index, usize, Vec<prop::sample::Index>, i64);

fn criterion_strategy() -> impl Strategy<Value = RandomCriterion> {
    (
        any::<prop::sample::Index>(),
        0usize..14,
        prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        prop_oneof![
            -5i64..100_000,
            Just(START_MS + 20 * findings::DAY_MS),
            0i64..10
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fast_path_agrees_with_json_on_random_findings_and_criteria(
        seed in any::<u64>(),
        knockouts in any::<u8>(),
        severity in prop_oneof![Just(2.0), Just(5.0), Just(8.0), 0.0f64..10.0],
        conditions in prop::collection::vec(criterion_strategy(), 1..4),
    ) {
        let mut rng = Rng::new(seed);
        let mut f = tester_finding(&mut rng, 0);
        mutate(&mut f, knockouts, severity);
        let pool = value_pool();
        let mut criteria = FindingCriteria::default();
        for (attr, op, picks, bound) in conditions {
            let (a, values) = &pool[attr.index(pool.len())];
            // Only operators the attribute's kind takes, so nearly every case compiles.
            let ops: &[usize] = match a.kind {
                ValueKind::String => &[0, 1, 2, 3, 12, 13],
                ValueKind::Boolean => &[0, 1, 2, 3],
                ValueKind::Number | ValueKind::Timestamp => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
                ValueKind::Dynamic => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
            };
            let op = ops[op % ops.len()];
            let chosen: Vec<String> = if values.is_empty() {
                vec![if a.kind == ValueKind::Boolean { "true" } else { "7" }.into()]
            } else {
                picks.iter().map(|p| values[p.index(values.len())].clone()).collect()
            };
            // Bounds near the values found, so they split findings.
            let near = chosen[0].parse::<f64>().map(|x| x as i64 + bound % 3 - 1).unwrap_or(bound);
            criteria.criterion.insert(a.name.to_string(), random_condition(op, chosen, near));
        }
        let c = CompiledCriteria::compile(&criteria);
        prop_assert!(c.is_ok(), "{:?}: {:?}", criteria, c.err());
        let c = c.unwrap();
        let by_json = c.matches(&serde_json::to_value(&f).unwrap());
        prop_assert_eq!(by_json, c.matches_finding(&f), "{:?}", criteria);
    }

    #[test]
    fn matching_arbitrary_json_never_panics(v in arbitrary_json()) {
        for c in robustness_criteria() {
            let _ = c.matches(&v);
            let wrapped = json!({"service": {"additionalInfo": {"value": v.to_string()}}, "resource": v});
            let _ = c.matches(&wrapped);
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| json!(x)),
        "[a-z:*?é ]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("severity".to_string()),
                    Just("instanceDetails".to_string()),
                    Just("tags".to_string()),
                    Just("value".to_string()),
                    Just("threatListName".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn robustness_criteria() -> &'static Vec<CompiledCriteria> {
    static C: OnceLock<Vec<CompiledCriteria>> = OnceLock::new();
    C.get_or_init(|| {
        vec![
            compile(json!({"criterion":{"severity":{"gte":1,"lt":9}}})),
            compile(json!({"criterion":{"resource.instanceDetails.tags.value":{"neq":["a"],"matches":["*"]}}})),
            compile(json!({"criterion":{"service.additionalInfo.threatListName":{"notMatches":["?*"]}}})),
            compile(json!({"criterion":{"service.additionalInfo.value":{"eq":["x"]}}})),
            compile(json!({"criterion":{"updatedAt":{"greaterThan":0}}})),
        ]
    })
}

// ---- Sorting ------------------------------------------------------------------------------

fn sort_by(attribute: &str, order: Option<OrderBy>) -> CompiledSort {
    CompiledSort::compile(Some(&SortCriteria {
        attribute_name: Some(attribute.into()),
        order_by: order,
    }))
    .unwrap()
}

#[test]
fn sort_by_severity_desc_breaks_ties_by_id() {
    let mut all = tester_findings(500, 3);
    sort_by("severity", Some(OrderBy::Desc)).sort(&mut all);
    for w in all.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(
            a.severity > b.severity || (a.severity == b.severity && a.id < b.id),
            "{} {} / {} {}",
            a.severity,
            a.id,
            b.severity,
            b.id
        );
    }
    assert!(all.first().unwrap().severity > all.last().unwrap().severity);
}

#[test]
fn sort_is_the_same_whatever_the_input_order() {
    let base = tester_findings(400, 4);
    for attribute in [
        "type",
        "accountId",
        "service.count",
        "updatedAt",
        "resource.instanceDetails.instanceId",
    ] {
        for order in [OrderBy::Asc, OrderBy::Desc] {
            let sort = sort_by(attribute, Some(order));
            let mut expected: Vec<&Finding> = base.iter().collect();
            sort.sort(&mut expected);
            let mut rng = Rng::new(attribute.len() as u64);
            for _ in 0..3 {
                let mut shuffled: Vec<&Finding> = base.iter().collect();
                for i in (1..shuffled.len()).rev() {
                    shuffled.swap(i, rng.below(i as u64 + 1) as usize);
                }
                sort.sort(&mut shuffled);
                let ids = |v: &[&Finding]| v.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
                assert_eq!(ids(&shuffled), ids(&expected), "{attribute} {order:?}");
                for w in shuffled.windows(2) {
                    assert_ne!(sort.compare(w[0], w[1]), std::cmp::Ordering::Greater);
                }
            }
        }
    }
}

#[test]
fn findings_without_the_attribute_sort_last_in_both_orders() {
    let all = tester_findings(300, 8);
    for order in [OrderBy::Asc, OrderBy::Desc] {
        let mut v: Vec<&Finding> = all.iter().collect();
        sort_by("resource.instanceDetails.instanceId", Some(order)).sort(&mut v);
        let has = |f: &&Finding| f.resource.instance_details.is_some();
        let first_missing = v.iter().position(|f| !has(f)).unwrap();
        assert!(first_missing > 0);
        assert!(v[first_missing..].iter().all(|f| !has(f)), "{order:?}");
        let ids: Vec<&str> = v[..first_missing]
            .iter()
            .map(|f| {
                f.resource
                    .instance_details
                    .as_ref()
                    .unwrap()
                    .instance_id
                    .as_deref()
                    .unwrap()
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        if order == OrderBy::Desc {
            sorted.reverse();
        }
        assert_eq!(ids, sorted);
    }
}

#[test]
fn numbers_and_timestamps_sort_by_value_not_text() {
    let mut a = ssh_brute_force();
    let mut b = ssh_brute_force();
    let mut c = ssh_brute_force();
    (a.id, b.id, c.id) = ("a".into(), "b".into(), "c".into());
    (a.service.count, b.service.count, c.service.count) = (100, 9, 10);
    let mut v = vec![a.clone(), b.clone(), c.clone()];
    sort_by("service.count", Some(OrderBy::Asc)).sort(&mut v);
    assert_eq!(
        v.iter().map(|f| f.service.count).collect::<Vec<_>>(),
        vec![9, 10, 100]
    );
    // 11:00+02:00 is 09:00Z: earlier than 10:00Z although it sorts later as text.
    a.updated_at = "2026-03-02T11:00:00+02:00".into();
    b.updated_at = "2026-03-02T10:00:00Z".into();
    c.updated_at = "2026-03-02T09:30:00.000Z".into();
    let mut v = vec![a, b, c];
    sort_by("updatedAt", Some(OrderBy::Asc)).sort(&mut v);
    assert_eq!(
        v.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        vec!["a", "c", "b"]
    );
}

#[test]
fn many_valued_attributes_sort_by_smallest_ascending_and_largest_descending() {
    let mut low = port_probe(&[22, 5432], &[]);
    let mut mid = port_probe(&[80], &[]);
    low.id = "low".into();
    mid.id = "mid".into();
    let port = "service.action.portProbeAction.portProbeDetails.localPortDetails.port";
    let mut v = vec![mid.clone(), low.clone()];
    sort_by(port, Some(OrderBy::Asc)).sort(&mut v);
    assert_eq!((v[0].id.as_str(), v[1].id.as_str()), ("low", "mid")); // 22 < 80
    sort_by(port, Some(OrderBy::Desc)).sort(&mut v);
    assert_eq!((v[0].id.as_str(), v[1].id.as_str()), ("low", "mid")); // 5432 > 80
}

#[test]
fn default_sort_and_refusals() {
    let default = CompiledSort::compile(None).unwrap();
    assert_eq!(
        (default.attribute_name(), default.order()),
        ("updatedAt", OrderBy::Desc)
    );
    let mut all = tester_findings(200, 12);
    default.sort(&mut all);
    for w in all.windows(2) {
        assert!(parse_timestamp(&w[0].updated_at) >= parse_timestamp(&w[1].updated_at));
    }
    let unordered = CompiledSort::compile(Some(&SortCriteria {
        attribute_name: Some("severity".into()),
        order_by: None,
    }))
    .unwrap();
    assert_eq!(unordered.order(), OrderBy::Asc);
    let wire: SortCriteria =
        serde_json::from_value(json!({"attributeName":"updatedAt","orderBy":"DESC"})).unwrap();
    assert_eq!(wire.order_by, Some(OrderBy::Desc));
    assert!(
        serde_json::from_value::<SortCriteria>(
            json!({"attributeName":"updatedAt","orderBy":"down"})
        )
        .is_err()
    );
    let e = CompiledSort::compile(Some(&SortCriteria {
        attribute_name: Some("sevrity".into()),
        order_by: None,
    }))
    .unwrap_err();
    assert_eq!(e.to_string(), "sortCriteria: unknown attribute 'sevrity'");
}

// ---- Statistics ---------------------------------------------------------------------------

fn statistics(request: Value, findings: &[Finding]) -> FindingStatistics {
    let request: FindingsStatisticsRequest = serde_json::from_value(request).unwrap();
    StatisticsQuery::compile(&request)
        .unwrap()
        .compute(findings)
}

/// (count, latest updatedAt in ms) per key, the slow obvious way.
fn naive<K: std::hash::Hash + Eq>(
    findings: &[Finding],
    key: impl Fn(&Finding) -> K,
) -> HashMap<K, (u64, i64)> {
    let mut m: HashMap<K, (u64, i64)> = HashMap::new();
    for f in findings {
        let e = m.entry(key(f)).or_insert((0, i64::MIN));
        e.0 += 1;
        e.1 = e.1.max(parse_timestamp(&f.updated_at).unwrap());
    }
    m
}

fn assert_ranked(counts: &[u64], order: OrderBy) {
    for w in counts.windows(2) {
        match order {
            OrderBy::Desc => assert!(w[0] >= w[1], "{counts:?}"),
            OrderBy::Asc => assert!(w[0] <= w[1], "{counts:?}"),
        }
    }
}

#[test]
fn grouped_by_account() {
    let all = tester_findings(2_000, 21);
    let stats = statistics(json!({"groupBy":"ACCOUNT"}), &all);
    let groups = stats.grouped_by_account.unwrap();
    let want = naive(&all, |f| f.account_id.clone());
    assert_eq!(groups.len(), want.len());
    for g in &groups {
        let (count, last) = want[&g.account_id];
        assert_eq!(g.total_findings, count);
        assert_eq!(g.last_generated_at, Some(last as f64 / 1000.0));
    }
    assert_ranked(
        &groups.iter().map(|g| g.total_findings).collect::<Vec<_>>(),
        OrderBy::Desc,
    );
    assert!(stats.grouped_by_date.is_none() && stats.count_by_severity.is_none());
}

#[test]
fn grouped_by_finding_type_least_frequent_first_and_cut() {
    let all = tester_findings(2_000, 22);
    let stats = statistics(
        json!({"groupBy":"FINDING_TYPE","orderBy":"ASC","maxResults":3}),
        &all,
    );
    let groups = stats.grouped_by_finding_type.unwrap();
    assert_eq!(groups.len(), 3);
    let want = naive(&all, |f| f.finding_type.clone());
    let mut counts: Vec<u64> = want.values().map(|c| c.0).collect();
    counts.sort();
    assert_eq!(
        groups.iter().map(|g| g.total_findings).collect::<Vec<_>>(),
        counts[..3].to_vec()
    );
    for g in &groups {
        assert_eq!(want[&g.finding_type].0, g.total_findings);
    }
}

#[test]
fn grouped_by_resource_uses_the_documented_id_per_type() {
    let all = tester_findings(2_000, 23);
    let stats = statistics(json!({"groupBy":"RESOURCE","maxResults":100}), &all);
    let groups = stats.grouped_by_resource.unwrap();
    assert_eq!(groups.len(), 100);
    let id = |f: &Finding| -> String {
        let r = &f.resource;
        match r.resource_type.as_str() {
            "Instance" => r
                .instance_details
                .as_ref()
                .unwrap()
                .instance_id
                .clone()
                .unwrap(),
            "AccessKey" => r
                .access_key_details
                .as_ref()
                .unwrap()
                .access_key_id
                .clone()
                .unwrap(),
            "S3Bucket" => r.s3_bucket_details.as_ref().unwrap()[0]
                .name
                .clone()
                .unwrap(),
            other => panic!("{other}"),
        }
    };
    let want = naive(&all, |f| {
        (
            f.account_id.clone(),
            f.resource.resource_type.clone(),
            id(f),
        )
    });
    for g in &groups {
        let key = (
            g.account_id.clone(),
            g.resource_type.clone(),
            g.resource_id.clone().unwrap(),
        );
        assert_eq!(want[&key].0, g.total_findings, "{key:?}");
    }
    assert_ranked(
        &groups.iter().map(|g| g.total_findings).collect::<Vec<_>>(),
        OrderBy::Desc,
    );
    // The top group really is the largest.
    assert_eq!(
        groups[0].total_findings,
        want.values().map(|c| c.0).max().unwrap()
    );
    let types: BTreeSet<&str> = groups.iter().map(|g| g.resource_type.as_str()).collect();
    assert!(types.contains("Instance"), "{types:?}");
}

#[test]
fn grouped_by_severity_with_percentages() {
    let all = tester_findings(2_000, 24);
    let stats = statistics(json!({"groupBy":"SEVERITY"}), &all);
    let groups = stats.grouped_by_severity.unwrap();
    let want = naive(&all, |f| f.severity.to_bits());
    assert_eq!(groups.len(), want.len());
    let mut percent = 0.0;
    for g in &groups {
        assert_eq!(want[&g.severity.to_bits()].0, g.total_findings);
        let exact = g.total_findings as f64 * 100.0 / all.len() as f64;
        assert!(
            (g.percentage - exact).abs() <= 0.005,
            "{} vs {exact}",
            g.percentage
        );
        percent += g.percentage;
    }
    assert!((percent - 100.0).abs() < 0.05, "{percent}");
    let severities: BTreeSet<u64> = groups.iter().map(|g| g.severity as u64).collect();
    assert_eq!(severities, [2, 5, 8].into());
}

#[test]
fn grouped_by_date_per_utc_day_and_severity() {
    let all = tester_findings(1_000, 25);
    let stats = statistics(json!({"groupBy":"DATE","maxResults":100}), &all);
    let groups = stats.grouped_by_date.unwrap();
    let want = naive(&all, |f| {
        let ms = parse_timestamp(&f.updated_at).unwrap();
        (ms - ms.rem_euclid(findings::DAY_MS), f.severity.to_bits())
    });
    assert_eq!(groups.len(), want.len().min(100));
    for g in &groups {
        let day_ms = (g.date * 1000.0) as i64;
        assert_eq!(day_ms % findings::DAY_MS, 0, "date is not midnight UTC");
        let (count, last) = want[&(day_ms, g.severity.to_bits())];
        assert_eq!(g.total_findings, count);
        assert_eq!(g.last_generated_at, Some(last as f64 / 1000.0));
        assert!(last - day_ms < findings::DAY_MS);
    }
}

#[test]
fn count_by_severity_and_criteria() {
    let all = tester_findings(2_000, 26);
    let stats = statistics(json!({"findingStatisticTypes":["COUNT_BY_SEVERITY"]}), &all);
    let counts = stats.count_by_severity.unwrap();
    assert_eq!(
        counts.keys().cloned().collect::<Vec<_>>(),
        vec!["2.0", "5.0", "8.0"]
    );
    assert_eq!(counts.values().sum::<u64>(), 2_000);
    assert_eq!(
        counts["8.0"],
        all.iter().filter(|f| f.severity == 8.0).count() as u64
    );
    // The criteria pick the findings counted.
    let unarchived = statistics(
        json!({"findingStatisticTypes":["COUNT_BY_SEVERITY"],"findingCriteria":{"criterion":{"service.archived":{"eq":["false"]}}}}),
        &all,
    );
    let total: u64 = unarchived.count_by_severity.unwrap().values().sum();
    assert_eq!(
        total,
        all.iter().filter(|f| !f.service.archived).count() as u64
    );
    assert!(total < 2_000);
}

#[test]
fn statistics_wire_shape() {
    let all = tester_findings(50, 27);
    let stats = statistics(
        json!({"groupBy":"SEVERITY","orderBy":"DESC","maxResults":2}),
        &all,
    );
    let wire = serde_json::to_value(&stats).unwrap();
    let object = wire.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), vec!["groupedBySeverity"]);
    let first = &wire["groupedBySeverity"][0];
    let keys: BTreeSet<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["lastGeneratedAt", "percentage", "severity", "totalFindings"].into()
    );
    assert!(
        first["lastGeneratedAt"].is_f64(),
        "timestamp members are epoch seconds"
    );
    assert!(
        first["lastGeneratedAt"].as_f64().unwrap() > 1.7e9
            && first["lastGeneratedAt"].as_f64().unwrap() < 1.9e9
    );
    let by_resource =
        serde_json::to_value(statistics(json!({"groupBy":"RESOURCE"}), &all)).unwrap();
    let keys: BTreeSet<&str> = by_resource["groupedByResource"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "accountId",
            "lastGeneratedAt",
            "resourceId",
            "resourceType",
            "totalFindings"
        ]
        .into()
    );
    let by_date = serde_json::to_value(statistics(json!({"groupBy":"DATE"}), &all)).unwrap();
    let keys: BTreeSet<&str> = by_date["groupedByDate"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["date", "lastGeneratedAt", "severity", "totalFindings"].into()
    );
}

#[test]
fn statistics_refusals() {
    let refuse = |request: Value| {
        let request: FindingsStatisticsRequest = serde_json::from_value(request).unwrap();
        StatisticsQuery::compile(&request).unwrap_err()
    };
    assert_eq!(
        refuse(json!({"groupBy":"ACCOUNT","findingStatisticTypes":["COUNT_BY_SEVERITY"]})),
        CriteriaError::StatisticsBoth
    );
    assert_eq!(refuse(json!({})), CriteriaError::StatisticsNeither);
    assert_eq!(
        refuse(json!({"findingStatisticTypes":[]})),
        CriteriaError::StatisticsNeither
    );
    assert_eq!(
        refuse(json!({"groupBy":"ACCOUNT","maxResults":0})),
        CriteriaError::MaxResults(0)
    );
    assert_eq!(
        refuse(json!({"groupBy":"ACCOUNT","maxResults":101})),
        CriteriaError::MaxResults(101)
    );
    assert!(matches!(
        refuse(json!({"groupBy":"ACCOUNT","findingCriteria":{"criterion":{"bogus":{"eq":["1"]}}}})),
        CriteriaError::UnknownAttribute(_)
    ));
    assert!(
        serde_json::from_value::<FindingsStatisticsRequest>(json!({"groupBy":"REGION"})).is_err()
    );
    // Groups are cut at the default 25.
    let all = tester_findings(3_000, 28);
    let stats = statistics(json!({"groupBy":"RESOURCE"}), &all);
    assert_eq!(stats.grouped_by_resource.unwrap().len(), 25);
}

#[test]
fn statistics_keep_bad_timestamps_out_of_dates_but_count_them() {
    let mut all = tester_findings(100, 29);
    for f in all.iter_mut().take(10) {
        f.updated_at = "garbage".into();
    }
    let by_account = statistics(json!({"groupBy":"ACCOUNT"}), &all);
    assert_eq!(
        by_account
            .grouped_by_account
            .unwrap()
            .iter()
            .map(|g| g.total_findings)
            .sum::<u64>(),
        100
    );
    let by_date = statistics(json!({"groupBy":"DATE","maxResults":100}), &all);
    assert_eq!(
        by_date
            .grouped_by_date
            .unwrap()
            .iter()
            .map(|g| g.total_findings)
            .sum::<u64>(),
        90
    );
}

// ---- FindingTable -------------------------------------------------------------------------

fn random_criteria(
    pool: &[(&'static Attribute, Vec<String>)],
    conditions: &[RandomCriterion],
) -> FindingCriteria {
    let mut criteria = FindingCriteria::default();
    for (attr, op, picks, bound) in conditions {
        let (a, values) = &pool[attr.index(pool.len())];
        let ops: &[usize] = match a.kind {
            ValueKind::String => &[0, 1, 2, 3, 12, 13],
            ValueKind::Boolean => &[0, 1, 2, 3],
            ValueKind::Number | ValueKind::Timestamp => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
            ValueKind::Dynamic => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        };
        let op = ops[op % ops.len()];
        let chosen: Vec<String> = if values.is_empty() {
            vec![
                if a.kind == ValueKind::Boolean {
                    "true"
                } else {
                    "7"
                }
                .into(),
            ]
        } else {
            picks
                .iter()
                .map(|p| values[p.index(values.len())].clone())
                .collect()
        };
        let near = chosen[0]
            .parse::<f64>()
            .map(|x| x as i64 + bound % 3 - 1)
            .unwrap_or(*bound);
        criteria
            .criterion
            .insert(a.name.to_string(), random_condition(op, chosen, near));
    }
    criteria
}

/// The attributes a table row keeps, with the values found for them, so random criteria lean
/// on the row paths.
fn hot_pool() -> Vec<(&'static Attribute, Vec<String>)> {
    let hot = [
        "severity",
        "confidence",
        "service.count",
        "service.archived",
        "updatedAt",
        "createdAt",
        "service.eventFirstSeen",
        "service.eventLastSeen",
        "accountId",
        "region",
        "type",
        "id",
        "resource.resourceType",
        "service.action.actionType",
        "service.resourceRole",
        "service.featureName",
    ];
    value_pool()
        .iter()
        .filter(|(a, _)| hot.contains(&a.name))
        .cloned()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn table_selects_what_a_scan_selects(
        seed in any::<u64>(),
        knockouts in prop::collection::vec(any::<u8>(), 40),
        hot_conditions in prop::collection::vec(criterion_strategy(), 1..3),
        other_conditions in prop::collection::vec(criterion_strategy(), 0..2),
    ) {
        let mut rng = Rng::new(seed);
        let mut table = FindingTable::new();
        let mut all = Vec::new();
        for (i, k) in knockouts.iter().enumerate() {
            let mut f = tester_finding(&mut rng, i);
            let severity = [2.0, 5.0, 8.0, 7.5][i % 4];
            mutate(&mut f, *k, severity);
            if k % 7 == 0 {
                f.service.feature_name = None;
            }
            table.upsert(f.clone());
            all.push(f);
        }
        let mut criteria = random_criteria(&hot_pool(), &hot_conditions);
        criteria.criterion.extend(random_criteria(value_pool(), &other_conditions).criterion);
        let c = CompiledCriteria::compile(&criteria).unwrap();
        let mut from_table: Vec<&str> = table.matching(&c).map(|f| f.id.as_str()).collect();
        let mut from_scan: Vec<&str> = all.iter().filter(|f| c.matches_finding(f)).map(|f| f.id.as_str()).collect();
        from_table.sort();
        from_scan.sort();
        prop_assert_eq!(from_table, from_scan, "{:?}", criteria);
    }
}

#[test]
fn table_pages_follow_the_full_sort() {
    let all = tester_findings(1_000, 40);
    let mut table = FindingTable::new();
    for f in &all {
        table.upsert(f.clone());
    }
    let unarchived = compile(json!({"criterion":{"service.archived":{"eq":["false"]}}}));
    for (attribute, order) in [
        ("updatedAt", OrderBy::Desc),
        ("severity", OrderBy::Desc),
        ("type", OrderBy::Asc),
        ("service.count", OrderBy::Asc),
    ] {
        let sort = sort_by(attribute, Some(order));
        let mut want: Vec<&Finding> = all
            .iter()
            .filter(|f| unarchived.matches_finding(f))
            .collect();
        sort.sort(&mut want);
        let mut got = Vec::new();
        let mut offset = 0;
        loop {
            let page = table.list(&unarchived, &sort, offset, 50);
            assert_eq!(page.total, want.len());
            if page.findings.is_empty() {
                break;
            }
            assert!(page.findings.len() <= 50);
            offset += page.findings.len();
            got.extend(page.findings);
        }
        let ids = |v: &[&Finding]| v.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&got), ids(&want), "{attribute} {order:?}");
    }
    let default = CompiledSort::compile(None).unwrap();
    assert!(
        table
            .list(&unarchived, &default, 5_000, 50)
            .findings
            .is_empty()
    );
    assert!(table.list(&unarchived, &default, 0, 0).findings.is_empty());
}

/// Early pages are chosen with a bounded heap, deep ones (past 2,048) with a selection over
/// every hit: both give the pages of the full sort, also across the boundary.
#[test]
fn table_deep_and_early_pages_agree_with_the_full_sort() {
    let all = tester_findings(3_000, 5);
    let mut table = FindingTable::new();
    for f in &all {
        table.upsert(f.clone());
    }
    let everything = CompiledCriteria::match_all();
    for (attribute, order) in [("severity", OrderBy::Desc), ("updatedAt", OrderBy::Asc)] {
        let sort = sort_by(attribute, Some(order));
        let mut want: Vec<&Finding> = all.iter().collect();
        sort.sort(&mut want);
        for (offset, limit) in [
            (0, 50),
            (1_990, 50),
            (2_000, 48),
            (2_000, 49),
            (2_040, 50),
            (2_990, 50),
            (0, 2_500),
        ] {
            let page = table.list(&everything, &sort, offset, limit);
            assert_eq!(page.total, all.len());
            let got: Vec<&str> = page.findings.iter().map(|f| f.id.as_str()).collect();
            let expected: Vec<&str> = want
                .iter()
                .skip(offset)
                .take(limit)
                .map(|f| f.id.as_str())
                .collect();
            assert_eq!(got, expected, "{attribute} {order:?} {offset}+{limit}");
        }
    }
}

#[test]
fn table_rows_follow_upserts_updates_and_removals() {
    let all = tester_findings(20, 41);
    let mut table = FindingTable::new();
    for f in &all {
        assert!(table.upsert(f.clone()).is_none());
    }
    assert_eq!(table.len(), 20);
    let archived = compile(json!({"criterion":{"service.archived":{"eq":["true"]}}}));
    let before = table.matching(&archived).count();
    // ArchiveFindings on an unarchived finding.
    let target = all.iter().find(|f| !f.service.archived).unwrap().id.clone();
    table
        .update(&target, |f| f.service.archived = true)
        .unwrap();
    assert_eq!(table.matching(&archived).count(), before + 1);
    // A newer occurrence replaces the stored finding and its row.
    let mut newer = table.get(&target).unwrap().clone();
    newer.severity = 9.5;
    assert!(table.upsert(newer).is_some());
    let critical = compile(json!({"criterion":{"severity":{"gte":9}}}));
    assert_eq!(
        table
            .matching(&critical)
            .map(|f| f.id.clone())
            .collect::<Vec<_>>(),
        vec![target.clone()]
    );
    // Removal moves the last finding into the hole; it stays reachable and matchable.
    let last = all.last().unwrap().id.clone();
    assert!(table.remove(&all[0].id).is_some());
    assert!(table.get(&all[0].id).is_none());
    assert_eq!(table.get(&last).map(|f| f.id.as_str()), Some(last.as_str()));
    let by_id = compile(json!({"criterion":{"id":{"eq":[last.clone()]}}}));
    assert_eq!(table.matching(&by_id).count(), 1);
    assert_eq!(table.len(), 19);
    assert!(table.remove(&all[0].id).is_none());
    // Changing the id re-keys the finding.
    table.update(&last, |f| f.id = "renamed".into()).unwrap();
    assert!(table.get(&last).is_none());
    assert_eq!(
        table
            .matching(&compile(json!({"criterion":{"id":{"eq":["renamed"]}}})))
            .count(),
        1
    );
    assert_eq!(table.len(), 19);
}

#[test]
fn table_statistics_equal_a_scan() {
    let all = tester_findings(1_500, 42);
    let mut table = FindingTable::new();
    for f in &all {
        table.upsert(f.clone());
    }
    for request in [
        json!({"groupBy":"ACCOUNT","findingCriteria":{"criterion":{"service.archived":{"eq":["false"]}}}}),
        json!({"groupBy":"SEVERITY","findingCriteria":{"criterion":{"type":{"neq":["Recon:EC2/Portscan"]}}}}),
        json!({"findingStatisticTypes":["COUNT_BY_SEVERITY"],"findingCriteria":{"criterion":{"updatedAt":{"greaterThan":START_MS + 20 * findings::DAY_MS}}}}),
        json!({"groupBy":"FINDING_TYPE","maxResults":100}),
        json!({"groupBy":"FINDING_TYPE","orderBy":"ASC","maxResults":3,"findingCriteria":{"criterion":{"severity":{"gte":4}}}}),
        json!({"groupBy":"ACCOUNT","orderBy":"ASC"}),
    ] {
        let request: FindingsStatisticsRequest = serde_json::from_value(request).unwrap();
        let query = StatisticsQuery::compile(&request).unwrap();
        assert_eq!(table.statistics(&query), query.compute(&all));
    }
}

/// Grouping by a kept string tallies by dictionary number: values only removed or replaced
/// findings had (still in the dictionary) must not appear, and counts follow updates.
#[test]
fn table_string_group_statistics_follow_removals_and_updates() {
    let mut all = tester_findings(600, 9);
    let mut table = FindingTable::new();
    for f in &all {
        table.upsert(f.clone());
    }
    // Remove every finding of one type, move others to a new type and account.
    let gone = all[0].finding_type.clone();
    for f in all.iter().filter(|f| f.finding_type == gone) {
        table.remove(&f.id);
    }
    all.retain(|f| f.finding_type != gone);
    for f in all.iter_mut().step_by(5) {
        f.finding_type = "Recon:EC2/PortProbeUnprotectedPort".into();
        f.account_id = "999988887777".into();
        let changed = f.clone();
        table.update(&f.id, |t| *t = changed);
    }
    for request in [
        json!({"groupBy":"FINDING_TYPE","maxResults":100}),
        json!({"groupBy":"ACCOUNT","maxResults":100}),
        json!({"groupBy":"FINDING_TYPE","orderBy":"ASC","findingCriteria":{"criterion":{"accountId":{"neq":["999988887777"]}}}}),
    ] {
        let request: FindingsStatisticsRequest = serde_json::from_value(request).unwrap();
        let query = StatisticsQuery::compile(&request).unwrap();
        let stats = table.statistics(&query);
        assert_eq!(stats, query.compute(&all));
        if let Some(types) = &stats.grouped_by_finding_type {
            assert!(
                types
                    .iter()
                    .all(|t| t.finding_type != gone && t.total_findings > 0)
            );
        }
    }
}

/// Several bounds in one condition (the table merges them into one range) and string
/// conditions (resolved per dictionary value) select what a scan selects.
#[test]
fn table_merged_bounds_and_string_sets_select_what_a_scan_selects() {
    let all = tester_findings(1_000, 11);
    let mut table = FindingTable::new();
    for f in &all {
        table.upsert(f.clone());
    }
    let t = START_MS + 10 * findings::DAY_MS;
    let types: Vec<&str> = all
        .iter()
        .take(3)
        .map(|f| f.finding_type.as_str())
        .collect();
    for criteria in [
        json!({"criterion":{"severity":{"gte":2,"gt":2,"lt":8,"lte":7}}}),
        json!({"criterion":{"severity":{"gt":5,"gte":5}}}),
        json!({"criterion":{"severity":{"gte":5,"gt":4,"lessThan":9}}}),
        json!({"criterion":{"updatedAt":{"greaterThan":t,"greaterThanOrEqual":t,"lessThan":t + 30 * findings::DAY_MS}}}),
        json!({"criterion":{"updatedAt":{"lessThanOrEqual":t,"lt":t}}}),
        json!({"criterion":{"service.count":{"gte":3,"lte":3}}}),
        json!({"criterion":{"type":{"neq":types},"accountId":{"eq":[all[0].account_id.clone(), "000000000000"]}}}),
        json!({"criterion":{"type":{"eq":types,"neq":[types[0]]}}}),
        json!({"criterion":{"service.featureName":{"neq":["CloudTrail"]}}}),
        json!({"criterion":{"severity":{"eq":["5"],"gte":5}}}),
    ] {
        let c = compile(criteria.clone());
        let mut from_table: Vec<&str> = table.matching(&c).map(|f| f.id.as_str()).collect();
        let mut from_scan: Vec<&str> = all
            .iter()
            .filter(|f| c.matches_finding(f))
            .map(|f| f.id.as_str())
            .collect();
        from_table.sort();
        from_scan.sort();
        assert_eq!(from_table, from_scan, "{criteria}");
    }
}

#[test]
fn table_dictionaries_stay_bounded_under_200k_distinct_values() {
    // 200,000 accounts come and go (about 190 rebuilds) while five findings are live.
    let template = ssh_brute_force();
    let mut table = FindingTable::new();
    let mut live = std::collections::VecDeque::new();
    let mut peak = 0;
    for n in 0..200_000u32 {
        let mut f = template.clone();
        f.id = format!("{n:032x}");
        f.account_id = format!("{n:012}");
        table.upsert(f);
        live.push_back(n);
        if live.len() > 5
            && let Some(old) = live.pop_front()
        {
            table.remove(&format!("{old:032x}"));
        }
        peak = peak.max(table.dictionary_len());
    }
    // The accountId dictionary holds at most 2 × 6 findings (6 between an upsert and its
    // removal) + the slack; the other six hold one value each.
    assert!(peak <= 2 * 6 + DICTIONARY_SLACK + 6, "{peak}");
    assert!(peak > DICTIONARY_SLACK, "the rebuild never ran: {peak}");
    assert_eq!(table.len(), 5);
    // The live findings still match on the rebuilt dictionaries; the removed ones are gone.
    let newest = compile(json!({"criterion":{"accountId":{"eq":["000000199999"]}}}));
    assert_eq!(table.matching(&newest).count(), 1);
    let removed = compile(json!({"criterion":{"accountId":{"eq":["000000000001"]}}}));
    assert_eq!(table.matching(&removed).count(), 0);
    let page = table.list(
        &compile(json!({})),
        &sort_by("accountId", Some(OrderBy::Desc)),
        0,
        10,
    );
    let accounts: Vec<&str> = page
        .findings
        .iter()
        .map(|f| f.account_id.as_str())
        .collect();
    assert_eq!(
        accounts,
        vec![
            "000000199999",
            "000000199998",
            "000000199997",
            "000000199996",
            "000000199995"
        ]
    );
}

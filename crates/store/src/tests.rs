use super::*;
use warden_model::finding::{Action, Resource, Service};

fn finding(id: &str, severity: f64, last_seen: &str) -> Finding {
    Finding {
        account_id: "111122223333".into(),
        arn: format!("arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/{id}"),
        confidence: None,
        created_at: "2026-01-01T00:00:00.000Z".into(),
        description: "d".into(),
        id: id.into(),
        partition: "aws".into(),
        region: "us-east-1".into(),
        resource: Resource {
            resource_type: "AccessKey".into(),
            ..Default::default()
        },
        schema_version: "2.0".into(),
        service: Service {
            action: Action {
                action_type: "AWS_API_CALL".into(),
                aws_api_call_action: None,
                dns_request_action: None,
                network_connection_action: None,
                port_probe_action: None,
                ..Default::default()
            },
            evidence: None,
            archived: false,
            count: 1,
            detector_id: "d".into(),
            event_first_seen: last_seen.into(),
            event_last_seen: last_seen.into(),
            resource_role: "TARGET".into(),
            service_name: "guardduty".into(),
            user_feedback: None,
            additional_info: None,
            feature_name: None,
            ..Default::default()
        },
        severity,
        title: "t".into(),
        finding_type: "Policy:IAMUser/RootCredentialUsage".into(),
        updated_at: "2026-01-01T00:00:00.000Z".into(),
        associated_attack_sequence_arn: None,
        custom_detection_rule_name: None,
    }
}

fn exercise(store: &mut dyn FindingStore) {
    let a = finding("a", 2.0, "2026-01-01T00:00:00.000Z");
    let b = finding("b", 8.0, "2026-01-01T00:00:00.000Z");
    let mut c = finding("c", 8.0, "2026-01-02T00:00:00.000Z");
    store
        .commit(Commit {
            findings: vec![&a, &b, &c],
            events: vec![("a", "e1", 1), ("a", "e2", 2)],
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<String> = store
        .list(&Query::default())
        .unwrap()
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(ids, ["c", "b", "a"], "severity desc, then last seen desc");
    assert!(store.has_event("a", "e1").unwrap());
    assert!(!store.has_event("b", "e1").unwrap());
    assert_eq!(store.get("zzz").unwrap(), None);

    // Updates replace the body; archived findings are hidden unless asked for.
    c.service.count = 5;
    c.service.archived = true;
    store
        .commit(Commit {
            findings: vec![&c],
            events: vec![],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(store.get("c").unwrap().unwrap().service.count, 5);
    assert_eq!(store.list(&Query::default()).unwrap().len(), 2);
    let all = store
        .list(&Query {
            include_archived: true,
            min_severity: Some(7.0),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 2);

    // The per-finding event memory is bounded and evicts the oldest by event time.
    let many: Vec<(String, i64)> = (0..MAX_EVENT_IDS_PER_FINDING + 500)
        .map(|i| (format!("ev{i}"), i as i64 + 10))
        .collect();
    for chunk in many.chunks(2000) {
        let events = chunk.iter().map(|(e, t)| ("b", e.as_str(), *t)).collect();
        store
            .commit(Commit {
                findings: vec![],
                events,
                ..Default::default()
            })
            .unwrap();
    }
    assert_eq!(store.event_count("b").unwrap(), MAX_EVENT_IDS_PER_FINDING);
    assert!(!store.has_event("b", "ev0").unwrap(), "oldest evicted");
    assert!(
        store
            .has_event("b", &format!("ev{}", MAX_EVENT_IDS_PER_FINDING + 499))
            .unwrap()
    );
}

#[test]
fn memory_store() {
    exercise(&mut MemoryStore::new());
}

#[test]
fn sqlite_store_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = SqliteStore::open(dir.path()).unwrap();
        exercise(&mut s);
    }
    let s = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(
        s.get("c").unwrap().unwrap().service.count,
        5,
        "persisted across reopen"
    );
}

#[test]
fn sqlite_two_handles_see_each_others_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = SqliteStore::open(dir.path()).unwrap();
    let reader = SqliteStore::open(dir.path()).unwrap();
    let a = finding("a", 2.0, "2026-01-01T00:00:00.000Z");
    writer
        .commit(Commit {
            findings: vec![&a],
            events: vec![],
            ..Default::default()
        })
        .unwrap();
    assert!(reader.get("a").unwrap().is_some());
}

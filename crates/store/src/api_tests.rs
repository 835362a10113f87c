//! Tests of what `warden serve` needs from the store: API objects, the change sequence, the
//! finding policy (suppression, disabled detectors), triage preservation, usage and keys.

use super::*;
use serde_json::json;

fn finding(id: &str, account: &str, ty: &str, severity: f64) -> Finding {
    serde_json::from_value(json!({
        "accountId": account, "arn": format!("arn:aws:guardduty:us-east-1:{account}:detector/d/finding/{id}"),
        "createdAt": "2026-01-01T00:00:00.000Z", "description": "d", "id": id, "partition": "aws",
        "region": "us-east-1", "resource": {"resourceType": "AccessKey"}, "schemaVersion": "2.0",
        "service": {"action": {"actionType": "AWS_API_CALL"}, "archived": false, "count": 1,
            "detectorId": "d", "eventFirstSeen": "2026-01-01T00:00:00.000Z",
            "eventLastSeen": "2026-01-01T00:00:00.000Z", "resourceRole": "TARGET", "serviceName": "guardduty"},
        "severity": severity, "title": "t", "type": ty, "updatedAt": "2026-01-01T00:00:00.000Z"
    }))
    .unwrap()
}

fn obj(kind: &str, account: &str, id: &str, body: serde_json::Value) -> StoredObject {
    StoredObject {
        kind: kind.into(),
        account_id: account.into(),
        region: "us-east-1".into(),
        id: id.into(),
        body,
    }
}

fn commit(s: &mut SqliteStore, fs: &[Finding], preserve_triage: bool) {
    s.commit(Commit {
        findings: fs.iter().collect(),
        events: Vec::new(),
        preserve_triage,
    })
    .unwrap();
}

const A: &str = "111122223333";
const B: &str = "444455556666";

#[test]
fn objects_round_trip_and_list_by_owner() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(dir.path()).unwrap();
    s.put_object(&obj("filter", A, "d/x", json!({"name": "x"})))
        .unwrap();
    s.put_object(&obj("filter", B, "d/y", json!({"name": "y"})))
        .unwrap();
    assert_eq!(
        s.get_object("filter", A, "us-east-1", "d/x")
            .unwrap()
            .unwrap()
            .body["name"],
        "x"
    );
    assert!(
        s.get_object("filter", A, "eu-west-1", "d/x")
            .unwrap()
            .is_none()
    );
    assert_eq!(s.list_objects("filter", Some(A), None).unwrap().len(), 1);
    assert_eq!(s.list_objects("filter", None, None).unwrap().len(), 2);
    assert!(s.delete_object("filter", A, "us-east-1", "d/x").unwrap());
    assert!(!s.delete_object("filter", A, "us-east-1", "d/x").unwrap());
    // Reopening an existing directory keeps everything (schema migration is idempotent).
    drop(s);
    let s = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(s.list_objects("filter", None, None).unwrap().len(), 1);
}

#[test]
fn a_reader_sees_only_what_changed_since_its_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = SqliteStore::open(dir.path()).unwrap();
    let r = SqliteStore::open(dir.path()).unwrap();
    let (seq0, all) = r.changed_since(0).unwrap();
    assert!(all.is_empty());
    commit(
        &mut w,
        &[finding("f1", A, "Recon:IAMUser/TorIPCaller", 5.0)],
        false,
    );
    let (seq1, changed) = r.changed_since(seq0).unwrap();
    assert_eq!(changed.len(), 1);
    commit(
        &mut w,
        &[finding("f2", A, "Recon:IAMUser/TorIPCaller", 5.0)],
        false,
    );
    let (_, changed) = r.changed_since(seq1).unwrap();
    assert_eq!(
        changed.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        ["f2"]
    );
}

#[test]
fn archive_filters_suppress_new_findings_only_and_apply_to_members() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(dir.path()).unwrap();
    let existing = finding("old", A, "Recon:IAMUser/TorIPCaller", 5.0);
    commit(&mut s, std::slice::from_ref(&existing), false);
    s.put_object(&obj(
        "filter",
        A,
        "d/tor",
        json!({"name": "tor", "action": "ARCHIVE", "rank": 1,
               "findingCriteria": {"criterion": {"type": {"eq": ["Recon:IAMUser/TorIPCaller"]}}}}),
    ))
    .unwrap();
    // A NOOP filter is a saved search, not a suppression rule.
    s.put_object(&obj(
        "filter",
        A,
        "d/all",
        json!({"name": "all", "action": "NOOP", "rank": 2,
               "findingCriteria": {"criterion": {"severity": {"gte": 0}}}}),
    ))
    .unwrap();
    let mut updated = existing.clone();
    updated.service.count = 2;
    commit(
        &mut s,
        &[
            updated,
            finding("new", A, "Recon:IAMUser/TorIPCaller", 5.0),
            finding("other", A, "Policy:IAMUser/RootCredentialUsage", 2.0),
            finding("member-before", B, "Recon:IAMUser/TorIPCaller", 5.0),
        ],
        true,
    );
    let get = |s: &SqliteStore, id: &str| s.get(id).unwrap().unwrap().service.archived;
    assert!(
        !get(&s, "old"),
        "an update of an existing finding is never suppressed"
    );
    assert!(get(&s, "new"));
    assert!(!get(&s, "other"));
    assert!(!get(&s, "member-before"), "B is not yet A's member");
    s.put_object(&obj(
        "member",
        A,
        B,
        json!({"relationshipStatus": "Enabled"}),
    ))
    .unwrap();
    commit(
        &mut s,
        &[finding("member-after", B, "Recon:IAMUser/TorIPCaller", 5.0)],
        true,
    );
    assert!(
        get(&s, "member-after"),
        "the administrator's rules apply to its members"
    );
}

#[test]
fn disabled_detectors_and_features_store_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(dir.path()).unwrap();
    s.put_object(&obj(
        "detector",
        A,
        "d",
        json!({"status": "ENABLED", "features": [{"name": "S3_DATA_EVENTS", "status": "DISABLED"}]}),
    ))
    .unwrap();
    s.put_object(&obj(
        "detector",
        B,
        "d",
        json!({"status": "DISABLED", "features": []}),
    ))
    .unwrap();
    commit(
        &mut s,
        &[
            finding("s3", A, "Exfiltration:S3/MaliciousIPCaller", 8.0),
            finding("iam", A, "Recon:IAMUser/TorIPCaller", 5.0),
            finding("b", B, "Recon:IAMUser/TorIPCaller", 5.0),
            finding(
                "no-detector",
                "999999999999",
                "Recon:IAMUser/TorIPCaller",
                5.0,
            ),
        ],
        true,
    );
    assert!(
        s.get("s3").unwrap().is_none(),
        "S3 data events are disabled for A"
    );
    assert!(s.get("iam").unwrap().is_some());
    assert!(s.get("b").unwrap().is_none(), "B's detector is disabled");
    assert!(
        s.get("no-detector").unwrap().is_some(),
        "no detector: plain scan use keeps all"
    );
}

#[test]
fn detection_updates_keep_an_analysts_archive_and_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(dir.path()).unwrap();
    let f = finding("f", A, "Recon:IAMUser/TorIPCaller", 5.0);
    commit(&mut s, std::slice::from_ref(&f), true);
    let mut triaged = f.clone();
    triaged.service.archived = true;
    triaged.service.user_feedback = Some("USEFUL".into());
    commit(&mut s, &[triaged], false);
    // A scan that read the finding before the analyst acted writes it back with count 2.
    let mut stale = f.clone();
    stale.service.count = 2;
    commit(&mut s, &[stale], true);
    let got = s.get("f").unwrap().unwrap();
    assert_eq!(got.service.count, 2);
    assert!(got.service.archived);
    assert_eq!(got.service.user_feedback.as_deref(), Some("USEFUL"));
    // The API itself (preserve_triage = false) can unarchive.
    let mut un = got.clone();
    un.service.archived = false;
    commit(&mut s, &[un], false);
    assert!(!s.get("f").unwrap().unwrap().service.archived);
}

#[test]
fn usage_sums_per_key_and_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(dir.path()).unwrap();
    let row = |day: &str, events| UsageRow {
        account_id: A.into(),
        region: "us-east-1".into(),
        data_source: "FLOW_LOGS".into(),
        resource: "eni-1".into(),
        day: day.into(),
        events,
        bytes: events * 100,
    };
    s.record_usage(&[row("2026-11-20", 5), row("2026-11-21", 7)])
        .unwrap();
    s.record_usage(&[row("2026-11-21", 3)]).unwrap();
    let rows = s
        .usage(&[A.to_string()], "us-east-1", "2026-11-21", "2026-11-22")
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].events, rows[0].bytes), (10, 1000));
    assert!(
        s.usage(&[B.to_string()], "us-east-1", "2026-01-01", "2027-01-01")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn access_keys_are_stored_and_never_debug_printed() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = SqliteStore::open(dir.path()).unwrap();
    let k = AccessKeyRecord {
        access_key_id: "AKIAEXAMPLE000000001".into(),
        secret_access_key: "very-secret-value-123".into(),
        account_id: A.into(),
        created_at: "2026-11-22T00:00:00.000Z".into(),
        role: "administrator".into(),
    };
    s.put_access_key(&k).unwrap();
    let got = s.access_key("AKIAEXAMPLE000000001").unwrap().unwrap();
    assert_eq!(got.secret_access_key, "very-secret-value-123");
    assert_eq!(got.role, "administrator");
    assert!(!format!("{got:?}").contains("very-secret"));
    assert!(s.access_key("AKIAOTHER").unwrap().is_none());
}

/// A version-2 data directory (keys without a role) opens as version 3 with every existing key
/// a member: an upgrade never grants the administrator role.
#[test]
fn version_2_keys_migrate_to_the_member_role() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = rusqlite::Connection::open(dir.path().join("warden.db")).unwrap();
        conn.execute_batch(crate::sqlite::SCHEMA).unwrap();
        conn.execute_batch(crate::sqlite::SCHEMA_V2).unwrap();
        conn.execute(
            "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, created_at)
             VALUES ('AKIAOLDKEY0000000001', 'old-secret', ?1, '2026-11-01T00:00:00.000Z')",
            [A],
        )
        .unwrap();
    }
    let s = SqliteStore::open(dir.path()).unwrap();
    let k = s.access_key("AKIAOLDKEY0000000001").unwrap().unwrap();
    assert_eq!((k.account_id.as_str(), k.role.as_str()), (A, "member"));
    drop(s);
    // Opening again is a no-op (the migration ran once).
    let s = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(
        s.access_key("AKIAOLDKEY0000000001").unwrap().unwrap().role,
        "member"
    );
}

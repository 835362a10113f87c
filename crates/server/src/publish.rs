//! The exporter behind publishing destinations (see `ops/publishing.rs` for the contract).

use crate::ops::publishing::parse_bucket_arn;
use crate::service::kind;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use std::io::Write;
use warden_model::time::format_timestamp;
use warden_store::{SqliteStore, StoreError};

/// Uploads one object: (bucket, key, body, headers).
pub type Uploader<'a> = dyn Fn(&str, &str, &[u8], &[(&str, &str)]) -> Result<(), String> + 'a;

/// What one export pass did, per destination.
#[derive(Debug, Default)]
pub struct ExportReport {
    /// (destination id, findings written, object key).
    pub written: Vec<(String, usize, String)>,
    /// (destination id, error).
    pub failed: Vec<(String, String)>,
}

/// Export what changed since each destination's last export. `put` uploads one object
/// (bucket, key, body, headers); it is a parameter so tests can capture uploads.
pub fn export_once(
    store: &mut SqliteStore,
    now_ms: i64,
    put: &Uploader<'_>,
) -> Result<ExportReport, StoreError> {
    let mut report = ExportReport::default();
    for mut dest in store.list_objects(kind::PUBLISHING, None, None)? {
        let from = dest.body["exportedSeq"].as_i64().unwrap_or(0);
        let (to, changed) = store.changed_since(from)?;
        let mut accounts = vec![dest.account_id.clone()];
        for m in store.list_objects(kind::MEMBER, Some(&dest.account_id), Some(&dest.region))? {
            if m.body["relationshipStatus"] == "Enabled" {
                accounts.push(m.id.clone());
            }
        }
        let findings: Vec<_> = changed
            .iter()
            .filter(|f| f.region == dest.region && accounts.contains(&f.account_id))
            .collect();
        let id = dest.body["destinationId"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if findings.is_empty() {
            if dest.body["exportedSeq"] != json!(to) {
                dest.body["exportedSeq"] = json!(to);
                store.put_object(&dest)?;
            }
            continue;
        }
        let props = &dest.body["destinationProperties"];
        let Some((bucket, prefix)) =
            parse_bucket_arn(props["destinationArn"].as_str().unwrap_or(""))
        else {
            continue;
        };
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        for f in &findings {
            let line = serde_json::to_string(f).expect("findings serialize");
            let _ = gz.write_all(line.as_bytes());
            let _ = gz.write_all(b"\n");
        }
        let body = gz.finish().unwrap_or_default();
        let day = format_timestamp(now_ms);
        let key = format!(
            "{}AWSLogs/{}/GuardDuty/{}/{}/{}/{}/warden-{to:020}.jsonl.gz",
            if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
            dest.account_id,
            dest.region,
            &day[0..4],
            &day[5..7],
            &day[8..10],
        );
        let kms = props["kmsKeyArn"].as_str().unwrap_or("").to_string();
        let headers = [
            ("content-type", "application/x-ndjson"),
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", kms.as_str()),
        ];
        match put(&bucket, &key, &body, &headers) {
            Ok(()) => {
                dest.body["exportedSeq"] = json!(to);
                dest.body["status"] = json!("PUBLISHING");
                dest.body["publishingFailureStartTimestamp"] = json!(0);
                report.written.push((id, findings.len(), key));
            }
            Err(e) => {
                dest.body["status"] = json!("UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY");
                if dest.body["publishingFailureStartTimestamp"]
                    .as_i64()
                    .is_none_or(|t| t == 0)
                {
                    dest.body["publishingFailureStartTimestamp"] = json!(now_ms);
                }
                dest.body["lastError"] = Value::String(e.clone());
                report.failed.push((id, e));
            }
        }
        store.put_object(&dest)?;
    }
    Ok(report)
}

/// Uploads with `settings`, or the process environment's S3 settings read at each upload
/// when `None` (so rotated environment credentials are picked up).
pub fn s3_uploader(settings: Option<warden_intel::load::S3Settings>) -> Box<Uploader<'static>> {
    Box::new(move |bucket, key, body, headers| match &settings {
        Some(s) => warden_intel::load::put_s3_with(s, bucket, key, body, headers),
        None => warden_intel::load::put_s3(bucket, key, body, headers),
    })
}

/// Run `export_once` every `interval` on its own store connection until the process ends,
/// uploading with `s3` (see `s3_uploader`).
pub fn spawn_exporter(
    data_dir: std::path::PathBuf,
    interval: std::time::Duration,
    s3: Option<warden_intel::load::S3Settings>,
) {
    std::thread::Builder::new()
        .name("warden-publish".into())
        .spawn(move || {
            let mut store = match SqliteStore::open(&data_dir) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "publishing disabled: cannot open the store");
                    return;
                }
            };
            let put = s3_uploader(s3);
            loop {
                std::thread::sleep(interval);
                let now = warden_model::time::now_millis();
                match export_once(&mut store, now, &*put) {
                    Ok(r) => {
                        for (id, n, key) in &r.written {
                            tracing::info!(destination = %id, findings = n, key = %key, "exported");
                        }
                        for (id, e) in &r.failed {
                            tracing::warn!(destination = %id, error = %e, "export failed; will retry");
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "export pass failed"),
                }
            }
        })
        .expect("spawning the exporter thread");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use warden_store::{Commit, FindingStore, StoredObject};

    fn finding(id: &str, account: &str) -> warden_model::Finding {
        serde_json::from_value(json!({
            "accountId": account, "arn": "arn", "createdAt": "2026-01-01T00:00:00.000Z",
            "description": "d", "id": id, "partition": "aws", "region": "us-east-1",
            "resource": {"resourceType": "AccessKey"}, "schemaVersion": "2.0",
            "service": {"action": {"actionType": "AWS_API_CALL"}, "archived": false, "count": 1,
                "detectorId": "d", "eventFirstSeen": "2026-01-01T00:00:00.000Z",
                "eventLastSeen": "2026-01-01T00:00:00.000Z", "resourceRole": "TARGET",
                "serviceName": "guardduty"},
            "severity": 5.0, "title": "t", "type": "Recon:IAMUser/TorIPCaller",
            "updatedAt": "2026-01-01T00:00:00.000Z"
        }))
        .unwrap()
    }

    #[test]
    fn exports_new_findings_once_retries_failures_and_skips_other_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        store
            .put_object(&StoredObject {
                kind: kind::PUBLISHING.into(),
                account_id: "111122223333".into(),
                region: "us-east-1".into(),
                id: "d/dest1".into(),
                body: json!({"destinationId": "dest1", "destinationType": "S3",
                    "destinationProperties": {"destinationArn": "arn:aws:s3:::bucket-1/gd",
                        "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/k"},
                    "status": "PENDING_VERIFICATION", "exportedSeq": 0}),
            })
            .unwrap();
        let (a, b) = (finding("a", "111122223333"), finding("b", "999999999999"));
        store
            .commit(Commit {
                findings: vec![&a, &b],
                ..Default::default()
            })
            .unwrap();
        let fail = |_: &str, _: &str, _: &[u8], _: &[(&str, &str)]| Err("HTTP 403".to_string());
        let r = export_once(&mut store, 1_795_000_000_000, &fail).unwrap();
        assert_eq!(r.failed.len(), 1);
        let d = store
            .get_object(kind::PUBLISHING, "111122223333", "us-east-1", "d/dest1")
            .unwrap()
            .unwrap();
        assert_eq!(
            d.body["status"],
            "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
        );
        assert_eq!(
            d.body["publishingFailureStartTimestamp"],
            1_795_000_000_000i64
        );

        let uploads: RefCell<Vec<(String, String, Vec<u8>)>> = RefCell::new(Vec::new());
        let ok = |bucket: &str, key: &str, body: &[u8], h: &[(&str, &str)]| {
            assert!(
                h.iter()
                    .any(|(k, v)| *k == "x-amz-server-side-encryption" && *v == "aws:kms")
            );
            uploads
                .borrow_mut()
                .push((bucket.to_string(), key.to_string(), body.to_vec()));
            Ok(())
        };
        let r = export_once(&mut store, 1_795_000_000_000, &ok).unwrap();
        assert_eq!(r.written.len(), 1);
        {
            let up = uploads.borrow();
            let (bucket, key, body) = &up[0];
            assert_eq!(bucket, "bucket-1");
            assert!(
                key.starts_with("gd/AWSLogs/111122223333/GuardDuty/us-east-1/2026/"),
                "{key}"
            );
            let mut text = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut text)
                .unwrap();
            let ids: Vec<String> = text
                .lines()
                .map(|l| {
                    serde_json::from_str::<Value>(l).unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect();
            assert_eq!(ids, ["a"], "only the destination's account is exported");
        }
        // Nothing changed: nothing is written again.
        let r = export_once(&mut store, 1_795_000_000_000, &ok).unwrap();
        assert!(r.written.is_empty());
        assert_eq!(uploads.borrow().len(), 1);
        let d = store
            .get_object(kind::PUBLISHING, "111122223333", "us-east-1", "d/dest1")
            .unwrap()
            .unwrap();
        assert_eq!(d.body["status"], "PUBLISHING");
    }
}

//! Every detection against its fixtures: realistic CloudTrail records, each case with the
//! findings it must raise (type, severity, rule) and the ones it must not (near misses).
//! Fixtures live in `tests/fixtures/detections/*.json`.

use std::collections::BTreeSet;
use std::path::Path;
use warden_engine::{Pipeline, ScanConfig};
use warden_model::Finding;
use warden_store::{FindingStore, MemoryStore, Query};

#[derive(serde::Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    records: Vec<serde_json::Value>,
    #[serde(default)]
    expect: Vec<Expect>,
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Expect {
    #[serde(rename = "type")]
    finding_type: String,
    severity: Option<f64>,
    rule: Option<String>,
}

/// Run records through the whole pipeline (decoder included) and return the findings.
pub fn findings_for(records: &[serde_json::Value]) -> Vec<Finding> {
    let mut store = MemoryStore::new();
    let doc = serde_json::json!({ "Records": records }).to_string();
    let mut p = Pipeline::new(ScanConfig::default(), &mut store);
    p.scan_reader("fixture", &mut doc.as_bytes()).unwrap();
    let (stats, _) = p.finish().unwrap();
    assert_eq!(
        stats.rejected, 0,
        "fixture records must decode: {:?}",
        stats.errors
    );
    store
        .list(&Query {
            include_archived: true,
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn every_detection_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/detections");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let (mut positives, mut negatives) = (BTreeSet::new(), BTreeSet::new());
    for path in &files {
        let file: File = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for case in &file.cases {
            let found = findings_for(&case.records);
            let label = format!(
                "{} / {}",
                path.file_name().unwrap().to_string_lossy(),
                case.name
            );
            for exp in &case.expect {
                let key = format!(
                    "{}{}",
                    exp.finding_type,
                    exp.rule
                        .as_deref()
                        .map(|r| format!("#{r}"))
                        .unwrap_or_default()
                );
                positives.insert(key);
                let hit = found.iter().find(|f| {
                    f.finding_type == exp.finding_type
                        && exp.severity.is_none_or(|s| f.severity == s)
                        && (exp.rule.is_none() || f.custom_detection_rule_name == exp.rule)
                });
                if hit.is_none() {
                    let got: Vec<String> = found
                        .iter()
                        .map(|f| {
                            format!(
                                "{} sev {} rule {:?}",
                                f.finding_type, f.severity, f.custom_detection_rule_name
                            )
                        })
                        .collect();
                    failures.push(format!(
                        "{label}: expected {} sev {:?} rule {:?}; got {got:?}",
                        exp.finding_type, exp.severity, exp.rule
                    ));
                }
            }
            for ty in &case.absent {
                negatives.insert(ty.clone());
                if let Some(f) = found.iter().find(|f| {
                    &f.finding_type == ty
                        && case.expect.iter().all(|e| {
                            &e.finding_type != ty || e.rule != f.custom_detection_rule_name
                        })
                }) {
                    failures.push(format!("{label}: must not raise {ty} but did: {}", f.title));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        files.len() >= 40,
        "expected the full fixture set, found {} files",
        files.len()
    );
    eprintln!(
        "{} positive keys, {} negative types",
        positives.len(),
        negatives.len()
    );

    // Every detection has a positive case and a near-miss negative.
    let mut wanted: Vec<(String, String)> = warden_engine::detect::cloudtrail::RULES
        .iter()
        .map(|r| {
            let key = if r.custom {
                format!("{}#{}", r.finding_type, r.name)
            } else {
                r.finding_type.to_string()
            };
            (key, r.finding_type.to_string())
        })
        .collect();
    for t in [
        "Policy:IAMUser/RootCredentialUsage",
        "Policy:IAMUser/ShortTermRootCredentialUsage",
        "PenTest:IAMUser/KaliLinux",
        "PenTest:IAMUser/ParrotLinux",
        "PenTest:IAMUser/PentooLinux",
    ] {
        wanted.push((t.to_string(), t.to_string()));
    }
    for (key, ty) in &wanted {
        assert!(positives.contains(key), "no positive fixture for {key}");
        assert!(negatives.contains(ty), "no negative fixture for {ty}");
    }
}

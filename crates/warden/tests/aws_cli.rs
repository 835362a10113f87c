//! `warden serve` driven by the real clients a GuardDuty user has: the AWS CLI (v1, from PyPI)
//! and boto3 (`boto3_api.py`). Each test starts its own server on a free loopback port over a
//! temporary data directory, creates access keys with `warden keys create`, fills the directory
//! with `warden scan --data-dir` and then talks to the server only through the client.
//!
//! The clients come from `.ci/run`'s virtualenv (`target/ci-venv`) or `WARDEN_AWS_CLI` /
//! `WARDEN_PYTHON`. In CI (`CI` set) they must be there; elsewhere a test says it is skipping.

use serde_json::{Value, json};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn warden() -> Command {
    Command::new(env!("CARGO_BIN_EXE_warden"))
}

/// A tool of the CI virtualenv: `$ENV` or `target/ci-venv/bin/NAME`.
fn venv_tool(var: &str, name: &str) -> Option<PathBuf> {
    let candidates = [
        std::env::var(var).ok().map(PathBuf::from),
        Some(repo().join("target/ci-venv/bin").join(name)),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must provide {name} (see .ci/run)"
        );
        eprintln!("skipping: no {name} (run .ci/run once, or set {var})");
    }
    found
}

const ACCOUNT_A: &str = "111122223333";
const ACCOUNT_B: &str = "444455556666";
/// The region of the example CloudTrail logs' account (one example event is in us-east-1 and so
/// belongs to that region's detector, which the tests use to show regions are separate).
const REGION: &str = "eu-west-1";

struct Key {
    id: String,
    secret: String,
    /// `AWS_SESSION_TOKEN`: Warden's keys are long-term, so a token is never valid.
    token: Option<String>,
}

/// A running `warden serve` and the client that talks to it.
struct Warden {
    child: Child,
    dir: tempfile::TempDir,
    endpoint: String,
    aws: PathBuf,
    /// CLI invocations made, for the report.
    calls: Cell<u32>,
}

impl Drop for Warden {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.calls.get() > 0 {
            eprintln!("aws cli calls: {}", self.calls.get());
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Warden {
    /// Start a server, or `None` (after saying so) when the AWS CLI is missing outside CI.
    fn start() -> Option<Warden> {
        let aws = venv_tool("WARDEN_AWS_CLI", "aws")?;
        Some(Self::start_with(aws))
    }

    fn start_with(aws: PathBuf) -> Warden {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let port = free_port();
        let child = warden()
            .args(["serve", "--data-dir"])
            .arg(&data)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("WARDEN_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut w = Warden {
            child,
            dir,
            endpoint: format!("http://127.0.0.1:{port}"),
            aws,
            calls: Cell::new(0),
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = w.child.try_wait().unwrap() {
                panic!("warden serve exited: {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "warden serve did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        w
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `warden keys create`: the key a GuardDuty user of ACCOUNT gets.
    fn key(&self, account: &str) -> Key {
        self.key_with_role(account, "member")
    }

    fn key_with_role(&self, account: &str, role: &str) -> Key {
        let out = warden()
            .args([
                "keys",
                "create",
                "--account",
                account,
                "--role",
                role,
                "--data-dir",
            ])
            .arg(self.data())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["AccountId"], account);
        assert_eq!(v["Role"], role);
        Key {
            id: v["AccessKeyId"].as_str().unwrap().into(),
            secret: v["SecretAccessKey"].as_str().unwrap().into(),
            token: None,
        }
    }

    /// `warden scan --data-dir` (JSON output, parsed) over ARGS.
    fn scan(&self, args: &[&str]) -> Vec<Value> {
        let out = warden()
            .args(["scan", "-q", "--format", "json", "--data-dir"])
            .arg(self.data())
            .args(args)
            .current_dir(repo())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `aws guardduty ARGS` with KEY: the parsed JSON answer, or the CLI's standard error.
    fn aws(&self, key: &Key, args: &[&str]) -> Result<Value, String> {
        self.calls.set(self.calls.get() + 1);
        let missing = self.dir.path().join("no-such-aws-config");
        let out = Command::new(&self.aws)
            .arg("guardduty")
            .args(args)
            .args(["--endpoint-url", &self.endpoint, "--output", "json"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("AWS_ACCESS_KEY_ID", &key.id)
            .env("AWS_SECRET_ACCESS_KEY", &key.secret)
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_CONFIG_FILE", &missing)
            .env("AWS_SHARED_CREDENTIALS_FILE", &missing)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_MAX_ATTEMPTS", "1")
            .envs(key.token.iter().map(|t| ("AWS_SESSION_TOKEN", t)))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.success() {
            if stdout.trim().is_empty() {
                // Operations with an empty answer (ArchiveFindings, DeleteFilter...) print nothing.
                return Ok(json!({}));
            }
            Ok(serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}")))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn ok(&self, key: &Key, args: &[&str]) -> Value {
        self.aws(key, args)
            .unwrap_or_else(|e| panic!("aws guardduty {args:?} failed: {e}"))
    }

    fn err(&self, key: &Key, args: &[&str]) -> String {
        match self.aws(key, args) {
            Ok(v) => panic!("aws guardduty {args:?} should fail, answered {v}"),
            Err(e) => e,
        }
    }

    fn create_detector(&self, key: &Key) -> String {
        let v = self.ok(key, &["create-detector", "--enable"]);
        v["DetectorId"].as_str().unwrap().to_string()
    }

    /// ListFindings (the CLI follows every page) → ids.
    fn list(&self, key: &Key, det: &str, criteria: Value) -> BTreeSet<String> {
        let c = criteria.to_string();
        ids(&self.ok(
            key,
            &[
                "list-findings",
                "--detector-id",
                det,
                "--finding-criteria",
                &c,
            ],
        ))
    }

    /// GetFindings → the findings (in the order of the ids given).
    fn get(&self, key: &Key, det: &str, ids: &[&str]) -> Vec<Value> {
        let mut args = vec!["get-findings", "--detector-id", det, "--finding-ids"];
        args.extend_from_slice(ids);
        self.ok(key, &args)["Findings"].as_array().unwrap().to_vec()
    }
}

fn ids(v: &Value) -> BTreeSet<String> {
    v["FindingIds"]
        .as_array()
        .unwrap_or_else(|| panic!("no FindingIds: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn criterion(attr: &str, op: &str, v: Value) -> Value {
    json!({"Criterion": {attr: {op: v}}})
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Findings of `warden scan` in REGION, by type → id.
fn by_type(scanned: &[Value]) -> std::collections::BTreeMap<String, String> {
    scanned
        .iter()
        .filter(|f| f["region"] == REGION)
        .map(|f| {
            (
                f["type"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Route 53 Resolver query log lines (instance, name, second).
fn dns_log(queries: &[(&str, &str, u32)]) -> String {
    queries
        .iter()
        .map(|(instance, name, second)| {
            json!({"version": "1.100000", "account_id": ACCOUNT_A, "region": REGION, "vpc_id": "vpc-0a1b2c3d4e5f60718",
                "query_timestamp": format!("2026-06-01T12:00:{second:02}Z"), "query_name": format!("{name}."), "query_type": "A",
                "query_class": "IN", "rcode": "NOERROR", "answers": [{"Rdata": "203.0.113.9", "Type": "A", "Class": "IN"}],
                "srcaddr": "10.0.1.23", "srcport": "53344", "transport": "UDP", "srcids": {"instance": instance}})
            .to_string() + "\n"
        })
        .collect()
}

/// A default-format (v2) VPC Flow Log with accepted outbound connections (interface, remote).
fn flow_log(flows: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    for (i, (eni, remote)) in flows.iter().enumerate() {
        s += &format!(
            "2 {ACCOUNT_A} {eni} 10.0.1.23 {remote} {} 443 6 12 4096 1780000000 1780000060 ACCEPT OK\n",
            40000 + i
        );
    }
    s
}

#[test]
fn detectors_and_findings() {
    let Some(w) = Warden::start() else { return };
    let a = w.key(ACCOUNT_A);

    // Detectors: none, then one per account and region.
    assert_eq!(w.ok(&a, &["list-detectors"])["DetectorIds"], json!([]));
    let det = w.create_detector(&a);
    assert_eq!(det.len(), 32);
    let again = w.err(&a, &["create-detector", "--enable"]);
    assert!(again.contains("BadRequestException"), "{again}");
    assert_eq!(w.ok(&a, &["list-detectors"])["DetectorIds"], json!([det]));
    let d = w.ok(&a, &["get-detector", "--detector-id", &det]);
    assert_eq!(d["Status"], "ENABLED");
    assert_eq!(d["FindingPublishingFrequency"], "SIX_HOURS");
    w.ok(
        &a,
        &[
            "update-detector",
            "--detector-id",
            &det,
            "--finding-publishing-frequency",
            "FIFTEEN_MINUTES",
            "--features",
            r#"[{"Name":"RDS_LOGIN_EVENTS","Status":"DISABLED"}]"#,
        ],
    );
    let d = w.ok(&a, &["get-detector", "--detector-id", &det]);
    assert_eq!(d["FindingPublishingFrequency"], "FIFTEEN_MINUTES");
    let rds = d["Features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["Name"] == "RDS_LOGIN_EVENTS")
        .unwrap();
    assert_eq!(rds["Status"], "DISABLED");

    // Scan the example CloudTrail logs into the data directory: the server sees them at once.
    let scanned = w.scan(&["examples/cloudtrail"]);
    let mine = by_type(&scanned);
    assert!(mine.len() >= 5, "{mine:?}");
    assert!(
        scanned
            .iter()
            .any(|f| f["region"] != REGION && f["accountId"] == ACCOUNT_A),
        "the examples also hold an event of another region"
    );
    for f in scanned.iter().filter(|f| f["region"] == REGION) {
        assert_eq!(f["service"]["detectorId"], det.as_str());
    }
    let all = w.list(&a, &det, json!({"Criterion": {}}));
    assert_eq!(
        all,
        mine.values().cloned().collect(),
        "this region's detector lists this region's findings, no more"
    );

    // Criteria: severity, type, account.
    let high: BTreeSet<String> = scanned
        .iter()
        .filter(|f| f["region"] == REGION && f["severity"].as_f64().unwrap() >= 7.0)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!high.is_empty() && high.len() < all.len());
    assert_eq!(
        w.list(&a, &det, criterion("severity", "Gte", json!(7))),
        high
    );
    let kali = mine["PenTest:IAMUser/KaliLinux"].clone();
    assert_eq!(
        w.list(
            &a,
            &det,
            criterion("type", "Eq", json!(["PenTest:IAMUser/KaliLinux"]))
        ),
        set(&[&kali])
    );
    assert_eq!(
        w.list(&a, &det, criterion("accountId", "Eq", json!([ACCOUNT_A]))),
        all
    );
    assert!(
        w.list(&a, &det, criterion("accountId", "Eq", json!([ACCOUNT_B])))
            .is_empty()
    );

    // Time criteria in epoch milliseconds, in the legacy operator SIEM connectors use (`Gte`,
    // typed 32-bit in the model but sent as milliseconds) and in its `long` replacement.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let day = 86_400_000;
    assert_eq!(
        w.list(&a, &det, criterion("updatedAt", "Gte", json!(now_ms - day))),
        all
    );
    assert!(
        w.list(
            &a,
            &det,
            criterion("updatedAt", "GreaterThanOrEqual", json!(now_ms + day))
        )
        .is_empty()
    );

    // Sorted by severity, ascending: GetFindings confirms the order.
    let sorted = w.ok(
        &a,
        &[
            "list-findings",
            "--detector-id",
            &det,
            "--sort-criteria",
            "AttributeName=severity,OrderBy=ASC",
        ],
    );
    let order: Vec<&str> = sorted["FindingIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(order.len(), all.len());
    let got = w.get(&a, &det, &order);
    let sev: Vec<f64> = order
        .iter()
        .map(|id| {
            got.iter().find(|f| f["Id"] == *id).unwrap()["Severity"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert!(sev.windows(2).all(|p| p[0] <= p[1]), "{sev:?}");

    // GetFindings: the fields a user reads.
    let k = &w.get(&a, &det, &[&kali])[0];
    assert_eq!(k["Type"], "PenTest:IAMUser/KaliLinux");
    assert_eq!(k["AccountId"], ACCOUNT_A);
    assert_eq!(k["Region"], REGION);
    assert_eq!(k["Severity"], 5.0);
    assert_eq!(k["Resource"]["ResourceType"], "AccessKey");
    assert_eq!(
        k["Resource"]["AccessKeyDetails"]["AccessKeyId"],
        "AKIAQ4EXAMPLEDEPLOY1"
    );
    assert_eq!(k["Service"]["Count"], 6, "six calls, one finding");
    assert_eq!(k["Service"]["Archived"], false);
    assert_eq!(k["Service"]["DetectorId"], det.as_str());
    let bucket = &w.get(&a, &det, &[&mine["Policy:S3/BucketAnonymousAccessGranted"]])[0];
    assert_eq!(bucket["Resource"]["ResourceType"], "S3Bucket");
    assert_eq!(
        bucket["Resource"]["S3BucketDetails"][0]["Name"],
        "acme-finance-exports"
    );

    // Statistics agree with the list.
    let stats = w.ok(
        &a,
        &[
            "get-findings-statistics",
            "--detector-id",
            &det,
            "--finding-statistic-types",
            "COUNT_BY_SEVERITY",
        ],
    );
    let total: i64 = stats["FindingStatistics"]["CountBySeverity"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(total as usize, all.len());

    // Archive, list by service.archived, unarchive.
    w.ok(
        &a,
        &[
            "archive-findings",
            "--detector-id",
            &det,
            "--finding-ids",
            &kali,
        ],
    );
    let archived = criterion("service.archived", "Eq", json!(["true"]));
    assert_eq!(w.list(&a, &det, archived.clone()), set(&[&kali]));
    let current = w.list(
        &a,
        &det,
        criterion("service.archived", "Eq", json!(["false"])),
    );
    assert_eq!(current.len(), all.len() - 1);
    assert!(!current.contains(&kali));
    w.ok(
        &a,
        &[
            "unarchive-findings",
            "--detector-id",
            &det,
            "--finding-ids",
            &kali,
        ],
    );
    assert!(w.list(&a, &det, archived).is_empty());

    // Feedback is kept on the finding.
    w.ok(
        &a,
        &[
            "update-findings-feedback",
            "--detector-id",
            &det,
            "--finding-ids",
            &kali,
            "--feedback",
            "USEFUL",
            "--comments",
            "confirmed with the deploy team",
        ],
    );
    assert_eq!(
        w.get(&a, &det, &[&kali])[0]["Service"]["UserFeedback"],
        "USEFUL"
    );

    // A suspended detector stores no new findings; enabled again, it does.
    w.ok(
        &a,
        &["update-detector", "--detector-id", &det, "--no-enable"],
    );
    assert_eq!(
        w.ok(&a, &["get-detector", "--detector-id", &det])["Status"],
        "DISABLED"
    );
    let later = w.path("later.json");
    std::fs::write(
        &later,
        json!({"Records": [corpus_record(ACCOUNT_A, 1, false)]}).to_string(),
    )
    .unwrap();
    w.scan(&[later.to_str().unwrap()]);
    assert_eq!(w.list(&a, &det, json!({"Criterion": {}})), all);
    w.ok(&a, &["update-detector", "--detector-id", &det, "--enable"]);
    w.scan(&[later.to_str().unwrap()]);
    assert_eq!(
        w.list(&a, &det, json!({"Criterion": {}})).len(),
        all.len() + 1
    );

    // Another detector id is not this account's.
    let e = w.err(
        &a,
        &[
            "get-findings",
            "--detector-id",
            "0123456789abcdef0123456789abcdef",
            "--finding-ids",
            &kali,
        ],
    );
    assert!(e.contains("BadRequestException"), "{e}");
}

#[test]
fn filters_and_threat_lists_shape_new_findings() {
    let Some(w) = Warden::start() else { return };
    let a = w.key(ACCOUNT_A);
    let det = w.create_detector(&a);

    // A customer threat list (a local file, read when activated).
    let threats = w.path("corp-threats.txt");
    std::fs::write(&threats, "# corp\n45.83.64.0/23\n").unwrap();
    let threats_s = threats.display().to_string();
    let tis = w.ok(
        &a,
        &[
            "create-threat-intel-set",
            "--detector-id",
            &det,
            "--name",
            "corp",
            "--format",
            "TXT",
            "--location",
            &threats_s,
            "--activate",
        ],
    )["ThreatIntelSetId"]
        .as_str()
        .unwrap()
        .to_string();
    let t = w.ok(
        &a,
        &[
            "get-threat-intel-set",
            "--detector-id",
            &det,
            "--threat-intel-set-id",
            &tis,
        ],
    );
    assert_eq!(t["Status"], "ACTIVE", "{t}");
    assert_eq!(t["Location"], threats_s.as_str());

    // A suppression rule for the GuardDuty tester's C&C domain.
    let c2 = "Backdoor:EC2/C&CActivity.B!DNS";
    let c2_criteria = criterion("type", "Eq", json!([c2])).to_string();
    let name = w.ok(
        &a,
        &[
            "create-filter",
            "--detector-id",
            &det,
            "--name",
            "quiet-tester",
            "--action",
            "ARCHIVE",
            "--rank",
            "1",
            "--finding-criteria",
            &c2_criteria,
        ],
    )["Name"]
        .clone();
    assert_eq!(name, "quiet-tester");
    let f = w.ok(
        &a,
        &[
            "get-filter",
            "--detector-id",
            &det,
            "--filter-name",
            "quiet-tester",
        ],
    );
    assert_eq!(f["Action"], "ARCHIVE");
    assert_eq!(f["Rank"], 1);
    assert_eq!(f["FindingCriteria"]["Criterion"]["type"]["Eq"], json!([c2]));
    assert_eq!(
        w.ok(&a, &["list-filters", "--detector-id", &det])["FilterNames"],
        json!(["quiet-tester"])
    );

    // New DNS and flow logs: the C&C finding arrives archived, the threat-list one does not.
    std::fs::write(
        w.path("dns.log"),
        dns_log(&[
            ("i-0aaaaaaaaaaaaaaa1", "c2.guarddutyc2activityb.com", 1),
            ("i-0aaaaaaaaaaaaaaa1", "www.example.com", 2),
        ]),
    )
    .unwrap();
    std::fs::write(
        w.path("flow.log"),
        flow_log(&[("eni-0000000000000000a", "45.83.64.77")]),
    )
    .unwrap();
    let dns = w.path("dns.log").display().to_string();
    let flow = w.path("flow.log").display().to_string();
    let scanned = w.scan(&["--region", REGION, &dns, &flow]);
    let found = by_type(&scanned);
    let custom = "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom";
    assert_eq!(
        found.keys().map(|s| s.as_str()).collect::<Vec<_>>(),
        [c2, custom],
        "the threat intel set is used by the scan"
    );
    let archived = criterion("service.archived", "Eq", json!(["true"]));
    let current = criterion("service.archived", "Eq", json!(["false"]));
    assert_eq!(w.list(&a, &det, archived.clone()), set(&[&found[c2]]));
    assert_eq!(w.list(&a, &det, current.clone()), set(&[&found[custom]]));
    let got = &w.get(&a, &det, &[&found[custom]])[0];
    assert_eq!(
        got["Service"]["Evidence"]["ThreatIntelligenceDetails"][0]["ThreatListName"],
        "corp"
    );

    // The filter turned to NOOP no longer suppresses: a new C&C finding stays current.
    w.ok(
        &a,
        &[
            "update-filter",
            "--detector-id",
            &det,
            "--filter-name",
            "quiet-tester",
            "--action",
            "NOOP",
            "--description",
            "kept for reference",
        ],
    );
    let f = w.ok(
        &a,
        &[
            "get-filter",
            "--detector-id",
            &det,
            "--filter-name",
            "quiet-tester",
        ],
    );
    assert_eq!(
        (&f["Action"], &f["Description"]),
        (&json!("NOOP"), &json!("kept for reference"))
    );
    std::fs::write(
        w.path("dns2.log"),
        dns_log(&[("i-0bbbbbbbbbbbbbbb2", "c2.guarddutyc2activityb.com", 5)]),
    )
    .unwrap();
    let dns2 = w.path("dns2.log").display().to_string();
    let second = by_type(&w.scan(&["--region", REGION, &dns2]));
    assert_eq!(second.len(), 1);
    assert_ne!(second[c2], found[c2], "another instance, another finding");
    assert_eq!(
        w.list(&a, &det, current.clone()),
        set(&[&found[custom], &second[c2]])
    );
    w.ok(
        &a,
        &[
            "delete-filter",
            "--detector-id",
            &det,
            "--filter-name",
            "quiet-tester",
        ],
    );
    assert_eq!(
        w.ok(&a, &["list-filters", "--detector-id", &det])["FilterNames"],
        json!([])
    );

    // A trusted IP list (file:// location) silences the addresses it names, and only those.
    let trusted = w.path("trusted.txt");
    std::fs::write(&trusted, "45.83.64.0/24\n").unwrap();
    let trusted_url = format!("file://{}", trusted.display());
    let ips = w.ok(
        &a,
        &[
            "create-ip-set",
            "--detector-id",
            &det,
            "--name",
            "partners",
            "--format",
            "TXT",
            "--location",
            &trusted_url,
            "--activate",
        ],
    )["IpSetId"]
        .as_str()
        .unwrap()
        .to_string();
    let ip = w.ok(
        &a,
        &["get-ip-set", "--detector-id", &det, "--ip-set-id", &ips],
    );
    assert_eq!(
        (&ip["Status"], &ip["Name"]),
        (&json!("ACTIVE"), &json!("partners"))
    );
    std::fs::write(
        w.path("flow2.log"),
        flow_log(&[
            ("eni-0000000000000000b", "45.83.64.99"),
            ("eni-0000000000000000c", "45.83.65.99"),
        ]),
    )
    .unwrap();
    let flow2 = w.path("flow2.log").display().to_string();
    let third = w.scan(&["--region", REGION, &flow2]);
    assert_eq!(third.len(), 1, "{third:?}");
    assert_eq!(
        third[0]["resource"]["instanceDetails"]["networkInterfaces"][0]["networkInterfaceId"],
        "eni-0000000000000000c",
        "{}",
        third[0]
    );

    // Set management: update, list, a location that cannot be read, delete.
    w.ok(
        &a,
        &[
            "update-ip-set",
            "--detector-id",
            &det,
            "--ip-set-id",
            &ips,
            "--name",
            "partners-2026",
        ],
    );
    assert_eq!(
        w.ok(
            &a,
            &["get-ip-set", "--detector-id", &det, "--ip-set-id", &ips]
        )["Name"],
        "partners-2026"
    );
    assert_eq!(
        w.ok(&a, &["list-ip-sets", "--detector-id", &det])["IpSetIds"],
        json!([ips])
    );
    let elsewhere = w.path("corp-threats-v2.txt");
    std::fs::write(&elsewhere, "192.0.2.0/24\n8.8.8.0/24\n").unwrap();
    let elsewhere_s = elsewhere.display().to_string();
    w.ok(
        &a,
        &[
            "update-threat-intel-set",
            "--detector-id",
            &det,
            "--threat-intel-set-id",
            &tis,
            "--location",
            &elsewhere_s,
        ],
    );
    let t = w.ok(
        &a,
        &[
            "get-threat-intel-set",
            "--detector-id",
            &det,
            "--threat-intel-set-id",
            &tis,
        ],
    );
    assert_eq!(
        (&t["Location"], &t["Status"]),
        (&json!(elsewhere_s), &json!("ACTIVE"))
    );
    assert_eq!(
        w.ok(&a, &["list-threat-intel-sets", "--detector-id", &det])["ThreatIntelSetIds"],
        json!([tis])
    );
    let missing = w.path("not-there.txt").display().to_string();
    let broken = w.ok(
        &a,
        &[
            "create-threat-intel-set",
            "--detector-id",
            &det,
            "--name",
            "broken",
            "--format",
            "TXT",
            "--location",
            &missing,
            "--activate",
        ],
    )["ThreatIntelSetId"]
        .as_str()
        .unwrap()
        .to_string();
    let b = w.ok(
        &a,
        &[
            "get-threat-intel-set",
            "--detector-id",
            &det,
            "--threat-intel-set-id",
            &broken,
        ],
    );
    assert_eq!(b["Status"], "ERROR", "an unreadable list is reported: {b}");
    for (kind, id_flag, id) in [
        ("threat-intel-set", "--threat-intel-set-id", &tis),
        ("threat-intel-set", "--threat-intel-set-id", &broken),
        ("ip-set", "--ip-set-id", &ips),
    ] {
        let op = format!("delete-{kind}");
        w.ok(&a, &[&op, "--detector-id", &det, id_flag, id]);
    }
    assert_eq!(
        w.ok(&a, &["list-ip-sets", "--detector-id", &det])["IpSetIds"],
        json!([])
    );
    assert_eq!(
        w.ok(&a, &["list-threat-intel-sets", "--detector-id", &det])["ThreatIntelSetIds"],
        json!([])
    );
}

#[test]
fn members_invitations_and_organization() {
    let Some(w) = Warden::start() else { return };
    let a = w.key(ACCOUNT_A);
    let b = w.key(ACCOUNT_B);
    let det_a = w.create_detector(&a);
    let det_b = w.create_detector(&b);
    assert_ne!(det_a, det_b);
    w.scan(&["examples/cloudtrail"]);
    let a_findings = w.list(&a, &det_a, json!({"Criterion": {}}));
    assert!(!a_findings.is_empty());
    w.ok(
        &b,
        &[
            "create-sample-findings",
            "--detector-id",
            &det_b,
            "--finding-types",
            "Recon:EC2/Portscan",
        ],
    );
    let b_findings = w.list(&b, &det_b, json!({"Criterion": {}}));
    assert_eq!(b_findings.len(), 1);
    let of_b = criterion("accountId", "Eq", json!([ACCOUNT_B]));
    assert!(
        w.list(&a, &det_a, of_b.clone()).is_empty(),
        "not a member yet"
    );

    // Invitation: the administrator adds and invites; the member sees and accepts.
    let r = w.ok(
        &a,
        &[
            "create-members",
            "--detector-id",
            &det_a,
            "--account-details",
            &format!("AccountId={ACCOUNT_B},Email=security@b.example.com"),
        ],
    );
    assert_eq!(r["UnprocessedAccounts"], json!([]));
    let r = w.ok(
        &a,
        &[
            "invite-members",
            "--detector-id",
            &det_a,
            "--account-ids",
            ACCOUNT_B,
            "--message",
            "please join",
        ],
    );
    assert_eq!(r["UnprocessedAccounts"], json!([]));
    assert_eq!(w.ok(&b, &["get-invitations-count"])["InvitationsCount"], 1);
    let inv = w.ok(&b, &["list-invitations"]);
    assert_eq!(inv["Invitations"][0]["AccountId"], ACCOUNT_A);
    let inv_id = inv["Invitations"][0]["InvitationId"]
        .as_str()
        .unwrap()
        .to_string();
    w.ok(
        &b,
        &[
            "accept-administrator-invitation",
            "--detector-id",
            &det_b,
            "--administrator-id",
            ACCOUNT_A,
            "--invitation-id",
            &inv_id,
        ],
    );
    let m = w.ok(&a, &["list-members", "--detector-id", &det_a]);
    assert_eq!(m["Members"][0]["AccountId"], ACCOUNT_B);
    assert_eq!(m["Members"][0]["RelationshipStatus"], "Enabled");
    assert_eq!(m["Members"][0]["DetectorId"], det_b.as_str());
    let md = w.ok(
        &a,
        &[
            "get-member-detectors",
            "--detector-id",
            &det_a,
            "--account-ids",
            ACCOUNT_B,
        ],
    );
    let own = w.ok(&b, &["get-detector", "--detector-id", &det_b]);
    assert_eq!(
        md["MemberDataSourceConfigurations"][0]["Features"], own["Features"],
        "the administrator sees the member's detector as the member does"
    );
    let adm = w.ok(&b, &["get-administrator-account", "--detector-id", &det_b]);
    assert_eq!(adm["Administrator"]["AccountId"], ACCOUNT_A);

    // The administrator sees the member's findings; the member never sees the administrator's.
    assert_eq!(w.list(&a, &det_a, of_b.clone()), b_findings);
    let bf: Vec<&str> = b_findings.iter().map(|s| s.as_str()).collect();
    let got = w.get(&a, &det_a, &bf);
    assert_eq!(got[0]["AccountId"], ACCOUNT_B);
    assert_eq!(got[0]["Type"], "Recon:EC2/Portscan");
    assert_eq!(w.list(&b, &det_b, json!({"Criterion": {}})), b_findings);
    let first_a = a_findings.iter().next().unwrap();
    assert_eq!(
        w.ok(
            &b,
            &[
                "get-findings",
                "--detector-id",
                &det_b,
                "--finding-ids",
                first_a
            ]
        )["Findings"],
        json!([])
    );
    let e = w.err(&b, &["list-findings", "--detector-id", &det_a]);
    assert!(
        e.contains("BadRequestException") && e.contains("not owned"),
        "{e}"
    );

    // The administrator's suppression rules apply to its members' new findings.
    w.ok(
        &a,
        &[
            "create-filter",
            "--detector-id",
            &det_a,
            "--name",
            "quiet-login-profiles",
            "--action",
            "ARCHIVE",
            "--finding-criteria",
            &criterion("type", "Eq", json!(["Persistence:IAM/AccountManipulation"])).to_string(),
        ],
    );
    let member_logs = w.path("member-trail.json");
    std::fs::write(
        &member_logs,
        json!({"Records": [corpus_record(ACCOUNT_B, 7, false), corpus_record(ACCOUNT_B, 8, true)]})
            .to_string(),
    )
    .unwrap();
    let new_b = by_type(&w.scan(&[member_logs.to_str().unwrap()]));
    assert_eq!(new_b.len(), 2, "{new_b:?}");
    let archived_b = w.list(
        &b,
        &det_b,
        criterion("service.archived", "Eq", json!(["true"])),
    );
    assert_eq!(
        archived_b,
        set(&[&new_b["Persistence:IAM/AccountManipulation"]]),
        "archived by the administrator's rule; the Kali finding is not"
    );

    // Organization administrator settings and statistics over the members. Only the
    // organization's management principal (a key with the administrator role) may designate
    // the delegated administrator; the account's ordinary key may not.
    let e = w.err(
        &a,
        &[
            "enable-organization-admin-account",
            "--admin-account-id",
            ACCOUNT_A,
        ],
    );
    assert!(
        e.contains("BadRequestException") && e.contains("management account"),
        "{e}"
    );
    let management = w.key_with_role(ACCOUNT_A, "administrator");
    w.ok(
        &management,
        &[
            "enable-organization-admin-account",
            "--admin-account-id",
            ACCOUNT_A,
        ],
    );
    let admins = w.ok(&management, &["list-organization-admin-accounts"]);
    assert_eq!(
        admins["AdminAccounts"],
        json!([{"AdminAccountId": ACCOUNT_A, "AdminStatus": "ENABLED"}])
    );
    w.ok(
        &a,
        &[
            "update-organization-configuration",
            "--detector-id",
            &det_a,
            "--auto-enable-organization-members",
            "NEW",
        ],
    );
    let conf = w.ok(
        &a,
        &[
            "describe-organization-configuration",
            "--detector-id",
            &det_a,
        ],
    );
    assert_eq!(conf["AutoEnableOrganizationMembers"], "NEW");
    let stats = w.ok(&a, &["get-organization-statistics"]);
    assert_eq!(
        stats["OrganizationDetails"]["OrganizationStatistics"]["MemberAccountsCount"],
        1
    );
    w.ok(
        &management,
        &[
            "disable-organization-admin-account",
            "--admin-account-id",
            ACCOUNT_A,
        ],
    );
    assert_eq!(
        w.ok(&management, &["list-organization-admin-accounts"])["AdminAccounts"],
        json!([])
    );

    // Disassociated: the member's findings leave the administrator's view.
    w.ok(
        &a,
        &[
            "disassociate-members",
            "--detector-id",
            &det_a,
            "--account-ids",
            ACCOUNT_B,
        ],
    );
    assert!(w.list(&a, &det_a, of_b).is_empty());
    let m = w.ok(
        &a,
        &[
            "get-members",
            "--detector-id",
            &det_a,
            "--account-ids",
            ACCOUNT_B,
        ],
    );
    assert_eq!(m["Members"][0]["RelationshipStatus"], "Removed", "{m}");
}

#[test]
fn usage_samples_publishing_coverage_and_tags() {
    let Some(w) = Warden::start() else { return };
    let a = w.key(ACCOUNT_A);
    let det = w.create_detector(&a);
    let usage = |kind: &str, criteria: Value| {
        w.ok(
            &a,
            &[
                "get-usage-statistics",
                "--detector-id",
                &det,
                "--usage-statistic-type",
                kind,
                "--usage-criteria",
                &criteria.to_string(),
            ],
        )["UsageStatistics"]
            .clone()
    };
    let amount = |v: &Value| {
        v["Total"]["Amount"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };

    // Usage: what the scans processed, by data source and by account.
    w.scan(&["examples/cloudtrail"]);
    std::fs::write(
        w.path("dns.log"),
        dns_log(&[("i-0aaaaaaaaaaaaaaa1", "www.example.com", 3)]),
    )
    .unwrap();
    let dns = w.path("dns.log").display().to_string();
    w.scan(&["--region", REGION, &dns]);
    let by_source = usage(
        "SUM_BY_DATA_SOURCE",
        json!({"DataSources": ["CLOUD_TRAIL", "DNS_LOGS", "FLOW_LOGS"]}),
    );
    let sources = by_source["SumByDataSource"].as_array().unwrap();
    let of = |s: &str| {
        sources
            .iter()
            .find(|v| v["DataSource"] == s)
            .map(amount)
            .unwrap_or(0)
    };
    assert!(of("CLOUD_TRAIL") > 1000, "{by_source}");
    let dns_bytes = std::fs::metadata(w.path("dns.log")).unwrap().len();
    assert!(
        of("DNS_LOGS") > 0 && of("DNS_LOGS") <= dns_bytes,
        "{by_source}"
    );
    assert_eq!(of("FLOW_LOGS"), 0, "no flow logs were scanned");
    assert!(sources.iter().all(|v| v["Total"]["Unit"] == "bytes"));
    let by_account = usage("SUM_BY_ACCOUNT", json!({"AccountIds": [ACCOUNT_A]}));
    let acc = &by_account["SumByAccount"];
    assert_eq!(acc.as_array().unwrap().len(), 1, "{by_account}");
    assert_eq!(acc[0]["AccountId"], ACCOUNT_A);
    assert_eq!(
        amount(&acc[0]),
        of("CLOUD_TRAIL") + of("DNS_LOGS"),
        "this region's bytes, all sources"
    );

    // Sample findings: the types asked for, then every type; repeating updates, never adds.
    let sample = criterion("service.additionalInfo.sample", "Eq", json!(["true"]));
    let two = [
        "Recon:EC2/PortProbeUnprotectedPort",
        "Backdoor:EC2/DenialOfService.Tcp",
    ];
    let mut args = vec![
        "create-sample-findings",
        "--detector-id",
        &det,
        "--finding-types",
    ];
    args.extend_from_slice(&two);
    w.ok(&a, &args);
    let ids2 = w.list(&a, &det, sample.clone());
    assert_eq!(ids2.len(), 2);
    let ids2v: Vec<&str> = ids2.iter().map(|s| s.as_str()).collect();
    let types: BTreeSet<String> = w
        .get(&a, &det, &ids2v)
        .iter()
        .map(|f| f["Type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(types, set(&two));
    w.ok(&a, &["create-sample-findings", "--detector-id", &det]);
    let all = w.list(&a, &det, sample.clone());
    assert!(all.len() > 150, "one per finding type: {}", all.len());
    assert!(all.is_superset(&ids2));
    w.ok(&a, &["create-sample-findings", "--detector-id", &det]);
    assert_eq!(w.list(&a, &det, sample).len(), all.len());
    let e = w.err(
        &a,
        &[
            "create-sample-findings",
            "--detector-id",
            &det,
            "--finding-types",
            "Made:Up/Type",
        ],
    );
    assert!(e.contains("BadRequestException"), "{e}");

    // Publishing destinations.
    let dest = w.ok(
        &a,
        &[
            "create-publishing-destination",
            "--detector-id",
            &det,
            "--destination-type",
            "S3",
            "--destination-properties",
            "DestinationArn=arn:aws:s3:::acme-guardduty/exports,KmsKeyArn=arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        ],
    )["DestinationId"]
        .as_str()
        .unwrap()
        .to_string();
    let d = w.ok(
        &a,
        &[
            "describe-publishing-destination",
            "--detector-id",
            &det,
            "--destination-id",
            &dest,
        ],
    );
    assert_eq!(d["DestinationType"], "S3");
    assert_eq!(
        d["DestinationProperties"]["DestinationArn"],
        "arn:aws:s3:::acme-guardduty/exports"
    );
    let l = w.ok(&a, &["list-publishing-destinations", "--detector-id", &det]);
    assert_eq!(l["Destinations"][0]["DestinationId"], dest.as_str());

    // Tags on the detector and on the destination.
    let det_arn = format!("arn:aws:guardduty:{REGION}:{ACCOUNT_A}:detector/{det}");
    w.ok(
        &a,
        &[
            "tag-resource",
            "--resource-arn",
            &det_arn,
            "--tags",
            "team=sec,env=prod",
        ],
    );
    assert_eq!(
        w.ok(&a, &["list-tags-for-resource", "--resource-arn", &det_arn])["Tags"],
        json!({"team": "sec", "env": "prod"})
    );
    w.ok(
        &a,
        &[
            "untag-resource",
            "--resource-arn",
            &det_arn,
            "--tag-keys",
            "env",
        ],
    );
    assert_eq!(
        w.ok(&a, &["list-tags-for-resource", "--resource-arn", &det_arn])["Tags"],
        json!({"team": "sec"})
    );
    let other = format!("arn:aws:guardduty:{REGION}:{ACCOUNT_B}:detector/{det}");
    let e = w.err(&a, &["list-tags-for-resource", "--resource-arn", &other]);
    assert!(e.contains("Exception"), "another account's ARN: {e}");

    w.ok(
        &a,
        &[
            "delete-publishing-destination",
            "--detector-id",
            &det,
            "--destination-id",
            &dest,
        ],
    );
    assert_eq!(
        w.ok(&a, &["list-publishing-destinations", "--detector-id", &det])["Destinations"],
        json!([])
    );

    // Coverage: Warden deploys no runtime agents, so nothing is covered (and says so honestly).
    assert_eq!(
        w.ok(&a, &["list-coverage", "--detector-id", &det])["Resources"],
        json!([])
    );
    let cs = w.ok(
        &a,
        &[
            "get-coverage-statistics",
            "--detector-id",
            &det,
            "--statistics-type",
            "COUNT_BY_COVERAGE_STATUS",
        ],
    );
    assert!(cs["CoverageStatistics"].is_object(), "{cs}");
}

#[test]
fn errors_a_client_sees() {
    let Some(w) = Warden::start() else { return };
    let a = w.key(ACCOUNT_A);
    let det = w.create_detector(&a);
    let wrong = Key {
        id: a.id.clone(),
        secret: "0".repeat(40),
        token: None,
    };
    let e = w.err(&wrong, &["list-detectors"]);
    assert!(e.contains("InvalidSignatureException"), "{e}");
    let unknown = Key {
        id: "AKIAUNKNOWNUNKNOWN00".into(),
        secret: a.secret.clone(),
        token: None,
    };
    let e = w.err(&unknown, &["list-detectors"]);
    assert!(e.contains("UnrecognizedClientException"), "{e}");
    let with_token = Key {
        id: a.id.clone(),
        secret: a.secret.clone(),
        token: Some("FwoGZXIvYXdzEXAMPLETOKEN".into()),
    };
    let e = w.err(&with_token, &["list-detectors"]);
    assert!(e.contains("UnrecognizedClientException"), "{e}");
    // A missing required argument: the CLI refuses before sending.
    let e = w.err(&a, &["list-findings"]);
    assert!(e.contains("--detector-id"), "{e}");
    // A bad enum and an out-of-range number: the server validates with AWS's wording.
    let e = w.err(
        &a,
        &[
            "list-findings",
            "--detector-id",
            &det,
            "--sort-criteria",
            "AttributeName=severity,OrderBy=UP",
        ],
    );
    assert!(
        e.contains("BadRequestException") && e.contains("enum value set: [ASC, DESC]"),
        "{e}"
    );
    let e = w.err(
        &a,
        &[
            "list-findings",
            "--detector-id",
            &det,
            "--max-results",
            "51",
        ],
    );
    assert!(
        e.contains("BadRequestException") && e.contains("between 1 and 50"),
        "{e}"
    );
    let e = w.err(
        &a,
        &[
            "list-findings",
            "--detector-id",
            &det,
            "--finding-criteria",
            r#"{"Criterion":{"severity":{"Gte":"high"}}}"#,
        ],
    );
    assert!(
        e.contains("Invalid type") || e.contains("BadRequest"),
        "{e}"
    );
    // Unsupported operations fail clearly rather than pretending.
    let e = w.err(&a, &["list-malware-protection-plans"]);
    assert!(
        e.contains("BadRequestException") && e.contains("not supported by Warden"),
        "{e}"
    );
    let e = w.err(
        &a,
        &[
            "start-malware-scan",
            "--resource-arn",
            "arn:aws:ec2:eu-west-1:111122223333:instance/i-0aaaaaaaaaaaaaaa1",
        ],
    );
    assert!(e.contains("not supported by Warden"), "{e}");
    let e = w.err(
        &a,
        &[
            "get-detector",
            "--detector-id",
            "0123456789abcdef0123456789abcdef",
        ],
    );
    assert!(e.contains("BadRequestException"), "{e}");
}

/// One CloudTrail record of a principal of its own (so each record is its own finding) at
/// second SECOND of the day.
fn corpus_record(account: &str, n: u32, kali: bool) -> Value {
    let (name, agent) = if kali {
        (
            "ListUsers",
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off",
        )
    } else {
        (
            "CreateLoginProfile",
            "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22",
        )
    };
    json!({"eventVersion": "1.09",
        "eventTime": format!("2026-06-01T{:02}:{:02}:{:02}Z", n / 3600, n / 60 % 60, n % 60),
        "eventSource": "iam.amazonaws.com", "eventName": name, "awsRegion": REGION,
        "sourceIPAddress": format!("203.0.113.{}", n % 250 + 1), "userAgent": agent,
        "eventID": format!("{account}-{n}"), "recipientAccountId": account,
        "requestParameters": {"userName": format!("target-{n}")},
        "userIdentity": {"type": "IAMUser", "principalId": format!("AIDA{n:016}"),
            "arn": format!("arn:aws:iam::{account}:user/u{n}"), "accountId": account,
            "accessKeyId": format!("AKIA{n:016}"), "userName": format!("u{n}")}})
}

#[test]
fn boto3_pagination_and_isolation() {
    let Some(python) = venv_tool("WARDEN_PYTHON", "python") else {
        return;
    };
    let Some(aws) = venv_tool("WARDEN_AWS_CLI", "aws") else {
        return;
    };
    let w = Warden::start_with(aws);
    let a = w.key(ACCOUNT_A);
    let b = w.key(ACCOUNT_B);

    // The corpus: 3,600 principals of account A, each doing one suspicious thing at its own
    // second (3,000 login profiles created for other users, 600 calls from a Kali machine), and
    // 4 of account B.
    let mut records: Vec<Value> = (0..3600)
        .map(|n| corpus_record(ACCOUNT_A, n, n % 6 == 5))
        .collect();
    records.extend((0..4).map(|n| corpus_record(ACCOUNT_B, n, false)));
    let corpus = w.path("corpus.json");
    std::fs::write(&corpus, json!({ "Records": records }).to_string()).unwrap();
    let scanned = w.scan(&[corpus.to_str().unwrap()]);
    let mut types_a = std::collections::BTreeMap::<String, u64>::new();
    for f in scanned.iter().filter(|f| f["accountId"] == ACCOUNT_A) {
        *types_a
            .entry(f["type"].as_str().unwrap().into())
            .or_default() += 1;
    }
    let total_b = scanned
        .iter()
        .filter(|f| f["accountId"] == ACCOUNT_B)
        .count();
    assert_eq!(
        types_a,
        [
            ("PenTest:IAMUser/KaliLinux".to_string(), 600),
            ("Persistence:IAM/AccountManipulation".to_string(), 3000)
        ]
        .into(),
        "one finding per principal"
    );
    assert_eq!(total_b, 4);

    let arg = json!({
        "endpoint": w.endpoint, "region": REGION,
        "a": {"id": a.id, "secret": a.secret, "account": ACCOUNT_A},
        "b": {"id": b.id, "secret": b.secret, "account": ACCOUNT_B},
        "types_a": types_a, "total_b": total_b,
    });
    let missing = w.path("no-such-aws-config");
    let out = Command::new(python)
        .arg(repo().join("crates/warden/tests/boto3_api.py"))
        .arg(arg.to_string())
        .env("AWS_CONFIG_FILE", &missing)
        .env("AWS_SHARED_CREDENTIALS_FILE", &missing)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "boto3_api.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap();
    eprintln!("boto3: {summary}");
    assert_eq!(summary["findings_a"], 3600);
}

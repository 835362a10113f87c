//! `warden scan` end to end, as a user runs it.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn warden() -> Command {
    Command::new(env!("CARGO_BIN_EXE_warden"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = warden()
        .args(args)
        .current_dir(repo())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json_findings(r: &Run) -> Vec<Value> {
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    serde_json::from_str::<Vec<Value>>(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// Check a JSON value against a shape of GuardDuty's API model: every member name is a wire name
/// the model defines, with the model's type, and every required member is present.
fn check_shape(model: &Value, shape: &str, v: &Value, at: &str) {
    let s = &model["shapes"][shape];
    match s["type"].as_str().unwrap() {
        "structure" => {
            let obj = v
                .as_object()
                .unwrap_or_else(|| panic!("{at}: expected object for {shape}"));
            let members = s["members"].as_object().unwrap();
            for (k, child) in obj {
                let (name, m) = members
                    .iter()
                    .find(|(name, m)| m["locationName"].as_str().unwrap_or(name) == k)
                    .unwrap_or_else(|| panic!("{at}.{k}: not a member of {shape}"));
                let _ = name;
                check_shape(
                    model,
                    m["shape"].as_str().unwrap(),
                    child,
                    &format!("{at}.{k}"),
                );
            }
            for req in s["required"].as_array().into_iter().flatten() {
                let m = &members[req.as_str().unwrap()];
                let wire = m["locationName"].as_str().unwrap_or(req.as_str().unwrap());
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
        "string" => assert!(v.is_string(), "{at}: expected string, got {v}"),
        "boolean" => assert!(v.is_boolean(), "{at}: expected boolean"),
        "integer" | "long" => assert!(v.is_i64() || v.is_u64(), "{at}: expected integer"),
        "double" | "float" => assert!(v.is_number(), "{at}: expected number"),
        "timestamp" => assert!(v.is_number() || v.is_string(), "{at}: expected timestamp"),
        other => panic!("{at}: unhandled shape type {other}"),
    }
}

#[test]
fn json_output_is_guardduty_finding_shaped() {
    let r = run(&["scan", "--format", "json", "examples/cloudtrail"], None);
    let findings = json_findings(&r);
    assert!(findings.len() >= 6, "{}", r.stdout);
    let model_path = repo().join("../shared/guardduty/service-2.json");
    let model: Option<Value> = std::fs::read_to_string(&model_path)
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap());
    for f in &findings {
        if let Some(model) = &model {
            check_shape(model, "Finding", f, "finding");
        }
        let id = f["id"].as_str().unwrap();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        let arn = f["arn"].as_str().unwrap();
        let det = f["service"]["detectorId"].as_str().unwrap();
        assert_eq!(
            arn,
            format!(
                "arn:aws:guardduty:{}:{}:detector/{det}/finding/{id}",
                f["region"].as_str().unwrap(),
                f["accountId"].as_str().unwrap()
            )
        );
        assert_eq!(f["service"]["serviceName"], "guardduty");
        assert_eq!(f["schemaVersion"], "2.0");
        assert!(f["severity"].is_number());
        assert!(
            f["service"]["eventFirstSeen"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
        assert_eq!(f["service"]["action"]["actionType"], "AWS_API_CALL");
        assert!(
            f["title"].as_str().unwrap().len() > 10
                && f["description"].as_str().unwrap().contains("Why:")
        );
    }
    // Sorted by severity, highest first.
    let sev: Vec<f64> = findings
        .iter()
        .map(|f| f["severity"].as_f64().unwrap())
        .collect();
    assert!(sev.windows(2).all(|w| w[0] >= w[1]), "{sev:?}");
    let kali = findings
        .iter()
        .find(|f| f["type"] == "PenTest:IAMUser/KaliLinux")
        .unwrap();
    assert_eq!(
        kali["service"]["count"], 6,
        "six calls from the Kali machine aggregate into one finding"
    );
    assert_eq!(
        kali["resource"]["accessKeyDetails"]["accessKeyId"],
        "AKIAQ4EXAMPLEDEPLOY1"
    );
    let bucket = findings
        .iter()
        .find(|f| f["type"] == "Policy:S3/BucketAnonymousAccessGranted")
        .unwrap();
    assert_eq!(bucket["resource"]["resourceType"], "S3Bucket");
    assert_eq!(
        bucket["resource"]["s3BucketDetails"][0]["name"],
        "acme-finance-exports"
    );
    // The denied AttachUserPolicy did not happen.
    assert!(
        !findings
            .iter()
            .any(|f| f["customDetectionRuleName"] == "AdminPolicyAttachedToUser")
    );
}

#[test]
fn data_dir_aggregates_across_scans_without_double_counting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let first = json_findings(&run(
        &[
            "scan",
            "--format",
            "json",
            "--data-dir",
            data,
            "examples/cloudtrail",
        ],
        None,
    ));
    let again = json_findings(&run(
        &[
            "scan",
            "--format",
            "json",
            "--data-dir",
            data,
            "examples/cloudtrail",
        ],
        None,
    ));
    let counts = |v: &[Value]| {
        let mut c: Vec<(String, i64)> = v
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["service"]["count"].as_i64().unwrap(),
                )
            })
            .collect();
        c.sort();
        c
    };
    assert_eq!(
        counts(&first),
        counts(&again),
        "re-reading the same events never double-counts"
    );

    // A new occurrence (new eventID) of the same activity updates the existing finding.
    let text =
        std::fs::read_to_string(repo().join(
            "examples/cloudtrail/111122223333_CloudTrail_eu-west-1_20260314T0215Z_attack1.json",
        ))
        .unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let rec = doc["Records"][3].clone();
    assert_eq!(rec["eventName"], "CreateAccessKey");
    let mut repeat = rec.clone();
    repeat["eventID"] = "0f0f0f0f-1111-2222-3333-444444444444".into();
    repeat["eventTime"] = "2026-03-15T08:00:00Z".into();
    doc["Records"] = Value::Array(vec![repeat]);
    let third = json_findings(&run(
        &["scan", "--format", "json", "--data-dir", data, "-"],
        Some(doc.to_string().as_bytes()),
    ));
    let key = third
        .iter()
        .find(|f| f["customDetectionRuleName"] == "IAMAccessKeyCreated")
        .unwrap();
    let before = first.iter().find(|f| f["id"] == key["id"]).unwrap();
    assert_eq!(
        key["service"]["count"].as_i64().unwrap(),
        before["service"]["count"].as_i64().unwrap() + 1
    );
    assert_eq!(key["service"]["eventLastSeen"], "2026-03-15T08:00:00.000Z");
    assert_eq!(
        key["service"]["eventFirstSeen"],
        before["service"]["eventFirstSeen"]
    );
    assert_eq!(key["createdAt"], before["createdAt"]);
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join(
            "examples/cloudtrail/111122223333_CloudTrail_eu-west-1_20260314T0315Z_attack2.json.gz",
        ),
        dir.path().join("good.json.gz"),
    )
    .unwrap();
    let gz = std::fs::read(dir.path().join("good.json.gz")).unwrap();
    std::fs::write(dir.path().join("truncated.json.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(
        dir.path().join("garbage.json"),
        "{\"Records\": [ {\"eventName\": ",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello\nworld\n").unwrap();
    std::fs::write(dir.path().join("lines.jsonl"), "{broken\n{\"eventTime\":\"2026-03-14T00:00:00Z\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateLoginProfile\",\"awsRegion\":\"us-east-1\",\"recipientAccountId\":\"111122223333\",\"eventID\":\"e-1\",\"requestParameters\":{\"userName\":\"bob\"},\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/alice\",\"accessKeyId\":\"AKIAEXAMPLE\"}}\n").unwrap();
    let r = run(
        &["scan", "--format", "jsonl", dir.path().to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("garbage.json"), "{}", r.stderr);
    assert!(r.stderr.contains("truncated.json.gz"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("notes.txt: input: not a CloudTrail record"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("lines.jsonl: line 1: malformed JSON"),
        "{}",
        r.stderr
    );
    let types: Vec<String> = r
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        types.contains(&"Persistence:IAM/AccountManipulation".to_string()),
        "{types:?}"
    );
    assert!(
        types.contains(&"Stealth:IAMUser/CloudTrailLoggingDisabled".to_string()),
        "{types:?}"
    );
}

#[test]
fn min_severity_and_table() {
    let r = run(
        &["scan", "--min-severity", "7", "examples/cloudtrail"],
        None,
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("SEVERITY"));
    assert!(
        r.stdout.lines().skip(1).all(|l| l.starts_with("High")),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("finding(s): Critical 0, High 2"),
        "{}",
        r.stderr
    );
    let bad = run(
        &["scan", "--min-severity", "eleven", "examples/cloudtrail"],
        None,
    );
    assert_ne!(bad.code, 0);
    let missing = run(&["scan", "/definitely/not/here"], None);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("/definitely/not/here"),
        "{}",
        missing.stderr
    );
}

#[test]
fn real_examples_scan_cleanly() {
    let dir = repo().join("../shared/data/cloudtrail-examples/docs/logExamples");
    if !dir.exists() {
        return;
    }
    let r = run(&["scan", "--format", "json", dir.to_str().unwrap()], None);
    let findings = json_findings(&r);
    // Every CloudTrail record reads; only the two non-log files (index.html, script.js) are rejected.
    assert!(r.stderr.contains("563 event(s) read"), "{}", r.stderr);
    assert!(r.stderr.contains("rejected 2 record(s)"), "{}", r.stderr);
    let mut types: Vec<String> = findings
        .iter()
        .map(|f| f["type"].as_str().unwrap().to_string())
        .collect();
    types.sort();
    // Explainable: the only successful call that matters is an RDS master password reset (the
    // same event appears in two files and is counted once), plus one LeaveOrganization attempt
    // (denied, but the attempt is what the rule is about). The SES PutAccountDetails there does
    // not ask for production access.
    assert_eq!(
        types,
        [
            "CredentialAccess:RDS/ModifyAuthenticationProcess",
            "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy",
        ]
    );
    let rds = findings
        .iter()
        .find(|f| f["customDetectionRuleName"] == "RDSMasterPasswordReset")
        .unwrap();
    assert_eq!(rds["service"]["count"], 1);
}

fn tor_exit() -> String {
    // The first exit in the built-in snapshot, read the way a user would: through `intel lookup`.
    let r = run(&["intel", "lookup", "101.99.92.179"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v[0]["threatLists"][0]["list"], "TorExitNodes",
        "{}",
        r.stdout
    );
    assert_eq!(v[0]["threatLists"][0]["kind"], "tor_exit");
    assert!(v[0]["geo"]["asn"].is_number());
    "101.99.92.179".into()
}

#[test]
fn intel_lookup_ip_domain_private_and_aws() {
    tor_exit();
    let r = run(
        &[
            "intel",
            "lookup",
            "10.0.0.5",
            "evil.c2.guarddutyc2activityb.com",
            "52.4.0.10",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["geo"]["special"], "private");
    assert!(v[0]["threatLists"].as_array().unwrap().is_empty());
    assert_eq!(v[1]["threatLists"][0]["list"], "GuardDutyTesterIndicators");
    assert!(
        v[2]["aws"]["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "EC2"),
        "{}",
        r.stdout
    );
}

#[test]
fn scan_with_threat_and_trusted_lists() {
    let dir = tempfile::tempdir().unwrap();
    let threat = dir.path().join("corp.txt");
    std::fs::write(&threat, "# corp\n198.51.100.0/24\nthis is not an address\n").unwrap();
    let trusted = dir.path().join("trusted.txt");
    let tor = tor_exit();
    std::fs::write(&trusted, format!("{tor}\n")).unwrap();
    let rec = |ip: &str, name: &str, id: &str| json_record(ip, name, id);
    let doc = serde_json::json!({"Records": [rec("198.51.100.9", "ListUsers", "a1"), rec(&tor, "CreateUser", "a2"), rec("203.0.113.200", "GetUser", "a3")]}).to_string();
    let threat_arg = format!("TXT:{}", threat.display());
    let r = run(
        &[
            "scan",
            "--format",
            "json",
            "--threat-list",
            &threat_arg,
            "-",
        ],
        Some(doc.as_bytes()),
    );
    let f = json_findings(&r);
    let mut types: Vec<&str> = f.iter().map(|f| f["type"].as_str().unwrap()).collect();
    types.sort();
    assert_eq!(
        types,
        [
            "Recon:IAMUser/MaliciousIPCaller.Custom",
            "UnauthorizedAccess:IAMUser/TorIPCaller"
        ],
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("corp.txt") && r.stderr.contains("line 3"),
        "bad list line reported: {}",
        r.stderr
    );
    let custom = f
        .iter()
        .find(|f| f["type"] == "Recon:IAMUser/MaliciousIPCaller.Custom")
        .unwrap();
    assert_eq!(
        custom["service"]["evidence"]["threatIntelligenceDetails"][0]["threatListName"],
        "corp.txt"
    );
    // The trusted list silences the Tor finding.
    let trusted_arg = trusted.display().to_string();
    let r = run(
        &[
            "scan",
            "--format",
            "json",
            "--threat-list",
            &threat_arg,
            "--trusted-ips",
            &trusted_arg,
            "-",
        ],
        Some(doc.as_bytes()),
    );
    let f = json_findings(&r);
    assert_eq!(f.len(), 1, "{}", r.stdout);
    assert_eq!(f[0]["type"], "Recon:IAMUser/MaliciousIPCaller.Custom");
}

fn json_record(ip: &str, name: &str, id: &str) -> Value {
    serde_json::json!({"eventVersion": "1.09", "eventTime": "2026-06-01T10:00:00Z", "eventSource": "iam.amazonaws.com", "eventName": name,
        "awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0", "eventID": id, "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/eve", "accountId": "111122223333",
                         "accessKeyId": "AKIAEXAMPLEEVE000001", "userName": "eve"}})
}

#[test]
fn intel_update_offline_fails_clearly_and_keeps_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("warden.toml");
    // Unreachable on purpose: nothing listens on port 9 of loopback.
    std::fs::write(&cfg, "[intel.feed_urls]\nTorExitNodes = \"http://127.0.0.1:9/tor\"\nTorRelays = \"http://127.0.0.1:9/relays\"\nWardenMaliciousIPs = \"http://127.0.0.1:9/ips\"\nWardenCryptoMining = \"http://127.0.0.1:9/mining\"\nAwsIpRanges = \"http://127.0.0.1:9/aws\"\nMaltrail = \"http://127.0.0.1:9/maltrail.tar.gz\"\n").unwrap();
    let data = dir.path().join("data");
    let r = run(
        &[
            "intel",
            "update",
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "TorExitNodes: http://127.0.0.1:9/tor: fetch failed (offline or unreachable?)"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("6 feed(s) could not be updated"),
        "{}",
        r.stderr
    );
    // The built-in snapshots stay in use.
    let r = run(
        &["intel", "lists", "--data-dir", data.to_str().unwrap()],
        None,
    );
    assert!(
        r.stdout.contains("TorExitNodes") && r.stdout.contains("built-in snapshot"),
        "{}",
        r.stdout
    );

    // A local "feed" that parses replaces the snapshot for later loads.
    let feed = dir.path().join("tor.txt");
    std::fs::write(&feed, "192.0.2.77\n").unwrap();
    let cfg2 = dir.path().join("warden2.toml");
    std::fs::write(
        &cfg2,
        format!(
            "[intel.feed_urls]\nTorExitNodes = \"{}\"\nTorRelays = \"http://127.0.0.1:9/r\"\nWardenMaliciousIPs = \"http://127.0.0.1:9/i\"\nWardenCryptoMining = \"http://127.0.0.1:9/m\"\nAwsIpRanges = \"http://127.0.0.1:9/a\"\n",
            feed.display()
        ),
    )
    .unwrap();
    let r = run(
        &[
            "intel",
            "update",
            "--data-dir",
            data.to_str().unwrap(),
            "--config",
            cfg2.to_str().unwrap(),
        ],
        None,
    );
    assert!(r.stderr.contains("TorExitNodes: 1 entries"), "{}", r.stderr);
    let r = run(
        &[
            "intel",
            "lookup",
            "--data-dir",
            data.to_str().unwrap(),
            "192.0.2.77",
        ],
        None,
    );
    assert!(r.stdout.contains("TorExitNodes"), "{}", r.stdout);
}

/// moto's S3-compatible server, from `.ci/run`'s virtualenv (or `WARDEN_MOTO_SERVER`). In CI it
/// must be there; elsewhere the test says it is skipping.
fn moto_server() -> Option<PathBuf> {
    let candidates = [
        std::env::var("WARDEN_MOTO_SERVER").ok().map(PathBuf::from),
        Some(repo().join("target/ci-venv/bin/moto_server")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must provide moto_server (see .ci/run)"
        );
        eprintln!("skipping: no moto_server (run .ci/run once, or set WARDEN_MOTO_SERVER)");
    }
    found
}

struct Server(std::process::Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn threat_list_from_s3() {
    let Some(moto) = moto_server() else { return };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        Command::new(&moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed().as_secs() < 30, "moto_server did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Seed the bucket with raw HTTP PUTs (moto accepts them unsigned); Warden's own GET is signed.
    let put = |path: &str, body: &[u8]| {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
        s.write_all(body).unwrap();
        let mut resp = String::new();
        std::io::Read::read_to_string(&mut s, &mut resp).unwrap();
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    };
    put("/intel-lists", b"");
    put(
        "/intel-lists/threats/corp%20list.txt",
        b"# from S3\n198.51.100.0/24\n",
    );
    let lookup = |location: &str| {
        warden()
            .args([
                "intel",
                "lookup",
                "--threat-list",
                location,
                "198.51.100.77",
            ])
            .env("AWS_ACCESS_KEY_ID", "AKIDTESTTESTTEST")
            .env("AWS_SECRET_ACCESS_KEY", "secret/for+tests")
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_ENDPOINT_URL_S3", &endpoint)
            .output()
            .unwrap()
    };
    let out = lookup("s3://intel-lists/threats/corp list.txt");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout} {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v[0]["threatLists"][0]["list"], "corp list.txt", "{stdout}");
    // A missing object is reported with S3's answer, and nothing else breaks.
    let out = lookup("s3://intel-lists/threats/missing.txt");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(
        stderr.contains("list missing.txt not loaded") && stderr.contains("HTTP 404"),
        "{stderr}"
    );
}

/// `warden dga train` on the shared lists (GPL test data: the model goes to a temporary
/// directory, never the tree), then a scan with `[detection] dga_model` finds a DGA walk in
/// Resolver query logs; the same scan without the model does not.
#[test]
fn dga_train_then_scan_with_the_model() {
    let lists = Path::new("/work/shared/data/intel/dga");
    let d = tempfile::tempdir().unwrap();
    let model = d.path().join("dga.model");
    let list = |f: &str| lists.join(f).display().to_string();
    let (alexa, opendns) = (list("alexa_1000.txt"), list("opendns-top-domains.txt"));
    let families: Vec<String> = [
        "conficker",
        "cryptolocker",
        "pushdo",
        "ramdo",
        "tinba",
        "zeus",
    ]
    .iter()
    .map(|f| list(&format!("{f}_1000.txt")))
    .collect();
    let mut args = vec!["dga", "train", "--benign", &alexa, &opendns, "--dga"];
    args.extend(families.iter().map(String::as_str));
    args.extend(["--out", model.to_str().unwrap()]);
    let r = run(&args, None);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(r.stdout.contains("held out: precision 0."), "{}", r.stdout);
    assert!(r.stdout.contains("recall cryptolocker"), "{}", r.stdout);
    assert!(model.is_file());

    // Held-out cryptolocker names (the ones `warden dga train` did not train on), NXDOMAIN.
    let names: Vec<String> = std::fs::read_to_string(lists.join("cryptolocker_1000.txt"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|n| warden_engine::detect::dga::is_held_out(n))
        .take(8)
        .map(str::to_owned)
        .collect();
    let log: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "{{\"version\":\"1.100000\",\"account_id\":\"123456789012\",\"region\":\"us-east-1\",\
                 \"vpc_id\":\"vpc-0abc\",\"query_timestamp\":\"2026-11-01T10:00:{i:02}Z\",\
                 \"query_name\":\"{n}.\",\"query_type\":\"A\",\"query_class\":\"IN\",\
                 \"rcode\":\"NXDOMAIN\",\"answers\":[],\"srcaddr\":\"10.0.0.5\",\"srcport\":\"53000\",\
                 \"transport\":\"UDP\",\"srcids\":{{\"instance\":\"i-0abc1234def567890\"}}}}\n"
            )
        })
        .collect();
    let config = d.path().join("warden.toml");
    std::fs::write(
        &config,
        format!(
            "[detection]\ndga_model = {:?}\n",
            model.display().to_string()
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let with = json_findings(&run(
        &[
            "scan", "--format", "json", "--quiet", "--config", &config, "-",
        ],
        Some(log.as_bytes()),
    ));
    let types: Vec<&str> = with.iter().filter_map(|f| f["type"].as_str()).collect();
    assert_eq!(types, ["Trojan:EC2/DGADomainRequest.B"], "{with:#?}");
    let without = json_findings(&run(
        &["scan", "--format", "json", "--quiet", "-"],
        Some(log.as_bytes()),
    ));
    assert!(without.is_empty(), "{without:#?}");

    // A damaged model file is refused with a clear error.
    std::fs::write(&model, b"not a model").unwrap();
    let r = run(
        &["scan", "--quiet", "--config", &config, "-"],
        Some(log.as_bytes()),
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("DGA model"), "{}", r.stderr);
}

/// `aws ec2 describe-instances` output for one instance, as the CLI prints it.
fn describe_instances_json() -> Value {
    serde_json::json!({"Reservations": [{"Groups": [], "OwnerId": "111122223333", "ReservationId": "r-0123456789abcdef0", "Instances": [{
        "AmiLaunchIndex": 0, "ImageId": "ami-0abcdef1234567890", "InstanceId": "i-0a1b2c3d4e5f60718", "InstanceType": "t3.medium",
        "LaunchTime": "2026-05-28T19:00:00+00:00", "Placement": {"AvailabilityZone": "us-east-1a", "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": "ip-10-0-1-23.ec2.internal", "PrivateIpAddress": "10.0.1.23", "PublicDnsName": "",
        "ProductCodes": [{"ProductCodeId": "8fr2ynz9pl5c0exampleabcd", "ProductCodeType": "marketplace"}],
        "State": {"Code": 16, "Name": "running"}, "SubnetId": "subnet-0123456789abcdef0", "VpcId": "vpc-0a1b2c3d4e5f60718",
        "IamInstanceProfile": {"Arn": "arn:aws:iam::111122223333:instance-profile/web", "Id": "AIPAEXAMPLEWEBPROFILE"},
        "NetworkInterfaces": [{"Attachment": {"AttachTime": "2026-05-28T19:00:00+00:00", "DeviceIndex": 0, "Status": "attached"},
            "Groups": [{"GroupName": "web", "GroupId": "sg-0123456789abcdef0"}], "Ipv6Addresses": [],
            "NetworkInterfaceId": "eni-0f0e0d0c0b0a09080", "OwnerId": "111122223333", "PrivateDnsName": "ip-10-0-1-23.ec2.internal",
            "PrivateIpAddress": "10.0.1.23", "PrivateIpAddresses": [{"Primary": true, "PrivateDnsName": "ip-10-0-1-23.ec2.internal", "PrivateIpAddress": "10.0.1.23"}],
            "SubnetId": "subnet-0123456789abcdef0", "VpcId": "vpc-0a1b2c3d4e5f60718", "Status": "in-use"}],
        "SecurityGroups": [{"GroupName": "web", "GroupId": "sg-0123456789abcdef0"}],
        "Tags": [{"Key": "Name", "Value": "web-1"}]}]}]})
}

#[test]
fn scan_with_an_inventory_names_the_instance() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("instances.json");
    std::fs::write(&inventory, describe_instances_json().to_string()).unwrap();
    // 25 SSH attempts from one address against the instance's interface, in its flow log.
    let flow = dir.path().join("flow.log");
    let lines: Vec<String> = (0..25)
        .map(|i| format!("2 111122223333 eni-0f0e0d0c0b0a09080 45.83.71.9 10.0.1.23 {} 22 6 3 180 {} {} REJECT OK", 41000 + i, 1_780_000_100 + i, 1_780_000_160 + i))
        .collect();
    std::fs::write(&flow, lines.join("\n")).unwrap();
    let (inv, flow) = (inventory.to_str().unwrap(), flow.to_str().unwrap());
    let model: Option<Value> =
        std::fs::read_to_string(repo().join("../shared/guardduty/service-2.json"))
            .ok()
            .map(|t| serde_json::from_str(&t).unwrap());

    let r = run(
        &["scan", "--format", "json", "--inventory", inv, flow],
        None,
    );
    let f = json_findings(&r);
    assert_eq!(f.len(), 1, "{}", r.stdout);
    assert_eq!(f[0]["type"], "UnauthorizedAccess:EC2/SSHBruteForce");
    if let Some(model) = &model {
        check_shape(model, "Finding", &f[0], "finding");
    }
    let d = &f[0]["resource"]["instanceDetails"];
    assert_eq!(d["instanceId"], "i-0a1b2c3d4e5f60718");
    assert_eq!(d["instanceType"], "t3.medium");
    assert_eq!(d["launchTime"], "2026-05-28T19:00:00.000Z");
    assert_eq!(d["tags"][0]["key"], "Name");
    assert_eq!(d["productCodes"][0]["productCodeType"], "marketplace");
    assert_eq!(
        d["iamInstanceProfile"]["arn"],
        "arn:aws:iam::111122223333:instance-profile/web"
    );
    let ni = &d["networkInterfaces"][0];
    assert_eq!(ni["networkInterfaceId"], "eni-0f0e0d0c0b0a09080");
    assert_eq!(ni["securityGroups"][0]["groupId"], "sg-0123456789abcdef0");
    assert_eq!(ni["subnetId"], "subnet-0123456789abcdef0");

    // Without it the finding names the interface and address, in JSON and in the table.
    let r = run(&["scan", "--format", "json", flow], None);
    let f = json_findings(&r);
    let d = &f[0]["resource"]["instanceDetails"];
    assert!(d.get("instanceId").is_none(), "{d}");
    assert_eq!(d["networkInterfaces"][0]["privateIpAddress"], "10.0.1.23");
    let r = run(&["scan", flow], None);
    assert!(
        r.stdout.contains("eni-0f0e0d0c0b0a09080 (10.0.1.23)"),
        "{}",
        r.stdout
    );

    // The configuration file's [inventory] files work the same way.
    let cfg = dir.path().join("warden.toml");
    std::fs::write(&cfg, format!("[inventory]\nfiles = [{:?}]\n", inv)).unwrap();
    let r = run(
        &[
            "scan",
            "--format",
            "json",
            "--config",
            cfg.to_str().unwrap(),
            flow,
        ],
        None,
    );
    assert_eq!(
        json_findings(&r)[0]["resource"]["instanceDetails"]["instanceType"],
        "t3.medium"
    );

    // Like a bad threat list, a broken inventory is reported (file and line) and the scan goes on.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"Reservations\": [\n  {\"Instances\": [}\n").unwrap();
    let r = run(
        &[
            "scan",
            "--format",
            "json",
            "--inventory",
            broken.to_str().unwrap(),
            flow,
        ],
        None,
    );
    let f = json_findings(&r);
    assert_eq!(f.len(), 1);
    assert!(
        r.stderr.contains("broken.json: line 2"),
        "the bad file and line are named: {}",
        r.stderr
    );
}

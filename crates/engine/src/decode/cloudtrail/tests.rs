use super::*;
use crate::source::open_reader;
use std::io::Write;

#[derive(Default)]
struct Collect {
    names: Vec<String>,
    errors: Vec<DecodeError>,
}
impl RecordSink for Collect {
    fn record(&mut self, e: &CloudTrailEvent<'_>, at: RecordRef<'_>) {
        assert!(at.raw.starts_with('{'));
        self.names
            .push(format!("{}@{}", e.event_name(), at.location));
    }
    fn reject(&mut self, error: DecodeError) {
        self.errors.push(error);
    }
}

fn rec(name: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","eventID":"id-{name}","recipientAccountId":"111122223333"}}"#
    )
}

fn run(bytes: &[u8]) -> (Collect, DecodeSummary) {
    let mut r = open_reader(Box::new(std::io::Cursor::new(bytes.to_vec()))).unwrap();
    let mut c = Collect::default();
    let s = decode("t", &mut r, &DecodeOptions::default(), &mut c);
    (c, s)
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn names(c: &Collect) -> Vec<&str> {
    c.names
        .iter()
        .map(|n| n.split('@').next().unwrap())
        .collect()
}

#[test]
fn s3_delivery_file_one_line_and_pretty_and_gzipped() {
    let doc = format!(r#"{{"Records":[{},{}]}}"#, rec("A"), rec("B"));
    for bytes in [doc.clone().into_bytes(), gz(doc.as_bytes())] {
        let (c, s) = run(&bytes);
        assert_eq!(names(&c), ["A", "B"]);
        assert_eq!(s.records, 2);
        assert!(c.errors.is_empty());
    }
    let pretty = format!(
        "{{\n  \"Records\": [\n    {},\n    {}\n  ]\n}}\n",
        rec("A"),
        rec("B")
    );
    let (c, _) = run(pretty.as_bytes());
    assert_eq!(names(&c), ["A", "B"]);
}

#[test]
fn arrays_jsonl_single_and_concatenated() {
    let arr = format!("[\n{},\n{}\n]", rec("A"), rec("B"));
    assert_eq!(names(&run(arr.as_bytes()).0), ["A", "B"]);
    let jsonl = format!("{}\n\n{}\r\n{}", rec("A"), rec("B"), rec("C"));
    let (c, _) = run(jsonl.as_bytes());
    assert_eq!(names(&c), ["A", "B", "C"]);
    assert_eq!(c.names[2], "C@line 4");
    let single = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&rec("S")).unwrap(),
    )
    .unwrap();
    assert_eq!(names(&run(single.as_bytes()).0), ["S"]);
    let concatenated = format!("{}\n{}", single, single.replace("\"S\"", "\"T\""));
    assert_eq!(names(&run(concatenated.as_bytes()).0), ["S", "T"]);
}

#[test]
fn eventbridge_and_cloudwatch_shapes() {
    let eb = format!(
        r#"{{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":{}}}"#,
        rec("E")
    );
    assert_eq!(names(&run(eb.as_bytes()).0), ["E"]);
    let export = format!(
        "2026-01-01T00:00:00.000Z {}\n2026-01-01T00:00:01.000Z {}\n",
        rec("X"),
        rec("Y")
    );
    assert_eq!(names(&run(export.as_bytes()).0), ["X", "Y"]);
    let wrapped = serde_json::json!({"timestamp": 1, "message": rec("W")}).to_string();
    assert_eq!(names(&run(wrapped.as_bytes()).0), ["W"]);
    let sub = serde_json::json!({"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"g","logStream":"s",
        "logEvents":[{"id":"1","timestamp":1,"message":rec("L1")},{"id":"2","timestamp":2,"message":rec("L2")}]}).to_string();
    assert_eq!(names(&run(&gz(sub.as_bytes())).0), ["L1", "L2"]);
}

#[test]
fn bad_lines_are_reported_with_line_numbers_and_skipped() {
    let input = format!(
        "{}\n{{\"eventName\": broken\nnot json at all\n{{\"foo\":1}}\n{}\n",
        rec("A"),
        rec("B")
    );
    let (c, s) = run(input.as_bytes());
    assert_eq!(names(&c), ["A", "B"]);
    assert_eq!(s.rejected, 3);
    let locs: Vec<String> = c.errors.iter().map(|e| e.location.to_string()).collect();
    assert_eq!(locs, ["line 2", "line 3", "line 4"]);
    assert_eq!(c.errors[0].kind, RejectKind::MalformedJson);
    assert_eq!(c.errors[2].kind, RejectKind::NotCloudTrail);
    assert!(
        c.errors[0]
            .to_string()
            .starts_with("t: line 2: malformed JSON")
    );
}

#[test]
fn wrong_field_types_reject_only_that_record() {
    let bad = rec("Bad").replace(r#""awsRegion":"us-east-1""#, r#""awsRegion":42"#);
    let doc = format!(r#"{{"Records":[{},{},{}]}}"#, rec("A"), bad, rec("C"));
    let (c, s) = run(doc.as_bytes());
    assert_eq!(names(&c), ["A", "C"]);
    assert_eq!(s.rejected, 1);
    assert!(
        matches!(c.errors[0].location, Location::Record { index: 2, .. }),
        "{:?}",
        c.errors[0]
    );
}

#[test]
fn truncated_gzip_keeps_what_came_before() {
    let jsonl: String = (0..2000).map(|i| rec(&format!("N{i}")) + "\n").collect();
    let z = gz(jsonl.as_bytes());
    let cut = &z[..z.len() * 2 / 3];
    let (c, _) = run(cut);
    assert!(
        c.names.len() > 100 && c.names.len() < 2000,
        "{}",
        c.names.len()
    );
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert_eq!(c.errors[0].kind, RejectKind::Truncated);

    let doc = format!(
        r#"{{"Records":[{}]}}"#,
        (0..2000)
            .map(|i| rec(&format!("N{i}")))
            .collect::<Vec<_>>()
            .join(",")
    );
    let z = gz(doc.as_bytes());
    let (c, _) = run(&z[..z.len() / 2]);
    assert!(!c.names.is_empty() && c.names.len() < 2000);
    assert!(
        c.errors.iter().any(|e| e.kind == RejectKind::Truncated),
        "{:?}",
        c.errors
    );
}

#[test]
fn long_lines_are_bounded() {
    let input = format!(
        "{}\n{{\"x\":\"{}\"}}\n{}\n",
        rec("A"),
        "y".repeat(5000),
        rec("B")
    );
    let mut r = open_reader(Box::new(std::io::Cursor::new(input.into_bytes()))).unwrap();
    let mut c = Collect::default();
    let opts = DecodeOptions {
        max_line_bytes: 1024,
        ..Default::default()
    };
    decode("t", &mut r, &opts, &mut c);
    assert_eq!(names(&c), ["A", "B"]);
    assert_eq!(c.errors[0].kind, RejectKind::LineTooLong);
    assert_eq!(c.errors[0].location, Location::Line(2));
}

#[test]
fn non_json_file_is_rejected_once() {
    let (c, s) = run(b"<!DOCTYPE html>\n<html>\n<body>\n</html>\n");
    assert!(c.names.is_empty());
    assert_eq!(s.rejected, 1);
    assert_eq!(c.errors[0].location, Location::Input);
}

#[test]
fn non_cloudtrail_json_file_is_rejected_once() {
    let digest =
        r#"{"awsAccountId":"111122223333","digestStartTime":"2026-01-01T00:00:00Z","logFiles":[]}"#;
    let (c, s) = run(digest.as_bytes());
    assert!(c.names.is_empty());
    assert_eq!(s.rejected, 1);
    assert_eq!(c.errors[0].kind, RejectKind::NotCloudTrail);
}

#[test]
fn empty_and_whitespace_inputs_are_fine() {
    for input in [&b""[..], b"   \n\n", b"\xEF\xBB\xBF"] {
        let (c, s) = run(input);
        assert!(c.names.is_empty() && c.errors.is_empty());
        assert_eq!(s.records, 0);
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = run(&bytes);
        }

        #[test]
        fn mutated_records_never_panic(cut in 0usize..400, flip in 0usize..400, b in any::<u8>()) {
            let doc = format!(r#"{{"Records":[{},{}]}}"#, rec("A"), rec("B"));
            let mut bytes = doc.into_bytes();
            let f = flip % bytes.len();
            bytes[f] = b;
            bytes.truncate(cut.min(bytes.len()));
            let _ = run(&bytes);
            let _ = run(&gz(&bytes));
        }
    }
}

#[test]
fn lines_straddling_buffer_fills_decode_identically() {
    let jsonl: String = (0..50)
        .map(|i| rec(&format!("N{i}")) + if i % 7 == 0 { "\r\n" } else { "\n" })
        .collect();
    let expected: Vec<String> = (0..50).map(|i| format!("N{i}@line {}", i + 1)).collect();
    for cap in [1, 7, 64, 199, 4096] {
        let mut r = std::io::BufReader::with_capacity(
            cap,
            std::io::Cursor::new(jsonl.clone().into_bytes()),
        );
        let mut c = Collect::default();
        let s = decode("t", &mut r, &DecodeOptions::default(), &mut c);
        assert_eq!(c.names, expected, "buffer capacity {cap}");
        assert_eq!(s.bytes, jsonl.len() as u64);
        // A limit below one record's size rejects every line, at the right line numbers.
        let mut r = std::io::BufReader::with_capacity(
            cap,
            std::io::Cursor::new(jsonl.clone().into_bytes()),
        );
        let mut c = Collect::default();
        let opts = DecodeOptions {
            max_line_bytes: 100,
            ..Default::default()
        };
        decode("t", &mut r, &opts, &mut c);
        assert!(c.names.is_empty());
        assert_eq!(c.errors.len(), 50, "capacity {cap}");
        assert_eq!(c.errors[49].location, Location::Line(50));
    }
}

//! Decoder for Amazon Route 53 Resolver query logs.
//!
//! Resolver query logs are JSON objects, one per line, in two deliveries:
//!
//! * **S3**: plain JSON Lines (gzip is undone before this decoder sees the bytes);
//! * **CloudWatch Logs** exports/subscriptions, where each line may carry an ISO-8601 timestamp
//!   and a space before the JSON (`2026-03-02T09:41:07.123Z {"version":...}`).
//!
//! The fields are those of the AWS documentation page "Values that appear in Resolver query
//! logs": `version`, `account_id`, `region`, `vpc_id`, `query_timestamp`, `query_name` (with its
//! trailing dot), `query_type`, `query_class`, `rcode`, `answers` (`Rdata`, `Type`, `Class`),
//! `srcaddr`, `srcport`, `transport`, `srcids` (`instance` or `resource`) and, when Route 53
//! Resolver DNS Firewall acted on the query, `firewall_rule_action`, `firewall_rule_group_id` and
//! `firewall_domain_list_id`. Unknown fields are ignored so newer log versions still decode.
//!
//! [`DnsQuery`] borrows its strings from the line whenever the JSON has no escapes (the usual
//! case), so decoding allocates only for the `answers` vector. Only `query_timestamp` and
//! `query_name` are required; every other field is optional because the set varies with the
//! log version and the kind of source (VPC instance, Resolver endpoint, ...).
//!
//! Bad lines (not UTF-8, not JSON, wrong shape, too long) are reported with their 1-based line
//! number and skipped; blank lines are ignored. Nothing here panics on any input.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead};

use serde::{Deserialize, Deserializer};

/// One Route 53 Resolver query log record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DnsQuery<'a> {
    /// Log format version, e.g. `1.100000`.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub version: Option<Cow<'a, str>>,
    /// Account that owns the VPC the query came from.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub account_id: Option<Cow<'a, str>>,
    /// Region of the VPC.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub region: Option<Cow<'a, str>>,
    /// VPC the query originated in.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub vpc_id: Option<Cow<'a, str>>,
    /// When Resolver received the query (ISO-8601, e.g. `2026-03-02T09:41:07Z`).
    #[serde(borrow)]
    pub query_timestamp: Cow<'a, str>,
    /// Queried name as logged, with its trailing dot (`example.com.`); see
    /// [`DnsQuery::query_name`].
    #[serde(borrow, rename = "query_name")]
    pub query_name_raw: Cow<'a, str>,
    /// Record type (`A`, `AAAA`, `TXT`, ...).
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub query_type: Option<Cow<'a, str>>,
    /// Query class, normally `IN`.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub query_class: Option<Cow<'a, str>>,
    /// DNS response code (`NOERROR`, `NXDOMAIN`, `SERVFAIL`, ...).
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub rcode: Option<Cow<'a, str>>,
    /// Answers Resolver returned (empty for NXDOMAIN and the like).
    #[serde(borrow, default, deserialize_with = "answers")]
    pub answers: Vec<DnsAnswer<'a>>,
    /// Source address of the query.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub srcaddr: Option<Cow<'a, str>>,
    /// Source port of the query (logged as a string; numbers are accepted too).
    #[serde(default, deserialize_with = "opt_port")]
    pub srcport: Option<u16>,
    /// `UDP` or `TCP`.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub transport: Option<Cow<'a, str>>,
    /// Which resource sent the query.
    #[serde(borrow, default)]
    pub srcids: Option<SrcIds<'a>>,
    /// DNS Firewall action (`ALERT`, `BLOCK`, `ALLOW`) when a firewall rule matched.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub firewall_rule_action: Option<Cow<'a, str>>,
    /// DNS Firewall rule group that matched.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub firewall_rule_group_id: Option<Cow<'a, str>>,
    /// DNS Firewall domain list that matched.
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub firewall_domain_list_id: Option<Cow<'a, str>>,
}

/// One answer of a query (`{"Rdata": ..., "Type": ..., "Class": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DnsAnswer<'a> {
    /// Answer data: an address, a name, TXT contents, ...
    #[serde(borrow, rename = "Rdata", default)]
    pub rdata: Cow<'a, str>,
    /// Record type of the answer.
    #[serde(borrow, rename = "Type", default, deserialize_with = "opt_cow")]
    pub rtype: Option<Cow<'a, str>>,
    /// Record class of the answer.
    #[serde(borrow, rename = "Class", default, deserialize_with = "opt_cow")]
    pub class: Option<Cow<'a, str>>,
}

/// The `srcids` object: the EC2 instance or other resource the query came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SrcIds<'a> {
    /// EC2 instance ID (`i-...`).
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub instance: Option<Cow<'a, str>>,
    /// Other source resource (e.g. a Resolver endpoint or a non-instance ENI owner).
    #[serde(borrow, default, deserialize_with = "opt_cow")]
    pub resource: Option<Cow<'a, str>>,
}

impl DnsQuery<'_> {
    /// The queried name without its trailing dot, case as logged (`example.com.` → `example.com`;
    /// the root `.` → empty).
    pub fn query_name(&self) -> &str {
        let n: &str = &self.query_name_raw;
        n.strip_suffix('.').unwrap_or(n)
    }

    /// EC2 instance that sent the query, if any.
    pub fn instance_id(&self) -> Option<&str> {
        self.srcids.as_ref()?.instance.as_deref()
    }

    /// `query_timestamp` as milliseconds since the Unix epoch; `None` if it is not ISO-8601.
    pub fn time_ms(&self) -> Option<i64> {
        parse_iso_ms(&self.query_timestamp)
    }
}

/// A line that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsError {
    /// What was wrong with it.
    pub message: String,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DnsError {}

impl DnsError {
    fn new(message: impl Into<String>) -> Self {
        DnsError {
            message: message.into(),
        }
    }
}

/// `Option<Cow<str>>` that borrows: serde's own impl always allocates.
#[derive(Deserialize)]
struct BorrowedStr<'a>(#[serde(borrow)] Cow<'a, str>);

fn opt_cow<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<BorrowedStr<'de>>::deserialize(d)?.map(|s| s.0))
}

/// `answers`, with `null` read as no answers.
fn answers<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<DnsAnswer<'a>>, D::Error> {
    Ok(Option::<Vec<DnsAnswer<'de>>>::deserialize(d)?.unwrap_or_default())
}

/// `srcport` as a string (`"44013"`, as AWS logs it) or a number.
fn opt_port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port<'a> {
        Num(u64),
        Str(#[serde(borrow)] Cow<'a, str>),
    }
    let port = match Option::<Port<'de>>::deserialize(d)? {
        None => return Ok(None),
        Some(Port::Num(n)) => u16::try_from(n).ok(),
        Some(Port::Str(s)) if s.is_empty() || s == "-" => return Ok(None),
        Some(Port::Str(s)) => s.trim().parse::<u16>().ok(),
    };
    port.map(Some)
        .ok_or_else(|| serde::de::Error::custom("srcport is not a port number"))
}

/// Parse one line: a JSON record, optionally preceded by a CloudWatch Logs timestamp and a space.
/// Leading/trailing whitespace (including `\r`) is ignored.
pub fn parse_line<'a>(line: &'a str) -> Result<DnsQuery<'a>, DnsError> {
    let text = line.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(DnsError::new("empty line"));
    }
    let json = strip_cloudwatch_prefix(text);
    if !json.starts_with('{') {
        let shown: String = json.chars().take(40).collect();
        return Err(DnsError::new(format!(
            "not a JSON object (starts with {shown:?})"
        )));
    }
    serde_json::from_str::<DnsQuery<'a>>(json).map_err(|e| DnsError::new(e.to_string()))
}

/// `2026-03-02T09:41:07.123Z {json}` → `{json}`; anything else unchanged.
fn strip_cloudwatch_prefix(text: &str) -> &str {
    if text.starts_with('{') {
        return text;
    }
    match text.split_once(' ') {
        Some((stamp, rest)) if parse_iso_ms(stamp).is_some() => rest.trim_start(),
        _ => text,
    }
}

/// Decode line-delimited Resolver query logs from `input`.
///
/// Each decoded record goes to `on_record` with its 1-based line number; each bad line to
/// `on_error` with its line number, after which decoding carries on. Lines longer than
/// `max_line_bytes` (newline excluded) are rejected without being buffered whole. Blank lines are
/// skipped silently. Returns `(records decoded, lines rejected)`; an `Err` only for a read error
/// of `input` itself (records before it have been delivered).
pub fn decode_lines(
    input: &mut dyn BufRead,
    max_line_bytes: usize,
    on_record: &mut dyn FnMut(&DnsQuery<'_>, u64),
    on_error: &mut dyn FnMut(u64, DnsError),
) -> io::Result<(u64, u64)> {
    let mut buf = Vec::new();
    let mut line_no: u64 = 0;
    let (mut ok, mut bad) = (0u64, 0u64);
    loop {
        let Some((total, newline)) = read_line(input, &mut buf, max_line_bytes)? else {
            return Ok((ok, bad));
        };
        line_no += 1;
        let content_len = total - u64::from(newline);
        if content_len > max_line_bytes as u64 {
            bad += 1;
            on_error(
                line_no,
                DnsError::new(format!(
                    "line of {content_len} bytes exceeds the {max_line_bytes} byte limit"
                )),
            );
            continue;
        }
        let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let text = match std::str::from_utf8(body) {
            Ok(t) => t,
            Err(e) => {
                bad += 1;
                on_error(line_no, DnsError::new(format!("not UTF-8: {e}")));
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        match parse_line(text) {
            Ok(q) => {
                ok += 1;
                on_record(&q, line_no);
            }
            Err(e) => {
                bad += 1;
                on_error(line_no, e);
            }
        }
    }
}

/// Read one line (with its `\n`) into `buf`, keeping at most `max + 1` bytes (enough for a line
/// at the limit and its newline) and skipping the rest. Returns `None` at the end of the input,
/// else the line's full length in bytes and whether it ended with a newline.
fn read_line(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<(u64, bool)>> {
    buf.clear();
    let mut total: u64 = 0;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((total > 0).then_some((total, false)));
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = max.saturating_add(1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        total += take as u64;
        reader.consume(take);
        if done {
            return Ok(Some((total, true)));
        }
    }
}

/// Milliseconds since the Unix epoch of an ISO-8601 date-time:
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`; a missing zone is read as UTC. Parsed by
/// hand (the common Resolver forms are `2026-03-02T09:41:07Z` and `...07.123Z`).
pub fn parse_iso_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v: i64 = 0;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis: i64 = 0;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        let mut scale = 100;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            millis += i64::from(c - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset_s: i64 = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &b[i + 1..];
            let (h, m) = match rest.len() {
                5 if rest[2] == b':' => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                4 => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                2 => (num(i + 1..i + 3)?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some(secs * 1000 + millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample record of the AWS documentation (Resolver query logging, "Values that appear in
    /// Resolver query logs"), pretty-printing removed.
    const AWS_SAMPLE: &str = r#"{"version": "1.100000","account_id": "111122223333","region": "us-east-1","vpc_id": "vpc-7example","query_timestamp": "2020-07-20T18:39:22Z","query_name": "example.com.","query_type": "A","query_class": "IN","rcode": "NOERROR","answers": [{"Rdata": "93.184.216.34","Type": "A","Class": "IN"}],"srcaddr": "172.31.19.21","srcport": "44013","transport": "UDP","srcids": {"instance": "i-0d15cd0d3example"}}"#;

    fn borrowed(c: &Option<Cow<'_, str>>) -> bool {
        matches!(c, Some(Cow::Borrowed(_)))
    }

    #[test]
    fn aws_sample_record() {
        let q = parse_line(AWS_SAMPLE).unwrap();
        assert_eq!(q.version.as_deref(), Some("1.100000"));
        assert_eq!(q.account_id.as_deref(), Some("111122223333"));
        assert_eq!(q.region.as_deref(), Some("us-east-1"));
        assert_eq!(q.vpc_id.as_deref(), Some("vpc-7example"));
        assert_eq!(q.query_name(), "example.com");
        assert_eq!(q.query_name_raw, "example.com.");
        assert_eq!(q.query_type.as_deref(), Some("A"));
        assert_eq!(q.query_class.as_deref(), Some("IN"));
        assert_eq!(q.rcode.as_deref(), Some("NOERROR"));
        assert_eq!(q.answers.len(), 1);
        assert_eq!(q.answers[0].rdata, "93.184.216.34");
        assert_eq!(q.answers[0].rtype.as_deref(), Some("A"));
        assert_eq!(q.answers[0].class.as_deref(), Some("IN"));
        assert_eq!(q.srcaddr.as_deref(), Some("172.31.19.21"));
        assert_eq!(q.srcport, Some(44013));
        assert_eq!(q.transport.as_deref(), Some("UDP"));
        assert_eq!(q.instance_id(), Some("i-0d15cd0d3example"));
        assert_eq!(q.firewall_rule_action, None);
        // 2020-07-20T18:39:22Z
        assert_eq!(q.time_ms(), Some(1_595_270_362_000));
        // Strings are borrowed from the line, optional ones included.
        assert!(matches!(q.query_name_raw, Cow::Borrowed(_)));
        assert!(borrowed(&q.account_id));
        assert!(borrowed(&q.vpc_id));
        assert!(borrowed(&q.srcids.as_ref().unwrap().instance));
        assert!(matches!(q.answers[0].rdata, Cow::Borrowed(_)));
    }

    #[test]
    fn aaaa_and_txt_queries() {
        let aaaa = r#"{"version":"1.100000","account_id":"111122223333","region":"eu-west-1","vpc_id":"vpc-1","query_timestamp":"2026-03-02T09:41:07.123Z","query_name":"ipv6.Example.org.","query_type":"AAAA","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"ipv6.cdn.example.net.","Type":"CNAME","Class":"IN"},{"Rdata":"2001:db8::1","Type":"AAAA","Class":"IN"}],"srcaddr":"10.0.0.5","srcport":"53211","transport":"UDP","srcids":{"instance":"i-0123456789abcdef0"}}"#;
        let q = parse_line(aaaa).unwrap();
        assert_eq!(q.query_type.as_deref(), Some("AAAA"));
        assert_eq!(q.query_name(), "ipv6.Example.org");
        assert_eq!(q.answers.len(), 2);
        assert_eq!(q.answers[1].rdata, "2001:db8::1");
        assert_eq!(q.answers[0].rtype.as_deref(), Some("CNAME"));
        assert_eq!(q.time_ms(), Some(1_772_444_467_123));

        let txt = r#"{"version":"1.100000","account_id":"111122223333","region":"eu-west-1","vpc_id":"vpc-1","query_timestamp":"2026-03-02T09:41:08Z","query_name":"_dmarc.example.com.","query_type":"TXT","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"\"v=DMARC1; p=none\"","Type":"TXT","Class":"IN"}],"srcaddr":"10.0.0.5","srcport":40000,"transport":"TCP","srcids":{"instance":"i-0123456789abcdef0"}}"#;
        let q = parse_line(txt).unwrap();
        assert_eq!(q.query_type.as_deref(), Some("TXT"));
        assert_eq!(q.answers[0].rdata, "\"v=DMARC1; p=none\"");
        // Escaped strings are owned, not an error.
        assert!(matches!(q.answers[0].rdata, Cow::Owned(_)));
        assert_eq!(q.srcport, Some(40000));
        assert_eq!(q.transport.as_deref(), Some("TCP"));
        assert_eq!(q.time_ms(), Some(1_772_444_468_000));
    }

    #[test]
    fn nxdomain_without_answers() {
        let line = r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-7example","query_timestamp":"2026-03-02T09:41:07Z","query_name":"qxkvbzjwpl.biz.","query_type":"A","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"172.31.19.21","srcport":"44013","transport":"UDP","srcids":{"instance":"i-0d15cd0d3example"}}"#;
        let q = parse_line(line).unwrap();
        assert_eq!(q.rcode.as_deref(), Some("NXDOMAIN"));
        assert!(q.answers.is_empty());
        assert_eq!(q.query_name(), "qxkvbzjwpl.biz");
        // `answers` missing or null is the same.
        let null = line.replace(r#""answers":[],"#, r#""answers":null,"#);
        assert!(parse_line(&null).unwrap().answers.is_empty());
        let missing = line.replace(r#""answers":[],"#, "");
        let q = parse_line(&missing).unwrap();
        assert!(q.answers.is_empty());
    }

    #[test]
    fn srcids_instance_and_resource() {
        let base = r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-7example","query_timestamp":"2026-03-02T09:41:07Z","query_name":"example.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"172.31.19.21","srcport":"44013","transport":"UDP","srcids":SRCIDS}"#;
        let line = base.replace("SRCIDS", r#"{"instance":"i-0abc"}"#);
        let q = parse_line(&line).unwrap();
        assert_eq!(q.instance_id(), Some("i-0abc"));
        assert_eq!(q.srcids.as_ref().unwrap().resource, None);

        let line = base.replace("SRCIDS", r#"{"resource":"rslvr-in-0123456789abcdef0"}"#);
        let q = parse_line(&line).unwrap();
        assert_eq!(q.instance_id(), None);
        assert_eq!(
            q.srcids.as_ref().unwrap().resource.as_deref(),
            Some("rslvr-in-0123456789abcdef0")
        );

        let line = base.replace(r#","srcids":SRCIDS"#, "");
        let q = parse_line(&line).unwrap();
        assert_eq!(q.srcids, None);
        assert_eq!(q.instance_id(), None);
    }

    #[test]
    fn firewall_fields() {
        let line = r#"{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2026-03-02T09:41:07Z","query_name":"bad.example.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.1","srcport":"1","transport":"UDP","srcids":{"instance":"i-1"},"firewall_rule_action":"BLOCK","firewall_rule_group_id":"rslvr-frg-1","firewall_domain_list_id":"rslvr-fdl-1","firewall_protection":"DGA","new_field":{"x":[1,2]}}"#;
        let q = parse_line(line).unwrap();
        assert_eq!(q.firewall_rule_action.as_deref(), Some("BLOCK"));
        assert_eq!(q.firewall_rule_group_id.as_deref(), Some("rslvr-frg-1"));
        assert_eq!(q.firewall_domain_list_id.as_deref(), Some("rslvr-fdl-1"));
    }

    #[test]
    fn cloudwatch_prefix() {
        let line = format!("2026-03-02T09:41:07.123Z {AWS_SAMPLE}");
        let q = parse_line(&line).unwrap();
        assert_eq!(q.query_name(), "example.com");
        // The record's own timestamp wins.
        assert_eq!(q.time_ms(), Some(1_595_270_362_000));
        let line = format!("2026-03-02T09:41:07Z {AWS_SAMPLE}\r\n");
        assert!(parse_line(&line).is_ok());
        assert!(parse_line(&format!("garbage {AWS_SAMPLE}")).is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_iso_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso_ms("1970-01-01T00:00:00.5Z"), Some(500));
        assert_eq!(parse_iso_ms("1970-01-01T00:00:00.123456Z"), Some(123));
        assert_eq!(parse_iso_ms("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_iso_ms("1969-12-31T23:00:00-0100"), Some(0));
        assert_eq!(
            parse_iso_ms("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
        assert_eq!(parse_iso_ms("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_iso_ms("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_iso_ms("2026-03-02T24:00:00Z"), None);
        assert_eq!(parse_iso_ms("2026-03-02T09:41:07.Z"), None);
        assert_eq!(parse_iso_ms("2026-03-02T09:41:07Zx"), None);
        assert_eq!(parse_iso_ms("2026-03-02"), None);
        assert_eq!(parse_iso_ms("２026-03-02T09:41:07Z"), None);
    }

    #[test]
    fn malformed_lines_are_reported_with_line_numbers() {
        let input = format!(
            "{AWS_SAMPLE}\n\nnot json\n{{\"query_name\":\"a.\"}}\n{{\"query_timestamp\":\"x\",\"query_name\":5}}\n\
             {{\"query_timestamp\":\"2026-03-02T09:41:07Z\",\"query_name\":\"b.\",\"srcport\":\"http\"}}\n\
             [1,2]\n{}\n{AWS_SAMPLE}\r\n\u{0}\u{1}\n{AWS_SAMPLE}",
            "x".repeat(5000)
        );
        let mut bytes = input.into_bytes();
        bytes.extend_from_slice(b"\n\xff\xfe{}\n");
        let mut good = Vec::new();
        let mut bad = Vec::new();
        let (n_ok, n_bad) = decode_lines(
            &mut &bytes[..],
            4096,
            &mut |q, line| good.push((line, q.query_name().to_string())),
            &mut |line, e| bad.push((line, e.message)),
        )
        .unwrap();
        assert_eq!(
            good,
            vec![
                (1, "example.com".to_string()),
                (9, "example.com".to_string()),
                (11, "example.com".to_string())
            ]
        );
        let lines: Vec<u64> = bad.iter().map(|b| b.0).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 10, 12], "{bad:#?}");
        assert!(bad[1].1.contains("query_timestamp"), "{}", bad[1].1);
        assert!(bad[5].1.contains("exceeds"), "{}", bad[5].1);
        assert!(bad[7].1.contains("UTF-8"), "{}", bad[7].1);
        assert_eq!((n_ok, n_bad), (3, 8));
    }

    #[test]
    fn line_length_limit_is_exact() {
        let line = AWS_SAMPLE;
        for (max, ok) in [(line.len(), 1), (line.len() - 1, 0)] {
            for ending in ["", "\n", "\r\n"] {
                let input = format!("{line}{ending}");
                let mut n = 0;
                let (n_ok, _) = decode_lines(
                    &mut input.as_bytes(),
                    max,
                    &mut |_, _| n += 1,
                    &mut |_, _| {},
                )
                .unwrap();
                // `\r` counts towards the limit.
                let expect = if ending == "\r\n" && max == line.len() {
                    0
                } else {
                    ok
                };
                assert_eq!((n, n_ok), (expect, expect), "max {max} ending {ending:?}");
            }
        }
    }

    #[test]
    fn no_panic_on_mutated_lines() {
        // Deterministic xorshift: truncations, byte flips and insertions of JSON-significant
        // bytes at every kind of position.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let seeds = [
            AWS_SAMPLE.to_string(),
            format!("2026-03-02T09:41:07.123Z {AWS_SAMPLE}"),
        ];
        let specials = b"{}[]\":,\\. 0-9TZ\n\r\x00\xff";
        let mut parsed = 0;
        for seed in &seeds {
            for _ in 0..5000 {
                let mut b = seed.as_bytes().to_vec();
                for _ in 0..(1 + next() % 4) {
                    let pos = (next() as usize) % (b.len() + 1);
                    match next() % 4 {
                        0 => b.truncate(pos),
                        1 if pos < b.len() => b[pos] = specials[(next() as usize) % specials.len()],
                        2 => b.insert(pos, specials[(next() as usize) % specials.len()]),
                        _ if pos < b.len() => {
                            b.remove(pos);
                        }
                        _ => {}
                    }
                }
                if let Ok(s) = std::str::from_utf8(&b)
                    && let Ok(q) = parse_line(s)
                {
                    parsed += 1;
                    let _ = (q.query_name(), q.instance_id(), q.time_ms());
                }
                let _ = decode_lines(
                    &mut &b[..],
                    256,
                    &mut |q, _| {
                        let _ = q.time_ms();
                    },
                    &mut |_, _| {},
                );
            }
        }
        assert!(parsed > 0);
        for s in [
            "",
            " ",
            ".",
            "{",
            "}",
            "\"",
            "9999-99-99T99:99:99Z {}",
            "0000-01-01T00:00:00Z",
        ] {
            let _ = parse_line(s);
            let _ = parse_iso_ms(s);
        }
    }
}

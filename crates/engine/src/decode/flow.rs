//! Amazon VPC Flow Logs decoder (text formats).
//!
//! AWS writes flow log records as space-separated fields, one record per line:
//!
//! * the **default (v2) format**: `version account-id interface-id srcaddr dstaddr srcport
//!   dstport protocol packets bytes start end action log-status` — with no header line when
//!   delivered to CloudWatch Logs;
//! * **custom formats**: any subset of the v2–v8 fields (`vpc-id`, `subnet-id`,
//!   `instance-id`, `tcp-flags`, `type`, `pkt-srcaddr`, `pkt-dstaddr`, `region`, `az-id`,
//!   `sublocation-*`, `pkt-src-aws-service`, `pkt-dst-aws-service`, `flow-direction`,
//!   `traffic-path`, `ecs-*`, `reject-reason`, ...) in any order. In S3 delivery the first line
//!   of every object is a header naming the fields (`version account-id interface-id ...`).
//!
//! A field that does not apply is written `-`; `NODATA` / `SKIPDATA` records have `-` for most
//! fields. Header fields this module does not know are kept and reachable by name through
//! [`FlowRecord::field`]; they are never an error.
//!
//! [`FlowLayout`] maps columns to fields (from a header line, or [`FlowLayout::default_v2`]),
//! [`parse_line`] turns one line into a borrowed [`FlowRecord`] without allocating, and
//! [`decode_lines`] drives a whole (decompressed) input: it detects the header, skips blank
//! lines, accepts CloudWatch Logs exports (`2024-01-01T00:00:00.000Z <record>`), accepts CRLF
//! endings, reports bad lines with 1-based line numbers and keeps going.
//!
//! Speed: fields are split by a byte loop, integers and IPv4 addresses are parsed by hand, and a
//! line that lies entirely within the reader's buffer is parsed in place (no copy, no
//! allocation per line).

use std::fmt;
use std::io::{self, BufRead};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The typed fields of [`FlowRecord`]; every other header field is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    PktSrcAddr,
    PktDstAddr,
    Region,
    FlowDirection,
    PktSrcAwsService,
    PktDstAwsService,
    Other,
}

/// Field names AWS documents for flow log records (v2–v8). Used to recognise header lines.
pub(crate) const KNOWN_FIELDS: &[&str] = &[
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
    "vpc-id",
    "subnet-id",
    "instance-id",
    "tcp-flags",
    "type",
    "pkt-srcaddr",
    "pkt-dstaddr",
    "region",
    "az-id",
    "sublocation-type",
    "sublocation-id",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
    "flow-direction",
    "traffic-path",
    "ecs-cluster-arn",
    "ecs-cluster-name",
    "ecs-container-instance-arn",
    "ecs-container-instance-id",
    "ecs-container-id",
    "ecs-second-container-id",
    "ecs-service-name",
    "ecs-task-definition-arn",
    "ecs-task-arn",
    "ecs-task-id",
    "reject-reason",
];

const DEFAULT_V2: &[&str] = &[
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

pub(crate) fn kind_of(name: &str) -> Kind {
    match name {
        "version" => Kind::Version,
        "account-id" => Kind::AccountId,
        "interface-id" => Kind::InterfaceId,
        "srcaddr" => Kind::SrcAddr,
        "dstaddr" => Kind::DstAddr,
        "srcport" => Kind::SrcPort,
        "dstport" => Kind::DstPort,
        "protocol" => Kind::Protocol,
        "packets" => Kind::Packets,
        "bytes" => Kind::Bytes,
        "start" => Kind::Start,
        "end" => Kind::End,
        "action" => Kind::Action,
        "log-status" => Kind::LogStatus,
        "vpc-id" => Kind::VpcId,
        "subnet-id" => Kind::SubnetId,
        "instance-id" => Kind::InstanceId,
        "tcp-flags" => Kind::TcpFlags,
        "pkt-srcaddr" => Kind::PktSrcAddr,
        "pkt-dstaddr" => Kind::PktDstAddr,
        "region" => Kind::Region,
        "flow-direction" => Kind::FlowDirection,
        "pkt-src-aws-service" => Kind::PktSrcAwsService,
        "pkt-dst-aws-service" => Kind::PktDstAwsService,
        _ => Kind::Other,
    }
}

/// Strips the `${...}` of AWS's format-string syntax.
fn strip_format_braces(name: &str) -> &str {
    name.strip_prefix("${")
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name)
}

/// Normalised field name: `${x}` → `x`, lower case, `_` → `-` (Athena/Parquet style names).
pub(crate) fn normalize_name(name: &str) -> String {
    strip_format_braces(name)
        .bytes()
        .map(|b| match b {
            b'_' => '-',
            b => b.to_ascii_lowercase() as char,
        })
        .collect()
}

/// Compares a stored (normalised) name with a query, normalising the query on the fly.
fn name_matches(stored: &str, query: &str) -> bool {
    let query = strip_format_braces(query);
    stored.len() == query.len()
        && stored.bytes().zip(query.bytes()).all(|(s, q)| {
            let q = if q == b'_' {
                b'-'
            } else {
                q.to_ascii_lowercase()
            };
            s == q
        })
}

/// Which column holds which field, from a header line (or the default v2 layout).
#[derive(Debug, Clone)]
pub struct FlowLayout {
    /// Normalised field names, one per column.
    names: Vec<String>,
    /// Typed kind of each column.
    kinds: Vec<Kind>,
}

impl FlowLayout {
    /// The default format: the 14 version 2 fields in AWS's order.
    pub fn default_v2() -> Self {
        Self::from_names(DEFAULT_V2.iter().map(|s| s.to_string()).collect())
    }

    fn from_names(names: Vec<String>) -> Self {
        let kinds = names.iter().map(|n| kind_of(n)).collect();
        FlowLayout { names, kinds }
    }

    /// Parse a header line; None when the line is not a header (e.g. it starts with a digit).
    ///
    /// A header is a line whose every token is a field name (a letter followed by letters,
    /// digits, `-`, `_` or `.`; AWS's `${field}` spelling is accepted too) and which names at
    /// least one documented flow log field. Names are normalised to lower case with `-`.
    pub fn from_header(line: &str) -> Option<Self> {
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        let mut names = Vec::new();
        let mut known = false;
        for token in line.split(|c: char| c.is_ascii_whitespace()) {
            if token.is_empty() {
                continue;
            }
            let bare = strip_format_braces(token);
            let mut bytes = bare.bytes();
            match bytes.next() {
                Some(b) if b.is_ascii_alphabetic() => {}
                _ => return None,
            }
            if !bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
                return None;
            }
            let name = normalize_name(bare);
            known |= KNOWN_FIELDS.contains(&name.as_str());
            names.push(name);
        }
        if names.is_empty() || !known {
            return None;
        }
        Some(Self::from_names(names))
    }

    /// The (normalised) field names, one per column.
    pub fn field_names(&self) -> &[String] {
        &self.names
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when the layout has no columns (never the case for a parsed header).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Column of a field by name (`traffic-path`, `traffic_path` and `${traffic-path}` all match).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| name_matches(n, name))
    }
}

/// `action` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowAction {
    Accept,
    Reject,
}

/// `log-status` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStatus {
    Ok,
    NoData,
    SkipData,
}

/// `flow-direction` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowDirection {
    Ingress,
    Egress,
}

/// One record, borrowing from the line. Numbers parsed; addresses as std::net::IpAddr.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowRecord<'a> {
    pub version: Option<u8>,
    pub account_id: Option<&'a str>,
    pub interface_id: Option<&'a str>,
    pub srcaddr: Option<IpAddr>,
    pub dstaddr: Option<IpAddr>,
    pub srcport: Option<u16>,
    pub dstport: Option<u16>,
    pub protocol: Option<u8>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    /// Epoch seconds.
    pub start: Option<i64>,
    /// Epoch seconds.
    pub end: Option<i64>,
    pub action: Option<FlowAction>,
    pub log_status: Option<LogStatus>,
    pub vpc_id: Option<&'a str>,
    pub subnet_id: Option<&'a str>,
    pub instance_id: Option<&'a str>,
    pub tcp_flags: Option<u16>,
    pub pkt_srcaddr: Option<IpAddr>,
    pub pkt_dstaddr: Option<IpAddr>,
    pub region: Option<&'a str>,
    pub flow_direction: Option<FlowDirection>,
    pub pkt_src_aws_service: Option<&'a str>,
    pub pkt_dst_aws_service: Option<&'a str>,
    /// Every field of the line by column, for fields not typed above (and for user rules).
    /// This is the record text itself: without a CloudWatch export timestamp, CR or
    /// surrounding whitespace. Empty for records decoded from Parquet, which has no record text
    /// (its untyped columns are not read).
    pub raw: &'a str,
}

impl<'a> FlowRecord<'a> {
    pub(crate) fn empty(raw: &'a str) -> Self {
        FlowRecord {
            version: None,
            account_id: None,
            interface_id: None,
            srcaddr: None,
            dstaddr: None,
            srcport: None,
            dstport: None,
            protocol: None,
            packets: None,
            bytes: None,
            start: None,
            end: None,
            action: None,
            log_status: None,
            vpc_id: None,
            subnet_id: None,
            instance_id: None,
            tcp_flags: None,
            pkt_srcaddr: None,
            pkt_dstaddr: None,
            region: None,
            flow_direction: None,
            pkt_src_aws_service: None,
            pkt_dst_aws_service: None,
            raw,
        }
    }

    /// Any field by its header name (e.g. "traffic-path"), None for "-" or absent.
    pub fn field(&self, layout: &FlowLayout, name: &str) -> Option<&'a str> {
        let index = layout.index_of(name)?;
        self.column(index)
    }

    /// The text of column `index` (0-based), None for "-" or absent.
    pub fn column(&self, index: usize) -> Option<&'a str> {
        Fields::new(self.raw)
            .nth(index)
            .filter(|value| *value != "-")
    }
}

/// A record that could not be decoded; the message names the field and the bad value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowError {
    pub message: String,
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FlowError {}

impl FlowError {
    pub(crate) fn new(message: String) -> Self {
        FlowError { message }
    }
}

/// Quoted, length-limited rendering of a bad value for error messages.
pub(crate) fn shown(value: &str) -> String {
    const MAX: usize = 64;
    if value.chars().count() <= MAX {
        format!("{value:?}")
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("{cut:?}…")
    }
}

#[cold]
#[inline(never)]
fn bad_field(layout: &FlowLayout, column: usize, value: &str) -> FlowError {
    FlowError::new(format!(
        "field `{}` (column {}): invalid value {}",
        layout.names[column],
        column + 1,
        shown(value)
    ))
}

/// Separators: any ASCII space or control byte (space, tab, CR, ...).
#[inline(always)]
fn is_sep(b: u8) -> bool {
    b <= b' '
}

/// Iterator over the whitespace-separated fields of a record.
struct Fields<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Fields<'a> {
    fn new(text: &'a str) -> Self {
        Fields { text, pos: 0 }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    #[inline(always)]
    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let mut pos = self.pos;
        while pos < bytes.len() && is_sep(bytes[pos]) {
            pos += 1;
        }
        if pos >= bytes.len() {
            self.pos = pos;
            return None;
        }
        let start = pos;
        while pos < bytes.len() && !is_sep(bytes[pos]) {
            pos += 1;
        }
        self.pos = pos;
        // Both ends sit next to ASCII bytes (or the ends of the text): char boundaries.
        Some(&self.text[start..pos])
    }
}

#[inline(always)]
fn parse_u64(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    if bytes.len() < 20 {
        // At most 19 digits: cannot overflow.
        for &b in bytes {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            value = value * 10 + d as u64;
        }
    } else {
        for &b in bytes {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            value = value.checked_mul(10)?.checked_add(d as u64)?;
        }
    }
    Some(value)
}

#[inline(always)]
fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let bytes = s.as_bytes();
    if bytes.len() < 7 || bytes.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut index = 0;
    let mut value: u32 = 0;
    let mut digits = 0;
    for &b in bytes {
        let d = b.wrapping_sub(b'0');
        if d <= 9 {
            if digits == 3 {
                return None;
            }
            value = value * 10 + d as u32;
            digits += 1;
        } else if b == b'.' {
            if digits == 0 || index == 3 || value > 255 {
                return None;
            }
            octets[index] = value as u8;
            index += 1;
            value = 0;
            digits = 0;
        } else {
            return None;
        }
    }
    if index != 3 || digits == 0 || value > 255 {
        return None;
    }
    octets[3] = value as u8;
    Some(Ipv4Addr::from(octets))
}

#[inline(always)]
fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Some(v4) = parse_ipv4(s) {
        return Some(IpAddr::V4(v4));
    }
    if s.as_bytes().contains(&b':') {
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    None
}

fn parse_action(s: &str) -> Option<FlowAction> {
    match s {
        "ACCEPT" => Some(FlowAction::Accept),
        "REJECT" => Some(FlowAction::Reject),
        _ if s.eq_ignore_ascii_case("accept") => Some(FlowAction::Accept),
        _ if s.eq_ignore_ascii_case("reject") => Some(FlowAction::Reject),
        _ => None,
    }
}

fn parse_status(s: &str) -> Option<LogStatus> {
    match s {
        "OK" => Some(LogStatus::Ok),
        "NODATA" => Some(LogStatus::NoData),
        "SKIPDATA" => Some(LogStatus::SkipData),
        _ if s.eq_ignore_ascii_case("ok") => Some(LogStatus::Ok),
        _ if s.eq_ignore_ascii_case("nodata") => Some(LogStatus::NoData),
        _ if s.eq_ignore_ascii_case("skipdata") => Some(LogStatus::SkipData),
        _ => None,
    }
}

fn parse_direction(s: &str) -> Option<FlowDirection> {
    match s {
        "ingress" => Some(FlowDirection::Ingress),
        "egress" => Some(FlowDirection::Egress),
        _ if s.eq_ignore_ascii_case("ingress") => Some(FlowDirection::Ingress),
        _ if s.eq_ignore_ascii_case("egress") => Some(FlowDirection::Egress),
        _ => None,
    }
}

/// True for a token shaped like an ISO-8601 date-time (`2024-01-31T...`), as CloudWatch Logs
/// exports put before each message.
fn is_iso_timestamp(token: &[u8]) -> bool {
    token.len() >= 10
        && token[..4].iter().all(u8::is_ascii_digit)
        && token[4] == b'-'
        && token[5..7].iter().all(u8::is_ascii_digit)
        && token[7] == b'-'
        && token[8..10].iter().all(u8::is_ascii_digit)
}

/// Trims separators and a leading CloudWatch Logs export timestamp.
fn record_text(line: &str) -> &str {
    let line = line.trim_matches(|c: char| c.is_ascii() && is_sep(c as u8));
    let bytes = line.as_bytes();
    if bytes.len() > 10 && bytes[0].is_ascii_digit() && bytes[4] == b'-' {
        let end = bytes.iter().position(|&b| is_sep(b)).unwrap_or(bytes.len());
        if is_iso_timestamp(&bytes[..end]) {
            return line[end..].trim_start_matches(|c: char| c.is_ascii() && is_sep(c as u8));
        }
    }
    line
}

/// Parse one line (no trailing newline) with a layout. Errors: wrong number of fields, a typed
/// field that doesn't parse (e.g. port 70000, bad IP, unknown action) — the message names the
/// field and the bad value.
///
/// A leading CloudWatch Logs export timestamp and a trailing CR are tolerated; runs of blanks
/// count as one separator.
pub fn parse_line<'a>(layout: &FlowLayout, line: &'a str) -> Result<FlowRecord<'a>, FlowError> {
    let raw = record_text(line);
    let mut rec = FlowRecord::empty(raw);
    let kinds = layout.kinds.as_slice();
    let mut fields = Fields::new(raw);
    let mut column = 0usize;
    while let Some(value) = fields.next() {
        let Some(&kind) = kinds.get(column) else {
            let found = column + 1 + fields.count();
            return Err(wrong_count(layout, found));
        };
        if value == "-" {
            column += 1;
            continue;
        }
        if !set_field(&mut rec, kind, value) {
            return Err(bad_field(layout, column, value));
        }
        column += 1;
    }
    if column != kinds.len() {
        return Err(wrong_count(layout, column));
    }
    Ok(rec)
}

/// Store one field's text (not `-`) in its typed slot; false when the text does not parse as
/// that field's type. Shared by the text and Parquet decoders so both accept exactly the same
/// values.
#[inline(always)]
pub(crate) fn set_field<'a>(rec: &mut FlowRecord<'a>, kind: Kind, value: &'a str) -> bool {
    macro_rules! typed {
        ($slot:ident, $parse:expr) => {
            match $parse {
                Some(v) => rec.$slot = Some(v),
                None => return false,
            }
        };
    }
    match kind {
        Kind::Version => typed!(version, parse_u64(value).and_then(|v| u8::try_from(v).ok())),
        Kind::AccountId => rec.account_id = Some(value),
        Kind::InterfaceId => rec.interface_id = Some(value),
        Kind::SrcAddr => typed!(srcaddr, parse_ip(value)),
        Kind::DstAddr => typed!(dstaddr, parse_ip(value)),
        Kind::SrcPort => typed!(
            srcport,
            parse_u64(value).and_then(|v| u16::try_from(v).ok())
        ),
        Kind::DstPort => typed!(
            dstport,
            parse_u64(value).and_then(|v| u16::try_from(v).ok())
        ),
        Kind::Protocol => typed!(
            protocol,
            parse_u64(value).and_then(|v| u8::try_from(v).ok())
        ),
        Kind::Packets => typed!(packets, parse_u64(value)),
        Kind::Bytes => typed!(bytes, parse_u64(value)),
        Kind::Start => typed!(start, parse_u64(value).and_then(|v| i64::try_from(v).ok())),
        Kind::End => typed!(end, parse_u64(value).and_then(|v| i64::try_from(v).ok())),
        Kind::Action => typed!(action, parse_action(value)),
        Kind::LogStatus => typed!(log_status, parse_status(value)),
        Kind::VpcId => rec.vpc_id = Some(value),
        Kind::SubnetId => rec.subnet_id = Some(value),
        Kind::InstanceId => rec.instance_id = Some(value),
        Kind::TcpFlags => typed!(
            tcp_flags,
            parse_u64(value).and_then(|v| u16::try_from(v).ok())
        ),
        Kind::PktSrcAddr => typed!(pkt_srcaddr, parse_ip(value)),
        Kind::PktDstAddr => typed!(pkt_dstaddr, parse_ip(value)),
        Kind::Region => rec.region = Some(value),
        Kind::FlowDirection => typed!(flow_direction, parse_direction(value)),
        Kind::PktSrcAwsService => rec.pkt_src_aws_service = Some(value),
        Kind::PktDstAwsService => rec.pkt_dst_aws_service = Some(value),
        Kind::Other => {}
    }
    true
}

/// Store an integer in a numeric field's slot; false when it is out of the field's range
/// (a port above 65535, a negative byte count). Non-numeric kinds take no integers.
#[cfg(feature = "parquet")]
#[inline(always)]
pub(crate) fn set_int(rec: &mut FlowRecord<'_>, kind: Kind, value: i128) -> bool {
    macro_rules! typed {
        ($slot:ident, $ty:ty) => {
            match <$ty>::try_from(value) {
                Ok(v) => rec.$slot = Some(v),
                Err(_) => return false,
            }
        };
    }
    match kind {
        Kind::Version => typed!(version, u8),
        Kind::SrcPort => typed!(srcport, u16),
        Kind::DstPort => typed!(dstport, u16),
        Kind::Protocol => typed!(protocol, u8),
        Kind::Packets => typed!(packets, u64),
        Kind::Bytes => typed!(bytes, u64),
        // Text accepts only non-negative times; so does this.
        Kind::Start if value >= 0 => typed!(start, i64),
        Kind::End if value >= 0 => typed!(end, i64),
        Kind::TcpFlags => typed!(tcp_flags, u16),
        _ => return false,
    }
    true
}

#[cfg(feature = "parquet")]
impl Kind {
    /// Whether the field is a number (Parquet may store it as an integer column).
    pub(crate) fn is_numeric(self) -> bool {
        matches!(
            self,
            Kind::Version
                | Kind::SrcPort
                | Kind::DstPort
                | Kind::Protocol
                | Kind::Packets
                | Kind::Bytes
                | Kind::Start
                | Kind::End
                | Kind::TcpFlags
        )
    }

    /// Whether the field is an IP address.
    pub(crate) fn is_address(self) -> bool {
        matches!(
            self,
            Kind::SrcAddr | Kind::DstAddr | Kind::PktSrcAddr | Kind::PktDstAddr
        )
    }
}

#[cold]
#[inline(never)]
fn wrong_count(layout: &FlowLayout, found: usize) -> FlowError {
    let expected = layout.len();
    let missing = if found < expected {
        format!(" (first missing field: `{}`)", layout.names[found])
    } else {
        String::new()
    };
    FlowError::new(format!(
        "wrong number of fields: expected {expected}, found {found}{missing}"
    ))
}

/// Per-input decoding state for [`decode_lines`].
struct Decoder<'c> {
    layout: FlowLayout,
    seen_content: bool,
    records: u64,
    rejected: u64,
    on_record: &'c mut dyn FnMut(&FlowRecord<'_>, u64),
    on_error: &'c mut dyn FnMut(u64, FlowError),
}

impl Decoder<'_> {
    #[inline]
    fn line(&mut self, bytes: &[u8], line_no: u64) {
        let mut bytes = bytes;
        if !self.seen_content && line_no == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        if bytes.iter().all(|&b| b.is_ascii_whitespace()) {
            return;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                self.reject(
                    line_no,
                    FlowError::new(format!(
                        "line is not valid UTF-8 (bad byte at offset {})",
                        e.valid_up_to()
                    )),
                );
                return;
            }
        };
        let first = !self.seen_content;
        self.seen_content = true;
        if first && let Some(layout) = FlowLayout::from_header(text) {
            self.layout = layout;
            return;
        }
        match parse_line(&self.layout, text) {
            Ok(record) => {
                self.records += 1;
                (self.on_record)(&record, line_no);
            }
            Err(err) => {
                // Concatenated S3 objects: a header line in the middle switches layout.
                let starts_like_header = text
                    .trim_start()
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'$');
                if starts_like_header && let Some(layout) = FlowLayout::from_header(text) {
                    self.layout = layout;
                    return;
                }
                self.reject(line_no, err);
            }
        }
    }

    #[cold]
    fn reject(&mut self, line_no: u64, err: FlowError) {
        self.rejected += 1;
        (self.on_error)(line_no, err);
    }
}

/// Decode a whole input (already decompressed): the first line is a header if it parses as one
/// (otherwise default v2); blank lines skipped; CloudWatch Logs exports (`TIMESTAMP record`
/// lines — a leading ISO-8601 timestamp token before a v2 record) accepted. Calls `on_record`
/// for good lines and `on_error(line_number, error)` for bad ones (1-based line numbers), never
/// stops at a bad line, never panics. Returns (records, rejected).
///
/// Lines longer than `max_line_bytes` (excluding the newline) are reported and skipped without
/// being buffered whole. A header line met later in the input (concatenated S3 objects)
/// switches the layout. Read errors are returned as `Err`.
pub fn decode_lines(
    input: &mut dyn BufRead,
    max_line_bytes: usize,
    on_record: &mut dyn FnMut(&FlowRecord<'_>, u64),
    on_error: &mut dyn FnMut(u64, FlowError),
) -> io::Result<(u64, u64)> {
    let mut dec = Decoder {
        layout: FlowLayout::default_v2(),
        seen_content: false,
        records: 0,
        rejected: 0,
        on_record,
        on_error,
    };
    // Partial line carried across buffer refills.
    let mut pending: Vec<u8> = Vec::new();
    // Length of the current line so far, and whether it already exceeded the limit.
    let mut line_len: usize = 0;
    let mut too_long = false;
    let mut line_no: u64 = 1;

    loop {
        let used = {
            let buf = match input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            match memchr::memchr(b'\n', buf) {
                Some(pos) => {
                    let chunk = &buf[..pos];
                    line_len += chunk.len();
                    if too_long || line_len > max_line_bytes {
                        dec.reject(line_no, too_long_error(line_len, max_line_bytes));
                    } else if pending.is_empty() {
                        // Fast path: the whole line is in the reader's buffer.
                        dec.line(chunk, line_no);
                    } else {
                        pending.extend_from_slice(chunk);
                        dec.line(&pending, line_no);
                    }
                    pending.clear();
                    line_len = 0;
                    too_long = false;
                    line_no += 1;
                    pos + 1
                }
                None => {
                    line_len += buf.len();
                    if line_len > max_line_bytes {
                        too_long = true;
                        pending.clear();
                    } else {
                        pending.extend_from_slice(buf);
                    }
                    buf.len()
                }
            }
        };
        input.consume(used);
    }
    // Last line without a trailing newline.
    if too_long {
        dec.reject(line_no, too_long_error(line_len, max_line_bytes));
    } else if !pending.is_empty() {
        let last = std::mem::take(&mut pending);
        dec.line(&last, line_no);
    }
    Ok((dec.records, dec.rejected))
}

#[cold]
fn too_long_error(len: usize, max: usize) -> FlowError {
    FlowError::new(format!(
        "line too long: {len} bytes, more than the limit of {max}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    const V2_ACCEPT: &str = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
    const V2_REJECT: &str = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";
    const V2_NODATA: &str =
        "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA";
    const V2_SKIPDATA: &str =
        "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA";

    struct Out {
        records: Vec<(u64, String)>,
        errors: Vec<(u64, String)>,
        counts: (u64, u64),
    }

    fn decode(input: &str, max: usize) -> Out {
        let mut records = Vec::new();
        let mut errors = Vec::new();
        let counts = decode_lines(
            &mut Cursor::new(input.as_bytes()),
            max,
            &mut |r, n| records.push((n, r.raw.to_string())),
            &mut |n, e| errors.push((n, e.message)),
        )
        .unwrap();
        Out {
            records,
            errors,
            counts,
        }
    }

    fn v4(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn default_v2_accept_and_reject() {
        let layout = FlowLayout::default_v2();
        assert_eq!(layout.field_names().len(), 14);
        let r = parse_line(&layout, V2_ACCEPT).unwrap();
        assert_eq!(r.version, Some(2));
        assert_eq!(r.account_id, Some("123456789010"));
        assert_eq!(r.interface_id, Some("eni-1235b8ca123456789"));
        assert_eq!(r.srcaddr, v4("172.31.16.139"));
        assert_eq!(r.dstaddr, v4("172.31.16.21"));
        assert_eq!(r.srcport, Some(20641));
        assert_eq!(r.dstport, Some(22));
        assert_eq!(r.protocol, Some(6));
        assert_eq!(r.packets, Some(20));
        assert_eq!(r.bytes, Some(4249));
        assert_eq!(r.start, Some(1418530010));
        assert_eq!(r.end, Some(1418530070));
        assert_eq!(r.action, Some(FlowAction::Accept));
        assert_eq!(r.log_status, Some(LogStatus::Ok));
        assert_eq!(r.vpc_id, None);
        assert_eq!(r.raw, V2_ACCEPT);

        let r = parse_line(&layout, V2_REJECT).unwrap();
        assert_eq!(r.action, Some(FlowAction::Reject));
        assert_eq!(r.dstport, Some(3389));
    }

    #[test]
    fn nodata_and_skipdata() {
        let layout = FlowLayout::default_v2();
        let r = parse_line(&layout, V2_NODATA).unwrap();
        assert_eq!(r.log_status, Some(LogStatus::NoData));
        assert_eq!(r.srcaddr, None);
        assert_eq!(r.srcport, None);
        assert_eq!(r.packets, None);
        assert_eq!(r.action, None);
        assert_eq!(r.start, Some(1431280876));
        let r = parse_line(&layout, V2_SKIPDATA).unwrap();
        assert_eq!(r.log_status, Some(LogStatus::SkipData));
        assert_eq!(r.interface_id, Some("eni-11111111aaaaaaaaa"));
        assert_eq!(r.field(&layout, "srcaddr"), None);
        assert_eq!(r.field(&layout, "log-status"), Some("SKIPDATA"));
    }

    #[test]
    fn custom_v5_header_other_order_ipv6() {
        let header = "region az-id flow-direction traffic-path pkt-src-aws-service pkt-dst-aws-service \
                      vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport \
                      dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags \
                      log-status version sublocation-type sublocation-id";
        let line = "us-east-1 use1-az1 egress 8 - S3 vpc-0abc subnet-0def i-0123 eni-0456 123456789012 IPv6 \
                    2001:db8::1 2600:1f18:1234::5 443 51234 2001:db8::1 2600:1f18:1234::5 6 5000 10 \
                    1620000000 1620000060 ACCEPT 19 OK 5 - -";
        let input = format!("{header}\n{line}\n");
        let mut got = Vec::new();
        let mut layout_seen = None;
        decode_lines(
            &mut Cursor::new(input.as_bytes()),
            4096,
            &mut |r, n| {
                let layout = FlowLayout::from_header(header).unwrap();
                layout_seen = Some(r.field(&layout, "traffic-path").map(str::to_string));
                got.push((n, r.clone().raw.to_string(), r.srcaddr, r.tcp_flags));
            },
            &mut |n, e| panic!("line {n}: {e}"),
        )
        .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, 2);
        assert_eq!(layout_seen, Some(Some("8".to_string())));

        let layout = FlowLayout::from_header(header).unwrap();
        assert_eq!(layout.field_names()[0], "region");
        let r = parse_line(&layout, line).unwrap();
        assert_eq!(r.region, Some("us-east-1"));
        assert_eq!(r.flow_direction, Some(FlowDirection::Egress));
        assert_eq!(r.pkt_src_aws_service, None);
        assert_eq!(r.pkt_dst_aws_service, Some("S3"));
        assert_eq!(r.vpc_id, Some("vpc-0abc"));
        assert_eq!(r.subnet_id, Some("subnet-0def"));
        assert_eq!(r.instance_id, Some("i-0123"));
        assert_eq!(r.srcaddr, Some("2001:db8::1".parse().unwrap()));
        assert_eq!(r.dstaddr, Some("2600:1f18:1234::5".parse().unwrap()));
        assert_eq!(r.pkt_srcaddr, r.srcaddr);
        assert_eq!(r.pkt_dstaddr, r.dstaddr);
        assert_eq!(r.srcport, Some(443));
        assert_eq!(r.bytes, Some(5000));
        assert_eq!(r.packets, Some(10));
        assert_eq!(r.tcp_flags, Some(19));
        assert_eq!(r.version, Some(5));
        assert_eq!(r.field(&layout, "type"), Some("IPv6"));
        assert_eq!(r.field(&layout, "az-id"), Some("use1-az1"));
        assert_eq!(r.field(&layout, "sublocation-id"), None);
    }

    #[test]
    fn unknown_fields_and_field_lookup() {
        let layout = FlowLayout::from_header(
            "version srcaddr my-custom-thing dstaddr reject-reason ecs-cluster-name",
        )
        .unwrap();
        let r = parse_line(&layout, "8 10.0.0.1 hello 10.0.0.2 BPA my-cluster").unwrap();
        assert_eq!(r.version, Some(8));
        assert_eq!(r.field(&layout, "my-custom-thing"), Some("hello"));
        assert_eq!(r.field(&layout, "my_custom_thing"), Some("hello"));
        assert_eq!(r.field(&layout, "${reject-reason}"), Some("BPA"));
        assert_eq!(r.field(&layout, "ecs-cluster-name"), Some("my-cluster"));
        assert_eq!(r.field(&layout, "dstaddr"), Some("10.0.0.2"));
        assert_eq!(r.field(&layout, "not-there"), None);
        assert_eq!(r.column(0), Some("8"));
        assert_eq!(layout.index_of("dstaddr"), Some(3));
        // AWS format-string and underscore spellings.
        let l2 = FlowLayout::from_header("${version} ${account_id} ${srcaddr}").unwrap();
        assert_eq!(l2.field_names(), &["version", "account-id", "srcaddr"]);
    }

    #[test]
    fn header_detection() {
        assert!(FlowLayout::from_header(V2_ACCEPT).is_none());
        assert!(FlowLayout::from_header("").is_none());
        assert!(FlowLayout::from_header("eni-abc vpc-123 subnet-9").is_none());
        assert!(FlowLayout::from_header("version 2").is_none());
        let l = FlowLayout::from_header(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\r",
        )
        .unwrap();
        assert_eq!(l.field_names(), FlowLayout::default_v2().field_names());
    }

    #[test]
    fn dash_handling_everywhere() {
        let layout = FlowLayout::default_v2();
        let line = "- - - - - - - - - - - - - -";
        let r = parse_line(&layout, line).unwrap();
        assert_eq!(r, FlowRecord::empty(line));
        assert_eq!(r.field(&layout, "version"), None);
    }

    #[test]
    fn cloudwatch_export_lines() {
        let input = format!(
            "2015-05-10T17:11:10.000Z {V2_ACCEPT}\n2015-05-10T17:12:10.000Z {V2_REJECT}\n\n2015-05-10T17:13:10.000Z {V2_NODATA}\n"
        );
        let out = decode(&input, 4096);
        assert_eq!(out.counts, (3, 0), "{:?}", out.errors);
        assert_eq!(out.records[0], (1, V2_ACCEPT.to_string()));
        assert_eq!(out.records[1], (2, V2_REJECT.to_string()));
        assert_eq!(out.records[2].0, 4);
        // parse_line tolerates the prefix too.
        let line = format!("2015-05-10T17:11:10Z\t{V2_ACCEPT}");
        let r = parse_line(&FlowLayout::default_v2(), &line).unwrap();
        assert_eq!(r.dstport, Some(22));
    }

    #[test]
    fn malformed_lines_reported_with_line_numbers() {
        let too_few = "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 1 ACCEPT";
        let bad_port = V2_ACCEPT.replace(" 20641 ", " 70000 ");
        let bad_addr = V2_ACCEPT.replace("172.31.16.139", "172.31.16.300");
        let bad_action = V2_ACCEPT.replace("ACCEPT", "ALLOW");
        let too_many = format!("{V2_ACCEPT} extra");
        let input = format!(
            "{V2_ACCEPT}\n{too_few}\n{V2_REJECT}\n{bad_port}\n{bad_addr}\n\n{bad_action}\n{V2_NODATA}\n{too_many}\n{V2_SKIPDATA}"
        );
        let out = decode(&input, 4096);
        assert_eq!(out.counts, (4, 5));
        let lines: Vec<u64> = out.records.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![1, 3, 8, 10]);
        let err_lines: Vec<u64> = out.errors.iter().map(|e| e.0).collect();
        assert_eq!(err_lines, vec![2, 4, 5, 7, 9]);
        assert!(
            out.errors[0].1.contains("expected 14, found 13"),
            "{}",
            out.errors[0].1
        );
        assert!(out.errors[0].1.contains("log-status"));
        assert!(out.errors[1].1.contains("srcport") && out.errors[1].1.contains("70000"));
        assert!(out.errors[2].1.contains("srcaddr") && out.errors[2].1.contains("172.31.16.300"));
        assert!(out.errors[3].1.contains("action") && out.errors[3].1.contains("ALLOW"));
        assert!(out.errors[4].1.contains("found 15"));
    }

    #[test]
    fn typed_field_errors() {
        let l = FlowLayout::from_header("version protocol flow-direction tcp-flags start").unwrap();
        assert!(parse_line(&l, "2 6 ingress 2 100").is_ok());
        let e = parse_line(&l, "2 256 ingress 2 100").unwrap_err();
        assert!(e.message.contains("protocol") && e.message.contains("256"));
        let e = parse_line(&l, "2 6 sideways 2 100").unwrap_err();
        assert!(e.message.contains("flow-direction"));
        let e = parse_line(&l, "2 6 ingress 2 99999999999999999999999").unwrap_err();
        assert!(e.message.contains("start"));
        let e = parse_line(&l, "x 6 ingress 2 100").unwrap_err();
        assert!(e.message.contains("version"));
        assert!(parse_line(&l, "2 6 ingress 2 -5").is_err());
        // IPv4 edge cases.
        assert_eq!(parse_ipv4("0.0.0.0"), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(parse_ipv4("255.255.255.255"), Some(Ipv4Addr::BROADCAST));
        for bad in [
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "1.2.3.",
            ".1.2.3",
            "1.2.3.4444",
            "a.b.c.d",
        ] {
            assert_eq!(parse_ip(bad), None, "{bad}");
        }
        assert_eq!(
            parse_ip("::ffff:1.2.3.4"),
            Some("::ffff:1.2.3.4".parse().unwrap())
        );
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
    }

    #[test]
    fn header_only_and_empty_inputs() {
        let out = decode(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
            4096,
        );
        assert_eq!(out.counts, (0, 0));
        let out = decode("", 4096);
        assert_eq!(out.counts, (0, 0));
        let out = decode("\n\n  \n", 4096);
        assert_eq!(out.counts, (0, 0));
    }

    #[test]
    fn crlf_and_bom() {
        let input = "\u{feff}version srcaddr dstaddr action log-status\r\n5 10.0.0.1 10.0.0.2 ACCEPT OK\r\n\r\n5 10.0.0.3 - REJECT OK\r\n";
        let mut seen = Vec::new();
        let counts = decode_lines(
            &mut Cursor::new(input.as_bytes()),
            4096,
            &mut |r, n| seen.push((n, r.srcaddr, r.log_status, r.raw.to_string())),
            &mut |n, e| panic!("line {n}: {e}"),
        )
        .unwrap();
        assert_eq!(counts, (2, 0));
        assert_eq!(seen[0].0, 2);
        assert_eq!(seen[0].3, "5 10.0.0.1 10.0.0.2 ACCEPT OK");
        assert_eq!(seen[1].0, 4);
        assert_eq!(seen[1].2, Some(LogStatus::Ok));
    }

    #[test]
    fn header_in_the_middle_switches_layout() {
        let input = format!(
            "{V2_ACCEPT}\nversion srcaddr action\n3 10.1.1.1 REJECT\nnonsense words here\n"
        );
        let out = decode(&input, 4096);
        assert_eq!(out.counts, (2, 1));
        assert_eq!(out.records[1], (3, "3 10.1.1.1 REJECT".to_string()));
        assert_eq!(out.errors[0].0, 4);
    }

    #[test]
    fn long_lines_reported_and_skipped() {
        let long = "9".repeat(10_000);
        let input = format!("{V2_ACCEPT}\n{long}\n{V2_REJECT}\n{long}");
        // Tiny reader buffer so long lines span many refills.
        let mut reader = io::BufReader::with_capacity(16, Cursor::new(input.into_bytes()));
        let mut recs = Vec::new();
        let mut errs = Vec::new();
        let counts = decode_lines(
            &mut reader,
            200,
            &mut |r, n| recs.push((n, r.dstport)),
            &mut |n, e| errs.push((n, e.message)),
        )
        .unwrap();
        assert_eq!(counts, (2, 2));
        assert_eq!(recs, vec![(1, Some(22)), (3, Some(3389))]);
        assert_eq!(errs[0].0, 2);
        assert_eq!(errs[1].0, 4);
        assert!(errs[0].1.contains("too long") && errs[0].1.contains("10000"));
    }

    #[test]
    fn small_buffer_reader_matches_whole() {
        let input = format!("{V2_ACCEPT}\n{V2_REJECT}\r\n{V2_NODATA}\n{V2_SKIPDATA}");
        let whole = decode(&input, 4096);
        for cap in [1, 2, 7, 31, 64] {
            let mut reader = io::BufReader::with_capacity(cap, Cursor::new(input.as_bytes()));
            let mut recs = Vec::new();
            let counts = decode_lines(
                &mut reader,
                4096,
                &mut |r, n| recs.push((n, r.raw.to_string())),
                &mut |n, e| panic!("cap {cap} line {n}: {e}"),
            )
            .unwrap();
            assert_eq!(counts, whole.counts);
            assert_eq!(recs, whole.records);
        }
    }

    #[test]
    fn invalid_utf8_rejected() {
        let mut input = V2_ACCEPT.as_bytes().to_vec();
        input.extend_from_slice(b"\n2 \xff\xfe eni\n");
        input.extend_from_slice(V2_REJECT.as_bytes());
        let mut errs = Vec::new();
        let counts = decode_lines(
            &mut Cursor::new(input),
            4096,
            &mut |_, _| {},
            &mut |n, e| errs.push((n, e.message)),
        )
        .unwrap();
        assert_eq!(counts, (2, 1));
        assert_eq!(errs[0].0, 2);
        assert!(errs[0].1.contains("UTF-8"));
    }

    /// xorshift64* — deterministic pseudo-random numbers without dependencies.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn no_panic_on_mutated_lines() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let seeds = [
            V2_ACCEPT,
            V2_REJECT,
            V2_NODATA,
            V2_SKIPDATA,
            "version srcaddr dstaddr pkt-srcaddr flow-direction tcp-flags",
            "2001:db8::1 2015-05-10T17:11:10.000Z ${version} é ü 中 - -",
        ];
        let alphabet: &[u8] = b"0123456789 .:-abcdefACCEPTREJECTOKNODATA\t\r\xff\xc3\xa9$_{}";
        let custom = FlowLayout::from_header(
            "version srcaddr dstaddr pkt-srcaddr flow-direction tcp-flags start",
        )
        .unwrap();
        let mut input = Vec::new();
        for _ in 0..5000 {
            let mut line = seeds[rng.below(seeds.len())].as_bytes().to_vec();
            for _ in 0..=rng.below(8) {
                match rng.below(5) {
                    0 if !line.is_empty() => {
                        let i = rng.below(line.len());
                        line[i] = alphabet[rng.below(alphabet.len())];
                    }
                    1 if !line.is_empty() => {
                        let i = rng.below(line.len());
                        line.remove(i);
                    }
                    2 => {
                        let i = rng.below(line.len() + 1);
                        line.insert(i, alphabet[rng.below(alphabet.len())]);
                    }
                    3 if !line.is_empty() => {
                        let i = rng.below(line.len());
                        line.truncate(i);
                    }
                    _ => {
                        let i = rng.below(line.len() + 1);
                        let chunk: Vec<u8> = (0..rng.below(30))
                            .map(|_| alphabet[rng.below(alphabet.len())])
                            .collect();
                        line.splice(i..i, chunk);
                    }
                }
            }
            if let Ok(text) = std::str::from_utf8(&line) {
                let _ = parse_line(&FlowLayout::default_v2(), text);
                let _ = parse_line(&custom, text);
                let _ = FlowLayout::from_header(text);
                if let Ok(r) = parse_line(&custom, text) {
                    let _ = r.field(&custom, "flow-direction");
                }
            }
            line.retain(|&b| b != b'\n');
            input.extend_from_slice(&line);
            input.push(b'\n');
        }
        let mut n_rec = 0;
        let mut n_err = 0;
        let last_line = std::cell::Cell::new(0);
        let counts = decode_lines(
            &mut Cursor::new(&input),
            120,
            &mut |_, n| {
                assert!(n > last_line.get());
                last_line.set(n);
                n_rec += 1;
            },
            &mut |n, _| {
                assert!(n > last_line.get());
                last_line.set(n);
                n_err += 1;
            },
        )
        .unwrap();
        assert_eq!(counts, (n_rec, n_err));
        assert!(n_rec + n_err <= 5000);
        assert!(n_err > 0);
    }

    fn generate(n: usize) -> Vec<u8> {
        use std::io::Write;
        let mut rng = Rng(42);
        let mut out = Vec::with_capacity(n * 110);
        for i in 0..n {
            let action = if rng.below(4) == 0 {
                "REJECT"
            } else {
                "ACCEPT"
            };
            writeln!(
                out,
                "2 123456789012 eni-{:017x} 10.{}.{}.{} 172.31.{}.{} {} {} 6 {} {} {} {} {} OK",
                rng.next() & 0xffff_ffff_ffff,
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.below(65536),
                [22, 80, 443, 3389][i % 4],
                rng.below(1000) + 1,
                rng.below(1_000_000) + 40,
                1_700_000_000 + i / 100,
                1_700_000_060 + i / 100,
                action
            )
            .unwrap();
        }
        out
    }

    #[test]
    fn generated_lines_all_decode() {
        let data = generate(10_000);
        let mut n = 0u64;
        let counts = decode_lines(
            &mut Cursor::new(&data),
            1024,
            &mut |r, _| {
                assert!(r.srcaddr.is_some() && r.action.is_some());
                n += 1;
            },
            &mut |n, e| panic!("line {n}: {e}"),
        )
        .unwrap();
        assert_eq!(counts, (10_000, 0));
    }
}

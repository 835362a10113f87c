//! Parsers for every list format GuardDuty accepts for threat lists (`ThreatIntelSet`, threat
//! entity lists) and trusted lists (`IPSet`, trusted entity lists): the `format` enum
//! `TXT | STIX | OTX_CSV | ALIEN_VAULT | PROOF_POINT | FIRE_EYE`.
//!
//! [`parse`] turns a whole file into [`Entry`]s (an IP network or a domain, plus the threat name
//! the list gives it) and [`LineError`]s. It never panics and never gives up on a whole file for
//! one bad entry: a bad line, CSV record or STIX object becomes a `LineError` (1-based line
//! number; `0` when the error concerns the whole document) and is skipped.
//!
//! Normalisation, the same for every format:
//! - a bare IP becomes a `/32` or `/128` network; CIDRs are truncated (`10.1.2.3/8` is
//!   `10.0.0.0/8`); IPv4-mapped IPv6 addresses are kept as written (the lookup side maps them);
//! - IPv6 is accepted (GuardDuty itself rejects it; Warden matches it);
//! - domains are lowercased and validated (ASCII labels of `[a-z0-9-_]`, 1–63 characters,
//!   at most 253 in all, at least one dot, a non-numeric last label); one trailing dot and a
//!   leading `*.` or `.` are stripped, since a listed domain always covers its subdomains;
//! - with `allow_domains == false` (trusted IP lists) a domain is an error;
//! - non-routable addresses are *not* filtered here (GuardDuty ignores them; that is policy for
//!   the caller, not syntax).
//!
//! Format notes and assumptions:
//! - `TXT`: one indicator per line; `#` starts a comment anywhere on a line; blank lines,
//!   a UTF-8 BOM, CRLF and surrounding whitespace are ignored. Beyond GuardDuty's plain form it
//!   also reads three common feed layouts, so public feeds load unchanged:
//!   - `IP<TAB>count` (stamparm/ipsum, e.g. `/work/shared/data/intel/ipsum/ipsum.txt`): the first
//!     field is the indicator; one trailing all-digit field (ipsum's "number of blacklists") is
//!     ignored, so such a file is a TXT list of its addresses;
//!   - `IP:port` / `[IPv6]:port` / `domain:port` (maltrail trails): the port is dropped;
//!   - a URL naming only a host (`http://192.0.2.1`, `https://evil.example:8443/`) is that host;
//!     a URL with a path is an error, since its host may be a legitimate site serving one bad
//!     file (OTX's typed `URL` rows, by contrast, always give their host);
//!   - hosts files (`0.0.0.0 evil.example`, `127.0.0.1 a.example b.example`): the names are the
//!     indicators; `localhost`-style names are skipped; a hosts line mapping names to any other
//!     address is an error (it is not a block list entry).
//!
//!   Any other text after the indicator is an error.
//! - `STIX`: GuardDuty's STIX is **STIX 1.x XML** (CybOX observables, inside `stix:Indicator`
//!   elements or not): `AddressObject:Address_Value` (category `ipv4-addr`, `ipv6-addr`, `cidr`
//!   or none; `condition="Equals"` or absent; `InclusiveBetween` ranges written
//!   `first##comma##last`, turned into the minimal set of CIDRs; `##comma##` lists),
//!   `DomainNameObj:Value`, `HostnameObj:Hostname_Value`, `URIObj:Value` (its host). The
//!   enclosing indicator's `Title` is the threat name. The scanner is a small hand-written one
//!   (no DTDs, no entity expansion beyond the five XML entities and character references); it
//!   also tolerates the typo in AWS's own sample (`<AddressObject:Address_Valuecondition=...>`).
//!   **STIX 2.x JSON** is read as well: a bundle (or a bare `objects` envelope, a top-level
//!   array, or a single indicator); each `indicator` with `pattern_type` `stix` (or none) and not
//!   `revoked` contributes the values its pattern compares with `=`, `IN` or `ISSUBSET` on
//!   `ipv4-addr:value`, `ipv6-addr:value`, `domain-name:value`, `url:value` (host) and
//!   `network-traffic:{src,dst}_ref.value`, however the comparisons are joined; negated and
//!   fuzzy comparisons (`!=`, `LIKE`, `MATCHES`, ...) and other object types are ignored. Threat
//!   name: `name`, else the first `labels` entry, else the first `indicator_types` entry. For
//!   STIX 2 JSON a `LineError`'s `line` is the object's 1-based position in `objects` (JSON
//!   syntax errors carry the real line); for STIX 1 XML it is the element's real line.
//! - `OTX_CSV` (AlienVault OTX export): header `Indicator type, Indicator, Description` (columns
//!   found by name, any order); types `IPv4`, `IPv6`, `CIDR`, `domain`/`Domain name`,
//!   `hostname`, `FQDN`, `URL`/`URI` (its host). Other OTX types (file hashes, e-mail, CVE, ...)
//!   are skipped silently. The description is the threat name.
//! - `ALIEN_VAULT` (reputation data): `ip#reliability#risk#type#country#city#lat,lon#n`; the
//!   first field may be a domain (entity lists); the 4th field (`Malicious Host`, ...) is the
//!   threat name. Lines starting with `#` are comments.
//! - `PROOF_POINT` (ET Intelligence reputation CSV): header `ip, category, score, first_seen,
//!   last_seen, ports (|)` (or `domain, ...`; AWS's own entity sample puts IPs under `domain`, so
//!   the first column may hold either). `category` is the threat name, with ET's numeric
//!   category ids mapped to their names (`1` = `CnC`, `2` = `Bot`, ..., `41` = `DDoSAttacker`,
//!   the ET IQRisk category table); unknown ids are kept as written.
//! - `FIRE_EYE` (FireEye iSIGHT CSV): AWS documents a 47-column header (`reportId, title, ...,
//!   cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, ..., url, malwareFamily,
//!   malwareFamilyId, actor, actorId, observationTime`); its samples carry indicators only in
//!   `cidr`, `domain` and `ip`, and `networkIdentifier` holds a role (`Related`), not an address.
//!   Columns are found by name (case-, space- and `_`-insensitive), so any subset/order works;
//!   aliases `ipAddress`/`ip_address` (ip), `hostname`/`fqdn` (domain), `network` (cidr) are
//!   accepted, and a `networkIdentifier` value that *is* an IP/CIDR is used too. Every indicator
//!   column filled in a row gives one entry; rows with none (file-hash or e-mail intelligence)
//!   are skipped silently. `url`, `sourceIp` and `sourceDomain` (e-mail senders) are not
//!   indicators here. Threat name: `malwareFamily`, else `actor`, else `threatName`. A header
//!   naming none of the indicator columns is an error.
//!
//! Work is bounded: inputs over [`MAX_INPUT_BYTES`] (STIX 2 JSON: [`MAX_JSON_BYTES`]) are
//! refused, lines/records over [`MAX_LINE_BYTES`] and STIX patterns over
//! [`MAX_PATTERN_BYTES`] are errors, at most [`MAX_ENTRIES`] entries are kept, and the error list
//! stops at [`MAX_ERRORS`] plus one final "N more errors" entry.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde_json::Value;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Errors kept per list; the rest are counted in one final "N more errors" entry.
pub const MAX_ERRORS: usize = 1000;
/// Entries kept per list (GuardDuty's own limit is 250,000 per threat list).
pub const MAX_ENTRIES: usize = 5_000_000;
/// Largest input accepted at all (GuardDuty's limit is 35 MB).
pub const MAX_INPUT_BYTES: usize = 512 << 20;
/// Largest STIX 2 JSON document (parsed into memory as a whole).
pub const MAX_JSON_BYTES: usize = 64 << 20;
/// Longest line (TXT, ALIEN_VAULT), CSV record or STIX 1 value.
pub const MAX_LINE_BYTES: usize = 64 << 10;
/// Longest STIX 2 pattern.
pub const MAX_PATTERN_BYTES: usize = 64 << 10;
/// Threat names are cut to this many bytes.
const MAX_THREAT_NAME_BYTES: usize = 256;

/// A list file format, as GuardDuty's `format` field names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListFormat {
    Txt,
    Stix,
    OtxCsv,
    AlienVault,
    ProofPoint,
    FireEye,
}

impl ListFormat {
    /// Every format, in GuardDuty's order.
    pub const ALL: [ListFormat; 6] = [
        ListFormat::Txt,
        ListFormat::Stix,
        ListFormat::OtxCsv,
        ListFormat::AlienVault,
        ListFormat::ProofPoint,
        ListFormat::FireEye,
    ];

    /// GuardDuty's API names: "TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"
    /// (case-insensitive).
    pub fn from_api_name(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.api_name().eq_ignore_ascii_case(s))
    }

    pub fn api_name(self) -> &'static str {
        match self {
            ListFormat::Txt => "TXT",
            ListFormat::Stix => "STIX",
            ListFormat::OtxCsv => "OTX_CSV",
            ListFormat::AlienVault => "ALIEN_VAULT",
            ListFormat::ProofPoint => "PROOF_POINT",
            ListFormat::FireEye => "FIRE_EYE",
        }
    }

    /// Guess from content (and file name as a tie-breaker): STIX JSON starts with `{` and has
    /// "type":"bundle"/"indicator"; STIX XML starts with `<` and mentions STIX; OTX has its
    /// header; ProofPoint header starts with ip,category or domain,category; a FireEye header has
    /// `reportId` (or `malwareFamily` with an indicator column); AlienVault lines have 7 '#'
    /// separators; a first line that is a valid TXT entry means TXT; otherwise the file name
    /// decides (`.xml`/`.json`/`.stix`, or a name mentioning otx, proofpoint, fireeye/isight,
    /// alienvault); else TXT.
    pub fn detect(bytes: &[u8], file_name: Option<&str>) -> Self {
        let body = strip_bom(bytes);
        let head = &body[..body.len().min(64 << 10)];
        let text = String::from_utf8_lossy(head);
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
            if compact.contains("\"type\":\"bundle\"") || compact.contains("\"type\":\"indicator\"")
            {
                return ListFormat::Stix;
            }
        }
        if trimmed.starts_with('<') && trimmed.to_ascii_lowercase().contains("stix") {
            return ListFormat::Stix;
        }
        let sample: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .take(10)
            .collect();
        if let Some(first) = sample.first() {
            let norm: String = first
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
                .collect::<String>()
                .to_ascii_lowercase();
            if norm.starts_with("indicatortype,indicator") {
                return ListFormat::OtxCsv;
            }
            if norm.starts_with("ip,category") || norm.starts_with("domain,category") {
                return ListFormat::ProofPoint;
            }
            let cols: Vec<String> = norm.split(',').map(normalize_col).collect();
            let has = |c: &str| cols.iter().any(|x| x == c);
            if has("reportid")
                || (has("malwarefamily") && (has("ip") || has("domain") || has("cidr")))
            {
                return ListFormat::FireEye;
            }
            let av = sample
                .iter()
                .filter(|l| l.matches('#').count() == 7)
                .count();
            if av > 0 && av * 2 >= sample.len() {
                return ListFormat::AlienVault;
            }
            let mut probe = Sink::new(true);
            parse_txt_line(first, 1, &mut probe);
            if probe.out.errors.is_empty() && !probe.out.entries.is_empty() {
                return ListFormat::Txt;
            }
        }
        if let Some(name) = file_name {
            // A URL's query (pre-signed S3 links) says nothing about the format.
            let n = name
                .split(['?', '#'])
                .next()
                .unwrap_or(name)
                .to_ascii_lowercase();
            if n.ends_with(".xml")
                || n.ends_with(".json")
                || n.ends_with(".stix")
                || n.contains("stix")
            {
                return ListFormat::Stix;
            }
            if n.contains("otx") {
                return ListFormat::OtxCsv;
            }
            if n.contains("proofpoint") || n.contains("proof_point") {
                return ListFormat::ProofPoint;
            }
            if n.contains("fireeye") || n.contains("fire_eye") || n.contains("isight") {
                return ListFormat::FireEye;
            }
            if n.contains("alienvault")
                || n.contains("alien_vault")
                || n.contains("reputation.data")
            {
                return ListFormat::AlienVault;
            }
        }
        ListFormat::Txt
    }
}

impl fmt::Display for ListFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

/// What a list entry names: an IP network (a bare IP is a `/32` or `/128`), or a domain
/// (lowercased, no trailing dot, no leading `*.`; it covers its subdomains).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Indicator {
    Net(IpNet),
    Domain(String),
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Indicator::Net(n) => write!(f, "{n}"),
            Indicator::Domain(d) => f.write_str(d),
        }
    }
}

/// One list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub indicator: Indicator,
    /// The threat the list names for the entry (trimmed, non-empty, at most 256 bytes).
    pub threat_name: Option<String>,
}

/// A skipped line (or CSV record, or STIX object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based; 0 for errors about the whole document. STIX 2 JSON: the object's position.
    pub line: u64,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A parsed list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedList {
    pub entries: Vec<Entry>,
    pub errors: Vec<LineError>,
}

/// Parse a whole list. Never panics; a bad line (or STIX object, numbered by its position/line)
/// becomes a LineError and is skipped. `allow_domains`: false for trusted IP lists (a domain
/// line is then an error).
pub fn parse(format: ListFormat, bytes: &[u8], allow_domains: bool) -> ParsedList {
    let mut sink = Sink::new(allow_domains);
    if bytes.len() > MAX_INPUT_BYTES {
        sink.error(
            0,
            format!(
                "list is {} bytes; the limit is {MAX_INPUT_BYTES}",
                bytes.len()
            ),
        );
        return sink.finish();
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        sink.error(1, "UTF-16 text is not supported; save the list as UTF-8");
        return sink.finish();
    }
    let body = strip_bom(bytes);
    match format {
        ListFormat::Txt => for_each_line(body, &mut sink, parse_txt_line),
        ListFormat::AlienVault => for_each_line(body, &mut sink, parse_alien_vault_line),
        ListFormat::Stix => parse_stix(body, &mut sink),
        ListFormat::OtxCsv => parse_otx(body, &mut sink),
        ListFormat::ProofPoint => parse_proof_point(body, &mut sink),
        ListFormat::FireEye => parse_fire_eye(body, &mut sink),
    }
    sink.finish()
}

// ---------------------------------------------------------------------------------------------
// Collecting results.

struct Sink {
    out: ParsedList,
    allow_domains: bool,
    omitted: u64,
    first_omitted_line: u64,
    full: bool,
}

impl Sink {
    fn new(allow_domains: bool) -> Self {
        Sink {
            out: ParsedList::default(),
            allow_domains,
            omitted: 0,
            first_omitted_line: 0,
            full: false,
        }
    }

    fn error(&mut self, line: u64, message: impl Into<String>) {
        if self.out.errors.len() < MAX_ERRORS {
            self.out.errors.push(LineError {
                line,
                message: message.into(),
            });
        } else {
            if self.omitted == 0 {
                self.first_omitted_line = line;
            }
            self.omitted += 1;
        }
    }

    fn add(&mut self, line: u64, indicator: Indicator, threat: Option<&str>) {
        if self.full {
            return;
        }
        if let Indicator::Domain(d) = &indicator
            && !self.allow_domains
        {
            self.error(
                line,
                format!("domain {} not allowed in an IP list", snippet(d)),
            );
            return;
        }
        if self.out.entries.len() >= MAX_ENTRIES {
            self.full = true;
            self.error(
                line,
                format!("more than {MAX_ENTRIES} entries; the rest of the list is ignored"),
            );
            return;
        }
        self.out.entries.push(Entry {
            indicator,
            threat_name: clean_threat(threat),
        });
    }

    fn add_result(&mut self, line: u64, r: Result<Indicator, String>, threat: Option<&str>) {
        match r {
            Ok(i) => self.add(line, i, threat),
            Err(e) => self.error(line, e),
        }
    }

    fn finish(mut self) -> ParsedList {
        if self.omitted > 0 {
            self.out.errors.push(LineError {
                line: self.first_omitted_line,
                message: format!("{} more errors", self.omitted),
            });
        }
        self.out
    }
}

fn clean_threat(t: Option<&str>) -> Option<String> {
    let t = t?.trim();
    if t.is_empty() {
        return None;
    }
    Some(truncate(t, MAX_THREAT_NAME_BYTES).to_string())
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A value quoted for an error message, cut to a readable length.
pub(crate) fn snippet(s: &str) -> String {
    if s.len() <= 80 {
        format!("{s:?}")
    } else {
        format!("{:?}...", truncate(s, 77))
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

// ---------------------------------------------------------------------------------------------
// Indicator syntax shared by every format.

/// An IP (`/32` or `/128`) or a CIDR (truncated).
pub(crate) fn parse_net(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    if s.contains('/') {
        IpNet::from_str(s)
            .map(|n| n.trunc())
            .map_err(|_| format!("invalid CIDR {}", snippet(s)))
    } else {
        IpAddr::from_str(s)
            .map(IpNet::from)
            .map_err(|_| format!("invalid IP address {}", snippet(s)))
    }
}

/// A validated, normalised domain (see the module documentation).
fn parse_domain(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.len() > 260 {
        return Err(format!(
            "domain {} is longer than 253 characters",
            snippet(t)
        ));
    }
    let d = t
        .strip_prefix("*.")
        .or_else(|| t.strip_prefix('.'))
        .unwrap_or(t);
    let d = d.strip_suffix('.').unwrap_or(d);
    if d.is_empty() {
        return Err(format!("empty domain {}", snippet(t)));
    }
    if !d.is_ascii() {
        return Err(format!(
            "domain {} is not ASCII (write IDNs in punycode, xn--)",
            snippet(t)
        ));
    }
    let d = d.to_ascii_lowercase();
    if d.len() > 253 {
        return Err(format!(
            "domain {} is longer than 253 characters",
            snippet(t)
        ));
    }
    if !d.contains('.') {
        return Err(format!(
            "{} is not an IP address, CIDR or domain (a domain needs a dot)",
            snippet(t)
        ));
    }
    for label in d.split('.') {
        if label.is_empty() {
            return Err(format!("domain {} has an empty label", snippet(t)));
        }
        if label.len() > 63 {
            return Err(format!(
                "domain {} has a label longer than 63 characters",
                snippet(t)
            ));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "{} is not an IP address, CIDR or domain (bad character)",
                snippet(t)
            ));
        }
    }
    if d.rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("invalid IP address {}", snippet(t)));
    }
    Ok(d)
}

/// An IP, CIDR or domain, whichever the text is (IPv6 may be bracketed).
fn parse_host(s: &str) -> Result<Indicator, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty indicator".to_string());
    }
    let inner = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    let ipish = inner.contains(':')
        || inner
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'/');
    if ipish {
        parse_net(inner).map(Indicator::Net)
    } else {
        parse_domain(inner).map(Indicator::Domain)
    }
}

/// The host of a URL (`scheme://user@host:port/path`), or of `host/path` without a scheme.
fn url_host(u: &str) -> Option<&str> {
    let u = u.trim();
    let rest = match u.find("://") {
        Some(i)
            if i > 0
                && u[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b)) =>
        {
            &u[i + 3..]
        }
        _ => u.strip_prefix("//").unwrap_or(u),
    };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(r) = hostport.strip_prefix('[') {
        let close = r.find(']')?;
        return Some(&r[..close]).filter(|h| !h.is_empty());
    }
    let host = match hostport.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => hostport,
    };
    Some(host).filter(|h| !h.is_empty())
}

fn url_indicator(u: &str) -> Result<Indicator, String> {
    match url_host(u) {
        Some(h) => parse_host(h),
        None => Err(format!("URL {} has no host", snippet(u))),
    }
}

fn is_port(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 5
        && p.bytes().all(|b| b.is_ascii_digit())
        && p.parse::<u32>().is_ok_and(|n| n <= 65535)
}

/// `host:port` / `[v6]:port` / `[v6]` without the port.
fn strip_port(tok: &str) -> &str {
    if let Some(r) = tok.strip_prefix('[')
        && let Some((host, rest)) = r.split_once(']')
        && (rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port))
    {
        return host;
    }
    if let Some((host, port)) = tok.split_once(':')
        && !port.contains(':')
        && is_port(port)
    {
        return host;
    }
    tok
}

/// Column names compared loosely: lowercase ASCII letters and digits only.
fn normalize_col(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Line-based formats: TXT and ALIEN_VAULT.

fn for_each_line(body: &[u8], sink: &mut Sink, mut f: impl FnMut(&str, u64, &mut Sink)) {
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        if sink.full {
            break;
        }
        let n = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > MAX_LINE_BYTES {
            sink.error(
                n,
                format!(
                    "line is {} bytes long; the limit is {MAX_LINE_BYTES}",
                    raw.len()
                ),
            );
            continue;
        }
        match std::str::from_utf8(raw) {
            Ok(line) => f(line, n, sink),
            Err(_) => sink.error(n, "line is not valid UTF-8"),
        }
    }
}

/// One TXT line (see the module documentation for the accepted layouts).
fn parse_txt_line(line: &str, n: u64, sink: &mut Sink) {
    let content = line.split_once('#').map_or(line, |(c, _)| c).trim();
    if content.is_empty() {
        return;
    }
    let mut tokens = content.split_whitespace();
    let Some(first) = tokens.next() else { return };
    let rest: Vec<&str> = tokens.take(64).collect();
    // Alone, or followed by ipsum's count (`IP<TAB>count`).
    if rest.is_empty() || (rest.len() == 1 && rest[0].bytes().all(|b| b.is_ascii_digit())) {
        sink.add_result(n, txt_indicator(first), None);
        return;
    }
    // Hosts file: `address name...`.
    if let Ok(addr) = IpAddr::from_str(first)
        && rest.iter().all(|t| !t.bytes().all(|b| b.is_ascii_digit()))
    {
        let is_name =
            |t: &&str| t.contains('.') && !t.to_ascii_lowercase().starts_with("localhost");
        if addr.is_unspecified() || addr.is_loopback() {
            for name in rest.into_iter().filter(is_name) {
                sink.add_result(n, parse_domain(name).map(Indicator::Domain), None);
            }
            return;
        }
        // The standard header lines of a hosts file (`255.255.255.255 broadcasthost`,
        // `ff02::1 ip6-allnodes`, `fe00::0 ip6-localnet`).
        let header = match addr {
            IpAddr::V4(a) => a.is_broadcast(),
            IpAddr::V6(a) => a.is_multicast() || a.segments()[0] == 0xfe00,
        };
        if header && !rest.iter().any(is_name) {
            return;
        }
        if rest.iter().any(is_name) {
            sink.error(n, format!("hosts-file line maps names to {addr}, not to a blocking address (0.0.0.0 / 127.0.0.1)"));
            return;
        }
    }
    sink.error(
        n,
        format!("unexpected text after the indicator: {}", snippet(content)),
    );
}

/// A TXT indicator: IP, CIDR or domain, with an optional port (dropped), or a URL naming only a
/// host (`http://192.0.2.1`, `https://evil.example:8443/`). A URL with a path is an error: its
/// host may well be a legitimate site serving one bad file.
pub(crate) fn txt_indicator(tok: &str) -> Result<Indicator, String> {
    if let Some(i) = tok.find("://") {
        let after = &tok[i + 3..];
        let path = after.find(['/', '?', '#']).map_or("", |k| &after[k..]);
        if !(path.is_empty() || path == "/") {
            return Err(format!(
                "URL {} has a path; list its host only if the whole host is malicious",
                snippet(tok)
            ));
        }
        return url_indicator(tok);
    }
    parse_host(strip_port(tok))
}

/// `ip#reliability#risk#type#country#city#lat,lon#n`.
fn parse_alien_vault_line(line: &str, n: u64, sink: &mut Sink) {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return;
    }
    let mut fields = line.split('#');
    let indicator = fields.next().unwrap_or("").trim();
    let threat = fields.nth(2);
    if indicator.is_empty() {
        sink.error(n, "missing indicator in the first field");
        return;
    }
    sink.add_result(n, parse_host(indicator), threat);
}

// ---------------------------------------------------------------------------------------------
// CSV formats: OTX_CSV, PROOF_POINT, FIRE_EYE.

/// Calls `f` with each non-empty record (fields trimmed) and the line it starts on.
fn for_each_csv_record(body: &[u8], sink: &mut Sink, mut f: impl FnMut(&mut Sink, u64, &[&str])) {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let mut lines = LineCounter {
        bytes: body,
        pos: 0,
        line: 1,
    };
    // The csv crate's record positions point just past the previous record (before blank and
    // comment lines), and its line counts treat CRLF oddly: find the record's first line here.
    let record_line = |lines: &mut LineCounter, byte: u64| -> u64 {
        let mut o = usize::try_from(byte).unwrap_or(usize::MAX).min(body.len());
        loop {
            while o < body.len() && (body[o] == b'\n' || body[o] == b'\r') {
                o += 1;
            }
            if o < body.len() && body[o] == b'#' {
                o = body[o..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(body.len(), |k| o + k + 1);
                continue;
            }
            return lines.at(o);
        }
    };
    loop {
        if sink.full {
            break;
        }
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| record_line(&mut lines, p.byte()));
                sink.error(line, format!("CSV error: {e}"));
                break;
            }
        }
        let line = rec
            .position()
            .map_or(0, |p| record_line(&mut lines, p.byte()));
        if rec.iter().all(<[u8]>::is_empty) {
            continue;
        }
        if rec.as_slice().len() > MAX_LINE_BYTES {
            sink.error(
                line,
                format!("record is longer than {MAX_LINE_BYTES} bytes"),
            );
            continue;
        }
        let fields: Result<Vec<&str>, _> = rec.iter().map(std::str::from_utf8).collect();
        match fields {
            Ok(fields) => f(sink, line, &fields),
            Err(_) => sink.error(line, "record is not valid UTF-8"),
        }
    }
}

fn find_col(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h == n))
}

fn field<'a>(fields: &[&'a str], idx: Option<usize>) -> Option<&'a str> {
    idx.and_then(|i| fields.get(i).copied())
        .filter(|s| !s.is_empty())
}

/// OTX export: `Indicator type, Indicator, Description`.
fn parse_otx(body: &[u8], sink: &mut Sink) {
    // Column indexes (type, indicator, description); None until the first record is seen.
    let mut cols: Option<(Option<usize>, Option<usize>, Option<usize>)> = None;
    for_each_csv_record(body, sink, |sink, n, fields| {
        let (ti, ii, di) = match cols {
            Some(c) => c,
            None => {
                let header: Vec<String> = fields.iter().map(|f| normalize_col(f)).collect();
                if let Some(ii) = find_col(&header, &["indicator"]) {
                    cols = Some((
                        find_col(&header, &["indicatortype", "type"]),
                        Some(ii),
                        find_col(&header, &["description", "title"]),
                    ));
                    return;
                }
                // No header: assume OTX's column order.
                let c = (Some(0), Some(1), Some(2));
                cols = Some(c);
                c
            }
        };
        let Some(value) = field(fields, ii) else {
            sink.error(n, "missing indicator");
            return;
        };
        let threat = field(fields, di);
        let kind = field(fields, ti).map(normalize_col).unwrap_or_default();
        let r = match kind.as_str() {
            "ipv4" | "ipv6" | "ip" | "ipaddress" | "cidr" => parse_net(value).map(Indicator::Net),
            "domain" | "domainname" | "hostname" | "fqdn" => {
                parse_domain(value).map(Indicator::Domain)
            }
            "url" | "uri" => url_indicator(value),
            "" => parse_host(value),
            _ => return, // file hashes, e-mail addresses, CVEs, mutexes, ...: not network indicators
        };
        sink.add_result(n, r, threat);
    });
}

/// ET Intelligence's reputation category names by id (the IQRisk category table).
fn et_category_name(id: u32) -> Option<&'static str> {
    Some(match id {
        1 => "CnC",
        2 => "Bot",
        3 => "Spam",
        4 => "Drop",
        5 => "SpywareCnC",
        6 => "OnlineGaming",
        7 => "DriveBySrc",
        9 => "ChatServer",
        10 => "TorNode",
        13 => "Compromised",
        15 => "P2P",
        16 => "Proxy",
        17 => "IPCheck",
        19 => "Utility",
        20 => "DDoSTarget",
        21 => "Scanner",
        23 => "Brute_Forcer",
        24 => "FakeAV",
        25 => "DynDNS",
        26 => "Undesirable",
        27 => "AbusedTLD",
        28 => "SelfSignedSSL",
        29 => "Blackhole",
        30 => "RemoteAccessService",
        31 => "P2PCnC",
        33 => "Parking",
        34 => "VPN",
        35 => "EXE_Source",
        37 => "Mobile_CnC",
        38 => "Mobile_Spyware_CnC",
        39 => "Skype_SuperNode",
        40 => "Bitcoin_Related",
        41 => "DDoSAttacker",
        _ => return None,
    })
}

/// ET Intelligence: `ip|domain, category, score, first_seen, last_seen, ports (|)`.
fn parse_proof_point(body: &[u8], sink: &mut Sink) {
    let mut cat: Option<Option<usize>> = None;
    for_each_csv_record(body, sink, |sink, n, fields| {
        let ci = match cat {
            Some(c) => c,
            None => {
                let header: Vec<String> = fields.iter().map(|f| normalize_col(f)).collect();
                let first = header.first().map(String::as_str).unwrap_or("");
                let is_header = matches!(
                    first,
                    "ip" | "domain" | "ipaddress" | "hostname" | "indicator"
                ) || header.iter().any(|h| h == "category");
                if is_header {
                    cat = Some(find_col(&header, &["category"]).or(Some(1)));
                    return;
                }
                cat = Some(Some(1));
                Some(1)
            }
        };
        let Some(value) = field(fields, Some(0)) else {
            sink.error(n, "missing indicator in the first column");
            return;
        };
        let category = field(fields, ci);
        let threat = category.map(|c| match c.parse::<u32>().ok().and_then(et_category_name) {
            Some(name) => name,
            None => c,
        });
        sink.add_result(n, parse_host(value), threat);
    });
}

/// FireEye iSIGHT CSV (see the module documentation for the columns used).
fn parse_fire_eye(body: &[u8], sink: &mut Sink) {
    struct Cols {
        cidr: Option<usize>,
        domain: Option<usize>,
        ip: Option<usize>,
        network_identifier: Option<usize>,
        threat: [Option<usize>; 3],
    }
    let mut cols: Option<Cols> = None;
    let mut bad_header = false;
    for_each_csv_record(body, sink, |sink, n, fields| {
        if bad_header {
            return;
        }
        let Some(c) = &cols else {
            let header: Vec<String> = fields.iter().map(|f| normalize_col(f)).collect();
            let c = Cols {
                cidr: find_col(&header, &["cidr", "network"]),
                domain: find_col(&header, &["domain", "hostname", "fqdn"]),
                ip: find_col(&header, &["ip", "ipaddress"]),
                network_identifier: find_col(&header, &["networkidentifier"]),
                threat: [
                    find_col(&header, &["malwarefamily"]),
                    find_col(&header, &["actor"]),
                    find_col(&header, &["threatname"]),
                ],
            };
            if c.cidr.is_none() && c.domain.is_none() && c.ip.is_none() {
                sink.error(
                    n,
                    "FIRE_EYE header names none of the indicator columns cidr, domain, ip",
                );
                bad_header = true;
            } else {
                cols = Some(c);
            }
            return;
        };
        let threat = c.threat.iter().find_map(|&i| field(fields, i));
        if let Some(v) = field(fields, c.cidr) {
            sink.add_result(n, parse_net(v).map(Indicator::Net), threat);
        }
        if let Some(v) = field(fields, c.ip) {
            sink.add_result(n, parse_net(v).map(Indicator::Net), threat);
        }
        if let Some(v) = field(fields, c.domain) {
            sink.add_result(n, parse_host(v), threat);
        }
        if let Some(v) = field(fields, c.network_identifier)
            && let Ok(net) = parse_net(v)
        {
            sink.add(n, Indicator::Net(net), threat);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// STIX.

fn parse_stix(body: &[u8], sink: &mut Sink) {
    let Some(first) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return; // empty list
    };
    match body[first] {
        b'<' => parse_stix1_xml(&String::from_utf8_lossy(body), sink),
        b'{' | b'[' => parse_stix2_json(body, sink),
        _ => {
            let line = body[..first].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            sink.error(line, "STIX list is neither STIX 1.x XML nor STIX 2.x JSON");
        }
    }
}

// --- STIX 2.x JSON ---------------------------------------------------------------------------

fn parse_stix2_json(body: &[u8], sink: &mut Sink) {
    if body.len() > MAX_JSON_BYTES {
        sink.error(
            0,
            format!(
                "STIX JSON document is {} bytes; the limit is {MAX_JSON_BYTES}",
                body.len()
            ),
        );
        return;
    }
    let doc: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            sink.error(e.line() as u64, format!("invalid STIX 2 JSON: {e}"));
            return;
        }
    };
    let objects: &[Value] = match &doc {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("objects") {
            Some(Value::Array(a)) => a,
            Some(_) => {
                sink.error(1, "STIX bundle's \"objects\" is not an array");
                return;
            }
            None if o.get("type").and_then(Value::as_str) == Some("indicator") => {
                std::slice::from_ref(&doc)
            }
            None if o.get("type").and_then(Value::as_str) == Some("bundle") => return, // empty bundle
            None => {
                sink.error(1, "not a STIX 2 bundle (no \"objects\" array)");
                return;
            }
        },
        _ => {
            sink.error(
                1,
                "not a STIX 2 bundle (top level is neither an object nor an array)",
            );
            return;
        }
    };
    for (i, obj) in objects.iter().enumerate() {
        if sink.full {
            break;
        }
        stix2_object(obj, i as u64 + 1, sink);
    }
}

fn stix2_object(obj: &Value, n: u64, sink: &mut Sink) {
    let Some(o) = obj.as_object() else {
        sink.error(n, "STIX object is not a JSON object");
        return;
    };
    if o.get("type").and_then(Value::as_str) != Some("indicator") {
        return;
    }
    if o.get("revoked").and_then(Value::as_bool) == Some(true) {
        return;
    }
    if let Some(pt) = o.get("pattern_type").and_then(Value::as_str)
        && !pt.eq_ignore_ascii_case("stix")
    {
        return; // snort, yara, sigma, ...
    }
    let id = o
        .get("id")
        .and_then(Value::as_str)
        .map(|s| truncate(s, 80))
        .unwrap_or("without id");
    let Some(pattern) = o.get("pattern").and_then(Value::as_str) else {
        sink.error(n, format!("indicator {id} has no pattern"));
        return;
    };
    if pattern.len() > MAX_PATTERN_BYTES {
        sink.error(
            n,
            format!(
                "indicator {id}: pattern is {} bytes; the limit is {MAX_PATTERN_BYTES}",
                pattern.len()
            ),
        );
        return;
    }
    let first_str = |key: &str| -> Option<&str> {
        match o.get(key) {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .find(|s| !s.trim().is_empty()),
            _ => None,
        }
        .filter(|s| !s.trim().is_empty())
    };
    let threat = first_str("name")
        .or_else(|| first_str("labels"))
        .or_else(|| first_str("indicator_types"));
    match stix2_pattern_indicators(pattern) {
        Ok(found) => {
            for r in found {
                sink.add_result(n, r.map_err(|e| format!("indicator {id}: {e}")), threat);
            }
        }
        Err(e) => sink.error(n, format!("indicator {id}: malformed pattern: {e}")),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LBrack,
    RBrack,
    LParen,
    RParen,
    Comma,
    Str(String),
    Word(String),
    Op(&'static str),
}

fn lex_stix2(p: &str) -> Result<Vec<Tok>, String> {
    fn read_str(b: &[u8], p: &str, i: &mut usize) -> Result<String, String> {
        // b[*i] is the opening quote.
        *i += 1;
        let mut out = String::new();
        let mut seg = *i;
        while *i < b.len() {
            match b[*i] {
                b'\\' if *i + 1 < b.len() => {
                    out.push_str(&p[seg..*i]);
                    *i += 1;
                    // Only \' and \\ are escapes; both are single ASCII bytes.
                    if b[*i] == b'\'' || b[*i] == b'\\' {
                        out.push(b[*i] as char);
                        *i += 1;
                    } else {
                        out.push('\\');
                    }
                    seg = *i;
                }
                b'\'' => {
                    out.push_str(&p[seg..*i]);
                    *i += 1;
                    return Ok(out);
                }
                _ => *i += 1,
            }
        }
        Err("unterminated string".to_string())
    }
    let b = p.as_bytes();
    let mut toks = Vec::new();
    let (mut brackets, mut parens) = (0i64, 0i64);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            _ if c.is_ascii_whitespace() => i += 1,
            b'[' => {
                brackets += 1;
                toks.push(Tok::LBrack);
                i += 1;
            }
            b']' => {
                brackets -= 1;
                if brackets < 0 {
                    return Err("unbalanced ']'".to_string());
                }
                toks.push(Tok::RBrack);
                i += 1;
            }
            b'(' => {
                parens += 1;
                toks.push(Tok::LParen);
                i += 1;
            }
            b')' => {
                parens -= 1;
                if parens < 0 {
                    return Err("unbalanced ')'".to_string());
                }
                toks.push(Tok::RParen);
                i += 1;
            }
            b',' => {
                toks.push(Tok::Comma);
                i += 1;
            }
            b'\'' => toks.push(Tok::Str(read_str(b, p, &mut i)?)),
            b'=' => {
                toks.push(Tok::Op("="));
                i += 1;
            }
            b'!' if b.get(i + 1) == Some(&b'=') => {
                toks.push(Tok::Op("!="));
                i += 2;
            }
            b'<' | b'>' => {
                let two = b.get(i + 1) == Some(&b'=') || (c == b'<' && b.get(i + 1) == Some(&b'>'));
                toks.push(Tok::Op(match (c, two) {
                    (b'<', false) => "<",
                    (b'>', false) => ">",
                    _ => "<=>",
                }));
                i += if two { 2 } else { 1 };
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                // A word: an object path (`ipv4-addr:value`, `file:hashes.'SHA-256'`,
                // `sections[*].entropy`), a keyword, a number; or a typed literal (t'...').
                if matches!(c, b't' | b'h' | b'b') && b.get(i + 1) == Some(&b'\'') {
                    i += 1;
                    toks.push(Tok::Str(read_str(b, p, &mut i)?));
                    continue;
                }
                let mut w = String::new();
                let mut seg = i;
                while i < b.len() {
                    let d = b[i];
                    if d.is_ascii_alphanumeric() || b"_-:.*".contains(&d) {
                        i += 1;
                    } else if d == b'[' && i > seg {
                        // An index (`[*]`, `[0]`) glued to the path.
                        match b[i..].iter().position(|&x| x == b']') {
                            Some(k) => i += k + 1,
                            None => return Err("unbalanced '['".to_string()),
                        }
                    } else if d == b'\'' && i > seg && b[i - 1] == b'.' {
                        // A quoted path component.
                        w.push_str(&p[seg..i]);
                        w.push_str(&read_str(b, p, &mut i)?);
                        seg = i;
                    } else {
                        break;
                    }
                }
                w.push_str(&p[seg..i]);
                toks.push(Tok::Word(w));
            }
            _ => {
                let ch = p[i..].chars().next().unwrap_or('?');
                return Err(format!("unexpected character {ch:?}"));
            }
        }
    }
    if brackets != 0 {
        return Err("unbalanced '['".to_string());
    }
    if parens != 0 {
        return Err("unbalanced '('".to_string());
    }
    if !toks.contains(&Tok::LBrack) {
        return Err("no observation expression ('[...]')".to_string());
    }
    Ok(toks)
}

/// The indicators a STIX 2 pattern names with exact comparisons on network objects.
fn stix2_pattern_indicators(pattern: &str) -> Result<Vec<Result<Indicator, String>>, String> {
    let toks = lex_stix2(pattern)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Tok::Word(path) = &toks[i] else {
            i += 1;
            continue;
        };
        if !path.contains(':') {
            i += 1;
            continue;
        }
        let path = path.to_ascii_lowercase();
        let mut j = i + 1;
        let mut negated = false;
        if let Some(Tok::Word(w)) = toks.get(j)
            && w.eq_ignore_ascii_case("NOT")
        {
            negated = true;
            j += 1;
        }
        let op: String = match toks.get(j) {
            Some(Tok::Op(o)) => (*o).to_string(),
            Some(Tok::Word(w))
                if ["IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k)) =>
            {
                w.to_ascii_uppercase()
            }
            _ => return Err(format!("expected a comparison operator after {path}")),
        };
        j += 1;
        let mut values: Vec<&str> = Vec::new();
        match toks.get(j) {
            Some(Tok::Str(s)) => {
                values.push(s);
                j += 1;
            }
            Some(Tok::LParen) => {
                j += 1;
                loop {
                    match toks.get(j) {
                        Some(Tok::Str(s)) => values.push(s),
                        Some(Tok::Word(_)) => {} // numbers, booleans
                        Some(Tok::Comma) => {}
                        Some(Tok::RParen) => {
                            j += 1;
                            break;
                        }
                        _ => return Err(format!("malformed value list after {path}")),
                    }
                    j += 1;
                }
            }
            Some(Tok::Word(_)) => j += 1, // a number or boolean: never a network indicator
            _ => return Err(format!("expected a value after {path} {op}")),
        }
        i = j;
        if negated || !matches!(op.as_str(), "=" | "IN" | "ISSUBSET") {
            continue;
        }
        for v in values {
            let r = match path.as_str() {
                "ipv4-addr:value" | "ipv6-addr:value" => parse_net(v).map(Indicator::Net),
                "domain-name:value" => parse_domain(v).map(Indicator::Domain),
                "url:value" => url_indicator(v),
                "network-traffic:dst_ref.value" | "network-traffic:src_ref.value" => parse_host(v),
                _ => continue,
            };
            out.push(r);
        }
    }
    Ok(out)
}

// --- STIX 1.x XML ----------------------------------------------------------------------------

/// Counts lines as the scanner moves forward.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn at(&mut self, pos: usize) -> u64 {
        let pos = pos.min(self.bytes.len());
        if pos > self.pos {
            self.line += self.bytes[self.pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.pos = pos;
        }
        self.line
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Props {
    None,
    Domain,
    Uri,
    Other,
}

#[derive(Debug, Clone, PartialEq)]
enum ValueKind {
    /// With the address category in force (`ipv4-addr`, ...).
    Address(Option<String>),
    Domain,
    Url,
    Host,
}

struct Capture {
    kind: ValueKind,
    condition: String,
    line: u64,
    text: String,
    too_long: bool,
}

struct IndicatorCtx {
    title: Option<String>,
    first_entry: usize,
}

fn local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// An attribute's value by local name (case-insensitive).
fn xml_attr<'a>(attrs: &'a str, want: &str) -> Option<&'a str> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let name = &attrs[ns..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            continue; // an attribute without a value
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let (vs, ve);
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            i += 1;
            vs = i;
            while i < b.len() && b[i] != q {
                i += 1;
            }
            ve = i;
            i += 1;
        } else {
            vs = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            ve = i;
        }
        if local_name(name).eq_ignore_ascii_case(want) {
            return Some(&attrs[vs..ve]);
        }
    }
    None
}

/// The five XML entities and character references; anything else is left as written.
fn xml_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let window = &rest.as_bytes()[..rest.len().min(12)];
        let decoded = window.iter().position(|&b| b == b';').and_then(|semi| {
            let ent = &rest[1..semi];
            let c = match ent {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    if let Some(h) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The minimal CIDRs covering `first..=last`.
fn range_to_cidrs(first: IpAddr, last: IpAddr) -> Result<Vec<IpNet>, String> {
    let (start, end, bits) = match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            (u128::from(u32::from(a)), u128::from(u32::from(b)), 32u32)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128u32),
        _ => return Err(format!("range {first} - {last} mixes IPv4 and IPv6")),
    };
    if start > end {
        return Err(format!("range {first} - {last} ends before it starts"));
    }
    let mut out = Vec::new();
    let mut cur = start;
    loop {
        let remaining = end - cur; // addresses left, minus one
        let align = if cur == 0 {
            bits
        } else {
            cur.trailing_zeros().min(bits)
        };
        let fit = if remaining == u128::MAX {
            128
        } else {
            (remaining + 1).ilog2()
        };
        let host = align.min(fit);
        let prefix = (bits - host) as u8;
        let net = if bits == 32 {
            Ipv4Net::new(Ipv4Addr::from(cur as u32), prefix).map(IpNet::V4)
        } else {
            Ipv6Net::new(Ipv6Addr::from(cur), prefix).map(IpNet::V6)
        }
        .map_err(|e| e.to_string())?;
        out.push(net);
        if host >= 128 {
            break;
        }
        match cur.checked_add(1u128 << host) {
            Some(next) if next <= end => cur = next,
            _ => break,
        }
    }
    Ok(out)
}

fn finish_capture(cap: Capture, sink: &mut Sink) {
    let n = cap.line;
    if cap.too_long {
        sink.error(n, format!("value is longer than {MAX_LINE_BYTES} bytes"));
        return;
    }
    let text = xml_unescape(&cap.text);
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let values: Vec<&str> = text
        .split("##comma##")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    let is_address = matches!(cap.kind, ValueKind::Address(_));
    if let ValueKind::Address(Some(cat)) = &cap.kind
        && !matches!(
            cat.as_str(),
            "" | "ipv4-addr" | "ipv6-addr" | "ipv4-net" | "ipv6-net" | "cidr"
        )
    {
        return; // e-mail, mac, asn, netmasks, ...: not network indicators
    }
    match cap.condition.to_ascii_lowercase().as_str() {
        "" | "equals" => {
            for v in values {
                let r = match &cap.kind {
                    ValueKind::Address(_) => parse_net(v).map(Indicator::Net),
                    ValueKind::Domain => parse_domain(v).map(Indicator::Domain),
                    ValueKind::Url => url_indicator(v),
                    ValueKind::Host => parse_host(v),
                };
                sink.add_result(n, r, None);
            }
        }
        "inclusivebetween" if is_address => {
            if values.len() != 2 {
                sink.error(
                    n,
                    format!(
                        "InclusiveBetween needs two addresses joined by ##comma##, got {}",
                        snippet(text)
                    ),
                );
                return;
            }
            let parsed = (IpAddr::from_str(values[0]), IpAddr::from_str(values[1]));
            match parsed {
                (Ok(a), Ok(b)) => match range_to_cidrs(a, b) {
                    Ok(nets) => {
                        for net in nets {
                            sink.add(n, Indicator::Net(net), None);
                        }
                    }
                    Err(e) => sink.error(n, e),
                },
                _ => sink.error(n, format!("invalid address range {}", snippet(text))),
            }
        }
        other => sink.error(
            n,
            format!(
                "unsupported condition {} (only Equals and InclusiveBetween)",
                snippet(other)
            ),
        ),
    }
}

fn parse_stix1_xml(text: &str, sink: &mut Sink) {
    let b = text.as_bytes();
    let mut lines = LineCounter {
        bytes: b,
        pos: 0,
        line: 1,
    };
    let mut pos = 0;
    let mut props = Props::None;
    let mut category: Option<String> = None;
    let mut cap: Option<Capture> = None;
    let mut title: Option<String> = None;
    let mut indicators: Vec<IndicatorCtx> = Vec::new();
    let mut seen_root = false;

    let append = |cap: &mut Option<Capture>, title: &mut Option<String>, s: &str| {
        if let Some(c) = cap {
            if c.text.len() + s.len() > MAX_LINE_BYTES {
                c.too_long = true;
            } else {
                c.text.push_str(s);
            }
        } else if let Some(t) = title
            && t.len() < MAX_THREAT_NAME_BYTES * 4
        {
            t.push_str(truncate(s, MAX_THREAT_NAME_BYTES * 4));
        }
    };

    while pos < b.len() {
        if sink.full {
            return;
        }
        let Some(lt) = b[pos..].iter().position(|&c| c == b'<').map(|k| pos + k) else {
            break;
        };
        append(&mut cap, &mut title, &text[pos..lt]);
        let rest = &text[lt..];
        if rest.starts_with("<!--") {
            match rest.find("-->") {
                Some(k) => pos = lt + k + 3,
                None => break,
            }
            continue;
        }
        if let Some(inner) = rest.strip_prefix("<![CDATA[") {
            match inner.find("]]>") {
                Some(k) => {
                    append(&mut cap, &mut title, &inner[..k]);
                    pos = lt + 9 + k + 3;
                }
                None => break,
            }
            continue;
        }
        if rest.starts_with("<?") {
            match rest.find("?>") {
                Some(k) => pos = lt + k + 2,
                None => break,
            }
            continue;
        }
        if rest.starts_with("<!") {
            // DOCTYPE and friends, with an internal subset if any (never expanded).
            let end = match rest.find('>') {
                Some(g) if rest[..g].contains('[') => rest.find("]>").map(|k| k + 2),
                Some(g) => Some(g + 1),
                None => None,
            };
            match end {
                Some(k) => pos = lt + k,
                None => break,
            }
            continue;
        }
        // A tag: find its end outside quoted attribute values.
        let mut quote = None;
        let mut gt = None;
        for (k, &c) in b[lt + 1..].iter().enumerate() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'>' => {
                    gt = Some(lt + 1 + k);
                    break;
                }
                None => {}
            }
        }
        let line = lines.at(lt);
        let Some(gt) = gt else {
            sink.error(line, "unterminated XML tag");
            break;
        };
        pos = gt + 1;
        let inner = &text[lt + 1..gt];
        if let Some(name) = inner.strip_prefix('/') {
            // End tag.
            let local = local_name(name.trim());
            if let Some(c) = cap.take() {
                finish_capture(c, sink);
            }
            if local == "Title"
                && let Some(t) = title.take()
                && let Some(ctx) = indicators.last_mut()
            {
                let t = xml_unescape(t.trim());
                if !t.trim().is_empty() {
                    ctx.title = Some(t.trim().to_string());
                }
            }
            if local == "Indicator"
                && let Some(ctx) = indicators.pop()
                && let Some(t) = ctx.title
            {
                for e in sink.out.entries.iter_mut().skip(ctx.first_entry) {
                    if e.threat_name.is_none() {
                        e.threat_name = clean_threat(Some(&t));
                    }
                }
            }
            if local == "Properties" {
                props = Props::None;
            }
            continue;
        }
        // Start (or empty-element) tag.
        let self_closing = inner.ends_with('/');
        let inner = inner.strip_suffix('/').unwrap_or(inner);
        let name_end = inner
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(inner.len());
        let (name, attrs) = inner.split_at(name_end);
        let mut local = local_name(name);
        let glued;
        let mut attrs = attrs;
        // AWS's sample glues the attribute to the name: `<AddressObject:Address_Valuecondition="...">`.
        if local.len() > "Address_Value".len() && local.starts_with("Address_Value") {
            glued = format!("{} {attrs}", &local["Address_Value".len()..]);
            attrs = &glued;
            local = "Address_Value";
        }
        if !seen_root {
            seen_root = true;
            let l = local.to_ascii_lowercase();
            if !(l.contains("stix") || l.contains("observable") || l.contains("indicator")) {
                sink.error(
                    line,
                    format!(
                        "not a STIX 1.x document (root element <{}>)",
                        truncate(name, 80)
                    ),
                );
                return;
            }
        }
        if let Some(cat) = xml_attr(attrs, "category") {
            category = Some(cat.trim().to_ascii_lowercase());
        }
        if self_closing {
            continue;
        }
        match local {
            "Indicator" => indicators.push(IndicatorCtx {
                title: None,
                first_entry: sink.out.entries.len(),
            }),
            "Title" if cap.is_none() && indicators.last().is_some_and(|c| c.title.is_none()) => {
                title = Some(String::new());
            }
            "Properties" => {
                let t = xml_attr(attrs, "type").unwrap_or("").to_ascii_lowercase();
                props = if t.contains("domainnameobjecttype") {
                    Props::Domain
                } else if t.contains("uriobjecttype") {
                    Props::Uri
                } else {
                    Props::Other
                };
                // Each object starts afresh: a category applies within its own Properties.
                category = xml_attr(attrs, "category").map(|c| c.trim().to_ascii_lowercase());
            }
            _ => {}
        }
        let kind = match local {
            "Address_Value" => Some(ValueKind::Address(category.clone())),
            "Hostname_Value" => Some(ValueKind::Host),
            "Value" if props == Props::Domain => Some(ValueKind::Domain),
            "Value" if props == Props::Uri => Some(ValueKind::Url),
            _ => None,
        };
        if let Some(kind) = kind {
            if let Some(c) = cap.take() {
                finish_capture(c, sink);
            }
            let condition = xml_attr(attrs, "condition")
                .unwrap_or("")
                .trim()
                .to_string();
            cap = Some(Capture {
                kind,
                condition,
                line,
                text: String::new(),
                too_long: false,
            });
        }
    }
    if let Some(c) = cap {
        let line = c.line;
        sink.error(line, "element not closed before the end of the document");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Indicator {
        Indicator::Net(s.parse().unwrap())
    }
    fn dom(s: &str) -> Indicator {
        Indicator::Domain(s.to_string())
    }
    fn inds(p: &ParsedList) -> Vec<Indicator> {
        p.entries.iter().map(|e| e.indicator.clone()).collect()
    }
    fn threats(p: &ParsedList) -> Vec<Option<&str>> {
        p.entries.iter().map(|e| e.threat_name.as_deref()).collect()
    }
    fn err_lines(p: &ParsedList) -> Vec<u64> {
        p.errors.iter().map(|e| e.line).collect()
    }
    /// A file under /work/shared/data/intel, via the crate's relative path or the absolute one.
    fn shared(rel: &str) -> Option<Vec<u8>> {
        let relative = format!(
            "{}/../../../shared/data/intel/{rel}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(relative)
            .or_else(|_| std::fs::read(format!("/work/shared/data/intel/{rel}")))
            .ok()
    }

    // --- API names ---------------------------------------------------------------------------

    #[test]
    fn api_names_round_trip() {
        for f in ListFormat::ALL {
            assert_eq!(ListFormat::from_api_name(f.api_name()), Some(f));
            assert_eq!(
                ListFormat::from_api_name(&f.api_name().to_lowercase()),
                Some(f)
            );
            assert_eq!(f.to_string(), f.api_name());
        }
        assert_eq!(
            ListFormat::from_api_name(" otx_csv "),
            Some(ListFormat::OtxCsv)
        );
        assert_eq!(ListFormat::from_api_name("CSV"), None);
        assert_eq!(ListFormat::from_api_name(""), None);
    }

    // --- TXT ---------------------------------------------------------------------------------

    #[test]
    fn txt_entries_and_normalisation() {
        let text = "\u{feff}# my list\r\n\
                    54.20.175.217\r\n\
                    205.0.0.0/8\r\n\
                    10.1.2.3/8   \r\n\
                    \r\n\
                    198.51.100.7 # tor exit\r\n\
                    2001:db8::1\r\n\
                    2001:DB8:1:2::5/32\r\n\
                    Example.COM.\r\n\
                    *.example.org\r\n\
                    .sub.example.net\r\n\
                    \t  \r\n\
                    ::ffff:192.0.2.1\r\n";
        let p = parse(ListFormat::Txt, text.as_bytes(), true);
        assert_eq!(p.errors, vec![]);
        assert_eq!(
            inds(&p),
            vec![
                net("54.20.175.217/32"),
                net("205.0.0.0/8"),
                net("10.0.0.0/8"),
                net("198.51.100.7/32"),
                net("2001:db8::1/128"),
                net("2001:db8::/32"),
                dom("example.com"),
                dom("example.org"),
                dom("sub.example.net"),
                net("::ffff:192.0.2.1/128"),
            ]
        );
        assert!(p.entries.iter().all(|e| e.threat_name.is_none()));
    }

    #[test]
    fn txt_errors_have_line_numbers() {
        let text = "1.2.3.4\n\
                    1.2.3.256\n\
                    # comment\n\
                    10.0.0.0/33\n\
                    not_a_domain\n\
                    evil.example\n\
                    1.2.3.4 tor exit\n\
                    bad..example\n\
                    \n\
                    exa$mple.com\n\
                    2001:db8::zz\n";
        let p = parse(ListFormat::Txt, text.as_bytes(), true);
        assert_eq!(inds(&p), vec![net("1.2.3.4/32"), dom("evil.example")]);
        assert_eq!(err_lines(&p), vec![2, 4, 5, 7, 8, 10, 11]);
        assert!(
            p.errors[0].message.contains("invalid IP address"),
            "{:?}",
            p.errors[0]
        );
        assert!(
            p.errors[1].message.contains("invalid CIDR"),
            "{:?}",
            p.errors[1]
        );
        assert!(
            p.errors[3].message.contains("unexpected text"),
            "{:?}",
            p.errors[3]
        );
    }

    #[test]
    fn txt_trusted_mode_rejects_domains() {
        let p = parse(
            ListFormat::Txt,
            b"192.0.2.0/24\nexample.com\n*.example.org\n198.51.100.1\n",
            false,
        );
        assert_eq!(inds(&p), vec![net("192.0.2.0/24"), net("198.51.100.1/32")]);
        assert_eq!(err_lines(&p), vec![2, 3]);
        assert!(p.errors[0].message.contains("not allowed"));
    }

    #[test]
    fn txt_feed_layouts() {
        // ipsum (IP<TAB>count), maltrail (IP:port, [v6]:port), hosts files.
        let text = "# IP\tnumber of (black)lists\n\
                    77.90.185.20\t10\n\
                    107.191.47.239:3333\n\
                    [2001:db8::7]:8080\n\
                    pool.example.com:4444\n\
                    0.0.0.0 miner.example.com\n\
                    127.0.0.1 localhost\n\
                    127.0.0.1 a.example b.example\n\
                    ::1 ip6-localhost ip6-loopback\n\
                    203.0.113.9 c.example\n\
                    1.2.3.4 10 20\n\
                    1.2.3.4:99999\n\
                    255.255.255.255 broadcasthost\n\
                    ff02::1 ip6-allnodes\n\
                    http://185.141.25.35\n\
                    https://Evil.Example:8443/\n\
                    https://github.com/evil/x\n";
        let p = parse(ListFormat::Txt, text.as_bytes(), true);
        assert_eq!(
            inds(&p),
            vec![
                net("77.90.185.20/32"),
                net("107.191.47.239/32"),
                net("2001:db8::7/128"),
                dom("pool.example.com"),
                dom("miner.example.com"),
                dom("a.example"),
                dom("b.example"),
                net("185.141.25.35/32"),
                dom("evil.example"),
            ]
        );
        assert_eq!(err_lines(&p), vec![10, 11, 12, 17]);
        assert!(
            p.errors[0].message.contains("hosts-file"),
            "{:?}",
            p.errors[0]
        );
        assert!(
            p.errors[3].message.contains("has a path"),
            "{:?}",
            p.errors[3]
        );
    }

    #[test]
    fn domain_validation() {
        let ok = |s: &str| parse_domain(s);
        assert_eq!(ok("*.Example.ORG."), Ok("example.org".to_string()));
        assert_eq!(
            ok("_dmarc.x-y.example"),
            Ok("_dmarc.x-y.example".to_string())
        );
        assert_eq!(
            ok("xn--bcher-kva.example"),
            Ok("xn--bcher-kva.example".to_string())
        );
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = format!("{}com", "abcdefghi.".repeat(25)); // 253 characters
        let too_long = format!("x{long_name}");
        assert_eq!(long_name.len(), 253);
        assert!(ok(&long_name).is_ok());
        for bad in [
            "com",
            "*.com",
            ".",
            "*.",
            "a..b",
            "a.b..",
            &long_label,
            &too_long,
            "bücher.de",
            "a b.com",
            "1.2.3",
            "a/b.com",
            "-",
        ] {
            assert!(ok(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn error_list_is_capped() {
        let text = "nope\n".repeat(1500);
        let p = parse(ListFormat::Txt, text.as_bytes(), true);
        assert_eq!(p.errors.len(), MAX_ERRORS + 1);
        let last = p.errors.last().unwrap();
        assert_eq!(last.message, "500 more errors");
        assert_eq!(last.line, 1001);
        assert_eq!(p.errors[999].line, 1000);
    }

    #[test]
    fn long_lines_and_bad_utf8_are_errors() {
        let mut text = b"1.1.1.1\n".to_vec();
        text.extend(std::iter::repeat_n(b'a', MAX_LINE_BYTES + 1));
        text.extend(b"\n\xff\xfe.example\n2.2.2.2\n");
        let p = parse(ListFormat::Txt, &text, true);
        assert_eq!(inds(&p), vec![net("1.1.1.1/32"), net("2.2.2.2/32")]);
        assert_eq!(err_lines(&p), vec![2, 3]);
        let p = parse(ListFormat::Txt, b"\xff\xfe1\x00.\x002\x00", true);
        assert_eq!(err_lines(&p), vec![1]);
        assert!(p.errors[0].message.contains("UTF-16"));
    }

    // --- STIX 2 ------------------------------------------------------------------------------

    const STIX2: &str = r#"{
      "type": "bundle",
      "id": "bundle--1",
      "objects": [
        {"type": "identity", "id": "identity--1", "name": "ACME"},
        {"type": "indicator", "id": "indicator--a", "name": "Emotet C2", "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '198.51.100.1'] OR [ipv4-addr:value = '10.1.2.3/8']"},
        {"type": "indicator", "id": "indicator--b", "labels": ["malicious-activity"],
         "pattern": "[ipv6-addr:value = '2001:db8::1' OR domain-name:value = '*.Evil.Example']"},
        {"type": "indicator", "id": "indicator--c", "indicator_types": ["anomalous-activity"],
         "pattern": "[url:value = 'http://user@bad.example:8080/x?y'] AND [file:hashes.'SHA-256' = 'abc']"},
        {"type": "indicator", "id": "indicator--d", "pattern": "[ipv4-addr:value = '"},
        {"type": "indicator", "id": "indicator--e", "pattern_type": "snort", "pattern": "alert tcp any any"},
        {"type": "indicator", "id": "indicator--f", "revoked": true, "pattern": "[ipv4-addr:value = '192.0.2.99']"},
        {"type": "indicator", "id": "indicator--g", "name": "scan",
         "pattern": "[ipv4-addr:value ISSUBSET '203.0.113.7/24' AND network-traffic:dst_port = 443] WITHIN 300 SECONDS"},
        {"type": "indicator", "id": "indicator--h", "pattern": "[ipv4-addr:value = '999.1.1.1']"},
        {"type": "indicator", "id": "indicator--i", "pattern": "[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'"},
        {"type": "indicator", "id": "indicator--j", "pattern": "[ipv4-addr:value != '192.0.2.3' AND domain-name:value NOT = 'x.example'] OR [domain-name:value LIKE '%.example']"},
        "junk",
        {"type": "indicator", "id": "indicator--k"}
      ]
    }"#;

    #[test]
    fn stix2_bundle() {
        let p = parse(ListFormat::Stix, STIX2.as_bytes(), true);
        assert_eq!(
            inds(&p),
            vec![
                net("198.51.100.1/32"),
                net("10.0.0.0/8"),
                net("2001:db8::1/128"),
                dom("evil.example"),
                dom("bad.example"),
                net("203.0.113.0/24"),
                net("192.0.2.1/32"),
                net("192.0.2.2/32"),
            ]
        );
        assert_eq!(
            threats(&p),
            vec![
                Some("Emotet C2"),
                Some("Emotet C2"),
                Some("malicious-activity"),
                Some("malicious-activity"),
                Some("anomalous-activity"),
                Some("scan"),
                None,
                None,
            ]
        );
        // Positions in "objects": d (5) is malformed, h (9) has a bad IP, 12 is not an object,
        // k (13) has no pattern.
        assert_eq!(err_lines(&p), vec![5, 9, 12, 13]);
        assert!(
            p.errors[0].message.contains("indicator--d"),
            "{:?}",
            p.errors[0]
        );
        assert!(
            p.errors[0].message.contains("unterminated"),
            "{:?}",
            p.errors[0]
        );
    }

    #[test]
    fn stix2_trusted_mode_and_shapes() {
        let p = parse(ListFormat::Stix, STIX2.as_bytes(), false);
        assert!(!inds(&p).iter().any(|i| matches!(i, Indicator::Domain(_))));
        assert!(
            p.errors
                .iter()
                .any(|e| e.line == 3 && e.message.contains("not allowed"))
        );
        // A single indicator, a top-level array, an objects envelope.
        let single = r#"{"type":"indicator","pattern":"[ipv4-addr:value='192.0.2.5']","name":"x"}"#;
        assert_eq!(
            inds(&parse(ListFormat::Stix, single.as_bytes(), true)),
            vec![net("192.0.2.5/32")]
        );
        let arr = format!("[{single}]");
        assert_eq!(
            inds(&parse(ListFormat::Stix, arr.as_bytes(), true)),
            vec![net("192.0.2.5/32")]
        );
        let env = format!("{{\"more\":false,\"objects\":[{single}]}}");
        assert_eq!(
            inds(&parse(ListFormat::Stix, env.as_bytes(), true)),
            vec![net("192.0.2.5/32")]
        );
        // Escaped quotes in strings and quoted path components lex.
        let esc = r#"{"type":"indicator","pattern":"[domain-name:value = 'a.example' OR file:name = 'it\\'s'] OR [x-foo:ext.'a b' = 'c']"}"#;
        assert_eq!(
            inds(&parse(ListFormat::Stix, esc.as_bytes(), true)),
            vec![dom("a.example")]
        );
    }

    #[test]
    fn stix2_errors() {
        let p = parse(
            ListFormat::Stix,
            b"{\n \"type\": \"bundle\",\n \"objects\": [\n  {,}\n ]\n}",
            true,
        );
        assert_eq!(err_lines(&p), vec![4]);
        assert!(p.errors[0].message.contains("invalid STIX 2 JSON"));
        let long = format!("[ipv4-addr:value = '{}']", "1".repeat(MAX_PATTERN_BYTES));
        let doc =
            serde_json::json!({"type":"bundle","objects":[{"type":"indicator","pattern":long}]})
                .to_string();
        let p = parse(ListFormat::Stix, doc.as_bytes(), true);
        assert_eq!(err_lines(&p), vec![1]);
        assert!(p.errors[0].message.contains("limit"));
        for bad in [
            "[ipv4-addr:value = '1.2.3.4'",
            "ipv4-addr:value = '1.2.3.4'",
            "[ipv4-addr:value '1.2.3.4']",
            "[ipv4-addr:value = ]",
            "[a:b = 'x'] \"",
            "[a:b IN ('x', ]",
        ] {
            assert!(
                stix2_pattern_indicators(bad).is_err(),
                "{bad:?} should be malformed"
            );
        }
        let p = parse(ListFormat::Stix, b"hello", true);
        assert_eq!(err_lines(&p), vec![1]);
        assert_eq!(
            parse(ListFormat::Stix, b"  \n ", true),
            ParsedList::default()
        );
    }

    // --- STIX 1 ------------------------------------------------------------------------------

    /// AWS's entity-list sample.
    const STIX1_ENTITY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package
    xmlns:cybox="http://cybox.mitre.org/cybox-2"
    xmlns:stix="http://stix.mitre.org/stix-1"
    xmlns:indicator="http://stix.mitre.org/Indicator-2"
    xmlns:DomainNameObj="http://cybox.mitre.org/objects#DomainNameObject-1"
    id="example:Package-a1b2c3d4-1111-2222-3333-444455556666"
    version="1.2">
    <stix:Indicators>
        <stix:Indicator
            id="example:indicator-a1b2c3d4-aaaa-bbbb-cccc-ddddeeeeffff"
            timestamp="2025-08-12T00:00:00Z"
            xsi:type="indicator:IndicatorType"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <indicator:Title>Malicious domain observed Example</indicator:Title>
            <indicator:Type xsi:type="stixVocabs:IndicatorTypeVocab-1.1">Domain Watchlist</indicator:Type>
            <indicator:Observable id="example:Observable-0000-1111-2222-3333">
                <cybox:Object id="example:Object-0000-1111-2222-3333">
                    <cybox:Properties xsi:type="DomainNameObj:DomainNameObjectType">
                        <DomainNameObj:Value condition="Equals">bad.example.com</DomainNameObj:Value>
                    </cybox:Properties>
                </cybox:Object>
            </indicator:Observable>
        </stix:Indicator>
    </stix:Indicators>
</stix:STIX_Package>
"#;

    /// AWS's IP-list sample, including its glued `Address_Valuecondition` typo.
    const STIX1_IPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2">
    <stix:Observables cybox_major_version="1" cybox_minor_version="1">
        <cybox:Observable id="example:observable-1">
            <cybox:Object id="example:object-1">
                <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
                    <AddressObject:Address_Valuecondition="InclusiveBetween">192.0.2.0##comma##192.0.2.255</AddressObject:Address_Value>
                </cybox:Properties>
            </cybox:Object>
        </cybox:Observable>
        <cybox:Observable id="example:observable-2">
            <cybox:Object id="example:object-2">
                <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
                    <AddressObject:Address_Value>198.51.100.1</AddressObject:Address_Value>
                </cybox:Properties>
            </cybox:Object>
        </cybox:Observable>
        <cybox:Observable><cybox:Object><cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
            <AddressObject:Address_Value>203.0.113.1</AddressObject:Address_Value>
        </cybox:Properties></cybox:Object></cybox:Observable>
    </stix:Observables>
</stix:STIX_Package>
"#;

    #[test]
    fn stix1_aws_samples() {
        let p = parse(ListFormat::Stix, STIX1_ENTITY.as_bytes(), true);
        assert_eq!(p.errors, vec![]);
        assert_eq!(inds(&p), vec![dom("bad.example.com")]);
        assert_eq!(threats(&p), vec![Some("Malicious domain observed Example")]);
        let p = parse(ListFormat::Stix, STIX1_IPS.as_bytes(), false);
        assert_eq!(p.errors, vec![]);
        assert_eq!(
            inds(&p),
            vec![
                net("192.0.2.0/24"),
                net("198.51.100.1/32"),
                net("203.0.113.1/32")
            ]
        );
        // Trusted mode: the domain is an error on its element's line.
        let p = parse(ListFormat::Stix, STIX1_ENTITY.as_bytes(), false);
        assert_eq!(err_lines(&p), vec![20]);
    }

    #[test]
    fn stix1_conditions_categories_and_errors() {
        let xml = r#"<stix:STIX_Package>
<stix:Indicators>
<stix:Indicator><indicator:Title>Zeus &amp; friends</indicator:Title>
<cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
<AddressObject:Address_Value condition="Equals" apply_condition="ANY">10.0.0.1##comma##10.9.9.9/8</AddressObject:Address_Value>
</cybox:Properties>
<cybox:Properties xsi:type="AddressObject:AddressObjectType" category="e-mail">
<AddressObject:Address_Value>bad@example.com</AddressObject:Address_Value>
</cybox:Properties>
<cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
<AddressObject:Address_Value condition="StartsWith">10.</AddressObject:Address_Value>
<AddressObject:Address_Value condition="InclusiveBetween">10.0.0.1##comma##10.0.0.6</AddressObject:Address_Value>
<AddressObject:Address_Value condition="InclusiveBetween">10.0.0.9##comma##10.0.0.1</AddressObject:Address_Value>
<AddressObject:Address_Value><![CDATA[2001:db8::/48]]></AddressObject:Address_Value>
</cybox:Properties>
<!-- <AddressObject:Address_Value>6.6.6.6</AddressObject:Address_Value> -->
<cybox:Properties xsi:type="URIObj:URIObjectType" type="URL"><URIObj:Value>https://Evil.Example/path</URIObj:Value></cybox:Properties>
<cybox:Properties xsi:type="HostnameObj:HostnameObjectType"><HostnameObj:Hostname_Value>c2.example</HostnameObj:Hostname_Value></cybox:Properties>
<cybox:Properties xsi:type="DomainNameObj:DomainNameObjectType"><DomainNameObj:Value>not a domain</DomainNameObj:Value></cybox:Properties>
</stix:Indicator>
</stix:Indicators>
</stix:STIX_Package>"#;
        let p = parse(ListFormat::Stix, xml.as_bytes(), true);
        assert_eq!(
            inds(&p),
            vec![
                net("10.0.0.1/32"),
                net("10.0.0.0/8"),
                net("10.0.0.1/32"),
                net("10.0.0.2/31"),
                net("10.0.0.4/31"),
                net("10.0.0.6/32"),
                net("2001:db8::/48"),
                dom("evil.example"),
                dom("c2.example"),
            ]
        );
        assert!(
            p.entries
                .iter()
                .all(|e| e.threat_name.as_deref() == Some("Zeus & friends"))
        );
        assert_eq!(err_lines(&p), vec![11, 13, 19]);
        assert!(p.errors[0].message.contains("unsupported condition"));

        // A category applies within its own Properties only.
        let xml = r#"<stix:STIX_Package>
<cybox:Properties xsi:type="AddressObject:AddressObjectType" category="e-mail"><AddressObject:Address_Value>a@b.example</AddressObject:Address_Value></cybox:Properties>
<cybox:Properties xsi:type="AddressObject:AddressObjectType"><AddressObject:Address_Value>192.0.2.77</AddressObject:Address_Value></cybox:Properties>
</stix:STIX_Package>"#;
        let p = parse(ListFormat::Stix, xml.as_bytes(), true);
        assert_eq!((inds(&p), p.errors), (vec![net("192.0.2.77/32")], vec![]));

        let p = parse(
            ListFormat::Stix,
            b"<html><body>AccessDenied</body></html>",
            true,
        );
        assert_eq!(err_lines(&p), vec![1]);
        assert!(p.errors[0].message.contains("not a STIX 1.x document"));
        let p = parse(
            ListFormat::Stix,
            b"<stix:STIX_Package>\n<AddressObject:Address_Value>1.2.3.4",
            true,
        );
        assert_eq!(err_lines(&p), vec![2]);
    }

    #[test]
    fn ranges_become_minimal_cidrs() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let nets = |a, b| {
            range_to_cidrs(ip(a), ip(b))
                .unwrap()
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(nets("192.0.2.0", "192.0.2.255"), ["192.0.2.0/24"]);
        assert_eq!(nets("0.0.0.0", "255.255.255.255"), ["0.0.0.0/0"]);
        assert_eq!(
            nets("255.255.255.255", "255.255.255.255"),
            ["255.255.255.255/32"]
        );
        assert_eq!(
            nets("10.0.0.1", "10.0.0.6"),
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]
        );
        assert_eq!(
            nets("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ["::/0"]
        );
        assert_eq!(
            nets("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").len(),
            128
        );
        assert_eq!(nets("0.0.0.1", "255.255.255.254").len(), 62);
        assert!(range_to_cidrs(ip("10.0.0.2"), ip("10.0.0.1")).is_err());
        assert!(range_to_cidrs(ip("10.0.0.2"), ip("::1")).is_err());
    }

    // --- OTX ---------------------------------------------------------------------------------

    #[test]
    fn otx_csv() {
        let text = "\u{feff}Indicator type, Indicator, Description\r\n\
                    CIDR, 192.0.2.5/24, example\r\n\
                    IPv4, 198.51.100.1, Emotet\r\n\
                    Domain name, Example.NET, \r\n\
                    hostname,*.c2.example,\"phishing, kit\"\r\n\
                    URL,http://[2001:db8::9]:80/gate.php,\r\n\
                    URL,https://dl.example.org/a.exe,dropper\r\n\
                    FileHash-SHA256,abcdef,ignored\r\n\
                    IPv6,2001:db8::/32,\r\n\
                    IPv4, 300.1.1.1, bad\r\n\
                    domain, -bad_/, bad\r\n\
                    URL, /relative/only, bad\r\n\
                    IPv4,,empty\r\n";
        let p = parse(ListFormat::OtxCsv, text.as_bytes(), true);
        assert_eq!(
            inds(&p),
            vec![
                net("192.0.2.0/24"),
                net("198.51.100.1/32"),
                dom("example.net"),
                dom("c2.example"),
                net("2001:db8::9/128"),
                dom("dl.example.org"),
                net("2001:db8::/32"),
            ]
        );
        assert_eq!(
            threats(&p),
            vec![
                Some("example"),
                Some("Emotet"),
                None,
                Some("phishing, kit"),
                None,
                Some("dropper"),
                None
            ]
        );
        assert_eq!(err_lines(&p), vec![10, 11, 12, 13]);
        // Trusted mode.
        let p = parse(ListFormat::OtxCsv, text.as_bytes(), false);
        assert_eq!(p.entries.len(), 4);
        assert_eq!(err_lines(&p), vec![4, 5, 7, 10, 11, 12, 13]);
        // Columns found by name, in any order.
        let p = parse(
            ListFormat::OtxCsv,
            b"Description,Indicator,Indicator type\nbot,192.0.2.1,IPv4\n",
            true,
        );
        assert_eq!(inds(&p), vec![net("192.0.2.1/32")]);
        assert_eq!(threats(&p), vec![Some("bot")]);
    }

    // --- ALIEN_VAULT -------------------------------------------------------------------------

    #[test]
    fn alien_vault() {
        let text = "192.0.2.1#4#2#Malicious Host#KR##37.5111999512,126.974098206#3\n\
                    192.0.2.2#4#2#Scanning Host#IN#Gurgaon#28.4666996002,77.0333023071#3\r\n\
                    192.0.2.3#4#2##CN#Guangzhou#23.1166992188,113.25#3\n\
                    www.test.org#4#2#Malicious Host#CA#Brossard#45.4673995972,-73.4832000732#3\n\
                    # a comment\n\
                    \n\
                    192.0.2.999#4#2#Malicious Host#US##0.0,0.0#3\n\
                    #4#2#Malicious Host#US##0.0,0.0#3\n\
                    198.51.100.0/24#4#2#Malicious Host;Scanning Host#US##0.0,0.0#3\n";
        let p = parse(ListFormat::AlienVault, text.as_bytes(), true);
        assert_eq!(
            inds(&p),
            vec![
                net("192.0.2.1/32"),
                net("192.0.2.2/32"),
                net("192.0.2.3/32"),
                dom("www.test.org"),
                net("198.51.100.0/24")
            ]
        );
        assert_eq!(
            threats(&p),
            vec![
                Some("Malicious Host"),
                Some("Scanning Host"),
                None,
                Some("Malicious Host"),
                Some("Malicious Host;Scanning Host")
            ]
        );
        assert_eq!(err_lines(&p), vec![7]);
        let p = parse(ListFormat::AlienVault, text.as_bytes(), false);
        assert_eq!(err_lines(&p), vec![4, 7]);
    }

    // --- PROOF_POINT -------------------------------------------------------------------------

    #[test]
    fn proof_point() {
        let ips = "ip, category, score, first_seen, last_seen, ports (|)\n\
                   198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,\n\
                   203.0.113.1, 10, 100, 2000-01-01, 2000-01-01, 80|443\n\
                   203.0.113.2, 8, 50, 2000-01-01, 2000-01-01,\n\
                   203.0.113.300, 1, 100, 2000-01-01, 2000-01-01,\n\
                   , 1, 100, 2000-01-01, 2000-01-01,\n\
                   192.0.2.0/25, CnC, 100, 2000-01-01, 2000-01-01,\n";
        let p = parse(ListFormat::ProofPoint, ips.as_bytes(), false);
        assert_eq!(
            inds(&p),
            vec![
                net("198.51.100.1/32"),
                net("203.0.113.1/32"),
                net("203.0.113.2/32"),
                net("192.0.2.0/25")
            ]
        );
        assert_eq!(
            threats(&p),
            vec![Some("CnC"), Some("TorNode"), Some("8"), Some("CnC")]
        );
        assert_eq!(err_lines(&p), vec![5, 6]);
        // AWS's entity sample: a `domain` header holding IPs, plus a real domain.
        let ents = "domain, category, score, first_seen, last_seen, ports (|)\r\n\
                    198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,\r\n\
                    Evil.Example, 21, 100, 2000-01-01, 2000-01-01, 80\r\n";
        let p = parse(ListFormat::ProofPoint, ents.as_bytes(), true);
        assert_eq!(p.errors, vec![]);
        assert_eq!(inds(&p), vec![net("198.51.100.1/32"), dom("evil.example")]);
        assert_eq!(threats(&p), vec![Some("CnC"), Some("Scanner")]);
        let p = parse(ListFormat::ProofPoint, ents.as_bytes(), false);
        assert_eq!(err_lines(&p), vec![3]);
        // No header: positional.
        let p = parse(ListFormat::ProofPoint, b"192.0.2.1,2,100\n", true);
        assert_eq!(threats(&p), vec![Some("Bot")]);
    }

    // --- FIRE_EYE ----------------------------------------------------------------------------

    const FIRE_EYE_HEADER: &str = "reportId, title, threatScape, audience, intelligenceType, publishDate, reportLink, webLink, emailIdentifier, senderAddress, senderName, sourceDomain, sourceIp, subject, recipient, emailLanguage, fileName, fileSize, fuzzyHash, fileIdentifier, md5, sha1, sha256, description, fileType, packer, userAgent, registry, fileCompilationDateTime, filePath, asn, cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, protocol, registrantEmail, registrantName, networkType, url, malwareFamily, malwareFamilyId, actor, actorId, observationTime";

    #[test]
    fn fire_eye() {
        // AWS's entity-list sample (blank lines and a leading space included).
        let text = format!(
            "{FIRE_EYE_HEADER}\n\n\
01-00000001, Example, Test, Operational, threat, 1494944400, https://www.example.com/report/01-00000001, https://www.example.com/report/01-00000001, , , , , , , , , , , , , , , , , , , , , , , , 192.0.2.0/24, , , Related, , , , , , network, , Ursnif, 21a14673-0d94-46d3-89ab-8281a0466099, , , 1494944400\n\n\
01-00000002, Example, Test, Operational, threat, 1494944400, https://www.example.com/report/01-00000002, https://www.example.com/report/01-00000002, , , , , , , , , , , , , , , , , , , , , , , , , , , Related, 198.51.100.1, , , , , network, , Ursnif, 12ab7bc4-62ed-49fa-99e3-14b92afc41bf, , ,1494944400\n\n\
 01-00000002, Malicious domain observed in test, Test, Operational, threat, 1494944400, https://www.example.com/report/01-00000002,https://www.example.com/report/01-00000002,,,,,,,,,,,,,,,,,,,,,,,, 203.0.113.0/24, example.com,, Related, 203.0.113.0, 8080, UDP,,, network,, Ursnif, fc13984c-c767-40c9-8329-f4c59557f73b,,, 1494944400\n\
01-00000004, Hash only, Test, Operational, threat, 1494944400, , , , , , , , , , , , , , , d41d8cd98f00b204e9800998ecf8427e, , , , , , , , , , , , , , , , , , , , , , , , APT99, , 1494944400\n\
01-00000005, Bad, Test, Operational, threat, 1494944400, , , , , , , , , , , , , , , , , , , , , , , , , , , , , Attacker, 10.0.0.300, , , , , network, , , , APT99, , 1494944400\n"
        );
        let p = parse(ListFormat::FireEye, text.as_bytes(), true);
        assert_eq!(
            inds(&p),
            vec![
                net("192.0.2.0/24"),
                net("198.51.100.1/32"),
                net("203.0.113.0/24"),
                net("203.0.113.0/32"),
                dom("example.com")
            ]
        );
        assert!(
            p.entries
                .iter()
                .all(|e| e.threat_name.as_deref() == Some("Ursnif"))
        );
        assert_eq!(err_lines(&p), vec![9]);
        let p = parse(ListFormat::FireEye, text.as_bytes(), false);
        assert_eq!(p.entries.len(), 4);
        assert_eq!(err_lines(&p), vec![7, 9]);
        // Header aliases and the actor fallback; networkIdentifier used when it is an address.
        let p = parse(
            ListFormat::FireEye,
            b"ipAddress,hostname,networkIdentifier,actor\n192.0.2.1,,,FIN7\n,c2.example,,\n,,198.51.100.0/24,\n",
            true,
        );
        assert_eq!(
            inds(&p),
            vec![
                net("192.0.2.1/32"),
                dom("c2.example"),
                net("198.51.100.0/24")
            ]
        );
        assert_eq!(threats(&p), vec![Some("FIN7"), None, None]);
        // A header without indicator columns.
        let p = parse(ListFormat::FireEye, b"reportId,title\n1,x\n", true);
        assert_eq!(p.entries, vec![]);
        assert_eq!(err_lines(&p), vec![1]);
    }

    // --- Detection ---------------------------------------------------------------------------

    #[test]
    fn detection() {
        use ListFormat::*;
        let cases: Vec<(&[u8], Option<&str>, ListFormat)> = vec![
            (b"1.2.3.4\n5.6.7.8/24\n", None, Txt),
            (b"# comment\n\xef\xbb\xbfevil.example\n", None, Txt),
            (b"77.90.185.20\t10\n", Some("ipsum.txt"), Txt),
            (STIX2.as_bytes(), None, Stix),
            (b"{ \"type\" : \"indicator\", \"pattern\": \"[ipv4-addr:value = '1.2.3.4']\" }", None, Stix),
            (STIX1_ENTITY.as_bytes(), Some("list.txt"), Stix),
            (STIX1_IPS.as_bytes(), None, Stix),
            (b"\xef\xbb\xbfIndicator type, Indicator, Description\nIPv4, 1.2.3.4, x\n", None, OtxCsv),
            (b"\"Indicator type\",\"Indicator\",\"Description\"\n", None, OtxCsv),
            (b"ip, category, score, first_seen, last_seen, ports (|)\n", None, ProofPoint),
            (b"domain,category,score\n", None, ProofPoint),
            (FIRE_EYE_HEADER.as_bytes(), None, FireEye),
            (b"192.0.2.1#4#2#Malicious Host#KR##37.5,126.9#3\n192.0.2.3#4#2##CN#G#23.1,113.25#3\n", None, AlienVault),
            // File name as the tie-breaker when the content says nothing.
            (b"", Some("s3://bucket/feed.stix"), Stix),
            (b"", Some("https://b.s3.amazonaws.com/feed.json?X-Amz-Signature=1"), Stix),
            (b"", Some("https://example.com/otx-export.csv"), OtxCsv),
            (b"garbage line\n", Some("proofpoint.csv"), ProofPoint),
            (b"", Some("isight.csv"), FireEye),
            (b"", Some("reputation.data"), AlienVault),
            (b"", None, Txt),
            (b"garbage line\n", Some("whatever.lst"), Txt),
            // Content beats the name.
            (b"1.2.3.4\n", Some("feed.json"), Txt),
        ];
        for (bytes, name, want) in cases {
            assert_eq!(
                ListFormat::detect(bytes, name),
                want,
                "{:?} / {name:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    // --- Real data ---------------------------------------------------------------------------

    #[test]
    fn real_tor_exit_nodes() {
        let Some(b) = shared("tor/tor-exit-nodes.lst") else {
            return;
        };
        assert_eq!(
            ListFormat::detect(&b, Some("tor-exit-nodes.lst")),
            ListFormat::Txt
        );
        let p = parse(ListFormat::Txt, &b, false);
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.entries.len(), 1746);
        assert!(
            p.entries
                .iter()
                .any(|e| matches!(e.indicator, Indicator::Net(IpNet::V6(_))))
        );
    }

    #[test]
    fn real_ipsum_and_other_feeds() {
        if let Some(b) = shared("ipsum/ipsum.txt") {
            let data_lines = b
                .split(|&c| c == b'\n')
                .filter(|l| !l.is_empty() && !l.starts_with(b"#"))
                .count();
            assert_eq!(ListFormat::detect(&b, None), ListFormat::Txt);
            let p = parse(ListFormat::Txt, &b, false);
            assert_eq!(p.errors, vec![]);
            assert_eq!(p.entries.len(), data_lines);
        }
        if let Some(b) = shared("maltrail/suspicious_crypto_mining.txt") {
            let p = parse(ListFormat::Txt, &b, true);
            assert_eq!(p.errors, vec![]);
            assert!(p.entries.len() > 1000);
        }
        if let Some(b) = shared("nocoin/hosts.txt") {
            let p = parse(ListFormat::Txt, &b, true);
            assert_eq!(p.errors, vec![]);
            assert!(
                p.entries
                    .iter()
                    .all(|e| matches!(e.indicator, Indicator::Domain(_)))
            );
            assert!(p.entries.len() > 200);
        }
    }

    // --- Robustness --------------------------------------------------------------------------

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn check_invariants(p: &ParsedList) {
        assert!(p.errors.len() <= MAX_ERRORS + 1);
        for e in &p.entries {
            match &e.indicator {
                Indicator::Net(n) => assert_eq!(*n, n.trunc()),
                Indicator::Domain(d) => assert_eq!(parse_domain(d).as_deref(), Ok(d.as_str())),
            }
            if let Some(t) = &e.threat_name {
                assert!(!t.is_empty() && t.len() <= MAX_THREAT_NAME_BYTES);
            }
        }
    }

    #[test]
    fn no_panics_on_arbitrary_input() {
        const ALPHABET: &[u8] =
            b"0123456789abcdefxyz.:/#,;'\"[]{}()<>=!&\\-_*@ \t\r\n%|\xef\xbb\xbf\xff\x00";
        let fire_eye = format!(
            "{FIRE_EYE_HEADER}\n01-1, t, , , , , , , , , , , , , , , , , , , , , , , , , , , , , , 192.0.2.0/24, a.example, , Related, 1.2.3.4, , , , , , , Ursnif, , , , 1\n"
        );
        let samples: Vec<&[u8]> = vec![
            b"1.2.3.4\n10.0.0.0/8 # c\n*.example.com\n2001:db8::/32\n0.0.0.0 a.example\n1.2.3.4:80\n",
            STIX2.as_bytes(),
            STIX1_ENTITY.as_bytes(),
            STIX1_IPS.as_bytes(),
            b"Indicator type,Indicator,Description\nIPv4,1.2.3.4,x\nURL,http://a.example/b,y\nCIDR,10.0.0.0/8,z\n",
            b"192.0.2.1#4#2#Malicious Host#KR##37.5,126.9#3\nwww.test.org#4#2#x#CA#B#45.4,-73.4#3\n",
            b"ip, category, score, first_seen, last_seen, ports (|)\n198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,\n",
            fire_eye.as_bytes(),
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for _ in 0..1500 {
            let len = rng.below(120);
            inputs.push(
                (0..len)
                    .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                    .collect(),
            );
        }
        for _ in 0..2500 {
            let mut s = samples[rng.below(samples.len())].to_vec();
            for _ in 0..1 + rng.below(6) {
                if s.is_empty() {
                    break;
                }
                let at = rng.below(s.len());
                match rng.below(5) {
                    0 => s[at] = ALPHABET[rng.below(ALPHABET.len())],
                    1 => s[at] = rng.next() as u8,
                    2 => s.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
                    3 => {
                        s.remove(at);
                    }
                    _ => s.truncate(at),
                }
            }
            inputs.push(s);
        }
        for input in &inputs {
            let _ = ListFormat::detect(input, Some("x.csv"));
            for f in ListFormat::ALL {
                check_invariants(&parse(f, input, true));
                check_invariants(&parse(f, input, false));
            }
            for pat in [input.as_slice(), &input[..input.len() / 2]] {
                let _ = stix2_pattern_indicators(&String::from_utf8_lossy(pat));
            }
        }
    }
}

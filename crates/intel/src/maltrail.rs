//! Categorised threat intelligence from [maltrail](https://github.com/stamparm/maltrail)'s static
//! trails (MIT licence, see `data/maltrail/LICENSE`), and the compact file Warden ships derived
//! from them (`data/maltrail/maltrail.tsv.gz`, made by `warden intel import-maltrail`).
//!
//! maltrail keeps one file per malware family or threat (`trails/static/malware/*.txt`,
//! `trails/static/malicious/*.txt`, `trails/static/suspicious/*.txt`) with `# Reference:`
//! comments and one trail per line: a domain, an IP, `IP:port`, or a URL. Warden keeps the
//! domains and IPs (ports dropped) and gives each a [`Category`] from the file it comes from,
//! since the category decides the GuardDuty finding type. URL trails (`host/path`) are dropped:
//! flow and DNS logs carry no paths, and the host of a URL is often a legitimate site serving
//! one bad file. Non-routable addresses (`127.0.0.1`, `0.0.0.0`, RFC 1918) are dropped: they are
//! never a flow's remote end, and a DNS answer of `0.0.0.0` is a local block, not a sinkhole.
//!
//! ## Mapping (the one place it is defined: [`classify`])
//!
//! | maltrail file | Category | Why |
//! |---|---|---|
//! | `malware/sinkhole_*` | `sinkhole` | sinkhole operators' addresses and name servers |
//! | `malware/*` named like an information stealer (`*steal*`, `*grab*`, `*keylog*`, `azorult`, `formbook`, `lokibot`, `raccoon`, `redline`, `vidar`, `lummac2`, `pony`, `agenttesla`, `masslogger`, `hawkeye`) | `drop_point` | judgement call: a stealer's server is where stolen credentials are sent, which is GuardDuty's "drop point"; maltrail has no per-line "(panel)"/"(exfiltration)" annotation to go by (checked: its comments are `# Reference:`, `# Aliases:`, banner/favicon hashes) |
//! | `malicious/{magentocore,prestacore,openxcore,perfaudcore,pinnaclecore}` | `drop_point` | web skimmers (Magecart-style): their hosts receive stolen card data |
//! | `malware/*_miner`, `*coinminer*`, `generic_miner` | `cryptocurrency` | mining malware's infrastructure (pools, proxies, downloads) |
//! | `malware/*` (everything else, incl. `apt_*`, `generic`) | `c2` | maltrail's malware trails are almost all command-and-control hosts; some are download hosts, which GuardDuty would also call C&C-related |
//! | `malicious/*c2*`, `sliver`, `havoc`, `covenant`, `metasploit`, `mythic`, `nighthawk`, `brc4`, `nimplant`, `viper`, `python_byob`, `coreimpact`, `redguard`, `redwarden`, `shadow*`, `cloakndagger_c2`... | `c2` | post-exploitation frameworks' team servers and redirectors |
//! | `malicious/ek_*`, `*_tds`, `socgholish`, `wp_inject`, `bad_script` | `drive_by` | exploit kits, traffic distribution systems and injected scripts that lead to drive-by downloads |
//! | `malicious/{evilginx,georgeginx,gophish,365stealer_phishtool,telekopye_scamtool,perswaysion}` | `phishing` | phishing kits and their hosts |
//! | `malicious/*` (everything else) | `malicious` | generic bad infrastructure (spam tools, scareware, bad proxies, rogue DNS...) |
//! | `suspicious/crypto_mining` | `mining` | mining pools (the same file Warden's `WardenCryptoMining` feed reads) |
//! | `suspicious/blockchain_dns` | `cryptocurrency` | blockchain DNS zones (`.bit`, ...), used for cryptocurrency activity and by malware |
//! | `suspicious/{dynamic_domain,free_web_hosting,anonymous_web_proxy,port_proxy,dns_tunneling_service,onion,i2p,dnspod}` | `abused` | legitimate services commonly abused by malware (dynamic DNS, free hosting, tunnels, Tor/I2P gateways) |
//! | `suspicious/{bad_history,parking_site}` | *(skipped)* | `bad_history` is a 2013 snapshot of long-removed domains; parking pages are not a threat: both would only add noise |
//! | `suspicious/*` (everything else: PUA, RMM tools, IP-info services, web shells...) | `suspicious` | low-reputation but not proof of compromise |
//! | `custom/*`, other folders | *(skipped)* | not part of the static trails |
//!
//! A trail in several files keeps the highest-priority category, in this order: sinkhole,
//! drop point, phishing, drive-by, C2, mining, cryptocurrency, malicious, abused, suspicious (a
//! sinkhole address also listed as a family's C2 is a sinkhole now). A name's most specific
//! listed domain decides (`x.duckdns.org` listed as C2 beats `duckdns.org` listed as abused).
//! Single-label trails (`suspicious/domain.txt` lists whole TLDs such as `.cc`) are rejected by
//! the domain validation: flagging a whole TLD would flag every query in it.
//!
//! The family is the file name without extension and without maltrail's `-1`, `-2` split
//! suffixes (`cobaltstrike-2.txt` is `cobaltstrike`).

use crate::formats::{Indicator, LineError, parse_net, snippet, txt_indicator};
use crate::{ListKind, ThreatList};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// What a categorised trail stands for; decides the finding type it raises.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A sinkhole / black-hole address: `Trojan:EC2/BlackholeTraffic`, `...!DNS` for answers.
    Sinkhole,
    /// Where stolen data is sent: `Trojan:EC2/DropPoint`, `...!DNS`.
    DropPoint,
    /// `Trojan:EC2/PhishingDomainRequest!DNS`.
    Phishing,
    /// Exploit kits and their traffic distribution: `Trojan:EC2/DriveBySourceTraffic!DNS`.
    DriveBy,
    /// Command-and-control: `Backdoor:EC2/C&CActivity.B`, `...!DNS`.
    CommandAndControl,
    /// Crypto-mining pools: `CryptoCurrency:EC2/BitcoinTool.B`, `...!DNS`.
    Mining,
    /// Other cryptocurrency activity: `Impact:EC2/BitcoinDomainRequest.Reputation`.
    Cryptocurrency,
    /// Generic malicious infrastructure: `Impact:EC2/MaliciousDomainRequest.Reputation`.
    Malicious,
    /// Legitimate services abused by malware: `Impact:EC2/AbusedDomainRequest.Reputation`.
    Abused,
    /// Low reputation: `Impact:EC2/SuspiciousDomainRequest.Reputation`.
    Suspicious,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Sinkhole,
        Category::DropPoint,
        Category::Phishing,
        Category::DriveBy,
        Category::CommandAndControl,
        Category::Mining,
        Category::Cryptocurrency,
        Category::Malicious,
        Category::Abused,
        Category::Suspicious,
    ];

    /// The name in the compact file and in findings.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Sinkhole => "sinkhole",
            Category::DropPoint => "drop_point",
            Category::Phishing => "phishing",
            Category::DriveBy => "drive_by",
            Category::CommandAndControl => "c2",
            Category::Mining => "mining",
            Category::Cryptocurrency => "cryptocurrency",
            Category::Malicious => "malicious",
            Category::Abused => "abused",
            Category::Suspicious => "suspicious",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const STEALER_WORDS: &[&str] = &["steal", "grab", "keylog"];
const STEALER_FAMILIES: &[&str] = &[
    "azorult",
    "formbook",
    "lokibot",
    "raccoon",
    "redline",
    "vidar",
    "lummac2",
    "pony",
    "agenttesla",
    "masslogger",
    "hawkeye",
];
const SKIMMERS: &[&str] = &[
    "magentocore",
    "prestacore",
    "openxcore",
    "perfaudcore",
    "pinnaclecore",
];
const C2_FRAMEWORKS: &[&str] = &[
    "sliver",
    "havoc",
    "covenant",
    "metasploit",
    "mythic",
    "nighthawk",
    "brc4",
    "nimplant",
    "viper",
    "python_byob",
    "coreimpact",
    "redguard",
    "redwarden",
    "adaptix_c2",
    "ligolo_tunnel",
    "hak5cloud_c2",
];
const DRIVE_BY: &[&str] = &["socgholish", "wp_inject", "bad_script"];
const PHISHING: &[&str] = &[
    "evilginx",
    "georgeginx",
    "gophish",
    "365stealer_phishtool",
    "telekopye_scamtool",
    "perswaysion",
];
const ABUSED: &[&str] = &[
    "dynamic_domain",
    "free_web_hosting",
    "anonymous_web_proxy",
    "port_proxy",
    "dns_tunneling_service",
    "onion",
    "i2p",
    "dnspod",
];
const SKIPPED_SUSPICIOUS: &[&str] = &["bad_history", "parking_site"];

/// The category of the trails in `static/<dir>/<stem>.txt` (see the module table); `None` for
/// files Warden does not use.
pub fn classify(dir: &str, stem: &str) -> Option<Category> {
    let s = stem.to_ascii_lowercase();
    let s = s.as_str();
    match dir {
        "malware" => Some(if s.starts_with("sinkhole_") {
            Category::Sinkhole
        } else if STEALER_WORDS.iter().any(|w| s.contains(w))
            || STEALER_FAMILIES.contains(&family_of(s))
        {
            Category::DropPoint
        } else if s.ends_with("_miner") || s.contains("coinminer") {
            Category::Cryptocurrency
        } else {
            Category::CommandAndControl
        }),
        "malicious" => Some(if SKIMMERS.contains(&s) {
            Category::DropPoint
        } else if PHISHING.contains(&s) {
            Category::Phishing
        } else if s.starts_with("ek_") || s.ends_with("_tds") || DRIVE_BY.contains(&s) {
            Category::DriveBy
        } else if s.contains("c2") || s.starts_with("shadow") || C2_FRAMEWORKS.contains(&s) {
            Category::CommandAndControl
        } else {
            Category::Malicious
        }),
        "suspicious" => {
            if SKIPPED_SUSPICIOUS.contains(&s) {
                None
            } else if s == "crypto_mining" {
                Some(Category::Mining)
            } else if s == "blockchain_dns" {
                Some(Category::Cryptocurrency)
            } else if ABUSED.contains(&s) {
                Some(Category::Abused)
            } else {
                Some(Category::Suspicious)
            }
        }
        _ => None,
    }
}

/// A family name without maltrail's split suffix (`cobaltstrike-2` is `cobaltstrike`).
fn family_of(stem: &str) -> &str {
    match stem.rsplit_once('-') {
        Some((base, n))
            if !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => stem,
    }
}

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum MaltrailError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(
        "{0}: not a maltrail tarball or trails directory (no trails/static/{{malware,malicious,suspicious}} files found)"
    )]
    NoTrails(String),
    #[error("{source_name}: corrupt tar archive: {message}")]
    Tar {
        source_name: String,
        message: String,
    },
}

/// A bad trail line, with the file it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for TrailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// The first this many bad lines are kept with their text; the rest are only counted.
const MAX_KEPT_ERRORS: usize = 1000;
/// A trail file larger than this is refused (maltrail's largest is a few MB).
const MAX_TRAIL_FILE_BYTES: u64 = 64 << 20;
/// Trails kept at most: bounds memory for a hostile or broken source (maltrail has ~1.5 M).
pub const MAX_TRAILS: usize = 5_000_000;

/// One categorised trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    pub indicator: Indicator,
    pub category: Category,
    pub family: Arc<str>,
}

/// What an import found. `trails` is deduplicated and sorted by category, family, indicator.
#[derive(Debug, Default)]
pub struct Import {
    pub trails: Vec<Trail>,
    /// Trail files read, and files skipped by the mapping (or not trail files).
    pub files: usize,
    pub skipped_files: usize,
    /// URL trails dropped (they cannot be matched against flow or DNS records).
    pub urls: u64,
    /// Non-routable addresses dropped.
    pub non_routable: u64,
    /// Trails seen more than once (kept once, with the highest-priority category).
    pub duplicates: u64,
    /// Bad lines: all counted, the first [`MAX_KEPT_ERRORS`] kept.
    pub error_count: u64,
    pub errors: Vec<TrailError>,
}

#[derive(Default)]
struct Builder {
    map: HashMap<Indicator, (Category, Arc<str>)>,
    families: HashMap<String, Arc<str>>,
    out: Import,
}

impl Builder {
    fn error(&mut self, file: &str, line: u64, message: String) {
        self.out.error_count += 1;
        if self.out.errors.len() < MAX_KEPT_ERRORS {
            self.out.errors.push(TrailError {
                file: file.to_string(),
                line,
                message,
            });
        }
    }

    /// `path` is the file's path in the archive or directory; only
    /// `.../trails/static/<dir>/<stem>.txt` files are trails.
    fn file(&mut self, path: &str, bytes: &[u8]) {
        let Some((dir, stem)) = trail_file(path) else {
            self.out.skipped_files += 1;
            return;
        };
        let Some(category) = classify(dir, stem) else {
            self.out.skipped_files += 1;
            return;
        };
        self.out.files += 1;
        let fam_name = family_of(&stem.to_ascii_lowercase()).to_string();
        let family = self
            .families
            .entry(fam_name.clone())
            .or_insert_with(|| fam_name.as_str().into())
            .clone();
        let file = format!("{dir}/{stem}.txt");
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let n = i as u64 + 1;
            let Ok(line) = std::str::from_utf8(raw) else {
                self.error(&file, n, "line is not valid UTF-8".into());
                continue;
            };
            match parse_trail(line) {
                Ok(None) => {}
                Ok(Some(TrailLine::Url)) => self.out.urls += 1,
                Ok(Some(TrailLine::NonRoutable)) => self.out.non_routable += 1,
                Ok(Some(TrailLine::Indicator(ind))) => {
                    if self.map.len() >= MAX_TRAILS && !self.map.contains_key(&ind) {
                        self.error(
                            &file,
                            n,
                            format!("more than {MAX_TRAILS} trails; rest ignored"),
                        );
                        return;
                    }
                    match self.map.get_mut(&ind) {
                        Some(prev) => {
                            self.out.duplicates += 1;
                            // Lower enum order = higher priority.
                            if category < prev.0 {
                                *prev = (category, family.clone());
                            }
                        }
                        None => {
                            self.map.insert(ind, (category, family.clone()));
                        }
                    }
                }
                Err(e) => self.error(&file, n, e),
            }
        }
    }

    fn finish(mut self) -> Import {
        let mut trails: Vec<Trail> = self
            .map
            .into_iter()
            .map(|(indicator, (category, family))| Trail {
                indicator,
                category,
                family,
            })
            .collect();
        trails.sort_by(|a, b| {
            (a.category, &a.family)
                .cmp(&(b.category, &b.family))
                .then_with(|| a.indicator.to_string().cmp(&b.indicator.to_string()))
        });
        self.out.trails = trails;
        self.out
    }
}

/// `(dir, stem)` of `.../trails/static/<dir>/<stem>.txt`.
fn trail_file(path: &str) -> Option<(&str, &str)> {
    let path = path.trim_end_matches('/');
    let i = path.rfind("trails/static/")?;
    let rest = &path[i + "trails/static/".len()..];
    let (dir, name) = rest.split_once('/')?;
    let stem = name.strip_suffix(".txt")?;
    (!stem.is_empty() && !stem.contains('/')).then_some((dir, stem))
}

enum TrailLine {
    Indicator(Indicator),
    Url,
    NonRoutable,
}

/// One trail line: `None` for blank and comment lines.
fn parse_trail(line: &str) -> Result<Option<TrailLine>, String> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let content = line.split_once('#').map_or(line, |(c, _)| c).trim();
    if content.is_empty() {
        return Ok(None);
    }
    let mut tokens = content.split_whitespace();
    let tok = tokens.next().unwrap_or_default();
    if tokens.next().is_some() {
        return Err(format!(
            "unexpected text after the trail: {}",
            snippet(content)
        ));
    }
    if tok.contains('/') || tok.contains("://") {
        // A CIDR is an address range; anything else with a slash is a URL.
        return Ok(Some(match parse_net(tok) {
            Ok(n) => routable(Indicator::Net(n)),
            Err(_) => TrailLine::Url,
        }));
    }
    let ind = txt_indicator(tok)?;
    Ok(Some(routable(ind)))
}

fn routable(ind: Indicator) -> TrailLine {
    match &ind {
        Indicator::Net(n) if crate::geo::special_range(n.network()).is_some() => {
            TrailLine::NonRoutable
        }
        _ => TrailLine::Indicator(ind),
    }
}

/// Import a maltrail source: a directory (a maltrail checkout or an unpacked tarball), or a
/// `.tar` / `.tar.gz` file (maltrail's GitHub archive, or a tarball of `trails/`).
pub fn import_path(path: &Path) -> Result<Import, MaltrailError> {
    let name = path.display().to_string();
    if path.is_dir() {
        let mut b = Builder::default();
        walk(path, path, &mut b)?;
        return finish(b, &name);
    }
    let bytes = std::fs::read(path).map_err(|e| MaltrailError::Io {
        path: name.clone(),
        message: e.to_string(),
    })?;
    import_archive(&bytes, &name)
}

fn walk(root: &Path, dir: &Path, b: &mut Builder) -> Result<(), MaltrailError> {
    let io = |p: &Path, e: std::io::Error| MaltrailError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let ft = e.file_type().map_err(|err| io(&p, err))?;
        if ft.is_dir() {
            walk(root, &p, b)?;
        } else if ft.is_file() {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            if trail_file(&rel).is_none() {
                continue;
            }
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            if len > MAX_TRAIL_FILE_BYTES {
                b.error(
                    &rel,
                    0,
                    format!("file is {len} bytes; the limit is {MAX_TRAIL_FILE_BYTES}"),
                );
                continue;
            }
            let bytes = std::fs::read(&p).map_err(|err| io(&p, err))?;
            b.file(&rel, &bytes);
        }
    }
    Ok(())
}

/// Import a `.tar` or `.tar.gz` held in memory (`source_name` names it in errors).
pub fn import_archive(bytes: &[u8], source_name: &str) -> Result<Import, MaltrailError> {
    let tar_err = |e: std::io::Error| MaltrailError::Tar {
        source_name: source_name.to_string(),
        message: e.to_string(),
    };
    let reader: Box<dyn Read + '_> = if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut archive = tar::Archive::new(reader);
    let mut b = Builder::default();
    for entry in archive.entries().map_err(tar_err)? {
        let mut entry = entry.map_err(tar_err)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = match entry.path() {
            Ok(p) => p.to_string_lossy().into_owned(),
            Err(e) => return Err(tar_err(e)),
        };
        if trail_file(&path).is_none() {
            continue;
        }
        let size = entry.size();
        if size > MAX_TRAIL_FILE_BYTES {
            b.error(
                &path,
                0,
                format!("file is {size} bytes; the limit is {MAX_TRAIL_FILE_BYTES}"),
            );
            continue;
        }
        let mut buf = Vec::with_capacity(size as usize);
        entry.read_to_end(&mut buf).map_err(tar_err)?;
        b.file(&path, &buf);
    }
    finish(b, source_name)
}

fn finish(b: Builder, name: &str) -> Result<Import, MaltrailError> {
    if b.out.files == 0 {
        return Err(MaltrailError::NoTrails(name.to_string()));
    }
    Ok(b.finish())
}

/// The compact file's header: attribution and licence travel with the data.
pub const COMPACT_HEADER: &str = "\
# Warden categorised threat intelligence derived from maltrail's static trails.
# Source: https://github.com/stamparm/maltrail (trails/static), MIT licence:
# Copyright (c) 2014-2026 Maltrail developers. See LICENSE next to this file.
# Format: indicator<TAB>category<TAB>family. Made by `warden intel import-maltrail`.
";

/// Write trails as the compact `indicator<TAB>category<TAB>family` text (gzip it for shipping).
pub fn write_compact(trails: &[Trail], out: &mut impl std::io::Write) -> std::io::Result<()> {
    out.write_all(COMPACT_HEADER.as_bytes())?;
    for t in trails {
        match &t.indicator {
            // A bare address for a single host keeps the file small.
            Indicator::Net(n) if n.prefix_len() == n.max_prefix_len() => {
                writeln!(out, "{}\t{}\t{}", n.addr(), t.category, t.family)?
            }
            i => writeln!(out, "{i}\t{}\t{}", t.category, t.family)?,
        }
    }
    Ok(())
}

/// Build one categorised list (one domain table and one prefix table for every category) from
/// compact text, gzipped or not. Returns the list, the first 1000 bad lines (skipped, never a
/// panic) and the number of all bad lines. A corrupt gzip stream is one error at line 0.
pub fn parse_compact(name: &str, bytes: &[u8]) -> (ThreatList, Vec<LineError>, u64) {
    let mut decoded = Vec::new();
    let mut errors = Vec::new();
    let mut error_count = 0u64;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        match flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut decoded) {
            Ok(_) => &decoded[..],
            Err(e) => {
                errors.push(LineError {
                    line: 0,
                    message: format!("corrupt gzip: {e}"),
                });
                return (ThreatList::new(name, ListKind::Categorised), errors, 1);
            }
        }
    } else {
        bytes
    };
    let mut list = ThreatList::new(name, ListKind::Categorised);
    // Most entries are domains, about 30 bytes a line: size the table once.
    list.reserve_domains(bytes.len() / 32);
    let mut families: HashMap<&str, Arc<str>> = HashMap::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i as u64 + 1;
        let mut bad = |m: String| {
            error_count += 1;
            if errors.len() < MAX_KEPT_ERRORS {
                errors.push(LineError {
                    line: n,
                    message: m,
                });
            }
        };
        let Ok(line) = std::str::from_utf8(raw) else {
            bad("line is not valid UTF-8".into());
            continue;
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut f = line.split('\t');
        let (Some(ind), Some(cat), Some(fam), None) = (f.next(), f.next(), f.next(), f.next())
        else {
            bad(format!(
                "expected indicator<TAB>category<TAB>family: {}",
                snippet(line)
            ));
            continue;
        };
        let Some(category) = Category::parse(cat) else {
            bad(format!("unknown category {}", snippet(cat)));
            continue;
        };
        let indicator = match txt_indicator(ind)
            .or_else(|e| parse_net(ind).map(Indicator::Net).map_err(|_| e))
        {
            Ok(i) => i,
            Err(e) => {
                bad(e);
                continue;
            }
        };
        let family =
            (!fam.is_empty()).then(|| families.entry(fam).or_insert_with(|| fam.into()).clone());
        list.insert_categorised(&indicator, family, category);
    }
    (list, errors, error_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_table() {
        use Category::*;
        assert_eq!(classify("malware", "sinkhole_shadowserver"), Some(Sinkhole));
        assert_eq!(classify("malware", "redline"), Some(DropPoint));
        assert_eq!(classify("malware", "lummac2"), Some(DropPoint));
        assert_eq!(classify("malware", "blankgrabber"), Some(DropPoint));
        assert_eq!(
            classify("malware", "cobaltstrike-2"),
            Some(CommandAndControl)
        );
        assert_eq!(classify("malware", "apt_kimsuky"), Some(CommandAndControl));
        assert_eq!(classify("malware", "lemonduck_miner"), Some(Cryptocurrency));
        assert_eq!(classify("malicious", "ek_rig"), Some(DriveBy));
        assert_eq!(classify("malicious", "keitaro_tds"), Some(DriveBy));
        assert_eq!(classify("malicious", "evilginx"), Some(Phishing));
        assert_eq!(classify("malicious", "magentocore"), Some(DropPoint));
        assert_eq!(classify("malicious", "sliver"), Some(CommandAndControl));
        assert_eq!(classify("malicious", "hermes_c2"), Some(CommandAndControl));
        assert_eq!(classify("malicious", "spamtool"), Some(Malicious));
        assert_eq!(classify("suspicious", "crypto_mining"), Some(Mining));
        assert_eq!(
            classify("suspicious", "blockchain_dns"),
            Some(Cryptocurrency)
        );
        assert_eq!(classify("suspicious", "dynamic_domain"), Some(Abused));
        assert_eq!(classify("suspicious", "pua"), Some(Suspicious));
        assert_eq!(classify("suspicious", "bad_history"), None);
        assert_eq!(classify("custom", "dprk"), None);
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn trail_lines() {
        let ind = |s: &str| match parse_trail(s) {
            Ok(Some(TrailLine::Indicator(i))) => i.to_string(),
            Ok(Some(TrailLine::Url)) => "URL".into(),
            Ok(Some(TrailLine::NonRoutable)) => "PRIVATE".into(),
            Ok(None) => "NONE".into(),
            Err(e) => format!("ERR {e}"),
        };
        assert_eq!(ind("Evil.Example.com"), "evil.example.com");
        assert_eq!(
            ind("78.129.222.56:8090 # LisfonService RAT"),
            "78.129.222.56/32"
        );
        assert_eq!(
            ind("kuitrafes.ru  # Note: found on infected machine"),
            "kuitrafes.ru"
        );
        assert_eq!(ind("evil.example/gate.php"), "URL");
        assert_eq!(ind("/00O0o0O0.doc"), "URL");
        assert_eq!(ind("185.141.25.0/24"), "185.141.25.0/24");
        assert_eq!(ind("127.0.0.1"), "PRIVATE");
        assert_eq!(ind("10.1.2.3:80"), "PRIVATE");
        assert_eq!(ind("# Reference: https://example.org/x"), "NONE");
        assert_eq!(ind("   "), "NONE");
        assert!(ind(".cc").starts_with("ERR"), "a bare TLD is refused");
        assert!(ind("two words.example").starts_with("ERR"));
        assert!(ind("bad_ünicode.example").starts_with("ERR"));
        assert!(ind("1.2.3.4:99999").starts_with("ERR"));
    }

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, path, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn import_counts_errors_and_dedupes_by_priority() {
        let c2 = b"# Reference: https://example.org\n45.144.225.75:443\nc2.example.com\nevil.example/gate.php\nnot a trail\n\xff\xfe\n";
        let sink = b"45.144.225.75\nsinkhole.example.net\n";
        let tarball = tar_of(&[
            ("trails/static/malware/somerat-1.txt", c2),
            ("trails/static/malware/sinkhole_test.txt", sink),
            ("trails/static/suspicious/bad_history.txt", b"old.example\n"),
            ("trails/custom/dprk.txt", b"x.example\n"),
            ("README.md", b"hi"),
        ]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tarball).unwrap();
        let gz = gz.finish().unwrap();
        for bytes in [&tarball, &gz] {
            let imp = import_archive(bytes, "test.tar").unwrap();
            assert_eq!(imp.files, 2);
            assert_eq!(imp.urls, 1);
            assert_eq!(imp.duplicates, 1);
            assert_eq!(imp.error_count, 2, "{:?}", imp.errors);
            assert_eq!(imp.errors[0].file, "malware/somerat-1.txt");
            assert_eq!(imp.errors[0].line, 5);
            assert_eq!(imp.errors[1].line, 6);
            let got: Vec<String> = imp
                .trails
                .iter()
                .map(|t| format!("{} {} {}", t.indicator, t.category, t.family))
                .collect();
            assert_eq!(
                got,
                vec![
                    "45.144.225.75/32 sinkhole sinkhole_test",
                    "sinkhole.example.net sinkhole sinkhole_test",
                    "c2.example.com c2 somerat",
                ]
            );
        }
    }

    #[test]
    fn import_refuses_non_trails_and_corrupt_archives() {
        let e = import_archive(&tar_of(&[("README.md", b"hi")]), "x.tar").unwrap_err();
        assert!(e.to_string().contains("not a maltrail"), "{e}");
        let mut bad = tar_of(&[("trails/static/malware/a.txt", b"a.example\n")]);
        bad.truncate(700);
        bad[0] ^= 0xff;
        assert!(import_archive(&bad, "x.tar").is_err());
        assert!(import_archive(b"\x1f\x8bnot gzip at all", "x.tar.gz").is_err());
        assert!(import_path(Path::new("/nonexistent/maltrail.tar.gz")).is_err());
    }

    #[test]
    fn compact_round_trip_and_bad_lines() {
        let imp = Import {
            trails: vec![
                Trail {
                    indicator: Indicator::Domain("c2.example.com".into()),
                    category: Category::CommandAndControl,
                    family: "somerat".into(),
                },
                Trail {
                    indicator: Indicator::Net("185.141.26.0/24".parse().unwrap()),
                    category: Category::Sinkhole,
                    family: "sinkhole_x".into(),
                },
            ],
            ..Default::default()
        };
        let mut text = Vec::new();
        write_compact(&imp.trails, &mut text).unwrap();
        text.extend_from_slice(
            b"only.two\tc2\nx.example\tnope\tfam\nbad domain\tc2\tfam\na\tb\tc\td\n",
        );
        let (list, errors, count) = parse_compact("Maltrail", &text);
        assert_eq!(list.len(), 2);
        assert_eq!(count, 4);
        assert_eq!(errors.len(), 4);
        assert!(errors[1].message.contains("unknown category"));
        let m = list.match_domain("www.C2.example.com.").unwrap();
        assert_eq!(m.category, Some(Category::CommandAndControl));
        assert_eq!(m.threat.as_deref(), Some("somerat"));
        let m = list.match_ip("185.141.26.9".parse().unwrap()).unwrap();
        assert_eq!(m.category, Some(Category::Sinkhole));
        assert!(list.match_domain("c2.example.com.example.net").is_none());
        let (l, e, _) = parse_compact("Maltrail", b"\x1f\x8b\x08broken");
        assert!(l.is_empty() && e[0].message.contains("gzip"));
    }
}

//! `warden intel lookup|update|lists`.

use crate::config::Config;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use warden_intel::load::{self, IntelConfig, ListSpec};
use warden_intel::{Intel, builtin};

#[derive(Subcommand, Debug)]
pub enum IntelCommand {
    /// Say what every list, AWS's ranges and geolocation know about an IP address or a domain.
    Lookup(LookupArgs),
    /// Fetch fresh copies of the built-in feeds into the data directory.
    Update(UpdateArgs),
    /// List the loaded lists with their entry counts and bad lines.
    Lists(CommonArgs),
    /// Turn maltrail's static trails (a `.tar.gz` or a checkout directory) into Warden's compact
    /// categorised file (`indicator<TAB>category<TAB>family`, gzipped when OUT ends in `.gz`).
    /// This is how `crates/intel/data/maltrail/maltrail.tsv.gz` is made.
    ImportMaltrail(ImportMaltrailArgs),
}

#[derive(Args, Debug)]
pub struct ImportMaltrailArgs {
    /// maltrail tarball (`.tar.gz`, e.g. GitHub's archive of stamparm/maltrail) or directory.
    pub source: PathBuf,
    /// Where to write the compact file.
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct CommonArgs {
    #[arg(long, env = "WARDEN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[arg(long, env = "WARDEN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Extra threat list, `[FORMAT:]FILE` (repeatable).
    #[arg(long = "threat-list", value_name = "[FORMAT:]FILE")]
    pub threat_lists: Vec<String>,
    /// Extra trusted IP list, `[FORMAT:]FILE` (repeatable).
    #[arg(long = "trusted-ips", value_name = "[FORMAT:]FILE")]
    pub trusted_ips: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LookupArgs {
    /// IP addresses or domains.
    #[arg(required = true)]
    pub what: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    #[arg(long, env = "WARDEN_DATA_DIR", required = true)]
    pub data_dir: PathBuf,
    #[arg(long, env = "WARDEN_CONFIG")]
    pub config: Option<PathBuf>,
}

/// Load intelligence, printing warnings and bad-line counts on stderr.
pub fn load_reporting(config: &IntelConfig, data_dir: Option<&Path>) -> anyhow::Result<Arc<Intel>> {
    let (intel, report) = load::load(config, data_dir).context("loading intelligence")?;
    for w in &report.warnings {
        eprintln!("warden: intel: {w}");
    }
    for l in &report.lists {
        if !l.errors.is_empty() {
            eprintln!(
                "warden: intel: list {} ({}): {} bad line(s) skipped; first: line {}: {}",
                l.name,
                l.location,
                l.errors.len(),
                l.errors[0].line,
                l.errors[0].message
            );
        }
    }
    Ok(Arc::new(intel))
}

fn intel_config(common: &CommonArgs) -> anyhow::Result<IntelConfig> {
    let mut c = Config::load(common.config.as_deref())?.intel;
    c.threat_lists
        .extend(common.threat_lists.iter().map(|a| ListSpec::from_arg(a)));
    c.trusted_lists
        .extend(common.trusted_ips.iter().map(|a| ListSpec::from_arg(a)));
    Ok(c)
}

pub fn run(cmd: IntelCommand) -> anyhow::Result<()> {
    match cmd {
        IntelCommand::Lookup(a) => {
            let intel = load_reporting(&intel_config(&a.common)?, a.common.data_dir.as_deref())?;
            let mut out = Vec::new();
            for w in &a.what {
                out.push(lookup(&intel, w));
            }
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(())
        }
        IntelCommand::Lists(a) => {
            let (_, report) = load::load(&intel_config(&a)?, a.data_dir.as_deref())?;
            for l in &report.lists {
                println!(
                    "{:<28} {:<10} {:>9} entries {:>6} bad lines  {}",
                    l.name,
                    format!("{:?}", l.kind),
                    l.entries,
                    l.errors.len(),
                    l.location
                );
            }
            for w in &report.warnings {
                println!("warning: {w}");
            }
            Ok(())
        }
        IntelCommand::Update(a) => update(&a),
        IntelCommand::ImportMaltrail(a) => import_maltrail(&a),
    }
}

/// Print what a maltrail import found (stderr) and its first bad lines.
fn report_import(imp: &warden_intel::maltrail::Import, source: &str) {
    let mut per_cat = std::collections::BTreeMap::new();
    for t in &imp.trails {
        *per_cat.entry(t.category.as_str()).or_insert(0usize) += 1;
    }
    eprintln!(
        "warden: maltrail {source}: {} trails from {} files ({} files skipped); dropped {} URL trails, {} non-routable addresses, {} duplicates; {} bad lines",
        imp.trails.len(),
        imp.files,
        imp.skipped_files,
        imp.urls,
        imp.non_routable,
        imp.duplicates,
        imp.error_count
    );
    for (c, n) in per_cat {
        eprintln!("warden: maltrail:   {c:<15} {n}");
    }
    for e in imp.errors.iter().take(5) {
        eprintln!("warden: maltrail: bad line {e}");
    }
}

/// The compact form of an import, gzipped.
fn compact_gz(imp: &warden_intel::maltrail::Import) -> anyhow::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    warden_intel::maltrail::write_compact(&imp.trails, &mut gz)?;
    Ok(gz.finish()?)
}

fn import_maltrail(a: &ImportMaltrailArgs) -> anyhow::Result<()> {
    let imp = warden_intel::maltrail::import_path(&a.source)?;
    report_import(&imp, &a.source.display().to_string());
    anyhow::ensure!(!imp.trails.is_empty(), "no usable trails found");
    let bytes = if a.out.extension().is_some_and(|e| e == "gz") {
        compact_gz(&imp)?
    } else {
        let mut v = Vec::new();
        warden_intel::maltrail::write_compact(&imp.trails, &mut v)?;
        v
    };
    std::fs::write(&a.out, &bytes).with_context(|| format!("writing {}", a.out.display()))?;
    eprintln!("warden: wrote {} ({} bytes)", a.out.display(), bytes.len());
    Ok(())
}

fn lookup(intel: &Intel, what: &str) -> serde_json::Value {
    let matches_json = |ms: &[warden_intel::Match]| -> Vec<serde_json::Value> {
        ms.iter()
            .map(|m| serde_json::json!({"list": &*m.list, "kind": m.kind, "entry": m.entry, "threat": m.threat.as_deref(), "category": m.category}))
            .collect()
    };
    if let Ok(ip) = what.parse::<IpAddr>() {
        let r = intel.lookup_ip(ip);
        serde_json::json!({
            "query": what,
            "type": "ip",
            "threatLists": matches_json(&r.threats),
            "trustedLists": matches_json(&r.trusted),
            "aws": r.aws.map(|a| serde_json::json!({"prefix": a.prefix.to_string(), "services": a.services, "region": a.region})),
            "geo": {
                "special": r.geo.special, "countryCode": r.geo.country_code, "countryName": r.geo.country_name,
                "city": r.geo.city, "lat": r.geo.lat, "lon": r.geo.lon, "asn": r.geo.asn, "asnOrg": r.geo.asn_org,
            },
        })
    } else {
        let mut m = Vec::new();
        intel.domain_threats(what, &mut m);
        serde_json::json!({"query": what, "type": "domain", "threatLists": matches_json(&m)})
    }
}

fn update(a: &UpdateArgs) -> anyhow::Result<()> {
    let config = Config::load(a.config.as_deref())?.intel;
    let dir = a.data_dir.join("intel");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut feeds: Vec<(String, String)> = builtin::FEEDS
        .iter()
        .map(|f| (f.name.to_string(), f.default_url.to_string()))
        .collect();
    feeds.push(("AwsIpRanges".into(), builtin::AWS_RANGES_URL.into()));
    let mut failed = 0;
    for (name, default_url) in feeds {
        let url = config.feed_urls.get(&name).cloned().unwrap_or(default_url);
        match load::fetch(&url) {
            Ok(bytes) => {
                // Check before replacing: a bad download never replaces a good copy.
                let ok = if name == "AwsIpRanges" {
                    warden_intel::AwsRanges::parse(&bytes)
                        .map(|r| r.len())
                        .map_err(|e| e.to_string())
                } else {
                    let spec = ListSpec {
                        name: name.clone(),
                        location: url.clone(),
                        format: Some("TXT".into()),
                    };
                    load::parse_list(&spec, &bytes, warden_intel::ListKind::Malicious)
                        .map_err(|e| e.to_string())
                        .and_then(|(l, _)| {
                            if l.is_empty() {
                                Err("no entries".into())
                            } else {
                                Ok(l.len())
                            }
                        })
                };
                match ok {
                    Ok(n) => {
                        let path = load::feed_cache(&a.data_dir, &name);
                        let tmp = path.with_extension("tmp");
                        std::fs::write(&tmp, &bytes)?;
                        std::fs::rename(&tmp, &path)?;
                        eprintln!("warden: intel update: {name}: {n} entries from {url}");
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!(
                            "warden: intel update: {name}: {url}: unusable download ({e}); keeping the previous copy"
                        );
                    }
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("warden: intel update: {name}: {e}");
            }
        }
    }
    if config.builtin && config.maltrail {
        let name = builtin::MALTRAIL_NAME;
        let source = config
            .feed_urls
            .get(name)
            .cloned()
            .unwrap_or_else(|| builtin::MALTRAIL_DEFAULT_URL.to_string());
        match update_maltrail(&source, &a.data_dir) {
            Ok(n) => {
                eprintln!("warden: intel update: {name}: {n} categorised trails from {source}")
            }
            Err(e) => {
                failed += 1;
                // The error names the source already.
                eprintln!("warden: intel update: {name}: {e:#}; keeping the previous copy");
            }
        }
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} feed(s) could not be updated (see above); the previous copies stay in use"
    );
    Ok(())
}

/// Import maltrail's trails from a tarball (URL or path) or a checkout directory into the data
/// directory's compact copy, which loading prefers to the built-in snapshot.
fn update_maltrail(source: &str, data_dir: &Path) -> anyhow::Result<usize> {
    let dir = Path::new(source.strip_prefix("file://").unwrap_or(source));
    let imp = if dir.is_dir() {
        warden_intel::maltrail::import_path(dir)?
    } else {
        let bytes = load::fetch(source)?;
        warden_intel::maltrail::import_archive(&bytes, source)?
    };
    report_import(&imp, source);
    anyhow::ensure!(!imp.trails.is_empty(), "no usable trails");
    let path = load::feed_cache(data_dir, builtin::MALTRAIL_NAME);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, compact_gz(&imp)?)?;
    std::fs::rename(&tmp, &path)?;
    Ok(imp.trails.len())
}

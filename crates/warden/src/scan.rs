//! `warden scan PATH...`: a one-shot hunt.

use crate::config::Config;
use crate::output::{self, Format};
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use warden_engine::inventory::{DEFAULT_CAPACITY, Inventory, InventoryConfig};
use warden_engine::source::{ReadOptions, expand_inputs};
use warden_engine::{Pipeline, ScanConfig};
use warden_intel::load::ListSpec;
use warden_store::{FindingStore, MemoryStore, Query, SqliteStore};

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files, directories (read recursively), globs, or `-` for standard input. Plain or gzip, any
    /// CloudTrail delivery shape; recognised by content.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write findings here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Only report findings with at least this severity (1-10; Low 1, Medium 4, High 7, Critical 9).
    #[arg(long, value_parser = parse_severity)]
    pub min_severity: Option<f64>,
    /// Keep findings in this data directory (embedded store). Without it nothing is written to
    /// disk; with it a later scan aggregates into the same findings.
    #[arg(long, env = "WARDEN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Configuration file (TOML).
    #[arg(long, env = "WARDEN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Threads to use. With 2 or more, inputs are read and gunzipped on their own thread while
    /// the main one decodes and detects. Default: the number of cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// A threat list to use in addition to the configured ones: `[FORMAT:]FILE` (format TXT,
    /// STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE; guessed from the content when
    /// omitted). Repeatable.
    #[arg(long = "threat-list", value_name = "[FORMAT:]FILE")]
    pub threat_lists: Vec<String>,
    /// A trusted IP list (`[FORMAT:]FILE`): findings involving these addresses are suppressed.
    /// Repeatable.
    #[arg(long = "trusted-ips", value_name = "[FORMAT:]FILE")]
    pub trusted_ips: Vec<String>,
    /// Region for records that carry none (VPC Flow Logs before v3) when the file's path does
    /// not name one (`AWSLogs/ACCOUNT/vpcflowlogs/REGION/...`).
    #[arg(long)]
    pub region: Option<String>,
    /// An instance inventory: the JSON printed by `aws ec2 describe-instances` or `aws ec2
    /// describe-network-interfaces`, so network findings name the instance (type, image, tags,
    /// interfaces) and not just an address. Repeatable; added to the configured files.
    #[arg(long = "inventory", value_name = "FILE")]
    pub inventory: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Load the inventory files. Like a threat list, a file that cannot be read or parsed is reported
/// (file, line and column) and the scan goes on without it; entries without an id are skipped and
/// counted.
fn load_inventory(config: &InventoryConfig) -> Inventory {
    let mut inventory = Inventory::new(config.capacity.unwrap_or(DEFAULT_CAPACITY));
    for file in &config.files {
        match inventory.load_file(file) {
            Ok(report) => {
                if let Some(first) = report.skipped.first() {
                    eprintln!(
                        "warden: inventory: {} ({}): {} entr(ies) skipped; first: {first}",
                        report.file,
                        report.format,
                        report.skipped.len()
                    );
                }
            }
            Err(e) => eprintln!("warden: inventory: not loaded: {e}"),
        }
    }
    inventory
}

fn parse_severity(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=10.0).contains(&v) {
        Ok(v)
    } else {
        Err("severity is between 0 and 10".into())
    }
}

pub fn run(args: ScanArgs) -> anyhow::Result<()> {
    let mut config = Config::load(args.config.as_deref())?;
    config
        .intel
        .threat_lists
        .extend(args.threat_lists.iter().map(|a| ListSpec::from_arg(a)));
    config
        .intel
        .trusted_lists
        .extend(args.trusted_ips.iter().map(|a| ListSpec::from_arg(a)));
    if let Some(dir) = &args.data_dir {
        let (threat, trusted) = api_sets(dir)?;
        config.intel.threat_lists.extend(threat);
        config.intel.trusted_lists.extend(trusted);
    }
    let intel = crate::intel::load_reporting(&config.intel, args.data_dir.as_deref())?;
    config
        .inventory
        .files
        .extend(args.inventory.iter().cloned());
    let inventory = load_inventory(&config.inventory);
    let inputs = expand_inputs(&args.paths)?;
    let mut memory;
    let mut sqlite;
    let store: &mut dyn FindingStore = match &args.data_dir {
        Some(dir) => {
            sqlite = SqliteStore::open(dir)
                .with_context(|| format!("opening data directory {}", dir.display()))?;
            &mut sqlite
        }
        None => {
            memory = MemoryStore::new();
            &mut memory
        }
    };

    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let dga_model = match &config.detection.dga_model {
        Some(path) => Some(Arc::new(crate::dga::load_model(path)?)),
        None => None,
    };
    let scan_config = ScanConfig {
        read: ReadOptions {
            read_ahead: threads >= 2,
        },
        decode: config.decode,
        detection: config.detection,
        default_region: args.region.clone(),
        dga_model,
        ..Default::default()
    };
    let total = inputs.len() as u64;
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} files {pos}/{len} {wide_msg} [{elapsed_precise}]",
            )
            .expect("static template"),
        );
        b.enable_steady_tick(Duration::from_millis(200));
        b
    });
    let (stats, touched) = {
        let mut pipeline = Pipeline::with_intel(scan_config, store, intel);
        pipeline.set_inventory(inventory);
        if let Some(b) = bar.clone() {
            pipeline.on_progress(move |s| {
                let secs = s.elapsed.as_secs_f64().max(1e-9);
                b.set_message(format!(
                    "· {} events · {} rejected · {:.0} events/s · {} findings",
                    s.records,
                    s.rejected,
                    s.records as f64 / secs,
                    s.findings_created
                ));
            });
        }
        pipeline.scan_inputs(&inputs, || {
            if let Some(b) = &bar {
                b.inc(1);
            }
        })?;
        pipeline.finish()?
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    let findings = store.list(&Query {
        ids: Some(touched),
        min_severity: args.min_severity,
        include_archived: true,
        limit: None,
    })?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    output::write_findings(&mut out, args.format, &findings)?;
    out.flush()?;
    eprint!("{}", output::summary(&stats, &findings));
    Ok(())
}

/// The ACTIVE IP sets and threat lists created through the API (`warden serve`) in this data
/// directory: (threat lists, trusted lists). GuardDuty applies an administrator's lists to its
/// members; Warden's intelligence is shared by every account a scan reads, so each active set
/// applies to all of them (see docs/api.md).
fn api_sets(dir: &std::path::Path) -> anyhow::Result<(Vec<ListSpec>, Vec<ListSpec>)> {
    if !dir.join("warden.db").exists() {
        return Ok((Vec::new(), Vec::new()));
    }
    let store = SqliteStore::open(dir)
        .with_context(|| format!("opening data directory {}", dir.display()))?;
    let mut threat = Vec::new();
    let mut trusted = Vec::new();
    for (kind, is_trusted) in [
        ("ipset", true),
        ("trustedentityset", true),
        ("threatintelset", false),
        ("threatentityset", false),
    ] {
        for o in store.list_objects(kind, None, None)? {
            if o.body["status"] != "ACTIVE" {
                continue;
            }
            let spec = ListSpec {
                name: o.body["name"].as_str().unwrap_or(&o.id).to_string(),
                location: o.body["location"].as_str().unwrap_or("").to_string(),
                format: o.body["format"].as_str().map(str::to_string),
            };
            if is_trusted {
                trusted.push(spec);
            } else {
                threat.push(spec);
            }
        }
    }
    Ok((threat, trusted))
}

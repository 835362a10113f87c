//! Builds the compact geolocation tables that `Geo::builtin()` ships, from the ip-location-db CSV
//! files (npm packages `@ip-location-db/asn` and `@ip-location-db/geo-whois-asn-country`).
//!
//! ```text
//! cargo run --release -p warden-intel --example build_geo_tables -- \
//!     asn-ipv4.csv asn-ipv6.csv geo-whois-asn-country-ipv4.csv geo-whois-asn-country-ipv6.csv \
//!     crates/intel/data
//! ```
//!
//! Writes `OUT_DIR/geo-asn.bin.gz` and `OUT_DIR/geo-country.bin.gz`. Nothing is dropped: every
//! range is kept at full precision (adjacent ranges with the same value are joined), and each
//! output is read back and compared with what was loaded before the tool reports success. The
//! `-num` CSV variants work as well. See `crates/intel/data/README.md`.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use warden_intel::geo::RangeTable;

fn load(path: &Path) -> Result<RangeTable, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let t0 = Instant::now();
    let (table, bad) = RangeTable::load_csv(BufReader::new(file), &path.display().to_string())
        .map_err(|e| e.to_string())?;
    let (v4, v6) = table.len();
    eprintln!(
        "{}: {v4} IPv4 + {v6} IPv6 ranges, {} bad line(s) skipped ({:.1}s)",
        path.display(),
        bad.len(),
        t0.elapsed().as_secs_f64()
    );
    for b in bad.iter().take(10) {
        eprintln!("  {b}");
    }
    if bad.len() > 10 {
        eprintln!("  ... and {} more", bad.len() - 10);
    }
    Ok(table)
}

fn write(table: &RangeTable, out: &Path) -> Result<u64, String> {
    let tmp = out.with_extension("tmp");
    let file = File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    table
        .write_compact(std::io::BufWriter::new(file))
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    // Read it back: the file must decode to exactly the table.
    let t0 = Instant::now();
    let back =
        RangeTable::read_compact(BufReader::new(File::open(&tmp).map_err(|e| e.to_string())?))
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
    let decode = t0.elapsed();
    if &back != table {
        return Err(format!(
            "{}: read back differs from the loaded tables",
            tmp.display()
        ));
    }
    std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))?;
    let size = std::fs::metadata(out).map_err(|e| e.to_string())?.len();
    let (v4, v6) = table.len();
    eprintln!(
        "{}: {v4} IPv4 + {v6} IPv6 ranges, {size} bytes, decodes in {:.0} ms",
        out.display(),
        decode.as_secs_f64() * 1000.0
    );
    Ok(size)
}

fn run(args: &[String]) -> Result<(), String> {
    let [asn4, asn6, cc4, cc6, out_dir] = args else {
        return Err(
            "usage: build_geo_tables ASN_V4.csv ASN_V6.csv COUNTRY_V4.csv COUNTRY_V6.csv OUT_DIR"
                .into(),
        );
    };
    let out_dir = PathBuf::from(out_dir);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;

    let mut asn = load(Path::new(asn4))?.merge(load(Path::new(asn6))?);
    asn.set_name("ip-location-db asn (RouteViews, NRO, DB-IP ASN Lite; CC BY 4.0)");
    let (entries, orgs) = asn.asn_counts();
    eprintln!("ASN table: {entries} (ASN, organisation) pairs, {orgs} organisation names");
    let mut country = load(Path::new(cc4))?.merge(load(Path::new(cc6))?);
    country.set_name("ip-location-db geo-whois-asn-country (CC0)");

    let total = write(&asn, &out_dir.join("geo-asn.bin.gz"))?
        + write(&country, &out_dir.join("geo-country.bin.gz"))?;
    eprintln!("total {total} bytes ({:.2} MB)", total as f64 / 1e6);
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("build_geo_tables: {e}");
            ExitCode::FAILURE
        }
    }
}

//! Train Warden's DGA classifier from a directory of domain lists and write the model file.
//!
//! ```text
//! cargo run --release -p warden-engine --example train_dga -- [DATA_DIR] [OUT_FILE]
//! ```
//!
//! `DATA_DIR` (default `/work/shared/data/intel/dga`) is laid out like the shared DGA data set:
//! benign lists `alexa_1000.txt` and `opendns-top-domains.txt`, DGA family lists
//! `<family>_1000.txt` and `others_dga.txt`, one name per line. A deterministic 30 % of every
//! file (by a hash of the registrable label) is held out; the model is trained on the rest,
//! evaluated on the held-out part (precision, recall, per-family recall printed to stderr) and
//! written to `OUT_FILE` (default `target/dga_model.bin`).
//!
//! The shared lists are GPL-2.0 test data (see the licence note in `detect::dga`): the model
//! file derived from them is for local use and is not committed or shipped. Point `OUT_FILE`
//! outside the source tree.

use std::path::PathBuf;
use std::process::ExitCode;

use warden_engine::detect::dga::TrainingSet;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let dir = args.next().map_or_else(
        || PathBuf::from("/work/shared/data/intel/dga"),
        PathBuf::from,
    );
    let out = args
        .next()
        .map_or_else(|| PathBuf::from("target/dga_model.bin"), PathBuf::from);

    let set = match TrainingSet::load(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("train_dga: cannot read training lists: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "training on {} benign and {} DGA names ({} / {} held out)",
        set.benign_train.len(),
        set.dga_train.len(),
        set.benign_held_out.len(),
        set.dga_held_out.iter().map(|f| f.1.len()).sum::<usize>()
    );
    let start = std::time::Instant::now();
    let model = set.train();
    eprintln!(
        "trained in {:.2} s; threshold {:.3}",
        start.elapsed().as_secs_f64(),
        model.threshold()
    );

    let e = set.evaluate(&model);
    eprintln!(
        "held out: precision {:.4}, recall {:.4}, F1 {:.4}",
        e.precision, e.recall, e.f1
    );
    for (family, recall) in &e.per_family_recall {
        eprintln!("  {family:<13} recall {recall:.4}");
    }

    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        eprintln!("train_dga: cannot create {}: {e}", parent.display());
        return ExitCode::FAILURE;
    }
    let written = std::fs::File::create(&out).and_then(|f| model.save(std::io::BufWriter::new(f)));
    if let Err(e) = written {
        eprintln!("train_dga: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {}", out.display());
    ExitCode::SUCCESS
}

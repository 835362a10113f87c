//! `warden dga train`: build the DGA classifier behind `Trojan:EC2/DGADomainRequest.B` and
//! `.C!DNS` from lists the operator supplies (no model ships with Warden; see
//! `warden_engine::detect::dga` for why), and load it for scans.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use warden_engine::detect::dga::{DgaModel, TrainingSet, read_list};

#[derive(Subcommand, Debug)]
pub enum DgaCommand {
    /// Train a DGA model on benign and DGA domain lists, print its precision and recall on a
    /// held-out 30 % of every list, and write it (point `[detection] dga_model` at the file).
    Train(TrainArgs),
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Lists of benign domain names (one per line, or `rank,domain` CSV).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub benign: Vec<PathBuf>,
    /// Lists of DGA domain names, one file per family (the file name names the family in the
    /// per-family recall).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub dga: Vec<PathBuf>,
    /// Where to write the model. The model trained on the 70 % side, the one measured, is the
    /// one written.
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
}

pub fn run(cmd: DgaCommand) -> anyhow::Result<()> {
    match cmd {
        DgaCommand::Train(args) => train(&args, &mut std::io::stdout().lock()),
    }
}

fn family_name(path: &Path) -> String {
    let stem = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into(),
    );
    stem.strip_suffix("_1000").unwrap_or(&stem).to_string()
}

fn train(args: &TrainArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut benign = Vec::new();
    for p in &args.benign {
        benign.extend(read_list(p).context("reading a benign list")?);
    }
    let mut dga = Vec::new();
    for p in &args.dga {
        dga.push((family_name(p), read_list(p).context("reading a DGA list")?));
    }
    let set = TrainingSet::from_lists(benign, dga);
    let held_dga: usize = set.dga_held_out.iter().map(|(_, n)| n.len()).sum();
    anyhow::ensure!(
        !set.benign_train.is_empty() && !set.dga_train.is_empty(),
        "need both benign and DGA names to train on"
    );
    writeln!(
        out,
        "training on {} benign and {} DGA names; holding out {} benign and {held_dga} DGA names",
        set.benign_train.len(),
        set.dga_train.len(),
        set.benign_held_out.len(),
    )?;
    let started = std::time::Instant::now();
    let model = set.train();
    let e = set.evaluate(&model);
    writeln!(
        out,
        "trained in {:.1} s; threshold {:.3}",
        started.elapsed().as_secs_f64(),
        model.threshold()
    )?;
    writeln!(
        out,
        "held out: precision {:.4}, recall {:.4}, F1 {:.4}",
        e.precision, e.recall, e.f1
    )?;
    for (family, recall) in &e.per_family_recall {
        writeln!(out, "  recall {family:<16} {recall:.4}")?;
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    model
        .save(std::io::BufWriter::new(file))
        .with_context(|| format!("writing {}", args.out.display()))?;
    writeln!(out, "wrote {}", args.out.display())?;
    Ok(())
}

/// Load the model `[detection] dga_model` names.
pub fn load_model(path: &Path) -> anyhow::Result<DgaModel> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("opening DGA model {}", path.display()))?;
    DgaModel::load(std::io::BufReader::new(file))
        .with_context(|| format!("reading DGA model {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names_come_from_file_names() {
        assert_eq!(family_name(Path::new("/x/conficker_1000.txt")), "conficker");
        assert_eq!(family_name(Path::new("others_dga.txt")), "others_dga");
    }

    #[test]
    fn a_bad_model_file_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("model.bin");
        std::fs::write(&p, b"not a model").unwrap();
        assert!(load_model(&p).is_err());
        assert!(load_model(&d.path().join("missing.bin")).is_err());
    }
}

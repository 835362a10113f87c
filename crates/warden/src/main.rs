//! `warden`: self-hosted, GuardDuty-compatible threat detection for AWS.

mod bench;
mod bench_api;
mod config;
mod dga;
mod intel;
mod output;
mod scan;
mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "warden",
    version,
    about = "Self-hosted, GuardDuty-compatible threat detection for AWS logs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Hunt through CloudTrail logs once and print the findings.
    Scan(scan::ScanArgs),
    /// Threat intelligence: look addresses and domains up, update the built-in feeds.
    #[command(subcommand)]
    Intel(intel::IntelCommand),
    /// Measure decode and detection throughput on generated CloudTrail (one core).
    Bench(bench::BenchArgs),
    /// Load-test the API on loopback: N stored findings, signed requests from C clients,
    /// requests per second and latency percentiles per scenario.
    BenchApi(bench_api::BenchApiArgs),
    /// Serve the GuardDuty-compatible API (SigV4-authenticated) over a data directory.
    Serve(serve::ServeArgs),
    /// API access keys: create or import them in a data directory.
    #[command(subcommand)]
    Keys(serve::KeysCommand),
    /// The DGA classifier: train one from domain lists.
    #[command(subcommand)]
    Dga(dga::DgaCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Bench(args) => bench::run(args),
        Command::BenchApi(args) => bench_api::run(args),
        Command::Intel(cmd) => intel::run(cmd),
        Command::Serve(args) => serve::run(args),
        Command::Keys(cmd) => serve::keys(cmd),
        Command::Dga(cmd) => dga::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warden: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

//! How long ListFindings-style queries take over findings held in memory.
//!
//! `cargo run --release -p warden-model --example criteria_bench [FINDINGS] [ROUNDS]`
//!
//! Builds FINDINGS (default 100,000) tester-shaped findings, then times, over ROUNDS (default
//! 50) repetitions: filtering a [`FindingTable`] (rows first), scanning with typed matching
//! (`matches_finding`) and with JSON matching (`matches`, on pre-serialized findings) for a few
//! criteria; a ListFindings page (filter, sort, 50); GetFindingsStatistics. Prints the median and
//! worst round (wall clock) and the process CPU time per round (from /proc, so time spent
//! waiting for a core on a busy machine is left out).

#[path = "../tests/support/findings.rs"]
mod findings;

use serde_json::json;
use std::time::{Duration, Instant};
use warden_model::Finding;
use warden_model::criteria::{
    CompiledCriteria, CompiledSort, FindingCriteria, FindingTable, FindingsStatisticsRequest,
    OrderBy, SortCriteria, StatisticsQuery,
};

fn criteria(v: serde_json::Value) -> CompiledCriteria {
    let parsed: FindingCriteria = serde_json::from_value(v).expect("criteria JSON");
    CompiledCriteria::compile(&parsed).expect("valid criteria")
}

/// User + system CPU time of this process so far, in clock ticks (usually 10 ms).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

struct Timing {
    median: Duration,
    worst: Duration,
    /// CPU milliseconds per round, when /proc is there.
    cpu_ms: Option<f64>,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.2} ms median, {:.2} ms worst",
            ms(self.median),
            ms(self.worst)
        )?;
        if let Some(cpu) = self.cpu_ms {
            write!(f, ", {cpu:.2} ms CPU")?;
        }
        Ok(())
    }
}

fn time<T>(rounds: usize, mut run: impl FnMut() -> T) -> (Timing, T) {
    let mut times = Vec::with_capacity(rounds);
    let mut last = None;
    let cpu_before = cpu_ticks();
    for _ in 0..rounds {
        let start = Instant::now();
        last = Some(std::hint::black_box(run()));
        times.push(start.elapsed());
    }
    // Ticks are 10 ms on Linux (USER_HZ = 100).
    let cpu_ms = cpu_before
        .zip(cpu_ticks())
        .map(|(a, b)| (b - a) as f64 * 10.0 / rounds as f64);
    times.sort();
    let timing = Timing {
        median: times[times.len() / 2],
        worst: times[times.len() - 1],
        cpu_ms,
    };
    (timing, last.expect("at least one round"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let built = Instant::now();
    let all: Vec<Finding> = findings::tester_findings(n, 1);
    println!("{n} findings built in {:.0} ms", ms(built.elapsed()));
    let values: Vec<serde_json::Value> = all
        .iter()
        .map(|f| serde_json::to_value(f).expect("finding serializes"))
        .collect();

    let queries = [
        (
            "3 attributes: severity gte 7, archived false, type in 2",
            json!({"criterion":{"severity":{"gte":7},"service.archived":{"eq":["false"]},
                "type":{"eq":["Backdoor:EC2/C&CActivity.B!DNS","CryptoCurrency:EC2/BitcoinTool.B!DNS"]}}}),
        ),
        (
            "3 attributes over arrays and time: tags neq, country eq, updatedAt range",
            json!({"criterion":{"resource.instanceDetails.tags.value":{"neq":["bastion"]},
                "service.action.networkConnectionAction.remoteIpDetails.country.countryCode":{"eq":["RU","CN"]},
                "updatedAt":{"greaterThanOrEqual":findings::START_MS + 10 * findings::DAY_MS,
                             "lessThan":findings::START_MS + 40 * findings::DAY_MS}}}),
        ),
        (
            "wildcard: type matches Recon:*",
            json!({"criterion":{"type":{"matches":["Recon:*"]}}}),
        ),
        (
            "embedded JSON: service.additionalInfo.threatListName eq",
            json!({"criterion":{"service.additionalInfo.threatListName":{"eq":["ProofPoint"]}}}),
        ),
    ];
    let mut table = FindingTable::new();
    let loaded = Instant::now();
    for f in &all {
        table.upsert(f.clone());
    }
    println!("FindingTable loaded in {:.0} ms", ms(loaded.elapsed()));

    // The floor: the first query written by hand over the typed fields.
    let types = [
        "Backdoor:EC2/C&CActivity.B!DNS",
        "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    ];
    let (timing, hits) = time(rounds, || {
        all.iter()
            .filter(|f| {
                f.severity >= 7.0 && !f.service.archived && types.contains(&f.finding_type.as_str())
            })
            .count()
    });
    println!("hand-written filter for the first query: {hits} hits; {timing}");

    for (name, q) in queries {
        let c = criteria(q);
        let (table_timing, hits) = time(rounds, || table.matching(&c).count());
        let (typed_timing, typed_hits) = time(rounds, || {
            all.iter().filter(|f| c.matches_finding(f)).count()
        });
        let json_rounds = (rounds / 5).max(3);
        let (json_timing, json_hits) = time(json_rounds, || {
            values.iter().filter(|v| c.matches(v)).count()
        });
        assert_eq!(hits, typed_hits, "table and typed matching disagree");
        assert_eq!(hits, json_hits, "typed and JSON matching disagree");
        println!("{name}: {hits} hits");
        println!("  FindingTable: {table_timing}");
        println!("  matches_finding scan: {typed_timing}");
        println!("  matches (JSON) scan, {json_rounds} rounds: {json_timing}");
    }

    // ListFindings pages: filter, sort, 50 from an offset.
    let unarchived = criteria(json!({"criterion":{"service.archived":{"eq":["false"]}}}));
    for (attribute, offset) in [
        ("updatedAt", 0),
        ("updatedAt", 10_000),
        ("severity", 0),
        ("type", 0),
    ] {
        let sort = CompiledSort::compile(Some(&SortCriteria {
            attribute_name: Some(attribute.into()),
            order_by: Some(OrderBy::Desc),
        }))
        .expect("valid sort");
        let (timing, total) = time(rounds, || table.list(&unarchived, &sort, offset, 50).total);
        println!(
            "ListFindings page (archived false: {total} hits; {attribute} DESC; 50 from {offset}): {timing}"
        );
    }
    // The same page without the table: scan, then sort every hit.
    let sort = CompiledSort::compile(None).expect("default sort");
    let (timing, _) = time((rounds / 5).max(3), || {
        let mut hits: Vec<&Finding> = all
            .iter()
            .filter(|f| unarchived.matches_finding(f))
            .collect();
        sort.sort(&mut hits);
        hits.into_iter().take(50).count()
    });
    println!("same page by matches_finding scan + full sort: {timing}");

    for group in ["FINDING_TYPE", "RESOURCE", "DATE"] {
        let request: FindingsStatisticsRequest = serde_json::from_value(json!({
            "groupBy": group,
            "findingCriteria": {"criterion":{"service.archived":{"eq":["false"]}}}
        }))
        .expect("request JSON");
        let query = StatisticsQuery::compile(&request).expect("valid request");
        let (timing, _) = time((rounds / 5).max(3), || table.statistics(&query));
        println!("GetFindingsStatistics {group} over the table: {timing}");
    }
}

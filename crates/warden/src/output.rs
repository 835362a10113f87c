//! How findings and scan summaries are shown.

use clap::ValueEnum;
use std::fmt::Write as _;
use std::io::Write;
use warden_engine::ScanStats;
use warden_model::Finding;
use warden_model::finding::severity_label;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A severity-ordered summary for a terminal.
    Table,
    /// One JSON array, exactly as GuardDuty's GetFindings returns `findings`.
    Json,
    /// One finding per line.
    Jsonl,
}

pub fn write_findings(
    out: &mut dyn Write,
    format: Format,
    findings: &[Finding],
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, findings)?;
            writeln!(out)
        }
        Format::Jsonl => {
            for f in findings {
                serde_json::to_writer(&mut *out, f)?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Table => write_table(out, findings),
    }
}

fn resource_name(f: &Finding) -> String {
    let r = &f.resource;
    if let Some(b) = r
        .s3_bucket_details
        .as_ref()
        .and_then(|b| b.first())
        .and_then(|b| b.name.clone())
    {
        return format!("s3:{b}");
    }
    if let Some(d) = &r.instance_details {
        if let Some(i) = &d.instance_id {
            return i.clone();
        }
        // No instance known: name the interface and address the logs gave.
        if let Some(n) = d.network_interfaces.as_ref().and_then(|n| n.first()) {
            let address = n
                .private_ip_address
                .clone()
                .or_else(|| n.ipv6_addresses.as_ref().and_then(|a| a.first().cloned()));
            match (&n.network_interface_id, address) {
                (Some(eni), Some(a)) => return format!("{eni} ({a})"),
                (Some(eni), None) => return eni.clone(),
                (None, Some(a)) => return a,
                (None, None) => {}
            }
        }
    }
    if let Some(d) = &r.rds_db_instance_details {
        return d
            .db_instance_identifier
            .clone()
            .or_else(|| d.db_cluster_identifier.clone())
            .unwrap_or_default();
    }
    if let Some(l) = r
        .lambda_details
        .as_ref()
        .and_then(|l| l.function_name.clone())
    {
        return format!("lambda:{l}");
    }
    if let Some(a) = &r.access_key_details {
        let who = a.user_name.clone().unwrap_or_default();
        return match &a.access_key_id {
            Some(k) => format!("{who} ({k})"),
            None => who,
        };
    }
    r.resource_type.clone()
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn write_table(out: &mut dyn Write, findings: &[Finding]) -> std::io::Result<()> {
    if findings.is_empty() {
        return writeln!(out, "No findings.");
    }
    writeln!(
        out,
        "{:<11} {:<58} {:<36} {:>5} {:<20} {:<12} TITLE",
        "SEVERITY", "TYPE", "RESOURCE", "COUNT", "LAST SEEN", "ACCOUNT"
    )?;
    for f in findings {
        let typ = match &f.custom_detection_rule_name {
            Some(r) => format!("{} [{r}]", f.finding_type),
            None => f.finding_type.clone(),
        };
        writeln!(
            out,
            "{:<11} {:<58} {:<36} {:>5} {:<20} {:<12} {}",
            format!("{} {}", severity_label(f.severity), f.severity),
            clip(&typ, 58),
            clip(&resource_name(f), 36),
            f.service.count,
            clip(&f.service.event_last_seen, 20),
            f.account_id,
            f.title
        )?;
    }
    Ok(())
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The scan summary printed on stderr.
pub fn summary(stats: &ScanStats, findings: &[Finding]) -> String {
    let mut s = String::new();
    let secs = stats.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        stats.records as f64 / secs
    } else {
        0.0
    };
    let _ = writeln!(
        s,
        "warden: scanned {} input(s){}, {} event(s) read ({:.1} MB) in {:.2}s ({:.0} events/s)",
        thousands(stats.inputs),
        if stats.inputs_failed > 0 {
            format!(" ({} unreadable)", stats.inputs_failed)
        } else {
            String::new()
        },
        thousands(stats.records),
        stats.bytes as f64 / 1e6,
        secs,
        rate
    );
    if stats.rejected > 0 {
        let by: Vec<String> = stats
            .rejected_by_kind
            .iter()
            .map(|(k, n)| format!("{} {}", k.as_str(), thousands(*n)))
            .collect();
        let _ = writeln!(
            s,
            "warden: rejected {} record(s): {}",
            thousands(stats.rejected),
            by.join(", ")
        );
        for e in stats.errors.iter().take(20) {
            let _ = writeln!(s, "  {}", clip(&e.to_string(), 300));
        }
        if stats.rejected > 20 {
            let _ = writeln!(s, "  ... {} more", thousands(stats.rejected - 20));
        }
    }
    let mut by_sev = [0u64; 4];
    for f in findings {
        let i = match severity_label(f.severity) {
            "Critical" => 0,
            "High" => 1,
            "Medium" => 2,
            _ => 3,
        };
        by_sev[i] += 1;
    }
    let _ = writeln!(
        s,
        "warden: {} finding(s): Critical {}, High {}, Medium {}, Low {} ({} new, {} updated, {} repeated event(s) not recounted)",
        findings.len(),
        by_sev[0],
        by_sev[1],
        by_sev[2],
        by_sev[3],
        stats.findings_created,
        stats.findings_updated,
        stats.duplicate_signals
    );
    s
}

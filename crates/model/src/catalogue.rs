//! The finding-type catalogue: every GuardDuty finding type, current and retired, with its
//! default severity, data source, resource type and trigger. Built from `finding-types.tsv`
//! (copied from the GuardDuty reference; a test checks the copy is current).

use std::collections::HashMap;
use std::sync::OnceLock;

const TSV: &str = include_str!("../catalogue/finding-types.tsv");

#[derive(Debug, Clone, PartialEq)]
pub struct FindingTypeInfo {
    pub finding_type: &'static str,
    /// Low, Medium, High, Critical, Variable (and `*` for context-dependent).
    pub severity_label: &'static str,
    /// The default numeric severity (2/5/8/9), when the type has one.
    pub severity: Option<f64>,
    pub data_source: &'static str,
    pub resource_type: &'static str,
    pub trigger: &'static str,
    pub retired: bool,
}

pub struct Catalogue {
    pub types: Vec<FindingTypeInfo>,
    by_name: HashMap<&'static str, usize>,
}

impl Catalogue {
    pub fn get(&self, finding_type: &str) -> Option<&FindingTypeInfo> {
        self.by_name.get(finding_type).map(|&i| &self.types[i])
    }
    pub fn contains(&self, finding_type: &str) -> bool {
        self.by_name.contains_key(finding_type)
    }
}

fn parse() -> Catalogue {
    let mut types = Vec::new();
    for line in TSV.lines().skip(1) {
        let cols: Vec<&'static str> = line.split('\t').collect();
        if cols.len() < 6 {
            continue;
        }
        types.push(FindingTypeInfo {
            finding_type: cols[0],
            severity_label: cols[1],
            severity: cols[2].parse().ok(),
            data_source: cols[3],
            resource_type: cols[4],
            trigger: cols[5],
            retired: cols[5].starts_with("RETIRED"),
        });
    }
    let by_name = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.finding_type, i))
        .collect();
    Catalogue { types, by_name }
}

/// The catalogue, parsed on first use.
pub fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_every_row() {
        let c = catalogue();
        assert_eq!(c.types.len(), TSV.lines().count() - 1);
        let t = c.get("Stealth:IAMUser/CloudTrailLoggingDisabled").unwrap();
        assert_eq!(t.severity, Some(2.0));
        assert!(!t.retired);
        assert!(
            c.get("UnauthorizedAccess:IAMUser/ConsoleLogin")
                .unwrap()
                .retired
        );
    }

    #[test]
    fn copy_matches_reference_when_present() {
        let reference = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/guardduty/finding-types.tsv"
        );
        if let Ok(text) = std::fs::read_to_string(reference) {
            assert_eq!(
                text, TSV,
                "catalogue/finding-types.tsv is out of date with {reference}"
            );
        }
    }
}

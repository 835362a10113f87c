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

/// A GuardDuty optional protection plan that a finding type's data comes from. Detectors turn
/// these on and off (`features`), and findings name them in `service.featureName`; the
/// foundational sources (CloudTrail management events, VPC Flow Logs, DNS logs) are not optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionalFeature {
    S3DataEvents,
    EksAuditLogs,
    RdsLoginEvents,
    LambdaNetworkLogs,
    RuntimeMonitoring,
    EbsMalwareProtection,
}

impl OptionalFeature {
    /// The name in a detector's `features` (CreateDetector / UpdateDetector).
    pub fn detector_feature(self) -> &'static str {
        match self {
            OptionalFeature::S3DataEvents => "S3_DATA_EVENTS",
            OptionalFeature::EksAuditLogs => "EKS_AUDIT_LOGS",
            OptionalFeature::RdsLoginEvents => "RDS_LOGIN_EVENTS",
            OptionalFeature::LambdaNetworkLogs => "LAMBDA_NETWORK_LOGS",
            OptionalFeature::RuntimeMonitoring => "RUNTIME_MONITORING",
            OptionalFeature::EbsMalwareProtection => "EBS_MALWARE_PROTECTION",
        }
    }

    /// The value of a finding's `service.featureName`.
    pub fn finding_feature_name(self) -> &'static str {
        match self {
            OptionalFeature::S3DataEvents => "S3DataEvents",
            OptionalFeature::EksAuditLogs => "EksAuditLogs",
            OptionalFeature::RdsLoginEvents => "RdsLoginEvents",
            OptionalFeature::LambdaNetworkLogs => "LambdaNetworkLogs",
            OptionalFeature::RuntimeMonitoring => "RuntimeMonitoring",
            OptionalFeature::EbsMalwareProtection => "EbsMalwareProtection",
        }
    }
}

impl FindingTypeInfo {
    /// The optional protection plan this type's data source belongs to, read from the
    /// catalogue's `data_source` column (the one place that knows its wording).
    pub fn optional_feature(&self) -> Option<OptionalFeature> {
        const BY_SOURCE: [(&str, OptionalFeature); 6] = [
            ("CloudTrail S3 data events", OptionalFeature::S3DataEvents),
            ("EKS audit logs", OptionalFeature::EksAuditLogs),
            ("RDS login", OptionalFeature::RdsLoginEvents),
            ("Lambda network", OptionalFeature::LambdaNetworkLogs),
            ("Runtime", OptionalFeature::RuntimeMonitoring),
            ("Malware scan (EBS", OptionalFeature::EbsMalwareProtection),
        ];
        BY_SOURCE
            .iter()
            .find(|(prefix, _)| self.data_source.starts_with(prefix))
            .map(|&(_, f)| f)
    }
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

    /// Every optional plan is reached by some current type, so a rewording of the TSV's
    /// data-source column cannot silently turn a plan's findings foundational.
    #[test]
    fn every_optional_feature_has_types() {
        use OptionalFeature::*;
        for f in [
            S3DataEvents,
            EksAuditLogs,
            RdsLoginEvents,
            LambdaNetworkLogs,
            RuntimeMonitoring,
            EbsMalwareProtection,
        ] {
            assert!(
                catalogue()
                    .types
                    .iter()
                    .any(|t| !t.retired && t.optional_feature() == Some(f)),
                "{f:?}"
            );
        }
        let c = catalogue();
        assert_eq!(
            c.get("Stealth:IAMUser/CloudTrailLoggingDisabled")
                .unwrap()
                .optional_feature(),
            None
        );
        assert_eq!(
            c.get("Recon:EC2/Portscan").unwrap().optional_feature(),
            None
        );
    }

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

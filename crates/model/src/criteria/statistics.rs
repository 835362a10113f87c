//! `GetFindingsStatistics`: counts of the findings matching `findingCriteria`, either grouped
//! (`groupBy`) or, the deprecated form, `findingStatisticTypes: ["COUNT_BY_SEVERITY"]`. Exactly
//! one of the two must be given (as GuardDuty requires); `orderBy` and `maxResults` apply to
//! `groupBy` only.
//!
//! - Groups are ordered by `totalFindings` (`orderBy`, default DESC, as documented), ties by the
//!   group's key ascending, and cut to `maxResults` (1–100, default 25).
//! - `lastGeneratedAt` is the group's latest `updatedAt`; it and `date` are `timestamp` members,
//!   so they are epoch seconds (a JSON number, milliseconds as the fraction).
//! - ACCOUNT: one group per `accountId`. FINDING_TYPE: per `type`.
//! - RESOURCE: per (`accountId`, `resource.resourceType`, resource id), the id taken from the
//!   field GuardDuty documents for the type (AccessKey → `accessKeyDetails.accessKeyId`,
//!   Instance → `instanceDetails.instanceId`, Lambda → `lambdaDetails.functionName`,
//!   RDSDBInstance → `rdsDbInstanceDetails.dbInstanceIdentifier`, S3Bucket/S3Object → the first
//!   `s3BucketDetails[].name`); types Warden's `Finding` has no id field for get no `resourceId`.
//! - SEVERITY: per exact `severity` value, with `percentage` = share of the matching findings,
//!   rounded to two decimals.
//! - DATE: per (UTC day of `updatedAt`, exact `severity`), GuardDuty's "findings generated on each
//!   date per severity level"; `date` is that day's 00:00 UTC.
//! - COUNT_BY_SEVERITY: `countBySeverity` maps each severity, written as a JSON double (`"8.0"`,
//!   `"5.5"`), to its count; every severity is listed.
//!
//! Findings whose `updatedAt` does not parse still count, but add no `lastGeneratedAt` and are
//! left out of DATE (they have no day).

use super::sort::OrderBy;
use super::{CompiledCriteria, CriteriaError, FindingCriteria};
use crate::finding::Finding;
use crate::time::parse_timestamp;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// `GroupByType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupByType {
    Account,
    Date,
    FindingType,
    Resource,
    Severity,
}

/// `FindingStatisticType` (deprecated by GuardDuty in favour of `groupBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingStatisticType {
    CountBySeverity,
}

/// The body of `GetFindingsStatistics` (the detector id travels in the URI).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingsStatisticsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_statistic_types: Option<Vec<FindingStatisticType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_criteria: Option<FindingCriteria>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<GroupByType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// `maxResults` when the request gives none (GuardDuty's documented default).
pub const DEFAULT_MAX_RESULTS: usize = 25;
/// The largest `maxResults` GuardDuty accepts for statistics.
pub const MAX_RESULTS: i64 = 100;

/// `FindingStatistics`: only the requested member is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingStatistics {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_by_severity: Option<BTreeMap<String, u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouped_by_account: Option<Vec<AccountStatistics>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouped_by_date: Option<Vec<DateStatistics>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouped_by_finding_type: Option<Vec<FindingTypeStatistics>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouped_by_resource: Option<Vec<ResourceStatistics>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouped_by_severity: Option<Vec<SeverityStatistics>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountStatistics {
    pub account_id: String,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_generated_at: Option<f64>,
    pub total_findings: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateStatistics {
    /// Epoch seconds of the day's 00:00 UTC.
    pub date: f64,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_generated_at: Option<f64>,
    pub severity: f64,
    pub total_findings: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingTypeStatistics {
    pub finding_type: String,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_generated_at: Option<f64>,
    pub total_findings: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatistics {
    pub account_id: String,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_generated_at: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    pub resource_type: String,
    pub total_findings: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeverityStatistics {
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_generated_at: Option<f64>,
    pub percentage: f64,
    pub severity: f64,
    pub total_findings: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Output {
    CountBySeverity,
    Grouped {
        by: GroupByType,
        order: OrderBy,
        max: usize,
    },
}

/// A checked statistics request, ready to run over a detector's findings.
#[derive(Debug, Clone)]
pub struct StatisticsQuery {
    criteria: CompiledCriteria,
    output: Output,
}

/// A severity as a map key: ordered by value, -0.0 folded into 0.0.
#[derive(Debug, Clone, Copy)]
struct Severity(f64);

impl Hash for Severity {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

impl Severity {
    fn new(x: f64) -> Option<Self> {
        x.is_finite()
            .then_some(Severity(if x == 0.0 { 0.0 } else { x }))
    }
}
impl PartialEq for Severity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Severity {}
impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Severity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    count: u64,
    last_ms: Option<i64>,
}

impl Tally {
    fn add(&mut self, updated_ms: Option<i64>) {
        self.count += 1;
        self.last_ms = self.last_ms.max(updated_ms);
    }
    fn last_generated_at(&self) -> Option<f64> {
        self.last_ms.map(epoch_seconds)
    }
}

fn epoch_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

const DAY_MS: i64 = 86_400_000;

/// Statistics grouped by a plain string of the finding (its account or its type).
fn by_string(
    stats: &mut FindingStatistics,
    by: GroupByType,
    groups: HashMap<&str, Tally>,
    order: OrderBy,
    max: usize,
) {
    let ranked = ranked(groups, order, max);
    if by == GroupByType::Account {
        stats.grouped_by_account = Some(
            ranked
                .into_iter()
                .map(|(account, t)| AccountStatistics {
                    account_id: account.to_string(),
                    last_generated_at: t.last_generated_at(),
                    total_findings: t.count,
                })
                .collect(),
        );
    } else {
        stats.grouped_by_finding_type = Some(
            ranked
                .into_iter()
                .map(|(finding_type, t)| FindingTypeStatistics {
                    finding_type: finding_type.to_string(),
                    last_generated_at: t.last_generated_at(),
                    total_findings: t.count,
                })
                .collect(),
        );
    }
}

/// The groups by count in `order`, ties by key ascending, at most `max`. (Grouping in a hash map
/// and ordering only the groups touches each finding's strings once.)
fn ranked<K: Ord>(groups: HashMap<K, Tally>, order: OrderBy, max: usize) -> Vec<(K, Tally)> {
    let mut v: Vec<(K, Tally)> = groups.into_iter().collect();
    v.sort_by(|a, b| {
        let by_count = match order {
            OrderBy::Asc => a.1.count.cmp(&b.1.count),
            OrderBy::Desc => b.1.count.cmp(&a.1.count),
        };
        by_count.then_with(|| a.0.cmp(&b.0))
    });
    v.truncate(max);
    v
}

/// The resource id GuardDuty reports for a finding's resource type.
fn resource_id(f: &Finding) -> Option<&str> {
    let r = &f.resource;
    match r.resource_type.as_str() {
        "AccessKey" => r.access_key_details.as_ref()?.access_key_id.as_deref(),
        "Instance" => r.instance_details.as_ref()?.instance_id.as_deref(),
        "Lambda" => r.lambda_details.as_ref()?.function_name.as_deref(),
        "RDSDBInstance" => r
            .rds_db_instance_details
            .as_ref()?
            .db_instance_identifier
            .as_deref(),
        "S3Bucket" | "S3Object" => r.s3_bucket_details.as_ref()?.first()?.name.as_deref(),
        _ => None,
    }
}

impl StatisticsQuery {
    /// Check a request: its criteria, that exactly one of `findingStatisticTypes`/`groupBy` is
    /// given, and `maxResults`.
    pub fn compile(request: &FindingsStatisticsRequest) -> Result<Self, CriteriaError> {
        let criteria = match &request.finding_criteria {
            Some(c) => CompiledCriteria::compile(c)?,
            None => CompiledCriteria::match_all(),
        };
        let legacy = request
            .finding_statistic_types
            .as_ref()
            .is_some_and(|t| !t.is_empty());
        let output = match (legacy, request.group_by) {
            (true, Some(_)) => return Err(CriteriaError::StatisticsBoth),
            (false, None) => return Err(CriteriaError::StatisticsNeither),
            (true, None) => Output::CountBySeverity,
            (false, Some(by)) => {
                let max = match request.max_results {
                    None => DEFAULT_MAX_RESULTS,
                    Some(n) if (1..=MAX_RESULTS).contains(&n) => n as usize,
                    Some(n) => return Err(CriteriaError::MaxResults(n)),
                };
                Output::Grouped {
                    by,
                    order: request.order_by.unwrap_or(OrderBy::Desc),
                    max,
                }
            }
        };
        Ok(StatisticsQuery { criteria, output })
    }

    /// The request's criteria.
    pub fn criteria(&self) -> &CompiledCriteria {
        &self.criteria
    }

    /// For a [`super::FindingTable`]: the attribute the request groups by when it is a plain
    /// string of the finding (`accountId`, `type`), so the table can tally by the numbers of
    /// its dictionary instead of hashing each finding's string.
    pub(super) fn string_group(&self) -> Option<&'static str> {
        match self.output {
            Output::Grouped {
                by: GroupByType::Account,
                ..
            } => Some("accountId"),
            Output::Grouped {
                by: GroupByType::FindingType,
                ..
            } => Some("type"),
            _ => None,
        }
    }

    /// The statistics of a [`Self::string_group`] request from tallies made elsewhere: each
    /// value, how many matching findings have it, and their latest `updatedAt` (ms). A value
    /// given twice is added up.
    pub(super) fn summarize_string_groups<'a>(
        &self,
        tallies: impl Iterator<Item = (&'a str, u64, Option<i64>)>,
    ) -> FindingStatistics {
        let mut stats = FindingStatistics::default();
        let Output::Grouped { by, order, max } = self.output else {
            return stats;
        };
        let mut groups: HashMap<&str, Tally> = HashMap::new();
        for (value, count, last_ms) in tallies.filter(|t| t.1 > 0) {
            let t = groups.entry(value).or_default();
            t.count += count;
            t.last_ms = t.last_ms.max(last_ms);
        }
        by_string(&mut stats, by, groups, order, max);
        stats
    }

    /// Statistics over the findings that match the request's criteria (pass all of the
    /// detector's findings; archived ones count unless the criteria exclude them, as in
    /// GuardDuty).
    pub fn compute<'a, I: IntoIterator<Item = &'a Finding>>(
        &self,
        findings: I,
    ) -> FindingStatistics {
        self.summarize(
            findings
                .into_iter()
                .filter(|f| self.criteria.matches_finding(f)),
        )
    }

    /// Statistics over findings already known to match [`Self::criteria`].
    pub fn summarize<'a, I: IntoIterator<Item = &'a Finding>>(
        &self,
        matching: I,
    ) -> FindingStatistics {
        self.summarize_timed(
            matching
                .into_iter()
                .map(|f| (f, parse_timestamp(&f.updated_at))),
        )
    }

    /// [`Self::summarize`] with each finding's `updatedAt` already parsed.
    pub(crate) fn summarize_timed<'a>(
        &self,
        matching: impl Iterator<Item = (&'a Finding, Option<i64>)>,
    ) -> FindingStatistics {
        match self.output {
            Output::CountBySeverity => {
                let mut counts: BTreeMap<Severity, u64> = BTreeMap::new();
                for (f, _) in matching {
                    if let Some(s) = Severity::new(f.severity) {
                        *counts.entry(s).or_default() += 1;
                    }
                }
                FindingStatistics {
                    count_by_severity: Some(
                        counts
                            .into_iter()
                            .map(|(s, n)| (format!("{:?}", s.0), n))
                            .collect(),
                    ),
                    ..FindingStatistics::default()
                }
            }
            Output::Grouped { by, order, max } => grouped(matching, by, order, max),
        }
    }
}

fn grouped<'a>(
    findings: impl Iterator<Item = (&'a Finding, Option<i64>)>,
    by: GroupByType,
    order: OrderBy,
    max: usize,
) -> FindingStatistics {
    let mut stats = FindingStatistics::default();
    match by {
        GroupByType::Account | GroupByType::FindingType => {
            let mut groups: HashMap<&str, Tally> = HashMap::new();
            for (f, updated) in findings {
                let key = if by == GroupByType::Account {
                    &f.account_id
                } else {
                    &f.finding_type
                };
                groups.entry(key).or_default().add(updated);
            }
            by_string(&mut stats, by, groups, order, max);
        }
        GroupByType::Resource => {
            let mut groups: HashMap<(&str, &str, Option<&str>), Tally> = HashMap::new();
            for (f, updated) in findings {
                let key = (
                    f.account_id.as_str(),
                    f.resource.resource_type.as_str(),
                    resource_id(f),
                );
                groups.entry(key).or_default().add(updated);
            }
            stats.grouped_by_resource = Some(
                ranked(groups, order, max)
                    .into_iter()
                    .map(|((account, resource_type, id), t)| ResourceStatistics {
                        account_id: account.to_string(),
                        last_generated_at: t.last_generated_at(),
                        resource_id: id.map(str::to_string),
                        resource_type: resource_type.to_string(),
                        total_findings: t.count,
                    })
                    .collect(),
            );
        }
        GroupByType::Severity => {
            let mut groups: HashMap<Severity, Tally> = HashMap::new();
            let mut total = 0u64;
            for (f, updated) in findings {
                if let Some(s) = Severity::new(f.severity) {
                    groups.entry(s).or_default().add(updated);
                    total += 1;
                }
            }
            stats.grouped_by_severity = Some(
                ranked(groups, order, max)
                    .into_iter()
                    .map(|(s, t)| SeverityStatistics {
                        last_generated_at: t.last_generated_at(),
                        percentage: (t.count as f64 * 10_000.0 / total as f64).round() / 100.0,
                        severity: s.0,
                        total_findings: t.count,
                    })
                    .collect(),
            );
        }
        GroupByType::Date => {
            let mut groups: HashMap<(i64, Severity), Tally> = HashMap::new();
            for (f, updated) in findings {
                let (Some(ms), Some(s)) = (updated, Severity::new(f.severity)) else {
                    continue;
                };
                let day = ms.div_euclid(DAY_MS) * DAY_MS;
                groups.entry((day, s)).or_default().add(Some(ms));
            }
            stats.grouped_by_date = Some(
                ranked(groups, order, max)
                    .into_iter()
                    .map(|((day, s), t)| DateStatistics {
                        date: epoch_seconds(day),
                        last_generated_at: t.last_generated_at(),
                        severity: s.0,
                        total_findings: t.count,
                    })
                    .collect(),
            );
        }
    }
    stats
}

//! GuardDuty's finding query language: `FindingCriteria` (ListFindings, GetFindingsStatistics,
//! filters and suppression rules), `SortCriteria` and the `GetFindingsStatistics` groupings.
//!
//! Wire shape (rest-json, camelCase): `{"criterion": {"<attribute>": {<Condition>}, ...}}`, e.g.
//! `{"criterion":{"severity":{"gte":7},"service.archived":{"eq":["false"]}}}`.
//!
//! Validation ([`CompiledCriteria::compile`]; every failure is a [`CriteriaError`] naming the
//! attribute and the problem, which the API answers with a 400 `BadRequestException`):
//! - the attribute must be one GuardDuty documents for CreateFilter (`api.md` section 8; the
//!   622 paths in `catalogue/filter-attributes.tsv`), spelled as documented (`hostIpc`, not the
//!   finding's `hostIPC`); at most 50 attributes (GuardDuty's filter limit); an empty
//!   `criterion` matches every finding;
//! - a condition needs at least one operator; `eq`/`neq`/`equals`/`notEquals` take 1–50 values,
//!   `matches`/`notMatches` 1–5 patterns of 1–512 characters;
//! - values must fit the attribute: numbers for numeric attributes, `"true"`/`"false"` (any case)
//!   for booleans, epoch milliseconds (an ISO-8601 string is also accepted) for timestamps;
//!   range operators only on numbers and timestamps; wildcards only on strings.
//!
//! Semantics (GuardDuty's where documented, otherwise chosen and stated here):
//! - attributes are ANDed; the operators of one condition are ANDed; the values of one operator
//!   are ORed (`eq: ["a","b"]` = a or b); `neq`/`notEquals`/`notMatches` = none of the values.
//! - arrays are fanned out: `resource.instanceDetails.tags.value` has one value per tag. A
//!   condition holds when **some** value passes all its positive operators (`eq`, `equals`, the
//!   range bounds, `matches`: like one Elasticsearch range, `gte 100` + `lte 200` needs one port
//!   in 100..=200) and **no** value hits a negative operator.
//! - an absent attribute has no values: positive operators fail, negative ones pass (a finding
//!   with no tags passes `tags.value neq ["bastion"]`). A value of the wrong JSON type counts as
//!   absent.
//! - strings compare exactly, case-sensitively (GuardDuty's "exact match"); `matches` patterns
//!   use `*` (any run, also empty) and `?` (one character) and match the whole value.
//! - numbers: an integral `eq` value matches the whole unit above it, so GuardDuty's documented
//!   severity bands work: `severity eq ["7","8"]` is High, i.e. 7.0 ≤ severity < 9.0; a value
//!   with a fraction (`"5.5"`) matches exactly. Ranges compare numerically.
//! - the legacy int operators (`gt`/`gte`/`lt`/`lte`) and the long ones
//!   (`greaterThan`/.../`lessThanOrEqual`) mean the same; timestamps compare in epoch ms.
//! - booleans (`service.archived`) are given as strings and compare as booleans.
//!
//! Three ways to match, always agreeing: [`CompiledCriteria::matches`] on a finding's JSON (any
//! finding, e.g. one imported from GuardDuty, with fields `Finding` does not model),
//! [`CompiledCriteria::matches_finding`] straight over `Finding`'s fields (no serialization), and
//! [`FindingTable`] (findings held in memory with a compact row of their most-queried values: the
//! ListFindings path; figures in `docs/benchmarks.md`). Sorting is in [`sort`], statistics in
//! [`statistics`]. GuardDuty takes `matches`/`notMatches` only in CreateFilter/UpdateFilter;
//! [`FindingCriteria::uses_wildcards`] lets the API refuse them elsewhere.

pub mod attributes;
pub mod sort;
pub mod statistics;
pub mod table;

pub use attributes::{Attribute, Scalar, ValueKind, attribute, attributes};
pub use sort::{CompiledSort, OrderBy, SortCriteria};
pub use statistics::{
    AccountStatistics, DateStatistics, FindingStatisticType, FindingStatistics,
    FindingTypeStatistics, FindingsStatisticsRequest, GroupByType, ResourceStatistics,
    SeverityStatistics, StatisticsQuery,
};
pub use table::{FindingTable, Page};

use crate::finding::Finding;
use crate::time::parse_timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// At most this many attributes in one criteria (GuardDuty's documented filter limit).
pub const MAX_ATTRIBUTES: usize = 50;
/// At most this many values in `eq`, `neq`, `equals` or `notEquals`.
pub const MAX_VALUES: usize = 50;
/// At most this many patterns in `matches` or `notMatches`.
pub const MAX_PATTERNS: usize = 5;
/// A pattern is 1 to this many characters.
pub const MAX_PATTERN_CHARS: usize = 512;

/// `FindingCriteria`, as the API sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FindingCriteria {
    #[serde(default)]
    pub criterion: BTreeMap<String, Condition>,
}

impl FindingCriteria {
    /// Whether any condition uses `matches` or `notMatches` (GuardDuty accepts them only in
    /// CreateFilter and UpdateFilter).
    pub fn uses_wildcards(&self) -> bool {
        self.criterion
            .values()
            .any(|c| c.matches.is_some() || c.not_matches.is_some())
    }
}

/// `Condition`, as the API sends it. Unset operators are `None` (and are not serialized, so
/// GetFilter returns what CreateFilter was given).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Condition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eq: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neq: Option<Vec<String>>,
    /// The model types the legacy bounds as 32-bit; wider values are accepted all the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gt: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gte: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lt: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lte: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equals: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greater_than: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greater_than_or_equal: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub less_than: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub less_than_or_equal: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_matches: Option<Vec<String>>,
}

/// Why criteria (or a sort or statistics request) were refused. The text names the attribute and
/// the problem; the API returns it as a 400 `BadRequestException` message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CriteriaError {
    #[error("findingCriteria: unknown attribute '{0}'")]
    UnknownAttribute(String),
    #[error("findingCriteria: {count} attributes; at most {MAX_ATTRIBUTES} are allowed")]
    TooManyAttributes { count: usize },
    #[error("findingCriteria: attribute '{0}' has an empty condition; give at least one operator")]
    EmptyCondition(String),
    #[error("findingCriteria: attribute '{attribute}': {operator} has no values")]
    NoValues {
        attribute: String,
        operator: &'static str,
    },
    #[error(
        "findingCriteria: attribute '{attribute}': {operator} has {count} values; at most {max} are allowed"
    )]
    TooManyValues {
        attribute: String,
        operator: &'static str,
        count: usize,
        max: usize,
    },
    #[error(
        "findingCriteria: attribute '{attribute}': {operator} value '{value}' is not {expected}"
    )]
    InvalidValue {
        attribute: String,
        operator: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(
        "findingCriteria: attribute '{attribute}' holds {kind} values; {operator} cannot be used on it"
    )]
    OperatorNotApplicable {
        attribute: String,
        operator: &'static str,
        kind: &'static str,
    },
    #[error(
        "findingCriteria: attribute '{attribute}': {operator} patterns must be 1 to {MAX_PATTERN_CHARS} characters"
    )]
    InvalidPattern {
        attribute: String,
        operator: &'static str,
    },
    #[error("sortCriteria: unknown attribute '{0}'")]
    UnknownSortAttribute(String),
    #[error("give either findingStatisticTypes or groupBy, not both")]
    StatisticsBoth,
    #[error("give findingStatisticTypes or groupBy")]
    StatisticsNeither,
    #[error("maxResults must be between 1 and 100, got {0}")]
    MaxResults(i64),
}

/// Criteria checked once, ready to match many findings.
#[derive(Debug, Clone)]
pub struct CompiledCriteria {
    conditions: Vec<CompiledCondition>,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledCondition {
    attribute: &'static Attribute,
    /// Tests one value must pass together.
    all_of: Vec<Test>,
    /// Tests no value may pass.
    none_of: Vec<Test>,
    /// The attribute's slot in a [`FindingTable`] row, when the table keeps it.
    hot: Option<table::HotField>,
}

/// A criteria value, read as the attribute's kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Time(i64),
    /// For dynamic attributes: whichever reading fits the value found.
    Any {
        text: String,
        num: Option<f64>,
        boolean: Option<bool>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    OneOf(Vec<Literal>),
    Gt(f64),
    Gte(f64),
    Lt(f64),
    Lte(f64),
    Like(Vec<String>),
}

/// A finding's value read as the attribute's kind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Typed<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
    Time(i64),
}

pub(crate) fn typed(kind: ValueKind, s: Scalar<'_>) -> Option<Typed<'_>> {
    match (kind, s) {
        (ValueKind::String | ValueKind::Dynamic, Scalar::Str(v)) => Some(Typed::Str(v)),
        (ValueKind::Number | ValueKind::Dynamic, Scalar::Num(v)) => Some(Typed::Num(v)),
        (ValueKind::Boolean | ValueKind::Dynamic, Scalar::Bool(v)) => Some(Typed::Bool(v)),
        (ValueKind::Timestamp, Scalar::Str(v)) => parse_timestamp(v).map(Typed::Time),
        // Members the model types `timestamp` are epoch seconds on the wire.
        (ValueKind::Timestamp, Scalar::Num(v)) => Some(Typed::Time((v * 1000.0).round() as i64)),
        _ => None,
    }
}

/// An integral criteria number matches the unit above it (`"7"` matches 7.0 ≤ x < 8.0), so the
/// documented severity bands (`High: ["7","8"]`) work; a fractional one matches exactly.
fn number_equals(wanted: f64, found: f64) -> bool {
    if wanted.fract() == 0.0 {
        found.floor() == wanted
    } else {
        found == wanted
    }
}

impl Literal {
    fn equals(&self, v: Typed<'_>) -> bool {
        match (self, v) {
            (Literal::Str(a), Typed::Str(b)) => a == b,
            (Literal::Num(a), Typed::Num(b)) => number_equals(*a, b),
            (Literal::Bool(a), Typed::Bool(b)) => *a == b,
            (Literal::Time(a), Typed::Time(b)) => *a == b,
            (Literal::Any { text, .. }, Typed::Str(b)) => text == b,
            (Literal::Any { num: Some(a), .. }, Typed::Num(b)) => number_equals(*a, b),
            (
                Literal::Any {
                    boolean: Some(a), ..
                },
                Typed::Bool(b),
            ) => *a == b,
            _ => false,
        }
    }
}

impl Test {
    fn passes(&self, v: Typed<'_>) -> bool {
        let ordinal = match v {
            Typed::Num(x) => Some(x),
            Typed::Time(t) => Some(t as f64),
            _ => None,
        };
        match self {
            Test::OneOf(values) => values.iter().any(|l| l.equals(v)),
            Test::Gt(b) => ordinal.is_some_and(|x| x > *b),
            Test::Gte(b) => ordinal.is_some_and(|x| x >= *b),
            Test::Lt(b) => ordinal.is_some_and(|x| x < *b),
            Test::Lte(b) => ordinal.is_some_and(|x| x <= *b),
            Test::Like(patterns) => match v {
                Typed::Str(s) => patterns.iter().any(|p| wildcard_match(p, s)),
                _ => false,
            },
        }
    }
}

/// Whole-value wildcard match: `*` any run of characters (also none), `?` exactly one character,
/// everything else literal and case-sensitive. Linear backtracking on the last `*`, so the work
/// is bounded by pattern length × value length.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    fn char_len(lead: u8) -> usize {
        match lead {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        }
    }
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Where to resume after the last `*`: (pattern index after it, text index it absorbed up to).
    let mut resume: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                pi += 1;
                resume = Some((pi, ti));
            }
            Some(b'?') => {
                pi += 1;
                ti = (ti + char_len(t[ti])).min(t.len());
            }
            Some(&c) if c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match resume {
                Some((after_star, absorbed)) => {
                    let next = (absorbed + char_len(t[absorbed])).min(t.len());
                    resume = Some((after_star, next));
                    pi = after_star;
                    ti = next;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

const EXPECT_NUMBER: &str = "a number";
const EXPECT_BOOLEAN: &str = "a boolean (\"true\" or \"false\")";
const EXPECT_TIMESTAMP: &str = "a timestamp (epoch milliseconds)";

/// Values echoed in error messages are cut short so a hostile request cannot make a huge one.
fn shown(value: &str) -> String {
    const MAX: usize = 100;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

fn parse_time(v: &str) -> Option<i64> {
    v.trim().parse::<i64>().ok().or_else(|| parse_timestamp(v))
}

fn literal(
    attribute: &Attribute,
    operator: &'static str,
    value: &str,
) -> Result<Literal, CriteriaError> {
    let invalid = |expected| CriteriaError::InvalidValue {
        attribute: attribute.name.to_string(),
        operator,
        value: shown(value),
        expected,
    };
    Ok(match attribute.kind {
        ValueKind::String => Literal::Str(value.to_string()),
        ValueKind::Number => {
            Literal::Num(parse_number(value).ok_or_else(|| invalid(EXPECT_NUMBER))?)
        }
        ValueKind::Boolean => {
            Literal::Bool(parse_bool(value).ok_or_else(|| invalid(EXPECT_BOOLEAN))?)
        }
        ValueKind::Timestamp => {
            Literal::Time(parse_time(value).ok_or_else(|| invalid(EXPECT_TIMESTAMP))?)
        }
        ValueKind::Dynamic => Literal::Any {
            text: value.to_string(),
            num: parse_number(value),
            boolean: parse_bool(value),
        },
    })
}

fn value_list(
    attribute: &Attribute,
    operator: &'static str,
    values: &[String],
) -> Result<Test, CriteriaError> {
    if values.is_empty() {
        return Err(CriteriaError::NoValues {
            attribute: attribute.name.to_string(),
            operator,
        });
    }
    if values.len() > MAX_VALUES {
        return Err(CriteriaError::TooManyValues {
            attribute: attribute.name.to_string(),
            operator,
            count: values.len(),
            max: MAX_VALUES,
        });
    }
    let literals = values
        .iter()
        .map(|v| literal(attribute, operator, v))
        .collect::<Result<_, _>>()?;
    Ok(Test::OneOf(literals))
}

fn bound(attribute: &Attribute, operator: &'static str) -> Result<(), CriteriaError> {
    match attribute.kind {
        ValueKind::Number | ValueKind::Timestamp | ValueKind::Dynamic => Ok(()),
        kind => Err(CriteriaError::OperatorNotApplicable {
            attribute: attribute.name.to_string(),
            operator,
            kind: kind.name(),
        }),
    }
}

fn patterns(
    attribute: &Attribute,
    operator: &'static str,
    values: &[String],
) -> Result<Test, CriteriaError> {
    if !matches!(attribute.kind, ValueKind::String | ValueKind::Dynamic) {
        return Err(CriteriaError::OperatorNotApplicable {
            attribute: attribute.name.to_string(),
            operator,
            kind: attribute.kind.name(),
        });
    }
    if values.is_empty() {
        return Err(CriteriaError::NoValues {
            attribute: attribute.name.to_string(),
            operator,
        });
    }
    if values.len() > MAX_PATTERNS {
        return Err(CriteriaError::TooManyValues {
            attribute: attribute.name.to_string(),
            operator,
            count: values.len(),
            max: MAX_PATTERNS,
        });
    }
    if values
        .iter()
        .any(|p| p.is_empty() || p.chars().count() > MAX_PATTERN_CHARS)
    {
        return Err(CriteriaError::InvalidPattern {
            attribute: attribute.name.to_string(),
            operator,
        });
    }
    Ok(Test::Like(values.to_vec()))
}

fn compile_condition(
    attribute: &'static Attribute,
    c: &Condition,
) -> Result<CompiledCondition, CriteriaError> {
    let mut all_of = Vec::new();
    let mut none_of = Vec::new();
    for (operator, values, negated) in [
        ("eq", &c.eq, false),
        ("equals", &c.equals, false),
        ("neq", &c.neq, true),
        ("notEquals", &c.not_equals, true),
    ] {
        if let Some(values) = values {
            let test = value_list(attribute, operator, values)?;
            if negated {
                none_of.push(test);
            } else {
                all_of.push(test);
            }
        }
    }
    type MakeBound = fn(f64) -> Test;
    for (operator, value, make) in [
        ("gt", c.gt, Test::Gt as MakeBound),
        ("gte", c.gte, Test::Gte),
        ("lt", c.lt, Test::Lt),
        ("lte", c.lte, Test::Lte),
        ("greaterThan", c.greater_than, Test::Gt),
        ("greaterThanOrEqual", c.greater_than_or_equal, Test::Gte),
        ("lessThan", c.less_than, Test::Lt),
        ("lessThanOrEqual", c.less_than_or_equal, Test::Lte),
    ] {
        if let Some(v) = value {
            bound(attribute, operator)?;
            all_of.push(make(v as f64));
        }
    }
    if let Some(values) = &c.matches {
        all_of.push(patterns(attribute, "matches", values)?);
    }
    if let Some(values) = &c.not_matches {
        none_of.push(patterns(attribute, "notMatches", values)?);
    }
    if all_of.is_empty() && none_of.is_empty() {
        return Err(CriteriaError::EmptyCondition(attribute.name.to_string()));
    }
    let hot = table::hot_field(attribute.name);
    Ok(CompiledCondition {
        attribute,
        all_of,
        none_of,
        hot,
    })
}

impl CompiledCondition {
    /// Some value passes every positive test and no value passes a negative one.
    pub(crate) fn holds_typed(&self, visit: impl FnOnce(&mut dyn FnMut(Typed<'_>))) -> bool {
        let mut found = self.all_of.is_empty();
        let mut excluded = false;
        visit(&mut |v| {
            if excluded {
                return;
            }
            if self.none_of.iter().any(|t| t.passes(v)) {
                excluded = true;
            } else if !found && self.all_of.iter().all(|t| t.passes(v)) {
                found = true;
            }
        });
        found && !excluded
    }

    fn holds(&self, visit: impl FnOnce(&mut dyn FnMut(Scalar<'_>))) -> bool {
        let kind = self.attribute.kind;
        self.holds_typed(|out| {
            visit(&mut |s| {
                if let Some(v) = typed(kind, s) {
                    out(v);
                }
            })
        })
    }

    pub(crate) fn holds_in(&self, finding: &Finding) -> bool {
        self.holds(|out| self.attribute.visit_finding(finding, out))
    }
}

impl CompiledCriteria {
    /// Check criteria against GuardDuty's attribute list and operator rules.
    pub fn compile(criteria: &FindingCriteria) -> Result<Self, CriteriaError> {
        if criteria.criterion.len() > MAX_ATTRIBUTES {
            return Err(CriteriaError::TooManyAttributes {
                count: criteria.criterion.len(),
            });
        }
        let mut conditions = Vec::with_capacity(criteria.criterion.len());
        for (name, condition) in &criteria.criterion {
            let attribute =
                attribute(name).ok_or_else(|| CriteriaError::UnknownAttribute(shown(name)))?;
            conditions.push(compile_condition(attribute, condition)?);
        }
        // Cheap conditions first: most findings fail one of them and the rest are never read
        // (a finding is 2 KB; each field read is likely a cache miss).
        conditions.sort_by_key(|c| (c.hot.is_none(), c.attribute.cost()));
        Ok(CompiledCriteria { conditions })
    }

    /// Criteria that match every finding (ListFindings without `findingCriteria`).
    pub fn match_all() -> Self {
        CompiledCriteria {
            conditions: Vec::new(),
        }
    }

    /// Whether the criteria have no conditions (CreateFilter requires at least one).
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Match a finding's JSON (the GetFindings shape).
    pub fn matches(&self, finding: &serde_json::Value) -> bool {
        self.conditions
            .iter()
            .all(|c| c.holds(|out| c.attribute.visit_json(finding, out)))
    }

    /// Match a typed finding directly: the same answer as [`Self::matches`] on its JSON, without
    /// serializing it.
    pub fn matches_finding(&self, finding: &Finding) -> bool {
        self.conditions.iter().all(|c| c.holds_in(finding))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        for (p, t) in [
            ("*", ""),
            ("*", "abc"),
            ("a*", "abc"),
            ("*c", "abc"),
            ("a?c", "abc"),
            ("a*b*c", "aXbYbZc"),
            ("*.example.com", "x.y.example.com"),
            ("caf?", "café"),
            ("?", "é"),
            ("**", "x"),
        ] {
            assert!(wildcard_match(p, t), "{p} should match {t}");
        }
        for (p, t) in [
            ("", "a"),
            ("a", ""),
            ("a?c", "ac"),
            ("a*d", "abc"),
            ("*.example.com", "example.com"),
            ("ABC", "abc"),
            ("?", "ab"),
            ("caf?", "cafés"),
        ] {
            assert!(!wildcard_match(p, t), "{p} should not match {t}");
        }
    }

    #[test]
    fn severity_band_values_cover_the_unit_above() {
        assert!(number_equals(7.0, 7.0));
        assert!(number_equals(7.0, 7.9));
        assert!(!number_equals(7.0, 8.0));
        assert!(!number_equals(7.0, 6.99));
        assert!(number_equals(5.5, 5.5));
        assert!(!number_equals(5.5, 5.6));
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "x".repeat(10_000);
        let e = CompiledCriteria::compile(&FindingCriteria {
            criterion: [(long, Condition::default())].into(),
        })
        .unwrap_err();
        assert!(e.to_string().len() < 200, "{e}");
    }
}

//! [`FindingTable`]: findings kept in memory for the API, with a small row of pre-read values
//! per finding so ListFindings and GetFindingsStatistics rarely touch the findings themselves.
//!
//! A `Finding` is about 2 KB and the fields a query reads sit on different cache lines, so a scan
//! over 100,000 of them is bound by memory latency. Each finding's row (≈150 bytes, contiguous)
//! holds the attributes most criteria and sorts use, read once when the finding is stored with
//! the same typed readers [`CompiledCriteria::matches_finding`] uses: `severity`, `confidence`,
//! `service.count`, `service.archived`, the four finding timestamps already parsed to epoch ms,
//! and, as numbers into a per-attribute dictionary of the distinct values, `accountId`, `region`,
//! `type`, `resource.resourceType`, `service.action.actionType`, `service.resourceRole` and
//! `service.featureName`. Conditions (and sorts) on those attributes never touch the finding;
//! the others read it. Answers and orders are the same as without the table (`tests/criteria.rs`
//! checks that on random findings and criteria).
//!
//! The table holds what it is given: bounding it (GuardDuty keeps findings 90 days) is the
//! owner's retention policy, applied with [`FindingTable::remove`]. The dictionaries keep the
//! values of removed or replaced findings until one holds more than twice as many values as
//! there are findings, plus [`DICTIONARY_SLACK`]; then all are rebuilt from the live rows, so
//! their size stays proportional to the table's.

use super::attributes::attribute;
use super::sort::{CompiledSort, SortKey, id_prefix};
use super::statistics::{FindingStatistics, StatisticsQuery};
use super::{CompiledCondition, CompiledCriteria, Test, Typed, typed};
use crate::finding::Finding;
use std::collections::{BinaryHeap, HashMap};

const NUMBERS: [&str; 3] = ["severity", "confidence", "service.count"];
const TIMES: [&str; 4] = [
    "updatedAt",
    "createdAt",
    "service.eventFirstSeen",
    "service.eventLastSeen",
];
/// Single-valued strings with few distinct values (not `id`: one per finding).
const STRINGS: [&str; 7] = [
    "accountId",
    "region",
    "type",
    "resource.resourceType",
    "service.action.actionType",
    "service.resourceRole",
    "service.featureName",
];

/// How far a dictionary may outgrow twice the number of findings before it is rebuilt.
pub const DICTIONARY_SLACK: usize = 1024;

/// Pages ending up to here are chosen with a bounded heap while scanning; deeper ones with a
/// selection over every hit.
const TOP_K_MAX: usize = 2_048;

/// The dictionary number of an absent string.
const ABSENT: u32 = u32::MAX;

/// An attribute a [`Row`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HotField {
    Number(usize),
    Time(usize),
    Archived,
    Str(usize),
}

pub(crate) fn hot_field(name: &str) -> Option<HotField> {
    let find = |list: &[&str]| list.iter().position(|n| *n == name);
    if let Some(i) = find(&NUMBERS) {
        Some(HotField::Number(i))
    } else if let Some(i) = find(&TIMES) {
        Some(HotField::Time(i))
    } else if name == "service.archived" {
        Some(HotField::Archived)
    } else {
        find(&STRINGS).map(HotField::Str)
    }
}

/// A finding's pre-read values.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    numbers: [Option<f64>; NUMBERS.len()],
    times: [Option<i64>; TIMES.len()],
    archived: Option<bool>,
    strings: [u32; STRINGS.len()],
    /// For sorting: ties on the sort value are broken by id without reading the finding.
    id_prefix: u64,
}

/// The distinct values of one string attribute, numbered.
#[derive(Debug, Clone, Default)]
struct Dictionary {
    values: Vec<String>,
    numbers: HashMap<String, u32>,
}

impl Dictionary {
    fn number(&mut self, value: &str) -> u32 {
        if let Some(&n) = self.numbers.get(value) {
            return n;
        }
        // u32::MAX distinct values cannot occur before memory runs out; ABSENT stays reserved.
        let n = u32::try_from(self.values.len()).unwrap_or(ABSENT - 1);
        self.values.push(value.to_string());
        self.numbers.insert(value.to_string(), n);
        n
    }
}

/// The first value the typed reader yields for `name`, read as its kind.
fn first_value(finding: &Finding, name: &str, mut keep: impl FnMut(Typed<'_>)) {
    let Some(a) = attribute(name) else {
        return;
    };
    let mut done = false;
    a.visit_finding(finding, &mut |s| {
        if !done && let Some(v) = typed(a.kind, s) {
            keep(v);
            done = true;
        }
    });
}

/// Read a finding's row, numbering new strings.
fn row_of(dictionaries: &mut [Dictionary; STRINGS.len()], finding: &Finding) -> Row {
    let mut row = Row {
        numbers: [None; NUMBERS.len()],
        times: [None; TIMES.len()],
        archived: None,
        strings: [ABSENT; STRINGS.len()],
        id_prefix: id_prefix(&finding.id),
    };
    for (slot, name) in NUMBERS.iter().enumerate() {
        first_value(finding, name, |v| {
            if let Typed::Num(x) = v {
                row.numbers[slot] = Some(x);
            }
        });
    }
    for (slot, name) in TIMES.iter().enumerate() {
        first_value(finding, name, |v| {
            if let Typed::Time(t) = v {
                row.times[slot] = Some(t);
            }
        });
    }
    first_value(finding, "service.archived", |v| {
        if let Typed::Bool(b) = v {
            row.archived = Some(b);
        }
    });
    for (slot, name) in STRINGS.iter().enumerate() {
        let dictionary = &mut dictionaries[slot];
        first_value(finding, name, |v| {
            if let Typed::Str(s) = v {
                row.strings[slot] = dictionary.number(s);
            }
        });
    }
    row
}

/// Findings by id, each with its row of pre-read values.
#[derive(Debug, Clone, Default)]
pub struct FindingTable {
    findings: Vec<Finding>,
    rows: Vec<Row>,
    positions: HashMap<String, usize>,
    dictionaries: [Dictionary; STRINGS.len()],
}

/// One page of ListFindings.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<'a> {
    /// The findings of the page, in order.
    pub findings: Vec<&'a Finding>,
    /// How many findings matched in all (so the caller knows whether there is a next page).
    pub total: usize,
}

/// A condition as the table checks it for one query, resolved against the table once so the
/// per-finding check is an index or a comparison, not a string compare through the generic
/// tests (a query over 100,000 findings runs each condition up to 100,000 times).
enum Check<'c> {
    /// A kept string: whether each dictionary number passes, and whether an absent value does.
    Str {
        slot: usize,
        pass: Vec<bool>,
        absent: bool,
    },
    /// A kept number or time under bounds only: the value, as `Test::passes` reads it (a time
    /// as its epoch ms in `f64`), must be within them; an absent value fails.
    Range {
        field: HotField,
        low: f64,
        low_inclusive: bool,
        high: f64,
        high_inclusive: bool,
    },
    /// Another kept value (`archived`, or numbers under equality tests).
    Value {
        field: HotField,
        condition: &'c CompiledCondition,
    },
    /// Not kept: read the finding.
    Finding(&'c CompiledCondition),
}

/// The bounds of a condition made only of `Gt`/`Gte`/`Lt`/`Lte` tests (all must hold), or
/// `None` when it has any other test.
fn bounds(condition: &CompiledCondition) -> Option<(f64, bool, f64, bool)> {
    if !condition.none_of.is_empty() || condition.all_of.is_empty() {
        return None;
    }
    let (mut low, mut low_inclusive) = (f64::NEG_INFINITY, true);
    let (mut high, mut high_inclusive) = (f64::INFINITY, true);
    for t in &condition.all_of {
        match *t {
            // `x > NaN` never holds; the generic path keeps that.
            Test::Gt(b) | Test::Gte(b) | Test::Lt(b) | Test::Lte(b) if b.is_nan() => return None,
            Test::Gt(b) if b >= low => (low, low_inclusive) = (b, false),
            Test::Gte(b) if b > low => (low, low_inclusive) = (b, true),
            Test::Lt(b) if b <= high => (high, high_inclusive) = (b, false),
            Test::Lte(b) if b < high => (high, high_inclusive) = (b, true),
            Test::Gt(_) | Test::Gte(_) | Test::Lt(_) | Test::Lte(_) => {}
            _ => return None,
        }
    }
    Some((low, low_inclusive, high, high_inclusive))
}

impl FindingTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of a kept attribute for the finding at `i`.
    fn value(&self, i: usize, field: HotField) -> Option<Typed<'_>> {
        let row = &self.rows[i];
        match field {
            HotField::Number(slot) => row.numbers[slot].map(Typed::Num),
            HotField::Time(slot) => row.times[slot].map(Typed::Time),
            HotField::Archived => row.archived.map(Typed::Bool),
            HotField::Str(slot) => {
                let values = &self.dictionaries[slot].values;
                values
                    .get(row.strings[slot] as usize)
                    .map(|s| Typed::Str(s))
            }
        }
    }

    /// Resolve the criteria against this table's dictionaries, cheapest checks first.
    fn plan<'c>(&self, criteria: &'c CompiledCriteria) -> Vec<Check<'c>> {
        let mut plan: Vec<Check<'c>> = criteria
            .conditions
            .iter()
            .map(|c| match c.hot {
                Some(HotField::Str(slot)) => Check::Str {
                    slot,
                    pass: self.dictionaries[slot]
                        .values
                        .iter()
                        .map(|v| c.holds_typed(|out| out(Typed::Str(v))))
                        .collect(),
                    absent: c.holds_typed(|_| {}),
                },
                Some(field @ (HotField::Number(_) | HotField::Time(_))) => match bounds(c) {
                    Some((low, low_inclusive, high, high_inclusive)) => Check::Range {
                        field,
                        low,
                        low_inclusive,
                        high,
                        high_inclusive,
                    },
                    None => Check::Value {
                        field,
                        condition: c,
                    },
                },
                Some(field) => Check::Value {
                    field,
                    condition: c,
                },
                None => Check::Finding(c),
            })
            .collect();
        // Stable: among the finding reads, the order `compile` chose (by cost) stays.
        plan.sort_by_key(|c| match c {
            Check::Str { .. } => 0,
            Check::Range { .. } => 1,
            Check::Value { .. } => 2,
            Check::Finding(_) => 3,
        });
        plan
    }

    fn matches(&self, plan: &[Check<'_>], i: usize) -> bool {
        let row = &self.rows[i];
        plan.iter().all(|check| match check {
            // ABSENT is past the end of every dictionary.
            Check::Str { slot, pass, absent } => pass
                .get(row.strings[*slot] as usize)
                .copied()
                .unwrap_or(*absent),
            Check::Range {
                field,
                low,
                low_inclusive,
                high,
                high_inclusive,
            } => {
                let x = match *field {
                    HotField::Number(slot) => row.numbers[slot],
                    HotField::Time(slot) => row.times[slot].map(|t| t as f64),
                    _ => None,
                };
                x.is_some_and(|x| {
                    (if *low_inclusive { x >= *low } else { x > *low })
                        && (if *high_inclusive {
                            x <= *high
                        } else {
                            x < *high
                        })
                })
            }
            Check::Value { field, condition } => condition.holds_typed(|out| {
                if let Some(v) = self.value(i, *field) {
                    out(v);
                }
            }),
            Check::Finding(condition) => condition.holds_in(&self.findings[i]),
        })
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// Store a finding, replacing (and returning) the one with the same id.
    pub fn upsert(&mut self, finding: Finding) -> Option<Finding> {
        let row = row_of(&mut self.dictionaries, &finding);
        let replaced = match self.positions.get(&finding.id) {
            Some(&i) => {
                self.rows[i] = row;
                Some(std::mem::replace(&mut self.findings[i], finding))
            }
            None => {
                self.positions
                    .insert(finding.id.clone(), self.findings.len());
                self.findings.push(finding);
                self.rows.push(row);
                None
            }
        };
        self.compact_if_outgrown();
        replaced
    }

    /// Rebuild the dictionaries from the live rows once one has outgrown them (values of
    /// removed and replaced findings linger until then). Amortised O(1) per upsert: a rebuild
    /// costs O(findings) and follows at least `findings + DICTIONARY_SLACK` new values.
    fn compact_if_outgrown(&mut self) {
        let limit = 2 * self.findings.len() + DICTIONARY_SLACK;
        if self.dictionaries.iter().all(|d| d.values.len() <= limit) {
            return;
        }
        for slot in 0..STRINGS.len() {
            let old = std::mem::take(&mut self.dictionaries[slot]);
            let new = &mut self.dictionaries[slot];
            for row in &mut self.rows {
                if let Some(value) = old.values.get(row.strings[slot] as usize) {
                    row.strings[slot] = new.number(value);
                }
            }
        }
    }

    /// How many distinct strings the dictionaries hold (for tests of their bound).
    pub fn dictionary_len(&self) -> usize {
        self.dictionaries.iter().map(|d| d.values.len()).sum()
    }

    /// Remove a finding (the last one takes its place, so removal is O(1)).
    pub fn remove(&mut self, id: &str) -> Option<Finding> {
        let i = self.positions.remove(id)?;
        let removed = self.findings.swap_remove(i);
        self.rows.swap_remove(i);
        if let Some(moved) = self.findings.get(i) {
            self.positions.insert(moved.id.clone(), i);
        }
        Some(removed)
    }

    pub fn get(&self, id: &str) -> Option<&Finding> {
        self.positions.get(id).map(|&i| &self.findings[i])
    }

    /// Change a finding in place (archive, unarchive, feedback) and re-read its row. Changing the
    /// id re-keys it; should the new id already be taken, the other finding is replaced.
    pub fn update<R>(&mut self, id: &str, change: impl FnOnce(&mut Finding) -> R) -> Option<R> {
        let i = *self.positions.get(id)?;
        let result = change(&mut self.findings[i]);
        if self.findings[i].id != id {
            let finding = self.remove(id)?;
            self.upsert(finding);
        } else {
            self.rows[i] = row_of(&mut self.dictionaries, &self.findings[i]);
        }
        Some(result)
    }

    /// Every finding, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter()
    }

    /// The findings that match, in no particular order.
    pub fn matching<'a>(
        &'a self,
        criteria: &'a CompiledCriteria,
    ) -> impl Iterator<Item = &'a Finding> + 'a {
        let plan = self.plan(criteria);
        (0..self.findings.len())
            .filter(move |&i| self.matches(&plan, i))
            .map(|i| &self.findings[i])
    }

    /// Each dictionary number's rank in byte order of the strings, for sorting by a kept string.
    fn ranks(&self, slot: usize) -> Vec<u32> {
        let values = &self.dictionaries[slot].values;
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[a].cmp(&values[b]));
        let mut ranks = vec![0; values.len()];
        for (rank, n) in order.into_iter().enumerate() {
            ranks[n] = rank as u32;
        }
        ranks
    }

    /// The matching findings in `sort` order, from `offset`, at most `limit` of them. Only the
    /// findings up to the end of the page are fully ordered (a selection finds them first).
    pub fn list(
        &self,
        criteria: &CompiledCriteria,
        sort: &CompiledSort,
        offset: usize,
        limit: usize,
    ) -> Page<'_> {
        let field = hot_field(sort.attribute_name());
        let ranks = match field {
            Some(HotField::Str(slot)) => self.ranks(slot),
            _ => Vec::new(),
        };
        let key = |i: usize| -> SortKey<'_> {
            let finding = &self.findings[i];
            match field {
                Some(HotField::Str(slot)) => {
                    let n = self.rows[i].strings[slot] as usize;
                    sort.key_ranked(ranks.get(n).copied(), self.rows[i].id_prefix, finding)
                }
                Some(field) => sort.key_of(self.value(i, field), self.rows[i].id_prefix, finding),
                None => sort.key(finding),
            }
        };
        let plan = self.plan(criteria);
        let want = offset.saturating_add(limit);
        let matching = (0..self.findings.len()).filter(|&i| self.matches(&plan, i));
        let (mut hits, total): (Vec<(SortKey<'_>, usize)>, usize) = if want <= TOP_K_MAX {
            // Early pages: keep only the best `want` hits in a max-heap as they are found, so
            // most hits cost one comparison with the worst kept instead of a place in a vector
            // of every hit.
            let mut best: BinaryHeap<(SortKey<'_>, usize)> = BinaryHeap::with_capacity(want + 1);
            let mut total = 0;
            for i in matching {
                total += 1;
                let hit = (key(i), i);
                if best.len() < want {
                    best.push(hit);
                } else if best.peek().is_some_and(|worst| hit < *worst) {
                    best.pop();
                    best.push(hit);
                }
            }
            (best.into_vec(), total)
        } else {
            let mut hits: Vec<(SortKey<'_>, usize)> = matching.map(|i| (key(i), i)).collect();
            let total = hits.len();
            let end = want.min(total);
            if end > 0 && end < total {
                hits.select_nth_unstable(end - 1);
                hits.truncate(end);
            }
            (hits, total)
        };
        let end = want.min(total);
        if end <= offset {
            return Page {
                findings: Vec::new(),
                total,
            };
        }
        hits.sort_unstable();
        let findings = hits
            .into_iter()
            .skip(offset)
            .take(end - offset)
            .map(|(_, i)| &self.findings[i])
            .collect();
        Page { findings, total }
    }

    /// GetFindingsStatistics over the table.
    pub fn statistics(&self, query: &StatisticsQuery) -> FindingStatistics {
        let updated = hot_field("updatedAt");
        let plan = self.plan(query.criteria());
        if let Some(Some(HotField::Str(slot))) = query.string_group().map(hot_field) {
            return self.string_statistics(query, &plan, slot);
        }
        query.summarize_timed(
            (0..self.findings.len())
                .filter(|&i| self.matches(&plan, i))
                .map(|i| {
                    let ms = match updated.and_then(|f| self.value(i, f)) {
                        Some(Typed::Time(ms)) => Some(ms),
                        _ => None,
                    };
                    (&self.findings[i], ms)
                }),
        )
    }

    /// Statistics grouped by a kept string: tallied by dictionary number, reading only rows.
    /// (Same answer as the generic path: the row keeps the value the grouping reads; a finding
    /// whose row has none is tallied by the finding's own string.)
    fn string_statistics(
        &self,
        query: &StatisticsQuery,
        plan: &[Check<'_>],
        slot: usize,
    ) -> FindingStatistics {
        let values = &self.dictionaries[slot].values;
        let mut tallies: Vec<(u64, Option<i64>)> = vec![(0, None); values.len()];
        let mut unkept: Vec<(&str, u64, Option<i64>)> = Vec::new();
        let updated = match hot_field("updatedAt") {
            Some(HotField::Time(t)) => t,
            _ => 0,
        };
        for i in (0..self.findings.len()).filter(|&i| self.matches(plan, i)) {
            let row = &self.rows[i];
            let ms = row.times[updated];
            match tallies.get_mut(row.strings[slot] as usize) {
                Some(t) => {
                    t.0 += 1;
                    t.1 = t.1.max(ms);
                }
                None => {
                    let f = &self.findings[i];
                    let s = if STRINGS[slot] == "accountId" {
                        f.account_id.as_str()
                    } else {
                        f.finding_type.as_str()
                    };
                    unkept.push((s, 1, ms));
                }
            }
        }
        query.summarize_string_groups(
            values
                .iter()
                .zip(tallies)
                .map(|(v, (n, ms))| (v.as_str(), n, ms))
                .chain(unkept),
        )
    }
}

//! `SortCriteria {attributeName, orderBy}` for ListFindings and GetFindings.
//!
//! - Any filterable attribute sorts (`severity`, `updatedAt`, `type`, `accountId`,
//!   `service.count`, `resource.instanceDetails.instanceId`, ...), by its kind: numbers and
//!   timestamps numerically (timestamps by instant, not by text), strings by byte order,
//!   booleans false before true.
//! - A finding without the attribute sorts after every finding with it, in both orders. A
//!   many-valued attribute sorts by its smallest value ascending and its largest descending
//!   (Elasticsearch's default, which GuardDuty's search sits on).
//! - Ties break on the finding `id`, ascending, so the order is total and pages are stable.
//! - No `sortCriteria`: `updatedAt` descending (most recently updated first; GuardDuty does not
//!   document its default). `orderBy` missing: ascending. `attributeName` missing: `updatedAt`.

use super::attributes::{Attribute, attribute};
use super::{CriteriaError, Typed, typed};
use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::cmp::Ordering;

/// `OrderBy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderBy {
    #[serde(rename = "ASC")]
    Asc,
    #[serde(rename = "DESC")]
    Desc,
}

/// `SortCriteria`, as the API sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SortCriteria {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
}

/// The attribute findings are sorted by when the request names none.
pub const DEFAULT_SORT_ATTRIBUTE: &str = "updatedAt";

/// A checked sort order.
#[derive(Debug, Clone)]
pub struct CompiledSort {
    attribute: &'static Attribute,
    order: OrderBy,
}

/// A value to sort by. Numbers (and timestamps, and booleans as 0/1) before strings, should an
/// attribute of dynamic kind hold both.
#[derive(Debug, Clone, PartialEq)]
enum KeyValue {
    Num(f64),
    Str(String),
}

impl KeyValue {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (KeyValue::Num(a), KeyValue::Num(b)) => a.total_cmp(b),
            (KeyValue::Str(a), KeyValue::Str(b)) => a.cmp(b),
            (KeyValue::Num(_), KeyValue::Str(_)) => Ordering::Less,
            (KeyValue::Str(_), KeyValue::Num(_)) => Ordering::Greater,
        }
    }
}

/// One finding's sort key, extracted once so a sort parses each timestamp once.
#[derive(Debug, Clone)]
pub(crate) struct SortKey<'a> {
    value: Option<KeyValue>,
    /// The id's first 8 bytes, big-endian: ids almost always differ there, so ties are broken
    /// without reading the id itself (a cache miss per comparison on large sorts).
    id_prefix: u64,
    /// Only dereferenced when ids tie on their prefix (reading `id` itself would be a cache miss
    /// per key).
    finding: &'a Finding,
    order: OrderBy,
}

impl PartialEq for SortKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for SortKey<'_> {}
impl PartialOrd for SortKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SortKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_value = match (&self.value, &other.value) {
            (Some(a), Some(b)) => match self.order {
                OrderBy::Asc => a.cmp(b),
                OrderBy::Desc => b.cmp(a),
            },
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_value
            .then_with(|| self.id_prefix.cmp(&other.id_prefix))
            .then_with(|| self.finding.id.cmp(&other.finding.id))
    }
}

/// Big-endian, zero-padded: orders like the bytes themselves.
pub(crate) fn id_prefix(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (b, c) in bytes.iter_mut().zip(id.bytes()) {
        *b = c;
    }
    u64::from_be_bytes(bytes)
}

fn key_value(v: Typed<'_>) -> KeyValue {
    match v {
        Typed::Num(x) => KeyValue::Num(x),
        Typed::Time(t) => KeyValue::Num(t as f64),
        Typed::Bool(b) => KeyValue::Num(if b { 1.0 } else { 0.0 }),
        Typed::Str(v) => KeyValue::Str(v.to_string()),
    }
}

impl CompiledSort {
    /// Check a request's sort criteria; `None` gives the default order.
    pub fn compile(criteria: Option<&SortCriteria>) -> Result<Self, CriteriaError> {
        let name = criteria
            .and_then(|c| c.attribute_name.as_deref())
            .unwrap_or(DEFAULT_SORT_ATTRIBUTE);
        let attribute = attribute(name)
            .ok_or_else(|| CriteriaError::UnknownSortAttribute(super::shown(name)))?;
        let order = match criteria {
            None => OrderBy::Desc,
            Some(c) => c.order_by.unwrap_or(OrderBy::Asc),
        };
        Ok(CompiledSort { attribute, order })
    }

    /// The attribute sorted by.
    pub fn attribute_name(&self) -> &'static str {
        self.attribute.name
    }

    pub fn order(&self) -> OrderBy {
        self.order
    }

    pub(crate) fn key<'a>(&self, finding: &'a Finding) -> SortKey<'a> {
        let kind = self.attribute.kind;
        let mut best: Option<KeyValue> = None;
        self.attribute.visit_finding(finding, &mut |s| {
            let Some(value) = typed(kind, s).map(key_value) else {
                return;
            };
            let better = match &best {
                None => true,
                Some(current) => match self.order {
                    OrderBy::Asc => value.cmp(current) == Ordering::Less,
                    OrderBy::Desc => value.cmp(current) == Ordering::Greater,
                },
            };
            if better {
                best = Some(value);
            }
        });
        SortKey {
            value: best,
            id_prefix: id_prefix(&finding.id),
            finding,
            order: self.order,
        }
    }

    /// The key of a finding whose string value of the sort attribute is known by its rank among
    /// all the values (same order, no string copy).
    pub(crate) fn key_ranked<'a>(
        &self,
        rank: Option<u32>,
        id_prefix: u64,
        finding: &'a Finding,
    ) -> SortKey<'a> {
        SortKey {
            value: rank.map(|r| KeyValue::Num(f64::from(r))),
            id_prefix,
            finding,
            order: self.order,
        }
    }

    /// The key of a finding whose (single) value of the sort attribute is already known.
    pub(crate) fn key_of<'a>(
        &self,
        value: Option<Typed<'_>>,
        id_prefix: u64,
        finding: &'a Finding,
    ) -> SortKey<'a> {
        SortKey {
            value: value.map(key_value),
            id_prefix,
            finding,
            order: self.order,
        }
    }

    /// Where `a` goes relative to `b`.
    pub fn compare(&self, a: &Finding, b: &Finding) -> Ordering {
        self.key(a).cmp(&self.key(b))
    }

    /// Sort findings (owned or borrowed) in this order; each finding's key is read once.
    pub fn sort<T: Borrow<Finding>>(&self, findings: &mut [T]) {
        let mut keyed: Vec<(SortKey<'_>, usize)> = findings
            .iter()
            .enumerate()
            .map(|(i, f)| (self.key(f.borrow()), i))
            .collect();
        keyed.sort();
        let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
        apply_permutation(findings, order);
    }
}

/// Reorder `items` so that position `k` holds what was at `order[k]`, by swapping along cycles.
fn apply_permutation<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut current = start;
        while order[current] != start {
            let next = order[current];
            items.swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

#[cfg(test)]
mod tests {
    use super::apply_permutation;

    #[test]
    fn permutation_is_applied() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        apply_permutation(&mut items, vec![3, 0, 4, 1, 2]);
        assert_eq!(items, vec!['d', 'a', 'e', 'b', 'c']);
        let mut one = vec![1];
        apply_permutation(&mut one, vec![0]);
        assert_eq!(one, vec![1]);
    }
}

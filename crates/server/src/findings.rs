//! The findings the API answers from: every stored finding, typed, in an indexed
//! [`FindingTable`] (dictionary-encoded hot attributes), brought up to date from the store's
//! change sequence before each findings operation, so a concurrent `warden scan` is seen at the
//! next request. A caller's view is the table narrowed by criteria on `accountId` (its own
//! account and its Enabled members) and `region` (its signature's), combined with whatever the
//! request asks, so ListFindings, GetFindingsStatistics and pagination all run on the table.
//!
//! The table holds what the store holds (the scan's output, bounded by the store's own
//! retention), not per-entity detection state.

use crate::error::ApiError;
use warden_model::criteria::{Condition, FindingCriteria, FindingTable};
use warden_store::SqliteStore;

#[derive(Default)]
pub struct FindingsView {
    pub table: FindingTable,
    seq: i64,
}

impl FindingsView {
    /// Read what changed in the store since the last refresh.
    pub fn refresh(&mut self, store: &SqliteStore) -> Result<(), ApiError> {
        let table = &mut self.table;
        self.seq = store.for_each_changed_since(self.seq, |f| {
            table.upsert(f);
        })?;
        Ok(())
    }
}

/// Narrow `user` criteria to these accounts and this region (AND with whatever the request
/// already says about them).
pub fn scoped(user: Option<FindingCriteria>, accounts: &[String], region: &str) -> FindingCriteria {
    let mut c = user.unwrap_or_default();
    restrict(c.criterion.entry("accountId".into()).or_default(), accounts);
    restrict(
        c.criterion.entry("region".into()).or_default(),
        &[region.to_string()],
    );
    c
}

/// Add "one of `allowed`" to a condition: operators in one condition are ANDed, so the new
/// `equals` narrows what is there; an existing `equals` is intersected instead.
fn restrict(cond: &mut Condition, allowed: &[String]) {
    match &mut cond.equals {
        Some(v) => v.retain(|x| allowed.contains(x)),
        None => cond.equals = Some(allowed.to_vec()),
    }
    if cond.equals.as_ref().is_some_and(|v| v.is_empty()) {
        // Nothing visible can match: a value no account or region has.
        cond.equals = Some(vec!["\u{0}none".into()]);
    }
}

use crate::{Commit, FindingStore, MAX_EVENT_IDS_PER_FINDING, Query, StoreError};
use std::collections::{BTreeSet, HashMap, HashSet};
use warden_model::Finding;

/// Event ids remembered for one finding, with their (event time, id) order for evicting the oldest.
type EventMemory = (HashSet<String>, BTreeSet<(i64, String)>);

/// Findings in memory: for scans without a data directory.
#[derive(Default)]
pub struct MemoryStore {
    findings: HashMap<String, Finding>,
    /// Per finding: event ids and their (time, id) order for evicting the oldest.
    events: HashMap<String, EventMemory>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl FindingStore for MemoryStore {
    fn get(&self, id: &str) -> Result<Option<Finding>, StoreError> {
        Ok(self.findings.get(id).cloned())
    }
    fn has_event(&self, finding_id: &str, event_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .events
            .get(finding_id)
            .is_some_and(|(s, _)| s.contains(event_id)))
    }
    fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError> {
        for f in commit.findings {
            self.findings.insert(f.id.clone(), f.clone());
        }
        for (fid, eid, t) in commit.events {
            let (set, order) = self.events.entry(fid.to_string()).or_default();
            if set.insert(eid.to_string()) {
                order.insert((t, eid.to_string()));
            }
            while set.len() > MAX_EVENT_IDS_PER_FINDING {
                let Some(oldest) = order.pop_first() else {
                    break;
                };
                set.remove(&oldest.1);
            }
        }
        Ok(())
    }
    fn list(&self, q: &Query) -> Result<Vec<Finding>, StoreError> {
        let mut v: Vec<Finding> = match &q.ids {
            Some(ids) => ids
                .iter()
                .filter_map(|i| self.findings.get(i).cloned())
                .collect(),
            None => self.findings.values().cloned().collect(),
        };
        v.retain(|f| {
            (q.include_archived || !f.service.archived)
                && q.min_severity.is_none_or(|m| f.severity >= m)
        });
        crate::sort_findings(&mut v);
        if let Some(l) = q.limit {
            v.truncate(l);
        }
        Ok(v)
    }
    fn event_count(&self, finding_id: &str) -> Result<usize, StoreError> {
        Ok(self.events.get(finding_id).map_or(0, |(s, _)| s.len()))
    }
}

//! Warden's findings store, behind one trait: an in-memory store for one-shot scans and an
//! embedded SQLite store (one data directory, nothing to install) for everything that persists.
//! PostgreSQL joins behind the same trait for scale-out.

mod memory;
mod sqlite;

pub use memory::MemoryStore;
pub use sqlite::SqliteStore;
use warden_model::Finding;

/// At most this many event ids are remembered per finding (the newest by event time), so
/// re-reading logs never double-counts while memory and disk stay bounded.
pub const MAX_EVENT_IDS_PER_FINDING: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("store: finding {id} has a corrupt body: {source}")]
    Corrupt {
        id: String,
        source: serde_json::Error,
    },
    #[error("store: cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
}

/// One atomic write: findings created or updated, and the event ids newly counted for them.
#[derive(Debug, Default)]
pub struct Commit<'a> {
    pub findings: Vec<&'a Finding>,
    /// (finding id, event id, event time in epoch ms).
    pub events: Vec<(&'a str, &'a str, i64)>,
}

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub ids: Option<Vec<String>>,
    pub min_severity: Option<f64>,
    pub include_archived: bool,
    pub limit: Option<usize>,
}

pub trait FindingStore: Send {
    fn get(&self, id: &str) -> Result<Option<Finding>, StoreError>;
    /// Whether `event_id` was already counted for the finding.
    fn has_event(&self, finding_id: &str, event_id: &str) -> Result<bool, StoreError>;
    /// Write findings and counted events atomically.
    fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError>;
    /// Findings by descending severity, then most recently updated.
    fn list(&self, query: &Query) -> Result<Vec<Finding>, StoreError>;
    /// How many event ids are remembered for a finding (for tests of the bound).
    fn event_count(&self, finding_id: &str) -> Result<usize, StoreError>;
}

#[cfg(test)]
mod tests;

/// The one order findings are listed in: most severe first, then most recently seen, then id.
pub fn sort_findings(v: &mut [Finding]) {
    v.sort_by(|a, b| {
        b.severity
            .total_cmp(&a.severity)
            .then_with(|| b.service.event_last_seen.cmp(&a.service.event_last_seen))
            .then_with(|| a.id.cmp(&b.id))
    });
}

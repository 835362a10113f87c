//! Warden's findings store, behind one trait: an in-memory store for one-shot scans and an
//! embedded SQLite store (one data directory, nothing to install) for everything that persists.
//! PostgreSQL joins behind the same trait for scale-out.

mod memory;
pub mod policy;
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
    /// Keep the stored `service.archived` and `service.userFeedback` of findings that already
    /// exist: set by detection, so a long scan never undoes an analyst's archive or feedback
    /// made meanwhile through the API.
    pub preserve_triage: bool,
}

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub ids: Option<Vec<String>>,
    pub min_severity: Option<f64>,
    pub include_archived: bool,
    pub limit: Option<usize>,
}

/// An API object kept for `warden serve` (detector, filter, IP set, member, ...): its kind, the
/// account and region that own it, its id, and its body in the API's wire shape.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObject {
    pub kind: String,
    pub account_id: String,
    pub region: String,
    pub id: String,
    pub body: serde_json::Value,
}

/// An API access key. `Debug` never prints the secret.
#[derive(Clone)]
pub struct AccessKeyRecord {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account_id: String,
    pub created_at: String,
    /// `member` (the default), or `administrator`: the key is the organization's management
    /// principal, the only one allowed to designate the delegated GuardDuty administrator.
    pub role: String,
}

impl std::fmt::Debug for AccessKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyRecord")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("account_id", &self.account_id)
            .field("role", &self.role)
            .finish()
    }
}

/// Events and bytes processed, per account, region, data source, resource and UTC day.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRow {
    pub account_id: String,
    pub region: String,
    pub data_source: String,
    pub resource: String,
    /// `YYYY-MM-DD` (UTC, event time).
    pub day: String,
    pub events: i64,
    pub bytes: i64,
}

/// Object kinds the finding policy is built from: detectors (a disabled detector or feature
/// stores nothing new), filters (ARCHIVE filters are suppression rules), and memberships (an
/// administrator's rules apply to its members' findings).
pub const POLICY_KINDS: &[&str] = &["detector", "filter", "member"];

/// What happens to a finding as it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Keep,
    /// Stored archived (a suppression rule matched).
    Archive,
    /// Not stored: its detector, or the feature it comes from, is disabled.
    Drop,
}

/// Rules the store applies to findings as they are created (never to later updates).
pub trait FindingPolicy: Send {
    /// Rebuild the rules from the current objects of [`POLICY_KINDS`].
    fn reload(&mut self, objects: &[StoredObject]);
    fn decide(&self, finding: &Finding) -> Disposition;
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
    /// Add processed-event counters (for the API's usage statistics). Stores that do not
    /// persist usage ignore them.
    fn record_usage(&mut self, rows: &[UsageRow]) -> Result<(), StoreError> {
        let _ = rows;
        Ok(())
    }
}

#[cfg(test)]
mod api_tests;
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

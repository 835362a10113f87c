//! Usage counters: how many events (and bytes) a scan processed per account, region, data
//! source and resource, for the API's GetUsageStatistics. Counted per record; each input's bytes
//! are shared among its keys in proportion to their events when the input ends (records inside
//! one input are of similar size, and this keeps the per-record cost to one hash lookup).
//!
//! Bounded: at most `capacity` distinct keys per scan; records of further keys are counted under
//! the resource `(other)` of their account, region and source, so totals stay exact.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use warden_store::UsageRow;

/// GuardDuty's usage data-source names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataSource {
    CloudTrail,
    S3Logs,
    FlowLogs,
    DnsLogs,
}

impl DataSource {
    pub fn name(self) -> &'static str {
        match self {
            DataSource::CloudTrail => "CLOUD_TRAIL",
            DataSource::S3Logs => "S3_LOGS",
            DataSource::FlowLogs => "FLOW_LOGS",
            DataSource::DnsLogs => "DNS_LOGS",
        }
    }
}

struct Entry {
    account: String,
    region: String,
    source: DataSource,
    resource: String,
    events: i64,
    bytes: i64,
    /// Events in the current input (bytes not yet assigned).
    pending: i64,
}

/// Keys are already foldhash digests: hashing them again with SipHash cost more than the rest of
/// the per-record work, so the map just spreads the digest with foldhash.
type Entries = HashMap<u64, Entry, foldhash::fast::FixedState>;

pub struct UsageCounter {
    capacity: usize,
    hasher: foldhash::fast::FixedState,
    entries: Entries,
}

impl UsageCounter {
    pub fn new(capacity: usize) -> Self {
        UsageCounter {
            capacity,
            hasher: foldhash::fast::FixedState::with_seed(0x5eed_05a6e),
            entries: Entries::default(),
        }
    }

    fn key(&self, account: &str, region: &str, source: DataSource, resource: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(account.as_bytes());
        h.write_u8(0);
        h.write(region.as_bytes());
        h.write_u8(source as u8);
        h.write(resource.as_bytes());
        h.finish()
    }

    /// Count one record.
    pub fn add(&mut self, account: &str, region: &str, source: DataSource, resource: &str) {
        let mut resource = resource;
        let mut k = self.key(account, region, source, resource);
        // The common case (a key already counted) with one probe and no allocation.
        if let Some(e) = self.entries.get_mut(&k) {
            e.events += 1;
            e.pending += 1;
            return;
        }
        if self.entries.len() >= self.capacity {
            resource = "(other)";
            k = self.key(account, region, source, resource);
        }
        let e = self.entries.entry(k).or_insert_with(|| Entry {
            account: account.to_string(),
            region: region.to_string(),
            source,
            resource: resource.to_string(),
            events: 0,
            bytes: 0,
            pending: 0,
        });
        e.events += 1;
        e.pending += 1;
    }

    /// The current input ended after `bytes` bytes: share them among its records' keys.
    pub fn end_input(&mut self, bytes: u64) {
        let total: i64 = self.entries.values().map(|e| e.pending).sum();
        if total == 0 {
            return;
        }
        let mut left = bytes as i64;
        let mut pending: Vec<&mut Entry> = self
            .entries
            .values_mut()
            .filter(|e| e.pending > 0)
            .collect();
        let n = pending.len();
        for (i, e) in pending.iter_mut().enumerate() {
            let share = if i + 1 == n {
                left
            } else {
                ((bytes as i128 * e.pending as i128) / total as i128) as i64
            };
            e.bytes += share;
            left -= share;
            e.pending = 0;
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The counters as rows for `day`, emptying the counter.
    pub fn take(&mut self, day: &str) -> Vec<UsageRow> {
        self.entries
            .drain()
            .map(|(_, e)| UsageRow {
                account_id: e.account,
                region: e.region,
                data_source: e.source.name().to_string(),
                resource: e.resource,
                day: day.to_string(),
                events: e.events,
                bytes: e.bytes,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_shared_by_events_and_totals_are_exact() {
        let mut u = UsageCounter::new(10);
        for _ in 0..3 {
            u.add("111122223333", "us-east-1", DataSource::FlowLogs, "eni-1");
        }
        u.add("111122223333", "us-east-1", DataSource::FlowLogs, "eni-2");
        u.end_input(400);
        let mut rows = u.take("2026-11-22");
        rows.sort_by(|a, b| a.resource.cmp(&b.resource));
        assert_eq!((rows[0].events, rows[0].bytes), (3, 300));
        assert_eq!((rows[1].events, rows[1].bytes), (1, 100));
    }

    #[test]
    fn keys_beyond_capacity_fold_into_other_and_nothing_is_lost() {
        let mut u = UsageCounter::new(100);
        for i in 0..1_000_000u32 {
            u.add(
                "111122223333",
                "us-east-1",
                DataSource::DnsLogs,
                &format!("i-{i}"),
            );
        }
        assert!(u.len() <= 101, "{}", u.len());
        u.end_input(1_000_000);
        let rows = u.take("d");
        assert_eq!(rows.iter().map(|r| r.events).sum::<i64>(), 1_000_000);
        assert_eq!(rows.iter().map(|r| r.bytes).sum::<i64>(), 1_000_000);
        assert!(
            rows.iter()
                .any(|r| r.resource == "(other)" && r.events == 1_000_000 - 100)
        );
    }
}

use crate::{
    AccessKeyRecord, Commit, Disposition, FindingPolicy, FindingStore, MAX_EVENT_IDS_PER_FINDING,
    Query, StoreError, StoredObject, UsageRow,
};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::time::Duration;
use warden_model::Finding;

/// The embedded store: one SQLite database in the data directory, in WAL mode so a `warden scan`
/// and a `warden serve` can share the directory (one writer at a time, readers never blocked).
pub struct SqliteStore {
    conn: Connection,
    suppression: Option<Box<dyn FindingPolicy>>,
    /// The `objects_version` the suppression rules were loaded at.
    suppression_version: Option<i64>,
}

pub(crate) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS findings (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    detector_id TEXT NOT NULL,
    type TEXT NOT NULL,
    severity REAL NOT NULL,
    archived INTEGER NOT NULL,
    event_last_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_by_severity ON findings (severity DESC, event_last_seen DESC);
CREATE INDEX IF NOT EXISTS findings_by_detector ON findings (detector_id, type);
CREATE TABLE IF NOT EXISTS finding_events (
    finding_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    PRIMARY KEY (finding_id, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS finding_events_by_time ON finding_events (finding_id, event_time);
"#;

/// Version 2: a change sequence on findings (so `warden serve` sees what a concurrent
/// `warden scan` adds without re-reading everything), API objects, access keys and usage.
pub(crate) const SCHEMA_V2: &str = r#"
ALTER TABLE findings ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX findings_by_seq ON findings (seq);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('seq', 0), ('objects_version', 0);
CREATE TABLE objects (
    kind TEXT NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, account_id, region, id)
) WITHOUT ROWID;
CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE usage (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    data_source TEXT NOT NULL,
    resource TEXT NOT NULL,
    day TEXT NOT NULL,
    events INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (account_id, region, data_source, resource, day)
) WITHOUT ROWID;
PRAGMA user_version = 2;
"#;

/// Version 3: an access key's role (`member`, or `administrator` for the organization's
/// management principal).
const SCHEMA_V3: &str = r#"
ALTER TABLE access_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
PRAGMA user_version = 3;
"#;

impl SqliteStore {
    /// Open (creating if needed) the store in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let mut conn = Connection::open(data_dir.join("warden.db"))?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version < 2 {
            tx.execute_batch(SCHEMA_V2)?;
        }
        if version < 3 {
            tx.execute_batch(SCHEMA_V3)?;
        }
        tx.commit()?;
        Ok(SqliteStore {
            conn,
            suppression: Some(Box::new(crate::policy::FilterPolicy::default())),
            suppression_version: None,
        })
    }

    /// Apply the policy built from the API objects (suppression filters, disabled detectors) to
    /// new findings as they are created. The rules are reloaded whenever any process changes
    /// the objects.
    pub fn set_policy(&mut self, s: Box<dyn FindingPolicy>) {
        self.suppression = Some(s);
        self.suppression_version = None;
    }

    /// The current change sequence: every commit that writes findings increments it.
    pub fn seq(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'seq'", [], |r| r.get(0))?)
    }

    /// Findings written after change `seq`, with the sequence they bring the reader up to.
    pub fn changed_since(&self, seq: i64) -> Result<(i64, Vec<Finding>), StoreError> {
        let mut out = Vec::new();
        let now = self.for_each_changed_since(seq, |f| out.push(f))?;
        Ok((now, out))
    }

    /// [`Self::changed_since`] one finding at a time, for readers that fold the changes into
    /// their own structure: after a large scan the changes are never all decoded at once on
    /// top of the reader's copy (at 100k findings that doubled the server's peak memory).
    pub fn for_each_changed_since(
        &self,
        seq: i64,
        mut each: impl FnMut(Finding),
    ) -> Result<i64, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let now: i64 =
            tx.query_row("SELECT value FROM meta WHERE key = 'seq'", [], |r| r.get(0))?;
        if now > seq {
            let mut stmt = tx.prepare_cached("SELECT id, body FROM findings WHERE seq > ?1")?;
            let mut rows = stmt.query([seq])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let body: String = row.get(1)?;
                each(Self::decode(&id, &body)?);
            }
        }
        drop(tx);
        Ok(now)
    }

    /// Write or replace an API object (detector, filter, IP set, member, ...).
    pub fn put_object(&mut self, o: &StoredObject) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO objects (kind, account_id, region, id, body) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(kind, account_id, region, id) DO UPDATE SET body = excluded.body",
            params![o.kind, o.account_id, o.region, o.id, o.body.to_string()],
        )?;
        tx.execute(
            "UPDATE meta SET value = value + 1 WHERE key = 'objects_version'",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Delete an API object; whether it existed.
    pub fn delete_object(
        &mut self,
        kind: &str,
        account_id: &str,
        region: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "DELETE FROM objects WHERE kind = ?1 AND account_id = ?2 AND region = ?3 AND id = ?4",
            params![kind, account_id, region, id],
        )?;
        tx.execute(
            "UPDATE meta SET value = value + 1 WHERE key = 'objects_version'",
            [],
        )?;
        tx.commit()?;
        Ok(n > 0)
    }

    pub fn get_object(
        &self,
        kind: &str,
        account_id: &str,
        region: &str,
        id: &str,
    ) -> Result<Option<StoredObject>, StoreError> {
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM objects WHERE kind = ?1 AND account_id = ?2 AND region = ?3 AND id = ?4",
                params![kind, account_id, region, id],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| object(kind, account_id, region, id, &b))
            .transpose()
    }

    /// Objects of a kind, optionally of one account and region, ordered by id.
    pub fn list_objects(
        &self,
        kind: &str,
        account_id: Option<&str>,
        region: Option<&str>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account_id, region, id, body FROM objects WHERE kind = ?1
               AND (?2 IS NULL OR account_id = ?2) AND (?3 IS NULL OR region = ?3)
             ORDER BY account_id, region, id",
        )?;
        let rows = stmt.query_map(params![kind, account_id, region], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (a, rg, id, body) = row?;
            out.push(object(kind, &a, &rg, &id, &body)?);
        }
        Ok(out)
    }

    /// Store an access key (replacing one with the same id).
    pub fn put_access_key(&mut self, k: &AccessKeyRecord) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, created_at, role) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key,
               account_id = excluded.account_id, created_at = excluded.created_at, role = excluded.role",
            params![k.access_key_id, k.secret_access_key, k.account_id, k.created_at, k.role],
        )?;
        Ok(())
    }

    pub fn access_key(&self, access_key_id: &str) -> Result<Option<AccessKeyRecord>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT access_key_id, secret_access_key, account_id, created_at, role FROM access_keys WHERE access_key_id = ?1",
                [access_key_id],
                |r| {
                    Ok(AccessKeyRecord {
                        access_key_id: r.get(0)?,
                        secret_access_key: r.get(1)?,
                        account_id: r.get(2)?,
                        created_at: r.get(3)?,
                        role: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Add processed-event counters (summed with what is stored).
    pub fn add_usage(&mut self, rows: &[UsageRow]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO usage (account_id, region, data_source, resource, day, events, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(account_id, region, data_source, resource, day)
                 DO UPDATE SET events = events + excluded.events, bytes = bytes + excluded.bytes",
            )?;
            for u in rows {
                put.execute(params![
                    u.account_id,
                    u.region,
                    u.data_source,
                    u.resource,
                    u.day,
                    u.events,
                    u.bytes
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Usage rows of the given accounts and region with `from <= day <= to` (ISO dates).
    pub fn usage(
        &self,
        accounts: &[String],
        region: &str,
        from_day: &str,
        to_day: &str,
    ) -> Result<Vec<UsageRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account_id, region, data_source, resource, day, events, bytes FROM usage
             WHERE account_id = ?1 AND region = ?2 AND day >= ?3 AND day <= ?4",
        )?;
        let mut out = Vec::new();
        for a in accounts {
            let rows = stmt.query_map(params![a, region, from_day, to_day], |r| {
                Ok(UsageRow {
                    account_id: r.get(0)?,
                    region: r.get(1)?,
                    data_source: r.get(2)?,
                    resource: r.get(3)?,
                    day: r.get(4)?,
                    events: r.get(5)?,
                    bytes: r.get(6)?,
                })
            })?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }

    fn decode(id: &str, body: &str) -> Result<Finding, StoreError> {
        serde_json::from_str(body).map_err(|source| StoreError::Corrupt {
            id: id.to_string(),
            source,
        })
    }
}

fn objects_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT value FROM meta WHERE key = 'objects_version'",
        [],
        |r| r.get(0),
    )?)
}

fn load_objects(conn: &Connection, kinds: &[&str]) -> Result<Vec<StoredObject>, StoreError> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT account_id, region, id, body FROM objects WHERE kind = ?1 ORDER BY account_id, region, id",
    )?;
    for kind in kinds {
        let rows = stmt.query_map([kind], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (a, rg, id, body) = row?;
            out.push(object(kind, &a, &rg, &id, &body)?);
        }
    }
    Ok(out)
}

fn object(
    kind: &str,
    account_id: &str,
    region: &str,
    id: &str,
    body: &str,
) -> Result<StoredObject, StoreError> {
    Ok(StoredObject {
        kind: kind.to_string(),
        account_id: account_id.to_string(),
        region: region.to_string(),
        id: id.to_string(),
        body: serde_json::from_str(body).map_err(|source| StoreError::Corrupt {
            id: format!("{kind}/{account_id}/{region}/{id}"),
            source,
        })?,
    })
}

impl FindingStore for SqliteStore {
    fn get(&self, id: &str) -> Result<Option<Finding>, StoreError> {
        let body: Option<String> = self
            .conn
            .query_row("SELECT body FROM findings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        body.map(|b| Self::decode(id, &b)).transpose()
    }

    fn has_event(&self, finding_id: &str, event_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM finding_events WHERE finding_id = ?1 AND event_id = ?2",
                [finding_id, event_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn commit(&mut self, commit: Commit<'_>) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let seq: i64 = if commit.findings.is_empty() {
                0
            } else {
                tx.query_row(
                    "UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value",
                    [],
                    |r| r.get(0),
                )?
            };
            if !commit.findings.is_empty() && self.suppression.is_some() {
                let version = objects_version(&tx)?;
                if self.suppression_version != Some(version) {
                    let objects = load_objects(&tx, crate::POLICY_KINDS)?;
                    if let Some(s) = self.suppression.as_mut() {
                        s.reload(&objects);
                    }
                    self.suppression_version = Some(version);
                }
            }
            let mut exists = tx.prepare_cached("SELECT 1 FROM findings WHERE id = ?1")?;
            let mut triage = tx.prepare_cached("SELECT body FROM findings WHERE id = ?1")?;
            let mut dropped: Vec<&str> = Vec::new();
            let mut put = tx.prepare_cached(
                "INSERT INTO findings (id, account_id, region, detector_id, type, severity, archived, event_last_seen, updated_at, body, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, archived = excluded.archived,
                   event_last_seen = excluded.event_last_seen, updated_at = excluded.updated_at, body = excluded.body,
                   seq = excluded.seq",
            )?;
            for f in &commit.findings {
                // Suppression rules archive a finding as it is created, never a later update
                // (an analyst may have unarchived it).
                let mut suppressed = None;
                if let Some(s) = self.suppression.as_ref()
                    && exists.query_row([&f.id], |_| Ok(())).optional()?.is_none()
                {
                    match s.decide(f) {
                        Disposition::Keep => {}
                        Disposition::Drop => {
                            dropped.push(f.id.as_str());
                            continue;
                        }
                        Disposition::Archive => {
                            let mut g = (*f).clone();
                            g.service.archived = true;
                            suppressed = Some(g);
                        }
                    }
                }
                let mut triaged = None;
                if commit.preserve_triage && suppressed.is_none() {
                    let stored: Option<String> =
                        triage.query_row([&f.id], |r| r.get(0)).optional()?;
                    if let Some(body) = stored {
                        let old = Self::decode(&f.id, &body)?;
                        if old.service.archived != f.service.archived
                            || old.service.user_feedback != f.service.user_feedback
                        {
                            let mut g = (*f).clone();
                            g.service.archived = old.service.archived;
                            g.service.user_feedback = old.service.user_feedback;
                            triaged = Some(g);
                        }
                    }
                }
                let f: &Finding = suppressed.as_ref().or(triaged.as_ref()).unwrap_or(f);
                let body = serde_json::to_string(f).expect("findings always serialize");
                put.execute(params![
                    f.id,
                    f.account_id,
                    f.region,
                    f.service.detector_id,
                    f.finding_type,
                    f.severity,
                    f.service.archived,
                    f.service.event_last_seen,
                    f.updated_at,
                    body,
                    seq
                ])?;
            }
            let mut ev = tx.prepare_cached(
                "INSERT OR IGNORE INTO finding_events (finding_id, event_id, event_time) VALUES (?1, ?2, ?3)",
            )?;
            let mut touched: Vec<&str> = Vec::new();
            for (fid, eid, t) in &commit.events {
                if dropped.contains(fid) {
                    continue;
                }
                ev.execute(params![fid, eid, t])?;
                touched.push(fid);
            }
            touched.sort_unstable();
            touched.dedup();
            let mut count =
                tx.prepare_cached("SELECT count(*) FROM finding_events WHERE finding_id = ?1")?;
            let mut trim = tx.prepare_cached(
                "DELETE FROM finding_events WHERE finding_id = ?1 AND event_id IN (
                   SELECT event_id FROM finding_events WHERE finding_id = ?1 ORDER BY event_time ASC, event_id ASC LIMIT ?2)",
            )?;
            for fid in touched {
                let n: i64 = count.query_row([fid], |r| r.get(0))?;
                let excess = n - MAX_EVENT_IDS_PER_FINDING as i64;
                if excess > 0 {
                    trim.execute(params![fid, excess])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn list(&self, q: &Query) -> Result<Vec<Finding>, StoreError> {
        let mut out = Vec::new();
        if let Some(ids) = &q.ids {
            for id in ids {
                if let Some(f) = self.get(id)? {
                    out.push(f);
                }
            }
            out.retain(|f| {
                (q.include_archived || !f.service.archived)
                    && q.min_severity.is_none_or(|m| f.severity >= m)
            });
        } else {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, body FROM findings WHERE (?1 OR archived = 0) AND severity >= ?2
                 ORDER BY severity DESC, event_last_seen DESC, id ASC LIMIT ?3",
            )?;
            let rows = stmt.query_map(
                params![
                    q.include_archived,
                    q.min_severity.unwrap_or(f64::MIN),
                    q.limit.map_or(i64::MAX, |l| l as i64)
                ],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )?;
            for row in rows {
                let (id, body) = row?;
                out.push(Self::decode(&id, &body)?);
            }
        }
        crate::sort_findings(&mut out);
        if let Some(l) = q.limit {
            out.truncate(l);
        }
        Ok(out)
    }

    fn record_usage(&mut self, rows: &[UsageRow]) -> Result<(), StoreError> {
        self.add_usage(rows)
    }

    fn event_count(&self, finding_id: &str) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM finding_events WHERE finding_id = ?1",
            [finding_id],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }
}

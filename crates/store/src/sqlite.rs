use crate::{Commit, FindingStore, MAX_EVENT_IDS_PER_FINDING, Query, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::time::Duration;
use warden_model::Finding;

/// The embedded store: one SQLite database in the data directory, in WAL mode so a `warden scan`
/// and a `warden serve` can share the directory (one writer at a time, readers never blocked).
pub struct SqliteStore {
    conn: Connection,
}

const SCHEMA: &str = r#"
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
PRAGMA user_version = 1;
"#;

impl SqliteStore {
    /// Open (creating if needed) the store in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let conn = Connection::open(data_dir.join("warden.db"))?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore { conn })
    }

    fn decode(id: &str, body: &str) -> Result<Finding, StoreError> {
        serde_json::from_str(body).map_err(|source| StoreError::Corrupt {
            id: id.to_string(),
            source,
        })
    }
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
            let mut put = tx.prepare_cached(
                "INSERT INTO findings (id, account_id, region, detector_id, type, severity, archived, event_last_seen, updated_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, archived = excluded.archived,
                   event_last_seen = excluded.event_last_seen, updated_at = excluded.updated_at, body = excluded.body",
            )?;
            for f in &commit.findings {
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
                    body
                ])?;
            }
            let mut ev = tx.prepare_cached(
                "INSERT OR IGNORE INTO finding_events (finding_id, event_id, event_time) VALUES (?1, ?2, ?3)",
            )?;
            let mut touched: Vec<&str> = Vec::new();
            for (fid, eid, t) in &commit.events {
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

    fn event_count(&self, finding_id: &str) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM finding_events WHERE finding_id = ?1",
            [finding_id],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }
}

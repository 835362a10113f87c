//! Access keys: the key id, secret and account of each caller. Keys live in the data directory
//! (created by `warden keys create` or `warden keys import`) and may also come from the
//! configuration file. Secrets are never logged: `Debug` redacts them.

use crate::auth::AccessKey;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use warden_store::{AccessKeyRecord, SqliteStore, StoreError};

/// Keys looked up in the store (so `warden keys create` takes effect on a running server
/// without a restart) after the configured ones.
pub struct StoreKeys {
    configured: HashMap<String, AccessKey>,
    store: Mutex<SqliteStore>,
}

impl StoreKeys {
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        Ok(StoreKeys {
            configured: HashMap::new(),
            store: Mutex::new(SqliteStore::open(data_dir)?),
        })
    }

    pub fn with_configured(mut self, keys: Vec<AccessKey>) -> Self {
        for k in keys {
            self.configured.insert(k.access_key_id.clone(), k);
        }
        self
    }

    pub fn get(&self, access_key_id: &str) -> Option<AccessKey> {
        if let Some(k) = self.configured.get(access_key_id) {
            return Some(k.clone());
        }
        let store = self.store.lock().ok()?;
        match store.access_key(access_key_id) {
            Ok(Some(r)) => Some(AccessKey {
                access_key_id: r.access_key_id,
                secret_access_key: r.secret_access_key,
                account_id: r.account_id,
                session_token: None,
                role: crate::auth::KeyRole::parse(&r.role),
            }),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "access key lookup failed");
                None
            }
        }
    }
}

/// A new key pair in AWS's shapes: a 20-character id starting `AKIA` and a 40-character secret.
pub fn generate(account_id: &str, now_iso: &str, role: crate::auth::KeyRole) -> AccessKeyRecord {
    const ID: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const SECRET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let pick = |alphabet: &[u8], n: usize| -> String {
        (0..n)
            .map(|_| alphabet[rand::random_range(0..alphabet.len())] as char)
            .collect()
    };
    AccessKeyRecord {
        access_key_id: format!("AKIA{}", pick(ID, 16)),
        secret_access_key: pick(SECRET, 40),
        account_id: account_id.to_string(),
        created_at: now_iso.to_string(),
        role: role.as_str().to_string(),
    }
}

/// Check what `warden keys import` is given.
pub fn validate(access_key_id: &str, secret: &str, account_id: &str) -> Result<(), String> {
    if access_key_id.len() < 16
        || access_key_id.len() > 128
        || !access_key_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err("the access key id must be 16 to 128 letters and digits".into());
    }
    if secret.len() < 16 {
        return Err("the secret access key must be at least 16 characters".into());
    }
    if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the account id must be 12 digits".into());
    }
    Ok(())
}

//! The API's state and the operations over it. One `Service` owns the store connection and an
//! in-memory view of the findings, kept current from the store's change sequence, so findings a
//! concurrent `warden scan` adds appear at the next request.

use crate::error::ApiError;
use crate::findings::FindingsView;
use serde_json::{Map, Value, json};
use warden_model::time::format_timestamp;
use warden_store::{SqliteStore, StoredObject};

/// Who is calling, after authentication.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: String,
    pub region: String,
    /// The signing key's role (organization management operations need `Administrator`).
    pub role: crate::auth::KeyRole,
}

/// One request as the operations see it: the caller, the validated input (wire names), the
/// time.
pub struct Ctx<'a> {
    pub caller: &'a Caller,
    pub input: &'a Map<String, Value>,
    pub now_ms: i64,
}

impl Ctx<'_> {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.input.get(key).and_then(Value::as_str)
    }
    pub fn required_str(&self, key: &str) -> Result<&str, ApiError> {
        self.str(key)
            .ok_or_else(|| ApiError::bad_request(format!("{key} is required")))
    }
    pub fn bool(&self, key: &str) -> Option<bool> {
        self.input.get(key).and_then(Value::as_bool)
    }
    pub fn i64(&self, key: &str) -> Option<i64> {
        self.input.get(key).and_then(Value::as_i64)
    }
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.input
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn now_iso(&self) -> String {
        format_timestamp(self.now_ms)
    }
    pub fn now_secs(&self) -> f64 {
        (self.now_ms / 1000) as f64
    }
    pub fn caller_arn_prefix(&self) -> String {
        format!(
            "arn:aws:guardduty:{}:{}",
            self.caller.region, self.caller.account_id
        )
    }
}

pub struct Service {
    pub store: SqliteStore,
    pub findings: FindingsView,
}

/// Object kinds kept in the store.
pub mod kind {
    pub const DETECTOR: &str = "detector";
    pub const FILTER: &str = "filter";
    pub const MEMBER: &str = "member";
    pub const INVITATION: &str = "invitation";
    pub const TAGS: &str = "tags";
    pub const PUBLISHING: &str = "publishing";
    pub const ORG_ADMIN: &str = "org-admin";
    pub const ORG_CONFIG: &str = "org-config";
    pub const CLIENT_TOKEN: &str = "client-token";
}

/// Page through a sorted list with GuardDuty-style `maxResults`/`nextToken` (an opaque offset).
pub fn paginate<T>(
    items: Vec<T>,
    max_results: Option<i64>,
    next_token: Option<&str>,
    default_max: usize,
) -> Result<(Vec<T>, String), ApiError> {
    let start = match next_token {
        None | Some("") => 0,
        Some(t) => decode_token(t)?,
    };
    let max = max_results.map_or(default_max, |m| m.max(1) as usize);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(max).collect();
    let end = start + page.len();
    let next = if end < total {
        encode_token(end)
    } else {
        String::new()
    };
    Ok((page, next))
}

/// The offset a `nextToken` stands for (0 for none).
pub fn page_offset(token: Option<&str>) -> Result<usize, ApiError> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => decode_token(t),
    }
}

/// The `nextToken` for a page starting at `offset`.
pub fn page_token(offset: usize) -> String {
    encode_token(offset)
}

fn encode_token(offset: usize) -> String {
    format!("w1.{offset:x}")
}

fn decode_token(t: &str) -> Result<usize, ApiError> {
    t.strip_prefix("w1.")
        .and_then(|h| usize::from_str_radix(h, 16).ok())
        .ok_or_else(|| ApiError::bad_request(format!("the nextToken {t:?} is not valid")))
}

/// A new random id of 32 lower-case hex characters (GuardDuty's id shape).
pub fn new_id() -> String {
    let b: [u8; 16] = rand::random();
    hex::encode(b)
}

impl Service {
    pub fn new(store: SqliteStore) -> Self {
        Service {
            store,
            findings: FindingsView::default(),
        }
    }

    /// The caller's detector with this id, or the error GuardDuty gives for a detector the
    /// caller does not own.
    pub fn detector(&self, ctx: &Ctx<'_>) -> Result<StoredObject, ApiError> {
        let id = ctx.required_str("DetectorId")?;
        self.store
            .get_object(kind::DETECTOR, &ctx.caller.account_id, &ctx.caller.region, id)?
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "The request is rejected because the input detectorId {id} is not owned by the current account."
                ))
            })
    }

    /// Accounts whose findings the caller sees: its own, plus its members whose relationship
    /// is Enabled when it is an administrator.
    pub fn visible_accounts(&self, caller: &Caller) -> Result<Vec<String>, ApiError> {
        let mut out = vec![caller.account_id.clone()];
        for m in
            self.store
                .list_objects(kind::MEMBER, Some(&caller.account_id), Some(&caller.region))?
        {
            if m.body.get("relationshipStatus").and_then(Value::as_str) == Some("Enabled") {
                out.push(m.id.clone());
            }
        }
        Ok(out)
    }

    /// Remember a create call's client token so a retried request returns the first answer
    /// instead of creating a second object.
    pub fn replay(&self, ctx: &Ctx<'_>, op: &str) -> Result<Option<Value>, ApiError> {
        let Some(token) = ctx.str("clientToken") else {
            return Ok(None);
        };
        Ok(self
            .store
            .get_object(
                kind::CLIENT_TOKEN,
                &ctx.caller.account_id,
                &ctx.caller.region,
                &format!("{op}:{token}"),
            )?
            .map(|o| o.body))
    }

    pub fn remember_token(
        &mut self,
        ctx: &Ctx<'_>,
        op: &str,
        answer: &Value,
    ) -> Result<(), ApiError> {
        if let Some(token) = ctx.str("clientToken") {
            self.store.put_object(&StoredObject {
                kind: kind::CLIENT_TOKEN.into(),
                account_id: ctx.caller.account_id.clone(),
                region: ctx.caller.region.clone(),
                id: format!("{op}:{token}"),
                body: answer.clone(),
            })?;
        }
        Ok(())
    }

    pub fn put(
        &mut self,
        kind: &str,
        ctx: &Ctx<'_>,
        id: &str,
        body: Value,
    ) -> Result<(), ApiError> {
        self.store.put_object(&StoredObject {
            kind: kind.into(),
            account_id: ctx.caller.account_id.clone(),
            region: ctx.caller.region.clone(),
            id: id.into(),
            body,
        })?;
        Ok(())
    }

    /// Store tags given at creation for a resource ARN.
    pub fn put_tags(&mut self, ctx: &Ctx<'_>, arn: &str) -> Result<(), ApiError> {
        if let Some(tags) = ctx.input.get("tags").and_then(Value::as_object) {
            check_tag_keys(tags)?;
            self.put(kind::TAGS, ctx, arn, Value::Object(tags.clone()))?;
        }
        Ok(())
    }

    pub fn tags_of(&self, ctx: &Ctx<'_>, arn: &str) -> Result<Value, ApiError> {
        Ok(self
            .store
            .get_object(kind::TAGS, &ctx.caller.account_id, &ctx.caller.region, arn)?
            .map(|o| o.body)
            .unwrap_or_else(|| json!({})))
    }

    /// Dispatch one operation. Operations Warden does not implement answer with a clear
    /// `BadRequestException` naming why, never a fake success.
    pub fn call(&mut self, op: &str, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
        use crate::ops::*;
        match op {
            "CreateDetector" => detectors::create(self, ctx),
            "GetDetector" => detectors::get(self, ctx),
            "UpdateDetector" => detectors::update(self, ctx),
            "DeleteDetector" => detectors::delete(self, ctx),
            "ListDetectors" => detectors::list(self, ctx),
            "ListFindings" => findings::list(self, ctx),
            "GetFindings" => findings::get(self, ctx),
            "GetFindingsStatistics" => findings::statistics(self, ctx),
            "ArchiveFindings" => findings::archive(self, ctx, true),
            "UnarchiveFindings" => findings::archive(self, ctx, false),
            "UpdateFindingsFeedback" => findings::feedback(self, ctx),
            "CreateSampleFindings" => findings::create_samples(self, ctx),
            "CreateFilter" => filters::create(self, ctx),
            "GetFilter" => filters::get(self, ctx),
            "UpdateFilter" => filters::update(self, ctx),
            "DeleteFilter" => filters::delete(self, ctx),
            "ListFilters" => filters::list(self, ctx),
            "TagResource" => tags::tag(self, ctx),
            "UntagResource" => tags::untag(self, ctx),
            "ListTagsForResource" => tags::list(self, ctx),
            other => extra::call(self, other, ctx),
        }
    }
}

pub fn check_tag_keys(tags: &Map<String, Value>) -> Result<(), ApiError> {
    for k in tags.keys() {
        if k.starts_with("aws:") {
            return Err(ApiError::bad_request(format!(
                "tag key {k:?} is reserved: keys must not start with aws:"
            )));
        }
    }
    Ok(())
}

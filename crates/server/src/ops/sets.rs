//! Trusted IP lists and threat lists: IP sets, threat intel sets, and the newer trusted /
//! threat entity sets. Activating a set fetches and parses it right away (a local path, an
//! http(s) URL or an `s3://` / `https://s3...` location), so a bad location or format shows up as
//! status ERROR with the reason, never as a silent ACTIVE. `warden scan --data-dir` loads every
//! ACTIVE set of the data directory: IP sets and trusted entity sets as trusted lists (findings
//! from those addresses are not raised), threat intel and threat entity sets as custom threat
//! lists (the `.Custom` finding types).

use crate::error::ApiError;
use crate::service::{Ctx, Service, kind, new_id, paginate};
use serde_json::{Value, json};
use warden_intel::ListKind;
use warden_intel::load::{ListSpec, fetch, parse_list};

/// One family of sets: its object kind, URI label, wire names and limits.
pub struct SetKind {
    pub kind: &'static str,
    pub label: &'static str,
    pub id_field: &'static str,
    pub list_field: &'static str,
    pub op: &'static str,
    /// GuardDuty's per-account limit.
    pub limit: usize,
    pub trusted: bool,
    /// Whether Get returns createdAt/updatedAt/errorDetails (the entity-set generation).
    pub entity: bool,
}

pub const IP_SET: SetKind = SetKind {
    kind: "ipset",
    label: "IpSetId",
    id_field: "ipSetId",
    list_field: "ipSetIds",
    op: "IPSet",
    limit: 1,
    trusted: true,
    entity: false,
};
pub const THREAT_INTEL_SET: SetKind = SetKind {
    kind: "threatintelset",
    label: "ThreatIntelSetId",
    id_field: "threatIntelSetId",
    list_field: "threatIntelSetIds",
    op: "ThreatIntelSet",
    limit: 6,
    trusted: false,
    entity: false,
};
pub const TRUSTED_ENTITY_SET: SetKind = SetKind {
    kind: "trustedentityset",
    label: "TrustedEntitySetId",
    id_field: "trustedEntitySetId",
    list_field: "trustedEntitySetIds",
    op: "TrustedEntitySet",
    limit: 1,
    trusted: true,
    entity: true,
};
pub const THREAT_ENTITY_SET: SetKind = SetKind {
    kind: "threatentityset",
    label: "ThreatEntitySetId",
    id_field: "threatEntitySetId",
    list_field: "threatEntitySetIds",
    op: "ThreatEntitySet",
    limit: 6,
    trusted: false,
    entity: true,
};

fn arn(ctx: &Ctx<'_>, k: &SetKind, detector: &str, id: &str) -> String {
    format!(
        "{}:detector/{detector}/{}/{id}",
        ctx.caller_arn_prefix(),
        k.kind
    )
}

/// Try to load the list: Ok(entries) or the reason it failed.
fn probe(k: &SetKind, name: &str, format: &str, location: &str) -> Result<usize, String> {
    let spec = ListSpec {
        name: name.to_string(),
        location: location.to_string(),
        format: Some(format.to_string()),
    };
    let bytes = fetch(location).map_err(|e| e.to_string())?;
    let kind = if k.trusted {
        ListKind::Trusted
    } else {
        ListKind::Custom
    };
    let (list, errors) = parse_list(&spec, &bytes, kind).map_err(|e| e.to_string())?;
    if list.is_empty() {
        return Err(match errors.first() {
            Some(e) => format!("no usable entries in {location}: {e}"),
            None => format!("no entries in {location}"),
        });
    }
    Ok(list.len())
}

fn activate(k: &SetKind, body: &mut Value) {
    let name = body["name"].as_str().unwrap_or("").to_string();
    let format = body["format"].as_str().unwrap_or("TXT").to_string();
    let location = body["location"].as_str().unwrap_or("").to_string();
    match probe(k, &name, &format, &location) {
        Ok(n) => {
            body["status"] = json!("ACTIVE");
            body["entries"] = json!(n);
            if let Some(o) = body.as_object_mut() {
                o.remove("errorDetails");
            }
        }
        Err(e) => {
            body["status"] = json!("ERROR");
            body["errorDetails"] = json!(e);
        }
    }
}

fn all(
    svc: &Service,
    ctx: &Ctx<'_>,
    k: &SetKind,
    detector: &str,
) -> Result<Vec<(String, Value)>, ApiError> {
    let prefix = format!("{detector}/");
    Ok(svc
        .store
        .list_objects(
            k.kind,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .filter(|o| o.id.starts_with(&prefix))
        .map(|o| (o.id[prefix.len()..].to_string(), o.body))
        .collect())
}

pub fn create(svc: &mut Service, ctx: &Ctx<'_>, k: &SetKind) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let op = format!("Create{}", k.op);
    if let Some(answer) = svc.replay(ctx, &op)? {
        return Ok(answer);
    }
    let existing = all(svc, ctx, k, &d.id)?;
    let name = ctx.required_str("name")?;
    if existing.iter().any(|(_, b)| b["name"] == name) {
        return Err(ApiError::bad_request(format!(
            "The request is rejected because a {} named {name:?} already exists.",
            k.op
        )));
    }
    if existing.len() >= k.limit {
        return Err(ApiError::bad_request(format!(
            "The request is rejected because the account already has {} {}(s), the limit.",
            k.limit, k.op
        )));
    }
    let id = new_id();
    let mut body = json!({
        "name": name,
        "format": ctx.required_str("format")?,
        "location": ctx.required_str("location")?,
        "status": "INACTIVE",
        "createdAt": ctx.now_secs(),
        "updatedAt": ctx.now_secs(),
    });
    if let Some(o) = ctx.str("expectedBucketOwner") {
        body["expectedBucketOwner"] = json!(o);
    }
    if ctx.bool("activate") == Some(true) {
        activate(k, &mut body);
    }
    svc.put(k.kind, ctx, &format!("{}/{id}", d.id), body)?;
    svc.put_tags(ctx, &arn(ctx, k, &d.id, &id))?;
    let answer = json!({ k.id_field: id });
    svc.remember_token(ctx, &op, &answer)?;
    Ok(answer)
}

fn stored(
    svc: &Service,
    ctx: &Ctx<'_>,
    k: &SetKind,
    detector: &str,
) -> Result<(String, Value), ApiError> {
    let id = ctx.required_str(k.label)?;
    let key = format!("{detector}/{id}");
    let o = svc
        .store
        .get_object(k.kind, &ctx.caller.account_id, &ctx.caller.region, &key)?
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The request is rejected because the {} {id:?} does not exist.",
                k.op
            ))
        })?;
    Ok((key, o.body))
}

pub fn get(svc: &mut Service, ctx: &Ctx<'_>, k: &SetKind) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (key, b) = stored(svc, ctx, k, &d.id)?;
    let id = &key[d.id.len() + 1..];
    let mut out = json!({
        "name": b["name"],
        "format": b["format"],
        "location": b["location"],
        "status": b["status"],
        "tags": svc.tags_of(ctx, &arn(ctx, k, &d.id, id))?,
    });
    if let Some(o) = b.get("expectedBucketOwner") {
        out["expectedBucketOwner"] = o.clone();
    }
    if k.entity {
        out["createdAt"] = b["createdAt"].clone();
        out["updatedAt"] = b["updatedAt"].clone();
        if let Some(e) = b.get("errorDetails") {
            out["errorDetails"] = e.clone();
        }
    }
    Ok(out)
}

pub fn update(svc: &mut Service, ctx: &Ctx<'_>, k: &SetKind) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (key, mut b) = stored(svc, ctx, k, &d.id)?;
    for f in ["name", "location", "expectedBucketOwner"] {
        if let Some(v) = ctx.str(f) {
            b[f] = json!(v);
        }
    }
    match ctx.bool("activate") {
        Some(true) => activate(k, &mut b),
        Some(false) => b["status"] = json!("INACTIVE"),
        // A new location of an active set is fetched again.
        None if b["status"] == "ACTIVE" && ctx.str("location").is_some() => activate(k, &mut b),
        None => {}
    }
    b["updatedAt"] = json!(ctx.now_secs());
    svc.put(k.kind, ctx, &key, b)?;
    Ok(json!({}))
}

pub fn delete(svc: &mut Service, ctx: &Ctx<'_>, k: &SetKind) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (key, _) = stored(svc, ctx, k, &d.id)?;
    svc.store
        .delete_object(k.kind, &ctx.caller.account_id, &ctx.caller.region, &key)?;
    let id = &key[d.id.len() + 1..];
    svc.store.delete_object(
        kind::TAGS,
        &ctx.caller.account_id,
        &ctx.caller.region,
        &arn(ctx, k, &d.id, id),
    )?;
    Ok(json!({}))
}

pub fn list(svc: &mut Service, ctx: &Ctx<'_>, k: &SetKind) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let ids: Vec<String> = all(svc, ctx, k, &d.id)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let (page, next) = paginate(ids, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ k.list_field: page, "nextToken": next }))
}

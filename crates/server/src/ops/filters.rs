//! Filters. A filter whose action is ARCHIVE is a suppression rule: the store archives new
//! findings that match it as they are created (by `warden scan` or by the API), trying rules in
//! rank order (see `policy.rs`). NOOP filters are saved searches.

use crate::error::ApiError;
use crate::service::{Ctx, Service, kind, paginate};
use serde_json::{Value, json};
use warden_model::criteria::{CompiledCriteria, FindingCriteria};

fn filter_arn(ctx: &Ctx<'_>, detector: &str, name: &str) -> String {
    format!(
        "{}:detector/{detector}/filter/{name}",
        ctx.caller_arn_prefix()
    )
}

/// Filter ids are scoped to their detector.
fn key(detector: &str, name: &str) -> String {
    format!("{detector}/{name}")
}

fn check_criteria(v: &Value) -> Result<(), ApiError> {
    let c: FindingCriteria = serde_json::from_value(v.clone())
        .map_err(|e| ApiError::bad_request(format!("findingCriteria: {e}")))?;
    if c.criterion.is_empty() {
        return Err(ApiError::bad_request(
            "findingCriteria: a filter needs at least one criterion",
        ));
    }
    CompiledCriteria::compile(&c).map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(())
}

fn filters_of(svc: &Service, ctx: &Ctx<'_>, detector: &str) -> Result<Vec<Value>, ApiError> {
    let prefix = format!("{detector}/");
    let mut v: Vec<Value> = svc
        .store
        .list_objects(
            kind::FILTER,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .filter(|o| o.id.starts_with(&prefix))
        .map(|o| o.body)
        .collect();
    v.sort_by_key(|f| f["rank"].as_i64().unwrap_or(i64::MAX));
    Ok(v)
}

pub fn create(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    if let Some(answer) = svc.replay(ctx, "CreateFilter")? {
        return Ok(answer);
    }
    let name = ctx.required_str("name")?.to_string();
    let criteria = ctx
        .input
        .get("findingCriteria")
        .cloned()
        .ok_or_else(|| ApiError::bad_request("findingCriteria is required"))?;
    check_criteria(&criteria)?;
    let existing = filters_of(svc, ctx, &d.id)?;
    if existing.iter().any(|f| f["name"] == name.as_str()) {
        return Err(ApiError::bad_request(format!(
            "The request is rejected because a filter named {name:?} already exists."
        )));
    }
    if existing.len() >= 100 {
        return Err(ApiError::bad_request(
            "The request is rejected because the detector already has 100 filters, the limit.",
        ));
    }
    let rank = ctx.i64("rank").unwrap_or(existing.len() as i64 + 1);
    let body = json!({
        "name": name,
        "description": ctx.str("description").unwrap_or(""),
        "action": ctx.str("action").unwrap_or("NOOP"),
        "rank": rank,
        "findingCriteria": criteria,
        "createdAt": ctx.now_secs(),
        "updatedAt": ctx.now_secs(),
        "version": 1,
        "detectorId": d.id,
    });
    svc.put(kind::FILTER, ctx, &key(&d.id, &name), body)?;
    svc.put_tags(ctx, &filter_arn(ctx, &d.id, &name))?;
    let answer = json!({ "name": name });
    svc.remember_token(ctx, "CreateFilter", &answer)?;
    Ok(answer)
}

fn stored(svc: &Service, ctx: &Ctx<'_>, detector: &str) -> Result<(String, Value), ApiError> {
    let name = ctx.required_str("FilterName")?;
    let id = key(detector, name);
    let o = svc
        .store
        .get_object(
            kind::FILTER,
            &ctx.caller.account_id,
            &ctx.caller.region,
            &id,
        )?
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The request is rejected because the filter {name:?} does not exist."
            ))
        })?;
    Ok((id, o.body))
}

pub fn get(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (_, mut body) = stored(svc, ctx, &d.id)?;
    let name = body["name"].as_str().unwrap_or("").to_string();
    if let Some(o) = body.as_object_mut() {
        o.remove("detectorId");
    }
    body["tags"] = svc.tags_of(ctx, &filter_arn(ctx, &d.id, &name))?;
    Ok(body)
}

pub fn update(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (id, mut body) = stored(svc, ctx, &d.id)?;
    if let Some(c) = ctx.input.get("findingCriteria") {
        check_criteria(c)?;
        body["findingCriteria"] = c.clone();
    }
    for k in ["description", "action"] {
        if let Some(v) = ctx.str(k) {
            body[k] = json!(v);
        }
    }
    if let Some(r) = ctx.i64("rank") {
        body["rank"] = json!(r);
    }
    body["updatedAt"] = json!(ctx.now_secs());
    body["version"] = json!(body["version"].as_i64().unwrap_or(1) + 1);
    let name = body["name"].clone();
    svc.put(kind::FILTER, ctx, &id, body)?;
    Ok(json!({ "name": name }))
}

pub fn delete(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (id, body) = stored(svc, ctx, &d.id)?;
    svc.store.delete_object(
        kind::FILTER,
        &ctx.caller.account_id,
        &ctx.caller.region,
        &id,
    )?;
    let name = body["name"].as_str().unwrap_or("");
    svc.store.delete_object(
        kind::TAGS,
        &ctx.caller.account_id,
        &ctx.caller.region,
        &filter_arn(ctx, &d.id, name),
    )?;
    Ok(json!({}))
}

pub fn list(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let names: Vec<Value> = filters_of(svc, ctx, &d.id)?
        .into_iter()
        .map(|f| f["name"].clone())
        .collect();
    let (page, next) = paginate(names, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ "filterNames": page, "nextToken": next }))
}

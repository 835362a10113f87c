//! Tags on GuardDuty resources (detectors, filters, IP sets, threat intel sets, entity sets,
//! publishing destinations), addressed by ARN. The ARN must name a resource of the caller that
//! exists.

use crate::error::ApiError;
use crate::service::{Ctx, Service, check_tag_keys, kind};
use serde_json::{Map, Value, json};

/// Check the ARN names an existing resource of the caller; returns it.
fn resource(svc: &Service, ctx: &Ctx<'_>) -> Result<String, ApiError> {
    let arn = ctx.required_str("ResourceArn")?.to_string();
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "guardduty" {
        return Err(ApiError::bad_request(format!(
            "The request is rejected because {arn:?} is not a GuardDuty resource ARN."
        )));
    }
    if parts[3] != ctx.caller.region || parts[4] != ctx.caller.account_id {
        return Err(ApiError::access_denied(format!(
            "The request is rejected because {arn:?} belongs to another account or region."
        )));
    }
    let path: Vec<&str> = parts[5].split('/').collect();
    let (a, r) = (&ctx.caller.account_id, &ctx.caller.region);
    let exists = match path.as_slice() {
        ["detector", d] => svc.store.get_object(kind::DETECTOR, a, r, d)?.is_some(),
        ["detector", d, "filter", name] => svc
            .store
            .get_object(kind::FILTER, a, r, &format!("{d}/{name}"))?
            .is_some(),
        ["detector", d, k, id] => {
            let kind = match *k {
                "ipset" => "ipset",
                "threatintelset" => "threatintelset",
                "trustedentityset" => "trustedentityset",
                "threatentityset" => "threatentityset",
                "publishingDestination" => kind::PUBLISHING,
                _ => "",
            };
            !kind.is_empty()
                && svc
                    .store
                    .get_object(kind, a, r, &format!("{d}/{id}"))?
                    .is_some()
        }
        _ => false,
    };
    if !exists {
        return Err(ApiError::not_found(format!(
            "The request is rejected because the resource {arn:?} does not exist."
        )));
    }
    Ok(arn)
}

pub fn tag(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let arn = resource(svc, ctx)?;
    let new = ctx
        .input
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    check_tag_keys(&new)?;
    let mut tags: Map<String, Value> = svc
        .tags_of(ctx, &arn)?
        .as_object()
        .cloned()
        .unwrap_or_default();
    tags.extend(new);
    if tags.len() > 50 {
        return Err(ApiError::bad_request(
            "The request is rejected because a resource can have at most 50 tags.",
        ));
    }
    svc.put(kind::TAGS, ctx, &arn, Value::Object(tags))?;
    Ok(json!({}))
}

pub fn untag(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let arn = resource(svc, ctx)?;
    let mut tags: Map<String, Value> = svc
        .tags_of(ctx, &arn)?
        .as_object()
        .cloned()
        .unwrap_or_default();
    for k in ctx.strings("tagKeys") {
        tags.remove(&k);
    }
    svc.put(kind::TAGS, ctx, &arn, Value::Object(tags))?;
    Ok(json!({}))
}

pub fn list(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let arn = resource(svc, ctx)?;
    Ok(json!({ "tags": svc.tags_of(ctx, &arn)? }))
}

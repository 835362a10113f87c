//! Publishing destinations: export findings to S3 as GuardDuty does. A destination is an S3
//! bucket ARN (`arn:aws:s3:::BUCKET` or `arn:aws:s3:::BUCKET/PREFIX`) and a KMS key ARN. The
//! exporter (`publish.rs`, run by `warden serve` every `publish_interval`) writes every new or
//! updated finding of the detector's account and its Enabled members as one JSON object per
//! line, gzip-compressed, to
//! `PREFIX/AWSLogs/ACCOUNT/GuardDuty/REGION/YYYY/MM/DD/warden-SEQ.jsonl.gz`, encrypted with the
//! KMS key (`x-amz-server-side-encryption: aws:kms`). Credentials, region and endpoint for S3
//! come from the server's environment (`AWS_ACCESS_KEY_ID`, ..., `AWS_ENDPOINT_URL_S3`).
//! Status: PENDING_VERIFICATION until the first export, PUBLISHING after a successful one,
//! UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY (with `publishingFailureStartTimestamp`) when
//! an export fails; failed exports are retried at the next interval, from the same point.

use crate::error::ApiError;
use crate::service::{Ctx, Service, kind, new_id, paginate};
use serde_json::{Value, json};

/// `arn:aws:s3:::bucket[/prefix]` → (bucket, prefix).
pub fn parse_bucket_arn(arn: &str) -> Option<(String, String)> {
    let rest = arn
        .strip_prefix("arn:aws:s3:::")
        .or_else(|| arn.strip_prefix("arn:aws-us-gov:s3:::"))
        .or_else(|| arn.strip_prefix("arn:aws-cn:s3:::"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    valid.then(|| (bucket.to_string(), prefix.trim_matches('/').to_string()))
}

fn check_properties(p: &Value) -> Result<(), ApiError> {
    let arn = p["destinationArn"].as_str().unwrap_or("");
    if parse_bucket_arn(arn).is_none() {
        return Err(ApiError::bad_request(format!(
            "The request is rejected because destinationArn {arn:?} is not an S3 bucket ARN (arn:aws:s3:::BUCKET[/PREFIX])."
        )));
    }
    if p["kmsKeyArn"]
        .as_str()
        .is_none_or(|k| !k.starts_with("arn:"))
    {
        return Err(ApiError::bad_request(
            "The request is rejected because kmsKeyArn must be a KMS key ARN; GuardDuty exports are always KMS-encrypted.",
        ));
    }
    Ok(())
}

fn arn(ctx: &Ctx<'_>, detector: &str, id: &str) -> String {
    format!(
        "{}:detector/{detector}/publishingDestination/{id}",
        ctx.caller_arn_prefix()
    )
}

pub fn create(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    if let Some(answer) = svc.replay(ctx, "CreatePublishingDestination")? {
        return Ok(answer);
    }
    if ctx.str("destinationType") != Some("S3") {
        return Err(ApiError::bad_request("destinationType must be S3"));
    }
    let props = ctx
        .input
        .get("destinationProperties")
        .cloned()
        .unwrap_or(json!({}));
    check_properties(&props)?;
    let prefix = format!("{}/", d.id);
    let existing = svc
        .store
        .list_objects(
            kind::PUBLISHING,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .filter(|o| o.id.starts_with(&prefix))
        .count();
    if existing >= 1 {
        return Err(ApiError::bad_request(
            "The request is rejected because the detector already has a publishing destination (GuardDuty allows one).",
        ));
    }
    let id = new_id();
    // Export from now on: findings that already exist are exported when they next change, as
    // GuardDuty does for a new destination.
    let seq = svc.store.seq()?;
    svc.put(
        kind::PUBLISHING,
        ctx,
        &format!("{}/{id}", d.id),
        json!({
            "destinationId": id,
            "destinationType": "S3",
            "destinationProperties": props,
            "status": "PENDING_VERIFICATION",
            "publishingFailureStartTimestamp": 0,
            "exportedSeq": seq,
        }),
    )?;
    svc.put_tags(ctx, &arn(ctx, &d.id, &id))?;
    let answer = json!({ "destinationId": id });
    svc.remember_token(ctx, "CreatePublishingDestination", &answer)?;
    Ok(answer)
}

fn stored(svc: &Service, ctx: &Ctx<'_>, detector: &str) -> Result<(String, Value), ApiError> {
    let id = ctx.required_str("DestinationId")?;
    let key = format!("{detector}/{id}");
    let o = svc
        .store
        .get_object(
            kind::PUBLISHING,
            &ctx.caller.account_id,
            &ctx.caller.region,
            &key,
        )?
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The request is rejected because the publishing destination {id:?} does not exist."
            ))
        })?;
    Ok((key, o.body))
}

pub fn describe(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (_, b) = stored(svc, ctx, &d.id)?;
    let id = b["destinationId"].as_str().unwrap_or("").to_string();
    Ok(json!({
        "destinationId": id,
        "destinationType": b["destinationType"],
        "status": b["status"],
        "publishingFailureStartTimestamp": b["publishingFailureStartTimestamp"],
        "destinationProperties": b["destinationProperties"],
        "tags": svc.tags_of(ctx, &arn(ctx, &d.id, &id))?,
    }))
}

pub fn update(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (key, mut b) = stored(svc, ctx, &d.id)?;
    if let Some(p) = ctx.input.get("destinationProperties") {
        let mut merged = b["destinationProperties"].clone();
        for (k, v) in p.as_object().into_iter().flatten() {
            merged[k] = v.clone();
        }
        check_properties(&merged)?;
        b["destinationProperties"] = merged;
        b["status"] = json!("PENDING_VERIFICATION");
    }
    svc.put(kind::PUBLISHING, ctx, &key, b)?;
    Ok(json!({}))
}

pub fn delete(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let (key, b) = stored(svc, ctx, &d.id)?;
    svc.store.delete_object(
        kind::PUBLISHING,
        &ctx.caller.account_id,
        &ctx.caller.region,
        &key,
    )?;
    let id = b["destinationId"].as_str().unwrap_or("");
    svc.store.delete_object(
        kind::TAGS,
        &ctx.caller.account_id,
        &ctx.caller.region,
        &arn(ctx, &d.id, id),
    )?;
    Ok(json!({}))
}

pub fn list(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let prefix = format!("{}/", d.id);
    let all: Vec<Value> = svc
        .store
        .list_objects(
            kind::PUBLISHING,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .filter(|o| o.id.starts_with(&prefix))
        .map(|o| {
            json!({
                "destinationId": o.body["destinationId"],
                "destinationType": o.body["destinationType"],
                "status": o.body["status"],
            })
        })
        .collect();
    let (page, next) = paginate(all, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ "destinations": page, "nextToken": next }))
}

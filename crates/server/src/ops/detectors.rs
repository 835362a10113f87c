//! Detectors: one per account and region, as in GuardDuty. A detector's id is the id `warden
//! scan` already stamps on that account's findings (`default_detector_id`), so findings scanned
//! before or after the detector was created belong to it.
//!
//! A detector that is disabled (`enable: false`) stops new findings for its account and region
//! from being stored; a disabled `S3_DATA_EVENTS` feature (or `dataSources.s3Logs`) stops S3
//! data-event findings, and so on for the optional features (see `policy.rs`). CloudTrail
//! management events, VPC Flow Logs and DNS logs are foundational and cannot be disabled, as in
//! GuardDuty.

use crate::error::ApiError;
use crate::service::{Ctx, Service, kind, paginate};
use serde_json::{Value, json};
use warden_model::signal::default_detector_id;

/// The optional features and the legacy data source each maps to.
const FEATURES: &[&str] = &[
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "EKS_RUNTIME_MONITORING",
    "LAMBDA_NETWORK_LOGS",
    "RUNTIME_MONITORING",
];

fn feature_status(body: &Value, name: &str) -> &'static str {
    body["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["name"] == name))
        .and_then(|f| f["status"].as_str())
        .map_or("ENABLED", |s| {
            if s == "DISABLED" {
                "DISABLED"
            } else {
                "ENABLED"
            }
        })
}

/// Apply `features` and the deprecated `dataSources` of a create/update request to the stored
/// detector body.
fn apply_features(body: &mut Value, ctx: &Ctx<'_>) -> Result<(), ApiError> {
    let mut features: Vec<Value> = body["features"].as_array().cloned().unwrap_or_default();
    let mut set = |name: &str, status: &str, extra: Option<&Value>| {
        if let Some(f) = features.iter_mut().find(|f| f["name"] == name) {
            f["status"] = json!(status);
            f["updatedAt"] = json!(ctx.now_secs());
            if let Some(x) = extra {
                f["additionalConfiguration"] = x.clone();
            }
        } else {
            let mut f = json!({"name": name, "status": status, "updatedAt": ctx.now_secs()});
            if let Some(x) = extra {
                f["additionalConfiguration"] = x.clone();
            }
            features.push(f);
        }
    };
    if let Some(ds) = ctx.input.get("dataSources") {
        if let Some(e) = ds["s3Logs"]["enable"].as_bool() {
            set(
                "S3_DATA_EVENTS",
                if e { "ENABLED" } else { "DISABLED" },
                None,
            );
        }
        if let Some(e) = ds["kubernetes"]["auditLogs"]["enable"].as_bool() {
            set(
                "EKS_AUDIT_LOGS",
                if e { "ENABLED" } else { "DISABLED" },
                None,
            );
        }
        if let Some(e) =
            ds["malwareProtection"]["scanEc2InstanceWithFindings"]["ebsVolumes"].as_bool()
        {
            set(
                "EBS_MALWARE_PROTECTION",
                if e { "ENABLED" } else { "DISABLED" },
                None,
            );
        }
    }
    if let Some(fs) = ctx.input.get("features").and_then(Value::as_array) {
        for f in fs {
            let name = f["name"].as_str().unwrap_or("");
            if name == "CLOUD_TRAIL" || name == "DNS_LOGS" || name == "FLOW_LOGS" {
                if f["status"] == "DISABLED" {
                    return Err(ApiError::bad_request(format!(
                        "{name} is a foundational data source and cannot be disabled"
                    )));
                }
                continue;
            }
            if !FEATURES.contains(&name) {
                return Err(ApiError::bad_request(format!("unknown feature {name:?}")));
            }
            set(
                name,
                f["status"].as_str().unwrap_or("ENABLED"),
                f.get("additionalConfiguration"),
            );
        }
    }
    body["features"] = Value::Array(features);
    Ok(())
}

fn detector_arn(ctx: &Ctx<'_>, id: &str) -> String {
    format!("{}:detector/{id}", ctx.caller_arn_prefix())
}

pub fn create(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    if let Some(answer) = svc.replay(ctx, "CreateDetector")? {
        return Ok(answer);
    }
    let id = default_detector_id(&ctx.caller.account_id, &ctx.caller.region);
    if svc
        .store
        .get_object(
            kind::DETECTOR,
            &ctx.caller.account_id,
            &ctx.caller.region,
            &id,
        )?
        .is_some()
    {
        return Err(ApiError::bad_request(
            "The request is rejected because a detector already exists for the current account.",
        ));
    }
    let enable = ctx.bool("enable").unwrap_or(true);
    let mut body = json!({
        "createdAt": ctx.now_iso(),
        "updatedAt": ctx.now_iso(),
        "status": if enable { "ENABLED" } else { "DISABLED" },
        "findingPublishingFrequency": ctx.str("findingPublishingFrequency").unwrap_or("SIX_HOURS"),
        "features": [],
    });
    apply_features(&mut body, ctx)?;
    svc.put(kind::DETECTOR, ctx, &id, body)?;
    svc.put_tags(ctx, &detector_arn(ctx, &id))?;
    let answer = json!({ "detectorId": id });
    svc.remember_token(ctx, "CreateDetector", &answer)?;
    Ok(answer)
}

/// Every optional feature of a stored detector body, with its status (ENABLED unless disabled),
/// as GetDetector and GetMemberDetectors report them.
pub(crate) fn features_view(b: &Value) -> Vec<Value> {
    FEATURES
        .iter()
        .map(|f| {
            let stored = b["features"]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["name"] == *f).cloned());
            let mut v = json!({"name": f, "status": feature_status(b, f)});
            if let Some(s) = stored {
                v["updatedAt"] = s["updatedAt"].clone();
                if let Some(x) = s.get("additionalConfiguration") {
                    v["additionalConfiguration"] = x.clone();
                }
            }
            v
        })
        .collect()
}

fn service_role(account: &str) -> String {
    format!(
        "arn:aws:iam::{account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"
    )
}

/// The legacy `dataSources` view of a stored detector body of ACCOUNT.
pub(crate) fn data_sources_view(b: &Value, account: &str) -> Value {
    let status = |f: &str| json!({ "status": feature_status(b, f) });
    json!({
        "cloudTrail": {"status": "ENABLED"},
        "dnsLogs": {"status": "ENABLED"},
        "flowLogs": {"status": "ENABLED"},
        "s3Logs": status("S3_DATA_EVENTS"),
        "kubernetes": {"auditLogs": status("EKS_AUDIT_LOGS")},
        "malwareProtection": {
            "scanEc2InstanceWithFindings": {"ebsVolumes": status("EBS_MALWARE_PROTECTION")},
            "serviceRole": service_role(account),
        },
    })
}

pub fn get(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let b = &d.body;
    Ok(json!({
        "createdAt": b["createdAt"],
        "updatedAt": b["updatedAt"],
        "status": b["status"],
        "findingPublishingFrequency": b["findingPublishingFrequency"],
        "serviceRole": service_role(&ctx.caller.account_id),
        "dataSources": data_sources_view(b, &ctx.caller.account_id),
        "features": features_view(b),
        "tags": svc.tags_of(ctx, &detector_arn(ctx, &d.id))?,
    }))
}

pub fn update(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    let mut body = d.body.clone();
    if let Some(e) = ctx.bool("enable") {
        body["status"] = json!(if e { "ENABLED" } else { "DISABLED" });
    }
    if let Some(f) = ctx.str("findingPublishingFrequency") {
        body["findingPublishingFrequency"] = json!(f);
    }
    apply_features(&mut body, ctx)?;
    body["updatedAt"] = json!(ctx.now_iso());
    svc.put(kind::DETECTOR, ctx, &d.id, body)?;
    Ok(json!({}))
}

pub fn delete(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    svc.store
        .delete_object(kind::DETECTOR, &d.account_id, &d.region, &d.id)?;
    svc.store.delete_object(
        kind::TAGS,
        &d.account_id,
        &d.region,
        &detector_arn(ctx, &d.id),
    )?;
    Ok(json!({}))
}

pub fn list(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let ids: Vec<String> = svc
        .store
        .list_objects(
            kind::DETECTOR,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let (page, next) = paginate(ids, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ "detectorIds": page, "nextToken": next }))
}

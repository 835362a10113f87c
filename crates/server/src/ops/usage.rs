//! Usage statistics from real counters: `warden scan` records, per account, region, data source
//! and resource, how many events and bytes it processed each day (UTC, processing day). GuardDuty
//! reports an estimated cost; Warden has no bill, so the amount is what was processed: bytes by
//! default (unit `bytes`), or events when the request's `unit` is `events`. The window is the
//! last 30 days, as GuardDuty's.
//!
//! Coverage (ListCoverage, GetCoverageStatistics) describes GuardDuty's runtime-monitoring agents
//! on EKS, ECS and EC2; Warden deploys no agents, so no resource is covered and the answers are
//! empty, which is the truth rather than a placeholder.

use crate::error::ApiError;
use crate::service::{Ctx, Service};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use warden_model::time::format_timestamp;

/// Warden's data sources by GuardDuty's usage names.
fn feature_of(data_source: &str) -> &'static str {
    match data_source {
        "CLOUD_TRAIL" => "CLOUD_TRAIL",
        "FLOW_LOGS" => "FLOW_LOGS",
        "DNS_LOGS" => "DNS_LOGS",
        "S3_LOGS" => "S3_DATA_EVENTS",
        "KUBERNETES_AUDIT_LOGS" => "EKS_AUDIT_LOGS",
        _ => "CLOUD_TRAIL",
    }
}

pub fn statistics(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let kind = ctx.required_str("usageStatisticsType")?;
    let criteria = ctx.input.get("usageCriteria").cloned().unwrap_or(json!({}));
    let unit = match ctx.str("unit") {
        None | Some("bytes") | Some("BYTES") => "bytes",
        Some("events") | Some("EVENTS") => "events",
        Some(u) => {
            return Err(ApiError::bad_request(format!(
                "unit {u:?} is not supported by Warden: usage is measured in bytes or events processed, not in currency"
            )));
        }
    };
    let visible = svc.visible_accounts(ctx.caller)?;
    let wanted: Vec<String> = criteria["accountIds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| visible.clone());
    if let Some(a) = wanted.iter().find(|a| !visible.contains(a)) {
        return Err(ApiError::bad_request(format!(
            "The request is rejected because account {a} is not the current account or one of its members."
        )));
    }
    let sources: Option<Vec<String>> = criteria["dataSources"].as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let features: Option<Vec<String>> = criteria["features"].as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let resources: Option<Vec<String>> = criteria["resources"].as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let to_day = format_timestamp(ctx.now_ms)[..10].to_string();
    let from_day = format_timestamp(ctx.now_ms - 30 * 86_400_000)[..10].to_string();
    let rows = svc
        .store
        .usage(&wanted, &ctx.caller.region, &from_day, &to_day)?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| sources.as_ref().is_none_or(|s| s.contains(&r.data_source)))
        .filter(|r| {
            features
                .as_ref()
                .is_none_or(|f| f.iter().any(|x| x == feature_of(&r.data_source)))
        })
        .filter(|r| resources.as_ref().is_none_or(|s| s.contains(&r.resource)))
        .collect();
    let amount = |r: &warden_store::UsageRow| if unit == "bytes" { r.bytes } else { r.events };
    let total = |n: i64| json!({ "amount": n.to_string(), "unit": unit });
    let sum_by = |key: &dyn Fn(&warden_store::UsageRow) -> String| {
        let mut m: BTreeMap<String, i64> = BTreeMap::new();
        for r in &rows {
            *m.entry(key(r)).or_default() += amount(r);
        }
        m
    };
    let max = ctx.i64("maxResults").unwrap_or(50).max(1) as usize;
    let stats = match kind {
        "SUM_BY_ACCOUNT" => json!({ "sumByAccount": sum_by(&|r| r.account_id.clone()).into_iter()
            .map(|(a, n)| json!({"accountId": a, "total": total(n)})).collect::<Vec<_>>() }),
        "SUM_BY_DATA_SOURCE" => {
            json!({ "sumByDataSource": sum_by(&|r| r.data_source.clone()).into_iter()
            .map(|(a, n)| json!({"dataSource": a, "total": total(n)})).collect::<Vec<_>>() })
        }
        "SUM_BY_FEATURES" => {
            json!({ "sumByFeature": sum_by(&|r| feature_of(&r.data_source).to_string()).into_iter()
            .map(|(a, n)| json!({"feature": a, "total": total(n)})).collect::<Vec<_>>() })
        }
        "SUM_BY_RESOURCE" | "TOP_RESOURCES" => {
            let mut v: Vec<(String, i64)> = sum_by(&|r| r.resource.clone()).into_iter().collect();
            if kind == "TOP_RESOURCES" {
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                v.truncate(max);
            }
            let items: Vec<Value> = v
                .into_iter()
                .map(|(a, n)| json!({"resource": a, "total": total(n)}))
                .collect();
            if kind == "TOP_RESOURCES" {
                json!({ "topResources": items })
            } else {
                json!({ "sumByResource": items })
            }
        }
        "TOP_ACCOUNTS_BY_FEATURE" => {
            let mut by: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
            for r in &rows {
                *by.entry(feature_of(&r.data_source).to_string())
                    .or_default()
                    .entry(r.account_id.clone())
                    .or_default() += amount(r);
            }
            json!({ "topAccountsByFeature": by.into_iter().map(|(f, accts)| {
                let mut v: Vec<(String, i64)> = accts.into_iter().collect();
                v.sort_by_key(|a| std::cmp::Reverse(a.1));
                v.truncate(max);
                json!({"feature": f, "accounts": v.into_iter().map(|(a, n)| json!({"accountId": a, "total": total(n)})).collect::<Vec<_>>()})
            }).collect::<Vec<_>>() })
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "usageStatisticsType {other:?} is not valid"
            )));
        }
    };
    Ok(json!({ "usageStatistics": stats, "nextToken": "" }))
}

pub fn list_coverage(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    Ok(json!({ "resources": [], "nextToken": "" }))
}

pub fn coverage_statistics(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let mut stats = json!({});
    for t in ctx.strings("statisticsType") {
        match t.as_str() {
            "COUNT_BY_RESOURCE_TYPE" => stats["countByResourceType"] = json!({}),
            "COUNT_BY_COVERAGE_STATUS" => stats["countByCoverageStatus"] = json!({}),
            _ => {}
        }
    }
    Ok(json!({ "coverageStatistics": stats }))
}

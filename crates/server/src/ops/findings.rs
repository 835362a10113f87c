//! Findings: list (FindingCriteria + SortCriteria + pagination), get, statistics, archive,
//! unarchive, feedback and sample findings. An administrator sees its Enabled members'
//! findings; a member sees only its own.

use crate::error::ApiError;
use crate::service::{Ctx, Service, paginate};
use serde_json::{Value, json};
use std::sync::Arc;
use warden_model::Finding;
use warden_model::criteria::{CompiledCriteria, CompiledSort, FindingCriteria, SortCriteria};
use warden_store::{Commit, FindingStore};

fn criteria(ctx: &Ctx<'_>, key: &str) -> Result<CompiledCriteria, ApiError> {
    match ctx.input.get(key) {
        None => Ok(CompiledCriteria::match_all()),
        Some(v) => {
            let c: FindingCriteria = serde_json::from_value(v.clone())
                .map_err(|e| ApiError::bad_request(format!("{key}: {e}")))?;
            CompiledCriteria::compile(&c).map_err(|e| ApiError::bad_request(e.to_string()))
        }
    }
}

fn sort(ctx: &Ctx<'_>) -> Result<CompiledSort, ApiError> {
    let s: Option<SortCriteria> = match ctx.input.get("sortCriteria") {
        None => None,
        Some(v) => Some(
            serde_json::from_value(v.clone())
                .map_err(|e| ApiError::bad_request(format!("sortCriteria: {e}")))?,
        ),
    };
    CompiledSort::compile(s.as_ref()).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// The findings the caller may see through this detector, matching the criteria.
fn visible(
    svc: &mut Service,
    ctx: &Ctx<'_>,
    crit: &CompiledCriteria,
) -> Result<Vec<Arc<Finding>>, ApiError> {
    svc.detector(ctx)?;
    svc.findings.refresh(&svc.store)?;
    let accounts = svc.visible_accounts(ctx.caller)?;
    Ok(svc
        .findings
        .select(&accounts, &ctx.caller.region, |f| crit.matches_finding(f)))
}

pub fn list(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let crit = criteria(ctx, "findingCriteria")?;
    let order = sort(ctx)?;
    let mut found = visible(svc, ctx, &crit)?;
    order.sort(&mut found);
    let ids: Vec<String> = found.iter().map(|f| f.id.clone()).collect();
    let (page, next) = paginate(ids, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ "findingIds": page, "nextToken": next }))
}

fn owned_ids(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Vec<Arc<Finding>>, ApiError> {
    svc.detector(ctx)?;
    svc.findings.refresh(&svc.store)?;
    let accounts = svc.visible_accounts(ctx.caller)?;
    Ok(ctx
        .strings("findingIds")
        .iter()
        .filter_map(|id| svc.findings.get(id))
        .filter(|f| f.region == ctx.caller.region && accounts.contains(&f.account_id))
        .cloned()
        .collect())
}

pub fn get(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let order = sort(ctx)?;
    let mut found = owned_ids(svc, ctx)?;
    if ctx.input.contains_key("sortCriteria") {
        order.sort(&mut found);
    }
    let findings: Vec<&Finding> = found.iter().map(|f| f.as_ref()).collect();
    Ok(json!({ "findings": findings }))
}

pub fn statistics(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    use warden_model::criteria::{FindingsStatisticsRequest, StatisticsQuery};
    let req: FindingsStatisticsRequest = serde_json::from_value(Value::Object(ctx.input.clone()))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let q = StatisticsQuery::compile(&req).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let crit = criteria(ctx, "findingCriteria")?;
    let found = visible(svc, ctx, &crit)?;
    let stats = q.compute(found.iter().map(|f| f.as_ref()));
    Ok(json!({ "findingStatistics": stats }))
}

fn update_findings(
    svc: &mut Service,
    ctx: &Ctx<'_>,
    change: impl Fn(&mut Finding),
) -> Result<Value, ApiError> {
    let found = owned_ids(svc, ctx)?;
    let updated: Vec<Finding> = found
        .iter()
        .map(|f| {
            let mut g = Finding::clone(f);
            change(&mut g);
            g
        })
        .collect();
    svc.store.commit(Commit {
        findings: updated.iter().collect(),
        ..Default::default()
    })?;
    svc.findings.refresh(&svc.store)?;
    Ok(json!({}))
}

pub fn archive(svc: &mut Service, ctx: &Ctx<'_>, archived: bool) -> Result<Value, ApiError> {
    // GuardDuty lets only the administrator archive a member's findings; a member archiving
    // its own findings while managed is refused the same way.
    if svc.administrator_of(ctx.caller)?.is_some() {
        return Err(ApiError::bad_request(
            "The request is rejected because a member account cannot archive or unarchive findings; the administrator account manages them.",
        ));
    }
    update_findings(svc, ctx, |f| f.service.archived = archived)
}

pub fn feedback(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let fb = ctx.required_str("feedback")?.to_string();
    update_findings(svc, ctx, |f| f.service.user_feedback = Some(fb.clone()))
}

pub fn create_samples(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    use warden_model::sample::{
        SampleContext, record_repeat, sample_finding, sample_finding_id, sample_types,
    };
    let d = svc.detector(ctx)?;
    let mut types = ctx.strings("findingTypes");
    if types.is_empty() {
        types = sample_types().map(str::to_string).collect();
    }
    let sctx = SampleContext::new(
        &ctx.caller.account_id,
        &ctx.caller.region,
        &d.id,
        ctx.now_ms,
    );
    svc.findings.refresh(&svc.store)?;
    let mut out = Vec::with_capacity(types.len());
    for t in &types {
        let id = sample_finding_id(t, &ctx.caller.account_id, &ctx.caller.region, &d.id);
        // A repeated request updates the same sample finding, as GuardDuty does.
        if let Some(prev) = svc.findings.get(&id) {
            let mut f = warden_model::Finding::clone(prev);
            record_repeat(&mut f, ctx.now_ms);
            out.push(f);
            continue;
        }
        let f = sample_finding(t, &sctx).ok_or_else(|| {
            ApiError::bad_request(format!(
                "The request is rejected because {t:?} is not a current GuardDuty finding type."
            ))
        })?;
        out.push(f);
    }
    svc.findings.refresh(&svc.store)?;
    svc.store.commit(Commit {
        findings: out.iter().collect(),
        ..Default::default()
    })?;
    svc.findings.refresh(&svc.store)?;
    Ok(json!({}))
}

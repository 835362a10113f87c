//! Findings: list (FindingCriteria + SortCriteria + pagination), get, statistics, archive,
//! unarchive, feedback and sample findings. An administrator sees its Enabled members'
//! findings; a member sees only its own.

use crate::error::ApiError;
use crate::findings::scoped;
use crate::service::{Ctx, Service, page_offset, page_token};
use serde_json::{Value, json};
use warden_model::Finding;
use warden_model::criteria::{CompiledCriteria, CompiledSort, FindingCriteria, SortCriteria};
use warden_store::{Commit, FindingStore};

fn user_criteria(ctx: &Ctx<'_>) -> Result<Option<FindingCriteria>, ApiError> {
    match ctx.input.get("findingCriteria") {
        None => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("findingCriteria: {e}"))),
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

/// The caller's criteria narrowed to what it may see through this detector, compiled.
fn visible_criteria(
    svc: &mut Service,
    ctx: &Ctx<'_>,
    user: Option<FindingCriteria>,
) -> Result<CompiledCriteria, ApiError> {
    svc.detector(ctx)?;
    svc.findings.refresh(&svc.store)?;
    let accounts = svc.visible_accounts(ctx.caller)?;
    let c = scoped(user, &accounts, &ctx.caller.region);
    CompiledCriteria::compile(&c).map_err(|e| ApiError::bad_request(e.to_string()))
}

pub fn list(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let user = user_criteria(ctx)?;
    if let Some(u) = &user {
        // Refuse bad criteria with the caller's own words before scoping them.
        CompiledCriteria::compile(u).map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    let order = sort(ctx)?;
    let crit = visible_criteria(svc, ctx, user)?;
    let offset = page_offset(ctx.str("nextToken"))?;
    let max = ctx.i64("maxResults").unwrap_or(50).max(1) as usize;
    let page = svc.findings.table.list(&crit, &order, offset, max);
    let ids: Vec<&str> = page.findings.iter().map(|f| f.id.as_str()).collect();
    let end = offset + ids.len();
    let next = if end < page.total {
        page_token(end)
    } else {
        String::new()
    };
    Ok(json!({ "findingIds": ids, "nextToken": next }))
}

/// The listed findings the caller may see (others are left out, as GuardDuty does).
fn owned(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Vec<Finding>, ApiError> {
    svc.detector(ctx)?;
    svc.findings.refresh(&svc.store)?;
    let accounts = svc.visible_accounts(ctx.caller)?;
    Ok(ctx
        .strings("findingIds")
        .iter()
        .filter_map(|id| svc.findings.table.get(id))
        .filter(|f| f.region == ctx.caller.region && accounts.contains(&f.account_id))
        .cloned()
        .collect())
}

pub fn get(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let order = sort(ctx)?;
    let mut found = owned(svc, ctx)?;
    if ctx.input.contains_key("sortCriteria") {
        order.sort(&mut found);
    }
    Ok(json!({ "findings": found }))
}

pub fn statistics(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    use warden_model::criteria::{FindingsStatisticsRequest, StatisticsQuery};
    let mut body = ctx.input.clone();
    body.remove("DetectorId");
    let mut req: FindingsStatisticsRequest = serde_json::from_value(Value::Object(body))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    StatisticsQuery::compile(&req).map_err(|e| ApiError::bad_request(e.to_string()))?;
    svc.detector(ctx)?;
    svc.findings.refresh(&svc.store)?;
    let accounts = svc.visible_accounts(ctx.caller)?;
    req.finding_criteria = Some(scoped(
        req.finding_criteria.take(),
        &accounts,
        &ctx.caller.region,
    ));
    let q = StatisticsQuery::compile(&req).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let stats = svc.findings.table.statistics(&q);
    Ok(json!({ "findingStatistics": stats }))
}

fn update_findings(
    svc: &mut Service,
    ctx: &Ctx<'_>,
    change: impl Fn(&mut Finding),
) -> Result<Value, ApiError> {
    let mut found = owned(svc, ctx)?;
    for f in &mut found {
        change(f);
    }
    svc.store.commit(Commit {
        findings: found.iter().collect(),
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
        if let Some(prev) = svc.findings.table.get(&id) {
            let mut f = prev.clone();
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

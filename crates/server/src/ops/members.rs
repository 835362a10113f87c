//! Multi-account: members and invitations (the invitation model), and the AWS Organizations
//! delegated-administrator settings.
//!
//! An administrator creates members (`Created`), invites them (`Invited`, and an invitation
//! appears in the member account), and once the member accepts, the relationship is `Enabled`:
//! from then on the administrator's ListFindings/GetFindings/statistics include the member's
//! findings, and its suppression rules apply to them. A member sees only its own findings.
//! StopMonitoringMembers sets `Disabled` (findings hidden from the administrator again),
//! Disassociate sets `Removed`.

use crate::error::ApiError;
use crate::service::{Caller, Ctx, Service, kind, new_id, paginate};
use serde_json::{Value, json};
use warden_model::signal::default_detector_id;
use warden_store::StoredObject;

fn unprocessed(account: &str, why: &str) -> Value {
    json!({ "accountId": account, "result": why })
}

fn valid_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

impl Service {
    /// The administrator account managing `caller`, if the relationship is Enabled.
    pub fn administrator_of(&self, caller: &Caller) -> Result<Option<StoredObject>, ApiError> {
        Ok(self
            .store
            .list_objects(kind::MEMBER, None, Some(&caller.region))?
            .into_iter()
            .find(|m| m.id == caller.account_id && m.body["relationshipStatus"] == "Enabled"))
    }

    fn member(&self, ctx: &Ctx<'_>, account: &str) -> Result<Option<StoredObject>, ApiError> {
        Ok(self.store.get_object(
            kind::MEMBER,
            &ctx.caller.account_id,
            &ctx.caller.region,
            account,
        )?)
    }
}

/// Apply `f` to each listed member; unknown accounts are reported as unprocessed.
fn each_member(
    svc: &mut Service,
    ctx: &Ctx<'_>,
    mut f: impl FnMut(&mut Service, &mut Value) -> Result<Option<String>, ApiError>,
) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let mut bad = Vec::new();
    for a in ctx.strings("accountIds") {
        match svc.member(ctx, &a)? {
            None => bad.push(unprocessed(
                &a,
                "The request is rejected because the given account ID is not a member of the current account.",
            )),
            Some(mut m) => match f(svc, &mut m.body)? {
                Some(why) => bad.push(unprocessed(&a, &why)),
                None => {
                    m.body["updatedAt"] = json!(ctx.now_iso());
                    svc.store.put_object(&m)?;
                }
            },
        }
    }
    Ok(json!({ "unprocessedAccounts": bad }))
}

pub fn create_members(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    if svc.administrator_of(ctx.caller)?.is_some() {
        return Err(ApiError::bad_request(
            "The request is rejected because the current account is a member of another administrator account.",
        ));
    }
    let mut bad = Vec::new();
    let details = ctx
        .input
        .get("accountDetails")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for detail in details {
        let a = detail["accountId"].as_str().unwrap_or("").to_string();
        if !valid_account(&a) {
            bad.push(unprocessed(&a, "The account ID must be 12 digits."));
            continue;
        }
        if a == ctx.caller.account_id {
            bad.push(unprocessed(
                &a,
                "The request is rejected because an account cannot be its own member.",
            ));
            continue;
        }
        let other = svc
            .store
            .list_objects(kind::MEMBER, None, Some(&ctx.caller.region))?
            .into_iter()
            .find(|m| {
                m.id == a
                    && m.account_id != ctx.caller.account_id
                    && m.body["relationshipStatus"] == "Enabled"
            });
        if other.is_some() {
            bad.push(unprocessed(&a, "The request is rejected because the account is already a member of another administrator account."));
            continue;
        }
        if svc.member(ctx, &a)?.is_some() {
            bad.push(unprocessed(&a, "The request is rejected because the account is already a member of the current account."));
            continue;
        }
        svc.put(
            kind::MEMBER,
            ctx,
            &a,
            json!({
                "accountId": a,
                "email": detail["email"],
                "administratorId": ctx.caller.account_id,
                "masterId": ctx.caller.account_id,
                "relationshipStatus": "Created",
                "updatedAt": ctx.now_iso(),
                "adminDetectorId": d.id,
            }),
        )?;
    }
    Ok(json!({ "unprocessedAccounts": bad }))
}

pub fn invite_members(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let now = ctx.now_iso();
    let admin = ctx.caller.clone();
    each_member(svc, ctx, |svc, m| {
        if m["relationshipStatus"] == "Enabled" {
            return Ok(Some("The account is already an associated member.".into()));
        }
        let member = m["accountId"].as_str().unwrap_or("").to_string();
        let id = new_id();
        svc.store.put_object(&StoredObject {
            kind: kind::INVITATION.into(),
            account_id: member,
            region: admin.region.clone(),
            id: admin.account_id.clone(),
            body: json!({
                "accountId": admin.account_id,
                "invitationId": id,
                "relationshipStatus": "Invited",
                "invitedAt": now,
            }),
        })?;
        m["relationshipStatus"] = json!("Invited");
        m["invitedAt"] = json!(now);
        m["invitationId"] = json!(id);
        Ok(None)
    })
}

fn member_view(m: &Value, svc: &Service, region: &str) -> Value {
    let account = m["accountId"].as_str().unwrap_or("");
    let detector = default_detector_id(account, region);
    let has_detector = svc
        .store
        .get_object(kind::DETECTOR, account, region, &detector)
        .ok()
        .flatten()
        .is_some();
    let mut v = json!({
        "accountId": account,
        "masterId": m["masterId"],
        "administratorId": m["administratorId"],
        "email": m["email"],
        "relationshipStatus": m["relationshipStatus"],
        "updatedAt": m["updatedAt"],
    });
    if has_detector {
        v["detectorId"] = json!(detector);
    }
    if let Some(i) = m.get("invitedAt") {
        v["invitedAt"] = i.clone();
    }
    v
}

pub fn get_members(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let mut members = Vec::new();
    let mut bad = Vec::new();
    for a in ctx.strings("accountIds") {
        match svc.member(ctx, &a)? {
            Some(m) => members.push(member_view(&m.body, svc, &ctx.caller.region)),
            None => bad.push(unprocessed(&a, "The request is rejected because the given account ID is not a member of the current account.")),
        }
    }
    Ok(json!({ "members": members, "unprocessedAccounts": bad }))
}

pub fn list_members(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let only_associated = ctx.str("onlyAssociated") != Some("false");
    let all: Vec<Value> = svc
        .store
        .list_objects(
            kind::MEMBER,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .filter(|m| !only_associated || m.body["relationshipStatus"] == "Enabled")
        .map(|m| member_view(&m.body, svc, &ctx.caller.region))
        .collect();
    let (page, next) = paginate(all, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ "members": page, "nextToken": next }))
}

pub fn delete_members(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let mut bad = Vec::new();
    for a in ctx.strings("accountIds") {
        if !svc
            .store
            .delete_object(kind::MEMBER, &ctx.caller.account_id, &ctx.caller.region, &a)?
        {
            bad.push(unprocessed(&a, "The request is rejected because the given account ID is not a member of the current account."));
        }
        svc.store.delete_object(
            kind::INVITATION,
            &a,
            &ctx.caller.region,
            &ctx.caller.account_id,
        )?;
    }
    Ok(json!({ "unprocessedAccounts": bad }))
}

pub fn set_status(
    svc: &mut Service,
    ctx: &Ctx<'_>,
    status: &str,
    from: &[&str],
) -> Result<Value, ApiError> {
    each_member(svc, ctx, |_, m| {
        let cur = m["relationshipStatus"].as_str().unwrap_or("");
        if !from.is_empty() && !from.contains(&cur) {
            return Ok(Some(format!(
                "The member's relationship is {cur}; this operation needs one of {from:?}."
            )));
        }
        m["relationshipStatus"] = json!(status);
        Ok(None)
    })
}

pub fn accept(svc: &mut Service, ctx: &Ctx<'_>, admin_field: &str) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let admin = ctx.required_str(admin_field)?.to_string();
    let invitation_id = ctx.required_str("invitationId")?;
    let inv = svc
        .store
        .get_object(kind::INVITATION, &ctx.caller.account_id, &ctx.caller.region, &admin)?
        .filter(|i| i.body["invitationId"] == invitation_id)
        .ok_or_else(|| ApiError::bad_request("The request is rejected because the invitation does not exist or its id does not match."))?;
    let mut m = svc
        .store
        .get_object(kind::MEMBER, &admin, &ctx.caller.region, &ctx.caller.account_id)?
        .ok_or_else(|| ApiError::bad_request("The request is rejected because the administrator no longer lists this account as a member."))?;
    if svc.administrator_of(ctx.caller)?.is_some() {
        return Err(ApiError::bad_request(
            "The request is rejected because the account already has an administrator.",
        ));
    }
    m.body["relationshipStatus"] = json!("Enabled");
    m.body["updatedAt"] = json!(ctx.now_iso());
    svc.store.put_object(&m)?;
    svc.store
        .delete_object(kind::INVITATION, &inv.account_id, &inv.region, &inv.id)?;
    Ok(json!({}))
}

pub fn administrator(svc: &mut Service, ctx: &Ctx<'_>, field: &str) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let m = svc
        .store
        .list_objects(kind::MEMBER, None, Some(&ctx.caller.region))?
        .into_iter()
        .find(|m| {
            m.id == ctx.caller.account_id
                && matches!(
                    m.body["relationshipStatus"].as_str(),
                    Some("Enabled" | "Disabled" | "Invited")
                )
        });
    Ok(match m {
        None => json!({}),
        Some(m) => json!({ field: {
            "accountId": m.account_id,
            "invitationId": m.body["invitationId"],
            "relationshipStatus": m.body["relationshipStatus"],
            "invitedAt": m.body["invitedAt"],
        }}),
    })
}

pub fn disassociate_from_administrator(
    svc: &mut Service,
    ctx: &Ctx<'_>,
) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    for mut m in svc
        .store
        .list_objects(kind::MEMBER, None, Some(&ctx.caller.region))?
    {
        if m.id == ctx.caller.account_id && m.body["relationshipStatus"] != "Removed" {
            m.body["relationshipStatus"] = json!("Removed");
            m.body["updatedAt"] = json!(ctx.now_iso());
            svc.store.put_object(&m)?;
        }
    }
    Ok(json!({}))
}

pub fn list_invitations(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let all: Vec<Value> = svc
        .store
        .list_objects(
            kind::INVITATION,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .map(|i| i.body)
        .collect();
    let (page, next) = paginate(all, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ "invitations": page, "nextToken": next }))
}

pub fn invitations_count(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let n = svc
        .store
        .list_objects(
            kind::INVITATION,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .len();
    Ok(json!({ "invitationsCount": n }))
}

/// Decline (mark the membership Removed) or just delete invitations from these administrators.
pub fn drop_invitations(
    svc: &mut Service,
    ctx: &Ctx<'_>,
    decline: bool,
) -> Result<Value, ApiError> {
    let mut bad = Vec::new();
    for admin in ctx.strings("accountIds") {
        let existed = svc.store.delete_object(
            kind::INVITATION,
            &ctx.caller.account_id,
            &ctx.caller.region,
            &admin,
        )?;
        if !existed {
            bad.push(unprocessed(
                &admin,
                "The request is rejected because there is no invitation from this account.",
            ));
            continue;
        }
        if decline
            && let Some(mut m) = svc.store.get_object(
                kind::MEMBER,
                &admin,
                &ctx.caller.region,
                &ctx.caller.account_id,
            )?
        {
            m.body["relationshipStatus"] = json!("Removed");
            m.body["updatedAt"] = json!(ctx.now_iso());
            svc.store.put_object(&m)?;
        }
    }
    Ok(json!({ "unprocessedAccounts": bad }))
}

pub fn member_detectors(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for a in ctx.strings("accountIds") {
        let detector = default_detector_id(&a, &ctx.caller.region);
        match (svc.member(ctx, &a)?, svc.store.get_object(kind::DETECTOR, &a, &ctx.caller.region, &detector)?) {
            // The member's detector as GetDetector shows it to the member: every feature, not
            // only those ever changed (a fresh member used to show none).
            (Some(_), Some(d)) => out.push(json!({
                "accountId": a,
                "features": super::detectors::features_view(&d.body),
                "dataSources": super::detectors::data_sources_view(&d.body, &a),
            })),
            (Some(_), None) => bad.push(unprocessed(&a, "The member account has no detector in this region.")),
            (None, _) => bad.push(unprocessed(&a, "The request is rejected because the given account ID is not a member of the current account.")),
        }
    }
    Ok(json!({ "members": out, "unprocessedAccounts": bad }))
}

pub fn update_member_detectors(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    svc.detector(ctx)?;
    let mut bad = Vec::new();
    for a in ctx.strings("accountIds") {
        let detector = default_detector_id(&a, &ctx.caller.region);
        let member = svc.member(ctx, &a)?;
        let d = svc
            .store
            .get_object(kind::DETECTOR, &a, &ctx.caller.region, &detector)?;
        match (member, d) {
            (Some(m), Some(mut d)) if m.body["relationshipStatus"] == "Enabled" => {
                let mut features: Vec<Value> = d.body["features"].as_array().cloned().unwrap_or_default();
                for f in ctx.input.get("features").and_then(Value::as_array).into_iter().flatten() {
                    let name = f["name"].clone();
                    features.retain(|x| x["name"] != name);
                    features.push(json!({"name": name, "status": f["status"], "updatedAt": ctx.now_secs()}));
                }
                d.body["features"] = Value::Array(features);
                svc.store.put_object(&d)?;
            }
            (Some(_), Some(_)) => bad.push(unprocessed(&a, "The member is not associated (Enabled).")),
            (Some(_), None) => bad.push(unprocessed(&a, "The member account has no detector in this region.")),
            (None, _) => bad.push(unprocessed(&a, "The request is rejected because the given account ID is not a member of the current account.")),
        }
    }
    Ok(json!({ "unprocessedAccounts": bad }))
}

/// Designating the delegated administrator is the organization management account's right; a
/// key says it speaks for that account by its `administrator` role.
fn require_management(ctx: &Ctx<'_>) -> Result<(), ApiError> {
    if ctx.caller.role == crate::auth::KeyRole::Administrator {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "The request is rejected because the caller is not the organization's management account \
             (the access key of account {} does not have the administrator role).",
            ctx.caller.account_id
        )))
    }
}

pub fn enable_org_admin(svc: &mut Service, ctx: &Ctx<'_>, enable: bool) -> Result<Value, ApiError> {
    require_management(ctx)?;
    let admin = ctx.required_str("adminAccountId")?.to_string();
    if !valid_account(&admin) {
        return Err(ApiError::bad_request(
            "adminAccountId must be a 12-digit account id",
        ));
    }
    if enable {
        let others = svc.store.list_objects(
            kind::ORG_ADMIN,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?;
        if others.iter().any(|o| o.id != admin) {
            return Err(ApiError::bad_request(
                "The request is rejected because the organization already has a delegated administrator; disable it first.",
            ));
        }
        svc.put(
            kind::ORG_ADMIN,
            ctx,
            &admin,
            json!({"adminAccountId": admin, "adminStatus": "ENABLED"}),
        )?;
    } else if !svc.store.delete_object(
        kind::ORG_ADMIN,
        &ctx.caller.account_id,
        &ctx.caller.region,
        &admin,
    )? {
        return Err(ApiError::bad_request(format!(
            "The request is rejected because {admin} is not the delegated administrator."
        )));
    }
    Ok(json!({}))
}

pub fn list_org_admins(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    require_management(ctx)?;
    let all: Vec<Value> = svc
        .store
        .list_objects(
            kind::ORG_ADMIN,
            Some(&ctx.caller.account_id),
            Some(&ctx.caller.region),
        )?
        .into_iter()
        .map(|o| o.body)
        .collect();
    let (page, next) = paginate(all, ctx.i64("maxResults"), ctx.str("nextToken"), 50)?;
    Ok(json!({ "adminAccounts": page, "nextToken": next }))
}

fn is_org_admin(svc: &Service, ctx: &Ctx<'_>) -> Result<bool, ApiError> {
    Ok(svc
        .store
        .list_objects(kind::ORG_ADMIN, None, Some(&ctx.caller.region))?
        .iter()
        .any(|o| o.id == ctx.caller.account_id))
}

pub fn describe_org_config(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    if !is_org_admin(svc, ctx)? {
        return Err(ApiError::bad_request(
            "The request is rejected because the current account is not the delegated administrator of an organization.",
        ));
    }
    let c = svc
        .store
        .get_object(
            kind::ORG_CONFIG,
            &ctx.caller.account_id,
            &ctx.caller.region,
            &d.id,
        )?
        .map(|o| o.body)
        .unwrap_or_else(|| json!({"autoEnableOrganizationMembers": "NONE", "features": []}));
    let auto = c["autoEnableOrganizationMembers"]
        .as_str()
        .unwrap_or("NONE");
    Ok(json!({
        "autoEnable": auto != "NONE",
        "autoEnableOrganizationMembers": auto,
        "memberAccountLimitReached": false,
        "features": c["features"],
        "nextToken": "",
    }))
}

pub fn update_org_config(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let d = svc.detector(ctx)?;
    if !is_org_admin(svc, ctx)? {
        return Err(ApiError::bad_request(
            "The request is rejected because the current account is not the delegated administrator of an organization.",
        ));
    }
    let mut c = svc
        .store
        .get_object(
            kind::ORG_CONFIG,
            &ctx.caller.account_id,
            &ctx.caller.region,
            &d.id,
        )?
        .map(|o| o.body)
        .unwrap_or_else(|| json!({"autoEnableOrganizationMembers": "NONE", "features": []}));
    if let Some(a) = ctx.str("autoEnableOrganizationMembers") {
        c["autoEnableOrganizationMembers"] = json!(a);
    } else if let Some(a) = ctx.bool("autoEnable") {
        c["autoEnableOrganizationMembers"] = json!(if a { "NEW" } else { "NONE" });
    }
    if let Some(f) = ctx.input.get("features") {
        c["features"] = f.clone();
    }
    svc.put(kind::ORG_CONFIG, ctx, &d.id, c)?;
    Ok(json!({}))
}

pub fn org_statistics(svc: &mut Service, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    if !is_org_admin(svc, ctx)? {
        return Err(ApiError::bad_request(
            "The request is rejected because the current account is not the delegated administrator of an organization.",
        ));
    }
    let members = svc.store.list_objects(
        kind::MEMBER,
        Some(&ctx.caller.account_id),
        Some(&ctx.caller.region),
    )?;
    let enabled = members
        .iter()
        .filter(|m| m.body["relationshipStatus"] == "Enabled")
        .count();
    Ok(json!({ "organizationDetails": {
        "updatedAt": ctx.now_secs(),
        "organizationStatistics": {
            "totalAccountsCount": members.len() + 1,
            "memberAccountsCount": members.len(),
            "activeAccountsCount": enabled + 1,
            "enabledAccountsCount": enabled + 1,
            "countByFeature": [],
        }
    }}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn call(svc: &mut Service, account: &str, op: &str, input: Value) -> Value {
        let caller = Caller {
            account_id: account.into(),
            region: "eu-west-1".into(),
            role: crate::auth::KeyRole::Member,
        };
        let input: Map<String, Value> = input.as_object().unwrap().clone();
        let ctx = Ctx {
            caller: &caller,
            input: &input,
            now_ms: 1_780_000_000_000,
        };
        svc.call(op, &ctx)
            .unwrap_or_else(|e| panic!("{op}: {}", e.message))
    }

    fn call_as(
        svc: &mut Service,
        account: &str,
        role: crate::auth::KeyRole,
        op: &str,
        input: Value,
    ) -> Result<Value, ApiError> {
        let caller = Caller {
            account_id: account.into(),
            region: "eu-west-1".into(),
            role,
        };
        let input: Map<String, Value> = input.as_object().unwrap().clone();
        let ctx = Ctx {
            caller: &caller,
            input: &input,
            now_ms: 1_780_000_000_000,
        };
        svc.call(op, &ctx)
    }

    /// Only a key with the administrator role (the organization's management principal) may
    /// designate, list or remove the delegated administrator; an account's ordinary key may not,
    /// not even for itself.
    #[test]
    fn only_the_management_key_designates_the_delegated_administrator() {
        use crate::auth::KeyRole;
        let dir = tempfile::tempdir().unwrap();
        let mut svc = Service::new(warden_store::SqliteStore::open(dir.path()).unwrap());
        let (mgmt, a) = ("999988887777", "111122223333");
        let enable = json!({"adminAccountId": a});
        for op in [
            "EnableOrganizationAdminAccount",
            "DisableOrganizationAdminAccount",
        ] {
            let e = call_as(&mut svc, a, KeyRole::Member, op, enable.clone()).unwrap_err();
            assert_eq!(e.status, 400, "{op}");
            assert!(e.message.contains("management account"), "{}", e.message);
        }
        let e = call_as(
            &mut svc,
            a,
            KeyRole::Member,
            "ListOrganizationAdminAccounts",
            json!({}),
        )
        .unwrap_err();
        assert!(e.message.contains("management account"), "{}", e.message);
        assert!(
            call_as(
                &mut svc,
                mgmt,
                KeyRole::Member,
                "ListOrganizationAdminAccounts",
                json!({})
            )
            .is_err()
        );

        call_as(
            &mut svc,
            mgmt,
            KeyRole::Administrator,
            "EnableOrganizationAdminAccount",
            enable.clone(),
        )
        .unwrap();
        let listed = call_as(
            &mut svc,
            mgmt,
            KeyRole::Administrator,
            "ListOrganizationAdminAccounts",
            json!({}),
        )
        .unwrap();
        assert_eq!(
            listed["adminAccounts"],
            json!([{"adminAccountId": a, "adminStatus": "ENABLED"}])
        );
        // The designated account now acts as the delegated administrator with its own key.
        let det = call(&mut svc, a, "CreateDetector", json!({"enable": true}))["detectorId"]
            .as_str()
            .unwrap()
            .to_string();
        call(
            &mut svc,
            a,
            "DescribeOrganizationConfiguration",
            json!({"DetectorId": det}),
        );
    }

    /// GetMemberDetectors shows the member's detector as GetDetector does: every feature (a
    /// fresh member used to show none, found with boto3), and the administrator's changes.
    #[test]
    fn member_detectors_report_every_feature() {
        let dir = tempfile::tempdir().unwrap();
        let mut svc = Service::new(warden_store::SqliteStore::open(dir.path()).unwrap());
        let (a, b) = ("111122223333", "444455556666");
        let det_a = call(&mut svc, a, "CreateDetector", json!({"enable": true}))["detectorId"]
            .as_str()
            .unwrap()
            .to_string();
        let det_b = call(&mut svc, b, "CreateDetector", json!({"enable": true}))["detectorId"]
            .as_str()
            .unwrap()
            .to_string();
        call(
            &mut svc,
            a,
            "CreateMembers",
            json!({"DetectorId": det_a, "accountDetails": [{"accountId": b, "email": "b@example.com"}]}),
        );
        call(
            &mut svc,
            a,
            "InviteMembers",
            json!({"DetectorId": det_a, "accountIds": [b]}),
        );
        let inv = call(&mut svc, b, "ListInvitations", json!({}))["invitations"][0]["invitationId"]
            .clone();
        call(
            &mut svc,
            b,
            "AcceptAdministratorInvitation",
            json!({"DetectorId": det_b, "administratorId": a, "invitationId": inv}),
        );
        let get = |svc: &mut Service| {
            call(
                svc,
                a,
                "GetMemberDetectors",
                json!({"DetectorId": det_a, "accountIds": [b]}),
            )["members"][0]
                .clone()
        };
        let m = get(&mut svc);
        let own = call(&mut svc, b, "GetDetector", json!({"DetectorId": det_b}));
        assert_eq!(m["features"], own["features"]);
        assert_eq!(m["features"].as_array().unwrap().len(), 7);
        assert_eq!(m["dataSources"]["s3Logs"]["status"], "ENABLED");

        call(
            &mut svc,
            a,
            "UpdateMemberDetectors",
            json!({"DetectorId": det_a, "accountIds": [b], "features": [{"name": "S3_DATA_EVENTS", "status": "DISABLED"}]}),
        );
        let m = get(&mut svc);
        let s3 = m["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "S3_DATA_EVENTS")
            .unwrap();
        assert_eq!(s3["status"], "DISABLED");
        assert_eq!(m["dataSources"]["s3Logs"]["status"], "DISABLED");
        assert_eq!(m["features"].as_array().unwrap().len(), 7);
        let own = call(&mut svc, b, "GetDetector", json!({"DetectorId": det_b}));
        assert_eq!(m["features"], own["features"]);
    }
}

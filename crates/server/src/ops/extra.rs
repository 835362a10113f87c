//! Everything beyond detectors, findings, filters and tags: sets, members, organizations,
//! usage, coverage, and the operations Warden does not implement (a clear BadRequestException
//! naming why, never a fake success).

use super::{members, publishing, sets, usage};
use crate::error::ApiError;
use crate::service::{Ctx, Service};
use serde_json::Value;

const MALWARE: &str = "Warden does not scan EBS volumes, snapshots or S3 objects for malware (no malware engine is built in)";
const INVESTIGATIONS: &str =
    "AI investigations are an AWS preview service with no local equivalent";
const CUSTOM_RULES: &str = "Warden's custom detection rules are configured in its [detection] configuration, not through this API";

pub fn call(svc: &mut Service, op: &str, ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    use sets::{IP_SET, THREAT_ENTITY_SET, THREAT_INTEL_SET, TRUSTED_ENTITY_SET};
    match op {
        "CreateIPSet" => sets::create(svc, ctx, &IP_SET),
        "GetIPSet" => sets::get(svc, ctx, &IP_SET),
        "UpdateIPSet" => sets::update(svc, ctx, &IP_SET),
        "DeleteIPSet" => sets::delete(svc, ctx, &IP_SET),
        "ListIPSets" => sets::list(svc, ctx, &IP_SET),
        "CreateThreatIntelSet" => sets::create(svc, ctx, &THREAT_INTEL_SET),
        "GetThreatIntelSet" => sets::get(svc, ctx, &THREAT_INTEL_SET),
        "UpdateThreatIntelSet" => sets::update(svc, ctx, &THREAT_INTEL_SET),
        "DeleteThreatIntelSet" => sets::delete(svc, ctx, &THREAT_INTEL_SET),
        "ListThreatIntelSets" => sets::list(svc, ctx, &THREAT_INTEL_SET),
        "CreateTrustedEntitySet" => sets::create(svc, ctx, &TRUSTED_ENTITY_SET),
        "GetTrustedEntitySet" => sets::get(svc, ctx, &TRUSTED_ENTITY_SET),
        "UpdateTrustedEntitySet" => sets::update(svc, ctx, &TRUSTED_ENTITY_SET),
        "DeleteTrustedEntitySet" => sets::delete(svc, ctx, &TRUSTED_ENTITY_SET),
        "ListTrustedEntitySets" => sets::list(svc, ctx, &TRUSTED_ENTITY_SET),
        "CreateThreatEntitySet" => sets::create(svc, ctx, &THREAT_ENTITY_SET),
        "GetThreatEntitySet" => sets::get(svc, ctx, &THREAT_ENTITY_SET),
        "UpdateThreatEntitySet" => sets::update(svc, ctx, &THREAT_ENTITY_SET),
        "DeleteThreatEntitySet" => sets::delete(svc, ctx, &THREAT_ENTITY_SET),
        "ListThreatEntitySets" => sets::list(svc, ctx, &THREAT_ENTITY_SET),

        "CreateMembers" => members::create_members(svc, ctx),
        "InviteMembers" => members::invite_members(svc, ctx),
        "GetMembers" => members::get_members(svc, ctx),
        "ListMembers" => members::list_members(svc, ctx),
        "DeleteMembers" => members::delete_members(svc, ctx),
        "DisassociateMembers" => members::set_status(svc, ctx, "Removed", &[]),
        "StartMonitoringMembers" => {
            members::set_status(svc, ctx, "Enabled", &["Enabled", "Disabled"])
        }
        "StopMonitoringMembers" => {
            members::set_status(svc, ctx, "Disabled", &["Enabled", "Disabled"])
        }
        "GetMemberDetectors" => members::member_detectors(svc, ctx),
        "UpdateMemberDetectors" => members::update_member_detectors(svc, ctx),
        "ListInvitations" => members::list_invitations(svc, ctx),
        "GetInvitationsCount" => members::invitations_count(svc, ctx),
        "DeclineInvitations" => members::drop_invitations(svc, ctx, true),
        "DeleteInvitations" => members::drop_invitations(svc, ctx, false),
        "AcceptAdministratorInvitation" => members::accept(svc, ctx, "administratorId"),
        "AcceptInvitation" => members::accept(svc, ctx, "masterId"),
        "GetAdministratorAccount" => members::administrator(svc, ctx, "administrator"),
        "GetMasterAccount" => members::administrator(svc, ctx, "master"),
        "DisassociateFromAdministratorAccount" | "DisassociateFromMasterAccount" => {
            members::disassociate_from_administrator(svc, ctx)
        }
        "EnableOrganizationAdminAccount" => members::enable_org_admin(svc, ctx, true),
        "DisableOrganizationAdminAccount" => members::enable_org_admin(svc, ctx, false),
        "ListOrganizationAdminAccounts" => members::list_org_admins(svc, ctx),
        "DescribeOrganizationConfiguration" => members::describe_org_config(svc, ctx),
        "UpdateOrganizationConfiguration" => members::update_org_config(svc, ctx),
        "GetOrganizationStatistics" => members::org_statistics(svc, ctx),

        "GetUsageStatistics" => usage::statistics(svc, ctx),
        "ListCoverage" => usage::list_coverage(svc, ctx),
        "GetCoverageStatistics" => usage::coverage_statistics(svc, ctx),

        "GetMalwareScanSettings"
        | "UpdateMalwareScanSettings"
        | "StartMalwareScan"
        | "GetMalwareScan"
        | "ListMalwareScans"
        | "DescribeMalwareScans"
        | "SendObjectMalwareScan"
        | "CreateMalwareProtectionPlan"
        | "GetMalwareProtectionPlan"
        | "UpdateMalwareProtectionPlan"
        | "DeleteMalwareProtectionPlan"
        | "ListMalwareProtectionPlans" => Err(ApiError::unsupported(op, MALWARE)),
        "CreateInvestigation"
        | "GetInvestigation"
        | "ListInvestigations"
        | "ListInvestigationRecords" => Err(ApiError::unsupported(op, INVESTIGATIONS)),
        "ListCustomDetectionRules"
        | "GetCustomDetectionRule"
        | "CreateCustomDetectionRuleAssociation"
        | "GetCustomDetectionRuleAssociation"
        | "UpdateCustomDetectionRuleAssociation"
        | "DeleteCustomDetectionRuleAssociation"
        | "ListCustomDetectionRuleAssociations"
        | "CreateCustomDetectionRuleOrgConfiguration"
        | "GetCustomDetectionRuleOrgConfiguration"
        | "UpdateCustomDetectionRuleOrgConfiguration"
        | "DeleteCustomDetectionRuleOrgConfiguration"
        | "ListCustomDetectionRuleOrgConfigurations" => {
            Err(ApiError::unsupported(op, CUSTOM_RULES))
        }
        "GetRemainingFreeTrialDays" => Err(ApiError::unsupported(
            op,
            "Warden is free software with no trial period",
        )),
        "CreatePublishingDestination" => publishing::create(svc, ctx),
        "DescribePublishingDestination" => publishing::describe(svc, ctx),
        "UpdatePublishingDestination" => publishing::update(svc, ctx),
        "DeletePublishingDestination" => publishing::delete(svc, ctx),
        "ListPublishingDestinations" => publishing::list(svc, ctx),
        other => Err(ApiError::unsupported(
            other,
            "this operation is not implemented",
        )),
    }
}

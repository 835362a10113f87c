//! The CloudTrail rule table. Each row documents its finding type's trigger once.

use super::per_event::console_login_succeeded;
use super::{Hit, Rule, Target};
use crate::detect::json::{document, get, items, num_of, path, str_of, truthy};
use crate::detect::s3_policy;
use serde_json::Value;
use warden_model::CloudTrailEvent;

const IAM: &[&str] = &["iam.amazonaws.com"];
const EC2: &[&str] = &["ec2.amazonaws.com"];
const S3: &[&str] = &["s3.amazonaws.com", "s3-control.amazonaws.com"];
const RDS: &[&str] = &["rds.amazonaws.com"];
const ORGS: &[&str] = &["organizations.amazonaws.com"];
const SES: &[&str] = &["ses.amazonaws.com", "email.amazonaws.com"];
const LAMBDA: &[&str] = &["lambda.amazonaws.com"];

const LOW: f64 = 2.0;
const MEDIUM: f64 = 5.0;
const HIGH: f64 = 8.0;

macro_rules! rule {
    ($name:literal, $ty:literal, $sev:expr, custom: $custom:expr, $sources:expr, [$($ev:literal),+ $(,)?], on_failure: $fail:expr, $check:expr, $title:literal) => {
        Rule {
            name: $name,
            finding_type: $ty,
            severity: $sev,
            custom: $custom,
            sources: $sources,
            events: &[$($ev),+],
            on_failure: $fail,
            check: $check,
            title: $title,
        }
    };
}

/// Every table-driven CloudTrail detection.
pub static RULES: &[Rule] = &[
    // Stealth:IAMUser/CloudTrailLoggingDisabled (Low): a trail was deleted or its logging stopped.
    rule!("CloudTrailLoggingDisabled", "Stealth:IAMUser/CloudTrailLoggingDisabled", LOW, custom: false,
        &["cloudtrail.amazonaws.com"], ["StopLogging", "DeleteTrail"], on_failure: false,
        |e| Some(Hit::new(Target::AccessKey, format!("trail {} {}", trail_name(e), if e.event_name() == "DeleteTrail" { "was deleted" } else { "stopped logging" }))),
        "CloudTrail logging was disabled by {actor}."),
    // Stealth:IAMUser/PasswordPolicyChange (Low/Medium/High): the account password policy was
    // deleted (High) or set weaker than a secure baseline; severity grows with the weakening.
    rule!("PasswordPolicyChange", "Stealth:IAMUser/PasswordPolicyChange", LOW, custom: false,
        IAM, ["UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"], on_failure: false,
        password_policy, "The account password policy was weakened by {actor}."),
    // Policy:S3/AccountBlockPublicAccessDisabled (Low): account-level S3 Block Public Access
    // turned off (any of its four settings false) or deleted.
    rule!("AccountBlockPublicAccessDisabled", "Policy:S3/AccountBlockPublicAccessDisabled", LOW, custom: false,
        S3, ["PutAccountPublicAccessBlock", "DeleteAccountPublicAccessBlock"], on_failure: false,
        |e| block_public_access(e).map(|why| Hit::new(Target::AccessKey, why)),
        "S3 Block Public Access was disabled for account {account}."),
    // Policy:S3/BucketBlockPublicAccessDisabled (Low): the same for one bucket.
    rule!("BucketBlockPublicAccessDisabled", "Policy:S3/BucketBlockPublicAccessDisabled", LOW, custom: false,
        S3, ["PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock"], on_failure: false,
        |e| { let b = bucket(e)?; block_public_access(e).map(|why| Hit::new(Target::Bucket(b), why)) },
        "S3 Block Public Access was disabled for bucket {resource}."),
    // Policy:S3/BucketAnonymousAccessGranted (High): a bucket policy or ACL now lets anyone on the
    // internet in (Principal "*" with no restricting condition, AllUsers grant, public-read ACLs).
    rule!("BucketAnonymousAccessGranted", "Policy:S3/BucketAnonymousAccessGranted", HIGH, custom: false,
        S3, ["PutBucketPolicy", "PutBucketAcl", "CreateBucket"], on_failure: false,
        |e| { let x = exposure(e)?; x.anonymous.then(|| exposure_hit(e, x)).flatten() },
        "Bucket {resource} was made accessible to anonymous internet users."),
    // Policy:S3/BucketPublicAccessGranted (High): a bucket ACL now grants every authenticated AWS
    // user access (AuthenticatedUsers group, authenticated-read).
    rule!("BucketPublicAccessGranted", "Policy:S3/BucketPublicAccessGranted", HIGH, custom: false,
        S3, ["PutBucketPolicy", "PutBucketAcl", "CreateBucket"], on_failure: false,
        |e| { let x = exposure(e)?; x.all_authenticated.then(|| exposure_hit(e, x)).flatten() },
        "Bucket {resource} was made accessible to all authenticated AWS users."),
    // Stealth:S3/ServerAccessLoggingDisabled (Low): PutBucketLogging without LoggingEnabled.
    rule!("ServerAccessLoggingDisabled", "Stealth:S3/ServerAccessLoggingDisabled", LOW, custom: false,
        S3, ["PutBucketLogging"], on_failure: false,
        |e| {
            let b = bucket(e)?;
            let v = e.request_value()?;
            let status = get(&v, "BucketLoggingStatus")?;
            get(status, "LoggingEnabled").is_none_or(|l| l.is_null() || l.as_object().is_some_and(|o| o.is_empty()))
                .then(|| Hit::new(Target::Bucket(b), "BucketLoggingStatus has no LoggingEnabled"))
        },
        "Server access logging was disabled for bucket {resource}."),
    // DefenseEvasion:IAMUser/BedrockLoggingDisabled (Medium): Bedrock model invocation logging removed.
    rule!("BedrockLoggingDisabled", "DefenseEvasion:IAMUser/BedrockLoggingDisabled", MEDIUM, custom: false,
        &["bedrock.amazonaws.com"], ["DeleteModelInvocationLoggingConfiguration"], on_failure: false,
        |_| Some(Hit::new(Target::AccessKey, "model invocation logging configuration deleted")),
        "Amazon Bedrock model invocation logging was disabled by {actor}."),
    // ---- Custom Detection Rules (GuardDuty 2026): signal name → Tactic:Service/Technique ----
    // EC2PasswordDataRetrieved (Medium): the Windows administrator password of an instance was read.
    rule!("EC2PasswordDataRetrieved", "CredentialAccess:EC2/UnsecuredCredentials", MEDIUM, custom: true,
        EC2, ["GetPasswordData"], on_failure: false,
        |e| Some(Hit::new(instance_target(e), "GetPasswordData returned the instance's encrypted administrator password")),
        "Password data of instance {resource} was retrieved."),
    // RDSMasterPasswordReset (High): the master user password of a DB instance or cluster was changed.
    rule!("RDSMasterPasswordReset", "CredentialAccess:RDS/ModifyAuthenticationProcess", HIGH, custom: true,
        RDS, ["ModifyDBInstance", "ModifyDBCluster"], on_failure: false,
        |e| { let v = e.request_value()?; get(&v, "masterUserPassword")?; Some(Hit::new(rds_target(e, &v)?, "masterUserPassword was set")) },
        "The master password of database {resource} was reset."),
    // EC2TerminationProtectionEnabled (Low): termination protection turned on (keeps attacker instances alive).
    rule!("EC2TerminationProtectionEnabled", "DefenseImpairment:EC2/DisableOrModifyTools", LOW, custom: true,
        EC2, ["ModifyInstanceAttribute"], on_failure: false,
        |e| { let v = e.request_value()?; (truthy(get(&v, "disableApiTermination"))? || attribute_is(&v, "disableApiTermination", true)).then(|| Hit::new(instance_target(e), "disableApiTermination set to true")) },
        "Termination protection was enabled on instance {resource}."),
    // VPCFlowLogsDeleted (High): VPC flow logs were deleted.
    rule!("VPCFlowLogsDeleted", "DefenseImpairment:EC2/DisableOrModifyTools", HIGH, custom: true,
        EC2, ["DeleteFlowLogs"], on_failure: false,
        |e| {
            let v = e.request_value().unwrap_or(Value::Null);
            let ids: Vec<String> = items(path(&v, &["DeleteFlowLogsRequest", "FlowLogId"]).or_else(|| get(&v, "flowLogIds")))
                .into_iter().filter_map(|x| x.as_str().or_else(|| str_of(get(x, "content"))).map(str::to_string)).collect();
            let mut h = Hit::new(Target::AccessKey, format!("flow logs deleted: {}", if ids.is_empty() { "(ids not recorded)".into() } else { ids.join(", ") }));
            if let Some(first) = ids.first() { h.affected.push(("AWS::EC2::FlowLog", first.clone())); }
            Some(h)
        },
        "VPC flow logs were deleted by {actor}."),
    // OrganizationLeaveAttempt (High): the account tried to leave its AWS Organization (the attempt counts).
    rule!("OrganizationLeaveAttempt", "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", HIGH, custom: true,
        ORGS, ["LeaveOrganization"], on_failure: true,
        |e| Some(Hit::new(Target::AccessKey, match e.error_code() { Some(c) => format!("LeaveOrganization attempted (failed with {c})"), None => "account left its organization".into() })),
        "Account {account} attempted to leave its AWS Organization."),
    // OrganizationPolicyDisabled (High): a policy type (SCPs, tag policies...) was disabled for a root.
    rule!("OrganizationPolicyDisabled", "DefenseImpairment:Organizations/DisableOrModifyTools", HIGH, custom: true,
        ORGS, ["DisablePolicyType"], on_failure: false,
        |e| { let v = e.request_value().unwrap_or(Value::Null); Some(Hit::new(Target::AccessKey, format!("policy type {} disabled", str_of(get(&v, "policyType")).unwrap_or("?")))) },
        "An AWS Organizations policy type was disabled by {actor}."),
    // RDSIAMAuthDisabled (Medium): IAM database authentication turned off.
    rule!("RDSIAMAuthDisabled", "DefenseImpairment:RDS/ModifyAuthenticationProcess", MEDIUM, custom: true,
        RDS, ["ModifyDBInstance", "ModifyDBCluster"], on_failure: false,
        |e| { let v = e.request_value()?; if truthy(get(&v, "enableIAMDatabaseAuthentication"))? { return None; } Some(Hit::new(rds_target(e, &v)?, "enableIAMDatabaseAuthentication set to false")) },
        "IAM database authentication was disabled on {resource}."),
    // DNSQueryLogsDeleted (Medium): Route 53 (Resolver) query logging removed.
    rule!("DNSQueryLogsDeleted", "DefenseImpairment:Route53Resolver/DisableOrModifyTools", MEDIUM, custom: true,
        &["route53resolver.amazonaws.com", "route53.amazonaws.com"],
        ["DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig", "DeleteQueryLoggingConfig"], on_failure: false,
        |e| Some(Hit::new(Target::AccessKey, format!("{} removed DNS query logging", e.event_name()))),
        "DNS query logging was removed by {actor}."),
    // S3CustomerProvidedKeysEnabled (High): a bucket's encryption settings stop blocking SSE-C
    // (customer-provided keys, the "encrypt for ransom" technique).
    rule!("S3CustomerProvidedKeysEnabled", "DefenseImpairment:S3/DisableOrModifyTools", HIGH, custom: true,
        S3, ["PutBucketEncryption"], on_failure: false,
        |e| {
            let b = bucket(e)?;
            let v = e.request_value()?;
            let blocked = find_key(&v, "BlockedEncryptionTypes", 0)?;
            let blocks_ssec = find_key(blocked, "EncryptionType", 0)
                .map(|t| items(Some(t)).iter().any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case("SSE-C"))))
                .unwrap_or(false);
            (!blocks_ssec).then(|| Hit::new(Target::Bucket(b), "BlockedEncryptionTypes no longer includes SSE-C"))
        },
        "Customer-provided encryption keys (SSE-C) were enabled on bucket {resource}."),
    // SageMakerLifecycleConfigModified (Medium): notebook lifecycle scripts (run as root at start) changed.
    rule!("SageMakerLifecycleConfigModified", "Execution:SageMaker/CommandAndScriptingInterpreter", MEDIUM, custom: true,
        &["sagemaker.amazonaws.com"],
        ["UpdateNotebookInstanceLifecycleConfig", "CreateNotebookInstanceLifecycleConfig", "UpdateNotebookInstance"], on_failure: false,
        |e| {
            let v = e.request_value().unwrap_or(Value::Null);
            if e.event_name() == "UpdateNotebookInstance" {
                let name = str_of(get(&v, "lifecycleConfigName"))?;
                return Some(Hit::new(Target::AccessKey, format!("notebook instance now runs lifecycle config {name}")));
            }
            Some(Hit::new(Target::AccessKey, format!("lifecycle config {} written", str_of(get(&v, "notebookInstanceLifecycleConfigName")).unwrap_or("?"))))
        },
        "A SageMaker notebook lifecycle configuration was modified by {actor}."),
    // AMIExternalAccess (High): an AMI's launch permission was shared with another account or everyone.
    rule!("AMIExternalAccess", "Exfiltration:EC2/TransferDataToCloudAccount", HIGH, custom: true,
        EC2, ["ModifyImageAttribute"], on_failure: false,
        |e| {
            let v = e.request_value()?;
            let who = external_grants(get(&v, "launchPermission"), e.account_id())?;
            Some(Hit::new(Target::Image(str_of(get(&v, "imageId")).unwrap_or("unknown").into()), format!("launch permission added for {who}")))
        },
        "AMI {resource} was shared outside account {account}."),
    // EBSSnapshotExternalAccess (High): an EBS snapshot was shared with another account or everyone.
    rule!("EBSSnapshotExternalAccess", "Exfiltration:EC2/TransferDataToCloudAccount", HIGH, custom: true,
        EC2, ["ModifySnapshotAttribute"], on_failure: false,
        |e| {
            let v = e.request_value()?;
            let who = external_grants(get(&v, "createVolumePermission"), e.account_id())?;
            Some(Hit::new(Target::Snapshot(str_of(get(&v, "snapshotId")).unwrap_or("unknown").into()), format!("create volume permission added for {who}")))
        },
        "EBS snapshot {resource} was shared outside account {account}."),
    // RDSSnapshotPubliclyShared (High): a DB (cluster) snapshot's restore attribute now includes "all".
    rule!("RDSSnapshotPubliclyShared", "Exfiltration:RDS/TransferDataToCloudAccount", HIGH, custom: true,
        RDS, ["ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"], on_failure: false,
        |e| {
            let v = e.request_value()?;
            if !str_of(get(&v, "attributeName"))?.eq_ignore_ascii_case("restore") { return None; }
            let public = items(get(&v, "valuesToAdd")).iter().any(|x| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case("all")));
            let snap = str_of(get(&v, "dBSnapshotIdentifier")).or_else(|| str_of(get(&v, "dBClusterSnapshotIdentifier"))).unwrap_or("unknown");
            let mut h = Hit::new(Target::AccessKey, format!("snapshot {snap} restore attribute now includes \"all\""));
            h.affected.push(("AWS::RDS::DBSnapshot", snap.to_string()));
            public.then_some(h)
        },
        "An RDS snapshot was made public by {actor}."),
    // S3BucketPolicyExternalAccess (High): a bucket policy Allows a principal of another account, or everyone.
    rule!("S3BucketPolicyExternalAccess", "Exfiltration:S3/TransferDataToCloudAccount", HIGH, custom: true,
        S3, ["PutBucketPolicy"], on_failure: false,
        |e| {
            let b = bucket(e)?;
            let v = e.request_value()?;
            let owner = Some(e.account_id()).filter(|a| !a.is_empty());
            let x = s3_policy::evaluate_put_bucket_policy(&v, owner)?;
            if x.external_accounts.is_empty() && !x.is_public() { return None; }
            let who = if x.is_public() { "everyone".to_string() } else { format!("account(s) {}", x.external_accounts.join(", ")) };
            let mut h = Hit::new(Target::Bucket(b), format!("bucket policy grants access to {who}"));
            h.reasons.extend(x.reasons);
            Some(h)
        },
        "Bucket {resource} policy grants access outside account {account}."),
    // S3LifecycleRapidExpiration (Medium): an enabled lifecycle rule expires objects within a day.
    rule!("S3LifecycleRapidExpiration", "Impact:S3/DataDestruction", MEDIUM, custom: true,
        S3, ["PutBucketLifecycle", "PutBucketLifecycleConfiguration"], on_failure: false,
        |e| {
            let b = bucket(e)?;
            let v = e.request_value()?;
            let cfg = get(&v, "LifecycleConfiguration").unwrap_or(&v);
            for r in items(get(cfg, "Rule").or_else(|| get(cfg, "Rules"))) {
                if !str_of(get(r, "Status")).is_some_and(|s| s.eq_ignore_ascii_case("Enabled")) { continue; }
                let days = num_of(path(r, &["Expiration", "Days"]));
                let nc = num_of(path(r, &["NoncurrentVersionExpiration", "NoncurrentDays"]));
                if let Some(d) = days.filter(|d| *d <= 1.0).or(nc.filter(|d| *d <= 1.0)) {
                    return Some(Hit::new(Target::Bucket(b), format!("lifecycle rule {} expires objects after {d} day(s)", str_of(get(r, "ID")).unwrap_or("?"))));
                }
            }
            None
        },
        "Bucket {resource} lifecycle rules delete objects within a day."),
    // SESAccountSendingEnabled (Low): email sending (re-)enabled for the account.
    rule!("SESAccountSendingEnabled", "Impact:SES/ResourceHijacking", LOW, custom: true,
        SES, ["UpdateAccountSendingEnabled", "PutAccountSendingAttributes"], on_failure: false,
        |e| { let v = e.request_value()?; truthy(get(&v, "enabled").or_else(|| get(&v, "sendingEnabled")))?.then(|| Hit::new(Target::AccessKey, "SES sending enabled")) },
        "Amazon SES sending was enabled for account {account}."),
    // SESProductionAccessEnabled (Medium): production (out-of-sandbox) access requested for SES:
    // PutAccountDetails with productionAccessEnabled true. Without the flag the call only updates
    // the account's contact details (AWS's own CLI instructions pass --production-access-enabled).
    rule!("SESProductionAccessEnabled", "Impact:SES/ResourceHijacking", MEDIUM, custom: true,
        SES, ["PutAccountDetails"], on_failure: false,
        |e| { let v = e.request_value()?; truthy(get(&v, "productionAccessEnabled"))?.then(|| Hit::new(Target::AccessKey, format!("SES production access requested (mail type {})", str_of(get(&v, "mailType")).unwrap_or("?")))) },
        "Amazon SES production access was requested for account {account}."),
    // ConsoleLoginWithoutMFA (Medium): a successful console sign-in of an IAM user or root without MFA.
    rule!("ConsoleLoginWithoutMFA", "InitialAccess:IAM/ValidAccounts", MEDIUM, custom: true,
        &["signin.amazonaws.com"], ["ConsoleLogin"], on_failure: false,
        |e| {
            if !matches!(e.identity_type(), "IAMUser" | "Root") || !console_login_succeeded(e) { return None; }
            let extra: Value = e.additional()?;
            str_of(get(&extra, "MFAUsed"))?.eq_ignore_ascii_case("No").then(|| Hit::new(Target::AccessKey, "console sign-in succeeded with MFAUsed=No"))
        },
        "{actor} signed in to the console without MFA."),
    // RDSPubliclyAccessible (High): a DB instance was made reachable from the internet.
    rule!("RDSPubliclyAccessible", "InitialAccess:RDS/ExploitPublicFacingApplication", HIGH, custom: true,
        RDS, ["CreateDBInstance", "ModifyDBInstance", "ModifyDBCluster", "CreateDBCluster"], on_failure: false,
        |e| { let v = e.request_value()?; if !truthy(get(&v, "publiclyAccessible"))? { return None; } Some(Hit::new(rds_target(e, &v)?, "publiclyAccessible set to true")) },
        "Database {resource} was made publicly accessible."),
    // EC2InstanceSSHKeyPushed (Medium): an SSH key was pushed to an instance with EC2 Instance Connect.
    rule!("EC2InstanceSSHKeyPushed", "LateralMovement:EC2/RemoteServices", MEDIUM, custom: true,
        &["ec2-instance-connect.amazonaws.com"], ["SendSSHPublicKey", "SendSerialConsoleSSHPublicKey"], on_failure: false,
        |e| {
            let v = e.request_value().unwrap_or(Value::Null);
            let os_user = str_of(get(&v, "instanceOSUser")).unwrap_or("?").to_string();
            Some(Hit::new(instance_target(e), format!("SSH public key pushed for OS user {os_user}")))
        },
        "An SSH key was pushed to instance {resource}."),
    // EC2UserDataModified (High): an instance's user data (boot script) was replaced.
    rule!("EC2UserDataModified", "Persistence:EC2/BootOrLogonInitializationScripts", HIGH, custom: true,
        EC2, ["ModifyInstanceAttribute"], on_failure: false,
        |e| { let v = e.request_value()?; (get(&v, "userData").is_some() || attribute_is_named(&v, "userData")).then(|| Hit::new(instance_target(e), "user data (boot script) replaced")) },
        "User data of instance {resource} was modified."),
    // EC2SecurityGroupPublicSSH (Medium): a security group now admits SSH (TCP 22) from anywhere.
    rule!("EC2SecurityGroupPublicSSH", "Persistence:EC2/ExternalRemoteServices", MEDIUM, custom: true,
        EC2, ["AuthorizeSecurityGroupIngress"], on_failure: false,
        public_ssh, "Security group allows SSH from the internet."),
    // IAMAccessKeyCreated (Low): a new access key for an IAM user.
    rule!("IAMAccessKeyCreated", "Persistence:IAM/AccountManipulation", LOW, custom: true,
        IAM, ["CreateAccessKey"], on_failure: false,
        |e| { let v = e.request_value().unwrap_or(Value::Null); Some(Hit::new(Target::AccessKey, format!("access key created for user {}", str_of(get(&v, "userName")).unwrap_or("(caller)")))) },
        "An IAM access key was created by {actor}."),
    // IAMRoleTrustPolicyModified (Medium): who may assume a role was changed.
    rule!("IAMRoleTrustPolicyModified", "Persistence:IAM/AccountManipulation", MEDIUM, custom: true,
        IAM, ["UpdateAssumeRolePolicy"], on_failure: false,
        |e| { let v = e.request_value().unwrap_or(Value::Null); Some(Hit::new(Target::AccessKey, format!("trust policy of role {} replaced", str_of(get(&v, "roleName")).unwrap_or("?")))) },
        "An IAM role trust policy was modified by {actor}."),
    // IAMUserLoginProfileCreated (High): console password created for an IAM user.
    rule!("IAMUserLoginProfileCreated", "Persistence:IAM/AccountManipulation", HIGH, custom: true,
        IAM, ["CreateLoginProfile"], on_failure: false,
        |e| { let v = e.request_value().unwrap_or(Value::Null); Some(Hit::new(Target::AccessKey, format!("console password created for user {}", str_of(get(&v, "userName")).unwrap_or("?")))) },
        "A console login profile was created by {actor}."),
    // IAMUserLoginProfileUpdated (Medium): an IAM user's console password was changed by someone.
    rule!("IAMUserLoginProfileUpdated", "Persistence:IAM/AccountManipulation", MEDIUM, custom: true,
        IAM, ["UpdateLoginProfile"], on_failure: false,
        |e| { let v = e.request_value().unwrap_or(Value::Null); Some(Hit::new(Target::AccessKey, format!("console password changed for user {}", str_of(get(&v, "userName")).unwrap_or("?")))) },
        "A console login profile was updated by {actor}."),
    // LambdaFunctionPublicAccess (High): a function's resource policy lets anyone invoke it.
    rule!("LambdaFunctionPublicAccess", "Persistence:Lambda/AccountManipulation", HIGH, custom: true,
        LAMBDA, ["AddPermission"], on_failure: false,
        |e| {
            let v = e.request_value()?;
            if str_of(get(&v, "principal"))? != "*" { return None; }
            if ["sourceArn", "sourceAccount", "principalOrgID"].iter().any(|k| get(&v, k).is_some_and(|x| !x.is_null())) { return None; }
            Some(Hit::new(Target::Lambda(str_of(get(&v, "functionName")).unwrap_or("unknown").into()), format!("permission {} lets principal \"*\" call {}", str_of(get(&v, "statementId")).unwrap_or("?"), str_of(get(&v, "action")).unwrap_or("?"))))
        },
        "Lambda function {resource} was made publicly invocable."),
    // LambdaFunctionUrlPublicAccess (High): a function URL with no authentication.
    rule!("LambdaFunctionUrlPublicAccess", "Persistence:Lambda/ModifyAuthenticationProcess", HIGH, custom: true,
        LAMBDA, ["CreateFunctionUrlConfig", "UpdateFunctionUrlConfig"], on_failure: false,
        |e| { let v = e.request_value()?; str_of(get(&v, "authType"))?.eq_ignore_ascii_case("NONE").then(|| Hit::new(Target::Lambda(str_of(get(&v, "functionName")).unwrap_or("unknown").into()), "function URL auth type NONE")) },
        "Lambda function {resource} got a public function URL."),
    // RolesAnywhereTrustAnchorCreated (Medium): an outside CA can now mint credentials for roles.
    rule!("RolesAnywhereTrustAnchorCreated", "Persistence:RolesAnywhere/AccountManipulation", MEDIUM, custom: true,
        &["rolesanywhere.amazonaws.com"], ["CreateTrustAnchor"], on_failure: false,
        |e| { let v = e.request_value().unwrap_or(Value::Null); Some(Hit::new(Target::AccessKey, format!("trust anchor {} created", str_of(get(&v, "name")).unwrap_or("?")))) },
        "An IAM Roles Anywhere trust anchor was created by {actor}."),
    // AdminPolicyAttachedToRole (High): AdministratorAccess (or an inline "*" on "*") given to a role.
    rule!("AdminPolicyAttachedToRole", "PrivilegeEscalation:IAM/AccountManipulation", HIGH, custom: true,
        IAM, ["AttachRolePolicy", "PutRolePolicy"], on_failure: false,
        |e| admin_policy(e, "roleName"), "Administrator access was granted to role {resource}."),
    // AdminPolicyAttachedToUser (High): the same for an IAM user.
    rule!("AdminPolicyAttachedToUser", "PrivilegeEscalation:IAM/AccountManipulation", HIGH, custom: true,
        IAM, ["AttachUserPolicy", "PutUserPolicy"], on_failure: false,
        |e| admin_policy(e, "userName"), "Administrator access was granted to user {resource}."),
    // BedrockServiceCredentialCreated (Medium): a Bedrock API key (service-specific credential) created.
    rule!("BedrockServiceCredentialCreated", "PrivilegeEscalation:IAM/AccountManipulation", MEDIUM, custom: true,
        IAM, ["CreateServiceSpecificCredential"], on_failure: false,
        |e| { let v = e.request_value()?; str_of(get(&v, "serviceName"))?.starts_with("bedrock").then(|| Hit::new(Target::AccessKey, format!("Bedrock credential created for user {}", str_of(get(&v, "userName")).unwrap_or("?")))) },
        "An Amazon Bedrock service credential was created by {actor}."),
    // SESFullAccessPolicyAttachedToRole (Medium): AmazonSESFullAccess attached to a role.
    rule!("SESFullAccessPolicyAttachedToRole", "PrivilegeEscalation:IAM/AccountManipulation", MEDIUM, custom: true,
        IAM, ["AttachRolePolicy"], on_failure: false,
        |e| managed_policy(e, "roleName", "/AmazonSESFullAccess"), "AmazonSESFullAccess was attached to role {resource}."),
    // SESFullAccessPolicyAttachedToUser (Medium): AmazonSESFullAccess attached to a user.
    rule!("SESFullAccessPolicyAttachedToUser", "PrivilegeEscalation:IAM/AccountManipulation", MEDIUM, custom: true,
        IAM, ["AttachUserPolicy"], on_failure: false,
        |e| managed_policy(e, "userName", "/AmazonSESFullAccess"), "AmazonSESFullAccess was attached to user {resource}."),
    // SESDomainIdentityVerified (Medium): a sending domain was added to SES.
    rule!("SESDomainIdentityVerified", "ResourceDevelopment:SES/CompromiseAccounts", MEDIUM, custom: true,
        SES, ["VerifyDomainIdentity", "CreateEmailIdentity", "VerifyDomainDkim"], on_failure: false,
        |e| {
            let v = e.request_value()?;
            let domain = str_of(get(&v, "domain")).or_else(|| str_of(get(&v, "emailIdentity")))?;
            (!domain.contains('@')).then(|| Hit::new(Target::AccessKey, format!("domain identity {domain} added to SES")))
        },
        "A domain identity was registered with Amazon SES by {actor}."),
];

fn trail_name(e: &CloudTrailEvent<'_>) -> String {
    e.request_value()
        .and_then(|v| str_of(get(&v, "name")).map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn bucket(e: &CloudTrailEvent<'_>) -> Option<String> {
    let v = e.request_value()?;
    str_of(get(&v, "bucketName")).map(str::to_string)
}

fn instance_target(e: &CloudTrailEvent<'_>) -> Target {
    let id = e
        .request_value()
        .and_then(|v| str_of(get(&v, "instanceId")).map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    Target::Instance(id)
}

fn rds_target(_e: &CloudTrailEvent<'_>, v: &Value) -> Option<Target> {
    if let Some(id) = str_of(get(v, "dBInstanceIdentifier")) {
        return Some(Target::Rds {
            id: id.into(),
            cluster: false,
        });
    }
    str_of(get(v, "dBClusterIdentifier")).map(|id| Target::Rds {
        id: id.into(),
        cluster: true,
    })
}

/// Older SDKs send `{"attribute":"disableApiTermination","value":"true"}`.
fn attribute_is(v: &Value, name: &str, expected: bool) -> bool {
    attribute_is_named(v, name) && truthy(get(v, "value")) == Some(expected)
}
fn attribute_is_named(v: &Value, name: &str) -> bool {
    str_of(get(v, "attribute")).is_some_and(|a| a.eq_ignore_ascii_case(name))
}

/// Depth-bounded search for a key anywhere in a document.
fn find_key<'v>(v: &'v Value, key: &str, depth: u8) -> Option<&'v Value> {
    if depth > 12 {
        return None;
    }
    match v {
        Value::Object(o) => o
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, x)| x)
            .or_else(|| o.values().find_map(|x| find_key(x, key, depth + 1))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key, depth + 1)),
        _ => None,
    }
}

/// Why a Put/Delete*PublicAccessBlock weakens protection, if it does.
fn block_public_access(e: &CloudTrailEvent<'_>) -> Option<String> {
    if e.event_name().starts_with("Delete") {
        return Some("public access block configuration deleted".into());
    }
    let v = e.request_value()?;
    let cfg = get(&v, "PublicAccessBlockConfiguration")?;
    let off: Vec<&str> = [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ]
    .into_iter()
    .filter(|k| truthy(get(cfg, k)) != Some(true))
    .collect();
    (!off.is_empty()).then(|| format!("{} turned off", off.join(", ")))
}

fn exposure(e: &CloudTrailEvent<'_>) -> Option<s3_policy::Exposure> {
    let v = e.request_value()?;
    if e.event_name() == "PutBucketPolicy" {
        let owner = Some(e.account_id()).filter(|a| !a.is_empty());
        s3_policy::evaluate_put_bucket_policy(&v, owner)
    } else {
        Some(s3_policy::evaluate_acl_request(&v))
    }
}

fn exposure_hit(e: &CloudTrailEvent<'_>, x: s3_policy::Exposure) -> Option<Hit> {
    let b = bucket(e)?;
    let mut h = Hit {
        resource: Target::Bucket(b),
        reasons: x.reasons,
        ..Default::default()
    };
    if x.allows_write {
        h.reasons.push("the grant includes write access".into());
    }
    Some(h)
}

/// Who a `{"add": {"items": [{"userId"|"group"}]}}` permission change adds outside `owner`.
fn external_grants(perm: Option<&Value>, owner: &str) -> Option<String> {
    let add = get(perm?, "add")?;
    let mut who = Vec::new();
    for item in items(Some(add)) {
        if str_of(get(item, "group")).is_some_and(|g| g.eq_ignore_ascii_case("all")) {
            who.push("everyone (group all)".to_string());
        }
        if let Some(u) = str_of(get(item, "userId")).filter(|u| *u != owner) {
            who.push(format!("account {u}"));
        }
        if let Some(a) = str_of(get(item, "organizationArn"))
            .or_else(|| str_of(get(item, "organizationalUnitArn")))
        {
            who.push(a.to_string());
        }
    }
    (!who.is_empty()).then(|| who.join(", "))
}

fn managed_policy(e: &CloudTrailEvent<'_>, principal_key: &str, suffix: &str) -> Option<Hit> {
    let v = e.request_value()?;
    let arn = str_of(get(&v, "policyArn"))?;
    let name = str_of(get(&v, principal_key))?;
    (arn.starts_with("arn:aws") && arn.contains(":iam::aws:policy") && arn.ends_with(suffix)).then(
        || {
            let mut h = Hit::new(Target::AccessKey, format!("{arn} attached to {name}"));
            h.affected.push(("AWS::IAM::Principal", name.to_string()));
            h
        },
    )
}

/// AdministratorAccess attached, or an inline policy allowing "*" on "*".
fn admin_policy(e: &CloudTrailEvent<'_>, principal_key: &str) -> Option<Hit> {
    if e.event_name().starts_with("Attach") {
        return managed_policy(e, principal_key, "/AdministratorAccess");
    }
    let v = e.request_value()?;
    let name = str_of(get(&v, principal_key))?.to_string();
    let doc = document(get(&v, "policyDocument"))?;
    let grants_all = items(get(&doc, "Statement")).iter().take(1000).any(|s| {
        let allow = str_of(get(s, "Effect")).is_some_and(|x| x.eq_ignore_ascii_case("Allow"));
        let any = |k: &str| match get(s, k) {
            Some(Value::String(x)) => x == "*" || x == "*:*",
            Some(Value::Array(a)) => a
                .iter()
                .any(|x| x.as_str().is_some_and(|x| x == "*" || x == "*:*")),
            _ => false,
        };
        allow && any("Action") && any("Resource")
    });
    grants_all.then(|| {
        let mut h = Hit::new(
            Target::AccessKey,
            format!(
                "inline policy {} allows Action \"*\" on Resource \"*\" for {name}",
                str_of(get(&v, "policyName")).unwrap_or("?")
            ),
        );
        h.affected.push(("AWS::IAM::Principal", name));
        h
    })
}

/// Password policy weakening, scored against a secure baseline (CIS AWS Foundations):
/// length ≥ 14, all four character classes, max age 1–90 days, reuse prevention ≥ 24.
/// Missing settings take AWS's defaults (length 8, no requirements, no expiry, no reuse
/// prevention). 1–2 weakened settings → Low, 3+ or length < 8 → Medium, deletion → High.
fn password_policy(e: &CloudTrailEvent<'_>) -> Option<Hit> {
    if e.event_name() == "DeleteAccountPasswordPolicy" {
        let mut h = Hit::new(
            Target::AccessKey,
            "account password policy deleted (no password requirements remain)",
        );
        h.severity = Some(HIGH);
        return Some(h);
    }
    let v = e.request_value().unwrap_or(Value::Null);
    let mut weak = Vec::new();
    let len = num_of(get(&v, "minimumPasswordLength")).unwrap_or(8.0);
    if len < 14.0 {
        weak.push(format!("minimum length {len} < 14"));
    }
    for k in [
        "requireSymbols",
        "requireNumbers",
        "requireUppercaseCharacters",
        "requireLowercaseCharacters",
    ] {
        if truthy(get(&v, k)) != Some(true) {
            weak.push(format!("{k} off"));
        }
    }
    match num_of(get(&v, "maxPasswordAge")) {
        Some(d) if (1.0..=90.0).contains(&d) => {}
        Some(d) => weak.push(format!("maxPasswordAge {d} > 90")),
        None => weak.push("passwords never expire".into()),
    }
    let reuse = num_of(get(&v, "passwordReusePrevention")).unwrap_or(0.0);
    if reuse < 24.0 {
        weak.push(format!("passwordReusePrevention {reuse} < 24"));
    }
    if weak.is_empty() {
        return None;
    }
    let severity = if weak.len() >= 3 || len < 8.0 {
        MEDIUM
    } else {
        LOW
    };
    let mut h = Hit::new(
        Target::AccessKey,
        format!(
            "{} setting(s) weaker than baseline: {}",
            weak.len(),
            weak.join(", ")
        ),
    );
    h.severity = Some(severity);
    Some(h)
}

/// AuthorizeSecurityGroupIngress covering TCP 22 from 0.0.0.0/0 or ::/0.
fn public_ssh(e: &CloudTrailEvent<'_>) -> Option<Hit> {
    let v = e.request_value()?;
    let group = str_of(get(&v, "groupId"))
        .or_else(|| str_of(get(&v, "groupName")))
        .unwrap_or("unknown")
        .to_string();
    for p in items(get(&v, "ipPermissions")) {
        let proto = str_of(get(p, "ipProtocol"))
            .map(str::to_string)
            .or_else(|| num_of(get(p, "ipProtocol")).map(|n| n.to_string()))
            .unwrap_or_default();
        let all = proto == "-1";
        let tcp = all || proto.eq_ignore_ascii_case("tcp") || proto == "6";
        if !tcp {
            continue;
        }
        let from = num_of(get(p, "fromPort")).unwrap_or(if all { 0.0 } else { -1.0 });
        let to = num_of(get(p, "toPort")).unwrap_or(if all { 65535.0 } else { -1.0 });
        let covers_22 =
            all || (from <= 22.0 && 22.0 <= to) || (from == -1.0 && to == -1.0 && proto == "-1");
        if !covers_22 {
            continue;
        }
        let v4 = items(get(p, "ipRanges"))
            .iter()
            .any(|r| str_of(get(r, "cidrIp")) == Some("0.0.0.0/0"));
        let v6 = items(get(p, "ipv6Ranges"))
            .iter()
            .any(|r| str_of(get(r, "cidrIpv6")) == Some("::/0"));
        if v4 || v6 {
            let mut h = Hit::new(
                Target::AccessKey,
                format!(
                    "security group {group} admits TCP {}-{} from {}",
                    from,
                    to,
                    if v4 { "0.0.0.0/0" } else { "::/0" }
                ),
            );
            h.affected.push(("AWS::EC2::SecurityGroup", group));
            return Some(h);
        }
    }
    None
}

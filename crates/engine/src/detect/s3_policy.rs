//! Who does an S3 bucket policy or ACL grant access to?
//!
//! CloudTrail records the full policy document or ACL in the `requestParameters`
//! of `PutBucketPolicy`, `PutBucketAcl`, `CreateBucket` and `PutObjectAcl`
//! events. This module turns those documents into an [`Exposure`]: whether the
//! grant reaches anonymous internet users, every authenticated AWS principal,
//! or principals in other AWS accounts, and whether any such grant allows
//! writing. Detectors use it for `Policy:S3/BucketAnonymousAccessGranted`,
//! `Policy:S3/BucketPublicAccessGranted` and `S3BucketPolicyExternalAccess`.
//!
//! The evaluation follows the spirit of S3's own "is this public?" check:
//!
//! * only `Allow` statements grant; `Deny` statements never do;
//! * `Principal: "*"` (or `{"AWS":"*"}`) and `NotPrincipal` with `Allow` are
//!   public, unless a condition pins the statement to fixed values of a
//!   key that restricts who can use it (`aws:SourceVpce`,
//!   `aws:PrincipalOrgID`, `aws:SourceAccount`, a non-global `aws:SourceIp`,
//!   ...). Negated operators (`StringNotEquals`, `NotIpAddress`, ...),
//!   `...IfExists` operators and `ForAllValues:` operators do not restrict,
//!   because a request without the key still matches them; neither does a
//!   value that is only `*` or (for `...Like`/`Arn...` operators) one that
//!   leaves the account open;
//! * accounts named by principals or by restricting conditions are external
//!   unless they equal the bucket owner's account;
//! * for ACLs, grants to the `AllUsers` group are anonymous and grants to the
//!   `AuthenticatedUsers` group reach all authenticated AWS users; canonical
//!   user ids cannot be mapped to account ids and are ignored.
//!
//! Only grants that expose the bucket (public or external) count towards
//! [`Exposure::allows_write`]; the owner granting itself `s3:*` is normal.
//!
//! Everything here is pure and total: any JSON value is accepted, nothing
//! panics, no recursion follows the input's nesting, and the work is bounded
//! (at most [`MAX_ITEMS`] statements, principals, grants, ... are looked at;
//! a reason says when something was cut short).

use std::borrow::Cow;

use serde_json::Value;

/// The most statements, principals, grants, actions or condition entries
/// looked at in any one list.
pub const MAX_ITEMS: usize = 1000;
/// The most reasons recorded (truncation notes come on top of this).
const MAX_REASONS: usize = 100;
/// How many times a policy given as a JSON string is unwrapped.
const MAX_STRING_UNWRAP: usize = 3;
/// Policy strings longer than this are not parsed (S3 caps policies at 20 KiB).
const MAX_POLICY_STRING_BYTES: usize = 1 << 20;
/// How many actions a reason lists before summarising the rest.
const REASON_ACTIONS: usize = 5;

/// What a bucket policy or ACL grants, and to whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Anyone on the internet, unauthenticated (Principal "*" / {"AWS":"*"} without a restricting condition, AllUsers grant, canned public-read / public-read-write).
    pub anonymous: bool,
    /// Any authenticated AWS principal in any account (AuthenticatedUsers group grant, canned authenticated-read).
    pub all_authenticated: bool,
    /// Account ids (12 digits) other than the owner's that are granted access (from principal ARNs, bare account ids, or ACL grantee canonical ids are NOT account ids - ignore canonical ids).
    pub external_accounts: Vec<String>, // sorted, deduplicated
    /// Whether any grant allows writing (s3:Put*, s3:Delete*, s3:*, "*", ACL WRITE/WRITE_ACP/FULL_CONTROL, public-read-write).
    pub allows_write: bool,
    /// Human-readable reasons, e.g. "statement 0 (Sid PublicRead) allows s3:GetObject to Principal \"*\"".
    pub reasons: Vec<String>,
}

impl Exposure {
    /// Anonymous or all-authenticated-users access.
    pub fn is_public(&self) -> bool {
        self.anonymous || self.all_authenticated
    }
}

/// Evaluate a bucket policy document (a JSON object with Statement, or a JSON string containing one).
pub fn evaluate_policy(policy: &Value, owner_account: Option<&str>) -> Exposure {
    let owner = normalise_owner(owner_account);
    let mut b = Builder::default();
    let Some(doc) = resolve_document(policy) else {
        return b.finish();
    };
    let Some(statements) = get_ci(&doc, "Statement") else {
        return b.finish();
    };
    match statements {
        Value::Object(_) => eval_statement(&mut b, 0, statements, owner),
        Value::Array(list) => {
            for (i, stmt) in list.iter().take(MAX_ITEMS).enumerate() {
                eval_statement(&mut b, i, stmt, owner);
            }
            if list.len() > MAX_ITEMS {
                b.note(format!(
                    "policy has {} statements; only the first {MAX_ITEMS} were evaluated",
                    list.len()
                ));
            }
        }
        _ => {}
    }
    b.finish()
}

/// Evaluate a PutBucketAcl / PutObjectAcl / CreateBucket requestParameters object (canned x-amz-acl header, x-amz-grant-* headers, AccessControlPolicy.AccessControlList.Grant).
pub fn evaluate_acl_request(request_parameters: &Value) -> Exposure {
    let mut b = Builder::default();
    if !request_parameters.is_object() {
        return b.finish();
    }
    eval_canned_acl(&mut b, request_parameters);
    eval_grant_headers(&mut b, request_parameters);
    if let Some(acp) = get_ci(request_parameters, "AccessControlPolicy") {
        eval_access_control_policy(&mut b, acp);
    }
    b.finish()
}

/// Find the bucket policy in PutBucketPolicy requestParameters (key "bucketPolicy", sometimes a JSON string, sometimes an object) and evaluate it.
///
/// Returns `None` when no policy document can be found (the key is missing,
/// empty, or not a JSON object / JSON-encoded object). Falls back to a
/// non-empty `policy` key holding a document with a `Statement`, and to the
/// request parameters themselves when they are a policy document.
pub fn evaluate_put_bucket_policy(
    request_parameters: &Value,
    owner_account: Option<&str>,
) -> Option<Exposure> {
    let doc = find_policy_document(request_parameters)?;
    Some(evaluate_policy(&doc, owner_account))
}

// ---------------------------------------------------------------------------
// Result building
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Builder {
    exp: Exposure,
    /// Ordinary reasons recorded so far (notes excluded).
    recorded: usize,
    omitted: usize,
}

impl Builder {
    /// Record a reason, up to [`MAX_REASONS`].
    fn reason(&mut self, r: String) {
        if self.recorded < MAX_REASONS {
            self.recorded += 1;
            self.exp.reasons.push(r);
        } else {
            self.omitted += 1;
        }
    }

    /// Record a note that always appears (truncation notices).
    fn note(&mut self, r: String) {
        self.exp.reasons.push(r);
    }

    /// Record `account` as external unless it is the owner's. Returns whether it was recorded.
    fn external(&mut self, account: &str, owner: Option<&str>) -> bool {
        if owner == Some(account) {
            return false;
        }
        self.exp.external_accounts.push(account.to_string());
        true
    }

    fn finish(mut self) -> Exposure {
        self.exp.external_accounts.sort();
        self.exp.external_accounts.dedup();
        if self.omitted > 0 {
            self.exp
                .reasons
                .push(format!("{} further reasons omitted", self.omitted));
        }
        self.exp
    }
}

// ---------------------------------------------------------------------------
// Bucket policies
// ---------------------------------------------------------------------------

fn normalise_owner(owner: Option<&str>) -> Option<&str> {
    owner.map(str::trim).filter(|s| !s.is_empty())
}

/// Turn a policy value into a JSON object, unwrapping JSON-encoded strings.
fn resolve_document(v: &Value) -> Option<Cow<'_, Value>> {
    let mut cur: Cow<'_, Value> = Cow::Borrowed(v);
    for _ in 0..=MAX_STRING_UNWRAP {
        let next = match cur.as_ref() {
            Value::Object(_) => return Some(cur),
            Value::String(s) => {
                let s = s.trim();
                if s.is_empty() || s.len() > MAX_POLICY_STRING_BYTES {
                    return None;
                }
                serde_json::from_str::<Value>(s).ok()?
            }
            // CloudTrail sometimes wraps single values in a one-element array.
            Value::Array(a) if a.len() == 1 => a[0].clone(),
            _ => return None,
        };
        cur = Cow::Owned(next);
    }
    None
}

fn find_policy_document(rp: &Value) -> Option<Cow<'_, Value>> {
    if let Some(doc) = get_ci(rp, "bucketPolicy").and_then(resolve_document) {
        return Some(doc);
    }
    if let Some(doc) = get_ci(rp, "policy").and_then(resolve_document)
        && get_ci(&doc, "Statement").is_some()
    {
        return Some(doc);
    }
    if get_ci(rp, "Statement").is_some() {
        return Some(Cow::Borrowed(rp));
    }
    None
}

fn eval_statement(b: &mut Builder, idx: usize, stmt: &Value, owner: Option<&str>) {
    if !stmt.is_object() {
        return;
    }
    let allow = get_ci(stmt, "Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("allow"));
    if !allow {
        return;
    }
    let label = match get_ci(stmt, "Sid").and_then(Value::as_str).map(str::trim) {
        Some(sid) if !sid.is_empty() => format!("statement {idx} (Sid {})", clip(sid, 64)),
        _ => format!("statement {idx}"),
    };
    let actions = analyze_actions(stmt);

    // Who the statement names.
    let mut everyone: Option<&'static str> = None;
    let mut accounts: Vec<(String, String)> = Vec::new(); // (account, as written)
    if get_ci(stmt, "NotPrincipal").is_some() {
        everyone = Some("everyone except the NotPrincipal");
    } else if let Some(p) = get_ci(stmt, "Principal") {
        let mut aws_values = |v: &Value, b: &mut Builder| {
            let (vals, total) = str_values(v);
            if total > MAX_ITEMS {
                b.note(format!(
                    "{label} names {total} principals; only the first {MAX_ITEMS} were evaluated"
                ));
            }
            for s in vals {
                let s = s.trim();
                if s == "*" {
                    everyone = Some("Principal \"*\"");
                } else if let Some(acct) = parse_account(s) {
                    accounts.push((acct, s.to_string()));
                }
            }
        };
        match p {
            Value::String(_) | Value::Array(_) => aws_values(p, b),
            Value::Object(map) => {
                for (k, v) in map.iter().take(MAX_ITEMS) {
                    // Service, CanonicalUser and Federated principals are
                    // neither public nor identifiable accounts.
                    if k.trim().eq_ignore_ascii_case("AWS") {
                        aws_values(v, b);
                    }
                }
            }
            _ => {}
        }
    }

    let mut exposes = false;
    if let Some(who) = everyone {
        let r = condition_restriction(stmt);
        if r.keys.is_empty() {
            b.exp.anonymous = true;
            exposes = true;
            b.reason(format!("{label} allows {} to {who}", actions.desc));
        } else {
            for acct in &r.accounts {
                if b.external(acct, owner) {
                    exposes = true;
                    b.reason(format!(
                        "{label} allows {} to {who} restricted by {}, which names account {acct}",
                        actions.desc,
                        r.keys.join(", ")
                    ));
                }
            }
        }
    }
    for (acct, written) in &accounts {
        if b.external(acct, owner) {
            exposes = true;
            let shown = if written == acct {
                format!("account {acct}")
            } else {
                format!("account {acct} ({})", clip(written, 128))
            };
            b.reason(format!("{label} allows {} to {shown}", actions.desc));
        }
    }
    if exposes && actions.write {
        b.exp.allows_write = true;
    }
}

struct Actions {
    desc: String,
    write: bool,
}

fn analyze_actions(stmt: &Value) -> Actions {
    if let Some(na) = get_ci(stmt, "NotAction") {
        let (list, total) = str_values(na);
        return Actions {
            desc: format!("all actions except {}", describe_actions(&list, total)),
            write: true,
        };
    }
    match get_ci(stmt, "Action") {
        Some(a) => {
            let (list, total) = str_values(a);
            Actions {
                desc: describe_actions(&list, total),
                write: list.iter().any(|s| is_write_action(s)),
            }
        }
        None => Actions {
            desc: "no listed actions".to_string(),
            write: false,
        },
    }
}

fn describe_actions(list: &[&str], total: usize) -> String {
    if list.is_empty() {
        return "unrecognised actions".to_string();
    }
    let mut out = list
        .iter()
        .take(REASON_ACTIONS)
        .map(|s| clip(s.trim(), 64))
        .collect::<Vec<_>>()
        .join(", ");
    if total > REASON_ACTIONS {
        out.push_str(&format!(" and {} more", total - REASON_ACTIONS));
    }
    out
}

/// Representative write actions that wildcard patterns are matched against.
const WRITE_ACTIONS: &[&str] = &[
    "s3:putobject",
    "s3:putobjectacl",
    "s3:putbucketacl",
    "s3:putbucketpolicy",
    "s3:putlifecycleconfiguration",
    "s3:putreplicationconfiguration",
    "s3:deleteobject",
    "s3:deleteobjectversion",
    "s3:deletebucket",
    "s3:deletebucketpolicy",
    "s3:restoreobject",
    "s3:replicateobject",
    "s3:replicatedelete",
];

/// Whether an IAM action (or action pattern) can write to S3.
fn is_write_action(action: &str) -> bool {
    let a = action.trim().to_ascii_lowercase();
    if a == "*" || a == "s3:*" {
        return true;
    }
    if ["s3:put", "s3:delete", "s3:restore", "s3:replicate"]
        .iter()
        .any(|p| a.starts_with(p))
    {
        return true;
    }
    if (a.contains('*') || a.contains('?')) && a.len() <= 256 {
        return WRITE_ACTIONS.iter().any(|w| glob_match(&a, w));
    }
    false
}

/// `*` / `?` wildcard match over bytes (iterative, no recursion).
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Restriction {
    /// Condition keys that pin the statement down.
    keys: Vec<String>,
    /// Accounts those keys name.
    accounts: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    /// Value is an account id.
    Account,
    /// Value is an ARN that may carry an account id.
    Arn,
    /// Value is a CIDR.
    Ip,
    /// Org ids / paths, user ids, VPC and VPC endpoint ids.
    Other,
}

fn restricting_key(key: &str) -> Option<KeyKind> {
    let k = key.trim().to_ascii_lowercase();
    Some(match k.as_str() {
        "aws:sourceaccount"
        | "aws:sourceowner"
        | "aws:principalaccount"
        | "s3:dataaccesspointaccount" => KeyKind::Account,
        "aws:sourcearn" | "aws:principalarn" | "s3:dataaccesspointarn" => KeyKind::Arn,
        "aws:sourceip" => KeyKind::Ip,
        "aws:principalorgid"
        | "aws:principalorgpaths"
        | "aws:userid"
        | "aws:sourcevpc"
        | "aws:sourcevpce" => KeyKind::Other,
        _ => return None,
    })
}

/// `Some(wildcards)` for operators that can restrict (wildcards: whether the
/// operator interprets `*`/`?`), `None` for those that cannot.
fn restricting_operator(op: &str) -> Option<bool> {
    let o = op.trim().to_ascii_lowercase();
    if o.starts_with("forallvalues:") || o.ends_with("ifexists") {
        return None;
    }
    let o = o.strip_prefix("foranyvalue:").unwrap_or(&o);
    match o {
        "stringequals" | "stringequalsignorecase" | "ipaddress" => Some(false),
        "stringlike" | "arnequals" | "arnlike" => Some(true),
        // Negations (StringNotEquals, NotIpAddress, ArnNotLike, ...), Null,
        // Bool, Numeric*, Date*, Binary* do not pin down the caller.
        _ => None,
    }
}

fn condition_restriction(stmt: &Value) -> Restriction {
    let mut r = Restriction::default();
    let Some(cond) = get_ci(stmt, "Condition").and_then(Value::as_object) else {
        return r;
    };
    for (op, block) in cond.iter().take(MAX_ITEMS) {
        let Some(wildcards) = restricting_operator(op) else {
            continue;
        };
        let Some(block) = block.as_object() else {
            continue;
        };
        for (key, vals) in block.iter().take(MAX_ITEMS) {
            let Some(kind) = restricting_key(key) else {
                continue;
            };
            let values = scalar_strings(vals);
            if values.is_empty() || values.iter().any(|v| unrestrictive(kind, wildcards, v)) {
                continue;
            }
            r.keys.push(clip(key.trim(), 64));
            if matches!(kind, KeyKind::Account | KeyKind::Arn) {
                r.accounts
                    .extend(values.iter().filter_map(|v| parse_account(v)));
            }
        }
    }
    r
}

/// Whether one condition value leaves the statement open to (nearly) anyone.
fn unrestrictive(kind: KeyKind, wildcards: bool, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.bytes().all(|c| c == b'*') {
        return true;
    }
    match kind {
        KeyKind::Ip => is_broad_cidr(v),
        KeyKind::Account => wildcards && v.contains(['*', '?']),
        KeyKind::Arn => {
            wildcards && {
                let parts: Vec<&str> = v.splitn(6, ':').collect();
                match parts.get(4) {
                    Some(acct) => acct.contains(['*', '?']),
                    None => v.contains(['*', '?']),
                }
            }
        }
        KeyKind::Other => false,
    }
}

/// CIDRs that cover (a large share of) the internet: IPv4 shorter than /8,
/// IPv6 shorter than /16 (this includes `0.0.0.0/0` and `::/0`).
fn is_broad_cidr(v: &str) -> bool {
    let Some((addr, prefix)) = v.split_once('/') else {
        return false;
    };
    let Ok(prefix) = prefix.trim().parse::<u8>() else {
        return false;
    };
    if addr.contains(':') {
        prefix < 16
    } else {
        prefix < 8
    }
}

// ---------------------------------------------------------------------------
// ACLs
// ---------------------------------------------------------------------------

const ALL_USERS: &str = "groups/global/allusers";
const AUTHENTICATED_USERS: &str = "groups/global/authenticatedusers";

const GRANT_HEADERS: &[(&str, &str)] = &[
    ("x-amz-grant-read", "READ"),
    ("x-amz-grant-write", "WRITE"),
    ("x-amz-grant-read-acp", "READ_ACP"),
    ("x-amz-grant-write-acp", "WRITE_ACP"),
    ("x-amz-grant-full-control", "FULL_CONTROL"),
];

fn is_write_permission(p: &str) -> bool {
    matches!(p, "WRITE" | "WRITE_ACP" | "FULL_CONTROL")
}

/// Which public groups a grantee string mentions: (AllUsers, AuthenticatedUsers).
fn groups_in(s: &str) -> (bool, bool) {
    let l = s.to_ascii_lowercase();
    (l.contains(ALL_USERS), l.contains(AUTHENTICATED_USERS))
}

/// Record a grant of `permission` to the public groups flagged.
fn grant_to_groups(b: &mut Builder, what: &str, permission: &str, groups: (bool, bool)) {
    let write = is_write_permission(permission);
    let permission = clip(permission, 32);
    if groups.0 {
        b.exp.anonymous = true;
        b.exp.allows_write |= write;
        b.reason(format!(
            "{what} grants {permission} to AllUsers (anonymous)"
        ));
    }
    if groups.1 {
        b.exp.all_authenticated = true;
        b.exp.allows_write |= write;
        b.reason(format!(
            "{what} grants {permission} to AuthenticatedUsers (any AWS account)"
        ));
    }
}

fn eval_canned_acl(b: &mut Builder, rp: &Value) {
    let Some(v) = get_ci(rp, "x-amz-acl") else {
        return;
    };
    let (list, _) = str_values(v);
    for acl in list {
        let acl = acl.trim().to_ascii_lowercase();
        let what = format!("canned ACL \"{}\"", clip(&acl, 32));
        match acl.as_str() {
            "public-read" => grant_to_groups(b, &what, "READ", (true, false)),
            "public-read-write" => {
                grant_to_groups(b, &what, "READ", (true, false));
                grant_to_groups(b, &what, "WRITE", (true, false));
            }
            "authenticated-read" => grant_to_groups(b, &what, "READ", (false, true)),
            // private, bucket-owner-read, bucket-owner-full-control,
            // aws-exec-read, log-delivery-write: not public.
            _ => {}
        }
    }
}

fn eval_grant_headers(b: &mut Builder, rp: &Value) {
    for (header, permission) in GRANT_HEADERS {
        let Some(v) = get_ci(rp, header) else {
            continue;
        };
        let (list, _) = str_values(v);
        let mut groups = (false, false);
        for s in list {
            let g = groups_in(s);
            groups = (groups.0 || g.0, groups.1 || g.1);
        }
        grant_to_groups(b, &format!("header {header}"), permission, groups);
    }
}

fn eval_access_control_policy(b: &mut Builder, acp: &Value) {
    if let Value::String(xml) = acp {
        eval_acl_xml(b, xml);
        return;
    }
    let Some(grants) = find_grants(acp) else {
        return;
    };
    let grants: &[Value] = match grants {
        Value::Array(list) => list,
        other => std::slice::from_ref(other),
    };
    for (i, grant) in grants.iter().take(MAX_ITEMS).enumerate() {
        eval_grant(b, i, grant);
    }
    if grants.len() > MAX_ITEMS {
        b.note(format!(
            "ACL has {} grants; only the first {MAX_ITEMS} were evaluated",
            grants.len()
        ));
    }
}

/// Locate the grant list: `AccessControlList.Grant` as CloudTrail records it,
/// or the SDK-style `Grants` spellings.
fn find_grants(acp: &Value) -> Option<&Value> {
    if let Some(acl) = get_ci(acp, "AccessControlList") {
        if acl.is_array() {
            return Some(acl);
        }
        if let Some(g) = get_ci(acl, "Grant").or_else(|| get_ci(acl, "Grants")) {
            return Some(g);
        }
    }
    get_ci(acp, "Grant").or_else(|| get_ci(acp, "Grants"))
}

fn eval_grant(b: &mut Builder, idx: usize, grant: &Value) {
    let grantee = get_ci(grant, "Grantee").unwrap_or(grant);
    let groups = grantee_groups(grantee);
    if !groups.0 && !groups.1 {
        return;
    }
    let permission = get_ci(grant, "Permission")
        .and_then(|p| {
            str_values(p)
                .0
                .first()
                .map(|s| s.trim().to_ascii_uppercase())
        })
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "an unspecified permission".to_string());
    grant_to_groups(b, &format!("grant {idx}"), &permission, groups);
}

/// Look for a group URI in a grantee's string fields (two levels deep, so
/// `URI`, `uri`, `xsi:type` siblings and nested attribute objects all work).
fn grantee_groups(grantee: &Value) -> (bool, bool) {
    let mut groups = (false, false);
    let mut see = |s: &str| {
        let g = groups_in(s);
        groups = (groups.0 || g.0, groups.1 || g.1);
    };
    match grantee {
        Value::String(s) => see(s),
        Value::Object(map) => {
            for v in map.values().take(MAX_ITEMS) {
                match v {
                    Value::String(s) => see(s),
                    Value::Object(inner) => inner
                        .values()
                        .take(MAX_ITEMS)
                        .filter_map(Value::as_str)
                        .for_each(&mut see),
                    Value::Array(inner) => inner
                        .iter()
                        .take(MAX_ITEMS)
                        .filter_map(Value::as_str)
                        .for_each(&mut see),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    groups
}

/// An `AccessControlPolicy` recorded as raw XML text.
fn eval_acl_xml(b: &mut Builder, xml: &str) {
    let lower = xml.to_ascii_lowercase();
    let chunks: Vec<&str> = lower.split("<grant>").skip(1).collect();
    for (i, chunk) in chunks.iter().take(MAX_ITEMS).enumerate() {
        let chunk = chunk.split("</grant>").next().unwrap_or(chunk);
        let groups = groups_in(chunk);
        if !groups.0 && !groups.1 {
            continue;
        }
        let permission = chunk
            .split_once("<permission>")
            .and_then(|(_, rest)| rest.split_once("</permission>"))
            .map(|(p, _)| p.trim().to_ascii_uppercase())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "an unspecified permission".to_string());
        grant_to_groups(b, &format!("grant {i}"), &permission, groups);
    }
    if chunks.len() > MAX_ITEMS {
        b.note(format!(
            "ACL has {} grants; only the first {MAX_ITEMS} were evaluated",
            chunks.len()
        ));
    }
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

/// Object member by key, exact match first, then ASCII case-insensitive.
fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    if let Some(x) = obj.get(key) {
        return Some(x);
    }
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A string or the strings of an array (at most [`MAX_ITEMS`] elements
/// looked at), plus the number of elements in total.
fn str_values(v: &Value) -> (Vec<&str>, usize) {
    match v {
        Value::String(s) => (vec![s.as_str()], 1),
        Value::Array(a) => (
            a.iter().take(MAX_ITEMS).filter_map(Value::as_str).collect(),
            a.len(),
        ),
        _ => (Vec::new(), 0),
    }
}

/// Like [`str_values`] but numbers and booleans count too (condition values
/// such as account ids are sometimes written as numbers).
fn scalar_strings(v: &Value) -> Vec<String> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(a) => a.iter().take(MAX_ITEMS).filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|c| c.is_ascii_digit())
}

/// The account id in a bare 12-digit string or an ARN in any `aws*`
/// partition (`arn:aws:iam::123456789012:root`, `arn:aws-us-gov:sts::...`).
fn parse_account(s: &str) -> Option<String> {
    let s = s.trim();
    if is_account_id(s) {
        return Some(s.to_string());
    }
    let mut parts = s.splitn(6, ':');
    if !parts.next()?.eq_ignore_ascii_case("arn") {
        return None;
    }
    if !parts.next()?.to_ascii_lowercase().starts_with("aws") {
        return None;
    }
    let _service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    parts.next()?; // the resource part must be present
    is_account_id(account).then(|| account.to_string())
}

/// At most `max` characters of `s`, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWNER: &str = "999999999999";
    const OTHER: &str = "111122223333";

    /// PutBucketPolicy requestParameters as CloudTrail records them.
    fn put_policy(statements: Value) -> Value {
        json!({
            "bucketName": "b",
            "bucketPolicy": {"Version": "2012-10-17", "Statement": statements},
            "Host": "b.s3.amazonaws.com",
            "policy": [""]
        })
    }

    fn eval_stmts(statements: Value, owner: Option<&str>) -> Exposure {
        evaluate_put_bucket_policy(&put_policy(statements), owner).expect("policy found")
    }

    /// PutBucketAcl requestParameters with an AccessControlPolicy body.
    fn put_acl(grants: Value) -> Value {
        json!({
            "bucketName": "b",
            "Host": "b.s3.amazonaws.com",
            "acl": [""],
            "AccessControlPolicy": {
                "AccessControlList": {"Grant": grants},
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Owner": {"ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}
            }
        })
    }

    fn group_grant(group: &str, permission: &str) -> Value {
        json!({
            "Grantee": {
                "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                "xsi:type": "Group",
                "URI": format!("http://acs.amazonaws.com/groups/{group}")
            },
            "Permission": permission
        })
    }

    fn owner_grant() -> Value {
        json!({
            "Grantee": {
                "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                "xsi:type": "CanonicalUser",
                "ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
            },
            "Permission": "FULL_CONTROL"
        })
    }

    fn public_read_statement() -> Value {
        json!({
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*"
        })
    }

    fn star_with_condition(condition: Value) -> Value {
        json!([{
            "Sid": "Cond",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::b/*",
            "Condition": condition
        }])
    }

    // ----- bucket policies: public -----

    #[test]
    fn public_read_policy() {
        let e = eval_stmts(json!([public_read_statement()]), Some(OWNER));
        assert!(e.anonymous);
        assert!(!e.all_authenticated);
        assert!(e.is_public());
        assert!(!e.allows_write);
        assert!(e.external_accounts.is_empty());
        assert_eq!(
            e.reasons,
            vec!["statement 0 (Sid PublicRead) allows s3:GetObject to Principal \"*\"".to_string()]
        );
    }

    #[test]
    fn aws_star_principal_with_write() {
        let e = eval_stmts(
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}]),
            Some(OWNER),
        );
        assert!(e.anonymous && e.allows_write);
        assert_eq!(
            e.reasons,
            vec!["statement 0 allows s3:GetObject, s3:PutObject to Principal \"*\"".to_string()]
        );
    }

    #[test]
    fn aws_star_inside_array_and_single_statement_object() {
        let e = eval_stmts(
            json!({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:*", "Resource": "*"}),
            Some(OWNER),
        );
        assert!(e.anonymous && e.allows_write);
    }

    #[test]
    fn not_principal_allow_is_anonymous() {
        let e = eval_stmts(
            json!([{"Effect": "Allow", "NotPrincipal": {"AWS": format!("arn:aws:iam::{OTHER}:root")}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]),
            Some(OWNER),
        );
        assert!(e.anonymous);
        assert!(e.reasons[0].contains("everyone except"));
        // The NotPrincipal account is excluded, not granted.
        assert!(e.external_accounts.is_empty());
    }

    #[test]
    fn not_action_allow_counts_as_write() {
        let e = eval_stmts(
            json!([{"Effect": "Allow", "Principal": "*", "NotAction": "s3:DeleteBucket", "Resource": "*"}]),
            None,
        );
        assert!(e.anonymous && e.allows_write);
        assert!(e.reasons[0].contains("all actions except s3:DeleteBucket"));
    }

    #[test]
    fn lowercase_keys_and_effect_are_accepted() {
        let e = eval_stmts(
            json!([{"effect": "allow", "principal": "*", "action": "s3:GetObject"}]),
            Some(OWNER),
        );
        assert!(e.anonymous && !e.allows_write);
    }

    #[test]
    fn mixed_statements_accumulate() {
        let e = eval_stmts(
            json!([
                {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OWNER}:root")}, "Action": "s3:*", "Resource": "*"},
                {"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
                public_read_statement(),
                {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:role/reader")}, "Action": "s3:GetObject", "Resource": "*"}
            ]),
            Some(OWNER),
        );
        assert!(e.anonymous);
        assert!(
            !e.allows_write,
            "owner's s3:* must not count as exposed write"
        );
        assert_eq!(e.external_accounts, vec![OTHER.to_string()]);
        assert_eq!(e.reasons.len(), 2);
        assert!(e.reasons[0].starts_with("statement 2 (Sid PublicRead)"));
        assert_eq!(
            e.reasons[1],
            format!(
                "statement 3 (Sid Partner) allows s3:GetObject to account {OTHER} (arn:aws:iam::{OTHER}:role/reader)"
            )
        );
    }

    // ----- bucket policies: near misses -----

    #[test]
    fn deny_with_star_is_not_a_grant() {
        let e = eval_stmts(
            json!([{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]),
            Some(OWNER),
        );
        assert_eq!(e, Exposure::default());
        assert!(!e.is_public());
    }

    #[test]
    fn not_principal_deny_is_not_a_grant() {
        let e = eval_stmts(
            json!([{"Effect": "Deny", "NotPrincipal": {"AWS": OTHER}, "Action": "s3:*", "Resource": "*"}]),
            Some(OWNER),
        );
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn missing_effect_is_not_a_grant() {
        let e = eval_stmts(json!([{"Principal": "*", "Action": "s3:*"}]), None);
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn source_vpce_restricts() {
        let e = eval_stmts(
            star_with_condition(json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})),
            Some(OWNER),
        );
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn principal_org_id_restricts() {
        let e = eval_stmts(
            star_with_condition(json!({"StringEquals": {"aws:PrincipalOrgID": ["o-abc123def4"]}})),
            Some(OWNER),
        );
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn for_any_value_org_paths_restricts() {
        let e = eval_stmts(
            star_with_condition(
                json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]}}),
            ),
            Some(OWNER),
        );
        assert!(!e.is_public());
    }

    #[test]
    fn condition_key_and_operator_case_insensitive() {
        let e = eval_stmts(
            star_with_condition(json!({"stringequals": {"AWS:SOURCEVPCE": "vpce-1a2b3c4d"}})),
            Some(OWNER),
        );
        assert!(!e.is_public());
    }

    #[test]
    fn string_not_equals_is_still_public() {
        let e = eval_stmts(
            star_with_condition(json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})),
            Some(OWNER),
        );
        assert!(e.anonymous && e.allows_write);
    }

    #[test]
    fn negation_plus_restriction_is_restricted() {
        let e = eval_stmts(
            star_with_condition(json!({
                "StringNotEquals": {"aws:SourceVpce": "vpce-bad"},
                "StringEquals": {"aws:SourceVpc": "vpc-111bbb22"}
            })),
            Some(OWNER),
        );
        assert!(!e.is_public());
    }

    #[test]
    fn if_exists_and_for_all_values_do_not_restrict() {
        for cond in [
            json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
            json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}),
            json!({"Null": {"aws:SourceVpce": "false"}}),
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
        ] {
            let e = eval_stmts(star_with_condition(cond.clone()), Some(OWNER));
            assert!(e.anonymous, "{cond} should not restrict");
        }
    }

    #[test]
    fn wildcard_only_values_do_not_restrict() {
        for cond in [
            json!({"StringLike": {"aws:PrincipalOrgID": "*"}}),
            json!({"StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "*"]}}),
            json!({"StringLike": {"aws:PrincipalAccount": "1111*"}}),
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}}),
            json!({"StringEquals": {"aws:SourceVpce": []}}),
        ] {
            let e = eval_stmts(star_with_condition(cond.clone()), Some(OWNER));
            assert!(e.anonymous, "{cond} should not restrict");
        }
    }

    #[test]
    fn source_ip_ranges() {
        let restricted = eval_stmts(
            star_with_condition(
                json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}),
            ),
            Some(OWNER),
        );
        assert!(!restricted.is_public());
        for cond in [
            json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
            json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::/0"]}}),
            json!({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}),
            json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        ] {
            let e = eval_stmts(star_with_condition(cond.clone()), Some(OWNER));
            assert!(e.anonymous, "{cond} should not restrict");
        }
    }

    #[test]
    fn source_account_restriction_names_external_account() {
        let stmts = star_with_condition(json!({"StringEquals": {"aws:SourceAccount": OTHER}}));
        let e = eval_stmts(stmts.clone(), Some(OWNER));
        assert!(!e.is_public());
        assert_eq!(e.external_accounts, vec![OTHER.to_string()]);
        assert!(e.allows_write);
        assert!(e.reasons[0].contains("restricted by aws:SourceAccount"));

        let same = eval_stmts(stmts, Some(OTHER));
        assert_eq!(same, Exposure::default());
    }

    #[test]
    fn principal_arn_restriction_names_account() {
        let e = eval_stmts(
            star_with_condition(
                json!({"ArnLike": {"aws:PrincipalArn": [format!("arn:aws:iam::{OTHER}:role/*"), format!("arn:aws:iam::{OWNER}:root")]}}),
            ),
            Some(OWNER),
        );
        assert!(!e.is_public());
        assert_eq!(e.external_accounts, vec![OTHER.to_string()]);
    }

    #[test]
    fn numeric_account_condition_value() {
        let e = eval_stmts(
            star_with_condition(json!({"StringEquals": {"aws:PrincipalAccount": 111122223333u64}})),
            Some(OWNER),
        );
        assert!(!e.is_public());
        assert_eq!(e.external_accounts, vec![OTHER.to_string()]);
    }

    #[test]
    fn service_principal_is_neither_public_nor_external() {
        let e = eval_stmts(
            json!([
                {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::b"},
                {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/AWSLogs/*",
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": format!("arn:aws:cloudtrail:us-east-1:{OWNER}:trail/main")}}}
            ]),
            Some(OWNER),
        );
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn canonical_user_and_federated_are_ignored() {
        let e = eval_stmts(
            json!([
                {"Effect": "Allow", "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Action": "s3:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "*"}
            ]),
            None,
        );
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn same_account_principal_is_internal() {
        let e = eval_stmts(
            json!([{"Effect": "Allow", "Principal": {"AWS": [format!("arn:aws:iam::{OWNER}:root"), OWNER, format!("arn:aws:iam::{OWNER}:role/app")]}, "Action": "s3:*", "Resource": "*"}]),
            Some(OWNER),
        );
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn cross_account_principals() {
        let e = eval_stmts(
            json!([
                {"Sid": "X", "Effect": "Allow", "Principal": {"AWS": [
                    "arn:aws:iam::111122223333:root",
                    "444455556666",
                    "arn:aws:iam::111122223333:role/x",
                    "arn:aws:sts::777788889999:assumed-role/r/session",
                    "arn:aws-us-gov:iam::222233334444:user/u",
                    "arn:aws-cn:iam::333344445555:root",
                    format!("arn:aws:iam::{OWNER}:root"),
                    "AIDAJQABLZS4A3QDU576Q",
                    "not-an-account"
                ]}, "Action": "s3:GetObject", "Resource": "*"}
            ]),
            Some(OWNER),
        );
        assert!(!e.is_public());
        assert!(!e.allows_write);
        assert_eq!(
            e.external_accounts,
            vec![
                "111122223333",
                "222233334444",
                "333344445555",
                "444455556666",
                "777788889999"
            ]
        );
        assert!(
            e.reasons
                .iter()
                .any(|r| r == "statement 0 (Sid X) allows s3:GetObject to account 444455556666")
        );
    }

    #[test]
    fn cross_account_write() {
        let e = eval_stmts(
            json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OTHER}:root")}, "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "*"}]),
            Some(OWNER),
        );
        assert!(e.allows_write);
        assert_eq!(e.external_accounts, vec![OTHER.to_string()]);
    }

    #[test]
    fn unknown_owner_lists_every_account() {
        let e = eval_stmts(
            json!([{"Effect": "Allow", "Principal": {"AWS": [format!("arn:aws:iam::{OWNER}:root"), OTHER]}, "Action": "s3:GetObject", "Resource": "*"}]),
            None,
        );
        assert_eq!(
            e.external_accounts,
            vec![OTHER.to_string(), OWNER.to_string()]
        );
        // An empty owner string is treated as unknown.
        let e2 = eval_stmts(
            json!([{"Effect": "Allow", "Principal": {"AWS": OWNER}, "Action": "s3:GetObject"}]),
            Some("  "),
        );
        assert_eq!(e2.external_accounts, vec![OWNER.to_string()]);
    }

    #[test]
    fn star_and_account_in_one_statement() {
        let e = eval_stmts(
            json!([{"Effect": "Allow", "Principal": {"AWS": ["*", OTHER]}, "Action": "s3:GetObject"}]),
            Some(OWNER),
        );
        assert!(e.anonymous);
        assert_eq!(e.external_accounts, vec![OTHER.to_string()]);
    }

    // ----- policy location and encoding -----

    #[test]
    fn policy_given_as_json_string() {
        let doc = json!({"Version": "2012-10-17", "Statement": [public_read_statement()]});
        let s = Value::String(doc.to_string());
        assert!(evaluate_policy(&s, Some(OWNER)).anonymous);
        // Doubly encoded.
        let s2 = Value::String(s.to_string());
        assert!(evaluate_policy(&s2, Some(OWNER)).anonymous);
        // In PutBucketPolicy requestParameters.
        let rp = json!({"bucketName": "b", "bucketPolicy": doc.to_string(), "policy": [""]});
        assert!(
            evaluate_put_bucket_policy(&rp, Some(OWNER))
                .unwrap()
                .anonymous
        );
    }

    #[test]
    fn evaluate_policy_on_object() {
        let doc = json!({"Version": "2012-10-17", "Statement": [public_read_statement()]});
        let e = evaluate_policy(&doc, Some(OWNER));
        assert!(e.anonymous);
    }

    #[test]
    fn put_bucket_policy_lookup() {
        // Missing or empty policy.
        assert_eq!(
            evaluate_put_bucket_policy(&json!({"bucketName": "b", "policy": [""]}), None),
            None
        );
        assert_eq!(
            evaluate_put_bucket_policy(&json!({"bucketPolicy": ""}), None),
            None
        );
        assert_eq!(
            evaluate_put_bucket_policy(&json!({"bucketPolicy": "{not json"}), None),
            None
        );
        assert_eq!(
            evaluate_put_bucket_policy(&json!({"bucketPolicy": 5}), None),
            None
        );
        assert_eq!(evaluate_put_bucket_policy(&json!(null), None), None);
        // Differently cased key.
        let rp = json!({"BucketPolicy": {"Statement": [public_read_statement()]}});
        assert!(evaluate_put_bucket_policy(&rp, None).unwrap().anonymous);
        // Fallback to "policy" holding a document.
        let rp = json!({"bucketName": "b", "policy": [json!({"Statement": public_read_statement()}).to_string()]});
        assert!(evaluate_put_bucket_policy(&rp, None).unwrap().anonymous);
        // The policy document itself.
        let rp = json!({"Statement": public_read_statement()});
        assert!(evaluate_put_bucket_policy(&rp, None).unwrap().anonymous);
        // A policy without statements grants nothing.
        let rp = json!({"bucketPolicy": {"Version": "2012-10-17"}});
        assert_eq!(
            evaluate_put_bucket_policy(&rp, None),
            Some(Exposure::default())
        );
    }

    #[test]
    fn parse_account_forms() {
        let ok = [
            ("123456789012", "123456789012"),
            (" 123456789012 ", "123456789012"),
            ("arn:aws:iam::123456789012:root", "123456789012"),
            ("arn:aws:iam::123456789012:role/path/x", "123456789012"),
            ("arn:aws:sts::123456789012:assumed-role/r/s", "123456789012"),
            ("arn:aws-us-gov:iam::123456789012:root", "123456789012"),
            ("arn:aws-cn:iam::123456789012:user/u", "123456789012"),
            (
                "arn:aws:cloudtrail:us-east-1:123456789012:trail/t",
                "123456789012",
            ),
        ];
        for (input, want) in ok {
            assert_eq!(parse_account(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "",
            "*",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::*:root",
            "arn:aws:iam::123456789012",
            "arn:gcp:iam::123456789012:root",
            "urn:aws:iam::123456789012:root",
            "AIDAJQABLZS4A3QDU576Q",
            "１２３４５６７８９０１２",
        ] {
            assert_eq!(parse_account(bad), None, "{bad}");
        }
    }

    #[test]
    fn write_action_classification() {
        for a in [
            "s3:PutObject",
            "S3:putobjectacl",
            "s3:Put*",
            "s3:Delete*",
            "s3:DeleteBucket",
            "s3:*",
            "*",
            "s3:RestoreObject",
            "s3:ReplicateObject",
            "s3:*Object",
            "s3:P*",
            "s3:*Acl",
            "*:*",
        ] {
            assert!(is_write_action(a), "{a}");
        }
        for a in [
            "s3:GetObject",
            "s3:ListBucket",
            "s3:Get*",
            "s3:List*",
            "ec2:*",
            "iam:PutRolePolicy",
            "s3:GetObject*",
            "",
            "s3:",
        ] {
            assert!(!is_write_action(a), "{a}");
        }
    }

    #[test]
    fn glob_matching() {
        assert!(glob_match("s3:*object", "s3:putobject"));
        assert!(glob_match("s3:?utobject", "s3:putobject"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("s3:get*", "s3:putobject"));
        assert!(!glob_match("", "x"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn broad_cidrs() {
        assert!(is_broad_cidr("0.0.0.0/0"));
        assert!(is_broad_cidr("::/0"));
        assert!(is_broad_cidr("128.0.0.0/1"));
        assert!(!is_broad_cidr("10.0.0.0/8"));
        assert!(!is_broad_cidr("203.0.113.7"));
        assert!(!is_broad_cidr("2001:db8::/32"));
        assert!(!is_broad_cidr("1.2.3.4/x"));
    }

    // ----- ACLs -----

    #[test]
    fn acl_body_all_users_read() {
        let e = evaluate_acl_request(&put_acl(json!([
            owner_grant(),
            group_grant("global/AllUsers", "READ")
        ])));
        assert!(e.anonymous && !e.all_authenticated && !e.allows_write);
        assert!(e.external_accounts.is_empty());
        assert_eq!(
            e.reasons,
            vec!["grant 1 grants READ to AllUsers (anonymous)".to_string()]
        );
    }

    #[test]
    fn acl_body_authenticated_users_write() {
        let e = evaluate_acl_request(&put_acl(json!([
            owner_grant(),
            group_grant("global/AuthenticatedUsers", "WRITE")
        ])));
        assert!(!e.anonymous && e.all_authenticated && e.allows_write && e.is_public());
    }

    #[test]
    fn acl_body_single_grant_object_and_lowercase_uri() {
        let rp = put_acl(
            json!({"Grantee": {"xsi:type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}, "permission": "full_control"}),
        );
        let e = evaluate_acl_request(&rp);
        assert!(e.anonymous && e.allows_write);
        // Nested attribute object and lowercase key path.
        let rp = json!({"accessControlPolicy": {"accessControlList": {"grant": [
            {"grantee": {"attributes": {"URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}}, "Permission": "READ_ACP"}
        ]}}});
        let e = evaluate_acl_request(&rp);
        assert!(e.all_authenticated && !e.allows_write);
        // SDK-style Grants list directly under AccessControlPolicy.
        let rp = json!({"AccessControlPolicy": {"Grants": [group_grant("global/AllUsers", "WRITE_ACP")]}});
        let e = evaluate_acl_request(&rp);
        assert!(e.anonymous && e.allows_write);
    }

    #[test]
    fn acl_body_log_delivery_and_owner_only_are_private() {
        let e = evaluate_acl_request(&put_acl(json!([
            owner_grant(),
            group_grant("s3/LogDelivery", "WRITE"),
            group_grant("s3/LogDelivery", "READ_ACP")
        ])));
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn acl_body_as_xml_string() {
        let xml = r#"<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>abc</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>WRITE</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
        let e = evaluate_acl_request(&json!({"bucketName": "b", "AccessControlPolicy": xml}));
        assert!(e.anonymous && e.allows_write);
        assert_eq!(
            e.reasons,
            vec!["grant 1 grants WRITE to AllUsers (anonymous)".to_string()]
        );
    }

    #[test]
    fn canned_acls() {
        let cases = [
            (json!("public-read"), true, false, false),
            (json!(["public-read"]), true, false, false),
            (json!("PUBLIC-READ-WRITE"), true, false, true),
            (json!(["authenticated-read"]), false, true, false),
            (json!("private"), false, false, false),
            (json!(["bucket-owner-full-control"]), false, false, false),
            (json!("log-delivery-write"), false, false, false),
            (json!("aws-exec-read"), false, false, false),
            (json!(42), false, false, false),
        ];
        for (acl, anon, auth, write) in cases {
            let rp = json!({"bucketName": "b", "Host": "b.s3.amazonaws.com", "acl": [""], "x-amz-acl": acl});
            let e = evaluate_acl_request(&rp);
            assert_eq!(
                (e.anonymous, e.all_authenticated, e.allows_write),
                (anon, auth, write),
                "{acl}"
            );
            assert!(e.external_accounts.is_empty());
        }
    }

    #[test]
    fn canned_acl_reason() {
        let e = evaluate_acl_request(&json!({"x-amz-acl": ["public-read"]}));
        assert_eq!(
            e.reasons,
            vec!["canned ACL \"public-read\" grants READ to AllUsers (anonymous)".to_string()]
        );
    }

    #[test]
    fn create_bucket_and_put_object_acl() {
        let create = json!({
            "bucketName": "b",
            "Host": "b.s3.amazonaws.com",
            "x-amz-acl": ["public-read"],
            "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1", "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}
        });
        assert!(evaluate_acl_request(&create).anonymous);
        let put_object_acl = json!({
            "bucketName": "b",
            "key": "reports/q1.pdf",
            "Host": "b.s3.amazonaws.com",
            "acl": [""],
            "x-amz-acl": "authenticated-read"
        });
        assert!(evaluate_acl_request(&put_object_acl).all_authenticated);
    }

    #[test]
    fn grant_headers() {
        let e = evaluate_acl_request(
            &json!({"x-amz-grant-read": "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""}),
        );
        assert!(e.anonymous && !e.allows_write);
        assert_eq!(
            e.reasons,
            vec!["header x-amz-grant-read grants READ to AllUsers (anonymous)".to_string()]
        );

        let e = evaluate_acl_request(
            &json!({"X-Amz-Grant-Full-Control": ["id=\"abc\", uri=\"http://acs.amazonaws.com/groups/global/AuthenticatedUsers\""]}),
        );
        assert!(e.all_authenticated && e.allows_write && !e.anonymous);

        let e = evaluate_acl_request(&json!({
            "x-amz-grant-write": "id=\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\"",
            "x-amz-grant-read": "uri=\"http://acs.amazonaws.com/groups/s3/LogDelivery\"",
            "x-amz-grant-read-acp": "emailAddress=\"allusers@example.com\""
        }));
        assert_eq!(e, Exposure::default());
    }

    #[test]
    fn acl_with_no_grants_is_private() {
        assert_eq!(
            evaluate_acl_request(&json!({"bucketName": "b"})),
            Exposure::default()
        );
        assert_eq!(
            evaluate_acl_request(&put_acl(json!([]))),
            Exposure::default()
        );
        assert_eq!(
            evaluate_acl_request(&put_acl(json!([owner_grant()]))),
            Exposure::default()
        );
    }

    // ----- bounds and garbage -----

    #[test]
    fn statement_truncation() {
        let mut stmts = vec![json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*"}); 1500];
        stmts.push(public_read_statement()); // beyond the limit
        let e = eval_stmts(Value::Array(stmts), Some(OWNER));
        assert!(!e.anonymous);
        assert_eq!(e.reasons.len(), 1);
        assert!(e.reasons[0].contains("1501 statements"), "{:?}", e.reasons);
    }

    #[test]
    fn grant_truncation() {
        let mut grants = vec![owner_grant(); 1200];
        grants.insert(0, group_grant("global/AllUsers", "READ"));
        let e = evaluate_acl_request(&put_acl(Value::Array(grants)));
        assert!(e.anonymous);
        assert!(e.reasons.iter().any(|r| r.contains("1201 grants")));
    }

    #[test]
    fn principal_list_truncation() {
        let principals: Vec<Value> = (0..1500)
            .map(|i| json!(format!("{:012}", 100_000_000_000u64 + i)))
            .collect();
        let e = eval_stmts(
            json!([{"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "s3:GetObject"}]),
            Some(OWNER),
        );
        assert_eq!(e.external_accounts.len(), MAX_ITEMS);
        assert!(e.reasons.iter().any(|r| r.contains("1500 principals")));
        // Reasons are capped, with a summary of how many were dropped.
        assert_eq!(e.reasons.len(), MAX_REASONS + 2);
        assert_eq!(
            e.reasons.last().unwrap(),
            &format!("{} further reasons omitted", MAX_ITEMS - MAX_REASONS)
        );
    }

    #[test]
    fn long_strings_are_clipped_in_reasons() {
        let sid = "é".repeat(500);
        let e = eval_stmts(
            json!([{"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]),
            None,
        );
        assert!(e.reasons[0].chars().count() < 200);
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
    }

    #[test]
    fn garbage_inputs() {
        let garbage = [
            json!(null),
            json!(true),
            json!(0),
            json!(-1.5),
            json!(""),
            json!("*"),
            json!("null"),
            json!("[1,2,3]"),
            json!([]),
            json!([[[[]]]]),
            json!({}),
            json!({"Statement": null}),
            json!({"Statement": "x"}),
            json!({"Statement": [null, 1, "a", [], {}]}),
            json!({"Statement": [{"Effect": 1, "Principal": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": 7, "Action": {"a": 1}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": {"x": "*"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": [1, 2]}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": "x"}}]}),
            json!({"bucketPolicy": [1, 2]}),
            json!({"AccessControlPolicy": null}),
            json!({"AccessControlPolicy": {"AccessControlList": "x"}}),
            json!({"AccessControlPolicy": {"AccessControlList": {"Grant": [null, 1, "AllUsers", {"Grantee": 5}]}}}),
            json!({"x-amz-acl": [null, 1, ["public-read"]], "x-amz-grant-read": {"uri": 1}}),
        ];
        for g in &garbage {
            let a = evaluate_policy(g, Some(OWNER));
            let b = evaluate_acl_request(g);
            let c = evaluate_put_bucket_policy(g, None);
            assert!(!a.anonymous || g.to_string().contains('*'), "{g}");
            assert!(!b.is_public(), "{g}");
            let _ = c;
        }
        // Deep nesting in a JSON string hits serde_json's recursion limit, not ours.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            evaluate_policy(&Value::String(deep.clone()), None),
            Exposure::default()
        );
        assert_eq!(
            evaluate_put_bucket_policy(&json!({"bucketPolicy": deep}), None),
            None
        );
        // A huge XML-ish ACL string.
        let big = "<Grant>".repeat(50_000);
        let e = evaluate_acl_request(&json!({"AccessControlPolicy": big}));
        assert!(!e.is_public());
    }

    /// Tiny deterministic generator of odd JSON values (no proptest).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() as usize) % items.len()]
        }
        fn value(&mut self, depth: u32) -> Value {
            const WORDS: &[&str] = &[
                "*",
                "Allow",
                "Deny",
                "AWS",
                "Service",
                "Statement",
                "Principal",
                "NotPrincipal",
                "Action",
                "NotAction",
                "Effect",
                "Condition",
                "StringEquals",
                "StringNotEquals",
                "IpAddress",
                "aws:SourceIp",
                "aws:SourceVpce",
                "aws:SourceAccount",
                "0.0.0.0/0",
                "s3:*",
                "s3:GetObject",
                "s3:Put*",
                "111122223333",
                "arn:aws:iam::111122223333:root",
                "Grant",
                "Grantee",
                "URI",
                "Permission",
                "READ",
                "WRITE",
                "FULL_CONTROL",
                "http://acs.amazonaws.com/groups/global/AllUsers",
                "AccessControlPolicy",
                "AccessControlList",
                "x-amz-acl",
                "public-read",
                "bucketPolicy",
                "",
                "é",
                "arn:",
                "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\"}}",
                "ArnLike",
                "/0",
                ":",
            ];
            let kind = if depth == 0 {
                self.next() % 4
            } else {
                self.next() % 7
            };
            match kind {
                0 => Value::Null,
                1 => json!(self.next().is_multiple_of(3)),
                2 => json!((self.next() as i64) - (1 << 30)),
                3 => json!(self.pick(WORDS)),
                4 | 5 => {
                    let n = self.next() % 5;
                    let mut m = serde_json::Map::new();
                    for _ in 0..n {
                        let k = self.pick(WORDS).to_string();
                        m.insert(k, self.value(depth - 1));
                    }
                    Value::Object(m)
                }
                _ => {
                    let n = self.next() % 5;
                    Value::Array((0..n).map(|_| self.value(depth - 1)).collect())
                }
            }
        }
    }

    #[test]
    fn fuzz_odd_values_do_not_panic() {
        let mut rng = Lcg(0x5eed_cafe);
        for i in 0..5000u32 {
            let v = rng.value(5);
            let owner = if i.is_multiple_of(2) {
                Some(OTHER)
            } else {
                None
            };
            let _ = evaluate_policy(&v, owner);
            let _ = evaluate_acl_request(&v);
            let _ = evaluate_put_bucket_policy(&v, owner);
            // Also splice the value into the places the evaluators look.
            let wrapped = [
                json!({"bucketPolicy": {"Statement": v}}),
                json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": v, "Action": "s3:*"}]}}),
                json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": v}]}}),
                json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": v}]}}),
                json!({"bucketPolicy": v.to_string()}),
                json!({"AccessControlPolicy": {"AccessControlList": {"Grant": v}}}),
                json!({"AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": v, "Permission": v}]}}}),
                json!({"x-amz-acl": v, "x-amz-grant-write": v}),
            ];
            for w in &wrapped {
                let e = evaluate_put_bucket_policy(w, owner);
                if let Some(e) = e {
                    assert!(e.external_accounts.windows(2).all(|p| p[0] < p[1]));
                }
                let a = evaluate_acl_request(w);
                assert!(a.external_accounts.is_empty());
            }
        }
    }

    #[test]
    fn is_public_helper() {
        assert!(!Exposure::default().is_public());
        assert!(
            Exposure {
                anonymous: true,
                ..Default::default()
            }
            .is_public()
        );
        assert!(
            Exposure {
                all_authenticated: true,
                ..Default::default()
            }
            .is_public()
        );
        assert!(
            !Exposure {
                external_accounts: vec![OTHER.into()],
                allows_write: true,
                ..Default::default()
            }
            .is_public()
        );
    }
}

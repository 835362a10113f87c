//! CloudTrail records as typed, borrowed views.
//!
//! A record is deserialized straight from the raw bytes into [`CloudTrailEvent`]: strings borrow
//! from the input (`Cow::Borrowed` unless they contain escapes), the fields a detector needs are
//! typed, and the rest (`requestParameters`, `responseElements`, `additionalEventData`,
//! `resources`) stay as unparsed [`RawValue`] slices that a detector parses only when it needs
//! them. Unknown fields are skipped without being materialised. No generic JSON tree is built
//! per event.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

type Str<'a> = Option<Cow<'a, str>>;

/// Deserialize an optional string borrowing from the input whenever it has no escapes. (serde's
/// own `Option<Cow<str>>` always allocates; only a bare `#[serde(borrow)] Cow<str>` borrows.)
fn opt_str<'de: 'a, 'a, D: serde::Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
    #[derive(Deserialize)]
    struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Borrowed<'a>>::deserialize(d)?.map(|b| b.0))
}

/// One CloudTrail record (management event, data event, console sign-in, ...).
///
/// The `envelope_*` fields are never part of a CloudTrail record: they let the decoder recognise,
/// in the same single parse, a JSON value that wraps records instead of being one (an S3 delivery
/// file's `Records`, an EventBridge event's `detail`, a CloudWatch Logs `message` or `logEvents`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudTrailEvent<'a> {
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_version: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_time: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_source: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub aws_region: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub recipient_account_id: Str<'a>,
    #[serde(
        borrow,
        rename = "sourceIPAddress",
        default,
        deserialize_with = "opt_str"
    )]
    pub source_ip_address: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub user_agent: Str<'a>,
    #[serde(borrow, rename = "eventID", default, deserialize_with = "opt_str")]
    pub event_id: Str<'a>,
    #[serde(borrow, rename = "requestID", default, deserialize_with = "opt_str")]
    pub request_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_type: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub event_category: Str<'a>,
    pub read_only: Option<bool>,
    pub management_event: Option<bool>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub error_code: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub error_message: Str<'a>,
    #[serde(borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    pub response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    pub additional_event_data: Option<&'a RawValue>,
    #[serde(borrow)]
    pub resources: Option<&'a RawValue>,
    #[serde(borrow)]
    pub tls_details: Option<TlsDetails<'a>>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub vpc_endpoint_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub vpc_endpoint_account_id: Str<'a>,
    #[serde(
        borrow,
        rename = "sharedEventID",
        default,
        deserialize_with = "opt_str"
    )]
    pub shared_event_id: Str<'a>,

    /// `Records` of an S3 delivery file.
    #[serde(borrow, rename = "Records")]
    pub envelope_records: Option<&'a RawValue>,
    /// `detail` of an EventBridge event.
    #[serde(borrow, rename = "detail")]
    pub envelope_detail: Option<&'a RawValue>,
    /// `detail-type` of an EventBridge event.
    #[serde(borrow, rename = "detail-type", default, deserialize_with = "opt_str")]
    pub envelope_detail_type: Str<'a>,
    /// `message` of a CloudWatch Logs event (the record as a JSON string).
    #[serde(borrow, rename = "message", default, deserialize_with = "opt_str")]
    pub envelope_message: Str<'a>,
    /// `logEvents` of a CloudWatch Logs subscription payload.
    #[serde(borrow, rename = "logEvents")]
    pub envelope_log_events: Option<&'a RawValue>,
}

/// `userIdentity`: who made the call.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity<'a> {
    /// Root, IAMUser, AssumedRole, FederatedUser, AWSAccount, AWSService, IdentityCenterUser, Unknown...
    #[serde(borrow, rename = "type", default, deserialize_with = "opt_str")]
    pub identity_type: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub principal_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub arn: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub account_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub access_key_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub user_name: Str<'a>,
    /// Set when an AWS service made the call on the principal's behalf.
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub invoked_by: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub identity_provider: Str<'a>,
    #[serde(borrow)]
    pub session_context: Option<SessionContext<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Option<SessionIssuer<'a>>,
    #[serde(borrow)]
    pub attributes: Option<SessionAttributes<'a>>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub source_identity: Str<'a>,
    /// "2.0" when the credentials were delivered to an EC2 instance by the instance metadata service.
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub ec2_role_delivery: Str<'a>,
    /// "true" when root credentials came from `sts:AssumeRoot` (centralized root access).
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub assumed_root: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer<'a> {
    #[serde(borrow, rename = "type", default, deserialize_with = "opt_str")]
    pub issuer_type: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub principal_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub arn: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub account_id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub user_name: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAttributes<'a> {
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub creation_date: Str<'a>,
    /// "true"/"false" as a string in CloudTrail.
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub mfa_authenticated: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsDetails<'a> {
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub tls_version: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub cipher_suite: Str<'a>,
    #[serde(borrow, default, deserialize_with = "opt_str")]
    pub client_provided_host_header: Str<'a>,
}

fn s<'b>(v: &'b Str<'_>) -> &'b str {
    v.as_deref().unwrap_or("")
}

impl<'a> CloudTrailEvent<'a> {
    /// True when this JSON value is a CloudTrail record rather than an envelope around records.
    pub fn looks_like_record(&self) -> bool {
        self.event_time.is_some() && (self.event_name.is_some() || self.event_source.is_some())
    }
    pub fn event_name(&self) -> &str {
        s(&self.event_name)
    }
    pub fn event_source(&self) -> &str {
        s(&self.event_source)
    }
    pub fn region(&self) -> &str {
        s(&self.aws_region)
    }
    pub fn source_ip(&self) -> &str {
        s(&self.source_ip_address)
    }
    pub fn user_agent(&self) -> &str {
        s(&self.user_agent)
    }
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref().filter(|c| !c.is_empty())
    }
    /// A call that returned an error did not take effect.
    pub fn succeeded(&self) -> bool {
        self.error_code().is_none()
    }
    pub fn identity(&self) -> Option<&UserIdentity<'a>> {
        self.user_identity.as_ref()
    }
    pub fn identity_type(&self) -> &str {
        self.identity().map(|i| s(&i.identity_type)).unwrap_or("")
    }
    /// The account the call was recorded in: the resource owner for most events.
    pub fn account_id(&self) -> &str {
        match self.recipient_account_id.as_deref() {
            Some(a) if !a.is_empty() => a,
            _ => self.identity().map(|i| s(&i.account_id)).unwrap_or(""),
        }
    }
    /// Parse `requestParameters` on demand. `None` when absent, null or not valid JSON of `T`'s shape.
    pub fn request<T: Deserialize<'a>>(&self) -> Option<T> {
        self.request_parameters
            .and_then(|r| serde_json::from_str(r.get()).ok())
    }
    pub fn response<T: Deserialize<'a>>(&self) -> Option<T> {
        self.response_elements
            .and_then(|r| serde_json::from_str(r.get()).ok())
    }
    pub fn additional<T: Deserialize<'a>>(&self) -> Option<T> {
        self.additional_event_data
            .and_then(|r| serde_json::from_str(r.get()).ok())
    }
    /// `requestParameters` as a generic value: for rules that must walk arbitrary policy documents.
    /// Never used on the hot path: only after a rule's event name matched.
    pub fn request_value(&self) -> Option<serde_json::Value> {
        self.request()
    }
}

impl UserIdentity<'_> {
    pub fn identity_type(&self) -> &str {
        s(&self.identity_type)
    }
    pub fn arn(&self) -> &str {
        s(&self.arn)
    }
    pub fn principal_id(&self) -> &str {
        s(&self.principal_id)
    }
    pub fn access_key_id(&self) -> &str {
        s(&self.access_key_id)
    }
    /// The human-meaningful name: IAM user name, role name for an assumed role, "Root".
    pub fn display_name(&self) -> &str {
        if let Some(n) = self.user_name.as_deref().filter(|n| !n.is_empty()) {
            return n;
        }
        if let Some(n) = self
            .session_context
            .as_ref()
            .and_then(|c| c.session_issuer.as_ref())
            .and_then(|i| i.user_name.as_deref())
            .filter(|n| !n.is_empty())
        {
            return n;
        }
        match self.identity_type() {
            "Root" => "Root",
            _ => self.arn().rsplit('/').next().unwrap_or(""),
        }
    }
    /// The session name of an assumed role (`.../assumed-role/ROLE/SESSION`).
    pub fn session_name(&self) -> Option<&str> {
        let arn = self.arn();
        if !arn.contains(":assumed-role/") {
            return None;
        }
        arn.rsplit('/').next()
    }
    /// A stable key for "who did it": the ARN when known, else the principal id.
    pub fn actor_key(&self) -> &str {
        let a = self.arn();
        if a.is_empty() { self.principal_id() } else { a }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:i-0abc","arn":"arn:aws:sts::111122223333:assumed-role/app-role/i-0abc","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/app-role","accountId":"111122223333","userName":"app-role"},"attributes":{"creationDate":"2026-01-01T00:00:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"2026-01-01T00:05:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","requestParameters":{"Host":"s3.amazonaws.com"},"responseElements":null,"eventID":"e1","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"s3.amazonaws.com"},"unknownFutureField":{"a":[1,2,3]}}"#;

    #[test]
    fn typed_fields_and_lazy_rest() {
        let e: CloudTrailEvent = serde_json::from_str(REC).unwrap();
        assert!(e.looks_like_record());
        assert_eq!(e.event_name(), "ListBuckets");
        assert_eq!(e.account_id(), "111122223333");
        assert!(e.succeeded());
        let id = e.identity().unwrap();
        assert_eq!(id.display_name(), "app-role");
        assert_eq!(id.session_name(), Some("i-0abc"));
        let ctx = id.session_context.as_ref().unwrap();
        assert_eq!(ctx.ec2_role_delivery.as_deref(), Some("2.0"));
        assert!(
            e.response_elements.is_none(),
            "null responseElements is None"
        );
        let host: serde_json::Value = e.request().unwrap();
        assert_eq!(host["Host"], "s3.amazonaws.com");
        assert!(
            matches!(e.event_name, Some(Cow::Borrowed(_))),
            "strings borrow"
        );
        assert_eq!(
            e.tls_details.unwrap().tls_version.as_deref(),
            Some("TLSv1.3")
        );
    }

    #[test]
    fn envelope_is_not_a_record() {
        let e: CloudTrailEvent = serde_json::from_str(r#"{"Records":[]}"#).unwrap();
        assert!(!e.looks_like_record());
        assert!(e.envelope_records.is_some());
    }
}

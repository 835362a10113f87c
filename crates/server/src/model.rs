//! The GuardDuty service model (botocore's `service-2.json` for API version 2017-11-28, with its
//! documentation stripped; Apache-2.0, see `model/README.md`) drives routing and request
//! validation, so every one of the 103 operations is routed, and every request is checked
//! against its input shape (types, required members, lengths, ranges, enums) by one piece of
//! code before any handler sees it.

use crate::error::ApiError;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

static MODEL_JSON: &str = include_str!("../model/guardduty-2017-11-28.json");

#[derive(Debug, Deserialize)]
struct RawModel {
    operations: HashMap<String, RawOperation>,
    shapes: HashMap<String, Shape>,
}

#[derive(Debug, Deserialize)]
struct RawOperation {
    http: RawHttp,
    input: Option<ShapeRef>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHttp {
    method: String,
    request_uri: String,
    response_code: Option<u16>,
}

#[derive(Debug, Deserialize)]
struct ShapeRef {
    shape: String,
}

/// One shape of the model (only what validation needs).
#[derive(Debug, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub shape_type: String,
    #[serde(default)]
    pub members: HashMap<String, Member>,
    #[serde(default)]
    pub required: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    pub member: Option<Member>,
    pub key: Option<Member>,
    pub value: Option<Member>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub shape: String,
    pub location: Option<String>,
    pub location_name: Option<String>,
}

impl Member {
    fn wire_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.location_name.as_deref().unwrap_or(name)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Label(String),
}

#[derive(Debug)]
pub struct Operation {
    pub name: String,
    pub method: String,
    segments: Vec<Segment>,
    pub response_code: u16,
    input: Option<String>,
}

pub struct ServiceModel {
    pub operations: Vec<Operation>,
    shapes: HashMap<String, Shape>,
}

/// A routed request: its operation and the path labels (percent-decoded).
pub struct Routed<'m> {
    pub op: &'m Operation,
    pub labels: Vec<(String, String)>,
}

fn decode_segment(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

impl ServiceModel {
    pub fn load() -> Self {
        let raw: RawModel =
            serde_json::from_str(MODEL_JSON).expect("the embedded service model is valid JSON");
        let mut operations: Vec<Operation> = raw
            .operations
            .into_iter()
            .map(|(name, o)| {
                let path = o
                    .http
                    .request_uri
                    .split('?')
                    .next()
                    .unwrap_or("")
                    .to_string();
                let segments = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        if let Some(l) = s.strip_prefix('{') {
                            Segment::Label(l.trim_end_matches('}').trim_end_matches('+').into())
                        } else {
                            Segment::Literal(s.to_string())
                        }
                    })
                    .collect();
                Operation {
                    name,
                    method: o.http.method,
                    segments,
                    response_code: o.http.response_code.unwrap_or(200),
                    input: o.input.map(|i| i.shape),
                }
            })
            .collect();
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        ServiceModel {
            operations,
            shapes: raw.shapes,
        }
    }

    /// The operation for a method and raw (still percent-encoded) path. Literal segments win
    /// over labels, so `/detector/{id}/member/get` is never read as a label.
    pub fn route(&self, method: &str, raw_path: &str) -> Result<Routed<'_>, ApiError> {
        let parts: Vec<&str> = raw_path.split('/').filter(|s| !s.is_empty()).collect();
        let mut best: Option<(usize, &Operation)> = None;
        let mut path_matched = false;
        for op in &self.operations {
            if op.segments.len() != parts.len() {
                continue;
            }
            let mut literals = 0;
            let ok = op.segments.iter().zip(&parts).all(|(seg, part)| match seg {
                Segment::Literal(l) => {
                    literals += 1;
                    l == part
                }
                Segment::Label(_) => !part.is_empty(),
            });
            if !ok {
                continue;
            }
            path_matched = true;
            if op.method != method {
                continue;
            }
            if best.is_none_or(|(n, _)| literals > n) {
                best = Some((literals, op));
            }
        }
        let Some((_, op)) = best else {
            return Err(if path_matched {
                ApiError::new(
                    405,
                    "MethodNotAllowedException",
                    format!("{method} is not allowed on {raw_path}"),
                )
            } else {
                ApiError::new(
                    404,
                    "UnknownOperationException",
                    format!("no GuardDuty operation is served at {method} {raw_path}"),
                )
            });
        };
        let mut labels = Vec::new();
        for (seg, part) in op.segments.iter().zip(&parts) {
            if let Segment::Label(l) = seg {
                let v = decode_segment(part).ok_or_else(|| {
                    ApiError::bad_request(format!("path label {l} is not valid UTF-8"))
                })?;
                labels.push((l.clone(), v));
            }
        }
        Ok(Routed { op, labels })
    }

    /// Validate a request against the operation's input shape and assemble one input object
    /// keyed by wire names (URI labels and query members by their location names).
    pub fn input(
        &self,
        routed: &Routed<'_>,
        query: &[(String, String)],
        body: &[u8],
    ) -> Result<Map<String, Value>, ApiError> {
        let mut out = Map::new();
        let Some(shape_name) = &routed.op.input else {
            return Ok(out);
        };
        let shape = &self.shapes[shape_name];
        let body_value: Option<Map<String, Value>> = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => Some(m),
                Ok(_) => {
                    return Err(ApiError::bad_request(
                        "the request body must be a JSON object",
                    ));
                }
                Err(e) => {
                    return Err(ApiError::new(
                        400,
                        "SerializationException",
                        format!("the request body is not valid JSON: {e}"),
                    ));
                }
            }
        };
        let mut errors = Vec::new();
        for (name, member) in &shape.members {
            let wire = member.wire_name(name);
            let value: Option<Value> = match member.location.as_deref() {
                Some("uri") => routed
                    .labels
                    .iter()
                    .find(|(l, _)| l == wire)
                    .map(|(_, v)| Value::String(v.clone())),
                Some("querystring") => {
                    let vals: Vec<&String> = query
                        .iter()
                        .filter(|(k, _)| k == wire)
                        .map(|(_, v)| v)
                        .collect();
                    if vals.is_empty() {
                        None
                    } else {
                        match self.query_value(&member.shape, &vals) {
                            Ok(v) => Some(v),
                            Err(e) => {
                                errors.push(format!(
                                    "Value at '{wire}' failed to satisfy constraint: {e}"
                                ));
                                continue;
                            }
                        }
                    }
                }
                Some("header") => None,
                _ => body_value.as_ref().and_then(|b| b.get(wire)).cloned(),
            };
            match value {
                Some(Value::Null) | None => {
                    if shape.required.contains(name) {
                        errors.push(format!(
                            "Value null at '{wire}' failed to satisfy constraint: Member must not be null"
                        ));
                    }
                }
                Some(v) => {
                    self.check(&member.shape, &v, wire, &mut errors, 0);
                    out.insert(wire.to_string(), v);
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            errors.sort();
            errors.truncate(10);
            Err(ApiError::bad_request(format!(
                "{} validation error{} detected: {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                errors.join("; ")
            )))
        }
    }

    fn query_value(&self, shape_name: &str, vals: &[&String]) -> Result<Value, String> {
        let shape = &self.shapes[shape_name];
        let scalar = |s: &Shape, v: &str| -> Result<Value, String> {
            match s.shape_type.as_str() {
                "integer" | "long" => v
                    .parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| format!("Member must be of type {}", s.shape_type)),
                "boolean" => match v {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => Err("Member must be of type boolean".into()),
                },
                _ => Ok(Value::String(v.to_string())),
            }
        };
        if shape.shape_type == "list" {
            let item = &self.shapes[&shape.member.as_ref().expect("lists have members").shape];
            vals.iter()
                .map(|v| scalar(item, v))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        } else {
            scalar(shape, vals[vals.len() - 1])
        }
    }

    fn check(
        &self,
        shape_name: &str,
        v: &Value,
        path: &str,
        errors: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 32 {
            errors.push(format!("Value at '{path}' is nested too deeply"));
            return;
        }
        let Some(shape) = self.shapes.get(shape_name) else {
            return;
        };
        let mut fail = |msg: String| {
            errors.push(format!(
                "Value at '{path}' failed to satisfy constraint: {msg}"
            ))
        };
        match shape.shape_type.as_str() {
            "string" => {
                let Some(s) = v.as_str() else {
                    return fail("Member must be of type string".into());
                };
                let n = s.chars().count() as f64;
                if shape.min.is_some_and(|m| n < m) || shape.max.is_some_and(|m| n > m) {
                    fail(format!(
                        "Member must have length between {} and {}",
                        shape.min.unwrap_or(0.0),
                        shape.max.unwrap_or(f64::INFINITY)
                    ));
                }
                if let Some(e) = &shape.enum_values
                    && !e.iter().any(|x| x == s)
                {
                    fail(format!(
                        "Member must satisfy enum value set: [{}]",
                        e.join(", ")
                    ));
                }
            }
            "integer" | "long" => {
                let Some(n) = v.as_i64() else {
                    return fail(format!("Member must be of type {}", shape.shape_type));
                };
                if shape.shape_type == "integer" && i32::try_from(n).is_err() {
                    return fail("Member must be a 32-bit integer".into());
                }
                let n = n as f64;
                if shape.min.is_some_and(|m| n < m) || shape.max.is_some_and(|m| n > m) {
                    fail(format!(
                        "Member must have value between {} and {}",
                        shape.min.unwrap_or(f64::NEG_INFINITY),
                        shape.max.unwrap_or(f64::INFINITY)
                    ));
                }
            }
            "double" | "float" if !v.is_number() => {
                fail("Member must be of type double".into());
            }
            "boolean" if !v.is_boolean() => {
                fail("Member must be of type boolean".into());
            }
            "timestamp" if !(v.is_number() || v.is_string()) => {
                fail("Member must be of type timestamp".into());
            }
            "list" => {
                let Some(a) = v.as_array() else {
                    return fail("Member must be of type list".into());
                };
                let n = a.len() as f64;
                if shape.min.is_some_and(|m| n < m) || shape.max.is_some_and(|m| n > m) {
                    fail(format!(
                        "Member must have length between {} and {}",
                        shape.min.unwrap_or(0.0),
                        shape.max.unwrap_or(f64::INFINITY)
                    ));
                }
                if let Some(m) = &shape.member {
                    for (i, item) in a.iter().enumerate() {
                        self.check(
                            &m.shape,
                            item,
                            &format!("{path}.{}", i + 1),
                            errors,
                            depth + 1,
                        );
                    }
                }
            }
            "map" => {
                let Some(o) = v.as_object() else {
                    return fail("Member must be of type map".into());
                };
                let n = o.len() as f64;
                if shape.min.is_some_and(|m| n < m) || shape.max.is_some_and(|m| n > m) {
                    fail(format!(
                        "Member must have length between {} and {}",
                        shape.min.unwrap_or(0.0),
                        shape.max.unwrap_or(f64::INFINITY)
                    ));
                }
                for (k, item) in o {
                    if let Some(ks) = &shape.key {
                        self.check(
                            &ks.shape,
                            &Value::String(k.clone()),
                            &format!("{path}.{k}"),
                            errors,
                            depth + 1,
                        );
                    }
                    if let Some(vs) = &shape.value {
                        self.check(&vs.shape, item, &format!("{path}.{k}"), errors, depth + 1);
                    }
                }
            }
            "structure" => {
                let Some(o) = v.as_object() else {
                    return fail("Member must be of type structure".into());
                };
                for (name, member) in &shape.members {
                    let wire = member.wire_name(name);
                    match o.get(wire) {
                        None | Some(Value::Null) => {
                            if shape.required.contains(name) {
                                errors.push(format!(
                                    "Value null at '{path}.{wire}' failed to satisfy constraint: Member must not be null"
                                ));
                            }
                        }
                        Some(x) => self.check(
                            legacy_bound_shape(shape_name, &member.shape),
                            x,
                            &format!("{path}.{wire}"),
                            errors,
                            depth + 1,
                        ),
                    }
                }
            }
            _ => {}
        }
    }
}

/// The shape a member's value is checked against. `Condition`'s deprecated bounds
/// (`gt`/`gte`/`lt`/`lte`) are `Integer` in the model, but GuardDuty accepts epoch
/// milliseconds there (`{"updatedAt": {"gte": 1667917492908}}`, as SIEM connectors send through
/// boto3, which does not range-check), so they are checked as the `Long` of their replacements.
fn legacy_bound_shape<'a>(parent: &str, member_shape: &'a str) -> &'a str {
    if parent == "Condition" && member_shape == "Integer" {
        "Long"
    } else {
        member_shape
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ServiceModel {
        ServiceModel::load()
    }

    #[test]
    fn every_operation_is_routable_by_its_own_uri() {
        let m = model();
        assert_eq!(m.operations.len(), 103);
        for op in &m.operations {
            let path: String = op
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Literal(l) => format!("/{l}"),
                    Segment::Label(_) => "/x1".to_string(),
                })
                .collect();
            let r = m.route(&op.method, &path).unwrap();
            assert_eq!(r.op.name, op.name, "{} {path}", op.method);
        }
    }

    #[test]
    fn labels_are_percent_decoded_and_literals_win() {
        let m = model();
        let r = m.route("POST", "/detector/abc/member/get").unwrap();
        assert_eq!(r.op.name, "GetMembers");
        let r = m
            .route(
                "GET",
                "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123%3Adetector%2Fabc",
            )
            .unwrap();
        assert_eq!(r.op.name, "ListTagsForResource");
        assert_eq!(
            r.labels[0].1,
            "arn:aws:guardduty:us-east-1:123:detector/abc"
        );
        let r = m
            .route("GET", "/detector/d/filter/name%20with%20space")
            .unwrap();
        assert_eq!(r.labels[1].1, "name with space");
    }

    #[test]
    fn unknown_paths_and_methods_are_4xx() {
        let m = model();
        assert_eq!(m.route("GET", "/nope").err().unwrap().status, 404);
        assert_eq!(m.route("PUT", "/detector").err().unwrap().status, 405);
    }

    #[test]
    fn validation_reports_types_required_ranges_and_enums() {
        let m = model();
        let r = m.route("POST", "/detector/d1/findings").unwrap();
        let ok = m
            .input(&r, &[], br#"{"maxResults": 10, "findingCriteria": {"criterion": {"severity": {"gte": 4}}}}"#)
            .unwrap();
        assert_eq!(ok["DetectorId"], "d1");
        assert_eq!(ok["maxResults"], 10);
        let e = m.input(&r, &[], br#"{"maxResults": 500}"#).err().unwrap();
        assert!(
            e.message.contains("maxResults") && e.message.contains("between 1 and 50"),
            "{}",
            e.message
        );
        let e = m
            .input(
                &r,
                &[],
                br#"{"findingCriteria": {"criterion": {"severity": {"gte": "x"}}}}"#,
            )
            .err()
            .unwrap();
        assert!(
            e.message.contains("findingCriteria.criterion.severity.gte"),
            "{}",
            e.message
        );
        // Epoch milliseconds in the legacy bounds, as GuardDuty clients send them.
        let ok = m
            .input(
                &r,
                &[],
                br#"{"findingCriteria": {"criterion": {"updatedAt": {"gte": 1667917492908, "lt": 1900000000000}}}}"#,
            )
            .unwrap();
        assert_eq!(
            ok["findingCriteria"]["criterion"]["updatedAt"]["gte"],
            1667917492908_i64
        );
        // A 32-bit field elsewhere stays 32-bit.
        let e = m
            .input(&r, &[], br#"{"maxResults": 4294967296}"#)
            .err()
            .unwrap();
        assert!(e.message.contains("32-bit"), "{}", e.message);
        let e = m.input(&r, &[], b"{not json").err().unwrap();
        assert_eq!(e.code, "SerializationException");
        let e = m.input(&r, &[], b"[1,2]").err().unwrap();
        assert_eq!(e.status, 400);
        let r = m.route("POST", "/detector").unwrap();
        let e = m.input(&r, &[], b"{}").err().unwrap();
        assert!(
            e.message.contains("'enable'") && e.message.contains("must not be null"),
            "{}",
            e.message
        );
        let e = m
            .input(
                &r,
                &[],
                br#"{"enable": true, "findingPublishingFrequency": "SOMETIMES"}"#,
            )
            .err()
            .unwrap();
        assert!(e.message.contains("enum"), "{}", e.message);
        let r = m.route("GET", "/detector").unwrap();
        let q = vec![("maxResults".to_string(), "abc".to_string())];
        assert_eq!(m.input(&r, &q, b"").err().unwrap().status, 400);
        let r = m.route("DELETE", "/tags/arn").unwrap();
        let q = vec![
            ("tagKeys".to_string(), "a".to_string()),
            ("tagKeys".to_string(), "b".to_string()),
        ];
        let ok = m.input(&r, &q, b"").unwrap();
        assert_eq!(ok["tagKeys"], serde_json::json!(["a", "b"]));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_requests_never_panic(method in "(GET|POST|PUT|DELETE|PATCH)", path in "(/[a-zA-Z%0-9{}.-]{0,12}){0,6}", body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let m = model();
            if let Ok(r) = m.route(&method, &path) {
                let _ = m.input(&r, &[], &body);
            }
        }

        #[test]
        fn arbitrary_json_bodies_never_panic(v in proptest_json()) {
            let m = model();
            for op in ["/detector/d/findings", "/detector/d/filter", "/detector/d/member", "/detector/d/findings/statistics"] {
                let r = m.route("POST", op).unwrap();
                let _ = m.input(&r, &[], v.to_string().as_bytes());
            }
        }
    }

    fn proptest_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-zA-Z]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("findingCriteria".to_string()),
                        Just("criterion".to_string()),
                        Just("maxResults".to_string()),
                        Just("name".to_string()),
                        Just("accountDetails".to_string()),
                        Just("eq".to_string()),
                        "[a-z]{1,6}".prop_map(|s| s)
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}

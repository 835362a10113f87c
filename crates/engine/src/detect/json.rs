//! Small helpers over `serde_json::Value` for rules that must look inside request parameters.
//! They are only reached after a rule's event name matched, never per event.

use serde_json::Value;

/// Key lookup that tolerates CloudTrail's inconsistent casing (`bucketName` vs `BucketName`).
pub fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Follow a path of keys.
pub fn path<'v>(v: &'v Value, keys: &[&str]) -> Option<&'v Value> {
    keys.iter().try_fold(v, |cur, k| get(cur, k))
}

/// A boolean that CloudTrail may write as `true`, `"true"` or `{"value": true}`.
pub fn truthy(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        },
        Value::Object(_) => truthy(get(v?, "value")),
        _ => None,
    }
}

pub fn str_of(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s),
        Value::Array(a) if a.len() == 1 => a[0].as_str(),
        _ => None,
    }
}

pub fn num_of(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The elements of CloudTrail's list encodings: `{"items":[..]}`, `[..]`, or one object.
pub fn items(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => match get(o, "items").or_else(|| get(o, "item")) {
            Some(inner) => items(Some(inner)),
            None => vec![o],
        },
        Some(other) => vec![other],
    }
}

/// A JSON document that may arrive as an object or as a JSON string holding one.
pub fn document(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::String(s) => serde_json::from_str(s).ok(),
        other @ (Value::Object(_) | Value::Array(_)) => Some(other.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn helpers() {
        let v = json!({"BucketName": "b", "flag": {"value": "true"}, "l": {"items": [1, 2]}, "doc": "{\"a\":1}"});
        assert_eq!(str_of(get(&v, "bucketName")), Some("b"));
        assert_eq!(truthy(get(&v, "flag")), Some(true));
        assert_eq!(items(get(&v, "l")).len(), 2);
        assert_eq!(document(get(&v, "doc")).unwrap()["a"], 1);
        assert_eq!(truthy(get(&v, "missing")), None);
    }
}

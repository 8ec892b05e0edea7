//! Validates a JSON value against an OpenAPI 3.0 schema. Answers are held strictly: a
//! property the schema does not declare is a mismatch (an undeclared field is a lie of the
//! document), `null` needs `nullable`, a `writeOnly` property must never appear. Requests
//! are held to what the document says: unknown fields only where `additionalProperties`
//! is `false`.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::{Map, Value};

/// Resolves `#/components/schemas/X` references within one document.
pub struct Resolver<'a> {
    pub doc: &'a Value,
    /// An answer (strict about undeclared and write-only fields), not a request.
    pub answer: bool,
}

impl<'a> Resolver<'a> {
    fn resolve(&self, schema: &'a Value) -> Result<&'a Value, String> {
        let mut s = schema;
        // A reference may point at another reference; ten hops is far beyond any real chain.
        for _ in 0..10 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let pointer = r
                        .strip_prefix('#')
                        .ok_or_else(|| format!("unsupported reference {r} (only local ones)"))?;
                    s = self
                        .doc
                        .pointer(pointer)
                        .ok_or_else(|| format!("reference {r} points nowhere"))?;
                }
                None => return Ok(s),
            }
        }
        Err("reference chain longer than 10".into())
    }
}

/// One mismatch: where in the value (a JSON pointer) and what is wrong.
pub type Mismatch = String;

pub fn validate(r: &Resolver, schema: &Value, value: &Value, at: &str, out: &mut Vec<Mismatch>) {
    let schema = match r.resolve(schema) {
        Ok(s) => s,
        Err(e) => return out.push(format!("{at}: {e}")),
    };
    if value.is_null() {
        if !is_nullable(r, schema) {
            out.push(format!("{at}: null, but the schema does not say nullable"));
        }
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            validate_loose(r, sub, value, at, out);
        }
        check_unknown_properties(r, schema, value, at, out);
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = one.iter().filter(|s| matches(r, s, value, at)).count();
        if matching != 1 {
            out.push(format!(
                "{at}: matches {matching} of the oneOf alternatives (needs exactly 1)"
            ));
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && !any.iter().any(|s| matches(r, s, value, at))
    {
        out.push(format!("{at}: matches none of the anyOf alternatives"));
    }
    check_own_keywords(r, schema, value, at, out, true);
}

/// Like `validate`, but leaves unknown-property checks to the caller (an `allOf` member
/// sees only its part of the object).
fn validate_loose(r: &Resolver, schema: &Value, value: &Value, at: &str, out: &mut Vec<Mismatch>) {
    let schema = match r.resolve(schema) {
        Ok(s) => s,
        Err(e) => return out.push(format!("{at}: {e}")),
    };
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            validate_loose(r, sub, value, at, out);
        }
    }
    check_own_keywords(r, schema, value, at, out, false);
}

fn matches(r: &Resolver, schema: &Value, value: &Value, at: &str) -> bool {
    let mut errs = Vec::new();
    validate(r, schema, value, at, &mut errs);
    errs.is_empty()
}

fn is_nullable(r: &Resolver, schema: &Value) -> bool {
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    // A schema with no type at all (e.g. `details: {}`) accepts anything, null included.
    let untyped = ["type", "$ref", "allOf", "oneOf", "anyOf", "enum", "properties"]
        .iter()
        .all(|k| schema.get(k).is_none());
    if untyped {
        return true;
    }
    // poem wraps a described `$ref` field as `allOf: [{$ref}, {description, nullable}]`.
    schema.get("allOf").and_then(Value::as_array).is_some_and(|all| {
        all.iter()
            .any(|s| r.resolve(s).is_ok_and(|s| s.get("nullable") == Some(&Value::Bool(true))))
    })
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_own_keywords(
    r: &Resolver,
    schema: &Value,
    value: &Value,
    at: &str,
    out: &mut Vec<Mismatch>,
    strict_properties: bool,
) {
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        let actual = type_of(value);
        let ok = ty == actual || (ty == "number" && actual == "integer");
        if !ok {
            return out.push(format!("{at}: expected {ty}, got {actual}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {}", Value::Array(allowed.clone())));
    }
    match value {
        Value::String(s) => check_string(schema, s, at, out),
        Value::Number(_) => check_number(schema, value, at, out),
        Value::Array(items) => check_array(r, schema, items, at, out),
        Value::Object(obj) => {
            check_object(r, schema, obj, at, out);
            if strict_properties && schema.get("allOf").is_none() {
                check_unknown_properties(r, schema, value, at, out);
            }
        }
        _ => {}
    }
}

fn check_string(schema: &Value, s: &str, at: &str, out: &mut Vec<Mismatch>) {
    let chars = s.chars().count() as u64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && chars < min
    {
        out.push(format!("{at}: {chars} characters, shorter than minLength {min}"));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && chars > max
    {
        out.push(format!("{at}: {chars} characters, longer than maxLength {max}"));
    }
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        match Regex::new(p) {
            Ok(re) if !re.is_match(s) => out.push(format!("{at}: {s:?} does not match /{p}/")),
            Ok(_) => {}
            Err(e) => out.push(format!("{at}: the schema's pattern /{p}/ does not compile: {e}")),
        }
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("uuid") if !is_uuid(s) => out.push(format!("{at}: {s:?} is not a UUID")),
        Some("date-time") if !is_date_time(s) => {
            out.push(format!("{at}: {s:?} is not an RFC 3339 date-time"))
        }
        _ => {}
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[allow(clippy::expect_used, reason = "a constant pattern that compiles")]
fn is_date_time(s: &str) -> bool {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
            .expect("a constant pattern compiles")
    })
    .is_match(s)
}

fn check_number(schema: &Value, value: &Value, at: &str, out: &mut Vec<Mismatch>) {
    let Some(x) = value.as_f64() else { return };
    let excl = |k: &str| schema.get(k).and_then(Value::as_bool) == Some(true);
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && (x < min || (excl("exclusiveMinimum") && x == min))
    {
        out.push(format!("{at}: {value} is below minimum {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && (x > max || (excl("exclusiveMaximum") && x == max))
    {
        out.push(format!("{at}: {value} is above maximum {max}"));
    }
    let range: Option<(f64, f64)> = match schema.get("format").and_then(Value::as_str) {
        Some("int8") => Some((i8::MIN as f64, i8::MAX as f64)),
        Some("int16") => Some((i16::MIN as f64, i16::MAX as f64)),
        Some("int32") => Some((i32::MIN as f64, i32::MAX as f64)),
        Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
        Some("uint8") => Some((0.0, u8::MAX as f64)),
        Some("uint16") => Some((0.0, u16::MAX as f64)),
        Some("uint32") => Some((0.0, u32::MAX as f64)),
        Some("uint64") => Some((0.0, u64::MAX as f64)),
        _ => None,
    };
    if let Some((lo, hi)) = range
        && (x < lo || x > hi)
    {
        out.push(format!("{at}: {value} is out of the range of its format"));
    }
}

fn check_array(r: &Resolver, schema: &Value, items: &[Value], at: &str, out: &mut Vec<Mismatch>) {
    let n = items.len() as u64;
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
        && n < min
    {
        out.push(format!("{at}: {n} items, fewer than minItems {min}"));
    }
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
        && n > max
    {
        out.push(format!("{at}: {n} items, more than maxItems {max}"));
    }
    if schema.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        let distinct: BTreeSet<String> = items.iter().map(Value::to_string).collect();
        if distinct.len() != items.len() {
            out.push(format!("{at}: items are not unique"));
        }
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            validate(r, item_schema, item, &format!("{at}/{i}"), out);
        }
    }
}

fn check_object(
    r: &Resolver,
    schema: &Value,
    obj: &Map<String, Value>,
    at: &str,
    out: &mut Vec<Mismatch>,
) {
    let props = schema.get("properties").and_then(Value::as_object);
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !obj.contains_key(name) {
                out.push(format!("{at}: required property {name:?} is missing"));
            }
        }
    }
    let n = obj.len() as u64;
    if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
        && n > max
    {
        out.push(format!("{at}: {n} properties, more than maxProperties {max}"));
    }
    for (name, v) in obj {
        let here = format!("{at}/{name}");
        match props.and_then(|p| p.get(name)) {
            Some(prop) => {
                if r.answer
                    && r.resolve(prop).is_ok_and(|p| p.get("writeOnly") == Some(&Value::Bool(true)))
                {
                    out.push(format!("{here}: writeOnly property present in an answer"));
                }
                validate(r, prop, v, &here, out);
            }
            None => {
                if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                    validate(r, extra, v, &here, out);
                }
            }
        }
    }
}

/// The property names a schema declares, across `allOf`; None when any name is allowed.
fn known_properties(r: &Resolver, schema: &Value, names: &mut BTreeSet<String>) -> bool {
    let Ok(schema) = r.resolve(schema) else { return false };
    match schema.get("additionalProperties") {
        Some(Value::Bool(false)) | None => {}
        Some(_) => return false,
    }
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        names.extend(p.keys().cloned());
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            // poem's `{description: …}` member of a described `$ref` says nothing of names.
            let silent = ["$ref", "type", "properties", "allOf", "additionalProperties"]
                .iter()
                .all(|k| sub.get(k).is_none());
            if !silent && !known_properties(r, sub, names) {
                return false;
            }
        }
    }
    // `{}` or `{"type": "object"}` alone (e.g. `details`) is free-form: any name goes.
    let free_form = schema.get("properties").is_none()
        && schema.get("allOf").is_none()
        && schema.get("additionalProperties").is_none();
    !free_form
}

fn check_unknown_properties(
    r: &Resolver,
    schema: &Value,
    value: &Value,
    at: &str,
    out: &mut Vec<Mismatch>,
) {
    let Value::Object(obj) = value else { return };
    let closed =
        r.resolve(schema).is_ok_and(|s| s.get("additionalProperties") == Some(&Value::Bool(false)));
    if !r.answer && !closed {
        return;
    }
    let mut names = BTreeSet::new();
    if !known_properties(r, schema, &mut names) {
        return;
    }
    for name in obj.keys().filter(|k| !names.contains(*k)) {
        out.push(format!("{at}/{name}: property not declared by the schema"));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(doc: &Value, schema: Value, value: Value) -> Vec<String> {
        let r = Resolver { doc, answer: true };
        let mut out = Vec::new();
        validate(&r, &schema, &value, "", &mut out);
        out
    }

    #[test]
    fn strict_objects_refuse_nulls_unknown_and_write_only_fields() {
        let doc = json!({"components": {"schemas": {
            "User": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "email": {"type": "string", "maxLength": 5},
                "password": {"type": "string", "writeOnly": true},
                "role": {"allOf": [{"$ref": "#/components/schemas/Role"}, {"description": "x"}]}
            }},
            "Role": {"type": "string", "enum": ["admin", "viewer"]}
        }}});
        let user = json!({"$ref": "#/components/schemas/User"});
        let id = "0190c1f2-7e3a-7b1c-9d2e-0123456789ab";
        assert!(check(&doc, user.clone(), json!({"id": id, "role": "admin"})).is_empty());
        let errs = check(&doc, user.clone(), json!({"id": id, "email": null}));
        assert!(errs[0].contains("/email: null"), "{errs:?}");
        let errs = check(&doc, user.clone(), json!({"id": id, "extra": 1}));
        assert!(errs[0].contains("/extra: property not declared"), "{errs:?}");
        let errs = check(&doc, user.clone(), json!({"id": id, "password": "x"}));
        assert!(errs[0].contains("writeOnly"), "{errs:?}");
        let errs = check(&doc, user.clone(), json!({"id": "nope", "role": "root"}));
        assert_eq!(errs.len(), 2, "{errs:?}");
        let errs = check(&doc, user, json!({"email": "toolong"}));
        assert_eq!(errs.len(), 2, "missing id and too long: {errs:?}");
    }

    #[test]
    fn numbers_arrays_maps_and_formats() {
        let doc = json!({});
        let n = json!({"type": "integer", "format": "uint32", "minimum": 1, "maximum": 10});
        assert!(check(&doc, n.clone(), json!(5)).is_empty());
        assert_eq!(check(&doc, n.clone(), json!(0)).len(), 1);
        assert_eq!(check(&doc, n.clone(), json!(-1)).len(), 2);
        assert_eq!(check(&doc, n, json!(1.5)).len(), 1);
        let a = json!({"type": "array", "maxItems": 2, "items": {"type": "string", "pattern": "^[a-z]+$"}});
        assert!(check(&doc, a.clone(), json!(["a", "b"])).is_empty());
        assert_eq!(check(&doc, a, json!(["a", "B", "c"])).len(), 2);
        let m = json!({"type": "object", "additionalProperties": {"type": "string"}});
        assert!(check(&doc, m.clone(), json!({"ANY": "x"})).is_empty());
        assert_eq!(check(&doc, m, json!({"ANY": 1})).len(), 1);
        let t = json!({"type": "string", "format": "date-time"});
        assert!(check(&doc, t.clone(), json!("2026-12-06T03:46:49.123Z")).is_empty());
        assert!(check(&doc, t.clone(), json!("2026-12-06T03:46:49+01:00")).is_empty());
        assert_eq!(check(&doc, t, json!("yesterday")).len(), 1);
        assert!(check(&doc, json!({}), json!(null)).is_empty(), "an untyped schema takes null");
        let nullable = json!({"type": "string", "nullable": true});
        assert!(check(&doc, nullable, json!(null)).is_empty());
    }

    #[test]
    fn requests_may_carry_write_only_fields_and_unknown_ones_only_where_allowed() {
        let doc = json!({});
        let open =
            json!({"type": "object", "properties": {"p": {"type": "string", "writeOnly": true}}});
        let closed = json!({"type": "object", "additionalProperties": false, "properties": {"p": {"type": "string"}}});
        let r = Resolver { doc: &doc, answer: false };
        let mut out = Vec::new();
        validate(&r, &open, &json!({"p": "secret", "extra": 1}), "", &mut out);
        assert!(out.is_empty(), "{out:?}");
        validate(&r, &closed, &json!({"p": 5, "extra": 1}), "", &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].starts_with("/p: expected string"), "{out:?}");
        assert!(out[1].starts_with("/extra: property not declared"), "{out:?}");
    }

    #[test]
    fn one_of_needs_exactly_one() {
        let doc = json!({});
        let s = json!({"oneOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}
        ]});
        assert!(check(&doc, s.clone(), json!({"a": 1})).is_empty());
        assert_eq!(check(&doc, s, json!({"c": 1})).len(), 1);
    }
}

//! OpenAPI 3.0 schema objects → JSON Schema 2020-12, as the `jsonschema` crate validates it.
//!
//! The converted component schemas keep their place in the document
//! (`#/components/schemas/<Name>`), so `$ref`s need no rewriting and every schema location in an
//! error report is also a location in the spec (inside our small wrappers, see below).
//!
//! What changes, and why:
//! - `nullable: true` becomes `type: [T, "null"]` (and `null` joins an `enum`) where the schema
//!   is a plain typed one. Where it stands beside `$ref`, `allOf`, `anyOf`, `oneOf` or `not`
//!   (whose subschemas would reject null), the schema becomes `{"if": {"type": "null"},
//!   "else": <schema>}`: null passes, anything else is checked as before and its errors keep
//!   their own location under `/else/...`.
//!   In OpenAPI 3.0 the siblings of `$ref` are ignored, but Clerk writes `{$ref, nullable: true}`
//!   meaning "nullable reference", so `nullable` beside `$ref` is honoured too.
//!   An `allOf` branch that is only `{type: object, nullable: true}` (Clerk's way to say "the
//!   other branch, or null") makes the whole `allOf` nullable instead of being a branch.
//! - `oneOf` becomes `anyOf`. Clerk's `oneOf` alternatives overlap (the verification stubs share
//!   their shape and differ only in enum values that are not always exclusive), so a correct body
//!   often matches several of them, and "exactly one" would fail bodies Clerk itself sends. For
//!   a response check "matches one of the documented shapes" is the useful question.
//! - OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric 2020-12 ones.
//! - A multi-branch `allOf` in which a branch is closed (`additionalProperties: false`) would
//!   reject every body, since each branch sees the other's properties as extra. There the closed
//!   branches are inlined without their `additionalProperties` and the `allOf` gets
//!   `unevaluatedProperties: false`, which closes the union instead.
//! - Keywords with no validation meaning (`description`, `example`, `deprecated`, `readOnly`,
//!   `discriminator`, `x-*`, …) are dropped; unknown formats (`int64`, …) are ignored by the
//!   validator.

use serde_json::{json, Map, Value};

/// Keywords copied unchanged.
const COPIED: &[&str] = &[
    "type",
    "enum",
    "required",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "minimum",
    "maximum",
];

pub(crate) struct Converter<'a> {
    /// The spec's raw `components/schemas`, to look through `$ref`s.
    schemas: &'a Map<String, Value>,
}

impl<'a> Converter<'a> {
    pub(crate) fn new(schemas: &'a Map<String, Value>) -> Self {
        Converter { schemas }
    }

    /// The raw schema a `#/components/schemas/X` reference names, following chains.
    fn resolve<'v>(&'v self, mut schema: &'v Value) -> &'v Value {
        for _ in 0..32 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    match r.strip_prefix("#/components/schemas/").and_then(|name| self.schemas.get(name)) {
                        Some(target) => schema = target,
                        None => return schema,
                    }
                }
                None => return schema,
            }
        }
        schema
    }

    pub(crate) fn convert(&self, schema: &Value) -> Value {
        let Some(obj) = schema.as_object() else {
            // `true`/`false` schemas, or garbage we leave for the validator to reject.
            return schema.clone();
        };
        let mut nullable = obj.get("nullable") == Some(&Value::Bool(true));

        if let Some(r) = obj.get("$ref") {
            let out = json!({ "$ref": r });
            return if nullable { null_or(out) } else { out };
        }

        let mut out = Map::new();
        for &key in COPIED {
            if let Some(v) = obj.get(key) {
                out.insert(key.to_owned(), v.clone());
            }
        }
        // OpenAPI 3.0 (JSON Schema draft 4/5) booleans → 2020-12 numbers.
        for (excl, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            match obj.get(excl) {
                Some(Value::Bool(true)) => {
                    if let Some(limit) = out.remove(bound) {
                        out.insert(excl.to_owned(), limit);
                    }
                }
                Some(n @ Value::Number(_)) => {
                    out.insert(excl.to_owned(), n.clone());
                }
                _ => {}
            }
        }
        if let Some(Value::Object(props)) = obj.get("properties") {
            let converted: Map<String, Value> =
                props.iter().map(|(k, v)| (k.clone(), self.convert(v))).collect();
            out.insert("properties".into(), Value::Object(converted));
        }
        if let Some(ap) = obj.get("additionalProperties") {
            out.insert("additionalProperties".into(), self.convert(ap));
        }
        if let Some(items) = obj.get("items") {
            out.insert("items".into(), self.convert(items));
        }
        if let Some(not) = obj.get("not") {
            out.insert("not".into(), self.convert(not));
        }
        if let Some(Value::Array(branches)) = obj.get("allOf") {
            let (all_of, closed, null_branch) = self.convert_all_of(branches);
            nullable |= null_branch;
            if !all_of.is_empty() {
                out.insert("allOf".into(), Value::Array(all_of));
            }
            if closed {
                out.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
        }
        // `oneOf` is checked as `anyOf`: see the module notes (Clerk's alternatives overlap).
        let mut any_of: Vec<Value> = Vec::new();
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = obj.get(key) {
                let converted: Vec<Value> = branches.iter().map(|b| self.convert(b)).collect();
                if any_of.is_empty() {
                    any_of = converted;
                } else {
                    // Both present: both must hold.
                    out.entry("allOf")
                        .or_insert_with(|| Value::Array(Vec::new()))
                        .as_array_mut()
                        .expect("allOf is an array")
                        .push(json!({ "anyOf": converted }));
                }
            }
        }
        if !any_of.is_empty() {
            out.insert("anyOf".into(), Value::Array(any_of));
        }

        if !nullable {
            return Value::Object(out);
        }
        let composite = ["allOf", "anyOf", "not", "$ref"].iter().any(|k| out.contains_key(*k));
        if composite {
            return null_or(Value::Object(out));
        }
        match out.get_mut("type") {
            Some(Value::String(t)) => {
                let t = std::mem::take(t);
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
                types.push(json!("null"));
            }
            _ => {} // untyped: null already passes the type check
        }
        if let Some(Value::Array(options)) = out.get_mut("enum") {
            if !options.contains(&Value::Null) {
                options.push(Value::Null);
            }
        }
        Value::Object(out)
    }

    /// Returns the converted branches, whether the union must be closed with
    /// `unevaluatedProperties: false`, and whether a branch made the whole `allOf` nullable.
    fn convert_all_of(&self, branches: &[Value]) -> (Vec<Value>, bool, bool) {
        let mut null_branch = false;
        let mut kept: Vec<&Value> = Vec::new();
        for b in branches {
            if is_bare_nullable_object(b) {
                null_branch = true;
            } else {
                kept.push(b);
            }
        }
        let closed = kept.len() > 1
            && kept.iter().any(|b| self.resolve(b).get("additionalProperties") == Some(&Value::Bool(false)));
        let converted = kept
            .into_iter()
            .map(|b| {
                let resolved = self.resolve(b);
                if closed && resolved.get("additionalProperties") == Some(&Value::Bool(false)) {
                    let mut inlined = self.convert(resolved);
                    if let Some(o) = inlined.as_object_mut() {
                        o.remove("additionalProperties");
                    }
                    inlined
                } else {
                    self.convert(b)
                }
            })
            .collect();
        (converted, closed, null_branch)
    }
}

/// `{type: object, nullable: true}` with nothing else that constrains.
fn is_bare_nullable_object(schema: &Value) -> bool {
    let Some(o) = schema.as_object() else {
        return false;
    };
    o.get("nullable") == Some(&Value::Bool(true))
        && o.keys().all(|k| {
            matches!(k.as_str(), "nullable" | "type" | "description" | "title") || k.starts_with("x-")
        })
        && o.get("type").is_none_or(|t| t == "object")
}

/// Null, or else `schema`.
fn null_or(schema: Value) -> Value {
    json!({ "if": { "type": "null" }, "else": schema })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(schemas: Value, s: Value) -> Value {
        let schemas = schemas.as_object().unwrap().clone();
        Converter::new(&schemas).convert(&s)
    }

    #[test]
    fn nullable_scalar_and_enum() {
        let out = conv(json!({}), json!({"type": "string", "nullable": true, "enum": ["a"]}));
        assert_eq!(out, json!({"type": ["string", "null"], "enum": ["a", null]}));
        let out = conv(json!({}), json!({"type": "string", "nullable": false}));
        assert_eq!(out, json!({"type": "string"}));
    }

    #[test]
    fn nullable_ref_and_all_of() {
        let out = conv(json!({}), json!({"$ref": "#/components/schemas/A", "nullable": true}));
        assert_eq!(out, json!({"if": {"type": "null"}, "else": {"$ref": "#/components/schemas/A"}}));
        let out = conv(
            json!({}),
            json!({"type": "object", "nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]}),
        );
        assert_eq!(
            out,
            json!({"if": {"type": "null"}, "else": {"type": "object", "allOf": [{"$ref": "#/components/schemas/A"}]}})
        );
        let out = conv(
            json!({}),
            json!({"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "object", "nullable": true}]}),
        );
        assert_eq!(
            out,
            json!({"if": {"type": "null"}, "else": {"allOf": [{"$ref": "#/components/schemas/A"}]}})
        );
    }

    #[test]
    fn one_of_is_any_of_and_exclusive_minimum() {
        let out = conv(json!({}), json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}));
        assert_eq!(out, json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}));
        let out = conv(
            json!({}),
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "description": "x"}),
        );
        assert_eq!(out, json!({"type": "number", "exclusiveMinimum": 0}));
    }

    #[test]
    fn closed_branch_in_all_of_closes_the_union() {
        let schemas = json!({"A": {"type": "object", "additionalProperties": false,
                                    "properties": {"a": {"type": "string"}}}});
        let out = conv(
            schemas,
            json!({"allOf": [{"$ref": "#/components/schemas/A"},
                             {"type": "object", "properties": {"b": {"type": "string"}}}]}),
        );
        assert_eq!(
            out,
            json!({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}},
                             {"type": "object", "properties": {"b": {"type": "string"}}}],
                   "unevaluatedProperties": false})
        );
    }
}

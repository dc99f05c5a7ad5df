//! Validates JSON bodies against Clerk's OpenAPI specs (test support).
//!
//! ```no_run
//! use userdesk_conformance::Spec;
//! use serde_json::json;
//!
//! let body = json!({"errors": [{"message": "m", "long_message": "l", "code": "form_password_incorrect"}]});
//! // A concrete path (ids, a query) or a template; status picks the response (exact, `4XX`, `default`).
//! Spec::fapi().check_response("POST", "/v1/client/sign_ins?_is_native=1", 422, &body).unwrap();
//! // Or panic with the readable report:
//! Spec::fapi().assert_response("POST", "/v1/client/sessions/sess_123/end", 404, &body);
//! // A component schema by name:
//! let _ = Spec::fapi().check_schema("Client.PublicUserData", &json!({}));
//! ```
//!
//! - [`Spec::fapi`] / [`Spec::bapi`] load `fapi-2026-05-12.yml` / `bapi-2026-05-12.yml` once, from
//!   `$USERDESK_SPEC_DIR` or else `<workspace>/../shared/spec`. [`Spec::load`] and
//!   [`Spec::from_yaml_str`] load others.
//! - [`Spec::check_response`] returns `Err(Violations)` listing every violation with its JSON path in
//!   the body (`$.response.sessions[0].id`) and its schema location in the spec
//!   (`#/components/schemas/Client.SessionBase-2/properties/id/type`); its `Display` is meant for a
//!   test failure. An unknown path, method or status, or a body where the spec declares none, is
//!   an `Err` too ([`Violations::is_lookup_error`]), never a silent pass.
//! - [`Spec::operation_template`] tells which path template a concrete path matches (literal
//!   segments beat `{param}`s).
//! - How OpenAPI 3.0 becomes JSON Schema 2020-12 (`nullable`, `oneOf` checked as `anyOf`, …):
//!   see the notes in `src/convert.rs`. Validators are built on first use, once per response
//!   schema, and cached.

// `Violations` is returned by value with public fields, for tests to inspect; its size is irrelevant
// off the hot path of a test.
#![allow(clippy::result_large_err)]

mod convert;
mod report;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Map, Value};

pub use report::{Violation, ViolationKind, Violations};

/// The spec files, in `USERDESK_SPEC_DIR` or else `<workspace>/../shared/spec`.
pub const FAPI_FILE: &str = "fapi-2026-05-12.yml";
pub const BAPI_FILE: &str = "bapi-2026-05-12.yml";

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/// Base URI of the combined documents, so errors carry absolute keyword locations.
const BASE_URI: &str = "https://userdesk.invalid/spec.json";

/// One OpenAPI spec, with its schemas converted to JSON Schema and validators built on demand.
pub struct Spec {
    name: String,
    doc: Value,
    /// `{"schemas": {...converted}}`, placed as `components` in every validator's document.
    components: Value,
    templates: Vec<Template>,
    /// Validators by the spec location (JSON pointer) of the response schema they check.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// Why a spec could not be loaded.
#[derive(Debug)]
pub struct LoadError(String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// A path template of the spec, split into segments.
struct Template {
    path: String,
    /// `None` for a `{param}` segment.
    segments: Vec<Option<String>>,
}

impl Template {
    fn parse(path: &str) -> Self {
        let segments = path
            .split('/')
            .map(|s| if s.starts_with('{') && s.ends_with('}') { None } else { Some(s.to_owned()) })
            .collect();
        Template { path: path.to_owned(), segments }
    }

    /// Literal-ness of each segment if `concrete` matches, for ranking (literal beats `{param}`,
    /// from the left).
    fn matches(&self, concrete: &[&str]) -> Option<Vec<bool>> {
        if self.segments.len() != concrete.len() {
            return None;
        }
        let mut rank = Vec::with_capacity(concrete.len());
        for (seg, c) in self.segments.iter().zip(concrete) {
            match seg {
                Some(lit) if lit == c => rank.push(true),
                Some(_) => return None,
                None if c.is_empty() => return None,
                None => rank.push(false),
            }
        }
        Some(rank)
    }
}

fn spec_dir() -> PathBuf {
    match std::env::var_os("USERDESK_SPEC_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec"),
    }
}

fn load_static(file: &str) -> Spec {
    let path = spec_dir().join(file);
    Spec::load(&path).unwrap_or_else(|e| panic!("userdesk-conformance: {e}"))
}

impl Spec {
    /// Clerk's Frontend API spec, loaded once.
    pub fn fapi() -> &'static Spec {
        static FAPI: OnceLock<Spec> = OnceLock::new();
        FAPI.get_or_init(|| load_static(FAPI_FILE))
    }

    /// Clerk's Backend API spec, loaded once.
    pub fn bapi() -> &'static Spec {
        static BAPI: OnceLock<Spec> = OnceLock::new();
        BAPI.get_or_init(|| load_static(BAPI_FILE))
    }

    /// Loads an OpenAPI 3.0 spec (YAML or JSON) from a file.
    pub fn load(path: &Path) -> Result<Spec, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            LoadError(format!(
                "cannot read the spec {} ({e}); set USERDESK_SPEC_DIR to the folder holding {FAPI_FILE} and {BAPI_FILE}",
                path.display()
            ))
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Spec::from_yaml_str(&name, &text).map_err(|e| LoadError(format!("{}: {e}", path.display())))
    }

    /// Parses an OpenAPI 3.0 spec from YAML (or JSON) text; `name` appears in reports.
    pub fn from_yaml_str(name: &str, text: &str) -> Result<Spec, LoadError> {
        let doc: Value = serde_norway::from_str(text)
            .map_err(|e| LoadError(format!("not a YAML OpenAPI document: {e}")))?;
        if !doc.get("paths").is_some_and(Value::is_object) {
            return Err(LoadError("no `paths` object: not an OpenAPI document".into()));
        }
        let empty = Map::new();
        let raw_schemas = doc.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
        let converter = convert::Converter::new(raw_schemas);
        let schemas: Map<String, Value> =
            raw_schemas.iter().map(|(k, v)| (k.clone(), converter.convert(v))).collect();
        let templates =
            doc["paths"].as_object().expect("checked above").keys().map(|p| Template::parse(p)).collect();
        Ok(Spec {
            name: name.to_owned(),
            components: json!({ "schemas": schemas }),
            doc,
            templates,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// The spec's file name (or the name it was given).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The spec as parsed (OpenAPI, not converted).
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The spec's path template for a concrete path (query ignored) and method, e.g.
    /// `("POST", "/v1/client/sessions/sess_1/end")` → `/v1/client/sessions/{session_id}/end`.
    /// Literal segments win over `{param}` ones, from the left.
    pub fn operation_template(&self, method: &str, path: &str) -> Option<&str> {
        self.find_operation(method, path).ok().map(|(t, _)| t)
    }

    /// Validates `body` as the response of `method` `path` with `status`.
    ///
    /// `path` is concrete (`/v1/me/email_addresses/idn_123`, a query is ignored) or a template.
    /// The response is looked up by exact status, then its range (`4XX`), then `default`. A
    /// response the spec gives no JSON body passes only with `Value::Null`. An unknown path,
    /// method or status is an error, never a pass.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), Violations> {
        let mut report = Violations::new(&self.name, method, path, status);
        let (template, op) = match self.find_operation(method, path) {
            Ok(found) => found,
            Err(message) => return Err(report.lookup(message)),
        };
        report.template = Some(template.to_owned());
        let (location, schema) = match self.response_schema(template, op, status) {
            Ok(found) => found,
            Err(message) => return Err(report.lookup(message)),
        };
        let Some(schema) = schema else {
            return if body.is_null() {
                Ok(())
            } else {
                report.schema_location = Some(location.clone());
                Err(report.lookup(format!(
                    "the spec declares no JSON body for this response ({location}), but one was given"
                )))
            };
        };
        report.schema_location = Some(location.clone());
        let validator = match self.validator(&location, schema) {
            Ok(v) => v,
            Err(message) => return Err(report.lookup(message)),
        };
        report.collect(&validator, body);
        report.into_result()
    }

    /// Like [`Spec::check_response`], but panics with the readable report.
    #[track_caller]
    pub fn assert_response(&self, method: &str, path: &str, status: u16, body: &Value) {
        if let Err(v) = self.check_response(method, path, status, body) {
            panic!("{v}");
        }
    }

    /// Validates `value` against the component schema `name` (`#/components/schemas/<name>`),
    /// e.g. `Client.User`.
    pub fn check_schema(&self, name: &str, value: &Value) -> Result<(), Violations> {
        let location = format!("#/components/schemas/{}", escape_pointer(name));
        let mut report = Violations::new(&self.name, "", &location, 0);
        report.schema_location = Some(location.clone());
        if self.doc.pointer(&location[1..]).is_none() {
            return Err(report.lookup(format!("no schema {name} in {}", self.name)));
        }
        let reference = json!({ "$ref": location });
        let validator = match self.validator(&location, &reference) {
            Ok(v) => v,
            Err(message) => return Err(report.lookup(message)),
        };
        report.collect(&validator, value);
        report.into_result()
    }

    fn find_operation(&self, method: &str, path: &str) -> Result<(&str, &Value), String> {
        let method_lc = method.to_ascii_lowercase();
        let bare = path.split(['?', '#']).next().unwrap_or_default();
        let concrete: Vec<&str> = bare.split('/').collect();
        let mut matched: Vec<(Vec<bool>, &Template)> =
            self.templates.iter().filter_map(|t| t.matches(&concrete).map(|rank| (rank, t))).collect();
        if matched.is_empty() {
            return Err(format!("no path template in {} matches {bare}", self.name));
        }
        matched.sort_by(|a, b| b.0.cmp(&a.0));
        for (_, t) in &matched {
            if let Some(op) = self.doc["paths"][&t.path].get(&method_lc) {
                if METHODS.contains(&method_lc.as_str()) {
                    return Ok((t.path.as_str(), op));
                }
            }
        }
        let offered: Vec<String> = matched
            .iter()
            .map(|(_, t)| {
                let methods: Vec<String> = METHODS
                    .iter()
                    .filter(|m| self.doc["paths"][&t.path].get(**m).is_some())
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                format!("{} [{}]", t.path, methods.join(", "))
            })
            .collect();
        Err(format!(
            "no {} operation for {bare}; the spec has {}",
            method.to_ascii_uppercase(),
            offered.join("; ")
        ))
    }

    /// The spec location and JSON schema (None: no JSON body) of the response for `status`.
    fn response_schema<'s>(
        &'s self,
        template: &str,
        op: &'s Value,
        status: u16,
    ) -> Result<(String, Option<&'s Value>), String> {
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{template}: the operation declares no responses"))?;
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let key = responses
            .keys()
            .find(|k| **k == exact)
            .or_else(|| responses.keys().find(|k| k.eq_ignore_ascii_case(&range)))
            .or_else(|| responses.keys().find(|k| *k == "default"))
            .ok_or_else(|| {
                let declared: Vec<&str> = responses.keys().map(String::as_str).collect();
                format!(
                    "status {status} is not a documented response of {template} (documented: {})",
                    declared.join(", ")
                )
            })?;
        let mut location = format!(
            "#/paths/{}/{}/responses/{}",
            escape_pointer(template),
            op_method(&self.doc, template, op),
            key
        );
        let mut response = &responses[key];
        for _ in 0..16 {
            let Some(r) = response.get("$ref").and_then(Value::as_str) else {
                break;
            };
            response = r
                .strip_prefix('#')
                .and_then(|p| self.doc.pointer(p))
                .ok_or_else(|| format!("{location}: unresolvable $ref {r}"))?;
            location = r.to_owned();
        }
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return Ok((location, None));
        };
        let json_type = content.keys().find(|k| {
            let base = k.split(';').next().unwrap_or_default().trim();
            base == "application/json" || base.ends_with("+json")
        });
        match json_type.and_then(|k| content[k].get("schema").map(|s| (k, s))) {
            Some((k, schema)) => {
                Ok((format!("{location}/content/{}/schema", escape_pointer(k)), Some(schema)))
            }
            None if content.is_empty() => Ok((location, None)),
            None => Err(format!(
                "{location}: no application/json schema (content types: {})",
                content.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
        }
    }

    fn validator(&self, location: &str, schema: &Value) -> Result<Arc<jsonschema::Validator>, String> {
        if let Some(v) = self.validators.lock().unwrap_or_else(|p| p.into_inner()).get(location) {
            return Ok(Arc::clone(v));
        }
        let empty = Map::new();
        let raw_schemas =
            self.doc.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
        let converted = convert::Converter::new(raw_schemas).convert(schema);
        let mut root = match converted {
            Value::Object(o) => o,
            other => {
                let mut o = Map::new();
                o.insert("allOf".into(), json!([other]));
                o
            }
        };
        root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        root.insert("components".into(), self.components.clone());
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_base_uri(BASE_URI)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&Value::Object(root))
            .map_err(|e| format!("cannot build a validator for {location}: {e}"))?;
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(location.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }
}

/// The method key under which `op` sits in the path item of `template`.
fn op_method<'a>(doc: &'a Value, template: &str, op: &Value) -> &'a str {
    doc["paths"][template]
        .as_object()
        .and_then(|item| item.iter().find(|(_, v)| std::ptr::eq(*v, op)).map(|(k, _)| k.as_str()))
        .unwrap_or("?")
}

/// JSON Pointer escaping of one segment (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests;

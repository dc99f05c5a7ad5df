//! What a failed check reports, readable in a test failure.

use std::fmt;

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::Value;

/// At most this many violations are listed (the rest are counted).
const MAX_LISTED: usize = 40;
/// At most this many errors are shown for each alternative of an `anyOf`/`oneOf`.
const MAX_PER_ALTERNATIVE: usize = 4;
/// Alternatives nested deeper than this are not expanded.
const MAX_DEPTH: usize = 3;

/// Why a check failed: the operation could not be found in the spec, or the body broke its schema.
#[derive(Debug, Clone)]
pub struct Violations {
    /// The spec's file name, e.g. `fapi-2026-05-12.yml`.
    pub spec: String,
    /// As given (upper-cased); empty for [`crate::Spec::check_schema`].
    pub method: String,
    /// As given.
    pub path: String,
    /// As given; 0 for [`crate::Spec::check_schema`].
    pub status: u16,
    /// The spec's path template the path matched, if any.
    pub template: Option<String>,
    /// Spec location (JSON pointer) of the response schema checked, if it was found.
    pub schema_location: Option<String>,
    /// Every violation found (the first [`MAX_LISTED`] are printed).
    pub items: Vec<Violation>,
}

/// Whether a violation is about the lookup (path, method, status, content) or the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViolationKind {
    /// The operation or response is not in the spec (or has no JSON schema): nothing was checked.
    Lookup,
    /// The body breaks the schema.
    Schema,
}

/// One violation.
#[derive(Debug, Clone)]
pub struct Violation {
    pub kind: ViolationKind,
    /// Where in the body, as a JSON path: `$.response.email_addresses[0].id` (`$` for the root).
    pub instance_path: String,
    /// The same place as a JSON pointer: `/response/email_addresses/0/id`.
    pub instance_pointer: String,
    /// Where in the spec, as a JSON pointer, e.g.
    /// `#/components/schemas/Client.User/properties/first_name/type`. Locations under `/else/`
    /// or a converted `anyOf` are those of the converted schema (see the crate's notes).
    pub schema_location: String,
    /// The keyword that failed: `type`, `required`, `additionalProperties`, `enum`, `anyOf`, …
    pub keyword: String,
    pub message: String,
    /// For `anyOf` (and the spec's `oneOf`): why each alternative failed.
    pub alternatives: Vec<Vec<Violation>>,
}

impl Violations {
    pub(crate) fn new(spec: &str, method: &str, path: &str, status: u16) -> Self {
        Violations {
            spec: spec.to_owned(),
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            status,
            template: None,
            schema_location: None,
            items: Vec::new(),
        }
    }

    /// True when nothing was checked because the operation/response was not found.
    pub fn is_lookup_error(&self) -> bool {
        self.items.iter().any(|v| v.kind == ViolationKind::Lookup)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.items.iter()
    }

    pub(crate) fn lookup(mut self, message: String) -> Self {
        self.items.push(Violation {
            kind: ViolationKind::Lookup,
            instance_path: "$".into(),
            instance_pointer: String::new(),
            schema_location: self.schema_location.clone().unwrap_or_else(|| "#/paths".into()),
            keyword: String::new(),
            message,
            alternatives: Vec::new(),
        });
        self
    }

    pub(crate) fn collect(&mut self, validator: &jsonschema::Validator, body: &Value) {
        let root = self.schema_location.clone().unwrap_or_default();
        for error in validator.iter_errors(body) {
            self.items.push(violation(&error, body, &root, 0));
        }
    }

    pub(crate) fn into_result(self) -> Result<(), Violations> {
        if self.items.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

fn violation(error: &ValidationError<'_>, body: &Value, root: &str, depth: usize) -> Violation {
    let pointer = error.instance_path().as_str().to_owned();
    let (message, contexts) = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => (
            format!("{} matches none of the {} allowed shapes", preview(error.instance()), context.len()),
            Some(context),
        ),
        ValidationErrorKind::Enum { options } => (
            format!("{} is not one of {}", preview(error.instance()), shorten(&options.to_string(), 240)),
            None,
        ),
        _ => (error.masked_with(preview(error.instance())).to_string(), None),
    };
    let alternatives = match contexts {
        Some(context) if depth < MAX_DEPTH => context
            .iter()
            .map(|errors| errors.iter().map(|e| violation(e, body, root, depth + 1)).collect())
            .collect(),
        _ => Vec::new(),
    };
    Violation {
        kind: ViolationKind::Schema,
        instance_path: json_path(body, &pointer),
        instance_pointer: pointer,
        schema_location: schema_location(error, root),
        keyword: error.kind().keyword().to_owned(),
        message,
        alternatives,
    }
}

/// The keyword's location in the spec: components keep their spec location; the checked
/// response schema sits at the root of the validator's document, so its locations are appended to
/// `root` (the response schema's spec location).
fn schema_location(error: &ValidationError<'_>, root: &str) -> String {
    let fragment = match error.absolute_keyword_location() {
        Some(uri) => {
            let uri = uri.as_str();
            let f = uri.split_once('#').map(|(_, f)| f).unwrap_or("");
            percent_decode(f)
        }
        None => error.schema_path().as_str().to_owned(),
    };
    if fragment.starts_with("/components/") {
        format!("#{fragment}")
    } else {
        format!("{root}{fragment}")
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JSON path for a JSON pointer into `body`.
pub(crate) fn json_path(body: &Value, pointer: &str) -> String {
    let mut out = String::from("$");
    let mut current = Some(body);
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) if seg.parse::<usize>().is_ok() => {
                let i: usize = seg.parse().expect("checked");
                out.push_str(&format!("[{i}]"));
                current = items.get(i);
            }
            other => {
                let plain = !seg.is_empty()
                    && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !seg.starts_with(|c: char| c.is_ascii_digit());
                if plain {
                    out.push('.');
                    out.push_str(&seg);
                } else {
                    out.push_str(&format!("[{}]", Value::String(seg.clone())));
                }
                current = other.and_then(|v| v.get(&seg));
            }
        }
    }
    out
}

/// The value, shortened for a message.
fn preview(value: &Value) -> String {
    let text = match value {
        Value::Object(o) if o.len() > 4 => format!("{{…{} properties…}}", o.len()),
        Value::Array(a) if a.len() > 4 => format!("[…{} items…]", a.len()),
        other => other.to_string(),
    };
    shorten(&text, 80)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    } else {
        text.to_owned()
    }
}

/// `Stubs.Verification.OTP` for an alternative whose errors lie in that component schema.
fn alternative_name(errors: &[Violation]) -> Option<&str> {
    let rest = errors.first()?.schema_location.strip_prefix("#/components/schemas/")?;
    Some(rest.split('/').next().unwrap_or(rest))
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.method.is_empty() {
            format!("value checked against {}", self.path)
        } else {
            format!("{} {} → {}", self.method, self.path, self.status)
        };
        if self.is_lookup_error() {
            write!(f, "{}: {what}: cannot check:", self.spec)?;
            for v in self.items.iter().filter(|v| v.kind == ViolationKind::Lookup) {
                write!(f, " {}", v.message)?;
            }
            return Ok(());
        }
        write!(
            f,
            "{}: {what}: the body does not conform ({} violation{})",
            self.spec,
            self.items.len(),
            if self.items.len() == 1 { "" } else { "s" }
        )?;
        if let Some(t) = &self.template {
            if *t != self.path {
                write!(f, "\n  operation: {} {t}", self.method)?;
            }
        }
        if let Some(loc) = &self.schema_location {
            write!(f, "\n  response schema: {loc}")?;
        }
        for (i, v) in self.items.iter().take(MAX_LISTED).enumerate() {
            write!(f, "\n  {}. ", i + 1)?;
            write_violation(f, v, 5)?;
        }
        if self.items.len() > MAX_LISTED {
            write!(f, "\n  … and {} more", self.items.len() - MAX_LISTED)?;
        }
        Ok(())
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_violation(f, self, 0)
    }
}

fn write_violation(f: &mut fmt::Formatter<'_>, v: &Violation, indent: usize) -> fmt::Result {
    let pad = " ".repeat(indent);
    write!(f, "at {}: {}", v.instance_path, v.message)?;
    write!(f, "\n{pad}   schema: {}", v.schema_location)?;
    for (i, alt) in v.alternatives.iter().enumerate() {
        match alternative_name(alt) {
            Some(name) => write!(f, "\n{pad}   - shape {} ({name}) fails:", i + 1)?,
            None => write!(f, "\n{pad}   - shape {} fails:", i + 1)?,
        }
        for e in alt.iter().take(MAX_PER_ALTERNATIVE) {
            write!(f, "\n{pad}       ")?;
            write_violation(f, e, indent + 7)?;
        }
        if alt.len() > MAX_PER_ALTERNATIVE {
            write!(f, "\n{pad}       … and {} more", alt.len() - MAX_PER_ALTERNATIVE)?;
        }
    }
    Ok(())
}

impl std::error::Error for Violations {}

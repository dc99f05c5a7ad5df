//! Checks every response recorded in HAR files (as schemathesis writes them with `--report har`)
//! against the FAPI spec with this crate's validator: a second opinion beside schemathesis's own
//! `response_schema_conformance`, and a table of the statuses each operation answered.
//!
//! ```text
//! cargo run -q -p userdesk-conformance --example check_har -- run1.har [run2.har …]
//! ```
//!
//! Exits 1 when a response breaks its schema, 2 on bad input. Statuses the spec does not document
//! for an operation are listed as warnings, and requests with a method the path does not have
//! (schemathesis probes those) are only counted. With `USERDESK_FUZZ_SELFTEST=1` every JSON object
//! body gets an extra root property before the check, which must then fail.

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde_json::Value;
use userdesk_conformance::Spec;

const MAX_SHOWN: usize = 10;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: check_har FILE.har [FILE.har …]");
        return ExitCode::from(2);
    }
    let spec = Spec::fapi();
    // Proof that the check bites: every JSON object body gets an extra root property.
    let selftest = std::env::var("USERDESK_FUZZ_SELFTEST").is_ok_and(|v| v == "1");
    // (method, template) → status → count
    let mut table: BTreeMap<(String, String), BTreeMap<u16, usize>> = BTreeMap::new();
    // (method, template, status) → (count, example body)
    let mut undocumented: BTreeMap<(String, String, u16), (usize, String)> = BTreeMap::new();
    let mut violations: Vec<String> = Vec::new();
    let mut probes = 0usize;
    let mut checked = 0usize;

    for file in &files {
        let har: Value = match std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(v) => v,
            Err(e) => {
                eprintln!("check_har: {file}: {e}");
                return ExitCode::from(2);
            }
        };
        let entries = har.pointer("/log/entries").and_then(Value::as_array).cloned().unwrap_or_default();
        for entry in entries {
            let method = entry.pointer("/request/method").and_then(Value::as_str).unwrap_or("");
            let url = entry.pointer("/request/url").and_then(Value::as_str).unwrap_or("");
            let status = entry.pointer("/response/status").and_then(Value::as_u64).unwrap_or(0);
            if status == 0 {
                continue; // no response (network error): schemathesis reports those itself
            }
            let status = status as u16;
            let path = path_of(url);
            let Some(template) = spec.operation_template(method, &path) else {
                probes += 1;
                continue;
            };
            let text = entry.pointer("/response/content/text").and_then(Value::as_str).unwrap_or("");
            let mut body = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
            };
            if selftest {
                if let Value::Object(o) = &mut body {
                    o.insert("userdesk_selftest_extra".into(), Value::Bool(true));
                }
            }
            let key = (method.to_ascii_uppercase(), template.to_owned());
            *table.entry(key.clone()).or_default().entry(status).or_default() += 1;
            checked += 1;
            match spec.check_response(method, &path, status, &body) {
                Ok(()) => {}
                Err(v) if v.is_lookup_error() && v.to_string().contains("is not a documented response") => {
                    let slot = undocumented.entry((key.0, key.1, status)).or_insert_with(|| (0, short(text)));
                    slot.0 += 1;
                }
                Err(v) => {
                    let request =
                        entry.pointer("/request/postData/text").and_then(Value::as_str).unwrap_or("");
                    violations
                        .push(format!("{v}\n  request: {method} {url}\n  request body: {}", short(request)));
                }
            }
        }
    }

    println!("check_har: {checked} responses of {} operations checked against {}", table.len(), spec.name());
    for ((method, template), statuses) in &table {
        let list: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
        println!("  {method:<7}{template:<45} {}", list.join(" "));
    }
    if probes > 0 {
        println!("  ({probes} requests with methods the spec does not have for the path: not checked)");
    }
    if !undocumented.is_empty() {
        println!("warning: statuses the spec does not document for the operation (not failures):");
        for ((method, template, status), (n, example)) in &undocumented {
            println!("  {method} {template} → {status} ×{n}, e.g. {example}");
        }
    }
    if violations.is_empty() {
        println!("check_har: every documented response conforms");
        ExitCode::SUCCESS
    } else {
        println!("check_har: {} responses break their schema:", violations.len());
        for v in violations.iter().take(MAX_SHOWN) {
            println!("{v}");
        }
        if violations.len() > MAX_SHOWN {
            println!("… and {} more", violations.len() - MAX_SHOWN);
        }
        ExitCode::FAILURE
    }
}

/// The path of a URL (`http://host:port/v1/me?x=1` → `/v1/me`), percent-decoding left as is.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
    path.split(['?', '#']).next().unwrap_or("/").to_owned()
}

fn short(text: &str) -> String {
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(199).collect::<String>())
    } else {
        text.to_owned()
    }
}

//! The server's layers, read from its source: `api/` holds handlers that never import one
//! another (what two of them share lives in `domain`, `render`, `http` or `oauth`), and the layers
//! below never import `api`.
//!
//! The check reads `use` lines and paths (`super::…`, `super::super::…`, `crate::api::…`) with
//! comments and `#[cfg(test)]` modules left out: a unit test's `super::` is its own file.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The code of a file: without comments, and without its unit-test module.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The first segments named after each occurrence of `prefix` (`prefix::name…` or
/// `prefix::{a, b::c}`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    let mut consumed: Option<char> = None;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back().or(consumed);
        rest = &rest[at + prefix.len()..];
        consumed = prefix.chars().next_back();
        // `super::super::x` is not `super::x`; `foo_super::` is not `super::`.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ if depth == 0 => item.push(c),
                    _ => {}
                }
            }
            items.push(item);
            for item in items {
                let head = item.trim().split("::").next().unwrap_or("").trim().to_owned();
                names.insert(head);
            }
        } else {
            let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            names.insert(head);
        }
    }
    names.retain(|name| !name.is_empty() && !matches!(name.as_str(), "self" | "super" | "*"));
    names
}

/// The handler modules: every file and directory directly under `api/` but `mod.rs`, the router.
fn handler_modules() -> BTreeSet<String> {
    fs::read_dir(src().join("api"))
        .expect("api/")
        .map(|entry| entry.expect("entry").path())
        .filter_map(|path| {
            let name = path.file_stem()?.to_str()?.to_owned();
            (path.is_dir() || path.extension().is_some_and(|ext| ext == "rs")).then_some(name)
        })
        .filter(|name| name != "mod")
        .collect()
}

/// The handler modules a file under `api/` names, other than its own.
fn sideways(path: &Path, handlers: &BTreeSet<String>) -> Vec<String> {
    let api = src().join("api");
    let relative = path.strip_prefix(&api).expect("under api/");
    let own = relative.components().next().and_then(|c| c.as_os_str().to_str()).unwrap_or("");
    let own = own.strip_suffix(".rs").unwrap_or(own);
    let code = code(path);
    // From `api/x.rs`, `super::` is `api`; from `api/group/y.rs` it is the group (its own) and
    // `super::super::` is `api`.
    let nested = relative.components().count() > 1;
    let mut named = names_after(&code, "crate::api::");
    if nested {
        named.extend(names_after(&code, "super::super::"));
    } else {
        named.extend(names_after(&code, "super::"));
    }
    named.into_iter().filter(|name| handlers.contains(name) && name != own).collect()
}

#[test]
fn no_handler_imports_another() {
    let handlers = handler_modules();
    assert!(handlers.contains("sign_ins") && handlers.contains("backend"), "{handlers:?}");
    let mut found = Vec::new();
    for path in rust_files(&src().join("api")) {
        if path == src().join("api").join("mod.rs") {
            continue;
        }
        for name in sideways(&path, &handlers) {
            found.push(format!("{} imports api::{name}", path.strip_prefix(src()).expect("src").display()));
        }
    }
    assert!(
        found.is_empty(),
        "handlers import one another; move what they share out of api/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layers_below_do_not_import_the_handlers() {
    let mut found = Vec::new();
    for path in rust_files(&src()) {
        let relative = path.strip_prefix(src()).expect("src").to_path_buf();
        let layer = relative.components().next().and_then(|c| c.as_os_str().to_str()).unwrap_or("");
        // Which layers a file must not name: above it, or beside it where the layering says so.
        let forbidden: &[&str] = match layer {
            "api" | "lib.rs" => continue,
            "store" => &["api", "domain", "render", "http", "state", "error", "oauth"],
            "render" => &["api", "http", "state"],
            "http" => &["api", "render"],
            _ => &["api"],
        };
        let code = code(&path);
        for layer in forbidden {
            if code.contains(&format!("crate::{layer}::")) || code.contains(&format!("crate::{layer};")) {
                found.push(format!("{} imports crate::{layer}", relative.display()));
            }
        }
    }
    assert!(found.is_empty(), "a lower layer imports a higher one:\n{}", found.join("\n"));
}

#[test]
fn the_parser_sees_groups_and_nested_paths() {
    let code = "use super::{form, render::{a, b}, self};\nuse super::super::x;\nlet _ = super::y::z();";
    let names = names_after(code, "super::");
    assert_eq!(names, ["form", "render", "y"].iter().map(|s| (*s).to_owned()).collect());
    assert_eq!(names_after(code, "super::super::"), ["x".to_owned()].into_iter().collect());
}

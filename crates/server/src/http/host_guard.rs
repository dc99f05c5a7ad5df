//! Answers only requests addressed to this machine by a loopback name.
//!
//! A web page can make the browser send requests to 127.0.0.1 by pointing its own domain's DNS
//! there (DNS rebinding); such requests carry the page's domain in `Host`. Like GitButler's local
//! server, we refuse any `Host` that is not a loopback name, and any `Origin` of a web page that
//! is not served from this machine.

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// The middleware.
pub async fn check(request: Request, next: Next) -> Response {
    if let Err(error) = allowed(&request) {
        return error.into_response();
    }
    next.run(request).await
}

fn allowed(request: &Request) -> Result<(), Error> {
    // HTTP/1.1 requires Host; without one there is nothing to vouch for the request.
    let host = request.headers().get(HOST).ok_or_else(|| Error::HostNotAllowed(String::new()))?;
    let host = host.to_str().map_err(|_| Error::HostNotAllowed("(not ASCII)".into()))?;
    if !is_loopback_host(host) {
        return Err(Error::HostNotAllowed(host.to_owned()));
    }
    if let Some(origin) = request.headers().get(ORIGIN) {
        let origin = origin.to_str().map_err(|_| Error::OriginNotAllowed("(not ASCII)".into()))?;
        if !is_local_origin(origin) {
            return Err(Error::OriginNotAllowed(origin.to_owned()));
        }
    }
    Ok(())
}

/// `localhost`, `127.0.0.1` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:port`.
        match rest.split_once(']') {
            Some((address, port)) if port.is_empty() || valid_port(port.strip_prefix(':')) => {
                return address == "::1";
            }
            _ => return false,
        }
    } else {
        match host.split_once(':') {
            Some((name, port)) if valid_port(Some(port)) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1"
}

fn valid_port(port: Option<&str>) -> bool {
    port.is_some_and(|port| !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()))
}

/// Origins of this machine: `http(s)://` + a loopback host, or the Tauri webview's origins.
/// `null` (a file or sandboxed page) is refused: it could be anyone's.
fn is_local_origin(origin: &str) -> bool {
    if origin == "null" {
        return false;
    }
    if let Some(rest) = origin.strip_prefix("tauri://") {
        return rest == "localhost";
    }
    let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    match rest {
        Some(host) => is_loopback_host(host) || host.eq_ignore_ascii_case("tauri.localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_pass_with_any_port() {
        for host in ["localhost", "LOCALHOST:80", "127.0.0.1", "127.0.0.1:49152", "[::1]", "[::1]:8080"] {
            assert!(is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn other_names_are_refused() {
        for host in [
            "evil.example",
            "evil.example:80",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "[::2]",
            "[::1]x",
            "127.0.0.1:",
            "127.0.0.1:abc",
            "0.0.0.0",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn origins() {
        assert!(is_local_origin("http://localhost:1420"));
        assert!(is_local_origin("tauri://localhost"));
        assert!(is_local_origin("http://tauri.localhost"));
        assert!(!is_local_origin("https://evil.example"));
        assert!(!is_local_origin("null"));
    }
}

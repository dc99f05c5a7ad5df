use base64::Engine;
use url::Url;

use crate::Error;

/// The FAPI base URL a publishable key names: `pk_test_`/`pk_live_` + base64 of `<fapi-host>$`.
pub fn fapi_url_from_publishable_key(key: &str) -> Result<Url, Error> {
    let key = key.trim();
    let encoded = key
        .strip_prefix("pk_test_")
        .or_else(|| key.strip_prefix("pk_live_"))
        .ok_or_else(|| invalid("a publishable key starts with pk_test_ or pk_live_"))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(encoded.trim_end_matches('=')))
        .map_err(|_| invalid("the publishable key is not valid base64 after its prefix"))?;
    let text = String::from_utf8(decoded)
        .map_err(|_| invalid("the publishable key does not decode to a host name"))?;
    let host = text
        .strip_suffix('$')
        .ok_or_else(|| invalid("the publishable key does not decode to a host name ending in $"))?;
    let valid_host = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !valid_host {
        return Err(invalid("the publishable key names an invalid host"));
    }
    Url::parse(&format!("https://{host}/")).map_err(|_| invalid("the publishable key names an invalid host"))
}

/// A FAPI base URL typed by a person: `http` or `https`, no query or fragment.
pub fn parse_fapi_url(text: &str) -> Result<Url, Error> {
    let url = Url::parse(text.trim()).map_err(|e| invalid(&format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the URL must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host"));
    }
    // The token and every code would cross the network readable by anyone on the way.
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(invalid(
            "the URL must start with https:// (http:// only for this computer's own servers)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the URL must not have a query or fragment"));
    }
    Ok(url)
}

/// Whether `url` names this computer (`localhost`, `127.0.0.0/8`, `::1`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

fn invalid(message: &str) -> Error {
    Error::InvalidInstance(message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_for(prefix: &str, text: &str) -> String {
        format!("{prefix}{}", base64::engine::general_purpose::STANDARD.encode(text))
    }

    #[test]
    fn publishable_keys_name_their_fapi_host() {
        let url = fapi_url_from_publishable_key(&key_for("pk_test_", "clerk.example-app.accounts.dev$")).ok();
        assert_eq!(url.map(String::from).as_deref(), Some("https://clerk.example-app.accounts.dev/"));
        let live = fapi_url_from_publishable_key(&key_for("pk_live_", "clerk.example.com$")).ok();
        assert_eq!(live.map(String::from).as_deref(), Some("https://clerk.example.com/"));
    }

    #[test]
    fn malformed_publishable_keys_are_refused() {
        for key in [
            "sk_test_abc".to_owned(),
            "pk_test_!!!".to_owned(),
            key_for("pk_test_", "clerk.example.com"),
            key_for("pk_test_", "$"),
            key_for("pk_test_", "evil.com/path$"),
            String::new(),
        ] {
            assert!(fapi_url_from_publishable_key(&key).is_err(), "accepted {key:?}");
        }
    }

    #[test]
    fn fapi_urls_must_be_https_or_this_computers_http() {
        assert!(parse_fapi_url("http://127.0.0.1:4000").is_ok());
        assert!(parse_fapi_url(" https://clerk.example.com/ ").is_ok());
        assert!(parse_fapi_url("http://localhost:4000/").is_ok());
        assert!(parse_fapi_url("http://[::1]:4000/").is_ok());
        for bad in [
            "ftp://x",
            "example.com",
            "https://x/?a=1",
            "https://x/#f",
            "file:///etc",
            "http://clerk.example.com",
            "http://10.0.0.2:4000",
            "http://127.0.0.1.example.com",
        ] {
            assert!(parse_fapi_url(bad).is_err(), "accepted {bad}");
        }
    }
}

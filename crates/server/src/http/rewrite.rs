//! What Clerk's SDKs send that is not the plain route, rewritten before routing (axum's
//! `Router::layer` runs after a route is chosen, so `api::router` wraps the routed app in these).
//!
//! - Clerk's browser and native JavaScript SDK sends every request that is not a GET as `POST`
//!   with `?_method=PATCH|PUT|DELETE`, and Clerk's servers honour it ([`method_override`]).
//! - It writes some collection paths with a trailing slash (`POST /v1/me/email_addresses/`),
//!   which Clerk answers as the path without one ([`trim_trailing_slash`]).

use axum::extract::Request;
use axum::http::uri::PathAndQuery;
use axum::http::{Method, Uri};

use crate::error::{FieldError, Result};
use crate::http::form::Params;

/// Both rewrites, in one layer (each layer is a boxed future per request).
pub async fn normalize(request: Request) -> Result<Request> {
    Ok(trim_trailing_slash(method_override(request).await?).await)
}

/// The query parameter that names the method a `POST` stands for.
pub const METHOD_PARAM: &str = "_method";

/// A `POST` with `_method=PATCH|PUT|DELETE` (any case) becomes that method. `_method` on a `POST`
/// naming anything else (`GET`, `POST`, `TRACE`, …) is refused with 422 `form_param_value_invalid`
/// naming `_method` (given twice: `form_param_format_invalid`), so a request never runs as a
/// method the client did not mean. Only `POST` is overridden: a `GET` (or any other method)
/// carrying `_method` runs as what it is, so a link or an `<img>` can never delete anything.
pub async fn method_override(mut request: Request) -> Result<Request> {
    if request.method() != Method::POST {
        return Ok(request);
    }
    let Some(query) = request.uri().query() else {
        return Ok(request);
    };
    let params = Params::parse(query.as_bytes())?;
    let Some(wanted) = params.one(METHOD_PARAM)? else {
        return Ok(request);
    };
    let method = match wanted.to_ascii_uppercase().as_str() {
        "PATCH" => Method::PATCH,
        "PUT" => Method::PUT,
        "DELETE" => Method::DELETE,
        _ => {
            return Err(FieldError::value_invalid(
                METHOD_PARAM,
                "`_method` may only turn a POST into PATCH, PUT or DELETE.",
            )
            .into())
        }
    };
    *request.method_mut() = method;
    Ok(request)
}

/// `/v1/me/email_addresses/` is routed as `/v1/me/email_addresses` (any number of trailing
/// slashes; `/` stays `/`), the query kept. Rewritten rather than redirected: a redirected POST
/// would have to be sent again, body and all.
pub async fn trim_trailing_slash(mut request: Request) -> Request {
    let path = request.uri().path();
    if path.len() <= 1 || !path.ends_with('/') {
        return request;
    }
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_owned(),
    };
    // The new path is a prefix of a path the URI already held, so it always parses; should it
    // not, the request goes on as it came (and meets "no such route").
    let Ok(path_and_query) = PathAndQuery::try_from(path_and_query) else {
        return request;
    };
    let mut parts = request.uri().clone().into_parts();
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(method: Method, uri: &str) -> Request {
        Request::builder().method(method).uri(uri).body(Body::empty()).expect("request")
    }

    #[tokio::test]
    async fn a_post_becomes_the_method_it_names() {
        for (named, method) in [("PATCH", Method::PATCH), ("put", Method::PUT), ("Delete", Method::DELETE)] {
            let rewritten = method_override(request(Method::POST, &format!("/v1/me?_method={named}&x=1")))
                .await
                .expect("allowed");
            assert_eq!(rewritten.method(), method);
            assert_eq!(rewritten.uri().query(), Some(format!("_method={named}&x=1").as_str()));
        }
    }

    #[tokio::test]
    async fn only_a_post_is_overridden_and_only_to_patch_put_or_delete() {
        let get = method_override(request(Method::GET, "/v1/client?_method=DELETE")).await.expect("as it is");
        assert_eq!(get.method(), Method::GET);
        let plain = method_override(request(Method::POST, "/v1/me/totp")).await.expect("as it is");
        assert_eq!(plain.method(), Method::POST);
        for named in ["GET", "POST", "TRACE", "CONNECT", "", "DELETE&_method=DELETE"] {
            let refused = method_override(request(Method::POST, &format!("/v1/me?_method={named}"))).await;
            assert!(refused.is_err(), "_method={named} was accepted");
        }
    }

    #[tokio::test]
    async fn trailing_slashes_are_trimmed_and_the_query_kept() {
        for (given, expected) in [
            ("/v1/me/email_addresses/", "/v1/me/email_addresses"),
            ("/v1/me/phone_numbers//?_is_native=1", "/v1/me/phone_numbers?_is_native=1"),
            ("/v1/client", "/v1/client"),
            ("/", "/"),
            ("/?a=b", "/?a=b"),
        ] {
            let rewritten = trim_trailing_slash(request(Method::POST, given)).await;
            assert_eq!(rewritten.uri().to_string(), expected);
        }
    }
}

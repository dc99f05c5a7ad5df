//! Tokens for integrations (the seed's `getToken(service)`): fetched from the server, cached until
//! shortly before they expire, and checked against the instance's published keys.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::models::Token;
use crate::{Client, Error, Result};

/// A cached token is fetched again when it has less than this left (session tokens live ~60 s).
const REFRESH_MARGIN_MS: i64 = 10_000;

/// The integrations a token can be asked for (the seed's `JWTService`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TokenService {
    /// Clerk's own session token.
    Clerk,
    /// A Firebase custom token.
    Firebase,
    /// A token with Hasura's claims.
    Hasura,
}

impl TokenService {
    /// The `service` form value.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenService::Clerk => "clerk",
            TokenService::Firebase => "firebase",
            TokenService::Hasura => "hasura",
        }
    }
}

/// Whether a token's signature holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignatureCheck {
    /// Signed by one of the instance's published keys, and not expired.
    Valid,
    /// Signed by a published key, but past its expiry.
    Expired,
    /// No published key has the token's key id.
    UnknownKey,
    /// The signature or the claims do not hold.
    Invalid {
        /// Why.
        reason: String,
    },
}

/// A token taken apart for a person to read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenInspection {
    /// The encoded token.
    pub jwt: String,
    /// The decoded header.
    pub header: Value,
    /// The decoded claims.
    pub claims: Value,
    /// When it expires (Unix ms), from `exp`.
    pub expires_at: Option<i64>,
    /// Whether it verifies against the instance's JWKS.
    pub signature: SignatureCheck,
}

#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    session_id: Option<String>,
    jwt: String,
    expires_at: i64,
}

/// Tokens by service; kept by the [`Client`].
pub(crate) type TokenCache = HashMap<TokenService, CachedToken>;

impl Client {
    /// The signed-in user's token for `service` (`POST /v1/me/tokens`), from the cache while it
    /// has more than a few seconds left.
    pub async fn get_token(&self, service: TokenService) -> Result<String> {
        let session_id = self.session_id();
        let now = now_ms();
        if let Some(cached) = self.token_cache().get(&service) {
            if cached.session_id == session_id && cached.expires_at - now > REFRESH_MARGIN_MS {
                return Ok(cached.jwt.clone());
            }
        }
        let token: Token = self
            .send(Method::POST, "v1/me/tokens", Some(vec![("service", service.as_str().to_owned())]))
            .await?;
        let expires_at = expiry_ms(&token.jwt).unwrap_or(now);
        self.token_cache().insert(
            service,
            CachedToken { session_id: self.session_id(), jwt: token.jwt.clone(), expires_at },
        );
        Ok(token.jwt)
    }

    /// The instance's public signing keys (`GET /.well-known/jwks.json`).
    pub async fn jwks(&self) -> Result<JwkSet> {
        self.send(Method::GET, ".well-known/jwks.json", None).await
    }

    /// Decodes a token and checks its signature against the instance's JWKS.
    pub async fn inspect_token(&self, jwt: &str) -> Result<TokenInspection> {
        let keys = self.jwks().await?;
        inspect(jwt, &keys)
    }
}

/// Decodes `jwt` and checks it against `keys`; a token that is not a JWT at all is an error.
pub fn inspect(jwt: &str, keys: &JwkSet) -> Result<TokenInspection> {
    let header = decode_part(jwt, 0).ok_or_else(|| not_a_jwt("header"))?;
    let claims = decode_part(jwt, 1).ok_or_else(|| not_a_jwt("claims"))?;
    let expires_at = claims.get("exp").and_then(Value::as_i64).map(|seconds| seconds.saturating_mul(1000));
    Ok(TokenInspection {
        jwt: jwt.to_owned(),
        header,
        claims,
        expires_at,
        signature: check_signature(jwt, keys),
    })
}

fn check_signature(jwt: &str, keys: &JwkSet) -> SignatureCheck {
    let header = match jsonwebtoken::decode_header(jwt) {
        Ok(header) => header,
        Err(error) => return SignatureCheck::Invalid { reason: error.to_string() },
    };
    let Some(jwk) = header.kid.as_deref().and_then(|kid| keys.find(kid)) else {
        return SignatureCheck::UnknownKey;
    };
    let key = match DecodingKey::from_jwk(jwk) {
        Ok(key) => key,
        Err(error) => return SignatureCheck::Invalid { reason: format!("unusable key: {error}") },
    };
    let mut validation = Validation::new(header.alg);
    // Audiences differ per integration (Firebase's is Google's); the signature and time are what
    // this check is about.
    validation.validate_aud = false;
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp"]);
    match jsonwebtoken::decode::<Value>(jwt, &key, &validation) {
        Ok(_) => SignatureCheck::Valid,
        Err(error) if matches!(error.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => {
            SignatureCheck::Expired
        }
        Err(error) => SignatureCheck::Invalid { reason: error.to_string() },
    }
}

fn decode_part(jwt: &str, index: usize) -> Option<Value> {
    let part = jwt.split('.').nth(index)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn expiry_ms(jwt: &str) -> Option<i64> {
    decode_part(jwt, 1)?.get("exp")?.as_i64().map(|seconds| seconds.saturating_mul(1000))
}

fn not_a_jwt(part: &str) -> Error {
    Error::Decode { path: format!("token.{part}"), message: "not a JSON Web Token".into() }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_jwt(header: &str, claims: &str) -> String {
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        format!("{}.{}.c2ln", encode(header), encode(claims))
    }

    #[test]
    fn tokens_are_taken_apart_even_when_no_key_matches() {
        let jwt = fake_jwt(r#"{"alg":"RS256","kid":"ins_1"}"#, r#"{"sub":"user_1","exp":1700000000}"#);
        let inspection = inspect(&jwt, &JwkSet { keys: vec![] }).expect("a JWT");
        assert_eq!(inspection.claims["sub"], "user_1");
        assert_eq!(inspection.expires_at, Some(1_700_000_000_000));
        assert_eq!(inspection.signature, SignatureCheck::UnknownKey);
    }

    #[test]
    fn garbage_is_not_a_token() {
        assert!(inspect("not-a-token", &JwkSet { keys: vec![] }).is_err());
        assert!(inspect("e30.bm90IGpzb24.x", &JwkSet { keys: vec![] }).is_err());
    }
}

//! The JWTs the server issues for a signed-in session: Clerk's session token and the JWT
//! templates (configurable; Clerk's own, Hasura's and Firebase's by default).
//!
//! Session and template tokens are signed RS256 with the instance's key; Firebase custom tokens
//! with the Firebase service account's key. Both keys are published in the JWKS. Tokens are not
//! stored: a token is good until its `exp`, and a session signed out or revoked gets no new one.

use std::time::Duration;

use rand::Rng;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::keys::KeyStore;

/// How long a session token lives (as Clerk's: a minute; clients fetch a new one before then).
pub const SESSION_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// How long a template's token lives unless the template says otherwise.
pub const DEFAULT_TEMPLATE_LIFETIME: Duration = Duration::from_secs(60);
/// The longest a Firebase custom token may live (Firebase refuses longer ones).
pub const FIREBASE_MAX_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The audience of every Firebase custom token.
pub const FIREBASE_AUDIENCE: &str =
    "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit";
/// The claim Hasura reads its session variables from.
pub const HASURA_CLAIMS: &str = "https://hasura.io/jwt/claims";
/// A session token's `nbf` is this far before its `iat`, for clocks a little behind ours.
const NOT_BEFORE_LEEWAY_SECS: i64 = 10;

/// What a template's tokens carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtClaims {
    /// The session token's claims (`sid`, `fva`, …).
    Session,
    /// Hasura's: `https://hasura.io/jwt/claims` with the user id and the roles.
    Hasura {
        /// `x-hasura-default-role`.
        default_role: String,
        /// `x-hasura-allowed-roles`.
        allowed_roles: Vec<String>,
    },
    /// A Firebase custom token, signed with the Firebase service account's key.
    Firebase,
}

/// A JWT template: `POST /v1/client/sessions/{id}/tokens/{name}` (and `POST /v1/me/tokens` with
/// `service` = a template named `clerk`, `firebase` or `hasura`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtTemplate {
    /// The name in the path: ASCII letters, digits, `_` and `-`.
    pub name: String,
    /// What its tokens carry.
    pub claims: JwtClaims,
    /// How long its tokens live (whole seconds; at most an hour for Firebase).
    pub lifetime: Duration,
}

impl JwtTemplate {
    /// `clerk`: the session token's claims.
    pub fn clerk() -> Self {
        Self { name: "clerk".into(), claims: JwtClaims::Session, lifetime: SESSION_TOKEN_LIFETIME }
    }

    /// `hasura`: role `user`, the only one allowed.
    pub fn hasura() -> Self {
        Self {
            name: "hasura".into(),
            claims: JwtClaims::Hasura { default_role: "user".into(), allowed_roles: vec!["user".into()] },
            lifetime: DEFAULT_TEMPLATE_LIFETIME,
        }
    }

    /// `firebase`: a custom token good for an hour (Firebase's limit).
    pub fn firebase() -> Self {
        Self { name: "firebase".into(), claims: JwtClaims::Firebase, lifetime: FIREBASE_MAX_LIFETIME }
    }
}

/// The templates a server has unless configured otherwise: `clerk`, `hasura`, `firebase`.
pub fn default_jwt_templates() -> Vec<JwtTemplate> {
    vec![JwtTemplate::clerk(), JwtTemplate::hasura(), JwtTemplate::firebase()]
}

/// Refuses templates the server could not serve: bad or repeated names, lifetimes of zero or
/// past a day (an hour for Firebase), Hasura templates without roles.
pub fn validate(templates: &[JwtTemplate]) -> Result<()> {
    let invalid = |why: String| Err(Error::InvalidConfig(why));
    for (index, template) in templates.iter().enumerate() {
        let name = &template.name;
        if name.is_empty()
            || name.len() > 64
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return invalid(format!("JWT template name {name:?} must be 1-64 ASCII letters, digits, _ or -"));
        }
        if templates[..index].iter().any(|other| &other.name == name) {
            return invalid(format!("JWT template {name:?} is configured twice"));
        }
        let secs = template.lifetime.as_secs();
        let max = match template.claims {
            JwtClaims::Firebase => FIREBASE_MAX_LIFETIME.as_secs(),
            _ => 24 * 60 * 60,
        };
        if secs == 0 || secs > max {
            return invalid(format!("JWT template {name:?}: the lifetime must be 1 to {max} seconds"));
        }
        if let JwtClaims::Hasura { default_role, allowed_roles } = &template.claims {
            if !allowed_roles.contains(default_role) {
                return invalid(format!(
                    "JWT template {name:?}: the default role must be one of the allowed roles"
                ));
            }
        }
    }
    Ok(())
}

/// Whom and what a token is for.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The FAPI URL (`iss`).
    pub issuer: &'a str,
    /// The user (`sub`).
    pub user_id: &'a str,
    /// The session (`sid`).
    pub session_id: &'a str,
    /// The requesting page's origin (`azp`), where one is known.
    pub origin: Option<&'a str>,
    /// Minutes since the first and second factors were verified (`-1`: never), `fva`.
    pub factor_ages: [i64; 2],
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn lifetime_secs(lifetime: Duration) -> i64 {
    i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX)
}

/// The claims every session and template token carries: `iss`, `sub`, `iat`, `nbf`, `exp`,
/// `jti`, and `azp` where an origin is known.
fn registered_claims(subject: &Subject<'_>, now_secs: i64, lifetime: Duration) -> Map<String, Value> {
    let jti: String = {
        let bytes: [u8; 10] = rand::rng().random();
        hex::encode(bytes)
    };
    let mut claims = object(json!({
        "iss": subject.issuer,
        "sub": subject.user_id,
        "iat": now_secs,
        "nbf": now_secs - NOT_BEFORE_LEEWAY_SECS,
        "exp": now_secs.saturating_add(lifetime_secs(lifetime)),
        "jti": jti,
    }));
    if let Some(origin) = subject.origin {
        claims.insert("azp".into(), origin.into());
    }
    claims
}

/// The claims of a session token as Clerk issues them.
pub fn session_claims(subject: &Subject<'_>, now_secs: i64, lifetime: Duration) -> Map<String, Value> {
    let mut claims = registered_claims(subject, now_secs, lifetime);
    claims.insert("sid".into(), subject.session_id.into());
    claims.insert("fva".into(), json!(subject.factor_ages));
    claims
}

/// A Firebase custom token's claims: exactly Firebase's (`iss`, `sub`, `aud`, `iat`, `exp`,
/// `uid`).
pub fn firebase_claims(
    client_email: &str,
    uid: &str,
    now_secs: i64,
    lifetime: Duration,
) -> Map<String, Value> {
    let lifetime = lifetime.min(FIREBASE_MAX_LIFETIME);
    object(json!({
        "iss": client_email,
        "sub": client_email,
        "aud": FIREBASE_AUDIENCE,
        "iat": now_secs,
        "exp": now_secs.saturating_add(lifetime_secs(lifetime)),
        "uid": uid,
    }))
}

/// The claims of a template's token.
pub fn template_claims(
    template: &JwtTemplate,
    subject: &Subject<'_>,
    now_secs: i64,
    firebase_email: &str,
) -> Map<String, Value> {
    match &template.claims {
        JwtClaims::Session => session_claims(subject, now_secs, template.lifetime),
        JwtClaims::Hasura { default_role, allowed_roles } => {
            let mut claims = registered_claims(subject, now_secs, template.lifetime);
            claims.insert(
                HASURA_CLAIMS.into(),
                json!({
                    "x-hasura-user-id": subject.user_id,
                    "x-hasura-default-role": default_role,
                    "x-hasura-allowed-roles": allowed_roles,
                }),
            );
            claims
        }
        JwtClaims::Firebase => firebase_claims(firebase_email, subject.user_id, now_secs, template.lifetime),
    }
}

/// A signed token: the session token (`template` `None`) or a template's.
pub async fn issue(
    keys: &KeyStore,
    template: Option<&JwtTemplate>,
    subject: &Subject<'_>,
    now_secs: i64,
) -> Result<String> {
    match template {
        None => keys.session().await?.sign(&session_claims(subject, now_secs, SESSION_TOKEN_LIFETIME)),
        Some(template) if template.claims == JwtClaims::Firebase => {
            let account = keys.firebase().await?;
            account.key().sign(&template_claims(template, subject, now_secs, account.client_email()))
        }
        Some(template) => keys.session().await?.sign(&template_claims(template, subject, now_secs, "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject<'static> {
        Subject {
            issuer: "http://127.0.0.1:1",
            user_id: "user_1",
            session_id: "sess_1",
            origin: None,
            factor_ages: [3, -1],
        }
    }

    #[test]
    fn session_claims_are_clerks() {
        let claims = session_claims(&subject(), 1_000, SESSION_TOKEN_LIFETIME);
        assert_eq!(claims["iss"], "http://127.0.0.1:1");
        assert_eq!((claims["sub"].clone(), claims["sid"].clone()), (json!("user_1"), json!("sess_1")));
        assert_eq!(
            (claims["iat"].clone(), claims["nbf"].clone(), claims["exp"].clone()),
            (json!(1_000), json!(990), json!(1_060))
        );
        assert_eq!(claims["fva"], json!([3, -1]));
        assert!(!claims.contains_key("azp"));
        let with_origin = Subject { origin: Some("http://localhost:1420"), ..subject() };
        assert_eq!(
            session_claims(&with_origin, 1_000, SESSION_TOKEN_LIFETIME)["azp"],
            "http://localhost:1420"
        );
    }

    #[test]
    fn hasura_and_firebase_claims() {
        let hasura = template_claims(&JwtTemplate::hasura(), &subject(), 1_000, "");
        assert_eq!(
            hasura[HASURA_CLAIMS],
            json!({"x-hasura-user-id": "user_1", "x-hasura-default-role": "user", "x-hasura-allowed-roles": ["user"]})
        );
        let firebase =
            template_claims(&JwtTemplate::firebase(), &subject(), 1_000, "sa@p.iam.gserviceaccount.com");
        let mut keys: Vec<&str> = firebase.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["aud", "exp", "iat", "iss", "sub", "uid"]);
        assert_eq!(firebase["exp"], 4_600);
        assert_eq!(firebase["uid"], "user_1");
        let long = JwtTemplate { lifetime: Duration::from_secs(7200), ..JwtTemplate::firebase() };
        assert_eq!(firebase_claims("a@b", "u", 0, long.lifetime)["exp"], 3_600, "capped at an hour");
    }

    #[test]
    fn unusable_templates_are_refused() {
        assert!(validate(&default_jwt_templates()).is_ok());
        let twice = vec![JwtTemplate::hasura(), JwtTemplate::hasura()];
        assert!(validate(&twice).is_err());
        let bad_name = JwtTemplate { name: "a/b".into(), ..JwtTemplate::clerk() };
        assert!(validate(&[bad_name]).is_err());
        let long_firebase = JwtTemplate { lifetime: Duration::from_secs(3601), ..JwtTemplate::firebase() };
        assert!(validate(&[long_firebase]).is_err());
        let roles = JwtTemplate {
            claims: JwtClaims::Hasura { default_role: "admin".into(), allowed_roles: vec!["user".into()] },
            ..JwtTemplate::hasura()
        };
        assert!(validate(&[roles]).is_err());
    }
}

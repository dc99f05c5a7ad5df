//! Session tokens and JWT templates (see [`crate::tokens`]):
//! - `POST /v1/client/sessions/{id}/tokens`: the session token (`{object, jwt}`);
//! - `POST /v1/client/sessions/{id}/tokens/{template}`: a template's token;
//! - `POST /v1/me/tokens` with `service` = `clerk`, `firebase` or `hasura`: the token of the
//!   template of that name, for the signed-in session.
//!
//! A session of another client, or none, is 404; a session signed out, revoked or expired is
//! 401 `signed_out`, so a revoked session gets no new token from the moment it is revoked. An
//! unknown template is 404 `resource_not_found`.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::ORIGIN;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use userdesk_fapi::models::Token;

use crate::error::{Error, FieldError, Result};
use crate::http::form::{Form, Params, PathId};
use crate::http::native_client::CurrentClient;
use crate::http::signed_in::SignedIn;
use crate::ids::now_ms;
use crate::state::AppState;
use crate::store::sessions::{self, SessionRow};
use crate::store::uses::USE_RECORD_INTERVAL_MS;
use crate::tokens::{self, JwtTemplate, Subject};

/// The services `POST /v1/me/tokens` knows (the seed's `getToken(service)`).
const SERVICES: [&str; 3] = ["clerk", "firebase", "hasura"];

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/tokens", post(service_token))
        .route("/v1/client/sessions/{session_id}/tokens", post(session_token))
        .route("/v1/client/sessions/{session_id}/tokens/{template_name}", post(template_token))
}

/// `{session_id}` and `{template_name}`; undecodable segments are answered like unknown ids.
struct SessionAndTemplate(String, String);

impl<S: Send + Sync> FromRequestParts<S> for SessionAndTemplate {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match Path::<(String, String)>::from_request_parts(parts, state).await {
            Ok(Path((session, template))) => Ok(Self(session, template)),
            Err(rejection) => {
                tracing::debug!("unreadable path parameters: {rejection}");
                Err(Error::NotFound("resource"))
            }
        }
    }
}

/// The body of the session-token routes: only an empty `organization_id` (no organizations).
fn no_organization(form: &Params) -> Result<()> {
    form.allow_only(&["organization_id"])?;
    if form.one("organization_id")?.is_some_and(|id| !id.is_empty()) {
        return Err(FieldError::value_invalid(
            "organization_id",
            "This server has no organizations; leave `organization_id` empty.",
        )
        .into());
    }
    Ok(())
}

/// The name Clerk's Firebase integration gives its template (Clerk's Firebase guide asks apps
/// for `getToken({ template: 'integration_firebase' })`).
const CLERK_FIREBASE_TEMPLATE: &str = "integration_firebase";

/// The template `name`; Clerk's Firebase integration name finds the `firebase` template unless
/// one is configured under that name.
fn find_template<'a>(state: &'a AppState, name: &str) -> Result<&'a JwtTemplate> {
    let templates = &state.security.jwt_templates;
    let named = |wanted: &str| templates.iter().find(|template| template.name == wanted);
    named(name)
        .or_else(|| if name == CLERK_FIREBASE_TEMPLATE { named("firebase") } else { None })
        .ok_or(Error::NotFound("JWT template"))
}

/// Minutes since `at` (the factor ages of `fva`).
fn minutes_since(at: i64, now: i64) -> i64 {
    (now - at).max(0) / 60_000
}

/// Signs a token for an active session.
async fn issue(
    state: &AppState,
    headers: &HeaderMap,
    session: &SessionRow,
    template: Option<&JwtTemplate>,
) -> Result<Token> {
    let now = now_ms();
    let origin = headers.get(ORIGIN).and_then(|value| value.to_str().ok()).filter(|origin| *origin != "null");
    let subject = Subject {
        issuer: &state.base_url,
        user_id: &session.user_id,
        session_id: &session.id,
        origin,
        factor_ages: [
            minutes_since(session.first_factor_at(), now),
            session.second_factor_verified_at.map_or(-1, |at| minutes_since(at, now)),
        ],
    };
    let jwt =
        tokens::issue(&state.security.keys, template, &subject, state.security.clock.now_secs()).await?;
    Ok(Token { object: "token".into(), jwt })
}

/// The client's session `session_id`, if it can act now.
async fn active_session(state: &AppState, client: &CurrentClient, session_id: &str) -> Result<SessionRow> {
    let mut conn = state.db.pool().acquire().await?;
    let now = now_ms();
    let session = sessions::find_for_client(&mut conn, &client.id, session_id)
        .await?
        .ok_or(Error::NotFound("session"))?;
    if !session.is_active_at(now) {
        return Err(Error::SignedOut);
    }
    // A token is a use of the session: noted for the writer (at most once a minute, as every
    // read notes it), so minting stays a read.
    if now - session.last_active_at >= USE_RECORD_INTERVAL_MS {
        state.db.uses().session(&session.id, &session.user_id, now);
    }
    Ok(session)
}

async fn session_token(
    State(state): State<AppState>,
    client: CurrentClient,
    headers: HeaderMap,
    PathId(session_id): PathId,
    Form(form): Form,
) -> Result<Json<Token>> {
    no_organization(&form)?;
    let session = active_session(&state, &client, &session_id).await?;
    Ok(Json(issue(&state, &headers, &session, None).await?))
}

async fn template_token(
    State(state): State<AppState>,
    client: CurrentClient,
    headers: HeaderMap,
    SessionAndTemplate(session_id, template_name): SessionAndTemplate,
    Form(form): Form,
) -> Result<Json<Token>> {
    no_organization(&form)?;
    let template = find_template(&state, &template_name)?;
    let session = active_session(&state, &client, &session_id).await?;
    Ok(Json(issue(&state, &headers, &session, Some(template)).await?))
}

async fn service_token(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form,
) -> Result<Json<Token>> {
    form.allow_only(&["service"])?;
    let service = form.required("service")?;
    if !SERVICES.contains(&service) {
        return Err(FieldError::value_invalid(
            "service",
            format!("`service` must be one of {}; {service:?} is not.", SERVICES.join(", ")),
        )
        .into());
    }
    let template = find_template(&state, service)?;
    Ok(Json(issue(&state, &headers, &signed_in.session, Some(template)).await?))
}

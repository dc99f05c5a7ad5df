//! `/v1/me/external_accounts`: connecting accounts at OAuth providers (the seed's
//! `createExternalAccount`, `reauthorize`, `destroy`).
//!
//! Connecting creates the account at once, `unverified`, with
//! `verification.external_verification_redirect_url`: the provider's authorization URL (`state`,
//! PKCE challenge, the provider's scopes + `additional_scope`). The browser round trip ends at
//! `/v1/oauth_callback` ([`super::oauth_callback`]), which verifies the account or records why
//! not. Connecting a provider again first drops that provider's accounts that never verified, so
//! a failed try leaves nothing behind once retried.
//!
//! Reauthorizing asks for the account's approved scopes + the provider's + `additional_scope`.
//! The account stays linked to its identity throughout (it still signs its user in); its
//! verification is `unverified` until the round trip ends, then `verified` with the approved
//! scopes grown, or `failed` with the error and the scopes it had (Clerk's behaviour: the
//! verification shows the last round trip). A reauthorization that comes back as a different
//! person at the provider fails (`external_account_identity_mismatch`) and changes nothing.
//!
//! Removing is refused (`identification_deletion_failed`) for the last linked account of a user
//! without a password: it is the only way they can sign in.

use axum::extract::State;
use axum::routing::{delete, patch, post};
use axum::{Json, Router};
use sqlx::SqliteConnection;
use userdesk_fapi::models::{DeletedObject, Envelope, ExternalAccount};

use crate::domain;
use crate::domain::reverification::Level;
use crate::error::{Error, FieldError, Result};
use crate::http::form::{FormWithArrays, PathId};
use crate::http::signed_in::SignedIn;
use crate::ids::now_ms;
use crate::oauth::round_trip::{self, RoundTrip};
use crate::render;
use crate::state::AppState;
use crate::store::external_accounts as store;
use crate::store::oauth_flows::Purpose;
use crate::store::users;

/// The params of `POST /v1/me/external_accounts` in the spec.
const CREATE_PARAMS: &[&str] = &[
    "strategy",
    "enterprise_connection_id",
    "redirect_url",
    "action_complete_redirect_url",
    "additional_scope",
    "code",
    "token",
    "oidc_login_hint",
    "oidc_prompt",
];

/// The params of `PATCH …/reauthorize` in the spec.
const REAUTHORIZE_PARAMS: &[&str] =
    &["additional_scope", "redirect_url", "action_complete_redirect_url", "oidc_login_hint", "oidc_prompt"];

/// Most `additional_scope` values in one request.
const MAX_ADDITIONAL_SCOPES: usize = 20;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/external_accounts", post(create))
        .route("/v1/me/external_accounts/{external_account_id}", delete(destroy))
        .route("/v1/me/external_accounts/{external_account_id}/reauthorize", patch(reauthorize))
}

/// The scopes to ask for: `base` then the `additional_scope` values (each may itself hold
/// several, space- or comma-separated), without repeats.
pub fn scopes(base: &[String], form: &FormWithArrays) -> Result<Vec<String>> {
    let additional: Vec<&str> = form
        .all("additional_scope")
        .into_iter()
        .flat_map(|value| value.split([' ', ',']))
        .filter(|scope| !scope.is_empty())
        .collect();
    if additional.len() > MAX_ADDITIONAL_SCOPES {
        return Err(FieldError::value_invalid(
            "additional_scope",
            format!("At most {MAX_ADDITIONAL_SCOPES} additional scopes can be asked for at once."),
        )
        .into());
    }
    if let Some(bad) = additional.iter().find(|scope| !crate::oauth::is_scope(scope)) {
        return Err(FieldError::format_invalid(
            "additional_scope",
            format!(
                "{bad:?} is not a scope: scopes are printable ASCII without spaces, quotes or backslashes."
            ),
        )
        .into());
    }
    let mut all: Vec<String> = Vec::new();
    for scope in base.iter().map(String::as_str).chain(additional) {
        if !all.iter().any(|known| known == scope) {
            all.push(scope.to_owned());
        }
    }
    Ok(all)
}

async fn respond(
    conn: &mut SqliteConnection,
    base_url: &str,
    client_id: &str,
    user_id: &str,
    account_id: &str,
) -> Result<Envelope<ExternalAccount>> {
    let row = store::find_for_user(conn, user_id, account_id)
        .await?
        .ok_or_else(|| Error::Internal(format!("external account {account_id} vanished")))?;
    let account = render::external_account::external_account(&row)?;
    let client = render::client(conn, base_url, client_id).await?;
    Ok(Envelope { response: account, client: Some(client) })
}

async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    form: FormWithArrays,
) -> Result<Json<Envelope<ExternalAccount>>> {
    let params = &form.params;
    params.allow_only(CREATE_PARAMS)?;
    domain::reverification::require(&state, &signed_in, Level::FirstFactor).await?;
    round_trip::refuse_unsupported(params, &["enterprise_connection_id", "code", "token"])?;
    let strategy = params.required("strategy")?;
    let provider = round_trip::provider_for(&state, strategy)?;
    let (redirect_url, complete_url) = round_trip::redirect_urls(&state, params)?;
    let scopes = scopes(&provider.default_scopes, &form)?;
    let hints = round_trip::oidc_hints(params)?;
    let endpoints = round_trip::endpoints(&state, &provider).await?;

    let user_id = signed_in.session.user_id.clone();
    let expire_at = now_ms() + crate::state::millis(state.oauth.state_lifetime);
    let mut tx = state.db.write().await?;
    store::delete_unlinked(&mut tx, &user_id, &provider.strategy).await?;
    let account_id = store::insert_unverified(&mut tx, &user_id, &provider.strategy, expire_at).await?;
    let authorize_url = round_trip::begin(
        &state,
        &mut tx,
        RoundTrip {
            client_id: &signed_in.client_id,
            provider: &provider,
            endpoints: &endpoints,
            purpose: Purpose::Connect,
            external_account_id: Some(&account_id),
            sign_in_id: None,
            scopes: &scopes,
            hints: &hints,
            redirect_url: &redirect_url,
            action_complete_redirect_url: complete_url.as_deref(),
            user_agent: None,
            expire_at,
        },
    )
    .await?;
    store::restart_verification(&mut tx, &account_id, &authorize_url, expire_at).await?;
    let envelope = respond(&mut tx, &state.base_url, &signed_in.client_id, &user_id, &account_id).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, account = %account_id, strategy = %provider.strategy, "connecting an external account");
    Ok(Json(envelope))
}

async fn reauthorize(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(account_id): PathId,
    form: FormWithArrays,
) -> Result<Json<Envelope<ExternalAccount>>> {
    let params = &form.params;
    params.allow_only(REAUTHORIZE_PARAMS)?;
    let user_id = signed_in.session.user_id.clone();
    let account = {
        let mut conn = state.db.pool().acquire().await?;
        store::find_for_user(&mut conn, &user_id, &account_id)
            .await?
            .ok_or(Error::NotFound("external account"))?
    };
    let provider = state.oauth.provider(&account.provider).ok_or_else(|| {
        FieldError::value_invalid(
            "external_account_id",
            format!("The account's provider `{}` is no longer enabled on this instance.", account.provider),
        )
    })?;
    let (redirect_url, complete_url) = round_trip::redirect_urls(&state, params)?;
    let current: Vec<String> = account
        .approved_scopes
        .split_whitespace()
        .map(str::to_owned)
        .chain(provider.default_scopes.iter().cloned())
        .collect();
    let scopes = scopes(&current, &form)?;
    let hints = round_trip::oidc_hints(params)?;
    let endpoints = round_trip::endpoints(&state, &provider).await?;

    let expire_at = now_ms() + crate::state::millis(state.oauth.state_lifetime);
    let mut tx = state.db.write().await?;
    // Gone in the meantime?
    store::find_for_user(&mut tx, &user_id, &account_id).await?.ok_or(Error::NotFound("external account"))?;
    let authorize_url = round_trip::begin(
        &state,
        &mut tx,
        RoundTrip {
            client_id: &signed_in.client_id,
            provider: &provider,
            endpoints: &endpoints,
            purpose: Purpose::Reauthorize,
            external_account_id: Some(&account_id),
            sign_in_id: None,
            scopes: &scopes,
            hints: &hints,
            redirect_url: &redirect_url,
            action_complete_redirect_url: complete_url.as_deref(),
            user_agent: None,
            expire_at,
        },
    )
    .await?;
    store::restart_verification(&mut tx, &account_id, &authorize_url, expire_at).await?;
    let envelope = respond(&mut tx, &state.base_url, &signed_in.client_id, &user_id, &account_id).await?;
    tx.commit().await?;
    Ok(Json(envelope))
}

async fn destroy(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(account_id): PathId,
) -> Result<Json<Envelope<DeletedObject>>> {
    domain::reverification::require(&state, &signed_in, Level::FirstFactor).await?;
    let user_id = signed_in.session.user_id.clone();
    let mut tx = state.db.write().await?;
    let account = store::find_for_user(&mut tx, &user_id, &account_id)
        .await?
        .ok_or(Error::NotFound("external account"))?;
    if account.is_linked() {
        let user = users::find_row(&mut tx, &user_id).await?.ok_or(Error::SignedOut)?;
        if user.password_hash.is_none() && store::count_linked(&mut tx, &user_id).await? <= 1 {
            return Err(Error::LastIdentification);
        }
    }
    store::delete(&mut tx, &account_id).await?;
    users::touch(&mut tx, &user_id).await?;
    let client = render::client(&mut tx, &state.base_url, &signed_in.client_id).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, account = %account_id, "external account removed");
    Ok(Json(Envelope {
        response: DeletedObject {
            object: "external_account".into(),
            id: Some(account_id),
            slug: None,
            deleted: true,
        },
        client: Some(client),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::form::Params;

    fn form(body: &str) -> FormWithArrays {
        FormWithArrays {
            params: Params::parse(body.as_bytes()).expect("parses"),
            pairs: url::form_urlencoded::parse(body.as_bytes()).into_owned().collect(),
        }
    }

    #[test]
    fn scopes_are_the_base_then_the_additional_ones_once() {
        let base = vec!["read:user".to_owned(), "user:email".to_owned()];
        let asked = scopes(
            &base,
            &form("additional_scope=repo&additional_scope=gist+read:user&additional_scope=a,b"),
        )
        .expect("valid");
        assert_eq!(asked, ["read:user", "user:email", "repo", "gist", "a", "b"]);
        assert!(scopes(&base, &form("additional_scope=%22x%22")).is_err());
        let many: String = (0..21).map(|n| format!("additional_scope=s{n}&")).collect();
        assert!(scopes(&base, &form(&many)).is_err());
    }
}

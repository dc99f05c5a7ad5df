//! `/v1/me`: the signed-in user.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use userdesk_fapi::models::{DeletedObject, Envelope, User};

use crate::domain;
use crate::domain::identifications;
use crate::domain::reverification::Level;
use crate::error::{Error, FieldError, Result};
use crate::http::form::Form;
use crate::http::signed_in::SignedIn;
use crate::http::validate;
use crate::ids::now_ms;
use crate::render;
use crate::state::{AppState, KeptAnswer};
use crate::store::users::{self, MetadataKind, ProfileChange};

/// The params of `PATCH /v1/me` in the 2026-05-12 spec.
const PATCH_PARAMS: &[&str] = &[
    "username",
    "first_name",
    "last_name",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_web3_wallet_id",
];

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me", get(get_me).patch(patch_me).delete(delete_me))
        .route("/v1/me/metadata", patch(patch_metadata))
}

/// The longest a kept answer is sent again: what it shows that depends on the clock is worked
/// out to the millisecond (`changes_after`), and this bounds what that might have missed.
const ANSWER_MAX_AGE_MS: i64 = 1_000;

async fn get_me(State(state): State<AppState>, signed_in: SignedIn) -> Result<Response> {
    // A client with a sign-in under way shows it, which takes reads of its own: not kept.
    if signed_in.client.sign_in_id.is_some() {
        let mut conn = state.db.pool().acquire().await?;
        let loaded = render::LoadedUser::load(&mut conn, &signed_in.session.user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let user = loaded.user(&state.base_url)?;
        let client = render::client_with(
            &mut conn,
            &state.base_url,
            Arc::unwrap_or_clone(signed_in.client),
            Some(&loaded),
        )
        .await?;
        return Ok(Json(Envelope { response: user, client: Some(client) }).into_response());
    }
    // The rows are kept until the next commit, and the answer made of them until the clock
    // alone would change it (an expiry, a factor's age in minutes): until then it is sent as it
    // was, bytes and all.
    let key = (signed_in.client_id, signed_in.session.user_id.clone());
    let generation = state.db.generation();
    let now = now_ms();
    if let Some(answer) = state.kept.me_answers.get(&key, generation).filter(|answer| now < answer.stale_at) {
        return Ok(json_body(answer.body.clone()));
    }
    let kept = match state.kept.me.get(&key, generation) {
        Some(kept) => kept,
        None => {
            let mut conn = state.db.pool().acquire().await?;
            let loaded = render::LoadedUser::load(&mut conn, &key.1).await?.ok_or(Error::NotFound("user"))?;
            let sessions = render::client::LiveSessions::load(&mut conn, &key.0, Some(&loaded)).await?;
            let kept = Arc::new((loaded, sessions));
            state.kept.me.insert(key.clone(), generation, kept.clone());
            kept
        }
    };
    let (loaded, sessions) = &*kept;
    let user = loaded.user(&state.base_url)?;
    let client = render::client::client_of(
        Arc::unwrap_or_clone(signed_in.client),
        sessions,
        Some(loaded),
        &state.base_url,
        None,
    )?;
    let body = Bytes::from(
        serde_json::to_vec(&Envelope { response: user, client: Some(client) })
            .map_err(|e| Error::Internal(format!("the answer does not serialise: {e}")))?,
    );
    // Made at `now` or a moment later: a change in between is already in it, and only makes the
    // answer stale at once.
    if let Some(changes_at) = sessions.changes_after(now, loaded) {
        let stale_at = changes_at.min(now + ANSWER_MAX_AGE_MS);
        state.kept.me_answers.insert(key, generation, Arc::new(KeptAnswer { body: body.clone(), stale_at }));
    }
    Ok(json_body(body))
}

fn json_body(body: Bytes) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// A text field of the form: `None` when absent, `Some(None)` when empty (clear it).
fn clearable<'a>(form: &'a crate::http::form::Params, name: &str) -> Result<Option<Option<&'a str>>> {
    Ok(form.one(name)?.map(|value| Some(value).filter(|v| !v.is_empty())))
}

/// Public and private metadata are the Backend API's to change: refused, with a message saying so.
fn refuse_backend_metadata(form: &crate::http::form::Params) -> Result<()> {
    match ["public_metadata", "private_metadata"].into_iter().find(|name| form.contains(name)) {
        Some(name) => Err(FieldError::unknown_because(
            name,
            format!("`{name}` can only be changed through the Backend API."),
        )
        .into()),
        None => Ok(()),
    }
}

async fn patch_me(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<User>>> {
    // As of 2026-05-12, unsafe metadata has its own endpoint; say so rather than "unknown".
    if form.contains("unsafe_metadata") {
        return Err(FieldError::unknown_because(
            "unsafe_metadata",
            "`unsafe_metadata` is not accepted on PATCH /v1/me as of API version 2026-05-12; use PATCH /v1/me/metadata.",
        )
        .into());
    }
    refuse_backend_metadata(&form)?;
    form.allow_only(PATCH_PARAMS)?;

    let mut change = ProfileChange::default();
    if let Some(username) = clearable(&form, "username")? {
        if let Some(username) = username {
            validate::username(username)?;
        }
        change.username = Some(username.map(str::to_owned));
    }
    for (name, slot) in [("first_name", &mut change.first_name), ("last_name", &mut change.last_name)] {
        if let Some(value) = clearable(&form, name)? {
            if let Some(value) = value {
                validate::name(name, value)?;
            }
            *slot = Some(value.map(str::to_owned));
        }
    }
    if let Some(wallet) = form.one("primary_web3_wallet_id")? {
        return Err(FieldError::value_invalid(
            "primary_web3_wallet_id",
            format!("There is no web3 wallet {wallet:?} on this account."),
        )
        .into());
    }

    let user_id = signed_in.session.user_id.clone();
    let mut tx = state.db.write().await?;
    if change.username == Some(None) {
        // Clearing the username must not leave the account without a way to sign in.
        identifications::ensure_username_removable(&mut tx, &user_id).await?;
    }
    let account = users::find(&mut tx, &user_id).await?.ok_or(Error::SignedOut)?;
    for (param, kind, slot) in [
        ("primary_email_address_id", "email_address", &mut change.primary_email_address_id),
        ("primary_phone_number_id", "phone_number", &mut change.primary_phone_number_id),
    ] {
        if let Some(id) = form.one(param)? {
            let usable = account.identifications.iter().any(|identification| {
                identification.id == id
                    && identification.kind == kind
                    && identification.verification_status.as_deref() == Some("verified")
            });
            if !usable {
                return Err(FieldError::value_invalid(
                    param,
                    format!("`{param}` must name a verified {} of this account.", kind.replace('_', " ")),
                )
                .into());
            }
            *slot = Some(id.to_owned());
        }
    }
    if !change.is_empty() {
        users::update_profile(&mut tx, &user_id, &change).await?;
    }
    let user = render::user_by_id(&mut tx, &state.base_url, &user_id).await?;
    let client = render::client(&mut tx, &state.base_url, &signed_in.client_id).await?;
    tx.commit().await?;
    Ok(Json(Envelope { response: user, client: Some(client) }))
}

async fn patch_metadata(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<User>>> {
    refuse_backend_metadata(&form)?;
    form.allow_only(&["unsafe_metadata"])?;
    let patch = validate::metadata_text("unsafe_metadata", form.required("unsafe_metadata")?)?;

    let user_id = signed_in.session.user_id.clone();
    let mut tx = state.db.write().await?;
    let row = users::find_row(&mut tx, &user_id).await?.ok_or(Error::SignedOut)?;
    let current = render::metadata(MetadataKind::Unsafe.of(&row))?;
    let merged = validate::merge_metadata("unsafe_metadata", current, patch)?;
    users::set_metadata(&mut tx, &user_id, MetadataKind::Unsafe, &merged).await?;
    let user = render::user_by_id(&mut tx, &state.base_url, &user_id).await?;
    let client = render::client(&mut tx, &state.base_url, &signed_in.client_id).await?;
    tx.commit().await?;
    Ok(Json(Envelope { response: user, client: Some(client) }))
}

/// Deletes the account, where it allows that. Its identifications, sessions (on every client) and
/// sign-ins go with it.
async fn delete_me(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<Envelope<DeletedObject>>> {
    domain::reverification::require(&state, &signed_in, Level::MultiFactor).await?;
    let user_id = signed_in.session.user_id.clone();
    let mut tx = state.db.write().await?;
    let row = users::find_row(&mut tx, &user_id).await?.ok_or(Error::SignedOut)?;
    if !row.delete_self_enabled {
        return Err(Error::DeleteSelfDisabled);
    }
    users::delete(&mut tx, &user_id).await?;
    let client = render::client(&mut tx, &state.base_url, &signed_in.client_id).await?;
    tx.commit().await?;
    // The picture goes with the account (after the commit: a failed deletion keeps it).
    if let Some(image_id) = &row.image_id {
        state.images.remove(image_id).await;
    }
    tracing::info!(user = %user_id, "user deleted their account");
    Ok(Json(Envelope {
        response: DeletedObject { object: "user".into(), id: Some(user_id), slug: None, deleted: true },
        client: Some(client),
    }))
}

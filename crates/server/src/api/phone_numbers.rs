//! `/v1/me/phone_numbers`: the signed-in user's phone numbers, verified by SMS code, and their
//! use for two-step verification. The shared rules are in [`super::identifications`]; these are
//! the phone's own:
//! - Numbers are stored in E.164; national forms are read in [`crate::Config::default_region`].
//! - Only a verified number can be reserved for second factor (400
//!   `identification_update_second_factor_unverified`, or `…_create_…` when asked at creation).
//! - Only a reserved number can be the default second factor (422 `form_param_value_invalid`);
//!   there is one default per user, the first reserved number becomes it, and it moves only by
//!   choosing another (`default_second_factor=false` is 422
//!   `form_disable_default_second_factor_not_allowed`, as Clerk).
//! - A verified number reserved for second factor turns `two_factor_enabled` on (as Clerk), and
//!   `mfa_enabled_at` / `mfa_disabled_at` record when the first was added and the last removed.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use userdesk_fapi::models::{DeletedObject, Envelope, PhoneNumber};

use crate::domain;
use crate::domain::identifications::{self as shared, Kind};
use crate::domain::reverification::Level;
use crate::error::{Error, FieldError, Result};
use crate::http::form::{Form, Params, PathId};
use crate::http::signed_in::SignedIn;
use crate::http::validate;
use crate::render;
use crate::state::AppState;
use crate::store::{identifications, users};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/phone_numbers", get(list).post(create))
        .route("/v1/me/phone_numbers/{phone_number_id}", get(read).patch(update).delete(destroy))
        .route("/v1/me/phone_numbers/{phone_number_id}/prepare_verification", post(prepare))
        .route("/v1/me/phone_numbers/{phone_number_id}/attempt_verification", post(attempt))
}

/// A form boolean: `true` or `false`.
fn boolean(form: &Params, name: &str) -> Result<Option<bool>> {
    match form.one(name)? {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(FieldError::must_be(name, "true or false").into()),
    }
}

/// A plain array, as the spec answers this list.
async fn list(State(state): State<AppState>, signed_in: SignedIn) -> Result<Json<Vec<PhoneNumber>>> {
    Ok(Json(shared::list(&state, &signed_in, Kind::Phone, render::phone_number).await?))
}

async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<PhoneNumber>>> {
    form.allow_only(&["phone_number", "reserved_for_second_factor"])?;
    domain::reverification::require(&state, &signed_in, Level::FirstFactor).await?;
    let number = validate::phone_number(
        "phone_number",
        form.required("phone_number")?,
        state.verification.default_region,
    )?;
    if boolean(&form, "reserved_for_second_factor")? == Some(true) {
        return Err(Error::SecondFactorUnverified { creating: true });
    }
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    shared::ensure_room_for_unverified(&mut tx, user_id).await?;
    let id = identifications::insert(&mut tx, user_id, Kind::Phone.stored(), &number, "phone_number").await?;
    Ok(Json(shared::respond(tx, &state, &signed_in, Kind::Phone, &id, render::phone_number).await?))
}

async fn read(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
) -> Result<Json<Envelope<PhoneNumber>>> {
    Ok(Json(shared::read(&state, &signed_in, Kind::Phone, &id, render::phone_number).await?))
}

async fn update(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<PhoneNumber>>> {
    form.allow_only(&["reserved_for_second_factor", "default_second_factor"])?;
    let reserve = boolean(&form, "reserved_for_second_factor")?;
    let make_default = boolean(&form, "default_second_factor")?;
    if make_default == Some(false) {
        return Err(FieldError::default_second_factor_not_disabled().into());
    }
    if reserve.is_some() {
        // Reserving or releasing a number turns two-step verification on or off; the number's
        // own level (as adding it), since a person who just verified it has no fresh second
        // factor to show for the numbers that follow.
        domain::reverification::require(&state, &signed_in, Level::FirstFactor).await?;
    }
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = shared::own(&mut tx, user_id, Kind::Phone, &id).await?;
    if (reserve.is_some() || make_default.is_some()) && !row.is_verified() {
        return Err(Error::SecondFactorUnverified { creating: false });
    }
    let reserved_after = reserve.unwrap_or(row.reserved_for_second_factor);
    if make_default == Some(true) && !reserved_after {
        return Err(FieldError::value_invalid(
            "default_second_factor",
            "Only a phone number reserved for two-step verification can be the default second factor; reserve it first.",
        )
        .into());
    }
    match reserve {
        Some(true) if !row.reserved_for_second_factor => {
            let first = identifications::count_second_factors(&mut tx, user_id).await? == 0;
            identifications::set_second_factor(&mut tx, &row.id, true, false).await?;
            if first {
                identifications::set_default_second_factor(&mut tx, user_id, Some(&row.id)).await?;
                users::record_mfa(&mut tx, user_id, true).await?;
            }
        }
        Some(false) if row.reserved_for_second_factor => {
            shared::release_second_factor(&mut tx, user_id, &row).await?;
        }
        _ => {}
    }
    if make_default == Some(true) {
        identifications::set_default_second_factor(&mut tx, user_id, Some(&row.id)).await?;
    }
    if reserve.is_some() || make_default.is_some() {
        users::touch(&mut tx, user_id).await?;
    }
    Ok(Json(shared::respond(tx, &state, &signed_in, Kind::Phone, &id, render::phone_number).await?))
}

async fn prepare(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<PhoneNumber>>> {
    form.allow_only(&["strategy", "proof_token"])?;
    let strategy = form.required("strategy")?;
    if strategy != "phone_code" {
        return Err(FieldError::value_invalid(
            "strategy",
            format!("`strategy` must be `phone_code`; `{strategy}` is not supported here."),
        )
        .into());
    }
    if form.one("proof_token")?.is_some_and(|token| !token.is_empty()) {
        return Err(FieldError::value_invalid(
            "proof_token",
            "`proof_token` belongs to Clerk Protect, which this server does not use.",
        )
        .into());
    }
    let user_id = &signed_in.session.user_id;
    let mut tx = state.db.write().await?;
    let row = shared::own(&mut tx, user_id, Kind::Phone, &id).await?;
    shared::prepare_code(&mut tx, &state, Kind::Phone, &row).await?;
    Ok(Json(shared::respond(tx, &state, &signed_in, Kind::Phone, &id, render::phone_number).await?))
}

async fn attempt(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
    Form(form): Form,
) -> Result<Json<Envelope<PhoneNumber>>> {
    Ok(Json(shared::attempt(&state, &signed_in, Kind::Phone, &id, &form, render::phone_number).await?))
}

async fn destroy(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PathId(id): PathId,
) -> Result<Json<Envelope<DeletedObject>>> {
    Ok(Json(shared::destroy(&state, &signed_in, Kind::Phone, &id).await?))
}

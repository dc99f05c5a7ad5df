//! The password: `POST /v1/me/change_password` and `POST /v1/me/remove_password`.
//!
//! Rules and codes:
//! - A new password meets [`password::check_new`] (the one policy, also at sign-up and in the
//!   Backend API).
//! - Changing it takes the current one when the account has one (422 `form_password_incorrect`
//!   naming `current_password`); `sign_out_of_other_sessions=true` revokes every other session
//!   of the user, on every device.
//! - Removing it takes the current one too (400 `no_password_set` without one), and is refused
//!   while it is the only way to sign in (400 `password_removal_not_allowed`): this server signs
//!   in by password or by a connected (verified) external account.
//! - With reverification on (`domain::reverification`), both need a `multi_factor`-fresh session
//!   instead, and `current_password` is not asked (Clerk's rule: the reverification proved who
//!   is there); when sent anyway it is still checked.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use sqlx::SqliteConnection;
use userdesk_fapi::models::{Envelope, User};

use crate::domain::reverification::{self, Level};
use crate::error::{Error, FieldError, Result};
use crate::http::form::{Form, Params};
use crate::http::signed_in::SignedIn;
use crate::password;
use crate::render;
use crate::state::AppState;
use crate::store::{sessions, users};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/me/change_password", post(change_password))
        .route("/v1/me/remove_password", post(remove_password))
}

/// `true`/`false` (absent or empty: `false`).
fn boolean(form: &Params, name: &str) -> Result<bool> {
    match form.one(name)? {
        None | Some("" | "false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(FieldError::must_be(name, "true or false").into()),
    }
}

/// Checks `current_password` against the user's password. Not sent: refused, unless the account
/// has none or reverification is on.
async fn check_current(state: &AppState, user: &users::UserRow, current: Option<&str>) -> Result<()> {
    let Some(stored) = &user.password_hash else {
        return Ok(());
    };
    // An empty field is one not filled in.
    let current = match current.filter(|current| !current.is_empty()) {
        Some(current) => current,
        None if reverification::enabled(state) => return Ok(()),
        None => return Err(FieldError::missing("current_password").into()),
    };
    let matches = current.chars().count() <= password::PASSWORD_MAX_LENGTH
        && password::verify(current.to_owned(), stored.clone()).await?;
    if !matches {
        return Err(FieldError {
            param: Some("current_password".into()),
            long_message: "Your current password is incorrect. Try again.".into(),
            ..FieldError::password_incorrect()
        }
        .into());
    }
    Ok(())
}

/// Ways to sign in other than the password: connected external accounts (`external_accounts`,
/// verified ones).
async fn other_sign_in_methods(conn: &mut SqliteConnection, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM external_accounts WHERE user_id = ? AND verification_status = 'verified'",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

async fn respond(
    conn: &mut SqliteConnection,
    base_url: &str,
    client_id: &str,
    user_id: &str,
) -> Result<Envelope<User>> {
    let user = render::user_by_id(conn, base_url, user_id).await?;
    let client = render::client(conn, base_url, client_id).await?;
    Ok(Envelope { response: user, client: Some(client) })
}

async fn change_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<User>>> {
    form.allow_only(&["current_password", "new_password", "sign_out_of_other_sessions"])?;
    let new_password = form.required("new_password")?;
    let sign_out_others = boolean(&form, "sign_out_of_other_sessions")?;
    password::check_new("new_password", new_password)?;
    reverification::require(&state, &signed_in, Level::MultiFactor).await?;
    let user_id = signed_in.session.user_id.clone();
    let user = {
        let mut conn = state.db.pool().acquire().await?;
        users::find_row(&mut conn, &user_id).await?.ok_or(Error::SignedOut)?
    };
    check_current(&state, &user, form.one("current_password")?).await?;
    let hash = password::hash(new_password.to_owned()).await?;

    let mut tx = state.db.write().await?;
    users::set_password(&mut tx, &user_id, Some(&hash)).await?;
    if sign_out_others {
        let revoked = sessions::revoke_all_but(&mut tx, &user_id, &signed_in.session.id).await?;
        tracing::info!(user = %user_id, revoked, "signed out of other sessions");
    }
    let envelope = respond(&mut tx, &state.base_url, &signed_in.client_id, &user_id).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, "password changed");
    Ok(Json(envelope))
}

async fn remove_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form,
) -> Result<Json<Envelope<User>>> {
    form.allow_only(&["current_password"])?;
    let current = if reverification::enabled(&state) {
        form.one("current_password")?
    } else {
        Some(form.required("current_password")?)
    };
    reverification::require(&state, &signed_in, Level::MultiFactor).await?;
    let user_id = signed_in.session.user_id.clone();
    let user = {
        let mut conn = state.db.pool().acquire().await?;
        users::find_row(&mut conn, &user_id).await?.ok_or(Error::SignedOut)?
    };
    if user.password_hash.is_none() {
        return Err(Error::NoPasswordSet);
    }
    check_current(&state, &user, current).await?;

    let mut tx = state.db.write().await?;
    if other_sign_in_methods(&mut tx, &user_id).await? == 0 {
        return Err(Error::PasswordRemovalNotAllowed);
    }
    users::set_password(&mut tx, &user_id, None).await?;
    let envelope = respond(&mut tx, &state.base_url, &signed_in.client_id, &user_id).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, "password removed");
    Ok(Json(envelope))
}

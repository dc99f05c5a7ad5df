//! `/v1/client`: this device's client.

use axum::extract::State;
use axum::routing::{delete, get};
use axum::{Json, Router};
use userdesk_fapi::models::{Client, Envelope};

use crate::error::Result;
use crate::http::form::Form;
use crate::http::native_client::{ClientOrNew, CurrentClient};
use crate::render;
use crate::state::AppState;
use crate::store::{clients, sessions};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/client", get(get_client).post(create_client).put(create_client).delete(delete_client))
        // Clerk's "Remove client's sessions", its JavaScript SDK's sign-out: here the same as
        // `DELETE /v1/client`, which keeps the client too.
        .route("/v1/client/sessions", delete(delete_client))
}

/// The client, as the response itself (`client` stays null, as Clerk answers); `null` when the
/// request carries no token (no client is made for a read).
async fn get_client(
    State(state): State<AppState>,
    client: Option<CurrentClient>,
) -> Result<Json<Envelope<Option<Client>>>> {
    let Some(client) = client else {
        return Ok(Json(Envelope { response: None, client: None }));
    };
    let mut conn = state.db.pool().acquire().await?;
    let client = render::client(&mut conn, &state.base_url, &client.id).await?;
    Ok(Json(Envelope { response: Some(client), client: None }))
}

/// `POST`/`PUT /v1/client`: the spec's "Create New Client". A request without a token gets a
/// new one (its token in `Authorization`); one with a token gets its own client back.
async fn create_client(
    State(state): State<AppState>,
    ClientOrNew(client): ClientOrNew,
    Form(form): Form,
) -> Result<Json<Envelope<Option<Client>>>> {
    form.allow_only(&[])?;
    let mut conn = state.db.pool().acquire().await?;
    let client = render::client(&mut conn, &state.base_url, &client.id).await?;
    Ok(Json(Envelope { response: Some(client), client: None }))
}

/// `DELETE /v1/client` and `DELETE /v1/client/sessions`: ends every session of the client (signs
/// out on this device). The client and its token stay, so the device can sign in again without a
/// new token. Without a token there is nothing to end: `null`, and no client is made.
async fn delete_client(
    State(state): State<AppState>,
    client: Option<CurrentClient>,
) -> Result<Json<Envelope<Option<Client>>>> {
    let Some(client) = client else {
        return Ok(Json(Envelope { response: None, client: None }));
    };
    let mut tx = state.db.write().await?;
    sessions::end_all_for_client(&mut tx, &client.id).await?;
    clients::set_last_active_session(&mut tx, &client.id, None).await?;
    clients::set_sign_in(&mut tx, &client.id, None).await?;
    let client = render::client(&mut tx, &state.base_url, &client.id).await?;
    tx.commit().await?;
    Ok(Json(Envelope { response: Some(client), client: None }))
}

//! `/v1/users` of the Backend API.

use axum::extract::State;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use crate::error::{Error, FieldError, Result};
use crate::http::form::{JsonBody, PathId};
use crate::http::validate;
use crate::password;
use crate::render;
use crate::render::LoadedUser;
use crate::state::AppState;
use crate::store::users::{self, MetadataKind, NewUser};

/// Fields of `POST /users` in the spec that this server does not implement.
const UNSUPPORTED_CREATE: &[&str] = &[
    "locale",
    "email_address_identification_status",
    "phone_number",
    "phone_number_identification_status",
    "web3_wallet",
    "password_digest",
    "password_hasher",
    "totp_secret",
    "backup_codes",
    "legal_accepted_at",
    "create_organizations_limit",
    "created_at",
];

/// Longest external id accepted.
const EXTERNAL_ID_MAX_LENGTH: usize = 256;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/users", post(create_user))
        .route("/v1/users/{user_id}", get(get_user))
        .route("/v1/users/{user_id}/metadata", patch(patch_metadata))
}

/// The Backend API's user: the FAPI user (its external accounts too) plus private metadata.
async fn backend_user(conn: &mut SqliteConnection, base_url: &str, user_id: &str) -> Result<Value> {
    let loaded = LoadedUser::load(conn, user_id).await?.ok_or(Error::NotFound("user"))?;
    let user = loaded.user(base_url)?;
    let mut value =
        serde_json::to_value(&user).map_err(|e| Error::Internal(format!("serialising a user: {e}")))?;
    let private = render::metadata(&loaded.account.user.private_metadata)?;
    if let Value::Object(map) = &mut value {
        map.insert("private_metadata".into(), Value::Object(private));
        // The Backend API's `Passkey` has no timestamps of its own (the FAPI's has), and its
        // `last_used_at` is never null: a passkey not used since it was made was last used when
        // the key made it.
        if let Some(Value::Array(passkeys)) = map.get_mut("passkeys") {
            for passkey in passkeys.iter_mut().filter_map(Value::as_object_mut) {
                let created_at = passkey.remove("created_at");
                passkey.remove("updated_at");
                if passkey.get("last_used_at").is_none_or(Value::is_null) {
                    passkey.insert("last_used_at".into(), created_at.unwrap_or(Value::Null));
                }
            }
        }
    }
    Ok(value)
}

/// A boolean that this server only supports as `false`.
fn only_false(body: &mut JsonBody, name: &str) -> Result<()> {
    if body.boolean(name)? == Some(true) {
        return Err(FieldError::value_invalid(
            name,
            format!("`{name}: true` is not supported by Userdesk's account server."),
        )
        .into());
    }
    Ok(())
}

fn metadata_param(body: &mut JsonBody, name: &str) -> Result<Option<Map<String, Value>>> {
    let document = body.object(name)?;
    if let Some(document) = &document {
        validate::metadata_size(name, document)?;
    }
    Ok(document)
}

async fn create_user(State(state): State<AppState>, mut body: JsonBody) -> Result<Json<Value>> {
    body.unsupported(UNSUPPORTED_CREATE)?;
    for name in ["banned", "locked", "bypass_client_trust"] {
        only_false(&mut body, name)?;
    }
    let email_addresses = body
        .strings("email_address")?
        .iter()
        .map(|address| validate::email_address("email_address", address.trim()))
        .collect::<Result<Vec<_>>>()?;
    let username = body.string("username")?.filter(|u| !u.is_empty());
    if let Some(username) = &username {
        validate::username(username)?;
    }
    let first_name = body.string("first_name")?.filter(|n| !n.is_empty());
    let last_name = body.string("last_name")?.filter(|n| !n.is_empty());
    for (param, value) in [("first_name", &first_name), ("last_name", &last_name)] {
        if let Some(value) = value {
            validate::name(param, value)?;
        }
    }
    let external_id = body.string("external_id")?.filter(|id| !id.is_empty());
    if external_id.as_ref().is_some_and(|id| id.chars().count() > EXTERNAL_ID_MAX_LENGTH) {
        return Err(FieldError::too_long("external_id", EXTERNAL_ID_MAX_LENGTH, "characters").into());
    }
    let password = body.string("password")?;
    let skip_password_checks = body.boolean("skip_password_checks")?.unwrap_or(false);
    let skip_password_requirement = body.boolean("skip_password_requirement")?.unwrap_or(false);
    let skip_user_requirement = body.boolean("skip_user_requirement")?.unwrap_or(false);
    body.boolean("skip_legal_checks")?;
    let public_metadata = metadata_param(&mut body, "public_metadata")?.unwrap_or_default();
    let private_metadata = metadata_param(&mut body, "private_metadata")?.unwrap_or_default();
    let unsafe_metadata = metadata_param(&mut body, "unsafe_metadata")?.unwrap_or_default();
    let delete_self_enabled = body.boolean("delete_self_enabled")?.unwrap_or(true);
    let create_organization_enabled = body.boolean("create_organization_enabled")?.unwrap_or(false);
    body.finish()?;

    match &password {
        // Migrations may bring passwords that break today's rules; they still cannot be empty
        // or unboundedly long.
        Some(password) if skip_password_checks => {
            if password.is_empty() {
                return Err(FieldError::missing("password").into());
            }
            if password.chars().count() > password::PASSWORD_MAX_LENGTH {
                return Err(
                    FieldError::too_long("password", password::PASSWORD_MAX_LENGTH, "characters").into()
                );
            }
        }
        Some(password) => password::check_new("password", password)?,
        None if skip_password_requirement => {}
        None => return Err(FieldError::missing("password").into()),
    }
    if email_addresses.is_empty() && username.is_none() && !skip_user_requirement {
        return Err(FieldError::new(
            "form_param_missing",
            "email_address",
            "is missing",
            "A user needs an email address or a username to sign in with.".into(),
        )
        .into());
    }
    let password_hash = match password {
        Some(password) => Some(password::hash(password).await?),
        None => None,
    };

    let mut tx = state.db.write().await?;
    let user_id = users::insert(
        &mut tx,
        NewUser {
            external_id,
            username,
            first_name,
            last_name,
            password_hash,
            email_addresses,
            public_metadata,
            private_metadata,
            unsafe_metadata,
            delete_self_enabled,
            create_organization_enabled,
        },
    )
    .await?;
    let user = backend_user(&mut tx, &state.base_url, &user_id).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, "user created through the Backend API");
    Ok(Json(user))
}

async fn get_user(State(state): State<AppState>, PathId(user_id): PathId) -> Result<Json<Value>> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(Json(backend_user(&mut conn, &state.base_url, &user_id).await?))
}

async fn patch_metadata(
    State(state): State<AppState>,
    PathId(user_id): PathId,
    mut body: JsonBody,
) -> Result<Json<Value>> {
    let patches = [
        ("public_metadata", MetadataKind::Public, body.object("public_metadata")?),
        ("private_metadata", MetadataKind::Private, body.object("private_metadata")?),
        ("unsafe_metadata", MetadataKind::Unsafe, body.object("unsafe_metadata")?),
    ];
    body.finish()?;

    let mut tx = state.db.write().await?;
    let row = users::find_row(&mut tx, &user_id).await?.ok_or(Error::NotFound("user"))?;
    for (param, kind, patch) in patches {
        if let Some(patch) = patch {
            let current = render::metadata(kind.of(&row))?;
            let merged = validate::merge_metadata(param, current, patch)?;
            users::set_metadata(&mut tx, &user_id, kind, &merged).await?;
        }
    }
    let user = backend_user(&mut tx, &state.base_url, &user_id).await?;
    tx.commit().await?;
    Ok(Json(user))
}

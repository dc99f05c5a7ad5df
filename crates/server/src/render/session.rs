//! A session with its user.

use userdesk_fapi::models::{PublicUserData, Session, SessionStatus};

use super::{parse_enum, user};
use crate::error::Result;
use crate::ids::now_ms;
use crate::store::sessions::SessionRow;
use crate::store::users::Account;

/// A session with its user.
pub fn session(row: &SessionRow, account: &Account, base_url: &str) -> Result<Session> {
    let now = now_ms();
    let user = user(account, base_url)?;
    let public_user_data = PublicUserData {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        image_url: Some(user.image_url.clone()),
        has_image: user.has_image,
        identifier: row.identifier.clone(),
        user_id: Some(user.id.clone()),
        username: user.username.clone(),
    };
    let first_factor_age = i32::try_from((now - row.first_factor_at()).max(0) / 60_000).unwrap_or(i32::MAX);
    let second_factor_age = row
        .second_factor_verified_at
        .map_or(-1, |at| i32::try_from((now - at).max(0) / 60_000).unwrap_or(i32::MAX));
    Ok(Session {
        id: row.id.clone(),
        object: "session".into(),
        status: parse_enum::<SessionStatus>("session status", row.status_at(now))?,
        expire_at: row.expire_at,
        abandon_at: row.abandon_at,
        last_active_at: row.last_active_at,
        last_active_token: None,
        actor: None,
        last_active_organization_id: None,
        user: Some(user),
        public_user_data: Some(public_user_data),
        factor_verification_age: vec![first_factor_age, second_factor_age],
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

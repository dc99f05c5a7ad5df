//! The second-factor policy: a user has two-step verification when they have a verified
//! authenticator app or a verified phone number reserved for it; signing in then takes a second
//! factor after the first.

use sqlx::SqliteConnection;

use crate::error::Result;
use crate::store::identifications::list_for_user;
use crate::store::totp as totp_store;
use crate::store::users::IdentificationRow;

/// The user's verified phone numbers reserved for two-step verification, oldest first.
pub async fn phones(conn: &mut SqliteConnection, user_id: &str) -> Result<Vec<IdentificationRow>> {
    let phones = list_for_user(conn, user_id, "phone_number").await?;
    Ok(phones.into_iter().filter(|phone| phone.reserved_for_second_factor && phone.is_verified()).collect())
}

/// `true` when signing in as the user takes a second factor (see the module's rules).
pub async fn required(conn: &mut SqliteConnection, user_id: &str) -> Result<bool> {
    Ok(totp_store::second_factors(conn, user_id).await?.totp || !phones(conn, user_id).await?.is_empty())
}

//! The demo account a development instance starts with, so the app has someone to sign in as.

use serde_json::{json, Map, Value};

use crate::error::Result;
use crate::password;
use crate::store::users::{self, NewUser};
use crate::store::Db;

/// The demo account's email address.
pub const DEMO_EMAIL: &str = "demo@example.com";
/// The demo account's password.
pub const DEMO_PASSWORD: &str = "userdesk-demo";
/// The demo account's username.
pub const DEMO_USERNAME: &str = "demo";

/// Creates the demo account if the database has no users at all. Returns whether it did.
pub async fn seed_if_empty(db: &Db) -> Result<bool> {
    let password_hash = {
        let mut conn = db.pool().acquire().await?;
        if users::count(&mut conn).await? > 0 {
            return Ok(false);
        }
        password::hash(DEMO_PASSWORD.to_owned()).await?
    };
    let mut tx = db.write().await?;
    // Checked again under the write lock, in case another start raced us.
    if users::count(&mut tx).await? > 0 {
        return Ok(false);
    }
    let public_metadata = match json!({ "plan": "pro" }) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    users::insert(
        &mut tx,
        NewUser {
            username: Some(DEMO_USERNAME.into()),
            first_name: Some("Demo".into()),
            last_name: Some("User".into()),
            password_hash: Some(password_hash),
            email_addresses: vec![DEMO_EMAIL.into()],
            public_metadata,
            delete_self_enabled: true,
            ..NewUser::default()
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(email = DEMO_EMAIL, "created the demo account");
    Ok(true)
}

//! The client with its live sessions (each with its user) and the sign-in under way.

use std::collections::HashMap;

use sqlx::SqliteConnection;
use userdesk_fapi::models::Client;

use super::user::LoadedUser;
use super::{session, sign_in};
use crate::error::{Error, Result};
use crate::store::clients::{self, ClientRow};
use crate::store::users;
use crate::store::{sessions, sign_ins};

/// The client with its live sessions (each with its user) and the sign-in under way.
pub async fn client(conn: &mut SqliteConnection, base_url: &str, client_id: &str) -> Result<Client> {
    let row = clients::find(conn, client_id)
        .await?
        .ok_or_else(|| Error::Internal(format!("client {client_id} vanished")))?;
    client_with(conn, base_url, row, None).await
}

/// The client of `row`, with `known` (a user the answer has read already) not read again: for
/// reads, which have the row and the user at hand.
pub async fn client_with(
    conn: &mut SqliteConnection,
    base_url: &str,
    row: ClientRow,
    known: Option<&LoadedUser>,
) -> Result<Client> {
    let client_id = row.id.as_str();
    let rows = sessions::live_for_client(conn, client_id).await?;
    let mut loaded: HashMap<String, LoadedUser> = HashMap::new();
    let mut sessions = Vec::with_capacity(rows.len());
    for session_row in &rows {
        let user_id = &session_row.user_id;
        let user = match known.filter(|known| &known.account.user.id == user_id) {
            Some(known) => known,
            None => {
                if !loaded.contains_key(user_id) {
                    match LoadedUser::load(conn, user_id).await? {
                        Some(user) => loaded.insert(user_id.clone(), user),
                        None => continue,
                    };
                }
                match loaded.get(user_id) {
                    Some(user) => user,
                    None => continue,
                }
            }
        };
        let mut rendered = session::session(session_row, &user.account, base_url)?;
        if let Some(shown) = rendered.user.as_mut() {
            shown.external_accounts = user.external_accounts.clone();
        }
        sessions.push(rendered);
    }
    let last_active_session_id =
        row.last_active_session_id.filter(|id| sessions.iter().any(|session| &session.id == id));
    let sign_in = match &row.sign_in_id {
        Some(id) => match sign_ins::find_for_client(conn, client_id, id).await? {
            Some(sign_in_row) => {
                let user = match &sign_in_row.user_id {
                    Some(user_id) => users::find_row(conn, user_id).await?,
                    None => None,
                };
                let mut rendered = sign_in::sign_in(&sign_in_row, user.as_ref(), base_url)?;
                sign_in::decorate(conn, &mut rendered).await?;
                sign_in::show_second_factor(conn, &mut rendered, user.as_ref()).await?;
                Some(rendered)
            }
            None => None,
        },
        None => None,
    };
    Ok(Client {
        object: "client".into(),
        id: row.id,
        sessions,
        sign_in,
        sign_up: None,
        last_active_session_id,
        last_authentication_strategy: row.last_authentication_strategy,
        cookie_expires_at: None,
        captcha_bypass: false,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

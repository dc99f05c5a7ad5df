//! The client with its live sessions (each with its user) and the sign-in under way.

use std::collections::HashMap;

use sqlx::SqliteConnection;
use userdesk_fapi::models::Client;

use super::{external_account, session, sign_in};
use crate::error::{Error, Result};
use crate::store::users::{self, Account};
use crate::store::{clients, sessions, sign_ins};

/// The client with its live sessions (each with its user) and the sign-in under way.
pub async fn client(conn: &mut SqliteConnection, base_url: &str, client_id: &str) -> Result<Client> {
    let row = clients::find(conn, client_id)
        .await?
        .ok_or_else(|| Error::Internal(format!("client {client_id} vanished")))?;
    let rows = sessions::live_for_client(conn, client_id).await?;
    let mut accounts: HashMap<String, Account> = HashMap::new();
    let mut sessions = Vec::with_capacity(rows.len());
    for session_row in &rows {
        if !accounts.contains_key(&session_row.user_id) {
            match users::find(conn, &session_row.user_id).await? {
                Some(account) => {
                    accounts.insert(session_row.user_id.clone(), account);
                }
                None => continue,
            }
        }
        if let Some(account) = accounts.get(&session_row.user_id) {
            let mut rendered = session::session(session_row, account, base_url)?;
            if let Some(user) = rendered.user.as_mut() {
                user.external_accounts = external_account::for_user(conn, &session_row.user_id).await?;
            }
            sessions.push(rendered);
        }
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

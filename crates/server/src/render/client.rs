//! The client with its live sessions (each with its user) and the sign-in under way.

use std::collections::HashMap;

use sqlx::SqliteConnection;
use userdesk_fapi::models::Client;

use super::user::LoadedUser;
use super::{session, sign_in};
use crate::error::{Error, Result};
use crate::ids::now_ms;
use crate::store::clients::{self, ClientRow};
use crate::store::sessions::SessionRow;
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
    let sessions = LiveSessions::load(conn, &row.id, known).await?;
    let sign_in = match &row.sign_in_id {
        Some(id) => match sign_ins::find_for_client(conn, &row.id, id).await? {
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
    client_of(row, &sessions, known, base_url, sign_in)
}

/// The client of `row` with its sessions as read in `sessions`, and `sign_in` (the one under way,
/// rendered). Only what depends on the clock is worked out here, so the rows may have been read
/// earlier (`GET /v1/me`'s kept reads).
pub fn client_of(
    row: ClientRow,
    sessions: &LiveSessions,
    known: Option<&LoadedUser>,
    base_url: &str,
    sign_in: Option<userdesk_fapi::models::SignIn>,
) -> Result<Client> {
    let now = now_ms();
    let mut shown = Vec::with_capacity(sessions.rows.len());
    // Read as live; one that expired since is not shown (as the query would not have found it).
    for session_row in sessions.rows.iter().filter(|session| session.expire_at > now) {
        let user_id = &session_row.user_id;
        let user = match known.filter(|known| &known.account.user.id == user_id) {
            Some(known) => known,
            None => match sessions.users.get(user_id) {
                Some(user) => user,
                None => continue,
            },
        };
        let mut rendered = session::session(session_row, &user.account, base_url)?;
        if let Some(user_shown) = rendered.user.as_mut() {
            user_shown.external_accounts = user.external_accounts()?;
        }
        shown.push(rendered);
    }
    let last_active_session_id =
        row.last_active_session_id.filter(|id| shown.iter().any(|session| &session.id == id));
    Ok(Client {
        object: "client".into(),
        id: row.id,
        sessions: shown,
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

/// A client's live sessions and their users (but the one the answer read already), as read.
#[derive(Debug, Clone)]
pub struct LiveSessions {
    rows: Vec<SessionRow>,
    users: HashMap<String, LoadedUser>,
}

impl LiveSessions {
    /// The first moment after `now` at which these sessions (and `known`, their user read
    /// already) are shown otherwise with no row changed: a session expires, a factor's age in
    /// minutes goes up, a user's verification expires. `None` as for
    /// [`LoadedUser::changes_after`].
    pub(crate) fn changes_after(&self, now: i64, known: &LoadedUser) -> Option<i64> {
        let next_minute = |at: i64| at + ((now - at).max(0) / 60_000 + 1) * 60_000;
        let mut first = known.changes_after(now)?;
        for user in self.users.values() {
            first = first.min(user.changes_after(now)?);
        }
        for row in self.rows.iter().filter(|row| row.expire_at > now) {
            first = first.min(row.expire_at).min(next_minute(row.first_factor_at()));
            if let Some(at) = row.second_factor_verified_at {
                first = first.min(next_minute(at));
            }
        }
        Some(first)
    }

    /// Reads the live sessions of `client_id` and their users, but `known`.
    pub async fn load(
        conn: &mut SqliteConnection,
        client_id: &str,
        known: Option<&LoadedUser>,
    ) -> Result<Self> {
        let rows = sessions::live_for_client(conn, client_id).await?;
        let mut users: HashMap<String, LoadedUser> = HashMap::new();
        for row in &rows {
            let user_id = &row.user_id;
            if known.is_some_and(|known| &known.account.user.id == user_id) || users.contains_key(user_id) {
                continue;
            }
            if let Some(user) = LoadedUser::load(conn, user_id).await? {
                users.insert(user_id.clone(), user);
            }
        }
        Ok(Self { rows, users })
    }
}

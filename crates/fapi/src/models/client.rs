use serde::{Deserialize, Serialize};

use super::{Session, SignIn};

/// A device's client: its sessions and any sign-in under way (`Client`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// Always `client`.
    pub object: String,
    /// Its id (`client_…`).
    pub id: String,
    /// Its sessions, one per signed-in account.
    pub sessions: Vec<Session>,
    /// The sign-in under way.
    pub sign_in: Option<SignIn>,
    /// The sign-up under way.
    pub sign_up: Option<super::SignUp>,
    /// The session in use.
    pub last_active_session_id: Option<String>,
    /// How the last sign-in was done.
    #[serde(default)]
    pub last_authentication_strategy: Option<String>,
    /// When a browser's cookie would expire; `None` for native clients.
    #[serde(default)]
    pub cookie_expires_at: Option<i64>,
    /// Whether this client skips captchas.
    #[serde(default)]
    pub captcha_bypass: bool,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

impl Client {
    /// The session in use, if it is active.
    pub fn active_session(&self) -> Option<&Session> {
        let id = self.last_active_session_id.as_deref()?;
        self.sessions
            .iter()
            .find(|session| session.id == id && session.status == super::SessionStatus::Active)
    }
}

/// Every successful FAPI response: the resource and the client it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The resource asked for.
    pub response: T,
    /// The client after the request, where the server piggybacks it.
    #[serde(default)]
    pub client: Option<Client>,
}

/// The response of `GET /v1/client`: the client is the response (or `null` when there is none).
pub type ClientEnvelope = Envelope<Option<Client>>;

use crate::models::ClerkError;

/// A `Result` of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with Clerk errors (`ClerkErrors`).
    #[error("{}", .errors.first().map(|e| e.long_message.as_str()).unwrap_or("the server refused the request"))]
    Api {
        /// The HTTP status.
        status: u16,
        /// What the server said, first the most relevant.
        errors: Vec<ClerkError>,
        /// The server's trace id, for support requests.
        trace_id: Option<String>,
    },
    /// The server answered with something that is not Clerk's error format.
    #[error("the server answered {status} without an explanation")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
    },
    /// The server could not be reached (down, refused, DNS, TLS).
    #[error("cannot reach the account server at {url}: {message}")]
    Network {
        /// The instance's base URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server took too long to answer.
    #[error("the account server at {url} did not answer in time")]
    Timeout {
        /// The instance's base URL.
        url: String,
    },
    /// A response did not have the expected shape; `path` names the failing field.
    #[error("unexpected response from the account server at `{path}`: {message}")]
    Decode {
        /// The JSON path of the failing field, e.g. `response.email_addresses[0].id`.
        path: String,
        /// What was wrong there.
        message: String,
    },
    /// A publishable key or URL does not name an instance.
    #[error("{0}")]
    InvalidInstance(String),
    /// The operation needs a signed-in session and there is none.
    #[error("you are signed out")]
    SignedOut,
    /// The client token could not be stored.
    #[error("cannot store the sign-in token: {0}")]
    TokenStore(String),
    /// An id meant for a request path is not an id (`..`, a slash, …); nothing was sent.
    #[error("“{0}” is not an id of this instance")]
    InvalidId(String),
}

/// Clerk's code for an action that needs the session verified again first.
pub const REVERIFICATION_REQUIRED: &str = "session_reverification_required";

impl Error {
    /// A stable code the UI can branch on: Clerk's code for server errors, ours otherwise.
    pub fn code(&self) -> &str {
        match self {
            Error::Api { errors, .. } => errors.first().map(|e| e.code.as_str()).unwrap_or("api_error"),
            Error::UnexpectedStatus { .. } => "unexpected_status",
            Error::Network { .. } => "network",
            Error::Timeout { .. } => "timeout",
            Error::Decode { .. } => "decode",
            Error::InvalidInstance(_) => "invalid_instance",
            Error::SignedOut => "signed_out",
            Error::TokenStore(_) => "token_store",
            Error::InvalidId(_) => "invalid_id",
        }
    }

    /// `true` when the instance asks the session to prove again who is using it before this
    /// action (403 `session_reverification_required`); the action may be retried once it has.
    pub fn needs_reverification(&self) -> bool {
        matches!(self, Error::Api { errors, .. } if errors.iter().any(|e| e.code == REVERIFICATION_REQUIRED))
    }

    /// The server's first error, with its `meta` (e.g. `attempts_remaining`, `retry_after_seconds`).
    pub fn clerk_error(&self) -> Option<&ClerkError> {
        match self {
            Error::Api { errors, .. } => errors.first(),
            _ => None,
        }
    }

    /// The form field this error concerns, where the server named one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Api { .. } => self.clerk_error().and_then(ClerkError::param_name),
            _ => None,
        }
    }

    /// The HTTP status, for errors the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::UnexpectedStatus { status } => Some(*status),
            _ => None,
        }
    }

    /// `true` when the server no longer knows this client or session (signed out elsewhere,
    /// token revoked): the app should show the sign-in screen.
    pub fn is_signed_out(&self) -> bool {
        matches!(self, Error::SignedOut) || self.status() == Some(401)
    }
}

//! The crate's one error type, and how it reaches a client: a `ClerkErrors` body with Clerk's
//! status and code.
//!
//! Request errors are variants that name what was wrong (and, for form fields, which param);
//! anything else (database, I/O) is a 500 whose details are logged, never sent.

use std::net::SocketAddr;

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use userdesk_fapi::models::{ClerkError, ClerkErrors};

use crate::store::StoreError;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, in a request or while starting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A form or JSON parameter is missing, unknown or invalid (422 unless the field says
    /// otherwise).
    #[error("{}: {}", .0.code, .0.long_message)]
    Field(FieldError),
    /// The `Host` header names something other than this machine (DNS rebinding).
    #[error("host {0:?} is not allowed")]
    HostNotAllowed(String),
    /// The `Origin` header names a web page that is not this machine's.
    #[error("origin {0:?} is not allowed")]
    OriginNotAllowed(String),
    /// The client token in `Authorization` is unknown or malformed.
    #[error("the client token is not valid")]
    ClientTokenInvalid,
    /// The Backend API secret key is missing or wrong.
    #[error("the secret key is missing or not valid")]
    SecretKeyInvalid,
    /// The request needs a signed-in session and the client has none (or not the one named).
    #[error("signed out")]
    SignedOut,
    /// A session is already active on this client (single-session mode).
    #[error("a session already exists on this client")]
    SessionExists,
    /// Multi-session mode: this person is already signed in on this client, in `session_id`.
    #[error("already signed in on this client ({session_id})")]
    AlreadySignedIn { session_id: String },
    /// The action needs the session verified again first: its last verification at `level` is
    /// older than the reverification window (`domain::reverification`).
    #[error("the session must be verified again ({level})")]
    ReverificationRequired {
        /// `first_factor`, `second_factor` or `multi_factor`.
        level: &'static str,
        /// The window, in minutes.
        after_minutes: u64,
    },
    /// The instance does not let users delete themselves.
    #[error("deleting one's own account is not enabled")]
    DeleteSelfDisabled,
    /// The thing named in the path does not exist (or is not the caller's).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request names something of its client's but carries no client token, so nothing
    /// it could name is this device's.
    #[error("no client")]
    NoClient,
    /// The handler did not finish within the server's request timeout.
    #[error("the request timed out")]
    RequestTimeout,
    /// No route matches the path.
    #[error("no such endpoint")]
    RouteNotFound,
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body exceeds the limit.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not of the media type the endpoint takes.
    #[error("unsupported content type {0:?}")]
    UnsupportedMediaType(String),
    /// The body could not be read or parsed at all.
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    /// A verification was attempted (or prepared) on an identification already verified.
    #[error("already verified")]
    VerificationAlreadyVerified,
    /// A code was attempted before one was sent.
    #[error("no verification was prepared")]
    VerificationMissing,
    /// A code was attempted on a verification by link.
    #[error("the verification does not take a code")]
    VerificationStrategyInvalid,
    /// The code or link is past its time.
    #[error("the verification has expired")]
    VerificationExpired,
    /// The verification took its last wrong code; a new one must be prepared.
    #[error("too many failed attempts")]
    VerificationFailed,
    /// A wrong code, with attempts left.
    #[error("incorrect code ({attempts_left} attempts left)")]
    CodeIncorrect {
        /// How many more codes the verification takes.
        attempts_left: u32,
    },
    /// Another code or link was asked for too soon after the last.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests {
        /// Seconds until a new request will be accepted (at least 1).
        retry_after_secs: u64,
    },
    /// Too many sign-in attempts for one identifier or from one client (a token bucket ran
    /// empty); answered as [`Error::TooManyRequests`] is, about signing in.
    #[error("too many sign-in attempts; retry in {retry_after_secs} s")]
    SignInRateLimited {
        /// Seconds until the next attempt will be taken (at least 1).
        retry_after_secs: u64,
    },
    /// The user is locked after too many failed sign-in verifications (Clerk's account lockout).
    #[error("the account is locked")]
    UserLocked {
        /// Seconds until the lock lifts; `None`: it does not by itself.
        expires_in_secs: Option<i64>,
    },
    /// Removing this identification would leave the account with nothing to sign in with.
    #[error("the last identification cannot be removed")]
    LastIdentification,
    /// Second-factor settings of an unverified phone number (`creating`: at creation).
    #[error("unverified identifications cannot be a second factor")]
    SecondFactorUnverified {
        /// `true` on `POST`, `false` on `PATCH`.
        creating: bool,
    },
    /// The user already has as many unverified identifications as allowed.
    #[error("too many unverified identifications")]
    TooManyUnverifiedIdentifications,
    /// This instance has no way to send an email or SMS (production without a relay).
    #[error("no {0} delivery is configured")]
    DeliveryNotConfigured(&'static str),
    /// An email link's token is unknown, or was replaced by a newer link.
    #[error("the verification link is not valid")]
    LinkInvalid,
    /// An OAuth callback's `state` names no round trip under way: unknown (forged, replaced by a
    /// newer one, or its account gone) or already `used`.
    #[error("the OAuth state is not valid")]
    OAuthStateInvalid {
        /// `true` when the state was good once and has been used.
        used: bool,
    },
    /// The OAuth provider cannot be used right now (its discovery document could not be read).
    #[error("the OAuth provider is unreachable: {0}")]
    OAuthProviderUnreachable(String),
    /// A `rotating_token_nonce` that is unknown, used, expired or another client's.
    #[error("the rotating token nonce is not valid")]
    RotatingTokenNonceInvalid,
    /// `transfer=true` without an OAuth sign-in whose identity awaits a sign-up.
    #[error("there is no sign-in to transfer")]
    TransferUnavailable,
    /// An authenticator app is already set up; it must be removed before another is.
    #[error("an authenticator app is already set up")]
    TotpAlreadyEnabled,
    /// Backup codes without an authenticator app or a phone number for two-step verification.
    #[error("backup codes need another second factor")]
    BackupCodesUnavailable,
    /// Removing the password would leave the account without a way to sign in.
    #[error("the password is the only way to sign in")]
    PasswordRemovalNotAllowed,
    /// The account has no password (to remove).
    #[error("no password set")]
    NoPasswordSet,
    /// The sign-up is complete (or abandoned) and cannot change.
    #[error("the sign-up cannot be updated")]
    SignUpCannotBeUpdated,
    /// A database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The configured address is not a loopback address.
    #[error("refusing to listen on {0}: the account server only binds loopback addresses")]
    NonLoopbackAddr(SocketAddr),
    /// The configured or stored secret key is unusable.
    #[error("invalid secret key: {0}")]
    InvalidSecretKey(String),
    /// A configuration value is unusable (e.g. an unknown default region).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// A bug or an impossible state; the message is logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        self.answer().status
    }

    /// The error as Clerk reports it.
    pub fn to_clerk_error(&self) -> ClerkError {
        self.answer().error
    }

    /// Every error's status, Clerk code and messages: one arm a code (README.md lists them).
    fn answer(&self) -> Answer {
        use StatusCode as Status;
        match self {
            Error::Field(field) => field.answer(),
            Error::HostNotAllowed(host) => clerk(
                (Status::FORBIDDEN, "host_invalid", "Host not allowed"),
                format!("The Host header {host:?} is not a loopback name; this server only answers requests addressed to localhost, 127.0.0.1 or [::1]."),
            ),
            Error::OriginNotAllowed(origin) => clerk(
                (Status::FORBIDDEN, "origin_invalid", "Origin not allowed"),
                format!("Requests from the origin {origin:?} are not allowed; this server only answers this machine's apps."),
            ),
            Error::ClientTokenInvalid => clerk(
                (Status::UNAUTHORIZED, "authentication_invalid", "Invalid authentication"),
                "The client token in the Authorization header is not valid. Send the token this server issued, or none to get a new client.",
            ),
            Error::SecretKeyInvalid => clerk(
                (Status::UNAUTHORIZED, "authentication_invalid", "Invalid authentication"),
                "The Backend API needs this server's secret key as `Authorization: Bearer sk_…`; it was missing or wrong.",
            ),
            Error::SignedOut => clerk((Status::UNAUTHORIZED, "signed_out", "Signed out"), "You are signed out."),
            Error::SessionExists => clerk(
                (Status::BAD_REQUEST, "session_exists", "Session already exists"),
                "You're already signed in. Sign out before signing in again.",
            ),
            // Clerk's SDKs switch to the session `meta.session_id` names.
            Error::AlreadySignedIn { session_id } => clerk(
                (Status::BAD_REQUEST, "identifier_already_signed_in", "You're already signed in"),
                "You're already signed in on this device with this account.",
            )
            .meta("session_id", session_id.clone()),
            // Clerk's code and message; Clerk's JS SDK looks only at the code, `meta` is ours.
            Error::ReverificationRequired { level, after_minutes } => clerk(
                (Status::FORBIDDEN, "session_reverification_required", "You need to provide additional verification to perform this operation"),
                format!("This action needs you to verify it is you again: your session was last verified more than {after_minutes} minute{} ago. Verify the session (POST /v1/client/sessions/{{id}}/verify) and try again.", plural(*after_minutes)),
            )
            .meta("level", *level)
            .meta("after_minutes", *after_minutes),
            Error::DeleteSelfDisabled => clerk(
                (Status::FORBIDDEN, "delete_self_not_enabled", "Not allowed"),
                "Deleting your own account is not enabled for this account.",
            ),
            Error::NotFound(what) => clerk(
                (Status::NOT_FOUND, "resource_not_found", "Resource not found"),
                format!("The {what} was not found."),
            ),
            Error::NoClient => clerk(
                (Status::NOT_FOUND, "resource_not_found", "Resource not found"),
                "This request carries no client token, so nothing it names belongs to this device. Sign in or sign up first.",
            ),
            Error::RequestTimeout => clerk(
                (Status::REQUEST_TIMEOUT, "request_timeout", "Request timeout"),
                "The request took too long and was stopped. Try again.",
            ),
            Error::RouteNotFound => clerk(
                (Status::NOT_FOUND, "resource_not_found", "Resource not found"),
                "This server has no such endpoint.",
            ),
            Error::MethodNotAllowed => clerk(
                (Status::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed"),
                "This endpoint does not support this HTTP method.",
            ),
            Error::BodyTooLarge { limit } => clerk(
                (Status::PAYLOAD_TOO_LARGE, "request_body_too_large", "Request body too large"),
                format!("The request body is larger than the {limit} bytes this server accepts."),
            ),
            Error::UnsupportedMediaType(kind) => clerk(
                (Status::UNSUPPORTED_MEDIA_TYPE, "unsupported_content_type", "Unsupported content type"),
                format!("The body's content type {kind:?} is not accepted here."),
            ),
            Error::MalformedBody(why) => clerk(
                (Status::BAD_REQUEST, "request_body_invalid", "Request body invalid"),
                format!("The request body could not be read: {why}."),
            ),
            Error::VerificationAlreadyVerified => clerk(
                (Status::BAD_REQUEST, "verification_already_verified", "already verified"),
                "This verification has already been verified.",
            ),
            Error::VerificationMissing => clerk(
                (Status::BAD_REQUEST, "verification_missing", "is missing"),
                "No code has been sent yet. Ask for a code first, then enter the one you receive.",
            ),
            Error::VerificationStrategyInvalid => clerk(
                (Status::BAD_REQUEST, "verification_strategy_invalid", "has invalid strategy"),
                "This verification was sent as a link, not a code: open the link in the email, or ask for a code instead.",
            ),
            Error::VerificationExpired => clerk(
                (Status::BAD_REQUEST, "verification_expired", "expired"),
                "This verification has expired. You must create a new one.",
            ),
            Error::VerificationFailed => clerk(
                (Status::BAD_REQUEST, "verification_failed", "failed"),
                "Too many failed attempts. You have to try again with the same or another method.",
            )
            .meta("reason", "too_many_attempts"),
            Error::CodeIncorrect { attempts_left } => clerk(
                (Status::UNPROCESSABLE_ENTITY, "form_code_incorrect", "is incorrect"),
                format!("Incorrect code. {attempts_left} attempt{} left.", plural(u64::from(*attempts_left))),
            )
            .param("code")
            .meta("attempts_remaining", *attempts_left),
            Error::TooManyRequests { retry_after_secs } => clerk(
                (Status::TOO_MANY_REQUESTS, "too_many_requests", "Too many requests"),
                format!("Too many requests. Please wait {retry_after_secs} second{} before asking for another code.", plural(*retry_after_secs)),
            )
            .meta("retry_after_seconds", *retry_after_secs),
            Error::SignInRateLimited { retry_after_secs } => clerk(
                (Status::TOO_MANY_REQUESTS, "too_many_requests", "Too many requests"),
                format!("Too many sign-in attempts. Please wait {retry_after_secs} second{} before trying again.", plural(*retry_after_secs)),
            )
            .meta("retry_after_seconds", *retry_after_secs),
            // Clerk's answer, word for word but the duration (its error-handling guide).
            Error::UserLocked { expires_in_secs } => clerk(
                (Status::FORBIDDEN, "user_locked", "Account locked"),
                match expires_in_secs {
                    Some(secs) => {
                        let minutes = u64::try_from((secs + 59) / 60).unwrap_or(1).max(1);
                        format!("Your account is locked. You will be able to try again in {minutes} minute{}. For more information, contact support.", plural(minutes))
                    }
                    None => "Your account is locked. For more information, contact support.".to_owned(),
                },
            )
            .meta("lockout_expires_in_seconds", *expires_in_secs),
            Error::LastIdentification => clerk(
                (Status::BAD_REQUEST, "identification_deletion_failed", "Deletion failed"),
                "You cannot delete your last identification: it is the only one you can sign in with. Add and verify another email address first.",
            ),
            Error::SecondFactorUnverified { creating: true } => clerk(
                (Status::BAD_REQUEST, "identification_create_second_factor_unverified", "Create failed"),
                "Unverified identifications cannot be a second factor. Add the number, verify it, then use it for two-step verification.",
            ),
            Error::SecondFactorUnverified { creating: false } => clerk(
                (Status::BAD_REQUEST, "identification_update_second_factor_unverified", "Update failed"),
                "Cannot update second factor attributes for unverified identification. Verify the number first.",
            ),
            Error::TooManyUnverifiedIdentifications => clerk(
                (Status::BAD_REQUEST, "too_many_unverified_identifications", "too many unverified contacts"),
                "There are too many unverified contacts for this user. Verify or remove some first.",
            ),
            Error::DeliveryNotConfigured(channel) => clerk(
                (Status::FORBIDDEN, "delivery_not_configured", "Delivery not configured"),
                format!("This server cannot send {channel} messages: no {channel} delivery is configured for a production instance."),
            ),
            Error::LinkInvalid => clerk(
                (Status::BAD_REQUEST, "verification_link_token_invalid", "invalid link token"),
                "This verification link is not valid. It may have been replaced by a newer one; use the link in the latest email.",
            ),
            Error::OAuthStateInvalid { used: false } => clerk(
                (Status::BAD_REQUEST, "oauth_state_invalid", "Invalid OAuth state"),
                "This sign-in response does not belong to a sign-in under way here: it may be forged, or replaced by a newer attempt. Start again from Userdesk.",
            ),
            Error::OAuthStateInvalid { used: true } => clerk(
                (Status::BAD_REQUEST, "oauth_state_invalid", "OAuth state already used"),
                "This sign-in response was already used. Start again from Userdesk.",
            ),
            Error::OAuthProviderUnreachable(why) => clerk(
                (Status::BAD_GATEWAY, "oauth_provider_unreachable", "Provider unreachable"),
                format!("The sign-in provider cannot be reached right now ({why}). Try again later."),
            ),
            Error::RotatingTokenNonceInvalid => clerk(
                (Status::BAD_REQUEST, "rotating_token_nonce_invalid", "Invalid nonce"),
                "The rotating token nonce is unknown, already used, expired, or belongs to another client.",
            ),
            Error::TransferUnavailable => clerk(
                (Status::BAD_REQUEST, "transfer_unavailable", "Nothing to transfer"),
                "There is no sign-in through a provider waiting to become a sign-up on this client. Sign in with the provider first.",
            ),
            Error::TotpAlreadyEnabled => clerk(
                (Status::BAD_REQUEST, "totp_already_enabled", "Authenticator app already set up"),
                "An authenticator app is already set up for this account. Remove it before setting up another.",
            ),
            Error::BackupCodesUnavailable => clerk(
                (Status::BAD_REQUEST, "backup_codes_not_available", "Two-step verification is off"),
                "Backup codes work with two-step verification: set up an authenticator app or a phone number for it first.",
            ),
            Error::PasswordRemovalNotAllowed => clerk(
                (Status::BAD_REQUEST, "password_removal_not_allowed", "Password required"),
                "You cannot remove your password: it is the only way you can sign in. Connect another account first.",
            ),
            Error::NoPasswordSet => clerk(
                (Status::BAD_REQUEST, "no_password_set", "no password set"),
                "This account does not have a password.",
            ),
            Error::SignUpCannotBeUpdated => clerk(
                (Status::FORBIDDEN, "sign_up_cannot_be_updated", "Sign up cannot be updated"),
                "This sign up has reached a terminal state and cannot be updated. Start a new sign-up.",
            ),
            Error::Database(_)
            | Error::Migrate(_)
            | Error::Io { .. }
            | Error::NonLoopbackAddr(_)
            | Error::InvalidSecretKey(_)
            | Error::InvalidConfig(_)
            | Error::Internal(_) => clerk(
                (Status::INTERNAL_SERVER_ERROR, "internal_clerk_error", "Oops, an unexpected error occurred"),
                "There was an internal error on our servers; the request changed nothing. The server's log has the details.",
            ),
        }
    }
}

/// An error's status and the one `ClerkError` of its `ClerkErrors` body.
struct Answer {
    status: StatusCode,
    error: ClerkError,
}

/// The one place an answer is made: `(status, code, message)` and the long message, so that each
/// code in [`Error::answer`] is a row of a table.
fn clerk((status, code, message): (StatusCode, &str, &str), long_message: impl Into<String>) -> Answer {
    Answer { status, error: ClerkError::new(code, message, long_message) }
}

impl Answer {
    /// Names the form parameter concerned (`meta.param_name`).
    fn param(self, param: impl Into<String>) -> Self {
        Self { error: self.error.with_param(param), ..self }
    }

    /// Adds a fact to `meta`.
    fn meta(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.error.meta.insert(key.into(), value.into());
        self
    }
}

/// The plural ending for `count` things.
fn plural(count: u64) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let Answer { status, error } = self.answer();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, status = status.as_u16(), "request refused");
        }
        let mut response = (status, Json(ClerkErrors::from(error))).into_response();
        if let Error::TooManyRequests { retry_after_secs } | Error::SignInRateLimited { retry_after_secs } =
            self
        {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<FieldError> for Error {
    fn from(field: FieldError) -> Self {
        Error::Field(field)
    }
}

/// A problem with one request parameter, reported with its name in `meta.param_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// 422 for most; 400 for a few.
    pub status: StatusCode,
    /// Clerk's code.
    pub code: &'static str,
    /// The short message.
    pub message: String,
    /// The long message.
    pub long_message: String,
    /// The parameter concerned.
    pub param: Option<String>,
}

impl FieldError {
    /// A 422 error about `param`.
    pub fn new(code: &'static str, param: &str, message: &str, long_message: String) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message: message.to_owned(),
            long_message,
            param: Some(param.to_owned()),
        }
    }

    /// A 422 error whose message is a whole sentence, repeated as the long message.
    fn stated(code: &'static str, param: &str, sentence: &str) -> Self {
        Self::new(code, param, sentence, sentence.to_owned())
    }

    /// The field's answer, through the same builder as every other error.
    fn answer(&self) -> Answer {
        let answer = clerk((self.status, self.code, &self.message), self.long_message.clone());
        match &self.param {
            Some(param) => answer.param(param.clone()),
            None => answer,
        }
    }

    /// A required parameter is missing.
    pub fn missing(param: &str) -> Self {
        let why = format!("`{param}` is required but was not given.");
        Self::new("form_param_missing", param, "is missing", why)
    }

    /// The parameter is not one this endpoint takes.
    pub fn unknown(param: &str) -> Self {
        Self::unknown_because(param, format!("`{param}` is not a valid parameter for this request."))
    }

    /// The parameter is not one this endpoint takes, for the reason `why` gives.
    pub fn unknown_because(param: &str, why: impl Into<String>) -> Self {
        Self::new("form_param_unknown", param, "is unknown", why.into())
    }

    /// The parameter is longer than allowed.
    pub fn too_long(param: &str, max: usize, unit: &str) -> Self {
        let why = format!("`{param}` must be at most {max} {unit} long.");
        Self::new("form_param_max_length_exceeded", param, "is too long", why)
    }

    /// The parameter (a document) is larger than allowed, as `why` says.
    pub fn too_large(param: &str, why: impl Into<String>) -> Self {
        Self::new("form_param_max_length_exceeded", param, "is too large", why.into())
    }

    /// The parameter's value has the wrong form.
    pub fn format_invalid(param: &str, why: impl Into<String>) -> Self {
        Self::new("form_param_format_invalid", param, "is invalid", why.into())
    }

    /// The parameter's value is not `what` (e.g. "true or false"): "`param` must be `what`."
    pub fn must_be(param: &str, what: &str) -> Self {
        Self::format_invalid(param, format!("`{param}` must be {what}."))
    }

    /// The parameter's value is well-formed but not acceptable.
    pub fn value_invalid(param: &str, why: impl Into<String>) -> Self {
        Self::new("form_param_value_invalid", param, "is invalid", why.into())
    }

    /// The parameter does not go with `strategy`.
    pub fn not_used_with(param: &str, strategy: &str) -> Self {
        Self::value_invalid(param, format!("`{param}` is not used with `{strategy}`."))
    }

    /// The identifier (username, email) is taken.
    pub fn identifier_exists(param: &str) -> Self {
        let long = match param {
            "username" => "That username is taken. Please try another.".to_owned(),
            "email_address" => "That email address is taken. Please try another.".to_owned(),
            "phone_number" => "That phone number is taken. Please try another.".to_owned(),
            _ => format!("That {param} is taken. Please try another."),
        };
        Self::new("form_identifier_exists", param, "is taken", long)
    }

    /// `default_second_factor=false`: the default moves only by choosing another one.
    pub fn default_second_factor_not_disabled() -> Self {
        Self::stated(
            "form_disable_default_second_factor_not_allowed",
            "default_second_factor",
            "The default second factor method can only be changed by assigning another method as the default.",
        )
    }

    /// No account has this identifier.
    pub fn identifier_not_found(param: &str) -> Self {
        Self::stated("form_identifier_not_found", param, "Couldn't find your account.")
    }

    /// The password does not match.
    pub fn password_incorrect() -> Self {
        Self::stated(
            "form_password_incorrect",
            "password",
            "Password is incorrect. Try again, or use another method.",
        )
    }

    /// The username's length is outside the allowed range.
    pub fn username_length(min: usize, max: usize) -> Self {
        let why = format!("Username must be between {min} and {max} characters long.");
        Self::new("form_username_invalid_length", "username", "is invalid", why)
    }

    /// The username contains a character that is not allowed.
    pub fn username_character() -> Self {
        let why = "Username can only contain letters, numbers, '_' and '-'.";
        Self::new("form_username_invalid_character", "username", "is invalid", why.into())
    }
}

/// The one place a store error becomes an HTTP one.
impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Database(e) => Error::Database(e),
            StoreError::Migrate(e) => Error::Migrate(e),
            StoreError::Taken(param) => FieldError::identifier_exists(&param).into(),
            // A request for a user that is gone: its session went with it.
            StoreError::UserGone => Error::SignedOut,
            StoreError::Internal(why) => Error::Internal(why),
        }
    }
}

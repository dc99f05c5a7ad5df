//! The resources of Clerk's Frontend API, as its JSON carries them (`fapi-2026-05-12.yml`).
//!
//! One description of the wire format for everybody: the embedded server serialises these, the
//! client deserialises them, and the app hands them to the UI as generated TypeScript. Field names
//! are the JSON's (snake_case); the seeds' getters (`fullName`, `verifiedExternalAccounts`, …) are
//! methods. Timestamps are Unix milliseconds, as in Clerk's API.

mod client;
mod deleted_object;
mod environment;
mod error;
mod external_account;
mod identification;
mod image;
mod passkey;
mod security;
mod session;
mod sign_in;
mod sign_up;
mod user;
mod verification;

pub use client::{Client, ClientEnvelope, Envelope};
pub use deleted_object::DeletedObject;
pub use environment::{DisplayConfig, Environment, UserSettings};
pub use error::{ClerkError, ClerkErrors};
pub use external_account::ExternalAccount;
pub use identification::{EmailAddress, IdentificationLink, PhoneNumber};
pub use image::Image;
pub use passkey::Passkey;
pub use security::{BackupCodes, SessionActivity, SessionWithActivities, Totp};
pub use session::{
    PublicUserData, ReverificationLevel, ReverificationStatus, Session, SessionReverification, SessionStatus,
    Token,
};
pub use sign_in::{SignIn, SignInFactor, SignInStatus, SignInUserData};
pub use sign_up::{SignUp, SignUpStatus, SignUpVerifications};
pub use user::User;
pub use verification::{Verification, VerificationStatus};

/// The OAuth providers of the seed, in its order; a strategy is `oauth_` + one of them.
pub const OAUTH_PROVIDERS: [&str; 14] = [
    "facebook",
    "github",
    "google",
    "hubspot",
    "tiktok",
    "gitlab",
    "discord",
    "twitter",
    "twitch",
    "linkedin",
    "dropbox",
    "bitbucket",
    "microsoft",
    "notion",
];

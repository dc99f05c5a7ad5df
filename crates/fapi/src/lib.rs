//! Userdesk's typed client for Clerk's Frontend API (FAPI), spoken as a native app.
//!
//! - [`models`]: the resources of the seeds (User, EmailAddress, PhoneNumber, ExternalAccount,
//!   Verification, Session, Image, …) as the spec's JSON carries them; the server shares them.
//! - [`Client`] (feature `client`): requests over HTTP with the native-client protocol
//!   (`_is_native=1`, the client token in `Authorization`, rotated from every response).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod metadata;
pub mod models;
mod params;

pub use params::UpdateUserParams;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod error;
#[cfg(feature = "client")]
mod flow_completion;
#[cfg(feature = "client")]
mod instance_url;
#[cfg(feature = "client")]
pub mod native_flow;
// Registering passkeys and signing in with them.
#[cfg(feature = "client")]
mod passkeys;
#[cfg(feature = "client")]
pub mod private_file;
#[cfg(feature = "client")]
mod profile_image;
#[cfg(feature = "client")]
mod security;
// First factors by code, forgot password, the new-device check.
#[cfg(feature = "client")]
mod sign_in_factors;
#[cfg(feature = "client")]
mod token_store;
#[cfg(feature = "client")]
mod tokens;

#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder, EmailVerification, API_VERSION};
#[cfg(feature = "client")]
pub use error::{Error, Result};
#[cfg(feature = "client")]
pub use flow_completion::{error_for_code, FlowResult};
#[cfg(feature = "client")]
pub use instance_url::{fapi_url_from_publishable_key, is_loopback, parse_fapi_url};
#[cfg(feature = "client")]
pub use profile_image::{ProfileImageUpload, UploadProgress};
#[cfg(feature = "client")]
pub use security::{SecondFactor, SignUpParams, SignUpVerification};
#[cfg(feature = "client")]
pub use sign_in_factors::{CodeFactor, TrustFactor};
#[cfg(feature = "client")]
pub use token_store::{MemoryTokenStore, TokenStore, TokenStoreError};
#[cfg(feature = "client")]
pub use tokens::{inspect as inspect_token, SignatureCheck, TokenInspection, TokenService};

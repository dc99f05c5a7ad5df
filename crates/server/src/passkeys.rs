//! The instance's WebAuthn relying party: who passkeys are made for ([`crate::Config::passkey_rp_id`]),
//! which origins may present them, and the ceremonies, all checked by webauthn-rs.
//!
//! Choices (README, "Passkeys"):
//! - webauthn-rs's passkey ceremonies: user verification required (a passkey signs in alone, and
//!   by default stands in for the second factor), attestation `none`, ES256/RS256/EdDSA keys.
//! - The creation options ask for a discoverable credential (`residentKey: preferred`) so that the
//!   sign-in without an identifier finds it; authenticators that cannot keep one still register
//!   a passkey, usable after the identifier.
//! - States are kept server-side in SQLite (serialised by webauthn-rs) and used once.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use webauthn_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url, Webauthn, WebauthnBuilder, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::error::{Error, FieldError, Result};

/// The relying-party id of the embedded server: `localhost`, which WebAuthn treats as a secure
/// context over plain `http`.
pub const DEFAULT_RP_ID: &str = "localhost";
/// The origin the app presents to the embedded server's relying party.
pub const DEFAULT_ORIGIN: &str = "http://localhost";
/// How long a registration or a sign-in's passkey ceremony holds (5 minutes, webauthn-rs's and
/// WebAuthn's recommended timeout: finding the key, its PIN).
pub const CEREMONY_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// The form field of the credential, named in errors.
pub const CREDENTIAL_PARAM: &str = "public_key_credential";

/// The passkey settings, as configured.
#[derive(Debug)]
pub struct Passkeys {
    /// `false`: no passkey can be registered or used (`user_settings.attributes.passkey` off).
    pub enabled: bool,
    /// Whether signing in with a passkey also stands for the second factor.
    pub satisfies_second_factor: bool,
    /// The relying party.
    pub webauthn: Webauthn,
}

impl Passkeys {
    /// The relying party of `rp_id` for `origins` (at least one; each must be on `rp_id` or a
    /// subdomain of it).
    pub fn new(
        enabled: bool,
        satisfies_second_factor: bool,
        rp_id: &str,
        origins: &[String],
    ) -> Result<Self> {
        let invalid = |why: String| Error::InvalidConfig(format!("passkeys: {why}"));
        let origins = origins
            .iter()
            .map(|origin| Url::parse(origin).map_err(|e| invalid(format!("the origin {origin:?}: {e}"))))
            .collect::<Result<Vec<_>>>()?;
        let Some((first, others)) = origins.split_first() else {
            return Err(invalid("no allowed origin".into()));
        };
        let mut builder = WebauthnBuilder::new(rp_id, first)
            .map_err(|_| invalid(format!("the relying-party id {rp_id:?} is not the domain of {first}")))?
            .rp_name("Userdesk")
            .timeout(CEREMONY_LIFETIME)
            // `localhost` is this machine whatever the port: the embedded server's changes at
            // every start, and the app presents `http://localhost:{port}`.
            .allow_any_port(rp_id == DEFAULT_RP_ID);
        for origin in others {
            if origin.domain().is_none_or(|domain| domain != rp_id && !domain.ends_with(&format!(".{rp_id}")))
            {
                return Err(invalid(format!("the origin {origin} is not on {rp_id:?}")));
            }
            builder = builder.append_allowed_origin(origin);
        }
        let webauthn = builder.build().map_err(|e| invalid(e.to_string()))?;
        Ok(Self { enabled, satisfies_second_factor, webauthn })
    }
}

/// The creation options as a verification's `nonce`: PublicKeyCredentialCreationOptionsJSON,
/// asking for a discoverable credential where the authenticator can keep one.
pub fn creation_nonce(mut challenge: CreationChallengeResponse) -> Result<String> {
    let selection = challenge.public_key.authenticator_selection.get_or_insert_with(Default::default);
    selection.resident_key = Some(ResidentKeyRequirement::Preferred);
    json(&challenge.public_key)
}

/// The request options as a verification's `nonce` (PublicKeyCredentialRequestOptionsJSON).
pub fn request_nonce(challenge: &RequestChallengeResponse) -> Result<String> {
    json(&challenge.public_key)
}

/// A value as stored JSON.
pub fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("serialising passkey data: {e}")))
}

/// Stored JSON read back.
pub fn stored<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored {what}: {e}")))
}

/// The client's `public_key_credential`: a JSON-serialised PublicKeyCredential; anything else is
/// 422 `form_param_format_invalid` before anything is looked up.
pub fn credential<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| {
        FieldError::format_invalid(
            CREDENTIAL_PARAM,
            "`public_key_credential` must be the authenticator's PublicKeyCredential, serialised as JSON.",
        )
        .into()
    })
}

/// A credential webauthn-rs refused, as a 422 on `public_key_credential` saying why.
pub fn refused(error: &WebauthnError) -> Error {
    let why = match error {
        WebauthnError::InvalidRPOrigin => "The passkey was made for another origin than this instance's.",
        WebauthnError::InvalidRPIDHash => "The passkey belongs to another relying party than this instance.",
        WebauthnError::MismatchedChallenge | WebauthnError::ChallengeNotFound => {
            "The passkey answered another challenge than this one; start again."
        }
        WebauthnError::UserNotVerified => "The authenticator did not verify the user (PIN or biometrics).",
        WebauthnError::CredentialPossibleCompromise => {
            "The passkey's signature counter went backwards: the authenticator may have been cloned, so it is refused."
        }
        WebauthnError::CredentialNotFound => "This passkey is not, or no longer, registered for this account.",
        _ => "The passkey's answer could not be verified.",
    };
    tracing::info!(error = %error, "passkey refused");
    FieldError::new("form_param_value_invalid", CREDENTIAL_PARAM, "is invalid", why.to_owned()).into()
}

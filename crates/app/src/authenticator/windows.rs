//! Windows' own WebAuthn API: Windows shows its dialog (Windows Hello, security keys, phones) and
//! handles the PIN itself, so no prompts come through the ceremony. Not built on the Linux
//! machines this was written on.

use url::Url;
use webauthn_authenticator_rs::win10::Win10;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions, RegisterPublicKeyCredential, RequestChallengeResponse,
};

use super::{ceremony_error, Authenticator, AuthenticatorKind, Ceremony, CeremonyError};

pub struct WindowsAuthenticator;

impl Authenticator for WindowsAuthenticator {
    fn kinds(&self) -> Vec<AuthenticatorKind> {
        vec![AuthenticatorKind::Platform]
    }

    fn register(
        &self,
        origin: Url,
        options: PublicKeyCredentialCreationOptions,
        _ceremony: &Ceremony,
    ) -> Result<RegisterPublicKeyCredential, CeremonyError> {
        Win10::default()
            .do_registration(origin, CreationChallengeResponse { public_key: options })
            .map_err(|error| ceremony_error(error, None))
    }

    fn authenticate(
        &self,
        origin: Url,
        options: PublicKeyCredentialRequestOptions,
        _ceremony: &Ceremony,
    ) -> Result<PublicKeyCredential, CeremonyError> {
        Win10::default()
            .do_authentication(origin, RequestChallengeResponse { public_key: options, mediation: None })
            .map_err(|error| ceremony_error(error, None))
    }
}

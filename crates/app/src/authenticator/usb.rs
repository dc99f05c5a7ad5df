//! Security keys on USB (CTAP 2.0, 2.1), through the library's HID transport. Keys that cannot
//! hold a passkey are told apart and named plainly ([`KeyLimit`]): one that speaks only CTAP 1
//! (U2F; the library refuses it at `init`), and a FIDO2 key without user verification (the library
//! answers `UserVerificationRequired`; its `authenticatorGetInfo` options tell whether a PIN or a
//! fingerprint could be set up).

use std::time::Duration;

use futures::StreamExt;
use url::Url;
use webauthn_authenticator_rs::ctap2::commands::{
    ClientPinRequest, ClientPinResponse, ClientPinSubCommand, GetInfoResponse,
};
use webauthn_authenticator_rs::ctap2::CtapAuthenticator;
use webauthn_authenticator_rs::error::WebauthnCError;
use webauthn_authenticator_rs::transport::{Token, TokenEvent, Transport};
use webauthn_authenticator_rs::usb::{USBToken, USBTransport};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions, RegisterPublicKeyCredential, RequestChallengeResponse,
};

use super::{
    ceremony_error, Authenticator, AuthenticatorKind, Ceremony, CeremonyError, KeyLimit, PasskeyPrompt,
};

/// How long to wait for a key to be plugged in when the server names no timeout.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

pub struct UsbAuthenticator;

impl UsbAuthenticator {
    /// Finds a key, reads its PIN retries (a locked key fails at once) and runs `act` with it.
    fn with_key<T>(
        ceremony: &Ceremony,
        timeout_ms: Option<u32>,
        act: impl FnOnce(&mut CtapAuthenticator<'_, USBToken, Ceremony>) -> Result<T, WebauthnCError>,
    ) -> Result<T, CeremonyError> {
        // Called on a blocking thread of the app's runtime (the library blocks on its own I/O).
        let runtime = tokio::runtime::Handle::current();
        let wait = timeout_ms.map_or(DEFAULT_WAIT, |ms| Duration::from_millis(ms.into()));
        let mut token = runtime.block_on(find_key(ceremony, wait))?;
        runtime.block_on(token.init()).map_err(init_error)?;
        let retries = runtime
            .block_on(token.transmit::<_, ClientPinResponse, _>(
                ClientPinRequest { sub_command: ClientPinSubCommand::GetPinRetries, ..Default::default() },
                ceremony,
            ))
            .ok()
            .and_then(|response| response.pin_retries);
        if retries == Some(0) {
            return Err(CeremonyError::Locked);
        }
        if let Ok(mut left) = ceremony.attempts_left.lock() {
            *left = retries;
        }
        // `None`: it lists no CTAP 2 version.
        let mut key = runtime
            .block_on(CtapAuthenticator::new(token, ceremony))
            .ok_or(CeremonyError::CannotHoldPasskey(KeyLimit::U2fOnly))?;
        let info = key.get_info().clone();
        act(&mut key).map_err(|error| match error {
            WebauthnCError::UserVerificationRequired => CeremonyError::CannotHoldPasskey(key_limit(&info)),
            error => ceremony_error(error, ceremony.attempts_left()),
        })
    }
}

/// A key's `init` refused: the library refuses a key without CTAP 2 there (`NotSupported`).
fn init_error(error: WebauthnCError) -> CeremonyError {
    match error {
        WebauthnCError::NotSupported => CeremonyError::CannotHoldPasskey(KeyLimit::U2fOnly),
        error => ceremony_error(error, None),
    }
}

/// Why a FIDO2 key could not verify the person, from its `authenticatorGetInfo` options: an
/// option present but `false` is a feature the key has and was not set up (`clientPin`: a PIN;
/// `uv`, `bioEnroll`, `userVerificationMgmtPreview`: a fingerprint).
fn key_limit(info: &GetInfoResponse) -> KeyLimit {
    let could = ["clientPin", "uv", "bioEnroll", "userVerificationMgmtPreview"]
        .iter()
        .any(|option| info.get_option(option) == Some(false));
    if could {
        KeyLimit::NotSetUp
    } else {
        KeyLimit::NoUserVerification
    }
}

/// The first key plugged in (or already there), waiting up to `wait` and while not cancelled.
async fn find_key(ceremony: &Ceremony, wait: Duration) -> Result<USBToken, CeremonyError> {
    let transport = USBTransport::new().await.map_err(|error| ceremony_error(error, None))?;
    let mut events = transport.watch().await.map_err(|error| ceremony_error(error, None))?;
    let deadline = tokio::time::sleep(wait);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            event = events.next() => match event {
                Some(TokenEvent::Added(token)) => return Ok(token),
                Some(TokenEvent::EnumerationComplete) => ceremony.prompt(PasskeyPrompt::InsertKey),
                Some(TokenEvent::Removed(_)) => {}
                None => return Err(CeremonyError::NoAuthenticator),
            },
            () = &mut deadline => return Err(CeremonyError::NoAuthenticator),
            () = ceremony.cancelled() => return Err(CeremonyError::Cancelled),
        }
    }
}

impl Authenticator for UsbAuthenticator {
    fn kinds(&self) -> Vec<AuthenticatorKind> {
        vec![AuthenticatorKind::SecurityKey]
    }

    fn passkey_name(&self) -> Option<&'static str> {
        Some("Security key (USB)")
    }

    fn register(
        &self,
        origin: Url,
        options: PublicKeyCredentialCreationOptions,
        ceremony: &Ceremony,
    ) -> Result<RegisterPublicKeyCredential, CeremonyError> {
        Self::with_key(ceremony, options.timeout, |key| {
            key.do_registration(origin, CreationChallengeResponse { public_key: options })
        })
    }

    fn authenticate(
        &self,
        origin: Url,
        options: PublicKeyCredentialRequestOptions,
        ceremony: &Ceremony,
    ) -> Result<PublicKeyCredential, CeremonyError> {
        Self::with_key(ceremony, options.timeout, |key| {
            key.do_authentication(origin, RequestChallengeResponse { public_key: options, mediation: None })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::error::{CommandError, ErrorCode};

    fn key_with(options: &[(&str, bool)]) -> GetInfoResponse {
        let options: BTreeMap<String, bool> =
            options.iter().map(|(name, value)| ((*name).to_owned(), *value)).collect();
        GetInfoResponse {
            versions: ["FIDO_2_0".to_owned()].into(),
            options: Some(options),
            ..Default::default()
        }
    }

    #[test]
    fn a_key_without_user_verification_is_told_apart_from_one_not_set_up() {
        // A PIN it supports but was never given (a new YubiKey, say): set one up.
        assert_eq!(key_limit(&key_with(&[("rk", true), ("clientPin", false)])), KeyLimit::NotSetUp);
        // A fingerprint reader with no finger enrolled.
        assert_eq!(key_limit(&key_with(&[("uv", false), ("bioEnroll", false)])), KeyLimit::NotSetUp);
        // Neither a PIN nor a reader (the options leave them out): no passkey with it, ever.
        assert_eq!(key_limit(&key_with(&[("rk", false), ("up", true)])), KeyLimit::NoUserVerification);
        assert_eq!(key_limit(&GetInfoResponse::default()), KeyLimit::NoUserVerification);
    }

    #[test]
    fn a_u2f_only_key_is_named_as_such_and_other_init_failures_keep_their_meaning() {
        let u2f = CommandError::from(init_error(WebauthnCError::NotSupported));
        assert_eq!(u2f.code, ErrorCode::AuthenticatorUnsupported);
        assert!(u2f.message.contains("U2F"), "{}", u2f.message);
        assert_eq!(
            CommandError::from(init_error(WebauthnCError::Cancelled)).code,
            ErrorCode::PasskeyCancelled
        );
    }
}

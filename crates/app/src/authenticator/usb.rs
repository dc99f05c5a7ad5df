//! Security keys on USB (CTAP 2.0, 2.1), through the library's HID transport. Keys that speak
//! only CTAP 1 (U2F) are not supported by the library and are reported as such.

use std::time::Duration;

use futures::StreamExt;
use url::Url;
use webauthn_authenticator_rs::ctap2::commands::{ClientPinRequest, ClientPinResponse, ClientPinSubCommand};
use webauthn_authenticator_rs::ctap2::CtapAuthenticator;
use webauthn_authenticator_rs::error::WebauthnCError;
use webauthn_authenticator_rs::transport::{Token, TokenEvent, Transport};
use webauthn_authenticator_rs::usb::{USBToken, USBTransport};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions, RegisterPublicKeyCredential, RequestChallengeResponse,
};

use super::{ceremony_error, Authenticator, AuthenticatorKind, Ceremony, CeremonyError, PasskeyPrompt};

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
        runtime.block_on(token.init()).map_err(|error| ceremony_error(error, None))?;
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
        let mut key = runtime.block_on(CtapAuthenticator::new(token, ceremony)).ok_or_else(|| {
            CeremonyError::Unsupported("it speaks only CTAP 1 (U2F); passkeys need a FIDO2 key".into())
        })?;
        act(&mut key).map_err(|error| ceremony_error(error, ceremony.attempts_left()))
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

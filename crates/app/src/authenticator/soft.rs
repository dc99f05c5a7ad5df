//! The library's software authenticator, for tests and for the app in a debug build told so: keys
//! in memory, no device. It stands in for a security key, so it behaves as one does: it asks for
//! the touch, and (given a PIN) for the PIN with its attempts left, and locks after eight wrong.
//!
//! `SoftToken` keeps no discoverable credentials; a security key does. So this one remembers,
//! per relying party, each credential it made with the user's handle, offers them when the server
//! names none (a sign-in without an identifier) and returns the handle with the assertion, as a
//! key answering a discoverable request does. The handle is outside what the key signs.

use std::sync::Mutex;

use url::Url;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs_proto::{
    AllowCredentials, CreationChallengeResponse, PublicKeyCredential, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialRequestOptions, RegisterPublicKeyCredential, RequestChallengeResponse,
};

use super::{ceremony_error, Authenticator, AuthenticatorKind, Ceremony, CeremonyError, PasskeyPrompt};

/// A security key's usual number of PIN attempts.
const PIN_RETRIES: u32 = 8;

pub struct SoftAuthenticator {
    state: Mutex<State>,
}

struct State {
    token: SoftToken,
    pin: Option<String>,
    retries: u32,
    /// (relying party, credential id, user handle) of every credential made.
    resident: Vec<(String, Vec<u8>, Vec<u8>)>,
}

impl SoftAuthenticator {
    /// A software key; with `pin`, one protected by that PIN.
    pub fn new(pin: Option<String>) -> Result<Self, CeremonyError> {
        // `true`: it reports user verification, as a key with a PIN or fingerprint does.
        let (token, _certificate) = SoftToken::new(true).map_err(|error| ceremony_error(error, None))?;
        Ok(Self { state: Mutex::new(State { token, pin, retries: PIN_RETRIES, resident: Vec::new() }) })
    }
}

impl State {
    /// What a key does before it signs: the PIN if it has one, then the touch.
    fn verify_user(&mut self, ceremony: &Ceremony) -> Result<(), CeremonyError> {
        if let Some(pin) = self.pin.clone() {
            if self.retries == 0 {
                return Err(CeremonyError::Locked);
            }
            if let Ok(mut left) = ceremony.attempts_left.lock() {
                *left = Some(self.retries);
            }
            let answer = ceremony.ask_pin().ok_or(CeremonyError::Cancelled)?;
            if answer != pin {
                self.retries -= 1;
                return Err(if self.retries == 0 {
                    CeremonyError::Locked
                } else {
                    CeremonyError::PinIncorrect { attempts_left: Some(self.retries) }
                });
            }
            self.retries = PIN_RETRIES;
        }
        ceremony.prompt(PasskeyPrompt::Touch);
        if ceremony.is_cancelled() {
            return Err(CeremonyError::Cancelled);
        }
        Ok(())
    }
}

impl Authenticator for SoftAuthenticator {
    fn kinds(&self) -> Vec<AuthenticatorKind> {
        vec![AuthenticatorKind::SecurityKey]
    }

    fn passkey_name(&self) -> Option<&'static str> {
        Some("Software test key")
    }

    fn register(
        &self,
        origin: Url,
        mut options: PublicKeyCredentialCreationOptions,
        ceremony: &Ceremony,
    ) -> Result<RegisterPublicKeyCredential, CeremonyError> {
        let mut state = self.state.lock().map_err(|_| CeremonyError::Failed("poisoned".into()))?;
        state.verify_user(ceremony)?;
        let (rp, user) = (options.rp.id.clone(), options.user.id.clone());
        // SoftToken refuses to be asked for a discoverable credential; this wrapper keeps it.
        if let Some(selection) = options.authenticator_selection.as_mut() {
            selection.require_resident_key = false;
            selection.resident_key = None;
        }
        let credential = state
            .token
            .do_registration(origin, CreationChallengeResponse { public_key: options })
            .map_err(|error| ceremony_error(error, None))?;
        state.resident.push((rp, credential.raw_id.to_vec(), user));
        Ok(credential)
    }

    fn authenticate(
        &self,
        origin: Url,
        mut options: PublicKeyCredentialRequestOptions,
        ceremony: &Ceremony,
    ) -> Result<PublicKeyCredential, CeremonyError> {
        let mut state = self.state.lock().map_err(|_| CeremonyError::Failed("poisoned".into()))?;
        let mine: Vec<_> = state.resident.iter().filter(|(rp, ..)| *rp == options.rp_id).cloned().collect();
        if options.allow_credentials.is_empty() {
            options.allow_credentials = mine
                .iter()
                .map(|(_, id, _)| AllowCredentials {
                    type_: "public-key".into(),
                    id: id.clone(),
                    transports: None,
                })
                .collect();
        }
        let known =
            options.allow_credentials.iter().any(|allowed| mine.iter().any(|(_, id, _)| *id == allowed.id));
        if !known {
            return Err(CeremonyError::WrongRelyingParty);
        }
        state.verify_user(ceremony)?;
        let mut assertion = state
            .token
            .do_authentication(origin, RequestChallengeResponse { public_key: options, mediation: None })
            .map_err(|error| ceremony_error(error, None))?;
        let used = mine.iter().find(|(_, id, _)| *id == assertion.raw_id.to_vec());
        assertion.response.user_handle = used.map(|(_, _, user)| user.clone());
        Ok(assertion)
    }
}

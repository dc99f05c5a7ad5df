//! The WebAuthn client: the app performs the ceremonies itself, since the webview has no WebAuthn
//! (WebKitGTK) or ties it to a web origin the app does not have (FIELD-NOTES.md). Each
//! [`Authenticator`] talks to one kind of device; a [`Ceremony`] carries its prompts to the UI
//! and the person's answers (the PIN, Cancel) back.

// The software authenticator: tests and debug builds only (release builds refuse the setting).
#[cfg(debug_assertions)]
mod soft;
#[cfg(not(windows))]
mod usb;
#[cfg(windows)]
mod windows;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use serde::Serialize;
use ts_rs::TS;
use url::Url;
use webauthn_authenticator_rs::error::{CtapError, WebauthnCError};
use webauthn_authenticator_rs::types::{CableRequestType, CableState, EnrollSampleStatus};
use webauthn_authenticator_rs::ui::UiCallback;
use webauthn_rs_proto::{
    PublicKeyCredential, PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions,
    RegisterPublicKeyCredential,
};

use crate::error::CommandError;

#[cfg(debug_assertions)]
use soft::SoftAuthenticator;

/// Debug builds only: `soft` makes the app use the software authenticator instead of devices,
/// `soft:PIN` one that asks that PIN. Release builds refuse it (see [`from_environment`]).
pub const TEST_AUTHENTICATOR: &str = "USERDESK_TEST_AUTHENTICATOR";

/// How a person can reach an authenticator, for the Add passkey choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AuthenticatorKind {
    /// A USB security key.
    SecurityKey,
    /// The system's own (Windows Hello, and the keys and phones Windows manages).
    Platform,
}

/// What the authenticator asks of the person now (the `passkey-prompt` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PasskeyPrompt {
    /// No security key is plugged in yet.
    InsertKey,
    /// Touch the key (or use its fingerprint reader).
    Touch,
    /// Enter the key's PIN with `passkey_pin`; `attempts_left` when the key tells.
    Pin { attempts_left: Option<u32> },
    /// The key is working.
    Processing,
}

/// Why a ceremony failed, each a reason the UI can name plainly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CeremonyError {
    NoAuthenticator,
    Timeout,
    PinIncorrect {
        attempts_left: Option<u32>,
    },
    Locked,
    Cancelled,
    /// The key holds no passkey for this relying party (or the origin is not the RP's).
    WrongRelyingParty,
    /// The server's options could not be read.
    Malformed(String),
    /// The key cannot hold a passkey for an instance that asks for user verification.
    CannotHoldPasskey(KeyLimit),
    /// The key cannot do something else the instance asks (an algorithm, an option).
    Unsupported(String),
    Failed(String),
}

/// Why a security key cannot hold a passkey here: a passkey signs in alone, so the instance asks
/// the key to verify who uses it (a PIN or a fingerprint), which some keys cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// The USB transport tells the first two apart (`usb::key_limit`); on Windows its own dialog speaks
// to the key, and only the plain case comes back.
#[cfg_attr(windows, allow(dead_code))]
pub enum KeyLimit {
    /// It speaks only CTAP 1 (U2F): a second step after a password, never a passkey.
    U2fOnly,
    /// A FIDO2 key that could verify the person but has no PIN or fingerprint set up yet.
    NotSetUp,
    /// A FIDO2 key with neither a PIN nor a fingerprint reader.
    NoUserVerification,
}

impl From<CeremonyError> for CommandError {
    fn from(error: CeremonyError) -> Self {
        match error {
            CeremonyError::NoAuthenticator => {
                CommandError::new("no_authenticator", "No security key answered. Plug one in and try again.")
            }
            CeremonyError::Timeout => {
                CommandError::new("timeout", "The security key was not used in time. Try again.")
            }
            CeremonyError::PinIncorrect { attempts_left } => {
                let left = match attempts_left {
                    Some(1) => " 1 attempt left before the key locks.".to_owned(),
                    Some(n) => format!(" {n} attempts left."),
                    None => String::new(),
                };
                CommandError::new("pin_incorrect", format!("That PIN is not the key's PIN.{left}"))
            }
            CeremonyError::Locked => CommandError::new(
                "authenticator_locked",
                "This security key is locked after too many wrong PINs. Unplug it and plug it in \
                 again, or reset it with its maker's tool (a reset erases its passkeys).",
            ),
            CeremonyError::Cancelled => CommandError::new("passkey_cancelled", "Cancelled."),
            CeremonyError::WrongRelyingParty => CommandError::new(
                "passkey_wrong_relying_party",
                "This security key has no passkey for this account server.",
            ),
            CeremonyError::Malformed(why) => CommandError::new(
                "passkey_malformed",
                format!("The account server sent a passkey request Userdesk cannot read: {why}"),
            ),
            CeremonyError::CannotHoldPasskey(limit) => CommandError::new(
                "authenticator_unsupported",
                match limit {
                    KeyLimit::U2fOnly => {
                        "This security key can't hold a passkey: it is an older U2F key, which can \
                         only be a second step after a password. Use a FIDO2 security key, one with \
                         a PIN or a fingerprint."
                    }
                    KeyLimit::NotSetUp => {
                        "This security key can't hold a passkey yet: it has no PIN or fingerprint \
                         set up, and this account server asks the key to verify it's you. Set a PIN \
                         with the key maker's app (or your system's security key settings), then \
                         try again."
                    }
                    KeyLimit::NoUserVerification => {
                        "This security key can't hold a passkey: it has no PIN or fingerprint, and \
                         this account server asks the key to verify it's you. Use a key that has one."
                    }
                },
            ),
            CeremonyError::Unsupported(why) => CommandError::new(
                "authenticator_unsupported",
                format!("This security key can't do what this account server asks ({why})."),
            ),
            CeremonyError::Failed(why) => {
                CommandError::new("passkey_failed", format!("The security key failed: {why}"))
            }
        }
    }
}

/// The library's failure as the person would describe it. `attempts_left` is what the key said
/// before the PIN was asked.
pub(crate) fn ceremony_error(error: WebauthnCError, attempts_left: Option<u32>) -> CeremonyError {
    match error {
        WebauthnCError::Cancelled => CeremonyError::Cancelled,
        WebauthnCError::NoHidDevices | WebauthnCError::NoSelectedToken => CeremonyError::NoAuthenticator,
        WebauthnCError::Security => CeremonyError::WrongRelyingParty,
        WebauthnCError::Json | WebauthnCError::Cbor => CeremonyError::Malformed(error.to_string()),
        // The key's own settings tell which (`usb::key_limit`); without them, the plain case.
        WebauthnCError::UserVerificationRequired => {
            CeremonyError::CannotHoldPasskey(KeyLimit::NoUserVerification)
        }
        WebauthnCError::NotSupported => CeremonyError::Unsupported(error.to_string()),
        WebauthnCError::Ctap(ctap) => match ctap {
            CtapError::Ctap2PinInvalid => {
                CeremonyError::PinIncorrect { attempts_left: attempts_left.map(|n| n.saturating_sub(1)) }
            }
            CtapError::Ctap2PinBlocked | CtapError::Ctap2PinAuthBlocked => CeremonyError::Locked,
            CtapError::Ctap2NoCredentials => CeremonyError::WrongRelyingParty,
            CtapError::Ctap2UserActionTimeout | CtapError::Ctap2ActionTimeout => CeremonyError::Timeout,
            CtapError::Ctap2KeepAliveCancel
            | CtapError::Ctap2OperationDenied
            | CtapError::Ctap2NotAllowed => CeremonyError::Cancelled,
            other => CeremonyError::Failed(format!("{other:?}")),
        },
        other => CeremonyError::Failed(other.to_string()),
    }
}

/// One kind of authenticator. Its calls block until the person has answered (they run off the
/// async threads); the prompts go through `ceremony`.
pub trait Authenticator: Send + Sync + 'static {
    /// The ways to reach it that this machine has.
    fn kinds(&self) -> Vec<AuthenticatorKind>;

    /// What a passkey it makes is called until the person renames it, where the kind of device
    /// is known ("Security key (USB)"); `None` keeps the instance's name. The key's own product
    /// name is not offered: the HID layer does not expose it, and `authenticatorGetInfo` has
    /// only the AAGUID, which would need a table of models.
    fn passkey_name(&self) -> Option<&'static str> {
        None
    }

    /// Makes a credential for `options` (the server's creation options) as `origin`.
    fn register(
        &self,
        origin: Url,
        options: PublicKeyCredentialCreationOptions,
        ceremony: &Ceremony,
    ) -> Result<RegisterPublicKeyCredential, CeremonyError>;

    /// Signs the server's challenge in `options` as `origin`.
    fn authenticate(
        &self,
        origin: Url,
        options: PublicKeyCredentialRequestOptions,
        ceremony: &Ceremony,
    ) -> Result<PublicKeyCredential, CeremonyError>;
}

/// The authenticator this app uses: the platform's own, except in a debug build told to use the
/// software one by [`TEST_AUTHENTICATOR`].
pub fn from_environment() -> Arc<dyn Authenticator> {
    let test = std::env::var(TEST_AUTHENTICATOR).ok();
    #[cfg(debug_assertions)]
    if let Some(setting) = test {
        let pin = setting.strip_prefix("soft:").map(str::to_owned);
        if setting == "soft" || pin.is_some() {
            match SoftAuthenticator::new(pin) {
                Ok(soft) => {
                    tracing::warn!("passkeys use the software authenticator ({TEST_AUTHENTICATOR})");
                    return Arc::new(soft);
                }
                Err(error) => tracing::error!("the software authenticator cannot start: {error:?}"),
            }
        }
        tracing::error!("{TEST_AUTHENTICATOR}={setting} is neither `soft` nor `soft:PIN`; ignored");
    }
    #[cfg(not(debug_assertions))]
    if test.is_some() {
        // A release build never signs with keys kept in memory.
        tracing::error!("{TEST_AUTHENTICATOR} is a test setting that release builds refuse; ignored");
    }
    platform()
}

#[cfg(not(windows))]
fn platform() -> Arc<dyn Authenticator> {
    Arc::new(usb::UsbAuthenticator)
}

#[cfg(windows)]
fn platform() -> Arc<dyn Authenticator> {
    Arc::new(windows::WindowsAuthenticator)
}

/// A ceremony in progress, as the authenticator sees it: where its prompts go, where the PIN
/// comes from, whether the person cancelled.
pub struct Ceremony {
    prompt: Box<dyn Fn(PasskeyPrompt) + Send + Sync>,
    pins: Mutex<mpsc::Receiver<Option<String>>>,
    control: Arc<CeremonyControl>,
    /// What the key said about its PIN retries before asking, for the prompt and the error.
    pub(crate) attempts_left: Mutex<Option<u32>>,
}

/// The UI's side of a ceremony: answer the PIN, or cancel.
pub struct CeremonyControl {
    pin: Mutex<mpsc::Sender<Option<String>>>,
    cancelled: AtomicBool,
}

impl CeremonyControl {
    pub fn answer_pin(&self, pin: String) {
        let _ = self.pin.lock().map(|sender| sender.send(Some(pin)));
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        // A PIN prompt waiting for an answer gets none, which the library takes as Cancel.
        let _ = self.pin.lock().map(|sender| sender.send(None));
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once the person cancels (checked often enough for a person, and for any number
    /// of waiters).
    pub async fn cancelled(&self) {
        while !self.is_cancelled() {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Ceremony {
    pub fn new(prompt: impl Fn(PasskeyPrompt) + Send + Sync + 'static) -> (Self, Arc<CeremonyControl>) {
        let (sender, receiver) = mpsc::channel();
        let control =
            Arc::new(CeremonyControl { pin: Mutex::new(sender), cancelled: AtomicBool::new(false) });
        let ceremony = Self {
            prompt: Box::new(prompt),
            pins: Mutex::new(receiver),
            control: control.clone(),
            attempts_left: Mutex::new(None),
        };
        (ceremony, control)
    }

    pub fn prompt(&self, prompt: PasskeyPrompt) {
        (self.prompt)(prompt);
    }

    pub fn is_cancelled(&self) -> bool {
        self.control.is_cancelled()
    }

    pub async fn cancelled(&self) {
        self.control.cancelled().await;
    }

    pub(crate) fn attempts_left(&self) -> Option<u32> {
        self.attempts_left.lock().ok().and_then(|left| *left)
    }

    /// Asks the person for the PIN and waits for it; `None` when they cancel.
    pub fn ask_pin(&self) -> Option<String> {
        if self.is_cancelled() {
            return None;
        }
        self.prompt(PasskeyPrompt::Pin { attempts_left: self.attempts_left() });
        let answer = self.pins.lock().ok()?.recv().ok().flatten();
        if answer.is_some() {
            self.prompt(PasskeyPrompt::Processing);
        }
        answer
    }
}

impl fmt::Debug for Ceremony {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ceremony").field("cancelled", &self.is_cancelled()).finish_non_exhaustive()
    }
}

impl UiCallback for Ceremony {
    fn request_pin(&self) -> Option<String> {
        self.ask_pin()
    }

    fn request_touch(&self) {
        self.prompt(PasskeyPrompt::Touch);
    }

    fn processing(&self) {
        self.prompt(PasskeyPrompt::Processing);
    }

    // Fingerprint enrolment and caBLE are not used by this app.
    fn fingerprint_enrollment_feedback(&self, _remaining: u32, _feedback: Option<EnrollSampleStatus>) {}

    fn cable_qr_code(&self, _request_type: CableRequestType, _url: String) {}

    fn dismiss_qr_code(&self) {}

    fn cable_status_update(&self, _state: CableState) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_wrong_pin_says_how_many_attempts_are_left() {
        let error: CommandError =
            ceremony_error(WebauthnCError::Ctap(CtapError::Ctap2PinInvalid), Some(3)).into();
        assert_eq!(error.code, ErrorCode::PinIncorrect);
        assert!(error.message.contains("2 attempts left"), "{}", error.message);
        let last: CommandError =
            ceremony_error(WebauthnCError::Ctap(CtapError::Ctap2PinInvalid), Some(2)).into();
        assert!(last.message.contains("1 attempt left before the key locks"), "{}", last.message);
    }

    #[test]
    fn each_failure_has_the_code_the_ui_acts_on() {
        let code = |error, left| CommandError::from(ceremony_error(error, left)).code;
        assert_eq!(code(WebauthnCError::NoHidDevices, None), ErrorCode::NoAuthenticator);
        assert_eq!(
            code(WebauthnCError::Ctap(CtapError::Ctap2PinBlocked), None),
            ErrorCode::AuthenticatorLocked
        );
        assert_eq!(
            code(WebauthnCError::Ctap(CtapError::Ctap2PinAuthBlocked), None),
            ErrorCode::AuthenticatorLocked
        );
        assert_eq!(code(WebauthnCError::Ctap(CtapError::Ctap2UserActionTimeout), None), ErrorCode::Timeout);
        assert_eq!(code(WebauthnCError::Cancelled, None), ErrorCode::PasskeyCancelled);
        assert_eq!(code(WebauthnCError::Security, None), ErrorCode::PasskeyWrongRelyingParty);
        assert_eq!(
            code(WebauthnCError::Ctap(CtapError::Ctap2NoCredentials), None),
            ErrorCode::PasskeyWrongRelyingParty
        );
        assert_eq!(code(WebauthnCError::Json, None), ErrorCode::PasskeyMalformed);
        assert_eq!(code(WebauthnCError::UserVerificationRequired, None), ErrorCode::AuthenticatorUnsupported);
        assert_eq!(code(WebauthnCError::NotSupported, None), ErrorCode::AuthenticatorUnsupported);
    }

    #[test]
    fn a_key_that_cannot_hold_a_passkey_says_why_and_what_to_do() {
        let message = |limit| CommandError::from(CeremonyError::CannotHoldPasskey(limit));
        for limit in [KeyLimit::U2fOnly, KeyLimit::NotSetUp, KeyLimit::NoUserVerification] {
            let error = message(limit);
            assert_eq!(error.code, ErrorCode::AuthenticatorUnsupported, "{limit:?}");
            assert!(error.message.starts_with("This security key can't hold a passkey"), "{}", error.message);
        }
        assert!(message(KeyLimit::U2fOnly).message.contains("U2F"));
        assert!(message(KeyLimit::NotSetUp).message.contains("Set a PIN"));
        assert!(message(KeyLimit::NoUserVerification).message.contains("no PIN or fingerprint"));
    }

    #[test]
    fn cancel_answers_a_waiting_pin_prompt_with_none() {
        let prompts = Arc::new(Mutex::new(Vec::new()));
        let seen = prompts.clone();
        let (ceremony, control) = Ceremony::new(move |prompt| seen.lock().unwrap().push(prompt));
        *ceremony.attempts_left.lock().unwrap() = Some(8);
        let waiting = std::thread::spawn(move || ceremony.ask_pin());
        while prompts.lock().unwrap().is_empty() {
            std::thread::yield_now();
        }
        control.cancel();
        assert_eq!(waiting.join().unwrap(), None);
        assert_eq!(prompts.lock().unwrap()[0], PasskeyPrompt::Pin { attempts_left: Some(8) });
    }
}

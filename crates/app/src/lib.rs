//! Userdesk's app without Tauri: what each command does, against the instance in use, with the
//! desktop around it reached through [`Shell`]. The Tauri shell (`src-tauri/`) registers the
//! commands, each one call into [`Controller`], and implements [`Shell`]; tests run it against
//! the real embedded server with a recording shell.

mod account;
mod account_store;
mod accounts;
mod authenticator;
mod avatar;
mod code_sign_in;
mod connection;
mod controller;
mod error;
mod events;
mod oauth;
mod offline;
mod passkeys;
mod reverification;
mod security_log;
mod server_key;
mod settings;
mod shell;
mod sign_in;
mod sign_up;
mod watch;

#[cfg(test)]
mod bindings;

pub use account::{AccountRules, Devices, VerificationStrategy};
pub use accounts::{AccountPerson, AccountSummary};
#[cfg(debug_assertions)]
pub use authenticator::TEST_AUTHENTICATOR;
pub use authenticator::{AuthenticatorKind, PasskeyPrompt};
pub use avatar::{AvatarCrop, AvatarDropEvent, AvatarPreview, AvatarUploadProgress};
pub use code_sign_in::{
    CodePurpose, CodeSent, CodeSignInResult, LinkSent, LinkSignInState, SignInMethod, SignInOptions,
};
pub use connection::{DemoAccount, InstanceInfo, InstanceKind, TokenStorage};
#[cfg(debug_assertions)]
pub use connection::{TEST_PASSWORDLESS, TEST_REVERIFICATION_SECONDS};
pub use controller::{AppInfo, Controller};
pub use error::{CommandError, CommandResult, ErrorCode};
pub use events::{AccountsChanged, DragDrop, Event};
pub use oauth::{OAuthFinished, OAuthFlowKind, OAuthOutcome, OAuthStarted};
pub use offline::OfflineView;
pub use reverification::{ReverificationFirstFactor, ReverificationSecondFactor, ReverificationStep};
pub use security_log::{SecurityEvent, SecurityEventKind};
pub use server_key::KEYCHAIN_ACCOUNT as SERVER_KEY_KEYCHAIN_ACCOUNT;
pub use settings::{InstanceSetting, Settings, Theme};
pub use shell::{ClipboardImage, Shell};
pub use sign_in::{SecondFactorPhone, SecondFactorStep, SignInResult};
pub use sign_up::{
    FieldRule, LegalConsent, LegalDocument, SignUpForm, SignUpOptions, SignUpStep, SignUpStrategy,
};
pub use watch::{Notice, NoticeSection, WATCH_INTERVAL};

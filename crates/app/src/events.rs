//! Everything the app tells the UI without being asked, each under its event name.

use serde::Serialize;
use ts_rs::TS;

use crate::authenticator::PasskeyPrompt;
use crate::avatar::{AvatarDropEvent, AvatarUploadProgress};
use crate::oauth::OAuthFinished;

/// An event for the UI; [`Event::name`] is what the UI listens to.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A browser round trip ended.
    OAuthFinished(Box<OAuthFinished>),
    /// Files are dragged over the window, or were dropped.
    AvatarDrop(AvatarDropEvent),
    /// An avatar upload is under way.
    AvatarUploadProgress(AvatarUploadProgress),
    /// A passkey ceremony asks something of the person (touch the key, its PIN).
    PasskeyPrompt(PasskeyPrompt),
    /// The accounts or the shown one changed without the UI asking (the tray switched, a session
    /// ended elsewhere, an account signed in twice): read them again.
    AccountsChanged(AccountsChanged),
}

/// The `accounts-changed` event's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccountsChanged {
    /// What to tell the person, if anything.
    pub message: Option<String>,
}

impl Event {
    /// Every event's name, with the constant the UI's bindings give it.
    pub const NAMES: [(&'static str, &'static str); 5] = [
        ("OAUTH_FINISHED", "oauth-finished"),
        ("AVATAR_DROP", "avatar-drop"),
        ("AVATAR_UPLOAD_PROGRESS", "avatar-upload-progress"),
        ("PASSKEY_PROMPT", "passkey-prompt"),
        ("ACCOUNTS_CHANGED", "accounts-changed"),
    ];

    pub fn name(&self) -> &'static str {
        let index = match self {
            Event::OAuthFinished(_) => 0,
            Event::AvatarDrop(_) => 1,
            Event::AvatarUploadProgress(_) => 2,
            Event::PasskeyPrompt(_) => 3,
            Event::AccountsChanged(_) => 4,
        };
        Self::NAMES[index].1
    }

    /// The payload as the UI receives it.
    pub fn payload(&self) -> serde_json::Result<serde_json::Value> {
        match self {
            Event::OAuthFinished(finished) => serde_json::to_value(finished),
            Event::AvatarDrop(drop) => serde_json::to_value(drop),
            Event::AvatarUploadProgress(progress) => serde_json::to_value(progress),
            Event::PasskeyPrompt(prompt) => serde_json::to_value(prompt),
            Event::AccountsChanged(changed) => serde_json::to_value(changed),
        }
    }
}

/// What the window reports as files are dragged onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DragDrop {
    Enter { files: usize },
    Leave,
    Drop { paths: Vec<std::path::PathBuf> },
}

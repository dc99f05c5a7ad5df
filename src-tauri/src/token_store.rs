//! The client token at rest: the OS keychain, or a private file where no keychain service runs
//! (a headless Linux session without Secret Service). The fallback is shown in Settings.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use userdesk_app::TokenStorage;
use userdesk_fapi::{TokenStore, TokenStoreError};

use crate::former_identifier::FORMER_IDENTIFIER;

/// Opens the store for one instance's token (`account` names the instance) under the keychain
/// service `service` (the bundle identifier), preferring the keychain. `USERDESK_NO_KEYCHAIN=1` forces the file, for tests that must not touch a real keychain.
pub fn open(service: &str, account: &str, fallback_dir: &Path) -> (Arc<dyn TokenStore>, TokenStorage) {
    let fallback_reason = if std::env::var_os("USERDESK_NO_KEYCHAIN").is_some() {
        "USERDESK_NO_KEYCHAIN is set".to_owned()
    } else {
        match KeychainStore::open(service, account) {
            Ok(store) => return (Arc::new(store), TokenStorage::Keychain),
            Err(reason) => reason,
        }
    };
    let path = fallback_dir.join(format!("client-token-{}", file_safe(account)));
    tracing::warn!("keychain unavailable ({fallback_reason}); keeping the token in {}", path.display());
    let storage = TokenStorage::File { path: path.display().to_string(), reason: fallback_reason };
    (Arc::new(FileStore { path }), storage)
}

struct KeychainStore {
    entry: keyring::Entry,
}

impl KeychainStore {
    /// Opens the entry and reads it once, so that a keychain that cannot answer is found now. A
    /// token kept under the former identifier moves to this entry.
    fn open(service: &str, account: &str) -> Result<Self, String> {
        let entry = keyring::Entry::new(service, account).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(_) => Ok(Self { entry }),
            Err(keyring::Error::NoEntry) => {
                if service != FORMER_IDENTIFIER {
                    adopt_former_entry(&entry, account);
                }
                Ok(Self { entry })
            }
            Err(error) => Err(error.to_string()),
        }
    }
}

impl TokenStore for KeychainStore {
    fn load(&self) -> Result<Option<String>, TokenStoreError> {
        match self.entry.get_password() {
            Ok(token) => Ok(Some(token)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(TokenStoreError(error.to_string())),
        }
    }

    fn save(&self, token: &str) -> Result<(), TokenStoreError> {
        self.entry.set_password(token).map_err(|e| TokenStoreError(e.to_string()))
    }

    fn clear(&self) -> Result<(), TokenStoreError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(TokenStoreError(error.to_string())),
        }
    }
}

fn adopt_former_entry(entry: &keyring::Entry, account: &str) {
    let Ok(former) = keyring::Entry::new(FORMER_IDENTIFIER, account) else { return };
    let Ok(token) = former.get_password() else { return };
    match entry.set_password(&token) {
        Ok(()) => {
            let _ = former.delete_credential();
        }
        Err(error) => tracing::warn!("cannot move the token to the new keychain entry: {error}"),
    }
}

struct FileStore {
    path: PathBuf,
}

impl TokenStore for FileStore {
    fn load(&self) -> Result<Option<String>, TokenStoreError> {
        match fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text.trim().to_owned()).filter(|token| !token.is_empty())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(TokenStoreError(error.to_string())),
        }
    }

    fn save(&self, token: &str) -> Result<(), TokenStoreError> {
        userdesk_fapi::private_file::write(&self.path, token.as_bytes())
            .map_err(|e| TokenStoreError(e.to_string()))
    }

    fn clear(&self) -> Result<(), TokenStoreError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(TokenStoreError(error.to_string())),
        }
    }
}

fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_keeps_the_token_privately_and_forgets_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileStore { path: dir.path().join("nested").join("client-token-embedded") };
        assert_eq!(store.load().ok().flatten(), None);
        store.save("tok_1").expect("save");
        store.save("tok_2").expect("save again");
        assert_eq!(store.load().ok().flatten().as_deref(), Some("tok_2"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&store.path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.clear().expect("clear");
        assert_eq!(store.load().ok().flatten(), None);
        store.clear().expect("clearing twice is fine");
    }

    #[test]
    fn account_names_become_safe_file_names() {
        assert_eq!(file_safe("https://clerk.example.com/"), "https___clerk.example.com_");
    }
}

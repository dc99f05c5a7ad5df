//! The embedded server's key for secrets at rest (it encrypts TOTP secrets and keys backup-code
//! hashes) lives in the OS keychain, not beside the database: a copy of the data directory (a
//! backup, a synced folder) then carries neither the secrets nor the key to them. Where no
//! keychain answers, the server keeps the key in its data directory, and Settings says so.

use std::path::Path;

use userdesk_server::{AtRestSecret, AT_REST_KEY_FILE};

use crate::connection::TokenStorage;
use crate::shell::Shell;

/// The keychain entry's account name (under the app's service, beside the client tokens).
pub const KEYCHAIN_ACCOUNT: &str = "embedded-server-at-rest-key";

/// The key to hand to the server (`None`: it keeps its own file) and where it is kept.
///
/// A key file left in `server_dir` by an earlier run moves into the keychain and the file goes.
/// Should the keychain hold a different key while the file exists (a run without a keychain made
/// the file), the file's key stays in use: the secrets sealed since were sealed with it, and a
/// key is never overwritten.
pub fn resolve(shell: &impl Shell, server_dir: &Path) -> (Option<AtRestSecret>, TokenStorage) {
    let (store, storage) = shell.token_store(KEYCHAIN_ACCOUNT, server_dir);
    let in_file = |reason: String| {
        tracing::warn!("the embedded server's key stays in its data directory: {reason}");
        let path = server_dir.join(AT_REST_KEY_FILE).display().to_string();
        (None, TokenStorage::File { path, reason })
    };
    if let TokenStorage::File { reason, .. } = storage {
        return in_file(reason);
    }
    let from_file = match AtRestSecret::read_file(server_dir) {
        Ok(found) => found,
        Err(error) => return in_file(error.to_string()),
    };
    let from_keychain = match store.load() {
        Ok(text) => text.map(|text| AtRestSecret::from_hex(&text)),
        Err(error) => return in_file(format!("the keychain cannot be read ({error})")),
    };
    let secret = match (from_file, from_keychain) {
        (Some(file), Some(Some(kept))) if file != kept => {
            return in_file("This data directory has a key of its own, different from the keychain's.".into())
        }
        (None, Some(Some(kept))) => return (Some(kept), TokenStorage::Keychain),
        (_, Some(None)) => {
            return in_file("The keychain entry for the server's key is not a key; it was left alone.".into())
        }
        (Some(file), _) => file,
        (None, None) => match AtRestSecret::generate() {
            Ok(secret) => secret,
            Err(error) => return in_file(error.to_string()),
        },
    };
    // Kept, read back and compared before the file (if any) goes: the key must never be lost.
    let saved = store.save(&secret.to_hex()).and_then(|()| store.load());
    match saved {
        Ok(Some(text)) if AtRestSecret::from_hex(&text).as_ref() == Some(&secret) => {}
        Ok(_) => return in_file("The keychain did not keep the server's key.".into()),
        Err(error) => return in_file(format!("the keychain cannot keep the server's key ({error})")),
    }
    if let Err(error) = AtRestSecret::remove_file(server_dir) {
        // The key is in the keychain too; the file is only a copy now.
        tracing::warn!("the old key file stays: {error}");
    }
    (Some(secret), TokenStorage::Keychain)
}

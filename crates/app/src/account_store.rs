//! What the app keeps of each account between runs: the last user and devices it saw (the
//! offline view), the sessions it has already reported, and the security log. One file per
//! account, named by the instance and the user's id so that several accounts (the switcher)
//! each keep their own, sealed with AES-256-GCM under a key of its own kept where the
//! client token is kept (the OS keychain; where there is none, a private file, as for the token,
//! which Settings already shows). A copy of the data directory then opens none of it.
//!
//! A file that cannot be opened (damaged, or sealed under a key the keychain no longer has) is
//! ignored, and the next save writes a new one in its place.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use userdesk_fapi::models::User;

use crate::account::Devices;
use crate::security_log::SecurityEvent;
use crate::shell::Shell;

/// The first bytes of a sealed file, so a later format can tell itself apart.
const MAGIC: &[u8] = b"udacct1\n";
const KEY_BYTES: usize = 32;

/// One account among the app's: the instance (as its token's keychain entry names it) and the
/// user's id there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountId {
    pub instance: String,
    pub user_id: String,
}

/// What is kept of one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccountRecord {
    /// When the user was last read from the instance (Unix ms).
    pub saved_at: i64,
    pub user: User,
    /// The session this device had then: the devices below are saved only under it.
    pub session_id: Option<String>,
    pub devices: Option<Devices>,
    pub devices_saved_at: Option<i64>,
    /// Every session already seen (and reported when new), so each is reported once.
    #[serde(default)]
    pub seen_sessions: Vec<String>,
    /// Connected accounts whose failed verification was already reported.
    #[serde(default)]
    pub failed_connections: Vec<String>,
    #[serde(default)]
    pub log: Vec<SecurityEvent>,
}

fn instance_dir(data_dir: &Path, instance: &str) -> PathBuf {
    data_dir.join("accounts").join(file_safe(instance))
}

fn record_path(data_dir: &Path, id: &AccountId) -> PathBuf {
    instance_dir(data_dir, &id.instance).join(format!("{}.sealed", file_safe(&id.user_id)))
}

/// The file that, before the account switcher, named the account shown on an instance.
fn legacy_last_path(data_dir: &Path, instance: &str) -> PathBuf {
    instance_dir(data_dir, instance).join("last-account")
}

fn keychain_account(id: &AccountId) -> String {
    format!("account-data/{}/{}", id.instance, id.user_id)
}

fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect()
}

/// The user an app from before the account switcher showed on `instance` (the file goes: the
/// list of accounts names them now).
pub(crate) fn legacy_last_account(data_dir: &Path, instance: &str) -> Option<String> {
    let path = legacy_last_path(data_dir, instance);
    let user_id = std::fs::read_to_string(&path).ok()?;
    let _ = std::fs::remove_file(&path);
    let user_id = user_id.trim();
    (!user_id.is_empty()).then(|| user_id.to_owned())
}

/// Reads an account's record; `None` when there is none or it cannot be opened (then ignored).
pub(crate) fn load(shell: &impl Shell, data_dir: &Path, id: &AccountId) -> Option<AccountRecord> {
    let sealed = match std::fs::read(record_path(data_dir, id)) {
        Ok(sealed) => sealed,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => {
            tracing::warn!("the account's saved data cannot be read, ignored: {error}");
            return None;
        }
    };
    let key = key(shell, data_dir, id, false)?;
    let opened = open(&key, id, &sealed).and_then(|plain| serde_json::from_slice(&plain).ok());
    if opened.is_none() {
        tracing::warn!("the account's saved data is damaged or not ours; a new copy will replace it");
    }
    opened
}

/// Seals and writes an account's record.
pub(crate) fn save(
    shell: &impl Shell,
    data_dir: &Path,
    id: &AccountId,
    record: &AccountRecord,
) -> Result<(), String> {
    let key = key(shell, data_dir, id, true).ok_or("no key to seal the account's data")?;
    let plain = serde_json::to_vec(record).map_err(|e| e.to_string())?;
    let sealed = seal(&key, id, &plain)?;
    userdesk_fapi::private_file::write(&record_path(data_dir, id), &sealed).map_err(|e| e.to_string())
}

/// Removes everything kept of an account: its file and its key.
pub(crate) fn forget(shell: &impl Shell, data_dir: &Path, id: &AccountId) {
    let _ = std::fs::remove_file(record_path(data_dir, id));
    let (store, _) = shell.token_store(&keychain_account(id), &instance_dir(data_dir, &id.instance));
    if let Err(error) = store.clear() {
        tracing::warn!("the account's data key stays in the keychain: {error}");
    }
}

/// The account's key; made and kept when `create` and there is none.
fn key(shell: &impl Shell, data_dir: &Path, id: &AccountId, create: bool) -> Option<LessSafeKey> {
    let (store, _) = shell.token_store(&keychain_account(id), &instance_dir(data_dir, &id.instance));
    let existing = match store.load() {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!("the keychain cannot give the account's data key: {error}");
            return None;
        }
    };
    let bytes = match existing.and_then(|text| BASE64.decode(text.trim()).ok()) {
        Some(bytes) if bytes.len() == KEY_BYTES => bytes,
        _ if !create => return None,
        _ => {
            let mut bytes = vec![0u8; KEY_BYTES];
            SystemRandom::new().fill(&mut bytes).ok()?;
            if let Err(error) = store.save(&BASE64.encode(&bytes)) {
                tracing::warn!("the keychain cannot keep the account's data key: {error}");
                return None;
            }
            bytes
        }
    };
    UnboundKey::new(&AES_256_GCM, &bytes).ok().map(LessSafeKey::new)
}

/// The file is bound to its account: one account's file copied over another's does not open.
fn aad(id: &AccountId) -> String {
    format!("{}\n{}", id.instance, id.user_id)
}

fn seal(key: &LessSafeKey, id: &AccountId, plain: &[u8]) -> Result<Vec<u8>, String> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).map_err(|_| "the system RNG failed")?;
    let mut data = plain.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad(id)), &mut data)
        .map_err(|_| "sealing failed")?;
    Ok([MAGIC, &nonce, &data].concat())
}

fn open(key: &LessSafeKey, id: &AccountId, sealed: &[u8]) -> Option<Vec<u8>> {
    let rest = sealed.strip_prefix(MAGIC)?;
    if rest.len() < NONCE_LEN {
        return None;
    }
    let (nonce, data) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut data = data.to_vec();
    let plain = key.open_in_place(nonce, Aad::from(aad(id)), &mut data).ok()?;
    Some(plain.to_vec())
}

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(byte: u8) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[byte; KEY_BYTES]).expect("key"))
    }

    #[test]
    fn a_sealed_record_opens_only_with_its_key_and_for_its_account() {
        let id = AccountId { instance: "embedded".into(), user_id: "user_1".into() };
        let other = AccountId { instance: "embedded".into(), user_id: "user_2".into() };
        let sealed = seal(&key_of(1), &id, b"{\"a\":1}").expect("sealed");
        assert!(!sealed.windows(7).any(|w| w == b"{\"a\":1}"), "nothing readable in the file");
        assert_eq!(open(&key_of(1), &id, &sealed).as_deref(), Some(&b"{\"a\":1}"[..]));
        assert_eq!(open(&key_of(2), &id, &sealed), None);
        assert_eq!(open(&key_of(1), &other, &sealed), None);
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(open(&key_of(1), &id, &damaged), None);
        assert_eq!(open(&key_of(1), &id, &sealed[..MAGIC.len() + 3]), None);
        assert_eq!(open(&key_of(1), &id, b""), None);
    }
}

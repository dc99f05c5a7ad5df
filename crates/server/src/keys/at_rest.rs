//! Secrets at rest: TOTP secrets are stored encrypted (AES-256-GCM), backup codes as keyed
//! hashes (HMAC-SHA256), both under a key kept in the data directory beside the database rather
//! than in it. A copy of the database alone (a backup, a synced folder) then reveals neither.

use std::fmt;
use std::path::Path;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use super::{base64url, files, AT_REST_KEY_FILE};
use crate::error::{Error, Result};

const KEY_BYTES: usize = 32;
/// The prefix of sealed values, so that a later format can tell them apart.
const SEALED_PREFIX: &str = "v1.";

/// The key, split into one subkey per use.
pub struct AtRestKey {
    aead: LessSafeKey,
    fingerprint: hmac::Key,
}

impl fmt::Debug for AtRestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AtRestKey(…)")
    }
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    SystemRandom::new().fill(&mut bytes).map_err(|_| Error::Internal("the system RNG failed".into()))?;
    Ok(bytes)
}

/// The master key of secrets at rest, as the embedding app keeps it (in the OS keychain) and
/// hands it in through [`crate::Config::at_rest_key`], so that a copy of the data directory does
/// not carry the key beside what it protects. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AtRestSecret([u8; KEY_BYTES]);

impl fmt::Debug for AtRestSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AtRestSecret(…)")
    }
}

impl AtRestSecret {
    /// A new random key.
    pub fn generate() -> Result<Self> {
        Ok(Self(random::<KEY_BYTES>()?))
    }

    /// The key from its 64 hex digits (as [`AtRestSecret::to_hex`] wrote them); `None` for
    /// anything else.
    pub fn from_hex(text: &str) -> Option<Self> {
        hex::decode(text.trim()).ok().and_then(|bytes| bytes.try_into().ok()).map(Self)
    }

    /// 64 hex digits, for a keychain entry.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The key file a data directory holds ([`AT_REST_KEY_FILE`]: a server ran there without a
    /// key handed in), if any.
    pub fn read_file(data_dir: &Path) -> Result<Option<Self>> {
        let path = data_dir.join(AT_REST_KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_hex(&text).map(Some).ok_or_else(|| not_a_key(&path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
        }
    }

    /// Removes the data directory's key file, once its key is kept elsewhere.
    pub fn remove_file(data_dir: &Path) -> Result<()> {
        let path = data_dir.join(AT_REST_KEY_FILE);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(format!("removing {}", path.display()), e)),
        }
    }
}

fn not_a_key(path: &Path) -> Error {
    Error::InvalidConfig(format!("{} must hold 64 hex digits", path.display()))
}

impl AtRestKey {
    /// The key kept in `data_dir` ([`AT_REST_KEY_FILE`], 64 hex digits), made on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(AT_REST_KEY_FILE);
        let text = files::read_or_create(&path, || Ok(format!("{}\n", AtRestSecret::generate()?.to_hex())))?;
        let secret = AtRestSecret::from_hex(&text).ok_or_else(|| not_a_key(&path))?;
        Self::from_secret(&secret)
    }

    /// The key handed in by the embedding app.
    pub fn from_secret(secret: &AtRestSecret) -> Result<Self> {
        Self::from_master(&secret.0)
    }

    fn from_master(master: &[u8]) -> Result<Self> {
        let master = hmac::Key::new(hmac::HMAC_SHA256, master);
        let aead_key = hmac::sign(&master, b"userdesk at-rest encryption v1");
        let fingerprint_key = hmac::sign(&master, b"userdesk at-rest fingerprints v1");
        let aead = UnboundKey::new(&AES_256_GCM, aead_key.as_ref())
            .map_err(|_| Error::Internal("an AES-256 key of the wrong length".into()))?;
        Ok(Self {
            aead: LessSafeKey::new(aead),
            fingerprint: hmac::Key::new(hmac::HMAC_SHA256, fingerprint_key.as_ref()),
        })
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. the owner's id, so that a sealed value
    /// copied to another row does not open there).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<String> {
        let nonce = random::<NONCE_LEN>()?;
        let mut sealed = plaintext.to_vec();
        self.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| Error::Internal("encrypting a secret failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", base64url(&out)))
    }

    /// Decrypts what [`AtRestKey::seal`] made for `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>> {
        let unreadable =
            || Error::Internal("a stored secret does not open with this data directory's key".into());
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|text| data_encoding::BASE64URL_NOPAD.decode(text.as_bytes()).ok())
            .filter(|bytes| bytes.len() > NONCE_LEN)
            .ok_or_else(unreadable)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unreadable())?;
        let mut in_out = ciphertext.to_vec();
        let plaintext = self
            .aead
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut in_out)
            .map_err(|_| unreadable())?;
        Ok(plaintext.to_vec())
    }

    /// A keyed hash of `value` (hex): equal values give equal fingerprints, and without the key
    /// nobody can test a guess against one.
    pub fn fingerprint(&self, context: &str, value: &str) -> String {
        let mut signing = hmac::Context::with_key(&self.fingerprint);
        signing.update(context.as_bytes());
        signing.update(&[0]);
        signing.update(value.as_bytes());
        hex::encode(signing.sign().as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_context_and_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = AtRestKey::load_or_create(dir.path()).expect("key");
        let sealed = key.seal("user_1", b"JBSWY3DPEHPK3PXP").expect("seal");
        assert!(!sealed.contains("JBSWY3DP"));
        assert_ne!(sealed, key.seal("user_1", b"JBSWY3DPEHPK3PXP").expect("seal"), "fresh nonce");
        assert_eq!(key.open("user_1", &sealed).expect("open"), b"JBSWY3DPEHPK3PXP");
        assert!(key.open("user_2", &sealed).is_err());
        assert!(key.open("user_1", "v1.AAAA").is_err());
        let reloaded = AtRestKey::load_or_create(dir.path()).expect("same key");
        assert_eq!(reloaded.open("user_1", &sealed).expect("open"), b"JBSWY3DPEHPK3PXP");
        let other = AtRestKey::load_or_create(tempfile::tempdir().expect("tempdir").path()).expect("key");
        assert!(other.open("user_1", &sealed).is_err());

        // The same key handed in, as the app does from the keychain, opens it too.
        let secret = AtRestSecret::read_file(dir.path()).expect("read").expect("a key file");
        assert_eq!(
            AtRestKey::from_secret(&secret).expect("key").open("user_1", &sealed).expect("open"),
            b"JBSWY3DPEHPK3PXP"
        );
        assert_eq!(AtRestSecret::from_hex(&secret.to_hex()), Some(secret.clone()));
        assert_eq!(format!("{secret:?}"), "AtRestSecret(…)", "never printed");
        AtRestSecret::remove_file(dir.path()).expect("removed");
        assert_eq!(AtRestSecret::read_file(dir.path()).expect("read"), None);
        assert_eq!(AtRestSecret::from_hex("abc"), None);
    }

    #[test]
    fn fingerprints_are_keyed_and_stable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = AtRestKey::load_or_create(dir.path()).expect("key");
        assert_eq!(key.fingerprint("u", "abcd1234"), key.fingerprint("u", "abcd1234"));
        assert_ne!(key.fingerprint("u", "abcd1234"), key.fingerprint("v", "abcd1234"));
        assert_eq!(key.fingerprint("u", "x").len(), 64);
    }
}

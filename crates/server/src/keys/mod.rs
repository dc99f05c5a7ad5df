//! The keys the server keeps in its data directory, each generated once and then reused, each in a
//! file readable by its owner only:
//!
//! | file | what |
//! |---|---|
//! | [`SIGNING_KEY_FILE`] | the instance's RSA 2048 key (PKCS#8 PEM) that signs session and template tokens |
//! | [`FIREBASE_SERVICE_ACCOUNT_FILE`] | a development Firebase service account (Google's JSON format), used when none is configured |
//! | [`AT_REST_KEY_FILE`] | 32 random bytes that encrypt TOTP secrets and key backup-code hashes |
//!
//! The public halves of both RSA keys are published at `/.well-known/jwks.json`. RSA keys are
//! generated on first use rather than at start (generation takes a while, most of all in debug
//! builds); the at-rest key is made at start.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::error::{Error, Result};

mod at_rest;
pub(crate) mod files;
mod firebase;

pub use at_rest::{AtRestKey, AtRestSecret};
pub use firebase::FirebaseAccount;

/// The instance's token signing key (PKCS#8 PEM), inside the data directory.
pub const SIGNING_KEY_FILE: &str = "signing_key.pem";
/// The generated development Firebase service account, inside the data directory.
pub const FIREBASE_SERVICE_ACCOUNT_FILE: &str = "firebase_service_account.json";
/// The key that protects secrets at rest (TOTP secrets, backup-code hashes).
pub const AT_REST_KEY_FILE: &str = "at_rest_key";

/// Bits of every RSA key the server generates.
const RSA_BITS: usize = 2048;

/// Unpadded base64url, as JWTs and JWKs write bytes.
pub fn base64url(bytes: &[u8]) -> String {
    data_encoding::BASE64URL_NOPAD.encode(bytes)
}

/// An RSA key that signs JWTs with RS256, with the key id it is published under.
pub struct SigningKey {
    kid: String,
    pair: RsaKeyPair,
    /// The JWK of the public half.
    jwk: Value,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a PKCS#8 PEM private key. `kid` names it; `None` uses its RFC 7638 thumbprint.
    pub fn from_pkcs8_pem(pem: &str, kid: Option<String>) -> Result<Self> {
        let der = pem_body(pem, "PRIVATE KEY")?;
        let pair = RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| Error::InvalidConfig(format!("the RSA private key is not usable: {e}")))?;
        let components: ring::rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
        let n = base64url(&components.n);
        let e = base64url(&components.e);
        // RFC 7638: the SHA-256 of the required members, in lexicographic order, no spaces.
        let thumbprint = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = kid.unwrap_or_else(|| format!("ins_{}", base64url(&Sha256::digest(thumbprint.as_bytes()))));
        let jwk = json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e });
        Ok(Self { kid, pair, jwk })
    }

    /// A new 2048-bit key as PKCS#8 PEM. Slow (a second or more in debug builds): call it off the
    /// async runtime.
    pub fn generate_pem() -> Result<String> {
        use rsa::pkcs8::{EncodePrivateKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS)
            .map_err(|e| Error::Internal(format!("generating an RSA key: {e}")))?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| Error::Internal(format!("encoding an RSA key: {e}")))?;
        Ok(pem.to_string())
    }

    /// The public half as a JWK (`kty`, `use`, `alg`, `kid`, `n`, `e`).
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// A JWT of `claims`, signed with RS256; the header names this key.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String> {
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid });
        let encode = |value: &Value| -> Result<String> {
            let bytes =
                serde_json::to_vec(value).map_err(|e| Error::Internal(format!("encoding a JWT: {e}")))?;
            Ok(base64url(&bytes))
        };
        let message = format!("{}.{}", encode(&header)?, encode(&Value::Object(claims.clone()))?);
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message.as_bytes(), &mut signature)
            .map_err(|_| Error::Internal("signing a JWT failed".into()))?;
        Ok(format!("{message}.{}", base64url(&signature)))
    }
}

/// The DER inside a PEM block labelled `label`.
fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let unusable = |why: &str| Error::InvalidConfig(format!("the private key is not a PKCS#8 PEM ({why})"));
    let start = pem.find(&begin).ok_or_else(|| unusable("no BEGIN PRIVATE KEY line"))? + begin.len();
    let stop = pem[start..].find(&end).ok_or_else(|| unusable("no END PRIVATE KEY line"))? + start;
    let base64: String = pem[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    data_encoding::BASE64.decode(base64.as_bytes()).map_err(|_| unusable("not base64"))
}

/// The signing keys, loaded (or generated) on first use.
pub struct KeyStore {
    data_dir: PathBuf,
    /// A service account given in the configuration (read at start), if any.
    configured_firebase: Option<Arc<FirebaseAccount>>,
    session: OnceCell<Arc<SigningKey>>,
    firebase: OnceCell<Arc<FirebaseAccount>>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

impl KeyStore {
    /// Keys kept in `data_dir`; `firebase_service_account`, when given, is read now (so that a
    /// wrong file stops the start rather than the first Firebase token).
    pub fn open(data_dir: &Path, firebase_service_account: Option<&Path>) -> Result<Self> {
        let configured_firebase = match firebase_service_account {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
                let account = FirebaseAccount::parse(&text).map_err(|e| {
                    Error::InvalidConfig(format!("{} is not a usable service account: {e}", path.display()))
                })?;
                Some(Arc::new(account))
            }
            None => None,
        };
        Ok(Self {
            data_dir: data_dir.to_owned(),
            configured_firebase,
            session: OnceCell::new(),
            firebase: OnceCell::new(),
        })
    }

    /// The instance's signing key.
    pub async fn session(&self) -> Result<Arc<SigningKey>> {
        let path = self.data_dir.join(SIGNING_KEY_FILE);
        self.session
            .get_or_try_init(|| async move {
                blocking(move || {
                    let pem = files::read_or_create(&path, SigningKey::generate_pem)?;
                    SigningKey::from_pkcs8_pem(&pem, None).map_err(|e| {
                        Error::InvalidConfig(format!("{} holds an unusable key: {e}", path.display()))
                    })
                })
                .await
                .map(Arc::new)
            })
            .await
            .cloned()
    }

    /// The Firebase service account: the configured one, else the development one.
    pub async fn firebase(&self) -> Result<Arc<FirebaseAccount>> {
        if let Some(account) = &self.configured_firebase {
            return Ok(account.clone());
        }
        let path = self.data_dir.join(FIREBASE_SERVICE_ACCOUNT_FILE);
        self.firebase
            .get_or_try_init(|| async move {
                blocking(move || {
                    let text = files::read_or_create(&path, FirebaseAccount::generate_json)?;
                    FirebaseAccount::parse(&text).map_err(|e| {
                        Error::InvalidConfig(format!(
                            "{} is not a usable service account: {e}",
                            path.display()
                        ))
                    })
                })
                .await
                .map(Arc::new)
            })
            .await
            .cloned()
    }

    /// The JWKS: the public halves of the signing key and of the Firebase service account's key.
    pub async fn jwks(&self) -> Result<Value> {
        let session = self.session().await?;
        let firebase = self.firebase().await?;
        Ok(json!({ "keys": [session.jwk(), firebase.key().jwk()] }))
    }
}

/// Runs CPU-heavy or blocking key work off the async runtime.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::Internal(format!("key task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_are_generated_once_and_sign_verifiable_tokens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = KeyStore::open(dir.path(), None).expect("store");
        let key = store.session().await.expect("generated");
        assert!(Arc::ptr_eq(&key, &store.session().await.expect("cached")));
        let again = KeyStore::open(dir.path(), None).expect("store").session().await.expect("read back");
        assert_eq!(again.jwk(), key.jwk(), "the same key after a restart");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::metadata(dir.path().join(SIGNING_KEY_FILE)).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let claims = json!({ "sub": "user_1" }).as_object().cloned().expect("object");
        let jwt = key.sign(&claims).expect("signed");
        let (message, signature) = jwt.rsplit_once('.').expect("three parts");
        let jwk = key.jwk();
        let decode = |field: &str| {
            data_encoding::BASE64URL_NOPAD.decode(jwk[field].as_str().expect("text").as_bytes()).expect("b64")
        };
        let public = ring::rsa::PublicKeyComponents { n: decode("n"), e: decode("e") };
        let signature = data_encoding::BASE64URL_NOPAD.decode(signature.as_bytes()).expect("b64");
        public
            .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, message.as_bytes(), &signature)
            .expect("the published key verifies the signature");
        assert!(jwk["kid"].as_str().expect("kid").starts_with("ins_"));
    }

    #[test]
    fn pem_bodies_are_found_and_junk_is_refused() {
        let pem = "-----BEGIN PRIVATE KEY-----\nAAEC\nAw==\n-----END PRIVATE KEY-----\n";
        assert_eq!(pem_body(pem, "PRIVATE KEY").expect("body"), vec![0, 1, 2, 3]);
        assert!(pem_body("nothing", "PRIVATE KEY").is_err());
        assert!(SigningKey::from_pkcs8_pem(pem, None).is_err(), "not an RSA key");
    }
}

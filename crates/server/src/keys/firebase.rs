//! The Firebase service account whose key signs Firebase custom tokens: one configured by the
//! embedder (Google's service-account JSON), or a development account generated once.

use serde::{Deserialize, Serialize};

use super::SigningKey;
use crate::error::{Error, Result};

/// The project of the generated development account.
const DEVELOPMENT_PROJECT: &str = "userdesk-development";

/// The fields of Google's service-account JSON that a custom token needs (others are ignored).
#[derive(Debug, Deserialize, Serialize)]
struct ServiceAccountFile {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    project_id: Option<String>,
    private_key_id: String,
    private_key: String,
    client_email: String,
}

/// A service account: its email (the custom tokens' issuer and subject) and its key.
#[derive(Debug)]
pub struct FirebaseAccount {
    client_email: String,
    key: SigningKey,
}

impl FirebaseAccount {
    /// Reads Google's service-account JSON.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let file: ServiceAccountFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if let Some(kind) = file.kind.as_deref().filter(|kind| *kind != "service_account") {
            return Err(format!("its type is {kind:?}, not \"service_account\""));
        }
        if !file.client_email.contains('@') {
            return Err("its client_email is not an email address".into());
        }
        if file.private_key_id.is_empty() {
            return Err("its private_key_id is empty".into());
        }
        let key =
            SigningKey::from_pkcs8_pem(&file.private_key, Some(file.private_key_id)).map_err(
                |e| match e {
                    Error::InvalidConfig(why) => why,
                    other => other.to_string(),
                },
            )?;
        Ok(Self { client_email: file.client_email, key })
    }

    /// A new development account, as Google's JSON. Slow (generates an RSA key).
    pub fn generate_json() -> Result<String> {
        let private_key = SigningKey::generate_pem()?;
        let id: [u8; 20] = rand::random();
        let file = ServiceAccountFile {
            kind: Some("service_account".into()),
            project_id: Some(DEVELOPMENT_PROJECT.into()),
            private_key_id: hex::encode(id),
            private_key,
            client_email: format!("firebase-adminsdk@{DEVELOPMENT_PROJECT}.iam.gserviceaccount.com"),
        };
        serde_json::to_string_pretty(&file)
            .map_err(|e| Error::Internal(format!("encoding a service account: {e}")))
    }

    /// The service account's email: a custom token's `iss` and `sub`.
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// Its key (`kid` = the account's `private_key_id`).
    pub fn key(&self) -> &SigningKey {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_files_say_why() {
        assert!(FirebaseAccount::parse("{}").is_err());
        let wrong_type =
            r#"{"type":"authorized_user","private_key_id":"k","private_key":"","client_email":"a@b"}"#;
        assert!(FirebaseAccount::parse(wrong_type).expect_err("type").contains("authorized_user"));
        let no_key = r#"{"private_key_id":"k","private_key":"nope","client_email":"a@b"}"#;
        assert!(FirebaseAccount::parse(no_key).expect_err("key").contains("PKCS#8"));
    }
}

//! OAuth providers as the embedding application (or the binary's `--oauth-config FILE`) describes
//! them: a client id and secret at the provider, and where its endpoints are (OIDC discovery from
//! an `issuer`, or the three URLs given one by one).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// How the provider's user-info answer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserInfoFormat {
    /// OpenID Connect standard claims (`sub`, `email`, `email_verified`, `given_name`,
    /// `family_name`, `name`, `preferred_username`, `picture`).
    #[default]
    Oidc,
    /// GitHub's `GET /user` (`id`, `login`, `name`, `email`, `avatar_url`); a missing email is
    /// read from `GET /user/emails` (the primary verified one).
    Github,
}

/// How the server authenticates itself at the provider's token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the client id and secret (`client_secret_basic`, the OAuth default).
    #[default]
    Basic,
    /// The client id and secret in the form body (`client_secret_post`).
    Post,
}

/// One OAuth provider. Either `issuer` (its endpoints are read from
/// `{issuer}/.well-known/openid-configuration` when first needed) or all three of
/// `authorize_url`, `token_url` and `userinfo_url`; GitHub, Google and GitLab need neither (their
/// public endpoints are known).
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthProviderConfig {
    /// The strategy: `oauth_` + a provider (`oauth_github`), or `oauth_custom_` + a name of the
    /// instance's choosing (`oauth_custom_acme`).
    pub strategy: String,
    /// The name people see (`Acme SSO`); known providers have theirs.
    pub name: Option<String>,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret (none for public clients, which rely on PKCE alone).
    pub client_secret: Option<String>,
    /// The OIDC issuer, for discovery.
    pub issuer: Option<String>,
    /// The authorization endpoint.
    pub authorize_url: Option<String>,
    /// The token endpoint.
    pub token_url: Option<String>,
    /// The user-info endpoint.
    pub userinfo_url: Option<String>,
    /// The scopes every authorization asks for (`None`: the provider's usual ones, or
    /// `openid email profile` for OIDC).
    pub scopes: Option<Vec<String>>,
    /// How the user-info answer reads (`None`: GitHub's for `oauth_github`, OIDC otherwise).
    pub userinfo_format: Option<UserInfoFormat>,
    /// How to authenticate at the token endpoint.
    pub client_auth: ClientAuth,
}

impl OAuthProviderConfig {
    /// A provider with only its strategy and client id; set the other fields as needed.
    pub fn new(strategy: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            strategy: strategy.into(),
            name: None,
            client_id: client_id.into(),
            client_secret: None,
            issuer: None,
            authorize_url: None,
            token_url: None,
            userinfo_url: None,
            scopes: None,
            userinfo_format: None,
            client_auth: ClientAuth::default(),
        }
    }
}

// The secret stays out of logs.
impl std::fmt::Debug for OAuthProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthProviderConfig")
            .field("strategy", &self.strategy)
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("issuer", &self.issuer)
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("userinfo_url", &self.userinfo_url)
            .field("scopes", &self.scopes)
            .field("userinfo_format", &self.userinfo_format)
            .field("client_auth", &self.client_auth)
            .finish()
    }
}

/// The `--oauth-config` file: JSON, providers keyed by strategy.
///
/// ```json
/// {
///   "development_providers": true,
///   "providers": {
///     "oauth_github": { "client_id": "Iv1.…", "client_secret": "…" },
///     "oauth_custom_acme": {
///       "name": "Acme SSO", "issuer": "https://sso.acme.example",
///       "client_id": "userdesk", "client_secret": "…", "scopes": ["openid", "email", "profile"]
///     }
///   }
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct OAuthConfigFile {
    /// `development_providers`, if the file says.
    pub development_providers: Option<bool>,
    /// The providers, in strategy order.
    pub providers: Vec<OAuthProviderConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDocument {
    #[serde(default)]
    development_providers: Option<bool>,
    #[serde(default)]
    providers: BTreeMap<String, FileProvider>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProvider {
    #[serde(default)]
    name: Option<String>,
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    authorize_url: Option<String>,
    #[serde(default)]
    token_url: Option<String>,
    #[serde(default)]
    userinfo_url: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    userinfo_format: Option<UserInfoFormat>,
    #[serde(default)]
    client_auth: ClientAuth,
}

impl OAuthConfigFile {
    /// Reads and parses the file. The providers are checked when the server starts.
    pub fn read(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Self::parse(&text).map_err(|why| Error::InvalidConfig(format!("{}: {why}", path.display())))
    }

    /// Parses the JSON text of the file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let document: FileDocument = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let providers = document
            .providers
            .into_iter()
            .map(|(strategy, p)| OAuthProviderConfig {
                strategy,
                name: p.name,
                client_id: p.client_id,
                client_secret: p.client_secret,
                issuer: p.issuer,
                authorize_url: p.authorize_url,
                token_url: p.token_url,
                userinfo_url: p.userinfo_url,
                scopes: p.scopes,
                userinfo_format: p.userinfo_format,
                client_auth: p.client_auth,
            })
            .collect();
        Ok(Self { development_providers: document.development_providers, providers })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_reads_providers_by_strategy() {
        let file = OAuthConfigFile::parse(
            r#"{"development_providers": false, "providers": {
                "oauth_github": {"client_id": "id", "client_secret": "s"},
                "oauth_custom_acme": {"client_id": "c", "issuer": "https://sso.acme.example",
                    "scopes": ["openid"], "client_auth": "post", "userinfo_format": "oidc"}}}"#,
        )
        .expect("parses");
        assert_eq!(file.development_providers, Some(false));
        assert_eq!(file.providers.len(), 2);
        let acme = file.providers.iter().find(|p| p.strategy == "oauth_custom_acme").expect("acme");
        assert_eq!(acme.client_auth, ClientAuth::Post);
        assert_eq!(acme.issuer.as_deref(), Some("https://sso.acme.example"));
        assert!(!format!("{:?}", file.providers[1]).contains("\"s\""), "the secret is not logged");
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(OAuthConfigFile::parse(r#"{"providers": {"oauth_x": {"client_id": "a", "secert": "b"}}}"#)
            .is_err());
        assert!(OAuthConfigFile::parse(r#"{"provders": {}}"#).is_err());
    }
}

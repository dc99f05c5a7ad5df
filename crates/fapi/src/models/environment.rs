use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How an instance presents itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplayConfig {
    /// `development`, `staging` or `production`.
    pub instance_environment_type: String,
    /// The application's name.
    pub application_name: String,
    /// The rest, as the server sends it.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// What an instance lets users do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSettings {
    /// Per attribute (`email_address`, `username`, …): whether it is enabled, required, used to sign in.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Per OAuth strategy (`oauth_github`, …): whether it is enabled and how.
    #[serde(default)]
    pub social: Map<String, Value>,
    /// The rest, as the server sends it.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The instance's configuration (`GET /v1/environment`).
///
/// A read model: Userdesk reads the parts it acts on and keeps the rest as JSON. The server
/// writes the full document itself, and the conformance tests hold it to the spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// How the instance presents itself.
    pub display_config: DisplayConfig,
    /// What users may do.
    pub user_settings: UserSettings,
    /// The rest (`auth_config`, `organization_settings`, …), as the server sends it.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Environment {
    /// The OAuth strategies the instance has enabled, e.g. `oauth_github`.
    pub fn enabled_oauth_strategies(&self) -> Vec<String> {
        let mut strategies: Vec<String> = self
            .user_settings
            .social
            .iter()
            .filter(|(_, config)| config.get("enabled").and_then(Value::as_bool) == Some(true))
            .map(|(strategy, _)| strategy.clone())
            .collect();
        strategies.sort();
        strategies
    }

    /// The first-factor strategies the instance enables (`auth_config.first_factors`, e.g.
    /// `password`, `email_code`, `reset_password_email_code`, `oauth_github`).
    pub fn first_factors(&self) -> Vec<String> {
        self.auth_config_strings("first_factors")
    }

    /// What people may sign in with (`auth_config.identification_strategies`: `email_address`,
    /// `username`, `phone_number`, `oauth_*`).
    pub fn identification_strategies(&self) -> Vec<String> {
        self.auth_config_strings("identification_strategies")
    }

    /// `true` when the instance has passwords (sign-in by password, sign-up asks one).
    pub fn password_enabled(&self) -> bool {
        self.user_settings
            .attributes
            .get("password")
            .and_then(|password| password.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn auth_config_strings(&self, key: &str) -> Vec<String> {
        self.other
            .get("auth_config")
            .and_then(|config| config.get(key))
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// `true` when sensitive changes need a recently verified session
    /// (`auth_config.reverification`); the current password is then not asked on a change.
    pub fn reverification_enabled(&self) -> bool {
        self.other
            .get("auth_config")
            .and_then(|config| config.get("reverification"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// `true` when one client may hold several people's sessions (`auth_config.single_session_mode`
    /// is `false`); Clerk's default is one session per client.
    pub fn multi_session(&self) -> bool {
        self.other
            .get("auth_config")
            .and_then(|config| config.get("single_session_mode"))
            .and_then(Value::as_bool)
            == Some(false)
    }

    /// `true` when users may delete their own accounts.
    pub fn delete_self_enabled(&self) -> bool {
        self.user_settings
            .other
            .get("actions")
            .and_then(|actions| actions.get("delete_self"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

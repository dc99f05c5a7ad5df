//! Passkeys: adding one (the instance's creation options, the authenticator's credential),
//! renaming and removing them, signing in with one, with or without the identifier, and proving
//! again with one who uses the session (reverification). The ceremony runs in
//! [`crate::authenticator`]; its prompts reach the UI as `passkey-prompt` events, and the UI
//! answers with [`Controller::answer_passkey_pin`] or [`Controller::cancel_passkey`].

use std::sync::{Arc, Mutex};

use serde_json::Value;
use url::Url;
use userdesk_fapi::models::{SignIn, User};
use webauthn_rs_proto::{PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions};

use crate::authenticator::{Authenticator, AuthenticatorKind, Ceremony, CeremonyControl, CeremonyError};
use crate::controller::Controller;
use crate::error::{CommandError, CommandResult};
use crate::events::Event;
use crate::reverification::ReverificationStep;
use crate::shell::Shell;
use crate::sign_in::{self, SignInResult};

/// The ceremony in progress, if any: one at a time, as one person answers them.
#[derive(Default)]
pub(crate) struct Ceremonies(Mutex<Option<Arc<CeremonyControl>>>);

impl Ceremonies {
    fn current(&self) -> Option<Arc<CeremonyControl>> {
        self.0.lock().ok().and_then(|current| current.clone())
    }

    /// Makes `control` the current ceremony, cancelling one left running.
    fn replace(&self, control: Option<Arc<CeremonyControl>>) {
        if let Ok(mut current) = self.0.lock() {
            if let Some(old) = std::mem::replace(&mut *current, control) {
                old.cancel();
            }
        }
    }
}

impl<S: Shell> Controller<S> {
    /// The kinds of authenticator this machine can use, for the Add passkey choices.
    pub fn passkey_authenticators(&self) -> Vec<AuthenticatorKind> {
        self.authenticator().kinds()
    }

    /// Registers a new passkey: the instance's options go to the authenticator, its credential
    /// back to the instance. A ceremony that fails or is cancelled leaves no passkey behind.
    pub async fn add_passkey(&self) -> CommandResult<User> {
        let client = self.client().await?;
        let pending = client.create_passkey().await?;
        let registered = async {
            let options: PublicKeyCredentialCreationOptions = parse_options(pending.creation_options(), &[])?;
            let origin = ceremony_origin(client.base_url(), &options.rp.id)?;
            let authenticator = self.authenticator();
            let ceremony_origin = origin.clone();
            let credential = self
                .ceremony(move |ceremony| authenticator.register(ceremony_origin, options, ceremony))
                .await?;
            let json = serde_json::to_string(&credential)
                .map_err(|error| CommandError::new("internal", error.to_string()))?;
            Ok::<_, CommandError>(
                client.attempt_passkey_verification(&pending.id, origin.as_str(), &json).await?,
            )
        }
        .await;
        let added = match registered {
            Ok(added) => added,
            Err(error) => {
                // The unverified passkey the instance made for this ceremony goes with it.
                if let Err(cleanup) = client.delete_passkey(&pending.id).await {
                    tracing::warn!("could not remove the unfinished passkey {}: {cleanup}", pending.id);
                }
                return Err(error);
            }
        };
        let user = client.me().await?;
        let Some(kind) = self.authenticator().passkey_name() else { return Ok(user) };
        // Named after the device it is on; the passkey stands whether or not the name is kept.
        let others: Vec<&str> =
            user.passkeys.iter().filter(|p| p.id != added.id).map(|p| p.name.as_str()).collect();
        match client.update_passkey(&added.id, &unique_name(kind, &others)).await {
            Ok(_) => Ok(client.me().await?),
            Err(error) => {
                tracing::warn!("could not name the new passkey {}: {error}", added.id);
                Ok(user)
            }
        }
    }

    pub async fn rename_passkey(&self, id: &str, name: &str) -> CommandResult<User> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CommandError::new("form_param_missing", "Give the passkey a name.").at_field("name"));
        }
        let client = self.client().await?;
        client.update_passkey(id, name).await?;
        Ok(client.me().await?)
    }

    pub async fn remove_passkey(&self, id: &str) -> CommandResult<User> {
        let client = self.client().await?;
        client.delete_passkey(id).await?;
        Ok(client.me().await?)
    }

    /// Signs in with a passkey: any of this instance's on the authenticator when `identifier` is
    /// `None` (discoverable), else one of that account's.
    pub async fn sign_in_with_passkey(&self, identifier: Option<&str>) -> CommandResult<SignInResult> {
        let client = self.client().await?;
        let started = match identifier.map(str::trim).filter(|identifier| !identifier.is_empty()) {
            None => client.sign_in_with_passkey().await?,
            Some(identifier) => {
                let sign_in = client.sign_in_with_identifier(identifier).await?;
                if !offers_passkey(&sign_in) {
                    return Err(CommandError::new(
                        "strategy_for_user_invalid",
                        "This account has no passkey. Sign in another way, then add one in Security.",
                    ));
                }
                client.prepare_passkey_first_factor(&sign_in.id).await?
            }
        };
        let nonce =
            started.first_factor_verification.as_ref().and_then(|verification| verification.nonce_json());
        let (_, assertion) = self.assertion(&client, nonce).await?;
        let sign_in = client.attempt_passkey_first_factor(&started.id, &assertion).await?;
        sign_in::outcome(&client, sign_in).await
    }

    /// Proves again who uses the session with one of the account's passkeys (a reverification's
    /// first factor): the instance's request options go to the authenticator, its assertion back.
    /// A failed or cancelled ceremony, or an assertion the instance refuses, verifies nothing.
    pub async fn reverify_with_passkey(&self) -> CommandResult<ReverificationStep> {
        let client = self.client().await?;
        let prepared = client.prepare_reverification_passkey().await?;
        let nonce =
            prepared.first_factor_verification.as_ref().and_then(|verification| verification.nonce_json());
        let (origin, assertion) = self.assertion(&client, nonce).await?;
        Ok(client.attempt_reverification_passkey(origin.as_str(), &assertion).await?.into())
    }

    /// Runs the ceremony for the request options in `nonce`: the origin it presented and the
    /// assertion, JSON-serialised as the instance takes it.
    async fn assertion(
        &self,
        client: &userdesk_fapi::Client,
        nonce: Option<Value>,
    ) -> CommandResult<(Url, String)> {
        // A discoverable request may leave the credential list out; the library wants it.
        let options: PublicKeyCredentialRequestOptions =
            parse_options(nonce, &[("allowCredentials", Value::Array(Vec::new()))])?;
        let origin = ceremony_origin(client.base_url(), &options.rp_id)?;
        let authenticator = self.authenticator();
        let presented = origin.clone();
        let assertion =
            self.ceremony(move |ceremony| authenticator.authenticate(presented, options, ceremony)).await?;
        let json = serde_json::to_string(&assertion)
            .map_err(|error| CommandError::new("internal", error.to_string()))?;
        Ok((origin, json))
    }

    /// The PIN the person typed for the ceremony's authenticator.
    pub fn answer_passkey_pin(&self, pin: String) {
        if let Some(control) = self.ceremonies.current() {
            control.answer_pin(pin);
        }
    }

    /// Stops the ceremony in progress; its command fails with `passkey_cancelled`.
    pub fn cancel_passkey(&self) {
        self.ceremonies.replace(None);
    }

    /// Runs `act` with a new ceremony off the async threads (authenticators block), its prompts
    /// sent to the UI; returns as soon as the person cancels, whatever the device still does.
    async fn ceremony<T: Send + 'static>(
        &self,
        act: impl FnOnce(&Ceremony) -> Result<T, CeremonyError> + Send + 'static,
    ) -> CommandResult<T> {
        let shell = self.shell.clone();
        let (ceremony, control) = Ceremony::new(move |prompt| shell.emit(Event::PasskeyPrompt(prompt)));
        self.ceremonies.replace(Some(control.clone()));
        let task = tokio::task::spawn_blocking(move || act(&ceremony));
        let result = tokio::select! {
            done = task => match done {
                Ok(result) => result.map_err(CommandError::from),
                Err(error) => Err(CommandError::new("internal", format!("the passkey ceremony failed: {error}"))),
            },
            () = control.cancelled() => Err(CeremonyError::Cancelled.into()),
        };
        if let Ok(mut current) = self.ceremonies.0.lock() {
            if current.as_ref().is_some_and(|current| Arc::ptr_eq(current, &control)) {
                *current = None;
            }
        }
        result
    }

    fn authenticator(&self) -> Arc<dyn Authenticator> {
        self.authenticator.clone()
    }
}

/// `base`, or `base 2`, `base 3`… when the account has one of that name already.
fn unique_name(base: &str, taken: &[&str]) -> String {
    (1..)
        .map(|n| if n == 1 { base.to_owned() } else { format!("{base} {n}") })
        .find(|name| !taken.contains(&name.as_str()))
        .unwrap_or_else(|| base.to_owned())
}

fn offers_passkey(sign_in: &SignIn) -> bool {
    sign_in.supported_first_factors.iter().flatten().any(|factor| factor.strategy == "passkey")
}

/// The WebAuthn options the instance put in a verification's nonce, with `defaults` for members
/// it may leave out.
fn parse_options<T: serde::de::DeserializeOwned>(
    nonce: Option<Value>,
    defaults: &[(&str, Value)],
) -> CommandResult<T> {
    let malformed = |why: String| CommandError::from(CeremonyError::Malformed(why));
    let Some(Value::Object(mut options)) = nonce else {
        return Err(malformed("no WebAuthn options came with it".into()));
    };
    for (name, value) in defaults {
        options.entry(*name).or_insert_with(|| value.clone());
    }
    // Absent, the browser's default applies.
    options.entry("userVerification").or_insert_with(|| Value::String("preferred".into()));
    serde_json::from_value(Value::Object(options)).map_err(|error| malformed(error.to_string()))
}

/// The origin the credential is made for: the relying party's own site, as a native client
/// presents it (Clerk's SDKs do so for the instance's RP). An instance on this machine (the
/// embedded server) is `http://localhost` on its port, the one origin WebAuthn allows without
/// TLS.
fn ceremony_origin(instance: &Url, rp_id: &str) -> CommandResult<Url> {
    let local = matches!(instance.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let origin = if local && rp_id == "localhost" {
        format!("http://localhost:{}", instance.port_or_known_default().unwrap_or(80))
    } else {
        format!("https://{rp_id}")
    };
    Url::parse(&origin).map_err(|_| {
        CommandError::from(CeremonyError::Malformed(format!("“{rp_id}” is not a relying party id")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_the_relying_partys_and_localhost_for_the_embedded_server() {
        let clerk = Url::parse("https://clerk.example.com/").unwrap();
        assert_eq!(ceremony_origin(&clerk, "example.com").unwrap().as_str(), "https://example.com/");
        let embedded = Url::parse("http://127.0.0.1:41234/").unwrap();
        assert_eq!(ceremony_origin(&embedded, "localhost").unwrap().as_str(), "http://localhost:41234/");
        assert!(ceremony_origin(&clerk, "not a host").is_err());
    }

    #[test]
    fn a_new_passkey_gets_a_name_the_account_does_not_have() {
        assert_eq!(unique_name("Security key (USB)", &[]), "Security key (USB)");
        assert_eq!(unique_name("Security key (USB)", &["Blue key"]), "Security key (USB)");
        assert_eq!(
            unique_name("Security key (USB)", &["Security key (USB)", "Security key (USB) 2"]),
            "Security key (USB) 3"
        );
    }

    #[test]
    fn options_without_a_nonce_or_unreadable_are_malformed_and_say_so() {
        let missing = parse_options::<PublicKeyCredentialRequestOptions>(None, &[]).unwrap_err();
        assert_eq!(missing.code, crate::error::ErrorCode::PasskeyMalformed);
        let garbled = parse_options::<PublicKeyCredentialRequestOptions>(
            Some(serde_json::json!({"challenge": 5})),
            &[],
        )
        .unwrap_err();
        assert_eq!(garbled.code, crate::error::ErrorCode::PasskeyMalformed);
        let discoverable: PublicKeyCredentialRequestOptions = parse_options(
            Some(serde_json::json!({"challenge": "AAAA", "rpId": "localhost"})),
            &[("allowCredentials", Value::Array(Vec::new()))],
        )
        .unwrap();
        assert!(discoverable.allow_credentials.is_empty());
    }
}

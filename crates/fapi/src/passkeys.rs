//! Passkeys: registering, naming and removing them (`/v1/me/passkeys`), and signing in with one
//! (`strategy=passkey`), with or without an identifier.
//!
//! The WebAuthn ceremony itself runs in the app: the server's options arrive as a JSON string in
//! a verification's `nonce` (PublicKeyCredentialCreationOptionsJSON or RequestOptionsJSON, fields
//! base64url, no `publicKey` wrapper), and the answer goes back as the JSON-serialised
//! PublicKeyCredential (`public_key_credential`), as Clerk's SDKs send it.

use reqwest::Method;

use crate::client::{path_id, RequestBody};
use crate::models::{DeletedObject, Envelope, Passkey, SignIn};
use crate::{Client, Result};

const STRATEGY: &str = "passkey";

impl Client {
    /// Starts registering a passkey (`POST /v1/me/passkeys`): an unverified passkey whose
    /// [`Passkey::creation_options`] go to the authenticator.
    pub async fn create_passkey(&self) -> Result<Passkey> {
        self.send_enveloped(Method::POST, "v1/me/passkeys", None).await
    }

    /// Completes the registration with the authenticator's credential (`POST
    /// /v1/me/passkeys/{id}/attempt_verification`). `origin` is the origin the credential was made
    /// for (sent as `Origin`); `public_key_credential_json` the JSON-serialised
    /// PublicKeyCredential.
    pub async fn attempt_passkey_verification(
        &self,
        passkey_id: &str,
        origin: &str,
        public_key_credential_json: &str,
    ) -> Result<Passkey> {
        let form = vec![
            ("strategy", STRATEGY.to_owned()),
            ("public_key_credential", public_key_credential_json.to_owned()),
        ];
        let path = format!("v1/me/passkeys/{}/attempt_verification", path_id(passkey_id)?);
        // An origin is scheme, host and port: a URL's trailing slash is not part of it.
        let origin = origin.trim_end_matches('/');
        let envelope: Envelope<Passkey> =
            self.send_body(Method::POST, &path, RequestBody::Form(form), Some(origin)).await?;
        Ok(envelope.response)
    }

    /// One passkey (`GET /v1/me/passkeys/{id}`).
    pub async fn get_passkey(&self, passkey_id: &str) -> Result<Passkey> {
        let path = format!("v1/me/passkeys/{}", path_id(passkey_id)?);
        self.send_enveloped(Method::GET, &path, None).await
    }

    /// Renames a passkey (`PATCH /v1/me/passkeys/{id}`).
    pub async fn update_passkey(&self, passkey_id: &str, name: &str) -> Result<Passkey> {
        let path = format!("v1/me/passkeys/{}", path_id(passkey_id)?);
        self.send_enveloped(Method::PATCH, &path, Some(vec![("name", name.to_owned())])).await
    }

    /// Removes a passkey (`DELETE /v1/me/passkeys/{id}`).
    pub async fn delete_passkey(&self, passkey_id: &str) -> Result<DeletedObject> {
        let path = format!("v1/me/passkeys/{}", path_id(passkey_id)?);
        self.send_enveloped(Method::DELETE, &path, None).await
    }

    /// Starts a sign-in with a discoverable passkey, no identifier (`POST /v1/client/sign_ins`,
    /// `strategy=passkey`): `needs_first_factor`, with the request options in
    /// `first_factor_verification.nonce` (any passkey of this relying party will do).
    pub async fn sign_in_with_passkey(&self) -> Result<SignIn> {
        let form = vec![("strategy", STRATEGY.to_owned())];
        self.send_enveloped(Method::POST, "v1/client/sign_ins", Some(form)).await
    }

    /// For a sign-in started with an identifier ([`Client::sign_in_with_identifier`]) whose
    /// `supported_first_factors` list `passkey`: the request options, limited to that user's
    /// passkeys, in `first_factor_verification.nonce` (`POST …/prepare_first_factor`).
    pub async fn prepare_passkey_first_factor(&self, sign_in_id: &str) -> Result<SignIn> {
        let form = vec![("strategy", STRATEGY.to_owned())];
        let path = format!("v1/client/sign_ins/{}/prepare_first_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Answers the first factor with the authenticator's assertion (`POST
    /// …/attempt_first_factor`, `public_key_credential` = the JSON-serialised
    /// PublicKeyCredential). Signed in when the answer is `complete`.
    pub async fn attempt_passkey_first_factor(
        &self,
        sign_in_id: &str,
        public_key_credential_json: &str,
    ) -> Result<SignIn> {
        let form = vec![
            ("strategy", STRATEGY.to_owned()),
            ("public_key_credential", public_key_credential_json.to_owned()),
        ];
        let path = format!("v1/client/sign_ins/{}/attempt_first_factor", path_id(sign_in_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }
}

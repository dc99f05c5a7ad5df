use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use url::Url;

use crate::models::{
    self, ClerkErrors, DeletedObject, EmailAddress, Envelope, Environment, ExternalAccount, PhoneNumber,
    Session, SignIn, SignUp, User,
};
use crate::tokens::TokenCache;
use crate::{metadata, Error, MemoryTokenStore, Result, TokenStore, UpdateUserParams};

/// The FAPI version this client speaks (`clerk-api-version`).
pub const API_VERSION: &str = "2026-05-12";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an idle connection is kept for the next request: under the embedded server's idle
/// bound (15 s, `userdesk_server::DEFAULT_HEADER_READ_TIMEOUT`), and common servers' (Clerk's
/// load balancers keep them longer).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// How to verify an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailVerification {
    /// A 6-digit code sent to the address (`email_code`).
    Code,
    /// A link sent to the address (`email_link`).
    Link {
        /// Where the browser goes once the link is verified; `None` shows the server's own page.
        redirect_url: Option<String>,
    },
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    base_url: Url,
    token_store: Arc<dyn TokenStore>,
    user_agent: String,
    timeout: Duration,
    headers: reqwest::header::HeaderMap,
    /// The name of a header given that cannot be sent, reported by `build`.
    invalid_header: Option<String>,
}

impl ClientBuilder {
    /// A header every request carries, such as the embedded server's per-launch secret
    /// (`x-userdesk-secret`). Its value is treated as a secret: marked sensitive, never logged
    /// or shown by `Debug`. A name or value that cannot be sent makes [`Self::build`] fail.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes());
        match (name, HeaderValue::from_str(value)) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
                self.headers.insert(name, value);
            }
            (name, _) => {
                // The name only: the value may be the secret itself.
                self.invalid_header =
                    Some(name.map(|n| n.to_string()).unwrap_or_else(|_| "(invalid name)".into()));
            }
        }
        self
    }

    /// Where the client token is kept (default: memory only).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = store;
        self
    }

    /// The `User-Agent`, which the server shows in the person's list of devices.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long a request may take in all (default 20 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client, reading the stored token once.
    pub fn build(self) -> Result<Client> {
        if let Some(name) = self.invalid_header {
            return Err(Error::InvalidInstance(format!("the header {name} cannot be sent")));
        }
        let http = reqwest::Client::builder()
            .default_headers(self.headers)
            .user_agent(self.user_agent)
            .timeout(self.timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            // The server answers OAuth flows with redirects meant for the browser, never for us.
            .redirect(reqwest::redirect::Policy::none())
            // Idle connections are dropped before a server would close them (the embedded one
            // closes at 15 s), so a request never goes out on a connection being closed.
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .build()
            .map_err(|e| Error::Network { url: self.base_url.to_string(), message: e.to_string() })?;
        let token = self.token_store.load().map_err(|e| Error::TokenStore(e.to_string()))?;
        Ok(Client {
            http,
            base_url: self.base_url,
            token_store: self.token_store,
            token: Arc::new(Mutex::new(token)),
            state: Mutex::new(State::default()),
            tokens: Mutex::new(TokenCache::new()),
        })
    }
}

/// What a request carries.
pub(crate) enum RequestBody<'a> {
    /// Nothing.
    Empty,
    /// `application/x-www-form-urlencoded` fields, in order (names may repeat).
    Form(Vec<(&'a str, String)>),
    /// A body produced while it is sent, e.g. an upload reporting its progress.
    Streamed(StreamedBody),
}

/// A body sent as a stream of chunks, of a length known in advance.
pub(crate) struct StreamedBody {
    pub(crate) body: reqwest::Body,
    pub(crate) content_type: String,
    pub(crate) content_length: u64,
    /// Replaces the client's overall timeout, which is sized for small requests.
    pub(crate) timeout: Duration,
}

/// The session a handle's `/v1/me` requests name.
#[derive(Default)]
struct State {
    session_id: Option<String>,
    /// `false`: the client's last active session, as each response reports it. `true`: the
    /// session this handle's own sign-ins created, whichever the client uses (multi-session).
    holds_session: bool,
}

/// A native client of one FAPI instance.
///
/// Every request carries `_is_native=1` and the client token; every response may carry a new
/// token, which replaces the stored one. `/v1/me` requests name the active session.
///
/// On a multi-session instance one client holds several people's sessions: each person gets a
/// handle of their own on it ([`Client::session_handle`]), which shares the token and names its
/// own session in `/v1/me` requests, as Clerk's SDKs do with `_clerk_session_id`.
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    token_store: Arc<dyn TokenStore>,
    /// The client token, shared by every handle on this client.
    token: Arc<Mutex<Option<String>>>,
    state: Mutex<State>,
    tokens: Mutex<TokenCache>,
}

impl Client {
    /// Starts building a client of the instance at `base_url` (e.g. `http://127.0.0.1:4000/`).
    pub fn builder(mut base_url: Url) -> ClientBuilder {
        // `Url::join` replaces the last segment unless the base ends in a slash.
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        ClientBuilder {
            base_url,
            token_store: Arc::new(MemoryTokenStore::default()),
            user_agent: format!("userdesk-fapi/{}", env!("CARGO_PKG_VERSION")),
            timeout: DEFAULT_TIMEOUT,
            headers: reqwest::header::HeaderMap::new(),
            invalid_header: None,
        }
    }

    /// The instance's base URL.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `true` once the server has given this client a token.
    pub fn has_token(&self) -> bool {
        self.token().is_some()
    }

    /// The session `/v1/me` requests act on, as last reported by the server.
    pub fn session_id(&self) -> Option<String> {
        self.state().session_id.clone()
    }

    /// Another handle on this client (the same token, store and connections) for one person's
    /// session on a multi-session instance: it names `session_id` in `/v1/me` requests whatever
    /// session the client uses, and takes the session its own sign-in or sign-up creates
    /// (`None`: the person is still to sign in on it).
    pub fn session_handle(&self, session_id: Option<String>) -> Client {
        Client {
            http: self.http.clone(),
            base_url: self.base_url.clone(),
            token_store: self.token_store.clone(),
            token: self.token.clone(),
            state: Mutex::new(State { session_id, holds_session: true }),
            tokens: Mutex::new(TokenCache::new()),
        }
    }

    /// From now on this handle names `session_id` (its current one when `None`) rather than
    /// following the client's last active session: another person is about to sign in on the
    /// same client (multi-session).
    pub fn hold_session(&self, session_id: Option<String>) {
        let mut state = self.state();
        if let Some(session_id) = session_id {
            state.session_id = Some(session_id);
        }
        state.holds_session = true;
    }

    /// `true` when this handle names a session of its own ([`Client::session_handle`],
    /// [`Client::hold_session`]).
    pub fn holds_session(&self) -> bool {
        self.state().holds_session
    }

    /// Makes this handle's session the client's active one (`POST /v1/client/sessions/{id}/touch`,
    /// `intent=select_session`), as Clerk's SDKs do when a person switches to another account.
    pub async fn touch_session(&self) -> Result<Session> {
        let session_id = self.session_id().ok_or(Error::SignedOut)?;
        let path = format!("v1/client/sessions/{}/touch", path_id(&session_id)?);
        self.send_enveloped(Method::POST, &path, Some(vec![("intent", "select_session".to_owned())])).await
    }

    /// The instance's configuration (`GET /v1/environment`).
    pub async fn environment(&self) -> Result<Environment> {
        self.send(Method::GET, "v1/environment", None).await
    }

    /// This device's client: its sessions and sign-in (`GET /v1/client`); `None` when the
    /// server has none for this token.
    pub async fn get_client(&self) -> Result<Option<models::Client>> {
        self.send_enveloped(Method::GET, "v1/client", None).await
    }

    /// Signs in with an identifier (email address or username) and password
    /// (`POST /v1/client/sign_ins`, strategy `password`).
    pub async fn sign_in_with_password(&self, identifier: &str, password: &str) -> Result<SignIn> {
        let form = vec![
            ("strategy", "password".to_owned()),
            ("identifier", identifier.to_owned()),
            ("password", password.to_owned()),
        ];
        self.send_enveloped(Method::POST, "v1/client/sign_ins", Some(form)).await
    }

    /// The signed-in user (`GET /v1/me`).
    pub async fn me(&self) -> Result<User> {
        self.send_enveloped(Method::GET, "v1/me", None).await
    }

    /// Changes the user's profile (`PATCH /v1/me`; the seed's `update(params)`).
    pub async fn update_user(&self, params: &UpdateUserParams) -> Result<User> {
        let form: Vec<(&str, String)> = [
            ("first_name", &params.first_name),
            ("last_name", &params.last_name),
            ("username", &params.username),
            ("primary_email_address_id", &params.primary_email_address_id),
            ("primary_phone_number_id", &params.primary_phone_number_id),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|value| (name, value)))
        .collect();
        self.send_enveloped(Method::PATCH, "v1/me", Some(form)).await
    }

    /// Deep-merges `patch` into the user's unsafe metadata; `null` removes a key
    /// (`PATCH /v1/me/metadata`).
    pub async fn update_unsafe_metadata(&self, patch: &Map<String, Value>) -> Result<User> {
        let form = vec![("unsafe_metadata", Value::Object(patch.clone()).to_string())];
        self.send_enveloped(Method::PATCH, "v1/me/metadata", Some(form)).await
    }

    /// Makes the user's unsafe metadata equal `metadata`, sending only what differs from `current`.
    pub async fn replace_unsafe_metadata(
        &self,
        current: &Map<String, Value>,
        metadata: &Map<String, Value>,
    ) -> Result<User> {
        let patch = metadata::merge_patch(current, metadata);
        if patch.is_empty() {
            return self.me().await;
        }
        self.update_unsafe_metadata(&patch).await
    }

    /// The user's email addresses (`GET /v1/me/email_addresses`).
    pub async fn email_addresses(&self) -> Result<Vec<EmailAddress>> {
        self.send(Method::GET, "v1/me/email_addresses", None).await
    }

    /// Adds an unverified email address (`POST /v1/me/email_addresses`; the seed's
    /// `createEmailAddress`). Verify it with [`Self::prepare_email_verification`].
    pub async fn create_email_address(&self, email_address: &str) -> Result<EmailAddress> {
        let form = vec![("email_address", email_address.to_owned())];
        self.send_enveloped(Method::POST, "v1/me/email_addresses", Some(form)).await
    }

    /// Sends a code or a link to the address (`POST …/prepare_verification`).
    pub async fn prepare_email_verification(
        &self,
        email_address_id: &str,
        strategy: &EmailVerification,
    ) -> Result<EmailAddress> {
        let form = match strategy {
            EmailVerification::Code => vec![("strategy", "email_code".to_owned())],
            EmailVerification::Link { redirect_url } => {
                let mut form = vec![("strategy", "email_link".to_owned())];
                form.extend(redirect_url.clone().map(|url| ("redirect_url", url)));
                form
            }
        };
        let path = format!("v1/me/email_addresses/{}/prepare_verification", path_id(email_address_id)?);
        self.send_enveloped(Method::POST, &path, Some(form)).await
    }

    /// Completes a code verification (`POST …/attempt_verification`).
    pub async fn attempt_email_verification(
        &self,
        email_address_id: &str,
        code: &str,
    ) -> Result<EmailAddress> {
        let path = format!("v1/me/email_addresses/{}/attempt_verification", path_id(email_address_id)?);
        self.send_enveloped(Method::POST, &path, Some(vec![("code", code.to_owned())])).await
    }

    /// Removes an email address (`DELETE /v1/me/email_addresses/{id}`).
    pub async fn destroy_email_address(&self, email_address_id: &str) -> Result<DeletedObject> {
        let path = format!("v1/me/email_addresses/{}", path_id(email_address_id)?);
        self.send_enveloped(Method::DELETE, &path, None).await
    }

    /// The user's phone numbers (`GET /v1/me/phone_numbers`).
    pub async fn phone_numbers(&self) -> Result<Vec<PhoneNumber>> {
        self.send(Method::GET, "v1/me/phone_numbers", None).await
    }

    /// Adds an unverified phone number (`POST /v1/me/phone_numbers`; the seed's `createPhoneNumber`).
    pub async fn create_phone_number(&self, phone_number: &str) -> Result<PhoneNumber> {
        let form = vec![("phone_number", phone_number.to_owned())];
        self.send_enveloped(Method::POST, "v1/me/phone_numbers", Some(form)).await
    }

    /// Sends an SMS code to the number (`POST …/prepare_verification`, strategy `phone_code`).
    pub async fn prepare_phone_verification(&self, phone_number_id: &str) -> Result<PhoneNumber> {
        let path = format!("v1/me/phone_numbers/{}/prepare_verification", path_id(phone_number_id)?);
        self.send_enveloped(Method::POST, &path, Some(vec![("strategy", "phone_code".to_owned())])).await
    }

    /// Completes a code verification (`POST …/attempt_verification`).
    pub async fn attempt_phone_verification(&self, phone_number_id: &str, code: &str) -> Result<PhoneNumber> {
        let path = format!("v1/me/phone_numbers/{}/attempt_verification", path_id(phone_number_id)?);
        self.send_enveloped(Method::POST, &path, Some(vec![("code", code.to_owned())])).await
    }

    /// Keeps a verified number for two-factor authentication, or releases it (`PATCH …`).
    pub async fn set_reserved_for_second_factor(
        &self,
        phone_number_id: &str,
        reserved: bool,
    ) -> Result<PhoneNumber> {
        let form = vec![("reserved_for_second_factor", reserved.to_string())];
        self.patch_phone_number(phone_number_id, form).await
    }

    /// Makes a number reserved for two-factor the default second factor (`PATCH …`).
    pub async fn make_default_second_factor(&self, phone_number_id: &str) -> Result<PhoneNumber> {
        self.patch_phone_number(phone_number_id, vec![("default_second_factor", "true".to_owned())]).await
    }

    /// Removes a phone number (`DELETE /v1/me/phone_numbers/{id}`).
    pub async fn destroy_phone_number(&self, phone_number_id: &str) -> Result<DeletedObject> {
        let path = format!("v1/me/phone_numbers/{}", path_id(phone_number_id)?);
        self.send_enveloped(Method::DELETE, &path, None).await
    }

    async fn patch_phone_number(
        &self,
        phone_number_id: &str,
        form: Vec<(&str, String)>,
    ) -> Result<PhoneNumber> {
        let path = format!("v1/me/phone_numbers/{}", path_id(phone_number_id)?);
        self.send_enveloped(Method::PATCH, &path, Some(form)).await
    }

    /// Starts connecting an OAuth account (`POST /v1/me/external_accounts`; the seed's
    /// `createExternalAccount`). The account comes back `unverified`; send the person to its
    /// `verification.external_verification_redirect_url` in the system browser. The server
    /// returns to `redirect_url` (the app's deep link) when the round trip ends.
    pub async fn create_external_account(
        &self,
        strategy: &str,
        redirect_url: &str,
        additional_scopes: &[String],
    ) -> Result<ExternalAccount> {
        let mut form = vec![
            ("strategy", strategy.to_owned()),
            ("redirect_url", redirect_url.to_owned()),
            ("action_complete_redirect_url", redirect_url.to_owned()),
        ];
        form.extend(additional_scopes.iter().map(|scope| ("additional_scope", scope.clone())));
        self.send_enveloped(Method::POST, "v1/me/external_accounts", Some(form)).await
    }

    /// Asks an connected account for more scopes (`PATCH …/reauthorize`; the seed's
    /// `reauthorize`); then the same browser round trip as [`Self::create_external_account`].
    pub async fn reauthorize_external_account(
        &self,
        external_account_id: &str,
        additional_scopes: &[String],
        redirect_url: &str,
    ) -> Result<ExternalAccount> {
        let mut form = vec![
            ("redirect_url", redirect_url.to_owned()),
            ("action_complete_redirect_url", redirect_url.to_owned()),
        ];
        form.extend(additional_scopes.iter().map(|scope| ("additional_scope", scope.clone())));
        let path = format!("v1/me/external_accounts/{}/reauthorize", path_id(external_account_id)?);
        self.send_enveloped(Method::PATCH, &path, Some(form)).await
    }

    /// Removes a connected account (`DELETE /v1/me/external_accounts/{id}`; the seed's `destroy`).
    pub async fn destroy_external_account(&self, external_account_id: &str) -> Result<DeletedObject> {
        let path = format!("v1/me/external_accounts/{}", path_id(external_account_id)?);
        self.send_enveloped(Method::DELETE, &path, None).await
    }

    /// The user after a browser round trip, read with the nonce the deep link carried
    /// (`GET /v1/me?rotating_token_nonce=…`).
    pub async fn me_after_redirect(&self, rotating_token_nonce: Option<&str>) -> Result<User> {
        let path = with_nonce("v1/me", rotating_token_nonce);
        self.send_enveloped(Method::GET, &path, None).await
    }

    /// Starts signing in through a provider (`POST /v1/client/sign_ins`, strategy `oauth_*`).
    /// Send the person to `first_factor_verification.external_verification_redirect_url`.
    pub async fn sign_in_with_oauth(&self, strategy: &str, redirect_url: &str) -> Result<SignIn> {
        let form = vec![
            ("strategy", strategy.to_owned()),
            ("redirect_url", redirect_url.to_owned()),
            ("action_complete_redirect_url", redirect_url.to_owned()),
        ];
        self.send_enveloped(Method::POST, "v1/client/sign_ins", Some(form)).await
    }

    /// A sign-in after its browser round trip (`GET /v1/client/sign_ins/{id}?rotating_token_nonce=…`).
    pub async fn sign_in_after_redirect(
        &self,
        sign_in_id: &str,
        rotating_token_nonce: Option<&str>,
    ) -> Result<SignIn> {
        let path = with_nonce(&format!("v1/client/sign_ins/{}", path_id(sign_in_id)?), rotating_token_nonce);
        self.send_enveloped(Method::GET, &path, None).await
    }

    /// Turns an OAuth sign-in of an identity no user has into a sign-up
    /// (`POST /v1/client/sign_ups`, `transfer=true`).
    pub async fn transfer_to_sign_up(&self) -> Result<SignUp> {
        self.send_enveloped(Method::POST, "v1/client/sign_ups", Some(vec![("transfer", "true".to_owned())]))
            .await
    }

    /// Signs out on this device: ends every session of this client (`DELETE /v1/client`), or,
    /// for a handle holding one person's session of several, removes that session only.
    pub async fn sign_out(&self) -> Result<()> {
        let (holds_session, session_id) = {
            let state = self.state();
            (state.holds_session, state.session_id.clone())
        };
        match (holds_session, session_id) {
            (true, Some(session_id)) => {
                self.remove_session(&session_id).await?;
            }
            // The other people's sessions stay; this handle had none (left, or never signed in).
            (true, None) => {}
            (false, _) => {
                let _: Option<models::Client> =
                    self.send_enveloped(Method::DELETE, "v1/client", None).await?;
            }
        }
        self.state().session_id = None;
        self.token_cache().clear();
        Ok(())
    }

    /// Ends one session of this client (`POST /v1/client/sessions/{id}/end`).
    pub async fn end_session(&self, session_id: &str) -> Result<Session> {
        let path = format!("v1/client/sessions/{}/end", path_id(session_id)?);
        self.send_enveloped(Method::POST, &path, None).await
    }

    /// Removes one session from this client (`POST /v1/client/sessions/{id}/remove`).
    pub async fn remove_session(&self, session_id: &str) -> Result<Session> {
        let path = format!("v1/client/sessions/{}/remove", path_id(session_id)?);
        self.send_enveloped(Method::POST, &path, None).await
    }

    /// Deletes the signed-in user's account (`DELETE /v1/me`), where the instance allows it.
    pub async fn delete_user(&self) -> Result<()> {
        let _: DeletedObject = self.send_enveloped(Method::DELETE, "v1/me", None).await?;
        self.state().session_id = None;
        self.token_cache().clear();
        Ok(())
    }

    /// Sends one request whose body is `{response, client}` and returns the response.
    pub(crate) async fn send_enveloped<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: Option<Vec<(&str, String)>>,
    ) -> Result<T> {
        let envelope: Envelope<T> = self.send(method, path, form).await?;
        Ok(envelope.response)
    }

    /// Sends one request with a form body (or none) and decodes its body as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: Option<Vec<(&str, String)>>,
    ) -> Result<T> {
        let body = match form {
            Some(form) => RequestBody::Form(form),
            None => RequestBody::Empty,
        };
        self.send_body(method, path, body, None).await
    }

    /// Sends one request and decodes its body as `T`, keeping the token and session current.
    /// `origin` goes out as the `Origin` header (a passkey's origin).
    pub(crate) async fn send_body<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: RequestBody<'_>,
        origin: Option<&str>,
    ) -> Result<T> {
        let mut url = self.base_url.join(path).map_err(|e| Error::InvalidInstance(e.to_string()))?;
        let (token, session_id) = (self.token().clone(), self.session_id());
        // A handle whose person has not signed in (or signed out) has no account to read: without
        // a session named, the server would answer for the client's active one, someone else's.
        if path.starts_with("v1/me") && session_id.is_none() && self.holds_session() {
            return Err(Error::SignedOut);
        }
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("_is_native", "1");
            if let (true, Some(session_id)) = (path.starts_with("v1/me"), session_id) {
                query.append_pair("_clerk_session_id", &session_id);
            }
        }
        let mut request = self.http.request(method.clone(), url).header("clerk-api-version", API_VERSION);
        if let Some(token) = &token {
            request = request.header(AUTHORIZATION, token);
        }
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        // What can be sent again if the server refuses the token (a stream cannot).
        let resendable = match &body {
            RequestBody::Empty => Some(None),
            RequestBody::Form(form) => Some(Some(form.clone())),
            RequestBody::Streamed(_) => None,
        };
        match body {
            RequestBody::Empty => {}
            RequestBody::Form(form) => request = request.form(&form),
            RequestBody::Streamed(streamed) => {
                request = request
                    .header(CONTENT_TYPE, streamed.content_type)
                    // A known length lets the server refuse an oversized body before reading it.
                    .header(CONTENT_LENGTH, streamed.content_length)
                    .timeout(streamed.timeout)
                    .body(streamed.body);
            }
        }
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        if let Some(token) = response.headers().get(AUTHORIZATION).and_then(bare_token) {
            self.remember_token(token)?;
        }
        let status = response.status();
        let body = response.bytes().await.map_err(|e| self.transport_error(e))?;
        if !status.is_success() {
            let error = api_error(status.as_u16(), &body);
            // The server no longer knows our client (a server sweeps clients that never signed
            // in, a database was reset): the token is worthless, and keeping it would refuse
            // every request, a new sign-in too. Forget it; the request was refused before it
            // did anything, so one without a token is sent once more (a new client, if it
            // needs one). Without a token this cannot repeat.
            if token.is_some() && error.status() == Some(401) && error.code() == "authentication_invalid" {
                self.forget_token()?;
                if let Some(form) = resendable {
                    let body = form.map_or(RequestBody::Empty, RequestBody::Form);
                    return Box::pin(self.send_body(method, path, body, origin)).await;
                }
            }
            return Err(error);
        }
        let value: T = decode(&body)?;
        if let Ok(envelope) = serde_json::from_slice::<Envelope<Value>>(&body) {
            self.follow_session(&envelope);
        }
        Ok(value)
    }

    /// Keeps the session current after a response that carries the client: the client's last
    /// active one, or, for a handle holding its own, the one its sign-in or sign-up created.
    fn follow_session(&self, envelope: &Envelope<Value>) {
        let Some(client) = &envelope.client else { return };
        let mut state = self.state();
        if !state.holds_session {
            state.session_id = client.active_session().map(|session| session.id.clone());
            return;
        }
        let created = (envelope.response.get("status").and_then(Value::as_str) == Some("complete"))
            .then(|| envelope.response.get("created_session_id").and_then(Value::as_str))
            .flatten()
            .filter(|id| client.sessions.iter().any(|session| session.id == *id));
        if let Some(created) = created {
            state.session_id = Some(created.to_owned());
        }
    }

    /// Forgets this device's client token, here and in its store: the next request starts a new
    /// client. For an account removed from the app (and every handle on the client).
    pub fn forget_token(&self) -> Result<()> {
        self.token_store.clear().map_err(|e| Error::TokenStore(e.to_string()))?;
        *self.token() = None;
        self.state().session_id = None;
        self.token_cache().clear();
        Ok(())
    }

    fn remember_token(&self, token: String) -> Result<()> {
        let mut current = self.token();
        if current.as_deref() == Some(token.as_str()) {
            return Ok(());
        }
        self.token_store.save(&token).map_err(|e| Error::TokenStore(e.to_string()))?;
        *current = Some(token);
        Ok(())
    }

    fn transport_error(&self, error: reqwest::Error) -> Error {
        let url = self.base_url.to_string();
        if error.is_timeout() {
            Error::Timeout { url }
        } else {
            let mut message = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message = format!("{message}: {cause}");
                source = cause.source();
            }
            Error::Network { url, message }
        }
    }

    pub(crate) fn token_cache(&self) -> MutexGuard<'_, TokenCache> {
        // The cache holds plain strings; a panic elsewhere cannot leave an entry half-written.
        self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A string and a flag; a panic elsewhere cannot leave them half-written.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn token(&self) -> MutexGuard<'_, Option<String>> {
        // One string, replaced whole.
        self.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The token of an `Authorization` header, with or without `Bearer `.
fn bare_token(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?.trim();
    let token = match text.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ if text.eq_ignore_ascii_case("bearer") => "",
        _ => text,
    };
    (!token.is_empty()).then(|| token.to_owned())
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer)
        .map_err(|e| Error::Decode { path: e.path().to_string(), message: e.inner().to_string() })
}

fn api_error(status: u16, body: &[u8]) -> Error {
    match serde_json::from_slice::<ClerkErrors>(body) {
        Ok(ClerkErrors { errors, clerk_trace_id, .. }) if !errors.is_empty() => {
            Error::Api { status, errors, trace_id: clerk_trace_id }
        }
        _ => Error::UnexpectedStatus { status },
    }
}

fn with_nonce(path: &str, rotating_token_nonce: Option<&str>) -> String {
    match rotating_token_nonce {
        Some(nonce) => {
            let nonce: String = url::form_urlencoded::byte_serialize(nonce.as_bytes()).collect();
            format!("{path}?rotating_token_nonce={nonce}")
        }
        None => path.to_owned(),
    }
}

/// An id as a request path segment. Ids are Clerk's `prefix_base62`; anything else (`.`, `..`,
/// a slash, an empty string) could make the path name another resource, so it is refused
/// before any request.
pub(crate) fn path_id(id: &str) -> Result<&str, Error> {
    let valid = (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(id)
    } else {
        Err(Error::InvalidId(id.chars().take(40).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ids_go_into_request_paths() {
        assert_eq!(path_id("idn_2xYz09").ok(), Some("idn_2xYz09"));
        for forged in ["", ".", "..", "idn/../../me", "idn%2F", "idn?x=1", "idn#a", "idn\u{0}", "idn é"] {
            assert!(matches!(path_id(forged), Err(Error::InvalidId(_))), "{forged:?}");
        }
        assert!(path_id(&"a".repeat(129)).is_err());
    }

    #[tokio::test]
    async fn a_forged_id_is_refused_before_any_request() {
        // Nothing listens on the discard port: a request would fail as `network`.
        let client = Client::builder(url::Url::parse("http://127.0.0.1:9/").unwrap()).build().unwrap();
        let error = client.destroy_email_address("..").await.unwrap_err();
        assert_eq!(error.code(), "invalid_id");
        let error = client.revoke_session("../../me").await.unwrap_err();
        assert_eq!(error.code(), "invalid_id");
    }

    #[test]
    fn a_header_that_cannot_be_sent_fails_the_build_without_showing_its_value() {
        let url = url::Url::parse("http://127.0.0.1:9/").unwrap();
        let error = Client::builder(url).header("x-userdesk-secret", "line\nbreak-secret").build().err();
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("x-userdesk-secret") && !text.contains("secret\""), "{text}");
        assert!(!text.contains("break-secret"), "{text}");
    }

    #[tokio::test]
    async fn every_request_carries_the_given_headers() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let read = socket.read(&mut buffer).await.unwrap();
                if read == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..read]);
            }
            socket.write_all(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n").await.unwrap();
            String::from_utf8_lossy(&request).to_ascii_lowercase()
        });
        let client = Client::builder(url).header("x-userdesk-secret", "s3cret").build().unwrap();
        let error = client.environment().await.unwrap_err();
        assert_eq!(error.status(), Some(401));
        assert!(server.await.unwrap().contains("x-userdesk-secret: s3cret\r\n"));
    }

    #[test]
    fn tokens_are_read_with_or_without_bearer() {
        assert_eq!(bare_token(&HeaderValue::from_static("Bearer abc")).as_deref(), Some("abc"));
        assert_eq!(bare_token(&HeaderValue::from_static("abc")).as_deref(), Some("abc"));
        assert_eq!(bare_token(&HeaderValue::from_static("Bearer ")), None);
    }

    #[test]
    fn decode_errors_name_the_failing_field() {
        let body = br#"{"response": {"id": "user_1", "object": 5}}"#;
        let error = decode::<Envelope<User>>(body).err();
        match error {
            Some(Error::Decode { path, .. }) => assert_eq!(path, "response.object"),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn clerk_errors_keep_code_message_and_field() {
        let body = br#"{"errors":[{"code":"form_password_incorrect","message":"Password is incorrect","long_message":"Password is incorrect. Try again.","meta":{"param_name":"password"}}]}"#;
        let error = api_error(422, body);
        assert_eq!(error.code(), "form_password_incorrect");
        assert_eq!(error.field(), Some("password"));
        assert_eq!(error.status(), Some(422));
        assert_eq!(error.to_string(), "Password is incorrect. Try again.");
        assert_eq!(api_error(502, b"<html>bad gateway</html>").code(), "unexpected_status");
    }
}

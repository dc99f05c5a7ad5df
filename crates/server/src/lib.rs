//! Userdesk's embedded account server: a Clerk Frontend API (FAPI) compatible server on SQLite,
//! with the slice of the Backend API a service needs to manage users.
//!
//! The app starts it in-process:
//!
//! ```no_run
//! # async fn run() -> Result<(), userdesk_server::Error> {
//! let server = userdesk_server::start(userdesk_server::Config::new("/path/to/data")).await?;
//! println!("FAPI at {}, secret key {}", server.url(), server.secret_key());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! It listens on loopback only and answers only requests addressed to a loopback name. In
//! [`Mode::Development`] an empty database gets a demo account ([`DEMO_EMAIL`],
//! [`DEMO_PASSWORD`]). [`Mode::Desktop`] (what the app embeds, [`Config::desktop`]) behaves as
//! development but answers only requests carrying its per-launch secret
//! ([`DESKTOP_SECRET_HEADER`]), or a one-time capability in a URL it handed out for a browser.
//! Responses are serialised with the shared models of `userdesk-fapi`.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceExt;

mod api;
mod clock;
mod config;
mod demo;
mod desktop;
mod domain;
mod error;
mod http;
mod ids;
mod image_files;
mod keys;
mod lockout;
mod oauth;
mod one_time_code;
mod outbox;
mod passkeys;
mod password;
mod rate_limit;
mod render;
mod secret_key;
mod sign_in_policy;
mod sign_up_policy;
mod state;
mod store;
mod tokens;
mod totp;

pub use api::PROFILE_IMAGE_MAX_BYTES;
pub use clock::Clock;
pub use config::DEFAULT_REVERIFICATION_WINDOW;
pub use config::{
    Config, Mode, DEFAULT_CODE_LIFETIME, DEFAULT_LINK_LIFETIME, DEFAULT_REDIRECT_SCHEMES, DEFAULT_REGION,
    DEFAULT_RESEND_COOLDOWN,
};
pub use config::{
    RateLimit, DEFAULT_LOCKOUT_DURATION, DEFAULT_LOCKOUT_MAX_ATTEMPTS, DEFAULT_SIGN_IN_RATE_LIMIT_PER_CLIENT,
    DEFAULT_SIGN_IN_RATE_LIMIT_PER_IDENTIFIER,
};
pub use config::{
    DEFAULT_CLIENT_IDLE_LIFETIME, DEFAULT_CLIENT_SWEEP_INTERVAL, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_UPLOAD_TIMEOUT,
};
pub use config::{DEFAULT_OAUTH_HTTP_TIMEOUT, DEFAULT_OAUTH_NONCE_LIFETIME, DEFAULT_OAUTH_STATE_LIFETIME};
pub use demo::{DEMO_EMAIL, DEMO_PASSWORD, DEMO_USERNAME};
pub use desktop::{
    DesktopSecret, CAPABILITY_PARAM as DESKTOP_CAPABILITY_PARAM, SECRET_HEADER as DESKTOP_SECRET_HEADER,
};
pub use error::{Error, FieldError, Result};
pub use http::form::BODY_LIMIT;
pub use http::validate::{METADATA_MAX_BYTES, NAME_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH};
pub use image_files::IMAGES_DIR;
pub use keys::{AtRestSecret, AT_REST_KEY_FILE, FIREBASE_SERVICE_ACCOUNT_FILE, SIGNING_KEY_FILE};
pub use oauth::{ClientAuth, OAuthConfigFile, OAuthProviderConfig, UserInfoFormat};
pub use outbox::{OutboxChannel, OutboxMessage};
#[doc(hidden)]
pub use password::argon2_verifications;
pub use secret_key::SECRET_KEY_FILE;
pub use sign_in_policy::FirstFactors;
pub use sign_up_policy::{LegalConsent, Requirement, SignUpSettings};
pub use store::DATABASE_FILE;
pub use tokens::{
    default_jwt_templates, JwtClaims, JwtTemplate, FIREBASE_AUDIENCE, FIREBASE_MAX_LIFETIME, HASURA_CLAIMS,
    SESSION_TOKEN_LIFETIME,
};

/// A running server. Dropping it leaves the server running until the runtime stops; call
/// [`RunningServer::shutdown`] to stop it cleanly.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    secret_key: Arc<str>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    sweeper: JoinHandle<()>,
    db: store::Db,
    oauth: Arc<oauth::OAuth>,
}

impl RunningServer {
    /// The base URL clients use, e.g. `http://127.0.0.1:49152` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The address the server listens on (with the port chosen for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The Backend API secret key (`sk_test_…` / `sk_live_…`).
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The latest `limit` messages of the development outbox, newest first: every email and SMS
    /// the server would have sent, with its code or link. Always empty in production mode, which
    /// records nothing.
    pub async fn outbox(&self, limit: usize) -> Result<Vec<OutboxMessage>, Error> {
        let mut conn = self.db.pool().acquire().await?;
        Ok(store::outbox::latest(&mut conn, limit).await?)
    }

    /// `true` while the demo account ([`DEMO_EMAIL`]) exists, so that the app offers its
    /// credentials only then.
    pub async fn has_demo_account(&self) -> Result<bool, Error> {
        let mut conn = self.db.pool().acquire().await?;
        Ok(store::users::find_by_identifier(&mut conn, DEMO_EMAIL).await?.is_some())
    }

    /// The client id and secret of this server's development OAuth provider for `provider` (a
    /// seed provider such as `github`), to configure another server or tool against it as a
    /// real provider (its issuer is `{url}/dev/oauth/{provider}`). `None` in production or
    /// with `oauth_development_providers` off.
    pub fn dev_oauth_client(&self, provider: &str) -> Option<(String, String)> {
        self.oauth.dev.as_ref().and_then(|dev| dev.client(provider))
    }

    /// Stops accepting connections, lets requests under way finish, and closes the database.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Err(e) = (&mut self.task).await {
            tracing::error!("the server task failed: {e}");
        }
        // A sweep cut short rolls back; the next start sweeps again.
        self.sweeper.abort();
        let _ = (&mut self.sweeper).await;
        self.db.close().await;
    }
}

/// Opens (or creates) the database in `config.data_dir`, seeds the demo account into a new one
/// in development and desktop mode, and starts serving on `config.addr`, which must be a loopback address.
pub async fn start(config: Config) -> Result<RunningServer> {
    if !config.addr.ip().is_loopback() {
        return Err(Error::NonLoopbackAddr(config.addr));
    }
    let default_region: phonenumber::country::Id = config.default_region.parse().map_err(|_| {
        Error::InvalidConfig(format!(
            "default region {:?} is not an ISO 3166 region code such as US, GB or DE",
            config.default_region
        ))
    })?;
    create_data_dir(&config.data_dir)?;
    let secret_key: Arc<str> =
        secret_key::resolve(config.secret_key.as_deref(), &config.data_dir, config.mode)?.into();
    tokens::validate(&config.jwt_templates)?;
    let security = Arc::new(state::SecuritySettings {
        clock: config.clock.clone(),
        keys: keys::KeyStore::open(&config.data_dir, config.firebase_service_account.as_deref())?,
        at_rest: match &config.at_rest_key {
            Some(secret) => keys::AtRestKey::from_secret(secret)?,
            None => keys::AtRestKey::load_or_create(&config.data_dir)?,
        },
        jwt_templates: config.jwt_templates.clone(),
    });
    // The demo account (a password published in every copy of the app) comes with a new
    // database only: once its owner removes it, a restart does not bring it back.
    let first_start = !config.data_dir.join(store::DATABASE_FILE).exists();
    let db = store::Db::open(&config.data_dir).await?;
    let images = Arc::new(image_files::ImageFiles::open(&config.data_dir)?);
    sweep_images(&db, &images).await?;
    // In desktop mode the secret is checked before anything is opened: without one the server
    // would answer nobody, or (worse) everybody.
    let desktop = match (config.mode, &config.desktop_secret) {
        (Mode::Desktop, Some(secret)) => Some(Arc::new(desktop::Desktop::new(secret.clone()))),
        (Mode::Desktop, None) => {
            return Err(Error::InvalidConfig(
                "desktop mode needs a secret (Config::desktop makes one)".into(),
            ))
        }
        _ => None,
    };
    password::keep_work_areas(config.mode != Mode::Desktop);
    if config.mode.is_development() && first_start {
        demo::seed_if_empty(&db).await?;
    }
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| Error::io(format!("listening on {}", config.addr), e))?;
    let local_addr = listener.local_addr().map_err(|e| Error::io("reading the listening address", e))?;
    let oauth = Arc::new(oauth::OAuth::new(&config, &format!("http://{local_addr}"))?);
    let server_oauth = oauth.clone();
    let (lockout, sign_in_limits) = attempt_limits(&config)?;
    let passkeys = Arc::new(passkeys::Passkeys::new(
        config.passkeys,
        config.passkey_satisfies_second_factor,
        &config.passkey_rp_id,
        &config.passkey_origins,
    )?);
    let sign_up =
        Arc::new(config.sign_up.for_first_factors(config.first_factors).map_err(Error::InvalidConfig)?);
    let app = api::router(state::AppState::new(state::SharedState {
        db: db.clone(),
        secret_key: secret_key.clone(),
        mode: config.mode,
        base_url: format!("http://{local_addr}").into(),
        verification: Arc::new(state::VerificationSettings {
            code_lifetime: config.code_lifetime,
            link_lifetime: config.link_lifetime,
            resend_cooldown: config.resend_cooldown,
            default_region,
            redirect_schemes: config.redirect_schemes.clone(),
        }),
        oauth,
        security,
        images,
        desktop,
        timeouts: state::RequestTimeouts { request: config.request_timeout, upload: config.upload_timeout },
        lockout,
        sign_in_limits,
        reverification: state::ReverificationPolicy {
            enabled: config.reverification,
            window: config.reverification_window,
        },
        sign_in: state::SignInPolicy {
            first_factors: config.first_factors,
            client_trust: config.client_trust,
            session_mode: if config.multi_session {
                domain::sessions::SessionMode::Multi
            } else {
                domain::sessions::SessionMode::Single
            },
        },
        sign_up,
        kept: Arc::default(),
        passkeys,
    }));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app, config.header_read_timeout, stopped));
    let sweeper = tokio::spawn(sweep_clients_periodically(
        db.clone(),
        config.clock.clone(),
        config.client_idle_lifetime,
        config.client_sweep_interval,
    ));
    tracing::info!(url = %format!("http://{local_addr}"), mode = ?config.mode, "account server listening");
    Ok(RunningServer { local_addr, secret_key, stop: Some(stop), task, sweeper, db, oauth: server_oauth })
}

/// Accepts connections until `stop`, then lets the requests under way finish.
///
/// Our own loop rather than `axum::serve`, which cannot bound how long a connection takes to
/// send its headers: hyper's HTTP/1 `header_read_timeout` closes a connection that sends half a
/// request line and then nothing, and (as hyper runs it whenever it waits for a request head)
/// one that sits idle between requests.
async fn serve(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    mut stop: oneshot::Receiver<()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin (as axum does).
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let app = app.clone();
        // The peer's address is what the list of active sessions shows (`ConnectInfo`).
        let service =
            hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(request)
            });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that goes away or is too slow ends its connection; nothing to report.
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "connection closed: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Deletes unused clients at start and then every `interval`, in the background.
async fn sweep_clients_periodically(db: store::Db, clock: Clock, idle: Duration, interval: Duration) {
    let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(10)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match sweep_clients(&db, &clock, idle).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed unused clients"),
            Err(e) => tracing::error!("sweeping unused clients failed: {e}"),
        }
    }
}

/// Deletes the clients that hold nothing and were last used more than `idle` ago, a batch per
/// short transaction so that requests waiting to write are not held up behind one long delete.
async fn sweep_clients(db: &store::Db, clock: &Clock, idle: Duration) -> Result<u64> {
    const BATCH: i64 = 500;
    let now = clock.now_ms();
    let unused_since = now.saturating_sub(i64::try_from(idle.as_millis()).unwrap_or(i64::MAX));
    let mut removed = 0;
    loop {
        let mut tx = db.write().await?;
        let deleted = store::clients::delete_unused(&mut tx, unused_since, now, BATCH).await?;
        tx.commit().await?;
        removed += deleted;
        if deleted < BATCH as u64 {
            return Ok(removed);
        }
        tokio::task::yield_now().await;
    }
}

/// The lockout policy and the sign-in rate limits, checked.
fn attempt_limits(config: &Config) -> Result<(Arc<lockout::LockoutPolicy>, Arc<rate_limit::SignInLimits>)> {
    if config.lockout_max_attempts == 0 || config.lockout_duration.is_zero() {
        return Err(Error::InvalidConfig("the lockout needs at least 1 attempt and a duration".into()));
    }
    let policy = lockout::LockoutPolicy {
        max_attempts: config.lockout_max_attempts,
        duration: config.lockout_duration,
        clock: config.clock.clone(),
    };
    let limits = rate_limit::SignInLimits::new(
        config.sign_in_rate_limit_per_identifier,
        config.sign_in_rate_limit_per_client,
        config.clock.clone(),
    )?;
    Ok((Arc::new(policy), Arc::new(limits)))
}

/// Removes image files no user refers to (a crash between writing a file and recording it, or
/// between replacing one and removing the old file, leaves one behind).
async fn sweep_images(db: &store::Db, images: &image_files::ImageFiles) -> Result<()> {
    let mut conn = db.pool().acquire().await?;
    let in_use = store::users::image_ids(&mut conn).await?.into_iter().collect();
    let removed = images.sweep(&in_use)?;
    if removed > 0 {
        tracing::info!(removed, "removed stray profile image files");
    }
    Ok(())
}

/// Creates the data directory if it is missing, readable by its owner only (it holds password
/// hashes and the secret key). An existing directory keeps the permissions it has.
fn create_data_dir(path: &std::path::Path) -> Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))
}

//! `userdesk-server`: the account server as a process.
//!
//! Prints `listening on http://127.0.0.1:PORT` as its first stdout line, then
//! `secret key sk_test_…`; logs go to stderr. Stops on Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use userdesk_server::{Config, Mode};

/// Userdesk's account server: a Clerk-FAPI-compatible server on SQLite.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (loopback only; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Data directory (database and generated secret key).
    #[arg(long = "data", value_name = "DIR")]
    data: PathBuf,
    /// Backend API secret key; generated once and kept in the data directory if not given.
    #[arg(long, value_name = "sk_test_…", env = "USERDESK_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Behave as a production instance (no demo account, no development outbox).
    #[arg(long)]
    production: bool,
    /// Clerk's multi-session mode: several people signed in on one client at once.
    #[arg(long)]
    multi_session: bool,
    /// Region that phone numbers without a +country code are read in (ISO 3166, e.g. US, GB).
    #[arg(long, value_name = "REGION", default_value = userdesk_server::DEFAULT_REGION)]
    default_region: String,
    /// OAuth providers (JSON: `{"providers": {"oauth_github": {"client_id": …, "client_secret": …},
    /// "oauth_custom_acme": {"issuer": …, …}}, "development_providers": true}`).
    #[arg(long, value_name = "FILE")]
    oauth_config: Option<PathBuf>,
    /// Firebase service-account JSON whose key signs Firebase custom tokens (default: a
    /// development account generated once in the data directory).
    #[arg(long, value_name = "FILE")]
    firebase_service_account: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let mut config = Config::new(args.data);
    config.addr = args.addr;
    config.secret_key = args.secret_key;
    config.mode = if args.production { Mode::Production } else { Mode::Development };
    config.multi_session = args.multi_session;
    config.default_region = args.default_region;
    if let Some(path) = &args.oauth_config {
        match userdesk_server::OAuthConfigFile::read(path) {
            Ok(file) => {
                config.oauth_providers = file.providers;
                if let Some(development) = file.development_providers {
                    config.oauth_development_providers = development;
                }
            }
            Err(e) => {
                eprintln!("userdesk-server: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    config.firebase_service_account = args.firebase_service_account;
    let server = match userdesk_server::start(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("userdesk-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut stdout = std::io::stdout().lock();
        let printed = writeln!(stdout, "listening on {}", server.url())
            .and_then(|()| writeln!(stdout, "secret key {}", server.secret_key()))
            .and_then(|()| stdout.flush());
        if let Err(e) = printed {
            eprintln!("userdesk-server: writing to stdout: {e}");
        }
    }
    wait_for_stop().await;
    tracing::info!("stopping");
    server.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

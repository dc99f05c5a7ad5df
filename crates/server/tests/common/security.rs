//! Support for the security tests: an authenticator app of our own (RFC 6238, written here
//! independently of the server's), signing keys shared by the servers of one test binary, and a
//! look into the database for what a user left behind.

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tempfile::TempDir;
use tokio::sync::OnceCell;
use userdesk_server::{Config, FIREBASE_SERVICE_ACCOUNT_FILE, SIGNING_KEY_FILE};

use super::TestServer;
// Where the security tests have always found them; each test binary uses a different part.
#[allow(unused_imports)]
pub use super::totp::{now_secs, totp_code, totp_digits};

/// A data directory whose signing keys were generated once (by a server asked for its JWKS).
static KEYS: OnceCell<TempDir> = OnceCell::const_new();

/// Copies this test binary's signing keys into `dir`, so a server started there skips the RSA
/// key generation (slow in debug builds).
pub async fn seed_keys(dir: &Path) {
    let keys = KEYS
        .get_or_init(|| async {
            let mut server = TestServer::start().await;
            let jwks = server.raw().get("/.well-known/jwks.json", None).await;
            assert_eq!(jwks.status.as_u16(), 200, "{}", jwks.body);
            if let Some(running) = server.server.take() {
                running.shutdown().await;
            }
            server.dir
        })
        .await;
    for file in [SIGNING_KEY_FILE, FIREBASE_SERVICE_ACCOUNT_FILE] {
        std::fs::copy(keys.path().join(file), dir.join(file)).expect("copying a key");
    }
}

impl TestServer {
    /// A development server with this binary's shared signing keys, configured by `adjust`.
    pub async fn start_with_keys(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        seed_keys(dir.path()).await;
        Self::start_config(dir, adjust).await
    }

    /// Every `table.column` (but the outbox's, which keeps what was sent) holding any of
    /// `needles`, with how many rows: what a user would have left behind.
    pub async fn rows_mentioning(&self, needles: &[&str]) -> Vec<String> {
        let options = SqliteConnectOptions::new()
            .filename(self.dir.path().join(userdesk_server::DATABASE_FILE))
            .read_only(true);
        let mut conn = options.connect().await.expect("the database opens");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT IN ('outbox', '_sqlx_migrations') AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        let mut found = Vec::new();
        for table in tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .expect("columns");
            for column in columns {
                for needle in needles {
                    let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE instr(lower(CAST(\"{column}\" AS TEXT)), lower(?)) > 0");
                    let count: i64 =
                        sqlx::query_scalar(&sql).bind(needle).fetch_one(&mut conn).await.expect("count");
                    if count > 0 {
                        found.push(format!("{table}.{column} mentions {needle:?} in {count} row(s)"));
                    }
                }
            }
        }
        conn.close().await.expect("closed");
        found
    }

    /// Rows of `table` (a count over the whole table).
    pub async fn count_rows(&self, table: &str) -> i64 {
        let options = SqliteConnectOptions::new()
            .filename(self.dir.path().join(userdesk_server::DATABASE_FILE))
            .read_only(true);
        let mut conn = options.connect().await.expect("the database opens");
        let count = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&mut conn)
            .await
            .expect("count");
        conn.close().await.expect("closed");
        count
    }
}

//! Support for the security tests: an authenticator app of our own (RFC 6238, written here
//! independently of the server's), signing keys shared by the servers of one test binary, and a
//! look into the database for what a user left behind.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tempfile::TempDir;
use tokio::sync::OnceCell;
use userdesk_server::{Config, FIREBASE_SERVICE_ACCOUNT_FILE, SIGNING_KEY_FILE};

use super::TestServer;

/// What an authenticator app shows at `unix_secs` for `secret` (base32): HOTP (RFC 4226) of the
/// 30-second step, HMAC-SHA1, six digits.
pub fn totp_code(secret: &str, unix_secs: i64) -> String {
    totp_digits(&base32(secret), unix_secs, 6)
}

/// The TOTP value with `digits` digits of the raw `key` at `unix_secs`.
pub fn totp_digits(key: &[u8], unix_secs: i64, digits: u32) -> String {
    let counter = u64::try_from(unix_secs / 30).expect("a time after 1970");
    let hmac_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    let mac = ring::hmac::sign(&hmac_key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    let at = usize::from(mac[19] & 0xf);
    let value = (u32::from(mac[at]) & 0x7f) << 24
        | u32::from(mac[at + 1]) << 16
        | u32::from(mac[at + 2]) << 8
        | u32::from(mac[at + 3]);
    format!("{:0width$}", value % 10u32.pow(digits), width = digits as usize)
}

/// RFC 4648 base32 without padding, decoded by hand.
fn base32(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase()).expect("a base32 secret");
        bits = bits << 5 | value as u64;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Now, in Unix seconds.
pub fn now_secs() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()).expect("fits")
}

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

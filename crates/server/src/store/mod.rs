//! Storage: the SQLite database and the queries on it, one module per table group. Nothing here
//! knows about HTTP; functions take a connection (or transaction) so a handler can group several
//! into one atomic change.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub use error::{Result, StoreError};

pub mod backup_codes;
pub mod clients;
mod error;
pub mod external_accounts;
pub mod identifications;
pub mod lockouts;
pub mod oauth_flows;
pub mod outbox;
pub mod second_factors;
pub mod sessions;
pub mod sign_in_factors;
pub mod sign_ins;
pub mod sign_ups;
pub mod totp;
pub mod users;

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "userdesk.db";

/// Brings the schema up to date on a connection of its own with foreign keys off: SQLite changes
/// a table's constraints by rebuilding it (migration 0008), and dropping the old table with
/// foreign keys on would cascade into every row that refers to it. Whether every reference still
/// holds is checked before any request sees the database.
async fn migrate(options: SqliteConnectOptions) -> Result<()> {
    // A pool of one connection: `Migrator::run` on a bare connection makes a future the
    // compiler cannot prove `Send` in generic callers.
    let single =
        SqlitePoolOptions::new().max_connections(1).connect_with(options.foreign_keys(false)).await?;
    sqlx::migrate!("./migrations").run(&single).await?;
    let broken: Vec<(String, Option<i64>, String)> =
        sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
            .fetch_all(&single)
            .await?;
    single.close().await;
    match broken.first() {
        None => Ok(()),
        Some((table, row, parent)) => Err(StoreError::Internal(format!(
            "after migrating, {} rows refer to rows that do not exist (first: {table} row {row:?} → {parent})",
            broken.len()
        ))),
    }
}

/// The connection pool, shared by all requests.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    ///
    /// WAL lets readers run beside the single writer; foreign keys are off by default in SQLite
    /// and must be turned on per connection; the busy timeout makes a writer wait for another
    /// instead of failing at once.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(StoreError::Database)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        migrate(options.clone()).await?;
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(Self { pool })
    }

    /// For reads that need no transaction.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A transaction that takes the write lock at once (`BEGIN IMMEDIATE`). A deferred
    /// transaction that reads and then writes can fail with SQLITE_BUSY when another writer
    /// committed in between; an immediate one waits its turn instead.
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Closes every connection (after checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

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
pub mod oauth_flows;
pub mod outbox;
pub mod second_factors;
pub mod sessions;
pub mod sign_ins;
pub mod sign_ups;
pub mod totp;
pub mod users;

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "userdesk.db";

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
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
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

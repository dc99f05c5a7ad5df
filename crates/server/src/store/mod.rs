//! Storage: the SQLite database and the queries on it, one module per table group. Nothing here
//! knows about HTTP; functions take a connection (or transaction) so a handler can group several
//! into one atomic change.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::task::JoinHandle;

pub use error::{Result, StoreError};

pub mod backup_codes;
pub mod clients;
mod error;
pub mod external_accounts;
pub mod identifications;
pub mod lockouts;
pub mod oauth_flows;
pub mod outbox;
pub mod reverifications;
pub mod second_factors;
pub mod sessions;
pub mod sign_in_factors;
pub mod sign_ins;
pub mod sign_ups;
pub mod totp;
pub mod users;
pub mod uses;

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

/// The database: a pool of connections for reads, beside the one connection that writes.
///
/// SQLite has a single writer. Writers sharing the readers' connections wait for one another
/// inside SQLite, whose busy handler sleeps (1 ms, 2 ms, … up to 100 ms a try), and a read that
/// took the write lock (an `UPDATE` that changes nothing still takes it) queued behind them:
/// under load that was the whole tail of `GET /v1/me` (see the README's performance section).
/// Writes on their own connection queue in the pool instead, in order, without sleeping, and
/// reads (WAL) never wait for them.
#[derive(Debug, Clone)]
pub struct Db {
    readers: SqlitePool,
    writer: SqlitePool,
    uses: Arc<uses::Uses>,
    /// The task writing [`uses::Uses`] (taken when the database closes).
    recorder: Arc<Mutex<Option<JoinHandle<()>>>>,
}

/// Read connections: one per core (reads are CPU work on a cached database), at least 4, since a
/// handler may hold one while it does something else.
fn reader_count() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    u32::try_from(cores).unwrap_or(u32::MAX).max(4)
}

impl Db {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    ///
    /// WAL lets readers run beside the single writer; foreign keys are off by default in SQLite
    /// and must be turned on per connection; the busy timeout makes a writer wait for another
    /// instead of failing at once (writes made outside [`Db::write`], on a read connection, still
    /// meet the writer that way). sqlx keeps each connection's prepared statements (100 by
    /// default), so a request's queries are not prepared again.
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
        let readers =
            SqlitePoolOptions::new().max_connections(reader_count()).connect_with(options.clone()).await?;
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        let uses = Arc::new(uses::Uses::default());
        let recorder = tokio::spawn({
            let (uses, writer) = (uses.clone(), writer.clone());
            async move { uses.write_continually(writer).await }
        });
        Ok(Self { readers, writer, uses, recorder: Arc::new(Mutex::new(Some(recorder))) })
    }

    /// For reads that need no transaction. (Writes belong in [`Db::write`]; the few that are
    /// made here wait for the writer inside SQLite.)
    pub fn pool(&self) -> &SqlitePool {
        &self.readers
    }

    /// A transaction that takes the write lock at once (`BEGIN IMMEDIATE`), on the writer
    /// connection: the next writer waits for this one's commit in the pool's queue. (An
    /// immediate transaction also keeps a read-then-write from failing with SQLITE_BUSY.)
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Where requests note the use of sessions and clients, written off the request path.
    pub fn uses(&self) -> &uses::Uses {
        &self.uses
    }

    /// Writes the uses still noted, then closes every connection (after checkpointing the WAL).
    pub async fn close(&self) {
        let recorder = self.recorder.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(recorder) = recorder {
            recorder.abort();
            let _ = recorder.await;
        }
        if let Err(e) = self.uses.flush(&self.writer).await {
            tracing::warn!("recording sessions' and clients' use at close failed: {e}");
        }
        self.readers.close().await;
        self.writer.close().await;
    }
}

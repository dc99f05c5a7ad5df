//! Storage: the SQLite database and the queries on it, one module per table group. Nothing here
//! knows about HTTP; functions take a connection (or transaction) so a handler can group several
//! into one atomic change.

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqlitePool, Transaction};
use tokio::task::JoinHandle;

pub use error::{Result, StoreError};

pub mod backup_codes;
pub mod clients;
mod error;
pub mod external_accounts;
pub mod identifications;
pub mod lockouts;
pub mod memo;
pub mod oauth_flows;
pub mod outbox;
pub mod passkeys;
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
///
/// Every write goes through that one connection (the readers are `query_only`: SQLite refuses a
/// write on them), and each commit there moves [`Db::generation`] once it is visible, so an
/// answer read at one generation is still the database's answer while the generation stays.
#[derive(Debug, Clone)]
pub struct Db {
    readers: SqlitePool,
    writer: SqlitePool,
    generation: Arc<AtomicU64>,
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
    /// and must be turned on per connection; the busy timeout makes a connection wait for a lock
    /// (a checkpoint, another process) instead of failing at once. sqlx keeps each connection's prepared statements (100 by
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
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .after_release(|conn, _| {
                Box::pin(async move {
                    // A future dropped between sqlx's `BEGIN` and its answer (a request whose
                    // client went away) leaves the connection in a transaction no `Transaction`
                    // owns: every later `begin_with` on it fails, and its write lock stays held.
                    // The ping runs the rollbacks that dropped `Transaction`s queued, so only
                    // such an orphan is left; closing the connection rolls it back.
                    conn.ping().await?;
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options.clone())
            .await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(reader_count())
            .connect_with(options.pragma("query_only", "ON"))
            .await?;
        let generation = Arc::new(AtomicU64::new(0));
        let uses = Arc::new(uses::Uses::default());
        let recorder = tokio::spawn({
            let (uses, writer, generation) = (uses.clone(), writer.clone(), generation.clone());
            async move { uses.write_continually(writer, generation).await }
        });
        Ok(Self { readers, writer, generation, uses, recorder: Arc::new(Mutex::new(Some(recorder))) })
    }

    /// For reads (the connections refuse writes: those belong in [`Db::write`]).
    pub fn pool(&self) -> &SqlitePool {
        &self.readers
    }

    /// A transaction that takes the write lock at once (`BEGIN IMMEDIATE`), on the writer
    /// connection: the next writer waits for this one's commit in the pool's queue. (An
    /// immediate transaction also keeps a read-then-write from failing with SQLITE_BUSY.)
    pub async fn write(&self) -> Result<Write> {
        Ok(Write {
            tx: self.writer.begin_with("BEGIN IMMEDIATE").await?,
            generation: self.generation.clone(),
        })
    }

    /// The number of commits made through this database so far. Read it before reading what an answer
    /// shows: if it is the same later, no commit has been made since, and the answer still holds
    /// ([`memo::Memo`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Where requests note the use of sessions and clients, written off the request path.
    pub fn uses(&self) -> &uses::Uses {
        &self.uses
    }

    /// Writes the uses still noted, then closes every connection (after checkpointing the WAL).
    pub async fn close(&self) {
        let recorder = self.recorder.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(recorder) = recorder {
            self.uses.stop();
            if let Err(e) = recorder.await {
                tracing::error!("the task recording sessions' and clients' use failed: {e}");
            }
        }
        if let Err(e) = self.uses.flush(&self.writer, &self.generation).await {
            tracing::warn!("recording sessions' and clients' use at close failed: {e}");
        }
        self.readers.close().await;
        self.writer.close().await;
    }
}

/// A write transaction ([`Db::write`]): used as sqlx's, whose commit also moves the database's
/// generation. Dropped without a commit, it rolls back (nothing to move).
#[derive(Debug)]
pub struct Write {
    tx: Transaction<'static, Sqlite>,
    generation: Arc<AtomicU64>,
}

impl Write {
    /// Commits, then moves the generation: after the commit, so that a reader who sees the new
    /// generation also sees the commit (moved before it, a read in between would keep the old
    /// rows under the new number). Moved on a failed commit too, where SQLite may have committed.
    ///
    /// On a task of its own: a request dropped while it commits (its client gone, its time up)
    /// would otherwise leave the commit made and the generation where it was.
    pub async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        let Self { tx, generation } = self;
        let committing = tokio::spawn(async move {
            let committed = tx.commit().await;
            generation.fetch_add(1, Ordering::SeqCst);
            committed
        });
        committing.await.unwrap_or(Err(sqlx::Error::WorkerCrashed))
    }
}

impl Deref for Write {
    type Target = Transaction<'static, Sqlite>;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_transaction_nobody_owns_does_not_stop_later_writes() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Db::open(dir.path()).await.expect("open");
        // What a future dropped between sqlx's BEGIN and its answer leaves: the writer connection
        // back in the pool, inside a transaction no `Transaction` will end.
        let mut conn = db.writer.acquire().await.expect("writer");
        std::mem::forget(conn.begin_with("BEGIN IMMEDIATE").await.expect("begin"));
        drop(conn);

        let mut tx = db.write().await.expect("a write after the orphan");
        sqlx::query("CREATE TABLE written (x)").execute(&mut **tx).await.expect("create");
        tx.commit().await.expect("commit");
        let mut reader = db.pool().acquire().await.expect("reader");
        let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'written'")
            .fetch_one(&mut *reader)
            .await
            .expect("read");
        assert_eq!(tables, 1, "the write is committed and visible to readers");
        drop(reader);
        db.close().await;
    }
}

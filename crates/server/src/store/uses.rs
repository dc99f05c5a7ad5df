//! Bookkeeping of use: a session's and its user's last activity, a client's last use. Requests
//! only note it here; a task of its own writes what was noted, many rows in one transaction, so a
//! read never waits for SQLite's single writer (and a burst of reads is not a burst of writes).
//! The callers note a use at most once a minute per row (Clerk moves a session's activity no more
//! often); the statements keep their own guards, so a late or repeated note moves nothing back.
//! What nobody reads at once: a note lands within moments, and [`Uses::flush`] writes what is
//! left when the database closes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;
use tokio::sync::Notify;

use super::error::Result;
use super::{clients, sessions, users};

/// How stale a recorded use may get before a request notes a new one.
pub const USE_RECORD_INTERVAL_MS: i64 = 60_000;

/// Uses noted and not yet written.
#[derive(Debug, Default, Clone)]
struct Pending {
    /// Session id → (its user's id, when).
    sessions: HashMap<String, (String, i64)>,
    /// Client id → when.
    clients: HashMap<String, i64>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.clients.is_empty()
    }
}

/// Uses noted by requests, waiting for the writer.
#[derive(Debug, Default)]
pub struct Uses {
    pending: Mutex<Pending>,
    noted: Notify,
    /// Set when the database closes: the writer finishes the flush under way and stops.
    stopping: AtomicBool,
}

impl Uses {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        // Only maps of timestamps: a panic elsewhere leaves nothing half-done worth refusing.
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notes that `session_id` (of `user_id`) acted at `at`.
    pub fn session(&self, session_id: &str, user_id: &str, at: i64) {
        self.pending().sessions.insert(session_id.to_owned(), (user_id.to_owned(), at));
        self.noted.notify_one();
    }

    /// Notes that `client_id` presented its token at `at` (on the server's clock).
    pub fn client(&self, client_id: &str, at: i64) {
        self.pending().clients.insert(client_id.to_owned(), at);
        self.noted.notify_one();
    }

    /// Writes every noted use in one transaction on `writer`. The notes stay pending until that
    /// transaction has committed: a failed flush loses nothing, and the next flush writes them
    /// again.
    /// Moves `generation` after its commit (see [`super::Write::commit`]).
    pub async fn flush(&self, writer: &SqlitePool, generation: &AtomicU64) -> Result<()> {
        let batch = self.pending().clone();
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
        for (session_id, (user_id, at)) in &batch.sessions {
            sessions::touch(&mut tx, session_id, *at).await?;
            users::record_activity(&mut tx, user_id, *at).await?;
        }
        for (client_id, at) in &batch.clients {
            clients::mark_used(&mut tx, client_id, *at).await?;
        }
        let committed = tx.commit().await;
        generation.fetch_add(1, Ordering::SeqCst);
        committed?;
        // Written: no longer pending, unless noted again meanwhile.
        let mut pending = self.pending();
        pending.sessions.retain(|id, noted| batch.sessions.get(id) != Some(noted));
        pending.clients.retain(|id, at| batch.clients.get(id) != Some(at));
        Ok(())
    }

    /// Writes what is noted, as it is noted, until [`Uses::stop`].
    pub async fn write_continually(&self, writer: SqlitePool, generation: Arc<AtomicU64>) {
        while !self.stopping.load(Ordering::SeqCst) {
            self.noted.notified().await;
            if let Err(e) = self.flush(&writer, &generation).await {
                // Lost bookkeeping only; the next note of the same rows writes them again.
                tracing::warn!("recording sessions' and clients' use failed: {e}");
            }
        }
    }

    /// Stops [`Uses::write_continually`] once the flush under way, if any, is done. Never
    /// abort it instead: a task aborted while sqlx begins a transaction can leave the writer
    /// connection inside one that nothing will end.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // A permit if the writer is not waiting yet: it wakes either way.
        self.noted.notify_one();
    }
}

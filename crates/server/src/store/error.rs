//! The store's own error: what SQL can say, in the store's terms. It becomes the crate's HTTP
//! error in one place (`impl From<StoreError> for crate::Error`, in `crate::error`), so the store
//! knows nothing of status codes.

/// `Result` with the store's [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What can go wrong in a query.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique value (username, external id, email address…) belongs to someone else; the
    /// param that named it.
    #[error("{0} is taken")]
    Taken(String),
    /// The user the change was for no longer exists (deleted in the meantime).
    #[error("the user is gone")]
    UserGone,
    /// Stored data the store cannot read or write as it should.
    #[error("{0}")]
    Internal(String),
}

/// Turns a unique-constraint violation into [`StoreError::Taken`], as realworld-axum-sqlx does:
/// the database decides whether a value is taken, so two racing requests cannot both win.
pub(crate) trait ResultExt<T> {
    /// Maps a violation of the unique constraint on `constraint` (SQLite names it
    /// `table.column[, table.column]`) to `map()`; other errors pass through.
    fn on_unique(self, constraint: &str, map: impl FnOnce() -> StoreError) -> Result<T>;
}

impl<T, E: Into<StoreError>> ResultExt<T> for std::result::Result<T, E> {
    fn on_unique(self, constraint: &str, map: impl FnOnce() -> StoreError) -> Result<T> {
        self.map_err(|error| match error.into() {
            StoreError::Database(sqlx::Error::Database(db))
                if db.is_unique_violation() && db.message().ends_with(constraint) =>
            {
                map()
            }
            other => other,
        })
    }
}

use std::sync::Mutex;

/// Why the token store failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TokenStoreError(pub String);

/// Where the client token lives between runs: the OS keychain in the app, memory in tests.
///
/// The client reads it once when built and writes it whenever the server hands out a new one.
pub trait TokenStore: Send + Sync {
    /// The stored token, if any.
    fn load(&self) -> Result<Option<String>, TokenStoreError>;
    /// Replaces the stored token.
    fn save(&self, token: &str) -> Result<(), TokenStoreError>;
    /// Forgets the token.
    fn clear(&self) -> Result<(), TokenStoreError>;
}

/// A token store that forgets everything when dropped.
#[derive(Debug, Default)]
pub struct MemoryTokenStore(Mutex<Option<String>>);

impl MemoryTokenStore {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // A poisoned lock only means another thread panicked mid-write of a plain string.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> Result<Option<String>, TokenStoreError> {
        Ok(self.slot().clone())
    }

    fn save(&self, token: &str) -> Result<(), TokenStoreError> {
        *self.slot() = Some(token.to_owned());
        Ok(())
    }

    fn clear(&self) -> Result<(), TokenStoreError> {
        *self.slot() = None;
        Ok(())
    }
}

//! The Backend API secret key: given by the embedder, or generated once and kept in the data
//! directory (readable by its owner only).

use std::io::Write;
use std::path::Path;

use crate::config::Mode;
use crate::error::{Error, Result};
use crate::ids::random_base62;

/// The file, inside the data directory, that keeps a generated key.
pub const SECRET_KEY_FILE: &str = "secret_key";

/// Checks that a key looks like Clerk's: `sk_test_` or `sk_live_` and at least 16 more visible
/// ASCII characters.
pub fn validate(key: &str) -> Result<()> {
    let rest = key
        .strip_prefix("sk_test_")
        .or_else(|| key.strip_prefix("sk_live_"))
        .ok_or_else(|| Error::InvalidSecretKey("it must start with sk_test_ or sk_live_".into()))?;
    if rest.len() < 16 || !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::InvalidSecretKey(
            "it needs at least 16 visible ASCII characters after the prefix".into(),
        ));
    }
    Ok(())
}

/// The key to use: `given` if set, else the one stored in `data_dir`, else a new one (stored).
pub fn resolve(given: Option<&str>, data_dir: &Path, mode: Mode) -> Result<String> {
    if let Some(key) = given {
        validate(key)?;
        return Ok(key.to_owned());
    }
    let path = data_dir.join(SECRET_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(stored) => {
            let key = stored.trim().to_owned();
            validate(&key).map_err(|e| {
                Error::InvalidSecretKey(format!("{} holds an unusable key: {e}", path.display()))
            })?;
            return Ok(key);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    }
    let key = format!("{}{}", mode.secret_key_prefix(), random_base62(40));
    write_private(&path, &key)?;
    Ok(key)
}

/// Creates `path` with `contents`, readable and writable by the owner only. Fails if the file
/// appeared meanwhile, so two starts never overwrite each other's key.
fn write_private(path: &Path, contents: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let context = || format!("writing {}", path.display());
    let mut file = options.open(path).map_err(|e| Error::io(context(), e))?;
    file.write_all(contents.as_bytes()).map_err(|e| Error::io(context(), e))?;
    file.write_all(b"\n").map_err(|e| Error::io(context(), e))?;
    file.sync_all().map_err(|e| Error::io(context(), e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_wants_the_prefix_and_length() {
        assert!(validate("sk_test_0123456789abcdef").is_ok());
        assert!(validate("sk_live_0123456789abcdef").is_ok());
        assert!(validate("pk_test_0123456789abcdef").is_err());
        assert!(validate("sk_test_short").is_err());
        assert!(validate("sk_test_0123456789 abcdef").is_err());
    }

    #[test]
    fn a_generated_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = resolve(None, dir.path(), Mode::Development).expect("generate");
        assert!(first.starts_with("sk_test_"));
        let again = resolve(None, dir.path(), Mode::Development).expect("reuse");
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::metadata(dir.path().join(SECRET_KEY_FILE)).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_given_key_wins_and_is_not_stored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key =
            resolve(Some("sk_test_given_key_1234567890"), dir.path(), Mode::Development).expect("given");
        assert_eq!(key, "sk_test_given_key_1234567890");
        assert!(!dir.path().join(SECRET_KEY_FILE).exists());
    }
}

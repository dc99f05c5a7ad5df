//! Key files: read if present, else generated once and written readable by the owner only.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// The text of `path`; if there is no such file, `generate()`'s, written to `path` first (mode
/// 0600 on Unix). Should another start have written the file meanwhile, its key wins and ours is
/// dropped, so two starts never end up with different keys.
pub fn read_or_create(path: &Path, generate: impl FnOnce() -> Result<String>) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    }
    let text = generate()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let context = || format!("writing {}", path.display());
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return std::fs::read_to_string(path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e));
        }
        Err(e) => return Err(Error::io(context(), e)),
    };
    file.write_all(text.as_bytes()).map_err(|e| Error::io(context(), e))?;
    file.sync_all().map_err(|e| Error::io(context(), e))?;
    tracing::info!(file = %path.display(), "generated a key");
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_private_and_then_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("key");
        let first = read_or_create(&path, || Ok("one".into())).expect("create");
        let again = read_or_create(&path, || panic!("must not generate again")).expect("read");
        assert_eq!((first.as_str(), again.as_str()), ("one", "one"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

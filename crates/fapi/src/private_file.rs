//! Files only their owner may read, written whole or not at all.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `contents` through a new temporary file beside `path` and a rename, so a crash never
/// leaves half a file, with mode 0600 on Unix. The temporary file has a random name and is
/// created exclusively: a file or symlink someone planted beside the target is never opened or
/// overwritten. The rename replaces `path` itself, never what a symlink at `path` points to.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let (temporary, mut file) = create_temporary(dir, path)?;
    let written = file.write_all(contents).and_then(|()| file.sync_all()).and_then(|()| {
        drop(file);
        fs::rename(&temporary, path)
    });
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    sync_dir(dir)
}

fn create_temporary(dir: &Path, path: &Path) -> io::Result<(PathBuf, fs::File)> {
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    loop {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|error| io::Error::other(error.to_string()))?;
        let suffix: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
        let temporary = dir.join(format!(".{name}.{suffix}.tmp"));
        let mut options = fs::OpenOptions::new();
        // O_CREAT | O_EXCL: fails on anything already there, a symlink included.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&temporary) {
            Ok(file) => return Ok((temporary, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
}

/// Makes the rename durable: the directory's entry is on disk, not only the file's data.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("codes.txt");
        write(&path, b"first").unwrap();
        write(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let left: Vec<_> =
            fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["codes.txt"], "no temporary file is left behind");
    }

    #[test]
    fn a_neighbour_named_like_the_old_temporary_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let neighbour = dir.path().join("codes.tmp");
        fs::write(&neighbour, b"the person's own file").unwrap();
        write(&dir.path().join("codes.txt"), b"backup codes").unwrap();
        assert_eq!(fs::read(&neighbour).unwrap(), b"the person's own file");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        // Where the former fixed temporary name pointed, and the target itself.
        std::os::unix::fs::symlink(&victim, dir.path().join("codes.tmp")).unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("codes.txt")).unwrap();
        write(&dir.path().join("codes.txt"), b"backup codes").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious", "the symlinks' target is untouched");
        let target = dir.path().join("codes.txt");
        assert!(!fs::symlink_metadata(&target).unwrap().file_type().is_symlink(), "replaced, not followed");
        assert_eq!(fs::read(&target).unwrap(), b"backup codes");
    }
}

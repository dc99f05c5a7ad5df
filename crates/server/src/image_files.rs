//! The profile images' files: `profile_images/` in the data directory, one file per image, named
//! by its id. A file is written once under a temporary name and renamed into place, so a reader
//! never sees half an image and a crash leaves at most a temporary file, which the next start
//! removes with any file no user refers to.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ids::{new_id, random_base62};

/// The directory inside the data directory.
pub const IMAGES_DIR: &str = "profile_images";

/// The prefix of image ids.
const ID_PREFIX: &str = "img";
/// Temporary files end so; no id does.
const TEMP_SUFFIX: &str = ".tmp";

/// A new image id: `img_` and 27 base62 characters.
pub fn new_image_id() -> String {
    new_id(ID_PREFIX)
}

/// Whether `id` has the shape of an id this server makes, and so can safely name a file (no
/// separators, no dots, nothing else).
pub fn is_image_id(id: &str) -> bool {
    id.strip_prefix("img_")
        .is_some_and(|rest| rest.len() == 27 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The directory of profile image files.
#[derive(Debug)]
pub struct ImageFiles {
    dir: PathBuf,
}

impl ImageFiles {
    /// Opens `profile_images/` in `data_dir`, creating it (owner only) if missing.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let dir = data_dir.join(IMAGES_DIR);
        if !dir.is_dir() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(&dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        Ok(Self { dir })
    }

    fn path(&self, id: &str) -> Result<PathBuf> {
        if !is_image_id(id) {
            return Err(Error::Internal(format!("{id:?} is not an image id")));
        }
        Ok(self.dir.join(id))
    }

    /// Writes a new image file: to a temporary file, flushed to disk, then renamed into place.
    pub async fn write_new(&self, id: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(id)?;
        let temp = self.dir.join(format!("{id}.{}{TEMP_SUFFIX}", random_base62(8)));
        tokio::task::spawn_blocking(move || write_atomically(&temp, &path, &bytes))
            .await
            .map_err(|e| Error::Internal(format!("the image writer stopped: {e}")))?
    }

    /// The bytes of an image file; `None` if there is none of that id.
    pub async fn read(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(id)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
        }
    }

    /// Removes an image file that no user refers to any more. A failure is logged, not returned:
    /// the change it follows is already committed, and the next start removes the file anyway.
    pub async fn remove(&self, id: &str) {
        let path = match self.path(id) {
            Ok(path) => path,
            Err(error) => {
                tracing::error!(%error, "not removing an image file");
                return;
            }
        };
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not remove an image file"),
        }
    }

    /// Removes every file that is not the image of an id in `in_use`: temporary files of writes
    /// a crash interrupted, and images whose removal did not happen. Run at start, when no
    /// upload is under way.
    pub fn sweep(&self, in_use: &HashSet<String>) -> Result<usize> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| Error::io(format!("listing {}", self.dir.display()), e))?;
        let mut removed = 0;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(format!("listing {}", self.dir.display()), e))?;
            let name = entry.file_name();
            let keep = name.to_str().is_some_and(|name| is_image_id(name) && in_use.contains(name));
            if keep || !entry.file_type().is_ok_and(|kind| kind.is_file()) {
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(path = %entry.path().display(), error = %e, "could not remove a stray image file")
                }
            }
        }
        Ok(removed)
    }
}

fn write_atomically(temp: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let result = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(temp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(temp);
        Error::io(format!("writing {}", path.display()), e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ids_of_our_shape_name_files() {
        assert!(is_image_id(&new_image_id()));
        for bad in [
            "",
            "img_",
            "img_../../../../etc/passwd",
            "img_aaaaaaaaaaaaaaaaaaaaaaaaaa/",
            "img_aaaaaaaaaaaaaaaaaaaaaaaaaa.",
            "user_aaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "img_aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(!is_image_id(bad), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn files_are_written_whole_and_strays_swept() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let files = ImageFiles::open(dir.path()).expect("open");
        let kept = new_image_id();
        let stray = new_image_id();
        files.write_new(&kept, b"kept".to_vec()).await.expect("write");
        files.write_new(&stray, b"stray".to_vec()).await.expect("write");
        std::fs::write(dir.path().join(IMAGES_DIR).join(format!("{kept}.abc.tmp")), b"half").expect("temp");
        assert_eq!(files.read(&kept).await.expect("read").as_deref(), Some(&b"kept"[..]));

        let removed = files.sweep(&HashSet::from([kept.clone()])).expect("sweep");
        assert_eq!(removed, 2);
        assert_eq!(files.read(&kept).await.expect("read").as_deref(), Some(&b"kept"[..]));
        assert_eq!(files.read(&stray).await.expect("read"), None);
        files.remove(&kept).await;
        assert_eq!(files.read(&kept).await.expect("read"), None);
    }
}

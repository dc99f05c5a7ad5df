//! Before 0.2 the bundle identifier was `dev.userdesk.app`, which macOS reads as an application
//! bundle's name. The app's data directory and keychain entries were named after it; they are
//! taken over once, so nobody is signed out or loses settings by the rename.

use std::path::Path;

pub const FORMER_IDENTIFIER: &str = "dev.userdesk.app";

/// Moves the former data directory (its sibling of that name) to `data_dir`, when only the
/// former exists.
pub fn adopt_data_dir(data_dir: &Path) {
    let Some(former) = data_dir.parent().map(|parent| parent.join(FORMER_IDENTIFIER)) else { return };
    if former == data_dir || data_dir.exists() || !former.is_dir() {
        return;
    }
    match std::fs::rename(&former, data_dir) {
        Ok(()) => tracing::info!("moved {} to {}", former.display(), data_dir.display()),
        Err(error) => tracing::warn!("cannot move {} to {}: {error}", former.display(), data_dir.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_former_data_directory_is_taken_over_once() {
        let root = tempfile::tempdir().unwrap();
        let former = root.path().join(FORMER_IDENTIFIER);
        std::fs::create_dir(&former).unwrap();
        std::fs::write(former.join("settings.json"), "{}").unwrap();
        let current = root.path().join("dev.userdesk.Userdesk");

        adopt_data_dir(&current);
        assert_eq!(std::fs::read_to_string(current.join("settings.json")).unwrap(), "{}");
        assert!(!former.exists());

        // Both there (an old build ran again): the current one is kept as it is.
        std::fs::create_dir(&former).unwrap();
        std::fs::write(former.join("settings.json"), "old").unwrap();
        adopt_data_dir(&current);
        assert_eq!(std::fs::read_to_string(current.join("settings.json")).unwrap(), "{}");
        assert!(former.exists());
    }
}

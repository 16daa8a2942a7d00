//! What the process creates is private to its user: the umask is `0o077` from the start, so
//! files are created `0600` (the database, its `-wal` and `-shm`, keys, blobs) and directories
//! `0700`; and `serve` warns at start about a data directory or database file that an earlier
//! run (or an operator) left open to the group or to others.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use nix::sys::stat::{Mode, umask};

/// Sets the umask to `0o077` (for the whole process and the threads it starts).
pub fn restrict_new_files() {
    umask(Mode::from_bits_truncate(0o077));
}

/// Logs a warning when `path` exists with any permission for the group or others; whether
/// it did.
pub fn warn_if_shared(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else { return false };
    let mode = meta.permissions().mode() & 0o777;
    let shared = mode & 0o077 != 0;
    if shared {
        tracing::warn!(
            "{} is mode {mode:o}, open to the group or others: restrict it (chmod {}) so that only this user can read it",
            path.display(),
            if meta.is_dir() { "700" } else { "600" },
        );
    }
    shared
}

/// [`warn_if_shared`] for the data directory and, on SQLite, the database with its `-wal` and
/// `-shm`.
pub fn warn_about_shared_data(data: &Path, database: &crate::store::Database) {
    warn_if_shared(data);
    if let crate::store::Database::Sqlite(file) = database {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = file.clone().into_os_string();
            name.push(suffix);
            warn_if_shared(Path::new(&name));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::warn_if_shared;

    #[test]
    fn only_modes_open_to_group_or_others_are_shared() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        for (mode, shared) in [(0o600, false), (0o400, false), (0o640, true), (0o604, true)] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(warn_if_shared(&file), shared, "{mode:o}");
        }
        assert!(!warn_if_shared(&dir.path().join("missing")));
    }
}

//! Copying files for a backup and a restore: every file created 0600 and every directory 0700
//! (keys and originals are private), each file synced, each directory synced once its entries
//! are in it.

use std::fs::{DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use anyhow::Context;

/// Files and bytes copied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copied {
    pub files: u64,
    pub bytes: u64,
}

impl Copied {
    fn add(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }
}

/// Creates `dir` and its missing parents, 0700.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Syncs the directory `dir` (its entries are durable once this returns).
pub fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).with_context(|| format!("syncing {}", dir.display()))
}

/// Copies the file `from` to `to` (0600, synced); `replace`: over an existing `to`, else an
/// existing `to` is left as it is and nothing is copied. The bytes copied, if any.
pub fn copy_file(from: &Path, to: &Path, replace: bool) -> anyhow::Result<Option<u64>> {
    let mut source = File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let mut options = OpenOptions::new();
    options.write(true).mode(0o600);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut target = match options.open(to) {
        Ok(file) => file,
        Err(e) if !replace && e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("creating {}", to.display())),
    };
    let bytes = std::io::copy(&mut source, &mut target).with_context(|| format!("copying {}", from.display()))?;
    target.sync_all().with_context(|| format!("syncing {}", to.display()))?;
    Ok(Some(bytes))
}

/// Copies the directory tree `from` into `to` (created 0700), file by file as
/// [`copy_file`] with `replace`; symbolic links and other special files are skipped.
pub fn copy_tree(from: &Path, to: &Path, replace: bool) -> anyhow::Result<Copied> {
    let mut copied = Copied::default();
    private_dir(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry.with_context(|| format!("reading {}", from.display()))?;
        let kind = entry.file_type()?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if kind.is_dir() {
            let sub = copy_tree(&source, &target, replace)?;
            copied.files += sub.files;
            copied.bytes += sub.bytes;
        } else if kind.is_file()
            && let Some(bytes) = copy_file(&source, &target, replace)?
        {
            copied.add(bytes);
        }
    }
    sync_dir(to)?;
    Ok(copied)
}

/// Copies `<from>/<name>` into `<to>/<name>` ([`copy_file`], creating `<to>/` 0700) when it
/// exists; the bytes copied, if any.
pub fn copy_if_present(from: &Path, to: &Path, name: &str, replace: bool) -> anyhow::Result<Option<u64>> {
    let source = from.join(name);
    if !source.is_file() {
        return Ok(None);
    }
    private_dir(to)?;
    copy_file(&source, &to.join(name), replace)
}

/// Whether `dir` is missing or an empty directory.
pub fn missing_or_empty(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.display())),
    }
}

/// Adds what a copy of one original added.
pub fn count(total: &mut Copied, bytes: Option<u64>) {
    if let Some(bytes) = bytes {
        total.add(bytes);
    }
}

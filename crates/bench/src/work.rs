//! The benchmark's scratch folder (SQLite databases, server logs, mail servers' files):
//! removed when dropped unless a failure asked to keep it for its logs.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The scratch folder, removed when dropped unless a failure asked to keep its logs.
pub struct WorkDir {
    path: PathBuf,
    keep: std::cell::Cell<bool>,
}

impl WorkDir {
    pub fn create(path: PathBuf) -> anyhow::Result<Self> {
        if path.exists() {
            bail!("{} exists already; pick another --work-dir", path.display());
        }
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self {
            path,
            keep: std::cell::Cell::new(false),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn keep(&self) {
        self.keep.set(true);
        eprintln!("server logs kept in {}", self.path.display());
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.keep.get() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

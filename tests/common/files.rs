//! Scratch directories for tests, from the `tempfile` crate: unique per test, so tests run in
//! parallel (and two checkouts at once) never share files, and removed on drop, also when the
//! test fails.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A fresh, empty directory for one test's files.
pub struct Scratch(TempDir);

impl Scratch {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("deploycheck-test-")
            .tempdir()
            .expect("create a temporary directory");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// Write `contents` to `name`, a path relative to the directory (parent directories are
    /// created), and return the file's full path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create the directory");
        }
        fs::write(&path, contents).expect("write the file");
        path
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

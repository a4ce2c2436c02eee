//! Writing what a run produces: the report (`-o FILE`), the baseline (`--write-baseline FILE`)
//! and the GitHub step summary (`GITHUB_STEP_SUMMARY`).
//!
//! Nothing a run reads is ever written to. `deploycheck lint .env.production -o
//! .env.production` used to replace the configuration with its own report, and so did `-o` onto
//! a rule file, the configuration, the example, the baseline or the Settings class, through
//! `./`, a symlink or a hard link alike. So every output is compared with every file the run's
//! [`Reader`] recorded, by [`FileIdentity`] (device and inode, links resolved), and refused
//! before anything is written.
//!
//! A file is replaced whole or not at all: written to a temporary file in its directory, synced,
//! and renamed over it (rename is atomic within a file system). A write that fails half-way (a
//! full disk, a file size limit) leaves the previous file as it was and no temporary file
//! behind. A symlink keeps pointing where it did (the file it names is replaced), and a file
//! replaced keeps its permissions. An output that is not a regular file (`-o /dev/stdout`, a
//! pipe) has nothing to replace and is written directly.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::source::read::{FileIdentity, Reader};

/// What is written, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `-o FILE`.
    Report,
    /// `--write-baseline FILE`.
    Baseline,
    /// The file `GITHUB_STEP_SUMMARY` names, appended to.
    StepSummary,
}

impl Output {
    /// The output as the user named it: `-o FILE`, `GITHUB_STEP_SUMMARY=FILE`.
    fn named(self, path: &Path) -> String {
        let path = path.display();
        match self {
            Output::Report => format!("-o {path}"),
            Output::Baseline => format!("--write-baseline {path}"),
            Output::StepSummary => format!("GITHUB_STEP_SUMMARY={path}"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Output::Report => "report",
            Output::Baseline => "baseline",
            Output::StepSummary => "step summary",
        }
    }
}

/// Refuse to write `output` to `path` when it is a file the run read.
pub fn refuse_input(reader: &Reader, path: &Path, output: Output) -> Result<(), Error> {
    let Some(identity) = FileIdentity::of(path) else {
        // Nothing there yet: it cannot be a file the run read.
        return Ok(());
    };
    match reader.read_as(&identity) {
        Some(input) => Err(Error::OutputIsInput {
            output: output.named(path),
            input: input.name,
            noun: output.noun(),
        }),
        None => Ok(()),
    }
}

/// Replace the file at `path` with what `write` writes, whole or not at all (see the module
/// documentation). A failed write is an error naming the file.
pub fn replace(
    reader: &Reader,
    path: &Path,
    output: Output,
    write: impl FnOnce(&mut dyn Write) -> Result<(), Error>,
) -> Result<(), Error> {
    refuse_input(reader, path, output)?;
    replace_whole(path, write)
}

/// Replace the file at `path` with what `write` writes, whole or not at all, without asking
/// whether the run read it: for `init`, which reads the files it updates (a pyproject.toml it
/// appends to, a configuration it was told to replace) and decides itself what it may write.
pub fn replace_whole(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), Error>,
) -> Result<(), Error> {
    let name = path.display().to_string();
    let unwritable = |error: std::io::Error| Error::Unwritable {
        path: name.clone(),
        reason: error.to_string(),
    };
    // An I/O error while rendering is this file's problem, said with its name.
    let named = |error: Error| match error {
        Error::Output(error) => unwritable(error),
        other => other,
    };
    // The file a symlink names is replaced, and the link kept.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let previous = std::fs::metadata(&target).ok();
    if let Some(previous) = previous.as_ref().filter(|metadata| !metadata.is_file()) {
        if previous.is_dir() {
            return Err(unwritable(std::io::Error::other("is a directory")));
        }
        // A device or a pipe: nothing to replace.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&target)
            .map_err(unwritable)?;
        let mut out = std::io::BufWriter::new(file);
        write(&mut out).map_err(named)?;
        return out.flush().map_err(unwritable);
    }
    // Removed when dropped, on every way out of here but the rename.
    let temporary = Temporary::beside(&target).map_err(unwritable)?;
    let mut out = std::io::BufWriter::new(&temporary.file);
    write(&mut out).map_err(named)?;
    out.flush().map_err(unwritable)?;
    drop(out);
    if let Some(previous) = &previous {
        std::fs::set_permissions(&temporary.path, previous.permissions()).map_err(unwritable)?;
    }
    temporary.rename_to(&target).map_err(unwritable)
}

/// Append `text` to the file at `path`, created if missing.
pub fn append(reader: &Reader, path: &Path, output: Output, text: &[u8]) -> Result<(), Error> {
    refuse_input(reader, path, output)?;
    let unwritable = |error: std::io::Error| Error::Unwritable {
        path: path.display().to_string(),
        reason: match output {
            Output::StepSummary => format!("{error} (the file GITHUB_STEP_SUMMARY names)"),
            Output::Report | Output::Baseline => error.to_string(),
        },
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(unwritable)?;
    file.write_all(text).map_err(unwritable)
}

/// A hidden temporary file beside a destination (`.report.json.1234-0.tmp`), removed when
/// dropped unless renamed over the destination. Created as `File::create` creates a file, so
/// a new output gets the usual permissions; by this process only (its id is in the name, and a
/// name taken is skipped).
struct Temporary {
    path: PathBuf,
    file: std::fs::File,
    renamed: bool,
}

impl Temporary {
    fn beside(target: &Path) -> std::io::Result<Self> {
        let file_name = target
            .file_name()
            .ok_or_else(|| std::io::Error::other("not a file name"))?;
        let directory = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            Some(_) | None => Path::new("."),
        };
        let mut attempt = 0u32;
        loop {
            let mut name = std::ffi::OsString::from(".");
            name.push(file_name);
            name.push(format!(".{}-{attempt}.tmp", std::process::id()));
            let path = directory.join(name);
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(Temporary {
                        path,
                        file,
                        renamed: false,
                    });
                }
                Err(error)
                    if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 =>
                {
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Put the file, written to disk, in `target`'s place, in one step.
    fn rename_to(mut self, target: &Path) -> std::io::Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.path, target)?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.renamed {
            // Best effort: the error that brought us here is the one to report.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

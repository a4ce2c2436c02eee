//! Reading an input: a path or standard input (`-`), as UTF-8 text without a NUL byte. Every
//! failure is a clear [`Error`] naming the path; nothing is ever written back.
//!
//! Only regular files and standard input are read: a FIFO would block the run forever when
//! opened, and a device (`/dev/zero`, reached through a symlink too) never ends, so anything
//! else is refused from its metadata, before it is opened. Every read stops at the run's limit
//! ([`MAX_INPUT_SIZE`] unless `--max-input-size` or `max-input-size` says otherwise), so an
//! endless standard input ends the run at once too.
//!
//! Every file a run reads goes through its one [`Reader`], which records the file's identity:
//! the outputs (`-o`, `--write-baseline`, the GitHub step summary) are checked against that
//! record before anything is written (see [`crate::output`]). The reader is a value passed to
//! whatever reads, not a process-wide setting: tests run commands side by side in one process,
//! each with its own limit and its own record. A run's inputs are read on several threads at
//! once (see [`crate::parallel`]), so the record is shared behind a lock.

use std::io::{ErrorKind, Read};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::SourceFile;
use crate::error::Error;

/// The most any input, rule file or configuration may hold unless the run says otherwise: far
/// above any real configuration (the 1M-line benchmark file is about 40 MB), far below what
/// would exhaust memory.
pub const MAX_INPUT_SIZE: u64 = 256 * 1024 * 1024;

/// Which file a path names, links resolved: its device and inode on Unix, so that `./x`, a
/// symlink to `x` and a hard link to `x` are all `x`; elsewhere its canonical path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileIdentity {
    #[cfg(unix)]
    device: u64,
    #[cfg(unix)]
    inode: u64,
    #[cfg(not(unix))]
    path: std::path::PathBuf,
}

impl FileIdentity {
    /// The file `path` names now, if there is one.
    pub fn of(path: &Path) -> Option<Self> {
        #[cfg(unix)]
        {
            std::fs::metadata(path)
                .ok()
                .map(|metadata| Self::unix(&metadata))
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path)
                .ok()
                .map(|path| FileIdentity { path })
        }
    }

    /// The file the process's standard input is redirected from (`deploycheck lint - < .env`),
    /// when it is a regular file: a pipe or a terminal is no file an output could replace.
    pub fn of_standard_input() -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            let descriptor = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
            let metadata = std::fs::File::from(descriptor).metadata().ok()?;
            metadata.is_file().then(|| Self::unix(&metadata))
        }
        #[cfg(not(unix))]
        {
            None
        }
    }

    /// The file that was opened from `path`: from the open file itself where the system says.
    fn of_open(file: &std::fs::File, path: &Path) -> Option<Self> {
        #[cfg(unix)]
        {
            let _ = path;
            file.metadata().ok().map(|metadata| Self::unix(&metadata))
        }
        #[cfg(not(unix))]
        {
            let _ = file;
            Self::of(path)
        }
    }

    #[cfg(unix)]
    fn unix(metadata: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
        }
    }
}

/// A file a run read: which file, and the name it was read under (for messages).
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub identity: FileIdentity,
    pub name: String,
}

/// The one way a run reads files: with the run's size limit, recording every file it opens.
/// Clones share the record, so a reader with another limit ([`Reader::with_limit`]) still
/// records into the same run.
#[derive(Debug, Clone)]
pub struct Reader {
    limit: u64,
    files: Arc<Mutex<Vec<ReadFile>>>,
    /// The file standard input is redirected from, recorded when `-` is read.
    standard_input: Option<FileIdentity>,
}

impl Default for Reader {
    /// A fresh record, the default limit, and a standard input that is no file.
    fn default() -> Self {
        Reader {
            limit: MAX_INPUT_SIZE,
            files: Arc::default(),
            standard_input: None,
        }
    }
}

impl Reader {
    /// A fresh reader whose standard input, when read, is the file `standard_input` (see
    /// [`FileIdentity::of_standard_input`]).
    pub fn new(standard_input: Option<FileIdentity>) -> Self {
        Reader {
            standard_input,
            ..Reader::default()
        }
    }

    /// A reader of the same run (the same record) with another size limit.
    pub fn with_limit(&self, limit: u64) -> Self {
        Reader {
            limit,
            files: Arc::clone(&self.files),
            standard_input: self.standard_input.clone(),
        }
    }

    /// The files read so far. A thread that panicked while holding the lock left the record
    /// whole (each change is one push), so the run goes on with it.
    fn record(&self) -> MutexGuard<'_, Vec<ReadFile>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The most a read may give, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The file of the run's record that `identity` is, if the run read it.
    pub fn read_as(&self, identity: &FileIdentity) -> Option<ReadFile> {
        self.record()
            .iter()
            .find(|file| file.identity == *identity)
            .cloned()
    }

    /// Read `path` (or standard input for `-`) into a [`SourceFile`] named as given.
    pub fn read(&self, path: &str, stdin: &mut dyn Read) -> Result<SourceFile, Error> {
        let bytes = if path == "-" {
            if let Some(identity) = &self.standard_input {
                self.record().push(ReadFile {
                    identity: identity.clone(),
                    name: "standard input".to_owned(),
                });
            }
            self.read_limited("-", stdin)?
        } else {
            self.read_file(Path::new(path), path)?
        };
        let text = decode(path, bytes)?;
        if let Some(offset) = text.find('\0') {
            let (line, column) = super::line_col(&text, offset);
            return Err(Error::NulByte {
                path: path.to_owned(),
                line,
                column,
            });
        }
        Ok(SourceFile::new(path, text))
    }

    /// Read a file the tool itself needs (a rule file, the configuration, a baseline) as text.
    pub fn read_path(&self, path: &Path) -> Result<String, Error> {
        let name = path.display().to_string();
        let bytes = self.read_file(path, &name)?;
        decode(&name, bytes)
    }

    /// The bytes of any file the tool reads (a CA file, a Python source), with the same
    /// refusals and limit as an input.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, Error> {
        self.read_file(path, &path.display().to_string())
    }

    /// The bytes of a regular file, refused before opening when it is not one, and recorded
    /// once opened (whether or not what it holds can be used).
    fn read_file(&self, path: &Path, name: &str) -> Result<Vec<u8>, Error> {
        let metadata = std::fs::metadata(path).map_err(|error| match error.kind() {
            ErrorKind::NotFound => Error::NotFound {
                path: name.to_owned(),
            },
            _ => Error::Unreadable {
                path: name.to_owned(),
                reason: describe(&error),
            },
        })?;
        if metadata.is_dir() {
            return Err(Error::IsDirectory {
                path: name.to_owned(),
            });
        }
        if !metadata.is_file() {
            return Err(Error::NotRegularFile {
                path: name.to_owned(),
                kind: file_kind(&metadata),
            });
        }
        let file = std::fs::File::open(path).map_err(|error| Error::Unreadable {
            path: name.to_owned(),
            reason: describe(&error),
        })?;
        if let Some(identity) = FileIdentity::of_open(&file, path) {
            self.record().push(ReadFile {
                identity,
                name: name.to_owned(),
            });
        }
        self.read_limited(name, &mut std::io::BufReader::new(file))
    }

    /// Everything `reader` gives, up to the limit; more is an error.
    fn read_limited(&self, name: &str, reader: &mut dyn Read) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::new();
        reader
            .take(self.limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|error| Error::Unreadable {
                path: name.to_owned(),
                reason: describe(&error),
            })?;
        if bytes.len() as u64 > self.limit {
            return Err(Error::TooLarge {
                path: name.to_owned(),
                limit: self.limit,
            });
        }
        Ok(bytes)
    }
}

/// What a file that is not a regular file is, for the message.
fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    let _ = metadata;
    "not a file"
}

/// Bytes to text, as python-dotenv requires: UTF-8.
///
/// A NUL byte is valid UTF-8 and stays: in an input, [`Reader::read`] refuses it for what it means to a
/// deployment; in the tool's own files, their parsers point at it.
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|error| Error::NotUtf8 {
        path: path.to_owned(),
        offset: error.utf8_error().valid_up_to(),
    })
}

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_byte_is_text_but_not_an_input() {
        assert_eq!(decode("t", b"A=x\0y".to_vec()).expect("UTF-8"), "A=x\0y");
        let reader = Reader::default();
        let error = reader
            .read("-", &mut &b"A=1\r\nB=x\0y"[..])
            .expect_err("a NUL byte");
        assert!(
            matches!(
                &error,
                Error::NulByte {
                    line: 2,
                    column: 4,
                    ..
                }
            ),
            "{error:?}"
        );
        let error = reader
            .read("-", &mut &b"A=caf\xe9\0"[..])
            .expect_err("not UTF-8");
        assert!(
            matches!(error, Error::NotUtf8 { offset: 5, .. }),
            "{error:?}"
        );
    }
}

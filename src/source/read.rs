//! Reading an input: a path or standard input (`-`), as UTF-8 text without a NUL byte. Every
//! failure is a clear [`Error`] naming the path; nothing is ever written back.
//!
//! Only regular files and standard input are read: a FIFO would block the run forever when
//! opened, and a device (`/dev/zero`, reached through a symlink too) never ends, so anything
//! else is refused from its metadata, before it is opened. Every read stops at
//! [`MAX_INPUT_SIZE`], so an endless standard input ends the run at once too.

use std::io::{ErrorKind, Read};
use std::path::Path;

use super::SourceFile;
use crate::error::Error;

/// The most any input, rule file or configuration may hold: far above any real configuration
/// (the 1M-line benchmark file is about 40 MB), far below what would exhaust memory.
pub const MAX_INPUT_SIZE: u64 = 256 * 1024 * 1024;

/// Read `path` (or standard input for `-`) into a [`SourceFile`] named as given.
pub fn read(path: &str, stdin: &mut dyn Read) -> Result<SourceFile, Error> {
    let bytes = if path == "-" {
        read_limited("-", stdin)?
    } else {
        read_file(Path::new(path), path)?
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
pub fn read_path(path: &Path) -> Result<String, Error> {
    let name = path.display().to_string();
    let bytes = read_file(path, &name)?;
    decode(&name, bytes)
}

/// The bytes of any file the tool reads (a CA file, a Python source), with the same refusals
/// and limit as an input.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    read_file(path, &path.display().to_string())
}

/// The bytes of a regular file, refused before opening when it is not one.
fn read_file(path: &Path, name: &str) -> Result<Vec<u8>, Error> {
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
    read_limited(name, &mut std::io::BufReader::new(file))
}

/// Everything `reader` gives, up to [`MAX_INPUT_SIZE`] bytes; more is an error.
fn read_limited(name: &str, reader: &mut dyn Read) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Error::Unreadable {
            path: name.to_owned(),
            reason: describe(&error),
        })?;
    if bytes.len() as u64 > MAX_INPUT_SIZE {
        return Err(Error::TooLarge {
            path: name.to_owned(),
            limit: MAX_INPUT_SIZE,
        });
    }
    Ok(bytes)
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
/// A NUL byte is valid UTF-8 and stays: in an input, [`read`] refuses it for what it means to a
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
        let error = read("-", &mut &b"A=1\r\nB=x\0y"[..]).expect_err("a NUL byte");
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
        let error = read("-", &mut &b"A=caf\xe9\0"[..]).expect_err("not UTF-8");
        assert!(
            matches!(error, Error::NotUtf8 { offset: 5, .. }),
            "{error:?}"
        );
    }
}

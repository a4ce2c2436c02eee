//! Reading an input: a path or standard input (`-`), as UTF-8 text. Every failure is a clear
//! [`Error`] naming the path; nothing is ever written back.

use std::io::{ErrorKind, Read};

use super::SourceFile;
use crate::error::Error;

/// Read `path` (or standard input for `-`) into a [`SourceFile`] named as given.
pub fn read(path: &str, stdin: &mut dyn Read) -> Result<SourceFile, Error> {
    let bytes = if path == "-" {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|error| Error::Unreadable {
                path: "-".to_owned(),
                reason: error.to_string(),
            })?;
        bytes
    } else {
        match std::fs::metadata(path) {
            Err(error) if error.kind() == ErrorKind::NotFound => {
                return Err(Error::NotFound {
                    path: path.to_owned(),
                });
            }
            Ok(metadata) if metadata.is_dir() => {
                return Err(Error::IsDirectory {
                    path: path.to_owned(),
                });
            }
            _ => {}
        }
        std::fs::read(path).map_err(|error| Error::Unreadable {
            path: path.to_owned(),
            reason: describe(&error),
        })?
    };
    decode(path, bytes).map(|text| SourceFile::new(path, text))
}

/// Read a file the tool itself needs (a rule file, the configuration, a baseline) as text.
pub fn read_path(path: &std::path::Path) -> Result<String, Error> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| match error.kind() {
        ErrorKind::NotFound => Error::NotFound { path: name.clone() },
        _ => Error::Unreadable {
            path: name.clone(),
            reason: describe(&error),
        },
    })?;
    decode(&name, bytes)
}

/// Bytes to text, as python-dotenv requires: UTF-8, and no NUL (binary data).
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<String, Error> {
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(Error::NotText {
            path: path.to_owned(),
            offset,
            problem: "binary data (a NUL byte)",
        });
    }
    String::from_utf8(bytes).map_err(|error| Error::NotText {
        path: path.to_owned(),
        offset: error.utf8_error().valid_up_to(),
        problem: "not valid UTF-8",
    })
}

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

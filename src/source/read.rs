//! Reading an input: a path or standard input (`-`), as UTF-8 text without a NUL byte. Every
//! failure is a clear [`Error`] naming the path; nothing is ever written back.

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

//! Baselines: adopt the gate on an existing configuration. `--write-baseline FILE` records the
//! current findings; `--baseline FILE` then reports only findings that are not in it, so
//! anything new still fails.
//!
//! An entry is the rule, the file as named and the key, and nothing derived from a value.
//! Version 1 also stored SHA-256(salt || 0 || value), with the salt beside it, so that a changed
//! value made its finding new again. A salt stored beside its hash does not slow a guess down:
//! a seven-word list recovered `SECRET_KEY=Summer2024!` and a whole database URL, password
//! included, from a committed baseline. A value fingerprint would be safe only for values that
//! are not secret, and which values are secret is judged from names and known values: a
//! password under an innocent name, or a webhook URL with its token in the path, is a secret
//! nobody declared. So no value is fingerprinted, as SARIF's `partialFingerprints` never were.
//!
//! What this means: a baselined finding stays suppressed when only its value changes (a secret
//! rotated to another weak one, `DEBUG=true` to `DEBUG=yes`), and comes back when its key, its
//! rule or its file changes.
//!
//! A version 1 baseline is refused, not read: it is itself the file that reveals the values, and
//! the error is how a team learns to write a new one and to remove the old one from history.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::finding::Finding;
use crate::output::{self, Output};
use crate::source::read::Reader;

pub const VERSION: u32 = 2;

/// A finding as a baseline knows it: where and what, never a value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub rule: String,
    pub file: String,
    pub key: Option<String>,
}

impl Fingerprint {
    /// The fingerprint of `finding` in `file` (its source's name; `\` written as `/`, so that a
    /// baseline written on Windows matches elsewhere).
    pub fn of(finding: &Finding, file: &str) -> Self {
        Fingerprint {
            rule: finding.rule.clone(),
            file: file.replace('\\', "/"),
            key: finding.key.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: BTreeSet<Fingerprint>,
}

/// The version of a baseline file, read before the rest: each version has its own fields.
#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

impl Baseline {
    /// An empty baseline.
    pub fn new() -> Self {
        Baseline {
            version: VERSION,
            findings: BTreeSet::new(),
        }
    }

    pub fn contains(&self, fingerprint: &Fingerprint) -> bool {
        self.findings.contains(fingerprint)
    }

    pub fn load(path: &Path, reader: &Reader) -> Result<Self, Error> {
        let text = reader.read_path(path)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Read a baseline's text; `name` is how errors call the file.
    pub fn parse(name: &str, text: &str) -> Result<Self, Error> {
        let invalid = |error: serde_json::Error| Error::InvalidInput {
            path: name.to_owned(),
            line: error.line(),
            column: error.column(),
            message: format!("not a deploycheck baseline: {error}"),
            help: Some("write one with `deploycheck lint --write-baseline FILE ...`".to_owned()),
        };
        let refused = |message: String, help: &str| Error::InvalidInput {
            path: name.to_owned(),
            line: 1,
            column: 1,
            message,
            help: Some(help.to_owned()),
        };
        match serde_json::from_str::<Versioned>(text)
            .map_err(invalid)?
            .version
        {
            VERSION => serde_json::from_str(text).map_err(invalid),
            1 => Err(refused(
                "a version 1 baseline: it holds salted hashes of the values, from which a \
                 secret can be recovered"
                    .to_owned(),
                "write it again with `deploycheck lint --write-baseline FILE ...` (a baseline \
                 now holds no value), and remove the old file from the repository's history",
            )),
            other => Err(refused(
                format!("baseline version {other} is not supported (expected {VERSION})"),
                "write it again with this version of deploycheck: `deploycheck lint \
                 --write-baseline FILE ...`",
            )),
        }
    }

    /// The text `--write-baseline` writes: pretty JSON and a final line break.
    pub fn to_text(&self) -> Result<String, Error> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::from)?;
        text.push('\n');
        Ok(text)
    }

    /// Write the baseline to `path`, whole or not at all, never over a file the run read.
    pub fn write(&self, path: &Path, reader: &Reader) -> Result<(), Error> {
        let text = self.to_text()?;
        output::replace(reader, path, Output::Baseline, |out| {
            out.write_all(text.as_bytes())?;
            Ok(())
        })
    }
}

impl Default for Baseline {
    fn default() -> Self {
        Self::new()
    }
}

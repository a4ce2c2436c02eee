//! Baselines: adopt the gate on an existing configuration. `--write-baseline FILE` records the
//! current findings by fingerprint; `--baseline FILE` then reports only findings that are not
//! in it, so anything new still fails.
//!
//! A fingerprint is the rule, the file as named, the key, and a salted SHA-256 of the key's
//! value: changing the value (a fix attempt, a rotated secret) makes the finding new again, and
//! the file reveals nothing about the values, not even whether two of them are equal across
//! baselines (each baseline has its own random salt).

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::finding::Finding;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub rule: String,
    pub file: String,
    pub key: Option<String>,
    /// Salted SHA-256 of the value, hex; of the empty string when there is none.
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub salt: String,
    pub findings: BTreeSet<Fingerprint>,
}

impl Baseline {
    /// An empty baseline with a fresh random salt.
    pub fn new() -> Self {
        // Two independently keyed SipHash states: 128 bits from the OS's randomness, without a
        // dependency just for a salt.
        let mut salt = String::new();
        for round in 0..2u8 {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u8(round);
            salt.push_str(&format!("{:016x}", hasher.finish()));
        }
        Baseline {
            version: VERSION,
            salt,
            findings: BTreeSet::new(),
        }
    }

    pub fn fingerprint(&self, finding: &Finding, file: &str, value: Option<&str>) -> Fingerprint {
        let mut digest = Sha256::new();
        digest.update(self.salt.as_bytes());
        digest.update([0]);
        digest.update(value.unwrap_or("").as_bytes());
        let hash: String = digest
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Fingerprint {
            rule: finding.rule.clone(),
            file: file.replace('\\', "/"),
            key: finding.key.clone(),
            value: hash,
        }
    }

    pub fn contains(&self, fingerprint: &Fingerprint) -> bool {
        self.findings.contains(fingerprint)
    }

    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = crate::source::read::read_path(path)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Read a baseline's text; `name` is how errors call the file.
    pub fn parse(name: &str, text: &str) -> Result<Self, Error> {
        let baseline: Baseline =
            serde_json::from_str(text).map_err(|error| Error::InvalidInput {
                path: name.to_owned(),
                line: error.line(),
                column: error.column(),
                message: format!("not a deploycheck baseline: {error}"),
                help: Some(
                    "write one with `deploycheck lint --write-baseline FILE ...`".to_owned(),
                ),
            })?;
        if baseline.version != VERSION {
            return Err(Error::InvalidInput {
                path: name.to_owned(),
                line: 1,
                column: 1,
                message: format!(
                    "baseline version {} is not supported (expected {VERSION})",
                    baseline.version
                ),
                help: Some("write it again with this version of deploycheck".to_owned()),
            });
        }
        Ok(baseline)
    }

    /// The text `--write-baseline` writes: pretty JSON and a final line break.
    pub fn to_text(&self) -> Result<String, Error> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::from)?;
        text.push('\n');
        Ok(text)
    }

    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_text()?).map_err(|error| Error::Unwritable {
            path: path.display().to_string(),
            reason: error.to_string(),
        })
    }
}

impl Default for Baseline {
    fn default() -> Self {
        Self::new()
    }
}

//! The built-in ruleset: `rules/*.toml`, embedded in the binary. Each file is registered under
//! its path, so an error or a rule's origin can point into it like into a user's file.

use super::{RuleSet, validate};
use crate::error::Error;

/// Embed `rules/NAME` under the name `rules/NAME`.
macro_rules! rule_files {
    ($($name:literal),* $(,)?) => {
        &[$((concat!("rules/", $name), include_str!(concat!("../../rules/", $name)))),*]
    };
}

/// The built-in rule files, in load order.
pub const FILES: &[(&str, &str)] = rule_files![
    "input.toml",
    "environment.toml",
    "database.toml",
    "redis.toml",
    "cors.toml",
    "secrets.toml",
    "railway.toml",
    "example.toml",
    "probes.toml",
    "suppressions.toml",
    "settings-class.toml",
];

/// Load the built-in set. An error here is a bug in the shipped rules (a test guards it).
pub fn load() -> Result<RuleSet, Error> {
    let mut set = RuleSet::default();
    for (path, text) in FILES {
        let (file_set, case_sensitive_set) = validate::load(path, text)?;
        set.extend(file_set, case_sensitive_set);
    }
    Ok(set)
}

/// The text of a built-in file by path (for diagnostics pointing into it).
pub fn text(path: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, text)| *text)
}

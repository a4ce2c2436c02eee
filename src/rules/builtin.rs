//! The built-in ruleset: `rules/*.toml`, embedded in the binary. Each file is registered under
//! its path, so an error or a rule's origin can point into it like into a user's file.

use super::{RuleSet, validate};
use crate::error::Error;

/// The built-in rule files, in load order: the settings schema first.
pub const FILES: &[(&str, &str)] = &[
    ("rules/app.toml", include_str!("../../rules/app.toml")),
    ("rules/input.toml", include_str!("../../rules/input.toml")),
    (
        "rules/environment.toml",
        include_str!("../../rules/environment.toml"),
    ),
    (
        "rules/database.toml",
        include_str!("../../rules/database.toml"),
    ),
    ("rules/redis.toml", include_str!("../../rules/redis.toml")),
    ("rules/cors.toml", include_str!("../../rules/cors.toml")),
    (
        "rules/secrets.toml",
        include_str!("../../rules/secrets.toml"),
    ),
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

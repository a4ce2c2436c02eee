//! The built-in ruleset: `rules/*.toml`, embedded in the binary. Each file is registered under
//! its path, so an error or a rule's origin can point into it like into a user's file.
//!
//! The build script has already read each file into the rule-file schema (`build.rs`); what is
//! embedded beside the text is that, serialized, so loading the built-in rules lexes no TOML.

use super::{RuleSet, schema, validate};
use crate::error::Error;

/// One built-in rule file: its path, its text, and the schema the build script read from it.
pub struct BuiltIn {
    pub path: &'static str,
    pub text: &'static str,
    parsed: &'static [u8],
}

/// Embed `rules/NAME` under the name `rules/NAME`.
macro_rules! rule_files {
    ($($name:literal),* $(,)?) => {
        &[$(BuiltIn {
            path: concat!("rules/", $name),
            text: include_str!(concat!("../../rules/", $name)),
            parsed: include_bytes!(concat!(env!("OUT_DIR"), "/rules/", $name, ".postcard")),
        }),*]
    };
}

/// The built-in rule files, in load order.
pub const FILES: &[BuiltIn] = rule_files![
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
    "deployment.toml",
    "verify.toml",
    "migrations.toml",
];

/// Load the built-in set. An error here is a bug in the shipped rules (a test guards it).
pub fn load() -> Result<RuleSet, Error> {
    let mut set = RuleSet::default();
    for file in FILES {
        let parsed: schema::RuleFile = postcard::from_bytes(file.parsed).map_err(|error| {
            Error::rule_file(
                file.path,
                file.text,
                0..0,
                format!("the embedded form of this built-in file does not read back: {error}"),
            )
        })?;
        let (file_set, case_sensitive_set) = validate::load_built_in(file.path, file.text, parsed)?;
        set.extend(file_set, case_sensitive_set);
    }
    Ok(set)
}

/// The text of a built-in file by path (for diagnostics pointing into it).
pub fn text(path: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|file| file.path == path)
        .map(|file| file.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Condition, Pattern, Predicate, ValueCheck};

    /// What the build script embedded is what the TOML says, spans included: the schema read
    /// back from the embedded bytes and the schema read from the text are the same.
    #[test]
    fn the_embedded_form_is_the_files_own() {
        for file in FILES {
            let from_text: schema::RuleFile = toml::from_str(file.text).expect("the file parses");
            let embedded: schema::RuleFile =
                postcard::from_bytes(file.parsed).expect("the embedded form reads back");
            assert_eq!(
                format!("{embedded:#?}"),
                format!("{from_text:#?}"),
                "{}",
                file.path
            );
        }
    }

    /// Every pattern of the built-in rules compiles: the run compiles them when first used,
    /// where a failure could only panic.
    #[test]
    fn every_built_in_pattern_compiles() {
        fn condition_patterns<'a>(condition: &'a Condition, out: &mut Vec<&'a Pattern>) {
            match condition {
                Condition::Matches { pattern, .. } => out.push(pattern),
                Condition::All(all) | Condition::Any(all) => {
                    all.iter().for_each(|c| condition_patterns(c, out));
                }
                Condition::Not(inner) => condition_patterns(inner, out),
                _ => {}
            }
        }
        let set = load().expect("the built-in rules load");
        let mut patterns = Vec::new();
        for rule in &set.rules {
            if let Some(when) = &rule.when {
                condition_patterns(when, &mut patterns);
            }
            for check in &rule.checks {
                match &check.predicate {
                    Predicate::RawContains(pattern)
                    | Predicate::Value(
                        ValueCheck::Matches(pattern) | ValueCheck::NotMatches(pattern),
                    ) => {
                        patterns.push(pattern);
                    }
                    Predicate::Value(ValueCheck::Secret(secret)) => {
                        patterns.extend(&secret.placeholder_pattern);
                    }
                    _ => {}
                }
            }
        }
        assert!(
            patterns.len() >= 3,
            "the built-in rules have patterns: {}",
            patterns.len()
        );
        for pattern in patterns {
            if let Err(error) = regex::Regex::new(pattern.as_str()) {
                panic!("`{}` does not compile: {error}", pattern.as_str());
            }
        }
    }
}

//! The tool's own TOML files (rule files, the configuration) and the one question their errors
//! depend on: may an error quote the file's lines?
//!
//! A user can name the wrong file: `--rules .env.production`, `--config railway.json`. Such a
//! file holds secrets, and an error drawn under a snippet of it printed them (issue 11, item 8).
//! So a file is first read as TOML for its top-level keys alone, and an error at that step names
//! the file, line and column and says what is wrong, without quoting a line:
//! - a TOML syntax error (a .env with an unquoted value, JSON, a PEM file);
//! - a top-level key that this kind of file does not have: a .env whose values are all quoted is
//!   valid TOML (`SECRET_KEY="..."`), and this is where it stops.
//!
//! A file that passes is one of ours (TOML whose top-level keys are all ones deploycheck reads
//! there), and the errors of its validation point into it with a snippet, as before.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use toml::Spanned;

use crate::error::Error;

/// Which of the tool's TOML files a text is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A rule file (`--rules`, `rules` in the configuration).
    Rules,
    /// `deploycheck.toml`, or a file named with `--config`.
    Config,
    /// `pyproject.toml`: any top-level key is its own; `[tool.deploycheck]` is validated later.
    Pyproject,
}

/// The top-level keys of a rule file (`rules::schema::RuleFile`; a test keeps them equal).
const RULE_FILE_KEYS: &[&str] = &["settings", "variables", "rules"];

/// The top-level keys of the configuration (`config::RawConfig`; a test keeps them equal).
const CONFIG_KEYS: &[&str] = &[
    "profile",
    "rules",
    "no-builtin",
    "select",
    "extend-select",
    "ignore",
    "fail-on",
    "severity",
    "example",
    "probe",
    "per-file",
    "suppress",
    "secret-names",
    "settings",
    "roles",
    "environment",
    "database",
    "max-input-size",
    "verify",
];

impl FileKind {
    /// The top-level keys it may have; `None` when any is allowed.
    pub fn top_level_keys(self) -> Option<&'static [&'static str]> {
        match self {
            FileKind::Rules => Some(RULE_FILE_KEYS),
            FileKind::Config => Some(CONFIG_KEYS),
            FileKind::Pyproject => None,
        }
    }

    fn help(self) -> &'static str {
        match self {
            FileKind::Rules => {
                "a rule file is TOML with `[variables.NAME]` and `[[rules]]` tables; check that \
                 this is the file you meant (its lines are not shown, in case it is not)"
            }
            FileKind::Config | FileKind::Pyproject => {
                "the configuration is TOML: `deploycheck.toml`, or `[tool.deploycheck]` in \
                 pyproject.toml; check that this is the file you meant (its lines are not \
                 shown, in case it is not)"
            }
        }
    }
}

/// Is `text` TOML whose top-level keys are all ones a file of this kind has? If not, the error
/// names the place in the file and quotes none of it.
pub fn check_shape(path: &str, text: &str, kind: FileKind) -> Result<(), Error> {
    let keys: BTreeMap<Spanned<String>, IgnoredAny> = toml::from_str(text).map_err(|error| {
        let message = format!("not valid TOML: {}", error.message().trim_end());
        Error::rule_file_unquoted(path, text, error.span().unwrap_or(0..0), message)
            .with_help(kind.help())
    })?;
    let Some(expected) = kind.top_level_keys() else {
        return Ok(());
    };
    // In the order written: the first unknown key is the one reported.
    let mut keys: Vec<&Spanned<String>> = keys.keys().collect();
    keys.sort_by_key(|key| key.span().start);
    match keys
        .into_iter()
        .find(|key| !expected.contains(&key.get_ref().as_str()))
    {
        None => Ok(()),
        Some(key) => {
            let names: Vec<String> = expected.iter().map(|name| format!("`{name}`")).collect();
            let message = format!(
                "unknown field `{}`, expected one of {}",
                key.get_ref(),
                names.join(", ")
            );
            let help = crate::suggest::unknown_field_help(&message)
                .unwrap_or_else(|| kind.help().to_owned());
            Err(Error::rule_file_unquoted(path, text, key.span(), message).with_help(help))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names serde expects at the top level of `T`, from its unknown-field message.
    fn serde_expects<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let error = toml::from_str::<T>("not-a-field-of-this-file = 1").expect_err("unknown field");
        let message = error.message().to_owned();
        let (_, expected) = message.split_once("expected").expect("an expected list");
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn top_level_keys_are_those_the_files_deserialize() {
        assert_eq!(
            serde_expects::<crate::rules::schema::RuleFile>(),
            RULE_FILE_KEYS
        );
        assert_eq!(serde_expects::<crate::config::RawConfig>(), CONFIG_KEYS);
    }

    #[test]
    fn files_of_another_kind_are_named_not_quoted() {
        for (text, kind, message) in [
            (
                "SECRET_KEY=Zq8Leak\n",
                FileKind::Rules,
                "not valid TOML: string values must be quoted",
            ),
            (
                "SECRET_KEY=\"Zq8Leak\"\n",
                FileKind::Rules,
                "unknown field `SECRET_KEY`",
            ),
            (
                "{\"SECRET_KEY\": \"Zq8Leak\"}",
                FileKind::Config,
                "not valid TOML",
            ),
            (
                "DEBUG = \"x\"\nSECRET_KEY=\"Zq8Leak\"\n",
                FileKind::Config,
                "unknown field `DEBUG`",
            ),
        ] {
            let error = check_shape("f", text, kind).expect_err(text);
            let Error::RuleFile {
                message: said,
                span,
                source_code,
                ..
            } = &error
            else {
                panic!("{error:?}");
            };
            assert!(said.starts_with(message), "{said}");
            assert!(span.is_none(), "{text}");
            assert!(
                !format!("{source_code:?}").contains("Zq8Leak"),
                "{source_code:?}"
            );
        }
        assert!(check_shape("f", "[[rules]]\nid = 1\n", FileKind::Rules).is_ok());
        assert!(check_shape("f", "[project]\nname = \"x\"\n", FileKind::Pyproject).is_ok());
    }
}

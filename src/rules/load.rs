//! Which rule files make up a run's rule set: the built-ins (or, under `--no-builtin`, the
//! built-in rules the program raises itself), then every `--rules` path and configured path.

use std::path::{Path, PathBuf};

use super::{RuleSet, builtin, validate};
use crate::cli::RuleSources;
use crate::error::Error;
use crate::source::read;

/// Load the built-in rules and every rule path of `sources`.
///
/// `--no-builtin` drops the built-in checks but keeps the rules for findings the program raises
/// itself (probes, input readers, suppressions): without them a probe failure would have no
/// severity, and must not disappear from a gate.
pub fn load(sources: &RuleSources) -> Result<RuleSet, Error> {
    let builtin = builtin::load()?;
    let mut set = if sources.no_builtin {
        builtin.raised_by_program()
    } else {
        builtin
    };
    for path in &sources.rule_paths {
        for file in rule_files(path)? {
            let name = file.display().to_string();
            let text = read::read_path(&file)?;
            let (file_set, case_sensitive_set) = validate::load(&name, &text)?;
            set.extend(file_set, case_sensitive_set);
        }
    }
    Ok(set)
}

/// A rule file, or the `*.toml` files of a directory in name order.
fn rule_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let entries = std::fs::read_dir(path).map_err(|error| Error::Unreadable {
        path: path.display().to_string(),
        reason: error.to_string(),
    })?;
    let mut files: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|file| file.extension().is_some_and(|ext| ext == "toml") && file.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::NoRuleFiles {
            path: path.to_owned(),
        });
    }
    Ok(files)
}

//! Running a command: the dispatch, and what every command shares (loading the rules, naming
//! the profile, the exit status). One module per command under `commands/`. The one place that
//! decides exit statuses; all output goes to the writers it is given.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use crate::cli::{Cli, ColorChoice, Command, FailOn, RuleSources};
use crate::commands;
use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::rules::{self, RuleSet};
use crate::settings;
use crate::source::read;

/// How a run ended: 0, 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above `--fail-on`.
    Success,
    /// Findings at or above `--fail-on`.
    Failure,
    /// The run could not judge the configuration.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// The process's standard streams (injectable for tests).
pub struct Streams<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    /// Is stdout a terminal (for `--color auto`)?
    pub stdout_is_terminal: bool,
}

impl Streams<'static> {
    /// Nothing here is read before a command asks for it.
    pub fn stdio_is_terminal() -> bool {
        std::io::stdout().is_terminal()
    }
}

/// Decide colour: `--color always|never` win; `auto` means a terminal, `NO_COLOR` unset and
/// `TERM` not `dumb` (a terminal that cannot show escape codes, e.g. Emacs' shell).
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
        }
    }
}

pub fn run(cli: Cli, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let color = use_color(cli.color, streams.stdout_is_terminal);
    match cli.command {
        Command::Lint(args) => commands::lint::run(args, color, false, streams),
        Command::Probe(args) => commands::lint::run(args, color, true, streams),
        Command::Show(args) => commands::show::run(args, streams),
        Command::Rules(args) => commands::docs::list_rules(args, streams),
        Command::Explain(args) => commands::docs::explain(args, streams),
        Command::Diff(args) => commands::diff::run(args, streams),
        Command::Completions(args) => commands::docs::completions(args, streams),
        Command::Man(args) => commands::docs::man(args, streams),
    }
}

/// The rules with the configuration file's rule paths (for commands other than lint).
pub fn configured_rules(sources: &RuleSources) -> Result<RuleSet, Error> {
    let config = settings::configuration(sources)?;
    let mut rules = load_rules(&settings::rule_sources(sources, &config))?;
    rules.secret_names = config.secret_names;
    Ok(rules)
}

/// Load the built-in rules (unless `--no-builtin`) and every `--rules` path.
pub fn load_rules(sources: &RuleSources) -> Result<RuleSet, Error> {
    let mut set = if sources.no_builtin {
        RuleSet::default()
    } else {
        rules::builtin::load()?
    };
    for path in &sources.rule_paths {
        for file in rule_files(path)? {
            let name = file.display().to_string();
            let text = read::read_path(&file)?;
            let (file_set, case_sensitive_set) = rules::validate::load(&name, &text)?;
            set.extend(file_set, case_sensitive_set);
        }
    }
    Ok(set)
}

fn rule_files(path: &Path) -> Result<Vec<std::path::PathBuf>, Error> {
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

/// The profile a file name implies: `.env.production` → production, and so on; else
/// production, since this is a pre-deployment linter.
pub fn profile_from_name(path: &str) -> &'static str {
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    for part in name.to_lowercase().split('.') {
        match part {
            "production" | "prod" => return "production",
            "staging" | "stage" => return "staging",
            "development" | "dev" | "local" => return "development",
            "test" | "testing" => return "test",
            _ => {}
        }
    }
    "production"
}

/// 1 when a finding reaches the threshold, else 0.
pub fn status(findings: &[Finding], fail_on: FailOn) -> ExitStatus {
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
        FailOn::Never => return ExitStatus::Success,
    };
    if findings.iter().any(|f| f.severity >= threshold) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// The candidate nearest to `word` by edit distance, if near enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

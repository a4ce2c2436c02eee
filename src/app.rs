//! Running a command: resolve the arguments, read the inputs, load the rules, evaluate, report.
//! The one place that decides exit statuses. All output goes to the writers it is given.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use crate::cli::{
    Cli, ColorChoice, Command, ExplainArgs, FailOn, LintArgs, LintFormat, ListFormat, RuleSources,
    RulesArgs, ShowArgs, ShowFormat,
};
use crate::engine::{self, Layer};
use crate::error::Error;
use crate::finding::{self, Finding, Severity};
use crate::report::{self, Report};
use crate::rules::{self, RuleSet};
use crate::secret::{self, MASK, Redactor};
use crate::source::dotenv::{self, DotenvOptions};
use crate::source::{Parsed, SourceFile, Sources, read};

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

/// Decide colour: `--color always|never` win; `auto` means a terminal and `NO_COLOR` unset.
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

pub fn run(cli: Cli, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let color = use_color(cli.color, streams.stdout_is_terminal);
    match cli.command {
        Command::Lint(args) => lint(args, color, streams),
        Command::Show(args) => show(args, streams),
        Command::Rules(args) => list_rules(args, streams),
        Command::Explain(args) => explain(args, streams),
    }
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
            let bytes = std::fs::read(&file).map_err(|error| match error.kind() {
                std::io::ErrorKind::NotFound => Error::NotFound { path: name.clone() },
                _ => Error::Unreadable {
                    path: name.clone(),
                    reason: error.to_string(),
                },
            })?;
            let text = read::decode(&name, bytes)?;
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

/// One input read and parsed, with its secrets masked.
struct Loaded {
    layer: Layer,
}

fn load_input(
    path: &str,
    interpolate: bool,
    rules: &RuleSet,
    sources: &mut Sources,
    redactor: &mut Redactor,
    stdin: &mut dyn Read,
) -> Result<Loaded, Error> {
    let file = read::read(path, stdin)?;
    let parsed = parse(&file, interpolate);
    let id = sources.add(file);
    let is_secret =
        |key: &str| rules.variable(key).is_some_and(|v| v.secret) || secret::is_secret_name(key);
    secret::redact_source(sources.get_mut(id), &parsed, &is_secret, redactor);
    Ok(Loaded {
        layer: Layer { source: id, parsed },
    })
}

fn parse(file: &SourceFile, interpolate: bool) -> Parsed {
    dotenv::parse(
        &file.text,
        &DotenvOptions {
            interpolate,
            ..DotenvOptions::default()
        },
    )
}

fn lint(args: LintArgs, color: bool, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let rules = load_rules(&args.rules)?;
    let mut sources = Sources::new();
    let mut redactor = Redactor::default();
    let mut findings: Vec<Finding> = Vec::new();
    let mut first_profile: Option<String> = None;
    for path in &args.paths {
        let loaded = load_input(
            path,
            true,
            &rules,
            &mut sources,
            &mut redactor,
            streams.stdin,
        )?;
        let profile = args
            .profile
            .clone()
            .unwrap_or_else(|| profile_from_name(path).to_owned());
        let layers = [loaded.layer];
        let input = engine::Input {
            sources: &sources,
            layers: &layers,
            profile: &profile,
        };
        findings.extend(engine::evaluate(&rules, &input));
        first_profile.get_or_insert(profile);
    }
    for finding in &mut findings {
        finding.message = redactor.redact(&finding.message);
        finding.help = finding.help.as_deref().map(|help| redactor.redact(help));
    }
    finding::sort(&mut findings);
    let docs = rules.docs();
    let profile = first_profile.unwrap_or_else(|| "production".to_owned());
    let report = Report {
        sources: &sources,
        findings: &findings,
        profile: &profile,
        rules: &docs,
    };
    let mut file_output;
    let out: &mut dyn Write = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|error| Error::Unreadable {
                path: path.display().to_string(),
                reason: format!("cannot create the report file: {error}"),
            })?;
            file_output = std::io::BufWriter::new(file);
            &mut file_output
        }
        None => streams.stdout,
    };
    let color = color && args.output.is_none();
    match args.format {
        LintFormat::Human => {
            report::human::render(&report, report::human::Style { color, width: 100 }, out)?
        }
        LintFormat::Json => report::json::render(&report, out)?,
        LintFormat::Sarif => report::sarif::render(&report, out)?,
        LintFormat::Github => {
            report::github::render(&report, out)?;
            append_step_summary(&report)?;
        }
        LintFormat::Junit => report::junit::render(&report, out)?,
    }
    out.flush()?;
    Ok(status(&findings, args.fail_on))
}

/// GitHub shows at most ten annotations of each kind per step: the step summary lists all.
fn append_step_summary(report: &Report) -> Result<(), Error> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|error| Error::Unreadable {
            path: path.to_string_lossy().into_owned(),
            reason: format!("cannot append to GITHUB_STEP_SUMMARY: {error}"),
        })?;
    file.write_all(report::github::step_summary(report).as_bytes())?;
    Ok(())
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

fn show(args: ShowArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let rules = load_rules(&args.rules)?;
    let file = read::read(&args.path, streams.stdin)?;
    let parsed = parse(&file, !args.no_interpolate);
    // python-dotenv returns a dict: a key keeps its first position and takes its last value.
    let mut values: Vec<(String, Option<String>)> = Vec::new();
    for entry in &parsed.entries {
        let value = entry.value.clone();
        match values.iter_mut().find(|(key, _)| *key == entry.key) {
            Some(slot) => slot.1 = value,
            None => values.push((entry.key.clone(), value)),
        }
    }
    if !args.reveal {
        for (key, value) in &mut values {
            let secret =
                rules.variable(key).is_some_and(|v| v.secret) || secret::is_secret_name(key);
            if let Some(text) = value {
                *text = if secret {
                    MASK.to_owned()
                } else {
                    secret::mask_url_passwords(text)
                };
            }
        }
    }
    let out = &mut *streams.stdout;
    match args.format {
        ShowFormat::Json => {
            let mut map = serde_json::Map::new();
            for (key, value) in values {
                map.insert(
                    key,
                    value.map_or(serde_json::Value::Null, serde_json::Value::String),
                );
            }
            serde_json::to_writer_pretty(&mut *out, &serde_json::Value::Object(map))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        ShowFormat::Dotenv => {
            for (key, value) in values {
                match value {
                    None => writeln!(out, "{key}")?,
                    Some(value) => writeln!(out, "{key}={}", dotenv_quote(&value))?,
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// Single quotes when python-dotenv reads them back unchanged (no `'` or `\`), else double
/// quotes with escapes. `$` is escaped by neither, so `${` stays literal only with
/// `--no-interpolate` on the reading side; show it as it is.
fn dotenv_quote(value: &str) -> String {
    if !value.contains(['\'', '\\']) {
        return format!("'{value}'");
    }
    let mut quoted = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn list_rules(args: RulesArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let rules = load_rules(&args.rules)?;
    let out = &mut *streams.stdout;
    match args.format {
        ListFormat::Human => {
            let width = rules
                .rules
                .iter()
                .map(|r| r.doc.id.len())
                .max()
                .unwrap_or(0);
            for rule in &rules.rules {
                let production = if rule_is_production_only(rule) {
                    " (production)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<width$}  {:<7}  {}{production}",
                    rule.doc.id,
                    rule.doc.severity.as_str(),
                    rule.doc.summary
                )?;
            }
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rules
                .rules
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "id": rule.doc.id,
                        "severity": rule.doc.severity,
                        "summary": rule.doc.summary,
                        "why": rule.doc.why,
                        "help": rule.doc.help,
                        "example": { "bad": rule.doc.example_bad, "good": rule.doc.example_good },
                        "url": rule.doc.url,
                        "tags": rule.doc.tags,
                        "defined_in": rule.origin.file,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn rule_is_production_only(rule: &rules::Rule) -> bool {
    fn mentions_production(condition: &rules::Condition) -> bool {
        match condition {
            rules::Condition::Profile(names) => names.iter().all(|n| n == "production"),
            rules::Condition::All(all) => all.iter().any(mentions_production),
            _ => false,
        }
    }
    rule.when.as_ref().is_some_and(mentions_production)
}

fn explain(args: ExplainArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let rules = load_rules(&args.rules)?;
    let Some(rule) = rules.rule(&args.id) else {
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.doc.id.as_str()).collect();
        let help = match closest(&args.id, &ids) {
            Some(near) => format!("did you mean `{near}`? `deploycheck rules` lists them all"),
            None => "`deploycheck rules` lists them all".to_owned(),
        };
        return Err(Error::UnknownRule {
            id: args.id,
            help: Some(help),
        });
    };
    let doc = &rule.doc;
    let out = &mut *streams.stdout;
    writeln!(out, "{} ({})", doc.id, doc.severity)?;
    writeln!(out)?;
    writeln!(out, "{}", doc.summary)?;
    if !doc.tags.is_empty() {
        writeln!(out, "Tags: {}", doc.tags.join(", "))?;
    }
    if rule_is_production_only(rule) {
        writeln!(out, "Applies to: the production profile")?;
    }
    writeln!(out, "Defined in: {}", rule.origin.file)?;
    for (heading, body) in [
        ("Why is this bad?", &doc.why),
        ("Example", &doc.example_bad),
        ("Use instead", &doc.example_good),
        ("How to fix", &doc.help),
    ] {
        if body.trim().is_empty() {
            continue;
        }
        writeln!(out, "\n{heading}")?;
        for line in body.trim().lines() {
            writeln!(out, "    {line}")?;
        }
    }
    if let Some(url) = &doc.url {
        writeln!(out, "\nSee also: {url}")?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
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

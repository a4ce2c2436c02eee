//! Running a command: resolve the arguments, read the inputs, load the rules, evaluate, report.
//! The one place that decides exit statuses. All output goes to the writers it is given.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use crate::baseline::Baseline;
use crate::cli::{
    Cli, ColorChoice, Command, CompletionsArgs, DiffArgs, ExplainArgs, FailOn, InputFormatArg,
    LayerArgs, LintArgs, LintFormat, ListFormat, ManArgs, RuleSources, RulesArgs, ShowArgs,
    ShowFormat,
};
use crate::config::ExampleChoice;
use crate::engine::{self, Layer};
use crate::error::Error;
use crate::finding::{self, Finding, Severity};
use crate::inputs::{self, Loader};
use crate::probe;
use crate::report::{self, Report};
use crate::rules::{self, RuleSet};
use crate::secret::{self, MASK};
use crate::settings;
use crate::source::SourceFile;
use crate::source::{InputFormat, SourceId, read};
use crate::suppress;

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
        Command::Lint(args) => lint(args, color, false, streams),
        Command::Probe(args) => lint(args, color, true, streams),
        Command::Show(args) => show(args, streams),
        Command::Rules(args) => list_rules(args, streams),
        Command::Explain(args) => explain(args, streams),
        Command::Diff(args) => diff(args, streams),
        Command::Completions(args) => completions(args, streams),
        Command::Man(args) => man(args, streams),
    }
}

/// The rules with the configuration file's rule paths (for commands other than lint).
fn configured_rules(sources: &RuleSources) -> Result<RuleSet, Error> {
    let config = settings::configuration(sources)?;
    load_rules(&settings::rule_sources(sources, &config))
}

/// The command line as clap knows it, with the name it is installed under, for the generators.
fn command_definition() -> clap::Command {
    let mut command = <Cli as clap::CommandFactory>::command()
        .bin_name("deploycheck")
        // `help` is a flag on every page; a `deploycheck-help` page would only repeat them.
        .disable_help_subcommand(true);
    // Resolves the subcommands' full names (`deploycheck lint`), which both generators print.
    command.build();
    command
}

fn completions(args: CompletionsArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    use clap_complete::Generator;
    let command = command_definition();
    // `try_generate`, not `generate`: the latter panics when the write fails (a closed pipe).
    args.shell.try_generate(&command, streams.stdout)?;
    streams.stdout.flush()?;
    Ok(ExitStatus::Success)
}

/// A page whose footer names the program and its version (a subcommand has no version of its
/// own, so clap_mangen would print only the subcommand's name there).
fn manual_page(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("deploycheck {}", env!("CARGO_PKG_VERSION")))
}

fn man(args: ManArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let command = command_definition();
    let Some(dir) = args.out_dir else {
        manual_page(command).render(streams.stdout)?;
        streams.stdout.flush()?;
        return Ok(ExitStatus::Success);
    };
    let cannot_write = |path: &Path, error: std::io::Error| Error::Unreadable {
        path: path.display().to_string(),
        reason: format!("cannot write the manual page: {error}"),
    };
    std::fs::create_dir_all(&dir).map_err(|error| cannot_write(&dir, error))?;
    let mut pages = vec![command.clone()];
    pages.extend(
        command
            .get_subcommands()
            .filter(|subcommand| !subcommand.is_hide_set())
            .cloned(),
    );
    for page in pages {
        let man = manual_page(page);
        let path = dir.join(man.get_filename());
        let mut rendered = Vec::new();
        man.render(&mut rendered)?;
        std::fs::write(&path, rendered).map_err(|error| cannot_write(&path, error))?;
        writeln!(streams.stdout, "{}", path.display())?;
    }
    streams.stdout.flush()?;
    Ok(ExitStatus::Success)
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

/// One configuration to judge: its layers (lowest precedence first) and how to judge it.
struct Unit {
    /// The first input's path (for per-file settings), if it has one.
    path: Option<String>,
    layers: Vec<Layer>,
    profile: String,
    example: Option<Layer>,
}

fn input_format(arg: InputFormatArg) -> Option<InputFormat> {
    match arg {
        InputFormatArg::Auto => None,
        InputFormatArg::Dotenv => Some(InputFormat::Dotenv),
        InputFormatArg::RailwayJson => Some(InputFormat::RailwayJson),
        InputFormatArg::RailwayKv => Some(InputFormat::RailwayKv),
        InputFormatArg::RailwayTable => Some(InputFormat::RailwayTable),
    }
}

/// Read the layered configuration `--env-file`/`--railway`/`--process-env` name, or, for each
/// positional path, one configuration of its own (topped by the environment with
/// `--process-env`).
fn load_units(
    loader: &mut Loader,
    paths: &[String],
    layers: &LayerArgs,
    explicit_profile: &dyn Fn(Option<&str>) -> Option<String>,
    default_profile: Option<&str>,
    example: Option<&ExampleChoice>,
) -> Result<Vec<Unit>, Error> {
    if layers.any() && !paths.is_empty() {
        return Err(Error::Usage {
            message: "give either paths to lint one by one, or --env-file/--railway layers, not both".to_owned(),
            help: Some("to lint a file under another layer, name both as layers: `--env-file .env --railway vars.json`".to_owned()),
        });
    }
    let format = input_format(layers.input_format);
    if layers.process_env {
        loader.environment = std::env::vars().collect();
    }
    let mut groups: Vec<(Option<String>, Vec<Layer>)> = Vec::new();
    if layers.any() || paths.is_empty() {
        let mut stack = Vec::new();
        for path in &layers.env_files {
            stack.push(loader.load(path, format)?);
        }
        if let Some(path) = &layers.railway {
            stack.push(loader.load(path, format)?);
        }
        let first = layers
            .env_files
            .first()
            .or(layers.railway.as_ref())
            .cloned();
        groups.push((first, stack));
    } else {
        for path in paths {
            groups.push((Some(path.clone()), vec![loader.load(path, format)?]));
        }
    }
    let mut units = Vec::new();
    for (first_path, mut stack) in groups {
        if layers.process_env {
            stack.push(loader.process_environment());
        }
        let profile = match explicit_profile(first_path.as_deref()) {
            Some(profile) => profile,
            None => inputs::railway_profile(&stack)
                .or_else(|| default_profile.map(str::to_owned))
                .unwrap_or_else(|| {
                    first_path
                        .as_deref()
                        .map_or("production", profile_from_name)
                        .to_owned()
                }),
        };
        let example_path = match example {
            None | Some(ExampleChoice::Off) => None,
            Some(ExampleChoice::Path(path)) => Some(path.clone()),
            Some(ExampleChoice::Beside) => first_path.as_deref().and_then(inputs::example_beside),
        };
        let example = match example_path {
            Some(path) => Some(loader.load(&path, Some(InputFormat::Dotenv))?),
            None => None,
        };
        units.push(Unit {
            path: first_path,
            layers: stack,
            profile,
            example,
        });
    }
    Ok(units)
}

fn lint(
    args: LintArgs,
    color: bool,
    probe_only: bool,
    streams: &mut Streams,
) -> Result<ExitStatus, Error> {
    if !probe_only && !args.probe && args.probe_options.any() {
        return Err(Error::Usage {
            message: "--probe-timeout, --probe-ca, --probe-insecure and --replicas have no effect without --probe".to_owned(),
            help: Some("add --probe, or use `deploycheck probe`".to_owned()),
        });
    }
    let config = settings::configuration(&args.rules)?;
    let mut rules = load_rules(&settings::rule_sources(&args.rules, &config))?;
    let settings = settings::resolve(&args, config, &rules)?;
    for rule in &mut rules.rules {
        if let Some(level) = settings.severity.get(&rule.doc.id) {
            rule.doc.severity = *level;
        }
    }
    let docs = rules.docs();
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;
    let mut recorded = Baseline::new();
    let mut loader = Loader::new(&rules, streams.stdin);
    // The command line, then a per-file entry, beat Railway's environment name; the
    // configuration's own `profile` only beats the file name.
    let explicit_profile = |path: Option<&str>| -> Option<String> {
        args.profile.clone().or_else(|| {
            path.and_then(|p| settings.per_file(p).find_map(|entry| entry.profile.clone()))
        })
    };
    let units = load_units(
        &mut loader,
        &args.paths,
        &args.layers,
        &explicit_profile,
        settings.config.profile.as_deref(),
        // The probes never compare with a .env.example: one that cannot be read must not stop
        // them.
        (!probe_only).then_some(&settings.example),
    )?;
    let config_source = match (&settings.config.path, settings.config.suppress.is_empty()) {
        (Some(path), false) => Some(loader.sources.add(SourceFile::new(
            path.display().to_string(),
            settings.config.text.clone(),
        ))),
        _ => None,
    };
    let mut findings: Vec<Finding> = Vec::new();
    let mut used_suppressions = std::collections::BTreeSet::new();
    for unit in &units {
        let input = engine::Input {
            sources: &loader.sources,
            layers: &unit.layers,
            profile: &unit.profile,
            example: unit.example.as_ref(),
        };
        let mut unit_findings = Vec::new();
        if !probe_only {
            unit_findings.extend(engine::evaluate(&rules, &input));
        }
        let primary = unit
            .layers
            .first()
            .map_or(SourceId(0), |layer| layer.source);
        let config = engine::Config::build(&rules, &unit.layers, primary);
        if probe_only || args.probe {
            let input = probe_input(&config);
            unit_findings.extend(probe::run(&input, &settings.probe)?);
            // `lint` reports the missing URLs itself (missing-required-variable).
            if probe_only && input.database_url.is_none() && input.redis_url.is_none() {
                unit_findings.push(probe::nothing_to_probe(primary));
            }
        }
        let (unit_findings, used) = suppress::apply(
            unit_findings,
            &loader.sources,
            &unit.layers,
            &rules,
            &settings.config.suppress,
        );
        used_suppressions.extend(used);
        for finding in settings.filter(unit_findings, unit.path.as_deref(), &docs) {
            let file = &loader.sources.get(finding.source).name;
            let value = finding.key.as_deref().and_then(|key| config.value(key));
            if let Some(baseline) = &baseline {
                if baseline.contains(&baseline.fingerprint(&finding, file, value)) {
                    continue;
                }
            }
            if args.write_baseline.is_some() {
                let fingerprint = recorded.fingerprint(&finding, file, value);
                recorded.findings.insert(fingerprint);
            }
            findings.push(finding);
        }
    }
    // `[[suppress]]` entries are judged over all inputs: unused means unused everywhere.
    if let Some(config_source) = config_source {
        let unused =
            suppress::unused_config(&settings.config.suppress, &used_suppressions, config_source);
        findings.extend(settings.filter(unused, None, &docs));
    }
    for finding in &mut findings {
        finding.message = loader.redactor.redact(&finding.message);
        finding.help = finding
            .help
            .as_deref()
            .map(|help| loader.redactor.redact(help));
    }
    finding::sort(&mut findings);
    if let Some(path) = &args.write_baseline {
        recorded.write(path)?;
    }
    let profile = units
        .first()
        .map_or_else(|| "production".to_owned(), |unit| unit.profile.clone());
    let sources = loader.sources;
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
    if args.write_baseline.is_some() {
        return Ok(ExitStatus::Success);
    }
    Ok(status(&findings, settings.fail_on))
}

/// What the probes need from a configuration: the URLs and pool sizes, each with the place
/// that set it (a default points at the URL it sizes).
fn probe_input(config: &engine::Config) -> probe::ProbeInput {
    let located_text = |name: &str| -> Option<probe::Located<String>> {
        let assignment = config.assignment(name)?;
        let value = assignment.entry.value.clone()?;
        let span = assignment
            .entry
            .value_span
            .clone()
            .unwrap_or(assignment.entry.key_span.clone());
        Some(probe::Located {
            value,
            source: assignment.source,
            key: assignment.entry.key.clone(),
            span,
        })
    };
    let database_url = located_text("DATABASE_URL");
    let redis_url = located_text("REDIS_URL");
    let number =
        |name: &str, fallback: &Option<probe::Located<String>>| -> Option<probe::Located<i64>> {
            let value = config.value(name).and_then(engine::parse_int)?;
            let value = i64::try_from(value).unwrap_or(i64::MAX);
            match located_text(name) {
                Some(set) => Some(probe::Located {
                    value,
                    source: set.source,
                    key: set.key,
                    span: set.span,
                }),
                // A default: point at the URL whose server it is compared with.
                None => fallback.as_ref().map(|url| probe::Located {
                    value,
                    source: url.source,
                    key: name.to_owned(),
                    span: url.span.clone(),
                }),
            }
        };
    probe::ProbeInput {
        db_pool_size: number("DB_POOL_SIZE", &database_url),
        db_max_overflow: number("DB_MAX_OVERFLOW", &database_url),
        redis_max_connections: number("REDIS_MAX_CONNECTIONS", &redis_url),
        web_concurrency: number("WEB_CONCURRENCY", &None),
        database_url,
        redis_url,
    }
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
    let rules = configured_rules(&args.rules)?;
    let mut loader = Loader::new(&rules, streams.stdin);
    loader.interpolate = !args.no_interpolate;
    let paths: Vec<String> = match &args.path {
        Some(path) => vec![path.clone()],
        None if args.layers.any() || args.layers.process_env => Vec::new(),
        None => vec!["-".to_owned()],
    };
    let units = load_units(&mut loader, &paths, &args.layers, &|_| None, None, None)?;
    let layers = units
        .into_iter()
        .next()
        .map(|unit| unit.layers)
        .unwrap_or_default();
    // python-dotenv returns a dict: a key keeps its first position and takes its last value.
    // Across layers, the later layer wins (pydantic-settings' precedence).
    let mut values: Vec<(String, Option<String>, String)> = Vec::new();
    let mut position: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for layer in &layers {
        let file = loader.sources.get(layer.source);
        for entry in &layer.parsed.entries {
            let origin = format!("{}:{}", file.name, file.line_of(entry.key_span.start));
            match position.get(&entry.key) {
                Some(&index) => {
                    values[index].1 = entry.value.clone();
                    values[index].2 = origin;
                }
                None => {
                    position.insert(entry.key.clone(), values.len());
                    values.push((entry.key.clone(), entry.value.clone(), origin));
                }
            }
        }
    }
    if !args.reveal {
        for (key, value, _) in &mut values {
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
    match (args.format, args.sources) {
        (ShowFormat::Json, false) => {
            let mut map = serde_json::Map::new();
            for (key, value, _) in values {
                map.insert(
                    key,
                    value.map_or(serde_json::Value::Null, serde_json::Value::String),
                );
            }
            serde_json::to_writer_pretty(&mut *out, &serde_json::Value::Object(map))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        (ShowFormat::Json, true) => {
            let mut map = serde_json::Map::new();
            for (key, value, origin) in values {
                map.insert(key, serde_json::json!({ "value": value, "source": origin }));
            }
            serde_json::to_writer_pretty(&mut *out, &serde_json::Value::Object(map))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        (ShowFormat::Dotenv, sources) => {
            for (key, value, origin) in values {
                if sources {
                    writeln!(out, "# from {origin}")?;
                }
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

fn diff(args: DiffArgs, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let rules = configured_rules(&args.rules)?;
    let mut loader = Loader::new(&rules, streams.stdin);
    let format = input_format(args.input_format);
    let a = loader.load(&args.a, format)?;
    let b = loader.load(&args.b, format)?;
    let normalize = |key: &str| {
        if rules.case_sensitive {
            key.to_owned()
        } else {
            key.to_lowercase()
        }
    };
    let values = |layer: &Layer| -> BTreeMap<String, (String, Option<String>)> {
        layer
            .parsed
            .entries
            .iter()
            .map(|entry| {
                (
                    normalize(&entry.key),
                    (entry.key.clone(), entry.value.clone()),
                )
            })
            .collect()
    };
    let (a_values, b_values) = (values(&a), values(&b));
    let shown = |key: &str, value: &Option<String>| -> serde_json::Value {
        let secret = rules.variable(key).is_some_and(|v| v.secret) || secret::is_secret_name(key);
        match value {
            _ if secret => serde_json::Value::Null,
            None => serde_json::Value::Null,
            Some(value) => serde_json::Value::String(secret::mask_url_passwords(value)),
        }
    };
    let only_a: Vec<&String> = a_values
        .iter()
        .filter(|(k, _)| !b_values.contains_key(*k))
        .map(|(_, (key, _))| key)
        .collect();
    let only_b: Vec<&String> = b_values
        .iter()
        .filter(|(k, _)| !a_values.contains_key(*k))
        .map(|(_, (key, _))| key)
        .collect();
    let mut different = Vec::new();
    for (normalized, (key, a_value)) in &a_values {
        if let Some((_, b_value)) = b_values.get(normalized) {
            if a_value != b_value {
                let secret =
                    rules.variable(key).is_some_and(|v| v.secret) || secret::is_secret_name(key);
                different.push((key, secret, shown(key, a_value), shown(key, b_value)));
            }
        }
    }
    let (a_name, b_name) = (
        loader.sources.get(a.source).name.clone(),
        loader.sources.get(b.source).name.clone(),
    );
    let out = &mut *streams.stdout;
    match args.format {
        ListFormat::Json => {
            let document = serde_json::json!({
                "version": 1,
                "a": a_name,
                "b": b_name,
                "only_in_a": only_a,
                "only_in_b": only_b,
                "different": different.iter().map(|(key, secret, a, b)| serde_json::json!({
                    "key": key, "secret": secret, "a": a, "b": b,
                })).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        ListFormat::Human => {
            for key in &only_a {
                writeln!(out, "- {key}  (only in {a_name})")?;
            }
            for key in &only_b {
                writeln!(out, "+ {key}  (only in {b_name})")?;
            }
            for (key, secret, a_value, b_value) in &different {
                if *secret {
                    writeln!(out, "~ {key}  (secret; the values differ)")?;
                } else {
                    let text = |v: &serde_json::Value| {
                        v.as_str()
                            .map_or("(no value)".to_owned(), |s| format!("`{s}`"))
                    };
                    writeln!(out, "~ {key}  {} → {}", text(a_value), text(b_value))?;
                }
            }
            let total = only_a.len() + only_b.len() + different.len();
            if total == 0 {
                writeln!(
                    out,
                    "{a_name} and {b_name} define the same variables with the same values."
                )?;
            } else {
                writeln!(
                    out,
                    "{} only in {a_name}, {} only in {b_name}, {} with different values.",
                    only_a.len(),
                    only_b.len(),
                    different.len()
                )?;
            }
        }
    }
    out.flush()?;
    let same = only_a.is_empty() && only_b.is_empty() && different.is_empty();
    Ok(if same {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
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
    let rules = configured_rules(&args.rules)?;
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
    let rules = configured_rules(&args.rules)?;
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

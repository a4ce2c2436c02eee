//! `lint` and `probe`: read the inputs into configurations, evaluate the rules, run the probes,
//! apply suppressions, selection and the baseline, and report.

use std::io::Write;

use crate::app::{ExitStatus, Streams, load_rules, profile_from_name, status};
use crate::baseline::Baseline;
use crate::cli::{InputFormatArg, LayerArgs, LintArgs, LintFormat};
use crate::config::ExampleChoice;
use crate::engine::{self, Layer};
use crate::error::Error;
use crate::finding::{self, Finding};
use crate::inputs::{self, Loader};
use crate::probe;
use crate::report::{self, Report, ReportInput};
use crate::settings;
use crate::source::{InputFormat, SourceFile, SourceId};
use crate::suppress;

/// One configuration to judge: its layers (lowest precedence first) and how to judge it.
pub(crate) struct Unit {
    /// The first input's path (for per-file settings), if it has one.
    pub path: Option<String>,
    pub layers: Vec<Layer>,
    pub profile: String,
    pub example: Option<Layer>,
}

pub(crate) fn input_format(arg: InputFormatArg) -> Option<InputFormat> {
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
pub(crate) fn load_units(
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

pub fn run(
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
    rules.secret_names = config.secret_names.clone();
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
    finding::sort(&mut findings);
    if let Some(path) = &args.write_baseline {
        recorded.write(path)?;
    }
    let inputs: Vec<ReportInput> = units
        .iter()
        .map(|unit| ReportInput {
            file: unit.layers.first().map_or_else(String::new, |layer| {
                loader.sources.get(layer.source).name.clone()
            }),
            profile: unit.profile.clone(),
            sources: unit
                .layers
                .iter()
                .chain(&unit.example)
                .map(|layer| layer.source)
                .collect(),
        })
        .collect();
    let sources = loader.sources;
    let report = Report {
        sources: &sources,
        findings: &findings,
        inputs: &inputs,
        rules: &docs,
    };
    let mut file_output;
    let out: &mut dyn Write = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|error| Error::Unwritable {
                path: path.display().to_string(),
                reason: error.to_string(),
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
        .map_err(|error| Error::Unwritable {
            path: path.to_string_lossy().into_owned(),
            reason: format!("{error} (the file GITHUB_STEP_SUMMARY names)"),
        })?;
    file.write_all(report::github::step_summary(report).as_bytes())?;
    Ok(())
}

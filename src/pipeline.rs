//! The lint pipeline, top to bottom, as `lint` and `probe` run it:
//!
//! 1. resolve settings (command line over configuration over defaults) and load the rules;
//! 2. load inputs into configurations to judge ([`Unit`]s: layers, profile, example);
//! 3. evaluate the rules on each (the engine: pure and synchronous);
//! 4. probe the servers each names (optional; the only async code, inside `probe`);
//! 5. filter: selection and per-file settings, suppressions, the baseline;
//! 6. decide the exit status, and write the outputs: the baseline and the report, none of them
//!    onto a file the run read (see [`crate::output`]).
//!
//! Secrets are masked as each input is read (step 2), by span, in the source text that reports
//! show: messages are never searched for secret strings, which garbled the tool's own words
//! (`import ****s`); a message that shows a value shows the masked one it was built with.
//!
//! Commands call [`check`] then [`report()`]; nothing here calls back into them. Findings the
//! program raises itself (probes, suppressions) get their severity and help from the rule set
//! here ([`RuleSet::complete`](crate::rules::RuleSet::complete)), and a finding whose rule is not loaded fails the run.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cli::{InputFormatArg, LintArgs, LintFormat, VerifyArgs};
use crate::config::ExampleChoice;
use crate::engine::connections::{Count, Processes};
use crate::engine::deployment::{self, Deployment, Environment, Limits, Manifest};
use crate::engine::{self, Effective, LayerKind, Merged};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::filter::baseline::{Baseline, Fingerprint};
use crate::filter::{self, suppress};
use crate::finding::{self, Finding};
use crate::inputs::{self, Judging, Loader, Plan};
use crate::manifest::{alembic, dependencies};
use crate::output::{self, Output};
use crate::parallel;
use crate::probe;
use crate::progress::Progress;
use crate::report::{self, Report, ReportInput};
use crate::rules::{Predicate, Raised, Role, RuleDoc, RuleId, RuleSet, Targets};
use crate::secret::Redactor;
use crate::settings::{self, LintSettings};
use crate::source::discover;
use crate::source::read::Reader;
use crate::source::{SourceFile, SourceId, Sources};
use crate::verify;

/// What a run does besides evaluating the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `lint`: the rules, and the probes with `--probe`.
    Lint { probe: bool },
    /// `probe`: the probes alone.
    ProbeOnly,
}

impl Mode {
    fn evaluates(self) -> bool {
        match self {
            Mode::Lint { .. } => true,
            Mode::ProbeOnly => false,
        }
    }

    fn probes(self) -> bool {
        match self {
            Mode::Lint { probe } => probe,
            Mode::ProbeOnly => true,
        }
    }

    /// The subcommand that runs in this mode, as the user typed it.
    pub fn command(self) -> &'static str {
        match self {
            Mode::Lint { .. } => "lint",
            Mode::ProbeOnly => "probe",
        }
    }
}

/// The judged configurations, ready to report.
#[derive(Default)]
pub struct Outcome {
    pub sources: Sources,
    /// Filtered, masked, in report order.
    pub findings: Vec<Finding>,
    /// Each configuration judged: its first input's name, its profile and its sources.
    pub inputs: Vec<ReportInput>,
    /// Documentation of every loaded rule, with the configured severities.
    pub docs: Vec<RuleDoc>,
    pub status: ExitStatus,
    /// The findings to record with `--write-baseline` (which needs one configuration).
    pub baseline: Option<Baseline>,
    /// `verify`: each health path with its median and 95th-percentile latency.
    pub latency: Vec<(String, std::time::Duration, std::time::Duration)>,
}

/// Steps 1 to 6, and the exit status. Inputs under different configurations (a monorepo's
/// `backend/deploycheck.toml` and `worker/deploycheck.toml`, as pre-commit passes them) are
/// checked each with its own, as ruff does, and reported together.
///
/// `progress` hears what the run is doing (finding inputs, judging them, probing).
pub fn check(
    args: &LintArgs,
    mode: Mode,
    stdin: &mut dyn Read,
    reader: &Reader,
    progress: &Progress,
) -> Result<Outcome, Error> {
    if mode == (Mode::Lint { probe: false }) && args.probe_options.any() {
        return Err(Error::Usage {
            message: "--probe-timeout, --probe-ca, --probe-insecure and --replicas have no effect without --probe".to_owned(),
            help: Some("add --probe, or use `deploycheck probe`".to_owned()),
        });
    }
    // A directory stands for the files found under it; every input once, in path order.
    let mut args = args.clone();
    progress.set("finding the inputs");
    args.paths = discover::inputs(&args.paths)?;
    let groups = settings::configuration_groups(&args.rules, &args.paths, reader)?;
    if groups.len() <= 1 {
        // Deployment files are judged after the configurations: put every input in path order.
        let mut outcome = check_one(&args, mode, stdin, reader, progress)?;
        outcome.sort_inputs();
        finding::sort(&mut outcome.findings);
        return Ok(outcome);
    }
    if args.write_baseline.is_some() {
        return Err(Error::Usage {
            message: "--write-baseline needs inputs under one configuration".to_owned(),
            help: Some("write one baseline per project, or name one with `--config`".to_owned()),
        });
    }
    let mut outcome: Option<Outcome> = None;
    for paths in groups {
        let mut group_args = args.clone();
        group_args.paths = paths;
        let group = check_one(&group_args, mode, stdin, reader, progress)?;
        match &mut outcome {
            None => outcome = Some(group),
            Some(so_far) => so_far.absorb(group),
        }
    }
    let mut outcome = outcome.unwrap_or_default();
    outcome.sort_inputs();
    finding::sort(&mut outcome.findings);
    Ok(outcome)
}

impl Outcome {
    /// Add another group's outcome: its sources renumbered after this one's.
    fn absorb(&mut self, mut other: Outcome) {
        let offset = self.sources.len();
        other.renumber(|id| SourceId(id.0 + offset));
        self.sources.extend(other.sources);
        self.findings.extend(other.findings);
        self.inputs.extend(other.inputs);
        for doc in other.docs {
            if !self.docs.iter().any(|known| known.id == doc.id) {
                self.docs.push(doc);
            }
        }
        self.status = self.status.max(other.status);
        match (&mut self.baseline, other.baseline) {
            (Some(baseline), Some(more)) => baseline.findings.extend(more.findings),
            (baseline @ None, more) => *baseline = more,
            (Some(_), None) => {}
        }
    }

    /// Put the inputs in path order ([`discover::sort_by_path`]), their sources with them, then
    /// the sources no input holds (a configuration file). Inputs come in path order from each
    /// configuration, but two configurations' inputs interleave (a monorepo's root
    /// configuration and `worker/deploycheck.toml`: `app/.env`, `worker/.env`, `zeta/.env`).
    fn sort_inputs(&mut self) {
        discover::sort_by_path(&mut self.inputs, |input| &input.file);
        let count = self.sources.iter().count();
        let mut order: Vec<SourceId> = Vec::with_capacity(count);
        let mut placed = vec![false; count];
        let held = self.inputs.iter().flat_map(|input| &input.sources).copied();
        for id in held.chain((0..count).map(SourceId)) {
            if !std::mem::replace(&mut placed[id.0], true) {
                order.push(id);
            }
        }
        let mut new_id = vec![SourceId(0); count];
        for (new, old) in order.iter().enumerate() {
            new_id[old.0] = SourceId(new);
        }
        let mut files: Vec<Option<SourceFile>> = std::mem::take(&mut self.sources)
            .into_iter()
            .map(Some)
            .collect();
        for old in order {
            if let Some(file) = files[old.0].take() {
                self.sources.add(file);
            }
        }
        self.renumber(|id| new_id[id.0]);
    }

    /// Give every reference to a source (findings, their labels, inputs) its new id.
    fn renumber(&mut self, new_id: impl Fn(SourceId) -> SourceId) {
        for finding in &mut self.findings {
            finding.source = new_id(finding.source);
            for label in &mut finding.labels {
                label.source = new_id(label.source);
            }
        }
        for input in &mut self.inputs {
            for source in &mut input.sources {
                *source = new_id(*source);
            }
        }
    }
}

/// [`check`] for inputs under one configuration.
fn check_one(
    args: &LintArgs,
    mode: Mode,
    stdin: &mut dyn Read,
    reader: &Reader,
    progress: &Progress,
) -> Result<Outcome, Error> {
    // 1. Settings and rules.
    // From here on, files are read under the size limit the configuration may set.
    let (rules, settings, class, configured_reader) = settings::for_lint(args, reader)?;
    check_loaded(
        args,
        mode,
        stdin,
        Loaded {
            rules: &rules,
            settings: &settings,
            class: &class,
            reader: &configured_reader,
        },
        progress,
    )
}

/// What step 1 made of a run's arguments ([`settings::for_lint`]).
#[derive(Clone, Copy)]
pub struct Loaded<'a> {
    pub rules: &'a RuleSet,
    pub settings: &'a LintSettings,
    pub class: &'a settings::SettingsClass,
    /// Reads files under the size limit the configuration sets.
    pub reader: &'a Reader,
}

/// Steps 2 to 6 for inputs under one configuration, with what step 1 made of `args`
/// ([`settings::for_lint`]): the fuzz target runs the rest of a lint many times over.
///
/// Each configuration to judge (a positional path, or the layers) goes through steps 2 to 5 on
/// its own ([`judge`]), in parallel ([`parallel::map`]), then the results are merged in the
/// order of the inputs: the report is the same whatever order they were judged in.
pub fn check_loaded(
    args: &LintArgs,
    mode: Mode,
    stdin: &mut dyn Read,
    loaded: Loaded,
    progress: &Progress,
) -> Result<Outcome, Error> {
    let Loaded {
        rules,
        settings,
        class,
        reader,
    } = loaded;
    let docs = rules.docs();
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| Baseline::load(path, reader))
        .transpose()?;
    // The deployment files (Dockerfile, railway.toml/json, Procfile) are set apart from the
    // configurations: they are judged once, with the production configuration of the run.
    let (paths, deployment_sources, deployment) =
        inputs::deployment_files(&args.paths, args.layers.input_format, reader, stdin, rules)?;
    let deployments = deployment.by_directory();
    // The deployment whose counts the configurations' quotas and probes take: the one with
    // Railway's config, else the first.
    let deployment = deployments
        .iter()
        .find(|deployment| deployment.railway().is_some())
        .or(deployments.first());
    let plans = if paths.is_empty() && !deployments.is_empty() && !args.layers.any() {
        Vec::new()
    } else {
        inputs::plans(&paths, &args.layers)?
    };
    // The project's Alembic history: judged on its own, and compared with the database by the
    // probe.
    let alembic = alembic_projects(args, settings, reader)?;
    let migrations = alembic.first().map(|project| {
        let history = engine::migrations::History::of(project);
        let railway = Environment {
            on_railway: true,
            ..Environment::default()
        };
        probe::Migrations {
            graph: history.graph,
            complete: history.complete,
            location: project.version_locations.join(", "),
            version_table: project.version_table.clone(),
            upgrade: deployment.and_then(|deployment| deployment.alembic_upgrade(&railway)),
        }
    });
    // Instances and workers as the files say, before any configuration is judged: the
    // `shared-quota` checks and the probes' connection budget multiply by them.
    let processes = deployment.map_or_else(Processes::default, |deployment| {
        deployment.processes(&Environment {
            on_railway: true,
            ..Environment::default()
        })
    });
    // Each process enforces a per-process quota on its own: instances × workers of them.
    let quota_processes = processes.total();
    let run = Run {
        args,
        mode,
        rules,
        settings,
        class,
        reader,
        docs: &docs,
        baseline: baseline.as_ref(),
        deployment,
        processes: &processes,
        quota_processes: quota_processes.as_ref(),
        progress,
        judged: AtomicUsize::new(0),
        to_judge: plans.len(),
        migrations: migrations.as_ref(),
    };
    // Each configuration on a core of its own; one that reads standard input, which only this
    // thread can read, is judged here. Results come back in the order of the plans.
    let example_from_stdin =
        mode.evaluates() && matches!(&settings.example, ExampleChoice::Path(path) if path == "-");
    if example_from_stdin && plans.len() > 1 {
        return Err(Error::Usage {
            message: "`--example -` reads standard input, which can be read once, for each of \
                      several inputs"
                .to_owned(),
            help: Some("name the example as a file".to_owned()),
        });
    }
    let (on_this_thread, on_workers): (Vec<usize>, Vec<usize>) = (0..plans.len())
        .partition(|&index| example_from_stdin || plans[index].reads_standard_input());
    let mut judged: Vec<(usize, Result<Judged, Error>)> = on_this_thread
        .into_iter()
        .map(|index| {
            let judged = judge(&run, index, &plans[index], stdin);
            run.judged_one();
            (index, judged)
        })
        .collect();
    let from_workers = parallel::map(&on_workers, |&index| {
        let judged = judge(&run, index, &plans[index], &mut std::io::empty());
        run.judged_one();
        judged
    });
    judged.extend(on_workers.into_iter().zip(from_workers));
    judged.sort_by_key(|(index, _)| *index);
    // The first error in the order of the inputs, as if they had been judged one by one.
    let judged: Vec<Judged> = judged
        .into_iter()
        .map(|(_, judged)| judged)
        .collect::<Result<_, _>>()?;

    let mut outcome = Outcome::default();
    let mut used_suppressions = BTreeSet::new();
    let mut secrets = Redactor::default();
    let mut production: Option<Environment> = None;
    for unit in judged {
        outcome.absorb(unit.outcome);
        used_suppressions.extend(unit.used_suppressions);
        secrets.absorb(unit.secrets);
        production = production.or(unit.environment);
    }
    if mode.evaluates() && !deployments.is_empty() {
        let judged = judge_deployment(&run, &deployments, deployment_sources, production)?;
        outcome.absorb(judged.outcome);
        used_suppressions.extend(judged.used_suppressions);
    }
    if mode.evaluates() {
        for project in &alembic {
            let judged = judge_migrations(&run, project)?;
            outcome.absorb(judged.outcome);
            used_suppressions.extend(judged.used_suppressions);
        }
    }
    // Each input was masked for its own secrets (and its example for them) as it was read; a
    // secret of one input copied into another (pasted under an innocent name, quoted in a
    // comment) is masked now, for all inputs at once. Only the sources a finding points into
    // are searched: no report shows the text of any other.
    if plans.len() > 1 || !deployments.is_empty() {
        let shown: BTreeSet<SourceId> = outcome
            .findings
            .iter()
            .flat_map(|finding| {
                std::iter::once(finding.source).chain(finding.labels.iter().map(|l| l.source))
            })
            .collect();
        for source in shown {
            secrets.redact(outcome.sources.get_mut(source));
        }
    }
    // `[[suppress]]` entries are judged over all inputs: unused means unused everywhere.
    if let (Some(path), false) = (&settings.config.path, settings.config.suppress.is_empty()) {
        let config_source = outcome.sources.add(SourceFile::new(
            path.display().to_string(),
            settings.config.text.clone(),
        ));
        let unused =
            suppress::unused_config(&settings.config.suppress, &used_suppressions, config_source);
        let unused = rules.complete_all(unused)?;
        outcome
            .findings
            .extend(filter::select(settings, unused, None, &docs)?);
    }

    finding::sort(&mut outcome.findings);
    // Writing a baseline adopts the current state: it is not a failed gate.
    outcome.status = match args.write_baseline {
        Some(_) => ExitStatus::Success,
        None => ExitStatus::of(&outcome.findings, settings.fail_on),
    };
    outcome.docs = docs;
    Ok(outcome)
}

/// What every configuration of a run is judged with.
struct Run<'a> {
    args: &'a LintArgs,
    mode: Mode,
    rules: &'a RuleSet,
    settings: &'a LintSettings,
    class: &'a settings::SettingsClass,
    reader: &'a Reader,
    docs: &'a [RuleDoc],
    baseline: Option<&'a Baseline>,
    /// The deployment files, when the run has any.
    deployment: Option<&'a Deployment>,
    /// Instances and workers as the deployment files say.
    processes: &'a Processes,
    /// Their product, when the files say either.
    quota_processes: Option<&'a Count>,
    progress: &'a Progress,
    /// How many of the `to_judge` configurations are judged so far (for `progress`).
    judged: AtomicUsize,
    to_judge: usize,
    /// The Alembic history the probe compares the database with.
    migrations: Option<&'a probe::Migrations>,
}

impl Run<'_> {
    /// The findings about one file judged apart from the configurations (a deployment file, a
    /// migration script) that the run reports: `kept`'s findings in `source`, selected as the
    /// per-file settings for `name` say, less those the baseline holds; those also recorded for
    /// `--write-baseline`.
    fn report_of_file(
        &self,
        kept: &[Finding],
        source: SourceId,
        name: &str,
        findings: &mut Vec<Finding>,
        recorded: &mut Baseline,
    ) -> Result<(), Error> {
        let of_file: Vec<Finding> = kept
            .iter()
            .filter(|finding| finding.source == source)
            .cloned()
            .collect();
        for finding in filter::select(self.settings, of_file, Some(name), self.docs)? {
            let fingerprint = Fingerprint::of(&finding, name);
            if self
                .baseline
                .is_some_and(|known| known.contains(&fingerprint))
            {
                continue;
            }
            if self.args.write_baseline.is_some() {
                recorded.findings.insert(fingerprint);
            }
            findings.push(finding);
        }
        Ok(())
    }

    /// Count one more configuration judged, and say so.
    fn judged_one(&self) {
        let judged = self.judged.fetch_add(1, Ordering::Relaxed) + 1;
        if self.to_judge > 1 {
            self.progress
                .set(format!("judged {judged} of {} inputs", self.to_judge));
        }
    }
}

/// One configuration judged on its own (steps 2 to 5).
struct Judged {
    /// Its sources, its findings (filtered, masked), its one input, and with
    /// `--write-baseline` its findings to record; no docs, and no status yet.
    outcome: Outcome,
    /// The configuration's `[[suppress]]` entries that applied.
    used_suppressions: BTreeSet<usize>,
    /// Every secret string its sources hold, to mask copies of them in the other inputs.
    secrets: Redactor,
    /// What the deployment checks need from it, when it is a production configuration and the
    /// run has deployment files.
    environment: Option<Environment>,
}

/// Steps 2 to 5 for one configuration to judge, the `index`-th of the run.
fn judge(run: &Run, index: usize, plan: &Plan, stdin: &mut dyn Read) -> Result<Judged, Error> {
    let (args, mode, rules, settings) = (run.args, run.mode, run.rules, run.settings);
    // 2. Inputs.
    let mut loader = Loader::new(rules, stdin, run.reader);
    // The command line, then a per-file entry, beat Railway's environment name; the
    // configuration's own `profile` only beats the file name.
    let explicit_profile = |path: Option<&str>| -> Option<String> {
        args.profile.clone().or_else(|| {
            path.and_then(|p| settings.per_file(p).find_map(|entry| entry.profile.clone()))
        })
    };
    let judging = Judging {
        explicit_profile: &explicit_profile,
        default_profile: settings.config.profile.as_deref(),
        // The probes never compare with a .env.example: one that cannot be read must not stop
        // them.
        example: mode.evaluates().then_some(&settings.example),
    };
    let unit = inputs::load_unit(&mut loader, plan, &args.layers, &judging)?;

    let merged = Merged::build(rules, &unit.layers);
    let primary = merged.primary;
    let environment =
        (mode.evaluates() && run.deployment.is_some() && unit.profile == "production").then(|| {
            let name = unit.layers.first().map_or_else(String::new, |layer| {
                loader.sources.get(layer.source).name.clone()
            });
            let from_railway = unit
                .layers
                .iter()
                .any(|layer| layer.kind == LayerKind::Railway);
            Environment::from_merged(&merged, format!("`{name}`"), from_railway)
        });
    // 3. Evaluate: the rules, the readers' notices, and the application's Settings class.
    let mut findings = if mode.evaluates() {
        let input = engine::Input {
            sources: &loader.sources,
            layers: &unit.layers,
            profile: &unit.profile,
            example: unit.example.as_ref(),
            instances: run.quota_processes,
        };
        let mut evaluated = engine::evaluate(rules, &input, &merged);
        evaluated.extend(rules.complete_all(engine::reader_notices(&unit.layers))?);
        if let Some(app) = &run.class.app {
            let raised = engine::settings_class::check(app, &merged, &unit.layers);
            evaluated.extend(rules.complete_all(raised)?);
        }
        if index == 0 && !run.class.candidates.is_empty() {
            evaluated.push(rules.complete(ambiguous_class(run.class, primary))?);
        }
        evaluated
    } else {
        Vec::new()
    };
    // 4. Probe.
    if mode.probes() {
        let mut input = probe_input(&merged);
        input.deployment = run.processes.clone();
        input.migrations = run.migrations.cloned();
        input.api_checks = api_checks(run, &merged, &unit.profile, unit.path.as_deref());
        let asked: Vec<&str> = [
            (input.database_url.is_some(), "PostgreSQL"),
            (input.redis_url.is_some(), "Redis"),
            (!input.api_checks.is_empty(), "the APIs of `http` checks"),
        ]
        .into_iter()
        .filter_map(|(asked, what)| asked.then_some(what))
        .collect();
        if !asked.is_empty() {
            let name = &loader.sources.get(primary).name;
            run.progress
                .set(format!("probing {} ({name})", asked.join(" and ")));
        }
        let mut raised = probe::run(&input, &settings.probe, run.reader)?;
        // `lint` reports the URLs the Settings class requires itself
        // (missing-required-variable); a URL nobody declared required goes unreported there.
        let required_url = [Role::DatabaseUrl, Role::RedisUrl]
            .into_iter()
            .flat_map(|role| merged.bound(role))
            .any(|name| rules.variable(name).is_some_and(|v| v.required));
        let reported_by_lint = mode != Mode::ProbeOnly && required_url;
        let nothing = input.database_url.is_none()
            && input.redis_url.is_none()
            && input.api_checks.is_empty();
        if !reported_by_lint && nothing {
            raised.push(probe::nothing_to_probe(primary));
        }
        findings.extend(rules.complete_all(raised)?);
    }
    // 5. Filter: selection and per-file settings, suppressions, baseline.
    let applied = suppress::apply(
        findings,
        &loader.sources,
        &unit.layers,
        rules,
        &settings.config.suppress,
    );
    let mut kept = applied.kept;
    kept.extend(rules.complete_all(applied.raised)?);
    let selected = filter::select(settings, kept, unit.path.as_deref(), run.docs)?;
    let mut findings = Vec::with_capacity(selected.len());
    let mut recorded = Baseline::new();
    for finding in selected {
        let fingerprint = Fingerprint::of(&finding, &loader.sources.get(finding.source).name);
        if run
            .baseline
            .is_some_and(|known| known.contains(&fingerprint))
        {
            continue;
        }
        if args.write_baseline.is_some() {
            recorded.findings.insert(fingerprint);
        }
        findings.push(finding);
    }

    let input = ReportInput {
        file: unit.layers.first().map_or_else(
            || unit.path.clone().unwrap_or_default(),
            |layer| loader.sources.get(layer.source).name.clone(),
        ),
        profile: unit.profile.clone(),
        sources: unit
            .layers
            .iter()
            .chain(&unit.example)
            .map(|layer| layer.source)
            .collect(),
    };
    Ok(Judged {
        outcome: Outcome {
            sources: loader.sources,
            findings,
            inputs: vec![input],
            docs: Vec::new(),
            status: ExitStatus::Success,
            baseline: args.write_baseline.is_some().then_some(recorded),
            latency: Vec::new(),
        },
        used_suppressions: applied.used_config,
        secrets: loader.redactor,
        environment,
    })
}

/// The deployment files judged with the run's first production configuration (in the order
/// of the inputs), else with the Settings class's defaults; filtered like any input (selection,
/// per-file settings, `[[suppress]]` entries, the baseline).
fn judge_deployment(
    run: &Run,
    deployments: &[Deployment],
    sources: Sources,
    production: Option<Environment>,
) -> Result<Judged, Error> {
    let (args, rules, settings) = (run.args, run.rules, run.settings);
    let environment = production.unwrap_or_else(|| {
        let defaults = Merged::build(rules, &[]);
        let described = if run.class.app.is_some() {
            "the Settings class's defaults"
        } else {
            "no production configuration"
        };
        Environment::from_merged(&defaults, described.to_owned(), false)
    });
    let limits = Limits {
        max_connections: settings.config.max_connections,
    };
    let mut raised = Vec::new();
    for deployment in deployments {
        let railway_config = deployment
            .files
            .iter()
            .any(|file| matches!(file.manifest, Manifest::Railway(_)));
        let mut environment = environment.clone();
        environment.on_railway |= railway_config;
        let distributions = deployment
            .root
            .as_deref()
            .and_then(dependencies::project_distributions);
        raised.extend(deployment::check(
            deployment,
            &environment,
            &limits,
            distributions.as_ref(),
        ));
    }
    let findings = rules.complete_all(raised)?;
    let applied = suppress::apply(findings, &sources, &[], rules, &settings.config.suppress);
    let mut kept = applied.kept;
    kept.extend(rules.complete_all(applied.raised)?);
    let mut findings = Vec::with_capacity(kept.len());
    let mut recorded = Baseline::new();
    let files: Vec<&deployment::ManifestFile> = deployments
        .iter()
        .flat_map(|deployment| &deployment.files)
        .collect();
    let mut inputs = Vec::with_capacity(files.len());
    for file in files {
        run.report_of_file(&kept, file.source, &file.name, &mut findings, &mut recorded)?;
        inputs.push(ReportInput {
            file: file.name.clone(),
            profile: file.profile.clone(),
            sources: vec![file.source],
        });
    }
    Ok(Judged {
        outcome: Outcome {
            sources,
            findings,
            inputs,
            docs: Vec::new(),
            status: ExitStatus::Success,
            baseline: args.write_baseline.is_some().then_some(recorded),
            latency: Vec::new(),
        },
        used_suppressions: applied.used_config,
        secrets: Redactor::default(),
        environment: None,
    })
}

/// The Alembic projects of a run: looked for in the directory of each input, in the
/// configuration's directory and in the project root (the git work tree; not with
/// `--isolated`), each directory once, and each set of scripts once.
fn alembic_projects(
    args: &LintArgs,
    settings: &LintSettings,
    reader: &Reader,
) -> Result<Vec<alembic::Project>, Error> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for path in args.paths.iter().filter(|path| *path != "-") {
        let dir = Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        dirs.push(dir);
    }
    if let Some(root) = settings.config.root() {
        dirs.push(root.to_path_buf());
    }
    if !args.rules.isolated {
        let first = args.paths.first().map(String::as_str);
        if let Some(root) = settings::project_root(first, &settings.config)? {
            dirs.push(root);
        }
    }
    // A directory of thousands of inputs names a few directories thousands of times: each
    // name is resolved once.
    let mut seen_names: BTreeSet<PathBuf> = BTreeSet::new();
    let mut seen_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut seen_locations: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut projects = Vec::new();
    for dir in dirs {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        if !seen_names.insert(dir.clone()) {
            continue;
        }
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if !seen_dirs.insert(canonical) {
            continue;
        }
        if let Some(project) = alembic::find(&dir, reader) {
            let locations: Vec<String> = project
                .version_locations
                .iter()
                .map(|location| {
                    Path::new(location)
                        .canonicalize()
                        .map_or_else(|_| location.clone(), |path| path.display().to_string())
                })
                .collect();
            if seen_locations.insert(locations) {
                projects.push(project);
            }
        }
    }
    Ok(projects)
}

/// An Alembic project's history judged on its own ([`engine::migrations::check`]), filtered
/// like any input. Only the scripts a finding points into become sources of the report.
fn judge_migrations(run: &Run, project: &alembic::Project) -> Result<Judged, Error> {
    let (args, rules, settings) = (run.args, run.rules, run.settings);
    let count = project.scripts.len();
    let placeholders: Vec<SourceId> = (0..count).map(SourceId).collect();
    let config_placeholder = project.config.as_ref().map(|_| SourceId(count));
    let mut raised = engine::migrations::check(project, &placeholders, config_placeholder);
    let mut sources = Sources::new();
    let mut new_id: std::collections::BTreeMap<usize, SourceId> = std::collections::BTreeMap::new();
    let mut source_for = |placeholder: SourceId, sources: &mut Sources| -> SourceId {
        *new_id.entry(placeholder.0).or_insert_with(|| {
            let mut file = match project.scripts.get(placeholder.0) {
                Some(script) => SourceFile::new(script.name.clone(), script.text.clone()),
                None => {
                    let config = project.config.as_ref();
                    SourceFile::new(
                        config.map(|c| c.name.clone()).unwrap_or_default(),
                        config.map(|c| c.text.clone()).unwrap_or_default(),
                    )
                }
            };
            let spans = crate::secret::embedded_secret_ranges(&file.text);
            file.redact_all(spans);
            sources.add(file)
        })
    };
    for finding in &mut raised {
        finding.source = source_for(finding.source, &mut sources);
        for label in &mut finding.labels {
            label.source = source_for(label.source, &mut sources);
        }
    }
    let findings = rules.complete_all(raised)?;
    let applied = suppress::apply(findings, &sources, &[], rules, &settings.config.suppress);
    let mut kept = applied.kept;
    kept.extend(rules.complete_all(applied.raised)?);
    let mut findings = Vec::with_capacity(kept.len());
    let mut recorded = Baseline::new();
    for (id, file) in sources.iter() {
        run.report_of_file(&kept, id, &file.name, &mut findings, &mut recorded)?;
    }
    let input = ReportInput {
        file: project
            .config
            .as_ref()
            .map_or_else(|| project.script_location.clone(), |c| c.name.clone()),
        profile: "production".to_owned(),
        sources: sources.iter().map(|(id, _)| id).collect(),
    };
    Ok(Judged {
        outcome: Outcome {
            sources,
            findings,
            inputs: vec![input],
            docs: Vec::new(),
            status: ExitStatus::Success,
            baseline: args.write_baseline.is_some().then_some(recorded),
            latency: Vec::new(),
        },
        used_suppressions: applied.used_config,
        secrets: Redactor::default(),
        environment: None,
    })
}

/// The info that several Settings classes were found and none was named.
fn ambiguous_class(class: &settings::SettingsClass, source: SourceId) -> Raised {
    Raised::new(
        RuleId::SettingsClassAmbiguous,
        format!(
            "several pydantic-settings classes were found ({}); the configuration was judged \
             without one",
            class.candidates_text()
        ),
        source,
        0..0,
    )
}

/// Step 6: write the outputs: the baseline (`--write-baseline`), then the report in the chosen
/// format, to `-o FILE` or to `stdout` (and, for `github`, the step summary). Each is checked
/// against the files the run read before any is written.
pub fn report(
    outcome: &Outcome,
    args: &LintArgs,
    color: bool,
    stdout: &mut dyn Write,
    reader: &Reader,
) -> Result<(), Error> {
    let step_summary = match args.format {
        LintFormat::Github => step_summary_path(),
        LintFormat::Human | LintFormat::Json | LintFormat::Sarif | LintFormat::Junit => None,
    };
    let outputs = [
        (args.write_baseline.as_deref(), Output::Baseline),
        (args.output.as_deref(), Output::Report),
        (step_summary.as_deref(), Output::StepSummary),
    ];
    for (path, output) in outputs {
        if let Some(path) = path {
            output::refuse_input(reader, path, output)?;
        }
    }
    if let (Some(path), Some(baseline)) = (&args.write_baseline, &outcome.baseline) {
        baseline.write(path, reader)?;
    }
    let report = Report {
        sources: &outcome.sources,
        findings: &outcome.findings,
        inputs: &outcome.inputs,
        rules: &outcome.docs,
    };
    let write = |out: &mut dyn Write, color: bool| -> Result<(), Error> {
        render(&report, args.format, color, out)?;
        if let Some(path) = &step_summary {
            // GitHub shows at most ten annotations of each kind per step: the summary lists all.
            let summary = report::github::step_summary(&report);
            output::append(reader, path, Output::StepSummary, summary.as_bytes())?;
        }
        Ok(())
    };
    match &args.output {
        Some(path) => output::replace(reader, path, Output::Report, |out| write(out, false)),
        None => {
            write(stdout, color)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

fn render(
    report: &Report,
    format: LintFormat,
    color: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match format {
        LintFormat::Human => {
            report::human::render(report, report::human::Style { color, width: 100 }, out)?
        }
        LintFormat::Json => report::json::render(report, out)?,
        LintFormat::Sarif => report::sarif::render(report, out)?,
        LintFormat::Github => report::github::render(report, out)?,
        LintFormat::Junit => report::junit::render(report, out)?,
    }
    Ok(())
}

/// What the probes need from a configuration: the URLs and pool sizes, each with the place
/// that set it (a default points at the URL it sizes).
fn probe_input(merged: &Merged) -> probe::ProbeInput {
    let located_text = |name: &str| -> Option<probe::Located<String>> {
        let assignment = merged.assignment(name)?;
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
    // Each by its role (`DATABASE_URL`, `SQLALCHEMY_DATABASE_URI`, a `PostgresDsn` field, ...).
    let by_role = |role: Role| merged.role_variable(role);
    let located_role = |role: Role| by_role(role).and_then(|name| located_text(&name));
    let database_url = located_role(Role::DatabaseUrl);
    let redis_url = located_role(Role::RedisUrl);
    let number =
        |name: &str, fallback: &Option<probe::Located<String>>| -> Option<probe::Located<i64>> {
            let value = merged.value(name).and_then(engine::parse_int)?;
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
    let number_by_role = |role: Role, fallback: &Option<probe::Located<String>>| {
        by_role(role).and_then(|name| number(&name, fallback))
    };
    probe::ProbeInput {
        db_pool_size: number_by_role(Role::DbPoolSize, &database_url),
        db_max_overflow: number_by_role(Role::DbMaxOverflow, &database_url),
        redis_max_connections: number_by_role(Role::RedisMaxConnections, &redis_url),
        web_concurrency: number("WEB_CONCURRENCY", &None),
        deployment: Processes::default(),
        migrations: None,
        database_url,
        redis_url,
        api_checks: Vec::new(),
    }
}

/// The rule files' `http` checks to run on a configuration: those of the rules that are on
/// (selected, not ignored for this file, their `when` holding), whose variable the
/// configuration sets to a value that is not empty. Nothing is sent for a variable left unset:
/// `missing-required-variable` reports that where it matters.
fn api_checks(
    run: &Run,
    merged: &Merged,
    profile: &str,
    path: Option<&str>,
) -> Vec<probe::api::ApiCheck> {
    let mut checks = Vec::new();
    for rule in &run.rules.rules {
        let on = filter::rule_enabled(run.settings, &rule.doc, path)
            && rule
                .when
                .as_ref()
                .is_none_or(|when| merged.holds(when, profile));
        if !on {
            continue;
        }
        for check in &rule.checks {
            let (Predicate::Http(http), Targets::Named(names)) = (&check.predicate, &check.targets)
            else {
                continue;
            };
            for name in names {
                let Effective::Set(assignment) = merged.effective(name) else {
                    continue;
                };
                let Some(value) = assignment.entry.value.clone().filter(|v| !v.is_empty()) else {
                    continue;
                };
                let span = assignment
                    .entry
                    .value_span
                    .clone()
                    .unwrap_or(assignment.entry.key_span.clone());
                let railway_reference = assignment
                    .entry
                    .raw_value
                    .as_deref()
                    .is_some_and(|raw| raw.contains("${{"));
                checks.push(probe::api::ApiCheck {
                    rule: rule.doc.id.clone(),
                    check: http.clone(),
                    value: probe::Located {
                        value,
                        source: assignment.source,
                        key: assignment.entry.key.clone(),
                        span,
                    },
                    railway_reference,
                });
            }
        }
    }
    checks
}

/// `deploycheck verify URL`: what to expect from the configuration (the run's first
/// production configuration, else the Settings class's defaults; `[verify]`; Railway's
/// `healthcheckPath`), then the checks against the service ([`crate::verify`]), reported like a
/// lint: the findings point into the transcript of the requests made.
pub fn verify(
    args: &VerifyArgs,
    stdin: &mut dyn Read,
    reader: &Reader,
    progress: &crate::progress::Progress,
) -> Result<Outcome, Error> {
    let url = verify_url(&args.url)?;
    let mut lint_args = args.lint_args();
    lint_args.paths = discover::inputs(&lint_args.paths)?;
    let (rules, settings, class, reader) = settings::for_lint(&lint_args, reader)?;
    let (paths, _, mut deployment) = inputs::deployment_files(
        &lint_args.paths,
        lint_args.layers.input_format,
        &reader,
        stdin,
        &rules,
    )?;
    // Railway's config of the project, when none was named: beside the configuration, else in
    // the current directory.
    if deployment.railway().is_none() {
        let root = settings
            .config
            .root()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for name in ["railway.toml", "railway.json"] {
            let path = root.join(name);
            if path.is_file() {
                let found = inputs::deployment_files(
                    &[path.display().to_string()],
                    InputFormatArg::Auto,
                    &reader,
                    stdin,
                    &rules,
                )?;
                deployment.files.extend(found.2.files);
                break;
            }
        }
    }
    let environment = production_environment(
        &lint_args, &paths, stdin, &rules, &settings, &class, &reader,
    )?;
    let railway_path = deployment.railway().and_then(|(_, config)| {
        let effective = config.effective(environment.railway_environment.as_deref());
        effective.deploy.healthcheck_path.map(|path| path.value)
    });
    let verify_settings = &settings.config.verify;
    let health_paths = verify_settings
        .health_paths
        .clone()
        .or_else(|| railway_path.map(|path| vec![path]))
        .unwrap_or_else(|| {
            verify::DEFAULT_HEALTH_PATHS
                .iter()
                .map(|p| p.to_string())
                .collect()
        });
    let mut origins = environment.cors_origins.clone();
    for origin in &verify_settings.origins {
        if !origins.contains(origin) {
            origins.push(origin.clone());
        }
    }
    // A wildcard or a local origin is not one the production frontend is served from.
    origins.retain(|origin| origin != "*" && !origin.is_empty());
    let mut ca_pems = Vec::with_capacity(args.ca.len());
    for path in &args.ca {
        let file = reader.read(&path.display().to_string(), &mut std::io::empty())?;
        ca_pems.push((file.name.clone(), file.text.into_bytes()));
    }
    let plan = verify::Plan {
        url: url.clone(),
        health_paths,
        origins,
        paths: verify_settings.paths.clone(),
        latency_budget: verify_settings.latency_budget,
        requests: verify_settings.requests.unwrap_or(5),
        client: verify::http::ClientOptions {
            timeout: args.timeout.unwrap_or(std::time::Duration::from_secs(10)),
            ca_pems,
            user_agent: format!("deploycheck/{} (verify)", env!("CARGO_PKG_VERSION")),
        },
    };
    let docs = rules.docs();
    let passes = |raised: &[Raised]| -> bool {
        let findings: Vec<Finding> = raised
            .iter()
            .filter_map(|raised| rules.complete(raised.clone()).ok())
            .collect();
        ExitStatus::of(&findings, settings.fail_on) == ExitStatus::Success
    };
    let verified =
        verify::run(&plan, args.wait, &passes, progress).map_err(|error| Error::Usage {
            message: error.to_string(),
            help: Some("give --ca a PEM file holding the CA certificate".to_owned()),
        })?;
    let mut outcome = Outcome::default();
    let name = verify::shown(&url);
    let source = outcome
        .sources
        .add(SourceFile::new(name.clone(), verified.transcript));
    let findings = rules.complete_all(verified.raised.into_iter().map(|mut raised| {
        raised.source = source;
        raised
    }))?;
    let applied = suppress::apply(
        findings,
        &outcome.sources,
        &[],
        &rules,
        &settings.config.suppress,
    );
    let mut kept = applied.kept;
    kept.extend(rules.complete_all(applied.raised)?);
    outcome.findings = filter::select(&settings, kept, None, &docs)?;
    finding::sort(&mut outcome.findings);
    outcome.inputs = vec![ReportInput {
        file: name,
        profile: "production".to_owned(),
        sources: vec![source],
    }];
    outcome.latency = verified.latency;
    outcome.status = ExitStatus::of(&outcome.findings, settings.fail_on);
    outcome.docs = docs;
    Ok(outcome)
}

/// The URL `verify` checks: `http` or `https`, with a host.
fn verify_url(text: &str) -> Result<url::Url, Error> {
    let usage = |message: String| Error::Usage {
        message,
        help: Some("give the service's base URL, e.g. `https://api.example.com`".to_owned()),
    };
    let url = url::Url::parse(text).map_err(|error| usage(format!("not a URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(usage(format!(
            "`{}` is not an http:// or https:// URL with a host",
            verify::shown(&url)
        )));
    }
    Ok(url)
}

/// The environment the configuration describes for production: the first production
/// configuration among the inputs, in path order, else the Settings class's defaults.
fn production_environment(
    args: &LintArgs,
    paths: &[String],
    stdin: &mut dyn Read,
    rules: &RuleSet,
    settings: &LintSettings,
    class: &settings::SettingsClass,
    reader: &Reader,
) -> Result<Environment, Error> {
    let plans = if paths.is_empty() && !args.layers.any() {
        Vec::new()
    } else {
        inputs::plans(paths, &args.layers)?
    };
    for plan in &plans {
        let mut loader = Loader::new(rules, stdin, reader);
        let explicit_profile = |path: Option<&str>| -> Option<String> {
            path.and_then(|p| settings.per_file(p).find_map(|entry| entry.profile.clone()))
        };
        let judging = Judging {
            explicit_profile: &explicit_profile,
            default_profile: settings.config.profile.as_deref(),
            example: None,
        };
        let unit = inputs::load_unit(&mut loader, plan, &args.layers, &judging)?;
        if unit.profile == "production" {
            let merged = Merged::build(rules, &unit.layers);
            let name = unit.layers.first().map_or_else(String::new, |layer| {
                loader.sources.get(layer.source).name.clone()
            });
            let from_railway = unit
                .layers
                .iter()
                .any(|layer| layer.kind == LayerKind::Railway);
            return Ok(Environment::from_merged(
                &merged,
                format!("`{name}`"),
                from_railway,
            ));
        }
    }
    let defaults = Merged::build(rules, &[]);
    let described = if class.app.is_some() {
        "the Settings class's defaults"
    } else {
        "no production configuration"
    };
    Ok(Environment::from_merged(
        &defaults,
        described.to_owned(),
        false,
    ))
}

/// The file `GITHUB_STEP_SUMMARY` names, when it names one.
fn step_summary_path() -> Option<PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

/// Is this the error of writing to a pipe whose reader went away (`deploycheck lint | head`)?
pub fn is_broken_pipe(error: &Error) -> bool {
    matches!(error, Error::Output(error) if error.kind() == std::io::ErrorKind::BrokenPipe)
}

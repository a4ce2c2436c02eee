//! Resolved settings: the command line over the configuration file over the defaults. The
//! command line says what the user typed (`cli`); the configuration says what the team keeps
//! (`config`); this module decides, once, what applies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::appsettings::AppSettings;
use crate::cli::{FailOn, LintArgs, RuleSources};
use crate::config::{self, Config, ExampleChoice};
use crate::error::Error;
use crate::finding::Severity;
use crate::probe::ProbeOptions;
use crate::rules::{RuleDoc, RuleSet};
use crate::source::read::{MAX_INPUT_SIZE, Reader};

/// The most a file read may hold: `--max-input-size`, else the configuration's
/// `max-input-size`, else [`MAX_INPUT_SIZE`]. A configuration file itself is read before its
/// own setting is known (`config` is `None` then): under the command line's limit or the
/// default.
pub fn input_limit(sources: &RuleSources, config: Option<&Config>) -> u64 {
    sources
        .max_input_size
        .or_else(|| config.and_then(|config| config.max_input_size))
        .unwrap_or(MAX_INPUT_SIZE)
}

/// The configuration that applies: the one named, else the one discovered from the inputs'
/// directories upward (as ruff does: `deploycheck lint app/.env.production` run from anywhere
/// uses `app/`'s configuration; standard input and commands without inputs start from the
/// current directory), else none. Inputs that would each find a different configuration are an
/// error: one run has one rule set.
pub fn configuration(
    sources: &RuleSources,
    inputs: &[&str],
    reader: &Reader,
) -> Result<Config, Error> {
    let reader = &reader.with_limit(input_limit(sources, None));
    if sources.isolated {
        return Ok(Config::default());
    }
    if let Some(path) = &sources.config {
        return config::load(path, reader);
    }
    let mut starts: Vec<PathBuf> = inputs.iter().map(|input| input_dir(input)).collect();
    if starts.is_empty() {
        starts.push(PathBuf::new());
    }
    // Once per directory: the files of a directory linted together share it.
    let mut seen = std::collections::BTreeSet::new();
    starts.retain(|start| seen.insert(start.clone()));
    let mut found: Option<(Config, String)> = None;
    for start in &starts {
        let config = config::discover(start, reader)?.unwrap_or_default();
        let name = config
            .path
            .as_ref()
            .map(|p| {
                p.canonicalize()
                    .unwrap_or_else(|_| p.clone())
                    .display()
                    .to_string()
            })
            .unwrap_or_else(|| "no configuration".to_owned());
        match &found {
            None => found = Some((config, name)),
            Some((_, first)) if *first == name => {}
            Some((_, first)) => {
                return Err(Error::Usage {
                    message: format!(
                        "the inputs belong to different configurations ({first} and {name})"
                    ),
                    help: Some(
                        "lint each project's files in its own run, or name one with `--config`"
                            .to_owned(),
                    ),
                });
            }
        }
    }
    Ok(found.map(|(config, _)| config).unwrap_or_default())
}

/// The positional inputs grouped by the configuration each discovers (in order of first
/// appearance); one group when a configuration is named or discovery is off.
pub fn configuration_groups(
    sources: &RuleSources,
    paths: &[String],
    reader: &Reader,
) -> Result<Vec<Vec<String>>, Error> {
    if sources.isolated || sources.config.is_some() || paths.len() <= 1 {
        return Ok(vec![paths.to_vec()]);
    }
    let reader = &reader.with_limit(input_limit(sources, None));
    let mut groups: Vec<(Option<PathBuf>, Vec<String>)> = Vec::new();
    // Once per directory: the files of a directory linted together share it.
    let mut discovered: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    for path in paths {
        let dir = input_dir(path);
        let found = match discovered.get(&dir) {
            Some(found) => found.clone(),
            None => {
                let found = config::discover(&dir, reader)?
                    .and_then(|config| config.path)
                    .map(|p| p.canonicalize().unwrap_or(p));
                discovered.insert(dir, found.clone());
                found
            }
        };
        match groups.iter_mut().find(|(known, _)| *known == found) {
            Some((_, members)) => members.push(path.clone()),
            None => groups.push((found, vec![path.clone()])),
        }
    }
    Ok(groups.into_iter().map(|(_, members)| members).collect())
}

/// The directory configuration discovery starts from for an input (empty: the current one).
fn input_dir(input: &str) -> PathBuf {
    if input == "-" {
        return PathBuf::new();
    }
    let path = Path::new(input);
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// The rules with the configuration file's rule paths and the application's Settings class
/// (for commands other than lint); `inputs` are the paths the command reads, for discovery, or
/// `None` for a command that reads none (`rules`, `explain`: the class changes no rule). With
/// them, the reader to read the inputs with: the same run, under the size limit that applies.
pub fn configured_rules(
    sources: &RuleSources,
    inputs: Option<&[&str]>,
    reader: &Reader,
) -> Result<(RuleSet, Reader), Error> {
    let config = configuration(sources, inputs.unwrap_or(&[]), reader)?;
    let reader = &reader.with_limit(input_limit(sources, Some(&config)));
    let class = match inputs {
        Some(inputs) => settings_class(sources, &config, inputs, reader)?,
        None => SettingsClass::default(),
    };
    let rules = project_rules(
        sources,
        &config,
        &class,
        inputs.and_then(|i| i.first().copied()),
        reader,
    )?;
    Ok((rules, reader.clone()))
}

/// The rule set of a project: the rules, the Settings class as the schema, and what the
/// configuration and the project add (roles, production value, drivers).
pub fn project_rules(
    sources: &RuleSources,
    config: &Config,
    class: &SettingsClass,
    first_input: Option<&str>,
    reader: &Reader,
) -> Result<RuleSet, Error> {
    let mut rules =
        crate::rules::load::load(&rule_sources(sources, config), class.app.as_ref(), reader)?;
    apply_project(&mut rules, config, class, first_input, reader)?;
    Ok(rules)
}

/// What the configuration and the project add to a loaded rule set: the secret names, the
/// `[roles]`, the production value, and the database drivers the project uses.
fn apply_project(
    rules: &mut RuleSet,
    config: &Config,
    class: &SettingsClass,
    first_input: Option<&str>,
    reader: &Reader,
) -> Result<(), Error> {
    rules.secret_names = config.secret_names.clone();
    rules.configured_roles = config.roles.clone();
    rules.app.production_value = config.production_value.clone();
    rules.app.database = database_facts(config, class, first_input, reader)?;
    Ok(())
}

/// The project's PostgreSQL drivers (see [`crate::project`]): configured, else spelled out by
/// the Settings class, else its dependencies, from the class's (or the input's) directory up
/// to the project root.
pub fn database_facts(
    config: &Config,
    class: &SettingsClass,
    first_input: Option<&str>,
    reader: &Reader,
) -> Result<crate::project::Database, Error> {
    use crate::project::Database;
    if let Some(driver) = config.driver {
        return Ok(Database::configured(driver));
    }
    if let Some(app) = &class.app {
        if let Ok(text) = reader.read_path(&app.file) {
            if let Some(found) = Database::from_settings_source(&app.file, &text) {
                return Ok(found);
            }
        }
    }
    let root = project_root(first_input, config)?;
    let start = match &class.app {
        Some(app) => app.file.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => match first_input {
            Some(input) => input_dir(input),
            None => PathBuf::new(),
        },
    };
    let start = absolute_dir(start)?;
    let root = root.map(|root| root.canonicalize().unwrap_or(root));
    Ok(Database::from_dependencies(&start, root.as_deref(), reader))
}

/// What `lint` and `probe` run with: the rule set (severity overrides applied, the Settings
/// class's fields as its variables), the settings, from the command line over the
/// configuration over the defaults, the Settings class, and the reader for everything read
/// after them (the same run, under the size limit that applies).
pub fn for_lint(
    args: &LintArgs,
    reader: &Reader,
) -> Result<(RuleSet, LintSettings, SettingsClass, Reader), Error> {
    let inputs: Vec<&str> = args
        .paths
        .iter()
        .chain(&args.layers.env_files)
        .chain(&args.layers.railway)
        .map(String::as_str)
        .collect();
    let config = configuration(&args.rules, &inputs, reader)?;
    let reader = &reader.with_limit(input_limit(&args.rules, Some(&config)));
    let class = settings_class(&args.rules, &config, &inputs, reader)?;
    let mut rules = project_rules(
        &args.rules,
        &config,
        &class,
        inputs.first().copied(),
        reader,
    )?;
    let settings = resolve(args, config, &rules)?;
    for rule in &mut rules.rules {
        if let Some(level) = settings.severity.get(&rule.doc.id) {
            rule.doc.severity = *level;
        }
    }
    Ok((rules, settings, class, reader.clone()))
}

/// The application's Settings class for a run.
#[derive(Debug, Default)]
pub struct SettingsClass {
    /// The class read, when one was named or exactly one was found.
    pub app: Option<AppSettings>,
    /// The candidates, when discovery found several and none was named.
    pub candidates: Vec<(PathBuf, String)>,
}

impl SettingsClass {
    /// The candidates as `path:Class`, paths relative to the current directory where they can
    /// be, for messages.
    pub fn candidates_text(&self) -> String {
        let named: Vec<String> = self
            .candidates
            .iter()
            .map(|(file, class)| format!("{}:{class}", shown_path(file)))
            .collect();
        named.join(", ")
    }
}

/// A path of the project as the user would write it: relative to the current directory when
/// under it (discovery and `--settings` work with absolute paths).
pub fn shown_path(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&cwd)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Which Settings class applies: `--settings` (against the current directory), else the
/// configuration's `settings` (against the configuration's directory), else, unless
/// `--isolated`, the one class deriving from `BaseSettings` in the project of the first input
/// (the git work tree holding it). A class that is named but cannot be read is an error; a
/// discovered one that cannot be read is passed over, as if there were none.
pub fn settings_class(
    sources: &RuleSources,
    config: &Config,
    inputs: &[&str],
    reader: &Reader,
) -> Result<SettingsClass, Error> {
    let named = |root: &Path, spec: &str| -> Result<SettingsClass, Error> {
        let (file, class) = crate::appsettings::resolve_spec(root, spec, reader)?;
        let app = crate::appsettings::read_settings(root, &file, &class, reader)?;
        Ok(SettingsClass {
            app: Some(app),
            candidates: Vec::new(),
        })
    };
    if let Some(spec) = &sources.settings {
        let cwd = current_dir()?;
        return named(&cwd, spec);
    }
    if let (Some(spec), Some(root)) = (&config.settings, config.root()) {
        return named(root, spec.get_ref());
    }
    if sources.isolated {
        return Ok(SettingsClass::default());
    }
    let Some(root) = project_root(inputs.first().copied(), config)? else {
        return Ok(SettingsClass::default());
    };
    let mut candidates = crate::appsettings::find_settings_classes(&root, reader);
    match candidates.len() {
        0 => Ok(SettingsClass::default()),
        1 => {
            let (file, class) = candidates.remove(0);
            Ok(SettingsClass {
                app: crate::appsettings::read_settings(&root, &file, &class, reader).ok(),
                candidates: Vec::new(),
            })
        }
        _ => Ok(SettingsClass {
            app: None,
            candidates,
        }),
    }
}

/// The project an input belongs to: the configuration's directory when there is a
/// configuration file (the team put it at the project's root), else the git work tree holding
/// the input (standard input: the current directory's), else none (discovery needs a boundary).
pub(crate) fn project_root(input: Option<&str>, config: &Config) -> Result<Option<PathBuf>, Error> {
    if let Some(root) = config.root() {
        return Ok(Some(root.to_path_buf()));
    }
    let start = absolute_dir(input.map(input_dir).unwrap_or_default())?;
    let work_tree = start.ancestors().find(|dir| dir.join(".git").exists());
    Ok(work_tree.map(Path::to_path_buf))
}

/// A directory as given (empty: the current one), absolute and canonical where it can be.
fn absolute_dir(dir: PathBuf) -> Result<PathBuf, Error> {
    let dir = if dir.as_os_str().is_empty() {
        current_dir()?
    } else {
        dir
    };
    Ok(dir.canonicalize().unwrap_or(dir))
}

fn current_dir() -> Result<PathBuf, Error> {
    std::env::current_dir().map_err(|error| Error::Unreadable {
        path: ".".to_owned(),
        reason: error.to_string(),
    })
}

/// Rule files to load: the configuration's, then the command line's.
pub fn rule_sources(sources: &RuleSources, config: &Config) -> RuleSources {
    let mut rule_paths = config.rules.clone();
    rule_paths.extend(sources.rule_paths.iter().cloned());
    RuleSources {
        rule_paths,
        no_builtin: sources.no_builtin || config.no_builtin,
        settings: sources.settings.clone(),
        config: None,
        isolated: sources.isolated,
        max_input_size: Some(input_limit(sources, Some(config))),
    }
}

/// Which rules run: ruff's model of select / extend-select / ignore over ids and tags.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    pub fn matches(selector: &str, doc: &RuleDoc) -> bool {
        selector == doc.id
            || selector == "all"
            || doc.pack.as_deref() == Some(selector)
            || doc.tags.iter().any(|tag| tag == selector)
    }

    /// An opt-in rule runs only when selected by its id; the others when selected by id, tag
    /// or `all`, or by default.
    pub fn enabled(&self, doc: &RuleDoc) -> bool {
        let selects = |selector: &String| {
            if doc.opt_in {
                *selector == doc.id
            } else {
                Self::matches(selector, doc)
            }
        };
        let selected = match &self.select {
            None => !doc.opt_in,
            Some(list) => list.iter().any(selects),
        };
        let extended = self.extend_select.iter().any(selects);
        (selected || extended) && !self.ignore.iter().any(|s| Self::matches(s, doc))
    }
}

/// Everything `lint` and `probe` need beyond the rule set.
#[derive(Debug, Clone)]
pub struct LintSettings {
    pub fail_on: FailOn,
    pub example: ExampleChoice,
    pub probe: ProbeOptions,
    pub selection: Selection,
    pub severity: BTreeMap<String, Severity>,
    pub config: Config,
}

/// Merge the command line over the configuration, validating every rule id and tag named.
pub fn resolve(args: &LintArgs, config: Config, rules: &RuleSet) -> Result<LintSettings, Error> {
    let known = Known::new(rules);
    let from_config = |list: &[toml::Spanned<String>]| -> Result<Vec<String>, Error> {
        list.iter()
            .map(|selector| {
                known
                    .check(selector.get_ref())
                    .map(|_| selector.get_ref().clone())
                    .map_err(|help| {
                        config_error(
                            &config,
                            selector.span(),
                            format!("unknown rule or tag `{}`", selector.get_ref()),
                            help,
                        )
                    })
            })
            .collect()
    };
    let from_cli = |list: &[String], flag: &str| -> Result<Vec<String>, Error> {
        list.iter()
            .map(|selector| {
                known
                    .check(selector)
                    .map(|_| selector.clone())
                    .map_err(|help| Error::Usage {
                        message: format!("{flag}: unknown rule or tag `{selector}`"),
                        help: Some(help),
                    })
            })
            .collect()
    };
    let select = if !args.select.is_empty() {
        Some(from_cli(&args.select, "--select")?)
    } else {
        config.select.as_deref().map(from_config).transpose()?
    };
    let mut extend_select = from_config(&config.extend_select)?;
    extend_select.extend(from_cli(&args.extend_select, "--extend-select")?);
    let mut ignore = from_config(&config.ignore)?;
    ignore.extend(from_cli(&args.ignore, "--ignore")?);
    let check_rule = |rule: &str, span: std::ops::Range<usize>| {
        known
            .check_rule(rule)
            .map_err(|help| config_error(&config, span, format!("unknown rule `{rule}`"), help))
    };
    let mut severity = BTreeMap::new();
    for (rule, level) in &config.severity {
        check_rule(rule, level.span())?;
        severity.insert(rule.clone(), *level.get_ref());
    }
    for per_file in &config.per_file {
        from_config(&per_file.ignore)?;
        for (rule, level) in &per_file.severity {
            check_rule(rule, level.span())?;
        }
    }
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Warning);
    let example = if args.no_example {
        ExampleChoice::Off
    } else if let Some(path) = &args.example {
        ExampleChoice::Path(path.clone())
    } else {
        config.example.clone().unwrap_or(ExampleChoice::Beside)
    };
    let timeout = match (
        args.probe_options.probe_timeout,
        config.probe.timeout.as_deref(),
    ) {
        (Some(timeout), _) => timeout,
        (None, Some(text)) => crate::cli::parse_timeout(text).map_err(|error| {
            config_error(
                &config,
                0..0,
                format!("probe.timeout `{text}`: {error}"),
                "write a duration such as `5s` or `1500ms`".to_owned(),
            )
        })?,
        (None, None) => Duration::from_secs(5),
    };
    let mut ca_files = config.probe.ca.clone();
    ca_files.extend(args.probe_options.probe_ca.iter().cloned());
    let probe = ProbeOptions {
        timeout,
        ca_files,
        insecure: args.probe_options.probe_insecure || config.probe.insecure.unwrap_or(false),
        replicas: args
            .probe_options
            .replicas
            .or(config.probe.replicas.as_ref().map(|r| *r.get_ref()))
            .unwrap_or(1)
            .max(1),
    };
    Ok(LintSettings {
        fail_on,
        example,
        probe,
        selection: Selection {
            select,
            extend_select,
            ignore,
        },
        severity,
        config,
    })
}

impl LintSettings {
    /// The per-file entries matching an input path.
    pub fn per_file<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a config::PerFile> + 'a {
        self.config
            .per_file
            .iter()
            .filter(move |entry| config::matches(&entry.matcher, path))
    }

    /// Rule docs with the configured severity overrides.
    pub fn docs(&self, mut docs: Vec<RuleDoc>) -> Vec<RuleDoc> {
        for doc in &mut docs {
            if let Some(level) = self.severity.get(&doc.id) {
                doc.severity = *level;
            }
        }
        docs
    }
}

fn config_error(
    config: &Config,
    span: std::ops::Range<usize>,
    message: String,
    help: String,
) -> Error {
    let path = config
        .path
        .as_ref()
        .map_or_else(|| "configuration".to_owned(), |p| p.display().to_string());
    Error::rule_file(&path, &config.text, span, message).with_help(help)
}

/// Rule ids and tags, for validating what the user names.
struct Known {
    ids: Vec<String>,
    tags: Vec<String>,
}

impl Known {
    fn new(rules: &RuleSet) -> Self {
        let ids: Vec<String> = rules.rules.iter().map(|r| r.doc.id.clone()).collect();
        let mut tags: Vec<String> = rules
            .rules
            .iter()
            .flat_map(|r| r.doc.tags.iter().chain(&r.doc.pack).cloned())
            .collect();
        tags.sort();
        tags.dedup();
        Known { ids, tags }
    }

    fn check(&self, selector: &str) -> Result<(), String> {
        if selector == "all"
            || self.ids.iter().any(|id| id == selector)
            || self.tags.iter().any(|t| t == selector)
        {
            return Ok(());
        }
        Err(self.suggest(selector, true))
    }

    fn check_rule(&self, id: &str) -> Result<(), String> {
        if self.ids.iter().any(|known| known == id) {
            return Ok(());
        }
        Err(self.suggest(id, false))
    }

    fn suggest(&self, word: &str, with_tags: bool) -> String {
        let mut candidates: Vec<&str> = self.ids.iter().map(String::as_str).collect();
        if with_tags {
            candidates.extend(self.tags.iter().map(String::as_str));
        }
        match crate::suggest::closest(word, &candidates) {
            Some(near) => {
                format!("did you mean `{near}`? `deploycheck rules` lists rules and their tags")
            }
            None => "`deploycheck rules` lists rules and their tags".to_owned(),
        }
    }
}

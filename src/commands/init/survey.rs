//! What `init` finds in a project, found the way the other commands find it, so that the
//! configuration written says what `lint` will do, not a second opinion: the Settings class by
//! `appsettings`' discovery, the inputs by the choice `lint DIR` makes (`source::discover`),
//! each .env file's profile by its name (`inputs::profile_from_name`), the roles as the rule
//! set binds them (`RuleSet::roles_of`), the database driver by `settings::database_facts`, and
//! Railway's config by its reader. Nothing here writes, and nothing keeps a value: only names,
//! paths and the secrets themselves, in a [`Redactor`], to mask them in what is printed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::appsettings::AppSettings;
use crate::cli::RuleSources;
use crate::config::Config;
use crate::error::Error;
use crate::inputs::{self, Loader};
use crate::manifest::{self, Kind};
use crate::project::{Database, DriverSource};
use crate::rules::{Role, Why};
use crate::secret::Redactor;
use crate::settings::{self, SettingsClass};
use crate::source::discover;
use crate::source::read::Reader;

/// What was found in the project.
pub struct Survey {
    /// The directory, absolute and canonical: every path below is relative to it.
    pub root: PathBuf,
    pub settings: SettingsFound,
    /// The configurations `lint DIR` judges (.env files, `railway variables` output), in its
    /// order.
    pub configurations: Vec<ConfigurationFile>,
    /// The `.env.example` files the configurations are compared with.
    pub templates: Vec<String>,
    /// Dockerfiles, Railway's config as code, Procfiles, in `lint DIR`'s order.
    pub deployment: Vec<(String, Kind)>,
    /// What Railway's config as code says, when there is one.
    pub railway: Option<RailwayFacts>,
    /// The roles bound, other than `secret`, in the roles' order, each with its variables.
    pub roles: BTreeMap<Role, Vec<(String, Why)>>,
    /// The variables bound to the `secret` role, sorted.
    pub secrets: Vec<String>,
    pub database: Database,
    /// `.pre-commit-config.yaml`: `Some(true)` when it already runs deploycheck.
    pub pre_commit: Option<bool>,
    /// `.github/workflows/*.yml`, each with whether it mentions deploycheck.
    pub workflows: Vec<(String, bool)>,
    /// `pyproject.toml`: `Some(true)` when it has a `[tool.deploycheck]` table.
    pub pyproject: Option<bool>,
    /// A `deploycheck.toml` exists.
    pub has_config_file: bool,
    /// Every secret of the configurations read: masked in anything printed from a file.
    pub redactor: Redactor,
}

/// The application's Settings class, as discovery found it.
pub enum SettingsFound {
    /// No class derives from `BaseSettings` under the directory.
    None,
    /// Exactly one, read: `path:Class` relative to the directory, and how many fields it has.
    One { spec: String, fields: usize },
    /// Exactly one, which the reader could not read (the configuration names it commented out).
    Unreadable { spec: String, reason: String },
    /// Several: `path:Class` of each, sorted.
    Several(Vec<String>),
}

/// A configuration `lint DIR` judges.
pub struct ConfigurationFile {
    /// Relative to the directory, `/`-separated.
    pub name: String,
    /// The profile its name implies.
    pub profile: &'static str,
    /// Its name spells the profile out (`.env.staging`), rather than defaulting (`.env`).
    pub named: bool,
    /// `railway variables --json` output saved as `railway.json`, not a .env file.
    pub railway_output: bool,
}

/// What Railway's config as code says that `init` uses.
pub struct RailwayFacts {
    pub file: String,
    /// The names under `environments`, in file order.
    pub environments: Vec<String>,
    pub healthcheck_path: Option<String>,
    pub replicas: Option<u64>,
}

impl Survey {
    /// The environment name to lint Railway's variables of: the `environments.<name>` of the
    /// config whose name means production, if one does.
    pub fn railway_environment(&self) -> Option<&str> {
        self.railway.as_ref().and_then(|railway| {
            railway
                .environments
                .iter()
                .find(|name| inputs::profile_from_name(&format!(".env.{name}")) == "production")
                .map(String::as_str)
        })
    }

    /// Does the project deploy to Railway, by its files?
    pub fn uses_railway(&self) -> bool {
        self.railway.is_some() || self.configurations.iter().any(|file| file.railway_output)
    }

    /// The database driver and what said so, with paths relative to the directory.
    pub fn driver_text(&self) -> Option<(String, String)> {
        let drivers = self.database.known_drivers()?;
        let names: Vec<&str> = drivers.iter().map(|driver| driver.name()).collect();
        let source = match self.database.source.as_ref()? {
            DriverSource::Configured => "the configuration".to_owned(),
            DriverSource::SettingsClass(path) => {
                format!("the URL scheme in {}", self.relative(path))
            }
            DriverSource::Dependencies(path) => {
                format!("the dependencies in {}", self.relative(path))
            }
        };
        Some((names.join(", "), source))
    }

    /// A path found under the directory, relative to it and `/`-separated.
    pub fn relative(&self, path: &Path) -> String {
        relative_to(&self.root, path)
    }
}

/// `path` relative to `root` when under it, `/`-separated.
fn relative_to(root: &Path, path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let relative = path.strip_prefix(root).unwrap_or(&path);
    let parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Look at the project in `dir`.
pub fn survey(dir: &Path, reader: &Reader) -> Result<Survey, Error> {
    let root = dir.canonicalize().map_err(|error| Error::Unreadable {
        path: dir.display().to_string(),
        reason: error.to_string(),
    })?;
    if !root.is_dir() {
        return Err(Error::Usage {
            message: format!("{}: not a directory", dir.display()),
            help: Some("give the project's directory, e.g. `deploycheck init .`".to_owned()),
        });
    }
    // A configuration rooted here, with nothing in it: discovery is bounded by the directory
    // (not by a git work tree above it), and nothing an earlier `init` wrote feeds back into
    // what this one infers.
    let config = Config {
        path: Some(root.join("deploycheck.toml")),
        ..Config::default()
    };
    let (settings_found, class) = settings_class(&root, reader);
    let sources = RuleSources {
        rule_paths: Vec::new(),
        no_builtin: false,
        settings: None,
        config: None,
        isolated: false,
        max_input_size: None,
    };
    let dir_text = root.display().to_string();
    let rules = settings::project_rules(&sources, &config, &class, Some(&dir_text), reader)?;

    let found = match discover::inputs(std::slice::from_ref(&dir_text)) {
        Ok(found) => found,
        // An empty project is a project to start: `lint` refuses it, `init` does not.
        Err(Error::NoInputsFound { .. }) => Vec::new(),
        Err(error) => return Err(error),
    };
    let mut configurations = Vec::new();
    let mut deployment = Vec::new();
    let mut railway = None;
    // Nothing is read from standard input: `init` names every file it reads.
    let mut no_input = std::io::empty();
    let mut loader = Loader::new(&rules, &mut no_input, reader);
    // Keys only: the values stay in the loader, masked, and are never looked at.
    let mut keys: BTreeSet<String> = BTreeSet::new();
    let mut templates = BTreeSet::new();
    for path in &found {
        let name = relative_to(&root, Path::new(path));
        let kind = manifest::Kind::of_name(path);
        let railway_output = match kind {
            Some(Kind::RailwayJson) => {
                let text = reader.read_path(Path::new(path))?;
                !manifest::is_railway_config_json(&text)
            }
            Some(_) | None => false,
        };
        match kind {
            Some(kind) if !railway_output => {
                if matches!(kind, Kind::RailwayToml | Kind::RailwayJson) && railway.is_none() {
                    railway = Some(railway_facts(
                        &name,
                        kind,
                        &reader.read_path(Path::new(path))?,
                    ));
                }
                deployment.push((name, kind));
            }
            Some(_) | None => {
                let layer = loader.load(path, None)?;
                keys.extend(layer.parsed.entries.iter().map(|entry| entry.key.clone()));
                if let Some(example) = inputs::example_beside(path) {
                    templates.insert(example);
                }
                configurations.push(ConfigurationFile {
                    profile: inputs::profile_from_name(&name),
                    named: inputs::profile_named(&name).is_some(),
                    name,
                    railway_output,
                });
            }
        }
    }
    let root_example = root.join(".env.example");
    if root_example.is_file() {
        templates.insert(root_example.display().to_string());
    }
    // A template's keys are the application's variables too (its values are placeholders, and
    // masked like any other if they are not).
    for template in &templates {
        let layer = loader.load(template, None)?;
        keys.extend(layer.parsed.entries.iter().map(|entry| entry.key.clone()));
    }
    loader.mask_repeated_secrets();
    let templates = templates
        .iter()
        .map(|path| relative_to(&root, Path::new(path)))
        .collect();

    // With a Settings class, its variables are the schema (keys it does not declare bind no
    // role); without one, the keys the files set.
    let names: Vec<String> = if class.app.is_some() {
        rules.variables.keys().cloned().collect()
    } else {
        keys.into_iter().collect()
    };
    let mut roles: BTreeMap<Role, Vec<(String, Why)>> = BTreeMap::new();
    let mut secrets = Vec::new();
    for name in names {
        for binding in rules.roles_of(&name) {
            match binding.role {
                Role::Secret => secrets.push(name.clone()),
                role => roles
                    .entry(role)
                    .or_default()
                    .push((name.clone(), binding.why)),
            }
        }
    }
    secrets.sort();
    secrets.dedup();

    let database = rules.app.database.clone();
    let redactor = loader.redactor.clone();
    let pre_commit = match reader.read_path(&root.join(".pre-commit-config.yaml")) {
        Ok(text) => Some(super::pre_commit::has_hook(&text)),
        Err(_) if !root.join(".pre-commit-config.yaml").exists() => None,
        Err(error) => return Err(error),
    };
    let pyproject_path = root.join("pyproject.toml");
    let pyproject = if pyproject_path.is_file() {
        let text = reader.read_path(&pyproject_path)?;
        Some(super::pyproject::has_table(&text))
    } else {
        None
    };
    Ok(Survey {
        settings: settings_found,
        configurations,
        templates,
        deployment,
        railway,
        roles,
        secrets,
        database,
        pre_commit,
        workflows: workflows(&root, reader),
        pyproject,
        has_config_file: root.join("deploycheck.toml").exists(),
        redactor,
        root,
    })
}

/// The Settings class by discovery under `root`: the one class, read, or the candidates.
fn settings_class(root: &Path, reader: &Reader) -> (SettingsFound, SettingsClass) {
    let mut candidates = crate::appsettings::find_settings_classes(root, reader);
    let spec = |(file, class): &(PathBuf, String)| format!("{}:{class}", relative_to(root, file));
    match candidates.len() {
        0 => (SettingsFound::None, SettingsClass::default()),
        1 => {
            let (file, class) = candidates.remove(0);
            let spec = spec(&(file.clone(), class.clone()));
            match crate::appsettings::read_settings(root, &file, &class, reader) {
                Ok(app) => (
                    SettingsFound::One {
                        spec,
                        fields: app.fields.len(),
                    },
                    SettingsClass {
                        app: Some(app),
                        candidates: Vec::new(),
                    },
                ),
                Err(error) => (
                    SettingsFound::Unreadable {
                        spec,
                        reason: error.to_string(),
                    },
                    SettingsClass::default(),
                ),
            }
        }
        _ => {
            let specs = candidates.iter().map(spec).collect();
            (
                SettingsFound::Several(specs),
                SettingsClass {
                    app: None::<AppSettings>,
                    candidates,
                },
            )
        }
    }
}

/// What Railway's config as code says that the configuration and the workflow use.
fn railway_facts(name: &str, kind: Kind, text: &str) -> RailwayFacts {
    let format = match kind {
        Kind::RailwayJson => manifest::railway_config::ConfigFormat::Json,
        Kind::RailwayToml | Kind::Dockerfile | Kind::Procfile => {
            manifest::railway_config::ConfigFormat::Toml
        }
    };
    let config = manifest::railway_config::parse(text, format);
    RailwayFacts {
        file: name.to_owned(),
        environments: config
            .environments
            .iter()
            .map(|(name, _)| name.text.clone())
            .collect(),
        healthcheck_path: config
            .deploy
            .healthcheck_path
            .as_ref()
            .map(|path| path.value.clone()),
        replicas: config.deploy.num_replicas.as_ref().map(|n| n.value),
    }
}

/// The workflows under `.github/workflows/`, sorted, each with whether it mentions deploycheck.
fn workflows(root: &Path, reader: &Reader) -> Vec<(String, bool)> {
    let dir = root.join(".github").join("workflows");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, bool)> = entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name.ends_with(".yml") || name.ends_with(".yaml")) && entry.path().is_file()
        })
        .map(|entry| {
            let mentions = reader
                .read_path(&entry.path())
                .is_ok_and(|text| text.contains("deploycheck"));
            (relative_to(root, &entry.path()), mentions)
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_and_slash_separated() {
        let root = Path::new("/nonexistent/project");
        assert_eq!(
            relative_to(root, Path::new("/nonexistent/project/app/config.py")),
            "app/config.py"
        );
    }
}

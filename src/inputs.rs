//! Turning what the user named into layered configurations: read each input, parse it in its
//! format, mask its secrets, and stack the layers the way the application merges them
//! (pydantic-settings: `env_file` tuple in order, then the process environment on top).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::cli::{InputFormatArg, LayerArgs};
use crate::config::ExampleChoice;
use crate::engine::deployment::{Deployment, ManifestFile};
use crate::engine::{Layer, LayerKind};
use crate::error::Error;
use crate::manifest;
use crate::rules::RuleSet;
use crate::secret::{self, Redactor};
use crate::source::discover;
use crate::source::dotenv::DotenvOptions;
use crate::source::read::Reader;
use crate::source::{Entry, InputFormat, Parsed, SourceFile, SourceId, Sources, load};

/// The name the process environment goes by in reports.
pub const ENVIRONMENT_NAME: &str = "<environment>";

/// Reads inputs into [`Sources`], masking secrets as it goes.
pub struct Loader<'a> {
    pub rules: &'a RuleSet,
    pub sources: Sources,
    pub redactor: Redactor,
    stdin: &'a mut dyn Read,
    stdin_used: bool,
    reader: &'a Reader,
    /// Expand `${VAR}` in .env files.
    pub interpolate: bool,
    /// Names `${VAR}` may fall back on (the process environment with `--process-env`).
    pub environment: BTreeMap<String, String>,
    /// Inputs not yet searched for the secrets of the others ([`Loader::mask_repeated_secrets`]).
    unswept: Vec<SourceId>,
}

impl<'a> Loader<'a> {
    pub fn new(rules: &'a RuleSet, stdin: &'a mut dyn Read, reader: &'a Reader) -> Self {
        Loader {
            rules,
            sources: Sources::new(),
            redactor: Redactor::default(),
            stdin,
            stdin_used: false,
            reader,
            interpolate: true,
            environment: BTreeMap::new(),
            unswept: Vec::new(),
        }
    }

    /// The safety net, once every input is read: mask, in each input read since the last call,
    /// every secret of any input that is written there again (a password copied under an
    /// innocent name, in this file or another). One automaton over all the run's secrets,
    /// built here once, not once per file (which was quadratic in the number of files). Call it
    /// after the last [`Loader::load`] and before anything shows the inputs: [`load_units`]
    /// does.
    pub fn mask_repeated_secrets(&mut self) {
        for id in std::mem::take(&mut self.unswept) {
            self.redactor.redact(self.sources.get_mut(id));
        }
    }

    /// Read and parse one input (`-` is standard input, which can be read once).
    pub fn load(&mut self, path: &str, format: Option<InputFormat>) -> Result<Layer, Error> {
        if path == "-" {
            if self.stdin_used {
                return Err(Error::Usage {
                    message: "standard input (`-`) is named twice".to_owned(),
                    help: Some("name `-` once; pass the other inputs as files".to_owned()),
                });
            }
            self.stdin_used = true;
        }
        let file = self.reader.read(path, self.stdin)?;
        let options = DotenvOptions {
            interpolate: self.interpolate,
            environment: self.environment.clone(),
        };
        let (format, parsed) = load::parse(&file, format, &options)?;
        let kind = if format.is_railway() {
            LayerKind::Railway
        } else {
            LayerKind::Dotenv
        };
        Ok(self.add(file, kind, parsed))
    }

    /// The process environment as a layer: a synthetic `KEY=value` text, so findings can point
    /// at a line like any other.
    ///
    /// Only the variables the settings schema declares are taken: pydantic-settings looks up its
    /// fields and nothing else, and the rest of an environment (tokens of other tools under
    /// innocent names) has no business in a report, not even as a snippet's context line.
    /// Without a Settings class, the variables a role binds by name (`DEBUG`, `DATABASE_URL`)
    /// are taken too, but not those that are only secrets by name (other tools' tokens).
    pub fn process_environment(&mut self) -> Layer {
        let mut text = String::new();
        let mut parsed = Parsed::default();
        let rules = self.rules;
        let read_by_app = |key: &str| {
            rules.variable(key).is_some()
                || (!rules.closed
                    && rules
                        .roles_of(key)
                        .iter()
                        .any(|binding| binding.role != crate::rules::Role::Secret))
        };
        let mut variables: Vec<(String, String)> = std::env::vars()
            .filter(|(key, _)| read_by_app(key))
            .collect();
        variables.sort();
        for (key, value) in variables {
            let start = text.len();
            text.push_str(&key);
            text.push('=');
            let value_start = text.len();
            text.push_str(&value);
            let end = text.len();
            text.push('\n');
            parsed.entries.push(Entry {
                key,
                value: Some(value.clone()),
                raw_value: Some(value),
                key_span: start..value_start - 1,
                value_span: Some(value_start..end),
                statement_span: start..end,
                substitutions: Vec::new(),
                secret_ranges: Vec::new(),
            });
        }
        self.add(
            SourceFile::new(ENVIRONMENT_NAME, text),
            LayerKind::Environment,
            parsed,
        )
    }

    fn add(&mut self, file: SourceFile, kind: LayerKind, mut parsed: Parsed) -> Layer {
        let id = self.sources.add(file);
        let rules = self.rules;
        let is_secret = |key: &str| rules.is_secret(key);
        secret::redact_source(
            self.sources.get_mut(id),
            &mut parsed,
            &is_secret,
            &mut self.redactor,
        );
        self.unswept.push(id);
        Layer {
            source: id,
            kind,
            parsed,
        }
    }
}

/// The `.env.example` beside `path`, if there is one (and `path` is not itself a template:
/// [`discover::is_template_name`]).
pub fn example_beside(path: &str) -> Option<String> {
    if path == "-" || discover::is_template_name(path) {
        return None;
    }
    let path = Path::new(path);
    let example = path.parent().unwrap_or(Path::new("")).join(".env.example");
    example.is_file().then(|| example.display().to_string())
}

/// The profile a Railway layer's `RAILWAY_ENVIRONMENT_NAME` names, if one does.
pub fn railway_profile(layers: &[Layer]) -> Option<String> {
    layers
        .iter()
        .rev()
        .filter(|layer| layer.kind == LayerKind::Railway)
        .flat_map(|layer| layer.parsed.entries.iter().rev())
        .find(|entry| entry.key == "RAILWAY_ENVIRONMENT_NAME")
        .and_then(|entry| entry.value.as_deref())
        .filter(|name| !name.is_empty())
        .map(|name| match profile_from_name(&format!(".env.{name}")) {
            // An environment named like no known profile keeps its own name.
            "production" if !matches!(name.to_lowercase().as_str(), "production" | "prod") => {
                name.to_owned()
            }
            profile => profile.to_owned(),
        })
}

/// The profile a file name implies: `.env.production` → production, and so on; else
/// production, since this is a pre-deployment linter.
pub fn profile_from_name(path: &str) -> &'static str {
    profile_named(path).unwrap_or("production")
}

/// The profile a file's name spells out, if it spells one (`.env.staging` → staging; `.env`,
/// `app.env`: none).
pub fn profile_named(path: &str) -> Option<&'static str> {
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    name.to_lowercase().split('.').find_map(|part| match part {
        "production" | "prod" => Some("production"),
        "staging" | "stage" => Some("staging"),
        "development" | "dev" | "local" => Some("development"),
        "test" | "testing" => Some("test"),
        _ => None,
    })
}

/// One configuration to judge: its layers (lowest precedence first) and how to judge it.
pub struct Unit {
    /// The first input's path (for per-file settings), if it has one.
    pub path: Option<String>,
    pub layers: Vec<Layer>,
    pub profile: String,
    pub example: Option<Layer>,
}

pub fn input_format(arg: InputFormatArg) -> Option<InputFormat> {
    match arg {
        // Deployment files never reach the configuration readers: `lint` sets them apart
        // first ([`deployment_files`]), and `show`/`diff` refuse them ([`configuration_format`]).
        InputFormatArg::Auto
        | InputFormatArg::Dockerfile
        | InputFormatArg::RailwayConfig
        | InputFormatArg::Procfile => None,
        InputFormatArg::Dotenv => Some(InputFormat::Dotenv),
        InputFormatArg::RailwayJson => Some(InputFormat::RailwayJson),
        InputFormatArg::RailwayKv => Some(InputFormat::RailwayKv),
        InputFormatArg::RailwayTable => Some(InputFormat::RailwayTable),
    }
}

/// The format of a command that reads configurations only (`show`, `diff`): a deployment file
/// format is a usage error there.
pub fn configuration_format(arg: InputFormatArg) -> Result<Option<InputFormat>, Error> {
    match manifest::Kind::of_format(arg, "") {
        Some(_) => Err(Error::Usage {
            message: "this command reads configurations (.env files, Railway variables), not \
                      deployment files"
                .to_owned(),
            help: Some("lint deployment files with `deploycheck lint`".to_owned()),
        }),
        None => Ok(input_format(arg)),
    }
}

/// The deployment files among `paths` (by `--input-format`, else by name, and a `railway.json`
/// by its content: `railway variables --json` output is a configuration), read, parsed and
/// masked; and the other paths, the configurations, in their order.
pub fn deployment_files(
    paths: &[String],
    format: InputFormatArg,
    reader: &Reader,
    stdin: &mut dyn Read,
    rules: &RuleSet,
) -> Result<(Vec<String>, Sources, Deployment), Error> {
    let mut configurations = Vec::with_capacity(paths.len());
    let mut sources = Sources::new();
    let mut deployment = Deployment::default();
    for path in paths {
        let Some(kind) = manifest::Kind::of_format(format, path) else {
            configurations.push(path.clone());
            continue;
        };
        let mut file = reader.read(path, stdin)?;
        if kind == manifest::Kind::RailwayJson
            && format == InputFormatArg::Auto
            && !manifest::is_railway_config_json(&file.text)
        {
            configurations.push(path.clone());
            continue;
        }
        let manifest = manifest::read(kind, &file.text);
        // Secrets by what they are: URL passwords and key material anywhere in the file, and
        // the value of every `ENV`/`ARG` whose name is a secret's.
        let mut spans = secret::embedded_secret_ranges(&file.text);
        spans.extend(manifest::secret_value_spans(
            &manifest,
            &file.text,
            &|name| rules.is_secret(name),
        ));
        file.redact_all(spans);
        let name = file.name.clone();
        let source = sources.add(file);
        let profile = if name.contains(".devcontainer/") {
            "development"
        } else {
            profile_from_name(&name)
        };
        deployment.files.push(ManifestFile {
            source,
            name,
            profile: profile.to_owned(),
            manifest,
        });
    }
    Ok((configurations, sources, deployment))
}

/// What one configuration to judge is read from: the paths of its layers, lowest precedence
/// first, the first of which names it (its profile, its per-file settings, the example beside
/// it).
#[derive(Debug, Clone)]
pub struct Plan {
    pub paths: Vec<String>,
}

impl Plan {
    /// The path the configuration goes by, if it has one.
    pub fn first(&self) -> Option<&str> {
        self.paths.first().map(String::as_str)
    }

    /// Is one of its layers standard input (`-`)?
    pub fn reads_standard_input(&self) -> bool {
        self.paths.iter().any(|path| path == "-")
    }
}

/// The configurations to judge: the layered one `--env-file`/`--railway`/`--process-env` name,
/// or one per positional path.
pub fn plans(paths: &[String], layers: &LayerArgs) -> Result<Vec<Plan>, Error> {
    if layers.any() && !paths.is_empty() {
        return Err(Error::Usage {
            message: "give either paths to lint one by one, or --env-file/--railway layers, not both".to_owned(),
            help: Some("to lint a file under another layer, name both as layers: `--env-file .env --railway vars.json`".to_owned()),
        });
    }
    if layers.any() || paths.is_empty() {
        let mut stack = layers.env_files.clone();
        stack.extend(layers.railway.iter().cloned());
        return Ok(vec![Plan { paths: stack }]);
    }
    Ok(paths
        .iter()
        .map(|path| Plan {
            paths: vec![path.clone()],
        })
        .collect())
}

/// How the configurations of a run are judged: their profile and their example.
pub struct Judging<'a> {
    /// The profile the command line or a per-file entry sets for a path, if any.
    pub explicit_profile: &'a dyn Fn(Option<&str>) -> Option<String>,
    /// The configuration's `profile`: it beats the file name only.
    pub default_profile: Option<&'a str>,
    /// The example to compare with; `None` when there is none to read.
    pub example: Option<&'a ExampleChoice>,
}

/// Read one configuration: its layers (topped by the environment with `--process-env`), its
/// profile and its example.
pub fn load_unit(
    loader: &mut Loader,
    plan: &Plan,
    layers: &LayerArgs,
    judging: &Judging,
) -> Result<Unit, Error> {
    let format = configuration_format(layers.input_format)?;
    if layers.process_env {
        loader.environment = std::env::vars().collect();
    }
    let mut stack = Vec::with_capacity(plan.paths.len() + 1);
    for path in &plan.paths {
        stack.push(loader.load(path, format)?);
    }
    if layers.process_env {
        stack.push(loader.process_environment());
    }
    let first_path = plan.first();
    let profile = match (judging.explicit_profile)(first_path) {
        Some(profile) => profile,
        None => railway_profile(&stack)
            .or_else(|| judging.default_profile.map(str::to_owned))
            .unwrap_or_else(|| {
                first_path
                    .map_or("production", profile_from_name)
                    .to_owned()
            }),
    };
    let example_path = match judging.example {
        None | Some(ExampleChoice::Off) => None,
        Some(ExampleChoice::Path(path)) => Some(path.clone()),
        Some(ExampleChoice::Beside) => first_path.and_then(example_beside),
    };
    let example = match example_path {
        Some(path) => Some(loader.load(&path, Some(InputFormat::Dotenv))?),
        None => None,
    };
    // Every layer and the example searched for the secrets of all of them.
    loader.mask_repeated_secrets();
    Ok(Unit {
        path: first_path.map(str::to_owned),
        layers: stack,
        profile,
        example,
    })
}

/// Read every configuration the inputs make ([`plans`], [`load_unit`]) with one loader.
pub fn load_units(
    loader: &mut Loader,
    paths: &[String],
    layers: &LayerArgs,
    judging: &Judging,
) -> Result<Vec<Unit>, Error> {
    plans(paths, layers)?
        .iter()
        .map(|plan| load_unit(loader, plan, layers, judging))
        .collect()
}

//! The deployment files judged with the environment they run in: how the container starts
//! (which server binds which host and port, `--reload`, migrations), whether its healthchecks
//! can pass, what Railway's config as code says, and how many database connections the whole
//! deployment may open.
//!
//! The files are read by [`crate::manifest`]; this module only judges. The environment is the
//! production configuration of the same run (a `.env.production`, the Railway input), or the
//! Settings class's defaults when the run has none ([`Environment`]). Findings point at the
//! deployment file and line that wrote what is wrong; one about the environment (the allowed
//! hosts) names the variable and its file in the message.
//!
//! A Dockerfile `CMD` that Railway's `startCommand` replaces is still judged: the image runs
//! elsewhere too (locally, in CI, on another platform). Its findings say that Railway overrides
//! it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::engine::Merged;
use crate::engine::connections::{Budget, Count, Processes};
use crate::host;
use crate::manifest::command::{self, CommandLine, Origin, Port, Program, Server, Workers};
use crate::manifest::dependencies::{self, Distributions, Provided};
use crate::manifest::dockerfile::{self, Body, CommandForm, Dockerfile, Healthcheck, Keyword};
use crate::manifest::images::{self, Tool};
use crate::manifest::procfile::Procfile;
use crate::manifest::railway_config::{self, ProblemKind, RailwayConfig, RestartPolicy};
use crate::manifest::{Text, python};
use crate::rules::{Raised, Role, RuleId};
use crate::source::{SourceId, Span};

/// What `PORT` holds on Railway, for the analysis of a start command: Railway injects it with a
/// value the files cannot know. A port read from it is never a fixed port
/// ([`follows_port`]), whatever this number.
const RAILWAY_PORT: &str = "8080";

/// Does a port setting follow `$PORT` (expanded from it, or read from it by the server)?
fn follows_port(setting: &command::Setting<Port>) -> bool {
    setting.variables.iter().any(|name| name == "PORT")
        || matches!(&setting.origin, Origin::Environment(name) if name == "PORT")
}

/// The host Railway sends its healthcheck requests with.
pub const RAILWAY_HEALTHCHECK_HOST: &str = "healthcheck.railway.app";

/// One deployment file, read.
pub enum Manifest {
    Dockerfile(Dockerfile),
    /// Boxed: its spanned fields make it twenty times the size of the others.
    Railway(Box<RailwayConfig>),
    Procfile(Procfile),
}

/// A deployment file with its source and the name it was given.
pub struct ManifestFile {
    pub source: SourceId,
    pub name: String,
    /// The profile its name implies (`Dockerfile.dev`: development, a `.devcontainer/`'s:
    /// development); only a production file's start command and healthcheck are judged.
    pub profile: String,
    pub manifest: Manifest,
}

/// A directory as a project root (`.` for the current one).
fn root_of(dir: &std::path::Path) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

/// The deployment files of a run.
#[derive(Default)]
pub struct Deployment {
    pub files: Vec<ManifestFile>,
    /// The project directory, where `pyproject.toml` and `requirements*.txt` say what the
    /// application installs.
    pub root: Option<PathBuf>,
}

impl Deployment {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files split by directory, each directory a deployment of its own with its own root:
    /// a monorepo's `api/Dockerfile` pairs with `api/railway.toml`, never with `web/`'s. In the
    /// order of the files.
    pub fn by_directory(self) -> Vec<Deployment> {
        let mut groups: Vec<Deployment> = Vec::new();
        for file in self.files {
            let dir = std::path::Path::new(&file.name)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            match groups
                .iter_mut()
                .find(|group| group.root.as_deref() == Some(root_of(&dir).as_path()))
            {
                Some(group) => group.files.push(file),
                None => groups.push(Deployment {
                    files: vec![file],
                    root: Some(root_of(&dir)),
                }),
            }
        }
        groups
    }

    /// Railway's config as code, if the files hold one.
    pub fn railway(&self) -> Option<(&ManifestFile, &RailwayConfig)> {
        self.files.iter().find_map(|file| match &file.manifest {
            Manifest::Railway(config) => Some((file, config.as_ref())),
            Manifest::Dockerfile(_) | Manifest::Procfile(_) => None,
        })
    }

    /// How many instances run, as Railway's config says (`numReplicas`, multi-region replicas).
    pub fn instances(&self, environment: Option<&str>) -> Option<Count> {
        let (file, config) = self.railway()?;
        let instances = config.instances(environment)?;
        Some(Count::new(
            i64::try_from(instances.value).unwrap_or(i64::MAX),
            format!("replicas in {}", file.name),
        ))
    }

    /// Instances and workers per instance, as the deployment files say.
    pub fn processes(&self, env: &Environment) -> Processes {
        let workers = self
            .start_commands(env)
            .iter()
            .filter(|start| !start.overridden)
            .flat_map(|start| start.analysis.servers.iter().map(move |s| (start, s)))
            .find_map(|(start, server)| {
                let workers = server.workers.as_ref()?;
                match &workers.value {
                    Workers::Number(count) => Some(Count::new(
                        i64::from(*count),
                        format!("{} in {}", origin_words(&workers.origin), start.file),
                    )),
                    Workers::Variable { .. } => None,
                }
            });
        Processes {
            instances: self.instances(Some(env.railway_environment())),
            workers,
        }
    }

    /// Every start command the files hold, analysed in the environment it runs in.
    fn start_commands(&self, env: &Environment) -> Vec<StartCommand<'_>> {
        let railway = self.railway();
        let effective =
            railway.map(|(_, config)| config.effective(Some(env.railway_environment())));
        let railway_start = effective
            .as_ref()
            .and_then(|effective| effective.deploy.start_command.clone());
        let mut starts = Vec::new();
        for file in self
            .files
            .iter()
            .filter(|file| file.profile == "production")
        {
            match &file.manifest {
                Manifest::Dockerfile(dockerfile) => {
                    let image_env = image_environment(dockerfile);
                    let lookup = |name: &str| env.lookup(name, &image_env);
                    if let Some((line, what)) = image_command(dockerfile) {
                        let analysis = command::analyze(line.as_line(), &lookup);
                        starts.push(StartCommand {
                            source: file.source,
                            file: &file.name,
                            what,
                            overridden: railway_start.is_some(),
                            analysis,
                        });
                    }
                }
                Manifest::Railway(_) => {
                    if let Some(start) = &railway_start {
                        let image_env = self.dockerfile_environment();
                        let lookup = |name: &str| env.lookup(name, &image_env);
                        let text = start_text(start);
                        // With a Dockerfile (named, or found: Railway builds with one when it
                        // finds it) the command replaces the image's ENTRYPOINT in exec form;
                        // Railpack and Nixpacks run it through a shell.
                        let builder = effective
                            .as_ref()
                            .and_then(|effective| effective.build.builder.as_ref())
                            .map(|builder| builder.value);
                        let in_shell = match builder {
                            Some(builder) => builder.start_command_in_shell().unwrap_or(true),
                            None => !self
                                .files
                                .iter()
                                .any(|file| matches!(file.manifest, Manifest::Dockerfile(_))),
                        };
                        let words: Vec<Text>;
                        let line = if in_shell {
                            CommandLine::Shell(&text)
                        } else {
                            words = command::shell_words(&text)
                                .into_iter()
                                .flatten()
                                .map(|(word, span)| word_text(word, span))
                                .collect();
                            CommandLine::Exec(&words)
                        };
                        let analysis = command::analyze(line, &lookup);
                        starts.push(StartCommand {
                            source: file.source,
                            file: &file.name,
                            what: "startCommand",
                            overridden: false,
                            analysis,
                        });
                    }
                }
                Manifest::Procfile(procfile) => {
                    if let Some(web) = procfile.web() {
                        // A Procfile's platform (Heroku, Railway, Dokku) injects `PORT`.
                        let image_env = BTreeMap::new();
                        let platform = Environment {
                            on_railway: true,
                            ..env.clone()
                        };
                        let lookup = |name: &str| platform.lookup(name, &image_env);
                        let analysis = command::analyze(CommandLine::Shell(&web.command), &lookup);
                        starts.push(StartCommand {
                            source: file.source,
                            file: &file.name,
                            what: "the Procfile's web process",
                            overridden: railway_start.is_some(),
                            analysis,
                        });
                    }
                }
            }
        }
        starts
    }

    /// Where the deployment runs `alembic upgrade`, in words (`` `preDeployCommand` in
    /// railway.toml ``): Railway's `preDeployCommand`, else a start command that runs (not one
    /// Railway replaces). `None` when the files run it nowhere.
    pub fn alembic_upgrade(&self, env: &Environment) -> Option<String> {
        let is_alembic = |analysis: &command::Analysis| {
            analysis
                .migrations
                .iter()
                .any(|migration| migration.tool == command::MigrationTool::Alembic)
        };
        if let Some((file, config)) = self.railway() {
            let effective = config.effective(Some(env.railway_environment()));
            let image_env = self.dockerfile_environment();
            let lookup = |name: &str| env.lookup(name, &image_env);
            let commands = effective
                .deploy
                .pre_deploy_command
                .iter()
                .flat_map(|v| &v.value);
            for text in commands {
                if is_alembic(&command::analyze(CommandLine::Shell(text), &lookup)) {
                    return Some(format!("`preDeployCommand` in {}", file.name));
                }
            }
        }
        self.start_commands(env)
            .iter()
            .find(|start| !start.overridden && is_alembic(&start.analysis))
            .map(|start| format!("{} in {}", start.what, start.file))
    }

    /// The final image's `ENV`, for a start command Railway runs in it.
    fn dockerfile_environment(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .find_map(|file| match &file.manifest {
                Manifest::Dockerfile(dockerfile) => Some(image_environment(dockerfile)),
                Manifest::Railway(_) | Manifest::Procfile(_) => None,
            })
            .unwrap_or_default()
    }
}

/// A start command and what it starts.
struct StartCommand<'d> {
    source: SourceId,
    file: &'d str,
    /// `CMD`, `ENTRYPOINT`, `startCommand`, ...
    what: &'static str,
    /// Railway's `startCommand` runs instead of it.
    overridden: bool,
    analysis: command::Analysis,
}

impl StartCommand<'_> {
    /// `` (Railway's startCommand overrides this CMD)`` where it does.
    fn note(&self) -> String {
        if self.overridden {
            let this = if self.what.starts_with("the ") {
                ""
            } else {
                "this "
            };
            format!(" (on Railway, startCommand replaces {this}{})", self.what)
        } else {
            String::new()
        }
    }
}

/// What the deployment checks need from the production configuration of the run.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// Where it came from, for messages: `` `.env.production` ``, or the Settings class's
    /// defaults.
    pub described: String,
    /// Every value set: the process environment the start command runs in. Secrets included:
    /// they are looked up (a `${PORT}` in a start command), never shown.
    pub values: BTreeMap<String, String>,
    /// The allowed-hosts variable and the hosts it admits.
    pub allowed_hosts: Option<(String, Vec<String>)>,
    /// The CORS origins the configuration allows (what `verify` expects the service to allow).
    pub cors_origins: Vec<String>,
    /// The pool size and overflow variables, each with its value.
    pub pool: Option<((String, i64), (String, i64))>,
    /// The service runs on Railway (a Railway input or Railway's config as code): `PORT` is
    /// injected and traffic goes to it.
    pub on_railway: bool,
    /// The Railway environment whose overrides apply (`RAILWAY_ENVIRONMENT_NAME`).
    pub railway_environment: Option<String>,
}

impl Environment {
    /// What a merged configuration says.
    pub fn from_merged(merged: &Merged, described: String, from_railway: bool) -> Self {
        // What the process environment holds: the values set. A Settings class's default is
        // the application's, never the shell's (`${HOST:-0.0.0.0}` does not see it).
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        for assignment in merged.winners() {
            if let Some(value) = &assignment.entry.value {
                values.insert(assignment.entry.key.clone(), value.clone());
            }
        }
        let allowed_hosts = merged.role_variable(Role::AllowedHosts).and_then(|name| {
            let value = merged.value(&name)?;
            Some((name, host_list(value)))
        });
        let cors_origins = merged
            .role_variable(Role::CorsOrigins)
            .and_then(|name| merged.value(&name))
            .map(host_list)
            .unwrap_or_default();
        let number = |role: Role| -> Option<(String, i64)> {
            let name = merged.role_variable(role)?;
            let value = merged.value(&name)?;
            let value = crate::engine::predicate::scalar::parse_int(value)?;
            Some((name, i64::try_from(value).ok()?))
        };
        let pool = number(Role::DbPoolSize).zip(number(Role::DbMaxOverflow));
        let railway_environment = values.get("RAILWAY_ENVIRONMENT_NAME").cloned();
        let on_railway = from_railway || values.keys().any(|key| key.starts_with("RAILWAY_"));
        Environment {
            described,
            values,
            allowed_hosts,
            cors_origins,
            pool,
            on_railway,
            railway_environment,
        }
    }

    /// The Railway environment whose overrides apply: `RAILWAY_ENVIRONMENT_NAME` when the
    /// configuration holds it (Railway's own input does), else `production`, the environment
    /// Railway creates first and names so.
    pub fn railway_environment(&self) -> &str {
        self.railway_environment.as_deref().unwrap_or("production")
    }

    /// A variable as the start command sees it: the service's variables over the image's `ENV`
    /// (Railway and `docker run -e` set them on top). On Railway `PORT` is injected, with a
    /// value the files cannot know.
    fn lookup(&self, name: &str, image: &BTreeMap<String, String>) -> Option<String> {
        if let Some(value) = self.values.get(name) {
            return Some(value.clone());
        }
        if self.on_railway && name == "PORT" {
            return Some(RAILWAY_PORT.to_owned());
        }
        image.get(name).cloned()
    }
}

/// The hosts an allowed-hosts value admits (the origins a CORS value allows): a JSON list,
/// else comma-separated.
pub fn host_list(value: &str) -> Vec<String> {
    let trimmed = value.trim();
    if trimmed.starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<String>>(trimmed) {
            return list;
        }
    }
    trimmed
        .split(',')
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty())
        .collect()
}

/// Does a list of allowed hosts admit `host`, as Starlette's `TrustedHostMiddleware` and
/// Django's `ALLOWED_HOSTS` match: `*`, the exact name, or a `*.domain` (`.domain` in Django)
/// pattern that covers it.
fn admits(allowed: &[String], host: &str) -> bool {
    allowed.iter().any(|pattern| {
        let pattern = pattern.trim().to_ascii_lowercase();
        pattern == "*"
            || pattern == host
            || pattern
                .strip_prefix("*.")
                .or_else(|| pattern.strip_prefix('.'))
                .is_some_and(|domain| host == domain || host.ends_with(&format!(".{domain}")))
    })
}

/// Limits the configuration states.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// `[database] max-connections`: the connections the database server allows.
    pub max_connections: Option<i64>,
}

/// Judge the deployment files in `env`.
pub fn check(
    deployment: &Deployment,
    env: &Environment,
    limits: &Limits,
    distributions: Option<&Distributions>,
) -> Vec<Raised> {
    let mut raised = Vec::new();
    for file in &deployment.files {
        match &file.manifest {
            Manifest::Dockerfile(dockerfile) => {
                for problem in &dockerfile.errors {
                    raised.push(Raised::new(
                        RuleId::ManifestUnparseable,
                        problem.message.clone(),
                        file.source,
                        problem.span.clone(),
                    ));
                }
                if file.profile == "production" {
                    healthcheck(file, dockerfile, deployment, distributions, &mut raised);
                }
            }
            Manifest::Railway(config) => railway(file, config, env, &mut raised),
            Manifest::Procfile(procfile) => {
                for problem in &procfile.problems {
                    raised.push(Raised::new(
                        RuleId::ManifestUnparseable,
                        problem.message.clone(),
                        file.source,
                        problem.span.clone(),
                    ));
                }
            }
        }
    }
    let processes = deployment.processes(env);
    for start in deployment.start_commands(env) {
        start_command(&start, env, &processes, &mut raised);
    }
    if let Some(raised_budget) = connections(deployment, env, limits, &processes) {
        raised.push(raised_budget);
    }
    raised
}

/// The checks of one start command.
fn start_command(
    start: &StartCommand,
    env: &Environment,
    processes: &Processes,
    raised: &mut Vec<Raised>,
) {
    let note = start.note();
    for (name, span) in &start.analysis.unexpanded {
        raised.push(Raised::new(
            RuleId::DockerfileExecFormVariable,
            format!(
                "`{name}` in {} reaches the program as it is written: no shell expands it{note}",
                start.what
            ),
            start.source,
            span.clone(),
        ));
    }
    for server in &start.analysis.servers {
        let program = program_name(&server.program);
        // A configuration file may set what the command line leaves at its default.
        let unknown = |origin: &Origin| server.configured && !matches!(origin, Origin::Flag(_));
        if host::is_loopback_host(&server.host.value) && !unknown(&server.host.origin) {
            raised.push(Raised::new(
                RuleId::StartCommandBindsLocalhost,
                format!(
                    "{program} listens on {} ({}): only the container itself can reach it{note}",
                    server.host.value,
                    origin_words(&server.host.origin)
                ),
                start.source,
                setting_span(server, &server.host.origin),
            ));
        }
        // Railway's routing is no premise for a command Railway replaces.
        if env.on_railway
            && !start.overridden
            && !follows_port(&server.port)
            && !unknown(&server.port.origin)
        {
            if let Port::Number(port) = &server.port.value {
                let injected = env.values.get("PORT").map(String::as_str);
                if injected != Some(port.to_string().as_str()) {
                    raised.push(
                        Raised::new(
                            RuleId::StartCommandFixedPort,
                            format!(
                                "{program} listens on port {port} ({}), but Railway routes to \
                                 the port in `$PORT`{note}",
                                origin_words(&server.port.origin)
                            ),
                            start.source,
                            setting_span(server, &server.port.origin),
                        )
                        .with_suggestion(fixed_port_fix(&server.program)),
                    );
                }
            }
        }
        let dev = matches!(server.program, Program::FastapiDev);
        if let Some(span) = server.reload.clone().or(dev.then(|| server.span.clone())) {
            raised.push(Raised::new(
                RuleId::StartCommandReload,
                format!(
                    "{program} runs with {} in {}: a file watcher restarts it on changes, with \
                     one worker{note}",
                    if dev {
                        "`fastapi dev` (reload on)"
                    } else {
                        "reload or debug on"
                    },
                    start.what
                ),
                start.source,
                span,
            ));
        }
    }
    // A command before the server runs once per container, not once per worker: instances
    // race, workers do not. Railway's replicas count for the command Railway runs; an image's
    // command that Railway replaces runs elsewhere, as one container as far as the files say.
    let instances = match (&processes.instances, start.overridden) {
        (Some(count), false) => count.value.max(1),
        (None, _) | (Some(_), true) => 1,
    };
    for migration in &start.analysis.migrations {
        let finding = if instances > 1 {
            Raised::new(
                RuleId::StartCommandMigrations,
                format!(
                    "{} runs migrations as each container starts: {instances} instances run \
                     them at once{note}",
                    start.what
                ),
                start.source,
                migration.span.clone(),
            )
        } else {
            Raised::new(
                RuleId::StartCommandMigrations,
                format!(
                    "{} runs migrations as the container starts: with one instance this works, \
                     but a second one will race it, and a failed migration stops the deploy{note}",
                    start.what
                ),
                start.source,
                migration.span.clone(),
            )
            .milder()
        };
        raised.push(finding);
    }
}

/// The fix for a fixed port, in the server's own flags.
fn fixed_port_fix(program: &Program) -> String {
    match program {
        Program::Gunicorn { .. } | Program::Hypercorn => "`--bind 0.0.0.0:$PORT`".to_owned(),
        Program::Uvicorn | Program::FastapiRun | Program::FastapiDev => "`--port $PORT`".to_owned(),
    }
}

fn program_name(program: &Program) -> &'static str {
    match program {
        Program::Uvicorn => "uvicorn",
        Program::Gunicorn { .. } => "gunicorn",
        Program::Hypercorn => "hypercorn",
        Program::FastapiRun => "`fastapi run`",
        Program::FastapiDev => "`fastapi dev`",
    }
}

/// `its default`, `--host`, `UVICORN_HOST`.
fn origin_words(origin: &Origin) -> String {
    match origin {
        Origin::Flag(_) => "set on the command line".to_owned(),
        Origin::Environment(name) => format!("from `{name}`"),
        Origin::Default => "its default".to_owned(),
    }
}

/// Where a setting was written, else the server's invocation.
fn setting_span(server: &Server, origin: &Origin) -> Span {
    match origin {
        Origin::Flag(span) => span.clone(),
        Origin::Environment(_) | Origin::Default => server.span.clone(),
    }
}

/// The final image's start command: `ENTRYPOINT` and `CMD` as Docker combines them.
enum ImageCommand {
    Exec(Vec<Text>),
    Shell(Text),
}

impl ImageCommand {
    fn as_line(&self) -> CommandLine<'_> {
        match self {
            ImageCommand::Exec(words) => CommandLine::Exec(words),
            ImageCommand::Shell(text) => CommandLine::Shell(text),
        }
    }
}

/// The command of a `RUN`, `CMD` or `ENTRYPOINT`.
fn command_of(body: &Body) -> Option<&dockerfile::Command> {
    match body {
        Body::Command(command) => Some(command),
        Body::Healthcheck(_)
        | Body::Env(_)
        | Body::Arg(_)
        | Body::Expose(_)
        | Body::Files { .. }
        | Body::Other(_) => None,
    }
}

/// The text every `RUN` of the final image's stages runs (heredoc scripts included).
fn run_texts(dockerfile: &Dockerfile) -> Vec<String> {
    final_chain(dockerfile)
        .iter()
        .flat_map(|stage| stage.all(Keyword::Run))
        .filter_map(|instruction| command_of(&instruction.body))
        .flat_map(|command| {
            let mut texts: Vec<String> = match &command.form {
                CommandForm::Shell(text) => vec![text.text.clone()],
                CommandForm::Exec(words) => vec![
                    words
                        .iter()
                        .map(|word| word.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ],
            };
            texts.extend(
                command
                    .heredocs
                    .iter()
                    .map(|heredoc| heredoc.body.text.clone()),
            );
            texts
        })
        .collect()
}

/// The stages the final image is built from, final first: a `FROM base` that names an earlier
/// stage inherits its instructions.
fn final_chain(dockerfile: &Dockerfile) -> Vec<&dockerfile::Stage> {
    match dockerfile.stages.len() {
        0 => Vec::new(),
        count => dockerfile.ancestry(count - 1),
    }
}

/// The last instruction of a kind the final image has (its own, else inherited).
fn last_of(dockerfile: &Dockerfile, keyword: Keyword) -> Option<&dockerfile::Instruction> {
    final_chain(dockerfile)
        .into_iter()
        .find_map(|stage| stage.last(keyword))
}

/// `ENTRYPOINT` with `CMD` as its arguments when both are exec form; else the one that runs.
fn image_command(dockerfile: &Dockerfile) -> Option<(ImageCommand, &'static str)> {
    let body = |instruction: &dockerfile::Instruction| {
        command_of(&instruction.body).map(|command| command.form.clone())
    };
    let entrypoint = last_of(dockerfile, Keyword::Entrypoint).and_then(body);
    let cmd = last_of(dockerfile, Keyword::Cmd).and_then(body);
    match (entrypoint, cmd) {
        (Some(CommandForm::Exec(mut words)), Some(CommandForm::Exec(args))) => {
            words.extend(args);
            Some((ImageCommand::Exec(words), "ENTRYPOINT"))
        }
        (Some(CommandForm::Exec(words)), _) => Some((ImageCommand::Exec(words), "ENTRYPOINT")),
        (Some(CommandForm::Shell(text)), _) => Some((ImageCommand::Shell(text), "ENTRYPOINT")),
        (None, Some(CommandForm::Exec(words))) => Some((ImageCommand::Exec(words), "CMD")),
        (None, Some(CommandForm::Shell(text))) => Some((ImageCommand::Shell(text), "CMD")),
        (None, None) => None,
    }
}

/// The final image's `ENV`, earlier stages of its chain first.
fn image_environment(dockerfile: &Dockerfile) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for stage in final_chain(dockerfile).into_iter().rev() {
        for instruction in &stage.instructions {
            if let Body::Env(pairs) = &instruction.body {
                for (name, value) in pairs {
                    env.insert(name.text.clone(), value.text.clone());
                }
            }
        }
    }
    env
}

/// The base image the final stage starts from, as written, and the global `ARG` defaults its
/// `${VAR}` references take.
fn base_image(dockerfile: &Dockerfile) -> Option<(&str, Vec<(&str, &str)>)> {
    let root = final_chain(dockerfile).pop()?;
    let args = dockerfile
        .global_args
        .iter()
        .filter_map(|arg| Some((arg.name.text.as_str(), arg.default.as_ref()?.text.as_str())))
        .collect();
    Some((root.from.image.text.as_str(), args))
}

/// The Dockerfile's `HEALTHCHECK`: its tool and its Python, and its path against Railway's.
fn healthcheck(
    file: &ManifestFile,
    dockerfile: &Dockerfile,
    deployment: &Deployment,
    distributions: Option<&Distributions>,
    raised: &mut Vec<Raised>,
) {
    let Some(instruction) = last_of(dockerfile, Keyword::Healthcheck) else {
        return;
    };
    let Body::Healthcheck(Healthcheck::Check { command, .. }) = &instruction.body else {
        return;
    };
    let commands = simple_commands(&command.form);
    // The tool: curl or wget at a command's start.
    let tools: Vec<(Tool, Span)> = commands
        .iter()
        .filter_map(|words| {
            let program = words.iter().map(|(word, _)| word.as_str()).find(|word| {
                !matches!(*word, "exec" | "command" | "nice") && !word.contains('=')
            })?;
            let position = words.iter().position(|(word, _)| word == program)?;
            let tool = match program.rsplit('/').next().unwrap_or(program) {
                "curl" => Tool::Curl,
                "wget" => Tool::Wget,
                _ => return None,
            };
            Some((tool, words[position].1.clone()))
        })
        .collect();
    if !tools.is_empty() {
        let installed: Vec<Tool> = run_texts(dockerfile)
            .into_iter()
            .flat_map(|text| images::installed_tools(&text))
            .collect();
        if let Some((image, args)) = base_image(dockerfile) {
            if let Some(shipped) = images::shipped_tools(image, &args) {
                for (tool, span) in tools {
                    if !shipped.has(tool) && !installed.contains(&tool) {
                        raised.push(Raised::new(
                            RuleId::DockerfileHealthcheckToolMissing,
                            format!(
                                "the healthcheck runs {}, which `{image}` does not ship and no \
                                 RUN of the final stage installs: it fails every time",
                                tool.as_str()
                            ),
                            file.source,
                            span,
                        ));
                    }
                }
            }
        }
    }
    // The Python: `python -c CODE`.
    for words in &commands {
        let texts: Vec<&str> = words.iter().map(|(word, _)| word.as_str()).collect();
        let Some(found) = python::python_c_code(&texts) else {
            continue;
        };
        let Some((word, word_span)) = words.get(found.word) else {
            continue;
        };
        let Some(code) = word.get(found.start..) else {
            continue;
        };
        // Where a byte of the code was written: exact when the word is written as it reads,
        // bare or in plain quotes; else the whole word.
        let place = |range: std::ops::Range<usize>| -> Span {
            let offset = if word_span.len() == word.len() {
                Some(word_span.start)
            } else if word_span.len() == word.len() + 2 {
                Some(word_span.start + 1)
            } else {
                None
            };
            match offset {
                Some(offset) => {
                    offset + found.start + range.start..offset + found.start + range.end
                }
                None => word_span.clone(),
            }
        };
        let snippet = python::snippet(code);
        for used in &snippet.unbound {
            raised.push(Raised::new(
                RuleId::DockerfileHealthcheckPythonImport,
                format!(
                    "the healthcheck's Python uses `{}` without importing it: NameError on \
                     every run",
                    used.name
                ),
                file.source,
                place(used.range.clone()),
            ));
        }
        if let Some(distributions) = distributions {
            let runs = run_texts(dockerfile).join("\n").to_ascii_lowercase();
            for import in &snippet.imports {
                if let Provided::No {
                    distributions: providers,
                } = dependencies::provides(distributions, &import.module)
                {
                    // A package a `RUN pip install httpx` puts in the image is installed
                    // whatever the project declares: a RUN that names the module or a
                    // distribution providing it counts.
                    let named = std::iter::once(import.module.as_str())
                        .chain(providers.iter().map(String::as_str))
                        .any(|name| run_names(&runs, name));
                    if named {
                        continue;
                    }
                    let providers = if providers.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} provides it)", providers.join(" or "))
                    };
                    raised.push(Raised::new(
                        RuleId::DockerfileHealthcheckPythonImport,
                        format!(
                            "the healthcheck's Python imports `{}`, which the project does not \
                             depend on{providers}: ModuleNotFoundError on every run",
                            import.module
                        ),
                        file.source,
                        place(import.range.clone()),
                    ));
                }
            }
        }
    }
    // The path and port, against Railway's healthcheck and the server.
    if let Some((url_path, url_port, span)) = healthcheck_url(&commands) {
        if let Some((railway_file, config)) = deployment.railway() {
            let effective = config.effective(Some("production"));
            if let Some(path) = &effective.deploy.healthcheck_path {
                if normalized_path(&path.value) != normalized_path(&url_path) {
                    raised.push(Raised::new(
                        RuleId::HealthcheckPathMismatch,
                        format!(
                            "the Dockerfile's healthcheck requests `{url_path}`, but \
                             healthcheckPath in {} is `{}`",
                            railway_file.name, path.value
                        ),
                        file.source,
                        span.clone(),
                    ));
                }
            }
        }
        let env = Environment::default();
        if let (Some(port), Some((start, _))) = (url_port, image_command(dockerfile)) {
            // The URL goes to the container's own server, which the image starts.
            let image_env = image_environment(dockerfile);
            let lookup = |name: &str| env.lookup(name, &image_env);
            let analysis = command::analyze(start.as_line(), &lookup);
            for server in &analysis.servers {
                if let Port::Number(listens) = server.port.value {
                    if listens != port {
                        raised.push(Raised::new(
                            RuleId::HealthcheckPathMismatch,
                            format!(
                                "the healthcheck requests port {port}, but {} listens on {listens}",
                                program_name(&server.program)
                            ),
                            file.source,
                            span.clone(),
                        ));
                    }
                }
            }
        }
    }
}

/// Does a RUN text (lower-cased) name a package: as a word, or as a requirement
/// (`httpx==0.28`, `httpx[http2]`)?
fn run_names(runs: &str, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    runs.split(|c: char| {
        !(c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '.' | '=' | '<' | '>' | '~' | '[' | ']'))
    })
    .any(|word| word.split(['=', '<', '>', '~', '[']).next() == Some(name.as_str()))
}

/// The simple commands of a command, each word unquoted with its span: the shell form as the
/// shell splits it, an exec form as its words, and the script of an `sh -c` (either form) as
/// the commands it holds.
fn simple_commands(form: &CommandForm) -> Vec<Vec<(String, Span)>> {
    let commands = match form {
        CommandForm::Shell(text) => command::shell_words(text),
        CommandForm::Exec(words) => vec![
            words
                .iter()
                .map(|word| (word.text.clone(), word.span.clone()))
                .collect(),
        ],
    };
    let mut all = Vec::with_capacity(commands.len());
    for words in commands {
        let shell = words.first().is_some_and(|(program, _)| {
            matches!(
                program.rsplit('/').next(),
                Some("sh" | "bash" | "dash" | "ash")
            )
        });
        match (shell, words.get(1), words.get(2)) {
            (true, Some((flag, _)), Some((script, span))) if flag == "-c" => {
                // The script as its own text, where its bytes can be placed exactly.
                let inner = if span.len() == script.len() + 2 {
                    Some(span.start + 1..span.end - 1)
                } else if span.len() == script.len() {
                    Some(span.clone())
                } else {
                    None
                };
                match inner {
                    Some(inner) => {
                        all.extend(command::shell_words(&Text::verbatim(script.clone(), inner)))
                    }
                    None => all.push(words),
                }
            }
            _ => all.push(words),
        }
    }
    all
}

/// The path and port of the first `http://localhost...` URL a healthcheck requests.
fn healthcheck_url(commands: &[Vec<(String, Span)>]) -> Option<(String, Option<u16>, Span)> {
    for (text, span) in commands.iter().flatten() {
        let Some(start) = text.find("http://").or_else(|| text.find("https://")) else {
            continue;
        };
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | ','))
            .map_or(text.len(), |end| start + end);
        let Ok(url) = url::Url::parse(&text[start..end]) else {
            continue;
        };
        let local = url.host_str().is_some_and(host::is_local_host);
        if !local {
            continue;
        }
        // The URL's own bytes when the word is written as it reads, else the word.
        let at = if span.len() == text.len() {
            span.start + start..span.start + end
        } else {
            span.clone()
        };
        return Some((url.path().to_owned(), url.port_or_known_default(), at));
    }
    None
}

fn normalized_path(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    }
}

/// Railway's config as code: what its schema refuses, and what production needs.
fn railway(
    file: &ManifestFile,
    config: &RailwayConfig,
    env: &Environment,
    raised: &mut Vec<Raised>,
) {
    for problem in &config.problems {
        let rule = match problem.kind {
            ProblemKind::Syntax => RuleId::ManifestUnparseable,
            ProblemKind::UnknownField
            | ProblemKind::WrongType
            | ProblemKind::InvalidValue
            | ProblemKind::Duplicate => RuleId::RailwayConfigUnknownField,
        };
        let mut finding = Raised::new(
            rule,
            problem.message.clone(),
            file.source,
            problem.span.clone(),
        );
        if let Some(suggestion) = &problem.suggestion {
            finding = finding.with_suggestion(format!("`{suggestion}`"));
        }
        raised.push(finding);
    }
    let effective = config.effective(Some(env.railway_environment()));
    // A cron service runs to completion: no healthcheck, and no restart, by design.
    let cron = effective.deploy.cron_schedule.is_some();
    match &effective.deploy.healthcheck_path {
        None if cron => {}
        None => {
            let span = effective
                .deploy
                .start_command
                .as_ref()
                .map_or(0..0, |start| start.key_span.clone());
            raised.push(Raised::new(
                RuleId::RailwayHealthcheckMissing,
                format!("{} sets no healthcheckPath", file.name),
                file.source,
                span,
            ));
        }
        Some(path) => {
            if let Some((name, hosts)) = &env.allowed_hosts {
                if !admits(hosts, RAILWAY_HEALTHCHECK_HOST) {
                    raised.push(Raised::new(
                        RuleId::RailwayHealthcheckHostRejected,
                        format!(
                            "Railway requests `{}` with the host `{RAILWAY_HEALTHCHECK_HOST}`, \
                             which `{name}` in {} does not admit",
                            path.value, env.described
                        ),
                        file.source,
                        path.span.clone(),
                    ));
                }
            }
        }
    }
    if let Some(policy) = effective
        .deploy
        .restart_policy_type
        .as_ref()
        .filter(|_| !cron)
    {
        if matches!(policy.value, RestartPolicy::Never) {
            raised.push(Raised::new(
                RuleId::RestartPolicyNever,
                format!("{} never restarts a crashed process", file.name),
                file.source,
                policy.span.clone(),
            ));
        }
    }
}

/// The deployment's connections against `[database] max-connections`.
fn connections(
    deployment: &Deployment,
    env: &Environment,
    limits: &Limits,
    processes: &Processes,
) -> Option<Raised> {
    let max = limits.max_connections?;
    let ((pool_name, pool_size), (overflow_name, max_overflow)) = env.pool.clone()?;
    let budget = Budget {
        instances: processes
            .instances
            .clone()
            .unwrap_or_else(|| Count::new(1, "")),
        workers: processes.workers.clone().unwrap_or_else(|| {
            let web_concurrency = env
                .values
                .get("WEB_CONCURRENCY")
                .and_then(|value| value.trim().parse::<i64>().ok());
            match web_concurrency {
                Some(count) => Count::new(count, format!("WEB_CONCURRENCY in {}", env.described)),
                None => Count::new(1, ""),
            }
        }),
        pool_size,
        max_overflow,
    };
    let total = budget.total()?;
    if total <= max {
        return None;
    }
    // Point at what multiplies: Railway's replicas, else the first start command.
    let (source, span) = deployment
        .railway()
        .and_then(|(file, config)| {
            let instances = config.instances(Some(env.railway_environment()))?;
            Some((file.source, instances.span))
        })
        .or_else(|| deployment.files.first().map(|file| (file.source, 0..0)))?;
    Some(Raised::new(
        RuleId::ConnectionsExceedServerLimit,
        format!(
            "the deployment may open {total} database connections: {}, with the pool sizes of \
             {}; the database allows {max} (`[database] max-connections`)",
            budget.explain(&pool_name, &overflow_name),
            env.described
        ),
        source,
        span,
    ))
}

/// A word of a command line as a [`Text`]: exact where the word is written as it reads, bare or
/// in plain quotes; else every byte placed at the word's start.
fn word_text(word: String, span: Span) -> Text {
    if span.len() == word.len() {
        Text::verbatim(word, span)
    } else {
        let start = if span.len() == word.len() + 2 {
            span.start + 1
        } else {
            span.start
        };
        let exact = span.len() == word.len() + 2;
        let offsets = (0..=word.len())
            .map(|index| if exact { start + index } else { start })
            .collect();
        Text::mapped(word, offsets)
    }
}

fn start_text(value: &railway_config::Value<String>) -> Text {
    value
        .text
        .clone()
        .unwrap_or_else(|| Text::verbatim(value.value.clone(), value.span.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts_admit_as_the_middleware_matches() {
        let hosts = |list: &[&str]| list.iter().map(|h| h.to_string()).collect::<Vec<_>>();
        assert!(admits(&hosts(&["*"]), RAILWAY_HEALTHCHECK_HOST));
        assert!(admits(
            &hosts(&["api.example.com", "healthcheck.railway.app"]),
            RAILWAY_HEALTHCHECK_HOST
        ));
        assert!(admits(&hosts(&["*.railway.app"]), RAILWAY_HEALTHCHECK_HOST));
        assert!(admits(&hosts(&[".railway.app"]), RAILWAY_HEALTHCHECK_HOST));
        assert!(!admits(
            &hosts(&["api.example.com"]),
            RAILWAY_HEALTHCHECK_HOST
        ));
        assert!(!admits(
            &hosts(&["*.example.com"]),
            RAILWAY_HEALTHCHECK_HOST
        ));
        assert_eq!(host_list(r#"["a.com", "b.com"]"#), ["a.com", "b.com"]);
        assert_eq!(host_list("a.com, b.com"), ["a.com", "b.com"]);
    }
}

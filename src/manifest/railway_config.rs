//! Railway's config as code (`railway.toml`, `railway.json`): the build and deploy settings a
//! deployment goes out with, read with the span of every key and value, so that a finding about
//! a start command, a healthcheck or a replica count underlines what the user wrote.
//!
//! The file is read in two steps. The text becomes a tree of spanned values: TOML through the
//! `toml` crate's spanned document (`toml::de::DeTable`, as the rest of the crate reads TOML),
//! JSON through the small scanner below, which keeps the byte each decoded character came
//! from. (`source::railway::json` reads only a flat object of strings, and a config nests
//! objects, arrays, numbers and booleans.) Then the tree is checked against the fields Railway
//! knows, the same way for both formats: Railway says the two formats behave the same.
//! Nothing here stops at a bad field: an unknown key, a value of the wrong type or an unknown
//! enum value is a [`Problem`], and the rest of the file is still read. A syntax error is the
//! one problem of its file, and leaves the model empty.
//!
//! # The fields, and where they come from
//!
//! The schema Railway publishes (`https://railway.com/railway.schema.json`) could not be read
//! when this was written (no copy in the indexed repositories; the host did not resolve), so
//! the list is put together from these primary sources:
//! - **docs**: `railwayapp/docs` at `c2a634f1`, `content/docs/config-as-code/reference.md`,
//!   with its history (`git log` of that file and `src/docs/reference/config-as-code.md`);
//! - **cli**: `railwayapp/cli` at `df3838bf`: `src/controllers/config/environment.rs`
//!   (`BuildConfig`, `DeployConfig`: the per-service config Railway's API returns, the same
//!   build/deploy settings), `src/commands/config/migrate.rs` (`CacFile`: how the CLI itself
//!   reads `railway.toml`/`railway.json`, with `toml::from_str` and `serde_json::from_str`), and
//!   `src/gql/schema.json` (the GraphQL enums `Builder` and `RestartPolicyType`, and the types
//!   of `ServiceInstanceUpdateInput`).
//!
//! Top level: `$schema` (string), `build`, `deploy`, `environments`.
//!
//! `build`:
//! - `builder`: `RAILPACK` (the default), `DOCKERFILE` (docs); `NIXPACKS` (docs until
//!   2026-03, "deprecated"; cli `BuildConfig`: "NIXPACKS | DOCKERFILE | RAILPACK"); `HEROKU`,
//!   `PAKETO` (GraphQL `Builder`; listed in the docs on 2025-09-11, removed the same day as
//!   "incorrect builder values"). Railway's own guide writes them in lower case
//!   (`builder = "nixpacks"`, `restartPolicyType = "never"`), so case is not significant here.
//!   The docs add: "Railway will always build with a Dockerfile if it finds one".
//! - `watchPatterns`: array of strings; `buildCommand`, `dockerfilePath`, `railpackVersion`:
//!   string or null (docs);
//! - `nixpacksConfigPath`, `nixpacksVersion`: string or null; `nixpacksPlan`: object or null
//!   (docs until 2026-03; cli `BuildConfig`); `buildEnvironment`: string, `V2` or `V3` (cli).
//!
//! `deploy`:
//! - `startCommand`, `healthcheckPath`, `cronSchedule`: string or null (docs);
//! - `preDeployCommand`: a string or an array of strings (cli: "string or [string]"; the docs'
//!   example is an array, GraphQL takes `[String!]`); read as a list either way;
//! - `healthcheckTimeout` (seconds), `restartPolicyMaxRetries`: integer or null (docs);
//! - `restartPolicyType`: `ON_FAILURE`, `ALWAYS`, `NEVER` (docs, GraphQL `RestartPolicyType`);
//! - `multiRegionConfig`: object of region name to `{ "numReplicas": integer }` or null (docs;
//!   cli `BTreeMap<String, Option<RegionConfig>>`);
//! - `numReplicas`: integer (deprecated in the docs on 2025-02-06 for `multiRegionConfig`; cli
//!   and GraphQL still have it); `region`: string (cli, GraphQL);
//! - `overlapSeconds`, `drainingSeconds`: integer or null; the docs' own examples write them
//!   as strings (`"overlapSeconds": "60"`), so a string of digits is taken without a problem
//!   for these two, and is a [`ProblemKind::WrongType`] for every other integer field;
//! - `sleepApplication`, `ipv6EgressEnabled`: boolean; `requiredMountPath`: string;
//!   `registryCredentials` (`username`, `password`), `limitOverride`: objects (cli
//!   `DeployConfig`); `runtime` (string) and `useLegacyStacker` (boolean) appear in the merged
//!   config Railway's dashboard shows for a deployment (weaker evidence: a user's copy of it).
//!
//! `environments.<name>` holds `build` and `deploy` overrides. For a deployment in an
//! environment, Railway takes a setting from, in order: that environment's config in code, the
//! base config in code, the service settings (docs, "Setting environment overrides"); this is
//! [`RailwayConfig::effective`], field by field. A deployment of a pull request's ephemeral
//! environment takes: the environment of that name, then the environment named `pr`, then the
//! pull request's base environment, then the base config ([`RailwayConfig::effective_for_pr`]).
//! `null` is read as "not set here"; whether a `null` override clears a base value is not
//! documented. In a JSON file a key written twice is a [`ProblemKind::Duplicate`], and the
//! last one counts, as with `JSON.parse` and serde_json's maps.
//!
//! # How Railway runs the commands
//!
//! It depends on the builder:
//! - a Dockerfile or an image: "the start command overrides the image's `ENTRYPOINT` in exec
//!   form", so `$PORT` is not expanded; the docs say to wrap it in
//!   `/bin/sh -c "exec python main.py --port $PORT"` (docs `deployments/start-command.md`,
//!   `builds/build-and-start-commands.md`);
//! - Railpack: "the start command is ran in a shell process" (same page). Railpack's image has
//!   `Entrypoint: ["/bin/bash", "-c"]` and `Cmd: [startCommand]` (`railwayapp/railpack` at
//!   `b5e80580`, `buildkit/convert.go`);
//! - Nixpacks: `ENTRYPOINT ["/bin/bash", "-l", "-c"]` and `CMD ["<command>"]`
//!   (`railwayapp/nixpacks` at `f51d7fd5`, `src/nixpacks/builder/docker/dockerfile_generation.rs`
//!   and `utils.rs::get_exec_command`).
//!
//! How `preDeployCommand` is run is not documented: it runs "in a separate container" from the
//! application image, with its variables (docs `deployments/pre-deploy-command.md`); that it is
//! run like the start command is an assumption. Railway injects `PORT` and healthchecks that
//! port; a service whose app listens elsewhere (target ports) is told to set `PORT` itself.
//! Healthchecks are HTTP requests from the host `healthcheck.railway.app` to `healthcheckPath`
//! until a 200, for 300 s by default (`RAILWAY_HEALTHCHECK_TIMEOUT_SEC` or
//! `healthcheckTimeout`), only at the start of a deployment (docs `deployments/healthchecks.md`).

use std::collections::HashSet;

use super::Text;
use crate::source::Span;

/// Which syntax a config file is written in; the caller knows it from the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFormat {
    Toml,
    Json,
}

impl ConfigFormat {
    /// The format of a file named `railway.toml`, `railway.json` or another name Railway is told
    /// to read (a custom config file path), by its extension.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let extension = name.rsplit_once('.')?.1;
        if extension.eq_ignore_ascii_case("toml") {
            Some(ConfigFormat::Toml)
        } else if extension.eq_ignore_ascii_case("json") {
            Some(ConfigFormat::Json)
        } else {
            None
        }
    }
}

/// What is wrong with a part of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// Not valid TOML or JSON (or, in a Procfile, a line that is not `name: command`).
    Syntax,
    /// A key Railway does not have there.
    UnknownField,
    /// A value of another type than the field's (`numReplicas = "2"`).
    WrongType,
    /// A value of the right type that the field does not take (an unknown builder, a negative
    /// count).
    InvalidValue,
    /// A key (a process name, in a Procfile) written twice.
    Duplicate,
}

/// A problem found while reading, at the bytes it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub kind: ProblemKind,
    pub message: String,
    /// For an unknown key or value: the known one it is near (`healthcheckPath`, or
    /// `deploy.startCommand` for a deploy field written under `build`).
    pub suggestion: Option<String>,
}

/// A setting as written: its value, the span of the value and of its key, and for a string the
/// text with where each byte was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value<T> {
    pub value: T,
    pub span: Span,
    pub key_span: Span,
    pub text: Option<Text>,
}

/// `build.builder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    Railpack,
    Dockerfile,
    /// Deprecated by Railway for Railpack.
    Nixpacks,
    /// In Railway's GraphQL `Builder` enum, no longer documented.
    Heroku,
    /// In Railway's GraphQL `Builder` enum, no longer documented.
    Paketo,
}

impl Builder {
    const ALL: [(&'static str, Builder); 5] = [
        ("RAILPACK", Builder::Railpack),
        ("DOCKERFILE", Builder::Dockerfile),
        ("NIXPACKS", Builder::Nixpacks),
        ("HEROKU", Builder::Heroku),
        ("PAKETO", Builder::Paketo),
    ];

    /// The name as Railway documents it (`RAILPACK`).
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, builder)| *builder == self)
            .map_or("", |(name, _)| name)
    }

    /// Does Railway run the start command through a shell (`bash -c`), so that `$PORT` in it
    /// expands? Railpack and Nixpacks images do; a Dockerfile's command replaces the image's
    /// entrypoint in exec form. Heroku and Paketo buildpacks are not documented.
    pub fn start_command_in_shell(self) -> Option<bool> {
        match self {
            Builder::Railpack | Builder::Nixpacks => Some(true),
            Builder::Dockerfile => Some(false),
            Builder::Heroku | Builder::Paketo => None,
        }
    }
}

/// `deploy.multiRegionConfig`: each region's name and its `numReplicas` (`None` when not
/// written), in file order.
pub type Regions = Vec<(Text, Option<u64>)>;

/// `deploy.restartPolicyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartPolicy {
    OnFailure,
    Always,
    Never,
}

impl RestartPolicy {
    const ALL: [(&'static str, RestartPolicy); 3] = [
        ("ON_FAILURE", RestartPolicy::OnFailure),
        ("ALWAYS", RestartPolicy::Always),
        ("NEVER", RestartPolicy::Never),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, policy)| *policy == self)
            .map_or("", |(name, _)| name)
    }
}

/// The `build` section (or an environment's override of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Build {
    pub builder: Option<Value<Builder>>,
    pub build_command: Option<Value<String>>,
    pub dockerfile_path: Option<Value<String>>,
    pub watch_patterns: Option<Value<Vec<Text>>>,
    pub railpack_version: Option<Value<String>>,
    pub nixpacks_config_path: Option<Value<String>>,
    /// An object, not read further.
    pub nixpacks_plan: Option<Value<()>>,
    pub nixpacks_version: Option<Value<String>>,
    pub build_environment: Option<Value<String>>,
}

/// The `deploy` section (or an environment's override of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deploy {
    pub start_command: Option<Value<String>>,
    /// A string is read as a list of one.
    pub pre_deploy_command: Option<Value<Vec<Text>>>,
    pub healthcheck_path: Option<Value<String>>,
    pub healthcheck_timeout: Option<Value<u64>>,
    pub num_replicas: Option<Value<u64>>,
    /// Region name and its `numReplicas` (`None` when not written), in file order; a region
    /// set to `null` is left out.
    pub multi_region_config: Option<Value<Regions>>,
    pub region: Option<Value<String>>,
    pub restart_policy_type: Option<Value<RestartPolicy>>,
    pub restart_policy_max_retries: Option<Value<u64>>,
    pub cron_schedule: Option<Value<String>>,
    pub sleep_application: Option<Value<bool>>,
    pub ipv6_egress_enabled: Option<Value<bool>>,
    pub overlap_seconds: Option<Value<u64>>,
    pub draining_seconds: Option<Value<u64>>,
    pub required_mount_path: Option<Value<String>>,
    /// An object (`username`, `password`: a secret written in the file), not read further.
    pub registry_credentials: Option<Value<()>>,
    /// An object, not read further.
    pub limit_override: Option<Value<()>>,
    pub runtime: Option<Value<String>>,
    pub use_legacy_stacker: Option<Value<bool>>,
}

/// `environments.<name>`: the settings that replace the base ones in that environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentOverride {
    pub build: Build,
    pub deploy: Deploy,
}

/// A config file as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RailwayConfig {
    pub schema: Option<Value<String>>,
    pub build: Build,
    pub deploy: Deploy,
    /// Name and overrides, in file order (a name written twice in JSON: its last value, at its
    /// first place).
    pub environments: Vec<(Text, EnvironmentOverride)>,
    /// In file order.
    pub problems: Vec<Problem>,
}

/// The settings in effect for one deployment (of what the file says; the service settings in
/// the dashboard fill in what it does not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effective {
    pub build: Build,
    pub deploy: Deploy,
    /// The environments whose overrides were applied, in the order applied.
    pub environments: Vec<Text>,
}

impl Build {
    /// Replace each field `other` sets.
    fn overlay(&mut self, other: &Build) {
        // Destructured so that a new field cannot be forgotten here.
        let Build {
            builder,
            build_command,
            dockerfile_path,
            watch_patterns,
            railpack_version,
            nixpacks_config_path,
            nixpacks_plan,
            nixpacks_version,
            build_environment,
        } = other;
        overlay(&mut self.builder, builder);
        overlay(&mut self.build_command, build_command);
        overlay(&mut self.dockerfile_path, dockerfile_path);
        overlay(&mut self.watch_patterns, watch_patterns);
        overlay(&mut self.railpack_version, railpack_version);
        overlay(&mut self.nixpacks_config_path, nixpacks_config_path);
        overlay(&mut self.nixpacks_plan, nixpacks_plan);
        overlay(&mut self.nixpacks_version, nixpacks_version);
        overlay(&mut self.build_environment, build_environment);
    }
}

impl Deploy {
    /// Replace each field `other` sets (`multiRegionConfig` as a whole).
    fn overlay(&mut self, other: &Deploy) {
        let Deploy {
            start_command,
            pre_deploy_command,
            healthcheck_path,
            healthcheck_timeout,
            num_replicas,
            multi_region_config,
            region,
            restart_policy_type,
            restart_policy_max_retries,
            cron_schedule,
            sleep_application,
            ipv6_egress_enabled,
            overlap_seconds,
            draining_seconds,
            required_mount_path,
            registry_credentials,
            limit_override,
            runtime,
            use_legacy_stacker,
        } = other;
        overlay(&mut self.start_command, start_command);
        overlay(&mut self.pre_deploy_command, pre_deploy_command);
        overlay(&mut self.healthcheck_path, healthcheck_path);
        overlay(&mut self.healthcheck_timeout, healthcheck_timeout);
        overlay(&mut self.num_replicas, num_replicas);
        overlay(&mut self.multi_region_config, multi_region_config);
        overlay(&mut self.region, region);
        overlay(&mut self.restart_policy_type, restart_policy_type);
        overlay(
            &mut self.restart_policy_max_retries,
            restart_policy_max_retries,
        );
        overlay(&mut self.cron_schedule, cron_schedule);
        overlay(&mut self.sleep_application, sleep_application);
        overlay(&mut self.ipv6_egress_enabled, ipv6_egress_enabled);
        overlay(&mut self.overlap_seconds, overlap_seconds);
        overlay(&mut self.draining_seconds, draining_seconds);
        overlay(&mut self.required_mount_path, required_mount_path);
        overlay(&mut self.registry_credentials, registry_credentials);
        overlay(&mut self.limit_override, limit_override);
        overlay(&mut self.runtime, runtime);
        overlay(&mut self.use_legacy_stacker, use_legacy_stacker);
    }
}

fn overlay<T: Clone>(base: &mut Option<T>, over: &Option<T>) {
    if over.is_some() {
        base.clone_from(over);
    }
}

impl RailwayConfig {
    /// The overrides written for `name`, if any.
    pub fn environment(&self, name: &str) -> Option<&EnvironmentOverride> {
        self.environments
            .iter()
            .find(|(written, _)| written.text == name)
            .map(|(_, overrides)| overrides)
    }

    /// The settings in effect in one environment: the top level with that environment's
    /// overrides on top, field by field (Railway: "1. Environment specific config in code,
    /// 2. Base config in code, 3. Service settings"). `None`, or a name the file does not
    /// mention, is the base config.
    pub fn effective(&self, environment: Option<&str>) -> Effective {
        self.effective_through(&[environment])
    }

    /// The settings in effect for a deployment of a pull request in the ephemeral environment
    /// `environment`: the base config, then the `pr` environment, then the environment of that
    /// name (Railway's order for PR environments; the pull request's base environment, third
    /// in that order, is a dashboard setting and not in the file).
    pub fn effective_for_pr(&self, environment: Option<&str>) -> Effective {
        self.effective_through(&[Some("pr"), environment])
    }

    fn effective_through(&self, environments: &[Option<&str>]) -> Effective {
        let mut effective = Effective {
            build: self.build.clone(),
            deploy: self.deploy.clone(),
            environments: Vec::new(),
        };
        for name in environments.iter().flatten() {
            if let Some((written, overrides)) = self
                .environments
                .iter()
                .find(|(written, _)| written.text == *name)
            {
                if effective.environments.contains(written) {
                    continue;
                }
                effective.build.overlay(&overrides.build);
                effective.deploy.overlay(&overrides.deploy);
                effective.environments.push(written.clone());
            }
        }
        effective
    }

    /// How many instances run in an environment: the sum over `multiRegionConfig`'s regions
    /// when it is set (a region without `numReplicas` counted as one), else `numReplicas`, with
    /// the span of the setting that says so. `multiRegionConfig` wins when both are set: the
    /// docs deprecate `numReplicas` for it, and Railway's CLI, moving a config to its newer
    /// format, writes the regions' replicas after (over) `numReplicas`
    /// (`src/commands/config/migrate.rs`). `None` when the file says neither: the service
    /// settings decide.
    pub fn instances(&self, environment: Option<&str>) -> Option<Value<u64>> {
        let deploy = self.effective(environment).deploy;
        match deploy.multi_region_config {
            Some(regions) => Some(Value {
                value: regions
                    .value
                    .iter()
                    .map(|(_, replicas)| replicas.unwrap_or(1))
                    .fold(0u64, u64::saturating_add),
                span: regions.span,
                key_span: regions.key_span,
                text: None,
            }),
            None => deploy.num_replicas,
        }
    }
}

/// Read a config file. Never fails: what cannot be read is a [`Problem`].
pub fn parse(text: &str, format: ConfigFormat) -> RailwayConfig {
    let mut problems = Vec::new();
    let root = match format {
        ConfigFormat::Toml => tree::from_toml(text, &mut problems),
        ConfigFormat::Json => tree::from_json(text, &mut problems),
    };
    let mut config = RailwayConfig::default();
    if let Some(root) = root {
        let mut reader = Reader {
            problems: &mut problems,
        };
        reader.config(&root, &mut config);
    }
    problems.sort_by_key(|problem| (problem.span.start, problem.span.end));
    config.problems = problems;
    config
}

// ---------------------------------------------------------------------------------------------
// The fields, and reading the tree into them.

const TOP_KEYS: &[&str] = &["$schema", "build", "deploy", "environments"];
const ENVIRONMENT_KEYS: &[&str] = &["build", "deploy"];
const BUILD_KEYS: &[&str] = &[
    "builder",
    "buildCommand",
    "dockerfilePath",
    "watchPatterns",
    "railpackVersion",
    "nixpacksConfigPath",
    "nixpacksPlan",
    "nixpacksVersion",
    "buildEnvironment",
];
const DEPLOY_KEYS: &[&str] = &[
    "startCommand",
    "preDeployCommand",
    "healthcheckPath",
    "healthcheckTimeout",
    "numReplicas",
    "multiRegionConfig",
    "region",
    "restartPolicyType",
    "restartPolicyMaxRetries",
    "cronSchedule",
    "sleepApplication",
    "ipv6EgressEnabled",
    "overlapSeconds",
    "drainingSeconds",
    "requiredMountPath",
    "registryCredentials",
    "limitOverride",
    "runtime",
    "useLegacyStacker",
];
const REGION_KEYS: &[&str] = &["numReplicas"];

/// Where a table is in the file, for messages and for the suggestion of a field that belongs
/// elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Top,
    Environment,
    Build,
    Deploy,
    Region,
}

impl Section {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Section::Top => TOP_KEYS,
            Section::Environment => ENVIRONMENT_KEYS,
            Section::Build => BUILD_KEYS,
            Section::Deploy => DEPLOY_KEYS,
            Section::Region => REGION_KEYS,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Section::Top => "the top level",
            Section::Environment => "an environment",
            Section::Build => "`build`",
            Section::Deploy => "`deploy`",
            Section::Region => "a region of `multiRegionConfig`",
        }
    }
}

/// The known key nearest to an unknown one: the same but for case, else the nearest by edit
/// distance, case ignored; for a build or deploy field written in the wrong place, that field
/// with its section (`deploy.startCommand`).
fn suggest_key(key: &str, section: Section) -> Option<String> {
    let known = section.keys();
    if let Some(same) = known.iter().find(|name| name.eq_ignore_ascii_case(key)) {
        return Some((*same).to_owned());
    }
    let elsewhere = |names: &[&str], prefix: &str| {
        names
            .iter()
            .find(|name| name.eq_ignore_ascii_case(key))
            .map(|name| format!("{prefix}.{name}"))
    };
    let moved = match section {
        Section::Top | Section::Environment => {
            elsewhere(BUILD_KEYS, "build").or_else(|| elsewhere(DEPLOY_KEYS, "deploy"))
        }
        Section::Build => elsewhere(DEPLOY_KEYS, "deploy"),
        Section::Deploy => elsewhere(BUILD_KEYS, "build"),
        Section::Region => None,
    };
    if moved.is_some() {
        return moved;
    }
    // Edit distance is quadratic in the lengths: a key far longer than any known one is no
    // typo of one.
    if key.len() > 64 {
        return None;
    }
    // Only names whose length is near enough for `closest` to accept them (an edit distance is
    // at least the difference in length): a file of many unknown keys costs little per key.
    let characters = key.chars().count();
    let near_length = |name: &&&str| characters.abs_diff(name.len()) <= (name.len() / 3).max(2);
    let lowered: Vec<(String, &str)> = known
        .iter()
        .filter(near_length)
        .map(|name| (name.to_ascii_lowercase(), *name))
        .collect();
    let candidates: Vec<&str> = lowered.iter().map(|(lower, _)| lower.as_str()).collect();
    let near = crate::suggest::closest(&key.to_ascii_lowercase(), &candidates)?;
    lowered
        .iter()
        .find(|(lower, _)| lower == near)
        .map(|(_, name)| (*name).to_owned())
}

struct Reader<'a> {
    problems: &'a mut Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, span: Span, kind: ProblemKind, message: String) {
        self.problems.push(Problem {
            span,
            kind,
            message,
            suggestion: None,
        });
    }

    /// The members of an object, each key once: a key written again is a problem, and the
    /// last value counts.
    fn members<'n>(&mut self, members: &'n [tree::Member]) -> Vec<&'n tree::Member> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut duplicated = false;
        for member in members {
            if !seen.insert(member.key.as_str()) {
                duplicated = true;
                self.problem(
                    member.key_span.clone(),
                    ProblemKind::Duplicate,
                    format!(
                        "`{}` is written twice; the last one counts",
                        member.key.escape_debug()
                    ),
                );
            }
        }
        if !duplicated {
            return members.iter().collect();
        }
        // Keep each key's last member, at the place of its first.
        let mut last: std::collections::HashMap<&str, &tree::Member> =
            std::collections::HashMap::new();
        for member in members {
            last.insert(member.key.as_str(), member);
        }
        let mut placed: HashSet<&str> = HashSet::new();
        members
            .iter()
            .filter(|member| placed.insert(member.key.as_str()))
            .filter_map(|member| last.get(member.key.as_str()).copied())
            .collect()
    }

    /// The members of `node` when it is an object (a TOML table); else a problem.
    fn object<'n>(&mut self, node: &'n tree::Node, what: &str) -> Option<Vec<&'n tree::Member>> {
        match &node.kind {
            tree::Kind::Object(members) => Some(self.members(members)),
            tree::Kind::Null => None,
            other => {
                self.problem(
                    node.span.clone(),
                    ProblemKind::WrongType,
                    format!("{what} must be a table (an object), not {}", other.name()),
                );
                None
            }
        }
    }

    fn unknown(&mut self, member: &tree::Member, section: Section) {
        let suggestion = suggest_key(&member.key, section);
        let mut message = format!(
            "Railway has no `{}` in {}",
            member.key.escape_debug(),
            section.name()
        );
        if let Some(near) = &suggestion {
            message.push_str(&format!("; did you mean `{near}`?"));
        }
        self.problems.push(Problem {
            span: member.key_span.clone(),
            kind: ProblemKind::UnknownField,
            message,
            suggestion,
        });
    }

    fn config(&mut self, root: &tree::Node, config: &mut RailwayConfig) {
        let Some(members) = self.object(root, "the file") else {
            return;
        };
        for member in members {
            match member.key.as_str() {
                "$schema" => config.schema = self.string(member),
                "build" => self.build(member, &mut config.build),
                "deploy" => self.deploy(member, &mut config.deploy),
                "environments" => self.environments(member, &mut config.environments),
                _ => self.unknown(member, Section::Top),
            }
        }
    }

    fn environments(
        &mut self,
        member: &tree::Member,
        environments: &mut Vec<(Text, EnvironmentOverride)>,
    ) {
        let Some(names) = self.object(&member.value, "`environments`") else {
            return;
        };
        for environment in names {
            let name = environment.key_text.clone();
            let mut overrides = EnvironmentOverride::default();
            if let Some(sections) = self.object(
                &environment.value,
                &format!("the environment `{}`", environment.key.escape_debug()),
            ) {
                for section in sections {
                    match section.key.as_str() {
                        "build" => self.build(section, &mut overrides.build),
                        "deploy" => self.deploy(section, &mut overrides.deploy),
                        _ => self.unknown(section, Section::Environment),
                    }
                }
            }
            environments.push((name, overrides));
        }
    }

    fn build(&mut self, member: &tree::Member, build: &mut Build) {
        let Some(fields) = self.object(&member.value, "`build`") else {
            return;
        };
        for field in fields {
            match field.key.as_str() {
                "builder" => build.builder = self.choice(field, &Builder::ALL),
                "buildCommand" => build.build_command = self.string(field),
                "dockerfilePath" => build.dockerfile_path = self.string(field),
                "watchPatterns" => build.watch_patterns = self.strings(field, false),
                "railpackVersion" => build.railpack_version = self.string(field),
                "nixpacksConfigPath" => build.nixpacks_config_path = self.string(field),
                "nixpacksPlan" => build.nixpacks_plan = self.opaque(field),
                "nixpacksVersion" => build.nixpacks_version = self.string(field),
                "buildEnvironment" => build.build_environment = self.string(field),
                _ => self.unknown(field, Section::Build),
            }
        }
    }

    fn deploy(&mut self, member: &tree::Member, deploy: &mut Deploy) {
        let Some(fields) = self.object(&member.value, "`deploy`") else {
            return;
        };
        for field in fields {
            match field.key.as_str() {
                "startCommand" => deploy.start_command = self.string(field),
                "preDeployCommand" => deploy.pre_deploy_command = self.strings(field, true),
                "healthcheckPath" => deploy.healthcheck_path = self.string(field),
                "healthcheckTimeout" => deploy.healthcheck_timeout = self.count(field, false),
                "numReplicas" => deploy.num_replicas = self.count(field, false),
                "multiRegionConfig" => deploy.multi_region_config = self.regions(field),
                "region" => deploy.region = self.string(field),
                "restartPolicyType" => {
                    deploy.restart_policy_type = self.choice(field, &RestartPolicy::ALL);
                }
                "restartPolicyMaxRetries" => {
                    deploy.restart_policy_max_retries = self.count(field, false);
                }
                "cronSchedule" => deploy.cron_schedule = self.string(field),
                "sleepApplication" => deploy.sleep_application = self.boolean(field),
                "ipv6EgressEnabled" => deploy.ipv6_egress_enabled = self.boolean(field),
                "overlapSeconds" => deploy.overlap_seconds = self.count(field, true),
                "drainingSeconds" => deploy.draining_seconds = self.count(field, true),
                "requiredMountPath" => deploy.required_mount_path = self.string(field),
                "registryCredentials" => deploy.registry_credentials = self.opaque(field),
                "limitOverride" => deploy.limit_override = self.opaque(field),
                "runtime" => deploy.runtime = self.string(field),
                "useLegacyStacker" => deploy.use_legacy_stacker = self.boolean(field),
                _ => self.unknown(field, Section::Deploy),
            }
        }
    }

    fn wrong_type(&mut self, field: &tree::Member, expected: &str) {
        self.problem(
            field.value.span.clone(),
            ProblemKind::WrongType,
            format!(
                "`{}` must be {expected}, not {}",
                field.key,
                field.value.kind.name()
            ),
        );
    }

    fn value<T>(field: &tree::Member, value: T, text: Option<Text>) -> Option<Value<T>> {
        Some(Value {
            value,
            span: field.value.span.clone(),
            key_span: field.key_span.clone(),
            text,
        })
    }

    fn string(&mut self, field: &tree::Member) -> Option<Value<String>> {
        match &field.value.kind {
            tree::Kind::String(text) => Self::value(field, text.text.clone(), Some(text.clone())),
            tree::Kind::Null => None,
            _ => {
                self.wrong_type(field, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, field: &tree::Member) -> Option<Value<bool>> {
        match &field.value.kind {
            tree::Kind::Boolean(value) => Self::value(field, *value, None),
            tree::Kind::Null => None,
            _ => {
                self.wrong_type(field, "`true` or `false`");
                None
            }
        }
    }

    /// A count or a number of seconds: a whole number, not negative. `digits_in_string`: a
    /// string of digits is taken too (the docs write `overlapSeconds` so).
    fn count(&mut self, field: &tree::Member, digits_in_string: bool) -> Option<Value<u64>> {
        let key = &field.key;
        match &field.value.kind {
            tree::Kind::Integer(Some(number)) => match u64::try_from(*number) {
                Ok(number) => Self::value(field, number, None),
                Err(_) => {
                    self.problem(
                        field.value.span.clone(),
                        ProblemKind::InvalidValue,
                        format!("`{key}` must not be negative"),
                    );
                    None
                }
            },
            tree::Kind::Integer(None) => {
                self.problem(
                    field.value.span.clone(),
                    ProblemKind::InvalidValue,
                    format!("`{key}` is too large a number"),
                );
                None
            }
            // JSON and JavaScript do not tell `2.0` from `2`.
            tree::Kind::Float(number)
                if number.fract() == 0.0 && *number >= 0.0 && *number < u64::MAX as f64 =>
            {
                Self::value(field, *number as u64, None)
            }
            tree::Kind::Float(_) => {
                self.problem(
                    field.value.span.clone(),
                    ProblemKind::InvalidValue,
                    format!("`{key}` must be a whole number, not negative"),
                );
                None
            }
            tree::Kind::String(text) if digits_in_string => match text.text.parse::<u64>() {
                Ok(number) => Self::value(field, number, Some(text.clone())),
                Err(_) => {
                    self.problem(
                        field.value.span.clone(),
                        ProblemKind::InvalidValue,
                        format!("`{key}` must be a whole number of seconds"),
                    );
                    None
                }
            },
            tree::Kind::Null => None,
            _ => {
                self.wrong_type(field, "a whole number");
                None
            }
        }
    }

    /// One of an enum's values, case ignored (Railway's own guide writes `"nixpacks"`).
    fn choice<T: Copy>(
        &mut self,
        field: &tree::Member,
        values: &[(&'static str, T)],
    ) -> Option<Value<T>> {
        let text = match &field.value.kind {
            tree::Kind::String(text) => text,
            tree::Kind::Null => return None,
            _ => {
                self.wrong_type(field, "a string");
                return None;
            }
        };
        if let Some((_, value)) = values
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&text.text))
        {
            return Self::value(field, *value, Some(text.clone()));
        }
        let names: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
        let suggestion = if text.text.len() <= 64 {
            crate::suggest::closest(&text.text.to_ascii_uppercase(), &names).map(str::to_owned)
        } else {
            None
        };
        let listed: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
        let mut message = format!(
            "`{}` is not a value of `{}` (one of {})",
            text.text.escape_debug(),
            field.key,
            listed.join(", ")
        );
        if let Some(near) = &suggestion {
            message.push_str(&format!("; did you mean `{near}`?"));
        }
        self.problems.push(Problem {
            span: field.value.span.clone(),
            kind: ProblemKind::InvalidValue,
            message,
            suggestion,
        });
        None
    }

    /// An array of strings; with `single`, a string is taken as a list of one.
    fn strings(&mut self, field: &tree::Member, single: bool) -> Option<Value<Vec<Text>>> {
        match &field.value.kind {
            tree::Kind::String(text) if single => Self::value(field, vec![text.clone()], None),
            tree::Kind::Array(items) => {
                let mut texts = Vec::with_capacity(items.len());
                for item in items {
                    match &item.kind {
                        tree::Kind::String(text) => texts.push(text.clone()),
                        other => self.problem(
                            item.span.clone(),
                            ProblemKind::WrongType,
                            format!(
                                "the items of `{}` must be strings, not {}",
                                field.key,
                                other.name()
                            ),
                        ),
                    }
                }
                Self::value(field, texts, None)
            }
            tree::Kind::Null => None,
            _ if single => {
                self.wrong_type(field, "a string or an array of strings");
                None
            }
            _ => {
                self.wrong_type(field, "an array of strings");
                None
            }
        }
    }

    /// An object whose content is not read (a Nixpacks plan, resource limits, credentials).
    fn opaque(&mut self, field: &tree::Member) -> Option<Value<()>> {
        match &field.value.kind {
            tree::Kind::Object(_) => Self::value(field, (), None),
            tree::Kind::Null => None,
            _ => {
                self.wrong_type(field, "a table (an object)");
                None
            }
        }
    }

    fn regions(&mut self, field: &tree::Member) -> Option<Value<Regions>> {
        let regions = self.object(&field.value, "`multiRegionConfig`")?;
        let mut read = Vec::with_capacity(regions.len());
        for region in regions {
            if matches!(region.value.kind, tree::Kind::Null) {
                continue;
            }
            let name = region.key_text.clone();
            let mut replicas = None;
            let what = format!("the region `{}`", region.key.escape_debug());
            if let Some(settings) = self.object(&region.value, &what) {
                for setting in settings {
                    match setting.key.as_str() {
                        "numReplicas" => {
                            replicas = self.count(setting, false).map(|count| count.value);
                        }
                        _ => self.unknown(setting, Section::Region),
                    }
                }
            }
            read.push((name, replicas));
        }
        Self::value(field, read, None)
    }
}

// ---------------------------------------------------------------------------------------------
// The tree of spanned values both formats are read into.

mod tree {
    use super::*;

    /// Deeper than this, a value is not read (a config nests four levels).
    pub(super) const MAX_DEPTH: usize = 64;

    #[derive(Debug)]
    pub(super) struct Node {
        pub kind: Kind,
        pub span: Span,
    }

    #[derive(Debug)]
    pub(super) enum Kind {
        String(Text),
        /// `None`: outside `i64`.
        Integer(Option<i64>),
        Float(f64),
        Boolean(bool),
        Null,
        Datetime,
        Array(Vec<Node>),
        Object(Vec<Member>),
        /// Nested deeper than [`MAX_DEPTH`].
        TooDeep,
    }

    impl Kind {
        pub(super) fn name(&self) -> &'static str {
            match self {
                Kind::String(_) => "a string",
                Kind::Integer(_) => "an integer",
                Kind::Float(_) => "a number with a fraction",
                Kind::Boolean(_) => "a boolean",
                Kind::Null => "null",
                Kind::Datetime => "a date",
                Kind::Array(_) => "an array",
                Kind::Object(_) => "a table (an object)",
                Kind::TooDeep => "a value nested too deep",
            }
        }
    }

    #[derive(Debug)]
    pub(super) struct Member {
        pub key: String,
        pub key_span: Span,
        /// The key with where each byte was read from.
        pub key_text: Text,
        pub value: Node,
    }

    /// `span` inside `text` and on character boundaries (the spans a parser reports are
    /// trusted no further than that).
    pub(super) fn fit(text: &str, span: Span) -> Span {
        let mut end = span.end.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut start = span.start.min(end);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        start..end
    }

    // ---------------------------------------------------------------------------------- TOML

    pub(super) fn from_toml(text: &str, problems: &mut Vec<Problem>) -> Option<Node> {
        match toml::de::DeTable::parse(text) {
            Ok(table) => {
                let span = fit(text, table.span());
                Some(Node {
                    kind: toml_table(text, table.get_ref(), 0),
                    span,
                })
            }
            Err(error) => {
                problems.push(Problem {
                    span: fit(text, error.span().unwrap_or(0..0)),
                    kind: ProblemKind::Syntax,
                    message: format!("not valid TOML: {}", error.message().trim_end()),
                    suggestion: None,
                });
                None
            }
        }
    }

    fn toml_table(text: &str, table: &toml::de::DeTable<'_>, depth: usize) -> Kind {
        let mut members: Vec<Member> = table
            .iter()
            .map(|(key, value)| {
                let key_span = fit(text, key.span());
                Member {
                    key: key.get_ref().to_string(),
                    key_text: toml_text(text, key.get_ref(), key_span.clone()),
                    key_span,
                    value: toml_node(text, value, depth + 1),
                }
            })
            .collect();
        // The table is a map ordered by key: put the keys back in file order.
        members.sort_by_key(|member| member.key_span.start);
        Kind::Object(members)
    }

    fn toml_node(text: &str, value: &toml::Spanned<toml::de::DeValue<'_>>, depth: usize) -> Node {
        use toml::de::DeValue;
        let span = fit(text, value.span());
        if depth > MAX_DEPTH {
            return Node {
                kind: Kind::TooDeep,
                span,
            };
        }
        let kind = match value.get_ref() {
            DeValue::String(string) => Kind::String(toml_text(text, string, span.clone())),
            DeValue::Integer(integer) => {
                Kind::Integer(i64::from_str_radix(integer.as_str(), integer.radix()).ok())
            }
            DeValue::Float(float) => Kind::Float(float.as_str().parse().unwrap_or(f64::NAN)),
            DeValue::Boolean(value) => Kind::Boolean(*value),
            DeValue::Datetime(_) => Kind::Datetime,
            DeValue::Array(items) => Kind::Array(
                items
                    .iter()
                    .map(|item| toml_node(text, item, depth + 1))
                    .collect(),
            ),
            DeValue::Table(table) => toml_table(text, table, depth),
        };
        Node { kind, span }
    }

    /// A TOML string (a value or a key) with where its bytes are: `toml` borrows a string
    /// written without escapes from the text, so its place is known exactly; an escaped one is
    /// decoded again here to map each byte. `literal` is the span of the string as written.
    fn toml_text(text: &str, string: &str, literal: Span) -> Text {
        // Borrowed: its bytes are inside `text` (an owned string lives elsewhere).
        let start = (string.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        if let Some(end) = start.checked_add(string.len())
            && end <= text.len()
            && text.get(start..end) == Some(string)
        {
            return Text::verbatim(string, start..end);
        }
        if let Some(written) = text.get(literal.clone())
            && let Some((decoded, offsets)) = decode_toml_basic(written, literal.start)
            && decoded == string
        {
            return Text::mapped(decoded, offsets);
        }
        // A key written bare, or one not decoded here: every byte points at the literal's start.
        let start = literal.start;
        let end = if literal.is_empty() {
            start
        } else {
            // One character: the literal's first.
            start + text[start..].chars().next().map_or(0, char::len_utf8)
        };
        let mut offsets = vec![start; string.len()];
        offsets.push(end);
        Text::mapped(string.to_string(), offsets)
    }

    /// Decode a TOML basic string (`"..."` or `"""..."""`), with the offset in the file of each
    /// decoded byte (an escape's bytes all map to its backslash). `None` for anything else.
    pub(super) fn decode_toml_basic(written: &str, base: usize) -> Option<(String, Vec<usize>)> {
        let (quote, multiline) = if written.starts_with("\"\"\"") {
            (3, true)
        } else if written.starts_with('"') {
            (1, false)
        } else {
            return None;
        };
        if written.len() < 2 * quote {
            return None;
        }
        let body_end = written.len() - quote;
        let bytes = written.as_bytes();
        let mut position = quote;
        // A newline right after the opening delimiter is trimmed.
        if multiline {
            if bytes.get(position) == Some(&b'\n') {
                position += 1;
            } else if bytes.get(position..position + 2) == Some(b"\r\n".as_slice()) {
                position += 2;
            }
        }
        let mut decoded = String::new();
        let mut offsets = Vec::new();
        while position < body_end {
            let byte = bytes[position];
            if byte != b'\\' {
                let character = written[position..].chars().next()?;
                decoded.push(character);
                for index in 0..character.len_utf8() {
                    offsets.push(base + position + index);
                }
                position += character.len_utf8();
                continue;
            }
            let escape = position;
            let kind = *bytes.get(position + 1)?;
            position += 2;
            let character = match kind {
                b'b' => '\u{8}',
                b't' => '\t',
                b'n' => '\n',
                b'f' => '\u{c}',
                b'r' => '\r',
                b'e' => '\u{1b}',
                b'"' => '"',
                b'\\' => '\\',
                b'x' | b'u' | b'U' => {
                    let digits = match kind {
                        b'x' => 2,
                        b'u' => 4,
                        _ => 8,
                    };
                    let hex = written.get(position..position + digits)?;
                    position += digits;
                    char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                }
                b' ' | b'\t' | b'\r' | b'\n' if multiline => {
                    // A line-ending backslash: it and all whitespace and newlines after it go.
                    while position < body_end
                        && matches!(bytes[position], b' ' | b'\t' | b'\r' | b'\n')
                    {
                        position += 1;
                    }
                    continue;
                }
                _ => return None,
            };
            decoded.push(character);
            offsets.extend(std::iter::repeat_n(base + escape, character.len_utf8()));
        }
        offsets.push(base + body_end);
        Some((decoded, offsets))
    }

    // ---------------------------------------------------------------------------------- JSON

    pub(super) fn from_json(text: &str, problems: &mut Vec<Problem>) -> Option<Node> {
        let mut reader = JsonReader {
            text,
            bytes: text.as_bytes(),
            position: if text.starts_with('\u{feff}') {
                '\u{feff}'.len_utf8()
            } else {
                0
            },
        };
        let result = reader.skip_whitespace_then(|reader| reader.value(0));
        let result = result.and_then(|node| {
            reader.skip_whitespace();
            if reader.position < reader.bytes.len() {
                Err(reader.error("text after the end of the JSON value"))
            } else {
                Ok(node)
            }
        });
        match result {
            Ok(node) => Some(node),
            Err(problem) => {
                problems.push(problem);
                None
            }
        }
    }

    /// A JSON reader that keeps spans, for nested values (`source::railway::json` reads a flat
    /// object of strings the same way). Recursive to [`MAX_DEPTH`] levels, linear in the text.
    struct JsonReader<'t> {
        text: &'t str,
        bytes: &'t [u8],
        position: usize,
    }

    impl JsonReader<'_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.position).copied()
        }

        fn skip_whitespace(&mut self) {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
                self.position += 1;
            }
        }

        fn skip_whitespace_then<T>(&mut self, then: impl FnOnce(&mut Self) -> T) -> T {
            self.skip_whitespace();
            then(self)
        }

        /// A syntax problem at the current byte (one character wide).
        fn error(&self, reason: &str) -> Problem {
            let start = self.position.min(self.bytes.len());
            let mut end = (start + 1).min(self.bytes.len());
            while !self.text.is_char_boundary(end) {
                end += 1;
            }
            Problem {
                span: start..end,
                kind: ProblemKind::Syntax,
                message: format!("not valid JSON: {reason}"),
                suggestion: None,
            }
        }

        fn value(&mut self, depth: usize) -> Result<Node, Problem> {
            if depth > MAX_DEPTH {
                return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
            }
            let start = self.position;
            let kind = match self.peek() {
                None => return Err(self.error("the text ends where a value was expected")),
                Some(b'{') => self.object(depth)?,
                Some(b'[') => self.array(depth)?,
                Some(b'"') => Kind::String(self.string()?),
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal("true", Kind::Boolean(true))?,
                Some(b'f') => self.literal("false", Kind::Boolean(false))?,
                Some(b'n') => self.literal("null", Kind::Null)?,
                Some(_) => return Err(self.error("expected a value")),
            };
            Ok(Node {
                kind,
                span: start..self.position,
            })
        }

        fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, Problem> {
            if self.bytes[self.position..].starts_with(word.as_bytes()) {
                self.position += word.len();
                Ok(kind)
            } else {
                Err(self.error("expected a value"))
            }
        }

        fn object(&mut self, depth: usize) -> Result<Kind, Problem> {
            self.position += 1;
            let mut members = Vec::new();
            self.skip_whitespace();
            if self.peek() == Some(b'}') {
                self.position += 1;
                return Ok(Kind::Object(members));
            }
            loop {
                self.skip_whitespace();
                if self.peek() != Some(b'"') {
                    return Err(self.error(if self.peek() == Some(b'}') {
                        "a comma before `}`"
                    } else {
                        "expected a key in double quotes"
                    }));
                }
                let literal_start = self.position;
                let key_text = self.string()?;
                let key_span = literal_start + 1..self.position - 1;
                self.skip_whitespace();
                if self.peek() != Some(b':') {
                    return Err(self.error("expected `:` after a key"));
                }
                self.position += 1;
                self.skip_whitespace();
                let value = self.value(depth + 1)?;
                members.push(Member {
                    key: key_text.text.clone(),
                    key_span,
                    key_text,
                    value,
                });
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.position += 1,
                    Some(b'}') => {
                        self.position += 1;
                        return Ok(Kind::Object(members));
                    }
                    _ => return Err(self.error("expected `,` or `}`")),
                }
            }
        }

        fn array(&mut self, depth: usize) -> Result<Kind, Problem> {
            self.position += 1;
            let mut items = Vec::new();
            self.skip_whitespace();
            if self.peek() == Some(b']') {
                self.position += 1;
                return Ok(Kind::Array(items));
            }
            loop {
                self.skip_whitespace();
                if self.peek() == Some(b']') {
                    return Err(self.error("a comma before `]`"));
                }
                items.push(self.value(depth + 1)?);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.position += 1,
                    Some(b']') => {
                        self.position += 1;
                        return Ok(Kind::Array(items));
                    }
                    _ => return Err(self.error("expected `,` or `]`")),
                }
            }
        }

        fn digits(&mut self) -> usize {
            let start = self.position;
            while let Some(b'0'..=b'9') = self.peek() {
                self.position += 1;
            }
            self.position - start
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
        fn number(&mut self) -> Result<Kind, Problem> {
            let start = self.position;
            if self.peek() == Some(b'-') {
                self.position += 1;
            }
            let integer_start = self.position;
            match self.digits() {
                0 => return Err(self.error("expected a digit")),
                1 => {}
                _ if self.bytes[integer_start] == b'0' => {
                    self.position = integer_start;
                    return Err(self.error("a number must not start with `0`"));
                }
                _ => {}
            }
            let mut integral = true;
            if self.peek() == Some(b'.') {
                integral = false;
                self.position += 1;
                if self.digits() == 0 {
                    return Err(self.error("expected a digit after `.`"));
                }
            }
            if let Some(b'e' | b'E') = self.peek() {
                integral = false;
                self.position += 1;
                if let Some(b'+' | b'-') = self.peek() {
                    self.position += 1;
                }
                if self.digits() == 0 {
                    return Err(self.error("expected a digit in the exponent"));
                }
            }
            // Only ASCII was consumed.
            let written = &self.text[start..self.position];
            Ok(if integral {
                Kind::Integer(written.parse().ok())
            } else {
                Kind::Float(written.parse().unwrap_or(f64::NAN))
            })
        }

        /// A string literal at the current `"`, decoded, with the offset of each decoded byte
        /// (an escape's bytes all map to its backslash) and, last, that of the closing quote.
        fn string(&mut self) -> Result<Text, Problem> {
            self.position += 1;
            let mut decoded = String::new();
            let mut offsets = Vec::new();
            loop {
                let run_start = self.position;
                while let Some(byte) = self.peek() {
                    if byte == b'"' || byte == b'\\' || byte < 0x20 {
                        break;
                    }
                    self.position += 1;
                }
                // The run stops only at ASCII bytes: both ends are character boundaries.
                decoded.push_str(&self.text[run_start..self.position]);
                offsets.extend(run_start..self.position);
                match self.peek() {
                    Some(b'"') => {
                        offsets.push(self.position);
                        self.position += 1;
                        return Ok(Text::mapped(decoded, offsets));
                    }
                    Some(b'\\') => {
                        let escape = self.position;
                        let character = self.escape()?;
                        decoded.push(character);
                        offsets.extend(std::iter::repeat_n(escape, character.len_utf8()));
                    }
                    Some(_) => return Err(self.error("a control character inside a string")),
                    None => return Err(self.error("the text ends inside a string")),
                }
            }
        }

        fn escape(&mut self) -> Result<char, Problem> {
            let escape = self.position;
            self.position += 1;
            let kind = self.peek();
            self.position += 1;
            let character = match kind {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    let first = self.hex4(escape)?;
                    let code = match first {
                        0xD800..=0xDBFF => {
                            if self.bytes.get(self.position..self.position + 2)
                                != Some(b"\\u".as_slice())
                            {
                                self.position = escape;
                                return Err(self.error("an unpaired surrogate in `\\u`"));
                            }
                            self.position += 2;
                            let second = self.hex4(escape)?;
                            if !(0xDC00..=0xDFFF).contains(&second) {
                                self.position = escape;
                                return Err(self.error("an unpaired surrogate in `\\u`"));
                            }
                            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                        }
                        other => other,
                    };
                    match char::from_u32(code) {
                        Some(character) => character,
                        None => {
                            self.position = escape;
                            return Err(self.error("an unpaired surrogate in `\\u`"));
                        }
                    }
                }
                _ => {
                    self.position = escape;
                    return Err(self.error("an invalid escape in a string"));
                }
            };
            Ok(character)
        }

        fn hex4(&mut self, escape: usize) -> Result<u32, Problem> {
            let Some(hex) = self.bytes.get(self.position..self.position + 4) else {
                self.position = escape;
                return Err(self.error("`\\u` must be followed by four hex digits"));
            };
            let mut value = 0;
            for byte in hex {
                let Some(digit) = (*byte as char).to_digit(16) else {
                    self.position = escape;
                    return Err(self.error("`\\u` must be followed by four hex digits"));
                };
                value = value * 16 + digit;
            }
            self.position += 4;
            Ok(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(toml: &str, json: &str) -> [RailwayConfig; 2] {
        [
            parse(toml, ConfigFormat::Toml),
            parse(json, ConfigFormat::Json),
        ]
    }

    fn kinds(config: &RailwayConfig) -> Vec<(ProblemKind, Option<&str>)> {
        config
            .problems
            .iter()
            .map(|problem| (problem.kind, problem.suggestion.as_deref()))
            .collect()
    }

    #[test]
    fn docs_example_reads_the_same_in_both_formats() {
        // Railway's guide, "these configuration definitions are equivalent".
        let toml = "[build]\nbuilder = \"nixpacks\"\nbuildCommand = \"echo building!\"\n\n\
                    [deploy]\nstartCommand = \"echo starting!\"\nhealthcheckPath = \"/\"\n\
                    healthcheckTimeout = 100\nrestartPolicyType = \"never\"\n";
        let json = r#"{
  "$schema": "https://railway.com/railway.schema.json",
  "build": { "builder": "nixpacks", "buildCommand": "echo building!" },
  "deploy": {
    "startCommand": "echo starting!",
    "healthcheckPath": "/",
    "healthcheckTimeout": 100,
    "restartPolicyType": "never"
  }
}"#;
        for (config, text) in both(toml, json).iter().zip([toml, json]) {
            assert_eq!(config.problems, [], "{text}");
            let start = config.deploy.start_command.as_ref().expect("startCommand");
            assert_eq!(start.value, "echo starting!");
            assert_eq!(&text[start.key_span.clone()], "startCommand");
            let written = start.text.as_ref().expect("text");
            assert_eq!(&text[written.span.clone()], "echo starting!");
            assert_eq!(&text[written.span_of(5..13)], "starting");
            assert_eq!(
                config.build.builder.as_ref().map(|builder| builder.value),
                Some(Builder::Nixpacks)
            );
            assert_eq!(
                config.deploy.restart_policy_type.as_ref().map(|p| p.value),
                Some(RestartPolicy::Never)
            );
            let timeout = config.deploy.healthcheck_timeout.as_ref().expect("timeout");
            assert_eq!((timeout.value, &text[timeout.span.clone()]), (100, "100"));
        }
    }

    #[test]
    fn every_documented_field_is_read() {
        let json = r#"{"build": {"builder": "RAILPACK", "watchPatterns": ["src/**"],
            "buildCommand": "yarn run build", "dockerfilePath": "Dockerfile.backend",
            "railpackVersion": "0.7.0", "nixpacksConfigPath": "n.toml",
            "nixpacksPlan": {"phases": {}}, "nixpacksVersion": "1.29.1",
            "buildEnvironment": "V3"},
          "deploy": {"startCommand": "node index.js", "preDeployCommand": ["npm run db:migrate"],
            "multiRegionConfig": {"us-west2": {"numReplicas": 2}, "europe-west4-drams3a": {}},
            "healthcheckPath": "/health", "healthcheckTimeout": 300, "restartPolicyType": "ALWAYS",
            "restartPolicyMaxRetries": 5, "cronSchedule": "*/15 * * * *",
            "overlapSeconds": "60", "drainingSeconds": 10, "numReplicas": 3, "region": "us-west2",
            "sleepApplication": false, "ipv6EgressEnabled": true, "requiredMountPath": "/data",
            "registryCredentials": {"username": "u", "password": "p"},
            "limitOverride": {"containers": {"memoryBytes": 3000000000}},
            "runtime": "V2", "useLegacyStacker": false}}"#;
        let config = parse(json, ConfigFormat::Json);
        assert_eq!(config.problems, []);
        let deploy = &config.deploy;
        let pre: Vec<&str> = deploy
            .pre_deploy_command
            .as_ref()
            .unwrap()
            .value
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(pre, ["npm run db:migrate"]);
        assert_eq!(deploy.overlap_seconds.as_ref().unwrap().value, 60);
        assert_eq!(deploy.draining_seconds.as_ref().unwrap().value, 10);
        assert!(!deploy.sleep_application.as_ref().unwrap().value);
        assert!(deploy.registry_credentials.is_some() && deploy.limit_override.is_some());
        let regions: Vec<(&str, Option<u64>)> = deploy
            .multi_region_config
            .as_ref()
            .unwrap()
            .value
            .iter()
            .map(|(name, n)| (name.text.as_str(), *n))
            .collect();
        assert_eq!(
            regions,
            [("us-west2", Some(2)), ("europe-west4-drams3a", None)]
        );
        assert_eq!(
            config.build.watch_patterns.as_ref().unwrap().value[0].text,
            "src/**"
        );
        assert!(config.build.nixpacks_plan.is_some());
        assert_eq!(config.build.build_environment.as_ref().unwrap().value, "V3");
        // multiRegionConfig wins over numReplicas: 2 + 1 (a region without a count).
        assert_eq!(config.instances(None).map(|n| n.value), Some(3));
    }

    #[test]
    fn unknown_keys_get_the_known_key_they_are_near() {
        for (toml, json, expected) in [
            (
                "[deploy]\nhealthCheckPath = \"/h\"\n",
                r#"{"deploy": {"healthCheckPath": "/h"}}"#,
                "healthcheckPath",
            ),
            (
                "[deploy]\nstartComand = \"x\"\n",
                r#"{"deploy": {"startComand": "x"}}"#,
                "startCommand",
            ),
            (
                "[deploy]\nHEALTHCHECKTIMEOUT = 5\n",
                r#"{"deploy": {"HEALTHCHECKTIMEOUT": 5}}"#,
                "healthcheckTimeout",
            ),
            (
                "[build]\nstartCommand = \"x\"\n",
                r#"{"build": {"startCommand": "x"}}"#,
                "deploy.startCommand",
            ),
            (
                "startCommand = \"x\"\n",
                r#"{"startCommand": "x"}"#,
                "deploy.startCommand",
            ),
            ("[deplyo]\n", r#"{"deplyo": {}}"#, "deploy"),
            (
                "[environments.staging.deplooy]\n",
                r#"{"environments": {"staging": {"deplooy": {}}}}"#,
                "deploy",
            ),
        ] {
            for (config, text) in both(toml, json).iter().zip([toml, json]) {
                assert_eq!(
                    kinds(config),
                    [(ProblemKind::UnknownField, Some(expected))],
                    "{text}"
                );
                let problem = &config.problems[0];
                assert!(text[problem.span.clone()].len() > 3, "{text}: {problem:?}");
            }
        }
        let config = parse("[deploy]\nzzzzzzzzzz = 1\n", ConfigFormat::Toml);
        assert_eq!(kinds(&config), [(ProblemKind::UnknownField, None)]);
    }

    #[test]
    fn wrong_types_and_values_are_problems_at_the_value() {
        for (toml, kind, value) in [
            (
                "[deploy]\nnumReplicas = \"2\"\n",
                ProblemKind::WrongType,
                "\"2\"",
            ),
            (
                "[deploy]\nnumReplicas = -1\n",
                ProblemKind::InvalidValue,
                "-1",
            ),
            (
                "[deploy]\nhealthcheckTimeout = 1.5\n",
                ProblemKind::InvalidValue,
                "1.5",
            ),
            ("[deploy]\nstartCommand = 1\n", ProblemKind::WrongType, "1"),
            (
                "[deploy]\nsleepApplication = \"no\"\n",
                ProblemKind::WrongType,
                "\"no\"",
            ),
            (
                "[deploy]\nrestartPolicyType = \"ON_FAIL\"\n",
                ProblemKind::InvalidValue,
                "\"ON_FAIL\"",
            ),
            (
                "[build]\nbuilder = \"DOCKER\"\n",
                ProblemKind::InvalidValue,
                "\"DOCKER\"",
            ),
            (
                "[build]\nwatchPatterns = \"src/**\"\n",
                ProblemKind::WrongType,
                "\"src/**\"",
            ),
            (
                "[build]\nwatchPatterns = [\"a\", 2]\n",
                ProblemKind::WrongType,
                "2",
            ),
            (
                "[deploy]\npreDeployCommand = 3\n",
                ProblemKind::WrongType,
                "3",
            ),
            ("deploy = 3\n", ProblemKind::WrongType, "3"),
            (
                "[deploy]\nnumReplicas = 99999999999999999999\n",
                ProblemKind::InvalidValue,
                "99999999999999999999",
            ),
        ] {
            let config = parse(toml, ConfigFormat::Toml);
            assert_eq!(config.problems.len(), 1, "{toml}: {:?}", config.problems);
            let problem = &config.problems[0];
            assert_eq!(problem.kind, kind, "{toml}");
            if !value.is_empty() {
                assert_eq!(&toml[problem.span.clone()], value, "{toml}");
            }
        }
        let config = parse(r#"{"build": {"builder": "DOCKERFIL"}}"#, ConfigFormat::Json);
        assert_eq!(
            kinds(&config),
            [(ProblemKind::InvalidValue, Some("DOCKERFILE"))]
        );
        let config = parse(r#"{"deploy": {"numReplicas": 2.0}}"#, ConfigFormat::Json);
        assert_eq!(
            (
                config.problems.len(),
                config.instances(None).map(|n| n.value)
            ),
            (0, Some(2))
        );
    }

    #[test]
    fn syntax_errors_are_the_one_problem() {
        for (text, format) in [
            ("[deploy\n", ConfigFormat::Toml),
            ("[deploy]\na = 1\na = 2\n", ConfigFormat::Toml),
            ("{\"deploy\": {}", ConfigFormat::Json),
            ("{\"deploy\": {},}", ConfigFormat::Json),
            ("{\"a\": 01}", ConfigFormat::Json),
            ("{} x", ConfigFormat::Json),
            ("", ConfigFormat::Json),
            ("\"\\ud800\"", ConfigFormat::Json),
        ] {
            let config = parse(text, format);
            assert_eq!(kinds(&config), [(ProblemKind::Syntax, None)], "{text}");
            assert!(config.deploy == Deploy::default(), "{text}");
        }
        // Nested past the limit: a problem, not a stack overflow.
        let deep = "[".repeat(100_000);
        assert_eq!(
            kinds(&parse(&deep, ConfigFormat::Json)),
            [(ProblemKind::Syntax, None)]
        );
        // An empty TOML file is an empty config.
        assert_eq!(parse("", ConfigFormat::Toml), RailwayConfig::default());
    }

    #[test]
    fn json_duplicates_are_problems_and_the_last_counts() {
        let text = r#"{"deploy": {"startCommand": "a", "startCommand": "b"},
            "environments": {"prod": {"deploy": {"numReplicas": 1}}, "dev": {},
                             "prod": {"deploy": {"numReplicas": 2}}}}"#;
        let config = parse(text, ConfigFormat::Json);
        assert_eq!(
            kinds(&config),
            [
                (ProblemKind::Duplicate, None),
                (ProblemKind::Duplicate, None)
            ]
        );
        assert_eq!(config.deploy.start_command.as_ref().unwrap().value, "b");
        let names: Vec<&str> = config
            .environments
            .iter()
            .map(|(name, _)| name.text.as_str())
            .collect();
        assert_eq!(names, ["prod", "dev"]);
        assert_eq!(config.instances(Some("prod")).map(|n| n.value), Some(2));
    }

    #[test]
    fn escapes_map_back_to_the_bytes_written() {
        let json = r#"{"deploy": {"startCommand": "uvicorn\tapp:app \u0041 --port $PORT"}}"#;
        let toml = "[deploy]\nstartCommand = \"uvicorn\\tapp:app \\u0041 --port $PORT\"\n";
        for (config, text) in both(toml, json).iter().zip([toml, json]) {
            let start = config.deploy.start_command.as_ref().unwrap();
            let written = start.text.as_ref().unwrap();
            assert_eq!(written.text, "uvicorn\tapp:app A --port $PORT");
            let port = written.text.find("$PORT").unwrap();
            assert_eq!(&text[written.span_of(port..port + 5)], "$PORT", "{text}");
            assert_eq!(&text[written.span_of(8..15)], "app:app", "{text}");
            assert_eq!(&text[written.span_of(16..17)], "\\", "{text}");
        }
        // Multi-line basic strings, with a line-ending backslash.
        let toml = "[deploy]\nstartCommand = \"\"\"\nuvicorn \\\n   app:app\"\"\"\n";
        let config = parse(toml, ConfigFormat::Toml);
        let written = config.deploy.start_command.unwrap().text.unwrap();
        assert_eq!(written.text, "uvicorn app:app");
        assert_eq!(&toml[written.span_of(8..15)], "app:app");
        // Literal strings are verbatim.
        let toml = "[deploy]\nstartCommand = 'a\\tb'\n";
        let written = parse(toml, ConfigFormat::Toml)
            .deploy
            .start_command
            .unwrap()
            .text
            .unwrap();
        assert_eq!(
            (written.text.as_str(), &toml[written.span.clone()]),
            ("a\\tb", "a\\tb")
        );
    }

    #[test]
    fn environments_override_field_by_field() {
        let toml = "[deploy]\nstartCommand = \"base\"\nhealthcheckPath = \"/h\"\nnumReplicas = 2\n\n\
                    [environments.staging.deploy]\nstartCommand = \"staging\"\n\n\
                    [environments.pr.deploy]\nstartCommand = \"pr\"\nnumReplicas = 1\n\n\
                    [environments.pr-7.deploy]\nhealthcheckPath = \"/pr7\"\n";
        let config = parse(toml, ConfigFormat::Toml);
        assert_eq!(config.problems, []);
        let names: Vec<&str> = config
            .environments
            .iter()
            .map(|(name, _)| name.text.as_str())
            .collect();
        assert_eq!(names, ["staging", "pr", "pr-7"]);
        let cases: [(Effective, &str, &str, u64); 5] = [
            (config.effective(None), "base", "/h", 2),
            (config.effective(Some("staging")), "staging", "/h", 2),
            (config.effective(Some("production")), "base", "/h", 2),
            (config.effective_for_pr(Some("pr-7")), "pr", "/pr7", 1),
            (config.effective_for_pr(None), "pr", "/h", 1),
        ];
        for (effective, start, path, replicas) in cases {
            assert_eq!(effective.deploy.start_command.unwrap().value, start);
            assert_eq!(effective.deploy.healthcheck_path.unwrap().value, path);
            assert_eq!(effective.deploy.num_replicas.unwrap().value, replicas);
        }
        // The value's span is where the override is written.
        let staging = config
            .effective(Some("staging"))
            .deploy
            .start_command
            .unwrap();
        assert_eq!(&toml[staging.span.clone()], "\"staging\"");
        let replicas = config.instances(Some("staging")).unwrap();
        assert_eq!(
            (replicas.value, &toml[replicas.key_span.clone()]),
            (2, "numReplicas")
        );
        assert_eq!(parse("", ConfigFormat::Toml).instances(None), None);
    }

    #[test]
    fn null_means_not_set() {
        let config = parse(
            r#"{"deploy": {"startCommand": null, "multiRegionConfig": {"a": null, "b": {"numReplicas": 4}}}}"#,
            ConfigFormat::Json,
        );
        assert_eq!(config.problems, []);
        assert_eq!(config.deploy.start_command, None);
        assert_eq!(config.instances(None).map(|n| n.value), Some(4));
    }

    #[test]
    fn format_from_file_name() {
        assert_eq!(
            ConfigFormat::from_file_name("railway.toml"),
            Some(ConfigFormat::Toml)
        );
        assert_eq!(
            ConfigFormat::from_file_name("infra/railway.JSON"),
            Some(ConfigFormat::Json)
        );
        assert_eq!(ConfigFormat::from_file_name("Procfile"), None);
    }

    #[test]
    fn builders_say_whether_the_start_command_runs_in_a_shell() {
        assert_eq!(Builder::Railpack.start_command_in_shell(), Some(true));
        assert_eq!(Builder::Dockerfile.start_command_in_shell(), Some(false));
        assert_eq!(Builder::Paketo.as_str(), "PAKETO");
        assert_eq!(RestartPolicy::OnFailure.as_str(), "ON_FAILURE");
    }
}

//! The configuration file: `deploycheck.toml`, or `[tool.deploycheck]` in `pyproject.toml`
//! (where FastAPI teams keep their ruff, mypy and pytest settings), found by walking up from the
//! current directory. Unknown keys are errors pointing at their line. Paths in the file are
//! relative to the file's directory.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::cli::FailOn;
use crate::error::Error;
use crate::finding::Severity;
use crate::secret::SecretNames;
use crate::source::read::Reader;

/// Which .env.example to compare with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleChoice {
    Off,
    /// A `.env.example` beside the linted file, if there is one.
    Beside,
    Path(String),
}

/// What a configuration file says, validated, with paths resolved.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (for messages).
    pub path: Option<PathBuf>,
    pub profile: Option<String>,
    pub rules: Vec<PathBuf>,
    pub no_builtin: bool,
    pub select: Option<Vec<Spanned<String>>>,
    pub extend_select: Vec<Spanned<String>>,
    pub ignore: Vec<Spanned<String>>,
    pub fail_on: Option<FailOn>,
    pub severity: BTreeMap<String, Spanned<Severity>>,
    pub example: Option<ExampleChoice>,
    pub probe: ProbeSettings,
    pub per_file: Vec<PerFile>,
    pub suppress: Vec<Suppression>,
    /// `secret-names`: more keys whose values are masked everywhere.
    pub secret_names: SecretNames,
    /// `settings`: the application's Settings class, as written (resolved against
    /// [`Config::root`]).
    pub settings: Option<Spanned<String>>,
    /// `[roles]`: the variables each named role binds (see `rules::role`).
    pub roles: BTreeMap<crate::rules::Role, Vec<String>>,
    /// `[environment] production-value`: the environment name the application treats as
    /// production.
    pub production_value: Option<String>,
    /// `[database] driver`: the PostgreSQL driver the application's URLs select.
    pub driver: Option<crate::project::Driver>,
    /// `[database] max-connections`: the connections the database server allows
    /// (`connections-exceed-server-limit`).
    pub max_connections: Option<i64>,
    /// `[verify]`: what `deploycheck verify` expects.
    pub verify: VerifySettings,
    /// `max-input-size`: the most a file read after the configuration may hold, in bytes.
    pub max_input_size: Option<u64>,
    /// The file's text, to point errors into it.
    pub text: String,
}

/// `[probe]`: how `--probe` connects to the servers the configuration names.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Probe")]
pub struct ProbeSettings {
    /// The longest each probe may take, from DNS lookup to the last answer (e.g. `"5s"`); the
    /// command line's `--probe-timeout` overrides it.
    pub timeout: Option<String>,
    /// PEM files with CA certificates trusted besides the built-in Mozilla roots (a provider's
    /// own CA), relative to this file.
    #[serde(default)]
    pub ca: Vec<PathBuf>,
    /// Accept any server certificate (reported as a warning).
    pub insecure: Option<bool>,
    /// How many copies of the service run (each holds its own pools); at least 1. Else read from
    /// the deployment files.
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub replicas: Option<Spanned<u32>>,
}

/// Settings for the inputs whose path matches a glob.
#[derive(Debug, Clone)]
pub struct PerFile {
    pub pattern: String,
    pub matcher: globset::GlobMatcher,
    pub profile: Option<String>,
    pub ignore: Vec<Spanned<String>>,
    pub severity: BTreeMap<String, Spanned<Severity>>,
}

/// A `[[suppress]]` entry: accept a known finding where no comment can carry it (e.g.
/// `railway variables` output).
#[derive(Debug, Clone)]
pub struct Suppression {
    pub file: Option<globset::GlobMatcher>,
    pub file_pattern: Option<String>,
    pub key: Option<String>,
    pub rule: Option<String>,
    pub reason: String,
    pub span: std::ops::Range<usize>,
}

// The configuration as written. The doc comments of these types are the descriptions an editor
// shows from `deploycheck.schema.json` ([`json_schema`]): they speak to the user.
/// deploycheck's configuration: `deploycheck.toml`, or `[tool.deploycheck]` in pyproject.toml.
/// Paths are relative to the file; the command line overrides it.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "deploycheck configuration")]
pub(crate) struct RawConfig {
    /// The profile every input is judged as (`production`, `staging`, `development`, `test`);
    /// else inferred from each file's name.
    profile: Option<String>,
    /// More rule files, or directories of them, relative to this file.
    #[serde(default)]
    rules: Vec<PathBuf>,
    /// Leave out the built-in rules (only the `rules` files apply).
    #[serde(default)]
    no_builtin: bool,
    /// The rules to run, by id, tag or pack (`all` for every rule); default: all but opt-in
    /// rules. `--select` replaces it.
    #[schemars(with = "Option<Vec<String>>")]
    select: Option<Vec<Spanned<String>>>,
    /// Rules (ids, tags or packs) to run besides `select`, e.g. opt-in rules.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    extend_select: Vec<Spanned<String>>,
    /// Rules (ids, tags or packs) not to run.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    ignore: Vec<Spanned<String>>,
    /// The least severity that makes `lint` exit 1 (`never`: always 0 when the check ran).
    #[schemars(with = "Option<FailOnName>")]
    fail_on: Option<Spanned<String>>,
    /// Per-rule severity overrides: rule id = severity.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, SeverityName>")]
    severity: BTreeMap<String, Spanned<String>>,
    /// The .env.example to compare each input with: a path, `true` (a `.env.example` beside the
    /// linted file; the default) or `false`.
    example: Option<ExampleSetting>,
    #[serde(default)]
    probe: ProbeSettings,
    /// Settings for the inputs whose path matches a glob (a pattern without `/` matches the
    /// file name anywhere).
    #[serde(default)]
    per_file: BTreeMap<String, RawPerFile>,
    /// Accepted findings where no comment can carry the suppression (e.g. `railway variables`
    /// output); each needs a `reason`, and a `rule` or a `key`.
    #[serde(default)]
    #[schemars(with = "Vec<RawSuppression>")]
    suppress: Vec<Spanned<RawSuppression>>,
    /// More keys whose values are masked everywhere: case-insensitive globs over the key
    /// (`*_CERT`, `SENTRY_*`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    secret_names: Vec<Spanned<String>>,
    /// The application's pydantic-settings class, `path/to/module.py:ClassName` (or the file
    /// alone when it holds one); else discovered.
    #[schemars(with = "Option<String>")]
    settings: Option<Spanned<String>>,
    /// Roles bound explicitly: role = variable name or names (see `deploycheck explain` and
    /// the README's "Roles, packs and generic mode").
    #[serde(default)]
    #[schemars(schema_with = "roles_schema")]
    roles: BTreeMap<Spanned<String>, Names>,
    #[serde(default)]
    environment: RawEnvironment,
    #[serde(default)]
    database: RawDatabase,
    /// The most any file read may hold: bytes, or a size such as `"10MB"` or `"256MiB"`
    /// (default 256 MiB).
    #[schemars(with = "Option<RawSize>")]
    max_input_size: Option<Spanned<RawSize>>,
    #[serde(default)]
    verify: RawVerify,
}

/// `[verify]`: what `deploycheck verify` expects of the deployed service.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Verify")]
struct RawVerify {
    /// The health paths to check; default: railway.toml's `healthcheckPath`, else `/health`,
    /// `/healthz` and `/ready`.
    health_paths: Option<Vec<String>>,
    /// More production origins CORS must allow, besides the configuration's CORS setting.
    #[serde(default)]
    origins: Vec<String>,
    /// The p95 latency a health path may take (e.g. `"500ms"`).
    #[schemars(with = "Option<String>")]
    latency_budget: Option<Spanned<String>>,
    /// Requests per health path (1 to 100; default 5).
    #[schemars(with = "Option<usize>", range(min = 1, max = 100))]
    requests: Option<Spanned<usize>>,
    /// More paths to check, each with the status (and JSON fields) it must answer with.
    #[serde(default)]
    paths: Vec<RawVerifyPath>,
}

/// A path `verify` requests, and what it must answer.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "VerifyPath")]
struct RawVerifyPath {
    /// The path, e.g. `/api/v1/status`.
    path: String,
    /// The status it must answer with (default 200).
    #[serde(default = "ok_status")]
    status: u16,
    /// Fields its JSON body must hold: a top-level name or a dotted path, and the value.
    #[serde(default)]
    json: BTreeMap<String, serde_json::Value>,
}

fn ok_status() -> u16 {
    200
}

/// `[verify]`, validated.
#[derive(Debug, Clone, Default)]
pub struct VerifySettings {
    /// The health paths to check; `None`: railway's `healthcheckPath`, else the defaults.
    pub health_paths: Option<Vec<String>>,
    /// More production origins CORS must allow, besides the configuration's CORS setting.
    pub origins: Vec<String>,
    pub latency_budget: Option<std::time::Duration>,
    /// Requests per health path (default 5).
    pub requests: Option<usize>,
    pub paths: Vec<crate::verify::PathExpectation>,
}

/// `max-input-size = 1048576` or `max-input-size = "1MiB"`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "Size")]
enum RawSize {
    Bytes(i64),
    Text(String),
}

/// `name = "A"` or `name = ["A", "B"]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

/// `[environment]`: how the application names its environments.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Environment")]
struct RawEnvironment {
    /// The environment name the application treats as production (e.g. `"prod"`).
    production_value: Option<String>,
}

/// `[database]`: facts about the database the configuration cannot tell.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "Database")]
struct RawDatabase {
    /// The PostgreSQL driver the application's URLs select; else read from the project.
    #[schemars(with = "Option<DriverName>")]
    driver: Option<Spanned<String>>,
    /// The server's `max_connections` (`connections-exceed-server-limit`); at least 1.
    #[schemars(with = "Option<i64>", range(min = 1))]
    max_connections: Option<Spanned<i64>>,
}

/// `example = true`, `false` or a path.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum ExampleSetting {
    Enabled(bool),
    Path(PathBuf),
}

/// `[per-file."GLOB"]`: settings for the inputs the glob matches.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(rename = "PerFile")]
struct RawPerFile {
    /// The profile these inputs are judged as.
    profile: Option<String>,
    /// Rules (ids, tags or packs) not to run on these inputs.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    ignore: Vec<Spanned<String>>,
    /// Per-rule severity overrides for these inputs.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, SeverityName>")]
    severity: BTreeMap<String, Spanned<String>>,
}

/// A `[[suppress]]` entry: a finding accepted, and why.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(extend("anyOf" = [{ "required": ["key"] }, { "required": ["rule"] }]))]
#[schemars(rename = "Suppression")]
struct RawSuppression {
    /// A glob over the input's path (optional).
    file: Option<String>,
    /// The variable (optional; `key` or `rule` is required).
    key: Option<String>,
    /// The rule id (optional; `key` or `rule` is required).
    rule: Option<String>,
    /// Why the finding is accepted (required).
    // An `Option` so that the reader can say it is missing with a hint of its own.
    #[schemars(required, length(min = 1))]
    reason: Option<String>,
}

/// A severity's name, for the schema: `error`, `warning` or `info`.
struct SeverityName;

impl schemars::JsonSchema for SeverityName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Severity".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        schemars::json_schema!({ "type": "string", "enum": names })
    }
}

/// `fail-on`'s values, for the schema: those of the command line's `--fail-on`.
struct FailOnName;

impl schemars::JsonSchema for FailOnName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FailOn".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        use clap::ValueEnum;
        let names: Vec<String> = FailOn::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect();
        schemars::json_schema!({ "type": "string", "enum": names })
    }
}

/// A PostgreSQL driver's name, for the schema.
struct DriverName;

impl schemars::JsonSchema for DriverName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Driver".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = crate::project::Driver::ALL
            .iter()
            .map(|d| d.name())
            .collect();
        schemars::json_schema!({ "type": "string", "enum": names })
    }
}

/// `[roles]`: a table whose keys are the role names.
fn roles_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names = generator.subschema_for::<Names>();
    let properties: serde_json::Map<String, serde_json::Value> = crate::rules::Role::ALL
        .iter()
        .map(|role| {
            let mut schema = names.clone();
            schema.insert("description".to_owned(), role.summary().into());
            (role.name().to_owned(), schema.into())
        })
        .collect();
    schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

/// TOML has no null (an absent key is how a setting is left out), so the `null` schemars gives
/// every `Option` is taken out: an editor would otherwise offer it.
fn without_null(schema: &mut serde_json::Value) {
    use serde_json::Value;
    let Value::Object(map) = schema else {
        if let Value::Array(items) = schema {
            items.iter_mut().for_each(without_null);
        }
        return;
    };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|kind| kind != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            map.insert("type".to_owned(), only);
        }
    }
    if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
        alternatives.retain(|alternative| alternative.get("type").is_none_or(|t| t != "null"));
        if let [only] = alternatives.as_slice() {
            let only = only.clone();
            map.remove("anyOf");
            if let Value::Object(only) = only {
                map.extend(only);
            }
        }
    }
    if map.get("const").is_some_and(Value::is_null) {
        map.remove("const");
    }
    map.values_mut().for_each(without_null);
}

/// The JSON schema of the configuration (draft-07, what editors' TOML support reads), as
/// committed in `deploycheck.schema.json`: the same for `deploycheck.toml` and for the
/// `[tool.deploycheck]` table. Generated from the types above, so it cannot drift from what
/// [`parse`] accepts (a test compares it with the committed file).
pub fn json_schema() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<RawConfig>().to_value();
    without_null(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

#[derive(Debug, Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Debug, Deserialize)]
struct PyprojectTool {
    deploycheck: Option<toml::Value>,
}

/// Find the configuration: the nearest `deploycheck.toml`, or `pyproject.toml` with a
/// `[tool.deploycheck]` table, from `start` (a directory, relative to the current one or
/// absolute) upwards.
pub fn discover(start: &Path, reader: &Reader) -> Result<Option<Config>, Error> {
    let cwd = std::env::current_dir().map_err(|error| Error::Unreadable {
        path: ".".to_owned(),
        reason: error.to_string(),
    })?;
    // Named as the user would type them: `app/deploycheck.toml`, `../deploycheck.toml`.
    let plain = start.is_relative()
        && start
            .components()
            .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
    let dirs: Vec<PathBuf> = if plain {
        let mut dirs: Vec<PathBuf> = start.ancestors().map(Path::to_path_buf).collect();
        let mut up = PathBuf::from("..");
        for _ in cwd.ancestors().skip(1) {
            dirs.push(up.clone());
            up.push("..");
        }
        dirs
    } else {
        let absolute = cwd.join(start);
        let absolute = absolute.canonicalize().unwrap_or(absolute);
        absolute.ancestors().map(Path::to_path_buf).collect()
    };
    for dir in dirs {
        let own = dir.join("deploycheck.toml");
        if own.is_file() {
            return load(&own, reader).map(Some);
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            let text = reader.read_path(&pyproject)?;
            if has_tool_table(&text) {
                return parse(&pyproject, text).map(Some);
            }
        }
    }
    Ok(None)
}

/// Load a named configuration file (`--config`).
pub fn load(path: &Path, reader: &Reader) -> Result<Config, Error> {
    let text = reader.read_path(path)?;
    parse(path, text)
}

/// Does a `pyproject.toml` text have a `[tool.deploycheck]` table (the one discovery reads)?
pub fn has_tool_table(text: &str) -> bool {
    toml::from_str::<Pyproject>(text)
        .ok()
        .and_then(|p| p.tool)
        .is_some_and(|tool| tool.deploycheck.is_some())
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == "pyproject.toml")
}

/// Parse and validate a configuration text as if read from `path`: the path names the file in
/// errors, says whether the text is a `pyproject.toml` (read from its `[tool.deploycheck]`), and
/// anchors the relative paths in it. [`load`] and [`discover`] read the file and call this.
pub fn parse(path: &Path, text: String) -> Result<Config, Error> {
    let name = path.display().to_string();
    let toml_error = |error: toml::de::Error| {
        let message = error.message().trim_end();
        let error_at = Error::rule_file(
            &name,
            &text,
            error.span().unwrap_or(0..0),
            message.to_owned(),
        );
        match crate::suggest::unknown_field_help(message) {
            Some(help) => error_at.with_help(help),
            None => error_at,
        }
    };
    // Only a file that is TOML with the configuration's keys is quoted in errors.
    let kind = if is_pyproject(path) {
        crate::tomlfile::FileKind::Pyproject
    } else {
        crate::tomlfile::FileKind::Config
    };
    crate::tomlfile::check_shape(&name, &text, kind)?;
    let raw: RawConfig = if is_pyproject(path) {
        // Deserialize the table in place so that spans point into pyproject.toml.
        #[derive(Deserialize)]
        struct Wrapper {
            tool: WrapperTool,
        }
        #[derive(Deserialize)]
        struct WrapperTool {
            deploycheck: RawConfig,
        }
        toml::from_str::<Wrapper>(&text)
            .map_err(toml_error)?
            .tool
            .deploycheck
    } else {
        toml::from_str(&text).map_err(toml_error)?
    };
    let base = path.parent().unwrap_or(Path::new("")).to_owned();
    let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
    let severity = |map: BTreeMap<String, Spanned<String>>| -> Result<BTreeMap<String, Spanned<Severity>>, Error> {
        map.into_iter()
            .map(|(rule, level)| match Severity::parse(level.get_ref()) {
                Some(parsed) => Ok((rule, Spanned::new(level.span(), parsed))),
                None => Err(Error::rule_file(
                    &name,
                    &text,
                    level.span(),
                    format!("unknown severity `{}`; expected error, warning or info", level.get_ref()),
                )),
            })
            .collect()
    };
    let fail_on = match &raw.fail_on {
        None => None,
        Some(fail_on) => Some(
            <FailOn as clap::ValueEnum>::from_str(fail_on.get_ref(), false).map_err(|_| {
                Error::rule_file(
                    &name,
                    &text,
                    fail_on.span(),
                    format!(
                        "unknown fail-on `{}`; expected error, warning, info or never",
                        fail_on.get_ref()
                    ),
                )
            })?,
        ),
    };
    let mut per_file = Vec::new();
    for (pattern, settings) in raw.per_file {
        let matcher =
            glob(&pattern).map_err(|message| Error::rule_file(&name, &text, 0..0, message))?;
        per_file.push(PerFile {
            pattern,
            matcher,
            profile: settings.profile,
            ignore: settings.ignore,
            severity: severity(settings.severity)?,
        });
    }
    let mut suppress = Vec::new();
    for entry in raw.suppress {
        let span = entry.span();
        let entry = entry.into_inner();
        let reason = entry.reason.filter(|r| !r.trim().is_empty()).ok_or_else(|| {
            Error::rule_file(&name, &text, span.clone(), "a suppression needs a `reason`")
                .with_help("say why the finding is accepted, e.g. reason = \"staging shares the dev database\"")
        })?;
        if entry.key.is_none() && entry.rule.is_none() {
            return Err(Error::rule_file(
                &name,
                &text,
                span,
                "a suppression needs a `rule` or a `key`",
            ));
        }
        let file = match &entry.file {
            Some(pattern) => Some(
                glob(pattern)
                    .map_err(|message| Error::rule_file(&name, &text, span.clone(), message))?,
            ),
            None => None,
        };
        suppress.push(Suppression {
            file,
            file_pattern: entry.file,
            key: entry.key,
            rule: entry.rule,
            reason,
            span,
        });
    }
    let mut secret_names = SecretNames::default();
    for pattern in &raw.secret_names {
        secret_names
            .add(pattern.get_ref())
            .map_err(|message| Error::rule_file(&name, &text, pattern.span(), message))?;
    }
    if let Some(replicas) = raw.probe.replicas.as_ref().filter(|r| *r.get_ref() == 0) {
        return Err(Error::rule_file(
            &name,
            &text,
            replicas.span(),
            "`probe.replicas` must be at least 1",
        ));
    }
    let probe = ProbeSettings {
        ca: raw.probe.ca.into_iter().map(resolve).collect(),
        ..raw.probe
    };
    let latency_budget = match &raw.verify.latency_budget {
        None => None,
        Some(budget) => Some(
            humantime::parse_duration(budget.get_ref()).map_err(|error| {
                Error::rule_file(
                    &name,
                    &text,
                    budget.span(),
                    format!("`verify.latency-budget`: {error} (write e.g. `500ms`, `2s`)"),
                )
            })?,
        ),
    };
    if let Some(requests) = raw
        .verify
        .requests
        .as_ref()
        .filter(|requests| !(1..=100).contains(requests.get_ref()))
    {
        return Err(Error::rule_file(
            &name,
            &text,
            requests.span(),
            "`verify.requests` must be between 1 and 100",
        ));
    }
    let verify = VerifySettings {
        health_paths: raw.verify.health_paths,
        origins: raw.verify.origins,
        latency_budget,
        requests: raw.verify.requests.map(|requests| *requests.get_ref()),
        paths: raw
            .verify
            .paths
            .into_iter()
            .map(|path| crate::verify::PathExpectation {
                path: path.path,
                status: path.status,
                json: path.json.into_iter().collect(),
            })
            .collect(),
    };
    let mut roles = BTreeMap::new();
    for (role, names) in raw.roles {
        let Some(parsed) = crate::rules::Role::parse(role.get_ref()) else {
            let known: Vec<&str> = crate::rules::Role::ALL.iter().map(|r| r.name()).collect();
            let error = Error::rule_file(
                &name,
                &text,
                role.span(),
                format!("unknown role `{}`", role.get_ref()),
            );
            let help = match crate::suggest::closest(role.get_ref(), &known) {
                Some(near) => format!("did you mean `{near}`? roles: {}", known.join(", ")),
                None => format!("roles: {}", known.join(", ")),
            };
            return Err(error.with_help(help));
        };
        let names = match names {
            Names::One(one) => vec![one],
            Names::Many(many) => many,
        };
        roles.insert(parsed, names);
    }
    let max_connections = match &raw.database.max_connections {
        Some(max) if *max.get_ref() < 1 => {
            return Err(Error::rule_file(
                &name,
                &text,
                max.span(),
                "`database.max-connections` must be at least 1",
            ));
        }
        max => max.as_ref().map(|max| *max.get_ref()),
    };
    let driver = match &raw.database.driver {
        None => None,
        Some(driver) => Some(
            crate::project::Driver::parse(driver.get_ref()).ok_or_else(|| {
                let known: Vec<&str> = crate::project::Driver::ALL
                    .iter()
                    .map(|d| d.name())
                    .collect();
                Error::rule_file(
                    &name,
                    &text,
                    driver.span(),
                    format!(
                        "unknown driver `{}`; expected one of {}",
                        driver.get_ref(),
                        known.join(", ")
                    ),
                )
            })?,
        ),
    };
    let max_input_size = match &raw.max_input_size {
        None => None,
        Some(size) => {
            let parsed = match size.get_ref() {
                RawSize::Bytes(bytes) => u64::try_from(*bytes)
                    .ok()
                    .filter(|bytes| *bytes > 0)
                    .ok_or_else(|| "the size must be at least 1 byte".to_owned()),
                RawSize::Text(text) => crate::cli::parse_size(text),
            };
            Some(parsed.map_err(|message| {
                Error::rule_file(
                    &name,
                    &text,
                    size.span(),
                    format!("`max-input-size`: {message}"),
                )
            })?)
        }
    };
    Ok(Config {
        path: Some(path.to_owned()),
        profile: raw.profile,
        rules: raw.rules.into_iter().map(resolve).collect(),
        no_builtin: raw.no_builtin,
        select: raw.select,
        extend_select: raw.extend_select,
        ignore: raw.ignore,
        fail_on,
        severity: severity(raw.severity)?,
        example: raw.example.map(|setting| match setting {
            ExampleSetting::Enabled(true) => ExampleChoice::Beside,
            ExampleSetting::Enabled(false) => ExampleChoice::Off,
            ExampleSetting::Path(path) => ExampleChoice::Path(resolve(path).display().to_string()),
        }),
        probe,
        per_file,
        suppress,
        secret_names,
        settings: raw.settings,
        roles,
        production_value: raw.environment.production_value,
        driver,
        max_connections,
        max_input_size,
        verify,
        text,
    })
}

impl Config {
    /// The directory the configuration's relative paths start from: the file's own.
    pub fn root(&self) -> Option<&Path> {
        self.path.as_deref().map(|path| match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            Some(_) | None => Path::new("."),
        })
    }
}

/// A glob over paths as given (`/` separated); `**` crosses directories, and a pattern
/// without a `/` matches the file name anywhere.
pub fn glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    let full = if pattern.contains('/') {
        pattern.to_owned()
    } else {
        format!("**/{pattern}")
    };
    globset::GlobBuilder::new(&full)
        .literal_separator(true)
        .build()
        .map(|glob| glob.compile_matcher())
        .map_err(|error| format!("invalid glob `{pattern}`: {error}"))
}

/// Does a glob match an input path as given?
pub fn matches(matcher: &globset::GlobMatcher, path: &str) -> bool {
    let normalized = path.replace('\\', "/");
    let normalized = normalized.strip_prefix("./").unwrap_or(&normalized);
    matcher.is_match(normalized) || matcher.is_match(format!("./{normalized}"))
}

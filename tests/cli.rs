//! The binary as users run it: help, exit codes, standard input, formats, bad input.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::files::Scratch;

fn deploycheck(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run deploycheck");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CLEAN: &str = "fixtures/debug-enabled/pass.env";
const BAD: &str = "fixtures/examples/.env.production";

#[test]
fn help_teaches() {
    let output = deploycheck(&["--help"], b"");
    assert!(output.status.success());
    let help = text(&output.stdout);
    for needle in [
        "lint",
        "show",
        "rules",
        "explain",
        "Examples:",
        "railway variables --json | deploycheck lint -",
        "Exit status",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    let lint_help = text(&deploycheck(&["lint", "--help"], b"").stdout);
    for needle in [
        "--format",
        "--profile",
        "--fail-on",
        "--rules",
        "--no-builtin",
        "standard input",
    ] {
        assert!(
            lint_help.contains(needle),
            "lint --help lacks {needle:?}:\n{lint_help}"
        );
    }
}

#[test]
fn exit_codes() {
    assert_eq!(deploycheck(&["lint", CLEAN], b"").status.code(), Some(0));
    assert_eq!(deploycheck(&["lint", BAD], b"").status.code(), Some(1));
    assert_eq!(
        deploycheck(&["lint", "--fail-on", "never", BAD], b"")
            .status
            .code(),
        Some(0)
    );
    // Only warnings: fails at warning (the default), passes at error.
    let warnings_only = "fixtures/cors-insecure-origin/fail.env";
    assert_eq!(
        deploycheck(&["lint", warnings_only], b"").status.code(),
        Some(1)
    );
    assert_eq!(
        deploycheck(&["lint", "--fail-on", "error", warnings_only], b"")
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        deploycheck(&["lint", "--format", "yaml", CLEAN], b"")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(deploycheck(&["lint"], b"").status.code(), Some(2));
    assert_eq!(deploycheck(&["frobnicate"], b"").status.code(), Some(2));
}

#[test]
fn stdin_is_dash() {
    let clean = std::fs::read(format!("{}/{CLEAN}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
    let output = deploycheck(&["lint", "-"], &clean);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let output = deploycheck(&["lint", "--format", "json", "-"], b"DEBUG=true\n");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["findings"][0]["file"], "-");
    assert_eq!(report["profile"], "production");
}

#[test]
fn bad_input_is_one_clear_error() {
    let dir = Scratch::new();
    let latin1 = dir.write("latin1.env", b"NAME=caf\xe9\n");
    let binary = dir.write("binary.env", b"A=1\n\x00\x01\x02");
    let cases: Vec<(String, &str)> = vec![
        ("missing/.env.production".to_owned(), "no such file"),
        (latin1.display().to_string(), "not valid UTF-8 at byte 8"),
        (binary.display().to_string(), "a NUL byte"),
    ];
    for (path, needle) in cases {
        let output = deploycheck(&["lint", &path], b"");
        assert_eq!(output.status.code(), Some(2), "{path}");
        let stderr = text(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert!(
            first.contains(&path) && first.contains(needle),
            "{path}: first line {first:?} should name the path and say {needle:?}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(output.stdout.is_empty(), "no report on a failed read");
    }
    let output = deploycheck(&["lint", "-"], b"A=\xff\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("-: not valid UTF-8"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_nul_byte_is_refused_without_claiming_python_dotenv_cannot_read_it() {
    // python-dotenv 1.2.4 and pydantic-settings read `A=x\0y` as "x\x00y": the file is refused
    // because no environment can hold that value, not because python-dotenv cannot read it.
    let output = deploycheck(&["lint", "-"], b"B=1\nA=x\x00y\n");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    assert!(first.contains("-:2:4: a NUL byte"), "{stderr}");
    assert!(stderr.contains("python-dotenv reads it"), "{stderr}");
    assert!(!stderr.contains("cannot read"), "{stderr}");
    assert!(output.stdout.is_empty(), "no report on a refused input");

    // The tool's own files are TOML: their parser points at the byte instead.
    let dir = Scratch::new();
    let rules = dir.write("rules.toml", b"[[rule]]\nid = \"x\x00y\"\n");
    let rules = rules.display().to_string();
    let output = deploycheck(&["lint", "--rules", &rules, "-"], b"A=1\n");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("{rules}:2:8")), "{stderr}");
    assert!(!stderr.contains("python-dotenv"), "{stderr}");
}

#[test]
fn unreadable_file() {
    // Root reads any file, so only an unprivileged run can see this error.
    let dir = Scratch::new();
    let path = dir.write(".env", "A=1\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        if std::fs::read(&path).is_err() {
            let output = deploycheck(&["lint", path.to_str().expect("path")], b"");
            assert_eq!(output.status.code(), Some(2));
            assert!(
                text(&output.stderr).contains("permission denied"),
                "{}",
                text(&output.stderr)
            );
        }
    }
}

#[test]
fn explain_and_rules() {
    let output = deploycheck(&["explain", "database-url-sslmode-param"], b"");
    assert!(output.status.success());
    let doc = text(&output.stdout);
    for needle in [
        "database-url-sslmode-param (error)",
        "Why is this bad?",
        "Example",
        "Use instead",
        "ssl=require",
    ] {
        assert!(doc.contains(needle), "explain lacks {needle:?}:\n{doc}");
    }
    let output = deploycheck(&["explain", "debug-enable"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("did you mean `debug-enabled`"),
        "{}",
        text(&output.stderr)
    );

    let listing = text(&deploycheck(&["rules"], b"").stdout);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("debug-enabled") && l.contains("error")),
        "{listing}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&deploycheck(&["rules", "--format", "json"], b"").stdout)
            .expect("json");
    assert!(
        json.as_array()
            .expect("array")
            .iter()
            .any(|r| r["id"] == "cors-wildcard-origin"
                && r["tags"].as_array().is_some_and(|t| !t.is_empty()))
    );
}

#[test]
fn color_follows_no_color_and_the_flag() {
    let output = deploycheck(&["lint", "--color", "always", BAD], b"");
    assert!(
        text(&output.stdout).contains("\x1b["),
        "--color always colours"
    );
    let output = deploycheck(&["lint", "--color", "never", BAD], b"");
    assert!(
        !text(&output.stdout).contains("\x1b["),
        "--color never does not"
    );
    // Not a terminal: auto means no colour.
    let output = deploycheck(&["lint", BAD], b"");
    assert!(!text(&output.stdout).contains("\x1b["));
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["explain", "nope", "--color", "auto"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(
        !text(&output.stderr).contains("\x1b["),
        "NO_COLOR is honoured on stderr"
    );
}

#[test]
fn show_is_dotenv_values() {
    let output = deploycheck(
        &["show", "-"],
        b"A=1\nB\nC=${A}-x\nexport D='lit ${A}'\nA=2\n",
    );
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        shown,
        serde_json::json!({"A": "2", "B": null, "C": "1-x", "D": "lit 1"})
    );
    let stdout = text(&output.stdout);
    let keys: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().split('"').nth(1))
        .collect();
    assert_eq!(
        keys,
        ["A", "B", "C", "D"],
        "python's dict order: first position, last value"
    );
    let output = deploycheck(&["show", "--no-interpolate", "-"], b"A=1\nC=${A}-x\n");
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(shown["C"], "${A}-x");
    let output = deploycheck(
        &["show", "--format", "dotenv", "-"],
        b"A=it's\nB\nC=plain\n",
    );
    assert_eq!(text(&output.stdout), "A=\"it's\"\nB\nC='plain'\n");
}

/// `show --format dotenv` printed the quoted key `'my key'` as `my key=...`, a value holding
/// `\r` between single quotes, where python-dotenv reads a line break, and (once keys were
/// quoted) quoted a key holding `'`: its output did not read back as the values shown (found
/// by the `dotenv` fuzz target).
#[test]
fn show_dotenv_output_reads_back_as_the_same_values() {
    let input = "\n\u{feff}BOM=1\n'my key'=1\n'a=b'\n'#c'=x\n'x\ny'=2\nCR=\"one\\rtwo\"\nexport=3\n\u{feff}b'=4\n";
    let shown = deploycheck(
        &["show", "--reveal", "--format", "json", "-"],
        input.as_bytes(),
    );
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    let output = deploycheck(
        &["show", "--reveal", "--format", "dotenv", "-"],
        input.as_bytes(),
    );
    let printed = text(&output.stdout);
    let read = deploycheck::source::dotenv::parse(&printed, &Default::default());
    assert_eq!(
        read.errors,
        [],
        "python-dotenv skips a statement of:\n{printed}"
    );
    let read: serde_json::Map<String, serde_json::Value> = read
        .entries
        .into_iter()
        .map(|entry| (entry.key, entry.value.into()))
        .collect();
    assert_eq!(serde_json::Value::Object(read), shown, "{printed}");
    assert_eq!(
        shown.as_object().map(|o| o.len()),
        Some(8),
        "every key of the input: {shown}"
    );
}

#[test]
fn several_files_are_linted_independently() {
    let output = deploycheck(&["lint", "--format", "json", CLEAN, BAD], b"");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let files: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["file"].as_str().expect("file"))
        .collect();
    assert_eq!(files.into_iter().collect::<Vec<_>>(), [BAD]);
}

#[test]
fn profile_from_file_name() {
    use deploycheck::inputs::profile_from_name;
    assert_eq!(profile_from_name(".env.production"), "production");
    assert_eq!(profile_from_name("config/.env.prod"), "production");
    assert_eq!(profile_from_name(".env.staging"), "staging");
    assert_eq!(profile_from_name(".env.development"), "development");
    assert_eq!(profile_from_name(".env.dev"), "development");
    assert_eq!(profile_from_name(".env.local"), "development");
    assert_eq!(profile_from_name(".env.test"), "test");
    assert_eq!(profile_from_name(".env"), "production");
    assert_eq!(profile_from_name("-"), "production");
    // The profile never comes from ENVIRONMENT inside the file.
    let output = deploycheck(
        &["lint", "--format", "json", "-"],
        b"ENVIRONMENT=development\n",
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["profile"], "production");
}

#[test]
fn clap_definition_is_consistent() {
    use clap::CommandFactory;
    deploycheck::cli::Cli::command().debug_assert();
}

#[test]
fn process_environment_overrides_files_and_shows_only_declared_variables() {
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", "--process-env", "--format", "json", CLEAN])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("debug", "true")
        .env("OTHER_TOOL_AUTH", "zz-EnvLeak-2468")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let finding = &report["findings"][0];
    assert_eq!(
        (
            finding["rule"].as_str(),
            finding["file"].as_str(),
            finding["key"].as_str()
        ),
        (Some("debug-enabled"), Some("<environment>"), Some("debug"))
    );
    let human = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", "--process-env", CLEAN])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DEBUG", "true")
        .env("OTHER_TOOL_AUTH", "zz-EnvLeak-2468")
        .output()
        .expect("run");
    assert!(
        !text(&human.stdout).contains("EnvLeak"),
        "{}",
        text(&human.stdout)
    );
}

#[test]
fn probe_flags_are_checked() {
    assert_eq!(
        deploycheck(&["probe", "--probe-timeout", "0s", CLEAN], b"")
            .status
            .code(),
        Some(2)
    );
    let output = deploycheck(&["lint", "--probe-insecure", CLEAN], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no effect without --probe"));
}

#[test]
fn unwritable_report_file() {
    let output = deploycheck(&["lint", "-o", "/nonexistent-dir/report.json", CLEAN], b"");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("/nonexistent-dir/report.json: cannot write"),
        "{stderr}"
    );
}

#[test]
fn json_reports_each_inputs_profile() {
    // `.env.production` is judged as production, `.env.staging` as staging: one profile for
    // the whole report would be wrong for one of them.
    let output = deploycheck(&["lint", "--isolated", "--format", "json", BAD, CLEAN], b"");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["version"], 1);
    assert_eq!(report["profile"], "production", "both production: {report}");
    let dir = Scratch::new();
    let staging = dir.write(".env.staging", "DEBUG=true\n");
    let staging = staging.to_str().expect("UTF-8 path");
    let output = deploycheck(
        &["lint", "--isolated", "--format", "json", BAD, staging],
        b"",
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["version"], 1);
    assert_eq!(report["profile"], serde_json::Value::Null, "{report}");
    // Inputs are reported in path order, wherever the scratch directory is.
    let mut expected = vec![
        serde_json::json!({"file": BAD, "profile": "production"}),
        serde_json::json!({"file": staging, "profile": "staging"}),
    ];
    deploycheck::source::discover::sort_by_path(&mut expected, |input| {
        input["file"].as_str().expect("a file name")
    });
    assert_eq!(report["inputs"], serde_json::Value::Array(expected));
    for format in ["sarif", "junit"] {
        let output = deploycheck(
            &["lint", "--isolated", "--format", format, BAD, staging],
            b"",
        );
        let text = text(&output.stdout);
        assert!(
            text.contains("\"staging\"") || text.contains("value=\"staging\""),
            "{format}: {text}"
        );
    }
}

/// `schema` prints what was understood of a Settings class, and its TOML form is a rules file
/// that deploycheck itself loads.
#[test]
fn schema_prints_the_settings_class_and_its_toml_is_a_rules_file() {
    let dir = Scratch::new();
    dir.write(
        "app/config.py",
        "from typing import Literal\nfrom pydantic import Field, SecretStr\n\
         from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\
         class Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix=\"shop_\")\n\n\
         \x20   environment: Literal[\"dev\", \"prod\"] = \"dev\"\n\
         \x20   workers: int = Field(4, ge=1)\n    api_token: SecretStr\n",
    );
    let run = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_deploycheck"))
            .args([
                "schema",
                "--isolated",
                "--settings",
                "app/config.py:Settings",
            ])
            .args(["--format", format])
            .current_dir(dir.path())
            .output()
            .expect("run")
    };
    let human = run("human");
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(
        human.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&human.stderr)
    );
    assert!(text.starts_with("app/config.py:5: Settings"), "{text}");
    assert!(
        text.contains("SHOP_ENVIRONMENT  Literal['dev', 'prod']"),
        "{text}"
    );
    assert!(
        text.contains("SHOP_WORKERS  int  default 4, ge=1"),
        "{text}"
    );
    assert!(
        text.contains("SHOP_API_TOKEN  str  required, secret"),
        "{text}"
    );
    let toml = run("toml");
    let rules = dir.write("schema.toml", &toml.stdout);
    let env = dir.write(".env", "SHOP_WORKERS=many\n");
    let lint = std::process::Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", "--isolated", "--no-builtin", "--rules"])
        .arg(&rules)
        .args(["--rules", "rules/input.toml", "--format", "json"])
        .arg(&env)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    let report = String::from_utf8_lossy(&lint.stdout);
    assert!(report.contains("invalid-integer"), "{report}");
    assert!(
        report.contains("SHOP_API_TOKEN"),
        "the required token is missing: {report}"
    );
}

/// An opt-in rule (`unused-key`) runs only when selected by its id: not by default, not by its
/// tag or `all`.
#[test]
fn opt_in_rules_run_only_when_selected_by_id() {
    let settings = "fixtures/unused-key/config.py:Settings";
    let input = "fixtures/unused-key/fail.env";
    for (extra, fires) in [
        (&[][..], false),
        (&["--select", "schema"][..], false),
        (&["--select", "all"][..], false),
        (&["--extend-select", "unused-key"][..], true),
        (&["--select", "unused-key"][..], true),
    ] {
        let mut args = vec!["--isolated", "--settings", settings];
        args.extend_from_slice(extra);
        args.push(input);
        let (_, report) = common::cli::lint_json(&args, "");
        let ids = common::cli::rule_ids(&report);
        assert_eq!(
            ids.iter().any(|id| id == "unused-key"),
            fires,
            "{extra:?}: {ids:?}"
        );
    }
}

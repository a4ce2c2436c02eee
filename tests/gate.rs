//! The CI gate: configuration discovery, rule selection, severity overrides, per-file
//! settings, suppressions and baselines, through the binary as a team runs it.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::files::Scratch;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run deploycheck")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON expected; stdout {} stderr {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_owned())
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A production file with exactly two problems: DEBUG on, and debug logging.
const TWO_PROBLEMS: &str = "ENVIRONMENT=production
DEBUG=true
DATABASE_URL=postgresql+asyncpg://app:Kx9vQ2mLp7RtZ4wN@postgres.railway.internal:5432/railway
REDIS_URL=redis://default:Vb7nM3kQ9xLp2RtW@redis.railway.internal:6379/0
SECRET_KEY=q7Hk2Lm9Vx4Rt8Zp3Wn6Yb1Jc5Fd0Gs-Ua_Ie7Ko2Pl
FRED_API_KEY=k3j9x7q2m5v8b1n4c6z0w2e5r7t9y1u3
CORS_ORIGINS=[\"https://app.example.com\"]
LOG_LEVEL=DEBUG
";

#[test]
fn deploycheck_toml_is_found_walking_up() {
    let dir = Scratch::new();
    dir.write("deploycheck.toml", "ignore = [\"log-level-debug\"]\n");
    dir.write("service/.env.production", TWO_PROBLEMS);
    let output = run_in(
        &dir.path().join("service"),
        &["lint", "--format", "json", ".env.production"],
    );
    assert_eq!(ids(&json(&output)), ["debug-enabled"]);
    // --isolated ignores it; --config names another.
    let output = run_in(
        &dir.path().join("service"),
        &["lint", "--isolated", "--format", "json", ".env.production"],
    );
    assert_eq!(ids(&json(&output)), ["debug-enabled", "log-level-debug"]);
    let other = dir.write("other.toml", "ignore = [\"debug-enabled\"]\n");
    let output = run_in(
        &dir.path().join("service"),
        &[
            "lint",
            "--config",
            other.to_str().expect("path"),
            "--format",
            "json",
            ".env.production",
        ],
    );
    assert_eq!(ids(&json(&output)), ["log-level-debug"]);
}

#[test]
fn pyproject_tool_table() {
    let dir = Scratch::new();
    dir.write("pyproject.toml", "[project]\nname = \"api\"\n\n[tool.ruff]\nline-length = 100\n\n[tool.deploycheck]\nselect = [\"logging\"]\nfail-on = \"error\"\n");
    dir.write(".env.production", TWO_PROBLEMS);
    let output = run_in(dir.path(), &["lint", "--format", "json", ".env.production"]);
    assert_eq!(ids(&json(&output)), ["log-level-debug"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "fail-on = error: a warning passes"
    );
    // The command line overrides the file.
    let output = run_in(
        dir.path(),
        &[
            "lint",
            "--select",
            "security",
            "--fail-on",
            "warning",
            "--format",
            "json",
            ".env.production",
        ],
    );
    assert_eq!(ids(&json(&output)), ["debug-enabled", "log-level-debug"]);
    assert_eq!(output.status.code(), Some(1));
    // A pyproject.toml without the table is passed over.
    let dir = Scratch::new();
    dir.write("pyproject.toml", "[project]\nname = \"api\"\n");
    dir.write(".env.production", TWO_PROBLEMS);
    assert_eq!(
        ids(&json(&run_in(
            dir.path(),
            &["lint", "--format", "json", ".env.production"]
        )))
        .len(),
        2
    );
}

#[test]
fn configuration_mistakes_point_at_their_line() {
    let dir = Scratch::new();
    dir.write(".env", TWO_PROBLEMS);
    dir.write(
        "deploycheck.toml",
        "profile = \"production\"\nfail_on = \"error\"\n",
    );
    let output = run_in(dir.path(), &["lint", ".env"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("deploycheck.toml:2:1: unknown field `fail_on`"),
        "{}",
        stderr(&output)
    );
    dir.write("deploycheck.toml", "select = [\"securty\"]\n");
    let output = run_in(dir.path(), &["lint", ".env"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("deploycheck.toml:1:11: unknown rule or tag `securty`")
            && text.contains("did you mean `security`"),
        "{text}"
    );
    let output = run_in(
        dir.path(),
        &["lint", "--isolated", "--ignore", "debug-enabeld", ".env"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("did you mean `debug-enabled`"),
        "{}",
        stderr(&output)
    );
    dir.write(
        "deploycheck.toml",
        "[[suppress]]\nrule = \"debug-enabled\"\n",
    );
    let output = run_in(dir.path(), &["lint", ".env"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("a suppression needs a `reason`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn severity_overrides_and_per_file_settings() {
    let dir = Scratch::new();
    dir.write("deploycheck.toml", "[severity]\nlog-level-debug = \"error\"\n\n[per-file.\".env.staging\"]\nprofile = \"production\"\nignore = [\"debug-enabled\"]\n");
    dir.write(".env.production", TWO_PROBLEMS);
    dir.write(".env.staging", TWO_PROBLEMS);
    let report = json(&run_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            ".env.production",
            ".env.staging",
        ],
    ));
    let findings = report["findings"].as_array().expect("findings");
    let production: Vec<_> = findings
        .iter()
        .filter(|f| f["file"] == ".env.production")
        .collect();
    let staging: Vec<_> = findings
        .iter()
        .filter(|f| f["file"] == ".env.staging")
        .collect();
    assert_eq!(production.len(), 2);
    assert!(
        production
            .iter()
            .any(|f| f["rule"] == "log-level-debug" && f["severity"] == "error")
    );
    // The staging file is judged as production (per-file profile) without debug-enabled.
    assert_eq!(
        staging
            .iter()
            .map(|f| f["rule"].as_str().expect("rule"))
            .collect::<Vec<_>>(),
        ["log-level-debug"]
    );
    // SARIF carries the overridden level as the rule's default.
    let sarif = json(&run_in(
        dir.path(),
        &["lint", "--format", "sarif", ".env.production"],
    ));
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "log-level-debug" && r["defaultConfiguration"]["level"] == "error"),
        "{rules:?}"
    );
}

#[test]
fn config_suppressions_for_inputs_without_comments() {
    let dir = Scratch::new();
    let railway = serde_json::json!({
        "ENVIRONMENT": "production", "DEBUG": "true", "RAILWAY_ENVIRONMENT_NAME": "production",
        "DATABASE_URL": "postgresql+asyncpg://app:Kx9vQ2mLp7RtZ4wN@postgres.railway.internal:5432/railway",
        "REDIS_URL": "redis://default:Vb7nM3kQ9xLp2RtW@redis.railway.internal:6379/0",
        "SECRET_KEY": "q7Hk2Lm9Vx4Rt8Zp3Wn6Yb1Jc5Fd0Gs-Ua_Ie7Ko2Pl", "FRED_API_KEY": "k3j9x7q2m5v8b1n4c6z0w2e5r7t9y1u3",
        "CORS_ORIGINS": "[\"https://app.example.com\"]"
    });
    dir.write("railway.json", railway.to_string());
    dir.write("deploycheck.toml", "[[suppress]]\nfile = \"railway.json\"\nkey = \"DEBUG\"\nrule = \"debug-enabled\"\nreason = \"the admin service serves only the VPN\"\n\n[[suppress]]\nrule = \"cors-wildcard-origin\"\nreason = \"was needed for the old widget\"\n");
    let output = run_in(dir.path(), &["lint", "--format", "json", "railway.json"]);
    let report = json(&output);
    assert_eq!(ids(&report), ["unused-suppression"], "{report}");
    let unused = &report["findings"][0];
    assert_eq!(
        (unused["file"].as_str(), unused["line"].as_u64()),
        (Some("deploycheck.toml"), Some(7))
    );
    assert!(
        unused["file"]
            .as_str()
            .expect("file")
            .ends_with("deploycheck.toml")
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "an info does not fail the gate"
    );
}

#[test]
fn inline_suppressions() {
    let dir = Scratch::new();
    let text = TWO_PROBLEMS
        .replace("DEBUG=true\n", "# deploycheck: ignore[debug-enabled] internal staging mirror\nDEBUG=true\n")
        .replace("LOG_LEVEL=DEBUG\n", "LOG_LEVEL=DEBUG  # deploycheck: ignore[log-level-debug]\n# deploycheck: ignore-file[undocumented-key] legacy file, documented in the wiki\n");
    dir.write(".env.production", &text);
    let report = json(&run_in(
        dir.path(),
        &["lint", "--format", "json", ".env.production"],
    ));
    // Both suppressed; the reasonless one warns; the file-wide one matched nothing.
    assert_eq!(
        ids(&report),
        ["suppression-without-reason", "unused-suppression"],
        "{report}"
    );
    // A rule file can make a rule unsuppressible.
    dir.write("rules.toml", "[[rules]]\nid = \"debug-enabled\"\nseverity = \"error\"\nsummary = \"debug on\"\nunsuppressible = true\ncheck = { kind = \"bool\", variable = \"DEBUG\", is = false }\n");
    let report = json(&run_in(
        dir.path(),
        &[
            "lint",
            "--rules",
            "rules.toml",
            "--format",
            "json",
            ".env.production",
        ],
    ));
    let found = ids(&report);
    assert!(found.contains(&"debug-enabled".to_owned()), "{found:?}");
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["message"]
                .as_str()
                .is_some_and(|m| m.contains("cannot be suppressed")))
    );
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = Scratch::new();
    dir.write(".env.production", TWO_PROBLEMS);
    let output = run_in(
        dir.path(),
        &[
            "lint",
            "--write-baseline",
            "baseline.json",
            ".env.production",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "writing a baseline adopts the current state"
    );
    let baseline =
        std::fs::read_to_string(dir.path().join("baseline.json")).expect("baseline written");
    for secret in [
        "Kx9vQ2mLp7RtZ4wN",
        "Vb7nM3kQ9xLp2RtW",
        "q7Hk2Lm9Vx4Rt8Zp3Wn6Yb1Jc5Fd0Gs-Ua_Ie7Ko2Pl",
        "true",
        // LOG_LEVEL's value `DEBUG`, which is also a key: no entry holds a value.
        "\"value\"",
    ] {
        assert!(
            !baseline.contains(secret),
            "the baseline holds no values ({secret}):\n{baseline}"
        );
    }
    let output = run_in(
        dir.path(),
        &[
            "lint",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            ".env.production",
        ],
    );
    assert_eq!(ids(&json(&output)), Vec::<String>::new());
    assert_eq!(output.status.code(), Some(0));
    // Something new fails; a known finding stays known when only its value changes (the
    // baseline holds nothing derived from values).
    dir.write(
        ".env.production",
        TWO_PROBLEMS.replace("DEBUG=true", "DEBUG=yes").replace(
            "CORS_ORIGINS=[\"https://app.example.com\"]",
            "CORS_ORIGINS=[\"*\"]",
        ),
    );
    let output = run_in(
        dir.path(),
        &[
            "lint",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            ".env.production",
        ],
    );
    assert_eq!(ids(&json(&output)), ["cors-wildcard-origin"]);
    assert_eq!(output.status.code(), Some(1));
    // A broken baseline is a clear error.
    dir.write("broken.json", "{\"version\": 1");
    let output = run_in(
        dir.path(),
        &["lint", "--baseline", "broken.json", ".env.production"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("broken.json:1:"),
        "{}",
        stderr(&output)
    );
}

/// A baseline stored SHA-256(salt || 0 || value) with the salt beside it: a seven-word list
/// recovered `SECRET_KEY=Summer2024!` from a committed baseline, and a whole database URL
/// with its password. A baseline now holds the rule, the file and the key only: two baselines
/// of configurations that differ only in their values are the same bytes.
#[test]
fn a_baseline_reveals_nothing_derived_from_a_value() {
    let dir = Scratch::new();
    let configuration = |secret_key: &str, password: &str, debug: &str| {
        format!(
            "ENVIRONMENT=production\nDEBUG={debug}\nSECRET_KEY={secret_key}\n\
             DATABASE_URL=postgresql+asyncpg://app:{password}@localhost:5432/railway\n"
        )
    };
    let mut baselines = Vec::new();
    for (secret_key, password, debug) in [
        ("Summer2024!", "Kx9vQ2mLp7RtZ4wN", "true"),
        ("Winter2025?", "hunter2", "yes"),
    ] {
        dir.write(
            ".env.production",
            configuration(secret_key, password, debug),
        );
        let output = run_in(
            dir.path(),
            &[
                "lint",
                "--write-baseline",
                "baseline.json",
                ".env.production",
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let baseline =
            std::fs::read_to_string(dir.path().join("baseline.json")).expect("baseline written");
        for value in [secret_key, password, debug] {
            assert!(!baseline.contains(value), "{value} in:\n{baseline}");
        }
        baselines.push(baseline);
    }
    assert_eq!(
        baselines[0], baselines[1],
        "nothing in a baseline changes when only values change"
    );
    let document: serde_json::Value = serde_json::from_str(&baselines[0]).expect("JSON");
    assert_eq!(document["version"], 2);
    let entries = document["findings"].as_array().expect("findings");
    let keys: Vec<&str> = entries.iter().filter_map(|e| e["key"].as_str()).collect();
    assert!(
        keys.contains(&"SECRET_KEY") && keys.contains(&"DATABASE_URL") && keys.contains(&"DEBUG"),
        "{baselines:?}"
    );
    for entry in entries {
        let fields: Vec<&String> = entry.as_object().expect("object").keys().collect();
        assert_eq!(fields, ["rule", "file", "key"], "{entry}");
    }
    // The second baseline suppresses the first configuration's findings: same rules and keys.
    dir.write(
        ".env.production",
        configuration("Summer2024!", "Kx9vQ2mLp7RtZ4wN", "true"),
    );
    let output = run_in(
        dir.path(),
        &[
            "lint",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            ".env.production",
        ],
    );
    assert_eq!(ids(&json(&output)), Vec::<String>::new());

    // A version 1 baseline (salted hashes of values) is refused with the way out, not read:
    // it is the file that reveals the values.
    dir.write(
        "old.json",
        "{\"version\": 1, \"salt\": \"00\", \"findings\": [{\"rule\": \"debug-enabled\", \
         \"file\": \".env.production\", \"key\": \"DEBUG\", \"value\": \"ab\"}]}\n",
    );
    let output = run_in(
        dir.path(),
        &["lint", "--baseline", "old.json", ".env.production"],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("old.json") && message.contains("version 1"),
        "{message}"
    );
    assert!(message.contains("--write-baseline"), "{message}");
}

#[test]
fn github_format_appends_the_step_summary() {
    let dir = Scratch::new();
    dir.write(".env.production", TWO_PROBLEMS);
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# Earlier step\n").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", "--format", "github", ".env.production"])
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("::error file=.env.production,line=2,col=7,")
            && stdout.contains("title=deploycheck (debug-enabled)::"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        written.starts_with("# Earlier step\n"),
        "appended, not overwritten"
    );
    assert!(
        written.contains("debug-enabled") && written.contains("log-level-debug"),
        "{written}"
    );
}

#[test]
fn output_file() {
    let dir = Scratch::new();
    dir.write(".env.production", TWO_PROBLEMS);
    let output = run_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "sarif",
            "-o",
            "out.sarif",
            ".env.production",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out.sarif")).expect("written"),
    )
    .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn profile_precedence() {
    let dir = Scratch::new();
    dir.write(
        "deploycheck.toml",
        "profile = \"staging\"\n\n[per-file.\"prod-*.json\"]\nprofile = \"production\"\n",
    );
    dir.write(".env.production", "DEBUG=true\n");
    dir.write(
        "railway.json",
        "{\"RAILWAY_ENVIRONMENT_NAME\": \"production\", \"DEBUG\": \"true\"}",
    );
    dir.write(
        "prod-dump.json",
        "{\"RAILWAY_ENVIRONMENT_NAME\": \"pr-42\", \"DEBUG\": \"true\"}",
    );
    let profile = |args: &[&str]| {
        json(&run_in(dir.path(), args))["profile"]
            .as_str()
            .expect("profile")
            .to_owned()
    };
    // The configuration's profile beats the file name...
    assert_eq!(
        profile(&["lint", "--format", "json", ".env.production"]),
        "staging"
    );
    // ...Railway's environment name beats the configuration...
    assert_eq!(
        profile(&["lint", "--format", "json", "railway.json"]),
        "production"
    );
    // ...a per-file entry beats Railway's name, and the command line beats everything.
    assert_eq!(
        profile(&["lint", "--format", "json", "prod-dump.json"]),
        "production"
    );
    assert_eq!(
        profile(&[
            "lint",
            "--profile",
            "test",
            "--format",
            "json",
            "prod-dump.json"
        ]),
        "test"
    );
}

//! Applications deploycheck has never seen (`fixtures/apps/`, each with its own Settings class
//! and dependency file, recorded with the real pydantic-settings): on the production
//! configuration each accepts, no error and no warning; on `broken.env`, every mistake is caught
//! at its line, with help the application accepts. Each application is copied into its own git
//! work tree, so that the Settings class is found the way a team's would be.

mod common;

use std::path::Path;
use std::process::Command;

use common::files::Scratch;

/// Copy `fixtures/apps/<name>` into a scratch git work tree.
fn project(name: &str) -> Scratch {
    let scratch = Scratch::new();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/apps")
        .join(name);
    copy(&from, scratch.path());
    std::fs::create_dir_all(scratch.path().join(".git")).expect("mark the work tree");
    scratch
}

fn copy(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read the fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// (line, rule, message, help) of each error or warning when linting `file` in `project`.
fn findings(project: &Scratch, file: &str) -> Vec<(u64, String, String, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", "--format", "json", file])
        .current_dir(project.path())
        .env_remove("NO_COLOR")
        .output()
        .expect("run deploycheck");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON report: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
                f["help"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The production configuration is clean, and `broken.env` raises exactly these (line, rule)
/// pairs.
fn check(name: &str, expected: &[(u64, &str)]) -> Vec<(u64, String, String, String)> {
    let project = project(name);
    let clean = findings(&project, "production.env");
    assert!(clean.is_empty(), "{name}/production.env: {clean:#?}");
    let broken = findings(&project, "broken.env");
    let got: Vec<(u64, &str)> = broken
        .iter()
        .map(|(line, rule, _, _)| (*line, rule.as_str()))
        .collect();
    assert_eq!(got, expected, "{name}/broken.env: {broken:#?}");
    broken
}

fn help_of<'a>(findings: &'a [(u64, String, String, String)], rule: &str) -> &'a str {
    findings
        .iter()
        .find(|(_, id, _, _)| id == rule)
        .map(|(_, _, _, help)| help.as_str())
        .unwrap_or_else(|| panic!("no {rule}"))
}

#[test]
fn fullstack_template_with_a_literal_environment_and_a_psycopg_uri_built_from_parts() {
    let broken = check(
        "fullstack",
        &[
            (7, "frontend-url-local-host"),
            (11, "environment-not-production"),
            (18, "cors-insecure-origin"),
            (18, "cors-localhost-origin"),
            (20, "secret-key-placeholder"),
            (20, "secret-key-weak"),
            (23, "secret-placeholder"),
            (27, "database-url-local-host"),
            (32, "secret-placeholder"),
        ],
    );
    // `Literal["local", "staging", "production"]`: the help names the member the app accepts.
    assert!(
        help_of(&broken, "environment-not-production").contains("`ENVIRONMENT=production`"),
        "{broken:#?}"
    );
}

#[test]
fn prefixed_settings_are_judged_by_the_name_after_the_prefix() {
    let broken = check(
        "prefixed",
        &[
            // The unprefixed FRONTEND_BASE_URL on line 12 is not read: the class's default
            // (`http://127.0.0.1:3000`) applies, and is judged.
            (1, "frontend-url-local-host"),
            (2, "environment-not-production"),
            (5, "log-level-debug"),
            (8, "secret-key-placeholder"),
            (8, "secret-key-weak"),
            (14, "cors-insecure-origin"),
            (14, "cors-localhost-origin"),
            // `polar`, the default the class states in its source.
            (19, "secret-placeholder"),
            (21, "database-url-local-host"),
        ],
    );
    assert!(
        help_of(&broken, "environment-not-production").contains("`POLAR_ENV=production`"),
        "{broken:#?}"
    );
}

#[test]
fn nested_models_take_their_parents_context() {
    let broken = check(
        "nested",
        &[
            (2, "environment-not-production"),
            (2, "invalid-choice"),
            (6, "database-url-local-host"),
            (10, "secret-placeholder"),
            (13, "unknown-key"),
            (17, "redis-url-without-tls"),
            (20, "cors-insecure-origin"),
            (20, "cors-localhost-origin"),
            (22, "secret-key-placeholder"),
            (22, "secret-key-weak"),
        ],
    );
    // `Literal["dev", "prod"]`: following the help must not crash the app with literal_error.
    let help = help_of(&broken, "environment-not-production");
    assert!(help.contains("`ENVIRONMENT=prod`"), "{help}");
    assert!(!help.contains("production`"), "{help}");
}

#[test]
fn a_development_switch_and_a_url_the_application_rewrites() {
    // `Literal["development"] | None`: unset in production, so `ENVIRONMENT=development` is the
    // switch turned on, not a production value gone wrong: no environment finding. The
    // before-validator rewrites the scheme: no driver finding, but asyncpg still rejects
    // `sslmode`.
    check(
        "devswitch",
        &[
            (5, "database-url-sslmode-param"),
            (7, "redis-url-without-tls"),
            (9, "secret-key-placeholder"),
            (9, "secret-key-weak"),
        ],
    );
}

/// Generic mode: without a Settings class or configuration, only the checks that need no
/// knowledge of the application run, on the variables that are present.
#[test]
fn without_a_settings_class_nothing_is_required_and_no_default_is_judged() {
    let scratch = Scratch::new();
    std::fs::create_dir_all(scratch.path().join(".git")).expect("work tree");
    scratch.write(
        ".env.production",
        "API_TOKEN_TTL=30\nDEBUG=false\nLOG_LEVEL=INFO\n",
    );
    assert!(findings(&scratch, ".env.production").is_empty());
    scratch.write(
        ".env.production",
        "APP_ENV=development\nBACKEND_CORS_ORIGINS=http://localhost:3000\nDB_HOST=127.0.0.1\n",
    );
    let got: Vec<(u64, String)> = findings(&scratch, ".env.production")
        .into_iter()
        .map(|(line, rule, _, _)| (line, rule))
        .collect();
    assert_eq!(
        got,
        [
            (1, "environment-not-production".to_owned()),
            (2, "cors-insecure-origin".to_owned()),
            (2, "cors-localhost-origin".to_owned()),
            (3, "database-url-local-host".to_owned()),
        ]
    );
}

/// The audited application of the README is a user like any other: `fixtures/examples/` holds
/// its Settings class, its dependencies, its configuration and its own rules, found from the
/// linted file's directory (the tests run from the repository root, which has no
/// configuration).
#[test]
fn the_audited_example_is_judged_through_its_own_configuration() {
    let (code, report) = common::cli::lint_json(&["fixtures/examples/.env.production"], "");
    assert_eq!(code, 1);
    let mut got: Vec<(u64, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    got.sort();
    let expected: Vec<(u64, String)> = [
        (2, "environment-not-production"),
        (3, "debug-enabled"),
        (4, "database-url-sslmode-param"),
        (4, "database-url-wrong-driver"),
        (5, "redis-url-without-tls"),
        (6, "secret-key-placeholder"),
        (6, "secret-key-weak"),
        // The application's own rule, from fixtures/examples/deploycheck-rules.toml.
        (7, "fred-api-key-malformed"),
        (7, "secret-placeholder"),
        (8, "cors-insecure-origin"),
        (8, "cors-localhost-origin"),
        (8, "cors-origin-malformed"),
        (8, "invalid-json"),
        (9, "log-level-debug"),
        (10, "pool-settings-without-pooling"),
        (11, "pool-settings-without-pooling"),
        (12, "fred-rate-limit-exceeded"),
    ]
    .into_iter()
    .map(|(line, rule)| (line, rule.to_owned()))
    .collect();
    assert_eq!(got, expected);
    // Its rules are its own: `fred` is a tag only under its configuration.
    let outcome = common::cli::run(&["lint", "--isolated", "--ignore", "fred", "-"], "");
    assert_eq!(outcome.code, 2, "{}", outcome.stdout);
    assert!(
        outcome.error.contains("unknown rule or tag `fred`"),
        "{}",
        outcome.error
    );
}

/// `--no-builtin` drops the audit packs, never the general checks: a broken file still fails.
#[test]
fn no_builtin_keeps_the_general_checks() {
    let text = "DEBUG=true\nDEBUG=false\nSECRET_KEY=\"unclosed\n";
    let (code, report) = common::cli::lint_json(&["--isolated", "--no-builtin", "-"], text);
    let ids = common::cli::rule_ids(&report);
    assert_eq!(code, 1, "{ids:?}");
    assert!(ids.contains(&"duplicate-key".to_owned()), "{ids:?}");
    assert!(ids.contains(&"unparseable-line".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"debug-enabled".to_owned()), "{ids:?}");
}

/// `[roles]` binds what no name pattern would, and stops inference of that role elsewhere;
/// `[environment]` and `[database]` state what the application treats as production and which
/// driver it installs.
#[test]
fn the_configuration_binds_roles_and_states_the_production_value_and_driver() {
    let scratch = Scratch::new();
    scratch.write(
        "deploycheck.toml",
        "[roles]\ndatabase-url = \"PRIMARY_DSN\"\nenvironment = [\"TIER\"]\n\n\
         [environment]\nproduction-value = \"live\"\n\n[database]\ndriver = \"psycopg\"\n",
    );
    scratch.write(
        ".env.production",
        "TIER=prod\nENVIRONMENT=development\n\
         PRIMARY_DSN=postgresql+asyncpg://app:Kx9vQ2mLp7RtZ4wN@localhost:5432/app\n\
         DATABASE_URL=postgresql+asyncpg://app:Kx9vQ2mLp7RtZ4wN@localhost:5432/app\n",
    );
    let found = findings(&scratch, ".env.production");
    let got: Vec<(u64, &str)> = found
        .iter()
        .map(|(line, rule, _, _)| (*line, rule.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, "environment-not-production"),
            (3, "database-url-wrong-driver"),
            (3, "database-url-local-host"),
        ],
        "{found:#?}"
    );
    assert!(help_of(&found, "environment-not-production").contains("`TIER=live`"));
    assert!(help_of(&found, "database-url-wrong-driver").contains("postgresql+psycopg://"));

    scratch.write("deploycheck.toml", "[roles]\ndatabase-uri = \"X\"\n");
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["lint", ".env.production"])
        .current_dir(scratch.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown role `database-uri`"), "{stderr}");
    assert!(stderr.contains("did you mean `database-url`"), "{stderr}");
}

/// Inputs under different configurations (as pre-commit passes a monorepo's files) are each
/// judged with their own, in one report.
#[test]
fn inputs_under_different_configurations_are_judged_each_with_its_own() {
    let scratch = Scratch::new();
    scratch.write(
        "api/deploycheck.toml",
        "[environment]\nproduction-value = \"prod\"\n",
    );
    scratch.write("api/.env.production", "ENVIRONMENT=production\n");
    scratch.write(
        "worker/.env.production",
        "ENVIRONMENT=production\nDEBUG=true\n",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args([
            "lint",
            "--format",
            "json",
            "api/.env.production",
            "worker/.env.production",
        ])
        .current_dir(scratch.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let got: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default(),
                f["rule"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("api/.env.production", "environment-not-production"),
            ("worker/.env.production", "debug-enabled"),
        ]
    );
}

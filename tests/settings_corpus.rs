//! deploycheck against the real pydantic-settings: for every case of `fixtures/settings/` (a
//! Settings class, its env files, and the outcome `scripts/settings_corpus.py` recorded by
//! running pydantic-settings 2.16.3), `deploycheck lint --settings` must agree both ways:
//!
//! - the application starts <=> no error-level finding of the `schema` tag;
//! - every recorded error on a key of the env files <=> a finding on that key.
//!
//! Cases where deploycheck does not agree yet are listed, each with its reason, in
//! `fixtures/settings/known-differences.toml`. The test fails when an unlisted case disagrees,
//! and when a listed case has come to agree (so the list, and README's count, stay true).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(serde::Deserialize)]
struct Case {
    settings: String,
    env_files: Vec<String>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/settings")
}

/// deploycheck's error-level schema findings on one case, as (rule, key).
fn findings(dir: &Path) -> Vec<(String, String)> {
    let case: Case =
        toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).expect("case.toml reads"))
            .expect("case.toml parses");
    let run_dir = match &case.working_dir {
        Some(sub) => dir.join(sub),
        None => dir.to_path_buf(),
    };
    let (file, class) = case.settings.split_once(':').expect("path:Class");
    let spec = format!("{}:{class}", dir.join(file).display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_deploycheck"));
    command
        .current_dir(&run_dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .envs(&case.environment)
        .args([
            "lint",
            "--isolated",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .args(["--select", "schema", "--settings", &spec, "--process-env"]);
    // pydantic-settings skips an env file that does not exist.
    for env_file in &case.env_files {
        if run_dir.join(env_file).is_file() {
            command.args(["--env-file", env_file]);
        }
    }
    let output = command.output().expect("deploycheck runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{}: {stderr}", dir.display());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["severity"] == "error")
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or("").to_owned(),
                finding["key"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Why deploycheck disagrees with the recorded outcome, or `None` when it agrees.
fn disagreement(dir: &Path) -> Option<String> {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json reads"),
    )
    .expect("expected.json parses");
    let found = findings(dir);
    let starts = expected["starts"].as_bool().expect("starts");
    if starts {
        return (!found.is_empty()).then(|| format!("the app starts, deploycheck says {found:?}"));
    }
    if found.is_empty() {
        return Some(format!(
            "the app fails ({}), deploycheck finds nothing",
            expected["exception"]
        ));
    }
    let errors = expected["errors"].as_array().expect("errors");
    for error in errors {
        let Some(key) = error["input_key"].as_str() else {
            continue;
        };
        if !found
            .iter()
            .any(|(_, found_key)| found_key.eq_ignore_ascii_case(key))
        {
            return Some(format!("no finding on `{key}` ({})", error["type"]));
        }
    }
    // A SettingsError stops at the first complex field: other findings cannot be checked.
    if expected["exception"] == "SettingsError" {
        return None;
    }
    for (rule, key) in &found {
        let justified = errors.iter().any(|error| {
            let input_key = error["input_key"].as_str().unwrap_or("");
            let field = error["loc"][0].as_str().unwrap_or("");
            key.eq_ignore_ascii_case(input_key)
                || (!field.is_empty() && key.to_lowercase().contains(&field.to_lowercase()))
        });
        if !justified {
            return Some(format!(
                "`{rule}` on `{key}` is not an error pydantic raised"
            ));
        }
    }
    None
}

#[derive(serde::Deserialize)]
struct KnownDifferences {
    /// Case directory name → the reason deploycheck disagrees.
    cases: BTreeMap<String, String>,
}

#[test]
fn deploycheck_agrees_with_pydantic_settings() {
    let known: KnownDifferences = toml::from_str(
        &std::fs::read_to_string(corpus().join("known-differences.toml"))
            .expect("known-differences.toml reads"),
    )
    .expect("known-differences.toml parses");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("fixtures/settings lists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.join("case.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    let mut problems = Vec::new();
    let mut agree = 0;
    for dir in &cases {
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        match (disagreement(dir), known.cases.get(&name)) {
            (None, None) => agree += 1,
            (None, Some(_)) => problems.push(format!(
                "{name} now agrees: remove it from known-differences.toml (and update README)"
            )),
            (Some(_), Some(_)) => {}
            (Some(why), None) => problems.push(format!("{name}: {why}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{agree}/{} cases agree; {}",
        cases.len(),
        problems.join("\n")
    );
    assert_eq!(
        agree + known.cases.len(),
        cases.len(),
        "known-differences.toml names a case that does not exist"
    );
}

/// The applications of `fixtures/apps/` (each with a production file and a broken one, recorded
/// the same way): deploycheck's schema findings agree with pydantic on all of them.
#[test]
fn deploycheck_agrees_with_pydantic_settings_on_the_applications() {
    let apps = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apps");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&apps)
        .expect("fixtures/apps lists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.join("case.toml").is_file())
        .flat_map(|app| [app.join("broken"), app])
        .filter(|path| path.join("case.toml").is_file())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 8, "{cases:?}");
    let problems: Vec<String> = cases
        .iter()
        .filter_map(|dir| disagreement(dir).map(|why| format!("{}: {why}", dir.display())))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

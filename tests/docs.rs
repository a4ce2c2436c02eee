//! No template placeholder reaches the user: `explain`, `rules --format json` and every
//! finding in the rule fixtures' snapshots read as prose (issue 8: `explain
//! missing-required-variable` printed ``set `{key}` ``).

mod common;

const PLACEHOLDERS: &[&str] = &["{key}", "{value}", "{detail}", "{suggestion}"];

fn assert_no_placeholder(what: &str, text: &str) {
    for placeholder in PLACEHOLDERS {
        assert!(
            !text.contains(placeholder),
            "{what} shows {placeholder}:\n{text}"
        );
    }
}

fn rule_ids() -> Vec<String> {
    let outcome = common::cli::run(&["rules", "--isolated", "--format", "json"], "");
    assert_eq!(outcome.code, 0, "{}", outcome.error);
    let rules: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON");
    rules
        .as_array()
        .expect("a list of rules")
        .iter()
        .map(|rule| rule["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn rules_and_explain_render_no_placeholder() {
    for format in ["json", "human"] {
        let outcome = common::cli::run(&["rules", "--isolated", "--format", format], "");
        assert_no_placeholder(&format!("rules --format {format}"), &outcome.stdout);
    }
    let ids = rule_ids();
    assert!(ids.len() >= 29, "{ids:?}");
    for id in &ids {
        let outcome = common::cli::run(&["explain", "--isolated", id], "");
        assert_eq!(outcome.code, 0, "{id}: {}", outcome.error);
        assert_no_placeholder(&format!("explain {id}"), &outcome.stdout);
    }
}

#[test]
fn explain_missing_required_variable_says_what_to_set() {
    let outcome = common::cli::run(&["explain", "--isolated", "missing-required-variable"], "");
    assert!(
        outcome.stdout.contains("set the variable"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn sarif_rule_metadata_renders_no_placeholder() {
    let outcome = common::cli::run(
        &[
            "lint",
            "--isolated",
            "--format",
            "sarif",
            "fixtures/missing-required-variable/fail.env",
        ],
        "",
    );
    assert!(outcome.stdout.contains("missing-required-variable"));
    assert_no_placeholder("the SARIF log", &outcome.stdout);
}

#[test]
fn no_snapshotted_finding_shows_a_placeholder() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/snapshots") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|ext| ext == "snap") {
            let text = std::fs::read_to_string(&path).expect("a snapshot");
            assert_no_placeholder(&path.display().to_string(), &text);
            checked += 1;
        }
    }
    assert!(checked >= 58, "only {checked} snapshots");
}

//! Layered inputs merged as the application merges them, `show --sources`, `.env.example`
//! drift, and `diff`.

mod common;

use common::cli;

const BASE: &str = "fixtures/layers/base.env";
const PRODUCTION: &str = "fixtures/layers/production.env";
const RAILWAY: &str = "fixtures/layers/railway.json";

fn layered<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--env-file",
        BASE,
        "--env-file",
        PRODUCTION,
        "--railway",
        RAILWAY,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn later_layers_win_and_findings_point_at_the_winning_layer() {
    let mut args = vec!["show", "--sources"];
    args.extend(layered(&[]));
    let shown = cli::run(&args, "");
    assert_eq!(shown.code, 0, "{}", shown.error);
    let map: serde_json::Value = serde_json::from_str(&shown.stdout).expect("json");
    assert_eq!(map["DEBUG"]["value"], "false");
    assert_eq!(map["DEBUG"]["source"], "fixtures/layers/production.env:3");
    assert_eq!(
        map["LOG_LEVEL"]["source"], "fixtures/layers/railway.json:4",
        "Railway's layer is on top"
    );
    assert_eq!(
        map["FEATURE_CHECKOUT"]["source"],
        "fixtures/layers/base.env:6"
    );
    assert_eq!(map["SECRET_KEY"]["value"], "****");
    insta::assert_snapshot!("show_sources", shown.stdout);

    let mut args = vec!["lint", "--format", "json"];
    args.extend(layered(&[]));
    let outcome = cli::run(&args, "");
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("json");
    // DEBUG=true in base.env is overridden: no debug-enabled. The wrong driver comes from Railway.
    let ids = cli::rule_ids(&report);
    assert!(!ids.contains(&"debug-enabled".to_owned()), "{ids:?}");
    let driver = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "database-url-wrong-driver")
        .expect("wrong driver");
    assert_eq!(
        (driver["file"].as_str(), driver["line"].as_u64()),
        (Some(RAILWAY), Some(2))
    );
    // The profile comes from RAILWAY_ENVIRONMENT_NAME.
    assert_eq!(report["profile"], "production");
    insta::assert_snapshot!("lint_layers", outcome.stdout);
}

#[test]
fn drift_against_the_example() {
    let (_, report) = cli::lint_json(&layered(&[]), "");
    let ids = cli::rule_ids(&report);
    for id in [
        "missing-example-key",
        "undocumented-key",
        "example-value-copied",
    ] {
        assert!(ids.contains(&id.to_owned()), "{id} in {ids:?}");
    }
    // Railway's own variables are not "undocumented".
    assert!(
        !report["findings"]
            .as_array()
            .expect("f")
            .iter()
            .any(|f| f["key"].as_str().is_some_and(|k| k.starts_with("RAILWAY_")))
    );
    // --no-example turns drift off; --example names another file.
    let (_, report) = cli::lint_json(&layered(&["--no-example"]), "");
    let ids = cli::rule_ids(&report);
    assert!(!ids.iter().any(|id| id.contains("example")), "{ids:?}");
}

#[test]
fn process_environment_is_the_top_layer() {
    // The test process's own environment: it holds PATH, which is not "undocumented".
    let (_, report) = cli::lint_json(&["--process-env", "fixtures/debug-enabled/fail.env"], "");
    assert!(cli::rule_ids(&report).contains(&"debug-enabled".to_owned()));
    assert!(
        !report["findings"]
            .as_array()
            .expect("f")
            .iter()
            .any(|f| f["key"] == "PATH")
    );
}

#[test]
fn positional_paths_and_layers_do_not_mix() {
    let outcome = cli::run(&["lint", "--env-file", BASE, PRODUCTION], "");
    assert_eq!(outcome.code, 2);
    assert!(outcome.error.contains("not both"), "{}", outcome.error);
}

#[test]
fn diff_compares_any_formats_and_never_prints_secrets() {
    let outcome = cli::run(
        &[
            "diff",
            "fixtures/railway/kv.txt",
            "fixtures/railway/json.json",
        ],
        "",
    );
    assert_eq!(
        outcome.code, 0,
        "kv and json of the same variables are equal: {}",
        outcome.stdout
    );
    let outcome = cli::run(&["diff", "--format", "json", PRODUCTION, RAILWAY], "");
    assert_eq!(outcome.code, 1);
    let diff: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("json");
    assert!(
        diff["only_in_a"]
            .as_array()
            .expect("a")
            .iter()
            .any(|k| k == "DEBUG")
    );
    assert!(
        diff["only_in_b"]
            .as_array()
            .expect("b")
            .iter()
            .any(|k| k == "SECRET_KEY")
    );
    let level = diff["different"]
        .as_array()
        .expect("d")
        .iter()
        .find(|d| d["key"] == "LOG_LEVEL")
        .expect("LOG_LEVEL differs");
    assert_eq!(
        (level["a"].as_str(), level["b"].as_str()),
        (Some("INFO"), Some("WARNING"))
    );
    let human = cli::run(
        &[
            "diff",
            "fixtures/secrets/leaky.env",
            "fixtures/layers/railway.json",
        ],
        "",
    );
    assert_eq!(human.code, 1);
    for secret in [
        "Zebra-Umbrella",
        "Pw-DbLeak-4411",
        "Kx9vQ2mLp7RtZ4wN",
        "changeme",
        "LEAKYFREDKEY",
    ] {
        assert!(
            !human.stdout.contains(secret),
            "diff leaks {secret}:\n{}",
            human.stdout
        );
    }
    insta::assert_snapshot!("diff_human", human.stdout);
}

//! `railway variables` output through the CLI: detection, round trips, bad input.

mod common;

use common::cli;

fn shown(path: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["show", "--format", "json", "--reveal"];
    args.extend_from_slice(extra);
    args.push(path);
    let outcome = cli::run(&args, "");
    assert_eq!(outcome.code, 0, "{path}: {}", outcome.error);
    serde_json::from_str(&outcome.stdout).expect("json")
}

fn sample() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/railway/json.json").expect("sample"))
        .expect("json")
}

#[test]
fn json_and_kv_round_trip_exactly() {
    assert_eq!(shown("fixtures/railway/json.json", &[]), sample());
    // kv is detected from Railway's injected ids; the flag says the same explicitly.
    assert_eq!(shown("fixtures/railway/kv.txt", &[]), sample());
    assert_eq!(
        shown("fixtures/railway/kv.txt", &["--input-format", "railway-kv"]),
        sample()
    );
    // Key order too: JSON output keeps the input's order.
    let stdout = cli::run(&["show", "--reveal", "fixtures/railway/kv.txt"], "").stdout;
    let expected = std::fs::read_to_string("fixtures/railway/json.json").expect("sample");
    assert_eq!(stdout, expected);
}

#[test]
fn table_round_trips_keys_and_single_line_values() {
    let expected = sample();
    for path in [
        "fixtures/railway/table.txt",
        "fixtures/railway/table.ansi.txt",
    ] {
        let got = shown(path, &[]);
        let keys = |v: &serde_json::Value| {
            v.as_object()
                .expect("object")
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&got), keys(&expected), "{path}");
        for (key, value) in expected.as_object().expect("object") {
            let value = value.as_str().expect("string");
            if !value.contains('\n') && !value.contains(' ') {
                assert_eq!(got[key], value, "{path}: {key}");
            }
        }
    }
}

#[test]
fn stdin_is_detected_too() {
    let text = std::fs::read_to_string("fixtures/railway/json.json").expect("sample");
    // Under the example application's configuration, which says its driver is asyncpg.
    let (_, report) = cli::lint_json(
        &["--config", "fixtures/examples/deploycheck.toml", "-"],
        &text,
    );
    // Railway's environment name decides the profile; the private network needs no TLS.
    assert_eq!(report["profile"], "production");
    let ids = cli::rule_ids(&report);
    assert!(
        !ids.contains(&"redis-url-without-tls".to_owned()),
        "{ids:?}"
    );
    assert!(ids.contains(&"database-url-wrong-driver".to_owned()));
}

#[test]
fn railway_environment_name_decides_the_profile_unless_given() {
    let text = r#"{"RAILWAY_ENVIRONMENT_NAME": "staging", "DEBUG": "true"}"#;
    let (_, report) = cli::lint_json(&["-"], text);
    assert_eq!(report["profile"], "staging");
    assert!(!cli::rule_ids(&report).contains(&"debug-enabled".to_owned()));
    let (_, report) = cli::lint_json(&["--profile", "production", "-"], text);
    assert!(cli::rule_ids(&report).contains(&"debug-enabled".to_owned()));
}

#[test]
fn bad_railway_input_is_a_clear_error() {
    let cases = [
        (
            "{\"DEBUG\": \"false\",\n \"SECRET_KEY\": \"abc",
            "-:2:",
            "invalid JSON",
        ),
        (
            "{\"PORT\": 8080}",
            "-:1:",
            "`PORT` is a number, expected a string",
        ),
        ("{\"A\": {\"nested\": \"x\"}}", "-:1:", "expected a string"),
        (
            "╔══ Variables for api ══╗\n║ DEBUG │ false\n╚═══════╝\n",
            "-:",
            "broken `railway variables` table",
        ),
    ];
    for (text, place, needle) in cases {
        let outcome = cli::run(&["lint", "-"], text);
        assert_eq!(outcome.code, 2, "{text:?}");
        let first = outcome
            .error
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        assert!(
            first.contains(place) && outcome.error.contains(needle),
            "{text:?}: {}",
            outcome.error
        );
        assert!(!outcome.error.contains("abc"), "no value in the error");
        // The `path:line:column` prefix is the only place the position is given.
        assert!(
            !outcome.error.contains("JSON at line")
                && !outcome.error.contains("table at line")
                && !outcome.error.contains("(line "),
            "{}",
            outcome.error
        );
        assert_eq!(
            outcome.error.matches("help:").count(),
            1,
            "{}",
            outcome.error
        );
    }
    let outcome = cli::run(
        &[
            "lint",
            "--input-format",
            "railway-json",
            "fixtures/debug-enabled/pass.env",
        ],
        "",
    );
    assert_eq!(outcome.code, 2);
}

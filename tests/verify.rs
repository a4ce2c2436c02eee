//! `deploycheck verify URL` against a real FastAPI application under uvicorn
//! (`tests/verify_app/app.py`, started by `common::uvicorn`), one variant per behaviour the
//! checks look for; TLS with certificates made in the test; a port that accepts and never
//! answers. Without uvicorn the tests print a notice and pass, except under `CI`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::files::Scratch;
use common::uvicorn::{self, Tls};

/// The production configuration the checks take their expectations from.
const PRODUCTION: &str = "ENVIRONMENT=production\nCORS_ORIGINS=[\"https://app.example.com\"]\n";

fn deploycheck(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["--color", "never", "verify"])
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run deploycheck")
}

/// A project directory with the production .env file and `deploycheck.toml` (`config`).
fn project(config: &str) -> Scratch {
    let project = Scratch::new();
    project.write(".env.production", PRODUCTION);
    project.write("deploycheck.toml", config);
    project
}

/// Run verify with the project's .env.production and JSON output: (exit code, rule ids).
fn verify_json(project: &Scratch, url: &str, extra: &[&str]) -> (i32, Vec<String>, String) {
    let mut args = vec![url, ".env.production", "--format", "json"];
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "5s"]);
    }
    args.extend_from_slice(extra);
    let output = deploycheck(project.path(), &args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "JSON expected; stdout {stdout} stderr {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let rules = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["rule"].as_str().expect("rule").to_owned())
        .collect();
    (output.status.code().unwrap_or(-1), rules, stdout)
}

#[test]
fn a_healthy_service_passes() {
    let Some(app) = uvicorn::start(&[], None) else {
        return;
    };
    let project = project("");
    let (code, rules, _) = verify_json(&project, &app.url, &[]);
    assert_eq!(rules, Vec::<String>::new());
    assert_eq!(code, 0);
    // The human report lists each health path's latency.
    let output = deploycheck(project.path(), &[&app.url, ".env.production"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("/health/readiness: p50 "), "{text}");
}

#[test]
fn a_readiness_probe_with_a_component_down_names_it() {
    let Some(app) = uvicorn::start(&[("VERIFY_READINESS", "down")], None) else {
        return;
    };
    let (code, rules, stdout) = verify_json(&project(""), &app.url, &[]);
    assert!(
        rules.contains(&"readiness-dependency-down".to_owned()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"health-check-failed".to_owned()),
        "{rules:?}"
    );
    assert!(stdout.contains("`database`"), "{stdout}");
    assert_eq!(code, 1);
}

#[test]
fn cors_that_reflects_any_origin_with_credentials_is_an_error() {
    let Some(app) = uvicorn::start(
        &[
            ("VERIFY_CORS_ORIGINS", "[\"*\"]"),
            ("VERIFY_CORS_CREDENTIALS", "1"),
        ],
        None,
    ) else {
        return;
    };
    let (_, rules, _) = verify_json(&project(""), &app.url, &[]);
    assert!(
        rules.contains(&"cors-reflects-origin".to_owned()),
        "{rules:?}"
    );
    assert!(
        !rules.contains(&"cors-rejects-own-origin".to_owned()),
        "{rules:?}"
    );
}

#[test]
fn cors_without_the_production_origin_and_with_a_foreign_one() {
    let Some(app) = uvicorn::start(
        &[("VERIFY_CORS_ORIGINS", "[\"https://other.example.com\"]")],
        None,
    ) else {
        return;
    };
    let (_, rules, stdout) = verify_json(&project(""), &app.url, &[]);
    assert!(
        rules.contains(&"cors-rejects-own-origin".to_owned()),
        "{rules:?}"
    );
    assert!(stdout.contains("https://app.example.com"), "{stdout}");
    assert!(
        !rules.contains(&"cors-allows-foreign-origin".to_owned()),
        "{rules:?}"
    );

    let Some(open) = uvicorn::start(&[("VERIFY_CORS_ORIGINS", "[\"*\"]")], None) else {
        return;
    };
    let (_, rules, _) = verify_json(&project(""), &open.url, &[]);
    assert!(
        rules.contains(&"cors-allows-foreign-origin".to_owned()),
        "{rules:?}"
    );
}

#[test]
fn api_docs_and_tracebacks_are_exposure() {
    let Some(app) = uvicorn::start(&[("VERIFY_DOCS", "1")], None) else {
        return;
    };
    let (_, rules, _) = verify_json(&project(""), &app.url, &[]);
    assert!(rules.contains(&"api-docs-exposed".to_owned()), "{rules:?}");

    let Some(app) = uvicorn::start(&[("VERIFY_TRACEBACK", "1")], None) else {
        return;
    };
    let (_, rules, stdout) = verify_json(&project(""), &app.url, &[]);
    assert!(rules.contains(&"traceback-exposed".to_owned()), "{rules:?}");
    // The traceback itself is not copied into the report.
    assert!(!stdout.contains("most recent call last"), "{stdout}");
}

#[test]
fn latency_over_the_budget() {
    let Some(app) = uvicorn::start(&[("VERIFY_SLOW_MS", "300")], None) else {
        return;
    };
    let project = project("[verify]\nlatency-budget = \"100ms\"\nrequests = 2\n");
    let (_, rules, _) = verify_json(&project, &app.url, &[]);
    assert!(
        rules.contains(&"latency-over-budget".to_owned()),
        "{rules:?}"
    );
}

#[test]
fn configured_paths_and_redirects_to_other_hosts() {
    let Some(app) = uvicorn::start(&[], None) else {
        return;
    };
    let project = project(
        "[verify]\n\
         [[verify.paths]]\npath = \"/version\"\njson = { version = \"9.9.9\" }\n\
         [[verify.paths]]\npath = \"/redirect-away\"\nstatus = 302\n",
    );
    let (_, rules, stdout) = verify_json(&project, &app.url, &[]);
    assert!(
        rules.contains(&"verify-unexpected-answer".to_owned()),
        "{rules:?}"
    );
    assert!(stdout.contains("9.9.9"), "{stdout}");
    assert!(
        rules.contains(&"redirect-to-other-host".to_owned()),
        "{rules:?}"
    );
}

#[test]
fn tls_certificates_trusted_expiring_and_expired() {
    let valid = Tls::valid();
    let Some(app) = uvicorn::start(&[], Some(&valid)) else {
        return;
    };
    let project = project("");
    let ca = project.write("ca.pem", &valid.ca_pem);
    let ca = ca.display().to_string();
    // HTTPS without Strict-Transport-Security: an info, which does not fail the gate.
    let (code, rules, _) = verify_json(&project, &app.url, &["--ca", &ca]);
    assert_eq!(rules, ["hsts-missing"]);
    assert_eq!(code, 0);
    let Some(with_hsts) = uvicorn::start(&[("VERIFY_HSTS", "1")], Some(&valid)) else {
        return;
    };
    let (_, rules, _) = verify_json(&project, &with_hsts.url, &["--ca", &ca]);
    assert_eq!(rules, Vec::<String>::new());
    // Without the CA the handshake fails: one finding, nothing else is tried.
    let (_, rules, _) = verify_json(&project, &app.url, &[]);
    assert_eq!(rules, ["verify-unreachable"]);

    let expiring = Tls::expiring_in(5);
    let Some(app) = uvicorn::start(&[], Some(&expiring)) else {
        return;
    };
    let ca = project.write("expiring-ca.pem", &expiring.ca_pem);
    let ca = ca.display().to_string();
    let (_, rules, _) = verify_json(&project, &app.url, &["--ca", &ca]);
    assert!(
        rules.contains(&"tls-certificate-expiring".to_owned()),
        "{rules:?}"
    );

    let expired = Tls::expiring_in(-2);
    let Some(app) = uvicorn::start(&[], Some(&expired)) else {
        return;
    };
    let ca = project.write("expired-ca.pem", &expired.ca_pem);
    let ca = ca.display().to_string();
    let (_, rules, stdout) = verify_json(&project, &app.url, &["--ca", &ca]);
    assert_eq!(rules, ["verify-unreachable"], "{stdout}");
    assert!(stdout.contains("expired"), "{stdout}");
}

/// A server that accepts and never answers, and a refused port: one `verify-unreachable`,
/// after the first timeout, also with `--wait`.
#[test]
fn an_unreachable_service_is_one_finding() {
    let (_listener, port) = uvicorn::silent_port();
    let project = project("");
    let url = format!("http://127.0.0.1:{port}");
    let (code, rules, _) = verify_json(&project, &url, &["--timeout", "500ms"]);
    assert_eq!(rules, ["verify-unreachable"]);
    assert_eq!(code, 1);

    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let url = format!("http://127.0.0.1:{refused}");
    let (code, rules, _) = verify_json(&project, &url, &["--wait", "2s", "--timeout", "500ms"]);
    assert_eq!(rules, ["verify-unreachable"]);
    assert_eq!(code, 1);
}

/// Credentials in the URL never appear in any output.
#[test]
fn url_credentials_are_never_shown() {
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let project = project("");
    let url = format!("http://admin:url-secret-123@127.0.0.1:{refused}/");
    for format in ["human", "json", "sarif", "github", "junit"] {
        let output = deploycheck(
            project.path(),
            &[&url, "--format", format, "--timeout", "500ms"],
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!text.contains("url-secret-123"), "{format}: {text}");
        assert!(text.contains("verify-unreachable"), "{format}: {text}");
    }
}

#[test]
fn a_url_that_is_not_http_is_a_usage_error() {
    let project = project("");
    let output = deploycheck(project.path(), &["ftp://example.com"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not an http:// or https:// URL"),
        "{output:?}"
    );
}

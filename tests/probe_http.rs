//! The `http` check kind of rule files under `--probe`, against HTTP stubs on loopback
//! (`common::http_stub`): an accepted key, a rejected one with the API's message, a stub that
//! echoes the key back (masked in all five formats), a silent one (bounded by the rule's
//! timeout), a refused port, an untrusted certificate, a redirect, and no request at all
//! without `--probe`. In every run, the key appears nowhere in stdout or stderr.

mod common;

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use common::files::Scratch;
use common::http_stub::{HttpStub, response, target};
use common::probe::{rules, the};
use common::process::{deploycheck, run_within};
use common::servers::{Certificates, SilentListener, free_port};
use serde_json::Value;

/// The key: distinctive, and holding what must be encoded in a query (`+ / space & =`).
const KEY: &str = "Zx9kq+Wv/Tr7 pL&m=q";
/// As a query component and as a path segment carry it.
const KEY_IN_QUERY: &str = "Zx9kq%2BWv%2FTr7%20pL%26m%3Dq";
const KEY_IN_PATH: &str = "Zx9kq+Wv%2FTr7%20pL&m=q";

const RULE: &str = "widget-key-rejected";

/// FRED's answer for a key it does not know (its documented error shape).
const FRED_400: &str = r#"{"error_code":400,"error_message":"Bad Request.  The value for variable api_key is not registered. Read https:\/\/fred.stlouisfed.org\/docs\/api\/api_key.html for more information."}"#;

/// A rule file and a `.env.production` setting `variable` to [`KEY`], in a directory of their
/// own.
struct Project {
    _dir: Scratch,
    rules: PathBuf,
    env: PathBuf,
}

impl Project {
    /// `check` is the rule's `check = { ... }` table, `extra` more lines of the rule.
    fn new(check: &str, extra: &str, env: &str) -> Self {
        let dir = Scratch::new();
        let rules = dir.write(
            "rules.toml",
            format!(
                "[[rules]]\nid = \"{RULE}\"\nseverity = \"error\"\ntags = [\"api\"]\n\
                 summary = \"The widget API rejects the key\"\n\
                 why = \"A revoked key fails every request.\"\n\
                 help = \"issue a new key\"\n{extra}check = {check}\n"
            ),
        );
        let env = dir.write(".env.production", env);
        Project {
            _dir: dir,
            rules,
            env,
        }
    }

    /// A rule sending `WIDGET_KEY` to `url`, expecting 200.
    fn sending_to(url: &str, extra: &str) -> Self {
        Self::new(
            &format!(
                "{{ kind = \"http\", variable = \"WIDGET_KEY\", url = \"{url}\", expect-status = 200 }}"
            ),
            extra,
            &format!("DEBUG=false\nWIDGET_KEY=\"{KEY}\"\n"),
        )
    }

    fn rules(&self) -> &str {
        self.rules.to_str().expect("UTF-8 path")
    }

    fn env(&self) -> &str {
        self.env.to_str().expect("UTF-8 path")
    }

    /// `deploycheck <command...> --isolated --rules RULES <args...> ENV`.
    fn run(&self, command: &[&str], args: &[&str]) -> Run {
        let mut all: Vec<&str> = command.to_vec();
        all.extend(["--isolated", "--rules", self.rules()]);
        all.extend(args);
        all.push(self.env());
        run(&all)
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    fn findings(&self) -> Vec<Value> {
        let document: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", self.stdout));
        document["findings"].as_array().cloned().unwrap_or_default()
    }

    fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The key, in any form it was sent or could come back in, is nowhere in the output.
    fn assert_no_key(&self, context: &str) {
        let both = self.both();
        for form in [KEY, KEY_IN_QUERY, KEY_IN_PATH, "Zx9kq", "pL&m=q", "pL%26m"] {
            assert!(
                !both.contains(form),
                "{context}: `{form}` is in the output:\n{both}"
            );
        }
    }
}

fn run(args: &[&str]) -> Run {
    let started = Instant::now();
    let mut command = deploycheck();
    command.args(args).current_dir(std::env::temp_dir());
    let finished = run_within(command, b"", 60);
    Run {
        code: finished.code,
        stdout: String::from_utf8_lossy(&finished.stdout).into_owned(),
        stderr: finished.stderr,
        elapsed: started.elapsed(),
    }
}

/// The message of the one finding of `rule`.
fn message<'a>(findings: &'a [Value], rule: &str) -> &'a str {
    the(findings, rule)["message"].as_str().unwrap_or_default()
}

#[test]
fn an_accepted_key_raises_nothing_and_is_sent_encoded_for_its_place() {
    let stub = HttpStub::start(|_| response("200 OK", "application/json", "{}"));
    let project = Project::sending_to(
        &format!(
            "http://127.0.0.1:{}/v1/{{value}}/check?key={{value}}&x=1",
            stub.port
        ),
        "",
    );
    let run = project.run(&["probe"], &["--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    assert!(run.findings().is_empty(), "{}", run.stdout);
    run.assert_no_key("accepted");
    let heads = stub.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert_eq!(
        target(&heads[0]),
        format!("/v1/{KEY_IN_PATH}/check?key={KEY_IN_QUERY}&x=1")
    );
    assert!(heads[0].starts_with("GET "), "{}", heads[0]);
    assert!(
        heads[0].contains(&format!("host: 127.0.0.1:{}\r\n", stub.port)),
        "{}",
        heads[0]
    );
}

#[test]
fn a_rejected_key_is_the_rules_finding_with_the_apis_message() {
    let stub = HttpStub::start(|_| response("400 Bad Request", "application/json", FRED_400));
    let project = Project::sending_to(
        &format!(
            "http://127.0.0.1:{}/fred/series?api_key={{value}}",
            stub.port
        ),
        "",
    );
    let run = project.run(&["lint", "--probe"], &["--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    run.assert_no_key("rejected");
    let findings = run.findings();
    let finding = the(&findings, RULE);
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["key"], "WIDGET_KEY");
    // It points at the value: line 2, after `WIDGET_KEY=`.
    assert_eq!(finding["line"], 2, "{finding:#}");
    assert_eq!(finding["column"], 12, "{finding:#}");
    let text = message(&findings, RULE);
    assert_eq!(
        text,
        format!(
            "`WIDGET_KEY` was not accepted: GET http://127.0.0.1:{}/fred/series?api_key=**** \
             answered 400 Bad Request, not 200 OK; the API says: Bad Request.  The value for \
             variable api_key is not registered. Read \
             https://fred.stlouisfed.org/docs/api/api_key.html for more information.",
            stub.port
        )
    );
    assert_eq!(finding["help"], "issue a new key");
    assert_eq!(stub.connections(), 1);
}

/// The example application's own rule, as written but for the host (a stub standing in for
/// FRED): FRED's message for an unregistered key is shown.
#[test]
fn the_example_applications_fred_rule_shows_freds_message() {
    let stub = HttpStub::start(|_| response("400 Bad Request", "application/json", FRED_400));
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/examples/deploycheck-rules.toml"
    ))
    .expect("the example's rules");
    let fred =
        "https://api.stlouisfed.org/fred/series?series_id=GNPCA&api_key={value}&file_type=json";
    assert!(
        example.contains(fred),
        "the example's FRED rule asks {fred}"
    );
    let dir = Scratch::new();
    let rule_file = dir.write(
        "rules.toml",
        example.replace(
            "https://api.stlouisfed.org/",
            &format!("http://127.0.0.1:{}/", stub.port),
        ),
    );
    let env = dir.write(".env.production", format!("FRED_API_KEY=\"{KEY}\"\n"));
    let run = run(&[
        "probe",
        "--isolated",
        "--rules",
        rule_file.to_str().expect("UTF-8"),
        "--format",
        "json",
        env.to_str().expect("UTF-8"),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    run.assert_no_key("example");
    let findings = run.findings();
    assert_eq!(
        rules(&findings),
        ["fred-api-key-rejected"],
        "{}",
        run.stdout
    );
    let text = message(&findings, "fred-api-key-rejected");
    assert!(
        text.contains("answered 400 Bad Request, not 200 OK; the API says: Bad Request.  The value for variable api_key is not registered."),
        "{text}"
    );
    assert!(
        text.contains("/fred/series?series_id=GNPCA&api_key=****&file_type=json"),
        "{text}"
    );
    let heads = stub.heads();
    assert_eq!(
        target(&heads[0]),
        format!("/fred/series?series_id=GNPCA&api_key={KEY_IN_QUERY}&file_type=json")
    );

    // `explain` documents it like a built-in rule.
    let explained = run_explain("fred-api-key-rejected");
    assert_eq!(explained.code, Some(0), "{}", explained.both());
    for part in [
        "fred-api-key-rejected (error)",
        "FRED rejects `FRED_API_KEY`",
        "Why is this bad?",
        "How to fix",
    ] {
        assert!(explained.stdout.contains(part), "{}", explained.stdout);
    }
}

fn run_explain(id: &str) -> Run {
    run(&[
        "explain",
        "--config",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/examples/deploycheck.toml"
        ),
        id,
    ])
}

/// An API that quotes the key back (raw and as it arrived) in its error: every format shows
/// the finding with the key masked, for a variable whose name says nothing of a secret.
#[test]
fn an_echoed_key_is_masked_in_every_format() {
    let stub = HttpStub::start(|head| {
        let target = target(head).to_string();
        let body = serde_json::json!({
            "message": format!("unknown key {KEY} (you asked {target})"),
        });
        response("401 Unauthorized", "application/json", &body.to_string())
    });
    let project = Project::new(
        &format!(
            "{{ kind = \"http\", variable = \"WIDGET_CODE\", url = \"http://127.0.0.1:{}/check/{{value}}?code={{value}}\", expect-status = 204 }}",
            stub.port
        ),
        "",
        &format!("WIDGET_CODE=\"{KEY}\"\n"),
    );
    for format in ["human", "json", "sarif", "github", "junit"] {
        let run = project.run(&["lint", "--probe"], &["--format", format]);
        assert_eq!(run.code, Some(1), "{format}: {}", run.both());
        run.assert_no_key(format);
        assert!(run.stdout.contains(RULE), "{format}: {}", run.stdout);
        assert!(
            run.stdout.contains("unknown key ****"),
            "{format}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("401 Unauthorized, not 204 No Content"),
            "{format}: {}",
            run.stdout
        );
    }
    // The human report's source line shows the value masked.
    let run = project.run(&["lint", "--probe"], &["--format", "human"]);
    assert!(run.stdout.contains("WIDGET_CODE=****"), "{}", run.stdout);
    assert_eq!(stub.connections(), 6);
}

#[test]
fn a_silent_api_is_bounded_by_the_rules_timeout() {
    let silent = SilentListener::start();
    let project = Project::sending_to(
        &format!("http://127.0.0.1:{}/check?key={{value}}", silent.port),
        "",
    );
    // The rule's own timeout wins over --probe-timeout.
    let with_timeout = std::fs::read_to_string(&project.rules)
        .expect("rules")
        .replace(
            "expect-status = 200 }",
            "expect-status = 200, timeout = \"500ms\" }",
        );
    std::fs::write(&project.rules, with_timeout).expect("write rules");
    let run = project.run(&["probe"], &["--probe-timeout", "60s", "--format", "json"]);
    assert!(
        run.elapsed < Duration::from_secs(4),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(run.code, Some(1), "{}", run.both());
    run.assert_no_key("silent");
    let findings = run.findings();
    assert_eq!(rules(&findings), ["probe-http-unreachable"]);
    let text = message(&findings, "probe-http-unreachable");
    assert_eq!(
        text,
        format!(
            "`WIDGET_KEY` could not be checked by the rule `{RULE}`: GET \
             http://127.0.0.1:{}/check?key=**** failed: no complete answer within 0.5 s",
            silent.port
        )
    );
    assert_eq!(
        the(&findings, "probe-http-unreachable")["severity"],
        "error"
    );
    assert_eq!(silent.connections(), 1);
}

#[test]
fn a_refused_port_is_unreachable_and_says_so() {
    let port = free_port();
    let project = Project::sending_to(&format!("http://127.0.0.1:{port}/{{value}}"), "");
    for format in ["human", "json", "sarif", "github", "junit"] {
        let run = project.run(&["probe"], &["--format", format]);
        assert_eq!(run.code, Some(1), "{format}: {}", run.both());
        run.assert_no_key(format);
        assert!(
            run.stdout.contains("probe-http-unreachable"),
            "{format}: {}",
            run.stdout
        );
    }
    let run = project.run(&["probe"], &["--format", "json"]);
    let text = message(&run.findings(), "probe-http-unreachable").to_owned();
    assert!(
        text.ends_with(&format!(
            "GET http://127.0.0.1:{port}/**** failed: connection refused (nothing listens on \
             that port)"
        )),
        "{text}"
    );
}

#[test]
fn an_untrusted_certificate_fails_tls_and_a_trusted_one_is_asked() {
    let dir = Scratch::new();
    let certificates = Certificates::generate(dir.path(), "api");
    let stub = HttpStub::start_tls(&certificates, |_| {
        response("200 OK", "application/json", "{}")
    });
    let project = Project::sending_to(
        &format!("https://localhost:{}/check?key={{value}}", stub.port),
        "",
    );
    let ca = certificates.ca.to_str().expect("UTF-8").to_owned();

    // The test CA is not among the built-in roots: the handshake fails, and says what to do.
    let run = project.run(&["probe"], &["--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    run.assert_no_key("untrusted");
    let findings = run.findings();
    assert_eq!(rules(&findings), ["probe-http-unreachable"]);
    let text = message(&findings, "probe-http-unreachable");
    assert!(text.contains("TLS handshake failed"), "{text}");
    assert!(text.contains("unknown issuer"), "{text}");
    assert!(text.contains("--probe-ca"), "{text}");
    assert!(stub.heads().is_empty(), "{:?}", stub.heads());

    // Trusted through --probe-ca, the key is sent and accepted.
    let run = project.run(&["probe"], &["--probe-ca", &ca, "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    run.assert_no_key("trusted");
    assert_eq!(stub.heads().len(), 1);
    assert_eq!(
        target(&stub.heads()[0]),
        format!("/check?key={KEY_IN_QUERY}")
    );

    // --probe-insecure asks without checking the certificate, and says so.
    let run = project.run(&["probe"], &["--probe-insecure", "--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    run.assert_no_key("insecure");
    let findings = run.findings();
    assert_eq!(rules(&findings), ["probe-insecure-tls"]);
    assert_eq!(stub.heads().len(), 2);
}

#[test]
fn a_redirect_is_judged_as_a_status_and_not_followed() {
    let elsewhere = HttpStub::start(|_| response("200 OK", "application/json", "{}"));
    let location = format!("http://127.0.0.1:{}/welcome", elsewhere.port);
    let stub = HttpStub::start(move |_| {
        format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .into_bytes()
    });
    let project = Project::sending_to(
        &format!("http://127.0.0.1:{}/check?key={{value}}", stub.port),
        "",
    );
    let run = project.run(&["probe"], &["--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    run.assert_no_key("redirect");
    let text = message(&run.findings(), RULE).to_owned();
    assert!(
        text.contains("answered 302 Found (a redirect, which is not followed), not 200 OK"),
        "{text}"
    );
    thread::sleep(Duration::from_millis(100));
    assert_eq!(elsewhere.connections(), 0);
}

#[test]
fn nothing_is_asked_without_probe_or_for_a_rule_turned_off() {
    let stub = HttpStub::start(|_| response("400 Bad Request", "application/json", FRED_400));
    let project = Project::sending_to(
        &format!("http://127.0.0.1:{}/check?key={{value}}", stub.port),
        "",
    );
    let run = project.run(&["lint"], &["--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.both());
    run.assert_no_key("lint");
    assert!(!rules(&run.findings()).contains(&RULE));
    // Ignored, or its `when` not holding: not asked either (and so nothing is probed, which
    // `probe-skipped` says).
    let run = project.run(
        &["lint", "--probe"],
        &["--ignore", RULE, "--format", "json"],
    );
    assert_eq!(rules(&run.findings()), ["probe-skipped"], "{}", run.both());
    let gated = Project::sending_to(
        &format!("http://127.0.0.1:{}/check?key={{value}}", stub.port),
        "when = { profile = \"staging\" }\n",
    );
    let run = gated.run(&["lint", "--probe"], &["--format", "json"]);
    assert_eq!(rules(&run.findings()), ["probe-skipped"], "{}", run.both());
    thread::sleep(Duration::from_millis(200));
    assert_eq!(stub.connections(), 0);
}

#[test]
fn an_unset_empty_or_unresolved_key_is_not_sent() {
    let stub = HttpStub::start(|_| response("400 Bad Request", "application/json", FRED_400));
    let url = format!("http://127.0.0.1:{}/check?key={{value}}", stub.port);
    let check = format!(
        "{{ kind = \"http\", variable = \"WIDGET_KEY\", url = \"{url}\", expect-status = 200 }}"
    );
    for env in ["DEBUG=false\n", "WIDGET_KEY=\n"] {
        let project = Project::new(&check, "", env);
        let run = project.run(&["lint", "--probe"], &["--format", "json"]);
        let findings = run.findings();
        let ids = rules(&findings);
        assert!(!ids.contains(&RULE), "{env:?}: {}", run.stdout);
        assert!(
            !ids.contains(&"probe-http-unreachable"),
            "{env:?}: {}",
            run.stdout
        );
    }
    // A Railway reference is resolved by Railway: sending it as written would read as a
    // rejected key.
    let project = Project::new(&check, "", "WIDGET_KEY=${{shared.WIDGET_KEY}}\n");
    let run = project.run(&["probe"], &["--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.both());
    let text = message(&run.findings(), "probe-skipped").to_owned();
    assert!(
        text.starts_with(&format!(
            "`WIDGET_KEY` was not checked by the rule `{RULE}`"
        )),
        "{text}"
    );
    thread::sleep(Duration::from_millis(100));
    assert_eq!(stub.connections(), 0);
}

//! Deployment files (Dockerfile, railway.toml/json, Procfile) judged with the environment they
//! run in: the project as a whole (`deploycheck lint .` in the example application), SARIF
//! locations in those files, and how they are chosen and refused.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::files::Scratch;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deploycheck"))
        .args(["--color", "never"])
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("CI")
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

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples")
}

/// (rule, file, line) of every finding.
fn located(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().expect("rule").to_owned(),
                finding["file"].as_str().expect("file").to_owned(),
                finding["line"].as_u64().expect("line"),
            )
        })
        .collect()
}

/// The audited application as a project: its Dockerfile, railway.toml, Settings class and
/// .env.production in one report, each finding at its own file and line.
#[test]
fn the_project_as_a_whole_is_one_report() {
    let output = run_in(&examples(), &["lint", "--format", "json", "."]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report = json(&output);
    let files: Vec<&str> = report["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|input| input["file"].as_str().expect("file"))
        .collect();
    assert_eq!(files, [".env.production", "Dockerfile", "railway.toml"]);
    let found = located(&report);
    for expected in [
        // HIGH-1 of the audit: `httpx` used, never imported.
        ("dockerfile-healthcheck-python-import", "Dockerfile", 15),
        // The image's own CMD binds uvicorn's default host (Railway overrides it, the image
        // runs elsewhere too).
        ("start-command-binds-localhost", "Dockerfile", 16),
        // Two replicas each run the migrations.
        ("start-command-migrations", "railway.toml", 9),
        // 500 per minute per replica, two replicas, against FRED's 120 (the example's own rule,
        // through the `shared-quota` check kind).
        ("fred-rate-limit-shared", ".env.production", 12),
        // The .env file's own findings are still there.
        ("debug-enabled", ".env.production", 3),
    ] {
        let expected = (expected.0.to_owned(), expected.1.to_owned(), expected.2);
        assert!(found.contains(&expected), "{expected:?} not in {found:#?}");
    }
    // The migrations finding says how many processes race.
    let migrations = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "start-command-migrations")
        .expect("the migrations finding");
    assert_eq!(migrations["severity"], "warning");
    // The overridden CMD says so.
    let binds = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "start-command-binds-localhost")
        .expect("the localhost finding");
    assert!(
        binds["message"]
            .as_str()
            .is_some_and(|message| message.contains("startCommand replaces this CMD")),
        "{binds}"
    );

    let human = run_in(&examples(), &["lint", "."]);
    insta::assert_snapshot!("project_as_a_whole", String::from_utf8_lossy(&human.stdout));
}

/// SARIF results point into the deployment files, at the line that wrote the problem.
#[test]
fn sarif_points_at_the_deployment_files() {
    let output = run_in(&examples(), &["lint", "--format", "sarif", "."]);
    let sarif = json(&output);
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let at = |rule: &str| -> (String, u64) {
        let result = results
            .iter()
            .find(|result| result["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} result"));
        let location = &result["locations"][0]["physicalLocation"];
        (
            location["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
                .to_owned(),
            location["region"]["startLine"].as_u64().expect("line"),
        )
    };
    assert_eq!(
        at("dockerfile-healthcheck-python-import"),
        ("Dockerfile".to_owned(), 15)
    );
    assert_eq!(
        at("start-command-migrations"),
        ("railway.toml".to_owned(), 9)
    );
}

/// A Dockerfile alone is judged with the Settings class's defaults; a directory holding only
/// deployment files is linted, not refused.
#[test]
fn deployment_files_alone_are_linted() {
    let project = Scratch::new();
    project.write(
        "Dockerfile",
        "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app:app\", \"--port\", \"$PORT\"]\n",
    );
    let output = run_in(project.path(), &["lint", "--format", "json", "."]);
    let report = json(&output);
    let rules: Vec<String> = located(&report)
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect();
    assert!(
        rules.contains(&"dockerfile-exec-form-variable".to_owned()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"start-command-binds-localhost".to_owned()),
        "{rules:?}"
    );
    assert_eq!(output.status.code(), Some(1));
}

/// `railway variables --json` saved as `railway.json` is a configuration, not config as code.
#[test]
fn a_railway_json_of_variables_is_a_configuration() {
    let project = Scratch::new();
    project.write(
        "railway.json",
        r#"{"DEBUG": "True", "RAILWAY_ENVIRONMENT_NAME": "production"}"#,
    );
    let output = run_in(
        project.path(),
        &["lint", "--format", "json", "railway.json"],
    );
    let report = json(&output);
    let rules: Vec<String> = located(&report)
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect();
    assert!(rules.contains(&"debug-enabled".to_owned()), "{rules:?}");
}

/// `show` and `diff` read configurations: a deployment file format is a usage error there.
#[test]
fn show_and_diff_refuse_deployment_formats() {
    let output = run_in(
        &examples(),
        &["show", "--input-format", "dockerfile", "Dockerfile"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not deployment files"),
        "{output:?}"
    );
}

/// A secret a Dockerfile gives an `ENV` (or a URL password in it) never shows in a report.
#[test]
fn dockerfile_secrets_are_masked() {
    let project = Scratch::new();
    project.write(
        "Dockerfile",
        "FROM python:3.12-slim\n\
         ENV SECRET_KEY=dockerfile-secret-value-123 \\\n    \
         DATABASE_URL=postgresql://app:url-password-456@db.example.com/app\n\
         CMD uvicorn app:app --port 8000 --reload\n",
    );
    for format in ["human", "json", "sarif", "github", "junit"] {
        let output = run_in(project.path(), &["lint", "--format", format, "Dockerfile"]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.is_empty(), "{format}: no output");
        for secret in ["dockerfile-secret-value-123", "url-password-456"] {
            assert!(!text.contains(secret), "{format} shows {secret}:\n{text}");
        }
    }
}

/// Railway's `registryCredentials` password never shows, not even beside a finding on the
/// next line.
#[test]
fn railway_registry_credentials_are_masked() {
    let project = Scratch::new();
    project.write(
        "railway.toml",
        "[deploy]\nregistryCredentials = { username = \"ci\", password = \"registry-pass-789\" }\nrestartPolicyType = \"NEVER\"\n",
    );
    for format in ["human", "json", "sarif"] {
        let output = run_in(
            project.path(),
            &["lint", "--format", format, "railway.toml"],
        );
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("restart-policy-never"), "{format}: {text}");
        assert!(
            !text.contains("registry-pass-789"),
            "{format} shows the password:\n{text}"
        );
    }
}

/// The Dockerfile's healthcheck and Railway's `healthcheckPath` must check the same endpoint.
#[test]
fn healthcheck_paths_that_differ_are_reported_at_the_dockerfile() {
    let project = Scratch::new();
    project.write(
        "Dockerfile",
        "FROM python:3.12\n\
         HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\n\
         CMD [\"sh\", \"-c\", \"uvicorn app:app --host 0.0.0.0 --port ${PORT:-8000}\"]\n",
    );
    project.write("railway.toml", "[deploy]\nhealthcheckPath = \"/healthz\"\n");
    let output = run_in(project.path(), &["lint", "--format", "json", "."]);
    let report = json(&output);
    let found = located(&report);
    assert!(
        found.contains(&(
            "healthcheck-path-mismatch".to_owned(),
            "Dockerfile".to_owned(),
            2
        )),
        "{found:?}"
    );
    // The same path in both: no finding.
    project.write("railway.toml", "[deploy]\nhealthcheckPath = \"/health/\"\n");
    let output = run_in(project.path(), &["lint", "--format", "json", "."]);
    let rules: Vec<String> = located(&json(&output))
        .into_iter()
        .map(|(rule, ..)| rule)
        .collect();
    assert!(
        !rules.contains(&"healthcheck-path-mismatch".to_owned()),
        "{rules:?}"
    );
}

/// Workers and replicas from the files multiply the pools: `connections-exceed-server-limit`
/// with `--workers` in the start command and multi-region replicas.
#[test]
fn workers_and_regions_multiply_the_pools() {
    let project = Scratch::new();
    project.write("deploycheck.toml", "[database]\nmax-connections = 100\n");
    project.write(
        "railway.toml",
        "[deploy]\n\
         startCommand = \"gunicorn app:app -k uvicorn.workers.UvicornWorker --workers 4\"\n\
         healthcheckPath = \"/health\"\n\
         multiRegionConfig = { us-west2 = { numReplicas = 2 }, europe-west4 = { numReplicas = 1 } }\n",
    );
    project.write(".env.production", "DB_POOL_SIZE=5\nDB_MAX_OVERFLOW=5\n");
    let output = run_in(project.path(), &["lint", "--format", "json", "."]);
    let report = json(&output);
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "connections-exceed-server-limit")
        .unwrap_or_else(|| panic!("no connections finding: {report}"));
    // 3 instances × 4 workers × (5 + 5) = 120.
    let message = finding["message"].as_str().expect("message");
    assert!(message.contains("may open 120"), "{message}");
    assert!(message.contains("3 instances"), "{message}");
    assert!(message.contains("4 workers"), "{message}");
}

/// (rule, file) pairs of a `lint --format json .` run in `dir`.
fn rules_in(dir: &Path) -> Vec<(String, String)> {
    let output = run_in(dir, &["lint", "--format", "json", "."]);
    located(&json(&output))
        .into_iter()
        .map(|(rule, file, _)| (rule, file))
        .collect()
}

/// Files an application accepts give no finding: wrappers, configuration files, a Procfile's
/// injected `PORT`, a cron service, an environment's override, a development Dockerfile.
#[test]
fn correct_deployment_files_give_no_finding() {
    let cases: &[(&str, &str)] = &[
        (
            "Dockerfile",
            "FROM python:3.12\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"sh\", \"-c\", \"uvicorn app:app --host 0.0.0.0 --port ${PORT:-8000}\"]\n",
        ),
        (
            "Dockerfile",
            "FROM python:3.12\nCMD [\"gunicorn\", \"-c\", \"gunicorn_conf.py\", \"app:app\"]\n",
        ),
        (
            "Procfile",
            "web: gunicorn -k uvicorn.workers.UvicornWorker app:app\n",
        ),
        (
            "railway.toml",
            "[deploy]\nstartCommand = \"python -m jobs.nightly\"\ncronSchedule = \"0 3 * * *\"\nrestartPolicyType = \"NEVER\"\n",
        ),
        (
            "railway.toml",
            "[deploy]\nstartCommand = \"uvicorn app:app --host 0.0.0.0 --port $PORT\"\n\
             [environments.production.deploy]\nhealthcheckPath = \"/health\"\n",
        ),
        (
            "Dockerfile.dev",
            "FROM python:3.12\nCMD fastapi dev app/main.py\n",
        ),
    ];
    for (name, text) in cases {
        let project = Scratch::new();
        project.write(name, text);
        let found = rules_in(project.path());
        assert!(found.is_empty(), "{name}:\n{text}\n{found:?}");
    }
}

/// Each directory of a monorepo is a deployment of its own.
#[test]
fn a_monorepo_pairs_files_by_directory() {
    let project = Scratch::new();
    std::fs::create_dir_all(project.path().join("api")).expect("mkdir");
    std::fs::create_dir_all(project.path().join("web")).expect("mkdir");
    project.write(
        "api/railway.toml",
        "[deploy]\nstartCommand = \"uvicorn app:app --port 8000\"\nhealthcheckPath = \"/health\"\n",
    );
    project.write(
        "web/railway.toml",
        "[deploy]\nstartCommand = \"uvicorn web:app --host 0.0.0.0 --port $PORT\"\nhealthcheckPath = \"/\"\n",
    );
    let found = rules_in(project.path());
    assert!(
        found.iter().all(|(_, file)| file == "api/railway.toml"),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "start-command-binds-localhost".to_owned(),
            "api/railway.toml".to_owned()
        )),
        "{found:?}"
    );
}

/// Secrets written in deployment files in every way the readers see them never show.
#[test]
fn secrets_in_deployment_files_never_show() {
    let project = Scratch::new();
    project.write(
        "Dockerfile",
        "FROM python:3.12-slim\n\
         ENV APP_NAME=api\n\
         DATABASE_PASSWORD=continuation-secret-1\n\
         RUN API_TOKEN=run-secret-2 pip install -r requirements.txt\n\
         HEALTHCHECK CMD curl -u admin:curl-secret-3 -H \"Authorization: Bearer header-secret-4\" http://localhost:8000/health\n\
         CMD uvicorn app:app --port 8000\n",
    );
    project.write(
        "railway.json",
        r#"{"deploy": {"startCommand": "SECRET_KEY=start-secret-5 uvicorn app:app", "registryCredentials": "user:registry-secret-6"}, "variables": {"SECRET_KEY": "unknown-key-secret-7"}}"#,
    );
    project.write(
        "Procfile",
        "web: STRIPE_API_KEY=procfile-secret-8 uvicorn app:app\n",
    );
    for format in ["human", "json", "sarif", "github", "junit"] {
        let output = run_in(project.path(), &["lint", "--format", format, "."]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            text.contains("start-command-binds-localhost"),
            "{format}: {text}"
        );
        for secret in 1..=8 {
            assert!(
                !text.contains(&format!("secret-{secret}")),
                "{format} shows secret {secret}:\n{text}"
            );
        }
    }
}

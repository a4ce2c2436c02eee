//! `init --ci github`: `.github/workflows/deploycheck.yml`, the gate before a Railway deploy.
//!
//! One job lints what Railway will inject (`railway variables --json` piped in as `-`) together
//! with the repository (`.`), in one run: the deployment files are then judged with the
//! variables the service really gets, and one SARIF file goes to code scanning. The step runs
//! under `bash` as GitHub names it (`-eo pipefail`), so a `railway` that fails (a missing token,
//! a wrong service name) fails the step instead of passing an empty configuration to the lint.
//! The versions installed are written once, in the workflow's `env`.

use super::survey::Survey;

/// The Railway CLI the workflow installs: the release action.yml pins (tests/init.rs checks
/// that they agree), which npm publishes. The fixtures were recorded with 5.43.1, a release npm
/// does not have, so `npm install` of it fails.
const RAILWAY_CLI_VERSION: &str = "5.63.1";

/// The service name written when the project's files name none (railway.toml has no service).
pub const SERVICE_PLACEHOLDER: &str = "YOUR-RAILWAY-SERVICE";

/// The workflow for what `survey` found.
pub fn render(survey: &Survey) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let railway = survey.uses_railway();
    let environment = match survey.railway_environment() {
        Some(name) => (
            name.to_owned(),
            format!(
                "Found as `environments.{name}` in {}",
                survey
                    .railway
                    .as_ref()
                    .map_or("Railway's config", |railway| railway.file.as_str())
            ),
        ),
        None => (
            "production".to_owned(),
            "Railway's first environment; no file here names one".to_owned(),
        ),
    };
    let mut out = String::new();
    out.push_str(&format!(
        "\
# deploycheck: the production configuration, checked before it is deployed. Written by
# `deploycheck init --ci github`; change anything, it is yours now.
name: deploycheck

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

env:
  # The deploycheck release to install from PyPI (pipx); change the version here only.
  DEPLOYCHECK_VERSION: \"{version}\"
"
    ));
    if railway {
        out.push_str(&format!(
            "  # The Railway CLI release, whose `railway variables --json` deploycheck reads.
  RAILWAY_CLI_VERSION: \"{RAILWAY_CLI_VERSION}\"
  # The Railway service and environment whose variables are linted. Placeholder: Railway's
  # config names no service; write the service's name as the Railway dashboard shows it.
  RAILWAY_SERVICE: \"{SERVICE_PLACEHOLDER}\"
  # {}.
  RAILWAY_ENVIRONMENT: \"{}\"
",
            environment.1, environment.0
        ));
    }
    out.push_str(
        "
jobs:
  deploycheck:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      # To upload the findings to code scanning; upload-sarif also reads the workflow run,
      # which a private repository's token may do only with `actions: read`.
      security-events: write
      actions: read
    steps:
      - uses: actions/checkout@v4

      - name: Install deploycheck
        run: pipx install \"deploycheck==${DEPLOYCHECK_VERSION}\"
",
    );
    if railway {
        out.push_str(
            "
      - name: Install the Railway CLI
        run: npm install --global \"@railway/cli@${RAILWAY_CLI_VERSION}\"

      # The repository's .env files and deployment files, and what Railway will inject (`-`,
      # read from the pipe; never written to disk), in one report. RAILWAY_TOKEN is a project
      # token (Railway: project settings, Tokens) stored as a repository secret.
      - name: Lint the repository and Railway's variables
        shell: bash
        env:
          RAILWAY_TOKEN: ${{ secrets.RAILWAY_TOKEN }}
        run: >-
          railway variables --json
          --service \"$RAILWAY_SERVICE\" --environment \"$RAILWAY_ENVIRONMENT\"
          | deploycheck lint - . --format sarif -o deploycheck.sarif
",
        );
    } else {
        out.push_str(
            "
      # The repository's .env files and deployment files. (No Railway config was found; to
      # lint what Railway injects as well, pipe `railway variables --json` in as `-`:
      # `railway variables --json | deploycheck lint - . ...`, with RAILWAY_TOKEN from secrets.)
      - name: Lint the repository
        shell: bash
        run: deploycheck lint . --format sarif -o deploycheck.sarif
",
        );
    }
    out.push_str(
        "
      # The findings as code scanning alerts, also when the lint failed (it exits 1 on
      # findings, which fails the job after the upload).
      - name: Upload the findings
        if: ${{ !cancelled() && hashFiles('deploycheck.sarif') != '' }}
        uses: github/codeql-action/upload-sarif@v4
        with:
          sarif_file: deploycheck.sarif
          category: deploycheck
",
    );
    out
}

//! Running deploycheck in-process, as the binary would, for tests.

use clap::Parser;
use deploycheck::app::{self, Streams};
use deploycheck::cli::Cli;

/// What a run printed and how it ended: (exit code, stdout, rendered error).
pub struct Outcome {
    pub code: u8,
    pub stdout: String,
    pub error: String,
}

pub fn run(args: &[&str], stdin: &str) -> Outcome {
    let mut argv = vec!["deploycheck", "--color", "never"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).expect("arguments parse");
    let mut input = stdin.as_bytes();
    let mut output = Vec::new();
    let mut streams = Streams {
        stdin: &mut input,
        stdout: &mut output,
        stdout_is_terminal: false,
        stdin_file: None,
    };
    let (code, error) = match app::run(cli, &mut streams) {
        Ok(status) => (status.code(), String::new()),
        Err(error) => {
            let handler = miette::GraphicalReportHandler::new_themed(
                miette::GraphicalTheme::unicode_nocolor(),
            )
            .with_width(400);
            let mut rendered = String::new();
            handler
                .render_report(&mut rendered, &error)
                .expect("render");
            (2, rendered)
        }
    };
    Outcome {
        code,
        stdout: String::from_utf8(output).expect("utf-8 output"),
        error,
    }
}

/// The JSON report of a lint run.
pub fn lint_json(args: &[&str], stdin: &str) -> (u8, serde_json::Value) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let outcome = run(&all, stdin);
    assert!(
        outcome.error.is_empty(),
        "unexpected error: {}",
        outcome.error
    );
    (
        outcome.code,
        serde_json::from_str(&outcome.stdout).expect("JSON output"),
    )
}

/// The rule ids of a JSON report's findings.
pub fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_owned())
        .collect()
}

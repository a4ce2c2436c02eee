//! `verify`: check the deployed service ([`crate::pipeline::verify`]) and report like `lint`,
//! with each health path's latency under a human report.

use std::io::{IsTerminal, Write};

use crate::cli::{LintFormat, VerifyArgs};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::pipeline;
use crate::source::read::Reader;
use crate::streams::Streams;
use crate::verify::judge::duration_text;

pub fn run(
    args: VerifyArgs,
    color: bool,
    streams: &mut Streams,
    reader: &Reader,
) -> Result<ExitStatus, Error> {
    // `--wait` progress: a line on a terminal, rewritten in place; nothing otherwise.
    let terminal = std::io::stderr().is_terminal();
    let mut progress = |line: &str| {
        if terminal {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2Kdeploycheck verify: {line}");
            let _ = stderr.flush();
        }
    };
    let outcome = pipeline::verify(&args, streams.stdin, reader, &mut progress)?;
    if terminal && args.wait.is_some() {
        let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
    }
    let lint_args = args.lint_args();
    let reported =
        pipeline::report(&outcome, &lint_args, color, streams.stdout, reader).and_then(|()| {
            if args.format != LintFormat::Human || args.output.is_some() {
                return Ok(());
            }
            let mut text = String::new();
            for (path, p50, p95) in &outcome.latency {
                text.push_str(&format!(
                    "{path}: p50 {}, p95 {}\n",
                    duration_text(*p50),
                    duration_text(*p95)
                ));
            }
            streams
                .stdout
                .write_all(text.as_bytes())
                .map_err(Error::Output)
        });
    match reported {
        Ok(()) => Ok(outcome.status),
        Err(error) if pipeline::is_broken_pipe(&error) => Ok(outcome.status),
        Err(error) => Err(error),
    }
}

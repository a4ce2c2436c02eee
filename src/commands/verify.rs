//! `verify`: check the deployed service ([`crate::pipeline::verify`]) and report like `lint`,
//! with each health path's latency under a human report.

use crate::cli::{LintFormat, VerifyArgs};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::pipeline;
use crate::progress::Progress;
use crate::source::read::Reader;
use crate::streams::Streams;
use crate::verify::judge::duration_text;

pub fn run(
    args: VerifyArgs,
    color: bool,
    streams: &mut Streams,
    reader: &Reader,
) -> Result<ExitStatus, Error> {
    let mut progress = Progress::on_terminal("verify", args.format == LintFormat::Human);
    let outcome = pipeline::verify(&args, &mut progress.input(streams.stdin), reader, &progress);
    progress.finish();
    let outcome = outcome?;
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

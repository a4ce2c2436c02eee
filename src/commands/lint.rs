//! `lint` and `probe`: run the lint pipeline ([`crate::pipeline`]) and report.

use crate::cli::{LintArgs, LintFormat};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::pipeline::{self, Mode};
use crate::progress::Progress;
use crate::source::read::Reader;
use crate::streams::Streams;

pub fn run(
    args: LintArgs,
    color: bool,
    mode: Mode,
    streams: &mut Streams,
    reader: &Reader,
) -> Result<ExitStatus, Error> {
    // Shown on a terminal when the run takes more than a second (probes, a large directory).
    let mut progress = Progress::on_terminal(mode.command(), args.format == LintFormat::Human);
    let outcome = pipeline::check(
        &args,
        mode,
        &mut progress.input(streams.stdin),
        reader,
        &progress,
    );
    progress.finish();
    let outcome = outcome?;
    match pipeline::report(&outcome, &args, color, streams.stdout, reader) {
        Ok(()) => Ok(outcome.status),
        // A reader that went away (`deploycheck lint | head -1`) does not change the verdict:
        // under `set -o pipefail` a failing gate must still fail.
        Err(error) if pipeline::is_broken_pipe(&error) => Ok(outcome.status),
        Err(error) => Err(error),
    }
}

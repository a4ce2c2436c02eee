//! `lint` and `probe`: run the lint pipeline ([`crate::pipeline`]) and report.

use crate::cli::LintArgs;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::pipeline::{self, Mode};
use crate::source::read::Reader;
use crate::streams::Streams;

pub fn run(
    args: LintArgs,
    color: bool,
    mode: Mode,
    streams: &mut Streams,
    reader: &Reader,
) -> Result<ExitStatus, Error> {
    let outcome = pipeline::check(&args, mode, streams.stdin, reader)?;
    match pipeline::report(&outcome, &args, color, streams.stdout, reader) {
        Ok(()) => Ok(outcome.status),
        // A reader that went away (`deploycheck lint | head -1`) does not change the verdict:
        // under `set -o pipefail` a failing gate must still fail.
        Err(error) if pipeline::is_broken_pipe(&error) => Ok(outcome.status),
        Err(error) => Err(error),
    }
}

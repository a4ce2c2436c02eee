//! The `deploycheck` binary: parse the arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use deploycheck::app;
use deploycheck::cli::Cli;
use deploycheck::exit::ExitStatus;
use deploycheck::pipeline::is_broken_pipe;
use deploycheck::source::read::FileIdentity;
use deploycheck::streams::{self, Streams};

/// A lint allocates a string per key and value: mimalloc serves those small allocations far
/// faster than glibc's malloc (README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = streams::use_color(
        cli.color,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut streams = Streams {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stdout_is_terminal: Streams::stdio_is_terminal(),
        stdin_file: FileIdentity::of_standard_input(),
    };
    let status = match app::run(cli, &mut streams) {
        Ok(status) => status,
        // `deploycheck rules | head`: the reader has what it wanted. (`lint` keeps its verdict
        // through a closed pipe itself.)
        Err(error) if is_broken_pipe(&error) => ExitStatus::Success,
        Err(error) => {
            let rendered = error.rendered(color, 100);
            #[allow(clippy::disallowed_macros)]
            {
                eprint!("{rendered}");
            }
            ExitStatus::Error
        }
    };
    ExitCode::from(status.code())
}

//! Running a command: the dispatch from the parsed command line to one module per command under
//! `commands/`. Only `main` calls this, and nothing calls back into it.

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::Error;
use crate::pipeline::Mode;
use crate::source::read::Reader;
use crate::streams;

pub use crate::exit::ExitStatus;
pub use crate::streams::Streams;

pub fn run(cli: Cli, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let color = streams::use_color(cli.color, streams.stdout_is_terminal);
    // Every file the run reads goes through this one reader, which records it: no output may
    // be written over one of them.
    let reader = &Reader::new(streams.stdin_file.clone());
    match cli.command {
        Command::Lint(args) => {
            let probe = args.probe;
            commands::lint::run(args, color, Mode::Lint { probe }, streams, reader)
        }
        Command::Probe(args) => commands::lint::run(args, color, Mode::ProbeOnly, streams, reader),
        Command::Verify(args) => commands::verify::run(args, color, streams, reader),
        Command::Show(args) => commands::show::run(args, streams, reader),
        Command::Rules(args) => commands::docs::list_rules(args, streams, reader),
        Command::Explain(args) => commands::docs::explain(args, streams, reader),
        Command::Diff(args) => commands::diff::run(args, streams, reader),
        Command::Schema(args) => commands::schema::run(args, streams, reader),
        Command::Init(args) => commands::init::run(args, streams, reader),
        Command::Completions(args) => commands::docs::completions(args, streams),
        Command::Man(args) => commands::docs::man(args, streams),
    }
}

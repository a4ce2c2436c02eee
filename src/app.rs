//! Running a command: the dispatch from the parsed command line to one module per command under
//! `commands/`. Only `main` calls this, and nothing calls back into it.

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::Error;
use crate::pipeline::Mode;
use crate::streams;

pub use crate::exit::ExitStatus;
pub use crate::streams::Streams;

pub fn run(cli: Cli, streams: &mut Streams) -> Result<ExitStatus, Error> {
    let color = streams::use_color(cli.color, streams.stdout_is_terminal);
    match cli.command {
        Command::Lint(args) => {
            let probe = args.probe;
            commands::lint::run(args, color, Mode::Lint { probe }, streams)
        }
        Command::Probe(args) => commands::lint::run(args, color, Mode::ProbeOnly, streams),
        Command::Show(args) => commands::show::run(args, streams),
        Command::Rules(args) => commands::docs::list_rules(args, streams),
        Command::Explain(args) => commands::docs::explain(args, streams),
        Command::Diff(args) => commands::diff::run(args, streams),
        Command::Schema(args) => commands::schema::run(args, streams),
        Command::Completions(args) => commands::docs::completions(args, streams),
        Command::Man(args) => commands::docs::man(args, streams),
    }
}

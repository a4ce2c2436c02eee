//! The `deploycheck` binary: parse the arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use deploycheck::app::{self, ExitStatus, Streams};
use deploycheck::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = app::use_color(
        cli.color,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let stdout_is_terminal = Streams::stdio_is_terminal();
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut streams = Streams {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stdout_is_terminal,
    };
    let status = match app::run(cli, &mut streams) {
        Ok(status) => status,
        // A closed pipe (`deploycheck lint … | head`) is not an error worth reporting.
        Err(deploycheck::error::Error::Output(error))
            if error.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitStatus::Success
        }
        Err(error) => {
            let theme = if color {
                miette::GraphicalTheme::unicode()
            } else {
                miette::GraphicalTheme::unicode_nocolor()
            };
            let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
            let mut rendered = String::new();
            if handler.render_report(&mut rendered, &error).is_err() {
                rendered = format!("error: {error}\n");
            }
            #[allow(clippy::disallowed_macros)]
            {
                eprint!("{rendered}");
            }
            ExitStatus::Error
        }
    };
    ExitCode::from(status.code())
}

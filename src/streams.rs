//! The process's standard streams, injectable so tests can run a command in memory, and the
//! colour decision that depends on them.

use std::io::{IsTerminal, Read, Write};

/// The process's standard streams (injectable for tests).
pub struct Streams<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    /// Is stdout a terminal (for `--color auto`)?
    pub stdout_is_terminal: bool,
    /// The file stdin is redirected from, if it is one: read as `-`, it is an input like any
    /// other, which no output may replace.
    pub stdin_file: Option<crate::source::read::FileIdentity>,
}

impl Streams<'static> {
    /// Nothing here is read before a command asks for it.
    pub fn stdio_is_terminal() -> bool {
        std::io::stdout().is_terminal()
    }
}

/// Decide colour from the process's environment: see [`color_decision`].
pub fn use_color(choice: crate::cli::ColorChoice, is_terminal: bool) -> bool {
    color_decision(
        choice,
        is_terminal,
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// `--color always|never` win; `auto` means a terminal, `NO_COLOR` unset or empty
/// (no-color.org), and a terminal that is not `TERM=dumb` (which cannot show escapes).
pub fn color_decision(
    choice: crate::cli::ColorChoice,
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    use crate::cli::ColorChoice;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
        }
    }
}

//! Tool failures: the one error enum, rendered once by the binary. A tool failure means the run
//! could not judge the configuration (exit 2); problems *in* the configuration are findings.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("{path}: no such file")]
    #[diagnostic(help("check the path; use `-` to read standard input"))]
    NotFound { path: String },

    #[error("{path}: is a directory, expected a file")]
    #[diagnostic(help("name the .env file itself, e.g. `{path}/.env`"))]
    IsDirectory { path: String },

    #[error("{path}: not a regular file ({kind})")]
    #[diagnostic(help(
        "give a regular file, or pipe the text to standard input: `deploycheck lint - < FILE`"
    ))]
    NotRegularFile { path: String, kind: &'static str },

    /// A directory to lint holds no file deploycheck judges: a gate that judged nothing must
    /// not pass.
    #[error("{path}: no .env or deployment files found under this directory")]
    #[diagnostic(help(
        "deploycheck looks for `.env`, `.env.*` and `*.env` files and for `Dockerfile`, \
         `railway.toml`, `railway.json` and `Procfile`, leaving out templates (`.env.example`) \
         and what `.gitignore` excludes; name a file to lint it whatever its name"
    ))]
    NoInputsFound { path: String },

    #[error("{path}: larger than {limit} bytes, the most deploycheck reads")]
    #[diagnostic(help(
        "an input this large is not a configuration; check the path, or raise the limit with \
         `--max-input-size` (or `max-input-size` in the configuration)"
    ))]
    TooLarge { path: String, limit: u64 },

    #[error("{path}: cannot write: {reason}")]
    #[diagnostic(help("check that the directory exists and is writable"))]
    Unwritable { path: String, reason: String },

    /// An output (`-o`, `--write-baseline`, the step summary) is a file the run read: writing it
    /// would destroy that input.
    #[error("{output}: the same file as {input}, which this run reads")]
    #[diagnostic(help(
        "write the {noun} to another file: deploycheck never writes to a file it reads"
    ))]
    OutputIsInput {
        output: String,
        input: String,
        noun: &'static str,
    },

    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: String, reason: String },

    #[error("{path}: not valid UTF-8 at byte {offset}")]
    #[diagnostic(help("python-dotenv cannot read it either; save the file as UTF-8 text"))]
    NotUtf8 { path: String, offset: usize },

    /// python-dotenv 1.2.4 (and so pydantic-settings) reads `A=x\0y` as `"x\x00y"`, but such a
    /// value could never reach a deployed process: environment variables are C strings. The input
    /// is refused for that reason, not for being unreadable.
    #[error(
        "{path}:{line}:{column}: a NUL byte: python-dotenv reads it, but no process environment \
         can hold it, so Railway or a shell could never set this value"
    )]
    #[diagnostic(help(
        "remove the NUL byte; a value that must carry binary data can be stored encoded (base64) \
         and decoded by the application"
    ))]
    NulByte {
        path: String,
        line: usize,
        column: usize,
    },

    #[error("{path}:{line}:{column}: {message}")]
    InvalidInput {
        path: String,
        line: usize,
        column: usize,
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error("{path}:{line}:{column}: {message}")]
    RuleFile {
        path: String,
        line: usize,
        column: usize,
        message: String,
        #[source_code]
        source_code: NamedSource<String>,
        /// `None` when the line is too long to draw (see `source::MAX_SNIPPET_LINE`).
        #[label("{message}")]
        span: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    #[error("{path}: no rule files (*.toml) in this directory")]
    NoRuleFiles { path: PathBuf },

    #[error("unknown rule `{id}`")]
    UnknownRule {
        id: String,
        #[help]
        help: Option<String>,
    },

    #[error("{message}")]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Probe(#[from] crate::probe::ProbeError),

    /// The Settings class that was named cannot be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Settings(#[from] crate::appsettings::ReadError),

    /// A bug in deploycheck: something it must never do. Exits 2 rather than carry on wrongly.
    #[error("internal error: {message}")]
    #[diagnostic(help("this is a bug in deploycheck; please report it with the command you ran"))]
    Internal { message: String },

    /// Said in the message's one line; not also a chained cause (miette would print it twice).
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
}

/// Rule files and other texts count positions as inputs do: one definition, in `source`.
pub use crate::source::line_col;

impl Error {
    /// An error pointing into a rule file.
    pub fn rule_file(
        path: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col(text, span.start);
        Error::RuleFile {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
            span: crate::source::snippet_fits(text, &span).then(|| span.into()),
            source_code: NamedSource::new(path, text.to_owned()),
            help: None,
        }
    }

    /// An error at a place in a file that may not be a rule or configuration file at all (a
    /// `.env` named with `--rules`): it names the line and column and quotes nothing of the
    /// text, which may hold secrets (see `tomlfile`).
    pub fn rule_file_unquoted(
        path: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col(text, span.start);
        Error::RuleFile {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
            span: None,
            source_code: NamedSource::new(path, String::new()),
            help: None,
        }
    }

    /// Attach a help text (for the variants that carry one).
    pub fn with_help(mut self, text: impl Into<String>) -> Self {
        match &mut self {
            Error::RuleFile { help, .. }
            | Error::InvalidInput { help, .. }
            | Error::UnknownRule { help, .. }
            | Error::Usage { help, .. } => *help = Some(text.into()),
            // These carry a fixed help of their own (or, for I/O, none worth more than the cause).
            Error::NotFound { .. }
            | Error::IsDirectory { .. }
            | Error::NotRegularFile { .. }
            | Error::NoInputsFound { .. }
            | Error::TooLarge { .. }
            | Error::Unwritable { .. }
            | Error::OutputIsInput { .. }
            | Error::Unreadable { .. }
            | Error::NotUtf8 { .. }
            | Error::NulByte { .. }
            | Error::NoRuleFiles { .. }
            | Error::Probe(_)
            | Error::Settings(_)
            | Error::Internal { .. }
            | Error::Output(_) => {}
        }
        self
    }
}

impl Error {
    /// The error as the binary prints it: miette's graphical report, `width` columns wide.
    ///
    /// A path or a value the error quotes may hold control characters: such an error is
    /// rendered without colour (whose escape sequences could not be told apart from the input's)
    /// and escaped as every human-readable output is ([`escape_controls`]).
    ///
    /// [`escape_controls`]: crate::report::escape_controls
    pub fn rendered(&self, color: bool, width: usize) -> String {
        let render = |theme| {
            let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(width);
            let mut rendered = String::new();
            if handler.render_report(&mut rendered, self).is_err() {
                rendered = format!("error: {self}\n");
            }
            rendered
        };
        let plain = render(miette::GraphicalTheme::unicode_nocolor());
        if plain.chars().any(crate::report::is_hidden_control) {
            crate::report::escape_controls(&plain).into_owned()
        } else if color {
            render(miette::GraphicalTheme::unicode())
        } else {
            plain
        }
    }
}

/// Writing the report failed. By hand rather than `#[from]`, which would also make the I/O error
/// a chained cause that miette prints a second time under the message.
impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error::Output(error)
    }
}

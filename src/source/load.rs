//! From a read text to [`Parsed`] entries, in whichever format it is: the format given by the
//! user, or the one its shape shows (a JSON object is `railway variables --json`, a box is the
//! table, `KEY=value` lines with Railway's injected ids in sorted order are `--kv`, anything else
//! a .env file).

use super::dotenv::{self, DotenvOptions};
use super::railway::{self, RailwayError};
use super::{InputFormat, Parsed, SourceFile};
use crate::error::Error;

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Dotenv => "dotenv",
            InputFormat::RailwayJson => "railway-json",
            InputFormat::RailwayKv => "railway-kv",
            InputFormat::RailwayTable => "railway-table",
        }
    }

    /// Does the text come from Railway (already rendered, no interpolation)?
    pub fn is_railway(self) -> bool {
        self != InputFormat::Dotenv
    }
}

/// The format a text's shape shows.
pub fn detect(text: &str) -> InputFormat {
    match railway::detect(text) {
        InputFormat::Dotenv if railway::looks_like_kv(text) => InputFormat::RailwayKv,
        format => format,
    }
}

/// Parse `file` as `format` (detected when `None`).
pub fn parse(
    file: &SourceFile,
    format: Option<InputFormat>,
    options: &DotenvOptions,
) -> Result<(InputFormat, Parsed), Error> {
    let format = format.unwrap_or_else(|| detect(&file.text));
    let parsed = match format {
        InputFormat::Dotenv => Ok(dotenv::parse(&file.text, options)),
        InputFormat::RailwayJson => railway::parse_json(&file.text),
        InputFormat::RailwayKv => Ok(railway::parse_kv(&file.text)),
        InputFormat::RailwayTable => railway::parse_table(&file.text),
    };
    parsed
        .map(|parsed| (format, parsed))
        .map_err(|error| invalid(file, format, &error))
}

/// A Railway text that cannot be read, placed once, by the `path:line:column` prefix. The
/// wording and the help are [`RailwayError`]'s; no snippet is attached, as the text may hold
/// secrets.
fn invalid(file: &SourceFile, format: InputFormat, error: &RailwayError) -> Error {
    let (line, column) = file.line_col(error.span().start);
    Error::InvalidInput {
        path: file.name.clone(),
        line,
        column,
        message: format!("not a valid {} input: {error}", format.name()),
        help: Some(error.help().to_owned()),
    }
}

//! Readers for `railway variables` output: `--json`, `--kv` and the default table.
//!
//! The Railway CLI prints a service's variables in three shapes, and only one of them is
//! lossless. `--json` is a flat object of strings and is read exactly ([`parse_json`]). `--kv`
//! prints `KEY=value` lines with no quoting, so a value holding a newline runs onto the next
//! lines; [`parse_kv`] recovers where each variable starts from two guarantees of the CLI (see
//! `kv.rs`). The default table wraps long values inside a box; [`parse_table`] rejoins the wrapped
//! rows by the rules of the wrapping library the CLI uses (see `rejoin.rs`), which cannot always
//! tell a wrapped row from a newline, so the result is a best guess and a notice says so. Every
//! span points into the text exactly as given, ANSI colour codes included (see `ansi.rs`).
//!
//! This file holds what the readers share: the entry points, the error, the notices' rule ids
//! and the CLI's measure of display width. Each reader lives in its own file: `detect.rs` (which
//! shape a text is), `json.rs`, `kv.rs`, `table.rs` (the box and its cells), `rejoin.rs` (how a
//! value's wrapped rows go back together) and `ansi.rs` (colour codes, removed with an offset map).

mod ansi;
mod detect;
mod json;
mod kv;
mod rejoin;
mod table;

use crate::rules::RuleId;
use unicode_width::UnicodeWidthChar;

use super::{Parsed, Span};

pub use detect::{detect, looks_like_kv};

/// Rule id of the notice pushed when `--kv` values had to be reconstructed.
pub const KV_LOSSY_RULE: RuleId = RuleId::RailwayKvLossy;
/// Rule id of the notice pushed for every table input.
pub const TABLE_LOSSY_RULE: RuleId = RuleId::RailwayTableLossy;

/// A `railway variables` text that cannot be read at all.
///
/// The message says what is wrong, never where: the caller, which knows the file's name, turns
/// [`RailwayError::span`] into one `path:line:column` prefix. It names keys but never values, as a
/// value may be a secret; for the same reason it is a plain error and not a miette diagnostic with
/// a snippet of the text, which is read before anything in it is known to be secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RailwayError {
    /// The `--json` text is not valid JSON, or ends before the object is closed.
    #[error("invalid JSON: {reason}")]
    InvalidJson { reason: String, span: Span },
    /// A variable's value in the `--json` text is not a string.
    #[error("`{key}` is {kind}, expected a string")]
    NotAString {
        key: String,
        kind: &'static str,
        span: Span,
    },
    /// The `--json` text holds something other than an object.
    #[error("the JSON text is {kind}, expected an object of variables")]
    NotAnObject { kind: &'static str, span: Span },
    /// The table's frame is broken: a border is missing, a line is ragged, a row sits outside
    /// the box, or the text ends before the bottom border.
    #[error("broken `railway variables` table: {reason}")]
    BrokenTable { reason: String, span: Span },
}

impl RailwayError {
    /// The bytes of the input the error is about.
    pub fn span(&self) -> Span {
        match self {
            RailwayError::InvalidJson { span, .. }
            | RailwayError::NotAString { span, .. }
            | RailwayError::NotAnObject { span, .. }
            | RailwayError::BrokenTable { span, .. } => span.clone(),
        }
    }

    /// What the user can do about it.
    pub fn help(&self) -> &'static str {
        match self {
            RailwayError::InvalidJson { .. } => {
                "`railway variables --json` prints one flat object of strings; pipe its complete \
                 output (was it cut short?)"
            }
            RailwayError::NotAString { .. } => {
                "`railway variables --json` prints every value as a string; quote it"
            }
            RailwayError::NotAnObject { .. } => {
                "`railway variables --json` prints one flat object: {\"KEY\": \"value\", ...}"
            }
            RailwayError::BrokenTable { .. } => {
                "paste the whole table unchanged, or better, pipe `railway variables --json`, \
                 which is lossless"
            }
        }
    }
}

/// Read `railway variables --json`: a flat JSON object whose values are all strings.
///
/// Lossless. `key_span` covers the key's characters inside its quotes, `value_span` the value's
/// string literal with its quotes, `statement_span` runs from the key to the end of the value.
/// A key given twice yields two entries, in order (the CLI never prints one twice).
pub fn parse_json(text: &str) -> Result<Parsed, RailwayError> {
    json::JsonReader::new(text).read_object()
}

/// Read `railway variables --kv`: `KEY=value` lines, values printed literally.
///
/// There is no quoting, escaping, comment or interpolation: everything after the first `=` is the
/// value. A value holding newlines continues on the following lines, and nothing marks where it
/// ends, so where each variable starts is reconstructed from the order of the keys (see `kv.rs`).
/// When any value spans several lines, a [`KV_LOSSY_RULE`] notice says so.
///
/// The first line that could start a variable always does (the CLI's first line is a key); text
/// before it is a [`SyntaxError`](super::SyntaxError). The file's final line break is not part of
/// the last value. A file whose every `\n` is preceded by `\r` is read as CRLF text; otherwise a
/// `\r` is kept as part of the value.
pub fn parse_kv(text: &str) -> Parsed {
    kv::parse(text)
}

/// Read the default `railway variables` table (plain or coloured).
///
/// The box is `╔═ Variables for <service> ═╗`, rows `║ KEY │ value ║` separated by `║───║`, and
/// `╚═╝`. Values longer than the value column were wrapped onto continuation rows with an empty key
/// cell, and a newline in a value also starts a new row; which of the two happened is decided row
/// by row (see `rejoin.rs`). The reconstruction is a guess in places, so a [`TABLE_LOSSY_RULE`]
/// notice is always pushed. Trailing spaces of a value (and of each of its lines) cannot be
/// recovered: the wrapping drops them and the cell padding hides them. A run of spaces where a row
/// was wrapped comes back as one space. Escape sequences inside a value are removed with the
/// table's colours.
///
/// `key_span` covers the key cell's text; `value_span` runs from the first character of the value
/// cell of the first row to the last non-padding character of the last row.
pub fn parse_table(text: &str) -> Result<Parsed, RailwayError> {
    table::TableReader::new(text).read()
}

/// Display width of a character as the Railway CLI measures it (control characters count 0).
fn char_width(character: char) -> usize {
    character.width().unwrap_or(0)
}

fn text_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}
